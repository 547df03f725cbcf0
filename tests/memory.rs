//! Memory accounting against the real binary: what a connection costs at
//! rest and after big requests and replies, INFO memory's breakdown
//! (`used_memory_overhead` + `used_memory_dataset`, `mem_clients_normal`,
//! `mem_clients_slaves`) against `used_memory` and `allocator_allocated`,
//! CLIENT LIST's memory fields, and MEMORY USAGE against the bytes a key
//! really holds.

mod common;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{info_u64, require_redis, wait_for_condition_within, Conn, Server};

/// Idle buffers are released by the clients cron after 2 s idle (Redis's
/// rule), and Redis's reply buffer shrinks after its 5 s peak reset: give
/// both room.
const REST: Duration = Duration::from_secs(20);

fn mem(c: &mut Conn, field: &str) -> i64 {
    info_u64(c, "memory", field) as i64
}

/// The CLIENT LIST line of the client named `name`, as `field=value` pairs.
fn client_fields(c: &mut Conn, name: &str) -> HashMap<String, String> {
    let raw = c.cmd(&["CLIENT", "LIST"]);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let line = text
        .lines()
        .find(|l| l.contains(&format!(" name={name} ")))
        .unwrap_or_else(|| panic!("no client {name} in {text}"))
        .to_string();
    line.split(' ')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn field(c: &mut Conn, name: &str, f: &str) -> i64 {
    client_fields(c, name)[f].parse().unwrap()
}

/// `n` connections that sent one PING each and got its answer.
fn idle_connections(port: u16, n: usize) -> Vec<TcpStream> {
    let mut socks: Vec<TcpStream> = (0..n)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    for s in &mut socks {
        s.write_all(b"PING\r\n").unwrap();
    }
    for s in &mut socks {
        s.set_read_timeout(Some(common::READ_TIMEOUT)).unwrap();
        let mut buf = [0u8; 7];
        s.read_exact(&mut buf).unwrap();
        assert_eq!(&buf, b"+PONG\r\n");
    }
    socks
}

/// used_memory and mem_clients_normal per connection, once `n` idle
/// connections are at rest (the figures stop falling).
fn at_rest_per_connection(s: &Server, n: usize) -> (i64, i64) {
    let mut admin = s.connect();
    let (used0, clients0) = (
        mem(&mut admin, "used_memory"),
        mem(&mut admin, "mem_clients_normal"),
    );
    let _socks = idle_connections(s.port, n);
    let mut last = i64::MAX;
    let mut steady = 0;
    wait_for_condition_within("idle connections at rest", REST, || {
        let used = mem(&mut admin, "used_memory");
        steady = if used >= last - 1024 { steady + 1 } else { 0 };
        last = last.min(used);
        std::thread::sleep(Duration::from_millis(200));
        // Steady for 4 s: past both servers' release points.
        steady >= 20
    });
    let per = |a: i64, b: i64| (a - b) / n as i64;
    (
        per(mem(&mut admin, "used_memory"), used0),
        per(mem(&mut admin, "mem_clients_normal"), clients0),
    )
}

/// A connection at rest costs its client struct and little else: the query
/// buffer, the reply buffer and the argument array are released after 2 s
/// idle, and `mem_clients_normal` counts what the clients really hold, right
/// after their command as at rest.
#[test]
fn idle_connections_release_their_buffers() {
    let s = Server::oxidis(&[]);
    let mut admin = s.connect();
    let n = 300;
    // The first INFO's own reply buffer is not the connections' cost.
    mem(&mut admin, "used_memory");
    let used0 = mem(&mut admin, "used_memory");
    let clients0 = mem(&mut admin, "mem_clients_normal");
    let socks = idle_connections(s.port, n);
    let busy_used = mem(&mut admin, "used_memory") - used0;
    let busy_clients = mem(&mut admin, "mem_clients_normal") - clients0;
    assert!(
        busy_used > n as i64 * 16 * 1024,
        "a fresh connection holds its 16 KB query buffer: {busy_used}"
    );
    assert!(
        (busy_used - busy_clients).abs() < busy_used / 20,
        "mem_clients_normal {busy_clients} against used_memory {busy_used}"
    );
    wait_for_condition_within("idle buffers released", REST, || {
        mem(&mut admin, "used_memory") - used0 < n as i64 * 1024
    });
    let rest_used = mem(&mut admin, "used_memory") - used0;
    let rest_clients = mem(&mut admin, "mem_clients_normal") - clients0;
    assert!(
        (rest_used - rest_clients).abs() < rest_used / 10 + 8 * 1024,
        "at rest: mem_clients_normal {rest_clients} against used_memory {rest_used}"
    );
    drop(socks);
}

/// The bar: a connection at rest costs no more than one of Redis's.
#[test]
fn idle_connections_cost_no_more_than_redis() {
    require_redis();
    let n = 1000;
    let (ox_used, ox_clients) = at_rest_per_connection(&Server::oxidis(&[]), n);
    let (r_used, r_clients) = at_rest_per_connection(&Server::redis(&[]), n);
    eprintln!(
        "per idle connection: oxidis used_memory {ox_used} (clients {ox_clients}), \
         redis {r_used} (clients {r_clients})"
    );
    assert!(ox_used <= r_used, "oxidis {ox_used} B, redis {r_used} B");
    assert!(
        ox_clients <= r_clients,
        "oxidis {ox_clients} B, redis {r_clients} B"
    );
}

/// After a big reply (LRANGE, MGET) has been read and a big pipeline has
/// run, the client gives the memory back: reply blocks as soon as they are
/// written, the grown query buffer and the rest once the client rests.
#[test]
fn big_replies_and_pipelines_give_their_buffers_back() {
    let s = Server::oxidis(&[]);
    let mut admin = s.connect();
    admin.cmd(&["CLIENT", "SETNAME", "admin"]);
    let mut c = s.connect();
    c.cmd(&["CLIENT", "SETNAME", "big"]);
    let elems: Vec<String> = (0..10_000).map(|i| format!("element-{i:08}")).collect();
    for chunk in elems.chunks(1000) {
        let mut args = vec!["RPUSH", "list"];
        args.extend(chunk.iter().map(String::as_str));
        c.cmd(&args);
    }
    let mut mset = vec!["MSET".to_string()];
    for i in 0..10_000 {
        mset.push(format!("key:{i}"));
        mset.push(format!("value-{i:08}"));
    }
    let mset: Vec<&str> = mset.iter().map(String::as_str).collect();
    c.cmd(&mset);
    // Each command's first call sets up its latency histogram: not a buffer.
    c.cmd(&["LRANGE", "list", "0", "0"]);
    c.cmd(&["MGET", "key:0"]);
    c.cmd(&["SET", "key:0", "value-00000000"]);
    wait_for_condition_within("the loader at rest", REST, || {
        field(&mut admin, "big", "tot-mem") < 2048
    });
    let used0 = mem(&mut admin, "used_memory");

    for _ in 0..3 {
        let r = c.cmd(&["LRANGE", "list", "0", "-1"]);
        assert!(r.len() > 200_000);
    }
    let keys: Vec<String> = (0..10_000).map(|i| format!("key:{i}")).collect();
    let mut mget = vec!["MGET"];
    mget.extend(keys.iter().map(String::as_str));
    assert!(c.cmd(&mget).len() > 150_000);
    let f = client_fields(&mut admin, "big");
    assert_eq!((&f["oll"][..], &f["omem"][..]), ("0", "0"), "{f:?}");

    // 20,000 commands in one write.
    let mut pipe = Vec::new();
    for i in 0..20_000 {
        let i = i % 10_000;
        let (k, v) = (format!("key:{i}"), format!("value-{i:08}"));
        pipe.extend(Conn::encode(&[b"SET", k.as_bytes(), v.as_bytes()]));
    }
    c.send_raw(&pipe);
    for _ in 0..20_000 {
        assert_eq!(c.read_reply(), b"+OK\r\n");
    }

    wait_for_condition_within("the big client at rest", REST, || {
        field(&mut admin, "big", "tot-mem") < 2048
    });
    let f = client_fields(&mut admin, "big");
    assert_eq!(
        (&f["qbuf"][..], &f["qbuf-free"][..], &f["obl"][..]),
        ("0", "0", "0"),
        "{f:?}"
    );
    let used = mem(&mut admin, "used_memory");
    assert!(
        used - used0 < 64 * 1024,
        "used_memory {used0} -> {used} after the big replies"
    );
}

/// Output a client does not read is counted where Redis counts it: `omem`
/// and `oll` grow, `tot-mem` covers them, and `mem_clients_normal` follows
/// `used_memory`.
#[test]
fn unread_output_is_counted_in_client_memory() {
    let s = Server::oxidis(&[]);
    let mut admin = s.connect();
    admin.cmd(&["CLIENT", "SETNAME", "admin"]);
    admin.cmd(&["SET", "big", &"x".repeat(100_000)]);
    let used0 = mem(&mut admin, "used_memory");
    let clients0 = mem(&mut admin, "mem_clients_normal");
    let dataset0 = mem(&mut admin, "used_memory_dataset");
    let mut c = s.connect();
    c.cmd(&["CLIENT", "SETNAME", "slow"]);
    // About 20 MB of replies, far more than the socket buffers take.
    for _ in 0..200 {
        c.send(&[b"GET", b"big"]);
    }
    wait_for_condition_within("output piled up", REST, || {
        field(&mut admin, "slow", "omem") > 8 << 20
    });
    let f = client_fields(&mut admin, "slow");
    let (omem, tot): (i64, i64) = (f["omem"].parse().unwrap(), f["tot-mem"].parse().unwrap());
    assert!(f["oll"].parse::<i64>().unwrap() > 100, "{f:?}");
    assert!(tot >= omem, "{f:?}");
    let used = mem(&mut admin, "used_memory") - used0;
    let clients = mem(&mut admin, "mem_clients_normal") - clients0;
    assert!(
        (used - clients).abs() < used / 50,
        "mem_clients_normal grew {clients}, used_memory {used}"
    );
    let dataset = mem(&mut admin, "used_memory_dataset") - dataset0;
    assert!(
        dataset.abs() < used / 50,
        "the dataset moved by {dataset} while clients grew {clients}"
    );
}

/// INFO memory's breakdown: overhead + dataset is used_memory, the overhead
/// holds the start-up memory, the clients and the key table; the
/// allocator's own count agrees with used_memory once there is data.
#[test]
fn info_memory_breakdown_adds_up() {
    let s = Server::oxidis(&["--enable-debug-command", "yes"]);
    let mut c = s.connect();
    c.cmd(&["DEBUG", "POPULATE", "100000"]);
    let raw = c.cmd(&["INFO", "memory"]);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let n = |f: &str| -> i64 {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{f}:")))
            .unwrap_or_else(|| panic!("no {f}"))
            .trim()
            .parse()
            .unwrap()
    };
    let used = n("used_memory");
    assert_eq!(n("used_memory_overhead") + n("used_memory_dataset"), used);
    let startup = n("used_memory_startup");
    assert!(startup > 0 && startup < used, "startup {startup}");
    assert!(
        n("used_memory_overhead") >= startup + n("mem_clients_normal") + 100_000 * 8,
        "the overhead holds the key table: {text}"
    );
    assert_eq!(n("mem_clients_slaves"), 0);
    let alloc = n("allocator_allocated");
    assert!(
        (alloc - used).abs() < used / 20,
        "allocator_allocated {alloc}, used_memory {used}"
    );
    let stats = c.cmd_reply(&["MEMORY", "STATS"]);
    let flat: Vec<Vec<u8>> = stats
        .elements()
        .unwrap()
        .iter()
        .map(|e| e.as_bytes().unwrap_or_default())
        .collect();
    let get = |k: &str| {
        let i = flat.iter().position(|e| e == k.as_bytes()).unwrap();
        String::from_utf8_lossy(&flat[i + 1]).into_owned()
    };
    assert_eq!(get("keys.count"), "100000");
    assert_eq!(get("clients.slaves"), "0");
}

/// A replica's output buffer is `mem_clients_slaves`, not
/// `mem_clients_normal`.
#[test]
fn replica_output_counts_as_mem_clients_slaves() {
    let s = Server::oxidis(&[]);
    let mut admin = s.connect();
    let normal0 = mem(&mut admin, "mem_clients_normal");
    let mut replica = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    replica.write_all(b"SYNC\r\n").unwrap();
    common::wait_for_info(&mut admin, "replication", "connected_slaves", "1");
    let value = "v".repeat(10_000);
    for i in 0..2000 {
        admin.cmd(&["SET", &format!("k{i}"), &value]);
    }
    // 20 MB of stream the replica does not read.
    wait_for_condition_within("the replica's output piles up", REST, || {
        mem(&mut admin, "mem_clients_slaves") > 4 << 20
    });
    let normal = mem(&mut admin, "mem_clients_normal");
    assert!(
        normal - normal0 < 256 * 1024,
        "mem_clients_normal {normal0} -> {normal}"
    );
    assert!(mem(&mut admin, "mem_total_replication_buffers") > 4 << 20);
    drop(replica);
}

/// The CLIENT LIST memory fields of clients caught mid-request or inside
/// MULTI, as Redis reports them (the buffers' free room and `tot-mem`
/// depend on each allocator's rounding and are left out).
#[test]
fn client_list_memory_fields_match_redis() {
    require_redis();
    let fields = ["qbuf", "argv-mem", "multi-mem", "obl", "oll", "omem"];
    let observe = |s: &Server| -> Vec<(String, Vec<String>)> {
        let mut admin = s.connect();
        let mut t = s.connect();
        t.cmd(&["CLIENT", "SETNAME", "partial"]);
        t.send_raw(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhel");
        let mut m = s.connect();
        m.cmd(&["CLIENT", "SETNAME", "multi"]);
        m.cmd(&["MULTI"]);
        m.cmd(&["SET", "k", "v"]);
        m.cmd(&["GET", "k"]);
        let mut b = s.connect();
        b.cmd(&["CLIENT", "SETNAME", "bigarg"]);
        b.send_raw(b"*2\r\n$4\r\nECHO\r\n$40000\r\n");
        b.send_raw(&[b'x'; 100]);
        let mut out = Vec::new();
        for name in ["partial", "multi", "bigarg"] {
            let mut vals = Vec::new();
            wait_for_condition_within("the request to arrive", REST, || {
                let f = client_fields(&mut admin, name);
                vals = fields.iter().map(|k| format!("{k}={}", f[*k])).collect();
                name == "multi" || f["argv-mem"] != "0"
            });
            out.push((name.to_string(), vals));
        }
        out
    };
    let ox = observe(&Server::oxidis(&[]));
    let redis = observe(&Server::redis(&[]));
    assert_eq!(ox, redis);
}

/// Loads `n` keys with `build(i)`'s commands and returns (sum of MEMORY
/// USAGE, used_memory growth).
fn usage_against_used(
    c: &mut Conn,
    n: usize,
    build: &dyn Fn(usize) -> Vec<Vec<String>>,
) -> (i64, i64) {
    c.cmd(&["FLUSHALL"]);
    let used0 = mem(c, "used_memory");
    let mut sent = 0;
    for i in 0..n {
        for cmd in build(i) {
            let args: Vec<&[u8]> = cmd.iter().map(|a| a.as_bytes()).collect();
            c.send(&args);
            sent += 1;
        }
        if i % 500 == 499 || i == n - 1 {
            for _ in 0..std::mem::take(&mut sent) {
                c.read_reply();
            }
        }
    }
    let used = mem(c, "used_memory") - used0;
    let mut usage = 0i64;
    for i in 0..n {
        let r = c.cmd(&["MEMORY", "USAGE", &format!("key:{i:012}")]);
        let text = String::from_utf8_lossy(&r);
        usage += text.trim_start_matches(':').trim().parse::<i64>().unwrap();
    }
    (usage, used)
}

/// MEMORY USAGE is what a key really holds: over many keys of each shape,
/// its sum is within 20% of what used_memory grew by (the bar; the
/// figures agree within a few percent), for compact and big encodings, with
/// the default 5 samples of a big hash or set.
#[test]
fn memory_usage_sums_to_the_allocated_bytes() {
    let s = Server::oxidis(&[]);
    let mut c = s.connect();
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let pairs = |lo: usize, hi: usize| -> Vec<String> {
        (lo..hi)
            .flat_map(|j| [format!("field{j}"), format!("value{j}")])
            .collect()
    };
    type Shape = (&'static str, usize, Box<dyn Fn(usize) -> Vec<Vec<String>>>);
    let shapes: Vec<Shape> = vec![
        (
            "string",
            20_000,
            Box::new(move |i| vec![v(&["SET", &format!("key:{i:012}"), "vvvvvvvvvv"])]),
        ),
        (
            "integer",
            20_000,
            Box::new(move |i| vec![v(&["SET", &format!("key:{i:012}"), "12345678"])]),
        ),
        (
            "long string",
            5_000,
            Box::new(move |i| vec![v(&["SET", &format!("key:{i:012}"), &"x".repeat(300)])]),
        ),
        (
            "small hash",
            20_000,
            Box::new(move |i| {
                vec![v(&[
                    "HSET",
                    &format!("key:{i:012}"),
                    "f1",
                    "v00007",
                    "f2",
                    "v2",
                    "f3",
                    "v3",
                ])]
            }),
        ),
        (
            "big hash",
            5,
            Box::new(move |i| {
                (0..10)
                    .map(|b| {
                        let mut cmd = v(&["HSET", &format!("key:{i:012}")]);
                        cmd.extend(pairs(b * 500, b * 500 + 500));
                        cmd
                    })
                    .collect()
            }),
        ),
        (
            "intset",
            20_000,
            Box::new(move |i| {
                let mut cmd = v(&["SADD", &format!("key:{i:012}")]);
                cmd.extend((1..10).map(|j| j.to_string()));
                vec![cmd]
            }),
        ),
        (
            "string set",
            10_000,
            Box::new(move |i| {
                let mut cmd = v(&["SADD", &format!("key:{i:012}")]);
                cmd.extend((0..10).map(|j| format!("member{j}")));
                vec![cmd]
            }),
        ),
        (
            "big set",
            5,
            Box::new(move |i| {
                (0..10)
                    .map(|b| {
                        let mut cmd = v(&["SADD", &format!("key:{i:012}")]);
                        cmd.extend((b * 500..b * 500 + 500).map(|j| format!("member{j}")));
                        cmd
                    })
                    .collect()
            }),
        ),
        (
            "list",
            20_000,
            Box::new(move |i| {
                let mut cmd = v(&["RPUSH", &format!("key:{i:012}")]);
                cmd.extend((0..10).map(|j| format!("element{j}")));
                vec![cmd]
            }),
        ),
        (
            "big list",
            3,
            Box::new(move |i| {
                (0..50)
                    .map(|b| {
                        let mut cmd = v(&["RPUSH", &format!("key:{i:012}")]);
                        cmd.extend((b * 500..b * 500 + 500).map(|j| format!("element{j}")));
                        cmd
                    })
                    .collect()
            }),
        ),
        (
            "sorted set",
            10_000,
            Box::new(move |i| {
                let mut cmd = v(&["ZADD", &format!("key:{i:012}")]);
                cmd.extend((0..10).flat_map(|j| [j.to_string(), format!("member{j}")]));
                vec![cmd]
            }),
        ),
        (
            "big sorted set",
            3,
            Box::new(move |i| {
                (0..20)
                    .map(|b| {
                        let mut cmd = v(&["ZADD", &format!("key:{i:012}")]);
                        cmd.extend(
                            (b * 500..b * 500 + 500)
                                .flat_map(|j| [j.to_string(), format!("member{j}")]),
                        );
                        cmd
                    })
                    .collect()
            }),
        ),
    ];
    for (name, n, build) in &shapes {
        let (usage, used) = usage_against_used(&mut c, *n, build.as_ref());
        let ratio = usage as f64 / used as f64;
        eprintln!(
            "{name}: MEMORY USAGE {} B/key, used_memory {} B/key",
            usage / *n as i64,
            used / *n as i64
        );
        assert!(
            (0.8..=1.2).contains(&ratio),
            "{name}: MEMORY USAGE sums to {usage}, used_memory grew {used}"
        );
    }
}

/// MEMORY USAGE's argument checks and replies that do not depend on sizes,
/// byte for byte as Redis's.
#[test]
fn memory_usage_errors_match_redis() {
    require_redis();
    let cases: &[&[&str]] = &[
        &["MEMORY", "USAGE"],
        &["MEMORY", "USAGE", "nokey"],
        &["MEMORY", "USAGE", "nokey", "SAMPLES", "5"],
        &["MEMORY", "USAGE", "k", "SAMPLES"],
        &["MEMORY", "USAGE", "k", "SAMPLES", "-1"],
        &["MEMORY", "USAGE", "k", "SAMPLES", "abc"],
        &["MEMORY", "USAGE", "k", "SAMPLES", "1", "extra"],
        &["MEMORY", "USAGE", "k", "FOO", "1"],
        &["MEMORY", "USAGE", "k", "samples", "99999999999999999999"],
        &["MEMORY", "NOSUCH"],
        &["MEMORY"],
    ];
    let run = |s: &Server| -> Vec<Vec<u8>> {
        let mut c = s.connect();
        c.cmd(&["SET", "k", "v"]);
        let mut out: Vec<Vec<u8>> = cases.iter().map(|a| c.cmd(a)).collect();
        // Sizes differ; the reply's type does not.
        for k in ["k"] {
            for samples in ["0", "1", "5"] {
                let r = c.cmd(&["MEMORY", "USAGE", k, "SAMPLES", samples]);
                out.push(r[..1].to_vec());
            }
        }
        out
    };
    let ox = run(&Server::oxidis(&[]));
    let redis = run(&Server::redis(&[]));
    for (i, (a, b)) in ox.iter().zip(&redis).enumerate() {
        assert_eq!(
            String::from_utf8_lossy(a),
            String::from_utf8_lossy(b),
            "case {i}"
        );
    }
}
