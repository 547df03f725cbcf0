//! Key specs, tips and documentation of the commands of Redis's `hyperloglog` group
//! that oxidis does not serve yet: none (all five live in `cmd/hyperloglog.rs`).

use super::*;

pub const SPECS: &[CommandSpec] = &[];
