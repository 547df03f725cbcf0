//! Key specs, tips and documentation of the commands of Redis's `stream` group
//! that oxidis does not serve yet, as Redis 7.0 reports them in COMMAND INFO and
//! COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "xack",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("group", Str),
            a("id", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "xautoclaim",
        key_specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        history: &[
            ("7.0.0", "The reply has a third element: the deleted entries removed from the PEL."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("group", Str),
            a("consumer", Str),
            a("min-idle-time", Str),
            a("start", Str),
            a("count", Int).token("COUNT").opt(),
            a("justid", Token).token("JUSTID").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "xclaim",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        args: &[
            a("key", Key).ks(0),
            a("group", Str),
            a("consumer", Str),
            a("min-idle-time", Str),
            a("id", Str).multi(),
            a("ms", Int).token("IDLE").opt(),
            a("unix-time-milliseconds", UnixTime).token("TIME").opt(),
            a("count", Int).token("RETRYCOUNT").opt(),
            a("force", Token).token("FORCE").opt(),
            a("justid", Token).token("JUSTID").opt(),
            a("id", Str).token("LASTID").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "xgroup",
        ..EMPTY
    },
    CommandSpec {
        name: "xgroup|create",
        key_specs: &[ks(RW | INSERT, idx(2), range(0, 1, 0))],
        history: &[
            ("7.0.0", "New `entries_read` argument."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("groupname", Str),
            a("id", OneOf).sub(&[
                a("id", Str),
                a("new_id", Token).token("$"),
            ]),
            a("mkstream", Token).token("MKSTREAM").opt(),
            a("entries_read", Int).token("ENTRIESREAD").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "xgroup|createconsumer",
        key_specs: &[ks(RW | INSERT, idx(2), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("groupname", Str),
            a("consumername", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "xgroup|delconsumer",
        key_specs: &[ks(RW | DELETE, idx(2), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("groupname", Str),
            a("consumername", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "xgroup|destroy",
        key_specs: &[ks(RW | DELETE, idx(2), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("groupname", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "xgroup|help",
        ..EMPTY
    },
    CommandSpec {
        name: "xgroup|setid",
        key_specs: &[ks(RW | UPDATE, idx(2), range(0, 1, 0))],
        history: &[
            ("7.0.0", "New optional `entries_read` argument."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("groupname", Str),
            a("id", OneOf).sub(&[
                a("id", Str),
                a("new_id", Token).token("$"),
            ]),
            a("entries_read", Int).token("ENTRIESREAD").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "xinfo",
        ..EMPTY
    },
    CommandSpec {
        name: "xinfo|consumers",
        key_specs: &[ks(RO | ACCESS, idx(2), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        args: &[
            a("key", Key).ks(0),
            a("groupname", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "xinfo|groups",
        key_specs: &[ks(RO | ACCESS, idx(2), range(0, 1, 0))],
        history: &[
            ("7.0.0", "New `entries-read` and `lag` fields."),
        ],
        args: &[
            a("key", Key).ks(0),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "xinfo|help",
        ..EMPTY
    },
    CommandSpec {
        name: "xinfo|stream",
        key_specs: &[ks(RO | ACCESS, idx(2), range(0, 1, 0))],
        history: &[
            ("6.0.0", "New `FULL` modifier."),
            ("7.0.0", "New fields `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag`."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("full", Block).token("FULL").opt().sub(&[
                a("count", Int).token("COUNT").opt(),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "xpending",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        history: &[
            ("6.2.0", "New `IDLE` option; range ends may be exclusive."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("group", Str),
            a("filters", Block).opt().sub(&[
                a("min-idle-time", Int).token("IDLE").since("6.2.0").opt(),
                a("start", Str),
                a("end", Str),
                a("count", Int),
                a("consumer", Str).opt(),
            ]),
        ],
        ..EMPTY
    },
];
