//! Key specs, tips and documentation of the commands of Redis's `generic` group
//! that oxidis does not serve yet, as Redis 7.0 reports them in COMMAND INFO and
//! COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "wait",
        tips: &["request_policy:all_shards", "response_policy:agg_min"],
        args: &[
            a("numreplicas", Int),
            a("timeout", Int),
        ],
        ..EMPTY
    },
];
