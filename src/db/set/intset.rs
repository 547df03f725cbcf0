//! The `intset` encoding: sorted integers in the narrowest width (16, 32 or 64
//! bits) that holds them all, upgraded when a wider value arrives and never
//! downgraded, as Redis's intset.c.

use crate::db::packed::Packed;

/// A sorted set of distinct integers: little-endian values of `width` bytes in a
/// [`Packed`] buffer whose `aux` holds the width (0 for a fresh empty set, read
/// as 2).
#[derive(Clone, Debug, Default)]
pub struct IntSet {
    buf: Packed,
}

impl IntSet {
    #[inline]
    pub fn len(&self) -> usize {
        self.buf.len() / self.width()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Bytes per element (2, 4 or 8).
    #[inline]
    pub fn width(&self) -> usize {
        (self.buf.aux() as usize).max(2)
    }

    #[inline]
    fn read(b: &[u8], w: usize, i: usize) -> i64 {
        let o = i * w;
        match w {
            2 => i16::from_le_bytes([b[o], b[o + 1]]) as i64,
            4 => i32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]]) as i64,
            _ => {
                let mut a = [0u8; 8];
                a.copy_from_slice(&b[o..o + 8]);
                i64::from_le_bytes(a)
            }
        }
    }

    fn search(&self, x: i64) -> Result<usize, usize> {
        let w = self.width();
        let n = self.len();
        let fits = match w {
            2 => i16::try_from(x).is_ok(),
            4 => i32::try_from(x).is_ok(),
            _ => true,
        };
        if !fits {
            return Err(if x < 0 { 0 } else { n });
        }
        let b = self.buf.as_slice();
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match Self::read(b, w, mid).cmp(&x) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    pub fn contains(&self, x: i64) -> bool {
        self.search(x).is_ok()
    }

    /// The element at sorted position `i`.
    #[inline]
    pub fn get(&self, i: usize) -> i64 {
        Self::read(self.buf.as_slice(), self.width(), i)
    }

    fn upgrade_for(&mut self, x: i64) {
        let need = if i16::try_from(x).is_ok() {
            2
        } else if i32::try_from(x).is_ok() {
            4
        } else {
            8
        };
        if need <= self.width() {
            return;
        }
        let mut buf = Packed::with_capacity((self.len() + 1) * need);
        for v in self.iter() {
            buf.extend_from_slice(&v.to_le_bytes()[..need]);
        }
        buf.set_aux(need as u16);
        self.buf = buf;
    }

    /// Adds `x`; true if it was not there.
    pub fn insert(&mut self, x: i64) -> bool {
        self.upgrade_for(x);
        match self.search(x) {
            Ok(_) => false,
            Err(i) => {
                let w = self.width();
                self.buf.insert_slice(i * w, &x.to_le_bytes()[..w]);
                if self.buf.aux() == 0 {
                    self.buf.set_aux(2);
                }
                true
            }
        }
    }

    pub fn remove(&mut self, x: i64) -> bool {
        match self.search(x) {
            Ok(i) => {
                let w = self.width();
                self.buf.remove_range(i * w..(i + 1) * w);
                true
            }
            Err(_) => false,
        }
    }

    /// Elements in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        let (b, w) = (self.buf.as_slice(), self.width());
        (0..self.len()).map(move |i| Self::read(b, w, i))
    }

    /// Bytes the allocator holds for this intset.
    pub fn mem_usage(&self) -> usize {
        self.buf.alloc_size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_upgrades() {
        let mut s = IntSet::default();
        assert!(s.insert(5));
        assert!(s.insert(-3));
        assert!(!s.insert(5));
        assert_eq!(s.width(), 2);
        assert!(s.insert(100_000));
        assert_eq!(s.width(), 4);
        assert!(s.insert(i64::MIN));
        assert_eq!(s.width(), 8);
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![i64::MIN, -3, 5, 100_000]);
        assert!(s.remove(-3));
        assert!(!s.remove(-3));
        assert!(!s.contains(1 << 40));
        let mut t = IntSet::default();
        t.insert(1);
        assert!(!t.contains(1 << 40) && !t.contains(-(1 << 40)));
    }

    #[test]
    fn matches_a_btreeset_model() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..30 {
            let mut s = IntSet::default();
            let mut m = std::collections::BTreeSet::new();
            let span: i64 = [100, 70_000, 5_000_000_000][round % 3];
            for _ in 0..600 {
                let x = (rnd() % (2 * span as u64)) as i64 - span;
                if rnd() % 3 == 0 {
                    assert_eq!(s.remove(x), m.remove(&x));
                } else {
                    assert_eq!(s.insert(x), m.insert(x));
                }
                assert_eq!(s.len(), m.len());
            }
            assert!(s.iter().eq(m.iter().copied()));
            for x in [-span - 1, 0, 1, span, i64::MIN, i64::MAX] {
                assert_eq!(s.contains(x), m.contains(&x));
            }
        }
    }
}
