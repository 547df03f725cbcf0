//! Commands are data: one [`Command`] row per command (name, handler, arity, flags,
//! key positions, ACL categories, docs), grouped one file per Redis command group
//! under `cmd/`. [`call`] does everything a handler must not: lookup, arity,
//! authentication, MULTI queueing, stats and propagation (`repl.rs`); OOM later.
//!
//! A handler has the shape `fn(&mut Server, &mut Client)`: arguments are in
//! `c.argv`, replies go through `c.add_*`, and it never touches a socket.

pub mod client;
pub mod connection;
pub mod debug;
pub mod dump;
pub mod expire;
#[cfg(test)]
pub(crate) mod harness;
pub mod hash;
pub mod keyspace;
pub mod list;
pub mod memory;
pub mod multi;
pub mod observe;
pub mod pubsub;
pub mod replication;
pub mod server;
pub mod set;
pub mod sort;
pub mod spec;
pub mod string;

use std::collections::HashMap;

use crate::client::{flags as cflags, Client};
use crate::error::{self, OpError};
use crate::server::Server;

pub type Handler = fn(&mut Server, &mut Client);

/// Command flags (Redis's CMD_* with the names COMMAND INFO shows).
pub mod flags {
    pub const WRITE: u64 = 1 << 0;
    pub const READONLY: u64 = 1 << 1;
    pub const DENYOOM: u64 = 1 << 2;
    pub const MODULE: u64 = 1 << 3;
    pub const ADMIN: u64 = 1 << 4;
    pub const PUBSUB: u64 = 1 << 5;
    pub const NOSCRIPT: u64 = 1 << 6;
    pub const BLOCKING: u64 = 1 << 8;
    pub const LOADING: u64 = 1 << 9;
    pub const STALE: u64 = 1 << 10;
    pub const SKIP_MONITOR: u64 = 1 << 11;
    pub const SKIP_SLOWLOG: u64 = 1 << 12;
    pub const ASKING: u64 = 1 << 13;
    pub const FAST: u64 = 1 << 14;
    pub const NO_AUTH: u64 = 1 << 15;
    pub const MAY_REPLICATE: u64 = 1 << 16;
    pub const SENTINEL: u64 = 1 << 17;
    pub const ONLY_SENTINEL: u64 = 1 << 18;
    pub const NO_MANDATORY_KEYS: u64 = 1 << 19;
    pub const PROTECTED: u64 = 1 << 20;
    pub const NO_ASYNC_LOADING: u64 = 1 << 23;
    pub const NO_MULTI: u64 = 1 << 24;
    pub const MOVABLE_KEYS: u64 = 1 << 25;
    pub const ALLOW_BUSY: u64 = 1 << 26;
    /// May lazily expire keys it does not name (SCAN, RANDOMKEY): their DELs
    /// are not wrapped in MULTI/EXEC. Not shown by COMMAND, as in Redis.
    pub const TOUCHES_ARBITRARY_KEYS: u64 = 1 << 28;

    /// (bit, name) in the order Redis prints them in COMMAND INFO.
    pub const NAMES: &[(u64, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (MODULE, "module"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (ASKING, "asking"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        // MAY_REPLICATE is not shown: Redis hides it on purpose.
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLE_KEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// ACL categories (Redis's ACL_CATEGORY_*).
pub mod acl {
    pub const KEYSPACE: u64 = 1 << 0;
    pub const READ: u64 = 1 << 1;
    pub const WRITE: u64 = 1 << 2;
    pub const SET: u64 = 1 << 3;
    pub const SORTEDSET: u64 = 1 << 4;
    pub const LIST: u64 = 1 << 5;
    pub const HASH: u64 = 1 << 6;
    pub const STRING: u64 = 1 << 7;
    pub const BITMAP: u64 = 1 << 8;
    pub const HYPERLOGLOG: u64 = 1 << 9;
    pub const GEO: u64 = 1 << 10;
    pub const STREAM: u64 = 1 << 11;
    pub const PUBSUB: u64 = 1 << 12;
    pub const ADMIN: u64 = 1 << 13;
    pub const FAST: u64 = 1 << 14;
    pub const SLOW: u64 = 1 << 15;
    pub const BLOCKING: u64 = 1 << 16;
    pub const DANGEROUS: u64 = 1 << 17;
    pub const CONNECTION: u64 = 1 << 18;
    pub const TRANSACTION: u64 = 1 << 19;
    pub const SCRIPTING: u64 = 1 << 20;

    pub const NAMES: &[(u64, &str)] = &[
        (KEYSPACE, "keyspace"),
        (READ, "read"),
        (WRITE, "write"),
        (SET, "set"),
        (SORTEDSET, "sortedset"),
        (LIST, "list"),
        (HASH, "hash"),
        (STRING, "string"),
        (BITMAP, "bitmap"),
        (HYPERLOGLOG, "hyperloglog"),
        (GEO, "geo"),
        (STREAM, "stream"),
        (PUBSUB, "pubsub"),
        (ADMIN, "admin"),
        (FAST, "fast"),
        (SLOW, "slow"),
        (BLOCKING, "blocking"),
        (DANGEROUS, "dangerous"),
        (CONNECTION, "connection"),
        (TRANSACTION, "transaction"),
        (SCRIPTING, "scripting"),
    ];
}

/// One command (or subcommand) row.
pub struct Command {
    /// Lower-case name (`get`; `get` for `CONFIG GET`, whose full name is `config|get`).
    pub name: &'static str,
    pub handler: Handler,
    /// N: exactly N arguments including the name; -N: at least N.
    pub arity: i32,
    pub flags: u64,
    /// Explicit ACL categories (the implicit ones are derived from the flags).
    pub acl: u64,
    /// First key, last key (negative counts from the end), step; 0,0,0 = no keys.
    pub keys: (i32, i32, i32),
    /// Redis's command group (`string`, `generic`, `server`, ...).
    pub group: &'static str,
    pub since: &'static str,
    pub summary: &'static str,
    pub complexity: &'static str,
    pub subcommands: &'static [Command],
}

/// Builds a row; use struct update syntax for subcommands.
#[allow(clippy::too_many_arguments)]
pub const fn cmd(
    name: &'static str,
    handler: Handler,
    arity: i32,
    flags: u64,
    acl: u64,
    keys: (i32, i32, i32),
    group: &'static str,
    since: &'static str,
    summary: &'static str,
    complexity: &'static str,
) -> Command {
    Command {
        name,
        handler,
        arity,
        flags,
        acl,
        keys,
        group,
        since,
        summary,
        complexity,
        subcommands: &[],
    }
}

/// Handler of container commands called without a subcommand; never reached
/// because arity rejects it, but the row needs one.
pub fn container_command(_: &mut Server, c: &mut Client) {
    c.add_error(&error::wrong_arity(&c.arg_str(0).to_ascii_lowercase()));
}

/// Per-command counters (INFO commandstats).
#[derive(Default, Clone, Debug)]
pub struct CmdStats {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
}

pub struct CommandEntry {
    pub cmd: &'static Command,
    /// `get`, or `config|get` for a subcommand.
    pub fullname: &'static str,
    pub parent: Option<usize>,
    subs: NameMap,
    pub stats: CmdStats,
    /// Key specs, tips and docs (empty for commands Redis 7.0 lacks).
    pub spec: &'static spec::CommandSpec,
    /// Legacy (first, last, step) as COMMAND INFO shows it: from the key specs
    /// when there are any, else the row's own.
    pub legacy_keys: (i32, i32, i32),
    /// Flags as COMMAND INFO shows them (`movablekeys` derived from the specs).
    pub info_flags: u64,
}

impl CommandEntry {
    /// Implicit plus explicit ACL categories, as Redis's setImplicitACLCategories.
    pub fn acl_categories(&self) -> u64 {
        let f = self.cmd.flags;
        let mut a = self.cmd.acl;
        if f & flags::WRITE != 0 {
            a |= acl::WRITE;
        }
        if f & flags::READONLY != 0 && a & acl::SCRIPTING == 0 {
            a |= acl::READ;
        }
        if f & flags::ADMIN != 0 {
            a |= acl::ADMIN | acl::DANGEROUS;
        }
        if f & flags::PUBSUB != 0 {
            a |= acl::PUBSUB;
        }
        if f & flags::FAST != 0 {
            a |= acl::FAST;
        }
        if f & flags::BLOCKING != 0 {
            a |= acl::BLOCKING;
        }
        if a & acl::FAST == 0 {
            a |= acl::SLOW;
        }
        a
    }

    /// Subcommand ids in table order.
    pub fn subcommand_ids(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.subs.values().copied().collect();
        v.sort_unstable();
        v
    }
}

/// FNV-1a: the command-name index is fixed at start-up (nothing a client sends
/// is ever inserted), so it needs no flood-resistant keyed hash, and command
/// lookup runs for every request.
#[derive(Default, Clone, Copy)]
pub struct NameHasher(u64);

impl std::hash::Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        self.0 = h;
    }
}

type NameMap = HashMap<Vec<u8>, usize, std::hash::BuildHasherDefault<NameHasher>>;

/// All commands, by id, with a case-insensitive name index.
pub struct CommandTable {
    pub list: Vec<CommandEntry>,
    by_name: NameMap,
    /// Top-level ids that `rename-command x ""` removed: gone from COMMAND's
    /// listings as from the name index, as in Redis.
    removed: Vec<usize>,
}

/// Every command group's rows.
const GROUPS: &[&[Command]] = &[
    connection::COMMANDS,
    client::COMMANDS,
    string::COMMANDS,
    keyspace::COMMANDS,
    expire::COMMANDS,
    list::COMMANDS,
    hash::COMMANDS,
    set::COMMANDS,
    sort::COMMANDS,
    pubsub::COMMANDS,
    multi::COMMANDS,
    server::COMMANDS,
    memory::COMMANDS,
    observe::COMMANDS,
    debug::COMMANDS,
    dump::COMMANDS,
    replication::COMMANDS,
];

/// Why a lookup failed.
pub enum LookupError {
    Unknown,
    UnknownSubcommand,
}

impl CommandTable {
    pub fn new() -> CommandTable {
        let mut t = CommandTable {
            list: Vec::new(),
            by_name: NameMap::default(),
            removed: Vec::new(),
        };
        let specs = spec::index();
        for group in GROUPS.iter().copied() {
            for c in group {
                let id = t.push(c, c.name, None, &specs);
                t.by_name.insert(c.name.as_bytes().to_vec(), id);
                for sc in c.subcommands {
                    let full: &'static str =
                        Box::leak(format!("{}|{}", c.name, sc.name).into_boxed_str());
                    let sid = t.push(sc, full, Some(id), &specs);
                    t.list[id].subs.insert(sc.name.as_bytes().to_vec(), sid);
                }
            }
        }
        t
    }

    fn push(
        &mut self,
        cmd: &'static Command,
        fullname: &'static str,
        parent: Option<usize>,
        specs: &HashMap<&'static str, &'static spec::CommandSpec>,
    ) -> usize {
        let spec: &'static spec::CommandSpec =
            specs.get(fullname).copied().unwrap_or(&spec::EMPTY_SPEC);
        let (mut legacy_keys, mut info_flags) = (cmd.keys, cmd.flags);
        if !spec.key_specs.is_empty() {
            let (range, movable) = spec::legacy_range(spec.key_specs);
            legacy_keys = range;
            if movable {
                info_flags |= flags::MOVABLE_KEYS;
            }
        }
        self.list.push(CommandEntry {
            cmd,
            fullname,
            parent,
            subs: NameMap::default(),
            stats: CmdStats::default(),
            spec,
            legacy_keys,
            info_flags,
        });
        self.list.len() - 1
    }

    /// `rename-command from to`: `to` empty disables the command.
    pub fn rename(&mut self, from: &[u8], to: &[u8]) -> Result<(), String> {
        let from = from.to_ascii_lowercase();
        let Some(id) = self.by_name.remove(&from) else {
            return Err("No such command in rename-command".into());
        };
        if to.is_empty() {
            self.removed.push(id);
            return Ok(());
        }
        let to = to.to_ascii_lowercase();
        if self.by_name.contains_key(&to) {
            self.by_name.insert(from, id);
            return Err("Target command name already exists".into());
        }
        self.by_name.insert(to, id);
        Ok(())
    }

    /// Top-level command id by (any-case) name.
    pub fn find(&self, name: &[u8]) -> Option<usize> {
        let mut tmp = [0u8; 32];
        if name.len() <= tmp.len() {
            for (d, s) in tmp.iter_mut().zip(name) {
                *d = s.to_ascii_lowercase();
            }
            self.by_name.get(&tmp[..name.len()]).copied()
        } else {
            None
        }
    }

    /// Resolves `argv` to a command or subcommand id, as Redis's lookupCommand.
    pub fn lookup(&self, argv: &[bytes::Bytes]) -> Result<usize, LookupError> {
        let id = self.find(&argv[0]).ok_or(LookupError::Unknown)?;
        let e = &self.list[id];
        if e.subs.is_empty() || argv.len() < 2 {
            return Ok(id);
        }
        let sub = argv[1].to_ascii_lowercase();
        e.subs
            .get(&sub)
            .copied()
            .ok_or(LookupError::UnknownSubcommand)
    }

    /// Resolves a name as COMMAND INFO / DOCS take it, `name` or
    /// `container|sub`, through the (renamed) name index, as Redis's
    /// lookupCommandBySds: a command renamed away is not found, a renamed one
    /// only under its new name.
    pub fn find_fullname(&self, name: &[u8]) -> Option<usize> {
        let mut parts = name.splitn(2, |&b| b == b'|');
        let id = self.find(parts.next()?)?;
        match parts.next() {
            None => Some(id),
            Some(sub) => {
                let sub = sub.to_ascii_lowercase();
                self.list[id].subs.get(&sub).copied()
            }
        }
    }

    /// Top-level commands that can be called (not renamed away), in table order.
    pub fn top_level(&self) -> impl Iterator<Item = (usize, &CommandEntry)> {
        self.list
            .iter()
            .enumerate()
            .filter(|(i, e)| e.parent.is_none() && !self.removed.contains(i))
    }
}

impl Default for CommandTable {
    fn default() -> Self {
        Self::new()
    }
}

/// Redis's text for an unknown command: the name and the first arguments
/// as C's `%.128s` prints them, bytes as the client sent them.
fn unknown_command_error(argv: &[bytes::Bytes]) -> Vec<u8> {
    let mut args = Vec::new();
    for a in &argv[1..] {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        args.push(b'\'');
        args.extend_from_slice(error::c_str(a, room));
        args.extend_from_slice(b"' ");
    }
    [
        b"ERR unknown command '",
        error::c_str(&argv[0], 128),
        b"', with args beginning with: ",
        &args,
    ]
    .concat()
}

/// Runs the command in `c.argv`: lookup, checks, the handler, stats.
pub fn call(srv: &mut Server, c: &mut Client) {
    // Whatever this command answers goes out with the next write.
    c.flags &= !crate::client::flags::PUSH_ONLY;
    let id = match srv.commands.lookup(&c.argv) {
        Ok(id) => id,
        Err(LookupError::Unknown) => {
            c.last_cmd = "NULL";
            let msg = unknown_command_error(&c.argv);
            reject(srv, c, None, &msg);
            return;
        }
        Err(LookupError::UnknownSubcommand) => {
            c.last_cmd = "NULL";
            let msg = [
                &b"ERR unknown subcommand '"[..],
                error::c_str(&c.argv[1], 128),
                b"'. Try ",
                &error::c_str(&c.argv[0], usize::MAX).to_ascii_uppercase(),
                b" HELP.",
            ]
            .concat();
            reject(srv, c, None, &msg);
            return;
        }
    };
    let entry = &srv.commands.list[id];
    let cmd = entry.cmd;
    // CLIENT LIST `cmd=`: the command as looked up, also when it is then
    // rejected, queued or held (Redis sets lastcmd at lookup).
    c.last_cmd = entry.fullname;
    let argc = c.argv.len() as i32;
    if (cmd.arity > 0 && cmd.arity != argc) || argc < -cmd.arity {
        let msg = error::wrong_arity(entry.fullname);
        reject(srv, c, Some(id), &msg);
        return;
    }
    // observe hook: enable-debug-command (checked before auth, as Redis does).
    if cmd.flags & flags::PROTECTED != 0 {
        if let Some(msg) = debug::protected_denied(srv, c) {
            reject(srv, c, Some(id), &msg);
            return;
        }
    }
    if !c.authenticated && cmd.flags & flags::NO_AUTH == 0 && srv.auth_required() {
        reject(srv, c, Some(id), error::NOAUTH);
        return;
    }
    // A woken blocked client's re-run is its command being served, not a new
    // command: memory and disk-error checks passed when it first ran (Redis
    // serves blocked clients without processCommand's checks).
    let rerun = c.flags & cflags::RERUN != 0;
    // maxmemory: evict before the command; refuse DENYOOM commands (or an EXEC
    // queueing one) when nothing more can be freed. Not inside EXEC: the
    // transaction was checked as a whole.
    if srv.config.maxmemory > 0 && srv.tracking.nesting == 0 && !rerun {
        srv.update_time();
        // Inside MULTI every command but EXEC, DISCARD, QUIT and RESET would
        // grow the queue, so all are refused (an EXEC only if it queues a
        // DENYOOM command).
        let in_multi = c.flags & cflags::MULTI != 0
            && !matches!(cmd.name, "exec" | "discard" | "quit" | "reset");
        let denyoom = cmd.flags & flags::DENYOOM != 0
            || in_multi
            || (cmd.name == "exec" && multi::queued_denyoom(srv, c));
        let refuse = crate::evict::refuse_command(srv, c, denyoom);
        // tracking hook: what was evicted is invalidated before this reply.
        if srv.tracking.is_active() {
            crate::tracking::after_evictions(srv, c);
        }
        if refuse {
            reject(srv, c, Some(id), error::OOM);
            return;
        }
    }
    // tracking hook: tracking-table-max-keys, where Redis's processCommand checks it.
    crate::tracking::before_command(srv, c);
    // A write, or an EXEC whose queue holds one (Redis's is_write_command).
    let is_write = cmd.flags & flags::WRITE != 0
        || (cmd.name == "exec" && multi::queued_flags(srv, c) & flags::WRITE != 0);
    if !rerun && srv.writes_denied_by_disk_error() && (is_write || cmd.name == "ping") {
        reject(srv, c, Some(id), error::MISCONF);
        return;
    }
    // repl hook: min-replicas-to-write.
    if !rerun && is_write && !crate::repl::master::enough_good_replicas(srv) {
        reject(srv, c, Some(id), error::NOREPLICAS);
        return;
    }
    // pubsub hook: a RESP2 client in subscribe mode may only (un)subscribe, PING,
    // QUIT and RESET (checked before MULTI queueing, as Redis does).
    if c.flags & cflags::PUBSUB != 0
        && c.resp == 2
        && !pubsub::allowed_in_subscribe_mode(srv.commands.list[id].fullname)
    {
        let msg = pubsub::subscribe_mode_error(srv.commands.list[id].fullname);
        reject(srv, c, Some(id), &msg);
        return;
    }
    // persist hook: while a dataset loads only commands flagged `loading` run.
    if srv.persist.loading && cmd.flags & flags::LOADING == 0 {
        reject(srv, c, Some(id), error::LOADING);
        return;
    }
    // pause hook: CLIENT PAUSE holds the command once every other check has
    // passed; the client runs it again when the pause ends (pause.rs).
    if srv.pause.is_some()
        && srv.tracking.nesting == 0
        && !c.has(cflags::RERUN)
        && crate::pause::holds(srv, c, id)
    {
        crate::pause::postpone(srv, c);
        return;
    }
    if c.flags & cflags::MULTI != 0 && !multi::runs_inside_multi(srv.commands.list[id].fullname) {
        if cmd.flags & flags::NO_MULTI != 0 {
            reject(
                srv,
                c,
                Some(id),
                "ERR Command not allowed inside a transaction",
            );
            return;
        }
        // An aborted transaction keeps nothing more (Redis's queueMultiCommand);
        // the reply is the same.
        if !c.has(cflags::DIRTY_CAS | cflags::DIRTY_EXEC) {
            c.mstate.push(std::mem::take(&mut c.argv));
        }
        c.add_raw(b"+QUEUED\r\n");
        return;
    }

    // One clock reading serves as the command's time (key expiry, LRU) and as
    // the start of its duration, as Redis's call() does.
    let start_us = crate::server::wall_us();
    srv.set_time_ms(start_us / 1000);
    c.errors_in_cmd = 0;
    let out_mark = c.out_mark();
    c.refresh_output_limit(&srv.config.client_output_buffer_limit);
    srv.tracking.nesting += 1;
    let dirty_before = srv.dirty;
    let outer = crate::repl::begin_call(srv);
    if cmd.flags & flags::TOUCHES_ARBITRARY_KEYS != 0 {
        crate::repl::no_multi(srv);
    }
    (cmd.handler)(srv, c);
    // repl hook: what the command changed goes to replicas (rewritten if it
    // asked), as one unit at the top level.
    crate::repl::end_call(srv, c, dirty_before, cmd.name == "exec", outer);
    srv.tracking.nesting -= 1;
    let usec = (crate::server::wall_us() - start_us).max(0) as u64;
    // A blocking command counts as one call, when it first runs; serving it
    // later adds its time (and a failure), as Redis's updateStatsOnUnblock.
    let st = &mut srv.commands.list[id].stats;
    if !rerun {
        st.calls += 1;
    }
    st.usec += usec;
    if c.errors_in_cmd > 0 {
        st.failed_calls += 1;
    }
    if c.blocked.is_none() {
        srv.record_latency(id, usec);
    }
    if !rerun {
        srv.stats.numcommands += 1;
    }
    // tracking hook: invalidations of what the command changed, keys it read.
    if srv.tracking.is_active() {
        crate::tracking::after_call(srv, c, id, out_mark);
    }
    // observe hook: slowlog, latency events and histogram, MONITOR feed.
    observe::after_call(srv, c, id, usec);
    srv.after_command(c);
}

fn reject(srv: &mut Server, c: &mut Client, id: Option<usize>, msg: impl AsRef<[u8]>) {
    let msg = msg.as_ref();
    let is_exec = id.is_some_and(|id| srv.commands.list[id].cmd.name == "exec");
    if is_exec {
        // A rejected EXEC aborts the transaction (Redis's execCommandAbort).
        multi::discard_transaction(srv, c);
        let why = msg.strip_prefix(b"ERR ").unwrap_or(msg);
        c.add_error_bytes(&[&b"EXECABORT Transaction discarded because of: "[..], why].concat());
    } else {
        c.add_error_bytes(msg);
    }
    if c.flags & cflags::MULTI != 0 {
        c.flags |= cflags::DIRTY_EXEC;
    }
    if let Some(id) = id {
        srv.commands.list[id].stats.rejected_calls += 1;
    }
    srv.after_command(c);
}

/// Redis's validateClientName: names may not contain spaces or special characters.
pub fn validate_client_name(name: &[u8]) -> Result<(), &'static str> {
    if name.iter().all(|&b| (b'!'..=b'~').contains(&b)) {
        Ok(())
    } else {
        Err("ERR Client names cannot contain spaces, newlines or special characters.")
    }
}

/// Parses argument `i` as an integer (Redis's getLongLongFromObjectOrReply).
pub fn arg_i64(c: &Client, i: usize) -> Result<i64, OpError> {
    crate::util::number::parse_i64(&c.argv[i]).ok_or(OpError::NotInteger)
}

/// Replies with an operation error.
pub fn reply_err(c: &mut Client, e: OpError) {
    c.add_error_bytes(&e.bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        let t = CommandTable::new();
        for e in &t.list {
            assert_eq!(e.cmd.name, e.cmd.name.to_ascii_lowercase());
            assert!(e.cmd.arity != 0, "{}", e.fullname);
            assert!(!e.cmd.summary.is_empty(), "{}", e.fullname);
            if e.parent.is_some() {
                assert!(e.cmd.subcommands.is_empty(), "{}", e.fullname);
            }
        }
        assert!(t.find(b"GeT").is_some());
    }

    /// Redis 7.0's commands flagged may_replicate (hidden from COMMAND INFO,
    /// but CLIENT PAUSE WRITE holds them): exactly these carry the flag here.
    #[test]
    fn may_replicate_rows_match_redis() {
        const REDIS: &[&str] = &["eval", "evalsha", "fcall", "pfcount", "publish", "spublish"];
        let t = CommandTable::new();
        for e in &t.list {
            let has = e.cmd.flags & flags::MAY_REPLICATE != 0;
            assert_eq!(has, REDIS.contains(&e.fullname), "{}", e.fullname);
        }
        assert!(t.find(b"publish").is_some());
    }

    #[test]
    fn unknown_command_text_matches_redis() {
        let argv: Vec<bytes::Bytes> = vec!["foo".into(), "a".into(), "b\0c".into()];
        assert_eq!(
            unknown_command_error(&argv),
            b"ERR unknown command 'foo', with args beginning with: 'a' 'b' "
        );
        // Bytes that are not UTF-8 are echoed as they are, and the 128-byte
        // preview counts bytes.
        let long = vec![0xe9u8; 200];
        let argv: Vec<bytes::Bytes> = vec![b"\xff\xfe"[..].into(), long.into()];
        let mut want = b"ERR unknown command '\xff\xfe', with args beginning with: '".to_vec();
        want.extend(vec![0xe9u8; 128]);
        want.extend_from_slice(b"' ");
        assert_eq!(unknown_command_error(&argv), want);
    }
}
