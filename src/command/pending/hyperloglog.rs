//! Key specs, tips and documentation of the commands of Redis's `hyperloglog` group
//! that oxidis does not serve yet, as Redis 7.0 reports them in COMMAND INFO and
//! COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "pfadd",
        key_specs: &[ks(RW | INSERT, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("element", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "pfcount",
        key_specs: &[ks(RW | ACCESS, idx(1), range(-1, 1, 0)).notes("RW because it may change the internal representation of the key, and propagate to replicas")],
        args: &[
            a("key", Key).ks(0).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "pfdebug",
        key_specs: &[ks(RW | ACCESS, idx(2), range(0, 1, 0))],
        doc_flags: DOC_SYSCMD,
        args: &[
            a("subcommand", Str),
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "pfmerge",
        key_specs: &[
            ks(RW | ACCESS | INSERT, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), range(-1, 1, 0)),
        ],
        args: &[
            a("destkey", Key).ks(0),
            a("sourcekey", Key).ks(1).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "pfselftest",
        doc_flags: DOC_SYSCMD,
        ..EMPTY
    },
];
