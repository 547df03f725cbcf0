//! Load generator for the benchmarks redis-benchmark cannot express (scripts/bench
//! --bitmap and --stream):
//!
//! - random numbers without leading zeros: redis-benchmark's `__rand_int__` is
//!   always 12 zero-padded digits, which SETBIT/GETBIT reject as a bit offset
//!   (Redis parses offsets strictly). Here every `__rand__` in an argument becomes
//!   a decimal number in `[0, RANGE)` (`-r RANGE`), fresh for every request;
//! - the consumer-group worker loop (`--worker KEY GROUP`): each connection reads
//!   with `XREADGROUP GROUP GROUP c<i> COUNT 1 STREAMS KEY >` and acknowledges
//!   every ID it got with `XACK KEY GROUP ID`, sent with its next batch of reads.
//!   One operation = one XREADGROUP and its XACK.
//!
//! Like redis-benchmark: C connections on one thread (mio); each sends a batch of
//! P requests (`-P`), waits for all P replies, and sends the next batch, until N
//! requests (operations) have been answered. An error reply or a nil XREADGROUP
//! (the stream ran dry) stops it with exit status 1. Prints `requests/s: X`.
//!
//! ```text
//! cargo run --release --example cmdbench -- -p 6379 -n 100000 -c 50 -P 16 \
//!     -r 134217728 SETBIT bm __rand__ 1
//! cargo run --release --example cmdbench -- -p 6379 -n 100000 --worker q g
//! ```

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

struct Opts {
    port: u16,
    n: u64,
    clients: usize,
    depth: usize,
    range: u64,
    worker: Option<(String, String)>,
    command: Vec<String>,
}

fn usage() -> ! {
    eprintln!(
        "usage: cmdbench [-p port] [-n requests] [-c clients] [-P depth] [-r range] \
         (--worker KEY GROUP | CMD ARGS...)"
    );
    std::process::exit(2)
}

fn parse_opts() -> Opts {
    let mut o = Opts {
        port: 6379,
        n: 100_000,
        clients: 50,
        depth: 1,
        range: 1_000_000,
        worker: None,
        command: Vec::new(),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let v = |k: usize| args.get(i + k).cloned().unwrap_or_else(|| usage());
        let num = |k: usize| -> u64 { v(k).parse().unwrap_or_else(|_| usage()) };
        match a {
            "-p" => o.port = num(1) as u16,
            "-n" => o.n = num(1),
            "-c" => o.clients = num(1) as usize,
            "-P" => o.depth = num(1) as usize,
            "-r" => o.range = num(1).max(1),
            "--worker" => {
                o.worker = Some((v(1), v(2)));
                i += 3;
                continue;
            }
            _ => {
                o.command = args[i..].to_vec();
                break;
            }
        }
        i += 2;
    }
    if o.worker.is_none() == o.command.is_empty() || o.depth == 0 || o.clients == 0 {
        usage();
    }
    o
}

/// xorshift64*: cheap, and the same sequence for both servers.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

fn push_cmd(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.push(b'*');
    push_decimal(out, args.len() as u64);
    out.extend_from_slice(b"\r\n");
    for a in args {
        push_bulk(out, a);
    }
}

/// The end of the RESP2 reply starting at `i`, if it is complete in `b`.
fn reply_end(b: &[u8], i: usize) -> Option<usize> {
    let line_end = i + b.get(i..)?.windows(2).position(|w| w == b"\r\n")?;
    let after = line_end + 2;
    let num = || -> i64 {
        std::str::from_utf8(&b[i + 1..line_end])
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                eprintln!("cmdbench: bad reply header");
                std::process::exit(1)
            })
    };
    match b[i] {
        b'+' | b'-' | b':' => Some(after),
        b'$' => {
            let n = num();
            if n < 0 {
                Some(after)
            } else {
                let end = after + n as usize + 2;
                (end <= b.len()).then_some(end)
            }
        }
        b'*' => {
            let n = num();
            let mut at = after;
            for _ in 0..n.max(0) {
                at = reply_end(b, at)?;
            }
            Some(at)
        }
        c => {
            eprintln!("cmdbench: unexpected reply type {:?}", c as char);
            std::process::exit(1)
        }
    }
}

/// The entry ID in an XREADGROUP reply `[[key, [[id, [f, v ...]]]]]`: its second
/// bulk string. None for a nil reply.
fn first_id(reply: &[u8]) -> Option<Vec<u8>> {
    let mut at = 0;
    let mut bulks = 0;
    while at < reply.len() {
        let line_end = at + reply[at..].windows(2).position(|w| w == b"\r\n")?;
        if reply[at] == b'$' {
            let n: usize = std::str::from_utf8(&reply[at + 1..line_end])
                .ok()?
                .parse()
                .ok()?;
            bulks += 1;
            let data = &reply[line_end + 2..line_end + 2 + n];
            if bulks == 2 {
                return Some(data.to_vec());
            }
            at = line_end + 2 + n + 2;
        } else {
            at = line_end + 2;
        }
    }
    None
}

struct Conn {
    sock: TcpStream,
    out: Vec<u8>,
    written: usize,
    input: Vec<u8>,
    /// Replies still expected for the current batch.
    expect: usize,
    /// Worker mode: the XACKs at the head of the current batch.
    acks_in_batch: usize,
    /// Worker mode: IDs read in this batch, acknowledged with the next one.
    ids: Vec<Vec<u8>>,
    consumer: Vec<u8>,
}

/// A command with `__rand__` placeholders, pre-encoded: the fixed arguments as
/// their RESP bytes, the random ones as the text around their placeholders.
struct Template {
    header: Vec<u8>,
    parts: Vec<Part>,
}

enum Part {
    Fixed(Vec<u8>),
    /// The argument's pieces between placeholders (n placeholders, n + 1 pieces).
    Random(Vec<Vec<u8>>),
}

impl Template {
    fn new(args: &[String]) -> Template {
        let mut header = Vec::new();
        header.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
        let parts = args
            .iter()
            .map(|a| {
                if a.contains("__rand__") {
                    Part::Random(a.split("__rand__").map(|p| p.as_bytes().to_vec()).collect())
                } else {
                    let mut b = Vec::new();
                    push_bulk(&mut b, a.as_bytes());
                    Part::Fixed(b)
                }
            })
            .collect();
        Template { header, parts }
    }

    fn push(&self, out: &mut Vec<u8>, rng: &mut Rng, range: u64, scratch: &mut Vec<u8>) {
        out.extend_from_slice(&self.header);
        for p in &self.parts {
            match p {
                Part::Fixed(b) => out.extend_from_slice(b),
                Part::Random(pieces) => {
                    scratch.clear();
                    for (k, piece) in pieces.iter().enumerate() {
                        if k > 0 {
                            push_decimal(scratch, rng.below(range));
                        }
                        scratch.extend_from_slice(piece);
                    }
                    push_bulk(out, scratch);
                }
            }
        }
    }
}

fn push_decimal(out: &mut Vec<u8>, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

fn push_bulk(out: &mut Vec<u8>, a: &[u8]) {
    out.push(b'$');
    push_decimal(out, a.len() as u64);
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(a);
    out.extend_from_slice(b"\r\n");
}

fn main() -> io::Result<()> {
    let o = parse_opts();
    let tpl = Template::new(&o.command);
    let mut scratch = Vec::new();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let addr: SocketAddr = format!("127.0.0.1:{}", o.port).parse().unwrap();
    let mut poll = Poll::new()?;
    let mut conns = Vec::with_capacity(o.clients);
    for i in 0..o.clients {
        let std_sock = std::net::TcpStream::connect(addr)?;
        std_sock.set_nodelay(true)?;
        std_sock.set_nonblocking(true)?;
        let mut sock = TcpStream::from_std(std_sock);
        poll.registry()
            .register(&mut sock, Token(i), Interest::READABLE | Interest::WRITABLE)?;
        conns.push(Conn {
            sock,
            out: Vec::new(),
            written: 0,
            input: Vec::new(),
            expect: 0,
            acks_in_batch: 0,
            ids: Vec::new(),
            consumer: format!("c{i}").into_bytes(),
        });
    }
    // Builds the next batch of `c`; false when all requests are sent.
    let mut sent: u64 = 0;
    let mut next_batch = |c: &mut Conn, rng: &mut Rng| -> bool {
        if sent >= o.n {
            return false;
        }
        let k = (o.n - sent).min(o.depth as u64) as usize;
        sent += k as u64;
        c.out.clear();
        c.written = 0;
        c.acks_in_batch = 0;
        match &o.worker {
            Some((key, group)) => {
                for id in std::mem::take(&mut c.ids) {
                    push_cmd(
                        &mut c.out,
                        &[b"XACK", key.as_bytes(), group.as_bytes(), &id],
                    );
                    c.acks_in_batch += 1;
                }
                for _ in 0..k {
                    push_cmd(
                        &mut c.out,
                        &[
                            b"XREADGROUP",
                            b"GROUP",
                            group.as_bytes(),
                            &c.consumer,
                            b"COUNT",
                            b"1",
                            b"STREAMS",
                            key.as_bytes(),
                            b">",
                        ],
                    );
                }
            }
            None => {
                for _ in 0..k {
                    tpl.push(&mut c.out, rng, o.range, &mut scratch);
                }
            }
        }
        c.expect = c.acks_in_batch + k;
        true
    };
    let mut done: u64 = 0;
    let mut buf = vec![0u8; 256 * 1024];
    let mut events = Events::with_capacity(1024);
    let start = Instant::now();
    let mut writable: Vec<usize> = Vec::new();
    for (i, c) in conns.iter_mut().enumerate() {
        if next_batch(c, &mut rng) {
            writable.push(i);
        }
    }
    while done < o.n {
        for i in std::mem::take(&mut writable) {
            let c = &mut conns[i];
            while c.written < c.out.len() {
                match c.sock.write(&c.out[c.written..]) {
                    Ok(n) => c.written += n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
        }
        poll.poll(&mut events, Some(Duration::from_secs(10)))?;
        if events.is_empty() {
            eprintln!("cmdbench: no progress for 10 s ({done} of {} done)", o.n);
            std::process::exit(1);
        }
        for ev in events.iter() {
            let i = ev.token().0;
            let c = &mut conns[i];
            if ev.is_writable() && c.written < c.out.len() {
                writable.push(i);
            }
            if !ev.is_readable() {
                continue;
            }
            loop {
                match c.sock.read(&mut buf) {
                    Ok(0) => {
                        eprintln!("cmdbench: server closed a connection");
                        std::process::exit(1);
                    }
                    Ok(n) => c.input.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
            let mut at = 0;
            while c.expect > 0 {
                let Some(end) = reply_end(&c.input, at) else {
                    break;
                };
                let reply = &c.input[at..end];
                if reply[0] == b'-' {
                    eprintln!("cmdbench: error reply: {}", String::from_utf8_lossy(reply));
                    std::process::exit(1);
                }
                if c.acks_in_batch > 0 {
                    c.acks_in_batch -= 1;
                } else {
                    if o.worker.is_some() {
                        match first_id(reply) {
                            Some(id) => c.ids.push(id),
                            None => {
                                eprintln!("cmdbench: XREADGROUP read nothing: the stream ran dry");
                                std::process::exit(1);
                            }
                        }
                    }
                    done += 1;
                }
                c.expect -= 1;
                at = end;
            }
            c.input.drain(..at);
            if c.expect == 0 && next_batch(c, &mut rng) {
                writable.push(i);
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "requests: {done} in {secs:.3} s, requests/s: {:.2}",
        done as f64 / secs
    );
    Ok(())
}
