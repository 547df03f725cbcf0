//! Pub/Sub commands (Redis's pubsub.c): SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE,
//! PUNSUBSCRIBE, PUBLISH, SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH and PUBSUB.
//!
//! The tables and the fan-out live in `pubsub.rs`. A client with any subscription
//! carries the `PUBSUB` flag; in RESP2 that is "subscribe mode", where `call()`
//! only lets the commands of [`allowed_in_subscribe_mode`] through.

use bytes::Bytes;

use super::subcommand_syntax_error;
use super::{container_command, flags as f, Command};
use crate::client::{flags as cflags, Client};
use crate::command::spec::prelude::*;
use crate::pubsub::{self, Kind};
use crate::server::Server;
use crate::util::glob::string_match;

const SUB: u64 = f::PUBSUB | f::NOSCRIPT | f::LOADING | f::STALE;
const INFO: u64 = f::PUBSUB | f::LOADING | f::STALE;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "subscribe", handler: subscribe_command, arity: -2, flags: SUB, acl: 0,
        group: "pubsub", since: "2.0.0", summary: "Listens for messages published to channels.",
        complexity: "O(N) where N is the number of channels to subscribe to.",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("channel", Str).multi()], subcommands: &[],
    },
    Command {
        name: "unsubscribe", handler: unsubscribe_command, arity: -1, flags: SUB, acl: 0,
        group: "pubsub", since: "2.0.0", summary: "Stops listening to messages posted to channels.",
        complexity: "O(N) where N is the number of clients already subscribed to a channel.",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("channel", Str).opt().multi()], subcommands: &[],
    },
    Command {
        name: "psubscribe", handler: psubscribe_command, arity: -2, flags: SUB, acl: 0,
        group: "pubsub", since: "2.0.0", summary: "Listens for messages published to channels that match one or more patterns.",
        complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("pattern", Block).multi().sub(&[
                a("pattern", Pattern),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "punsubscribe", handler: punsubscribe_command, arity: -1, flags: SUB, acl: 0,
        group: "pubsub", since: "2.0.0", summary: "Stops listening to messages published to channels that match one or more patterns.",
        complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("pattern", Pattern).opt().multi()], subcommands: &[],
    },
    Command {
        name: "publish", handler: publish_command, arity: 3, flags: INFO | f::FAST | f::MAY_REPLICATE, acl: 0,
        group: "pubsub", since: "2.0.0", summary: "Posts a message to a channel.",
        complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("channel", Str), a("message", Str)], subcommands: &[],
    },
    Command {
        name: "ssubscribe", handler: ssubscribe_command, arity: -2, flags: SUB, acl: 0,
        group: "pubsub", since: "7.0.0", summary: "Listens for messages published to shard channels.",
        complexity: "O(N) where N is the number of shard channels to subscribe to.",
        key_specs: &[ks(NOT_KEY, idx(1), range(-1, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("shardchannel", Str).multi()], subcommands: &[],
    },
    Command {
        name: "sunsubscribe", handler: sunsubscribe_command, arity: -1, flags: SUB, acl: 0,
        group: "pubsub", since: "7.0.0", summary: "Stops listening to messages posted to shard channels.",
        complexity: "O(N) where N is the number of clients already subscribed to a shard channel.",
        key_specs: &[ks(NOT_KEY, idx(1), range(-1, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("shardchannel", Str).opt().multi()], subcommands: &[],
    },
    Command {
        name: "spublish", handler: spublish_command, arity: 3, flags: INFO | f::FAST | f::MAY_REPLICATE, acl: 0,
        group: "pubsub", since: "7.0.0", summary: "Post a message to a shard channel",
        complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel.",
        key_specs: &[ks(NOT_KEY, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("shardchannel", Str), a("message", Str)], subcommands: &[],
    },
    Command {
        name: "pubsub", handler: container_command, arity: -2, flags: 0, acl: 0,
        group: "pubsub", since: "2.8.0", summary: "A container for Pub/Sub commands.",
        complexity: "Depends on subcommand.",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[],
        subcommands: SUBCOMMANDS,
    },

];

#[rustfmt::skip]
const SUBCOMMANDS: &[Command] = &[
    Command {
        name: "numpat", handler: pubsub_numpat_command, arity: 2, flags: INFO, acl: 0,
        group: "pubsub", since: "2.8.0", summary: "Returns a count of unique pattern subscriptions.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "numsub", handler: pubsub_numsub_command, arity: -2, flags: INFO, acl: 0,
        group: "pubsub", since: "2.8.0", summary: "Returns a count of subscribers to channels.",
        complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("channel", Str).opt().multi()], subcommands: &[],
    },
    Command {
        name: "channels", handler: pubsub_channels_command, arity: -2, flags: INFO, acl: 0,
        group: "pubsub", since: "2.8.0", summary: "Returns the active channels.",
        complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("pattern", Pattern).opt()], subcommands: &[],
    },
    Command {
        name: "shardnumsub", handler: pubsub_shardnumsub_command, arity: -2, flags: INFO, acl: 0,
        group: "pubsub", since: "7.0.0", summary: "Returns the count of subscribers of shard channels.",
        complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("shardchannel", Str).opt().multi()], subcommands: &[],
    },
    Command {
        name: "help", handler: pubsub_help_command, arity: 2, flags: f::LOADING | f::STALE, acl: 0,
        group: "pubsub", since: "6.2.0", summary: "Returns helpful text about the different subcommands.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "shardchannels", handler: pubsub_shardchannels_command, arity: -2, flags: INFO, acl: 0,
        group: "pubsub", since: "7.0.0", summary: "Returns the active shard channels.",
        complexity: "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("pattern", Pattern).opt()], subcommands: &[],
    },

];

/// The commands a RESP2 client in subscribe mode may run (Redis's processCommand).
pub fn allowed_in_subscribe_mode(fullname: &str) -> bool {
    matches!(
        fullname,
        "ping"
            | "subscribe"
            | "ssubscribe"
            | "unsubscribe"
            | "sunsubscribe"
            | "psubscribe"
            | "punsubscribe"
            | "quit"
            | "reset"
    )
}

/// The error `call()` replies for any other command in RESP2 subscribe mode.
pub fn subscribe_mode_error(fullname: &str) -> String {
    format!(
        "ERR Can't execute '{fullname}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"
    )
}

/// SUBSCRIBE channel [channel ...]
pub fn subscribe_command(srv: &mut Server, c: &mut Client) {
    // Redis refuses SUBSCRIBE to DENY_BLOCKING clients outside MULTI (scripts);
    // inside EXEC it is allowed, and oxidis sets DENY_BLOCKING only for EXEC so far.
    for j in 1..c.argv.len() {
        let ch = c.argv[j].clone();
        pubsub::subscribe_channel(srv, c, Kind::Global, &ch);
    }
    c.flags |= cflags::PUBSUB;
}

/// UNSUBSCRIBE [channel [channel ...]]
pub fn unsubscribe_command(srv: &mut Server, c: &mut Client) {
    unsubscribe_generic(srv, c, Kind::Global);
}

fn unsubscribe_generic(srv: &mut Server, c: &mut Client, kind: Kind) {
    if c.argv.len() == 1 {
        pubsub::unsubscribe_all_channels(srv, c, kind, true);
    } else {
        for j in 1..c.argv.len() {
            let ch = c.argv[j].clone();
            pubsub::unsubscribe_channel(srv, c, kind, &ch, true);
        }
    }
    pubsub::update_mode(c);
}

/// PSUBSCRIBE pattern [pattern ...]
pub fn psubscribe_command(srv: &mut Server, c: &mut Client) {
    for j in 1..c.argv.len() {
        let p = c.argv[j].clone();
        pubsub::subscribe_pattern(srv, c, &p);
    }
    c.flags |= cflags::PUBSUB;
}

/// PUNSUBSCRIBE [pattern [pattern ...]]
pub fn punsubscribe_command(srv: &mut Server, c: &mut Client) {
    if c.argv.len() == 1 {
        pubsub::unsubscribe_all_patterns(srv, c, true);
    } else {
        for j in 1..c.argv.len() {
            let p = c.argv[j].clone();
            pubsub::unsubscribe_pattern(srv, c, &p, true);
        }
    }
    pubsub::update_mode(c);
}

/// PUBLISH channel message
pub fn publish_command(srv: &mut Server, c: &mut Client) {
    let (ch, msg) = (c.argv[1].clone(), c.argv[2].clone());
    let n = pubsub::publish(srv, Some(c), Kind::Global, &ch, &msg);
    // Replicas get every PUBLISH (Redis's forceCommandPropagation).
    crate::repl::force(srv);
    c.add_int(n as i64);
}

/// SSUBSCRIBE shardchannel [shardchannel ...]
pub fn ssubscribe_command(srv: &mut Server, c: &mut Client) {
    if c.has(cflags::DENY_BLOCKING) {
        c.add_error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
        return;
    }
    for j in 1..c.argv.len() {
        let ch = c.argv[j].clone();
        pubsub::subscribe_channel(srv, c, Kind::Shard, &ch);
    }
    c.flags |= cflags::PUBSUB;
}

/// SUNSUBSCRIBE [shardchannel [shardchannel ...]]
pub fn sunsubscribe_command(srv: &mut Server, c: &mut Client) {
    unsubscribe_generic(srv, c, Kind::Shard);
}

/// SPUBLISH shardchannel message
pub fn spublish_command(srv: &mut Server, c: &mut Client) {
    let (ch, msg) = (c.argv[1].clone(), c.argv[2].clone());
    let n = pubsub::publish(srv, Some(c), Kind::Shard, &ch, &msg);
    crate::repl::force(srv);
    c.add_int(n as i64);
}

fn channels_generic(srv: &mut Server, c: &mut Client, kind: Kind) {
    if c.argv.len() > 3 {
        return subcommand_syntax_error(c);
    }
    let pat: Option<Bytes> = c.argv.get(2).cloned();
    let table = match kind {
        Kind::Global => &srv.pubsub.channels,
        Kind::Shard => &srv.pubsub.shard_channels,
    };
    let list: Vec<Bytes> = table
        .keys()
        .filter(|ch| pat.as_ref().is_none_or(|p| string_match(p, ch, false)))
        .cloned()
        .collect();
    c.add_array_len(list.len());
    for ch in &list {
        c.add_bulk(ch);
    }
}

/// PUBSUB CHANNELS \[pattern\]
pub fn pubsub_channels_command(srv: &mut Server, c: &mut Client) {
    channels_generic(srv, c, Kind::Global);
}

/// PUBSUB SHARDCHANNELS \[pattern\]
pub fn pubsub_shardchannels_command(srv: &mut Server, c: &mut Client) {
    channels_generic(srv, c, Kind::Shard);
}

fn numsub_generic(srv: &mut Server, c: &mut Client, kind: Kind) {
    c.add_array_len((c.argv.len() - 2) * 2);
    for j in 2..c.argv.len() {
        let ch = c.argv[j].clone();
        c.add_bulk(&ch);
        c.add_int(srv.pubsub.numsub(kind, &ch) as i64);
    }
}

/// PUBSUB NUMSUB [channel [channel ...]]
pub fn pubsub_numsub_command(srv: &mut Server, c: &mut Client) {
    numsub_generic(srv, c, Kind::Global);
}

/// PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]
pub fn pubsub_shardnumsub_command(srv: &mut Server, c: &mut Client) {
    numsub_generic(srv, c, Kind::Shard);
}

/// PUBSUB NUMPAT
pub fn pubsub_numpat_command(srv: &mut Server, c: &mut Client) {
    c.add_int(srv.pubsub.patterns.len() as i64);
}

/// PUBSUB HELP
pub fn pubsub_help_command(_: &mut Server, c: &mut Client) {
    c.add_help(
        "pubsub",
        &[
            "CHANNELS [<pattern>]",
            "    Return the currently active channels matching a <pattern> (default: '*').",
            "NUMPAT",
            "    Return number of subscriptions to patterns.",
            "NUMSUB [<channel> ...]",
            "    Return the number of subscribers for the specified channels, excluding",
            "    pattern subscriptions(default: no channels).",
            "SHARDCHANNELS [<pattern>]",
            "    Return the currently active shard level channels matching a <pattern> (default: '*').",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Return the number of subscribers for the specified shard level channel(s)",
        ],
    );
}
