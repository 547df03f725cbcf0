//! Sharing a CPU between the reactor and the snapshot threads.
//!
//! A snapshot thread (BGSAVE, a replica's full sync) and the reactor may end up
//! on the same core: always on a 1-CPU machine, and whenever the server is pinned
//! to one core (`taskset`, a cgroup cpuset). Left to the kernel, that costs
//! twice:
//!
//! - **Latency.** Whatever the snapshot thread's priority, the fair scheduler
//!   now and then picks it while the reactor is runnable, and without a
//!   preemptive kernel it keeps the core until the next tick (4 ms at HZ=250):
//!   a client waits that long. Redis pays the same with its fork child.
//! - **Duration.** At the lowest priority the save gets only the cycles the
//!   reactor leaves idle; a reactor kept 90% busy by its clients stretches a
//!   2-second save to 20 seconds, and the copy-on-write memory with it.
//!
//! So the two cooperate, through a few atomics (nothing the reactor owns):
//!
//! - The reactor says when it is handling events ([`reactor_awake`]) and when it
//!   sleeps in `epoll_wait` ([`reactor_idle`]), and on which CPU.
//! - A snapshot thread runs with `SCHED_IDLE` (the reactor's wake-up preempts it
//!   at once) and calls [`Courtesy::point`] about every 100 us of work: when it
//!   finds itself on the reactor's CPU while the reactor has work (it is handling
//!   events, or its epoll descriptor is readable: woken, not yet running), the
//!   reactor is the one waiting, so it steps aside until the reactor is idle.
//! - The snapshot threads are owed `SHARE` of the wall-clock time: when they
//!   have got less CPU than that, the reactor, between two batches of events,
//!   sleeps for the difference ([`Grants::maybe_grant`]), at most `MAX_GRANT`
//!   at a time, and not while a snapshot waits for the disk ([`blocking_io`]).
//!   That bounds both the save's duration and the extra wait of a request (one
//!   grant).
//!
//! When the threads run on different cores none of this triggers: the snapshot
//! never meets the reactor's CPU, and it gets more than its share on its own, so
//! no grant is due.

use std::io::Write;
use std::sync::atomic::{AtomicI32, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Part of the wall-clock time owed to the snapshot threads when they share
/// the reactor's CPU (Redis's fork child, at its parent's priority, gets about
/// half of the core).
const SHARE: f64 = 0.45;
/// The longest single grant: the most a request waits because of one.
const MAX_GRANT: Duration = Duration::from_micros(1000);
/// Shorter debts are not worth a sleep.
const MIN_GRANT_NS: i64 = 300_000;
/// Credit and debt are both capped: a snapshot that was blocked on the disk
/// does not get a long run of grants afterwards, and one that ran while the
/// reactor was idle does not bank that time for later.
const CAP_NS: i64 = 4_000_000;
/// A grant the snapshot did not use (blocked on I/O, or running elsewhere)
/// suspends grants for this long.
const BACKOFF: Duration = Duration::from_millis(20);
/// Bytes written between two courtesy checks (about 100 us of serialisation).
const POINT_BYTES: u64 = 16 << 10;
/// How long a snapshot thread naps while the reactor needs its CPU.
const NAP: Duration = Duration::from_micros(50);
/// Naps in a row before a snapshot thread writes one more chunk anyway (so it
/// can never wait forever on a reactor that is, say, stopped in a debugger).
const MAX_NAPS: u32 = 400;

static SNAPSHOTS: AtomicUsize = AtomicUsize::new(0);
/// What the reactor is doing: [`IDLE`] (in `epoll_wait`), [`BUSY`] (handling
/// events) or [`GRANTING`] (sleeping so that a snapshot thread can run).
static REACTOR_STATE: AtomicU8 = AtomicU8::new(IDLE);
const IDLE: u8 = 0;
const BUSY: u8 = 1;
const GRANTING: u8 = 2;
static REACTOR_CPU: AtomicI32 = AtomicI32::new(-1);
/// The reactor's epoll descriptor: readable when the reactor has been woken
/// (events are ready) but has not run yet.
static REACTOR_POLL_FD: AtomicI32 = AtomicI32::new(-1);
/// How many snapshot threads can be accounted for at once (BGSAVE and a
/// replica's full sync make two; more than that share the rest untracked).
const SLOTS: usize = 4;
/// The CPU-time clocks of the running snapshot threads (`NO_CLOCK` = free).
static CLOCKS: [AtomicI32; SLOTS] = [const { AtomicI32::new(NO_CLOCK) }; SLOTS];
const NO_CLOCK: i32 = i32::MIN;
/// Snapshot threads waiting for the disk (see [`blocking_io`]).
static IN_IO: AtomicUsize = AtomicUsize::new(0);
/// CPU time of the snapshot threads that have finished, in ns.
static FINISHED_NS: AtomicU64 = AtomicU64::new(0);

fn current_cpu() -> i32 {
    // SAFETY: no arguments; returns -1 on error.
    unsafe { libc::sched_getcpu() }
}

/// Reads a CPU-time clock, in ns (0 if it is gone).
fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer.
    if unsafe { libc::clock_gettime(clock, &mut ts) } != 0 {
        return 0;
    }
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// CPU time used by all snapshot threads so far, in ns (running ones read
/// from their clocks, so nothing lags behind).
fn snapshot_cpu_ns() -> u64 {
    let mut total = FINISHED_NS.load(Ordering::Acquire);
    for slot in &CLOCKS {
        let c = slot.load(Ordering::Acquire);
        if c != NO_CLOCK {
            total += clock_ns(c);
        }
    }
    total
}

/// True while at least one snapshot thread runs.
fn snapshots_running() -> bool {
    SNAPSHOTS.load(Ordering::Relaxed) > 0
}

/// Tells the snapshot threads which descriptor the reactor waits on.
pub fn set_reactor_poll_fd(fd: i32) {
    REACTOR_POLL_FD.store(fd, Ordering::Relaxed);
}

/// True when the reactor has work and waits for the CPU this thread is on:
/// it is handling events, or it has been woken and not yet run (the
/// scheduler can pick a `SCHED_IDLE` thread over a runnable one now and then,
/// and would leave it the core until the next tick).
fn reactor_waits_for_this_cpu() -> bool {
    if REACTOR_CPU.load(Ordering::Relaxed) != current_cpu() {
        return false;
    }
    match REACTOR_STATE.load(Ordering::Acquire) {
        BUSY => return true,
        GRANTING => return false,
        _ => {}
    }
    let fd = REACTOR_POLL_FD.load(Ordering::Relaxed);
    if fd < 0 {
        return false;
    }
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: one valid pollfd, no timeout.
    unsafe { libc::poll(&mut p, 1, 0) == 1 }
}

/// The reactor got events and is about to handle them. (Kept up to date
/// even with no snapshot running: one may start in the middle of the batch.)
pub fn reactor_awake() {
    REACTOR_CPU.store(current_cpu(), Ordering::Relaxed);
    REACTOR_STATE.store(BUSY, Ordering::Release);
}

/// The reactor is about to sleep in `epoll_wait`.
pub fn reactor_idle() {
    REACTOR_STATE.store(IDLE, Ordering::Release);
}

/// Held by a snapshot thread for its lifetime: lowers its scheduling class and
/// counts it as running; `point` is its courtesy check.
pub struct Courtesy {
    slot: Option<usize>,
    since_point: u64,
    /// Running `SCHED_IDLE` (on the reactor's CPU) rather than as a normal
    /// thread (elsewhere).
    idle_class: bool,
    /// Not allowed to leave `SCHED_IDLE`: stop trying.
    stuck_idle: bool,
}

impl Courtesy {
    /// Call first thing on the snapshot thread.
    pub fn begin() -> Courtesy {
        // A new thread usually starts on another CPU than the reactor's; if
        // not, it steps down at once.
        let idle_class = REACTOR_CPU.load(Ordering::Relaxed) == current_cpu();
        if idle_class {
            set_idle_class(true);
        }
        let mut clock: libc::clockid_t = 0;
        // SAFETY: our own thread handle and a valid out-pointer.
        let ok = unsafe { libc::pthread_getcpuclockid(libc::pthread_self(), &mut clock) } == 0;
        let slot = if ok {
            CLOCKS.iter().position(|s| {
                s.compare_exchange(NO_CLOCK, clock, Ordering::AcqRel, Ordering::Relaxed)
                    .is_ok()
            })
        } else {
            None
        };
        SNAPSHOTS.fetch_add(1, Ordering::Relaxed);
        Courtesy {
            slot,
            since_point: 0,
            idle_class,
            stuck_idle: false,
        }
    }

    /// `n` more bytes were produced; every `POINT_BYTES`, steps aside while
    /// the reactor waits for this CPU, and picks the scheduling class for
    /// where the thread now runs: `SCHED_IDLE` on the reactor's CPU, a normal
    /// thread elsewhere (where, like Redis's fork child, it must hold its own
    /// against other processes on a busy host).
    pub fn point(&mut self, n: usize) {
        self.since_point += n as u64;
        if self.since_point < POINT_BYTES {
            return;
        }
        self.since_point = 0;
        let shared = REACTOR_CPU.load(Ordering::Relaxed) == current_cpu();
        if shared != self.idle_class && !self.stuck_idle {
            if set_idle_class(shared) {
                self.idle_class = shared;
            } else {
                self.stuck_idle = true;
            }
        }
        let mut naps = 0;
        while naps < MAX_NAPS && reactor_waits_for_this_cpu() {
            std::thread::sleep(NAP);
            naps += 1;
        }
    }
}

impl Drop for Courtesy {
    fn drop(&mut self) {
        if let Some(i) = self.slot {
            FINISHED_NS.fetch_add(clock_ns(libc::CLOCK_THREAD_CPUTIME_ID), Ordering::AcqRel);
            CLOCKS[i].store(NO_CLOCK, Ordering::Release);
        }
        SNAPSHOTS.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Runs `f`, a wait for the disk on a snapshot thread: no grant is given
/// meanwhile (the time would be lost to the reactor and to the snapshot).
pub fn blocking_io<T>(f: impl FnOnce() -> T) -> T {
    IN_IO.fetch_add(1, Ordering::AcqRel);
    let r = f();
    IN_IO.fetch_sub(1, Ordering::AcqRel);
    r
}

/// A writer that makes the courtesy checks of its snapshot thread as the bytes
/// go through.
pub struct Courteous<W: Write> {
    inner: W,
    courtesy: Courtesy,
}

impl<W: Write> Courteous<W> {
    pub fn new(inner: W, courtesy: Courtesy) -> Courteous<W> {
        Courteous { inner, courtesy }
    }

    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for Courteous<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.courtesy.point(n);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Puts the calling thread in `SCHED_IDLE` (nice 19 where that is refused):
/// when the reactor wakes up on its CPU it preempts the snapshot at once,
/// where a normal thread would keep the core for the rest of its slice. Or
/// back to a normal thread, which an unprivileged process may not do (leaving
/// `SCHED_IDLE` needs CAP_SYS_NICE or RLIMIT_NICE): returns whether the
/// thread is now in the class asked for.
fn set_idle_class(idle: bool) -> bool {
    let param = libc::sched_param { sched_priority: 0 };
    // SAFETY: plain syscalls on the calling thread.
    unsafe {
        if !idle {
            return libc::sched_setscheduler(0, libc::SCHED_OTHER, &param) == 0;
        }
        if libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) != 0 {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            libc::setpriority(libc::PRIO_PROCESS, tid, 19);
        }
    }
    true
}

/// The reactor's side of the account: what the snapshot threads are owed.
pub struct Grants {
    credit_ns: i64,
    last: Option<(Instant, u64)>,
    suspended_until: Option<Instant>,
}

impl Default for Grants {
    fn default() -> Self {
        Grants::new()
    }
}

impl Grants {
    pub fn new() -> Grants {
        Grants {
            credit_ns: 0,
            last: None,
            suspended_until: None,
        }
    }

    /// Called by the reactor between two batches of events (it has been busy
    /// since the previous call): sleeps for what the snapshot threads are owed,
    /// if that is worth a sleep. Returns true if it slept.
    pub fn maybe_grant(&mut self) -> bool {
        if !snapshots_running() {
            self.last = None;
            self.credit_ns = 0;
            return false;
        }
        let now = Instant::now();
        let Some((t, u)) = self.last else {
            self.last = Some((now, snapshot_cpu_ns()));
            return false;
        };
        // What is owed since the last reading; the clocks are read (a system
        // call each) only once that could make a grant worth it.
        let owed = ((now - t).as_nanos() as f64 * SHARE) as i64;
        if self.credit_ns + owed < MIN_GRANT_NS {
            return false;
        }
        if let Some(until) = self.suspended_until {
            if now < until {
                return false;
            }
            self.suspended_until = None;
        }
        if IN_IO.load(Ordering::Acquire) > 0 {
            return false;
        }
        let used = snapshot_cpu_ns();
        self.credit_ns =
            (self.credit_ns + owed - used.saturating_sub(u) as i64).clamp(-CAP_NS, CAP_NS);
        self.last = Some((now, used));
        if self.credit_ns < MIN_GRANT_NS {
            return false;
        }
        let grant = Duration::from_nanos(self.credit_ns as u64).min(MAX_GRANT);
        REACTOR_STATE.store(GRANTING, Ordering::Release);
        std::thread::sleep(grant);
        reactor_awake();
        let after = snapshot_cpu_ns();
        let got = after.saturating_sub(used);
        if (got as u128) < grant.as_nanos() / 4 {
            self.suspended_until = Some(Instant::now() + BACKOFF);
        }
        // The grant's own time is neither owed nor (beyond what it got) paid.
        self.credit_ns -= got as i64;
        let now = Instant::now();
        self.last = Some((now, after));
        // The reactor runs at least as long as it slept before the next one.
        self.suspended_until = Some(
            self.suspended_until
                .map_or(now + grant, |u| u.max(now + grant)),
        );
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spin(d: Duration) {
        let until = Instant::now() + d;
        while Instant::now() < until {
            std::hint::spin_loop();
        }
    }

    /// Runs `f` on a thread pinned to the CPU it starts on.
    fn pinned<T: Send + 'static>(f: impl FnOnce(i32) -> T + Send + 'static) -> T {
        std::thread::spawn(move || {
            let cpu = current_cpu();
            // SAFETY: a zeroed cpu_set_t is valid; CPU_SET stays in bounds.
            unsafe {
                let mut set: libc::cpu_set_t = std::mem::zeroed();
                libc::CPU_SET(cpu as usize, &mut set);
                libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
            }
            f(cpu)
        })
        .join()
        .unwrap()
    }

    // One test: the state is process-wide.
    #[test]
    fn snapshot_and_reactor_share_a_cpu() {
        // Whether the reactor waits for the CPU a snapshot thread is on.
        let poll = mio::Poll::new().unwrap();
        let waker = mio::Waker::new(poll.registry(), mio::Token(0)).unwrap();
        {
            use std::os::fd::AsRawFd;
            set_reactor_poll_fd(poll.as_raw_fd());
        }
        pinned(|cpu| {
            REACTOR_CPU.store(cpu, Ordering::Relaxed);
            REACTOR_STATE.store(BUSY, Ordering::Release);
            assert!(reactor_waits_for_this_cpu(), "busy on this CPU");
            REACTOR_STATE.store(GRANTING, Ordering::Release);
            assert!(!reactor_waits_for_this_cpu(), "granting");
            REACTOR_STATE.store(IDLE, Ordering::Release);
            assert!(!reactor_waits_for_this_cpu(), "idle, nothing ready");
            REACTOR_CPU.store(cpu + 1, Ordering::Relaxed);
            REACTOR_STATE.store(BUSY, Ordering::Release);
            assert!(!reactor_waits_for_this_cpu(), "busy on another CPU");
        });
        waker.wake().unwrap();
        pinned(|cpu| {
            REACTOR_CPU.store(cpu, Ordering::Relaxed);
            REACTOR_STATE.store(IDLE, Ordering::Release);
            assert!(reactor_waits_for_this_cpu(), "woken, not yet running");
        });
        set_reactor_poll_fd(-1);
        reactor_idle();

        let mut g = Grants::new();
        assert!(!g.maybe_grant(), "no snapshot thread, nothing owed");

        // A finished snapshot thread's CPU time stays counted.
        let before = snapshot_cpu_ns();
        let h = std::thread::spawn(|| {
            let mut w = Courteous::new(Vec::new(), Courtesy::begin());
            for i in 0..200_000u32 {
                w.write_all(&i.to_le_bytes()).unwrap();
            }
            w.into_inner().len()
        });
        assert_eq!(h.join().unwrap(), 800_000);
        assert!(snapshot_cpu_ns() > before);
        assert!(!snapshots_running());

        // One that never gets to run (it waits on a channel) is owed time but
        // does not use its grant: grants are then suspended for a while.
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
        let h = std::thread::spawn(move || {
            let _c = Courtesy::begin();
            ready_tx.send(()).unwrap();
            let _ = rx.recv();
        });
        ready_rx.recv().unwrap();
        assert!(snapshots_running());
        assert!(!g.maybe_grant(), "the first call only opens the account");
        spin(Duration::from_millis(2));
        blocking_io(|| assert!(!g.maybe_grant(), "no grant while waiting for the disk"));
        let t = Instant::now();
        assert!(g.maybe_grant(), "2 ms owe 0.9 ms");
        assert!(t.elapsed() >= Duration::from_micros(500));
        assert!(
            g.suspended_until.unwrap() > Instant::now() + Duration::from_millis(10),
            "an unused grant suspends grants (beyond the spacing of grants)"
        );
        spin(Duration::from_millis(2));
        assert!(!g.maybe_grant(), "suspended");
        tx.send(()).unwrap();
        h.join().unwrap();
        assert!(!g.maybe_grant());
        reactor_idle();
    }
}
