//! Key specs, tips and documentation of Redis's `connection` command group, as Redis
//! 7.0 reports them in COMMAND INFO and COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "auth",
        history: &[
            ("6.0.0", "Accepts a username together with the password (ACL style)."),
        ],
        args: &[
            a("username", Str).since("6.0.0").opt(),
            a("password", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "client",
        ..EMPTY
    },
    CommandSpec {
        name: "client|caching",
        args: &[
            a("mode", OneOf).sub(&[
                a("yes", Token).token("YES"),
                a("no", Token).token("NO"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "client|getname",
        ..EMPTY
    },
    CommandSpec {
        name: "client|getredir",
        ..EMPTY
    },
    CommandSpec {
        name: "client|help",
        ..EMPTY
    },
    CommandSpec {
        name: "client|id",
        ..EMPTY
    },
    CommandSpec {
        name: "client|info",
        tips: &["nondeterministic_output"],
        ..EMPTY
    },
    CommandSpec {
        name: "client|kill",
        history: &[
            ("2.8.12", "New filter form with keyword arguments."),
            ("2.8.12", "New `ID` filter."),
            ("3.2.0", "The `TYPE` filter understands `master`."),
            ("5.0.0", "`TYPE replica` is the new name of `slave`, which keeps working."),
            ("6.2.0", "New `LADDR` filter."),
        ],
        args: &[
            a("filter", OneOf).sub(&[
                a("ip:port", Str).deprecated("2.8.12"),
                a("new-format", OneOf).multi().sub(&[
                    a("client-id", Int).token("ID").since("2.8.12").opt(),
                    a("normal_master_slave_pubsub", OneOf).token("TYPE").since("2.8.12").opt().sub(&[
                        a("normal", Token).token("NORMAL"),
                        a("master", Token).token("MASTER").since("3.2.0"),
                        a("slave", Token).token("SLAVE"),
                        a("replica", Token).token("REPLICA").since("5.0.0"),
                        a("pubsub", Token).token("PUBSUB"),
                    ]),
                    a("username", Str).token("USER").opt(),
                    a("ip:port", Str).token("ADDR").opt(),
                    a("ip:port", Str).token("LADDR").since("6.2.0").opt(),
                    a("yes/no", Str).token("SKIPME").opt(),
                ]),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "client|list",
        tips: &["nondeterministic_output"],
        history: &[
            ("2.8.12", "Each client line carries a unique `id`."),
            ("5.0.0", "New optional `TYPE` filter."),
            ("6.0.0", "Each client line carries its `user`."),
            ("6.2.0", "New fields `argv-mem`, `tot-mem`, `laddr`, `redir`; new optional `ID` filter."),
            ("7.0.0", "New fields `resp`, `multi-mem`, `rbs`, `rbp`."),
            ("7.0.3", "New field `ssub`."),
        ],
        args: &[
            a("normal_master_replica_pubsub", OneOf).token("TYPE").since("5.0.0").opt().sub(&[
                a("normal", Token).token("NORMAL"),
                a("master", Token).token("MASTER"),
                a("replica", Token).token("REPLICA"),
                a("pubsub", Token).token("PUBSUB"),
            ]),
            a("id", Block).token("ID").since("6.2.0").opt().sub(&[
                a("client-id", Int).multi(),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "client|no-evict",
        args: &[
            a("enabled", OneOf).sub(&[
                a("on", Token).token("ON"),
                a("off", Token).token("OFF"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "client|pause",
        history: &[
            ("6.2.0", "New `mode` argument, with the `WRITE` mode."),
        ],
        args: &[
            a("timeout", Int),
            a("mode", OneOf).since("6.2.0").opt().sub(&[
                a("write", Token).token("WRITE"),
                a("all", Token).token("ALL"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "client|reply",
        args: &[
            a("on_off_skip", OneOf).sub(&[
                a("on", Token).token("ON"),
                a("off", Token).token("OFF"),
                a("skip", Token).token("SKIP"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "client|setname",
        args: &[
            a("connection-name", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "client|tracking",
        args: &[
            a("status", OneOf).sub(&[
                a("on", Token).token("ON"),
                a("off", Token).token("OFF"),
            ]),
            a("client-id", Int).token("REDIRECT").opt(),
            a("prefix", Str).token("PREFIX").opt().multi().multi_token(),
            a("bcast", Token).token("BCAST").opt(),
            a("optin", Token).token("OPTIN").opt(),
            a("optout", Token).token("OPTOUT").opt(),
            a("noloop", Token).token("NOLOOP").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "client|trackinginfo",
        ..EMPTY
    },
    CommandSpec {
        name: "client|unblock",
        args: &[
            a("client-id", Int),
            a("timeout_error", OneOf).opt().sub(&[
                a("timeout", Token).token("TIMEOUT"),
                a("error", Token).token("ERROR"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "client|unpause",
        ..EMPTY
    },
    CommandSpec {
        name: "echo",
        args: &[
            a("message", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "hello",
        history: &[
            ("6.2.0", "`protover` is optional; without arguments the reply describes the current connection."),
        ],
        args: &[
            a("arguments", Block).opt().sub(&[
                a("protover", Int),
                a("username_password", Block).token("AUTH").opt().sub(&[
                    a("username", Str),
                    a("password", Str),
                ]),
                a("clientname", Str).token("SETNAME").opt(),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "ping",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        args: &[
            a("message", Str).opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "quit",
        ..EMPTY
    },
    CommandSpec {
        name: "reset",
        ..EMPTY
    },
    CommandSpec {
        name: "select",
        args: &[
            a("index", Int),
        ],
        ..EMPTY
    },
];
