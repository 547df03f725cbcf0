//! PSYNC on the master side, spoken by raw TCP clients: a partial resync's
//! `+CONTINUE` and backlog bytes compared byte for byte with redis-server's
//! for the same script, and the PSYNCs that must fall back to a full resync
//! (unknown ID, offset no longer in the backlog, `?`), counted as Redis counts
//! them (INFO sync_full, sync_partial_ok, sync_partial_err).

use super::common::{self, require_redis, Conn, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// No replication PING in the streams (it would land at a different byte on
/// each server); both servers start with the same empty dataset.
const ARGS: &[&str] = &[
    "--repl-ping-replica-period",
    "3600",
    "--repl-timeout",
    "3600",
];

/// A raw connection speaking the replica's side of PSYNC.
struct Link {
    s: TcpStream,
    buf: Vec<u8>,
}

impl Link {
    fn connect(port: u16) -> Link {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        Link { s, buf: Vec::new() }
    }

    fn send(&mut self, args: &[&str]) {
        let args: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.s.write_all(&Conn::encode(&args)).unwrap();
    }

    fn fill(&mut self) -> usize {
        let mut chunk = [0u8; 65536];
        match self.s.read(&mut chunk) {
            Ok(0) => panic!("replication link closed"),
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                n
            }
            Err(_) => 0,
        }
    }

    /// The next line without its CRLF, keepalive newlines skipped.
    fn line(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            while self.buf.first() == Some(&b'\n') {
                self.buf.remove(0);
            }
            if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let l = String::from_utf8_lossy(&self.buf[..i]).into_owned();
                self.buf.drain(..i + 2);
                return l;
            }
            assert!(Instant::now() < deadline, "no line; have {:?}", self.buf);
            self.fill();
        }
    }

    /// `REPLCONF capa psync2` (when asked) and `PSYNC id offset`: the first
    /// line of the answer.
    fn psync(port: u16, psync2: bool, id: &str, offset: &str) -> (Link, String) {
        let mut l = Link::connect(port);
        if psync2 {
            l.send(&["REPLCONF", "capa", "psync2"]);
            assert_eq!(l.line(), "+OK");
        }
        l.send(&["PSYNC", id, offset]);
        let first = l.line();
        (l, first)
    }

    /// After `+FULLRESYNC`: skips the `$<len>` RDB payload.
    fn skip_rdb(&mut self) {
        let head = self.line();
        assert!(head.starts_with('$'), "RDB header {head:?}");
        let len: usize = head[1..].parse().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.buf.len() < len {
            assert!(Instant::now() < deadline, "RDB payload incomplete");
            self.fill();
        }
        assert_eq!(&self.buf[..5], b"REDIS");
        self.buf.drain(..len);
    }

    /// Exactly `n` more bytes of stream (and no more within a short while).
    fn take(&mut self, n: usize) -> Vec<u8> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.buf.len() < n {
            assert!(
                Instant::now() < deadline,
                "wanted {n} bytes, got {:?}",
                String::from_utf8_lossy(&self.buf)
            );
            self.fill();
        }
        let quiet = Instant::now() + Duration::from_millis(200);
        while Instant::now() < quiet {
            self.fill();
        }
        assert_eq!(
            self.buf.len(),
            n,
            "{:?}",
            String::from_utf8_lossy(&self.buf)
        );
        std::mem::take(&mut self.buf)
    }
}

/// `+FULLRESYNC <id> <offset>` split, after which the RDB is skipped.
fn full_resync(l: &mut Link, first: &str) -> (String, u64) {
    let parts: Vec<&str> = first.split(' ').collect();
    assert!(parts.len() == 3 && parts[0] == "+FULLRESYNC", "{first}");
    l.skip_rdb();
    (parts[1].to_string(), parts[2].parse().unwrap())
}

fn stat(c: &mut Conn, field: &str) -> u64 {
    common::info_u64(c, "stats", field)
}

/// What one server did with the partial-resync script.
#[derive(Debug, PartialEq)]
struct Seen {
    /// The first replica's stream after its RDB, then each partial
    /// resync's first line (replid replaced by `<id>`) and backlog bytes.
    streams: Vec<(String, Vec<u8>)>,
    /// INFO fields after the script.
    info: Vec<String>,
}

fn run_partial_script(srv: &Server) -> Seen {
    let mut c = srv.connect();
    let (mut a, first) = Link::psync(srv.port, true, "?", "-1");
    let (id, off0) = full_resync(&mut a, &first);
    assert_eq!(off0, 0);
    for args in [
        &["SET", "k", "v"][..],
        &["SELECT", "3"],
        &["RPUSH", "l", "a", "b", "c"],
        &["INCRBY", "n", "41"],
        &["SELECT", "0"],
        &["DEL", "k"],
        &["HSET", "h", "f", "x"],
    ] {
        c.cmd(args);
    }
    let end = common::info_u64(&mut c, "replication", "master_repl_offset");
    let mut streams = vec![("full".to_string(), a.take(end as usize))];
    let mut links = Vec::new();
    // From the first byte, from mid-command, and from the end (nothing to
    // send); with and without `capa psync2`.
    for (psync2, from) in [(true, 1), (true, 40), (false, 77), (true, end + 1)] {
        let (mut l, first) = Link::psync(srv.port, psync2, &id, &from.to_string());
        let want = if psync2 {
            format!("+CONTINUE {id}")
        } else {
            "+CONTINUE".to_string()
        };
        assert_eq!(first, want);
        let bytes = l.take((end + 1 - from) as usize);
        streams.push((first.replace(&id, "<id>"), bytes));
        links.push(l);
    }
    // The new replicas are online and get the live stream.
    c.cmd(&["SET", "after", "1"]);
    let end2 = common::info_u64(&mut c, "replication", "master_repl_offset");
    streams.push(("live".into(), a.take((end2 - end) as usize)));
    for l in &mut links {
        streams.push(("live".into(), l.take((end2 - end) as usize)));
    }
    let mut info = Vec::new();
    for f in [
        "connected_slaves",
        "master_repl_offset",
        "repl_backlog_active",
        "repl_backlog_size",
        "repl_backlog_first_byte_offset",
        "repl_backlog_histlen",
    ] {
        info.push(format!(
            "{f}:{}",
            common::info_field(&mut c, "replication", f)
        ));
    }
    for f in ["sync_full", "sync_partial_ok", "sync_partial_err"] {
        info.push(format!("{f}:{}", stat(&mut c, f)));
    }
    let slaves = common::info_field(&mut c, "replication", "slave1");
    assert!(slaves.contains("state=online"), "{slaves}");
    Seen { streams, info }
}

#[test]
fn partial_resync_sends_the_backlog_as_redis_does() {
    require_redis();
    let ox = Server::oxidis(ARGS);
    let rd = Server::redis(ARGS);
    let o = run_partial_script(&ox);
    let r = run_partial_script(&rd);
    assert_eq!(o, r);
    assert!(o.info.contains(&"sync_partial_ok:4".to_string()), "{o:?}");
    assert!(o.streams[1]
        .1
        .starts_with(b"*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"));
    // The same log line as redis-server's, byte count included.
    let line = "Partial resynchronization request from 127.0.0.1:<unknown-replica-port> accepted. \
                Sending 186 bytes of backlog starting from offset 40.";
    assert!(rd.log().contains(line), "{}", rd.log());
    assert!(ox.log().contains(line), "{}", ox.log());
}

/// What one server did with the PSYNCs that need a full resync.
fn run_fallback_script(srv: &Server) -> Vec<String> {
    let mut c = srv.connect();
    let mut seen = Vec::new();
    // CONFIG SET raises a backlog size under 16 KB to 16 KB.
    c.cmd(&["CONFIG", "SET", "repl-backlog-size", "1"]);
    let got = c.cmd(&["CONFIG", "GET", "repl-backlog-size"]);
    seen.push(String::from_utf8_lossy(&got).into_owned());
    let (mut a, first) = Link::psync(srv.port, true, "?", "-1");
    let (id, _) = full_resync(&mut a, &first);
    let big = "x".repeat(20_000);
    for i in 0..3 {
        c.cmd(&["SET", &format!("big{i}"), &big]);
    }
    let end = common::info_u64(&mut c, "replication", "master_repl_offset");
    let first_byte = common::info_u64(&mut c, "replication", "repl_backlog_first_byte_offset");
    assert!(first_byte > 1, "the oldest bytes are gone");
    // Trimmed a whole block at a time, as Redis 7.0 trims its own.
    for f in [
        "master_repl_offset",
        "repl_backlog_first_byte_offset",
        "repl_backlog_histlen",
    ] {
        seen.push(format!(
            "{f}:{}",
            common::info_field(&mut c, "replication", f)
        ));
    }
    let tries = [
        // History the backlog no longer holds.
        (id.clone(), "1".to_string()),
        // Past the end of the stream.
        (id.clone(), (end + 2).to_string()),
        // Someone else's history.
        (
            "0123456789012345678901234567890123456789".into(),
            "1".into(),
        ),
        // The replica asks for a full resync on purpose: not an error.
        ("?".into(), "-1".into()),
    ];
    for (try_id, off) in &tries {
        let (mut l, first) = Link::psync(srv.port, true, try_id, off);
        let (new_id, new_off) = full_resync(&mut l, &first);
        assert_eq!(new_id, id);
        assert_eq!(new_off, end);
    }
    // A bad offset is an error reply, and no resync at all.
    let (_, first) = Link::psync(srv.port, true, &id, "abc");
    seen.push(first);
    for f in ["sync_full", "sync_partial_ok", "sync_partial_err"] {
        seen.push(format!("{f}:{}", stat(&mut c, f)));
    }
    seen.push(format!(
        "connected_slaves:{}",
        common::info_field(&mut c, "replication", "connected_slaves")
    ));
    seen
}

#[test]
fn psync_falls_back_to_a_full_resync_as_redis_does() {
    require_redis();
    let ox = Server::oxidis(ARGS);
    let rd = Server::redis(ARGS);
    let o = run_fallback_script(&ox);
    let r = run_fallback_script(&rd);
    assert_eq!(o, r);
    assert!(o.contains(&"sync_full:5".to_string()), "{o:?}");
    assert!(o.contains(&"sync_partial_err:3".to_string()), "{o:?}");
    // The same log lines as redis-server's.
    let (olog, rlog) = (ox.log(), rd.log());
    for line in [
        "Unable to partial resync with replica 127.0.0.1:<unknown-replica-port> for lack of backlog (Replica request was: 1).",
        "Warning: replica 127.0.0.1:<unknown-replica-port> tried to PSYNC with an offset that is greater than the master replication offset.",
        "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '0123456789012345678901234567890123456789', my replication IDs are '",
        "Full resync requested by replica 127.0.0.1:<unknown-replica-port>\n",
        "Replica 127.0.0.1:<unknown-replica-port> asks for synchronization but with a wrong offset",
    ] {
        assert!(rlog.contains(line), "{line} not in redis-server's {rlog}");
        assert!(olog.contains(line), "{line} not in {olog}");
    }
}

/// The ID compares without case (strcasecmp), and the offset just past the
/// end of the stream is held (an empty backlog to send).
#[test]
fn continue_from_the_end_and_with_an_uppercase_id() {
    let ox = Server::oxidis(ARGS);
    let mut c = ox.connect();
    let (mut a, first) = Link::psync(ox.port, true, "?", "-1");
    let (id, _) = full_resync(&mut a, &first);
    c.cmd(&["SET", "k", "v"]);
    let end = common::info_u64(&mut c, "replication", "master_repl_offset");
    drop(a);
    let (_, first) = Link::psync(ox.port, true, &id, &(end + 1).to_string());
    assert_eq!(first, format!("+CONTINUE {id}"));
    let (_, first) = Link::psync(ox.port, true, &id.to_ascii_uppercase(), "1");
    assert_eq!(first, format!("+CONTINUE {id}"), "IDs compare without case");
    assert_eq!(stat(&mut c, "sync_partial_ok"), 2);
}

/// `repl-backlog-ttl` seconds without replicas free the backlog and change
/// the replication ID: the old history can no longer be continued.
#[test]
fn a_freed_backlog_means_a_full_resync() {
    let ox = Server::oxidis(&["--repl-backlog-ttl", "1"]);
    let mut c = ox.connect();
    let (mut a, first) = Link::psync(ox.port, true, "?", "-1");
    let (id, _) = full_resync(&mut a, &first);
    c.cmd(&["SET", "k", "v"]);
    drop(a);
    common::wait_for_condition_within("the backlog freed", Duration::from_secs(10), || {
        common::info_field(&mut c, "replication", "repl_backlog_active") == "0"
    });
    assert_ne!(
        common::info_field(&mut c, "replication", "master_replid"),
        id
    );
    let (mut l, first) = Link::psync(ox.port, true, &id, "1");
    let (new_id, _) = full_resync(&mut l, &first);
    assert_ne!(new_id, id);
    assert_eq!(stat(&mut c, "sync_partial_err"), 1);
    assert!(ox
        .log()
        .contains("Replication backlog freed after 1 seconds without connected replicas."));
}
