//! `double`s as Redis 7.0 reads and writes them.
//!
//! Reading is `getDoubleFromObject`/`string2d`: `strtod` over the whole string,
//! no leading whitespace, NaN rejected, overflow and underflow-to-zero rejected,
//! `inf`/`-inf`/`+infinity` accepted, hex floats accepted.
//!
//! Writing is `addReplyDouble` (RESP2 bulk and RESP3 `,` double alike): `%.17g`,
//! with `inf`/`-inf` for infinities. 7.0 has no shortest-representation printing
//! (that came in 7.2), so `0.1` is written as `0.10000000000000001`.

use super::bignum::Big;
use super::strtod::{self, Conv, Scan, F64};

/// Parses a command argument as a `double` exactly like Redis 7.0
/// (`getDoubleFromObject` / `string2d`). Returns `None` for every input Redis
/// answers with "value is not a valid float".
pub fn parse_f64(s: &[u8]) -> Option<f64> {
    match strtod::scan(s)? {
        Scan::Nan => None,
        Scan::Inf { neg } => Some(if neg {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }),
        Scan::Dec { neg, int, frac, .. } => {
            // The syntax is validated; Rust's parser is correctly rounded and
            // accepts every strtod decimal form.
            let text = std::str::from_utf8(s).ok()?;
            let v: f64 = text.parse().ok()?;
            if v.is_infinite() {
                return None; // ERANGE overflow
            }
            if v == 0.0 && int.iter().chain(frac).any(|&c| c != b'0') {
                return None; // ERANGE underflow to zero
            }
            debug_assert_eq!(v.is_sign_negative(), neg);
            Some(v)
        }
        sc @ Scan::Hex { neg, .. } => {
            let v = match strtod::to_binary(&sc, F64)? {
                Conv::Zero { underflow: true } | Conv::Overflow => return None,
                Conv::Zero { underflow: false } => 0.0,
                Conv::Finite { mant, exp } => f64_from_parts(mant, exp),
            };
            Some(if neg { -v } else { v })
        }
    }
}

/// Parses a score range bound as Redis 7.0's zslParseRange does: plain C
/// `strtod` over the argument up to its first NUL, which must consume it all.
/// Unlike [`parse_f64`] it skips leading whitespace, accepts the empty string
/// (as 0), and saturates overflow to an infinity and underflow to zero; NaN is
/// still refused.
pub fn parse_range_f64(s: &[u8]) -> Option<f64> {
    let s = &s[..s.iter().position(|&c| c == 0).unwrap_or(s.len())];
    if s.is_empty() {
        return Some(0.0); // no conversion: eptr stays on the terminating NUL
    }
    let body = &s[s
        .iter()
        .take_while(|&&c| matches!(c, b' ' | b'\t'..=b'\r'))
        .count()..];
    match strtod::scan(body)? {
        Scan::Nan => None,
        Scan::Inf { neg } => Some(if neg {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }),
        Scan::Dec { .. } => std::str::from_utf8(body).ok()?.parse().ok(),
        sc @ Scan::Hex { neg, .. } => {
            let v = match strtod::to_binary(&sc, F64)? {
                Conv::Zero { .. } => 0.0,
                Conv::Overflow => f64::INFINITY,
                Conv::Finite { mant, exp } => f64_from_parts(mant, exp),
            };
            Some(if neg { -v } else { v })
        }
    }
}

/// Builds the positive `f64` `mant * 2^exp` from a [`Conv::Finite`] in [`F64`].
pub(crate) fn f64_from_parts(mant: u64, exp: i64) -> f64 {
    if mant < 1 << 52 {
        f64::from_bits(mant) // subnormal: exp == emin
    } else {
        f64::from_bits((((exp + 1075) as u64) << 52) | (mant & ((1 << 52) - 1)))
    }
}

/// Splits a finite positive `f64` into `mant * 2^exp` (exact).
pub(crate) fn f64_parts(v: f64) -> (u64, i64) {
    let bits = v.to_bits() & !(1 << 63);
    let be = (bits >> 52) as i64;
    let frac = bits & ((1 << 52) - 1);
    if be == 0 {
        (frac, -1074)
    } else {
        (frac | (1 << 52), be - 1075)
    }
}

/// Exact decimal expansion of `mant * 2^exp`: ASCII digits `d` (no leading zeros,
/// `"0"` for zero) and `e10` with value = `d * 10^e10`.
pub(crate) fn exact_decimal(mant: u64, exp: i64) -> (Vec<u8>, i64) {
    if exp >= 0 {
        if u64::from(mant.leading_zeros()) + 64 > exp as u64 {
            return ((u128::from(mant) << exp).to_string().into_bytes(), 0);
        }
        let mut b = Big::from_u128(u128::from(mant));
        b.shl(exp as u64);
        return (b.to_decimal(), 0);
    }
    // mant * 2^exp = mant * 5^-exp * 10^exp
    let m = (-exp) as u64;
    if m <= 27 {
        return (
            (u128::from(mant) * 5u128.pow(m as u32))
                .to_string()
                .into_bytes(),
            exp,
        );
    }
    let mut b = Big::from_u128(u128::from(mant));
    b.mul_pow5(m);
    (b.to_decimal(), exp)
}

/// Rounds an exact digit string to at most `p` significant digits, ties to even
/// (glibc's rule in the default rounding mode). Returns the kept digits (trailing
/// zeros possible) and the decimal exponent of the first digit.
pub(crate) fn round_significant(digits: &[u8], e10: i64, p: usize) -> (Vec<u8>, i64) {
    let mut x = digits.len() as i64 - 1 + e10;
    if digits.len() <= p {
        return (digits.to_vec(), x);
    }
    let mut kept = digits[..p].to_vec();
    let first_dropped = digits[p];
    let rest_nonzero = digits[p + 1..].iter().any(|&c| c != b'0');
    let odd = (kept[p - 1] - b'0') % 2 == 1;
    let up = first_dropped > b'5' || (first_dropped == b'5' && (rest_nonzero || odd));
    if up {
        let mut i = p;
        loop {
            if i == 0 {
                kept.insert(0, b'1');
                kept.pop();
                x += 1;
                break;
            }
            i -= 1;
            if kept[i] == b'9' {
                kept[i] = b'0';
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    (kept, x)
}

/// Appends C's `%.{p}g` rendering of the finite, non-negative exact value given by
/// its digits (as from [`exact_decimal`]).
pub(crate) fn write_g(out: &mut Vec<u8>, digits: &[u8], e10: i64, p: usize) {
    if digits == b"0" {
        out.push(b'0');
        return;
    }
    let (kept, x) = round_significant(digits, e10, p);
    let used = kept.iter().rposition(|&c| c != b'0').map_or(1, |i| i + 1);
    let sig = &kept[..used];
    if x < -4 || x >= p as i64 {
        out.push(sig[0]);
        if sig.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&sig[1..]);
        }
        out.push(b'e');
        out.push(if x < 0 { b'-' } else { b'+' });
        let ax = x.unsigned_abs();
        if ax < 10 {
            out.push(b'0');
        }
        out.extend_from_slice(ax.to_string().as_bytes());
    } else if x < 0 {
        out.extend_from_slice(b"0.");
        out.extend(std::iter::repeat_n(b'0', (-x - 1) as usize));
        out.extend_from_slice(sig);
    } else {
        let int_len = x as usize + 1;
        if sig.len() <= int_len {
            out.extend_from_slice(sig);
            out.extend(std::iter::repeat_n(b'0', int_len - sig.len()));
        } else {
            out.extend_from_slice(&sig[..int_len]);
            out.push(b'.');
            out.extend_from_slice(&sig[int_len..]);
        }
    }
}

/// Appends glibc `printf("%.17g", v)` to `out`: what Redis 7.0's `addReplyDouble`
/// sends for scores and other doubles. Infinities are `inf`/`-inf` (the spelling
/// Redis also special-cases); NaN is `nan`/`-nan` as glibc prints it.
///
/// This is on the reply path of every zset command WITHSCORES, so it avoids the
/// big-number expansion: an integral score below 10^17 is printed as the integer
/// it is, anything else takes its 17 significant digits from Rust's exact
/// `{:.16e}` (correctly rounded, ties to even, as glibc in the default rounding
/// mode), which the tests check against the exact expansion (`format_double_exact_into`).
pub fn format_double_into(v: f64, out: &mut Vec<u8>) {
    if v.is_sign_negative() {
        out.push(b'-');
    }
    let a = v.abs();
    if a.is_nan() {
        out.extend_from_slice(b"nan");
    } else if a.is_infinite() {
        out.extend_from_slice(b"inf");
    } else if a == 0.0 {
        out.push(b'0');
    } else if a < 1e17 && a.fract() == 0.0 {
        // `%.17g` keeps every digit of an integer below 10^17 and no exponent.
        out.extend_from_slice(super::format_u64(a as u64, &mut [0u8; super::I64_BUF]));
    } else {
        use std::io::Write;
        let mut buf = [0u8; 32];
        let mut cur = std::io::Cursor::new(&mut buf[..]);
        write!(cur, "{a:.16e}").expect("fits");
        let n = cur.position() as usize;
        let text = &buf[..n];
        // d.dddddddddddddddde[-]x
        let epos = text.iter().position(|&c| c == b'e').expect("exponent");
        let mut digits = [0u8; 17];
        digits[0] = text[0];
        digits[1..].copy_from_slice(&text[2..epos]);
        let exp: i64 = std::str::from_utf8(&text[epos + 1..])
            .expect("ASCII")
            .parse()
            .expect("exponent");
        write_g(out, &digits, exp - 16, 17);
    }
}

/// [`format_double_into`] by the exact decimal expansion of the value, rounded to
/// 17 significant digits: the reference the fast path is tested against.
#[cfg(test)]
fn format_double_exact_into(v: f64, out: &mut Vec<u8>) {
    if v.is_sign_negative() {
        out.push(b'-');
    }
    if v.is_nan() {
        out.extend_from_slice(b"nan");
    } else if v.is_infinite() {
        out.extend_from_slice(b"inf");
    } else if v == 0.0 {
        out.push(b'0');
    } else {
        let (mant, exp) = f64_parts(v);
        let (digits, e10) = exact_decimal(mant, exp);
        write_g(out, &digits, e10, 17);
    }
}

/// [`format_double_into`] as a new `String`, e.g. `0.1` -> `"0.10000000000000001"`,
/// `1e30` -> `"1e+30"`, `-0.0` -> `"-0"`, `f64::INFINITY` -> `"inf"`.
pub fn format_double(v: f64) -> String {
    let mut out = Vec::with_capacity(24);
    format_double_into(v, &mut out);
    String::from_utf8(out).expect("ASCII")
}

/// Redis `d2string`: like [`format_double`] except that NaN is always `nan`
/// (glibc would print `-nan` for a negative NaN). Used where Redis stores a
/// double as text, e.g. zset scores inside a listpack.
pub fn d2string(v: f64) -> String {
    if v.is_nan() {
        return "nan".to_string();
    }
    format_double(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_format_matches_the_exact_expansion() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let check = |v: f64| {
            let (mut fast, mut exact) = (Vec::new(), Vec::new());
            format_double_into(v, &mut fast);
            format_double_exact_into(v, &mut exact);
            assert_eq!(fast, exact, "{v:e}");
        };
        for v in [
            // 2^50 + a quarter: exact ties at the 17th digit go to even.
            2f64.powi(50) + 0.25,
            2f64.powi(50) + 0.75,
            2f64.powi(50) + 1.25,
            0.1,
            0.3,
            1e23,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            99999999999999990.0,
            1e17,
            1e16 + 1.0,
            123.456,
            1e-7,
            -2.5,
        ] {
            check(v);
        }
        for _ in 0..200_000 {
            let bits = next();
            let v = f64::from_bits(bits);
            if v.is_finite() {
                check(v);
            }
            // Integers and short fractions, what scores usually are.
            check((bits % 2_000_000_000) as f64 - 1e9);
            check((bits % 1_000_000) as f64 / 1000.0);
            check(((bits >> 11) as f64) * 2f64.powi((bits % 120) as i32 - 60));
        }
    }

    #[test]
    fn parse_valid() {
        let cases: &[(&str, f64)] = &[
            ("1", 1.0),
            ("-1.5", -1.5),
            ("+.5", 0.5),
            ("5.", 5.0),
            ("1e3", 1000.0),
            ("1E-3", 0.001),
            ("0x1.8p3", 12.0),
            ("-0x10", -16.0),
            ("0x.1", 0.0625),
            ("inf", f64::INFINITY),
            ("+inf", f64::INFINITY),
            ("-Infinity", f64::NEG_INFINITY),
            ("1.7976931348623157e308", f64::MAX),
            ("4.9406564584124654e-324", 5e-324),
            ("2.5e-324", 5e-324), // just above half the smallest subnormal
            ("0e-999999", 0.0),
            ("000.000", 0.0),
            ("0x0p99999", 0.0),
            ("0x1p-1074", 5e-324),
        ];
        for &(s, v) in cases {
            assert_eq!(
                parse_f64(s.as_bytes()).map(f64::to_bits),
                Some(v.to_bits()),
                "{s}"
            );
        }
        assert_eq!(
            parse_f64(b"-0").map(f64::to_bits),
            Some((-0.0f64).to_bits())
        );
        // Halfway above DBL_MAX rounds to even, i.e. to infinity: ERANGE.
        assert_eq!(parse_f64(b"0x1.fffffffffffff8p1023"), None);
        assert_eq!(parse_f64(b"0x1.fffffffffffff7p1023"), Some(f64::MAX));
    }

    #[test]
    fn parse_range_bounds() {
        let ok: &[(&[u8], f64)] = &[
            (b"", 0.0),
            (b" 1.5", 1.5),
            (b"\t\n-2", -2.0),
            (b"1e400", f64::INFINITY),
            (b"-1e400", f64::NEG_INFINITY),
            (b"1e-400", 0.0),
            (b"-inf", f64::NEG_INFINITY),
            (b"+Infinity", f64::INFINITY),
            (b"3\0junk", 3.0),
            (b"0x10", 16.0),
        ];
        for &(s, v) in ok {
            assert_eq!(parse_range_f64(s), Some(v), "{s:?}");
        }
        for s in [&b" "[..], b"nan", b"1 ", b"abc", b"-", b"(1", b"1e"] {
            assert_eq!(parse_range_f64(s), None, "{s:?}");
        }
    }

    #[test]
    fn parse_invalid() {
        for s in [
            "",
            " 1",
            "1 ",
            "nan",
            "-nan",
            "NaN(1)",
            "1e400",
            "-1e400",
            "1e-400",
            "2.4e-324",
            "0x1p1024",
            "0x1p-1076",
            "abc",
            "1,5",
            "1e",
            "0x",
            ".",
            "inf ",
            "infinit",
        ] {
            assert_eq!(parse_f64(s.as_bytes()), None, "{s:?}");
        }
    }

    #[test]
    fn format_known() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (0.1, "0.10000000000000001"),
            (1e30, "1e+30"),
            (1e-5, "1.0000000000000001e-05"),
            (1e-4, "0.0001"),
            (123456789.123, "123456789.123"),
            (12345678901234567890.0, "1.2345678901234567e+19"),
            (1.5e300, "1.5000000000000001e+300"),
            (2.5e-310, "2.5000000000000171e-310"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "4.9406564584124654e-324"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
            (-f64::NAN, "-nan"),
            (100.0, "100"),
            (0.5, "0.5"),
        ];
        for &(v, s) in cases {
            assert_eq!(format_double(v), s, "{v:e}");
        }
        assert_eq!(d2string(-f64::NAN), "nan");
        assert_eq!(d2string(-0.0), "-0");
    }

    #[test]
    fn ties_to_even() {
        // 0.5 exactly representable digits: rounding "125" to 2 digits is a tie.
        assert_eq!(round_significant(b"125", 0, 2), (b"12".to_vec(), 2));
        assert_eq!(round_significant(b"135", 0, 2), (b"14".to_vec(), 2));
        assert_eq!(round_significant(b"1251", 0, 2), (b"13".to_vec(), 3));
        assert_eq!(round_significant(b"999", 0, 2), (b"10".to_vec(), 3));
    }

    #[test]
    fn glibc_strtod_table() {
        for (input, want) in crate::util::number::oracle::f64_parse() {
            let got = parse_f64(input.as_bytes()).map(|v| (v.to_bits(), format_double(v)));
            assert_eq!(got, want, "strtod {input:?}");
        }
    }

    #[test]
    fn glibc_g17_table() {
        for (bits, want) in crate::util::number::oracle::f64_g17() {
            assert_eq!(
                format_double(f64::from_bits(bits)),
                want,
                "%.17g of {bits:#x}"
            );
        }
    }
}
