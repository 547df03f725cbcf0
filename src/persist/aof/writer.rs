//! The AOF thread ("fsync thread" in DESIGN.md): it owns the open incr file and
//! does every write(2) and fdatasync(2) of the AOF, so a slow or stalled disk
//! never stalls the event loop.
//!
//! ```text
//!   reactor (before_sleep)                  AOF thread
//!   aof.buf ──Job::Write(bytes, end)──────> write_all to the incr file
//!                                           always: drain every queued job,
//!                                             one fdatasync for the batch
//!                                             (group commit), durable = end,
//!                                             wake the reactor
//!                                           everysec: fdatasync when the last
//!                                             one is a second old
//!           ──Job::Switch(file)───────────> the rewrite's new incr file: the
//!                                           old one is written and fsynced first
//!           ──Job::Sync(ack)──────────────> write + fsync everything, then ack
//! ```
//!
//! Offsets are logical: bytes of AOF stream produced since the server started
//! writing, across files. `durable` is the offset the last finished fsync
//! covers; with `appendfsync always` the reactor holds every reply produced
//! after `durable` (persist/aof.rs).
//!
//! A failed write keeps the bytes not written and retries them once a second
//! (and before anything else); meanwhile `write_errno` is set, which makes the
//! reactor refuse writes with Redis's `-MISCONF Errors writing to the AOF file`
//! until a retry succeeds.

use std::collections::VecDeque;
use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, AtomicU8, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use log::{info, warn};

use crate::config::AppendFsync;

/// A job for the AOF thread, executed in order.
pub enum Job {
    /// Append these bytes; `end` is the logical offset after them.
    Write(Vec<u8>, u64),
    /// From now on append to this file (the old one is written and fsynced
    /// first).
    Switch(File),
    /// Write and fsync everything queued, then answer.
    Sync(mpsc::Sender<Result<(), String>>),
    /// Write and fsync everything, then end the thread.
    Stop,
}

/// What the thread publishes (all monotonic or status words; no data).
#[derive(Default)]
pub struct Shared {
    /// Logical offset written to the file (page cache).
    pub written: AtomicU64,
    /// Logical offset covered by the last finished fsync.
    pub durable: AtomicU64,
    /// An fsync is running (INFO aof_pending_bio_fsync).
    pub fsync_in_progress: AtomicBool,
    /// Writes that waited behind an fsync older than 2 s (aof_delayed_fsync).
    pub delayed_fsync: AtomicU64,
    /// errno of the failing write, 0 when the last write succeeded.
    pub write_errno: AtomicI32,
    /// `appendfsync`, as AppendFsync's config code (changed at run time).
    pub policy: AtomicU8,
    /// Bytes written to the current file (aof_current_size grows with it).
    pub file_bytes: AtomicU64,
    /// Switch jobs done.
    pub switches: AtomicU64,
}

impl Shared {
    pub fn policy(&self) -> AppendFsync {
        match self.policy.load(Ordering::Relaxed) {
            0 => AppendFsync::No,
            1 => AppendFsync::Always,
            _ => AppendFsync::Everysec,
        }
    }

    pub fn set_policy(&self, p: AppendFsync) {
        let code = match p {
            AppendFsync::No => 0,
            AppendFsync::Always => 1,
            AppendFsync::Everysec => 2,
        };
        self.policy.store(code, Ordering::Relaxed);
    }
}

/// With `appendfsync everysec` or `no`, how long the thread lets writes pile
/// up after one before the next write(2): each wake-up costs two context
/// switches on a core the reactor may share, once per event-loop iteration
/// otherwise. What a SIGKILL may cost grows by as much (the bytes are in this
/// thread's queue, not yet in the page cache); everysec promises a second.
const WRITE_LINGER: Duration = Duration::from_millis(1);

/// The reactor's handle on the thread.
pub struct Writer {
    tx: mpsc::Sender<Job>,
    pub shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The reactor's own descriptor of the current file (everysec and no:
    /// see [`Writer::write`]), and the next file's until the thread has
    /// switched to it.
    direct: Option<File>,
    next_direct: Option<(File, u64)>,
    /// Logical end of everything handed over or written directly.
    handed: u64,
    /// Switch jobs sent; the thread counts those done in `Shared::switches`.
    switches_sent: u64,
}

impl Writer {
    /// Starts the thread appending to `file`, whose stream starts at logical
    /// offset `start` (everything before it is durable).
    pub fn start(
        file: File,
        start: u64,
        policy: AppendFsync,
        waker: Option<Arc<mio::Waker>>,
    ) -> std::io::Result<Writer> {
        let direct = file.try_clone().ok();
        let shared = Arc::new(Shared::default());
        shared.set_policy(policy);
        shared.written.store(start, Ordering::Relaxed);
        shared.durable.store(start, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel();
        let sh = shared.clone();
        let thread = std::thread::Builder::new()
            .name("aof-fsync".into())
            .spawn(move || {
                prefer_wakeups();
                run(file, start, rx, sh, waker)
            })?;
        Ok(Writer {
            tx,
            shared,
            thread: Some(thread),
            direct,
            next_direct: None,
            handed: start,
            switches_sent: 0,
        })
    }

    /// Appends `data`, whose logical end is `end`. With `everysec` and `no`,
    /// when the thread has nothing queued and no fsync running, the reactor
    /// writes it itself, as Redis's flushAppendOnlyFile does in beforeSleep:
    /// the bytes are in the page cache before any reply that depends on them
    /// leaves, so killing the process loses nothing acknowledged. Otherwise
    /// (always, or an fsync in progress: Redis's postponement, or a failing
    /// write) the thread writes it, and the loop never waits for the disk.
    pub fn write(&mut self, data: Vec<u8>, end: u64) {
        self.adopt_switched_file();
        let idle = self.shared.policy() != AppendFsync::Always
            && self.handed == self.shared.written.load(Ordering::Acquire)
            && !self.shared.fsync_in_progress.load(Ordering::Acquire)
            && self.shared.write_errno.load(Ordering::Acquire) == 0;
        self.handed = end;
        if let (true, Some(f)) = (idle, self.direct.as_mut()) {
            let mut pos = 0;
            while pos < data.len() {
                match f.write(&data[pos..]) {
                    Ok(n) => pos += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
            self.shared
                .file_bytes
                .fetch_add(pos as u64, Ordering::Relaxed);
            if pos == data.len() {
                self.shared.written.store(end, Ordering::Release);
                return;
            }
            // The thread retries the rest and reports the error.
            let rest = data[pos..].to_vec();
            self.send(Job::Write(rest, end));
            return;
        }
        self.send(Job::Write(data, end));
    }

    /// Switches to `file` after everything handed over so far.
    pub fn switch(&mut self, file: File) {
        self.direct = None;
        self.switches_sent += 1;
        self.next_direct = file.try_clone().ok().map(|f| (f, self.switches_sent));
        self.send(Job::Switch(file));
    }

    /// Direct writes go to the new file once the thread is on it.
    fn adopt_switched_file(&mut self) {
        let done = self.shared.switches.load(Ordering::Acquire);
        if self.next_direct.as_ref().is_some_and(|(_, n)| *n <= done) {
            self.direct = self.next_direct.take().map(|(f, _)| f);
        }
    }

    pub fn send(&self, job: Job) {
        // The thread only ends on Stop, after which no job is sent.
        let _ = self.tx.send(job);
    }

    /// Writes and fsyncs everything sent so far; waits for it.
    pub fn sync(&self) -> Result<(), String> {
        let (tx, rx) = mpsc::channel();
        self.send(Job::Sync(tx));
        rx.recv()
            .unwrap_or_else(|_| Err("the AOF thread is gone".into()))
    }

    /// Writes and fsyncs everything, then joins the thread.
    pub fn stop(mut self) {
        self.send(Job::Stop);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Bytes waiting to be written: (buffer, already written from it, logical end).
struct Pending {
    queue: VecDeque<(Vec<u8>, usize, u64)>,
}

struct State {
    file: File,
    pending: Pending,
    shared: Arc<Shared>,
    waker: Option<Arc<mio::Waker>>,
    /// Logical offset written (mirror of shared.written).
    written: u64,
    durable: u64,
    last_fsync: Instant,
    /// When the current failing write first failed (logged once).
    failing_since: Option<Instant>,
}

fn run(
    file: File,
    start: u64,
    rx: mpsc::Receiver<Job>,
    shared: Arc<Shared>,
    waker: Option<Arc<mio::Waker>>,
) {
    let mut st = State {
        file,
        pending: Pending {
            queue: VecDeque::new(),
        },
        shared,
        waker,
        written: start,
        durable: start,
        last_fsync: Instant::now(),
        failing_since: None,
    };
    let mut last_write: Option<Instant> = None;
    loop {
        st.sync_written();
        let policy = st.shared.policy();
        if policy != AppendFsync::Always {
            // Let this iteration's writes and the next ones make one write(2).
            if let Some(rest) = last_write.and_then(|t| WRITE_LINGER.checked_sub(t.elapsed())) {
                std::thread::sleep(rest);
            }
        }
        // Sleep until a job comes, or until a retry or an everysec fsync is due.
        let due = if !st.pending.queue.is_empty() {
            Some(Duration::from_secs(1))
        } else if st.written > st.durable && policy == AppendFsync::Everysec {
            Some(Duration::from_secs(1).saturating_sub(st.last_fsync.elapsed()))
        } else {
            None
        };
        let first = match due {
            Some(d) => match rx.recv_timeout(d) {
                Ok(j) => Some(j),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => Some(Job::Stop),
            },
            None => Some(rx.recv().unwrap_or(Job::Stop)),
        };
        // Group commit: everything queued by now is one batch.
        let mut jobs: Vec<Job> = first.into_iter().collect();
        while let Ok(j) = rx.try_recv() {
            jobs.push(j);
        }
        let mut acks = Vec::new();
        let mut stop = false;
        last_write = None;
        for job in jobs {
            match job {
                Job::Write(data, end) => {
                    st.pending.queue.push_back((data, 0, end));
                    last_write = Some(Instant::now());
                }
                Job::Switch(file) => {
                    // The old file gets all it was owed, durably.
                    st.write_pending_blocking();
                    st.fsync();
                    st.file = file;
                    st.shared.file_bytes.store(0, Ordering::Relaxed);
                    st.shared.switches.fetch_add(1, Ordering::Release);
                }
                Job::Sync(ack) => {
                    st.write_pending_blocking();
                    st.fsync();
                    acks.push(ack);
                }
                Job::Stop => stop = true,
            }
        }
        st.write_pending();
        let policy = st.shared.policy();
        let fsync_now = match policy {
            AppendFsync::Always => true,
            AppendFsync::Everysec => st.last_fsync.elapsed() >= Duration::from_secs(1),
            AppendFsync::No => false,
        };
        st.sync_written();
        if (fsync_now || stop) && st.written > st.durable {
            st.fsync();
        }
        for ack in acks {
            let res = match st.shared.write_errno.load(Ordering::Relaxed) {
                0 => Ok(()),
                e => Err(crate::util::errno_text(e)),
            };
            let _ = ack.send(res);
        }
        if stop {
            st.write_pending_blocking();
            st.fsync();
            return;
        }
    }
}

/// Lets the AOF thread's wake-ups preempt the reactor on a shared core. The
/// thread sleeps in fdatasync(2) and, with `appendfsync always`, every held
/// reply waits for it to come back from there and wake the loop; a normal
/// thread woken while the reactor runs a long batch may wait for the end of
/// the reactor's slice. A short EEVDF slice (sched_attr.sched_runtime for
/// SCHED_OTHER, Linux >= 6.12, no privilege needed) makes its wake-up run
/// first; the thread uses little CPU, so this costs the reactor little. On
/// older kernels the call is refused or ignored, and nothing changes.
fn prefer_wakeups() {
    #[cfg(target_os = "linux")]
    {
        #[repr(C)]
        struct SchedAttr {
            size: u32,
            policy: u32,
            flags: u64,
            nice: i32,
            priority: u32,
            runtime: u64,
            deadline: u64,
            period: u64,
        }
        // The shortest slice the kernel accepts.
        const SLICE_NS: u64 = 100_000;
        // SAFETY: getpriority/sched_setattr on the calling thread, with a
        // properly sized sched_attr that outlives the call.
        unsafe {
            let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
            let nice = libc::getpriority(libc::PRIO_PROCESS, tid);
            let attr = SchedAttr {
                size: std::mem::size_of::<SchedAttr>() as u32,
                policy: libc::SCHED_OTHER as u32,
                flags: 0,
                nice,
                priority: 0,
                runtime: SLICE_NS,
                deadline: 0,
                period: 0,
            };
            libc::syscall(libc::SYS_sched_setattr, 0, &attr as *const SchedAttr, 0);
        }
    }
}

impl State {
    /// Takes in what the reactor wrote directly.
    fn sync_written(&mut self) {
        self.written = self
            .written
            .max(self.shared.written.load(Ordering::Acquire));
    }

    /// Writes what is pending; on an error keeps the rest for a retry.
    fn write_pending(&mut self) {
        while let Some((buf, pos, end)) = self.pending.queue.front_mut() {
            match self.file.write(&buf[*pos..]) {
                Ok(n) => {
                    *pos += n;
                    self.shared
                        .file_bytes
                        .fetch_add(n as u64, Ordering::Relaxed);
                    if *pos == buf.len() {
                        self.written = *end;
                        self.shared.written.store(self.written, Ordering::Release);
                        self.pending.queue.pop_front();
                    }
                    if self.failing_since.take().is_some() {
                        info!("AOF write error looks solved, Redis can write again.");
                        self.shared.write_errno.store(0, Ordering::Release);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    if self.failing_since.is_none() {
                        warn!(
                            "Error writing to the AOF file: {}",
                            crate::util::strerror(&e)
                        );
                        self.failing_since = Some(Instant::now());
                    }
                    let errno = e.raw_os_error().unwrap_or(libc::EIO);
                    self.shared.write_errno.store(errno, Ordering::Release);
                    return;
                }
            }
        }
        if self.failing_since.take().is_some() {
            info!("AOF write error looks solved, Redis can write again.");
        }
        self.shared.write_errno.store(0, Ordering::Release);
    }

    /// Writes what is pending, retrying once a second until it is all out.
    fn write_pending_blocking(&mut self) {
        loop {
            self.write_pending();
            if self.pending.queue.is_empty() {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    }

    /// fdatasync of the current file; `durable` becomes `written`.
    fn fsync(&mut self) {
        // The reactor may have written directly (Writer::write).
        self.sync_written();
        let target = self.written;
        if target <= self.durable {
            return;
        }
        self.shared.fsync_in_progress.store(true, Ordering::Relaxed);
        let t = Instant::now();
        let res = self.file.sync_data();
        self.shared
            .fsync_in_progress
            .store(false, Ordering::Relaxed);
        if t.elapsed() > Duration::from_secs(2) {
            // Redis's "Asynchronous AOF fsync is taking too long": writes
            // that queued meanwhile waited for it.
            if !self.pending.queue.is_empty() {
                self.shared.delayed_fsync.fetch_add(1, Ordering::Relaxed);
                warn!("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Redis.");
            }
        }
        self.last_fsync = Instant::now();
        match res {
            Ok(()) => {
                self.durable = target;
                self.shared.durable.store(target, Ordering::Release);
                if let Some(w) = &self.waker {
                    let _ = w.wake();
                }
            }
            Err(e) => {
                warn!(
                    "Can't persist the AOF file (fsync): {}",
                    crate::util::strerror(&e)
                );
                let errno = e.raw_os_error().unwrap_or(libc::EIO);
                self.shared.write_errno.store(errno, Ordering::Release);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_in_order_across_a_switch_and_syncs() {
        let dir = std::env::temp_dir().join(format!("oxidis-aofw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a"), dir.join("b"));
        let w = Writer::start(File::create(&a).unwrap(), 10, AppendFsync::Always, None).unwrap();
        w.send(Job::Write(b"one".to_vec(), 13));
        w.send(Job::Switch(File::create(&b).unwrap()));
        w.send(Job::Write(b"two".to_vec(), 16));
        w.sync().unwrap();
        assert_eq!(w.shared.durable.load(Ordering::Acquire), 16);
        assert_eq!(std::fs::read(&a).unwrap(), b"one");
        assert_eq!(std::fs::read(&b).unwrap(), b"two");
        w.stop();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
