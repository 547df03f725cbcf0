//! Per-connection state: the socket, the query buffer and parser position, the
//! current command's arguments, the reply buffer, and the session (db, protocol,
//! name, authentication).
//!
//! The reactor reads into `querybuf`; `call()` runs each parsed command and the
//! handlers append replies through the `add_*` methods (`client/reply.rs`);
//! `before_sleep` writes the pending output (`client/output.rs`) to the socket.

pub mod blocked;
pub mod info;
pub mod output;
pub mod pubsub;
pub mod registry;
pub mod repl;
pub mod reply;
pub mod tracking;

use std::io;
use std::os::fd::{AsRawFd, RawFd};

use bytes::{Bytes, BytesMut};
use mio::net::{TcpStream, UnixStream};

use crate::db::watch::{self, Touch, WatchedKey};
use crate::resp::parse::ParseState;

/// The two kinds of client socket.
pub enum Conn {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Conn {
    pub fn fd(&self) -> RawFd {
        match self {
            Conn::Tcp(s) => s.as_raw_fd(),
            Conn::Unix(s) => s.as_raw_fd(),
        }
    }

    pub fn source(&mut self) -> &mut dyn mio::event::Source {
        match self {
            Conn::Tcp(s) => s,
            Conn::Unix(s) => s,
        }
    }

    /// Reads into the spare capacity of `buf` (at least `want` bytes of room).
    /// Returns the number of bytes read; 0 means the peer closed.
    pub fn read_into(&mut self, buf: &mut BytesMut, want: usize) -> io::Result<usize> {
        buf.reserve(want);
        let spare = buf.capacity() - buf.len();
        // SAFETY: read(2) writes at most `spare` bytes into the spare capacity and
        // we only advance over what it reports as written.
        let n = unsafe {
            libc::read(
                self.fd(),
                buf.as_mut_ptr().add(buf.len()) as *mut libc::c_void,
                spare,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        unsafe { buf.set_len(buf.len() + n as usize) };
        Ok(n as usize)
    }

    /// write(2) on the socket (SIGPIPE is ignored, so a closed peer is EPIPE).
    pub fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        // SAFETY: write(2) reads at most `data.len()` bytes from `data`.
        let n = unsafe { libc::write(self.fd(), data.as_ptr() as *const libc::c_void, data.len()) };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    }

    /// The socket's pending error (SO_ERROR): how a non-blocking connect
    /// that fired its writable event tells whether it failed.
    pub fn take_error(&self) -> Option<io::Error> {
        match self {
            Conn::Tcp(s) => s.take_error().ok().flatten(),
            Conn::Unix(s) => s.take_error().ok().flatten(),
        }
    }

    pub fn is_unix(&self) -> bool {
        matches!(self, Conn::Unix(_))
    }
}

/// What the query buffer does not say itself: its allocation (bytes the
/// parser consumed from its front still occupy it), its peak since the last
/// cron pass, and the bytes of the commands run from it in the current batch
/// (Redis trims the buffer only after the batch, so the running client's
/// own command counts in its `qbuf`).
#[derive(Default, Debug)]
pub struct QueryBufStats {
    start: usize,
    alloc: usize,
    pub peak: usize,
    pub batch: usize,
    /// Most arguments of a command since the last cron pass.
    argv_peak: usize,
}

/// The argument array kept between commands, in arguments (the parser's
/// first reservation for a multibulk is at most this).
const ARGV_KEEP: usize = 1024;
/// An argument array this small is never worth shrinking while in use.
const ARGV_SMALL: usize = 16;

/// Query buffers with more spare room than this are worth resizing
/// (clientsCronResizeQueryBuffer).
const QB_WASTE: usize = 4 * 1024;
/// A busy client's query buffer is shrunk only past this size
/// (PROTO_RESIZE_THRESHOLD).
const QB_RESIZE_THRESHOLD: usize = 32 * 1024;

/// Client flag bits (Redis's CLIENT_* names where they exist).
pub mod flags {
    /// Close after the pending replies are written (QUIT, protocol error).
    pub const CLOSE_AFTER_REPLY: u32 = 1 << 0;
    /// Close as soon as possible, without writing (killed, limits).
    pub const CLOSE_ASAP: u32 = 1 << 1;
    /// Queued in the server's pending-writes list.
    pub const PENDING_WRITE: u32 = 1 << 2;
    /// WRITABLE interest is armed with the poller.
    pub const WRITE_ARMED: u32 = 1 << 3;
    /// Inside MULTI.
    pub const MULTI: u32 = 1 << 4;
    /// Replies are suppressed (CLIENT REPLY OFF/SKIP).
    pub const REPLY_OFF: u32 = 1 << 5;
    pub const REPLY_SKIP_NEXT: u32 = 1 << 6;
    pub const REPLY_SKIP: u32 = 1 << 7;
    /// The command is being re-run for a blocked client whose key became ready.
    pub const RERUN: u32 = 1 << 8;
    /// Blocking is not allowed (inside MULTI/EXEC, scripts): blocking commands
    /// answer as on timeout.
    pub const DENY_BLOCKING: u32 = 1 << 9;
    /// A watched key was modified: EXEC will fail.
    pub const DIRTY_CAS: u32 = 1 << 10;
    /// A command was rejected while queueing: EXEC will abort.
    pub const DIRTY_EXEC: u32 = 1 << 11;
    /// Subscribed to channels or patterns (the pubsub output-buffer class).
    pub const PUBSUB: u32 = 1 << 12;
    /// In MONITOR mode: receives a line for every command other clients run.
    pub const MONITOR: u32 = 1 << 13;
    /// A parsed command waits in `argv` for CLIENT PAUSE to end.
    pub const POSTPONED: u32 = 1 << 14;
    /// The pending output holds only messages other clients' commands
    /// delivered (pub/sub): no reply of this client's own waits in it, so
    /// its write may be coalesced (reactor.rs, `PUSH_COALESCE`).
    pub const PUSH_ONLY: u32 = 1 << 15;
    /// The output passed the hard `client-output-buffer-limit` while growing:
    /// it was dropped, nothing more is added, the server closes the client.
    pub const OBUF_LIMIT: u32 = 1 << 16;
    /// Out-of-band data is being appended (pub/sub messages and confirmations,
    /// tracking invalidations): CLIENT REPLY OFF/SKIP does not silence it, as
    /// Redis's CLIENT_PUSHING.
    pub const PUSHING: u32 = 1 << 17;
    /// CLIENT NO-EVICT on (shown as `e` in CLIENT LIST).
    pub const NO_EVICT: u32 = 1 << 18;
    /// appendfsync always: the output waits for the fsync of the AOF bytes
    /// it may depend on, and the client's input is not run meanwhile
    /// (persist/aof.rs).
    pub const AOF_HELD: u32 = 1 << 19;
    /// The AOF loader's client (Redis's mustObeyClient): what it sends was
    /// already checked by the server that propagated it.
    pub const OBEY: u32 = 1 << 20;
    /// A data command (READONLY or WRITE) answered since the output was last
    /// stamped for the AOF (persist/aof.rs).
    pub const AOF_DEP: u32 = 1 << 21;
    /// The link to our master (repl/replica.rs): its input is the
    /// handshake's replies, then the payload, then the stream.
    pub const MASTER: u32 = 1 << 22;
}

pub struct Client {
    pub id: u64,
    pub conn: Conn,
    /// Slab key, also the mio token.
    pub token: usize,
    pub addr: String,
    pub laddr: String,
    pub querybuf: BytesMut,
    /// The query buffer's bookkeeping for CLIENT LIST and the cron.
    pub qb: QueryBufStats,
    pub parse: ParseState,
    pub argv: Vec<Bytes>,
    /// The reply buffer: pending reply bytes, `out_pos` of them already
    /// written; what does not fit continues in `output`'s blocks.
    pub out: Vec<u8>,
    pub out_pos: usize,
    pub output: output::Output,
    pub flags: u32,
    pub db: usize,
    /// Protocol version: 2 or 3.
    pub resp: u8,
    pub name: Option<Bytes>,
    pub authenticated: bool,
    pub user: &'static str,
    /// Creation time and last interaction, in ms.
    pub ctime_ms: i64,
    pub last_interaction_ms: i64,
    /// When a subscriber's output was last written (push coalescing).
    pub last_push_write: std::time::Instant,
    /// Full name of the last command (for CLIENT LIST `cmd=`).
    pub last_cmd: &'static str,
    /// Error replies sent while running the current command.
    pub errors_in_cmd: u32,
    /// Error codes (`ERR`, `WRONGTYPE`...) of those replies, drained into INFO
    /// errorstats by `Server::count_client_errors`.
    pub error_codes: Vec<String>,
    /// Commands queued by MULTI.
    pub mstate: Vec<Vec<Bytes>>,
    /// WATCHed keys: (db, key, already logically expired when watched).
    pub watched: Vec<WatchedKey>,
    /// Since when the output buffer is over the soft limit (ms).
    pub obuf_soft_since: Option<i64>,
    /// Set while the client waits in a blocking command.
    pub blocked: Option<Box<blocked::BlockState>>,
    /// Total bytes read and written (INFO stats).
    pub net_in: u64,
    pub net_out: u64,
    /// Channels, shard channels and patterns subscribed to (pubsub.rs); None
    /// when there are none. `flags::PUBSUB` is set while any exist.
    pub pubsub: Option<Box<pubsub::ClientSubs>>,
    /// Client-side caching state, while CLIENT TRACKING is on (tracking.rs).
    pub tracking: Option<Box<tracking::ClientTracking>>,
    /// Replication state: REPLCONF options, and the sync of a replica (repl/master.rs).
    pub repl: Option<Box<repl::ReplicaState>>,
    /// The AOF offset this client's pending output waits for (0: none).
    pub aof_wait: u64,
    /// `master_repl_offset` after the client's last command (Redis's
    /// `c->woff`): what its WAIT asks the replicas to have acknowledged, so
    /// that it covers the client's own writes.
    pub woff: u64,
}

/// The allocator's charge for a buffer of `n` bytes (none for no buffer).
#[inline]
fn heap(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        crate::alloc::size_class(n)
    }
}

impl Client {
    /// Redis's `islocalClient`: a unix-socket client, or a TCP peer at
    /// 127.0.0.1 or ::1 exactly (the rest of 127.0.0.0/8 is not local).
    pub fn is_local(&self) -> bool {
        if self.conn.is_unix() {
            return true;
        }
        let ip = self
            .addr
            .rsplit_once(':')
            .map_or(&self.addr[..], |(ip, _)| ip);
        ip == "127.0.0.1" || ip == "::1"
    }

    pub fn new(
        id: u64,
        conn: Conn,
        token: usize,
        addr: String,
        laddr: String,
        now_ms: i64,
    ) -> Client {
        Client {
            id,
            conn,
            token,
            addr,
            laddr,
            querybuf: BytesMut::new(),
            qb: QueryBufStats::default(),
            parse: ParseState::default(),
            argv: Vec::new(),
            out: Vec::new(),
            out_pos: 0,
            output: output::Output::new(now_ms),
            flags: 0,
            db: 0,
            resp: 2,
            name: None,
            authenticated: false,
            user: "default",
            ctime_ms: now_ms,
            last_interaction_ms: now_ms,
            last_push_write: std::time::Instant::now(),
            last_cmd: "NULL",
            errors_in_cmd: 0,
            error_codes: Vec::new(),
            mstate: Vec::new(),
            watched: Vec::new(),
            obuf_soft_since: None,
            blocked: None,
            net_in: 0,
            net_out: 0,
            pubsub: None,
            tracking: None,
            repl: None,
            aof_wait: 0,
            woff: 0,
        }
    }

    #[inline]
    pub fn has(&self, f: u32) -> bool {
        self.flags & f != 0
    }

    /// Drops the arguments of a command that ran. The array goes too when a
    /// big multibulk grew it, so a client that sent 100k arguments once does
    /// not keep megabytes for the rest of its life (Redis frees it likewise).
    pub fn reset_argv(&mut self) {
        self.qb.argv_peak = self.qb.argv_peak.max(self.argv.len());
        if self.argv.capacity() > ARGV_KEEP {
            self.argv = Vec::new();
        } else {
            self.argv.clear();
        }
    }

    /// Notes the query buffer after it was reserved or read into: where its
    /// allocation starts (a reserve may have moved it) and its peak.
    pub fn note_query_buffer(&mut self) {
        let ptr = self.querybuf.as_ptr() as usize;
        let end = ptr + self.querybuf.capacity();
        let q = &mut self.qb;
        if ptr >= q.start && ptr <= q.start + q.alloc {
            q.alloc = q.alloc.max(end - q.start);
        } else {
            q.start = ptr;
            q.alloc = self.querybuf.capacity();
        }
        q.peak = q.peak.max(self.querybuf.len());
    }

    /// The query buffer's allocation.
    fn query_buffer_alloc(&self) -> usize {
        let ptr = self.querybuf.as_ptr() as usize;
        let q = &self.qb;
        if ptr >= q.start && ptr + self.querybuf.capacity() <= q.start + q.alloc {
            q.alloc
        } else {
            self.querybuf.capacity()
        }
    }

    /// CLIENT LIST `qbuf` and `qbuf-free`.
    pub fn qbuf_fields(&self) -> (usize, usize) {
        let used = self.querybuf.len() + self.qb.batch;
        (used, self.query_buffer_alloc().saturating_sub(used))
    }

    /// Redis's clientsCronResizeQueryBuffer: a buffer wasting a few KB is
    /// freed once the client idles more than 2 s, or, past 32 KB, cut to its
    /// recent peak (never below a bulk being read). Then a new peak starts.
    pub fn resize_query_buffer(&mut self, idle_s: i64) {
        let len = self.querybuf.len();
        let alloc = self.query_buffer_alloc();
        let bulk = self.parse.bulk_len().map_or(0, |l| l + 2);
        if self.querybuf.capacity() - len > QB_WASTE {
            let target = if idle_s > 2 {
                Some(len)
            } else if alloc > QB_RESIZE_THRESHOLD && alloc / 2 > self.qb.peak {
                Some(len.max(self.qb.peak).max(bulk))
            } else {
                None
            };
            if let Some(target) = target {
                let mut buf = BytesMut::with_capacity(target);
                buf.extend_from_slice(&self.querybuf);
                self.querybuf = buf;
                self.note_query_buffer();
            }
        }
        self.qb.peak = self.querybuf.len().max(bulk);
    }

    /// The rest of what clientsCron gives back: a client idle more than 2 s
    /// (the query buffer's rule) keeps no empty buffer at all, neither the
    /// reply buffer (its size, CLIENT LIST `rbs`, is kept: the next reply
    /// allocates it again, once) nor the argument array nor the bookkeeping
    /// vectors; a busy client's argument array is cut to its recent peak. A
    /// connection at rest then costs its `Client` and little else. Nothing on
    /// the command path allocates for it: buffers come back at most once per
    /// pass of the cron, about once a second.
    pub fn release_idle_buffers(&mut self, idle_s: i64) {
        let idle = idle_s > 2;
        if self.argv.is_empty() {
            let peak = self.qb.argv_peak;
            if idle {
                self.argv = Vec::new();
            } else if self.argv.capacity() > ARGV_SMALL.max(peak * 2) {
                self.argv.shrink_to(peak.max(ARGV_SMALL));
            }
        }
        self.qb.argv_peak = self.argv.len();
        if self.output.reply.is_empty() {
            self.output.reply = Default::default();
            if idle && self.out.is_empty() && self.out.capacity() > 0 {
                self.out = Vec::new();
            }
        }
        if idle {
            if self.error_codes.is_empty() {
                self.error_codes = Vec::new();
            }
            if self.mstate.is_empty() {
                self.mstate = Vec::new();
            }
            if self.watched.is_empty() {
                self.watched = Vec::new();
            }
        }
    }

    /// Memory the client holds (CLIENT LIST `tot-mem`, INFO's client
    /// memory): what Redis's getClientMemoryUsage counts (the struct, the
    /// query buffer, the reply buffer and blocks, the arguments, the queued
    /// commands, the subscriptions), each as the allocator holds it, so that
    /// the clients' sum agrees with `used_memory`. Unlike Redis's, the reply
    /// buffer counts only while allocated (an idle client's is released), and
    /// arguments that live inside the query buffer are not counted twice.
    pub fn mem_usage(&self) -> usize {
        use std::mem::size_of;
        // The slab holds a `Box<Client>` in a 16-byte slot.
        let mut mem = heap(size_of::<Client>()) + 16;
        mem += heap(self.query_buffer_alloc());
        mem += heap(self.out.capacity());
        mem += self.reply_list_mem()
            + (self.output.reply.capacity() - self.output.reply.len()) * size_of::<Vec<u8>>();
        mem += heap(self.argv.capacity() * size_of::<Bytes>());
        mem += self.own_args_mem(&self.argv);
        mem += heap(self.addr.capacity()) + heap(self.laddr.capacity());
        mem += self.name.as_ref().map_or(0, |n| heap(n.len()));
        mem += heap(self.mstate.capacity() * size_of::<Vec<Bytes>>());
        for argv in &self.mstate {
            mem += heap(argv.capacity() * size_of::<Bytes>()) + self.own_args_mem(argv);
        }
        mem += heap(self.watched.capacity() * size_of::<WatchedKey>());
        mem += heap(self.error_codes.capacity() * size_of::<String>());
        if let Some(b) = &self.blocked {
            mem += heap(size_of::<blocked::BlockState>())
                + heap(b.keys.capacity() * size_of::<Bytes>())
                + heap(b.argv.capacity() * size_of::<Bytes>())
                + self.own_args_mem(&b.argv);
        }
        if let Some(p) = &self.pubsub {
            // The channel names are shared with the server's tables.
            let n = p.channels.capacity() + p.shard_channels.capacity();
            mem += heap(size_of::<pubsub::ClientSubs>())
                + heap(n * (size_of::<Bytes>() + 1))
                + heap(p.patterns.capacity() * size_of::<Bytes>());
        }
        if let Some(r) = &self.repl {
            mem += heap(size_of::<repl::ReplicaState>()) + heap(r.pending.capacity());
            // The RDB of a sync is shared by the replicas it serves.
            if let Some(rdb) = &r.rdb {
                mem += heap(rdb.capacity()) / std::sync::Arc::strong_count(rdb);
            }
        }
        if let Some(t) = &self.tracking {
            mem += heap(size_of::<tracking::ClientTracking>())
                + t.prefixes
                    .iter()
                    .map(|p| 2 * size_of::<Bytes>() + p.len())
                    .sum::<usize>();
        }
        mem
    }

    /// Bytes of the arguments in `argv` that own an allocation: those split
    /// from the query buffer are part of it (and counted with it).
    fn own_args_mem(&self, argv: &[Bytes]) -> usize {
        let lo = self.qb.start;
        let hi = lo + self.query_buffer_alloc();
        argv.iter()
            .filter(|a| {
                let p = a.as_ptr() as usize;
                !a.is_empty() && !(lo..hi).contains(&p)
            })
            .map(|a| heap(a.len()))
            .sum()
    }

    /// Bytes of the arguments held (CLIENT LIST `argv-mem`): the current
    /// command's, or while blocked the command kept for its re-run, as Redis
    /// keeps a blocked client's argv.
    pub fn argv_mem(&self) -> usize {
        let held = self
            .blocked
            .as_ref()
            .map(|b| &b.argv)
            .filter(|_| self.argv.is_empty());
        held.unwrap_or(&self.argv).iter().map(|a| a.len()).sum()
    }

    /// A modification of a key the client may watch: marks its transaction
    /// `DIRTY_CAS` when it changes what the client saw (db/watch.rs).
    pub fn watched_key_touched(&mut self, db: usize, key: &[u8], how: Touch) {
        if watch::key_touched(&mut self.watched, db, key, how) {
            self.flags |= flags::DIRTY_CAS;
        }
    }

    /// The argument `i` as UTF-8 lossy text (for error messages).
    pub fn arg_str(&self, i: usize) -> String {
        String::from_utf8_lossy(&self.argv[i]).into_owned()
    }
}
