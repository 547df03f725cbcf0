//! Server commands: INFO, TIME, COMMAND, CONFIG, SHUTDOWN.

use super::{acl, container_command, flags as f, Command, CommandEntry};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::command::spec::{self, Arg, ArgType, BeginSearch, FindKeys, KeySpec};
use crate::config::ProtectedConfig;
use crate::error;
use crate::server::Server;
use crate::util::glob::string_match;

mod commands;
pub use commands::COMMANDS;

const ADMIN: u64 = f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE;

/// INFO [section [section ...]]
pub fn info_command(srv: &mut Server, c: &mut Client) {
    let sections: Vec<String> = c.argv[1..]
        .iter()
        .map(|a| String::from_utf8_lossy(a).to_ascii_lowercase())
        .collect();
    let text = crate::info::gen_info(srv, c, &sections);
    c.add_verbatim(text.as_bytes(), "txt");
}

/// TIME
pub fn time_command(_: &mut Server, c: &mut Client) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    c.add_array_len(2);
    c.add_bulk(now.as_secs().to_string().as_bytes());
    c.add_bulk(now.subsec_micros().to_string().as_bytes());
}

/// LASTSAVE
pub fn lastsave_command(srv: &mut Server, c: &mut Client) {
    c.add_int(srv.persist.lastsave);
}

/// SAVE
pub fn save_command(srv: &mut Server, c: &mut Client) {
    if srv.persist.bgsave.is_some() {
        c.add_error(error::BGSAVE_IN_PROGRESS);
        return;
    }
    match srv.rdb_save() {
        Ok(()) => c.add_ok(),
        Err(_) => c.add_error("ERR"),
    }
}

/// BGSAVE \[SCHEDULE\]
pub fn bgsave_command(srv: &mut Server, c: &mut Client) {
    let schedule = match c.argv.len() {
        1 => false,
        2 if c.argv[1].eq_ignore_ascii_case(b"schedule") => true,
        _ => {
            c.add_error(error::SYNTAX);
            return;
        }
    };
    if srv.persist.bgsave.is_some() {
        c.add_error(error::BGSAVE_IN_PROGRESS);
        return;
    }
    // Inside EXEC, as Redis: the snapshot would cut the transaction.
    let in_exec = srv.call_depth > 1;
    if srv.has_active_child() || in_exec {
        if schedule || in_exec {
            srv.persist.bgsave_scheduled = true;
            c.add_status("Background saving scheduled");
        } else {
            c.add_error(error::BGSAVE_CHILD_ACTIVE);
        }
        return;
    }
    match srv.bgsave_start() {
        Ok(()) => c.add_status("Background saving started"),
        Err(e) => c.add_error(&e),
    }
}

/// BGREWRITEAOF
pub fn bgrewriteaof_command(srv: &mut Server, c: &mut Client) {
    if srv.aof.rw.job.is_some() {
        c.add_error(error::BGREWRITEAOF_IN_PROGRESS);
    } else if srv.has_active_child() || srv.call_depth > 1 {
        srv.aof.rw.scheduled = true;
        // Asked for by hand: not held back by earlier failures.
        srv.aof.rw.consecutive_failures = 0;
        c.add_status("Background append only file rewriting scheduled");
    } else if srv.rewrite_background() {
        c.add_status("Background append only file rewriting started");
    } else {
        c.add_error(
            "ERR Can't execute an AOF background rewriting. Please check the server logs for more information.",
        );
    }
}

/// SHUTDOWN [NOSAVE | SAVE] \[NOW\] \[FORCE\] \[ABORT\]
pub fn shutdown_command(srv: &mut Server, c: &mut Client) {
    let (mut save, mut force, mut abort, mut now) = (None, false, false, false);
    for a in &c.argv[1..] {
        match &a.to_ascii_lowercase()[..] {
            b"nosave" => save = Some(false),
            b"save" => save = Some(true),
            b"now" => now = true,
            b"force" => force = true,
            b"abort" => abort = true,
            _ => {
                c.add_error(error::SYNTAX);
                return;
            }
        }
    }
    if abort {
        if save.is_some() || force || now {
            c.add_error(error::SYNTAX);
        } else {
            c.add_error("ERR No shutdown in progress.");
        }
        return;
    }
    if srv.prepare_for_shutdown(save, force).is_err() {
        c.add_error("ERR Errors trying to SHUTDOWN. Check logs.");
    }
}

/// Appends one command's COMMAND INFO entry (Redis's addReplyCommandInfo).
fn add_command_info(c: &mut Client, t: &[CommandEntry], id: usize) {
    let e = &t[id];
    let cmd = e.cmd;
    c.add_array_len(10);
    c.add_bulk(e.fullname.as_bytes());
    c.add_int(cmd.arity as i64);
    let names: Vec<&str> = f::NAMES
        .iter()
        .filter(|(b, _)| e.info_flags & b != 0)
        .map(|(_, n)| *n)
        .collect();
    c.add_set_len(names.len());
    for n in names {
        c.add_status(n);
    }
    c.add_int(e.legacy_keys.0 as i64);
    c.add_int(e.legacy_keys.1 as i64);
    c.add_int(e.legacy_keys.2 as i64);
    let cats = e.acl_categories();
    let cat_names: Vec<&str> = acl::NAMES
        .iter()
        .filter(|(b, _)| cats & b != 0)
        .map(|(_, n)| *n)
        .collect();
    c.add_set_len(cat_names.len());
    for n in cat_names {
        c.add_status(&format!("@{n}"));
    }
    c.add_set_len(e.cmd.tips.len());
    for t in e.cmd.tips {
        c.add_bulk(t.as_bytes());
    }
    c.add_set_len(e.cmd.key_specs.len());
    for k in e.cmd.key_specs {
        add_key_spec(c, k);
    }
    let subs = e.subcommand_ids();
    c.add_set_len(subs.len());
    for s in subs {
        add_command_info(c, t, s);
    }
}

/// One key spec: `notes`, `flags`, `begin_search`, `find_keys`.
fn add_key_spec(c: &mut Client, k: &KeySpec) {
    c.add_map_len(if k.notes.is_some() { 4 } else { 3 });
    if let Some(n) = k.notes {
        c.add_bulk(b"notes");
        c.add_bulk(n.as_bytes());
    }
    c.add_bulk(b"flags");
    add_key_flags(c, k.flags);
    c.add_bulk(b"begin_search");
    c.add_map_len(2);
    c.add_bulk(b"type");
    match k.bs {
        BeginSearch::Index(i) => {
            c.add_bulk(b"index");
            c.add_bulk(b"spec");
            c.add_map_len(1);
            c.add_bulk(b"index");
            c.add_int(i as i64);
        }
        BeginSearch::Keyword { keyword, startfrom } => {
            c.add_bulk(b"keyword");
            c.add_bulk(b"spec");
            c.add_map_len(2);
            c.add_bulk(b"keyword");
            c.add_bulk(keyword.as_bytes());
            c.add_bulk(b"startfrom");
            c.add_int(startfrom as i64);
        }
        BeginSearch::Unknown => {
            c.add_bulk(b"unknown");
            c.add_bulk(b"spec");
            c.add_map_len(0);
        }
    }
    c.add_bulk(b"find_keys");
    c.add_map_len(2);
    c.add_bulk(b"type");
    let fields: Vec<(&str, i32)> = match k.fk {
        FindKeys::Range {
            lastkey,
            keystep,
            limit,
        } => {
            c.add_bulk(b"range");
            vec![("lastkey", lastkey), ("keystep", keystep), ("limit", limit)]
        }
        FindKeys::Keynum {
            keynumidx,
            firstkey,
            keystep,
        } => {
            c.add_bulk(b"keynum");
            vec![
                ("keynumidx", keynumidx),
                ("firstkey", firstkey),
                ("keystep", keystep),
            ]
        }
        FindKeys::Unknown => {
            c.add_bulk(b"unknown");
            vec![]
        }
    };
    c.add_bulk(b"spec");
    c.add_map_len(fields.len());
    for (name, v) in fields {
        c.add_bulk(name.as_bytes());
        c.add_int(v as i64);
    }
}

/// Key spec flags as a set of status strings (Redis's addReplyFlagsForKeyArgs).
fn add_key_flags(c: &mut Client, flags: u32) {
    let names: Vec<&str> = spec::KEY_FLAG_NAMES
        .iter()
        .filter(|(b, _)| flags & b != 0)
        .map(|(_, n)| *n)
        .collect();
    c.add_set_len(names.len());
    for n in names {
        c.add_status(n);
    }
}

/// COMMAND
pub fn command_command(srv: &mut Server, c: &mut Client) {
    let ids: Vec<usize> = srv.commands.top_level().map(|(i, _)| i).collect();
    c.add_array_len(ids.len());
    for id in ids {
        add_command_info(c, &srv.commands.list, id);
    }
}

/// COMMAND COUNT
pub fn command_count_command(srv: &mut Server, c: &mut Client) {
    c.add_int(srv.commands.top_level().count() as i64);
}

/// COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]
pub fn command_list_command(srv: &mut Server, c: &mut Client) {
    let mut filter: Option<(Vec<u8>, bytes::Bytes)> = None;
    let mut i = 2;
    while i < c.argv.len() {
        let more = c.argv.len() - 1 - i;
        if c.argv[i].eq_ignore_ascii_case(b"filterby") && more == 2 {
            let kind = c.argv[i + 1].to_ascii_lowercase();
            if !matches!(&kind[..], b"module" | b"aclcat" | b"pattern") {
                c.add_error(error::SYNTAX);
                return;
            }
            filter = Some((kind, c.argv[i + 2].clone()));
            i += 3;
        } else {
            c.add_error(error::SYNTAX);
            return;
        }
    }
    let t = &srv.commands;
    let keep = |e: &CommandEntry| match &filter {
        None => true,
        Some((k, v)) => match &k[..] {
            b"aclcat" => {
                let cats = e.acl_categories();
                acl::NAMES
                    .iter()
                    .any(|(b, n)| cats & b != 0 && n.as_bytes().eq_ignore_ascii_case(v))
            }
            b"pattern" => string_match(v, e.fullname.as_bytes(), true),
            _ => false,
        },
    };
    let mut names = Vec::new();
    for (id, e) in t.top_level() {
        if keep(e) {
            names.push(e.fullname);
        }
        for s in t.list[id].subcommand_ids() {
            if keep(&t.list[s]) {
                names.push(t.list[s].fullname);
            }
        }
    }
    c.add_array_len(names.len());
    for n in names {
        c.add_bulk(n.as_bytes());
    }
}

/// COMMAND INFO [command-name ...]
pub fn command_info_command(srv: &mut Server, c: &mut Client) {
    if c.argv.len() == 2 {
        return command_command(srv, c);
    }
    let n = c.argv.len() - 2;
    c.add_array_len(n);
    for i in 2..c.argv.len() {
        match lookup_fullname(srv, &c.argv[i]) {
            Some(id) => add_command_info(c, &srv.commands.list, id),
            None => c.add_null(),
        }
    }
}

/// Finds `name` or `container|sub` (see [`crate::cmd::CommandTable::find_fullname`]).
fn lookup_fullname(srv: &Server, name: &[u8]) -> Option<usize> {
    srv.commands.find_fullname(name)
}

/// One command's COMMAND DOCS entry: its name, then a map of summary, since,
/// group, complexity, doc_flags, deprecated_since, replaced_by, history,
/// arguments and subcommands (each only when there is something to say).
fn add_command_docs(c: &mut Client, t: &[CommandEntry], id: usize) {
    let e = &t[id];
    let cmd = e.cmd;
    let subs = e.subcommand_ids();
    let texts = [
        ("summary", cmd.summary),
        ("since", cmd.since),
        ("group", cmd.group),
        ("complexity", cmd.complexity),
    ];
    let texts: Vec<(&str, &str)> = texts
        .into_iter()
        .filter(|(k, v)| *k == "group" || !v.is_empty())
        .collect();
    let fields = texts.len()
        + usize::from(cmd.doc_flags != 0)
        + usize::from(cmd.deprecated_since.is_some())
        + usize::from(cmd.replaced_by.is_some())
        + usize::from(!cmd.history.is_empty())
        + usize::from(!cmd.args.is_empty())
        + usize::from(!subs.is_empty());
    c.add_bulk(e.fullname.as_bytes());
    c.add_map_len(fields);
    for (k, v) in texts {
        c.add_bulk(k.as_bytes());
        c.add_bulk(v.as_bytes());
    }
    if cmd.doc_flags != 0 {
        c.add_bulk(b"doc_flags");
        let names: Vec<&str> = spec::DOC_FLAG_NAMES
            .iter()
            .filter(|(b, _)| cmd.doc_flags & b != 0)
            .map(|(_, n)| *n)
            .collect();
        c.add_set_len(names.len());
        for n in names {
            c.add_status(n);
        }
    }
    if let Some(v) = cmd.deprecated_since {
        c.add_bulk(b"deprecated_since");
        c.add_bulk(v.as_bytes());
    }
    if let Some(v) = cmd.replaced_by {
        c.add_bulk(b"replaced_by");
        c.add_bulk(v.as_bytes());
    }
    if !cmd.history.is_empty() {
        c.add_bulk(b"history");
        c.add_set_len(cmd.history.len());
        for (version, what) in cmd.history {
            c.add_array_len(2);
            c.add_bulk(version.as_bytes());
            c.add_bulk(what.as_bytes());
        }
    }
    if !cmd.args.is_empty() {
        c.add_bulk(b"arguments");
        add_doc_args(c, cmd.args);
    }
    if !subs.is_empty() {
        c.add_bulk(b"subcommands");
        c.add_map_len(subs.len());
        for s in subs {
            add_command_docs(c, t, s);
        }
    }
}

/// An argument list of COMMAND DOCS (Redis's addReplyCommandArgList).
fn add_doc_args(c: &mut Client, args: &[Arg]) {
    c.add_array_len(args.len());
    for a in args {
        let nested = matches!(a.typ, ArgType::OneOf | ArgType::Block);
        let fields = 2
            + usize::from(a.key_spec_index >= 0)
            + usize::from(a.token.is_some())
            + usize::from(a.since.is_some())
            + usize::from(a.deprecated_since.is_some())
            + usize::from(a.flags != 0)
            + usize::from(nested);
        c.add_map_len(fields);
        c.add_bulk(b"name");
        c.add_bulk(a.name.as_bytes());
        c.add_bulk(b"type");
        c.add_bulk(a.typ.name().as_bytes());
        if a.key_spec_index >= 0 {
            c.add_bulk(b"key_spec_index");
            c.add_int(a.key_spec_index as i64);
        }
        for (k, v) in [
            ("token", a.token),
            ("since", a.since),
            ("deprecated_since", a.deprecated_since),
        ] {
            if let Some(v) = v {
                c.add_bulk(k.as_bytes());
                c.add_bulk(v.as_bytes());
            }
        }
        if a.flags != 0 {
            c.add_bulk(b"flags");
            let names: Vec<&str> = spec::ARG_FLAG_NAMES
                .iter()
                .filter(|(b, _)| a.flags & b != 0)
                .map(|(_, n)| *n)
                .collect();
            c.add_set_len(names.len());
            for n in names {
                c.add_status(n);
            }
        }
        if nested {
            c.add_bulk(b"arguments");
            add_doc_args(c, a.args);
        }
    }
}

/// COMMAND DOCS [command-name ...]
pub fn command_docs_command(srv: &mut Server, c: &mut Client) {
    let ids: Vec<usize> = if c.argv.len() == 2 {
        srv.commands.top_level().map(|(i, _)| i).collect()
    } else {
        c.argv[2..]
            .iter()
            .filter_map(|a| lookup_fullname(srv, a))
            .collect()
    };
    c.add_map_len(ids.len());
    for id in ids {
        add_command_docs(c, &srv.commands.list, id);
    }
}

/// COMMAND GETKEYS command [arg ...]
pub fn command_getkeys_command(srv: &mut Server, c: &mut Client) {
    getkeys_generic(srv, c, false);
}

/// COMMAND GETKEYSANDFLAGS command [arg ...]
pub fn command_getkeysandflags_command(srv: &mut Server, c: &mut Client) {
    getkeys_generic(srv, c, true);
}

/// Redis's getKeysSubcommandImpl: the keys of a full command line, found
/// through its key specs, optionally with their access flags.
fn getkeys_generic(srv: &mut Server, c: &mut Client, with_flags: bool) {
    let argv = c.argv[2..].to_vec();
    let Ok(id) = srv.commands.lookup(&argv) else {
        c.add_error("ERR Invalid command specified");
        return;
    };
    let e = &srv.commands.list[id];
    let cmd = e.cmd;
    let argc = argv.len() as i32;
    if !spec::has_keys(cmd.key_specs, cmd.getkeys) {
        c.add_error(error::GETKEYS_NO_KEYS);
        return;
    }
    if (cmd.arity > 0 && cmd.arity != argc) || argc < -cmd.arity {
        c.add_error(error::GETKEYS_BAD_ARITY);
        return;
    }
    let keys = spec::get_keys(cmd.key_specs, cmd.getkeys, cmd.arity, &argv);
    if keys.is_empty() {
        if cmd.flags & f::NO_MANDATORY_KEYS != 0 {
            c.add_array_len(0);
        } else {
            c.add_error("ERR Invalid arguments specified for command");
        }
        return;
    }
    c.add_array_len(keys.len());
    for (pos, flags) in keys {
        if with_flags {
            c.add_array_len(2);
            c.add_bulk(&argv[pos]);
            add_key_flags(c, flags);
        } else {
            c.add_bulk(&argv[pos]);
        }
    }
}

/// COMMAND HELP
pub fn command_help_command(_: &mut Server, c: &mut Client) {
    c.add_help(
        "COMMAND",
        &[
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
        ],
    );
}

/// CONFIG GET parameter [parameter ...]
pub fn config_get_command(srv: &mut Server, c: &mut Client) {
    let pats: Vec<&[u8]> = c.argv[2..].iter().map(|a| &a[..]).collect();
    let pairs = srv.config.get_many(&pats);
    c.add_map_len(pairs.len());
    for (k, v) in pairs {
        c.add_bulk(k.as_bytes());
        c.add_bulk(v.as_bytes());
    }
}

/// CONFIG SET parameter value [parameter value ...]
pub fn config_set_command(srv: &mut Server, c: &mut Client) {
    if !c.argv.len().is_multiple_of(2) {
        c.add_error(error::SYNTAX);
        return;
    }
    let pairs: Vec<(&[u8], &[u8])> = c.argv[2..]
        .chunks(2)
        .map(|p| (&p[0][..], &p[1][..]))
        .collect();
    let allow = match srv.config.enable_protected_configs {
        ProtectedConfig::Yes => true,
        ProtectedConfig::Local => c.is_local(),
        ProtectedConfig::No => false,
    };
    match srv.config_set(&pairs, allow) {
        Ok(()) => c.add_ok(),
        Err(e) => c.add_error(&e),
    }
}

/// CONFIG RESETSTAT
pub fn config_resetstat_command(srv: &mut Server, c: &mut Client) {
    srv.reset_stats();
    c.add_ok();
}

/// CONFIG REWRITE
pub fn config_rewrite_command(srv: &mut Server, c: &mut Client) {
    match srv.config.rewrite() {
        Ok(()) => c.add_ok(),
        Err(e) => c.add_error(&e),
    }
}

/// CONFIG HELP
pub fn config_help_command(_: &mut Server, c: &mut Client) {
    c.add_help(
        "CONFIG",
        &[
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
        ],
    );
}
