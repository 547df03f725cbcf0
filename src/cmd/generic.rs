//! Redis's "generic" command group as db.c serves it: DEL, UNLINK, EXISTS, TYPE,
//! KEYS, SCAN, RANDOMKEY, RENAME, RENAMENX, MOVE, COPY, TOUCH, OBJECT, and the
//! database-wide DBSIZE, FLUSHDB, FLUSHALL, SWAPDB. Expiry commands live in
//! `expire.rs`.

use bytes::Bytes;

use super::{acl, container_command, flags as f, reply_err, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::config::notify as ev;
use crate::config::MaxmemoryPolicy;
use crate::db::{Db, Entry, ValueRef};
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::glob::string_match;

mod commands;
pub use commands::COMMANDS;

fn del_generic(srv: &mut Server, c: &mut Client, lazy: bool) {
    let mut n = 0;
    for i in 1..c.argv.len() {
        if let Some(e) = srv.dbs[c.db].remove(&c.argv[i]) {
            if lazy {
                srv.lazyfree.free_entry(e);
            }
            n += 1;
            let key = c.argv[i].clone();
            notify(srv, c, ev::GENERIC, "del", &key);
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

/// Redis's TYPE name of a value.
pub fn type_name(e: &Entry) -> &'static str {
    match e.value() {
        ValueRef::Obj(o) => o.type_name(),
        _ => "string",
    }
}

/// TYPE key
pub fn type_command(srv: &mut Server, c: &mut Client) {
    let t = srv.dbs[c.db]
        .lookup_notouch(&c.argv[1])
        .map_or("none", type_name);
    c.add_status(t);
}

/// KEYS pattern
pub fn keys_command(srv: &mut Server, c: &mut Client) {
    let pat = c.argv[1].clone();
    let all = &pat[..] == b"*";
    // Expired keys are skipped but left for lazy/active expiry to reclaim: in
    // Redis, KEYS does not delete them (DBSIZE still counts them afterwards).
    let db = &srv.dbs[c.db];
    let keys: Vec<Bytes> = db
        .table()
        .iter()
        .filter(|e| !db.is_expired(e) && (all || string_match(&pat, e.key(), false)))
        .map(|e| Bytes::copy_from_slice(e.key()))
        .collect();
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
        srv.lazyfree.free_counted(old, n as u64);
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
    // Propagated even when the database was already empty, as Redis 7.0.
    crate::repl::force(srv);
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
    // Redis 7.0 counts the removed keys only (an empty FLUSHALL is no change).
    srv.dirty += n as u64;
    crate::repl::force(srv);
    c.add_ok();
}

/// Parses a database index the way Redis's getIntFromObjectOrReply does: `msg`
/// replaces both the not-an-integer and the out-of-int-range texts when given.
pub fn parse_db_index(arg: &[u8], msg: Option<&'static str>) -> Result<i64, OpError> {
    let v = crate::util::number::parse_i64(arg)
        .ok_or_else(|| msg.map_or(OpError::NotInteger, OpError::Static))?;
    if v < i32::MIN as i64 || v > i32::MAX as i64 {
        return Err(match msg {
            Some(m) => OpError::Static(m),
            None => OpError::Msg(error::value_out_of_range(i32::MIN as i64, i32::MAX as i64)),
        });
    }
    Ok(v)
}

/// Checks a parsed database index against `databases`.
fn db_in_range(srv: &Server, id: i64) -> Result<usize, OpError> {
    if id < 0 || id >= srv.dbs.len() as i64 {
        Err(OpError::Static(error::DB_INDEX))
    } else {
        Ok(id as usize)
    }
}

/// Two distinct databases, both mutable.
fn two_dbs(dbs: &mut [Db], a: usize, b: usize) -> (&mut Db, &mut Db) {
    assert_ne!(a, b);
    if a < b {
        let (lo, hi) = dbs.split_at_mut(b);
        (&mut lo[a], &mut hi[0])
    } else {
        let (lo, hi) = dbs.split_at_mut(a);
        (&mut hi[0], &mut lo[b])
    }
}

/// Frees a value that a write replaced, on the lazy-free thread when
/// `lazyfree-lazy-server-del` says so (Redis's dbDelete on an overwrite).
fn free_replaced(srv: &Server, old: Option<Entry>) {
    if let Some(e) = old {
        if srv.config.lazyfree_lazy_server_del {
            srv.lazyfree.free_entry(e);
        }
    }
}

/// Parses a SCAN cursor as Redis does with `strtoul`: optional sign, decimal
/// digits, nothing after them (a NUL ends the C string), no leading space;
/// negative values wrap, the empty string is 0, overflow is an error.
pub fn parse_scan_cursor(arg: &[u8]) -> Result<u64, OpError> {
    let invalid = OpError::Static(error::INVALID_CURSOR);
    let end = arg.iter().position(|&b| b == 0).unwrap_or(arg.len());
    let s = &arg[..end];
    if s.is_empty() {
        return Ok(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(invalid);
    }
    let mut v: u64 = 0;
    for &d in digits {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add((d - b'0') as u64))
            .ok_or(invalid.clone())?;
    }
    Ok(if neg { v.wrapping_neg() } else { v })
}

/// The options shared by the SCAN family: `[MATCH pattern] [COUNT count]`, plus
/// `[TYPE type]` for SCAN itself.
pub struct ScanOpts {
    pub count: usize,
    /// None for no pattern (or the match-all `*`).
    pub pattern: Option<Bytes>,
    pub type_name: Option<Bytes>,
}

/// Parses the SCAN options starting at `argv[start]` (later options override
/// earlier ones, as in Redis).
pub fn parse_scan_opts(
    argv: &[Bytes],
    start: usize,
    allow_type: bool,
) -> Result<ScanOpts, OpError> {
    let mut o = ScanOpts {
        count: 10,
        pattern: None,
        type_name: None,
    };
    let mut i = start;
    while i < argv.len() {
        let has_arg = i + 1 < argv.len();
        let opt = &argv[i];
        if opt.eq_ignore_ascii_case(b"count") && has_arg {
            let n = crate::util::number::parse_i64(&argv[i + 1]).ok_or(OpError::NotInteger)?;
            if n < 1 {
                return Err(OpError::Syntax);
            }
            o.count = usize::try_from(n).unwrap_or(usize::MAX);
        } else if opt.eq_ignore_ascii_case(b"match") && has_arg {
            let p = &argv[i + 1];
            o.pattern = if &p[..] == b"*" {
                None
            } else {
                Some(p.clone())
            };
        } else if opt.eq_ignore_ascii_case(b"type") && allow_type && has_arg {
            o.type_name = Some(argv[i + 1].clone());
        } else {
            return Err(OpError::Syntax);
        }
        i += 2;
    }
    Ok(o)
}

/// One SCAN call over a database: returns the next cursor and the keys found.
/// As in Redis, about COUNT buckets' worth of keys are visited (COUNT is a hint)
/// and MATCH / TYPE filter what was visited.
pub fn scan_db(db: &mut Db, cursor: u64, o: &ScanOpts) -> (u64, Vec<Bytes>) {
    let mut keys = Vec::new();
    let cursor = db.scan(cursor, o.count, |e| {
        if let Some(p) = &o.pattern {
            if !string_match(p, e.key(), false) {
                return;
            }
        }
        if let Some(t) = &o.type_name {
            if !t.eq_ignore_ascii_case(type_name(e).as_bytes()) {
                return;
            }
        }
        keys.push(Bytes::copy_from_slice(e.key()));
    });
    (cursor, keys)
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
pub fn scan_command(srv: &mut Server, c: &mut Client) {
    let parsed =
        parse_scan_cursor(&c.argv[1]).and_then(|cur| Ok((cur, parse_scan_opts(&c.argv, 2, true)?)));
    let (cursor, opts) = match parsed {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let (next, keys) = scan_db(&mut srv.dbs[c.db], cursor, &opts);
    c.add_array_len(2);
    c.add_bulk(next.to_string().as_bytes());
    c.add_array_len(keys.len());
    for k in &keys {
        c.add_bulk(k);
    }
}

/// RANDOMKEY
pub fn randomkey_command(srv: &mut Server, c: &mut Client) {
    match srv.dbs[c.db].random_key() {
        Some(k) => c.add_bulk(&k),
        None => c.add_null(),
    }
}

/// RENAME/RENAMENX (Redis's renameGenericCommand).
fn rename_generic(srv: &mut Server, c: &mut Client, nx: bool) {
    let (from, to) = (c.argv[1].clone(), c.argv[2].clone());
    let db = &mut srv.dbs[c.db];
    if db.lookup_write(&from).is_none() {
        return reply_err(c, OpError::NoSuchKey);
    }
    // Renaming a key to itself changes nothing but still needs the key to exist.
    if from == to {
        return if nx { c.add_int(0) } else { c.add_ok() };
    }
    if nx && db.lookup_write(&to).is_some() {
        return c.add_int(0);
    }
    match db.rename(&from, &to) {
        Ok(old) => free_replaced(srv, old),
        Err(e) => return reply_err(c, e),
    }
    srv.dirty += 1;
    notify(srv, c, ev::GENERIC, "rename_from", &from);
    notify(srv, c, ev::GENERIC, "rename_to", &to);
    if nx {
        c.add_int(1)
    } else {
        c.add_ok()
    }
}

/// RENAME key newkey
pub fn rename_command(srv: &mut Server, c: &mut Client) {
    rename_generic(srv, c, false);
}

/// RENAMENX key newkey
pub fn renamenx_command(srv: &mut Server, c: &mut Client) {
    rename_generic(srv, c, true);
}

/// MOVE key db
pub fn move_command(srv: &mut Server, c: &mut Client) {
    let dst_id = match parse_db_index(&c.argv[2], None).and_then(|id| db_in_range(srv, id)) {
        Ok(id) => id,
        Err(e) => return reply_err(c, e),
    };
    if dst_id == c.db {
        return c.add_error(error::SAME_OBJECT);
    }
    let key = c.argv[1].clone();
    let (src, dst) = two_dbs(&mut srv.dbs, c.db, dst_id);
    if src.lookup_write(&key).is_none() || dst.lookup_write(&key).is_some() {
        return c.add_int(0);
    }
    // The entry itself moves: value, expiry and all; set_entry stamps the clock.
    let e = src.remove(&key).expect("looked up above");
    dst.set_entry(e);
    srv.dirty += 1;
    notify(srv, c, ev::GENERIC, "move_from", &key);
    crate::notify::notify_keyspace_event(srv, c, ev::GENERIC, "move_to", &key, dst_id);
    c.add_int(1);
}

/// COPY source destination [DB destination-db] \[REPLACE\]
pub fn copy_command(srv: &mut Server, c: &mut Client) {
    let mut dst_id = c.db;
    let mut replace = false;
    let mut j = 3;
    while j < c.argv.len() {
        if c.argv[j].eq_ignore_ascii_case(b"replace") {
            replace = true;
        } else if c.argv[j].eq_ignore_ascii_case(b"db") && j + 1 < c.argv.len() {
            match parse_db_index(&c.argv[j + 1], None).and_then(|id| db_in_range(srv, id)) {
                Ok(id) => dst_id = id,
                Err(e) => return reply_err(c, e),
            }
            j += 1;
        } else {
            return reply_err(c, OpError::Syntax);
        }
        j += 1;
    }
    let (from, to) = (c.argv[1].clone(), c.argv[2].clone());
    if dst_id == c.db && from == to {
        return c.add_error(error::SAME_OBJECT);
    }
    let Some(src) = srv.dbs[c.db].lookup(&from).cloned() else {
        return c.add_int(0);
    };
    let dst = &mut srv.dbs[dst_id];
    if dst.lookup_write(&to).is_some() && !replace {
        return c.add_int(0);
    }
    // Aggregates are shared copy-on-write; strings keep their encoding.
    let old = dst.set_entry(Entry::new(&to, src.to_value(), src.expire()));
    free_replaced(srv, old);
    srv.dirty += 1;
    crate::notify::notify_keyspace_event(srv, c, ev::GENERIC, "copy_to", &to, dst_id);
    c.add_int(1);
}

/// SWAPDB index1 index2
pub fn swapdb_command(srv: &mut Server, c: &mut Client) {
    let ids = parse_db_index(&c.argv[1], Some(error::INVALID_FIRST_DB)).and_then(|a| {
        let b = parse_db_index(&c.argv[2], Some(error::INVALID_SECOND_DB))?;
        Ok((db_in_range(srv, a)?, db_in_range(srv, b)?))
    });
    let (a, b) = match ids {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    if a != b {
        let (x, y) = two_dbs(&mut srv.dbs, a, b);
        x.swap_contents(y);
    }
    srv.dirty += 1;
    c.add_ok();
}

/// TOUCH key [key ...]
pub fn touch_command(srv: &mut Server, c: &mut Client) {
    let db = &mut srv.dbs[c.db];
    let n = (1..c.argv.len())
        .filter(|&i| db.lookup(&c.argv[i]).is_some())
        .count();
    c.add_int(n as i64);
}

/// Redis's objectCommandLookupOrReply: the entry without touching its LRU clock;
/// replies with a null when the key is missing.
fn object_lookup<'a>(srv: &'a mut Server, c: &mut Client) -> Option<&'a Entry> {
    let e = srv.dbs[c.db].lookup_notouch(&c.argv[2]);
    if e.is_none() {
        c.add_null();
    }
    e
}

fn lfu_policy(srv: &Server) -> bool {
    matches!(
        srv.config.maxmemory_policy,
        MaxmemoryPolicy::VolatileLfu | MaxmemoryPolicy::AllkeysLfu
    )
}

fn lru_policy(srv: &Server) -> bool {
    matches!(
        srv.config.maxmemory_policy,
        MaxmemoryPolicy::VolatileLru | MaxmemoryPolicy::AllkeysLru
    )
}

/// OBJECT ENCODING key
pub fn object_encoding_command(srv: &mut Server, c: &mut Client) {
    let Some(e) = object_lookup(srv, c) else {
        return;
    };
    let enc = match e.value() {
        ValueRef::Obj(o) => o.encoding(),
        _ => e.str_encoding().unwrap_or("raw"),
    };
    c.add_bulk(enc.as_bytes());
}

/// Redis's OBJ_SHARED_INTEGERS: strings holding 0..9999 share one object.
const SHARED_INTEGERS: i64 = 10_000;
/// Redis's OBJ_SHARED_REFCOUNT (INT_MAX), what OBJECT REFCOUNT shows for them.
const SHARED_REFCOUNT: i64 = i32::MAX as i64;

/// OBJECT REFCOUNT key
///
/// Values are not refcounted the way Redis's robj are, so this reports what
/// Redis would: its shared small integers (used unless a maxmemory limit is set
/// with an LRU/LFU policy, which needs a per-object clock) show INT_MAX, all
/// else 1.
pub fn object_refcount_command(srv: &mut Server, c: &mut Client) {
    let shared_ok = srv.config.maxmemory == 0 || !(lru_policy(srv) || lfu_policy(srv));
    let Some(e) = object_lookup(srv, c) else {
        return;
    };
    let rc = match e.value() {
        ValueRef::Int(v) if shared_ok && (0..SHARED_INTEGERS).contains(&v) => SHARED_REFCOUNT,
        _ => 1,
    };
    c.add_int(rc);
}

/// Seconds since the LRU clock `lru`, with the 24-bit wrap of Redis's
/// estimateObjectIdleTime.
pub fn idle_seconds(clock: u32, lru: u32) -> u64 {
    if clock >= lru {
        (clock - lru) as u64
    } else {
        clock as u64 + (crate::db::LRU_CLOCK_MAX - lru) as u64
    }
}

/// OBJECT IDLETIME key
pub fn object_idletime_command(srv: &mut Server, c: &mut Client) {
    let clock = srv.lru_clock;
    let lfu = lfu_policy(srv);
    let Some(e) = object_lookup(srv, c) else {
        return;
    };
    let lru = e.lru();
    if lfu {
        return c.add_error(error::LFU_SELECTED);
    }
    c.add_int(idle_seconds(clock, lru) as i64);
}

/// OBJECT FREQ key
pub fn object_freq_command(srv: &mut Server, c: &mut Client) {
    let now = srv.now_ms;
    let cfg = srv.dbs[c.db].lfu;
    let Some(e) = object_lookup(srv, c) else {
        return;
    };
    let word = e.lru();
    match cfg {
        Some(cfg) => c.add_int(crate::db::lfu::decayed(word, cfg, now) as i64),
        None => c.add_error(error::LFU_NOT_SELECTED),
    }
}

/// OBJECT HELP
pub fn object_help_command(_: &mut Server, c: &mut Client) {
    c.add_help(
        "object",
        &[
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_cursor_parses_like_strtoul() {
        let ok = |s: &[u8]| parse_scan_cursor(s).unwrap();
        let bad = |s: &[u8]| parse_scan_cursor(s).is_err();
        assert_eq!(ok(b""), 0);
        assert_eq!(ok(b"0"), 0);
        assert_eq!(ok(b"+7"), 7);
        assert_eq!(ok(b"-1"), u64::MAX);
        assert_eq!(ok(b"-0"), 0);
        assert_eq!(ok(b"18446744073709551615"), u64::MAX);
        assert_eq!(ok(b"-18446744073709551615"), 1);
        assert_eq!(ok(b"5\0abc"), 5);
        for s in [
            &b"18446744073709551616"[..],
            b"-18446744073709551616",
            b"+",
            b"-",
            b" 0",
            b"\t0",
            b"0 ",
            b"0x10",
            b"abc",
        ] {
            assert!(bad(s), "{s:?}");
        }
    }

    #[test]
    fn idle_time_wraps_at_24_bits() {
        assert_eq!(idle_seconds(100, 40), 60);
        assert_eq!(idle_seconds(5, crate::db::LRU_CLOCK_MAX - 10), 15);
    }
}
