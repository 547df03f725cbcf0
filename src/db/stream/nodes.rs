//! The ordered map from each node's master ID to its listpack (what Redis keeps
//! in a rax), laid out for memory: the nodes sit in chunks of up to [`CHUNK`]
//! `(master ID, listpack)` slots, each chunk one `Arc`'d vector, the chunks in
//! one vector in key order.
//!
//! ```text
//!  chunks: [ Arc ─> [(id, lp) (id, lp) .. up to CHUNK] ,  Arc ─> [..] , .. ]
//! ```
//!
//! - A node costs its 24-byte slot and a share of its chunk's two allocations
//!   (about 26 bytes in all, as Redis's rax for stream keys), where a B-tree of
//!   `Arc`'d nodes took about 90 (a half-full leaf slot per node, the internal
//!   nodes, the node's own `Arc`).
//! - Copy-on-write by chunk: cloning the map (a snapshot, COPY) bumps one count
//!   per chunk; a write while a clone holds the map copies the chunk it writes
//!   (its slots and node bytes, at most CHUNK nodes, as a fork copies the pages
//!   it writes), never the other chunks.
//! - Every chunk holds at least one slot; keys ascend across chunks. Nodes come
//!   at the end ([`NodeMap::push`]: XADD, the loader) and go from anywhere
//!   (trimming from the head, a node emptied by XDEL).
//! - Lookups are two binary searches (chunks by their last key, then slots).

use std::sync::Arc;

use super::StreamId;
use crate::alloc::size_class;
use crate::db::list::Listpack;

/// Slots per chunk: small enough that a chunk copied under a snapshot is a
/// few tens of KB, big enough that the chunk's own allocations stay a small
/// share of each node's cost.
pub const CHUNK: usize = 32;

type Chunk = Vec<(StreamId, Listpack)>;

/// The node map (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct NodeMap {
    chunks: Vec<Arc<Chunk>>,
    len: usize,
}

/// A slot position: chunk index and slot index, `(chunks.len(), 0)` for the
/// end; never past a chunk's last slot otherwise.
type Pos = (usize, usize);

impl NodeMap {
    /// From nodes in ascending key order (a key seen twice keeps its last
    /// node, as a map insert would; an unordered input is sorted).
    pub fn from_nodes(mut nodes: Vec<(StreamId, Listpack)>) -> NodeMap {
        if !nodes.windows(2).all(|w| w[0].0 < w[1].0) {
            nodes.reverse();
            nodes.sort_by_key(|(k, _)| *k);
            nodes.dedup_by_key(|(k, _)| *k);
        }
        let mut m = NodeMap::default();
        for (k, lp) in nodes {
            m.push(k, lp);
        }
        m
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends a node whose key is above every key in the map.
    pub fn push(&mut self, key: StreamId, lp: Listpack) {
        debug_assert!(self.last().is_none_or(|(k, _)| k < key));
        match self.chunks.last_mut() {
            Some(c) if c.len() < CHUNK => Arc::make_mut(c).push((key, lp)),
            _ => {
                let mut c = Vec::with_capacity(CHUNK);
                c.push((key, lp));
                self.chunks.push(Arc::new(c));
            }
        }
        self.len += 1;
    }

    pub fn first(&self) -> Option<(StreamId, &Listpack)> {
        let (k, lp) = self.chunks.first()?.first()?;
        Some((*k, lp))
    }

    pub fn last(&self) -> Option<(StreamId, &Listpack)> {
        let (k, lp) = self.chunks.last()?.last()?;
        Some((*k, lp))
    }

    /// The last node, writable (its chunk copied first if a clone shares it).
    pub fn last_mut(&mut self) -> Option<(StreamId, &mut Listpack)> {
        let (k, lp) = Arc::make_mut(self.chunks.last_mut()?).last_mut()?;
        Some((*k, lp))
    }

    /// The node with the greatest key `<= key`.
    pub fn floor(&self, key: StreamId) -> Option<(StreamId, &Listpack)> {
        let p = self.prev(self.pos_after(key))?;
        let (k, lp) = &self.chunks[p.0][p.1];
        Some((*k, lp))
    }

    /// The node at `key`, writable (its chunk copied first if shared).
    pub fn get_mut(&mut self, key: StreamId) -> Option<&mut Listpack> {
        let (ci, si) = self.find(key)?;
        Some(&mut Arc::make_mut(&mut self.chunks[ci])[si].1)
    }

    /// Removes the node at `key`; false if there is none.
    pub fn remove(&mut self, key: StreamId) -> bool {
        let Some((ci, si)) = self.find(key) else {
            return false;
        };
        if self.chunks[ci].len() == 1 {
            self.chunks.remove(ci);
        } else {
            Arc::make_mut(&mut self.chunks[ci]).remove(si);
        }
        self.len -= 1;
        true
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter {
            map: self,
            front: (0, 0),
            back: self.end(),
        }
    }

    /// The nodes with `from <= key <= to`, ascending (double-ended).
    pub fn range(&self, from: StreamId, to: StreamId) -> Iter<'_> {
        let front = self.pos_at_or_after(from);
        let back = if from > to { front } else { self.pos_after(to) };
        Iter {
            map: self,
            front,
            back,
        }
    }

    /// The nodes with `key <= to`, ascending (double-ended).
    pub fn range_to(&self, to: StreamId) -> Iter<'_> {
        Iter {
            map: self,
            front: (0, 0),
            back: self.pos_after(to),
        }
    }

    /// Heap bytes of the map itself (the nodes' buffers not included).
    pub fn mem_usage(&self) -> usize {
        let arc = size_class(16 + std::mem::size_of::<Chunk>());
        let slot = std::mem::size_of::<(StreamId, Listpack)>();
        let chunks: usize = self
            .chunks
            .iter()
            .map(|c| arc + size_class(c.capacity() * slot))
            .sum();
        chunks + size_class(self.chunks.capacity() * std::mem::size_of::<Arc<Chunk>>())
    }

    fn end(&self) -> Pos {
        (self.chunks.len(), 0)
    }

    fn find(&self, key: StreamId) -> Option<Pos> {
        let p = self.pos_at_or_after(key);
        (p != self.end() && self.chunks[p.0][p.1].0 == key).then_some(p)
    }

    /// The first slot with a key `>= key`.
    fn pos_at_or_after(&self, key: StreamId) -> Pos {
        let ci = self
            .chunks
            .partition_point(|c| c.last().expect("chunk").0 < key);
        if ci == self.chunks.len() {
            return self.end();
        }
        (ci, self.chunks[ci].partition_point(|(k, _)| *k < key))
    }

    /// The first slot with a key `> key`.
    fn pos_after(&self, key: StreamId) -> Pos {
        let ci = self
            .chunks
            .partition_point(|c| c.last().expect("chunk").0 <= key);
        if ci == self.chunks.len() {
            return self.end();
        }
        (ci, self.chunks[ci].partition_point(|(k, _)| *k <= key))
    }

    fn next(&self, (ci, si): Pos) -> Pos {
        if si + 1 < self.chunks[ci].len() {
            (ci, si + 1)
        } else {
            (ci + 1, 0)
        }
    }

    fn prev(&self, (ci, si): Pos) -> Option<Pos> {
        if si > 0 {
            Some((ci, si - 1))
        } else if ci > 0 {
            Some((ci - 1, self.chunks[ci - 1].len() - 1))
        } else {
            None
        }
    }
}

/// Nodes between two positions, either way.
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    map: &'a NodeMap,
    /// The next slot forward.
    front: Pos,
    /// One past the next slot backward.
    back: Pos,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (StreamId, &'a Listpack);

    fn next(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        let (k, lp) = &self.map.chunks[self.front.0][self.front.1];
        self.front = self.map.next(self.front);
        Some((*k, lp))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        self.back = self.map.prev(self.back)?;
        let (k, lp) = &self.map.chunks[self.back.0][self.back.1];
        Some((*k, lp))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(ms: u64) -> StreamId {
        StreamId::new(ms, 0)
    }

    fn map(n: u64) -> NodeMap {
        let mut m = NodeMap::default();
        for i in 0..n {
            m.push(id(i * 10), Listpack::new());
        }
        m
    }

    fn keys<'a>(it: impl Iterator<Item = (StreamId, &'a Listpack)>) -> Vec<u64> {
        it.map(|(k, _)| k.ms).collect()
    }

    #[test]
    fn lookups_and_ranges_across_chunks() {
        let m: &'static NodeMap = Box::leak(Box::new(map(100)));
        assert_eq!(m.len(), 100);
        assert_eq!(m.chunks.len(), 100usize.div_ceil(CHUNK));
        assert_eq!(keys(m.iter()).len(), 100);
        assert_eq!(keys(m.iter().rev())[0], 990);
        assert_eq!(m.floor(id(325)).map(|(k, _)| k.ms), Some(320));
        assert_eq!(m.floor(id(320)).map(|(k, _)| k.ms), Some(320));
        assert_eq!(m.floor(id(0)).map(|(k, _)| k.ms), Some(0));
        assert!(m.floor(StreamId::MIN).is_some());
        assert_eq!(keys(m.range(id(315), id(345))), [320, 330, 340]);
        assert_eq!(keys(m.range(id(315), id(345)).rev()), [340, 330, 320]);
        assert_eq!(keys(m.range(id(300), id(300))), [300]);
        assert!(keys(m.range(id(345), id(315))).is_empty());
        assert_eq!(keys(m.range_to(id(15))), [0, 10]);
        assert_eq!(keys(m.range_to(id(15)).rev()), [10, 0]);
        assert!(keys(m.range(id(2000), StreamId::MAX)).is_empty());
        let mut it = m.range(id(0), id(30));
        assert_eq!(it.next().map(|(k, _)| k.ms), Some(0));
        assert_eq!(it.next_back().map(|(k, _)| k.ms), Some(30));
        assert_eq!(keys(it), [10, 20]);
    }

    #[test]
    fn removal_keeps_chunks_non_empty() {
        let mut m = map(70);
        for i in 0..CHUNK as u64 {
            assert!(m.remove(id(i * 10)));
        }
        assert!(!m.remove(id(0)));
        assert_eq!(m.len(), 70 - CHUNK);
        assert_eq!(m.first().map(|(k, _)| k.ms), Some(CHUNK as u64 * 10));
        assert!(m.remove(id(690)));
        assert_eq!(m.last().map(|(k, _)| k.ms), Some(680));
        let left: Vec<u64> = m.iter().map(|(k, _)| k.ms).collect();
        assert_eq!(left.len(), m.len());
        assert!(left.windows(2).all(|w| w[0] < w[1]));
        m.push(id(5000), Listpack::new());
        assert_eq!(m.last().map(|(k, _)| k.ms), Some(5000));
        while let Some((k, _)) = m.first() {
            assert!(m.remove(k));
        }
        assert!(m.is_empty() && m.chunks.is_empty());
        assert!(m.last().is_none() && m.floor(StreamId::MAX).is_none());
    }

    #[test]
    fn a_clone_shares_all_but_the_written_chunk() {
        let mut m = map(100);
        let snap = m.clone();
        m.get_mut(id(500)).unwrap().push_back(b"x");
        m.last_mut().unwrap().1.push_back(b"y");
        let shared = m
            .chunks
            .iter()
            .zip(&snap.chunks)
            .filter(|(a, b)| Arc::ptr_eq(a, b))
            .count();
        assert_eq!(shared, m.chunks.len() - 2);
        assert_eq!(snap.iter().filter(|(_, lp)| !lp.is_empty()).count(), 0);
    }

    #[test]
    fn unordered_nodes_are_sorted_last_one_wins() {
        let mut a = Listpack::new();
        a.push_back(b"a");
        let mut b = Listpack::new();
        b.push_back(b"b");
        let m = NodeMap::from_nodes(vec![(id(2), a), (id(1), Listpack::new()), (id(2), b)]);
        let got: Vec<(u64, usize)> = m.iter().map(|(k, lp)| (k.ms, lp.len())).collect();
        assert_eq!(got, [(1, 0), (2, 1)]);
        assert_eq!(
            m.floor(id(2))
                .unwrap()
                .1
                .get(m.floor(id(2)).unwrap().1.first()),
            crate::db::list::Elem::Str(b"b")
        );
    }
}
