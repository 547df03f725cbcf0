//! The `skiplist` encoding of big sorted sets: an ordered index by (score,
//! member) plus a member -> score lookup.
//!
//! This first version is a plain `BTreeSet` plus a `HashMap` (rank and position
//! queries walk the set); the order-statistic structure replaces it behind the
//! same methods.

use std::collections::{BTreeSet, HashMap};

use super::listpack::before;

#[derive(Clone, Debug, PartialEq)]
struct Key {
    score: f64,
    member: Box<[u8]>,
}

impl Eq for Key {}

impl Ord for Key {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        if before(self.score, &self.member, o.score, &o.member) {
            std::cmp::Ordering::Less
        } else if before(o.score, &o.member, self.score, &self.member) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

/// Ordered members with O(1) score lookup.
#[derive(Clone, Debug, Default)]
pub struct Index {
    tree: BTreeSet<Key>,
    dict: HashMap<Box<[u8]>, f64>,
}

impl Index {
    pub fn with_capacity(n: usize) -> Index {
        Index {
            tree: BTreeSet::new(),
            dict: HashMap::with_capacity(n),
        }
    }

    pub fn len(&self) -> usize {
        self.dict.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dict.is_empty()
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.dict.get(member).copied()
    }

    /// Inserts a member that is not present.
    pub fn insert(&mut self, member: &[u8], score: f64) {
        self.dict.insert(member.into(), score);
        self.tree.insert(Key {
            score,
            member: member.into(),
        });
    }

    /// Changes the score of a present member.
    pub fn update(&mut self, member: &[u8], score: f64) {
        let old = self.dict.insert(member.into(), score).expect("present");
        self.tree.remove(&Key {
            score: old,
            member: member.into(),
        });
        self.tree.insert(Key {
            score,
            member: member.into(),
        });
    }

    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let s = self.dict.remove(member)?;
        self.tree.remove(&Key {
            score: s,
            member: member.into(),
        });
        Some(s)
    }

    /// The number of leading members for which `pred` holds (`pred` must hold
    /// for a prefix of the order and not after it).
    pub fn partition_point(&self, mut pred: impl FnMut(&[u8], f64) -> bool) -> usize {
        self.tree
            .iter()
            .take_while(|k| pred(&k.member, k.score))
            .count()
    }

    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let s = self.score(member)?;
        Some(self.partition_point(|m, sc| before(sc, m, s, member)))
    }

    pub fn nth(&self, i: usize) -> (&[u8], f64) {
        let k = self.tree.iter().nth(i).expect("rank in range");
        (&k.member, k.score)
    }

    /// Calls `f` for ranks `start..=end` (`end < len`), descending with `rev`.
    pub fn for_ranks(&self, start: usize, end: usize, rev: bool, mut f: impl FnMut(&[u8], f64)) {
        let it = self.tree.iter().skip(start).take(end + 1 - start);
        if rev {
            for k in it.rev() {
                f(&k.member, k.score);
            }
        } else {
            for k in it {
                f(&k.member, k.score);
            }
        }
    }

    /// Removes ranks `start..=end` (`end < len`).
    pub fn remove_ranks(&mut self, start: usize, end: usize) {
        let doomed: Vec<Key> = self
            .tree
            .iter()
            .skip(start)
            .take(end + 1 - start)
            .cloned()
            .collect();
        for k in doomed {
            self.tree.remove(&k);
            self.dict.remove(&k.member);
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&[u8], f64)> + '_ {
        self.tree.iter().map(|k| (&*k.member, k.score))
    }

    /// One ZSCAN step.
    pub fn scan(&self, _cursor: u64, mut f: impl FnMut(&[u8], f64)) -> u64 {
        for (m, s) in self.iter() {
            f(m, s);
        }
        0
    }

    pub fn mem_usage(&self) -> usize {
        self.tree.iter().map(|k| 48 + k.member.len()).sum::<usize>() + self.dict.capacity() * 33
    }
}
