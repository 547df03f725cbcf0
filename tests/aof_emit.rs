//! The commands-format AOF base (`aof-use-rdb-preamble no`, src/persist/aof/emit.rs):
//! a dataset of every type and encoding is written as commands, the commands
//! replayed into an empty server rebuild it (equal DEBUG DIGEST, equal stream
//! metadata), and the commands per key are what Redis 7.0's BGREWRITEAOF writes
//! for the same data (as multisets where Redis's order is a hash order). The
//! AOF directory with such a base loads back into oxidis (DEBUG LOADAOF, a
//! restart) and into redis-server 7.0, and redis-check-aof calls it valid.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{info_field, wait_for_condition, Conn, Reply, Server};

/// Commands that build one key of every type and encoding, in two dbs, with
/// TTLs, aggregates of more than 64 items, and streams with deletions, groups,
/// pending entries and consumers without any.
fn dataset() -> Vec<Vec<String>> {
    let mut v: Vec<Vec<String>> = Vec::new();
    let mut add = |args: &[&str]| v.push(args.iter().map(|s| s.to_string()).collect());
    add(&["SET", "str:int", "12345"]);
    add(&["SET", "str:neg", "-9223372036854775808"]);
    add(&["SET", "str:emb", "hello"]);
    add(&["SET", "str:raw", &"r".repeat(100)]);
    add(&["SET", "str:big", &"b".repeat(20000)]);
    add(&["SET", "str:bin", "a\r\nb\0c"]);
    add(&["SET", "str:empty", ""]);
    add(&["SET", "str:ttl", "v", "PX", "100000000"]);
    add(&["RPUSH", "list:small", "a", "1", "-2", "bb"]);
    add(&["SET", "str:append", "x"]);
    add(&["APPEND", "str:append", "yz"]);
    let long: Vec<String> = (0..300).map(|i| format!("e{i}")).collect();
    let mut cmd = vec!["RPUSH", "list:long"];
    cmd.extend(long.iter().map(|s| s.as_str()));
    add(&cmd);
    add(&["RPUSH", "list:plain", &"p".repeat(10000), "q"]);
    add(&["LPUSH", "list:ttl", "x", "y"]);
    add(&["PEXPIRE", "list:ttl", "50000000"]);
    add(&["SADD", "set:int", "3", "1", "2", "-7"]);
    let ints: Vec<String> = (0..200).map(|i| (i * 7).to_string()).collect();
    let mut cmd = vec!["SADD", "set:intlong"];
    cmd.extend(ints.iter().map(|s| s.as_str()));
    add(&cmd);
    add(&["SADD", "set:str", "a", "b", "c"]);
    let strs: Vec<String> = (0..200).map(|i| format!("m{i}")).collect();
    let mut cmd = vec!["SADD", "set:table"];
    cmd.extend(strs.iter().map(|s| s.as_str()));
    add(&cmd);
    add(&[
        "ZADD",
        "zset:lp",
        "1.1",
        "a",
        "2",
        "b",
        "-0.5",
        "c",
        "inf",
        "top",
        "-inf",
        "bottom",
        "1e300",
        "huge",
        "12345678901234567",
        "big",
    ]);
    let mut pairs = Vec::new();
    for i in 0..200 {
        pairs.push(format!("{}", i as f64 / 3.0));
        pairs.push(format!("z{i}"));
    }
    let mut cmd = vec!["ZADD", "zset:skip"];
    cmd.extend(pairs.iter().map(|s| s.as_str()));
    add(&cmd);
    add(&["HSET", "hash:lp", "f", "v", "n", "12", "e", ""]);
    let mut fv = Vec::new();
    for i in 0..200 {
        fv.push(format!("f{i}"));
        fv.push(format!("v{i}"));
    }
    let mut cmd = vec!["HSET", "hash:table"];
    cmd.extend(fv.iter().map(|s| s.as_str()));
    add(&cmd);
    add(&["HSET", "hash:longval", "f", &"w".repeat(100)]);
    add(&["PEXPIREAT", "hash:longval", "4102444800000"]);
    // Streams.
    for i in 1..=150 {
        let id = format!("{i}-{}", i % 3);
        add(&[
            "XADD",
            "stream:big",
            &id,
            "field",
            &format!("v{i}"),
            "n",
            &i.to_string(),
        ]);
    }
    add(&["XADD", "stream:big", "151-0", "other", "shape"]);
    add(&["XDEL", "stream:big", "5-2", "150-0"]);
    add(&["XGROUP", "CREATE", "stream:big", "g1", "0"]);
    add(&[
        "XGROUP",
        "CREATE",
        "stream:big",
        "g2",
        "$",
        "ENTRIESREAD",
        "3",
    ]);
    add(&["XGROUP", "CREATE", "stream:big", "g0", "10-1"]);
    add(&[
        "XREADGROUP",
        "GROUP",
        "g1",
        "alice",
        "COUNT",
        "5",
        "STREAMS",
        "stream:big",
        ">",
    ]);
    add(&[
        "XREADGROUP",
        "GROUP",
        "g1",
        "bob",
        "COUNT",
        "3",
        "STREAMS",
        "stream:big",
        ">",
    ]);
    add(&[
        "XREADGROUP",
        "GROUP",
        "g1",
        "bob",
        "COUNT",
        "1",
        "STREAMS",
        "stream:big",
        "0",
    ]);
    add(&["XGROUP", "CREATECONSUMER", "stream:big", "g1", "carol"]);
    add(&["XGROUP", "CREATECONSUMER", "stream:big", "g2", "dave"]);
    add(&["XACK", "stream:big", "g1", "2-2"]);
    add(&["XADD", "stream:empty", "5-5", "a", "b"]);
    add(&["XDEL", "stream:empty", "5-5"]);
    add(&["XADD", "stream:maxlen", "MAXLEN", "0", "7-1", "x", "y"]);
    add(&["XGROUP", "CREATE", "stream:maxlen", "g", "$"]);
    add(&["XGROUP", "CREATE", "stream:mk", "g", "$", "MKSTREAM"]);
    add(&["XGROUP", "CREATECONSUMER", "stream:mk", "g", "idle"]);
    add(&["XADD", "stream:setid", "1-1", "a", "1"]);
    add(&[
        "XSETID",
        "stream:setid",
        "99-9",
        "ENTRIESADDED",
        "42",
        "MAXDELETEDID",
        "50-0",
    ]);
    add(&["PEXPIRE", "stream:setid", "90000000"]);
    // Another db.
    add(&["SELECT", "5"]);
    add(&["SET", "db5:str", "in five"]);
    add(&["RPUSH", "db5:list", "x"]);
    add(&["SELECT", "0"]);
    v
}

fn populate(c: &mut Conn) {
    for cmd in dataset() {
        let args: Vec<&[u8]> = cmd.iter().map(|s| s.as_bytes()).collect();
        let r = c.cmd_bytes(&args);
        assert!(
            !r.starts_with(b"-"),
            "{cmd:?}: {}",
            String::from_utf8_lossy(&r)
        );
    }
}

/// The base file the manifest in `dir`/appendonlydir names, once it exists.
fn base_file(dir: &Path) -> Option<Vec<u8>> {
    let adir = dir.join("appendonlydir");
    let m = std::fs::read_to_string(adir.join("appendonly.aof.manifest")).ok()?;
    let line = m.lines().find(|l| l.ends_with(" type b"))?;
    let name = line.split(' ').nth(1)?;
    std::fs::read(adir.join(name)).ok()
}

/// The commands of an AOF file (annotation lines skipped).
fn parse_commands(mut b: &[u8]) -> Vec<Vec<Vec<u8>>> {
    fn line<'a>(b: &mut &'a [u8]) -> &'a [u8] {
        let p = b.windows(2).position(|w| w == b"\r\n").expect("CRLF");
        let l = &b[..p];
        *b = &b[p + 2..];
        l
    }
    let mut out = Vec::new();
    while !b.is_empty() {
        if b[0] == b'#' {
            line(&mut b);
            continue;
        }
        let l = line(&mut b);
        assert_eq!(l[0], b'*', "a multibulk");
        let n: usize = std::str::from_utf8(&l[1..]).unwrap().parse().unwrap();
        let mut args = Vec::with_capacity(n);
        for _ in 0..n {
            let l = line(&mut b);
            assert_eq!(l[0], b'$');
            let len: usize = std::str::from_utf8(&l[1..]).unwrap().parse().unwrap();
            args.push(b[..len].to_vec());
            assert_eq!(&b[len..len + 2], b"\r\n");
            b = &b[len + 2..];
        }
        out.push(args);
    }
    out
}

/// Turns the AOF on with a commands-format base and returns that base.
fn rewrite_as_commands(dir: &Path, c: &mut Conn) -> Vec<u8> {
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "aof-use-rdb-preamble", "no"]),
        b"+OK\r\n"
    );
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "yes"]), b"+OK\r\n");
    let mut base = None;
    wait_for_condition("the base file", || {
        base = base_file(dir).filter(|b| !b.is_empty());
        base.is_some() && info_field(c, "persistence", "aof_rewrite_in_progress") == "0"
    });
    base.unwrap()
}

/// Sends every command of `aof` to `c`; each must succeed.
fn replay(c: &mut Conn, aof: &[u8]) {
    for cmd in parse_commands(aof) {
        let args: Vec<&[u8]> = cmd.iter().map(|a| a.as_slice()).collect();
        let r = c.cmd_bytes(&args);
        assert!(
            !r.starts_with(b"-"),
            "{}: {}",
            String::from_utf8_lossy(&cmd[0]),
            String::from_utf8_lossy(&r)
        );
    }
}

/// XINFO STREAM FULL with the consumers' seen-time masked (the replay's
/// XCLAIMs make it "now", as in Redis).
fn stream_full(c: &mut Conn, key: &str) -> String {
    fn mask(r: &Reply) -> Reply {
        match r {
            Reply::Array(items) => {
                let mut out = Vec::new();
                let mut i = 0;
                while i < items.len() {
                    out.push(mask(&items[i]));
                    if items[i] == Reply::Bulk(b"seen-time".to_vec()) && i + 1 < items.len() {
                        out.push(Reply::Int(0));
                        i += 1;
                    }
                    i += 1;
                }
                Reply::Array(out)
            }
            other => other.clone(),
        }
    }
    let r = c.cmd_reply(&["XINFO", "STREAM", key, "FULL"]);
    format!("{:?}", mask(&r))
}

fn stream_keys() -> Vec<&'static str> {
    vec![
        "stream:big",
        "stream:empty",
        "stream:maxlen",
        "stream:mk",
        "stream:setid",
    ]
}

const DEBUG: &[&str] = &["--enable-debug-command", "yes"];

fn digest(c: &mut Conn) -> Vec<u8> {
    let d = c.cmd(&["DEBUG", "DIGEST"]);
    assert!(
        d.len() == 43 && d[0] == b'+',
        "{}",
        String::from_utf8_lossy(&d)
    );
    d
}

/// Every key's DUMP, PTTL and the stream metadata: what must survive a replay.
fn assert_same_data(a: &mut Conn, b: &mut Conn) {
    assert_eq!(digest(a), digest(b), "DEBUG DIGEST");
    for db in ["0", "5"] {
        a.cmd(&["SELECT", db]);
        b.cmd(&["SELECT", db]);
        assert_eq!(a.cmd(&["DBSIZE"]), b.cmd(&["DBSIZE"]), "DBSIZE of db {db}");
    }
    a.cmd(&["SELECT", "0"]);
    b.cmd(&["SELECT", "0"]);
    for k in stream_keys() {
        assert_eq!(
            stream_full(a, k),
            stream_full(b, k),
            "XINFO STREAM {k} FULL"
        );
    }
    for k in ["str:ttl", "list:ttl", "hash:longval", "stream:setid"] {
        let (ta, tb) = (a.cmd(&["PEXPIRETIME", k]), b.cmd(&["PEXPIRETIME", k]));
        assert_eq!(ta, tb, "PEXPIRETIME {k}");
        assert!(!ta.starts_with(b":-"), "{k} has a TTL");
    }
}

#[test]
fn commands_base_replays_to_equal_dataset() {
    let src = Server::oxidis(DEBUG);
    let mut a = src.connect();
    populate(&mut a);
    // A key that has expired (not yet reclaimed) is left out of the file.
    assert_eq!(a.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]), b"+OK\r\n");
    a.cmd(&["SET", "gone", "v", "PX", "1"]);
    let mut pttl = Vec::new();
    wait_for_condition("gone to expire", || {
        pttl = a.cmd(&["PTTL", "gone"]);
        pttl == b":-2\r\n"
    });
    let aof = rewrite_as_commands(src.dir(), &mut a);
    let cmds = parse_commands(&aof);
    assert!(cmds
        .iter()
        .all(|c| c.get(1).map(|k| k.as_slice()) != Some(b"gone")));
    assert_eq!(cmds[0], vec![b"SELECT".to_vec(), b"0".to_vec()]);
    assert!(
        cmds.iter().all(|c| c.len() <= 2 + 2 * 64),
        "64 items per command"
    );
    assert_eq!(
        cmds.iter().filter(|c| c[0] == b"SELECT").count(),
        2,
        "one SELECT per non-empty db"
    );

    let dst = Server::oxidis(DEBUG);
    let mut b = dst.connect();
    replay(&mut b, &aof);
    assert_same_data(&mut a, &mut b);
}

#[test]
fn commands_base_timestamp_annotation() {
    let src = Server::oxidis(&["--aof-timestamp-enabled", "yes"]);
    let mut a = src.connect();
    a.cmd(&["SET", "k", "v"]);
    let aof = rewrite_as_commands(src.dir(), &mut a);
    assert!(
        aof.starts_with(b"#TS:"),
        "{}",
        String::from_utf8_lossy(&aof)
    );
    assert_eq!(parse_commands(&aof).len(), 2);
}

/// One command's arguments.
type Cmd = Vec<Vec<u8>>;

/// Commands per (db, key), in file order.
fn per_key(aof: &[u8]) -> BTreeMap<(Vec<u8>, Vec<u8>), Vec<Cmd>> {
    let mut db = b"0".to_vec();
    let mut out: BTreeMap<_, Vec<_>> = BTreeMap::new();
    for cmd in parse_commands(aof) {
        if cmd[0] == b"SELECT" {
            db = cmd[1].clone();
            continue;
        }
        // XGROUP's key is its third argument.
        let key = if cmd[0] == b"XGROUP" {
            cmd[2].clone()
        } else {
            cmd[1].clone()
        };
        out.entry((db.clone(), key)).or_default().push(cmd);
    }
    out
}

/// A key's commands with the items of hash-ordered encodings sorted: the
/// command names and sizes, then the items as a multiset.
fn normalized(cmds: &[Vec<Vec<u8>>], hash_order: bool) -> Vec<Vec<Vec<u8>>> {
    if !hash_order {
        return cmds.to_vec();
    }
    let mut shapes: Vec<Vec<u8>> = cmds
        .iter()
        .map(|c| format!("{} {}", String::from_utf8_lossy(&c[0]), c.len()).into_bytes())
        .collect();
    shapes.sort();
    let mut items: Vec<Vec<Vec<u8>>> = Vec::new();
    for c in cmds {
        let width = if c[0] == b"SADD" { 1 } else { 2 };
        for it in c[2..].chunks(width) {
            items.push(it.to_vec());
        }
    }
    items.sort();
    let mut out = vec![shapes];
    out.extend(items);
    out
}

#[test]
fn commands_base_matches_redis_bgrewriteaof_redis() {
    let redis = Server::redis(&[
        "--appendonly",
        "yes",
        "--aof-use-rdb-preamble",
        "no",
        "--enable-debug-command",
        "yes",
    ]);
    let mut r = redis.connect();
    populate(&mut r);
    // The same values, byte for byte (pending entries' delivery times too):
    // each key moved over with DUMP / RESTORE ABSTTL.
    let ox = Server::oxidis(DEBUG);
    let mut o = ox.connect();
    let mut hash_order = BTreeMap::new();
    for db in ["0", "5"] {
        r.cmd(&["SELECT", db]);
        o.cmd(&["SELECT", db]);
        let keys = r.cmd_reply(&["KEYS", "*"]);
        for k in keys.elements().unwrap() {
            let k = k.as_bytes().unwrap();
            let dump = Reply::parse(&r.cmd_bytes(&[b"DUMP", &k]));
            let at = String::from_utf8_lossy(&r.cmd_bytes(&[b"PEXPIRETIME", &k])).into_owned();
            let at = at.trim_start_matches(':').trim().to_string();
            let ttl = if at == "-1" { "0".to_string() } else { at };
            let res = o.cmd_bytes(&[
                b"RESTORE",
                &k,
                ttl.as_bytes(),
                &dump.as_bytes().unwrap(),
                b"ABSTTL",
            ]);
            assert_eq!(res, b"+OK\r\n", "RESTORE {}", String::from_utf8_lossy(&k));
            let enc = r.cmd_bytes(&[b"OBJECT", b"ENCODING", &k]);
            let hashed = enc.ends_with(b"hashtable\r\n") || enc.ends_with(b"skiplist\r\n");
            hash_order.insert((db.as_bytes().to_vec(), k.clone()), hashed);
        }
    }
    r.cmd(&["SELECT", "0"]);
    o.cmd(&["SELECT", "0"]);
    assert_eq!(
        digest(&mut r),
        digest(&mut o),
        "DEBUG DIGEST before the rewrite"
    );

    assert_eq!(
        r.cmd(&["BGREWRITEAOF"]),
        b"+Background append only file rewriting started\r\n"
    );
    let mut theirs = None;
    wait_for_condition("Redis's rewrite", || {
        info_field(&mut r, "persistence", "aof_rewrite_in_progress") == "0"
            && info_field(&mut r, "persistence", "aof_rewrites") == "1"
            && {
                theirs = base_file(redis.dir()).filter(|b| !b.is_empty());
                theirs.is_some()
            }
    });
    let theirs = theirs.unwrap();
    let ours = rewrite_as_commands(ox.dir(), &mut o);

    let (a, b) = (per_key(&theirs), per_key(&ours));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same keys"
    );
    assert_eq!(a.len(), hash_order.len(), "every key is in Redis's file");
    assert!(hash_order.values().filter(|&&h| h).count() >= 3);
    let claims = a.values().flatten().filter(|c| c[0] == b"XCLAIM").count();
    assert_eq!(claims, 7, "XCLAIM per pending entry");
    for (k, cmds) in &a {
        let h = hash_order.get(k).copied().unwrap_or(false);
        assert_eq!(
            normalized(cmds, h),
            normalized(&b[k], h),
            "the commands of {}",
            String::from_utf8_lossy(&k.1)
        );
    }

    // Each side's file rebuilds the data on the other server.
    let fresh_o = Server::oxidis(DEBUG);
    let mut fo = fresh_o.connect();
    replay(&mut fo, &theirs);
    assert_same_data(&mut o, &mut fo);
    let fresh_r = Server::redis(DEBUG);
    let mut fr = fresh_r.connect();
    replay(&mut fr, &ours);
    assert_same_data(&mut r, &mut fr);
}

/// Stops `srv` with SHUTDOWN NOSAVE and waits for it to exit.
fn shutdown(mut srv: Server) {
    let mut c = srv.connect();
    c.send(&[b"SHUTDOWN", b"NOSAVE"]);
    common::wait_for_exit(&mut srv);
}

/// The commands base, with writes after it in the incr file, is what oxidis
/// loads back: by DEBUG LOADAOF and at a restart with appendonly yes.
#[test]
fn commands_base_loads_back() {
    let dir = common::fresh_temp_dir("aof-emit");
    let dir_s = dir.to_str().unwrap();
    let src = Server::oxidis(&["--dir", dir_s, "--enable-debug-command", "yes"]);
    let mut a = src.connect();
    populate(&mut a);
    rewrite_as_commands(&dir, &mut a);
    a.cmd(&["CONFIG", "SET", "appendfsync", "always"]);
    assert_eq!(a.cmd(&["SET", "after", "rewrite"]), b"+OK\r\n");
    a.cmd(&["XADD", "stream:big", "200-0", "late", "1"]);
    let want = digest(&mut a);
    let want_stream = stream_full(&mut a, "stream:big");
    assert_eq!(a.cmd(&["DEBUG", "LOADAOF"]), b"+OK\r\n");
    assert_eq!(digest(&mut a), want, "after DEBUG LOADAOF");
    assert_eq!(stream_full(&mut a, "stream:big"), want_stream);

    shutdown(src);
    let again = Server::oxidis(&[
        "--dir",
        dir_s,
        "--appendonly",
        "yes",
        "--enable-debug-command",
        "yes",
    ]);
    let mut b = again.connect();
    assert_eq!(digest(&mut b), want, "after a restart");
    assert_eq!(stream_full(&mut b, "stream:big"), want_stream);
    drop(again);
    let _ = std::fs::remove_dir_all(&dir);
}

/// redis-server 7.0 loads oxidis's commands-format AOF directory, and
/// redis-check-aof calls its base valid.
#[test]
fn commands_base_loads_in_redis() {
    let dir = common::fresh_temp_dir("aof-emit");
    let dir_s = dir.to_str().unwrap();
    let src = Server::oxidis(&["--dir", dir_s, "--enable-debug-command", "yes"]);
    let mut a = src.connect();
    populate(&mut a);
    rewrite_as_commands(&dir, &mut a);
    a.cmd(&["CONFIG", "SET", "appendfsync", "always"]);
    a.cmd(&["SET", "after", "rewrite"]);
    let want = digest(&mut a);
    let want_stream = stream_full(&mut a, "stream:big");
    shutdown(src);

    let check = common::require_in_path("redis-check-aof");
    let manifest = dir.join("appendonlydir/appendonly.aof.manifest");
    let (code, out, err) = common::run_with_timeout(
        std::process::Command::new(check).arg(&manifest),
        std::time::Duration::from_secs(30),
    );
    assert_eq!(code, Some(0), "redis-check-aof: {out}{err}");
    assert!(out.contains("is valid"), "{out}");

    let r = Server::redis(&[
        "--dir",
        dir_s,
        "--appendonly",
        "yes",
        "--enable-debug-command",
        "yes",
    ]);
    let mut c = r.connect();
    assert_eq!(digest(&mut c), want, "Redis's DEBUG DIGEST of oxidis's AOF");
    assert_eq!(stream_full(&mut c, "stream:big"), want_stream);
    drop(r);
    let _ = std::fs::remove_dir_all(&dir);
}
