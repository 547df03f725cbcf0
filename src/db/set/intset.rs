//! The `intset` encoding: sorted integers in the narrowest width (16, 32 or 64
//! bits) that holds them all, upgraded when a wider value arrives and never
//! downgraded, as Redis's intset.c.

/// A sorted set of distinct integers.
#[derive(Clone, Debug)]
pub enum IntSet {
    W16(Vec<i16>),
    W32(Vec<i32>),
    W64(Vec<i64>),
}

impl Default for IntSet {
    fn default() -> Self {
        IntSet::W16(Vec::new())
    }
}

impl IntSet {
    pub fn len(&self) -> usize {
        match self {
            IntSet::W16(v) => v.len(),
            IntSet::W32(v) => v.len(),
            IntSet::W64(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes per element (2, 4 or 8).
    pub fn width(&self) -> usize {
        match self {
            IntSet::W16(_) => 2,
            IntSet::W32(_) => 4,
            IntSet::W64(_) => 8,
        }
    }

    fn search(&self, x: i64) -> Result<usize, usize> {
        match self {
            IntSet::W16(v) => match i16::try_from(x) {
                Ok(x) => v.binary_search(&x),
                Err(_) => Err(if x < 0 { 0 } else { v.len() }),
            },
            IntSet::W32(v) => match i32::try_from(x) {
                Ok(x) => v.binary_search(&x),
                Err(_) => Err(if x < 0 { 0 } else { v.len() }),
            },
            IntSet::W64(v) => v.binary_search(&x),
        }
    }

    pub fn contains(&self, x: i64) -> bool {
        self.search(x).is_ok()
    }

    /// The element at sorted position `i`.
    pub fn get(&self, i: usize) -> i64 {
        match self {
            IntSet::W16(v) => v[i] as i64,
            IntSet::W32(v) => v[i] as i64,
            IntSet::W64(v) => v[i],
        }
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
        let all: Vec<i64> = self.iter().collect();
        *self = if need == 4 {
            IntSet::W32(all.iter().map(|&v| v as i32).collect())
        } else {
            IntSet::W64(all)
        };
    }

    /// Adds `x`; true if it was not there.
    pub fn insert(&mut self, x: i64) -> bool {
        self.upgrade_for(x);
        match self.search(x) {
            Ok(_) => false,
            Err(i) => {
                match self {
                    IntSet::W16(v) => v.insert(i, x as i16),
                    IntSet::W32(v) => v.insert(i, x as i32),
                    IntSet::W64(v) => v.insert(i, x),
                }
                true
            }
        }
    }

    pub fn remove(&mut self, x: i64) -> bool {
        match self.search(x) {
            Ok(i) => {
                match self {
                    IntSet::W16(v) => {
                        v.remove(i);
                    }
                    IntSet::W32(v) => {
                        v.remove(i);
                    }
                    IntSet::W64(v) => {
                        v.remove(i);
                    }
                }
                true
            }
            Err(_) => false,
        }
    }

    /// Elements in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    pub fn mem_usage(&self) -> usize {
        self.len() * self.width()
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
}
