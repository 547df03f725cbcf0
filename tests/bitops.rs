//! Bitmap commands through the real binary: what the differential corpora
//! (tests/diff/bitops*.txt, bitfield.txt) cannot show line by line: in-place
//! writes on a 16 MB bitmap, a snapshot taken before a write keeping the old
//! bytes, WATCH, client-side caching, MEMORY USAGE following the buffer, the
//! RDB and DUMP round trips, and what is propagated (compared with
//! redis-server through the replication offset).

mod common;

use std::time::{Duration, Instant};

use common::{info_field, info_u64, wait_for_info, Conn, Reply, Server};

fn int(r: Reply) -> i64 {
    match r {
        Reply::Int(v) => v,
        other => panic!("not an integer: {other:?}"),
    }
}

fn bulk(r: Reply) -> Vec<u8> {
    match r {
        Reply::Bulk(b) => b,
        other => panic!("not a bulk: {other:?}"),
    }
}

const MB16: usize = 16 << 20;

/// A 16 MB bitmap whose last bit is set (as SETBIT bm 134217727 1 makes it).
fn load_bitmap(c: &mut Conn, key: &str) {
    assert_eq!(
        c.cmd(&["SETRANGE", key, &(MB16 - 1).to_string(), "\x01"]),
        b":16777216\r\n"
    );
}

#[test]
fn setbit_and_getbit_on_a_16mb_bitmap_write_in_place() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    load_bitmap(&mut c, "bm");
    // 40,000 random writes and reads, pipelined. A copy of the 16 MB string
    // per write would take minutes; in place it is well under a second.
    let start = Instant::now();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut batch = Vec::new();
    let mut offsets = Vec::new();
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let off = (x % (MB16 as u64 * 8 - 8)).to_string();
        batch.extend(Conn::encode(&[b"SETBIT", b"bm", off.as_bytes(), b"1"]));
        batch.extend(Conn::encode(&[b"GETBIT", b"bm", off.as_bytes()]));
        offsets.push(off);
    }
    c.send_raw(&batch);
    for _ in &offsets {
        let _ = c.read_reply();
        assert_eq!(c.read_reply(), b":1\r\n");
    }
    let took = start.elapsed();
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert_eq!(int(c.cmd_reply(&["STRLEN", "bm"])), MB16 as i64);
    assert_eq!(int(c.cmd_reply(&["GETBIT", "bm", "134217727"])), 1);
    assert_eq!(bulk(c.cmd_reply(&["OBJECT", "ENCODING", "bm"])), b"raw");
}

#[test]
fn memory_usage_follows_the_buffer() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    assert_eq!(int(c.cmd_reply(&["SETBIT", "b", "7", "1"])), 0);
    let small = int(c.cmd_reply(&["MEMORY", "USAGE", "b"]));
    assert!(small < 512, "{small}");
    assert_eq!(int(c.cmd_reply(&["SETBIT", "b", "8388607", "1"])), 0);
    let big = int(c.cmd_reply(&["MEMORY", "USAGE", "b"]));
    assert!(big >= 1 << 20, "{big}");
    // Growth is geometric (as sds): the spare room is counted too, and a
    // write inside the string does not change it.
    assert_eq!(int(c.cmd_reply(&["SETBIT", "b", "100", "1"])), 0);
    assert_eq!(int(c.cmd_reply(&["MEMORY", "USAGE", "b"])), big);
}

#[test]
fn a_snapshot_keeps_the_bitmap_it_was_taken_with() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    load_bitmap(&mut c, "bm");
    // Enough other keys that the save is likely still running at the write.
    let mut batch = Vec::new();
    for i in 0..100_000 {
        let k = format!("key:{i}");
        batch.extend(Conn::encode(&[b"SET", k.as_bytes(), b"some value"]));
    }
    c.send_raw(&batch);
    for _ in 0..100_000 {
        assert_eq!(c.read_reply(), b"+OK\r\n");
    }
    assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    // Written after the snapshot point: not in the file, whenever the save
    // reaches the key.
    assert_eq!(int(c.cmd_reply(&["SETBIT", "bm", "0", "1"])), 0);
    assert_eq!(int(c.cmd_reply(&["SETBIT", "bm", "134217727", "0"])), 1);
    assert_eq!(int(c.cmd_reply(&["APPEND", "bm", "tail"])), MB16 as i64 + 4);
    wait_for_info(&mut c, "persistence", "rdb_bgsave_in_progress", "0");
    assert_eq!(
        info_field(&mut c, "persistence", "rdb_last_bgsave_status"),
        "ok"
    );
    assert_eq!(int(c.cmd_reply(&["GETBIT", "bm", "0"])), 1);

    // A second server loads the file the first one wrote.
    let dir = srv.dir().to_str().expect("utf-8 dir").to_string();
    let other = Server::oxidis(&["--dir", &dir]);
    let mut o = other.connect();
    assert_eq!(int(o.cmd_reply(&["STRLEN", "bm"])), MB16 as i64);
    assert_eq!(int(o.cmd_reply(&["GETBIT", "bm", "0"])), 0);
    assert_eq!(int(o.cmd_reply(&["GETBIT", "bm", "134217727"])), 1);
    assert_eq!(int(o.cmd_reply(&["BITCOUNT", "bm"])), 1);
}

#[test]
fn rdb_and_dump_round_trips_keep_the_bytes() {
    let srv = Server::oxidis(&["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    assert_eq!(int(c.cmd_reply(&["SETBIT", "small", "7", "1"])), 0);
    assert_eq!(int(c.cmd_reply(&["SETBIT", "long", "1000", "1"])), 0);
    assert_eq!(c.cmd(&["SET", "n", "12"]), b"+OK\r\n");
    let r = c.cmd_reply(&["BITFIELD", "n", "SET", "u8", "0", "50"]);
    assert!(matches!(r, Reply::Array(_)), "{r:?}");
    let before: Vec<Vec<u8>> = ["small", "long", "n"]
        .iter()
        .map(|k| bulk(c.cmd_reply(&["GET", k])))
        .collect();
    let dump = bulk(c.cmd_reply(&["DUMP", "long"]));
    assert_eq!(c.cmd(&["DEBUG", "RELOAD"]), b"+OK\r\n");
    for (k, want) in ["small", "long", "n"].iter().zip(&before) {
        assert_eq!(&bulk(c.cmd_reply(&["GET", k])), want, "{k}");
    }
    // As in Redis, the load picks the encodings afresh.
    assert_eq!(
        bulk(c.cmd_reply(&["OBJECT", "ENCODING", "small"])),
        b"embstr"
    );
    assert_eq!(bulk(c.cmd_reply(&["OBJECT", "ENCODING", "long"])), b"raw");
    assert_eq!(c.cmd_bytes(&[b"RESTORE", b"copy", b"0", &dump]), b"+OK\r\n");
    assert_eq!(bulk(c.cmd_reply(&["GET", "copy"])), before[1]);
    assert_eq!(int(c.cmd_reply(&["SETBIT", "copy", "1000", "0"])), 1);
    assert_eq!(bulk(c.cmd_reply(&["GET", "long"])), before[1]);
}

#[test]
fn watch_sees_only_real_changes() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    let mut other = srv.connect();
    let exec = |c: &mut Conn, watched: &str, f: &mut dyn FnMut()| -> Vec<u8> {
        assert_eq!(c.cmd(&["WATCH", watched]), b"+OK\r\n");
        f();
        assert_eq!(c.cmd(&["MULTI"]), b"+OK\r\n");
        assert_eq!(c.cmd(&["PING"]), b"+QUEUED\r\n");
        c.cmd(&["EXEC"])
    };
    let ok = b"*1\r\n+PONG\r\n".to_vec();
    let aborted = b"*-1\r\n".to_vec();
    assert_eq!(int(c.cmd_reply(&["SETBIT", "k", "3", "1"])), 0);
    let cases: &[(&[&str], bool)] = &[
        (&["SETBIT", "k", "3", "1"], false),
        (&["SETBIT", "k", "3", "0"], true),
        (&["SETBIT", "k", "100", "0"], true),
        (&["GETBIT", "k", "3"], false),
        (&["BITCOUNT", "k"], false),
        (&["BITFIELD", "k", "GET", "u8", "0"], false),
        (&["BITFIELD", "k", "SET", "u8", "0", "0"], false),
        (&["BITFIELD", "k", "SET", "u8", "0", "1"], true),
        (
            &[
                "BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1000",
            ],
            false,
        ),
        (&["BITFIELD", "k", "INCRBY", "u8", "0", "1"], true),
        (&["SETRANGE", "k", "0", ""], false),
        (&["SETRANGE", "k", "0", "x"], true),
        (&["APPEND", "k", "x"], true),
        (&["BITOP", "NOT", "k", "k"], true),
        (&["BITOP", "AND", "k", "nokey"], true),
        (&["BITOP", "AND", "k", "nokey"], false),
    ];
    for (cmd, touches) in cases {
        let mut run = || {
            let _ = other.cmd(cmd);
        };
        let want = if *touches { &aborted } else { &ok };
        assert_eq!(&exec(&mut c, "k", &mut run), want, "{cmd:?}");
    }
}

#[test]
fn tracking_invalidates_on_bit_writes() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    let mut w = srv.connect();
    let _ = c.cmd(&["HELLO", "3"]);
    assert_eq!(c.cmd(&["CLIENT", "TRACKING", "on"]), b"+OK\r\n");
    let _ = w.cmd(&["SETBIT", "k", "1", "1"]);
    for (write, invalidates) in [
        (&["SETBIT", "k", "1", "1"][..], false),
        (&["SETBIT", "k", "1", "0"][..], true),
        (&["BITFIELD", "k", "SET", "u4", "0", "9"][..], true),
        (&["BITOP", "OR", "k", "k"][..], true),
    ] {
        let _ = c.cmd(&["GETBIT", "k", "1"]);
        let _ = w.cmd(write);
        // PING's reply follows any invalidation push sent before it.
        let (got, _) = {
            c.send(&[b"PING"]);
            c.read_until_quiet(Duration::from_millis(100), Duration::from_secs(5))
        };
        let text = String::from_utf8_lossy(&got).into_owned();
        assert_eq!(
            text.contains("invalidate"),
            invalidates,
            "{write:?}: {text:?}"
        );
        assert!(text.ends_with("+PONG\r\n"), "{text:?}");
    }
}

/// The replication offset growth of each command of a fixed script, on a
/// server with a replica attached (so that a backlog exists).
fn propagation(srv: &Server) -> Vec<(String, u64)> {
    let mut c = srv.connect();
    let mut sync = srv.connect();
    sync.send_raw(b"SYNC\r\n");
    wait_for_info(&mut c, "replication", "connected_slaves", "1");
    let script: &[&[&str]] = &[
        &["SETBIT", "k", "7", "1"],
        &["SETBIT", "k", "7", "1"],
        &["SETBIT", "k", "7", "0"],
        &["GETBIT", "k", "7"],
        &["SETBIT", "k", "x", "1"],
        &["BITFIELD", "k", "GET", "u8", "0"],
        &["BITFIELD", "k", "SET", "u8", "0", "0"],
        &["BITFIELD", "k", "SET", "u8", "0", "5", "GET", "u4", "0"],
        &[
            "BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1000",
        ],
        &[
            "BITFIELD", "new", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1000",
        ],
        &["BITFIELD_RO", "k", "GET", "u8", "0"],
        &["BITOP", "AND", "d", "k", "nokey"],
        &["BITOP", "AND", "d", "nokey"],
        &["BITOP", "AND", "d", "nokey"],
        &["BITCOUNT", "k"],
        &["BITPOS", "k", "1"],
        &["SETRANGE", "k", "0", ""],
        &["SETRANGE", "k", "2", "ab"],
        &["APPEND", "k", "cd"],
    ];
    let mut out = Vec::new();
    for cmd in script {
        let before = info_u64(&mut c, "replication", "master_repl_offset");
        let _ = c.cmd(cmd);
        let after = info_u64(&mut c, "replication", "master_repl_offset");
        out.push((cmd.join(" "), after - before));
    }
    out
}

#[test]
fn bitmap_propagation_matches_redis() {
    let ox = propagation(&Server::oxidis(&[]));
    let rd = propagation(&Server::redis(&[]));
    assert_eq!(ox, rd);
    // Reads and no-op writes are not propagated at all.
    assert!(ox
        .iter()
        .any(|(c, n)| c == "BITFIELD k GET u8 0" && *n == 0));
}
