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

use super::{acl, flags as f, Command};
use crate::client::{flags as cflags, Client};
use crate::command::spec::prelude::*;
use crate::db::watch;
use crate::server::Server;

const TX: u64 = f::NOSCRIPT | f::LOADING | f::STALE | f::FAST | f::ALLOW_BUSY;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "multi", handler: multi_command, arity: 1, flags: TX, acl: acl::TRANSACTION,
        group: "transactions", since: "1.2.0", summary: "Starts a transaction.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "exec", handler: exec_command, arity: 1, flags: f::NOSCRIPT | f::LOADING | f::STALE | f::SKIP_SLOWLOG, acl: acl::TRANSACTION,
        group: "transactions", since: "1.2.0", summary: "Executes all commands in a transaction.",
        complexity: "Depends on commands in the transaction",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "discard", handler: discard_command, arity: 1, flags: TX, acl: acl::TRANSACTION,
        group: "transactions", since: "2.0.0", summary: "Discards a transaction.",
        complexity: "O(N), when N is the number of queued commands",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "watch", handler: watch_command, arity: -2, flags: TX, acl: acl::TRANSACTION,
        group: "transactions", since: "2.2.0", summary: "Monitors changes to keys to determine the execution of a transaction.",
        complexity: "O(1) for every key.",
        key_specs: &[ks(RO, idx(1), range(-1, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0).multi()], subcommands: &[],
    },
    Command {
        name: "unwatch", handler: unwatch_command, arity: 1, flags: TX, acl: acl::TRANSACTION,
        group: "transactions", since: "2.2.0", summary: "Forgets about watched keys of a transaction.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },

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
