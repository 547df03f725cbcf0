//! The replication backlog (Redis's repl_backlog): the newest
//! `repl-backlog-size` bytes (or a little more, see below) of the replication
//! stream, with the stream offset of the first one, from which PSYNC serves
//! partial resyncs (masterTryPartialResynchronization,
//! addReplyReplicationBacklog).
//!
//! The bytes live in a list of blocks sized and trimmed as Redis 7.0 sizes
//! and trims its replication buffer blocks (feedReplicationBuffer,
//! incrementalTrimReplicationBacklog), so that INFO's
//! repl_backlog_first_byte_offset and repl_backlog_histlen, and which
//! offsets a PSYNC can still continue from, are Redis's own numbers:
//!
//! ```text
//!   blocks: [ full | full | full | tail (used <= cap) ]
//!             ^ dropped once the others hold more than repl-backlog-size
//!   a block's cap: a jemalloc size class of min(max(piece, 16 KB),
//!                  max(size / 16, 16 KB)) + 40 bytes of header, minus 40
//!   offset = next - histlen: the oldest byte held; next = master_repl_offset + 1
//! ```
//!
//! A full block is dropped when what stays still holds at least
//! `repl-backlog-size` bytes, and only when a new block is started, so once
//! the stream is that long histlen is at least the size and at most the size
//! plus two blocks. Redis also keeps a block that
//! a replica still has to send; here each replica has its own output buffer,
//! so the backlog trims as Redis does when every replica keeps up.

use std::collections::VecDeque;

/// Redis's PROTO_REPLY_CHUNK_BYTES: the smallest block.
const MIN_BLOCK: usize = 16 * 1024;
/// sizeof(replBufBlock) in Redis: the allocation holds it before the bytes.
const BLOCK_HEADER: usize = 40;
/// Redis's REPL_BACKLOG_TRIM_BLOCKS_PER_CALL.
const TRIM_PER_CALL: usize = 64;

/// One block: `data.len()` bytes used of `cap`.
struct Block {
    data: Vec<u8>,
    cap: usize,
}

/// The newest stream bytes, in blocks.
pub struct Backlog {
    blocks: VecDeque<Block>,
    /// `repl-backlog-size`.
    size: usize,
    /// Bytes held.
    histlen: usize,
    /// Stream offset of the next byte (master_repl_offset + 1).
    next: u64,
}

/// What jemalloc's malloc_usable_size returns for a request of `n` bytes
/// (its size classes: four per doubling above 64 bytes), which is what a
/// Redis block really gets to hold.
fn usable_size(n: usize) -> usize {
    if n <= 64 {
        return n.next_multiple_of(16).max(8);
    }
    let step = n.next_power_of_two() / 8;
    n.next_multiple_of(step)
}

impl Backlog {
    /// An empty backlog of `size` bytes whose next byte is stream byte `next`
    /// (createReplicationBacklog).
    pub fn new(size: usize, next: u64) -> Backlog {
        Backlog {
            blocks: VecDeque::new(),
            size: size.max(1),
            histlen: 0,
            next,
        }
    }

    /// The configured size (`repl-backlog-size`).
    pub fn size(&self) -> usize {
        self.size
    }

    pub fn histlen(&self) -> usize {
        self.histlen
    }

    /// Offset of the first byte held (INFO repl_backlog_first_byte_offset);
    /// the next byte's offset when empty.
    pub fn offset(&self) -> u64 {
        self.next - self.histlen as u64
    }

    /// Bytes allocated (INFO memory's mem_replication_backlog).
    pub fn allocated(&self) -> usize {
        self.blocks.iter().map(|b| b.cap).sum()
    }

    /// Appends one piece of the stream (Redis's feedReplicationBuffer: the
    /// tail block is filled first; a new block is sized after what is left of
    /// the piece, and each new block may let the oldest ones go).
    pub fn feed(&mut self, mut data: &[u8]) {
        self.next += data.len() as u64;
        while !data.is_empty() {
            if let Some(tail) = self.blocks.back_mut() {
                let n = (tail.cap - tail.data.len()).min(data.len());
                tail.data.extend_from_slice(&data[..n]);
                self.histlen += n;
                data = &data[n..];
            }
            if data.is_empty() {
                break;
            }
            let limit = (self.size / 16).max(MIN_BLOCK);
            let want = data.len().clamp(MIN_BLOCK, limit);
            let cap = usable_size(want + BLOCK_HEADER) - BLOCK_HEADER;
            let n = cap.min(data.len());
            let mut block = Vec::with_capacity(cap);
            block.extend_from_slice(&data[..n]);
            self.blocks.push_back(Block { data: block, cap });
            self.histlen += n;
            data = &data[n..];
            self.trim(TRIM_PER_CALL);
        }
    }

    /// Drops up to `max_blocks` of the oldest blocks while what stays holds at
    /// least `size` bytes; the last block always stays
    /// (incrementalTrimReplicationBacklog).
    fn trim(&mut self, max_blocks: usize) {
        let mut trimmed = 0;
        while self.histlen > self.size && trimmed < max_blocks && self.blocks.len() > 1 {
            // Only the tail can be partly used: the first block is full.
            let first = self.blocks[0].cap;
            if self.histlen - first <= self.size {
                break;
            }
            self.blocks.pop_front();
            self.histlen -= first;
            trimmed += 1;
        }
    }

    /// The bytes from stream offset `from` to the end, if held
    /// (offset <= from <= offset + histlen).
    pub fn range_from(&self, from: u64) -> Option<Vec<u8>> {
        let first = self.offset();
        if from < first || from > self.next {
            return None;
        }
        let mut skip = (from - first) as usize;
        let mut out = Vec::with_capacity((self.next - from) as usize);
        for b in &self.blocks {
            if skip >= b.data.len() {
                skip -= b.data.len();
                continue;
            }
            out.extend_from_slice(&b.data[skip..]);
            skip = 0;
        }
        Some(out)
    }

    /// CONFIG SET repl-backlog-size: the new size decides how much is kept
    /// from now on; a smaller one lets the oldest blocks go at once
    /// (resizeReplicationBacklog; Redis trims at most 64 blocks per call,
    /// the rest as the stream grows).
    pub fn resize(&mut self, size: usize) {
        self.size = size.max(1);
        self.trim(TRIM_PER_CALL);
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
    fn jemalloc_size_classes() {
        assert_eq!(usable_size(16384 + 40), 20480);
        assert_eq!(usable_size(20000 + 40), 20480);
        assert_eq!(usable_size(65536 + 40), 81920);
        assert_eq!(usable_size(32768), 32768);
        assert_eq!(usable_size(100), 112);
        assert_eq!(usable_size(129), 160);
    }

    #[test]
    fn ranges_and_offsets() {
        let mut b = Backlog::new(1 << 20, 1);
        assert_eq!(b.range_from(1).unwrap(), b"");
        assert!(b.range_from(2).is_none());
        assert!(b.range_from(0).is_none());
        b.feed(b"abcde");
        b.feed(b"fghij");
        assert_eq!(b.offset(), 1);
        assert_eq!(b.histlen(), 10);
        assert_eq!(b.range_from(1).unwrap(), b"abcdefghij");
        assert_eq!(b.range_from(9).unwrap(), b"ij");
        assert_eq!(b.range_from(11).unwrap(), b"");
        assert!(b.range_from(12).is_none());
        assert_eq!(b.allocated(), 20440);
    }

    /// The numbers redis-server 7.0 (jemalloc) shows with
    /// `repl-backlog-size 16384` and a 20,000-byte SET after another: 20,056
    /// stream bytes each time after the first (20,056 + 33 with its SELECT).
    #[test]
    fn trims_whole_blocks_as_redis() {
        let mut b = Backlog::new(16384, 1);
        let mut end = 0u64;
        let mut seen = Vec::new();
        for i in 0..6 {
            let value = vec![b'x'; 20000];
            let mut pieces: Vec<Vec<u8>> = Vec::new();
            if i == 0 {
                pieces.push(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n".to_vec());
            }
            pieces.push(b"*3\r\n".to_vec());
            for arg in [&b"set"[..], format!("big{i}").as_bytes(), &value] {
                pieces.push(format!("${}\r\n", arg.len()).into_bytes());
                pieces.push(arg.to_vec());
                pieces.push(b"\r\n".to_vec());
            }
            for p in &pieces {
                b.feed(p);
                end += p.len() as u64;
            }
            assert_eq!(b.offset() + b.histlen() as u64, end + 1);
            seen.push((end, b.offset(), b.histlen()));
        }
        assert_eq!(
            seen,
            [
                (20056, 1, 20056),
                (40089, 20441, 19649),
                (60122, 40881, 19242),
                (80155, 61321, 18835),
                (100188, 81761, 18428),
                (120221, 102201, 18021),
            ]
        );
    }

    #[test]
    fn matches_a_model_byte_for_byte() {
        // Random-ish piece sizes against a plain Vec of the whole stream.
        let mut b = Backlog::new(40_000, 1);
        let mut model: Vec<u8> = Vec::new();
        let mut x = 7u32;
        for round in 0..3000 {
            x = x.wrapping_mul(1103515245).wrapping_add(12345);
            let n = match (x >> 16) % 10 {
                0 => (x >> 8) as usize % 70_000,
                _ => (x >> 16) as usize % 200,
            };
            let piece: Vec<u8> = (0..n).map(|i| (round * 31 + i) as u8).collect();
            b.feed(&piece);
            model.extend_from_slice(&piece);
            let held = b.histlen();
            assert!(held <= model.len());
            assert!(held >= model.len().min(b.size()), "{held}");
            // One block over the size after a trim, and the tail filled since.
            assert!(held <= b.size() + 2 * 20440, "{held}");
            assert_eq!(b.offset(), 1 + (model.len() - held) as u64);
            assert_eq!(all(&b), &model[model.len() - held..]);
            let mid = b.offset() + (held / 3) as u64;
            assert_eq!(b.range_from(mid).unwrap(), &model[mid as usize - 1..]);
            if round == 2000 {
                b.resize(16384);
                assert!(b.histlen() <= 16384 + 2 * 20440);
            }
        }
    }

    #[test]
    fn resize_keeps_newest() {
        let mut b = Backlog::new(1 << 20, 1);
        for _ in 0..100 {
            b.feed(&[b'a'; 1000]);
        }
        assert_eq!(b.histlen(), 100_000);
        b.resize(16384);
        // Blocks of 20,440: the last 16,384 bytes lie in the last two.
        assert_eq!(b.histlen(), 100_000 - 4 * 20440);
        assert_eq!(b.offset(), 1 + 4 * 20440);
        b.resize(1 << 20);
        b.feed(b"z");
        assert_eq!(b.histlen(), 100_000 - 4 * 20440 + 1);
    }
}
