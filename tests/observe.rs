//! SLOWLOG, LATENCY, MONITOR, DEBUG and LOLWUT: integration tests against oxidis
//! and differential tests against a real redis-server (skipped when it is not
//! installed, a failure under CI).

mod common;

use std::time::{Duration, Instant};

use common::{require_redis, Conn, Reply, Server};

const DEBUG_YES: &[&str] = &["--enable-debug-command", "yes"];

/// Both servers.
fn pair(extra: &[&str]) -> (Server, Server) {
    require_redis();
    (Server::oxidis(extra), Server::redis(extra))
}

fn status(r: &Reply) -> String {
    match r {
        Reply::Status(s) => s.clone(),
        other => panic!("not a status: {other:?}"),
    }
}

fn int(r: &Reply) -> i64 {
    match r {
        Reply::Int(i) => *i,
        other => panic!("not an integer: {other:?}"),
    }
}

/// Replaces every `127.0.0.1:<port>` with `ADDR` (client ports differ).
fn mask_addr(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("127.0.0.1:") {
        out.push_str(&rest[..i]);
        out.push_str("ADDR");
        rest = rest[i + 10..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------
// SLOWLOG
// ---------------------------------------------------------------------------------

/// The commands of the slow log test; returns SLOWLOG GET's parsed entries with
/// timestamps and durations checked and dropped.
fn slowlog_session(c: &mut Conn) -> Vec<Reply> {
    assert_eq!(
        c.cmd(&["config", "set", "slowlog-log-slower-than", "0"]),
        b"+OK\r\n"
    );
    assert_eq!(c.cmd(&["slowlog", "reset"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["client", "setname", "observer"]), b"+OK\r\n");
    let mut many = vec!["del".to_string()];
    many.extend((0..40).map(|i| format!("k{i}")));
    let many: Vec<&str> = many.iter().map(|s| s.as_str()).collect();
    c.cmd(&many);
    let long = "x".repeat(200);
    c.cmd(&["set", "k", &long]);
    c.cmd(&["multi"]);
    c.cmd(&["set", "a", "1"]);
    c.cmd(&["exec"]);
    secret_commands(c);
    let r = c.cmd_reply(&["slowlog", "get", "-1"]);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let entries = r.elements().expect("array").to_vec();
    entries
        .into_iter()
        .map(|e| {
            let f = e.elements().expect("entry").to_vec();
            assert_eq!(f.len(), 6);
            assert!((int(&f[1]) - now).abs() <= 5, "timestamp {:?}", f[1]);
            assert!(int(&f[2]) >= 0);
            let addr = String::from_utf8(f[4].as_bytes().unwrap()).unwrap();
            assert!(addr.starts_with("127.0.0.1:"), "{addr}");
            Reply::Array(vec![f[0].clone(), f[3].clone(), f[5].clone()])
        })
        .collect()
}

/// Commands whose arguments hold secrets (each containing "secret"), which
/// SLOWLOG and MONITOR must show as `(redacted)`.
fn secret_commands(c: &mut Conn) {
    c.cmd(&[
        "config",
        "set",
        "masteruser",
        "mu-secret",
        "masterauth",
        "ma-secret",
    ]);
    c.cmd(&[
        "config",
        "set",
        "maxmemory",
        "0",
        "requirepass",
        "rp-secret",
    ]);
    c.cmd(&["auth", "rp-secret"]);
    c.cmd(&["config", "set", "REQUIREPASS", ""]);
    c.cmd(&["config", "set", "nosuch", "x", "masterauth", "ma2-secret"]);
    c.cmd(&["hello", "2", "auth", "default", "he-secret"]);
}

#[test]
fn slowlog_redacts_sensitive_arguments() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    assert_eq!(
        c.cmd(&["config", "set", "slowlog-log-slower-than", "0"]),
        b"+OK\r\n"
    );
    secret_commands(&mut c);
    let raw = c.cmd(&["slowlog", "get", "-1"]);
    let text = String::from_utf8_lossy(&raw);
    assert!(!text.contains("secret"), "{text}");
    assert!(
        text.contains(
            "$10\r\nmasteruser\r\n$10\r\n(redacted)\r\n$10\r\nmasterauth\r\n$10\r\n(redacted)"
        ),
        "{text}"
    );
    assert!(
        text.contains("$6\r\nnosuch\r\n$1\r\nx\r\n$10\r\nmasterauth\r\n$10\r\n(redacted)"),
        "{text}"
    );
    assert!(
        text.contains("$11\r\nREQUIREPASS\r\n$10\r\n(redacted)"),
        "{text}"
    );
}

#[test]
fn slowlog_entries_match_redis() {
    let (ox, rd) = pair(&[]);
    let a = slowlog_session(&mut ox.connect());
    let b = slowlog_session(&mut rd.connect());
    assert_eq!(a, b);
    // The truncation rules are what the comparison covered; check them directly too.
    let del = a
        .iter()
        .find(|e| e.elements().unwrap()[1].elements().unwrap()[0] == Reply::Bulk(b"del".to_vec()))
        .expect("del logged");
    let argv = del.elements().unwrap()[1].elements().unwrap();
    assert_eq!(argv.len(), 32);
    assert_eq!(argv[31], Reply::Bulk(b"... (10 more arguments)".to_vec()));
    // EXEC is not logged, the commands inside it are.
    assert!(!a
        .iter()
        .any(|e| e.elements().unwrap()[1].elements().unwrap()[0] == Reply::Bulk(b"exec".to_vec())));
}

#[test]
fn slowlog_limits_and_errors_as_redis() {
    let ox = Server::oxidis(&[]);
    let mut c = ox.connect();
    c.cmd(&["config", "set", "slowlog-log-slower-than", "0"]);
    c.cmd(&["config", "set", "slowlog-max-len", "3"]);
    for _ in 0..10 {
        c.cmd(&["ping"]);
    }
    assert_eq!(c.cmd(&["slowlog", "len"]), b":3\r\n");
    assert_eq!(
        c.cmd_reply(&["slowlog", "get", "1"])
            .elements()
            .unwrap()
            .len(),
        1
    );
    c.cmd(&["config", "set", "slowlog-log-slower-than", "-1"]);
    c.cmd(&["slowlog", "reset"]);
    c.cmd(&["ping"]);
    assert_eq!(c.cmd(&["slowlog", "len"]), b":0\r\n");

    let (ox, rd) = pair(&[]);
    let (mut a, mut b) = (ox.connect(), rd.connect());
    for cmd in [
        &["slowlog", "help"][..],
        &["slowlog", "get", "-2"],
        &["slowlog", "get", "abc"],
        &["slowlog", "get", "1", "2"],
        &["slowlog", "len", "x"],
        &["slowlog", "foo"],
        &["slowlog"],
    ] {
        assert_eq!(a.cmd(cmd), b.cmd(cmd), "{cmd:?}");
    }
}

// ---------------------------------------------------------------------------------
// LATENCY
// ---------------------------------------------------------------------------------

#[test]
fn latency_records_slow_commands() {
    let ox = Server::oxidis(DEBUG_YES);
    let mut c = ox.connect();
    assert_eq!(c.cmd(&["latency", "latest"]), b"*0\r\n");
    let doctor = c.cmd_reply(&["latency", "doctor"]);
    let text = String::from_utf8(doctor.as_bytes().unwrap()).unwrap();
    assert!(text.starts_with("I'm sorry, Dave"), "{text}");
    c.cmd(&["config", "set", "latency-monitor-threshold", "10"]);
    assert_eq!(c.cmd(&["debug", "sleep", "0.05"]), b"+OK\r\n");
    let latest = c.cmd_reply(&["latency", "latest"]);
    let ev = latest.elements().unwrap()[0].elements().unwrap().to_vec();
    assert_eq!(ev[0], Reply::Bulk(b"command".to_vec()));
    assert!(int(&ev[2]) >= 50 && int(&ev[3]) >= 50, "{ev:?}");
    let hist = c.cmd_reply(&["latency", "history", "command"]);
    assert_eq!(hist.elements().unwrap().len(), 1);
    let graph = c.cmd_reply(&["latency", "graph", "command"]);
    let g = String::from_utf8(graph.as_bytes().unwrap()).unwrap();
    assert!(g.starts_with("command - high "), "{g}");
    let doctor = c.cmd_reply(&["latency", "doctor"]);
    let text = String::from_utf8(doctor.as_bytes().unwrap()).unwrap();
    assert!(text.contains("1. command: 1 latency spikes"), "{text}");
    assert_eq!(c.cmd(&["latency", "reset", "COMMAND"]), b":1\r\n");
    assert_eq!(c.cmd(&["latency", "latest"]), b"*0\r\n");
    // A histogram for SET after a few calls.
    for _ in 0..3 {
        c.cmd(&["set", "a", "b"]);
    }
    let h = c.cmd_reply(&["latency", "histogram", "set", "nosuch"]);
    assert_eq!(h.shape().split('[').next().unwrap(), "*2", "{}", h.shape());
    let v = h.elements().unwrap()[1].elements().unwrap().to_vec();
    assert_eq!(v[0], Reply::Bulk(b"calls".to_vec()));
    assert_eq!(v[1], Reply::Int(3));
}

/// A set of `n` members under `key` (SADD in chunks).
fn big_set(c: &mut Conn, key: &str, n: usize) {
    for chunk in (0..n).collect::<Vec<_>>().chunks(10_000) {
        let members: Vec<String> = chunk.iter().map(|i| format!("m{i}")).collect();
        let mut args = vec!["SADD", key];
        args.extend(members.iter().map(|m| m.as_str()));
        c.cmd(&args);
    }
}

/// The event names LATENCY LATEST lists.
fn latency_events(c: &mut Conn) -> Vec<String> {
    let latest = c.cmd_reply(&["LATENCY", "LATEST"]);
    latest
        .elements()
        .unwrap()
        .iter()
        .map(|e| String::from_utf8(e.elements().unwrap()[0].as_bytes().unwrap()).unwrap())
        .collect()
}

/// Redis's expire-cycle and expire-del events: the active cycle that frees a
/// big expired value records both; a lazy expiry records expire-del only.
#[test]
fn latency_records_expire_events() {
    let srv = Server::oxidis(DEBUG_YES);
    let mut c = srv.connect();
    c.cmd(&["CONFIG", "SET", "latency-monitor-threshold", "1"]);
    big_set(&mut c, "big", 300_000);
    c.cmd(&["PEXPIRE", "big", "20"]);
    common::wait_for_condition("the active expiry", || c.cmd(&["DBSIZE"]) == b":0\r\n");
    let events = latency_events(&mut c);
    assert!(events.contains(&"expire-cycle".to_string()), "{events:?}");
    assert!(events.contains(&"expire-del".to_string()), "{events:?}");
    let graph = c.cmd(&["LATENCY", "GRAPH", "expire-cycle"]);
    assert!(String::from_utf8_lossy(&graph).contains("expire-cycle - high"));

    c.cmd(&["LATENCY", "RESET"]);
    c.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
    big_set(&mut c, "big", 300_000);
    c.cmd(&["PEXPIRE", "big", "1"]);
    common::wait_for_condition("the lazy expiry", || c.cmd(&["EXISTS", "big"]) == b":0\r\n");
    let events = latency_events(&mut c);
    assert!(events.contains(&"expire-del".to_string()), "{events:?}");
    assert!(!events.contains(&"expire-cycle".to_string()), "{events:?}");

    // Off by default: nothing is recorded.
    c.cmd(&["LATENCY", "RESET"]);
    c.cmd(&["CONFIG", "SET", "latency-monitor-threshold", "0"]);
    big_set(&mut c, "big", 300_000);
    c.cmd(&["PEXPIRE", "big", "1"]);
    common::wait_for_condition("the lazy expiry", || c.cmd(&["EXISTS", "big"]) == b":0\r\n");
    assert!(latency_events(&mut c).is_empty());
}

#[test]
fn latency_replies_match_redis() {
    let (ox, rd) = pair(DEBUG_YES);
    let (mut a, mut b) = (ox.connect(), rd.connect());
    for cmd in [
        &["latency", "help"][..],
        &["latency", "doctor"],
        &["latency", "graph", "command"],
        &["latency", "history", "command"],
        &["latency", "reset"],
        &["latency", "latest", "x"],
        &["latency", "foo"],
        &["config", "set", "latency-monitor-threshold", "10"],
        &["latency", "doctor"],
    ] {
        assert_eq!(a.cmd(cmd), b.cmd(cmd), "{cmd:?}");
    }
    // After a spike: the same report except for the measured milliseconds.
    a.cmd(&["debug", "sleep", "0.03"]);
    b.cmd(&["debug", "sleep", "0.03"]);
    let shape = |r: Vec<u8>| {
        let t = String::from_utf8(Reply::parse(&r).as_bytes().unwrap()).unwrap();
        t.chars()
            .map(|ch| if ch.is_ascii_digit() { '9' } else { ch })
            .collect::<String>()
    };
    let (x, y) = (
        shape(a.cmd(&["latency", "doctor"])),
        shape(b.cmd(&["latency", "doctor"])),
    );
    let squash = |s: String| s.replace("99", "9").replace("99", "9");
    assert_eq!(squash(x), squash(y));
}

// ---------------------------------------------------------------------------------
// MONITOR
// ---------------------------------------------------------------------------------

/// Runs a few commands while a monitor listens; returns what the monitor got
/// with timestamps and client addresses masked.
fn monitor_session(srv: &Server) -> Vec<String> {
    let mut m = srv.connect();
    assert_eq!(m.cmd(&["monitor"]), b"+OK\r\n");
    let mut c = srv.connect();
    c.cmd(&["set", "k", "v"]);
    c.cmd(&["select", "1"]);
    c.cmd_bytes(&[b"get", b"a b\x01\"\\\n\r\t\x07\x08\xff"]);
    c.cmd(&["select", "0"]);
    c.cmd(&["multi"]);
    c.cmd(&["set", "a", "1"]);
    c.cmd(&["exec"]);
    c.cmd(&["nosuchcommand", "x"]);
    c.cmd(&["get"]);
    c.cmd(&["config", "get", "port"]);
    c.cmd(&["auth", "user", "secret"]);
    c.send_raw(b"ping\r\n");
    c.read_reply();
    let (raw, _) = m.read_until_quiet(Duration::from_millis(300), Duration::from_secs(5));
    let text = String::from_utf8_lossy(&raw).into_owned();
    text.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| {
            assert!(l.starts_with('+'), "{l}");
            let (ts, rest) = l[1..].split_once(' ').unwrap();
            let (s, us) = ts.split_once('.').unwrap();
            assert!(s.len() >= 10 && us.len() == 6, "{ts}");
            mask_addr(rest)
        })
        .collect()
}

#[test]
fn monitor_stream_format() {
    let ox = Server::oxidis(&[]);
    let lines = monitor_session(&ox);
    assert_eq!(lines[0], "[0 ADDR] \"set\" \"k\" \"v\"");
    assert_eq!(
        lines[2],
        "[1 ADDR] \"get\" \"a b\\x01\\\"\\\\\\n\\r\\t\\a\\b\\xff\""
    );
    assert!(lines.iter().all(|l| !l.contains("config")));
    // A monitor that disconnects is dropped; the server goes on.
    drop(lines);
    let mut c = ox.connect();
    assert_eq!(c.cmd(&["ping"]), b"+PONG\r\n");
}

#[test]
fn monitor_matches_redis() {
    let (ox, rd) = pair(&[]);
    assert_eq!(monitor_session(&ox), monitor_session(&rd));
}

// ---------------------------------------------------------------------------------
// DEBUG
// ---------------------------------------------------------------------------------

#[test]
fn debug_protocol_matches_redis_byte_for_byte() {
    let (ox, rd) = pair(DEBUG_YES);
    let (mut a, mut b) = (ox.connect(), rd.connect());
    let types = [
        "string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "push",
        "verbatim", "true", "false", "nosuch",
    ];
    for proto in ["2", "3"] {
        a.cmd(&["hello", proto]);
        b.cmd(&["hello", proto]);
        for t in types {
            let cmd = ["debug", "protocol", t];
            assert_eq!(a.cmd(&cmd), b.cmd(&cmd), "RESP{proto} {t}");
        }
    }
}

#[test]
fn debug_replies_match_redis() {
    let (ox, rd) = pair(DEBUG_YES);
    let (mut a, mut b) = (ox.connect(), rd.connect());
    for cmd in [
        &["debug", "digest"][..],
        &["debug", "digest-value", "nokey"],
        &["debug", "populate", "100"],
        &["dbsize"],
        &["debug", "populate", "10", "p", "20"],
        &["get", "p:3"],
        &["debug", "populate", "3", "q", "3"],
        &["get", "q:2"],
        &["debug", "populate", "-1"],
        &["debug", "populate", "1", "x", "y", "z"],
        &["set", "n", "12345"],
        &["set", "s", "hello"],
        &["expire", "s", "1000"],
        &["debug", "digest-value", "n", "s", "key:7"],
        &["debug", "digest"],
        &["select", "3"],
        &["set", "other", "db"],
        &["debug", "digest"],
        &["debug", "object", "nokey"],
        &["debug", "sleep", "0"],
        &["debug", "set-active-expire", "1"],
        &["debug", "quicklist-packed-threshold", "5gb"],
        &["debug", "quicklist-packed-threshold", "0"],
        &["debug", "log", "hello"],
        &["debug", "change-repl-id"],
        &["debug", "error", "CUSTOM message"],
        &["debug", "jmap"],
        &["debug", "nosuch", "x"],
        &["debug", "help"],
        &["debug"],
    ] {
        assert_eq!(a.cmd(cmd), b.cmd(cmd), "{cmd:?}");
    }
}

/// The DEBUG introspection subcommands and test switches, where their replies
/// do not depend on the table layout: errors, empty tables, the switches.
#[test]
fn debug_introspection_matches_redis() {
    let (ox, rd) = pair(DEBUG_YES);
    let (mut a, mut b) = (ox.connect(), rd.connect());
    for cmd in [
        &["debug", "htstats", "0"][..],
        &["debug", "htstats", "16"],
        &["debug", "htstats", "-1"],
        &["debug", "htstats", "x"],
        &["debug", "htstats"],
        &["debug", "htstats-key", "nokey"],
        &["debug", "sdslen", "nokey"],
        &["set", "str", "hello"],
        &["set", "int", "12345"],
        &["sadd", "ints", "1", "2"],
        &["hset", "small", "f", "v"],
        &["debug", "htstats-key", "str"],
        &["debug", "htstats-key", "ints"],
        &["debug", "htstats-key", "small"],
        &["debug", "sdslen", "int"],
        &["debug", "sdslen", "ints"],
        &["debug", "client-eviction"],
        &["debug", "client-eviction", "x"],
        &["debug", "pause-cron", "1"],
        &["debug", "pause-cron", "0"],
        &["debug", "pause-cron"],
        &["debug", "set-skip-checksum-validation", "1"],
        &["debug", "set-skip-checksum-validation", "0"],
        &["debug", "config-rewrite-force-all"],
    ] {
        assert_eq!(a.cmd(cmd), b.cmd(cmd), "{cmd:?}");
    }
    // RESP3: a verbatim string.
    a.cmd(&["hello", "3"]);
    b.cmd(&["hello", "3"]);
    for cmd in [&["flushall"][..], &["debug", "htstats", "0"]] {
        assert_eq!(a.cmd(cmd), b.cmd(cmd), "{cmd:?}");
    }
    a.cmd(&["hello", "2"]);
    b.cmd(&["hello", "2"]);
    // A RESTORE payload with a wrong checksum is refused, then accepted
    // while checks are skipped.
    for c in [&mut a, &mut b] {
        c.cmd(&["set", "src", "v"]);
        let mut p = c.cmd_reply(&["dump", "src"]).as_bytes().unwrap();
        let n = p.len();
        p[n - 1] ^= 0xff;
        let restore = |c: &mut Conn| c.cmd_bytes(&[b"restore", b"dst", b"0", &p, b"replace"]);
        assert_eq!(
            restore(c),
            b"-ERR DUMP payload version or checksum are wrong\r\n"
        );
        c.cmd(&["debug", "set-skip-checksum-validation", "1"]);
        assert_eq!(restore(c), b"+OK\r\n");
        c.cmd(&["debug", "set-skip-checksum-validation", "0"]);
        assert_eq!(c.cmd(&["get", "dst"]), b"$1\r\nv\r\n");
    }
}

/// HTSTATS on tables with keys: Redis's layout, numbers that add up.
#[test]
fn debug_htstats_layout() {
    let srv = Server::oxidis(DEBUG_YES);
    let mut c = srv.connect();
    c.cmd(&["debug", "populate", "1000"]);
    c.cmd(&["expire", "key:1", "100"]);
    let text = String::from_utf8(c.cmd(&["debug", "htstats", "0"])).unwrap();
    assert!(
        text.contains("[Dictionary HT]\nHash table 0 stats (main hash table):\n table size: "),
        "{text}"
    );
    assert!(text.contains(" number of elements: 1000\n"), "{text}");
    assert!(
        text.contains("[Expires HT]\nHash table 0 stats (main hash table):\n"),
        "{text}"
    );
    assert!(text.contains(" number of elements: 1\n"), "{text}");
    assert!(
        text.contains(" Chain length distribution:\n   0: "),
        "{text}"
    );
    for i in 0..200 {
        c.cmd(&["sadd", "set", &format!("m{i}")]);
    }
    let text = String::from_utf8(c.cmd(&["debug", "htstats-key", "set"])).unwrap();
    assert!(text.contains(" number of elements: 200\n"), "{text}");
    let sds = c.cmd(&["debug", "sdslen", "key:1"]);
    assert_eq!(
        sds,
        b"+key_sds_len:5, key_sds_avail:0, key_zmalloc: 5, val_sds_len:7, val_sds_avail:0, val_zmalloc: 0\r\n"
    );
    // With maxmemory-clients set, every client is in a bucket.
    c.cmd(&["config", "set", "maxmemory-clients", "100mb"]);
    let text = String::from_utf8(c.cmd(&["debug", "client-eviction"])).unwrap();
    assert!(text.starts_with("$"), "{text}");
    assert!(
        text.contains("bucket          0 -      32767: tot-mem: "),
        "{text}"
    );
    assert!(
        text.contains("bucket 4294967296+            : tot-mem:          0, clients: 0\n"),
        "{text}"
    );
    let clients: usize = text
        .lines()
        .filter_map(|l| l.rsplit("clients: ").next()?.parse::<usize>().ok())
        .sum();
    assert_eq!(clients, 1, "{text}");
}

/// PAUSE-CRON stops the periodic work (here: active expiry).
#[test]
fn debug_pause_cron_holds_active_expiry() {
    let srv = Server::oxidis(DEBUG_YES);
    let mut c = srv.connect();
    c.cmd(&["debug", "pause-cron", "1"]);
    for i in 0..100 {
        c.cmd(&["set", &format!("k{i}"), "v", "px", "1"]);
    }
    // Time in which the cron would have run (hz 10) is the condition under test.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(c.cmd(&["dbsize"]), b":100\r\n", "cron ran while paused");
    c.cmd(&["debug", "pause-cron", "0"]);
    common::wait_for_condition("active expiry", || c.cmd(&["dbsize"]) == b":0\r\n");
}

#[test]
fn debug_basics() {
    let ox = Server::oxidis(DEBUG_YES);
    let mut c = ox.connect();
    assert_eq!(
        c.cmd(&["debug", "digest"]),
        b"+0000000000000000000000000000000000000000\r\n"
    );
    assert_eq!(c.cmd(&["debug", "populate", "1000"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["dbsize"]), b":1000\r\n");
    assert_eq!(c.cmd(&["get", "key:999"]), b"$9\r\nvalue:999\r\n");
    c.cmd(&["set", "e", "hello"]);
    let o = status(&c.cmd_reply(&["debug", "object", "e"]));
    assert!(o.starts_with("Value at:0x"), "{o}");
    assert!(
        o.contains(" refcount:1 encoding:embstr serializedlength:6 lru:"),
        "{o}"
    );
    assert!(o.contains(" lru_seconds_idle:"), "{o}");
    // DEBUG SLEEP blocks the whole server.
    let mut other = ox.connect();
    // A marker set in the same batch just before the sleep: once `other` reads it,
    // its read was served after the sleep, however the two clients interleave.
    let t = Instant::now();
    let mut batch = Conn::encode(&[b"set", b"marker", b"1"]);
    batch.extend(Conn::encode(&[b"debug", b"sleep", b"0.2"]));
    c.send_raw(&batch);
    common::wait_for_condition("the marker", || {
        other.cmd(&["get", "marker"]) == b"$1\r\n1\r\n"
    });
    assert!(t.elapsed() >= Duration::from_millis(190));
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert_eq!(c.read_reply(), b"+OK\r\n");
    let lol = c.cmd_reply(&["lolwut"]);
    let text = String::from_utf8(lol.as_bytes().unwrap()).unwrap();
    assert!(text.contains("(Redis ver. 7.0.15 compatible)\n"), "{text}");
    assert!(text.lines().count() > 3);
    assert_eq!(
        c.cmd(&["lolwut", "version", "x"]),
        b"-ERR value is not an integer or out of range\r\n"
    );
}

#[test]
fn enable_debug_command_modes() {
    const DENIED: &[u8] = b"-ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.\r\n";
    let no = Server::oxidis(&[]);
    assert_eq!(no.connect().cmd(&["debug", "digest"]), DENIED);
    let no_pw = Server::oxidis(&["--requirepass", "pw"]);
    // Checked before authentication, as in Redis.
    assert_eq!(no_pw.connect().cmd(&["debug", "digest"]), DENIED);
    for mode in ["yes", "local"] {
        let s = Server::oxidis(&["--enable-debug-command", mode]);
        assert_eq!(
            s.connect().cmd(&["debug", "digest"]),
            b"+0000000000000000000000000000000000000000\r\n",
            "{mode}"
        );
    }
}

/// DEBUG with the default enable-debug-command answers as Redis does.
#[test]
fn debug_by_default_as_redis() {
    let (ox, rd) = pair(&[]);
    assert_eq!(
        ox.connect().cmd(&["debug", "digest"]),
        rd.connect().cmd(&["debug", "digest"])
    );
}

/// CONFIG-REWRITE-FORCE-ALL writes every directive, defaults included, where
/// CONFIG REWRITE writes only what differs from the default.
#[test]
fn debug_config_rewrite_force_all_writes_defaults() {
    let dir = common::fresh_temp_dir("force-all");
    let conf = dir.join("oxidis.conf");
    std::fs::write(&conf, "hz 10\n").unwrap();
    let srv = Server::start_with_config(&common::oxidis_bin(), &conf, DEBUG_YES);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["config", "rewrite"]), b"+OK\r\n");
    let plain = std::fs::read_to_string(&conf).unwrap();
    assert!(!plain.contains("\nlist-max-listpack-size "), "{plain}");
    assert_eq!(c.cmd(&["debug", "config-rewrite-force-all"]), b"+OK\r\n");
    let all = std::fs::read_to_string(&conf).unwrap();
    assert!(all.contains("\nlist-max-listpack-size -2\n"), "{all}");
    assert!(all.contains("\nmaxmemory-policy noeviction\n"), "{all}");
    assert!(all.starts_with("hz 10\n"), "{all}");
    let _ = std::fs::remove_dir_all(&dir);
}
