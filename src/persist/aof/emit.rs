//! A dataset as commands: the AOF base written with
//! `aof-use-rdb-preamble no` (Redis 7.0's rewriteAppendOnlyFileRio).
//!
//! ```text
//!  file   = (SELECT db  key*)*          one SELECT before a db's first key
//!  key    = commands(type) [PEXPIREAT key unix-ms]
//!  string = SET key value
//!  list   = RPUSH key elem*64 ...       head to tail
//!  set    = SADD key member*64 ...      intset ascending, else storage order
//!  zset   = ZADD key (score member)*64  score as %.17g
//!  hash   = HMSET key (field value)*64
//!  stream = XADD key id field value ... one per entry, ascending
//!           (an empty stream: XADD key MAXLEN 0 0-1 x y)
//!           XSETID key last-id ENTRIESADDED n MAXDELETEDID id
//!           per group (name order): XGROUP CREATE key group last-id ENTRIESREAD n
//!             per consumer (name order): its PEL as
//!               XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n JUSTID FORCE
//!             or, with no PEL, XGROUP CREATECONSUMER key group consumer
//! ```
//!
//! Every command is a RESP multibulk, at most 64 items
//! ([`AOF_REWRITE_ITEMS_PER_CMD`]) per command for the aggregates. Keys that
//! have expired by `now_ms` are left out (their PEXPIREAT would only delete
//! them again). Replaying the output through `call()` on an empty server
//! rebuilds an equal dataset (same DEBUG DIGEST).
//!
//! The caller writes anything that precedes the data (a `#TS:` annotation
//! with `aof-timestamp-enabled`, see [`timestamp_annotation`]).

use std::io::{self, Write};

use crate::db::object::Object;
use crate::db::segment::Segment;
use crate::db::set::Member;
use crate::db::stream::{Stream, StreamId};
use crate::db::{Entry, ValueRef};
use crate::persist::rdb::DbSnapshot;
use crate::util::number::{format_double_into, format_i64, format_u64, I64_BUF};

/// Items (elements, members, pairs) per command of an aggregate.
pub const AOF_REWRITE_ITEMS_PER_CMD: usize = 64;

/// Buffered bytes before a write to the sink (as the RDB writer: small enough
/// that a snapshot thread's courtesy checks come often).
const FLUSH_AT: usize = 16 * 1024;
const PROGRESS_EVERY: u64 = 1 << 20;
/// Entries ahead of the one being written whose header is prefetched.
const PREFETCH_ENTRY: usize = 8;

/// Writes every database of `dbs` as commands (see the module doc), dropping
/// each frozen segment once written (as `rdb::write_rdb_releasing`).
/// `progress` gets the bytes written so far about every megabyte. The sink is
/// flushed at the end.
pub fn write_commands(
    w: &mut dyn Write,
    dbs: Vec<DbSnapshot>,
    now_ms: i64,
    progress: &mut dyn FnMut(u64),
) -> io::Result<()> {
    let mut e = Emitter {
        w,
        out: Vec::with_capacity(FLUSH_AT * 2),
        written: 0,
        next_progress: PROGRESS_EVERY,
        progress,
        now_ms,
    };
    for mut db in dbs {
        let mut selected = false;
        for seg in std::mem::take(&mut db.segments) {
            e.segment(db.id, &seg, &mut selected)?;
            drop(seg);
        }
    }
    e.flush()?;
    e.w.flush()
}

/// The `#TS:<unix seconds>` line Redis puts first in a commands-format
/// rewrite when `aof-timestamp-enabled` is on.
pub fn timestamp_annotation(unix_s: i64) -> Vec<u8> {
    format!("#TS:{unix_s}\r\n").into_bytes()
}

struct Emitter<'a> {
    w: &'a mut dyn Write,
    out: Vec<u8>,
    written: u64,
    next_progress: u64,
    progress: &'a mut dyn FnMut(u64),
    now_ms: i64,
}

impl Emitter<'_> {
    fn flush(&mut self) -> io::Result<()> {
        self.w.write_all(&self.out)?;
        self.written += self.out.len() as u64;
        self.out.clear();
        if self.written >= self.next_progress {
            (self.progress)(self.written);
            self.next_progress = self.written + PROGRESS_EVERY;
        }
        Ok(())
    }

    fn segment(&mut self, db: usize, seg: &Segment, selected: &mut bool) -> io::Result<()> {
        let mut far = seg.iter().skip(PREFETCH_ENTRY);
        for ent in seg.iter() {
            if let Some(f) = far.next() {
                f.prefetch();
            }
            if ent.expire().is_some_and(|t| t < self.now_ms) {
                continue;
            }
            if !*selected {
                self.count(2);
                self.bulk(b"SELECT");
                self.bulk_u64(db as u64);
                *selected = true;
            }
            self.entry(ent);
            if self.out.len() >= FLUSH_AT {
                self.flush()?;
            }
        }
        Ok(())
    }

    fn entry(&mut self, ent: &Entry) {
        let key = ent.key();
        match ent.value() {
            ValueRef::Int(v) => {
                self.count(3);
                self.bulk(b"SET");
                self.bulk(key);
                self.bulk_i64(v);
            }
            ValueRef::Str(s) => {
                self.count(3);
                self.bulk(b"SET");
                self.bulk(key);
                self.bulk(s);
            }
            ValueRef::Obj(Object::List(l)) => {
                let mut b = Batch::new(b"RPUSH", l.len(), 1);
                for el in l.iter() {
                    b.item(self, key);
                    match el {
                        crate::db::list::Elem::Int(v) => self.bulk_i64(v),
                        crate::db::list::Elem::Str(s) => self.bulk(s),
                    }
                }
            }
            ValueRef::Obj(Object::Set(s)) => {
                let mut b = Batch::new(b"SADD", s.len(), 1);
                for m in s.iter() {
                    b.item(self, key);
                    match m {
                        Member::Int(v) => self.bulk_i64(v),
                        Member::Str(s) => self.bulk(s),
                    }
                }
            }
            ValueRef::Obj(Object::Zset(z)) => {
                let mut b = Batch::new(b"ZADD", z.len(), 2);
                for (m, score) in z.iter() {
                    b.item(self, key);
                    self.bulk_double(score);
                    self.bulk(&m);
                }
            }
            ValueRef::Obj(Object::Hash(h)) => {
                let mut b = Batch::new(b"HMSET", h.len(), 2);
                for (f, v) in h.iter() {
                    b.item(self, key);
                    self.bulk(f);
                    self.bulk(v);
                }
            }
            ValueRef::Obj(Object::Stream(st)) => self.stream(key, st),
        }
        if let Some(t) = ent.expire() {
            self.count(3);
            self.bulk(b"PEXPIREAT");
            self.bulk(key);
            self.bulk_i64(t);
        }
    }

    /// rewriteStreamObject.
    fn stream(&mut self, key: &[u8], st: &Stream) {
        if !st.is_empty() {
            for (id, fields) in st.iter_range(StreamId::MIN, StreamId::MAX, false) {
                self.count(3 + 2 * fields.len());
                self.bulk(b"XADD");
                self.bulk(key);
                self.bulk_id(id);
                for (f, v) in fields {
                    self.bulk(&f);
                    self.bulk(&v);
                }
            }
        } else {
            // XADD with MAXLEN 0 leaves an empty stream behind; XSETID then
            // sets its real last ID.
            self.count(7);
            self.bulk(b"XADD");
            self.bulk(key);
            self.bulk(b"MAXLEN");
            self.bulk(b"0");
            self.bulk_id(StreamId { ms: 0, seq: 1 });
            self.bulk(b"x");
            self.bulk(b"y");
        }
        self.count(7);
        self.bulk(b"XSETID");
        self.bulk(key);
        self.bulk_id(st.last_id());
        self.bulk(b"ENTRIESADDED");
        self.bulk_u64(st.entries_added());
        self.bulk(b"MAXDELETEDID");
        self.bulk_id(st.max_deleted_id());
        for (gname, g) in st.groups() {
            self.count(7);
            self.bulk(b"XGROUP");
            self.bulk(b"CREATE");
            self.bulk(key);
            self.bulk(gname);
            self.bulk_id(g.last_id);
            self.bulk(b"ENTRIESREAD");
            self.bulk_i64(g.entries_read);
            for (cname, c) in g.consumers() {
                if c.pel_len() == 0 {
                    self.count(5);
                    self.bulk(b"XGROUP");
                    self.bulk(b"CREATECONSUMER");
                    self.bulk(key);
                    self.bulk(gname);
                    self.bulk(cname);
                    continue;
                }
                for id in c.pel() {
                    let Some(nack) = g.pending(id) else {
                        continue;
                    };
                    self.count(12);
                    self.bulk(b"XCLAIM");
                    self.bulk(key);
                    self.bulk(gname);
                    self.bulk(cname);
                    self.bulk(b"0");
                    self.bulk_id(id);
                    self.bulk(b"TIME");
                    self.bulk_i64(nack.delivery_time);
                    self.bulk(b"RETRYCOUNT");
                    self.bulk_u64(nack.delivery_count);
                    self.bulk(b"JUSTID");
                    self.bulk(b"FORCE");
                }
            }
        }
    }

    /// `*<n>\r\n`.
    fn count(&mut self, n: usize) {
        self.out.push(b'*');
        self.out
            .extend_from_slice(format_u64(n as u64, &mut [0u8; I64_BUF]));
        self.out.extend_from_slice(b"\r\n");
    }

    /// `$<len>\r\n<bytes>\r\n`.
    fn bulk(&mut self, s: &[u8]) {
        self.out.push(b'$');
        self.out
            .extend_from_slice(format_u64(s.len() as u64, &mut [0u8; I64_BUF]));
        self.out.extend_from_slice(b"\r\n");
        self.out.extend_from_slice(s);
        self.out.extend_from_slice(b"\r\n");
    }

    fn bulk_i64(&mut self, v: i64) {
        self.bulk(format_i64(v, &mut [0u8; I64_BUF]));
    }

    fn bulk_u64(&mut self, v: u64) {
        self.bulk(format_u64(v, &mut [0u8; I64_BUF]));
    }

    /// rioWriteBulkDouble: `%.17g`.
    fn bulk_double(&mut self, v: f64) {
        let mut t = Vec::with_capacity(24);
        format_double_into(v, &mut t);
        self.bulk(&t);
    }

    /// `<ms>-<seq>`.
    fn bulk_id(&mut self, id: StreamId) {
        let mut t = Vec::with_capacity(42);
        id.write(&mut t);
        self.bulk(&t);
    }
}

/// Splits an aggregate's items into commands of at most
/// [`AOF_REWRITE_ITEMS_PER_CMD`] items, each `<cmd> <key> item...`.
struct Batch {
    cmd: &'static [u8],
    /// Items not yet written.
    left: usize,
    /// Items written in the current command.
    in_cmd: usize,
    /// Arguments per item (2 for pairs).
    width: usize,
}

impl Batch {
    fn new(cmd: &'static [u8], items: usize, width: usize) -> Batch {
        Batch {
            cmd,
            left: items,
            in_cmd: 0,
            width,
        }
    }

    /// Called before each item: starts a new command when the last is full.
    fn item(&mut self, e: &mut Emitter<'_>, key: &[u8]) {
        if self.in_cmd == 0 {
            let n = self.left.min(AOF_REWRITE_ITEMS_PER_CMD);
            e.count(2 + n * self.width);
            e.bulk(self.cmd);
            e.bulk(key);
        }
        self.in_cmd += 1;
        if self.in_cmd == AOF_REWRITE_ITEMS_PER_CMD {
            self.in_cmd = 0;
        }
        self.left = self.left.saturating_sub(1);
    }
}
