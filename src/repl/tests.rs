//! Unit tests of the propagation layer: the stream encoding, MULTI/EXEC units,
//! and the rewrites of non-deterministic commands run through call().

use super::*;
use crate::cmd::harness::Harness;
use crate::config::Config;

fn server() -> Server {
    let mut srv = Server::new(Config::default());
    create_backlog(&mut srv);
    srv.repl.slaveseldb = -1;
    srv
}

fn stream(srv: &mut Server) -> String {
    String::from_utf8_lossy(&std::mem::take(&mut srv.repl.buffer)).into_owned()
}

#[test]
fn select_only_when_the_db_changes() {
    let mut srv = server();
    feed(&mut srv, 0, &argv([b"SET", b"a", b"1"]));
    feed(&mut srv, 0, &argv([b"DEL", b"a"]));
    feed(&mut srv, 3, &argv([b"DEL", b"b"]));
    assert_eq!(
        stream(&mut srv),
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n\
         *2\r\n$3\r\nDEL\r\n$1\r\na\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n*2\r\n$3\r\nDEL\r\n$1\r\nb\r\n"
    );
    assert_eq!(srv.repl.master_repl_offset, 113);
}

#[test]
fn several_pending_commands_are_wrapped_in_multi() {
    let mut srv = server();
    srv.repl.slaveseldb = 0;
    also_propagate(&mut srv, 1, || argv([b"SREM", b"s", b"a"]));
    also_propagate(&mut srv, 1, || argv([b"SREM", b"s", b"b"]));
    propagate_pending(&mut srv);
    let s = stream(&mut srv);
    let select = s.find("SELECT").unwrap();
    let multi = s.find("MULTI").unwrap();
    let exec = s.find("EXEC").unwrap();
    assert!(select < multi && multi < exec);
    assert_eq!(s.matches("SELECT").count(), 1);
    also_propagate(&mut srv, 1, || argv([b"DEL", b"s"]));
    propagate_pending(&mut srv);
    assert_eq!(stream(&mut srv), "*2\r\n$3\r\nDEL\r\n$1\r\ns\r\n");
}

#[test]
fn nothing_is_produced_without_a_backlog() {
    let mut srv = Server::new(Config::default());
    also_propagate(&mut srv, 0, || argv([b"DEL", b"a"]));
    feed(&mut srv, 0, &argv([b"DEL", b"a"]));
    propagate_pending(&mut srv);
    assert!(srv.repl.buffer.is_empty());
    assert_eq!(srv.repl.master_repl_offset, 0);
}

/// A server with a backlog (so the stream is produced) and one client.
fn harness() -> Harness {
    Harness::new(server())
}

trait Fed {
    fn fed(&mut self) -> Vec<String>;
}

impl Fed for Harness {
    /// The commands fed since the last call, as text, SELECTs left out.
    fn fed(&mut self) -> Vec<String> {
        let raw = std::mem::take(&mut self.srv.repl.buffer);
        let mut out = Vec::new();
        let text = String::from_utf8_lossy(&raw).into_owned();
        let mut lines = text.split("\r\n");
        while let Some(head) = lines.next() {
            let Some(n) = head.strip_prefix('*') else {
                continue;
            };
            let n: usize = n.parse().unwrap();
            let argv: Vec<&str> = (0..n)
                .map(|_| {
                    lines.next();
                    lines.next().unwrap()
                })
                .collect();
            if argv[0] != "SELECT" {
                out.push(argv.join(" "));
            }
        }
        out
    }
}

#[test]
fn expiry_commands_propagate_absolute_times() {
    let mut h = harness();
    h.run(&["SET", "k", "v"]);
    h.run(&["EXPIRE", "k", "100"]);
    h.run(&["pexpireat", "k", "2000000000000", "GT"]);
    h.run(&["SETEX", "s", "10", "v"]);
    h.run(&["SET", "s", "v", "PX", "5000", "NX"]);
    h.run(&["SET", "s", "v", "EXAT", "2000000000", "GET"]);
    h.run(&["GETEX", "s", "PERSIST"]);
    let now = h.srv.now_ms;
    let fed = h.fed();
    assert_eq!(fed[0], "SET k v");
    let at: i64 = fed[1]
        .strip_prefix("PEXPIREAT k ")
        .unwrap()
        .parse()
        .unwrap();
    assert!((at - (now + 100_000)).abs() < 1000, "{fed:?}");
    assert_eq!(fed[2], "pexpireat k 2000000000000 GT");
    assert!(fed[3].starts_with("SET s v PXAT "), "{fed:?}");
    assert_eq!(fed[4], "SET s v PXAT 2000000000000");
    assert_eq!(fed[5], "PERSIST s");
    assert_eq!(fed.len(), 6, "the failed SET NX is not propagated: {fed:?}");
    h.run(&["EXPIRE", "s", "-1"]);
    h.run(&["CONFIG", "SET", "lazyfree-lazy-expire", "yes"]);
    h.run(&["SET", "u", "v"]);
    h.run(&["PEXPIRE", "u", "0"]);
    assert_eq!(h.fed(), ["DEL s", "SET u v", "UNLINK u"]);
}

#[test]
fn float_increments_and_pops_propagate_their_results() {
    let mut h = harness();
    h.run(&["INCRBYFLOAT", "f", "1.5"]);
    h.run(&["HINCRBYFLOAT", "h", "x", "2.5e1"]);
    h.run(&["SADD", "s", "only"]);
    h.run(&["SPOP", "s"]);
    h.run(&["SADD", "s", "a", "b", "c"]);
    h.run(&["SPOP", "s", "5"]);
    h.run(&["GETDEL", "f"]);
    h.run(&["GETDEL", "f"]);
    assert_eq!(
        h.fed(),
        [
            "SET f 1.5 KEEPTTL",
            "HSET h x 25",
            "SADD s only",
            "SREM s only",
            "SADD s a b c",
            "DEL s",
            "DEL f"
        ]
    );
    h.run(&["SADD", "s", "a", "b", "c", "d", "e", "f"]);
    h.run(&["SPOP", "s", "2"]);
    let fed = h.fed();
    assert_eq!(fed.len(), 5, "{fed:?}");
    assert_eq!((fed[1].as_str(), fed[4].as_str()), ("MULTI", "EXEC"));
    assert!(fed[2].starts_with("SREM s ") && fed[3].starts_with("SREM s "));
}

#[test]
fn exec_propagates_only_its_writes() {
    let mut h = harness();
    for args in [&["MULTI"][..], &["GET", "a"], &["SET", "a", "1"], &["EXEC"]] {
        h.run(args);
    }
    assert_eq!(h.fed(), ["SET a 1"]);
    for args in [
        &["MULTI"][..],
        &["SET", "a", "2"],
        &["GET", "a"],
        &["INCR", "a"],
        &["EXEC"],
    ] {
        h.run(args);
    }
    assert_eq!(h.fed(), ["MULTI", "SET a 2", "INCR a", "EXEC"]);
    for args in [&["MULTI"][..], &["GET", "a"], &["EXEC"]] {
        h.run(args);
    }
    assert!(h.fed().is_empty());
}

#[test]
fn a_key_found_expired_is_deleted_in_the_same_unit() {
    let mut h = harness();
    h.run(&["SET", "k", "v", "PX", "1"]);
    h.run(&["SET", "j", "v", "PX", "1"]);
    h.fed();
    std::thread::sleep(std::time::Duration::from_millis(5));
    h.run(&["GET", "k"]);
    h.run(&["APPEND", "j", "w"]);
    assert_eq!(h.fed(), ["DEL k", "MULTI", "DEL j", "APPEND j w", "EXEC"]);
}
