//! A client's pending output, laid out as Redis lays it out: a reply buffer
//! (`out`, Redis's `c->buf`) that takes the common small replies, then a list
//! of blocks (`reply`, Redis's `c->reply`) for what does not fit in it.
//!
//! The `add_*` writers ask [`Client::reply_buf`] for room for what they are
//! about to append. While the list is empty and the reply buffer has room,
//! that is the buffer itself (one comparison on the hot path); otherwise the
//! tail block, or a new block of `REPLY_CHUNK` bytes (or the write's size).
//! A big reply therefore never needs one huge contiguous allocation, and the
//! client's hard `client-output-buffer-limit` is checked each time a block is
//! added: past it the output is dropped at once, nothing more is appended
//! (`OBUF_LIMIT`), and the server closes the client (`Server::schedule_write`).
//!
//! The reply buffer's size follows its use, as Redis 7.0's
//! clientsCronResizeOutputBuffer: the cron halves it (down to `REPLY_MIN`)
//! while its peak stays under half, and doubles it (up to `REPLY_CHUNK`) when
//! the peak filled it ([`Client::resize_reply_buffer`]).

use std::collections::VecDeque;
use std::io;

use super::info::{client_type, ClientType};
use super::{flags, Client};
use crate::config::ObufLimit;

/// Size of a reply block, and the largest reply buffer (PROTO_REPLY_CHUNK_BYTES).
pub const REPLY_CHUNK: usize = 16 * 1024;
/// The smallest reply buffer (PROTO_REPLY_MIN_BYTES).
pub const REPLY_MIN: usize = 1024;
/// Default interval between reply buffer peak resets
/// (REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME).
pub const PEAK_RESET_MS: i64 = 5000;
/// Buffers handed to one writev(2).
const IOV_MAX: usize = 16;

/// The output state beyond the reply buffer itself.
#[derive(Debug)]
pub struct Output {
    /// Blocks queued after `out`.
    pub reply: VecDeque<Vec<u8>>,
    /// Bytes in every block but the last.
    sealed: usize,
    /// Bytes of the first block already written.
    front_pos: usize,
    /// The reply buffer's size (CLIENT LIST `rbs`).
    pub size: usize,
    /// The most of the reply buffer used since the last peak reset (`rbp`).
    pub peak: usize,
    pub peak_reset_ms: i64,
    /// The hard output-buffer limit of the client's class (0: none), kept
    /// current by the server.
    pub hard_limit: u64,
}

impl Output {
    pub fn new(now_ms: i64) -> Output {
        Output {
            reply: VecDeque::new(),
            sealed: 0,
            front_pos: 0,
            size: REPLY_CHUNK,
            // As Redis: a new client's peak is its buffer's size, so the
            // first cron pass only starts a new peak.
            peak: REPLY_CHUNK,
            peak_reset_ms: now_ms - PEAK_RESET_MS,
            hard_limit: 0,
        }
    }

    /// Bytes queued in blocks, not yet written.
    fn pending(&self) -> usize {
        self.sealed + self.reply.back().map_or(0, Vec::len) - self.front_pos
    }
}

/// What the cron's resize decided (INFO's reply_buffer_shrinks/expands).
#[derive(Debug, PartialEq, Eq)]
pub enum Resize {
    None,
    Shrunk,
    Expanded,
}

impl Client {
    /// Room for `n` more bytes of reply, or None while replies are suppressed
    /// (CLIENT REPLY OFF/SKIP, unless out-of-band data is being pushed) or the
    /// client is being closed. `n` must cover everything the caller then appends.
    #[inline]
    pub fn reply_buf(&mut self, n: usize) -> Option<&mut Vec<u8>> {
        let f = self.flags;
        if f & (flags::REPLY_OFF | flags::REPLY_SKIP | flags::OBUF_LIMIT) != 0
            && (f & flags::OBUF_LIMIT != 0 || f & flags::PUSHING == 0)
        {
            return None;
        }
        if self.output.reply.is_empty() && self.out.capacity() - self.out.len() >= n {
            return Some(&mut self.out);
        }
        self.reply_buf_slow(n)
    }

    /// Appends output that is not a reply of this client and that CLIENT
    /// REPLY does not suppress (a replica's stream), behind what is pending.
    pub fn append_out(&mut self, b: &[u8]) {
        let saved = self.flags & (flags::REPLY_OFF | flags::REPLY_SKIP);
        self.flags &= !saved;
        if let Some(out) = self.reply_buf(b.len()) {
            out.extend_from_slice(b);
        }
        self.flags |= saved;
    }

    fn reply_buf_slow(&mut self, n: usize) -> Option<&mut Vec<u8>> {
        let o = &mut self.output;
        if o.reply.is_empty() {
            if self.out.capacity() < o.size && self.out.len() + n <= o.size {
                self.out.reserve_exact(o.size - self.out.len());
                return Some(&mut self.out);
            }
            // The buffer is full for this write: Redis fills it before
            // starting the list, so this is its peak.
            o.peak = o.peak.max(o.size);
        }
        let room = o.reply.back().map_or(0, |b| b.capacity() - b.len());
        if room < n {
            let pending = self.out.len() - self.out_pos + o.pending();
            if o.hard_limit > 0 && (pending + n) as u64 > o.hard_limit {
                self.output_limit_reached();
                return None;
            }
            // The allocator's whole size class, as Redis's zmalloc_usable:
            // the rounding is room for the next replies, not waste.
            let mut block = Vec::new();
            let want = crate::alloc::size_class(n.max(REPLY_CHUNK));
            if block.try_reserve_exact(want).is_err() {
                // Out of memory for this client's reply: drop the client,
                // not the server.
                self.output_limit_reached();
                return None;
            }
            let o = &mut self.output;
            o.sealed += o.reply.back().map_or(0, Vec::len);
            o.reply.push_back(block);
        }
        self.output.reply.back_mut()
    }

    /// Drops the pending output and stops adding to it: the client is closed
    /// for overcoming its output buffer limit.
    fn output_limit_reached(&mut self) {
        self.flags |= flags::OBUF_LIMIT;
        self.clear_out();
    }

    /// Discards all pending output.
    pub fn clear_out(&mut self) {
        self.out = Vec::new();
        self.out_pos = 0;
        let o = &mut self.output;
        o.reply.clear();
        o.sealed = 0;
        o.front_pos = 0;
    }

    /// Reply bytes not yet written.
    pub fn pending_out(&self) -> usize {
        self.out.len() - self.out_pos + self.output.pending()
    }

    /// The position where the next reply byte goes, for [`Client::insert_out`]
    /// within the same command.
    pub fn out_mark(&self) -> usize {
        self.out.len() + self.output.sealed + self.output.reply.back().map_or(0, Vec::len)
    }

    /// Inserts `bytes` at a position taken with [`Client::out_mark`] (never
    /// before what is already written); returns the position after them.
    pub fn insert_out(&mut self, at: usize, bytes: &[u8]) -> usize {
        if at <= self.out.len() {
            let at = at.max(self.out_pos);
            self.out.splice(at..at, bytes.iter().copied());
            return at + bytes.len();
        }
        let mut off = at - self.out.len();
        let mut base = self.out.len();
        let last = self.output.reply.len().saturating_sub(1);
        for (i, b) in self.output.reply.iter_mut().enumerate() {
            if off <= b.len() {
                let lo = if i == 0 { self.output.front_pos } else { 0 };
                let off = off.max(lo);
                b.splice(off..off, bytes.iter().copied());
                if i < last {
                    self.output.sealed += bytes.len();
                }
                return base + off + bytes.len();
            }
            off -= b.len();
            base += b.len();
        }
        // The output was dropped meanwhile.
        at
    }

    /// Memory held by pending output in blocks (CLIENT LIST `omem`): the
    /// blocks and their slots in the list, as Redis counts its reply list.
    pub fn reply_list_mem(&self) -> usize {
        let blocks: usize = self
            .output
            .reply
            .iter()
            .map(|b| crate::alloc::size_class(b.capacity()))
            .sum();
        blocks + self.output.reply.len() * std::mem::size_of::<Vec<u8>>()
    }

    /// Writes as much pending output as the socket takes. Returns Ok(true) when
    /// everything was written.
    pub fn flush(&mut self) -> io::Result<bool> {
        while self.pending_out() > 0 {
            let res = if self.output.reply.is_empty() {
                self.conn.write(&self.out[self.out_pos..])
            } else {
                self.writev()
            };
            match res {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    self.net_out += n as u64;
                    self.advance_out(n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.out_pos = 0;
        if self.out.capacity() > self.output.size {
            self.out = Vec::new();
        } else {
            self.out.clear();
        }
        Ok(true)
    }

    fn writev(&mut self) -> io::Result<usize> {
        let mut iov = [libc::iovec {
            iov_base: std::ptr::null_mut(),
            iov_len: 0,
        }; IOV_MAX];
        let mut cnt = 0;
        let mut push = |s: &[u8]| {
            if !s.is_empty() && cnt < IOV_MAX {
                iov[cnt] = libc::iovec {
                    iov_base: s.as_ptr() as *mut libc::c_void,
                    iov_len: s.len(),
                };
                cnt += 1;
            }
        };
        push(&self.out[self.out_pos..]);
        for (i, b) in self.output.reply.iter().enumerate() {
            push(if i == 0 {
                &b[self.output.front_pos..]
            } else {
                b
            });
        }
        // SAFETY: every iovec points into a live buffer of its length, and
        // the buffers are not touched until writev returns.
        let n = unsafe { libc::writev(self.conn.fd(), iov.as_ptr(), cnt as libc::c_int) };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    }

    /// Marks `n` more bytes as written: the reply buffer first, then blocks,
    /// each freed once written.
    fn advance_out(&mut self, mut n: usize) {
        let in_out = (self.out.len() - self.out_pos).min(n);
        self.out_pos += in_out;
        n -= in_out;
        let o = &mut self.output;
        while n > 0 {
            let Some(front) = o.reply.front() else { break };
            let left = front.len() - o.front_pos;
            if n < left {
                o.front_pos += n;
                break;
            }
            n -= left;
            let len = front.len();
            o.reply.pop_front();
            o.front_pos = 0;
            if o.reply.is_empty() {
                o.sealed = 0;
            } else {
                o.sealed -= len;
            }
        }
        // A written front block that is also the tail still takes new output.
        if o.reply.len() == 1 && o.front_pos == o.reply[0].len() {
            o.reply.clear();
            o.front_pos = 0;
            o.sealed = 0;
        }
    }

    /// All pending output as one buffer (tests and tools), leaving none.
    pub fn take_out(&mut self) -> Vec<u8> {
        let mut all = self.out[self.out_pos..].to_vec();
        for (i, b) in self.output.reply.iter().enumerate() {
            all.extend_from_slice(if i == 0 {
                &b[self.output.front_pos..]
            } else {
                b
            });
        }
        self.clear_out();
        all
    }

    /// Records the reply buffer's use so far (called once the replies of a
    /// read are in it).
    #[inline]
    pub fn note_reply_peak(&mut self) {
        if self.out.len() > self.output.peak {
            self.output.peak = self.out.len().min(self.output.size);
        }
    }

    /// Redis's clientsCronResizeOutputBuffer: resizes the reply buffer from
    /// its peak use, then starts a new peak every `peak_reset_ms` (negative:
    /// never).
    pub fn resize_reply_buffer(&mut self, now_ms: i64, peak_reset_ms: i64) -> Resize {
        let o = &mut self.output;
        let mut resize = Resize::None;
        let mut new_size = 0;
        if o.size / 2 >= REPLY_MIN && o.peak < o.size / 2 {
            new_size = REPLY_MIN.max(o.peak + 1);
            resize = Resize::Shrunk;
        } else if o.size * 2 < REPLY_CHUNK * 2 && o.peak == o.size {
            new_size = REPLY_CHUNK.min(o.size * 2);
            resize = Resize::Expanded;
        }
        if peak_reset_ms >= 0 && now_ms - o.peak_reset_ms >= peak_reset_ms {
            o.peak = self.out.len();
            o.peak_reset_ms = now_ms;
        }
        if new_size > 0 && new_size >= self.out.len() {
            o.size = new_size;
            if self.out.capacity() > 0 {
                let mut buf = Vec::with_capacity(new_size);
                buf.extend_from_slice(&self.out);
                self.out = buf;
            }
        }
        resize
    }

    /// The output-buffer limits of the client's class; the hard one is also
    /// kept in `output`, which checks it while the output grows.
    pub fn refresh_output_limit(&mut self, limits: &[ObufLimit; 3]) -> ObufLimit {
        let class = match client_type(self) {
            ClientType::Replica => 1,
            ClientType::Pubsub => 2,
            _ => 0,
        };
        let lim = limits[class];
        self.output.hard_limit = lim.hard_limit_bytes;
        lim
    }

    /// Redis's checkClientOutputBufferLimits: the hard limit closes at once, the
    /// soft limit after being exceeded continuously for its seconds.
    pub fn check_output_limits(&mut self, limits: &[ObufLimit; 3], now_ms: i64) -> bool {
        let lim = self.refresh_output_limit(limits);
        let held = self.repl.as_deref().map_or(0, |r| r.pending_len());
        let used = (self.pending_out() + held) as u64;
        if lim.hard_limit_bytes > 0 && used >= lim.hard_limit_bytes {
            return true;
        }
        if lim.soft_limit_bytes > 0 && used >= lim.soft_limit_bytes {
            let since = *self.obuf_soft_since.get_or_insert(now_ms);
            return (now_ms - since) / 1000 > lim.soft_limit_seconds;
        }
        self.obuf_soft_since = None;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        a.set_nonblocking(true).unwrap();
        let conn = super::super::Conn::Unix(mio::net::UnixStream::from_std(a));
        Client::new(1, conn, 0, String::new(), String::new(), 0)
    }

    #[test]
    fn big_replies_go_to_blocks_in_order() {
        let mut c = client();
        let mut want = Vec::new();
        for i in 0..5000u32 {
            let s = format!("element-{i}");
            c.add_bulk(s.as_bytes());
            want.extend_from_slice(format!("${}\r\n{s}\r\n", s.len()).as_bytes());
        }
        assert!(c.out.capacity() <= REPLY_CHUNK);
        assert!(c.output.reply.len() > 3);
        assert!(c.output.reply.iter().all(|b| b.capacity() == REPLY_CHUNK));
        assert_eq!(c.pending_out(), want.len());
        assert_eq!(c.take_out(), want);
    }

    #[test]
    fn deferred_lengths_land_in_any_block() {
        let mut c = client();
        c.add_bulk(&vec![b'x'; REPLY_CHUNK - 100]);
        let mark = c.defer_len();
        for _ in 0..3000 {
            c.add_int(7);
        }
        c.set_deferred_len(mark, b'*', 3000);
        let mark2 = c.defer_len();
        c.add_int(1);
        c.set_deferred_len(mark2, b'*', 1);
        let all = c.take_out();
        let mut want = format!("${}\r\n", REPLY_CHUNK - 100).into_bytes();
        want.extend(vec![b'x'; REPLY_CHUNK - 100]);
        want.extend_from_slice(b"\r\n*3000\r\n");
        want.extend(b":7\r\n".repeat(3000));
        want.extend_from_slice(b"*1\r\n:1\r\n");
        assert_eq!(all, want);
    }

    #[test]
    fn the_hard_limit_stops_a_growing_reply() {
        let mut c = client();
        c.output.hard_limit = 100_000;
        for _ in 0..1_000_000 {
            c.add_bulk(b"member");
        }
        assert!(c.has(flags::OBUF_LIMIT));
        assert_eq!(c.pending_out(), 0);
        assert!(c.output.reply.is_empty());
    }

    #[test]
    fn advance_frees_written_blocks() {
        let mut c = client();
        for _ in 0..10_000 {
            c.add_int(12345);
        }
        let total = c.pending_out();
        c.advance_out(REPLY_CHUNK + 10);
        assert_eq!(c.pending_out(), total - REPLY_CHUNK - 10);
        c.advance_out(c.pending_out());
        assert_eq!(c.pending_out(), 0);
        assert!(c.output.reply.is_empty());
    }

    #[test]
    fn reply_buffer_follows_its_peak() {
        let mut c = client();
        // A new client's first pass only starts a peak; the next one shrinks.
        assert_eq!(c.resize_reply_buffer(0, 100), Resize::None);
        assert_eq!(c.resize_reply_buffer(100, 100), Resize::Shrunk);
        assert_eq!(c.output.size, REPLY_MIN);
        assert_eq!(c.resize_reply_buffer(200, 100), Resize::None);
        // A reply bigger than the buffer fills it: it doubles, up to 16 KB.
        for step in 1..=4 {
            c.add_bulk(&vec![b'x'; 40_000]);
            c.take_out();
            assert_eq!(c.resize_reply_buffer(300, -1), Resize::Expanded);
            assert_eq!(c.output.size, REPLY_MIN << step);
        }
        c.add_bulk(&vec![b'x'; 40_000]);
        assert_eq!(c.resize_reply_buffer(300, -1), Resize::None);
        assert_eq!(c.output.size, REPLY_CHUNK);
    }

    #[test]
    fn idle_clients_keep_no_empty_buffer() {
        let mut c = client();
        c.add_bulk(b"hello");
        // As after a write of all of it.
        c.out.clear();
        assert_eq!(c.out.capacity(), REPLY_CHUNK);
        // Busy: the reply buffer stays for the next command.
        c.release_idle_buffers(1);
        assert_eq!(c.out.capacity(), REPLY_CHUNK);
        let busy = c.mem_usage();
        c.release_idle_buffers(3);
        assert_eq!(c.out.capacity(), 0);
        assert_eq!(c.output.size, REPLY_CHUNK, "rbs is kept");
        assert_eq!(busy - c.mem_usage(), REPLY_CHUNK);
        c.add_bulk(b"again");
        assert_eq!(c.out.capacity(), REPLY_CHUNK);
        assert_eq!(c.take_out(), b"$5\r\nagain\r\n");
    }

    #[test]
    fn the_argument_array_follows_its_peak() {
        let mut c = client();
        c.argv = (0..1000).map(|_| bytes::Bytes::from_static(b"k")).collect();
        c.reset_argv();
        assert!(c.argv.capacity() >= 1000);
        c.release_idle_buffers(0);
        // The peak of the last pass was 1000 arguments: kept.
        assert!(c.argv.capacity() >= 1000);
        c.argv.push(bytes::Bytes::from_static(b"PING"));
        c.reset_argv();
        c.release_idle_buffers(0);
        assert!(c.argv.capacity() < 100, "{}", c.argv.capacity());
        c.release_idle_buffers(3);
        assert_eq!(c.argv.capacity(), 0);
    }

    #[test]
    fn output_limits_follow_the_class_and_the_soft_limit_waits_its_seconds() {
        let none = ObufLimit {
            hard_limit_bytes: 0,
            soft_limit_bytes: 0,
            soft_limit_seconds: 0,
        };
        let pubsub = ObufLimit {
            hard_limit_bytes: 1_000_000,
            soft_limit_bytes: 100,
            soft_limit_seconds: 2,
        };
        let limits = [none, none, pubsub];
        let mut c = client();
        c.add_bulk(&[b'x'; 200]);
        assert!(!c.check_output_limits(&limits, 0));
        assert_eq!(c.output.hard_limit, 0);
        c.flags |= flags::PUBSUB;
        assert!(!c.check_output_limits(&limits, 1_000));
        assert_eq!(c.output.hard_limit, 1_000_000);
        assert!(!c.check_output_limits(&limits, 3_000));
        assert!(c.check_output_limits(&limits, 4_000));
        c.take_out();
        assert!(!c.check_output_limits(&limits, 5_000));
        assert_eq!(c.obuf_soft_since, None);
    }
}
