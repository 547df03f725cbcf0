//! Pops and random members: ZPOPMIN, ZPOPMAX, ZMPOP, the blocking BZPOPMIN,
//! BZPOPMAX and BZMPOP, and ZRANDMEMBER.
//!
//! The blocking forms try to serve themselves at once; otherwise they block
//! through `Server::block_for_keys` (blocked.rs) in the same FIFO queues as
//! the blocking list commands, and are re-run when one of their keys is
//! created. Redis 7.0's rules, as for lists: inside MULTI/EXEC (or a script)
//! they answer as on timeout; a re-run that finds a key of another type keeps
//! waiting; a key deleted while a client waits changes nothing for it.
//!
//! Every pop propagates as what happened, never as a blocking or multi-key
//! command: BZPOPMIN/BZPOPMAX as `ZPOPMIN|ZPOPMAX key`, ZMPOP and BZMPOP as
//! `ZPOPMIN|ZPOPMAX key count` with the count actually popped.

use std::collections::HashSet;
use std::ops::Range;

use bytes::Bytes;

use super::{add_member, add_members_len, lookup_zset, notify_if_deleted, peek_zset};
use crate::blocked::parse_timeout;
use crate::client::blocked::TimeoutReply;
use crate::client::{flags as cflags, Client};
use crate::cmd::hash::parse_rand_count;
use crate::cmd::reply_err;
use crate::config::notify as ev;
use crate::db::hash::dict::rand_below;
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::number::parse_i64;

/// How a pop reply is shaped (Redis's genericZpopCommand flags).
#[derive(Clone, Copy)]
struct Shape {
    /// The key name first (BZPOP*, ZMPOP, BZMPOP).
    emitkey: bool,
    /// `[member, score]` pairs instead of a flat list (ZPOP* with a count in
    /// RESP3; ZMPOP/BZMPOP always).
    nested: bool,
    /// No candidate key: a null array (ZMPOP) instead of an empty array.
    nil_when_empty: bool,
}

/// Pops up to `count` members (None: a plain single pop) from the lowest end
/// (or the highest with `max`) of the first existing sorted set among `keys`
/// and replies. Returns the key and the number popped when something was
/// popped; None when it replied otherwise (WRONGTYPE, nothing to pop, count 0).
fn zpop_generic(
    srv: &mut Server,
    c: &mut Client,
    keys: &[Bytes],
    max: bool,
    count: Option<usize>,
    shape: Shape,
) -> Option<(Bytes, usize)> {
    let db = &mut srv.dbs[c.db];
    let mut found = None;
    for key in keys {
        match peek_zset(db, key) {
            Ok(None) => continue,
            Ok(Some(_)) => {
                found = Some(key.clone());
                break;
            }
            Err(e) => {
                reply_err(c, e);
                return None;
            }
        }
    }
    let Some(key) = found else {
        if shape.nil_when_empty {
            c.add_null_array();
        } else {
            c.add_raw(b"*0\r\n");
        }
        return None;
    };
    if count == Some(0) {
        c.add_raw(b"*0\r\n");
        return None;
    }
    let z = super::lookup_zset_mut(db, &key)
        .ok()
        .flatten()
        .expect("checked");
    let n = count.unwrap_or(1).min(z.len());
    let mut popped = Vec::with_capacity(n);
    for _ in 0..n {
        popped.extend(z.pop(max));
    }
    if z.is_empty() {
        db.remove(&key);
    } else {
        db.touch(&key);
    }
    srv.dirty += n as u64;
    match (shape.nested, shape.emitkey) {
        (false, false) => c.add_array_len(n * 2),
        (true, false) => c.add_array_len(n),
        (false, true) => {
            c.add_array_len(n * 2 + 1);
            c.add_bulk(&key);
        }
        (true, true) => {
            c.add_array_len(2);
            c.add_bulk(&key);
            c.add_array_len(n);
        }
    }
    for (m, s) in &popped {
        if shape.nested {
            c.add_array_len(2);
        }
        c.add_bulk(m);
        c.add_double(*s);
    }
    notify(
        srv,
        c,
        ev::ZSET,
        if max { "zpopmax" } else { "zpopmin" },
        &key,
    );
    notify_if_deleted(srv, c, &key);
    Some((key, n))
}

/// Propagates a pop of `n` members from `key` as `ZPOPMIN|ZPOPMAX key [n]`.
fn propagate_pop(srv: &mut Server, key: &Bytes, max: bool, n: Option<usize>) {
    crate::repl::rewrite(srv, || {
        let name: &'static [u8] = if max { b"ZPOPMAX" } else { b"ZPOPMIN" };
        let mut v = vec![Bytes::from_static(name), key.clone()];
        if let Some(n) = n {
            v.push(n.to_string().into());
        }
        v
    });
}

fn zpop_min_max(srv: &mut Server, c: &mut Client, max: bool) {
    if c.argv.len() > 3 {
        return reply_err(c, OpError::Syntax);
    }
    let count = if c.argv.len() == 3 {
        match parse_i64(&c.argv[2]) {
            Some(v) if v >= 0 => Some(v as usize),
            _ => return c.add_error(error::MUST_BE_POSITIVE),
        }
    } else {
        None
    };
    let shape = Shape {
        emitkey: false,
        nested: c.resp >= 3 && count.is_some(),
        nil_when_empty: false,
    };
    let key = c.argv[1].clone();
    zpop_generic(srv, c, &[key], max, count, shape);
}

/// ZPOPMIN key \[count\]
pub fn zpopmin_command(srv: &mut Server, c: &mut Client) {
    zpop_min_max(srv, c, false);
}

/// ZPOPMAX key \[count\]
pub fn zpopmax_command(srv: &mut Server, c: &mut Client) {
    zpop_min_max(srv, c, true);
}

/// Redis's getRangeLongFromObjectOrReply(1, LONG_MAX) with a message.
fn arg_positive(arg: &[u8], msg: &'static str) -> Result<usize, OpError> {
    match parse_i64(arg) {
        Some(v) if v >= 1 => Ok(v as usize),
        _ => Err(OpError::Static(msg)),
    }
}

/// Parses `numkeys key [key ...] <MIN | MAX> [COUNT count]` from `numkeys_idx`
/// (ZMPOP: 1, BZMPOP: 2): the argv range of the keys, MAX or not, the count.
fn parse_zmpop_args(
    argv: &[Bytes],
    numkeys_idx: usize,
) -> Result<(Range<usize>, bool, usize), OpError> {
    let numkeys = arg_positive(&argv[numkeys_idx], error::NUMKEYS_NOT_POSITIVE)?;
    let first = numkeys_idx + 1;
    if numkeys >= argv.len() - first {
        return Err(OpError::Syntax);
    }
    let where_idx = first + numkeys;
    let max = match &argv[where_idx].to_ascii_lowercase()[..] {
        b"min" => false,
        b"max" => true,
        _ => return Err(OpError::Syntax),
    };
    let mut count = None;
    let mut j = where_idx + 1;
    while j < argv.len() {
        if count.is_none() && argv[j].eq_ignore_ascii_case(b"count") && j + 1 < argv.len() {
            count = Some(arg_positive(&argv[j + 1], error::COUNT_NOT_POSITIVE)?);
            j += 2;
        } else {
            return Err(OpError::Syntax);
        }
    }
    Ok((first..where_idx, max, count.unwrap_or(1)))
}

const MPOP: Shape = Shape {
    emitkey: true,
    nested: true,
    nil_when_empty: true,
};

/// ZMPOP numkeys key [key ...] <MIN | MAX> \[COUNT count\]
pub fn zmpop_command(srv: &mut Server, c: &mut Client) {
    let (keys, max, count) = match parse_zmpop_args(&c.argv, 1) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let keys = c.argv[keys].to_vec();
    if let Some((key, n)) = zpop_generic(srv, c, &keys, max, Some(count), MPOP) {
        propagate_pop(srv, &key, max, Some(n));
    }
}

/// Redis's blockingGenericZpopCommand: pops from the first non-empty sorted
/// set among `keys`, else blocks on all of them. `count` is None for
/// BZPOPMIN/BZPOPMAX (a flat `[key, member, score]` reply).
fn bzpop_generic(
    srv: &mut Server,
    c: &mut Client,
    keys: Vec<Bytes>,
    max: bool,
    timeout_idx: usize,
    count: Option<usize>,
) {
    let deadline = match parse_timeout(&c.argv[timeout_idx], srv.now_ms) {
        Ok(t) => t,
        Err(e) => return c.add_error(e),
    };
    let rerun = c.has(cflags::RERUN);
    for key in &c.keys_to_serve(keys.clone()) {
        match peek_zset(&mut srv.dbs[c.db], key) {
            Ok(Some(z)) if !z.is_empty() => {}
            Ok(_) => continue,
            // A key of another type does not serve a waiting client.
            Err(_) if rerun => continue,
            Err(e) => return reply_err(c, e),
        }
        let shape = Shape {
            emitkey: true,
            nested: count.is_some(),
            nil_when_empty: count.is_some(),
        };
        if let Some((key, n)) = zpop_generic(srv, c, std::slice::from_ref(key), max, count, shape) {
            propagate_pop(srv, &key, max, count.map(|_| n));
        }
        srv.unblock_client(c);
        return;
    }
    if c.has(cflags::DENY_BLOCKING) {
        return c.add_null_array();
    }
    srv.block_for_keys(c, &keys, deadline, TimeoutReply::NullArray);
}

/// BZPOPMIN key [key ...] timeout
pub fn bzpopmin_command(srv: &mut Server, c: &mut Client) {
    let last = c.argv.len() - 1;
    let keys = c.argv[1..last].to_vec();
    bzpop_generic(srv, c, keys, false, last, None);
}

/// BZPOPMAX key [key ...] timeout
pub fn bzpopmax_command(srv: &mut Server, c: &mut Client) {
    let last = c.argv.len() - 1;
    let keys = c.argv[1..last].to_vec();
    bzpop_generic(srv, c, keys, true, last, None);
}

/// BZMPOP timeout numkeys key [key ...] <MIN | MAX> \[COUNT count\]
pub fn bzmpop_command(srv: &mut Server, c: &mut Client) {
    // As in Redis, numkeys, MIN/MAX and COUNT are checked before the timeout.
    let (keys, max, count) = match parse_zmpop_args(&c.argv, 2) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let keys = c.argv[keys].to_vec();
    bzpop_generic(srv, c, keys, max, 1, Some(count));
}

/// ZRANDMEMBER key [count \[WITHSCORES\]]
pub fn zrandmember_command(srv: &mut Server, c: &mut Client) {
    if c.argv.len() >= 3 {
        // The count is parsed before the arity and the WITHSCORES word are checked.
        let l = match parse_rand_count(&c.argv[2]) {
            Ok(v) => v,
            Err(e) => return reply_err(c, e),
        };
        let withscores = c.argv.len() == 4;
        if c.argv.len() > 4 || (withscores && !c.argv[3].eq_ignore_ascii_case(b"withscores")) {
            return reply_err(c, OpError::Syntax);
        }
        // The reply of a count with scores would overflow its length.
        if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&l) {
            return c.add_error(error::VALUE_OUT_OF_RANGE);
        }
        return zrandmember_with_count(srv, c, l, withscores);
    }
    match lookup_zset(&mut srv.dbs[c.db], &c.argv[1]) {
        Ok(Some(z)) => {
            let (m, _) = z.nth(rand_below(z.len()));
            c.add_bulk(&m);
        }
        Ok(None) => c.add_null(),
        Err(e) => reply_err(c, e),
    }
}

/// Redis's zrandmemberWithCountCommand: a negative count allows repeats (and
/// is served by independent picks); a positive one returns distinct members,
/// the whole set (highest score first) when it asks for as many or more.
fn zrandmember_with_count(srv: &mut Server, c: &mut Client, l: i64, withscores: bool) {
    let z = match lookup_zset(&mut srv.dbs[c.db], &c.argv[1]) {
        Ok(Some(z)) => z,
        Ok(None) => return c.add_raw(b"*0\r\n"),
        Err(e) => return reply_err(c, e),
    };
    let (count, uniq) = (l.unsigned_abs() as usize, l >= 0);
    if count == 0 {
        return c.add_raw(b"*0\r\n");
    }
    let size = z.len();
    if !uniq || count == 1 {
        add_members_len(c, count, withscores);
        for _ in 0..count {
            let (m, s) = z.nth(rand_below(size));
            add_member(c, &m, s, withscores);
        }
        return;
    }
    add_members_len(c, count.min(size), withscores);
    if count >= size {
        // Redis walks the set from its highest member down here.
        z.range_by_rank(0, size - 1, true, |m, s| add_member(c, m, s, withscores));
    } else if count * 3 > size {
        // Many of them: drop random members from a copy until `count` remain.
        let mut all: Vec<(Vec<u8>, f64)> = z.iter().map(|(m, s)| (m.into_owned(), s)).collect();
        while all.len() > count {
            let i = rand_below(all.len());
            all.swap_remove(i);
        }
        for (m, s) in all {
            add_member(c, &m, s, withscores);
        }
    } else {
        // Few of them: pick until `count` distinct members.
        let mut seen: HashSet<Vec<u8>> = HashSet::with_capacity(count);
        while seen.len() < count {
            let (m, s) = z.nth(rand_below(size));
            if seen.insert(m.to_vec()) {
                add_member(c, &m, s, withscores);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Vec<Bytes> {
        s.split(' ')
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect()
    }

    #[test]
    fn zmpop_args() {
        assert_eq!(
            parse_zmpop_args(&argv("zmpop 2 a b MIN"), 1).unwrap(),
            (2..4, false, 1)
        );
        assert_eq!(
            parse_zmpop_args(&argv("zmpop 1 a max COUNT 5"), 1).unwrap(),
            (2..3, true, 5)
        );
        let err = |s: &str, i| {
            parse_zmpop_args(&argv(s), i)
                .unwrap_err()
                .text()
                .into_owned()
        };
        assert_eq!(err("zmpop 0 a MIN", 1), error::NUMKEYS_NOT_POSITIVE);
        assert_eq!(err("zmpop x a MIN", 1), error::NUMKEYS_NOT_POSITIVE);
        assert_eq!(err("zmpop 2 a MIN", 1), error::SYNTAX);
        assert_eq!(err("zmpop 1 a LEFT", 1), error::SYNTAX);
        assert_eq!(err("zmpop 1 a MIN COUNT 0", 1), error::COUNT_NOT_POSITIVE);
        assert_eq!(err("zmpop 1 a MIN COUNT 1 COUNT 1", 1), error::SYNTAX);
        assert_eq!(err("bzmpop 0 1 a MIN COUNT", 2), error::SYNTAX);
    }
}
