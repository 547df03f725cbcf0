//! Connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO, RESET.

use super::{acl, flags as f, Command};
use crate::client::{flags as cflags, Client};
use crate::command::spec::prelude::*;
use crate::error;
use crate::server::Server;
use crate::util::REDIS_VERSION;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "ping", handler: ping_command, arity: -1, flags: f::FAST | f::SENTINEL, acl: acl::CONNECTION,
        group: "connection", since: "1.0.0", summary: "Returns the server's liveliness response.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("message", Str).opt()], subcommands: &[],
    },
    Command {
        name: "echo", handler: echo_command, arity: 2, flags: f::LOADING | f::STALE | f::FAST, acl: acl::CONNECTION,
        group: "connection", since: "1.0.0", summary: "Returns the given string.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("message", Str)], subcommands: &[],
    },
    Command {
        name: "quit", handler: quit_command, arity: -1, flags: f::ALLOW_BUSY | f::NOSCRIPT | f::LOADING | f::STALE | f::FAST | f::NO_AUTH, acl: acl::CONNECTION,
        group: "connection", since: "1.0.0", summary: "Closes the connection.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },
    Command {
        name: "select", handler: select_command, arity: 2, flags: f::LOADING | f::STALE | f::FAST, acl: acl::CONNECTION,
        group: "connection", since: "1.0.0", summary: "Changes the selected database.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("index", Int)], subcommands: &[],
    },
    Command {
        name: "auth", handler: auth_command, arity: -2, flags: f::NOSCRIPT | f::LOADING | f::STALE | f::FAST | f::NO_AUTH | f::SENTINEL | f::ALLOW_BUSY, acl: acl::CONNECTION,
        group: "connection", since: "1.0.0", summary: "Authenticates the connection.",
        complexity: "O(N) where N is the number of passwords defined for the user",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("6.0.0", "Accepts a username together with the password (ACL style)."),
        ],
        args: &[a("username", Str).since("6.0.0").opt(), a("password", Str)], subcommands: &[],
    },
    Command {
        name: "hello", handler: hello_command, arity: -1, flags: f::NOSCRIPT | f::LOADING | f::STALE | f::FAST | f::NO_AUTH | f::SENTINEL | f::ALLOW_BUSY, acl: acl::CONNECTION,
        group: "connection", since: "6.0.0", summary: "Handshakes with the Redis server.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("6.2.0", "`protover` is optional; without arguments the reply describes the current connection."),
        ],
        args: &[
            a("arguments", Block).opt().sub(&[
                a("protover", Int),
                a("username_password", Block).token("AUTH").opt().sub(&[
                    a("username", Str),
                    a("password", Str),
                ]),
                a("clientname", Str).token("SETNAME").opt(),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "reset", handler: reset_command, arity: 1, flags: f::NOSCRIPT | f::LOADING | f::STALE | f::FAST | f::NO_AUTH | f::ALLOW_BUSY, acl: acl::CONNECTION,
        group: "connection", since: "6.2.0", summary: "Resets the connection.",
        complexity: "O(1)",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },

];

/// PING \[message\]
pub fn ping_command(_: &mut Server, c: &mut Client) {
    if c.argv.len() > 2 {
        c.add_error(&error::wrong_arity("ping"));
        return;
    }
    // In RESP2 subscribe mode PING answers ["pong", message]: a RESP2 subscriber
    // reads only arrays (Redis does the same).
    if c.has(cflags::PUBSUB) && c.resp == 2 {
        let msg = c.argv.get(1).cloned().unwrap_or_default();
        c.add_array_len(2);
        c.add_bulk(b"pong");
        c.add_bulk(&msg);
        return;
    }
    if c.argv.len() == 1 {
        c.add_raw(b"+PONG\r\n");
    } else {
        let msg = c.argv[1].clone();
        c.add_bulk(&msg);
    }
}

/// ECHO message
pub fn echo_command(_: &mut Server, c: &mut Client) {
    let msg = c.argv[1].clone();
    c.add_bulk(&msg);
}

/// QUIT
pub fn quit_command(_: &mut Server, c: &mut Client) {
    c.add_ok();
    c.flags |= cflags::CLOSE_AFTER_REPLY;
}

/// SELECT index
pub fn select_command(srv: &mut Server, c: &mut Client) {
    let id = match crate::cmd::generic::parse_db_index(&c.argv[1], None) {
        Ok(id) => id,
        Err(e) => return crate::cmd::reply_err(c, e),
    };
    if id < 0 || id >= srv.dbs.len() as i64 {
        c.add_error(error::DB_INDEX);
        return;
    }
    c.db = id as usize;
    c.add_ok();
}

/// Checks a username/password pair against the (single, default) user; the
/// password in constant time, as Redis does.
fn check_password(srv: &Server, user: &[u8], pass: &[u8]) -> bool {
    if user != b"default" {
        return false;
    }
    match &srv.config.requirepass {
        Some(p) => crate::util::secure_eq(p, pass),
        None => true,
    }
}

/// AUTH \[username\] password
pub fn auth_command(srv: &mut Server, c: &mut Client) {
    if c.argv.len() > 3 {
        c.add_error(error::SYNTAX);
        return;
    }
    let (user, pass) = if c.argv.len() == 2 {
        if srv.config.requirepass.is_none() {
            c.add_error(error::AUTH_NOT_CONFIGURED);
            return;
        }
        (&b"default"[..], c.argv[1].clone())
    } else {
        (&c.argv[1][..], c.argv[2].clone())
    };
    let user = user.to_vec();
    if check_password(srv, &user, &pass) {
        c.authenticated = true;
        c.add_ok();
    } else {
        c.add_error(error::WRONGPASS);
    }
}

/// HELLO [protover [AUTH username password] [SETNAME clientname]]
pub fn hello_command(srv: &mut Server, c: &mut Client) {
    let mut ver = 0i64;
    let mut next = 1;
    if c.argv.len() >= 2 {
        match crate::util::number::parse_i64(&c.argv[1]) {
            Some(v) => ver = v,
            None => {
                c.add_error("ERR Protocol version is not an integer or out of range");
                return;
            }
        }
        next = 2;
        if !(2..=3).contains(&ver) {
            c.add_error(error::NOPROTO);
            return;
        }
    }
    // Options take effect one by one, as in Redis: an AUTH or SETNAME before a bad
    // option has already happened when the error is replied.
    let mut j = next;
    while j < c.argv.len() {
        let more = c.argv.len() - j - 1;
        let opt = c.argv[j].to_ascii_lowercase();
        if opt == b"auth" && more >= 2 {
            let (user, pass) = (c.argv[j + 1].clone(), c.argv[j + 2].clone());
            if !check_password(srv, &user, &pass) {
                c.add_error(error::WRONGPASS);
                return;
            }
            c.authenticated = true;
            j += 3;
        } else if opt == b"setname" && more >= 1 {
            let name = c.argv[j + 1].clone();
            if let Err(e) = super::validate_client_name(&name) {
                c.add_error(e);
                return;
            }
            c.name = if name.is_empty() { None } else { Some(name) };
            j += 2;
        } else {
            let msg = [
                &b"ERR Syntax error in HELLO option '"[..],
                crate::error::c_str(&c.argv[j], usize::MAX),
                b"'",
            ]
            .concat();
            c.add_error_bytes(&msg);
            return;
        }
    }
    if !c.authenticated && srv.auth_required() {
        c.add_error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        return;
    }
    if ver != 0 {
        c.resp = ver as u8;
    }
    c.add_map_len(7);
    c.add_bulk(b"server");
    c.add_bulk(b"redis");
    c.add_bulk(b"version");
    c.add_bulk(REDIS_VERSION.as_bytes());
    c.add_bulk(b"proto");
    c.add_int(c.resp as i64);
    c.add_bulk(b"id");
    c.add_int(c.id as i64);
    c.add_bulk(b"mode");
    c.add_bulk(b"standalone");
    c.add_bulk(b"role");
    c.add_bulk(b"master");
    c.add_bulk(b"modules");
    c.add_array_len(0);
}

/// RESET
pub fn reset_command(srv: &mut Server, c: &mut Client) {
    crate::cmd::multi::discard_transaction(srv, c);
    crate::pubsub::unsubscribe_everything(srv, c);
    crate::tracking::disable(srv, c);
    c.db = 0;
    c.resp = 2;
    c.name = None;
    c.flags &= !(cflags::MULTI
        | cflags::REPLY_OFF
        | cflags::REPLY_SKIP
        | cflags::REPLY_SKIP_NEXT
        | cflags::MONITOR);
    c.authenticated = !srv.auth_required();
    c.add_status("RESET");
}
