//! Key specs, tips and documentation of the commands of Redis's `generic` group
//! that oxidis does not serve yet, as Redis 7.0 reports them in COMMAND INFO and
//! COMMAND DOCS (history in our own words). WAIT, the last one, is served
//! now (cmd/replication.rs).

use super::*;

pub const SPECS: &[CommandSpec] = &[];
