//! INFO: the sections and field names of Redis 7.0's INFO, generated from the
//! server's state.

use std::fmt::Write;

use crate::client::Client;
use crate::server::{Server, OXIDIS_VERSION, REDIS_VERSION};

/// Sections printed by `INFO` / `INFO default`, in Redis's order.
const DEFAULT_SECTIONS: &[&str] = &["server", "clients", "stats", "keyspace"];
const ALL_SECTIONS: &[&str] = &["server", "clients", "stats", "keyspace"];

/// Builds the INFO text for the requested section names (lower-case).
pub fn gen_info(srv: &Server, _c: &Client, requested: &[String]) -> String {
    let mut want: Vec<&str> = Vec::new();
    if requested.is_empty() {
        want.extend_from_slice(DEFAULT_SECTIONS);
    }
    for r in requested {
        match r.as_str() {
            "default" => want.extend_from_slice(DEFAULT_SECTIONS),
            "all" | "everything" => want.extend_from_slice(ALL_SECTIONS),
            s => {
                if let Some(s) = ALL_SECTIONS.iter().find(|x| **x == s) {
                    want.push(s)
                }
            }
        }
    }
    let mut out = String::new();
    for s in ALL_SECTIONS {
        if !want.contains(s) {
            continue;
        }
        if !out.is_empty() {
            out.push_str("\r\n");
        }
        match *s {
            "server" => server_section(srv, &mut out),
            "clients" => clients_section(srv, &mut out),
            "stats" => stats_section(srv, &mut out),
            "keyspace" => keyspace_section(srv, &mut out),
            _ => {}
        }
    }
    out
}

fn uname() -> (String, String, String) {
    // SAFETY: uname fills a zeroed struct of NUL-terminated strings.
    unsafe {
        let mut u: libc::utsname = std::mem::zeroed();
        if libc::uname(&mut u) != 0 {
            return ("Linux".into(), String::new(), String::new());
        }
        let s = |f: &[libc::c_char]| {
            std::ffi::CStr::from_ptr(f.as_ptr())
                .to_string_lossy()
                .into_owned()
        };
        (s(&u.sysname), s(&u.release), s(&u.machine))
    }
}

fn server_section(srv: &Server, o: &mut String) {
    let (sys, rel, mach) = uname();
    let uptime = srv.start_instant.elapsed().as_secs();
    let now_us = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or(0);
    let _ = write!(
        o,
        "# Server\r\n\
         redis_version:{REDIS_VERSION}\r\n\
         oxidis_version:{OXIDIS_VERSION}\r\n\
         redis_git_sha1:00000000\r\n\
         redis_git_dirty:0\r\n\
         redis_build_id:0\r\n\
         redis_mode:standalone\r\n\
         os:{sys} {rel} {mach}\r\n\
         arch_bits:64\r\n\
         monotonic_clock:POSIX clock_gettime\r\n\
         multiplexing_api:epoll\r\n\
         atomicvar_api:c11-builtin\r\n\
         gcc_version:0.0.0\r\n\
         process_id:{}\r\n\
         process_supervised:no\r\n\
         run_id:{}\r\n\
         tcp_port:{}\r\n\
         server_time_usec:{now_us}\r\n\
         uptime_in_seconds:{uptime}\r\n\
         uptime_in_days:{}\r\n\
         hz:{}\r\n\
         configured_hz:{}\r\n\
         lru_clock:{}\r\n\
         executable:{}\r\n\
         config_file:{}\r\n\
         io_threads_active:0\r\n",
        srv.pid,
        srv.run_id,
        srv.tcp_port,
        uptime / 86400,
        srv.config.hz,
        srv.config.hz,
        srv.lru_clock,
        srv.executable,
        srv.config
            .config_file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    );
}

fn clients_section(srv: &Server, o: &mut String) {
    let _ = write!(
        o,
        "# Clients\r\n\
         connected_clients:{}\r\n\
         cluster_connections:0\r\n\
         maxclients:{}\r\n\
         client_recent_max_input_buffer:0\r\n\
         client_recent_max_output_buffer:0\r\n\
         blocked_clients:{}\r\n\
         tracking_clients:0\r\n\
         clients_in_timeout_table:{}\r\n",
        srv.connected_clients(),
        srv.config.maxclients,
        srv.blocking.count,
        srv.blocking.timeouts.len(),
    );
}

fn stats_section(srv: &Server, o: &mut String) {
    let (ops, kin, kout) = srv.stats.instantaneous();
    let hits: u64 = srv.dbs.iter().map(|d| d.stat_hits).sum();
    let misses: u64 = srv.dbs.iter().map(|d| d.stat_misses).sum();
    let _ = write!(
        o,
        "# Stats\r\n\
         total_connections_received:{}\r\n\
         total_commands_processed:{}\r\n\
         instantaneous_ops_per_sec:{ops}\r\n\
         total_net_input_bytes:{}\r\n\
         total_net_output_bytes:{}\r\n\
         instantaneous_input_kbps:{kin:.2}\r\n\
         instantaneous_output_kbps:{kout:.2}\r\n\
         rejected_connections:{}\r\n\
         expired_keys:{}\r\n\
         expired_stale_perc:{:.2}\r\n\
         expire_cycle_cpu_milliseconds:{}\r\n\
         evicted_keys:0\r\n\
         keyspace_hits:{hits}\r\n\
         keyspace_misses:{misses}\r\n\
         pubsub_channels:0\r\n\
         pubsub_patterns:0\r\n\
         total_error_replies:{}\r\n\
         lazyfree_pending_objects:{}\r\n",
        srv.stats.numconnections,
        srv.stats.numcommands,
        srv.stats.net_input_bytes,
        srv.stats.net_output_bytes,
        srv.stats.rejected_conn,
        srv.expired_keys(),
        srv.expired_stale_perc * 100.0,
        srv.stat_expire_cycle_time_used / 1000,
        srv.stats.total_error_replies,
        srv.lazyfree
            .pending
            .load(std::sync::atomic::Ordering::Relaxed),
    );
}

fn keyspace_section(srv: &Server, o: &mut String) {
    o.push_str("# Keyspace\r\n");
    for db in &srv.dbs {
        if !db.is_empty() {
            let _ = write!(
                o,
                "db{}:keys={},expires={},avg_ttl=0\r\n",
                db.id,
                db.len(),
                db.expires_len()
            );
        }
    }
}
