//! The RDB format, version 10 (what Redis 7.0 writes): dump files, and the
//! payload of DUMP / RESTORE / MIGRATE (Redis's rdb.c and rdb.h).
//!
//! ```text
//!  file    = "REDIS" version(4 ASCII digits) aux* (db)* EOF crc64(8 LE)
//!  aux     = AUX(0xFA) string(name) string(value)
//!  db      = SELECTDB(0xFE) len(id) RESIZEDB(0xFB) len(keys) len(expires) key*
//!  key     = [EXPIRETIME_MS(0xFC) i64 LE] [IDLE(0xF8) len(seconds) | FREQ(0xF9) u8]
//!            type(1 byte) string(key) value(type)
//!  payload = type value version(u16 LE) crc64(8 LE)          (DUMP / RESTORE)
//!
//!  len     = 00LLLLLL                      6-bit length
//!          | 01LLLLLL LLLLLLLL             14-bit length (big endian)
//!          | 0x80 <u32 BE>  | 0x81 <u64 BE>
//!          | 11EEEEEE                      a specially encoded string follows:
//!              E=0 i8   E=1 i16 LE   E=2 i32 LE   (an integer string)
//!              E=3 len(compressed) len(original) <LZF bytes>
//!  string  = len <bytes>  |  an encoded string as above
//! ```
//!
//! Values by type (what oxidis writes, then what it also reads):
//!
//! ```text
//!  STRING 0           string
//!  LIST_QUICKLIST_2 18 len(nodes) (len(container: 1 plain, 2 packed) string)*
//!                      packed = one listpack, byte for byte as in memory
//!  HASH_LISTPACK 16    string(listpack: field value field value ...)
//!  HASH 4              len(pairs) (string string)*
//!  SET_INTSET 11       string(intset)
//!  SET 2               len (string)*
//!  read only: LIST 1 (len string*), LIST_ZIPLIST 10, LIST_QUICKLIST 14 (ziplist
//!  nodes), HASH_ZIPMAP 9, HASH_ZIPLIST 13 (see rdb/ziplist.rs)
//! ```
//!
//! Sorted sets, streams and module types are refused with a clear error until
//! oxidis has them. After loading, values take the encodings oxidis would give
//! them under the configured thresholds ([`Limits`]), as Redis 7.0 converts.

mod crc64;
mod load;
pub mod lzf;
mod save;
mod stream;
mod ziplist;

use std::sync::Arc;

use crate::db::hash::HashLimits;
use crate::db::segment::Segment;
use crate::db::zset::ZsetLimits;
use crate::db::{Db, Entry, Value, LRU_CLOCK_MAX};
use crate::error;

pub use crc64::crc64;
pub use load::debug_delay;

/// The version this code writes (and the newest it reads).
pub const RDB_VERSION: u16 = 10;
/// "REDIS" then the version as four ASCII digits.
pub const MAGIC: &[u8; 5] = b"REDIS";

// Length prefixes (the two top bits of the first byte).
pub(crate) const LEN_6BIT: u8 = 0;
pub(crate) const LEN_14BIT: u8 = 1;
pub(crate) const LEN_ENCVAL: u8 = 3;
pub(crate) const LEN_32BIT: u8 = 0x80;
pub(crate) const LEN_64BIT: u8 = 0x81;
// Special string encodings (the low six bits after LEN_ENCVAL).
pub(crate) const ENC_INT8: u8 = 0;
pub(crate) const ENC_INT16: u8 = 1;
pub(crate) const ENC_INT32: u8 = 2;
pub(crate) const ENC_LZF: u8 = 3;

// Value types.
pub(crate) const TYPE_STRING: u8 = 0;
pub(crate) const TYPE_LIST: u8 = 1;
pub(crate) const TYPE_SET: u8 = 2;
pub(crate) const TYPE_ZSET: u8 = 3;
pub(crate) const TYPE_HASH: u8 = 4;
pub(crate) const TYPE_ZSET_2: u8 = 5;
pub(crate) const TYPE_MODULE_PRE_GA: u8 = 6;
pub(crate) const TYPE_MODULE_2: u8 = 7;
pub(crate) const TYPE_HASH_ZIPMAP: u8 = 9;
pub(crate) const TYPE_LIST_ZIPLIST: u8 = 10;
pub(crate) const TYPE_SET_INTSET: u8 = 11;
pub(crate) const TYPE_ZSET_ZIPLIST: u8 = 12;
pub(crate) const TYPE_HASH_ZIPLIST: u8 = 13;
pub(crate) const TYPE_LIST_QUICKLIST: u8 = 14;
pub(crate) const TYPE_STREAM_LISTPACKS: u8 = 15;
pub(crate) const TYPE_HASH_LISTPACK: u8 = 16;
pub(crate) const TYPE_ZSET_LISTPACK: u8 = 17;
pub(crate) const TYPE_LIST_QUICKLIST_2: u8 = 18;
pub(crate) const TYPE_STREAM_LISTPACKS_2: u8 = 19;
/// Redis 7.2's stream type; 7.0 does not know it either.
pub(crate) const TYPE_STREAM_LISTPACKS_3: u8 = 21;

// Quicklist node containers (RDB type 18).
pub(crate) const QUICKLIST_NODE_PLAIN: u64 = 1;
pub(crate) const QUICKLIST_NODE_PACKED: u64 = 2;

// Opcodes (bytes in the type position that are not value types).
pub(crate) const OP_SLOT_INFO: u8 = 244;
pub(crate) const OP_FUNCTION2: u8 = 245;
pub(crate) const OP_FUNCTION_PRE_GA: u8 = 246;
pub(crate) const OP_MODULE_AUX: u8 = 247;
pub(crate) const OP_IDLE: u8 = 248;
pub(crate) const OP_FREQ: u8 = 249;
pub(crate) const OP_AUX: u8 = 250;
pub(crate) const OP_RESIZEDB: u8 = 251;
pub(crate) const OP_EXPIRETIME_MS: u8 = 252;
pub(crate) const OP_EXPIRETIME: u8 = 253;
pub(crate) const OP_SELECTDB: u8 = 254;
pub(crate) const OP_EOF: u8 = 255;

// Module value opcodes (to skip MODULE_AUX data).
pub(crate) const MODULE_OP_EOF: u64 = 0;
pub(crate) const MODULE_OP_SINT: u64 = 1;
pub(crate) const MODULE_OP_UINT: u64 = 2;
pub(crate) const MODULE_OP_FLOAT: u64 = 3;
pub(crate) const MODULE_OP_DOUBLE: u64 = 4;
pub(crate) const MODULE_OP_STRING: u64 = 5;

/// One database to save: its id and a frozen view of its segments.
pub struct DbSnapshot {
    pub id: usize,
    pub segments: Vec<Arc<Segment>>,
    pub keys: usize,
    pub expires: usize,
}

impl DbSnapshot {
    /// A snapshot of `db` (refcount bumps only).
    pub fn of(db: &Db) -> DbSnapshot {
        DbSnapshot {
            id: db.id,
            segments: db.snapshot(),
            keys: db.len(),
            expires: db.expires_len(),
        }
    }
}

/// AUX fields written in the header.
pub struct SaveInfo {
    /// Unix time in seconds (`ctime`; also the LRU clock IDLE is measured against).
    pub ctime: i64,
    pub used_mem: u64,
    pub aof_base: bool,
    pub repl_id: String,
    pub repl_offset: i64,
    /// The db the replication stream is in at `repl_offset` (a replica
    /// serving its own replica proxies its master's stream, SELECTs and all).
    pub repl_stream_db: i64,
}

pub struct SaveOpts {
    /// `rdbcompression`: LZF for strings longer than 20 bytes when it shrinks them.
    pub compression: bool,
    /// `rdbchecksum`: write the CRC64 trailer (else eight zero bytes).
    pub checksum: bool,
}

/// What the per-key LRU/LFU word means, from `maxmemory-policy`: Redis saves
/// IDLE under an LRU policy, FREQ under an LFU one, neither otherwise; when
/// loading it applies an IDLE it finds under any policy but an LFU one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KeyClock {
    #[default]
    None,
    Lru,
    /// LFU counters, decayed by `lfu-decay-time` minutes when saved.
    Lfu {
        decay_time: u32,
    },
}

/// Encoding thresholds applied to loaded values (from the config).
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// `list-max-listpack-size`.
    pub list_fill: i64,
    /// `hash-max-listpack-entries` / `-value`.
    pub hash: HashLimits,
    /// `set-max-intset-entries`.
    pub set_max_intset_entries: usize,
    /// `zset-max-listpack-entries` / `-value`.
    pub zset: ZsetLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            list_fill: -2,
            hash: HashLimits::default(),
            set_max_intset_entries: 512,
            zset: ZsetLimits::default(),
        }
    }
}

impl Limits {
    /// The thresholds of a server configuration.
    pub fn from_config(c: &crate::config::Config) -> Limits {
        Limits {
            list_fill: c.list_max_listpack_size,
            hash: HashLimits {
                max_entries: c.hash_max_listpack_entries as usize,
                max_value: c.hash_max_listpack_value as usize,
            },
            set_max_intset_entries: c.set_max_intset_entries as usize,
            zset: ZsetLimits {
                max_entries: c.zset_max_listpack_entries as usize,
                max_value: c.zset_max_listpack_value as usize,
            },
        }
    }
}

pub struct LoadOpts {
    /// Current time (ms): keys that expired before it are skipped when
    /// `skip_expired` (a master loading its file; a replica keeps them).
    pub now_ms: i64,
    pub skip_expired: bool,
    /// `sanitize-dump-payload yes`: also check what is only checked lazily.
    pub sanitize: bool,
    /// `key-load-delay` (tests): microseconds slept before each key, or a
    /// 1/-N chance of 1 us when negative.
    pub key_load_delay: i64,
}

#[derive(Debug, Default)]
pub struct LoadStats {
    pub keys: u64,
    pub expired_skipped: u64,
    /// Keys whose value was an empty aggregate (Redis skips them too).
    pub empty_skipped: u64,
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
    /// Bytes of the stream the RDB took, through its checksum (an AOF's
    /// commands may follow).
    pub consumed: u64,
}

/// A load failure, in words (e.g. "RDB CRC error").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RdbError(pub String);

impl RdbError {
    /// The file ended before the data did (Redis's "Unexpected EOF").
    pub fn is_short_read(&self) -> bool {
        self.0.starts_with("Unexpected EOF")
    }
}

impl std::fmt::Display for RdbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RdbError {}

/// Writes a complete RDB file without IDLE/FREQ (Redis under `noeviction`).
pub fn write_rdb(
    w: &mut dyn std::io::Write,
    dbs: &[DbSnapshot],
    info: &SaveInfo,
    opts: &SaveOpts,
) -> std::io::Result<()> {
    write_rdb_with(w, dbs, info, opts, KeyClock::None, &mut |_| {})
}

/// Writes a complete RDB file: header, AUX fields, each non-empty database with
/// SELECTDB and RESIZEDB, its keys (with EXPIRETIME_MS, and IDLE or FREQ as
/// `clock` says), EOF and the CRC64. `progress` gets the bytes written so far
/// about every megabyte.
pub fn write_rdb_with(
    w: &mut dyn std::io::Write,
    dbs: &[DbSnapshot],
    info: &SaveInfo,
    opts: &SaveOpts,
    clock: KeyClock,
    progress: &mut dyn FnMut(u64),
) -> std::io::Result<()> {
    save::write_file(w, dbs, info, opts, clock, progress)
}

/// As [`write_rdb_with`], taking the snapshot by value and dropping each
/// segment once written (what BGSAVE does: frozen copies are freed as the save
/// goes, and the reactor stops paying copy-on-write for segments already saved).
pub fn write_rdb_releasing(
    w: &mut dyn std::io::Write,
    dbs: Vec<DbSnapshot>,
    info: &SaveInfo,
    opts: &SaveOpts,
    clock: KeyClock,
    progress: &mut dyn FnMut(u64),
) -> std::io::Result<()> {
    save::write_file_releasing(w, dbs, info, opts, clock, progress)
}

/// Loads an RDB stream into `dbs` with the default thresholds (IDLE applied).
pub fn load_rdb(
    r: &mut dyn std::io::Read,
    dbs: &mut [Db],
    opts: &LoadOpts,
    progress: &mut dyn FnMut(u64),
) -> Result<LoadStats, RdbError> {
    load_rdb_with(r, dbs, opts, &Limits::default(), KeyClock::None, progress)
}

/// Loads an RDB stream into `dbs` (keys go in with `Db::set_entry`; a database
/// id beyond `dbs.len()` is an error), converting values per `limits`, and
/// restoring key idle times unless `clock` is `Lfu`. `progress(bytes_consumed)`
/// is called before each key and after each read from `r` (every 64 KB at most),
/// so a caller can serve clients in between.
pub fn load_rdb_with(
    r: &mut dyn std::io::Read,
    dbs: &mut [Db],
    opts: &LoadOpts,
    limits: &Limits,
    clock: KeyClock,
    progress: &mut dyn FnMut(u64),
) -> Result<LoadStats, RdbError> {
    load::load_file(r, dbs, opts, limits, clock, progress)
}

/// DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE payloads and RDB files are
/// accepted whatever their CRC64 says (a test aid, as in Redis).
pub static SKIP_CHECKSUM_VALIDATION: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

fn skip_checksum() -> bool {
    SKIP_CHECKSUM_VALIDATION.load(std::sync::atomic::Ordering::Relaxed)
}

/// DUMP payload of one value (compressed as `rdbcompression yes`).
pub fn dump_payload(e: &Entry) -> Vec<u8> {
    dump_payload_with(e, true)
}

/// DUMP payload: the RDB type and value, the RDB version (u16 LE), and the
/// CRC64 of all that (u64 LE).
pub fn dump_payload_with(e: &Entry, compression: bool) -> Vec<u8> {
    let mut out = Vec::new();
    save::write_value(&mut out, e.value(), compression);
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64(0, &out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// The inverse of [`dump_payload`] with the default thresholds.
pub fn restore_payload(payload: &[u8], sanitize: bool) -> Result<Value, String> {
    restore_payload_with(payload, sanitize, &Limits::default())
}

/// Checks a DUMP payload's version and checksum and decodes its value; errors
/// are RESTORE's reply texts.
pub fn restore_payload_with(
    payload: &[u8],
    sanitize: bool,
    limits: &Limits,
) -> Result<Value, String> {
    if payload.len() < 10 {
        return Err(error::DUMP_PAYLOAD_VERSION.into());
    }
    let (body, footer) = payload.split_at(payload.len() - 10);
    let ver = u16::from_le_bytes([footer[0], footer[1]]);
    if ver > RDB_VERSION {
        return Err(error::DUMP_PAYLOAD_VERSION.into());
    }
    let crc = u64::from_le_bytes(footer[2..10].try_into().expect("8 bytes"));
    if !skip_checksum() && crc != crc64(0, &payload[..payload.len() - 8]) {
        return Err(error::DUMP_PAYLOAD_VERSION.into());
    }
    load::read_value(body, limits, sanitize)
        .ok()
        .flatten()
        .ok_or_else(|| error::BAD_DATA_FORMAT.into())
}

/// The LRU clock (seconds, 24 bits) at a Unix time in ms.
pub fn lru_clock_at(ms: i64) -> u32 {
    ((ms / 1000) as u32) & LRU_CLOCK_MAX
}

/// Seconds between an entry's LRU word and the clock (Redis's
/// estimateObjectIdleTime, in seconds).
pub fn idle_seconds(clock: u32, lru: u32) -> u64 {
    let lru = lru & LRU_CLOCK_MAX;
    if clock >= lru {
        (clock - lru) as u64
    } else {
        (clock + (LRU_CLOCK_MAX - lru)) as u64
    }
}

/// The LRU word of a key idle for `idle` seconds at `clock`.
pub fn lru_for_idle(clock: u32, idle: u64) -> u32 {
    let idle = (idle % (LRU_CLOCK_MAX as u64 + 1)) as u32;
    if idle <= clock {
        clock - idle
    } else {
        clock + LRU_CLOCK_MAX - idle
    }
}

#[cfg(test)]
mod tests;
