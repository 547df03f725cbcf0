//! The replication backlog (Redis's repl_backlog): a ring buffer holding the
//! last `repl-backlog-size` bytes of the replication stream, with the stream
//! offset of its first byte, from which PSYNC serves partial resyncs
//! (masterTryPartialResynchronization, addReplyReplicationBacklog).
//!
//! ```text
//!   growing:  buf: [ oldest ........ newest ]            len < size
//!   full:     buf: [ ....newest | oldest.... ]           len == size
//!                                ^ idx: the next byte goes here
//!   offset = stream offset of the oldest byte held (histlen bytes);
//!   offset + histlen = master_repl_offset + 1, the next byte's offset
//! ```
//!
//! The buffer grows as the stream does, up to `size`, so an idle master with a
//! 1 MB backlog does not hold 1 MB from the moment its first replica attaches
//! (Redis's shared replication buffer also grows block by block). Unlike Redis
//! 7.0, whose backlog is a list of blocks trimmed a whole block at a time (so
//! its histlen can go somewhat over the configured size), this one holds
//! exactly `size` bytes once full.

/// A ring buffer of the newest stream bytes.
pub struct Backlog {
    /// The bytes; grows up to `size`, then wraps.
    buf: Vec<u8>,
    size: usize,
    /// Where the next byte is written once the buffer is full.
    idx: usize,
    /// Bytes held (<= size).
    histlen: usize,
    /// Stream offset of the first byte held (Redis's repl_backlog->offset,
    /// the next byte's offset when empty).
    offset: u64,
}

impl Backlog {
    /// An empty backlog of `size` bytes whose next byte is stream byte `next`.
    pub fn new(size: usize, next: u64) -> Backlog {
        Backlog {
            buf: Vec::new(),
            size: size.max(1),
            idx: 0,
            histlen: 0,
            offset: next,
        }
    }

    /// The configured capacity (INFO repl_backlog_size comes from the config).
    pub fn size(&self) -> usize {
        self.size
    }

    pub fn histlen(&self) -> usize {
        self.histlen
    }

    /// Offset of the first byte held (INFO repl_backlog_first_byte_offset).
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Bytes allocated (INFO memory's mem_replication_backlog).
    pub fn allocated(&self) -> usize {
        self.buf.capacity()
    }

    /// Appends stream bytes, dropping the oldest ones that no longer fit.
    pub fn feed(&mut self, mut data: &[u8]) {
        let size = self.size;
        if data.len() >= size {
            // Only the last `size` bytes survive: start over with them.
            let drop = data.len() - size;
            self.offset += (self.histlen + drop) as u64;
            self.buf.clear();
            self.buf.extend_from_slice(&data[drop..]);
            self.idx = 0;
            self.histlen = size;
            return;
        }
        if self.buf.len() < size {
            // Still growing: the oldest byte is at 0, the newest at len - 1.
            let n = (size - self.buf.len()).min(data.len());
            let want = self.buf.len() + n;
            if want > self.buf.capacity() {
                let target = want.max(self.buf.capacity() * 2).max(4096).min(size);
                self.buf.reserve_exact(target - self.buf.len());
            }
            self.buf.extend_from_slice(&data[..n]);
            self.histlen += n;
            self.idx = self.buf.len() % size;
            data = &data[n..];
        }
        // Full: each byte written replaces the oldest one.
        self.offset += data.len() as u64;
        while !data.is_empty() {
            let n = (size - self.idx).min(data.len());
            self.buf[self.idx..self.idx + n].copy_from_slice(&data[..n]);
            self.idx = (self.idx + n) % size;
            data = &data[n..];
        }
    }

    /// The bytes from stream offset `from` to the end, if held
    /// (offset <= from <= offset + histlen).
    pub fn range_from(&self, from: u64) -> Option<Vec<u8>> {
        if from < self.offset || from > self.offset + self.histlen as u64 {
            return None;
        }
        let skip = (from - self.offset) as usize;
        let len = self.histlen - skip;
        // The oldest byte: 0 while growing, `idx` once full.
        let oldest = if self.buf.len() < self.size {
            0
        } else {
            self.idx
        };
        let start = (oldest + skip) % self.size;
        let mut out = Vec::with_capacity(len);
        let first = (self.buf.len() - start.min(self.buf.len())).min(len);
        out.extend_from_slice(&self.buf[start..start + first]);
        out.extend_from_slice(&self.buf[..len - first]);
        Some(out)
    }

    /// A new size keeping the newest bytes that fit (resizeReplicationBacklog).
    pub fn resize(&mut self, size: usize) {
        let data = self.range_from(self.offset).unwrap_or_default();
        let end = self.offset + data.len() as u64;
        let keep = data.len().min(size.max(1));
        *self = Backlog::new(size, end - keep as u64);
        self.feed(&data[data.len() - keep..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes held, oldest first.
    fn all(b: &Backlog) -> Vec<u8> {
        b.range_from(b.offset()).unwrap()
    }

    #[test]
    fn wraps_and_keeps_newest() {
        let mut b = Backlog::new(8, 1);
        assert_eq!(b.range_from(1).unwrap(), b"");
        assert!(b.range_from(2).is_none());
        b.feed(b"abcde");
        assert_eq!(b.range_from(1).unwrap(), b"abcde");
        b.feed(b"fghij");
        assert_eq!(b.histlen(), 8);
        assert_eq!(b.offset(), 3);
        assert_eq!(b.range_from(3).unwrap(), b"cdefghij");
        assert_eq!(b.range_from(9).unwrap(), b"ij");
        assert_eq!(b.range_from(11).unwrap(), b"");
        assert!(b.range_from(2).is_none());
        assert!(b.range_from(12).is_none());
        b.feed(b"0123456789xy");
        assert_eq!(b.offset(), 15);
        assert_eq!(b.range_from(15).unwrap(), b"456789xy");
        b.feed(b"z");
        assert_eq!(all(&b), b"56789xyz");
        assert_eq!(b.offset() + b.histlen() as u64, 24);
    }

    #[test]
    fn exact_fill_then_wrap() {
        let mut b = Backlog::new(4, 10);
        b.feed(b"ab");
        b.feed(b"cd");
        assert_eq!(all(&b), b"abcd");
        assert_eq!(b.offset(), 10);
        b.feed(b"e");
        assert_eq!(all(&b), b"bcde");
        assert_eq!(b.range_from(13).unwrap(), b"de");
        b.feed(b"wxyz");
        assert_eq!(all(&b), b"wxyz");
        assert_eq!(b.offset(), 15);
    }

    #[test]
    fn matches_a_model_byte_for_byte() {
        // Random-ish chunk sizes against a plain Vec of the whole stream.
        let mut b = Backlog::new(37, 1);
        let mut model: Vec<u8> = Vec::new();
        let mut x = 7u32;
        for round in 0..500 {
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            let n = (x >> 16) as usize % 50;
            let chunk: Vec<u8> = (0..n).map(|i| (round * 31 + i) as u8).collect();
            b.feed(&chunk);
            model.extend_from_slice(&chunk);
            let held = model.len().min(37);
            assert_eq!(b.histlen(), held);
            assert_eq!(b.offset(), 1 + (model.len() - held) as u64);
            assert_eq!(all(&b), &model[model.len() - held..]);
            let mid = b.offset() + (b.histlen() / 2) as u64;
            assert_eq!(b.range_from(mid).unwrap(), &model[mid as usize - 1..]);
            if round % 97 == 0 {
                b.resize(37);
            }
        }
        assert!(b.allocated() <= 4096);
    }

    #[test]
    fn resize_keeps_newest() {
        let mut b = Backlog::new(8, 1);
        b.feed(b"abcdefghij");
        b.resize(4);
        assert_eq!(b.offset(), 7);
        assert_eq!(b.range_from(7).unwrap(), b"ghij");
        b.feed(b"k");
        assert_eq!(b.range_from(8).unwrap(), b"hijk");
        b.resize(16);
        assert_eq!(b.range_from(8).unwrap(), b"hijk");
        b.feed(b"lmn");
        assert_eq!(b.range_from(8).unwrap(), b"hijklmn");
        assert_eq!(b.size(), 16);
    }

    #[test]
    fn grows_lazily() {
        let mut b = Backlog::new(1 << 20, 1);
        assert_eq!(b.allocated(), 0);
        b.feed(b"PING");
        assert!(b.allocated() >= 4 && b.allocated() <= 4096);
    }
}
