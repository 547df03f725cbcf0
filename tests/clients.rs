//! Client administration with several clients, differential against a real
//! redis-server: CLIENT PAUSE (what it holds, the static dataset meanwhile),
//! CLIENT LIST's state fields, the idle timeout. Every scenario runs on both
//! servers and the transcripts (each reply in the order read, INFO
//! blocked_clients, CLIENT LIST fields, the replication stream) must be equal.
//! Clients are waited for through observable state (INFO `blocked_clients`, a
//! reply, a closed connection), never with sleeps.

mod common;

use common::{
    frame_len, info_field, require_redis, wait_for_blocked_clients, wait_for_condition, Conn,
    Reply, Server, READ_TIMEOUT,
};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// One server and its numbered connections, with the transcript so far.
struct Side {
    srv: Server,
    conns: Vec<Option<Conn>>,
    ids: Vec<(u64, usize)>,
    log: Vec<String>,
}

impl Side {
    fn new(srv: Server) -> Side {
        Side {
            srv,
            conns: Vec::new(),
            ids: Vec::new(),
            log: Vec::new(),
        }
    }

    fn conn(&mut self, i: usize) -> &mut Conn {
        while self.conns.len() <= i {
            self.conns.push(None);
        }
        let port = self.srv.port;
        self.conns[i].get_or_insert_with(|| Conn::connect(port).expect("connect"))
    }

    /// Client ids differ between the servers: they show as `#conn`.
    fn show(&self, raw: &[u8]) -> String {
        let mut s = common::escape(raw);
        for (id, i) in &self.ids {
            s = s.replace(&format!(":{id}\\r"), &format!(":#{i}\\r"));
        }
        s
    }

    /// Sends without reading (the command may be held).
    fn send(&mut self, i: usize, args: &[&str]) {
        let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        self.conn(i).send(&a);
        let shown: Vec<String> = args
            .iter()
            .map(
                |a| match self.ids.iter().find(|(id, _)| id.to_string() == *a) {
                    Some((_, c)) => format!("#{c}"),
                    None => a.to_string(),
                },
            )
            .collect();
        self.log.push(format!("[{i}] sent {shown:?}"));
    }

    /// Reads one reply on `i` (waits for a held command to be answered).
    fn read(&mut self, i: usize) {
        let r = self.conn(i).read_reply();
        let line = format!("[{i}] -> {}", self.show(&r));
        self.log.push(line);
    }

    fn cmd(&mut self, i: usize, args: &[&str]) {
        self.send(i, args);
        self.read(i);
    }

    /// Waits until `n` clients are blocked (observed on connection 0).
    fn blocked(&mut self, n: usize) {
        wait_for_blocked_clients(self.conn(0), n);
        self.log.push(format!("blocked_clients:{n}"));
    }

    fn learn_id(&mut self, i: usize) -> u64 {
        let r = Reply::parse(&self.conn(i).cmd(&["CLIENT", "ID"]));
        let Reply::Int(id) = r else {
            panic!("CLIENT ID")
        };
        self.ids.push((id as u64, i));
        id as u64
    }

    /// `fields` of the CLIENT LIST line of the client named `name`.
    fn client_fields(&mut self, name: &str, fields: &[&str]) {
        let raw = self.conn(0).cmd(&["CLIENT", "LIST"]);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let line = text
            .lines()
            .find(|l| l.split(' ').any(|f| f == format!("name={name}")))
            .unwrap_or_else(|| panic!("no client {name} in {text}"));
        let got: Vec<&str> = line
            .split(' ')
            .filter(|f| fields.iter().any(|n| f.split('=').next() == Some(n)))
            .collect();
        self.log.push(format!("{name}: {}", got.join(" ")));
    }

    fn info(&mut self, section: &str, field: &str) -> i64 {
        info_field(self.conn(0), section, field)
            .parse()
            .expect("number")
    }
}

fn differential(extra: &[&str], scenario: fn(&mut Side)) {
    require_redis();
    let mut rd = Side::new(Server::redis(extra));
    let mut ox = Side::new(Server::oxidis(extra));
    scenario(&mut rd);
    scenario(&mut ox);
    for i in 0..ox.log.len().max(rd.log.len()) {
        let (o, r) = (ox.log.get(i), rd.log.get(i));
        assert_eq!(
            o,
            r,
            "transcripts differ at step {i}\n--- redis so far ---\n{}",
            rd.log[..i.min(rd.log.len())].join("\n")
        );
    }
}

#[test]
fn writes_publish_and_writing_transactions_wait_for_the_pause_as_redis() {
    differential(&[], |s| {
        s.cmd(0, &["FLUSHALL"]);
        for i in 1..=9 {
            s.cmd(i, &["CLIENT", "SETNAME", &format!("c{i}")]);
        }
        s.cmd(5, &["SUBSCRIBE", "ch"]);
        s.cmd(4, &["SSUBSCRIBE", "sch"]);
        s.cmd(6, &["MULTI"]);
        s.cmd(6, &["INCR", "n"]);
        s.cmd(7, &["MULTI"]);
        s.cmd(7, &["GET", "n"]);
        s.cmd(8, &["MULTI"]);
        s.cmd(0, &["CLIENT", "PAUSE", "100000", "WRITE"]);
        // Held: writes, PUBLISH / SPUBLISH (they replicate), an EXEC whose
        // queue writes, and a write inside MULTI before it is queued.
        s.send(1, &["SET", "k", "v1"]);
        s.blocked(1);
        s.send(2, &["SET", "k", "v2"]);
        s.blocked(2);
        s.send(3, &["PUBLISH", "ch", "m"]);
        s.blocked(3);
        s.send(9, &["SPUBLISH", "sch", "s"]);
        s.blocked(4);
        s.send(6, &["EXEC"]);
        s.blocked(5);
        s.send(8, &["SET", "k", "v8"]);
        s.blocked(6);
        // Answered at once: reads, a reading transaction, and every command a
        // check rejects (arity, unknown, subscribe mode).
        s.cmd(7, &["EXEC"]);
        s.cmd(0, &["GET", "k"]);
        s.cmd(0, &["PUBSUB", "NUMSUB", "ch"]);
        s.cmd(0, &["SET", "k"]);
        s.cmd(0, &["NOSUCH", "k"]);
        s.cmd(0, &["CLIENT", "NOSUCH"]);
        s.cmd(5, &["SET", "k", "x"]);
        s.cmd(5, &["PING"]);
        for n in ["c1", "c3", "c9", "c6", "c8", "c7"] {
            s.client_fields(n, &["flags", "multi", "cmd"]);
        }
        s.blocked(6);
        s.cmd(0, &["CLIENT", "UNPAUSE"]);
        // In the order they were held.
        s.read(1);
        s.read(2);
        s.cmd(0, &["GET", "k"]);
        s.read(3);
        s.read(5);
        s.read(9);
        s.read(4);
        s.read(6);
        s.read(8);
        s.cmd(8, &["EXEC"]);
        s.cmd(0, &["GET", "k"]);
        s.blocked(0);
        for n in ["c1", "c8"] {
            s.client_fields(n, &["flags", "multi", "cmd"]);
        }
    });
}

#[test]
fn held_clients_go_away_and_pauses_end_by_time_as_redis() {
    differential(&[], |s| {
        s.cmd(0, &["FLUSHALL"]);
        let id = s.learn_id(1);
        s.cmd(0, &["CLIENT", "PAUSE", "100000", "WRITE"]);
        s.send(1, &["SET", "a", "v1"]);
        s.send(2, &["DEL", "a"]);
        s.blocked(2);
        // A held client killed, another one disconnecting: no longer counted.
        s.cmd(0, &["CLIENT", "KILL", "ID", &id.to_string()]);
        s.blocked(1);
        s.conns[2] = None;
        s.blocked(0);
        // A new pause never shortens or weakens the one in force.
        s.cmd(0, &["CLIENT", "PAUSE", "10", "WRITE"]);
        s.send(3, &["SET", "a", "v3"]);
        s.blocked(1);
        s.cmd(0, &["CLIENT", "UNPAUSE"]);
        s.read(3);
        s.cmd(0, &["GET", "a"]);
        // A pause that ends by itself releases its clients.
        s.cmd(0, &["CLIENT", "PAUSE", "1500", "WRITE"]);
        s.send(3, &["SET", "a", "v4"]);
        s.blocked(1);
        s.read(3);
        s.blocked(0);
        // ALL holds every command, CLIENT UNPAUSE and INFO included.
        s.cmd(0, &["CLIENT", "PAUSE", "1000", "ALL"]);
        s.send(3, &["GET", "a"]);
        s.send(4, &["CLIENT", "UNPAUSE"]);
        s.send(4, &["PING"]);
        s.read(3);
        s.read(4);
        s.read(4);
        s.blocked(0);
    });
}

/// A SYNC connection reading the replication stream (after the RDB).
struct Stream {
    s: TcpStream,
    buf: Vec<u8>,
}

impl Stream {
    fn attach(port: u16) -> Stream {
        let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        s.write_all(b"SYNC\r\n").unwrap();
        let mut st = Stream { s, buf: Vec::new() };
        let deadline = Instant::now() + READ_TIMEOUT;
        loop {
            while st.buf.first() == Some(&b'\n') {
                st.buf.remove(0);
            }
            if let Some(i) = st.buf.windows(2).position(|w| w == b"\r\n") {
                let len: usize = String::from_utf8_lossy(&st.buf[1..i]).parse().unwrap();
                while st.buf.len() < i + 2 + len {
                    st.fill(deadline);
                }
                st.buf.drain(..i + 2 + len);
                return st;
            }
            st.fill(deadline);
        }
    }

    fn fill(&mut self, deadline: Instant) {
        assert!(
            Instant::now() < deadline,
            "replication stream stalled at {}",
            common::escape(&self.buf)
        );
        let mut chunk = [0u8; 65536];
        if let Ok(n) = self.s.read(&mut chunk) {
            assert!(n > 0, "replication stream closed");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Commands up to one whose last argument is `marker`, PINGs left out, with
    /// absolute times (PXAT) masked.
    fn until(&mut self, marker: &str) -> Vec<String> {
        let deadline = Instant::now() + READ_TIMEOUT;
        let mut out = Vec::new();
        loop {
            while let Ok(Some(n)) = frame_len(&self.buf) {
                let frame: Vec<u8> = self.buf.drain(..n).collect();
                let Reply::Array(v) = Reply::parse(&frame) else {
                    panic!("stream item {frame:?}")
                };
                let args: Vec<String> = v
                    .iter()
                    .map(|a| String::from_utf8_lossy(&a.as_bytes().unwrap()).into_owned())
                    .map(|a| {
                        if a.len() >= 13 && a.bytes().all(|b| b.is_ascii_digit()) {
                            "<ms>".into()
                        } else {
                            a
                        }
                    })
                    .collect();
                if args[0].eq_ignore_ascii_case("ping") {
                    continue;
                }
                let done = args.last().is_some_and(|a| a == marker);
                out.push(args.join(" "));
                if done {
                    return out;
                }
            }
            self.fill(deadline);
        }
    }
}

#[test]
fn keys_do_not_expire_during_a_pause_as_redis() {
    // A fast cron: many active-expiry cycles run while the keys are stale.
    differential(&["--hz", "500"], |s| {
        s.cmd(0, &["FLUSHALL"]);
        let mut stream = Stream::attach(s.srv.port);
        let expired = s.info("stats", "expired_keys");
        s.cmd(0, &["MULTI"]);
        s.cmd(0, &["SET", "e1", "a", "PX", "20"]);
        s.cmd(0, &["SET", "e2", "b", "PX", "20"]);
        s.cmd(0, &["CLIENT", "PAUSE", "100000", "WRITE"]);
        s.cmd(0, &["EXEC"]);
        let c = s.conn(0);
        wait_for_condition("e1 to read as expired", || {
            c.cmd(&["GET", "e1"]) == b"$-1\r\n"
        });
        // Logically expired, still stored, nothing counted.
        s.cmd(0, &["GET", "e2"]);
        s.cmd(0, &["EXISTS", "e1", "e2"]);
        s.cmd(0, &["DBSIZE"]);
        let d = s.info("stats", "expired_keys") - expired;
        s.log.push(format!("expired during the pause: {d}"));
        // One pipeline: the pause ends, a write marks the stream, then the
        // reads reclaim the keys (no cron runs in between: the pipeline is
        // processed at once).
        let mut p = Vec::new();
        for a in [
            &["CLIENT", "UNPAUSE"][..],
            &["SET", "marker", "1"],
            &["GET", "e1"],
            &["GET", "e2"],
            &["SET", "end", "end"],
        ] {
            let v: Vec<&[u8]> = a.iter().map(|x| x.as_bytes()).collect();
            p.extend(Conn::encode(&v));
        }
        s.conn(0).send_raw(&p);
        for _ in 0..5 {
            s.read(0);
        }
        s.cmd(0, &["DBSIZE"]);
        let d = s.info("stats", "expired_keys") - expired;
        s.log.push(format!("expired in all: {d}"));
        let got = stream.until("end");
        s.log.push(format!("stream: {got:?}"));
    });
}

/// RANDOMKEY while every key is stale and expiry is paused: Redis 7.0 loops
/// forever there; oxidis gives up after 100 draws, as Redis does on a replica.
#[test]
fn randomkey_returns_during_a_pause() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    c.cmd(&["MULTI"]);
    c.cmd(&["SET", "r1", "a", "PX", "5"]);
    c.cmd(&["SET", "r2", "b", "PX", "5"]);
    c.cmd(&["CLIENT", "PAUSE", "100000", "WRITE"]);
    c.cmd(&["EXEC"]);
    wait_for_condition("r1 to read as expired", || {
        c.cmd(&["GET", "r1"]) == b"$-1\r\n"
    });
    let r = Reply::parse(&c.cmd(&["RANDOMKEY"]));
    let k = r.as_bytes().expect("a key");
    assert!(k == b"r1" || k == b"r2", "{r:?}");
    c.cmd(&["CLIENT", "UNPAUSE"]);
    assert_eq!(c.cmd(&["RANDOMKEY"]), b"$-1\r\n");
}

#[test]
fn client_list_shows_subscriptions_transactions_and_state_as_redis() {
    differential(&[], |s| {
        s.cmd(0, &["FLUSHALL"]);
        s.cmd(1, &["CLIENT", "SETNAME", "sub"]);
        s.cmd(2, &["CLIENT", "SETNAME", "tx"]);
        s.cmd(3, &["CLIENT", "SETNAME", "misc"]);
        let fields = ["flags", "sub", "psub", "ssub", "multi", "multi-mem", "cmd"];
        // Channels, patterns and shard channels are counted apart.
        s.cmd(1, &["SUBSCRIBE", "a"]);
        s.client_fields("sub", &fields);
        s.send(1, &["SUBSCRIBE", "b", "c"]);
        s.read(1);
        s.read(1);
        s.cmd(1, &["PSUBSCRIBE", "p*"]);
        s.cmd(1, &["SSUBSCRIBE", "s1"]);
        s.client_fields("sub", &fields);
        s.cmd(1, &["UNSUBSCRIBE", "a"]);
        s.cmd(1, &["PUNSUBSCRIBE", "p*"]);
        s.client_fields("sub", &fields);
        s.send(1, &["UNSUBSCRIBE", "b", "c"]);
        s.read(1);
        s.read(1);
        s.client_fields("sub", &fields);
        s.cmd(1, &["SUNSUBSCRIBE"]);
        s.client_fields("sub", &fields);
        // A transaction: queued count, their memory, the last queued command.
        s.cmd(2, &["WATCH", "w"]);
        s.cmd(2, &["MULTI"]);
        s.client_fields("tx", &fields);
        s.cmd(2, &["SET", "key", "value"]);
        s.cmd(2, &["LPUSH", "list", "a", "b", "c"]);
        s.client_fields("tx", &fields);
        // A modified watched key: the `d` flag; queued commands are dropped.
        s.cmd(0, &["SET", "w", "1"]);
        s.cmd(2, &["INCR", "n"]);
        s.client_fields("tx", &fields);
        s.cmd(2, &["EXEC"]);
        s.client_fields("tx", &fields);
        // A rejected command (wrong arity) still shows; an unknown one is NULL.
        s.cmd(2, &["MULTI"]);
        s.cmd(2, &["GET"]);
        s.cmd(2, &["SET", "k", "v"]);
        s.client_fields("tx", &fields);
        s.cmd(2, &["EXEC"]);
        s.cmd(3, &["NOSUCH"]);
        s.client_fields("misc", &fields);
        s.cmd(3, &["CLIENT", "NOSUCH"]);
        s.client_fields("misc", &fields);
        s.cmd(3, &["GET", "k", "extra"]);
        s.client_fields("misc", &fields);
        // A blocked client; CLIENT NO-EVICT.
        s.send(3, &["BLPOP", "nothing", "0"]);
        s.blocked(1);
        s.client_fields("misc", &fields);
        // A blocked client still holds its command's arguments.
        s.client_fields("misc", &["argv-mem"]);
        s.cmd(0, &["LPUSH", "nothing", "x"]);
        s.read(3);
        s.cmd(3, &["CLIENT", "NO-EVICT", "on"]);
        s.client_fields("misc", &fields);
        s.cmd(3, &["CLIENT", "NO-EVICT", "off"]);
        s.client_fields("misc", &fields);
    });
}

/// `timeout` closes idle clients, never subscribers, blocked clients or
/// clients held by CLIENT PAUSE (they wait for the server).
#[test]
fn idle_timeout_spares_waiting_clients_as_redis() {
    differential(&["--timeout", "1"], |s| {
        s.cmd(1, &["SUBSCRIBE", "ch"]);
        s.send(2, &["BLPOP", "list", "0"]);
        s.blocked(1);
        s.cmd(0, &["CLIENT", "PAUSE", "100000", "WRITE"]);
        s.send(3, &["SET", "k", "v"]);
        s.blocked(2);
        s.cmd(4, &["PING"]);
        // Wait for the idle one to be closed (connection 0 stays active).
        let deadline = Instant::now() + READ_TIMEOUT;
        loop {
            s.conn(0).cmd(&["PING"]);
            if s.conn(4).is_closed_within(Duration::from_millis(100)) {
                break;
            }
            assert!(Instant::now() < deadline, "the idle client was not closed");
        }
        s.log.push("idle client closed".into());
        s.cmd(0, &["CLIENT", "UNPAUSE"]);
        s.read(3);
        s.cmd(0, &["PUBLISH", "ch", "m"]);
        s.read(1);
        s.cmd(0, &["LPUSH", "list", "x"]);
        s.read(2);
    });
}

/// min-replicas-to-write: writes are refused until enough replicas are online
/// (INFO min_slaves_good_slaves, refreshed every second), and again once the
/// replica goes away.
#[test]
fn writes_wait_for_good_replicas_as_redis() {
    differential(&[], |s| {
        s.cmd(0, &["CONFIG", "SET", "min-replicas-to-write", "1"]);
        s.cmd(0, &["SET", "k", "v"]);
        s.cmd(0, &["MULTI"]);
        s.cmd(0, &["SET", "k", "v"]);
        s.cmd(0, &["EXEC"]);
        let info_good =
            |s: &mut Side| info_field(s.conn(0), "replication", "min_slaves_good_slaves");
        let good = info_good(s);
        s.log.push(format!("good: {good}"));
        let stream = Stream::attach(s.srv.port);
        wait_for_condition("the replica to count as good", || info_good(s) == "1");
        s.log.push("good: 1".into());
        s.cmd(0, &["SET", "k", "v"]);
        s.cmd(0, &["GET", "k"]);
        drop(stream);
        let c = s.conn(0);
        wait_for_condition("the replica to go", || {
            info_field(c, "replication", "connected_slaves") == "0"
        });
        s.cmd(0, &["SET", "k", "v"]);
        s.cmd(0, &["CONFIG", "SET", "min-replicas-max-lag", "0"]);
        s.cmd(0, &["SET", "k", "v"]);
    });
}
