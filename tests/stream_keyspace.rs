//! Streams on the type-generic paths that a differential corpus cannot see:
//! lazy freeing (which streams UNLINK, FLUSHALL ASYNC and an overwrite hand to the
//! free thread: INFO lazyfreed_objects, counted as Redis 7.0's
//! lazyfreeGetFreeEffort counts a stream: its radix-tree nodes plus, per group,
//! one plus the first group's PEL size) and eviction of streams under maxmemory.
//! Each scenario runs on oxidis and on redis-server; the records must be equal.

mod common;

use common::{info_field, require_redis, Conn, Server};

/// XADD of `n` entries `1-1 .. n-1` to `key`, in one pipeline.
fn fill(c: &mut Conn, key: &str, n: usize) {
    let mut batch = Vec::new();
    for i in 1..=n {
        let id = format!("{i}-1");
        batch.extend(Conn::encode(&[
            b"XADD",
            key.as_bytes(),
            id.as_bytes(),
            b"field",
            b"value",
        ]));
    }
    c.send_raw(&batch);
    for _ in 0..n {
        let r = c.read_reply();
        assert!(r.starts_with(b"$"), "{}", common::escape(&r));
    }
}

fn lazyfree_counts(srv: &Server) -> Vec<String> {
    let mut c = srv.connect();
    let mut out = Vec::new();
    let mut step = |c: &mut Conn, args: &[&str]| {
        let r = c.cmd(args);
        assert!(!r.starts_with(b"-"), "{args:?} -> {}", common::escape(&r));
        common::wait_for_info(c, "memory", "lazyfree_pending_objects", "0");
        out.push(format!(
            "{}: {}",
            args.join(" "),
            info_field(c, "memory", "lazyfreed_objects")
        ));
    };
    // One node: freed in place even by UNLINK.
    fill(&mut c, "small", 10);
    step(&mut c, &["UNLINK", "small"]);
    // 100 entries of 1 per node: 100 nodes' worth of effort, above the threshold.
    step(&mut c, &["CONFIG", "SET", "stream-node-max-entries", "1"]);
    fill(&mut c, "nodes", 100);
    step(&mut c, &["UNLINK", "nodes"]);
    fill(&mut c, "nodes2", 100);
    step(&mut c, &["DEL", "nodes2"]);
    // 40 nodes: below the threshold of 64.
    fill(&mut c, "few", 40);
    step(&mut c, &["UNLINK", "few"]);
    step(&mut c, &["CONFIG", "SET", "stream-node-max-entries", "100"]);
    // A small stream made big by its groups: 1 node, 2 groups x (1 + 100 pending).
    fill(&mut c, "pel", 100);
    c.cmd(&["XGROUP", "CREATE", "pel", "g1", "0"]);
    c.cmd(&["XGROUP", "CREATE", "pel", "g2", "0"]);
    c.cmd(&["XREADGROUP", "GROUP", "g1", "alice", "STREAMS", "pel", ">"]);
    step(&mut c, &["UNLINK", "pel"]);
    // Groups with empty PELs: 1 node + 70 groups x 1.
    fill(&mut c, "groups", 5);
    for g in 0..70 {
        c.cmd(&["XGROUP", "CREATE", "groups", &format!("g{g}"), "0"]);
    }
    step(&mut c, &["UNLINK", "groups"]);
    // A group destroyed before the free: only the remaining group's PEL counts.
    fill(&mut c, "destroyed", 100);
    c.cmd(&["XGROUP", "CREATE", "destroyed", "a", "0"]);
    c.cmd(&["XGROUP", "CREATE", "destroyed", "b", "0"]);
    c.cmd(&["XREADGROUP", "GROUP", "a", "c", "STREAMS", "destroyed", ">"]);
    c.cmd(&["XGROUP", "DESTROY", "destroyed", "a"]);
    step(&mut c, &["UNLINK", "destroyed"]);
    // The user-del, flush and overwrite options.
    step(&mut c, &["CONFIG", "SET", "stream-node-max-entries", "1"]);
    step(&mut c, &["CONFIG", "SET", "lazyfree-lazy-user-del", "yes"]);
    fill(&mut c, "d", 100);
    step(&mut c, &["DEL", "d"]);
    fill(&mut c, "o", 100);
    step(
        &mut c,
        &["CONFIG", "SET", "lazyfree-lazy-server-del", "yes"],
    );
    step(&mut c, &["SET", "o", "overwritten"]);
    fill(&mut c, "r1", 100);
    fill(&mut c, "r2", 100);
    step(&mut c, &["RENAME", "r1", "r2"]);
    fill(&mut c, "f1", 100);
    fill(&mut c, "f2", 100);
    step(&mut c, &["FLUSHALL", "ASYNC"]);
    fill(&mut c, "f3", 100);
    step(&mut c, &["FLUSHDB", "ASYNC"]);
    out
}

#[test]
fn lazy_free_of_streams_counts_as_redis() {
    require_redis();
    let o = lazyfree_counts(&Server::oxidis(&[]));
    let r = lazyfree_counts(&Server::redis(&[]));
    assert_eq!(o, r);
}

/// Under maxmemory with a volatile policy only the stream with a TTL can go;
/// with nothing left to evict the stream commands that may grow memory are
/// refused and the others still run.
fn eviction_record(srv: &Server) -> Vec<String> {
    let mut c = srv.connect();
    let mut out = Vec::new();
    let mut rec = |c: &mut Conn, args: &[&str]| {
        let r = c.cmd(args);
        out.push(format!("{}: {}", args.join(" "), common::escape(&r)));
    };
    let used = |c: &mut Conn| -> u64 { info_field(c, "memory", "used_memory").parse().unwrap() };
    fill(&mut c, "keep", 20000);
    rec(&mut c, &["XGROUP", "CREATE", "keep", "g", "0"]);
    let before = used(&mut c);
    fill(&mut c, "goes", 20000);
    rec(&mut c, &["EXPIRE", "goes", "1000"]);
    let after = used(&mut c);
    // Half of what `goes` holds over the limit: evicting it is enough.
    let limit = (after - (after - before) / 2).to_string();
    rec(
        &mut c,
        &["CONFIG", "SET", "maxmemory-policy", "volatile-ttl"],
    );
    c.cmd(&["CONFIG", "SET", "maxmemory", &limit]);
    rec(&mut c, &["SET", "trigger", "x"]);
    rec(&mut c, &["EXISTS", "goes"]);
    rec(&mut c, &["XLEN", "keep"]);
    // Nothing volatile left and far over the limit: denyoom stream commands are
    // refused, the others run.
    c.cmd(&["CONFIG", "SET", "maxmemory", "1"]);
    for args in [
        &["XADD", "keep", "*", "f", "v"][..],
        &["XGROUP", "CREATE", "keep", "g2", "0"],
        &["XGROUP", "CREATECONSUMER", "keep", "g", "c"],
        &[
            "XREADGROUP",
            "GROUP",
            "g",
            "c",
            "COUNT",
            "1",
            "STREAMS",
            "keep",
            ">",
        ],
        &["XLEN", "keep"],
        &["XRANGE", "keep", "-", "+", "COUNT", "1"],
        &["XREAD", "COUNT", "1", "STREAMS", "keep", "0"],
        &["XDEL", "keep", "1-1"],
        &["XTRIM", "keep", "MAXLEN", "15000"],
        &["XSETID", "keep", "999999-1"],
        &["XGROUP", "SETID", "keep", "g", "0"],
        &["XACK", "keep", "g", "1-1"],
        &["XGROUP", "DESTROY", "keep", "g"],
    ] {
        rec(&mut c, args);
    }
    c.cmd(&["CONFIG", "SET", "maxmemory", "0"]);
    rec(&mut c, &["XLEN", "keep"]);
    out
}

#[test]
fn eviction_and_oom_refusal_of_stream_commands_as_redis() {
    require_redis();
    let o = eviction_record(&Server::oxidis(&[]));
    let r = eviction_record(&Server::redis(&[]));
    assert_eq!(o, r);
}
