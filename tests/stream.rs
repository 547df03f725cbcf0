//! Stream commands (XADD, XRANGE, XREAD, XREADGROUP ...) beyond what the
//! differential corpora check line by line: blocking reads played as
//! multi-client scenarios against oxidis and a real redis-server (every reply,
//! in the order read, byte-identical), and the propagation of XADD, XTRIM and
//! XREADGROUP seen by a replica attached with SYNC. Every wait is on
//! observable state (INFO blocked_clients), never on a sleep.

mod common;

use common::scenario::differential;
use common::{Conn, Server};

/// The commands whose INFO commandstats the scenarios compare.
const BLOCKING: &[&str] = &["xread", "xreadgroup"];

#[test]
fn xadd_wakes_xread_on_an_existing_and_a_new_stream_as_redis() {
    differential("stream-wake", |s| {
        s.cmd(2, &["XADD", "a", "1-1", "f", "v"]);
        // `$` is the last ID when the client blocks.
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "a", "$"]);
        s.cmd(2, &["XADD", "a", "2-1", "f", "w"]);
        s.read(1);
        // A key created by XADD wakes its reader too.
        s.send(
            1,
            &["XREAD", "BLOCK", "0", "STREAMS", "nokey", "a", "$", "$"],
        );
        s.cmd(2, &["XADD", "nokey", "5-5", "x", "y"]);
        s.read(1);
        // An ID in the future waits until the stream passes it.
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "a", "10-0"]);
        s.cmd(2, &["XADD", "a", "3-0", "f", "1"]);
        s.quiet(1);
        s.cmd(2, &["XADD", "a", "10-1", "f", "2"]);
        s.read(1);
        s.blocking_stats(2, BLOCKING);
    });
}

#[test]
fn several_readers_are_served_in_order_with_their_counts_as_redis() {
    differential("stream-fifo", |s| {
        s.cmd(9, &["XADD", "a", "1-1", "f", "v"]);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "a", "$"]);
        s.send(
            2,
            &["XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "a", "$"],
        );
        s.send(3, &["XREAD", "BLOCK", "0", "STREAMS", "b", "a", "$", "1-1"]);
        s.send(4, &["XREAD", "BLOCK", "0", "STREAMS", "a", "99-0"]);
        s.cmd(9, &["MULTI"]);
        s.cmd(9, &["XADD", "a", "2-1", "f", "1"]);
        s.cmd(9, &["XADD", "a", "2-2", "f", "2"]);
        s.cmd(9, &["XADD", "b", "2-3", "f", "3"]);
        s.cmd(9, &["EXEC"]);
        s.read(1);
        s.read(2);
        s.read(3);
        s.quiet(4);
        s.cmd(9, &["XADD", "a", "100-0", "f", "4"]);
        s.read(4);
    });
}

#[test]
fn xread_timeouts_multi_and_client_unblock_as_redis() {
    differential("stream-timeout", |s| {
        s.cmd(2, &["XADD", "a", "1-1", "f", "v"]);
        s.send(1, &["XREAD", "BLOCK", "50", "STREAMS", "a", "$"]);
        s.read(1);
        s.cmd(1, &["MULTI"]);
        s.cmd(1, &["XREAD", "BLOCK", "0", "STREAMS", "a", "$"]);
        s.cmd(1, &["EXEC"]);
        let id = String::from_utf8(s.conn(1).cmd(&["CLIENT", "ID"])).unwrap();
        let id = id.trim_start_matches(':').trim_end().to_string();
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "a", "$"]);
        s.cmd(2, &["CLIENT", "UNBLOCK", &id, "TIMEOUT"]);
        s.read(1);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "a", "$"]);
        s.cmd(2, &["CLIENT", "UNBLOCK", &id, "ERROR"]);
        s.read(1);
        s.blocking_stats(2, BLOCKING);
    });
}

#[test]
fn xread_waits_on_through_deletion_type_change_and_flush_as_redis() {
    differential("stream-delete", |s| {
        s.cmd(2, &["XADD", "a", "1-1", "f", "v"]);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "a", "$"]);
        s.cmd(2, &["DEL", "a"]);
        s.quiet(1);
        s.cmd(2, &["SET", "a", "x"]);
        s.quiet(1);
        s.cmd(2, &["DEL", "a"]);
        s.cmd(2, &["LPUSH", "a", "x"]);
        s.quiet(1);
        s.cmd(2, &["FLUSHALL"]);
        s.quiet(1);
        // The ID it waits for is the one `$` stood for: 1-1.
        s.cmd(2, &["XADD", "a", "1-2", "f", "v"]);
        s.read(1);
    });
}

#[test]
fn a_disconnected_reader_leaves_the_queue_as_redis() {
    differential("stream-disconnect", |s| {
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "a", "0"]);
        s.send(2, &["XREAD", "BLOCK", "0", "STREAMS", "a", "0"]);
        s.close(1);
        s.wait_blocked(1);
        s.cmd(3, &["XADD", "a", "1-1", "f", "v"]);
        s.read(2);
    });
}

/// Reads everything a SYNC replica gets after its RDB, until `want` appears.
fn replica_stream(repl: &mut Conn, want: &str) -> String {
    let mut got = String::new();
    common::wait_for_condition(&format!("{want:?} in the replication stream"), || {
        let (b, _) = repl.read_until_quiet(
            std::time::Duration::from_millis(20),
            std::time::Duration::from_millis(200),
        );
        got.push_str(&String::from_utf8_lossy(&b));
        got.contains(want)
    });
    got
}

/// A replica's view: SYNC, then skip the RDB payload.
fn attach_replica(srv: &Server) -> Conn {
    let mut r = srv.connect();
    r.send(&[b"SYNC"]);
    // "$<len>\r\n<rdb>" (possibly preceded by newlines while it is produced).
    let _ = r.read_until_quiet(
        std::time::Duration::from_millis(200),
        std::time::Duration::from_secs(5),
    );
    r
}

/// The commands of a RESP stream as space-joined lines.
fn commands(stream: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = stream.split("\r\n").peekable();
    while let Some(l) = lines.next() {
        let Some(n) = l.strip_prefix('*').and_then(|n| n.parse::<usize>().ok()) else {
            continue;
        };
        let mut args = Vec::new();
        for _ in 0..n {
            lines.next();
            args.push(lines.next().unwrap_or("").to_string());
        }
        out.push(args.join(" "));
    }
    out
}

#[test]
fn xadd_and_xtrim_propagate_their_exact_effect() {
    let srv = Server::oxidis(&["--stream-node-max-entries", "4"]);
    let mut c = srv.connect();
    let mut r = attach_replica(&srv);
    let id = String::from_utf8(c.cmd(&["XADD", "s", "*", "f", "v"])).unwrap();
    let id = id.lines().nth(1).unwrap().to_string();
    c.cmd(&["XADD", "s2", "5-*", "f", "v"]);
    for i in 1..=10 {
        c.cmd(&["XADD", "t", &format!("{i}-1"), "f", "v"]);
    }
    c.cmd(&["XADD", "t", "MAXLEN", "~", "5", "11-1", "f", "v"]);
    c.cmd(&["XTRIM", "t", "MINID", "~", "9"]);
    c.cmd(&["XTRIM", "t", "MAXLEN", "=", "2"]);
    c.cmd(&[
        "XADD", "t", "MAXLEN", "~", "100", "LIMIT", "10", "12-1", "f", "v",
    ]);
    c.cmd(&["SET", "done", "1"]);
    let got = commands(&replica_stream(&mut r, "done"));
    let len_after = String::from_utf8(c.cmd(&["XLEN", "t"])).unwrap();
    assert!(got.contains(&format!("XADD s {id} f v")), "{got:?}");
    assert!(got.contains(&"XADD s2 5-0 f v".to_string()), "{got:?}");
    assert!(
        got.iter()
            .any(|l| l.starts_with("XADD t MAXLEN = ") && l.ends_with(" 11-1 f v")),
        "{got:?}"
    );
    assert!(got.contains(&"XTRIM t MAXLEN = 2".to_string()), "{got:?}");
    assert!(
        got.contains(&"XADD t MAXLEN = 3 LIMIT 10 12-1 f v".to_string()),
        "{got:?} {len_after}"
    );
}
#[test]
fn xreadgroup_blocks_and_delivers_to_consumers_in_order_as_redis() {
    differential("stream-group", |s| {
        s.cmd(9, &["XGROUP", "CREATE", "a", "g", "$", "MKSTREAM"]);
        s.cmd(9, &["XGROUP", "CREATE", "a", "h", "$"]);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c1",
                "BLOCK",
                "0",
                "STREAMS",
                "a",
                ">",
            ],
        );
        s.send(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c2",
                "COUNT",
                "1",
                "BLOCK",
                "0",
                "STREAMS",
                "a",
                ">",
            ],
        );
        s.send(
            3,
            &[
                "XREADGROUP",
                "GROUP",
                "h",
                "c1",
                "BLOCK",
                "0",
                "NOACK",
                "STREAMS",
                "a",
                ">",
            ],
        );
        s.send(4, &["XREAD", "BLOCK", "0", "STREAMS", "a", "$"]);
        s.cmd(9, &["XADD", "a", "1-1", "f", "1"]);
        s.read(1);
        s.read(3);
        s.read(4);
        s.quiet(2);
        s.cmd(9, &["XADD", "a", "1-2", "f", "2"]);
        s.read(2);
        s.cmd(9, &["XPENDING", "a", "g"]);
        s.cmd(9, &["XPENDING", "a", "h"]);
        s.cmd(9, &["XINFO", "GROUPS", "a"]);
        // History: the consumer's own pending entries.
        s.cmd(1, &["XREADGROUP", "GROUP", "g", "c1", "STREAMS", "a", "0"]);
        s.cmd(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c2",
                "BLOCK",
                "0",
                "STREAMS",
                "a",
                "0",
            ],
        );
        s.cmd(9, &["XDEL", "a", "1-2"]);
        s.cmd(2, &["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "a", "0"]);
        s.blocking_stats(9, BLOCKING);
    });
}

#[test]
fn xreadgroup_is_told_when_its_key_or_group_goes_as_redis() {
    differential("stream-group-gone", |s| {
        s.cmd(9, &["XGROUP", "CREATE", "a", "g", "$", "MKSTREAM"]);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "a",
                ">",
            ],
        );
        s.send(2, &["XREAD", "BLOCK", "0", "STREAMS", "a", "$"]);
        s.cmd(9, &["DEL", "a"]);
        s.read(1);
        s.quiet(2);
        s.cmd(9, &["XGROUP", "CREATE", "a", "g", "$", "MKSTREAM"]);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "a",
                ">",
            ],
        );
        s.cmd(9, &["SET", "a", "x"]);
        s.read(1);
        s.cmd(9, &["DEL", "a"]);
        s.cmd(9, &["XGROUP", "CREATE", "a", "g", "$", "MKSTREAM"]);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "a",
                ">",
            ],
        );
        s.cmd(9, &["XGROUP", "DESTROY", "a", "g"]);
        s.read(1);
        s.cmd(9, &["XGROUP", "CREATE", "a", "g", "$"]);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "a",
                ">",
            ],
        );
        s.cmd(9, &["FLUSHALL"]);
        s.read(1);
        s.cmd(9, &["XGROUP", "CREATE", "a", "g", "$", "MKSTREAM"]);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "a",
                ">",
            ],
        );
        s.cmd(9, &["SWAPDB", "0", "1"]);
        s.read(1);
        // The plain reader still waits for its `$`.
        s.cmd(9, &["XADD", "a", "7-7", "f", "v"]);
        s.read(2);
        s.blocking_stats(9, BLOCKING);
    });
}

#[test]
fn xreadgroup_propagates_as_xclaim_and_setid() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    let mut r = attach_replica(&srv);
    c.cmd(&["XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"]);
    c.cmd(&["XADD", "s", "1-1", "f", "v"]);
    c.cmd(&["XADD", "s", "1-2", "f", "v"]);
    c.cmd(&["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"]);
    c.cmd(&["XADD", "s", "1-3", "f", "v"]);
    c.cmd(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "bob",
        "NOACK",
        "STREAMS",
        "s",
        ">",
    ]);
    // A history read changes nothing a replica needs.
    c.cmd(&["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0"]);
    c.cmd(&["SET", "done", "1"]);
    let got = commands(&replica_stream(&mut r, "done"));
    let claims: Vec<&String> = got.iter().filter(|l| l.starts_with("XCLAIM")).collect();
    assert_eq!(claims.len(), 2, "{got:?}");
    assert!(
        claims[0].starts_with("XCLAIM s g alice 0 1-1 TIME "),
        "{got:?}"
    );
    assert!(
        claims[0].ends_with(" RETRYCOUNT 1 FORCE JUSTID LASTID 1-1"),
        "{got:?}"
    );
    assert!(
        claims[1].ends_with(" RETRYCOUNT 1 FORCE JUSTID LASTID 1-2"),
        "{got:?}"
    );
    assert!(
        got.contains(&"XGROUP CREATECONSUMER s g bob".to_string()),
        "{got:?}"
    );
    assert!(
        got.contains(&"XGROUP SETID s g 1-3 ENTRIESREAD 3".to_string()),
        "{got:?}"
    );
    assert!(!got.iter().any(|l| l.starts_with("XREADGROUP")), "{got:?}");
    // XREADGROUP with claims goes out as one MULTI/EXEC unit.
    assert!(got.contains(&"MULTI".to_string()), "{got:?}");
}
