//! Synchronous replication: WAIT (Redis's waitCommand and
//! processClientsWaitingReplicas in replication.c).
//!
//! A client's WAIT asks for the replicas to have acknowledged its `woff`, the
//! replication offset after its last command, so every write it made before
//! is covered. When enough online replicas already did, it is answered at
//! once; otherwise it blocks (blocked.rs) and the loop asks every replica for
//! an acknowledgement:
//!
//! ```text
//!   WAIT n t ─> block, get_ack_from_replicas = true
//!                 │ before_sleep (once for all of the iteration's waiters)
//!                 v
//!   stream += REPLCONF GETACK *   (counts in master_repl_offset, as in Redis)
//!                 │ replica answers REPLCONF ACK <offset> (repl/master.rs)
//!                 v
//!   before_sleep: every waiter whose offset enough replicas acknowledged
//!                 gets `:<count>`; a timeout or CLIENT UNBLOCK gets the
//!                 count of that moment
//! ```
//!
//! The GETACK goes out after the iteration's unblocked clients ran, so a WAIT
//! pipelined behind one that was just answered needs no extra round, and not
//! while clients are paused: it would move the offset of a dataset meant to
//! stay still (it goes out when the pause ends).

use bytes::Bytes;

use crate::client::blocked::WaitAcks;
use crate::client::repl::SyncState;
use crate::client::{flags as cflags, Client};
use crate::error;
use crate::server::Server;

/// The online replicas that acknowledged `offset` (Redis's
/// replicationCountAcksByOffset). A replica still receiving its RDB counts
/// for nothing, whatever it acknowledged.
pub fn count_acks_by_offset(srv: &Server, offset: u64) -> usize {
    srv.repl
        .replicas
        .iter()
        .filter_map(|&t| srv.clients.get(t))
        .filter_map(|c| c.repl.as_deref())
        .filter(|r| r.state == Some(SyncState::Online) && r.ack_off >= offset)
        .count()
}

/// WAIT numreplicas timeout
///
/// The timeout is in milliseconds, 0 waiting forever. Inside a transaction
/// (and wherever blocking is denied) it answers at once with the count it has.
pub fn wait_command(srv: &mut Server, c: &mut Client) {
    // A replica's writes are its own (not propagated): nothing to wait for.
    if srv.master.is_some() {
        return c.add_error(error::WAIT_ON_REPLICA);
    }
    let Some(numreplicas) = crate::util::number::parse_i64(&c.argv[1]) else {
        return c.add_error(error::NOT_INTEGER);
    };
    let Some(timeout) = crate::util::number::parse_i64(&c.argv[2]) else {
        return c.add_error(error::TIMEOUT_NOT_INT);
    };
    if timeout < 0 {
        return c.add_error(error::TIMEOUT_NEGATIVE);
    }
    let offset = c.woff;
    let acks = count_acks_by_offset(srv, offset);
    if acks as i64 >= numreplicas || c.has(cflags::DENY_BLOCKING) {
        return c.add_int(acks as i64);
    }
    // Redis adds mstime() to the timeout in a long long: a huge one wraps
    // negative, which its timeout table (keyed by the unsigned value) never
    // reaches, so the client waits for good, as it does here.
    let deadline = match timeout {
        0 => None,
        t => t.checked_add(srv.now_ms),
    };
    let target = WaitAcks {
        offset,
        numreplicas,
    };
    srv.block_for_replicas(c, deadline, target);
}

/// Answers the WAIT clients whose offset enough replicas acknowledged
/// (Redis's processClientsWaitingReplicas; from before_sleep while any wait).
///
/// Newest waiter first, as Redis walks its list (clients are added at its
/// head); like Redis, a waiter asking for no more than the last one served,
/// at an offset no later than its, gets that one's count without a recount.
pub fn process_clients_waiting_replicas(srv: &mut Server) {
    let mut last: Option<(u64, usize)> = None;
    let waiting: Vec<usize> = srv.blocking.waiting_acks.iter().rev().copied().collect();
    for token in waiting {
        let Some(target) = srv
            .clients
            .get(token)
            .and_then(|c| c.blocked.as_ref())
            .and_then(|b| b.wait)
        else {
            continue;
        };
        let acks = match last {
            Some((off, n)) if off > 0 && off >= target.offset && n as i64 >= target.numreplicas => {
                n
            }
            _ => {
                let n = count_acks_by_offset(srv, target.offset);
                if (n as i64) < target.numreplicas {
                    continue;
                }
                last = Some((target.offset, n));
                n
            }
        };
        srv.with_client(token, |srv, c| {
            srv.unblock_client(c);
            c.add_int(acks as i64);
            srv.schedule_write(c);
        });
    }
}

/// Sends `REPLCONF GETACK *` into the stream when a client started waiting
/// since the last time (Redis's sendGetackToReplicas from beforeSleep), unless
/// clients are paused.
pub fn send_getack_if_needed(srv: &mut Server) {
    if !srv.repl.get_ack_from_replicas {
        return;
    }
    if srv.pause.is_some() && crate::pause::in_force(srv) {
        return;
    }
    srv.repl.get_ack_from_replicas = false;
    super::feed_no_select(
        srv,
        &[
            Bytes::from_static(b"REPLCONF"),
            Bytes::from_static(b"GETACK"),
            Bytes::from_static(b"*"),
        ],
    );
}
