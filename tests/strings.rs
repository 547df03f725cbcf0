//! String commands over the wire, reply bytes compared exactly.
//!
//! Every expected reply below was produced by a real Redis 7.0.15 for the same
//! command sequence on an empty database: these are differential results frozen
//! into asserts. Each test starts its own oxidis on a free port.
//!
//! Handler tests in src/cmd/string/tests.rs check expiries and the dirty
//! counter directly; WRONGTYPE and TTL replies are covered by the corpus in
//! tests/diff/strings.txt.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::thread::sleep;
use std::time::Duration;

/// An oxidis-server on a free port, killed on drop.
struct TestServer {
    _srv: common::Server,
    port: u16,
}

impl TestServer {
    fn start() -> TestServer {
        // The shared helper picks a free port and retries on collisions.
        let srv = common::Server::oxidis(&[]);
        TestServer {
            port: srv.port,
            _srv: srv,
        }
    }

    fn connect(&self) -> Conn {
        let s = TcpStream::connect(("127.0.0.1", self.port)).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
        Conn {
            r: BufReader::new(s.try_clone().expect("clone socket")),
            w: s,
        }
    }
}

/// Don't compare this reply (it holds a client id or similar).
const ANY: &[u8] = b"";

struct Conn {
    r: BufReader<TcpStream>,
    w: TcpStream,
}

impl Conn {
    /// Sends one command and returns its whole raw reply.
    fn cmd(&mut self, args: &[Vec<u8>]) -> Vec<u8> {
        let mut req = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            req.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            req.extend_from_slice(a);
            req.extend_from_slice(b"\r\n");
        }
        self.w.write_all(&req).expect("send");
        let mut out = Vec::new();
        self.read_reply(&mut out);
        out
    }

    /// Reads one RESP2/RESP3 reply, appending its bytes to `out`.
    fn read_reply(&mut self, out: &mut Vec<u8>) {
        let start = out.len();
        let n = self.r.read_until(b'\n', out).expect("read reply");
        assert!(n >= 3 && out.ends_with(b"\r\n"), "truncated reply {out:?}");
        let line = &out[start..out.len() - 2];
        let kind = line[0];
        let num = || -> i64 {
            std::str::from_utf8(&line[1..])
                .ok()
                .and_then(|s| s.parse().ok())
                .expect("length")
        };
        match kind {
            b'$' | b'=' | b'!' => {
                let len = num();
                if len >= 0 {
                    let mut body = vec![0; len as usize + 2];
                    self.r.read_exact(&mut body).expect("read bulk");
                    out.extend_from_slice(&body);
                }
            }
            b'*' | b'~' | b'>' | b'%' | b'|' => {
                let len = num();
                let items = if kind == b'%' || kind == b'|' {
                    2 * len
                } else {
                    len
                };
                for _ in 0..items.max(0) {
                    self.read_reply(out);
                }
            }
            _ => {}
        }
    }

    /// Runs each `(command line, expected reply)` in order and reports every
    /// mismatch at once. See [`args`] for the command-line notation.
    fn check(&mut self, script: &[(&str, &[u8])]) {
        let mut bad = Vec::new();
        for (line, want) in script {
            let got = self.cmd(&args(line));
            if !want.is_empty() && got != *want {
                bad.push(format!(
                    "{line}\n   want {:?}\n    got {:?}",
                    String::from_utf8_lossy(want),
                    String::from_utf8_lossy(&got)
                ));
            }
        }
        assert!(bad.is_empty(), "replies differ:\n{}", bad.join("\n"));
    }
}

/// Splits a command line on spaces; `''` is an empty argument and `\xHH` a
/// byte (so `\x20` is a space inside an argument).
fn args(line: &str) -> Vec<Vec<u8>> {
    line.split(' ')
        .map(|tok| {
            if tok == "''" {
                return Vec::new();
            }
            let b = tok.as_bytes();
            let mut out = Vec::with_capacity(b.len());
            let mut i = 0;
            while i < b.len() {
                if b[i] == b'\\' && b.get(i + 1) == Some(&b'x') {
                    let hex = std::str::from_utf8(&b[i + 2..i + 4]).expect("hex");
                    out.push(u8::from_str_radix(hex, 16).expect("hex escape"));
                    i += 4;
                } else {
                    out.push(b[i]);
                    i += 1;
                }
            }
            out
        })
        .collect()
}

/// Expiries set by GETEX and SET are honoured and PERSIST removes them.
#[test]
fn getex_expiry_effects() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.check(&[
        ("set a v", b"+OK\r\n"),
        ("getex a px 1", b"$1\r\nv\r\n"),
        ("set b v px 300", b"+OK\r\n"),
        ("getex b persist", b"$1\r\nv\r\n"),
        ("set c v", b"+OK\r\n"),
        ("getex c ex 1000", b"$1\r\nv\r\n"),
        ("getset c w", b"$1\r\nv\r\n"),
        ("set d 5 px 300", b"+OK\r\n"),
        ("incrbyfloat d 1", b"$1\r\n6\r\n"),
        ("set e 1 px 300", b"+OK\r\n"),
        ("set e 2 keepttl", b"+OK\r\n"),
    ]);
    // The TTLs running out is the condition under test.
    sleep(Duration::from_millis(600));
    c.check(&[
        ("get a", b"$-1\r\n"),
        ("get b", b"$1\r\nv\r\n"),
        ("get c", b"$1\r\nw\r\n"),
        ("get d", b"$-1\r\n"),
        ("get e", b"$-1\r\n"),
    ]);
}

/// Many commands in one write come back in order (pipelining).
#[test]
fn pipelined_string_commands() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    let mut req = Vec::new();
    for i in 0..100 {
        req.extend_from_slice(b"*3\r\n$6\r\nappend\r\n$1\r\np\r\n$1\r\n");
        req.push(b'a' + (i % 26) as u8);
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"*2\r\n$6\r\nstrlen\r\n$1\r\np\r\n");
    c.w.write_all(&req).unwrap();
    for i in 1..=100 {
        let mut out = Vec::new();
        c.read_reply(&mut out);
        assert_eq!(out, format!(":{i}\r\n").into_bytes());
    }
    let mut out = Vec::new();
    c.read_reply(&mut out);
    assert_eq!(out, b":100\r\n");
}

// ---- Generated from Redis 7.0.15 replies ---------------------------------

/// GET/SET and the SET option grammar, including 7.0's GET with NX.
#[test]
fn get_set_options() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.check(&[
        (
            "get",
            b"-ERR wrong number of arguments for 'get' command\r\n",
        ),
        (
            "get a b",
            b"-ERR wrong number of arguments for 'get' command\r\n",
        ),
        ("get nokey", b"$-1\r\n"),
        (
            "set k",
            b"-ERR wrong number of arguments for 'set' command\r\n",
        ),
        ("set k v", b"+OK\r\n"),
        ("get k", b"$1\r\nv\r\n"),
        ("set k v2 nx", b"$-1\r\n"),
        ("set k v2 xx", b"+OK\r\n"),
        ("set k v3 nx xx", b"-ERR syntax error\r\n"),
        ("set k v3 xx nx", b"-ERR syntax error\r\n"),
        ("set k v3 get", b"$2\r\nv2\r\n"),
        ("set k v4 get nx", b"$2\r\nv3\r\n"),
        ("set k v4 nx get", b"$2\r\nv3\r\n"),
        ("set k2 v4 nx get", b"$-1\r\n"),
        ("get k2", b"$2\r\nv4\r\n"),
        ("set k3 v4 xx get", b"$-1\r\n"),
        ("get k3", b"$-1\r\n"),
        (
            "set k v ex 0",
            b"-ERR invalid expire time in 'set' command\r\n",
        ),
        (
            "set k v ex -1",
            b"-ERR invalid expire time in 'set' command\r\n",
        ),
        (
            "set k v ex abc",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        ("set k v ex", b"-ERR syntax error\r\n"),
        (
            "set k v px 0",
            b"-ERR invalid expire time in 'set' command\r\n",
        ),
        (
            "set k v ex 9223372036854775807",
            b"-ERR invalid expire time in 'set' command\r\n",
        ),
        (
            "set k v ex 9223372036854776",
            b"-ERR invalid expire time in 'set' command\r\n",
        ),
        (
            "set k v px 9223372036854775807",
            b"-ERR invalid expire time in 'set' command\r\n",
        ),
        ("set k v exat 9223372036854775", b"+OK\r\n"),
        (
            "set k v exat 9223372036854776",
            b"-ERR invalid expire time in 'set' command\r\n",
        ),
        ("set k v pxat 1", b"+OK\r\n"),
        ("get k", b"$-1\r\n"),
        ("set k v ex 10 px 10", b"-ERR syntax error\r\n"),
        ("set k v ex 10 ex 20", b"+OK\r\n"),
        ("set k v keepttl ex 10", b"-ERR syntax error\r\n"),
        ("set k v ex 10 keepttl", b"-ERR syntax error\r\n"),
        ("set k v persist", b"-ERR syntax error\r\n"),
        ("set k v foo", b"-ERR syntax error\r\n"),
        ("set k v nx\\x00abc", b"$-1\r\n"),
        ("set k v ex\\x00 10", b"+OK\r\n"),
        ("set k v keepttl\\x00zz", b"+OK\r\n"),
        ("set k v GeT", b"$1\r\nv\r\n"),
        (
            "set k v ex 10 get ex abc",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            "set k v get ex abc",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        ("set k v EX 100 NX GET", b"$1\r\nv\r\n"),
        ("set '' empty", b"+OK\r\n"),
        ("get ''", b"$5\r\nempty\r\n"),
        ("set e ''", b"+OK\r\n"),
        ("get e", b"$0\r\n\r\n"),
    ]);
}

/// SETNX, SETEX, PSETEX and their expire checks.
#[test]
fn setnx_setex_psetex() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.check(&[
        ("set k v", b"+OK\r\n"),
        ("setnx k x", b":0\r\n"),
        ("setnx nk x", b":1\r\n"),
        (
            "setnx k",
            b"-ERR wrong number of arguments for 'setnx' command\r\n",
        ),
        ("setex k 10 v", b"+OK\r\n"),
        (
            "setex k 0 v",
            b"-ERR invalid expire time in 'setex' command\r\n",
        ),
        (
            "setex k -5 v",
            b"-ERR invalid expire time in 'setex' command\r\n",
        ),
        (
            "setex k x v",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            "setex k 10",
            b"-ERR wrong number of arguments for 'setex' command\r\n",
        ),
        ("psetex k 10000 v", b"+OK\r\n"),
        (
            "psetex k 0 v",
            b"-ERR invalid expire time in 'psetex' command\r\n",
        ),
        (
            "psetex k 9223372036854775807 v",
            b"-ERR invalid expire time in 'psetex' command\r\n",
        ),
        (
            "setex k 9223372036854775807 v",
            b"-ERR invalid expire time in 'setex' command\r\n",
        ),
        ("get k", b"$1\r\nv\r\n"),
    ]);
}

/// Multi-key reads and writes, MSETNX's all-or-nothing rule.
#[test]
fn mget_mset_msetnx() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.check(&[
        (
            "mget",
            b"-ERR wrong number of arguments for 'mget' command\r\n",
        ),
        (
            "mset",
            b"-ERR wrong number of arguments for 'mset' command\r\n",
        ),
        (
            "mset a",
            b"-ERR wrong number of arguments for 'mset' command\r\n",
        ),
        (
            "mset a 1 b",
            b"-ERR wrong number of arguments for 'mset' command\r\n",
        ),
        ("mset a 1 b 2", b"+OK\r\n"),
        ("mget a nokey b", b"*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n"),
        (
            "msetnx",
            b"-ERR wrong number of arguments for 'msetnx' command\r\n",
        ),
        (
            "msetnx a",
            b"-ERR wrong number of arguments for 'msetnx' command\r\n",
        ),
        (
            "msetnx a 1 b",
            b"-ERR wrong number of arguments for 'msetnx' command\r\n",
        ),
        ("msetnx a 1 c 2", b":0\r\n"),
        ("mget a b c", b"*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n"),
        ("msetnx c 1 d 2", b":1\r\n"),
        (
            "mget a b c d",
            b"*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n2\r\n",
        ),
        ("msetnx x 1 x 2", b":1\r\n"),
        ("get x", b"$1\r\n2\r\n"),
    ]);
}

/// Integer counters: strict parsing and overflow.
#[test]
fn incr_decr() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.check(&[
        ("set a 5", b"+OK\r\n"),
        ("incr a", b":6\r\n"),
        ("incr x", b":1\r\n"),
        ("decr y", b":-1\r\n"),
        ("incrby a 10", b":16\r\n"),
        (
            "incrby a x",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            "incrby a 1.5",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            "incrby a \\x201",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            "incrby a +1",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            "incrby a 01",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            "incrby a -0",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            "decrby a -9223372036854775808",
            b"-ERR decrement would overflow\r\n",
        ),
        ("decrby a 9223372036854775807", b":-9223372036854775791\r\n"),
        (
            "decrby a 9223372036854775807",
            b"-ERR increment or decrement would overflow\r\n",
        ),
        (
            "decrby a 9223372036854775807",
            b"-ERR increment or decrement would overflow\r\n",
        ),
        ("set m 9223372036854775807", b"+OK\r\n"),
        ("incr m", b"-ERR increment or decrement would overflow\r\n"),
        ("set m -9223372036854775808", b"+OK\r\n"),
        ("decr m", b"-ERR increment or decrement would overflow\r\n"),
        ("set m 9223372036854775808", b"+OK\r\n"),
        (
            "incr m",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        ("set m \\x205", b"+OK\r\n"),
        (
            "incr m",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        ("set m 5\\x20", b"+OK\r\n"),
        (
            "incr m",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        ("set m ''", b"+OK\r\n"),
        (
            "incr m",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        ("set m abc", b"+OK\r\n"),
        (
            "incr m",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        ("set m 007", b"+OK\r\n"),
        (
            "incr m",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            "incrby q -9223372036854775808",
            b":-9223372036854775808\r\n",
        ),
        ("decr q", b"-ERR increment or decrement would overflow\r\n"),
        (
            "incr",
            b"-ERR wrong number of arguments for 'incr' command\r\n",
        ),
        (
            "incrby a",
            b"-ERR wrong number of arguments for 'incrby' command\r\n",
        ),
        (
            "incrby big 9223372036854775807",
            b":9223372036854775807\r\n",
        ),
        (
            "incrby big 1",
            b"-ERR increment or decrement would overflow\r\n",
        ),
        (
            "incrby big 9223372036854775808",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            "incrby big -9223372036854775809",
            b"-ERR value is not an integer or out of range\r\n",
        ),
    ]);
}

/// INCRBYFLOAT: long double arithmetic and Redis's number formatting.
#[test]
fn incrbyfloat() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.check(&[
        ("incrbyfloat f 10.5", b"$4\r\n10.5\r\n"),
        ("incrbyfloat f 0.1", b"$4\r\n10.6\r\n"),
        ("incrbyfloat f 1e3", b"$22\r\n1010.59999999999999998\r\n"),
        ("incrbyfloat f 0x10", b"$22\r\n1026.59999999999999998\r\n"),
        (
            "incrbyfloat f inf",
            b"-ERR increment would produce NaN or Infinity\r\n",
        ),
        (
            "incrbyfloat f -inf",
            b"-ERR increment would produce NaN or Infinity\r\n",
        ),
        ("incrbyfloat f nan", b"-ERR value is not a valid float\r\n"),
        ("incrbyfloat f abc", b"-ERR value is not a valid float\r\n"),
        ("incrbyfloat f ''", b"-ERR value is not a valid float\r\n"),
        (
            "incrbyfloat f \\x201",
            b"-ERR value is not a valid float\r\n",
        ),
        (
            "incrbyfloat f 1\\x20",
            b"-ERR value is not a valid float\r\n",
        ),
        (
            "incrbyfloat f 1\\x00abc",
            b"-ERR value is not a valid float\r\n",
        ),
        (
            "incrbyfloat f 1e5000",
            b"-ERR value is not a valid float\r\n",
        ),
        (
            "incrbyfloat f 1e-5000",
            b"-ERR value is not a valid float\r\n",
        ),
        ("incrbyfloat f -1026.6", b"$1\r\n0\r\n"),
        ("incrbyfloat f -0.0", b"$1\r\n0\r\n"),
        ("get f", b"$1\r\n0\r\n"),
        ("incrbyfloat f2 1.0e20", b"$21\r\n100000000000000000000\r\n"),
        ("incrbyfloat f3 3", b"$1\r\n3\r\n"),
        ("incrbyfloat f3 0.1e1", b"$1\r\n4\r\n"),
        ("set f4 abc", b"+OK\r\n"),
        ("incrbyfloat f4 1", b"-ERR value is not a valid float\r\n"),
        ("incrbyfloat f4 x", b"-ERR value is not a valid float\r\n"),
        ("set f5 inf", b"+OK\r\n"),
        (
            "incrbyfloat f5 1",
            b"-ERR increment would produce NaN or Infinity\r\n",
        ),
        ("set f6 2\\x00x", b"+OK\r\n"),
        ("incrbyfloat f6 1", b"-ERR value is not a valid float\r\n"),
        ("set f7 5", b"+OK\r\n"),
        ("incrbyfloat f7 1.5", b"$3\r\n6.5\r\n"),
        (
            "incrbyfloat f8 1.23456789012345678901234567890",
            b"$19\r\n1.23456789012345679\r\n",
        ),
        ("incrbyfloat f9 -5", b"$2\r\n-5\r\n"),
        ("incrbyfloat f9 0.0000000000000000001", b"$2\r\n-5\r\n"),
        (
            "incrbyfloat f10 1e30",
            b"$31\r\n1000000000000000000024696061952\r\n",
        ),
        ("incrbyfloat f11 .5", b"$3\r\n0.5\r\n"),
        ("incrbyfloat f11 5.", b"$3\r\n5.5\r\n"),
        ("incrbyfloat f12 +1", b"$1\r\n1\r\n"),
        ("incrbyfloat f13 1e", b"-ERR value is not a valid float\r\n"),
        (
            "incrbyfloat f14 INFINITY",
            b"-ERR increment would produce NaN or Infinity\r\n",
        ),
        ("incrbyfloat h 0x1p3", b"$1\r\n8\r\n"),
        ("incrbyfloat h2 1e-4940", b"$1\r\n0\r\n"),
        ("incrbyfloat z -0", b"$1\r\n0\r\n"),
        ("incrbyfloat z2 0.1", b"$3\r\n0.1\r\n"),
        ("incrbyfloat z2 0.2", b"$3\r\n0.3\r\n"),
        ("incrbyfloat z3 1.5e-10", b"$13\r\n0.00000000015\r\n"),
        (
            "incrbyfloat z4 123456789012345678901234567890",
            b"$30\r\n123456789012345678899921813504\r\n",
        ),
        ("set z5 \\x20\\x203", b"+OK\r\n"),
        ("incrbyfloat z5 1", b"-ERR value is not a valid float\r\n"),
        (
            "incrbyfloat n \\x20\\x20",
            b"-ERR value is not a valid float\r\n",
        ),
        (
            "incrbyfloat",
            b"-ERR wrong number of arguments for 'incrbyfloat' command\r\n",
        ),
        (
            "incrbyfloat a 1 2",
            b"-ERR wrong number of arguments for 'incrbyfloat' command\r\n",
        ),
    ]);
}

/// APPEND and STRLEN on strings, integers, binary data.
#[test]
fn append_strlen() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.check(&[
        ("append ap hello", b":5\r\n"),
        ("append ap \\x20world", b":11\r\n"),
        ("get ap", b"$11\r\nhello world\r\n"),
        ("append ap ''", b":11\r\n"),
        ("append ap2 ''", b":0\r\n"),
        ("exists ap2", b":1\r\n"),
        ("get ap2", b"$0\r\n\r\n"),
        ("set n 12", b"+OK\r\n"),
        ("append n 34", b":4\r\n"),
        ("get n", b"$4\r\n1234\r\n"),
        ("incr n", b":1235\r\n"),
        ("strlen n", b":4\r\n"),
        ("strlen ap", b":11\r\n"),
        ("strlen nokey", b":0\r\n"),
        ("set n -123", b"+OK\r\n"),
        ("strlen n", b":4\r\n"),
        (
            "append",
            b"-ERR wrong number of arguments for 'append' command\r\n",
        ),
        (
            "strlen",
            b"-ERR wrong number of arguments for 'strlen' command\r\n",
        ),
        ("set b a\\x00b\\xff", b"+OK\r\n"),
        ("get b", b"$4\r\na\x00b\xff\r\n"),
        ("strlen b", b":4\r\n"),
        ("append b \\x00", b":5\r\n"),
        ("get b", b"$5\r\na\x00b\xff\x00\r\n"),
    ]);
}

/// GETRANGE/SUBSTR index rules of Redis 7.0, integers and empty strings.
#[test]
fn getrange_substr() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.check(&[
        ("getrange nokey 0 -1", b"$0\r\n\r\n"),
        (
            "getrange nokey a -1",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        ("set s Hello\\x20World", b"+OK\r\n"),
        ("getrange s 0 4", b"$5\r\nHello\r\n"),
        ("getrange s -5 -1", b"$5\r\nWorld\r\n"),
        ("getrange s -1 -5", b"$0\r\n\r\n"),
        ("getrange s 5 3", b"$0\r\n\r\n"),
        ("getrange s 0 -1", b"$11\r\nHello World\r\n"),
        ("getrange s 0 100", b"$11\r\nHello World\r\n"),
        ("getrange s -100 -50", b"$1\r\nH\r\n"),
        ("getrange s -100 -100", b"$1\r\nH\r\n"),
        ("getrange s -100 2", b"$3\r\nHel\r\n"),
        ("getrange s 100 200", b"$0\r\n\r\n"),
        ("getrange s 11 11", b"$0\r\n\r\n"),
        ("getrange s 10 10", b"$1\r\nd\r\n"),
        ("getrange s -1 -1", b"$1\r\nd\r\n"),
        (
            "getrange s -9223372036854775808 9223372036854775807",
            b"$11\r\nHello World\r\n",
        ),
        (
            "getrange s 9223372036854775807 -9223372036854775808",
            b"$0\r\n\r\n",
        ),
        (
            "getrange s x 1",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            "getrange s 1 x",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            "getrange s 1",
            b"-ERR wrong number of arguments for 'getrange' command\r\n",
        ),
        ("getrange s 3 -100", b"$0\r\n\r\n"),
        ("getrange s 0 -12", b"$1\r\nH\r\n"),
        ("getrange s 0 -11", b"$1\r\nH\r\n"),
        ("set e ''", b"+OK\r\n"),
        ("getrange e 0 -1", b"$0\r\n\r\n"),
        ("getrange e 0 0", b"$0\r\n\r\n"),
        ("getrange e -1 0", b"$0\r\n\r\n"),
        ("set i 123456", b"+OK\r\n"),
        ("getrange i 1 3", b"$3\r\n234\r\n"),
        ("getrange i -2 -1", b"$2\r\n56\r\n"),
        ("substr s 0 4", b"$5\r\nHello\r\n"),
        ("substr s -1 -5", b"$0\r\n\r\n"),
        (
            "substr s 1",
            b"-ERR wrong number of arguments for 'substr' command\r\n",
        ),
        ("substr i 0 0", b"$1\r\n1\r\n"),
    ]);
}

/// SETRANGE: padding, integers, empty values, offsets.
#[test]
fn setrange() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.check(&[
        ("set s Hello\\x20World", b"+OK\r\n"),
        ("setrange s 6 Redis", b":11\r\n"),
        ("get s", b"$11\r\nHello Redis\r\n"),
        ("setrange s 20 X", b":21\r\n"),
        (
            "get s",
            b"$21\r\nHello Redis\x00\x00\x00\x00\x00\x00\x00\x00\x00X\r\n",
        ),
        ("setrange s -1 X", b"-ERR offset is out of range\r\n"),
        (
            "setrange s x X",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        (
            "setrange s 0\\x00 a",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        ("setrange s 0 ''", b":21\r\n"),
        ("setrange s 1000 ''", b":21\r\n"),
        ("setrange nk 0 ''", b":0\r\n"),
        ("exists nk", b":0\r\n"),
        ("setrange nk 5 ''", b":0\r\n"),
        ("exists nk", b":0\r\n"),
        ("setrange nk -1 ''", b"-ERR offset is out of range\r\n"),
        ("setrange nk 3 ab", b":5\r\n"),
        ("get nk", b"$5\r\n\x00\x00\x00ab\r\n"),
        ("set i 123", b"+OK\r\n"),
        ("setrange i 1 9", b":3\r\n"),
        ("get i", b"$3\r\n193\r\n"),
        ("incr i", b":194\r\n"),
        ("setrange i 0 ''", b":3\r\n"),
        (
            "setrange",
            b"-ERR wrong number of arguments for 'setrange' command\r\n",
        ),
        (
            "setrange a b",
            b"-ERR wrong number of arguments for 'setrange' command\r\n",
        ),
        (
            "setrange nk2 9223372036854775807 a",
            b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
        ),
        (
            "setrange nk2 9223372036854775808 a",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        ("exists nk2", b":0\r\n"),
    ]);
}

/// Size limits at a lowered proto-max-bulk-len (1 MB), cheap to test.
#[test]
fn proto_max_bulk_len_limits() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.check(&[
        ("config set proto-max-bulk-len 1mb", b"+OK\r\n"),
        (
            "setrange big 1048576 a",
            b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
        ),
        (
            "setrange big 1048575 ab",
            b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
        ),
        ("exists big", b":0\r\n"),
        ("setrange big 1048575 a", b":1048576\r\n"),
        ("strlen big", b":1048576\r\n"),
        ("setrange big 1048575 b", b":1048576\r\n"),
        ("setrange big 1048576 ''", b":1048576\r\n"),
        (
            "append big x",
            b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
        ),
        ("append big ''", b":1048576\r\n"),
        ("set small abc", b"+OK\r\n"),
        (
            "setrange small 1048575 ab",
            b"-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
        ),
        ("setrange la 599 a", b":600\r\n"),
        ("setrange lb 499 a", b":500\r\n"),
        (
            "lcs la lb len",
            b"-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n",
        ),
        (
            "lcs la lb",
            b"-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n",
        ),
        ("setrange lc 399 a", b":400\r\n"),
        ("lcs lb lc len", b":400\r\n"),
    ]);
}

/// GETEX options and errors (expiry effects are in getex_expiry_effects).
#[test]
fn getex() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.check(&[
        (
            "getex",
            b"-ERR wrong number of arguments for 'getex' command\r\n",
        ),
        ("getex nokey", b"$-1\r\n"),
        ("getex nokey ex 10", b"$-1\r\n"),
        ("getex nokey ex 0", b"$-1\r\n"),
        ("getex nokey ex x", b"$-1\r\n"),
        ("getex nokey foo", b"-ERR syntax error\r\n"),
        ("getex nokey persist\\x00", b"$-1\r\n"),
        ("set k v", b"+OK\r\n"),
        ("getex k", b"$1\r\nv\r\n"),
        ("getex k ex 100", b"$1\r\nv\r\n"),
        ("getex k px 100000", b"$1\r\nv\r\n"),
        ("getex k persist", b"$1\r\nv\r\n"),
        ("getex k persist", b"$1\r\nv\r\n"),
        ("getex k exat 99999999999", b"$1\r\nv\r\n"),
        ("getex k pxat 99999999999000", b"$1\r\nv\r\n"),
        (
            "getex k ex 0",
            b"-ERR invalid expire time in 'getex' command\r\n",
        ),
        (
            "getex k ex -1",
            b"-ERR invalid expire time in 'getex' command\r\n",
        ),
        (
            "getex k ex x",
            b"-ERR value is not an integer or out of range\r\n",
        ),
        ("getex k ex", b"-ERR syntax error\r\n"),
        ("getex k ex 10 px 10", b"-ERR syntax error\r\n"),
        ("getex k ex 10 persist", b"-ERR syntax error\r\n"),
        ("getex k persist ex 10", b"-ERR syntax error\r\n"),
        ("getex k persist persist", b"$1\r\nv\r\n"),
        ("getex k nx", b"-ERR syntax error\r\n"),
        ("getex k get", b"-ERR syntax error\r\n"),
        ("getex k keepttl", b"-ERR syntax error\r\n"),
        ("getex k ex 10 ex 20", b"$1\r\nv\r\n"),
        (
            "getex k ex 9223372036854776",
            b"-ERR invalid expire time in 'getex' command\r\n",
        ),
        (
            "getex k ex 9223372036854775",
            b"-ERR invalid expire time in 'getex' command\r\n",
        ),
        (
            "getex k px 9223372036854775807",
            b"-ERR invalid expire time in 'getex' command\r\n",
        ),
        ("getex k foo bar", b"-ERR syntax error\r\n"),
        ("getex k ex 10 foo", b"-ERR syntax error\r\n"),
        ("getex k EX 10 PERSIST", b"-ERR syntax error\r\n"),
        ("getex k exat 1", b"$1\r\nv\r\n"),
        ("exists k", b":0\r\n"),
        ("set k 123", b"+OK\r\n"),
        ("getex k pxat 1", b"$3\r\n123\r\n"),
        ("exists k", b":0\r\n"),
    ]);
}

/// GETDEL and GETSET.
#[test]
fn getdel_getset() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.check(&[
        ("getdel nokey", b"$-1\r\n"),
        ("set gd v", b"+OK\r\n"),
        ("getdel gd", b"$1\r\nv\r\n"),
        ("getdel gd", b"$-1\r\n"),
        ("exists gd", b":0\r\n"),
        (
            "getdel",
            b"-ERR wrong number of arguments for 'getdel' command\r\n",
        ),
        (
            "getdel a b",
            b"-ERR wrong number of arguments for 'getdel' command\r\n",
        ),
        ("set n 42", b"+OK\r\n"),
        ("getdel n", b"$2\r\n42\r\n"),
        ("getset gs 1", b"$-1\r\n"),
        ("getset gs 2", b"$1\r\n1\r\n"),
        ("get gs", b"$1\r\n2\r\n"),
        (
            "getset gs",
            b"-ERR wrong number of arguments for 'getset' command\r\n",
        ),
        (
            "getset gs a b",
            b"-ERR wrong number of arguments for 'getset' command\r\n",
        ),
    ]);
}

/// LCS in RESP2: every option, conflicts, missing keys, integers.
#[test]
fn lcs_resp2() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.check(&[
        ("lcs a", b"-ERR wrong number of arguments for 'lcs' command\r\n"),
        ("lcs a b", b"$0\r\n\r\n"),
        ("mset key1 ohmytext key2 mynewtext", b"+OK\r\n"),
        ("lcs key1 key2", b"$6\r\nmytext\r\n"),
        ("lcs key1 key2 len", b":6\r\n"),
        ("lcs key1 key2 idx", b"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"),
        ("lcs key1 key2 idx minmatchlen 4", b"*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n$3\r\nlen\r\n:6\r\n"),
        ("lcs key1 key2 idx minmatchlen 4 withmatchlen", b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"),
        ("lcs key1 key2 idx withmatchlen", b"*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"),
        ("lcs key1 key2 len idx", b"-ERR If you want both the length and indexes, please just use IDX.\r\n"),
        ("lcs key1 key2 idx len", b"-ERR If you want both the length and indexes, please just use IDX.\r\n"),
        ("lcs key1 key2 len foo", b"-ERR syntax error\r\n"),
        ("lcs key1 key2 minmatchlen", b"-ERR syntax error\r\n"),
        ("lcs key1 key2 minmatchlen x", b"-ERR value is not an integer or out of range\r\n"),
        ("lcs key1 key2 minmatchlen -5 idx", b"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"),
        ("lcs key1 key2 withmatchlen", b"$6\r\nmytext\r\n"),
        ("lcs key1 key2 minmatchlen 3", b"$6\r\nmytext\r\n"),
        ("lcs key1 key2 len withmatchlen", b":6\r\n"),
        ("lcs key1 key2 LeN", b":6\r\n"),
        ("lcs key1 key2 len\\x00x", b":6\r\n"),
        ("lcs key1 key2 idx minmatchlen 4 minmatchlen 0", b"*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"),
        ("lcs key1 key2 len len", b":6\r\n"),
        ("lcs key1 nokey", b"$0\r\n\r\n"),
        ("lcs key1 nokey len", b":0\r\n"),
        ("lcs key1 nokey idx", b"*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"),
        ("lcs nokey nokey2 idx withmatchlen", b"*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"),
        ("set n1 12345", b"+OK\r\n"),
        ("set n2 2345", b"+OK\r\n"),
        ("lcs n1 n2 idx withmatchlen", b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:1\r\n:4\r\n*2\r\n:0\r\n:3\r\n:4\r\n$3\r\nlen\r\n:4\r\n"),
        ("lcs key1 key1 idx withmatchlen", b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:7\r\n*2\r\n:0\r\n:7\r\n:8\r\n$3\r\nlen\r\n:8\r\n"),
        ("mset a abcabcabc b cbacbacba", b"+OK\r\n"),
        ("lcs a b", b"$5\r\ncbabc\r\n"),
        ("lcs b a", b"$5\r\nabcba\r\n"),
        ("lcs a b idx withmatchlen", b"*4\r\n$7\r\nmatches\r\n*5\r\n*3\r\n*2\r\n:8\r\n:8\r\n*2\r\n:6\r\n:6\r\n:1\r\n*3\r\n*2\r\n:7\r\n:7\r\n*2\r\n:4\r\n:4\r\n:1\r\n*3\r\n*2\r\n:6\r\n:6\r\n*2\r\n:2\r\n:2\r\n:1\r\n*3\r\n*2\r\n:4\r\n:4\r\n*2\r\n:1\r\n:1\r\n:1\r\n*3\r\n*2\r\n:2\r\n:2\r\n*2\r\n:0\r\n:0\r\n:1\r\n$3\r\nlen\r\n:5\r\n"),
        ("lcs b a idx withmatchlen", b"*4\r\n$7\r\nmatches\r\n*5\r\n*3\r\n*2\r\n:8\r\n:8\r\n*2\r\n:6\r\n:6\r\n:1\r\n*3\r\n*2\r\n:7\r\n:7\r\n*2\r\n:4\r\n:4\r\n:1\r\n*3\r\n*2\r\n:6\r\n:6\r\n*2\r\n:2\r\n:2\r\n:1\r\n*3\r\n*2\r\n:4\r\n:4\r\n*2\r\n:1\r\n:1\r\n:1\r\n*3\r\n*2\r\n:2\r\n:2\r\n*2\r\n:0\r\n:0\r\n:1\r\n$3\r\nlen\r\n:5\r\n"),
        ("set bin1 \\x00\\xff\\x00\\x01", b"+OK\r\n"),
        ("set bin2 \\xff\\x00\\x01\\x00", b"+OK\r\n"),
        ("lcs bin1 bin2", b"$3\r\n\xff\x00\x01\r\n"),
        ("lcs bin1 bin2 idx withmatchlen", b"*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:1\r\n:3\r\n*2\r\n:0\r\n:2\r\n:3\r\n$3\r\nlen\r\n:3\r\n"),
    ]);
}

/// LCS IDX replies with a map in RESP3.
#[test]
fn lcs_resp3() {
    let srv = TestServer::start();
    let mut c = srv.connect();
    c.check(&[
        ("mset key1 ohmytext key2 mynewtext", b"+OK\r\n"),
        ("hello 3", ANY),
        ("lcs key1 key2 idx withmatchlen", b"%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"),
        ("lcs key1 key2 idx", b"%2\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"),
        ("lcs key1 nokey idx", b"%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"),
        ("lcs key1 key2 len", b":6\r\n"),
        ("lcs key1 key2", b"$6\r\nmytext\r\n"),
        ("getex nokey", b"_\r\n"),
        ("getdel nokey", b"_\r\n"),
        ("getset nokey2 x", b"_\r\n"),
        ("set k v get", b"_\r\n"),
    ]);
}
