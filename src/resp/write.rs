//! The byte level of the reply writer: RESP headers (`*3\r\n`, `:42\r\n`,
//! `$5\r\n`) and bulk strings appended to an output buffer in one pass.
//!
//! The client's `add_*` methods (`client/reply.rs`) decide what to send; these
//! functions are how the bytes get there, and they are the hot path of replies
//! with many elements (LRANGE, HGETALL, SMEMBERS): each one reserves once, then
//! writes the header, the element and the CRLF without further capacity checks,
//! formats lengths without a temporary buffer, and copies short elements with
//! a few fixed-size moves instead of a call to `memcpy`.

use std::ptr;

use crate::util::number::{format_u64, I64_BUF};

/// The most a header takes: a type byte, a sign, 20 digits and CRLF.
pub const HEADER_MAX: usize = 1 + 1 + I64_BUF + 2;

/// The most [`push_bulk_i64`] appends.
pub const BULK_I64_MAX: usize = HEADER_MAX + I64_BUF + 1 + 2;

/// Appends `<prefix><v>\r\n`: an aggregate length (`*`, `%`, `~`, `>`), an
/// integer reply (`:`) or a bulk length (`$`).
#[inline]
pub fn push_header(out: &mut Vec<u8>, prefix: u8, v: i64) {
    out.reserve(HEADER_MAX);
    let at = out.len();
    // SAFETY: `reserve` made room for HEADER_MAX bytes past `at`, and
    // `put_header` writes at most that many; `set_len` covers only those.
    unsafe {
        let base = out.as_mut_ptr().add(at);
        let end = put_header(base, prefix, v);
        out.set_len(at + end.offset_from(base) as usize);
    }
}

/// Appends the bulk string `$<len>\r\n<b>\r\n`.
#[inline]
pub fn push_bulk(out: &mut Vec<u8>, b: &[u8]) {
    out.reserve(HEADER_MAX + b.len() + 2);
    let at = out.len();
    // SAFETY: room for the header (at most HEADER_MAX), `b` and CRLF was
    // reserved past `at`; `b` cannot overlap `out`'s spare capacity.
    unsafe {
        let base = out.as_mut_ptr().add(at);
        let p = put_header(base, b'$', b.len() as i64);
        copy_bytes(b, p);
        let p = p.add(b.len());
        put_crlf(p);
        out.set_len(at + p.add(2).offset_from(base) as usize);
    }
}

/// Appends an integer as a bulk string: `$<digits>\r\n<v>\r\n` (a list or
/// set element stored as an integer).
#[inline]
pub fn push_bulk_i64(out: &mut Vec<u8>, v: i64) {
    let mut tmp = [0u8; I64_BUF];
    let digits = format_u64(v.unsigned_abs(), &mut tmp);
    let neg = usize::from(v < 0);
    out.reserve(BULK_I64_MAX);
    let at = out.len();
    // SAFETY: a bulk length header, a sign, 20 digits and CRLF fit in the
    // reserved room past `at`.
    unsafe {
        let base = out.as_mut_ptr().add(at);
        let mut p = put_header(base, b'$', (digits.len() + neg) as i64);
        if neg == 1 {
            *p = b'-';
            p = p.add(1);
        }
        copy_bytes(digits, p);
        let p = p.add(digits.len());
        put_crlf(p);
        out.set_len(at + p.add(2).offset_from(base) as usize);
    }
}

/// Two-digit strings "00".."99".
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes `<prefix><v>\r\n` at `p` and returns the position after it.
///
/// # Safety
/// `p` must be valid for HEADER_MAX bytes of writes.
#[inline(always)]
unsafe fn put_header(p: *mut u8, prefix: u8, v: i64) -> *mut u8 {
    *p = prefix;
    let mut q = p.add(1);
    if v < 0 {
        *q = b'-';
        q = q.add(1);
    }
    let u = v.unsigned_abs();
    if u < 10 {
        *q = b'0' + u as u8;
        q = q.add(1);
    } else if u < 100 {
        ptr::copy_nonoverlapping(PAIRS.as_ptr().add(u as usize * 2), q, 2);
        q = q.add(2);
    } else {
        let mut tmp = [0u8; I64_BUF];
        let d = format_u64(u, &mut tmp);
        ptr::copy_nonoverlapping(d.as_ptr(), q, d.len());
        q = q.add(d.len());
    }
    put_crlf(q);
    q.add(2)
}

/// # Safety
/// `p` must be valid for 2 bytes of writes.
#[inline(always)]
unsafe fn put_crlf(p: *mut u8) {
    p.cast::<[u8; 2]>().write_unaligned(*b"\r\n");
}

/// Copies `src` to `dst`. Elements are usually a few bytes long, where a call
/// to `memcpy` costs more than the copy: up to 16 bytes are moved as two
/// overlapping words (or single bytes), reading only inside `src`.
///
/// # Safety
/// `dst` must be valid for `src.len()` bytes of writes and not overlap `src`.
#[inline(always)]
unsafe fn copy_bytes(src: &[u8], dst: *mut u8) {
    let n = src.len();
    let s = src.as_ptr();
    if (8..=16).contains(&n) {
        let a = s.cast::<u64>().read_unaligned();
        let b = s.add(n - 8).cast::<u64>().read_unaligned();
        dst.cast::<u64>().write_unaligned(a);
        dst.add(n - 8).cast::<u64>().write_unaligned(b);
    } else if (4..8).contains(&n) {
        let a = s.cast::<u32>().read_unaligned();
        let b = s.add(n - 4).cast::<u32>().read_unaligned();
        dst.cast::<u32>().write_unaligned(a);
        dst.add(n - 4).cast::<u32>().write_unaligned(b);
    } else if (1..4).contains(&n) {
        // n is 1, 2 or 3: first, middle and last byte cover it.
        *dst = *s;
        *dst.add(n / 2) = *s.add(n / 2);
        *dst.add(n - 1) = *s.add(n - 1);
    } else if n > 16 {
        ptr::copy_nonoverlapping(s, dst, n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow_bulk(b: &[u8]) -> Vec<u8> {
        let mut v = format!("${}\r\n", b.len()).into_bytes();
        v.extend_from_slice(b);
        v.extend_from_slice(b"\r\n");
        v
    }

    #[test]
    fn headers_match_format() {
        let samples = [
            0i64,
            1,
            9,
            10,
            42,
            99,
            100,
            101,
            999,
            1000,
            65535,
            -1,
            -9,
            -10,
            -99,
            -100,
            -12345,
            i64::MAX,
            i64::MIN,
            i64::MIN + 1,
        ];
        for v in samples {
            for prefix in [b'*', b':', b'$', b'%'] {
                let mut out = b"x".to_vec();
                push_header(&mut out, prefix, v);
                assert_eq!(out, format!("x{}{v}\r\n", prefix as char).into_bytes());
            }
        }
        let mut out = Vec::new();
        for v in -100_000..100_000i64 {
            out.clear();
            push_header(&mut out, b':', v);
            assert_eq!(out, format!(":{v}\r\n").into_bytes());
        }
    }

    #[test]
    fn bulks_of_every_small_length_and_some_large() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i * 7 + 3) as u8).collect();
        let mut out = Vec::new();
        let mut want = Vec::new();
        for n in (0..=300).chain([1000, 4095, 4096, 65536, 200_000]) {
            // Vary the start so the source is not always aligned.
            let s = &data[n % 5..n % 5 + n.min(data.len() - 5)];
            push_bulk(&mut out, s);
            want.extend_from_slice(&slow_bulk(s));
            assert_eq!(out, want, "length {n}");
        }
    }

    #[test]
    fn integer_bulks() {
        let mut out = Vec::new();
        for v in [
            0i64,
            7,
            -7,
            10,
            99,
            -100,
            127,
            4095,
            -4096,
            i64::MAX,
            i64::MIN,
        ] {
            out.clear();
            push_bulk_i64(&mut out, v);
            assert_eq!(out, slow_bulk(v.to_string().as_bytes()));
        }
    }
}
