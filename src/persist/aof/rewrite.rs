//! BGREWRITEAOF without fork: Redis 7.0's rewriteAppendOnlyFileBackground and
//! backgroundRewriteDoneHandler, with a snapshot thread in place of the child.
//!
//! ```text
//!   start (event loop, one step, no command in between):
//!     aof.buf handed to the AOF thread (everything so far -> the old incr)
//!     AOF on:           new incr file opened, manifest with it persisted,
//!                       the AOF thread switched to it (Job::Switch)
//!     AOF WaitRewrite:  temp-<appendfilename>.incr opened, the AOF thread
//!                       started on it (CONFIG SET appendonly yes)
//!     AOF off:          no incr file
//!     the keyspace frozen (snapshot_dbs, O(segments)) and handed to the
//!     "aof-rewrite" thread
//!   thread: temp-rewriteaof-<pid>.aof written (RDB preamble, or commands),
//!     fsynced, renamed to temp-rewriteaof-bg-<pid>.aof (both in `dir`)
//!   done (waker / cron, rewrite_poll):
//!     temp-rewriteaof-bg-<pid>.aof -> appenddirname/<new base>
//!     WaitRewrite: the temp incr -> the next incr name
//!     the old base and every incr but the one being appended -> history
//!     manifest persisted, history files deleted, WaitRewrite -> On
//! ```
//!
//! The snapshot is exact as of the start, and every command after it goes to
//! the new incr file, so base + new incr is the dataset; until the manifest
//! naming the new base is persisted, the old base and all incrs are (the new
//! incr is already in the old manifest). A crash at any point leaves a
//! manifest naming a loadable set.
//!
//! Like Redis's fork child, one rewrite or one BGSAVE runs at a time
//! ([`Server::has_active_child`]): a BGREWRITEAOF during a BGSAVE is
//! scheduled, a BGSAVE during a rewrite is refused unless SCHEDULE.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Instant;

use log::{info, warn};

use super::manifest::{self, INCR_SUFFIX, TEMP_PREFIX};
use super::AofState;
use crate::config::AppendFsync;
use crate::persist::rdb::{self, DbSnapshot, SaveInfo, SaveOpts};
use crate::persist::share::{Courteous, Courtesy};
use crate::server::{wall_ms, Server};

/// Failures in a row after which automatic rewrites are delayed
/// (AOF_REWRITE_LIMITE_THRESHOLD).
const LIMIT_THRESHOLD: u64 = 3;
/// The longest delay, in minutes (AOF_REWRITE_LIMITE_MAX_MINUTES).
const LIMIT_MAX_MINUTES: i64 = 60;

/// Rewrite state and statistics (INFO aof_rewrite*).
pub struct RewriteState {
    /// The rewrite in progress.
    pub job: Option<BgRewrite>,
    /// A rewrite waits for a BGSAVE (or a transaction) to end
    /// (aof_rewrite_scheduled).
    pub scheduled: bool,
    /// aof_last_bgrewrite_status.
    pub last_ok: bool,
    /// aof_last_rewrite_time_sec.
    pub last_time_sec: i64,
    /// aof_rewrites: rewrites started.
    pub rewrites: u64,
    /// aof_rewrites_consecutive_failures.
    pub consecutive_failures: u64,
    /// aof_last_cow_size.
    pub last_cow_size: u64,
    /// aofRewriteLimited's state: the current delay and when it ends.
    limit_delay_minutes: i64,
    limit_next_time: i64,
}

impl Default for RewriteState {
    fn default() -> Self {
        RewriteState {
            job: None,
            scheduled: false,
            last_ok: true,
            last_time_sec: -1,
            rewrites: 0,
            consecutive_failures: 0,
            last_cow_size: 0,
            limit_delay_minutes: 0,
            limit_next_time: 0,
        }
    }
}

/// A rewrite in progress.
pub struct BgRewrite {
    pub started: Instant,
    pub(crate) cow_at_start: u64,
    /// The base is an RDB (aof-use-rdb-preamble when it started).
    preamble: bool,
    /// The logical AOF offset at which the new incr file starts.
    incr_origin: u64,
    cancel: Arc<AtomicBool>,
    rx: mpsc::Receiver<Result<u64, String>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// `temp-rewriteaof-bg-<pid>.aof`: the finished base, in `dir`.
fn temp_bg_name(pid: u32) -> String {
    format!("temp-rewriteaof-bg-{pid}.aof")
}

/// `temp-rewriteaof-<pid>.aof`: the base being written, in `dir`.
fn temp_name(pid: u32) -> String {
    format!("temp-rewriteaof-{pid}.aof")
}

/// `temp-<appendfilename>.incr`: the incr file of a WaitRewrite
/// (getTempIncrAofName).
pub fn temp_incr_name(filename: &str) -> String {
    format!("{TEMP_PREFIX}{filename}{INCR_SUFFIX}")
}

/// Unlinks files off the event loop (Redis's bg_unlink): a big file's
/// unlink frees its blocks synchronously.
fn bg_unlink(paths: Vec<PathBuf>) {
    if paths.is_empty() {
        return;
    }
    let spawned = std::thread::Builder::new()
        .name("aof-unlink".into())
        .spawn({
            let paths = paths.clone();
            move || {
                for p in paths {
                    let _ = std::fs::remove_file(p);
                }
            }
        });
    if spawned.is_err() {
        for p in paths {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// The writer of the rewrite thread: fails every write once the rewrite is
/// killed, so the thread stops at its next write.
struct Cancellable<W: Write> {
    inner: W,
    cancel: Arc<AtomicBool>,
}

impl<W: Write> Cancellable<W> {
    fn check(&self) -> std::io::Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(std::io::Error::from_raw_os_error(libc::ECANCELED));
        }
        Ok(())
    }

    /// `rdb-key-save-delay` (tests keep a rewrite running with it): Redis
    /// sleeps that many microseconds before each key it writes; the thread
    /// sleeps them all before the first (the file is the same snapshot
    /// either way), in slices so that a kill does not wait.
    fn key_delay(&self, keys: u64, delay_us: u64) -> std::io::Result<()> {
        let mut left = keys.saturating_mul(delay_us);
        while left > 0 {
            let nap = left.min(10_000);
            std::thread::sleep(std::time::Duration::from_micros(nap));
            left -= nap;
            self.check()?;
        }
        Ok(())
    }
}

impl<W: Write> Write for Cancellable<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.check()?;
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// The body of a base in the commands format (aof-use-rdb-preamble no):
/// a `#TS:` line first with aof-timestamp-enabled, as Redis writes it.
fn write_commands_base(
    w: &mut dyn Write,
    dbs: Vec<DbSnapshot>,
    now_ms: i64,
    timestamp: bool,
) -> std::io::Result<()> {
    if timestamp {
        w.write_all(&super::emit::timestamp_annotation(now_ms / 1000))?;
    }
    super::emit::write_commands(w, dbs, now_ms, &mut |_| {})
}

impl Server {
    /// A snapshot thread that excludes the others runs (hasActiveChildProcess:
    /// BGSAVE or BGREWRITEAOF).
    pub fn has_active_child(&self) -> bool {
        self.persist.bgsave.is_some() || self.aof.rw.job.is_some()
    }

    /// The `appendfsync` the AOF thread applies: `no` while a snapshot runs
    /// with `no-appendfsync-on-rewrite yes`.
    pub fn aof_effective_fsync(&self) -> AppendFsync {
        if self.config.no_appendfsync_on_rewrite && self.has_active_child() {
            AppendFsync::No
        } else {
            self.config.appendfsync
        }
    }

    /// BGREWRITEAOF's start (rewriteAppendOnlyFileBackground); true when it
    /// started. Errors are logged; aof_last_bgrewrite_status becomes err.
    pub fn rewrite_background(&mut self) -> bool {
        if self.has_active_child() {
            return false;
        }
        let dir = self.aof_dir();
        if let Err(e) = std::fs::create_dir_all(&dir) {
            warn!(
                "Can't open or create append-only dir {}: {}",
                dir.display(),
                crate::util::strerror(&e)
            );
            self.aof.rw.last_ok = false;
            return false;
        }
        // Everything produced so far belongs to the old incr file.
        self.aof.seldb = -1;
        self.aof_flush();
        if self.open_new_incr_for_append().is_err() {
            self.aof.rw.last_ok = false;
            return false;
        }
        self.aof.rw.rewrites += 1;
        let dbs = self.snapshot_dbs();
        let keys = dbs.iter().map(|d| d.keys as u64).sum::<u64>();
        let pid = self.pid;
        let (bg, temp) = (
            PathBuf::from(temp_bg_name(pid)),
            PathBuf::from(temp_name(pid)),
        );
        let preamble = self.config.aof_use_rdb_preamble;
        let info = SaveInfo {
            ctime: wall_ms() / 1000,
            used_mem: crate::info::memory::used_memory(),
            aof_base: true,
            repl_id: self.master_replid.clone(),
            repl_offset: 0,
            repl_stream_db: 0,
        };
        let opts = SaveOpts {
            compression: self.config.rdbcompression,
            checksum: self.config.rdbchecksum,
        };
        let clock = crate::persist::snapshot::key_clock(&self.config);
        let fsync = self.config.aof_rewrite_incremental_fsync;
        let delay_us = self.config.rdb_key_save_delay.max(0) as u64;
        let timestamp = self.config.aof_timestamp_enabled;
        let cancel = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel();
        let waker = self.persist.waker.clone();
        let cancel2 = cancel.clone();
        let now_ms = wall_ms();
        let spawned = std::thread::Builder::new()
            .name("aof-rewrite".into())
            .spawn(move || {
                let courtesy = Courtesy::begin();
                let result = crate::persist::snapshot::write_file_with(&bg, &temp, fsync, |w| {
                    let mut w = Cancellable {
                        inner: Courteous::new(w, courtesy),
                        cancel: cancel2,
                    };
                    w.key_delay(keys, delay_us)?;
                    if preamble {
                        rdb::write_rdb_releasing(&mut w, dbs, &info, &opts, clock, &mut |_| {})
                    } else {
                        write_commands_base(&mut w, dbs, now_ms, timestamp)
                    }
                });
                match &result {
                    Ok(_) => info!(
                        "Successfully created the temporary AOF base file {}",
                        bg.display()
                    ),
                    Err(e) => warn!("Write error writing append only file on disk: {e}"),
                }
                let _ = tx.send(result);
                if let Some(w) = waker {
                    let _ = w.wake();
                }
            });
        let thread = match spawned {
            Ok(t) => t,
            Err(e) => {
                warn!(
                    "Can't rewrite append only file in background: {}",
                    crate::util::strerror(&e)
                );
                self.aof.rw.last_ok = false;
                return false;
            }
        };
        info!("Background append only file rewriting started by pid {pid}");
        self.aof.rw.scheduled = false;
        self.aof.rw.job = Some(BgRewrite {
            started: Instant::now(),
            cow_at_start: crate::db::table::COW_BYTES.load(Ordering::Relaxed),
            preamble,
            incr_origin: self.aof.produced,
            cancel,
            rx,
            thread: Some(thread),
        });
        self.aof_apply_fsync_policy();
        true
    }

    /// openNewIncrAofForAppend: the file the commands after the snapshot go
    /// to. AOF on: a new incr in the manifest (persisted first; on failure
    /// nothing changed). WaitRewrite: the temp incr file, which the AOF
    /// thread starts appending to. Off: nothing.
    fn open_new_incr_for_append(&mut self) -> Result<(), ()> {
        let dir = self.aof_dir();
        let filename = self.config.appendfilename.clone();
        let open = |name: &str| {
            OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(dir.join(name))
                .map_err(|e| {
                    warn!(
                        "Can't open the append-only file {name}: {}",
                        crate::util::strerror(&e)
                    )
                })
        };
        match self.aof.state {
            AofState::Off => Ok(()),
            AofState::WaitRewrite => {
                let name = temp_incr_name(&filename);
                let file = open(&name)?;
                info!("Creating AOF incr file {name} on background rewrite");
                if let Err(e) = self.aof_start_writing(file) {
                    warn!("Can't start the AOF thread: {e}");
                    self.aof.state = AofState::WaitRewrite;
                    self.repl.aof_on = false;
                    return Err(());
                }
                self.aof.state = AofState::WaitRewrite;
                Ok(())
            }
            AofState::On => {
                let mut m = self.aof.manifest.clone();
                let name = m.new_incr(&filename);
                let file = open(&name)?;
                if let Err(e) = manifest::persist(&dir, &filename, &m) {
                    warn!(
                        "Can't persist the AOF manifest: {}",
                        crate::util::strerror(&e)
                    );
                    return Err(());
                }
                info!("Creating AOF incr file {name} on background rewrite");
                self.aof.manifest = m;
                self.aof_switch_file(file);
                Ok(())
            }
        }
    }

    /// Tells the AOF thread the `appendfsync` in force now
    /// ([`Server::aof_effective_fsync`]); held replies go when it is not
    /// `always`.
    pub fn aof_apply_fsync_policy(&mut self) {
        let p = self.aof_effective_fsync();
        if let Some(w) = &self.aof.writer {
            if w.shared.policy() == p {
                return;
            }
            w.shared.set_policy(p);
        }
        if p != AppendFsync::Always {
            self.release_all_held();
        }
    }

    /// Collects a finished rewrite (backgroundRewriteDoneHandler; on the
    /// waker and from cron).
    pub fn rewrite_poll(&mut self) {
        let Some(job) = &self.aof.rw.job else {
            return;
        };
        let res = match job.rx.try_recv() {
            Ok(r) => r,
            Err(mpsc::TryRecvError::Empty) => return,
            Err(mpsc::TryRecvError::Disconnected) => Err("the rewrite thread is gone".into()),
        };
        let mut job = self.aof.rw.job.take().expect("a rewrite");
        if let Some(t) = job.thread.take() {
            let _ = t.join();
        }
        self.aof.rw.last_cow_size =
            crate::db::table::COW_BYTES.load(Ordering::Relaxed) - job.cow_at_start;
        match res {
            Ok(_) => {
                info!("Background AOF rewrite terminated with success");
                if self.rewrite_install(&job).is_err() {
                    self.aof.rw.last_ok = false;
                    self.aof.rw.consecutive_failures += 1;
                }
            }
            Err(_) => {
                self.aof.rw.last_ok = false;
                self.aof.rw.consecutive_failures += 1;
                warn!("Background AOF rewrite terminated with error");
            }
        }
        self.remove_rewrite_temp_files();
        if self.aof.state == AofState::WaitRewrite {
            // The stream since the start is of no use without its base.
            self.aof_stop_writer_waiting();
            let name = temp_incr_name(&self.config.appendfilename);
            info!("Removing the temp incr aof file {name} in the background");
            bg_unlink(vec![self.aof_dir().join(name)]);
            self.aof.rw.scheduled = true;
        }
        self.aof.rw.last_time_sec = job.started.elapsed().as_secs() as i64;
        self.aof_apply_fsync_policy();
    }

    /// The successful end of a rewrite: the new base (and, for a
    /// WaitRewrite, the new incr) renamed into place and the manifest
    /// naming them persisted. On an error nothing the old manifest names
    /// is touched.
    fn rewrite_install(&mut self, job: &BgRewrite) -> Result<(), ()> {
        let dir = self.aof_dir();
        let filename = self.config.appendfilename.clone();
        let bg = temp_bg_name(self.pid);
        let mut m = self.aof.manifest.clone();
        let base = m.new_base(&filename, job.preamble);
        let base_path = dir.join(&base);
        if let Err(e) = std::fs::rename(&bg, &base_path) {
            warn!(
                "Error trying to rename the temporary AOF base file {bg} into {}: {}",
                base_path.display(),
                crate::util::strerror(&e)
            );
            return Err(());
        }
        info!("Successfully renamed the temporary AOF base file {bg} into {base}");
        let mut new_incr = None;
        if self.aof.state == AofState::WaitRewrite {
            let temp = temp_incr_name(&filename);
            let name = m.new_incr(&filename);
            let (from, to) = (dir.join(&temp), dir.join(&name));
            if let Err(e) = std::fs::rename(&from, &to) {
                warn!(
                    "Error trying to rename the temporary AOF incr file {} into {}: {}",
                    from.display(),
                    to.display(),
                    crate::util::strerror(&e)
                );
                bg_unlink(vec![base_path]);
                return Err(());
            }
            info!("Successfully renamed the temporary AOF incr file {temp} into {name}");
            new_incr = Some(to);
        }
        m.mark_rewritten_incrs_history(self.aof.writer.is_some());
        if let Err(e) = manifest::persist(&dir, &filename, &m) {
            warn!(
                "Can't persist the AOF manifest: {}",
                crate::util::strerror(&e)
            );
            bg_unlink(std::iter::once(base_path).chain(new_incr).collect());
            return Err(());
        }
        manifest::fsync_dir(&dir);
        self.aof.manifest = m;
        if self.aof.state != AofState::Off {
            let base_len = std::fs::metadata(&base_path).map_or(0, |md| md.len());
            self.aof.size_at_start = base_len;
            self.aof.size_origin = job.incr_origin;
            self.aof.base_size = self.aof_current_size();
        }
        // A failure to delete history harms nothing (as Redis).
        let _ = self.aof_del_history_files();
        self.aof.rw.last_ok = true;
        self.aof.rw.consecutive_failures = 0;
        info!("Background AOF rewrite finished successfully");
        if self.aof.state == AofState::WaitRewrite {
            self.aof.state = AofState::On;
        }
        Ok(())
    }

    /// Removes the rewrite's temp files (aofRemoveTempFile).
    fn remove_rewrite_temp_files(&self) {
        bg_unlink(vec![
            PathBuf::from(temp_bg_name(self.pid)),
            PathBuf::from(temp_name(self.pid)),
        ]);
    }

    /// Stops the AOF thread of a WaitRewrite (its temp incr file is
    /// dropped), the state staying WaitRewrite.
    fn aof_stop_writer_waiting(&mut self) {
        self.aof.buf.clear();
        self.aof_stop_writing();
        self.aof.state = AofState::WaitRewrite;
    }

    /// killAppendOnlyChild: stops a running rewrite and removes its temp
    /// files (appendonly no, a new CONFIG SET appendonly yes, SHUTDOWN).
    pub fn kill_rewrite(&mut self) {
        let Some(mut job) = self.aof.rw.job.take() else {
            return;
        };
        info!("Killing running AOF rewrite child: {}", self.pid);
        job.cancel.store(true, Ordering::Relaxed);
        if let Some(t) = job.thread.take() {
            let _ = t.join();
        }
        self.remove_rewrite_temp_files();
        self.aof_apply_fsync_policy();
    }

    /// startAppendOnly (CONFIG SET appendonly yes): WaitRewrite, then a
    /// rewrite (now, or scheduled behind a BGSAVE or a transaction); the AOF
    /// is on when it has succeeded. False when it could not start.
    pub fn start_append_only(&mut self) -> bool {
        if self.aof.manifest.base.is_none() && self.aof.manifest.incrs.is_empty() {
            // The start-up load keeps the manifest; read it if it did not.
            if let Ok(Some(m)) = manifest::load(&self.aof_dir(), &self.config.appendfilename) {
                self.aof.manifest = m;
            }
        }
        self.aof.state = AofState::WaitRewrite;
        if self.persist.bgsave.is_some() {
            self.aof.rw.scheduled = true;
            warn!("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
        } else if self.call_depth > 1 {
            self.aof.rw.scheduled = true;
            warn!("AOF was enabled during a transaction. An AOF background was scheduled to start when possible.");
        } else {
            if self.aof.rw.job.is_some() {
                warn!("AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.");
                self.kill_rewrite();
            }
            if !self.rewrite_background() {
                self.aof.state = AofState::Off;
                warn!("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
                return false;
            }
        }
        true
    }

    /// stopAppendOnly's rewrite part (CONFIG SET appendonly no): a running
    /// rewrite is killed, a scheduled one dropped, a WaitRewrite's temp incr
    /// file removed.
    pub fn stop_append_only_rewrite(&mut self) {
        let waiting = self.aof.state == AofState::WaitRewrite;
        self.aof.rw.scheduled = false;
        self.kill_rewrite();
        if waiting {
            self.aof.buf.clear();
            self.aof_stop_writing();
            let name = temp_incr_name(&self.config.appendfilename);
            bg_unlink(vec![self.aof_dir().join(name)]);
        }
    }

    /// SHUTDOWN's rewrite part: a WaitRewrite refuses to exit unless
    /// `force` (the dataset is not in the AOF yet); a running rewrite is
    /// killed.
    pub fn rewrite_on_shutdown(&mut self, force: bool) -> Result<(), String> {
        if self.aof.rw.job.is_none() {
            return Ok(());
        }
        if self.aof.state == AofState::WaitRewrite {
            if force {
                warn!("Writing initial AOF. Exit anyway.");
            } else {
                warn!("Writing initial AOF, can't exit.");
                return Err("Writing initial AOF".into());
            }
        }
        warn!("There is a child rewriting the AOF. Killing it!");
        self.kill_rewrite();
        Ok(())
    }

    /// aofRewriteLimited: after LIMIT_THRESHOLD failures in a row, automatic
    /// rewrites wait 1, 2, 4 ... 60 minutes (BGREWRITEAOF is not limited).
    fn rewrite_limited(&mut self) -> bool {
        let rw = &mut self.aof.rw;
        if rw.consecutive_failures < LIMIT_THRESHOLD {
            rw.limit_delay_minutes = 0;
            rw.limit_next_time = 0;
            return false;
        }
        let now = wall_ms() / 1000;
        if rw.limit_next_time != 0 {
            if now < rw.limit_next_time {
                return true;
            }
            rw.limit_next_time = 0;
            return false;
        }
        rw.limit_delay_minutes = if rw.limit_delay_minutes == 0 {
            1
        } else {
            (rw.limit_delay_minutes * 2).min(LIMIT_MAX_MINUTES)
        };
        rw.limit_next_time = now + rw.limit_delay_minutes * 60;
        warn!(
            "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in {} minutes",
            rw.limit_delay_minutes
        );
        true
    }
}

/// The rewrite part of serverCron: a finished rewrite collected, a scheduled
/// one started, a scheduled BGSAVE started after a rewrite, the automatic
/// rewrite on `auto-aof-rewrite-percentage` growth, and the fsync policy
/// kept in step with the snapshots running.
pub fn cron(srv: &mut Server) {
    srv.rewrite_poll();
    if !srv.has_active_child() && srv.aof.rw.scheduled && !srv.rewrite_limited() {
        srv.rewrite_background();
    }
    if !srv.has_active_child()
        && srv.persist.bgsave_scheduled
        && (srv.persist.last_bgsave_ok
            || wall_ms() / 1000 - srv.persist.last_bgsave_try
                > crate::persist::snapshot::BGSAVE_RETRY_DELAY_SECS)
    {
        srv.persist.bgsave_scheduled = false;
        let _ = srv.bgsave_start();
    }
    let perc = srv.config.auto_aof_rewrite_percentage;
    if srv.aof.state == AofState::On && !srv.has_active_child() && perc > 0 {
        let size = srv.aof_current_size();
        if size > srv.config.auto_aof_rewrite_min_size {
            let base = srv.aof.base_size.max(1);
            let growth = (size * 100 / base) as i64 - 100;
            if growth >= perc as i64 && !srv.rewrite_limited() {
                info!("Starting automatic rewriting of AOF on {growth}% growth");
                srv.rewrite_background();
            }
        }
    }
    srv.aof_apply_fsync_policy();
}
