//! Set commands (Redis's t_set.c). The set type and its encodings live in
//! `db/set.rs`; the multi-key algebra (SINTER, SUNION, SDIFF and their STORE and
//! CARD forms) is in `set/ops.rs`.

mod ops;

use std::collections::HashSet;

use super::hash::{parse_rand_count, parse_scan_cursor, parse_scan_options, scan_loop};
use super::{acl, flags as f, reply_err, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::config::notify as ev;
use crate::db::hash::dict;
use crate::db::set::{Member, Set};
use crate::db::{Db, Object, Value, ValueRef};
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::glob::string_match;
use crate::util::number::{format_i64, parse_i64, I64_BUF};
pub use ops::{
    sdiff_command, sdiffstore_command, sinter_command, sintercard_command, sinterstore_command,
    sunion_command, sunionstore_command,
};

const RF: u64 = f::READONLY | f::FAST;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "sadd", handler: sadd_command, arity: -3, flags: f::WRITE | f::DENYOOM | f::FAST, acl: acl::SET,
        group: "set", since: "1.0.0", summary: "Adds one or more members to a set. Creates the key if it doesn't exist.",
        complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
        key_specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("2.4.0", "Takes several members."),
        ],
        args: &[a("key", Key).ks(0), a("member", Str).multi()], subcommands: &[],
    },
    Command {
        name: "srem", handler: srem_command, arity: -3, flags: f::WRITE | f::FAST, acl: acl::SET,
        group: "set", since: "1.0.0", summary: "Removes one or more members from a set. Deletes the set if the last member was removed.",
        complexity: "O(N) where N is the number of members to be removed.",
        key_specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("2.4.0", "Takes several members."),
        ],
        args: &[a("key", Key).ks(0), a("member", Str).multi()], subcommands: &[],
    },
    Command {
        name: "smove", handler: smove_command, arity: 4, flags: f::WRITE | f::FAST, acl: acl::SET,
        group: "set", since: "1.0.0", summary: "Moves a member from one set to another.",
        complexity: "O(1)",
        key_specs: &[
            ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)),
            ks(RW | INSERT, idx(2), range(0, 1, 0)),
        ],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("source", Key).ks(0), a("destination", Key).ks(1), a("member", Str)], subcommands: &[],
    },
    Command {
        name: "sismember", handler: sismember_command, arity: 3, flags: RF, acl: acl::SET,
        group: "set", since: "1.0.0", summary: "Determines whether a member belongs to a set.",
        complexity: "O(1)",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0), a("member", Str)], subcommands: &[],
    },
    Command {
        name: "smismember", handler: smismember_command, arity: -3, flags: RF, acl: acl::SET,
        group: "set", since: "6.2.0", summary: "Determines whether multiple members belong to a set.",
        complexity: "O(N) where N is the number of elements being checked for membership",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0), a("member", Str).multi()], subcommands: &[],
    },
    Command {
        name: "scard", handler: scard_command, arity: 2, flags: RF, acl: acl::SET,
        group: "set", since: "1.0.0", summary: "Returns the number of members in a set.",
        complexity: "O(1)",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0)], subcommands: &[],
    },
    Command {
        name: "spop", handler: spop_command, arity: -2, flags: f::WRITE | f::FAST, acl: acl::SET,
        group: "set", since: "1.0.0", summary: "Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.",
        complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
        key_specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("3.2.0", "New `count` argument."),
        ],
        args: &[a("key", Key).ks(0), a("count", Int).since("3.2.0").opt()], subcommands: &[],
    },
    Command {
        name: "srandmember", handler: srandmember_command, arity: -2, flags: f::READONLY, acl: acl::SET,
        group: "set", since: "1.0.0", summary: "Get one or multiple random members from a set",
        complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("2.6.0", "New optional `count` argument."),
        ],
        args: &[a("key", Key).ks(0), a("count", Int).since("2.6.0").opt()], subcommands: &[],
    },
    Command {
        name: "sinter", handler: sinter_command, arity: -2, flags: f::READONLY, acl: acl::SET,
        group: "set", since: "1.0.0", summary: "Returns the intersect of multiple sets.",
        complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
        key_specs: &[ks(RO | ACCESS, idx(1), range(-1, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output_order"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0).multi()], subcommands: &[],
    },
    Command {
        name: "sintercard", handler: sintercard_command, arity: -3, flags: f::READONLY | f::MOVABLE_KEYS, acl: acl::SET,
        group: "set", since: "7.0.0", summary: "Returns the number of members of the intersect of multiple sets.",
        complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
        key_specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("numkeys", Int),
            a("key", Key).ks(0).multi(),
            a("limit", Int).token("LIMIT").opt(),
        ],
        subcommands: &[],
    },
    Command {
        name: "sinterstore", handler: sinterstore_command, arity: -3, flags: f::WRITE | f::DENYOOM, acl: acl::SET,
        group: "set", since: "1.0.0", summary: "Stores the intersect of multiple sets in a key.",
        complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
        key_specs: &[
            ks(RW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), range(-1, 1, 0)),
        ],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("destination", Key).ks(0), a("key", Key).ks(1).multi()], subcommands: &[],
    },
    Command {
        name: "sunion", handler: sunion_command, arity: -2, flags: f::READONLY, acl: acl::SET,
        group: "set", since: "1.0.0", summary: "Returns the union of multiple sets.",
        complexity: "O(N) where N is the total number of elements in all given sets.",
        key_specs: &[ks(RO | ACCESS, idx(1), range(-1, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output_order"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0).multi()], subcommands: &[],
    },
    Command {
        name: "sunionstore", handler: sunionstore_command, arity: -3, flags: f::WRITE | f::DENYOOM, acl: acl::SET,
        group: "set", since: "1.0.0", summary: "Stores the union of multiple sets in a key.",
        complexity: "O(N) where N is the total number of elements in all given sets.",
        key_specs: &[
            ks(OW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), range(-1, 1, 0)),
        ],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("destination", Key).ks(0), a("key", Key).ks(1).multi()], subcommands: &[],
    },
    Command {
        name: "sdiff", handler: sdiff_command, arity: -2, flags: f::READONLY, acl: acl::SET,
        group: "set", since: "1.0.0", summary: "Returns the difference of multiple sets.",
        complexity: "O(N) where N is the total number of elements in all given sets.",
        key_specs: &[ks(RO | ACCESS, idx(1), range(-1, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output_order"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0).multi()], subcommands: &[],
    },
    Command {
        name: "sdiffstore", handler: sdiffstore_command, arity: -3, flags: f::WRITE | f::DENYOOM, acl: acl::SET,
        group: "set", since: "1.0.0", summary: "Stores the difference of multiple sets in a key.",
        complexity: "O(N) where N is the total number of elements in all given sets.",
        key_specs: &[
            ks(OW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), range(-1, 1, 0)),
        ],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("destination", Key).ks(0), a("key", Key).ks(1).multi()], subcommands: &[],
    },
    Command {
        name: "smembers", handler: smembers_command, arity: 2, flags: f::READONLY, acl: acl::SET,
        group: "set", since: "1.0.0", summary: "Returns all members of a set.",
        complexity: "O(N) where N is the set cardinality.",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output_order"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0)], subcommands: &[],
    },
    Command {
        name: "sscan", handler: sscan_command, arity: -3, flags: f::READONLY, acl: acl::SET,
        group: "set", since: "2.8.0", summary: "Iterates over members of a set.",
        complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("key", Key).ks(0),
            a("cursor", Int),
            a("pattern", Pattern).token("MATCH").opt(),
            a("count", Int).token("COUNT").opt(),
        ],
        subcommands: &[],
    },

];

/// `set-max-intset-entries`.
fn max_intset(srv: &Server) -> usize {
    srv.config.set_max_intset_entries as usize
}

/// Reads a set: Ok(None) if the key is missing, WRONGTYPE for other types.
pub fn lookup_set<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a Set>, OpError> {
    match db.lookup(key) {
        None => Ok(None),
        Some(e) => match e.value() {
            ValueRef::Obj(Object::Set(s)) => Ok(Some(s)),
            _ => Err(OpError::WrongType),
        },
    }
}

/// Runs `f` on the set at `key` for writing; a missing key gets a new empty set
/// when `create` (stored only if `f` leaves it non-empty), else Ok(None). A set
/// left empty by `f` is deleted. `changed` tells from `f`'s result whether it
/// changed the set: only then is the key touched (WATCH, tracking), as Redis
/// signals a modified key only when something changed.
pub fn with_set_write<R>(
    db: &mut Db,
    key: &[u8],
    create: bool,
    f: impl FnOnce(&mut Set) -> R,
    changed: impl FnOnce(&R) -> bool,
) -> Result<Option<R>, OpError> {
    let mut f = Some(f);
    let done = match db.lookup_mut(key) {
        Some(e) => {
            if !matches!(e.value(), ValueRef::Obj(Object::Set(_))) {
                return Err(OpError::WrongType);
            }
            let Some(Object::Set(s)) = e.obj_mut() else {
                unreachable!("checked above")
            };
            let r = (f.take().expect("once"))(s);
            Some((r, s.is_empty()))
        }
        None => None,
    };
    match done {
        Some((r, empty)) => {
            if empty {
                db.remove(key);
            } else if changed(&r) {
                db.touch(key);
            }
            Ok(Some(r))
        }
        None if !create => Ok(None),
        None => {
            let mut s = Set::new();
            let r = (f.take().expect("once"))(&mut s);
            if !s.is_empty() {
                db.set(key, Value::Obj(Object::Set(s)), None);
            }
            Ok(Some(r))
        }
    }
}

/// Stores `s` at `key` (replacing any value), or deletes `key` if `s` is empty.
/// Returns true if the keyspace changed.
pub fn store_set(db: &mut Db, key: &[u8], s: Set) -> bool {
    if s.is_empty() {
        db.delete(key)
    } else {
        db.set(key, Value::Obj(Object::Set(s)), None);
        true
    }
}

/// Appends a member as a bulk string.
pub fn add_member(c: &mut Client, m: Member<'_>) {
    match m {
        Member::Int(v) => c.add_bulk(format_i64(v, &mut [0u8; I64_BUF])),
        Member::Str(s) => c.add_bulk(s),
    }
}

/// Appends a whole set as a set reply (`~` in RESP3), as Redis's SMEMBERS and
/// SUNION do.
pub fn add_set(c: &mut Client, s: &Set) {
    c.add_set_len(s.len());
    for m in s.iter() {
        add_member(c, m);
    }
}

/// SADD key member [member ...]
pub fn sadd_command(srv: &mut Server, c: &mut Client) {
    let max = max_intset(srv);
    let key = c.argv[1].clone();
    let argv = &c.argv;
    let r = with_set_write(
        &mut srv.dbs[c.db],
        &key,
        true,
        |s| argv[2..].iter().filter(|m| s.add(m, max)).count(),
        |&n| n > 0,
    );
    match r {
        Ok(n) => {
            let n = n.unwrap_or(0);
            srv.dirty += n as u64;
            if n > 0 {
                notify(srv, c, ev::SET, "sadd", &key);
            }
            c.add_int(n as i64);
        }
        Err(e) => reply_err(c, e),
    }
}

/// SREM key member [member ...]
pub fn srem_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    let argv = &c.argv;
    let r = with_set_write(
        &mut srv.dbs[c.db],
        &key,
        false,
        |s| {
            let mut n = 0;
            for m in &argv[2..] {
                if s.remove(m) {
                    n += 1;
                    if s.is_empty() {
                        break;
                    }
                }
            }
            n
        },
        |&n| n > 0,
    );
    match r {
        Ok(n) => {
            let n = n.unwrap_or(0);
            srv.dirty += n as u64;
            if n > 0 {
                notify(srv, c, ev::SET, "srem", &key);
                notify_if_deleted(srv, c, &key);
            }
            c.add_int(n);
        }
        Err(e) => reply_err(c, e),
    }
}

/// SMOVE source destination member
pub fn smove_command(srv: &mut Server, c: &mut Client) {
    let (src, dst, m) = (c.argv[1].clone(), c.argv[2].clone(), c.argv[3].clone());
    let max = max_intset(srv);
    let db = &mut srv.dbs[c.db];
    // Redis checks both types first; a missing source is 0 whatever dst holds.
    let src_present = match db.lookup_write(&src).map(|e| e.value()) {
        None => false,
        Some(ValueRef::Obj(Object::Set(_))) => true,
        Some(_) => return reply_err(c, OpError::WrongType),
    };
    if !src_present {
        return c.add_int(0);
    }
    if let Some(e) = db.lookup_write(&dst) {
        if !matches!(e.value(), ValueRef::Obj(Object::Set(_))) {
            return reply_err(c, OpError::WrongType);
        }
    }
    if src == dst {
        let found = matches!(lookup_set(db, &src), Ok(Some(s)) if s.contains(&m));
        return c.add_int(found as i64);
    }
    let removed = with_set_write(db, &src, false, |s| s.remove(&m), |&r| r)
        .ok()
        .flatten();
    if removed != Some(true) {
        return c.add_int(0);
    }
    srv.dirty += 1;
    let added = matches!(
        // A member the destination already has is no change to it.
        with_set_write(db, &dst, true, |s| s.add(&m, max), |&added| added),
        Ok(Some(true))
    );
    notify(srv, c, ev::SET, "srem", &src);
    notify_if_deleted(srv, c, &src);
    if added {
        srv.dirty += 1;
        notify(srv, c, ev::SET, "sadd", &dst);
    }
    c.add_int(1);
}

/// The "del" event when `key` no longer exists (a set emptied).
fn notify_if_deleted(srv: &mut Server, c: &mut Client, key: &[u8]) {
    if srv.config.notify_keyspace_events != 0 && srv.dbs[c.db].table().find(key).is_none() {
        notify(srv, c, ev::GENERIC, "del", key);
    }
}

/// SISMEMBER key member
pub fn sismember_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    match lookup_set(&mut srv.dbs[c.db], &key) {
        Ok(s) => {
            let found = s.is_some_and(|s| s.contains(&c.argv[2]));
            c.add_int(found as i64)
        }
        Err(e) => reply_err(c, e),
    }
}

/// SMISMEMBER key member [member ...]
pub fn smismember_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    let s = match lookup_set(&mut srv.dbs[c.db], &key) {
        Ok(s) => s,
        Err(e) => return reply_err(c, e),
    };
    let found: Vec<bool> = c.argv[2..]
        .iter()
        .map(|m| s.is_some_and(|s| s.contains(m)))
        .collect();
    c.add_array_len(found.len());
    for f in found {
        c.add_int(f as i64);
    }
}

/// SCARD key
pub fn scard_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    match lookup_set(&mut srv.dbs[c.db], &key) {
        Ok(s) => c.add_int(s.map_or(0, |s| s.len() as i64)),
        Err(e) => reply_err(c, e),
    }
}

/// SMEMBERS key
pub fn smembers_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    match lookup_set(&mut srv.dbs[c.db], &key) {
        Ok(Some(s)) => add_set(c, s),
        Ok(None) => c.add_set_len(0),
        Err(e) => reply_err(c, e),
    }
}

/// SPOP key \[count\]
pub fn spop_command(srv: &mut Server, c: &mut Client) {
    if c.argv.len() > 3 {
        return reply_err(c, OpError::Syntax);
    }
    let key = c.argv[1].clone();
    if c.argv.len() == 3 {
        return spop_with_count(srv, c, key);
    }
    match with_set_write(
        &mut srv.dbs[c.db],
        &key,
        false,
        |s| s.pop_random(),
        |_| true,
    ) {
        Ok(Some(m)) => {
            srv.dirty += 1;
            // Propagated as the SREM of what was popped.
            let mb = bytes::Bytes::copy_from_slice(&m);
            crate::repl::rewrite(srv, || {
                vec![bytes::Bytes::from_static(b"SREM"), key.clone(), mb]
            });
            notify(srv, c, ev::SET, "spop", &key);
            c.add_bulk(&m);
            notify_if_deleted(srv, c, &key);
        }
        Ok(None) => c.add_null(),
        Err(e) => reply_err(c, e),
    }
}

/// Redis's getPositiveLongFromObjectOrReply with its default message.
fn parse_positive(arg: &[u8]) -> Result<usize, OpError> {
    match parse_i64(arg) {
        Some(v) if v >= 0 => Ok(v as usize),
        _ => Err(OpError::Static(error::MUST_BE_POSITIVE)),
    }
}

fn spop_with_count(srv: &mut Server, c: &mut Client, key: bytes::Bytes) {
    let count = match parse_positive(&c.argv[2]) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let max = max_intset(srv);
    let mut popped: Vec<Vec<u8>> = Vec::new();
    let mut whole = false;
    let r = with_set_write(
        &mut srv.dbs[c.db],
        &key,
        false,
        |s| {
            let size = s.len();
            if count == 0 {
                return;
            }
            whole = count >= size;
            if count >= size {
                // The whole set, in its iteration order (then the key goes away).
                popped = s.iter().map(Member::to_vec).collect();
                *s = Set::new();
            } else if (size - count) * 5 > count {
                for _ in 0..count {
                    popped.push(s.pop_random());
                }
            } else {
                // Few remain: move those to a new set and return the rest, as Redis,
                // which also means the new set may be an intset again.
                let mut keep = Set::new();
                for _ in 0..size - count {
                    let m = s.pop_random();
                    keep.add(&m, max);
                }
                popped = s.iter().map(Member::to_vec).collect();
                *s = keep;
            }
        },
        |_| count > 0,
    );
    match r {
        Ok(r) => {
            srv.dirty += popped.len() as u64;
            // Propagated as Redis 7.0 does: DEL when the whole set went, else
            // one SREM per popped member (wrapped in MULTI/EXEC).
            if whole {
                crate::repl::rewrite(srv, || crate::repl::del_argv(false, &key));
            } else if !popped.is_empty() && srv.repl.enabled() {
                crate::repl::prevent(srv);
                for m in &popped {
                    let m = bytes::Bytes::copy_from_slice(m);
                    crate::repl::also_propagate(srv, c.db, || {
                        vec![bytes::Bytes::from_static(b"SREM"), key.clone(), m]
                    });
                }
            }
            if r.is_some() && count > 0 {
                notify(srv, c, ev::SET, "spop", &key);
            }
            c.add_set_len(popped.len());
            for m in popped {
                c.add_bulk(&m);
            }
            if r.is_some() && count > 0 {
                notify_if_deleted(srv, c, &key);
            }
        }
        Err(e) => reply_err(c, e),
    }
}

/// SRANDMEMBER key \[count\]
pub fn srandmember_command(srv: &mut Server, c: &mut Client) {
    if c.argv.len() > 3 {
        return reply_err(c, OpError::Syntax);
    }
    let key = c.argv[1].clone();
    if c.argv.len() == 3 {
        return srandmember_with_count(srv, c, key);
    }
    match lookup_set(&mut srv.dbs[c.db], &key) {
        Ok(Some(s)) => {
            let m = s.random().to_vec();
            c.add_bulk(&m);
        }
        Ok(None) => c.add_null(),
        Err(e) => reply_err(c, e),
    }
}

fn srandmember_with_count(srv: &mut Server, c: &mut Client, key: bytes::Bytes) {
    let l = match parse_rand_count(&c.argv[2]) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let (count, uniq) = (l.unsigned_abs() as usize, l >= 0);
    let s = match lookup_set(&mut srv.dbs[c.db], &key) {
        Ok(Some(s)) => s,
        Ok(None) => return c.add_array_len(0),
        Err(e) => return reply_err(c, e),
    };
    if count == 0 {
        return c.add_array_len(0);
    }
    let size = s.len();
    if !uniq || count == 1 {
        // Streamed: a huge negative count must not allocate up front.
        c.add_array_len(count);
        for _ in 0..count {
            add_member(c, s.random());
        }
        return;
    }
    if count >= size {
        c.add_array_len(size);
        for m in s.iter() {
            add_member(c, m);
        }
        return;
    }
    let picks: Vec<Vec<u8>> = if count * 3 > size {
        let mut all: Vec<Vec<u8>> = s.iter().map(Member::to_vec).collect();
        for i in 0..count {
            let j = i + dict::rand_below(all.len() - i);
            all.swap(i, j);
        }
        all.truncate(count);
        all
    } else {
        let mut seen: HashSet<Vec<u8>> = HashSet::with_capacity(count);
        let mut out = Vec::with_capacity(count);
        while out.len() < count {
            let m = s.random().to_vec();
            if seen.insert(m.clone()) {
                out.push(m);
            }
        }
        out
    };
    c.add_array_len(picks.len());
    for m in picks {
        c.add_bulk(&m);
    }
}

/// SSCAN key cursor [MATCH pattern] [COUNT count]
pub fn sscan_command(srv: &mut Server, c: &mut Client) {
    let cursor = match parse_scan_cursor(&c.argv[2]) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let key = c.argv[1].clone();
    let s = match lookup_set(&mut srv.dbs[c.db], &key) {
        Ok(Some(s)) => s,
        Ok(None) => return c.add_raw(b"*2\r\n$1\r\n0\r\n*0\r\n"),
        Err(e) => return reply_err(c, e),
    };
    let (count, pat) = match parse_scan_options(&c.argv[3..]) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let mut out: Vec<Vec<u8>> = Vec::new();
    let next = scan_loop(cursor, count, |cur| {
        let mut n = 0;
        let next = s.scan(cur, |m| {
            n += 1;
            m.with_bytes(|b| {
                if pat.is_none_or(|p| string_match(p, b, false)) {
                    out.push(b.to_vec());
                }
            })
        });
        (next, n)
    });
    c.add_array_len(2);
    c.add_bulk(format_i64(next as i64, &mut [0u8; I64_BUF]));
    c.add_array_len(out.len());
    for b in out {
        c.add_bulk(&b);
    }
}
