//! The event loop: one `mio::Poll` on one thread owns the listeners, the clients
//! and the [`Server`]. It accepts, reads, parses and runs commands, then in
//! `before_sleep` writes replies (arming WRITABLE only after a short write) and
//! frees closed clients; `cron` runs `hz` times per second.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::{Duration, Instant};

use log::{debug, info, warn};
use mio::{Events, Interest, Poll, Token};

use crate::client::output::Resize;
use crate::client::{flags as cflags, Client, Conn};
use crate::cmd::process_command;
use crate::listen::{self, Listener};
use crate::persist::share;
use crate::resp::parse::{parse, Limits, Parsed};
use crate::server::Server;

mod busy_poll;
use busy_poll::BusyPoll;

/// Bytes asked of each read(2).
const READ_CHUNK: usize = 16 * 1024;
/// A subscriber whose pending output holds only pub/sub messages is written
/// at most once per this interval while messages keep coming: a message after
/// a quiet spell goes out at once, a stream goes out in batches (fewer, larger
/// writes for the server and for the subscriber's host; at most this much
/// later). Redis batches the same way, implicitly, once per event-loop
/// iteration, i.e. as much as its loop is slow.
const PUSH_COALESCE: Duration = Duration::from_micros(100);
/// Clients served by one clients cron pass, at least
/// (CLIENTS_CRON_MIN_ITERATIONS).
const CLIENTS_CRON_MIN: usize = 5;
/// After this many bytes from one client in one event, let others run first.
const READ_FAIRNESS: usize = 1024 * 1024;
/// Helper threads (snapshot) wake the loop through this token.
const WAKER: usize = usize::MAX;

pub struct Reactor {
    poll: Poll,
    pub srv: Server,
    /// Clients that still had input when their fairness budget ran out.
    pending_reads: Vec<usize>,
    /// CPU time owed to a snapshot thread sharing the reactor's core.
    grants: share::Grants,
    /// When the earliest coalesced subscriber write is due.
    push_flush_due: Option<Instant>,
    /// Where the next clients cron pass starts (a slab key).
    cron_cursor: usize,
}

/// Set from the signal handler; read by the loop.
static SHUTDOWN_SIGNAL: AtomicI32 = AtomicI32::new(0);
static SIGNALS_INSTALLED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(sig: libc::c_int) {
    SHUTDOWN_SIGNAL.store(sig, Ordering::SeqCst);
}

fn install_signal_handlers() {
    if SIGNALS_INSTALLED.swap(true, Ordering::SeqCst) {
        return;
    }
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_signal as *const () as usize;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGTERM, &sa, std::ptr::null_mut());
        libc::sigaction(libc::SIGINT, &sa, std::ptr::null_mut());
        // Replies are written with write(2): a peer that went away must give
        // EPIPE, not kill the server.
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// TCP keepalive as Redis's anetKeepAlive: probes after `interval` seconds idle,
/// then every interval/3, giving up after 3.
fn set_keepalive(s: &mio::net::TcpStream, interval: u32) {
    if interval == 0 {
        return;
    }
    use std::os::fd::AsRawFd;
    let fd = s.as_raw_fd();
    let set = |level, opt, v: libc::c_int| {
        // SAFETY: setsockopt with a valid fd and an int option value.
        unsafe {
            libc::setsockopt(
                fd,
                level,
                opt,
                &v as *const libc::c_int as *const libc::c_void,
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            );
        }
    };
    let interval = interval.min(i32::MAX as u32) as libc::c_int;
    set(libc::SOL_SOCKET, libc::SO_KEEPALIVE, 1);
    set(libc::IPPROTO_TCP, libc::TCP_KEEPIDLE, interval);
    set(
        libc::IPPROTO_TCP,
        libc::TCP_KEEPINTVL,
        (interval / 3).max(1),
    );
    set(libc::IPPROTO_TCP, libc::TCP_KEEPCNT, 3);
}

fn fmt_addr(a: io::Result<SocketAddr>) -> String {
    match a {
        Ok(SocketAddr::V4(a)) => format!("{}:{}", a.ip(), a.port()),
        Ok(SocketAddr::V6(a)) => format!("{}:{}", a.ip(), a.port()),
        Err(_) => "?:0".into(),
    }
}

impl Reactor {
    /// Binds the configured listeners. Errors are reported the way Redis reports
    /// them and returned so main can exit(1).
    pub fn new(srv: Server) -> io::Result<Reactor> {
        let poll = Poll::new()?;
        let mut r = Reactor {
            poll,
            srv,
            pending_reads: Vec::new(),
            grants: share::Grants::new(),
            push_flush_due: None,
            cron_cursor: 0,
        };
        r.srv.listeners.set_registry(r.poll.registry().try_clone()?);
        let cfg = &r.srv.config;
        let (port, bind, backlog) = (cfg.port, cfg.bind.clone(), cfg.tcp_backlog);
        if r.srv.listeners.listen_tcp(port, &bind, backlog).is_err() {
            warn!("Failed listening on port {port} (tcp), aborting.");
            return Err(io::Error::new(io::ErrorKind::AddrNotAvailable, "listen"));
        }
        if let Some(path) = r.srv.config.unixsocket.clone() {
            let perm = r.srv.config.unixsocketperm;
            if let Err(e) = r.srv.listeners.listen_unix(&path, perm) {
                warn!(
                    "Failed opening Unix socket: bind: {}",
                    crate::util::strerror(&e)
                );
                return Err(e);
            }
        }
        {
            use std::os::fd::AsRawFd;
            share::set_reactor_poll_fd(r.poll.as_raw_fd());
        }
        let waker = mio::Waker::new(r.poll.registry(), Token(WAKER))?;
        r.srv.persist.waker = Some(std::sync::Arc::new(waker));
        install_signal_handlers();
        // Listeners and poller included, as Redis measures it once the
        // server is initialised, before the dataset loads.
        r.srv.mem.record_startup();
        Ok(r)
    }

    /// Runs until shutdown is requested.
    pub fn run(&mut self) {
        let mut events = Events::with_capacity(1024);
        let mut next_cron = Instant::now();
        // When the loop last ran out of work, and whether the last poll gave it
        // some: the busy-poll window and the gaps it learns from are counted
        // from the end of the work, not from the poll that brought it.
        let mut idle_since = next_cron;
        let mut worked = false;
        let mut busy = BusyPoll::new();
        loop {
            self.before_sleep();
            let sig = SHUTDOWN_SIGNAL.swap(0, Ordering::SeqCst);
            if sig != 0 {
                let name = if sig == libc::SIGINT {
                    "SIGINT"
                } else {
                    "SIGTERM"
                };
                warn!("Received {name} scheduling shutdown...");
                let _ = self.srv.prepare_for_shutdown(None, false);
            }
            if self.srv.shutdown_asap {
                return;
            }
            let now = Instant::now();
            if worked {
                idle_since = now;
                worked = false;
            }
            let idle = now.saturating_duration_since(idle_since);
            let mut timeout = if !self.pending_reads.is_empty() || self.srv.evict.running {
                Duration::ZERO
            } else {
                next_cron.saturating_duration_since(now)
            };
            if let Some((until, _)) = self.srv.pause {
                let wait = (until - crate::server::wall_ms()).max(0) as u64;
                timeout = timeout.min(Duration::from_millis(wait));
            }
            if let Some(due) = self.push_flush_due {
                timeout = timeout.min(due.saturating_duration_since(now));
            }
            if let Some(&(deadline, _, _)) = self.srv.blocking.timeouts.iter().next() {
                let wait = (deadline - crate::server::wall_ms()).max(0) as u64;
                timeout = timeout.min(Duration::from_millis(wait));
            }
            // Not while a snapshot is written: the snapshot thread may share
            // this core, and the spin would take the cycles it lives on.
            let snapshotting = self.srv.has_active_child() || !self.srv.repl.syncs.is_empty();
            // Nor while replies wait for an fsync: the AOF thread that runs it
            // may share this core, and the fsync's end is what the loop waits for.
            let fsync_wait = self.srv.aof.holding();
            let mut busy_polling = false;
            if !snapshotting && !fsync_wait && idle < busy.window(self.srv.config.busy_poll) {
                busy_polling = !timeout.is_zero();
                timeout = Duration::ZERO;
            }
            if snapshotting {
                // A snapshot thread on this CPU gets its share between two
                // batches, never in the middle of one.
                self.grants.maybe_grant();
            }
            share::reactor_idle();
            let polled = self.poll.poll(&mut events, Some(timeout));
            share::reactor_awake();
            if let Err(e) = polled {
                if e.kind() != io::ErrorKind::Interrupted {
                    warn!("poll error: {e}");
                }
                continue;
            }
            if !events.is_empty() {
                let slept = (!timeout.is_zero()).then(|| now.elapsed());
                busy.woke(idle + slept.unwrap_or_default(), slept);
                worked = true;
            } else if busy_polling {
                let until = Instant::now() + busy_poll::GAP;
                while Instant::now() < until {
                    std::hint::spin_loop();
                }
            }
            self.dispatch(&events);
            if Instant::now() >= next_cron {
                // DEBUG PAUSE-CRON holds the periodic work.
                if !self.srv.pause_cron {
                    self.srv.cron();
                    self.clients_cron();
                }
                let period =
                    Duration::from_micros(1_000_000 / self.srv.config.hz.clamp(1, 500) as u64);
                next_cron = Instant::now() + period;
            }
        }
    }

    /// Handles one poll's events, then the reads that the fairness budget
    /// deferred.
    fn dispatch(&mut self, events: &Events) {
        for ev in events.iter() {
            let t = ev.token().0;
            if t == WAKER {
                self.srv.bgsave_poll();
                self.srv.rewrite_poll();
                crate::repl::master::poll(&mut self.srv);
                continue;
            }
            if t >= listen::UNIX_TOKEN {
                self.accept(t);
                continue;
            }
            if ev.is_readable() || ev.is_read_closed() || ev.is_error() {
                self.handle_read(t, ev.is_read_closed());
            }
            if ev.is_writable() {
                self.handle_write(t);
            }
        }
        for t in std::mem::take(&mut self.pending_reads) {
            // Its EOF may have come with the event that left it pending.
            self.handle_read(t, true);
        }
    }

    /// Loads `dbfilename` at start-up on this thread, serving clients every
    /// `loading-process-events-interval-bytes` (see `persist/loading.rs`).
    /// A shutdown requested meanwhile (SIGTERM, SHUTDOWN) exits at once
    /// without saving, as Redis does.
    pub fn load_at_startup(&mut self) -> Result<(), String> {
        if self.srv.config.appendonly {
            return self.aof_load_at_startup();
        }
        let Some(mut job) = self.srv.rdb_load_begin()? else {
            return Ok(());
        };
        let res = job.run(&mut |bytes| {
            if self.srv.loading_progress(bytes) {
                self.process_events_while_blocked();
                if self.srv.shutdown_asap {
                    self.exit_while_loading();
                }
            }
        });
        if let Ok(st) = &res {
            let ndbs = self.srv.dbs.len();
            self.srv.persist.loaded_repl = crate::repl::replica::repl_info_of(&st.aux, ndbs);
        }
        self.srv.rdb_load_finish(job, res)
    }

    /// A replica's full sync: the payload received from the master becomes
    /// the dataset, loaded as at start-up while clients are served
    /// (readSyncBulkPayload's disk-load path).
    fn replica_load(&mut self) {
        if crate::repl::replica::prepare_load(&mut self.srv).is_err() {
            crate::repl::replica::finish_load(&mut self.srv, false, 0);
            return;
        }
        let job = match self.srv.rdb_load_begin() {
            Ok(Some(job)) => job,
            Ok(None) | Err(_) => {
                crate::repl::replica::finish_load(&mut self.srv, false, 0);
                return;
            }
        };
        let mut job = job;
        let res = job.run(&mut |bytes| {
            if self.srv.loading_progress(bytes) {
                self.process_events_while_blocked();
                if self.srv.shutdown_asap {
                    self.exit_while_loading();
                }
            }
        });
        // The db the master's stream continues in (aux repl-stream-db).
        let ndbs = self.srv.dbs.len();
        let stream_db = res
            .as_ref()
            .ok()
            .and_then(|st| crate::repl::replica::repl_info_of(&st.aux, ndbs))
            .map_or(0, |(_, _, db)| db);
        let ok = match self.srv.rdb_load_finish(job, res) {
            Ok(()) => true,
            Err(e) => {
                warn!("{e}");
                false
            }
        };
        crate::repl::replica::finish_load(&mut self.srv, ok, stream_db);
    }

    /// With `appendonly yes` the AOF is loaded instead of the RDB
    /// (loadDataFromDisk): the manifest, then its files (persist/aof/load.rs).
    /// An error has been logged (Err("")): the server exits.
    fn aof_load_at_startup(&mut self) -> Result<(), String> {
        use crate::persist::aof::load::{load_append_only_files, AofStatus};
        let start = Instant::now();
        if let Err(e) = self.srv.aof_load_manifest_from_disk() {
            e.log();
            return Err(String::new());
        }
        match load_append_only_files(self) {
            AofStatus::Failed | AofStatus::OpenErr => Err(String::new()),
            AofStatus::NotExist => Ok(()),
            _ => {
                info!(
                    "DB loaded from append only file: {:.3} seconds",
                    start.elapsed().as_secs_f64()
                );
                Ok(())
            }
        }
    }

    /// Serves the clients whose events are ready, without sleeping, for a
    /// thread busy with a long job (Redis's processEventsWhileBlocked: up to
    /// four rounds while there is something to do; no cron).
    pub fn process_events_while_blocked(&mut self) {
        let mut events = Events::with_capacity(256);
        for _ in 0..4 {
            if SHUTDOWN_SIGNAL.swap(0, Ordering::SeqCst) != 0 {
                warn!("Received SIGTERM scheduling shutdown...");
                let _ = self.srv.prepare_for_shutdown(Some(false), true);
            }
            if self.srv.shutdown_asap {
                return;
            }
            self.srv.update_time();
            if self.poll.poll(&mut events, Some(Duration::ZERO)).is_err() {
                return;
            }
            if events.is_empty() && self.pending_reads.is_empty() {
                return;
            }
            self.dispatch(&events);
            self.before_sleep();
        }
    }

    /// A shutdown during a load: nothing is saved (the data is not all
    /// there), the files the server owns are removed, the process exits.
    fn exit_while_loading(&mut self) -> ! {
        self.cleanup();
        if !self.srv.config.pidfile.is_empty() {
            let _ = std::fs::remove_file(&self.srv.config.pidfile);
        }
        warn!("oxidis is now ready to exit, bye bye...");
        std::process::exit(0);
    }

    fn accept(&mut self, token: usize) {
        loop {
            let Some(listener) = self.srv.listeners.get(token) else {
                return;
            };
            let accepted = match listener {
                Listener::Tcp(l) => l.accept().map(|(s, peer)| {
                    let _ = s.set_nodelay(true);
                    set_keepalive(&s, self.srv.config.tcp_keepalive);
                    let laddr = fmt_addr(s.local_addr());
                    let local = listen::is_local_ip(peer.ip());
                    (Conn::Tcp(s), fmt_addr(Ok(peer)), laddr, local)
                }),
                Listener::Unix(l) => l.accept().map(|(s, _)| {
                    let path = self.srv.config.unixsocket.clone().unwrap_or_default();
                    (
                        Conn::Unix(s),
                        format!("{path}:0"),
                        format!("{path}:0"),
                        true,
                    )
                }),
            };
            match accepted {
                Ok((mut conn, addr, laddr, local)) => {
                    if self.srv.clients.len() >= self.srv.config.maxclients as usize {
                        let _ = conn.write(b"-ERR max number of clients reached\r\n");
                        self.srv.stats.rejected_conn += 1;
                        continue;
                    }
                    if self.srv.config.protected_mode && !self.srv.auth_required() && !local {
                        let _ = conn.write(crate::error::PROTECTED_MODE.as_bytes());
                        self.srv.stats.rejected_conn += 1;
                        continue;
                    }
                    let auth_required = self.srv.auth_required();
                    let now = self.srv.now_ms;
                    let id = self.srv.next_client_id;
                    let token = self.srv.clients.next_token();
                    if let Err(e) = self.poll.registry().register(
                        conn.source(),
                        Token(token),
                        Interest::READABLE,
                    ) {
                        warn!("Error registering fd event for the new client: {e}");
                        continue;
                    }
                    debug!("Accepted {addr}");
                    let mut c = Client::new(id, conn, token, addr, laddr, now);
                    c.authenticated = !auth_required;
                    let inserted = self.srv.clients.insert(c);
                    debug_assert_eq!(inserted, token);
                    self.srv.next_client_id += 1;
                    self.srv.stats.numconnections += 1;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    warn!("Accepting client connection: {e}");
                    return;
                }
            }
        }
    }

    /// Reads and runs what a client sent. `hup`: the peer has closed its side, so
    /// read until the EOF even after a short read (no new event will come for it).
    /// The client is current only while it reads and while each of its commands
    /// runs (`process_input`), so the blocked clients a command wakes are served
    /// with the writer back in the slab, before its next command.
    fn handle_read(&mut self, token: usize, hup: bool) {
        let mut total = 0usize;
        loop {
            let poll = &self.poll;
            let chunk = self
                .srv
                .with_client(token, |srv, c| read_chunk(poll, srv, c));
            let (n, spare_before) = match chunk {
                None | Some(Chunk::Skip) => return,
                Some(Chunk::Done) => break,
                Some(Chunk::Data(n, spare)) => (n, spare),
            };
            total += n;
            process_input(&mut self.srv, token);
            let stop = self.srv.with_client(token, |srv, c| {
                if c.has(cflags::CLOSE_AFTER_REPLY | cflags::CLOSE_ASAP) {
                    return true;
                }
                if c.querybuf.len() as u64 > srv.config.client_query_buffer_limit {
                    warn!(
                        "Closing client that reached max query buffer length: id={} addr={} (qbuf initial bytes: {:?})",
                        c.id,
                        c.addr,
                        String::from_utf8_lossy(&c.querybuf[..c.querybuf.len().min(64)])
                    );
                    srv.close_client_asap(c);
                    return true;
                }
                false
            });
            if stop != Some(false) {
                break;
            }
            // Replies that outgrew the reply buffer go out (before_sleep)
            // before more is read, as Redis's one read per event has it: a
            // pipelined load would otherwise queue up to READ_FAIRNESS worth
            // of replies in 16 KB blocks, allocated and freed by the dozen
            // (pages that stay in RSS until jemalloc's decay purges them).
            let spilled = self
                .srv
                .with_client(token, |_, c| !c.output.reply.is_empty());
            if spilled == Some(true) {
                self.pending_reads.push(token);
                break;
            }
            if n < spare_before && !hup {
                // A short read drained the socket: with edge-triggered
                // readiness, new data will raise a new event.
                break;
            }
            if total >= READ_FAIRNESS {
                self.pending_reads.push(token);
                break;
            }
        }
        self.srv.with_client(token, |srv, c| srv.schedule_write(c));
    }

    fn handle_write(&mut self, token: usize) {
        let poll = &self.poll;
        self.srv.with_client(token, |srv, c| {
            if c.has(cflags::MASTER) {
                // The link's connect completing: its first writable event.
                crate::repl::replica::link_writable(srv, c);
            }
            write_client(poll, srv, c)
        });
    }

    /// Writes pending replies and frees closed clients.
    fn before_sleep(&mut self) {
        if crate::repl::replica::load_due(&self.srv) {
            self.replica_load();
        }
        // appendfsync always: the clients an fsync has covered since get
        // their held output, then their input runs.
        if !self.srv.aof.held.is_empty() {
            for token in crate::persist::aof::release(&mut self.srv) {
                let poll = &self.poll;
                self.srv
                    .with_client(token, |srv, c| write_client(poll, srv, c));
                self.srv.blocking.unblocked.push(token);
            }
        }
        if self.srv.evict.running {
            // An eviction pass ran out of time: go on (Redis's evictionTimeProc).
            self.srv.update_time();
            crate::evict::perform_evictions(&mut self.srv, None);
        }
        if self.srv.pause.is_some() {
            self.srv.update_time();
            crate::pause::in_force(&mut self.srv);
        }
        if !self.srv.blocking.timeouts.is_empty() {
            self.srv.update_time();
            let now = self.srv.now_ms;
            self.srv.handle_blocked_timeouts(now);
        }
        // WAIT clients whose replicas acknowledged enough (ACKs read this
        // iteration), before their pending input runs below.
        if !self.srv.blocking.waiting_acks.is_empty() {
            crate::repl::wait::process_clients_waiting_replicas(&mut self.srv);
        }
        while !self.srv.blocking.unblocked.is_empty() {
            for token in std::mem::take(&mut self.srv.blocking.unblocked) {
                process_input(&mut self.srv, token);
                self.srv.with_client(token, |srv, c| srv.schedule_write(c));
            }
        }
        // One GETACK for every WAIT that blocked in this iteration, after the
        // unblocked clients' input (which may hold more WAITs) ran.
        crate::repl::wait::send_getack_if_needed(&mut self.srv);
        // BCAST invalidations of this iteration's writes, once per iteration
        // as Redis sends them.
        if self.srv.tracking.is_active() {
            crate::tracking::before_sleep(&mut self.srv);
        }
        // The stream produced by this iteration's commands.
        crate::repl::master::feed_replicas(&mut self.srv);
        self.srv.aof_flush();
        // Newest first, as Redis's clients_pending_write list (clients are
        // linked at its head): the client whose command ran last, such as a
        // publisher after its subscribers got the message, is answered before
        // the clients it fed, which keeps its reply off their writes' path.
        let pending = std::mem::take(&mut self.srv.clients.pending_writes);
        self.push_flush_due = None;
        if !pending.is_empty() {
            self.write_pending(pending);
        }
        for token in std::mem::take(&mut self.srv.clients.to_close) {
            if let Some(mut c) = self.srv.clients.remove(token) {
                if c.blocked.is_some() {
                    self.srv.unblock_client(&mut c);
                }
                crate::pause::client_freed(&mut self.srv, &mut c);
                crate::db::watch::unwatch_all(&mut self.srv.dbs, c.token, &mut c.watched);
                crate::pubsub::unsubscribe_everything(&mut self.srv, &mut c);
                crate::tracking::client_freed(&mut self.srv, &mut c);
                crate::repl::master::client_freed(&mut self.srv, &mut c);
                crate::repl::replica::client_freed(&mut self.srv, &c);
                let _ = self.poll.registry().deregister(c.conn.source());
                debug!("Freed client id={} addr={}", c.id, c.addr);
            }
        }
    }

    /// Writes the clients in `pending` (newest last), except subscribers whose
    /// coalescing interval has not run out: those stay pending, and
    /// `push_flush_due` says when the first is due.
    fn write_pending(&mut self, pending: Vec<usize>) {
        let now = Instant::now();
        let mut deferred = Vec::new();
        for token in pending.into_iter().rev() {
            let (poll, flush_due) = (&self.poll, &mut self.push_flush_due);
            self.srv.with_client(token, |srv, c| {
                if c.has(cflags::PUSH_ONLY) {
                    let due = c.last_push_write + PUSH_COALESCE;
                    if now < due && !c.has(cflags::CLOSE_AFTER_REPLY) {
                        // Stays pending (PENDING_WRITE kept) until it is due.
                        deferred.push(token);
                        *flush_due = Some(flush_due.map_or(due, |d| d.min(due)));
                        return;
                    }
                }
                crate::persist::aof::stamp(srv, c);
                c.flags &= !cflags::PENDING_WRITE;
                if !c.has(cflags::WRITE_ARMED) {
                    if c.has(cflags::PUBSUB) {
                        c.last_push_write = now;
                    }
                    write_client(poll, srv, c);
                }
            });
        }
        if !deferred.is_empty() {
            // Oldest first again next time, behind this iteration's newcomers.
            deferred.reverse();
            self.srv.clients.pending_writes.splice(0..0, deferred);
        }
    }

    /// Per-client periodic checks: buffer resizing, idle timeout (which spares,
    /// as Redis's clientsCronHandleTimeout, replicas and monitors, blocked
    /// clients, clients held by CLIENT PAUSE and subscribers: they wait for the
    /// server, not idle).
    fn clients_cron(&mut self) {
        self.clients_cron_buffers();
        let timeout = self.srv.config.timeout;
        if timeout == 0 {
            return;
        }
        let now = self.srv.now_ms;
        let idle: Vec<usize> = self
            .srv
            .clients
            .all(None)
            .filter(|c| {
                (now - c.last_interaction_ms) / 1000 > timeout as i64
                    && !crate::client::repl::is_replica(c)
                    && !c.has(cflags::MONITOR | cflags::PUBSUB | cflags::POSTPONED)
                    && c.blocked.is_none()
            })
            .map(|c| c.token)
            .collect();
        for token in idle {
            info!("Closing idle client");
            self.srv.clients.close_other_asap(token);
        }
    }

    /// Resizes query and reply buffers from their recent use, as Redis's
    /// clientsCron: each pass serves `clients / hz` clients (at least
    /// `CLIENTS_CRON_MIN`), so every client is seen about once a second.
    fn clients_cron_buffers(&mut self) {
        let n = self.srv.clients.len();
        let hz = self.srv.config.hz.clamp(1, 500) as usize;
        let budget = (n / hz).max(CLIENTS_CRON_MIN).min(n);
        let start = self.cron_cursor;
        let keys = || self.srv.clients.tokens();
        let mut tokens: Vec<usize> = keys().filter(|&t| t >= start).take(budget).collect();
        let more = budget - tokens.len();
        tokens.extend(keys().filter(|&t| t < start).take(more));
        self.cron_cursor = tokens.last().map_or(0, |&t| t + 1);
        let now = self.srv.now_ms;
        let reset = self.srv.reply_buffer_peak_reset_ms;
        for t in tokens {
            let Some(c) = self.srv.clients.get_mut(t) else {
                continue;
            };
            let idle_s = (now - c.last_interaction_ms) / 1000;
            c.resize_query_buffer(idle_s);
            if self.srv.reply_buffer_resizing {
                match c.resize_reply_buffer(now, reset) {
                    Resize::Shrunk => self.srv.stats.reply_buffer_shrinks += 1,
                    Resize::Expanded => self.srv.stats.reply_buffer_expands += 1,
                    Resize::None => {}
                }
            }
            c.release_idle_buffers(idle_s);
        }
    }

    /// Removes the unix socket file (on shutdown).
    pub fn cleanup(&mut self) {
        if let Some(path) = &self.srv.config.unixsocket {
            info!("Removing the unix socket file.");
            let _ = std::fs::remove_file(path);
        }
    }
}

/// What one read from a client's socket gave.
enum Chunk {
    /// The client is closing: nothing read, nothing scheduled.
    Skip,
    /// EOF, an error, or nothing more to read now.
    Done,
    /// `n` bytes, read into a buffer that had `spare` bytes free.
    Data(usize, usize),
}

/// One read(2) into the current client's query buffer.
fn read_chunk(poll: &Poll, srv: &mut Server, c: &mut Client) -> Chunk {
    if c.has(cflags::CLOSE_ASAP) {
        return Chunk::Skip;
    }
    loop {
        // A big argument is read to its end and no further, so that its
        // buffer stays exactly its size. Otherwise the buffer is to hold
        // READ_CHUNK in all, the rest of a partial command included: asking
        // for READ_CHUNK free bytes on top of it would outgrow a 16 KB buffer
        // on every read that ends mid-command (a pipelined load), a new
        // allocation each time (freed pages that linger in RSS), where this
        // moves the partial command to the front of the buffer it has.
        let left = c.querybuf.len();
        let want = c
            .parse
            .big_arg_remaining(left)
            .unwrap_or(if left < READ_CHUNK / 2 {
                READ_CHUNK - left
            } else {
                READ_CHUNK
            });
        c.querybuf.reserve(want);
        c.note_query_buffer();
        let spare_before = c.querybuf.capacity() - c.querybuf.len();
        match c.conn.read_into(&mut c.querybuf, want) {
            Ok(0) => {
                debug!("Client closed connection id={} addr={}", c.id, c.addr);
                // The replies to what came with the EOF go out first, as they
                // do from Redis (which writes them before its next read).
                if c.pending_out() > 0 {
                    write_client(poll, srv, c);
                }
                srv.close_client_asap(c);
                return Chunk::Done;
            }
            Ok(n) => {
                srv.stats.total_reads_processed += 1;
                c.net_in += n as u64;
                c.note_query_buffer();
                srv.stats.net_input_bytes += n as u64;
                c.last_interaction_ms = srv.now_ms;
                if c.has(cflags::MASTER) {
                    crate::repl::replica::on_read(srv, c, n);
                }
                return Chunk::Data(n, spare_before);
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Chunk::Done,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                debug!("Reading from client: {e}");
                srv.close_client_asap(c);
                return Chunk::Done;
            }
        }
    }
}

/// Writes what the current client has pending, arming WRITABLE after a short
/// write and disarming it once everything is out.
fn write_client(poll: &Poll, srv: &mut Server, c: &mut Client) {
    if c.has(cflags::CLOSE_ASAP) {
        return;
    }
    // appendfsync always: output that may depend on AOF bytes not yet
    // durable waits for their fsync (persist/aof.rs).
    if c.has(cflags::PENDING_WRITE) {
        crate::persist::aof::stamp(srv, c);
    }
    if crate::persist::aof::must_hold(srv, c) {
        return;
    }
    let before = c.net_out;
    srv.stats.total_writes_processed += 1;
    let mut res = c.flush();
    // A replica's RDB goes out chunk by chunk as the socket drains.
    while matches!(res, Ok(true)) && c.repl.is_some() && crate::repl::master::refill(c) {
        res = c.flush();
    }
    srv.stats.net_output_bytes += c.net_out - before;
    match res {
        Ok(true) => {
            if c.has(cflags::WRITE_ARMED) {
                c.flags &= !cflags::WRITE_ARMED;
                let _ =
                    poll.registry()
                        .reregister(c.conn.source(), Token(c.token), Interest::READABLE);
            }
            if c.has(cflags::CLOSE_AFTER_REPLY) {
                srv.close_client_asap(c);
            }
        }
        Ok(false) => {
            if !c.has(cflags::WRITE_ARMED) {
                c.flags |= cflags::WRITE_ARMED;
                let _ = poll.registry().reregister(
                    c.conn.source(),
                    Token(c.token),
                    Interest::READABLE | Interest::WRITABLE,
                );
            }
        }
        Err(e) => {
            debug!("Error writing to client: {e}");
            srv.close_client_asap(c);
        }
    }
}

/// Runs every complete command in client `token`'s query buffer, one at a
/// time as the current client; after each command, with the client back in
/// the slab, serves the blocked clients it woke (Redis serves them after each
/// command too, before the next one).
pub fn process_input(srv: &mut Server, token: usize) {
    while srv.with_client(token, process_next) == Some(true) {
        if srv.dbs[0].events.get() & crate::db::events::READY != 0 {
            srv.handle_blocked_on_keys();
        }
    }
    // The batch is over: its commands no longer count in CLIENT LIST `qbuf`.
    srv.with_client(token, |_, c| c.qb.batch = 0);
}

/// Runs the client's next command, if it has a complete one and may run it
/// now. True when a command ran (the caller then comes back for the next).
fn process_next(srv: &mut Server, c: &mut Client) -> bool {
    if c.has(cflags::POSTPONED) {
        // Held by CLIENT PAUSE: once it ends, the command goes through every
        // check again, as Redis re-processes a postponed client's command
        // (the dataset may have changed meanwhile; a new pause may hold it).
        if !crate::pause::release(srv, c) {
            return false;
        }
        process_command(srv, c);
        if c.has(cflags::POSTPONED) {
            return false;
        }
        c.reset_argv();
        return true;
    }
    loop {
        if c.has(cflags::CLOSE_AFTER_REPLY | cflags::CLOSE_ASAP | cflags::AOF_HELD)
            || c.blocked.is_some()
        {
            return false;
        }
        if c.has(cflags::MASTER) {
            // The handshake's replies and the payload come before the stream.
            if let Some(progress) = crate::repl::replica::input(srv, c) {
                if progress {
                    continue;
                }
                return false;
            }
        }
        let lim = Limits {
            max_bulk_len: srv.config.proto_max_bulk_len,
            auth_required: !c.authenticated && srv.auth_required(),
        };
        let before = c.querybuf.len();
        let parsed = parse(&mut c.querybuf, &mut c.parse, &mut c.argv, &lim);
        c.qb.batch += before.saturating_sub(c.querybuf.len());
        match parsed {
            Ok(Parsed::Incomplete) => return false,
            Ok(Parsed::Empty) => {
                if c.has(cflags::MASTER) {
                    crate::repl::replica::after_command(srv, c);
                }
                continue;
            }
            Ok(Parsed::Command) => {
                if c.has(cflags::MASTER) {
                    crate::repl::replica::run_master_command(srv, c, process_command);
                } else {
                    process_command(srv, c);
                }
                if c.has(cflags::POSTPONED) {
                    return false;
                }
                if c.has(cflags::MASTER) {
                    crate::repl::replica::after_command(srv, c);
                }
                c.reset_argv();
                return true;
            }
            Err(e) => {
                info!(
                    "Protocol error ({}) from client: id={} addr={}",
                    String::from_utf8_lossy(&e.0),
                    c.id,
                    c.addr
                );
                c.add_error_bytes(&[&b"ERR "[..], &e.0].concat());
                srv.stats.total_error_replies += 1;
                c.errors_in_cmd = 0;
                srv.count_client_errors(c);
                c.flags |= cflags::CLOSE_AFTER_REPLY;
                c.querybuf.clear();
                return false;
            }
        }
    }
}

impl crate::persist::aof::load::LoadHost for Reactor {
    fn server(&mut self) -> &mut Server {
        &mut self.srv
    }

    fn serve(&mut self) {
        self.process_events_while_blocked();
        if self.srv.shutdown_asap {
            self.exit_while_loading();
        }
    }
}
