//! Consumer-group management (Redis's xgroupCommand and xackCommand in
//! t_stream.c): XGROUP CREATE / SETID / DESTROY / CREATECONSUMER /
//! DELCONSUMER / HELP and XACK. The groups, their pending entries lists (PEL)
//! and consumers are the data layer's (`db/stream.rs`); this file checks the
//! arguments in Redis's order, applies the change and replies.
//!
//! The stream lookups, ID parsers and entry replies are the stream group's
//! (`cmd/stream.rs`), shared with XRANGE and XREADGROUP.
//!
//! As in Redis 7.0 none of these commands signals the key as modified (WATCH
//! and client-side caching see no change), except XGROUP CREATE ... MKSTREAM
//! when it creates the stream; each change counts one in `srv.dirty` and
//! notifies its `xgroup-*` event. XGROUP DESTROY signals the key as ready so
//! that clients blocked in XREADGROUP on that group are answered (NOGROUP).

use super::{
    add_entry, lookup_stream, lookup_stream_mut, parse_id, parse_strict_id, peek_stream,
    stream_value,
};
use crate::client::Client;
use crate::cmd::{acl, container_command, flags as f, reply_err, subcommand_syntax_error, Command};
use crate::command::spec::prelude::*;
use crate::config::notify as ev;
use crate::db::stream::{Stream, StreamId};
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;

const X: u64 = acl::STREAM;

/// Redis's SCG_INVALID_ENTRIES_READ: the group's read counter is unknown.
pub const INVALID_ENTRIES_READ: i64 = -1;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "xack", handler: xack_command, arity: -4, flags: f::WRITE | f::FAST, acl: X,
        group: "stream", since: "5.0.0", summary: "Acknowledges messages of a consumer group, removing them from its pending entries list; replies how many were pending.",
        complexity: "O(1) for each message ID processed.",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[],
        args: &[
            a("key", Key).ks(0),
            a("group", Str),
            a("id", Str).multi(),
        ],
        subcommands: &[],
    },
    Command {
        name: "xgroup", handler: container_command, arity: -2, flags: 0, acl: 0,
        group: "stream", since: "5.0.0", summary: "A container for consumer groups commands",
        complexity: "Depends on subcommand.",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[],
        subcommands: XGROUP_SUBCOMMANDS,
    },
];

#[rustfmt::skip]
const XGROUP_SUBCOMMANDS: &[Command] = &[
    Command {
        name: "create", handler: xgroup_create_command, arity: -5, flags: f::WRITE | f::DENYOOM, acl: X,
        group: "stream", since: "5.0.0", summary: "Creates a consumer group.",
        complexity: "O(1)",
        key_specs: &[ks(RW | INSERT, idx(2), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "New `entries_read` argument."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("groupname", Str),
            a("id", OneOf).sub(&[
                a("id", Str),
                a("new_id", Token).token("$"),
            ]),
            a("mkstream", Token).token("MKSTREAM").opt(),
            a("entries_read", Int).token("ENTRIESREAD").opt(),
        ],
        subcommands: &[],
    },
    Command {
        name: "createconsumer", handler: xgroup_createconsumer_command, arity: 5, flags: f::WRITE | f::DENYOOM, acl: X,
        group: "stream", since: "6.2.0", summary: "Creates a consumer in a consumer group.",
        complexity: "O(1)",
        key_specs: &[ks(RW | INSERT, idx(2), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[],
        args: &[
            a("key", Key).ks(0),
            a("groupname", Str),
            a("consumername", Str),
        ],
        subcommands: &[],
    },
    Command {
        name: "delconsumer", handler: xgroup_delconsumer_command, arity: 5, flags: f::WRITE, acl: X,
        group: "stream", since: "5.0.0", summary: "Deletes a consumer from a consumer group.",
        complexity: "O(1)",
        key_specs: &[ks(RW | DELETE, idx(2), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[],
        args: &[
            a("key", Key).ks(0),
            a("groupname", Str),
            a("consumername", Str),
        ],
        subcommands: &[],
    },
    Command {
        name: "destroy", handler: xgroup_destroy_command, arity: 4, flags: f::WRITE, acl: X,
        group: "stream", since: "5.0.0", summary: "Destroys a consumer group.",
        complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL).",
        key_specs: &[ks(RW | DELETE, idx(2), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[],
        args: &[
            a("key", Key).ks(0),
            a("groupname", Str),
        ],
        subcommands: &[],
    },
    Command {
        name: "help", handler: xgroup_help_command, arity: 2, flags: f::LOADING | f::STALE, acl: X,
        group: "stream", since: "5.0.0", summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[],
        subcommands: &[],
    },
    Command {
        name: "setid", handler: xgroup_setid_command, arity: -5, flags: f::WRITE, acl: X,
        group: "stream", since: "5.0.0", summary: "Sets the last delivered ID of a consumer group.",
        complexity: "O(1)",
        key_specs: &[ks(RW | UPDATE, idx(2), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "New optional `entries_read` argument."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("groupname", Str),
            a("id", OneOf).sub(&[
                a("id", Str),
                a("new_id", Token).token("$"),
            ]),
            a("entries_read", Int).token("ENTRIESREAD").opt(),
        ],
        subcommands: &[],
    },
];

// ---------------------------------------------------------------------------
// Shared by the group, claim and info commands
// ---------------------------------------------------------------------------

/// Appends the entry `id` of `s` as XRANGE shows it (`[id, [f1, v1, ...]]`);
/// false, and nothing written, if there is no such entry.
pub(super) fn add_entry_at(c: &mut Client, s: &Stream, id: StreamId) -> bool {
    match s.get(id) {
        Some(fields) => {
            add_entry(c, id, fields);
            true
        }
        None => false,
    }
}

// ---------------------------------------------------------------------------
// XGROUP
// ---------------------------------------------------------------------------

/// What xgroupCommand establishes before it dispatches: the options of
/// CREATE/SETID and whether the key holds a stream.
struct Prelude {
    mkstream: bool,
    entries_read: i64,
    /// The stream exists (its last ID, for `$`).
    last_id: Option<StreamId>,
}

/// Which XGROUP subcommand runs (they share xgroupCommand's checks).
#[derive(PartialEq, Eq, Clone, Copy)]
enum Sub {
    Create,
    SetId,
    Destroy,
    CreateConsumer,
    DelConsumer,
}

/// xgroupCommand's common part, in Redis's order: the options of CREATE and
/// SETID (from the 6th argument), the key's type, then the key's existence
/// (unless MKSTREAM) and the group's (for SETID, CREATECONSUMER,
/// DELCONSUMER). None when it already replied an error.
fn xgroup_prelude(srv: &mut Server, c: &mut Client, sub: Sub) -> Option<Prelude> {
    let mut p = Prelude {
        mkstream: false,
        entries_read: INVALID_ENTRIES_READ,
        last_id: None,
    };
    let argv = &c.argv;
    let mut i = 5;
    while i < argv.len() {
        let opt = &argv[i];
        if sub == Sub::Create && opt.eq_ignore_ascii_case(b"MKSTREAM") {
            p.mkstream = true;
            i += 1;
        } else if matches!(sub, Sub::Create | Sub::SetId)
            && opt.eq_ignore_ascii_case(b"ENTRIESREAD")
            && i + 1 < argv.len()
        {
            let n = match crate::util::number::parse_i64(&argv[i + 1]) {
                Some(n) => n,
                None => {
                    reply_err(c, OpError::NotInteger);
                    return None;
                }
            };
            if n < 0 && n != INVALID_ENTRIES_READ {
                c.add_error("ERR value for ENTRIESREAD must be positive or -1");
                return None;
            }
            p.entries_read = n;
            i += 2;
        } else {
            subcommand_syntax_error(c);
            return None;
        }
    }
    let key = &c.argv[2];
    let group = &c.argv[3];
    let has_group = match peek_stream(&mut srv.dbs[c.db], key) {
        Err(e) => {
            reply_err(c, e);
            return None;
        }
        Ok(None) => false,
        Ok(Some(s)) => {
            p.last_id = Some(s.last_id());
            s.group(group).is_some()
        }
    };
    if !p.mkstream {
        if p.last_id.is_none() {
            c.add_error(error::XGROUP_KEY_REQUIRED);
            return None;
        }
        if !has_group && matches!(sub, Sub::SetId | Sub::CreateConsumer | Sub::DelConsumer) {
            let msg = error::nogroup_for_key(group, key);
            c.add_error_bytes(&msg);
            return None;
        }
    }
    Some(p)
}

/// XGROUP HELP
fn xgroup_help_command(_srv: &mut Server, c: &mut Client) {
    c.add_help(
        "XGROUP",
        &[
            "CREATE <key> <groupname> <id|$> [option]",
            "    Create a new consumer group. Options are:",
            "    * MKSTREAM",
            "      Create the empty stream if it does not exist.",
            "    * ENTRIESREAD entries_read",
            "      Set the group's entries_read counter (internal use).",
            "CREATECONSUMER <key> <groupname> <consumer>",
            "    Create a new consumer in the specified group.",
            "DELCONSUMER <key> <groupname> <consumer>",
            "    Remove the specified consumer.",
            "DESTROY <key> <groupname>",
            "    Remove the specified group.",
            "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
            "    Set the current group ID and entries_read counter.",
        ],
    );
}

/// XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD entries-read]
fn xgroup_create_command(srv: &mut Server, c: &mut Client) {
    let Some(p) = xgroup_prelude(srv, c, Sub::Create) else {
        return;
    };
    if c.argv.len() > 8 {
        return subcommand_syntax_error(c);
    }
    let id = if &c.argv[4][..] == b"$" {
        p.last_id.unwrap_or_default()
    } else {
        match parse_strict_id(&c.argv[4], 0) {
            Ok(id) => id,
            Err(e) => return reply_err(c, e),
        }
    };
    let key = c.argv[2].clone();
    let db = &mut srv.dbs[c.db];
    if p.last_id.is_none() {
        // MKSTREAM, now that the command can no longer fail: the new key is
        // a modification (WATCH), unlike the group itself.
        db.set(&key, stream_value(Stream::new()), None);
    }
    let created = match lookup_stream_mut(db, &key) {
        Ok(Some(s)) => s.create_group(&c.argv[3], id, p.entries_read),
        _ => unreachable!("the stream exists"),
    };
    if created {
        c.add_ok();
        srv.dirty += 1;
        notify(srv, c, ev::STREAM, "xgroup-create", &key);
    } else {
        c.add_error(error::BUSYGROUP);
    }
}

/// XGROUP SETID key group id|$ [ENTRIESREAD entries-read]
fn xgroup_setid_command(srv: &mut Server, c: &mut Client) {
    let Some(p) = xgroup_prelude(srv, c, Sub::SetId) else {
        return;
    };
    if c.argv.len() != 5 && c.argv.len() != 7 {
        return subcommand_syntax_error(c);
    }
    let id = if &c.argv[4][..] == b"$" {
        p.last_id.unwrap_or_default()
    } else {
        // Not strict: `-` and `+` are accepted here, as in Redis.
        match parse_id(&c.argv[4], 0) {
            Ok(id) => id,
            Err(e) => return reply_err(c, e),
        }
    };
    let key = c.argv[2].clone();
    if let Ok(Some(s)) = lookup_stream_mut(&mut srv.dbs[c.db], &key) {
        if let Some(g) = s.group_mut(&c.argv[3]) {
            g.last_id = id;
            g.entries_read = p.entries_read;
        }
    }
    c.add_ok();
    srv.dirty += 1;
    notify(srv, c, ev::STREAM, "xgroup-setid", &key);
}

/// XGROUP DESTROY key group
fn xgroup_destroy_command(srv: &mut Server, c: &mut Client) {
    if xgroup_prelude(srv, c, Sub::Destroy).is_none() {
        return;
    }
    let key = c.argv[2].clone();
    let db = &mut srv.dbs[c.db];
    let destroyed = match lookup_stream_mut(db, &key) {
        Ok(Some(s)) => s.destroy_group(&c.argv[3]),
        _ => false,
    };
    if !destroyed {
        return c.add_int(0);
    }
    // Clients blocked in XREADGROUP on this group get their NOGROUP error.
    db.signal_if_blocked(&key);
    c.add_int(1);
    srv.dirty += 1;
    notify(srv, c, ev::STREAM, "xgroup-destroy", &key);
}

/// XGROUP CREATECONSUMER key group consumer
fn xgroup_createconsumer_command(srv: &mut Server, c: &mut Client) {
    if xgroup_prelude(srv, c, Sub::CreateConsumer).is_none() {
        return;
    }
    let key = c.argv[2].clone();
    let now = crate::server::wall_ms();
    let created = match lookup_stream_mut(&mut srv.dbs[c.db], &key) {
        Ok(Some(s)) => s
            .group_mut(&c.argv[3])
            .is_some_and(|g| g.create_consumer(&c.argv[4], now)),
        _ => false,
    };
    c.add_int(created as i64);
    if created {
        srv.dirty += 1;
        notify(srv, c, ev::STREAM, "xgroup-createconsumer", &key);
    }
}

/// XGROUP DELCONSUMER key group consumer
fn xgroup_delconsumer_command(srv: &mut Server, c: &mut Client) {
    if xgroup_prelude(srv, c, Sub::DelConsumer).is_none() {
        return;
    }
    let key = c.argv[2].clone();
    let deleted = match lookup_stream_mut(&mut srv.dbs[c.db], &key) {
        Ok(Some(s)) => s
            .group_mut(&c.argv[3])
            .and_then(|g| g.delete_consumer(&c.argv[4])),
        _ => None,
    };
    // The reply is the number of entries the consumer still had pending
    // (they leave the group's PEL with it).
    c.add_int(deleted.unwrap_or(0) as i64);
    if deleted.is_some() {
        srv.dirty += 1;
        notify(srv, c, ev::STREAM, "xgroup-delconsumer", &key);
    }
}

// ---------------------------------------------------------------------------
// XACK
// ---------------------------------------------------------------------------

/// XACK key group id [id ...]
fn xack_command(srv: &mut Server, c: &mut Client) {
    let db = &mut srv.dbs[c.db];
    let has_group = match lookup_stream(db, &c.argv[1]) {
        Err(e) => return reply_err(c, e),
        Ok(s) => s.is_some_and(|s| s.group(&c.argv[2]).is_some()),
    };
    if !has_group {
        return c.add_int(0);
    }
    // All IDs are parsed before any is acknowledged: all or nothing.
    let mut ids = Vec::with_capacity(c.argv.len() - 3);
    for a in &c.argv[3..] {
        match parse_strict_id(a, 0) {
            Ok(id) => ids.push(id),
            Err(e) => return reply_err(c, e),
        }
    }
    let mut acked = 0;
    if let Ok(Some(s)) = lookup_stream_mut(db, &c.argv[1]) {
        if let Some(g) = s.group_mut(&c.argv[2]) {
            acked = ids.iter().filter(|&&id| g.ack(id)).count();
        }
    }
    srv.dirty += acked as u64;
    c.add_int(acked as i64);
}
