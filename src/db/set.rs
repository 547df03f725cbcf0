//! The set value type (Redis's t_set.c data side) with Redis 7.0's two encodings:
//!
//! - `intset` ([`intset::IntSet`]): every member is an integer in canonical form
//!   and there are at most `set-max-intset-entries` of them; sorted, so SMEMBERS
//!   of an intset lists members in ascending order, as Redis does;
//! - `hashtable` ([`Dict`]): everything else, one allocation per member, behind
//!   an `Arc` (cloning is a refcount bump; writes go through `Arc::make_mut`).
//!
//! Redis 7.0 has no listpack sets (7.2 added them): a small set of strings is a
//! `hashtable`. A set never converts back, except that SPOP's "keep the few
//! remaining" path rebuilds the set and so may pick `intset` again, as in Redis.

pub mod intset;

use std::sync::Arc;

use super::hash::dict::{self, Dict};
use crate::util::number::{format_i64, parse_i64, I64_BUF};
use intset::IntSet;

/// A Redis set.
#[derive(Clone, Debug)]
pub enum Set {
    Intset(IntSet),
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
            Set::Table(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Set::Intset(s) => s.len(),
            Set::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn convert(&mut self, extra: usize) {
        if let Set::Intset(s) = self {
            let mut d = Dict::with_capacity(s.len() + extra);
            let mut buf = [0u8; I64_BUF];
            for v in s.iter() {
                d.insert(format_i64(v, &mut buf), b"");
            }
            *self = Set::Table(Arc::new(d));
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
                        self.convert(0);
                    }
                    true
                }
                None => {
                    self.convert(1);
                    self.add(m, max_intset)
                }
            },
            Set::Table(d) => Arc::make_mut(d).insert(m, b""),
        }
    }

    pub fn remove(&mut self, m: &[u8]) -> bool {
        match self {
            Set::Intset(s) => parse_i64(m).is_some_and(|v| s.remove(v)),
            Set::Table(d) => Arc::make_mut(d).remove(m).is_some(),
        }
    }

    pub fn contains(&self, m: &[u8]) -> bool {
        match self {
            Set::Intset(s) => parse_i64(m).is_some_and(|v| s.contains(v)),
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
            Set::Table(d) => Box::new(d.iter().map(|b| Member::Str(b.key()))),
        }
    }

    /// A uniformly random member (the set must not be empty).
    pub fn random(&self) -> Member<'_> {
        match self {
            Set::Intset(s) => Member::Int(s.get(dict::rand_below(s.len()))),
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
            Set::Table(d) => d.scan(cursor, |b| f(Member::Str(b.key()))),
        }
    }

    /// Heap bytes held (the table's `Arc` allocation included).
    pub fn mem_usage(&self) -> usize {
        match self {
            Set::Intset(s) => s.mem_usage(),
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
