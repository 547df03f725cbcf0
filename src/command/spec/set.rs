//! Key specs, tips and documentation of Redis's `set` command group, as Redis
//! 7.0 reports them in COMMAND INFO and COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "sadd",
        key_specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        history: &[
            ("2.4.0", "Takes several members."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("member", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "scard",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "sdiff",
        key_specs: &[ks(RO | ACCESS, idx(1), range(-1, 1, 0))],
        tips: &["nondeterministic_output_order"],
        args: &[
            a("key", Key).ks(0).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "sdiffstore",
        key_specs: &[
            ks(OW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), range(-1, 1, 0)),
        ],
        args: &[
            a("destination", Key).ks(0),
            a("key", Key).ks(1).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "sinter",
        key_specs: &[ks(RO | ACCESS, idx(1), range(-1, 1, 0))],
        tips: &["nondeterministic_output_order"],
        args: &[
            a("key", Key).ks(0).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "sintercard",
        key_specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        args: &[
            a("numkeys", Int),
            a("key", Key).ks(0).multi(),
            a("limit", Int).token("LIMIT").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "sinterstore",
        key_specs: &[
            ks(RW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), range(-1, 1, 0)),
        ],
        args: &[
            a("destination", Key).ks(0),
            a("key", Key).ks(1).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "sismember",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("member", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "smembers",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output_order"],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "smismember",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("member", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "smove",
        key_specs: &[
            ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)),
            ks(RW | INSERT, idx(2), range(0, 1, 0)),
        ],
        args: &[
            a("source", Key).ks(0),
            a("destination", Key).ks(1),
            a("member", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "spop",
        key_specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        history: &[
            ("3.2.0", "New `count` argument."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("count", Int).since("3.2.0").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "srandmember",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        history: &[
            ("2.6.0", "New optional `count` argument."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("count", Int).since("2.6.0").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "srem",
        key_specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        history: &[
            ("2.4.0", "Takes several members."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("member", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "sscan",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        args: &[
            a("key", Key).ks(0),
            a("cursor", Int),
            a("pattern", Pattern).token("MATCH").opt(),
            a("count", Int).token("COUNT").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "sunion",
        key_specs: &[ks(RO | ACCESS, idx(1), range(-1, 1, 0))],
        tips: &["nondeterministic_output_order"],
        args: &[
            a("key", Key).ks(0).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "sunionstore",
        key_specs: &[
            ks(OW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), range(-1, 1, 0)),
        ],
        args: &[
            a("destination", Key).ks(0),
            a("key", Key).ks(1).multi(),
        ],
        ..EMPTY
    },
];
