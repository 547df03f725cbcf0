//! Rate-limited load generator: one connection sends PING (or GET) at a fixed
//! request rate, whatever the replies do (open loop: a slow reply does not delay
//! the next request, so the server sees the rate asked for), records each
//! request's latency (send to complete reply) and, given the server's pid, the
//! CPU time the server used while the rate was held. redis-benchmark cannot do
//! this: it sends as fast as the server answers, so it measures throughput, not
//! what a given load costs.
//!
//! ```text
//! cargo run --release --example ratebench -- -p 6379 -r 10000 -d 5 --pid 1234
//! ```
//!
//! Prints one line of `key=value` fields: `requests`, `secs`, `rate` (achieved),
//! `cpu_s` (server CPU seconds over the measured interval: the run time of all
//! its threads from `/proc/<pid>/task/*/schedstat`, nanoseconds, falling back to
//! utime+stime from `/proc/<pid>/stat`), `cpu_pct` (of one core), `cpu_s_per_m`
//! (CPU seconds per million requests), `p50_us`, `p99_us`, `max_us`, `late`
//! (requests sent more than 1 ms after their slot; the schedule then restarts
//! from now, so a hiccup is not followed by a burst).
//!
//! Between requests the client sleeps in ppoll(2) with a nanosecond timeout
//! (timer slack set to 1 us), as a real client waits, rather than spinning on
//! the socket, which would add its lock traffic to the server's path.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

struct Opts {
    port: u16,
    rate: f64,
    secs: f64,
    warmup: f64,
    pid: Option<u32>,
    get: bool,
}

fn parse_opts() -> Opts {
    let mut o = Opts {
        port: 6379,
        rate: 1000.0,
        secs: 5.0,
        warmup: 0.5,
        pid: None,
        get: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let v = args.get(i + 1).cloned().unwrap_or_default();
        let bad = || -> ! {
            eprintln!("ratebench: bad value for {}: {v}", args[i]);
            std::process::exit(2)
        };
        match args[i].as_str() {
            "-p" => o.port = v.parse().unwrap_or_else(|_| bad()),
            "-r" => o.rate = v.parse().unwrap_or_else(|_| bad()),
            "-d" => o.secs = v.parse().unwrap_or_else(|_| bad()),
            "-w" => o.warmup = v.parse().unwrap_or_else(|_| bad()),
            "--pid" => o.pid = Some(v.parse().unwrap_or_else(|_| bad())),
            "-t" => {
                o.get = match v.as_str() {
                    "ping" => false,
                    "get" => true,
                    _ => bad(),
                }
            }
            _ => {
                eprintln!(
                    "usage: ratebench [-p port] [-r requests/s] [-d secs] [-w warmup secs] \
                     [--pid server-pid] [-t ping|get]"
                );
                std::process::exit(2);
            }
        }
        i += 2;
    }
    if o.rate.is_nan() || o.rate <= 0.0 || o.secs.is_nan() || o.secs <= 0.0 {
        eprintln!("ratebench: -r and -d must be positive");
        std::process::exit(2);
    }
    o
}

/// CPU time of every thread of `pid`, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let mut total_ns = 0u64;
    let mut found = false;
    if let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for t in dir.flatten() {
            let p = t.path().join("schedstat");
            if let Ok(s) = std::fs::read_to_string(p) {
                if let Some(ns) = s
                    .split_whitespace()
                    .next()
                    .and_then(|f| f.parse::<u64>().ok())
                {
                    total_ns += ns;
                    found = true;
                }
            }
        }
    }
    if found && total_ns > 0 {
        return total_ns as f64 / 1e9;
    }
    // utime and stime are fields 14 and 15, after the parenthesised name.
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or("");
    let f: Vec<u64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0))
        .collect();
    let ticks = f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0);
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    ticks as f64 / hz
}

/// Waits until `fd` is readable or `timeout` has passed.
fn wait_readable(fd: i32, timeout: Duration) {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let ts = libc::timespec {
        tv_sec: timeout.as_secs() as libc::time_t,
        tv_nsec: timeout.subsec_nanos() as libc::c_long,
    };
    // SAFETY: one valid pollfd, a valid timespec, no signal mask.
    unsafe {
        libc::ppoll(&mut pfd, 1, &ts, std::ptr::null());
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

fn main() -> io::Result<()> {
    let o = parse_opts();
    // SAFETY: prctl with an integer argument; 1 us of slack for the timed waits.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1000 as libc::c_ulong);
    }
    let mut sock = TcpStream::connect(("127.0.0.1", o.port))?;
    sock.set_nodelay(true)?;
    let (req, reply): (&[u8], Vec<u8>) = if o.get {
        sock.write_all(b"*3\r\n$3\r\nSET\r\n$12\r\nratebench:key\r\n$3\r\nbar\r\n")?;
        let mut ok = [0u8; 5];
        sock.read_exact(&mut ok)?;
        (
            b"*2\r\n$3\r\nGET\r\n$12\r\nratebench:key\r\n",
            b"$3\r\nbar\r\n".to_vec(),
        )
    } else {
        (b"*1\r\n$4\r\nPING\r\n", b"+PONG\r\n".to_vec())
    };
    sock.set_nonblocking(true)?;
    let fd = sock.as_raw_fd();
    let interval = Duration::from_secs_f64(1.0 / o.rate);
    let warmup = Duration::from_secs_f64(o.warmup);
    let run = Duration::from_secs_f64(o.secs);

    let start = Instant::now();
    let mut next = start;
    // Send times of the requests in flight, oldest first.
    let mut inflight: std::collections::VecDeque<(Instant, bool)> = Default::default();
    let mut lat_ns: Vec<u32> = Vec::with_capacity((o.rate * o.secs * 1.1) as usize + 16);
    let mut buf = vec![0u8; 64 * 1024];
    let mut partial = 0usize;
    let mut checked = false;
    let mut measuring = false;
    let mut sending = true;
    let mut measured_from = start;
    let mut measured_to = start;
    let mut cpu_from = 0.0;
    let mut cpu_to = 0.0;
    let mut sent_measured = 0u64;
    let mut late = 0u64;
    loop {
        let now = Instant::now();
        if sending && now >= next {
            if !measuring && now >= start + warmup {
                measuring = true;
                measured_from = now;
                cpu_from = o.pid.map_or(0.0, cpu_seconds);
            }
            if measuring && now >= measured_from + run {
                sending = false;
                measured_to = now;
                cpu_to = o.pid.map_or(0.0, cpu_seconds);
            } else {
                let mut off = 0;
                while off < req.len() {
                    match sock.write(&req[off..]) {
                        Ok(n) => off += n,
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => std::thread::yield_now(),
                        Err(e) => return Err(e),
                    }
                }
                inflight.push_back((now, measuring));
                if measuring {
                    sent_measured += 1;
                }
                next += interval;
                if now > next + Duration::from_millis(1) {
                    late += 1;
                    next = now + interval;
                }
            }
        }
        if !sending && inflight.is_empty() {
            break;
        }
        match sock.read(&mut buf) {
            Ok(0) => {
                eprintln!("ratebench: server closed the connection");
                std::process::exit(1);
            }
            Ok(n) => {
                let got = Instant::now();
                if !checked {
                    let m = n.min(reply.len());
                    if buf[..m] != reply[..m] {
                        eprintln!(
                            "ratebench: unexpected reply: {:?}",
                            String::from_utf8_lossy(&buf[..n])
                        );
                        std::process::exit(1);
                    }
                    checked = true;
                }
                partial += n;
                while partial >= reply.len() {
                    partial -= reply.len();
                    let Some((at, counted)) = inflight.pop_front() else {
                        eprintln!("ratebench: more replies than requests");
                        std::process::exit(1);
                    };
                    if counted {
                        let ns = got.duration_since(at).as_nanos().min(u32::MAX as u128);
                        lat_ns.push(ns as u32);
                    }
                }
                continue;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
        let wait = if sending {
            next.saturating_duration_since(Instant::now())
        } else {
            Duration::from_secs(1)
        };
        if !wait.is_zero() {
            wait_readable(fd, wait);
        }
    }
    let secs = measured_to.duration_since(measured_from).as_secs_f64();
    let cpu = cpu_to - cpu_from;
    lat_ns.sort_unstable();
    println!(
        "requests={sent_measured} secs={secs:.3} rate={:.0} cpu_s={cpu:.4} cpu_pct={:.1} \
         cpu_s_per_m={:.2} p50_us={:.1} p99_us={:.1} max_us={:.1} late={late}",
        sent_measured as f64 / secs,
        100.0 * cpu / secs,
        cpu * 1e6 / sent_measured.max(1) as f64,
        percentile(&lat_ns, 0.5),
        percentile(&lat_ns, 0.99),
        percentile(&lat_ns, 1.0),
    );
    Ok(())
}
