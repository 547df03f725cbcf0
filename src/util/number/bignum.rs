//! Minimal arbitrary-precision unsigned integers, just enough for exact
//! decimal <-> binary conversion of `f64` and x87 80-bit values.
//!
//! Limbs are little-endian `u32`s with no high zero limbs, so `limbs.is_empty()`
//! means zero. Nothing here is on a hot path; clarity beats speed.

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Big {
    limbs: Vec<u32>,
}

impl Big {
    pub(crate) fn zero() -> Big {
        Big { limbs: Vec::new() }
    }

    pub(crate) fn from_u128(mut v: u128) -> Big {
        let mut limbs = Vec::with_capacity(4);
        while v != 0 {
            limbs.push(v as u32);
            v >>= 32;
        }
        Big { limbs }
    }

    /// Parses ASCII decimal digits (all bytes must be `0..=9`).
    pub(crate) fn from_decimal(digits: &[u8]) -> Big {
        let mut b = Big::zero();
        for chunk in digits.chunks(9) {
            let mut v = 0u32;
            for &d in chunk {
                v = v * 10 + u32::from(d - b'0');
            }
            b.mul_small(10u32.pow(chunk.len() as u32));
            b.add_small(v);
        }
        b
    }

    /// Parses ASCII hex digits (all bytes must be hex digits).
    pub(crate) fn from_hex(digits: &[u8]) -> Big {
        let mut b = Big::zero();
        for chunk in digits.chunks(7) {
            let mut v = 0u32;
            for &d in chunk {
                v = (v << 4) | hex_val(d);
            }
            b.shl(4 * chunk.len() as u64);
            b.add_small(v);
        }
        b
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    /// Number of significant bits (0 for zero).
    pub(crate) fn bit_len(&self) -> u64 {
        match self.limbs.last() {
            None => 0,
            Some(&top) => 32 * self.limbs.len() as u64 - u64::from(top.leading_zeros()),
        }
    }

    pub(crate) fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for l in self.limbs.iter_mut() {
            let t = u64::from(*l) * u64::from(m) + carry;
            *l = t as u32;
            carry = t >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
        self.trim();
    }

    pub(crate) fn add_small(&mut self, a: u32) {
        let mut carry = u64::from(a);
        for l in self.limbs.iter_mut() {
            if carry == 0 {
                return;
            }
            let t = u64::from(*l) + carry;
            *l = t as u32;
            carry = t >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
    }

    /// Multiplies by `5^n`.
    pub(crate) fn mul_pow5(&mut self, mut n: u64) {
        const P13: u32 = 1_220_703_125; // 5^13, the largest power of 5 in a u32
        while n >= 13 {
            self.mul_small(P13);
            n -= 13;
        }
        if n > 0 {
            self.mul_small(5u32.pow(n as u32));
        }
    }

    /// Shifts left by `n` bits.
    pub(crate) fn shl(&mut self, n: u64) {
        if self.is_zero() {
            return;
        }
        let words = (n / 32) as usize;
        let bits = (n % 32) as u32;
        if bits != 0 {
            let mut carry = 0u32;
            for l in self.limbs.iter_mut() {
                let v = *l;
                *l = (v << bits) | carry;
                carry = v >> (32 - bits);
            }
            if carry != 0 {
                self.limbs.push(carry);
            }
        }
        if words != 0 {
            self.limbs.splice(0..0, std::iter::repeat_n(0, words));
        }
    }

    /// Shifts right by one bit.
    fn shr1(&mut self) {
        let mut carry = 0u32;
        for l in self.limbs.iter_mut().rev() {
            let v = *l;
            *l = (v >> 1) | (carry << 31);
            carry = v & 1;
        }
        self.trim();
    }

    /// Bit `i` (0 = least significant).
    pub(crate) fn bit(&self, i: u64) -> bool {
        let w = (i / 32) as usize;
        w < self.limbs.len() && (self.limbs[w] >> (i % 32)) & 1 == 1
    }

    /// True if any of the bits `0..n` is set.
    pub(crate) fn any_below(&self, n: u64) -> bool {
        let w = (n / 32) as usize;
        let b = (n % 32) as u32;
        if self.limbs.iter().take(w).any(|&l| l != 0) {
            return true;
        }
        b != 0 && w < self.limbs.len() && self.limbs[w] & ((1u32 << b) - 1) != 0
    }

    /// Bits `from..from + 128` as a `u128`.
    pub(crate) fn extract_u128(&self, from: u64) -> u128 {
        let mut v = 0u128;
        for i in 0..128u64 {
            if self.bit(from + i) {
                v |= 1u128 << i;
            }
        }
        v
    }

    pub(crate) fn cmp_big(&self, o: &Big) -> Ordering {
        self.limbs
            .len()
            .cmp(&o.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(o.limbs.iter().rev()))
    }

    /// `self -= o`; requires `self >= o`.
    pub(crate) fn sub_assign(&mut self, o: &Big) {
        let mut borrow = 0i64;
        for (i, l) in self.limbs.iter_mut().enumerate() {
            let t = i64::from(*l) - i64::from(o.limbs.get(i).copied().unwrap_or(0)) - borrow;
            if t < 0 {
                *l = (t + (1i64 << 32)) as u32;
                borrow = 1;
            } else {
                *l = t as u32;
                borrow = 0;
            }
        }
        debug_assert_eq!(borrow, 0);
        self.trim();
    }

    /// Divides by `d` when the quotient is known to be below `2^qbits`
    /// (`qbits <= 127`). Returns the quotient; `self` keeps the remainder.
    pub(crate) fn div_rem_small_quotient(&mut self, d: &Big, qbits: u32) -> u128 {
        let mut shifted = d.clone();
        shifted.shl(u64::from(qbits));
        let mut q = 0u128;
        for i in (0..=qbits).rev() {
            if i != qbits {
                shifted.shr1();
            }
            if self.cmp_big(&shifted) != Ordering::Less {
                self.sub_assign(&shifted);
                q |= 1u128 << i;
            }
        }
        q
    }

    /// Decimal digits (ASCII), "0" for zero.
    pub(crate) fn to_decimal(&self) -> Vec<u8> {
        if self.is_zero() {
            return vec![b'0'];
        }
        let mut n = self.limbs.clone();
        let mut chunks: Vec<u32> = Vec::with_capacity(n.len() * 32 / 29 + 1);
        while !n.is_empty() {
            let mut rem = 0u64;
            for l in n.iter_mut().rev() {
                let t = (rem << 32) | u64::from(*l);
                *l = (t / 1_000_000_000) as u32;
                rem = t % 1_000_000_000;
            }
            while n.last() == Some(&0) {
                n.pop();
            }
            chunks.push(rem as u32);
        }
        let mut out = Vec::with_capacity(chunks.len() * 9);
        let top = chunks.pop().unwrap_or(0);
        out.extend_from_slice(top.to_string().as_bytes());
        for c in chunks.iter().rev() {
            let mut buf = [b'0'; 9];
            let mut v = *c;
            for slot in buf.iter_mut().rev() {
                *slot = b'0' + (v % 10) as u8;
                v /= 10;
            }
            out.extend_from_slice(&buf);
        }
        out
    }
}

pub(crate) fn hex_val(d: u8) -> u32 {
    match d {
        b'0'..=b'9' => u32::from(d - b'0'),
        b'a'..=b'f' => u32::from(d - b'a' + 10),
        b'A'..=b'F' => u32::from(d - b'A' + 10),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_round_trip() {
        for s in [
            "0",
            "1",
            "999999999",
            "1000000000",
            "123456789012345678901234567890",
        ] {
            assert_eq!(Big::from_decimal(s.as_bytes()).to_decimal(), s.as_bytes());
        }
        let mut b = Big::from_u128(1);
        b.shl(100);
        assert_eq!(b.to_decimal(), b"1267650600228229401496703205376");
        let mut f = Big::from_u128(1);
        f.mul_pow5(30);
        assert_eq!(f.to_decimal(), b"931322574615478515625");
    }

    #[test]
    fn hex_and_bits() {
        let b = Big::from_hex(b"1fFfFfFfFfFfFfFfF");
        assert_eq!(b.bit_len(), 65);
        assert_eq!(b.extract_u128(0), (1u128 << 65) - 1);
        assert!(b.bit(64) && !b.bit(65));
        assert!(b.any_below(1));
        let mut c = Big::from_u128(1 << 40);
        assert!(!c.any_below(40) && c.any_below(41));
        c.shl(33);
        assert_eq!(c.bit_len(), 74);
    }

    #[test]
    fn division() {
        let mut a = Big::from_decimal(b"1000000000000000000000000000000000000001");
        let d = Big::from_decimal(b"1000000000000000000000");
        let q = a.div_rem_small_quotient(&d, 70);
        assert_eq!(q, 1_000_000_000_000_000_000);
        assert_eq!(a.to_decimal(), b"1");
    }
}
