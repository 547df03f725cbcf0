//! Expiry commands (Redis's expire.c): EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with
//! NX|XX|GT|LT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST.
//!
//! Expiry times are absolute Unix milliseconds. A time that is already past
//! deletes the key (the write still succeeds, reply 1). Lazy and active expiry
//! themselves live in `db.rs`.

use bytes::Bytes;

use super::{acl, flags as f, reply_err, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::config::notify as ev;
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;

const W: u64 = f::WRITE | f::FAST;
const R: u64 = f::READONLY | f::FAST;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "expire", handler: expire_command, arity: -3, flags: W, acl: acl::KEYSPACE,
        group: "generic", since: "1.0.0", summary: "Set a key's time to live in seconds",
        complexity: "O(1)",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "New `NX`, `XX`, `GT` and `LT` conditions."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("seconds", Int),
            a("condition", OneOf).since("7.0.0").opt().sub(&[
                a("nx", Token).token("NX"),
                a("xx", Token).token("XX"),
                a("gt", Token).token("GT"),
                a("lt", Token).token("LT"),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "pexpire", handler: pexpire_command, arity: -3, flags: W, acl: acl::KEYSPACE,
        group: "generic", since: "2.6.0", summary: "Set a key's time to live in milliseconds",
        complexity: "O(1)",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "New `NX`, `XX`, `GT` and `LT` conditions."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("milliseconds", Int),
            a("condition", OneOf).since("7.0.0").opt().sub(&[
                a("nx", Token).token("NX"),
                a("xx", Token).token("XX"),
                a("gt", Token).token("GT"),
                a("lt", Token).token("LT"),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "expireat", handler: expireat_command, arity: -3, flags: W, acl: acl::KEYSPACE,
        group: "generic", since: "1.2.0", summary: "Set the expiration for a key as a UNIX timestamp",
        complexity: "O(1)",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "New `NX`, `XX`, `GT` and `LT` conditions."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("unix-time-seconds", UnixTime),
            a("condition", OneOf).since("7.0.0").opt().sub(&[
                a("nx", Token).token("NX"),
                a("xx", Token).token("XX"),
                a("gt", Token).token("GT"),
                a("lt", Token).token("LT"),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "pexpireat", handler: pexpireat_command, arity: -3, flags: W, acl: acl::KEYSPACE,
        group: "generic", since: "2.6.0", summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
        complexity: "O(1)",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "New `NX`, `XX`, `GT` and `LT` conditions."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("unix-time-milliseconds", UnixTime),
            a("condition", OneOf).since("7.0.0").opt().sub(&[
                a("nx", Token).token("NX"),
                a("xx", Token).token("XX"),
                a("gt", Token).token("GT"),
                a("lt", Token).token("LT"),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "ttl", handler: ttl_command, arity: 2, flags: R, acl: acl::KEYSPACE,
        group: "generic", since: "1.0.0", summary: "Get the time to live for a key in seconds",
        complexity: "O(1)",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("2.8.0", "Replies -2 for a missing key."),
        ],
        args: &[a("key", Key).ks(0)], subcommands: &[],
    },
    Command {
        name: "pttl", handler: pttl_command, arity: 2, flags: R, acl: acl::KEYSPACE,
        group: "generic", since: "2.6.0", summary: "Get the time to live for a key in milliseconds",
        complexity: "O(1)",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("2.8.0", "Replies -2 for a missing key."),
        ],
        args: &[a("key", Key).ks(0)], subcommands: &[],
    },
    Command {
        name: "expiretime", handler: expiretime_command, arity: 2, flags: R, acl: acl::KEYSPACE,
        group: "generic", since: "7.0.0", summary: "Get the expiration Unix timestamp for a key",
        complexity: "O(1)",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0)], subcommands: &[],
    },
    Command {
        name: "pexpiretime", handler: pexpiretime_command, arity: 2, flags: R, acl: acl::KEYSPACE,
        group: "generic", since: "7.0.0", summary: "Get the expiration Unix timestamp for a key in milliseconds",
        complexity: "O(1)",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0)], subcommands: &[],
    },
    Command {
        name: "persist", handler: persist_command, arity: 2, flags: W, acl: acl::KEYSPACE,
        group: "generic", since: "2.2.0", summary: "Remove the expiration from a key",
        complexity: "O(1)",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0)], subcommands: &[],
    },

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
    // While loading, a time already past is set like any other (Redis's
    // checkAlreadyExpired): the key expires once the load is over.
    if when <= srv.now_ms && !srv.persist.loading {
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
