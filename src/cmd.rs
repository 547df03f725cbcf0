//! Commands are data: one [`Command`] row per command and subcommand, a struct
//! literal that states everything the dispatcher and COMMAND INFO/DOCS report
//! (name, handler, arity, flags, ACL categories, key specs, tips, docs), in the
//! file of its Redis command group under `cmd/` (or `cmd/<group>/commands.rs`
//! beside a large one). The row types and the table are the layer below
//! (`crate::command`); metadata of the Redis commands not served yet waits in
//! `crate::command::pending`. Two steps run around every handler, as in Redis:
//! [`process_command`] decides whether a client's command may run (lookup,
//! arity, authentication, maxmemory, disk errors, pause, subscribe mode) or is
//! queued inside MULTI; [`call`] runs it and does the stats, slowlog, MONITOR,
//! tracking and propagation (`repl.rs`). Handlers check none of this.
//!
//! A handler has the shape `fn(&mut Server, &mut Client)`: arguments are in
//! `c.argv`, replies go through `c.add_*`, and it never touches a socket.

pub mod bitops;
pub mod client;
pub mod connection;
pub mod debug;
pub mod dump;
pub mod expire;
pub mod generic;
pub mod geo;
#[cfg(test)]
pub(crate) mod harness;
pub mod hash;
pub mod hyperloglog;
pub mod latency;
pub mod list;
pub mod lolwut;
pub mod memory;
pub mod monitor;
pub mod multi;
pub mod observe;
pub mod pubsub;
pub mod replication;
pub mod server;
pub mod set;
pub mod slowlog;
pub mod sort;
pub mod stream;
pub mod string;
#[cfg(test)]
mod table_tests;
pub mod zset;

use crate::client::{flags as cflags, Client};
pub use crate::command::{acl, flags, CmdStats, LookupError};
use crate::error::{self, OpError};
use crate::server::Server;

/// What a row runs: arguments in `c.argv`, replies through `c.add_*`.
pub type Handler = fn(&mut Server, &mut Client);
/// The command table's types with this layer's handler.
pub type Command = crate::command::Command<Handler>;
pub type CommandEntry = crate::command::CommandEntry<Handler>;
pub type CommandTable = crate::command::CommandTable<Handler>;

/// Every command group's rows.
const GROUPS: &[&[Command]] = &[
    connection::COMMANDS,
    client::COMMANDS,
    string::COMMANDS,
    bitops::COMMANDS,
    generic::COMMANDS,
    expire::COMMANDS,
    list::COMMANDS,
    hash::COMMANDS,
    set::COMMANDS,
    zset::COMMANDS,
    zset::algebra::COMMANDS,
    geo::COMMANDS,
    hyperloglog::COMMANDS,
    stream::COMMANDS,
    stream::group::COMMANDS,
    stream::claim::COMMANDS,
    stream::info::COMMANDS,
    sort::COMMANDS,
    pubsub::COMMANDS,
    multi::COMMANDS,
    server::COMMANDS,
    memory::COMMANDS,
    slowlog::COMMANDS,
    latency::COMMANDS,
    monitor::COMMANDS,
    lolwut::COMMANDS,
    debug::COMMANDS,
    dump::COMMANDS,
    replication::COMMANDS,
];

/// The table of every command oxidis serves.
pub fn command_table() -> CommandTable {
    CommandTable::new(GROUPS)
}

/// Handler of container commands called without a subcommand; never reached
/// because arity rejects it, but the row needs one.
pub fn container_command(_: &mut Server, c: &mut Client) {
    c.add_error(&error::wrong_arity(&c.arg_str(0).to_ascii_lowercase()));
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

/// Redis's processCommand: decides whether the command in `c.argv` may run
/// (lookup, arity, protected commands, authentication, maxmemory, disk errors,
/// min-replicas, subscribe mode, loading, CLIENT PAUSE) and either rejects it,
/// holds it (a pause), queues it (inside MULTI) or hands it to [`call`]. Only
/// a client's own input comes here; whatever runs a command on a client's
/// behalf (EXEC, a woken blocked client) calls [`call`] directly.
pub fn process_command(srv: &mut Server, c: &mut Client) {
    debug_assert_eq!(srv.call_depth, 0, "process_command runs at the top level");
    // Whatever this command answers goes out with the next write.
    c.flags &= !cflags::PUSH_ONLY;
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
    // enable-debug-command and friends, checked before auth as Redis does.
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
    // maxmemory: evict before the command; refuse DENYOOM commands (or an EXEC
    // queueing one) when nothing more can be freed. A transaction's commands
    // are not checked one by one: EXEC was checked as a whole.
    // What the master sends was checked by the master (mustObeyClient).
    let obey = c.has(cflags::OBEY);
    if srv.config.maxmemory > 0 && !obey {
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
        // What was evicted is invalidated before this reply, as Redis sends
        // those invalidations from performEvictions.
        if srv.tracking.is_active() {
            crate::tracking::after_evictions(srv, c);
        }
        if refuse {
            reject(srv, c, Some(id), error::OOM);
            return;
        }
    }
    // tracking-table-max-keys, enforced where Redis's processCommand does.
    crate::tracking::before_command(srv, c);
    // A write, or an EXEC whose queue holds one (Redis's is_write_command).
    let is_write = cmd.flags & flags::WRITE != 0
        || (cmd.name == "exec" && multi::queued_flags(srv, c) & flags::WRITE != 0);
    if srv.writes_denied_by_disk_error() && (is_write || cmd.name == "ping") && !obey {
        reject(srv, c, Some(id), error::MISCONF);
        return;
    }
    // The AOF cannot be written (disk full, EIO): writes wait until it can.
    if (is_write || cmd.name == "ping") && !obey {
        let errno = srv.aof.write_errno();
        if errno != 0 {
            let msg = crate::persist::aof::write_error_reply(errno);
            reject(srv, c, Some(id), &msg);
            return;
        }
    }
    if is_write && !obey && srv.master.is_none() && !crate::repl::master::enough_good_replicas(srv)
    {
        reject(srv, c, Some(id), error::NOREPLICAS);
        return;
    }
    if let Some(m) = srv.master.as_deref() {
        // A replica takes writes from its master only (replica-read-only).
        if is_write && srv.config.replica_read_only && !c.has(cflags::MASTER) {
            reject(srv, c, Some(id), error::READONLY);
            return;
        }
        // replica-serve-stale-data no: with the link down only STALE
        // commands (INFO, REPLICAOF, ...) run.
        if !m.is_up() && !srv.config.replica_serve_stale_data && cmd.flags & flags::STALE == 0 {
            reject(srv, c, Some(id), error::MASTERDOWN);
            return;
        }
    }
    // A RESP2 client in subscribe mode may only (un)subscribe, PING, QUIT and
    // RESET (checked before MULTI queueing, as Redis does).
    if c.flags & cflags::PUBSUB != 0
        && c.resp == 2
        && !pubsub::allowed_in_subscribe_mode(srv.commands.list[id].fullname)
    {
        let msg = pubsub::subscribe_mode_error(srv.commands.list[id].fullname);
        reject(srv, c, Some(id), &msg);
        return;
    }
    // While a dataset loads only commands flagged `loading` run.
    if srv.persist.loading && cmd.flags & flags::LOADING == 0 {
        reject(srv, c, Some(id), error::LOADING);
        return;
    }
    // CLIENT PAUSE holds the command once every other check has passed; the
    // client comes back here when the pause ends (pause.rs).
    if srv.pause.is_some() && crate::pause::holds(srv, c, id) {
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
    call(srv, c, id);
    // As Redis's processCommand: after every command run at the top level,
    // so a WAIT covers everything propagated up to the client's last command.
    c.woff = srv.repl.master_repl_offset;
}

/// Redis's call: runs command `id` with the arguments in `c.argv`, then
/// counts it (commandstats, latency, slowlog), feeds MONITOR, sends the
/// tracking invalidations it caused and propagates what it changed. EXEC runs
/// its queued commands through here nested (`Server::call_depth`), and a
/// woken blocked client's re-run comes here with `RERUN` set: that command
/// was counted as a call when it first ran, so its serving only adds its time
/// (and a failure), as Redis's updateStatsOnUnblock.
pub fn call(srv: &mut Server, c: &mut Client, id: usize) {
    let cmd = srv.commands.list[id].cmd;
    let rerun = c.flags & cflags::RERUN != 0;
    c.flags &= !cflags::PUSH_ONLY;
    // One clock reading serves as the command's time (key expiry, LRU) and as
    // the start of its duration, as Redis's call() does.
    let start_us = crate::server::wall_us();
    srv.set_time_ms(start_us / 1000);
    c.errors_in_cmd = 0;
    let out_mark = c.out_mark();
    c.refresh_output_limit(&srv.config.client_output_buffer_limit);
    let dirty_before = srv.dirty;
    let outer = crate::repl::begin_call(srv);
    if cmd.flags & flags::TOUCHES_ARBITRARY_KEYS != 0 {
        crate::repl::no_multi(srv);
    }
    srv.call_depth += 1;
    (cmd.handler)(srv, c);
    if cmd.flags & (flags::READONLY | flags::WRITE) != 0 {
        // Its reply may depend on AOF bytes not yet durable (persist/aof.rs).
        c.flags |= cflags::AOF_DEP;
    }
    srv.call_depth -= 1;
    // What the command changed goes to replicas (rewritten if it asked), as
    // one unit at the top level.
    crate::repl::end_call(srv, c, dirty_before, cmd.name == "exec", outer);
    let usec = (crate::server::wall_us() - start_us).max(0) as u64;
    let st = &mut srv.commands.list[id].stats;
    if !rerun {
        st.calls += 1;
    }
    st.usec += usec;
    if c.errors_in_cmd > 0 {
        st.failed_calls += 1;
    }
    // A command that blocked is measured when it is served.
    if c.blocked.is_none() {
        srv.record_latency(id, usec);
    }
    if !rerun {
        srv.stats.numcommands += 1;
    }
    // Invalidations of what the command changed, keys it read.
    if srv.tracking.is_active() {
        crate::tracking::after_call(srv, c, id, out_mark);
    }
    // Slowlog, latency events and histogram, MONITOR feed.
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

/// Redis's addReplySubcommandSyntaxError (the subcommand echoed as sent).
pub fn subcommand_syntax_error(c: &mut Client) {
    let msg = [
        &b"ERR unknown subcommand or wrong number of arguments for '"[..],
        error::c_str(&c.argv[1], 128),
        b"'. Try ",
        &error::c_str(&c.argv[0], usize::MAX).to_ascii_uppercase(),
        b" HELP.",
    ]
    .concat();
    c.add_error_bytes(&msg);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(h: &harness::Harness, name: &str) -> CmdStats {
        let id = h.srv.commands.find_fullname(name.as_bytes()).expect(name);
        h.srv.commands.list[id].stats.clone()
    }

    /// EXEC runs its queue through `call` only: each queued command counts one
    /// call, a rejection while queueing counts as rejected (not as a call), and
    /// the nesting depth is back to 0 after the transaction.
    #[test]
    fn exec_calls_queued_commands_once() {
        let mut h = harness::Harness::new(Server::new(crate::config::Config::default()));
        assert_eq!(h.run(&["MULTI"]), b"+OK\r\n");
        assert_eq!(h.run(&["SET", "k", "v"]), b"+QUEUED\r\n");
        assert_eq!(h.run(&["GET", "k"]), b"+QUEUED\r\n");
        assert_eq!(stats(&h, "set").calls, 0);
        assert_eq!(h.run(&["EXEC"]), b"*2\r\n+OK\r\n$1\r\nv\r\n");
        assert_eq!(h.srv.call_depth, 0);
        assert_eq!(stats(&h, "set").calls, 1);
        assert_eq!(stats(&h, "get").calls, 1);
        assert_eq!(stats(&h, "exec").calls, 1);
        // MULTI, EXEC and the two commands it ran.
        assert_eq!(h.srv.stats.numcommands, 4);
        h.run(&["MULTI"]);
        assert!(h.run(&["GET"]).starts_with(b"-ERR wrong number"));
        assert!(h.run(&["EXEC"]).starts_with(b"-EXECABORT"));
        let get = stats(&h, "get");
        assert_eq!((get.calls, get.rejected_calls), (1, 1));
        assert_eq!(stats(&h, "exec").calls, 2);
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
