//! Keyspace commands (Redis's "generic" group, db.c): DEL, UNLINK, EXISTS, TYPE,
//! KEYS, DBSIZE, FLUSHDB, FLUSHALL.

use super::{acl, cmd, flags as f, Command};
use crate::client::Client;
use crate::db::ValueRef;
use crate::error;
use crate::server::Server;
use crate::util::glob::string_match;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("del", del_command, -2, f::WRITE, acl::KEYSPACE, (1, -1, 1), "generic", "1.0.0",
        "Deletes one or more keys.",
        "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1)."),
    cmd("unlink", unlink_command, -2, f::WRITE | f::FAST, acl::KEYSPACE, (1, -1, 1), "generic", "4.0.0",
        "Asynchronously deletes one or more keys.",
        "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of."),
    cmd("exists", exists_command, -2, f::READONLY | f::FAST, acl::KEYSPACE, (1, -1, 1), "generic", "1.0.0",
        "Determines whether one or more keys exist.", "O(N) where N is the number of keys to check."),
    cmd("type", type_command, 2, f::READONLY | f::FAST, acl::KEYSPACE, (1, 1, 1), "generic", "1.0.0",
        "Determines the type of value stored at a key.", "O(1)"),
    cmd("keys", keys_command, 2, f::READONLY, acl::KEYSPACE | acl::DANGEROUS, (0, 0, 0), "generic", "1.0.0",
        "Returns all key names that match a pattern.",
        "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length."),
    cmd("dbsize", dbsize_command, 1, f::READONLY | f::FAST, acl::KEYSPACE, (0, 0, 0), "server", "1.0.0",
        "Returns the number of keys in the database.", "O(1)"),
    cmd("flushdb", flushdb_command, -1, f::WRITE, acl::KEYSPACE | acl::DANGEROUS, (0, 0, 0), "server", "1.0.0",
        "Removes all keys from the current database.", "O(N) where N is the number of keys in the selected database"),
    cmd("flushall", flushall_command, -1, f::WRITE, acl::KEYSPACE | acl::DANGEROUS, (0, 0, 0), "server", "1.0.0",
        "Removes all keys from all databases.", "O(N) where N is the total number of keys in all databases"),
];

fn del_generic(srv: &mut Server, c: &mut Client, lazy: bool) {
    let mut n = 0;
    for i in 1..c.argv.len() {
        if let Some(e) = srv.dbs[c.db].remove(&c.argv[i]) {
            if lazy {
                srv.lazyfree.free(e);
            }
            n += 1;
        }
    }
    srv.dirty += n as u64;
    c.add_int(n);
}

/// DEL key [key ...]
pub fn del_command(srv: &mut Server, c: &mut Client) {
    let lazy = srv.config.lazyfree_lazy_user_del;
    del_generic(srv, c, lazy);
}

/// UNLINK key [key ...]
pub fn unlink_command(srv: &mut Server, c: &mut Client) {
    del_generic(srv, c, true);
}

/// EXISTS key [key ...]
pub fn exists_command(srv: &mut Server, c: &mut Client) {
    let db = &mut srv.dbs[c.db];
    let n = (1..c.argv.len())
        .filter(|&i| db.lookup_notouch(&c.argv[i]).is_some())
        .count();
    c.add_int(n as i64);
}

/// TYPE key
pub fn type_command(srv: &mut Server, c: &mut Client) {
    let t = match srv.dbs[c.db].lookup_notouch(&c.argv[1]) {
        None => "none",
        Some(e) => match e.value() {
            ValueRef::Obj(o) => o.type_name(),
            _ => "string",
        },
    };
    c.add_status(t);
}

/// KEYS pattern
pub fn keys_command(srv: &mut Server, c: &mut Client) {
    let pat = c.argv[1].clone();
    let all = &pat[..] == b"*";
    let mut keys = Vec::new();
    srv.dbs[c.db].for_each_live(|e| {
        if all || string_match(&pat, e.key(), false) {
            keys.push(bytes::Bytes::copy_from_slice(e.key()));
        }
    });
    c.add_array_len(keys.len());
    for k in keys {
        c.add_bulk(&k);
    }
}

/// DBSIZE
pub fn dbsize_command(srv: &mut Server, c: &mut Client) {
    c.add_int(srv.dbs[c.db].len() as i64);
}

/// Parses the optional ASYNC/SYNC argument of FLUSHDB/FLUSHALL.
fn flush_mode(srv: &Server, c: &mut Client) -> Option<bool> {
    match c.argv.len() {
        1 => Some(srv.config.lazyfree_lazy_user_flush),
        2 if c.argv[1].eq_ignore_ascii_case(b"async") => Some(true),
        2 if c.argv[1].eq_ignore_ascii_case(b"sync") => Some(false),
        _ => {
            c.add_error(error::SYNTAX);
            None
        }
    }
}

/// Empties one database; the old contents are dropped on the lazy-free thread when
/// `lazy`, else here.
pub fn empty_db(srv: &mut Server, id: usize, lazy: bool) -> usize {
    let n = srv.dbs[id].len();
    let old = srv.dbs[id].clear();
    if lazy {
        srv.lazyfree.free(old);
    }
    n
}

/// FLUSHDB [ASYNC | SYNC]
pub fn flushdb_command(srv: &mut Server, c: &mut Client) {
    let Some(lazy) = flush_mode(srv, c) else {
        return;
    };
    let n = empty_db(srv, c.db, lazy);
    srv.dirty += n as u64;
    c.add_ok();
}

/// FLUSHALL [ASYNC | SYNC]
pub fn flushall_command(srv: &mut Server, c: &mut Client) {
    let Some(lazy) = flush_mode(srv, c) else {
        return;
    };
    let mut n = 0;
    for id in 0..srv.dbs.len() {
        n += empty_db(srv, id, lazy);
    }
    srv.dirty += n as u64 + 1;
    c.add_ok();
}
