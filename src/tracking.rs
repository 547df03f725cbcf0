//! Client-side caching (Redis's tracking.c): CLIENT TRACKING remembers which
//! clients may hold which keys and sends them invalidation messages when the keys
//! change.
//!
//! ```text
//!  call(): handler ──> Db::touch() / expiry / Db::clear() record (key, by_expiry)
//!          │           in Db::tracking_keys / tracking_flushed (only while
//!          │           `Db::tracking` is on: one bool test otherwise)
//!          └─> after_call(): drain those records ──> invalidate ──> remember the
//!                                                                  keys a read-only
//!              Server::after_command() ─> pending self-invalidations
//!  call() before the handler, cron ─> limit::limit_used_slots (max keys)
//!  call() after its evictions ─> after_evictions(): sent before the reply
//!  reactor before_sleep ─> before_sleep(): BCAST messages of the iteration
//! ```
//!
//! - Default mode: the keys a tracking client reads go into `table` (key -> ids);
//!   when a key changes every id in its entry gets one invalidation and the entry is
//!   dropped. Entries are removed lazily: a client that turns tracking off stays in
//!   the table, and gets messages again if it turns tracking back on (as in Redis).
//! - `tracking-table-max-keys`: past the limit random keys leave the table, with
//!   an invalidation to their clients (limit.rs; the table itself is table.rs).
//! - BCAST mode: modified keys matching a registered prefix are collected per prefix
//!   and sent as one message per prefix and client in `before_sleep`, once per
//!   event-loop iteration, as Redis does.
//! - Delivery: RESP3 gets a push `>2 invalidate <keys>`; with REDIRECT the message
//!   goes to the other client (a RESP2 one gets it as a pub/sub `message` on
//!   `__redis__:invalidate`); a flush sends a null instead of the keys.
//! - Ordering as Redis: an invalidation for the running client itself (its own
//!   write, or a key that expired during its read) is sent after its reply (Redis's
//!   tracking_pending_keys) and not at all with NOLOOP; others are sent at once, so
//!   a running client that receives one as a redirect target gets it before its
//!   reply. BCAST NOLOOP leaves out the keys the client itself modified last.

mod limit;
mod table;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bytes::Bytes;

use crate::client::registry::Clients as Registry;
use crate::client::tracking::flags;
use crate::client::{flags as cflags, Client};
use crate::server::Server;

/// Pub/sub channel that RESP2 redirect clients receive invalidations on.
pub const CHANNEL: &[u8] = b"__redis__:invalidate";

/// Keys modified under one BCAST prefix since the last broadcast, and the clients
/// registered for it.
#[derive(Default)]
struct Bcast {
    /// key -> id of the client that modified it last (None: expiry).
    keys: BTreeMap<Bytes, Option<u64>>,
    clients: BTreeSet<u64>,
}

/// What an invalidation says.
enum Payload<'a> {
    Key(&'a [u8]),
    /// A ready RESP array of keys (BCAST).
    Proto(&'a [u8]),
    /// Everything (FLUSHDB/FLUSHALL).
    Null,
}

/// The server-wide tracking state.
#[derive(Default)]
pub struct Tracking {
    /// key -> ids of the clients that may cache it.
    table: table::KeyTable,
    /// `tracking-table-max-keys` (0: no limit).
    pub max_keys: u64,
    /// Consecutive limit runs that ended still over the limit (Redis's static
    /// timeout_counter in trackingLimitUsedSlots): each run's effort grows with it.
    limit_runs: u64,
    prefixes: BTreeMap<Bytes, Bcast>,
    /// Tracking clients: id -> slab token.
    clients: HashMap<u64, usize>,
    /// Invalidations for the running client's own writes, sent after its command
    /// (None: a flush).
    pending: Vec<Option<Bytes>>,
    /// True while there is anything to track: the databases record changes.
    active: bool,
}

impl Tracking {
    /// True while key changes must be recorded.
    #[inline]
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// Clients with tracking on (INFO tracking_clients).
    pub fn tracking_clients(&self) -> usize {
        self.clients.len()
    }

    /// Keys in the tracking table (INFO tracking_total_keys).
    pub fn total_keys(&self) -> usize {
        self.table.len()
    }

    /// Client ids across the tracking table (INFO tracking_total_items).
    pub fn total_items(&self) -> u64 {
        self.table.total_items()
    }

    /// BCAST prefixes (INFO tracking_total_prefixes).
    pub fn total_prefixes(&self) -> usize {
        self.prefixes.len()
    }
}

/// Recomputes whether the databases must record key changes.
fn refresh_active(srv: &mut Server) {
    let t = &srv.tracking;
    let active = !t.clients.is_empty() || !t.table.is_empty() || !t.prefixes.is_empty();
    if active != t.active {
        srv.tracking.active = active;
        for db in &mut srv.dbs {
            db.tracking = active;
            db.tracking_keys.clear();
            db.tracking_flushed = false;
        }
    }
}

// ---------------------------------------------------------------------------------
// Turning tracking on and off
// ---------------------------------------------------------------------------------

/// Whether two prefixes would invalidate the same key (one starts the other).
fn prefixes_overlap(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// A prefix as C's `%s` prints it: up to the first NUL.
fn c_str(b: &[u8]) -> &[u8] {
    crate::error::c_str(b, usize::MAX)
}

/// "Prefix 'p' overlaps with <which> prefix 'q'", the prefixes as sent.
fn overlap_error(p: &[u8], which: &str, q: &[u8]) -> Vec<u8> {
    [
        &b"ERR Prefix '"[..],
        c_str(p),
        b"' overlaps with ",
        which.as_bytes(),
        b" prefix '",
        c_str(q),
        b"'. Prefixes for a single client must not overlap.",
    ]
    .concat()
}

/// Outcome of the BCAST prefix check.
pub enum PrefixCheck {
    Ok,
    /// Refused with this error.
    Refused(Vec<u8>),
    /// Redis 7.0 replies with this error and then enables tracking anyway (and
    /// replies +OK too): its overlap check reports an overlap among the given
    /// prefixes as success unless it involves the first one.
    ErrorThenEnable(Vec<u8>),
}

/// Redis's checkPrefixCollisionsOrReply: no new prefix may overlap an existing one
/// or another new one.
pub fn check_prefixes(c: &Client, new: &[Bytes]) -> PrefixCheck {
    let existing = c.tracking.as_ref().map(|t| &t.prefixes);
    for (i, p) in new.iter().enumerate() {
        if let Some(ex) = existing {
            if let Some(e) = ex.iter().find(|e| prefixes_overlap(e, p)) {
                return PrefixCheck::Refused(overlap_error(p, "an existing", e));
            }
        }
        if let Some(q) = new[i + 1..].iter().find(|q| prefixes_overlap(p, q)) {
            let msg = overlap_error(p, "another provided", q);
            return if i == 0 {
                PrefixCheck::Refused(msg)
            } else {
                PrefixCheck::ErrorThenEnable(msg)
            };
        }
    }
    PrefixCheck::Ok
}

/// Turns tracking on (or changes its options) for `c`: Redis's enableTracking.
/// `options` are BCAST/OPTIN/OPTOUT/NOLOOP; the caller has validated them.
pub fn enable(
    srv: &mut Server,
    c: &mut Client,
    redirect: u64,
    redirect_token: usize,
    options: u32,
    prefixes: &[Bytes],
) {
    let t = c.tracking.get_or_insert_with(Default::default);
    // CACHING survives a re-enable, as in Redis; the mode flags are replaced.
    t.flags &= flags::CACHING;
    t.flags |= options & (flags::OPTIN | flags::OPTOUT | flags::NOLOOP);
    t.redirect = redirect;
    t.redirect_token = redirect_token;
    srv.tracking.clients.insert(c.id, c.token);
    if options & flags::BCAST != 0 {
        t.flags |= flags::BCAST;
        let empty = [Bytes::new()];
        let list = if prefixes.is_empty() {
            &empty[..]
        } else {
            prefixes
        };
        for p in list {
            let bs = srv.tracking.prefixes.entry(p.clone()).or_default();
            if bs.clients.insert(c.id) {
                t.prefixes.insert(p.clone());
            }
        }
    }
    refresh_active(srv);
}

/// Turns tracking off for `c` (CLIENT TRACKING OFF, RESET, client freed). Its ids
/// stay in the key table until those keys change.
pub fn disable(srv: &mut Server, c: &mut Client) {
    let Some(t) = c.tracking.take() else {
        return;
    };
    for p in &t.prefixes {
        if let Some(bs) = srv.tracking.prefixes.get_mut(p) {
            bs.clients.remove(&c.id);
            if bs.clients.is_empty() {
                srv.tracking.prefixes.remove(p);
            }
        }
    }
    srv.tracking.clients.remove(&c.id);
    refresh_active(srv);
}

/// Forgets a client that is being freed.
pub fn client_freed(srv: &mut Server, c: &mut Client) {
    disable(srv, c);
}

// ---------------------------------------------------------------------------------
// Delivery
// ---------------------------------------------------------------------------------

/// Access to every client during a drain: the current one (`cur`, running a
/// command or about to) from the caller, every other one in the slab
/// (client/registry.rs), so each message is delivered when it is produced.
struct Clients<'a> {
    reg: &'a mut Registry,
    cur: Option<&'a mut Client>,
    /// Where in the running client's output "now" is: the start of its reply.
    mark: usize,
    /// Tokens of other clients that got output.
    written: Vec<usize>,
}

impl<'a> Clients<'a> {
    fn new(reg: &'a mut Registry, cur: Option<&'a mut Client>, mark: usize) -> Clients<'a> {
        Clients {
            reg,
            cur,
            mark,
            written: Vec::new(),
        }
    }

    /// True while client `id` (at `token`) is connected.
    fn exists(&self, id: u64, token: usize) -> bool {
        match self.cur.as_deref() {
            Some(c) if c.token == token => c.id == id,
            _ => self.reg.get(token).is_some_and(|c| c.id == id),
        }
    }

    fn get(&mut self, id: u64, token: usize) -> Option<&mut Client> {
        self.reg
            .get_mut_or(self.cur.as_deref_mut(), token)
            .filter(|c| c.id == id)
    }

    /// Appends `bytes` to a client's output ("now": for the running client, before
    /// the reply of its current command). Invalidations are out-of-band data:
    /// CLIENT REPLY OFF/SKIP does not silence them.
    fn write(&mut self, id: u64, token: usize, bytes: Vec<u8>) {
        let is_cur = self.cur.as_deref().is_some_and(|c| c.id == id);
        if is_cur {
            let mark = self.mark;
            let c = self.cur.as_deref_mut().expect("running client");
            self.mark = c.insert_out(mark, &bytes);
            return;
        }
        if let Some(c) = self.get(id, token) {
            c.add_push_raw(&bytes);
            self.written.push(token);
        }
    }
}

fn push_header(out: &mut Vec<u8>, prefix: u8, n: usize) {
    out.push(prefix);
    out.extend_from_slice(n.to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn push_bulk(out: &mut Vec<u8>, b: &[u8]) {
    push_header(out, b'$', b.len());
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

/// Whether a RESP2 redirect client takes invalidations as pub/sub messages.
/// Redis requires it to be in pub/sub mode (subscribed to anything).
fn takes_pubsub_messages(c: &Client) -> bool {
    c.has(crate::client::flags::PUBSUB)
}

/// Redis's sendTrackingMessage: one invalidation for tracking client `id`, to it or
/// to its redirect client.
fn send(cl: &mut Clients, id: u64, token: usize, payload: &Payload) {
    let Some(t) = cl.get(id, token) else {
        return;
    };
    let Some(tr) = t.tracking.as_ref() else {
        return;
    };
    let (tresp, redirect, rtoken) = (t.resp, tr.redirect, tr.redirect_token);
    let (to, to_token) = if redirect != 0 {
        if !cl.exists(redirect, rtoken) {
            let t = cl.get(id, token).expect("tracking client");
            if let Some(tr) = t.tracking.as_mut() {
                tr.flags |= flags::BROKEN_REDIR;
            }
            if tresp > 2 {
                let mut out = Vec::with_capacity(48);
                push_header(&mut out, b'>', 2);
                push_bulk(&mut out, b"tracking-redir-broken");
                push_header(&mut out, b':', redirect as usize);
                cl.write(id, token, out);
            }
            return;
        }
        (redirect, rtoken)
    } else {
        (id, token)
    };
    // The receiver's protocol decides the frame.
    let Some(r) = cl.get(to, to_token) else {
        return;
    };
    let (rresp, pubsub) = (r.resp, takes_pubsub_messages(r));
    let mut out = Vec::with_capacity(64);
    if rresp > 2 {
        push_header(&mut out, b'>', 2);
        push_bulk(&mut out, b"invalidate");
    } else if redirect != 0 && pubsub {
        push_header(&mut out, b'*', 3);
        push_bulk(&mut out, b"message");
        push_bulk(&mut out, CHANNEL);
    } else {
        return;
    }
    match payload {
        Payload::Key(k) => {
            push_header(&mut out, b'*', 1);
            push_bulk(&mut out, k);
        }
        Payload::Proto(p) => out.extend_from_slice(p),
        // The null is in the tracking client's protocol, also when redirected.
        Payload::Null if tresp > 2 => out.extend_from_slice(b"_\r\n"),
        Payload::Null => out.extend_from_slice(b"$-1\r\n"),
    }
    cl.write(to, to_token, out);
}

// ---------------------------------------------------------------------------------
// Hooks
// ---------------------------------------------------------------------------------

/// Processes the key changes the databases recorded: default-mode invalidations,
/// BCAST collection and flushes. `cur` is the running client (whose changes they
/// are, expiries and evictions aside), `mark` where its current reply starts.
/// While its command `executing`, its own invalidations wait for the end of the
/// command (Redis's tracking_pending_keys); before the command runs (evictions)
/// they go out at once, ahead of its reply.
fn drain(srv: &mut Server, cur: Option<&mut Client>, mark: usize, executing: bool) {
    let mut keys: Vec<(Bytes, bool)> = Vec::new();
    let mut flushed = false;
    for db in &mut srv.dbs {
        if !db.tracking_keys.is_empty() {
            keys.append(&mut db.tracking_keys);
        }
        flushed |= std::mem::take(&mut db.tracking_flushed);
    }
    if keys.is_empty() && !flushed {
        return;
    }
    let cur_id = cur.as_deref().map(|c| c.id);
    let tr = &mut srv.tracking;
    let mut cl = Clients::new(&mut srv.clients, cur, mark);
    for (key, by_expiry) in keys {
        let modifier = if by_expiry { None } else { cur_id };
        if !tr.prefixes.is_empty() {
            for (p, bs) in tr.prefixes.iter_mut() {
                if key.starts_with(p) {
                    bs.keys.insert(key.clone(), modifier);
                }
            }
        }
        let Some(ids) = tr.table.take(&key) else {
            continue;
        };
        for id in ids {
            let Some(&token) = tr.clients.get(&id) else {
                continue;
            };
            let Some(t) = cl.get(id, token) else {
                continue;
            };
            let Some(ct) = t.tracking.as_ref() else {
                continue;
            };
            if ct.has(flags::BCAST) {
                continue;
            }
            // The running client: NOLOOP skips it (also for a key that expired
            // during its own read), else it hears after its reply.
            if Some(id) == cur_id {
                if ct.has(flags::NOLOOP) {
                    continue;
                }
                if executing {
                    tr.pending.push(Some(key.clone()));
                    continue;
                }
                send(&mut cl, id, token, &Payload::Key(&key));
            } else {
                send(&mut cl, id, token, &Payload::Key(&key));
            }
        }
    }
    if flushed {
        let mut ids: Vec<(u64, usize)> = tr.clients.iter().map(|(&i, &t)| (i, t)).collect();
        ids.sort_unstable();
        for (id, token) in ids {
            if Some(id) == cur_id {
                tr.pending.push(None);
            } else {
                send(&mut cl, id, token, &Payload::Null);
            }
        }
        tr.table.clear();
    }
    let written = std::mem::take(&mut cl.written);
    schedule(srv, written);
}

/// Schedules the output of clients that got messages.
fn schedule(srv: &mut Server, mut tokens: Vec<usize>) {
    tokens.sort_unstable();
    tokens.dedup();
    for t in tokens {
        srv.schedule_write_of(t);
    }
}

/// Builds the RESP array of a BCAST prefix's keys, leaving out those `noloop`
/// modified last; None if nothing is left.
fn broadcast_proto(keys: &BTreeMap<Bytes, Option<u64>>, noloop: Option<u64>) -> Option<Vec<u8>> {
    let n = match noloop {
        None => keys.len(),
        Some(id) => keys.values().filter(|m| **m != Some(id)).count(),
    };
    if n == 0 {
        return None;
    }
    let mut out = Vec::with_capacity(n * 16 + 8);
    push_header(&mut out, b'*', n);
    for (k, m) in keys {
        if noloop.is_some() && *m == noloop {
            continue;
        }
        push_bulk(&mut out, k);
    }
    Some(out)
}

/// Redis's trackingBroadcastInvalidationMessages, from `before_sleep`: one message
/// per prefix and client with the keys modified under the prefix during this
/// event-loop iteration (all clients are in the slab then).
pub fn before_sleep(srv: &mut Server) {
    let tr = &mut srv.tracking;
    if tr.clients.is_empty() || tr.prefixes.values().all(|b| b.keys.is_empty()) {
        return;
    }
    let mut cl = Clients::new(&mut srv.clients, None, 0);
    for bs in tr.prefixes.values_mut() {
        if bs.keys.is_empty() {
            continue;
        }
        let keys = std::mem::take(&mut bs.keys);
        let common = broadcast_proto(&keys, None);
        for &id in &bs.clients {
            let Some(&token) = tr.clients.get(&id) else {
                continue;
            };
            let noloop = cl
                .get(id, token)
                .and_then(|c| c.tracking.as_ref())
                .is_some_and(|t| t.has(flags::NOLOOP));
            if noloop {
                if let Some(p) = broadcast_proto(&keys, Some(id)) {
                    send(&mut cl, id, token, &Payload::Proto(&p));
                }
            } else if let Some(p) = &common {
                send(&mut cl, id, token, &Payload::Proto(p));
            }
        }
    }
    let written = std::mem::take(&mut cl.written);
    schedule(srv, written);
}

/// After a command's handler (from `call()`): sends the invalidations its changes
/// caused, then remembers the keys it read if `c` tracks them. `id` is the command,
/// `mark` the length of `c`'s output before the handler ran.
pub fn after_call(srv: &mut Server, c: &mut Client, id: usize, mark: usize) {
    drain(srv, Some(c), mark, true);
    let Some(t) = c.tracking.as_ref() else {
        return;
    };
    let cmd = srv.commands.list[id].cmd;
    if cmd.flags & crate::cmd::flags::READONLY == 0 || t.has(flags::BCAST) {
        return;
    }
    let caching = t.has(flags::CACHING);
    if (t.has(flags::OPTIN) && !caching) || (t.has(flags::OPTOUT) && caching) {
        return;
    }
    if cmd.flags & crate::cmd::flags::PUBSUB != 0 {
        return;
    }
    let keys = crate::command::spec::get_keys(cmd.key_specs, cmd.getkeys, cmd.arity, &c.argv);
    let tr = &mut srv.tracking;
    for (pos, _) in keys {
        tr.table.remember(&c.argv[pos], c.id);
    }
    refresh_active(srv);
}

/// From `Server::after_command`: at the end of a top-level command, sends the
/// invalidations of the client's own writes and ends a CLIENT CACHING for the next
/// command. (BCAST messages wait for `before_sleep`.)
pub fn after_command(srv: &mut Server, c: &mut Client) {
    let end = c.out_mark();
    drain(srv, Some(c), end, true);
    if srv.call_depth > 0 {
        return;
    }
    if !srv.tracking.pending.is_empty() {
        let pending = std::mem::take(&mut srv.tracking.pending);
        let mark = c.out_mark();
        let (id, token) = (c.id, c.token);
        let mut cl = Clients::new(&mut srv.clients, Some(c), mark);
        for k in &pending {
            let p = match k {
                Some(k) => Payload::Key(k),
                None => Payload::Null,
            };
            send(&mut cl, id, token, &p);
        }
        let written = std::mem::take(&mut cl.written);
        schedule(srv, written);
    }
    // The CACHING flag lasts for one command; CLIENT subcommands and MULTI keep it
    // (a transaction's reads all use it), as Redis's resetClient.
    let keep = c.has(cflags::MULTI)
        || c.argv
            .first()
            .is_some_and(|a| a.eq_ignore_ascii_case(b"client"));
    if let Some(t) = c.tracking.as_mut() {
        if !keep {
            t.flags &= !flags::CACHING;
        }
    }
    refresh_active(srv);
}

/// From cron: the changes made outside any command (active expiry), then the
/// table limit, which Redis also enforces when idle so that a lowered
/// `tracking-table-max-keys` takes effect without traffic.
pub fn cron(srv: &mut Server) {
    drain(srv, None, 0, false);
    if !srv.tracking.clients.is_empty() {
        limit::limit_used_slots(srv, None);
    }
    refresh_active(srv);
}

/// From `call()` after the evictions that run before a command: their
/// invalidations reach every client now, the one about to run included (ahead
/// of its reply), as Redis sends them from performEvictions.
pub fn after_evictions(srv: &mut Server, c: &mut Client) {
    let end = c.out_mark();
    drain(srv, Some(c), end, false);
}

/// From `process_command` before a client's command runs, as Redis's
/// processCommand: enforces `tracking-table-max-keys`. `c` is the client about
/// to run.
#[inline]
pub fn before_command(srv: &mut Server, c: &mut Client) {
    let tr = &srv.tracking;
    if !tr.clients.is_empty() && tr.max_keys != 0 {
        limit::limit_used_slots(srv, Some(c));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap() {
        assert!(prefixes_overlap(b"a", b"ab"));
        assert!(prefixes_overlap(b"ab", b"a"));
        assert!(prefixes_overlap(b"", b"x"));
        assert!(!prefixes_overlap(b"ab", b"ac"));
    }

    #[test]
    fn broadcast_arrays() {
        let mut keys = BTreeMap::new();
        keys.insert(Bytes::from_static(b"u:2"), Some(7));
        keys.insert(Bytes::from_static(b"u:1"), None);
        assert_eq!(
            broadcast_proto(&keys, None).unwrap(),
            b"*2\r\n$3\r\nu:1\r\n$3\r\nu:2\r\n".to_vec()
        );
        assert_eq!(
            broadcast_proto(&keys, Some(7)).unwrap(),
            b"*1\r\n$3\r\nu:1\r\n".to_vec()
        );
        keys.remove(&b"u:1"[..]);
        assert!(broadcast_proto(&keys, Some(7)).is_none());
    }
}
