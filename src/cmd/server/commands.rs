//! The rows of the server group's commands (see `cmd.rs`).

use super::*;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "info", handler: info_command, arity: -1, flags: f::LOADING | f::STALE | f::SENTINEL, acl: acl::DANGEROUS,
        group: "server", since: "1.0.0", summary: "Returns information and statistics about the server.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "Takes several sections."),
        ],
        args: &[a("section", Str).opt().multi()], subcommands: &[],
    },
    Command {
        name: "time", handler: time_command, arity: 1, flags: f::LOADING | f::STALE | f::FAST, acl: 0,
        group: "server", since: "2.6.0", summary: "Returns the server time.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "lastsave", handler: lastsave_command, arity: 1, flags: f::LOADING | f::STALE | f::FAST, acl: acl::ADMIN | acl::DANGEROUS,
        group: "server", since: "1.0.0", summary: "Returns the Unix timestamp of the last successful save to disk.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "save", handler: save_command, arity: 1, flags: f::ADMIN | f::NOSCRIPT | f::NO_ASYNC_LOADING | f::NO_MULTI, acl: 0,
        group: "server", since: "1.0.0", summary: "Synchronously saves the database(s) to disk.",
        complexity: "O(N) where N is the total number of keys in all databases",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "bgsave", handler: bgsave_command, arity: -1, flags: f::ADMIN | f::NOSCRIPT | f::NO_ASYNC_LOADING, acl: 0,
        group: "server", since: "1.0.0", summary: "Asynchronously saves the database(s) to disk.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("3.2.2", "New `SCHEDULE` option."),
        ],
        args: &[a("schedule", Token).token("SCHEDULE").since("3.2.2").opt()], subcommands: &[],
    },
    Command {
        name: "bgrewriteaof", handler: bgrewriteaof_command, arity: 1, flags: f::ADMIN | f::NOSCRIPT | f::NO_ASYNC_LOADING, acl: 0,
        group: "server", since: "1.0.0", summary: "Asynchronously rewrites the append-only file to disk.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "shutdown", handler: shutdown_command, arity: -1, flags: ADMIN | f::NO_MULTI | f::SENTINEL | f::ALLOW_BUSY, acl: 0,
        group: "server", since: "1.0.0", summary: "Synchronously saves the database(s) to disk and shuts down the Redis server.",
        complexity: "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
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
        subcommands: &[],
    },
    Command {
        name: "command", handler: command_command, arity: -1, flags: f::LOADING | f::STALE | f::SENTINEL, acl: acl::CONNECTION,
        group: "server", since: "2.8.13", summary: "Returns detailed information about all commands.",
        complexity: "O(N) where N is the total number of Redis commands",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output_order"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[],
        subcommands: COMMAND_SUBCOMMANDS,
    },
    Command {
        name: "config", handler: container_command, arity: -2, flags: 0, acl: 0,
        group: "server", since: "2.0.0", summary: "A container for server configuration commands.",
        complexity: "Depends on subcommand.",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[],
        subcommands: CONFIG_SUBCOMMANDS,
    },

];

#[rustfmt::skip]
const COMMAND_SUBCOMMANDS: &[Command] = &[
    Command {
        name: "count", handler: command_count_command, arity: 2, flags: f::LOADING | f::STALE, acl: acl::CONNECTION,
        group: "server", since: "2.8.13", summary: "Returns a count of commands.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "list", handler: command_list_command, arity: -2, flags: f::LOADING | f::STALE, acl: acl::CONNECTION,
        group: "server", since: "7.0.0", summary: "Returns a list of command names.",
        complexity: "O(N) where N is the total number of Redis commands",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output_order"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("filterby", OneOf).token("FILTERBY").opt().sub(&[
                a("module-name", Str).token("MODULE"),
                a("category", Str).token("ACLCAT"),
                a("pattern", Pattern).token("PATTERN"),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "info", handler: command_info_command, arity: -2, flags: f::LOADING | f::STALE, acl: acl::CONNECTION,
        group: "server", since: "2.8.13", summary: "Returns information about one, multiple or all commands.",
        complexity: "O(N) where N is the number of commands to look up",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output_order"],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "Without arguments, describes every command."),
        ],
        args: &[a("command-name", Str).opt().multi()], subcommands: &[],
    },
    Command {
        name: "docs", handler: command_docs_command, arity: -2, flags: f::LOADING | f::STALE, acl: acl::CONNECTION,
        group: "server", since: "7.0.0", summary: "Returns documentary information about one, multiple or all commands.",
        complexity: "O(N) where N is the number of commands to look up",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["nondeterministic_output_order"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("command-name", Str).opt().multi()], subcommands: &[],
    },
    Command {
        name: "getkeys", handler: command_getkeys_command, arity: -4, flags: f::LOADING | f::STALE, acl: acl::CONNECTION,
        group: "server", since: "2.8.13", summary: "Extracts the key names from an arbitrary command.",
        complexity: "O(N) where N is the number of arguments to the command",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "getkeysandflags", handler: command_getkeysandflags_command, arity: -4, flags: f::LOADING | f::STALE, acl: acl::CONNECTION,
        group: "server", since: "7.0.0", summary: "Extracts the key names and access flags for an arbitrary command.",
        complexity: "O(N) where N is the number of arguments to the command",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "help", handler: command_help_command, arity: 2, flags: f::LOADING | f::STALE, acl: acl::CONNECTION,
        group: "server", since: "5.0.0", summary: "Returns helpful text about the different subcommands.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },

];

#[rustfmt::skip]
const CONFIG_SUBCOMMANDS: &[Command] = &[
    Command {
        name: "get", handler: config_get_command, arity: -3, flags: ADMIN, acl: 0,
        group: "server", since: "2.0.0", summary: "Returns the effective values of configuration parameters.",
        complexity: "O(N) when N is the number of configuration parameters provided",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "Takes several patterns in one call."),
        ],
        args: &[
            a("parameter", Block).multi().sub(&[
                a("parameter", Str),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "set", handler: config_set_command, arity: -4, flags: ADMIN, acl: 0,
        group: "server", since: "2.0.0", summary: "Sets configuration parameters in-flight.",
        complexity: "O(N) when N is the number of configuration parameters provided",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "Sets several parameters in one call."),
        ],
        args: &[
            a("parameter_value", Block).multi().sub(&[
                a("parameter", Str),
                a("value", Str),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "resetstat", handler: config_resetstat_command, arity: 2, flags: ADMIN, acl: 0,
        group: "server", since: "2.0.0", summary: "Resets the server's statistics.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "rewrite", handler: config_rewrite_command, arity: 2, flags: ADMIN, acl: 0,
        group: "server", since: "2.8.0", summary: "Persists the effective configuration to file.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "help", handler: config_help_command, arity: 2, flags: f::LOADING | f::STALE, acl: 0,
        group: "server", since: "5.0.0", summary: "Returns helpful text about the different subcommands.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },

];
