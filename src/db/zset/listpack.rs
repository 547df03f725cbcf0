//! The `listpack` encoding of small sorted sets: member/score pairs packed back to
//! back in one buffer, sorted by score then member, searched linearly (Redis's
//! listpack plays this role; the byte layout here is our own and the RDB code
//! converts it).
//!
//! ```text
//!  buf (db::packed, aux = entry count, 0xffff = count it): entry | entry | ...
//!  entry: varint mlen | member bytes | score
//!  score: varint (zigzag(i) << 1)     an integer |i| < 2^53 (low bit 0)
//!       | 0x01 | f64 LE (8 bytes)     any other double (low bit 1)
//! ```
//!
//! Integer scores (the common case: counters, timestamps in ms) take 1 to 8
//! bytes instead of 8. Like Redis's listpack (which stores an integral score
//! as an integer, double2ll), -0 is stored as the integer 0 and so reads back
//! as 0; a skiplist keeps the sign.

use crate::db::packed::Packed;

/// Packed member/score pairs in (score, member) order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listpack {
    buf: Packed,
}

/// `aux` value meaning "too many to count in 16 bits".
const MANY: u16 = u16::MAX;
const RAW_DOUBLE: u8 = 0x01;
/// Integers below this magnitude are exact doubles.
const EXACT_INT: f64 = 9_007_199_254_740_992.0;

fn put_varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v & 0x7f) as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline]
fn get_varint(buf: &[u8], mut pos: usize) -> (u64, usize) {
    let mut v = 0u64;
    let mut shift = 0;
    loop {
        let b = buf[pos];
        pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return (v, pos);
        }
        shift += 7;
    }
}

/// Appends one encoded entry.
pub(super) fn encode(member: &[u8], score: f64, out: &mut Vec<u8>) {
    put_varint(member.len() as u64, out);
    out.extend_from_slice(member);
    if score.fract() == 0.0 && score.abs() < EXACT_INT {
        let i = score as i64;
        let zz = ((i << 1) ^ (i >> 63)) as u64;
        put_varint(zz << 1, out);
    } else {
        out.push(RAW_DOUBLE);
        out.extend_from_slice(&score.to_le_bytes());
    }
}

/// Decodes the entry at `pos`: (member, score, next position).
#[inline]
fn decode(buf: &[u8], pos: usize) -> (&[u8], f64, usize) {
    let (mlen, p) = get_varint(buf, pos);
    let mend = p + mlen as usize;
    let member = &buf[p..mend];
    if buf[mend] == RAW_DOUBLE {
        let raw: [u8; 8] = buf[mend + 1..mend + 9].try_into().expect("8 bytes");
        (member, f64::from_le_bytes(raw), mend + 9)
    } else {
        let (v, next) = get_varint(buf, mend);
        let zz = v >> 1;
        let i = ((zz >> 1) as i64) ^ -((zz & 1) as i64);
        (member, i as f64, next)
    }
}

/// Redis's order: score, then member bytes.
#[inline]
pub(super) fn before(s1: f64, m1: &[u8], s2: f64, m2: &[u8]) -> bool {
    s1 < s2 || (s1 == s2 && m1 < m2)
}

impl Listpack {
    pub fn len(&self) -> usize {
        match self.buf.aux() {
            MANY => self.iter().count(),
            n => n as usize,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn set_len(&mut self, n: usize) {
        self.buf.set_aux(n.min(MANY as usize) as u16);
    }

    /// Pairs in order, with their byte offsets.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            buf: self.buf.as_slice(),
            pos: 0,
        }
    }

    /// Byte offset of the entry with rank `i` (`i <= len`; `len` gives the end).
    fn offset_of(&self, i: usize) -> usize {
        let mut it = self.iter();
        for _ in 0..i {
            it.next();
        }
        it.pos
    }

    /// (offset, end, score) of `member`.
    fn find(&self, member: &[u8]) -> Option<(usize, usize, f64)> {
        let mut it = self.iter();
        loop {
            let start = it.pos;
            let (m, s) = it.next()?;
            if m == member {
                return Some((start, it.pos, s));
            }
        }
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        self.find(member).map(|(_, _, s)| s)
    }

    /// Inserts a member that is not present, at its sorted place.
    pub fn insert(&mut self, member: &[u8], score: f64) {
        let mut enc = Vec::with_capacity(member.len() + 10);
        encode(member, score, &mut enc);
        let n = self.len();
        let mut it = self.iter();
        let mut at = it.pos;
        while let Some((m, s)) = it.next() {
            if before(score, member, s, m) {
                break;
            }
            at = it.pos;
        }
        self.buf.insert_slice(at, &enc);
        self.set_len(n + 1);
    }

    /// Removes `member`; its score if it was present.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        let (start, end, s) = self.find(member)?;
        let n = self.len() - 1;
        self.buf.remove_range(start..end);
        self.set_len(n);
        Some(s)
    }

    /// Removes the entries with rank in `start..=end` (`end < len`).
    pub fn remove_ranks(&mut self, start: usize, end: usize) {
        let a = self.offset_of(start);
        let mut it = Iter {
            buf: self.buf.as_slice(),
            pos: a,
        };
        for _ in start..=end {
            it.next();
        }
        let b = it.pos;
        let n = self.len() - (end + 1 - start);
        self.buf.remove_range(a..b);
        self.set_len(n);
    }

    /// The pair with rank `i` (`i < len`).
    pub fn nth(&self, i: usize) -> (&[u8], f64) {
        let pos = self.offset_of(i);
        let (m, s, _) = decode(self.buf.as_slice(), pos);
        (m, s)
    }

    /// Heap bytes held.
    pub fn mem_usage(&self) -> usize {
        self.buf.alloc_size()
    }

    /// Builds from pairs already in (score, member) order, without duplicates.
    pub fn from_sorted<'a>(pairs: impl IntoIterator<Item = (&'a [u8], f64)>) -> Listpack {
        let mut tmp = Vec::new();
        let mut n = 0usize;
        for (m, s) in pairs {
            encode(m, s, &mut tmp);
            n += 1;
        }
        let mut lp = Listpack {
            buf: Packed::from_slice(&tmp),
        };
        lp.set_len(n);
        lp
    }
}

/// Iterator over a listpack's pairs in order.
pub struct Iter<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], f64);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.buf.len() {
            return None;
        }
        let (m, s, next) = decode(self.buf, self.pos);
        self.pos = next;
        Some((m, s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_round_trip() {
        let scores = [
            0.0,
            1.0,
            -1.0,
            63.0,
            -64.0,
            1e15,
            -9007199254740991.0,
            9007199254740992.0,
            0.5,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            5e-324,
        ];
        for &s in &scores {
            let mut buf = Vec::new();
            encode(b"m", s, &mut buf);
            let (m, got, end) = decode(&buf, 0);
            assert_eq!(m, b"m");
            assert_eq!(got.to_bits(), s.to_bits(), "{s}");
            assert_eq!(end, buf.len());
        }
    }

    #[test]
    fn sorted_insert_remove() {
        let mut lp = Listpack::default();
        lp.insert(b"b", 1.0);
        lp.insert(b"a", 1.0);
        lp.insert(b"z", -5.5);
        lp.insert(b"c", 1e300);
        let got: Vec<_> = lp.iter().map(|(m, s)| (m.to_vec(), s)).collect();
        assert_eq!(
            got,
            vec![
                (b"z".to_vec(), -5.5),
                (b"a".to_vec(), 1.0),
                (b"b".to_vec(), 1.0),
                (b"c".to_vec(), 1e300)
            ]
        );
        assert_eq!(lp.nth(2), (&b"b"[..], 1.0));
        assert_eq!(lp.remove(b"a"), Some(1.0));
        assert_eq!(lp.remove(b"a"), None);
        lp.remove_ranks(0, 1);
        assert_eq!(lp.len(), 1);
        assert_eq!(lp.nth(0), (&b"c"[..], 1e300));
        lp.remove_ranks(0, 0);
        assert!(lp.is_empty());
        assert_eq!(lp.mem_usage(), 8);
    }

    #[test]
    fn minus_zero_reads_back_as_zero() {
        // Redis's listpack stores -0 through double2ll as the integer 0.
        let mut lp = Listpack::default();
        lp.insert(b"a", -0.0);
        assert_eq!(lp.score(b"a").map(f64::to_bits), Some(0.0f64.to_bits()));
    }

    #[test]
    fn counts_past_16_bits() {
        let keys: Vec<[u8; 4]> = (0..70_000u32).map(u32::to_be_bytes).collect();
        let mut lp = Listpack::from_sorted(keys.iter().map(|k| (&k[..], 1.0)));
        assert_eq!(lp.len(), 70_000);
        lp.insert(b"\xff\xff\xff\xff\xff", 1.0);
        assert_eq!(lp.len(), 70_001);
        lp.remove(b"\xff\xff\xff\xff\xff");
        lp.remove_ranks(0, 9_999);
        assert_eq!(lp.len(), 60_000);
        assert_eq!(lp.buf.aux(), 60_000);
    }
}
