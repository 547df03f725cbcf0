//! Loading the AOF (aof.c's loadAppendOnlyFiles / loadSingleAppendOnlyFile):
//! at start-up with `appendonly yes` (instead of the RDB, as Redis), and for
//! DEBUG LOADAOF.
//!
//! ```text
//!   appendonlydir/<appendfilename>.manifest   read first (manifest.rs);
//!       none, but an old <appendfilename> in `dir`: it is moved into the
//!       directory as the base and a manifest written (aofUpgradePrepare)
//!   base  ──┬─ starts with "REDIS": an RDB (the RDB loader; an old-style file
//!           │  may go on with commands after the RDB's EOF and checksum)
//!           └─ else commands
//!   incrs ──── commands, in manifest order
//!
//!   commands: RESP multibulks `*<argc>\r\n` `$<len>\r\n<bytes>\r\n` ...;
//!             lines starting with `#` are annotations (`#TS:`) and skipped
//! ```
//!
//! Each command runs through `cmd::call` on a fake client (createAOFClient:
//! replies off, never blocked, id u64::MAX); MULTI queues into its `mstate`
//! and EXEC runs the queue. Propagation is suppressed while loading
//! (`Server::start_loading`), and nothing expires meanwhile (`Db::loading`).
//! Every 1024 commands, and as the RDB loader reports progress, the host
//! serves clients (processEventsWhileBlocked: they get `-LOADING`).
//!
//! Errors are logged with Redis's texts; a file that ends early is, with
//! `aof-load-truncated yes` and when it is the last file, truncated back to
//! its last complete command (or to before an unfinished MULTI) and loaded.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::time::Instant;

use bytes::Bytes;
use log::{info, warn};

use super::manifest::{self, AofFile, FileType, Manifest};
use crate::client::{flags as cflags, Client, Conn};
use crate::persist::rdb::{self, Limits, LoadOpts};
use crate::server::{wall_ms, Server};
use crate::util::number::c_atoll;

/// aof.c's AOF_ANNOTATION_LINE_MAX_LEN: the fgets buffer for a line.
const LINE_MAX: usize = 1024;

/// Clients are served every this many commands (as loadSingleAppendOnlyFile).
const SERVE_EVERY: u64 = 1024;

/// Outcome of loading one file or all of them (aof.c's AOF_* codes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AofStatus {
    Ok,
    NotExist,
    Empty,
    OpenErr,
    Failed,
    Truncated,
}

/// What runs the load: the server, and a way to serve clients meanwhile.
pub trait LoadHost {
    fn server(&mut self) -> &mut Server;
    /// Serves the clients whose events are ready (processEventsWhileBlocked).
    fn serve(&mut self);
}

/// A load that serves nobody meanwhile (DEBUG LOADAOF runs inside a command).
pub struct NoServe<'a>(pub &'a mut Server);

impl LoadHost for NoServe<'_> {
    fn server(&mut self) -> &mut Server {
        self.0
    }

    fn serve(&mut self) {}
}

impl Server {
    /// Reads the manifest into `self.aof.manifest` (aofLoadManifestFromDisk):
    /// an empty manifest when the directory or the file does not exist. The
    /// caller logs an unreadable or invalid manifest ([`manifest::LoadError::log`])
    /// and exits.
    pub fn aof_load_manifest_from_disk(&mut self) -> Result<(), manifest::LoadError> {
        self.aof.manifest = Manifest::default();
        let dir = self.aof_dir();
        if !dir.is_dir() {
            log::debug!("The AOF directory {} doesn't exist", dir.display());
            return Ok(());
        }
        match manifest::load(&dir, &self.config.appendfilename) {
            Ok(Some(m)) => {
                self.aof.manifest = m;
                Ok(())
            }
            Ok(None) => {
                log::debug!(
                    "The AOF manifest file {} doesn't exist",
                    manifest::manifest_name(&self.config.appendfilename)
                );
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Deletes the history files the manifest lists and persists it without
    /// them (aofDelHistoryFiles), unless `aof-disable-auto-gc yes`. At
    /// start-up and after a rewrite.
    pub fn aof_del_history_files(&mut self) -> io::Result<()> {
        if self.config.aof_disable_auto_gc || self.aof.manifest.history.is_empty() {
            return Ok(());
        }
        let dir = self.aof_dir();
        let mut open = Vec::new();
        for f in std::mem::take(&mut self.aof.manifest.history) {
            info!("Removing the history file {} in the background", f.name);
            // Redis's bg_unlink: the name goes now, the blocks when the last
            // descriptor closes, which a thread does (unlinking a big incr
            // file frees its blocks synchronously: 200 ms for 250 MB).
            let path = dir.join(&f.name);
            if let Ok(file) = std::fs::File::open(&path) {
                open.push(file);
            }
            if let Err(e) = std::fs::remove_file(&path) {
                if e.kind() != io::ErrorKind::NotFound {
                    warn!(
                        "Failed to remove the history file {}: {}",
                        f.name,
                        crate::util::strerror(&e)
                    );
                }
            }
        }
        if !open.is_empty() {
            let closer = std::thread::Builder::new()
                .name("aof-unlink".into())
                .spawn(move || drop(open));
            // Without a thread, the files close here, as a plain unlink would.
            drop(closer);
        }
        manifest::persist(&dir, &self.config.appendfilename, &self.aof.manifest).inspect_err(|e| {
            warn!(
                "Can't persist the AOF manifest: {}",
                crate::util::strerror(e)
            )
        })
    }

    /// The old single-file AOF (`appendfilename` in `dir`, Redis <= 6) moves
    /// into the AOF directory as the base of a new manifest
    /// (aofUpgradePrepare). An error has been logged; Redis exits.
    fn aof_upgrade_prepare(&mut self) -> Result<(), ()> {
        let dir = self.aof_dir();
        let filename = self.config.appendfilename.clone();
        if let Err(e) = std::fs::create_dir_all(&dir) {
            warn!(
                "Can't open or create append-only dir {}: {}",
                dir.display(),
                crate::util::strerror(&e)
            );
            return Err(());
        }
        let m = &mut self.aof.manifest;
        m.base = Some(AofFile {
            name: filename.clone(),
            seq: 1,
            kind: FileType::Base,
        });
        m.curr_base_seq = 1;
        if let Err(e) = manifest::persist(&dir, &filename, m) {
            warn!(
                "Can't persist the AOF manifest: {}",
                crate::util::strerror(&e)
            );
            return Err(());
        }
        if let Err(e) = std::fs::rename(&filename, dir.join(&filename)) {
            warn!(
                "Error trying to move the old AOF file {filename} into dir {}: {}",
                dir.display(),
                crate::util::strerror(&e)
            );
            return Err(());
        }
        manifest::fsync_dir(&dir);
        manifest::fsync_dir(std::path::Path::new("."));
        info!(
            "Successfully migrated an old-style AOF file ({filename}) into the AOF directory ({}).",
            dir.display()
        );
        Ok(())
    }
}

/// Loads the files `srv.aof.manifest` names (loadAppendOnlyFiles), first
/// upgrading an old single-file AOF. `Ok`/`Truncated`: the dataset is
/// loaded; `NotExist`/`Empty`: nothing to load; `Failed`/`OpenErr`: logged,
/// the server exits.
pub fn load_append_only_files(h: &mut dyn LoadHost) -> AofStatus {
    let srv = h.server();
    let filename = srv.config.appendfilename.clone();
    let dir = srv.aof_dir();
    // Redis <= 6's file in `dir`: upgraded when the directory or its
    // manifest is missing, or when a half-done upgrade left a manifest that
    // names it as the only file but did not move it yet.
    if std::path::Path::new(&filename).is_file() {
        let m = &srv.aof.manifest;
        let upgrade = !dir.is_dir()
            || (m.base.is_none() && m.incrs.is_empty())
            || (m.incrs.is_empty()
                && m.base.as_ref().is_some_and(|b| b.name == filename)
                && !dir.join(&filename).exists());
        if upgrade && srv.aof_upgrade_prepare().is_err() {
            return AofStatus::Failed;
        }
    }
    let m = srv.aof.manifest.clone();
    if m.base.is_none() && m.incrs.is_empty() {
        return AofStatus::NotExist;
    }
    let files: Vec<&AofFile> = m.load_order().collect();
    let mut total = 0u64;
    for f in &files {
        match std::fs::metadata(dir.join(&f.name)) {
            Ok(md) => total += md.len(),
            Err(e) => {
                warn!(
                    "Unable to obtain the AOF file {} length. stat: {}",
                    f.name,
                    crate::util::strerror(&e)
                );
                // A file the manifest names but the disk lacks is fatal.
                return if e.kind() == io::ErrorKind::NotFound {
                    AofStatus::Failed
                } else {
                    AofStatus::OpenErr
                };
            }
        }
    }
    if total == 0 {
        return AofStatus::Empty;
    }
    srv.start_loading(total);
    set_dbs_loading(srv, true);
    let saved_stats = save_command_stats(srv);
    let mut ret = AofStatus::Ok;
    let mut base_size = 0;
    let mut done = 0u64;
    let n = files.len();
    for (i, f) in files.iter().enumerate() {
        let last = i + 1 == n;
        let is_base = f.kind == FileType::Base;
        if is_base {
            base_size = std::fs::metadata(dir.join(&f.name)).map_or(0, |m| m.len());
        }
        let start = Instant::now();
        ret = load_single_file(h, &f.name, done);
        done += std::fs::metadata(dir.join(&f.name)).map_or(0, |m| m.len());
        if ret == AofStatus::Ok || (ret == AofStatus::Truncated && last) {
            info!(
                "DB loaded from {} file {}: {:.3} seconds",
                if is_base { "base" } else { "incr" },
                f.name,
                start.elapsed().as_secs_f64()
            );
        }
        // One file holds data (total > 0): an empty incr file is fine.
        if ret == AofStatus::Empty && !is_base {
            ret = AofStatus::Ok;
        }
        if ret == AofStatus::Truncated && !last {
            ret = AofStatus::Failed;
            warn!("Fatal error: the truncated file is not the last file");
        }
        if matches!(ret, AofStatus::OpenErr | AofStatus::Failed) {
            break;
        }
    }
    let srv = h.server();
    if matches!(ret, AofStatus::Ok | AofStatus::Truncated | AofStatus::Empty) {
        // aof_current_size from here: the files as loaded plus what is
        // written after (DEBUG LOADAOF flushed everything before).
        srv.aof.size_at_start = srv.aof_files_size();
        srv.aof.size_origin = srv.aof.produced;
        srv.aof.base_size = base_size;
    }
    restore_command_stats(srv, saved_stats);
    set_dbs_loading(srv, false);
    srv.stop_loading();
    ret
}

fn set_dbs_loading(srv: &mut Server, on: bool) {
    for db in &mut srv.dbs {
        db.loading = on;
    }
}

/// The replayed commands are not counted in INFO commandstats and
/// total_commands_processed (Redis runs them without call()).
fn save_command_stats(srv: &Server) -> (Vec<crate::command::CmdStats>, u64) {
    let stats = srv.commands.list.iter().map(|e| e.stats.clone()).collect();
    (stats, srv.stats.numcommands)
}

fn restore_command_stats(srv: &mut Server, saved: (Vec<crate::command::CmdStats>, u64)) {
    for (e, st) in srv.commands.list.iter_mut().zip(saved.0) {
        e.stats = st;
    }
    srv.stats.numcommands = saved.1;
}

/// The fake client the commands run on (createAOFClient).
fn aof_client() -> io::Result<(Client, mio::net::UnixStream)> {
    let (ours, peer) = mio::net::UnixStream::pair()?;
    let mut c = Client::new(
        u64::MAX,
        Conn::Unix(ours),
        usize::MAX,
        String::new(),
        String::new(),
        0,
    );
    c.flags |= cflags::DENY_BLOCKING | cflags::REPLY_OFF | cflags::OBEY;
    c.authenticated = true;
    Ok((c, peer))
}

/// A file read line by line as fgets reads it, with its offset (ftello).
struct Input {
    r: BufReader<File>,
    pos: u64,
    eof: bool,
}

/// Why reading a command stopped.
enum ReadErr {
    /// `readerr`: an I/O error, or the file ended (`eof` set).
    Read(io::Error),
    /// `fmterr`.
    Format,
}

impl Input {
    /// fgets: up to LINE_MAX - 1 bytes or through a newline; false when
    /// nothing was read at the end of the file.
    fn fgets(&mut self, buf: &mut Vec<u8>) -> io::Result<bool> {
        buf.clear();
        while buf.len() < LINE_MAX - 1 {
            let avail = match self.r.fill_buf() {
                Ok(a) => a,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if avail.is_empty() {
                self.eof = true;
                break;
            }
            let room = LINE_MAX - 1 - buf.len();
            let chunk = &avail[..avail.len().min(room)];
            let (n, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            buf.extend_from_slice(&chunk[..n]);
            self.r.consume(n);
            self.pos += n as u64;
            if done {
                break;
            }
        }
        Ok(!buf.is_empty())
    }

    /// fread of exactly `out.len()` bytes; false on a short read (eof set).
    fn read_exact(&mut self, out: &mut [u8]) -> io::Result<bool> {
        let mut done = 0;
        while done < out.len() {
            match self.r.read(&mut out[done..]) {
                Ok(0) => {
                    self.eof = true;
                    self.pos += done as u64;
                    return Ok(false);
                }
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.pos += done as u64;
        Ok(true)
    }

    /// The next command; None at a clean end of the file.
    fn command(&mut self, line: &mut Vec<u8>) -> Result<Option<Vec<Bytes>>, ReadErr> {
        loop {
            if !self.fgets(line).map_err(ReadErr::Read)? {
                return Ok(None);
            }
            if line[0] != b'#' {
                break;
            }
        }
        if line[0] != b'*' {
            return Err(ReadErr::Format);
        }
        if line.len() == 1 {
            return Err(self.short());
        }
        let argc = c_atoll(&line[1..]);
        if argc < 1 {
            return Err(ReadErr::Format);
        }
        let mut argv = Vec::with_capacity((argc as usize).min(1024));
        for _ in 0..argc {
            if !self.fgets(line).map_err(ReadErr::Read)? {
                return Err(self.short());
            }
            if line[0] != b'$' {
                return Err(ReadErr::Format);
            }
            let len = c_atoll(&line[1..]).max(0) as usize;
            // Allocated as it arrives: a bogus length meets the end first.
            let mut arg = Vec::with_capacity(len.min(1 << 20));
            let got = (&mut self.r)
                .take(len as u64)
                .read_to_end(&mut arg)
                .map_err(ReadErr::Read)?;
            self.pos += got as u64;
            if got < len {
                self.eof = true;
                return Err(self.short());
            }
            let mut crlf = [0u8; 2];
            if !self.read_exact(&mut crlf).map_err(ReadErr::Read)? {
                return Err(self.short());
            }
            argv.push(Bytes::from(arg));
        }
        Ok(Some(argv))
    }

    fn short(&mut self) -> ReadErr {
        self.eof = true;
        ReadErr::Read(io::Error::from(io::ErrorKind::UnexpectedEof))
    }
}

/// How the command loop ended.
enum End {
    Done,
    /// `uxeof`: the file ended inside a command (or a MULTI).
    ShortRead,
    Failed,
}

/// Loads one file of the AOF (loadSingleAppendOnlyFile). `before` is the
/// bytes of the files loaded before it (for the loading progress).
fn load_single_file(h: &mut dyn LoadHost, name: &str, before: u64) -> AofStatus {
    let srv = h.server();
    let path = srv.aof_dir().join(name);
    let old_style = name == srv.config.appendfilename;
    let truncated_ok = srv.config.aof_load_truncated;
    let mut f = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            warn!(
                "The append log file {name} doesn't exist: {}",
                crate::util::strerror(&e)
            );
            return AofStatus::NotExist;
        }
        Err(e) => {
            warn!(
                "Fatal error: can't open the append log file {name} for reading: {}",
                crate::util::strerror(&e)
            );
            return AofStatus::OpenErr;
        }
    };
    if f.metadata().is_ok_and(|m| m.len() == 0) {
        return AofStatus::Empty;
    }
    let (mut c, _peer) = match aof_client() {
        Ok(v) => v,
        Err(e) => {
            warn!(
                "Unrecoverable error reading the append only file {name}: {}",
                crate::util::strerror(&e)
            );
            return AofStatus::Failed;
        }
    };
    let mut valid_up_to: u64 = 0;
    let mut valid_before_multi: u64 = 0;
    let mut start_at = 0u64;
    let mut sig = [0u8; 5];
    let is_rdb = matches!(f.read_exact(&mut sig), Ok(()) if &sig == b"REDIS");
    let end = if is_rdb {
        if old_style {
            info!("Reading RDB preamble from AOF file...");
        } else {
            info!("Reading RDB base file on AOF loading...");
        }
        match load_rdb_part(h, &mut f, before) {
            Ok(consumed) => {
                start_at = consumed;
                // A short read in the tail keeps the RDB part (Redis 7.0
                // truncates to 0 when it is in the tail's first command).
                valid_up_to = consumed;
                valid_before_multi = consumed;
                if old_style {
                    info!("Reading the remaining AOF tail...");
                }
                None
            }
            Err(short) => {
                if old_style {
                    warn!("Error reading the RDB preamble of the AOF file {name}, AOF loading aborted");
                } else {
                    warn!("Error reading the RDB base file {name}, AOF loading aborted");
                }
                Some(if short { End::ShortRead } else { End::Failed })
            }
        }
    } else {
        None
    };
    let end = match end {
        Some(e) => e,
        None => match f.seek(SeekFrom::Start(start_at)) {
            Err(e) => {
                warn!(
                    "Unrecoverable error reading the append only file {name}: {}",
                    crate::util::strerror(&e)
                );
                End::Failed
            }
            Ok(_) => {
                let mut inp = Input {
                    r: BufReader::with_capacity(1 << 16, f),
                    pos: start_at,
                    eof: false,
                };
                run_commands(
                    h,
                    &mut c,
                    &mut inp,
                    name,
                    before,
                    truncated_ok,
                    &mut valid_up_to,
                    &mut valid_before_multi,
                )
            }
        },
    };
    match end {
        End::Done => AofStatus::Ok,
        End::Failed => AofStatus::Failed,
        End::ShortRead => {
            if truncated_ok {
                warn!("!!! Warning: short read while loading the AOF file {name}!!!");
                warn!("!!! Truncating the AOF {name} at offset {valid_up_to} !!!");
                match truncate(&path, valid_up_to) {
                    Ok(()) => {
                        warn!("AOF {name} loaded anyway because aof-load-truncated is enabled");
                        return AofStatus::Truncated;
                    }
                    Err(e) => warn!(
                        "Error truncating the AOF file {name}: {}",
                        crate::util::strerror(&e)
                    ),
                }
            }
            warn!(
                "Unexpected end of file reading the append only file {name}. You can: \
                 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. \
                 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."
            );
            AofStatus::Failed
        }
    }
}

fn truncate(path: &std::path::Path, len: u64) -> io::Result<()> {
    let f = std::fs::OpenOptions::new().write(true).open(path)?;
    f.set_len(len)?;
    f.sync_all()
}

/// The commands of a file, from `inp`'s position to its end.
#[allow(clippy::too_many_arguments)]
fn run_commands(
    h: &mut dyn LoadHost,
    c: &mut Client,
    inp: &mut Input,
    name: &str,
    before: u64,
    truncated_ok: bool,
    valid_up_to: &mut u64,
    valid_before_multi: &mut u64,
) -> End {
    let mut line = Vec::with_capacity(LINE_MAX);
    let mut loops = 0u64;
    let key_load_delay = h.server().config.key_load_delay;
    loop {
        if loops.is_multiple_of(SERVE_EVERY) {
            h.server().loading_progress(before + inp.pos);
            h.serve();
        }
        loops += 1;
        let argv = match inp.command(&mut line) {
            Ok(Some(argv)) => argv,
            Ok(None) => break,
            Err(ReadErr::Format) => {
                warn!(
                    "Bad file format reading the append only file {name}: \
                     make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>"
                );
                return End::Failed;
            }
            Err(ReadErr::Read(e)) => {
                if inp.eof {
                    // Cut inside a transaction: back to before its MULTI too
                    // (Redis 7.0 truncates after the last whole command,
                    // leaving a MULTI that the next load joins to the
                    // commands written after it).
                    if c.has(cflags::MULTI) {
                        warn!("Revert incomplete MULTI/EXEC transaction in AOF file {name}");
                        crate::cmd::multi::discard_transaction(h.server(), c);
                        *valid_up_to = *valid_before_multi;
                    }
                    return End::ShortRead;
                }
                warn!(
                    "Unrecoverable error reading the append only file {name}: {}",
                    crate::util::strerror(&e)
                );
                return End::Failed;
            }
        };
        let srv = h.server();
        let Ok(id) = srv.commands.lookup(&argv) else {
            warn!(
                "Unknown command '{}' reading the append only file {name}",
                String::from_utf8_lossy(&argv[0])
            );
            return End::Failed;
        };
        let entry = &srv.commands.list[id];
        let arity = entry.cmd.arity;
        let argc = argv.len() as i32;
        if (arity > 0 && arity != argc) || argc < -arity {
            // Redis would run the handler with a wrong argc; refused here.
            warn!(
                "Bad file format reading the append only file {name}: \
                 make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>"
            );
            return End::Failed;
        }
        let cmd_name = entry.cmd.name;
        if cmd_name == "multi" {
            *valid_before_multi = *valid_up_to;
        }
        if c.has(cflags::MULTI) && cmd_name != "exec" {
            c.mstate.push(argv);
        } else {
            c.argv = argv;
            crate::cmd::call(srv, c, id);
        }
        c.argv.clear();
        c.clear_out();
        if truncated_ok {
            *valid_up_to = inp.pos;
        }
        if key_load_delay != 0 {
            crate::persist::rdb::debug_delay(key_load_delay);
        }
    }
    // The file ends inside MULTI: handled as a short read, back to before it.
    if c.has(cflags::MULTI) {
        warn!("Revert incomplete MULTI/EXEC transaction in AOF file {name}");
        crate::cmd::multi::discard_transaction(h.server(), c);
        *valid_up_to = *valid_before_multi;
        return End::ShortRead;
    }
    h.server().loading_progress(before + inp.pos);
    End::Done
}

/// The RDB at the start of `f` (a base, or an old file's preamble), loaded
/// into the server's databases; returns the bytes it took. Err(true) for a
/// short read (the file ends inside the RDB), Err(false) for a corrupt RDB.
fn load_rdb_part(h: &mut dyn LoadHost, f: &mut File, before: u64) -> Result<u64, bool> {
    let srv = h.server();
    if f.seek(SeekFrom::Start(0)).is_err() {
        return Err(false);
    }
    let opts = LoadOpts {
        now_ms: wall_ms(),
        // Redis keeps expired keys of an AOF preamble (RDBFLAGS_AOF_PREAMBLE).
        skip_expired: false,
        sanitize: false,
        key_load_delay: srv.config.key_load_delay,
    };
    let limits = Limits::from_config(&srv.config);
    let clock = crate::persist::snapshot::key_clock(&srv.config);
    // The databases leave the server while the RDB loads into them, so the
    // loop may serve clients in between (see persist/loading.rs).
    let mut dbs = srv.take_dbs_for_load();
    let res = rdb::load_rdb_with(f, &mut dbs, &opts, &limits, clock, &mut |bytes| {
        if h.server().loading_progress(before + bytes) {
            h.serve();
        }
    });
    let srv = h.server();
    srv.put_loaded_dbs(dbs);
    set_dbs_loading(srv, true);
    match res {
        Ok(stats) => {
            srv.persist.rdb_last_load_keys_loaded = stats.keys;
            srv.persist.rdb_last_load_keys_expired = stats.expired_skipped;
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
            Ok(stats.consumed)
        }
        Err(e) => {
            let offset = srv.persist.loading_loaded_bytes;
            if e.is_short_read() {
                warn!("Short read or OOM loading DB. Unrecoverable error, aborting now.");
                warn!(
                    "Internal error in RDB reading offset {offset} -> {e}. Failure loading rdb format from socket, assuming connection error, resuming operation."
                );
                Err(true)
            } else {
                warn!("Internal error in RDB reading offset {offset} -> {e}. Failure loading rdb format");
                warn!("Terminating server after rdb file reading failure.");
                Err(false)
            }
        }
    }
}
