//! The reply writer: RESP2 and RESP3 encodings appended to a client's output
//! buffer. A handler says what it means (a null, a map, a double) and the client's
//! protocol version decides the bytes, as Redis's `addReply*` family does.

use super::{flags, Client};
use crate::resp::write;
use crate::util::number::{format_i64, I64_BUF};

/// The code an error reply is counted under in INFO errorstats, as Redis's
/// afterErrorReply: the first word when a space ends it within the first 32
/// bytes of the reply (`-` included), else `ERR`.
pub fn error_code(msg: &[u8]) -> String {
    match msg[..msg.len().min(31)].iter().position(|&c| c == b' ') {
        Some(i) => String::from_utf8_lossy(&msg[..i]).into_owned(),
        None => "ERR".to_string(),
    }
}

impl Client {
    /// Runs `f` with the client pushing out-of-band data: what it appends is
    /// delivered whatever CLIENT REPLY says (Redis's CLIENT_PUSHING). Every
    /// path that sends a client something it did not ask for goes through here.
    #[inline]
    pub fn pushing<R>(&mut self, f: impl FnOnce(&mut Client) -> R) -> R {
        let was = self.flags & flags::PUSHING;
        self.flags |= flags::PUSHING;
        let r = f(self);
        self.flags = (self.flags & !flags::PUSHING) | was;
        r
    }

    /// Appends already encoded out-of-band bytes (see [`Client::pushing`]).
    #[inline]
    pub fn add_push_raw(&mut self, b: &[u8]) {
        self.pushing(|c| c.add_raw(b));
    }

    /// Appends protocol bytes as they are.
    #[inline]
    pub fn add_raw(&mut self, b: &[u8]) {
        if let Some(out) = self.reply_buf(b.len()) {
            out.extend_from_slice(b);
        }
    }

    #[inline]
    fn add_prefixed_int(&mut self, prefix: u8, v: i64) {
        if let Some(out) = self.reply_buf(write::HEADER_MAX) {
            write::push_header(out, prefix, v);
        }
    }

    /// `+OK`
    #[inline]
    pub fn add_ok(&mut self) {
        self.add_raw(b"+OK\r\n");
    }

    /// A status reply: `+text`.
    pub fn add_status(&mut self, s: &str) {
        if let Some(out) = self.reply_buf(s.len() + 3) {
            out.push(b'+');
            out.extend(
                s.bytes()
                    .map(|c| if c == b'\r' || c == b'\n' { b' ' } else { c }),
            );
            out.extend_from_slice(b"\r\n");
        }
    }

    /// An error reply. `msg` starts with the error code (`ERR ...`, `WRONGTYPE ...`);
    /// line breaks inside it become spaces, as in Redis's `addReplyErrorFormat`.
    pub fn add_error(&mut self, msg: &str) {
        self.add_error_bytes(msg.as_bytes());
    }

    /// An error reply that carries bytes a client sent (an unknown command's
    /// name, an option): echoed as they came, not as UTF-8 text.
    pub fn add_error_bytes(&mut self, msg: &[u8]) {
        self.errors_in_cmd += 1;
        self.error_codes.push(error_code(msg));
        // As addReplyErrorFormat: CR/LF at the end (of an echoed argument) are
        // trimmed, those inside become spaces.
        let end = msg.len()
            - msg
                .iter()
                .rev()
                .take_while(|&&c| c == b'\r' || c == b'\n')
                .count();
        let msg = &msg[..end];
        if let Some(out) = self.reply_buf(msg.len() + 3) {
            out.push(b'-');
            out.extend(
                msg.iter()
                    .map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c }),
            );
            out.extend_from_slice(b"\r\n");
        }
    }

    /// An integer reply.
    #[inline]
    pub fn add_int(&mut self, v: i64) {
        self.add_prefixed_int(b':', v);
    }

    /// A bulk string.
    #[inline]
    pub fn add_bulk(&mut self, b: &[u8]) {
        if let Some(out) = self.reply_buf(write::HEADER_MAX + b.len() + 2) {
            write::push_bulk(out, b);
        }
    }

    /// An integer sent as a bulk string (a string value stored as `int`).
    #[inline]
    pub fn add_bulk_int(&mut self, v: i64) {
        if let Some(out) = self.reply_buf(write::BULK_I64_MAX) {
            write::push_bulk_i64(out, v);
        }
    }

    /// A missing value: `$-1` in RESP2, `_` in RESP3.
    #[inline]
    pub fn add_null(&mut self) {
        if self.resp >= 3 {
            self.add_raw(b"_\r\n");
        } else {
            self.add_raw(b"$-1\r\n");
        }
    }

    /// A missing array: `*-1` in RESP2, `_` in RESP3.
    pub fn add_null_array(&mut self) {
        if self.resp >= 3 {
            self.add_raw(b"_\r\n");
        } else {
            self.add_raw(b"*-1\r\n");
        }
    }

    #[inline]
    pub fn add_array_len(&mut self, n: usize) {
        self.add_prefixed_int(b'*', n as i64);
    }

    /// A map header: `%n` in RESP3, an array of 2n in RESP2.
    pub fn add_map_len(&mut self, n: usize) {
        if self.resp >= 3 {
            self.add_prefixed_int(b'%', n as i64);
        } else {
            self.add_prefixed_int(b'*', 2 * n as i64);
        }
    }

    /// A set header: `~n` in RESP3, an array in RESP2.
    pub fn add_set_len(&mut self, n: usize) {
        let p = if self.resp >= 3 { b'~' } else { b'*' };
        self.add_prefixed_int(p, n as i64);
    }

    /// A push header (`>n` in RESP3; an array in RESP2, for pub/sub messages).
    pub fn add_push_len(&mut self, n: usize) {
        let p = if self.resp >= 3 { b'>' } else { b'*' };
        self.add_prefixed_int(p, n as i64);
    }

    /// A boolean: `#t`/`#f` in RESP3, `:1`/`:0` in RESP2.
    pub fn add_bool(&mut self, v: bool) {
        if self.resp >= 3 {
            self.add_raw(if v { b"#t\r\n" } else { b"#f\r\n" });
        } else {
            self.add_raw(if v { b":1\r\n" } else { b":0\r\n" });
        }
    }

    /// A double already formatted by Redis's rules: `,text` in RESP3, a bulk
    /// string in RESP2.
    pub fn add_double_str(&mut self, text: &str) {
        if self.resp >= 3 {
            self.add_raw(b",");
            self.add_raw(text.as_bytes());
            self.add_raw(b"\r\n");
        } else {
            self.add_bulk(text.as_bytes());
        }
    }

    /// A double with Redis's formatting (`%.17g`, `inf`, `-inf`).
    pub fn add_double(&mut self, v: f64) {
        let mut text = Vec::with_capacity(24);
        crate::util::number::format_double_into(v, &mut text);
        if self.resp >= 3 {
            self.add_raw(b",");
            self.add_raw(&text);
            self.add_raw(b"\r\n");
        } else {
            self.add_bulk(&text);
        }
    }

    /// Verbatim text (`=len\r\ntxt:...` in RESP3, a bulk string in RESP2).
    pub fn add_verbatim(&mut self, text: &[u8], format: &str) {
        if self.resp >= 3 {
            let mut tmp = [0u8; I64_BUF];
            let len = format_i64((text.len() + 4) as i64, &mut tmp).to_vec();
            self.add_raw(b"=");
            self.add_raw(&len);
            self.add_raw(b"\r\n");
            self.add_raw(format.as_bytes());
            self.add_raw(b":");
            self.add_raw(text);
            self.add_raw(b"\r\n");
        } else {
            self.add_bulk(text);
        }
    }

    /// Redis's `addReplyHelp`: a title line then the given lines, as status replies.
    pub fn add_help(&mut self, cmd: &str, lines: &[&str]) {
        self.add_array_len(lines.len() + 3);
        self.add_status(&format!(
            "{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            cmd.to_ascii_uppercase()
        ));
        for l in lines {
            self.add_status(l);
        }
        self.add_status("HELP");
        self.add_status("    Prints this help.");
    }

    /// Reserves room for an aggregate length known only later; returns a handle
    /// for [`Client::set_deferred_len`].
    pub fn defer_len(&mut self) -> Option<usize> {
        if self.flags & (flags::REPLY_OFF | flags::REPLY_SKIP | flags::OBUF_LIMIT) != 0 {
            None
        } else {
            Some(self.out_mark())
        }
    }

    /// Inserts the aggregate header for `n` elements at a deferred position.
    /// `kind` is `b'*'` (array), `b'%'` (map: n pairs) or `b'~'` (set).
    pub fn set_deferred_len(&mut self, at: Option<usize>, kind: u8, n: usize) {
        let Some(at) = at else { return };
        let (prefix, count) = match (kind, self.resp >= 3) {
            (b'%', true) => (b'%', n),
            (b'%', false) => (b'*', 2 * n),
            (b'~', true) => (b'~', n),
            _ => (b'*', n),
        };
        let mut hdr = vec![prefix];
        let mut tmp = [0u8; I64_BUF];
        hdr.extend_from_slice(format_i64(count as i64, &mut tmp));
        hdr.extend_from_slice(b"\r\n");
        if !self.has(flags::OBUF_LIMIT) {
            self.insert_out(at, &hdr);
        }
    }
}
