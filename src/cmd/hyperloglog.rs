//! HyperLogLog commands (the command half of Redis's hyperloglog.c): PFADD,
//! PFCOUNT, PFMERGE and the debugging PFDEBUG and PFSELFTEST. An HLL is a
//! plain string value holding Redis's exact bytes (`db/hll.rs`), so every
//! change is a write into that string.
//!
//! As in Redis, PFCOUNT of one key is a write when the cached cardinality is
//! stale: it stores the new one in the string, touches the key (WATCH,
//! tracking) and counts as dirty, so it is propagated; PFDEBUG GETREG/TODENSE
//! converting to dense is dirty (propagated) but touches nothing. PFMERGE
//! announces its result as a `pfadd` event, a mass add.

use bytes::Bytes;

use super::{acl, flags as f, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::config::notify as ev;
use crate::db::hll::{self, Corrupt, REGISTERS};
use crate::db::{Db, Entry, ValueRef};
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;

/// Redis's isHLLObjectOrReply: the bytes of an HLL value, WRONGTYPE for
/// aggregates and for strings that are not HLLs (int-encoded ones included).
fn hll_bytes(e: &Entry) -> Result<&[u8], OpError> {
    match e.value() {
        ValueRef::Obj(_) => Err(OpError::WrongType),
        ValueRef::Str(s) if hll::is_hll(s) => Ok(s),
        _ => Err(OpError::Static(error::HLL_WRONGTYPE)),
    }
}

fn corrupt(_: Corrupt) -> OpError {
    OpError::Static(error::HLL_INVALID)
}

/// Gives a string value Redis's `raw` encoding without changing its bytes, as
/// dbUnshareStringValue does before a command may write to it.
fn unshare(db: &mut Db, key: &[u8]) {
    if db.peek(key).and_then(Entry::str_encoding) != Some("raw") {
        let _ = db.with_string_mut(key, false, |_| ((), false));
    }
}

/// PFADD key [element [element ...]]
pub fn pfadd_command(srv: &mut Server, c: &mut Client) {
    let argv = std::mem::take(&mut c.argv);
    let key = &argv[1];
    let sparse_max = srv.config.hll_sparse_max_bytes;
    let db = &mut srv.dbs[c.db];
    if let Some(e) = db.lookup_write(key) {
        if let Err(err) = hll_bytes(e) {
            c.argv = argv;
            return super::reply_err(c, err);
        }
    }
    let r = db.with_string_mut(key, true, |s| {
        let mut updated = 0u64;
        if s.is_empty() {
            *s = hll::new_sparse();
            updated += 1;
        }
        let mut w = hll::Sds::new(s);
        for ele in &argv[2..] {
            match w.add(ele, sparse_max) {
                Ok(true) => updated += 1,
                Ok(false) => {}
                // What the earlier elements changed stays, untouched for
                // WATCH and unpropagated, as in Redis.
                Err(e) => return (Err(e), false),
            }
        }
        if updated > 0 {
            hll::invalidate_cache(s);
        }
        (Ok(updated), updated > 0)
    });
    match r {
        Ok(Some(Ok(updated))) => {
            if updated > 0 {
                notify(srv, c, ev::STRING, "pfadd", key);
                srv.dirty += updated;
            }
            c.add_int((updated > 0) as i64);
        }
        Ok(Some(Err(e))) => super::reply_err(c, corrupt(e)),
        Ok(None) => c.add_int(0),
        Err(e) => super::reply_err(c, e),
    }
    c.argv = argv;
}

/// PFCOUNT key [key ...]
pub fn pfcount_command(srv: &mut Server, c: &mut Client) {
    if c.argv.len() > 2 {
        return pfcount_union(srv, c);
    }
    let key = c.argv[1].clone();
    let db = &mut srv.dbs[c.db];
    let (cached, raw) = match db.lookup(&key) {
        None => return c.add_int(0),
        Some(e) => match hll_bytes(e) {
            Ok(s) => (hll::cached_card(s), e.str_encoding() == Some("raw")),
            Err(err) => return super::reply_err(c, err),
        },
    };
    if let Some(card) = cached {
        if !raw {
            unshare(db, &key);
        }
        return c.add_int(card as i64);
    }
    let r = db.with_string_mut(&key, false, |s| match hll::count(s) {
        Ok(card) => {
            hll::set_cached_card(s, card);
            (Ok(card), true)
        }
        Err(e) => (Err(e), false),
    });
    match r {
        Ok(Some(Ok(card))) => {
            srv.dirty += 1;
            c.add_int(card as i64);
        }
        Ok(Some(Err(e))) => super::reply_err(c, corrupt(e)),
        Ok(None) => c.add_int(0),
        Err(e) => super::reply_err(c, e),
    }
}

/// Redis's hllMerge over every key in `keys` that exists, into `max`; true if
/// one of them is dense.
fn merge_keys(db: &mut Db, keys: &[Bytes], max: &mut [u8; REGISTERS]) -> Result<bool, OpError> {
    let mut dense = false;
    for key in keys {
        let Some(e) = db.lookup(key) else { continue };
        let s = hll_bytes(e)?;
        dense |= hll::encoding(s) == hll::DENSE;
        hll::merge(max, s).map_err(corrupt)?;
    }
    Ok(dense)
}

/// PFCOUNT of several keys: the cardinality of their union, merged into a
/// scratch register array; nothing is written.
fn pfcount_union(srv: &mut Server, c: &mut Client) {
    let mut max = [0u8; REGISTERS];
    match merge_keys(&mut srv.dbs[c.db], &c.argv[1..], &mut max) {
        Ok(_) => c.add_int(hll::count_raw(&max) as i64),
        Err(e) => super::reply_err(c, e),
    }
}

/// PFMERGE destkey [sourcekey [sourcekey ...]]
///
/// The destination is a source too. It stays sparse (turning dense only as
/// PFADD would) unless one of the inputs is dense, as in Redis 7.0.
pub fn pfmerge_command(srv: &mut Server, c: &mut Client) {
    let mut max = [0u8; REGISTERS];
    let sparse_max = srv.config.hll_sparse_max_bytes;
    let db = &mut srv.dbs[c.db];
    let use_dense = match merge_keys(db, &c.argv[1..], &mut max) {
        Ok(d) => d,
        Err(e) => return super::reply_err(c, e),
    };
    let key = c.argv[1].clone();
    let r = db.with_string_mut(&key, true, |s| {
        if s.is_empty() {
            *s = hll::new_sparse();
        }
        if use_dense {
            if let Err(e) = hll::to_dense(s) {
                return (Err(e), false);
            }
        }
        hll::store_max(s, &max, sparse_max);
        (Ok(()), true)
    });
    match r {
        Ok(Some(Ok(()))) => {
            notify(srv, c, ev::STRING, "pfadd", &key);
            srv.dirty += 1;
            c.add_ok();
        }
        Ok(Some(Err(e))) => super::reply_err(c, corrupt(e)),
        Ok(None) => c.add_ok(),
        Err(e) => super::reply_err(c, e),
    }
}

/// PFSELFTEST
pub fn pfselftest_command(srv: &mut Server, c: &mut Client) {
    let rand = crate::db::hash::dict::rand_u64;
    match hll::selftest(srv.config.hll_sparse_max_bytes, rand) {
        Ok(()) => c.add_ok(),
        Err(msg) => c.add_error(&msg),
    }
}

/// PFDEBUG <GETREG | DECODE | ENCODING | TODENSE> key
pub fn pfdebug_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[2].clone();
    let db = &mut srv.dbs[c.db];
    let encoding = match db.lookup_write(&key) {
        None => return c.add_error("ERR The specified key does not exist"),
        Some(e) => match hll_bytes(e) {
            Ok(s) => hll::encoding(s),
            Err(err) => return super::reply_err(c, err),
        },
    };
    unshare(db, &key);
    let sub = error::c_str(&c.argv[1], usize::MAX).to_ascii_lowercase();
    match &sub[..] {
        b"getreg" | b"todense" => {
            let converted = encoding == hll::SPARSE;
            if converted {
                let r = db.with_string_mut(&key, false, |s| (hll::to_dense(s), false));
                if let Ok(Some(Err(e))) = r {
                    return super::reply_err(c, corrupt(e));
                }
                // The encoding changed: replicas must convert too.
                srv.dirty += 1;
            }
            if sub == b"todense" {
                return c.add_int(converted as i64);
            }
            let Some(e) = srv.dbs[c.db].peek(&key) else {
                return c.add_null();
            };
            let regs: Vec<u8> = match e.value() {
                ValueRef::Str(s) => hll::dense_registers(s).collect(),
                _ => Vec::new(),
            };
            c.add_array_len(regs.len());
            for r in regs {
                c.add_int(r as i64);
            }
        }
        b"decode" => {
            if encoding != hll::SPARSE {
                return c.add_error("ERR HLL encoding is not sparse");
            }
            let text = match db.peek(&key).map(Entry::value) {
                Some(ValueRef::Str(s)) => hll::decode(s),
                _ => String::new(),
            };
            c.add_bulk(text.as_bytes());
        }
        b"encoding" => c.add_status(if encoding == hll::DENSE {
            "dense"
        } else {
            "sparse"
        }),
        _ => {
            let msg = [
                &b"ERR Unknown PFDEBUG subcommand '"[..],
                error::c_str(&c.argv[1], usize::MAX),
                b"'",
            ]
            .concat();
            c.add_error_bytes(&msg);
        }
    }
}

const HLL: u64 = acl::HYPERLOGLOG;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "pfadd", handler: pfadd_command, arity: -2, flags: f::WRITE | f::DENYOOM | f::FAST, acl: HLL,
        group: "hyperloglog", since: "2.8.9", summary: "Adds the specified elements to the specified HyperLogLog.",
        complexity: "O(1) to add every element.",
        key_specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("key", Key).ks(0),
            a("element", Str).opt().multi(),
        ],
        subcommands: &[],
    },
    Command {
        name: "pfcount", handler: pfcount_command, arity: -2, flags: f::READONLY | f::MAY_REPLICATE, acl: HLL,
        group: "hyperloglog", since: "2.8.9", summary: "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
        complexity: "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
        key_specs: &[ks(RW | ACCESS, idx(1), range(-1, 1, 0)).notes("RW because it may change the internal representation of the key, and propagate to replicas")],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("key", Key).ks(0).multi(),
        ],
        subcommands: &[],
    },
    Command {
        name: "pfdebug", handler: pfdebug_command, arity: 3, flags: f::WRITE | f::DENYOOM | f::ADMIN, acl: HLL,
        group: "hyperloglog", since: "2.8.9", summary: "Internal commands for debugging HyperLogLog values",
        complexity: "N/A",
        key_specs: &[ks(RW | ACCESS, idx(2), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: DOC_SYSCMD, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("subcommand", Str),
            a("key", Key).ks(0),
        ],
        subcommands: &[],
    },
    Command {
        name: "pfmerge", handler: pfmerge_command, arity: -2, flags: f::WRITE | f::DENYOOM, acl: HLL,
        group: "hyperloglog", since: "2.8.9", summary: "Merge N different HyperLogLogs into a single one.",
        complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
        key_specs: &[
            ks(RW | ACCESS | INSERT, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), range(-1, 1, 0)),
        ],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("destkey", Key).ks(0),
            a("sourcekey", Key).ks(1).multi(),
        ],
        subcommands: &[],
    },
    Command {
        name: "pfselftest", handler: pfselftest_command, arity: 1, flags: f::ADMIN, acl: HLL,
        group: "hyperloglog", since: "2.8.9", summary: "An internal command for testing HyperLogLog values",
        complexity: "N/A",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: DOC_SYSCMD, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
];
