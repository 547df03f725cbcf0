//! Key specs, tips and documentation of Redis's `list` command group, as Redis
//! 7.0 reports them in COMMAND INFO and COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "blmove",
        key_specs: &[
            ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)),
            ks(RW | INSERT, idx(2), range(0, 1, 0)),
        ],
        args: &[
            a("source", Key).ks(0),
            a("destination", Key).ks(1),
            a("wherefrom", OneOf).sub(&[
                a("left", Token).token("LEFT"),
                a("right", Token).token("RIGHT"),
            ]),
            a("whereto", OneOf).sub(&[
                a("left", Token).token("LEFT"),
                a("right", Token).token("RIGHT"),
            ]),
            a("timeout", Double),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "blmpop",
        key_specs: &[ks(RW | ACCESS | DELETE, idx(2), keynum(0, 1, 1))],
        args: &[
            a("timeout", Double),
            a("numkeys", Int),
            a("key", Key).ks(0).multi(),
            a("where", OneOf).sub(&[
                a("left", Token).token("LEFT"),
                a("right", Token).token("RIGHT"),
            ]),
            a("count", Int).token("COUNT").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "blpop",
        key_specs: &[ks(RW | ACCESS | DELETE, idx(1), range(-2, 1, 0))],
        history: &[
            ("6.0.0", "The `timeout` may now be a double, not only an integer."),
        ],
        args: &[
            a("key", Key).ks(0).multi(),
            a("timeout", Double),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "brpop",
        key_specs: &[ks(RW | ACCESS | DELETE, idx(1), range(-2, 1, 0))],
        history: &[
            ("6.0.0", "The `timeout` may now be a double, not only an integer."),
        ],
        args: &[
            a("key", Key).ks(0).multi(),
            a("timeout", Double),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "brpoplpush",
        key_specs: &[
            ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)),
            ks(RW | INSERT, idx(2), range(0, 1, 0)),
        ],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`BLMOVE` with the `RIGHT` and `LEFT` arguments"),
        history: &[
            ("6.0.0", "The `timeout` may now be a double, not only an integer."),
        ],
        args: &[
            a("source", Key).ks(0),
            a("destination", Key).ks(1),
            a("timeout", Double),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "lindex",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("index", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "linsert",
        key_specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("where", OneOf).sub(&[
                a("before", Token).token("BEFORE"),
                a("after", Token).token("AFTER"),
            ]),
            a("pivot", Str),
            a("element", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "llen",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "lmove",
        key_specs: &[
            ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)),
            ks(RW | INSERT, idx(2), range(0, 1, 0)),
        ],
        args: &[
            a("source", Key).ks(0),
            a("destination", Key).ks(1),
            a("wherefrom", OneOf).sub(&[
                a("left", Token).token("LEFT"),
                a("right", Token).token("RIGHT"),
            ]),
            a("whereto", OneOf).sub(&[
                a("left", Token).token("LEFT"),
                a("right", Token).token("RIGHT"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "lmpop",
        key_specs: &[ks(RW | ACCESS | DELETE, idx(1), keynum(0, 1, 1))],
        args: &[
            a("numkeys", Int),
            a("key", Key).ks(0).multi(),
            a("where", OneOf).sub(&[
                a("left", Token).token("LEFT"),
                a("right", Token).token("RIGHT"),
            ]),
            a("count", Int).token("COUNT").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "lpop",
        key_specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0))],
        history: &[
            ("6.2.0", "New `count` argument."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("count", Int).since("6.2.0").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "lpos",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("element", Str),
            a("rank", Int).token("RANK").opt(),
            a("num-matches", Int).token("COUNT").opt(),
            a("len", Int).token("MAXLEN").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "lpush",
        key_specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        history: &[
            ("2.4.0", "Takes several elements."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("element", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "lpushx",
        key_specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        history: &[
            ("4.0.0", "Takes several elements."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("element", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "lrange",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("start", Int),
            a("stop", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "lrem",
        key_specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("count", Int),
            a("element", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "lset",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("index", Int),
            a("element", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "ltrim",
        key_specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("start", Int),
            a("stop", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "rpop",
        key_specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0))],
        history: &[
            ("6.2.0", "New `count` argument."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("count", Int).since("6.2.0").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "rpoplpush",
        key_specs: &[
            ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)),
            ks(RW | INSERT, idx(2), range(0, 1, 0)),
        ],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`LMOVE` with the `RIGHT` and `LEFT` arguments"),
        args: &[
            a("source", Key).ks(0),
            a("destination", Key).ks(1),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "rpush",
        key_specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        history: &[
            ("2.4.0", "Takes several elements."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("element", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "rpushx",
        key_specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        history: &[
            ("4.0.0", "Takes several elements."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("element", Str).multi(),
        ],
        ..EMPTY
    },
];
