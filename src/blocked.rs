//! Blocking operations (Redis's blocked.c): clients waiting for keys (BLPOP and
//! friends) or for a timeout.
//!
//! A blocking command first tries to serve itself; when it cannot, it calls
//! [`Server::block_for_keys`], which records the command and registers the client
//! in a FIFO queue per (db, key). Creating a key that someone waits for marks it
//! ready (`Db::signal_if_blocked`); after every command the server re-runs the
//! waiting commands of ready keys in FIFO order ([`Server::handle_blocked_on_keys`]).
//! A blocking handler that serves its client calls [`Server::unblock_client`]
//! (a no-op when the client was not blocked); a re-run that still finds nothing
//! calls `block_for_keys` again, which leaves the client where it was in the
//! queue. Timeouts are kept in an ordered set and fired from the event loop.
//!
//! WAIT blocks without keys ([`Server::block_for_replicas`]): its client is
//! listed in `waiting_acks` and answered by repl/wait.rs with a count of
//! replicas, never re-run; a timeout, CLIENT UNBLOCK and a disconnection go
//! through the same paths as for keys.
//!
//! Streams add two things (Redis's serveClientsBlockedOnStreamKey): an XADD to
//! an existing stream marks it ready too, and so does the deletion or the
//! overwrite of a key someone waits for (`Db` signals those), because a
//! blocked XREADGROUP is then answered with an error; the re-run of such a
//! key goes to the XREADGROUP clients only when the key is gone.

use std::collections::{BTreeSet, HashMap, VecDeque};

use bytes::Bytes;

use crate::client::blocked::{BlockState, TimeoutReply, WaitAcks};
use crate::client::Client;
use crate::error;
use crate::server::Server;

/// The server's side of blocking: FIFO queues and timeouts.
#[derive(Default)]
pub struct Blocking {
    /// (db, key) -> client tokens in arrival order.
    pub queues: HashMap<(usize, Bytes), VecDeque<usize>>,
    /// (deadline ms, client id, token) of clients with a timeout.
    pub timeouts: BTreeSet<(i64, u64, usize)>,
    /// Clients unblocked since the last before_sleep, whose pending input must
    /// now be processed.
    pub unblocked: Vec<usize>,
    /// Number of blocked clients (INFO blocked_clients).
    pub count: usize,
    /// Clients blocked in WAIT, in arrival order (Redis's clients_waiting_acks).
    pub waiting_acks: Vec<usize>,
}

impl Blocking {
    /// [`Server::unblock_client`] with the parts of the server it needs, so a
    /// command can unblock another client in the slab (CLIENT UNBLOCK).
    pub fn unblock(&mut self, dbs: &mut [crate::db::Db], c: &mut Client) {
        let Some(b) = c.blocked.take() else { return };
        for k in &b.keys {
            let qk = (b.db, k.clone());
            if let Some(q) = self.queues.get_mut(&qk) {
                q.retain(|&t| t != c.token);
                if q.is_empty() {
                    self.queues.remove(&qk);
                }
            }
            let db = &mut dbs[b.db];
            if let Some(n) = db.blocking_keys.get_mut(k) {
                *n -= 1;
                if *n == 0 {
                    db.blocking_keys.remove(k);
                }
            }
        }
        if b.wait.is_some() {
            self.waiting_acks.retain(|&t| t != c.token);
        }
        if let Some(d) = b.deadline {
            self.timeouts.remove(&(d, c.id, c.token));
        }
        self.count -= 1;
        self.unblocked.push(c.token);
    }
}

/// Parses a blocking timeout in seconds (may be fractional) into an absolute
/// deadline, as Redis's getTimeoutFromObjectOrReply. Ok(None) means forever.
pub fn parse_timeout(arg: &[u8], now_ms: i64) -> Result<Option<i64>, &'static str> {
    let v = crate::util::number::LongDouble::parse(arg)
        .ok_or("ERR timeout is not a float or out of range")?;
    // C's (long long) cast of an out-of-range value yields LLONG_MIN on x86-64,
    // so `inf` and huge values end up "negative", exactly as in Redis.
    let f = v.to_f64() * 1000.0;
    let ms = if f.is_finite() && f > -9.223_372_036_854_776e18 && f < 9.223_372_036_854_776e18 {
        f as i64
    } else {
        i64::MIN
    };
    if ms < 0 {
        return Err(error::TIMEOUT_NEGATIVE);
    }
    if ms == 0 {
        return Ok(None);
    }
    if ms > i64::MAX - now_ms {
        return Err("ERR timeout is out of range");
    }
    Ok(Some(ms + now_ms))
}

impl Server {
    /// Blocks the client on `keys` (in its current db). Calling it again for a
    /// client that is already blocked (a re-run that found nothing) changes nothing.
    pub fn block_for_keys(
        &mut self,
        c: &mut Client,
        keys: &[Bytes],
        deadline: Option<i64>,
        timeout_reply: TimeoutReply,
    ) {
        if c.blocked.is_some() {
            return;
        }
        let db = c.db;
        let mut uniq: Vec<Bytes> = Vec::with_capacity(keys.len());
        for k in keys {
            if !uniq.contains(k) {
                uniq.push(k.clone());
            }
        }
        for k in &uniq {
            self.blocking
                .queues
                .entry((db, k.clone()))
                .or_default()
                .push_back(c.token);
            *self.dbs[db].blocking_keys.entry(k.clone()).or_insert(0) += 1;
        }
        if let Some(d) = deadline {
            self.blocking.timeouts.insert((d, c.id, c.token));
        }
        self.blocking.count += 1;
        c.blocked = Some(Box::new(BlockState {
            db,
            keys: uniq,
            deadline,
            timeout_reply,
            argv: c.argv.clone(),
            ready: None,
            wait: None,
        }));
    }

    /// Blocks the client in WAIT until `target` is acknowledged or `deadline`
    /// (Redis's waitCommand: blockClient(c, BLOCKED_WAIT)), and asks the
    /// replicas for an ACK before the loop sleeps.
    pub fn block_for_replicas(&mut self, c: &mut Client, deadline: Option<i64>, target: WaitAcks) {
        if c.blocked.is_some() {
            return;
        }
        if let Some(d) = deadline {
            self.blocking.timeouts.insert((d, c.id, c.token));
        }
        self.blocking.count += 1;
        self.blocking.waiting_acks.push(c.token);
        c.blocked = Some(Box::new(BlockState {
            db: c.db,
            keys: Vec::new(),
            deadline,
            timeout_reply: TimeoutReply::ReplicaCount,
            argv: c.argv.clone(),
            ready: None,
            wait: Some(target),
        }));
        self.repl.get_ack_from_replicas = true;
    }

    /// What a WAIT client would be answered now: the replicas that
    /// acknowledged its offset (0 for a client not blocked in WAIT).
    pub fn wait_acks_now(&self, c: &Client) -> usize {
        match c.blocked.as_ref().and_then(|b| b.wait) {
            Some(w) => crate::repl::wait::count_acks_by_offset(self, w.offset),
            None => 0,
        }
    }

    /// Removes every registration of a blocked client (served, timed out, killed,
    /// disconnected). Pending input is processed later from `unblocked`.
    pub fn unblock_client(&mut self, c: &mut Client) {
        self.blocking.unblock(&mut self.dbs, c);
    }

    /// Replies to a blocked client as if its timeout fired, and unblocks it.
    pub fn reply_blocked_timeout(&mut self, c: &mut Client) {
        let acks = self.wait_acks_now(c);
        c.add_blocked_timeout_reply(acks);
        self.unblock_client(c);
    }

    /// Serves clients blocked on keys that became ready, in FIFO order per key.
    /// Runs until no key is ready (serving one client may make another key ready,
    /// e.g. BLMOVE pushing to a list someone else waits for).
    pub fn handle_blocked_on_keys(&mut self) {
        loop {
            let mut ready: Vec<(usize, Bytes)> = Vec::new();
            for db in &mut self.dbs {
                for k in db.ready_keys.drain(..) {
                    if !ready.iter().any(|(d, kk)| *d == db.id && *kk == k) {
                        ready.push((db.id, k));
                    }
                }
            }
            if ready.is_empty() {
                let ev = self.dbs[0].events.get();
                self.dbs[0].events.set(ev & !crate::db::events::READY);
                return;
            }
            for (db, key) in ready {
                let Some(q) = self.blocking.queues.get(&(db, key.clone())) else {
                    continue;
                };
                let waiting: Vec<usize> = q.iter().copied().collect();
                for token in waiting {
                    // A missing key serves nobody, except that the XREADGROUP
                    // readers of a deleted stream are told their group went
                    // with it (Redis's unblockDeletedStreamReadgroupClients).
                    if !self.dbs[db].contains(&key) && !self.blocked_in_group(token) {
                        continue;
                    }
                    self.rerun_blocked(token, &key);
                }
                // The check may have found the key expired (SWAPDB brings in
                // stale keys): no command runs to propagate its DEL, so it goes
                // out now, as in Redis's handleClientsBlockedOnKeys.
                if self.dbs[db].expired_keys.contains(&key) {
                    self.expired_outside_command();
                }
            }
        }
    }

    /// True when the client `token` is blocked in XREADGROUP.
    fn blocked_in_group(&self, token: usize) -> bool {
        self.clients
            .get(token)
            .and_then(|c| c.blocked.as_ref())
            .is_some_and(|b| b.is_stream_group_read())
    }

    /// Re-runs a blocked client's command (the handler unblocks it if served) and
    /// schedules its output.
    fn rerun_blocked(&mut self, token: usize, key: &Bytes) {
        self.with_client(token, |srv, c| {
            if let Some(b) = c.blocked.as_mut() {
                b.ready = Some(key.clone());
            }
            srv.rerun_current(c);
            if let Some(b) = c.blocked.as_mut() {
                b.ready = None;
            }
        });
    }

    fn rerun_current(&mut self, c: &mut Client) {
        if let Some(b) = &c.blocked {
            // The command passed process_command's checks when it first ran;
            // serving it is only its call.
            if let Ok(id) = self.commands.lookup(&b.argv) {
                let saved_db = c.db;
                c.db = b.db;
                c.argv = b.argv.clone();
                c.flags |= crate::client::flags::RERUN;
                crate::cmd::call(self, c, id);
                c.flags &= !crate::client::flags::RERUN;
                c.reset_argv();
                c.db = saved_db;
            }
        }
        self.schedule_write(c);
    }

    /// Fires the timeouts that are due. Returns the next deadline, if any.
    pub fn handle_blocked_timeouts(&mut self, now_ms: i64) -> Option<i64> {
        while let Some(&(d, id, token)) = self.blocking.timeouts.iter().next() {
            if d > now_ms {
                return Some(d);
            }
            self.blocking.timeouts.remove(&(d, id, token));
            self.with_client(token, |srv, c| {
                if c.id == id && c.blocked.is_some() {
                    srv.reply_blocked_timeout(c);
                    srv.schedule_write(c);
                }
            });
        }
        None
    }
}
