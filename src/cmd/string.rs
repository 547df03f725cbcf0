//! String commands (Redis's t_string.c).

use bytes::Bytes;

use super::{acl, arg_i64, cmd, flags as f, reply_err, Command};
use crate::client::Client;
use crate::db::{Db, Entry, Value, ValueRef};
use crate::error::{self, OpError};
use crate::server::Server;

const W: u64 = f::WRITE | f::DENYOOM;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("get", get_command, 2, f::READONLY | f::FAST, acl::STRING, (1, 1, 1), "string", "1.0.0",
        "Returns the string value of a key.", "O(1)"),
    cmd("set", set_command, -3, W, acl::STRING, (1, 1, 1), "string", "1.0.0",
        "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", "O(1)"),
    cmd("setnx", setnx_command, 3, W | f::FAST, acl::STRING, (1, 1, 1), "string", "1.0.0",
        "Set the string value of a key only when the key doesn't exist.", "O(1)"),
    cmd("setex", setex_command, 4, W, acl::STRING, (1, 1, 1), "string", "2.0.0",
        "Sets the string value and expiration time of a key. Creates the key if it doesn't exist.", "O(1)"),
    cmd("psetex", psetex_command, 4, W, acl::STRING, (1, 1, 1), "string", "2.6.0",
        "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist.", "O(1)"),
    cmd("mget", mget_command, -2, f::READONLY | f::FAST, acl::STRING, (1, -1, 1), "string", "1.0.0",
        "Atomically returns the string values of one or more keys.", "O(N) where N is the number of keys to retrieve."),
    cmd("mset", mset_command, -3, W, acl::STRING, (1, -1, 2), "string", "1.0.1",
        "Atomically creates or modifies the string values of one or more keys.", "O(N) where N is the number of keys to set."),
    cmd("incr", incr_command, 2, W | f::FAST, acl::STRING, (1, 1, 1), "string", "1.0.0",
        "Increments the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "O(1)"),
    cmd("decr", decr_command, 2, W | f::FAST, acl::STRING, (1, 1, 1), "string", "1.0.0",
        "Decrements the integer value of a key by one. Uses 0 as initial value if the key doesn't exist.", "O(1)"),
    cmd("incrby", incrby_command, 3, W | f::FAST, acl::STRING, (1, 1, 1), "string", "1.0.0",
        "Increments the integer value of a key by a number. Uses 0 as initial value if the key doesn't exist.", "O(1)"),
    cmd("decrby", decrby_command, 3, W | f::FAST, acl::STRING, (1, 1, 1), "string", "1.0.0",
        "Decrements a number from the integer value of a key. Uses 0 as initial value if the key doesn't exist.", "O(1)"),
    cmd("append", append_command, 3, W, acl::STRING, (1, 1, 1), "string", "2.0.0",
        "Appends a string to the value of a key. Creates the key if it doesn't exist.",
        "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation."),
    cmd("strlen", strlen_command, 2, f::READONLY | f::FAST, acl::STRING, (1, 1, 1), "string", "2.2.0",
        "Returns the length of a string value.", "O(1)"),
];

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
        let opt = argv[j].to_ascii_uppercase();
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
    key: Bytes,
    val: Bytes,
    expire: Option<i64>,
    ok_reply: &[u8],
    abort_reply: Option<&[u8]>,
) {
    use setflags::*;
    if fl & GET != 0 && get_generic(srv, c).is_err() {
        return;
    }
    let db = &mut srv.dbs[c.db];
    let old_expire = db.lookup_write(&key).map(|e| e.expire());
    let found = old_expire.is_some();
    if (fl & NX != 0 && found) || (fl & XX != 0 && !found) {
        if fl & GET == 0 {
            match abort_reply {
                Some(r) => c.add_raw(r),
                None => c.add_null(),
            }
        }
        return;
    }
    let exp = if fl & KEEPTTL != 0 {
        old_expire.flatten()
    } else {
        expire
    };
    db.set(&key, Value::string(val), exp);
    srv.dirty += 1;
    if fl & GET == 0 {
        c.add_raw(ok_reply);
    }
}

/// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL]
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
    let (key, val) = (c.argv[1].clone(), c.argv[2].clone());
    set_generic(srv, c, fl, key, val, expire, b"+OK\r\n", None);
}

/// SETNX key value
pub fn setnx_command(srv: &mut Server, c: &mut Client) {
    let (key, val) = (c.argv[1].clone(), c.argv[2].clone());
    set_generic(
        srv,
        c,
        setflags::NX,
        key,
        val,
        None,
        b":1\r\n",
        Some(b":0\r\n"),
    );
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
    let (key, val) = (c.argv[1].clone(), c.argv[3].clone());
    set_generic(srv, c, unit, key, val, Some(expire), b"+OK\r\n", None);
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
    if c.argv.len().is_multiple_of(2) {
        c.add_error(&error::wrong_arity("mset"));
        return;
    }
    let db = &mut srv.dbs[c.db];
    for i in (1..c.argv.len()).step_by(2) {
        db.set(&c.argv[i], Value::string(c.argv[i + 1].clone()), None);
    }
    srv.dirty += ((c.argv.len() - 1) / 2) as u64;
    c.add_ok();
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
        Ok(i64::MIN) => c.add_error("ERR decrement would overflow"),
        Ok(v) => incr_generic(srv, c, -v),
        Err(e) => reply_err(c, e),
    }
}

/// Checks the size a string would reach (Redis's checkStringLength).
pub fn check_string_length(srv: &Server, size: u64) -> Result<(), OpError> {
    if size > srv.config.proto_max_bulk_len {
        Err(OpError::Static(error::TOO_BIG_STRING))
    } else {
        Ok(())
    }
}

/// APPEND key value
pub fn append_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    let add = c.argv[2].clone();
    let limit = srv.config.proto_max_bulk_len;
    let db = &mut srv.dbs[c.db];
    let len = match db.lookup_mut(&key) {
        None => {
            db.set(&key, Value::string(add.clone()), None);
            add.len()
        }
        Some(e) => {
            let mut cur = match e.value() {
                ValueRef::Obj(_) => return reply_err(c, OpError::WrongType),
                ValueRef::Int(v) => v.to_string().into_bytes(),
                ValueRef::Str(s) => {
                    if (s.len() + add.len()) as u64 > limit {
                        return c.add_error(error::TOO_BIG_STRING);
                    }
                    let mut v = Vec::with_capacity(s.len() + add.len());
                    v.extend_from_slice(s);
                    v
                }
            };
            if (cur.len() + add.len()) as u64 > limit {
                return c.add_error(error::TOO_BIG_STRING);
            }
            cur.extend_from_slice(&add);
            let n = cur.len();
            *e = e.with_value(Value::raw(Bytes::from(cur)));
            n
        }
    };
    srv.dirty += 1;
    c.add_int(len as i64);
}

/// STRLEN key
pub fn strlen_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    match lookup_string(&mut srv.dbs[c.db], &key) {
        Ok(Some(e)) => {
            let n = match e.value() {
                ValueRef::Int(v) => crate::util::number::format_i64(v, &mut [0u8; 20]).len(),
                ValueRef::Str(s) => s.len(),
                ValueRef::Obj(_) => 0,
            };
            c.add_int(n as i64);
        }
        Ok(None) => c.add_int(0),
        Err(e) => reply_err(c, e),
    }
}
