//! Reading RDB: a checksumming, counting reader over any `Read`, lengths and
//! strings, values of every type Redis 7.0 loads that oxidis has, and whole
//! files. Corrupt input is an [`RdbError`], never a panic: lengths from the
//! file never size an allocation beyond what has actually been read.

use std::io::{self, Read};

use super::ziplist::{intset_entries, ziplist_entries, zipmap_entries};
use super::*;
use crate::db::hash::dict::Dict;
use crate::db::hash::Hash;
use crate::db::list::{Fill, List, Listpack};
use crate::db::object::Object;
use crate::db::set::intset::IntSet;
use crate::db::set::Set;
use crate::db::zset::index::Index;
use crate::db::zset::Zset;
use crate::util::number::parse_range_f64;

const BUF_SIZE: usize = 64 * 1024;
/// Largest allocation made up front from a length read from the file.
const PREALLOC_MAX: usize = 1 << 16;

fn eof() -> RdbError {
    RdbError("Unexpected EOF reading RDB file".into())
}

fn corrupt(what: &str) -> RdbError {
    RdbError(what.to_string())
}

/// Buffered reader that keeps the CRC64 of everything consumed.
pub(super) struct In<'a> {
    r: &'a mut dyn Read,
    buf: Vec<u8>,
    pos: usize,
    end: usize,
    crc: u64,
    crc_from: usize,
    read: u64,
    progress: &'a mut dyn FnMut(u64),
}

impl<'a> In<'a> {
    pub fn new(r: &'a mut dyn Read, progress: &'a mut dyn FnMut(u64)) -> In<'a> {
        In {
            r,
            buf: vec![0; BUF_SIZE],
            pos: 0,
            end: 0,
            crc: 0,
            crc_from: 0,
            read: 0,
            progress,
        }
    }

    fn fill(&mut self) -> Result<(), RdbError> {
        self.crc = crc64(self.crc, &self.buf[self.crc_from..self.end]);
        self.pos = 0;
        self.crc_from = 0;
        self.end = 0;
        let n = loop {
            match self.r.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let e = crate::util::strerror(&e);
                    return Err(RdbError(format!("Error reading RDB file: {e}")));
                }
            }
        };
        if n == 0 {
            return Err(eof());
        }
        self.end = n;
        self.read += n as u64;
        let at = self.consumed();
        (self.progress)(at);
        Ok(())
    }

    /// Bytes of the stream consumed so far.
    pub fn consumed(&self) -> u64 {
        self.read - (self.end - self.pos) as u64
    }

    /// CRC64 of everything consumed so far.
    pub fn crc(&mut self) -> u64 {
        self.crc = crc64(self.crc, &self.buf[self.crc_from..self.pos]);
        self.crc_from = self.pos;
        self.crc
    }

    pub fn exact(&mut self, out: &mut [u8]) -> Result<(), RdbError> {
        let mut done = 0;
        while done < out.len() {
            if self.pos == self.end {
                self.fill()?;
            }
            let n = (out.len() - done).min(self.end - self.pos);
            out[done..done + n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            done += n;
        }
        Ok(())
    }

    pub fn u8(&mut self) -> Result<u8, RdbError> {
        if self.pos == self.end {
            self.fill()?;
        }
        self.pos += 1;
        Ok(self.buf[self.pos - 1])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], RdbError> {
        let mut a = [0u8; N];
        self.exact(&mut a)?;
        Ok(a)
    }

    /// `n` bytes, allocated as they arrive (a bogus length hits EOF first).
    fn vec(&mut self, n: u64) -> Result<Vec<u8>, RdbError> {
        let n = usize::try_from(n).map_err(|_| eof())?;
        let mut v = Vec::with_capacity(n.min(PREALLOC_MAX));
        while v.len() < n {
            if self.pos == self.end {
                self.fill()?;
            }
            let k = (n - v.len()).min(self.end - self.pos);
            v.extend_from_slice(&self.buf[self.pos..self.pos + k]);
            self.pos += k;
        }
        Ok(v)
    }

    /// A length, or (`true`, encoding) for a specially encoded string.
    fn len_or_enc(&mut self) -> Result<(u64, bool), RdbError> {
        let b = self.u8()?;
        match b >> 6 {
            LEN_ENCVAL => Ok(((b & 0x3f) as u64, true)),
            LEN_6BIT => Ok(((b & 0x3f) as u64, false)),
            LEN_14BIT => Ok(((((b & 0x3f) as u64) << 8) | self.u8()? as u64, false)),
            _ if b == LEN_32BIT => Ok((u32::from_be_bytes(self.array()?) as u64, false)),
            _ if b == LEN_64BIT => Ok((u64::from_be_bytes(self.array()?), false)),
            _ => Err(RdbError(format!(
                "Unknown length encoding {b} in rdbLoadLen()"
            ))),
        }
    }

    pub fn len(&mut self) -> Result<u64, RdbError> {
        match self.len_or_enc()? {
            (n, false) => Ok(n),
            (_, true) => Err(corrupt("Unexpected encoded length")),
        }
    }

    /// A string into `out` (cleared first), reusing its allocation: for keys,
    /// which the entry copies anyway.
    pub fn string_into(&mut self, out: &mut Vec<u8>) -> Result<(), RdbError> {
        out.clear();
        let (n, enc) = self.len_or_enc()?;
        if enc {
            let s = self.encoded_string(n)?;
            out.extend_from_slice(&s);
            return Ok(());
        }
        let n = usize::try_from(n).map_err(|_| eof())?;
        if self.end - self.pos >= n {
            out.extend_from_slice(&self.buf[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(());
        }
        out.extend_from_slice(&self.vec(n as u64)?);
        Ok(())
    }

    pub fn string(&mut self) -> Result<Vec<u8>, RdbError> {
        let (n, enc) = self.len_or_enc()?;
        if !enc {
            return self.vec(n);
        }
        self.encoded_string(n)
    }

    /// The rest of a specially encoded string (integer or LZF) of encoding `n`.
    fn encoded_string(&mut self, n: u64) -> Result<Vec<u8>, RdbError> {
        let v: i64 = match n as u8 {
            ENC_INT8 => self.u8()? as i8 as i64,
            ENC_INT16 => i16::from_le_bytes(self.array()?) as i64,
            ENC_INT32 => i32::from_le_bytes(self.array()?) as i64,
            ENC_LZF => {
                let clen = self.len()?;
                let len = self.len()?;
                let c = self.vec(clen)?;
                let len = usize::try_from(len).map_err(|_| corrupt("Invalid LZF length"))?;
                return lzf::decompress(&c, len)
                    .ok_or_else(|| corrupt("Invalid LZF compressed string"));
            }
            e => return Err(RdbError(format!("Unknown RDB string encoding type {e}"))),
        };
        Ok(v.to_string().into_bytes())
    }

    pub(super) fn i64_le(&mut self) -> Result<i64, RdbError> {
        Ok(i64::from_le_bytes(self.array()?))
    }
}

fn unsupported(ty: u8) -> RdbError {
    match ty {
        TYPE_MODULE_PRE_GA | TYPE_MODULE_2 => RdbError(format!(
            "Unsupported RDB type {ty} (module types are not supported)"
        )),
        _ => RdbError(format!(
            "Unsupported RDB type {ty} (STREAM_LISTPACKS_3 is Redis 7.2's)"
        )),
    }
}

/// Builds a hash from flattened field/value pairs.
fn hash_from_pairs<I: Iterator<Item = Vec<u8>>>(
    n: usize,
    mut it: I,
    lim: &Limits,
) -> Result<Option<Value>, RdbError> {
    if n == 0 {
        return Ok(None);
    }
    let mut h = Hash::new();
    if n > lim.hash.max_entries {
        h = Hash::Table(Arc::new(Dict::with_capacity(n.min(PREALLOC_MAX))));
    }
    while let Some(f) = it.next() {
        let v = it
            .next()
            .ok_or_else(|| corrupt("Hash with an odd number of elements"))?;
        if !h.set(&f, &v, &lim.hash) {
            return Err(corrupt("Duplicate hash fields detected"));
        }
    }
    Ok(Some(Value::Obj(Object::Hash(h))))
}

/// Builds a sorted set from loaded (member, score) pairs. `packed` says they
/// came from a listpack or ziplist: Redis keeps those a listpack unless longer
/// than `zset-max-listpack-entries`; a ZSET/ZSET_2 set becomes a listpack only
/// when its length and longest member both fit.
fn zset_from_pairs(
    mut pairs: Vec<(Vec<u8>, f64)>,
    packed: bool,
    lim: &Limits,
) -> Result<Option<Value>, RdbError> {
    if pairs.is_empty() {
        return Ok(None);
    }
    if pairs.iter().any(|p| p.1.is_nan()) {
        return Err(corrupt("Zset with NAN score detected"));
    }
    let ordered = |a: &(Vec<u8>, f64), b: &(Vec<u8>, f64)| a.1 < b.1 || (a.1 == b.1 && a.0 < b.0);
    // Redis writes ZSET_2 highest first and listpacks in order; anything else
    // (older writers, other tools) is sorted here.
    if pairs.windows(2).all(|w| ordered(&w[1], &w[0])) {
        pairs.reverse();
    } else if !pairs.windows(2).all(|w| ordered(&w[0], &w[1])) {
        pairs.sort_by(|a, b| {
            a.1.partial_cmp(&b.1)
                .expect("no NaN")
                .then_with(|| a.0.cmp(&b.0))
        });
    }
    {
        let mut seen = std::collections::HashSet::with_capacity(pairs.len());
        if !pairs.iter().all(|p| seen.insert(&p.0[..])) {
            return Err(corrupt("Duplicate zset fields detected"));
        }
    }
    let n = pairs.len();
    let maxlen = pairs.iter().map(|p| p.0.len()).max().unwrap_or(0);
    let small = n <= lim.zset.max_entries && (packed || maxlen <= lim.zset.max_value);
    let z = if small {
        Zset::listpack_from_sorted(pairs.iter().map(|(m, s)| (&m[..], *s)))
    } else {
        Zset::Skiplist(Arc::new(Index::from_sorted(
            pairs.iter().map(|(m, s)| (&m[..], *s)),
            n,
        )))
    };
    Ok(Some(Value::Obj(Object::Zset(z))))
}

/// Member/score pairs of a zset listpack or ziplist (flattened entries).
fn zset_packed_pairs(entries: Vec<Vec<u8>>, what: &str) -> Result<Vec<(Vec<u8>, f64)>, RdbError> {
    if !entries.len().is_multiple_of(2) {
        return Err(corrupt(what));
    }
    let mut out = Vec::with_capacity(entries.len() / 2);
    let mut it = entries.into_iter();
    while let (Some(m), Some(s)) = (it.next(), it.next()) {
        let s = parse_range_f64(&s).ok_or_else(|| corrupt(what))?;
        out.push((m, s));
    }
    Ok(out)
}

fn list_value(l: List) -> Option<Value> {
    (!l.is_empty()).then(|| Value::Obj(Object::List(l)))
}

/// Reads the value of type `ty`; None for an empty aggregate (which Redis
/// skips when loading and RESTORE refuses).
pub(super) fn object(
    inp: &mut In<'_>,
    ty: u8,
    lim: &Limits,
    _sanitize: bool,
) -> Result<Option<Value>, RdbError> {
    let fill = Fill::new(lim.list_fill);
    match ty {
        TYPE_STRING => Ok(Some(Value::string_owned(inp.string()?))),
        TYPE_LIST => {
            let n = inp.len()?;
            let mut l = List::new(fill);
            for _ in 0..n {
                l.push_back(&inp.string()?);
            }
            Ok(list_value(l))
        }
        TYPE_SET => {
            let n = inp.len()?;
            if n == 0 {
                return Ok(None);
            }
            let max = lim.set_max_intset_entries;
            let mut s = if n > max as u64 {
                Set::Table(Arc::new(Dict::with_capacity(
                    (n as usize).min(PREALLOC_MAX),
                )))
            } else {
                Set::new()
            };
            for _ in 0..n {
                if !s.add(&inp.string()?, max) {
                    return Err(corrupt("Duplicate set members detected"));
                }
            }
            Ok(Some(Value::Obj(Object::Set(s))))
        }
        TYPE_HASH => {
            let n = inp.len()?;
            let n = usize::try_from(n).map_err(|_| eof())?;
            let items = n.checked_mul(2).ok_or_else(eof)?;
            let mut err = None;
            let pairs = (0..items).map_while(|_| match inp.string() {
                Ok(s) => Some(s),
                Err(e) => {
                    err = Some(e);
                    None
                }
            });
            let v = hash_from_pairs(n, pairs, lim);
            match err {
                Some(e) => Err(e),
                None => v,
            }
        }
        TYPE_HASH_ZIPMAP => {
            let e = zipmap_entries(&inp.string()?)?;
            hash_from_pairs(e.len() / 2, e.into_iter(), lim)
        }
        TYPE_HASH_ZIPLIST => {
            let e = ziplist_entries(&inp.string()?)?;
            hash_from_pairs(e.len().div_ceil(2), e.into_iter(), lim)
        }
        TYPE_HASH_LISTPACK => {
            let lp = Listpack::from_bytes(inp.string()?)
                .ok_or_else(|| corrupt("Hash listpack integrity check failed"))?;
            let n = lp.len();
            hash_from_pairs(n.div_ceil(2), lp.iter().map(|e| e.to_bytes().to_vec()), lim)
        }
        TYPE_LIST_ZIPLIST => {
            let mut l = List::new(fill);
            for e in ziplist_entries(&inp.string()?)? {
                l.push_back(&e);
            }
            Ok(list_value(l))
        }
        TYPE_LIST_QUICKLIST => {
            let n = inp.len()?;
            let mut l = List::new(fill);
            for _ in 0..n {
                for e in ziplist_entries(&inp.string()?)? {
                    l.push_back(&e);
                }
            }
            Ok(list_value(l))
        }
        TYPE_LIST_QUICKLIST_2 => {
            let n = inp.len()?;
            let mut l = List::new(fill);
            for _ in 0..n {
                let container = inp.len()?;
                let blob = inp.string()?;
                match container {
                    QUICKLIST_NODE_PLAIN => l.push_back(&blob),
                    QUICKLIST_NODE_PACKED => {
                        let lp = Listpack::from_bytes(blob)
                            .ok_or_else(|| corrupt("Listpack integrity check failed"))?;
                        l.append_node(lp);
                    }
                    _ => return Err(corrupt("Quicklist integrity check failed")),
                }
            }
            Ok(list_value(l))
        }
        TYPE_SET_INTSET => {
            let vals = intset_entries(&inp.string()?)?;
            if vals.is_empty() {
                return Ok(None);
            }
            let s = if vals.len() > lim.set_max_intset_entries {
                let mut d = Dict::with_capacity(vals.len());
                for v in vals {
                    d.insert(v.to_string().as_bytes(), b"");
                }
                Set::Table(Arc::new(d))
            } else {
                let mut is = IntSet::default();
                for v in vals {
                    is.insert(v);
                }
                Set::Intset(is)
            };
            Ok(Some(Value::Obj(Object::Set(s))))
        }
        TYPE_ZSET | TYPE_ZSET_2 => {
            let n = inp.len()?;
            let mut pairs = Vec::with_capacity((n as usize).min(PREALLOC_MAX));
            for _ in 0..n {
                let m = inp.string()?;
                let s = if ty == TYPE_ZSET_2 {
                    f64::from_le_bytes(inp.array()?)
                } else {
                    // rdbLoadDoubleValue: a length byte, or 253/254/255 for
                    // nan/inf/-inf, then the text.
                    match inp.u8()? {
                        255 => f64::NEG_INFINITY,
                        254 => f64::INFINITY,
                        253 => f64::NAN,
                        len => {
                            let t = inp.vec(u64::from(len))?;
                            parse_range_f64(&t)
                                .ok_or_else(|| corrupt("Zset with a bad text score"))?
                        }
                    }
                };
                pairs.push((m, s));
            }
            zset_from_pairs(pairs, false, lim)
        }
        TYPE_ZSET_ZIPLIST => {
            const BAD: &str = "Zset ziplist integrity check failed.";
            let e = ziplist_entries(&inp.string()?).map_err(|_| corrupt(BAD))?;
            zset_from_pairs(zset_packed_pairs(e, BAD)?, true, lim)
        }
        TYPE_ZSET_LISTPACK => {
            const BAD: &str = "Zset listpack integrity check failed.";
            let lp = Listpack::from_bytes(inp.string()?).ok_or_else(|| corrupt(BAD))?;
            let e = lp.iter().map(|e| e.to_bytes().to_vec()).collect();
            zset_from_pairs(zset_packed_pairs(e, BAD)?, true, lim)
        }
        TYPE_STREAM_LISTPACKS | TYPE_STREAM_LISTPACKS_2 => Ok(Some(Value::Obj(Object::Stream(
            super::stream::load(inp, ty == TYPE_STREAM_LISTPACKS_2)?,
        )))),
        TYPE_STREAM_LISTPACKS_3 | TYPE_MODULE_PRE_GA | TYPE_MODULE_2 => Err(unsupported(ty)),
        _ => Err(RdbError(format!("Unknown RDB encoding type {ty}"))),
    }
}

/// Decodes `type value` from a DUMP payload body.
pub(super) fn read_value(
    mut body: &[u8],
    lim: &Limits,
    sanitize: bool,
) -> Result<Option<Value>, RdbError> {
    let mut noop = |_| {};
    let mut inp = In::new(&mut body, &mut noop);
    let ty = inp.u8()?;
    if ty >= OP_SLOT_INFO {
        return Err(RdbError(format!("Unknown RDB encoding type {ty}")));
    }
    object(&mut inp, ty, lim, sanitize)
}

/// Skips one module value (MODULE_AUX data), as redis-check-rdb walks it.
fn skip_module_value(inp: &mut In<'_>) -> Result<(), RdbError> {
    loop {
        match inp.len()? {
            MODULE_OP_EOF => return Ok(()),
            MODULE_OP_SINT | MODULE_OP_UINT => {
                inp.len()?;
            }
            MODULE_OP_STRING => {
                inp.string()?;
            }
            MODULE_OP_FLOAT => {
                inp.array::<4>()?;
            }
            MODULE_OP_DOUBLE => {
                inp.array::<8>()?;
            }
            op => return Err(RdbError(format!("Unknown module opcode {op}"))),
        }
    }
}

/// The AUX fields Redis logs as it meets them: the producing version, the
/// file's age, the memory it was made from, an AOF tail or base.
fn log_aux(k: &[u8], v: &[u8], now_ms: i64) {
    let num = || crate::util::number::parse_i64(v).unwrap_or(0);
    match &k.to_ascii_lowercase()[..] {
        [b'%', ..] => log::info!(
            "RDB '{}': {}",
            String::from_utf8_lossy(k),
            String::from_utf8_lossy(v)
        ),
        b"redis-ver" => log::info!(
            "Loading RDB produced by version {}",
            String::from_utf8_lossy(v)
        ),
        b"ctime" => log::info!("RDB age {} seconds", (now_ms / 1000 - num()).max(0)),
        b"used-mem" => log::info!(
            "RDB memory usage when created {:.2} Mb",
            num() as f64 / (1024.0 * 1024.0)
        ),
        b"aof-preamble" if num() != 0 => log::info!("RDB has an AOF tail"),
        b"aof-base" if num() != 0 => log::info!("RDB is base AOF"),
        _ => {}
    }
}

/// Redis's debugDelay: sleeps `usec` microseconds, or for a negative value
/// sleeps 1 us with probability 1/-usec (a sleep shorter than a syscall).
pub fn debug_delay(usec: i64) {
    let usec = if usec < 0 {
        (crate::db::hash::dict::rand_below(usec.unsigned_abs() as usize) == 0) as u64
    } else {
        usec as u64
    };
    if usec > 0 {
        std::thread::sleep(std::time::Duration::from_micros(usec));
    }
}

pub(super) fn load_file(
    r: &mut dyn Read,
    dbs: &mut [Db],
    opts: &LoadOpts,
    lim: &Limits,
    clock: KeyClock,
    progress: &mut dyn FnMut(u64),
) -> Result<LoadStats, RdbError> {
    let mut inp = In::new(r, progress);
    let head: [u8; 9] = inp.array()?;
    if &head[..5] != MAGIC {
        return Err(corrupt("Wrong signature trying to load DB from file"));
    }
    let ver = std::str::from_utf8(&head[5..])
        .ok()
        .and_then(|s| s.parse::<u32>().ok())
        .unwrap_or(0);
    if ver < 1 || ver > RDB_VERSION as u32 {
        return Err(RdbError(format!("Can't handle RDB format version {ver}")));
    }
    let mut stats = LoadStats::default();
    let mut key = Vec::new();
    let mut db = 0usize;
    let mut expire: Option<i64> = None;
    let mut idle: Option<u64> = None;
    let mut freq: Option<u8> = None;
    let lru_clock = lru_clock_at(opts.now_ms);
    loop {
        let ty = inp.u8()?;
        match ty {
            OP_EXPIRETIME => {
                let secs = i32::from_le_bytes(inp.array()?);
                expire = Some(secs as i64 * 1000);
                continue;
            }
            OP_EXPIRETIME_MS => {
                // -1 is Redis's "no expiry" (its loader's sentinel), not a
                // time in 1969: such a key loads as non-expiring.
                let t = inp.i64_le()?;
                expire = (t != -1).then_some(t);
                continue;
            }
            OP_FREQ => {
                freq = Some(inp.u8()?);
                continue;
            }
            OP_IDLE => {
                idle = Some(inp.len()?);
                continue;
            }
            OP_EOF => break,
            OP_SELECTDB => {
                let id = inp.len()?;
                if id >= dbs.len() as u64 {
                    return Err(RdbError(format!(
                        "FATAL: Data file was created with a Redis server configured to handle more than {} databases. Exiting",
                        dbs.len()
                    )));
                }
                db = id as usize;
                continue;
            }
            OP_RESIZEDB => {
                let keys = inp.len()?;
                inp.len()?;
                if let Some(d) = dbs.get_mut(db) {
                    d.reserve(usize::try_from(keys).unwrap_or(usize::MAX));
                }
                continue;
            }
            OP_SLOT_INFO => {
                inp.len()?;
                inp.len()?;
                inp.len()?;
                continue;
            }
            OP_AUX => {
                let k = inp.string()?;
                let v = inp.string()?;
                log_aux(&k, &v, opts.now_ms);
                stats.aux.push((k, v));
                continue;
            }
            OP_MODULE_AUX => {
                inp.len()?;
                let when_op = inp.len()?;
                inp.len()?;
                if when_op != MODULE_OP_UINT {
                    return Err(corrupt("bad when_opcode in module aux data"));
                }
                skip_module_value(&mut inp)?;
                continue;
            }
            OP_FUNCTION_PRE_GA => {
                return Err(corrupt("Pre-release function format not supported."));
            }
            OP_FUNCTION2 => {
                inp.string()?;
                continue;
            }
            _ => {}
        }
        // Before each key: the caller's progress (it may serve clients) and
        // the test-only `key-load-delay`.
        let at = inp.consumed();
        (inp.progress)(at);
        if opts.key_load_delay != 0 {
            debug_delay(opts.key_load_delay);
        }
        inp.string_into(&mut key)?;
        let val = object(&mut inp, ty, lim, opts.sanitize)?;
        let (exp, idl, frq) = (expire.take(), idle.take(), freq.take());
        let Some(val) = val else {
            stats.empty_skipped += 1;
            continue;
        };
        if opts.skip_expired && exp.is_some_and(|t| t < opts.now_ms) {
            stats.expired_skipped += 1;
            continue;
        }
        let d = dbs
            .get_mut(db)
            .ok_or_else(|| corrupt("Database index out of range"))?;
        let e = Entry::new(&key, val, exp);
        // Under an LFU policy every key gets an LFU word: the saved frequency,
        // or a new key's; otherwise a saved idle time sets the LRU clock
        // (Redis's objectSetLRUOrLFU).
        let word = match clock {
            KeyClock::Lfu { .. } => Some(crate::db::lfu::with_freq(
                frq.unwrap_or(crate::db::lfu::LFU_INIT_VAL as u8),
                opts.now_ms,
            )),
            _ => idl.map(|i| lru_for_idle(lru_clock, i)),
        };
        if d.load_entry(e, word).is_err() {
            return Err(RdbError(format!(
                "RDB has duplicated key '{}' in DB {db}",
                String::from_utf8_lossy(&key)
            )));
        }
        stats.keys += 1;
    }
    if ver >= 5 {
        let computed = inp.crc();
        let stored = u64::from_le_bytes(inp.array()?);
        if stored != 0 && stored != computed && !skip_checksum() {
            log::warn!(
                "Wrong RDB checksum expected: ({computed:x}) but got ({stored:x}). Aborting now."
            );
            return Err(corrupt("RDB CRC error"));
        }
    }
    stats.consumed = inp.consumed();
    Ok(stats)
}
