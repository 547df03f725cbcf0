//! The range family (Redis's zrangeGenericCommand and its consumers): ZRANGE
//! (by rank, BYSCORE, BYLEX, REV, LIMIT, WITHSCORES), ZRANGESTORE, the older
//! ZREVRANGE, ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZRANGEBYLEX and
//! ZREVRANGEBYLEX, and ZREMRANGEBYRANK / BYSCORE / BYLEX.
//!
//! LIMIT follows Redis's loops exactly: a negative offset skips past the end
//! (an empty reply), a negative count means no limit.

use bytes::Bytes;

use super::{
    add_member, add_members_len, limits, lookup_zset, lookup_zset_mut, notify_if_deleted,
    parse_lex_range, parse_score_range, zset_value,
};
use crate::client::Client;
use crate::cmd::{arg_i64, reply_err};
use crate::config::notify as ev;
use crate::db::zset::{AddFlags, LexRange, ScoreRange, Zset};
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::number::parse_i64;

#[derive(Clone, Copy, PartialEq, Eq)]
enum RangeType {
    Auto,
    Rank,
    Score,
    Lex,
}

/// A parsed range of one of the three kinds.
enum Range<'a> {
    Rank(i64, i64),
    Score(ScoreRange),
    Lex(LexRange<'a>),
}

/// Where the range goes: the client (ZRANGE...) or a destination key
/// (ZRANGESTORE).
#[derive(Clone, Copy)]
enum Sink {
    Client,
    Store,
}

/// Options after `<src> <min> <max>`.
struct Opts {
    withscores: bool,
    offset: i64,
    /// -1: no LIMIT given.
    limit: i64,
    rev: bool,
    kind: RangeType,
}

fn parse_opts(
    argv: &[Bytes],
    start: usize,
    store: bool,
    mut kind: RangeType,
    rev: Option<bool>,
) -> Result<Opts, OpError> {
    let mut o = Opts {
        withscores: false,
        offset: 0,
        limit: -1,
        rev: rev.unwrap_or(false),
        kind,
    };
    let mut j = start + 3;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j];
        if !store && a.eq_ignore_ascii_case(b"withscores") {
            o.withscores = true;
        } else if a.eq_ignore_ascii_case(b"limit") && left >= 2 {
            let int = |i: usize| parse_i64(&argv[i]).ok_or(OpError::NotInteger);
            o.offset = int(j + 1)?;
            o.limit = int(j + 2)?;
            j += 2;
        } else if rev.is_none() && !o.rev && a.eq_ignore_ascii_case(b"rev") {
            o.rev = true;
        } else if kind == RangeType::Auto && a.eq_ignore_ascii_case(b"bylex") {
            kind = RangeType::Lex;
        } else if kind == RangeType::Auto && a.eq_ignore_ascii_case(b"byscore") {
            kind = RangeType::Score;
        } else {
            return Err(OpError::Syntax);
        }
        j += 1;
    }
    o.kind = if kind == RangeType::Auto {
        RangeType::Rank
    } else {
        kind
    };
    if o.limit != -1 && o.kind == RangeType::Rank {
        return Err(OpError::Static(error::ZRANGE_LIMIT_BY_RANK));
    }
    if o.withscores && o.kind == RangeType::Lex {
        return Err(OpError::Static(error::ZRANGE_WITHSCORES_BYLEX));
    }
    Ok(o)
}

/// Parses the range itself; by score and by lex, a reversed range is given
/// as `max min`.
fn parse_range<'a>(argv: &'a [Bytes], start: usize, o: &Opts) -> Result<Range<'a>, OpError> {
    let (mut lo, mut hi) = (&argv[start + 1][..], &argv[start + 2][..]);
    if o.rev && o.kind != RangeType::Rank {
        std::mem::swap(&mut lo, &mut hi);
    }
    Ok(match o.kind {
        RangeType::Score => Range::Score(parse_score_range(lo, hi)?),
        RangeType::Lex => Range::Lex(parse_lex_range(lo, hi)?),
        _ => Range::Rank(
            parse_i64(lo).ok_or(OpError::NotInteger)?,
            parse_i64(hi).ok_or(OpError::NotInteger)?,
        ),
    })
}

/// Redis's rank sanitising: negative ranks count from the end; None when the
/// range is empty.
pub fn clamp_ranks(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 { len + start } else { start }.max(0);
    let end = if end < 0 { len + end } else { end };
    if start > end || start >= len {
        return None;
    }
    Some((start as usize, end.min(len - 1) as usize))
}

/// LIMIT as the API takes it: None when the reply is empty whatever the set
/// holds (a negative offset runs past the end; a zero count), else
/// (offset, count limit).
fn window(o: &Opts) -> Option<(usize, Option<usize>)> {
    if o.offset < 0 || o.limit == 0 {
        return None;
    }
    let limit = (o.limit > 0).then_some(o.limit as usize);
    Some((o.offset as usize, limit))
}

/// Visits the members of `r` in `z` in reply order.
fn for_each_in(z: &Zset, r: &Range<'_>, o: &Opts, mut f: impl FnMut(&[u8], f64)) {
    match r {
        Range::Rank(s, e) => {
            if let Some((s, e)) = clamp_ranks(*s, *e, z.len()) {
                z.range_by_rank(s, e, o.rev, f);
            }
        }
        Range::Score(sr) => {
            if let Some((off, lim)) = window(o) {
                z.range_by_score(sr, o.rev, off, lim, &mut f);
            }
        }
        Range::Lex(lr) => {
            if let Some((off, lim)) = window(o) {
                z.range_by_lex(lr, o.rev, off, lim, &mut f);
            }
        }
    }
}

/// Redis's zrangeGenericCommand: `start` is the argv index of the source key.
fn zrange_generic(
    srv: &mut Server,
    c: &mut Client,
    start: usize,
    sink: Sink,
    kind: RangeType,
    rev: Option<bool>,
) {
    // The arguments are borrowed while the reply is written.
    let argv = std::mem::take(&mut c.argv);
    zrange_with_args(srv, c, &argv, start, sink, kind, rev);
    c.argv = argv;
}

fn zrange_with_args(
    srv: &mut Server,
    c: &mut Client,
    argv: &[Bytes],
    start: usize,
    sink: Sink,
    kind: RangeType,
    rev: Option<bool>,
) {
    let store = matches!(sink, Sink::Store);
    let o = match parse_opts(argv, start, store, kind, rev) {
        Ok(o) => o,
        Err(e) => return reply_err(c, e),
    };
    let lim = limits(srv);
    let r = match parse_range(argv, start, &o) {
        Ok(r) => r,
        Err(e) => return reply_err(c, e),
    };
    let z = match lookup_zset(&mut srv.dbs[c.db], &argv[start]) {
        Ok(z) => z,
        Err(e) => return reply_err(c, e),
    };
    if let Sink::Store = sink {
        let mut dst = match (&r, z) {
            (Range::Rank(s, e), Some(z)) => {
                let n = clamp_ranks(*s, *e, z.len()).map_or(0, |(s, e)| e - s + 1);
                Zset::with_hint(n, 0, &lim)
            }
            _ => Zset::new(),
        };
        if let Some(z) = z {
            for_each_in(z, &r, &o, |m, s| {
                let _ = dst.add(m, s, AddFlags::default(), &lim);
            });
        }
        return store_result(srv, c, &argv[1], dst);
    }
    let Some(z) = z else {
        return c.add_raw(b"*0\r\n");
    };
    let ws = o.withscores;
    if let Range::Rank(s, e) = r {
        let Some((s, e)) = clamp_ranks(s, e, z.len()) else {
            return c.add_raw(b"*0\r\n");
        };
        add_members_len(c, e - s + 1, ws);
        z.range_by_rank(s, e, o.rev, |m, sc| add_member(c, m, sc, ws));
        return;
    }
    let at = c.defer_len();
    let mut n = 0;
    for_each_in(z, &r, &o, |m, sc| {
        n += 1;
        add_member(c, m, sc, ws);
    });
    c.set_deferred_len(at, b'*', if ws && c.resp < 3 { n * 2 } else { n });
}

/// ZRANGESTORE's end: a non-empty result replaces `dst` (its TTL too), an
/// empty one deletes it.
fn store_result(srv: &mut Server, c: &mut Client, dst: &Bytes, z: Zset) {
    let n = z.len();
    let db = &mut srv.dbs[c.db];
    if n > 0 {
        db.set(dst, zset_value(z), None);
        c.add_int(n as i64);
        notify(srv, c, ev::ZSET, "zrangestore", dst);
        srv.dirty += 1;
    } else {
        c.add_int(0);
        if db.remove(dst).is_some() {
            notify(srv, c, ev::GENERIC, "del", dst);
            srv.dirty += 1;
        }
    }
}

/// ZRANGE key start stop \[BYSCORE | BYLEX\] \[REV\] \[LIMIT offset count\] \[WITHSCORES\]
pub fn zrange_command(srv: &mut Server, c: &mut Client) {
    zrange_generic(srv, c, 1, Sink::Client, RangeType::Auto, None);
}

/// ZRANGESTORE dst src min max \[BYSCORE | BYLEX\] \[REV\] \[LIMIT offset count\]
pub fn zrangestore_command(srv: &mut Server, c: &mut Client) {
    zrange_generic(srv, c, 2, Sink::Store, RangeType::Auto, None);
}

/// ZREVRANGE key start stop \[WITHSCORES\]
pub fn zrevrange_command(srv: &mut Server, c: &mut Client) {
    zrange_generic(srv, c, 1, Sink::Client, RangeType::Rank, Some(true));
}

/// ZRANGEBYSCORE key min max \[WITHSCORES\] \[LIMIT offset count\]
pub fn zrangebyscore_command(srv: &mut Server, c: &mut Client) {
    zrange_generic(srv, c, 1, Sink::Client, RangeType::Score, Some(false));
}

/// ZREVRANGEBYSCORE key max min \[WITHSCORES\] \[LIMIT offset count\]
pub fn zrevrangebyscore_command(srv: &mut Server, c: &mut Client) {
    zrange_generic(srv, c, 1, Sink::Client, RangeType::Score, Some(true));
}

/// ZRANGEBYLEX key min max \[LIMIT offset count\]
pub fn zrangebylex_command(srv: &mut Server, c: &mut Client) {
    zrange_generic(srv, c, 1, Sink::Client, RangeType::Lex, Some(false));
}

/// ZREVRANGEBYLEX key max min \[LIMIT offset count\]
pub fn zrevrangebylex_command(srv: &mut Server, c: &mut Client) {
    zrange_generic(srv, c, 1, Sink::Client, RangeType::Lex, Some(true));
}

/// Redis's zremrangeGenericCommand.
fn zremrange_generic(srv: &mut Server, c: &mut Client, kind: RangeType) {
    let argv = c.argv.clone();
    let (r, event) = match kind {
        RangeType::Score => (
            parse_score_range(&argv[2], &argv[3]).map(Range::Score),
            "zremrangebyscore",
        ),
        RangeType::Lex => (
            parse_lex_range(&argv[2], &argv[3]).map(Range::Lex),
            "zremrangebylex",
        ),
        _ => (
            arg_i64(c, 2).and_then(|s| arg_i64(c, 3).map(|e| Range::Rank(s, e))),
            "zremrangebyrank",
        ),
    };
    let r = match r {
        Ok(r) => r,
        Err(e) => return reply_err(c, e),
    };
    let key = &argv[1];
    let db = &mut srv.dbs[c.db];
    // Look and check the range before unsharing the set from a snapshot.
    let z = match super::peek_zset(db, key) {
        Ok(Some(z)) => z,
        Ok(None) => return c.add_int(0),
        Err(e) => return reply_err(c, e),
    };
    let ranks = match r {
        Range::Rank(s, e) => match clamp_ranks(s, e, z.len()) {
            Some(v) => Some(v),
            None => return c.add_int(0),
        },
        _ => None,
    };
    let z = lookup_zset_mut(db, key).ok().flatten().expect("checked");
    let n = match (&r, ranks) {
        (Range::Score(sr), _) => z.remove_range_by_score(sr),
        (Range::Lex(lr), _) => z.remove_range_by_lex(lr),
        (_, Some((s, e))) => z.remove_range_by_rank(s, e),
        _ => 0,
    };
    if z.is_empty() {
        db.remove(key);
    } else if n > 0 {
        db.touch(key);
    }
    if n > 0 {
        notify(srv, c, ev::ZSET, event, key);
        notify_if_deleted(srv, c, key);
    }
    srv.dirty += n as u64;
    c.add_int(n as i64);
}

/// ZREMRANGEBYRANK key start stop
pub fn zremrangebyrank_command(srv: &mut Server, c: &mut Client) {
    zremrange_generic(srv, c, RangeType::Rank);
}

/// ZREMRANGEBYSCORE key min max
pub fn zremrangebyscore_command(srv: &mut Server, c: &mut Client) {
    zremrange_generic(srv, c, RangeType::Score);
}

/// ZREMRANGEBYLEX key min max
pub fn zremrangebylex_command(srv: &mut Server, c: &mut Client) {
    zremrange_generic(srv, c, RangeType::Lex);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_clamp_as_redis() {
        assert_eq!(clamp_ranks(0, -1, 3), Some((0, 2)));
        assert_eq!(clamp_ranks(-100, 100, 3), Some((0, 2)));
        assert_eq!(clamp_ranks(2, 1, 3), None);
        assert_eq!(clamp_ranks(3, 5, 3), None);
        assert_eq!(clamp_ranks(0, -4, 3), None);
        assert_eq!(clamp_ranks(0, 0, 0), None);
        assert_eq!(clamp_ranks(i64::MIN, i64::MAX, 2), Some((0, 1)));
    }
}
