//! Key specs, tips and documentation of the commands of Redis's `sorted-set` group
//! that oxidis does not serve yet, as Redis 7.0 reports them in COMMAND INFO and
//! COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "bzmpop",
        key_specs: &[ks(RW | ACCESS | DELETE, idx(2), keynum(0, 1, 1))],
        args: &[
            a("timeout", Double),
            a("numkeys", Int),
            a("key", Key).ks(0).multi(),
            a("where", OneOf).sub(&[
                a("min", Token).token("MIN"),
                a("max", Token).token("MAX"),
            ]),
            a("count", Int).token("COUNT").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "bzpopmax",
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
        name: "bzpopmin",
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
        name: "zadd",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        history: &[
            ("2.4.0", "Takes several score/member pairs."),
            ("3.0.2", "New `XX`, `NX`, `CH` and `INCR` options."),
            ("6.2.0", "New `GT` and `LT` options."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("condition", OneOf).since("3.0.2").opt().sub(&[
                a("nx", Token).token("NX"),
                a("xx", Token).token("XX"),
            ]),
            a("comparison", OneOf).since("6.2.0").opt().sub(&[
                a("gt", Token).token("GT"),
                a("lt", Token).token("LT"),
            ]),
            a("change", Token).token("CH").since("3.0.2").opt(),
            a("increment", Token).token("INCR").since("3.0.2").opt(),
            a("score_member", Block).multi().sub(&[
                a("score", Double),
                a("member", Str),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zcard",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zcount",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("min", Double),
            a("max", Double),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zdiff",
        key_specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        args: &[
            a("numkeys", Int),
            a("key", Key).ks(0).multi(),
            a("withscores", Token).token("WITHSCORES").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zdiffstore",
        key_specs: &[
            ks(OW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), keynum(0, 1, 1)),
        ],
        args: &[
            a("destination", Key).ks(0),
            a("numkeys", Int),
            a("key", Key).ks(1).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zincrby",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("increment", Int),
            a("member", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zinter",
        key_specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        args: &[
            a("numkeys", Int),
            a("key", Key).ks(0).multi(),
            a("weight", Int).token("WEIGHTS").opt().multi(),
            a("aggregate", OneOf).token("AGGREGATE").opt().sub(&[
                a("sum", Token).token("SUM"),
                a("min", Token).token("MIN"),
                a("max", Token).token("MAX"),
            ]),
            a("withscores", Token).token("WITHSCORES").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zintercard",
        key_specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        args: &[
            a("numkeys", Int),
            a("key", Key).ks(0).multi(),
            a("limit", Int).token("LIMIT").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zinterstore",
        key_specs: &[
            ks(OW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), keynum(0, 1, 1)),
        ],
        args: &[
            a("destination", Key).ks(0),
            a("numkeys", Int),
            a("key", Key).ks(1).multi(),
            a("weight", Int).token("WEIGHTS").opt().multi(),
            a("aggregate", OneOf).token("AGGREGATE").opt().sub(&[
                a("sum", Token).token("SUM"),
                a("min", Token).token("MIN"),
                a("max", Token).token("MAX"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zlexcount",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("min", Str),
            a("max", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zmpop",
        key_specs: &[ks(RW | ACCESS | DELETE, idx(1), keynum(0, 1, 1))],
        args: &[
            a("numkeys", Int),
            a("key", Key).ks(0).multi(),
            a("where", OneOf).sub(&[
                a("min", Token).token("MIN"),
                a("max", Token).token("MAX"),
            ]),
            a("count", Int).token("COUNT").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zmscore",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("member", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zpopmax",
        key_specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("count", Int).opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zpopmin",
        key_specs: &[ks(RW | ACCESS | DELETE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("count", Int).opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zrandmember",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        args: &[
            a("key", Key).ks(0),
            a("options", Block).opt().sub(&[
                a("count", Int),
                a("withscores", Token).token("WITHSCORES").opt(),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zrange",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        history: &[
            ("6.2.0", "New `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("start", Str),
            a("stop", Str),
            a("sortby", OneOf).since("6.2.0").opt().sub(&[
                a("byscore", Token).token("BYSCORE"),
                a("bylex", Token).token("BYLEX"),
            ]),
            a("rev", Token).token("REV").since("6.2.0").opt(),
            a("offset_count", Block).token("LIMIT").since("6.2.0").opt().sub(&[
                a("offset", Int),
                a("count", Int),
            ]),
            a("withscores", Token).token("WITHSCORES").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zrangebylex",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `BYLEX` argument"),
        args: &[
            a("key", Key).ks(0),
            a("min", Str),
            a("max", Str),
            a("offset_count", Block).token("LIMIT").opt().sub(&[
                a("offset", Int),
                a("count", Int),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zrangebyscore",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `BYSCORE` argument"),
        history: &[
            ("2.0.0", "New `WITHSCORES` modifier."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("min", Double),
            a("max", Double),
            a("withscores", Token).token("WITHSCORES").since("2.0.0").opt(),
            a("offset_count", Block).token("LIMIT").opt().sub(&[
                a("offset", Int),
                a("count", Int),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zrangestore",
        key_specs: &[
            ks(OW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), range(0, 1, 0)),
        ],
        args: &[
            a("dst", Key).ks(0),
            a("src", Key).ks(1),
            a("min", Str),
            a("max", Str),
            a("sortby", OneOf).opt().sub(&[
                a("byscore", Token).token("BYSCORE"),
                a("bylex", Token).token("BYLEX"),
            ]),
            a("rev", Token).token("REV").opt(),
            a("offset_count", Block).token("LIMIT").opt().sub(&[
                a("offset", Int),
                a("count", Int),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zrank",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("member", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zrem",
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
        name: "zremrangebylex",
        key_specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("min", Str),
            a("max", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zremrangebyrank",
        key_specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("start", Int),
            a("stop", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zremrangebyscore",
        key_specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("min", Double),
            a("max", Double),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zrevrange",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `REV` argument"),
        args: &[
            a("key", Key).ks(0),
            a("start", Int),
            a("stop", Int),
            a("withscores", Token).token("WITHSCORES").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zrevrangebylex",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `REV` and `BYLEX` arguments"),
        args: &[
            a("key", Key).ks(0),
            a("max", Str),
            a("min", Str),
            a("offset_count", Block).token("LIMIT").opt().sub(&[
                a("offset", Int),
                a("count", Int),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zrevrangebyscore",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("6.2.0"),
        replaced_by: Some("`ZRANGE` with the `REV` and `BYSCORE` arguments"),
        history: &[
            ("2.1.6", "`min` and `max` may be exclusive."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("max", Double),
            a("min", Double),
            a("withscores", Token).token("WITHSCORES").opt(),
            a("offset_count", Block).token("LIMIT").opt().sub(&[
                a("offset", Int),
                a("count", Int),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zrevrank",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("member", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zscan",
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
        name: "zscore",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("member", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zunion",
        key_specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        args: &[
            a("numkeys", Int),
            a("key", Key).ks(0).multi(),
            a("weight", Int).token("WEIGHTS").opt().multi(),
            a("aggregate", OneOf).token("AGGREGATE").opt().sub(&[
                a("sum", Token).token("SUM"),
                a("min", Token).token("MIN"),
                a("max", Token).token("MAX"),
            ]),
            a("withscores", Token).token("WITHSCORES").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "zunionstore",
        key_specs: &[
            ks(OW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), keynum(0, 1, 1)),
        ],
        args: &[
            a("destination", Key).ks(0),
            a("numkeys", Int),
            a("key", Key).ks(1).multi(),
            a("weight", Int).token("WEIGHTS").opt().multi(),
            a("aggregate", OneOf).token("AGGREGATE").opt().sub(&[
                a("sum", Token).token("SUM"),
                a("min", Token).token("MIN"),
                a("max", Token).token("MAX"),
            ]),
        ],
        ..EMPTY
    },
];
