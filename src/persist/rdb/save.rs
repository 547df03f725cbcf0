//! Writing RDB: lengths, strings (integer, LZF or plain, as Redis's
//! rdbSaveRawString chooses), values, and whole files.

use std::io::{self, Write};

use super::*;
use crate::db::hash::Hash;
use crate::db::list::Listpack;
use crate::db::object::Object;
use crate::db::segment::Segment;
use crate::db::set::Set;
use crate::db::stream::{Stream, StreamId};
use crate::db::zset::Zset;
use crate::db::{Entry, ValueRef};
use crate::util::number::{d2string, parse_i64};
use crate::util::REDIS_VERSION;

/// Strings up to this length are tried as integers (Redis: 11, "-2147483648").
const INT_TRY_MAX: usize = 11;
/// Strings longer than this are tried with LZF.
const LZF_MIN: usize = 20;
/// Buffered bytes before a write to the sink (small enough that a snapshot
/// thread's courtesy checks, made per write, come about every 100 us).
const FLUSH_AT: usize = 16 * 1024;
const PROGRESS_EVERY: u64 = 1 << 20;

/// A byte sink that values are serialised into (a Vec, or the file buffer).
pub(super) struct Out {
    pub buf: Vec<u8>,
    pub compression: bool,
    /// LZF output, reused from string to string.
    pub scratch: Vec<u8>,
}

impl Out {
    fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    fn bytes(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }

    pub fn len(&mut self, n: u64) {
        if n < 1 << 6 {
            self.byte((LEN_6BIT << 6) | n as u8);
        } else if n < 1 << 14 {
            self.byte((LEN_14BIT << 6) | (n >> 8) as u8);
            self.byte(n as u8);
        } else if n <= u32::MAX as u64 {
            self.byte(LEN_32BIT);
            self.bytes(&(n as u32).to_be_bytes());
        } else {
            self.byte(LEN_64BIT);
            self.bytes(&n.to_be_bytes());
        }
    }

    /// The integer string encodings, for values that fit 32 bits.
    fn try_int(&mut self, v: i64) -> bool {
        let enc = LEN_ENCVAL << 6;
        if let Ok(x) = i8::try_from(v) {
            self.byte(enc | ENC_INT8);
            self.byte(x as u8);
        } else if let Ok(x) = i16::try_from(v) {
            self.byte(enc | ENC_INT16);
            self.bytes(&x.to_le_bytes());
        } else if let Ok(x) = i32::try_from(v) {
            self.byte(enc | ENC_INT32);
            self.bytes(&x.to_le_bytes());
        } else {
            return false;
        }
        true
    }

    /// A string value (Redis's rdbSaveRawString).
    pub fn string(&mut self, s: &[u8]) {
        if s.len() <= INT_TRY_MAX {
            if let Some(v) = parse_i64(s) {
                if self.try_int(v) {
                    return;
                }
            }
        }
        if self.compression && s.len() > LZF_MIN {
            // Redis asks lzf for at most len - 4 bytes.
            let mut c = std::mem::take(&mut self.scratch);
            let packed = lzf::compress_into(s, s.len() - 3, &mut c);
            if packed {
                self.byte((LEN_ENCVAL << 6) | ENC_LZF);
                self.len(c.len() as u64);
                self.len(s.len() as u64);
                self.bytes(&c);
            }
            self.scratch = c;
            if packed {
                return;
            }
        }
        self.len(s.len() as u64);
        self.bytes(s);
    }

    /// An integer string (Redis's rdbSaveLongLongAsStringObject).
    pub fn int(&mut self, v: i64) {
        if !self.try_int(v) {
            let t = v.to_string();
            self.len(t.len() as u64);
            self.bytes(t.as_bytes());
        }
    }

    /// Type byte and value.
    pub fn value(&mut self, v: ValueRef<'_>) {
        self.byte(type_of(v));
        self.body(v);
    }

    /// The value without its type byte.
    pub fn body(&mut self, v: ValueRef<'_>) {
        match v {
            ValueRef::Int(i) => self.int(i),
            ValueRef::Str(s) => self.string(s),
            ValueRef::Obj(Object::List(l)) => {
                self.len(l.node_count() as u64);
                for node in l.nodes() {
                    self.len(QUICKLIST_NODE_PACKED);
                    self.string(node.as_bytes());
                }
            }
            ValueRef::Obj(Object::Hash(h)) => match h {
                Hash::Listpack(_) => {
                    let mut lp = Listpack::with_capacity(h.mem_usage() + 64);
                    for (f, v) in h.iter() {
                        lp.push_back(f);
                        lp.push_back(v);
                    }
                    self.string(lp.as_bytes());
                }
                Hash::Table(_) => {
                    self.len(h.len() as u64);
                    for (f, v) in h.iter() {
                        self.string(f);
                        self.string(v);
                    }
                }
            },
            ValueRef::Obj(Object::Set(s)) => match s {
                Set::Intset(is) => {
                    let w = is.width();
                    let mut blob = Vec::with_capacity(8 + w * is.len());
                    blob.extend_from_slice(&(w as u32).to_le_bytes());
                    blob.extend_from_slice(&(is.len() as u32).to_le_bytes());
                    for v in is.iter() {
                        blob.extend_from_slice(&v.to_le_bytes()[..w]);
                    }
                    self.string(&blob);
                }
                Set::Packed(_) | Set::Table(_) => {
                    self.len(s.len() as u64);
                    for m in s.iter() {
                        m.with_bytes(|b| self.string(b));
                    }
                }
            },
            ValueRef::Obj(Object::Zset(z)) => match z {
                // A real listpack of member, score pairs. Like zzlInsertAt, a
                // score that double2ll takes is written as an integer, any
                // other as d2string text.
                Zset::Listpack(_) => {
                    let mut lp = Listpack::with_capacity(z.mem_usage() * 2 + 64);
                    let half = (i64::MAX / 2) as f64;
                    for (m, sc) in z.iter() {
                        lp.push_back(&m);
                        if sc.fract() == 0.0 && (-half..=half).contains(&sc) {
                            lp.push_back((sc as i64).to_string().as_bytes());
                        } else {
                            lp.push_back(d2string(sc).as_bytes());
                        }
                    }
                    self.string(lp.as_bytes());
                }
                // ZSET_2: binary little-endian doubles, highest member first as
                // Redis writes them (so its loader inserts at the head).
                Zset::Skiplist(_) => {
                    let n = z.len();
                    self.len(n as u64);
                    if n > 0 {
                        z.range_by_rank(0, n - 1, true, |m, sc| {
                            self.string(m);
                            self.bytes(&sc.to_le_bytes());
                        });
                    }
                }
            },
            ValueRef::Obj(Object::Stream(st)) => self.stream(st),
        }
    }

    /// STREAM_LISTPACKS_2 as Redis 7.0 writes it: the nodes (128-bit
    /// big-endian master ID, listpack bytes), the counters, then each group
    /// with its PEL (raw IDs, delivery time and count) and its consumers (seen
    /// time, their PEL IDs).
    fn stream(&mut self, st: &Stream) {
        self.len(st.node_count() as u64);
        for (master, lp) in st.nodes() {
            self.string(&master.to_be_bytes());
            self.string(lp.as_bytes());
        }
        self.len(st.len());
        for id in [st.last_id(), st.first_id(), st.max_deleted_id()] {
            self.len(id.ms);
            self.len(id.seq);
        }
        self.len(st.entries_added());
        self.len(st.group_count() as u64);
        for (name, g) in st.groups() {
            self.string(name);
            self.len(g.last_id.ms);
            self.len(g.last_id.seq);
            self.len(g.entries_read as u64);
            self.len(g.pel_len() as u64);
            for (id, p) in g.pel_range(StreamId::MIN, StreamId::MAX) {
                self.bytes(&id.to_be_bytes());
                self.bytes(&p.delivery_time.to_le_bytes());
                self.len(p.delivery_count);
            }
            self.len(g.consumer_count() as u64);
            for (cname, c) in g.consumers() {
                self.string(cname);
                self.bytes(&c.seen_time.to_le_bytes());
                self.len(c.pel_len() as u64);
                for id in c.pel() {
                    self.bytes(&id.to_be_bytes());
                }
            }
        }
    }

    fn aux(&mut self, name: &str, val: &[u8]) {
        self.byte(OP_AUX);
        self.string(name.as_bytes());
        self.string(val);
    }

    fn aux_int(&mut self, name: &str, v: i64) {
        self.byte(OP_AUX);
        self.string(name.as_bytes());
        self.int(v);
    }
}

/// The RDB type a value is written as.
fn type_of(v: ValueRef<'_>) -> u8 {
    match v {
        ValueRef::Int(_) | ValueRef::Str(_) => TYPE_STRING,
        ValueRef::Obj(Object::List(_)) => TYPE_LIST_QUICKLIST_2,
        ValueRef::Obj(Object::Hash(Hash::Listpack(_))) => TYPE_HASH_LISTPACK,
        ValueRef::Obj(Object::Hash(Hash::Table(_))) => TYPE_HASH,
        ValueRef::Obj(Object::Set(Set::Intset(_))) => TYPE_SET_INTSET,
        ValueRef::Obj(Object::Set(Set::Packed(_) | Set::Table(_))) => TYPE_SET,
        ValueRef::Obj(Object::Zset(Zset::Listpack(_))) => TYPE_ZSET_LISTPACK,
        ValueRef::Obj(Object::Zset(Zset::Skiplist(_))) => TYPE_ZSET_2,
        ValueRef::Obj(Object::Stream(_)) => TYPE_STREAM_LISTPACKS_2,
    }
}

/// Serialises one value (type byte first) into `out` (DUMP).
pub(super) fn write_value(out: &mut Vec<u8>, v: ValueRef<'_>, compression: bool) {
    let mut o = Out {
        buf: std::mem::take(out),
        compression,
        scratch: Vec::new(),
    };
    o.value(v);
    *out = o.buf;
}

/// Moves buffered bytes to the sink, folding them into the checksum.
struct Sink<'a> {
    w: &'a mut dyn Write,
    crc: u64,
    checksum: bool,
    written: u64,
    next_progress: u64,
    progress: &'a mut dyn FnMut(u64),
}

impl Sink<'_> {
    fn flush(&mut self, o: &mut Out) -> io::Result<()> {
        if self.checksum {
            self.crc = crc64(self.crc, &o.buf);
        }
        self.w.write_all(&o.buf)?;
        self.written += o.buf.len() as u64;
        o.buf.clear();
        if self.written >= self.next_progress {
            (self.progress)(self.written);
            self.next_progress = self.written + PROGRESS_EVERY;
        }
        Ok(())
    }
}

/// Entries ahead of the one being written whose header is prefetched, and
/// (closer) whose string value is: walking a segment visits entries in hash
/// order, i.e. at random addresses, and each one costs a cache and TLB miss
/// (two with an out-of-line value). Issuing them early overlaps the misses.
const PREFETCH_ENTRY: usize = 8;
const PREFETCH_VALUE: usize = 4;

/// A whole RDB file in the making: header, then databases segment by segment,
/// then EOF and checksum.
pub(super) struct FileWriter<'a> {
    sink: Sink<'a>,
    o: Out,
    clock: KeyClock,
    lru_clock: u32,
    /// Save time in ms (LFU counters are decayed to it).
    now_ms: i64,
    checksum: bool,
}

impl<'a> FileWriter<'a> {
    /// Starts the file: magic, version and the AUX fields.
    pub fn new(
        w: &'a mut dyn Write,
        info: &SaveInfo,
        opts: &SaveOpts,
        clock: KeyClock,
        progress: &'a mut dyn FnMut(u64),
    ) -> FileWriter<'a> {
        let mut o = Out {
            buf: Vec::with_capacity(FLUSH_AT * 2),
            compression: opts.compression,
            scratch: Vec::new(),
        };
        o.bytes(MAGIC);
        o.bytes(format!("{RDB_VERSION:04}").as_bytes());
        o.aux("redis-ver", REDIS_VERSION.as_bytes());
        o.aux_int("redis-bits", 64);
        o.aux_int("ctime", info.ctime);
        o.aux_int("used-mem", info.used_mem as i64);
        o.aux_int("repl-stream-db", info.repl_stream_db);
        o.aux("repl-id", info.repl_id.as_bytes());
        o.aux_int("repl-offset", info.repl_offset);
        o.aux_int("aof-base", info.aof_base as i64);
        FileWriter {
            sink: Sink {
                w,
                crc: 0,
                checksum: opts.checksum,
                written: 0,
                next_progress: PROGRESS_EVERY,
                progress,
            },
            o,
            clock,
            lru_clock: (info.ctime as u64 as u32) & crate::db::LRU_CLOCK_MAX,
            now_ms: info.ctime * 1000,
            checksum: opts.checksum,
        }
    }

    /// SELECTDB and RESIZEDB of a database; false (nothing written) when it is
    /// empty.
    pub fn db_start(&mut self, db: &DbSnapshot) -> bool {
        if db.keys == 0 && db.segments.iter().all(|s| s.is_empty()) {
            return false;
        }
        let o = &mut self.o;
        o.byte(OP_SELECTDB);
        o.len(db.id as u64);
        o.byte(OP_RESIZEDB);
        o.len(db.keys as u64);
        o.len(db.expires as u64);
        true
    }

    /// Every key of one segment.
    pub fn segment(&mut self, seg: &Segment) -> io::Result<()> {
        let mut far = seg.iter().skip(PREFETCH_ENTRY);
        let mut near = seg.iter().skip(PREFETCH_VALUE);
        for e in seg.iter() {
            if let Some(f) = far.next() {
                f.prefetch();
            }
            if let Some(n) = near.next() {
                n.prefetch_value();
            }
            self.entry(e);
            if self.o.buf.len() >= FLUSH_AT {
                self.sink.flush(&mut self.o)?;
            }
        }
        Ok(())
    }

    fn entry(&mut self, e: &Entry) {
        let o = &mut self.o;
        if let Some(t) = e.expire() {
            o.byte(OP_EXPIRETIME_MS);
            o.bytes(&t.to_le_bytes());
        }
        match self.clock {
            KeyClock::Lru => {
                o.byte(OP_IDLE);
                o.len(idle_seconds(self.lru_clock, e.lru()));
            }
            KeyClock::Lfu { decay_time } => {
                let cfg = crate::db::lfu::Lfu {
                    log_factor: 0,
                    decay_time,
                };
                o.byte(OP_FREQ);
                o.byte(crate::db::lfu::decayed(e.lru(), cfg, self.now_ms) as u8);
            }
            KeyClock::None => {}
        }
        let v = e.value();
        o.byte(type_of(v));
        o.string(e.key());
        o.body(v);
    }

    /// EOF, the checksum, and a flush of the sink.
    pub fn finish(mut self) -> io::Result<()> {
        self.o.byte(OP_EOF);
        self.sink.flush(&mut self.o)?;
        let crc = if self.checksum { self.sink.crc } else { 0 };
        self.sink.w.write_all(&crc.to_le_bytes())?;
        self.sink.w.flush()
    }
}

pub(super) fn write_file(
    w: &mut dyn Write,
    dbs: &[DbSnapshot],
    info: &SaveInfo,
    opts: &SaveOpts,
    clock: KeyClock,
    progress: &mut dyn FnMut(u64),
) -> io::Result<()> {
    let mut f = FileWriter::new(w, info, opts, clock, progress);
    for db in dbs {
        if f.db_start(db) {
            for seg in &db.segments {
                f.segment(seg)?;
            }
        }
    }
    f.finish()
}

/// As [`write_file`], dropping each frozen segment as soon as it is written:
/// a segment the reactor has copied since the snapshot is freed right away,
/// while its entries are still in the cache, and a segment not yet copied
/// stops being shared, so the reactor's next write to it needs no copy.
pub(super) fn write_file_releasing(
    w: &mut dyn Write,
    dbs: Vec<DbSnapshot>,
    info: &SaveInfo,
    opts: &SaveOpts,
    clock: KeyClock,
    progress: &mut dyn FnMut(u64),
) -> io::Result<()> {
    let mut f = FileWriter::new(w, info, opts, clock, progress);
    for mut db in dbs {
        if f.db_start(&db) {
            for seg in std::mem::take(&mut db.segments) {
                f.segment(&seg)?;
                drop(seg);
            }
        }
    }
    f.finish()
}
