//! Key specs, tips and documentation of the commands of Redis's `bitmap` group
//! that oxidis does not serve yet, as Redis 7.0 reports them in COMMAND INFO and
//! COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "bitcount",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        history: &[
            ("7.0.0", "New `BYTE` / `BIT` unit choice."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("index", Block).opt().sub(&[
                a("start", Int),
                a("end", Int),
                a("index_unit", OneOf).since("7.0.0").opt().sub(&[
                    a("byte", Token).token("BYTE"),
                    a("bit", Token).token("BIT"),
                ]),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "bitfield",
        key_specs: &[ks(RW | ACCESS | UPDATE | VARIABLE_FLAGS, idx(1), range(0, 1, 0)).notes("This command allows both access and modification of the key")],
        getkeys: GetKeys::Bitfield,
        args: &[
            a("key", Key).ks(0),
            a("operation", OneOf).opt().multi().sub(&[
                a("encoding_offset", Block).token("GET").sub(&[
                    a("encoding", Str),
                    a("offset", Int),
                ]),
                a("write", Block).sub(&[
                    a("wrap_sat_fail", OneOf).token("OVERFLOW").opt().sub(&[
                        a("wrap", Token).token("WRAP"),
                        a("sat", Token).token("SAT"),
                        a("fail", Token).token("FAIL"),
                    ]),
                    a("write_operation", OneOf).sub(&[
                        a("encoding_offset_value", Block).token("SET").sub(&[
                            a("encoding", Str),
                            a("offset", Int),
                            a("value", Int),
                        ]),
                        a("encoding_offset_increment", Block).token("INCRBY").sub(&[
                            a("encoding", Str),
                            a("offset", Int),
                            a("increment", Int),
                        ]),
                    ]),
                ]),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "bitfield_ro",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("encoding_offset", Block).token("GET").opt().multi().multi_token().sub(&[
                a("encoding", Str),
                a("offset", Int),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "bitop",
        key_specs: &[
            ks(OW | UPDATE, idx(2), range(0, 1, 0)),
            ks(RO | ACCESS, idx(3), range(-1, 1, 0)),
        ],
        args: &[
            a("operation", Str),
            a("destkey", Key).ks(0),
            a("key", Key).ks(1).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "bitpos",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        history: &[
            ("7.0.0", "New `BYTE` / `BIT` unit choice."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("bit", Int),
            a("index", Block).opt().sub(&[
                a("start", Int),
                a("end_index", Block).opt().sub(&[
                    a("end", Int),
                    a("index_unit", OneOf).since("7.0.0").opt().sub(&[
                        a("byte", Token).token("BYTE"),
                        a("bit", Token).token("BIT"),
                    ]),
                ]),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "getbit",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("offset", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "setbit",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("offset", Int),
            a("value", Int),
        ],
        ..EMPTY
    },
];
