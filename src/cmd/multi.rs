//! Transactions (Redis's multi.c): MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! Queueing happens in `process_command()`: inside MULTI every command but the
//! transaction commands themselves is checked (lookup, arity, NO_MULTI, ...) and
//! queued; a command rejected at that point marks the transaction `DIRTY_EXEC`,
//! so EXEC aborts. EXEC itself is checked as a whole (its queue's flags) and
//! runs each queued command through `call()` only.
//! WATCH registers the client on (db, key) (db/watch.rs); any modification of the key (the
//! databases record them, including expiry, FLUSHALL and SWAPDB) marks the
//! watching clients `DIRTY_CAS`, so their EXEC returns a null array.

use super::{acl, cmd, flags as f, Command};
use crate::client::{flags as cflags, Client};
use crate::db::watch;
use crate::server::Server;

const TX: u64 = f::NOSCRIPT | f::LOADING | f::STALE | f::FAST | f::ALLOW_BUSY;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("multi", multi_command, 1, TX, acl::TRANSACTION, (0, 0, 0), "transactions", "1.2.0",
        "Starts a transaction.", "O(1)"),
    cmd("exec", exec_command, 1, f::NOSCRIPT | f::LOADING | f::STALE | f::SKIP_SLOWLOG, acl::TRANSACTION,
        (0, 0, 0), "transactions", "1.2.0", "Executes all commands in a transaction.",
        "Depends on commands in the transaction"),
    cmd("discard", discard_command, 1, TX, acl::TRANSACTION, (0, 0, 0), "transactions", "2.0.0",
        "Discards a transaction.", "O(N), when N is the number of queued commands"),
    cmd("watch", watch_command, -2, TX, acl::TRANSACTION, (1, -1, 1), "transactions", "2.2.0",
        "Monitors changes to keys to determine the execution of a transaction.", "O(1) for every key."),
    cmd("unwatch", unwatch_command, 1, TX, acl::TRANSACTION, (0, 0, 0), "transactions", "2.2.0",
        "Forgets about watched keys of a transaction.", "O(1)"),
];

/// Commands that run immediately even inside MULTI.
pub fn runs_inside_multi(name: &str) -> bool {
    matches!(
        name,
        "exec" | "discard" | "multi" | "watch" | "quit" | "reset"
    )
}

/// MULTI
pub fn multi_command(_: &mut Server, c: &mut Client) {
    if c.has(cflags::MULTI) {
        c.add_error("ERR MULTI calls can not be nested");
        return;
    }
    c.flags |= cflags::MULTI;
    c.add_ok();
}

/// True if a queued command is flagged DENYOOM (Redis's mstate.cmd_flags):
/// EXEC is then refused as a whole while memory is over `maxmemory`.
pub fn queued_denyoom(srv: &Server, c: &Client) -> bool {
    c.mstate.iter().any(|argv| {
        srv.commands
            .lookup(argv)
            .is_ok_and(|id| srv.commands.list[id].cmd.flags & super::flags::DENYOOM != 0)
    })
}

/// The union of the queued commands' flags (Redis's mstate.cmd_flags): what
/// the checks before EXEC go by.
pub fn queued_flags(srv: &Server, c: &Client) -> u64 {
    c.mstate
        .iter()
        .filter_map(|argv| srv.commands.lookup(argv).ok())
        .fold(0, |f, id| f | srv.commands.list[id].cmd.flags)
}

/// Leaves MULTI state, dropping the queue.
pub fn discard_transaction(srv: &mut Server, c: &mut Client) {
    c.mstate.clear();
    c.flags &= !(cflags::MULTI | cflags::DIRTY_CAS | cflags::DIRTY_EXEC);
    unwatch_all(srv, c);
}

/// DISCARD
pub fn discard_command(srv: &mut Server, c: &mut Client) {
    if !c.has(cflags::MULTI) {
        c.add_error("ERR DISCARD without MULTI");
        return;
    }
    discard_transaction(srv, c);
    c.add_ok();
}

/// EXEC
pub fn exec_command(srv: &mut Server, c: &mut Client) {
    if !c.has(cflags::MULTI) {
        c.add_error("ERR EXEC without MULTI");
        return;
    }
    if c.has(cflags::DIRTY_EXEC) {
        c.add_error("EXECABORT Transaction discarded because of previous errors.");
        discard_transaction(srv, c);
        return;
    }
    // Keys touched outside any command (active expiry, a woken client's
    // check) since the last command's bookkeeping count too.
    if watch::any_watched(&srv.dbs) {
        srv.touch_watched_keys(c);
    }
    if c.has(cflags::DIRTY_CAS) || watch::expired_since_watch(&srv.dbs, &c.watched) {
        c.add_null_array();
        discard_transaction(srv, c);
        return;
    }
    unwatch_all(srv, c);
    let queued = std::mem::take(&mut c.mstate);
    c.flags &= !cflags::MULTI;
    let deny_before = c.has(cflags::DENY_BLOCKING);
    c.flags |= cflags::DENY_BLOCKING;
    let exec_argv = std::mem::take(&mut c.argv);
    let exec_cmd = c.last_cmd;
    c.add_array_len(queued.len());
    for argv in queued {
        // Queueing looked each command up and checked its arity; what was
        // checked then is not checked again (Redis's execCommand).
        let Ok(id) = srv.commands.lookup(&argv) else {
            c.add_error("ERR unknown command");
            continue;
        };
        c.argv = argv;
        super::call(srv, c, id);
    }
    c.argv = exec_argv;
    c.last_cmd = exec_cmd;
    if !deny_before {
        c.flags &= !cflags::DENY_BLOCKING;
    }
    c.flags &= !(cflags::DIRTY_CAS | cflags::DIRTY_EXEC);
}

/// WATCH key [key ...]
pub fn watch_command(srv: &mut Server, c: &mut Client) {
    if c.has(cflags::MULTI) {
        c.add_error("ERR WATCH inside MULTI is not allowed");
        return;
    }
    let db = c.db;
    for i in 1..c.argv.len() {
        let key = c.argv[i].clone();
        if c.watched.iter().any(|(d, k, _)| *d == db && *k == key) {
            continue;
        }
        let w = srv.dbs[db].watch(key, c.token);
        c.watched.push(w);
    }
    c.add_ok();
}

/// UNWATCH
pub fn unwatch_command(srv: &mut Server, c: &mut Client) {
    unwatch_all(srv, c);
    c.flags &= !cflags::DIRTY_CAS;
    c.add_ok();
}

/// Drops every WATCH registration of the client.
pub fn unwatch_all(srv: &mut Server, c: &mut Client) {
    watch::unwatch_all(&mut srv.dbs, c.token, &mut c.watched);
}
