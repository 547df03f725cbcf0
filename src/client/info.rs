//! How a client describes itself to the rest of the server: its CLIENT LIST
//! line (also used in log lines) and its class (Redis's getClientType), which
//! CLIENT LIST/KILL TYPE and the output-buffer limits go by.

use super::repl::is_replica;
use super::tracking::flags as tflags;
use super::{flags as cflags, Client};

/// One CLIENT LIST line, with Redis 7.0's field set.
pub fn client_info_line(c: &Client, now_ms: i64) -> String {
    let mut flags = String::new();
    if c.has(cflags::MONITOR) {
        flags.push('O');
    } else if is_replica(c) {
        flags.push('S');
    } else if c.has(cflags::MASTER) {
        flags.push('M');
    }
    if c.has(cflags::PUBSUB) {
        flags.push('P');
    }
    if c.has(cflags::MULTI) {
        flags.push('x');
    }
    if c.blocked.is_some() || c.has(cflags::POSTPONED) {
        flags.push('b');
    }
    if let Some(t) = &c.tracking {
        flags.push('t');
        if t.has(tflags::BROKEN_REDIR) {
            flags.push('R');
        }
        if t.has(tflags::BCAST) {
            flags.push('B');
        }
    }
    if c.has(cflags::DIRTY_CAS) {
        flags.push('d');
    }
    if c.has(cflags::CLOSE_AFTER_REPLY) {
        flags.push('c');
    }
    if c.has(cflags::CLOSE_ASAP) {
        flags.push('A');
    }
    if c.conn.is_unix() {
        flags.push('U');
    }
    if c.has(cflags::NO_EVICT) {
        flags.push('e');
    }
    if flags.is_empty() {
        flags.push('N');
    }
    let argv_mem = c.argv_mem();
    let (qbuf, qbuf_free) = c.qbuf_fields();
    let (obl, oll, omem) = (c.out.len(), c.output.reply.len(), c.reply_list_mem());
    let tot = c.mem_usage();
    let events = if c.has(cflags::WRITE_ARMED) {
        "rw"
    } else {
        "r"
    };
    let (sub, psub, ssub) = c.pubsub.as_deref().map_or((0, 0, 0), |s| {
        (s.channels.len(), s.patterns.len(), s.shard_channels.len())
    });
    let multi = if c.has(cflags::MULTI) {
        c.mstate.len() as i64
    } else {
        -1
    };
    format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={sub} psub={psub} \
         ssub={ssub} multi={multi} qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl={} \
         oll={} omem={} tot-mem={} events={} cmd={} user={} redir={} resp={}",
        c.id,
        c.addr,
        c.laddr,
        c.conn.fd(),
        c.name.as_deref().map(String::from_utf8_lossy).unwrap_or_default(),
        (now_ms - c.ctime_ms).max(0) / 1000,
        (now_ms - c.last_interaction_ms).max(0) / 1000,
        flags,
        c.db,
        qbuf,
        qbuf_free,
        argv_mem,
        queued_mem(c),
        c.output.size,
        c.output.peak,
        obl,
        oll,
        omem,
        tot,
        events,
        c.last_cmd,
        c.user,
        c.tracking.as_ref().map_or(-1, |t| t.redirect as i64),
        c.resp
    )
}

/// Redis's client classes (getClientType): what TYPE filters and the
/// output-buffer limits go by.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ClientType {
    Normal,
    Replica,
    Pubsub,
    Master,
}

/// The class of a client (a MONITOR client counts as normal, as in Redis).
pub fn client_type(c: &Client) -> ClientType {
    if c.has(cflags::MASTER) {
        ClientType::Master
    } else if is_replica(c) {
        ClientType::Replica
    } else if c.has(cflags::PUBSUB) {
        ClientType::Pubsub
    } else {
        ClientType::Normal
    }
}

/// Bytes the queued commands hold, as CLIENT LIST `multi-mem` reports them
/// (Redis's mstate.argv_len_sums: argument bytes plus a pointer per argument).
pub fn queued_mem(c: &Client) -> usize {
    c.mstate
        .iter()
        .map(|argv| argv.iter().map(|a| a.len()).sum::<usize>() + argv.len() * 8)
        .sum()
}
