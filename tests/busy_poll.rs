//! `busy-poll`: the directive is settable at start-up and at run time, and the
//! default does not spin a core under a steady moderate load (one client, a few
//! thousand requests/s), where `busy-poll yes` does.
//!
//! CPU is the server's utime+stime from /proc/<pid>/stat over about a second of
//! load. The bounds are loose on purpose: a shared 2-core machine that is
//! compiling can take a large part of either figure away; what cannot happen
//! without a regression is the default spinning the whole interval.

mod common;

use common::{Conn, Server};
use std::time::{Duration, Instant};

/// utime+stime of `pid` (all its threads), in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th of the line, the 12th and 13th after the name.
    let rest = stat.rsplit_once(") ").unwrap().1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    ticks as f64 / hz
}

/// Sends PING on `c` at `rate` requests/s (one at a time, each waiting for its
/// reply) for `secs`; returns the server's CPU seconds per wall second and the
/// requests answered.
fn load(srv: &Server, c: &mut Conn, rate: u32, secs: f64) -> (f64, u32) {
    let interval = Duration::from_secs_f64(1.0 / rate as f64);
    // Settle the policy on the load before measuring. The sleeps here and below
    // set the request rate, which is what the test measures at.
    for _ in 0..200 {
        std::thread::sleep(interval);
        assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    }
    let cpu0 = cpu_seconds(srv.pid());
    let start = Instant::now();
    let mut next = start;
    let mut done = 0;
    while start.elapsed().as_secs_f64() < secs {
        next += interval;
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
        done += 1;
    }
    let wall = start.elapsed().as_secs_f64();
    ((cpu_seconds(srv.pid()) - cpu0) / wall, done)
}

#[test]
fn busy_poll_is_settable() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    assert_eq!(
        c.cmd(&["CONFIG", "GET", "busy-poll"]),
        b"*2\r\n$9\r\nbusy-poll\r\n$4\r\nauto\r\n"
    );
    for v in ["yes", "no", "auto"] {
        assert_eq!(c.cmd(&["CONFIG", "SET", "busy-poll", v]), b"+OK\r\n");
        let want = format!("*2\r\n$9\r\nbusy-poll\r\n${}\r\n{v}\r\n", v.len());
        assert_eq!(c.cmd(&["CONFIG", "GET", "busy-poll"]), want.as_bytes());
    }
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "busy-poll", "always"]),
        b"-ERR CONFIG SET failed (possibly related to argument 'busy-poll') - argument(s) must be one of the following: no, yes, auto\r\n"
            .as_slice()
    );
    drop(c);
    let srv = Server::oxidis(&["--busy-poll", "yes"]);
    let mut c = srv.connect();
    assert_eq!(
        c.cmd(&["CONFIG", "GET", "busy-poll"]),
        b"*2\r\n$9\r\nbusy-poll\r\n$3\r\nyes\r\n"
    );
}

#[test]
fn default_does_not_spin_under_a_moderate_load() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    // Idle: the cron's ticks only.
    let cpu0 = cpu_seconds(srv.pid());
    // A second of idleness is the condition measured.
    std::thread::sleep(Duration::from_secs(1));
    let idle = cpu_seconds(srv.pid()) - cpu0;
    assert!(idle < 0.2, "idle server used {idle:.2} s of CPU in 1 s");

    // One client, 5,000 PINGs a second: 200 us between a reply and the next
    // request, far longer than a sleep and a wake-up cost.
    let (auto, n) = load(&srv, &mut c, 5_000, 1.0);
    assert!(n > 500, "only {n} requests in 1 s");
    assert!(
        auto < 0.5,
        "busy-poll auto used {:.0}% of a core at ~{n} requests/s",
        auto * 100.0
    );

    // The spinning mode, same load: awake through every gap.
    assert_eq!(c.cmd(&["CONFIG", "SET", "busy-poll", "yes"]), b"+OK\r\n");
    let (yes, n_yes) = load(&srv, &mut c, 5_000, 1.0);
    eprintln!(
        "server CPU at ~5k PING/s: auto {:.0}% of a core ({n} requests), yes {:.0}% ({n_yes})",
        auto * 100.0,
        yes * 100.0
    );
    assert!(
        yes > 1.5 * auto && yes > 0.2,
        "busy-poll yes used {:.0}% of a core, auto {:.0}%",
        yes * 100.0,
        auto * 100.0
    );
}
