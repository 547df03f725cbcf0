//! XREAD and XREADGROUP (Redis's xreadCommand and streamReplyWithRange), the
//! blocking forms included.
//!
//! A read first tries to serve every stream at once. When nothing can be
//! served and BLOCK was given, the client blocks on all the keys through
//! `Server::block_for_keys` (blocked.rs), in the same FIFO queues as the list
//! and sorted-set commands. Its stored command has each `$` replaced by the
//! ID it stood for when the client blocked, so the re-run that follows an
//! XADD (or a deletion) reads from there, as Redis keeps the IDs in
//! `bpop.keys`. A re-run serves the ready key only, as Redis's
//! serveClientsBlockedOnStreamKey: an XREAD is served when the stream's last
//! ID passed the one it waits for; an XREADGROUP reads after the group's last
//! delivered ID, and gets an error when its group was destroyed (`-NOGROUP
//! ...`) or its key deleted or turned into another type (`-UNBLOCKED ...`),
//! while an XREAD waits on in those cases.
//!
//! XREADGROUP never propagates itself: each new pending entry goes out as an
//! idempotent `XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE
//! JUSTID LASTID last-id` (streamPropagateXCLAIM), a NOACK read as `XGROUP
//! SETID key group last-id ENTRIESREAD n` (streamPropagateGroupID), and a
//! consumer a NOACK read created as `XGROUP CREATECONSUMER`.

use bytes::Bytes;

use super::{add_entry, add_stream_id, id_arg, lookup_stream, lookup_stream_mut, parse_strict_id};
use crate::client::blocked::TimeoutReply;
use crate::client::{flags as cflags, Client};
use crate::cmd::reply_err;
use crate::config::notify as ev;
use crate::db::stream::StreamId;
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::number::parse_i64;

/// The COUNT of a blocked read that gave none (XREAD_BLOCKED_DEFAULT_COUNT):
/// a low ID must not make one wake-up send a huge reply.
const BLOCKED_DEFAULT_COUNT: usize = 1000;

/// XREAD's and XREADGROUP's options.
struct ReadArgs {
    /// BLOCK: None = not given; Some(None) = forever; Some(Some(deadline ms)).
    block: Option<Option<i64>>,
    /// COUNT (0: no limit).
    count: usize,
    /// argv index of the first key, and the number of streams.
    streams_at: usize,
    n: usize,
    /// GROUP group consumer.
    group: Option<(Bytes, Bytes)>,
    noack: bool,
}

/// Parses the options up to STREAMS (Redis's order of checks).
fn parse_read_args(argv: &[Bytes], xreadgroup: bool, now_ms: i64) -> Result<ReadArgs, OpError> {
    let mut a = ReadArgs {
        block: None,
        count: 0,
        streams_at: 0,
        n: 0,
        group: None,
        noack: false,
    };
    let mut i = 1;
    while i < argv.len() {
        let more = argv.len() - i - 1;
        let o = &argv[i];
        if o.eq_ignore_ascii_case(b"block") && more > 0 {
            i += 1;
            let ms = parse_i64(&argv[i]).ok_or(OpError::Static(error::TIMEOUT_NOT_INT))?;
            if ms < 0 {
                return Err(OpError::Static(error::TIMEOUT_NEGATIVE));
            }
            a.block = Some((ms > 0).then(|| now_ms.saturating_add(ms)));
        } else if o.eq_ignore_ascii_case(b"count") && more > 0 {
            i += 1;
            let n = parse_i64(&argv[i]).ok_or(OpError::NotInteger)?;
            a.count = n.max(0) as usize;
        } else if o.eq_ignore_ascii_case(b"streams") && more > 0 {
            a.streams_at = i + 1;
            let rest = argv.len() - a.streams_at;
            if !rest.is_multiple_of(2) {
                return Err(OpError::Static(
                    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                ));
            }
            a.n = rest / 2;
            break;
        } else if o.eq_ignore_ascii_case(b"group") && more >= 2 {
            if !xreadgroup {
                return Err(OpError::Static(
                    "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            a.group = Some((argv[i + 1].clone(), argv[i + 2].clone()));
            i += 2;
        } else if o.eq_ignore_ascii_case(b"noack") {
            if !xreadgroup {
                return Err(OpError::Static(
                    "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.",
                ));
            }
            a.noack = true;
        } else {
            return Err(OpError::Syntax);
        }
        i += 1;
    }
    if a.streams_at == 0 {
        return Err(OpError::Syntax);
    }
    if xreadgroup && a.group.is_none() {
        return Err(OpError::Static("ERR Missing GROUP option for XREADGROUP"));
    }
    Ok(a)
}

/// Redis's NOGROUP text for a missing key or group (`%s` stops at a NUL).
fn nogroup(key: &[u8], group: &[u8]) -> OpError {
    OpError::Raw(
        [
            &error::nogroup_key_or_group(key, group)[..],
            b" in XREADGROUP with GROUP option",
        ]
        .concat(),
    )
}

/// What serving one stream for a group must propagate.
type Props = Vec<Vec<Bytes>>;

/// The consumer `name` of `group` in the stream at `key`: looked up (its
/// seen time refreshed) or created (dirty, the `xgroup-createconsumer`
/// event, and with NOACK its propagation). Returns whether it was created.
fn ensure_consumer(
    srv: &mut Server,
    c: &mut Client,
    key: &Bytes,
    group: &[u8],
    name: &[u8],
    noack: bool,
    props: &mut Props,
) -> bool {
    let now = srv.now_ms;
    let s = lookup_stream_mut(&mut srv.dbs[c.db], key)
        .ok()
        .flatten()
        .expect("checked");
    let g = s.group_mut(group).expect("checked");
    if g.consumer(name).is_some() {
        g.touch_consumer(name, now);
        return false;
    }
    g.create_consumer(name, now);
    srv.dirty += 1;
    notify(srv, c, ev::STREAM, "xgroup-createconsumer", key);
    if noack {
        props.push(vec![
            Bytes::from_static(b"XGROUP"),
            Bytes::from_static(b"CREATECONSUMER"),
            key.clone(),
            Bytes::copy_from_slice(group),
            Bytes::copy_from_slice(name),
        ]);
    }
    true
}

/// Emits the entries after `gt` of the stream at `key` (at most `count`, 0 =
/// all) as an array, delivering them to `consumer` of `group` when given
/// (streamReplyWithRange with a group): the group's last ID and read counter
/// advance, and without NOACK each entry becomes (or moves to) a pending
/// entry of the consumer, propagated as XCLAIM.
fn reply_new_entries(
    srv: &mut Server,
    c: &mut Client,
    key: &Bytes,
    gt: StreamId,
    count: usize,
    group: Option<(&[u8], &[u8], bool)>,
    props: &mut Props,
) {
    let Some(start) = gt.incr() else {
        c.add_array_len(0);
        return;
    };
    let db = &mut srv.dbs[c.db];
    let s = lookup_stream(db, key).ok().flatten().expect("checked");
    let at = c.defer_len();
    let mut seen: Vec<StreamId> = Vec::new();
    s.range(start, StreamId::MAX, false, |id, fields| {
        add_entry(c, id, fields);
        seen.push(id);
        count == 0 || seen.len() < count
    });
    c.set_deferred_len(at, b'*', seen.len());
    let Some((gname, cname, noack)) = group else {
        return;
    };
    let now = srv.now_ms;
    let s = lookup_stream_mut(&mut srv.dbs[c.db], key)
        .ok()
        .flatten()
        .expect("checked");
    s.with_group_mut(gname, |view, g| {
        let before = g.last_id;
        for &id in &seen {
            g.mark_read(view, id);
            if !noack {
                g.deliver(id, cname, now);
                let p = g.pending(id).expect("just delivered");
                props.push(xclaim_argv(
                    key,
                    gname,
                    p.consumer(),
                    id,
                    p.delivery_time,
                    p.delivery_count,
                    g.last_id,
                ));
            }
        }
        if noack && g.last_id != before {
            props.push(vec![
                Bytes::from_static(b"XGROUP"),
                Bytes::from_static(b"SETID"),
                key.clone(),
                Bytes::copy_from_slice(gname),
                id_arg(g.last_id),
                Bytes::from_static(b"ENTRIESREAD"),
                Bytes::from(g.entries_read.to_string()),
            ]);
        }
    });
}

/// Redis's streamPropagateXCLAIM: an XCLAIM that recreates the pending entry
/// exactly on a replica, whatever it holds.
pub fn xclaim_argv(
    key: &Bytes,
    group: &[u8],
    consumer: &[u8],
    id: StreamId,
    delivery_time: i64,
    delivery_count: u64,
    last_id: StreamId,
) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XCLAIM"),
        key.clone(),
        Bytes::copy_from_slice(group),
        Bytes::copy_from_slice(consumer),
        Bytes::from_static(b"0"),
        id_arg(id),
        Bytes::from_static(b"TIME"),
        Bytes::from(delivery_time.to_string()),
        Bytes::from_static(b"RETRYCOUNT"),
        Bytes::from(delivery_count.to_string()),
        Bytes::from_static(b"FORCE"),
        Bytes::from_static(b"JUSTID"),
        Bytes::from_static(b"LASTID"),
        id_arg(last_id),
    ]
}

/// Emits the consumer's own pending entries after `gt` (at most `count`)
/// (streamReplyWithRangeFromConsumerPEL): an entry deleted meanwhile is
/// `[id, nil]`; each one found counts as delivered again.
fn reply_history(
    srv: &mut Server,
    c: &mut Client,
    key: &Bytes,
    gt: StreamId,
    count: usize,
    gname: &[u8],
    cname: &[u8],
) {
    let Some(start) = gt.incr() else {
        c.add_array_len(0);
        return;
    };
    let s = lookup_stream(&mut srv.dbs[c.db], key)
        .ok()
        .flatten()
        .expect("checked");
    let mut ids = Vec::new();
    if let Some(cons) = s.group(gname).and_then(|g| g.consumer(cname)) {
        let limit = if count == 0 { usize::MAX } else { count };
        ids.extend(cons.pel_range(start, StreamId::MAX).take(limit));
    }
    c.add_array_len(ids.len());
    let mut found = Vec::with_capacity(ids.len());
    for &id in &ids {
        let mut hit = false;
        s.range(id, id, false, |id, fields| {
            add_entry(c, id, fields);
            hit = true;
            false
        });
        if !hit {
            c.add_array_len(2);
            add_stream_id(c, id);
            c.add_null_array();
        }
        found.push(hit);
    }
    let now = srv.now_ms;
    let s = lookup_stream_mut(&mut srv.dbs[c.db], key)
        .ok()
        .flatten()
        .expect("checked");
    let g = s.group_mut(gname).expect("checked");
    for (&id, &hit) in ids.iter().zip(&found) {
        if let Some(p) = g.pending_mut(id).filter(|_| hit) {
            p.delivery_time = now;
            p.delivery_count += 1;
        }
    }
}

/// One stream's part of the reply: `[key, entries]` (RESP2) or `key =>
/// entries` (RESP3), served for a group or not.
#[allow(clippy::too_many_arguments)]
fn serve_stream(
    srv: &mut Server,
    c: &mut Client,
    key: &Bytes,
    gt: StreamId,
    history: bool,
    count: usize,
    a: &ReadArgs,
    props: &mut Props,
) {
    if c.resp == 2 {
        c.add_array_len(2);
    }
    c.add_bulk(key);
    match &a.group {
        None => reply_new_entries(srv, c, key, gt, count, None, props),
        Some((g, name)) => {
            ensure_consumer(srv, c, key, g, name, a.noack, props);
            if history {
                reply_history(srv, c, key, gt, count, g, name);
            } else {
                reply_new_entries(srv, c, key, gt, count, Some((g, name, a.noack)), props);
            }
        }
    }
}

/// What a stream argument asks for.
#[derive(Clone, Copy)]
enum Want {
    /// Entries after this ID (`$` resolved to the stream's last ID).
    After(StreamId),
    /// `>`: entries never delivered to the group.
    New,
}

/// XREAD and XREADGROUP.
fn xread_generic(srv: &mut Server, c: &mut Client, xreadgroup: bool) {
    // The command's own argv never propagates (what XREADGROUP changes does,
    // through XCLAIM and XGROUP SETID).
    crate::repl::prevent(srv);
    let a = match parse_read_args(&c.argv, xreadgroup, srv.now_ms) {
        Ok(a) => a,
        Err(e) => return reply_err(c, e),
    };
    if c.has(cflags::RERUN) {
        return serve_blocked(srv, c, &a);
    }
    let keys: Vec<Bytes> = c.argv[a.streams_at..a.streams_at + a.n].to_vec();
    let mut wants = Vec::with_capacity(a.n);
    let mut dollars = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let id_arg = &c.argv[a.streams_at + a.n + i];
        let s = match lookup_stream(&mut srv.dbs[c.db], key) {
            Ok(s) => s,
            Err(e) => return reply_err(c, e),
        };
        if let Some((g, _)) = &a.group {
            if s.and_then(|s| s.group(g)).is_none() {
                return reply_err(c, nogroup(key, g));
            }
        }
        let want = match &id_arg[..] {
            b"$" if xreadgroup => return c.add_error(error::XREADGROUP_DOLLAR),
            b"$" => {
                let last = s.map_or(StreamId::MIN, |s| s.last_id());
                dollars.push((a.streams_at + a.n + i, last));
                Want::After(last)
            }
            b">" if !xreadgroup => return c.add_error(error::XREAD_GT),
            b">" => Want::New,
            arg => match parse_strict_id(arg, 0) {
                Ok(id) => Want::After(id),
                Err(e) => return reply_err(c, e),
            },
        };
        wants.push(want);
    }

    // Serve what can be served now.
    let mut at = None;
    let mut served = 0;
    let mut props = Props::new();
    for (i, key) in keys.iter().enumerate() {
        let s = match lookup_stream(&mut srv.dbs[c.db], key) {
            Ok(Some(s)) => s,
            _ => continue,
        };
        let (gt, history) = match (wants[i], &a.group) {
            // A history read is always served at once.
            (Want::After(id), Some(_)) => (id, true),
            (Want::New, Some((g, _))) => {
                let last = s.group(g).map_or(StreamId::MIN, |g| g.last_id);
                if s.is_empty() || s.last_live_id() <= last {
                    continue;
                }
                (last, false)
            }
            (Want::After(id), None) => {
                if s.is_empty() || s.last_live_id() <= id {
                    continue;
                }
                (id, false)
            }
            (Want::New, None) => unreachable!("refused above"),
        };
        served += 1;
        if served == 1 {
            at = c.defer_len();
        }
        serve_stream(srv, c, key, gt, history, a.count, &a, &mut props);
        if a.group.is_some() {
            srv.dirty += 1;
        }
    }
    for p in props {
        crate::repl::also_propagate(srv, c.db, || p);
    }
    if served > 0 {
        c.set_deferred_len(at, if c.resp == 2 { b'*' } else { b'%' }, served);
        return;
    }
    let Some(deadline) = a.block else {
        return c.add_null_array();
    };
    if c.has(cflags::DENY_BLOCKING) {
        return c.add_null_array();
    }
    srv.block_for_keys(c, &keys, deadline, TimeoutReply::NullArray);
    // The re-run reads after the IDs `$` stood for now.
    if let Some(b) = c.blocked.as_mut() {
        for (idx, id) in dollars {
            b.argv[idx] = id_arg(id);
        }
    }
}

/// The re-run of a blocked read for its ready key (Redis's
/// serveClientsBlockedOnStreamKey and unblockDeletedStreamReadgroupClients).
fn serve_blocked(srv: &mut Server, c: &mut Client, a: &ReadArgs) {
    let keys: Vec<Bytes> = c.argv[a.streams_at..a.streams_at + a.n].to_vec();
    let Some(key) = c.keys_to_serve(keys.clone()).into_iter().next() else {
        return;
    };
    // The first occurrence of a key names its ID, as blockForKeys keeps it.
    let i = keys.iter().position(|k| *k == key).expect("a blocked key");
    let stream = super::peek_stream(&mut srv.dbs[c.db], &key);
    let s = match stream {
        Ok(Some(s)) => s,
        // The key was deleted or is of another type now: a group reader is
        // told (its group is gone with the stream), a plain reader waits on.
        _ => {
            if a.group.is_some() {
                c.add_error(error::XREADGROUP_BLOCKED_NO_KEY);
                srv.unblock_client(c);
            }
            return;
        }
    };
    let gt = match &a.group {
        Some((g, _)) => match s.group(g) {
            Some(g) => g.last_id,
            None => {
                c.add_error(error::XREADGROUP_BLOCKED_NOGROUP);
                srv.unblock_client(c);
                return;
            }
        },
        None => match parse_strict_id(&c.argv[a.streams_at + a.n + i], 0) {
            Ok(id) => id,
            Err(_) => return,
        },
    };
    if s.last_id() <= gt {
        return;
    }
    let count = if a.count == 0 {
        BLOCKED_DEFAULT_COUNT
    } else {
        a.count
    };
    if c.resp == 2 {
        c.add_array_len(1);
    } else {
        c.add_map_len(1);
    }
    let mut props = Props::new();
    serve_stream(srv, c, &key, gt, false, count, a, &mut props);
    for p in props {
        crate::repl::also_propagate(srv, c.db, || p);
    }
    srv.unblock_client(c);
}

/// XREAD \[COUNT count\] \[BLOCK milliseconds\] STREAMS key \[key ...\] id \[id ...\]
pub fn xread_command(srv: &mut Server, c: &mut Client) {
    xread_generic(srv, c, false);
}

/// XREADGROUP GROUP group consumer \[COUNT count\] \[BLOCK milliseconds\] \[NOACK\] STREAMS key \[key ...\] id \[id ...\]
pub fn xreadgroup_command(srv: &mut Server, c: &mut Client) {
    xread_generic(srv, c, true);
}
