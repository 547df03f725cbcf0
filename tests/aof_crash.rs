//! Crash tests for the AOF: the server is SIGKILLed at random moments while
//! clients write, restarted on the same directory, and what it loads is
//! checked against every reply the clients read.
//!
//! - `appendfsync always`: every acknowledged write is there after the
//!   restart, and nothing that was never sent (a reply is only written after
//!   the fsync that covers its command).
//! - `appendfsync everysec`: what is lost was acknowledged at most about 2 s
//!   before the kill.
//! - A kill while a BGREWRITEAOF runs: the manifest always names a loadable
//!   set of files.
//! - The disk fills up (a small tmpfs): writes are refused with `-MISCONF
//!   Errors writing to the AOF file: No space left on device`, INFO says
//!   `aof_last_write_status:err`, and once space is freed writes are accepted
//!   again with nothing acknowledged lost.
//!
//! Each client writes only its own keys, one sequence per kind of write
//! (INCR, RPUSH, SET, ZADD, and MULTI/EXEC of an INCR and an RPUSH), so after
//! a restart each key's state is a number `v` that must lie between the last
//! acknowledged and the last sent sequence number. Clients pipeline some
//! batches and send others one command at a time.
//!
//! The harness runs against redis-server too (`OXIDIS_SERVER_BIN`), which
//! passes except for one Redis 7.0 bug the MULTI check finds now and then: a
//! kill in the middle of a command inside MULTI is truncated after the last
//! whole command, not before the MULTI, so the next load runs the
//! transaction's first half with the next one (aof.c's uxeof path).
//!
//! `OXIDIS_AOF_CRASH_KILLS` sets the number of kills of each case
//! (scripts/aof-crash runs 500); `OXIDIS_FUZZ_SEED` the seed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::rng::{fuzz_seed, Rng};
use common::{fresh_temp_dir, info_field, oxidis_bin, Conn, ReadError, Server};

/// Writing clients per server.
const CLIENTS: usize = 4;

/// The AOF size past which a long run rewrites it between rounds.
const COMPACT_ABOVE: u64 = 16 << 20;

/// The kinds of write, one key (two for MULTI) and one sequence each per
/// client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Incr,
    Push,
    Set,
    Zadd,
    Multi,
}

const KINDS: [Kind; 5] = [Kind::Incr, Kind::Push, Kind::Set, Kind::Zadd, Kind::Multi];

/// One sequence of writes: 1, 2, 3, ... on one key.
#[derive(Default, Clone)]
struct Seq {
    /// The last sequence number whose reply was read.
    acked: u64,
    /// The last sequence number written to the socket.
    sent: u64,
    /// (sequence number, when its reply was read) since the last restart.
    acks: Vec<(u64, Instant)>,
}

/// One client's keys and what it was told about them.
struct Client {
    id: usize,
    db: usize,
    seqs: Vec<Seq>,
    rng: Rng,
}

impl Client {
    fn new(id: usize, seed: u64) -> Client {
        Client {
            id,
            db: id % 3,
            seqs: vec![Seq::default(); KINDS.len()],
            rng: Rng::new(seed ^ ((id as u64 + 1) * 0x1000_0001)),
        }
    }

    fn key(&self, kind: Kind, part: &str) -> String {
        format!("crash:{}:{kind:?}{part}", self.id)
    }

    /// The keys that exist when the sequences stand at `seqs`.
    fn key_count(&self) -> u64 {
        KINDS
            .iter()
            .zip(&self.seqs)
            .map(|(k, s)| match (k, s.acked) {
                (_, 0) => 0,
                (Kind::Multi, _) => 2,
                _ => 1,
            })
            .sum()
    }

    /// Appends the command(s) of the next write of `kind` to `out`; returns
    /// the number of replies it produces.
    fn encode(&mut self, kind: Kind, out: &mut Vec<u8>) -> usize {
        let i = kind as usize;
        self.seqs[i].sent += 1;
        let n = self.seqs[i].sent.to_string();
        let key = self.key(kind, "");
        let push = |out: &mut Vec<u8>, args: &[&str]| {
            let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
            out.extend_from_slice(&Conn::encode(&a));
        };
        match kind {
            Kind::Incr => push(out, &["INCR", &key]),
            Kind::Push => push(out, &["RPUSH", &key, &n]),
            Kind::Set => push(out, &["SET", &key, &n]),
            Kind::Zadd => push(out, &["ZADD", &key, &n, &format!("m{n}")]),
            Kind::Multi => {
                push(out, &["MULTI"]);
                push(out, &["INCR", &self.key(kind, ":a")]);
                push(out, &["RPUSH", &self.key(kind, ":b"), &n]);
                push(out, &["EXEC"]);
                return 4;
            }
        }
        1
    }

    /// The reply the last of `kind`'s replies must be for sequence number `n`.
    fn expected(kind: Kind, n: u64) -> Vec<u8> {
        match kind {
            Kind::Incr | Kind::Push => format!(":{n}\r\n").into_bytes(),
            Kind::Set => b"+OK\r\n".to_vec(),
            Kind::Zadd => b":1\r\n".to_vec(),
            Kind::Multi => format!("*2\r\n:{n}\r\n:{n}\r\n").into_bytes(),
        }
    }

    /// Writes until the connection dies (the kill) or `stop` is set. Counts
    /// every acknowledged write in `acked`.
    fn run(&mut self, port: u16, acked: &AtomicU64, stop: &AtomicBool) {
        let Ok(mut c) = Conn::connect(port) else {
            return;
        };
        let sel = self.db.to_string();
        c.send(&[b"SELECT", sel.as_bytes()]);
        match c.try_read_reply() {
            Ok(r) => assert_eq!(r, b"+OK\r\n", "SELECT"),
            Err(_) => return,
        }
        while !stop.load(Ordering::Relaxed) {
            // Pipelined batches a third of the time, else one write at a time.
            let batch = if self.rng.chance(33) {
                2 + self.rng.below(30) as usize
            } else {
                1
            };
            let mut out = Vec::new();
            let mut ops = Vec::new();
            for _ in 0..batch {
                let kind = *self.rng.pick(&KINDS);
                let replies = self.encode(kind, &mut out);
                ops.push((kind, self.seqs[kind as usize].sent, replies));
            }
            if c.try_send_raw(&out).is_err() {
                return;
            }
            for (kind, n, replies) in ops {
                for r in 0..replies {
                    let reply = match c.try_read_reply() {
                        Ok(reply) => reply,
                        Err(ReadError::Timeout) => {
                            panic!("client {}: no reply within the read timeout", self.id)
                        }
                        Err(_) => return,
                    };
                    let want = if r + 1 < replies {
                        if r == 0 {
                            b"+OK\r\n".to_vec()
                        } else {
                            b"+QUEUED\r\n".to_vec()
                        }
                    } else {
                        Client::expected(kind, n)
                    };
                    assert_eq!(
                        common::escape(&reply),
                        common::escape(&want),
                        "client {} {kind:?} #{n}",
                        self.id
                    );
                }
                let s = &mut self.seqs[kind as usize];
                s.acked = n;
                s.acks.push((n, Instant::now()));
                acked.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

fn int_reply(raw: &[u8]) -> u64 {
    let s = String::from_utf8_lossy(raw);
    if s.starts_with("$-1") {
        return 0;
    }
    let body = s
        .trim_start_matches([':', '$'])
        .split("\r\n")
        .collect::<Vec<_>>();
    // ":N\r\n" or "$len\r\nN\r\n".
    let v = if raw.starts_with(b"$") {
        body[1]
    } else {
        body[0]
    };
    v.parse()
        .unwrap_or_else(|_| panic!("not a number: {}", common::escape(raw)))
}

/// How a restart went, for the summary.
#[derive(Default)]
struct Stats {
    kills: u64,
    /// Extra kills just after a restart, while or soon after it loads.
    load_kills: u64,
    acked: u64,
    /// Writes sent but not acknowledged that the restart found applied.
    applied_unacked: u64,
    /// Acknowledged writes the restart did not find (everysec only).
    lost: u64,
    /// The oldest lost acknowledgement, as time before its kill.
    max_loss: Duration,
    max_restart: Duration,
    truncated_loads: u64,
    /// Kills that came while a BGREWRITEAOF ran (its start logged, not its
    /// end).
    kills_during_rewrite: u64,
    /// BGREWRITEAOFs between rounds to keep the AOF small.
    compactions: u64,
}

/// Reads each client's keys after a restart, checks them against what it was
/// told and resets its sequences to what is there. `allowed_loss`: None for
/// `always` (nothing acknowledged may be lost), else how long before the
/// kill a lost acknowledgement may be.
fn verify(
    c: &mut Conn,
    clients: &mut [Client],
    killed_at: Instant,
    allowed_loss: Option<Duration>,
    full: bool,
    stats: &mut Stats,
) {
    let mut keys_per_db = [0u64; 3];
    for cl in clients.iter_mut() {
        assert_eq!(c.cmd(&["SELECT", &cl.db.to_string()]), b"+OK\r\n");
        for kind in KINDS {
            let key = cl.key(kind, "");
            let v = match kind {
                Kind::Incr | Kind::Set => int_reply(&c.cmd(&["GET", &key])),
                Kind::Push => {
                    let v = int_reply(&c.cmd(&["LLEN", &key]));
                    if v > 0 {
                        assert_eq!(c.cmd(&["LINDEX", &key, "0"]), b"$1\r\n1\r\n", "{key}");
                        let last = int_reply(&c.cmd(&["LINDEX", &key, "-1"]));
                        assert_eq!(last, v, "{key}: the last element is its length");
                    }
                    if full {
                        let want: Vec<String> = (1..=v).map(|i| i.to_string()).collect();
                        let w: Vec<&[u8]> = want.iter().map(|s| s.as_bytes()).collect();
                        let raw = c.cmd(&["LRANGE", &key, "0", "-1"]);
                        assert_eq!(raw, encode_array(&w), "{key}");
                    }
                    v
                }
                Kind::Zadd => {
                    let v = int_reply(&c.cmd(&["ZCARD", &key]));
                    if v > 0 {
                        let raw = c.cmd(&["ZRANGE", &key, "-1", "-1", "WITHSCORES"]);
                        let m = format!("m{v}");
                        let s = v.to_string();
                        assert_eq!(raw, encode_array(&[m.as_bytes(), s.as_bytes()]), "{key}");
                    }
                    v
                }
                Kind::Multi => {
                    let a = int_reply(&c.cmd(&["GET", &cl.key(kind, ":a")]));
                    let b = int_reply(&c.cmd(&["LLEN", &cl.key(kind, ":b")]));
                    assert_eq!(a, b, "client {}: MULTI/EXEC applied in part", cl.id);
                    a
                }
            };
            let s = &mut cl.seqs[kind as usize];
            assert!(
                v <= s.sent,
                "client {} {kind:?}: {v} after the restart, but only {} sent",
                cl.id,
                s.sent
            );
            if v < s.acked {
                let lost: Vec<&(u64, Instant)> = s.acks.iter().filter(|(n, _)| *n > v).collect();
                let oldest = killed_at.duration_since(lost[0].1);
                match allowed_loss {
                    None => panic!(
                        "client {} {kind:?}: {} acknowledged, {v} after the restart \
                         (appendfsync always: the acknowledgement of #{} came {oldest:?} \
                         before the kill)",
                        cl.id,
                        s.acked,
                        v + 1
                    ),
                    Some(limit) => assert!(
                        oldest <= limit,
                        "client {} {kind:?}: lost #{}..#{}, acknowledged {oldest:?} before \
                         the kill (at most {limit:?} may be lost)",
                        cl.id,
                        v + 1,
                        s.acked
                    ),
                }
                stats.lost += lost.len() as u64;
                stats.max_loss = stats.max_loss.max(oldest);
            }
            stats.applied_unacked += v.saturating_sub(s.acked);
            stats.acked += s.acks.len() as u64;
            s.acked = v;
            s.sent = v;
            s.acks.clear();
        }
        keys_per_db[cl.db] += cl.key_count();
    }
    for (db, n) in keys_per_db.iter().enumerate() {
        assert_eq!(c.cmd(&["SELECT", &db.to_string()]), b"+OK\r\n");
        assert_eq!(
            int_reply(&c.cmd(&["DBSIZE"])),
            *n,
            "db {db}: a key nobody wrote"
        );
    }
}

fn encode_array(items: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", items.len()).into_bytes();
    for i in items {
        out.extend_from_slice(format!("${}\r\n", i.len()).as_bytes());
        out.extend_from_slice(i);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Starts the server on `dir` with the AOF on (its log appended to
/// `dir/server.log`).
fn start(dir: &Path, fsync: &str, extra: &[&str]) -> Server {
    start_logged(dir, &dir.join("server.log"), fsync, extra)
}

/// [`start`] with the log at `log`.
fn start_logged(dir: &Path, log: &Path, fsync: &str, extra: &[&str]) -> Server {
    spawn(dir, log, fsync, extra, false)
}

/// Starts the server; `loading`: returns as soon as it answers at all
/// (-LOADING included).
fn spawn(dir: &Path, log: &Path, fsync: &str, extra: &[&str], loading: bool) -> Server {
    let d = dir.to_str().unwrap();
    let mut args = vec![
        "--dir",
        d,
        "--logfile",
        log.to_str().unwrap(),
        "--appendonly",
        "yes",
        "--appendfsync",
        fsync,
        "--enable-debug-command",
        "yes",
    ];
    args.extend_from_slice(extra);
    if loading {
        Server::start_loading(&oxidis_bin(), &args)
    } else {
        Server::start(&oxidis_bin(), None, &args)
    }
}

fn log_of(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
}

/// Kills and restarts the server `kills` times while the clients write,
/// checking each restart; `during_round` runs on its own thread each round
/// (e.g. BGREWRITEAOFs) until the kill.
fn crash_loop(
    tag: &str,
    fsync: &str,
    kills: u64,
    allowed_loss: Option<Duration>,
    extra: &[&str],
    during_round: Option<fn(u16, &AtomicBool, &mut Rng)>,
) -> Stats {
    let seed = fuzz_seed(0xA0F_C4A5);
    let mut rng = Rng::new(seed);
    let dir = fresh_temp_dir(tag);
    let mut clients: Vec<Client> = (0..CLIENTS).map(|i| Client::new(i, seed)).collect();
    let mut stats = Stats::default();
    let mut killed_at: Option<Instant> = None;
    let mut truncated_seen = 0;
    let mut log_seen = 0;
    for round in 0..=kills {
        if killed_at.is_some() && rng.chance(10) {
            // Killed again while it loads (or just after): the files must
            // stay loadable.
            let srv = spawn(&dir, &dir.join("server.log"), fsync, extra, true);
            thread::sleep(Duration::from_micros(rng.below(20_000)));
            drop(srv);
            stats.load_kills += 1;
        }
        let t = Instant::now();
        let srv = start(&dir, fsync, extra);
        stats.max_restart = stats.max_restart.max(t.elapsed());
        let mut c = srv.connect();
        if let Some(at) = killed_at {
            let last = round == kills;
            verify(&mut c, &mut clients, at, allowed_loss, last, &mut stats);
        }
        let truncated = log_of(&dir)
            .matches("loaded anyway because aof-load-truncated is enabled")
            .count();
        stats.truncated_loads += (truncated - truncated_seen) as u64;
        truncated_seen = truncated;
        if common::info_u64(&mut c, "persistence", "aof_current_size") > COMPACT_ABOVE {
            // A long run (scripts/aof-crash): the AOF is compacted between
            // rounds so that restarts stay fast.
            let r = c.cmd(&["BGREWRITEAOF"]);
            assert!(
                r.starts_with(b"+Background append only file rewriting"),
                "{r:?}"
            );
            common::wait_for_condition_within(
                "the rewrite to end",
                Duration::from_secs(60),
                || {
                    info_field(&mut c, "persistence", "aof_rewrite_in_progress") == "0"
                        && info_field(&mut c, "persistence", "aof_rewrite_scheduled") == "0"
                },
            );
            stats.compactions += 1;
        }
        if round == kills {
            let d = c.cmd(&["DEBUG", "DIGEST"]);
            assert!(
                d.starts_with(b"+") && d.len() == 43,
                "DEBUG DIGEST: {}",
                common::escape(&d)
            );
            break;
        }
        // The clients write; the kill comes after a random number of
        // acknowledgements plus a random delay (sometimes none at all).
        let acked = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let port = srv.port;
        let mut handles = Vec::new();
        for mut cl in clients.drain(..) {
            let (acked, stop) = (acked.clone(), stop.clone());
            handles.push(thread::spawn(move || {
                cl.run(port, &acked, &stop);
                cl
            }));
        }
        let side = during_round.map(|f| {
            let stop = stop.clone();
            let mut r = Rng::new(rng.next());
            thread::spawn(move || f(port, &stop, &mut r))
        });
        let target = if rng.chance(10) { 0 } else { rng.below(2000) };
        let deadline = Instant::now() + Duration::from_secs(20);
        while acked.load(Ordering::Relaxed) < target {
            assert!(
                Instant::now() < deadline,
                "round {round}: only {} of {target} writes acknowledged in 20 s\n{}",
                acked.load(Ordering::Relaxed),
                srv.log_tail(20)
            );
            thread::sleep(Duration::from_millis(1));
        }
        // A random moment: sleeping here is the point.
        thread::sleep(Duration::from_micros(rng.below(30_000)));
        killed_at = Some(Instant::now());
        drop(c);
        drop(srv); // SIGKILL, then reaped
        stop.store(true, Ordering::Relaxed);
        stats.kills += 1;
        let log = log_of(&dir);
        let round_log = &log[log_seen.min(log.len())..];
        if round_log
            .matches("Background append only file rewriting started")
            .count()
            > round_log
                .matches("Background AOF rewrite terminated")
                .count()
        {
            stats.kills_during_rewrite += 1;
        }
        log_seen = log.len();
        for h in handles {
            clients.push(h.join().expect("a client panicked"));
        }
        if let Some(h) = side {
            h.join().expect("the side thread panicked");
        }
    }
    if std::env::var_os("OXIDIS_KEEP_TEST_DIRS").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    eprintln!(
        "aof crash {tag} (appendfsync {fsync}, seed {seed:#x}): {} kills (+{} at start-up), \
         {} writes \
         acknowledged, {} lost (oldest {:?} before its kill), {} sent but unacknowledged \
         found applied, {} loads trimmed a truncated tail, {} kills during a rewrite, \
         {} rewrites between rounds, slowest restart {:?}",
        stats.kills,
        stats.load_kills,
        stats.acked,
        stats.lost,
        stats.max_loss,
        stats.applied_unacked,
        stats.truncated_loads,
        stats.kills_during_rewrite,
        stats.compactions,
        stats.max_restart
    );
    stats
}

fn kills_from_env(default: u64) -> u64 {
    match std::env::var("OXIDIS_AOF_CRASH_KILLS") {
        Ok(s) if !s.trim().is_empty() => s
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("OXIDIS_AOF_CRASH_KILLS={s} is not a number")),
        _ => default,
    }
}

#[test]
fn kill_with_appendfsync_always_loses_nothing_acknowledged() {
    let kills = kills_from_env(40);
    let stats = crash_loop("aof-crash-always", "always", kills, None, &[], None);
    assert_eq!(stats.lost, 0);
    assert!(stats.acked > kills, "too few writes: {}", stats.acked);
}

#[test]
fn kill_with_appendfsync_everysec_loses_at_most_two_seconds() {
    let kills = kills_from_env(15);
    // Redis's contract: at most 2 s of writes (an fsync may be postponed
    // once while the previous one runs); a little slack for scheduling.
    let limit = Duration::from_millis(2500);
    let stats = crash_loop(
        "aof-crash-everysec",
        "everysec",
        kills,
        Some(limit),
        &[],
        None,
    );
    assert!(stats.max_loss <= limit);
}

/// The side thread of the rewrite case: a BGREWRITEAOF now and then.
fn rewrites(port: u16, stop: &AtomicBool, rng: &mut Rng) {
    let Ok(mut c) = Conn::connect(port) else {
        return;
    };
    while !stop.load(Ordering::Relaxed) {
        c.send(&[b"BGREWRITEAOF"]);
        match c.try_read_reply() {
            Ok(r) => assert!(
                r.starts_with(b"+Background append only file rewriting")
                    || r.starts_with(b"-ERR Background append only file rewriting already"),
                "BGREWRITEAOF: {}",
                common::escape(&r)
            ),
            Err(_) => return,
        }
        thread::sleep(Duration::from_micros(rng.below(50_000)));
    }
}

#[test]
fn kill_during_bgrewriteaof_leaves_a_loadable_manifest() {
    let kills = kills_from_env(20);
    // A small auto-rewrite threshold too, so that rewrites also start by
    // themselves.
    // Slow rewrites (a delay per key written), so that kills land in them.
    let extra = [
        "--auto-aof-rewrite-min-size",
        "64kb",
        "--auto-aof-rewrite-percentage",
        "50",
        "--rdb-key-save-delay",
        "2000",
    ];
    let stats = crash_loop(
        "aof-crash-rewrite",
        "always",
        kills,
        None,
        &extra,
        Some(rewrites),
    );
    assert!(
        stats.kills_during_rewrite >= kills / 5,
        "only {} of {kills} kills came during a rewrite",
        stats.kills_during_rewrite
    );
}

// ---------------------------------------------------------------------------------
// Write errors: a full disk
// ---------------------------------------------------------------------------------

/// A small tmpfs, unmounted on drop.
struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    /// Mounts a tmpfs of `size` (mount(8)'s syntax); None when mounting is
    /// not possible here (not root, no mount(8)).
    fn mount(size: &str) -> Option<Tmpfs> {
        let path = fresh_temp_dir("aof-tmpfs");
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            let _ = std::fs::remove_dir(&path);
            return None;
        }
        Some(Tmpfs { path })
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Fills the file system holding `path` with `path` itself; returns its size.
fn fill_disk(path: &Path) -> u64 {
    use std::io::Write as _;
    let mut f = std::fs::File::create(path).unwrap();
    let chunk = vec![b'x'; 4096];
    let mut n = 0u64;
    while f.write_all(&chunk).is_ok() {
        n += chunk.len() as u64;
    }
    // The last partial block too.
    while f.write_all(b"x").is_ok() {
        n += 1;
    }
    n
}

const ENOSPC_REPLY: &[u8] = b"-MISCONF Errors writing to the AOF file: No space left on device\r\n";

/// Mounts the test's tmpfs, or says visibly why the test does nothing (and
/// fails under CI, where it must run).
fn tmpfs_or_skip(size: &str) -> Option<Tmpfs> {
    let fs = Tmpfs::mount(size);
    if fs.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "cannot mount a tmpfs (needs root and mount(8))"
        );
        eprintln!("SKIPPED: cannot mount a tmpfs here (needs root and mount(8))");
    }
    fs
}

fn wait_for_log(log: &Path, what: &str) {
    common::wait_for_condition(&format!("the log line {what:?}"), || {
        std::fs::read_to_string(log).is_ok_and(|s| s.contains(what))
    });
}

/// The log says that an AOF write failed (a failed write, or a short one:
/// Redis's two lines).
fn wait_for_write_error_log(log: &Path) {
    common::wait_for_condition("the AOF write error in the log", || {
        std::fs::read_to_string(log).is_ok_and(|s| {
            s.contains("Error writing to the AOF file: No space left on device")
                || s.contains("Short write while writing to the AOF file")
        })
    });
}

/// The disk fills up under `appendfsync everysec`: the write that was
/// acknowledged stays in memory and is retried, further writes (and PING)
/// get Redis's -MISCONF, reads work; once space is freed writes are accepted
/// again and a restart finds everything that was acknowledged.
#[test]
fn full_disk_everysec_refuses_writes_until_space_is_freed() {
    let Some(fs) = tmpfs_or_skip("2m") else {
        return;
    };
    let logdir = fresh_temp_dir("aof-enospc-log");
    let log = logdir.join("server.log");
    let srv = start_logged(&fs.path, &log, "everysec", &[]);
    let mut c = srv.connect();
    for i in 1..=100 {
        let want = format!(":{i}\r\n").into_bytes();
        assert_eq!(c.cmd(&["RPUSH", "l", &i.to_string()]), want);
    }
    let filler = fs.path.join("filler");
    fill_disk(&filler);
    // More than the free end of the file's last page: this write fails.
    let big = "v".repeat(20_000);
    assert_eq!(c.cmd(&["SET", "big", &big]), b"+OK\r\n");
    common::wait_for_condition("INFO aof_last_write_status:err", || {
        info_field(&mut c, "persistence", "aof_last_write_status") == "err"
    });
    assert_eq!(c.cmd(&["SET", "refused", "1"]), ENOSPC_REPLY);
    assert_eq!(c.cmd(&["PING"]), ENOSPC_REPLY);
    assert_eq!(c.cmd(&["LLEN", "l"]), b":100\r\n");
    assert_eq!(c.cmd(&["STRLEN", "big"]), b":20000\r\n");
    assert!(info_field(&mut c, "persistence", "aof_buffer_length") != "0");
    wait_for_write_error_log(&log);

    std::fs::remove_file(&filler).unwrap();
    common::wait_for_condition("INFO aof_last_write_status:ok", || {
        info_field(&mut c, "persistence", "aof_last_write_status") == "ok"
    });
    wait_for_log(&log, "AOF write error looks solved, Redis can write again.");
    assert_eq!(c.cmd(&["SET", "after", "1"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    // Everything written to the file (what a SIGKILL keeps; everysec may
    // lose what is not).
    common::wait_for_condition("INFO aof_buffer_length:0", || {
        info_field(&mut c, "persistence", "aof_buffer_length") == "0"
    });
    let digest = c.cmd(&["DEBUG", "DIGEST"]);
    drop(c);
    drop(srv);

    let srv = start_logged(&fs.path, &log, "everysec", &[]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["LLEN", "l"]), b":100\r\n");
    assert_eq!(c.cmd(&["STRLEN", "big"]), b":20000\r\n");
    assert_eq!(c.cmd(&["GET", "after"]), b"$1\r\n1\r\n");
    assert_eq!(c.cmd(&["EXISTS", "refused"]), b":0\r\n");
    assert_eq!(c.cmd(&["DEBUG", "DIGEST"]), digest);
    drop(srv);
    let _ = std::fs::remove_dir_all(&logdir);
}

/// The disk fills up under `appendfsync always`: the reply of the write the
/// AOF could not take waits (Redis 7.0 exits here instead: "Can't recover
/// from AOF write error when the AOF fsync policy is 'always'"); the write
/// after it gets -MISCONF; once space is freed the held reply comes, writes
/// are accepted, and a restart finds every acknowledged write.
#[test]
fn full_disk_always_holds_the_reply_until_space_is_freed() {
    let Some(fs) = tmpfs_or_skip("2m") else {
        return;
    };
    let logdir = fresh_temp_dir("aof-enospc-log");
    let log = logdir.join("server.log");
    let srv = start_logged(&fs.path, &log, "always", &[]);
    let mut c = srv.connect();
    for i in 1..=100 {
        let want = format!(":{i}\r\n").into_bytes();
        assert_eq!(c.cmd(&["RPUSH", "l", &i.to_string()]), want);
    }
    let filler = fs.path.join("filler");
    fill_disk(&filler);
    let big = "v".repeat(20_000);
    let mut w = srv.connect();
    w.send(&[b"SET", b"big", big.as_bytes()]);
    wait_for_write_error_log(&log);
    // Not acknowledged while it is not on disk.
    w.set_timeout(Duration::from_millis(300));
    assert!(matches!(w.try_read_reply(), Err(ReadError::Timeout)));
    w.set_timeout(common::READ_TIMEOUT);
    c.send(&[b"SET", b"refused", b"1"]);

    std::fs::remove_file(&filler).unwrap();
    assert_eq!(w.read_reply(), b"+OK\r\n");
    assert_eq!(c.read_reply(), ENOSPC_REPLY);
    wait_for_log(&log, "AOF write error looks solved, Redis can write again.");
    assert_eq!(
        info_field(&mut c, "persistence", "aof_last_write_status"),
        "ok"
    );
    assert_eq!(c.cmd(&["SET", "after", "1"]), b"+OK\r\n");
    let digest = c.cmd(&["DEBUG", "DIGEST"]);
    drop((c, w));
    drop(srv);

    let srv = start_logged(&fs.path, &log, "always", &[]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["LLEN", "l"]), b":100\r\n");
    assert_eq!(c.cmd(&["STRLEN", "big"]), b":20000\r\n");
    assert_eq!(c.cmd(&["EXISTS", "refused"]), b":0\r\n");
    assert_eq!(c.cmd(&["DEBUG", "DIGEST"]), digest);
    drop(srv);
    let _ = std::fs::remove_dir_all(&logdir);
}

/// The last incr file the manifest in `dir` names.
fn last_incr(dir: &Path) -> PathBuf {
    let aofdir = dir.join("appendonlydir");
    let m = std::fs::read_to_string(aofdir.join("appendonly.aof.manifest")).unwrap();
    let name = m
        .lines()
        .rev()
        .find(|l| l.ends_with(" type i"))
        .and_then(|l| l.split(' ').nth(1))
        .expect("an incr file")
        .to_string();
    aofdir.join(name)
}

/// A kill in the middle of writing a transaction leaves the incr file
/// ending inside a command inside MULTI: the load truncates it to before the
/// MULTI (not after the transaction's last whole command, as Redis 7.0's
/// uxeof path does), so the next transaction written after it does not take
/// in the cut one's first half on the next load.
#[test]
fn kill_inside_a_transaction_keeps_it_atomic() {
    let dir = fresh_temp_dir("aof-crash-multi");
    let tx = |c: &mut Conn, n: u64| {
        assert_eq!(c.cmd(&["MULTI"]), b"+OK\r\n");
        assert_eq!(c.cmd(&["INCR", "a"]), b"+QUEUED\r\n");
        assert_eq!(c.cmd(&["RPUSH", "b", &n.to_string()]), b"+QUEUED\r\n");
        let want = format!("*2\r\n:{n}\r\n:{n}\r\n").into_bytes();
        assert_eq!(c.cmd(&["EXEC"]), want);
    };
    let srv = start(&dir, "always", &[]);
    let mut c = srv.connect();
    tx(&mut c, 1);
    drop(c);
    drop(srv);
    // What a kill in the middle of the next transaction's write leaves.
    let mut cut = Vec::new();
    cut.extend(Conn::encode(&[b"MULTI"]));
    cut.extend(Conn::encode(&[b"INCR", b"a"]));
    cut.extend_from_slice(b"*3\r\n$5\r\nRPUSH\r\n$1\r\nb\r\n$1");
    let incr = last_incr(&dir);
    let whole = std::fs::metadata(&incr).unwrap().len();
    {
        use std::io::Write as _;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&incr)
            .unwrap();
        f.write_all(&cut).unwrap();
    }
    let srv = start(&dir, "always", &[]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["GET", "a"]), b"$1\r\n1\r\n");
    assert_eq!(c.cmd(&["LLEN", "b"]), b":1\r\n");
    assert!(
        log_of(&dir).contains("loaded anyway because aof-load-truncated is enabled"),
        "{}",
        log_of(&dir)
    );
    assert_eq!(
        std::fs::metadata(&incr).unwrap().len(),
        whole,
        "the file is truncated to before the MULTI"
    );
    tx(&mut c, 2);
    drop(c);
    drop(srv);
    let srv = start(&dir, "always", &[]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["GET", "a"]), b"$1\r\n2\r\n");
    assert_eq!(
        c.cmd(&["LRANGE", "b", "0", "-1"]),
        encode_array(&[b"1", b"2"])
    );
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An old single appendonly.aof (RDB preamble, then commands) that a kill
/// cut inside the first command after the preamble: the load truncates it
/// after the preamble, not to nothing (Redis 7.0's valid_up_to starts at 0),
/// so the upgraded base still holds the preamble's keys on the next start.
#[test]
fn old_preamble_file_cut_in_its_first_command_keeps_the_preamble() {
    let dir = fresh_temp_dir("aof-crash-preamble");
    let d = dir.to_str().unwrap();
    let srv = Server::oxidis(&["--dir", d, "--dbfilename", "dump.rdb"]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["SET", "from:rdb", "1"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    drop(c);
    drop(srv);
    let mut old = std::fs::read(dir.join("dump.rdb")).unwrap();
    std::fs::remove_file(dir.join("dump.rdb")).unwrap();
    old.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$4\r\nfrom");
    std::fs::write(dir.join("appendonly.aof"), &old).unwrap();
    for _ in 0..2 {
        let srv = start(&dir, "always", &[]);
        let mut c = srv.connect();
        assert_eq!(
            c.cmd(&["GET", "from:rdb"]),
            b"$1\r\n1\r\n",
            "{}",
            log_of(&dir)
        );
        drop(srv);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
