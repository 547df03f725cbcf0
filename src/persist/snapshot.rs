//! Fork-free snapshots: SAVE, BGSAVE, save points and SHUTDOWN's final save
//! (the load at start-up is in `persist/loading.rs`).
//!
//! BGSAVE freezes the keyspace by cloning every database's segment directory
//! (`Db::snapshot`, one `Arc` bump per segment: microseconds on the event loop)
//! and hands the frozen view to a snapshot thread, which writes the RDB file while
//! the reactor keeps serving. A write to a segment the snapshot still holds copies
//! that segment first (`Arc::make_mut`), so the file is exactly the keyspace at the
//! instant of BGSAVE, with no `fork()` and extra memory bounded by what is written
//! meanwhile. The thread drops each frozen segment as soon as it has written it,
//! so copies the reactor made are freed while the save goes on (their entries
//! still in the cache) and segments already saved stop costing copies. It
//! reports back through a channel and the reactor's waker.
//!
//! Files are written as `temp-<pid>-<n>.rdb`, flushed, fsynced and renamed over
//! `dbfilename`, then the directory is fsynced: a crash mid-save leaves the old
//! dump untouched.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Instant;

use log::{info, warn};

use super::rdb::{self, DbSnapshot, KeyClock, SaveInfo, SaveOpts};
use super::share::{self, Courteous, Courtesy};
use crate::config::MaxmemoryPolicy;
use crate::error;
use crate::server::{wall_ms, Server};

/// Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait
/// this long before trying again.
pub(crate) const BGSAVE_RETRY_DELAY_SECS: i64 = 5;

/// The outcome of a save, sent back by the snapshot thread.
pub struct SaveResult {
    pub result: Result<u64, String>,
    pub elapsed_ms: u64,
}

/// A BGSAVE in progress.
pub struct BgSave {
    pub started: Instant,
    pub start_time: i64,
    pub dirty_at_start: u64,
    pub cow_at_start: u64,
    pub temp_path: PathBuf,
    rx: mpsc::Receiver<SaveResult>,
}

/// Persistence state (INFO persistence).
pub struct Persistence {
    /// Unix time of the last successful save (LASTSAVE).
    pub lastsave: i64,
    pub last_bgsave_try: i64,
    pub last_bgsave_ok: bool,
    pub last_bgsave_time_sec: i64,
    pub bgsave: Option<BgSave>,
    pub bgsave_scheduled: bool,
    pub rdb_saves: u64,
    pub last_cow_size: u64,
    pub loading: bool,
    pub loading_start_time: i64,
    pub loading_total_bytes: u64,
    pub loading_loaded_bytes: u64,
    /// Input offset at which the loader next lets the loop serve clients.
    pub loading_next_events: u64,
    pub loading_last_log: Instant,
    pub rdb_last_load_keys_loaded: u64,
    pub rdb_last_load_keys_expired: u64,
    pub async_loading: bool,
    pub waker: Option<Arc<mio::Waker>>,
    /// The replication info of the RDB loaded at start-up (aux repl-id,
    /// repl-offset, repl-stream-db), for a replica to continue from.
    pub loaded_repl: Option<(String, u64, usize)>,
    temp_counter: u64,
}

impl Default for Persistence {
    fn default() -> Self {
        Persistence {
            lastsave: wall_ms() / 1000,
            last_bgsave_try: 0,
            last_bgsave_ok: true,
            last_bgsave_time_sec: -1,
            bgsave: None,
            bgsave_scheduled: false,
            rdb_saves: 0,
            last_cow_size: 0,
            loading: false,
            loading_start_time: 0,
            loading_total_bytes: 0,
            loading_loaded_bytes: 0,
            loading_next_events: 0,
            loading_last_log: Instant::now(),
            rdb_last_load_keys_loaded: 0,
            rdb_last_load_keys_expired: 0,
            async_loading: false,
            waker: None,
            loaded_repl: None,
            temp_counter: 0,
        }
    }
}

/// Which per-key clock the RDB carries (IDLE for LRU policies, FREQ for LFU).
pub(crate) fn key_clock(config: &crate::config::Config) -> KeyClock {
    match config.maxmemory_policy {
        MaxmemoryPolicy::VolatileLru | MaxmemoryPolicy::AllkeysLru => KeyClock::Lru,
        MaxmemoryPolicy::VolatileLfu | MaxmemoryPolicy::AllkeysLfu => KeyClock::Lfu {
            decay_time: config.lfu_decay_time,
        },
        _ => KeyClock::None,
    }
}

/// `rdb-save-incremental-fsync`: bytes between two writeback requests (Redis's
/// REDIS_AUTOSYNC_BYTES).
const AUTOSYNC_BYTES: u64 = 4 << 20;

/// Creates `temp`, lets `body` write the RDB into it, then flushes, fsyncs,
/// renames it over `path` and fsyncs the directory. Returns the bytes written.
pub(crate) fn write_file_with(
    path: &Path,
    temp: &Path,
    incremental_fsync: bool,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<u64, String> {
    let res = (|| -> std::io::Result<u64> {
        let f = File::create(temp)?;
        let mut w = FileOut {
            // Each write(2) of the buffer is a stretch of kernel work the
            // reactor cannot preempt on a non-preemptive kernel: keep it short.
            inner: BufWriter::with_capacity(256 << 10, f),
            written: 0,
            autosync: incremental_fsync,
            started: 0,
            waited: 0,
        };
        body(&mut w)?;
        let written = w.written;
        let f = w.inner.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(temp, path)?;
        if let Some(dir) = path.parent() {
            super::aof::manifest::fsync_dir(dir);
        }
        Ok(written)
    })();
    res.map_err(|e| {
        let _ = std::fs::remove_file(temp);
        crate::util::strerror(&e)
    })
}

/// The temp file being written: counts bytes and, with incremental fsync,
/// hands every 4 MiB to the disk as it goes. Without that, the whole dump
/// sits dirty in the page cache until the final fsync, which then writes
/// hundreds of MiB in one burst (I/O completions and writeback competing
/// with the event loop for the CPU: the stall near the end of a save that
/// Redis avoids the same way).
struct FileOut {
    inner: BufWriter<File>,
    written: u64,
    autosync: bool,
    /// Writeback has been requested for [0, started).
    started: u64,
    /// Writeback has completed for [0, waited).
    waited: u64,
}

impl FileOut {
    /// Starts writeback of what was written since the last call and waits
    /// for the range before it (so at most about 8 MiB are dirty at a time,
    /// and the disk works while the next 4 MiB are serialised).
    fn autosync(&mut self) -> std::io::Result<()> {
        self.inner.flush()?;
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            let fd = self.inner.get_ref().as_raw_fd();
            let range = |from: u64, to: u64, flags: libc::c_uint| {
                // SAFETY: a plain syscall on a file descriptor we own.
                let r = share::blocking_io(|| unsafe {
                    libc::sync_file_range(fd, from as i64, (to - from) as i64, flags)
                });
                if r == -1 {
                    Err(std::io::Error::last_os_error())
                } else {
                    Ok(())
                }
            };
            range(self.started, self.written, libc::SYNC_FILE_RANGE_WRITE)?;
            if self.started > self.waited {
                range(
                    self.waited,
                    self.started,
                    libc::SYNC_FILE_RANGE_WAIT_BEFORE
                        | libc::SYNC_FILE_RANGE_WRITE
                        | libc::SYNC_FILE_RANGE_WAIT_AFTER,
                )?;
            }
        }
        #[cfg(not(target_os = "linux"))]
        self.inner.get_ref().sync_data()?;
        self.waited = self.started;
        self.started = self.written;
        Ok(())
    }
}

impl Write for FileOut {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        if self.autosync && self.written - self.started >= AUTOSYNC_BYTES {
            self.autosync()?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Server {
    pub(crate) fn rdb_path(&self) -> PathBuf {
        PathBuf::from(&self.config.dbfilename)
    }

    fn temp_path(&mut self, tag: &str) -> PathBuf {
        self.persist.temp_counter += 1;
        PathBuf::from(format!(
            "temp-{tag}-{}-{}.rdb",
            self.pid, self.persist.temp_counter
        ))
    }

    /// A frozen view of every non-empty database (O(segments)).
    pub fn snapshot_dbs(&self) -> Vec<DbSnapshot> {
        self.dbs
            .iter()
            .filter(|d| !d.is_empty())
            .map(|d| DbSnapshot {
                id: d.id,
                segments: d.snapshot(),
                keys: d.len(),
                expires: d.expires_len(),
            })
            .collect()
    }

    fn save_info(&self) -> SaveInfo {
        SaveInfo {
            ctime: wall_ms() / 1000,
            used_mem: crate::info::memory::used_memory(),
            aof_base: false,
            repl_id: self.master_replid.clone(),
            // A replica's file says where in its master's history it is, to
            // continue from there after a restart (PSYNC).
            repl_offset: if self.master.is_some() {
                self.repl.master_repl_offset as i64
            } else {
                0
            },
            repl_stream_db: crate::repl::replica::stream_db(self),
        }
    }

    fn save_opts(&self) -> SaveOpts {
        SaveOpts {
            compression: self.config.rdbcompression,
            checksum: self.config.rdbchecksum,
        }
    }

    /// SAVE: writes the dump on the event loop. Ok on success.
    pub fn rdb_save(&mut self) -> Result<(), String> {
        let dbs = self.snapshot_dbs();
        let (info, opts) = (self.save_info(), self.save_opts());
        let path = self.rdb_path();
        let temp = self.temp_path("save");
        let clock = key_clock(&self.config);
        let fsync = self.config.rdb_save_incremental_fsync;
        let res = write_file_with(&path, &temp, fsync, |w| {
            rdb::write_rdb_with(w, &dbs, &info, &opts, clock, &mut |_| {})
        });
        match res {
            Ok(_) => {
                info!("DB saved on disk");
                self.dirty = 0;
                self.persist.lastsave = wall_ms() / 1000;
                self.persist.last_bgsave_ok = true;
                self.persist.rdb_saves += 1;
                Ok(())
            }
            Err(e) => {
                warn!(
                    "Failed opening the temp RDB file {} (in server root dir {}) for saving: {e}",
                    temp.display(),
                    std::env::current_dir()
                        .map(|d| d.display().to_string())
                        .unwrap_or_default()
                );
                self.persist.last_bgsave_ok = false;
                Err(e)
            }
        }
    }

    /// BGSAVE: freezes the keyspace and starts the snapshot thread.
    pub fn bgsave_start(&mut self) -> Result<(), String> {
        if self.persist.bgsave.is_some() {
            return Err(error::BGSAVE_IN_PROGRESS.into());
        }
        if self.aof.rw.job.is_some() {
            // One snapshot at a time, as Redis's one fork child.
            return Err(error::BGSAVE_CHILD_ACTIVE.into());
        }
        self.persist.last_bgsave_try = wall_ms() / 1000;
        let dbs = self.snapshot_dbs();
        let (info, opts) = (self.save_info(), self.save_opts());
        let path = self.rdb_path();
        let temp = self.temp_path("bgsave");
        let clock = key_clock(&self.config);
        let (tx, rx) = mpsc::channel();
        let waker = self.persist.waker.clone();
        let temp2 = temp.clone();
        let fsync = self.config.rdb_save_incremental_fsync;
        let spawned = std::thread::Builder::new()
            .name("snapshot".into())
            .spawn(move || {
                let courtesy = Courtesy::begin();
                let t = Instant::now();
                let result = write_file_with(&path, &temp2, fsync, |w| {
                    let mut w = Courteous::new(w, courtesy);
                    rdb::write_rdb_releasing(&mut w, dbs, &info, &opts, clock, &mut |_| {})
                });
                let _ = tx.send(SaveResult {
                    result,
                    elapsed_ms: t.elapsed().as_millis() as u64,
                });
                if let Some(w) = waker {
                    let _ = w.wake();
                }
            });
        if let Err(e) = spawned {
            self.persist.last_bgsave_ok = false;
            let e = crate::util::strerror(&e);
            return Err(format!("ERR Can't start the snapshot thread: {e}"));
        }
        info!("Background saving started");
        self.persist.bgsave = Some(BgSave {
            started: Instant::now(),
            start_time: wall_ms() / 1000,
            dirty_at_start: self.dirty,
            cow_at_start: crate::db::table::COW_BYTES.load(Ordering::Relaxed),
            temp_path: temp,
            rx,
        });
        Ok(())
    }

    /// Copy-on-write bytes of the BGSAVE in progress (INFO current_cow_size).
    pub fn current_cow_size(&self) -> u64 {
        let start = match (&self.persist.bgsave, &self.aof.rw.job) {
            (Some(b), _) => b.cow_at_start,
            (None, Some(r)) => r.cow_at_start,
            (None, None) => return 0,
        };
        crate::db::table::COW_BYTES.load(Ordering::Relaxed) - start
    }

    /// Collects a finished BGSAVE, if any (called on the waker and from cron).
    pub fn bgsave_poll(&mut self) {
        let Some(b) = &self.persist.bgsave else {
            return;
        };
        let Ok(res) = b.rx.try_recv() else { return };
        let b = self.persist.bgsave.take().expect("bgsave in progress");
        self.persist.last_cow_size =
            crate::db::table::COW_BYTES.load(Ordering::Relaxed) - b.cow_at_start;
        self.persist.last_bgsave_time_sec = (res.elapsed_ms / 1000) as i64;
        match res.result {
            Ok(_) => {
                info!("Background saving terminated with success");
                self.dirty = self.dirty.saturating_sub(b.dirty_at_start);
                self.persist.lastsave = wall_ms() / 1000;
                self.persist.last_bgsave_ok = true;
                self.persist.rdb_saves += 1;
            }
            Err(e) => {
                warn!("Background saving error: {e}");
                self.persist.last_bgsave_ok = false;
            }
        }
        if self.persist.bgsave_scheduled && self.aof.rw.job.is_none() {
            self.persist.bgsave_scheduled = false;
            let _ = self.bgsave_start();
        }
    }

    /// The `save <seconds> <changes>` points, checked from cron.
    pub fn save_points_cron(&mut self) {
        self.bgsave_poll();
        if self.has_active_child() || self.config.save.is_empty() {
            return;
        }
        let now = wall_ms() / 1000;
        let retry_ok = self.persist.last_bgsave_ok
            || now - self.persist.last_bgsave_try > BGSAVE_RETRY_DELAY_SECS;
        for &(secs, changes) in &self.config.save.clone() {
            if self.dirty >= changes && now - self.persist.lastsave > secs as i64 && retry_ok {
                info!("{changes} changes in {secs} seconds. Saving...");
                let _ = self.bgsave_start();
                break;
            }
        }
    }

    /// True when writes must be refused because the last background save failed
    /// (`stop-writes-on-bgsave-error`).
    pub fn writes_denied_by_disk_error(&self) -> bool {
        self.config.stop_writes_on_bgsave_error
            && !self.config.save.is_empty()
            && !self.persist.last_bgsave_ok
    }

    /// Removes a BGSAVE's temp file (on shutdown while a save is running).
    pub fn abort_bgsave(&mut self) {
        if let Some(b) = self.persist.bgsave.take() {
            let _ = std::fs::remove_file(&b.temp_path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{Db, Value};
    use bytes::Bytes;

    /// A dump several autosync ranges long comes out byte for byte as the
    /// in-memory writer makes it, with and without incremental fsync.
    #[test]
    fn file_with_incremental_fsync_matches_in_memory_dump() {
        let mut db = Db::new(0, std::collections::hash_map::RandomState::new());
        for i in 0..120_000u32 {
            let v: Vec<u8> = (0..100u32)
                .map(|j| (i.wrapping_mul(31) ^ j) as u8)
                .collect();
            db.set(
                format!("k{i}").as_bytes(),
                Value::string(Bytes::from(v)),
                None,
            );
        }
        let info = SaveInfo {
            ctime: 1_700_000_000,
            used_mem: 0,
            aof_base: false,
            repl_id: "0".repeat(40),
            repl_offset: 0,
            repl_stream_db: 0,
        };
        let opts = SaveOpts {
            compression: true,
            checksum: true,
        };
        let mut want = Vec::new();
        rdb::write_rdb(&mut want, &[DbSnapshot::of(&db)], &info, &opts).unwrap();
        assert!(want.len() as u64 > 2 * AUTOSYNC_BYTES);
        let dir = std::env::temp_dir().join(format!("oxidis-snap-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (path, temp) = (dir.join("dump.rdb"), dir.join("temp.rdb"));
        for fsync in [true, false] {
            let dbs = vec![DbSnapshot::of(&db)];
            let n = write_file_with(&path, &temp, fsync, |w| {
                rdb::write_rdb_releasing(w, dbs, &info, &opts, KeyClock::None, &mut |_| {})
            })
            .unwrap();
            assert_eq!(n, want.len() as u64);
            assert_eq!(std::fs::read(&path).unwrap(), want);
            assert!(!temp.exists());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
