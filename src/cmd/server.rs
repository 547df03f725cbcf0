//! Server commands: INFO, TIME, COMMAND, CONFIG, SHUTDOWN.

use super::{acl, cmd, container_command, flags as f, Command, CommandEntry};
use crate::client::Client;
use crate::error;
use crate::server::Server;
use crate::util::glob::string_match;

const ADMIN: u64 = f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("info", info_command, -1, f::LOADING | f::STALE | f::SENTINEL, acl::DANGEROUS, (0, 0, 0), "server", "1.0.0",
        "Returns information and statistics about the server.", "O(1)"),
    cmd("time", time_command, 1, f::LOADING | f::STALE | f::FAST, 0, (0, 0, 0), "server", "2.6.0",
        "Returns the server time.", "O(1)"),
    cmd("lastsave", lastsave_command, 1, f::LOADING | f::STALE | f::FAST, acl::ADMIN | acl::DANGEROUS, (0, 0, 0),
        "server", "1.0.0", "Returns the Unix timestamp of the last successful save to disk.", "O(1)"),
    cmd("shutdown", shutdown_command, -1, ADMIN | f::NO_MULTI | f::SENTINEL | f::ALLOW_BUSY, 0, (0, 0, 0),
        "server", "1.0.0", "Synchronously saves the database(s) to disk and shuts down the Redis server.",
        "O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)"),
    Command {
        subcommands: COMMAND_SUBCOMMANDS,
        ..cmd("command", command_command, -1, f::LOADING | f::STALE | f::SENTINEL, acl::CONNECTION, (0, 0, 0),
            "server", "2.8.13", "Returns detailed information about all commands.",
            "O(N) where N is the total number of Redis commands")
    },
    Command {
        subcommands: CONFIG_SUBCOMMANDS,
        ..cmd("config", container_command, -2, 0, 0, (0, 0, 0), "server", "2.0.0",
            "A container for server configuration commands.", "Depends on subcommand.")
    },
];

#[rustfmt::skip]
const COMMAND_SUBCOMMANDS: &[Command] = &[
    cmd("count", command_count_command, 2, f::LOADING | f::STALE, acl::CONNECTION, (0, 0, 0), "server", "2.8.13",
        "Returns a count of commands.", "O(1)"),
    cmd("list", command_list_command, -2, f::LOADING | f::STALE, acl::CONNECTION, (0, 0, 0), "server", "7.0.0",
        "Returns a list of command names.", "O(N) where N is the total number of Redis commands"),
    cmd("info", command_info_command, -2, f::LOADING | f::STALE, acl::CONNECTION, (0, 0, 0), "server", "2.8.13",
        "Returns information about one, multiple or all commands.", "O(N) where N is the number of commands to look up"),
    cmd("docs", command_docs_command, -2, f::LOADING | f::STALE, acl::CONNECTION, (0, 0, 0), "server", "7.0.0",
        "Returns documentary information about one, multiple or all commands.",
        "O(N) where N is the number of commands to look up"),
    cmd("getkeys", command_getkeys_command, -4, f::LOADING | f::STALE, acl::CONNECTION, (0, 0, 0), "server", "2.8.13",
        "Extracts the key names from an arbitrary command.", "O(N) where N is the number of arguments to the command"),
    cmd("help", command_help_command, 2, f::LOADING | f::STALE, acl::CONNECTION, (0, 0, 0), "server", "5.0.0",
        "Returns helpful text about the different subcommands.", "O(1)"),
];

#[rustfmt::skip]
const CONFIG_SUBCOMMANDS: &[Command] = &[
    cmd("get", config_get_command, -3, ADMIN, 0, (0, 0, 0), "server", "2.0.0",
        "Returns the effective values of configuration parameters.", "O(N) when N is the number of configuration parameters provided"),
    cmd("set", config_set_command, -4, ADMIN, 0, (0, 0, 0), "server", "2.0.0",
        "Sets configuration parameters in-flight.", "O(N) when N is the number of configuration parameters provided"),
    cmd("resetstat", config_resetstat_command, 2, ADMIN, 0, (0, 0, 0), "server", "2.0.0",
        "Resets the server's statistics.", "O(1)"),
    cmd("rewrite", config_rewrite_command, 2, ADMIN, 0, (0, 0, 0), "server", "2.8.0",
        "Persists the effective configuration to file.", "O(1)"),
    cmd("help", config_help_command, 2, f::LOADING | f::STALE, 0, (0, 0, 0), "server", "5.0.0",
        "Returns helpful text about the different subcommands.", "O(1)"),
];

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
    c.add_int(srv.start_time_ms / 1000);
}

/// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
pub fn shutdown_command(srv: &mut Server, c: &mut Client) {
    for a in &c.argv[1..] {
        let a = a.to_ascii_lowercase();
        if !matches!(&a[..], b"nosave" | b"save" | b"now" | b"force" | b"abort") {
            c.add_error(error::SYNTAX);
            return;
        }
    }
    if c.argv[1..].iter().any(|a| a.eq_ignore_ascii_case(b"abort")) {
        c.add_error("ERR No shutdown in progress.");
        return;
    }
    log::warn!("User requested shutdown...");
    srv.shutdown_asap = true;
}

/// Appends one command's COMMAND INFO entry.
fn add_command_info(c: &mut Client, t: &[CommandEntry], id: usize) {
    let e = &t[id];
    let cmd = e.cmd;
    c.add_array_len(10);
    c.add_bulk(e.fullname.as_bytes());
    c.add_int(cmd.arity as i64);
    let names: Vec<&str> = f::NAMES
        .iter()
        .filter(|(b, _)| cmd.flags & b != 0)
        .map(|(_, n)| *n)
        .collect();
    c.add_set_len(names.len());
    for n in names {
        c.add_status(n);
    }
    c.add_int(cmd.keys.0 as i64);
    c.add_int(cmd.keys.1 as i64);
    c.add_int(cmd.keys.2 as i64);
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
    c.add_array_len(0);
    c.add_array_len(0);
    let subs = e.subcommand_ids();
    c.add_array_len(subs.len());
    for s in subs {
        add_command_info(c, t, s);
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
    let filter = match c.argv.len() {
        2 => None,
        5 if c.argv[2].eq_ignore_ascii_case(b"filterby") => {
            Some((c.argv[3].to_ascii_lowercase(), c.argv[4].clone()))
        }
        _ => {
            c.add_error(error::SYNTAX);
            return;
        }
    };
    let mut names = Vec::new();
    for e in &srv.commands.list {
        let keep = match &filter {
            None => true,
            Some((k, v)) => match &k[..] {
                b"module" => false,
                b"aclcat" => {
                    let cats = e.acl_categories();
                    acl::NAMES
                        .iter()
                        .any(|(b, n)| cats & b != 0 && n.as_bytes().eq_ignore_ascii_case(v))
                }
                b"pattern" => string_match(v, e.fullname.as_bytes(), true),
                _ => {
                    c.add_error(error::SYNTAX);
                    return;
                }
            },
        };
        if keep && (e.parent.is_none() || filter.is_some()) {
            names.push(e.fullname);
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
            None => c.add_null_array(),
        }
    }
}

/// Finds `name` or `container|sub`.
fn lookup_fullname(srv: &Server, name: &[u8]) -> Option<usize> {
    let lower = name.to_ascii_lowercase();
    srv.commands
        .list
        .iter()
        .position(|e| e.fullname.as_bytes() == &lower[..])
}

fn add_command_docs(c: &mut Client, t: &[CommandEntry], id: usize) {
    let e = &t[id];
    let subs = e.subcommand_ids();
    let fields = if subs.is_empty() { 4 } else { 5 };
    c.add_bulk(e.fullname.as_bytes());
    c.add_map_len(fields);
    c.add_bulk(b"summary");
    c.add_bulk(e.cmd.summary.as_bytes());
    c.add_bulk(b"since");
    c.add_bulk(e.cmd.since.as_bytes());
    c.add_bulk(b"group");
    c.add_bulk(e.cmd.group.as_bytes());
    c.add_bulk(b"complexity");
    c.add_bulk(e.cmd.complexity.as_bytes());
    if !subs.is_empty() {
        c.add_bulk(b"subcommands");
        c.add_map_len(subs.len());
        for s in subs {
            add_command_docs(c, t, s);
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
    let argv = c.argv[2..].to_vec();
    let id = match srv.commands.lookup(&argv) {
        Ok(id) => id,
        Err(_) => {
            c.add_error("ERR Invalid command specified");
            return;
        }
    };
    let cmd = srv.commands.list[id].cmd;
    let argc = argv.len() as i32;
    if (cmd.arity > 0 && cmd.arity != argc) || argc < -cmd.arity {
        c.add_error("ERR Invalid number of arguments specified for command");
        return;
    }
    let (first, last, step) = cmd.keys;
    if first == 0 {
        c.add_error("ERR The command has no key arguments");
        return;
    }
    let last = if last < 0 { argc + last } else { last };
    let mut keys = Vec::new();
    let mut i = first;
    while i <= last && i < argc {
        keys.push(argv[i as usize].clone());
        i += step.max(1);
    }
    c.add_array_len(keys.len());
    for k in keys {
        c.add_bulk(&k);
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
        c.add_error(&error::wrong_arity("config|set"));
        return;
    }
    let pairs: Vec<(&[u8], &[u8])> = c.argv[2..]
        .chunks(2)
        .map(|p| (&p[0][..], &p[1][..]))
        .collect();
    match srv.config.set(&pairs) {
        Ok(changed) => {
            srv.apply_config_changes(&changed);
            c.add_ok();
        }
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
