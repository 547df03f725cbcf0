//! Tracking table limits, INFO tracking fields and BCAST batching, differential
//! against redis-server.
//!
//! `tracking-table-max-keys` evicts *random* keys, so those scenarios record what
//! is deterministic (table sizes after each command, how many distinct keys were
//! invalidated, where the messages sit relative to replies) and assert the rest as
//! invariants on each server (every invalidated key was tracked, each one once per
//! client that tracked it, and the items that left the table are the messages).

use crate::common::{frame_len, Conn};
use crate::session::{differential, differential_with, Session, QUIET};
use std::collections::HashSet;
use std::thread;
use std::time::Duration;

const INFO_TRACKING: &[&str] = &[
    "tracking_clients",
    "tracking_total_keys",
    "tracking_total_items",
    "tracking_total_prefixes",
];

/// Splits raw bytes into complete RESP frames.
fn split_frames(mut raw: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while !raw.is_empty() {
        let n = frame_len(raw).expect("valid RESP").expect("complete frame");
        out.push(raw[..n].to_vec());
        raw = &raw[n..];
    }
    out
}

/// The key of a one-key RESP3 invalidation push, None for another frame.
fn invalidated_key(frame: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(frame);
    let rest = text.strip_prefix(">2\r\n$10\r\ninvalidate\r\n*1\r\n")?;
    let mut lines = rest.split("\r\n");
    lines.next()?;
    lines.next().map(str::to_string)
}

/// Every invalidated key that arrives on `c` until it is quiet.
fn drain_invalidations(c: &mut Conn, quiet: Duration, max: Duration) -> Vec<String> {
    let (raw, _) = c.read_until_quiet(quiet, max);
    split_frames(&raw)
        .iter()
        .map(|f| invalidated_key(f).unwrap_or_else(|| panic!("not an invalidation: {f:?}")))
        .collect()
}

/// `tracking_total_keys` in an INFO reply.
fn total_keys(info: &[u8]) -> u64 {
    String::from_utf8_lossy(info)
        .lines()
        .find_map(|l| l.strip_prefix("tracking_total_keys:"))
        .expect("tracking_total_keys")
        .trim()
        .parse()
        .unwrap()
}

/// GET of each key on connection `i` in one pipeline, replies checked and dropped.
fn track(s: &mut Session, i: usize, keys: impl Iterator<Item = String>) {
    let keys: Vec<String> = keys.collect();
    let cmds: Vec<[&str; 2]> = keys.iter().map(|k| ["GET", k.as_str()]).collect();
    let cmds: Vec<&[&str]> = cmds.iter().map(|c| &c[..]).collect();
    s.send(i, &cmds);
    for _ in 0..keys.len() {
        assert_eq!(s.conn(i).read_reply(), b"_\r\n");
    }
}

/// Records the distinct keys invalidated on 0 and 2 and checks the invariants:
/// each message is for a tracked key, no client hears about a key twice, and
/// the messages are exactly the items that left the table.
fn evictions(s: &mut Session, what: &str, items_before: u64, max: Duration) -> HashSet<String> {
    let quiet = QUIET * 2;
    let on0 = drain_invalidations(s.conn(0), quiet, max);
    let on2 = drain_invalidations(s.conn(2), quiet, max);
    let set0: HashSet<String> = on0.iter().cloned().collect();
    let set2: HashSet<String> = on2.iter().cloned().collect();
    assert_eq!(set0.len(), on0.len(), "a key invalidated twice on 0");
    assert_eq!(set2.len(), on2.len(), "a key invalidated twice on 2");
    assert!(
        set2.iter().all(|k| set0.contains(k)),
        "2 tracks a subset of 0"
    );
    let items = s.conn(1).cmd(&["INFO", "stats"]);
    let items: u64 = String::from_utf8_lossy(&items)
        .lines()
        .find_map(|l| l.strip_prefix("tracking_total_items:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!((on0.len() + on2.len()) as u64, items_before - items);
    s.log
        .push(format!("{what}: {} distinct keys invalidated", set0.len()));
    set0
}

#[test]
fn max_keys_progressive_and_in_cron_as_redis() {
    // hz 1: no cron run lands inside the pipelined part by chance.
    differential_with(&["--hz", "1"], |s| {
        s.resp3(0);
        s.resp3(2);
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(2, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(1, &["CONFIG", "GET", "tracking-table-max-keys"]);
        track(s, 0, (0..300).map(|i| format!("k{i}")));
        track(s, 2, (100..200).map(|i| format!("k{i}")));
        s.info_fields(1, INFO_TRACKING);
        // Each command runs the limit first, with 100 more keys of effort per
        // run that ended over the limit: 300 -> 200 -> 50 (done) -> 50 -> 50.
        s.send(
            1,
            &[
                &["CONFIG", "SET", "tracking-table-max-keys", "50"],
                &["INFO", "stats"],
                &["INFO", "stats"],
                &["INFO", "stats"],
                &["INFO", "stats"],
            ],
        );
        s.frames(1, "CONFIG SET tracking-table-max-keys 50", 1);
        let sizes: Vec<u64> = (0..4)
            .map(|_| total_keys(&s.conn(1).read_reply()))
            .collect();
        s.log.push(format!("table sizes: {sizes:?}"));
        let gone = evictions(s, "limit 50", 400, Duration::from_secs(2));
        s.cmd(1, &["CONFIG", "GET", "tracking-table-max-keys"]);
        let left = s.info_fields(1, &["tracking_total_keys"]);
        // The keys still tracked are those not invalidated: re-reading them
        // adds no key.
        let kept: Vec<String> = (0..300)
            .map(|i| format!("k{i}"))
            .filter(|k| !gone.contains(k))
            .collect();
        assert_eq!(kept.len() as u64, left[0]);
        let items = s.info_fields(1, &["tracking_total_items"])[0];
        s.log.pop(); // random: which keys 2 tracked were evicted
        track(s, 0, kept.into_iter());
        assert_eq!(s.info_fields(1, &["tracking_total_keys"]), left);
        // A lower limit applies in cron without any command.
        s.cmd(1, &["CONFIG", "SET", "tracking-table-max-keys", "10"]);
        // Every command applies the limit itself, so nothing may run meanwhile:
        // the cron's tick (hz 1) can only be waited out.
        thread::sleep(Duration::from_millis(1500));
        evictions(s, "limit 10, idle", items, Duration::from_millis(3000));
        s.info_fields(1, &["tracking_total_keys"]);
        // No limit: the table grows again.
        s.cmd(1, &["CONFIG", "SET", "tracking-table-max-keys", "0"]);
        track(s, 0, (0..100).map(|i| format!("n{i}")));
        s.info_fields(1, &["tracking_total_keys"]);
        s.expect_quiet(0);
    });
}

#[test]
fn max_keys_invalidation_before_reply_as_redis() {
    // The client about to run a command is not executing yet: its invalidations
    // come before the reply, unlike those of its own writes.
    differential(|s| {
        s.resp3(0);
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        track(s, 0, (0..20).map(|i| format!("j{i}")));
        s.send(
            0,
            &[
                &["CONFIG", "SET", "tracking-table-max-keys", "15"],
                &["PING"],
            ],
        );
        let mut shape = Vec::new();
        for _ in 0..7 {
            let f = s.conn(0).read_reply();
            match invalidated_key(&f) {
                Some(_) => shape.push("invalidate".to_string()),
                None => shape.push(String::from_utf8_lossy(&f).trim_end().to_string()),
            }
        }
        s.log.push(format!("frames: {shape:?}"));
        s.expect_quiet(0);
        s.info_fields(1, INFO_TRACKING);
    });
}

#[test]
fn info_tracking_fields_as_redis() {
    differential(|s| {
        s.info_fields(1, INFO_TRACKING);
        s.resp3(0);
        s.resp3(2);
        s.resp3(4);
        s.resp3(5);
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(2, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(0, &["MGET", "a", "b"]);
        s.cmd(2, &["MGET", "b", "c"]);
        s.cmd(0, &["GET", "a"]);
        s.cmd(
            4,
            &[
                "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "x", "PREFIX", "y",
            ],
        );
        s.cmd(5, &["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "x"]);
        s.info_fields(1, INFO_TRACKING);
        s.cmd(1, &["SET", "b", "1"]);
        s.push(0);
        s.push(2);
        s.info_fields(1, INFO_TRACKING);
        s.cmd(4, &["CLIENT", "TRACKING", "OFF"]);
        s.info_fields(1, INFO_TRACKING);
        // Turning tracking off leaves the client's keys in the table.
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        s.info_fields(1, INFO_TRACKING);
        s.cmd(1, &["FLUSHALL"]);
        s.push(2);
        s.push(5);
        s.info_fields(1, INFO_TRACKING);
        s.close(5);
        s.info_fields(1, INFO_TRACKING);
    });
}

/// Returns once the server is inside a DEBUG SLEEP: a PING on connection `i` gets
/// no answer within 50 ms. That PING's reply is left to read.
fn wait_until_busy(s: &mut Session, i: usize) {
    crate::common::wait_for_condition("the server inside DEBUG SLEEP", || {
        let c = s.conn(i);
        c.set_timeout(Duration::from_millis(50));
        c.send(&[b"PING"]);
        let got = c.try_read_reply();
        c.set_timeout(crate::common::READ_TIMEOUT);
        match got {
            Ok(r) => {
                assert_eq!(r, b"+PONG\r\n");
                false
            }
            Err(_) => true,
        }
    });
}

#[test]
fn bcast_one_message_per_event_loop_iteration_as_redis() {
    // Writes from two clients processed in the same event-loop iteration reach a
    // BCAST client as one message (Redis sends them from beforeSleep). DEBUG SLEEP
    // holds the loop while both clients' writes arrive.
    differential(|s| {
        s.resp3(0);
        s.resp3(4);
        s.cmd(
            0,
            &[
                "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "u:", "NOLOOP",
            ],
        );
        s.cmd(4, &["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "u:"]);
        // One pipelined packet: one message with every key, sorted, once each.
        s.send(
            1,
            &[
                &["SET", "u:2", "x"],
                &["SET", "v", "x"],
                &["SET", "u:1", "x"],
                &["INCR", "u:3"],
                &["DEL", "u:2"],
            ],
        );
        s.frames(1, "pipeline", 5);
        s.push(0);
        s.push(4);
        s.expect_quiet(4);
        s.conn(1);
        s.conn(3);
        s.conn(5);
        s.send(2, &[&["DEBUG", "SLEEP", "0.5"]]);
        wait_until_busy(s, 5);
        s.send(0, &[&["SET", "u:a", "1"]]);
        s.send(1, &[&["SET", "u:b", "1"], &["SET", "w", "1"]]);
        s.send(3, &[&["SET", "u:c", "1"]]);
        s.frames(2, "DEBUG SLEEP", 1);
        s.frames(5, "PING sent during the sleep", 1);
        // NOLOOP: 0 hears about the others' keys only, after its reply.
        s.frames(0, "SET u:a + push", 2);
        s.frames(1, "SET u:b, SET w", 2);
        s.frames(3, "SET u:c", 1);
        s.push(4);
        s.expect_quiet(0);
        s.expect_quiet(4);
    });
}

#[test]
fn max_keys_eviction_to_redirect_client_as_redis() {
    // Evicted keys reach a RESP2 redirect client as `message`s on
    // __redis__:invalidate; keys are random, so the transcript shows the shape.
    differential(|s| {
        let r = s.learn_id(3);
        s.subscribe_invalidations(3);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "REDIRECT", &r.to_string()]);
        s.cmd(0, &["MGET", "a", "b", "c", "d", "e"]);
        s.info_fields(1, INFO_TRACKING);
        s.send(
            1,
            &[
                &["CONFIG", "SET", "tracking-table-max-keys", "2"],
                &["PING"],
            ],
        );
        s.frames(1, "CONFIG SET, PING", 2);
        let mut keys = HashSet::new();
        for _ in 0..3 {
            let f = String::from_utf8_lossy(&s.conn(3).read_reply()).into_owned();
            let head = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n";
            let rest = f.strip_prefix(head).unwrap_or_else(|| panic!("{f:?}"));
            let key = rest.split("\r\n").nth(1).unwrap().to_string();
            assert!(["a", "b", "c", "d", "e"].contains(&key.as_str()));
            keys.insert(key);
        }
        s.log
            .push(format!("redirect got {} distinct keys", keys.len()));
        s.expect_quiet(3);
        s.expect_quiet(0);
        s.info_fields(1, INFO_TRACKING);
    });
}
