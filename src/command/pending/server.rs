//! Key specs, tips and documentation of the commands of Redis's `server` group
//! that oxidis does not serve yet, as Redis 7.0 reports them in COMMAND INFO and
//! COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "acl",
        ..EMPTY
    },
    CommandSpec {
        name: "acl|cat",
        args: &[
            a("categoryname", Str).opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "acl|deluser",
        args: &[
            a("username", Str).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "acl|dryrun",
        args: &[
            a("username", Str),
            a("command", Str),
            a("arg", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "acl|genpass",
        args: &[
            a("bits", Int).opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "acl|getuser",
        history: &[
            ("6.2.0", "Reports Pub/Sub channel patterns."),
            ("7.0.0", "Reports selectors; key and channel patterns are shown as rules instead of lists."),
        ],
        args: &[
            a("username", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "acl|help",
        ..EMPTY
    },
    CommandSpec {
        name: "acl|list",
        ..EMPTY
    },
    CommandSpec {
        name: "acl|load",
        ..EMPTY
    },
    CommandSpec {
        name: "acl|log",
        args: &[
            a("operation", OneOf).opt().sub(&[
                a("count", Int),
                a("reset", Token).token("RESET"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "acl|save",
        ..EMPTY
    },
    CommandSpec {
        name: "acl|setuser",
        history: &[
            ("6.2.0", "Supports Pub/Sub channel patterns."),
            ("7.0.0", "Supports selectors and per-key permissions."),
        ],
        args: &[
            a("username", Str),
            a("rule", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "acl|users",
        ..EMPTY
    },
    CommandSpec {
        name: "acl|whoami",
        ..EMPTY
    },
    CommandSpec {
        name: "failover",
        args: &[
            a("target", Block).token("TO").opt().sub(&[
                a("host", Str),
                a("port", Int),
                a("force", Token).token("FORCE").opt(),
            ]),
            a("abort", Token).token("ABORT").opt(),
            a("milliseconds", Int).token("TIMEOUT").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "module",
        ..EMPTY
    },
    CommandSpec {
        name: "module|help",
        ..EMPTY
    },
    CommandSpec {
        name: "module|list",
        tips: &["nondeterministic_output_order"],
        ..EMPTY
    },
    CommandSpec {
        name: "module|load",
        args: &[
            a("path", Str),
            a("arg", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "module|loadex",
        args: &[
            a("path", Str),
            a("configs", Block).token("CONFIG").opt().multi().multi_token().sub(&[
                a("name", Str),
                a("value", Str),
            ]),
            a("args", Block).token("ARGS").opt().multi().sub(&[
                a("arg", Str),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "module|unload",
        args: &[
            a("name", Str),
        ],
        ..EMPTY
    },
];
