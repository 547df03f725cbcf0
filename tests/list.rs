//! List tests the corpus cannot express: 100k-element lists built by pipelined
//! pushes, node-size changes through CONFIG SET list-max-listpack-size, and
//! OBJECT ENCODING, each reply compared with redis-server's.

mod common;

use common::{Conn, Reply, Server};

/// The same commands against oxidis and redis-server.
struct Pair {
    ox: Conn,
    redis: Conn,
    _servers: Vec<Server>,
}

impl Pair {
    fn new() -> Pair {
        let ox_srv = Server::oxidis(&[]);
        let redis_srv = Server::redis(&[]);
        Pair {
            ox: ox_srv.connect(),
            redis: redis_srv.connect(),
            _servers: vec![ox_srv, redis_srv],
        }
    }

    /// Runs one command on both; the raw replies must be equal. Returns oxidis's.
    fn cmd(&mut self, args: &[&str]) -> Vec<u8> {
        let a = self.ox.cmd(args);
        let b = self.redis.cmd(args);
        assert_eq!(
            common::escape(&a),
            common::escape(&b),
            "oxidis vs redis for {args:?}"
        );
        a
    }

    /// Sends many commands pipelined, then compares every reply.
    fn pipeline(&mut self, cmds: &[Vec<String>]) {
        for conn in [&mut self.ox, &mut self.redis] {
            let mut buf = Vec::new();
            for c in cmds {
                let args: Vec<&[u8]> = c.iter().map(|s| s.as_bytes()).collect();
                buf.extend_from_slice(&Conn::encode(&args));
            }
            conn.send_raw(&buf);
        }
        for c in cmds {
            let a = self.ox.read_reply();
            let b = self.redis.read_reply();
            assert_eq!(common::escape(&a), common::escape(&b), "reply to {c:?}");
        }
    }
}

fn int(raw: &[u8]) -> i64 {
    match Reply::parse(raw) {
        Reply::Int(v) => v,
        other => panic!("expected an integer, got {other:?}"),
    }
}

/// Pushes `n` elements named `member:i` onto `key` in batches.
fn fill_list(p: &mut Pair, key: &str, n: usize, batch: usize) {
    let mut cmds = Vec::new();
    let mut i = 0;
    while i < n {
        let mut c = vec!["RPUSH".to_string(), key.to_string()];
        for j in i..(i + batch).min(n) {
            c.push(format!("member:{j}"));
        }
        i += batch;
        cmds.push(c);
    }
    p.pipeline(&cmds);
}

#[test]
fn hundred_thousand_elements_as_redis() {
    let mut p = Pair::new();
    fill_list(&mut p, "big", 100_000, 1000);
    assert_eq!(int(&p.cmd(&["LLEN", "big"])), 100_000);
    for i in [
        "0", "1", "545", "546", "50000", "99999", "-1", "-50001", "100000",
    ] {
        p.cmd(&["LINDEX", "big", i]);
    }
    p.cmd(&["LRANGE", "big", "49990", "50010"]);
    p.cmd(&["LRANGE", "big", "-20", "-1"]);
    p.cmd(&["LPOS", "big", "member:99998"]);
    p.cmd(&["LPOS", "big", "member:5", "RANK", "-1"]);
    p.cmd(&["LPOS", "big", "member:7", "MAXLEN", "5"]);
    p.cmd(&["LINSERT", "big", "AFTER", "member:50000", "inserted"]);
    p.cmd(&["LINSERT", "big", "BEFORE", "member:0", "first"]);
    p.cmd(&["LINDEX", "big", "50002"]);
    p.cmd(&["LSET", "big", "70000", &"x".repeat(9000)]);
    p.cmd(&["LINDEX", "big", "70000"]);
    p.cmd(&["LREM", "big", "0", "inserted"]);
    p.cmd(&["LTRIM", "big", "100", "-100"]);
    p.cmd(&["LLEN", "big"]);
    p.cmd(&["LPOP", "big", "1000"]);
    p.cmd(&["RPOP", "big", "1000"]);
    for _ in 0..100 {
        p.cmd(&["LMOVE", "big", "big", "LEFT", "RIGHT"]);
        p.cmd(&["RPOPLPUSH", "big", "other"]);
    }
    p.cmd(&["LRANGE", "big", "0", "5"]);
    p.cmd(&["LRANGE", "other", "0", "5"]);
    p.cmd(&["LMPOP", "2", "nosuch", "big", "RIGHT", "COUNT", "500"]);
    p.cmd(&["LLEN", "big"]);
    // Empty it by a big LTRIM, then by pops.
    p.cmd(&["LTRIM", "big", "5", "2"]);
    p.cmd(&["EXISTS", "big"]);
    fill_list(&mut p, "big", 20_000, 500);
    p.cmd(&["LPOP", "big", "30000"]);
    p.cmd(&["EXISTS", "big"]);
}

#[test]
fn node_size_config_changes_as_redis() {
    let mut p = Pair::new();
    for (i, fill) in ["-1", "-2", "-5", "-6", "1", "2", "100", "0", "40000"]
        .iter()
        .enumerate()
    {
        p.cmd(&["CONFIG", "SET", "list-max-listpack-size", fill]);
        p.cmd(&["CONFIG", "GET", "list-max-listpack-size"]);
        let key = format!("l{i}");
        fill_list(&mut p, &key, 3000, 100);
        p.cmd(&["LINSERT", &key, "AFTER", "member:1500", &"y".repeat(5000)]);
        p.cmd(&["LINSERT", &key, "BEFORE", "member:10", "z"]);
        p.cmd(&["LSET", &key, "2000", &"w".repeat(3000)]);
        p.cmd(&["LREM", &key, "-2", "z"]);
        p.cmd(&["LRANGE", &key, "1495", "1505"]);
        p.cmd(&["LRANGE", &key, "1995", "2005"]);
        p.cmd(&["LPOS", &key, "member:2999"]);
        p.cmd(&["LTRIM", &key, "1", "-2"]);
        p.cmd(&["LINDEX", &key, "-1"]);
        p.cmd(&["LLEN", &key]);
        // A list keeps the node size it was created with; pushing after the
        // config changes again must still work.
        p.cmd(&["CONFIG", "SET", "list-max-listpack-size", "-2"]);
        p.cmd(&["RPUSH", &key, "after-config-change"]);
        p.cmd(&["LRANGE", &key, "-3", "-1"]);
    }
}

#[test]
fn object_encoding_matches_redis_7_0() {
    let mut p = Pair::new();
    // Redis 7.0 answers `quicklist` for every list, one element or a million.
    p.cmd(&["RPUSH", "small", "a"]);
    p.cmd(&["OBJECT", "ENCODING", "small"]);
    fill_list(&mut p, "many", 2000, 100);
    p.cmd(&["OBJECT", "ENCODING", "many"]);
    p.cmd(&["RPUSH", "long", &"v".repeat(10_000)]);
    p.cmd(&["OBJECT", "ENCODING", "long"]);
    p.cmd(&["LTRIM", "many", "0", "0"]);
    p.cmd(&["OBJECT", "ENCODING", "many"]);
    p.cmd(&["CONFIG", "SET", "list-max-listpack-size", "1"]);
    p.cmd(&["RPUSH", "tiny", "a", "b", "c"]);
    p.cmd(&["OBJECT", "ENCODING", "tiny"]);
}
