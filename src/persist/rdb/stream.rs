//! Loading the stream RDB types (STREAM_LISTPACKS = 15, STREAM_LISTPACKS_2 =
//! 19; saving is in `save.rs`, always 19 as Redis 7.0 writes it), with Redis's
//! checks of corrupt input. Every listpack gets the deep structural check
//! whatever sanitize-dump-payload says, since a node that reads wrong could
//! not be served safely; a pending entry without an owner is refused too
//! (Redis checks that only when sanitizing, and would crash on it later).

use super::load::In;
use super::RdbError;
use crate::db::list::Listpack;
use crate::db::stream::{node, Group, Loaded, Stream, StreamId};

fn corrupt(what: &str) -> RdbError {
    RdbError(what.to_string())
}

fn raw_id(inp: &mut In<'_>) -> Result<StreamId, RdbError> {
    let mut b = [0u8; 16];
    inp.exact(&mut b)?;
    Ok(StreamId::from_be_bytes(b))
}

fn len_id(inp: &mut In<'_>) -> Result<StreamId, RdbError> {
    Ok(StreamId::new(inp.len()?, inp.len()?))
}

/// A stream value after its type byte; `v2` for STREAM_LISTPACKS_2.
pub(super) fn load(inp: &mut In<'_>, v2: bool) -> Result<Stream, RdbError> {
    let n = inp.len()?;
    let mut nodes: Vec<(StreamId, Listpack)> = Vec::new();
    for _ in 0..n {
        let key = inp.string()?;
        let Ok(key) = <[u8; 16]>::try_from(key.as_slice()) else {
            return Err(corrupt(
                "Stream node key entry is not the size of a stream ID",
            ));
        };
        let master = StreamId::from_be_bytes(key);
        let lp = Listpack::from_bytes(inp.string()?)
            .ok_or_else(|| corrupt("Stream listpack integrity check failed."))?;
        if lp.first() == lp.end() {
            return Err(corrupt("Empty listpack inside stream"));
        }
        if !node::validate(&lp) {
            return Err(corrupt("Stream listpack integrity check failed."));
        }
        // Redis's rax refuses a key twice; nodes come in key order from any
        // writer, but a file may say otherwise: sort, then look for twins.
        nodes.push((master, lp));
    }
    nodes.sort_by_key(|(k, _)| *k);
    if nodes.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(corrupt("Listpack re-added with existing key"));
    }
    let length = inp.len()?;
    let last_id = len_id(inp)?;
    let (first_id, max_deleted_id, entries_added) = if v2 {
        let f = len_id(inp)?;
        let m = len_id(inp)?;
        (Some(f), m, Some(inp.len()?))
    } else {
        (None, StreamId::MIN, None)
    };
    if length > 0 && nodes.is_empty() {
        return Err(corrupt("Stream length inconsistent with rax entries"));
    }
    let mut s = Stream::from_loaded(Loaded {
        nodes,
        length,
        last_id,
        first_id,
        max_deleted_id,
        entries_added,
    });
    let groups = inp.len()?;
    for _ in 0..groups {
        let name = inp.string()?;
        let last = len_id(inp)?;
        let entries_read = if v2 {
            inp.len()? as i64
        } else {
            s.entries_read_estimate(last)
        };
        let mut g = Group::new(last, entries_read);
        let pel = inp.len()?;
        for _ in 0..pel {
            let id = raw_id(inp)?;
            let time = inp.i64_le()?;
            let count = inp.len()?;
            if !g.load_pending(id, time, count) {
                return Err(corrupt(
                    "Duplicated global PEL entry loading stream consumer group",
                ));
            }
        }
        let consumers = inp.len()?;
        for _ in 0..consumers {
            let cname = inp.string()?;
            let seen = inp.i64_le()?;
            if !g.load_consumer(&cname, seen) {
                return Err(corrupt("Duplicate stream consumer detected."));
            }
            let n = inp.len()?;
            for _ in 0..n {
                let id = raw_id(inp)?;
                g.load_consumer_pel(&cname, id).map_err(corrupt)?;
            }
        }
        if g.has_orphans() {
            return Err(corrupt("Stream CG PEL entry without consumer"));
        }
        if !s.insert_group(&name, g) {
            return Err(RdbError(format!(
                "Duplicated consumer group name {}",
                String::from_utf8_lossy(&name)
            )));
        }
    }
    Ok(s)
}
