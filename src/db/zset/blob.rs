//! One member of a big sorted set: score and member bytes in a single heap
//! allocation behind a thin pointer, shared by the member table (which owns it)
//! and the ordered tree (which points at it).
//!
//! ```text
//!  0        8                 8+v
//!  +--------+-----------------+--------------+
//!  | score  | varint mlen (v) | member bytes |
//!  | f64 LE |                 |              |
//!  +--------+-----------------+--------------+
//! ```
//!
//! The functions here are the only place that reads or writes the layout; every
//! pointer they take must come from [`new`] and not have been passed to [`free`].

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::ptr::NonNull;

/// A pointer to a member allocation.
pub type Ele = NonNull<u8>;

const SCORE: usize = 8;

#[inline]
fn varint_len(mut v: usize) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

#[inline]
fn layout(size: usize) -> Layout {
    Layout::from_size_align(size, 8).expect("member layout")
}

/// Allocates a member.
pub fn new(member: &[u8], score: f64) -> Ele {
    let size = SCORE + varint_len(member.len()) + member.len();
    let l = layout(size);
    // SAFETY: `size` > 0; every byte is written below.
    unsafe {
        let p = alloc(l);
        if p.is_null() {
            handle_alloc_error(l);
        }
        std::ptr::copy_nonoverlapping(score.to_le_bytes().as_ptr(), p, SCORE);
        let mut v = member.len();
        let mut i = SCORE;
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                *p.add(i) = b;
                i += 1;
                break;
            }
            *p.add(i) = b | 0x80;
            i += 1;
        }
        std::ptr::copy_nonoverlapping(member.as_ptr(), p.add(i), member.len());
        NonNull::new_unchecked(p)
    }
}

/// (offset of the member bytes, member length).
#[inline]
fn dims(e: Ele) -> (usize, usize) {
    let p = e.as_ptr();
    let mut v = 0usize;
    let mut shift = 0;
    let mut i = SCORE;
    loop {
        // SAFETY: the varint was written by `new`.
        let b = unsafe { *p.add(i) };
        v |= ((b & 0x7f) as usize) << shift;
        i += 1;
        if b & 0x80 == 0 {
            return (i, v);
        }
        shift += 7;
    }
}

/// The member bytes. The caller picks a lifetime no longer than the owner's.
#[inline]
pub fn member<'a>(e: Ele) -> &'a [u8] {
    let (off, len) = dims(e);
    // SAFETY: the bytes follow the header inside the live allocation.
    unsafe { std::slice::from_raw_parts(e.as_ptr().add(off), len) }
}

#[inline]
pub fn score(e: Ele) -> f64 {
    let mut b = [0u8; 8];
    // SAFETY: the first 8 bytes of the allocation are the score.
    unsafe { std::ptr::copy_nonoverlapping(e.as_ptr(), b.as_mut_ptr(), SCORE) };
    f64::from_le_bytes(b)
}

#[inline]
pub fn set_score(e: Ele, s: f64) {
    // SAFETY: as in `score`; the owner holds the set mutably.
    unsafe { std::ptr::copy_nonoverlapping(s.to_le_bytes().as_ptr(), e.as_ptr(), SCORE) };
}

/// Bytes requested for the allocation.
#[inline]
pub fn size(e: Ele) -> usize {
    let (off, len) = dims(e);
    off + len
}

/// Frees a member.
pub fn free(e: Ele) {
    let size = size(e);
    // SAFETY: allocated by `new` with this layout; never used again.
    unsafe { dealloc(e.as_ptr(), layout(size)) }
}
