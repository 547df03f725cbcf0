//! Key specs, tips and documentation of Redis's `generic` command group, as Redis
//! 7.0 reports them in COMMAND INFO and COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "copy",
        key_specs: &[
            ks(RO | ACCESS, idx(1), range(0, 1, 0)),
            ks(OW | UPDATE, idx(2), range(0, 1, 0)),
        ],
        args: &[
            a("source", Key).ks(0),
            a("destination", Key).ks(1),
            a("destination-db", Int).token("DB").opt(),
            a("replace", Token).token("REPLACE").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "del",
        key_specs: &[ks(RM | DELETE, idx(1), range(-1, 1, 0))],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        args: &[
            a("key", Key).ks(0).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "dump",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "exists",
        key_specs: &[ks(RO, idx(1), range(-1, 1, 0))],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        history: &[
            ("3.0.3", "Takes several keys."),
        ],
        args: &[
            a("key", Key).ks(0).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "expire",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        history: &[
            ("7.0.0", "New `NX`, `XX`, `GT` and `LT` conditions."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("seconds", Int),
            a("condition", OneOf).since("7.0.0").opt().sub(&[
                a("nx", Token).token("NX"),
                a("xx", Token).token("XX"),
                a("gt", Token).token("GT"),
                a("lt", Token).token("LT"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "expireat",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        history: &[
            ("7.0.0", "New `NX`, `XX`, `GT` and `LT` conditions."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("unix-time-seconds", UnixTime),
            a("condition", OneOf).since("7.0.0").opt().sub(&[
                a("nx", Token).token("NX"),
                a("xx", Token).token("XX"),
                a("gt", Token).token("GT"),
                a("lt", Token).token("LT"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "expiretime",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "keys",
        tips: &["request_policy:all_shards", "nondeterministic_output_order"],
        args: &[
            a("pattern", Pattern),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "migrate",
        key_specs: &[
            ks(RW | ACCESS | DELETE, idx(3), range(0, 1, 0)),
            ks(RW | ACCESS | DELETE | INCOMPLETE, kw("KEYS", -2), range(-1, 1, 0)),
        ],
        tips: &["nondeterministic_output"],
        getkeys: GetKeys::Migrate,
        history: &[
            ("3.0.0", "New `COPY` and `REPLACE` options."),
            ("3.0.6", "New `KEYS` option."),
            ("4.0.7", "New `AUTH` option."),
            ("6.0.0", "New `AUTH2` option."),
        ],
        args: &[
            a("host", Str),
            a("port", Int),
            a("key_or_empty_string", OneOf).sub(&[
                a("key", Key).ks(0),
                a("empty_string", Token).token(""),
            ]),
            a("destination-db", Int),
            a("timeout", Int),
            a("copy", Token).token("COPY").since("3.0.0").opt(),
            a("replace", Token).token("REPLACE").since("3.0.0").opt(),
            a("authentication", OneOf).opt().sub(&[
                a("password", Str).token("AUTH").since("4.0.7").opt(),
                a("username_password", Block).token("AUTH2").since("6.0.0").opt().sub(&[
                    a("username", Str),
                    a("password", Str),
                ]),
            ]),
            a("key", Key).ks(1).token("KEYS").since("3.0.6").opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "move",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("db", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "object",
        ..EMPTY
    },
    CommandSpec {
        name: "object|encoding",
        key_specs: &[ks(RO, idx(2), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "object|freq",
        key_specs: &[ks(RO, idx(2), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "object|help",
        ..EMPTY
    },
    CommandSpec {
        name: "object|idletime",
        key_specs: &[ks(RO, idx(2), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "object|refcount",
        key_specs: &[ks(RO, idx(2), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "persist",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "pexpire",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        history: &[
            ("7.0.0", "New `NX`, `XX`, `GT` and `LT` conditions."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("milliseconds", Int),
            a("condition", OneOf).since("7.0.0").opt().sub(&[
                a("nx", Token).token("NX"),
                a("xx", Token).token("XX"),
                a("gt", Token).token("GT"),
                a("lt", Token).token("LT"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "pexpireat",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        history: &[
            ("7.0.0", "New `NX`, `XX`, `GT` and `LT` conditions."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("unix-time-milliseconds", UnixTime),
            a("condition", OneOf).since("7.0.0").opt().sub(&[
                a("nx", Token).token("NX"),
                a("xx", Token).token("XX"),
                a("gt", Token).token("GT"),
                a("lt", Token).token("LT"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "pexpiretime",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "pttl",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        history: &[
            ("2.8.0", "Replies -2 for a missing key."),
        ],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "randomkey",
        tips: &["request_policy:all_shards", "nondeterministic_output"],
        ..EMPTY
    },
    CommandSpec {
        name: "rename",
        key_specs: &[
            ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)),
            ks(OW | UPDATE, idx(2), range(0, 1, 0)),
        ],
        args: &[
            a("key", Key).ks(0),
            a("newkey", Key).ks(1),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "renamenx",
        key_specs: &[
            ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0)),
            ks(OW | INSERT, idx(2), range(0, 1, 0)),
        ],
        history: &[
            ("3.2.0", "Same source and destination is no longer an error."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("newkey", Key).ks(1),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "restore",
        key_specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0))],
        history: &[
            ("3.0.0", "New `REPLACE` modifier."),
            ("5.0.0", "New `ABSTTL` modifier."),
            ("5.0.0", "New `IDLETIME` and `FREQ` options."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("ttl", Int),
            a("serialized-value", Str),
            a("replace", Token).token("REPLACE").since("3.0.0").opt(),
            a("absttl", Token).token("ABSTTL").since("5.0.0").opt(),
            a("seconds", Int).token("IDLETIME").since("5.0.0").opt(),
            a("frequency", Int).token("FREQ").since("5.0.0").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "scan",
        tips: &["nondeterministic_output", "request_policy:special"],
        history: &[
            ("6.0.0", "New `TYPE` filter."),
        ],
        args: &[
            a("cursor", Int),
            a("pattern", Pattern).token("MATCH").opt(),
            a("count", Int).token("COUNT").opt(),
            a("type", Str).token("TYPE").since("6.0.0").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "sort",
        key_specs: &[
            ks(RO | ACCESS, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, BS_UNKNOWN, FK_UNKNOWN).notes("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"),
            ks(OW | UPDATE, BS_UNKNOWN, FK_UNKNOWN).notes("For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array"),
        ],
        getkeys: GetKeys::Sort,
        args: &[
            a("key", Key).ks(0),
            a("pattern", Pattern).ks(1).token("BY").opt(),
            a("offset_count", Block).token("LIMIT").opt().sub(&[
                a("offset", Int),
                a("count", Int),
            ]),
            a("pattern", Pattern).ks(1).token("GET").opt().multi().multi_token(),
            a("order", OneOf).opt().sub(&[
                a("asc", Token).token("ASC"),
                a("desc", Token).token("DESC"),
            ]),
            a("sorting", Token).token("ALPHA").opt(),
            a("destination", Key).ks(2).token("STORE").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "sort_ro",
        key_specs: &[
            ks(RO | ACCESS, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, BS_UNKNOWN, FK_UNKNOWN).notes("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"),
        ],
        getkeys: GetKeys::SortRo,
        args: &[
            a("key", Key).ks(0),
            a("pattern", Pattern).ks(1).token("BY").opt(),
            a("offset_count", Block).token("LIMIT").opt().sub(&[
                a("offset", Int),
                a("count", Int),
            ]),
            a("pattern", Pattern).ks(1).token("GET").opt().multi().multi_token(),
            a("order", OneOf).opt().sub(&[
                a("asc", Token).token("ASC"),
                a("desc", Token).token("DESC"),
            ]),
            a("sorting", Token).token("ALPHA").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "touch",
        key_specs: &[ks(RO, idx(1), range(-1, 1, 0))],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        args: &[
            a("key", Key).ks(0).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "ttl",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        history: &[
            ("2.8.0", "Replies -2 for a missing key."),
        ],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "type",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "unlink",
        key_specs: &[ks(RM | DELETE, idx(1), range(-1, 1, 0))],
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        args: &[
            a("key", Key).ks(0).multi(),
        ],
        ..EMPTY
    },
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
