//! The member -> score lookup of a big sorted set (Redis's zset `dict`): an
//! open-addressing table of thin pointers to the member allocations
//! ([`super::blob`]), which hold the score, so ZSCORE is one hash probe.
//!
//! ```text
//!  ctrl:  [u8; cap]    0 = empty, 1 = deleted, 0x80 | top 7 hash bits = full
//!  slots: [Option<Ele>; cap]
//! ```
//!
//! 9 bytes per slot at a load factor between 7/16 and 7/8, keyed SipHash
//! (`RandomState`), linear probing; the same shape as the hash/set `Dict`, and
//! the same SCAN over home buckets with Redis's reverse-binary cursor (an element
//! present for the whole scan is returned at least once, across resizes). The
//! table does not own the allocations: the index frees them.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

use super::blob::{self, Ele};

const EMPTY: u8 = 0;
const DELETED: u8 = 1;
const MIN_CAP: usize = 8;

#[inline]
fn tag(h: u64) -> u8 {
    0x80 | (h >> 57) as u8
}

pub struct Table {
    ctrl: Box<[u8]>,
    slots: Box<[Option<Ele>]>,
    len: usize,
    deleted: usize,
    hasher: RandomState,
}

impl Table {
    pub fn with_capacity(n: usize) -> Table {
        let cap = Self::cap_for(n);
        Table {
            ctrl: vec![EMPTY; cap].into_boxed_slice(),
            slots: vec![None; cap].into_boxed_slice(),
            len: 0,
            deleted: 0,
            hasher: RandomState::new(),
        }
    }

    fn cap_for(n: usize) -> usize {
        (n + n / 7 + 1).next_power_of_two().max(MIN_CAP)
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }

    #[inline]
    fn mask(&self) -> usize {
        self.ctrl.len() - 1
    }

    #[inline]
    fn hash(&self, m: &[u8]) -> u64 {
        self.hasher.hash_one(m)
    }

    fn find_slot(&self, m: &[u8]) -> Option<usize> {
        let h = self.hash(m);
        let t = tag(h);
        let mask = self.mask();
        let mut i = h as usize & mask;
        loop {
            let c = self.ctrl[i];
            if c == EMPTY {
                return None;
            }
            if c == t {
                if let Some(e) = self.slots[i] {
                    if blob::member(e) == m {
                        return Some(i);
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    pub fn get(&self, m: &[u8]) -> Option<Ele> {
        self.find_slot(m).and_then(|i| self.slots[i])
    }

    fn place(&mut self, h: u64, e: Ele) {
        let mask = self.mask();
        let mut i = h as usize & mask;
        while self.ctrl[i] >= 0x80 {
            i = (i + 1) & mask;
        }
        if self.ctrl[i] == DELETED {
            self.deleted -= 1;
        }
        self.ctrl[i] = tag(h);
        self.slots[i] = Some(e);
        self.len += 1;
    }

    fn resize(&mut self, cap: usize) {
        let old = std::mem::replace(&mut self.slots, vec![None; cap].into_boxed_slice());
        self.ctrl = vec![EMPTY; cap].into_boxed_slice();
        self.len = 0;
        self.deleted = 0;
        for e in old.iter().flatten() {
            let h = self.hash(blob::member(*e));
            self.place(h, *e);
        }
    }

    /// Inserts a member that is not present.
    pub fn insert(&mut self, e: Ele) {
        let cap = self.ctrl.len();
        if (self.len + self.deleted + 1) * 8 > cap * 7 {
            let grow = if (self.len + 1) * 16 > cap * 7 {
                cap * 2
            } else {
                cap
            };
            self.resize(grow);
        }
        let h = self.hash(blob::member(e));
        self.place(h, e);
    }

    /// Unlinks `m`; the caller frees the returned allocation.
    pub fn remove(&mut self, m: &[u8]) -> Option<Ele> {
        let i = self.find_slot(m)?;
        let e = self.slots[i].take();
        let mask = self.mask();
        if self.ctrl[(i + 1) & mask] == EMPTY {
            self.ctrl[i] = EMPTY;
        } else {
            self.ctrl[i] = DELETED;
            self.deleted += 1;
        }
        self.len -= 1;
        let cap = self.ctrl.len();
        if cap > MIN_CAP && self.len * 10 < cap {
            self.resize(Self::cap_for(self.len * 2));
        }
        e
    }

    pub fn iter(&self) -> impl Iterator<Item = Ele> + '_ {
        self.slots.iter().flatten().copied()
    }

    /// One SCAN step over home bucket `cursor & mask`; the next cursor (0 = done).
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(Ele)) -> u64 {
        if self.len == 0 {
            return 0;
        }
        let mask = self.mask();
        let home = cursor as usize & mask;
        let mut i = home;
        loop {
            if self.ctrl[i] == EMPTY {
                break;
            }
            if let Some(e) = self.slots[i] {
                if self.hash(blob::member(e)) as usize & mask == home {
                    f(e);
                }
            }
            i = (i + 1) & mask;
            if i == home {
                break;
            }
        }
        let m = mask as u64;
        (cursor | !m).reverse_bits().wrapping_add(1).reverse_bits()
    }

    /// Bytes held by the table itself (not the members).
    pub fn mem_usage(&self) -> usize {
        use crate::alloc::size_class;
        size_class(self.ctrl.len()) + size_class(self.slots.len() * 8)
    }
}
