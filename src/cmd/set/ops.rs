//! Set algebra: SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF,
//! SDIFFSTORE (Redis's sinterGenericCommand and sunionDiffGenericCommand).
//!
//! Results that are stored are built with the ordinary add path, so their
//! encoding is what Redis would pick (`intset` when every member is an integer
//! and there are few enough, else `hashtable`), and an empty result deletes the
//! destination.

use super::{add_member, add_set, max_intset, store_set};
use crate::client::Client;
use crate::cmd::reply_err;
use crate::db::set::{Member, Set};
use crate::db::{Db, Object, ValueRef};
use crate::error::{self, OpError};
use crate::server::Server;
use crate::util::number::parse_i64;

/// Checks every key (missing is fine, another type is WRONGTYPE) and reclaims
/// expired ones, then returns the live sets, `None` for missing keys.
fn source_sets<'a>(db: &'a mut Db, keys: &[bytes::Bytes]) -> Result<Vec<Option<&'a Set>>, OpError> {
    for k in keys {
        if let Some(e) = db.lookup(k) {
            if !matches!(e.value(), ValueRef::Obj(Object::Set(_))) {
                return Err(OpError::WrongType);
            }
        }
    }
    // Expired keys are gone now and the clock does not move within a command,
    // so a plain table read sees exactly the live keys.
    let t = db.table();
    Ok(keys
        .iter()
        .map(|k| {
            t.find(k).and_then(|p| match t.get(p).value() {
                ValueRef::Obj(Object::Set(s)) => Some(s),
                _ => None,
            })
        })
        .collect())
}

/// The members of the intersection, in the order of the smallest set; stops after
/// `limit` members when `limit > 0`.
fn intersect<'a>(sets: &[&'a Set], limit: usize) -> Vec<Member<'a>> {
    let mut order: Vec<&Set> = sets.to_vec();
    order.sort_by_key(|s| s.len());
    let mut out = Vec::new();
    for m in order[0].iter() {
        if order[1..].iter().all(|s| s.contains_member(m)) {
            out.push(m);
            if limit > 0 && out.len() >= limit {
                break;
            }
        }
    }
    out
}

/// Redis's sinterGenericCommand for SINTER and SINTERSTORE (a missing key makes
/// the intersection empty).
fn sinter_generic(srv: &mut Server, c: &mut Client, keys_from: usize, dst: Option<bytes::Bytes>) {
    let keys = c.argv[keys_from..].to_vec();
    let max = max_intset(srv);
    let db = &mut srv.dbs[c.db];
    let sets = match source_sets(db, &keys) {
        Ok(s) => s,
        Err(e) => return reply_err(c, e),
    };
    let sets: Option<Vec<&Set>> = sets.into_iter().collect();
    let Some(dst) = dst else {
        match sets {
            None => c.add_set_len(0),
            Some(sets) => {
                let members = intersect(&sets, 0);
                c.add_set_len(members.len());
                for m in members {
                    add_member(c, m);
                }
            }
        }
        return;
    };
    let mut result = Set::new();
    // Redis announces the deletion before the reply when a source is missing.
    let del_first = sets.is_none();
    if let Some(sets) = sets {
        for m in intersect(&sets, 0) {
            m.with_bytes(|b| result.add(b, max));
        }
    }
    store_result(srv, c, &dst, result, "sinterstore", del_first);
}

/// Stores a *STORE result and replies its size, with the keyspace event: the
/// store's `event` after the reply, or "del" when an empty result removed `dst`.
fn store_result(
    srv: &mut Server,
    c: &mut Client,
    dst: &[u8],
    result: Set,
    event: &str,
    del_first: bool,
) {
    let n = result.len();
    let changed = store_set(&mut srv.dbs[c.db], dst, result);
    if changed {
        srv.dirty += 1;
    }
    if n > 0 {
        c.add_int(n as i64);
        crate::notify::event(srv, c, crate::config::notify::SET, event, dst);
        return;
    }
    if changed && del_first {
        crate::notify::event(srv, c, crate::config::notify::GENERIC, "del", dst);
    }
    c.add_int(0);
    if changed && !del_first {
        crate::notify::event(srv, c, crate::config::notify::GENERIC, "del", dst);
    }
}

/// SINTER key [key ...]
pub fn sinter_command(srv: &mut Server, c: &mut Client) {
    sinter_generic(srv, c, 1, None);
}

/// SINTERSTORE destination key [key ...]
pub fn sinterstore_command(srv: &mut Server, c: &mut Client) {
    let dst = c.argv[1].clone();
    sinter_generic(srv, c, 2, Some(dst));
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit]
pub fn sintercard_command(srv: &mut Server, c: &mut Client) {
    let numkeys = match parse_i64(&c.argv[1]) {
        Some(n) if n >= 1 => n as usize,
        _ => return c.add_error(error::NUMKEYS_NOT_POSITIVE),
    };
    if numkeys > c.argv.len() - 2 {
        return c.add_error("ERR Number of keys can't be greater than number of args");
    }
    let mut limit = 0usize;
    let mut j = 2 + numkeys;
    while j < c.argv.len() {
        if c.argv[j].eq_ignore_ascii_case(b"limit") && j + 1 < c.argv.len() {
            match parse_i64(&c.argv[j + 1]) {
                Some(v) if v >= 0 => limit = v as usize,
                _ => return c.add_error(error::LIMIT_NEGATIVE),
            }
            j += 2;
        } else {
            return reply_err(c, OpError::Syntax);
        }
    }
    let keys = c.argv[2..2 + numkeys].to_vec();
    let sets = match source_sets(&mut srv.dbs[c.db], &keys) {
        Ok(s) => s,
        Err(e) => return reply_err(c, e),
    };
    let n = match sets.into_iter().collect::<Option<Vec<&Set>>>() {
        None => 0,
        Some(sets) => intersect(&sets, limit).len(),
    };
    c.add_int(n as i64);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Diff,
}

/// Redis's sunionDiffGenericCommand.
fn sunion_diff_generic(
    srv: &mut Server,
    c: &mut Client,
    keys_from: usize,
    dst: Option<bytes::Bytes>,
    op: Op,
) {
    let keys = c.argv[keys_from..].to_vec();
    let max = max_intset(srv);
    let db = &mut srv.dbs[c.db];
    let sets = match source_sets(db, &keys) {
        Ok(s) => s,
        Err(e) => return reply_err(c, e),
    };
    let mut result = Set::new();
    match op {
        Op::Union => {
            for s in sets.iter().flatten() {
                for m in s.iter() {
                    m.with_bytes(|b| result.add(b, max));
                }
            }
        }
        Op::Diff => {
            if let Some(first) = sets[0] {
                let others: Vec<&Set> = sets[1..].iter().flatten().copied().collect();
                // The first set listed again empties the difference.
                let same = keys[1..].contains(&keys[0]);
                if !same {
                    for m in first.iter() {
                        if !others.iter().any(|s| s.contains_member(m)) {
                            m.with_bytes(|b| result.add(b, max));
                        }
                    }
                }
            }
        }
    }
    match dst {
        None => add_set(c, &result),
        Some(dst) => {
            let event = match op {
                Op::Union => "sunionstore",
                Op::Diff => "sdiffstore",
            };
            store_result(srv, c, &dst, result, event, false);
        }
    }
}

/// SUNION key [key ...]
pub fn sunion_command(srv: &mut Server, c: &mut Client) {
    sunion_diff_generic(srv, c, 1, None, Op::Union);
}

/// SUNIONSTORE destination key [key ...]
pub fn sunionstore_command(srv: &mut Server, c: &mut Client) {
    let dst = c.argv[1].clone();
    sunion_diff_generic(srv, c, 2, Some(dst), Op::Union);
}

/// SDIFF key [key ...]
pub fn sdiff_command(srv: &mut Server, c: &mut Client) {
    sunion_diff_generic(srv, c, 1, None, Op::Diff);
}

/// SDIFFSTORE destination key [key ...]
pub fn sdiffstore_command(srv: &mut Server, c: &mut Client) {
    let dst = c.argv[1].clone();
    sunion_diff_generic(srv, c, 2, Some(dst), Op::Diff);
}
