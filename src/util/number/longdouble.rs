//! A software x87 80-bit `long double`, enough for INCRBYFLOAT / HINCRBYFLOAT.
//!
//! Redis does that arithmetic in x86-64 `long double` (64-bit explicit mantissa,
//! 15-bit exponent, round to nearest even) and prints the result with `%.17Lf`,
//! trimmed. Doing it in `f64` gives visibly different answers (`10.5 + 0.1` is
//! `10.6` in Redis), so this type reproduces the x87 format exactly:
//!
//! ```text
//!  value = (-1)^neg * mant * 2^exp      mant: u64, explicit integer bit
//!  normal:    mant >= 2^63, -16445 <= exp <= 16320
//!  subnormal: mant <  2^63,  exp == -16445 (zero is mant == 0)
//! ```
//!
//! Parsing ([`LongDouble::parse`]) is glibc `strtold` plus Redis's `string2ld`
//! checks; addition is correctly rounded; [`LongDouble::format_human`] is
//! `ld2string(..., LD_STR_HUMAN)`.

use super::float::f64_parts;
use super::strtod::{self, round_u128, Conv, Scan, F64, F80};

/// Redis `MAX_LONG_DOUBLE_CHARS`: inputs this long or longer are rejected.
pub const MAX_LONG_DOUBLE_CHARS: usize = 5 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Finite,
    Inf,
    Nan,
}

/// An x87 extended-precision value. Equality is bitwise on the representation
/// (so `0 != -0` and NaN == NaN); use it for tests, not for IEEE comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongDouble {
    neg: bool,
    class: Class,
    mant: u64,
    exp: i64,
}

impl LongDouble {
    pub const ZERO: LongDouble = LongDouble {
        neg: false,
        class: Class::Finite,
        mant: 0,
        exp: F80.emin,
    };
    pub const INFINITY: LongDouble = LongDouble {
        neg: false,
        class: Class::Inf,
        mant: 0,
        exp: 0,
    };
    pub const NEG_INFINITY: LongDouble = LongDouble {
        neg: true,
        class: Class::Inf,
        mant: 0,
        exp: 0,
    };
    pub const NAN: LongDouble = LongDouble {
        neg: false,
        class: Class::Nan,
        mant: 0,
        exp: 0,
    };

    fn from_conv(neg: bool, c: Conv) -> LongDouble {
        match c {
            Conv::Zero { .. } => LongDouble {
                neg,
                ..LongDouble::ZERO
            },
            Conv::Finite { mant, exp } => LongDouble {
                neg,
                class: Class::Finite,
                mant,
                exp,
            },
            Conv::Overflow => LongDouble {
                neg,
                ..LongDouble::INFINITY
            },
        }
    }

    /// Redis `string2ld`: glibc `strtold` over the whole slice, rejecting empty
    /// input, `MAX_LONG_DOUBLE_CHARS` bytes or more, leading whitespace, trailing
    /// bytes, NaN, overflow (`ERANGE` to ±inf) and nonzero values that underflow
    /// to zero. `inf`/`infinity` (any case, signed) and hex floats are accepted.
    pub fn parse(s: &[u8]) -> Option<LongDouble> {
        if s.len() >= MAX_LONG_DOUBLE_CHARS {
            return None;
        }
        let sc = strtod::scan(s)?;
        match sc {
            Scan::Nan => None,
            Scan::Inf { neg } => Some(LongDouble {
                neg,
                ..LongDouble::INFINITY
            }),
            Scan::Dec { neg, .. } | Scan::Hex { neg, .. } => match strtod::to_binary(&sc, F80)? {
                Conv::Zero { underflow: true } | Conv::Overflow => None,
                c => Some(LongDouble::from_conv(neg, c)),
            },
        }
    }

    /// Exact conversion (every `i64` fits the 64-bit mantissa), as C's
    /// `(long double)ll`.
    pub fn from_i64(v: i64) -> LongDouble {
        LongDouble::from_conv(
            v < 0,
            round_u128(u128::from(v.unsigned_abs()), 0, false, F80),
        )
    }

    /// Exact conversion, as C's `(long double)d`.
    pub fn from_f64(v: f64) -> LongDouble {
        let neg = v.is_sign_negative();
        if v.is_nan() {
            return LongDouble {
                neg,
                ..LongDouble::NAN
            };
        }
        if v.is_infinite() {
            return LongDouble {
                neg,
                ..LongDouble::INFINITY
            };
        }
        let (mant, exp) = f64_parts(v);
        LongDouble::from_conv(neg, round_u128(u128::from(mant), exp, false, F80))
    }

    /// Rounds to nearest `f64` (ties to even), as C's `(double)ld`.
    pub fn to_f64(&self) -> f64 {
        let mag = match self.class {
            Class::Nan => f64::NAN,
            Class::Inf => f64::INFINITY,
            Class::Finite => match round_u128(u128::from(self.mant), self.exp, false, F64) {
                Conv::Zero { .. } => 0.0,
                Conv::Overflow => f64::INFINITY,
                Conv::Finite { mant, exp } => super::float::f64_from_parts(mant, exp),
            },
        };
        if self.neg {
            -mag
        } else {
            mag
        }
    }

    pub fn is_finite(&self) -> bool {
        self.class == Class::Finite
    }

    pub fn is_nan(&self) -> bool {
        self.class == Class::Nan
    }

    pub fn is_infinite(&self) -> bool {
        self.class == Class::Inf
    }

    /// Sign bit (set for `-0`, too).
    pub fn is_sign_negative(&self) -> bool {
        self.neg
    }

    /// The x87 memory image: `(sign << 15 | biased exponent, mantissa)`, as the
    /// low 10 bytes of a C `long double` hold it. For tests against C.
    pub fn to_bits(&self) -> (u16, u64) {
        let sign = u16::from(self.neg) << 15;
        match self.class {
            Class::Nan => (sign | 0x7fff, 0xc000_0000_0000_0000),
            Class::Inf => (sign | 0x7fff, 0x8000_0000_0000_0000),
            Class::Finite if self.mant < 1 << 63 => (sign, self.mant),
            Class::Finite => (sign | (self.exp + 16383 + 63) as u16, self.mant),
        }
    }

    /// x87 `fadd`: the exact sum rounded to nearest even. `inf + -inf` is NaN;
    /// an exact zero sum of opposite signs is `+0`.
    fn sum(self, o: LongDouble) -> LongDouble {
        match (self.class, o.class) {
            (Class::Nan, _) | (_, Class::Nan) => return LongDouble::NAN,
            (Class::Inf, Class::Inf) if self.neg != o.neg => return LongDouble::NAN,
            (Class::Inf, _) => return self,
            (_, Class::Inf) => return o,
            _ => {}
        }
        if o.mant == 0 {
            if self.mant == 0 {
                return LongDouble {
                    neg: self.neg && o.neg,
                    ..LongDouble::ZERO
                };
            }
            return self;
        }
        if self.mant == 0 {
            return o;
        }
        // Order by magnitude; subnormals share exp with the smallest normals and
        // have smaller mantissas, so (exp, mant) order is magnitude order.
        let (big, small) = if (self.exp, self.mant) >= (o.exp, o.mant) {
            (self, o)
        } else {
            (o, self)
        };
        // 62 guard bits below the mantissa, sticky jammed into bit 0.
        const G: u32 = 62;
        let mb = u128::from(big.mant) << G;
        let ms = u128::from(small.mant) << G;
        let d = (big.exp - small.exp) as u64;
        let ms = if d >= 127 {
            1
        } else {
            let lost = ms & ((1u128 << d) - 1);
            (ms >> d) | u128::from(lost != 0)
        };
        let k = big.exp - i64::from(G);
        if big.neg == small.neg {
            LongDouble::from_conv(big.neg, round_u128(mb + ms, k, false, F80))
        } else if mb == ms {
            LongDouble::ZERO
        } else {
            LongDouble::from_conv(big.neg, round_u128(mb - ms, k, false, F80))
        }
    }

    /// glibc `%.{prec}Lf` (prec <= 19): the exact binary value rounded to `prec`
    /// fraction digits, ties to even; `-` whenever the sign bit is set; `inf`,
    /// `-inf`, `nan`, `-nan` for non-finite values.
    pub fn format_fixed(&self, prec: usize) -> String {
        assert!(
            prec <= 19,
            "format_fixed supports at most 19 fraction digits"
        );
        let mut out = String::new();
        if self.neg {
            out.push('-');
        }
        match self.class {
            Class::Nan => out.push_str("nan"),
            Class::Inf => out.push_str("inf"),
            Class::Finite if self.exp >= 0 => {
                let (digits, _) = super::float::exact_decimal(self.mant, self.exp);
                out.push_str(std::str::from_utf8(&digits).expect("ASCII"));
                if prec > 0 {
                    out.push('.');
                    out.extend(std::iter::repeat_n('0', prec));
                }
            }
            Class::Finite => {
                let sh = (-self.exp) as u32;
                let (mut int, frac) = if sh >= 64 {
                    (0u64, self.mant)
                } else {
                    (self.mant >> sh, self.mant & ((1u64 << sh) - 1))
                };
                let scale = 10u64.pow(prec as u32);
                // frac < 2^64 and scale < 2^64, so this cannot overflow.
                let scaled = u128::from(frac) * u128::from(scale);
                let (mut q, half, rest) = if sh > 128 {
                    (0u128, false, scaled != 0)
                } else if sh == 128 {
                    (0, scaled >> 127 == 1, scaled & ((1u128 << 127) - 1) != 0)
                } else {
                    let below = if sh == 1 {
                        0
                    } else {
                        scaled & ((1u128 << (sh - 1)) - 1)
                    };
                    (scaled >> sh, (scaled >> (sh - 1)) & 1 == 1, below != 0)
                };
                // Ties go to the even last printed digit (the integer's, if prec == 0).
                let odd = if prec == 0 { int & 1 == 1 } else { q & 1 == 1 };
                if half && (rest || odd) {
                    q += 1;
                }
                if q == u128::from(scale) {
                    q = 0;
                    int += 1; // int < 2^63 here
                }
                out.push_str(&int.to_string());
                if prec > 0 {
                    out.push('.');
                    out.push_str(&format!("{:0width$}", q, width = prec));
                }
            }
        }
        out
    }

    /// Redis `ld2string(..., LD_STR_HUMAN)`, the text INCRBYFLOAT and
    /// HINCRBYFLOAT store and reply: `%.17Lf`, then trailing zeros and a trailing
    /// `.` removed, and `-0` turned into `0`. Infinities are `inf`/`-inf`.
    /// No exponent is ever used: `1e30` prints all its integer digits.
    pub fn format_human(&self) -> String {
        if self.class == Class::Inf {
            return if self.neg { "-inf" } else { "inf" }.to_string();
        }
        let mut s = self.format_fixed(17);
        if s.contains('.') {
            let t = s.trim_end_matches('0').len();
            s.truncate(t);
            if s.ends_with('.') {
                s.pop();
            }
        }
        if s == "-0" {
            s = "0".to_string();
        }
        s
    }
}

impl std::ops::Add for LongDouble {
    type Output = LongDouble;

    /// x87 `fadd`: the exact sum rounded to nearest even. `inf + -inf` is NaN;
    /// an exact zero sum of opposite signs is `+0`; overflow gives ±inf.
    fn add(self, o: LongDouble) -> LongDouble {
        self.sum(o)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(s: &str) -> LongDouble {
        LongDouble::parse(s.as_bytes()).unwrap_or_else(|| panic!("parse {s}"))
    }

    fn incr(a: &str, b: &str) -> String {
        (ld(a) + ld(b)).format_human()
    }

    #[test]
    fn redis_examples() {
        assert_eq!(incr("10.5", "0.1"), "10.6");
        assert_eq!(incr("0.1", "0.2"), "0.3");
        assert_eq!(incr("5.0e3", "2.0e2"), "5200");
        assert_eq!(incr("3.0e3", "1"), "3001");
        assert_eq!(incr("1.23e+5", "0"), "123000");
        assert_eq!(incr("1e30", "0"), "1000000000000000000024696061952");
        assert_eq!(incr("-0.0", "0"), "0");
        assert_eq!(incr("-0.0", "-0"), "0");
        assert_eq!(incr("0", "-1e-20"), "0");
        assert_eq!(incr("18446744073709551615", "1"), "18446744073709551616");
        assert_eq!(incr("18446744073709551615", "0"), "18446744073709551615");
        assert_eq!(incr("9223372036854775807", "0"), "9223372036854775807");
    }

    #[test]
    fn parse_rules() {
        for s in [
            "", " 1", "1 ", "nan", "-nan", "1e5000", "-1e5000", "1e-5000", "abc", "0x", "1e",
        ] {
            assert_eq!(LongDouble::parse(s.as_bytes()), None, "{s:?}");
        }
        assert!(ld("inf").is_infinite());
        assert!(ld("-Infinity").is_sign_negative());
        assert_eq!(ld("0x1.8p1").format_human(), "3");
        assert!(ld("1e4000").is_finite());
        let long = "1".repeat(MAX_LONG_DOUBLE_CHARS - 1);
        assert!(LongDouble::parse(long.as_bytes()).is_none()); // overflow
        let long = format!("0.{}", "1".repeat(MAX_LONG_DOUBLE_CHARS - 3));
        assert_eq!(
            LongDouble::parse(long.as_bytes()).map(|v| v.format_human()),
            Some("0.11111111111111111".into())
        );
        let too_long = format!("0.{}", "1".repeat(MAX_LONG_DOUBLE_CHARS - 2));
        assert!(LongDouble::parse(too_long.as_bytes()).is_none());
    }

    #[test]
    fn specials() {
        assert!((LongDouble::INFINITY + LongDouble::NEG_INFINITY).is_nan());
        assert!((ld("inf") + ld("1")).is_infinite());
        assert_eq!(LongDouble::INFINITY.format_human(), "inf");
        assert_eq!(LongDouble::NEG_INFINITY.format_human(), "-inf");
        let max = ld("1.18973149535723176502e4932");
        assert!((max + max).is_infinite());
        assert!(max.is_finite());
        assert_eq!(ld("1") + ld("-1"), LongDouble::ZERO);
    }

    #[test]
    fn conversions() {
        assert_eq!(
            LongDouble::from_i64(i64::MIN).format_human(),
            "-9223372036854775808"
        );
        assert_eq!(LongDouble::from_i64(0), LongDouble::ZERO);
        assert_eq!(
            LongDouble::from_f64(0.1).format_human(),
            "0.10000000000000001"
        );
        assert_eq!(
            LongDouble::from_f64(13.361389338970184).format_fixed(17),
            "13.36138933897018433"
        );
        assert_eq!(ld("0.1").to_f64(), 0.1);
        assert_eq!(ld("1e-400").to_f64(), 0.0);
        assert_eq!(ld("1e400").to_f64(), f64::INFINITY);
        assert_eq!(LongDouble::from_f64(5e-324).to_f64(), 5e-324);
        assert_eq!(LongDouble::from_f64(-2.5).format_fixed(0), "-2");
        assert_eq!(LongDouble::from_f64(3.5).format_fixed(0), "4");
        assert_eq!(LongDouble::from_f64(0.125).format_fixed(2), "0.12");
        assert_eq!(LongDouble::from_f64(0.375).format_fixed(2), "0.38");
    }

    #[test]
    fn glibc_strtold_table() {
        for (input, want) in crate::util::number::oracle::ld_parse() {
            let got = LongDouble::parse(input.as_bytes()).map(|v| {
                let (se, m) = v.to_bits();
                (se, m, v.format_human())
            });
            assert_eq!(got, want, "strtold {input:?}");
        }
    }

    #[test]
    fn x87_add_table() {
        for (a, b, want) in crate::util::number::oracle::ld_add() {
            let sum = ld(&a) + ld(&b);
            let got = sum.is_finite().then(|| {
                let (se, m) = sum.to_bits();
                (se, m, sum.format_human())
            });
            assert_eq!(got, want, "{a} + {b}");
        }
    }

    #[test]
    fn glibc_fixed_table() {
        for (prec, bits, want) in crate::util::number::oracle::f64_fixed() {
            let v = LongDouble::from_f64(f64::from_bits(bits));
            assert_eq!(v.format_fixed(prec), want, "%.{prec}Lf of {bits:#x}");
        }
    }
}
