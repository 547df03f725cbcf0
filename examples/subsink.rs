//! Subscriber sink for the PUBLISH benchmark: holds C connections SUBSCRIBEd to one
//! channel and reads and discards everything they receive, on one thread (mio),
//! so that the server under test is never held back by a slow subscriber (nor
//! closed by `client-output-buffer-limit pubsub`). Prints `ready` once every
//! subscription is confirmed, then runs until killed.
//!
//! ```text
//! cargo run --release --example subsink -- -p 6379 -c 100 -ch bench
//! ```

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

fn main() -> io::Result<()> {
    let mut port = 6379u16;
    let mut clients = 10usize;
    let mut channel = String::from("bench");
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let (k, v) = (
            pair[0].as_str(),
            pair.get(1).map(String::as_str).unwrap_or(""),
        );
        match k {
            "-p" => port = v.parse().expect("port"),
            "-c" => clients = v.parse().expect("clients"),
            "-ch" => channel = v.to_string(),
            _ => {
                eprintln!("usage: subsink [-p port] [-c connections] [-ch channel]");
                std::process::exit(2);
            }
        }
    }
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let sub = format!(
        "*2\r\n$9\r\nSUBSCRIBE\r\n${}\r\n{channel}\r\n",
        channel.len()
    );
    let confirm = format!(
        "*3\r\n$9\r\nsubscribe\r\n${}\r\n{channel}\r\n:1\r\n",
        channel.len()
    );
    let mut poll = Poll::new()?;
    let mut socks = Vec::with_capacity(clients);
    for i in 0..clients {
        let mut s = std::net::TcpStream::connect(addr)?;
        s.write_all(sub.as_bytes())?;
        let mut got = vec![0u8; confirm.len()];
        s.read_exact(&mut got)?;
        if got != confirm.as_bytes() {
            eprintln!(
                "subsink: unexpected reply {:?}",
                String::from_utf8_lossy(&got)
            );
            std::process::exit(1);
        }
        s.set_nonblocking(true)?;
        let mut s = TcpStream::from_std(s);
        poll.registry()
            .register(&mut s, Token(i), Interest::READABLE)?;
        socks.push(s);
    }
    println!("ready");
    io::stdout().flush()?;
    let mut buf = vec![0u8; 1 << 20];
    let mut events = Events::with_capacity(1024);
    let mut total: u64 = 0;
    loop {
        poll.poll(&mut events, Some(Duration::from_secs(3600)))?;
        for ev in events.iter() {
            let s = &mut socks[ev.token().0];
            loop {
                match s.read(&mut buf) {
                    Ok(0) => {
                        eprintln!("subsink: server closed a connection ({total} bytes read)");
                        std::process::exit(1);
                    }
                    Ok(n) => total += n as u64,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
        }
    }
}
