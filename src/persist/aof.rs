//! The append-only file (Redis 7.0's multi-part AOF, aof.c): what the server
//! appends, when it is durable, and which replies wait for it.
//!
//! ```text
//!   call() ─> repl::feed ─> Aof::feed: SELECT when the db changes, the command
//!                           (the propagated stream, the same one replicas get)
//!                           appended to `buf`, `produced` grows
//!   before_sleep ─> flush: `buf` handed to the AOF thread (aof/writer.rs),
//!                   which writes it to the last incr file and fsyncs it
//!                   (always: every batch, one fdatasync for all of it;
//!                    everysec: once a second; no: never)
//!   appendfsync always: a client whose pending output was produced when the
//!   AOF had bytes not yet durable is held (AOF_HELD): not written to, and its
//!   further input not run, until `durable` reaches its stamp; the AOF thread
//!   wakes the loop after each fsync and `release` lets it go.
//! ```
//!
//! Files live in `appenddirname` (inside `dir`) as the manifest
//! (aof/manifest.rs) names them. Loading is in aof/load.rs, BGREWRITEAOF in
//! aof/rewrite.rs.

pub mod emit;
pub mod load;
pub mod manifest;
pub mod rewrite;
pub mod writer;

use std::fs::{File, OpenOptions};
use std::path::PathBuf;
use std::sync::atomic::Ordering;

use bytes::Bytes;
use log::warn;

use crate::client::{flags as cflags, Client};
use crate::config::AppendFsync;
use crate::server::Server;
use manifest::Manifest;
use writer::Writer;

/// Whether the server appends to the AOF (aof_state).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AofState {
    #[default]
    Off,
    On,
    /// CONFIG SET appendonly yes: a rewrite runs, after which the AOF is on.
    WaitRewrite,
}

/// AOF state on the server.
#[derive(Default)]
pub struct Aof {
    pub state: AofState,
    /// The stream of this iteration's commands, not yet handed to the thread
    /// (aof_buf).
    pub buf: Vec<u8>,
    /// The db of the last SELECT in the AOF; -1 forces one.
    pub seldb: i64,
    /// Logical bytes produced since writing started (across files).
    pub produced: u64,
    /// The last `#TS:` annotation's unix time (aof-timestamp-enabled).
    pub last_ts: i64,
    /// The AOF thread, while the AOF is on.
    pub writer: Option<Writer>,
    /// The files of the AOF.
    pub manifest: Manifest,
    /// Bytes of the AOF files at start (aof_current_size starts from this)
    /// and of the base at the last rewrite (aof_base_size).
    pub size_at_start: u64,
    pub base_size: u64,
    /// The logical offset at which `size_at_start` was measured.
    pub size_origin: u64,
    /// BGREWRITEAOF (aof/rewrite.rs).
    pub rw: rewrite::RewriteState,
    /// Clients held for an fsync (always).
    pub held: Vec<usize>,
    /// aof_last_write_status as last seen (to log the recovery once).
    pub last_write_errno: i32,
    /// DEBUG AOF-FLUSH-SLEEP: microseconds slept before each hand-over of
    /// the buffer (a test aid, as Redis's aof_flush_sleep).
    pub flush_sleep_us: u64,
}

impl Aof {
    pub fn new() -> Aof {
        Aof {
            seldb: -1,
            ..Default::default()
        }
    }

    /// True while commands are appended.
    #[inline]
    pub fn feeding(&self) -> bool {
        self.writer.is_some()
    }

    /// The offset the last finished fsync covers.
    #[inline]
    pub fn durable(&self) -> u64 {
        match &self.writer {
            Some(w) => w.shared.durable.load(Ordering::Acquire),
            None => self.produced,
        }
    }

    /// True when replies wait for the fsync (appendfsync always and bytes
    /// produced that are not durable yet).
    #[inline]
    pub fn holding(&self) -> bool {
        match &self.writer {
            Some(w) => {
                w.shared.policy() == AppendFsync::Always
                    && (self.produced > w.shared.durable.load(Ordering::Acquire)
                        || !self.held.is_empty())
            }
            None => false,
        }
    }

    /// Bytes produced but not yet written to the file (aof_buffer_length:
    /// as Redis's aof_buf, it keeps what a failing write could not write).
    pub fn unwritten(&self) -> u64 {
        let written = self
            .writer
            .as_ref()
            .map_or(self.produced, |w| w.shared.written.load(Ordering::Acquire));
        self.produced.saturating_sub(written)
    }

    /// errno of the failing AOF write, 0 when writes succeed.
    pub fn write_errno(&self) -> i32 {
        self.writer
            .as_ref()
            .map_or(0, |w| w.shared.write_errno.load(Ordering::Acquire))
    }

    /// Appends one command (after a SELECT when the db changes) to the buffer
    /// (feedAppendOnlyFile); with `aof-timestamp-enabled` a `#TS:<unix>`
    /// annotation precedes the first command of every new second.
    pub fn feed(&mut self, db: usize, argv: &[Bytes], ts_enabled: bool, now_s: i64) {
        let start = self.buf.len();
        if ts_enabled && now_s > self.last_ts {
            self.last_ts = now_s;
            self.buf
                .extend_from_slice(format!("#TS:{now_s}\r\n").as_bytes());
        }
        if self.seldb != db as i64 {
            let id = db.to_string();
            crate::repl::encode(&mut self.buf, &[&b"SELECT"[..], id.as_bytes()]);
            self.seldb = db as i64;
        }
        crate::repl::encode(&mut self.buf, argv);
        self.produced += (self.buf.len() - start) as u64;
    }
}

impl Server {
    /// `dir`/`appenddirname` (the server runs in `dir`).
    pub fn aof_dir(&self) -> PathBuf {
        PathBuf::from(&self.config.appenddirname)
    }

    /// Opens `name` in the AOF directory for appending (creating it).
    pub fn aof_open_append(&self, name: &str) -> std::io::Result<File> {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.aof_dir().join(name))
    }

    /// Starts appending to `file` (the manifest's last incr file, already
    /// persisted): the AOF thread starts and commands are fed from now on.
    pub fn aof_start_writing(&mut self, file: File) -> Result<(), String> {
        if let Some(w) = self.aof.writer.take() {
            w.stop();
        }
        let policy = self.config.appendfsync;
        let start = self.aof.produced;
        let w = Writer::start(file, start, policy, self.persist.waker.clone())
            .map_err(|e| crate::util::strerror(&e))?;
        self.aof.writer = Some(w);
        self.aof.seldb = -1;
        self.aof.state = AofState::On;
        self.repl.aof_on = true;
        Ok(())
    }

    /// Stops appending (CONFIG SET appendonly no, shutdown): everything
    /// produced is written and fsynced first.
    pub fn aof_stop_writing(&mut self) {
        self.aof_flush();
        if let Some(w) = self.aof.writer.take() {
            w.stop();
        }
        self.aof.state = AofState::Off;
        self.repl.aof_on = false;
        self.release_all_held();
    }

    /// Appends from now on to `file`, in order after everything produced so
    /// far (the incr file a rewrite opens when it starts).
    pub fn aof_switch_file(&mut self, file: File) {
        self.aof_flush();
        if let Some(w) = &mut self.aof.writer {
            w.switch(file);
        }
        // A new file starts with a SELECT, as Redis's does.
        self.aof.seldb = -1;
    }

    /// Hands this iteration's stream to the AOF thread (flushAppendOnlyFile;
    /// from before_sleep, and before anything that needs the file complete).
    pub fn aof_flush(&mut self) {
        if self.aof.buf.is_empty() {
            return;
        }
        if self.aof.flush_sleep_us > 0 {
            std::thread::sleep(std::time::Duration::from_micros(self.aof.flush_sleep_us));
        }
        let data = std::mem::take(&mut self.aof.buf);
        let end = self.aof.produced;
        if let Some(w) = &mut self.aof.writer {
            w.write(data, end);
        }
    }

    /// Writes and fsyncs everything produced, waiting for it (SHUTDOWN,
    /// DEBUG LOADAOF, BGREWRITEAOF's start).
    pub fn aof_flush_sync(&mut self) -> Result<(), String> {
        self.aof_flush();
        match &self.aof.writer {
            Some(w) => w.sync(),
            None => Ok(()),
        }
    }

    /// appendfsync changed at run time.
    pub fn aof_policy_changed(&mut self) {
        self.aof_apply_fsync_policy();
    }

    /// aof_current_size: the files at start plus what was written since.
    pub fn aof_current_size(&self) -> u64 {
        let written = self
            .aof
            .writer
            .as_ref()
            .map_or(0, |w| w.shared.written.load(Ordering::Relaxed));
        self.aof.size_at_start + written.saturating_sub(self.aof.size_origin)
    }

    /// After the start-up load (aofOpenIfNeededOnServerStart): with
    /// `appendonly yes`, creates the directory, a base file when the AOF has
    /// no file at all, opens the last incr file (creating one if there is
    /// none), persists the manifest and starts appending. An error is the
    /// message to log before exiting.
    pub fn aof_open_on_start(&mut self) -> Result<(), String> {
        if !self.config.appendonly {
            return Ok(());
        }
        let dir = self.aof_dir();
        if let Err(e) = std::fs::create_dir_all(&dir) {
            return Err(format!(
                "Can't open or create append-only dir {}: {}",
                dir.display(),
                crate::util::strerror(&e)
            ));
        }
        let filename = self.config.appendfilename.clone();
        if self.aof.manifest.base.is_none() && self.aof.manifest.incrs.is_empty() {
            let preamble = self.config.aof_use_rdb_preamble;
            let name = self.aof.manifest.new_base(&filename, preamble);
            self.aof_write_base_sync(&name)?;
            log::info!("Creating AOF base file {name} on server start");
        }
        let created = self.aof.manifest.incrs.is_empty();
        if created {
            self.aof.manifest.new_incr(&filename);
        }
        let name = self
            .aof
            .manifest
            .incrs
            .last()
            .expect("an incr")
            .name
            .clone();
        let file = self.aof_open_append(&name).map_err(|e| {
            format!(
                "Can't open the append-only file {name}: {}",
                crate::util::strerror(&e)
            )
        })?;
        manifest::persist(&dir, &filename, &self.aof.manifest).map_err(|e| {
            format!(
                "Can't persist the AOF manifest: {}",
                crate::util::strerror(&e)
            )
        })?;
        self.aof.size_at_start = self.aof_files_size();
        self.aof.size_origin = self.aof.produced;
        if created {
            log::info!("Creating AOF incr file {name} on server start");
        } else {
            log::info!("Opening AOF incr file {name} on server start");
        }
        self.aof_start_writing(file)
    }

    /// Bytes of the base and incr files the manifest names.
    pub fn aof_files_size(&self) -> u64 {
        let dir = self.aof_dir();
        self.aof
            .manifest
            .load_order()
            .filter_map(|f| std::fs::metadata(dir.join(&f.name)).ok())
            .map(|m| m.len())
            .sum()
    }

    /// Writes a base file of the current dataset on the event loop
    /// (rewriteAppendOnlyFile): an RDB with `aof-use-rdb-preamble yes`, else
    /// commands. Written to a temp file, fsynced, renamed.
    pub fn aof_write_base_sync(&mut self, name: &str) -> Result<(), String> {
        let dir = self.aof_dir();
        let temp = dir.join(format!("temp-rewriteaof-{}.aof", self.pid));
        let res = (|| -> std::io::Result<u64> {
            let f = File::create(&temp)?;
            let mut w = std::io::BufWriter::new(f);
            if self.config.aof_use_rdb_preamble {
                let dbs = self.snapshot_dbs();
                let info = crate::persist::rdb::SaveInfo {
                    ctime: crate::server::wall_ms() / 1000,
                    used_mem: crate::info::memory::used_memory(),
                    aof_base: true,
                    repl_id: self.master_replid.clone(),
                    repl_offset: 0,
                    repl_stream_db: 0,
                };
                let opts = crate::persist::rdb::SaveOpts {
                    compression: self.config.rdbcompression,
                    checksum: self.config.rdbchecksum,
                };
                crate::persist::rdb::write_rdb(&mut w, &dbs, &info, &opts)?;
            } else {
                use std::io::Write as _;
                let now = crate::server::wall_ms();
                if self.config.aof_timestamp_enabled {
                    w.write_all(&emit::timestamp_annotation(now / 1000))?;
                }
                emit::write_commands(&mut w, self.snapshot_dbs(), now, &mut |_| {})?;
            }
            use std::io::Write as _;
            w.flush()?;
            let f = w.into_inner().map_err(|e| e.into_error())?;
            f.sync_all()?;
            let len = f.metadata()?.len();
            std::fs::rename(&temp, dir.join(name))?;
            manifest::fsync_dir(&dir);
            Ok(len)
        })();
        match res {
            Ok(len) => {
                self.aof.base_size = len;
                Ok(())
            }
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                Err(format!(
                    "Error writing the AOF base file {name}: {}",
                    crate::util::strerror(&e)
                ))
            }
        }
    }

    /// CONFIG SET appendonly (updateAppendonly): `no` stops appending (and
    /// a rewrite); `yes` starts a background rewrite, after which the AOF is
    /// on (aof/rewrite.rs).
    pub fn aof_config_changed(&mut self) -> Result<(), &'static str> {
        let on = self.aof.state != AofState::Off;
        if !self.config.appendonly && on {
            self.stop_append_only_rewrite();
            self.aof_stop_writing();
        } else if self.config.appendonly && !on && !self.start_append_only() {
            return Err("Unable to turn on AOF. Check server logs.");
        }
        Ok(())
    }

    /// Lets every held client go (the AOF stopped being `always`).
    pub(crate) fn release_all_held(&mut self) {
        for token in std::mem::take(&mut self.aof.held) {
            if let Some(c) = self.clients.get_mut(token) {
                c.flags &= !cflags::AOF_HELD;
                c.aof_wait = 0;
            }
            self.blocking.unblocked.push(token);
        }
    }
}

/// Stamps a client whose output is about to be written with the AOF offset
/// it may depend on, when that offset is not durable yet (appendfsync
/// always). Called for clients with new output (PENDING_WRITE).
#[inline]
pub fn stamp(srv: &Server, c: &mut Client) {
    // Only replies to data commands wait: INFO, PING, CONFIG and the
    // -MISCONF refusals of a failing AOF go out (a full disk must not
    // silence the server).
    if c.has(cflags::AOF_DEP) && srv.aof.holding() && !c.has(cflags::AOF_HELD) {
        c.aof_wait = c.aof_wait.max(srv.aof.produced);
    }
    c.flags &= !cflags::AOF_DEP;
}

/// True when `c`'s output must wait for an fsync; the client is then put on
/// the held list (once).
#[inline]
pub fn must_hold(srv: &mut Server, c: &mut Client) -> bool {
    if c.aof_wait == 0 {
        return false;
    }
    if c.aof_wait <= srv.aof.durable() {
        c.aof_wait = 0;
        return false;
    }
    if !c.has(cflags::AOF_HELD) {
        c.flags |= cflags::AOF_HELD;
        srv.aof.held.push(c.token);
    }
    true
}

/// After an fsync: the held clients it covers get their output written and
/// their further input run (from before_sleep and the waker). Returns the
/// tokens released; the caller writes them, then runs their input.
pub fn release(srv: &mut Server) -> Vec<usize> {
    if srv.aof.held.is_empty() {
        return Vec::new();
    }
    let durable = srv.aof.durable();
    let mut out = Vec::new();
    let held = std::mem::take(&mut srv.aof.held);
    for token in held {
        let Some(c) = srv.clients.get_mut(token) else {
            continue;
        };
        if c.aof_wait <= durable {
            c.flags &= !cflags::AOF_HELD;
            c.aof_wait = 0;
            out.push(token);
        } else {
            srv.aof.held.push(token);
        }
    }
    out
}

/// Logs a change of the AOF thread's write status (from cron).
pub fn cron(srv: &mut Server) {
    let errno = srv.aof.write_errno();
    if errno != srv.aof.last_write_errno {
        if errno != 0 {
            warn!(
                "Error writing to the AOF file: {}",
                crate::util::errno_text(errno)
            );
        }
        srv.aof.last_write_errno = errno;
    }
}

/// The `-MISCONF` text while AOF writes fail (processCommand's
/// DISK_ERROR_TYPE_AOF).
pub fn write_error_reply(errno: i32) -> String {
    format!(
        "MISCONF Errors writing to the AOF file: {}",
        crate::util::errno_text(errno)
    )
}
