//! One listpack: Redis's packed sequence of strings and integers in one byte
//! buffer, byte for byte the format Redis 7.0 keeps in a quicklist node (and
//! writes to RDB), so a node can later be saved or loaded without re-encoding.
//!
//! ```text
//!  0          4        6                                         len-1
//!  +----------+--------+-------------+-------------+-----+------+
//!  | total    | count  | entry       | entry       | ... | 0xFF |
//!  | u32 LE   | u16 LE |             |             |     | end  |
//!  +----------+--------+-------------+-------------+-----+------+
//!
//!  entry = encoding [data] backlen
//!    0xxxxxxx                    7-bit unsigned int (0..=127)
//!    10LLLLLL                    string, length < 64
//!    110xxxxx yyyyyyyy           13-bit signed int
//!    1110LLLL LLLLLLLL           string, length < 4096
//!    11110000 <u32 LE length>    string
//!    11110001 <i16 LE>           11110010 <i24 LE>
//!    11110011 <i32 LE>           11110100 <i64 LE>
//!    backlen: length of encoding+data in 1..=5 bytes, 7 bits each, read
//!             right to left; the high bit marks "more bytes to the left".
//! ```
//!
//! A string is stored as an integer when it is a canonical decimal `i64`
//! (Redis's `string2ll`), so the text of every element round-trips exactly.
//! A count of 65535 means "unknown" (Redis never lets a node get there; we
//! count by walking if it ever happens).

use bytes::Bytes;

use crate::db::packed::Packed;
use crate::util::number::{format_i64, parse_i64, I64_BUF};

pub const HDR: usize = 6;
const EOF: u8 = 0xFF;
const COUNT_UNKNOWN: u16 = u16::MAX;
/// Bytes of an empty listpack (header and end byte).
pub const EMPTY_SIZE: usize = HDR + 1;
/// Below this capacity a node grows one allocator size class at a time.
const SMALL_NODE: usize = 512;

const ENC_13BIT_INT: u8 = 0xC0;
const ENC_12BIT_STR: u8 = 0xE0;
const ENC_32BIT_STR: u8 = 0xF0;
const ENC_16BIT_INT: u8 = 0xF1;
const ENC_24BIT_INT: u8 = 0xF2;
const ENC_32BIT_INT: u8 = 0xF3;
const ENC_64BIT_INT: u8 = 0xF4;

/// One element as stored: a string or an integer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Elem<'_> {
    /// The element's text as an owned buffer.
    pub fn to_bytes(self) -> Bytes {
        match self {
            Elem::Str(s) => Bytes::copy_from_slice(s),
            Elem::Int(v) => Bytes::copy_from_slice(format_i64(v, &mut [0u8; I64_BUF])),
        }
    }
}

/// A value to look for, pre-parsed so comparing with integer entries is cheap
/// (Redis's `lpCompare`).
pub struct Needle<'a> {
    bytes: &'a [u8],
    int: Option<i64>,
}

impl<'a> Needle<'a> {
    pub fn new(bytes: &'a [u8]) -> Needle<'a> {
        Needle {
            bytes,
            int: parse_i64(bytes),
        }
    }

    #[inline]
    pub fn matches(&self, e: Elem<'_>) -> bool {
        match e {
            Elem::Int(v) => self.int == Some(v),
            Elem::Str(s) => s == self.bytes,
        }
    }
}

/// How an element will be encoded.
enum Enc<'a> {
    Int(i64),
    Str(&'a [u8]),
}

fn classify(elem: &[u8]) -> Enc<'_> {
    match parse_i64(elem) {
        Some(v) => Enc::Int(v),
        None => Enc::Str(elem),
    }
}

fn enc_len(e: &Enc<'_>) -> usize {
    match *e {
        Enc::Int(v) => match v {
            0..=127 => 1,
            -4096..=4095 => 2,
            -32768..=32767 => 3,
            -8_388_608..=8_388_607 => 4,
            _ if i32::try_from(v).is_ok() => 5,
            _ => 9,
        },
        Enc::Str(s) => match s.len() {
            0..=63 => 1 + s.len(),
            64..=4095 => 2 + s.len(),
            _ => 5 + s.len(),
        },
    }
}

fn backlen_size(l: usize) -> usize {
    match l {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    }
}

/// Bytes an element takes in a listpack (encoding, data and backlen).
pub fn entry_size(elem: &[u8]) -> usize {
    let l = enc_len(&classify(elem));
    l + backlen_size(l)
}

/// Writes the entry for `e` into `out` (which has exactly its size).
fn write_entry(e: &Enc<'_>, out: &mut [u8]) {
    let l = enc_len(e);
    match *e {
        Enc::Int(v) => match l {
            1 => out[0] = v as u8,
            2 => {
                let u = (v as u16) & 0x1fff;
                out[0] = ENC_13BIT_INT | (u >> 8) as u8;
                out[1] = u as u8;
            }
            3 => {
                out[0] = ENC_16BIT_INT;
                out[1..3].copy_from_slice(&(v as i16).to_le_bytes());
            }
            4 => {
                out[0] = ENC_24BIT_INT;
                out[1..4].copy_from_slice(&(v as i32).to_le_bytes()[..3]);
            }
            5 => {
                out[0] = ENC_32BIT_INT;
                out[1..5].copy_from_slice(&(v as i32).to_le_bytes());
            }
            _ => {
                out[0] = ENC_64BIT_INT;
                out[1..9].copy_from_slice(&v.to_le_bytes());
            }
        },
        Enc::Str(s) => {
            let n = s.len();
            let h = match n {
                0..=63 => {
                    out[0] = 0x80 | n as u8;
                    1
                }
                64..=4095 => {
                    out[0] = ENC_12BIT_STR | (n >> 8) as u8;
                    out[1] = n as u8;
                    2
                }
                _ => {
                    out[0] = ENC_32BIT_STR;
                    out[1..5].copy_from_slice(&(n as u32).to_le_bytes());
                    5
                }
            };
            out[h..h + n].copy_from_slice(s);
        }
    }
    write_backlen(l, &mut out[l..]);
}

/// backlen: most significant 7-bit group first; every byte but the leftmost
/// carries the continuation bit.
fn write_backlen(l: usize, out: &mut [u8]) {
    let bl = backlen_size(l);
    for (i, o) in out[..bl].iter_mut().enumerate() {
        let shift = 7 * (bl - 1 - i);
        let mut b = ((l >> shift) & 127) as u8;
        if i > 0 {
            b |= 128;
        }
        *o = b;
    }
}

/// A listpack in its own [`Packed`] buffer (whose `aux` bits belong to the
/// owner: a one-node list keeps its fill there).
#[derive(Clone)]
pub struct Listpack {
    buf: Packed,
}

impl PartialEq for Listpack {
    fn eq(&self, other: &Listpack) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Listpack {}

impl Default for Listpack {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Listpack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Listpack {
    pub fn new() -> Listpack {
        Self::with_capacity(EMPTY_SIZE)
    }

    pub fn with_capacity(cap: usize) -> Listpack {
        let mut buf = Packed::with_capacity(cap.max(EMPTY_SIZE));
        buf.extend_from_slice(&[EMPTY_SIZE as u8, 0, 0, 0, 0, 0, EOF]);
        Listpack { buf }
    }

    /// Wraps raw listpack bytes (e.g. from an RDB file) after a structural check.
    pub fn from_bytes(buf: Vec<u8>) -> Option<Listpack> {
        let lp = Listpack {
            buf: Packed::from_slice(&buf),
        };
        lp.validate().then_some(lp)
    }

    /// The raw bytes, exactly as Redis would store them.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Total bytes (Redis's `lpBytes`).
    #[inline]
    pub fn bytes(&self) -> usize {
        self.buf.len()
    }

    /// Heap bytes the allocator holds for this node.
    pub fn capacity(&self) -> usize {
        self.buf.alloc_size()
    }

    /// The owner's 16 bits kept with the buffer.
    #[inline]
    pub fn aux(&self) -> u16 {
        self.buf.aux()
    }

    #[inline]
    pub fn set_aux(&mut self, v: u16) {
        self.buf.set_aux(v)
    }

    /// Makes room for `extra` more bytes: one size class at a time while the
    /// node is small (a short list keeps no slack), doubling once it is bigger
    /// (amortised O(1) pushes) but never past `max` unless the bytes themselves
    /// need it, so a full node does not carry a half-empty buffer.
    pub fn reserve(&mut self, extra: usize, max: usize) {
        let need = self.buf.len() + extra;
        let cap = self.buf.capacity();
        if need > cap {
            let target = if cap < SMALL_NODE {
                need
            } else {
                (cap * 2).min(max).max(need)
            };
            self.buf.reserve_total(target);
        }
    }

    /// Drops spare capacity when it is worth a reallocation (a node that will not
    /// grow any more).
    pub fn shrink(&mut self) {
        if self.buf.capacity() - self.buf.len() > self.buf.len() / 16 {
            self.buf.shrink_to_fit();
        }
    }

    #[inline]
    pub fn len(&self) -> usize {
        let n = u16::from_le_bytes([self.buf[4], self.buf[5]]);
        if n != COUNT_UNKNOWN {
            n as usize
        } else {
            self.iter().count()
        }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf.len() == EMPTY_SIZE
    }

    fn set_header(&mut self, count: usize) {
        let total = self.buf.len() as u32;
        self.buf[0..4].copy_from_slice(&total.to_le_bytes());
        let c = if count >= COUNT_UNKNOWN as usize {
            COUNT_UNKNOWN
        } else {
            count as u16
        };
        self.buf[4..6].copy_from_slice(&c.to_le_bytes());
    }

    /// Offset of the end byte (where an appended entry goes).
    #[inline]
    pub fn end(&self) -> usize {
        self.buf.len() - 1
    }

    /// Offset of the first entry (equal to `end()` when empty).
    #[inline]
    pub fn first(&self) -> usize {
        HDR
    }

    /// Offset of the last entry, if any.
    pub fn last(&self) -> Option<usize> {
        self.prev(self.end())
    }

    /// Size of the encoding plus data of the entry at `p`.
    fn enc_data_len(&self, p: usize) -> usize {
        let b = self.buf.as_slice();
        let e = b[p];
        if e & 0x80 == 0 {
            1
        } else if e & 0xC0 == 0x80 {
            1 + (e & 0x3f) as usize
        } else if e & 0xE0 == ENC_13BIT_INT {
            2
        } else if e & 0xF0 == ENC_12BIT_STR {
            2 + (((e & 0x0f) as usize) << 8 | b[p + 1] as usize)
        } else {
            match e {
                ENC_32BIT_STR => {
                    5 + u32::from_le_bytes([b[p + 1], b[p + 2], b[p + 3], b[p + 4]]) as usize
                }
                ENC_16BIT_INT => 3,
                ENC_24BIT_INT => 4,
                ENC_32BIT_INT => 5,
                ENC_64BIT_INT => 9,
                _ => panic!("listpack: bad encoding byte {e:#x}"),
            }
        }
    }

    /// Total size of the entry at `p` (encoding, data, backlen).
    #[inline]
    pub fn entry_len(&self, p: usize) -> usize {
        let l = self.enc_data_len(p);
        l + backlen_size(l)
    }

    /// Offset after the entry at `p` (`end()` after the last one).
    #[inline]
    pub fn next(&self, p: usize) -> usize {
        p + self.entry_len(p)
    }

    /// Offset of the entry before `p` (`p` may be `end()`), None at the first.
    pub fn prev(&self, p: usize) -> Option<usize> {
        if p <= HDR {
            return None;
        }
        let mut q = p - 1;
        let mut l = 0usize;
        let mut shift = 0;
        loop {
            let b = self.buf[q];
            l |= ((b & 127) as usize) << shift;
            if b & 128 == 0 {
                break;
            }
            shift += 7;
            q -= 1;
        }
        Some(p - backlen_size(l) - l)
    }

    /// The element at `p` and the offset of the entry after it (one decode, for
    /// forward iteration). Small integers and strings under 64 bytes, the
    /// entries of most lists, are decoded in place.
    #[inline]
    pub fn get_and_next(&self, p: usize) -> (Elem<'_>, usize) {
        let b = self.buf.as_slice();
        let enc = b[p];
        if enc & 0x80 == 0 {
            // 7-bit integer: encoding byte, backlen 1.
            return (Elem::Int(enc as i64), p + 2);
        }
        if enc & 0xC0 == 0x80 {
            // 6-bit string: encoding byte, data, backlen 1 (1 + 63 < 128).
            let n = (enc & 0x3f) as usize;
            return (Elem::Str(&b[p + 1..p + 1 + n]), p + n + 2);
        }
        let e = self.get(p);
        let l = match e {
            Elem::Str(s) => s.as_ptr() as usize + s.len() - (self.buf.as_ptr() as usize + p),
            Elem::Int(_) => self.enc_data_len(p),
        };
        (e, p + l + backlen_size(l))
    }

    /// The element at `p`.
    #[inline]
    pub fn get(&self, p: usize) -> Elem<'_> {
        let b = self.buf.as_slice();
        let e = b[p];
        if e & 0x80 == 0 {
            Elem::Int(e as i64)
        } else if e & 0xC0 == 0x80 {
            let n = (e & 0x3f) as usize;
            Elem::Str(&b[p + 1..p + 1 + n])
        } else if e & 0xE0 == ENC_13BIT_INT {
            let u = ((e & 0x1f) as i64) << 8 | b[p + 1] as i64;
            Elem::Int(if u >= 1 << 12 { u - (1 << 13) } else { u })
        } else if e & 0xF0 == ENC_12BIT_STR {
            let n = ((e & 0x0f) as usize) << 8 | b[p + 1] as usize;
            Elem::Str(&b[p + 2..p + 2 + n])
        } else {
            match e {
                ENC_32BIT_STR => {
                    let n = u32::from_le_bytes([b[p + 1], b[p + 2], b[p + 3], b[p + 4]]) as usize;
                    Elem::Str(&b[p + 5..p + 5 + n])
                }
                ENC_16BIT_INT => Elem::Int(i16::from_le_bytes([b[p + 1], b[p + 2]]) as i64),
                ENC_24BIT_INT => {
                    let v = i32::from_le_bytes([0, b[p + 1], b[p + 2], b[p + 3]]) >> 8;
                    Elem::Int(v as i64)
                }
                ENC_32BIT_INT => {
                    Elem::Int(i32::from_le_bytes([b[p + 1], b[p + 2], b[p + 3], b[p + 4]]) as i64)
                }
                ENC_64BIT_INT => {
                    let mut a = [0u8; 8];
                    a.copy_from_slice(&b[p + 1..p + 9]);
                    Elem::Int(i64::from_le_bytes(a))
                }
                _ => panic!("listpack: bad encoding byte {e:#x}"),
            }
        }
    }

    /// Calls `f` on up to `n` elements from the entry at `p` towards the end;
    /// returns how many it visited. The loop behind replies of list ranges.
    #[inline]
    pub fn visit_from<'a>(&'a self, mut p: usize, n: usize, f: &mut impl FnMut(Elem<'a>)) -> usize {
        let end = self.end();
        let mut k = 0;
        while k < n && p < end {
            let (e, next) = self.get_and_next(p);
            f(e);
            p = next;
            k += 1;
        }
        k
    }

    /// Offset of element `index` (negative counts from the end), if in range.
    pub fn seek(&self, index: i64) -> Option<usize> {
        let n = self.len() as i64;
        let i = if index < 0 { n + index } else { index };
        if i < 0 || i >= n {
            return None;
        }
        if i < n / 2 {
            let mut p = self.first();
            for _ in 0..i {
                p = self.next(p);
            }
            Some(p)
        } else {
            let mut p = self.end();
            for _ in i..n {
                p = self.prev(p)?;
            }
            Some(p)
        }
    }

    /// Opens a gap of `n` bytes at `at`, growing the buffer amortised.
    fn open_gap(&mut self, at: usize, n: usize) {
        self.buf.insert_gap(at, n);
    }

    /// Inserts `elem` before the entry at `p` (`end()` appends).
    pub fn insert(&mut self, p: usize, elem: &[u8]) {
        let count = self.len();
        let e = classify(elem);
        let l = enc_len(&e);
        let size = l + backlen_size(l);
        self.open_gap(p, size);
        write_entry(&e, &mut self.buf[p..p + size]);
        self.set_header(count + 1);
    }

    pub fn push_back(&mut self, elem: &[u8]) {
        self.insert(self.end(), elem);
    }

    pub fn push_front(&mut self, elem: &[u8]) {
        self.insert(HDR, elem);
    }

    /// Removes the entry at `p`; the following entry (or the end) is then at `p`.
    pub fn delete(&mut self, p: usize) {
        let count = self.len();
        let n = self.entry_len(p);
        self.buf.remove_range(p..p + n);
        self.set_header(count - 1);
    }

    /// Removes `n` entries starting at element `index` (clamped to the end).
    pub fn delete_range(&mut self, index: usize, n: usize) {
        let count = self.len();
        let Some(start) = self.seek(index as i64) else {
            return;
        };
        let mut p = start;
        let mut removed = 0;
        while removed < n && p < self.end() {
            p = self.next(p);
            removed += 1;
        }
        self.buf.remove_range(start..p);
        self.set_header(count - removed);
    }

    /// Replaces the entry at `p` with `elem`.
    pub fn replace(&mut self, p: usize, elem: &[u8]) {
        let count = self.len();
        let old = self.entry_len(p);
        let e = classify(elem);
        let l = enc_len(&e);
        let size = l + backlen_size(l);
        if size > old {
            self.open_gap(p + old, size - old);
        } else if size < old {
            self.buf.remove_range(p + size..p + old);
        }
        write_entry(&e, &mut self.buf[p..p + size]);
        self.set_header(count);
    }

    /// Splits at element `index`: entries from `index` on move to the returned
    /// listpack.
    pub fn split_off(&mut self, index: usize) -> Listpack {
        let count = self.len();
        let at = self.seek(index as i64).unwrap_or(self.end());
        let end = self.end();
        let mut other = Listpack::with_capacity(EMPTY_SIZE + end - at);
        other.buf.truncate(HDR);
        other.buf.extend_from_slice(&self.buf[at..]);
        other.set_header(count - index.min(count));
        self.buf.truncate(at);
        self.buf.push(EOF);
        self.set_header(index.min(count));
        other
    }

    /// Appends every entry of `other` (entries are self-contained, so they are
    /// copied as they are).
    pub fn append(&mut self, other: &Listpack) {
        let count = self.len() + other.len();
        let at = self.end();
        self.buf.truncate(at);
        self.buf.extend_from_slice(&other.buf[HDR..]);
        self.set_header(count);
    }

    /// Deletes matches of `needle`: skips the first `skip` matches, then deletes
    /// up to `limit` of them, in one compacting pass. Returns how many went.
    pub fn remove_matches(&mut self, needle: &Needle<'_>, mut skip: usize, limit: usize) -> usize {
        let count = self.len();
        let end = self.end();
        let (mut r, mut w, mut removed) = (HDR, HDR, 0);
        while r < end {
            let n = self.entry_len(r);
            let del = removed < limit && needle.matches(self.get(r)) && {
                if skip > 0 {
                    skip -= 1;
                    false
                } else {
                    true
                }
            };
            if del {
                removed += 1;
            } else {
                if w != r {
                    self.buf.copy_within(r..r + n, w);
                }
                w += n;
            }
            r += n;
        }
        if removed > 0 {
            self.buf.copy_within(end..end + 1, w);
            self.buf.truncate(w + 1);
            self.set_header(count - removed);
        }
        removed
    }

    /// Matches of `needle` in this listpack.
    pub fn count_matches(&self, needle: &Needle<'_>) -> usize {
        self.iter().filter(|e| needle.matches(*e)).count()
    }

    /// Elements front to back.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            lp: self,
            p: HDR,
            end: self.end(),
        }
    }

    /// Checks the structure: header, every entry inside the buffer, backlens
    /// consistent, end byte last.
    pub fn validate(&self) -> bool {
        let b = self.buf.as_slice();
        if b.len() < EMPTY_SIZE || b.len() > u32::MAX as usize {
            return false;
        }
        if u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize != b.len() {
            return false;
        }
        if b[b.len() - 1] != EOF {
            return false;
        }
        let end = b.len() - 1;
        let (mut p, mut n) = (HDR, 0usize);
        while p < end {
            let e = b[p];
            if e == EOF || (e > ENC_64BIT_INT && e & 0xF0 == 0xF0) {
                return false;
            }
            let need = match e {
                _ if e & 0xF0 == ENC_12BIT_STR || e & 0xE0 == ENC_13BIT_INT => 2,
                ENC_32BIT_STR => 5,
                _ => 1,
            };
            if p + need > end {
                return false;
            }
            let l = self.enc_data_len(p);
            let size = l + backlen_size(l);
            if p + size > end {
                return false;
            }
            let mut bl = [0u8; 5];
            write_backlen(l, &mut bl);
            if b[p + l..p + size] != bl[..size - l] {
                return false;
            }
            p += size;
            n += 1;
        }
        let hc = u16::from_le_bytes([b[4], b[5]]);
        p == end && (hc == COUNT_UNKNOWN || hc as usize == n)
    }
}

/// Forward iterator over a listpack's elements.
pub struct Iter<'a> {
    lp: &'a Listpack,
    p: usize,
    end: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Elem<'a>;

    fn next(&mut self) -> Option<Elem<'a>> {
        if self.p >= self.end {
            return None;
        }
        let e = self.lp.get(self.p);
        self.p = self.lp.next(self.p);
        Some(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lp: &Listpack) -> Vec<Vec<u8>> {
        lp.iter().map(|e| e.to_bytes().to_vec()).collect()
    }

    #[test]
    fn encodings_are_redis_bytes() {
        let mut lp = Listpack::new();
        assert_eq!(lp.as_bytes(), &[7, 0, 0, 0, 0, 0, 0xFF]);
        lp.push_back(b"a");
        lp.push_back(b"5");
        lp.push_back(b"-1");
        lp.push_back(b"1000");
        // 0x81 'a' backlen 2 | 0x05 backlen 1 | 13-bit -1 = 0xDF 0xFF backlen 2
        // | 13-bit 1000 = 0xC3 0xE8 backlen 2
        assert_eq!(
            lp.as_bytes(),
            &[18, 0, 0, 0, 4, 0, 0x81, b'a', 2, 0x05, 1, 0xDF, 0xFF, 2, 0xC3, 0xE8, 2, 0xFF][..]
        );
        assert!(lp.validate());
    }

    #[test]
    fn round_trips_every_encoding() {
        let samples: Vec<Vec<u8>> = [
            "0",
            "127",
            "128",
            "-4096",
            "4095",
            "-4097",
            "32767",
            "-32768",
            "32768",
            "8388607",
            "-8388608",
            "8388608",
            "2147483647",
            "-2147483648",
            "2147483648",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036854775808",
            "007",
            "-0",
            "",
            "hello",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .chain([
            vec![b'x'; 63],
            vec![b'y'; 64],
            vec![b'z'; 4095],
            vec![b'w'; 4096],
        ])
        .chain([vec![b'v'; 20000], vec![b'u'; 3_000_000]])
        .collect();
        let mut lp = Listpack::new();
        for s in &samples {
            lp.push_back(s);
            assert_eq!(lp.bytes() - EMPTY_SIZE, {
                let mut t = 0;
                for x in lp.iter() {
                    t += entry_size(&x.to_bytes());
                }
                t
            });
        }
        assert!(lp.validate());
        assert_eq!(texts(&lp), samples);
        // Backwards walk agrees.
        let mut back = Vec::new();
        let mut p = lp.end();
        while let Some(q) = lp.prev(p) {
            back.push(lp.get(q).to_bytes().to_vec());
            p = q;
        }
        back.reverse();
        assert_eq!(back, samples);
        assert_eq!(lp.len(), samples.len());
        for (i, s) in samples.iter().enumerate() {
            let p = lp.seek(i as i64).unwrap();
            assert_eq!(&lp.get(p).to_bytes()[..], &s[..]);
            let q = lp.seek(i as i64 - samples.len() as i64).unwrap();
            assert_eq!(p, q);
        }
        assert!(lp.seek(samples.len() as i64).is_none());
    }

    #[test]
    fn insert_delete_replace_split_append() {
        let mut lp = Listpack::new();
        for i in 0..10 {
            lp.push_back(format!("e{i}").as_bytes());
        }
        lp.push_front(b"first");
        let p = lp.seek(3).unwrap();
        lp.insert(p, b"mid");
        lp.delete(lp.seek(0).unwrap());
        let p = lp.seek(1).unwrap();
        lp.replace(p, &[b'L'; 100]);
        lp.replace(p, b"12");
        assert!(lp.validate());
        let t = texts(&lp);
        assert_eq!(t[0], b"e0");
        assert_eq!(t[1], b"12");
        assert_eq!(t[2], b"mid");
        let tail = lp.split_off(4);
        assert!(lp.validate() && tail.validate());
        assert_eq!(lp.len() + tail.len(), t.len());
        lp.append(&tail);
        assert_eq!(texts(&lp), t);
        lp.delete_range(2, 3);
        assert_eq!(lp.len(), t.len() - 3);
        lp.delete_range(0, 1000);
        assert!(lp.is_empty() && lp.validate());
    }

    #[test]
    fn remove_matches_skips_and_limits() {
        let mut lp = Listpack::new();
        for s in ["a", "1", "a", "b", "1", "a"] {
            lp.push_back(s.as_bytes());
        }
        assert_eq!(lp.count_matches(&Needle::new(b"a")), 3);
        assert_eq!(lp.remove_matches(&Needle::new(b"a"), 1, 1), 1);
        assert_eq!(texts(&lp), [&b"a"[..], b"1", b"b", b"1", b"a"]);
        assert_eq!(lp.remove_matches(&Needle::new(b"1"), 0, usize::MAX), 2);
        assert_eq!(texts(&lp), [&b"a"[..], b"b", b"a"]);
        assert!(lp.validate());
    }

    #[test]
    fn validate_rejects_garbage() {
        assert!(Listpack::from_bytes(vec![7, 0, 0, 0, 0, 0, 0xFF]).is_some());
        assert!(Listpack::from_bytes(vec![7, 0, 0, 0, 1, 0, 0xFF]).is_none());
        assert!(Listpack::from_bytes(vec![9, 0, 0, 0, 1, 0, 0x85, 1, 0xFF]).is_none());
        assert!(Listpack::from_bytes(vec![8, 0, 0, 0, 1, 0, 0x01, 0xFF]).is_none());
    }
}
