//! Shared helpers for the integration tests: start and kill servers, and a tiny raw
//! RESP client that hands back the exact bytes of each reply.
//!
//! - [`Server`] spawns `oxidis-server` (or `redis-server`, same command line) on a free
//!   loopback port with `--save "" --appendonly no`, its `dir` and `logfile` in a fresh
//!   temporary directory, waits until it answers, and SIGKILLs and reaps it on `Drop`
//!   (also when a test panics).
//! - [`Conn`] is a raw RESP connection: [`Conn::send`] writes a multibulk,
//!   [`Conn::read_reply`] returns the raw bytes of exactly one complete reply (RESP2 and
//!   RESP3 frames), [`Reply`] is a parsed view for structural asserts.
//!
//! - [`require_redis`] / [`require_tool`]: the first call of a test that needs Redis's
//!   tools (it fails without them, and has `redis` in its name so that `scripts/test`
//!   can leave it out); [`wait_for_condition`] and the `wait_for_*` helpers: how a test
//!   waits for a state, never by a fixed sleep.
//!
//! Environment:
//! - `OXIDIS_SERVER_BIN`: run this binary as the "oxidis" side (for example
//!   `/usr/bin/redis-server`, to validate the harness redis-vs-redis).
//! - `REDIS_SERVER_BIN`: the reference server (default: `redis-server` from `PATH`).
//! - `OXIDIS_KEEP_TEST_DIRS`: keep the temporary server directories.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub mod rng;
pub mod scenario;

/// How long a server may take to start accepting connections.
pub const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a read may block before the test gives up on a reply.
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------
// Binaries
// ---------------------------------------------------------------------------------

/// Path of the oxidis server under test (`OXIDIS_SERVER_BIN` overrides).
pub fn oxidis_bin() -> PathBuf {
    match std::env::var_os("OXIDIS_SERVER_BIN") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => PathBuf::from(env!("CARGO_BIN_EXE_oxidis-server")),
    }
}

/// Looks a program up in `PATH`.
pub fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Path of the reference redis-server, if there is one.
pub fn redis_bin() -> Option<PathBuf> {
    match std::env::var_os("REDIS_SERVER_BIN") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)).filter(|p| p.is_file()),
        _ => find_in_path("redis-server"),
    }
}

pub fn redis_available() -> bool {
    redis_bin().is_some()
}

/// The word in the name of every test that needs Redis's tools (`redis-server`,
/// `redis-cli`, `redis-benchmark`): `scripts/test` leaves those tests out with
/// `--skip redis` where the tools are not installed.
pub const NEEDS_REDIS_MARK: &str = "redis";

/// The first call of every test that needs `tool` (one of Redis's tools). Panics
/// when the tool is missing, naming the package to install: such a test fails, it
/// never passes without having run. Also panics when the running test's name lacks
/// [`NEEDS_REDIS_MARK`], so that `scripts/test` can leave it out.
pub fn require_tool(tool: &str, available: bool) {
    if let Some(name) = thread::current().name() {
        // libtest runs each test on a thread named after it; "main" is a
        // harness = false target, which has no names to filter.
        assert!(
            name == "main" || name.contains(NEEDS_REDIS_MARK),
            "test {name} needs {tool}: put `{NEEDS_REDIS_MARK}` in its name, so that \
             scripts/test can leave it out where {tool} is not installed"
        );
    }
    assert!(
        available,
        "{tool} not found in PATH: install Redis 7.0 (Debian: apt-get install \
         redis-server redis-tools redis-sentinel), or run scripts/test, which leaves out the tests \
         that need it and says how many"
    );
}

/// [`require_tool`] for `redis-server` (`REDIS_SERVER_BIN` or `PATH`).
pub fn require_redis() {
    require_tool("redis-server", redis_available());
}

/// The path of `tool` (e.g. `redis-cli`) after [`require_tool`].
pub fn require_in_path(tool: &str) -> PathBuf {
    let found = find_in_path(tool);
    require_tool(tool, found.is_some());
    found.unwrap()
}

// ---------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------

/// A running server process on 127.0.0.1, killed and reaped on drop.
pub struct Server {
    pub port: u16,
    child: Child,
    dir: PathBuf,
    bin: PathBuf,
}

static DIR_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh, empty directory under the system temp dir.
pub fn fresh_temp_dir(tag: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = DIR_COUNTER.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "oxidis-test-{tag}-{}-{n}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// A port that was free a moment ago.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().unwrap().port()
}

impl Server {
    /// Starts the oxidis server with the standard test arguments plus `extra`.
    pub fn oxidis(extra: &[&str]) -> Server {
        Server::start(&oxidis_bin(), None, extra)
    }

    /// Starts the reference redis-server with the standard test arguments plus `extra`.
    /// Its test needs redis-server (see [`require_redis`]).
    pub fn redis(extra: &[&str]) -> Server {
        require_redis();
        let bin = redis_bin().expect("redis-server");
        Server::start(&bin, None, extra)
    }

    /// Starts `bin` with `config` as its configuration file (the first argument, as
    /// redis-server takes it); the standard test arguments still come after it and win.
    pub fn start_with_config(bin: &Path, config: &Path, extra: &[&str]) -> Server {
        Server::start(bin, Some(config), extra)
    }

    /// Starts `bin [config] --port N --bind 127.0.0.1 --save "" --appendonly no
    /// --dir TMP --logfile TMP/server.log EXTRA...`, retrying on a port collision.
    pub fn start(bin: &Path, config: Option<&Path>, extra: &[&str]) -> Server {
        Server::spawn(bin, config, extra, false)
    }

    /// As [`Server::start`], but returns as soon as the server answers at all,
    /// `-LOADING` included (to watch a load at start-up).
    pub fn start_loading(bin: &Path, extra: &[&str]) -> Server {
        Server::spawn(bin, None, extra, true)
    }

    /// Starts oxidis on a given port (a server restarted where its peers
    /// expect it); no retry on a collision.
    pub fn oxidis_on_port(port: u16, extra: &[&str]) -> Server {
        Server::spawn_at(&oxidis_bin(), None, extra, false, Some(port), None)
    }

    /// Starts `bin` with `dir` as its directory (files put there first, such
    /// as a dump.rdb to load); the directory is removed when the value drops.
    pub fn start_in_dir(bin: &Path, dir: &Path, extra: &[&str]) -> Server {
        Server::spawn_at(bin, None, extra, false, None, Some(dir))
    }

    /// Kills the process (SIGKILL) and waits for it; the directory stays
    /// until the value is dropped.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn spawn(bin: &Path, config: Option<&Path>, extra: &[&str], loading_ok: bool) -> Server {
        Server::spawn_at(bin, config, extra, loading_ok, None, None)
    }

    fn spawn_at(
        bin: &Path,
        config: Option<&Path>,
        extra: &[&str],
        loading_ok: bool,
        fixed_port: Option<u16>,
        fixed_dir: Option<&Path>,
    ) -> Server {
        let dir = fixed_dir.map_or_else(|| fresh_temp_dir("srv"), Path::to_path_buf);
        let mut last_log = String::new();
        for _attempt in 0..5 {
            let port = fixed_port.unwrap_or_else(free_port);
            let mut cmd = Command::new(bin);
            if let Some(c) = config {
                cmd.arg(c);
            }
            cmd.args(["--port", &port.to_string()])
                .args(["--bind", "127.0.0.1"])
                .args(["--save", ""])
                .args(["--appendonly", "no"])
                .arg("--dir")
                .arg(&dir)
                .arg("--logfile")
                .arg(dir.join("server.log"))
                .args(extra)
                .stdin(Stdio::null())
                .stdout(std::fs::File::create(dir.join("stdout.log")).expect("stdout.log"))
                .stderr(std::fs::File::create(dir.join("stderr.log")).expect("stderr.log"));
            let child = cmd
                .spawn()
                .unwrap_or_else(|e| panic!("cannot spawn {}: {e}", bin.display()));
            let mut server = Server {
                port,
                child,
                dir: dir.clone(),
                bin: bin.to_path_buf(),
            };
            match server.wait_ready(loading_ok) {
                Ok(()) => return server,
                Err(exited) => {
                    last_log = server.log();
                    let collision = last_log.contains("Address already in use")
                        || last_log.contains("AddrInUse");
                    if exited && collision && fixed_port.is_none() {
                        // Someone took the port between our probe and the bind: retry.
                        // Keep the directory: `server` is forgotten, not dropped.
                        let _ = server.child.kill();
                        let _ = server.child.wait();
                        std::mem::forget(server);
                        continue;
                    }
                    let what = if exited {
                        format!(
                            "exited ({:?}) before accepting connections",
                            server.child.try_wait()
                        )
                    } else {
                        format!("did not answer PING within {START_TIMEOUT:?}")
                    };
                    let msg = format!(
                        "{} on port {port} {what}\n--- log ---\n{last_log}",
                        bin.display()
                    );
                    drop(server);
                    panic!("{msg}");
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        panic!(
            "{}: port collisions on 5 attempts\n{last_log}",
            bin.display()
        );
    }

    /// Waits until the server answers a PING with anything but -LOADING (or
    /// with anything, when `loading_ok`). `Err(true)` when the process exited,
    /// `Err(false)` on timeout.
    fn wait_ready(&mut self, loading_ok: bool) -> Result<(), bool> {
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return Err(true);
            }
            if let Ok(mut c) = Conn::connect_timeout(self.port, Duration::from_secs(2)) {
                // A reset while the server starts is no answer yet: try again
                // (if the process died, try_wait says so on the next round).
                if c.try_send_raw(&Conn::encode(&[b"PING"])).is_err() {
                    thread::sleep(Duration::from_millis(10));
                    continue;
                }
                if let Ok(r) = c.try_read_reply() {
                    if loading_ok || !r.starts_with(b"-LOADING") {
                        return Ok(());
                    }
                }
            }
            thread::sleep(Duration::from_millis(10));
        }
        Err(false)
    }

    /// A new connection to this server (panics if it cannot connect).
    pub fn connect(&self) -> Conn {
        Conn::connect(self.port)
            .unwrap_or_else(|e| panic!("connect to 127.0.0.1:{}: {e}", self.port))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn bin(&self) -> &Path {
        &self.bin
    }

    /// True while the process has not exited.
    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The server's log file plus whatever it wrote to stdout/stderr.
    pub fn log(&self) -> String {
        let mut out = String::new();
        for name in ["server.log", "stdout.log", "stderr.log"] {
            if let Ok(s) = std::fs::read(self.dir.join(name)) {
                if !s.is_empty() {
                    let _ = writeln!(out, "== {name} ==\n{}", String::from_utf8_lossy(&s));
                }
            }
        }
        out
    }

    /// The last `n` lines of [`Server::log`].
    pub fn log_tail(&self, n: usize) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::env::var_os("OXIDIS_KEEP_TEST_DIRS").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

// ---------------------------------------------------------------------------------
// Raw RESP connection
// ---------------------------------------------------------------------------------

#[derive(Debug)]
pub enum ReadError {
    /// The peer closed the connection (EOF or reset).
    Closed,
    /// No complete reply within the read timeout.
    Timeout,
    /// The bytes received are not valid RESP.
    Protocol(String),
    Io(io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Closed => write!(f, "connection closed"),
            ReadError::Timeout => write!(f, "timeout"),
            ReadError::Protocol(m) => write!(f, "bad RESP from server: {m}"),
            ReadError::Io(e) => write!(f, "i/o error: {e}"),
        }
    }
}

/// A raw RESP client connection. Replies come back as the exact bytes on the wire.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    timeout: Duration,
}

/// One field of `INFO <section>`, as text; panics if the field is missing.
pub fn info_field(c: &mut Conn, section: &str, field: &str) -> String {
    let raw = c.cmd(&["INFO", section]);
    let text = String::from_utf8_lossy(&raw).into_owned();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in INFO {section}"))
        .trim()
        .to_string()
}

/// How long a [`wait_for_condition`] waits before the test fails.
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Polls `f` every 10 ms until it holds; panics naming `what` after
/// [`WAIT_TIMEOUT`] (Redis's wait_for_condition). Every wait of the tests for a
/// state that another client, a thread or the cron brings about goes through this
/// or one of the `wait_for_*` helpers built on it, never through a fixed sleep.
pub fn wait_for_condition(what: &str, f: impl FnMut() -> bool) {
    wait_for_condition_within(what, WAIT_TIMEOUT, f);
}

/// [`wait_for_condition`] with its own deadline (a long load, a big BGSAVE).
pub fn wait_for_condition_within(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !f() {
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits until INFO `blocked_clients` is exactly `n` (Redis's
/// wait_for_blocked_clients_count).
pub fn wait_for_blocked_clients(c: &mut Conn, n: usize) {
    wait_for_info(c, "clients", "blocked_clients", &n.to_string());
}

/// Waits until the INFO field `section`/`field` reads `value`.
pub fn wait_for_info(c: &mut Conn, section: &str, field: &str, value: &str) {
    wait_for_condition(&format!("INFO {field} to be {value}"), || {
        info_field(c, section, field) == value
    });
}

/// An INFO field as a number.
pub fn info_u64(c: &mut Conn, section: &str, field: &str) -> u64 {
    let v = info_field(c, section, field);
    v.parse()
        .unwrap_or_else(|_| panic!("INFO {field} is not a number: {v}"))
}

/// Waits until `srv`'s process has exited.
pub fn wait_for_exit(srv: &mut Server) {
    wait_for_condition("the server process to exit", || !srv.is_alive());
}

impl Conn {
    pub fn connect(port: u16) -> io::Result<Conn> {
        Conn::connect_timeout(port, Duration::from_secs(5))
    }

    pub fn connect_timeout(port: u16, t: Duration) -> io::Result<Conn> {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let stream = TcpStream::connect_timeout(&addr, t)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(READ_TIMEOUT))?;
        stream.set_write_timeout(Some(READ_TIMEOUT))?;
        Ok(Conn {
            stream,
            buf: Vec::new(),
            timeout: READ_TIMEOUT,
        })
    }

    /// Changes how long `read_reply` waits for a complete reply.
    pub fn set_timeout(&mut self, t: Duration) {
        self.timeout = t;
    }

    /// Encodes `args` as a RESP multibulk.
    pub fn encode(args: &[&[u8]]) -> Vec<u8> {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    /// Writes one command as a multibulk (panics on a write error).
    pub fn send(&mut self, args: &[&[u8]]) {
        self.send_raw(&Conn::encode(args));
    }

    /// Writes bytes as they are (panics on a write error).
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.try_send_raw(bytes)
            .unwrap_or_else(|e| panic!("write to server: {e}"));
    }

    /// Writes bytes as they are; the error is returned (e.g. the server hung up).
    pub fn try_send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    /// A second handle on the socket, e.g. to write from another thread while this
    /// one reads (deep pipelines).
    pub fn writer(&self) -> TcpStream {
        self.stream.try_clone().expect("clone socket")
    }

    /// Closes our writing half (the server sees EOF).
    pub fn shutdown_write(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Reads exactly one complete reply and returns its raw bytes.
    pub fn try_read_reply(&mut self) -> Result<Vec<u8>, ReadError> {
        let deadline = Instant::now() + self.timeout;
        loop {
            match frame_len(&self.buf) {
                Ok(Some(n)) => return Ok(self.buf.drain(..n).collect()),
                Ok(None) => {}
                Err(e) => return Err(ReadError::Protocol(e)),
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(ReadError::Timeout);
            }
            match self.fill(deadline - now) {
                Ok(0) => return Err(ReadError::Closed),
                Ok(_) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// One read of whatever is available, waiting at most `t`.
    fn fill(&mut self, t: Duration) -> Result<usize, ReadError> {
        let t = t.max(Duration::from_millis(1));
        self.stream
            .set_read_timeout(Some(t))
            .map_err(ReadError::Io)?;
        let mut chunk = [0u8; 64 * 1024];
        let res = loop {
            match self.stream.read(&mut chunk) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        match res {
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(n)
            }
            Err(e) => match e.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Err(ReadError::Timeout),
                io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionAborted
                | io::ErrorKind::BrokenPipe => Err(ReadError::Closed),
                _ => Err(ReadError::Io(e)),
            },
        }
    }

    /// Reads one reply; panics on timeout, close or garbage.
    pub fn read_reply(&mut self) -> Vec<u8> {
        self.try_read_reply()
            .unwrap_or_else(|e| panic!("reading reply: {e}"))
    }

    /// Sends a command and returns the raw reply.
    pub fn cmd(&mut self, args: &[&str]) -> Vec<u8> {
        let v: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.cmd_bytes(&v)
    }

    /// Sends a binary command and returns the raw reply.
    pub fn cmd_bytes(&mut self, args: &[&[u8]]) -> Vec<u8> {
        self.send(args);
        self.read_reply()
    }

    /// Sends a command and returns the parsed reply.
    pub fn cmd_reply(&mut self, args: &[&str]) -> Reply {
        Reply::parse(&self.cmd(args))
    }

    /// Reads everything the server sends until it closes the connection or stays quiet
    /// for `quiet`, at most `max` in total. Returns the bytes and whether it closed.
    pub fn read_until_quiet(&mut self, quiet: Duration, max: Duration) -> (Vec<u8>, bool) {
        let deadline = Instant::now() + max;
        let mut closed = false;
        loop {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            match self.fill(quiet.min(deadline - now)) {
                Ok(0) => {
                    closed = true;
                    break;
                }
                Ok(_) => {}
                Err(ReadError::Closed) => {
                    closed = true;
                    break;
                }
                Err(_) => break,
            }
        }
        (std::mem::take(&mut self.buf), closed)
    }

    /// True if the server has closed this connection (waits up to `t` for the EOF).
    pub fn is_closed_within(&mut self, t: Duration) -> bool {
        let deadline = Instant::now() + t;
        loop {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            match self.fill(deadline - now) {
                Ok(0) | Err(ReadError::Closed) => return true,
                Ok(_) => {}
                Err(ReadError::Timeout) => return false,
                Err(_) => return true,
            }
        }
    }
}

// ---------------------------------------------------------------------------------
// RESP framing
// ---------------------------------------------------------------------------------

/// Length of the first complete RESP2/RESP3 reply in `buf`: `Ok(None)` when more bytes
/// are needed, `Err` when the bytes cannot be RESP. An attribute frame (`|`) counts
/// together with the reply that follows it.
pub fn frame_len(buf: &[u8]) -> Result<Option<usize>, String> {
    frame_end(buf, 0, 0)
}

fn find_crlf(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .windows(2)
        .position(|w| w == b"\r\n")
        .map(|p| from + p)
}

fn parse_len(line: &[u8]) -> Result<i64, String> {
    std::str::from_utf8(line)
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .ok_or_else(|| format!("bad length {:?}", String::from_utf8_lossy(line)))
}

fn frame_end(buf: &[u8], pos: usize, depth: usize) -> Result<Option<usize>, String> {
    if depth > 512 {
        return Err("reply nested too deep".into());
    }
    let Some(&t) = buf.get(pos) else {
        return Ok(None);
    };
    let Some(le) = find_crlf(buf, pos + 1) else {
        return Ok(None);
    };
    let line = &buf[pos + 1..le];
    let next = le + 2;
    match t {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => Ok(Some(next)),
        b'$' | b'!' | b'=' => {
            let n = parse_len(line)?;
            if n < 0 {
                return Ok(Some(next));
            }
            let end = next + n as usize;
            if buf.len() < end + 2 {
                return Ok(None);
            }
            if &buf[end..end + 2] != b"\r\n" {
                return Err("bulk string not terminated by CRLF".into());
            }
            Ok(Some(end + 2))
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let n = parse_len(line)?;
            if n < 0 {
                return Ok(Some(next));
            }
            let count = if t == b'%' || t == b'|' { 2 * n } else { n };
            let mut p = next;
            for _ in 0..count {
                match frame_end(buf, p, depth + 1)? {
                    Some(e) => p = e,
                    None => return Ok(None),
                }
            }
            if t == b'|' {
                // The attribute decorates the reply that follows it.
                return frame_end(buf, p, depth + 1);
            }
            Ok(Some(p))
        }
        _ => Err(format!("unknown RESP type byte {:?}", t as char)),
    }
}

// ---------------------------------------------------------------------------------
// Parsed view
// ---------------------------------------------------------------------------------

/// A parsed reply, for asserting structure. Compare raw bytes for exactness.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Vec<u8>),
    /// RESP2 null bulk `$-1`.
    NilBulk,
    /// RESP2 null array `*-1`.
    NilArray,
    /// RESP3 `_`.
    Null,
    Double(String),
    Bool(bool),
    BigNumber(String),
    Verbatim(String, Vec<u8>),
    BlobError(Vec<u8>),
    Array(Vec<Reply>),
    Set(Vec<Reply>),
    Push(Vec<Reply>),
    Map(Vec<(Reply, Reply)>),
    /// An attribute map and the reply it decorates.
    Attribute(Vec<(Reply, Reply)>, Box<Reply>),
}

impl Reply {
    /// Parses one complete reply (panics on anything else).
    pub fn parse(raw: &[u8]) -> Reply {
        let (r, n) = Reply::parse_at(raw, 0);
        assert_eq!(n, raw.len(), "trailing bytes after reply: {}", escape(raw));
        r
    }

    fn parse_at(b: &[u8], pos: usize) -> (Reply, usize) {
        let le = find_crlf(b, pos + 1).expect("incomplete reply");
        let line = &b[pos + 1..le];
        let s = || String::from_utf8_lossy(line).into_owned();
        let next = le + 2;
        let len = || parse_len(line).expect("bad length");
        let bulk = |n: i64| {
            let n = n as usize;
            (b[next..next + n].to_vec(), next + n + 2)
        };
        let agg = |count: i64| {
            let mut v = Vec::new();
            let mut p = next;
            for _ in 0..count {
                let (r, e) = Reply::parse_at(b, p);
                v.push(r);
                p = e;
            }
            (v, p)
        };
        let pairs = |v: Vec<Reply>| {
            let mut it = v.into_iter();
            let mut out = Vec::new();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((k, v));
            }
            out
        };
        match b[pos] {
            b'+' => (Reply::Status(s()), next),
            b'-' => (Reply::Error(s()), next),
            b':' => (Reply::Int(s().parse().expect("bad integer")), next),
            b'_' => (Reply::Null, next),
            b',' => (Reply::Double(s()), next),
            b'#' => (Reply::Bool(line == b"t"), next),
            b'(' => (Reply::BigNumber(s()), next),
            b'$' => match len() {
                n if n < 0 => (Reply::NilBulk, next),
                n => {
                    let (v, e) = bulk(n);
                    (Reply::Bulk(v), e)
                }
            },
            b'!' => {
                let (v, e) = bulk(len());
                (Reply::BlobError(v), e)
            }
            b'=' => {
                let (v, e) = bulk(len());
                let fmt = String::from_utf8_lossy(&v[..3.min(v.len())]).into_owned();
                (Reply::Verbatim(fmt, v.get(4..).unwrap_or(&[]).to_vec()), e)
            }
            b'*' => match len() {
                n if n < 0 => (Reply::NilArray, next),
                n => {
                    let (v, e) = agg(n);
                    (Reply::Array(v), e)
                }
            },
            b'~' => {
                let (v, e) = agg(len());
                (Reply::Set(v), e)
            }
            b'>' => {
                let (v, e) = agg(len());
                (Reply::Push(v), e)
            }
            b'%' => {
                let (v, e) = agg(2 * len());
                (Reply::Map(pairs(v)), e)
            }
            b'|' => {
                let (v, e) = agg(2 * len());
                let (inner, e2) = Reply::parse_at(b, e);
                (Reply::Attribute(pairs(v), Box::new(inner)), e2)
            }
            t => panic!("unknown RESP type byte {:?}", t as char),
        }
    }

    /// The reply's type and shape without its values: `:`, `$`, `*2[$,$]`, `%1[$:*0[]]`.
    /// Errors keep only their first word (`-ERR`, `-WRONGTYPE`).
    pub fn shape(&self) -> String {
        let list = |tag: &str, v: &[Reply]| {
            let inner: Vec<String> = v.iter().map(|r| r.shape()).collect();
            format!("{tag}{}[{}]", v.len(), inner.join(","))
        };
        let map = |tag: &str, v: &[(Reply, Reply)]| {
            let inner: Vec<String> = v
                .iter()
                .map(|(k, v)| format!("{}:{}", k.shape(), v.shape()))
                .collect();
            format!("{tag}{}[{}]", v.len(), inner.join(","))
        };
        match self {
            Reply::Status(_) => "+".into(),
            Reply::Error(e) => format!("-{}", e.split(' ').next().unwrap_or("")),
            Reply::Int(_) => ":".into(),
            Reply::Bulk(_) => "$".into(),
            Reply::NilBulk => "$-1".into(),
            Reply::NilArray => "*-1".into(),
            Reply::Null => "_".into(),
            Reply::Double(_) => ",".into(),
            Reply::Bool(_) => "#".into(),
            Reply::BigNumber(_) => "(".into(),
            Reply::Verbatim(f, _) => format!("={f}"),
            Reply::BlobError(_) => "!".into(),
            Reply::Array(v) => list("*", v),
            Reply::Set(v) => list("~", v),
            Reply::Push(v) => list(">", v),
            Reply::Map(v) => map("%", v),
            Reply::Attribute(a, r) => format!("{}{}", map("|", a), r.shape()),
        }
    }

    /// The elements of an array, set or push reply.
    pub fn elements(&self) -> Option<&[Reply]> {
        match self {
            Reply::Array(v) | Reply::Set(v) | Reply::Push(v) => Some(v),
            _ => None,
        }
    }

    /// The bytes of a bulk, status, verbatim string, or the text of an integer/double.
    pub fn as_bytes(&self) -> Option<Vec<u8>> {
        match self {
            Reply::Bulk(b) | Reply::Verbatim(_, b) => Some(b.clone()),
            Reply::Status(s) | Reply::Double(s) | Reply::BigNumber(s) => {
                Some(s.as_bytes().to_vec())
            }
            Reply::Int(i) => Some(i.to_string().into_bytes()),
            _ => None,
        }
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_) | Reply::BlobError(_))
    }
}

/// Splits the raw bytes of an aggregate reply into its header line and the raw bytes
/// of each element (`None` if it is not an array, set or push reply).
/// For a map (`%`) each element is the raw key followed by the raw value.
pub fn split_aggregate(raw: &[u8]) -> Option<(Vec<u8>, Vec<Vec<u8>>)> {
    let per = match raw.first() {
        Some(b'*' | b'~' | b'>') => 1,
        Some(b'%') => 2,
        _ => return None,
    };
    let le = find_crlf(raw, 1)?;
    let n = parse_len(&raw[1..le]).ok()?;
    let header = raw[..le + 2].to_vec();
    let mut p = le + 2;
    let mut elems = Vec::new();
    for _ in 0..n.max(0) {
        let start = p;
        for _ in 0..per {
            p = frame_end(raw, p, 0).ok()??;
        }
        elems.push(raw[start..p].to_vec());
    }
    Some((header, elems))
}

/// Bytes as a readable, unambiguous string: printable ASCII as is, `\r \n \t \\ \"`
/// escaped, everything else as `\xHH`.
pub fn escape(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() + 2);
    s.push('"');
    for &c in b {
        match c {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            0x20..=0x7e => s.push(c as char),
            _ => {
                let _ = write!(s, "\\x{c:02x}");
            }
        }
    }
    s.push('"');
    s
}

// ---------------------------------------------------------------------------------
// Argument splitting (redis-cli / sdssplitargs rules)
// ---------------------------------------------------------------------------------

fn hex_val(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Splits a line into arguments the way redis-cli does (`sdssplitargs`): whitespace
/// separates; `"..."` understands `\xHH \n \r \t \b \a \\ \"` (any other `\c` is `c`);
/// `'...'` is literal except `\'`; a closing quote must be followed by whitespace or the
/// end. Errors on unbalanced quotes.
pub fn split_args(line: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    let n = line.len();
    let is_space = |c: u8| matches!(c, b' ' | b'\n' | b'\r' | b'\t' | 0x0b | 0x0c);
    loop {
        while i < n && is_space(line[i]) {
            i += 1;
        }
        if i >= n {
            return Ok(out);
        }
        let mut cur = Vec::new();
        let mut inq = false; // inside "..."
        let mut insq = false; // inside '...'
        loop {
            if inq {
                if i >= n {
                    return Err("unbalanced double quotes".into());
                }
                let c = line[i];
                if c == b'\\'
                    && i + 3 < n
                    && line[i + 1] == b'x'
                    && hex_val(line[i + 2]).is_some()
                    && hex_val(line[i + 3]).is_some()
                {
                    cur.push(hex_val(line[i + 2]).unwrap() * 16 + hex_val(line[i + 3]).unwrap());
                    i += 4;
                } else if c == b'\\' && i + 1 < n {
                    i += 1;
                    cur.push(match line[i] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                    i += 1;
                } else if c == b'"' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return Err("closing quote must be followed by a space".into());
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                    i += 1;
                }
            } else if insq {
                if i >= n {
                    return Err("unbalanced single quotes".into());
                }
                let c = line[i];
                if c == b'\\' && i + 1 < n && line[i + 1] == b'\'' {
                    cur.push(b'\'');
                    i += 2;
                } else if c == b'\'' {
                    if i + 1 < n && !is_space(line[i + 1]) {
                        return Err("closing quote must be followed by a space".into());
                    }
                    i += 1;
                    break;
                } else {
                    cur.push(c);
                    i += 1;
                }
            } else {
                if i >= n || is_space(line[i]) {
                    break;
                }
                match line[i] {
                    b'"' => inq = true,
                    b'\'' => insq = true,
                    c => cur.push(c),
                }
                i += 1;
            }
        }
        out.push(cur);
    }
}

// ---------------------------------------------------------------------------------
// External tools
// ---------------------------------------------------------------------------------

/// Runs a command with a time limit; the output is (status code, stdout, stderr).
/// Panics if it does not finish in time (after killing it).
pub fn run_with_timeout(cmd: &mut Command, limit: Duration) -> (Option<i32>, String, String) {
    let dir = fresh_temp_dir("tool");
    let out_path = dir.join("stdout");
    let err_path = dir.join("stderr");
    cmd.stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {cmd:?}: {e}"));
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait") {
            break st;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            let out = std::fs::read_to_string(&out_path).unwrap_or_default();
            let _ = std::fs::remove_dir_all(&dir);
            panic!("{cmd:?} did not finish within {limit:?}; output so far:\n{out}");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let out = String::from_utf8_lossy(&std::fs::read(&out_path).unwrap_or_default()).into_owned();
    let err = String::from_utf8_lossy(&std::fs::read(&err_path).unwrap_or_default()).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    (status.code(), out, err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames() {
        assert_eq!(frame_len(b"+OK\r\n"), Ok(Some(5)));
        assert_eq!(frame_len(b"+OK\r"), Ok(None));
        assert_eq!(frame_len(b"$3\r\nfoo\r\n+"), Ok(Some(9)));
        assert_eq!(frame_len(b"$-1\r\n"), Ok(Some(5)));
        assert_eq!(frame_len(b"*2\r\n:1\r\n"), Ok(None));
        assert_eq!(frame_len(b"%1\r\n+a\r\n:1\r\n"), Ok(Some(12)));
        assert_eq!(frame_len(b"|1\r\n+a\r\n:1\r\n+x\r\n"), Ok(Some(16)));
        assert!(frame_len(b"?x\r\n").is_err());
    }

    #[test]
    fn splitting() {
        let v = split_args(br#"set "a\x00b\n" 'it\'s' plain"#).unwrap();
        assert_eq!(
            v,
            vec![
                b"set".to_vec(),
                b"a\x00b\n".to_vec(),
                b"it's".to_vec(),
                b"plain".to_vec()
            ]
        );
        assert!(split_args(br#"get "abc"#).is_err());
        assert_eq!(
            split_args(br#"x """#).unwrap(),
            vec![b"x".to_vec(), Vec::new()]
        );
    }
}
