//! Key specs, tips and documentation of the commands of Redis's `scripting` group
//! that oxidis does not serve yet, as Redis 7.0 reports them in COMMAND INFO and
//! COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "eval",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(2), keynum(0, 1, 1)).notes("We cannot tell how the keys will be used so we assume the worst, RW and UPDATE")],
        args: &[
            a("script", Str),
            a("numkeys", Int),
            a("key", Key).ks(0).opt().multi(),
            a("arg", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "eval_ro",
        key_specs: &[ks(RO | ACCESS, idx(2), keynum(0, 1, 1)).notes("We cannot tell how the keys will be used so we assume the worst, RO and ACCESS")],
        args: &[
            a("script", Str),
            a("numkeys", Int),
            a("key", Key).ks(0).opt().multi(),
            a("arg", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "evalsha",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(2), keynum(0, 1, 1))],
        args: &[
            a("sha1", Str),
            a("numkeys", Int),
            a("key", Key).ks(0).opt().multi(),
            a("arg", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "evalsha_ro",
        key_specs: &[ks(RO | ACCESS, idx(2), keynum(0, 1, 1))],
        args: &[
            a("sha1", Str),
            a("numkeys", Int),
            a("key", Key).ks(0).opt().multi(),
            a("arg", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "fcall",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(2), keynum(0, 1, 1)).notes("We cannot tell how the keys will be used so we assume the worst, RW and UPDATE")],
        args: &[
            a("function", Str),
            a("numkeys", Int),
            a("key", Key).ks(0).opt().multi(),
            a("arg", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "fcall_ro",
        key_specs: &[ks(RO | ACCESS, idx(2), keynum(0, 1, 1)).notes("We cannot tell how the keys will be used so we assume the worst, RO and ACCESS")],
        args: &[
            a("function", Str),
            a("numkeys", Int),
            a("key", Key).ks(0).opt().multi(),
            a("arg", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "function",
        ..EMPTY
    },
    CommandSpec {
        name: "function|delete",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        args: &[
            a("library-name", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "function|dump",
        ..EMPTY
    },
    CommandSpec {
        name: "function|flush",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        args: &[
            a("async", OneOf).opt().sub(&[
                a("async", Token).token("ASYNC"),
                a("sync", Token).token("SYNC"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "function|help",
        ..EMPTY
    },
    CommandSpec {
        name: "function|kill",
        tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
        ..EMPTY
    },
    CommandSpec {
        name: "function|list",
        tips: &["nondeterministic_output_order"],
        args: &[
            a("library-name-pattern", Str).token("LIBRARYNAME").opt(),
            a("withcode", Token).token("WITHCODE").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "function|load",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        args: &[
            a("replace", Token).token("REPLACE").opt(),
            a("function-code", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "function|restore",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        args: &[
            a("serialized-value", Str),
            a("policy", OneOf).opt().sub(&[
                a("flush", Token).token("FLUSH"),
                a("append", Token).token("APPEND"),
                a("replace", Token).token("REPLACE"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "function|stats",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        ..EMPTY
    },
    CommandSpec {
        name: "script",
        ..EMPTY
    },
    CommandSpec {
        name: "script|debug",
        args: &[
            a("mode", OneOf).sub(&[
                a("yes", Token).token("YES"),
                a("sync", Token).token("SYNC"),
                a("no", Token).token("NO"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "script|exists",
        tips: &["request_policy:all_shards", "response_policy:agg_logical_and"],
        args: &[
            a("sha1", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "script|flush",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        history: &[
            ("6.2.0", "New `ASYNC` and `SYNC` modes."),
        ],
        args: &[
            a("async", OneOf).since("6.2.0").opt().sub(&[
                a("async", Token).token("ASYNC"),
                a("sync", Token).token("SYNC"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "script|help",
        ..EMPTY
    },
    CommandSpec {
        name: "script|kill",
        tips: &["request_policy:all_shards", "response_policy:one_succeeded"],
        ..EMPTY
    },
    CommandSpec {
        name: "script|load",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        args: &[
            a("script", Str),
        ],
        ..EMPTY
    },
];
