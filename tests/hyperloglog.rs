//! HyperLogLog against redis-server 7.0, differential: the same commands go to
//! a fresh oxidis and a fresh redis-server and the raw replies must be equal,
//! GET of every HLL included, so the stored bytes (header, cached cardinality,
//! sparse opcodes, dense registers) are compared, not just the counts.
//!
//! - growth: 0..100k elements added in steps, with GET and PFCOUNT at every
//!   step, through the sparse encoding, the promotion and the dense one, for
//!   several `hll-sparse-max-bytes`;
//! - PFMERGE and PFCOUNT of several keys over sparse and dense HLLs;
//! - a fuzzer: HLLs corrupted at random bytes (as Redis's own suite does) or
//!   made of random bytes behind a valid header, then PFCOUNT, PFADD, PFMERGE
//!   and PFDEBUG on them; the servers must answer alike and survive;
//! - the dirty counter (`rdb_changes_since_last_save`) and keyspace hits and
//!   misses agree, as they decide propagation;
//! - a redis-server replica of oxidis ends up with the master's bytes (PFCOUNT's cache
//!   write and PFDEBUG TODENSE are propagated).

mod common;

use common::rng::{fuzz_seed, Rng};
use common::{escape, info_field, Conn, Server};

/// One oxidis and one redis-server started with the same arguments.
struct Pair {
    _servers: (Server, Server),
    ox: Conn,
    re: Conn,
}

impl Pair {
    fn new(extra: &[&str]) -> Pair {
        let re = Server::redis(extra);
        let ox = Server::oxidis(extra);
        Pair {
            ox: ox.connect(),
            re: re.connect(),
            _servers: (ox, re),
        }
    }

    /// Sends `args` to both; the replies must be byte-identical.
    fn both(&mut self, args: &[&[u8]]) -> Vec<u8> {
        let a = self.ox.cmd_bytes(args);
        let b = self.re.cmd_bytes(args);
        if a != b {
            let cmd: Vec<String> = args.iter().map(|a| escape(a)).collect();
            let cut = |r: &[u8]| escape(&r[..r.len().min(400)]);
            // What the first key holds now, for the replay.
            let key = args.get(1).copied().unwrap_or_default();
            let va = self.ox.cmd_bytes(&[b"GET", key]);
            let vb = self.re.cmd_bytes(&[b"GET", key]);
            panic!(
                "{}\n oxidis: {}\n redis:  {}\n value at oxidis: {}\n value at redis:  {}",
                cmd.join(" "),
                cut(&a),
                cut(&b),
                escape(&va),
                escape(&vb)
            );
        }
        a
    }

    fn cmd(&mut self, args: &[&str]) -> Vec<u8> {
        let v: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.both(&v)
    }

    /// Sends the same pipeline to both and compares every reply.
    fn pipeline(&mut self, cmds: &[Vec<Vec<u8>>]) {
        let mut raw = Vec::new();
        for c in cmds {
            let v: Vec<&[u8]> = c.iter().map(|a| &a[..]).collect();
            raw.extend_from_slice(&Conn::encode(&v));
        }
        self.ox.send_raw(&raw);
        self.re.send_raw(&raw);
        for c in cmds {
            let a = self.ox.read_reply();
            let b = self.re.read_reply();
            assert_eq!(
                escape(&a),
                escape(&b),
                "{}",
                escape(&c.concat()[..c.concat().len().min(200)])
            );
        }
    }

    /// The counters that decide propagation and keyspace stats agree.
    fn same_stats(&mut self) {
        for (section, field) in [
            ("persistence", "rdb_changes_since_last_save"),
            ("stats", "keyspace_hits"),
            ("stats", "keyspace_misses"),
        ] {
            let a = info_field(&mut self.ox, section, field);
            let b = info_field(&mut self.re, section, field);
            assert_eq!(a, b, "INFO {field}");
        }
    }
}

fn args(v: &[&[u8]]) -> Vec<Vec<u8>> {
    v.iter().map(|a| a.to_vec()).collect()
}

/// PFADD of elements `from..to` named `prefix{i}`.
fn pfadd(key: &str, prefix: &str, from: usize, to: usize) -> Vec<Vec<u8>> {
    let mut v = vec![b"PFADD".to_vec(), key.as_bytes().to_vec()];
    v.extend((from..to).map(|i| format!("{prefix}{i}").into_bytes()));
    v
}

/// Adds 0..`total` in growing steps, comparing the bytes and the count (and so
/// the cache write) after each step.
fn grow(p: &mut Pair, key: &str, total: usize) {
    let mut n = 0;
    let mut step = 1;
    while n < total {
        let to = (n + step).min(total);
        p.pipeline(&[
            pfadd(key, "el-", n, to),
            args(&[b"GET", key.as_bytes()]),
            args(&[b"PFCOUNT", key.as_bytes()]),
            args(&[b"GET", key.as_bytes()]),
            args(&[b"PFDEBUG", b"ENCODING", key.as_bytes()]),
        ]);
        n = to;
        // One at a time through the sparse range, then ever larger batches.
        if n > 200 {
            step = (step + n / 40).min(2000);
        }
    }
}

#[test]
fn hll_growth_matches_redis_default_sparse_max() {
    let mut p = Pair::new(&[]);
    grow(&mut p, "h", 100_000);
    p.cmd(&["PFDEBUG", "DECODE", "h"]);
    p.cmd(&["PFDEBUG", "GETREG", "h"]);
    p.same_stats();
}

#[test]
fn hll_growth_matches_redis_other_sparse_max() {
    for max in ["0", "100", "700", "12000"] {
        let mut p = Pair::new(&["--hll-sparse-max-bytes", max]);
        grow(&mut p, "h", 20_000);
        p.same_stats();
    }
}

#[test]
fn hll_merge_matches_redis() {
    let mut p = Pair::new(&[]);
    let sizes = [0usize, 1, 10, 100, 1000, 2500, 20_000];
    let mut keys = Vec::new();
    for (i, &n) in sizes.iter().enumerate() {
        let k = format!("s{i}");
        p.pipeline(&[pfadd(&k, &format!("m{i}-"), 0, n)]);
        keys.push(k);
    }
    // Dense copies of the sparse ones.
    for i in 0..sizes.len() {
        let (s, d) = (format!("s{i}"), format!("d{i}"));
        p.cmd(&["PFMERGE", &d, &s]);
        p.cmd(&["PFDEBUG", "TODENSE", &d]);
        keys.push(d);
    }
    keys.push("missing".into());
    for a in &keys {
        for b in &keys {
            p.cmd(&["PFCOUNT", a, b]);
            p.cmd(&["DEL", "dest"]);
            p.cmd(&["PFMERGE", "dest", a, b]);
            p.cmd(&["GET", "dest"]);
            p.cmd(&["PFCOUNT", "dest"]);
            // The destination is a source too, dense or sparse already.
            p.cmd(&["COPY", a, "dest2", "REPLACE"]);
            p.cmd(&["PFMERGE", "dest2", b]);
            p.cmd(&["GET", "dest2"]);
            p.cmd(&["PFDEBUG", "ENCODING", "dest2"]);
        }
    }
    let mut all = vec!["PFCOUNT"];
    all.extend(keys.iter().map(String::as_str));
    p.cmd(&all);
    all[0] = "PFMERGE";
    p.cmd(&all);
    p.cmd(&["GET", &keys[0]]);
    p.same_stats();
}

/// Whether a GET reply holds a sparse HLL whose last opcode is an `XZERO`
/// cut after its first byte.
fn ends_in_truncated_xzero(reply: &[u8]) -> bool {
    let Some(start) = reply.iter().position(|&b| b == b'\n') else {
        return false;
    };
    let v = &reply[start + 1..reply.len().saturating_sub(2).max(start + 1)];
    if v.len() < 17 || &v[..4] != b"HYLL" || v[4] != 1 {
        return false;
    }
    let mut p = 16;
    while p < v.len() {
        p += if v[p] & 0xc0 == 0x40 { 2 } else { 1 };
    }
    p > v.len()
}

/// A random HLL, then a few of its bytes replaced, or random bytes behind a
/// valid header; then random commands on it. Replies, the bytes left behind
/// and the counters must agree; neither server may die.
#[test]
fn hll_corruption_fuzz_matches_redis() {
    let mut rng = Rng::new(fuzz_seed(0x4811));
    let mut p = Pair::new(&[]);
    p.pipeline(&[pfadd("good", "g-", 0, 50)]);
    p.pipeline(&[pfadd("gooddense", "gd-", 0, 5000)]);
    for round in 0..1500 {
        p.cmd(&["DEL", "hll"]);
        match rng.below(4) {
            0 | 1 => {
                let big = rng.chance(20);
                let n = rng.below(if big { 3000 } else { 300 }) as usize;
                p.pipeline(&[pfadd("hll", &format!("r{round}-"), 0, n)]);
                for _ in 0..1 + rng.below(5) {
                    let len: usize = String::from_utf8_lossy(&p.cmd(&["STRLEN", "hll"])[1..])
                        .trim()
                        .parse()
                        .unwrap();
                    let pos = rng.below(len as u64).to_string();
                    let byte = [rng.next() as u8];
                    p.both(&[b"SETRANGE", b"hll", pos.as_bytes(), &byte]);
                    if rng.chance(50) {
                        break;
                    }
                }
            }
            2 => {
                let dense = rng.chance(30);
                let mut v = b"HYLL".to_vec();
                v.push(if dense { 0 } else { 1 });
                v.extend_from_slice(&[0, 0, 0]);
                v.extend_from_slice(&rng.bytes(8));
                let n = if dense { 12288 } else { rng.below(40) as usize };
                v.extend_from_slice(&rng.bytes(n));
                p.both(&[b"SET", b"hll", &v]);
            }
            _ => {
                // Plausible sparse opcodes: runs that may or may not add up.
                let mut v = b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80".to_vec();
                for _ in 0..rng.below(12) {
                    match rng.below(3) {
                        0 => v.push(rng.below(64) as u8),
                        1 => {
                            v.push(0x40 | rng.below(64) as u8);
                            v.push(rng.next() as u8);
                        }
                        _ => v.push(0x80 | rng.below(128) as u8),
                    }
                }
                p.both(&[b"SET", b"hll", &v]);
            }
        }
        for _ in 0..1 + rng.below(3) {
            let e = format!("x{}", rng.next());
            match rng.below(10) {
                0 | 1 => {
                    p.cmd(&["PFCOUNT", "hll"]);
                }
                2 => {
                    p.cmd(&["PFCOUNT", "hll", "good"]);
                }
                3 | 4 => {
                    p.cmd(&["PFADD", "hll", &e, "y", "z"]);
                }
                5 => {
                    p.cmd(&["PFMERGE", "hll", "gooddense"]);
                }
                6 => {
                    p.cmd(&["DEL", "dest"]);
                    p.cmd(&["PFMERGE", "dest", "good", "hll"]);
                    p.cmd(&["GET", "dest"]);
                }
                7 => {
                    let sub = *rng.pick(&["GETREG", "DECODE", "ENCODING", "TODENSE"]);
                    p.cmd(&["PFDEBUG", sub, "hll"]);
                }
                _ => {
                    p.cmd(&["PFMERGE", "hll"]);
                }
            }
            let v = p.cmd(&["GET", "hll"]);
            if ends_in_truncated_xzero(&v) {
                // Redis may now hold a byte past the end that its next
                // command reads; oxidis does not keep it between commands
                // (see db/hll/sparse.rs).
                break;
            }
        }
        if round % 100 == 0 {
            p.same_stats();
        }
    }
    p.cmd(&["PING"]);
    p.same_stats();
}

/// PFCOUNT's cache write and PFDEBUG's conversion reach a replica (a
/// redis-server following oxidis): its bytes end up equal to the master's.
#[test]
fn hll_writes_propagate_to_a_redis_replica() {
    let master = Server::oxidis(&[]);
    let port = master.port.to_string();
    let replica = Server::redis(&["--replicaof", "127.0.0.1", &port]);
    let mut m = master.connect();
    let mut r = replica.connect();
    common::wait_for_condition("replica linked", || {
        String::from_utf8_lossy(&r.cmd(&["INFO", "replication"])).contains("master_link_status:up")
    });
    m.cmd(&["PFADD", "h", "a", "b", "c"]);
    m.cmd(&["PFCOUNT", "h"]);
    m.cmd(&["PFADD", "d", "x"]);
    m.cmd(&["PFDEBUG", "TODENSE", "d"]);
    m.cmd(&["PFMERGE", "e", "h", "d"]);
    m.cmd(&["PFCOUNT", "e"]);
    m.cmd(&["PFADD", "h", "a"]);
    m.cmd(&["PFCOUNT", "e", "h"]);
    let offset = info_field(&mut m, "replication", "master_repl_offset");
    common::wait_for_condition("replica caught up", || {
        info_field(&mut r, "replication", "slave_repl_offset") == offset
    });
    for k in ["h", "d", "e"] {
        assert_eq!(m.cmd(&["GET", k]), r.cmd(&["GET", k]), "key {k}");
    }
    // Dense, and the cached count written back.
    assert_eq!(r.cmd(&["GETRANGE", "d", "4", "4"]), b"$1\r\n\0\r\n");
    assert_eq!(
        r.cmd(&["GETRANGE", "h", "8", "15"]),
        b"$8\r\n\x03\0\0\0\0\0\0\0\r\n"
    );
}
