//! Propagation and the master side of replication (Redis's `call()` propagation,
//! `alsoPropagate`, `propagatePendingCommands` and replication.c).
//!
//! ```text
//!   call() ── handler ──> dirty moved? ──> also_propagate(db, argv | rewritten)
//!      │                                        │
//!      │  lazy-expired keys: DEL/UNLINK         v
//!      │  (inside EXEC: queued, else now)    pending ops (one execution unit)
//!      v                                        │ top-level call() ends
//!   propagate_pending: 1 op as is, several wrapped in MULTI ... EXEC
//!      │
//!      v
//!   feed: SELECT when the db differs from the last one fed, then the command as
//!         a RESP multibulk appended to `buffer` and to the backlog (the blocks
//!         PSYNC continues from, repl/backlog.rs); `master_repl_offset` grows
//!      │  before_sleep
//!      v
//!   replicas (repl/master.rs): online ones get it in their output buffer, the
//!   ones still waiting for their RDB keep it until the RDB is sent
//! ```
//!
//! Handlers never write the stream: a non-deterministic command says what it
//! did in deterministic terms with [`rewrite`] (Redis's
//! rewriteClientCommandVector: the argv propagated instead of its own), adds
//! extra commands with [`also_propagate`], asks for propagation without a change
//! of `dirty` with [`force`] (FLUSHALL on empty databases, PUBLISH), or
//! suppresses its own argv with [`prevent`] (SPOP with a count, which propagates
//! SREMs). Nothing is produced until a replica has attached (no backlog, as in
//! Redis) or the AOF is on, so the common path costs one branch. The same
//! stream feeds the AOF (persist/aof.rs), with a SELECT state of its own.

pub mod backlog;
pub mod master;
pub mod replica;
pub mod wait;

use bytes::Bytes;

use crate::client::Client;
use crate::server::Server;

/// What one call() asked about its own propagation.
#[derive(Default)]
pub struct CallProp {
    rewritten: Option<Vec<Bytes>>,
    force: bool,
    prevent: bool,
    /// The command may lazily expire arbitrary keys (SCAN, RANDOMKEY): run at
    /// the top level, its unit is not wrapped in MULTI/EXEC (Redis's
    /// CMD_TOUCHES_ARBITRARY_KEYS), like the active expire cycle's DELs.
    no_multi: bool,
}

/// Propagation and replication state (on the server).
#[derive(Default)]
pub struct Repl {
    /// The current call's requests (saved and restored around nested calls).
    cur: CallProp,
    /// Commands to propagate at the end of the execution unit (also_propagate).
    pending: Vec<(usize, Vec<Bytes>)>,
    /// Stream produced since before_sleep last handed it to the replicas.
    pub buffer: Vec<u8>,
    /// Bytes of stream produced so far (INFO master_repl_offset).
    pub master_repl_offset: u64,
    /// The db of the last SELECT in the stream; -1 forces a SELECT.
    pub slaveseldb: i64,
    /// The backlog (since the first replica attached, until
    /// `repl-backlog-ttl` without replicas): the stream is produced while it
    /// exists, and every byte of it is kept here too, for PSYNC. Its next
    /// byte's offset is always `master_repl_offset + 1`.
    pub backlog: Option<backlog::Backlog>,
    /// Replica clients (tokens), in attach order.
    pub replicas: Vec<usize>,
    /// Snapshots being serialised for replicas, and the last job id given.
    pub syncs: Vec<master::SyncJob>,
    pub next_job: u64,
    /// Wall-clock ms of the last replication cron run, and how many runs there
    /// were (the PING goes out when that count is a multiple of the period).
    pub last_cron_ms: i64,
    pub cron_loops: u64,
    /// Full resyncs served, partial resyncs accepted, and PSYNCs naming a
    /// history that could not be continued (INFO sync_full,
    /// sync_partial_ok, sync_partial_err).
    pub sync_full: u64,
    pub sync_partial_ok: u64,
    pub sync_partial_err: u64,
    /// When the last replica went away, in ms (repl-backlog-ttl); 0 = never.
    pub no_replicas_since: i64,
    /// `min-replicas-to-write` and `min-replicas-max-lag`, and how many online
    /// replicas acknowledged within that lag at the last refresh (Redis's
    /// repl_good_slaves_count; repl/master.rs).
    pub min_replicas_to_write: i64,
    pub min_replicas_max_lag: i64,
    pub good_replicas: usize,
    /// The AOF is on: the stream is produced for it too (persist/aof.rs).
    pub aof_on: bool,
    /// A client started waiting in WAIT: before_sleep sends `REPLCONF GETACK *`
    /// into the stream, once for all of this iteration's waiters (Redis's
    /// get_ack_from_slaves).
    pub get_ack_from_replicas: bool,
    /// A dataset is loading (the AOF loader runs commands): nothing is
    /// propagated, as Redis's alsoPropagate returns while loading.
    pub suppressed: bool,
}

impl Repl {
    pub fn new() -> Repl {
        Repl {
            slaveseldb: -1,
            ..Default::default()
        }
    }

    /// True when propagated commands are produced (a backlog or the AOF
    /// exists, and no dataset is loading).
    #[inline]
    pub fn enabled(&self) -> bool {
        (self.backlog.is_some() || self.aof_on) && !self.suppressed
    }

    /// The backlog exists (INFO repl_backlog_active).
    #[inline]
    pub fn backlog_active(&self) -> bool {
        self.backlog.is_some()
    }

    /// Counts one command just encoded at `start` in `buffer` from `argv`:
    /// into the backlog and `master_repl_offset`. The backlog gets it in the
    /// pieces Redis's replicationFeedSlaves feeds (`*N`, then `$len`, the
    /// argument and CRLF for each), because its block sizes follow the pieces.
    fn appended<A: AsRef<[u8]>>(&mut self, start: usize, argv: &[A]) {
        let all = &self.buffer[start..];
        self.master_repl_offset += all.len() as u64;
        let Some(b) = self.backlog.as_mut() else {
            return;
        };
        let digits = |n: usize| n.checked_ilog10().unwrap_or(0) as usize + 1;
        let mut at = digits(argv.len()) + 3;
        b.feed(&all[..at]);
        for a in argv {
            let len = a.as_ref().len();
            for n in [digits(len) + 3, len, 2] {
                b.feed(&all[at..at + n]);
                at += n;
            }
        }
        debug_assert_eq!(at, all.len());
    }

    /// Counts stream bytes appended at `start` as one piece (a SELECT, as
    /// Redis feeds its shared SELECT command whole, or the stream proxied
    /// from a master).
    fn appended_whole(&mut self, start: usize) {
        let new = &self.buffer[start..];
        if let Some(b) = self.backlog.as_mut() {
            b.feed(new);
        }
        self.master_repl_offset += new.len() as u64;
    }
}

/// An empty backlog whose next byte is `master_repl_offset + 1`
/// (createReplicationBacklog), of `repl-backlog-size` bytes.
pub fn create_backlog(srv: &mut Server) {
    let size = srv.config.repl_backlog_size as usize;
    srv.repl.backlog = Some(backlog::Backlog::new(size, srv.repl.master_repl_offset + 1));
}

/// Drops the backlog's history and restarts it at `offset` (a replica after
/// a full sync: its stream continues the master's from there, and the next
/// byte is `offset + 1`). The backlog exists afterwards, empty.
pub fn reset_backlog(srv: &mut Server, offset: u64) {
    srv.repl.buffer.clear();
    srv.repl.master_repl_offset = offset;
    create_backlog(srv);
    srv.repl.slaveseldb = -1;
}

/// CONFIG SET repl-backlog-size: at least 16 KB, as Redis's
/// resizeReplicationBacklog raises it (CONFIG GET then shows the raised
/// value); the backlog keeps its newest bytes.
pub fn resize_backlog(srv: &mut Server) {
    const MIN_SIZE: u64 = 16 * 1024;
    if srv.config.repl_backlog_size < MIN_SIZE {
        srv.config.repl_backlog_size = MIN_SIZE;
    }
    let size = srv.config.repl_backlog_size as usize;
    if let Some(b) = srv.repl.backlog.as_mut() {
        if b.size() != size {
            b.resize(size);
        }
    }
}

/// A promotion (REPLICAOF NO ONE, FAILOVER): the current ID becomes the
/// secondary one, valid up to the current offset, and a new ID starts, so
/// that the old master's other replicas can continue with PSYNC (Redis's
/// shiftReplicationId).
pub fn shift_replication_id(srv: &mut Server) {
    srv.master_replid2 = std::mem::replace(&mut srv.master_replid, master::new_replid());
    srv.second_replid_offset = srv.repl.master_repl_offset as i64 + 1;
    log::info!(
        "Setting secondary replication ID to {}, valid up to offset: {}. New replication ID is {}",
        srv.master_replid2,
        srv.second_replid_offset,
        srv.master_replid
    );
}

/// The command propagates `argv` instead of its own (rewriteClientCommandVector).
/// `make` runs only when a stream is produced.
#[inline]
pub fn rewrite(srv: &mut Server, make: impl FnOnce() -> Vec<Bytes>) {
    if srv.repl.enabled() {
        srv.repl.cur.rewritten = Some(make());
    }
}

/// Adds a command to the current execution unit (alsoPropagate).
#[inline]
pub fn also_propagate(srv: &mut Server, db: usize, make: impl FnOnce() -> Vec<Bytes>) {
    if srv.repl.enabled() {
        srv.repl.pending.push((db, make()));
    }
}

/// The command propagates its (possibly rewritten) argv even if it changed
/// nothing (forceCommandPropagation).
#[inline]
pub fn force(srv: &mut Server) {
    srv.repl.cur.force = true;
}

/// The command's own argv is not propagated (preventCommandPropagation).
#[inline]
pub fn prevent(srv: &mut Server) {
    srv.repl.cur.prevent = true;
}

/// The current command's execution unit goes out without a MULTI/EXEC wrapper
/// when it is the top-level command (see `CallProp::no_multi`).
#[inline]
pub fn no_multi(srv: &mut Server) {
    srv.repl.cur.no_multi = true;
}

/// Shorthand for building an argv from static and dynamic parts.
pub fn argv<const N: usize>(parts: [&[u8]; N]) -> Vec<Bytes> {
    parts.iter().map(|p| Bytes::copy_from_slice(p)).collect()
}

/// `DEL key` or `UNLINK key` (Redis's propagateDeletion and the rewrites that
/// follow `lazyfree-lazy-expire`).
pub fn del_argv(lazy: bool, key: &Bytes) -> Vec<Bytes> {
    let name: &'static [u8] = if lazy { b"UNLINK" } else { b"DEL" };
    vec![Bytes::from_static(name), key.clone()]
}

/// Start of a call(): the state of the enclosing call is handed back to
/// [`end_call`].
#[inline]
pub fn begin_call(srv: &mut Server) -> CallProp {
    std::mem::take(&mut srv.repl.cur)
}

/// End of a call(), after the handler (`Server::call_depth` already back to
/// the caller's): propagates the keys the command found expired and the
/// command itself when it changed something (or forced it), then, at the top
/// level, the execution unit.
pub fn end_call(srv: &mut Server, c: &Client, dirty_before: u64, is_exec: bool, outer: CallProp) {
    let cur = std::mem::replace(&mut srv.repl.cur, outer);
    if !srv.repl.enabled() {
        return;
    }
    if srv.dbs[0].events.get() & crate::db::events::EXPIRED != 0 {
        propagate_expired(srv, true);
    }
    let changed = srv.dirty != dirty_before || cur.force;
    if changed && !cur.prevent && !is_exec {
        let argv = cur.rewritten.unwrap_or_else(|| c.argv.clone());
        srv.repl.pending.push((c.db, argv));
    }
    if srv.call_depth == 0 {
        propagate_ops(srv, !cur.no_multi);
    }
}

/// Propagates DEL (UNLINK with lazyfree-lazy-expire) for every key the
/// databases expired since their `expired_keys` were last cleared. Keys a
/// command found expired join its execution unit, ahead of the command itself
/// (Redis 7.0's deleteExpiredKeyAndPropagate goes through alsoPropagate); the
/// active expire cycle (`in_call` false) sends each one on its own.
pub fn propagate_expired(srv: &mut Server, in_call: bool) {
    if !srv.repl.enabled() {
        return;
    }
    let lazy = srv.config.lazyfree_lazy_expire;
    for id in 0..srv.dbs.len() {
        if srv.dbs[id].expired_keys.is_empty() {
            continue;
        }
        let keys = srv.dbs[id].expired_keys.clone();
        for k in &keys {
            let argv = del_argv(lazy, k);
            if in_call {
                srv.repl.pending.push((id, argv));
            } else {
                feed(srv, id, &argv);
            }
        }
    }
}

/// Redis's propagatePendingCommands: one command goes out as is, several are
/// wrapped in MULTI/EXEC (MULTI with the first one's db, EXEC with the last's).
pub fn propagate_pending(srv: &mut Server) {
    propagate_ops(srv, true);
}

/// The pending ops, wrapped in MULTI/EXEC when there are several and `may_wrap`.
fn propagate_ops(srv: &mut Server, may_wrap: bool) {
    if srv.repl.pending.is_empty() {
        return;
    }
    let ops = std::mem::take(&mut srv.repl.pending);
    let wrap = may_wrap && ops.len() > 1;
    if wrap {
        feed(srv, ops[0].0, &[Bytes::from_static(b"MULTI")]);
    }
    for (db, argv) in &ops {
        feed(srv, *db, argv);
    }
    if wrap {
        let last = ops[ops.len() - 1].0;
        feed(srv, last, &[Bytes::from_static(b"EXEC")]);
    }
}

/// Appends one command (after a SELECT when the db changes) to the stream
/// (replicationFeedSlaves).
pub fn feed(srv: &mut Server, db: usize, argv: &[Bytes]) {
    if srv.aof.feeding() && !srv.repl.suppressed {
        let ts = srv.config.aof_timestamp_enabled;
        srv.aof.feed(db, argv, ts, srv.now_ms / 1000);
    }
    // A replica's own replicas get its master's stream verbatim
    // (replica::after_command), not what its commands propagate.
    if srv.master.is_some() {
        return;
    }
    let r = &mut srv.repl;
    if r.backlog.is_none() || r.suppressed {
        return;
    }
    if r.slaveseldb != db as i64 {
        let start = r.buffer.len();
        let id = db.to_string();
        encode(&mut r.buffer, &[b"SELECT", id.as_bytes()]);
        r.appended_whole(start);
        r.slaveseldb = db as i64;
    }
    let start = r.buffer.len();
    encode(&mut r.buffer, argv);
    r.appended(start, argv);
}

/// Feeds a command without changing the selected db (the replication PING).
pub fn feed_no_select(srv: &mut Server, argv: &[Bytes]) {
    let r = &mut srv.repl;
    if r.backlog.is_none() {
        return;
    }
    let start = r.buffer.len();
    encode(&mut r.buffer, argv);
    r.appended(start, argv);
}

/// Appends bytes to the stream as they are (a replica passing on the stream
/// it reads from its master to its own replicas and backlog, Redis's
/// replicationFeedStreamFromMasterStream).
pub fn feed_raw(srv: &mut Server, data: &[u8]) {
    let r = &mut srv.repl;
    if r.backlog.is_none() {
        // The offset is the master's, backlog or not.
        r.master_repl_offset += data.len() as u64;
        return;
    }
    let start = r.buffer.len();
    r.buffer.extend_from_slice(data);
    r.appended_whole(start);
}

/// RESP multibulk of `argv`.
pub fn encode<A: AsRef<[u8]>>(out: &mut Vec<u8>, argv: &[A]) {
    out.push(b'*');
    out.extend_from_slice(argv.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    for a in argv {
        let a = a.as_ref();
        out.push(b'$');
        out.extend_from_slice(a.len().to_string().as_bytes());
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests;
