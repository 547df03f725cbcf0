//! INFO: the sections and field names of Redis 7.0's INFO, in Redis's order,
//! generated from the server's state.
//!
//! - `info/memory.rs`: memory accounting (allocator, RSS), `# Memory`, and the
//!   breakdown MEMORY STATS / DOCTOR share;
//! - `info/stats.rs`: persistence, stats, replication, cpu, commandstats,
//!   errorstats, latencystats, cluster;
//! - `info/keyspace.rs`: `# Keyspace` and its avg_ttl estimate;
//! - `info/latency.rs`: the per-command latency histogram.

pub mod keyspace;
pub mod latency;
pub mod memory;
pub mod stats;

use std::fmt::Write;

use crate::client::Client;
use crate::server::Server;
use crate::util::{OXIDIS_VERSION, REDIS_VERSION};

/// Every section, in the order Redis prints them.
const ALL_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "commandstats",
    "errorstats",
    "latencystats",
    "cluster",
    "keyspace",
];

/// Sections printed by `INFO` / `INFO default`.
const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "errorstats",
    "cluster",
    "keyspace",
];

/// Builds the INFO text for the requested section names (lower-case): none
/// means `default`; `all` and `everything` mean every section (oxidis has no
/// module sections, which is all that tells them apart); unknown names are
/// ignored, so only unknown names give an empty reply.
pub fn gen_info(srv: &Server, c: &Client, requested: &[String]) -> String {
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
            "clients" => clients_section(srv, c, &mut out),
            "memory" => memory::memory_section(srv, Some(c), &mut out),
            "persistence" => stats::persistence_section(srv, &mut out),
            "stats" => stats::stats_section(srv, &mut out),
            "replication" => stats::replication_section(srv, c, &mut out),
            "cpu" => stats::cpu_section(&mut out),
            "modules" => out.push_str("# Modules\r\n"),
            "commandstats" => stats::commandstats_section(srv, &mut out),
            "errorstats" => stats::errorstats_section(srv, &mut out),
            "latencystats" => stats::latencystats_section(srv, &mut out),
            "cluster" => stats::cluster_section(&mut out),
            "keyspace" => keyspace::keyspace_section(srv, &mut out),
            _ => {}
        }
    }
    out
}

/// INFO's periodic work, from `Server::cron`: the memory peak and the
/// avg_ttl samples.
pub fn cron(srv: &mut Server) {
    let used = memory::used_memory();
    let now = srv.now_ms;
    srv.mem.track(used, now);
    keyspace::sample(srv);
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
        srv.config.port,
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

fn clients_section(srv: &Server, cur: &Client, o: &mut String) {
    let (mut max_in, mut max_out) = (0usize, 0usize);
    for c in srv.clients.all(Some(cur)) {
        max_in = max_in.max(c.querybuf.capacity());
        max_out = max_out.max(c.pending_out());
    }
    let _ = write!(
        o,
        "# Clients\r\n\
         connected_clients:{}\r\n\
         cluster_connections:0\r\n\
         maxclients:{}\r\n\
         client_recent_max_input_buffer:{max_in}\r\n\
         client_recent_max_output_buffer:{max_out}\r\n\
         blocked_clients:{}\r\n\
         tracking_clients:{}\r\n\
         clients_in_timeout_table:{}\r\n",
        srv.connected_clients(),
        srv.config.maxclients,
        srv.blocking.count,
        srv.tracking.tracking_clients(),
        srv.blocking.timeouts.len(),
    );
}
