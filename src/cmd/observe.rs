//! Observing the server: SLOWLOG, LATENCY, MONITOR and LOLWUT (Redis's
//! slowlog.c, latency.c, the monitor half of replication.c, lolwut.c), plus the
//! hook [`after_call`] that `call()` runs after every executed command to feed
//! the slow log, the latency monitor and histograms, and the MONITOR clients.
//!
//! A MONITOR client is registered on the server as (token, client id). Feeding
//! appends the line to each monitor's reply buffer and queues it for
//! `before_sleep`; a pair whose client is gone (freed, token reused by another
//! client, or no longer flagged MONITOR) is dropped at that point.

mod lolwut;

use bytes::Bytes;

use super::{cmd, container_command, flags as f, Command};
use crate::client::{flags as cflags, Client};
use crate::error::c_str;
use crate::latency::{self, Latency};
use crate::server::Server;

pub use lolwut::lolwut_command;

const ADMIN: u64 = f::ADMIN | f::LOADING | f::STALE;
const LAT_ADMIN: u64 = f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        subcommands: SLOWLOG_SUBCOMMANDS,
        ..cmd("slowlog", container_command, -2, 0, 0, (0, 0, 0), "server", "2.2.12",
            "A container for slow log commands", "Depends on subcommand.")
    },
    Command {
        subcommands: LATENCY_SUBCOMMANDS,
        ..cmd("latency", container_command, -2, 0, 0, (0, 0, 0), "server", "2.8.13",
            "A container for latency diagnostics commands", "Depends on subcommand.")
    },
    cmd("monitor", monitor_command, 1, f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE, 0, (0, 0, 0),
        "server", "1.0.0", "Listen for all requests received by the server in real time", ""),
    cmd("lolwut", lolwut_command, -1, f::READONLY | f::FAST, 0, (0, 0, 0), "server", "5.0.0",
        "Display some computer art and the Redis version", ""),
];

#[rustfmt::skip]
const SLOWLOG_SUBCOMMANDS: &[Command] = &[
    cmd("get", slowlog_get_command, -2, ADMIN, 0, (0, 0, 0), "server", "2.2.12",
        "Get the slow log's entries", "O(N) where N is the number of entries returned"),
    cmd("len", slowlog_len_command, 2, ADMIN, 0, (0, 0, 0), "server", "2.2.12",
        "Get the slow log's length", "O(1)"),
    cmd("help", slowlog_help_command, 2, f::LOADING | f::STALE, 0, (0, 0, 0), "server", "6.2.0",
        "Show helpful text about the different subcommands", "O(1)"),
    cmd("reset", slowlog_reset_command, 2, ADMIN, 0, (0, 0, 0), "server", "2.2.12",
        "Clear all entries from the slow log", "O(N) where N is the number of entries in the slowlog"),
];

#[rustfmt::skip]
const LATENCY_SUBCOMMANDS: &[Command] = &[
    cmd("histogram", latency_histogram_command, -2, LAT_ADMIN, 0, (0, 0, 0), "server", "7.0.0",
        "Return the cumulative distribution of latencies of a subset of commands or all.",
        "O(N) where N is the number of commands with latency information being retrieved."),
    cmd("help", latency_help_command, 2, f::LOADING | f::STALE, 0, (0, 0, 0), "server", "2.8.13",
        "Show helpful text about the different subcommands.", "O(1)"),
    cmd("latest", latency_latest_command, 2, LAT_ADMIN, 0, (0, 0, 0), "server", "2.8.13",
        "Return the latest latency samples for all events.", "O(1)"),
    cmd("doctor", latency_doctor_command, 2, LAT_ADMIN, 0, (0, 0, 0), "server", "2.8.13",
        "Return a human readable latency analysis report.", "O(1)"),
    cmd("history", latency_history_command, 3, LAT_ADMIN, 0, (0, 0, 0), "server", "2.8.13",
        "Return timestamp-latency samples for the event.", "O(1)"),
    cmd("reset", latency_reset_command, -2, LAT_ADMIN, 0, (0, 0, 0), "server", "2.8.13",
        "Reset latency data for one or more events.", "O(1)"),
    cmd("graph", latency_graph_command, 3, LAT_ADMIN, 0, (0, 0, 0), "server", "2.8.13",
        "Return a latency graph for the event.", "O(1)"),
];

/// Unix time now, in seconds and microseconds.
fn wall_time() -> (i64, u32) {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (d.as_secs() as i64, d.subsec_micros())
}

/// Redis's addReplySubcommandSyntaxError (the subcommand echoed as sent).
pub(crate) fn subcommand_syntax_error(c: &mut Client) {
    let msg = [
        &b"ERR unknown subcommand or wrong number of arguments for '"[..],
        c_str(&c.argv[1], 128),
        b"'. Try ",
        &c_str(&c.argv[0], usize::MAX).to_ascii_uppercase(),
        b" HELP.",
    ]
    .concat();
    c.add_error_bytes(&msg);
}

// ---------------------------------------------------------------------------------
// The call() hook
// ---------------------------------------------------------------------------------

/// Runs after every executed command `id` that took `usec` µs: latency event and
/// histogram and slow log for completed commands (a blocked one is accounted when
/// it is re-run and served), then the MONITOR feed (not for re-runs of blocked
/// commands, and never for admin or `skip_monitor` commands), as Redis's call().
pub fn after_call(srv: &mut Server, c: &mut Client, id: usize, usec: u64) {
    let flags = srv.commands.list[id].cmd.flags;
    if c.blocked.is_none() {
        let threshold = srv.config.latency_monitor_threshold;
        if threshold > 0 && usec / 1000 >= threshold {
            let event = if flags & f::FAST != 0 {
                "fast-command"
            } else {
                "command"
            };
            srv.latency.add_sample(event, usec / 1000, wall_time().0);
        }
        let slower = srv.config.slowlog_log_slower_than;
        let max_len = srv.config.slowlog_max_len;
        if flags & f::SKIP_SLOWLOG == 0
            && slower >= 0
            && (usec >= slower as u64 || srv.slowlog.len() as u64 > max_len)
        {
            let redacted = redact(srv.commands.list[id].fullname, &c.argv);
            let argv = redacted.as_deref().unwrap_or(&c.argv);
            srv.slowlog.push_if_needed(
                slower,
                max_len,
                argv,
                usec,
                wall_time().0,
                &c.addr,
                c.name.as_ref(),
            );
        }
    }
    if !srv.monitors.is_empty()
        && !c.has(cflags::RERUN)
        && flags & (f::SKIP_MONITOR | f::ADMIN) == 0
    {
        let redacted = redact(srv.commands.list[id].fullname, &c.argv);
        let argv = redacted.unwrap_or_else(|| c.argv.clone());
        feed_monitors(srv, c, &argv);
    }
}

/// The arguments with secrets replaced by `(redacted)`, as AUTH, HELLO ... AUTH,
/// MIGRATE ... AUTH/AUTH2 and CONFIG SET of a sensitive directive (`requirepass`,
/// `masterauth`, `masteruser`, the TLS key passwords) redact theirs in Redis;
/// None when nothing changes.
fn redact(fullname: &str, argv: &[Bytes]) -> Option<Vec<Bytes>> {
    let hidden = Bytes::from_static(b"(redacted)");
    let mut v = argv.to_vec();
    let mut changed = false;
    let mut hide = |v: &mut Vec<Bytes>, i: usize| {
        if i < v.len() {
            v[i] = hidden.clone();
            changed = true;
        }
    };
    match fullname {
        "auth" if argv.len() <= 3 => {
            for i in 1..argv.len() {
                hide(&mut v, i);
            }
        }
        "hello" => {
            let mut j = 2;
            while j < argv.len() {
                let more = argv.len() - 1 - j;
                if argv[j].eq_ignore_ascii_case(b"auth") && more >= 2 {
                    hide(&mut v, j + 1);
                    hide(&mut v, j + 2);
                    j += 3;
                } else if argv[j].eq_ignore_ascii_case(b"setname") && more >= 1 {
                    j += 2;
                } else {
                    break;
                }
            }
        }
        "migrate" => {
            let mut j = 6;
            while j < argv.len() {
                if argv[j].eq_ignore_ascii_case(b"auth") {
                    hide(&mut v, j + 1);
                    j += 2;
                } else if argv[j].eq_ignore_ascii_case(b"auth2") {
                    hide(&mut v, j + 1);
                    hide(&mut v, j + 2);
                    j += 3;
                } else if argv[j].eq_ignore_ascii_case(b"keys") {
                    break;
                } else {
                    j += 1;
                }
            }
        }
        "config|set" => {
            // Every pair, also after an invalid one (Redis redacts before it
            // validates, so that no error path leaks a value).
            let mut j = 2;
            while j + 1 < argv.len() {
                if crate::config::table::is_sensitive(&argv[j]) {
                    hide(&mut v, j + 1);
                }
                j += 2;
            }
        }
        _ => {}
    }
    changed.then_some(v)
}

// ---------------------------------------------------------------------------------
// MONITOR
// ---------------------------------------------------------------------------------

/// Appends `s` quoted with Redis's sdscatrepr escaping: `\"` `\\` `\n` `\r` `\t`
/// `\a` `\b`, printable ASCII as is, anything else as `\xHH`.
pub fn repr(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &b in s {
        match b {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

/// One MONITOR line: `+<sec>.<usec> [<db> <addr>] "arg" ...\r\n`.
pub fn monitor_line(db: usize, addr: &str, argv: &[Bytes], (sec, usec): (i64, u32)) -> Vec<u8> {
    let mut out = format!("+{sec}.{usec:06} [{db} {addr}] ").into_bytes();
    for (j, a) in argv.iter().enumerate() {
        if j > 0 {
            out.push(b' ');
        }
        repr(&mut out, a);
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// Sends the command `c` just ran to every MONITOR client (including `c` itself
/// when it is one).
pub fn feed_monitors(srv: &mut Server, c: &mut Client, argv: &[Bytes]) {
    let addr = if c.conn.is_unix() {
        format!(
            "unix:{}",
            srv.config.unixsocket.as_deref().unwrap_or_default()
        )
    } else {
        c.addr.clone()
    };
    let line = monitor_line(c.db, &addr, argv, wall_time());
    let mut keep = Vec::with_capacity(srv.monitors.len());
    for (token, id) in std::mem::take(&mut srv.monitors) {
        if token == c.token {
            if id == c.id && c.has(cflags::MONITOR) {
                c.add_raw(&line);
                keep.push((token, id));
            }
            continue;
        }
        match srv.clients.get_mut(token) {
            None => {}
            // Taken out of the slab while it runs something else: skip this line.
            Some(None) => keep.push((token, id)),
            Some(Some(m)) => {
                if m.id != id || !m.has(cflags::MONITOR) {
                    continue;
                }
                keep.push((token, id));
                if m.has(cflags::CLOSE_ASAP) {
                    continue;
                }
                m.add_raw(&line);
                if m.pending_out() > 0 && !m.has(cflags::PENDING_WRITE) {
                    m.flags |= cflags::PENDING_WRITE;
                    srv.pending_writes.push(token);
                }
            }
        }
    }
    srv.monitors = keep;
}

/// MONITOR
pub fn monitor_command(srv: &mut Server, c: &mut Client) {
    if c.has(cflags::DENY_BLOCKING) {
        c.add_error("ERR MONITOR isn't allowed for DENY BLOCKING client");
        return;
    }
    if c.has(cflags::MONITOR) {
        return;
    }
    c.flags |= cflags::MONITOR;
    srv.monitors.push((c.token, c.id));
    c.add_ok();
}

// ---------------------------------------------------------------------------------
// SLOWLOG
// ---------------------------------------------------------------------------------

/// SLOWLOG GET [count]
pub fn slowlog_get_command(srv: &mut Server, c: &mut Client) {
    if c.argv.len() > 3 {
        return subcommand_syntax_error(c);
    }
    let mut count = 10usize;
    if c.argv.len() == 3 {
        match crate::util::number::parse_i64(&c.argv[2]) {
            Some(-1) => count = srv.slowlog.len(),
            Some(n) if n >= 0 => count = n as usize,
            _ => {
                c.add_error("ERR count should be greater than or equal to -1");
                return;
            }
        }
    }
    let entries: Vec<_> = srv.slowlog.iter().take(count).cloned().collect();
    c.add_array_len(entries.len());
    for e in entries {
        c.add_array_len(6);
        c.add_int(e.id as i64);
        c.add_int(e.time);
        c.add_int(e.duration as i64);
        c.add_array_len(e.argv.len());
        for a in &e.argv {
            c.add_bulk(a);
        }
        c.add_bulk(e.peer.as_bytes());
        c.add_bulk(&e.cname);
    }
}

/// SLOWLOG LEN
pub fn slowlog_len_command(srv: &mut Server, c: &mut Client) {
    c.add_int(srv.slowlog.len() as i64);
}

/// SLOWLOG RESET
pub fn slowlog_reset_command(srv: &mut Server, c: &mut Client) {
    srv.slowlog.reset();
    c.add_ok();
}

/// SLOWLOG HELP
pub fn slowlog_help_command(_: &mut Server, c: &mut Client) {
    c.add_help(
        "SLOWLOG",
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    );
}

// ---------------------------------------------------------------------------------
// LATENCY
// ---------------------------------------------------------------------------------

/// LATENCY LATEST
pub fn latency_latest_command(srv: &mut Server, c: &mut Client) {
    let rows: Vec<(String, latency::Sample, u64)> = srv
        .latency
        .events()
        .map(|(e, ts)| (e.to_string(), ts.last(), ts.max))
        .collect();
    c.add_array_len(rows.len());
    for (event, last, max) in rows {
        c.add_array_len(4);
        c.add_bulk(event.as_bytes());
        c.add_int(last.time);
        c.add_int(last.latency as i64);
        c.add_int(max as i64);
    }
}

/// LATENCY HISTORY event
pub fn latency_history_command(srv: &mut Server, c: &mut Client) {
    let samples: Vec<latency::Sample> = match srv.latency.get(&c.argv[2]) {
        Some((_, ts)) => ts.samples().collect(),
        None => Vec::new(),
    };
    c.add_array_len(samples.len());
    for s in samples {
        c.add_array_len(2);
        c.add_int(s.time);
        c.add_int(s.latency as i64);
    }
}

/// LATENCY GRAPH event
pub fn latency_graph_command(srv: &mut Server, c: &mut Client) {
    let now = wall_time().0;
    match srv.latency.get(&c.argv[2]) {
        Some((event, ts)) => {
            let g = Latency::graph(event, ts, now);
            c.add_verbatim(g.as_bytes(), "txt");
        }
        None => {
            let msg = [
                &b"ERR No samples available for event '"[..],
                c_str(&c.argv[2], usize::MAX),
                b"'",
            ]
            .concat();
            c.add_error_bytes(&msg);
        }
    }
}

/// LATENCY DOCTOR
pub fn latency_doctor_command(srv: &mut Server, c: &mut Client) {
    let cfg = latency::DoctorConfig {
        threshold_ms: srv.config.latency_monitor_threshold,
        slowlog_log_slower_than: srv.config.slowlog_log_slower_than,
    };
    let report = latency::doctor(&srv.latency, &cfg, wall_time().0);
    c.add_verbatim(report.as_bytes(), "txt");
}

/// LATENCY RESET [event ...]
pub fn latency_reset_command(srv: &mut Server, c: &mut Client) {
    let n = if c.argv.len() == 2 {
        srv.latency.reset(None)
    } else {
        c.argv[2..].iter().map(|e| srv.latency.reset(Some(e))).sum()
    };
    c.add_int(n as i64);
}

/// Resolves `name` or `container|sub` to a command id (Redis's
/// lookupCommandBySds).
fn lookup_by_fullname(srv: &Server, name: &[u8]) -> Option<usize> {
    let parts: Vec<&[u8]> = name.split(|&b| b == b'|').collect();
    let id = srv.commands.find(parts[0])?;
    match parts.len() {
        1 => Some(id),
        2 => srv.commands.list[id]
            .subcommand_ids()
            .into_iter()
            .find(|&s| {
                srv.commands.list[s]
                    .cmd
                    .name
                    .as_bytes()
                    .eq_ignore_ascii_case(parts[1])
            }),
        _ => None,
    }
}

/// True when command `id` has recorded calls (INFO latencystats histogram).
fn has_histogram(srv: &Server, id: usize) -> bool {
    matches!(srv.stats.latency.get(id), Some(Some(h)) if h.total() > 0)
}

/// LATENCY HISTOGRAM [command ...]
pub fn latency_histogram_command(srv: &mut Server, c: &mut Client) {
    let mut ids: Vec<usize> = Vec::new();
    if c.argv.len() == 2 {
        ids.extend((0..srv.commands.list.len()).filter(|&i| has_histogram(srv, i)));
    } else {
        for a in &c.argv[2..] {
            let Some(id) = lookup_by_fullname(srv, a) else {
                continue;
            };
            if has_histogram(srv, id) {
                ids.push(id);
            }
            for s in srv.commands.list[id].subcommand_ids() {
                if has_histogram(srv, s) {
                    ids.push(s);
                }
            }
        }
    }
    c.add_map_len(ids.len());
    for id in ids {
        let Some(Some(h)) = srv.stats.latency.get(id) else {
            continue;
        };
        c.add_bulk(srv.commands.list[id].fullname.as_bytes());
        c.add_map_len(2);
        c.add_bulk(b"calls");
        c.add_int(h.total() as i64);
        c.add_bulk(b"histogram_usec");
        let cdf = crate::latency::histogram_cdf(h);
        c.add_map_len(cdf.len());
        for (us, n) in cdf {
            c.add_int(us as i64);
            c.add_int(n as i64);
        }
    }
}

/// LATENCY HELP
pub fn latency_help_command(_: &mut Server, c: &mut Client) {
    c.add_help(
        "LATENCY",
        &[
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
            "    If no commands are specified then all histograms are replied.",
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_escapes_like_sdscatrepr() {
        let mut out = Vec::new();
        repr(&mut out, b"a b\"\\\n\r\t\x07\x08\x00\xff~");
        assert_eq!(out, b"\"a b\\\"\\\\\\n\\r\\t\\a\\b\\x00\\xff~\"".to_vec());
    }

    #[test]
    fn monitor_line_format() {
        let argv = vec![Bytes::from_static(b"set"), Bytes::from_static(b"k")];
        let l = monitor_line(3, "127.0.0.1:5555", &argv, (1700000000, 123));
        assert_eq!(
            l,
            b"+1700000000.000123 [3 127.0.0.1:5555] \"set\" \"k\"\r\n"
        );
    }

    #[test]
    fn redaction() {
        let a =
            |v: &[&str]| -> Vec<Bytes> { v.iter().map(|s| Bytes::from(s.to_string())).collect() };
        assert_eq!(
            redact("auth", &a(&["auth", "u", "p"])).unwrap(),
            a(&["auth", "(redacted)", "(redacted)"])
        );
        assert!(redact("auth", &a(&["auth", "a", "b", "c"])).is_none());
        assert_eq!(
            redact(
                "hello",
                &a(&["hello", "3", "setname", "n", "auth", "u", "p"])
            )
            .unwrap(),
            a(&[
                "hello",
                "3",
                "setname",
                "n",
                "auth",
                "(redacted)",
                "(redacted)"
            ])
        );
        assert!(redact("get", &a(&["get", "k"])).is_none());
        assert_eq!(
            redact(
                "config|set",
                &a(&[
                    "config",
                    "set",
                    "maxmemory",
                    "1",
                    "MASTERAUTH",
                    "x",
                    "nosuch",
                    "y",
                    "requirepass",
                    "z"
                ])
            )
            .unwrap(),
            a(&[
                "config",
                "set",
                "maxmemory",
                "1",
                "MASTERAUTH",
                "(redacted)",
                "nosuch",
                "y",
                "requirepass",
                "(redacted)"
            ])
        );
        assert!(redact("config|set", &a(&["config", "set", "maxmemory", "1"])).is_none());
    }
}
