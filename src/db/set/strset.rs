//! Small sets of strings packed in one buffer (Redis 7.2's listpack sets play
//! this role; Redis 7.0 keeps them in a hash table). Members are kept in
//! insertion order and searched linearly, which for a few dozen short members
//! is as fast as hashing and takes a fraction of the memory: no table, no
//! allocation per member.
//!
//! ```text
//!  buf: varint len | member | varint len | member | ...
//!  aux: number of members
//! ```
//!
//! The set reports `hashtable` to OBJECT ENCODING and is written to RDB files
//! as a plain set, as Redis 7.0 does: this form is invisible to clients.

use crate::db::packed::Packed;

/// A set with at most this many members may be packed.
pub const MAX_ENTRIES: usize = 128;
/// Members longer than this are never packed.
pub const MAX_VALUE: usize = 64;

/// Distinct byte strings in one packed buffer.
#[derive(Clone, Debug, Default)]
pub struct StrSet {
    buf: Packed,
}

/// Reads the member at `pos`: (bytes, next position).
#[inline]
fn read(buf: &[u8], pos: usize) -> (&[u8], usize) {
    let b = buf[pos];
    if b < 0x80 {
        let end = pos + 1 + b as usize;
        return (&buf[pos + 1..end], end);
    }
    let (mut len, mut shift, mut p) = (0usize, 0, pos);
    loop {
        let b = buf[p];
        p += 1;
        len |= ((b & 0x7f) as usize) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    (&buf[p..p + len], p + len)
}

impl StrSet {
    /// Whether a set of `len` members, the longest `max_member` bytes, may be packed.
    pub fn fits(len: usize, max_member: usize) -> bool {
        len <= MAX_ENTRIES && max_member <= MAX_VALUE
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.buf.aux() as usize
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Start and end offsets of `m`.
    fn find(&self, m: &[u8]) -> Option<(usize, usize)> {
        let buf = self.buf.as_slice();
        let mut pos = 0;
        while pos < buf.len() {
            let (s, next) = read(buf, pos);
            if s == m {
                return Some((pos, next));
            }
            pos = next;
        }
        None
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        self.find(m).is_some()
    }

    /// Appends `m` if absent; true if it was added. The caller checks
    /// [`StrSet::fits`] first.
    pub fn insert(&mut self, m: &[u8]) -> bool {
        if self.contains(m) {
            return false;
        }
        self.push_new(m);
        true
    }

    /// Appends `m`, which the caller knows is not a member.
    pub fn push_new(&mut self, m: &[u8]) {
        debug_assert!(m.len() <= MAX_VALUE && self.len() < u16::MAX as usize);
        // MAX_VALUE < 128: the length is one varint byte.
        self.buf.reserve(1 + m.len());
        self.buf.push(m.len() as u8);
        self.buf.extend_from_slice(m);
        self.buf.set_aux(self.buf.aux() + 1);
    }

    pub fn remove(&mut self, m: &[u8]) -> bool {
        match self.find(m) {
            Some((a, b)) => {
                self.buf.remove_range(a..b);
                self.buf.set_aux(self.buf.aux() - 1);
                true
            }
            None => false,
        }
    }

    /// Members in insertion order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            buf: self.buf.as_slice(),
            pos: 0,
        }
    }

    /// The member at index `i` (< len).
    pub fn nth(&self, i: usize) -> &[u8] {
        self.iter().nth(i).expect("strset index")
    }

    /// Bytes the allocator holds for this set.
    pub fn mem_usage(&self) -> usize {
        self.buf.alloc_size()
    }
}

/// Iterator over a packed set's members.
pub struct Iter<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.pos >= self.buf.len() {
            return None;
        }
        let (s, next) = read(self.buf, self.pos);
        self.pos = next;
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn matches_a_btreeset_model() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..50 {
            let mut s = StrSet::default();
            let mut m = BTreeSet::new();
            for _ in 0..400 {
                let len = rnd(MAX_VALUE as u64 + 1) as usize;
                let k: Vec<u8> = (0..len).map(|_| b'a' + rnd(3) as u8).collect();
                let k = if rnd(2) == 0 {
                    k[..len.min(2)].to_vec()
                } else {
                    k
                };
                if rnd(3) == 0 || m.len() >= MAX_ENTRIES {
                    assert_eq!(s.remove(&k), m.remove(&k));
                } else {
                    assert_eq!(s.insert(&k), m.insert(k.clone()));
                }
                assert_eq!(s.len(), m.len());
                assert_eq!(s.contains(&k), m.contains(&k));
            }
            let got: BTreeSet<Vec<u8>> = s.iter().map(|x| x.to_vec()).collect();
            assert_eq!(got, m);
            assert_eq!(s.iter().count(), m.len());
            if !m.is_empty() {
                assert!(m.contains(s.nth(m.len() - 1)));
            }
        }
    }
}
