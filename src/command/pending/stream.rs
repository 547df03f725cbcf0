//! Key specs, tips and documentation of the commands of Redis's `stream` group
//! that oxidis does not serve yet, as Redis 7.0 reports them in COMMAND INFO and
//! COMMAND DOCS (history in our own words). Every stream command is served now
//! (`cmd/stream.rs`, `cmd/stream/`); the list stays for the table test.

use super::*;

pub const SPECS: &[CommandSpec] = &[];
