//! LATENCY (Redis's latency.c): the latency monitor's events and the
//! per-command latency histograms that [`super::observe::after_call`] records
//! (the data is `crate::latency`).

use super::observe::wall_time;
use super::{container_command, flags as f, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::error::c_str;
use crate::latency::{self, Latency};
use crate::server::Server;

const LAT_ADMIN: u64 = f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "latency", handler: container_command, arity: -2, flags: 0, acl: 0,
        group: "server", since: "2.8.13", summary: "A container for latency diagnostics commands",
        complexity: "Depends on subcommand.",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[],
        subcommands: LATENCY_SUBCOMMANDS,
    },

];

#[rustfmt::skip]
const LATENCY_SUBCOMMANDS: &[Command] = &[
    Command {
        name: "histogram", handler: latency_histogram_command, arity: -2, flags: LAT_ADMIN, acl: 0,
        group: "server", since: "7.0.0", summary: "Return the cumulative distribution of latencies of a subset of commands or all.",
        complexity: "O(N) where N is the number of commands with latency information being retrieved.",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("command", Str).opt().multi()], subcommands: &[],
    },
    Command {
        name: "help", handler: latency_help_command, arity: 2, flags: f::LOADING | f::STALE, acl: 0,
        group: "server", since: "2.8.13", summary: "Show helpful text about the different subcommands.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "latest", handler: latency_latest_command, arity: 2, flags: LAT_ADMIN, acl: 0,
        group: "server", since: "2.8.13", summary: "Return the latest latency samples for all events.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "doctor", handler: latency_doctor_command, arity: 2, flags: LAT_ADMIN, acl: 0,
        group: "server", since: "2.8.13", summary: "Return a human readable latency analysis report.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "history", handler: latency_history_command, arity: 3, flags: LAT_ADMIN, acl: 0,
        group: "server", since: "2.8.13", summary: "Return timestamp-latency samples for the event.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("event", Str)], subcommands: &[],
    },
    Command {
        name: "reset", handler: latency_reset_command, arity: -2, flags: LAT_ADMIN, acl: 0,
        group: "server", since: "2.8.13", summary: "Reset latency data for one or more events.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("event", Str).opt().multi()], subcommands: &[],
    },
    Command {
        name: "graph", handler: latency_graph_command, arity: 3, flags: LAT_ADMIN, acl: 0,
        group: "server", since: "2.8.13", summary: "Return a latency graph for the event.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("event", Str)], subcommands: &[],
    },

];

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
