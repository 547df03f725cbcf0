//! Stream commands (Redis's t_stream.c). The type, its nodes, trimming and the
//! consumer groups live in `db/stream.rs`; this file and `stream/` parse
//! arguments, apply the operation and reply. Appends and removals (XADD,
//! XTRIM, XDEL, XSETID, XLEN) are in `stream/add.rs`, the ranges (XRANGE,
//! XREVRANGE) in `stream/range.rs`, the reads (XREAD, XREADGROUP, blocking
//! included) in `stream/read.rs`; the group-management commands are in
//! `stream/{group,claim,info}.rs` with their own `COMMANDS`.
//!
//! Shared by every stream command (Contract 3 of the streams brief):
//! - lookups: [`lookup_stream`], [`peek_stream`], [`lookup_stream_mut`],
//!   [`stream_value`], [`node_limits`];
//! - ID arguments as Redis's streamGenericParseIDOrReply family:
//!   [`parse_id`] (`-` and `+` allowed), [`parse_strict_id`] (they are not),
//!   [`parse_add_id`] (`ms-*` accepted), [`parse_range_bound`] (XRANGE's
//!   bounds with `(` for exclusive), and [`parse_count`] (a COUNT argument);
//! - replies: [`add_stream_id`] (an ID as a bulk string), [`add_entry`] (an
//!   entry as `[id, [field, value, ...]]`) and [`add_range`] (a range of
//!   entries as an array), so XCLAIM, XAUTOCLAIM and XINFO emit entries
//!   exactly as XRANGE does.
//!
//! Every error text is Redis's; `srv.dirty` and keyspace events follow
//! t_stream.c (`xadd`, `xtrim`, `xdel`, `xsetid`).

pub mod add;
pub mod claim;
pub mod group;
pub mod info;
pub mod range;
pub mod read;

mod commands;
pub use commands::COMMANDS;

use bytes::Bytes;

use super::acl;
use crate::client::Client;
use crate::db::stream::{Fields, NodeLimits, Stream, StreamId};
use crate::db::{Db, Object, Value, ValueRef};
use crate::error::{self, OpError};
use crate::server::Server;
use crate::util::number::{format_u64, parse_i64, I64_BUF};

const S: u64 = acl::STREAM;

/// The node limits from the configuration (`stream-node-max-bytes`,
/// `stream-node-max-entries`).
pub fn node_limits(srv: &Server) -> NodeLimits {
    NodeLimits {
        max_bytes: srv.config.stream_node_max_bytes as usize,
        max_entries: srv.config.stream_node_max_entries as usize,
    }
}

/// A stream as a key's value.
pub fn stream_value(s: Stream) -> Value {
    Value::Obj(Object::Stream(s))
}

/// The stream in an entry's value, or WRONGTYPE.
fn as_stream(v: ValueRef<'_>) -> Result<&Stream, OpError> {
    match v {
        ValueRef::Obj(Object::Stream(s)) => Ok(s),
        _ => Err(OpError::WrongType),
    }
}

/// Redis's lookupKeyRead + checkType(OBJ_STREAM): Ok(None) if the key is
/// missing.
pub fn lookup_stream<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a Stream>, OpError> {
    match db.lookup(key) {
        None => Ok(None),
        Some(e) => as_stream(e.value()).map(Some),
    }
}

/// Redis's lookupKeyWrite + checkType(OBJ_STREAM) when the caller only reads
/// for now: no keyspace hit/miss counted, no copy from a snapshot.
pub fn peek_stream<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a Stream>, OpError> {
    match db.lookup_write(key) {
        None => Ok(None),
        Some(e) => as_stream(e.value()).map(Some),
    }
}

/// The stream at `key` for writing (copied first if a snapshot shares it).
/// The caller touches the key once it has changed it.
pub fn lookup_stream_mut<'a>(
    db: &'a mut Db,
    key: &[u8],
) -> Result<Option<&'a mut Stream>, OpError> {
    let Some(e) = db.lookup_mut(key) else {
        return Ok(None);
    };
    as_stream(e.value())?;
    match e.obj_mut() {
        Some(Object::Stream(s)) => Ok(Some(s)),
        _ => Err(OpError::WrongType),
    }
}

/// C's strtoull as string2ull falls back to it: optional leading white space,
/// an optional sign (a `-` negates modulo 2^64), at least one digit, nothing
/// after, no overflow.
fn strtoull(s: &[u8]) -> Option<u64> {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    if i == s.len() {
        return None;
    }
    let mut v: u64 = 0;
    for &b in &s[i..] {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((b - b'0') as u64)?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Redis's string2ull: a strict integer first (a negative one is refused),
/// else what strtoull accepts.
fn string2ull(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    if let Some(v) = parse_i64(s) {
        return (v >= 0).then_some(v as u64);
    }
    strtoull(s)
}

/// Redis's streamGenericParseIDOrReply: `ms-seq` or `ms` (the seq is then
/// `missing_seq`); `-` and `+` (0-0 and the maximum) unless `strict`; with
/// `auto_seq`, `ms-*` is accepted and the second value says whether the seq
/// was given. The argument is read as C reads it (up to a NUL, at most 127
/// bytes).
pub fn parse_id_arg(
    arg: &[u8],
    missing_seq: u64,
    strict: bool,
    auto_seq: bool,
) -> Result<(StreamId, bool), OpError> {
    let invalid = Err(OpError::Static(error::STREAM_ID_INVALID));
    if arg.len() > 127 {
        return invalid;
    }
    let buf = match arg.iter().position(|&b| b == 0) {
        Some(n) => &arg[..n],
        None => arg,
    };
    match buf {
        b"-" | b"+" if strict => return invalid,
        b"-" => return Ok((StreamId::MIN, true)),
        b"+" => return Ok((StreamId::MAX, true)),
        _ => {}
    }
    let (ms_part, seq_part) = match buf.iter().position(|&b| b == b'-') {
        Some(d) => (&buf[..d], Some(&buf[d + 1..])),
        None => (buf, None),
    };
    let Some(ms) = string2ull(ms_part) else {
        return invalid;
    };
    let (seq, given) = match seq_part {
        None => (missing_seq, true),
        Some(b"*") if auto_seq => (0, false),
        Some(s) => match string2ull(s) {
            Some(v) => (v, true),
            None => return invalid,
        },
    };
    Ok((StreamId { ms, seq }, given))
}

/// An ID where `-` and `+` are allowed (streamParseIDOrReply).
pub fn parse_id(arg: &[u8], missing_seq: u64) -> Result<StreamId, OpError> {
    parse_id_arg(arg, missing_seq, false, false).map(|(id, _)| id)
}

/// An ID where `-` and `+` are refused (streamParseStrictIDOrReply).
pub fn parse_strict_id(arg: &[u8], missing_seq: u64) -> Result<StreamId, OpError> {
    parse_id_arg(arg, missing_seq, true, false).map(|(id, _)| id)
}

/// XADD's ID: strict, `ms-*` allowed; true when the seq was given.
pub fn parse_add_id(arg: &[u8]) -> Result<(StreamId, bool), OpError> {
    parse_id_arg(arg, 0, true, true)
}

/// One bound of an ID interval (streamParseIntervalIDOrReply as XRANGE and
/// XPENDING use it): an incomplete start takes seq 0 and an incomplete end
/// the maximum seq; `-`/`+` are the extremes; `(` makes the bound exclusive
/// (then `-`/`+` are invalid), which moves it to the next (start) or the
/// previous (end) ID, with Redis's error when there is none.
pub fn parse_range_bound(arg: &[u8], is_start: bool) -> Result<StreamId, OpError> {
    let missing_seq = if is_start { 0 } else { u64::MAX };
    if arg.len() > 1 && arg[0] == b'(' {
        let id = parse_strict_id(&arg[1..], missing_seq)?;
        if is_start {
            id.incr()
                .ok_or(OpError::Static(error::STREAM_INVALID_START))
        } else {
            id.decr().ok_or(OpError::Static(error::STREAM_INVALID_END))
        }
    } else {
        parse_id(arg, missing_seq)
    }
}

/// A COUNT argument as getLongLongFromObjectOrReply reads it (the caller
/// applies its own rule for negative values).
pub fn parse_count(arg: &[u8]) -> Result<i64, OpError> {
    parse_i64(arg).ok_or(OpError::NotInteger)
}

/// `ms-seq` in `buf` (at most 41 bytes).
pub fn format_id(id: StreamId, buf: &mut [u8; 48]) -> &[u8] {
    let mut t = [0u8; I64_BUF];
    let ms = format_u64(id.ms, &mut t);
    let n = ms.len();
    buf[..n].copy_from_slice(ms);
    buf[n] = b'-';
    let seq = format_u64(id.seq, &mut t);
    buf[n + 1..n + 1 + seq.len()].copy_from_slice(seq);
    &buf[..n + 1 + seq.len()]
}

/// The ID as an argument (for propagation).
pub fn id_arg(id: StreamId) -> Bytes {
    let mut buf = [0u8; 48];
    Bytes::copy_from_slice(format_id(id, &mut buf))
}

/// An ID as a bulk string (addReplyStreamID).
pub fn add_stream_id(c: &mut Client, id: StreamId) {
    let mut buf = [0u8; 48];
    c.add_bulk(format_id(id, &mut buf));
}

/// One entry as `[id, [field, value, ...]]`.
pub fn add_entry(c: &mut Client, id: StreamId, fields: Fields<'_>) {
    c.add_array_len(2);
    add_stream_id(c, id);
    c.add_array_len(fields.len() * 2);
    for (f, v) in fields.iter() {
        c.add_bulk(&f);
        c.add_bulk(&v);
    }
}

/// The entries from `start` to `end` (inclusive; descending with `rev`), at
/// most `count` of them (0: all), as an array (streamReplyWithRange without a
/// group). Returns how many were emitted.
pub fn add_range(
    c: &mut Client,
    s: &Stream,
    start: StreamId,
    end: StreamId,
    count: usize,
    rev: bool,
) -> usize {
    let at = c.defer_len();
    let mut n = 0;
    s.range(start, end, rev, |id, fields| {
        add_entry(c, id, fields);
        n += 1;
        count == 0 || n < count
    });
    c.set_deferred_len(at, b'*', n);
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    #[test]
    fn ids_parse_as_redis() {
        assert_eq!(parse_id(b"1-2", 0), Ok(id(1, 2)));
        assert_eq!(parse_id(b"5", 7), Ok(id(5, 7)));
        assert_eq!(parse_id(b"-", 0), Ok(StreamId::MIN));
        assert_eq!(parse_id(b"+", 0), Ok(StreamId::MAX));
        assert!(parse_strict_id(b"-", 0).is_err());
        assert!(parse_strict_id(b"+", 0).is_err());
        assert_eq!(
            parse_id(b"18446744073709551615-18446744073709551615", 0),
            Ok(StreamId::MAX)
        );
        assert!(parse_id(b"18446744073709551616", 0).is_err());
        assert!(parse_id(b"1-", 0).is_err());
        assert!(parse_id(b"-1", 0).is_err());
        assert!(parse_id(b"1-2-3", 0).is_err());
        assert!(parse_id(b"abc", 0).is_err());
        assert!(parse_id(b"", 0).is_err());
        // strtoull's leniency, as string2ull falls back to it.
        assert_eq!(parse_id(b"+5-01", 0), Ok(id(5, 1)));
        assert_eq!(parse_id(b" 7", 0), Ok(id(7, 0)));
        assert_eq!(parse_add_id(b"5-*"), Ok((id(5, 0), false)));
        assert_eq!(parse_add_id(b"5-3"), Ok((id(5, 3), true)));
        assert!(parse_id(b"5-*", 0).is_err());
        assert!(parse_id(&[b'1'; 128], 0).is_err());
        assert_eq!(parse_id(b"3\x00junk", 0), Ok(id(3, 0)));
    }

    #[test]
    fn range_bounds() {
        assert_eq!(parse_range_bound(b"5", true), Ok(id(5, 0)));
        assert_eq!(parse_range_bound(b"5", false), Ok(id(5, u64::MAX)));
        assert_eq!(parse_range_bound(b"(5-1", true), Ok(id(5, 2)));
        assert_eq!(parse_range_bound(b"(5-0", false), Ok(id(4, u64::MAX)));
        assert_eq!(parse_range_bound(b"(5", false), Ok(id(5, u64::MAX - 1)));
        assert_eq!(
            parse_range_bound(b"(", true),
            Err(OpError::Static(error::STREAM_ID_INVALID))
        );
        assert!(parse_range_bound(b"(-", true).is_err());
        assert_eq!(
            parse_range_bound(b"(0-0", false),
            Err(OpError::Static(error::STREAM_INVALID_END))
        );
        assert_eq!(
            parse_range_bound(b"(18446744073709551615-18446744073709551615", true),
            Err(OpError::Static(error::STREAM_INVALID_START))
        );
    }

    #[test]
    fn ids_format() {
        let mut b = [0u8; 48];
        assert_eq!(
            format_id(StreamId::MAX, &mut b),
            b"18446744073709551615-18446744073709551615"
        );
        assert_eq!(format_id(id(0, 1), &mut b), b"0-1");
    }
}
