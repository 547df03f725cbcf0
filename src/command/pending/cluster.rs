//! Key specs, tips and documentation of the commands of Redis's `cluster` group
//! that oxidis does not serve yet, as Redis 7.0 reports them in COMMAND INFO and
//! COMMAND DOCS (history in our own words).

use super::*;

#[rustfmt::skip]
pub const SPECS: &[CommandSpec] = &[
    CommandSpec {
        name: "asking",
        ..EMPTY
    },
    CommandSpec {
        name: "cluster",
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|addslots",
        args: &[
            a("slot", Int).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|addslotsrange",
        args: &[
            a("start-slot_end-slot", Block).multi().sub(&[
                a("start-slot", Int),
                a("end-slot", Int),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|bumpepoch",
        tips: &["nondeterministic_output"],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|count-failure-reports",
        tips: &["nondeterministic_output"],
        args: &[
            a("node-id", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|countkeysinslot",
        args: &[
            a("slot", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|delslots",
        args: &[
            a("slot", Int).multi(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|delslotsrange",
        args: &[
            a("start-slot_end-slot", Block).multi().sub(&[
                a("start-slot", Int),
                a("end-slot", Int),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|failover",
        args: &[
            a("options", OneOf).opt().sub(&[
                a("force", Token).token("FORCE"),
                a("takeover", Token).token("TAKEOVER"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|flushslots",
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|forget",
        args: &[
            a("node-id", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|getkeysinslot",
        tips: &["nondeterministic_output"],
        args: &[
            a("slot", Int),
            a("count", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|help",
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|info",
        tips: &["nondeterministic_output"],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|keyslot",
        args: &[
            a("key", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|links",
        tips: &["nondeterministic_output"],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|meet",
        history: &[
            ("4.0.0", "New optional `cluster_bus_port` argument."),
        ],
        args: &[
            a("ip", Str),
            a("port", Int),
            a("cluster_bus_port", Int).since("4.0.0").opt(),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|myid",
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|nodes",
        tips: &["nondeterministic_output"],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|replicas",
        tips: &["nondeterministic_output"],
        args: &[
            a("node-id", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|replicate",
        args: &[
            a("node-id", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|reset",
        args: &[
            a("hard_soft", OneOf).opt().sub(&[
                a("hard", Token).token("HARD"),
                a("soft", Token).token("SOFT"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|saveconfig",
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|set-config-epoch",
        args: &[
            a("config-epoch", Int),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|setslot",
        args: &[
            a("slot", Int),
            a("subcommand", OneOf).sub(&[
                a("node-id", Str).token("IMPORTING"),
                a("node-id", Str).token("MIGRATING"),
                a("node-id", Str).token("NODE"),
                a("stable", Token).token("STABLE"),
            ]),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|shards",
        tips: &["nondeterministic_output"],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|slaves",
        tips: &["nondeterministic_output"],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("5.0.0"),
        replaced_by: Some("`CLUSTER REPLICAS`"),
        args: &[
            a("node-id", Str),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "cluster|slots",
        tips: &["nondeterministic_output"],
        doc_flags: DOC_DEPRECATED,
        deprecated_since: Some("7.0.0"),
        replaced_by: Some("`CLUSTER SHARDS`"),
        history: &[
            ("4.0.0", "Node IDs are part of the reply."),
            ("7.0.0", "An extra field with networking metadata is part of the reply."),
        ],
        ..EMPTY
    },
    CommandSpec {
        name: "readonly",
        ..EMPTY
    },
    CommandSpec {
        name: "readwrite",
        ..EMPTY
    },
];
