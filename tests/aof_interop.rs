//! The AOF between oxidis and Redis 7.0, both ways:
//!
//! - the AOF directory oxidis writes (manifest, RDB or commands base, incr
//!   files, `#TS` annotations) loads into redis-server 7.0 with the same
//!   DEBUG DIGEST and the same stream groups, and `redis-check-aof` says each
//!   file and the manifest are valid;
//! - the directory redis-server writes (before and after a BGREWRITEAOF, with
//!   and without the RDB preamble) loads into oxidis with the same digest;
//! - an old single `appendonly.aof` (Redis <= 6, with and without an RDB
//!   preamble) is loaded and upgraded by both into the same directory.
//!
//! The workload is a mix of commands whose propagated form differs from what
//! the client sent (SET EX, EXPIRE, INCRBYFLOAT, GETEX, BLPOP, SPOP, the
//! stream group commands, ...), MULTI/EXEC, several dbs, SWAPDB, MOVE, COPY
//! and big values, so the AOF carries the propagated stream, not the input.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::{
    fresh_temp_dir, info_field, redis_bin, require_in_path, split_args, Conn, Reply, Server,
};

/// One command per line; `#` lines are comments. Every reply must not be an
/// error.
const WORKLOAD: &str = r#"
SET s:plain hello
SET s:ex v EX 1000
SET s:px v PX 900000
SET s:keepttl v1 EX 500
SET s:keepttl v2 KEEPTTL
SETEX s:setex 800 v
PSETEX s:psetex 800000 v
SETNX s:nx v
MSET s:m1 a s:m2 b s:m3 "\x00bin\xff"
APPEND s:plain " world"
SET s:n 10
INCR s:n
INCRBY s:n 5
DECRBY s:n 3
INCRBYFLOAT s:f 1.5
INCRBYFLOAT s:f 0.25
SETRANGE s:range 5 abc
GETSET s:getset new
SET s:gone x
GETDEL s:gone
SET s:getex v
GETEX s:getex EX 700
SET s:persist v EX 100
GETEX s:persist PERSIST
SET s:expire v
EXPIRE s:expire 600
PEXPIRE s:m1 600000
EXPIREAT s:m2 4102444800
SET s:neg v
EXPIRE s:neg -1
SETBIT b:bits 7 1
SETBIT b:bits 100 1
BITOP OR b:or b:bits s:plain
BITFIELD b:field SET u8 0 200 INCRBY u8 0 100
RPUSH l:a 1 2 3 4 5 6 7 8
LPUSH l:a 0 -1
LINSERT l:a BEFORE 3 2.5
LSET l:a 0 first
LREM l:a 1 7
LTRIM l:a 0 8
LPOP l:a
RPOP l:a 2
RPOPLPUSH l:a l:b
LMOVE l:a l:b LEFT RIGHT
BLPOP l:b 1
BLMOVE l:a l:c RIGHT LEFT 1
HSET h:a f1 v1 f2 v2 n 5 fl 1.5
HSETNX h:a f3 v3
HINCRBY h:a n 10
HINCRBYFLOAT h:a fl 2.25
HDEL h:a f2
SADD z:set a b c d e
SREM z:set e
SMOVE z:set z:set2 d
SADD z:one only
SPOP z:one
SADD z:s1 1 2 3
SADD z:s2 2 3 4
SINTERSTORE z:inter z:s1 z:s2
SUNIONSTORE z:union z:s1 z:s2
SDIFFSTORE z:diff z:s1 z:s2
ZADD zs:a 1 a 2 b 3 c 4 d 5 e
ZADD zs:a XX CH 10 a
ZADD zs:a NX 1 a 6 f
ZINCRBY zs:a 2.5 b
ZREM zs:a c
ZPOPMIN zs:a
ZRANGESTORE zs:store zs:a 0 1
ZUNIONSTORE zs:union 2 zs:a zs:store WEIGHTS 1 2
ZREMRANGEBYSCORE zs:union 100 200
BZPOPMAX zs:a 1
PFADD hll:a x y z
PFADD hll:b z w
PFMERGE hll:m hll:a hll:b
GEOADD geo:a 13.361389 38.115556 Palermo 15.087269 37.502669 Catania
GEOSEARCHSTORE geo:store geo:a FROMLONLAT 15 37 BYRADIUS 200 km ASC
XADD x:a 1-1 f v
XADD x:a 1-2 f v2
XADD x:a 2-0 a b c d
XADD x:a * auto yes
XDEL x:a 1-2
XGROUP CREATE x:a g1 0
XGROUP CREATE x:a g2 $
XGROUP CREATECONSUMER x:a g1 lonely
XREADGROUP GROUP g1 alice COUNT 2 STREAMS x:a >
XREADGROUP GROUP g1 bob STREAMS x:a >
XACK x:a g1 1-1
XCLAIM x:a g1 carol 0 2-0
XAUTOCLAIM x:a g1 dave 0 0-0 COUNT 1
XADD x:trim MAXLEN 3 * n 1
XADD x:trim MAXLEN 3 * n 2
XADD x:trim MAXLEN 3 * n 3
XADD x:trim MAXLEN 3 * n 4
XSETID x:trim 99999999999999-0 ENTRIESADDED 10 MAXDELETEDID 5-0
XGROUP CREATE x:empty g $ MKSTREAM
MULTI
SET tx:a 1
INCR tx:a
SELECT 2
SET tx:in2 v
RPUSH tx:l a b
SELECT 0
EXEC
SELECT 1
SET db1:a v
HSET db1:h f v
COPY db1:a db1:copy
COPY db1:a db1:tocopy DB 3
MOVE db1:h 4
SELECT 5
SET db5:a v
SET db5:b v
SWAPDB 5 6
SELECT 7
SET db7:gone v
FLUSHDB
SELECT 0
RENAME s:n s:renamed
RENAMENX s:setex s:setex2
DEL s:m3
UNLINK s:nx
"#;

fn run_line(c: &mut Conn, line: &str) {
    let args = split_args(line.as_bytes()).unwrap_or_else(|e| panic!("{line}: {e}"));
    let a: Vec<&[u8]> = args.iter().map(|v| v.as_slice()).collect();
    let r = c.cmd_bytes(&a);
    assert!(!r.starts_with(b"-"), "{line}: {}", common::escape(&r));
}

/// Runs the workload, plus big values and many small writes.
fn workload(c: &mut Conn) {
    for line in WORKLOAD.lines() {
        let line = line.trim();
        if !line.is_empty() && !line.starts_with('#') {
            run_line(c, line);
        }
    }
    let big = "x".repeat(1 << 20);
    assert_eq!(c.cmd(&["SET", "big:s", &big]), b"+OK\r\n");
    // Pipelined: many commands in one read of the server.
    let mut out = Vec::new();
    for i in 0..5000 {
        let v = i.to_string();
        out.extend(Conn::encode(&[b"RPUSH", b"big:l", v.as_bytes()]));
        out.extend(Conn::encode(&[b"HSET", b"big:h", v.as_bytes(), b"x"]));
    }
    c.send_raw(&out);
    for _ in 0..10_000 {
        assert!(c.read_reply().starts_with(b":"));
    }
}

/// What must be equal on both sides: DEBUG DIGEST, each key's digest (to
/// name the key that differs) and what the digest leaves out of a stream
/// (its groups, PELs and counters).
fn state(c: &mut Conn) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let d = c.cmd(&["DEBUG", "DIGEST"]);
    m.insert("DIGEST".into(), common::escape(&d));
    for db in 0..16 {
        assert_eq!(c.cmd(&["SELECT", &db.to_string()]), b"+OK\r\n");
        let keys = Reply::parse(&c.cmd(&["KEYS", "*"]));
        for k in keys.elements().unwrap_or_default() {
            let k = String::from_utf8_lossy(&k.as_bytes().unwrap()).into_owned();
            let mut v = common::escape(&c.cmd(&["DEBUG", "DIGEST-VALUE", &k]));
            v += &common::escape(&c.cmd(&["PEXPIRETIME", &k]));
            if c.cmd(&["TYPE", &k]) == b"+stream\r\n" {
                v += &common::escape(&c.cmd(&["XINFO", "STREAM", &k]));
                let groups = Reply::parse(&c.cmd(&["XINFO", "GROUPS", &k]));
                for g in groups.elements().unwrap_or_default() {
                    let fields = g.elements().unwrap();
                    // Not entries-read and lag: Redis 7.0 propagates no
                    // entries-read with XREADGROUP's XCLAIM, so its own AOF
                    // does not keep it either.
                    for pair in fields.chunks(2) {
                        let f = pair[0].as_bytes().unwrap();
                        if f != b"entries-read" && f != b"lag" {
                            v += &format!(" {:?}={:?}", pair[0], pair[1]);
                        }
                    }
                    let name = String::from_utf8_lossy(&fields[1].as_bytes().unwrap()).into_owned();
                    let pel = Reply::parse(&c.cmd(&["XPENDING", &k, &name, "-", "+", "1000"]));
                    // ID, consumer and delivery count (the idle time runs on).
                    for e in pel.elements().unwrap_or_default() {
                        let f = e.elements().unwrap();
                        v += &format!(" {:?} {:?} {:?}", f[0], f[1], f[3]);
                    }
                }
            }
            m.insert(format!("{db}/{k}"), v);
        }
    }
    assert_eq!(c.cmd(&["SELECT", "0"]), b"+OK\r\n");
    m
}

fn assert_same_state(got: &BTreeMap<String, String>, want: &BTreeMap<String, String>, what: &str) {
    let keys: std::collections::BTreeSet<&String> = got.keys().chain(want.keys()).collect();
    let diffs: Vec<String> = keys
        .into_iter()
        .filter(|k| got.get(*k) != want.get(*k))
        .map(|k| format!("{k}:\n  got  {:?}\n  want {:?}", got.get(k), want.get(k)))
        .collect();
    assert!(diffs.is_empty(), "{what}:\n{}", diffs.join("\n"));
}

/// Waits until everything the server produced is in the files.
fn wait_aof_written(c: &mut Conn) {
    common::wait_for_condition("INFO aof_buffer_length:0", || {
        info_field(c, "persistence", "aof_buffer_length") == "0"
    });
}

fn wait_rewrite_done(c: &mut Conn) {
    common::wait_for_condition_within("the AOF rewrite to end", Duration::from_secs(30), || {
        info_field(c, "persistence", "aof_rewrite_in_progress") == "0"
            && info_field(c, "persistence", "aof_rewrite_scheduled") == "0"
    });
}

/// `redis-check-aof` on the manifest and on every file it names: each must
/// be valid.
fn check_aof_dir(aofdir: &Path) {
    let tool = require_in_path("redis-check-aof");
    let manifest = aofdir.join("appendonly.aof.manifest");
    let text = std::fs::read_to_string(&manifest).expect("the manifest");
    let mut targets = vec![manifest.clone()];
    for line in text.lines() {
        let name = line.split(' ').nth(1).expect("file name");
        targets.push(aofdir.join(name));
    }
    for t in targets {
        let (code, out, err) =
            common::run_with_timeout(Command::new(&tool).arg(&t), Duration::from_secs(30));
        assert_eq!(
            code,
            Some(0),
            "redis-check-aof {}:\n{out}{err}",
            t.display()
        );
        // An empty file (the base of an empty dataset without the RDB
        // preamble, as Redis writes it too) is "empty", not "valid".
        let empty = std::fs::metadata(&t).unwrap().len() == 0;
        assert!(
            out.contains("is valid") || (empty && out.contains("is empty")),
            "redis-check-aof {}:\n{out}{err}",
            t.display()
        );
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dst = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst);
        } else {
            std::fs::copy(e.path(), dst).unwrap();
        }
    }
}

/// `bin` on `dir` with the AOF on.
fn start_on(bin: &Path, dir: &Path, extra: &[&str]) -> Server {
    let mut args = vec![
        "--dir",
        dir.to_str().unwrap(),
        "--appendonly",
        "yes",
        "--enable-debug-command",
        "yes",
    ];
    args.extend_from_slice(extra);
    Server::start(bin, None, &args)
}

fn redis() -> PathBuf {
    common::require_redis();
    redis_bin().unwrap()
}

/// oxidis writes its AOF with `extra`; redis-server loads a copy of it.
fn oxidis_to_redis(extra: &[&str], rewrite_midway: bool) {
    let redis = redis();
    let dir = fresh_temp_dir("aof-ox");
    let ox = start_on(&common::oxidis_bin(), &dir, extra);
    let mut c = ox.connect();
    if rewrite_midway {
        run_line(&mut c, "SET before:rewrite 1");
        assert!(c
            .cmd(&["BGREWRITEAOF"])
            .starts_with(b"+Background append only file rewriting"));
        wait_rewrite_done(&mut c);
    }
    workload(&mut c);
    wait_aof_written(&mut c);
    let want = state(&mut c);
    drop(c);
    drop(ox); // SIGKILL: the files as a crash leaves them
    let aofdir = dir.join("appendonlydir");
    check_aof_dir(&aofdir);

    let rdir = fresh_temp_dir("aof-ox-in-redis");
    copy_dir(&aofdir, &rdir.join("appendonlydir"));
    let r = start_on(&redis, &rdir, extra);
    let mut rc = r.connect();
    assert_same_state(&state(&mut rc), &want, "redis-server loading oxidis's AOF");
    assert!(
        r.log().contains("DB loaded from append only file"),
        "{}",
        r.log()
    );
    drop(r);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&rdir);
}

#[test]
fn redis_loads_oxidis_aof_with_rdb_preamble_and_always() {
    oxidis_to_redis(&["--appendfsync", "always"], false);
}

#[test]
fn redis_loads_oxidis_aof_without_preamble_with_timestamps() {
    oxidis_to_redis(
        &[
            "--aof-use-rdb-preamble",
            "no",
            "--aof-timestamp-enabled",
            "yes",
        ],
        false,
    );
}

#[test]
fn redis_loads_oxidis_aof_after_a_rewrite() {
    oxidis_to_redis(&[], true);
    oxidis_to_redis(&["--aof-use-rdb-preamble", "no"], true);
}

/// redis-server writes its AOF with `extra`; oxidis loads a copy of it.
fn redis_to_oxidis(extra: &[&str], rewrite_midway: bool) {
    let redis = redis();
    let dir = fresh_temp_dir("aof-redis");
    let r = start_on(&redis, &dir, extra);
    let mut c = r.connect();
    run_line(&mut c, "SET before:rewrite 1");
    if rewrite_midway {
        assert!(c
            .cmd(&["BGREWRITEAOF"])
            .starts_with(b"+Background append only file rewriting"));
        wait_rewrite_done(&mut c);
    }
    workload(&mut c);
    let want = state(&mut c);
    drop(c);
    // SIGKILL: redis-server writes the AOF before it replies.
    drop(r);
    let aofdir = dir.join("appendonlydir");

    let odir = fresh_temp_dir("aof-redis-in-ox");
    copy_dir(&aofdir, &odir.join("appendonlydir"));
    let ox = start_on(&common::oxidis_bin(), &odir, extra);
    let mut oc = ox.connect();
    assert_same_state(&state(&mut oc), &want, "oxidis loading redis-server's AOF");
    drop(ox);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&odir);
}

#[test]
fn oxidis_loads_redis_aof_with_and_without_preamble() {
    redis_to_oxidis(&[], false);
    redis_to_oxidis(&[], true);
    redis_to_oxidis(&["--aof-use-rdb-preamble", "no"], true);
    redis_to_oxidis(&["--aof-timestamp-enabled", "yes"], false);
}

/// An old single appendonly.aof (as Redis <= 6 wrote it: the base of a
/// rewrite, RDB or commands, followed by the commands after it) in `dir`:
/// redis-server and oxidis both load it and upgrade it to the same
/// directory.
fn old_single_file(preamble: &str) {
    let redis = redis();
    let extra = ["--aof-use-rdb-preamble", preamble];
    // Made by redis-server 7.0: its base and incr, concatenated.
    let dir = fresh_temp_dir("aof-old-src");
    let r = start_on(&redis, &dir, &extra);
    let mut c = r.connect();
    run_line(&mut c, "SET before:rewrite 1");
    run_line(&mut c, "RPUSH before:list a b c");
    assert!(c
        .cmd(&["BGREWRITEAOF"])
        .starts_with(b"+Background append only file rewriting"));
    wait_rewrite_done(&mut c);
    workload(&mut c);
    let want = state(&mut c);
    drop(c);
    // SIGKILL: redis-server writes the AOF before it replies.
    drop(r);
    let aofdir = dir.join("appendonlydir");
    let manifest = std::fs::read_to_string(aofdir.join("appendonly.aof.manifest")).unwrap();
    let mut single = Vec::new();
    for line in manifest.lines() {
        let name = line.split(' ').nth(1).unwrap();
        single.extend(std::fs::read(aofdir.join(name)).unwrap());
    }

    let mut layouts = Vec::new();
    for (bin, tag) in [(redis.clone(), "redis"), (common::oxidis_bin(), "oxidis")] {
        let d = fresh_temp_dir("aof-old");
        std::fs::write(d.join("appendonly.aof"), &single).unwrap();
        let srv = start_on(&bin, &d, &extra);
        let mut sc = srv.connect();
        assert_same_state(&state(&mut sc), &want, &format!("{tag} loading an old AOF"));
        let log = srv.log();
        drop(sc);
        drop(srv);
        assert!(
            log.contains("Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir)."),
            "{tag}:\n{log}"
        );
        assert!(
            !d.join("appendonly.aof").exists(),
            "{tag}: the old file stays"
        );
        let upgraded = d.join("appendonlydir");
        let mut names: Vec<String> = std::fs::read_dir(&upgraded)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        let m = std::fs::read_to_string(upgraded.join("appendonly.aof.manifest")).unwrap();
        layouts.push((tag, names, m));
        if tag == "oxidis" {
            check_aof_dir(&upgraded);
        }
        let _ = std::fs::remove_dir_all(&d);
    }
    assert_eq!(layouts[1].1, layouts[0].1, "files after the upgrade");
    assert_eq!(layouts[1].2, layouts[0].2, "manifest after the upgrade");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn old_single_aof_upgrades_in_oxidis_as_in_redis() {
    old_single_file("yes");
    old_single_file("no");
}
