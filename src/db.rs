//! A database (one of `databases`, SELECT 0..N-1): the segmented table of entries
//! plus Redis's key semantics on top of it: lazy expiry on every access, the LRU
//! clock, and the active expiry cycle run from cron.
//!
//! Time is the command's start time (`now_ms`, set by `call()`), so a key does not
//! expire in the middle of a command, as in Redis.

pub mod entry;
pub mod hash;
pub mod hll;
pub mod lazyfree;
pub mod lfu;
pub mod list;
pub mod object;
pub mod packed;
pub mod segment;
pub mod set;
pub mod stream;
pub mod table;
pub mod watch;
pub mod zset;

use std::collections::hash_map::RandomState;
use std::sync::Arc;

use bytes::Bytes;

use crate::error::OpError;

pub use entry::{Entry, Value, ValueRef};
pub use object::Object;
use segment::Segment;
pub use table::{Pos, Table};
pub use watch::Touch;

/// Bits of [`Db::events`]: which per-database queues have entries, so the code
/// that runs after every command can skip looking at all databases when nothing
/// happened (the common case).
pub mod events {
    pub const EXPIRED: u8 = 1 << 0;
    pub const READY: u8 = 1 << 1;
    pub const TOUCHED: u8 = 1 << 2;
    pub const NEW: u8 = 1 << 3;
}

/// Redis's LRU clock: seconds, 24 bits.
pub const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;

pub struct Db {
    pub id: usize,
    table: Table,
    /// Command time in ms (set by call()).
    pub now_ms: i64,
    /// LRU clock for `now_ms`.
    pub lru_clock: u32,
    /// Set while an LFU `maxmemory-policy` is selected: entries' clock words
    /// then hold LFU counters (db/lfu.rs) instead of LRU times.
    pub lfu: Option<lfu::Lfu>,
    /// Keys removed by expiry since the last drain (for propagation as DEL).
    pub expired_keys: Vec<Bytes>,
    /// Keys that expired, ever (INFO expired_keys).
    pub stat_expired: u64,
    /// Read lookups that found / missed their key (INFO keyspace_hits/misses).
    pub stat_hits: u64,
    pub stat_misses: u64,
    expire_cursor: (usize, usize),
    rng: u64,
    /// Keys that blocked clients wait for, with how many wait (Redis's
    /// `db->blocking_keys`; the queues themselves live in the server).
    pub blocking_keys: std::collections::HashMap<Bytes, usize>,
    /// Keys created since the last check that blocked clients wait for
    /// (Redis's `signalKeyAsReady`).
    pub ready_keys: Vec<Bytes>,
    /// Keys WATCHed by some client -> tokens of the watching clients, in
    /// the order they watched (Redis's `db->watched_keys`; db/watch.rs).
    pub watched: std::collections::HashMap<Bytes, Vec<usize>>,
    /// Keys created since the last drain, recorded only while the `n` (new key)
    /// class of `notify-keyspace-events` is on.
    pub new_keys: Vec<Bytes>,
    pub notify_new: bool,
    /// Shared by all databases of a server: `events` bits set when a queue above
    /// (expired, ready, touched, new keys) gets an entry.
    pub events: std::rc::Rc<std::cell::Cell<u8>>,
    /// Watched keys modified since the last drain, in order (Redis's
    /// signalModifiedKey / touchWatchedKey).
    pub touched: Vec<(Bytes, Touch)>,
    /// Set while client-side caching is in use (tracking.rs): modifications are
    /// recorded in `tracking_keys` (key, removed by expiry or eviction: by no
    /// client) and flushes in
    /// `tracking_flushed`, drained after each command.
    pub tracking: bool,
    pub tracking_keys: Vec<(Bytes, bool)>,
    pub tracking_flushed: bool,
    /// The lazy-free thread, for values this database drops itself: expired
    /// keys with `lazyfree-lazy-expire`, overwritten values with
    /// `lazyfree-lazy-server-del` (None: freed in place).
    pub lazy_expire: Option<lazyfree::LazyFree>,
    pub lazy_server_del: Option<lazyfree::LazyFree>,
    /// `latency-monitor-threshold` (ms, 0: off): an expiry deletion that takes
    /// at least this long is kept in `slow_expire_del` for the LATENCY monitor.
    pub expire_del_threshold_ms: u64,
    /// The slowest such deletion (ms) since the server last collected it.
    pub slow_expire_del: u64,
    /// Set while CLIENT PAUSE is in force (pause.rs): a logically expired key
    /// reads as missing but stays stored, so nothing is deleted, counted or
    /// propagated. A write that stores over it still reclaims it first.
    pub expire_paused: bool,
    /// Set while a dataset loads (the AOF's commands replay): nothing is
    /// expired, as Redis's keyIsExpired returns 0 while loading, so a command
    /// finds a key that a later command of the file may still use.
    pub loading: bool,
}

/// Result of one active-expiry round on a database.
#[derive(Default, Debug, Clone, Copy)]
pub struct ExpireRound {
    pub sampled: usize,
    pub expired: usize,
}

impl Db {
    pub fn new(id: usize, hasher: RandomState) -> Db {
        let seed = std::hash::BuildHasher::hash_one(&hasher, id) | 1;
        Db {
            id,
            table: Table::new(hasher),
            now_ms: 0,
            lru_clock: 0,
            lfu: None,
            expired_keys: Vec::new(),
            stat_expired: 0,
            stat_hits: 0,
            stat_misses: 0,
            expire_cursor: (0, 0),
            rng: seed,
            blocking_keys: std::collections::HashMap::new(),
            ready_keys: Vec::new(),
            watched: std::collections::HashMap::new(),
            touched: Vec::new(),
            new_keys: Vec::new(),
            notify_new: false,
            events: Default::default(),
            tracking: false,
            tracking_keys: Vec::new(),
            tracking_flushed: false,
            lazy_expire: None,
            lazy_server_del: None,
            expire_del_threshold_ms: 0,
            slow_expire_del: 0,
            expire_paused: false,
            loading: false,
        }
    }

    /// Keys, including logically expired ones not yet reclaimed (as Redis's DBSIZE).
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Keys with an expiry.
    pub fn expires_len(&self) -> usize {
        self.table.expires()
    }

    pub fn table(&self) -> &Table {
        &self.table
    }

    /// True when `e` is past its expiry at command time.
    #[inline]
    pub fn is_expired(&self, e: &Entry) -> bool {
        matches!(e.expire(), Some(t) if self.now_ms > t) && !self.loading
    }

    /// Position of a live key; an expired one is deleted on the way (unless
    /// expiry is paused).
    #[inline]
    fn find_live(&mut self, key: &[u8]) -> Option<Pos> {
        let p = self.table.find(key)?;
        if self.is_expired(self.table.get(p)) {
            if !self.expire_paused {
                self.expire_at(p);
            }
            return None;
        }
        Some(p)
    }

    /// [`Db::find_live`] for a store: an expired entry is deleted even while
    /// expiry is paused, as the new entry takes its place.
    fn find_for_store(&mut self, key: &[u8]) -> Option<Pos> {
        let p = self.table.find(key)?;
        if self.is_expired(self.table.get(p)) {
            self.expire_at(p);
            return None;
        }
        Some(p)
    }

    /// Records a modification of `key` for WATCH and client-side caching.
    #[inline]
    pub fn touch(&mut self, key: &[u8]) {
        self.touch_key(key, Touch::Changed, false);
    }

    /// `touch` for a key that is being deleted.
    #[inline]
    fn touch_deleted(&mut self, key: &[u8]) {
        self.touch_key(key, Touch::Deleted, false);
    }

    #[inline]
    fn touch_key(&mut self, key: &[u8], how: Touch, by_expiry: bool) {
        if !self.watched.is_empty() && self.watched.contains_key(key) {
            self.touched.push((Bytes::copy_from_slice(key), how));
            self.events.set(self.events.get() | events::TOUCHED);
        }
        if self.tracking {
            self.tracking_keys
                .push((Bytes::copy_from_slice(key), by_expiry));
        }
    }

    /// True if the key is stored but past its expiry (not yet reclaimed).
    pub fn is_stale(&self, key: &[u8]) -> bool {
        self.table
            .find(key)
            .is_some_and(|p| self.is_expired(self.table.get(p)))
    }

    fn expire_at(&mut self, p: Pos) {
        // The deletion and the freeing are timed (Redis's expire-del latency
        // event) only while the latency monitor is on: no clock read otherwise.
        let start = (self.expire_del_threshold_ms > 0).then(std::time::Instant::now);
        let e = self.table.remove(p);
        self.touch_key(e.key(), Touch::Deleted, true);
        self.signal_if_blocked(e.key());
        self.stat_expired += 1;
        self.expired_keys.push(Bytes::copy_from_slice(e.key()));
        self.events.set(self.events.get() | events::EXPIRED);
        match &self.lazy_expire {
            Some(lf) => {
                lf.free_entry(e);
            }
            None => drop(e),
        }
        if let Some(t) = start {
            let ms = t.elapsed().as_millis() as u64;
            if ms >= self.expire_del_threshold_ms {
                self.slow_expire_del = self.slow_expire_del.max(ms);
            }
        }
    }

    #[inline]
    fn find_read(&mut self, key: &[u8]) -> Option<Pos> {
        let p = self.find_live(key);
        if p.is_some() {
            self.stat_hits += 1;
        } else {
            self.stat_misses += 1;
        }
        p
    }

    /// Records an access to the entry at `p`: its LRU time, or under an LFU
    /// policy its logarithmic access counter.
    #[inline]
    fn access(&mut self, p: Pos) {
        match self.lfu {
            None => self.table.get(p).set_lru(self.lru_clock),
            Some(cfg) => self.access_lfu(p, cfg),
        }
    }

    #[cold]
    fn access_lfu(&mut self, p: Pos, cfg: lfu::Lfu) {
        let r = (self.next_rand() >> 11) as f64 / (1u64 << 53) as f64;
        let e = self.table.get(p);
        e.set_lru(lfu::on_access(e.lru(), cfg, self.now_ms, r));
    }

    /// The clock word of a key created now.
    #[inline]
    fn new_clock(&self) -> u32 {
        match self.lfu {
            None => self.lru_clock,
            Some(_) => lfu::initial(self.now_ms),
        }
    }

    /// Looks a key up for reading (counted in keyspace hits/misses) and touches
    /// its LRU clock.
    #[inline]
    pub fn lookup(&mut self, key: &[u8]) -> Option<&Entry> {
        let p = self.find_read(key)?;
        self.access(p);
        Some(self.table.get(p))
    }

    /// Looks a key up for reading without touching its LRU clock (EXISTS, TYPE,
    /// OBJECT, CLIENT NO-TOUCH).
    pub fn lookup_notouch(&mut self, key: &[u8]) -> Option<&Entry> {
        let p = self.find_read(key)?;
        Some(self.table.get(p))
    }

    /// Looks a key up for writing: the entry is unshared from any snapshot. Keep the
    /// key and the presence of an expiry unchanged through this reference. The
    /// caller calls [`Db::touch`] once it has changed the value (Redis's
    /// signalModifiedKey): a command that ends up changing nothing, or fails
    /// after the lookup, is no change for WATCH and client-side caching.
    pub fn lookup_mut(&mut self, key: &[u8]) -> Option<&mut Entry> {
        let p = self.find_live(key)?;
        self.access(p);
        Some(self.table.get_mut(p))
    }

    /// Looks a key up on behalf of a write (Redis's lookupKeyWrite): expires it if
    /// due and touches the LRU clock, but counts no keyspace hit or miss and does
    /// not unshare the entry from a snapshot.
    pub fn lookup_write(&mut self, key: &[u8]) -> Option<&Entry> {
        let p = self.find_live(key)?;
        self.access(p);
        Some(self.table.get(p))
    }

    /// True if the key exists (and is not expired).
    pub fn contains(&mut self, key: &[u8]) -> bool {
        self.find_live(key).is_some()
    }

    /// Sets `key` to `val` with the given expiry, replacing any previous value
    /// (freed on the lazy-free thread with `lazyfree-lazy-server-del`, as
    /// Redis's dbSetValue). Returns true if a live value was replaced.
    pub fn set(&mut self, key: &[u8], val: Value, expire: Option<i64>) -> bool {
        let e = Entry::new(key, val, expire);
        let old = self.set_entry(e);
        let replaced = old.is_some();
        self.free_server_del(old);
        replaced
    }

    /// Frees a value the server removed implicitly (overwrite, RENAME target):
    /// on the lazy-free thread with `lazyfree-lazy-server-del` when it is big.
    pub fn free_server_del(&self, old: Option<Entry>) {
        if let (Some(e), Some(lf)) = (old, &self.lazy_server_del) {
            lf.free_entry(e);
        }
    }

    /// Adds a key while loading an RDB (Redis's dbAddRDBLoad): no WATCH,
    /// tracking, blocked-client or keyspace-event side effects; gives the entry
    /// back if the key is already present. `clock` is its saved LRU/LFU word,
    /// else a new key's.
    pub fn load_entry(&mut self, e: Entry, clock: Option<u32>) -> Result<(), Entry> {
        e.set_lru(clock.unwrap_or_else(|| self.new_clock()));
        self.table.try_insert(e)
    }

    /// Pre-sizes an empty database for `keys` keys (RESIZEDB).
    pub fn reserve(&mut self, keys: usize) {
        self.table.reserve(keys);
    }

    /// Stores a ready entry (replacing any previous value of its key).
    pub fn set_entry(&mut self, e: Entry) -> Option<Entry> {
        e.set_lru(self.new_clock());
        self.touch(e.key());
        match self.find_for_store(e.key()) {
            Some(p) => {
                if self.lfu.is_some() {
                    // An overwrite keeps the key's access frequency (dbOverwrite).
                    e.set_lru(self.table.get(p).lru());
                }
                // An overwritten stream ends its XREADGROUP readers' wait.
                self.signal_if_blocked(e.key());
                Some(self.table.replace(p, e))
            }
            None => {
                self.signal_if_blocked(e.key());
                if self.notify_new {
                    self.new_keys.push(Bytes::copy_from_slice(e.key()));
                    self.events.set(self.events.get() | events::NEW);
                }
                self.table.insert_new(e);
                None
            }
        }
    }

    /// Notes that `key` was created, changed or deleted, if blocked clients
    /// wait for it (the server then re-runs what they wait for).
    #[inline]
    pub fn signal_if_blocked(&mut self, key: &[u8]) {
        if !self.blocking_keys.is_empty() && self.blocking_keys.contains_key(key) {
            self.ready_keys.push(Bytes::copy_from_slice(key));
            self.events.set(self.events.get() | events::READY);
        }
    }

    /// Replaces the value of an existing key, keeping its expiry. Returns false if
    /// the key does not exist.
    pub fn replace_value(&mut self, key: &[u8], val: Value) -> bool {
        match self.find_live(key) {
            Some(p) => {
                self.touch(key);
                self.signal_if_blocked(key);
                let e = self.table.get(p).with_value(val);
                self.table.replace(p, e);
                self.access(p);
                true
            }
            None => false,
        }
    }

    /// Runs `f` on the bytes of the string at `key`, in place (SETBIT,
    /// SETRANGE, APPEND, BITFIELD, PFADD...), as Redis's lookupKeyWrite +
    /// dbUnshareStringValue. `f` returns its result and whether it changed
    /// the string.
    ///
    /// - A missing key: with `create`, `f` runs on an empty buffer and the key
    ///   is stored if `f` left it non-empty (else nothing is stored); without
    ///   `create`, `Ok(None)` and `f` does not run.
    /// - An aggregate: `Err(WrongType)`, `f` does not run.
    /// - A string in any encoding becomes an in-place `raw` buffer first (as
    ///   after SETBIT/SETRANGE/APPEND in Redis), even if `f` changes nothing;
    ///   a caller that must fail before that (a length check) looks first.
    ///   The buffer is copied only when a snapshot still shares the entry
    ///   (copy-on-write); otherwise repeated calls write the same buffer.
    ///   Grow it with [`entry::reserve_string`] / [`entry::grow_zeroed`].
    /// - The TTL and the LRU word are kept; the key is touched (WATCH,
    ///   client-side caching) when `f` reports a change. Notifications,
    ///   `dirty` and propagation are the caller's.
    pub fn with_string_mut<R>(
        &mut self,
        key: &[u8],
        create: bool,
        f: impl FnOnce(&mut Vec<u8>) -> (R, bool),
    ) -> Result<Option<R>, OpError> {
        let p = if create {
            self.find_for_store(key)
        } else {
            self.find_live(key)
        };
        let Some(p) = p else {
            if !create {
                return Ok(None);
            }
            let mut v = Vec::new();
            let (r, _) = f(&mut v);
            if !v.is_empty() {
                self.set_entry(Entry::new(key, Value::Buf(v), None));
            }
            return Ok(Some(r));
        };
        if let ValueRef::Obj(_) = self.table.get(p).value() {
            return Err(OpError::WrongType);
        }
        self.access(p);
        let buf = self.table.get_mut(p).string_buf_mut().expect("a string");
        let (r, modified) = f(buf);
        if modified {
            self.touch(key);
        }
        Ok(Some(r))
    }

    /// The entry of `key`, expired or not, with no side effect (eviction
    /// sampling, which must not disturb what it measures).
    pub fn peek(&self, key: &[u8]) -> Option<&Entry> {
        self.table.find(key).map(|p| self.table.get(p))
    }

    /// Deletes a key chosen for eviction, expired or not (WATCH sees the change
    /// as for DEL; for tracking it is nobody's write, as an expiry).
    pub fn remove_evicted(&mut self, key: &[u8]) -> Option<Entry> {
        let p = self.table.find(key)?;
        self.touch_key(key, Touch::Deleted, true);
        self.signal_if_blocked(key);
        Some(self.table.remove(p))
    }

    /// Up to `n` random keys for eviction: among all keys, or only those with
    /// a TTL when `volatile` (Redis samples `db->dict` or `db->expires`).
    pub fn sample_for_eviction(&mut self, n: usize, volatile: bool) -> Vec<Bytes> {
        let mut out = Vec::with_capacity(n);
        if volatile {
            if self.table.expires() == 0 {
                return out;
            }
            // A uniformly random starting slot, then the next entries with a
            // TTL from there (Redis's dictGetSomeKeys on db->expires).
            let nsegs = self.table.segments().len().max(1);
            let seg = (self.next_rand() % nsegs as u64) as usize;
            let cap = self.table.segments()[seg].capacity().max(1);
            let slot = (self.next_rand() % cap as u64) as usize;
            let mut found = Vec::with_capacity(n);
            self.table
                .sample_expiring((seg, slot), n, n * 20 + 64, &mut found);
            if found.is_empty() {
                // The sampled stretch held none: scan on until some turn up.
                self.table
                    .sample_expiring((seg, slot), n, usize::MAX, &mut found);
            }
            found.truncate(n);
            out.extend(
                found
                    .iter()
                    .map(|p| Bytes::copy_from_slice(self.table.get(*p).key())),
            );
        } else {
            for _ in 0..n {
                let mut rng = self.rng;
                let Some(p) = self.table.random_pos(|| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    rng
                }) else {
                    break;
                };
                self.rng = rng;
                out.push(Bytes::copy_from_slice(self.table.get(p).key()));
            }
        }
        out
    }

    /// Deletes a key; returns the removed entry if it was live.
    pub fn remove(&mut self, key: &[u8]) -> Option<Entry> {
        let p = self.find_live(key)?;
        self.touch_deleted(key);
        self.signal_if_blocked(key);
        Some(self.table.remove(p))
    }

    /// Deletes a key on the server's behalf (Redis's dbDelete: a *STORE whose
    /// result is empty, SORT ... STORE of nothing), freeing its value as
    /// `lazyfree-lazy-server-del` says. True if the key was live.
    pub fn delete(&mut self, key: &[u8]) -> bool {
        let old = self.remove(key);
        let deleted = old.is_some();
        self.free_server_del(old);
        deleted
    }

    /// RENAME: moves the value and expiry of `from` to `to`, replacing what `to`
    /// held (returned, so the caller may free it elsewhere). The moved key gets the
    /// current LRU clock, as the lookups of Redis's RENAME leave it. `from == to`
    /// leaves the key as it is.
    pub fn rename(&mut self, from: &[u8], to: &[u8]) -> Result<Option<Entry>, OpError> {
        let p = self.find_live(from).ok_or(OpError::NoSuchKey)?;
        if from == to {
            return Ok(None);
        }
        self.touch_deleted(from);
        self.signal_if_blocked(from);
        let e = self.table.remove(p);
        let expire = e.expire();
        let moved = Entry::new(to, e.into_value(), expire);
        Ok(self.set_entry(moved))
    }

    /// Sets or clears the expiry of an existing key; false if the key is absent.
    pub fn set_expire(&mut self, key: &[u8], expire: Option<i64>) -> bool {
        let Some(p) = self.find_live(key) else {
            return false;
        };
        self.touch(key);
        if let Some(t) = expire {
            if self.table.get_mut(p).set_expire_in_place(t) {
                return true;
            }
        }
        // A unique entry hands its value over (an in-place string buffer is
        // moved, not copied).
        let e = if self.table.get(p).is_unique() {
            self.table.get_mut(p).take_with_expire(expire)
        } else {
            self.table.get(p).with_expire(expire)
        };
        self.table.replace(p, e);
        true
    }

    /// One SCAN call of about `count` buckets (see [`Table::scan`]); expired
    /// entries count as visited but are skipped and reclaimed.
    pub fn scan(&mut self, cursor: u64, count: usize, mut f: impl FnMut(&Entry)) -> u64 {
        let now = self.now_ms;
        let mut expired = Vec::new();
        let next = self.table.scan(cursor, count, |e| match e.expire() {
            Some(t) if now > t => expired.push(Bytes::copy_from_slice(e.key())),
            _ => f(e),
        });
        for k in expired {
            self.find_live(&k);
        }
        next
    }

    /// Every live key's entry (for KEYS and friends); expired ones are reclaimed.
    pub fn for_each_live(&mut self, mut f: impl FnMut(&Entry)) {
        let now = self.now_ms;
        let mut expired = Vec::new();
        for e in self.table.iter() {
            match e.expire() {
                Some(t) if now > t => expired.push(Bytes::copy_from_slice(e.key())),
                _ => f(e),
            }
        }
        for k in expired {
            self.find_live(&k);
        }
    }

    fn next_rand(&mut self) -> u64 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        x
    }

    /// RANDOMKEY: a random live key.
    pub fn random_key(&mut self) -> Option<Bytes> {
        // Expired keys found are deleted and another is drawn. While expiry is
        // paused nothing is deleted, so when every key has an expiry (all may
        // be stale) the draw gives up after 100 tries and returns a possibly
        // expired key, as Redis does on a replica (Redis 7.0 itself loops
        // forever there under a pause).
        let all_volatile = self.table.len() == self.table.expires();
        let mut tries = 100;
        loop {
            let mut rng = self.rng;
            let p = self.table.random_pos(|| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng
            })?;
            self.rng = rng;
            self.next_rand();
            if self.is_expired(self.table.get(p)) {
                if !self.expire_paused {
                    self.expire_at(p);
                    continue;
                }
                tries -= 1;
                if !all_volatile || tries > 0 {
                    continue;
                }
            }
            return Some(Bytes::copy_from_slice(self.table.get(p).key()));
        }
    }

    /// Empties the database, returning the old segments so the caller may free them
    /// off the event loop.
    pub fn clear(&mut self) -> Vec<Arc<Segment>> {
        self.touch_all_watched();
        self.tracking_flushed |= self.tracking;
        self.expire_cursor = (0, 0);
        self.signal_all_blocked();
        self.table.clear()
    }

    /// SWAPDB: exchanges the contents (not the ids) of two databases. Clients
    /// stay where they are: watched keys are touched as their values change,
    /// and keys that blocked clients wait for and that now exist (expired ones
    /// too: the check after the command reclaims them) are marked ready.
    pub fn swap_contents(&mut self, other: &mut Db) {
        self.touch_watched_for_swap(other);
        other.touch_watched_for_swap(self);
        self.expire_cursor = (0, 0);
        other.expire_cursor = (0, 0);
        self.signal_all_blocked();
        other.signal_all_blocked();
        std::mem::swap(&mut self.table, &mut other.table);
        self.signal_all_blocked();
        other.signal_all_blocked();
    }

    /// Marks ready every key that blocked clients wait for and that is stored
    /// (Redis's scanDatabaseForReadyKeys; called before a flush or a swap too,
    /// for the XREADGROUP readers of streams it takes away, as Redis's
    /// scanDatabaseForDeletedStreams).
    fn signal_all_blocked(&mut self) {
        let ready: Vec<Bytes> = self
            .blocking_keys
            .keys()
            .filter(|k| self.table.find(k).is_some())
            .cloned()
            .collect();
        if !ready.is_empty() {
            self.events.set(self.events.get() | events::READY);
            self.ready_keys.extend(ready);
        }
    }

    /// A point-in-time view of the keyspace: O(segments) refcount bumps.
    pub fn snapshot(&self) -> Vec<Arc<Segment>> {
        self.table.segments().to_vec()
    }

    /// One round of the active expiry cycle: samples up to `keys` entries that have
    /// an expiry and deletes the expired ones.
    pub fn active_expire_round(&mut self, keys: usize) -> ExpireRound {
        let mut round = ExpireRound::default();
        if self.table.expires() == 0 {
            return round;
        }
        let mut found = Vec::with_capacity(keys);
        self.expire_cursor =
            self.table
                .sample_expiring(self.expire_cursor, keys, keys * 20, &mut found);
        round.sampled = found.len();
        // Delete from the highest slot down so earlier positions stay valid (a
        // removal may shrink the table, so re-find by key when that happens).
        let keys_found: Vec<Bytes> = found
            .iter()
            .filter(|p| self.is_expired(self.table.get(**p)))
            .map(|p| Bytes::copy_from_slice(self.table.get(*p).key()))
            .collect();
        for k in keys_found {
            if let Some(p) = self.table.find(&k) {
                self.expire_at(p);
                round.expired += 1;
            }
        }
        round
    }

    /// Approximate heap bytes used by this database (entries and table).
    pub fn mem_usage(&self) -> usize {
        self.table.overhead_bytes() + self.table.iter().map(|e| e.mem_usage()).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Db {
        let mut d = Db::new(0, RandomState::new());
        d.now_ms = 1_000_000;
        d
    }

    #[test]
    fn expired_keys_are_invisible_and_reclaimed() {
        let mut d = db();
        d.set(b"a", Value::Int(1), Some(1_000_500));
        d.set(b"b", Value::Int(2), None);
        assert!(d.lookup(b"a").is_some());
        d.now_ms = 1_000_500;
        assert!(d.lookup(b"a").is_some(), "alive at exactly its expiry ms");
        d.now_ms = 1_000_501;
        assert!(d.lookup(b"a").is_none());
        assert_eq!(d.len(), 1);
        assert_eq!(d.expired_keys, vec![Bytes::from_static(b"a")]);
        assert_eq!(d.stat_expired, 1);
    }

    #[test]
    fn set_expire_in_place_and_rebuild() {
        let mut d = db();
        d.set(b"k", Value::Int(1), None);
        assert!(d.set_expire(b"k", Some(2_000_000)));
        assert_eq!(d.expires_len(), 1);
        assert!(d.set_expire(b"k", Some(3_000_000)));
        assert_eq!(d.lookup(b"k").unwrap().expire(), Some(3_000_000));
        assert!(d.set_expire(b"k", None));
        assert_eq!(d.expires_len(), 0);
        assert!(!d.set_expire(b"nokey", None));
    }

    #[test]
    fn active_expiry_reclaims_without_access() {
        let mut d = db();
        for i in 0..10_000 {
            let exp = if i % 2 == 0 { Some(1_000_100) } else { None };
            d.set(format!("k{i}").as_bytes(), Value::Int(i), exp);
        }
        d.now_ms = 2_000_000;
        let mut total = 0;
        for _ in 0..10_000 {
            let r = d.active_expire_round(20);
            total += r.expired;
            if d.expires_len() == 0 {
                break;
            }
        }
        assert_eq!(total, 5000);
        assert_eq!(d.len(), 5000);
    }

    #[test]
    fn rename_keeps_value_and_expiry_and_replaces_target() {
        let mut d = db();
        d.set(
            b"src",
            Value::string(Bytes::from_static(b"hello")),
            Some(5_000_000),
        );
        d.set(b"dst", Value::Int(7), None);
        d.lru_clock = 42;
        let old = d.rename(b"src", b"dst").unwrap().expect("dst replaced");
        assert!(matches!(old.value(), ValueRef::Int(7)));
        assert!(d.lookup_notouch(b"src").is_none());
        let e = d.lookup_notouch(b"dst").unwrap();
        assert!(matches!(e.value(), ValueRef::Str(b"hello")));
        assert_eq!(e.str_encoding(), Some("embstr"));
        assert_eq!(e.expire(), Some(5_000_000));
        assert_eq!(e.lru(), 42);
        assert_eq!(d.len(), 1);
        assert_eq!(d.expires_len(), 1);
        assert_eq!(d.rename(b"nokey", b"x").unwrap_err(), OpError::NoSuchKey);
        // Same key: nothing moves, the expiry stays.
        assert!(d.rename(b"dst", b"dst").unwrap().is_none());
        assert_eq!(d.lookup_notouch(b"dst").unwrap().expire(), Some(5_000_000));
        // An expired source is no key at all.
        d.set(b"dead", Value::Int(1), Some(1));
        assert_eq!(d.rename(b"dead", b"x").unwrap_err(), OpError::NoSuchKey);
        assert_eq!(d.len(), 1);
    }

    #[test]
    fn lookup_write_touches_lru_without_stats() {
        let mut d = db();
        d.set(b"k", Value::Int(1), None);
        d.lru_clock = 99;
        assert_eq!(d.lookup_write(b"k").unwrap().lru(), 99);
        assert!(d.lookup_write(b"missing").is_none());
        assert_eq!((d.stat_hits, d.stat_misses), (0, 0));
        d.set(b"gone", Value::Int(1), Some(10));
        assert!(d.lookup_write(b"gone").is_none());
        assert_eq!(d.stat_expired, 1);
    }

    #[test]
    fn with_string_mut_writes_in_place() {
        let mut d = db();
        let set1 = |v: &mut Vec<u8>| {
            entry::grow_zeroed(v, 4);
            v[3] = 1;
            (v.len(), true)
        };
        assert_eq!(d.with_string_mut(b"k", false, set1), Ok(None));
        assert!(d.lookup(b"k").is_none());
        // Created when asked, but not when left empty.
        assert_eq!(d.with_string_mut(b"e", true, |_| (0, false)), Ok(Some(0)));
        assert!(d.lookup(b"e").is_none());
        assert_eq!(d.with_string_mut(b"k", true, set1), Ok(Some(4)));
        assert!(matches!(
            d.lookup(b"k").unwrap().value(),
            ValueRef::Str(b"\0\0\0\x01")
        ));
        // Type, TTL, encoding.
        d.set(b"n", Value::Int(42), Some(5_000_000));
        let r = d.with_string_mut(b"n", false, |v| (v.clone(), false));
        assert_eq!(r, Ok(Some(b"42".to_vec())));
        let e = d.lookup(b"n").unwrap();
        assert_eq!(
            (e.expire(), e.str_encoding()),
            (Some(5_000_000), Some("raw"))
        );
        let mut h = crate::db::set::Set::new();
        h.add(b"m", 512);
        d.set(b"agg", Value::Obj(Object::Set(h)), None);
        assert_eq!(
            d.with_string_mut(b"agg", true, |_| ((), true)),
            Err(OpError::WrongType)
        );
        // No copy while unshared; a snapshot keeps the old bytes.
        let ptr = |d: &mut Db| d.with_string_mut(b"k", false, |v| (v.as_ptr(), false));
        let p = ptr(&mut d).unwrap().unwrap();
        for i in 0..100u8 {
            d.with_string_mut(b"k", false, |v| {
                v[0] = i;
                ((), true)
            })
            .unwrap();
            assert_eq!(ptr(&mut d).unwrap().unwrap(), p);
        }
        let snap = d.snapshot();
        d.with_string_mut(b"k", false, |v| {
            v[0] = 200;
            ((), true)
        })
        .unwrap();
        let old: Vec<u8> = snap
            .iter()
            .flat_map(|s| s.iter())
            .find(|e| e.key() == b"k")
            .map(|e| match e.value() {
                ValueRef::Str(s) => s.to_vec(),
                other => panic!("{other:?}"),
            })
            .unwrap();
        assert_eq!(old, b"\x63\0\0\x01");
        assert_ne!(ptr(&mut d).unwrap().unwrap(), p);
        // Expired keys are missing.
        d.set(b"x", Value::Int(1), Some(10));
        assert_eq!(d.with_string_mut(b"x", false, |_| ((), true)), Ok(None));
    }

    #[test]
    fn with_string_mut_touches_watched_keys_on_change_only() {
        let mut d = db();
        d.set(b"k", Value::Int(1), None);
        d.watched.insert(Bytes::from_static(b"k"), vec![1]);
        d.touched.clear();
        d.with_string_mut(b"k", false, |_| ((), false)).unwrap();
        assert!(d.touched.is_empty());
        d.with_string_mut(b"k", false, |v| {
            v.push(b'x');
            ((), true)
        })
        .unwrap();
        assert_eq!(d.touched.len(), 1);
    }

    #[test]
    fn random_key_skips_expired() {
        let mut d = db();
        d.set(b"dead", Value::Int(1), Some(1));
        d.set(b"live", Value::Int(1), None);
        for _ in 0..20 {
            assert_eq!(d.random_key().as_deref(), Some(&b"live"[..]));
        }
        let mut empty = db();
        assert!(empty.random_key().is_none());
    }
}
#[cfg(test)]
mod eviction_sampling {
    use super::*;

    /// Samples of keys with a TTL cover the whole table uniformly (a bias
    /// towards part of it made volatile-ttl evict long-lived keys that sat
    /// in the sampled part while short-lived ones elsewhere were never seen).
    #[test]
    fn volatile_samples_are_uniform() {
        let mut d = Db::new(0, RandomState::new());
        let v = || Value::string_arg(&Bytes::from_static(b"v"));
        for i in 0..5000 {
            d.set(format!("p:{i}").as_bytes(), v(), None);
            d.set(format!("long:{i}").as_bytes(), v(), Some(1 << 50));
            d.set(format!("short:{i}").as_bytes(), v(), Some(1 << 40));
        }
        let (mut total, mut short) = (0, 0);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let keys = d.sample_for_eviction(10, true);
            assert!(!keys.is_empty() && keys.len() <= 10);
            total += keys.len();
            short += keys.iter().filter(|k| k.starts_with(b"short")).count();
            assert!(keys.iter().all(|k| !k.starts_with(b"p:")));
            seen.extend(keys);
        }
        // 10,000 draws from 10,000 keys: about 63% distinct if uniform.
        assert!(seen.len() > 5000, "{} distinct of {total}", seen.len());
        let frac = short as f64 / total as f64;
        assert!((0.4..0.6).contains(&frac), "{frac}");
        let all = d.sample_for_eviction(5, false);
        assert_eq!(all.len(), 5);
    }
}
