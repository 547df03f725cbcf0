//! RDB interoperability with a real redis-server 7.0:
//!
//! - a dataset built in redis (every string encoding, big and binary values,
//!   expiry, small and large lists, hashes and sets, several databases) is
//!   SAVEd and its dump.rdb loaded in-process with `load_rdb`;
//! - the same dataset built in-process is written with `write_rdb` and loaded
//!   by redis-server at startup;
//! - DUMP / RESTORE and MIGRATE between a running oxidis and redis, both ways,
//!   and RESTORE's error replies compared byte for byte.
//!
//! Each side is compared key by key: type, contents and PEXPIRETIME.

mod common;

use std::collections::hash_map::RandomState;
use std::collections::BTreeMap;

use bytes::Bytes;
use common::{fresh_temp_dir, require_redis, Conn, Reply, Server};
use oxidis::db::hash::Hash;
use oxidis::db::list::{Fill, List};
use oxidis::db::set::Set;
use oxidis::db::{Db, Object, Value, ValueRef};
use oxidis::persist::rdb;

/// (db, key) -> (type, items, pexpiretime or -1). Hash items are `field\0value`;
/// set and hash items are sorted.
type Model = BTreeMap<(usize, Vec<u8>), (String, Vec<Vec<u8>>, i64)>;

/// An absolute expiry far in the future (2100-01-01).
const FAR: i64 = 4_102_444_800_000;

fn rng(s: &mut u64) -> u64 {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    *s
}

fn ok(c: &mut Conn, args: &[&[u8]]) {
    let r = Reply::parse(&c.cmd_bytes(args));
    assert!(
        !r.is_error(),
        "{:?} -> {r:?}",
        String::from_utf8_lossy(args[0])
    );
}

/// Builds the test dataset with commands.
fn build_dataset(c: &mut Conn) {
    let mut s = 0x1234_5678_9abc_def1u64;
    ok(c, &[b"SELECT", b"0"]);
    for (k, v) in [
        ("int8", "-5"),
        ("int16", "300"),
        ("int32", "-70000"),
        ("int64", "5000000000"),
        ("notint", "007"),
        ("embstr", "hello world"),
        ("empty", ""),
    ] {
        ok(c, &[b"SET", k.as_bytes(), v.as_bytes()]);
    }
    ok(c, &[b"SET", b"compressible", "abc".repeat(300).as_bytes()]);
    // Strings of many lengths and alphabets: LZF references near and far, with
    // the compressor's hash table reused from string to string.
    for i in 0..300 {
        let n = 21 + (rng(&mut s) % 3000) as usize;
        let alphabet = 2 + rng(&mut s) % 60;
        let v: Vec<u8> = (0..n)
            .map(|_| b'!' + (rng(&mut s) % alphabet) as u8)
            .collect();
        ok(c, &[b"SET", format!("lzf:{i}").as_bytes(), &v]);
    }
    let random: Vec<u8> = (0..200).map(|_| rng(&mut s) as u8).collect();
    ok(c, &[b"SET", b"random", &random]);
    let big: Vec<u8> = (0..2_000_000u32).map(|i| (i % 251) as u8).collect();
    ok(c, &[b"SET", b"big", &big]);
    ok(c, &[b"SET", b"\x00bin\xffkey\r\n", b"\x00\x01\x02"]);
    ok(
        c,
        &[b"SET", b"ttl", b"v", b"PXAT", FAR.to_string().as_bytes()],
    );
    ok(c, &[b"RPUSH", b"lsmall", b"a", b"1", b"-2", b"b"]);
    for i in 0..20_000 {
        let e = match i % 3 {
            0 => i.to_string(),
            1 => format!("element:{i}"),
            _ => "x".repeat(i % 300),
        };
        ok(c, &[b"RPUSH", b"llarge", e.as_bytes()]);
    }
    ok(c, &[b"RPUSH", b"lhuge", &vec![b'z'; 100_000], b"tail"]);
    ok(c, &[b"PEXPIREAT", b"llarge", FAR.to_string().as_bytes()]);
    ok(
        c,
        &[b"HSET", b"hsmall", b"f1", b"v1", b"n", b"42", b"neg", b"-1"],
    );
    for i in 0..1000 {
        ok(
            c,
            &[
                b"HSET",
                b"hlarge",
                format!("field{i}").as_bytes(),
                i.to_string().as_bytes(),
            ],
        );
    }
    ok(c, &[b"HSET", b"hlongval", b"f", "v".repeat(100).as_bytes()]);
    ok(c, &[b"SADD", b"sint", b"1", b"-3", b"70000", b"5000000000"]);
    for i in 0..1000 {
        ok(c, &[b"SADD", b"sintlarge", i.to_string().as_bytes()]);
        ok(c, &[b"SADD", b"sstrlarge", format!("m{i}").as_bytes()]);
    }
    ok(c, &[b"SADD", b"sstr", b"a", b"b", b"1"]);
    ok(
        c,
        &[
            b"ZADD", b"zsmall", b"1.5", b"a", b"inf", b"b", b"-inf", b"c", b"0.1", b"d", b"-0",
            b"e", b"4e18", b"f", b"42", b"42",
        ],
    );
    for i in 0..300 {
        let sc = format!("{}", f64::from(i % 7) / 3.0);
        ok(
            c,
            &[b"ZADD", b"zbig", sc.as_bytes(), format!("m{i}").as_bytes()],
        );
    }
    ok(c, &[b"ZADD", b"zbig", b"-0", b"negzero", b"-inf", b"ninf"]);
    ok(c, &[b"ZADD", b"zlong", b"1", "x".repeat(100).as_bytes()]);
    ok(c, &[b"SELECT", b"3"]);
    ok(c, &[b"SET", b"in3", b"three"]);
    ok(c, &[b"HSET", b"h3", b"a", b"b"]);
    ok(c, &[b"SELECT", b"15"]);
    ok(c, &[b"RPUSH", b"in15", b"x"]);
    ok(c, &[b"SELECT", b"0"]);
}

fn bulks(r: &Reply) -> Vec<Vec<u8>> {
    r.elements()
        .unwrap_or_else(|| panic!("not an array: {r:?}"))
        .iter()
        .map(|e| e.as_bytes().expect("bulk"))
        .collect()
}

/// Reads every key of a running server through commands.
fn model_via_commands(c: &mut Conn) -> Model {
    let mut m = Model::new();
    for db in 0..16usize {
        ok(c, &[b"SELECT", db.to_string().as_bytes()]);
        let keys = bulks(&Reply::parse(&c.cmd(&["KEYS", "*"])));
        for k in keys {
            let t = Reply::parse(&c.cmd_bytes(&[b"TYPE", &k]));
            let t = String::from_utf8(t.as_bytes().unwrap()).unwrap();
            let mut items = match t.as_str() {
                "string" => vec![Reply::parse(&c.cmd_bytes(&[b"GET", &k]))
                    .as_bytes()
                    .unwrap()],
                "list" => bulks(&Reply::parse(&c.cmd_bytes(&[b"LRANGE", &k, b"0", b"-1"]))),
                "hash" => bulks(&Reply::parse(&c.cmd_bytes(&[b"HGETALL", &k])))
                    .chunks(2)
                    .map(|p| [&p[0][..], b"\0", &p[1][..]].concat())
                    .collect(),
                "set" => bulks(&Reply::parse(&c.cmd_bytes(&[b"SMEMBERS", &k]))),
                "zset" => bulks(&Reply::parse(&c.cmd_bytes(&[
                    b"ZRANGE",
                    &k,
                    b"0",
                    b"-1",
                    b"WITHSCORES",
                ])))
                .chunks(2)
                .map(|p| [&p[0][..], b"\0", &p[1][..]].concat())
                .collect(),
                other => panic!("unexpected type {other}"),
            };
            if t != "list" {
                items.sort();
            }
            let exp = match Reply::parse(&c.cmd_bytes(&[b"PEXPIRETIME", &k])) {
                Reply::Int(v) => v,
                r => panic!("{r:?}"),
            };
            m.insert((db, k), (t, items, exp));
        }
    }
    ok(c, &[b"SELECT", b"0"]);
    m
}

/// Reads every key of in-process databases.
fn model_of(dbs: &mut [Db]) -> Model {
    let mut m = Model::new();
    for d in dbs.iter_mut() {
        let id = d.id;
        d.for_each_live(|e| {
            let (t, mut items) = match e.value() {
                ValueRef::Int(i) => ("string", vec![i.to_string().into_bytes()]),
                ValueRef::Str(s) => ("string", vec![s.to_vec()]),
                ValueRef::Obj(o) => match o {
                    Object::List(l) => ("list", l.iter().map(|x| x.to_bytes().to_vec()).collect()),
                    Object::Hash(h) => (
                        "hash",
                        h.iter().map(|(f, v)| [f, b"\0", v].concat()).collect(),
                    ),
                    Object::Set(s) => ("set", s.iter().map(|x| x.to_vec()).collect()),
                    Object::Zset(z) => (
                        "zset",
                        z.iter()
                            .map(|(m, s)| {
                                [
                                    &m[..],
                                    b"\0",
                                    oxidis::util::number::format_double(s).as_bytes(),
                                ]
                                .concat()
                            })
                            .collect(),
                    ),
                    Object::Stream(st) => (
                        "stream",
                        st.iter_range(Default::default(), oxidis::db::stream::StreamId::MAX, false)
                            .map(|(id, f)| [id.to_bytes(), f.to_vec().concat()].concat())
                            .collect(),
                    ),
                },
            };
            if t != "list" && t != "stream" {
                items.sort();
            }
            m.insert(
                (id, e.key().to_vec()),
                (t.to_string(), items, e.expire().unwrap_or(-1)),
            );
        });
    }
    m
}

fn new_dbs() -> Vec<Db> {
    let h = RandomState::new();
    (0..16).map(|i| Db::new(i, h.clone())).collect()
}

/// In-process databases holding a model's keys.
fn dbs_from_model(m: &Model) -> Vec<Db> {
    let mut dbs = new_dbs();
    for ((db, key), (t, items, exp)) in m {
        let v = match t.as_str() {
            "string" => Value::string(Bytes::from(items[0].clone())),
            "list" => {
                let mut l = List::new(Fill::default());
                items.iter().for_each(|i| l.push_back(i));
                Value::Obj(Object::List(l))
            }
            "hash" => {
                let mut h = Hash::new();
                for i in items {
                    let z = i.iter().position(|&b| b == 0).unwrap();
                    h.set(&i[..z], &i[z + 1..], &Default::default());
                }
                Value::Obj(Object::Hash(h))
            }
            "zset" => {
                let mut z = oxidis::db::zset::Zset::new();
                let lim = oxidis::db::zset::ZsetLimits::default();
                for i in items {
                    let p = i.iter().position(|&b| b == 0).unwrap();
                    let sc = oxidis::util::number::parse_f64(&i[p + 1..]).unwrap();
                    z.add(&i[..p], sc, Default::default(), &lim).unwrap();
                }
                Value::Obj(Object::Zset(z))
            }
            _ => {
                let mut s = Set::new();
                items.iter().for_each(|i| {
                    s.add(i, 512);
                });
                Value::Obj(Object::Set(s))
            }
        };
        dbs[*db].set(key, v, (*exp >= 0).then_some(*exp));
    }
    dbs
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn assert_same(got: &Model, want: &Model) {
    assert_eq!(got.len(), want.len(), "key counts differ");
    for (k, v) in want {
        let g = got.get(k).unwrap_or_else(|| panic!("missing key {k:?}"));
        assert_eq!(g.0, v.0, "type of {k:?}");
        assert!(g.1 == v.1, "contents of {k:?} differ");
        assert_eq!(g.2, v.2, "expiry of {k:?}");
    }
}

#[test]
fn redis_rdb_loads_into_oxidis_and_oxidis_rdb_loads_into_redis() {
    require_redis();
    // redis -> oxidis: SAVE, then load_rdb in-process.
    let redis = Server::redis(&[]);
    let mut c = redis.connect();
    build_dataset(&mut c);
    let want = model_via_commands(&mut c);
    ok(&mut c, &[b"SAVE"]);
    let file = std::fs::read(redis.dir().join("dump.rdb")).expect("dump.rdb");
    let mut dbs = new_dbs();
    let opts = rdb::LoadOpts {
        now_ms: now_ms(),
        skip_expired: true,
        sanitize: true,
        key_load_delay: 0,
    };
    let stats = rdb::load_rdb(&mut &file[..], &mut dbs, &opts, &mut |_| {}).expect("load");
    assert_eq!(stats.keys as usize, want.len());
    assert!(stats
        .aux
        .iter()
        .any(|(k, v)| k == b"redis-ver" && v == b"7.0.15"));
    assert_same(&model_of(&mut dbs), &want);
    // Encodings follow oxidis's thresholds after loading.
    let enc = |d: &mut Db, k: &[u8]| match d.lookup(k).unwrap().value() {
        ValueRef::Obj(o) => o.encoding(),
        _ => "string",
    };
    assert_eq!(enc(&mut dbs[0], b"hsmall"), "listpack");
    assert_eq!(enc(&mut dbs[0], b"hlarge"), "hashtable");
    assert_eq!(enc(&mut dbs[0], b"hlongval"), "hashtable");
    assert_eq!(enc(&mut dbs[0], b"sint"), "intset");
    assert_eq!(enc(&mut dbs[0], b"sintlarge"), "hashtable");

    // oxidis -> redis: the same keys built in-process, written with write_rdb,
    // loaded by redis-server at startup (compressed and not).
    for compression in [true, false] {
        let src = dbs_from_model(&want);
        let dir = fresh_temp_dir("rdb-out");
        let snaps: Vec<rdb::DbSnapshot> = src.iter().map(rdb::DbSnapshot::of).collect();
        let info = rdb::SaveInfo {
            ctime: now_ms() / 1000,
            used_mem: 1 << 20,
            aof_base: false,
            repl_id: "a".repeat(40),
            repl_offset: 0,
            repl_stream_db: 0,
        };
        let mut f = std::fs::File::create(dir.join("ox.rdb")).unwrap();
        let sopts = rdb::SaveOpts {
            compression,
            checksum: true,
        };
        rdb::write_rdb(&mut f, &snaps, &info, &sopts).unwrap();
        drop(f);
        let d = dir.to_str().unwrap();
        let r2 = Server::redis(&["--dir", d, "--dbfilename", "ox.rdb"]);
        let mut c2 = r2.connect();
        assert_same(&model_via_commands(&mut c2), &want);
        let log = r2.log();
        assert!(
            !log.contains("Short read") && !log.contains("Internal error"),
            "{log}"
        );
    }
}

#[test]
fn dump_restore_and_migrate_between_oxidis_and_redis() {
    require_redis();
    let redis = Server::redis(&[]);
    let ox = Server::oxidis(&[]);
    let mut r = redis.connect();
    let mut o = ox.connect();
    build_dataset(&mut r);
    let want = model_via_commands(&mut r);
    let db0: Vec<Vec<u8>> = want
        .keys()
        .filter(|(d, _)| *d == 0)
        .map(|(_, k)| k.clone())
        .collect();

    // DUMP in redis, RESTORE in oxidis.
    for k in &db0 {
        let p = Reply::parse(&r.cmd_bytes(&[b"DUMP", k]))
            .as_bytes()
            .unwrap();
        let ttl = match Reply::parse(&r.cmd_bytes(&[b"PEXPIRETIME", k])) {
            Reply::Int(v) if v > 0 => v.to_string(),
            _ => "0".into(),
        };
        let rep = o.cmd_bytes(&[b"RESTORE", k, ttl.as_bytes(), &p, b"ABSTTL"]);
        assert_eq!(rep, b"+OK\r\n", "{k:?}");
    }
    let only0 = |m: &Model| -> Model {
        m.iter()
            .filter(|((d, _), _)| *d == 0)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    assert_same(&only0(&model_via_commands(&mut o)), &only0(&want));

    // DUMP in oxidis, RESTORE in a fresh redis.
    let redis2 = Server::redis(&[]);
    let mut r2 = redis2.connect();
    for k in &db0 {
        let p = Reply::parse(&o.cmd_bytes(&[b"DUMP", k]))
            .as_bytes()
            .unwrap();
        let rep = r2.cmd_bytes(&[b"RESTORE", k, b"0", &p]);
        assert_eq!(rep, b"+OK\r\n", "{k:?}");
    }
    let mut no_ttl = only0(&want);
    no_ttl.values_mut().for_each(|v| v.2 = -1);
    assert_same(&only0(&model_via_commands(&mut r2)), &no_ttl);

    // MIGRATE oxidis -> redis (a third, empty one), with KEYS, into db 2.
    let redis3 = Server::redis(&[]);
    let mut r3 = redis3.connect();
    let port3 = redis3.port.to_string();
    let rep = o.cmd(&[
        "MIGRATE",
        "127.0.0.1",
        &port3,
        "",
        "2",
        "5000",
        "KEYS",
        "hsmall",
        "llarge",
        "nokey",
    ]);
    assert_eq!(rep, b"+OK\r\n");
    assert_eq!(o.cmd(&["EXISTS", "hsmall", "llarge"]), b":0\r\n");
    ok(&mut r3, &[b"SELECT", b"2"]);
    assert_eq!(r3.cmd(&["HGET", "hsmall", "n"]), b"$2\r\n42\r\n");
    assert_eq!(r3.cmd(&["LLEN", "llarge"]), b":20000\r\n");
    // MIGRATE sends a relative TTL, so the expiry may move by the transfer time.
    match r3.cmd_reply(&["PEXPIRETIME", "llarge"]) {
        Reply::Int(t) => assert!((FAR..FAR + 5000).contains(&t), "{t}"),
        other => panic!("{other:?}"),
    }
    // COPY keeps the source; without REPLACE the target's key is busy.
    let rep = o.cmd(&["MIGRATE", "127.0.0.1", &port3, "sint", "2", "5000", "COPY"]);
    assert_eq!(rep, b"+OK\r\n");
    assert_eq!(o.cmd(&["EXISTS", "sint"]), b":1\r\n");
    let rep = o.cmd(&["MIGRATE", "127.0.0.1", &port3, "sint", "2", "5000", "COPY"]);
    assert_eq!(
        rep,
        b"-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n"
            .to_vec()
    );
    let rep = o.cmd(&[
        "MIGRATE",
        "127.0.0.1",
        &port3,
        "sint",
        "2",
        "5000",
        "REPLACE",
    ]);
    assert_eq!(rep, b"+OK\r\n");
    assert_eq!(o.cmd(&["EXISTS", "sint"]), b":0\r\n");
    assert_eq!(
        o.cmd(&["MIGRATE", "127.0.0.1", &port3, "nokey", "2", "5000"]),
        b"+NOKEY\r\n"
    );

    // MIGRATE redis -> oxidis (redis sends SELECT and RESTORE to us).
    let oport = ox.port.to_string();
    let rep = r.cmd(&[
        "MIGRATE",
        "127.0.0.1",
        &oport,
        "",
        "5",
        "5000",
        "KEYS",
        "sstrlarge",
        "big",
    ]);
    assert_eq!(rep, b"+OK\r\n");
    ok(&mut o, &[b"SELECT", b"5"]);
    assert_eq!(o.cmd(&["SCARD", "sstrlarge"]), b":1000\r\n");
    assert_eq!(o.cmd(&["STRLEN", "big"]), b":2000000\r\n");
    ok(&mut o, &[b"SELECT", b"0"]);
}

#[test]
fn restore_and_migrate_errors_match_redis() {
    require_redis();
    let redis = Server::redis(&[]);
    let ox = Server::oxidis(&[]);
    let closed = common::free_port().to_string();
    let mut conns = [redis.connect(), ox.connect()];
    let mut outs: Vec<Vec<Vec<u8>>> = vec![Vec::new(), Vec::new()];
    for (i, c) in conns.iter_mut().enumerate() {
        ok(c, &[b"SET", b"s", b"hello"]);
        let p = Reply::parse(&c.cmd(&["DUMP", "s"])).as_bytes().unwrap();
        // A payload with a valid footer around an unknown type byte.
        let mut bad = vec![200u8, 1, b'x'];
        bad.extend_from_slice(&10u16.to_le_bytes());
        let crc = rdb::crc64(0, &bad);
        bad.extend_from_slice(&crc.to_le_bytes());
        let past = (now_ms() - 10_000).to_string();
        let script: Vec<Vec<&[u8]>> = vec![
            vec![b"DUMP", b"nokey"],
            vec![b"RESTORE", b"s", b"0", &p],
            vec![b"RESTORE", b"n", b"-1", &p],
            vec![b"RESTORE", b"n", b"abc", &p],
            vec![b"RESTORE", b"n", b"0", b"garbage"],
            vec![b"RESTORE", b"n", b"0", &bad],
            vec![b"RESTORE", b"n", b"0", &p, b"IDLETIME", b"-1"],
            vec![b"RESTORE", b"n", b"0", &p, b"FREQ", b"256"],
            vec![b"RESTORE", b"n", b"0", &p, b"IDLETIME", b"5", b"FREQ", b"5"],
            vec![b"RESTORE", b"n", b"0", &p, b"BOGUS"],
            vec![b"RESTORE", b"n", b"0", &p, b"IDLETIME", b"1000"],
            vec![b"OBJECT", b"IDLETIME", b"n"],
            vec![b"RESTORE", b"s", past.as_bytes(), &p, b"REPLACE", b"ABSTTL"],
            vec![b"EXISTS", b"s"],
            vec![b"RESTORE", b"s", b"100000", &p],
            vec![b"GET", b"s"],
            vec![
                b"MIGRATE",
                b"127.0.0.1",
                closed.as_bytes(),
                b"n",
                b"0",
                b"100",
            ],
            vec![
                b"MIGRATE",
                b"127.0.0.1",
                closed.as_bytes(),
                b"n",
                b"0",
                b"100",
                b"KEYS",
                b"n",
            ],
            vec![
                b"MIGRATE",
                b"127.0.0.1",
                closed.as_bytes(),
                b"",
                b"0",
                b"100",
                b"AUTH",
            ],
            vec![
                b"MIGRATE",
                b"127.0.0.1",
                closed.as_bytes(),
                b"",
                b"x",
                b"100",
                b"KEYS",
                b"n",
            ],
            vec![
                b"MIGRATE",
                b"127.0.0.1",
                closed.as_bytes(),
                b"",
                b"0",
                b"100",
                b"KEYS",
                b"nokey",
            ],
        ];
        for cmd in &script {
            outs[i].push(c.cmd_bytes(cmd));
        }
    }
    for (j, (a, b)) in outs[0].iter().zip(&outs[1]).enumerate() {
        assert_eq!(
            String::from_utf8_lossy(b),
            String::from_utf8_lossy(a),
            "command #{j} differs (left oxidis, right redis)"
        );
    }
}

#[test]
fn debug_reload_keeps_the_dataset_as_redis() {
    require_redis();
    let redis = Server::redis(&["--enable-debug-command", "yes"]);
    let ox = Server::oxidis(&["--enable-debug-command", "yes"]);
    let mut r = redis.connect();
    let mut o = ox.connect();
    build_dataset(&mut r);
    build_dataset(&mut o);
    let want = o.cmd(&["DEBUG", "DIGEST"]);
    let before = model_via_commands(&mut o);
    assert_eq!(o.cmd(&["DEBUG", "RELOAD"]), b"+OK\r\n");
    assert_eq!(o.cmd(&["DEBUG", "DIGEST"]), want);
    assert_same(&model_via_commands(&mut o), &before);
    assert_eq!(
        o.cmd(&["DEBUG", "RELOAD", "BOGUS"]),
        r.cmd(&["DEBUG", "RELOAD", "BOGUS"])
    );
}
