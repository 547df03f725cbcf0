//! Lexical helpers of the configuration layer, each with the exact semantics of
//! the Redis 7.0 routine it mirrors: argument splitting (`sdssplitargs`),
//! quoting for output (`sdscatrepr`), memory values (`memtoull`), strict integers
//! (`string2ll`), lenient C integers (`strtoll`) and `strerror` texts.

/// Argument splitting with `sdssplitargs` rules (shared with inline commands).
pub use crate::util::splitargs::split_args;

/// Quotes bytes like Redis's `sdscatrepr`: always double-quoted, with `\\ \"
/// \n \r \t \a \b` escapes and `\xHH` for other non-printable bytes.
pub fn repr(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &c in s {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            7 => out.push_str("\\a"),
            8 => out.push_str("\\b"),
            c if c.is_ascii_graphic() || c == b' ' => out.push(c as char),
            c => out.push_str(&format!("\\x{:02x}", c)),
        }
    }
    out.push('"');
    out
}

/// Redis `memtoull`: digits followed by an optional unit `b k kb m mb g gb`
/// (case-insensitive; `k` = 1000, `kb` = 1024, ...). An empty string is 0;
/// overflowing digits saturate and the multiplication wraps, as in Redis.
pub fn memtoull(s: &[u8]) -> Option<u64> {
    if s.first() == Some(&b'-') {
        return None;
    }
    let digits = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let unit = &s[digits..];
    let mul: u64 = match unit.to_ascii_lowercase().as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits >= 128 {
        return None;
    }
    let mut val: u64 = 0;
    for &c in &s[..digits] {
        val = val
            .checked_mul(10)
            .and_then(|v| v.checked_add((c - b'0') as u64))
            .unwrap_or(u64::MAX);
        if val == u64::MAX {
            break;
        }
    }
    Some(val.wrapping_mul(mul))
}

/// Redis `string2ll`: optional `-`, no `+`, no leading zeros, no spaces, no
/// empty string, within i64.
pub fn string2ll(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !(b'1'..=b'9').contains(&digits[0]) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
    }
    if neg {
        if v > i64::MAX as u64 + 1 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

/// C `strtoll(s, &end, base)` followed by a check that `end` reached the end of
/// the string: leading whitespace and a sign are allowed, an empty (or
/// all-blank-free empty) string yields 0, overflow saturates. Returns `None`
/// when trailing garbage remains, plus whether overflow happened (`ERANGE`).
pub fn strtoll_full(s: &[u8], base: u32) -> Option<(i64, bool)> {
    let (v, overflow, end) = crate::util::number::strtoll_prefix(s, base);
    (end == s.len()).then_some((v, overflow))
}

pub use crate::util::{errno_text as strerror, strerror as io_error_text};

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Option<Vec<String>> {
        split_args(s.as_bytes()).map(|v| {
            v.into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect()
        })
    }

    #[test]
    fn split_plain_and_quotes() {
        assert_eq!(split("  a  b\tc ").unwrap(), vec!["a", "b", "c"]);
        assert_eq!(split("").unwrap(), Vec::<String>::new());
        assert_eq!(split("save \"\"").unwrap(), vec!["save", ""]);
        assert_eq!(split("a \"b c\" 'd e'").unwrap(), vec!["a", "b c", "d e"]);
        assert_eq!(
            split("\"\\n\\r\\t\\b\\a\\\\\\\"\\q\"").unwrap(),
            vec!["\n\r\t\x08\x07\\\"q"]
        );
        assert_eq!(split("\"\\x41\\x4a\\xzz\"").unwrap(), vec!["AJxzz"]);
        assert_eq!(split("'it\\'s' '\\n'").unwrap(), vec!["it's", "\\n"]);
        assert_eq!(split("foo\"bar baz\"").unwrap(), vec!["foobar baz"]);
    }

    #[test]
    fn split_unbalanced() {
        assert!(split("\"abc").is_none());
        assert!(split("'abc").is_none());
        assert!(split("\"a\"b").is_none());
        assert!(split("'a'b").is_none());
        assert!(split("\"a\"").is_some());
    }

    #[test]
    fn repr_quotes() {
        assert_eq!(repr(b"a b"), "\"a b\"");
        assert_eq!(repr(b"\"\\\n\x01"), "\"\\\"\\\\\\n\\x01\"");
        assert_eq!(repr(b""), "\"\"");
    }

    #[test]
    fn memory_units() {
        assert_eq!(memtoull(b"0"), Some(0));
        assert_eq!(memtoull(b""), Some(0));
        assert_eq!(memtoull(b"5B"), Some(5));
        assert_eq!(memtoull(b"5k"), Some(5000));
        assert_eq!(memtoull(b"5kb"), Some(5120));
        assert_eq!(memtoull(b"5KB"), Some(5120));
        assert_eq!(memtoull(b"2m"), Some(2_000_000));
        assert_eq!(memtoull(b"2mb"), Some(2 * 1024 * 1024));
        assert_eq!(memtoull(b"1g"), Some(1_000_000_000));
        assert_eq!(memtoull(b"1gb"), Some(1 << 30));
        assert_eq!(memtoull(b"1x"), None);
        assert_eq!(memtoull(b" 5"), None);
        assert_eq!(memtoull(b"+5"), None);
        assert_eq!(memtoull(b"-0"), None);
        assert_eq!(memtoull(b"1.5mb"), None);
        assert_eq!(memtoull(b"18446744073709551616"), Some(u64::MAX));
    }

    #[test]
    fn strict_integers() {
        assert_eq!(string2ll(b"0"), Some(0));
        assert_eq!(string2ll(b"-5"), Some(-5));
        assert_eq!(string2ll(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(string2ll(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(string2ll(b"9223372036854775808"), None);
        for bad in ["", "-", "05", "+5", " 5", "5 ", "-0", "1.5", "abc"] {
            assert_eq!(string2ll(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn c_integers() {
        assert_eq!(strtoll_full(b"42", 10), Some((42, false)));
        assert_eq!(strtoll_full(b" +42", 10), Some((42, false)));
        assert_eq!(strtoll_full(b"-1", 10), Some((-1, false)));
        assert_eq!(strtoll_full(b"", 10), Some((0, false)));
        assert_eq!(strtoll_full(b"4x", 10), None);
        assert_eq!(strtoll_full(b"777", 8), Some((511, false)));
        assert_eq!(strtoll_full(b"8", 8), None);
        assert_eq!(
            strtoll_full(b"99999999999999999999", 10),
            Some((i64::MAX, true))
        );
    }

    #[test]
    fn errno_text() {
        assert_eq!(strerror(libc::ENOENT), "No such file or directory");
    }
}
