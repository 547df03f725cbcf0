//! Query and reply buffers: the request-size limits whatever way the bytes
//! arrive, the memory a client holds after a big request or a big reply, and
//! `client-output-buffer-limit` enforced while a reply grows.

mod common;

use common::{require_redis, wait_for_condition, Conn, Server};
use std::time::Duration;

/// Sends `req` in one write and returns what comes back until the server
/// closes the connection or goes quiet.
fn send_whole(port: u16, req: &[u8]) -> (Vec<u8>, bool) {
    let mut c = Conn::connect(port).unwrap();
    c.send_raw(req);
    c.read_until_quiet(Duration::from_millis(300), Duration::from_secs(10))
}

/// Request lines over the 64 KB limit, with their line end, and the error for
/// each. (Redis checks the limit after each read(2), before the line end has
/// arrived; sent in one write, a line of 64-80 KB can slip through its first
/// reads. These are long enough that it never does.)
fn oversized_requests() -> Vec<(Vec<u8>, &'static [u8])> {
    let mut inline = b"ECHO ".to_vec();
    inline.extend(vec![b'a'; 100 * 1024]);
    inline.extend_from_slice(b"\r\n");
    let mut count = b"*".to_vec();
    count.extend(vec![b'1'; 100 * 1024]);
    count.extend_from_slice(b"\r\n");
    let mut bulk = b"*1\r\n$".to_vec();
    bulk.extend(vec![b'1'; 300 * 1024]);
    bulk.extend_from_slice(b"\r\n");
    vec![
        (inline, b"-ERR Protocol error: too big inline request\r\n"),
        (
            count,
            b"-ERR Protocol error: too big mbulk count string\r\n",
        ),
        (bulk, b"-ERR Protocol error: too big bulk count string\r\n"),
    ]
}

/// A request line over 64 KB is a protocol error also when it arrives whole,
/// with its line end, in one write.
#[test]
fn oversized_request_lines_in_one_write() {
    let s = Server::oxidis(&[]);
    for (req, want) in oversized_requests() {
        let (got, closed) = send_whole(s.port, &req);
        assert_eq!(
            String::from_utf8_lossy(&got[..got.len().min(200)]),
            String::from_utf8_lossy(want)
        );
        assert!(closed);
    }
    assert_eq!(Conn::connect(s.port).unwrap().cmd(&["PING"]), b"+PONG\r\n");
}

#[test]
fn oversized_request_lines_redis_agrees() {
    require_redis();
    let r = Server::redis(&[]);
    for (req, want) in oversized_requests() {
        let (got, closed) = send_whole(r.port, &req);
        assert_eq!(
            String::from_utf8_lossy(&got[..got.len().min(200)]),
            String::from_utf8_lossy(want)
        );
        assert!(closed);
    }
}

/// The peak resident memory of a process (VmHWM), in bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

/// A reply that grows past the hard output-buffer limit closes the client
/// as soon as it passes it: memory stays near the limit (it used to grow by
/// the whole reply, 130+ MB here), and the server goes on.
#[test]
fn a_growing_reply_stops_at_the_output_buffer_limit() {
    let s = Server::oxidis(&["--client-output-buffer-limit", "normal 1mb 512kb 10"]);
    let mut c = s.connect();
    c.cmd(&["SADD", "S", "a", "b", "c", "d", "e"]);
    c.cmd(&["HSET", "H", "f1", "v1", "f2", "v2"]);
    let before = peak_rss(s.pid());
    for cmd in [
        &["SRANDMEMBER", "S", "-20000000"][..],
        &["HRANDFIELD", "H", "-20000000"],
        &["HRANDFIELD", "H", "-10000000", "WITHVALUES"],
    ] {
        let mut big = s.connect();
        let args: Vec<&[u8]> = cmd.iter().map(|a| a.as_bytes()).collect();
        big.send(&args);
        assert!(big.is_closed_within(Duration::from_secs(60)), "{cmd:?}");
        assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    }
    let grown = peak_rss(s.pid()).saturating_sub(before);
    assert!(grown < 40 << 20, "peak RSS grew by {grown} bytes");
    let log = s.log();
    assert!(log.contains("scheduled to be closed ASAP for overcoming of output buffer limits"));
}

/// A reply far bigger than memory, with a limit set, closes the client; it
/// must never abort the server.
#[test]
fn a_huge_reply_with_a_limit_does_not_abort_the_server() {
    let mut s = Server::oxidis(&["--client-output-buffer-limit", "normal 1mb 512kb 10"]);
    let mut c = s.connect();
    c.cmd(&["SADD", "S", "a", "b", "c"]);
    let before = peak_rss(s.pid());
    let mut big = s.connect();
    big.send(&[b"SRANDMEMBER", b"S", b"-200000000"]);
    assert!(big.is_closed_within(Duration::from_secs(120)));
    assert!(s.is_alive());
    let grown = peak_rss(s.pid()).saturating_sub(before);
    assert!(grown < 40 << 20, "peak RSS grew by {grown} bytes");
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
}

/// Replies that outgrow the reply buffer continue in blocks; they arrive
/// whole and in order, interleaved with small ones, pipelined.
#[test]
fn big_and_small_replies_keep_their_order() {
    let s = Server::oxidis(&[]);
    let mut c = s.connect();
    let members: Vec<String> = (0..20_000).map(|i| format!("m{i}")).collect();
    let mut args: Vec<&str> = vec!["RPUSH", "L"];
    args.extend(members.iter().map(String::as_str));
    c.cmd(&args);
    let big = "x".repeat(100_000);
    c.cmd(&["SET", "big", &big]);
    let mut pipeline = Vec::new();
    for _ in 0..3 {
        pipeline.extend(Conn::encode(&[b"LRANGE", b"L", b"0", b"-1"]));
        pipeline.extend(Conn::encode(&[b"PING"]));
        pipeline.extend(Conn::encode(&[b"GET", b"big"]));
    }
    c.send_raw(&pipeline);
    let mut want_list = format!("*{}\r\n", members.len()).into_bytes();
    for m in &members {
        want_list.extend(format!("${}\r\n{m}\r\n", m.len()).bytes());
    }
    let want_big = format!("${}\r\n{big}\r\n", big.len()).into_bytes();
    for _ in 0..3 {
        assert!(c.read_reply() == want_list);
        assert_eq!(c.read_reply(), b"+PONG\r\n");
        assert!(c.read_reply() == want_big);
    }
}

/// The CLIENT LIST line of the client named `name`, as `field=value` pairs.
fn client_fields(c: &mut Conn, name: &str) -> std::collections::HashMap<String, String> {
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

fn field(c: &mut Conn, name: &str, f: &str) -> usize {
    client_fields(c, name)[f].parse().unwrap()
}

/// CLIENT LIST's query buffer fields as Redis reports them: the running
/// command counts in the caller's own `qbuf`; a client's first read gets a
/// 16 KB buffer; an idle client's buffer is freed after 2 s; a buffer that a
/// big argument grew shrinks back when its peak falls.
#[test]
fn query_buffer_is_reported_and_shrunk() {
    let s = Server::oxidis(&[]);
    let mut admin = s.connect();
    admin.cmd(&["CLIENT", "SETNAME", "admin"]);
    let own = client_fields(&mut admin, "admin");
    assert_eq!(own["qbuf"], "26", "*2 $6 client $4 list");

    let mut t = s.connect();
    t.cmd(&["CLIENT", "SETNAME", "t"]);
    let alloc = field(&mut admin, "t", "qbuf") + field(&mut admin, "t", "qbuf-free");
    assert!(
        (16384..32768).contains(&alloc),
        "fresh client's buffer {alloc}"
    );
    wait_for_condition("idle query buffer freed", || {
        field(&mut admin, "t", "qbuf") + field(&mut admin, "t", "qbuf-free") == 0
    });

    let big = "A".repeat(400_000);
    t.cmd(&["SET", "x", &big]);
    let grown = field(&mut admin, "t", "qbuf") + field(&mut admin, "t", "qbuf-free");
    assert!(grown > 32768, "after a big argument {grown}");
    wait_for_condition("busy query buffer shrunk", || {
        t.cmd(&["SET", "x", "small"]);
        let now = field(&mut admin, "t", "qbuf") + field(&mut admin, "t", "qbuf-free");
        now > 0 && now < grown
    });
}

/// A command of 100k arguments leaves nothing behind: used_memory comes
/// back down once it ran (the argument array was kept for the connection's
/// life, about 3 MB), and CLIENT LIST counts what a client holds.
#[test]
fn a_big_multibulk_is_released_after_the_command() {
    let s = Server::oxidis(&[]);
    let mut c = s.connect();
    c.cmd(&["CLIENT", "SETNAME", "big"]);
    let used = |c: &mut Conn| -> i64 {
        common::info_field(c, "memory", "used_memory")
            .parse()
            .unwrap()
    };
    let before = used(&mut c);
    let names: Vec<String> = (0..100_000).map(|i| format!("k{i}")).collect();
    let mut args: Vec<&str> = vec!["DEL"];
    args.extend(names.iter().map(String::as_str));
    assert_eq!(c.cmd(&args), b":0\r\n");
    let after = used(&mut c);
    assert!(
        after - before < 1 << 20,
        "used_memory grew by {}",
        after - before
    );
    let tot = field(&mut c, "big", "tot-mem");
    assert!(tot < 200 * 1024, "tot-mem {tot}");
}

/// The reply buffer follows its peak use (Redis's unit/replybufsize): an idle
/// client's shrinks to 1 KB, one that keeps getting big replies grows back to
/// 16 KB; DEBUG REPLYBUFFER sets the peak reset time.
#[test]
fn reply_buffer_resizes_with_its_peak() {
    let s = Server::oxidis(&["--enable-debug-command", "yes"]);
    let mut admin = s.connect();
    assert_eq!(
        admin.cmd(&["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "100"]),
        b"+OK\r\n"
    );
    let mut t = s.connect();
    t.cmd(&["CLIENT", "SETNAME", "t"]);
    wait_for_condition("idle reply buffer shrunk", || {
        (1024..2046).contains(&field(&mut admin, "t", "rbs"))
    });
    admin.cmd(&["SET", "bigval", &"x".repeat(32768)]);
    admin.cmd(&["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "never"]);
    wait_for_condition("busy reply buffer grown", || {
        t.cmd(&["GET", "bigval"]);
        (16384..32768).contains(&field(&mut admin, "t", "rbs"))
    });
    let shrinks: u64 = common::info_field(&mut admin, "stats", "reply_buffer_shrinks")
        .parse()
        .unwrap();
    let expands: u64 = common::info_field(&mut admin, "stats", "reply_buffer_expands")
        .parse()
        .unwrap();
    assert!(shrinks >= 1 && expands >= 4, "{shrinks} {expands}");
    assert_eq!(
        admin.cmd(&["DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "reset"]),
        b"+OK\r\n"
    );
}
