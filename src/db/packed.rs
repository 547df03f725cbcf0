//! A thin growable byte buffer for the compact encodings (hash listpack, intset,
//! list listpack nodes, zset listpack): one word in the value, its length and
//! capacity inside the allocation.
//!
//! ```text
//!  Packed ──> +---------+-------+---------+------+----------------------+
//!             | len u32 | class | (spare) | aux  | payload: len bytes,  |
//!             |         | u8    | u8      | u16  | then spare capacity  |
//!             +---------+-------+---------+------+----------------------+
//!             0         4       5         6      8
//! ```
//!
//! - The allocation is always a whole allocator size class (`class` is its index
//!   in jemalloc's class list, see [`crate::alloc::size_class`]), so the capacity
//!   the buffer reports is exactly what the allocator holds: no `Vec` doubling
//!   slack kept forever. It grows to the class that fits and is shrunk to the
//!   class of its content when the content falls below half of the allocation.
//! - `aux` is 16 bits the owning encoding keeps next to its bytes (an element
//!   count, an integer width, a list's fill), so the value itself stays one word.
//! - The payload is limited to `u32::MAX` bytes, as Redis's listpack.

use std::alloc::{alloc, dealloc, handle_alloc_error, realloc, Layout};
use std::ops::{Deref, DerefMut, Range};
use std::ptr::{self, NonNull};

use crate::alloc::size_class;

/// Bytes of the in-allocation header.
pub const HDR: usize = 8;
const OFF_CLASS: usize = 4;
const OFF_AUX: usize = 6;
const ALIGN: usize = 8;

/// The index of `size`'s allocator size class (the inverse of [`class_size`]).
fn class_index(size: usize) -> u8 {
    let c = size_class(size);
    if c <= 8 {
        0
    } else if c <= 128 {
        (c / 16) as u8
    } else {
        let lg = (usize::BITS - 1 - (c - 1).leading_zeros()) as usize;
        let i = (c - (1 << lg)) >> (lg - 2);
        (9 + (lg - 7) * 4 + i - 1) as u8
    }
}

/// The byte size of size class `idx`.
fn class_size(idx: u8) -> usize {
    let idx = idx as usize;
    if idx == 0 {
        8
    } else if idx <= 8 {
        idx * 16
    } else {
        let j = idx - 9;
        let lg = 7 + j / 4;
        (1 << lg) + (j % 4 + 1) * (1 << (lg - 2))
    }
}

/// An owned byte buffer behind one thin pointer.
pub struct Packed(NonNull<u8>);

// SAFETY: a Packed owns its allocation exclusively (Clone copies it).
unsafe impl Send for Packed {}
unsafe impl Sync for Packed {}

impl Packed {
    /// An empty buffer (an 8-byte allocation: the header alone).
    pub fn new() -> Packed {
        Self::with_capacity(0)
    }

    /// An empty buffer with room for at least `cap` bytes.
    pub fn with_capacity(cap: usize) -> Packed {
        let idx = class_index(HDR + cap);
        let layout = Self::layout(idx);
        // SAFETY: the layout is non-zero; the header is written before use.
        unsafe {
            let p = alloc(layout);
            if p.is_null() {
                handle_alloc_error(layout);
            }
            ptr::write(p as *mut u32, 0);
            *p.add(OFF_CLASS) = idx;
            *p.add(OFF_CLASS + 1) = 0;
            ptr::write(p.add(OFF_AUX) as *mut u16, 0);
            Packed(NonNull::new_unchecked(p))
        }
    }

    /// A buffer holding a copy of `s`, in the smallest class that fits it.
    pub fn from_slice(s: &[u8]) -> Packed {
        let mut p = Self::with_capacity(s.len());
        p.extend_from_slice(s);
        p
    }

    fn layout(idx: u8) -> Layout {
        Layout::from_size_align(class_size(idx), ALIGN).expect("packed layout")
    }

    #[inline]
    fn class(&self) -> u8 {
        // SAFETY: the header is always initialised.
        unsafe { *self.0.as_ptr().add(OFF_CLASS) }
    }

    /// Payload length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        // SAFETY: offset 0 holds the length.
        unsafe { ptr::read(self.0.as_ptr() as *const u32) as usize }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    #[inline]
    fn set_len(&mut self, n: usize) {
        debug_assert!(n <= self.capacity());
        // SAFETY: offset 0 holds the length; n fits the allocation.
        unsafe { ptr::write(self.0.as_ptr() as *mut u32, n as u32) }
    }

    /// Payload bytes the allocation has room for.
    #[inline]
    pub fn capacity(&self) -> usize {
        class_size(self.class()) - HDR
    }

    /// Bytes the allocator holds for this buffer (header included).
    #[inline]
    pub fn alloc_size(&self) -> usize {
        class_size(self.class())
    }

    /// The owner's 16 bits.
    #[inline]
    pub fn aux(&self) -> u16 {
        // SAFETY: offset 6 holds aux.
        unsafe { ptr::read(self.0.as_ptr().add(OFF_AUX) as *const u16) }
    }

    #[inline]
    pub fn set_aux(&mut self, v: u16) {
        // SAFETY: offset 6 holds aux.
        unsafe { ptr::write(self.0.as_ptr().add(OFF_AUX) as *mut u16, v) }
    }

    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: `len` initialised bytes follow the header.
        unsafe { std::slice::from_raw_parts(self.0.as_ptr().add(HDR), self.len()) }
    }

    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as above, and we own the buffer exclusively.
        unsafe { std::slice::from_raw_parts_mut(self.0.as_ptr().add(HDR), self.len()) }
    }

    /// Moves the allocation to size class `idx` (which must hold the content).
    fn set_class(&mut self, idx: u8) {
        let old = self.class();
        if idx == old {
            return;
        }
        debug_assert!(class_size(idx) >= HDR + self.len());
        // SAFETY: realloc of our own allocation with its exact layout; the header
        // and content move with it.
        unsafe {
            let p = realloc(self.0.as_ptr(), Self::layout(old), class_size(idx));
            if p.is_null() {
                handle_alloc_error(Self::layout(idx));
            }
            *p.add(OFF_CLASS) = idx;
            self.0 = NonNull::new_unchecked(p);
        }
    }

    /// Makes room for `extra` more bytes, growing to the size class that fits.
    #[inline]
    pub fn reserve(&mut self, extra: usize) {
        let need = self.len() + extra;
        if need > self.capacity() {
            self.grow(need);
        }
    }

    #[cold]
    fn grow(&mut self, need: usize) {
        assert!(need <= u32::MAX as usize, "packed buffer over 4 GB");
        self.set_class(class_index(HDR + need));
    }

    /// Grows the capacity to at least `cap` bytes (for owners that grow in bigger
    /// steps than one size class, like a list node filling up).
    pub fn reserve_total(&mut self, cap: usize) {
        if cap > self.capacity() {
            self.grow(cap);
        }
    }

    /// Shrinks the allocation to the class of the content.
    pub fn shrink_to_fit(&mut self) {
        self.set_class(class_index(HDR + self.len()));
    }

    /// Shrinks when the content (with the header) fell below half the allocation.
    #[inline]
    fn maybe_shrink(&mut self) {
        if (HDR + self.len()) * 2 < self.alloc_size() {
            self.shrink_to_fit();
        }
    }

    pub fn push(&mut self, b: u8) {
        self.reserve(1);
        let n = self.len();
        // SAFETY: capacity > n after reserve.
        unsafe { *self.0.as_ptr().add(HDR + n) = b };
        self.set_len(n + 1);
    }

    pub fn extend_from_slice(&mut self, s: &[u8]) {
        self.reserve(s.len());
        let n = self.len();
        // SAFETY: room for s.len() bytes after n; `s` cannot alias our buffer
        // (it would need a shared borrow of self while we hold &mut).
        unsafe { ptr::copy_nonoverlapping(s.as_ptr(), self.0.as_ptr().add(HDR + n), s.len()) };
        self.set_len(n + s.len());
    }

    /// Sets the length to `n`, filling new bytes with `v`.
    pub fn resize(&mut self, n: usize, v: u8) {
        let old = self.len();
        if n <= old {
            self.truncate(n);
            return;
        }
        self.reserve(n - old);
        // SAFETY: capacity >= n after reserve.
        unsafe { ptr::write_bytes(self.0.as_ptr().add(HDR + old), v, n - old) };
        self.set_len(n);
    }

    /// Cuts the content to `n` bytes (no-op if shorter), shrinking if worth it.
    pub fn truncate(&mut self, n: usize) {
        if n < self.len() {
            self.set_len(n);
            self.maybe_shrink();
        }
    }

    /// Opens a gap of `n` bytes at `at` (contents of the gap unspecified, to be
    /// overwritten by the caller); bytes from `at` on move up.
    pub fn insert_gap(&mut self, at: usize, n: usize) {
        let old = self.len();
        assert!(at <= old, "gap past the end");
        self.reserve(n);
        // SAFETY: capacity >= old + n; the moved range stays inside it.
        unsafe {
            let base = self.0.as_ptr().add(HDR);
            ptr::copy(base.add(at), base.add(at + n), old - at);
        }
        self.set_len(old + n);
    }

    /// Inserts `s` at `at`.
    pub fn insert_slice(&mut self, at: usize, s: &[u8]) {
        self.insert_gap(at, s.len());
        self.as_mut_slice()[at..at + s.len()].copy_from_slice(s);
    }

    /// Removes the bytes in `r`, shrinking if worth it.
    pub fn remove_range(&mut self, r: Range<usize>) {
        let old = self.len();
        assert!(r.start <= r.end && r.end <= old, "range out of bounds");
        // SAFETY: both ranges are inside the content.
        unsafe {
            let base = self.0.as_ptr().add(HDR);
            ptr::copy(base.add(r.end), base.add(r.start), old - r.end);
        }
        self.set_len(old - (r.end - r.start));
        self.maybe_shrink();
    }

    /// Replaces the bytes in `r` by `s`.
    pub fn splice(&mut self, r: Range<usize>, s: &[u8]) {
        let (start, old_n) = (r.start, r.end - r.start);
        if s.len() > old_n {
            self.insert_gap(r.end, s.len() - old_n);
        } else if s.len() < old_n {
            self.remove_range(start + s.len()..r.end);
        }
        self.as_mut_slice()[start..start + s.len()].copy_from_slice(s);
    }
}

impl Default for Packed {
    fn default() -> Self {
        Packed::new()
    }
}

impl Deref for Packed {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl DerefMut for Packed {
    #[inline]
    fn deref_mut(&mut self) -> &mut [u8] {
        self.as_mut_slice()
    }
}

impl Clone for Packed {
    fn clone(&self) -> Packed {
        let mut p = Packed::from_slice(self.as_slice());
        p.set_aux(self.aux());
        p
    }
}

impl PartialEq for Packed {
    fn eq(&self, other: &Packed) -> bool {
        self.as_slice() == other.as_slice() && self.aux() == other.aux()
    }
}

impl Eq for Packed {}

impl Drop for Packed {
    fn drop(&mut self) {
        // SAFETY: allocated with this class's layout.
        unsafe { dealloc(self.0.as_ptr(), Self::layout(self.class())) }
    }
}

impl std::fmt::Debug for Packed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Packed(len={}, cap={})", self.len(), self.capacity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_index_inverts_size_class() {
        let mut sizes: Vec<usize> = (1..70_000).collect();
        for lg in 17..40 {
            sizes.extend([(1usize << lg) - 1, 1 << lg, (1 << lg) + 1, 3 << (lg - 1)]);
        }
        for s in sizes {
            assert_eq!(class_size(class_index(s)), size_class(s), "size {s}");
        }
    }

    #[test]
    fn one_word_and_capacity_in_class_steps() {
        assert_eq!(std::mem::size_of::<Packed>(), 8);
        assert_eq!(std::mem::size_of::<Option<Packed>>(), 8);
        let mut p = Packed::new();
        assert_eq!(p.alloc_size(), 8);
        let mut last = p.alloc_size();
        for i in 0..5000u32 {
            p.push(i as u8);
            let a = p.alloc_size();
            assert_eq!(a, size_class(a), "always a whole class");
            assert!(a >= HDR + p.len());
            // Grows to the class that fits, never more.
            assert_eq!(a, size_class(HDR + p.len()).max(last));
            last = a;
        }
        // Shrinks once the content falls below half of the allocation.
        let big = p.alloc_size();
        p.truncate(big / 2 - HDR + 1);
        assert_eq!(p.alloc_size(), big);
        p.truncate(100);
        assert_eq!(p.alloc_size(), size_class(HDR + 100));
        assert_eq!(
            p.as_slice(),
            &(0..100u32).map(|i| i as u8).collect::<Vec<_>>()[..]
        );
    }

    #[test]
    fn random_ops_match_a_vec() {
        let mut seed = 0x1234_5678_9abc_def1u64;
        let mut rnd = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _round in 0..20 {
            let mut p = Packed::new();
            let mut v: Vec<u8> = Vec::new();
            for step in 0..2000 {
                let len = v.len();
                match rnd(8) {
                    0 => {
                        let b = rnd(256) as u8;
                        p.push(b);
                        v.push(b);
                    }
                    1 => {
                        let s: Vec<u8> = (0..rnd(40)).map(|_| rnd(256) as u8).collect();
                        p.extend_from_slice(&s);
                        v.extend_from_slice(&s);
                    }
                    2 => {
                        let at = rnd(len + 1);
                        let s: Vec<u8> = (0..rnd(30)).map(|_| rnd(256) as u8).collect();
                        p.insert_slice(at, &s);
                        v.splice(at..at, s);
                    }
                    3 if len > 0 => {
                        let a = rnd(len);
                        let b = a + rnd(len - a + 1);
                        p.remove_range(a..b);
                        v.drain(a..b);
                    }
                    4 if len > 0 => {
                        let a = rnd(len);
                        let b = a + rnd((len - a).min(20) + 1);
                        let s: Vec<u8> = (0..rnd(30)).map(|_| rnd(256) as u8).collect();
                        p.splice(a..b, &s);
                        v.splice(a..b, s);
                    }
                    5 => {
                        let n = rnd(len + 50);
                        p.resize(n, 7);
                        v.resize(n, 7);
                    }
                    6 => {
                        let n = rnd(len + 1);
                        p.truncate(n);
                        v.truncate(n);
                    }
                    _ => {
                        p.set_aux(step as u16);
                        let q = p.clone();
                        assert_eq!(q, p);
                        assert_eq!(q.aux(), step as u16);
                        p = q;
                    }
                }
                assert_eq!(p.as_slice(), &v[..]);
                assert!(p.capacity() >= p.len());
                // Never less than half full, whatever the history.
                assert!(
                    (HDR + p.len()) * 2 >= p.alloc_size(),
                    "{} in {}",
                    p.len(),
                    p.alloc_size()
                );
            }
        }
    }

    #[test]
    fn reserve_total_and_shrink_to_fit() {
        let mut p = Packed::with_capacity(4000);
        assert!(p.capacity() >= 4000);
        p.extend_from_slice(b"abc");
        p.shrink_to_fit();
        assert_eq!(p.alloc_size(), 16);
        p.reserve_total(1000);
        assert!(p.capacity() >= 1000);
        assert_eq!(&p[..], b"abc");
    }
}
