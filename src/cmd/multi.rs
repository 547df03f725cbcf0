//! Transactions (Redis's multi.c): MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//!
//! Queueing happens in `call()`: inside MULTI every command but the transaction
//! commands themselves is checked (lookup, arity, NO_MULTI) and queued; a command
//! rejected at that point marks the transaction `DIRTY_EXEC`, so EXEC aborts.
//! WATCH registers the client on (db, key); any modification of the key (the
//! databases record them, including expiry, FLUSHALL and SWAPDB) marks the
//! watching clients `DIRTY_CAS`, so their EXEC returns a null array.

use bytes::Bytes;

use super::{acl, cmd, flags as f, Command};
use crate::client::{flags as cflags, Client};
use crate::db::Touch;
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

/// True if a watched key was logically expired since WATCH (Redis 7.0 aborts then).
fn watched_key_expired(srv: &Server, c: &Client) -> bool {
    c.watched
        .iter()
        .any(|(db, key, stale_at_watch)| !stale_at_watch && srv.dbs[*db].is_stale(key))
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
    if !srv.watchers.is_empty() {
        mark_touched(srv, c);
    }
    if c.has(cflags::DIRTY_CAS) || watched_key_expired(srv, c) {
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
        c.argv = argv;
        super::call(srv, c);
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
        let stale = srv.dbs[db].is_stale(&key);
        srv.watchers
            .entry((db, key.clone()))
            .or_default()
            .push(c.token);
        *srv.dbs[db].watched.entry(key.clone()).or_insert(0) += 1;
        c.watched.push((db, key, stale));
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
    for (db, key, _) in std::mem::take(&mut c.watched) {
        let wk = (db, key.clone());
        if let Some(v) = srv.watchers.get_mut(&wk) {
            v.retain(|&t| t != c.token);
            if v.is_empty() {
                srv.watchers.remove(&wk);
            }
        }
        let d = &mut srv.dbs[db];
        if let Some(n) = d.watched.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                d.watched.remove(&key);
            }
        }
    }
}

/// Marks the clients watching keys that were modified (called after each command;
/// `c` is the client that ran it, which is not in the slab meanwhile). A client
/// taken out of the slab by a caller up the stack (the one whose command woke
/// blocked clients) gets its marks from [`apply_deferred_touches`].
pub fn mark_touched(srv: &mut Server, c: &mut Client) {
    let mut touched: Vec<(usize, Bytes, Touch)> = Vec::new();
    for db in &mut srv.dbs {
        for (k, how) in db.touched.drain(..) {
            touched.push((db.id, k, how));
        }
    }
    for (db, key, how) in touched {
        let Some(tokens) = srv.watchers.get(&(db, key.clone())) else {
            continue;
        };
        for &t in tokens.clone().iter() {
            if t == c.token {
                watched_key_touched(c, db, &key, how);
            } else {
                match srv.clients.get_mut(t) {
                    Some(Some(other)) => watched_key_touched(other, db, &key, how),
                    Some(None) => srv.watch_deferred.push((t, db, key.clone(), how)),
                    None => {}
                }
            }
        }
    }
}

/// Gives `c` the WATCH marks that were due while it was out of the slab.
pub fn apply_deferred_touches(srv: &mut Server, c: &mut Client) {
    if srv.watch_deferred.is_empty() {
        return;
    }
    for (t, db, key, how) in std::mem::take(&mut srv.watch_deferred) {
        if t == c.token {
            watched_key_touched(c, db, &key, how);
        } else if let Some(Some(other)) = srv.clients.get_mut(t) {
            watched_key_touched(other, db, &key, how);
        }
    }
}

/// Redis's touchWatchedKey / touchAllWatchedKeysInDb for one watcher. A key
/// that was already expired when watched does not change by being deleted (the
/// watcher then sees it absent) nor by being replaced with another expired one.
fn watched_key_touched(c: &mut Client, db: usize, key: &[u8], how: Touch) {
    let Some(w) = c
        .watched
        .iter_mut()
        .find(|(d, k, _)| *d == db && k[..] == *key)
    else {
        return;
    };
    let expired_when_watched = &mut w.2;
    let changed = match (how, *expired_when_watched) {
        (Touch::Changed, _) | (Touch::Deleted | Touch::Stale, false) => true,
        (Touch::Deleted, true) => {
            *expired_when_watched = false;
            false
        }
        (Touch::StaleFromAbsent, false) => {
            *expired_when_watched = true;
            false
        }
        (Touch::Stale | Touch::StaleFromAbsent, true) => false,
    };
    if changed {
        c.flags |= cflags::DIRTY_CAS;
    }
}
