//! CLIENT PAUSE (Redis's pauseClients and its BLOCKED_POSTPONE clients).
//!
//! While a pause is in force, a command it holds waits, parsed in the client's
//! `argv`, until the pause ends; then it goes through `call()`'s checks again
//! and runs (or is rejected, or is held by a new pause). WRITE holds every
//! command that may replicate: those flagged WRITE or MAY_REPLICATE, and an EXEC
//! whose queue holds one; ALL holds every command. The check is the last one
//! `call()` makes before MULTI queueing, as in Redis's processCommand, so a
//! command with a wrong arity or any other rejection is answered at once.
//! Replicas are never held, and neither are the commands of a transaction
//! that paused the clients itself (EXEC runs them nested).
//!
//! A held client counts as blocked: INFO `blocked_clients`, the `b` flag of
//! CLIENT LIST, its command as `cmd=`.
//!
//! The dataset stays static for the duration: no active expiry, no eviction,
//! and lazy expiry only hides a logically expired key (it reads as missing
//! but is not deleted, counted or propagated), so a failover started under a
//! pause finds the replicas in step.

use crate::client::{flags as cflags, Client};
use crate::cmd::flags;
use crate::server::Server;

/// True while a pause is in force. A pause whose time is up ends here, so every
/// caller sees it end at the same moment.
pub fn in_force(srv: &mut Server) -> bool {
    match srv.pause {
        None => false,
        Some((until, _)) if srv.now_ms >= until => {
            end(srv);
            false
        }
        Some(_) => true,
    }
}

/// Starts (or extends) a pause until `until` ms; `all` = ALL, else WRITE. A
/// pause never gets shorter or weaker while in force, as in Redis.
pub fn start(srv: &mut Server, until: i64, all: bool) {
    let now = srv.now_ms;
    srv.pause = Some(match srv.pause {
        Some((u, a)) if now < u => (u.max(until), a || all),
        _ => (until, all),
    });
    set_expire_paused(srv, true);
}

/// Ends the pause: every held client gets its command run again next (the
/// reactor processes `blocking.unblocked` in before_sleep).
pub fn end(srv: &mut Server) {
    srv.pause = None;
    set_expire_paused(srv, false);
    let held = srv.paused_clients.clone();
    srv.blocking.unblocked.extend(held);
}

fn set_expire_paused(srv: &mut Server, on: bool) {
    // A replica's keys stay stored when expired, pause or not.
    let on = on || srv.master.is_some();
    for db in &mut srv.dbs {
        db.expire_paused = on;
    }
}

/// True when a WRITE pause holds commands with these flags (Redis's
/// is_may_replicate_command).
pub fn may_replicate(cmd_flags: u64) -> bool {
    cmd_flags & (flags::WRITE | flags::MAY_REPLICATE) != 0
}

/// Whether the pause holds command `id`, which `c` is about to run (or queue).
pub fn holds(srv: &mut Server, c: &Client, id: usize) -> bool {
    if !in_force(srv) || crate::client::repl::is_replica(c) {
        return false;
    }
    if srv.pause.is_some_and(|(_, all)| all) {
        return true;
    }
    let e = &srv.commands.list[id];
    if may_replicate(e.cmd.flags) {
        return true;
    }
    e.fullname == "exec" && may_replicate(crate::cmd::multi::queued_flags(srv, c))
}

/// Holds `c` with its command in `argv` until the pause ends.
pub fn postpone(srv: &mut Server, c: &mut Client) {
    c.flags |= cflags::POSTPONED;
    srv.blocking.count += 1;
    srv.paused_clients.push(c.token);
}

/// For a held client: false while the pause goes on; else releases it (its
/// command is to be run again through `call()`) and returns true.
pub fn release(srv: &mut Server, c: &mut Client) -> bool {
    if in_force(srv) {
        return false;
    }
    forget(srv, c);
    true
}

fn forget(srv: &mut Server, c: &mut Client) {
    if c.has(cflags::POSTPONED) {
        c.flags &= !cflags::POSTPONED;
        srv.blocking.count -= 1;
        srv.paused_clients.retain(|&t| t != c.token);
    }
}

/// A client is being freed: it no longer waits.
pub fn client_freed(srv: &mut Server, c: &mut Client) {
    forget(srv, c);
}
