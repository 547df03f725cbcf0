//! A segment: one small open-addressing hash table of entries, the unit of
//! copy-on-write for snapshots and the unit of growth for a database.
//!
//! ```text
//!  ctrl:  [0x00 empty | 0x01 deleted | 0x80 | EXP(0x40) | h6 ]  one byte per slot
//!  slots: [Option<Entry>]                                     one thin pointer per slot
//! ```
//!
//! Slots are probed linearly from `(hash >> 32) & mask`; the control byte carries six
//! more hash bits (so most misses never touch the entry) and whether the entry has an
//! expiry (so the active expiry cycle skips keys without one without dereferencing).
//! A segment stays small (hundreds of entries): cloning one for copy-on-write costs
//! a refcount bump per entry, and growing one rehashes only that segment.

use super::entry::Entry;

const EMPTY: u8 = 0;
const DELETED: u8 = 1;
const FULL: u8 = 0x80;
const EXP: u8 = 0x40;
const MIN_CAP: usize = 8;

#[inline]
fn tag_of(h: u64) -> u8 {
    FULL | ((h >> 58) as u8 & 0x3f)
}

#[inline]
fn ctrl_for(h: u64, e: &Entry) -> u8 {
    tag_of(h) | if e.expire().is_some() { EXP } else { 0 }
}

#[derive(Default)]
pub struct Segment {
    ctrl: Box<[u8]>,
    slots: Box<[Option<Entry>]>,
    len: usize,
    deleted: usize,
    expires: usize,
}

/// Slots ahead whose entry is prefetched while copying a segment.
const CLONE_PREFETCH: usize = 16;

/// The copy-on-write copy the reactor makes of a segment a snapshot holds:
/// control bytes and slot pointers, plus one refcount bump per entry. Entries
/// sit at random addresses, so each bump is a cache miss; issuing the next
/// few early overlaps them (the copy happens inside a write command, on the
/// event loop).
impl Clone for Segment {
    fn clone(&self) -> Segment {
        let n = self.slots.len();
        let mut slots = Vec::with_capacity(n);
        for i in 0..n {
            if let Some(Some(e)) = self.slots.get(i + CLONE_PREFETCH) {
                e.prefetch_header();
            }
            slots.push(self.slots[i].clone());
        }
        Segment {
            ctrl: self.ctrl.clone(),
            slots: slots.into_boxed_slice(),
            len: self.len,
            deleted: self.deleted,
            expires: self.expires,
        }
    }
}

impl Segment {
    pub fn new() -> Segment {
        Segment::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Entries that carry an expiry.
    pub fn expires(&self) -> usize {
        self.expires
    }

    /// Number of slots (for memory accounting and sampling).
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Slot index of `key`, if present.
    #[inline]
    pub fn find(&self, h: u64, key: &[u8]) -> Option<usize> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let tag = tag_of(h);
        let mut i = (h >> 32) as usize & mask;
        loop {
            let c = self.ctrl[i];
            if c == EMPTY {
                return None;
            }
            if c & !EXP == tag {
                if let Some(e) = &self.slots[i] {
                    if e.key() == key {
                        return Some(i);
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    pub fn entry(&self, i: usize) -> &Entry {
        self.slots[i].as_ref().expect("occupied slot")
    }

    /// Mutable access to an entry. The caller keeps the key and the presence of an
    /// expiry unchanged (use [`Segment::replace`] to change either).
    #[inline]
    pub fn entry_mut(&mut self, i: usize) -> &mut Entry {
        let e = self.slots[i].as_mut().expect("occupied slot");
        e.make_unique();
        e
    }

    /// Replaces the entry in slot `i` (same key) and returns the old one.
    pub fn replace(&mut self, h: u64, i: usize, e: Entry) -> Entry {
        let had = self.ctrl[i] & EXP != 0;
        let has = e.expire().is_some();
        self.ctrl[i] = ctrl_for(h, &e);
        match (had, has) {
            (false, true) => self.expires += 1,
            (true, false) => self.expires -= 1,
            _ => {}
        }
        self.slots[i].replace(e).expect("occupied slot")
    }

    /// Inserts an entry whose key is known to be absent.
    pub fn insert_new(&mut self, h: u64, e: Entry, hash: &dyn Fn(&[u8]) -> u64) {
        if (self.len + self.deleted + 1) * 8 > self.slots.len() * 7 {
            let want = if (self.len + 1) * 2 > self.slots.len() {
                (self.slots.len() * 2).max(MIN_CAP)
            } else {
                self.slots.len().max(MIN_CAP)
            };
            self.rehash(want, hash);
        }
        let mask = self.slots.len() - 1;
        let mut i = (h >> 32) as usize & mask;
        while self.ctrl[i] & FULL != 0 {
            i = (i + 1) & mask;
        }
        if self.ctrl[i] == DELETED {
            self.deleted -= 1;
        }
        if e.expire().is_some() {
            self.expires += 1;
        }
        self.ctrl[i] = ctrl_for(h, &e);
        self.slots[i] = Some(e);
        self.len += 1;
    }

    /// Removes and returns the entry in slot `i`.
    pub fn remove(&mut self, i: usize) -> Entry {
        let mask = self.slots.len() - 1;
        if self.ctrl[i] & EXP != 0 {
            self.expires -= 1;
        }
        // A slot followed by an empty one ends every probe chain through it, so it
        // can become empty itself instead of a tombstone.
        if self.ctrl[(i + 1) & mask] == EMPTY {
            self.ctrl[i] = EMPTY;
        } else {
            self.ctrl[i] = DELETED;
            self.deleted += 1;
        }
        self.len -= 1;
        let e = self.slots[i].take().expect("occupied slot");
        if self.len == 0 {
            self.ctrl.fill(EMPTY);
            self.deleted = 0;
        }
        e
    }

    fn rehash(&mut self, cap: usize, hash: &dyn Fn(&[u8]) -> u64) {
        let old = std::mem::take(&mut self.slots);
        self.ctrl = vec![EMPTY; cap].into_boxed_slice();
        self.slots = (0..cap).map(|_| None).collect();
        self.len = 0;
        self.deleted = 0;
        self.expires = 0;
        for e in Vec::from(old).into_iter().flatten() {
            let h = hash(e.key());
            self.insert_new(h, e, hash);
        }
    }

    /// Grows the slot array, if needed, so that `n` entries (give or take the
    /// spread of a hash: three standard deviations) fit without a rehash.
    pub fn reserve(&mut self, n: usize, hash: &dyn Fn(&[u8]) -> u64) {
        let want = n + 3 * n.isqrt() + 1;
        let mut cap = MIN_CAP;
        while want * 8 > cap * 7 {
            cap *= 2;
        }
        if cap > self.slots.len() {
            self.rehash(cap, hash);
        }
    }

    /// Shrinks the table when it is mostly empty (after deletes or a split).
    pub fn maybe_shrink(&mut self, hash: &dyn Fn(&[u8]) -> u64) {
        if self.slots.len() > MIN_CAP && self.len * 4 < self.slots.len() {
            let mut cap = MIN_CAP;
            while cap * 7 < self.len * 8 * 2 {
                cap *= 2;
            }
            self.rehash(cap, hash);
        } else if self.deleted * 4 > self.slots.len() {
            self.rehash(self.slots.len(), hash);
        }
    }

    /// Moves every entry whose hash has bit `bit` set into a new segment.
    pub fn split_off(&mut self, bit: u32, hash: &dyn Fn(&[u8]) -> u64) -> Segment {
        let mut other = Segment::new();
        let old = std::mem::take(&mut self.slots);
        self.ctrl = Box::new([]);
        self.len = 0;
        self.deleted = 0;
        self.expires = 0;
        for e in Vec::from(old).into_iter().flatten() {
            let h = hash(e.key());
            if h >> bit & 1 == 1 {
                other.insert_new(h, e, hash);
            } else {
                self.insert_new(h, e, hash);
            }
        }
        other
    }

    /// Moves all entries of `other` into this segment.
    pub fn absorb(&mut self, other: Segment, hash: &dyn Fn(&[u8]) -> u64) {
        for e in Vec::from(other.slots).into_iter().flatten() {
            let h = hash(e.key());
            self.insert_new(h, e, hash);
        }
    }

    /// Iterates the entries in slot order.
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.slots.iter().flatten()
    }

    /// Slot indexes holding entries with an expiry, starting at slot `from`, at most
    /// `max_slots` slots examined. Returns the next slot to look at (or `capacity()`
    /// when the end was reached).
    pub fn expiring_from(&self, from: usize, max_slots: usize, out: &mut Vec<usize>) -> usize {
        let end = (from + max_slots).min(self.ctrl.len());
        for i in from..end {
            if self.ctrl[i] & (FULL | EXP) == FULL | EXP {
                out.push(i);
            }
        }
        end
    }

    /// The slot a key of hash `h` is probed from (its chain, for DEBUG HTSTATS).
    pub fn home_slot(&self, h: u64) -> usize {
        (h >> 32) as usize & (self.slots.len().max(1) - 1)
    }

    /// The entry at slot `i`, if that slot is occupied (for random sampling).
    pub fn slot(&self, i: usize) -> Option<&Entry> {
        self.slots.get(i).and_then(|s| s.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::entry::{Value, ValueRef};
    use std::hash::BuildHasher;

    fn hasher() -> impl Fn(&[u8]) -> u64 {
        let rs = std::collections::hash_map::RandomState::new();
        move |k: &[u8]| rs.hash_one(k)
    }

    #[test]
    fn insert_find_remove_many() {
        let h = hasher();
        let mut s = Segment::new();
        for i in 0..2000 {
            let k = format!("key:{i}");
            s.insert_new(
                h(k.as_bytes()),
                Entry::new(k.as_bytes(), Value::Int(i), None),
                &h,
            );
        }
        assert_eq!(s.len(), 2000);
        for i in 0..2000 {
            let k = format!("key:{i}");
            let idx = s.find(h(k.as_bytes()), k.as_bytes()).expect("present");
            assert!(matches!(s.entry(idx).value(), ValueRef::Int(v) if v == i));
        }
        for i in (0..2000).step_by(2) {
            let k = format!("key:{i}");
            let idx = s.find(h(k.as_bytes()), k.as_bytes()).unwrap();
            s.remove(idx);
        }
        s.maybe_shrink(&h);
        assert_eq!(s.len(), 1000);
        for i in 0..2000 {
            let k = format!("key:{i}");
            assert_eq!(s.find(h(k.as_bytes()), k.as_bytes()).is_some(), i % 2 == 1);
        }
    }

    #[test]
    fn split_partitions_by_hash_bit() {
        let h = hasher();
        let mut s = Segment::new();
        for i in 0..1000 {
            let k = format!("k{i}");
            let e = Entry::new(
                k.as_bytes(),
                Value::Int(i),
                if i % 3 == 0 { Some(1) } else { None },
            );
            s.insert_new(h(k.as_bytes()), e, &h);
        }
        assert_eq!(s.expires(), 334);
        let other = s.split_off(0, &h);
        assert_eq!(s.len() + other.len(), 1000);
        assert_eq!(s.expires() + other.expires(), 334);
        assert!(s.iter().all(|e| h(e.key()) & 1 == 0));
        assert!(other.iter().all(|e| h(e.key()) & 1 == 1));
        s.absorb(other, &h);
        assert_eq!(s.len(), 1000);
    }

    #[test]
    fn clone_shares_entries_until_written() {
        let h = hasher();
        let mut s = Segment::new();
        s.insert_new(h(b"a"), Entry::new(b"a", Value::Int(1), None), &h);
        let frozen = s.clone();
        let i = s.find(h(b"a"), b"a").unwrap();
        assert!(s.entry_mut(i).set_int_in_place(2));
        let j = frozen.find(h(b"a"), b"a").unwrap();
        assert!(matches!(frozen.entry(j).value(), ValueRef::Int(1)));
        assert!(matches!(s.entry(i).value(), ValueRef::Int(2)));
    }
}
