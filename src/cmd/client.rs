//! CLIENT and its subcommands (Redis's networking.c): ID, GETNAME, SETNAME, INFO,
//! LIST, KILL, REPLY, NO-EVICT, UNBLOCK, HELP, and the client-side caching ones
//! (TRACKING, CACHING, GETREDIR, TRACKINGINFO; the machinery is in tracking.rs).

use super::{acl, container_command, flags as f, validate_client_name, Command};
use crate::client::info::{client_info_line, client_type, ClientType};
use crate::client::tracking::flags as tflags;
use crate::client::{flags as cflags, Client};
use crate::command::spec::prelude::*;
use crate::error;
use crate::server::Server;
use crate::tracking::{self, PrefixCheck};
use crate::util::number::parse_i64;

mod commands;
pub use commands::COMMANDS;

const CONN: u64 = f::NOSCRIPT | f::LOADING | f::STALE;

/// CLIENT ID
pub fn client_id_command(_: &mut Server, c: &mut Client) {
    c.add_int(c.id as i64);
}

/// CLIENT GETNAME
pub fn client_getname_command(_: &mut Server, c: &mut Client) {
    match c.name.clone() {
        Some(n) => c.add_bulk(&n),
        None => c.add_null(),
    }
}

/// CLIENT SETNAME connection-name
pub fn client_setname_command(_: &mut Server, c: &mut Client) {
    let name = c.argv[2].clone();
    if let Err(e) = validate_client_name(&name) {
        c.add_error(e);
        return;
    }
    c.name = if name.is_empty() { None } else { Some(name) };
    c.add_ok();
}

/// CLIENT INFO
pub fn client_info_command(srv: &mut Server, c: &mut Client) {
    let line = client_info_line(c, srv.now_ms) + "\n";
    c.add_verbatim(line.as_bytes(), "txt");
}

/// Every connected client's line, the caller's included, in connection order.
fn all_client_lines(srv: &Server, me: &Client, keep: impl Fn(&Client) -> bool) -> String {
    let mut all: Vec<&Client> = srv.clients.all(Some(me)).collect();
    all.sort_by_key(|c| c.id);
    let mut out = String::new();
    for cl in all.into_iter().filter(|cl| keep(cl)) {
        out.push_str(&client_info_line(cl, srv.now_ms));
        out.push('\n');
    }
    out
}

/// Parses a TYPE argument (getClientTypeByName).
fn parse_client_type(v: &[u8]) -> Option<ClientType> {
    match &v.to_ascii_lowercase()[..] {
        b"normal" => Some(ClientType::Normal),
        b"slave" | b"replica" => Some(ClientType::Replica),
        b"pubsub" => Some(ClientType::Pubsub),
        b"master" => Some(ClientType::Master),
        _ => None,
    }
}

/// CLIENT LIST [TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id ...]
pub fn client_list_command(srv: &mut Server, c: &mut Client) {
    let mut ids: Option<Vec<i64>> = None;
    let mut ctype: Option<ClientType> = None;
    if c.argv.len() == 4 && c.argv[2].eq_ignore_ascii_case(b"type") {
        match parse_client_type(&c.argv[3]) {
            Some(t) => ctype = Some(t),
            None => {
                let msg = error::unknown_client_type(&c.argv[3]);
                c.add_error_bytes(&msg);
                return;
            }
        }
    } else if c.argv.len() > 3 && c.argv[2].eq_ignore_ascii_case(b"id") {
        let mut v = Vec::new();
        for a in &c.argv[3..] {
            match parse_i64(a) {
                Some(id) => v.push(id),
                None => {
                    c.add_error("ERR Invalid client ID");
                    return;
                }
            }
        }
        ids = Some(v);
    } else if c.argv.len() != 2 {
        c.add_error(error::SYNTAX);
        return;
    }
    // Redis lists the given ids in their order, each time it is given.
    let text = match ids {
        Some(ids) => ids
            .iter()
            .map(|&id| all_client_lines(srv, c, |cl| cl.id as i64 == id))
            .collect(),
        None => all_client_lines(srv, c, |cl| ctype.is_none_or(|t| t == client_type(cl))),
    };
    c.add_verbatim(text.as_bytes(), "txt");
}

/// Filters of CLIENT KILL's new form.
#[derive(Default)]
struct KillFilter {
    addr: Option<Vec<u8>>,
    laddr: Option<Vec<u8>>,
    id: Option<u64>,
    user: Option<Vec<u8>>,
    ctype: Option<ClientType>,
    skipme: bool,
}

/// CLIENT KILL ip:port | CLIENT KILL [ID id] [TYPE type] [USER user] [ADDR addr] [LADDR addr] [SKIPME yes/no]
pub fn client_kill_command(srv: &mut Server, c: &mut Client) {
    let old_form = c.argv.len() == 3;
    let mut flt = KillFilter {
        skipme: !old_form,
        ..Default::default()
    };
    if old_form {
        flt.addr = Some(c.argv[2].to_vec());
    } else {
        if !c.argv.len().is_multiple_of(2) {
            c.add_error(error::SYNTAX);
            return;
        }
        for pair in c.argv[2..].chunks(2) {
            let (k, v) = (pair[0].to_ascii_lowercase(), &pair[1]);
            match &k[..] {
                b"id" => match parse_i64(v) {
                    Some(id) if id > 0 => flt.id = Some(id as u64),
                    _ => {
                        c.add_error("ERR client-id should be greater than 0");
                        return;
                    }
                },
                b"type" => match parse_client_type(v) {
                    Some(t) => flt.ctype = Some(t),
                    None => {
                        let msg = error::unknown_client_type(v);
                        c.add_error_bytes(&msg);
                        return;
                    }
                },
                b"user" => {
                    if !crate::server::user_exists(v) {
                        let msg = format!("ERR No such user '{}'", String::from_utf8_lossy(v));
                        c.add_error(&msg);
                        return;
                    }
                    flt.user = Some(v.to_vec());
                }
                b"addr" => flt.addr = Some(v.to_vec()),
                b"laddr" => flt.laddr = Some(v.to_vec()),
                b"skipme" => {
                    if v.eq_ignore_ascii_case(b"yes") {
                        flt.skipme = true;
                    } else if v.eq_ignore_ascii_case(b"no") {
                        flt.skipme = false;
                    } else {
                        c.add_error(error::SYNTAX);
                        return;
                    }
                }
                _ => {
                    c.add_error(error::SYNTAX);
                    return;
                }
            }
        }
    }
    let matches = |cl: &Client| {
        flt.addr.as_ref().is_none_or(|a| a == cl.addr.as_bytes())
            && flt.laddr.as_ref().is_none_or(|a| a == cl.laddr.as_bytes())
            && flt.id.is_none_or(|id| id == cl.id)
            && flt.user.as_ref().is_none_or(|u| u == cl.user.as_bytes())
            && flt.ctype.is_none_or(|t| t == client_type(cl))
    };
    let victims: Vec<usize> = srv
        .clients
        .all(None)
        .filter(|cl| matches(cl))
        .map(|cl| cl.token)
        .collect();
    let mut killed = victims.len();
    for t in victims {
        srv.clients.close_other_asap(t);
    }
    if !flt.skipme && matches(c) {
        c.flags |= cflags::CLOSE_AFTER_REPLY;
        killed += 1;
    }
    if old_form {
        if killed == 0 {
            c.add_error("ERR No such client");
        } else {
            c.add_ok();
        }
    } else {
        c.add_int(killed as i64);
    }
}

/// CLIENT REPLY ON|OFF|SKIP
pub fn client_reply_command(_: &mut Server, c: &mut Client) {
    let mode = c.argv[2].to_ascii_lowercase();
    match &mode[..] {
        b"on" => {
            c.flags &= !(cflags::REPLY_OFF | cflags::REPLY_SKIP | cflags::REPLY_SKIP_NEXT);
            c.add_ok();
        }
        b"off" => c.flags |= cflags::REPLY_OFF,
        b"skip" => {
            if !c.has(cflags::REPLY_OFF) {
                c.flags |= cflags::REPLY_SKIP_NEXT;
            }
        }
        _ => c.add_error(error::SYNTAX),
    }
}

/// CLIENT NO-EVICT ON|OFF
pub fn client_noevict_command(_: &mut Server, c: &mut Client) {
    if c.argv[2].eq_ignore_ascii_case(b"on") {
        c.flags |= cflags::NO_EVICT;
        c.add_ok();
    } else if c.argv[2].eq_ignore_ascii_case(b"off") {
        c.flags &= !cflags::NO_EVICT;
        c.add_ok();
    } else {
        c.add_error(error::SYNTAX);
    }
}

/// CLIENT UNBLOCK client-id [TIMEOUT | ERROR]
pub fn client_unblock_command(srv: &mut Server, c: &mut Client) {
    // Redis checks the argument count, then the reason, then the id.
    let as_error = match c.argv.len() {
        3 => false,
        4 if c.argv[3].eq_ignore_ascii_case(b"timeout") => false,
        4 if c.argv[3].eq_ignore_ascii_case(b"error") => true,
        4 => {
            c.add_error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
        _ => return super::subcommand_syntax_error(c),
    };
    let Some(id) = parse_i64(&c.argv[2]) else {
        c.add_error(error::NOT_INTEGER);
        return;
    };
    // The caller runs a command, so it is not blocked: the target is another
    // client, in the slab.
    let target = srv
        .clients
        .all(None)
        .find(|cl| cl.id as i64 == id && cl.blocked.is_some())
        .map(|cl| cl.token);
    let Some(t) = target else {
        c.add_int(0);
        return;
    };
    // A WAIT is answered with its replicas' count as of now (counted before
    // the target is borrowed: the replicas are in the same slab).
    let acks = srv.clients.get(t).map_or(0, |cl| srv.wait_acks_now(cl));
    let Some(cl) = srv.clients.get_mut(t) else {
        return;
    };
    // Redis counts the unblocked command as failed, whatever the reason.
    let blocked = cl.blocked.as_ref().map(|b| srv.commands.lookup(&b.argv));
    if let Some(Ok(id)) = blocked {
        srv.commands.list[id].stats.failed_calls += 1;
    }
    if as_error {
        cl.add_error("UNBLOCKED client unblocked via CLIENT UNBLOCK");
        // The error counts now (INFO errorstats), not at cl's next command.
        srv.stats.total_error_replies += cl.errors_in_cmd as u64;
        cl.errors_in_cmd = 0;
        for code in cl.error_codes.drain(..) {
            *srv.stats.errorstats.entry(code).or_insert(0) += 1;
        }
    } else {
        cl.add_blocked_timeout_reply(acks);
    }
    srv.blocking.unblock(&mut srv.dbs, cl);
    srv.schedule_write_of(t);
    c.add_int(1);
}

/// The slab token of the client with this id (the caller included), if connected.
fn client_token_by_id(srv: &Server, me: &Client, id: u64) -> Option<usize> {
    srv.clients
        .all(Some(me))
        .find(|cl| cl.id == id)
        .map(|cl| cl.token)
}

/// CLIENT TRACKING ON|OFF [REDIRECT client-id] [PREFIX prefix [PREFIX prefix ...]]
/// \[BCAST\] \[OPTIN\] \[OPTOUT\] \[NOLOOP\]
pub fn client_tracking_command(srv: &mut Server, c: &mut Client) {
    let mut redirect: Option<(u64, usize)> = None;
    let mut options = 0u32;
    let mut prefixes: Vec<bytes::Bytes> = Vec::new();
    let mut j = 3;
    while j < c.argv.len() {
        let more = j + 1 < c.argv.len();
        let opt = c.argv[j].to_ascii_lowercase();
        match &opt[..] {
            b"redirect" if more => {
                j += 1;
                if redirect.is_some() {
                    c.add_error("ERR A client can only redirect to a single other client");
                    return;
                }
                let Some(id) = parse_i64(&c.argv[j]) else {
                    c.add_error(error::NOT_INTEGER);
                    return;
                };
                // The client must exist now, even if it may go away later.
                match client_token_by_id(srv, c, id as u64).filter(|_| id > 0) {
                    Some(token) => redirect = Some((id as u64, token)),
                    None => {
                        c.add_error("ERR The client ID you want redirect to does not exist");
                        return;
                    }
                }
            }
            b"bcast" => options |= tflags::BCAST,
            b"optin" => options |= tflags::OPTIN,
            b"optout" => options |= tflags::OPTOUT,
            b"noloop" => options |= tflags::NOLOOP,
            b"prefix" if more => {
                j += 1;
                prefixes.push(c.argv[j].clone());
            }
            _ => {
                c.add_error(error::SYNTAX);
                return;
            }
        }
        j += 1;
    }
    if c.argv[2].eq_ignore_ascii_case(b"off") {
        tracking::disable(srv, c);
        c.add_ok();
        return;
    }
    if !c.argv[2].eq_ignore_ascii_case(b"on") {
        c.add_error(error::SYNTAX);
        return;
    }
    let bcast = options & tflags::BCAST != 0;
    if !bcast && !prefixes.is_empty() {
        c.add_error("ERR PREFIX option requires BCAST mode to be enabled");
        return;
    }
    let current = c.tracking.as_ref().map_or(0, |t| t.flags);
    if c.tracking.is_some() && (current & tflags::BCAST != 0) != bcast {
        c.add_error(
            "ERR You can't switch BCAST mode on/off before disabling tracking for this client, \
             and then re-enabling it with a different mode.",
        );
        return;
    }
    if bcast && options & (tflags::OPTIN | tflags::OPTOUT) != 0 {
        c.add_error("ERR OPTIN and OPTOUT are not compatible with BCAST");
        return;
    }
    if options & tflags::OPTIN != 0 && options & tflags::OPTOUT != 0 {
        c.add_error("ERR You can't specify both OPTIN mode and OPTOUT mode");
        return;
    }
    if (options & tflags::OPTIN != 0 && current & tflags::OPTOUT != 0)
        || (options & tflags::OPTOUT != 0 && current & tflags::OPTIN != 0)
    {
        c.add_error(
            "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, \
             and then re-enabling it with a different mode.",
        );
        return;
    }
    if bcast {
        match tracking::check_prefixes(c, &prefixes) {
            PrefixCheck::Ok => {}
            PrefixCheck::Refused(msg) => {
                c.add_error_bytes(&msg);
                return;
            }
            PrefixCheck::ErrorThenEnable(msg) => c.add_error_bytes(&msg),
        }
    }
    let (id, token) = redirect.unwrap_or((0, 0));
    tracking::enable(srv, c, id, token, options, &prefixes);
    c.add_ok();
}

/// CLIENT CACHING YES|NO
pub fn client_caching_command(_: &mut Server, c: &mut Client) {
    let Some(flags) = c.tracking.as_ref().map(|t| t.flags) else {
        c.add_error(
            "ERR CLIENT CACHING can be called only when the client is in tracking mode \
             with OPTIN or OPTOUT mode enabled",
        );
        return;
    };
    let (mode, msg) = if c.argv[2].eq_ignore_ascii_case(b"yes") {
        (
            tflags::OPTIN,
            "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
        )
    } else if c.argv[2].eq_ignore_ascii_case(b"no") {
        (
            tflags::OPTOUT,
            "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
        )
    } else {
        c.add_error(error::SYNTAX);
        return;
    };
    if flags & mode == 0 {
        c.add_error(msg);
        return;
    }
    if let Some(t) = c.tracking.as_mut() {
        t.flags |= tflags::CACHING;
    }
    c.add_ok();
}

/// CLIENT PAUSE timeout [WRITE | ALL]
pub fn client_pause_command(srv: &mut Server, c: &mut Client) {
    let all = match c.argv.len() {
        3 => true,
        4 if c.argv[3].eq_ignore_ascii_case(b"all") => true,
        4 if c.argv[3].eq_ignore_ascii_case(b"write") => false,
        4 => {
            c.add_error("ERR CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
        _ => {
            crate::cmd::subcommand_syntax_error(c);
            return;
        }
    };
    let ms = match parse_i64(&c.argv[2]) {
        Some(v) if v >= 0 => v,
        Some(_) => {
            c.add_error(error::TIMEOUT_NEGATIVE);
            return;
        }
        None => {
            c.add_error(error::TIMEOUT_NOT_INT);
            return;
        }
    };
    let until = srv.now_ms.saturating_add(ms);
    crate::pause::start(srv, until, all);
    c.add_ok();
}

/// CLIENT UNPAUSE
pub fn client_unpause_command(srv: &mut Server, c: &mut Client) {
    crate::pause::end(srv);
    c.add_ok();
}

/// CLIENT GETREDIR
pub fn client_getredir_command(_: &mut Server, c: &mut Client) {
    let v = c.tracking.as_ref().map_or(-1, |t| t.redirect as i64);
    c.add_int(v);
}

/// CLIENT TRACKINGINFO
pub fn client_trackinginfo_command(_: &mut Server, c: &mut Client) {
    let mut flags: Vec<&str> = Vec::new();
    let (redirect, prefixes) = match &c.tracking {
        None => {
            flags.push("off");
            (-1, Vec::new())
        }
        Some(t) => {
            flags.push("on");
            if t.has(tflags::BCAST) {
                flags.push("bcast");
            }
            if t.has(tflags::OPTIN) {
                flags.push("optin");
                if t.has(tflags::CACHING) {
                    flags.push("caching-yes");
                }
            }
            if t.has(tflags::OPTOUT) {
                flags.push("optout");
                if t.has(tflags::CACHING) {
                    flags.push("caching-no");
                }
            }
            if t.has(tflags::NOLOOP) {
                flags.push("noloop");
            }
            if t.has(tflags::BROKEN_REDIR) {
                flags.push("broken_redirect");
            }
            (
                t.redirect as i64,
                t.prefixes.iter().cloned().collect::<Vec<_>>(),
            )
        }
    };
    c.add_map_len(3);
    c.add_bulk(b"flags");
    c.add_set_len(flags.len());
    for f in flags {
        c.add_bulk(f.as_bytes());
    }
    c.add_bulk(b"redirect");
    c.add_int(redirect);
    c.add_bulk(b"prefixes");
    c.add_array_len(prefixes.len());
    for p in prefixes {
        c.add_bulk(&p);
    }
}

/// CLIENT HELP
pub fn client_help_command(_: &mut Server, c: &mut Client) {
    c.add_help(
        "CLIENT",
        &[
            "CACHING (YES|NO)",
            "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
            "GETREDIR",
            "    Return the client ID we are redirecting to when tracking is enabled.",
            "GETNAME",
            "    Return the name of the current connection.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are:",
            "    * ADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made from the specified address",
            "    * LADDR (<ip:port>|<unixsocket>:0)",
            "      Kill connections made to specified local address",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Kill connections by type.",
            "    * USER <username>",
            "      Kill connections authenticated by <username>.",
            "    * SKIPME (YES|NO)",
            "      Skip killing current connection (default: yes).",
            "LIST [options ...]",
            "    Return information about client connections. Options:",
            "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
            "      Return clients of specified type.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend all, or just write, clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Control server assisted client side caching.",
            "TRACKINGINFO",
            "    Report tracking status for the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect current client connection from eviction.",
        ],
    );
}
