//! Appending and removing: XADD, XTRIM, XDEL, XSETID, and XLEN.
//!
//! XADD and XTRIM share Redis's streamParseAddOrTrimArgsOrReply
//! ([`parse_add_or_trim`]). Both propagate deterministically: XADD with the
//! ID it generated in place of `*` or `ms-*`, and a `~` trim (whose extent
//! depends on the node layout) as the exact trim it performed, `MAXLEN =
//! <length after>` or `MINID = <first ID after>` (streamRewriteTrimArgument).

use bytes::Bytes;

use super::{
    add_stream_id, id_arg, lookup_stream, lookup_stream_mut, node_limits, parse_add_id,
    parse_strict_id, peek_stream, stream_value,
};
use crate::client::Client;
use crate::cmd::reply_err;
use crate::config::notify as ev;
use crate::db::stream::{NodeLimits, Stream, StreamId, Trim};
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::number::parse_i64;

/// Redis's STREAM_LISTPACK_MAX_SIZE: the most field and value bytes one entry
/// may hold.
const MAX_ENTRY_BYTES: usize = 1 << 30;

/// What XADD and XTRIM were asked to do (Redis's streamAddTrimArgs).
#[derive(Default)]
pub struct AddTrimArgs {
    /// The trimming strategy, if any.
    pub trim: Option<Trim>,
    /// `~`: whole nodes only.
    pub approx: bool,
    /// Most entries a trim may remove (0: no limit), Redis's effective value.
    pub limit: u64,
    /// Position of the MAXLEN/MINID threshold (the `~` is just before it).
    pub threshold_idx: usize,
    /// XADD: NOMKSTREAM.
    pub no_mkstream: bool,
    /// XADD: the explicit ID and whether its seq was given (`ms-*` not).
    pub id: Option<(StreamId, bool)>,
    /// XADD: position of the ID argument (`*` included).
    pub id_idx: usize,
}

/// Parses XADD's or XTRIM's options from `argv[2]`, as Redis does (the same
/// order of checks, so the same error wins). `node_max_entries` sets the
/// default LIMIT of a `~` trim.
pub fn parse_add_or_trim(
    argv: &[Bytes],
    xadd: bool,
    node_max_entries: u64,
) -> Result<AddTrimArgs, OpError> {
    parse_add_or_trim_as(argv, xadd, node_max_entries, false)
}

/// [`parse_add_or_trim`] for a client whose commands must be obeyed (the
/// AOF loader, Redis's mustObeyClient): the propagated form of a `~` trim is
/// `= <exact threshold> LIMIT n`, whose LIMIT is ignored, not refused.
pub fn parse_add_or_trim_as(
    argv: &[Bytes],
    xadd: bool,
    node_max_entries: u64,
    obey: bool,
) -> Result<AddTrimArgs, OpError> {
    let mut a = AddTrimArgs::default();
    let mut limit_given = false;
    let mut limit: i64 = 0;
    let argc = argv.len();
    let mut i = 2;
    while i < argc {
        let more = argc - 1 - i;
        let opt = &argv[i][..];
        if xadd && opt == b"*" {
            // The common case of an auto ID.
            break;
        } else if more > 0
            && (opt.eq_ignore_ascii_case(b"maxlen") || opt.eq_ignore_ascii_case(b"minid"))
        {
            let maxlen = opt.eq_ignore_ascii_case(b"maxlen");
            if a.trim.is_some() {
                return Err(OpError::Static(error::STREAM_MAXLEN_AND_MINID));
            }
            a.approx = false;
            let next = &argv[i + 1][..];
            if more >= 2 && next == b"~" {
                a.approx = true;
                i += 1;
            } else if more >= 2 && next == b"=" {
                i += 1;
            }
            let arg = &argv[i + 1];
            a.trim = Some(if maxlen {
                let n = parse_i64(arg).ok_or(OpError::NotInteger)?;
                if n < 0 {
                    return Err(OpError::Static(error::STREAM_MAXLEN_NEGATIVE));
                }
                Trim::MaxLen(n as u64)
            } else {
                Trim::MinId(parse_strict_id(arg, 0)?)
            });
            i += 1;
            a.threshold_idx = i;
        } else if more > 0 && opt.eq_ignore_ascii_case(b"limit") {
            limit = parse_i64(&argv[i + 1]).ok_or(OpError::NotInteger)?;
            if limit < 0 {
                return Err(OpError::Static(error::STREAM_LIMIT_NEGATIVE));
            }
            limit_given = true;
            i += 1;
        } else if xadd && opt.eq_ignore_ascii_case(b"nomkstream") {
            a.no_mkstream = true;
        } else if xadd {
            // An ID, or a syntax error reported as an invalid ID.
            a.id = Some(parse_add_id(opt)?);
            break;
        } else {
            return Err(OpError::Syntax);
        }
        i += 1;
    }
    a.id_idx = i;
    if limit != 0 && a.trim.is_none() {
        return Err(OpError::Static(error::STREAM_LIMIT_NO_STRATEGY));
    }
    if !xadd && a.trim.is_none() {
        return Err(OpError::Static(error::STREAM_XTRIM_NO_STRATEGY));
    }
    if obey {
        // The threshold was rewritten to the exact result: no work limit.
        a.limit = 0;
    } else if limit_given {
        if !a.approx {
            return Err(OpError::Static(error::STREAM_LIMIT_NO_TILDE));
        }
        a.limit = limit as u64;
    } else if a.approx {
        // At most 100 nodes' worth of work per trim, capped both ways.
        let l = 100u64.saturating_mul(node_max_entries);
        a.limit = if l == 0 { 10000 } else { l.min(1_000_000) };
    }
    Ok(a)
}

/// The ID XADD would give the new entry (streamAppendItem's ID rules): an
/// explicit one, `ms-*` (the next seq in that ms), or `*` (the time now, or
/// the next ID after the top one if the clock is behind). Err when it does
/// not go past the top item.
fn next_id(
    last: StreamId,
    want: Option<(StreamId, bool)>,
    now_ms: u64,
) -> Result<StreamId, OpError> {
    let too_small = Err(OpError::Static(error::XADD_ID_SMALL));
    let id = match want {
        Some((id, true)) => id,
        Some((id, false)) if id.ms == last.ms => {
            if last.seq == u64::MAX {
                // Redis fails here without setting errno, so XADD reports
                // what a stale errno gives: not EDOM.
                return Err(OpError::Static(error::XADD_TOO_LARGE));
            }
            StreamId {
                ms: id.ms,
                seq: last.seq + 1,
            }
        }
        Some((id, false)) => id,
        None if now_ms > last.ms => StreamId { ms: now_ms, seq: 0 },
        None => last.incr().unwrap_or(StreamId::MIN),
    };
    if id <= last {
        return too_small;
    }
    Ok(id)
}

/// The argument that replaces a `~` trim's threshold (streamRewriteTrimArgument):
/// the length after the trim, or the first ID after it (the maximum ID when
/// the stream is empty).
fn exact_threshold(s: &Stream, trim: &Trim) -> Bytes {
    match trim {
        Trim::MaxLen(_) => Bytes::from(s.len().to_string()),
        Trim::MinId(_) if s.is_empty() => id_arg(StreamId::MAX),
        Trim::MinId(_) => id_arg(s.first_id()),
    }
}

/// Rewrites `argv` so that a `~` trim propagates as the exact one.
fn rewrite_trim(argv: &mut [Bytes], a: &AddTrimArgs, exact: Bytes) {
    argv[a.threshold_idx - 1] = Bytes::from_static(b"=");
    argv[a.threshold_idx] = exact;
}

/// XADD's work on the stream: the new entry's ID, the entries trimmed, and
/// the exact threshold a `~` trim propagates as.
fn append_and_trim(
    s: &mut Stream,
    a: &AddTrimArgs,
    fields: &[Bytes],
    now: u64,
    limits: NodeLimits,
) -> Result<(StreamId, u64, Option<Bytes>), OpError> {
    if s.last_id() == StreamId::MAX {
        return Err(OpError::Static(error::XADD_EXHAUSTED));
    }
    let id = next_id(s.last_id(), a.id, now)?;
    if fields.iter().map(|f| f.len()).sum::<usize>() > MAX_ENTRY_BYTES {
        return Err(OpError::Static(error::XADD_TOO_LARGE));
    }
    s.append(id, fields, limits);
    let mut trimmed = 0;
    let mut exact = None;
    if let Some(t) = &a.trim {
        trimmed = s.trim(*t, a.approx, a.limit);
        if a.approx {
            exact = Some(exact_threshold(s, t));
        }
    }
    Ok((id, trimmed, exact))
}

/// XADD key \[NOMKSTREAM\] \[<MAXLEN | MINID> \[= | ~\] threshold \[LIMIT count\]\] <* | id> field value \[field value ...\]
pub fn xadd_command(srv: &mut Server, c: &mut Client) {
    let a = match parse_add_or_trim_as(
        &c.argv,
        true,
        srv.config.stream_node_max_entries,
        c.has(crate::client::flags::OBEY),
    ) {
        Ok(a) => a,
        Err(e) => return reply_err(c, e),
    };
    let field_pos = a.id_idx + 1;
    let argc = c.argv.len();
    if argc < field_pos + 2 || (argc - field_pos) % 2 == 1 {
        return c.add_error(&error::wrong_arity("xadd"));
    }
    // 0-0 is refused before the key is looked at (no empty stream is left).
    if a.id == Some((StreamId::MIN, true)) {
        return c.add_error(error::XADD_ID_ZERO);
    }
    let limits = node_limits(srv);
    let now = srv.now_ms.max(0) as u64;
    let key = c.argv[1].clone();
    let fields = &c.argv[field_pos..];
    let db = &mut srv.dbs[c.db];
    let added = match lookup_stream_mut(db, &key) {
        Err(e) => return reply_err(c, e),
        Ok(Some(s)) => {
            let r = append_and_trim(s, &a, fields, now, limits);
            if r.is_ok() {
                db.touch(&key);
                // New data for the clients blocked on the stream (a new key
                // is signalled when it is stored).
                db.signal_if_blocked(&key);
            }
            r
        }
        Ok(None) if a.no_mkstream => return c.add_null(),
        Ok(None) => {
            let mut s = Stream::new();
            let r = append_and_trim(&mut s, &a, fields, now, limits);
            if r.is_ok() {
                db.set(&key, stream_value(s), None);
            }
            r
        }
    };
    let (id, trimmed, exact) = match added {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    add_stream_id(c, id);
    notify(srv, c, ev::STREAM, "xadd", &key);
    srv.dirty += 1;
    if trimmed > 0 {
        notify(srv, c, ev::STREAM, "xtrim", &key);
    }
    let id_generated = !matches!(a.id, Some((_, true)));
    if exact.is_some() || id_generated {
        let id_idx = a.id_idx;
        let argv = &c.argv;
        crate::repl::rewrite(srv, || {
            let mut v = argv.clone();
            if let Some(x) = exact {
                rewrite_trim(&mut v, &a, x);
            }
            if id_generated {
                v[id_idx] = id_arg(id);
            }
            v
        });
    }
}

/// XTRIM key <MAXLEN | MINID> \[= | ~\] threshold \[LIMIT count\]
pub fn xtrim_command(srv: &mut Server, c: &mut Client) {
    let a = match parse_add_or_trim_as(
        &c.argv,
        false,
        srv.config.stream_node_max_entries,
        c.has(crate::client::flags::OBEY),
    ) {
        Ok(a) => a,
        Err(e) => return reply_err(c, e),
    };
    let key = c.argv[1].clone();
    let db = &mut srv.dbs[c.db];
    match peek_stream(db, &key) {
        Ok(Some(_)) => {}
        Ok(None) => return c.add_int(0),
        Err(e) => return reply_err(c, e),
    }
    let s = lookup_stream_mut(db, &key).ok().flatten().expect("checked");
    let t = a.trim.expect("XTRIM has a strategy");
    let deleted = s.trim(t, a.approx, a.limit);
    let exact = (deleted > 0 && a.approx).then(|| exact_threshold(s, &t));
    if deleted > 0 {
        db.touch(&key);
        notify(srv, c, ev::STREAM, "xtrim", &key);
        srv.dirty += deleted;
        if let Some(x) = exact {
            let argv = &c.argv;
            crate::repl::rewrite(srv, || {
                let mut v = argv.clone();
                rewrite_trim(&mut v, &a, x);
                v
            });
        }
    }
    c.add_int(deleted as i64);
}

/// XDEL key id \[id ...\]
pub fn xdel_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    let db = &mut srv.dbs[c.db];
    match peek_stream(db, &key) {
        Ok(Some(_)) => {}
        Ok(None) => return c.add_int(0),
        Err(e) => return reply_err(c, e),
    }
    // Every ID is checked before any is deleted.
    let mut ids = Vec::with_capacity(c.argv.len() - 2);
    for arg in &c.argv[2..] {
        match parse_strict_id(arg, 0) {
            Ok(id) => ids.push(id),
            Err(e) => return reply_err(c, e),
        }
    }
    let s = lookup_stream_mut(db, &key).ok().flatten().expect("checked");
    let deleted = ids.iter().filter(|&&id| s.delete(id)).count();
    if deleted > 0 {
        db.touch(&key);
        notify(srv, c, ev::STREAM, "xdel", &key);
        srv.dirty += deleted as u64;
    }
    c.add_int(deleted as i64);
}

/// XSETID key last-id \[ENTRIESADDED entries-added\] \[MAXDELETEDID max-deleted-id\]
pub fn xsetid_command(srv: &mut Server, c: &mut Client) {
    let id = match parse_strict_id(&c.argv[2], 0) {
        Ok(id) => id,
        Err(e) => return reply_err(c, e),
    };
    let mut entries_added: Option<u64> = None;
    let mut max_deleted = StreamId::MIN;
    let mut i = 3;
    while i < c.argv.len() {
        let more = c.argv.len() - 1 - i;
        let opt = &c.argv[i];
        if more > 0 && opt.eq_ignore_ascii_case(b"entriesadded") {
            match parse_i64(&c.argv[i + 1]) {
                None => return reply_err(c, OpError::NotInteger),
                Some(n) if n < 0 => return c.add_error("ERR entries_added must be positive"),
                Some(n) => entries_added = Some(n as u64),
            }
        } else if more > 0 && opt.eq_ignore_ascii_case(b"maxdeletedid") {
            match parse_strict_id(&c.argv[i + 1], 0) {
                Err(e) => return reply_err(c, e),
                Ok(m) if id < m => {
                    return c.add_error(
                        "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id",
                    )
                }
                Ok(m) => max_deleted = m,
            }
        } else {
            return reply_err(c, OpError::Syntax);
        }
        i += 2;
    }
    let key = c.argv[1].clone();
    let db = &mut srv.dbs[c.db];
    match peek_stream(db, &key) {
        Ok(Some(s)) => {
            if !s.is_empty() {
                if id < s.last_live_id() {
                    return c.add_error(
                        "ERR The ID specified in XSETID is smaller than the target stream top item",
                    );
                }
                if entries_added.is_some_and(|n| s.len() > n) {
                    return c.add_error(
                        "ERR The entries_added specified in XSETID is smaller than the target stream length",
                    );
                }
            }
        }
        Ok(None) => return c.add_error(error::NO_SUCH_KEY),
        Err(e) => return reply_err(c, e),
    }
    let s = lookup_stream_mut(db, &key).ok().flatten().expect("checked");
    s.set_last_id(id);
    if let Some(n) = entries_added {
        s.set_entries_added(n);
    }
    if max_deleted != StreamId::MIN {
        s.set_max_deleted_id(max_deleted);
    }
    // As in Redis 7.0, XSETID does not signal the key as modified (WATCH).
    c.add_ok();
    srv.dirty += 1;
    notify(srv, c, ev::STREAM, "xsetid", &key);
}

/// XLEN key
pub fn xlen_command(srv: &mut Server, c: &mut Client) {
    match lookup_stream(&mut srv.dbs[c.db], &c.argv[1]) {
        Ok(Some(s)) => {
            let n = s.len();
            c.add_int(n as i64)
        }
        Ok(None) => c.add_int(0),
        Err(e) => reply_err(c, e),
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

    fn id(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    #[test]
    fn add_args() {
        let a = parse_add_or_trim(&argv("XADD k MAXLEN ~ 10 * a b"), true, 100).unwrap();
        assert!(matches!(a.trim, Some(Trim::MaxLen(10))));
        assert!(a.approx);
        assert_eq!(
            (a.limit, a.threshold_idx, a.id_idx, a.id),
            (10000, 4, 5, None)
        );
        let a = parse_add_or_trim(
            &argv("XADD k NOMKSTREAM MINID = 5 LIMIT 0 5-* a b"),
            true,
            100,
        );
        assert_eq!(a.err(), Some(OpError::Static(error::STREAM_LIMIT_NO_TILDE)));
        let a = parse_add_or_trim(&argv("XADD k NOMKSTREAM MINID 5 5-* a b"), true, 100).unwrap();
        assert!(a.no_mkstream);
        assert!(matches!(a.trim, Some(Trim::MinId(m)) if m == id(5, 0)));
        assert_eq!((a.id, a.id_idx), (Some((id(5, 0), false)), 5));
        assert_eq!(
            parse_add_or_trim(&argv("XADD k MAXLEN 1 MINID 2 * a b"), true, 100).err(),
            Some(OpError::Static(error::STREAM_MAXLEN_AND_MINID))
        );
        assert_eq!(
            parse_add_or_trim(&argv("XADD k LIMIT 5 * a b"), true, 100).err(),
            Some(OpError::Static(error::STREAM_LIMIT_NO_STRATEGY))
        );
        assert_eq!(
            parse_add_or_trim(&argv("XADD k MAXLEN -1 * a b"), true, 100).err(),
            Some(OpError::Static(error::STREAM_MAXLEN_NEGATIVE))
        );
        assert_eq!(
            parse_add_or_trim(&argv("XADD k foo a b"), true, 100).err(),
            Some(OpError::Static(error::STREAM_ID_INVALID))
        );
        // LIMIT 0 with ~ means no limit; 0 node entries gives the floor.
        let a = parse_add_or_trim(&argv("XTRIM k MAXLEN ~ 3 LIMIT 0"), false, 100).unwrap();
        assert_eq!(a.limit, 0);
        let a = parse_add_or_trim(&argv("XTRIM k MAXLEN ~ 3"), false, 0).unwrap();
        assert_eq!(a.limit, 10000);
        let a = parse_add_or_trim(&argv("XTRIM k MAXLEN ~ 3"), false, 1 << 40).unwrap();
        assert_eq!(a.limit, 1_000_000);
        assert_eq!(
            parse_add_or_trim(&argv("XTRIM k"), false, 100).err(),
            Some(OpError::Static(error::STREAM_XTRIM_NO_STRATEGY))
        );
        assert_eq!(
            parse_add_or_trim(&argv("XTRIM k NOMKSTREAM"), false, 100).err(),
            Some(OpError::Syntax)
        );
    }

    #[test]
    fn ids_advance_as_redis() {
        assert_eq!(next_id(id(5, 5), None, 10), Ok(id(10, 0)));
        assert_eq!(next_id(id(5, 5), None, 3), Ok(id(5, 6)));
        assert_eq!(next_id(id(5, u64::MAX), None, 3), Ok(id(6, 0)));
        assert_eq!(next_id(id(5, 5), Some((id(5, 0), false)), 0), Ok(id(5, 6)));
        assert_eq!(next_id(id(5, 5), Some((id(7, 0), false)), 0), Ok(id(7, 0)));
        assert!(next_id(id(5, 5), Some((id(4, 0), false)), 0).is_err());
        assert_eq!(
            next_id(id(5, u64::MAX), Some((id(5, 0), false)), 0),
            Err(OpError::Static(error::XADD_TOO_LARGE))
        );
        assert!(next_id(id(5, 5), Some((id(5, 5), true)), 0).is_err());
        assert_eq!(next_id(id(5, 5), Some((id(5, 6), true)), 0), Ok(id(5, 6)));
    }
}
