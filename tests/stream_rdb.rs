//! Stream persistence interop with a real redis-server 7.0 (RDB type 19,
//! STREAM_LISTPACKS_2, and DUMP/RESTORE through the same code):
//!
//! - streams built in redis (several nodes, tombstones, a partial trim, groups
//!   with pending entries over several consumers, an empty stream with a
//!   group) are SAVEd; oxidis loads the file and DUMPs every key with exactly
//!   redis's bytes and the same DEBUG DIGEST-VALUE; RESTORE of redis's DUMP
//!   payloads does the same;
//! - oxidis SAVEs what it loaded and a fresh redis loads that file with the
//!   same XINFO STREAM FULL as the original; oxidis's DUMP payloads RESTORE in
//!   redis alike;
//! - a stream built in-process with `Stream::append`/`delete`/`trim` DUMPs to
//!   the bytes redis's XADD/XDEL/XTRIM give for the same commands (the node
//!   layout is Redis's, byte for byte).

mod common;

use common::{fresh_temp_dir, require_redis, Conn, Reply, Server};
use oxidis::db::stream::{NodeLimits, Stream, StreamId, Trim};
use oxidis::db::{Entry, Object, Value};
use oxidis::persist::rdb;

fn ok(c: &mut Conn, args: &[&str]) {
    let r = c.cmd(args);
    assert!(
        !r.starts_with(b"-"),
        "{args:?}: {}",
        String::from_utf8_lossy(&r)
    );
}

/// Streams with every part a type-19 payload has. Deterministic except for
/// delivery and seen times, which travel in the file as they are.
fn build(c: &mut Conn) -> Vec<&'static str> {
    ok(c, &["CONFIG", "SET", "stream-node-max-entries", "5"]);
    ok(c, &["CONFIG", "SET", "rdbcompression", "no"]);
    for i in 1..=23u64 {
        let v = match i % 4 {
            0 => i.to_string(),
            1 => "x".repeat(70 + i as usize),
            2 => format!("-{i}00"),
            _ => "bin\u{1}\u{ff}".to_string(),
        };
        let idv = format!("{}-{}", 1_000 + i / 3, i % 3);
        if i % 5 == 0 {
            ok(c, &["XADD", "s1", &idv, "a", &v, "other", "1"]);
        } else {
            ok(c, &["XADD", "s1", &idv, "a", &v, "b", "12345678901234567"]);
        }
    }
    ok(c, &["XDEL", "s1", "1000-1", "1003-0", "1003-1", "1003-2"]);
    ok(c, &["XTRIM", "s1", "MAXLEN", "=", "17"]);
    ok(c, &["XGROUP", "CREATE", "s1", "g1", "0"]);
    ok(
        c,
        &[
            "XREADGROUP",
            "GROUP",
            "g1",
            "alice",
            "COUNT",
            "3",
            "STREAMS",
            "s1",
            ">",
        ],
    );
    ok(
        c,
        &[
            "XREADGROUP",
            "GROUP",
            "g1",
            "bob",
            "COUNT",
            "2",
            "STREAMS",
            "s1",
            ">",
        ],
    );
    ok(
        c,
        &[
            "XCLAIM",
            "s1",
            "g1",
            "carol",
            "0",
            "1004-0",
            "RETRYCOUNT",
            "9",
        ],
    );
    ok(c, &["XACK", "s1", "g1", "1004-1"]);
    ok(
        c,
        &["XGROUP", "CREATE", "s1", "123", "$", "ENTRIESREAD", "5"],
    );
    ok(c, &["XGROUP", "CREATECONSUMER", "s1", "123", "dave"]);
    ok(c, &["XGROUP", "CREATE", "s1", "lagging", "1001-0"]);

    ok(c, &["XADD", "s2", "5-5", "f", "v"]);
    ok(c, &["XDEL", "s2", "5-5"]);
    ok(c, &["XGROUP", "CREATE", "s2", "g", "$"]);

    ok(c, &["XGROUP", "CREATE", "s3", "g", "$", "MKSTREAM"]);

    for i in 0..1000 {
        ok(c, &["XADD", "s4", "*", "field", &i.to_string()]);
    }
    ok(c, &["XTRIM", "s4", "MAXLEN", "~", "900"]);

    ok(c, &["XADD", "s5", "1-1", "k", "v"]);
    ok(
        c,
        &[
            "XSETID",
            "s5",
            "9-9",
            "ENTRIESADDED",
            "40",
            "MAXDELETEDID",
            "3-0",
        ],
    );
    vec!["s1", "s2", "s3", "s4", "s5"]
}

/// Where two payloads first differ (for the assertion message).
fn diff_at(a: &[u8], b: &[u8]) -> String {
    let i = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let lo = i.saturating_sub(8);
    format!(
        "lengths {} and {}, first difference at {i}: {:02x?} vs {:02x?}",
        a.len(),
        b.len(),
        &a[lo..(i + 16).min(a.len())],
        &b[lo..(i + 16).min(b.len())]
    )
}

fn dump(c: &mut Conn, k: &str) -> Vec<u8> {
    Reply::parse(&c.cmd(&["DUMP", k])).as_bytes().expect("DUMP")
}

fn xinfo_full(c: &mut Conn, k: &str) -> Vec<u8> {
    c.cmd(&["XINFO", "STREAM", k, "FULL"])
}

#[test]
fn redis_stream_rdb_and_dumps_load_into_oxidis_byte_for_byte() {
    require_redis();
    let redis = Server::redis(&["--enable-debug-command", "yes"]);
    let mut r = redis.connect();
    let keys = build(&mut r);
    ok(&mut r, &["SAVE"]);

    // The file, loaded at start-up.
    let dir = fresh_temp_dir("stream-rdb-in");
    std::fs::copy(redis.dir().join("dump.rdb"), dir.join("dump.rdb")).unwrap();
    let ox = Server::oxidis(&[
        "--dir",
        dir.to_str().unwrap(),
        "--dbfilename",
        "dump.rdb",
        "--enable-debug-command",
        "yes",
    ]);
    let mut o = ox.connect();
    // Payloads compare uncompressed: the node layout is this test's subject
    // (LZF output is the shared compressor's).
    ok(&mut o, &["CONFIG", "SET", "rdbcompression", "no"]);
    assert_eq!(o.cmd(&["DBSIZE"]), b":5\r\n");
    for k in &keys {
        assert_eq!(o.cmd(&["TYPE", k]), b"+stream\r\n", "{k}");
        assert_eq!(o.cmd(&["OBJECT", "ENCODING", k]), b"$6\r\nstream\r\n");
        let (a, b) = (dump(&mut o, k), dump(&mut r, k));
        assert!(a == b, "DUMP of {k}: {}", diff_at(&a, &b));
        assert_eq!(
            o.cmd(&["DEBUG", "DIGEST-VALUE", k]),
            r.cmd(&["DEBUG", "DIGEST-VALUE", k]),
            "digest of {k}"
        );
    }
    assert_eq!(o.cmd(&["DEBUG", "DIGEST"]), r.cmd(&["DEBUG", "DIGEST"]));
    // XINFO once oxidis has it (h5's), as redis answers.
    let probe = o.cmd(&["XINFO", "STREAM", "s1", "FULL"]);
    if !probe.starts_with(b"-ERR unknown") {
        for k in &keys {
            assert_eq!(
                String::from_utf8_lossy(&xinfo_full(&mut o, k)),
                String::from_utf8_lossy(&xinfo_full(&mut r, k)),
                "XINFO STREAM {k} FULL"
            );
        }
    }

    // RESTORE of redis's payloads.
    let ox2 = Server::oxidis(&[]);
    let mut o2 = ox2.connect();
    ok(&mut o2, &["CONFIG", "SET", "rdbcompression", "no"]);
    for k in &keys {
        let p = dump(&mut r, k);
        assert_eq!(
            o2.cmd_bytes(&[b"RESTORE", k.as_bytes(), b"0", &p]),
            b"+OK\r\n"
        );
        assert!(dump(&mut o2, k) == p, "DUMP after RESTORE of {k} differs");
    }

    // oxidis's file, loaded by a fresh redis.
    ok(&mut o, &["SAVE"]);
    let dir2 = fresh_temp_dir("stream-rdb-out");
    std::fs::copy(dir.join("dump.rdb"), dir2.join("dump.rdb")).unwrap();
    let r2 = Server::redis(&["--dir", dir2.to_str().unwrap(), "--dbfilename", "dump.rdb"]);
    let mut c2 = r2.connect();
    ok(&mut c2, &["CONFIG", "SET", "rdbcompression", "no"]);
    for k in &keys {
        assert_eq!(
            String::from_utf8_lossy(&xinfo_full(&mut c2, k)),
            String::from_utf8_lossy(&xinfo_full(&mut r, k)),
            "XINFO STREAM {k} FULL after oxidis's SAVE"
        );
        assert!(dump(&mut c2, k) == dump(&mut r, k));
    }
    let log = r2.log();
    assert!(
        !log.contains("Short read") && !log.contains("Internal error"),
        "{log}"
    );

    // oxidis's DUMP payloads, RESTOREd in redis.
    let r3 = Server::redis(&[]);
    let mut c3 = r3.connect();
    for k in &keys {
        let p = dump(&mut o2, k);
        assert_eq!(
            c3.cmd_bytes(&[b"RESTORE", k.as_bytes(), b"0", &p]),
            b"+OK\r\n"
        );
        assert_eq!(xinfo_full(&mut c3, k), xinfo_full(&mut r, k), "{k}");
    }
}

#[test]
fn redis_dump_of_a_stream_built_in_process_is_redis_bytes() {
    require_redis();
    let redis = Server::redis(&[]);
    let mut r = redis.connect();
    ok(&mut r, &["CONFIG", "SET", "stream-node-max-entries", "7"]);
    ok(&mut r, &["CONFIG", "SET", "stream-node-max-bytes", "300"]);
    ok(&mut r, &["CONFIG", "SET", "rdbcompression", "no"]);
    let lim = NodeLimits {
        max_bytes: 300,
        max_entries: 7,
    };
    let mut s = Stream::new();
    for i in 1..=60u64 {
        let id = StreamId::new(1_700_000_000_000 + i / 4, i % 4);
        let v = if i % 3 == 0 {
            i.to_string()
        } else {
            "v".repeat(i as usize % 40)
        };
        let f: Vec<String> = if i % 7 == 0 {
            vec!["name".into(), v, "n".into(), (i as i64 * -1000).to_string()]
        } else {
            vec!["name".into(), v]
        };
        s.append(id, &f, lim);
        let mut args = vec!["XADD".to_string(), "s".into(), id.to_string()];
        args.extend(f);
        let a: Vec<&str> = args.iter().map(|x| x.as_str()).collect();
        ok(&mut r, &a);
    }
    for i in [5u64, 6, 7, 8, 30, 59] {
        let id = StreamId::new(1_700_000_000_000 + i / 4, i % 4);
        assert!(s.delete(id));
        ok(&mut r, &["XDEL", "s", &id.to_string()]);
    }
    assert_eq!(s.trim(Trim::MaxLen(40), false, 0), 14);
    ok(&mut r, &["XTRIM", "s", "MAXLEN", "40"]);
    let e = Entry::new(b"s", Value::Obj(Object::Stream(s.clone())), None);
    let (a, b) = (rdb::dump_payload_with(&e, false), dump(&mut r, "s"));
    assert!(a == b, "after XADD/XDEL/XTRIM: {}", diff_at(&a, &b));
    let cut = StreamId::new(1_700_000_000_009, 2);
    s.trim(Trim::MinId(cut), true, 700);
    ok(&mut r, &["XTRIM", "s", "MINID", "~", &cut.to_string()]);
    s.trim(Trim::MinId(cut), false, 0);
    ok(&mut r, &["XTRIM", "s", "MINID", &cut.to_string()]);
    let e = Entry::new(b"s", Value::Obj(Object::Stream(s)), None);
    let (a, b) = (rdb::dump_payload_with(&e, false), dump(&mut r, "s"));
    assert!(a == b, "after MINID trims: {}", diff_at(&a, &b));
}
