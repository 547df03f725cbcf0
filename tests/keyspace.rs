//! Keyspace and expiry commands against the real binary: every expected reply
//! below was checked byte for byte against Redis 7.0.15.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread::sleep;
use std::time::{Duration, Instant};

mod common;

/// A server on a free port, killed on drop (`common::Server`; to check the
/// expectations against a real Redis, set `OXIDIS_SERVER_BIN=redis-server`).
struct Server(common::Server);

impl Server {
    fn start() -> Server {
        Server(common::Server::oxidis(&[]))
    }

    fn conn(&self) -> Conn {
        let s = TcpStream::connect(("127.0.0.1", self.0.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Conn { s, buf: Vec::new() }
    }
}

struct Conn {
    s: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    /// Sends one command and returns the raw bytes of its reply.
    fn cmd(&mut self, args: &[&[u8]]) -> Vec<u8> {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.s.write_all(&out).unwrap();
        let end = loop {
            if let Some(end) = reply_end(&self.buf, 0) {
                break end;
            }
            let mut tmp = [0u8; 65536];
            let n = self.s.read(&mut tmp).expect("read reply");
            assert!(n > 0, "connection closed");
            self.buf.extend_from_slice(&tmp[..n]);
        };
        self.buf.drain(..end).collect()
    }

    /// `cmd` for space-separated arguments.
    fn q(&mut self, line: &str) -> Vec<u8> {
        let args: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        self.cmd(&args)
    }

    fn int(&mut self, line: &str) -> i64 {
        let r = self.q(line);
        assert_eq!(r[0], b':', "{line}: {}", show(&r));
        std::str::from_utf8(&r[1..r.len() - 2])
            .unwrap()
            .parse()
            .unwrap()
    }
}

/// End of the complete reply starting at `pos`, if the buffer holds it all.
fn reply_end(b: &[u8], pos: usize) -> Option<usize> {
    let nl = pos + b.get(pos..)?.windows(2).position(|w| w == b"\r\n")?;
    let head = std::str::from_utf8(&b[pos + 1..nl]).ok()?;
    match b.get(pos)? {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' => Some(nl + 2),
        b'$' => {
            let n: i64 = head.parse().ok()?;
            let end = if n < 0 {
                nl + 2
            } else {
                nl + 2 + n as usize + 2
            };
            (end <= b.len()).then_some(end)
        }
        b'*' | b'%' | b'~' => {
            let mut n: i64 = head.parse().ok()?;
            if b[pos] == b'%' {
                n *= 2;
            }
            let mut p = nl + 2;
            for _ in 0..n.max(0) {
                p = reply_end(b, p)?;
            }
            Some(p)
        }
        other => panic!("unexpected reply type {other}"),
    }
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Checks a list of (command, exact reply) pairs in order.
fn check(c: &mut Conn, cases: &[(&[&[u8]], &[u8])]) {
    for (args, want) in cases {
        let got = c.cmd(args);
        assert_eq!(
            show(&got),
            show(want),
            "{:?}",
            args.iter().map(|a| show(a)).collect::<Vec<_>>()
        );
    }
}

const SAME: &[u8] = b"-ERR source and destination objects are the same\r\n";
const DB_RANGE: &[u8] = b"-ERR DB index is out of range\r\n";
const NOT_INT: &[u8] = b"-ERR value is not an integer or out of range\r\n";
const INT_RANGE: &[u8] =
    b"-ERR value is out of range, value must between -2147483648 and 2147483647\r\n";
const SYNTAX: &[u8] = b"-ERR syntax error\r\n";

#[test]
fn rename_move_copy_swapdb_errors() {
    let srv = Server::start();
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&[b"set", b"k", b"v"], b"+OK\r\n"),
            (&[b"move", b"k", b"3000000000"], INT_RANGE),
            (&[b"move", b"k", b"abc"], NOT_INT),
            (&[b"move", b"k", b"16"], DB_RANGE),
            (&[b"move", b"k", b"-1"], DB_RANGE),
            (&[b"move", b"k", b"0"], SAME),
            (&[b"move", b"nokey", b"0"], SAME),
            (&[b"move", b"nokey", b"1"], b":0\r\n"),
            (
                &[b"move", b"k"],
                b"-ERR wrong number of arguments for 'move' command\r\n",
            ),
            (
                &[b"swapdb", b"0", b"abc"],
                b"-ERR invalid second DB index\r\n",
            ),
            (
                &[b"swapdb", b"abc", b"0"],
                b"-ERR invalid first DB index\r\n",
            ),
            (
                &[b"swapdb", b"3000000000", b"0"],
                b"-ERR invalid first DB index\r\n",
            ),
            (
                &[b"swapdb", b"16", b"abc"],
                b"-ERR invalid second DB index\r\n",
            ),
            (&[b"swapdb", b"0", b"16"], DB_RANGE),
            (&[b"swapdb", b"-1", b"0"], DB_RANGE),
            (&[b"swapdb", b"0", b"0"], b"+OK\r\n"),
            (&[b"copy", b"k", b"k"], SAME),
            (&[b"copy", b"k", b"k", b"db", b"0"], SAME),
            (&[b"copy", b"k", b"k2", b"db"], SYNTAX),
            (&[b"copy", b"k", b"k2", b"db", b"abc"], NOT_INT),
            (&[b"copy", b"k", b"k2", b"db", b"3000000000"], INT_RANGE),
            (&[b"copy", b"k", b"k2", b"db", b"16"], DB_RANGE),
            (&[b"copy", b"k", b"k2", b"db", b"16", b"foo"], DB_RANGE),
            (&[b"copy", b"k", b"k2", b"foo", b"db", b"16"], SYNTAX),
            (&[b"copy", b"nokey", b"k2"], b":0\r\n"),
            (&[b"copy", b"k", b"k2", b"REPLACE", b"replace"], b":1\r\n"),
            (&[b"copy", b"k", b"k2"], b":0\r\n"),
            (&[b"copy", b"k", b"k", b"db", b"1"], b":1\r\n"),
            (&[b"rename", b"nokey", b"k"], b"-ERR no such key\r\n"),
            (&[b"rename", b"nokey", b"nokey"], b"-ERR no such key\r\n"),
            (&[b"renamenx", b"nokey", b"nokey"], b"-ERR no such key\r\n"),
            (&[b"rename", b"k", b"k"], b"+OK\r\n"),
            (&[b"renamenx", b"k", b"k"], b":0\r\n"),
            (&[b"renamenx", b"k", b"k2"], b":0\r\n"),
            (&[b"rename", b"k", b"k2"], b"+OK\r\n"),
            (&[b"exists", b"k", b"k2", b"k2"], b":2\r\n"),
            (
                &[b"rename", b"k2"],
                b"-ERR wrong number of arguments for 'rename' command\r\n",
            ),
        ],
    );
}

#[test]
fn rename_move_copy_keep_expiry_and_binary_keys() {
    let srv = Server::start();
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&[b"set", b"a\0b", b"v", b"ex", b"100"], b"+OK\r\n"),
            (&[b"rename", b"a\0b", b"c\0d"], b"+OK\r\n"),
            (&[b"ttl", b"c\0d"], b":100\r\n"),
            (&[b"exists", b"a\0b"], b":0\r\n"),
            (&[b"keys", b"c?d"], b"*1\r\n$3\r\nc\0d\r\n"),
            (&[b"set", b"x", b"1"], b"+OK\r\n"),
            (&[b"rename", b"c\0d", b"x"], b"+OK\r\n"),
            (&[b"ttl", b"x"], b":100\r\n"),
            (&[b"get", b"x"], b"$1\r\nv\r\n"),
            (&[b"set", b"y", b"2"], b"+OK\r\n"),
            (&[b"renamenx", b"x", b"y"], b":0\r\n"),
            (&[b"renamenx", b"x", b"z"], b":1\r\n"),
            (&[b"ttl", b"z"], b":100\r\n"),
            (&[b"move", b"z", b"1"], b":1\r\n"),
            (&[b"move", b"z", b"1"], b":0\r\n"),
            (&[b"select", b"1"], b"+OK\r\n"),
            (&[b"ttl", b"z"], b":100\r\n"),
            (&[b"set", b"taken", b"db1"], b"+OK\r\n"),
            (&[b"select", b"0"], b"+OK\r\n"),
            (&[b"set", b"taken", b"db0"], b"+OK\r\n"),
            (&[b"move", b"taken", b"1"], b":0\r\n"),
            (&[b"copy", b"y", b"q", b"db", b"1"], b":1\r\n"),
            (&[b"select", b"1"], b"+OK\r\n"),
            (&[b"copy", b"z", b"z2"], b":1\r\n"),
            (&[b"ttl", b"z2"], b":100\r\n"),
            (&[b"get", b"q"], b"$1\r\n2\r\n"),
            (&[b"copy", b"taken", b"q"], b":0\r\n"),
            (&[b"copy", b"taken", b"q", b"replace"], b":1\r\n"),
            (&[b"get", b"q"], b"$3\r\ndb1\r\n"),
            (&[b"ttl", b"q"], b":-1\r\n"),
            (&[b"dbsize"], b":4\r\n"),
            (&[b"swapdb", b"1", b"0"], b"+OK\r\n"),
            (&[b"dbsize"], b":2\r\n"),
            (&[b"get", b"taken"], b"$3\r\ndb0\r\n"),
            (&[b"select", b"0"], b"+OK\r\n"),
            (&[b"ttl", b"z2"], b":100\r\n"),
            (&[b"get", b"q"], b"$3\r\ndb1\r\n"),
        ],
    );
}

#[test]
fn copy_and_rename_keep_string_encodings() {
    let srv = Server::start();
    let mut c = srv.conn();
    let big = vec![b'a'; 80];
    check(
        &mut c,
        &[
            (&[b"set", b"s", b"12345"], b"+OK\r\n"),
            (&[b"copy", b"s", b"s2"], b":1\r\n"),
            (&[b"object", b"encoding", b"s2"], b"$3\r\nint\r\n"),
            (&[b"set", b"e", b"hello"], b"+OK\r\n"),
            (&[b"copy", b"e", b"e2"], b":1\r\n"),
            (&[b"object", b"encoding", b"e2"], b"$6\r\nembstr\r\n"),
            (&[b"append", b"e", b"x"], b":6\r\n"),
            (&[b"copy", b"e", b"e3"], b":1\r\n"),
            (&[b"object", b"encoding", b"e3"], b"$3\r\nraw\r\n"),
            (&[b"set", b"big", &big], b"+OK\r\n"),
            (&[b"rename", b"big", b"big2"], b"+OK\r\n"),
            (&[b"object", b"encoding", b"big2"], b"$3\r\nraw\r\n"),
            (&[b"strlen", b"big2"], b":80\r\n"),
        ],
    );
}

#[test]
fn scan_errors_and_options() {
    let srv = Server::start();
    let mut c = srv.conn();
    let one_k = b"*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n";
    let empty = b"*2\r\n$1\r\n0\r\n*0\r\n";
    let bad_cursor = b"-ERR invalid cursor\r\n";
    check(
        &mut c,
        &[
            (&[b"set", b"k", b"v"], b"+OK\r\n"),
            (&[b"scan", b"0"], one_k),
            (&[b"scan", b"0", b"count", b"0"], SYNTAX),
            (&[b"scan", b"0", b"count", b"-1"], SYNTAX),
            (&[b"scan", b"0", b"count", b"abc"], NOT_INT),
            (&[b"scan", b"0", b"count", b"9223372036854775808"], NOT_INT),
            (&[b"scan", b"0", b"count", b"3000000000"], one_k),
            (&[b"scan", b"abc"], bad_cursor),
            (&[b"scan", b" 0"], bad_cursor),
            (&[b"scan", b"0 "], bad_cursor),
            (&[b"scan", b"0x10"], bad_cursor),
            (&[b"scan", b"+"], bad_cursor),
            (&[b"scan", b"18446744073709551616"], bad_cursor),
            (&[b"scan", b"-18446744073709551616"], bad_cursor),
            (&[b"scan", b""], one_k),
            (&[b"scan", b"+0"], one_k),
            (&[b"scan", b"0\0abc"], one_k),
            (&[b"scan", b"0", b"match"], SYNTAX),
            (&[b"scan", b"0", b"foo", b"bar"], SYNTAX),
            (&[b"scan", b"0", b"type"], SYNTAX),
            (&[b"scan", b"0", b"type", b"foo"], empty),
            (&[b"scan", b"0", b"TYPE", b"STRING"], one_k),
            (
                &[b"scan", b"0", b"type", b"string", b"type", b"list"],
                empty,
            ),
            (&[b"scan", b"0", b"MATCH", b"x*", b"match", b"*"], one_k),
            (&[b"scan", b"0", b"match", b"[j-l]"], one_k),
            (
                &[b"scan", b"0", b"COUNT", b"100", b"MATCH", b"nomatch"],
                empty,
            ),
            (
                &[b"scan"],
                b"-ERR wrong number of arguments for 'scan' command\r\n",
            ),
        ],
    );
}

/// Runs a full SCAN, calling `between` after every call.
fn full_scan(c: &mut Conn, mut between: impl FnMut(&mut Conn, usize)) -> Vec<Vec<u8>> {
    let mut cursor = b"0".to_vec();
    let mut keys = Vec::new();
    let mut calls = 0;
    loop {
        let r = c.cmd(&[b"scan", &cursor, b"count", b"50"]);
        // *2 $len cursor *n ($len key)*
        let mut p = 0;
        let mut line = || {
            let nl = p + r[p..].windows(2).position(|w| w == b"\r\n").unwrap();
            let l = r[p..nl].to_vec();
            p = nl + 2;
            l
        };
        assert_eq!(line(), b"*2");
        line();
        cursor = line();
        let n: usize = show(&line()[1..]).parse().unwrap();
        for _ in 0..n {
            line();
            keys.push(line());
        }
        calls += 1;
        between(c, calls);
        if cursor == b"0" {
            return keys;
        }
        assert!(calls < 100_000, "scan does not terminate");
    }
}

#[test]
fn scan_returns_every_stable_key_while_keys_come_and_go() {
    let srv = Server::start();
    let mut c = srv.conn();
    for i in 0..3000 {
        c.q(&format!("set stable:{i} v"));
    }
    let mut next = 0;
    let keys = full_scan(&mut c, |c, call| {
        // Grow hard (forcing segment splits), then delete what was added.
        for _ in 0..200 {
            if call < 15 {
                c.q(&format!("set tmp:{next} v"));
                next += 1;
            } else if next > 0 {
                next -= 1;
                c.q(&format!("del tmp:{next}"));
            }
        }
    });
    let seen: HashSet<Vec<u8>> = keys.into_iter().collect();
    for i in 0..3000 {
        assert!(
            seen.contains(format!("stable:{i}").as_bytes()),
            "stable:{i} missed"
        );
    }
    // A quiet iteration returns exactly the keys, each at least once.
    c.q("flushall");
    for i in 0..1000 {
        c.q(&format!("set k{i} v"));
    }
    c.q("set exp v px 1");
    // The key's millisecond running out is the condition under test.
    sleep(Duration::from_millis(5));
    let keys = full_scan(&mut c, |_, _| {});
    let seen: HashSet<Vec<u8>> = keys.into_iter().collect();
    assert_eq!(seen.len(), 1000, "expired keys are never returned");
}

#[test]
fn randomkey_and_touch() {
    let srv = Server::start();
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&[b"randomkey"], b"$-1\r\n"),
            (
                &[b"randomkey", b"x"],
                b"-ERR wrong number of arguments for 'randomkey' command\r\n",
            ),
            (&[b"set", b"k", b"v"], b"+OK\r\n"),
            (&[b"randomkey"], b"$1\r\nk\r\n"),
            (&[b"touch", b"k", b"k", b"nokey"], b":2\r\n"),
            (
                &[b"touch"],
                b"-ERR wrong number of arguments for 'touch' command\r\n",
            ),
        ],
    );
}

#[test]
fn object_subcommands() {
    let srv = Server::start();
    let mut c = srv.conn();
    let lfu_off = b"-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n";
    let lfu_on = b"-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n";
    let shared = b":2147483647\r\n";
    check(
        &mut c,
        &[
            (
                &[b"object"],
                b"-ERR wrong number of arguments for 'object' command\r\n",
            ),
            (
                &[b"object", b"foo"],
                b"-ERR unknown subcommand 'foo'. Try OBJECT HELP.\r\n",
            ),
            (
                &[b"object", b"encoding"],
                b"-ERR wrong number of arguments for 'object|encoding' command\r\n",
            ),
            (
                &[b"object", b"help", b"x"],
                b"-ERR wrong number of arguments for 'object|help' command\r\n",
            ),
            (&[b"object", b"encoding", b"nokey"], b"$-1\r\n"),
            (&[b"object", b"refcount", b"nokey"], b"$-1\r\n"),
            (&[b"object", b"freq", b"nokey"], b"$-1\r\n"),
            (&[b"object", b"idletime", b"nokey"], b"$-1\r\n"),
            (&[b"set", b"k", b"v"], b"+OK\r\n"),
            (&[b"object", b"ENCODING", b"k"], b"$6\r\nembstr\r\n"),
            (&[b"object", b"refcount", b"k"], b":1\r\n"),
            (&[b"object", b"freq", b"k"], lfu_off),
            (&[b"object", b"idletime", b"k"], b":0\r\n"),
            (&[b"set", b"k", b"123"], b"+OK\r\n"),
            (&[b"object", b"encoding", b"k"], b"$3\r\nint\r\n"),
            (&[b"object", b"refcount", b"k"], shared),
            (&[b"set", b"k", b"9999"], b"+OK\r\n"),
            (&[b"object", b"refcount", b"k"], shared),
            (&[b"set", b"k", b"10000"], b"+OK\r\n"),
            (&[b"object", b"refcount", b"k"], b":1\r\n"),
            (&[b"set", b"k", b"-1"], b"+OK\r\n"),
            (&[b"object", b"refcount", b"k"], b":1\r\n"),
            (&[b"set", b"k", b"012"], b"+OK\r\n"),
            (&[b"object", b"refcount", b"k"], b":1\r\n"),
            (&[b"object", b"encoding", b"k"], b"$6\r\nembstr\r\n"),
            (&[b"set", b"k", b"5"], b"+OK\r\n"),
            (
                &[b"config", b"set", b"maxmemory-policy", b"allkeys-lru"],
                b"+OK\r\n",
            ),
            (&[b"object", b"refcount", b"k"], shared),
            (&[b"config", b"set", b"maxmemory", b"1gb"], b"+OK\r\n"),
            (&[b"set", b"k2", b"6"], b"+OK\r\n"),
            (&[b"object", b"refcount", b"k2"], b":1\r\n"),
            (&[b"config", b"set", b"maxmemory", b"0"], b"+OK\r\n"),
            (
                &[b"config", b"set", b"maxmemory-policy", b"allkeys-lfu"],
                b"+OK\r\n",
            ),
            (&[b"object", b"idletime", b"k"], lfu_on),
            // A word written under LRU reads as a fully decayed LFU counter.
            (&[b"object", b"freq", b"k"], b":0\r\n"),
        ],
    );
    // OBJECT HELP: the body as Redis prints it (the shared footer is add_help's).
    let mut h = srv.conn();
    let help = h.q("object HELP");
    let want = "+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n\
        +ENCODING <key>\r\n\
        +    Return the kind of internal representation used in order to store the value\r\n\
        +    associated with a <key>.\r\n\
        +FREQ <key>\r\n\
        +    Return the access frequency index of the <key>. The returned integer is\r\n\
        +    proportional to the logarithm of the recent access frequency of the key.\r\n\
        +IDLETIME <key>\r\n\
        +    Return the idle time of the <key>, that is the approximated number of\r\n\
        +    seconds elapsed since the last access to the key.\r\n\
        +REFCOUNT <key>\r\n\
        +    Return the number of references of the value associated with the specified\r\n\
        +    <key>.\r\n\
        +HELP\r\n";
    assert!(show(&help).contains(want), "{}", show(&help));
}

#[test]
fn object_idletime_is_not_reset_by_object_but_by_access() {
    let srv = Server::start();
    let mut c = srv.conn();
    let set_at = Instant::now();
    c.q("set k v");
    // Idle time passing is what OBJECT IDLETIME measures.
    sleep(Duration::from_millis(2200));
    let idle = c.int("object idletime k");
    // Whole seconds of a seconds-resolution clock: at least 1 after 2.2 s, and
    // at most one more than the time that really passed (a loaded machine may
    // sleep longer than asked).
    let passed = set_at.elapsed().as_secs() as i64;
    assert!(
        idle >= 1 && idle <= passed + 1,
        "idle {idle} after {passed} s"
    );
    assert!(c.int("object idletime k") >= idle, "OBJECT does not touch");
    assert!(c.int("ttl k") == -1);
    assert!(c.int("object idletime k") >= idle, "TTL does not touch");
    assert_eq!(c.int("touch k"), 1);
    // 0, or 1 when the seconds clock ticked between the two commands.
    assert!(c.int("object idletime k") <= 1);
}

#[test]
fn expire_options_and_errors() {
    let srv = Server::start();
    let mut c = srv.conn();
    let nx = b"-ERR NX and XX, GT or LT options at the same time are not compatible\r\n";
    let gtlt = b"-ERR GT and LT options at the same time are not compatible\r\n";
    let inv = |cmd: &str| format!("-ERR invalid expire time in '{cmd}' command\r\n").into_bytes();
    let (inv_e, inv_p, inv_at) = (inv("expire"), inv("pexpire"), inv("expireat"));
    check(
        &mut c,
        &[
            (&[b"set", b"k", b"v"], b"+OK\r\n"),
            (
                &[b"expire", b"k"],
                b"-ERR wrong number of arguments for 'expire' command\r\n",
            ),
            (&[b"expire", b"k", b"abc"], NOT_INT),
            (
                &[b"expire", b"k", b"100", b"foo"],
                b"-ERR Unsupported option foo\r\n",
            ),
            (
                &[b"expire", b"k", b"abc", b"foo"],
                b"-ERR Unsupported option foo\r\n",
            ),
            (
                &[b"expire", b"k", b"100", b"f\0oo"],
                b"-ERR Unsupported option f\r\n",
            ),
            (&[b"expire", b"k", b"100", b"nx", b"xx"], nx),
            (&[b"expire", b"k", b"100", b"nx", b"gt"], nx),
            (&[b"expire", b"k", b"100", b"gt", b"lt"], gtlt),
            (&[b"expire", b"k", b"100", b"xx", b"gt", b"lt"], gtlt),
            (&[b"expire", b"k", b"100", b"gt", b"lt", b"nx"], nx),
            (&[b"expire", b"k", b"100", b"XX", b"GT"], b":0\r\n"),
            // No TTL is an infinite TTL: GT never beats it, LT always does.
            (&[b"expire", b"k", b"100", b"gt"], b":0\r\n"),
            (&[b"expire", b"k", b"100", b"lt"], b":1\r\n"),
            (&[b"ttl", b"k"], b":100\r\n"),
            (&[b"expire", b"k", b"100", b"lt"], b":0\r\n"),
            (&[b"expire", b"k", b"50", b"lt"], b":1\r\n"),
            (&[b"ttl", b"k"], b":50\r\n"),
            (&[b"expire", b"k", b"100", b"gt"], b":1\r\n"),
            (&[b"expire", b"k", b"100", b"nx"], b":0\r\n"),
            (&[b"expire", b"k", b"200", b"xx"], b":1\r\n"),
            // TTL rounds to the second: PTTL may read 199999 on a busy machine.
            (&[b"ttl", b"k"], b":200\r\n"),
            (&[b"persist", b"k"], b":1\r\n"),
            (&[b"persist", b"k"], b":0\r\n"),
            (&[b"ttl", b"k"], b":-1\r\n"),
            (&[b"pttl", b"k"], b":-1\r\n"),
            (&[b"expiretime", b"k"], b":-1\r\n"),
            (&[b"pexpiretime", b"k"], b":-1\r\n"),
            (&[b"expire", b"k", b"100", b"NX", b"NX"], b":1\r\n"),
            (&[b"expire", b"k", b"9223372036854775807"], &inv_e),
            (&[b"expire", b"k", b"9223372036854776"], &inv_e),
            (&[b"expire", b"k", b"9223372036854775"], &inv_e),
            (&[b"expire", b"k", b"-9223372036854776"], &inv_e),
            (&[b"pexpire", b"k", b"9223372036854775807"], &inv_p),
            (&[b"pexpire", b"k", b"9223372036854775806", b"xx"], &inv_p),
            (&[b"expireat", b"k", b"9223372036854776"], &inv_at),
            (&[b"expire", b"nokey", b"9223372036854775807"], &inv_e),
            (&[b"ttl", b"k"], b":100\r\n"),
            (&[b"expireat", b"k", b"4000000000"], b":1\r\n"),
            (&[b"expiretime", b"k"], b":4000000000\r\n"),
            (&[b"pexpiretime", b"k"], b":4000000000000\r\n"),
            (&[b"pexpireat", b"k", b"4000000000499"], b":1\r\n"),
            (&[b"expiretime", b"k"], b":4000000000\r\n"),
            (&[b"pexpireat", b"k", b"4000000000500"], b":1\r\n"),
            (&[b"expiretime", b"k"], b":4000000001\r\n"),
            (&[b"pexpiretime", b"k"], b":4000000000500\r\n"),
            (&[b"ttl", b"nokey"], b":-2\r\n"),
            (&[b"pttl", b"nokey"], b":-2\r\n"),
            (&[b"expiretime", b"nokey"], b":-2\r\n"),
            (&[b"pexpiretime", b"nokey"], b":-2\r\n"),
            (&[b"persist", b"nokey"], b":0\r\n"),
            (&[b"expire", b"nokey", b"100"], b":0\r\n"),
            (&[b"expire", b"nokey", b"abc"], NOT_INT),
            (
                &[b"ttl"],
                b"-ERR wrong number of arguments for 'ttl' command\r\n",
            ),
            (
                &[b"persist", b"a", b"b"],
                b"-ERR wrong number of arguments for 'persist' command\r\n",
            ),
        ],
    );
}

#[test]
fn expire_in_the_past_deletes() {
    let srv = Server::start();
    let mut c = srv.conn();
    for past in [
        "expire k 0",
        "pexpire k -5",
        "expireat k 1",
        "expire k -9223372036854775",
        "pexpireat k -9223372036854775808",
        "expireat k 100 lt",
    ] {
        c.q("set k v");
        assert_eq!(c.int(past), 1, "{past}");
        assert_eq!(c.int("exists k"), 0, "{past}");
        assert_eq!(c.int("dbsize"), 0, "{past}");
    }
    c.q("set k v");
    assert_eq!(c.int("expireat k 100 gt"), 0, "no TTL is infinite for GT");
    c.q("set k v ex 100");
    assert_eq!(c.int("expire k -1 gt"), 0);
    assert_eq!(c.int("expire k -1 lt"), 1);
    assert_eq!(c.int("exists k"), 0);
    c.q("set k v ex 100");
    assert_eq!(c.int("expire k -1 xx"), 1);
    assert_eq!(c.int("exists k"), 0);
}

#[test]
fn keys_with_ttl_leave_dbsize_without_being_accessed() {
    let srv = Server::start();
    let mut c = srv.conn();
    for i in 0..500 {
        c.q(&format!("set vol:{i} v px 100"));
    }
    for i in 0..100 {
        c.q(&format!("set keep:{i} v"));
    }
    assert_eq!(c.int("dbsize"), 600);
    // Only DBSIZE from here on: the active cycle in cron must reclaim them.
    common::wait_for_condition("the active cycle to reclaim 500 keys", || {
        c.int("dbsize") == 100
    });
}

#[test]
fn existing_commands_reply_byte_for_byte() {
    let srv = Server::start();
    let mut c = srv.conn();
    check(
        &mut c,
        &[
            (&[b"set", b"a", b"1"], b"+OK\r\n"),
            (&[b"del", b"a", b"a"], b":1\r\n"),
            (&[b"set", b"a", b"1"], b"+OK\r\n"),
            (&[b"exists", b"a", b"a", b"a", b"nokey"], b":3\r\n"),
            (&[b"type", b"a"], b"+string\r\n"),
            (&[b"type", b"nokey"], b"+none\r\n"),
            (&[b"set", b"", b"x"], b"+OK\r\n"),
            (&[b"keys", b"**"], b"*1\r\n$1\r\na\r\n"),
            (&[b"keys", b""], b"*1\r\n$0\r\n\r\n"),
            (&[b"keys", b"["], b"*0\r\n"),
            (&[b"flushdb", b"x"], SYNTAX),
            (&[b"flushdb", b"async"], b"+OK\r\n"),
            (&[b"flushall", b"sync", b"x"], SYNTAX),
            (&[b"flushall", b"ASYNC"], b"+OK\r\n"),
            (&[b"dbsize"], b":0\r\n"),
        ],
    );
}
