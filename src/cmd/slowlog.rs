//! SLOWLOG (Redis's slowlog.c): reading and resetting the slow log that
//! [`super::observe::after_call`] fills (the log itself is `crate::slowlog`).

use super::subcommand_syntax_error;
use super::{container_command, flags as f, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::server::Server;

const ADMIN: u64 = f::ADMIN | f::LOADING | f::STALE;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "slowlog", handler: container_command, arity: -2, flags: 0, acl: 0,
        group: "server", since: "2.2.12", summary: "A container for slow log commands",
        complexity: "Depends on subcommand.",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[],
        subcommands: SLOWLOG_SUBCOMMANDS,
    },

];

#[rustfmt::skip]
const SLOWLOG_SUBCOMMANDS: &[Command] = &[
    Command {
        name: "get", handler: slowlog_get_command, arity: -2, flags: ADMIN, acl: 0,
        group: "server", since: "2.2.12", summary: "Get the slow log's entries",
        complexity: "O(N) where N is the number of entries returned",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["request_policy:all_nodes", "nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("4.0.0", "Entries include the client's address and name."),
        ],
        args: &[a("count", Int).opt()], subcommands: &[],
    },
    Command {
        name: "len", handler: slowlog_len_command, arity: 2, flags: ADMIN, acl: 0,
        group: "server", since: "2.2.12", summary: "Get the slow log's length",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "help", handler: slowlog_help_command, arity: 2, flags: f::LOADING | f::STALE, acl: 0,
        group: "server", since: "6.2.0", summary: "Show helpful text about the different subcommands",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "reset", handler: slowlog_reset_command, arity: 2, flags: ADMIN, acl: 0,
        group: "server", since: "2.2.12", summary: "Clear all entries from the slow log",
        complexity: "O(N) where N is the number of entries in the slowlog",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },

];

/// SLOWLOG GET \[count\]
pub fn slowlog_get_command(srv: &mut Server, c: &mut Client) {
    if c.argv.len() > 3 {
        return subcommand_syntax_error(c);
    }
    let mut count = 10usize;
    if c.argv.len() == 3 {
        match crate::util::number::parse_i64(&c.argv[2]) {
            Some(-1) => count = srv.slowlog.len(),
            Some(n) if n >= 0 => count = n as usize,
            _ => {
                c.add_error("ERR count should be greater than or equal to -1");
                return;
            }
        }
    }
    let entries: Vec<_> = srv.slowlog.iter().take(count).cloned().collect();
    c.add_array_len(entries.len());
    for e in entries {
        c.add_array_len(6);
        c.add_int(e.id as i64);
        c.add_int(e.time);
        c.add_int(e.duration as i64);
        c.add_array_len(e.argv.len());
        for a in &e.argv {
            c.add_bulk(a);
        }
        c.add_bulk(e.peer.as_bytes());
        c.add_bulk(&e.cname);
    }
}

/// SLOWLOG LEN
pub fn slowlog_len_command(srv: &mut Server, c: &mut Client) {
    c.add_int(srv.slowlog.len() as i64);
}

/// SLOWLOG RESET
pub fn slowlog_reset_command(srv: &mut Server, c: &mut Client) {
    srv.slowlog.reset();
    c.add_ok();
}

/// SLOWLOG HELP
pub fn slowlog_help_command(_: &mut Server, c: &mut Client) {
    c.add_help(
        "SLOWLOG",
        &[
            "GET [<count>]",
            "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
            "    Entries are made of:",
            "    id, timestamp, time in microseconds, arguments array, client IP and port,",
            "    client name",
            "LEN",
            "    Return the length of the slowlog.",
            "RESET",
            "    Reset the slowlog.",
        ],
    );
}
