//! Replication commands (Redis's replication.c): SYNC, PSYNC and REPLCONF
//! (repl/master.rs does the work), REPLICAOF / SLAVEOF and ROLE
//! (repl/replica.rs), and WAIT (repl/wait.rs; Redis files it in the
//! `generic` group).

use super::{acl, flags as f, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::repl::{master, replica};
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
        name: "replicaof", handler: replicaof_command, arity: 3, flags: f::ADMIN | f::NOSCRIPT | f::STALE | f::NO_ASYNC_LOADING, acl: 0,
        group: "server", since: "5.0.0", summary: "Make the server a replica of another instance, or promote it as master.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("args", OneOf).sub(&[
            a("host-port", Block).sub(&[a("host", Str), a("port", Int)]),
            a("no-one", Block).sub(&[a("no", Token).token("NO"), a("one", Token).token("ONE")]),
        ])], subcommands: &[],
    },
    Command {
        name: "slaveof", handler: replicaof_command, arity: 3, flags: f::ADMIN | f::NOSCRIPT | f::STALE | f::NO_ASYNC_LOADING, acl: 0,
        group: "server", since: "1.0.0", summary: "Make the server a replica of another instance, or promote it as master.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: DOC_DEPRECATED, deprecated_since: Some("5.0.0"), replaced_by: Some("`REPLICAOF`"), history: &[],
        args: &[a("args", OneOf).sub(&[
            a("host-port", Block).sub(&[a("host", Str), a("port", Int)]),
            a("no-one", Block).sub(&[a("no", Token).token("NO"), a("one", Token).token("ONE")]),
        ])], subcommands: &[],
    },
    Command {
        name: "role", handler: role_command, arity: 1, flags: f::NOSCRIPT | f::LOADING | f::STALE | f::FAST, acl: acl::ADMIN | acl::DANGEROUS,
        group: "server", since: "2.8.12", summary: "Return the role of the instance in the context of replication",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
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

/// REPLICAOF host port | NO ONE (Redis's replicaofCommand).
pub fn replicaof_command(srv: &mut Server, c: &mut Client) {
    if c.argv[1].eq_ignore_ascii_case(b"no") && c.argv[2].eq_ignore_ascii_case(b"one") {
        if srv.master.is_some() {
            replica::unset_master(srv);
            log::info!(
                "MASTER MODE enabled (user request from '{}')",
                crate::client::info::client_info_line(c, srv.now_ms)
            );
        }
        return c.add_ok();
    }
    if crate::client::repl::is_replica(c) {
        return c.add_error("ERR Command is not valid when client is a replica.");
    }
    let port = match crate::util::number::parse_i64(&c.argv[2]) {
        Some(p) if (0..=65535).contains(&p) => p as u16,
        _ => return c.add_error("ERR Invalid master port"),
    };
    let host = String::from_utf8_lossy(&c.argv[1]).into_owned();
    if let Some(m) = srv.master.as_deref() {
        if m.host.eq_ignore_ascii_case(&host) && m.port == port {
            log::info!("REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.");
            return c.add_raw(b"+OK Already connected to specified master\r\n");
        }
    }
    replica::set_master(srv, &host, port);
    log::info!(
        "REPLICAOF {host}:{port} enabled (user request from '{}')",
        crate::client::info::client_info_line(c, srv.now_ms)
    );
    c.add_ok();
}

/// ROLE (Redis's roleCommand).
pub fn role_command(srv: &mut Server, c: &mut Client) {
    if srv.master.is_some() {
        return replica::role_reply(srv, c);
    }
    master::role_reply(srv, c);
}

/// WAIT numreplicas timeout
pub fn wait_command(srv: &mut Server, c: &mut Client) {
    crate::repl::wait::wait_command(srv, c);
}
