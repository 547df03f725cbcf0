//! Stream introspection (Redis's xinfoCommand in t_stream.c): XINFO STREAM
//! [FULL [COUNT n]], XINFO GROUPS, XINFO CONSUMERS and XINFO HELP. Replies are
//! maps (arrays of name/value pairs in RESP2) with Redis 7.0's fields in
//! Redis 7.0's order.
//!
//! XINFO CONSUMERS reports `name`, `pending` and `idle` (milliseconds since
//! the consumer was last seen). Redis 7.2 added `inactive` and changed what
//! `idle` measures; oxidis follows 7.0.

use super::group::{add_entry_at, INVALID_ENTRIES_READ};
use super::{add_range, add_stream_id as add_id, lookup_stream};
use crate::client::Client;
use crate::cmd::{acl, container_command, flags as f, reply_err, subcommand_syntax_error, Command};
use crate::command::spec::prelude::*;
use crate::db::stream::{Group, Stream, StreamId};
use crate::error::{self, OpError};
use crate::server::Server;
use crate::util::number::parse_i64;

const X: u64 = acl::STREAM;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "xinfo", handler: container_command, arity: -2, flags: 0, acl: 0,
        group: "stream", since: "5.0.0", summary: "A container for stream introspection commands",
        complexity: "Depends on subcommand.",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[],
        subcommands: XINFO_SUBCOMMANDS,
    },
];

#[rustfmt::skip]
const XINFO_SUBCOMMANDS: &[Command] = &[
    Command {
        name: "consumers", handler: xinfo_consumers_command, arity: 4, flags: f::READONLY, acl: X,
        group: "stream", since: "5.0.0", summary: "Lists the consumers of a consumer group.",
        complexity: "O(1)",
        key_specs: &[ks(RO | ACCESS, idx(2), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[],
        args: &[
            a("key", Key).ks(0),
            a("groupname", Str),
        ],
        subcommands: &[],
    },
    Command {
        name: "groups", handler: xinfo_groups_command, arity: 3, flags: f::READONLY, acl: X,
        group: "stream", since: "5.0.0", summary: "Lists the consumer groups of a stream.",
        complexity: "O(1)",
        key_specs: &[ks(RO | ACCESS, idx(2), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "New `entries-read` and `lag` fields."),
        ],
        args: &[
            a("key", Key).ks(0),
        ],
        subcommands: &[],
    },
    Command {
        name: "help", handler: xinfo_help_command, arity: 2, flags: f::LOADING | f::STALE, acl: X,
        group: "stream", since: "5.0.0", summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[],
        subcommands: &[],
    },
    Command {
        name: "stream", handler: xinfo_stream_command, arity: -3, flags: f::READONLY, acl: X,
        group: "stream", since: "5.0.0", summary: "Describes a stream: its length, IDs, first and last entries, or in FULL its entries, groups, pending entries and consumers.",
        complexity: "O(1)",
        key_specs: &[ks(RO | ACCESS, idx(2), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("6.0.0", "New `FULL` modifier."),
            ("7.0.0", "New fields `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag`."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("full", Block).token("FULL").opt().sub(&[
                a("count", Int).token("COUNT").opt(),
            ]),
        ],
        subcommands: &[],
    },
];

/// XINFO HELP
fn xinfo_help_command(_srv: &mut Server, c: &mut Client) {
    c.add_help(
        "XINFO",
        &[
            "CONSUMERS <key> <groupname>",
            "    Show consumers of <groupname>.",
            "GROUPS <key>",
            "    Show the stream consumer groups.",
            "STREAM <key> [FULL [COUNT <count>]",
            "    Show information about the stream.",
        ],
    );
}

/// The stream at argv 2 for XINFO: `ERR no such key` when missing.
fn xinfo_lookup<'a>(srv: &'a mut Server, c: &mut Client) -> Option<&'a Stream> {
    match lookup_stream(&mut srv.dbs[c.db], &c.argv[2]) {
        Ok(Some(s)) => Some(s),
        Ok(None) => {
            reply_err(c, OpError::NoSuchKey);
            None
        }
        Err(e) => {
            reply_err(c, e);
            None
        }
    }
}

/// A group's `entries-read`: null when unknown.
fn add_entries_read(c: &mut Client, g: &Group) {
    if g.entries_read == INVALID_ENTRIES_READ {
        c.add_null();
    } else {
        c.add_int(g.entries_read);
    }
}

/// A group's `lag` (Redis's streamReplyWithCGLag): the entries not yet
/// delivered to it, null when tombstones make it unknowable.
fn add_lag(c: &mut Client, s: &Stream, g: &Group) {
    match s.lag(g) {
        Some(lag) => c.add_int(lag),
        None => c.add_null(),
    }
}

/// XINFO CONSUMERS key group
fn xinfo_consumers_command(srv: &mut Server, c: &mut Client) {
    let Some(s) = xinfo_lookup(srv, c) else {
        return;
    };
    let Some(g) = s.group(&c.argv[3]) else {
        let msg = error::nogroup_for_key(&c.argv[3], &c.argv[2]);
        return c.add_error_bytes(&msg);
    };
    let now = crate::server::wall_ms();
    c.add_array_len(g.consumer_count());
    for (name, cons) in g.consumers() {
        c.add_map_len(3);
        c.add_bulk(b"name");
        c.add_bulk(name);
        c.add_bulk(b"pending");
        c.add_int(cons.pel_len() as i64);
        c.add_bulk(b"idle");
        c.add_int((now - cons.seen_time).max(0));
    }
}

/// XINFO GROUPS key
fn xinfo_groups_command(srv: &mut Server, c: &mut Client) {
    let Some(s) = xinfo_lookup(srv, c) else {
        return;
    };
    c.add_array_len(s.group_count());
    for (name, g) in s.groups() {
        c.add_map_len(6);
        c.add_bulk(b"name");
        c.add_bulk(name);
        c.add_bulk(b"consumers");
        c.add_int(g.consumer_count() as i64);
        c.add_bulk(b"pending");
        c.add_int(g.pel_len() as i64);
        c.add_bulk(b"last-delivered-id");
        add_id(c, g.last_id);
        c.add_bulk(b"entries-read");
        add_entries_read(c, g);
        c.add_bulk(b"lag");
        add_lag(c, s, g);
    }
}

/// XINFO STREAM key [FULL [COUNT count]]
fn xinfo_stream_command(srv: &mut Server, c: &mut Client) {
    let Some(s) = xinfo_lookup(srv, c) else {
        return;
    };
    // FULL shows 10 entries (and PEL entries) unless COUNT says otherwise;
    // COUNT 0 shows them all.
    let mut count: usize = 10;
    let full = match c.argv.len() - 3 {
        0 => false,
        1 | 3 => {
            if !c.argv[3].eq_ignore_ascii_case(b"FULL") {
                return subcommand_syntax_error(c);
            }
            if c.argv.len() == 6 {
                if !c.argv[4].eq_ignore_ascii_case(b"COUNT") {
                    return subcommand_syntax_error(c);
                }
                match parse_i64(&c.argv[5]) {
                    Some(n) if n >= 0 => count = n as usize,
                    Some(_) => {}
                    None => return reply_err(c, OpError::NotInteger),
                }
            }
            true
        }
        _ => return subcommand_syntax_error(c),
    };
    c.add_map_len(if full { 9 } else { 10 });
    c.add_bulk(b"length");
    c.add_int(s.len() as i64);
    c.add_bulk(b"radix-tree-keys");
    c.add_int(s.node_count() as i64);
    c.add_bulk(b"radix-tree-nodes");
    c.add_int(rax_node_count(s.nodes().map(|(id, _)| id.to_be_bytes())) as i64);
    c.add_bulk(b"last-generated-id");
    add_id(c, s.last_id());
    c.add_bulk(b"max-deleted-entry-id");
    add_id(c, s.max_deleted_id());
    c.add_bulk(b"entries-added");
    c.add_int(s.entries_added() as i64);
    c.add_bulk(b"recorded-first-entry-id");
    add_id(c, s.first_id());
    if !full {
        c.add_bulk(b"groups");
        c.add_int(s.group_count() as i64);
        c.add_bulk(b"first-entry");
        add_edge_entry(c, s, false);
        c.add_bulk(b"last-entry");
        add_edge_entry(c, s, true);
        return;
    }
    c.add_bulk(b"entries");
    add_range(c, s, StreamId::MIN, StreamId::MAX, count, false);
    c.add_bulk(b"groups");
    c.add_array_len(s.group_count());
    for (name, g) in s.groups() {
        c.add_map_len(7);
        c.add_bulk(b"name");
        c.add_bulk(name);
        c.add_bulk(b"last-delivered-id");
        add_id(c, g.last_id);
        c.add_bulk(b"entries-read");
        add_entries_read(c, g);
        c.add_bulk(b"lag");
        add_lag(c, s, g);
        c.add_bulk(b"pel-count");
        c.add_int(g.pel_len() as i64);
        // [id, consumer, delivery time (unix ms), deliveries], up to COUNT.
        c.add_bulk(b"pending");
        let limit = if count == 0 { usize::MAX } else { count };
        let pel: Vec<_> = g
            .pel_range(StreamId::MIN, StreamId::MAX)
            .take(limit)
            .collect();
        c.add_array_len(pel.len());
        for (id, p) in pel {
            c.add_array_len(4);
            add_id(c, id);
            c.add_bulk(p.consumer());
            c.add_int(p.delivery_time);
            c.add_int(p.delivery_count as i64);
        }
        c.add_bulk(b"consumers");
        c.add_array_len(g.consumers().count());
        for (cname, cons) in g.consumers() {
            c.add_map_len(4);
            c.add_bulk(b"name");
            c.add_bulk(cname);
            c.add_bulk(b"seen-time");
            c.add_int(cons.seen_time);
            c.add_bulk(b"pel-count");
            c.add_int(cons.pel_len() as i64);
            // [id, delivery time, deliveries], up to COUNT.
            c.add_bulk(b"pending");
            let own: Vec<_> = cons
                .pel_range(StreamId::MIN, StreamId::MAX)
                .take(limit)
                .filter_map(|id| g.pending(id).map(|p| (id, p)))
                .collect();
            c.add_array_len(own.len());
            for (id, p) in own {
                c.add_array_len(3);
                add_id(c, id);
                c.add_int(p.delivery_time);
                c.add_int(p.delivery_count as i64);
            }
        }
    }
}

/// XINFO STREAM's `first-entry` / `last-entry`: the entry, or null.
fn add_edge_entry(c: &mut Client, s: &Stream, last: bool) {
    let mut edge = None;
    s.range(StreamId::MIN, StreamId::MAX, last, |id, _| {
        edge = Some(id);
        false
    });
    match edge {
        Some(id) => {
            add_entry_at(c, s, id);
        }
        None => c.add_null(),
    }
}

/// Redis's `rax->numnodes` for a radix tree holding `keys` (the nodes' master
/// IDs as 16 big-endian bytes), ascending: XINFO STREAM's
/// `radix-tree-nodes`. Redis's rax keeps chains of single-child bytes in one
/// (compressed) node, so the tree has a node for the root, for every prefix
/// where keys branch, for every child of such a branch, and for every key.
fn rax_node_count(keys: impl Iterator<Item = [u8; 16]>) -> usize {
    let mut nodes: std::collections::HashSet<Vec<u8>> = std::collections::HashSet::new();
    nodes.insert(Vec::new());
    let mut prev: Option<[u8; 16]> = None;
    for k in keys {
        nodes.insert(k.to_vec());
        if let Some(p) = prev {
            let lcp = p.iter().zip(&k).take_while(|(a, b)| a == b).count();
            if lcp < 16 {
                nodes.insert(k[..lcp].to_vec());
                nodes.insert(p[..lcp + 1].to_vec());
                nodes.insert(k[..lcp + 1].to_vec());
            }
        }
        prev = Some(k);
    }
    nodes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ms: u64, seq: u64) -> [u8; 16] {
        let mut k = [0u8; 16];
        k[..8].copy_from_slice(&ms.to_be_bytes());
        k[8..].copy_from_slice(&seq.to_be_bytes());
        k
    }

    /// The counts redis-server 7.0 reports for the same master IDs.
    #[test]
    fn rax_nodes_as_redis_counts_them() {
        assert_eq!(rax_node_count(std::iter::empty()), 1);
        assert_eq!(rax_node_count([key(1, 1)].into_iter()), 2);
        // A 15-byte shared prefix, then a branch of three.
        assert_eq!(
            rax_node_count([key(1, 1), key(1, 4), key(1, 6)].into_iter()),
            5
        );
        assert_eq!(rax_node_count([key(1, 4), key(1, 6)].into_iter()), 4);
        // Branches at two depths: the root's chain, a branch on byte 7
        // (ms 1 / 2), ms 1's chain to a branch on byte 15, ms 2's chain.
        assert_eq!(
            rax_node_count([key(1, 0), key(1, 5), key(2, 0)].into_iter()),
            8
        );
        let six = [
            key(1, 1),
            key(1, 2),
            key(1, 3),
            key(256, 1),
            key(65536, 1),
            key(65536, 2),
        ];
        assert_eq!(rax_node_count(six.into_iter()), 14);
        // After XDEL emptied two of those nodes (Redis re-merges chains).
        let four = [key(1, 1), key(1, 3), key(256, 1), key(65536, 2)];
        assert_eq!(rax_node_count(four.into_iter()), 11);
    }
}
