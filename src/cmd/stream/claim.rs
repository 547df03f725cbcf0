//! The pending entries list (PEL) through its commands (Redis's
//! xpendingCommand, xclaimCommand and xautoclaimCommand in t_stream.c):
//! XPENDING (the summary and the extended form), XCLAIM and XAUTOCLAIM.
//!
//! Propagation follows Redis 7.0: XCLAIM and XAUTOCLAIM never propagate
//! themselves; every entry they claim, and every entry they find deleted from
//! the stream (and drop from the PEL), goes out as an idempotent
//!
//! ```text
//! XCLAIM key group consumer 0 id TIME <delivery-ms> RETRYCOUNT <n> FORCE JUSTID LASTID <group-last-id>
//! ```
//!
//! (Redis's streamPropagateXCLAIM), and an XCLAIM whose LASTID moved the group
//! forward without claiming anything sends `XGROUP SETID key group id
//! ENTRIESREAD n` (streamPropagateGroupID). A consumer created by a claim
//! counts one in `srv.dirty` and notifies `xgroup-createconsumer`; the claims
//! themselves signal no key (WATCH and client-side caching see no change).

use bytes::Bytes;

use super::group::add_entry_at;
use super::{
    add_stream_id as add_id, id_arg, lookup_stream, lookup_stream_mut, parse_range_bound,
    parse_strict_id,
};
use crate::client::Client;
use crate::cmd::{acl, flags as f, reply_err, Command};
use crate::command::spec::prelude::*;
use crate::config::notify as ev;
use crate::db::stream::StreamId;
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::number::parse_i64;

const X: u64 = acl::STREAM;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "xautoclaim", handler: xautoclaim_command, arity: -6, flags: f::WRITE | f::FAST, acl: X,
        group: "stream", since: "6.2.0", summary: "Transfers to a consumer the pending messages of its group that were idle long enough, as if they were delivered to it.",
        complexity: "O(1) if COUNT is small.",
        key_specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "The reply has a third element: the deleted entries removed from the PEL."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("group", Str),
            a("consumer", Str),
            a("min-idle-time", Str),
            a("start", Str),
            a("count", Int).token("COUNT").opt(),
            a("justid", Token).token("JUSTID").opt(),
        ],
        subcommands: &[],
    },
    Command {
        name: "xclaim", handler: xclaim_command, arity: -6, flags: f::WRITE | f::FAST, acl: X,
        group: "stream", since: "5.0.0", summary: "Changes (or acquires) the ownership of pending messages of a consumer group, as if they were delivered to the given consumer.",
        complexity: "O(log N) with N being the number of messages in the PEL of the consumer group.",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[],
        args: &[
            a("key", Key).ks(0),
            a("group", Str),
            a("consumer", Str),
            a("min-idle-time", Str),
            a("id", Str).multi(),
            a("ms", Int).token("IDLE").opt(),
            a("unix-time-milliseconds", UnixTime).token("TIME").opt(),
            a("count", Int).token("RETRYCOUNT").opt(),
            a("force", Token).token("FORCE").opt(),
            a("justid", Token).token("JUSTID").opt(),
            a("id", Str).token("LASTID").opt(),
        ],
        subcommands: &[],
    },
    Command {
        name: "xpending", handler: xpending_command, arity: -3, flags: f::READONLY, acl: X,
        group: "stream", since: "5.0.0", summary: "Returns the pending entries list of a consumer group: a summary, or the entries with their owner, idle time and delivery count.",
        complexity: "O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("6.2.0", "New `IDLE` option; range ends may be exclusive."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("group", Str),
            a("filters", Block).opt().sub(&[
                a("min-idle-time", Int).token("IDLE").since("6.2.0").opt(),
                a("start", Str),
                a("end", Str),
                a("count", Int),
                a("consumer", Str).opt(),
            ]),
        ],
        subcommands: &[],
    },
];

/// `NOGROUP No such key '<key>' or consumer group '<group>'`, for argv 1 and 2.
fn nogroup(c: &mut Client) {
    let msg = error::nogroup_key_or_group(&c.argv[1], &c.argv[2]);
    c.add_error_bytes(&msg);
}

/// The propagated form of one claim (streamPropagateXCLAIM).
#[allow(clippy::too_many_arguments)]
fn xclaim_argv(
    key: &Bytes,
    group: &Bytes,
    consumer: &[u8],
    id: Bytes,
    time: i64,
    count: u64,
    last_id: StreamId,
) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XCLAIM"),
        key.clone(),
        group.clone(),
        Bytes::copy_from_slice(consumer),
        Bytes::from_static(b"0"),
        id,
        Bytes::from_static(b"TIME"),
        time.to_string().into(),
        Bytes::from_static(b"RETRYCOUNT"),
        count.to_string().into(),
        Bytes::from_static(b"FORCE"),
        Bytes::from_static(b"JUSTID"),
        Bytes::from_static(b"LASTID"),
        id_arg(last_id),
    ]
}

/// Sends what a claim produced: the consumer's creation event, the
/// propagated commands, and keeps the command's own argv from propagating.
fn finish_claim(srv: &mut Server, c: &mut Client, created: bool, props: Vec<Vec<Bytes>>) {
    if created {
        notify(
            srv,
            c,
            ev::STREAM,
            "xgroup-createconsumer",
            &c.argv[1].clone(),
        );
    }
    for p in props {
        crate::repl::also_propagate(srv, c.db, || p);
    }
    crate::repl::prevent(srv);
}

// ---------------------------------------------------------------------------
// XPENDING
// ---------------------------------------------------------------------------

/// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
fn xpending_command(srv: &mut Server, c: &mut Client) {
    let argc = c.argv.len();
    if argc != 3 && !(6..=9).contains(&argc) {
        return reply_err(c, OpError::Syntax);
    }
    // The range arguments are checked before the key, as in Redis.
    let mut range = None;
    if argc >= 6 {
        let mut at = 3;
        let mut min_idle = 0;
        if c.argv[3].eq_ignore_ascii_case(b"IDLE") {
            match parse_i64(&c.argv[4]) {
                Some(v) => min_idle = v,
                None => return reply_err(c, OpError::NotInteger),
            }
            if argc < 8 {
                return reply_err(c, OpError::Syntax);
            }
            at = 5;
        }
        let count = match parse_i64(&c.argv[at + 2]) {
            Some(v) => v.max(0) as u64,
            None => return reply_err(c, OpError::NotInteger),
        };
        let start = match parse_range_bound(&c.argv[at], true) {
            Ok(id) => id,
            Err(e) => return reply_err(c, e),
        };
        let end = match parse_range_bound(&c.argv[at + 1], false) {
            Ok(id) => id,
            Err(e) => return reply_err(c, e),
        };
        let consumer = c.argv.get(at + 3).cloned();
        range = Some((min_idle, start, end, count, consumer));
    }
    let s = match lookup_stream(&mut srv.dbs[c.db], &c.argv[1]) {
        Err(e) => return reply_err(c, e),
        Ok(s) => s,
    };
    let Some(g) = s.and_then(|s| s.group(&c.argv[2])) else {
        return nogroup(c);
    };
    let Some((min_idle, start, end, count, consumer)) = range else {
        // The summary: how many, the smallest and largest pending IDs, and
        // the consumers that have something pending with their counts.
        c.add_array_len(4);
        c.add_int(g.pel_len() as i64);
        if g.pel_len() == 0 {
            c.add_null();
            c.add_null();
            c.add_null_array();
            return;
        }
        let first = g.pel_range(StreamId::MIN, StreamId::MAX).next();
        let last = g.pel_range(StreamId::MIN, StreamId::MAX).next_back();
        add_id(c, first.map(|(id, _)| id).unwrap_or_default());
        add_id(c, last.map(|(id, _)| id).unwrap_or_default());
        let owners: Vec<(&[u8], usize)> = g
            .consumers()
            .map(|(name, cons)| (name, cons.pel_len()))
            .filter(|&(_, n)| n > 0)
            .collect();
        c.add_array_len(owners.len());
        for (name, n) in owners {
            c.add_array_len(2);
            c.add_bulk(name);
            c.add_bulk_int(n as i64);
        }
        return;
    };
    // The extended form: [id, consumer, idle ms, deliveries] per entry.
    let now = crate::server::wall_ms();
    let mut rows: Vec<(StreamId, Vec<u8>, i64, u64)> = Vec::new();
    let mut visit = |id: StreamId, p: &crate::db::stream::Pending| {
        let idle = now - p.delivery_time;
        if min_idle == 0 || idle >= min_idle {
            rows.push((id, p.consumer().to_vec(), idle.max(0), p.delivery_count));
        }
        (rows.len() as u64) < count
    };
    if count > 0 {
        match &consumer {
            None => {
                for (id, p) in g.pel_range(start, end) {
                    if !visit(id, p) {
                        break;
                    }
                }
            }
            Some(name) => {
                // A consumer that does not exist has nothing pending.
                let Some(cons) = g.consumer(name) else {
                    return c.add_array_len(0);
                };
                for id in cons.pel_range(start, end) {
                    if let Some(p) = g.pending(id) {
                        if !visit(id, p) {
                            break;
                        }
                    }
                }
            }
        }
    }
    c.add_array_len(rows.len());
    for (id, name, idle, deliveries) in rows {
        c.add_array_len(4);
        add_id(c, id);
        c.add_bulk(&name);
        c.add_int(idle);
        c.add_int(deliveries as i64);
    }
}

// ---------------------------------------------------------------------------
// XCLAIM
// ---------------------------------------------------------------------------

/// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms]
/// [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]
fn xclaim_command(srv: &mut Server, c: &mut Client) {
    match lookup_stream(&mut srv.dbs[c.db], &c.argv[1]) {
        Err(e) => return reply_err(c, e),
        Ok(s) => {
            if s.and_then(|s| s.group(&c.argv[2])).is_none() {
                return nogroup(c);
            }
        }
    }
    let min_idle = match parse_i64(&c.argv[4]) {
        Some(v) => v.max(0),
        None => return c.add_error("ERR Invalid min-idle-time argument for XCLAIM"),
    };
    // The IDs come first; the first argument that is not an ID starts the
    // options. All are checked before anything is claimed.
    let mut ids = Vec::new();
    let mut j = 5;
    while j < c.argv.len() {
        match parse_strict_id(&c.argv[j], 0) {
            Ok(id) => ids.push(id),
            Err(_) => break,
        }
        j += 1;
    }
    let id_args = 5..j;
    let now = crate::server::wall_ms();
    let mut delivery_time = None;
    let mut retry_count: Option<i64> = None;
    let mut force = false;
    let mut justid = false;
    let mut last_id = StreamId::MIN;
    while j < c.argv.len() {
        let more = j + 1 < c.argv.len();
        let opt = &c.argv[j];
        if opt.eq_ignore_ascii_case(b"FORCE") {
            force = true;
        } else if opt.eq_ignore_ascii_case(b"JUSTID") {
            justid = true;
        } else if opt.eq_ignore_ascii_case(b"IDLE") && more {
            j += 1;
            match parse_i64(&c.argv[j]) {
                Some(v) => delivery_time = Some(now.wrapping_sub(v)),
                None => return c.add_error("ERR Invalid IDLE option argument for XCLAIM"),
            }
        } else if opt.eq_ignore_ascii_case(b"TIME") && more {
            j += 1;
            match parse_i64(&c.argv[j]) {
                Some(v) => delivery_time = Some(v),
                None => return c.add_error("ERR Invalid TIME option argument for XCLAIM"),
            }
        } else if opt.eq_ignore_ascii_case(b"RETRYCOUNT") && more {
            j += 1;
            match parse_i64(&c.argv[j]) {
                Some(v) => retry_count = Some(v),
                None => return c.add_error("ERR Invalid RETRYCOUNT option argument for XCLAIM"),
            }
        } else if opt.eq_ignore_ascii_case(b"LASTID") && more {
            j += 1;
            match parse_strict_id(&c.argv[j], 0) {
                Ok(id) => last_id = id,
                Err(e) => return reply_err(c, e),
            }
        } else {
            let msg = [
                &b"ERR Unrecognized XCLAIM option '"[..],
                error::c_str(opt, usize::MAX),
                b"'",
            ]
            .concat();
            return c.add_error_bytes(&msg);
        }
        j += 1;
    }
    // A bogus delivery time (negative, in the future) means now: clients
    // compute it from their own clocks.
    let delivery_time = match delivery_time {
        Some(t) if (0..=now).contains(&t) => t,
        _ => now,
    };
    // RETRYCOUNT below zero is as if it were not given.
    let retry_count = retry_count.filter(|&n| n >= 0).map(|n| n as u64);

    let key = c.argv[1].clone();
    let gname = c.argv[2].clone();
    let name = c.argv[3].clone();
    let Ok(Some(s)) = lookup_stream_mut(&mut srv.dbs[c.db], &key) else {
        unreachable!("the stream was found above");
    };
    let exists: Vec<bool> = ids.iter().map(|&id| s.contains(id)).collect();
    let Some(g) = s.group_mut(&gname) else {
        unreachable!("the group was found above");
    };
    let mut propagate_last_id = false;
    if last_id > g.last_id {
        g.last_id = last_id;
        propagate_last_id = true;
    }
    let mut dirty = 0;
    let mut created = false;
    let mut have_consumer = false;
    let mut claimed = Vec::new();
    let mut props = Vec::new();
    for (k, (&id, &exists)) in ids.iter().zip(&exists).enumerate() {
        let arg = c.argv[id_args.start + k].clone();
        let pending = g
            .pending(id)
            .map(|p| (p.consumer().to_vec(), p.delivery_time, p.delivery_count));
        if !exists {
            // The entry is gone from the stream: its pending entry goes too.
            if let Some((owner, time, count)) = pending {
                props.push(xclaim_argv(
                    &key, &gname, &owner, arg, time, count, g.last_id,
                ));
                propagate_last_id = false;
                dirty += 1;
                g.ack(id);
            }
            continue;
        }
        // FORCE creates the pending entry (delivered once, to nobody yet,
        // so that the idle time does not apply).
        let count = match pending {
            Some((_, time, count)) => {
                if min_idle > 0 && now - time < min_idle {
                    continue;
                }
                count
            }
            None if force => 1,
            None => continue,
        };
        if !have_consumer {
            have_consumer = true;
            if g.consumer(&name).is_some() {
                g.touch_consumer(&name, now);
            } else {
                g.create_consumer(&name, now);
                created = true;
                dirty += 1;
            }
        }
        let count = match retry_count {
            Some(n) => n,
            None if !justid => count + 1,
            None => count,
        };
        g.assign(id, &name, delivery_time, count);
        claimed.push(id);
        props.push(xclaim_argv(
            &key,
            &gname,
            &name,
            arg,
            delivery_time,
            count,
            g.last_id,
        ));
        propagate_last_id = false;
        dirty += 1;
    }
    if propagate_last_id {
        props.push(setid_argv(&key, &gname, g.last_id, g.entries_read));
        dirty += 1;
    }
    // The reply, now that the group is updated: the IDs, or the entries.
    let s = &*s;
    c.add_array_len(claimed.len());
    for id in claimed {
        if justid {
            add_id(c, id);
        } else {
            add_entry_at(c, s, id);
        }
    }
    srv.dirty += dirty;
    finish_claim(srv, c, created, props);
}

/// `XGROUP SETID key group id ENTRIESREAD n` (streamPropagateGroupID).
pub(super) fn setid_argv(
    key: &Bytes,
    group: &Bytes,
    id: StreamId,
    entries_read: i64,
) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XGROUP"),
        Bytes::from_static(b"SETID"),
        key.clone(),
        group.clone(),
        id_arg(id),
        Bytes::from_static(b"ENTRIESREAD"),
        entries_read.to_string().into(),
    ]
}

// ---------------------------------------------------------------------------
// XAUTOCLAIM
// ---------------------------------------------------------------------------

/// XAUTOCLAIM's scan stops after COUNT times this many pending entries.
const ATTEMPTS_FACTOR: i64 = 10;

/// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
fn xautoclaim_command(srv: &mut Server, c: &mut Client) {
    let min_idle = match parse_i64(&c.argv[4]) {
        Some(v) => v.max(0),
        None => return c.add_error("ERR Invalid min-idle-time argument for XAUTOCLAIM"),
    };
    let start = match parse_range_bound(&c.argv[5], true) {
        Ok(id) => id,
        Err(e) => return reply_err(c, e),
    };
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < c.argv.len() {
        let more = j + 1 < c.argv.len();
        let opt = &c.argv[j];
        if opt.eq_ignore_ascii_case(b"COUNT") && more {
            // Redis's bound: COUNT times the attempts factor (and the
            // deleted-ID buffer) must not overflow a long.
            let max = i64::MAX / 16;
            match parse_i64(&c.argv[j + 1]) {
                Some(v) if (1..=max).contains(&v) => count = v,
                _ => return c.add_error(error::GEO_COUNT),
            }
            j += 1;
        } else if opt.eq_ignore_ascii_case(b"JUSTID") {
            justid = true;
        } else {
            return reply_err(c, OpError::Syntax);
        }
        j += 1;
    }
    match lookup_stream(&mut srv.dbs[c.db], &c.argv[1]) {
        Err(e) => return reply_err(c, e),
        Ok(s) => {
            if s.and_then(|s| s.group(&c.argv[2])).is_none() {
                return nogroup(c);
            }
        }
    }
    let key = c.argv[1].clone();
    let gname = c.argv[2].clone();
    let name = c.argv[3].clone();
    let now = crate::server::wall_ms();
    let Ok(Some(s)) = lookup_stream_mut(&mut srv.dbs[c.db], &key) else {
        unreachable!("the stream was found above");
    };
    // The pending entries the scan may visit (at most COUNT * 10), plus one:
    // the next one is the cursor of the reply.
    let attempts = count.saturating_mul(ATTEMPTS_FACTOR) as u64;
    let candidates: Vec<StreamId> = match s.group(&gname) {
        Some(g) => g
            .pel_range(start, StreamId::MAX)
            .take(
                usize::try_from(attempts)
                    .unwrap_or(usize::MAX)
                    .saturating_add(1),
            )
            .map(|(id, _)| id)
            .collect(),
        None => Vec::new(),
    };
    let exists: Vec<bool> = candidates.iter().map(|&id| s.contains(id)).collect();
    let Some(g) = s.group_mut(&gname) else {
        unreachable!("the group was found above");
    };
    let mut left = count;
    let mut visited = 0;
    let mut claimed = Vec::new();
    let mut deleted = Vec::new();
    let mut props = Vec::new();
    let mut dirty = 0;
    let mut created = false;
    let mut have_consumer = false;
    for (&id, &exists) in candidates.iter().zip(&exists) {
        if visited as u64 == attempts || left == 0 {
            break;
        }
        visited += 1;
        let Some((owner, time, deliveries)) = g
            .pending(id)
            .map(|p| (p.consumer().to_vec(), p.delivery_time, p.delivery_count))
        else {
            continue;
        };
        if !exists {
            props.push(xclaim_argv(
                &key,
                &gname,
                &owner,
                id_arg(id),
                time,
                deliveries,
                g.last_id,
            ));
            dirty += 1;
            g.ack(id);
            deleted.push(id);
            // The deleted entries count towards the reply's size.
            left -= 1;
            continue;
        }
        if min_idle > 0 && now - time < min_idle {
            continue;
        }
        if !have_consumer {
            have_consumer = true;
            if g.consumer(&name).is_some() {
                g.touch_consumer(&name, now);
            } else {
                g.create_consumer(&name, now);
                created = true;
                dirty += 1;
            }
        }
        let deliveries = if justid { deliveries } else { deliveries + 1 };
        g.assign(id, &name, now, deliveries);
        claimed.push(id);
        left -= 1;
        props.push(xclaim_argv(
            &key,
            &gname,
            &name,
            id_arg(id),
            now,
            deliveries,
            g.last_id,
        ));
        dirty += 1;
    }
    // The cursor: the pending entry after the last one visited, 0-0 at the end.
    let cursor = candidates.get(visited).copied().unwrap_or_default();
    let s = &*s;
    c.add_array_len(3);
    add_id(c, cursor);
    c.add_array_len(claimed.len());
    for id in claimed {
        if justid {
            add_id(c, id);
        } else {
            add_entry_at(c, s, id);
        }
    }
    c.add_array_len(deleted.len());
    for id in deleted {
        add_id(c, id);
    }
    srv.dirty += dirty;
    finish_claim(srv, c, created, props);
}
