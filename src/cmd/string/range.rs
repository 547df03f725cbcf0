//! Byte ranges of string values: GETRANGE (and its old name SUBSTR) and
//! SETRANGE.
//!
//! GETRANGE's index rules are Redis 7.0's, quirks included: both ends are
//! inclusive, negative indexes count from the end and are clamped to 0 (so
//! `GETRANGE k -100 -50` on a short string returns its first byte), and a pair
//! of negative indexes with start > end is empty before any clamping.

use super::{check_string_length, lookup_string, string_len, value_bytes};
use crate::client::Client;
use crate::cmd::{arg_i64, reply_err};
use crate::db::entry::grow_zeroed;
use crate::db::Db;
use crate::error::{self, OpError};
use crate::server::Server;
use crate::util::number::I64_BUF;

/// The bytes GETRANGE returns from a string of `len` bytes, as a half-open
/// range, or None when the reply is the empty string.
pub fn getrange_span(len: usize, start: i64, end: i64) -> Option<std::ops::Range<usize>> {
    if start < 0 && end < 0 && start > end {
        return None;
    }
    if len == 0 {
        return None;
    }
    // len <= isize::MAX, so len + a negative i64 cannot overflow.
    let n = len as i64;
    let from_end = |i: i64| if i < 0 { (n + i).max(0) } else { i };
    let start = from_end(start);
    let end = from_end(end).min(n - 1);
    if start > end {
        None
    } else {
        Some(start as usize..end as usize + 1)
    }
}

/// GETRANGE key start end
///
/// Also SUBSTR key start end.
pub fn getrange_command(srv: &mut Server, c: &mut Client) {
    // Redis parses both indexes before it looks at the key.
    let (start, end) = match (arg_i64(c, 2), arg_i64(c, 3)) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(e), _) | (_, Err(e)) => return reply_err(c, e),
    };
    let key = c.argv[1].clone();
    let e = match lookup_string(&mut srv.dbs[c.db], &key) {
        Ok(Some(e)) => e,
        Ok(None) => return c.add_bulk(b""),
        Err(e) => return reply_err(c, e),
    };
    let mut tmp = [0u8; I64_BUF];
    let s = match value_bytes(e.value(), &mut tmp) {
        Ok(s) => s,
        Err(err) => return reply_err(c, err),
    };
    match getrange_span(s.len(), start, end) {
        Some(r) => c.add_bulk(&s[r]),
        None => c.add_bulk(b""),
    }
}

/// Writes `value` into the string at `key` starting at byte `offset`, padding
/// with zero bytes (Redis's setrangeCommand). Returns the string's length
/// afterwards and whether anything was written.
///
/// An empty `value` writes nothing: a missing key stays missing (reply 0) and
/// an existing one is left as it is, whatever the offset. The result of a
/// write is always `raw` and an existing key keeps its TTL.
pub fn setrange(
    db: &mut Db,
    key: &[u8],
    offset: i64,
    value: &[u8],
    limit: u64,
) -> Result<(usize, bool), OpError> {
    if offset < 0 {
        return Err(OpError::Static(error::OFFSET_OUT_OF_RANGE));
    }
    let cur_len = match db.lookup_write(key) {
        None => 0,
        Some(e) => string_len(e.value())?,
    };
    if value.is_empty() {
        return Ok((cur_len, false));
    }
    check_string_length(limit, offset as u64, value.len() as u64)?;
    // The limit is far below usize::MAX, so these cannot overflow now.
    let offset = offset as usize;
    let end = offset + value.len();
    let len = db
        .with_string_mut(key, true, |v| {
            grow_zeroed(v, end);
            v[offset..end].copy_from_slice(value);
            (v.len(), true)
        })?
        .expect("created when missing");
    Ok((len, true))
}

/// SETRANGE key offset value
pub fn setrange_command(srv: &mut Server, c: &mut Client) {
    let offset = match arg_i64(c, 2) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let key = c.argv[1].clone();
    let limit = srv.config.proto_max_bulk_len;
    match setrange(&mut srv.dbs[c.db], &key, offset, &c.argv[3], limit) {
        Ok((len, written)) => {
            if written {
                srv.dirty += 1;
                crate::notify::event(srv, c, crate::config::notify::STRING, "setrange", &key);
            }
            c.add_int(len as i64);
        }
        Err(e) => reply_err(c, e),
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::db::Value;

    /// GETRANGE as a function of the value, for the table below.
    fn gr(s: &str, start: i64, end: i64) -> &str {
        match getrange_span(s.len(), start, end) {
            Some(r) => &s[r],
            None => "",
        }
    }

    /// Every row was checked against Redis 7.0.15.
    #[test]
    fn getrange_index_rules_match_redis() {
        let s = "Hello World";
        let cases: &[(i64, i64, &str)] = &[
            (0, 4, "Hello"),
            (-5, -1, "World"),
            (-1, -5, ""),
            (5, 3, ""),
            (0, -1, "Hello World"),
            (0, 100, "Hello World"),
            (-100, -50, "H"),
            (-100, -100, "H"),
            (-100, 2, "Hel"),
            (100, 200, ""),
            (11, 11, ""),
            (10, 10, "d"),
            (-1, -1, "d"),
            (i64::MIN, i64::MAX, "Hello World"),
            (i64::MAX, i64::MIN, ""),
            (3, -100, ""),
            (0, -12, "H"),
            (0, -11, "H"),
        ];
        for &(start, end, want) in cases {
            assert_eq!(gr(s, start, end), want, "GETRANGE {start} {end}");
        }
        for (start, end) in [(0, -1), (0, 0), (-1, 0), (i64::MIN, i64::MAX)] {
            assert_eq!(gr("", start, end), "");
        }
        assert_eq!(gr("123456", 1, 3), "234");
        assert_eq!(gr("123456", -2, -1), "56");
    }

    fn db() -> Db {
        Db::new(0, std::collections::hash_map::RandomState::new())
    }

    fn get(d: &mut Db, k: &[u8]) -> Option<Vec<u8>> {
        d.lookup(k).map(|e| e.str_bytes().expect("string").to_vec())
    }

    #[test]
    fn setrange_pads_overwrites_and_keeps_ttl() {
        let mut d = db();
        let limit = 512 << 20;
        assert_eq!(setrange(&mut d, b"k", 3, b"ab", limit), Ok((5, true)));
        assert_eq!(get(&mut d, b"k").unwrap(), b"\0\0\0ab");
        assert_eq!(d.lookup(b"k").unwrap().str_encoding(), Some("raw"));

        d.set(b"i", Value::Int(123), Some(i64::MAX));
        assert_eq!(setrange(&mut d, b"i", 1, b"9", limit), Ok((3, true)));
        assert_eq!(get(&mut d, b"i").unwrap(), b"193");
        assert_eq!(d.lookup(b"i").unwrap().expire(), Some(i64::MAX));
        assert_eq!(d.lookup(b"i").unwrap().str_encoding(), Some("raw"));
    }

    #[test]
    fn setrange_empty_value_writes_nothing() {
        let mut d = db();
        let limit = 512 << 20;
        assert_eq!(setrange(&mut d, b"nk", 5, b"", limit), Ok((0, false)));
        assert!(d.lookup(b"nk").is_none());
        d.set(b"s", Value::string(Bytes::from_static(b"abc")), None);
        assert_eq!(setrange(&mut d, b"s", 1000, b"", limit), Ok((3, false)));
        d.set(b"n", Value::Int(-12), None);
        assert_eq!(setrange(&mut d, b"n", 0, b"", limit), Ok((3, false)));
    }

    #[test]
    fn setrange_limits() {
        let mut d = db();
        let limit = 1 << 20;
        let too_big = Err(OpError::Static(error::TOO_BIG_STRING));
        let neg = Err(OpError::Static(error::OFFSET_OUT_OF_RANGE));
        assert_eq!(setrange(&mut d, b"k", -1, b"", limit), neg);
        assert_eq!(setrange(&mut d, b"k", -1, b"x", limit), neg);
        assert_eq!(setrange(&mut d, b"k", 1 << 20, b"a", limit), too_big);
        assert_eq!(setrange(&mut d, b"k", i64::MAX, b"a", limit), too_big);
        // Exactly at the limit is allowed.
        assert_eq!(
            setrange(&mut d, b"k", (1 << 20) - 1, b"a", limit),
            Ok((1 << 20, true))
        );
        assert_eq!(setrange(&mut d, b"k", (1 << 20) - 1, b"ab", limit), too_big);
    }
}
