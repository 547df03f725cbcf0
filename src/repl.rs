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
//!         a RESP multibulk appended to `buffer`; `master_repl_offset` grows
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

pub mod master;
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
    /// The backlog exists (since the first replica attached): the stream is
    /// produced from then on.
    pub backlog_active: bool,
    /// master_repl_offset when the backlog was created.
    pub backlog_start: u64,
    /// Replica clients (tokens), in attach order.
    pub replicas: Vec<usize>,
    /// Snapshots being serialised for replicas, and the last job id given.
    pub syncs: Vec<master::SyncJob>,
    pub next_job: u64,
    /// Wall-clock ms of the last replication cron run, and how many runs there
    /// were (the PING goes out when that count is a multiple of the period).
    pub last_cron_ms: i64,
    pub cron_loops: u64,
    /// Full resyncs served (INFO sync_full).
    pub sync_full: u64,
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
        (self.backlog_active || self.aof_on) && !self.suppressed
    }
}

/// Drops the backlog's history and restarts it at `offset` (a replica after
/// a full sync: its stream continues the master's from there).
pub fn reset_backlog(srv: &mut Server, offset: u64) {
    let r = &mut srv.repl;
    r.buffer.clear();
    r.master_repl_offset = offset;
    r.backlog_active = true;
    r.backlog_start = offset;
    r.slaveseldb = -1;
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
    let r = &mut srv.repl;
    if !r.backlog_active || r.suppressed {
        return;
    }
    let start = r.buffer.len();
    if r.slaveseldb != db as i64 {
        let id = db.to_string();
        encode(&mut r.buffer, &[b"SELECT", id.as_bytes()]);
        r.slaveseldb = db as i64;
    }
    encode(&mut r.buffer, argv);
    r.master_repl_offset += (r.buffer.len() - start) as u64;
}

/// Feeds a command without changing the selected db (the replication PING).
pub fn feed_no_select(srv: &mut Server, argv: &[Bytes]) {
    let r = &mut srv.repl;
    if !r.backlog_active {
        return;
    }
    let start = r.buffer.len();
    encode(&mut r.buffer, argv);
    r.master_repl_offset += (r.buffer.len() - start) as u64;
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
