//! Key specs, tips and documentation of Redis's `hash` command group, as Redis
//! 7.0 reports them in COMMAND INFO and COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "hdel",
        key_specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        history: &[
            ("2.4.0", "Takes several fields."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("field", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hexists",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("field", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hget",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("field", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hgetall",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output_order"],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hincrby",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("field", Str),
            a("increment", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hincrbyfloat",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("field", Str),
            a("increment", Double),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hkeys",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output_order"],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hlen",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hmget",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("field", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hmset",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("4.0.0"),
        replaced_by: Some("`HSET` with multiple field-value pairs"),
        args: &[
            a("key", Key).ks(0),
            a("field_value", Block).multi().sub(&[
                a("field", Str),
                a("value", Str),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hrandfield",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        args: &[
            a("key", Key).ks(0),
            a("options", Block).opt().sub(&[
                a("count", Int),
                a("withvalues", Token).token("WITHVALUES").opt(),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hscan",
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
        name: "hset",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        history: &[
            ("4.0.0", "Takes several field/value pairs."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("field_value", Block).multi().sub(&[
                a("field", Str),
                a("value", Str),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hsetnx",
        key_specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("field", Str),
            a("value", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hstrlen",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("field", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hvals",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output_order"],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
];
