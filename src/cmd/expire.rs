//! Expiry commands (Redis's expire.c): EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with
//! NX|XX|GT|LT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST.
//!
//! Expiry times are absolute Unix milliseconds. A time that is already past
//! deletes the key (the write still succeeds, reply 1). Lazy and active expiry
//! themselves live in `db.rs`.

use bytes::Bytes;

use super::{acl, cmd, flags as f, reply_err, Command};
use crate::client::Client;
use crate::config::notify as ev;
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;

const W: u64 = f::WRITE | f::FAST;
const R: u64 = f::READONLY | f::FAST;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    cmd("expire", expire_command, -3, W, acl::KEYSPACE, (1, 1, 1), "generic", "1.0.0",
        "Set a key's time to live in seconds", "O(1)"),
    cmd("pexpire", pexpire_command, -3, W, acl::KEYSPACE, (1, 1, 1), "generic", "2.6.0",
        "Set a key's time to live in milliseconds", "O(1)"),
    cmd("expireat", expireat_command, -3, W, acl::KEYSPACE, (1, 1, 1), "generic", "1.2.0",
        "Set the expiration for a key as a UNIX timestamp", "O(1)"),
    cmd("pexpireat", pexpireat_command, -3, W, acl::KEYSPACE, (1, 1, 1), "generic", "2.6.0",
        "Set the expiration for a key as a UNIX timestamp specified in milliseconds", "O(1)"),
    cmd("ttl", ttl_command, 2, R, acl::KEYSPACE, (1, 1, 1), "generic", "1.0.0",
        "Get the time to live for a key in seconds", "O(1)"),
    cmd("pttl", pttl_command, 2, R, acl::KEYSPACE, (1, 1, 1), "generic", "2.6.0",
        "Get the time to live for a key in milliseconds", "O(1)"),
    cmd("expiretime", expiretime_command, 2, R, acl::KEYSPACE, (1, 1, 1), "generic", "7.0.0",
        "Get the expiration Unix timestamp for a key", "O(1)"),
    cmd("pexpiretime", pexpiretime_command, 2, R, acl::KEYSPACE, (1, 1, 1), "generic", "7.0.0",
        "Get the expiration Unix timestamp for a key in milliseconds", "O(1)"),
    cmd("persist", persist_command, 2, W, acl::KEYSPACE, (1, 1, 1), "generic", "2.2.0",
        "Remove the expiration from a key", "O(1)"),
];

/// The EXPIRE family's condition flags.
pub mod expflags {
    pub const NX: u32 = 1 << 0;
    pub const XX: u32 = 1 << 1;
    pub const GT: u32 = 1 << 2;
    pub const LT: u32 = 1 << 3;
}

/// Redis's parseExtendedExpireArgumentsOrReply: NX|XX|GT|LT from `argv[3..]`,
/// any case, repeats allowed; conflicts are checked after all are read.
pub fn parse_expire_flags(argv: &[bytes::Bytes]) -> Result<u32, OpError> {
    use expflags::*;
    let mut fl = 0;
    for a in argv.iter().skip(3) {
        fl |= match &a.to_ascii_lowercase()[..] {
            b"nx" => NX,
            b"xx" => XX,
            b"gt" => GT,
            b"lt" => LT,
            _ => return Err(OpError::Raw(error::unsupported_option(a))),
        };
    }
    if fl & NX != 0 && fl & (XX | GT | LT) != 0 {
        return Err(OpError::Static(error::EXPIRE_NX_CONFLICT));
    }
    if fl & GT != 0 && fl & LT != 0 {
        return Err(OpError::Static(error::EXPIRE_GT_LT_CONFLICT));
    }
    Ok(fl)
}

/// Seconds or milliseconds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Seconds,
    Millis,
}

/// Redis's expireGenericCommand: `basetime` is now for EXPIRE/PEXPIRE and 0 for
/// the *AT forms.
fn expire_generic(srv: &mut Server, c: &mut Client, basetime: i64, unit: Unit) {
    use expflags::*;
    let name = c.argv[0].to_ascii_lowercase();
    let invalid = || OpError::Msg(error::invalid_expire(&String::from_utf8_lossy(&name)));
    let when = parse_expire_flags(&c.argv).and_then(|fl| {
        let mut when = crate::util::number::parse_i64(&c.argv[2]).ok_or(OpError::NotInteger)?;
        if unit == Unit::Seconds {
            when = when.checked_mul(1000).ok_or_else(invalid)?;
        }
        when = when.checked_add(basetime).ok_or_else(invalid)?;
        Ok((fl, when))
    });
    let (fl, when) = match when {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let key = c.argv[1].clone();
    let db = &mut srv.dbs[c.db];
    let Some(current) = db.lookup_write(&key).map(|e| e.expire()) else {
        return c.add_int(0);
    };
    // No expiry counts as an infinite TTL for GT and LT.
    let refuse = (fl & NX != 0 && current.is_some())
        || (fl & XX != 0 && current.is_none())
        || (fl & GT != 0 && current.is_none_or(|t| when <= t))
        || (fl & LT != 0 && current.is_some_and(|t| when >= t));
    if refuse {
        return c.add_int(0);
    }
    if when <= srv.now_ms {
        let e = db.remove(&key).expect("looked up above");
        let lazy = srv.config.lazyfree_lazy_expire;
        if lazy {
            srv.lazyfree.free_entry(e);
        }
        srv.dirty += 1;
        crate::repl::rewrite(srv, || crate::repl::del_argv(lazy, &key));
        notify(srv, c, ev::GENERIC, "del", &key);
    } else {
        db.set_expire(&key, Some(when));
        srv.dirty += 1;
        // Propagated as PEXPIREAT with the absolute time; the flags stay.
        let keep_name = basetime == 0 && unit == Unit::Millis;
        crate::repl::rewrite(srv, || {
            let mut v = c.argv.clone();
            if !keep_name {
                v[0] = Bytes::from_static(b"PEXPIREAT");
                v[2] = when.to_string().into();
            }
            v
        });
        notify(srv, c, ev::GENERIC, "expire", &key);
    }
    c.add_int(1);
}

/// EXPIRE key seconds [NX | XX | GT | LT]
pub fn expire_command(srv: &mut Server, c: &mut Client) {
    expire_generic(srv, c, srv.now_ms, Unit::Seconds);
}

/// PEXPIRE key milliseconds [NX | XX | GT | LT]
pub fn pexpire_command(srv: &mut Server, c: &mut Client) {
    expire_generic(srv, c, srv.now_ms, Unit::Millis);
}

/// EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
pub fn expireat_command(srv: &mut Server, c: &mut Client) {
    expire_generic(srv, c, 0, Unit::Seconds);
}

/// PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
pub fn pexpireat_command(srv: &mut Server, c: &mut Client) {
    expire_generic(srv, c, 0, Unit::Millis);
}

/// Redis's ttlGenericCommand: -2 for a missing key, -1 without expiry, else the
/// remaining (or, with `absolute`, the expiry) time; seconds are rounded.
fn ttl_generic(srv: &mut Server, c: &mut Client, unit: Unit, absolute: bool) {
    let now = srv.now_ms;
    let Some(expire) = srv.dbs[c.db].lookup_notouch(&c.argv[1]).map(|e| e.expire()) else {
        return c.add_int(-2);
    };
    let Some(t) = expire else {
        return c.add_int(-1);
    };
    let ms = if absolute { t } else { (t - now).max(0) };
    c.add_int(match unit {
        Unit::Millis => ms,
        Unit::Seconds => (ms + 500) / 1000,
    });
}

/// TTL key
pub fn ttl_command(srv: &mut Server, c: &mut Client) {
    ttl_generic(srv, c, Unit::Seconds, false);
}

/// PTTL key
pub fn pttl_command(srv: &mut Server, c: &mut Client) {
    ttl_generic(srv, c, Unit::Millis, false);
}

/// EXPIRETIME key
pub fn expiretime_command(srv: &mut Server, c: &mut Client) {
    ttl_generic(srv, c, Unit::Seconds, true);
}

/// PEXPIRETIME key
pub fn pexpiretime_command(srv: &mut Server, c: &mut Client) {
    ttl_generic(srv, c, Unit::Millis, true);
}

/// PERSIST key
pub fn persist_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    let db = &mut srv.dbs[c.db];
    match db.lookup_write(&key).map(|e| e.expire()) {
        Some(Some(_)) => {
            db.set_expire(&key, None);
            srv.dirty += 1;
            notify(srv, c, ev::GENERIC, "persist", &key);
            c.add_int(1);
        }
        _ => c.add_int(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn flags(opts: &[&str]) -> Result<u32, OpError> {
        let mut argv: Vec<Bytes> = vec!["expire".into(), "k".into(), "1".into()];
        argv.extend(opts.iter().map(|o| Bytes::copy_from_slice(o.as_bytes())));
        parse_expire_flags(&argv)
    }

    #[test]
    fn expire_flags_follow_redis_rules() {
        use expflags::*;
        assert_eq!(flags(&[]), Ok(0));
        assert_eq!(flags(&["Nx", "nx"]), Ok(NX));
        assert_eq!(flags(&["xx", "GT"]), Ok(XX | GT));
        assert_eq!(
            flags(&["gt", "lt", "nx"]).unwrap_err().text(),
            error::EXPIRE_NX_CONFLICT
        );
        assert_eq!(
            flags(&["xx", "gt", "lt"]).unwrap_err().text(),
            error::EXPIRE_GT_LT_CONFLICT
        );
        assert_eq!(
            flags(&["nx", "f\0oo"]).unwrap_err().text(),
            "ERR Unsupported option f"
        );
    }
}
