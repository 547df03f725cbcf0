//! Sorted-set commands (Redis's t_zset.c). The type and its two encodings
//! (listpack, skiplist) live in `db/zset.rs`; this file parses arguments,
//! applies the operation and replies. The range family (ZRANGE and friends,
//! ZRANGESTORE, ZREMRANGEBY*) is in `zset/range.rs`, the pops (ZPOPMIN/MAX,
//! ZMPOP, the blocking BZPOP*/BZMPOP) and ZRANDMEMBER in `zset/pop.rs`, the set
//! algebra (ZUNION, ZINTER, ZDIFF and their STORE forms) in `zset/algebra.rs`.
//!
//! Shared by every zset-valued command (geo included): [`limits`],
//! [`lookup_zset`], [`peek_zset`], [`with_zset_write`], [`zset_value`], the range
//! parsers [`parse_score_range`] and [`parse_lex_range`], and the WITHSCORES
//! reply writer [`add_member`].
//!
//! As in Redis, a sorted set that becomes empty is deleted; `srv.dirty` counts
//! one change per member added, updated or removed; a key is touched (WATCH,
//! client-side caching) and an event is notified only when something changed.

pub mod algebra;
pub mod pop;
pub mod range;

mod commands;
pub use commands::COMMANDS;

use super::hash::{parse_scan_cursor, parse_scan_options, scan_loop};
use super::{acl, flags as f, reply_err, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::config::notify as ev;
use crate::db::zset::{AddFlags, AddOutcome, LexRange, ScoreRange, Zset, ZsetLimits};
use crate::db::{Db, Object, Value, ValueRef};
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::glob::string_match;
use crate::util::number::{format_double_into, parse_f64};

const Z: u64 = acl::SORTEDSET;

/// The listpack thresholds from the configuration.
pub fn limits(srv: &Server) -> ZsetLimits {
    ZsetLimits {
        max_entries: srv.config.zset_max_listpack_entries as usize,
        max_value: srv.config.zset_max_listpack_value as usize,
    }
}

/// A sorted set as a key's value.
pub fn zset_value(z: Zset) -> Value {
    Value::Obj(Object::Zset(z))
}

/// The sorted set in an entry's value, or WRONGTYPE.
fn as_zset(v: ValueRef<'_>) -> Result<&Zset, OpError> {
    match v {
        ValueRef::Obj(Object::Zset(z)) => Ok(z),
        _ => Err(OpError::WrongType),
    }
}

/// Redis's lookupKeyRead + checkType(OBJ_ZSET): Ok(None) if the key is missing.
pub fn lookup_zset<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a Zset>, OpError> {
    match db.lookup(key) {
        None => Ok(None),
        Some(e) => as_zset(e.value()).map(Some),
    }
}

/// Redis's lookupKeyWrite + checkType(OBJ_ZSET) when the caller only reads for
/// now: no keyspace hit/miss counted, and the value is not unshared from a
/// snapshot.
pub fn peek_zset<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a Zset>, OpError> {
    match db.lookup_write(key) {
        None => Ok(None),
        Some(e) => as_zset(e.value()).map(Some),
    }
}

/// The sorted set at `key` for writing (copied first if a snapshot shares it).
/// The caller touches the key once it has changed it, and deletes it if emptied.
pub fn lookup_zset_mut<'a>(db: &'a mut Db, key: &[u8]) -> Result<Option<&'a mut Zset>, OpError> {
    let Some(e) = db.lookup_mut(key) else {
        return Ok(None);
    };
    as_zset(e.value())?;
    match e.obj_mut() {
        Some(Object::Zset(z)) => Ok(Some(z)),
        _ => Err(OpError::WrongType),
    }
}

/// Runs `f` on the sorted set at `key` for writing. A missing key is created as
/// `create` (an empty set in the encoding the caller chose, see
/// `Zset::with_hint`) unless `create` is None, then Ok(None). A set left empty
/// by `f` is deleted (and a created one never stored); otherwise the key is
/// touched only when `changed` says `f`'s result changed it.
pub fn with_zset_write<R>(
    db: &mut Db,
    key: &[u8],
    create: Option<Zset>,
    f: impl FnOnce(&mut Zset) -> R,
    changed: impl FnOnce(&R) -> bool,
) -> Result<Option<R>, OpError> {
    let mut f = Some(f);
    let done = match lookup_zset_mut(db, key)? {
        Some(z) => {
            let r = (f.take().expect("once"))(z);
            Some((r, z.is_empty()))
        }
        None => None,
    };
    let (r, empty) = match done {
        Some(d) => d,
        None => {
            let Some(mut z) = create else {
                return Ok(None);
            };
            let r = (f.take().expect("once"))(&mut z);
            if !z.is_empty() {
                db.set(key, zset_value(z), None);
            }
            return Ok(Some(r));
        }
    };
    if empty {
        db.remove(key);
    } else if changed(&r) {
        db.touch(key);
    }
    Ok(Some(r))
}

/// The "del" event when `key` no longer exists (a sorted set emptied).
pub fn notify_if_deleted(srv: &mut Server, c: &mut Client, key: &[u8]) {
    if srv.config.notify_keyspace_events != 0 && srv.dbs[c.db].table().find(key).is_none() {
        notify(srv, c, ev::GENERIC, "del", key);
    }
}

/// Redis's zslParseRange: `min` and `max` as scores, `(` for exclusive, `inf`
/// and `-inf` allowed (the type's one parser). Err is "min or max is not a float".
pub fn parse_score_range(min: &[u8], max: &[u8]) -> Result<ScoreRange, OpError> {
    ScoreRange::parse(min, max)
}

/// Redis's zslParseLexRange: `-`, `+`, `[member`, `(member` (the type's one
/// parser). Err is "min or max not valid string range item".
pub fn parse_lex_range<'a>(min: &'a [u8], max: &'a [u8]) -> Result<LexRange<'a>, OpError> {
    LexRange::parse(min, max)
}

/// Appends one member of a range reply: the member alone, or with its score:
/// flat in RESP2, a `[member, score]` pair in RESP3 (Redis 7.0's shape for
/// WITHSCORES, ZPOP* with a count, ZRANDMEMBER ... WITHSCORES).
#[inline]
pub fn add_member(c: &mut Client, member: &[u8], score: f64, withscores: bool) {
    if withscores && c.resp >= 3 {
        c.add_array_len(2);
    }
    c.add_bulk(member);
    if withscores {
        c.add_double(score);
    }
}

/// The array header of `n` members, WITHSCORES doubling it in RESP2.
pub fn add_members_len(c: &mut Client, n: usize, withscores: bool) {
    c.add_array_len(if withscores && c.resp < 3 { n * 2 } else { n });
}

/// ZADD/ZINCRBY's option words.
struct AddOpts {
    flags: AddFlags,
    ch: bool,
    /// argv index of the first score.
    scoreidx: usize,
}

/// Parses ZADD's options and checks their combinations, with Redis's texts.
fn parse_add_opts(argv: &[bytes::Bytes], incr: bool) -> Result<AddOpts, OpError> {
    let mut o = AddOpts {
        flags: AddFlags {
            incr,
            nx: false,
            xx: false,
            gt: false,
            lt: false,
        },
        ch: false,
        scoreidx: 2,
    };
    while let Some(a) = argv.get(o.scoreidx) {
        let fl = &mut o.flags;
        match &a.to_ascii_lowercase()[..] {
            b"nx" => fl.nx = true,
            b"xx" => fl.xx = true,
            b"ch" => o.ch = true,
            b"incr" => fl.incr = true,
            b"gt" => fl.gt = true,
            b"lt" => fl.lt = true,
            _ => break,
        }
        o.scoreidx += 1;
    }
    let elements = argv.len() - o.scoreidx;
    if elements % 2 == 1 || elements == 0 {
        return Err(OpError::Syntax);
    }
    let fl = &o.flags;
    if fl.nx && fl.xx {
        return Err(OpError::Static(error::ZADD_XX_NX));
    }
    if ((fl.gt || fl.lt) && fl.nx) || (fl.gt && fl.lt) {
        return Err(OpError::Static(error::ZADD_GT_LT_NX));
    }
    if fl.incr && elements > 2 {
        return Err(OpError::Static(error::ZADD_INCR_PAIRS));
    }
    Ok(o)
}

/// What one ZADD did: members added and updated, and for INCR the final score
/// (None when the flags made it a no-op).
#[derive(Default)]
struct AddResult {
    added: usize,
    updated: usize,
    score: Option<f64>,
}

/// Redis's zaddGenericCommand: ZADD and ZINCRBY.
fn zadd_generic(srv: &mut Server, c: &mut Client, incr: bool) {
    let o = match parse_add_opts(&c.argv, incr) {
        Ok(o) => o,
        Err(e) => return reply_err(c, e),
    };
    // Every score is parsed before anything changes: all or nothing.
    let mut scores = Vec::with_capacity((c.argv.len() - o.scoreidx) / 2);
    for p in c.argv[o.scoreidx..].chunks(2) {
        match parse_f64(&p[0]) {
            Some(v) => scores.push(v),
            None => return reply_err(c, OpError::NotFloat),
        }
    }
    let lim = limits(srv);
    let key = c.argv[1].clone();
    let argv = &c.argv;
    // Redis picks a new key's encoding from its first member alone.
    let create = (!o.flags.xx).then(|| Zset::with_hint(1, argv[o.scoreidx + 1].len(), &lim));
    let fl = o.flags;
    let r = with_zset_write(
        &mut srv.dbs[c.db],
        &key,
        create,
        |z| {
            let mut res = AddResult::default();
            for (p, &score) in argv[o.scoreidx..].chunks(2).zip(&scores) {
                let member = &p[1][..];
                // ZADD_OUT_NOP: the flags skipped this member (as opposed to a
                // score that stays the same, which INCR still replies). Only
                // INCR's reply needs to tell them apart.
                let nop = fl.incr
                    && match z.score(member) {
                        Some(cur) => {
                            fl.nx || (fl.lt && cur + score >= cur) || (fl.gt && cur + score <= cur)
                        }
                        None => fl.xx,
                    };
                match z.add(member, score, fl, &lim) {
                    Ok((AddOutcome::Added, s)) => {
                        res.added += 1;
                        res.score = Some(s);
                    }
                    Ok((AddOutcome::Updated, s)) => {
                        res.updated += 1;
                        res.score = Some(s);
                    }
                    Ok((AddOutcome::Nop, s)) => {
                        if !nop {
                            res.score = Some(s);
                        }
                    }
                    Err(e) => return Err((e, res)),
                }
            }
            Ok(res)
        },
        |r| match r {
            Ok(r) | Err((_, r)) => r.added + r.updated > 0,
        },
    );
    let (res, err) = match r {
        Err(e) => return reply_err(c, e),
        Ok(None) => (AddResult::default(), None),
        Ok(Some(Ok(res))) => (res, None),
        Ok(Some(Err((e, res)))) => (res, Some(e)),
    };
    match err {
        // As in Redis, a NaN error leaves the dirty count alone.
        Some(e) => reply_err(c, e),
        None => {
            srv.dirty += (res.added + res.updated) as u64;
            if o.flags.incr {
                match res.score {
                    Some(s) => c.add_double(s),
                    None => c.add_null(),
                }
            } else {
                let n = if o.ch {
                    res.added + res.updated
                } else {
                    res.added
                };
                c.add_int(n as i64);
            }
        }
    }
    if res.added + res.updated > 0 {
        let name = if o.flags.incr { "zincr" } else { "zadd" };
        notify(srv, c, ev::ZSET, name, &key);
    }
}

/// ZADD key \[NX | XX\] \[GT | LT\] \[CH\] \[INCR\] score member [score member ...]
pub fn zadd_command(srv: &mut Server, c: &mut Client) {
    zadd_generic(srv, c, false);
}

/// ZINCRBY key increment member
pub fn zincrby_command(srv: &mut Server, c: &mut Client) {
    zadd_generic(srv, c, true);
}

/// ZREM key member [member ...]
pub fn zrem_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    let argv = &c.argv;
    let r = with_zset_write(
        &mut srv.dbs[c.db],
        &key,
        None,
        |z| {
            let mut n = 0;
            for m in &argv[2..] {
                n += z.remove(m) as usize;
                if z.is_empty() {
                    break;
                }
            }
            n
        },
        |&n| n > 0,
    );
    match r {
        Ok(n) => {
            let n = n.unwrap_or(0);
            if n > 0 {
                srv.dirty += n as u64;
                notify(srv, c, ev::ZSET, "zrem", &key);
                notify_if_deleted(srv, c, &key);
            }
            c.add_int(n as i64);
        }
        Err(e) => reply_err(c, e),
    }
}

/// ZCARD key
pub fn zcard_command(srv: &mut Server, c: &mut Client) {
    match lookup_zset(&mut srv.dbs[c.db], &c.argv[1]) {
        Ok(z) => c.add_int(z.map_or(0, |z| z.len() as i64)),
        Err(e) => reply_err(c, e),
    }
}

/// ZSCORE key member
pub fn zscore_command(srv: &mut Server, c: &mut Client) {
    match lookup_zset(&mut srv.dbs[c.db], &c.argv[1]) {
        Ok(Some(z)) => match z.score(&c.argv[2]) {
            Some(s) => c.add_double(s),
            None => c.add_null(),
        },
        Ok(None) => c.add_null(),
        Err(e) => reply_err(c, e),
    }
}

/// ZMSCORE key member [member ...]
pub fn zmscore_command(srv: &mut Server, c: &mut Client) {
    let z = match lookup_zset(&mut srv.dbs[c.db], &c.argv[1]) {
        Ok(z) => z,
        Err(e) => return reply_err(c, e),
    };
    c.add_array_len(c.argv.len() - 2);
    for i in 2..c.argv.len() {
        match z.and_then(|z| z.score(&c.argv[i])) {
            Some(s) => c.add_double(s),
            None => c.add_null(),
        }
    }
}

fn zrank_generic(srv: &mut Server, c: &mut Client, rev: bool) {
    match lookup_zset(&mut srv.dbs[c.db], &c.argv[1]) {
        Ok(Some(z)) => match z.rank(&c.argv[2], rev) {
            Some(r) => c.add_int(r as i64),
            None => c.add_null(),
        },
        Ok(None) => c.add_null(),
        Err(e) => reply_err(c, e),
    }
}

/// ZRANK key member
pub fn zrank_command(srv: &mut Server, c: &mut Client) {
    zrank_generic(srv, c, false);
}

/// ZREVRANK key member
pub fn zrevrank_command(srv: &mut Server, c: &mut Client) {
    zrank_generic(srv, c, true);
}

/// ZCOUNT key min max
pub fn zcount_command(srv: &mut Server, c: &mut Client) {
    let r = match parse_score_range(&c.argv[2], &c.argv[3]) {
        Ok(r) => r,
        Err(e) => return reply_err(c, e),
    };
    match lookup_zset(&mut srv.dbs[c.db], &c.argv[1]) {
        Ok(z) => c.add_int(z.map_or(0, |z| z.count_by_score(&r)) as i64),
        Err(e) => reply_err(c, e),
    }
}

/// ZLEXCOUNT key min max
pub fn zlexcount_command(srv: &mut Server, c: &mut Client) {
    let db = &mut srv.dbs[c.db];
    let n = parse_lex_range(&c.argv[2], &c.argv[3])
        .and_then(|r| lookup_zset(db, &c.argv[1]).map(|z| z.map_or(0, |z| z.count_by_lex(&r))));
    match n {
        Ok(n) => c.add_int(n as i64),
        Err(e) => reply_err(c, e),
    }
}

/// ZSCAN key cursor [MATCH pattern] [COUNT count]
pub fn zscan_command(srv: &mut Server, c: &mut Client) {
    let cursor = match parse_scan_cursor(&c.argv[2]) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let z = match lookup_zset(&mut srv.dbs[c.db], &c.argv[1]) {
        Ok(Some(z)) => z,
        Ok(None) => return c.add_raw(b"*2\r\n$1\r\n0\r\n*0\r\n"),
        Err(e) => return reply_err(c, e),
    };
    let (count, pat) = match parse_scan_options(&c.argv[3..]) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let mut out: Vec<Vec<u8>> = Vec::new();
    // As HSCAN: COUNT doubled for member-score replies, both counted.
    let next = scan_loop(cursor, count.saturating_mul(2), |cur| {
        let mut n = 0;
        let next = z.scan(cur, |m, s| {
            n += 2;
            if pat.is_none_or(|p| string_match(p, m, false)) {
                out.push(m.to_vec());
                // Scores go out as bulk strings (also in RESP3), as Redis's
                // scan reply is a list of strings.
                let mut t = Vec::with_capacity(24);
                format_double_into(s, &mut t);
                out.push(t);
            }
        });
        (next, n)
    });
    c.add_array_len(2);
    c.add_bulk(next.to_string().as_bytes());
    c.add_array_len(out.len());
    for b in out {
        c.add_bulk(&b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::zset::LexBound;

    #[test]
    fn range_bounds_read_as_redis() {
        let sr =
            |a: &[u8], b: &[u8]| parse_score_range(a, b).map(|r| (r.min, r.minex, r.max, r.maxex));
        assert_eq!(
            sr(b"(1.5", b"+inf").unwrap(),
            (1.5, true, f64::INFINITY, false)
        );
        assert_eq!(sr(b"", b"(").unwrap(), (0.0, false, 0.0, true));
        assert_eq!(
            sr(b"  7", b"1e400").unwrap(),
            (7.0, false, f64::INFINITY, false)
        );
        assert_eq!(sr(b"3\0junk", b"1e-400").unwrap(), (3.0, false, 0.0, false));
        for bad in [&b" "[..], b"7 ", b"nan", b"[1", b"((1"] {
            assert!(sr(bad, b"1").is_err(), "{bad:?}");
        }
        assert!(matches!(
            parse_lex_range(b"-", b"+"),
            Ok(LexRange {
                min: LexBound::Min,
                max: LexBound::Max
            })
        ));
        assert!(matches!(
            parse_lex_range(b"(", b"[a"),
            Ok(LexRange {
                min: LexBound::Excl(b""),
                max: LexBound::Incl(b"a")
            })
        ));
        for bad in [&b""[..], b"+a", b"a", b"--"] {
            assert!(parse_lex_range(bad, b"+").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn add_option_conflicts() {
        let argv = |s: &str| -> Vec<bytes::Bytes> {
            s.split(' ')
                .map(|a| bytes::Bytes::copy_from_slice(a.as_bytes()))
                .collect()
        };
        let err = |s: &str| {
            parse_add_opts(&argv(s), false)
                .err()
                .map(|e| e.text().into_owned())
        };
        assert_eq!(err("zadd k nx xx 1 a").as_deref(), Some(error::ZADD_XX_NX));
        assert_eq!(
            err("zadd k gt lt 1 a").as_deref(),
            Some(error::ZADD_GT_LT_NX)
        );
        assert_eq!(
            err("zadd k incr 1 a 2 b").as_deref(),
            Some(error::ZADD_INCR_PAIRS)
        );
        assert_eq!(err("zadd k nx xx 1").as_deref(), Some(error::SYNTAX));
        assert_eq!(err("zadd k ch"), Some(error::SYNTAX.to_string()));
        assert_eq!(err("zadd k xx gt ch 1 a"), None);
    }
}
