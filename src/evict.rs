//! `maxmemory` and key eviction (Redis's evict.c).
//!
//! Before every command (in `call()`), while `maxmemory` is set, the server
//! compares `used_memory` (crate::alloc's counter, as Redis's zmalloc) with the
//! limit and, if it is over, deletes keys chosen by `maxmemory-policy` until it
//! is under again:
//!
//! - `allkeys-*` choose among all keys, `volatile-*` among keys with a TTL;
//! - `*-lru` and `*-lfu` and `volatile-ttl` sample `maxmemory-samples` keys of
//!   each database into a pool of the 16 best candidates (Redis's eviction
//!   pool) and evict the best: the longest idle, the least frequently used, the
//!   nearest to expire;
//! - `*-random` take a random key, databases in turn;
//! - `noeviction` never deletes: commands flagged DENYOOM are refused with
//!   Redis's OOM error while memory is over the limit.
//!
//! An eviction deletes the key as DEL would (WATCH, client-side caching and the
//! `evicted` keyspace event see it; `lazyfree-lazy-eviction` frees the value on
//! the lazy-free thread). A pass stops after `maxmemory-eviction-tenacity`'s
//! time budget and goes on from `before_sleep` on the next loop iterations.
//!
//! While a snapshot is being written its frozen segments keep evicted values
//! alive; the memory they hold is not what the live dataset uses (Redis's fork
//! child does not count either), so the copy-on-write bytes and the values
//! evicted during the snapshot are left out of the comparison.

use std::time::Instant;

use bytes::Bytes;

use crate::client::Client;
use crate::config::notify as class;
use crate::config::MaxmemoryPolicy;
use crate::db::lfu::{self, Lfu};
use crate::server::Server;

/// Candidates kept between passes (Redis's EVPOOL_SIZE).
const POOL_SIZE: usize = 16;

/// What a pass achieved (Redis's EVICT_OK / EVICT_RUNNING / EVICT_FAIL).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evict {
    /// Under the limit (or nothing to do).
    Ok,
    /// Over the limit but still evicting (the time budget ran out); commands
    /// are not refused meanwhile.
    Running,
    /// Over the limit and nothing (more) can be evicted.
    Fail,
}

/// One candidate of the pool: its score (higher = better to evict), key, db.
#[derive(Debug, Clone)]
struct Candidate {
    idle: u64,
    key: Bytes,
    db: usize,
}

/// Eviction state kept by the server.
#[derive(Debug, Default)]
pub struct EvictState {
    /// Candidates sorted by ascending score.
    pool: Vec<Candidate>,
    /// Next database for the random policies.
    next_db: usize,
    /// A pass ran out of time: before_sleep runs another.
    pub running: bool,
    /// Bytes of values evicted while a snapshot held them (left out of
    /// used_memory for the limit until the snapshot ends).
    pub pinned: u64,
    /// When memory first went over the limit in the current episode.
    exceeded_since: Option<Instant>,
    /// Total microseconds spent over the limit (INFO total_eviction_exceeded_time).
    pub total_exceeded_us: u64,
}

impl EvictState {
    /// Milliseconds over the limit in total, the current episode included.
    /// (total, current) milliseconds over the limit from one clock reading
    /// (INFO total_eviction_exceeded_time, current_eviction_exceeded_time);
    /// the total includes the current episode.
    pub fn exceeded_ms(&self) -> (u64, u64) {
        let cur_us = self
            .exceeded_since
            .map_or(0, |t| t.elapsed().as_micros() as u64);
        ((self.total_exceeded_us + cur_us) / 1000, cur_us / 1000)
    }

    fn start_exceeded(&mut self) {
        if self.exceeded_since.is_none() {
            self.exceeded_since = Some(Instant::now());
        }
    }

    fn end_exceeded(&mut self) {
        if let Some(t) = self.exceeded_since.take() {
            self.total_exceeded_us += t.elapsed().as_micros() as u64;
        }
    }

    /// CONFIG RESETSTAT.
    pub fn reset_stats(&mut self) {
        self.total_exceeded_us = 0;
        if self.exceeded_since.is_some() {
            self.exceeded_since = Some(Instant::now());
        }
    }
}

fn is_lfu(p: MaxmemoryPolicy) -> bool {
    matches!(
        p,
        MaxmemoryPolicy::AllkeysLfu | MaxmemoryPolicy::VolatileLfu
    )
}

fn is_volatile(p: MaxmemoryPolicy) -> bool {
    matches!(
        p,
        MaxmemoryPolicy::VolatileLru
            | MaxmemoryPolicy::VolatileLfu
            | MaxmemoryPolicy::VolatileRandom
            | MaxmemoryPolicy::VolatileTtl
    )
}

/// Applies `maxmemory-policy`, `lfu-log-factor` and `lfu-decay-time` to the
/// databases (entries' clock words become LFU counters under an LFU policy).
pub fn config_changed(srv: &mut Server) {
    let lfu = is_lfu(srv.config.maxmemory_policy).then_some(Lfu {
        log_factor: srv.config.lfu_log_factor,
        decay_time: srv.config.lfu_decay_time,
    });
    for db in &mut srv.dbs {
        db.lfu = lfu;
    }
    srv.evict.pool.clear();
}

/// Memory left out of the comparison with maxmemory (Redis's
/// freeMemoryGetNotCountedMemory): the replicas' output buffers and the
/// stream not yet handed to them, and what a running snapshot holds. `cur`
/// is the current client, if one is out (it may be a replica).
pub fn not_counted(srv: &Server, cur: Option<&Client>) -> u64 {
    let mut n = 0;
    if !srv.repl.replicas.is_empty() {
        n += srv.repl.buffer.capacity() as u64;
        for c in srv.clients.all(cur) {
            if crate::client::repl::is_replica(c) {
                n += (c.out.capacity() + c.reply_list_mem()) as u64;
            }
        }
    }
    if snapshot_in_progress(srv) {
        n += srv.current_cow_size() + srv.evict.pinned;
    }
    n
}

fn snapshot_in_progress(srv: &Server) -> bool {
    srv.persist.bgsave.is_some()
}

/// Bytes over the limit, or None when under it (or no limit is set).
fn over_limit(srv: &Server, cur: Option<&Client>) -> Option<u64> {
    let max = srv.config.maxmemory;
    if max == 0 {
        return None;
    }
    let used = crate::alloc::used_memory();
    if used <= max {
        return None;
    }
    let used = used.saturating_sub(not_counted(srv, cur));
    (used > max).then(|| used - max)
}

/// Time budget of one pass (Redis's evictionTimeLimitUs).
fn time_limit_us(tenacity: u32) -> u64 {
    if tenacity <= 10 {
        50 * tenacity as u64
    } else if tenacity < 100 {
        (500.0 * 1.15f64.powi(tenacity as i32 - 10)) as u64
    } else {
        u64::MAX
    }
}

/// The eviction score of a key (higher is evicted first).
fn score(srv: &Server, e: &crate::db::entry::Entry, db: usize) -> u64 {
    match srv.config.maxmemory_policy {
        MaxmemoryPolicy::VolatileTtl => u64::MAX - e.expire().unwrap_or(i64::MAX) as u64,
        p if is_lfu(p) => {
            let cfg = srv.dbs[db].lfu.unwrap_or(Lfu {
                log_factor: srv.config.lfu_log_factor,
                decay_time: srv.config.lfu_decay_time,
            });
            255 - lfu::decayed(e.lru(), cfg, srv.now_ms) as u64
        }
        _ => {
            let clock = srv.lru_clock;
            let lru = e.lru();
            let secs = if clock >= lru {
                clock - lru
            } else {
                clock + (crate::db::LRU_CLOCK_MAX - lru)
            };
            secs as u64 * 1000
        }
    }
}

/// Samples keys of database `db` into the pool (Redis's evictionPoolPopulate).
fn populate(srv: &mut Server, db: usize, volatile: bool) {
    let samples = srv.config.maxmemory_samples.max(1) as usize;
    let keys = srv.dbs[db].sample_for_eviction(samples, volatile);
    for key in keys {
        let Some(e) = srv.dbs[db].peek(&key) else {
            continue;
        };
        let idle = score(srv, e, db);
        let pool = &mut srv.evict.pool;
        if pool.iter().any(|c| c.db == db && c.key == key) {
            continue;
        }
        // First position whose score is not below ours.
        let k = pool.partition_point(|c| c.idle < idle);
        if pool.len() == POOL_SIZE {
            if k == 0 {
                continue; // worse than every candidate of a full pool
            }
            pool.remove(0);
            pool.insert(k - 1, Candidate { idle, key, db });
        } else {
            pool.insert(k, Candidate { idle, key, db });
        }
    }
}

/// Picks the next key to evict, or None when no candidate exists.
fn select(srv: &mut Server) -> Option<(usize, Bytes)> {
    let policy = srv.config.maxmemory_policy;
    let volatile = is_volatile(policy);
    let ndbs = srv.dbs.len();
    match policy {
        MaxmemoryPolicy::NoEviction => None,
        MaxmemoryPolicy::AllkeysRandom | MaxmemoryPolicy::VolatileRandom => {
            for _ in 0..ndbs {
                let db = srv.evict.next_db % ndbs;
                srv.evict.next_db = srv.evict.next_db.wrapping_add(1);
                if let Some(k) = srv.dbs[db].sample_for_eviction(1, volatile).pop() {
                    return Some((db, k));
                }
            }
            None
        }
        _ => loop {
            let mut candidates = 0;
            for db in 0..ndbs {
                let n = if volatile {
                    srv.dbs[db].expires_len()
                } else {
                    srv.dbs[db].len()
                };
                if n > 0 {
                    populate(srv, db, volatile);
                    candidates += n;
                }
            }
            if candidates == 0 {
                return None;
            }
            // Best first; candidates deleted meanwhile are skipped (ghosts).
            while let Some(c) = srv.evict.pool.pop() {
                let live = srv.dbs[c.db]
                    .peek(&c.key)
                    .is_some_and(|e| !volatile || e.expire().is_some());
                if live {
                    return Some((c.db, c.key));
                }
            }
        },
    }
}

/// Deletes `key` of `db` as an eviction; returns the bytes it freed.
fn evict_key(srv: &mut Server, c: Option<&mut Client>, db: usize, key: &Bytes) -> u64 {
    let before = crate::alloc::used_memory();
    let snapshot = snapshot_in_progress(srv);
    let lazy = srv.config.lazyfree_lazy_eviction;
    let Some(e) = srv.dbs[db].remove_evicted(key) else {
        return 0;
    };
    let size = e.mem_usage() as u64;
    // Measure the free alone (Redis's delta around dbDelete): the value is
    // dropped here unless it goes to the lazy-free thread.
    let lazy = if lazy {
        srv.lazyfree.free_entry(e)
    } else {
        drop(e);
        false
    };
    let freed = before.saturating_sub(crate::alloc::used_memory());
    srv.stats.evicted_keys += 1;
    // Each eviction goes to replicas on its own, as DEL or UNLINK.
    if srv.repl.enabled() {
        let argv = crate::repl::del_argv(srv.config.lazyfree_lazy_eviction, key);
        crate::repl::feed(srv, db, &argv);
    }
    crate::notify::notify_keyspace_event_from(srv, c, class::EVICTED, "evicted", key, db);
    if snapshot || lazy {
        // The snapshot (or the lazy-free thread) still holds the value: count
        // what it would free, and leave it out of used_memory meanwhile.
        if snapshot {
            srv.evict.pinned += size.saturating_sub(freed);
        }
        freed.max(size)
    } else {
        freed
    }
}

/// Evicts keys until memory is under `maxmemory` (Redis's performEvictions).
/// `c` is the client whose command triggered the pass (it receives keyspace
/// events it subscribed to before its reply), None from before_sleep.
pub fn perform_evictions(srv: &mut Server, mut c: Option<&mut Client>) -> Evict {
    // Keys are not evicted while clients are paused (the dataset stays static).
    if srv.pause.is_some_and(|(until, _)| srv.now_ms < until) {
        return Evict::Ok;
    }
    // Nor while a dataset loads (Redis's isSafeToPerformEvictions): the
    // commands that run then are refused with -LOADING, not -OOM.
    if srv.persist.loading {
        return Evict::Ok;
    }
    if srv.evict.pinned > 0 && !snapshot_in_progress(srv) {
        srv.evict.pinned = 0; // the snapshot that held them is done
    }
    let Some(to_free) = over_limit(srv, c.as_deref()) else {
        srv.evict.running = false;
        srv.evict.end_exceeded();
        return Evict::Ok;
    };
    if srv.config.maxmemory_policy == MaxmemoryPolicy::NoEviction {
        srv.evict.running = false;
        srv.evict.start_exceeded();
        return Evict::Fail;
    }
    let start = Instant::now();
    let limit_us = time_limit_us(srv.config.maxmemory_eviction_tenacity);
    let mut freed = 0u64;
    let mut keys = 0u64;
    let mut result = Evict::Fail;
    while freed < to_free {
        let Some((db, key)) = select(srv) else {
            break;
        };
        let del_start = Instant::now();
        freed += evict_key(srv, c.as_deref_mut(), db, &key);
        let del_ms = del_start.elapsed().as_millis() as u64;
        let threshold = srv.config.latency_monitor_threshold;
        let now = srv.now_ms / 1000;
        srv.latency
            .add_sample_if_needed(threshold, "eviction-del", del_ms, now);
        keys += 1;
        if keys.is_multiple_of(16) {
            // Values may be freed elsewhere (lazy free): re-measure.
            if over_limit(srv, c.as_deref()).is_none() {
                freed = to_free;
                break;
            }
            if start.elapsed().as_micros() as u64 > limit_us {
                result = Evict::Running;
                break;
            }
        }
    }
    if freed >= to_free {
        result = Evict::Ok;
    }
    if result == Evict::Fail
        && srv.config.lazyfree_lazy_eviction
        && srv
            .lazyfree
            .pending
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
    {
        // Values still being freed: wait for them rather than refuse.
        result = Evict::Running;
    }
    let cycle_ms = start.elapsed().as_millis() as u64;
    let threshold = srv.config.latency_monitor_threshold;
    let now = srv.now_ms / 1000;
    srv.latency
        .add_sample_if_needed(threshold, "eviction-cycle", cycle_ms, now);
    srv.evict.running = result == Evict::Running;
    // The exceeded-time metrics count from the first pass that could not get
    // under the limit to the first that did (Redis's update_metrics).
    if result == Evict::Ok {
        srv.evict.end_exceeded();
    } else {
        srv.evict.start_exceeded();
    }
    result
}

/// The maxmemory check of `call()`: runs a pass and tells whether the command
/// (`denyoom`: flagged DENYOOM, or an EXEC queueing one) must be refused.
pub fn refuse_command(srv: &mut Server, c: &mut Client, denyoom: bool) -> bool {
    let r = perform_evictions(srv, Some(c));
    denyoom && r == Evict::Fail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_limits_as_redis() {
        assert_eq!(time_limit_us(0), 0);
        assert_eq!(time_limit_us(10), 500);
        assert_eq!(time_limit_us(11), 575);
        assert_eq!(time_limit_us(100), u64::MAX);
    }
}
