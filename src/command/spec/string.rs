//! Key specs, tips and documentation of Redis's `string` command group, as Redis
//! 7.0 reports them in COMMAND INFO and COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "append",
        key_specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("value", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "decr",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "decrby",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("decrement", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "get",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "getdel",
        key_specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "getex",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0)).notes("RW and UPDATE because it changes the TTL")],
        args: &[
            a("key", Key).ks(0),
            a("expiration", OneOf).opt().sub(&[
                a("seconds", Int).token("EX"),
                a("milliseconds", Int).token("PX"),
                a("unix-time-seconds", UnixTime).token("EXAT"),
                a("unix-time-milliseconds", UnixTime).token("PXAT"),
                a("persist", Token).token("PERSIST"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "getrange",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("start", Int),
            a("end", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "getset",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`SET` with the `!GET` argument"),
        args: &[
            a("key", Key).ks(0),
            a("value", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "incr",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "incrby",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("increment", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "incrbyfloat",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("increment", Double),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "lcs",
        key_specs: &[ks(RO | ACCESS, idx(1), range(1, 1, 0))],
        args: &[
            a("key1", Key).ks(0),
            a("key2", Key).ks(0),
            a("len", Token).token("LEN").opt(),
            a("idx", Token).token("IDX").opt(),
            a("len", Int).token("MINMATCHLEN").opt(),
            a("withmatchlen", Token).token("WITHMATCHLEN").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "mget",
        key_specs: &[ks(RO | ACCESS, idx(1), range(-1, 1, 0))],
        tips: &["request_policy:multi_shard"],
        args: &[
            a("key", Key).ks(0).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "mset",
        key_specs: &[ks(OW | UPDATE, idx(1), range(-1, 2, 0))],
        tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
        args: &[
            a("key_value", Block).multi().sub(&[
                a("key", Key).ks(0),
                a("value", Str),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "msetnx",
        key_specs: &[ks(OW | INSERT, idx(1), range(-1, 2, 0))],
        tips: &["request_policy:multi_shard", "response_policy:agg_min"],
        args: &[
            a("key_value", Block).multi().sub(&[
                a("key", Key).ks(0),
                a("value", Str),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "psetex",
        key_specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("milliseconds", Int),
            a("value", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "set",
        key_specs: &[ks(RW | ACCESS | UPDATE | VARIABLE_FLAGS, idx(1), range(0, 1, 0)).notes("RW and ACCESS due to the optional `GET` argument")],
        getkeys: GetKeys::Set,
        history: &[
            ("2.6.12", "New `EX`, `PX`, `NX` and `XX` options."),
            ("6.0.0", "New `KEEPTTL` option."),
            ("6.2.0", "New `GET`, `EXAT` and `PXAT` options."),
            ("7.0.0", "`NX` and `GET` may be combined."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("value", Str),
            a("condition", OneOf).since("2.6.12").opt().sub(&[
                a("nx", Token).token("NX"),
                a("xx", Token).token("XX"),
            ]),
            a("get", Token).token("GET").since("6.2.0").opt(),
            a("expiration", OneOf).opt().sub(&[
                a("seconds", Int).token("EX").since("2.6.12"),
                a("milliseconds", Int).token("PX").since("2.6.12"),
                a("unix-time-seconds", UnixTime).token("EXAT").since("6.2.0"),
                a("unix-time-milliseconds", UnixTime).token("PXAT").since("6.2.0"),
                a("keepttl", Token).token("KEEPTTL").since("6.0.0"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "setex",
        key_specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("seconds", Int),
            a("value", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "setnx",
        key_specs: &[ks(OW | INSERT, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("value", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "setrange",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("offset", Int),
            a("value", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "strlen",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "substr",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("2.0.0"),
        replaced_by: Some("`GETRANGE`"),
        args: &[
            a("key", Key).ks(0),
            a("start", Int),
            a("end", Int),
        ],
        ..EMPTY
    },
];
