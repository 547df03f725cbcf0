//! The rows of the stream commands served by `stream/{add,range,read}.rs` (see
//! `cmd.rs`); the group-management commands have their own rows.

use super::*;
use crate::cmd::{flags as f, Command};
use crate::command::spec::prelude::*;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "xadd", handler: add::xadd_command, arity: -5, flags: f::WRITE | f::DENYOOM | f::FAST, acl: S,
        group: "stream", since: "5.0.0", summary: "Appends a new entry to a stream",
        complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0)).notes("UPDATE instead of INSERT because of the optional trimming feature")],
        tips: &["nondeterministic_output"],
        history: &[
            ("6.2.0", "New `NOMKSTREAM` option, `MINID` trimming and `LIMIT` option."),
            ("7.0.0", "IDs of the form `<ms>-*` are accepted."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("nomkstream", Token).token("NOMKSTREAM").since("6.2.0").opt(),
            a("trim", Block).opt().sub(&[
                a("strategy", OneOf).sub(&[
                    a("maxlen", Token).token("MAXLEN"),
                    a("minid", Token).token("MINID").since("6.2.0"),
                ]),
                a("operator", OneOf).opt().sub(&[
                    a("equal", Token).token("="),
                    a("approximately", Token).token("~"),
                ]),
                a("threshold", Str),
                a("count", Int).token("LIMIT").since("6.2.0").opt(),
            ]),
            a("id_or_auto", OneOf).sub(&[
                a("auto_id", Token).token("*"),
                a("id", Str),
            ]),
            a("field_value", Block).multi().sub(&[
                a("field", Str),
                a("value", Str),
            ]),
        ],
        getkeys: GetKeys::None,
        doc_flags: 0,
        deprecated_since: None,
        replaced_by: None,
        subcommands: &[],
    },
    Command {
        name: "xdel", handler: add::xdel_command, arity: -3, flags: f::WRITE | f::FAST, acl: S,
        group: "stream", since: "5.0.0", summary: "Removes the specified entries from the stream. Returns the number of items actually deleted, that may be different from the number of IDs passed in case certain IDs do not exist.",
        complexity: "O(1) for each single item to delete in the stream, regardless of the stream size.",
        key_specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
            a("id", Str).multi(),
        ],
        getkeys: GetKeys::None,
        tips: &[],
        doc_flags: 0,
        deprecated_since: None,
        replaced_by: None,
        history: &[],
        subcommands: &[],
    },
    Command {
        name: "xlen", handler: add::xlen_command, arity: 2, flags: f::READONLY | f::FAST, acl: S,
        group: "stream", since: "5.0.0", summary: "Return the number of entries in a stream",
        complexity: "O(1)",
        key_specs: &[ks(RO, idx(1), range(0, 1, 0))],
        args: &[
            a("key", Key).ks(0),
        ],
        getkeys: GetKeys::None,
        tips: &[],
        doc_flags: 0,
        deprecated_since: None,
        replaced_by: None,
        history: &[],
        subcommands: &[],
    },
    Command {
        name: "xrange", handler: range::xrange_command, arity: -4, flags: f::READONLY, acl: S,
        group: "stream", since: "5.0.0", summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval",
        complexity: "O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        history: &[
            ("6.2.0", "Range ends may be exclusive."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("start", Str),
            a("end", Str),
            a("count", Int).token("COUNT").opt(),
        ],
        getkeys: GetKeys::None,
        tips: &[],
        doc_flags: 0,
        deprecated_since: None,
        replaced_by: None,
        subcommands: &[],
    },
    Command {
        name: "xread", handler: read::xread_command, arity: -4, flags: f::BLOCKING | f::READONLY, acl: S,
        group: "stream", since: "5.0.0", summary: "Return never seen elements in multiple streams, with IDs greater than the ones reported by the caller for each stream. Can block.",
        complexity: "For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.",
        key_specs: &[ks(RO | ACCESS, kw("STREAMS", 1), range(-1, 1, 2))],
        args: &[
            a("count", Int).token("COUNT").opt(),
            a("milliseconds", Int).token("BLOCK").opt(),
            a("streams", Block).token("STREAMS").sub(&[
                a("key", Key).ks(0).multi(),
                a("id", Str).multi(),
            ]),
        ],
        getkeys: GetKeys::None,
        tips: &[],
        doc_flags: 0,
        deprecated_since: None,
        replaced_by: None,
        history: &[],
        subcommands: &[],
    },
    Command {
        name: "xreadgroup", handler: read::xreadgroup_command, arity: -7, flags: f::BLOCKING | f::WRITE, acl: S,
        group: "stream", since: "5.0.0", summary: "Return new entries from a stream using a consumer group, or access the history of the pending entries for a given consumer. Can block.",
        complexity: "For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.",
        key_specs: &[ks(RO | ACCESS, kw("STREAMS", 4), range(-1, 1, 2))],
        args: &[
            a("group_consumer", Block).token("GROUP").sub(&[
                a("group", Str),
                a("consumer", Str),
            ]),
            a("count", Int).token("COUNT").opt(),
            a("milliseconds", Int).token("BLOCK").opt(),
            a("noack", Token).token("NOACK").opt(),
            a("streams", Block).token("STREAMS").sub(&[
                a("key", Key).ks(0).multi(),
                a("id", Str).multi(),
            ]),
        ],
        getkeys: GetKeys::None,
        tips: &[],
        doc_flags: 0,
        deprecated_since: None,
        replaced_by: None,
        history: &[],
        subcommands: &[],
    },
    Command {
        name: "xrevrange", handler: range::xrevrange_command, arity: -4, flags: f::READONLY, acl: S,
        group: "stream", since: "5.0.0", summary: "Return a range of elements in a stream, with IDs matching the specified IDs interval, in reverse order (from greater to smaller IDs) compared to XRANGE",
        complexity: "O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        history: &[
            ("6.2.0", "Range ends may be exclusive."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("end", Str),
            a("start", Str),
            a("count", Int).token("COUNT").opt(),
        ],
        getkeys: GetKeys::None,
        tips: &[],
        doc_flags: 0,
        deprecated_since: None,
        replaced_by: None,
        subcommands: &[],
    },
    Command {
        name: "xsetid", handler: add::xsetid_command, arity: -3, flags: f::WRITE | f::DENYOOM | f::FAST, acl: S,
        group: "stream", since: "5.0.0", summary: "An internal command for replicating stream values",
        complexity: "O(1)",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        history: &[
            ("7.0.0", "New `entries_added` and `max_deleted_entry_id` arguments."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("last-id", Str),
            a("entries_added", Int).token("ENTRIESADDED").since("7.0.0").opt(),
            a("max_deleted_entry_id", Str).token("MAXDELETEDID").since("7.0.0").opt(),
        ],
        getkeys: GetKeys::None,
        tips: &[],
        doc_flags: 0,
        deprecated_since: None,
        replaced_by: None,
        subcommands: &[],
    },
    Command {
        name: "xtrim", handler: add::xtrim_command, arity: -4, flags: f::WRITE, acl: S,
        group: "stream", since: "5.0.0", summary: "Trims the stream to (approximately if '~' is passed) a certain size",
        complexity: "O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.",
        key_specs: &[ks(RW | DELETE, idx(1), range(0, 1, 0))],
        tips: &["nondeterministic_output"],
        history: &[
            ("6.2.0", "New `MINID` trimming strategy and `LIMIT` option."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("trim", Block).sub(&[
                a("strategy", OneOf).sub(&[
                    a("maxlen", Token).token("MAXLEN"),
                    a("minid", Token).token("MINID").since("6.2.0"),
                ]),
                a("operator", OneOf).opt().sub(&[
                    a("equal", Token).token("="),
                    a("approximately", Token).token("~"),
                ]),
                a("threshold", Str),
                a("count", Int).token("LIMIT").since("6.2.0").opt(),
            ]),
        ],
        getkeys: GetKeys::None,
        doc_flags: 0,
        deprecated_since: None,
        replaced_by: None,
        subcommands: &[],
    },
];
