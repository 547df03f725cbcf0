//! Replication, replica side: oxidis as the replica of a real redis-server
//! (disk-based `$<len>` and diskless `$EOF:` payloads) and of an oxidis master,
//! chained replicas, partial resynchronisation after a dropped link,
//! promotion with REPLICAOF NO ONE, read-only and stale-data rules, ROLE and
//! INFO replication compared with a redis-server replica of the same master.
//! Datasets are compared with DEBUG DIGEST.

mod common;

use common::{require_redis, wait_for_condition_within, Conn, Reply, Server};
use std::time::Duration;

const DEBUG: &[&str] = &["--enable-debug-command", "yes"];
const LIMIT: Duration = Duration::from_secs(30);

fn info(c: &mut Conn, field: &str) -> Option<String> {
    let text = String::from_utf8_lossy(&c.cmd(&["INFO", "all"])).into_owned();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .map(|v| v.trim().to_string())
}

fn digest(c: &mut Conn) -> String {
    let r = Reply::parse(&c.cmd(&["DEBUG", "DIGEST"]));
    String::from_utf8_lossy(&r.as_bytes().expect("digest")).into_owned()
}

fn wait_link_up(c: &mut Conn) {
    wait_for_condition_within("master_link_status:up", LIMIT, || {
        info(c, "master_link_status").as_deref() == Some("up")
    });
}

fn wait_same_digest(master: &mut Conn, replicas: &mut [&mut Conn]) {
    let want = digest(master);
    for r in replicas.iter_mut() {
        let mut last = String::new();
        wait_for_condition_within("equal digests", LIMIT, || {
            last = digest(r);
            last == want
        });
    }
}

/// Writes of every kind the stream carries: several dbs, expiries,
/// transactions, non-deterministic commands rewritten by the master.
fn write_mix(c: &mut Conn, tag: &str) {
    for i in 0..200 {
        c.cmd(&["SET", &format!("{tag}:s:{i}"), &format!("v{i}")]);
    }
    for i in 0..10 {
        let k = format!("{tag}:l:{i}");
        for j in 0..20 {
            c.cmd(&["RPUSH", &k, &format!("e{j}")]);
        }
        c.cmd(&["HSET", &format!("{tag}:h:{i}"), "a", "1", "b", "2"]);
        c.cmd(&["SADD", &format!("{tag}:set:{i}"), "x", "y", "z"]);
        c.cmd(&["ZADD", &format!("{tag}:z:{i}"), "1", "a", "2.5", "b"]);
        c.cmd(&["SET", &format!("{tag}:ttl:{i}"), "v", "EX", "1000"]);
    }
    for args in [
        &["INCRBYFLOAT", &format!("{tag}:f"), "1.5"][..],
        &["SPOP", &format!("{tag}:set:1")],
        &["EXPIRE", &format!("{tag}:s:1"), "500"],
        &["DEL", &format!("{tag}:s:2")],
        &["LPOP", &format!("{tag}:l:3"), "3"],
    ] {
        assert!(!c.cmd_reply(args).is_error(), "{args:?}");
    }
    assert_eq!(c.cmd(&["MULTI"]), b"+OK\r\n");
    c.cmd(&["INCR", &format!("{tag}:ctr")]);
    c.cmd(&["LPUSH", &format!("{tag}:q"), "job"]);
    assert!(!Reply::parse(&c.cmd(&["EXEC"])).is_error());
    c.cmd(&["SELECT", "5"]);
    c.cmd(&["SET", &format!("{tag}:in5"), "yes"]);
    c.cmd(&["SELECT", "0"]);
}

/// An oxidis replica (DEBUG enabled) of the master on `port`.
fn oxidis_replica_of(port: &str) -> Server {
    Server::oxidis(&[
        "--enable-debug-command",
        "yes",
        "--replicaof",
        "127.0.0.1",
        port,
    ])
}

/// Redis master flavours: disk-based payload (`$<len>`) and diskless (`$EOF:`).
fn redis_master(diskless: bool) -> Server {
    let d = if diskless { "yes" } else { "no" };
    Server::redis(&[
        "--enable-debug-command",
        "yes",
        "--repl-diskless-sync",
        d,
        "--repl-diskless-sync-delay",
        "0",
    ])
}

fn follows_redis_master(diskless: bool) {
    require_redis();
    let rm = redis_master(diskless);
    let mut m = rm.connect();
    write_mix(&mut m, "before");
    let port = rm.port.to_string();
    let ox = oxidis_replica_of(&port);
    let mut r = ox.connect();
    wait_link_up(&mut r);
    wait_same_digest(&mut m, &mut [&mut r]);
    write_mix(&mut m, "after");
    wait_same_digest(&mut m, &mut [&mut r]);
    // The master sees us online, at its offset once we acknowledged.
    let off: u64 = info(&mut m, "master_repl_offset").unwrap().parse().unwrap();
    wait_for_condition_within("the replica's ACK", LIMIT, || {
        info(&mut m, "slave0").is_some_and(|l| l.contains(&format!("offset={off},")))
    });
    assert_eq!(
        info(&mut r, "slave_repl_offset")
            .unwrap()
            .parse::<u64>()
            .unwrap(),
        off
    );
    assert_eq!(info(&mut m, "sync_full").as_deref(), Some("1"));
}

#[test]
fn replica_of_redis_disk_payload() {
    follows_redis_master(false);
}

#[test]
fn replica_of_redis_diskless_payload() {
    follows_redis_master(true);
}

#[test]
fn redis_master_dropped_link_continues_with_a_partial_resync() {
    require_redis();
    let rm = redis_master(true);
    let mut m = rm.connect();
    write_mix(&mut m, "a");
    let port = rm.port.to_string();
    let ox = oxidis_replica_of(&port);
    let mut r = ox.connect();
    wait_link_up(&mut r);
    wait_same_digest(&mut m, &mut [&mut r]);
    for round in 0..3 {
        // Kill the link (not the process) on either side, then write.
        if round % 2 == 0 {
            assert_eq!(r.cmd(&["CLIENT", "KILL", "TYPE", "master"]), b":1\r\n");
        } else {
            assert_eq!(m.cmd(&["CLIENT", "KILL", "TYPE", "replica"]), b":1\r\n");
        }
        write_mix(&mut m, &format!("away{round}"));
        wait_link_up(&mut r);
        wait_same_digest(&mut m, &mut [&mut r]);
    }
    assert_eq!(info(&mut m, "sync_full").as_deref(), Some("1"));
    assert_eq!(info(&mut m, "sync_partial_ok").as_deref(), Some("3"));
    assert!(ox
        .log()
        .contains("Successful partial resynchronization with master."));
}

#[test]
fn replica_refuses_writes_and_serves_stale_data_as_redis() {
    require_redis();
    // A master that is not there: the link stays down.
    let dead = common::free_port().to_string();
    let ox = Server::oxidis(&["--replicaof", "127.0.0.1", &dead]);
    let rd = Server::redis(&["--replicaof", "127.0.0.1", &dead]);
    let (mut o, mut r) = (ox.connect(), rd.connect());
    for c in [&mut o, &mut r] {
        c.cmd(&["CONFIG", "SET", "replica-serve-stale-data", "yes"]);
    }
    let cmds: &[&[&str]] = &[
        &["SET", "k", "v"],
        &["GET", "k"],
        &["DEL", "k"],
        &["REPLICAOF", "127.0.0.1", "notaport"],
        &["REPLICAOF", "127.0.0.1", "70000"],
        &["SLAVEOF", "127.0.0.1"],
        &["CONFIG", "SET", "replica-serve-stale-data", "no"],
        &["GET", "k"],
        &["SET", "k", "v"],
        &["PING"],
        &["INFO", "nosuchsection"],
        &["CONFIG", "SET", "replica-serve-stale-data", "yes"],
        &["CONFIG", "SET", "replica-read-only", "no"],
        &["SET", "k", "v"],
        &["GET", "k"],
        &["CONFIG", "SET", "replica-read-only", "yes"],
        &["WAIT", "1", "10"],
        &["WAIT", "x", "10"],
    ];
    for args in cmds {
        assert_eq!(
            String::from_utf8_lossy(&o.cmd(args)),
            String::from_utf8_lossy(&r.cmd(args)),
            "{args:?}"
        );
    }
    // ROLE while the link is down: the state differs in timing only
    // (connect / connecting), the shape does not.
    let role = Reply::parse(&o.cmd(&["ROLE"]));
    let e = role.elements().expect("array");
    assert_eq!(e.len(), 5);
    assert_eq!(e[0].as_bytes().as_deref(), Some(&b"slave"[..]));
    assert_eq!(e[2], Reply::Int(dead.parse().unwrap()));
    assert_eq!(e[4], Reply::Int(-1));
    assert_eq!(info(&mut o, "master_link_status").as_deref(), Some("down"));
}

/// The field names of INFO replication, in order.
fn replication_fields(c: &mut Conn) -> Vec<String> {
    let text = String::from_utf8_lossy(&c.cmd(&["INFO", "replication"])).into_owned();
    text.lines()
        .filter_map(|l| l.split_once(':').map(|(k, _)| k.to_string()))
        .collect()
}

#[test]
fn replica_info_and_role_match_redis() {
    require_redis();
    let rm = redis_master(true);
    let mut m = rm.connect();
    m.cmd(&["SET", "k", "v"]);
    let port = rm.port.to_string();
    let ox = Server::oxidis(&["--replicaof", "127.0.0.1", &port]);
    let rd = Server::redis(&["--replicaof", "127.0.0.1", &port]);
    let (mut o, mut r) = (ox.connect(), rd.connect());
    wait_link_up(&mut o);
    wait_link_up(&mut r);
    assert_eq!(replication_fields(&mut o), replication_fields(&mut r));
    for f in [
        "role",
        "master_host",
        "master_port",
        "master_link_status",
        "slave_read_only",
    ] {
        assert_eq!(info(&mut o, f), info(&mut r, f), "{f}");
    }
    m.cmd(&["SET", "k2", "v2"]);
    let off: u64 = info(&mut m, "master_repl_offset").unwrap().parse().unwrap();
    for c in [&mut o, &mut r] {
        wait_for_condition_within("the offset", LIMIT, || {
            info(c, "slave_repl_offset").and_then(|v| v.parse::<u64>().ok()) == Some(off)
        });
    }
    assert_eq!(o.cmd(&["ROLE"]), r.cmd(&["ROLE"]));
    assert_eq!(info(&mut o, "master_replid"), info(&mut m, "master_replid"));
    // The master lists both replicas in its ROLE.
    let role = Reply::parse(&m.cmd(&["ROLE"]));
    let e = role.elements().unwrap();
    assert_eq!(e[2].elements().unwrap().len(), 2);
    // The link shows as a master client (flags=M).
    let list = String::from_utf8_lossy(&o.cmd(&["CLIENT", "LIST", "TYPE", "master"])).into_owned();
    assert!(list.contains(" flags=M "), "{list}");
}

#[test]
fn redis_master_promotion_keeps_the_history_as_secondary_id() {
    require_redis();
    let rm = redis_master(true);
    let mut m = rm.connect();
    write_mix(&mut m, "p");
    let port = rm.port.to_string();
    let ox = oxidis_replica_of(&port);
    let mut r = ox.connect();
    wait_link_up(&mut r);
    wait_same_digest(&mut m, &mut [&mut r]);
    let old_id = info(&mut m, "master_replid").unwrap();
    let off: u64 = info(&mut m, "master_repl_offset").unwrap().parse().unwrap();
    wait_for_condition_within("the offset", LIMIT, || {
        info(&mut r, "slave_repl_offset").and_then(|v| v.parse::<u64>().ok()) == Some(off)
    });
    assert_eq!(r.cmd(&["REPLICAOF", "NO", "ONE"]), b"+OK\r\n");
    assert_eq!(info(&mut r, "role").as_deref(), Some("master"));
    assert_eq!(info(&mut r, "master_replid2"), Some(old_id.clone()));
    assert_eq!(
        info(&mut r, "second_repl_offset"),
        Some((off + 1).to_string())
    );
    assert_ne!(info(&mut r, "master_replid"), Some(old_id));
    assert_eq!(r.cmd(&["SET", "after-promotion", "1"]), b"+OK\r\n");
    // REPLICAOF NO ONE again is a no-op; the same master twice is refused softly.
    assert_eq!(r.cmd(&["REPLICAOF", "NO", "ONE"]), b"+OK\r\n");
    assert_eq!(r.cmd(&["REPLICAOF", "127.0.0.1", &port]), b"+OK\r\n");
    assert_eq!(
        r.cmd(&["REPLICAOF", "127.0.0.1", &port]),
        b"+OK Already connected to specified master\r\n"
    );
    // Back as a replica, it takes the master's data again.
    wait_link_up(&mut r);
    wait_same_digest(&mut m, &mut [&mut r]);
}

#[test]
fn chained_oxidis_and_redis_replicas_of_an_oxidis_master() {
    require_redis();
    // oxidis master -> oxidis replica -> redis replica and oxidis replica.
    let a = Server::oxidis(DEBUG);
    let mut ma = a.connect();
    write_mix(&mut ma, "x");
    let a_port = a.port.to_string();
    let b = oxidis_replica_of(&a_port);
    let mut mb = b.connect();
    wait_link_up(&mut mb);
    // The stream is in db 5 when the chain's replicas attach: they start
    // there (RDB aux repl-stream-db), as the proxied stream has no SELECT.
    ma.cmd(&["SELECT", "5"]);
    ma.cmd(&["SET", "pre5", "1"]);
    let b_port = b.port.to_string();
    let c = Server::redis(&[
        "--enable-debug-command",
        "yes",
        "--replicaof",
        "127.0.0.1",
        &b_port,
    ]);
    let d = oxidis_replica_of(&b_port);
    let (mut mc, mut md) = (c.connect(), d.connect());
    wait_link_up(&mut mc);
    wait_link_up(&mut md);
    ma.cmd(&["SET", "post5", "1"]);
    ma.cmd(&["SELECT", "0"]);
    write_mix(&mut ma, "y");
    wait_same_digest(&mut ma, &mut [&mut mb, &mut mc, &mut md]);
    // The chain carries the master's history: same ID and offsets.
    let id = info(&mut ma, "master_replid");
    let off: u64 = info(&mut ma, "master_repl_offset")
        .unwrap()
        .parse()
        .unwrap();
    for r in [&mut mb, &mut mc, &mut md] {
        assert_eq!(info(r, "master_replid"), id);
        wait_for_condition_within("the chain's offset", LIMIT, || {
            info(r, "master_repl_offset").and_then(|v| v.parse::<u64>().ok()) == Some(off)
        });
    }
    // Keys expire on the replicas by the master's DELs only.
    ma.cmd(&["SET", "short", "v", "PX", "50"]);
    wait_for_condition_within("the key on the chain", LIMIT, || {
        mc.cmd(&["EXISTS", "short"]) == b":1\r\n" || mc.cmd(&["DBSIZE"]) != mb.cmd(&["DBSIZE"])
    });
    wait_for_condition_within("the master's expiry", LIMIT, || {
        ma.cmd(&["EXISTS", "short"]) == b":0\r\n"
    });
    wait_same_digest(&mut ma, &mut [&mut mb, &mut mc, &mut md]);
}

#[test]
fn replica_resyncs_when_the_oxidis_master_restarts() {
    let mut a = Server::oxidis(DEBUG);
    let mut ma = a.connect();
    write_mix(&mut ma, "r");
    let port = a.port;
    let ox = Server::oxidis(&[
        "--enable-debug-command",
        "yes",
        "--replicaof",
        "127.0.0.1",
        &port.to_string(),
    ]);
    let mut r = ox.connect();
    wait_link_up(&mut r);
    wait_same_digest(&mut ma, &mut [&mut r]);
    // The master goes away: the link is down, the data stays.
    let before = digest(&mut r);
    drop(ma);
    a.kill();
    wait_for_condition_within("the link down", LIMIT, || {
        info(&mut r, "master_link_status").as_deref() == Some("down")
    });
    assert_eq!(digest(&mut r), before);
    assert!(info(&mut r, "master_link_down_since_seconds").is_some());
    // A new master on the same port, with other data: a full resync.
    let a2 = Server::oxidis_on_port(port, DEBUG);
    let mut m2 = a2.connect();
    m2.cmd(&["SET", "fresh", "1"]);
    wait_link_up(&mut r);
    wait_same_digest(&mut m2, &mut [&mut r]);
}

#[test]
fn restarted_replica_continues_from_its_rdb_with_redis_master() {
    require_redis();
    let rm = redis_master(true);
    let mut m = rm.connect();
    write_mix(&mut m, "r");
    let port = rm.port.to_string();
    let args = [
        "--enable-debug-command",
        "yes",
        "--replicaof",
        "127.0.0.1",
        &port,
    ];
    let mut ox = Server::oxidis(&args);
    let mut r = ox.connect();
    wait_link_up(&mut r);
    wait_same_digest(&mut m, &mut [&mut r]);
    // The stream is in db 5 when the replica saves.
    m.cmd(&["SELECT", "5"]);
    m.cmd(&["SET", "k5", "1"]);
    let off: u64 = info(&mut m, "master_repl_offset").unwrap().parse().unwrap();
    wait_for_condition_within("the offset", LIMIT, || {
        info(&mut r, "slave_repl_offset").and_then(|v| v.parse::<u64>().ok()) == Some(off)
    });
    assert_eq!(r.cmd(&["SAVE"]), b"+OK\r\n");
    let saved = std::fs::read(ox.dir().join("dump.rdb")).expect("dump.rdb");
    drop(r);
    ox.kill();
    // Writes while it is down, in the db the stream was in.
    m.cmd(&["SET", "while-down", "1"]);
    m.cmd(&["SELECT", "0"]);
    m.cmd(&["SET", "while-down0", "1"]);
    // Restarted on its file: a partial resync from the saved offset.
    let dir2 = common::fresh_temp_dir("replica-restart");
    std::fs::write(dir2.join("dump.rdb"), &saved).unwrap();
    let ox2 = Server::start_in_dir(&common::oxidis_bin(), &dir2, &args);
    let mut r2 = ox2.connect();
    wait_link_up(&mut r2);
    wait_same_digest(&mut m, &mut [&mut r2]);
    assert_eq!(info(&mut m, "sync_full").as_deref(), Some("1"));
    assert_eq!(info(&mut m, "sync_partial_ok").as_deref(), Some("1"));
}

#[test]
fn clients_blocked_on_a_master_that_becomes_a_replica_are_unblocked_redis() {
    require_redis();
    let rm = redis_master(true);
    let ox = Server::oxidis(&[]);
    let mut o = ox.connect();
    let mut blocked = ox.connect();
    blocked.send(&[b"BLPOP", b"q", b"0"]);
    common::wait_for_blocked_clients(&mut o, 1);
    let port = rm.port.to_string();
    assert_eq!(o.cmd(&["REPLICAOF", "127.0.0.1", &port]), b"+OK\r\n");
    assert_eq!(
        blocked.read_reply(),
        b"-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n"
    );
    assert!(blocked.is_closed_within(Duration::from_secs(5)));
    common::wait_for_blocked_clients(&mut o, 0);
    wait_link_up(&mut o);
    // BLPOP on a read-only replica is a write: refused.
    assert_eq!(
        o.cmd(&["BLPOP", "q", "0"]),
        b"-READONLY You can't write against a read only replica.\r\n"
    );
}

#[test]
fn redis_sibling_continues_with_a_promoted_oxidis_replica() {
    require_redis();
    // oxidis master A; oxidis replica B and redis replica C of A.
    let a = Server::oxidis(DEBUG);
    let mut ma = a.connect();
    write_mix(&mut ma, "f");
    let a_port = a.port.to_string();
    let b = oxidis_replica_of(&a_port);
    let c = Server::redis(&[
        "--enable-debug-command",
        "yes",
        "--replicaof",
        "127.0.0.1",
        &a_port,
    ]);
    let (mut mb, mut mc) = (b.connect(), c.connect());
    wait_link_up(&mut mb);
    wait_link_up(&mut mc);
    write_mix(&mut ma, "g");
    wait_same_digest(&mut ma, &mut [&mut mb, &mut mc]);
    let off: u64 = info(&mut ma, "master_repl_offset")
        .unwrap()
        .parse()
        .unwrap();
    for r in [&mut mb, &mut mc] {
        wait_for_condition_within("the offset", LIMIT, || {
            info(r, "master_repl_offset").and_then(|v| v.parse::<u64>().ok()) == Some(off)
        });
    }
    // Failover by hand: B promoted, C follows B and continues (replid2).
    assert_eq!(mb.cmd(&["REPLICAOF", "NO", "ONE"]), b"+OK\r\n");
    let b_port = b.port.to_string();
    assert_eq!(mc.cmd(&["REPLICAOF", "127.0.0.1", &b_port]), b"+OK\r\n");
    wait_link_up(&mut mc);
    assert_eq!(info(&mut mb, "sync_partial_ok").as_deref(), Some("1"));
    assert_eq!(info(&mut mb, "sync_full").as_deref(), Some("0"));
    mb.cmd(&["SET", "after-failover", "1"]);
    wait_same_digest(&mut mb, &mut [&mut mc]);
    // The old master rejoins as B's replica: its history up to the
    // promotion is B's replid2, so it continues too.
    assert_eq!(ma.cmd(&["REPLICAOF", "127.0.0.1", &b_port]), b"+OK\r\n");
    wait_link_up(&mut ma);
    wait_same_digest(&mut mb, &mut [&mut ma, &mut mc]);
    assert_eq!(info(&mut mb, "sync_partial_ok").as_deref(), Some("2"));
    assert_eq!(info(&mut mb, "sync_full").as_deref(), Some("0"));
}

#[test]
fn chained_redis_replica_continues_after_its_link_to_an_oxidis_replica_drops() {
    require_redis();
    let a = Server::oxidis(DEBUG);
    let mut ma = a.connect();
    write_mix(&mut ma, "c");
    let a_port = a.port.to_string();
    let b = oxidis_replica_of(&a_port);
    let mut mb = b.connect();
    wait_link_up(&mut mb);
    let b_port = b.port.to_string();
    let c = Server::redis(&[
        "--enable-debug-command",
        "yes",
        "--replicaof",
        "127.0.0.1",
        &b_port,
    ]);
    let mut mc = c.connect();
    wait_link_up(&mut mc);
    assert_eq!(mb.cmd(&["CLIENT", "KILL", "TYPE", "replica"]), b":1\r\n");
    write_mix(&mut ma, "d");
    wait_link_up(&mut mc);
    wait_same_digest(&mut ma, &mut [&mut mb, &mut mc]);
    assert_eq!(info(&mut mb, "sync_full").as_deref(), Some("1"));
    assert_eq!(info(&mut mb, "sync_partial_ok").as_deref(), Some("1"));
}

/// The `replicaof` line of a config file, if any.
fn replicaof_line(conf: &std::path::Path) -> Option<String> {
    std::fs::read_to_string(conf)
        .expect("config file")
        .lines()
        .find(|l| l.starts_with("replicaof "))
        .map(str::to_string)
}

#[test]
fn config_rewrite_writes_and_removes_replicaof_as_redis() {
    // Sentinel relies on it: a reconfigured replica keeps its master across
    // a restart, and a promoted one forgets it.
    require_redis();
    let rm = redis_master(true);
    let port = rm.port.to_string();
    let dir = common::fresh_temp_dir("rewrite-replicaof");
    let mut lines = Vec::new();
    for (name, bin) in [
        ("oxidis", common::oxidis_bin()),
        ("redis", common::redis_bin().expect("redis-server")),
    ] {
        let conf = dir.join(format!("{name}.conf"));
        std::fs::write(&conf, "# test\n").unwrap();
        let srv = Server::start_with_config(&bin, &conf, &[]);
        let mut c = srv.connect();
        assert_eq!(c.cmd(&["REPLICAOF", "127.0.0.1", &port]), b"+OK\r\n");
        assert_eq!(c.cmd(&["CONFIG", "REWRITE"]), b"+OK\r\n");
        let as_replica = replicaof_line(&conf);
        assert_eq!(c.cmd(&["REPLICAOF", "NO", "ONE"]), b"+OK\r\n");
        assert_eq!(c.cmd(&["CONFIG", "REWRITE"]), b"+OK\r\n");
        let as_master = replicaof_line(&conf);
        lines.push((as_replica, as_master));
    }
    assert_eq!(lines[0].0, Some(format!("replicaof 127.0.0.1 {port}")));
    assert_eq!(lines[0], lines[1], "oxidis vs redis (replica, then master)");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sync_on_a_replica_without_its_master_is_refused_as_redis() {
    require_redis();
    // A master that is not there: the link never comes up.
    let dead = common::free_port().to_string();
    let mut replies = Vec::new();
    for srv in [Server::oxidis(&[]), Server::redis(&[])] {
        let mut c = srv.connect();
        assert_eq!(c.cmd(&["REPLICAOF", "127.0.0.1", &dead]), b"+OK\r\n");
        let psync = c.cmd(&["PSYNC", "?", "-1"]);
        let sync = srv.connect().cmd(&["SYNC"]);
        replies.push((psync, sync));
    }
    assert_eq!(
        replies[0].0,
        b"-NOMASTERLINK Can't SYNC while not connected with my master\r\n"
    );
    assert_eq!(replies[0], replies[1], "oxidis vs redis");
}
