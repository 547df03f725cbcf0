//! Replication commands (Redis's replication.c): SYNC, PSYNC and REPLCONF, the
//! master side only (repl/master.rs does the work), and WAIT (repl/wait.rs;
//! Redis files it in the `generic` group).

use super::{acl, flags as f, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::repl::master;
use crate::server::Server;

const SYNC_FLAGS: u64 = f::ADMIN | f::NOSCRIPT | f::NO_ASYNC_LOADING | f::NO_MULTI;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "sync", handler: sync_command, arity: 1, flags: SYNC_FLAGS, acl: 0,
        group: "server", since: "1.0.0", summary: "Internal command used for replication",
        complexity: "",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "psync", handler: psync_command, arity: -3, flags: SYNC_FLAGS, acl: 0,
        group: "server", since: "2.8.0", summary: "Internal command used for replication",
        complexity: "",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("replicationid", Str), a("offset", Int)], subcommands: &[],
    },
    Command {
        name: "replconf", handler: replconf_command, arity: -1, flags: f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE | f::ALLOW_BUSY, acl: 0,
        group: "server", since: "3.0.0", summary: "An internal command for configuring the replication stream",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: DOC_SYSCMD, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "wait", handler: wait_command, arity: 3, flags: f::NOSCRIPT, acl: acl::CONNECTION,
        group: "generic", since: "3.0.0", summary: "Wait for the synchronous replication of all the write commands sent in the context of the current connection",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["request_policy:all_shards", "response_policy:agg_min"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("numreplicas", Int), a("timeout", Int)], subcommands: &[],
    },
];

/// SYNC
pub fn sync_command(srv: &mut Server, c: &mut Client) {
    master::sync_command(srv, c, false);
}

/// PSYNC replicationid offset
pub fn psync_command(srv: &mut Server, c: &mut Client) {
    master::sync_command(srv, c, true);
}

/// REPLCONF option value [option value ...]
pub fn replconf_command(srv: &mut Server, c: &mut Client) {
    master::replconf_command(srv, c);
}

/// WAIT numreplicas timeout
pub fn wait_command(srv: &mut Server, c: &mut Client) {
    crate::repl::wait::wait_command(srv, c);
}
