//! SLOWLOG (Redis's slowlog.c): reading and resetting the slow log that
//! [`super::observe::after_call`] fills (the log itself is `crate::slowlog`).

use super::observe::subcommand_syntax_error;
use super::{cmd, container_command, flags as f, Command};
use crate::client::Client;
use crate::server::Server;

const ADMIN: u64 = f::ADMIN | f::LOADING | f::STALE;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        subcommands: SLOWLOG_SUBCOMMANDS,
        ..cmd("slowlog", container_command, -2, 0, 0, (0, 0, 0), "server", "2.2.12",
            "A container for slow log commands", "Depends on subcommand.")
    },
];

#[rustfmt::skip]
const SLOWLOG_SUBCOMMANDS: &[Command] = &[
    cmd("get", slowlog_get_command, -2, ADMIN, 0, (0, 0, 0), "server", "2.2.12",
        "Get the slow log's entries", "O(N) where N is the number of entries returned"),
    cmd("len", slowlog_len_command, 2, ADMIN, 0, (0, 0, 0), "server", "2.2.12",
        "Get the slow log's length", "O(1)"),
    cmd("help", slowlog_help_command, 2, f::LOADING | f::STALE, 0, (0, 0, 0), "server", "6.2.0",
        "Show helpful text about the different subcommands", "O(1)"),
    cmd("reset", slowlog_reset_command, 2, ADMIN, 0, (0, 0, 0), "server", "2.2.12",
        "Clear all entries from the slow log", "O(N) where N is the number of entries in the slowlog"),
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
