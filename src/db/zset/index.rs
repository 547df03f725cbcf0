//! The `skiplist` encoding of big sorted sets (Redis's `zset`: dict + skiplist),
//! built from three parts:
//!
//! - one allocation per member holding score and bytes (`zset/blob.rs`);
//! - a member table of pointers to them (`zset/table.rs`): O(1) ZSCORE, ZSCAN;
//! - an order-statistic B+ tree of (score, pointer) items (`zset/btree.rs`):
//!   O(log n) insert, delete, rank, select and range bounds.
//!
//! The index owns the member allocations (freed on removal and drop); cloning
//! copies them and rebuilds both structures (what `Arc::make_mut` does when a
//! snapshot still holds the value).

use super::blob::{self, Ele};
use super::btree::{Item, Tree};
use super::table::Table;

/// Ordered members with O(1) score lookup.
pub struct Index {
    table: Table,
    tree: Tree,
}

// SAFETY: the index owns every allocation its pointers reach; shared access
// only reads them (the snapshot thread), writes need `&mut`.
unsafe impl Send for Index {}
unsafe impl Sync for Index {}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Index(len={})", self.len())
    }
}

impl Default for Index {
    fn default() -> Self {
        Index::with_capacity(0)
    }
}

impl Clone for Index {
    fn clone(&self) -> Self {
        Index::from_sorted(self.iter(), self.len())
    }
}

impl Drop for Index {
    fn drop(&mut self) {
        for e in self.table.iter() {
            blob::free(e);
        }
    }
}

impl Index {
    pub fn with_capacity(n: usize) -> Index {
        Index {
            table: Table::with_capacity(n),
            tree: Tree::default(),
        }
    }

    /// Builds from pairs in (score, member) order without duplicates.
    pub fn from_sorted<'a>(pairs: impl Iterator<Item = (&'a [u8], f64)>, n: usize) -> Index {
        let mut table = Table::with_capacity(n);
        let mut items = Vec::with_capacity(n);
        for (m, s) in pairs {
            let ele = blob::new(m, s);
            table.insert(ele);
            items.push(Item { score: s, ele });
        }
        Index {
            table,
            tree: Tree::from_sorted(items),
        }
    }

    pub fn len(&self) -> usize {
        self.tree.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.table.get(member).map(blob::score)
    }

    /// Inserts a member that is not present.
    pub fn insert(&mut self, member: &[u8], score: f64) {
        let ele = blob::new(member, score);
        self.table.insert(ele);
        self.tree.insert(Item { score, ele });
    }

    /// Changes the score of a present member.
    pub fn update(&mut self, member: &[u8], score: f64) {
        let ele = self.table.get(member).expect("present member");
        let old = blob::score(ele);
        if !self.tree.update_in_place(old, member, score) {
            self.tree.remove(old, member).expect("indexed member");
            self.tree.insert(Item { score, ele });
        }
        blob::set_score(ele, score);
    }

    /// Removes a member; its score if it was present.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let ele = self.table.remove(member)?;
        let s = blob::score(ele);
        self.tree.remove(s, member).expect("indexed member");
        blob::free(ele);
        Some(s)
    }

    /// The number of leading members for which `pred` holds (`pred` must hold
    /// for a prefix of the order and not after it).
    pub fn partition_point(&self, mut pred: impl FnMut(&[u8], f64) -> bool) -> usize {
        self.tree.partition_point(|it| pred(it.member(), it.score))
    }

    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        let s = self.score(member)?;
        Some(self.tree.rank(s, member))
    }

    pub fn nth(&self, i: usize) -> (&[u8], f64) {
        let it = self.tree.nth(i);
        (it.member(), it.score)
    }

    /// Calls `f` for ranks `start..=end` (`end < len`), descending with `rev`.
    pub fn for_ranks(&self, start: usize, end: usize, rev: bool, mut f: impl FnMut(&[u8], f64)) {
        self.tree
            .for_ranks(start, end, rev, |it| f(it.member(), it.score));
    }

    /// Removes ranks `start..=end` (`end < len`).
    pub fn remove_ranks(&mut self, start: usize, end: usize) {
        for _ in start..=end {
            let it = self.tree.remove_at(start);
            self.table.remove(it.member());
            blob::free(it.ele);
        }
    }

    /// Ascending iteration.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], f64)> + '_ {
        self.tree.iter().map(|it| (it.member(), it.score))
    }

    /// One ZSCAN step (over the member table, as Redis scans the zset dict).
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&[u8], f64)) -> u64 {
        self.table
            .scan(cursor, |e: Ele| f(blob::member(e), blob::score(e)))
    }

    /// Bytes the allocator holds for the index: table, tree nodes, members.
    pub fn mem_usage(&self) -> usize {
        self.table.mem_usage()
            + self.tree.mem_usage()
            + self
                .table
                .iter()
                .map(|e| crate::alloc::size_class(blob::size(e)))
                .sum::<usize>()
    }

    #[cfg(test)]
    pub fn check(&self) {
        self.tree.check();
        assert_eq!(self.table.len(), self.tree.len());
        for it in self.tree.iter() {
            assert_eq!(self.table.get(it.member()), Some(it.ele));
            assert_eq!(blob::score(it.ele).to_bits(), it.score.to_bits());
        }
    }
}
