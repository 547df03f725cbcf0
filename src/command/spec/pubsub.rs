//! Key specs, tips and documentation of Redis's `pubsub` command group, as Redis
//! 7.0 reports them in COMMAND INFO and COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "psubscribe",
        args: &[
            a("pattern", Block).multi().sub(&[
                a("pattern", Pattern),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "publish",
        args: &[
            a("channel", Str),
            a("message", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "pubsub",
        ..EMPTY
    },
    CommandSpec {
        name: "pubsub|channels",
        args: &[
            a("pattern", Pattern).opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "pubsub|help",
        ..EMPTY
    },
    CommandSpec {
        name: "pubsub|numpat",
        ..EMPTY
    },
    CommandSpec {
        name: "pubsub|numsub",
        args: &[
            a("channel", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "pubsub|shardchannels",
        args: &[
            a("pattern", Pattern).opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "pubsub|shardnumsub",
        args: &[
            a("shardchannel", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "punsubscribe",
        args: &[
            a("pattern", Pattern).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "spublish",
        key_specs: &[ks(NOT_KEY, idx(1), range(0, 1, 0))],
        args: &[
            a("shardchannel", Str),
            a("message", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "ssubscribe",
        key_specs: &[ks(NOT_KEY, idx(1), range(-1, 1, 0))],
        args: &[
            a("shardchannel", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "subscribe",
        args: &[
            a("channel", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "sunsubscribe",
        key_specs: &[ks(NOT_KEY, idx(1), range(-1, 1, 0))],
        args: &[
            a("shardchannel", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "unsubscribe",
        args: &[
            a("channel", Str).opt().multi(),
        ],
        ..EMPTY
    },
];
