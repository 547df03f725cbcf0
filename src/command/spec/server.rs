//! Key specs, tips and documentation of Redis's `server` command group, as Redis
//! 7.0 reports them in COMMAND INFO and COMMAND DOCS (history in our own words).

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
        name: "bgrewriteaof",
        ..EMPTY
    },
    CommandSpec {
        name: "bgsave",
        history: &[
            ("3.2.2", "New `SCHEDULE` option."),
        ],
        args: &[
            a("schedule", Token).token("SCHEDULE").since("3.2.2").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "command",
        tips: &["nondeterministic_output_order"],
        ..EMPTY
    },
    CommandSpec {
        name: "command|count",
        ..EMPTY
    },
    CommandSpec {
        name: "command|docs",
        tips: &["nondeterministic_output_order"],
        args: &[
            a("command-name", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "command|getkeys",
        ..EMPTY
    },
    CommandSpec {
        name: "command|getkeysandflags",
        ..EMPTY
    },
    CommandSpec {
        name: "command|help",
        ..EMPTY
    },
    CommandSpec {
        name: "command|info",
        tips: &["nondeterministic_output_order"],
        history: &[
            ("7.0.0", "Without arguments, describes every command."),
        ],
        args: &[
            a("command-name", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "command|list",
        tips: &["nondeterministic_output_order"],
        args: &[
            a("filterby", OneOf).token("FILTERBY").opt().sub(&[
                a("module-name", Str).token("MODULE"),
                a("category", Str).token("ACLCAT"),
                a("pattern", Pattern).token("PATTERN"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "config",
        ..EMPTY
    },
    CommandSpec {
        name: "config|get",
        history: &[
            ("7.0.0", "Takes several patterns in one call."),
        ],
        args: &[
            a("parameter", Block).multi().sub(&[
                a("parameter", Str),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "config|help",
        ..EMPTY
    },
    CommandSpec {
        name: "config|resetstat",
        ..EMPTY
    },
    CommandSpec {
        name: "config|rewrite",
        ..EMPTY
    },
    CommandSpec {
        name: "config|set",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        history: &[
            ("7.0.0", "Sets several parameters in one call."),
        ],
        args: &[
            a("parameter_value", Block).multi().sub(&[
                a("parameter", Str),
                a("value", Str),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "dbsize",
        tips: &["request_policy:all_shards", "response_policy:agg_sum"],
        ..EMPTY
    },
    CommandSpec {
        name: "debug",
        doc_flags: DOC_SYSCMD,
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
        name: "flushall",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        history: &[
            ("4.0.0", "New `ASYNC` mode."),
            ("6.2.0", "New `SYNC` mode."),
        ],
        args: &[
            a("async", OneOf).opt().sub(&[
                a("async", Token).token("ASYNC").since("4.0.0"),
                a("sync", Token).token("SYNC").since("6.2.0"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "flushdb",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        history: &[
            ("4.0.0", "New `ASYNC` mode."),
            ("6.2.0", "New `SYNC` mode."),
        ],
        args: &[
            a("async", OneOf).opt().sub(&[
                a("async", Token).token("ASYNC").since("4.0.0"),
                a("sync", Token).token("SYNC").since("6.2.0"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "info",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        history: &[
            ("7.0.0", "Takes several sections."),
        ],
        args: &[
            a("section", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "lastsave",
        tips: &["nondeterministic_output"],
        ..EMPTY
    },
    CommandSpec {
        name: "latency",
        ..EMPTY
    },
    CommandSpec {
        name: "latency|doctor",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        ..EMPTY
    },
    CommandSpec {
        name: "latency|graph",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        args: &[
            a("event", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "latency|help",
        ..EMPTY
    },
    CommandSpec {
        name: "latency|histogram",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        args: &[
            a("command", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "latency|history",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        args: &[
            a("event", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "latency|latest",
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        ..EMPTY
    },
    CommandSpec {
        name: "latency|reset",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        args: &[
            a("event", Str).opt().multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "lolwut",
        args: &[
            a("version", Int).token("VERSION").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "memory",
        ..EMPTY
    },
    CommandSpec {
        name: "memory|doctor",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        ..EMPTY
    },
    CommandSpec {
        name: "memory|help",
        ..EMPTY
    },
    CommandSpec {
        name: "memory|malloc-stats",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        ..EMPTY
    },
    CommandSpec {
        name: "memory|purge",
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        ..EMPTY
    },
    CommandSpec {
        name: "memory|stats",
        tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        ..EMPTY
    },
    CommandSpec {
        name: "memory|usage",
        key_specs: &[ks(RO, idx(2), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("count", Int).token("SAMPLES").opt(),
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
    CommandSpec {
        name: "monitor",
        ..EMPTY
    },
    CommandSpec {
        name: "psync",
        args: &[
            a("replicationid", Str),
            a("offset", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "replconf",
        doc_flags: DOC_SYSCMD,
        ..EMPTY
    },
    CommandSpec {
        name: "replicaof",
        args: &[
            a("args", OneOf).sub(&[
                a("host-port", Block).sub(&[
                    a("host", Str),
                    a("port", Int),
                ]),
                a("no-one", Block).sub(&[
                    a("no", Token).token("NO"),
                    a("one", Token).token("ONE"),
                ]),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "restore-asking",
        key_specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0))],
        doc_flags: DOC_SYSCMD,
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
        name: "role",
        ..EMPTY
    },
    CommandSpec {
        name: "save",
        ..EMPTY
    },
    CommandSpec {
        name: "shutdown",
        history: &[
            ("7.0.0", "New `NOW`, `FORCE` and `ABORT` modifiers."),
        ],
        args: &[
            a("nosave_save", OneOf).opt().sub(&[
                a("nosave", Token).token("NOSAVE"),
                a("save", Token).token("SAVE"),
            ]),
            a("now", Token).token("NOW").since("7.0.0").opt(),
            a("force", Token).token("FORCE").since("7.0.0").opt(),
            a("abort", Token).token("ABORT").since("7.0.0").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "slaveof",
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("5.0.0"),
        replaced_by: Some("`REPLICAOF`"),
        args: &[
            a("args", OneOf).sub(&[
                a("host-port", Block).sub(&[
                    a("host", Str),
                    a("port", Int),
                ]),
                a("no-one", Block).sub(&[
                    a("no", Token).token("NO"),
                    a("one", Token).token("ONE"),
                ]),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "slowlog",
        ..EMPTY
    },
    CommandSpec {
        name: "slowlog|get",
        tips: &["request_policy:all_nodes", "nondeterministic_output"],
        history: &[
            ("4.0.0", "Entries include the client's address and name."),
        ],
        args: &[
            a("count", Int).opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "slowlog|help",
        ..EMPTY
    },
    CommandSpec {
        name: "slowlog|len",
        tips: &["request_policy:all_nodes", "response_policy:agg_sum", "nondeterministic_output"],
        ..EMPTY
    },
    CommandSpec {
        name: "slowlog|reset",
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        ..EMPTY
    },
    CommandSpec {
        name: "swapdb",
        args: &[
            a("index1", Int),
            a("index2", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "sync",
        ..EMPTY
    },
    CommandSpec {
        name: "time",
        tips: &["nondeterministic_output"],
        ..EMPTY
    },
];
