//! Hash commands (Redis's t_hash.c). The hash type and its encodings live in
//! `db/hash.rs`; this file parses arguments, applies the operation and replies.

use std::collections::HashSet;

use super::{acl, arg_i64, flags as f, reply_err, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::config::notify as ev;
use crate::db::hash::{dict, Hash, HashLimits};
use crate::db::{Db, Object, Value, ValueRef};
use crate::error as nerr;
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::glob::string_match;
use crate::util::number::{format_i64, parse_i64, LongDouble, I64_BUF};

const W: u64 = f::WRITE | f::DENYOOM;
const RF: u64 = f::READONLY | f::FAST;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "hset", handler: hset_command, arity: -4, flags: W | f::FAST, acl: acl::HASH,
        group: "hash", since: "2.0.0", summary: "Creates or modifies the value of a field in a hash.",
        complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("4.0.0", "Takes several field/value pairs."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("field_value", Block).multi().sub(&[
                a("field", Str),
                a("value", Str),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "hsetnx", handler: hsetnx_command, arity: 4, flags: W | f::FAST, acl: acl::HASH,
        group: "hash", since: "2.0.0", summary: "Sets the value of a field in a hash only when the field doesn't exist.",
        complexity: "O(1)",
        key_specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0), a("field", Str), a("value", Str)], subcommands: &[],
    },
    Command {
        name: "hget", handler: hget_command, arity: 3, flags: RF, acl: acl::HASH,
        group: "hash", since: "2.0.0", summary: "Returns the value of a field in a hash.",
        complexity: "O(1)",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0), a("field", Str)], subcommands: &[],
    },
    Command {
        name: "hmset", handler: hset_command, arity: -4, flags: W | f::FAST, acl: acl::HASH,
        group: "hash", since: "2.0.0", summary: "Sets the values of multiple fields.",
        complexity: "O(N) where N is the number of fields being set.",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: DOC_DEPRECATED, deprecated_since: Some("4.0.0"), replaced_by: Some("`HSET` with multiple field-value pairs"), history: &[],
        args: &[
            a("key", Key).ks(0),
            a("field_value", Block).multi().sub(&[
                a("field", Str),
                a("value", Str),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "hmget", handler: hmget_command, arity: -3, flags: RF, acl: acl::HASH,
        group: "hash", since: "2.0.0", summary: "Returns the values of all fields in a hash.",
        complexity: "O(N) where N is the number of fields being requested.",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0), a("field", Str).multi()], subcommands: &[],
    },
    Command {
        name: "hincrby", handler: hincrby_command, arity: 4, flags: W | f::FAST, acl: acl::HASH,
        group: "hash", since: "2.0.0", summary: "Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn't exist.",
        complexity: "O(1)",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0), a("field", Str), a("increment", Int)], subcommands: &[],
    },
    Command {
        name: "hincrbyfloat", handler: hincrbyfloat_command, arity: 4, flags: W | f::FAST, acl: acl::HASH,
        group: "hash", since: "2.6.0", summary: "Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn't exist.",
        complexity: "O(1)",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0), a("field", Str), a("increment", Double)], subcommands: &[],
    },
    Command {
        name: "hdel", handler: hdel_command, arity: -3, flags: f::WRITE | f::FAST, acl: acl::HASH,
        group: "hash", since: "2.0.0", summary: "Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.",
        complexity: "O(N) where N is the number of fields to be removed.",
        key_specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("2.4.0", "Takes several fields."),
        ],
        args: &[a("key", Key).ks(0), a("field", Str).multi()], subcommands: &[],
    },
    Command {
        name: "hlen", handler: hlen_command, arity: 2, flags: RF, acl: acl::HASH,
        group: "hash", since: "2.0.0", summary: "Returns the number of fields in a hash.",
        complexity: "O(1)",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0)], subcommands: &[],
    },
    Command {
        name: "hstrlen", handler: hstrlen_command, arity: 3, flags: RF, acl: acl::HASH,
        group: "hash", since: "3.2.0", summary: "Returns the length of the value of a field.",
        complexity: "O(1)",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0), a("field", Str)], subcommands: &[],
    },
    Command {
        name: "hkeys", handler: hkeys_command, arity: 2, flags: f::READONLY, acl: acl::HASH,
        group: "hash", since: "2.0.0", summary: "Returns all fields in a hash.",
        complexity: "O(N) where N is the size of the hash.",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output_order"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0)], subcommands: &[],
    },
    Command {
        name: "hvals", handler: hvals_command, arity: 2, flags: f::READONLY, acl: acl::HASH,
        group: "hash", since: "2.0.0", summary: "Returns all values in a hash.",
        complexity: "O(N) where N is the size of the hash.",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output_order"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0)], subcommands: &[],
    },
    Command {
        name: "hgetall", handler: hgetall_command, arity: 2, flags: f::READONLY, acl: acl::HASH,
        group: "hash", since: "2.0.0", summary: "Returns all fields and values in a hash.",
        complexity: "O(N) where N is the size of the hash.",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output_order"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0)], subcommands: &[],
    },
    Command {
        name: "hexists", handler: hexists_command, arity: 3, flags: RF, acl: acl::HASH,
        group: "hash", since: "2.0.0", summary: "Determines whether a field exists in a hash.",
        complexity: "O(1)",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0), a("field", Str)], subcommands: &[],
    },
    Command {
        name: "hrandfield", handler: hrandfield_command, arity: -2, flags: f::READONLY, acl: acl::HASH,
        group: "hash", since: "6.2.0", summary: "Returns one or more random fields from a hash.",
        complexity: "O(N) where N is the number of fields returned",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("key", Key).ks(0),
            a("options", Block).opt().sub(&[
                a("count", Int),
                a("withvalues", Token).token("WITHVALUES").opt(),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "hscan", handler: hscan_command, arity: -3, flags: f::READONLY, acl: acl::HASH,
        group: "hash", since: "2.8.0", summary: "Iterates over fields and values of a hash.",
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

/// The listpack thresholds from the configuration.
fn limits(srv: &Server) -> HashLimits {
    HashLimits {
        max_entries: srv.config.hash_max_listpack_entries as usize,
        max_value: srv.config.hash_max_listpack_value as usize,
    }
}

/// Reads a hash: Ok(None) if the key is missing, WRONGTYPE for other types.
pub fn lookup_hash<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a Hash>, OpError> {
    match db.lookup(key) {
        None => Ok(None),
        Some(e) => match e.value() {
            ValueRef::Obj(Object::Hash(h)) => Ok(Some(h)),
            _ => Err(OpError::WrongType),
        },
    }
}

/// Runs `f` on the hash at `key` for writing (Redis's hashTypeLookupWriteOrCreate
/// when `create`). Returns Ok(None) if the key is missing and not created. A hash
/// left empty by `f` is deleted. `changed` tells from `f`'s result whether it
/// changed the hash: only then is the key touched (WATCH, tracking), as Redis
/// signals a modified key only when something changed.
pub fn with_hash_write<R>(
    db: &mut Db,
    key: &[u8],
    create: bool,
    f: impl FnOnce(&mut Hash) -> R,
    changed: impl FnOnce(&R) -> bool,
) -> Result<Option<R>, OpError> {
    let mut f = Some(f);
    let done = match db.lookup_mut(key) {
        Some(e) => {
            if !matches!(e.value(), ValueRef::Obj(Object::Hash(_))) {
                return Err(OpError::WrongType);
            }
            let Some(Object::Hash(h)) = e.obj_mut() else {
                unreachable!("checked above")
            };
            let r = (f.take().expect("once"))(h);
            Some((r, h.is_empty()))
        }
        None => None,
    };
    let (r, empty) = match done {
        Some(d) => d,
        None if !create => return Ok(None),
        None => {
            let mut h = Hash::new();
            let r = (f.take().expect("once"))(&mut h);
            if h.is_empty() {
                return Ok(Some(r));
            }
            db.set(key, Value::Obj(Object::Hash(h)), None);
            return Ok(Some(r));
        }
    };
    if empty {
        db.remove(key);
    } else if changed(&r) {
        db.touch(key);
    }
    Ok(Some(r))
}

/// HSET key field value [field value ...] / HMSET key field value [field value ...]
pub fn hset_command(srv: &mut Server, c: &mut Client) {
    let hmset = c.argv[0][1].eq_ignore_ascii_case(&b'm');
    if c.argv.len() % 2 == 1 {
        return c.add_error(&error::wrong_arity(if hmset { "hmset" } else { "hset" }));
    }
    let lim = limits(srv);
    let key = c.argv[1].clone();
    let argv = &c.argv;
    // Setting a field to the value it has is a change too, as in Redis.
    let r = with_hash_write(
        &mut srv.dbs[c.db],
        &key,
        true,
        |h| {
            h.try_conversion(argv[2..].iter().map(|a| &a[..]), &lim);
            let mut created = 0;
            for p in argv[2..].chunks(2) {
                created += h.set(&p[0], &p[1], &lim) as i64;
            }
            created
        },
        |_| true,
    );
    match r {
        Ok(created) => {
            srv.dirty += ((c.argv.len() - 2) / 2) as u64;
            if hmset {
                c.add_ok();
            } else {
                c.add_int(created.unwrap_or(0));
            }
            notify(srv, c, ev::HASH, "hset", &key);
        }
        Err(e) => reply_err(c, e),
    }
}

/// HSETNX key field value
pub fn hsetnx_command(srv: &mut Server, c: &mut Client) {
    let lim = limits(srv);
    let key = c.argv[1].clone();
    let (field, val) = (&c.argv[2], &c.argv[3]);
    let r = with_hash_write(
        &mut srv.dbs[c.db],
        &key,
        true,
        |h| {
            if h.contains(field) {
                return false;
            }
            h.try_conversion([&field[..], &val[..]], &lim);
            h.set(field, val, &lim);
            true
        },
        |&set| set,
    );
    match r {
        Ok(Some(true)) => {
            srv.dirty += 1;
            c.add_int(1);
            notify(srv, c, ev::HASH, "hset", &key);
        }
        Ok(_) => c.add_int(0),
        Err(e) => reply_err(c, e),
    }
}

/// HGET key field
pub fn hget_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    match lookup_hash(&mut srv.dbs[c.db], &key) {
        Ok(Some(h)) => match h.get(&c.argv[2]) {
            Some(v) => c.add_bulk(v),
            None => c.add_null(),
        },
        Ok(None) => c.add_null(),
        Err(e) => reply_err(c, e),
    }
}

/// HMGET key field [field ...]
pub fn hmget_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    let h = match lookup_hash(&mut srv.dbs[c.db], &key) {
        Ok(h) => h,
        Err(e) => return reply_err(c, e),
    };
    let vals: Vec<Option<Vec<u8>>> = c.argv[2..]
        .iter()
        .map(|fl| h.and_then(|h| h.get(fl)).map(<[u8]>::to_vec))
        .collect();
    c.add_array_len(vals.len());
    for v in vals {
        match v {
            Some(v) => c.add_bulk(&v),
            None => c.add_null(),
        }
    }
}

/// HDEL key field [field ...]
pub fn hdel_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    let argv = &c.argv;
    let r = with_hash_write(
        &mut srv.dbs[c.db],
        &key,
        false,
        |h| {
            let mut n = 0;
            for fl in &argv[2..] {
                if h.remove(fl) {
                    n += 1;
                    if h.is_empty() {
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
                notify(srv, c, ev::HASH, "hdel", &key);
                if srv.dbs[c.db].table().find(&key).is_none() {
                    notify(srv, c, ev::GENERIC, "del", &key);
                }
            }
            c.add_int(n);
        }
        Err(e) => reply_err(c, e),
    }
}

/// HLEN key
pub fn hlen_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    match lookup_hash(&mut srv.dbs[c.db], &key) {
        Ok(h) => c.add_int(h.map_or(0, |h| h.len() as i64)),
        Err(e) => reply_err(c, e),
    }
}

/// HSTRLEN key field
pub fn hstrlen_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    match lookup_hash(&mut srv.dbs[c.db], &key) {
        Ok(h) => {
            let n = h.and_then(|h| h.get(&c.argv[2])).map_or(0, |v| v.len());
            c.add_int(n as i64)
        }
        Err(e) => reply_err(c, e),
    }
}

/// HEXISTS key field
pub fn hexists_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    match lookup_hash(&mut srv.dbs[c.db], &key) {
        Ok(h) => {
            let found = h.is_some_and(|h| h.contains(&c.argv[2]));
            c.add_int(found as i64)
        }
        Err(e) => reply_err(c, e),
    }
}

const KEYS: u8 = 1;
const VALS: u8 = 2;

/// Redis's genericHgetallCommand: HKEYS, HVALS, HGETALL (a map in RESP3).
fn hgetall_generic(srv: &mut Server, c: &mut Client, what: u8) {
    let key = c.argv[1].clone();
    let h = match lookup_hash(&mut srv.dbs[c.db], &key) {
        Ok(h) => h,
        Err(e) => return reply_err(c, e),
    };
    let n = h.map_or(0, Hash::len);
    if what == KEYS | VALS {
        c.add_map_len(n);
    } else {
        c.add_array_len(n);
    }
    let Some(h) = h else { return };
    for (k, v) in h.iter() {
        if what & KEYS != 0 {
            c.add_bulk(k);
        }
        if what & VALS != 0 {
            c.add_bulk(v);
        }
    }
}

/// HKEYS key
pub fn hkeys_command(srv: &mut Server, c: &mut Client) {
    hgetall_generic(srv, c, KEYS);
}

/// HVALS key
pub fn hvals_command(srv: &mut Server, c: &mut Client) {
    hgetall_generic(srv, c, VALS);
}

/// HGETALL key
pub fn hgetall_command(srv: &mut Server, c: &mut Client) {
    hgetall_generic(srv, c, KEYS | VALS);
}

/// HINCRBY key field increment
pub fn hincrby_command(srv: &mut Server, c: &mut Client) {
    let incr = match arg_i64(c, 3) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let lim = limits(srv);
    let key = c.argv[1].clone();
    let field = &c.argv[2];
    let r = with_hash_write(
        &mut srv.dbs[c.db],
        &key,
        true,
        |h| {
            let old = match h.get(field) {
                Some(v) => parse_i64(v).ok_or(OpError::Static(nerr::HASH_NOT_INTEGER))?,
                None => 0,
            };
            let new = old.checked_add(incr).ok_or(OpError::Overflow)?;
            h.set(field, format_i64(new, &mut [0u8; I64_BUF]), &lim);
            Ok(new)
        },
        Result::is_ok,
    );
    match r.and_then(|r| r.expect("created")) {
        Ok(v) => {
            srv.dirty += 1;
            c.add_int(v);
            notify(srv, c, ev::HASH, "hincrby", &key);
        }
        Err(e) => reply_err(c, e),
    }
}

/// HINCRBYFLOAT key field increment
pub fn hincrbyfloat_command(srv: &mut Server, c: &mut Client) {
    let Some(incr) = LongDouble::parse(&c.argv[3]) else {
        return reply_err(c, OpError::NotFloat);
    };
    if !incr.is_finite() {
        return c.add_error(nerr::INCR_NAN_OR_INF);
    }
    let lim = limits(srv);
    let key = c.argv[1].clone();
    let field = &c.argv[2];
    let r = with_hash_write(
        &mut srv.dbs[c.db],
        &key,
        true,
        |h| {
            let old = match h.get(field) {
                Some(v) => LongDouble::parse(v).ok_or(OpError::Static(nerr::HASH_NOT_FLOAT))?,
                None => LongDouble::ZERO,
            };
            let sum = old + incr;
            if !sum.is_finite() {
                return Err(OpError::Static(nerr::NAN_OR_INF));
            }
            let text = sum.format_human();
            h.set(field, text.as_bytes(), &lim);
            Ok(text)
        },
        Result::is_ok,
    );
    match r.and_then(|r| r.expect("created")) {
        Ok(text) => {
            srv.dirty += 1;
            // Propagated as HSET of the result, as Redis.
            let (k, fld) = (key.clone(), c.argv[2].clone());
            let t = bytes::Bytes::copy_from_slice(text.as_bytes());
            crate::repl::rewrite(srv, || vec![bytes::Bytes::from_static(b"HSET"), k, fld, t]);
            c.add_bulk(text.as_bytes());
            notify(srv, c, ev::HASH, "hincrbyfloat", &key);
        }
        Err(e) => reply_err(c, e),
    }
}

/// HRANDFIELD key [count \[WITHVALUES\]]
pub fn hrandfield_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    if c.argv.len() >= 3 {
        // The count is parsed before the arity and the WITHVALUES word are checked.
        let l = match parse_rand_count(&c.argv[2]) {
            Ok(v) => v,
            Err(e) => return reply_err(c, e),
        };
        let withvalues = c.argv.len() == 4;
        if c.argv.len() > 4 || (withvalues && !c.argv[3].eq_ignore_ascii_case(b"withvalues")) {
            return reply_err(c, OpError::Syntax);
        }
        // The reply of a count with values would overflow its length.
        if withvalues && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
            return c.add_error(nerr::VALUE_OUT_OF_RANGE);
        }
        return hrandfield_with_count(srv, c, key, l, withvalues);
    }
    match lookup_hash(&mut srv.dbs[c.db], &key) {
        Ok(Some(h)) => c.add_bulk(h.random().0),
        Ok(None) => c.add_null(),
        Err(e) => reply_err(c, e),
    }
}

/// Parses a random-command count in [-LONG_MAX, LONG_MAX] (Redis's
/// getRangeLongFromObjectOrReply with no message).
pub fn parse_rand_count(arg: &[u8]) -> Result<i64, OpError> {
    let v = parse_i64(arg).ok_or(OpError::NotInteger)?;
    if v == i64::MIN {
        return Err(OpError::Msg(error::value_out_of_range(-i64::MAX, i64::MAX)));
    }
    Ok(v)
}

fn hrandfield_with_count(
    srv: &mut Server,
    c: &mut Client,
    key: bytes::Bytes,
    l: i64,
    withvalues: bool,
) {
    let (count, uniq) = (l.unsigned_abs() as usize, l >= 0);
    let h = match lookup_hash(&mut srv.dbs[c.db], &key) {
        Ok(Some(h)) => h,
        Ok(None) => return c.add_array_len(0),
        Err(e) => return reply_err(c, e),
    };
    if count == 0 {
        return c.add_array_len(0);
    }
    let resp3 = c.resp >= 3;
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let size = h.len();
    if !uniq || count == 1 {
        // Repeats allowed: independent picks, streamed (the count may be huge).
        c.add_array_len(if withvalues && !resp3 {
            count * 2
        } else {
            count
        });
        for _ in 0..count {
            let (k, v) = h.random();
            if withvalues && resp3 {
                c.add_array_len(2);
            }
            c.add_bulk(k);
            if withvalues {
                c.add_bulk(v);
            }
        }
        return;
    } else if count >= size {
        pairs.extend(h.iter().map(|(k, v)| (k.to_vec(), v.to_vec())));
    } else if count * 3 > size {
        // Many of them: shuffle a copy and keep `count`.
        let mut all: Vec<(Vec<u8>, Vec<u8>)> =
            h.iter().map(|(k, v)| (k.to_vec(), v.to_vec())).collect();
        for i in 0..count {
            let j = i + dict::rand_below(all.len() - i);
            all.swap(i, j);
        }
        all.truncate(count);
        pairs = all;
    } else {
        // Few of them: pick until `count` distinct fields.
        let mut seen: HashSet<Vec<u8>> = HashSet::with_capacity(count);
        while pairs.len() < count {
            let (k, v) = h.random();
            if seen.insert(k.to_vec()) {
                pairs.push((k.to_vec(), v.to_vec()));
            }
        }
    }
    if withvalues && !resp3 {
        c.add_array_len(pairs.len() * 2);
    } else {
        c.add_array_len(pairs.len());
    }
    for (k, v) in pairs {
        if withvalues && resp3 {
            c.add_array_len(2);
        }
        c.add_bulk(&k);
        if withvalues {
            c.add_bulk(&v);
        }
    }
}

pub use super::generic::parse_scan_cursor;

/// SCAN options of HSCAN/SSCAN: COUNT (>= 1) and MATCH; anything else is a
/// syntax error (TYPE is only for SCAN).
pub fn parse_scan_options(argv: &[bytes::Bytes]) -> Result<(usize, Option<&[u8]>), OpError> {
    let mut count = 10usize;
    let mut pat = None;
    let mut i = 0;
    while i < argv.len() {
        let has_arg = i + 1 < argv.len();
        if argv[i].eq_ignore_ascii_case(b"count") && has_arg {
            let n = parse_i64(&argv[i + 1]).ok_or(OpError::NotInteger)?;
            if n < 1 {
                return Err(OpError::Syntax);
            }
            count = n as usize;
        } else if argv[i].eq_ignore_ascii_case(b"match") && has_arg {
            let p = &argv[i + 1][..];
            pat = if p == b"*" { None } else { Some(p) };
        } else {
            return Err(OpError::Syntax);
        }
        i += 2;
    }
    Ok((count, pat))
}

/// Drives `step` the way Redis's scanGenericCommand drives dictScan: at least one
/// step, then more while the cursor is not 0, fewer than `count` elements were
/// collected and the iteration budget (`count * 10`) lasts.
pub fn scan_loop(mut cursor: u64, count: usize, mut step: impl FnMut(u64) -> (u64, usize)) -> u64 {
    let mut budget = count.saturating_mul(10);
    let mut got = 0;
    loop {
        let (next, n) = step(cursor);
        cursor = next;
        got += n;
        if cursor == 0 || budget == 0 || got >= count {
            return cursor;
        }
        budget -= 1;
    }
}

/// HSCAN key cursor [MATCH pattern] [COUNT count]
pub fn hscan_command(srv: &mut Server, c: &mut Client) {
    let cursor = match parse_scan_cursor(&c.argv[2]) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let key = c.argv[1].clone();
    let h = match lookup_hash(&mut srv.dbs[c.db], &key) {
        Ok(Some(h)) => h,
        Ok(None) => return c.add_raw(b"*2\r\n$1\r\n0\r\n*0\r\n"),
        Err(e) => return reply_err(c, e),
    };
    let (count, pat) = match parse_scan_options(&c.argv[3..]) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let mut out: Vec<Vec<u8>> = Vec::new();
    // Redis doubles COUNT (and so the bucket budget) for field-value replies and
    // counts both against it.
    let next = scan_loop(cursor, count.saturating_mul(2), |cur| {
        let mut n = 0;
        let next = h.scan(cur, |k, v| {
            n += 2;
            if pat.is_none_or(|p| string_match(p, k, false)) {
                out.push(k.to_vec());
                out.push(v.to_vec());
            }
        });
        (next, n)
    });
    c.add_array_len(2);
    c.add_bulk(
        format_i64(next as i64, &mut [0u8; I64_BUF])
            .to_vec()
            .as_slice(),
    );
    c.add_array_len(out.len());
    for b in out {
        c.add_bulk(&b);
    }
}
