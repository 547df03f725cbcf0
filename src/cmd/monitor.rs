//! MONITOR (the monitor half of Redis's replication.c): a MONITOR client
//! receives every command the server runs, one line each.
//!
//! A MONITOR client is registered on the server as (token, client id). Feeding
//! appends the line to each monitor's reply buffer and queues it for
//! `before_sleep`; a pair whose client is gone (freed, token reused by another
//! client, or no longer flagged MONITOR) is dropped at that point.

use bytes::Bytes;

use super::observe::wall_time;
use super::{flags as f, Command};
use crate::client::{flags as cflags, Client};
use crate::command::spec::prelude::*;
use crate::server::Server;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "monitor", handler: monitor_command, arity: 1, flags: f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE, acl: 0,
        group: "server", since: "1.0.0", summary: "Listen for all requests received by the server in real time",
        complexity: "",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },

];

/// Appends `s` quoted with Redis's sdscatrepr escaping: `\"` `\\` `\n` `\r` `\t`
/// `\a` `\b`, printable ASCII as is, anything else as `\xHH`.
pub fn repr(out: &mut Vec<u8>, s: &[u8]) {
    out.push(b'"');
    for &b in s {
        match b {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
    out.push(b'"');
}

/// One MONITOR line: `+<sec>.<usec> [<db> <addr>] "arg" ...\r\n`.
pub fn monitor_line(db: usize, addr: &str, argv: &[Bytes], (sec, usec): (i64, u32)) -> Vec<u8> {
    let mut out = format!("+{sec}.{usec:06} [{db} {addr}] ").into_bytes();
    for (j, a) in argv.iter().enumerate() {
        if j > 0 {
            out.push(b' ');
        }
        repr(&mut out, a);
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// Sends the command `c` just ran to every MONITOR client (including `c` itself
/// when it is one).
pub fn feed_monitors(srv: &mut Server, c: &mut Client, argv: &[Bytes]) {
    let addr = if c.conn.is_unix() {
        format!(
            "unix:{}",
            srv.config.unixsocket.as_deref().unwrap_or_default()
        )
    } else {
        c.addr.clone()
    };
    let line = monitor_line(c.db, &addr, argv, wall_time());
    let mut keep = Vec::with_capacity(srv.monitors.len());
    for (token, id) in std::mem::take(&mut srv.monitors) {
        if token == c.token {
            if id == c.id && c.has(cflags::MONITOR) {
                c.add_raw(&line);
                keep.push((token, id));
            }
            continue;
        }
        // Every client but the running one is in the slab.
        let Some(m) = srv.clients.get_mut(token) else {
            continue;
        };
        if m.id != id || !m.has(cflags::MONITOR) {
            continue;
        }
        keep.push((token, id));
        if m.has(cflags::CLOSE_ASAP) {
            continue;
        }
        m.add_raw(&line);
        if m.pending_out() > 0 && !m.has(cflags::PENDING_WRITE) {
            m.flags |= cflags::PENDING_WRITE;
            srv.clients.pending_writes.push(token);
        }
    }
    srv.monitors = keep;
}

/// MONITOR
pub fn monitor_command(srv: &mut Server, c: &mut Client) {
    if c.has(cflags::DENY_BLOCKING) {
        c.add_error("ERR MONITOR isn't allowed for DENY BLOCKING client");
        return;
    }
    if c.has(cflags::MONITOR) {
        return;
    }
    c.flags |= cflags::MONITOR;
    srv.monitors.push((c.token, c.id));
    c.add_ok();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_escapes_like_sdscatrepr() {
        let mut out = Vec::new();
        repr(&mut out, b"a b\"\\\n\r\t\x07\x08\x00\xff~");
        assert_eq!(out, b"\"a b\\\"\\\\\\n\\r\\t\\a\\b\\x00\\xff~\"".to_vec());
    }

    #[test]
    fn monitor_line_format() {
        let argv = vec![Bytes::from_static(b"set"), Bytes::from_static(b"k")];
        let l = monitor_line(3, "127.0.0.1:5555", &argv, (1700000000, 123));
        assert_eq!(
            l,
            b"+1700000000.000123 [3 127.0.0.1:5555] \"set\" \"k\"\r\n"
        );
    }
}
