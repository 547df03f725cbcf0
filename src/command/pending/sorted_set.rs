//! Key specs, tips and documentation of the commands of Redis's `sorted-set` group
//! that oxidis does not serve yet, as Redis 7.0 reports them in COMMAND INFO and
//! COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
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
