//! The `listpack` encoding of small hashes: field/value pairs packed back to back in
//! one buffer, in insertion order, searched linearly (Redis's listpack plays this
//! role; the byte layout here is our own and RDB code converts it).
//!
//! ```text
//!  buf: varint flen | field | varint vlen | value | varint flen | field | ...
//! ```

/// Packed field/value pairs.
#[derive(Clone, Debug, Default)]
pub struct Listpack {
    buf: Vec<u8>,
    pairs: usize,
}

fn put_varint(mut v: usize, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v & 0x7f) as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
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
    pub fn len(&self) -> usize {
        self.pairs
    }

    pub fn is_empty(&self) -> bool {
        self.pairs == 0
    }

    /// Pairs in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            buf: &self.buf,
            pos: 0,
        }
    }

    fn find(&self, field: &[u8]) -> Option<Loc> {
        let mut pos = 0;
        while pos < self.buf.len() {
            let (f, vpos) = read(&self.buf, pos);
            let (_, end) = read(&self.buf, vpos);
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
                let mut enc = Vec::with_capacity(val.len() + 2);
                put_varint(val.len(), &mut enc);
                enc.extend_from_slice(val);
                self.buf.splice(l.val..l.end, enc);
                false
            }
            None => {
                put_varint(field.len(), &mut self.buf);
                self.buf.extend_from_slice(field);
                put_varint(val.len(), &mut self.buf);
                self.buf.extend_from_slice(val);
                self.pairs += 1;
                true
            }
        }
    }

    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self.find(field) {
            Some(l) => {
                self.buf.drain(l.start..l.end);
                self.pairs -= 1;
                if self.buf.capacity() > 2 * self.buf.len() + 64 {
                    self.buf.shrink_to_fit();
                }
                true
            }
            None => false,
        }
    }

    /// The pair at index `i` (0-based, `i < len`).
    pub fn nth(&self, i: usize) -> (&[u8], &[u8]) {
        self.iter().nth(i).expect("listpack index")
    }

    pub fn mem_usage(&self) -> usize {
        self.buf.capacity()
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
