//! Bad input: deterministic pseudo-random fuzzing of the protocol parser with random
//! and malformed RESP over many connections. After every batch the server must still
//! be alive and answer PING on an untouched control connection. Also: a protocol
//! error on one connection must not disturb another connection's pipeline.
//!
//! Bounded: fixed seeds, a fixed number of cases, and a wall-clock budget.

mod common;

use common::rng::Rng;
use common::{Conn, Reply, Server};
use std::io::Write;
use std::time::{Duration, Instant};

const WORDS: &[&str] = &[
    "PING",
    "SET",
    "GET",
    "DEL",
    "INCR",
    "MSET",
    "MGET",
    "ECHO",
    "EXPIRE",
    "TTL",
    "APPEND",
    "GETRANGE",
    "SETRANGE",
    "HELLO",
    "SELECT",
    "EXISTS",
    "KEYS",
    "SCAN",
    "TYPE",
    "RENAME",
    "FLUSHALL",
    "QUIT",
    "RESET",
    "CLIENT",
    "COMMAND",
    "x",
    "",
    "-1",
    "0",
    "99999999999",
    "1e400",
    "\x00",
    "\r\n",
    "*",
    "$",
    "k",
    "EX",
    "PX",
    "NX",
    "GET",
];

const BAD_LENGTHS: &[&str] = &[
    "-1",
    "-2",
    "0",
    "1048576",
    "1048577",
    "2147483648",
    "9223372036854775807",
    "99999999999999999999",
    "abc",
    "",
    " 1",
    "1 ",
    "+1",
    "0x10",
];

fn random_command(rng: &mut Rng) -> Vec<u8> {
    let n = 1 + rng.below(5) as usize;
    let args: Vec<Vec<u8>> = (0..n)
        .map(|_| {
            if rng.chance(80) {
                rng.pick(WORDS).as_bytes().to_vec()
            } else {
                let len = rng.below(40) as usize;
                rng.bytes(len)
            }
        })
        .collect();
    let refs: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
    Conn::encode(&refs)
}

/// One fuzz input. Never contains FLUSHALL-free guarantees: the keyspace is junk.
fn random_input(rng: &mut Rng) -> Vec<u8> {
    match rng.below(12) {
        // Binary garbage.
        0 => {
            let n = 1 + rng.below(512) as usize;
            rng.bytes(n)
        }
        // A valid pipeline cut at a random point.
        1 => {
            let mut v = Vec::new();
            for _ in 0..1 + rng.below(5) {
                v.extend(random_command(rng));
            }
            let cut = rng.below(v.len() as u64) as usize;
            v.truncate(cut);
            v
        }
        // Bad multibulk counts.
        2 => format!("*{}\r\n", rng.pick(BAD_LENGTHS)).into_bytes(),
        // Bad bulk lengths inside a multibulk.
        3 => format!("*2\r\n$3\r\nGET\r\n${}\r\nabc\r\n", rng.pick(BAD_LENGTHS)).into_bytes(),
        // Null and nested frames where a bulk is expected.
        4 => rng
            .pick(&[
                "*-1\r\n",
                "*1\r\n$-1\r\n",
                "*2\r\n$-1\r\n$-1\r\n",
                "*2\r\n*1\r\n$4\r\nPING\r\n",
                "*1\r\n*-1\r\n",
                "*3\r\n$3\r\nSET\r\n_\r\n:1\r\n",
                "*1\r\n%1\r\n+a\r\n+b\r\n",
                "$-1\r\n",
                "*0\r\n*0\r\n*-1\r\n",
                "*1\r\n$4\r\nPING",
            ])
            .as_bytes()
            .to_vec(),
        // Huge inline request (> 64 KiB), with or without a newline.
        5 => {
            let mut v = vec![b'a'; 64 * 1024 + 1 + rng.below(8192) as usize];
            if rng.chance(50) {
                v.extend_from_slice(b"\r\n");
            }
            v
        }
        // Inline commands with quoting trouble.
        6 => rng
            .pick(&[
                "SET \"a b\r\n",
                "SET 'a b\r\n",
                "ECHO \"\\x4\"\r\n",
                "ECHO \"a\"b\r\n",
                "\r\n\r\n\r\n",
                "\n\n",
                "   \t  \r\n",
                "PING \"\\xzz\"\r\n",
                "\x00\x00\x00\r\n",
            ])
            .as_bytes()
            .to_vec(),
        // A valid pipeline with random bytes flipped.
        7 => {
            let mut v = Vec::new();
            for _ in 0..1 + rng.below(8) {
                v.extend(random_command(rng));
            }
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(v.len() as u64) as usize;
                v[i] = rng.next() as u8;
            }
            v
        }
        // A big declared bulk followed by too little data.
        8 => {
            let n = 1 + rng.below(1 << 20);
            let mut v = format!("*2\r\n$4\r\nECHO\r\n${n}\r\n").into_bytes();
            let m = rng.below(n.min(4096)) as usize;
            v.extend(rng.bytes(m));
            v
        }
        // Many commands in one write.
        9 => {
            let mut v = Vec::new();
            for _ in 0..200 + rng.below(800) {
                v.extend(random_command(rng));
            }
            v
        }
        // Deep nesting of arrays.
        10 => {
            let depth = 1 + rng.below(2000) as usize;
            "*1\r\n".repeat(depth).into_bytes()
        }
        // RESP3 types as commands.
        _ => rng
            .pick(&[
                "#t\r\n",
                ",1.5\r\n",
                "(123\r\n",
                "=3\r\ntxt\r\n",
                "~1\r\n$1\r\na\r\n",
                ">1\r\n$1\r\na\r\n",
                "|1\r\n+a\r\n+b\r\n",
                "!3\r\nERR\r\n",
            ])
            .as_bytes()
            .to_vec(),
    }
}

fn assert_healthy(srv: &mut Server, ctl: &mut Conn, what: &str) {
    assert!(
        srv.is_alive(),
        "server died after {what}; log tail:\n{}",
        srv.log_tail(40)
    );
    match ctl.try_read_reply_after(&[b"PING"]) {
        Ok(r) => assert_eq!(r, b"+PONG\r\n", "control PING after {what}"),
        Err(e) => panic!("control connection failed after {what}: {e}"),
    }
}

trait PingProbe {
    fn try_read_reply_after(&mut self, args: &[&[u8]]) -> Result<Vec<u8>, common::ReadError>;
}

impl PingProbe for Conn {
    fn try_read_reply_after(&mut self, args: &[&[u8]]) -> Result<Vec<u8>, common::ReadError> {
        self.try_send_raw(&Conn::encode(args))
            .map_err(common::ReadError::Io)?;
        self.try_read_reply()
    }
}

#[test]
fn fuzz_malformed_input() {
    let mut srv = Server::oxidis(&[]);
    let mut ctl = srv.connect();
    let budget = Duration::from_secs(40);
    let started = Instant::now();
    let mut cases = 0;
    for seed in [1u64, 2, 3, 0xdead_beef] {
        let mut rng = Rng::new(seed);
        let mut open: Vec<Conn> = Vec::new();
        for case in 0..300 {
            if started.elapsed() > budget {
                break;
            }
            let input = random_input(&mut rng);
            let mut c = match Conn::connect(srv.port) {
                Ok(c) => c,
                Err(e) => panic!("seed {seed} case {case}: cannot connect: {e}"),
            };
            // Split the write at a random point now and then.
            if rng.chance(30) && input.len() > 1 {
                let cut = 1 + rng.below(input.len() as u64 - 1) as usize;
                let _ = c.try_send_raw(&input[..cut]);
                let _ = c.try_send_raw(&input[cut..]);
            } else {
                let _ = c.try_send_raw(&input);
            }
            if rng.chance(40) {
                // Read a little of what comes back; the content is not checked.
                let _ = c.read_until_quiet(Duration::from_millis(5), Duration::from_millis(50));
            }
            if rng.chance(50) {
                open.push(c); // keep it open for a while: many connections at once
            }
            if open.len() > 40 || rng.chance(10) {
                let n = rng.below(open.len() as u64 + 1) as usize;
                open.truncate(n);
            }
            cases += 1;
            if case % 10 == 9 {
                assert_healthy(&mut srv, &mut ctl, &format!("seed {seed} case {case}"));
            }
        }
        drop(open);
        assert_healthy(&mut srv, &mut ctl, &format!("seed {seed}"));
    }
    assert!(
        cases >= 100,
        "only {cases} fuzz cases ran within {budget:?}"
    );
    // The server is still fully usable.
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["SET", "after-fuzz", "ok"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["GET", "after-fuzz"]), b"$2\r\nok\r\n");
}

#[test]
fn too_big_inline_request_is_rejected() {
    let mut srv = Server::oxidis(&[]);
    let mut ctl = srv.connect();
    let mut c = srv.connect();
    let _ = c.try_send_raw(&vec![b'a'; 70 * 1024]);
    let (got, closed) = c.read_until_quiet(Duration::from_millis(300), Duration::from_secs(5));
    assert_eq!(
        got,
        b"-ERR Protocol error: too big inline request\r\n",
        "got {}",
        common::escape(&got)
    );
    assert!(closed, "connection should be closed after a protocol error");
    assert_healthy(&mut srv, &mut ctl, "too big inline request");
}

#[test]
fn protocol_error_does_not_disturb_other_pipelines() {
    let mut srv = Server::oxidis(&[]);
    let mut a = srv.connect();
    let mut b = srv.connect();
    let mut pipeline = Vec::new();
    let mut expected = Vec::new();
    pipeline.extend(Conn::encode(&[b"SET", b"k", b"v"]));
    expected.extend_from_slice(b"+OK\r\n");
    for i in 1..=100 {
        pipeline.extend(Conn::encode(&[b"INCR", b"counter"]));
        expected.extend_from_slice(format!(":{i}\r\n").as_bytes());
    }
    pipeline.extend(Conn::encode(&[b"GET", b"k"]));
    expected.extend_from_slice(b"$1\r\nv\r\n");
    // A sends half of its pipeline, cut in the middle of a command.
    let half = pipeline.len() / 2 + 3;
    a.send_raw(&pipeline[..half]);
    // B breaks the protocol and is disconnected.
    let _ = b.try_send_raw(b"*1\r\n$-5\r\n");
    let (got, closed) = b.read_until_quiet(Duration::from_millis(200), Duration::from_secs(5));
    assert_eq!(got, b"-ERR Protocol error: invalid bulk length\r\n");
    assert!(closed);
    // A finishes and gets every reply, in order.
    a.send_raw(&pipeline[half..]);
    let mut got = Vec::new();
    for _ in 0..102 {
        got.extend(a.read_reply());
    }
    assert_eq!(common::escape(&got), common::escape(&expected));
    assert!(srv.is_alive());
}

#[test]
fn deep_pipeline() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    const N: usize = 20_000;
    let mut data = Vec::new();
    for i in 0..N {
        if i % 2 == 0 {
            data.extend(Conn::encode(&[b"INCR", b"n"]));
        } else {
            data.extend(Conn::encode(&[b"PING"]));
        }
    }
    let mut w = c.writer();
    let writer = std::thread::spawn(move || w.write_all(&data));
    for i in 0..N {
        let r = c.read_reply();
        if i % 2 == 0 {
            assert_eq!(Reply::parse(&r), Reply::Int((i / 2 + 1) as i64));
        } else {
            assert_eq!(r, b"+PONG\r\n");
        }
    }
    writer.join().unwrap().expect("write pipeline");
}
