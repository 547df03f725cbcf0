//! Key specs, tips and documentation of Redis's `transactions` command group, as Redis
//! 7.0 reports them in COMMAND INFO and COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "discard",
        ..EMPTY
    },
    CommandSpec {
        name: "exec",
        ..EMPTY
    },
    CommandSpec {
        name: "multi",
        ..EMPTY
    },
    CommandSpec {
        name: "unwatch",
        ..EMPTY
    },
    CommandSpec {
        name: "watch",
        key_specs: &[ks(RO, idx(1), range(-1, 1, 0))],
        args: &[
            a("key", Key).ks(0).multi(),
        ],
        ..EMPTY
    },
];
