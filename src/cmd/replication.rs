//! Replication commands (Redis's replication.c): SYNC, PSYNC and REPLCONF, the
//! master side only (repl/master.rs does the work).

use super::{cmd, flags as f, Command};
use crate::client::Client;
use crate::repl::master;
use crate::server::Server;

const SYNC_FLAGS: u64 = f::ADMIN | f::NOSCRIPT | f::NO_ASYNC_LOADING | f::NO_MULTI;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("sync", sync_command, 1, SYNC_FLAGS, 0, (0, 0, 0), "server", "1.0.0",
        "Internal command used for replication", ""),
    cmd("psync", psync_command, -3, SYNC_FLAGS, 0, (0, 0, 0), "server", "2.8.0",
        "Internal command used for replication", ""),
    cmd("replconf", replconf_command, -1,
        f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE | f::ALLOW_BUSY, 0, (0, 0, 0), "server",
        "3.0.0", "An internal command for configuring the replication stream", "O(1)"),
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
