//! C `strtod`/`strtold` (glibc, "C" locale) subject-sequence syntax and correctly
//! rounded conversion to a binary format with a given mantissa width.
//!
//! [`scan`] accepts exactly the strings for which glibc's `strtod` consumes every
//! byte, except that leading whitespace is refused (every Redis caller refuses it
//! anyway). [`to_binary`] then rounds the exact value to nearest, ties to even, as
//! glibc does in the default rounding mode, reporting overflow and underflow to zero
//! (the cases where glibc sets `ERANGE` and Redis rejects the input).

use super::bignum::Big;

/// A fully consumed `strtod` subject sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scan<'a> {
    /// `inf` or `infinity`, any case.
    Inf { neg: bool },
    /// `nan` or `nan(n-char-sequence)`, any case.
    Nan,
    /// Decimal: `int.frac` times 10^exp. At least one of `int`/`frac` is non-empty.
    Dec {
        neg: bool,
        int: &'a [u8],
        frac: &'a [u8],
        exp: i64,
    },
    /// Hexadecimal: `0xint.frac` times 2^exp. At least one digit.
    Hex {
        neg: bool,
        int: &'a [u8],
        frac: &'a [u8],
        exp: i64,
    },
}

/// Exponents are saturated at this magnitude; anything beyond over- or
/// underflows every format anyway.
const EXP_CLAMP: i64 = 1 << 40;

fn digits_len(s: &[u8], pred: fn(&u8) -> bool) -> usize {
    s.iter().take_while(|c| pred(c)).count()
}

/// Parses an optional exponent `[eEpP][+-]digits` at `s`; returns the value and the
/// bytes used, or `(0, 0)` if no valid exponent starts there.
fn scan_exp(s: &[u8], marker: u8) -> (i64, usize) {
    if s.first().map(|c| c.to_ascii_lowercase()) != Some(marker) {
        return (0, 0);
    }
    let mut i = 1;
    let mut neg = false;
    if let Some(&c) = s.get(1) {
        if c == b'+' || c == b'-' {
            neg = c == b'-';
            i = 2;
        }
    }
    let n = digits_len(&s[i..], u8::is_ascii_digit);
    if n == 0 {
        return (0, 0);
    }
    let mut v: i64 = 0;
    for &d in &s[i..i + n] {
        v = (v * 10 + i64::from(d - b'0')).min(EXP_CLAMP);
    }
    (if neg { -v } else { v }, i + n)
}

/// Scans `s` as a complete `strtod` subject sequence. Returns `None` when
/// `strtod` would leave bytes unconsumed, consume nothing, or when `s` starts
/// with whitespace.
pub(crate) fn scan(s: &[u8]) -> Option<Scan<'_>> {
    let (neg, rest) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let mut buf = [0u8; 9];
    let n = rest.len().min(9);
    for (d, c) in buf.iter_mut().zip(rest) {
        *d = c.to_ascii_lowercase();
    }
    let lower = &buf[..n];
    if lower.starts_with(b"inf") {
        return match rest.len() {
            3 => Some(Scan::Inf { neg }),
            8 if lower == b"infinity" => Some(Scan::Inf { neg }),
            _ => None,
        };
    }
    if lower.starts_with(b"nan") {
        if rest.len() == 3 {
            return Some(Scan::Nan);
        }
        let inner = &rest[3..];
        let ok = inner.len() >= 2
            && inner[0] == b'('
            && inner[inner.len() - 1] == b')'
            && inner[1..inner.len() - 1]
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'_');
        return if ok { Some(Scan::Nan) } else { None };
    }
    if rest.len() > 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
        let body = &rest[2..];
        let ni = digits_len(body, u8::is_ascii_hexdigit);
        let (frac, nf) = if body.get(ni) == Some(&b'.') {
            let nf = digits_len(&body[ni + 1..], u8::is_ascii_hexdigit);
            (&body[ni + 1..ni + 1 + nf], nf + 1)
        } else {
            (&body[ni..ni], 0)
        };
        if ni + frac.len() == 0 {
            // strtod parses just the "0" and leaves "x...".
            return None;
        }
        let (exp, ne) = scan_exp(&body[ni + nf..], b'p');
        if ni + nf + ne != body.len() {
            return None;
        }
        return Some(Scan::Hex {
            neg,
            int: &body[..ni],
            frac,
            exp,
        });
    }
    let ni = digits_len(rest, u8::is_ascii_digit);
    let (frac, nf) = if rest.get(ni) == Some(&b'.') {
        let nf = digits_len(&rest[ni + 1..], u8::is_ascii_digit);
        (&rest[ni + 1..ni + 1 + nf], nf + 1)
    } else {
        (&rest[ni..ni], 0)
    };
    if ni + frac.len() == 0 {
        return None;
    }
    let (exp, ne) = scan_exp(&rest[ni + nf..], b'e');
    if ni + nf + ne != rest.len() {
        return None;
    }
    Some(Scan::Dec {
        neg,
        int: &rest[..ni],
        frac,
        exp,
    })
}

/// A binary floating-point format: values are `mant * 2^exp` with
/// `mant < 2^prec` and `emin <= exp <= emax`; `mant >= 2^(prec-1)` unless
/// `exp == emin` (subnormals and zero).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Format {
    pub(crate) prec: u32,
    pub(crate) emin: i64,
    pub(crate) emax: i64,
    /// A decimal `d * 10^e` with `digits(d) + e` above this always overflows.
    dec_over: i64,
    /// ... and with `digits(d) + e` below this always rounds to zero.
    dec_under: i64,
}

/// IEEE-754 binary64 (`double`).
pub(crate) const F64: Format = Format {
    prec: 53,
    emin: -1074,
    emax: 971,
    dec_over: 310,
    dec_under: -324,
};
/// x87 80-bit extended (`long double` on x86-64): 64-bit explicit mantissa.
pub(crate) const F80: Format = Format {
    prec: 64,
    emin: -16445,
    emax: 16320,
    dec_over: 4934,
    dec_under: -4951,
};

/// Result of rounding an exact value into a [`Format`] (magnitude only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Conv {
    /// Exactly zero, or a nonzero value that rounded to zero (see `underflow`).
    Zero {
        underflow: bool,
    },
    Finite {
        mant: u64,
        exp: i64,
    },
    Overflow,
}

/// Rounds `m * 2^k` (plus a nonzero amount below `2^k` when `sticky`) to `f`.
/// When `sticky` is set, `m` must have at least `f.prec + 2` significant bits.
pub(crate) fn round_u128(m: u128, k: i64, sticky: bool, f: Format) -> Conv {
    if m == 0 {
        return Conv::Zero { underflow: sticky };
    }
    let bits = i64::from(128 - m.leading_zeros());
    let e = (k + bits - i64::from(f.prec)).max(f.emin);
    let shift = e - k;
    let (mut mant, half, rest) = if shift <= 0 {
        debug_assert!(!sticky);
        ((m << -shift) as u64, false, false)
    } else if shift > 128 {
        (0, false, true)
    } else {
        let q = if shift == 128 { 0 } else { m >> shift };
        let half = (m >> (shift - 1)) & 1 == 1;
        let below = if shift == 1 {
            0
        } else {
            m & ((1u128 << (shift - 1)) - 1)
        };
        (q as u64, half, below != 0 || sticky)
    };
    let mut e = e;
    if half && (rest || mant & 1 == 1) {
        mant = mant.wrapping_add(1);
        if f.prec < 64 && mant == 1u64 << f.prec {
            mant >>= 1;
            e += 1;
        } else if f.prec == 64 && mant == 0 {
            mant = 1 << 63;
            e += 1;
        }
    }
    if e > f.emax {
        Conv::Overflow
    } else if mant == 0 {
        Conv::Zero { underflow: true }
    } else {
        Conv::Finite { mant, exp: e }
    }
}

/// Rounds `n * 2^k` (exact) to `f`.
fn round_big(n: &Big, k: i64, sticky: bool, f: Format) -> Conv {
    let bits = n.bit_len();
    if bits <= 128 {
        return round_u128(n.extract_u128(0), k, sticky, f);
    }
    let drop = bits - 128;
    let sticky = sticky || n.any_below(drop);
    round_u128(n.extract_u128(drop), k + drop as i64, sticky, f)
}

/// Converts a scanned decimal or hex number to `f`, correctly rounded.
/// `Inf`/`Nan` are not numbers here and return `None`.
pub(crate) fn to_binary(s: &Scan<'_>, f: Format) -> Option<Conv> {
    match *s {
        Scan::Inf { .. } | Scan::Nan => None,
        Scan::Hex { int, frac, exp, .. } => {
            let int = trim_leading_zeros(int);
            let mut digits = int.to_vec();
            digits.extend_from_slice(frac);
            let n = Big::from_hex(&digits);
            if n.is_zero() {
                return Some(Conv::Zero { underflow: false });
            }
            let k = exp - 4 * frac.len() as i64;
            let top = k + n.bit_len() as i64;
            if top > f.emax + i64::from(f.prec) + 1 {
                return Some(Conv::Overflow);
            }
            if top < f.emin - 2 {
                return Some(Conv::Zero { underflow: true });
            }
            Some(round_big(&n, k, false, f))
        }
        Scan::Dec { int, frac, exp, .. } => Some(dec_to_binary(int, frac, exp, f)),
    }
}

fn trim_leading_zeros(s: &[u8]) -> &[u8] {
    let z = s.iter().take_while(|&&c| c == b'0').count();
    &s[z..]
}

fn dec_to_binary(int: &[u8], frac: &[u8], exp: i64, f: Format) -> Conv {
    // Significant digits d and exponent e10 with value = d * 10^e10.
    let mut digits: Vec<u8> = Vec::with_capacity(int.len() + frac.len());
    digits.extend_from_slice(int);
    digits.extend_from_slice(frac);
    let mut e10 = exp - frac.len() as i64;
    let lead = digits.iter().take_while(|&&c| c == b'0').count();
    let trail = digits[lead..]
        .iter()
        .rev()
        .take_while(|&&c| c == b'0')
        .count();
    if lead == digits.len() {
        return Conv::Zero { underflow: false };
    }
    let sig = &digits[lead..digits.len() - trail];
    e10 += trail as i64;
    let mag = sig.len() as i64 + e10;
    if mag > f.dec_over {
        return Conv::Overflow;
    }
    if mag < f.dec_under {
        return Conv::Zero { underflow: true };
    }
    let mut n = Big::from_decimal(sig);
    if e10 >= 0 {
        n.mul_pow5(e10 as u64);
        return round_big(&n, e10, false, f);
    }
    // value = n / 5^m * 2^-m. Scale n up (or d up) so that the quotient has
    // prec + 2 or prec + 3 bits: enough for rounding, with the remainder as sticky.
    let m = (-e10) as u64;
    let mut d = Big::from_u128(1);
    d.mul_pow5(m);
    let diff = n.bit_len() as i64 - d.bit_len() as i64;
    let target = i64::from(f.prec) + 3;
    let mut k = -(m as i64);
    if diff < target {
        n.shl((target - diff) as u64);
        k -= target - diff;
    } else {
        d.shl((diff - target) as u64);
        k += diff - target;
    }
    let q = n.div_rem_small_quotient(&d, f.prec + 4);
    round_u128(q, k, !n.is_zero(), f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Option<Scan<'_>> {
        scan(s.as_bytes())
    }

    #[test]
    fn syntax_accepted() {
        for s in [
            "0",
            "-0",
            "+0",
            "1",
            "1.",
            ".5",
            "-.5e-3",
            "1e5",
            "1E+05",
            "00012",
            "1.5e0000000000000000000001",
            "inf",
            "-INF",
            "+Infinity",
            "nan",
            "NaN(123_abc)",
            "0x1p3",
            "0X1.8P-1",
            "0x.8",
            "0x1.",
            "-0xAbC",
            "0x1p+99999999999999999999",
        ] {
            assert!(dec(s).is_some(), "{s}");
        }
    }

    #[test]
    fn syntax_rejected() {
        for s in [
            "",
            " 1",
            "1 ",
            "+",
            "-",
            ".",
            "e5",
            "1e",
            "1e+",
            "1e-x",
            "1.2.3",
            "--1",
            "+-1",
            "infin",
            "infinit",
            "infinityy",
            "nana",
            "nan(",
            "nan(a b)",
            "0x",
            "0x.",
            "0xp1",
            "0x1p",
            "0x1p-",
            "1x",
            "\t1",
            "1\0",
            "0x1e+",
            "1_000",
            "١",
        ] {
            assert!(dec(s).is_none(), "{s:?}");
        }
    }

    #[test]
    fn scan_parts() {
        assert_eq!(
            dec("-12.50e-3"),
            Some(Scan::Dec {
                neg: true,
                int: b"12",
                frac: b"50",
                exp: -3
            })
        );
        assert_eq!(
            dec("0x1.8p3"),
            Some(Scan::Hex {
                neg: false,
                int: b"1",
                frac: b"8",
                exp: 3
            })
        );
        assert_eq!(
            dec("0x1e"),
            Some(Scan::Hex {
                neg: false,
                int: b"1e",
                frac: b"",
                exp: 0
            })
        );
    }

    fn f64_of(s: &str) -> Option<f64> {
        let sc = scan(s.as_bytes())?;
        match to_binary(&sc, F64)? {
            Conv::Finite { mant, exp } => Some(mant as f64 * 2f64.powi(exp as i32)),
            Conv::Zero { .. } => Some(0.0),
            Conv::Overflow => Some(f64::INFINITY),
        }
    }

    #[test]
    fn generic_matches_rust_parser() {
        // Deterministic xorshift over a mix of digit counts and exponents.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..3000 {
            let nd = (next() % 40 + 1) as usize;
            let digits: String = (0..nd)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            let e = (next() % 700) as i64 - 350;
            let s = format!("{digits}e{e}");
            let want: f64 = s.parse().unwrap();
            let got = match to_binary(&scan(s.as_bytes()).unwrap(), F64).unwrap() {
                Conv::Finite { mant, exp } => {
                    // Build exactly via bits to avoid double rounding in powi.
                    let (m, e) = (mant, exp);
                    if m < 1 << 52 {
                        f64::from_bits(m)
                    } else {
                        f64::from_bits((((e + 1075) as u64) << 52) | (m & ((1 << 52) - 1)))
                    }
                }
                Conv::Zero { .. } => 0.0,
                Conv::Overflow => f64::INFINITY,
            };
            assert_eq!(got.to_bits(), want.to_bits(), "{s}");
        }
        assert_eq!(f64_of("0x1.8p3"), Some(12.0));
    }

    #[test]
    fn f80_extremes() {
        let over = to_binary(&scan(b"1.2e4932").unwrap(), F80).unwrap();
        assert_eq!(over, Conv::Overflow);
        let max = to_binary(&scan(b"1.18973149535723176502e4932").unwrap(), F80).unwrap();
        assert_eq!(
            max,
            Conv::Finite {
                mant: u64::MAX,
                exp: 16320
            }
        );
        let min_sub = to_binary(&scan(b"3.6451995318824746025e-4951").unwrap(), F80).unwrap();
        assert_eq!(
            min_sub,
            Conv::Finite {
                mant: 1,
                exp: -16445
            }
        );
        let under = to_binary(&scan(b"1e-4952").unwrap(), F80).unwrap();
        assert_eq!(under, Conv::Zero { underflow: true });
        let zero = to_binary(&scan(b"0.000e-99999").unwrap(), F80).unwrap();
        assert_eq!(zero, Conv::Zero { underflow: false });
    }
}
