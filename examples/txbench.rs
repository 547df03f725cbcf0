//! Load generator for transactions, because redis-benchmark sends one command per
//! request and cannot send a MULTI ... EXEC block. Like `redis-benchmark -P 1`
//! (or `-P N`): C connections on one thread (mio), each sends a block of
//! `MULTI`, K x `SET key:i xxx`, `EXEC` (times the pipeline depth), waits for the
//! complete replies, and sends again, until N transactions have been answered.
//! Prints `transactions/s` (and the per-command rate).
//!
//! ```text
//! cargo run --release --example txbench -- -p 6379 -n 100000 -c 50 -k 10 -P 1
//! ```
//!
//! The first reply block is checked byte for byte; afterwards replies are counted
//! by length (every transaction's reply has the same size).

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

struct Opts {
    port: u16,
    n: u64,
    clients: usize,
    sets: usize,
    depth: usize,
}

fn parse_opts() -> Opts {
    let mut o = Opts {
        port: 6379,
        n: 100_000,
        clients: 50,
        sets: 10,
        depth: 1,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i + 1 < args.len() {
        let v = &args[i + 1];
        let bad = || -> ! {
            eprintln!("txbench: bad value for {}: {v}", args[i]);
            std::process::exit(2)
        };
        match args[i].as_str() {
            "-p" => o.port = v.parse().unwrap_or_else(|_| bad()),
            "-n" => o.n = v.parse().unwrap_or_else(|_| bad()),
            "-c" => o.clients = v.parse().unwrap_or_else(|_| bad()),
            "-k" => o.sets = v.parse().unwrap_or_else(|_| bad()),
            "-P" => o.depth = v.parse().unwrap_or_else(|_| bad()),
            _ => {
                eprintln!(
                    "usage: txbench [-p port] [-n transactions] [-c clients] [-k sets] [-P depth]"
                );
                std::process::exit(2);
            }
        }
        i += 2;
    }
    o
}

fn push_cmd(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

/// One transaction's request and its expected reply.
fn transaction(sets: usize) -> (Vec<u8>, Vec<u8>) {
    let mut req = Vec::new();
    let mut rep = Vec::new();
    push_cmd(&mut req, &[b"MULTI"]);
    rep.extend_from_slice(b"+OK\r\n");
    for i in 0..sets {
        let key = format!("key:{i}");
        push_cmd(&mut req, &[b"SET", key.as_bytes(), b"xxx"]);
        rep.extend_from_slice(b"+QUEUED\r\n");
    }
    push_cmd(&mut req, &[b"EXEC"]);
    rep.extend_from_slice(format!("*{sets}\r\n").as_bytes());
    for _ in 0..sets {
        rep.extend_from_slice(b"+OK\r\n");
    }
    (req, rep)
}

struct Conn {
    sock: TcpStream,
    /// Bytes of the current block still to write.
    to_write: usize,
    /// Reply bytes still expected for the current block.
    to_read: usize,
    checked: bool,
    got: Vec<u8>,
}

fn main() -> io::Result<()> {
    let o = parse_opts();
    let (tx, tx_reply) = transaction(o.sets);
    let block: Vec<u8> = tx.repeat(o.depth);
    let block_reply: Vec<u8> = tx_reply.repeat(o.depth);
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
            to_write: 0,
            to_read: 0,
            checked: false,
            got: Vec::new(),
        });
    }
    let mut sent: u64 = 0;
    let mut done: u64 = 0;
    let mut buf = vec![0u8; 256 * 1024];
    let mut events = Events::with_capacity(1024);
    let start = Instant::now();
    // Start every connection.
    for c in conns.iter_mut() {
        if sent < o.n {
            sent += o.depth as u64;
            c.to_write = block.len();
            c.to_read = block_reply.len();
        }
    }
    let mut writable: Vec<usize> = (0..o.clients).collect();
    while done < o.n {
        for i in std::mem::take(&mut writable) {
            let c = &mut conns[i];
            while c.to_write > 0 {
                let from = block.len() - c.to_write;
                match c.sock.write(&block[from..]) {
                    Ok(n) => c.to_write -= n,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
        }
        poll.poll(&mut events, Some(Duration::from_secs(10)))?;
        if events.is_empty() {
            eprintln!("txbench: no progress for 10 s ({done} of {} done)", o.n);
            std::process::exit(1);
        }
        for ev in events.iter() {
            let i = ev.token().0;
            let c = &mut conns[i];
            if ev.is_writable() && c.to_write > 0 {
                writable.push(i);
            }
            if !ev.is_readable() {
                continue;
            }
            loop {
                match c.sock.read(&mut buf) {
                    Ok(0) => {
                        eprintln!("txbench: server closed a connection");
                        std::process::exit(1);
                    }
                    Ok(n) => {
                        if !c.checked {
                            c.got.extend_from_slice(&buf[..n]);
                        }
                        if n > c.to_read {
                            eprintln!("txbench: unexpected reply bytes");
                            std::process::exit(1);
                        }
                        c.to_read -= n;
                        if c.to_read == 0 {
                            if !c.checked {
                                if c.got != block_reply {
                                    eprintln!(
                                        "txbench: unexpected reply: {:?}",
                                        String::from_utf8_lossy(&c.got)
                                    );
                                    std::process::exit(1);
                                }
                                c.checked = true;
                                c.got = Vec::new();
                            }
                            done += o.depth as u64;
                            if sent < o.n {
                                sent += o.depth as u64;
                                c.to_write = block.len();
                                c.to_read = block_reply.len();
                                writable.push(i);
                            }
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let tps = done as f64 / secs;
    println!(
        "transactions: {done} in {secs:.3} s, {tps:.2} transactions/s, {:.2} commands/s",
        tps * (o.sets + 2) as f64
    );
    Ok(())
}
