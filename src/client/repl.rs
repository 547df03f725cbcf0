//! The replication side of a client: what REPLCONF told us and, once it asked
//! for SYNC/PSYNC, where its synchronisation is (the sync itself is in
//! repl/master.rs).

use std::sync::Arc;

use super::Client;

/// Where a replica is in its synchronisation (Redis's SLAVE_STATE_*).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncState {
    WaitBgsave,
    SendBulk,
    Online,
}

/// The replication side of a client: what REPLCONF told us, and, once it asked
/// for SYNC/PSYNC, its synchronisation.
#[derive(Default)]
pub struct ReplicaState {
    /// None until SYNC/PSYNC: a client that only sent REPLCONF is no replica.
    pub state: Option<SyncState>,
    pub listening_port: u16,
    pub announced_ip: Option<String>,
    pub capa_eof: bool,
    pub capa_psync2: bool,
    /// Attached with the old SYNC (sends no ACKs).
    pub pre_psync: bool,
    /// Offset the replica acknowledged (REPLCONF ACK) and when (ms).
    pub ack_off: u64,
    pub ack_time_ms: i64,
    /// The snapshot job this replica waits for.
    pub(crate) job: u64,
    pub(crate) rdb: Option<Arc<Vec<u8>>>,
    pub(crate) rdb_pos: usize,
    /// Stream produced while the replica waits for or receives its RDB.
    pub(crate) pending: Vec<u8>,
}

impl ReplicaState {
    /// Stream bytes held back for the replica (counted in its output buffer).
    pub fn pending_len(&self) -> usize {
        self.pending.len()
    }
}

/// True when the client is a replica (asked for SYNC/PSYNC).
#[inline]
pub fn is_replica(c: &Client) -> bool {
    c.repl.as_ref().is_some_and(|r| r.state.is_some())
}
