//! The `hashtable` encoding of hashes and sets: a compact open-addressing table
//! (Redis's `dict` plays this role).
//!
//! ```text
//!  ctrl:  [u8; cap]        0 = empty, 1 = deleted, 0x80 | top 7 hash bits = full
//!  slots: [Option<Blob>; cap]   thin pointer (8 bytes) to one allocation per element
//!  blob:  varint klen | varint vlen (pairs only) | key bytes | value bytes
//! ```
//!
//! Every element is one heap allocation holding key and value together, and the
//! table costs 9 bytes per slot at a load factor between 7/16 and 7/8. Keys are
//! hashed with a keyed SipHash (`RandomState`, random per process), like Redis's
//! siphash dict, so hash flooding is not a concern. Probing is linear; deletions
//! leave tombstones that the next resize drops.
//!
//! SCAN works on *home buckets* (`hash & mask`) with Redis's reverse-binary cursor:
//! the step for cursor `v` returns every element whose home bucket is `v & mask`
//! (they all sit in the run of non-empty slots starting there). Because home buckets
//! of a grown or shrunk power-of-two table refine or merge exactly as a chained
//! dict's buckets do, `dictScan`'s guarantee carries over: an element present for
//! the whole iteration is returned at least once.

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::ptr::NonNull;

const EMPTY: u8 = 0;
const DELETED: u8 = 1;
const MIN_CAP: usize = 8;

/// A small fast PRNG (xorshift64*) seeded once per thread from the OS-seeded
/// `RandomState`; used for random element picks.
pub fn rand_u64() -> u64 {
    thread_local! {
        static STATE: Cell<u64> = Cell::new(RandomState::new().hash_one(0x5eed_u64) | 1);
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        s.set(x);
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    })
}

/// Bytes the allocator holds for an `Arc<Dict<PAIR>>`'s own allocation (the
/// refcounts and the table header; the arrays and elements are apart).
pub fn arc_size<const PAIR: bool>() -> usize {
    crate::alloc::size_class(2 * std::mem::size_of::<usize>() + std::mem::size_of::<Dict<PAIR>>())
}

/// What the allocator holds for one element.
fn blob_alloc<const PAIR: bool>(b: &Blob<PAIR>) -> usize {
    crate::alloc::size_class(b.size())
}

/// A uniformly random index below `n` (n > 0).
pub fn rand_below(n: usize) -> usize {
    ((rand_u64() as u128 * n as u128) >> 64) as usize
}

fn varint_len(mut v: usize) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

fn put_varint(mut v: usize, out: *mut u8) -> usize {
    let mut i = 0;
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        // SAFETY: callers reserved varint_len(v) bytes at `out`.
        unsafe {
            if v == 0 {
                *out.add(i) = b;
                return i + 1;
            }
            *out.add(i) = b | 0x80;
        }
        i += 1;
    }
}

/// Reads a varint at `p`; returns (value, bytes used).
///
/// # Safety
/// `p` must point to a varint written by `put_varint`.
unsafe fn get_varint(p: *const u8) -> (usize, usize) {
    let mut v = 0usize;
    let mut shift = 0;
    let mut i = 0;
    loop {
        let b = *p.add(i);
        v |= ((b & 0x7f) as usize) << shift;
        i += 1;
        if b & 0x80 == 0 {
            return (v, i);
        }
        shift += 7;
    }
}

/// One element: key (and value for pairs) in a single allocation behind a thin
/// pointer. `PAIR` says whether the blob has a value part.
pub struct Blob<const PAIR: bool>(NonNull<u8>);

// SAFETY: a Blob owns its allocation exclusively (Clone deep-copies).
unsafe impl<const PAIR: bool> Send for Blob<PAIR> {}
unsafe impl<const PAIR: bool> Sync for Blob<PAIR> {}

impl<const PAIR: bool> Blob<PAIR> {
    pub fn new(key: &[u8], val: &[u8]) -> Self {
        let vl = if PAIR { val.len() } else { 0 };
        let hdr = varint_len(key.len()) + if PAIR { varint_len(vl) } else { 0 };
        let size = hdr + key.len() + vl;
        let layout = Layout::from_size_align(size, 1).expect("blob layout");
        // SAFETY: size >= 1 (the key length varint); every byte is written below.
        unsafe {
            let p = alloc(layout);
            if p.is_null() {
                handle_alloc_error(layout);
            }
            let mut off = put_varint(key.len(), p);
            if PAIR {
                off += put_varint(vl, p.add(off));
            }
            std::ptr::copy_nonoverlapping(key.as_ptr(), p.add(off), key.len());
            if PAIR {
                std::ptr::copy_nonoverlapping(val.as_ptr(), p.add(off + key.len()), vl);
            }
            Blob(NonNull::new_unchecked(p))
        }
    }

    /// (header size, key length, value length)
    #[inline]
    fn dims(&self) -> (usize, usize, usize) {
        // SAFETY: the header was written by `new`.
        unsafe {
            let p = self.0.as_ptr();
            let (kl, a) = get_varint(p);
            if PAIR {
                let (vl, b) = get_varint(p.add(a));
                (a + b, kl, vl)
            } else {
                (a, kl, 0)
            }
        }
    }

    #[inline]
    pub fn key(&self) -> &[u8] {
        let (h, kl, _) = self.dims();
        // SAFETY: key bytes follow the header inside the allocation.
        unsafe { std::slice::from_raw_parts(self.0.as_ptr().add(h), kl) }
    }

    #[inline]
    pub fn val(&self) -> &[u8] {
        let (h, kl, vl) = self.dims();
        // SAFETY: value bytes follow the key inside the allocation.
        unsafe { std::slice::from_raw_parts(self.0.as_ptr().add(h + kl), vl) }
    }

    /// Bytes allocated for this element.
    pub fn size(&self) -> usize {
        let (h, kl, vl) = self.dims();
        h + kl + vl
    }
}

impl<const PAIR: bool> Clone for Blob<PAIR> {
    fn clone(&self) -> Self {
        Blob::new(self.key(), self.val())
    }
}

impl<const PAIR: bool> Drop for Blob<PAIR> {
    fn drop(&mut self) {
        let size = self.size();
        // SAFETY: allocated in `new` with this exact layout.
        unsafe { dealloc(self.0.as_ptr(), Layout::from_size_align_unchecked(size, 1)) }
    }
}

/// The open-addressing table. `Dict<true>` maps field → value (hashes),
/// `Dict<false>` holds members (sets).
#[derive(Clone)]
pub struct Dict<const PAIR: bool> {
    ctrl: Box<[u8]>,
    slots: Box<[Option<Blob<PAIR>>]>,
    len: usize,
    deleted: usize,
    hasher: RandomState,
}

impl<const PAIR: bool> std::fmt::Debug for Dict<PAIR> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dict(len={}, cap={})", self.len, self.ctrl.len())
    }
}

impl<const PAIR: bool> Default for Dict<PAIR> {
    fn default() -> Self {
        Self::with_capacity(0)
    }
}

#[inline]
fn tag(h: u64) -> u8 {
    0x80 | (h >> 57) as u8
}

impl<const PAIR: bool> Dict<PAIR> {
    /// A table sized for `n` elements without resizing.
    pub fn with_capacity(n: usize) -> Self {
        let cap = Self::cap_for(n);
        Dict {
            ctrl: vec![EMPTY; cap].into_boxed_slice(),
            slots: (0..cap).map(|_| None).collect(),
            len: 0,
            deleted: 0,
            hasher: RandomState::new(),
        }
    }

    fn cap_for(n: usize) -> usize {
        // Smallest power of two keeping the load at or below 7/8.
        let need = n + n / 7 + 1;
        need.next_power_of_two().max(MIN_CAP)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    #[inline]
    fn mask(&self) -> usize {
        self.ctrl.len() - 1
    }

    #[inline]
    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    fn find_slot(&self, key: &[u8]) -> Option<usize> {
        let h = self.hash(key);
        let t = tag(h);
        let mask = self.mask();
        let mut i = h as usize & mask;
        loop {
            let c = self.ctrl[i];
            if c == EMPTY {
                return None;
            }
            if c == t {
                if let Some(b) = &self.slots[i] {
                    if b.key() == key {
                        return Some(i);
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// The stored element for `key`.
    #[inline]
    pub fn get(&self, key: &[u8]) -> Option<&Blob<PAIR>> {
        self.find_slot(key).and_then(|i| self.slots[i].as_ref())
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.find_slot(key).is_some()
    }

    fn place(&mut self, h: u64, b: Blob<PAIR>) {
        let mask = self.mask();
        let mut i = h as usize & mask;
        while self.ctrl[i] >= 0x80 {
            i = (i + 1) & mask;
        }
        if self.ctrl[i] == DELETED {
            self.deleted -= 1;
        }
        self.ctrl[i] = tag(h);
        self.slots[i] = Some(b);
        self.len += 1;
    }

    fn resize(&mut self, cap: usize) {
        let old_slots = std::mem::replace(&mut self.slots, (0..cap).map(|_| None).collect());
        self.ctrl = vec![EMPTY; cap].into_boxed_slice();
        self.len = 0;
        self.deleted = 0;
        for b in old_slots.into_vec().into_iter().flatten() {
            let h = self.hash(b.key());
            self.place(h, b);
        }
    }

    /// Inserts or replaces; returns true if the key was new.
    pub fn insert(&mut self, key: &[u8], val: &[u8]) -> bool {
        if let Some(i) = self.find_slot(key) {
            if PAIR {
                self.slots[i] = Some(Blob::new(key, val));
            }
            return false;
        }
        let cap = self.ctrl.len();
        if (self.len + self.deleted + 1) * 8 > cap * 7 {
            let grow = if (self.len + 1) * 16 > cap * 7 {
                cap * 2
            } else {
                cap
            };
            self.resize(grow);
        }
        let h = self.hash(key);
        self.place(h, Blob::new(key, val));
        true
    }

    /// Removes `key`; returns the removed element.
    pub fn remove(&mut self, key: &[u8]) -> Option<Blob<PAIR>> {
        let i = self.find_slot(key)?;
        let b = self.slots[i].take();
        let mask = self.mask();
        // A slot followed by an empty one can become empty itself: no probe run
        // passes through it.
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
        b
    }

    /// Every element, in table order.
    pub fn iter(&self) -> impl Iterator<Item = &Blob<PAIR>> + '_ {
        self.slots.iter().flatten()
    }

    /// A uniformly random element.
    pub fn random(&self) -> Option<&Blob<PAIR>> {
        if self.len == 0 {
            return None;
        }
        let mask = self.mask();
        loop {
            let i = rand_u64() as usize & mask;
            if let Some(b) = &self.slots[i] {
                return Some(b);
            }
        }
    }

    /// One SCAN step: calls `f` for every element whose home bucket is
    /// `cursor & mask` and returns the next cursor (0 when done).
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&Blob<PAIR>)) -> u64 {
        if self.len == 0 {
            return 0;
        }
        let mask = self.mask();
        let home = cursor as usize & mask;
        let mut i = home;
        loop {
            let c = self.ctrl[i];
            if c == EMPTY {
                break;
            }
            if let Some(b) = &self.slots[i] {
                if self.hash(b.key()) as usize & mask == home {
                    f(b);
                }
            }
            i = (i + 1) & mask;
            if i == home {
                break;
            }
        }
        let m = mask as u64;
        let mut v = cursor | !m;
        v = v.reverse_bits();
        v = v.wrapping_add(1);
        v.reverse_bits()
    }

    /// Elements per home bucket (DEBUG HTSTATS-KEY's chains).
    pub fn home_slot_counts(&self) -> Vec<u32> {
        let mut out = vec![0u32; self.slots.len()];
        if self.len > 0 {
            let mask = self.mask();
            for b in self.iter() {
                out[self.hash(b.key()) as usize & mask] += 1;
            }
        }
        out
    }

    /// Heap bytes the allocator holds: control bytes, slots and elements.
    pub fn mem_usage(&self) -> usize {
        self.table_alloc() + self.iter().map(blob_alloc).sum::<usize>()
    }

    /// The control bytes' and the slots' allocations.
    fn table_alloc(&self) -> usize {
        use crate::alloc::size_class;
        let cap = self.ctrl.len();
        size_class(cap) + size_class(cap * std::mem::size_of::<Option<Blob<PAIR>>>())
    }

    /// [`Dict::mem_usage`] from the first `samples` elements, extrapolated
    /// to all of them (MEMORY USAGE's SAMPLES, as Redis's objectComputeSize);
    /// exact when there are no more elements than that.
    pub fn mem_usage_sampled(&self, samples: usize) -> usize {
        if samples >= self.len {
            return self.mem_usage();
        }
        let seen: usize = self.iter().take(samples).map(blob_alloc).sum();
        self.table_alloc() + seen * self.len / samples.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn insert_get_remove() {
        let mut d: Dict<true> = Dict::default();
        for i in 0..10_000 {
            assert!(d.insert(format!("f{i}").as_bytes(), format!("v{i}").as_bytes()));
        }
        assert!(!d.insert(b"f5", b"new"));
        assert_eq!(d.get(b"f5").unwrap().val(), b"new");
        assert_eq!(d.len(), 10_000);
        for i in 0..9_990 {
            assert!(d.remove(format!("f{i}").as_bytes()).is_some());
        }
        assert_eq!(d.len(), 10);
        assert!(d.ctrl.len() <= 64);
        assert_eq!(d.get(b"f9995").unwrap().val(), b"v9995");
        let long = vec![b'x'; 300];
        d.insert(&long, &long);
        assert_eq!(d.get(&long).unwrap().val(), &long[..]);
    }

    #[test]
    fn scan_returns_all_while_growing_and_shrinking() {
        let mut d: Dict<false> = Dict::default();
        for i in 0..1000 {
            d.insert(format!("m{i}").as_bytes(), b"");
        }
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut step = 0;
        loop {
            cursor = d.scan(cursor, |b| {
                seen.insert(b.key().to_vec());
            });
            step += 1;
            // Grow, then shrink, mid-iteration; m0..m999 stay present.
            if step == 50 {
                for i in 1000..20_000 {
                    d.insert(format!("m{i}").as_bytes(), b"");
                }
            }
            if step == 300 {
                for i in 1000..20_000 {
                    d.remove(format!("m{i}").as_bytes());
                }
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..1000 {
            assert!(seen.contains(format!("m{i}").as_bytes()), "m{i}");
        }
    }

    #[test]
    fn random_covers_elements() {
        let mut d: Dict<false> = Dict::default();
        for i in 0..10 {
            d.insert(&[i], b"");
        }
        let mut seen = HashSet::new();
        for _ in 0..1000 {
            seen.insert(d.random().unwrap().key().to_vec());
        }
        assert_eq!(seen.len(), 10);
    }
}
