//! WAIT on the master: without replicas, with a real redis-server replica
//! attached to oxidis, and with a hand-driven replica (a connection that did
//! SYNC and acknowledges offsets when the test says so), which shows the
//! `REPLCONF GETACK *` in the stream and makes every count deterministic.
//! Error texts, CLIENT UNBLOCK and MULTI are compared byte for byte with
//! redis-server 7.0.

mod common;

use common::{info_field, wait_for_blocked_clients, wait_for_condition, Conn, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// What the master sends to ask for an ACK.
const GETACK: &[u8] = b"*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";

fn client_id(c: &mut Conn) -> String {
    let raw = c.cmd(&["CLIENT", "ID"]);
    String::from_utf8_lossy(&raw[1..raw.len() - 2]).into_owned()
}

fn master_offset(c: &mut Conn) -> u64 {
    info_field(c, "replication", "master_repl_offset")
        .parse()
        .unwrap()
}

/// The `slave0` line of INFO replication, if there is one.
fn slave0(c: &mut Conn) -> Option<String> {
    let raw = c.cmd(&["INFO", "replication"]);
    String::from_utf8_lossy(&raw)
        .lines()
        .find_map(|l| l.strip_prefix("slave0:").map(str::to_string))
}

/// A replica played by the test: SYNC, the RDB skipped, then the stream read
/// on demand and ACKs sent on demand.
struct FakeReplica {
    s: TcpStream,
    stream: Vec<u8>,
}

impl FakeReplica {
    /// Attaches to `port` and waits until the master lists it online.
    fn attach(port: u16, m: &mut Conn) -> FakeReplica {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        s.write_all(b"SYNC\r\n").unwrap();
        let mut r = FakeReplica {
            s,
            stream: Vec::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let len = loop {
            while r.stream.first() == Some(&b'\n') {
                r.stream.remove(0);
            }
            if let Some(i) = r.stream.windows(2).position(|w| w == b"\r\n") {
                let line = String::from_utf8_lossy(&r.stream[..i]).into_owned();
                r.stream.drain(..i + 2);
                break line[1..].parse::<usize>().expect("RDB length");
            }
            assert!(Instant::now() < deadline, "no RDB from SYNC");
            r.fill();
        };
        while r.stream.len() < len {
            assert!(Instant::now() < deadline, "RDB incomplete");
            r.fill();
        }
        r.stream.drain(..len);
        wait_for_condition("the fake replica online", || {
            slave0(m).is_some_and(|l| l.contains("state=online"))
        });
        r
    }

    fn fill(&mut self) {
        let mut chunk = [0u8; 65536];
        match self.s.read(&mut chunk) {
            Ok(0) => panic!("replication stream closed"),
            Ok(n) => self.stream.extend_from_slice(&chunk[..n]),
            Err(_) => {}
        }
    }

    /// Reads the stream until it holds `what`; returns what came before it
    /// and drops both.
    fn read_until(&mut self, what: &[u8]) -> Vec<u8> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(i) = self.stream.windows(what.len()).position(|w| w == what) {
                let before = self.stream[..i].to_vec();
                self.stream.drain(..i + what.len());
                return before;
            }
            assert!(
                Instant::now() < deadline,
                "no {:?} in the stream: {:?}",
                String::from_utf8_lossy(what),
                String::from_utf8_lossy(&self.stream)
            );
            self.fill();
        }
    }

    fn ack(&mut self, offset: u64) {
        let off = offset.to_string();
        self.s
            .write_all(&Conn::encode(&[b"REPLCONF", b"ACK", off.as_bytes()]))
            .unwrap();
    }
}

/// An oxidis master with a redis-server replica in sync.
fn with_redis_replica() -> (Server, Server, Conn) {
    let ox = Server::oxidis(&[]);
    let mut m = ox.connect();
    let rp = Server::redis(&["--replicaof", "127.0.0.1", &ox.port.to_string()]);
    common::wait_for_condition_within("the replica online", Duration::from_secs(30), || {
        slave0(&mut m).is_some_and(|l| l.contains("state=online"))
    });
    (ox, rp, m)
}

/// The same commands to both servers, the same bytes back.
fn same_replies(ox: &mut Conn, rd: &mut Conn, cmds: &[&[&str]]) {
    for args in cmds {
        let (a, b) = (ox.cmd(args), rd.cmd(args));
        assert_eq!(
            String::from_utf8_lossy(&a),
            String::from_utf8_lossy(&b),
            "{args:?}"
        );
    }
}

#[test]
fn wait_errors_and_multi_as_redis() {
    let ox = Server::oxidis(&[]);
    let rd = Server::redis(&[]);
    let (mut o, mut r) = (ox.connect(), rd.connect());
    same_replies(
        &mut o,
        &mut r,
        &[
            &["WAIT"],
            &["WAIT", "1"],
            &["WAIT", "1", "2", "3"],
            &["WAIT", "a", "0"],
            &["WAIT", "1", "a"],
            &["WAIT", "1", "-1"],
            &["WAIT", "1", "1.5"],
            &["WAIT", "1.5", "0"],
            &["WAIT", "99999999999999999999", "0"],
            &["WAIT", "1", "99999999999999999999"],
            &["WAIT", "a", "-1"],
            &["WAIT", "0", "0"],
            &["WAIT", "-5", "0"],
            &["MULTI"],
            &["WAIT", "3", "0"],
            &["WAIT", "1", "-1"],
            &["EXEC"],
            &["MULTI"],
            &["SET", "k", "v"],
            &["WAIT", "1", "0"],
            &["EXEC"],
        ],
    );
}

#[test]
fn wait_without_replicas() {
    let ox = Server::oxidis(&[]);
    let mut c = ox.connect();
    assert_eq!(c.cmd(&["WAIT", "0", "0"]), b":0\r\n");
    let t = Instant::now();
    assert_eq!(c.cmd(&["WAIT", "1", "100"]), b":0\r\n");
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(95), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(info_field(&mut c, "clients", "blocked_clients"), "0");
}

/// CLIENT UNBLOCK of a waiting client, TIMEOUT and ERROR, as redis-server
/// answers it (no replica: the count is 0).
#[test]
fn client_unblock_wait_as_redis() {
    let ox = Server::oxidis(&[]);
    let rd = Server::redis(&[]);
    for reason in [None, Some("TIMEOUT"), Some("ERROR")] {
        let mut got = Vec::new();
        for srv in [&ox, &rd] {
            let mut waiter = srv.connect();
            let mut ctl = srv.connect();
            let id = client_id(&mut waiter);
            waiter.send(&[b"WAIT", b"1", b"0"]);
            wait_for_blocked_clients(&mut ctl, 1);
            let mut args = vec!["CLIENT", "UNBLOCK", &id];
            args.extend(reason);
            let ctl_reply = ctl.cmd(&args);
            let reply = waiter.read_reply();
            wait_for_blocked_clients(&mut ctl, 0);
            // The waiter goes on serving commands.
            assert_eq!(waiter.cmd(&["PING"]), b"+PONG\r\n");
            got.push((ctl_reply, reply));
        }
        assert_eq!(got[0], got[1], "CLIENT UNBLOCK {reason:?}");
    }
}

/// The hand-driven replica shows the whole exchange: a WAIT that blocks puts
/// a GETACK in the stream (counted in the offset), an ACK short of the
/// client's offset leaves it waiting, one at its offset answers it.
#[test]
fn wait_sends_getack_and_ack_answers() {
    let ox = Server::oxidis(&["--repl-ping-replica-period", "3600"]);
    let mut m = ox.connect();
    let mut ctl = ox.connect();
    let mut rep = FakeReplica::attach(ox.port, &mut ctl);
    assert_eq!(m.cmd(&["SET", "k", "v"]), b"+OK\r\n");
    rep.read_until(b"$1\r\nk\r\n$1\r\nv\r\n");
    let after_set = master_offset(&mut ctl);
    // The replica acknowledged nothing yet: the WAIT blocks and asks.
    m.send(&[b"WAIT", b"1", b"0"]);
    wait_for_blocked_clients(&mut ctl, 1);
    let between = rep.read_until(GETACK);
    assert_eq!(
        master_offset(&mut ctl),
        after_set + between.len() as u64 + GETACK.len() as u64
    );
    rep.ack(after_set - 1);
    wait_for_condition("the short ACK", || {
        slave0(&mut ctl).is_some_and(|l| l.contains(&format!("offset={}", after_set - 1)))
    });
    assert_eq!(info_field(&mut ctl, "clients", "blocked_clients"), "1");
    rep.ack(after_set);
    assert_eq!(m.read_reply(), b":1\r\n");
    wait_for_blocked_clients(&mut ctl, 0);
    // Its offset is still the one before the GETACK (Redis's c->woff is taken
    // after each command): answered at once. Once that WAIT ran, its offset
    // covers the GETACK too, which the replica has not acknowledged.
    assert_eq!(m.cmd(&["WAIT", "1", "0"]), b":1\r\n");
    assert_eq!(m.cmd(&["WAIT", "0", "0"]), b":0\r\n");
}

/// Two clients waiting at once for different offsets: each ACK answers the
/// ones it covers, in one go when it covers both.
#[test]
fn two_waiters_answered_by_their_acks() {
    let ox = Server::oxidis(&["--repl-ping-replica-period", "3600"]);
    let mut ctl = ox.connect();
    let mut rep = FakeReplica::attach(ox.port, &mut ctl);
    let (mut a, mut b, mut c) = (ox.connect(), ox.connect(), ox.connect());
    a.cmd(&["SET", "a", "1"]);
    let off_a = master_offset(&mut ctl);
    b.cmd(&["SET", "b", "1"]);
    c.cmd(&["SET", "c", "1"]);
    let off_c = master_offset(&mut ctl);
    a.send(&[b"WAIT", b"1", b"0"]);
    b.send(&[b"WAIT", b"1", b"0"]);
    c.send(&[b"WAIT", b"1", b"20000"]);
    wait_for_blocked_clients(&mut ctl, 3);
    rep.read_until(GETACK);
    rep.ack(off_a);
    assert_eq!(a.read_reply(), b":1\r\n");
    wait_for_blocked_clients(&mut ctl, 2);
    rep.ack(off_c);
    assert_eq!(b.read_reply(), b":1\r\n");
    assert_eq!(c.read_reply(), b":1\r\n");
    wait_for_blocked_clients(&mut ctl, 0);
}

/// A waiting client whose replica goes away gets the count at its timeout.
#[test]
fn replica_lost_while_waiting() {
    let ox = Server::oxidis(&[]);
    let mut ctl = ox.connect();
    let rep = FakeReplica::attach(ox.port, &mut ctl);
    let mut m = ox.connect();
    m.cmd(&["SET", "k", "v"]);
    let t = Instant::now();
    m.send(&[b"WAIT", b"1", b"1500"]);
    wait_for_blocked_clients(&mut ctl, 1);
    drop(rep);
    common::wait_for_info(&mut ctl, "replication", "connected_slaves", "0");
    assert_eq!(m.read_reply(), b":0\r\n");
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(1450), "{took:?}");
    wait_for_blocked_clients(&mut ctl, 0);
}

/// Inside MULTI, WAIT never blocks: it answers with the count it has, at the
/// offset of the client's command before EXEC.
#[test]
fn wait_in_multi_with_a_replica() {
    let ox = Server::oxidis(&["--repl-ping-replica-period", "3600"]);
    let mut ctl = ox.connect();
    let mut rep = FakeReplica::attach(ox.port, &mut ctl);
    let mut m = ox.connect();
    m.cmd(&["SET", "k", "v"]);
    for (args, want) in [
        (&["MULTI"][..], &b"+OK\r\n"[..]),
        (&["WAIT", "1", "0"], b"+QUEUED\r\n"),
        (&["EXEC"], b"*1\r\n:0\r\n"),
    ] {
        assert_eq!(m.cmd(args), want, "{args:?}");
    }
    rep.ack(master_offset(&mut ctl));
    wait_for_condition("the ACK", || {
        slave0(&mut ctl).is_some_and(|l| !l.contains("offset=0,"))
    });
    let t = Instant::now();
    for (args, want) in [
        (&["MULTI"][..], &b"+OK\r\n"[..]),
        (&["SET", "k", "w"], b"+QUEUED\r\n"),
        (&["WAIT", "1", "0"], b"+QUEUED\r\n"),
        (&["WAIT", "2", "0"], b"+QUEUED\r\n"),
        (&["EXEC"], b"*3\r\n+OK\r\n:1\r\n:1\r\n"),
    ] {
        assert_eq!(m.cmd(args), want, "{args:?}");
    }
    assert!(t.elapsed() < Duration::from_secs(2));
    assert_eq!(info_field(&mut ctl, "clients", "blocked_clients"), "0");
}

/// With a real redis-server replica: a write is acknowledged well within the
/// timeout (the GETACK, not the replica's once-a-second ACK), a WAIT for more
/// replicas than there are times out with the count, and two waiters are both
/// answered.
#[test]
fn wait_with_a_redis_replica() {
    common::require_redis();
    let (ox, _rp, mut m) = with_redis_replica();
    m.cmd(&["SET", "k", "v"]);
    let t = Instant::now();
    assert_eq!(m.cmd(&["WAIT", "1", "5000"]), b":1\r\n");
    let took = t.elapsed();
    assert!(took < Duration::from_millis(900), "{took:?}");

    m.cmd(&["SET", "k", "w"]);
    let t = Instant::now();
    assert_eq!(m.cmd(&["WAIT", "2", "300"]), b":1\r\n");
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(290), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");

    let mut ctl = ox.connect();
    let (mut a, mut b) = (ox.connect(), ox.connect());
    a.cmd(&["SET", "a", "1"]);
    b.cmd(&["SET", "b", "1"]);
    a.send(&[b"WAIT", b"2", b"1000"]);
    b.send(&[b"WAIT", b"2", b"1000"]);
    wait_for_blocked_clients(&mut ctl, 2);
    assert_eq!(a.read_reply(), b":1\r\n");
    assert_eq!(b.read_reply(), b":1\r\n");
    a.cmd(&["SET", "a", "2"]);
    b.cmd(&["SET", "b", "2"]);
    a.send(&[b"WAIT", b"1", b"5000"]);
    b.send(&[b"WAIT", b"1", b"5000"]);
    assert_eq!(a.read_reply(), b":1\r\n");
    assert_eq!(b.read_reply(), b":1\r\n");
    wait_for_blocked_clients(&mut ctl, 0);
}

/// A waiting client killed, or unblocked, leaves the server and the other
/// waiters as they were.
#[test]
fn wait_client_killed_or_unblocked_redis_replica() {
    common::require_redis();
    let (ox, _rp, mut m) = with_redis_replica();
    let mut w = ox.connect();
    let id = client_id(&mut w);
    w.cmd(&["SET", "k", "v"]);
    w.send(&[b"WAIT", b"2", b"0"]);
    wait_for_blocked_clients(&mut m, 1);
    assert_eq!(m.cmd(&["CLIENT", "KILL", "ID", &id]), b":1\r\n");
    wait_for_blocked_clients(&mut m, 0);
    assert_eq!(m.cmd(&["PING"]), b"+PONG\r\n");
    m.cmd(&["SET", "k", "w"]);
    assert_eq!(m.cmd(&["WAIT", "1", "5000"]), b":1\r\n");

    // CLIENT UNBLOCK answers with the replicas that acknowledged so far.
    let mut w = ox.connect();
    let id = client_id(&mut w);
    w.send(&[b"WAIT", b"2", b"0"]);
    wait_for_blocked_clients(&mut m, 1);
    assert_eq!(m.cmd(&["CLIENT", "UNBLOCK", &id]), b":1\r\n");
    assert_eq!(w.read_reply(), b":1\r\n");
    w.send(&[b"WAIT", b"2", b"0"]);
    wait_for_blocked_clients(&mut m, 1);
    assert_eq!(m.cmd(&["CLIENT", "UNBLOCK", &id, "ERROR"]), b":1\r\n");
    assert_eq!(
        w.read_reply(),
        b"-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    );
    wait_for_blocked_clients(&mut m, 0);
    assert_eq!(w.cmd(&["PING"]), b"+PONG\r\n");
}
