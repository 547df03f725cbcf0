//! Integers: Redis's strict `string2ll`, its lenient `string2ull` (stream IDs),
//! and allocation-free integer-to-ASCII for the reply hot path.

/// Longest decimal `i64`/`u64`: `-9223372036854775808` and `18446744073709551615`.
pub const I64_BUF: usize = 20;

/// Redis `string2ll` (also `string2l`, identical on 64-bit): the whole slice must
/// be a canonical decimal integer.
///
/// Accepted: `0`, or an optional `-` followed by a digit `1-9` and more digits,
/// within `i64` range. Rejected: empty input, 21 bytes or more, spaces anywhere,
/// `+`, leading zeros, `-0`, anything else.
#[inline]
pub fn parse_i64(s: &[u8]) -> Option<i64> {
    // LONG_STR_SIZE in Redis is 21: anything that long cannot be valid.
    if s.is_empty() || s.len() >= 21 {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (neg, digits) = match s[0] {
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let (&first, rest) = digits.split_first()?;
    if !(b'1'..=b'9').contains(&first) {
        return None;
    }
    let mut v = u64::from(first - b'0');
    for &c in rest {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    if neg {
        if v > 1u64 << 63 {
            return None;
        }
        Some((v as i64).wrapping_neg())
    } else {
        i64::try_from(v).ok()
    }
}

/// Redis `string2ull`, used for stream ID parts: first [`parse_i64`] (a negative
/// result is rejected), and failing that glibc `strtoull(s, &end, 10)` with the
/// whole string consumed.
///
/// The `strtoull` fallback is lenient exactly as C is: leading whitespace, a `+`
/// or `-` sign (a `-` negates modulo 2^64, so `-1` is rejected by the first step
/// but `-0` is 0 and `-18446744073709551615` is 1), and leading zeros are accepted;
/// values above `u64::MAX` are rejected. As with a C string, parsing stops at the
/// first NUL byte, which then must not be the first byte.
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    let s = match s.iter().position(|&c| c == 0) {
        Some(n) => &s[..n],
        None => s,
    };
    if let Some(v) = parse_i64(s) {
        return u64::try_from(v).ok();
    }
    let ws = s
        .iter()
        .take_while(|&&c| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .count();
    let rest = &s[ws..];
    let (neg, digits) = match rest.first() {
        Some(b'-') => (true, &rest[1..]),
        Some(b'+') => (false, &rest[1..]),
        _ => (false, rest),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &c in digits {
        v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(if neg { v.wrapping_neg() } else { v })
}

const DIGITS2: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `v` in decimal at the end of `buf`; returns the start index.
#[inline]
fn write_u64_tail(mut v: u64, buf: &mut [u8; I64_BUF]) -> usize {
    let mut i = I64_BUF;
    while v >= 100 {
        let r = (v % 100) as usize * 2;
        v /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGITS2[r..r + 2]);
    }
    if v >= 10 {
        let r = v as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DIGITS2[r..r + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + v as u8;
    }
    i
}

/// Redis `ull2string`: decimal digits of `v`, written into `buf` (no allocation).
#[inline]
pub fn format_u64(v: u64, buf: &mut [u8; I64_BUF]) -> &[u8] {
    let i = write_u64_tail(v, buf);
    &buf[i..]
}

/// Redis `ll2string`: decimal form of `v` with a leading `-` when negative,
/// written into `buf` (no allocation). `buf` is exactly large enough for `i64::MIN`.
#[inline]
pub fn format_i64(v: i64, buf: &mut [u8; I64_BUF]) -> &[u8] {
    let mut i = write_u64_tail(v.unsigned_abs(), buf);
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// Number of bytes [`format_i64`] produces for `v` (Redis `sdigits10`-style),
/// handy for sizing `$<len>\r\n` headers.
#[inline]
pub fn i64_len(v: i64) -> usize {
    let n = v.unsigned_abs();
    let digits = if n == 0 { 1 } else { n.ilog10() as usize + 1 };
    digits + usize::from(v < 0)
}

/// C's `strtoll(s, &end, base)`: leading isspace bytes, an optional sign, then
/// digits of `base` up to the first other byte. Returns the value (out of range
/// saturates at `i64::MAX` / `i64::MIN`), whether it overflowed (`ERANGE`), and
/// `end`: the index after the last digit, or 0 when there were no digits (C's
/// end pointer left at the start).
pub fn strtoll_prefix(s: &[u8], base: u32) -> (i64, bool, usize) {
    let is_space = |c: &u8| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let mut i = s.iter().take_while(|c| is_space(c)).count();
    let neg = s.get(i) == Some(&b'-');
    if matches!(s.get(i), Some(b'-' | b'+')) {
        i += 1;
    }
    let start = i;
    let mut v: i128 = 0;
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(base)) {
        // Capped one past i64::MAX: enough to tell both overflows apart.
        v = (v * base as i128 + d as i128).min(i64::MAX as i128 + 2);
        i += 1;
    }
    if i == start {
        return (0, false, 0);
    }
    let v = if neg { -v } else { v };
    let clamped = v.clamp(i64::MIN as i128, i64::MAX as i128);
    (clamped as i64, clamped != v, i)
}

/// C's `atoll` (glibc `strtoll(s, NULL, 10)`): see [`strtoll_prefix`]; 0 when
/// there are no digits. Used where Redis reads a number with atoi/atoll/strtol
/// and never checks it (AOF headers, the manifest's seq, DEBUG arguments).
pub fn c_atoll(b: &[u8]) -> i64 {
    strtoll_prefix(b, 10).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_i64_accepts() {
        let cases: &[(&str, i64)] = &[
            ("0", 0),
            ("1", 1),
            ("-1", -1),
            ("10", 10),
            ("1234567890", 1_234_567_890),
            ("9223372036854775807", i64::MAX),
            ("-9223372036854775808", i64::MIN),
            ("-9223372036854775807", -i64::MAX),
        ];
        for &(s, v) in cases {
            assert_eq!(parse_i64(s.as_bytes()), Some(v), "{s}");
        }
    }

    #[test]
    fn parse_i64_rejects() {
        for s in [
            "",
            "-",
            "+1",
            " 1",
            "1 ",
            "01",
            "00",
            "-0",
            "-01",
            "1a",
            "a1",
            "1.0",
            "1e3",
            "9223372036854775808",
            "-9223372036854775809",
            "18446744073709551616",
            "99999999999999999999",
            "000000000000000000001",
            "--1",
            "0x10",
            "1\0",
            "\t1",
            "１",
        ] {
            assert_eq!(parse_i64(s.as_bytes()), None, "{s:?}");
        }
    }

    #[test]
    fn parse_i64_round_trips_format() {
        let mut x: u64 = 88172645463325252;
        for _ in 0..20000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = (x >> (x % 64)) as i64 * if x & 1 == 1 { -1 } else { 1 };
            let mut buf = [0; I64_BUF];
            let s = format_i64(v, &mut buf);
            assert_eq!(s, v.to_string().as_bytes());
            assert_eq!(i64_len(v), s.len());
            assert_eq!(parse_i64(s), Some(v));
        }
    }

    #[test]
    fn format_edges() {
        let mut buf = [0; I64_BUF];
        for v in [
            0,
            9,
            10,
            99,
            100,
            101,
            999,
            1000,
            i64::MAX,
            i64::MIN,
            -1,
            -10,
            -100,
        ] {
            assert_eq!(format_i64(v, &mut buf), v.to_string().as_bytes());
            assert_eq!(i64_len(v), v.to_string().len());
        }
        for v in [0, 7, 42, u64::MAX, 1 << 63] {
            assert_eq!(format_u64(v, &mut buf), v.to_string().as_bytes());
        }
    }

    #[test]
    fn parse_u64_like_string2ull() {
        let ok: &[(&[u8], u64)] = &[
            (b"0", 0),
            (b"123", 123),
            (b"18446744073709551615", u64::MAX),
            (b"9223372036854775808", 1 << 63),
            (b"007", 7),
            (b"+5", 5),
            (b" 5", 5),
            (b"\t\n 5", 5),
            (b"-0", 0),
            (b"-18446744073709551615", 1),
            (b"-9223372036854775809", 9223372036854775807),
            (b"12\0junk", 12),
        ];
        for &(s, v) in ok {
            assert_eq!(parse_u64(s), Some(v), "{:?}", String::from_utf8_lossy(s));
        }
        for s in [
            &b""[..],
            b"-1",
            b"-5",
            b"18446744073709551616",
            b"5 ",
            b" ",
            b"+",
            b"-",
            b"1.0",
            b"0x1",
            b"\x001",
            b"1-",
        ] {
            assert_eq!(parse_u64(s), None, "{:?}", String::from_utf8_lossy(s));
        }
    }

    #[test]
    fn c_atoll_reads_as_strtoll() {
        assert_eq!(c_atoll(b""), 0);
        assert_eq!(c_atoll(b"abc"), 0);
        assert_eq!(c_atoll(b"  12abc"), 12);
        assert_eq!(c_atoll(b"\t+7\r\n"), 7);
        assert_eq!(c_atoll(b"-3"), -3);
        assert_eq!(c_atoll(b"- 3"), 0);
        assert_eq!(c_atoll(b"007"), 7);
        assert_eq!(c_atoll(b"9223372036854775807"), i64::MAX);
        assert_eq!(c_atoll(b"9223372036854775808"), i64::MAX);
        assert_eq!(c_atoll(b"-9223372036854775808"), i64::MIN);
        assert_eq!(c_atoll(b"-99999999999999999999"), i64::MIN);
        assert_eq!(c_atoll(b"18446744073709551617"), i64::MAX);
        assert_eq!(c_atoll(b"\x0b5"), 5);
        assert_eq!(
            strtoll_prefix(b"-9223372036854775809", 10),
            (i64::MIN, true, 20)
        );
        assert_eq!(
            strtoll_prefix(b"9223372036854775807x", 10),
            (i64::MAX, false, 19)
        );
        assert_eq!(strtoll_prefix(b" +", 10), (0, false, 0));
    }
}
