//! The set value type (Redis's t_set.c data side) with Redis 7.0's two encodings:
//!
//! - `intset` ([`intset::IntSet`]): every member is an integer in canonical form
//!   and there are at most `set-max-intset-entries` of them; sorted, so SMEMBERS
//!   of an intset lists members in ascending order, as Redis does;
//! - `hashtable` ([`Dict`]): everything else, one allocation per member, behind
//!   an `Arc` (cloning is a refcount bump; writes go through `Arc::make_mut`).
//!
//! Redis 7.0 has no listpack sets (7.2 added them): a small set of strings is a
//! `hashtable` to clients. Stored, it is packed ([`strset::StrSet`]) while it has
//! at most 128 members of at most 64 bytes (7.2's listpack limits), and moves
//! to a [`Dict`] past them; both report `hashtable` and are saved as RDB's plain
//! set. A set never converts back, except that SPOP's "keep the few remaining"
//! path rebuilds the set and so may pick `intset` again, as in Redis.

pub mod intset;
pub mod strset;

use std::sync::Arc;

use super::hash::dict::{self, Dict};
use crate::util::number::{format_i64, parse_i64, I64_BUF};
use intset::IntSet;
use strset::StrSet;

/// A Redis set.
#[derive(Clone, Debug)]
pub enum Set {
    Intset(IntSet),
    /// A small set of strings (OBJECT ENCODING `hashtable`).
    Packed(StrSet),
    Table(Arc<Dict<false>>),
}

impl Default for Set {
    fn default() -> Self {
        Set::Intset(IntSet::default())
    }
}

/// One member as stored: an intset integer or bytes from the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Member<'_> {
    /// The member's bytes (integers in decimal).
    pub fn to_vec(self) -> Vec<u8> {
        match self {
            Member::Int(v) => format_i64(v, &mut [0u8; I64_BUF]).to_vec(),
            Member::Str(s) => s.to_vec(),
        }
    }

    /// Calls `f` with the member's bytes without allocating.
    pub fn with_bytes<R>(self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Member::Int(v) => f(format_i64(v, &mut [0u8; I64_BUF])),
            Member::Str(s) => f(s),
        }
    }
}

impl Set {
    /// An empty set (intset, as Redis's createIntsetObject).
    pub fn new() -> Set {
        Set::default()
    }

    /// Redis's OBJECT ENCODING name for the current encoding.
    pub fn encoding(&self) -> &'static str {
        match self {
            Set::Intset(_) => "intset",
            Set::Packed(_) | Set::Table(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Intset(s) => s.len(),
            Set::Packed(p) => p.len(),
            Set::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Converts to a string encoding with room for `extra` more members whose
    /// longest is `max_member` bytes: packed if the result fits, else a table.
    fn convert(&mut self, extra: usize, max_member: usize) {
        let n = self.len() + extra;
        let mut buf = [0u8; I64_BUF];
        match self {
            Set::Intset(s) if StrSet::fits(n, max_member.max(20)) => {
                let mut p = StrSet::default();
                for v in s.iter() {
                    p.push_new(format_i64(v, &mut buf));
                }
                *self = Set::Packed(p);
            }
            Set::Intset(s) => {
                let mut d = Dict::with_capacity(n);
                for v in s.iter() {
                    d.insert(format_i64(v, &mut buf), b"");
                }
                *self = Set::Table(Arc::new(d));
            }
            Set::Packed(p) if !StrSet::fits(n, max_member) => {
                let mut d = Dict::with_capacity(n);
                for m in p.iter() {
                    d.insert(m, b"");
                }
                *self = Set::Table(Arc::new(d));
            }
            _ => {}
        }
    }

    /// Adds a member (Redis's setTypeAdd); true if it was new. `max_intset` is
    /// `set-max-intset-entries`.
    pub fn add(&mut self, m: &[u8], max_intset: usize) -> bool {
        match self {
            Set::Intset(s) => match parse_i64(m) {
                Some(v) => {
                    if !s.insert(v) {
                        return false;
                    }
                    if s.len() > max_intset {
                        self.convert(0, 0);
                    }
                    true
                }
                None => {
                    self.convert(1, m.len());
                    self.add(m, max_intset)
                }
            },
            Set::Packed(p) => {
                if p.contains(m) {
                    return false;
                }
                if StrSet::fits(p.len() + 1, m.len()) {
                    p.push_new(m);
                    return true;
                }
                self.convert(1, m.len());
                self.add(m, max_intset)
            }
            Set::Table(d) => Arc::make_mut(d).insert(m, b""),
        }
    }

    pub fn remove(&mut self, m: &[u8]) -> bool {
        match self {
            Set::Intset(s) => parse_i64(m).is_some_and(|v| s.remove(v)),
            Set::Packed(p) => p.remove(m),
            Set::Table(d) => Arc::make_mut(d).remove(m).is_some(),
        }
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        match self {
            Set::Intset(s) => parse_i64(m).is_some_and(|v| s.contains(v)),
            Set::Packed(p) => p.contains(m),
            Set::Table(d) => d.contains(m),
        }
    }

    /// Membership of a member of another set (no parsing for intset to intset).
    pub fn contains_member(&self, m: Member<'_>) -> bool {
        match (self, m) {
            (Set::Intset(s), Member::Int(v)) => s.contains(v),
            (_, m) => m.with_bytes(|b| self.contains(b)),
        }
    }

    /// Every member, in encoding order (ascending for an intset).
    pub fn iter(&self) -> Box<dyn Iterator<Item = Member<'_>> + '_> {
        match self {
            Set::Intset(s) => Box::new(s.iter().map(Member::Int)),
            Set::Packed(p) => Box::new(p.iter().map(Member::Str)),
            Set::Table(d) => Box::new(d.iter().map(|b| Member::Str(b.key()))),
        }
    }

    /// A uniformly random member (the set must not be empty).
    pub fn random(&self) -> Member<'_> {
        match self {
            Set::Intset(s) => Member::Int(s.get(dict::rand_below(s.len()))),
            Set::Packed(p) => Member::Str(p.nth(dict::rand_below(p.len()))),
            Set::Table(d) => Member::Str(d.random().expect("random on empty set").key()),
        }
    }

    /// Removes and returns a random member (the set must not be empty).
    pub fn pop_random(&mut self) -> Vec<u8> {
        let m = self.random().to_vec();
        self.remove(&m);
        m
    }

    /// One SSCAN step; an intset is returned whole with cursor 0, as Redis does.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(Member<'_>)) -> u64 {
        match self {
            Set::Intset(s) => {
                s.iter().for_each(|v| f(Member::Int(v)));
                0
            }
            Set::Packed(p) => {
                p.iter().for_each(|m| f(Member::Str(m)));
                0
            }
            Set::Table(d) => d.scan(cursor, |b| f(Member::Str(b.key()))),
        }
    }

    /// Heap bytes held (the table's `Arc` allocation included).
    pub fn mem_usage(&self) -> usize {
        match self {
            Set::Intset(s) => s.mem_usage(),
            Set::Packed(p) => p.mem_usage(),
            Set::Table(d) => dict::arc_size::<false>() + d.mem_usage(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_follow_redis_7_0() {
        let mut s = Set::new();
        assert!(s.add(b"3", 4));
        assert!(s.add(b"1", 4));
        assert!(!s.add(b"1", 4));
        assert_eq!(s.encoding(), "intset");
        assert!(!s.contains(b"01"), "not canonical, so not the integer 1");
        s.add(b"2", 4);
        s.add(b"4", 4);
        assert_eq!(s.encoding(), "intset");
        s.add(b"5", 4);
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.contains(b"3"));

        let mut s = Set::new();
        s.add(b"1", 512);
        s.add(b"a", 512);
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.contains(b"1") && s.contains(b"a"));
        let mut got: Vec<_> = s.iter().map(|m| m.to_vec()).collect();
        got.sort();
        assert_eq!(got, vec![b"1".to_vec(), b"a".to_vec()]);
    }

    #[test]
    fn small_string_sets_are_packed_and_say_hashtable() {
        let mut s = Set::new();
        for i in 0..5 {
            s.add(i.to_string().as_bytes(), 512);
        }
        s.add(b"x", 512);
        assert!(matches!(s, Set::Packed(_)));
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.contains(b"3") && s.contains(b"x") && !s.contains(b"y"));
        for i in 0..strset::MAX_ENTRIES - 6 {
            assert!(s.add(format!("m{i}").as_bytes(), 512));
        }
        assert!(!s.add(b"m0", 512));
        assert!(matches!(s, Set::Packed(_)));
        assert!(s.add(b"one more", 512));
        assert!(matches!(s, Set::Table(_)));
        assert_eq!(s.len(), strset::MAX_ENTRIES + 1);
        assert!(s.contains(b"4") && s.contains(b"m0") && s.contains(b"one more"));

        // A long member goes straight to the table.
        let mut s = Set::new();
        s.add(b"a", 512);
        assert!(matches!(s, Set::Packed(_)));
        s.add(&[b'z'; strset::MAX_VALUE + 1], 512);
        assert!(matches!(s, Set::Table(_)));
        assert_eq!(s.len(), 2);

        // An intset past set-max-intset-entries is packed if it fits.
        let mut s = Set::new();
        for i in 0..5 {
            s.add(i.to_string().as_bytes(), 4);
        }
        assert!(matches!(s, Set::Packed(_)));
        assert_eq!(s.encoding(), "hashtable");
        assert!(s.remove(b"2") && !s.remove(b"2"));
        let mut got: Vec<_> = s.iter().map(|m| m.to_vec()).collect();
        got.sort();
        assert_eq!(got, [&b"0"[..], b"1", b"3", b"4"]);
        let mut n = 0;
        assert_eq!(s.scan(0, |_| n += 1), 0);
        assert_eq!(n, 4);
    }

    #[test]
    fn pop_empties() {
        let mut s = Set::new();
        for m in [&b"a"[..], b"b", b"7"] {
            s.add(m, 512);
        }
        let mut got: Vec<_> = (0..3).map(|_| s.pop_random()).collect();
        got.sort();
        assert_eq!(got, vec![b"7".to_vec(), b"a".to_vec(), b"b".to_vec()]);
        assert!(s.is_empty());
    }
}
