//! String commands (Redis's t_string.c): GET/SET and their variants, the
//! multi-key MGET/MSET/MSETNX, integer and float counters, APPEND/STRLEN, and
//! the byte-range commands in `string/range.rs` and LCS in `string/lcs.rs`.
//!
//! Values stay in the encoding Redis would pick (see [`Value::string`]), because
//! OBJECT ENCODING, DEBUG and the RDB writer all show it.

mod lcs;
mod range;
#[cfg(test)]
mod tests;

use bytes::Bytes;

use super::{acl, arg_i64, flags as f, reply_err, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::config::notify as ev;
use crate::db::entry::{reserve_string, EMBSTR_MAX};
use crate::db::{Db, Entry, Value, ValueRef};
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::number::{format_i64, i64_len, LongDouble, I64_BUF};

mod commands;
pub use commands::COMMANDS;

pub use lcs::{lcs_command, lcs_matches, LcsMatch};
pub use range::{getrange_command, getrange_span, setrange, setrange_command};

const W: u64 = f::WRITE | f::DENYOOM;

const GETRANGE_COMPLEXITY: &str = "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings.";

/// An option argument as Redis compares it: C string functions stop at the
/// first NUL byte, so `NX\0junk` is the option NX.
pub fn opt_name(arg: &[u8]) -> &[u8] {
    match arg.iter().position(|&b| b == 0) {
        Some(n) => &arg[..n],
        None => arg,
    }
}

/// Reads a string value: Ok(None) if the key is missing, WRONGTYPE for others.
pub fn lookup_string<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a Entry>, OpError> {
    match db.lookup(key) {
        None => Ok(None),
        Some(e) => match e.value() {
            ValueRef::Obj(_) => Err(OpError::WrongType),
            _ => Ok(Some(e)),
        },
    }
}

/// Appends a string value as a bulk reply.
pub fn add_reply_string_value(c: &mut Client, e: &Entry) {
    match e.value() {
        ValueRef::Int(v) => c.add_bulk_int(v),
        ValueRef::Str(s) => c.add_bulk(s),
        ValueRef::Obj(_) => c.add_error(error::WRONGTYPE),
    }
}

/// Redis's getGenericCommand: replies with the value (or null); Err on WRONGTYPE
/// (after replying with the error).
fn get_generic(srv: &mut Server, c: &mut Client) -> Result<(), ()> {
    let key = c.argv[1].clone();
    match lookup_string(&mut srv.dbs[c.db], &key) {
        Ok(Some(e)) => {
            add_reply_string_value(c, e);
            Ok(())
        }
        Ok(None) => {
            c.add_null();
            Ok(())
        }
        Err(e) => {
            reply_err(c, e);
            Err(())
        }
    }
}

/// GET key
pub fn get_command(srv: &mut Server, c: &mut Client) {
    let _ = get_generic(srv, c);
}

/// SET/GETEX option flags.
pub mod setflags {
    pub const NX: u32 = 1 << 0;
    pub const XX: u32 = 1 << 1;
    pub const EX: u32 = 1 << 2;
    pub const PX: u32 = 1 << 3;
    pub const KEEPTTL: u32 = 1 << 4;
    pub const GET: u32 = 1 << 5;
    pub const EXAT: u32 = 1 << 6;
    pub const PXAT: u32 = 1 << 7;
    pub const PERSIST: u32 = 1 << 8;
    pub const ANY_EXPIRE: u32 = EX | PX | EXAT | PXAT;
}

/// Which command parses the options: SET accepts NX/XX/GET/KEEPTTL, GETEX PERSIST.
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum ExtendedKind {
    Set,
    GetEx,
}

/// Redis's parseExtendedStringArgumentsOrReply: returns the flags and the index
/// of the expire argument.
pub fn parse_extended_args(
    argv: &[Bytes],
    start: usize,
    kind: ExtendedKind,
) -> Result<(u32, Option<usize>), OpError> {
    use setflags::*;
    let mut fl = 0u32;
    let mut expire = None;
    let mut j = start;
    while j < argv.len() {
        let opt = opt_name(&argv[j]).to_ascii_uppercase();
        let has_next = j + 1 < argv.len();
        let set = kind == ExtendedKind::Set;
        match &opt[..] {
            b"NX" if fl & XX == 0 && set => fl |= NX,
            b"XX" if fl & NX == 0 && set => fl |= XX,
            b"GET" if set => fl |= GET,
            b"KEEPTTL" if fl & (PERSIST | ANY_EXPIRE) == 0 && set => fl |= KEEPTTL,
            b"PERSIST" if !set && fl & (ANY_EXPIRE | KEEPTTL) == 0 => fl |= PERSIST,
            b"EX" if fl & (KEEPTTL | PERSIST | EXAT | PX | PXAT) == 0 && has_next => {
                fl |= EX;
                expire = Some(j + 1);
                j += 1;
            }
            b"PX" if fl & (KEEPTTL | PERSIST | EX | EXAT | PXAT) == 0 && has_next => {
                fl |= PX;
                expire = Some(j + 1);
                j += 1;
            }
            b"EXAT" if fl & (KEEPTTL | PERSIST | EX | PX | PXAT) == 0 && has_next => {
                fl |= EXAT;
                expire = Some(j + 1);
                j += 1;
            }
            b"PXAT" if fl & (KEEPTTL | PERSIST | EX | EXAT | PX) == 0 && has_next => {
                fl |= PXAT;
                expire = Some(j + 1);
                j += 1;
            }
            _ => return Err(OpError::Syntax),
        }
        j += 1;
    }
    Ok((fl, expire))
}

/// Redis's getExpireMillisecondsOrReply: the absolute expiry in ms for an EX/PX/
/// EXAT/PXAT argument.
pub fn expire_ms(arg: &[u8], fl: u32, now_ms: i64, cmdname: &str) -> Result<i64, OpError> {
    use setflags::*;
    let mut ms = crate::util::number::parse_i64(arg).ok_or(OpError::NotInteger)?;
    let seconds = fl & (EX | EXAT) != 0;
    if ms <= 0 || (seconds && ms > i64::MAX / 1000) {
        return Err(OpError::Msg(error::invalid_expire(cmdname)));
    }
    if seconds {
        ms *= 1000;
    }
    if fl & (EX | PX) != 0 {
        ms = ms
            .checked_add(now_ms)
            .ok_or_else(|| OpError::Msg(error::invalid_expire(cmdname)))?;
    }
    Ok(ms)
}

/// The heart of SET/SETNX/SETEX/PSETEX (Redis's setGenericCommand).
#[allow(clippy::too_many_arguments)]
fn set_generic(
    srv: &mut Server,
    c: &mut Client,
    fl: u32,
    val_idx: usize,
    expire: Option<i64>,
    ok_reply: &[u8],
    abort_reply: Option<&[u8]>,
) {
    use setflags::*;
    if fl & GET != 0 && get_generic(srv, c).is_err() {
        return;
    }
    // Borrow the arguments apart from the client (replies and notifications need
    // it mutably) without cloning them.
    let argv = std::mem::take(&mut c.argv);
    let (key, val) = (&argv[1], Value::string_arg(&argv[val_idx]));
    let db = &mut srv.dbs[c.db];
    let exp = if fl & (NX | XX | KEEPTTL) == 0 {
        // Plain SET: one lookup, in the insert itself.
        expire
    } else {
        let old_expire = db.lookup_write(key).map(|e| e.expire());
        let found = old_expire.is_some();
        if (fl & NX != 0 && found) || (fl & XX != 0 && !found) {
            if fl & GET == 0 {
                match abort_reply {
                    Some(r) => c.add_raw(r),
                    None => c.add_null(),
                }
            }
            c.argv = argv;
            return;
        }
        if fl & KEEPTTL != 0 {
            old_expire.flatten()
        } else {
            expire
        }
    };
    db.set(key, val, exp);
    srv.dirty += 1;
    if let Some(ms) = expire {
        // Replicas get the absolute form (SET key value PXAT ms), as Redis 7.0.
        let v = argv[val_idx].clone();
        crate::repl::rewrite(srv, || {
            vec![
                Bytes::from_static(b"SET"),
                key.clone(),
                v,
                Bytes::from_static(b"PXAT"),
                ms.to_string().into(),
            ]
        });
    }
    notify(srv, c, ev::STRING, "set", key);
    if expire.is_some() {
        notify(srv, c, ev::GENERIC, "expire", key);
    }
    if fl & GET == 0 {
        c.add_raw(ok_reply);
    }
    c.argv = argv;
}

/// SET key value [NX | XX] \[GET\] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]
pub fn set_command(srv: &mut Server, c: &mut Client) {
    let (fl, exp_arg) = match parse_extended_args(&c.argv, 3, ExtendedKind::Set) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let expire = match exp_arg {
        Some(i) => match expire_ms(&c.argv[i], fl, srv.now_ms, "set") {
            Ok(ms) => Some(ms),
            Err(e) => return reply_err(c, e),
        },
        None => None,
    };
    set_generic(srv, c, fl, 2, expire, b"+OK\r\n", None);
}

/// SETNX key value
pub fn setnx_command(srv: &mut Server, c: &mut Client) {
    set_generic(srv, c, setflags::NX, 2, None, b":1\r\n", Some(b":0\r\n"));
}

/// SETEX key seconds value
pub fn setex_command(srv: &mut Server, c: &mut Client) {
    setex_generic(srv, c, setflags::EX, "setex");
}

/// PSETEX key milliseconds value
pub fn psetex_command(srv: &mut Server, c: &mut Client) {
    setex_generic(srv, c, setflags::PX, "psetex");
}

fn setex_generic(srv: &mut Server, c: &mut Client, unit: u32, name: &str) {
    let expire = match expire_ms(&c.argv[2], unit, srv.now_ms, name) {
        Ok(ms) => ms,
        Err(e) => return reply_err(c, e),
    };
    set_generic(srv, c, unit, 3, Some(expire), b"+OK\r\n", None);
}

/// GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST]
pub fn getex_command(srv: &mut Server, c: &mut Client) {
    use setflags::*;
    let (fl, exp_arg) = match parse_extended_args(&c.argv, 2, ExtendedKind::GetEx) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let key = c.argv[1].clone();
    let now = srv.now_ms;
    let db = &mut srv.dbs[c.db];
    let (when, had_expire) = match lookup_string(db, &key) {
        Ok(Some(e)) => {
            // The expire argument is only checked once the key is known to exist.
            let when = exp_arg.map(|i| expire_ms(&c.argv[i], fl, now, "getex"));
            let when = match when.transpose() {
                Ok(w) => w,
                Err(err) => return reply_err(c, err),
            };
            add_reply_string_value(c, e);
            (when, e.expire().is_some())
        }
        Ok(None) => return c.add_null(),
        Err(e) => return reply_err(c, e),
    };
    if let Some(when) = when {
        if fl & (EXAT | PXAT) != 0 && when <= now {
            // An absolute time already past deletes the key (Redis's
            // checkAlreadyExpired); relative ones are always in the future.
            let lazy = srv.config.lazyfree_lazy_expire;
            if let Some(e) = db.remove(&key) {
                if lazy {
                    srv.lazyfree.free_entry(e);
                }
            }
            srv.dirty += 1;
            crate::repl::rewrite(srv, || crate::repl::del_argv(lazy, &key));
            notify(srv, c, ev::GENERIC, "del", &key);
        } else {
            db.set_expire(&key, Some(when));
            srv.dirty += 1;
            crate::repl::rewrite(srv, || {
                vec![
                    Bytes::from_static(b"PEXPIREAT"),
                    key.clone(),
                    when.to_string().into(),
                ]
            });
            notify(srv, c, ev::GENERIC, "expire", &key);
        }
    } else if fl & PERSIST != 0 && had_expire {
        db.set_expire(&key, None);
        srv.dirty += 1;
        crate::repl::rewrite(srv, || vec![Bytes::from_static(b"PERSIST"), key.clone()]);
        notify(srv, c, ev::GENERIC, "persist", &key);
    }
}

/// GETDEL key
pub fn getdel_command(srv: &mut Server, c: &mut Client) {
    if get_generic(srv, c).is_err() {
        return;
    }
    let key = c.argv[1].clone();
    if srv.dbs[c.db].remove(&key).is_some() {
        srv.dirty += 1;
        crate::repl::rewrite(srv, || crate::repl::del_argv(false, &key));
        notify(srv, c, ev::GENERIC, "del", &key);
    }
}

/// GETSET key value
pub fn getset_command(srv: &mut Server, c: &mut Client) {
    if get_generic(srv, c).is_err() {
        return;
    }
    let (key, val) = (c.argv[1].clone(), c.argv[2].clone());
    srv.dbs[c.db].set(&key, Value::string(val), None);
    srv.dirty += 1;
    notify(srv, c, ev::STRING, "set", &key);
}

/// MGET key [key ...]
pub fn mget_command(srv: &mut Server, c: &mut Client) {
    let n = c.argv.len() - 1;
    c.add_array_len(n);
    let db = &mut srv.dbs[c.db];
    for i in 1..=n {
        let key = c.argv[i].clone();
        match db.lookup(&key) {
            Some(e) if !matches!(e.value(), ValueRef::Obj(_)) => add_reply_string_value(c, e),
            _ => c.add_null(),
        }
    }
}

/// MSET key value [key value ...]
pub fn mset_command(srv: &mut Server, c: &mut Client) {
    mset_generic(srv, c, false);
}

/// MSETNX key value [key value ...]
pub fn msetnx_command(srv: &mut Server, c: &mut Client) {
    mset_generic(srv, c, true);
}

/// Redis's msetGenericCommand: with `nx`, nothing is set if any key exists.
fn mset_generic(srv: &mut Server, c: &mut Client, nx: bool) {
    if c.argv.len().is_multiple_of(2) {
        let name = if nx { "msetnx" } else { "mset" };
        c.add_error(&error::wrong_arity(name));
        return;
    }
    let db = &mut srv.dbs[c.db];
    if nx
        && (1..c.argv.len())
            .step_by(2)
            .any(|i| db.contains(&c.argv[i]))
    {
        c.add_int(0);
        return;
    }
    // A key given twice ends up with its last value, as in Redis.
    for i in (1..c.argv.len()).step_by(2) {
        db.set(&c.argv[i], Value::string_arg(&c.argv[i + 1]), None);
    }
    srv.dirty += ((c.argv.len() - 1) / 2) as u64;
    for i in (1..c.argv.len()).step_by(2) {
        let key = c.argv[i].clone();
        notify(srv, c, ev::STRING, "set", &key);
    }
    if nx {
        c.add_int(1);
    } else {
        c.add_ok();
    }
}

/// Integer value of a string entry (Redis's getLongLongFromObject).
pub fn entry_i64(e: &Entry) -> Result<i64, OpError> {
    match e.value() {
        ValueRef::Int(v) => Ok(v),
        ValueRef::Str(s) => crate::util::number::parse_i64(s).ok_or(OpError::NotInteger),
        ValueRef::Obj(_) => Err(OpError::WrongType),
    }
}

/// Adds `incr` to the integer at `key` (Redis's incrDecrCommand).
pub fn incr_by(db: &mut Db, key: &[u8], incr: i64) -> Result<i64, OpError> {
    match db.lookup_mut(key) {
        Some(e) => {
            let old = entry_i64(e)?;
            let new = old.checked_add(incr).ok_or(OpError::Overflow)?;
            if !e.set_int_in_place(new) {
                *e = e.with_value(Value::Int(new));
            }
            db.touch(key);
            Ok(new)
        }
        None => {
            db.set(key, Value::Int(incr), None);
            Ok(incr)
        }
    }
}

fn incr_generic(srv: &mut Server, c: &mut Client, incr: i64) {
    let key = c.argv[1].clone();
    match incr_by(&mut srv.dbs[c.db], &key, incr) {
        Ok(v) => {
            srv.dirty += 1;
            notify(srv, c, ev::STRING, "incrby", &key);
            c.add_int(v);
        }
        Err(e) => reply_err(c, e),
    }
}

/// INCR key
pub fn incr_command(srv: &mut Server, c: &mut Client) {
    incr_generic(srv, c, 1);
}

/// DECR key
pub fn decr_command(srv: &mut Server, c: &mut Client) {
    incr_generic(srv, c, -1);
}

/// INCRBY key increment
pub fn incrby_command(srv: &mut Server, c: &mut Client) {
    match arg_i64(c, 2) {
        Ok(v) => incr_generic(srv, c, v),
        Err(e) => reply_err(c, e),
    }
}

/// DECRBY key decrement
pub fn decrby_command(srv: &mut Server, c: &mut Client) {
    match arg_i64(c, 2) {
        Ok(i64::MIN) => c.add_error(error::DECR_OVERFLOW),
        Ok(v) => incr_generic(srv, c, -v),
        Err(e) => reply_err(c, e),
    }
}

/// Adds `incr` (text) to the number at `key` in x87 `long double` arithmetic,
/// as Redis's incrbyfloatCommand; returns the text stored and replied.
///
/// The result is stored as a string (`embstr`/`raw`, never `int`, as Redis's
/// createStringObjectFromLongDouble) and an existing key keeps its TTL.
pub fn incr_by_float(db: &mut Db, key: &[u8], incr: &[u8]) -> Result<Bytes, OpError> {
    let entry = db.lookup_mut(key);
    let cur = match entry.as_deref().map(Entry::value) {
        None => LongDouble::ZERO,
        Some(ValueRef::Int(v)) => LongDouble::from_i64(v),
        Some(ValueRef::Str(s)) => LongDouble::parse(s).ok_or(OpError::NotFloat)?,
        Some(ValueRef::Obj(_)) => return Err(OpError::WrongType),
    };
    let incr = LongDouble::parse(incr).ok_or(OpError::NotFloat)?;
    let sum = cur + incr;
    if !sum.is_finite() {
        return Err(OpError::Static(error::NAN_OR_INF));
    }
    let text = Bytes::from(sum.format_human());
    let val = if text.len() <= EMBSTR_MAX {
        Value::Embstr(text.clone())
    } else {
        Value::raw(text.clone())
    };
    match entry {
        Some(e) => {
            *e = e.with_value(val);
            db.touch(key);
        }
        None => {
            db.set(key, val, None);
        }
    }
    Ok(text)
}

/// INCRBYFLOAT key increment
pub fn incrbyfloat_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    match incr_by_float(&mut srv.dbs[c.db], &key, &c.argv[2]) {
        Ok(text) => {
            srv.dirty += 1;
            // Float arithmetic may differ on a replica: propagate the result.
            let t = text.clone();
            crate::repl::rewrite(srv, || {
                vec![
                    Bytes::from_static(b"SET"),
                    key.clone(),
                    t,
                    Bytes::from_static(b"KEEPTTL"),
                ]
            });
            notify(srv, c, ev::STRING, "incrbyfloat", &key);
            c.add_bulk(&text);
        }
        Err(e) => reply_err(c, e),
    }
}

/// Redis's checkStringLength: a string of `size + append` bytes must fit in
/// `proto-max-bulk-len`.
pub fn check_string_length(limit: u64, size: u64, append: u64) -> Result<(), OpError> {
    match size.checked_add(append) {
        Some(total) if total <= limit => Ok(()),
        _ => Err(OpError::Static(error::TOO_BIG_STRING)),
    }
}

/// The bytes of a string value (an `int` is formatted into `tmp`), WRONGTYPE
/// for aggregates.
pub fn value_bytes<'a>(v: ValueRef<'a>, tmp: &'a mut [u8; I64_BUF]) -> Result<&'a [u8], OpError> {
    match v {
        ValueRef::Int(n) => Ok(format_i64(n, tmp)),
        ValueRef::Str(s) => Ok(s),
        ValueRef::Obj(_) => Err(OpError::WrongType),
    }
}

/// Appends `add` to the string at `key`, creating the key if needed; returns
/// the new length. The result of an append is always `raw`, as in Redis.
pub fn append(db: &mut Db, key: &[u8], add: &Bytes, limit: u64) -> Result<usize, OpError> {
    let cur_len = match db.lookup_write(key) {
        None => {
            db.set(key, Value::string(add.clone()), None);
            return Ok(add.len());
        }
        Some(e) => string_len(e.value())?,
    };
    check_string_length(limit, cur_len as u64, add.len() as u64)?;
    let n = db
        .with_string_mut(key, false, |v| {
            reserve_string(v, v.len() + add.len());
            v.extend_from_slice(add);
            (v.len(), true)
        })?
        .expect("looked up above");
    Ok(n)
}

/// The length of a string value (an `int` as formatted), WRONGTYPE for
/// aggregates.
pub fn string_len(v: ValueRef<'_>) -> Result<usize, OpError> {
    match v {
        ValueRef::Int(n) => Ok(i64_len(n)),
        ValueRef::Str(s) => Ok(s.len()),
        ValueRef::Obj(_) => Err(OpError::WrongType),
    }
}

/// APPEND key value
pub fn append_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    let limit = srv.config.proto_max_bulk_len;
    match append(&mut srv.dbs[c.db], &key, &c.argv[2], limit) {
        Ok(n) => {
            srv.dirty += 1;
            notify(srv, c, ev::STRING, "append", &key);
            c.add_int(n as i64);
        }
        Err(e) => reply_err(c, e),
    }
}

/// STRLEN key
pub fn strlen_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    match lookup_string(&mut srv.dbs[c.db], &key) {
        Ok(Some(e)) => {
            let n = match e.value() {
                ValueRef::Int(v) => i64_len(v),
                ValueRef::Str(s) => s.len(),
                ValueRef::Obj(_) => 0,
            };
            c.add_int(n as i64);
        }
        Ok(None) => c.add_int(0),
        Err(e) => reply_err(c, e),
    }
}
