//! Loading a dataset while the server stays reachable, as Redis does: the event
//! loop thread runs the load itself and, every
//! `loading-process-events-interval-bytes`, serves the clients (Redis's
//! processEventsWhileBlocked). Meanwhile INFO reports `loading:1` and the
//! `loading_*` fields, commands not flagged `loading` are answered `-LOADING`,
//! CONFIG SET refuses `deny-loading` directives and nothing is saved.
//!
//! The loading state ([`Server::start_loading`], [`Server::loading_progress`],
//! [`Server::stop_loading`]) knows nothing of the file format; the start-up RDB
//! load here ([`RdbLoad`]) drives it. An RDB load fills databases held by the
//! job, out of the server, so the loop may run commands in between; the server
//! meanwhile has empty ones, and [`Server::rdb_load_finish`] puts the loaded ones
//! in place.

use std::fs::File;
use std::time::Instant;

use log::{info, warn};

use super::rdb::{self, KeyClock, Limits, LoadOpts, LoadStats, RdbError};
use super::snapshot::key_clock;
use crate::db::Db;
use crate::server::{wall_ms, Server};

/// The start-up load of `dbfilename`, run by the event loop (see the module
/// docs): [`RdbLoad::run`] between [`Server::rdb_load_begin`] and
/// [`Server::rdb_load_finish`].
pub struct RdbLoad {
    reader: std::io::BufReader<File>,
    dbs: Vec<Db>,
    opts: LoadOpts,
    limits: Limits,
    clock: KeyClock,
    start: Instant,
}

impl RdbLoad {
    /// Loads the whole file; `progress(bytes)` is called before each key and
    /// after each read (see [`rdb::load_rdb_with`]).
    pub fn run(&mut self, progress: &mut dyn FnMut(u64)) -> Result<LoadStats, RdbError> {
        rdb::load_rdb_with(
            &mut self.reader,
            &mut self.dbs,
            &self.opts,
            &self.limits,
            self.clock,
            progress,
        )
    }
}

impl Server {
    /// Marks a dataset load of `total_bytes` as started (for any loader).
    pub fn start_loading(&mut self, total_bytes: u64) {
        let p = &mut self.persist;
        p.loading = true;
        p.loading_start_time = wall_ms() / 1000;
        p.loading_total_bytes = total_bytes;
        p.loading_loaded_bytes = 0;
        p.loading_next_events = 0;
        p.loading_last_log = Instant::now();
        p.rdb_last_load_keys_loaded = 0;
        p.rdb_last_load_keys_expired = 0;
        self.config.loading = true;
        self.repl.suppressed = true;
    }

    /// Records that `bytes` of the input were consumed; true when the loader
    /// should let the event loop serve clients now (once per
    /// `loading-process-events-interval-bytes`). Cheap when false: loaders call
    /// it for every key.
    pub fn loading_progress(&mut self, bytes: u64) -> bool {
        self.persist.loading_loaded_bytes = bytes;
        if bytes < self.persist.loading_next_events {
            return false;
        }
        // The directive's minimum is 1024: never zero.
        let every = self.config.loading_process_events_interval_bytes.max(1);
        self.persist.loading_next_events = (bytes / every + 1) * every;
        if self.persist.loading_last_log.elapsed().as_secs() >= 1 {
            self.persist.loading_last_log = Instant::now();
            let total = self.persist.loading_total_bytes;
            let pct = if total > 0 {
                bytes as f64 * 100.0 / total as f64
            } else {
                0.0
            };
            info!("Loading RDB: {pct:.1}% ({bytes} of {total} bytes)");
            crate::supervise::notify(self.supervised, "STATUS=Redis is loading...\n");
            crate::supervise::notify(self.supervised, "EXTEND_TIMEOUT_USEC=10000000\n");
        }
        true
    }

    /// Marks the load as over.
    pub fn stop_loading(&mut self) {
        self.persist.loading = false;
        self.persist.loading_loaded_bytes = self.persist.loading_total_bytes;
        self.config.loading = false;
        self.repl.suppressed = false;
    }

    /// Takes the databases out of the server for a loader to fill, leaving
    /// empty ones in their place (commands served meanwhile see those).
    pub fn take_dbs_for_load(&mut self) -> Vec<Db> {
        let events = self.dbs[0].events.clone();
        let empty = (0..self.dbs.len())
            .map(|i| {
                let mut db = Db::new(i, std::collections::hash_map::RandomState::new());
                db.events = events.clone();
                db
            })
            .collect();
        let mut dbs = std::mem::replace(&mut self.dbs, empty);
        for db in &mut dbs {
            db.notify_new = false;
        }
        dbs
    }

    /// Puts databases a loader filled in place, with the per-database
    /// settings the configuration has now (it may have changed meanwhile).
    pub fn put_loaded_dbs(&mut self, dbs: Vec<Db>) {
        self.dbs = dbs;
        crate::repl::replica::apply_expire_mode(self);
        self.apply_lazyfree_config();
        self.apply_latency_monitor_config();
        crate::evict::config_changed(self);
        crate::notify::config_changed(self);
    }

    /// Opens `dbfilename` in `dir` for the start-up load and takes the
    /// databases out of the server for it; None when there is no file.
    pub fn rdb_load_begin(&mut self) -> Result<Option<RdbLoad>, String> {
        let path = self.rdb_path();
        let f = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                let e = crate::util::strerror(&e);
                return Err(format!("Fatal error loading the DB: {e}. Exiting."));
            }
        };
        let total = f.metadata().map(|m| m.len()).unwrap_or(0);
        self.start_loading(total);
        let key_load_delay = self.config.key_load_delay;
        let opts = LoadOpts {
            now_ms: wall_ms(),
            skip_expired: true,
            sanitize: false,
            key_load_delay,
        };
        let dbs = self.take_dbs_for_load();
        Ok(Some(RdbLoad {
            reader: std::io::BufReader::with_capacity(1 << 20, f),
            dbs,
            opts,
            limits: Limits::from_config(&self.config),
            clock: key_clock(&self.config),
            start: Instant::now(),
        }))
    }

    /// Puts the loaded databases in place (with the per-database settings the
    /// configuration has now) and reports the outcome as Redis does.
    pub fn rdb_load_finish(
        &mut self,
        job: RdbLoad,
        res: Result<LoadStats, RdbError>,
    ) -> Result<(), String> {
        self.put_loaded_dbs(job.dbs);
        // Where the failing key started (the loader reports progress before each).
        let offset = self.persist.loading_loaded_bytes;
        self.stop_loading();
        match res {
            Ok(stats) => {
                self.persist.rdb_last_load_keys_loaded = stats.keys;
                self.persist.rdb_last_load_keys_expired = stats.expired_skipped;
                if stats.empty_skipped > 0 {
                    warn!(
                        "Done loading RDB, keys loaded: {}, keys expired: {}, empty keys skipped: {}.",
                        stats.keys, stats.expired_skipped, stats.empty_skipped
                    );
                } else {
                    info!(
                        "Done loading RDB, keys loaded: {}, keys expired: {}.",
                        stats.keys, stats.expired_skipped
                    );
                }
                info!(
                    "DB loaded from disk: {:.3} seconds",
                    job.start.elapsed().as_secs_f64()
                );
                self.persist.lastsave = wall_ms() / 1000;
                Ok(())
            }
            Err(e) => {
                // Redis's rdbReportError, which then runs redis-check-rdb on
                // the file; here the report says to run it.
                if e.is_short_read() {
                    warn!("Short read or OOM loading DB. Unrecoverable error, aborting now.");
                }
                warn!("Internal error in RDB reading offset {offset} -> {e}");
                let path = std::env::current_dir()
                    .map(|d| d.join(self.rdb_path()))
                    .unwrap_or_else(|_| self.rdb_path());
                warn!(
                    "For a report on the file, run: redis-check-rdb {}",
                    path.display()
                );
                Err("Terminating server after rdb file reading failure.".into())
            }
        }
    }
}
