//! List commands (Redis's t_list.c), non-blocking ones. The blocking forms
//! (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP) build on the `pub` operations
//! here: [`list_push`], [`list_pop`], [`lmove_generic`], [`mpop_generic`] and
//! [`parse_mpop_args`].
//!
//! A list that becomes empty is deleted, as in Redis; each element added or
//! removed counts one change in `srv.dirty` (LMOVE, LSET and LINSERT count one).

mod blocking;

use std::ops::Range;

use bytes::Bytes;

use super::{acl, arg_i64, flags as f, reply_err, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::config::notify as ev;
use crate::db::list::{Elem, Fill, List, Needle};
use crate::db::{Db, Object, Value, ValueRef};
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::resp::write;
use crate::server::Server;
use crate::util::number::parse_i64;

mod commands;
pub use commands::COMMANDS;

const W: u64 = f::WRITE | f::DENYOOM;
const L: u64 = acl::LIST;

/// The list in an entry's value, or WRONGTYPE.
fn as_list(v: ValueRef<'_>) -> Result<&List, OpError> {
    match v {
        ValueRef::Obj(Object::List(l)) => Ok(l),
        _ => Err(OpError::WrongType),
    }
}

/// Redis's lookupKeyRead + checkType(OBJ_LIST).
pub fn lookup_list<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a List>, OpError> {
    match db.lookup(key) {
        None => Ok(None),
        Some(e) => as_list(e.value()).map(Some),
    }
}

/// Redis's lookupKeyWrite + checkType(OBJ_LIST) when the caller only reads for
/// now: no keyspace hit/miss counted, and the value is not unshared from a
/// snapshot.
pub fn peek_list<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a List>, OpError> {
    match db.lookup_write(key) {
        None => Ok(None),
        Some(e) => as_list(e.value()).map(Some),
    }
}

/// Ok(true) if `key` holds a list, Ok(false) if it does not exist.
pub fn check_list(db: &mut Db, key: &[u8]) -> Result<bool, OpError> {
    peek_list(db, key).map(|l| l.is_some())
}

/// The list at `key` for writing (copied first if a snapshot shares it). The
/// caller touches the key once it has changed it.
pub fn lookup_list_mut<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a mut List>, OpError> {
    let Some(e) = db.lookup_mut(key) else {
        return Ok(None);
    };
    as_list(e.value())?;
    match e.obj_mut() {
        Some(Object::List(l)) => Ok(Some(l)),
        _ => Err(OpError::WrongType),
    }
}

/// Node fill for lists created now (`list-max-listpack-size`).
pub fn fill(srv: &Server) -> Fill {
    Fill::new(srv.config.list_max_listpack_size)
}

/// Keyspace event of a push to `key`: "lpush" or "rpush".
pub fn notify_pushed(srv: &mut Server, c: &mut Client, key: &[u8], left: bool) {
    notify(srv, c, ev::LIST, if left { "lpush" } else { "rpush" }, key);
}

/// Keyspace events after elements were popped from `key`: "lpop" or "rpop",
/// then "del" when that emptied the list (Redis's listElementsRemoved).
pub fn notify_popped(srv: &mut Server, c: &mut Client, key: &[u8], left: bool) {
    if srv.config.notify_keyspace_events == 0 {
        return;
    }
    notify(srv, c, ev::LIST, if left { "lpop" } else { "rpop" }, key);
    notify_if_deleted(srv, c, key);
}

/// The "del" event when `key` no longer exists (an aggregate emptied).
fn notify_if_deleted(srv: &mut Server, c: &mut Client, key: &[u8]) {
    if srv.config.notify_keyspace_events != 0 && srv.dbs[c.db].table().find(key).is_none() {
        notify(srv, c, ev::GENERIC, "del", key);
    }
}

/// Deletes `key` if its list is empty (Redis deletes empty aggregates).
fn delete_if_empty(db: &mut Db, key: &[u8]) {
    if matches!(peek_list(db, key), Ok(Some(l)) if l.is_empty()) {
        db.remove(key);
    }
}

/// Pushes `elems` one by one at the head (`left`) or tail of the list at `key`,
/// creating it unless `xx` (LPUSHX/RPUSHX). Returns the new length, 0 when `xx`
/// and the key is missing.
pub fn list_push(
    db: &mut Db,
    key: &[u8],
    elems: &[Bytes],
    left: bool,
    xx: bool,
    fill: Fill,
) -> Result<usize, OpError> {
    if let Some(l) = lookup_list_mut(db, key)? {
        for e in elems {
            l.push(e, left);
        }
        let n = l.len();
        db.touch(key);
        return Ok(n);
    }
    if xx {
        return Ok(0);
    }
    let mut l = List::new(fill);
    for e in elems {
        l.push(e, left);
    }
    let n = l.len();
    db.set(key, Value::Obj(Object::List(l)), None);
    Ok(n)
}

/// Pops up to `count` elements from the head (`left`) or tail, in pop order;
/// Ok(None) if the key does not exist. An emptied list is deleted.
pub fn list_pop(
    db: &mut Db,
    key: &[u8],
    left: bool,
    count: usize,
) -> Result<Option<Vec<Bytes>>, OpError> {
    let Some(l) = lookup_list_mut(db, key)? else {
        return Ok(None);
    };
    let n = count.min(l.len());
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.extend(l.pop(left));
    }
    if l.is_empty() {
        db.remove(key);
    } else if n > 0 {
        db.touch(key);
    }
    Ok(Some(out))
}

/// LMOVE's core: pops from `src` and pushes to `dst` (which may be the same
/// list). Ok(None) when `src` does not exist; WRONGTYPE for either key is
/// reported before anything changes.
pub fn lmove_generic(
    db: &mut Db,
    src: &[u8],
    dst: &[u8],
    from_left: bool,
    to_left: bool,
    fill: Fill,
) -> Result<Option<Bytes>, OpError> {
    if !check_list(db, src)? {
        return Ok(None);
    }
    check_list(db, dst)?;
    let l = lookup_list_mut(db, src)?.expect("checked");
    let Some(v) = l.pop(from_left) else {
        return Ok(None);
    };
    let emptied = l.is_empty();
    db.touch(src);
    list_push(db, dst, std::slice::from_ref(&v), to_left, false, fill)?;
    if emptied && src != dst {
        db.remove(src);
    }
    Ok(Some(v))
}

/// Replies with one element as a bulk string.
pub fn add_elem(c: &mut Client, e: Elem<'_>) {
    match e {
        Elem::Str(s) => c.add_bulk(s),
        Elem::Int(v) => c.add_bulk_int(v),
    }
}

/// Appends one element as a bulk string to the client's output.
#[inline]
fn push_elem(c: &mut Client, e: Elem<'_>) {
    match e {
        Elem::Str(s) => {
            if let Some(out) = c.reply_buf(write::HEADER_MAX + s.len() + 2) {
                write::push_bulk(out, s);
            }
        }
        Elem::Int(v) => {
            if let Some(out) = c.reply_buf(write::BULK_I64_MAX) {
                write::push_bulk_i64(out, v);
            }
        }
    }
}

/// An array of `n` elements from position `start`, towards the tail
/// (`forward`) or the head.
fn add_run_reply(c: &mut Client, l: &List, start: usize, n: usize, forward: bool) {
    c.add_array_len(n);
    if forward {
        l.for_each_in_range(start, n, |e| push_elem(c, e));
    } else {
        for e in l.iter_from(start, false, n) {
            push_elem(c, e);
        }
    }
}

/// Redis's addListRangeReply: clamps `start..=end` (negative from the tail).
fn add_range_reply(c: &mut Client, l: &List, start: i64, end: i64) {
    let len = l.len() as i64;
    let mut start = if start < 0 { len + start } else { start };
    let mut end = if end < 0 { len + end } else { end };
    start = start.max(0);
    if start > end || start >= len {
        c.add_raw(b"*0\r\n");
        return;
    }
    end = end.min(len - 1);
    add_run_reply(c, l, start as usize, (end - start + 1) as usize, true);
}

/// Replies with up to `count` elements popped from the head or tail, then
/// removes them; returns how many. The key is deleted if emptied.
fn pop_range_reply(db: &mut Db, c: &mut Client, key: &[u8], left: bool, count: usize) -> usize {
    let Ok(Some(l)) = lookup_list_mut(db, key) else {
        return 0;
    };
    let n = count.min(l.len());
    let start = if left { 0 } else { l.len() - n };
    add_run_reply(c, l, if left { 0 } else { l.len() - 1 }, n, left);
    l.delete_range(start, n);
    if l.is_empty() {
        db.remove(key);
    } else if n > 0 {
        db.touch(key);
    }
    n
}

fn push_generic(srv: &mut Server, c: &mut Client, left: bool, xx: bool) {
    let fill = fill(srv);
    let db = &mut srv.dbs[c.db];
    match list_push(db, &c.argv[1], &c.argv[2..], left, xx, fill) {
        Ok(n) => {
            if n > 0 {
                srv.dirty += (c.argv.len() - 2) as u64;
            }
            c.add_int(n as i64);
            if n > 0 {
                let key = c.argv[1].clone();
                notify_pushed(srv, c, &key, left);
            }
        }
        Err(e) => reply_err(c, e),
    }
}

/// LPUSH key element [element ...]
pub fn lpush_command(srv: &mut Server, c: &mut Client) {
    push_generic(srv, c, true, false);
}

/// RPUSH key element [element ...]
pub fn rpush_command(srv: &mut Server, c: &mut Client) {
    push_generic(srv, c, false, false);
}

/// LPUSHX key element [element ...]
pub fn lpushx_command(srv: &mut Server, c: &mut Client) {
    push_generic(srv, c, true, true);
}

/// RPUSHX key element [element ...]
pub fn rpushx_command(srv: &mut Server, c: &mut Client) {
    push_generic(srv, c, false, true);
}

/// Redis's getPositiveLongFromObjectOrReply: a non-negative integer, else `msg`.
fn arg_non_negative(c: &Client, i: usize, msg: &'static str) -> Result<i64, OpError> {
    match parse_i64(&c.argv[i]) {
        Some(v) if v >= 0 => Ok(v),
        _ => Err(OpError::Static(msg)),
    }
}

/// Redis's getRangeLongFromObjectOrReply(1, LONG_MAX): a positive integer, else `msg`.
fn arg_positive(arg: &[u8], msg: &'static str) -> Result<usize, OpError> {
    match parse_i64(arg) {
        Some(v) if v >= 1 => Ok(v as usize),
        _ => Err(OpError::Static(msg)),
    }
}

fn pop_generic(srv: &mut Server, c: &mut Client, left: bool) {
    if c.argv.len() > 3 {
        let name = if left { "lpop" } else { "rpop" };
        return c.add_error(&error::wrong_arity(name));
    }
    let count = if c.argv.len() == 3 {
        match arg_non_negative(c, 2, error::MUST_BE_POSITIVE) {
            Ok(v) => Some(v as usize),
            Err(e) => return reply_err(c, e),
        }
    } else {
        None
    };
    let key = c.argv[1].clone();
    let db = &mut srv.dbs[c.db];
    match check_list(db, &key) {
        Err(e) => return reply_err(c, e),
        Ok(false) if count.is_some() => return c.add_null_array(),
        Ok(false) => return c.add_null(),
        Ok(true) => {}
    }
    match count {
        Some(0) => c.add_raw(b"*0\r\n"),
        Some(n) => {
            srv.dirty += pop_range_reply(db, c, &key, left, n) as u64;
            notify_popped(srv, c, &key, left);
        }
        None => {
            if let Ok(Some(mut v)) = list_pop(db, &key, left, 1) {
                c.add_bulk(&v.pop().expect("non-empty list"));
                srv.dirty += 1;
                notify_popped(srv, c, &key, left);
            }
        }
    }
}

/// LPOP key \[count\]
pub fn lpop_command(srv: &mut Server, c: &mut Client) {
    pop_generic(srv, c, true);
}

/// RPOP key \[count\]
pub fn rpop_command(srv: &mut Server, c: &mut Client) {
    pop_generic(srv, c, false);
}

/// LLEN key
pub fn llen_command(srv: &mut Server, c: &mut Client) {
    match lookup_list(&mut srv.dbs[c.db], &c.argv[1]) {
        Ok(l) => c.add_int(l.map_or(0, |l| l.len() as i64)),
        Err(e) => reply_err(c, e),
    }
}

/// LRANGE key start stop
pub fn lrange_command(srv: &mut Server, c: &mut Client) {
    let (start, end) = match (arg_i64(c, 2), arg_i64(c, 3)) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(e), _) | (_, Err(e)) => return reply_err(c, e),
    };
    match lookup_list(&mut srv.dbs[c.db], &c.argv[1]) {
        Ok(Some(l)) => add_range_reply(c, l, start, end),
        Ok(None) => c.add_raw(b"*0\r\n"),
        Err(e) => reply_err(c, e),
    }
}

/// LINDEX key index
pub fn lindex_command(srv: &mut Server, c: &mut Client) {
    let l = match lookup_list(&mut srv.dbs[c.db], &c.argv[1]) {
        Ok(Some(l)) => l,
        Ok(None) => return c.add_null(),
        Err(e) => return reply_err(c, e),
    };
    match arg_i64(c, 2) {
        Ok(i) => match l.get(i) {
            Some(e) => add_elem(c, e),
            None => c.add_null(),
        },
        Err(e) => reply_err(c, e),
    }
}

/// LSET key index element
pub fn lset_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    let db = &mut srv.dbs[c.db];
    let l = match peek_list(db, &key) {
        Ok(Some(l)) => l,
        Ok(None) => return reply_err(c, OpError::NoSuchKey),
        Err(e) => return reply_err(c, e),
    };
    let index = match arg_i64(c, 2) {
        Ok(i) => i,
        Err(e) => return reply_err(c, e),
    };
    if l.resolve(index).is_none() {
        return reply_err(c, OpError::OutOfRange);
    }
    let l = lookup_list_mut(db, &key).ok().flatten().expect("checked");
    l.set(index, &c.argv[3]);
    db.touch(&key);
    srv.dirty += 1;
    c.add_ok();
    notify(srv, c, ev::LIST, "lset", &key);
}

/// LINSERT key <BEFORE | AFTER> pivot element
pub fn linsert_command(srv: &mut Server, c: &mut Client) {
    let after = match &c.argv[2].to_ascii_lowercase()[..] {
        b"after" => true,
        b"before" => false,
        _ => return reply_err(c, OpError::Syntax),
    };
    let key = c.argv[1].clone();
    let db = &mut srv.dbs[c.db];
    // Look for the pivot before unsharing the list from a snapshot.
    let pivot = Needle::new(&c.argv[3]);
    match peek_list(db, &key) {
        Ok(Some(l)) if l.iter().any(|e| pivot.matches(e)) => {}
        Ok(Some(_)) => return c.add_int(-1),
        Ok(None) => return c.add_int(0),
        Err(e) => return reply_err(c, e),
    }
    let l = lookup_list_mut(db, &key).ok().flatten().expect("checked");
    l.insert_at_pivot(&pivot, &c.argv[4], after);
    let n = l.len();
    db.touch(&key);
    srv.dirty += 1;
    notify(srv, c, ev::LIST, "linsert", &key);
    c.add_int(n as i64);
}

/// LREM key count element
pub fn lrem_command(srv: &mut Server, c: &mut Client) {
    let count = match arg_i64(c, 2) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let key = c.argv[1].clone();
    let db = &mut srv.dbs[c.db];
    let l = match lookup_list_mut(db, &key) {
        Ok(Some(l)) => l,
        Ok(None) => return c.add_int(0),
        Err(e) => return reply_err(c, e),
    };
    let removed = l.remove_matching(&Needle::new(&c.argv[3]), count);
    if l.is_empty() {
        db.remove(&key);
    } else if removed > 0 {
        db.touch(&key);
    }
    srv.dirty += removed as u64;
    if removed > 0 {
        notify(srv, c, ev::LIST, "lrem", &key);
    }
    notify_if_deleted(srv, c, &key);
    c.add_int(removed as i64);
}

/// LTRIM key start stop
pub fn ltrim_command(srv: &mut Server, c: &mut Client) {
    let (start, end) = match (arg_i64(c, 2), arg_i64(c, 3)) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(e), _) | (_, Err(e)) => return reply_err(c, e),
    };
    let key = c.argv[1].clone();
    let db = &mut srv.dbs[c.db];
    let l = match lookup_list_mut(db, &key) {
        Ok(Some(l)) => l,
        Ok(None) => return c.add_ok(),
        Err(e) => return reply_err(c, e),
    };
    let len = l.len() as i64;
    let start = if start < 0 { len + start } else { start }.max(0);
    let end = if end < 0 { len + end } else { end };
    let (ltrim, rtrim) = if start > end || start >= len {
        (len, 0)
    } else {
        (start, len - end.min(len - 1) - 1)
    };
    l.delete_range(0, ltrim as usize);
    let n = l.len();
    l.delete_range(n - rtrim as usize, rtrim as usize);
    // Redis counts an LTRIM of an existing list as a change even when it
    // trims nothing.
    db.touch(&key);
    delete_if_empty(db, &key);
    srv.dirty += (ltrim + rtrim) as u64;
    notify(srv, c, ev::LIST, "ltrim", &key);
    notify_if_deleted(srv, c, &key);
    c.add_ok();
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
pub fn lpos_command(srv: &mut Server, c: &mut Client) {
    let (mut rank, mut count, mut maxlen) = (1i64, None, 0i64);
    let mut j = 3;
    while j < c.argv.len() {
        let more = j + 1 < c.argv.len();
        let opt = c.argv[j].to_ascii_uppercase();
        j += 1;
        let r = match &opt[..] {
            b"RANK" if more => arg_i64(c, j).and_then(|v| {
                rank = v;
                if v == 0 {
                    Err(OpError::Static(error::LPOS_RANK_ZERO))
                } else {
                    Ok(())
                }
            }),
            b"COUNT" if more => {
                arg_non_negative(c, j, error::LPOS_COUNT_NEGATIVE).map(|v| count = Some(v))
            }
            b"MAXLEN" if more => {
                arg_non_negative(c, j, error::LPOS_MAXLEN_NEGATIVE).map(|v| maxlen = v)
            }
            _ => Err(OpError::Syntax),
        };
        if let Err(e) = r {
            return reply_err(c, e);
        }
        j += 1;
    }
    // A negative rank searches from the tail. (-LONG_MIN wraps as in C, which
    // makes every match qualify.)
    let forward = rank > 0;
    let rank = if forward { rank } else { rank.wrapping_neg() };
    let l = match lookup_list(&mut srv.dbs[c.db], &c.argv[1]) {
        Ok(Some(l)) => l,
        Ok(None) if count.is_some() => return c.add_raw(b"*0\r\n"),
        Ok(None) => return c.add_null(),
        Err(e) => return reply_err(c, e),
    };
    let needle = Needle::new(&c.argv[2]);
    let len = l.len() as i64;
    let start = if forward {
        0
    } else {
        l.len().saturating_sub(1)
    };
    let at = |index: i64| if forward { index } else { len - index - 1 };
    let mut found = Vec::new();
    let mut matches = 0i64;
    for (index, e) in l.iter_from(start, forward, l.len()).enumerate() {
        let index = index as i64;
        if maxlen != 0 && index >= maxlen {
            break;
        }
        if !needle.matches(e) {
            continue;
        }
        matches += 1;
        if matches >= rank {
            found.push(at(index));
            match count {
                None => break,
                Some(n) if n != 0 && matches.wrapping_sub(rank).wrapping_add(1) >= n => break,
                _ => {}
            }
        }
    }
    match count {
        Some(_) => {
            c.add_array_len(found.len());
            for i in found {
                c.add_int(i);
            }
        }
        None => match found.first() {
            Some(&i) => c.add_int(i),
            None => c.add_null(),
        },
    }
}

/// Parses LEFT/RIGHT (Redis's getListPositionFromObjectOrReply): true for LEFT.
pub fn parse_where(arg: &[u8]) -> Result<bool, OpError> {
    match &arg.to_ascii_lowercase()[..] {
        b"left" => Ok(true),
        b"right" => Ok(false),
        _ => Err(OpError::Syntax),
    }
}

fn lmove_reply(srv: &mut Server, c: &mut Client, from_left: bool, to_left: bool) {
    let fill = fill(srv);
    let db = &mut srv.dbs[c.db];
    match lmove_generic(db, &c.argv[1], &c.argv[2], from_left, to_left, fill) {
        Ok(Some(v)) => {
            srv.dirty += 1;
            notify_moved(srv, c, &v, from_left, to_left);
        }
        Ok(None) => c.add_null(),
        Err(e) => reply_err(c, e),
    }
}

/// After an element `v` moved from `argv[1]` to `argv[2]`: the push event, the reply,
/// then the pop (and "del") events, in Redis's order.
pub fn notify_moved(srv: &mut Server, c: &mut Client, v: &[u8], from_left: bool, to_left: bool) {
    let (src, dst) = (c.argv[1].clone(), c.argv[2].clone());
    notify_pushed(srv, c, &dst, to_left);
    c.add_bulk(v);
    notify_popped(srv, c, &src, from_left);
}

/// LMOVE source destination <LEFT | RIGHT> <LEFT | RIGHT>
pub fn lmove_command(srv: &mut Server, c: &mut Client) {
    match (parse_where(&c.argv[3]), parse_where(&c.argv[4])) {
        (Ok(from), Ok(to)) => lmove_reply(srv, c, from, to),
        (Err(e), _) | (_, Err(e)) => reply_err(c, e),
    }
}

/// RPOPLPUSH source destination
pub fn rpoplpush_command(srv: &mut Server, c: &mut Client) {
    lmove_reply(srv, c, false, true);
}

/// Parses `numkeys key [key ...] <LEFT | RIGHT> [COUNT count]` starting at
/// `numkeys_idx` (LMPOP: 1, BLMPOP: 2). Returns the argv range of the keys,
/// the side (true = LEFT) and the count (default 1).
pub fn parse_mpop_args(
    argv: &[Bytes],
    numkeys_idx: usize,
) -> Result<(Range<usize>, bool, usize), OpError> {
    let numkeys = arg_positive(&argv[numkeys_idx], error::NUMKEYS_NOT_POSITIVE)?;
    let first = numkeys_idx + 1;
    if numkeys >= argv.len() - first {
        return Err(OpError::Syntax);
    }
    let where_idx = first + numkeys;
    let left = parse_where(&argv[where_idx])?;
    let mut count = None;
    let mut j = where_idx + 1;
    while j < argv.len() {
        if count.is_none() && argv[j].eq_ignore_ascii_case(b"count") && j + 1 < argv.len() {
            count = Some(arg_positive(&argv[j + 1], error::COUNT_NOT_POSITIVE)?);
            j += 2;
        } else {
            return Err(OpError::Syntax);
        }
    }
    Ok((first..where_idx, left, count.unwrap_or(1)))
}

/// Pops up to `count` elements from the first non-empty list among `keys` and
/// replies `[key, [elements]]`. Returns true when it replied (with elements, or
/// with WRONGTYPE); false when no key exists and nothing was replied (LMPOP
/// then replies a null array, BLMPOP blocks).
pub fn mpop_generic(
    srv: &mut Server,
    c: &mut Client,
    keys: &[Bytes],
    left: bool,
    count: usize,
) -> bool {
    let db = &mut srv.dbs[c.db];
    for key in keys {
        match check_list(db, key) {
            Ok(false) => continue,
            Ok(true) => {}
            Err(e) => {
                reply_err(c, e);
                return true;
            }
        }
        c.add_array_len(2);
        c.add_bulk(key);
        let n = pop_range_reply(db, c, key, left, count);
        srv.dirty += n as u64;
        // LMPOP/BLMPOP propagate as LPOP/RPOP key count: the one key that was
        // popped, with no blocking on the receiving side.
        crate::repl::rewrite(srv, || {
            let name: &'static [u8] = if left { b"LPOP" } else { b"RPOP" };
            vec![Bytes::from_static(name), key.clone(), n.to_string().into()]
        });
        notify_popped(srv, c, key, left);
        return true;
    }
    false
}

/// LMPOP numkeys key [key ...] <LEFT | RIGHT> [COUNT count]
pub fn lmpop_command(srv: &mut Server, c: &mut Client) {
    let (keys, left, count) = match parse_mpop_args(&c.argv, 1) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let keys = c.argv[keys].to_vec();
    if !mpop_generic(srv, c, &keys, left, count) {
        c.add_null_array();
    }
}
