//! The tracking table (Redis's TrackingTable): key -> ids of the clients that may
//! cache it, with O(1) random access so that `tracking-table-max-keys` can evict
//! random keys (Redis walks its radix tree at random for the same purpose).
//!
//! ```text
//!  index: HashMap<key, slot>      slots: Vec<(key, ids)>
//!        "a" -> 0  ───────────────>  [0] ("a", {7})
//!        "b" -> 1  ───────────────>  [1] ("b", {7, 9})
//! ```
//!
//! Removing a key moves the last slot into the hole (swap_remove) and fixes its
//! index entry, so the slots stay dense and a random slot is a random key.

use std::collections::{HashMap, HashSet};

use bytes::Bytes;

#[derive(Default)]
pub struct KeyTable {
    index: HashMap<Bytes, usize>,
    slots: Vec<(Bytes, HashSet<u64>)>,
    /// Ids stored across the table (Redis's TrackingTableTotalItems).
    total_items: u64,
    /// xorshift64 state for random eviction; 0 until first use.
    rng: u64,
}

impl KeyTable {
    /// Keys in the table (INFO tracking_total_keys).
    #[inline]
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Client ids across the table (INFO tracking_total_items).
    #[inline]
    pub fn total_items(&self) -> u64 {
        self.total_items
    }

    /// Remembers that client `id` may cache `key`.
    pub fn remember(&mut self, key: &Bytes, id: u64) {
        let slot = match self.index.get(key) {
            Some(&i) => i,
            None => {
                self.slots.push((key.clone(), HashSet::new()));
                self.index.insert(key.clone(), self.slots.len() - 1);
                self.slots.len() - 1
            }
        };
        if self.slots[slot].1.insert(id) {
            self.total_items += 1;
        }
    }

    /// Removes `key` and hands back its ids, in the order Redis walks them
    /// (its radix tree sorts the ids by their in-memory bytes).
    pub fn take(&mut self, key: &[u8]) -> Option<Vec<u64>> {
        let i = self.index.remove(key)?;
        let (_, ids) = self.slots.swap_remove(i);
        if let Some((moved, _)) = self.slots.get(i) {
            if let Some(slot) = self.index.get_mut(moved) {
                *slot = i;
            }
        }
        self.total_items -= ids.len() as u64;
        let mut ids: Vec<u64> = ids.into_iter().collect();
        ids.sort_unstable_by_key(|id| id.to_le_bytes());
        Some(ids)
    }

    /// A key picked at random, None if the table is empty.
    pub fn random_key(&mut self) -> Option<Bytes> {
        if self.slots.is_empty() {
            return None;
        }
        if self.rng == 0 {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            self.rng = (t ^ 0x9e37_79b9_7f4a_7c15) | 1;
        }
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        let i = (x % self.slots.len() as u64) as usize;
        Some(self.slots[i].0.clone())
    }

    /// Forgets everything (FLUSHDB/FLUSHALL) and gives the memory back, as Redis
    /// frees its radix tree.
    pub fn clear(&mut self) {
        *self = KeyTable {
            rng: self.rng,
            ..KeyTable::default()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    #[test]
    fn remember_take_counts() {
        let mut t = KeyTable::default();
        t.remember(&key("a"), 1);
        t.remember(&key("a"), 1);
        t.remember(&key("a"), 2);
        t.remember(&key("b"), 1);
        t.remember(&key("c"), 3);
        assert_eq!((t.len(), t.total_items()), (3, 4));
        assert_eq!(t.take(b"a"), Some(vec![1, 2]));
        assert_eq!((t.len(), t.total_items()), (2, 2));
        assert_eq!(t.take(b"a"), None);
        // The moved slot ("c" into "a"'s hole) is still found.
        assert_eq!(t.take(b"c"), Some(vec![3]));
        assert_eq!(t.take(b"b"), Some(vec![1]));
        assert!(t.is_empty());
        assert_eq!(t.total_items(), 0);
    }

    #[test]
    fn ids_in_radix_order() {
        let mut t = KeyTable::default();
        for id in [256, 1, 2] {
            t.remember(&key("k"), id);
        }
        // Little-endian bytes: 256 = 00 01 .. sorts first.
        assert_eq!(t.take(b"k"), Some(vec![256, 1, 2]));
    }

    #[test]
    fn random_eviction_empties_the_table() {
        let mut t = KeyTable::default();
        for i in 0..100 {
            t.remember(&key(&format!("k{i}")), 1);
        }
        let mut seen = HashSet::new();
        while let Some(k) = t.random_key() {
            assert!(t.take(&k).is_some());
            seen.insert(k);
        }
        assert_eq!(seen.len(), 100);
        assert_eq!(t.total_items(), 0);
    }
}
