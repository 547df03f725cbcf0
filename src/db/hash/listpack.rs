//! The `listpack` encoding of small hashes: field/value pairs packed back to back in
//! one buffer, in insertion order, searched linearly (Redis's listpack plays this
//! role; the byte layout here is our own and RDB code converts it).
//!
//! ```text
//!  buf: varint flen | field | varint vlen | value | varint flen | field | ...
//!  aux: number of pairs (COUNT_UNKNOWN: count by walking)
//! ```
//!
//! The buffer is a [`Packed`] (one word, capacity in allocator size classes).

use crate::db::packed::Packed;

/// `aux` value meaning "too many pairs to count in 16 bits".
const COUNT_UNKNOWN: u16 = u16::MAX;

/// Packed field/value pairs.
#[derive(Clone, Debug, Default)]
pub struct Listpack {
    buf: Packed,
}

fn varint(mut v: usize, out: &mut [u8; 10]) -> &[u8] {
    let mut i = 0;
    while v >= 0x80 {
        out[i] = (v & 0x7f) as u8 | 0x80;
        v >>= 7;
        i += 1;
    }
    out[i] = v as u8;
    &out[..=i]
}

/// Reads one varint-prefixed string at `pos`: (bytes, next position).
fn read(buf: &[u8], mut pos: usize) -> (&[u8], usize) {
    let mut len = 0usize;
    let mut shift = 0;
    loop {
        let b = buf[pos];
        pos += 1;
        len |= ((b & 0x7f) as usize) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    (&buf[pos..pos + len], pos + len)
}

/// Where a pair lives: start of the field entry, start of the value entry, end.
struct Loc {
    start: usize,
    val: usize,
    end: usize,
}

impl Listpack {
    #[inline]
    pub fn len(&self) -> usize {
        match self.buf.aux() {
            COUNT_UNKNOWN => self.iter().count(),
            n => n as usize,
        }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    fn set_len(&mut self, n: usize) {
        self.buf.set_aux(n.min(COUNT_UNKNOWN as usize) as u16);
    }

    /// Pairs in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            buf: self.buf.as_slice(),
            pos: 0,
        }
    }

    fn find(&self, field: &[u8]) -> Option<Loc> {
        let buf = self.buf.as_slice();
        let mut pos = 0;
        while pos < buf.len() {
            let (f, vpos) = read(buf, pos);
            let (_, end) = read(buf, vpos);
            if f == field {
                return Some(Loc {
                    start: pos,
                    val: vpos,
                    end,
                });
            }
            pos = end;
        }
        None
    }

    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        self.find(field).map(|l| read(&self.buf, l.val).0)
    }

    /// Sets a field (appending a new pair at the end); true if it was new.
    pub fn insert(&mut self, field: &[u8], val: &[u8]) -> bool {
        match self.find(field) {
            Some(l) => {
                let mut hdr = [0; 10];
                let h = varint(val.len(), &mut hdr);
                let (hl, total) = (h.len(), h.len() + val.len());
                let old = l.end - l.val;
                if total > old {
                    self.buf.insert_gap(l.end, total - old);
                } else if total < old {
                    self.buf.remove_range(l.val + total..l.end);
                }
                let dst = &mut self.buf[l.val..l.val + total];
                dst[..hl].copy_from_slice(h);
                dst[hl..].copy_from_slice(val);
                false
            }
            None => {
                let n = self.len();
                let (mut a, mut b) = ([0; 10], [0; 10]);
                let (fh, vh) = (varint(field.len(), &mut a), varint(val.len(), &mut b));
                self.buf
                    .reserve(fh.len() + field.len() + vh.len() + val.len());
                self.buf.extend_from_slice(fh);
                self.buf.extend_from_slice(field);
                self.buf.extend_from_slice(vh);
                self.buf.extend_from_slice(val);
                self.set_len(n + 1);
                true
            }
        }
    }

    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self.find(field) {
            Some(l) => {
                let n = self.len();
                self.buf.remove_range(l.start..l.end);
                self.set_len(n - 1);
                true
            }
            None => false,
        }
    }

    /// The pair at index `i` (0-based, `i < len`).
    pub fn nth(&self, i: usize) -> (&[u8], &[u8]) {
        self.iter().nth(i).expect("listpack index")
    }

    /// Bytes the allocator holds for this listpack.
    pub fn mem_usage(&self) -> usize {
        self.buf.alloc_size()
    }
}

/// Iterator over a listpack's pairs.
pub struct Iter<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.buf.len() {
            return None;
        }
        let (f, p) = read(self.buf, self.pos);
        let (v, end) = read(self.buf, p);
        self.pos = end;
        Some((f, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_insertion_order_and_updates_in_place() {
        let mut lp = Listpack::default();
        assert!(lp.insert(b"a", b"1"));
        assert!(lp.insert(b"b", &[b'x'; 200]));
        assert!(lp.insert(b"c", b"3"));
        assert!(!lp.insert(b"a", b"one"));
        let all: Vec<_> = lp.iter().map(|(f, _)| f.to_vec()).collect();
        assert_eq!(all, vec![b"a".to_vec(), b"b".to_vec(), b"c".to_vec()]);
        assert_eq!(lp.get(b"a"), Some(&b"one"[..]));
        assert_eq!(lp.get(b"b").unwrap().len(), 200);
        assert!(lp.remove(b"b"));
        assert!(!lp.remove(b"b"));
        assert_eq!(lp.len(), 2);
        assert_eq!(lp.nth(1), (&b"c"[..], &b"3"[..]));
    }
}
