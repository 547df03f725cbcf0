//! The server state owned by the reactor thread: configuration, databases, the
//! command table, clients, counters, and the periodic work (`cron`).

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::client::registry::Clients;
use crate::client::{flags as cflags, Client};
use crate::cmd::CommandTable;
use crate::config::Config;
use crate::db::lazyfree::LazyFree;
use crate::db::{events as db_events, Db, LRU_CLOCK_MAX};

mod config_apply;

/// Global counters (INFO stats).
#[derive(Default, Debug)]
pub struct Stats {
    pub numcommands: u64,
    pub numconnections: u64,
    pub rejected_conn: u64,
    pub net_input_bytes: u64,
    pub net_output_bytes: u64,
    pub total_error_replies: u64,
    pub errorstats: HashMap<String, u64>,
    /// Reads from / writes to client sockets (INFO total_reads_processed,
    /// total_writes_processed).
    pub total_reads_processed: u64,
    pub total_writes_processed: u64,
    /// Reply buffers the cron shrank / grew (client/output.rs).
    pub reply_buffer_shrinks: u64,
    pub reply_buffer_expands: u64,
    /// Keys evicted for maxmemory (INFO evicted_keys).
    pub evicted_keys: u64,
    /// Per-command latency histograms by command id (INFO latencystats),
    /// allocated on a command's first call.
    pub latency: Vec<Option<Box<crate::info::latency::Histogram>>>,
    /// Samples of (time ms, numcommands, net in, net out) for instantaneous_* rates.
    pub samples: Vec<(i64, u64, u64, u64)>,
}

impl Stats {
    fn sample(&mut self, now_ms: i64) {
        self.samples.push((
            now_ms,
            self.numcommands,
            self.net_input_bytes,
            self.net_output_bytes,
        ));
        if self.samples.len() > 16 {
            self.samples.remove(0);
        }
    }

    /// Rates per second over the sample window: (ops, input kbps, output kbps).
    pub fn instantaneous(&self) -> (u64, f64, f64) {
        let (Some(a), Some(b)) = (self.samples.first(), self.samples.last()) else {
            return (0, 0.0, 0.0);
        };
        let dt = (b.0 - a.0) as f64 / 1000.0;
        if dt <= 0.0 {
            return (0, 0.0, 0.0);
        }
        (
            ((b.1 - a.1) as f64 / dt) as u64,
            (b.2 - a.2) as f64 / dt / 1024.0,
            (b.3 - a.3) as f64 / dt / 1024.0,
        )
    }
}

pub struct Server {
    pub config: Config,
    pub dbs: Vec<Db>,
    pub commands: CommandTable,
    /// Connected clients by token, with the writes and closes they wait for.
    /// At most one is current (out of the slab, see [`Server::with_client`]).
    pub clients: Clients,
    /// CLIENT PAUSE in force: (end time in ms, true = ALL, false = WRITE).
    pub pause: Option<(i64, bool)>,
    /// Clients whose command waits for the pause to end (pause.rs).
    pub paused_clients: Vec<usize>,
    /// RDB saving and loading state.
    pub persist: crate::persist::snapshot::Persistence,
    /// Clients blocked on keys, and their timeouts.
    pub blocking: crate::blocked::Blocking,
    pub next_client_id: u64,
    /// Changes since the last save (Redis's `dirty`).
    pub dirty: u64,
    /// Depth of `cmd::call` (Redis's in_nested_call): 0 between commands, 1
    /// in a command's handler, 2 in a command EXEC runs. Propagation ends an
    /// execution unit at depth 0; tracking sends a client's own invalidations
    /// after its top-level command.
    pub call_depth: u32,
    pub stats: Stats,
    pub lazyfree: LazyFree,
    pub pid: u32,
    pub run_id: String,
    pub executable: String,
    pub start_instant: Instant,
    pub start_time_ms: i64,
    /// Wall-clock ms at the start of the current command (or cron run).
    pub now_ms: i64,
    pub lru_clock: u32,
    pub cronloops: u64,
    /// Set by SHUTDOWN / signals; the reactor exits at the next iteration.
    pub shutdown_asap: bool,
    /// How the process is supervised (INFO process_supervised).
    pub supervised: crate::supervise::Mode,
    /// The listening sockets (CONFIG SET port/bind rebinds them).
    pub listeners: crate::listen::Listeners,
    /// Active expiry stats.
    pub stat_expire_cycle_time_used: u64,
    pub expired_stale_perc: f64,
    /// Replication ID shown by INFO replication (a master's own).
    pub master_replid: String,
    /// The previous replication ID (after a promotion) and the first offset
    /// it is not valid for (Redis's replid2 / second_replid_offset; -1: none).
    pub master_replid2: String,
    /// The replica role: our master and the link to it (None: a master).
    pub master: Option<Box<crate::repl::replica::MasterLink>>,
    pub second_replid_offset: i64,
    /// Memory accounting for INFO memory and MEMORY STATS.
    pub mem: crate::info::memory::MemState,
    /// Per-database average TTL estimates (INFO keyspace avg_ttl).
    pub avg_ttl: crate::info::keyspace::AvgTtl,
    // --- observe (slowlog.rs, latency.rs; cmd/slowlog.rs, cmd/latency.rs, cmd/monitor.rs) ---
    /// SLOWLOG entries.
    pub slowlog: crate::slowlog::Slowlog,
    /// LATENCY events and per-command histograms.
    pub latency: crate::latency::Latency,
    /// Clients in MONITOR mode: (token, client id); stale pairs are pruned when fed.
    pub monitors: Vec<(usize, u64)>,
    /// DEBUG SET-ACTIVE-EXPIRE: false stops the active expire cycle.
    pub active_expire_enabled: bool,
    /// DEBUG PAUSE-CRON: no periodic work while set.
    pub pause_cron: bool,
    /// How often a client's reply buffer peak restarts, in ms (negative:
    /// never), and whether the cron resizes reply buffers at all (DEBUG
    /// REPLYBUFFER).
    pub reply_buffer_peak_reset_ms: i64,
    pub reply_buffer_resizing: bool,
    // --- pubsub (pubsub.rs, notify.rs) ---
    /// Channel, shard channel and pattern subscribers.
    pub pubsub: crate::pubsub::PubSub,
    /// Keyspace notification state (expired keys already announced).
    pub notify: crate::notify::NotifyState,
    /// Client-side caching: tracked keys, BCAST prefixes (tracking.rs).
    pub tracking: crate::tracking::Tracking,
    // --- replication (repl.rs, repl/master.rs) ---
    /// Propagation state, the stream, the replicas.
    pub repl: crate::repl::Repl,
    /// The append-only file (persist/aof.rs).
    pub aof: crate::persist::aof::Aof,
    /// maxmemory eviction state (evict.rs).
    pub evict: crate::evict::EvictState,
}

pub fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Microseconds since the epoch (Redis's `ustime`): one clock_gettime, no
/// `SystemTime` arithmetic, for the clock readings around every command.
#[inline]
pub fn wall_us() -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) };
    ts.tv_sec * 1_000_000 + ts.tv_nsec / 1000
}

fn random_hex(n: usize) -> String {
    let rs = RandomState::new();
    let mut s = String::with_capacity(n);
    let mut i = 0u64;
    while s.len() < n {
        let v = std::hash::BuildHasher::hash_one(&rs, (i, wall_ms(), std::process::id()));
        s.push_str(&format!("{v:016x}"));
        i += 1;
    }
    s.truncate(n);
    s
}

impl Server {
    pub fn new(config: Config) -> Server {
        let hasher = RandomState::new();
        let now = wall_ms();
        let events: std::rc::Rc<std::cell::Cell<u8>> = Default::default();
        let dbs = (0..config.databases.max(1))
            .map(|i| {
                let mut db = Db::new(i, hasher.clone());
                db.events = events.clone();
                db
            })
            .collect();
        let mut s = Server {
            config,
            dbs,
            commands: crate::cmd::command_table(),
            clients: Clients::default(),
            pause: None,
            paused_clients: Vec::new(),
            persist: Default::default(),
            blocking: Default::default(),
            next_client_id: 1,
            dirty: 0,
            call_depth: 0,
            stats: Stats::default(),
            lazyfree: LazyFree::start(),
            pid: std::process::id(),
            run_id: random_hex(40),
            executable: std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            start_instant: Instant::now(),
            start_time_ms: now,
            now_ms: now,
            lru_clock: 0,
            cronloops: 0,
            shutdown_asap: false,
            supervised: crate::supervise::Mode::None,
            listeners: Default::default(),
            stat_expire_cycle_time_used: 0,
            expired_stale_perc: 0.0,
            master_replid: random_hex(40),
            master_replid2: "0".repeat(40),
            master: None,
            second_replid_offset: -1,
            mem: Default::default(),
            avg_ttl: Default::default(),
            slowlog: Default::default(),
            latency: Default::default(),
            monitors: Vec::new(),
            active_expire_enabled: true,
            pause_cron: false,
            reply_buffer_peak_reset_ms: crate::client::output::PEAK_RESET_MS,
            reply_buffer_resizing: true,
            pubsub: Default::default(),
            notify: Default::default(),
            tracking: Default::default(),
            repl: crate::repl::Repl::new(),
            aof: crate::persist::aof::Aof::new(),
            evict: Default::default(),
        };
        s.tracking.max_keys = s.config.tracking_table_max_keys;
        crate::repl::master::refresh_good_replicas(&mut s);
        s.apply_lazyfree_config();
        s.apply_latency_monitor_config();
        crate::alloc::set_background_thread(s.config.jemalloc_bg_thread);
        crate::evict::config_changed(&mut s);
        crate::notify::config_changed(&mut s);
        // Force the first update so every database gets the clock too (they start
        // at 0, and a command in the very same millisecond would not refresh them).
        s.now_ms = -1;
        s.update_time();
        s.mem.record_startup();
        s
    }

    /// Refreshes the cached command time (and every database's copy of it).
    #[inline]
    pub fn update_time(&mut self) {
        self.set_time_ms(wall_ms());
    }

    /// Sets the cached command time from a clock reading the caller already has.
    #[inline]
    pub fn set_time_ms(&mut self, now: i64) {
        if now != self.now_ms {
            self.now_ms = now;
            self.lru_clock = ((now / 1000) as u32) & LRU_CLOCK_MAX;
            for db in &mut self.dbs {
                db.now_ms = now;
                db.lru_clock = self.lru_clock;
            }
        }
    }

    /// True when clients must AUTH first.
    #[inline]
    pub fn auth_required(&self) -> bool {
        self.config.requirepass.is_some()
    }

    /// Bookkeeping after every command, executed or rejected.
    pub fn after_command(&mut self, c: &mut Client) {
        if c.errors_in_cmd > 0 {
            self.stats.total_error_replies += c.errors_in_cmd as u64;
            c.errors_in_cmd = 0;
        }
        self.count_client_errors(c);
        // Keyspace events of keys the command found expired or created, then
        // the WATCH marks of what it touched.
        let ev = self.dbs[0].events.get();
        if ev & (db_events::EXPIRED | db_events::NEW | db_events::TOUCHED) != 0 {
            self.collect_expire_latency();
            crate::notify::announce_expired(self, Some(&mut *c));
            self.notify.expired_cleared();
            crate::notify::announce_new(self, Some(&mut *c));
            // Their DELs already joined the command's execution unit
            // (repl::end_call).
            for db in &mut self.dbs {
                if !db.expired_keys.is_empty() {
                    db.expired_keys.clear();
                }
            }
            if crate::db::watch::any_watched(&self.dbs) {
                self.touch_watched_keys(c);
            } else {
                for db in &mut self.dbs {
                    db.touched.clear();
                }
            }
            let left = self.dbs[0].events.get();
            self.dbs[0]
                .events
                .set(left & !(db_events::EXPIRED | db_events::NEW | db_events::TOUCHED));
        }
        if self.tracking.is_active() {
            crate::tracking::after_command(self, c);
        }
        if c.has(cflags::REPLY_SKIP) {
            c.flags &= !cflags::REPLY_SKIP;
        }
        if c.has(cflags::REPLY_SKIP_NEXT) {
            c.flags = (c.flags & !cflags::REPLY_SKIP_NEXT) | cflags::REPLY_SKIP;
        }
    }

    /// Gives the clients watching keys that were modified their WATCH marks
    /// (db/watch.rs; called after each command). `c` is the client that ran
    /// it; every other one is in the slab.
    pub fn touch_watched_keys(&mut self, c: &mut Client) {
        for (t, db, key, how) in crate::db::watch::drain_touched(&mut self.dbs) {
            if let Some(w) = self.clients.get_mut_or(Some(&mut *c), t) {
                w.watched_key_touched(db, &key, how);
            }
        }
    }

    /// Runs `f` with client `token` as the current client: the only way a
    /// client is taken out of the slab (client/registry.rs). None when there is
    /// no such client.
    pub fn with_client<R>(
        &mut self,
        token: usize,
        f: impl FnOnce(&mut Server, &mut Client) -> R,
    ) -> Option<R> {
        let mut c = self.clients.take_current(token)?;
        let r = f(self, &mut c);
        self.clients.put_back(c);
        Some(r)
    }

    /// Total keys that expired (INFO expired_keys).
    pub fn expired_keys(&self) -> u64 {
        self.dbs.iter().map(|d| d.stat_expired).sum()
    }

    /// Periodic work, `hz` times per second.
    pub fn cron(&mut self) {
        self.update_time();
        self.cronloops += 1;
        self.stats.sample(self.now_ms);
        self.active_expire_cycle();
        self.save_points_cron();
        if self.tracking.is_active() {
            crate::tracking::cron(self);
        }
        crate::info::cron(self);
        crate::repl::master::cron(self);
        crate::persist::aof::cron(self);
        crate::persist::aof::rewrite::cron(self);
    }

    /// Moves the error codes of the replies `c` got into INFO errorstats
    /// (Redis's incrementErrorCount). `after_command` calls it; a reply path
    /// outside `call()` (protocol errors) should call it too.
    pub fn count_client_errors(&mut self, c: &mut Client) {
        for code in c.error_codes.drain(..) {
            *self.stats.errorstats.entry(code).or_insert(0) += 1;
        }
    }

    /// Records one call of command `id` that took `usec` (INFO latencystats),
    /// when `latency-tracking` is on. Meant for `call()`, next to the
    /// commandstats update.
    pub fn record_latency(&mut self, id: usize, usec: u64) {
        if !self.config.latency_tracking {
            return;
        }
        if self.stats.latency.len() <= id {
            self.stats.latency.resize_with(id + 1, || None);
        }
        self.stats.latency[id]
            .get_or_insert_with(Default::default)
            .record(usec.saturating_mul(1000));
    }

    /// Redis's slow active-expire cycle: sample keys with an expiry in each
    /// database and delete the expired ones, repeating while many are stale, within
    /// a CPU budget of 25% of a cron period (more with `active-expire-effort`).
    fn active_expire_cycle(&mut self) {
        // Keys do not expire while clients are paused (the dataset stays static).
        if crate::pause::in_force(self) {
            return;
        }
        // DEBUG SET-ACTIVE-EXPIRE 0 turns the cycle off; a replica's keys
        // expire by its master's DELs.
        if !self.active_expire_enabled || self.master.is_some() {
            return;
        }
        let effort = self.config.active_expire_effort.clamp(1, 10) as usize - 1;
        let keys_per_loop = 20 + 20 / 4 * effort;
        let acceptable_stale = 10 - effort;
        let hz = self.config.hz.clamp(1, 500) as u64;
        let budget_us = 1_000_000 * (25 + 2 * effort as u64) / hz / 100;
        let start = Instant::now();
        let (mut sampled_total, mut expired_total) = (0usize, 0usize);
        'dbs: for db in &mut self.dbs {
            loop {
                let r = db.active_expire_round(keys_per_loop);
                sampled_total += r.sampled;
                expired_total += r.expired;
                if start.elapsed().as_micros() as u64 > budget_us {
                    break 'dbs;
                }
                if r.sampled == 0 || r.expired * 100 <= r.sampled * acceptable_stale {
                    break;
                }
            }
        }
        self.expired_outside_command();
        self.stat_expire_cycle_time_used += start.elapsed().as_micros() as u64;
        // LATENCY's expire-del and expire-cycle events.
        self.collect_expire_latency();
        let (threshold, now) = (self.config.latency_monitor_threshold, self.now_ms / 1000);
        let cycle_ms = start.elapsed().as_millis() as u64;
        self.latency
            .add_sample_if_needed(threshold, "expire-cycle", cycle_ms, now);
        if sampled_total > 0 {
            let perc = expired_total as f64 / sampled_total as f64;
            self.expired_stale_perc = perc * 0.05 + self.expired_stale_perc * 0.95;
        }
    }

    /// Keys expired outside any command (the active cycle, the check of keys
    /// made ready): each DEL/UNLINK goes to the stream on its own, the
    /// `expired` events are published, and the keys forgotten.
    pub fn expired_outside_command(&mut self) {
        crate::repl::propagate_expired(self, false);
        crate::notify::announce_expired(self, None);
        self.notify.expired_cleared();
        for db in &mut self.dbs {
            db.expired_keys.clear();
        }
    }

    /// Moves the slowest expiry deletion the databases saw into the LATENCY
    /// monitor (`expire-del`, lazy and active expiry alike).
    fn collect_expire_latency(&mut self) {
        let worst = self
            .dbs
            .iter_mut()
            .map(|d| std::mem::take(&mut d.slow_expire_del))
            .max()
            .unwrap_or(0);
        if worst > 0 {
            self.latency
                .add_sample("expire-del", worst, self.now_ms / 1000);
        }
    }

    /// CONFIG RESETSTAT.
    pub fn reset_stats(&mut self) {
        // As Redis's resetServerStats, resetCommandTableStats and
        // resetErrorTableStats; memory peaks are kept.
        self.stats = Stats::default();
        self.stats.sample(self.now_ms);
        self.evict.reset_stats();
        self.expired_stale_perc = 0.0;
        self.lazyfree
            .freed
            .store(0, std::sync::atomic::Ordering::Relaxed);
        for db in &mut self.dbs {
            db.stat_expired = 0;
            db.stat_hits = 0;
            db.stat_misses = 0;
        }
        for e in &mut self.commands.list {
            e.stats = Default::default();
        }
        self.stat_expire_cycle_time_used = 0;
        self.repl.sync_full = 0;
        self.repl.sync_partial_ok = 0;
        self.repl.sync_partial_err = 0;
    }

    /// Redis's prepareForShutdown: the final save (when save points exist or SAVE
    /// was asked, unless NOSAVE), then the caller exits. On a failed save the
    /// server keeps running unless `force`.
    pub fn prepare_for_shutdown(&mut self, save: Option<bool>, force: bool) -> Result<(), String> {
        log::warn!("User requested shutdown...");
        self.rewrite_on_shutdown(force)?;
        self.abort_bgsave();
        // Never while loading: the dataset is not all there.
        let do_save = !self.persist.loading && save.unwrap_or(!self.config.save.is_empty());
        if do_save {
            log::info!("Saving the final RDB snapshot before exiting.");
            crate::supervise::notify(self.supervised, "STATUS=Saving the final RDB snapshot\n");
            if let Err(e) = self.rdb_save() {
                if force {
                    log::warn!("Error trying to save the DB: {e}. Exit anyway.");
                } else {
                    log::warn!("Error trying to save the DB, can't exit.");
                    crate::supervise::notify(
                        self.supervised,
                        "STATUS=Error trying to save the DB, can't exit.\n",
                    );
                    return Err(e);
                }
            }
        }
        if self.aof.feeding() {
            log::info!("Calling fsync() on the AOF file.");
            if let Err(e) = self.aof_flush_sync() {
                log::warn!("Error writing the AOF file on shutdown: {e}");
            }
            self.aof_stop_writing();
        }
        self.shutdown_asap = true;
        Ok(())
    }

    /// Marks a client to be freed in before_sleep (CLIENT KILL, limits).
    pub fn close_client_asap(&mut self, c: &mut Client) {
        self.clients.close_asap(c);
    }

    /// Queues a client's output for before_sleep, closing the client instead if
    /// its output buffer is over `client-output-buffer-limit`.
    pub fn schedule_write(&mut self, c: &mut Client) {
        let lim = &self.config.client_output_buffer_limit;
        self.clients.schedule_write(c, lim, self.now_ms);
    }

    /// [`Server::schedule_write`] for a client other than the current one.
    pub fn schedule_write_of(&mut self, token: usize) {
        let lim = &self.config.client_output_buffer_limit;
        self.clients.schedule_other(token, lim, self.now_ms);
    }

    /// Number of connected clients.
    pub fn connected_clients(&self) -> usize {
        self.clients.len()
    }
}

/// True when an ACL user of this name exists: only `default` does, as oxidis
/// has no ACL user management.
pub fn user_exists(name: &[u8]) -> bool {
    name == b"default"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn databases_get_the_clock_at_creation() {
        let srv = Server::new(Config::default());
        assert!(srv.now_ms > 0);
        for db in &srv.dbs {
            assert_eq!(db.now_ms, srv.now_ms);
            assert_eq!(db.lru_clock, srv.lru_clock);
        }
    }
}
