//! A blocked client's own state (the server's FIFO queues and timeouts are in
//! blocked.rs): what it waits for (keys, or replica acknowledgements for
//! WAIT), until when, and the command to re-run.

use bytes::Bytes;

/// What a blocked client gets when its timeout fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutReply {
    /// `*-1` (RESP2) / `_` (RESP3): BLPOP, BLMPOP, BZPOPMIN, XREAD...
    NullArray,
    /// `$-1` (RESP2) / `_` (RESP3): BLMOVE, BRPOPLPUSH.
    NullBulk,
    /// `:<n>`: WAIT, the number of replicas that acknowledged its offset by
    /// then (Redis's replyToBlockedClientTimedOut for BLOCKED_WAIT); the
    /// server counts them, the client cannot.
    ReplicaCount,
}

/// What a client blocked in WAIT waits for (Redis's `bpop.reploffset` and
/// `bpop.numreplicas`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitAcks {
    /// The replication offset the replicas must have acknowledged.
    pub offset: u64,
    /// How many replicas must have acknowledged it.
    pub numreplicas: i64,
}

/// Why and for what a client is blocked.
#[derive(Debug)]
pub struct BlockState {
    pub db: usize,
    pub keys: Vec<Bytes>,
    /// Absolute deadline in ms; None = forever.
    pub deadline: Option<i64>,
    pub timeout_reply: TimeoutReply,
    /// The command to re-run when a key becomes ready.
    pub argv: Vec<Bytes>,
    /// During that re-run, the key that became ready: a command waiting on
    /// several keys is served from this one, as Redis serves a ready key's
    /// queue (not from the first of its keys that happens to exist).
    pub ready: Option<Bytes>,
    /// WAIT: the acknowledgements that end the wait (`keys` is then empty;
    /// such a client is never re-run, it is answered with a count).
    pub wait: Option<WaitAcks>,
}

impl BlockState {
    /// True for an XREADGROUP: a deleted key or a destroyed group ends its
    /// wait with an error.
    pub fn is_stream_group_read(&self) -> bool {
        self.argv
            .first()
            .is_some_and(|n| n.eq_ignore_ascii_case(b"xreadgroup"))
    }
}

impl super::Client {
    /// The reply a blocked client gets when its timeout fires (or CLIENT
    /// UNBLOCK ends its wait); nothing if it is not blocked. `acks` is the
    /// count a WAIT replies (`Server::wait_acks_now`), ignored otherwise.
    pub fn add_blocked_timeout_reply(&mut self, acks: usize) {
        if let Some(b) = &self.blocked {
            match b.timeout_reply {
                TimeoutReply::NullArray => self.add_null_array(),
                TimeoutReply::NullBulk => self.add_null(),
                TimeoutReply::ReplicaCount => self.add_int(acks as i64),
            }
        }
    }
}

impl super::Client {
    /// The keys a blocking command should try: all of `keys` on its first run,
    /// only the ready key when it is re-run for one.
    pub fn keys_to_serve(&self, keys: Vec<Bytes>) -> Vec<Bytes> {
        match self.blocked.as_ref().and_then(|b| b.ready.as_ref()) {
            Some(k) if self.has(super::flags::RERUN) && keys.contains(k) => vec![k.clone()],
            _ => keys,
        }
    }
}
