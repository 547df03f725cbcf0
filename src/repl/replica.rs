//! The replica side of replication (Redis's replication.c, replica half):
//! REPLICAOF, the link to the master, the handshake, the full sync through a
//! file, partial resynchronisation, and applying the master's stream.
//!
//! ```text
//!   REPLICAOF host port ──> Connect ──(cron: non-blocking connect)──> Connecting
//!     writable: PING ──> ReceivePong ──> AUTH?, REPLCONF listening-port,
//!     [ip-address], capa eof capa psync2 ──> (their replies) ──> PSYNC
//!     ──> ReceivePsync ──┬─ +FULLRESYNC id off ──> Transfer ($len | $EOF:mark)
//!                        │     bytes -> temp file ──> Load (before_sleep: flush,
//!                        │     rename to dbfilename, load) ──> Connected
//!                        └─ +CONTINUE [id] ───────────────────────────> Connected
//!   Connected: the link is a client flagged MASTER (replies off, obeyed); its
//!   commands run through process_command; every byte applied moves `reploff`
//!   and is proxied verbatim to our own replicas (chained replication).
//! ```
//!
//! The link is an ordinary client in the slab, so reads, writes and closes go
//! through the reactor like any other client's; what differs is the input
//! before the stream starts ([`input`]) and the accounting after each command
//! ([`after_command`]). When the link drops while connected, what it reached
//! (replication ID, offset, selected db) is kept as the cached master, and the
//! next handshake asks to continue from there (PSYNC id offset+1). A master
//! that becomes a replica caches itself the same way, so that a demoted
//! master can continue with the promoted replica's history.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Write as _};
use std::net::ToSocketAddrs;
use std::path::PathBuf;

use log::{info, warn};

use crate::client::{flags as cflags, Client, Conn};
use crate::server::{wall_ms, Server};

/// Where the link to the master is (Redis's REPL_STATE_*).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    /// Not connected; the cron connects.
    Connect,
    /// The non-blocking connect is in progress.
    Connecting,
    ReceivePong,
    ReceiveAuth,
    ReceivePort,
    ReceiveIp,
    ReceiveCapa,
    ReceivePsync,
    /// Receiving the RDB payload.
    Transfer,
    /// The payload is complete; before_sleep loads it.
    Load,
    Connected,
}

impl LinkState {
    fn in_handshake(self) -> bool {
        matches!(
            self,
            LinkState::ReceivePong
                | LinkState::ReceiveAuth
                | LinkState::ReceivePort
                | LinkState::ReceiveIp
                | LinkState::ReceiveCapa
                | LinkState::ReceivePsync
        )
    }
}

/// What a link reached, kept to continue from (Redis's cached master).
#[derive(Clone)]
pub struct Cached {
    pub replid: String,
    pub reploff: u64,
    pub db: usize,
}

/// The replica role: the master's address and the link's state (Redis's
/// masterhost, repl_state, repl_transfer_*, master and cached_master).
pub struct MasterLink {
    pub host: String,
    pub port: u16,
    pub state: LinkState,
    /// The link client's token while one exists.
    pub token: Option<usize>,
    /// When the current connect or handshake started, and the last byte of
    /// payload arrived (ms; repl-timeout).
    started_ms: i64,
    pub transfer_size: i64,
    pub transfer_read: u64,
    pub transfer_lastio_ms: i64,
    /// `$EOF:<mark>` transfers end with these 40 bytes.
    eof_mark: Option<[u8; 40]>,
    /// The last 40 bytes written, to spot the mark.
    tail: Vec<u8>,
    tmp: Option<(File, PathBuf)>,
    /// The ID and offset a +FULLRESYNC announced.
    full_replid: String,
    full_offset: u64,
    /// Applied stream offset (reploff) and read offset (read_reploff).
    pub reploff: u64,
    pub read_reploff: u64,
    /// Stream bytes read but not yet applied (a command in progress, or a
    /// MULTI not yet closed by EXEC), then the rest of the query buffer: the
    /// applied part is proxied to our replicas as it was received.
    raw: Vec<u8>,
    /// Last interaction with the master (ms; master_last_io_seconds_ago).
    pub lastio_ms: i64,
    /// When the link went down (ms; 0: never up).
    pub down_since_ms: i64,
    pub cached: Option<Cached>,
    /// The last REPLCONF ACK sent (ms).
    last_ack_ms: i64,
}

impl MasterLink {
    fn new(host: String, port: u16) -> MasterLink {
        MasterLink {
            host,
            port,
            state: LinkState::Connect,
            token: None,
            started_ms: 0,
            transfer_size: -1,
            transfer_read: 0,
            transfer_lastio_ms: 0,
            eof_mark: None,
            tail: Vec::new(),
            tmp: None,
            full_replid: String::new(),
            full_offset: 0,
            reploff: 0,
            read_reploff: 0,
            raw: Vec::new(),
            lastio_ms: 0,
            down_since_ms: 0,
            cached: None,
            last_ack_ms: 0,
        }
    }

    pub fn is_up(&self) -> bool {
        self.state == LinkState::Connected
    }
}

/// True when this server is a replica (REPLICAOF host port is in force).
#[inline]
pub fn is_replica_role(srv: &Server) -> bool {
    srv.master.is_some()
}

/// True when `c` is the link to our master.
#[inline]
pub fn is_master_client(c: &Client) -> bool {
    c.has(cflags::MASTER)
}

/// REPLICAOF host port (and `replicaof` in the configuration): Redis's
/// replicationSetMaster.
pub fn set_master(srv: &mut Server, host: &str, port: u16) {
    let was_master = srv.master.is_none();
    let old_cached = close_link(srv, false);
    let mut link = MasterLink::new(host.to_string(), port);
    link.cached = if was_master {
        // Our own history, to continue with the new master's if it has ours.
        Some(Cached {
            replid: srv.master_replid.clone(),
            reploff: srv.repl.master_repl_offset,
            db: 0,
        })
    } else {
        old_cached
    };
    srv.master = Some(Box::new(link));
    srv.config.replicaof = Some((host.to_string(), port));
    disconnect_blocked(srv);
    apply_expire_mode(srv);
    info!("Connecting to MASTER {host}:{port}");
    connect(srv);
}

/// `replicaof` in the configuration, at start-up: a dataset loaded from an
/// RDB that a replica saved carries its place in the master's history
/// (aux repl-id, repl-offset, repl-stream-db), from which the first PSYNC
/// asks to continue (loadDataFromDisk's replica path).
pub fn start_from_config(srv: &mut Server, host: &str, port: u16) {
    let from_rdb = srv.persist.loaded_repl.take();
    if let Some((id, off, _)) = &from_rdb {
        srv.master_replid = id.clone();
        srv.repl.master_repl_offset = *off;
    }
    set_master(srv, host, port);
    if let (Some((_, _, db)), Some(m)) = (from_rdb, srv.master.as_deref_mut()) {
        if let Some(cached) = &mut m.cached {
            cached.db = db;
        }
    }
}

/// The replication info an RDB's aux fields hold (repl-id, repl-offset,
/// repl-stream-db), when all are valid.
pub fn repl_info_of(aux: &[(Vec<u8>, Vec<u8>)], dbs: usize) -> Option<(String, u64, usize)> {
    let get = |name: &[u8]| {
        aux.iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| std::str::from_utf8(v).ok())
    };
    let id = get(b"repl-id").filter(|v| v.len() == 40)?;
    let off = get(b"repl-offset")?.parse::<u64>().ok()?;
    let db = get(b"repl-stream-db")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&d| d < dbs)
        .unwrap_or(0);
    Some((id.to_string(), off, db))
}

/// REPLICAOF NO ONE: Redis's replicationUnsetMaster.
pub fn unset_master(srv: &mut Server) {
    if srv.master.is_none() {
        return;
    }
    close_link(srv, false);
    srv.master = None;
    srv.config.replicaof = None;
    super::shift_replication_id(srv);
    disconnect_replicas(srv);
    srv.repl.slaveseldb = -1;
    srv.repl.no_replicas_since = srv.now_ms;
    apply_expire_mode(srv);
}

/// Frees the link client and any transfer in progress; returns what the link
/// reached when it was connected (to continue from).
fn close_link(srv: &mut Server, keep_state: bool) -> Option<Cached> {
    let m = srv.master.as_deref_mut()?;
    let cached = if m.state == LinkState::Connected {
        Some(Cached {
            replid: srv.master_replid.clone(),
            reploff: m.reploff,
            db: 0,
        })
    } else {
        m.cached.clone()
    };
    if let Some(token) = m.token.take() {
        srv.clients.close_other_asap(token);
    }
    drop_transfer(m);
    if !keep_state {
        m.state = LinkState::Connect;
    }
    cached
}

fn drop_transfer(m: &mut MasterLink) {
    if let Some((_, path)) = m.tmp.take() {
        let _ = std::fs::remove_file(path);
    }
    m.eof_mark = None;
    m.tail.clear();
    m.transfer_size = -1;
    m.transfer_read = 0;
}

/// Clients blocked while we were a master would be served by the master's
/// writes: they get an error and are closed (disconnectAllBlockedClients).
fn disconnect_blocked(srv: &mut Server) {
    let blocked: Vec<usize> = srv
        .clients
        .all(None)
        .filter(|c| c.blocked.is_some())
        .map(|c| c.token)
        .collect();
    for t in blocked {
        let Some(cl) = srv.clients.get_mut(t) else {
            continue;
        };
        cl.add_error(
            "UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)",
        );
        cl.flags |= cflags::CLOSE_AFTER_REPLY;
        srv.blocking.unblock(&mut srv.dbs, cl);
        srv.schedule_write_of(t);
    }
}

/// Our replicas resync with us (a new history: Redis's disconnectSlaves).
fn disconnect_replicas(srv: &mut Server) {
    for token in srv.repl.replicas.clone() {
        srv.clients.close_other_asap(token);
    }
}

/// On a replica, keys are expired by the master's DELs only: a logically
/// expired key reads as missing for clients but stays stored (Redis 7.0's
/// expireIfNeeded on a replica); CLIENT PAUSE does the same.
pub fn apply_expire_mode(srv: &mut Server) {
    let on = srv.master.is_some() || srv.pause.is_some();
    for db in &mut srv.dbs {
        db.expire_paused = on;
    }
}

/// Starts the non-blocking connect (Redis's connectWithMaster).
fn connect(srv: &mut Server) {
    let Some(m) = srv.master.as_deref() else {
        return;
    };
    let (host, port) = (m.host.clone(), m.port);
    let addr = match (host.as_str(), port)
        .to_socket_addrs()
        .map(|mut a| a.next())
    {
        Ok(Some(a)) => a,
        Ok(None) | Err(_) => {
            warn!("Unable to connect to MASTER: Name or service not known");
            return;
        }
    };
    let stream = match mio::net::TcpStream::connect(addr) {
        Ok(s) => s,
        Err(e) => {
            warn!("Unable to connect to MASTER: {}", crate::util::strerror(&e));
            return;
        }
    };
    let _ = stream.set_nodelay(true);
    let token = srv.clients.next_token();
    let mut conn = Conn::Tcp(stream);
    if let Err(e) = srv.listeners.register_client(conn.source(), token) {
        warn!("Unable to connect to MASTER: {e}");
        return;
    }
    let laddr = match &conn {
        Conn::Tcp(s) => s.local_addr().map(|a| a.to_string()).unwrap_or_default(),
        _ => String::new(),
    };
    let id = srv.next_client_id;
    srv.next_client_id += 1;
    let now = wall_ms();
    let mut c = Client::new(id, conn, token, format!("{host}:{port}"), laddr, now);
    // Armed for writable: the connect's completion is its first writable event.
    c.flags |= cflags::MASTER | cflags::WRITE_ARMED;
    c.authenticated = true;
    let inserted = srv.clients.insert(c);
    debug_assert_eq!(inserted, token);
    let m = srv.master.as_deref_mut().expect("replica");
    m.token = Some(token);
    m.state = LinkState::Connecting;
    m.started_ms = now;
    m.lastio_ms = now;
    info!("MASTER <-> REPLICA sync started");
}

/// The link became writable: in Connecting, the connect finished (or failed).
/// Sends PING. True when the event was the connect's.
pub fn link_writable(srv: &mut Server, c: &mut Client) -> bool {
    let Some(m) = srv.master.as_deref_mut() else {
        return false;
    };
    if m.token != Some(c.token) || m.state != LinkState::Connecting {
        return false;
    }
    if let Some(e) = c.conn.take_error() {
        warn!(
            "Error condition on socket for SYNC: {}",
            crate::util::strerror(&e)
        );
        srv.close_client_asap(c);
        return true;
    }
    info!("Non blocking connect for SYNC fired the event.");
    m.state = LinkState::ReceivePong;
    c.append_out(&encode_cmd(&[b"PING"]));
    true
}

fn encode_cmd(argv: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    super::encode(&mut out, argv);
    out
}

/// One reply line from the master's input, without its CR LF.
fn take_line(c: &mut Client) -> Option<Vec<u8>> {
    let nl = c.querybuf.iter().position(|&b| b == b'\n')?;
    let line = c.querybuf.split_to(nl + 1);
    let mut l = line[..nl].to_vec();
    if l.last() == Some(&b'\r') {
        l.pop();
    }
    Some(l)
}

/// The link's input before the stream starts (the handshake's replies and the
/// payload). None once connected: the input is the stream, parsed as commands.
/// Some(false) when nothing more can be done with the input now.
pub fn input(srv: &mut Server, c: &mut Client) -> Option<bool> {
    let state = srv.master.as_deref()?.state;
    if state == LinkState::Connected {
        return None;
    }
    if srv.master.as_deref().and_then(|m| m.token) != Some(c.token) {
        // A link being closed: its input is no longer ours to read.
        c.querybuf.clear();
        return Some(false);
    }
    srv.master.as_deref_mut().expect("replica").lastio_ms = wall_ms();
    match state {
        LinkState::Transfer => {
            transfer(srv, c);
            Some(false)
        }
        LinkState::Connect | LinkState::Connecting | LinkState::Load => Some(false),
        _ => {
            debug_assert!(state.in_handshake());
            let Some(line) = take_line(c) else {
                return Some(false);
            };
            handshake_reply(srv, c, state, &line);
            Some(true)
        }
    }
}

fn fail(srv: &mut Server, c: &mut Client) {
    srv.close_client_asap(c);
}

/// One reply of the handshake (Redis's syncWithMaster).
fn handshake_reply(srv: &mut Server, c: &mut Client, state: LinkState, line: &[u8]) {
    let text = String::from_utf8_lossy(line).into_owned();
    let err = line.first() == Some(&b'-');
    let next = match state {
        LinkState::ReceivePong => {
            if err
                && !text.starts_with("-NOAUTH")
                && !text.starts_with("-NOPERM")
                && !text.starts_with("-ERR operation not permitted")
            {
                warn!("Error reply to PING from master: '{text}'");
                return fail(srv, c);
            }
            info!("Master replied to PING, replication can continue...");
            send_handshake(srv, c)
        }
        LinkState::ReceiveAuth => {
            if err {
                warn!("Unable to AUTH to MASTER: {text}");
                return fail(srv, c);
            }
            LinkState::ReceivePort
        }
        LinkState::ReceivePort => {
            if err {
                info!("(Non critical) Master does not understand REPLCONF listening-port: {text}");
            }
            if srv.config.replica_announce_ip.is_empty() {
                LinkState::ReceiveCapa
            } else {
                LinkState::ReceiveIp
            }
        }
        LinkState::ReceiveIp => {
            if err {
                info!("(Non critical) Master does not understand REPLCONF ip-address: {text}");
            }
            LinkState::ReceiveCapa
        }
        LinkState::ReceiveCapa => {
            if err {
                info!("(Non critical) Master does not understand REPLCONF capa: {text}");
            }
            send_psync(srv, c);
            LinkState::ReceivePsync
        }
        LinkState::ReceivePsync => {
            if line.is_empty() {
                // A newline keepalive before the reply.
                return;
            }
            return psync_reply(srv, c, &text);
        }
        _ => return,
    };
    srv.master.as_deref_mut().expect("replica").state = next;
}

/// AUTH, REPLCONF listening-port, ip-address and capa, pipelined; returns the
/// state that reads the first reply.
fn send_handshake(srv: &mut Server, c: &mut Client) -> LinkState {
    let mut out = Vec::new();
    let mut first = LinkState::ReceivePort;
    if let Some(pass) = srv.config.masterauth.clone() {
        match srv.config.masteruser.clone() {
            Some(user) => super::encode(&mut out, &[&b"AUTH"[..], &user, &pass]),
            None => super::encode(&mut out, &[&b"AUTH"[..], &pass]),
        }
        first = LinkState::ReceiveAuth;
    }
    let port = if srv.config.replica_announce_port != 0 {
        srv.config.replica_announce_port
    } else {
        srv.config.port as i64
    }
    .to_string();
    super::encode(
        &mut out,
        &[&b"REPLCONF"[..], b"listening-port", port.as_bytes()],
    );
    if !srv.config.replica_announce_ip.is_empty() {
        let ip = srv.config.replica_announce_ip.clone();
        super::encode(&mut out, &[&b"REPLCONF"[..], b"ip-address", ip.as_bytes()]);
    }
    super::encode(
        &mut out,
        &[&b"REPLCONF"[..], b"capa", b"eof", b"capa", b"psync2"],
    );
    c.append_out(&out);
    first
}

/// PSYNC with the cached master's ID and offset, or `PSYNC ? -1`
/// (slaveTryPartialResynchronization's first half).
fn send_psync(srv: &mut Server, c: &mut Client) {
    let m = srv.master.as_deref().expect("replica");
    let (id, off) = match &m.cached {
        Some(cached) => {
            let off = (cached.reploff + 1).to_string();
            info!(
                "Trying a partial resynchronization (request {}:{off}).",
                cached.replid
            );
            (cached.replid.clone(), off)
        }
        None => {
            info!("Partial resynchronization not possible (no cached master)");
            ("?".to_string(), "-1".to_string())
        }
    };
    c.append_out(&encode_cmd(&[b"PSYNC", id.as_bytes(), off.as_bytes()]));
}

/// The reply to PSYNC (slaveTryPartialResynchronization's second half).
fn psync_reply(srv: &mut Server, c: &mut Client, text: &str) {
    if let Some(rest) = text.strip_prefix("+FULLRESYNC") {
        let mut parts = rest.split_whitespace();
        let (Some(id), Some(off)) = (parts.next(), parts.next()) else {
            warn!("Master replied with wrong +FULLRESYNC syntax.");
            return fail(srv, c);
        };
        let Ok(off) = off.parse::<u64>() else {
            warn!("Master replied with wrong +FULLRESYNC syntax.");
            return fail(srv, c);
        };
        info!("Full resync from master: {id}:{off}");
        let m = srv.master.as_deref_mut().expect("replica");
        m.full_replid = id.to_string();
        m.full_offset = off;
        m.cached = None;
        m.state = LinkState::Transfer;
        m.transfer_lastio_ms = wall_ms();
        // The payload may have come with the reply.
        transfer(srv, c);
        return;
    }
    if let Some(rest) = text.strip_prefix("+CONTINUE") {
        info!("Successful partial resynchronization with master.");
        let new_id = rest.trim();
        let m = srv.master.as_deref_mut().expect("replica");
        let cached = m.cached.take().expect("PSYNC sent with a cached master");
        m.reploff = cached.reploff;
        m.read_reploff = cached.reploff;
        c.db = cached.db;
        if !new_id.is_empty() && new_id != cached.replid {
            // The master changed history (a failover): ours continues as
            // its secondary ID.
            srv.master_replid2 = cached.replid.clone();
            srv.second_replid_offset = cached.reploff as i64 + 1;
            srv.master_replid = new_id.to_string();
            warn!("Master replication ID changed to {new_id}");
            disconnect_replicas(srv);
        } else {
            srv.master_replid = cached.replid.clone();
        }
        if !srv.repl.backlog_active() {
            super::reset_backlog(srv, cached.reploff);
        }
        info!("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
        link_established(srv, c);
        return;
    }
    if text.starts_with("-NOMASTERLINK") || text.starts_with("-LOADING") {
        info!("Master is currently unable to PSYNC but should be in the future: {text}");
    } else {
        warn!("Unexpected reply to PSYNC from master: {text}");
    }
    fail(srv, c);
}

/// The link carries the stream from now on (replicationCreateMasterClient).
fn link_established(srv: &mut Server, c: &mut Client) {
    c.flags |= cflags::REPLY_OFF | cflags::OBEY | cflags::DENY_BLOCKING;
    let now = wall_ms();
    let m = srv.master.as_deref_mut().expect("replica");
    m.state = LinkState::Connected;
    m.raw = c.querybuf.to_vec();
    m.lastio_ms = now;
    m.down_since_ms = 0;
    m.last_ack_ms = 0;
    // The first ACK at once: a master that sent a diskless payload starts
    // the stream on it (repl_start_cmd_stream_on_ack).
    send_ack(srv, c);
    // The rest of the input is the stream: run it before the next read.
    srv.blocking.unblocked.push(c.token);
}

/// Payload bytes from the input: the `$<len>` or `$EOF:<mark>` line, then the
/// RDB into a temp file (readSyncBulkPayload, disk-backed).
fn transfer(srv: &mut Server, c: &mut Client) {
    let now = wall_ms();
    let dir_rdb = srv.rdb_path();
    let m = srv.master.as_deref_mut().expect("replica");
    if m.tmp.is_none() {
        let Some(line) = take_line(c) else {
            return;
        };
        m.transfer_lastio_ms = now;
        if line.is_empty() {
            // The master's keepalive while it prepares the RDB.
            return;
        }
        if line[0] == b'-' {
            warn!(
                "MASTER aborted replication with an error: {}",
                String::from_utf8_lossy(&line[1..])
            );
            return fail(srv, c);
        }
        if line[0] != b'$' {
            warn!(
                "Bad protocol from MASTER, the first byte is not '$' (we received '{}'), are you sure the host and port are right?",
                String::from_utf8_lossy(&line)
            );
            return fail(srv, c);
        }
        let body = &line[1..];
        if body.len() == 44 && body.starts_with(b"EOF:") {
            let mut mark = [0u8; 40];
            mark.copy_from_slice(&body[4..]);
            m.eof_mark = Some(mark);
            m.transfer_size = 0;
            info!("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
        } else {
            let Some(n) = std::str::from_utf8(body)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
            else {
                warn!("Bad protocol from MASTER: invalid payload length");
                return fail(srv, c);
            };
            m.transfer_size = n;
            info!("MASTER <-> REPLICA sync: receiving {n} bytes from master to disk");
        }
        let dir = dir_rdb.parent().map(PathBuf::from).unwrap_or_default();
        let name = format!("temp-{}.{}.rdb", wall_ms() / 1000, std::process::id());
        let path = dir.join(name);
        match File::create(&path) {
            Ok(f) => m.tmp = Some((f, path)),
            Err(e) => {
                warn!(
                    "Opening the temp file needed for MASTER <-> REPLICA synchronization: {}",
                    crate::util::strerror(&e)
                );
                return fail(srv, c);
            }
        }
        m.transfer_read = 0;
    }
    if c.querybuf.is_empty() {
        return;
    }
    let take = match m.eof_mark {
        Some(_) => c.querybuf.len(),
        None => (m.transfer_size as u64 - m.transfer_read).min(c.querybuf.len() as u64) as usize,
    };
    let chunk = c.querybuf.split_to(take);
    m.transfer_read += take as u64;
    m.transfer_lastio_ms = now;
    let (f, _) = m.tmp.as_mut().expect("temp file");
    if let Err(e) = f.write_all(&chunk) {
        warn!(
            "Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: {}",
            crate::util::strerror(&e)
        );
        return fail(srv, c);
    }
    let done = match m.eof_mark {
        Some(mark) => {
            m.tail.extend_from_slice(&chunk);
            if m.tail.len() > 40 {
                m.tail.drain(..m.tail.len() - 40);
            }
            m.tail[..] == mark[..]
        }
        None => m.transfer_read == m.transfer_size as u64,
    };
    if !done {
        return;
    }
    let (f, path) = m.tmp.as_mut().expect("temp file");
    if m.eof_mark.is_some() {
        // The mark is not part of the RDB.
        let len = m.transfer_read - 40;
        if let Err(e) = f.set_len(len) {
            warn!(
                "Error trying to truncate the RDB for MASTER <-> REPLICA synchronization: {}",
                crate::util::strerror(&e)
            );
            return fail(srv, c);
        }
    }
    if let Err(e) = f.sync_all() {
        warn!(
            "Failed trying to sync the temp DB to disk in MASTER <-> REPLICA synchronization: {}",
            crate::util::strerror(&e)
        );
        return fail(srv, c);
    }
    let _ = path;
    m.state = LinkState::Load;
}

/// The db our replicas' stream is in: for a replica, its link's (the stream
/// is its master's, proxied); a master's stream starts with a SELECT.
pub fn stream_db(srv: &Server) -> i64 {
    srv.master
        .as_deref()
        .and_then(|m| m.token)
        .and_then(|t| srv.clients.get(t))
        .map_or(0, |c| c.db as i64)
}

/// True when a received payload waits to be loaded (before_sleep).
pub fn load_due(srv: &Server) -> bool {
    srv.master
        .as_deref()
        .is_some_and(|m| m.state == LinkState::Load && m.tmp.is_some())
}

/// Before the load: our replicas must resync, the old data goes, the payload
/// becomes `dbfilename` (readSyncBulkPayload's disk path).
pub fn prepare_load(srv: &mut Server) -> io::Result<()> {
    disconnect_replicas(srv);
    // The AOF would hold the old dataset: it stops, and is rewritten from
    // the new one once loaded (stopAppendOnly / restartAOFAfterSYNC).
    if srv.aof.state != crate::persist::aof::AofState::Off {
        srv.stop_append_only_rewrite();
        srv.aof_stop_writing();
    }
    info!("MASTER <-> REPLICA sync: Flushing old data");
    let lazy = srv.config.replica_lazy_flush;
    for id in 0..srv.dbs.len() {
        crate::cmd::generic::empty_db(srv, id, lazy);
    }
    let rdb = srv.rdb_path();
    let m = srv.master.as_deref_mut().expect("replica");
    let (f, path) = m.tmp.take().expect("temp file");
    drop(f);
    if let Err(e) = std::fs::rename(&path, &rdb) {
        warn!(
            "Failed trying to rename the temp DB into {} in MASTER <-> REPLICA synchronization: {}",
            rdb.display(),
            crate::util::strerror(&e)
        );
        let _ = std::fs::remove_file(&path);
        return Err(e);
    }
    info!("MASTER <-> REPLICA sync: Loading DB in memory");
    Ok(())
}

/// After the load: the replica's history is the master's from the offset the
/// +FULLRESYNC gave; the link carries the stream (or, on failure, is dropped).
pub fn finish_load(srv: &mut Server, ok: bool, stream_db: usize) {
    let Some(token) = srv.master.as_deref().and_then(|m| m.token) else {
        return;
    };
    if !ok {
        warn!("Failed trying to load the MASTER synchronization DB from disk, check server logs.");
        let lazy = srv.config.replica_lazy_flush;
        for id in 0..srv.dbs.len() {
            crate::cmd::generic::empty_db(srv, id, lazy);
        }
        restart_aof(srv);
        srv.clients.close_other_asap(token);
        if let Some(m) = srv.master.as_deref_mut() {
            m.token = None;
            m.state = LinkState::Connect;
        }
        return;
    }
    apply_expire_mode(srv);
    restart_aof(srv);
    let m = srv.master.as_deref_mut().expect("replica");
    let (id, off) = (m.full_replid.clone(), m.full_offset);
    m.reploff = off;
    m.read_reploff = off;
    drop_transfer(m);
    srv.master_replid = id;
    srv.master_replid2 = "0".repeat(40);
    srv.second_replid_offset = -1;
    super::reset_backlog(srv, off);
    info!("MASTER <-> REPLICA sync: Finished with success");
    srv.with_client(token, |srv, c| {
        c.db = stream_db;
        link_established(srv, c);
    });
}

/// Runs a command of the master's stream. The master decides what has
/// expired: for its commands no key is expired (Redis's expireIfNeeded
/// returns "not expired" for the master client), so its DEL of a key that
/// expired here too deletes it, and its writes see what it saw.
pub fn run_master_command(
    srv: &mut Server,
    c: &mut Client,
    run: impl FnOnce(&mut Server, &mut Client),
) {
    let saved: Vec<bool> = srv.dbs.iter().map(|d| d.loading).collect();
    for db in &mut srv.dbs {
        db.loading = true;
    }
    run(srv, c);
    for (db, was) in srv.dbs.iter_mut().zip(saved) {
        db.loading = was;
    }
}

/// `appendonly yes`: the AOF restarts with a rewrite of the dataset now
/// in memory (restartAOFAfterSYNC).
fn restart_aof(srv: &mut Server) {
    if srv.config.appendonly && srv.aof.state == crate::persist::aof::AofState::Off {
        srv.start_append_only();
    }
}

/// New bytes read from the link (Connected): kept until applied.
pub fn on_read(srv: &mut Server, c: &Client, n: usize) {
    if let Some(m) = srv.master.as_deref_mut() {
        if m.state == LinkState::Connected && m.token == Some(c.token) {
            let len = c.querybuf.len();
            m.raw.extend_from_slice(&c.querybuf[len - n.min(len)..]);
            m.read_reploff += n as u64;
            m.lastio_ms = wall_ms();
        }
    }
}

/// After a command from the master (or input that parsed to nothing): what
/// was applied moves the offset and goes to our replicas, verbatim. Inside
/// MULTI nothing is applied until EXEC (Redis's commandProcessed).
pub fn after_command(srv: &mut Server, c: &Client) {
    if c.has(cflags::MULTI) {
        return;
    }
    let Some(m) = srv.master.as_deref_mut() else {
        return;
    };
    if m.token != Some(c.token) || m.state != LinkState::Connected {
        return;
    }
    let applied = m.raw.len().saturating_sub(c.querybuf.len());
    if applied == 0 {
        return;
    }
    let bytes: Vec<u8> = m.raw.drain(..applied).collect();
    m.reploff += applied as u64;
    super::feed_raw(srv, &bytes);
}

/// REPLCONF GETACK from the master: the offset applied before it.
pub fn send_ack(srv: &mut Server, c: &mut Client) {
    let Some(m) = srv.master.as_deref_mut() else {
        return;
    };
    if m.token != Some(c.token) || m.state != LinkState::Connected {
        return;
    }
    m.last_ack_ms = srv.now_ms;
    let off = m.reploff.to_string();
    c.append_out(&encode_cmd(&[b"REPLCONF", b"ACK", off.as_bytes()]));
    srv.schedule_write(c);
}

/// The link client is being freed: a connected link becomes the cached
/// master; the cron reconnects (replicationHandleMasterDisconnection).
pub fn client_freed(srv: &mut Server, c: &Client) {
    let now = wall_ms();
    let replid = srv.master_replid.clone();
    let Some(m) = srv.master.as_deref_mut() else {
        return;
    };
    if m.token != Some(c.token) {
        return;
    }
    m.token = None;
    if m.state == LinkState::Connected {
        info!("Connection with master lost.");
        info!("Caching the disconnected master state.");
        m.cached = Some(Cached {
            replid,
            reploff: m.reploff,
            db: c.db,
        });
        m.down_since_ms = now;
        m.raw.clear();
    }
    drop_transfer(m);
    m.state = LinkState::Connect;
}

/// Once a second (replicationCron, replica half): reconnect, time out a
/// stuck handshake, transfer or silent master, ACK the offset.
pub fn cron(srv: &mut Server) {
    let Some(m) = srv.master.as_deref() else {
        return;
    };
    let now = wall_ms();
    let timeout = srv.config.repl_timeout * 1000;
    let state = m.state;
    let token = m.token;
    match state {
        LinkState::Connect => {
            info!("Connecting to MASTER {}:{}", m.host, m.port);
            connect(srv);
        }
        s if (s == LinkState::Connecting || s.in_handshake()) && now - m.started_ms > timeout => {
            warn!("Timeout connecting to the MASTER...");
            close_link(srv, false);
        }
        LinkState::Transfer if now - m.transfer_lastio_ms > timeout => {
            warn!("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
            close_link(srv, false);
        }
        LinkState::Transfer => {
            // Keeps a pre-PSYNC master from timing us out meanwhile.
            if let Some(t) = token {
                srv.with_client(t, |srv, c| {
                    c.append_out(b"\n");
                    srv.schedule_write(c);
                });
            }
        }
        LinkState::Connected if now - m.lastio_ms > timeout => {
            warn!("MASTER timeout: no data nor PING received...");
            if let Some(t) = token {
                srv.clients.close_other_asap(t);
            }
        }
        LinkState::Connected => {
            if let Some(t) = token {
                srv.with_client(t, send_ack);
            }
        }
        _ => {}
    }
}

/// `# Replication` fields of a replica, after `role:slave`.
pub fn info_fields(srv: &Server, o: &mut String) {
    let Some(m) = srv.master.as_deref() else {
        return;
    };
    let now_s = srv.now_ms / 1000;
    let (reploff, read_off) = if m.token.is_some() && m.state == LinkState::Connected {
        (m.reploff as i64, m.read_reploff as i64)
    } else if let Some(cached) = &m.cached {
        (cached.reploff as i64, cached.reploff as i64)
    } else {
        (1, 1)
    };
    let lastio = if m.token.is_some() && m.state == LinkState::Connected {
        now_s - m.lastio_ms / 1000
    } else {
        -1
    };
    let _ = write!(
        o,
        "master_host:{}\r\nmaster_port:{}\r\nmaster_link_status:{}\r\n\
         master_last_io_seconds_ago:{lastio}\r\nmaster_sync_in_progress:{}\r\n\
         slave_read_repl_offset:{read_off}\r\nslave_repl_offset:{reploff}\r\n",
        m.host,
        m.port,
        if m.is_up() { "up" } else { "down" },
        (m.state == LinkState::Transfer) as u8,
    );
    if m.state == LinkState::Transfer {
        let size = m.transfer_size.max(0);
        let read = m.transfer_read as i64;
        let perc = if size > 0 {
            read as f64 / size as f64 * 100.0
        } else {
            0.0
        };
        let _ = write!(
            o,
            "master_sync_total_bytes:{size}\r\nmaster_sync_read_bytes:{read}\r\n\
             master_sync_left_bytes:{}\r\nmaster_sync_perc:{perc:.2}\r\n\
             master_sync_last_io_seconds_ago:{}\r\n",
            size - read,
            now_s - m.transfer_lastio_ms / 1000
        );
    }
    if !m.is_up() {
        let since = if m.down_since_ms != 0 {
            now_s - m.down_since_ms / 1000
        } else {
            -1
        };
        let _ = write!(o, "master_link_down_since_seconds:{since}\r\n");
    }
    let _ = write!(
        o,
        "slave_priority:{}\r\nslave_read_only:{}\r\nreplica_announced:{}\r\n",
        srv.config.replica_priority,
        srv.config.replica_read_only as u8,
        srv.config.replica_announced as u8
    );
}

/// ROLE of a replica: slave, host, port, state, offset.
pub fn role_reply(srv: &Server, c: &mut Client) {
    let m = srv.master.as_deref().expect("replica");
    let state = match m.state {
        s if s.in_handshake() => "handshake",
        LinkState::Connect => "connect",
        LinkState::Connecting => "connecting",
        LinkState::Transfer | LinkState::Load => "sync",
        LinkState::Connected => "connected",
        _ => "unknown",
    };
    c.add_array_len(5);
    c.add_bulk(b"slave");
    c.add_bulk(m.host.as_bytes());
    c.add_int(m.port as i64);
    c.add_bulk(state.as_bytes());
    let off = if m.token.is_some() && m.state == LinkState::Connected {
        m.reploff as i64
    } else {
        -1
    };
    c.add_int(off);
}
