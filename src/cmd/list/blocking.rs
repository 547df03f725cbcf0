//! Blocking list commands: BLPOP, BRPOP, BRPOPLPUSH, BLMOVE, BLMPOP.
//!
//! Each tries to serve itself at once; otherwise it blocks on its keys through
//! `Server::block_for_keys` (see blocked.rs) and is re-run when one of them is
//! created. Redis 7.0's rules: inside MULTI/EXEC a blocking command answers as
//! on timeout instead of blocking; a re-run that finds a source key of the wrong
//! type keeps waiting rather than replying WRONGTYPE, while a BLMOVE/BRPOPLPUSH
//! whose source can serve it but whose destination has the wrong type gets
//! WRONGTYPE and leaves the queue; a timeout replies a null array.

use bytes::Bytes;

use super::{check_list, fill, lmove_generic, mpop_generic, parse_mpop_args, parse_where};
use crate::blocked::parse_timeout;
use crate::client::blocked::TimeoutReply;
use crate::client::{flags as cflags, Client};
use crate::cmd::reply_err;
use crate::error::OpError;
use crate::server::Server;

/// Parses the timeout argument, replying the error if it is invalid.
fn timeout_arg(srv: &Server, c: &mut Client, i: usize) -> Option<Option<i64>> {
    match parse_timeout(&c.argv[i], srv.now_ms) {
        Ok(t) => Some(t),
        Err(e) => {
            c.add_error(e);
            None
        }
    }
}

/// True while re-running for a key that became ready.
fn rerun(c: &Client) -> bool {
    c.has(cflags::RERUN)
}

fn bpop_generic(srv: &mut Server, c: &mut Client, left: bool) {
    let last = c.argv.len() - 1;
    let Some(deadline) = timeout_arg(srv, c, last) else {
        return;
    };
    let keys: Vec<Bytes> = c.argv[1..last].to_vec();
    let db = &mut srv.dbs[c.db];
    for key in &c.keys_to_serve(keys.clone()) {
        match check_list(db, key) {
            Ok(false) => continue,
            Err(_) if rerun(c) => continue,
            Err(e) => return reply_err(c, e),
            Ok(true) => {}
        }
        let l = super::lookup_list_mut(db, key)
            .ok()
            .flatten()
            .expect("checked list");
        let Some(v) = l.pop(left) else { continue };
        if l.is_empty() {
            db.remove(key);
        } else {
            db.touch(key);
        }
        srv.dirty += 1;
        // Propagated as the non-blocking pop that happened: a replica or the AOF
        // loader must not block.
        crate::repl::rewrite(srv, || {
            let name: &'static [u8] = if left { b"LPOP" } else { b"RPOP" };
            vec![Bytes::from_static(name), key.clone()]
        });
        c.add_array_len(2);
        c.add_bulk(key);
        c.add_bulk(&v);
        super::notify_popped(srv, c, key, left);
        srv.unblock_client(c);
        return;
    }
    if c.has(cflags::DENY_BLOCKING) {
        c.add_null_array();
        return;
    }
    srv.block_for_keys(c, &keys, deadline, TimeoutReply::NullArray);
}

/// BLPOP key [key ...] timeout
pub fn blpop_command(srv: &mut Server, c: &mut Client) {
    bpop_generic(srv, c, true);
}

/// BRPOP key [key ...] timeout
pub fn brpop_command(srv: &mut Server, c: &mut Client) {
    bpop_generic(srv, c, false);
}

fn blmove_generic(srv: &mut Server, c: &mut Client, from_left: bool, to_left: bool, tidx: usize) {
    let Some(deadline) = timeout_arg(srv, c, tidx) else {
        return;
    };
    let (src, dst) = (c.argv[1].clone(), c.argv[2].clone());
    let fill = fill(srv);
    match lmove_generic(&mut srv.dbs[c.db], &src, &dst, from_left, to_left, fill) {
        Ok(Some(v)) => {
            srv.dirty += 1;
            // Propagated as the non-blocking RPOPLPUSH / LMOVE (a served waiter's
            // directions spelled as Redis's shared `left`/`right`).
            let served_later = rerun(c);
            crate::repl::rewrite(srv, || {
                if tidx == 3 {
                    return vec![Bytes::from_static(b"RPOPLPUSH"), src.clone(), dst.clone()];
                }
                let side = |l: bool| Bytes::from_static(if l { b"left" } else { b"right" });
                let (a, b) = if served_later {
                    (side(from_left), side(to_left))
                } else {
                    (c.argv[3].clone(), c.argv[4].clone())
                };
                vec![Bytes::from_static(b"LMOVE"), src.clone(), dst.clone(), a, b]
            });
            super::notify_moved(srv, c, &v, from_left, to_left);
            srv.unblock_client(c);
            return;
        }
        Ok(None) => {}
        // A source that is no list (any more) does not serve a waiter; a list
        // source with a destination of the wrong type answers it WRONGTYPE and
        // leaves the element for the next one in the queue, as in Redis.
        Err(e) if rerun(c) => {
            if matches!(check_list(&mut srv.dbs[c.db], &src), Ok(true)) {
                reply_err(c, e);
                srv.unblock_client(c);
                return;
            }
        }
        Err(e) => return reply_err(c, e),
    }
    if c.has(cflags::DENY_BLOCKING) {
        c.add_null();
        return;
    }
    srv.block_for_keys(c, &[src], deadline, TimeoutReply::NullArray);
}

/// BRPOPLPUSH source destination timeout
pub fn brpoplpush_command(srv: &mut Server, c: &mut Client) {
    blmove_generic(srv, c, false, true, 3);
}

/// BLMOVE source destination <LEFT | RIGHT> <LEFT | RIGHT> timeout
pub fn blmove_command(srv: &mut Server, c: &mut Client) {
    match (parse_where(&c.argv[3]), parse_where(&c.argv[4])) {
        (Ok(from), Ok(to)) => blmove_generic(srv, c, from, to, 5),
        (Err(e), _) | (_, Err(e)) => reply_err(c, e),
    }
}

/// BLMPOP timeout numkeys key [key ...] <LEFT | RIGHT> [COUNT count]
pub fn blmpop_command(srv: &mut Server, c: &mut Client) {
    // As in Redis, numkeys, the direction and COUNT are checked before the timeout.
    let (range, left, count) = match parse_mpop_args(&c.argv, 2) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let Some(deadline) = timeout_arg(srv, c, 1) else {
        return;
    };
    let mut keys: Vec<Bytes> = c.keys_to_serve(c.argv[range].to_vec());
    if rerun(c) {
        // A key of the wrong type does not serve a waiting client.
        let db = &mut srv.dbs[c.db];
        keys.retain(|k| !matches!(check_list(db, k), Err(OpError::WrongType)));
    }
    if mpop_generic(srv, c, &keys, left, count) {
        srv.unblock_client(c);
        return;
    }
    if c.has(cflags::DENY_BLOCKING) {
        c.add_null_array();
        return;
    }
    let all: Vec<Bytes> = c.argv[parse_mpop_args(&c.argv, 2).map(|v| v.0).unwrap_or(0..0)].to_vec();
    srv.block_for_keys(c, &all, deadline, TimeoutReply::NullArray);
}
