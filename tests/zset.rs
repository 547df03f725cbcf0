//! Sorted-set commands, the parts the differential corpus cannot see: the
//! dirty counter (what a save point and propagation count), keyspace hits and
//! misses, and client-side caching invalidations, each compared with
//! redis-server over the same command sequence.

mod common;

use common::{info_field, require_redis, Conn, Server};

/// Every command that reads or writes a sorted set, with its error paths and
/// the ones that change nothing.
const SCRIPT: &[&[&str]] = &[
    &["ZADD", "z", "1", "a", "2", "b", "3", "c"],
    &["ZADD", "z", "1", "a"],
    &["ZADD", "z", "CH", "5", "a", "6", "d"],
    &["ZADD", "z", "NX", "9", "a"],
    &["ZADD", "z", "XX", "9", "nosuch"],
    &["ZADD", "z", "GT", "0", "a"],
    &["ZADD", "z", "INCR", "1", "a"],
    &["ZADD", "z", "INCR", "0", "a"],
    &["ZADD", "z", "INCR", "inf", "a"],
    &["ZADD", "z", "INCR", "-inf", "a"],
    &["ZADD", "z", "nan", "a"],
    &["ZINCRBY", "z", "1", "b"],
    &["ZINCRBY", "z", "0", "b"],
    &["ZREM", "z", "nosuch"],
    &["ZREM", "z", "d", "nosuch"],
    &["ZCARD", "z"],
    &["ZCARD", "nokey"],
    &["ZSCORE", "z", "a"],
    &["ZSCORE", "nokey", "a"],
    &["ZMSCORE", "z", "a", "b"],
    &["ZMSCORE", "nokey", "a"],
    &["ZRANK", "z", "b"],
    &["ZREVRANK", "nokey", "b"],
    &["ZCOUNT", "z", "-inf", "inf"],
    &["ZLEXCOUNT", "nokey", "-", "+"],
    &["ZRANGE", "z", "0", "-1"],
    &["ZRANGE", "nokey", "0", "-1"],
    &["ZRANGEBYSCORE", "z", "0", "10"],
    &["ZREVRANGEBYLEX", "nokey", "+", "-"],
    &["ZRANGESTORE", "dst", "z", "0", "1"],
    &["ZRANGESTORE", "dst", "z", "5", "6"],
    &["ZRANGESTORE", "dst", "z", "5", "6"],
    &["ZRANGESTORE", "dst", "nokey", "0", "-1"],
    &["ZRANDMEMBER", "z"],
    &["ZRANDMEMBER", "nokey", "3"],
    &["ZSCAN", "z", "0"],
    &["ZSCAN", "nokey", "0"],
    &["ZREMRANGEBYSCORE", "z", "100", "200"],
    &["ZREMRANGEBYRANK", "z", "0", "0"],
    &["ZADD", "z", "1", "x", "2", "y", "3", "w"],
    // Lex ranges are defined on members of one score.
    &["ZADD", "lx", "0", "x", "0", "y", "0", "w"],
    &["ZREMRANGEBYLEX", "lx", "[x", "[y"],
    &["ZREMRANGEBYLEX", "lx", "[x", "[y"],
    &["ZPOPMIN", "z"],
    &["ZPOPMAX", "z", "0"],
    &["ZPOPMAX", "z", "2"],
    &["ZPOPMIN", "nokey"],
    &["ZMPOP", "2", "nokey", "z", "MIN", "COUNT", "10"],
    &["ZMPOP", "1", "nokey", "MIN"],
    &["ZADD", "z", "1", "a", "2", "b"],
    &["BZPOPMIN", "z", "0"],
    &["BZMPOP", "0", "1", "z", "MAX", "COUNT", "3"],
    &["SET", "str", "v"],
    &["ZADD", "str", "1", "a"],
    &["ZSCORE", "str", "a"],
    &["ZRANGE", "str", "0", "-1"],
    &["ZPOPMIN", "str"],
];

/// (reply, dirty, keyspace hits, keyspace misses) after each command.
fn run(srv: &Server) -> Vec<String> {
    let mut c = srv.connect();
    let mut out = Vec::new();
    let counter = |c: &mut Conn, section: &str, field: &str| -> i64 {
        info_field(c, section, field).trim().parse().unwrap()
    };
    let base = counter(&mut c, "persistence", "rdb_changes_since_last_save");
    for args in SCRIPT {
        let reply = c.cmd(args);
        // ZRANDMEMBER / ZSCAN replies are random or hash-ordered: their shape only.
        let reply = if args[0].starts_with("ZRAND") {
            format!("{}", !reply.is_empty())
        } else {
            common::escape(&reply)
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
    let ox = run(&Server::oxidis(&[]));
    let rd = run(&Server::redis(&[]));
    for (o, r) in ox.iter().zip(&rd) {
        assert_eq!(o, r, "oxidis (left) and redis (right) differ");
    }
    assert_eq!(ox.len(), rd.len());
}

/// A RESP3 client tracks `z` (read with ZSCORE); writes that change nothing
/// send no invalidation, writes that change it send one, as in Redis.
fn tracking_transcript(srv: &Server) -> Vec<String> {
    let mut t = srv.connect();
    let mut w = srv.connect();
    let mut out = Vec::new();
    assert!(!common::Reply::parse(&t.cmd(&["HELLO", "3"])).is_error());
    w.cmd(&["ZADD", "z", "1", "a", "2", "b"]);
    t.cmd(&["CLIENT", "TRACKING", "on"]);
    let noops: &[&[&str]] = &[
        &["ZADD", "z", "1", "a"],
        &["ZADD", "z", "NX", "5", "a"],
        &["ZADD", "z", "GT", "0", "a"],
        &["ZINCRBY", "z", "0", "a"],
        &["ZREM", "z", "nosuch"],
        &["ZREMRANGEBYSCORE", "z", "10", "20"],
        &["ZREMRANGEBYRANK", "z", "5", "6"],
        &["ZREMRANGEBYLEX", "z", "[x", "[y"],
        &["ZPOPMIN", "z", "0"],
    ];
    let changes: &[&[&str]] = &[
        &["ZADD", "z", "3", "c"],
        &["ZINCRBY", "z", "1", "a"],
        &["ZREM", "z", "c"],
        &["ZPOPMAX", "z"],
        &["ZRANGESTORE", "z", "nosuch", "0", "-1"],
    ];
    for (i, args) in noops.iter().chain(changes).enumerate() {
        // Read to (re)arm tracking of z, then write from the other client.
        let read = t.cmd(&["ZSCORE", "z", "a"]);
        w.cmd(args);
        // A PING round trip: an invalidation, if any, arrives before its reply.
        let (got, _) = {
            t.send(&[b"PING"]);
            let mut got = Vec::new();
            loop {
                let r = t.read_reply();
                if r == b"+PONG\r\n" {
                    break;
                }
                got.push(common::escape(&r));
            }
            (got, ())
        };
        out.push(format!(
            "{i} {args:?} read={} pushes={got:?}",
            common::escape(&read)
        ));
    }
    out
}

#[test]
fn tracking_invalidates_only_on_change_as_redis() {
    require_redis();
    let ox = tracking_transcript(&Server::oxidis(&[]));
    let rd = tracking_transcript(&Server::redis(&[]));
    assert_eq!(ox, rd, "oxidis (left) and redis (right) differ");
    // The five changes (and only they) were invalidated.
    let pushed = ox.iter().filter(|l| l.contains("invalidate")).count();
    assert_eq!(pushed, 5, "{ox:#?}");
}
