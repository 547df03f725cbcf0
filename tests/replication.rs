//! Replication, master side: the propagated stream compared command by command
//! with a real redis-server's (attached as Redis's own tests do: SYNC, skip the
//! RDB, read commands), a real redis-server replicating from oxidis until both
//! have the same DEBUG DIGEST, and the lazy-free options counted as Redis
//! counts them (INFO lazyfreed_objects).
//!
//! `REPL_SHOW=1` prints redis-server's stream (with `--nocapture`).

mod common;
#[path = "replication/psync.rs"]
mod psync;

use common::{require_redis, Conn, Reply, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const DEBUG: &[&str] = &["--enable-debug-command", "yes"];

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A connection that did SYNC and now reads the replication stream.
struct ReplStream {
    s: TcpStream,
    buf: Vec<u8>,
}

impl ReplStream {
    /// Redis's attach_to_replication_stream: SYNC, skip newlines (keepalives),
    /// read `$<len>` and skip that many bytes of RDB.
    fn attach(port: u16) -> ReplStream {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        s.write_all(b"SYNC\r\n").unwrap();
        let mut r = ReplStream { s, buf: Vec::new() };
        let deadline = Instant::now() + Duration::from_secs(20);
        let len = loop {
            while r.buf.first() == Some(&b'\n') {
                r.buf.remove(0);
            }
            if let Some(i) = r.buf.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(&r.buf[..i]).into_owned();
                assert!(line.starts_with('$'), "SYNC answered {line:?}");
                r.buf.drain(..i + 2);
                break line[1..].parse::<usize>().expect("bulk length");
            }
            assert!(Instant::now() < deadline, "no RDB from SYNC");
            r.fill();
        };
        while r.buf.len() < len {
            assert!(Instant::now() < deadline, "RDB payload incomplete");
            r.fill();
        }
        assert_eq!(&r.buf[..5], b"REDIS", "payload is an RDB");
        r.buf.drain(..len);
        r
    }

    fn fill(&mut self) {
        let mut chunk = [0u8; 65536];
        match self.s.read(&mut chunk) {
            Ok(0) => panic!("replication stream closed"),
            Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            Err(_) => {}
        }
    }

    /// One multibulk from the buffer, if complete.
    fn parse(&mut self) -> Option<Vec<Vec<u8>>> {
        fn line(b: &[u8], at: usize) -> Option<(String, usize)> {
            let i = b[at..].windows(2).position(|w| w == b"\r\n")?;
            Some((
                String::from_utf8_lossy(&b[at..at + i]).into_owned(),
                at + i + 2,
            ))
        }
        let (head, mut at) = line(&self.buf, 0)?;
        assert!(head.starts_with('*'), "stream item {head:?}");
        let n: usize = head[1..].parse().unwrap();
        let mut argv = Vec::with_capacity(n);
        for _ in 0..n {
            let (l, next) = line(&self.buf, at)?;
            let len: usize = l[1..].parse().unwrap();
            if self.buf.len() < next + len + 2 {
                return None;
            }
            argv.push(self.buf[next..next + len].to_vec());
            at = next + len + 2;
        }
        self.buf.drain(..at);
        Some(argv)
    }

    /// Commands up to and including one whose argv ends with `marker`, without
    /// the replication PINGs.
    fn read_until(&mut self, marker: &str) -> Vec<Vec<String>> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut out = Vec::new();
        loop {
            while let Some(argv) = self.parse() {
                let argv: Vec<String> = argv
                    .iter()
                    .map(|a| String::from_utf8_lossy(a).into_owned())
                    .collect();
                let name = argv[0].to_ascii_lowercase();
                if name == "ping" || (name == "replconf" && argv.len() > 1) {
                    continue;
                }
                let done = argv.last().is_some_and(|a| a == marker);
                out.push(argv);
                if done {
                    return out;
                }
            }
            assert!(
                Instant::now() < deadline,
                "marker {marker} not seen; got {out:?}"
            );
            self.fill();
        }
    }
}

/// What a script run left behind on one server: its stream, the members SPOP
/// returned, and when it started (absolute expiry times are relative to it).
struct Run {
    stream: Vec<Vec<String>>,
    popped: Vec<String>,
    t0: i64,
}

fn members(r: &Reply) -> Vec<String> {
    match r {
        Reply::Bulk(b) => vec![String::from_utf8_lossy(b).into_owned()],
        _ => r
            .elements()
            .unwrap_or(&[])
            .iter()
            .filter_map(|e| e.as_bytes())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .collect(),
    }
}

/// The script both servers run; every category of rewrite Redis 7.0 does.
fn run_script(srv: &Server) -> Run {
    let mut c = srv.connect();
    c.cmd(&["CONFIG", "SET", "repl-ping-replica-period", "3600"]);
    let mut repl = ReplStream::attach(srv.port);
    let t0 = now_ms();
    let mut popped = Vec::new();
    let ok = |c: &mut Conn, args: &[&str]| {
        let r = c.cmd_reply(args);
        assert!(!r.is_error(), "{args:?} -> {r:?}");
        r
    };
    // Plain writes, and writes that change nothing (not propagated).
    ok(&mut c, &["SET", "a", "1"]);
    ok(&mut c, &["SET", "a", "2", "NX"]);
    ok(&mut c, &["DEL", "missing"]);
    ok(&mut c, &["EXPIRE", "missing", "10"]);
    ok(&mut c, &["SREM", "missing", "x"]);
    ok(&mut c, &["GET", "a"]);
    // Expiry rewrites: absolute forms.
    ok(&mut c, &["EXPIRE", "a", "100"]);
    ok(&mut c, &["PEXPIRE", "a", "200000", "GT"]);
    ok(&mut c, &["EXPIREAT", "a", "2000000000"]);
    ok(&mut c, &["pexpireat", "a", "2000000001000"]);
    ok(&mut c, &["SETEX", "b", "100", "v"]);
    ok(&mut c, &["PSETEX", "b", "100000", "v"]);
    ok(&mut c, &["SET", "c", "v", "EX", "100"]);
    ok(&mut c, &["SET", "c", "v", "PX", "100000", "GET"]);
    ok(&mut c, &["SET", "c", "v", "EXAT", "2000000000"]);
    ok(&mut c, &["set", "c", "v", "pxat", "2000000000000"]);
    ok(&mut c, &["SET", "c", "w", "KEEPTTL"]);
    ok(&mut c, &["GETEX", "c", "EX", "100"]);
    ok(&mut c, &["GETEX", "c", "PERSIST"]);
    ok(&mut c, &["GETEX", "c"]);
    ok(&mut c, &["GETEX", "c", "EXAT", "1"]);
    ok(&mut c, &["SET", "d", "v"]);
    ok(&mut c, &["GETDEL", "d"]);
    ok(&mut c, &["SET", "e", "v"]);
    ok(&mut c, &["EXPIRE", "e", "-1"]);
    ok(&mut c, &["SET", "e", "v"]);
    ok(&mut c, &["PEXPIREAT", "e", "1"]);
    // Float arithmetic propagates its result.
    ok(&mut c, &["SET", "f", "10.5", "EX", "100"]);
    ok(&mut c, &["INCRBYFLOAT", "f", "0.25"]);
    ok(&mut c, &["INCRBYFLOAT", "g", "3e0"]);
    ok(&mut c, &["HINCRBYFLOAT", "h", "x", "1.5"]);
    ok(&mut c, &["HINCRBYFLOAT", "h", "x", "2.0e1"]);
    // SPOP: SREM of the member; with a count several SREMs in MULTI, or DEL.
    ok(&mut c, &["SADD", "s1", "only"]);
    ok(&mut c, &["SPOP", "s1"]);
    ok(&mut c, &["SADD", "s2", "a", "b", "c", "d", "e", "f"]);
    popped.extend(members(&ok(&mut c, &["SPOP", "s2", "2"])));
    popped.extend(members(&ok(&mut c, &["SPOP", "s2", "1"])));
    ok(&mut c, &["SPOP", "s2", "10"]);
    ok(&mut c, &["SPOP", "s2", "10"]);
    // Sorted-set algebra goes as it is, unless it changed nothing; so does
    // SORT ... STORE of a sorted set.
    ok(&mut c, &["ZADD", "za", "1", "a", "2", "b"]);
    ok(&mut c, &["ZUNIONSTORE", "zu", "1", "za", "WEIGHTS", "2"]);
    ok(&mut c, &["ZINTERSTORE", "zu", "2", "za", "missing"]);
    ok(&mut c, &["ZDIFFSTORE", "zu", "1", "missing"]);
    ok(&mut c, &["ZUNION", "1", "za"]);
    ok(&mut c, &["ZINTERCARD", "1", "za"]);
    ok(
        &mut c,
        &["SORT", "za", "BY", "nosort", "DESC", "STORE", "zl"],
    );
    // RESTORE with a relative TTL becomes absolute.
    ok(&mut c, &["SET", "r", "payload"]);
    let dump = ok(&mut c, &["DUMP", "r"]).as_bytes().unwrap();
    let r = Reply::parse(&c.cmd_bytes(&[b"RESTORE", b"r2", b"100000", &dump]));
    assert!(!r.is_error());
    let r = Reply::parse(&c.cmd_bytes(&[b"RESTORE", b"r3", b"0", &dump]));
    assert!(!r.is_error());
    let r = Reply::parse(&c.cmd_bytes(&[b"RESTORE", b"r3", b"1", &dump, b"ABSTTL", b"REPLACE"]));
    assert!(!r.is_error());
    // Transactions: only the writes, wrapped when there are several.
    for args in [
        &["MULTI"][..],
        &["GET", "a"],
        &["SET", "t1", "1"],
        &["EXEC"],
        &["MULTI"],
        &["GET", "a"],
        &["SET", "t1", "2"],
        &["INCR", "t1"],
        &["EXPIRE", "t1", "100"],
        &["EXEC"],
        &["MULTI"],
        &["GET", "a"],
        &["EXEC"],
        &["MULTI"],
        &["SELECT", "2"],
        &["SET", "t2", "1"],
        &["SELECT", "0"],
        &["SET", "t3", "1"],
        &["EXEC"],
    ] {
        c.cmd(args);
    }
    // Databases: SELECT in the stream only when the db changes.
    ok(&mut c, &["SELECT", "5"]);
    ok(&mut c, &["SET", "in5", "1"]);
    ok(&mut c, &["SET", "in5b", "1"]);
    ok(&mut c, &["SELECT", "0"]);
    ok(&mut c, &["SWAPDB", "4", "5"]);
    // Blocking pops served later by a push: their non-blocking forms.
    let mut b = srv.connect();
    for (block, push, expect_blocked) in [
        (
            &["BLPOP", "nol", "bl1", "0"][..],
            &["RPUSH", "bl1", "a", "b"][..],
            1,
        ),
        (&["BRPOP", "bl2", "0"], &["RPUSH", "bl2", "a", "b"], 1),
        (
            &["BLMOVE", "bl3", "dst", "LEFT", "RIGHT", "0"],
            &["RPUSH", "bl3", "a"],
            1,
        ),
        (
            &["BRPOPLPUSH", "bl4", "dst", "0"],
            &["RPUSH", "bl4", "a"],
            1,
        ),
        (
            &["BLMPOP", "0", "2", "x", "bl5", "RIGHT", "COUNT", "2"],
            &["RPUSH", "bl5", "a", "b", "c"],
            1,
        ),
        (
            &["BLMPOP", "0", "1", "bl6", "LEFT"],
            &["LPUSH", "bl6", "a", "b"],
            1,
        ),
        (
            &["BZPOPMIN", "noz", "bz1", "0"],
            &["ZADD", "bz1", "1", "a", "2", "b"],
            1,
        ),
        (&["BZPOPMAX", "bz2", "0"], &["ZADD", "bz2", "1", "a"], 1),
        (
            &["BZMPOP", "0", "2", "x", "bz3", "MAX", "COUNT", "5"],
            &["ZADD", "bz3", "1", "a", "2", "b", "3", "c"],
            1,
        ),
        (
            &["BZMPOP", "0", "1", "bz4", "MIN"],
            &["ZADD", "bz4", "1", "a", "2", "b"],
            1,
        ),
    ] {
        let v: Vec<&[u8]> = block.iter().map(|a| a.as_bytes()).collect();
        b.send(&v);
        common::wait_for_blocked_clients(&mut c, expect_blocked);
        ok(&mut c, push);
        let r = Reply::parse(&b.read_reply());
        assert!(!r.is_error(), "{block:?} -> {r:?}");
    }
    // ... and served at once.
    ok(&mut c, &["RPUSH", "bl7", "a", "b", "c", "d"]);
    ok(&mut c, &["BLPOP", "bl7", "0"]);
    ok(&mut c, &["BLMOVE", "bl7", "dst", "left", "LEFT", "0"]);
    ok(&mut c, &["BRPOPLPUSH", "bl7", "dst", "0"]);
    ok(&mut c, &["LMPOP", "1", "bl7", "LEFT", "COUNT", "5"]);
    ok(&mut c, &["LMPOP", "1", "bl7", "LEFT"]);
    // Sorted sets: pops as ZPOPMIN/ZPOPMAX with the count popped; nothing for
    // what changes nothing.
    ok(
        &mut c,
        &[
            "ZADD", "z7", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e",
        ],
    );
    ok(&mut c, &["ZADD", "z7", "XX", "1", "nosuch"]);
    ok(&mut c, &["ZADD", "z7", "NX", "9", "a"]);
    ok(&mut c, &["ZADD", "z7", "INCR", "1", "a"]);
    ok(&mut c, &["ZINCRBY", "z7", "0.5", "b"]);
    ok(&mut c, &["ZREM", "z7", "nosuch"]);
    ok(&mut c, &["BZPOPMIN", "z7", "0"]);
    ok(&mut c, &["BZPOPMAX", "noz", "z7", "0"]);
    ok(&mut c, &["BZMPOP", "0", "1", "z7", "MIN", "COUNT", "1"]);
    ok(&mut c, &["ZADD", "z7", "1", "a", "2", "b", "3", "c"]);
    ok(&mut c, &["ZMPOP", "2", "noz", "z7", "MAX", "COUNT", "10"]);
    ok(&mut c, &["ZMPOP", "1", "z7", "MAX"]);
    ok(&mut c, &["ZADD", "z8", "1", "a", "2", "b", "3", "c"]);
    ok(&mut c, &["ZPOPMIN", "z8"]);
    ok(&mut c, &["ZPOPMAX", "z8", "5"]);
    ok(&mut c, &["ZPOPMAX", "z8", "5"]);
    ok(&mut c, &["ZADD", "z9", "1", "a", "2", "b", "3", "c"]);
    ok(&mut c, &["ZRANGESTORE", "z10", "z9", "0", "1"]);
    ok(&mut c, &["ZRANGESTORE", "z10", "z9", "5", "6"]);
    ok(&mut c, &["ZRANGESTORE", "z10", "z9", "5", "6"]);
    ok(&mut c, &["ZREMRANGEBYSCORE", "z9", "5", "6"]);
    ok(&mut c, &["ZREMRANGEBYRANK", "z9", "0", "0"]);
    ok(&mut c, &["ZREMRANGEBYLEX", "z9", "-", "+"]);
    // Expiry: active (DEL, then UNLINK with lazyfree-lazy-expire) and lazy.
    let expired = common::info_u64(&mut c, "stats", "expired_keys");
    ok(&mut c, &["SET", "x1", "v", "PX", "50"]);
    let active_expiry = |c: &mut Conn, n: u64| {
        common::wait_for_info(c, "stats", "expired_keys", &(expired + n).to_string());
    };
    active_expiry(&mut c, 1);
    ok(&mut c, &["CONFIG", "SET", "lazyfree-lazy-expire", "yes"]);
    ok(&mut c, &["SET", "x2", "v", "PX", "50"]);
    active_expiry(&mut c, 2);
    ok(&mut c, &["CONFIG", "SET", "lazyfree-lazy-expire", "no"]);
    ok(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    ok(&mut c, &["SET", "x3", "v", "PX", "50"]);
    // The TTL running out (no active expiry) is the condition for a lazy one.
    std::thread::sleep(Duration::from_millis(120));
    ok(&mut c, &["GET", "x3"]);
    // A write that finds its key expired: DEL and the write in one MULTI.
    ok(&mut c, &["SET", "x4", "v", "PX", "50"]);
    ok(&mut c, &["SET", "x5", "v", "PX", "50"]);
    // As above: the TTLs running out is the condition.
    std::thread::sleep(Duration::from_millis(120));
    ok(&mut c, &["APPEND", "x4", "w"]);
    for args in [
        &["MULTI"][..],
        &["GET", "x5"],
        &["SET", "q", "1"],
        &["EXEC"],
    ] {
        c.cmd(args);
    }
    ok(&mut c, &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]);
    // Forced propagation: FLUSHALL even when empty, PUBLISH.
    ok(&mut c, &["PUBLISH", "ch", "msg"]);
    ok(&mut c, &["FLUSHALL"]);
    ok(&mut c, &["FLUSHALL"]);
    ok(&mut c, &["FLUSHDB", "ASYNC"]);
    ok(&mut c, &["SET", "end", "__end__"]);
    Run {
        stream: repl.read_until("__end__"),
        popped,
        t0,
    }
}

/// An absolute ms timestamp argument (PXAT, PEXPIREAT, RESTORE ABSTTL values).
fn abs_ms(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|&v| v > 1_600_000_000_000)
}

/// Compares one command of each stream: SREM members (random) are checked
/// against what SPOP returned, absolute times within a tolerance.
fn same_command(ox: &[String], rd: &[String], o: &Run, r: &Run) -> bool {
    if ox.len() != rd.len() {
        return false;
    }
    let srem = ox[0] == "SREM" && rd[0] == "SREM" && ox[1] == "s2";
    for (i, (a, b)) in ox.iter().zip(rd).enumerate() {
        if srem && i == 2 {
            if !o.popped.contains(a) || !r.popped.contains(b) {
                return false;
            }
            continue;
        }
        if let (Some(x), Some(y)) = (abs_ms(a), abs_ms(b)) {
            let (dx, dy) = (x - o.t0, y - r.t0);
            let fixed = x == y;
            if !fixed && (dx - dy).abs() > 3000 {
                return false;
            }
            continue;
        }
        if a != b {
            return false;
        }
    }
    true
}

#[test]
fn propagated_stream_matches_redis() {
    require_redis();
    let ox = Server::oxidis(DEBUG);
    let rd = Server::redis(DEBUG);
    let o = run_script(&ox);
    let r = run_script(&rd);
    let show = |s: &[Vec<String>]| s.iter().map(|a| a.join(" ")).collect::<Vec<_>>().join("\n");
    if std::env::var_os("REPL_SHOW").is_some() {
        println!("--- redis stream\n{}", show(&r.stream));
    }
    for i in 0..o.stream.len().max(r.stream.len()) {
        let (a, b) = (o.stream.get(i), r.stream.get(i));
        let same = matches!((a, b), (Some(a), Some(b)) if same_command(a, b, &o, &r));
        assert!(
            same,
            "stream differs at command {i}: oxidis {a:?} vs redis {b:?}\n--- oxidis\n{}\n--- redis\n{}",
            show(&o.stream),
            show(&r.stream)
        );
    }
    // Both SPOPs with a count emitted one SREM per member, in MULTI for two.
    let srems = o.stream.iter().filter(|a| a[0] == "SREM" && a[1] == "s2");
    assert_eq!(srems.count(), 3);
}

/// Keys created with PX 1 and left to go stale (active expiry off): the test
/// waits out their millisecond, which is the condition itself.
fn make_stale(c: &mut Conn, keys: &[&str]) {
    for k in keys {
        assert!(!c.cmd_reply(&["SET", k, "v", "PX", "1"]).is_error());
    }
    std::thread::sleep(Duration::from_millis(5));
}

/// Lazy expiry in the stream: SCAN and RANDOMKEY send their DELs bare, other
/// commands and EXEC wrap theirs with the command in MULTI/EXEC; SWAPDB wakes
/// a client blocked on a key it brings in (its pop follows the SWAPDB), and one
/// whose key it brings in expired stays blocked while the DEL is propagated.
fn run_expiry_script(srv: &Server) -> Run {
    let mut c = srv.connect();
    c.cmd(&["CONFIG", "SET", "repl-ping-replica-period", "3600"]);
    let mut repl = ReplStream::attach(srv.port);
    let t0 = now_ms();
    c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    make_stale(&mut c, &["s1", "s2", "s3"]);
    c.cmd(&["SET", "live", "v"]);
    c.cmd(&["SCAN", "0", "COUNT", "1000"]);
    c.cmd(&["UNLINK", "live"]);
    make_stale(&mut c, &["r1", "r2", "r3"]);
    c.cmd(&["RANDOMKEY"]);
    make_stale(&mut c, &["m1", "m2"]);
    c.cmd(&["MGET", "m1", "m2"]);
    make_stale(&mut c, &["x1", "x2"]);
    for args in [&["MULTI"][..], &["SCAN", "0"], &["RANDOMKEY"], &["EXEC"]] {
        c.cmd(args);
    }
    // SWAPDB and blocked clients.
    let mut b = srv.connect();
    b.cmd(&["SELECT", "9"]);
    let id = String::from_utf8_lossy(&b.cmd(&["CLIENT", "ID"])[1..])
        .trim()
        .to_string();
    c.cmd(&["SELECT", "1"]);
    c.cmd(&["RPUSH", "k", "hello"]);
    c.cmd(&["PEXPIRE", "k", "1"]);
    b.send(&[b"BRPOP", b"k", b"0"]);
    common::wait_for_blocked_clients(&mut c, 1);
    // k's millisecond running out is the condition (it must come in expired).
    std::thread::sleep(Duration::from_millis(5));
    c.cmd(&["SWAPDB", "1", "9"]);
    common::wait_for_blocked_clients(&mut c, 1);
    c.cmd(&["CLIENT", "UNBLOCK", &id]);
    assert_eq!(b.read_reply(), b"*-1\r\n");
    c.cmd(&["RPUSH", "k2", "a", "b"]);
    b.send(&[b"BRPOP", b"k2", b"0"]);
    common::wait_for_blocked_clients(&mut c, 1);
    c.cmd(&["SWAPDB", "1", "9"]);
    assert_eq!(b.read_reply(), b"*2\r\n$2\r\nk2\r\n$1\r\nb\r\n");
    c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "1"]);
    c.cmd(&["SET", "end", "__end__"]);
    let mut stream = repl.read_until("__end__");
    // Keys come out in each server's own hash order: sort each run of DELs.
    let mut i = 0;
    while i < stream.len() {
        let j = (i..stream.len())
            .find(|&j| stream[j][0] != "DEL")
            .unwrap_or(stream.len());
        stream[i..j].sort();
        i = j + 1;
    }
    Run {
        stream,
        popped: Vec::new(),
        t0,
    }
}

#[test]
fn lazy_expiry_and_swapdb_wakeups_in_the_stream_match_redis() {
    require_redis();
    let o = run_expiry_script(&Server::oxidis(DEBUG));
    let r = run_expiry_script(&Server::redis(DEBUG));
    let show = |s: &[Vec<String>]| s.iter().map(|a| a.join(" ")).collect::<Vec<_>>().join("\n");
    if std::env::var_os("REPL_SHOW").is_some() {
        println!("--- redis stream\n{}", show(&r.stream));
    }
    let same = o.stream.len() == r.stream.len()
        && o.stream
            .iter()
            .zip(&r.stream)
            .all(|(a, b)| same_command(a, b, &o, &r));
    assert!(
        same,
        "streams differ\n--- oxidis\n{}\n--- redis\n{}",
        show(&o.stream),
        show(&r.stream)
    );
}

fn info_field(c: &mut Conn, section: &str, field: &str) -> Option<String> {
    let text = String::from_utf8_lossy(&c.cmd(&["INFO", section])).into_owned();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .map(|v| v.trim().to_string())
}

fn digest(c: &mut Conn) -> String {
    let r = Reply::parse(&c.cmd(&["DEBUG", "DIGEST"]));
    String::from_utf8_lossy(&r.as_bytes().expect("digest")).into_owned()
}

fn load_data(c: &mut Conn, tag: &str) {
    for i in 0..300 {
        c.cmd(&["SET", &format!("{tag}:str:{i}"), &format!("value-{i}")]);
    }
    for i in 0..20 {
        let k = format!("{tag}:list:{i}");
        for j in 0..50 {
            c.cmd(&["RPUSH", &k, &format!("e{j}")]);
        }
        c.cmd(&["HSET", &format!("{tag}:hash:{i}"), "f1", "v1", "f2", "2"]);
        c.cmd(&["SADD", &format!("{tag}:set:{i}"), "1", "2", "x"]);
        c.cmd(&["SET", &format!("{tag}:ttl:{i}"), "v", "EX", "1000"]);
    }
    c.cmd(&["SELECT", "3"]);
    c.cmd(&["SET", &format!("{tag}:db3"), "yes"]);
    c.cmd(&["SELECT", "0"]);
}

#[test]
fn redis_replica_follows_oxidis() {
    require_redis();
    let ox = Server::oxidis(DEBUG);
    let mut m = ox.connect();
    load_data(&mut m, "before");
    let rp = Server::redis(&[
        "--enable-debug-command",
        "yes",
        "--replicaof",
        "127.0.0.1",
        &ox.port.to_string(),
    ]);
    let mut r = rp.connect();
    common::wait_for_condition_within("the replica's link", Duration::from_secs(30), || {
        info_field(&mut r, "replication", "master_link_status").as_deref() == Some("up")
    });
    // Writes after the sync, non-deterministic ones included.
    load_data(&mut m, "after");
    for args in [
        &["INCRBYFLOAT", "after:float", "1.1"][..],
        &["HINCRBYFLOAT", "after:hash:1", "f3", "0.5"],
        &["SADD", "after:pop", "a", "b", "c", "d", "e"],
        &["SPOP", "after:pop", "2"],
        &["SPOP", "after:pop"],
        &["EXPIRE", "before:str:1", "500"],
        &["SET", "after:ex", "v", "PX", "900000"],
        &["DEL", "before:str:2"],
        &["LMPOP", "1", "before:list:3", "RIGHT", "COUNT", "7"],
        &["SELECT", "7"],
        &["SET", "in7", "x"],
    ] {
        let reply = m.cmd_reply(args);
        assert!(!reply.is_error(), "{args:?} -> {reply:?}");
    }
    m.cmd(&["SELECT", "0"]);
    let want = digest(&mut m);
    let mut last = String::new();
    common::wait_for_condition_within("equal digests", Duration::from_secs(30), || {
        last = digest(&mut r);
        last == want
    });
    assert_eq!(
        info_field(&mut m, "replication", "connected_slaves").as_deref(),
        Some("1")
    );
    let slave0 = info_field(&mut m, "replication", "slave0").expect("slave0 line");
    assert!(
        slave0.starts_with(&format!("ip=127.0.0.1,port={},state=online,", rp.port)),
        "{slave0}"
    );
    // The replica acknowledges the offset it reached.
    let offset: u64 = info_field(&mut m, "replication", "master_repl_offset")
        .unwrap()
        .parse()
        .unwrap();
    common::wait_for_condition_within("the replica's ACK", Duration::from_secs(10), || {
        let line = info_field(&mut m, "replication", "slave0").unwrap();
        let acked = line
            .split(',')
            .find_map(|f| f.strip_prefix("offset="))
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        acked >= offset
    });
    let list = String::from_utf8_lossy(&m.cmd(&["CLIENT", "LIST", "TYPE", "replica"])).into_owned();
    let lines: Vec<&str> = list.lines().filter(|l| l.contains("id=")).collect();
    assert!(
        lines.len() == 1 && lines[0].contains(" flags=S ") && lines[0].contains("cmd=replconf"),
        "{list}"
    );
    let normal =
        String::from_utf8_lossy(&m.cmd(&["CLIENT", "LIST", "TYPE", "normal"])).into_owned();
    assert!(!normal.contains("flags=S"), "{normal}");
    // Killed, the replica reconnects and continues from the backlog with a
    // partial resync (PSYNC <replid> <offset+1> -> +CONTINUE).
    assert_eq!(m.cmd(&["CLIENT", "KILL", "TYPE", "replica"]), b":1\r\n");
    m.cmd(&["SET", "while-away", "1"]);
    m.cmd(&["SREM", "before:set:1", "x"]);
    let want = digest(&mut m);
    common::wait_for_condition_within("the resync", Duration::from_secs(30), || {
        digest(&mut r) == want
    });
    common::wait_for_condition_within("the replica online again", Duration::from_secs(10), || {
        info_field(&mut m, "replication", "slave0").is_some_and(|l| l.contains("state=online"))
    });
    assert_eq!(
        info_field(&mut m, "stats", "sync_full").as_deref(),
        Some("1")
    );
    assert_eq!(
        info_field(&mut m, "stats", "sync_partial_ok").as_deref(),
        Some("1")
    );
    assert_eq!(
        info_field(&mut m, "stats", "sync_partial_err").as_deref(),
        Some("0")
    );
    let log = ox.log();
    assert!(
        log.contains(&format!(
            "Partial resynchronization request from 127.0.0.1:{} accepted. Sending ",
            rp.port
        )),
        "{log}"
    );
    // Both sides agree on where the stream is, and the data is the same.
    let offset = common::info_u64(&mut m, "replication", "master_repl_offset");
    common::wait_for_condition_within("the replica's offset", Duration::from_secs(10), || {
        common::info_u64(&mut r, "replication", "master_repl_offset") >= offset
    });
    assert_eq!(digest(&mut r), digest(&mut m));
}

/// INFO lazyfreed_objects after each step, on one server.
fn lazyfree_counts(srv: &Server) -> Vec<String> {
    let mut c = srv.connect();
    let mut out = Vec::new();
    let mut step = |c: &mut Conn, args: &[&str]| {
        let r = c.cmd_reply(args);
        assert!(!r.is_error(), "{args:?} -> {r:?}");
        // What the step queued for the free thread is done.
        common::wait_for_info(c, "memory", "lazyfree_pending_objects", "0");
        out.push(format!(
            "{}: {}",
            args.join(" "),
            info_field(c, "memory", "lazyfreed_objects").unwrap()
        ));
    };
    let big_set = |c: &mut Conn, key: &str| {
        let mut args = vec!["SADD".to_string(), key.to_string()];
        args.extend((0..100).map(|i| format!("m{i}")));
        let v: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        c.cmd(&v);
    };
    let big_hash = |c: &mut Conn, key: &str| {
        let mut args = vec!["HSET".to_string(), key.to_string()];
        for i in 0..600 {
            args.push(format!("f{i}"));
            args.push("v".into());
        }
        let v: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        c.cmd(&v);
    };
    let zset = |c: &mut Conn, key: &str, n: usize| {
        let mut args = vec!["ZADD".to_string(), key.to_string()];
        for i in 0..n {
            args.push(i.to_string());
            args.push(format!("m{i}"));
        }
        let v: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        c.cmd(&v);
    };
    // Small values are freed in place even by UNLINK.
    c.cmd(&["SET", "small", "v"]);
    step(&mut c, &["UNLINK", "small"]);
    big_set(&mut c, "big1");
    step(&mut c, &["UNLINK", "big1"]);
    big_set(&mut c, "big2");
    step(&mut c, &["DEL", "big2"]);
    step(&mut c, &["CONFIG", "SET", "lazyfree-lazy-user-del", "yes"]);
    big_set(&mut c, "big3");
    step(&mut c, &["DEL", "big3"]);
    big_set(&mut c, "big4");
    step(&mut c, &["SET", "big4", "overwritten"]);
    step(
        &mut c,
        &["CONFIG", "SET", "lazyfree-lazy-server-del", "yes"],
    );
    big_set(&mut c, "big5");
    step(&mut c, &["SET", "big5", "overwritten"]);
    big_hash(&mut c, "big6");
    c.cmd(&["SET", "dst", "v"]);
    step(&mut c, &["RENAME", "dst", "big6"]);
    big_hash(&mut c, "big7");
    step(&mut c, &["CONFIG", "SET", "lazyfree-lazy-expire", "yes"]);
    let expired = common::info_u64(&mut c, "stats", "expired_keys");
    c.cmd(&["PEXPIRE", "big7", "50"]);
    // The active cycle takes big7, on the free thread.
    let n = (expired + 1).to_string();
    common::wait_for_info(&mut c, "stats", "expired_keys", &n);
    step(&mut c, &["PING"]);
    big_hash(&mut c, "big8");
    step(&mut c, &["EXPIRE", "big8", "-1"]);
    // A sorted set's effort is its length as a skiplist, 1 as a listpack.
    zset(&mut c, "z1", 100);
    step(&mut c, &["UNLINK", "z1"]);
    zset(&mut c, "z2", 200);
    step(&mut c, &["UNLINK", "z2"]);
    zset(&mut c, "z3", 200);
    step(&mut c, &["ZUNIONSTORE", "z3", "1", "z1x"]);
    zset(&mut c, "z4", 200);
    zset(&mut c, "z5", 3);
    step(&mut c, &["ZINTERSTORE", "z4", "1", "z5"]);
    zset(&mut c, "z6", 200);
    step(&mut c, &["FLUSHALL", "ASYNC"]);
    out
}

#[test]
fn lazyfree_options_free_big_values_as_redis() {
    require_redis();
    let ox = Server::oxidis(DEBUG);
    let rd = Server::redis(DEBUG);
    let o = lazyfree_counts(&ox);
    let r = lazyfree_counts(&rd);
    assert_eq!(o, r);
    assert!(r.last().unwrap().ends_with(": 15"), "{r:?}");
}

#[test]
fn replconf_and_sync_errors_match_redis() {
    require_redis();
    let ox = Server::oxidis(DEBUG);
    let rd = Server::redis(DEBUG);
    let mut o = ox.connect();
    let mut r = rd.connect();
    for args in [
        &["REPLCONF", "listening-port"][..],
        &["REPLCONF", "listening-port", "abc"],
        &[
            "REPLCONF",
            "listening-port",
            "6380",
            "capa",
            "eof",
            "capa",
            "psync2",
        ],
        &["REPLCONF", "bogus", "1"],
        &["REPLCONF", "rdb-only", "2"],
        &["REPLCONF"],
        &["PSYNC", "?"],
        &["MULTI"],
        &["SYNC"],
        &["DISCARD"],
        &["COMMAND", "INFO", "sync", "psync", "replconf"],
    ] {
        assert_eq!(o.cmd(args), r.cmd(args), "{args:?}");
    }
}
