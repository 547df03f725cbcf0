//! The rows of the client group's commands (see `cmd.rs`).

use super::*;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "client", handler: container_command, arity: -2, flags: 0, acl: 0,
        group: "connection", since: "2.4.0", summary: "A container for client connection commands.",
        complexity: "Depends on subcommand.",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[],
        subcommands: SUBCOMMANDS,
    },

];

#[rustfmt::skip]
const SUBCOMMANDS: &[Command] = &[
    Command {
        name: "id", handler: client_id_command, arity: 2, flags: CONN, acl: acl::CONNECTION,
        group: "connection", since: "5.0.0", summary: "Returns the unique client ID of the connection.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "getname", handler: client_getname_command, arity: 2, flags: CONN, acl: acl::CONNECTION,
        group: "connection", since: "2.6.9", summary: "Returns the name of the connection.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "setname", handler: client_setname_command, arity: 3, flags: CONN, acl: acl::CONNECTION,
        group: "connection", since: "2.6.9", summary: "Sets the connection name.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("connection-name", Str)], subcommands: &[],
    },
    Command {
        name: "info", handler: client_info_command, arity: 2, flags: CONN, acl: acl::CONNECTION,
        group: "connection", since: "6.2.0", summary: "Returns information about the connection.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "list", handler: client_list_command, arity: -2, flags: f::ADMIN | CONN, acl: acl::CONNECTION,
        group: "connection", since: "2.4.0", summary: "Lists open connections.",
        complexity: "O(N) where N is the number of client connections",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
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
        subcommands: &[],
    },
    Command {
        name: "kill", handler: client_kill_command, arity: -3, flags: f::ADMIN | CONN, acl: acl::CONNECTION,
        group: "connection", since: "2.4.0", summary: "Terminates open connections.",
        complexity: "O(N) where N is the number of client connections",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
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
        subcommands: &[],
    },
    Command {
        name: "reply", handler: client_reply_command, arity: 3, flags: CONN, acl: acl::CONNECTION,
        group: "connection", since: "3.2.0", summary: "Instructs the server whether to reply to commands.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("on_off_skip", OneOf).sub(&[
                a("on", Token).token("ON"),
                a("off", Token).token("OFF"),
                a("skip", Token).token("SKIP"),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "no-evict", handler: client_noevict_command, arity: 3, flags: f::ADMIN | CONN, acl: acl::CONNECTION,
        group: "connection", since: "7.0.0", summary: "Sets the client eviction mode of the connection.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("enabled", OneOf).sub(&[
                a("on", Token).token("ON"),
                a("off", Token).token("OFF"),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "unblock", handler: client_unblock_command, arity: -3, flags: f::ADMIN | CONN, acl: acl::CONNECTION,
        group: "connection", since: "5.0.0", summary: "Unblocks a client blocked by a blocking command from a different connection.",
        complexity: "O(log N) where N is the number of client connections",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("client-id", Int),
            a("timeout_error", OneOf).opt().sub(&[
                a("timeout", Token).token("TIMEOUT"),
                a("error", Token).token("ERROR"),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "tracking", handler: client_tracking_command, arity: -3, flags: CONN, acl: acl::CONNECTION,
        group: "connection", since: "6.0.0", summary: "Enable or disable server assisted client side caching support",
        complexity: "O(1). Some options may introduce additional complexity.",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
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
        subcommands: &[],
    },
    Command {
        name: "caching", handler: client_caching_command, arity: 3, flags: CONN, acl: acl::CONNECTION,
        group: "connection", since: "6.0.0", summary: "Instruct the server about tracking or not keys in the next request",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("mode", OneOf).sub(&[
                a("yes", Token).token("YES"),
                a("no", Token).token("NO"),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "pause", handler: client_pause_command, arity: -3, flags: f::ADMIN | CONN, acl: acl::CONNECTION,
        group: "connection", since: "2.9.50", summary: "Suspends commands processing.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
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
        subcommands: &[],
    },
    Command {
        name: "unpause", handler: client_unpause_command, arity: 2, flags: f::ADMIN | CONN, acl: acl::CONNECTION,
        group: "connection", since: "6.2.0", summary: "Resumes processing commands from paused clients.",
        complexity: "O(N) Where N is the number of paused clients",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "getredir", handler: client_getredir_command, arity: 2, flags: CONN, acl: acl::CONNECTION,
        group: "connection", since: "6.0.0", summary: "Get tracking notifications redirection client ID if any",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "trackinginfo", handler: client_trackinginfo_command, arity: 2, flags: CONN, acl: acl::CONNECTION,
        group: "connection", since: "6.2.0", summary: "Return information about server assisted client side caching for the current connection",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "help", handler: client_help_command, arity: 2, flags: f::LOADING | f::STALE, acl: acl::CONNECTION,
        group: "connection", since: "5.0.0", summary: "Returns helpful text about the different subcommands.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },

];
