//! The master side of replication: full resynchronisation of a replica (SYNC,
//! PSYNC), the live stream, REPLCONF, the replication cron and INFO replication.
//!
//! A full sync freezes the keyspace (`Server::snapshot_dbs`, O(segments)) at the
//! instant the replica asks, and a snapshot thread serialises it to an RDB in
//! memory while the reactor keeps serving. Everything propagated after that
//! instant is kept in the replica's `pending` stream. When the RDB is ready it
//! is sent as `$<len>\r\n<rdb>` (the disk-sync format every replica accepts),
//! in chunks as the socket drains ([`refill`]), then the pending stream, and
//! the replica is online: from then on the stream goes straight to its output
//! buffer.
//!
//! A PSYNC naming this master's history (its replication ID, or the previous
//! one up to the offset where it ended) at an offset the backlog still holds
//! is a partial resync instead: `+CONTINUE`, the backlog from that offset, and
//! the replica is online at once (Redis's masterTryPartialResynchronization).
//!
//! ```text
//!   SYNC/PSYNC ─> wait_bgsave ──(RDB ready)──> send_bulk ──(RDB sent)──> online
//!                 stream -> pending           stream -> pending      stream -> out
//!   PSYNC id off (held) ── +CONTINUE, backlog[off..] ──────────────────> online
//! ```

use std::fmt::Write as _;
use std::sync::{mpsc, Arc};
use std::time::Instant;

use bytes::Bytes;
use log::{info, warn};

use crate::client::repl::{is_replica, SyncState};
use crate::client::{flags as cflags, Client};
use crate::persist::rdb::{self, SaveInfo, SaveOpts};
use crate::server::{wall_ms, Server};

/// Bytes of RDB moved into a replica's output buffer at a time.
const RDB_CHUNK: usize = 256 * 1024;

/// A snapshot being serialised for replicas.
pub struct SyncJob {
    id: u64,
    rx: mpsc::Receiver<Result<Vec<u8>, String>>,
    started: Instant,
}

pub fn new_replid() -> String {
    let rs = std::collections::hash_map::RandomState::new();
    let mut s = String::with_capacity(40);
    let mut i = 0u64;
    while s.len() < 40 {
        let v = std::hash::BuildHasher::hash_one(&rs, (i, wall_ms(), std::process::id()));
        let _ = write!(s, "{v:016x}");
        i += 1;
    }
    s.truncate(40);
    s
}

/// `ip:port` of a replica as the logs name it (Redis's
/// replicationGetSlaveName): the announced IP or the peer's, the port from
/// REPLCONF listening-port, an IPv6 address in brackets, and
/// `ip:<unknown-replica-port>` for a replica that sent no port.
fn replica_name(c: &Client) -> String {
    let r = c.repl.as_deref();
    let ip = r
        .and_then(|r| r.announced_ip.clone())
        .unwrap_or_else(|| peer_ip(&c.addr));
    match r.map_or(0, |r| r.listening_port) {
        0 => format!("{ip}:<unknown-replica-port>"),
        port if ip.contains(':') => format!("[{ip}]:{port}"),
        port => format!("{ip}:{port}"),
    }
}

fn peer_ip(addr: &str) -> String {
    match addr.rfind(':') {
        Some(i) => addr[..i].to_string(),
        None => addr.to_string(),
    }
}

/// SYNC and PSYNC: a partial resynchronisation when PSYNC asks for history
/// the backlog holds, else a full one of `c` (Redis's syncCommand).
pub fn sync_command(srv: &mut Server, c: &mut Client, psync: bool) {
    if is_replica(c) {
        // Already a replica: ignore, as Redis does.
        return;
    }
    // A replica serves its history only while it has it from its master.
    if srv.master.as_deref().is_some_and(|m| !m.is_up()) {
        c.add_error("NOMASTERLINK Can't SYNC while not connected with my master");
        return;
    }
    if c.pending_out() > 0 {
        c.add_error(crate::error::SYNC_PENDING_OUTPUT);
        return;
    }
    let name = replica_name(c);
    info!("Replica {name} asks for synchronization");
    // The stream produced so far belongs to the replicas already attached
    // (and is in the backlog, from where a partial resync gets it).
    feed_replicas(srv);
    if psync {
        let Some(psync_offset) = crate::util::number::parse_i64(&c.argv[2]) else {
            warn!("Replica {name} asks for synchronization but with a wrong offset");
            c.add_error(crate::error::NOT_INTEGER);
            return;
        };
        if try_partial_resync(srv, c, psync_offset) {
            srv.repl.sync_partial_ok += 1;
            return;
        }
        // "?" is a replica asking for a full resync on purpose.
        if !c.argv[1].starts_with(b"?") {
            srv.repl.sync_partial_err += 1;
        }
    }
    if srv.repl.backlog.is_none() {
        // As Redis: a backlog created from scratch gets a new replication ID
        // and no secondary one, for there is no past history to continue.
        srv.master_replid = new_replid();
        clear_replid2(srv);
        super::create_backlog(srv);
        info!(
            "Replication backlog created, my new replication IDs are '{}' and '{}'",
            srv.master_replid, srv.master_replid2
        );
    }
    let offset = srv.repl.master_repl_offset;
    if psync {
        c.add_raw(format!("+FULLRESYNC {} {offset}\r\n", srv.master_replid).as_bytes());
    }
    // The next command in the stream starts with a SELECT.
    srv.repl.slaveseldb = -1;
    let job = match start_snapshot(srv, offset) {
        Ok(id) => id,
        Err(e) => {
            warn!("BGSAVE for replication failed: {e}");
            c.add_error("ERR BGSAVE failed, replication can't continue");
            c.flags |= cflags::CLOSE_AFTER_REPLY;
            return;
        }
    };
    info!("Starting BGSAVE for SYNC with target: disk");
    let r = c.repl.get_or_insert_with(Default::default);
    r.state = Some(SyncState::WaitBgsave);
    r.pre_psync = !psync;
    r.job = job;
    r.ack_time_ms = srv.now_ms;
    srv.repl.replicas.push(c.token);
    srv.repl.sync_full += 1;
}

/// No secondary replication ID (Redis's clearReplicationId2).
fn clear_replid2(srv: &mut Server) {
    srv.master_replid2 = "0".repeat(40);
    srv.second_replid_offset = -1;
}

/// Redis's strcasecmp of a PSYNC replication ID with one of ours.
fn same_replid(asked: &[u8], ours: &str) -> bool {
    asked.eq_ignore_ascii_case(ours.as_bytes())
}

/// PSYNC `<replid> <psync_offset>` as a partial resynchronisation (Redis's
/// masterTryPartialResynchronization): accepted when the ID is ours, or our
/// previous one and the offset is within the history it names, and the
/// backlog holds the offset. Then `c` gets `+CONTINUE` and the backlog from
/// that offset, and is an online replica. False (and a log line saying why)
/// when a full resync is needed instead.
fn try_partial_resync(srv: &mut Server, c: &mut Client, psync_offset: i64) -> bool {
    let name = replica_name(c);
    let asked = &c.argv[1];
    let ours = same_replid(asked, &srv.master_replid);
    let previous = same_replid(asked, &srv.master_replid2);
    if !ours && (!previous || psync_offset > srv.second_replid_offset) {
        if asked.starts_with(b"?") {
            info!("Full resync requested by replica {name}");
        } else if !ours && !previous {
            info!(
                "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '{}', my replication IDs are '{}' and '{}')",
                String::from_utf8_lossy(asked),
                srv.master_replid,
                srv.master_replid2
            );
        } else {
            info!(
                "Partial resynchronization not accepted: Requested offset for second ID was {psync_offset}, but I can reply up to {}",
                srv.second_replid_offset
            );
        }
        return false;
    }
    let held = srv.repl.backlog.as_ref().and_then(|b| {
        let from = u64::try_from(psync_offset).ok()?;
        b.range_from(from)
    });
    let Some(data) = held else {
        info!(
            "Unable to partial resync with replica {name} for lack of backlog (Replica request was: {psync_offset})."
        );
        if psync_offset > srv.repl.master_repl_offset as i64 {
            warn!(
                "Warning: replica {name} tried to PSYNC with an offset that is greater than the master replication offset."
            );
        }
        return false;
    };
    // The stream continues where the replica's copy of it stopped, in the db
    // its last SELECT chose: no SELECT is forced (slaveseldb stays).
    let reply = if c.repl.as_deref().is_some_and(|r| r.capa_psync2) {
        format!("+CONTINUE {}\r\n", srv.master_replid)
    } else {
        "+CONTINUE\r\n".to_string()
    };
    c.add_raw(reply.as_bytes());
    c.append_out(&data);
    let r = c.repl.get_or_insert_with(Default::default);
    r.state = Some(SyncState::Online);
    r.pre_psync = false;
    r.ack_time_ms = srv.now_ms;
    srv.repl.replicas.push(c.token);
    srv.schedule_write(c);
    info!(
        "Partial resynchronization request from {name} accepted. Sending {} bytes of backlog starting from offset {psync_offset}.",
        data.len()
    );
    refresh_good_replicas(srv);
    true
}

/// Freezes the keyspace and serialises it on a snapshot thread.
fn start_snapshot(srv: &mut Server, offset: u64) -> Result<u64, String> {
    let dbs = srv.snapshot_dbs();
    let info = SaveInfo {
        ctime: wall_ms() / 1000,
        used_mem: crate::info::memory::used_memory(),
        aof_base: false,
        repl_id: srv.master_replid.clone(),
        repl_offset: offset as i64,
        repl_stream_db: super::replica::stream_db(srv),
    };
    let opts = SaveOpts {
        compression: srv.config.rdbcompression,
        checksum: srv.config.rdbchecksum,
    };
    let clock = crate::persist::snapshot::key_clock(&srv.config);
    let (tx, rx) = mpsc::channel();
    let waker = srv.persist.waker.clone();
    std::thread::Builder::new()
        .name("repl-snapshot".into())
        .spawn(move || {
            let courtesy = crate::persist::share::Courtesy::begin();
            let mut out = crate::persist::share::Courteous::new(Vec::new(), courtesy);
            // Frozen segments are released as they are written.
            let res = rdb::write_rdb_releasing(&mut out, dbs, &info, &opts, clock, &mut |_| {})
                .map(|_| out.into_inner())
                .map_err(|e| crate::util::strerror(&e));
            let _ = tx.send(res);
            if let Some(w) = waker {
                let _ = w.wake();
            }
        })
        .map_err(|e| crate::util::strerror(&e))?;
    srv.repl.next_job += 1;
    let id = srv.repl.next_job;
    srv.repl.syncs.push(SyncJob {
        id,
        rx,
        started: Instant::now(),
    });
    Ok(id)
}

/// Collects finished snapshots and starts sending them to their replicas
/// (called when a helper thread wakes the loop, and from cron).
pub fn poll(srv: &mut Server) {
    let mut i = 0;
    while i < srv.repl.syncs.len() {
        let res = match srv.repl.syncs[i].rx.try_recv() {
            Ok(r) => r,
            Err(mpsc::TryRecvError::Empty) => {
                i += 1;
                continue;
            }
            Err(mpsc::TryRecvError::Disconnected) => Err("snapshot thread died".into()),
        };
        let job = srv.repl.syncs.remove(i);
        let rdb = match res {
            Ok(v) => {
                info!(
                    "Background RDB transfer terminated with success ({} bytes in {} ms)",
                    v.len(),
                    job.started.elapsed().as_millis()
                );
                Some(Arc::new(v))
            }
            Err(e) => {
                warn!("Background transfer error: {e}");
                None
            }
        };
        for token in srv.repl.replicas.clone() {
            let Some(c) = srv.clients.get_mut(token) else {
                continue;
            };
            let waiting = c
                .repl
                .as_deref()
                .is_some_and(|r| r.state == Some(SyncState::WaitBgsave) && r.job == job.id);
            if waiting {
                match &rdb {
                    Some(data) => {
                        c.add_raw(format!("${}\r\n", data.len()).as_bytes());
                        let r = c.repl.as_deref_mut().expect("replica");
                        r.state = Some(SyncState::SendBulk);
                        r.rdb = Some(data.clone());
                        r.rdb_pos = 0;
                        srv.schedule_write_of(token);
                    }
                    None => srv.clients.close_other_asap(token),
                }
            }
        }
    }
}

/// Moves the next piece of output of a replica into its buffer once the
/// previous one is written: RDB chunks, then the stream held back, after which
/// the replica is online. True when something was added.
pub fn refill(c: &mut Client) -> bool {
    let Some(r) = c.repl.as_deref_mut() else {
        return false;
    };
    if r.state != Some(SyncState::SendBulk) {
        return false;
    }
    let rdb = r.rdb.clone().expect("send_bulk has an RDB");
    if r.rdb_pos < rdb.len() {
        let end = (r.rdb_pos + RDB_CHUNK).min(rdb.len());
        let start = std::mem::replace(&mut r.rdb_pos, end);
        c.append_out(&rdb[start..end]);
        return true;
    }
    r.rdb = None;
    r.state = Some(SyncState::Online);
    let pending = std::mem::take(&mut r.pending);
    let name = replica_name(c);
    info!("Synchronization with replica {name} succeeded");
    c.append_out(&pending);
    !pending.is_empty()
}

/// Hands the stream produced since the last call to every replica (from
/// before_sleep, and before a new replica's snapshot is taken: the client
/// asking is not a replica yet, so every replica is in the slab).
pub fn feed_replicas(srv: &mut Server) {
    if srv.repl.buffer.is_empty() {
        return;
    }
    let buf = std::mem::take(&mut srv.repl.buffer);
    for i in 0..srv.repl.replicas.len() {
        let token = srv.repl.replicas[i];
        append_stream(srv, token, &buf);
    }
    let mut buf = buf;
    buf.clear();
    if buf.capacity() <= 64 * 1024 {
        srv.repl.buffer = buf;
    }
}

fn append_stream(srv: &mut Server, token: usize, data: &[u8]) {
    let Some(c) = srv.clients.get_mut(token) else {
        return;
    };
    if c.has(cflags::CLOSE_ASAP) {
        return;
    }
    let r = c.repl.as_deref_mut().expect("replica");
    if r.state == Some(SyncState::Online) {
        c.append_out(data);
        srv.schedule_write_of(token);
    } else {
        r.pending.extend_from_slice(data);
        if c.check_output_limits(&srv.config.client_output_buffer_limit, srv.now_ms) {
            warn!(
                "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
                crate::client::info::client_info_line(c, srv.now_ms)
            );
            srv.clients.close_other_asap(token);
        }
    }
}

/// Writes directly into a replica's buffer outside the stream (the newline
/// keepalive while its RDB is being produced).
fn keepalive(srv: &mut Server, c: &mut Client) {
    if c.pending_out() == 0 {
        c.append_out(b"\n");
        srv.schedule_write(c);
    }
}

/// Forgets a freed client that was a replica.
pub fn client_freed(srv: &mut Server, c: &mut Client) {
    if !is_replica(c) {
        return;
    }
    srv.repl.replicas.retain(|&t| t != c.token);
    info!("Connection with replica {} lost.", replica_name(c));
    if srv.repl.replicas.is_empty() {
        srv.repl.no_replicas_since = srv.now_ms;
    }
    refresh_good_replicas(srv);
}

/// Re-reads `min-replicas-to-write` / `min-replicas-max-lag` and recounts the
/// good replicas: online, with an ACK at most `min-replicas-max-lag` seconds
/// old (Redis's refreshGoodSlavesCount; from the cron, when a replica goes
/// away and when either directive changes).
pub fn refresh_good_replicas(srv: &mut Server) {
    srv.repl.min_replicas_to_write = srv.config.min_replicas_to_write;
    srv.repl.min_replicas_max_lag = srv.config.min_replicas_max_lag;
    if srv.repl.min_replicas_to_write == 0 || srv.repl.min_replicas_max_lag == 0 {
        return;
    }
    let now_s = srv.now_ms / 1000;
    let max_lag = srv.repl.min_replicas_max_lag;
    srv.repl.good_replicas = srv
        .repl
        .replicas
        .iter()
        .filter_map(|&t| srv.clients.get(t))
        .filter_map(|c| c.repl.as_deref())
        .filter(|r| r.state == Some(SyncState::Online) && now_s - r.ack_time_ms / 1000 <= max_lag)
        .count();
}

/// False when writes are refused for want of good replicas (Redis's
/// checkGoodReplicasStatus): both directives set and fewer good replicas
/// than `min-replicas-to-write`.
#[inline]
pub fn enough_good_replicas(srv: &Server) -> bool {
    let r = &srv.repl;
    r.min_replicas_to_write == 0
        || r.min_replicas_max_lag == 0
        || r.good_replicas >= r.min_replicas_to_write as usize
}

/// Redis's replicationCron, once per second: PING in the stream every
/// `repl-ping-replica-period` seconds, a newline to replicas waiting for their
/// RDB, timed-out replicas dropped, the backlog freed after `repl-backlog-ttl`
/// without replicas.
pub fn cron(srv: &mut Server) {
    poll(srv);
    let now = srv.now_ms;
    if now - srv.repl.last_cron_ms < 1000 {
        return;
    }
    srv.repl.last_cron_ms = now;
    let loops = srv.repl.cron_loops;
    srv.repl.cron_loops += 1;
    super::replica::cron(srv);
    refresh_good_replicas(srv);
    if srv.repl.replicas.is_empty() {
        if srv.master.is_some() {
            // A replica keeps its backlog (its history is its master's).
            return;
        }
        let ttl = srv.config.repl_backlog_ttl;
        let since = srv.repl.no_replicas_since;
        if srv.repl.backlog.is_some() && ttl > 0 && since > 0 && now - since > ttl * 1000 {
            srv.master_replid = new_replid();
            clear_replid2(srv);
            srv.repl.backlog = None;
            srv.repl.slaveseldb = -1;
            info!("Replication backlog freed after {ttl} seconds without connected replicas.");
        }
        return;
    }
    // On Redis's beat: every `period` cron runs, counted from start-up, not
    // from when a replica attached (one that just attached hears nothing for
    // up to a period, as from Redis).
    let period = srv.config.repl_ping_replica_period.max(1) as u64;
    // A replica's replicas get its master's PINGs.
    if loops.is_multiple_of(period) && srv.master.is_none() {
        super::feed_no_select(srv, &[Bytes::from_static(b"PING")]);
    }
    let timeout_ms = srv.config.repl_timeout * 1000;
    for token in srv.repl.replicas.clone() {
        srv.with_client(token, |srv, c| {
            let r = c.repl.as_deref().expect("replica");
            match r.state {
                Some(SyncState::WaitBgsave) => keepalive(srv, c),
                Some(SyncState::Online) if !r.pre_psync && now - r.ack_time_ms > timeout_ms => {
                    warn!(
                        "Disconnecting timedout replica (streaming sync): {}",
                        replica_name(c)
                    );
                    srv.close_client_asap(c);
                }
                _ => {}
            }
        });
    }
}

/// REPLCONF option value [option value ...]
pub fn replconf_command(srv: &mut Server, c: &mut Client) {
    if c.argv.len().is_multiple_of(2) {
        return c.add_error(crate::error::SYNTAX);
    }
    let mut j = 1;
    while j < c.argv.len() {
        let opt = c.argv[j].to_ascii_lowercase();
        let val = c.argv[j + 1].clone();
        match &opt[..] {
            b"listening-port" => match crate::util::number::parse_i64(&val) {
                Some(p) => c.repl.get_or_insert_with(Default::default).listening_port = p as u16,
                None => return c.add_error(crate::error::NOT_INTEGER),
            },
            b"ip-address" => {
                if val.len() >= 46 {
                    return c.add_error(&crate::error::replconf_ip_too_long(val.len()));
                }
                c.repl.get_or_insert_with(Default::default).announced_ip =
                    Some(String::from_utf8_lossy(&val).into_owned());
            }
            b"capa" => {
                let r = c.repl.get_or_insert_with(Default::default);
                if val.eq_ignore_ascii_case(b"eof") {
                    r.capa_eof = true;
                } else if val.eq_ignore_ascii_case(b"psync2") {
                    r.capa_psync2 = true;
                }
            }
            b"ack" => {
                // No reply, ever; ignored from a client that is no replica.
                if is_replica(c) {
                    if let Some(off) = crate::util::number::parse_i64(&val) {
                        let now = srv.now_ms;
                        let r = c.repl.as_deref_mut().expect("replica");
                        r.ack_off = r.ack_off.max(off.max(0) as u64);
                        r.ack_time_ms = now;
                    }
                }
                return;
            }
            b"getack" => {
                if c.has(cflags::MASTER) {
                    super::replica::send_ack(srv, c);
                }
                return;
            }
            b"rdb-only" => match crate::util::number::parse_i64(&val) {
                Some(0 | 1) => {}
                _ => return c.add_error(&crate::error::value_out_of_range(0, 1)),
            },
            _ => {
                let msg = crate::error::replconf_unrecognized(&c.argv[j]);
                return c.add_error_bytes(&msg);
            }
        }
        j += 2;
    }
    c.add_ok();
}

/// `# Replication` for a master.
/// `cur` is the client asking, which may be a replica itself.
pub fn info_section(srv: &Server, cur: &Client, o: &mut String) {
    let r = &srv.repl;
    let role = if srv.master.is_some() {
        "slave"
    } else {
        "master"
    };
    let _ = write!(o, "# Replication\r\nrole:{role}\r\n");
    super::replica::info_fields(srv, o);
    let _ = write!(o, "connected_slaves:{}\r\n", r.replicas.len());
    if r.min_replicas_to_write != 0 && r.min_replicas_max_lag != 0 {
        let _ = write!(o, "min_slaves_good_slaves:{}\r\n", r.good_replicas);
    }
    let now = srv.now_ms;
    for (i, &token) in r.replicas.iter().enumerate() {
        let Some(c) = srv.clients.all(Some(cur)).find(|c| c.token == token) else {
            continue;
        };
        let Some(st) = c.repl.as_deref() else {
            continue;
        };
        let state = match st.state {
            Some(SyncState::WaitBgsave) => "wait_bgsave",
            Some(SyncState::SendBulk) => "send_bulk",
            _ => "online",
        };
        let ip = st.announced_ip.clone().unwrap_or_else(|| peer_ip(&c.addr));
        let _ = write!(
            o,
            "slave{i}:ip={ip},port={},state={state},offset={},lag={}\r\n",
            st.listening_port,
            st.ack_off,
            (now / 1000 - st.ack_time_ms / 1000).max(0)
        );
    }
    let size = srv.config.repl_backlog_size;
    let (first, histlen) = match &r.backlog {
        Some(b) => (b.offset(), b.histlen()),
        None => (0, 0),
    };
    let _ = write!(
        o,
        "master_failover_state:no-failover\r\n\
         master_replid:{}\r\n\
         master_replid2:{}\r\n\
         master_repl_offset:{}\r\n\
         second_repl_offset:{}\r\n\
         repl_backlog_active:{}\r\n\
         repl_backlog_size:{size}\r\n\
         repl_backlog_first_byte_offset:{first}\r\n\
         repl_backlog_histlen:{histlen}\r\n",
        srv.master_replid,
        srv.master_replid2,
        r.master_repl_offset,
        srv.second_replid_offset,
        r.backlog.is_some() as u8,
    );
}

/// ROLE of a master: its offset and its online replicas as [ip, port, acked
/// offset] (Redis's roleCommand).
pub fn role_reply(srv: &Server, c: &mut Client) {
    let cur: &Client = c;
    let online: Vec<(String, u16, u64)> = srv
        .repl
        .replicas
        .iter()
        .filter_map(|&t| srv.clients.all(Some(cur)).find(|x| x.token == t))
        .filter_map(|x| {
            let r = x.repl.as_deref()?;
            (r.state == Some(SyncState::Online)).then(|| {
                let ip = r.announced_ip.clone().unwrap_or_else(|| peer_ip(&x.addr));
                (ip, r.listening_port, r.ack_off)
            })
        })
        .collect();
    c.add_array_len(3);
    c.add_bulk(b"master");
    c.add_int(srv.repl.master_repl_offset as i64);
    c.add_array_len(online.len());
    for (ip, port, off) in online {
        c.add_array_len(3);
        c.add_bulk(ip.as_bytes());
        c.add_bulk(port.to_string().as_bytes());
        c.add_bulk(off.to_string().as_bytes());
    }
}
