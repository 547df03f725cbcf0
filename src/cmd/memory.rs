//! MEMORY: USAGE, STATS, DOCTOR, MALLOC-STATS, PURGE, HELP (Redis's
//! `memoryCommand` in object.c). The numbers come from `info/memory.rs`.

use super::{container_command, flags as f, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::db::hash::{dict, Hash};
use crate::db::set::Set;
use crate::db::{Object, ValueRef};
use crate::error;
use crate::info::memory;
use crate::server::Server;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "memory", handler: container_command, arity: -2, flags: 0, acl: 0,
        group: "server", since: "4.0.0", summary: "A container for memory diagnostics commands",
        complexity: "Depends on subcommand.",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[],
        subcommands: MEMORY_SUBCOMMANDS,
    },

];

#[rustfmt::skip]
const MEMORY_SUBCOMMANDS: &[Command] = &[
    Command {
        name: "doctor", handler: memory_doctor_command, arity: 2, flags: 0, acl: 0,
        group: "server", since: "4.0.0", summary: "Outputs memory problems report",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "help", handler: memory_help_command, arity: 2, flags: f::LOADING | f::STALE, acl: 0,
        group: "server", since: "4.0.0", summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "malloc-stats", handler: memory_malloc_stats_command, arity: 2, flags: 0, acl: 0,
        group: "server", since: "4.0.0", summary: "Show allocator internal stats",
        complexity: "Depends on how much memory is allocated, could be slow",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "purge", handler: memory_purge_command, arity: 2, flags: 0, acl: 0,
        group: "server", since: "4.0.0", summary: "Ask the allocator to release memory",
        complexity: "Depends on how much memory is allocated, could be slow",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "stats", handler: memory_stats_command, arity: 2, flags: 0, acl: 0,
        group: "server", since: "4.0.0", summary: "Show memory usage details",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "usage", handler: memory_usage_command, arity: -3, flags: f::READONLY, acl: 0,
        group: "server", since: "4.0.0", summary: "Estimate the memory usage of a key",
        complexity: "O(N) where N is the number of samples.",
        key_specs: &[ks(RO, idx(2), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0), a("count", Int).token("SAMPLES").opt()], subcommands: &[],
    },

];

/// Nested values MEMORY USAGE samples by default (Redis's
/// OBJ_COMPUTE_SIZE_DEF_SAMPLES).
const DEFAULT_SAMPLES: i64 = 5;

/// Bytes an aggregate holds beyond the entry it sits in. A hash table's
/// elements are sampled (`samples` of them, extrapolated to all, as Redis's
/// objectComputeSize); the other encodings are counted exactly, as that is
/// cheap: a compact value is one buffer, a quicklist a chain of a few
/// hundred elements per node.
fn object_usage(o: &Object, samples: usize) -> usize {
    match o {
        Object::Hash(Hash::Table(d)) => dict::arc_size::<true>() + d.mem_usage_sampled(samples),
        Object::Set(Set::Table(d)) => dict::arc_size::<false>() + d.mem_usage_sampled(samples),
        Object::Hash(h) => h.mem_usage(),
        Object::Set(s) => s.mem_usage(),
        Object::List(l) => l.mem_usage(),
        Object::Zset(z) => z.mem_usage(),
        Object::Stream(st) => st.mem_usage(samples),
    }
}

/// MEMORY USAGE key [SAMPLES count]
///
/// What the key holds as the allocator sees it: the entry's allocation
/// (key, value header, inline value), an out-of-line string, an aggregate's
/// allocations, and the key's share of the table's slots. (Redis counts its
/// dictEntry and robj; the slot share is oxidis's equivalent.)
pub fn memory_usage_command(srv: &mut Server, c: &mut Client) {
    let mut samples = DEFAULT_SAMPLES;
    let mut j = 3;
    while j < c.argv.len() {
        if c.argv[j].eq_ignore_ascii_case(b"samples") && j + 1 < c.argv.len() {
            match super::arg_i64(c, j + 1) {
                Ok(n) if n < 0 => return c.add_error(error::SYNTAX),
                Ok(n) => samples = if n == 0 { i64::MAX } else { n },
                Err(e) => return super::reply_err(c, e),
            }
            j += 2;
        } else {
            return c.add_error(error::SYNTAX);
        }
    }
    // Like Redis, a plain table lookup: no expiry check, no keyspace stats.
    let t = srv.dbs[c.db].table();
    let Some(p) = t.find(&c.argv[2]) else {
        return c.add_null();
    };
    let e = t.get(p);
    let mut usage = e.mem_usage() + t.slot_share(p);
    if let ValueRef::Obj(o) = e.value() {
        usage += object_usage(o, samples as usize);
    }
    c.add_int(usage as i64);
}

/// MEMORY STATS
pub fn memory_stats_command(srv: &mut Server, c: &mut Client) {
    let m = memory::overhead(srv, Some(c));
    // Redis keeps the ratios as C floats.
    let f = |v: f64| v as f32 as f64;
    c.add_map_len(27 + m.dbs.len());
    let ints: [(&str, u64); 10] = [
        ("peak.allocated", m.peak_allocated),
        ("total.allocated", m.total_allocated),
        ("startup.allocated", m.startup_allocated),
        ("replication.backlog", m.repl_backlog),
        ("clients.slaves", m.clients_slaves),
        ("clients.normal", m.clients_normal),
        ("cluster.links", m.cluster_links),
        ("aof.buffer", m.aof_buffer),
        ("lua.caches", m.lua_caches),
        ("functions.caches", m.functions_caches),
    ];
    for (k, v) in ints {
        c.add_bulk(k.as_bytes());
        c.add_int(v as i64);
    }
    for db in &m.dbs {
        c.add_bulk(format!("db.{}", db.id).as_bytes());
        c.add_map_len(3);
        c.add_bulk(b"overhead.hashtable.main");
        c.add_int(db.main as i64);
        c.add_bulk(b"overhead.hashtable.expires");
        c.add_int(db.expires as i64);
        c.add_bulk(b"overhead.hashtable.slot-to-keys");
        c.add_int(0);
    }
    for (k, v) in [
        ("overhead.total", m.overhead_total),
        ("keys.count", m.total_keys),
        ("keys.bytes-per-key", m.bytes_per_key),
        ("dataset.bytes", m.dataset),
    ] {
        c.add_bulk(k.as_bytes());
        c.add_int(v as i64);
    }
    c.add_bulk(b"dataset.percentage");
    c.add_double(f(m.dataset_perc));
    c.add_bulk(b"peak.percentage");
    c.add_double(f(m.peak_perc));
    for (k, v) in [
        ("allocator.allocated", m.allocator_allocated),
        ("allocator.active", m.allocator_active),
        ("allocator.resident", m.allocator_resident),
    ] {
        c.add_bulk(k.as_bytes());
        c.add_int(v as i64);
    }
    for (k, ratio, bytes) in [
        (
            "allocator-fragmentation",
            m.allocator_frag,
            m.allocator_frag_bytes,
        ),
        ("allocator-rss", m.allocator_rss, m.allocator_rss_bytes),
        ("rss-overhead", m.rss_extra, m.rss_extra_bytes),
    ] {
        c.add_bulk(format!("{k}.ratio").as_bytes());
        c.add_double(f(ratio));
        c.add_bulk(format!("{k}.bytes").as_bytes());
        c.add_int(bytes);
    }
    c.add_bulk(b"fragmentation");
    c.add_double(f(m.total_frag));
    c.add_bulk(b"fragmentation.bytes");
    c.add_int(m.total_frag_bytes);
}

/// MEMORY DOCTOR
pub fn memory_doctor_command(srv: &mut Server, c: &mut Client) {
    let report = memory::doctor_report(srv, Some(c));
    c.add_verbatim(report.as_bytes(), "txt");
}

/// MEMORY MALLOC-STATS: jemalloc's statistics report, as Redis built with it.
pub fn memory_malloc_stats_command(_: &mut Server, c: &mut Client) {
    c.add_verbatim(crate::alloc::stats_report().as_bytes(), "txt");
}

/// MEMORY PURGE: gives free heap memory back to the system.
pub fn memory_purge_command(_: &mut Server, c: &mut Client) {
    crate::alloc::purge();
    c.add_ok();
}

/// MEMORY HELP
pub fn memory_help_command(_: &mut Server, c: &mut Client) {
    c.add_help(
        "MEMORY",
        &[
            "DOCTOR",
            "    Return memory problems reports.",
            "MALLOC-STATS",
            "    Return internal statistics report from the memory allocator.",
            "PURGE",
            "    Attempt to purge dirty pages for reclamation by the allocator.",
            "STATS",
            "    Return information about the memory usage of the server.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return memory in bytes used by <key> and its value. Nested values are",
            "    sampled up to <count> times (default: 5, 0 means sample all).",
        ],
    );
}
