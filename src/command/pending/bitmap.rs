//! Key specs, tips and documentation of the commands of Redis's `bitmap` group
//! that oxidis does not serve yet: none (all seven live in `cmd/bitops.rs`).

use super::*;

pub const SPECS: &[CommandSpec] = &[];
