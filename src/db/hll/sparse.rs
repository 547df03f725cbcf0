//! The sparse HLL encoding: a run-length sequence of opcodes after the header.
//!
//! ```text
//!  ZERO   00xxxxxx             xxxxxx+1 (1..64) registers at zero
//!  XZERO  01xxxxxx yyyyyyyy    xxxxxxyyyyyyyy+1 (1..16384) registers at zero
//!  VAL    1vvvvvxx             xx+1 (1..4) registers at value vvvvv+1 (1..32)
//! ```
//!
//! Corrupted buffers evolve as in Redis, down to the byte after the end: an
//! `XZERO` that starts on the last byte takes its second byte from there. In
//! Redis that is the sds buffer's terminator slot, a zero, except right after
//! a split of such a truncated `XZERO`: the new opcodes are then copied one
//! byte past the new length, over the terminator, and later reads find that
//! byte. The functions here take that byte (`after`) as an argument and
//! [`sparse_set`] updates it, so one command (a PFADD of many elements, a
//! PFMERGE) sees what Redis sees; between commands it is not kept (a stored
//! value has a zero after it), which is the one known difference.

use super::{dense_put, invalidate_cache, Corrupt, DENSE, DENSE_SIZE, HDR_SIZE, REGISTERS};

const XZERO_BIT: u8 = 0x40;
const VAL_BIT: u8 = 0x80;
const VAL_MAX_VALUE: u8 = 32;
const VAL_MAX_LEN: usize = 4;
const ZERO_MAX_LEN: usize = 64;
const XZERO_MAX_LEN: usize = 16384;

#[inline]
fn is_zero(b: u8) -> bool {
    b & 0xc0 == 0
}
#[inline]
fn is_xzero(b: u8) -> bool {
    b & 0xc0 == XZERO_BIT
}
#[inline]
fn is_val(b: u8) -> bool {
    b & VAL_BIT != 0
}
#[inline]
fn zero_len(b: u8) -> usize {
    (b & 0x3f) as usize + 1
}
#[inline]
fn xzero_len(b0: u8, b1: u8) -> usize {
    (((b0 & 0x3f) as usize) << 8 | b1 as usize) + 1
}
#[inline]
fn val_value(b: u8) -> u8 {
    ((b >> 2) & 0x1f) + 1
}
#[inline]
fn val_len(b: u8) -> usize {
    (b & 0x3) as usize + 1
}
#[inline]
fn val_op(value: u8, len: usize) -> u8 {
    ((value - 1) << 2 | (len - 1) as u8) | VAL_BIT
}

/// The byte at `i`, or `after` just past the end.
#[inline]
fn at(s: &[u8], i: usize, after: u8) -> u8 {
    s.get(i).copied().unwrap_or(after)
}

/// The opcodes that replace a split one: 5 bytes at most (XZERO VAL XZERO).
#[derive(Default)]
struct Seq {
    b: [u8; 5],
    n: usize,
}

impl Seq {
    fn push(&mut self, b: u8) {
        self.b[self.n] = b;
        self.n += 1;
    }

    /// The shortest zero run opcode for `len` (1..=16384) registers.
    fn zeros(&mut self, len: usize) {
        let l = len - 1;
        if len > ZERO_MAX_LEN {
            self.push((l >> 8) as u8 | XZERO_BIT);
            self.push((l & 0xff) as u8);
        } else {
            self.push(l as u8);
        }
    }
}

/// Appends an `XZERO` opcode for `len` (1..=16384) registers.
pub(super) fn push_xzero(s: &mut Vec<u8>, len: usize) {
    debug_assert!((1..=XZERO_MAX_LEN).contains(&len));
    let l = len - 1;
    s.push((l >> 8) as u8 | XZERO_BIT);
    s.push((l & 0xff) as u8);
}

/// One decoded opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Zero(usize),
    XZero(usize),
    Val(u8, usize),
}

/// The opcodes of a sparse HLL's bytes, in order (`after` is the byte past
/// the end).
fn ops(s: &[u8], after: u8) -> impl Iterator<Item = Op> + '_ {
    let mut p = HDR_SIZE;
    std::iter::from_fn(move || {
        let b = *s.get(p)?;
        Some(if is_zero(b) {
            p += 1;
            Op::Zero(zero_len(b))
        } else if is_xzero(b) {
            let len = xzero_len(b, at(s, p + 1, after));
            p += 2;
            Op::XZero(len)
        } else {
            p += 1;
            Op::Val(val_value(b), val_len(b))
        })
    })
}

/// Visits each register a `VAL` run sets (index, value); Ok if the runs
/// cover exactly 16384 registers. A `VAL` run past the last register is an
/// error at once, even after exactly 16384: redis-server 7.0.15 as shipped
/// (with the fix for CVE-2025-32023) rejects it, where the 7.0.15 sources
/// stopped there and accepted the HLL.
fn for_each_val(s: &[u8], after: u8, mut f: impl FnMut(usize, u8)) -> Result<(), Corrupt> {
    let mut idx = 0usize;
    for op in ops(s, after) {
        match op {
            Op::Zero(n) | Op::XZero(n) => idx += n,
            Op::Val(v, n) => {
                if idx + n > REGISTERS {
                    return Err(Corrupt);
                }
                for i in idx..idx + n {
                    f(i, v);
                }
                idx += n;
            }
        }
    }
    if idx == REGISTERS {
        Ok(())
    } else {
        Err(Corrupt)
    }
}

/// Redis's hllSparseToDense: the dense HLL with the same registers and the
/// same header (the cached cardinality included).
pub fn sparse_to_dense(s: &[u8], after: u8) -> Result<Vec<u8>, Corrupt> {
    let mut d = vec![0u8; DENSE_SIZE];
    d[..HDR_SIZE].copy_from_slice(&s[..HDR_SIZE]);
    d[4] = DENSE;
    let regs = &mut d[HDR_SIZE..];
    for_each_val(s, after, |i, v| dense_put(regs, i, v))?;
    Ok(d)
}

/// Redis's hllMerge for a sparse source.
pub(super) fn merge(max: &mut [u8; REGISTERS], s: &[u8]) -> Result<(), Corrupt> {
    for_each_val(s, 0, |i, v| {
        if v > max[i] {
            max[i] = v;
        }
    })
}

/// Redis's hllSparseRegHisto: every run counts (no early stop), and the total
/// must be 16384.
pub(super) fn histo(s: &[u8], histo: &mut [u64; 64]) -> Result<(), Corrupt> {
    let mut idx = 0usize;
    for op in ops(s, 0) {
        match op {
            Op::Zero(n) | Op::XZero(n) => {
                idx += n;
                histo[0] += n as u64;
            }
            Op::Val(v, n) => {
                idx += n;
                histo[v as usize] += n as u64;
            }
        }
    }
    if idx == REGISTERS {
        Ok(())
    } else {
        Err(Corrupt)
    }
}

/// PFDEBUG DECODE's text: `z:N` (ZERO), `Z:N` (XZERO), `v:value,len`,
/// separated by spaces.
pub fn decode(s: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for op in ops(s, 0) {
        let _ = match op {
            Op::Zero(n) => write!(out, "z:{n} "),
            Op::XZero(n) => write!(out, "Z:{n} "),
            Op::Val(v, n) => write!(out, "v:{v},{n} "),
        };
    }
    out.truncate(out.trim_end_matches(' ').len());
    out
}

/// Redis's hllSparseSet: raises register `index` to `count` in a sparse HLL.
/// Ok(false) if it already held as much; Ok(true) after a change (in place,
/// or by splitting a run, or by turning dense when `count` is above 32 or the
/// split would grow the string past `sparse_max` bytes). Err for corrupted
/// registers (nothing changed). `after` is the byte past the end (see the
/// module's header), read and updated.
pub fn sparse_set(
    s: &mut Vec<u8>,
    after: &mut u8,
    index: usize,
    count: u8,
    sparse_max: u64,
) -> Result<bool, Corrupt> {
    if count > VAL_MAX_VALUE {
        return promote(s, *after, index, count);
    }
    // Redis makes room for the worst case (3 more bytes) up front.
    crate::db::entry::reserve_string(s, s.len() + 3);
    // Step 1: find the opcode covering `index`.
    let end = s.len();
    let mut p = HDR_SIZE;
    let mut first = 0usize;
    let mut prev = None;
    let mut span = 0usize;
    let mut oplen;
    while p < end {
        let b = s[p];
        oplen = 1;
        span = if is_zero(b) {
            zero_len(b)
        } else if is_val(b) {
            val_len(b)
        } else {
            oplen = 2;
            xzero_len(b, at(s, p + 1, *after))
        };
        if index < first + span {
            break;
        }
        prev = Some(p);
        p += oplen;
        first += span;
    }
    if span == 0 || p >= end {
        return Err(Corrupt);
    }
    let b = s[p];
    // Step 2: the trivial in-place updates.
    if is_val(b) {
        if val_value(b) >= count {
            return Ok(false);
        }
        if span == 1 {
            s[p] = val_op(count, 1);
            merge_adjacent(s, after, prev.unwrap_or(HDR_SIZE));
            return Ok(true);
        }
    }
    if is_zero(b) && span == 1 {
        s[p] = val_op(count, 1);
        merge_adjacent(s, after, prev.unwrap_or(HDR_SIZE));
        return Ok(true);
    }
    // The general case: split the run into (before, our register, after),
    // 5 bytes at most (XZERO VAL XZERO).
    let last = first + span - 1;
    let mut seq = Seq::default();
    if is_val(b) {
        let cur = val_value(b);
        if index != first {
            seq.push(val_op(cur, index - first));
        }
        seq.push(val_op(count, 1));
        if index != last {
            seq.push(val_op(cur, last - index));
        }
    } else {
        if index != first {
            seq.zeros(index - first);
        }
        seq.push(val_op(count, 1));
        if index != last {
            seq.zeros(last - index);
        }
    }
    let seq = &seq.b[..seq.n];
    // Step 3: put the sequence in place of the opcode.
    let oldlen = if is_xzero(b) { 2 } else { 1 };
    let newlen = end + seq.len() - oldlen;
    if seq.len() > oldlen && newlen as u64 > sparse_max {
        return promote(s, *after, index, count);
    }
    // An XZERO on the last byte took its second byte from past the end:
    // Redis's copy then ends one byte past the new length, and that byte
    // stays there, past the end.
    s.splice(p..(p + oldlen).min(end), seq.iter().copied());
    *after = if s.len() > newlen { s[newlen] } else { 0 };
    s.truncate(newlen);
    merge_adjacent(s, after, prev.unwrap_or(HDR_SIZE));
    Ok(true)
}

/// Step 4 of hllSparseSet: from `p` (the opcode before the changed one),
/// merges adjacent `VAL` runs of one value while they fit one opcode, looking
/// at 5 opcodes at most; then invalidates the cached cardinality.
fn merge_adjacent(s: &mut Vec<u8>, after: &mut u8, mut p: usize) {
    let mut scan = 5;
    while p < s.len() && scan > 0 {
        scan -= 1;
        let b = s[p];
        if is_xzero(b) {
            p += 2;
            continue;
        }
        if is_zero(b) {
            p += 1;
            continue;
        }
        if p + 1 < s.len() && is_val(s[p + 1]) {
            let v = val_value(b);
            let len = val_len(b) + val_len(s[p + 1]);
            if v == val_value(s[p + 1]) && len <= VAL_MAX_LEN {
                s[p + 1] = val_op(v, len);
                s.remove(p);
                // Shrinking the string writes a terminator past it.
                *after = 0;
                // Try the merged run against the one on its right too.
                continue;
            }
        }
        p += 1;
    }
    invalidate_cache(s);
}

/// Turns the HLL dense and sets the register there (it is lower than `count`,
/// else no promotion would be needed).
fn promote(s: &mut Vec<u8>, after: u8, index: usize, count: u8) -> Result<bool, Corrupt> {
    *s = sparse_to_dense(s, after)?;
    super::dense_set(&mut s[HDR_SIZE..], index, count);
    Ok(true)
}
