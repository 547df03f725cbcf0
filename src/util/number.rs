//! Numbers as Redis 7.0 reads and writes them, byte for byte.
//!
//! - Integers: [`parse_i64`] is `string2ll` (strict: no spaces, no `+`, no
//!   leading zeros); [`parse_u64`] is the lenient `string2ull` of stream IDs;
//!   [`format_i64`]/[`format_u64`] are the allocation-free `ll2string` used on the
//!   reply hot path.
//! - Doubles: [`parse_f64`] is `getDoubleFromObject` (C `strtod` plus Redis's
//!   checks); [`parse_range_f64`] is zslParseRange's plain `strtod`;
//!   [`format_double`] is `addReplyDouble`'s `%.17g`.
//! - `long double`: [`LongDouble`] emulates the x87 80-bit type INCRBYFLOAT and
//!   HINCRBYFLOAT compute in, with `strtold` parsing and `%.17Lf` output.
//! - Their error replies (not an integer, not a float, overflow) live in
//!   [`crate::error`].
//!
//! Everything here is a pure function of its input. Exactness comes from a small
//! private bignum (`number/bignum.rs`), used only off the common fast paths.

mod bignum;
mod float;
mod int;
mod longdouble;
#[cfg(test)]
mod oracle;
mod strtod;

pub use float::{d2string, format_double, format_double_into, parse_f64, parse_range_f64};
pub use int::{
    c_atoll, format_i64, format_u64, i64_len, parse_i64, parse_u64, strtoll_prefix, I64_BUF,
};
pub use longdouble::{LongDouble, MAX_LONG_DOUBLE_CHARS};
