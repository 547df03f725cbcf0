//! maxmemory and eviction with a real memory limit. Which keys an eviction
//! picks is sampled, so these tests assert properties (memory stays near the
//! limit, the policy's favourites survive) and run every scenario against a
//! real redis-server too, to show the property is Redis's. The deterministic
//! cases (replies, errors, MULTI/EXEC, WATCH, events) are compared byte for
//! byte in tests/diff/maxmemory.txt.

mod common;

use common::{info_field, info_u64, Conn, Server};

/// Sends `n` commands built by `f` in pipelined batches and checks that every
/// reply starts with one of `ok`.
fn pipeline(c: &mut Conn, n: usize, ok: &[&[u8]], f: impl Fn(usize) -> Vec<Vec<u8>>) -> usize {
    let mut refused = 0;
    let mut i = 0;
    while i < n {
        let batch = (n - i).min(500);
        let mut buf = Vec::new();
        for j in i..i + batch {
            let args = f(j);
            let refs: Vec<&[u8]> = args.iter().map(|a| &a[..]).collect();
            buf.extend_from_slice(&Conn::encode(&refs));
        }
        c.send_raw(&buf);
        for _ in 0..batch {
            let r = c.read_reply();
            if r.starts_with(b"-OOM") {
                refused += 1;
            } else {
                assert!(
                    ok.iter().any(|p| r.starts_with(p)),
                    "{}",
                    String::from_utf8_lossy(&r)
                );
            }
        }
        i += batch;
    }
    refused
}

fn set(key: String, size: usize) -> Vec<Vec<u8>> {
    vec![b"SET".to_vec(), key.into_bytes(), vec![b'v'; size]]
}

/// Sets the limit `extra` bytes above what the server uses now.
fn limit_above_current(c: &mut Conn, policy: &str, extra: u64) -> u64 {
    let used = info_u64(c, "memory", "used_memory");
    let max = used + extra;
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "maxmemory-policy", policy]),
        b"+OK\r\n"
    );
    let m = max.to_string();
    assert_eq!(c.cmd(&["CONFIG", "SET", "maxmemory", &m]), b"+OK\r\n");
    max
}

fn allkeys_lru_keeps_memory_under_the_limit_and_recent_keys(name: &str, srv: Server) {
    let mut c = srv.connect();
    let max = limit_above_current(&mut c, "allkeys-lru", 8 << 20);
    c.cmd(&["CONFIG", "SET", "maxmemory-samples", "10"]);
    // 1000 hot keys, read again between every batch of new keys.
    pipeline(&mut c, 1000, &[b"+OK"], |i| set(format!("hot:{i}"), 100));
    let mut peak = 0;
    for round in 0..40 {
        // LRU works at one-second resolution: make the hot keys the most
        // recent ones by waiting out the clock between phases.
        if round % 10 == 0 {
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        let refused = pipeline(&mut c, 2000, &[b"+OK"], |i| {
            set(format!("cold:{round}:{i}"), 100)
        });
        assert_eq!(refused, 0, "{name}: allkeys-lru never refuses a SET");
        pipeline(&mut c, 1000, &[b"$"], |i| {
            vec![b"GET".to_vec(), format!("hot:{i}").into_bytes()]
        });
        peak = peak.max(info_u64(&mut c, "memory", "used_memory"));
    }
    let evicted = info_u64(&mut c, "stats", "evicted_keys");
    assert!(evicted > 10_000, "{name}: evicted {evicted}");
    assert!(
        peak <= max + max / 20,
        "{name}: used_memory peaked at {peak} for maxmemory {max}"
    );
    let mut hot = 0;
    for i in 0..1000 {
        if c.cmd(&["EXISTS", &format!("hot:{i}")]) == b":1\r\n" {
            hot += 1;
        }
    }
    assert!(hot >= 900, "{name}: only {hot} of 1000 hot keys survived");
    let dbsize = info_field(&mut c, "keyspace", "db0");
    assert!(dbsize.starts_with("keys="), "{name}: {dbsize}");
}

fn noeviction_refuses_writes_once_full_and_serves_reads(name: &str, srv: Server) {
    let mut c = srv.connect();
    limit_above_current(&mut c, "noeviction", 4 << 20);
    let refused = pipeline(&mut c, 60_000, &[b"+OK"], |i| set(format!("k:{i}"), 100));
    assert!(refused > 10_000, "{name}: refused {refused}");
    assert_eq!(info_u64(&mut c, "stats", "evicted_keys"), 0, "{name}");
    assert_eq!(
        c.cmd(&["GET", "k:0"]),
        b"$100\r\n"
            .iter()
            .chain(&[b'v'; 100])
            .chain(b"\r\n")
            .copied()
            .collect::<Vec<u8>>(),
        "{name}"
    );
    assert_eq!(c.cmd(&["DEL", "k:0"]), b":1\r\n", "{name}");
    // Both from one INFO reply: the current episode is part of the total.
    let stats = String::from_utf8_lossy(&c.cmd(&["INFO", "stats"])).into_owned();
    let field = |f: &str| -> u64 {
        stats
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{f}:")))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let (t, cur) = (
        field("total_eviction_exceeded_time"),
        field("current_eviction_exceeded_time"),
    );
    assert!(t >= cur && t > 0, "{name}: {t} {cur}");
    c.cmd(&["CONFIG", "SET", "maxmemory", "0"]);
    assert_eq!(c.cmd(&["SET", "k:0", "x"]), b"+OK\r\n", "{name}");
}

fn volatile_ttl_evicts_the_nearest_expiry_first(name: &str, srv: Server) {
    let mut c = srv.connect();
    // 5000 keys without TTL, 5000 long-lived and 5000 short-lived ones.
    pipeline(&mut c, 5000, &[b"+OK"], |i| set(format!("p:{i}"), 100));
    pipeline(&mut c, 5000, &[b"+OK"], |i| {
        let mut a = set(format!("long:{i}"), 100);
        a.extend([b"EX".to_vec(), b"100000".to_vec()]);
        a
    });
    pipeline(&mut c, 5000, &[b"+OK"], |i| {
        let mut a = set(format!("short:{i}"), 100);
        a.extend([b"EX".to_vec(), b"1000".to_vec()]);
        a
    });
    c.cmd(&["CONFIG", "SET", "maxmemory-samples", "10"]);
    limit_above_current(&mut c, "volatile-ttl", 0);
    // Every new key makes room by evicting a short-lived one first.
    pipeline(&mut c, 2000, &[b"+OK"], |i| set(format!("new:{i}"), 100));
    let exists = |c: &mut Conn, prefix: &str| {
        (0..5000)
            .filter(|i| c.cmd(&["EXISTS", &format!("{prefix}:{i}")]) == b":1\r\n")
            .count()
    };
    let (p, long, short) = (
        exists(&mut c, "p"),
        exists(&mut c, "long"),
        exists(&mut c, "short"),
    );
    assert_eq!(p, 5000, "{name}: keys without TTL are never evicted");
    assert!(short < 5000, "{name}: no short-lived key evicted");
    assert!(
        5000 - long < (5000 - short) / 4,
        "{name}: long-lived {long} vs short-lived {short} left"
    );
}

fn allkeys_lfu_keeps_frequently_used_keys(name: &str, srv: Server) {
    let mut c = srv.connect();
    c.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"]);
    pipeline(&mut c, 500, &[b"+OK"], |i| set(format!("freq:{i}"), 100));
    for _ in 0..20 {
        pipeline(&mut c, 500, &[b"$"], |i| {
            vec![b"GET".to_vec(), format!("freq:{i}").into_bytes()]
        });
    }
    let f = c.cmd(&["OBJECT", "FREQ", "freq:7"]);
    let f: u64 = String::from_utf8_lossy(&f[1..f.len() - 2]).parse().unwrap();
    assert!(
        (6..=20).contains(&f),
        "{name}: OBJECT FREQ after 20 reads = {f}"
    );
    c.cmd(&["CONFIG", "SET", "maxmemory-samples", "10"]);
    limit_above_current(&mut c, "allkeys-lfu", 4 << 20);
    for round in 0..30 {
        pipeline(&mut c, 2000, &[b"+OK"], |i| {
            set(format!("once:{round}:{i}"), 100)
        });
    }
    assert!(info_u64(&mut c, "stats", "evicted_keys") > 10_000, "{name}");
    let kept = (0..500)
        .filter(|i| c.cmd(&["EXISTS", &format!("freq:{i}")]) == b":1\r\n")
        .count();
    assert!(kept >= 450, "{name}: only {kept} of 500 frequent keys kept");
}

fn lazy_eviction_frees_on_the_background_thread(name: &str, srv: Server) {
    let mut c = srv.connect();
    c.cmd(&["CONFIG", "SET", "lazyfree-lazy-eviction", "yes"]);
    // Only big aggregates go to the thread (Redis's LAZYFREE_THRESHOLD:
    // more than 64 allocations, here quicklist nodes); small keys are
    // freed at once.
    for k in 0..5 {
        for batch in 0..20 {
            let mut args = vec![b"RPUSH".to_vec(), format!("list:{k}").into_bytes()];
            args.extend((0..2000).map(|i| format!("element-{batch}-{i}").into_bytes()));
            let refs: Vec<&[u8]> = args.iter().map(|a| &a[..]).collect();
            c.cmd_bytes(&refs);
        }
    }
    // Sorted sets: a skiplist's effort is its length, a listpack's is 1.
    for (k, n) in [("zbig:0", 200), ("zbig:1", 300), ("zsmall", 100)] {
        let mut args = vec!["ZADD".to_string(), k.to_string()];
        for i in 0..n {
            args.push(i.to_string());
            args.push(format!("member-{i}"));
        }
        let refs: Vec<&str> = args.iter().map(|a| a.as_str()).collect();
        c.cmd(&refs);
    }
    for k in 0..15 {
        c.cmd(&["SET", &format!("small:{k}"), "v"]);
    }
    c.cmd(&["CONFIG", "SET", "maxmemory-policy", "allkeys-random"]);
    c.cmd(&["CONFIG", "SET", "maxmemory", "1"]);
    c.cmd(&["CONFIG", "SET", "maxmemory", "0"]);
    assert_eq!(c.cmd(&["DBSIZE"]), b":0\r\n", "{name}");
    assert_eq!(info_u64(&mut c, "stats", "evicted_keys"), 23, "{name}");
    common::wait_for_condition(&format!("{name}: 7 values freed lazily"), || {
        info_u64(&mut c, "memory", "lazyfreed_objects") == 7
    });
}

#[test]
fn lfu_counters_survive_a_reload() {
    let srv = Server::oxidis(&[
        "--maxmemory-policy",
        "allkeys-lfu",
        "--enable-debug-command",
        "yes",
    ]);
    let mut c = srv.connect();
    c.cmd(&["SET", "k", "value"]);
    for _ in 0..3 {
        c.cmd(&["GET", "k"]);
    }
    // 5 for a new key, 6 after the first access, then logarithmic.
    let freq = c.cmd(&["OBJECT", "FREQ", "k"]);
    assert!(freq.starts_with(b":6") || freq.starts_with(b":7") || freq.starts_with(b":8"));
    assert_eq!(c.cmd(&["DEBUG", "RELOAD"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["OBJECT", "FREQ", "k"]), freq);
    let dump = c.cmd(&["DUMP", "k"]);
    let payload = &dump[dump.iter().position(|&b| b == b'\n').unwrap() + 1..dump.len() - 2];
    c.cmd_bytes(&[b"RESTORE", b"k2", b"0", payload, b"FREQ", b"100"]);
    assert_eq!(c.cmd(&["OBJECT", "FREQ", "k2"]), b":100\r\n");
}

/// The scenarios above, each on oxidis ...
mod oxidis {
    use super::Server;

    #[test]
    fn allkeys_lru_keeps_memory_under_the_limit_and_recent_keys() {
        super::allkeys_lru_keeps_memory_under_the_limit_and_recent_keys(
            "oxidis",
            Server::oxidis(&[]),
        );
    }
    #[test]
    fn noeviction_refuses_writes_once_full_and_serves_reads() {
        super::noeviction_refuses_writes_once_full_and_serves_reads("oxidis", Server::oxidis(&[]));
    }
    #[test]
    fn volatile_ttl_evicts_the_nearest_expiry_first() {
        super::volatile_ttl_evicts_the_nearest_expiry_first("oxidis", Server::oxidis(&[]));
    }
    #[test]
    fn allkeys_lfu_keeps_frequently_used_keys() {
        super::allkeys_lfu_keeps_frequently_used_keys("oxidis", Server::oxidis(&[]));
    }
    #[test]
    fn lazy_eviction_frees_on_the_background_thread() {
        super::lazy_eviction_frees_on_the_background_thread("oxidis", Server::oxidis(&[]));
    }
}

/// ... and on redis-server, to show that the property is Redis's.
mod redis {
    use super::Server;

    #[test]
    fn allkeys_lru_keeps_memory_under_the_limit_and_recent_keys() {
        super::allkeys_lru_keeps_memory_under_the_limit_and_recent_keys(
            "redis",
            Server::redis(&[]),
        );
    }
    #[test]
    fn noeviction_refuses_writes_once_full_and_serves_reads() {
        super::noeviction_refuses_writes_once_full_and_serves_reads("redis", Server::redis(&[]));
    }
    #[test]
    fn volatile_ttl_evicts_the_nearest_expiry_first() {
        super::volatile_ttl_evicts_the_nearest_expiry_first("redis", Server::redis(&[]));
    }
    #[test]
    fn allkeys_lfu_keeps_frequently_used_keys() {
        super::allkeys_lfu_keeps_frequently_used_keys("redis", Server::redis(&[]));
    }
    #[test]
    fn lazy_eviction_frees_on_the_background_thread() {
        super::lazy_eviction_frees_on_the_background_thread("redis", Server::redis(&[]));
    }
}
