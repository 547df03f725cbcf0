//! Consumer groups, the parts the differential corpus cannot see, each
//! compared with redis-server over the same commands: the dirty counter and
//! keyspace hits/misses after every command, the keyspace events, WATCH and
//! client-side caching (which XGROUP, XACK and XCLAIM do not signal, as in
//! Redis 7.0), the propagated stream (XCLAIM / XAUTOCLAIM as one idempotent
//! XCLAIM per entry, XGROUP SETID for a LASTID), and the idle times of the
//! pending entries list against the clock. Also: XGROUP DESTROY answers the
//! clients blocked in XREADGROUP on that group.
//!
//! `REPL_SHOW=1` prints redis-server's stream (with `--nocapture`).

mod common;

use common::{escape, info_field, require_redis, Conn, Reply, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// The consumer-group lifecycle through every command of this area, with
/// error paths and the calls that change nothing. Delivery times are fixed
/// (TIME) so that every reply is deterministic.
const SCRIPT: &[&[&str]] = &[
    &["XGROUP", "CREATE", "s", "g", "$"],
    &["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
    &["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
    &["XADD", "s", "1-1", "f", "v1"],
    &["XADD", "s", "2-1", "f", "v2"],
    &["XADD", "s", "3-1", "f", "v3"],
    &["XADD", "s", "4-1", "f", "v4"],
    &["XGROUP", "CREATE", "s", "g2", "0", "ENTRIESREAD", "0"],
    &["XGROUP", "SETID", "s", "g2", "$"],
    &["XGROUP", "SETID", "s", "nogroup", "$"],
    &["XGROUP", "SETID", "nokey", "g", "$"],
    &["XGROUP", "CREATECONSUMER", "s", "g", "alice"],
    &["XGROUP", "CREATECONSUMER", "s", "g", "alice"],
    &["XGROUP", "CREATECONSUMER", "s", "nogroup", "alice"],
    &[
        "XCLAIM", "s", "g", "alice", "0", "1-1", "2-1", "FORCE", "TIME", "1000", "JUSTID",
    ],
    &[
        "XCLAIM", "s", "g", "bob", "0", "3-1", "FORCE", "TIME", "2000",
    ],
    &[
        "XCLAIM", "s", "g", "bob", "0", "9-9", "FORCE", "TIME", "2000",
    ],
    &["XCLAIM", "s", "g", "carol", "99999999999999", "1-1"],
    &[
        "XCLAIM",
        "s",
        "g",
        "carol",
        "0",
        "1-1",
        "TIME",
        "3000",
        "RETRYCOUNT",
        "5",
    ],
    &[
        "XCLAIM", "s", "g", "carol", "0", "1-1", "JUSTID", "LASTID", "2-0",
    ],
    &["XCLAIM", "s", "g", "carol", "0", "9-9", "LASTID", "3-0"],
    &["XCLAIM", "s", "g", "carol", "0", "1-1", "BADOPT"],
    &["XCLAIM", "nokey", "g", "carol", "0", "1-1"],
    &["XPENDING", "s", "g"],
    &["XPENDING", "nokey", "g"],
    &["XPENDING", "s", "g", "-", "+", "0"],
    &["XINFO", "GROUPS", "s"],
    &["XINFO", "GROUPS", "nokey"],
    &["XINFO", "STREAM", "s"],
    &["XINFO", "CONSUMERS", "s", "nogroup"],
    &["XACK", "s", "g", "1-1", "9-9"],
    &["XACK", "s", "g", "1-1"],
    &["XACK", "s", "nogroup", "1-1"],
    &["XACK", "nokey", "g", "1-1"],
    &["XACK", "s", "g", "bad"],
    &["XDEL", "s", "2-1"],
    &[
        "XAUTOCLAIM",
        "s",
        "g",
        "dave",
        "0",
        "0",
        "COUNT",
        "1",
        "JUSTID",
    ],
    &["XAUTOCLAIM", "s", "g", "dave", "0", "0", "JUSTID"],
    &["XAUTOCLAIM", "s", "g", "dave", "99999999999999", "0"],
    &["XAUTOCLAIM", "s", "nogroup", "dave", "0", "0"],
    &["XGROUP", "DELCONSUMER", "s", "g", "dave"],
    &["XGROUP", "DELCONSUMER", "s", "g", "dave"],
    &["XGROUP", "DELCONSUMER", "s", "g", "alice"],
    &["XGROUP", "DESTROY", "s", "g2"],
    &["XGROUP", "DESTROY", "s", "g2"],
    &["XGROUP", "DESTROY", "s", "g"],
    &["SET", "str", "v"],
    &["XGROUP", "CREATE", "str", "g", "$"],
    &["XACK", "str", "g", "1-1"],
    &["XPENDING", "str", "g"],
    &["XCLAIM", "str", "g", "c", "0", "1-1"],
    &["XAUTOCLAIM", "str", "g", "c", "0", "0"],
    &["XINFO", "STREAM", "str"],
];

/// (reply, dirty, keyspace hits, keyspace misses) after each command.
fn counters_transcript(srv: &Server) -> Vec<String> {
    let mut c = srv.connect();
    let mut out = Vec::new();
    let counter = |c: &mut Conn, section: &str, field: &str| -> i64 {
        info_field(c, section, field).trim().parse().unwrap()
    };
    let base = counter(&mut c, "persistence", "rdb_changes_since_last_save");
    for args in SCRIPT {
        let reply = c.cmd(args);
        // XINFO STREAM's node counts are the node layout's business.
        let reply = if args[..2] == ["XINFO", "STREAM"] && reply.starts_with(b"*") {
            "(stream info)".to_string()
        } else {
            escape(&reply)
        };
        let dirty = counter(&mut c, "persistence", "rdb_changes_since_last_save") - base;
        let hits = counter(&mut c, "stats", "keyspace_hits");
        let misses = counter(&mut c, "stats", "keyspace_misses");
        out.push(format!(
            "{args:?} -> {reply} dirty={dirty} hits={hits} misses={misses}"
        ));
    }
    out
}

#[test]
fn dirty_counts_and_keyspace_hits_match_redis() {
    require_redis();
    let ox = counters_transcript(&Server::oxidis(&[]));
    let rd = counters_transcript(&Server::redis(&[]));
    for (o, r) in ox.iter().zip(&rd) {
        assert_eq!(o, r, "oxidis (left) and redis (right) differ");
    }
    assert_eq!(ox.len(), rd.len());
}

/// The keyspace events of the script, as a subscriber to every key event
/// receives them (event name and key, in order).
fn events_transcript(srv: &Server) -> Vec<String> {
    let mut c = srv.connect();
    c.cmd(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]);
    let mut sub = srv.connect();
    sub.cmd(&["PSUBSCRIBE", "__keyevent@0__:*"]);
    for args in SCRIPT {
        c.cmd(args);
    }
    c.cmd(&["SET", "__end__", "x"]);
    let mut out = Vec::new();
    loop {
        let msg = Reply::parse(&sub.read_reply());
        let parts: Vec<String> = msg
            .elements()
            .expect("pmessage")
            .iter()
            .map(|r| String::from_utf8_lossy(&r.as_bytes().unwrap_or_default()).into_owned())
            .collect();
        let event = parts[2].trim_start_matches("__keyevent@0__:").to_string();
        if parts[3] == "__end__" {
            return out;
        }
        out.push(format!("{event} {}", parts[3]));
    }
}

#[test]
fn keyspace_events_match_redis() {
    require_redis();
    let ox = events_transcript(&Server::oxidis(&[]));
    let rd = events_transcript(&Server::redis(&[]));
    assert_eq!(ox, rd, "oxidis (left) and redis (right) differ");
    for e in [
        "xgroup-create",
        "xgroup-setid",
        "xgroup-createconsumer",
        "xgroup-delconsumer",
        "xgroup-destroy",
    ] {
        assert!(ox.iter().any(|l| l.starts_with(e)), "{e} missing: {ox:#?}");
    }
}

/// For each command: is a WATCH on `s` broken by it (EXEC answers null), and
/// does a client tracking `s` get an invalidation?
fn watch_transcript(srv: &Server) -> Vec<String> {
    let mut w = srv.connect();
    let mut t = srv.connect();
    let mut c = srv.connect();
    assert!(!Reply::parse(&t.cmd(&["HELLO", "3"])).is_error());
    t.cmd(&["CLIENT", "TRACKING", "on"]);
    let steps: &[&[&str]] = &[
        &["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"],
        &["XGROUP", "CREATE", "s", "g2", "$"],
        &["XADD", "s", "1-1", "f", "v"],
        &["XGROUP", "SETID", "s", "g", "0"],
        &["XGROUP", "CREATECONSUMER", "s", "g", "c"],
        &["XCLAIM", "s", "g", "c", "0", "1-1", "FORCE", "JUSTID"],
        &["XACK", "s", "g", "1-1"],
        &["XCLAIM", "s", "g", "c", "0", "1-1", "FORCE", "JUSTID"],
        &["XAUTOCLAIM", "s", "g", "d", "0", "0", "JUSTID"],
        &["XGROUP", "DELCONSUMER", "s", "g", "d"],
        &["XGROUP", "DESTROY", "s", "g"],
        &["XINFO", "GROUPS", "s"],
    ];
    let mut out = Vec::new();
    for args in steps {
        w.cmd(&["WATCH", "s"]);
        // Arm tracking of `s` (a read of a missing key is tracked too).
        t.cmd(&["XLEN", "s"]);
        c.cmd(args);
        w.cmd(&["MULTI"]);
        w.cmd(&["PING"]);
        let exec = escape(&w.cmd(&["EXEC"]));
        t.send(&[b"PING"]);
        let mut pushes = 0;
        while t.read_reply() != b"+PONG\r\n" {
            pushes += 1;
        }
        out.push(format!("{args:?} exec={exec} invalidations={pushes}"));
    }
    out
}

#[test]
fn watch_and_tracking_match_redis() {
    require_redis();
    let ox = watch_transcript(&Server::oxidis(&[]));
    let rd = watch_transcript(&Server::redis(&[]));
    assert_eq!(ox, rd, "oxidis (left) and redis (right) differ");
}

// ---------------------------------------------------------------------------
// Propagation
// ---------------------------------------------------------------------------

/// A connection that did SYNC and now reads the replication stream (as
/// Redis's attach_to_replication_stream; tests/replication.rs has the same).
struct ReplStream {
    s: TcpStream,
    buf: Vec<u8>,
}

impl ReplStream {
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
    fn parse(&mut self) -> Option<Vec<String>> {
        let line = |b: &[u8], at: usize| -> Option<(String, usize)> {
            let i = b[at..].windows(2).position(|w| w == b"\r\n")?;
            Some((
                String::from_utf8_lossy(&b[at..at + i]).into_owned(),
                at + i + 2,
            ))
        };
        let (head, mut at) = line(&self.buf, 0)?;
        let n: usize = head[1..].parse().unwrap();
        let mut argv = Vec::with_capacity(n);
        for _ in 0..n {
            let (l, next) = line(&self.buf, at)?;
            let len: usize = l[1..].parse().unwrap();
            if self.buf.len() < next + len + 2 {
                return None;
            }
            argv.push(String::from_utf8_lossy(&self.buf[next..next + len]).into_owned());
            at = next + len + 2;
        }
        self.buf.drain(..at);
        Some(argv)
    }

    /// Commands up to one whose last argument is `marker`, without PINGs.
    fn read_until(&mut self, marker: &str) -> Vec<Vec<String>> {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut out = Vec::new();
        loop {
            while let Some(argv) = self.parse() {
                if argv[0].eq_ignore_ascii_case("ping") {
                    continue;
                }
                let done = argv.last().is_some_and(|a| a == marker);
                out.push(argv);
                if done {
                    return out;
                }
            }
            assert!(Instant::now() < deadline, "marker not seen; got {out:?}");
            self.fill();
        }
    }
}

/// The script on a server with a SYNC reader attached; its stream.
fn propagated(srv: &Server) -> Vec<Vec<String>> {
    let mut repl = ReplStream::attach(srv.port);
    let mut c = srv.connect();
    for args in SCRIPT {
        c.cmd(args);
    }
    c.cmd(&["SET", "end", "__end__"]);
    let mut stream = repl.read_until("__end__");
    // Delivery times taken from the clock (a claim without TIME) differ
    // between the servers: such a TIME argument is masked.
    for argv in &mut stream {
        if argv[0] == "XCLAIM" && argv.len() == 14 {
            if let Ok(t) = argv[7].parse::<i64>() {
                if t > 1_600_000_000_000 {
                    argv[7] = "<now>".into();
                }
            }
        }
    }
    stream
}

#[test]
fn propagated_stream_matches_redis() {
    require_redis();
    let ox = propagated(&Server::oxidis(&[]));
    let rd = propagated(&Server::redis(&[]));
    let show = |s: &[Vec<String>]| s.iter().map(|a| a.join(" ")).collect::<Vec<_>>().join("\n");
    if std::env::var_os("REPL_SHOW").is_some() {
        println!("--- redis stream\n{}", show(&rd));
    }
    assert_eq!(
        ox,
        rd,
        "--- oxidis\n{}\n--- redis\n{}",
        show(&ox),
        show(&rd)
    );
    // The claims went out as XCLAIM ... FORCE JUSTID LASTID, never as sent.
    assert!(ox.iter().any(|a| a[0] == "XCLAIM" && a[10] == "FORCE"));
    assert!(ox.iter().any(|a| a[..2] == ["XGROUP", "SETID"]));
    assert!(!ox.iter().any(|a| a[0] == "XAUTOCLAIM"));
}

// ---------------------------------------------------------------------------
// Idle times, blocked readers
// ---------------------------------------------------------------------------

/// The integers of an XPENDING extended reply row: (idle, deliveries).
fn pending_row(c: &mut Conn, id: &str) -> (i64, i64) {
    let r = c.cmd_reply(&["XPENDING", "s", "g", id, id, "1"]);
    let row = r.elements().unwrap()[0].elements().unwrap().to_vec();
    match (&row[2], &row[3]) {
        (Reply::Int(idle), Reply::Int(n)) => (*idle, *n),
        other => panic!("XPENDING row {other:?}"),
    }
}

#[test]
fn idle_times_follow_the_clock() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    c.cmd(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    for id in ["1-1", "2-1", "3-1"] {
        c.cmd(&["XADD", "s", id, "f", "v"]);
    }
    c.cmd(&["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"]);
    // IDLE sets the delivery time in the past; TIME sets it absolutely.
    c.cmd(&[
        "XCLAIM", "s", "g", "bob", "0", "1-1", "IDLE", "50000", "JUSTID",
    ]);
    let (idle, n) = pending_row(&mut c, "1-1");
    assert!((50000..60000).contains(&idle), "idle {idle}");
    assert_eq!(n, 1, "JUSTID does not count a delivery");
    c.cmd(&["XCLAIM", "s", "g", "bob", "0", "2-1", "TIME", "1000"]);
    let (idle, n) = pending_row(&mut c, "2-1");
    assert!(idle > 1_600_000_000_000, "idle {idle}");
    assert_eq!(n, 2);
    // min-idle-time filters: 3-1 was delivered just now.
    let r = escape(&c.cmd(&[
        "XCLAIM", "s", "g", "carol", "10000", "1-1", "2-1", "3-1", "JUSTID",
    ]));
    assert_eq!(r, escape(b"*2\r\n$3\r\n1-1\r\n$3\r\n2-1\r\n"));
    let (idle, _) = pending_row(&mut c, "1-1");
    assert!(idle < 10000, "a claim resets the idle time: {idle}");
    let r = c.cmd(&["XPENDING", "s", "g", "IDLE", "10000", "-", "+", "10"]);
    assert_eq!(r, b"*0\r\n");
    let r = c.cmd_reply(&["XPENDING", "s", "g", "IDLE", "0", "-", "+", "10", "alice"]);
    assert_eq!(r.elements().unwrap().len(), 1);
    // XINFO CONSUMERS: idle since the consumer was last seen (Redis 7.0).
    let r = c.cmd_reply(&["XINFO", "CONSUMERS", "s", "g"]);
    let names: Vec<_> = r
        .elements()
        .unwrap()
        .iter()
        .map(|m| m.elements().unwrap()[1].as_bytes().unwrap())
        .collect();
    assert_eq!(
        names,
        [b"alice".to_vec(), b"bob".to_vec(), b"carol".to_vec()]
    );
    for m in r.elements().unwrap() {
        let f = m.elements().unwrap();
        assert_eq!(f[4].as_bytes().unwrap(), b"idle");
        match &f[5] {
            Reply::Int(idle) => assert!((0..60000).contains(idle), "idle {idle}"),
            other => panic!("idle {other:?}"),
        }
    }
}

#[test]
fn several_groups_and_consumers_keep_separate_pels() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    for i in 1..=6 {
        c.cmd(&["XADD", "s", &format!("{i}-0"), "n", &i.to_string()]);
    }
    c.cmd(&["XGROUP", "CREATE", "s", "g1", "0"]);
    c.cmd(&["XGROUP", "CREATE", "s", "g2", "0"]);
    c.cmd(&[
        "XREADGROUP",
        "GROUP",
        "g1",
        "a",
        "COUNT",
        "2",
        "STREAMS",
        "s",
        ">",
    ]);
    c.cmd(&[
        "XREADGROUP",
        "GROUP",
        "g1",
        "b",
        "COUNT",
        "2",
        "STREAMS",
        "s",
        ">",
    ]);
    c.cmd(&["XREADGROUP", "GROUP", "g2", "a", "STREAMS", "s", ">"]);
    let summary = |c: &mut Conn, g: &str| escape(&c.cmd(&["XPENDING", "s", g]));
    assert_eq!(
        summary(&mut c, "g1"),
        escape(b"*4\r\n:4\r\n$3\r\n1-0\r\n$3\r\n4-0\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n")
    );
    assert_eq!(
        summary(&mut c, "g2"),
        escape(b"*4\r\n:6\r\n$3\r\n1-0\r\n$3\r\n6-0\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n6\r\n")
    );
    // b takes a's entries in g1 only; acks in g2 leave g1 alone.
    c.cmd(&["XCLAIM", "s", "g1", "b", "0", "1-0", "2-0", "JUSTID"]);
    assert_eq!(c.cmd(&["XACK", "s", "g2", "1-0", "2-0", "3-0"]), b":3\r\n");
    assert_eq!(
        summary(&mut c, "g1"),
        escape(b"*4\r\n:4\r\n$3\r\n1-0\r\n$3\r\n4-0\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n4\r\n")
    );
    // Deleting an entry: XAUTOCLAIM drops it from g1's PEL and reports it.
    c.cmd(&["XDEL", "s", "3-0"]);
    let r = escape(&c.cmd(&["XAUTOCLAIM", "s", "g1", "a", "0", "0", "JUSTID"]));
    assert_eq!(
        r,
        escape(
            b"*3\r\n$3\r\n0-0\r\n*3\r\n$3\r\n1-0\r\n$3\r\n2-0\r\n$3\r\n4-0\r\n*1\r\n$3\r\n3-0\r\n"
        )
    );
    // g2 never had 3-0 pending any more; its PEL is untouched.
    assert_eq!(
        summary(&mut c, "g2"),
        escape(b"*4\r\n:3\r\n$3\r\n4-0\r\n$3\r\n6-0\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n3\r\n")
    );
    // DELCONSUMER drops what the consumer had pending from the group.
    assert_eq!(c.cmd(&["XGROUP", "DELCONSUMER", "s", "g1", "a"]), b":3\r\n");
    assert_eq!(
        c.cmd(&["XPENDING", "s", "g1"]),
        b"*4\r\n:0\r\n$-1\r\n$-1\r\n*-1\r\n"
    );
}

#[test]
fn xgroup_destroy_answers_blocked_xreadgroup() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    let mut b = srv.connect();
    c.cmd(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    b.send(&[
        b"XREADGROUP",
        b"GROUP",
        b"g",
        b"c",
        b"BLOCK",
        b"0",
        b"STREAMS",
        b"s",
        b">",
    ]);
    common::wait_for_blocked_clients(&mut c, 1);
    assert_eq!(c.cmd(&["XGROUP", "DESTROY", "s", "g"]), b":1\r\n");
    let r = b.read_reply();
    assert!(r.starts_with(b"-NOGROUP"), "{}", escape(&r));
    common::wait_for_blocked_clients(&mut c, 0);
}
