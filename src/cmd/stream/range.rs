//! XRANGE and XREVRANGE (Redis's xrangeGenericCommand).

use super::{add_range, lookup_stream, parse_count, parse_range_bound};
use crate::client::Client;
use crate::cmd::reply_err;
use crate::error::OpError;
use crate::server::Server;

/// Both directions: the bounds are parsed first (start, then end), then
/// COUNT, then the key is looked up. COUNT 0 (or negative) is a null array.
fn xrange_generic(srv: &mut Server, c: &mut Client, rev: bool) {
    let (start_arg, end_arg) = if rev { (3, 2) } else { (2, 3) };
    let start = match parse_range_bound(&c.argv[start_arg], true) {
        Ok(id) => id,
        Err(e) => return reply_err(c, e),
    };
    let end = match parse_range_bound(&c.argv[end_arg], false) {
        Ok(id) => id,
        Err(e) => return reply_err(c, e),
    };
    let mut count: i64 = -1;
    let mut j = 4;
    while j < c.argv.len() {
        if c.argv[j].eq_ignore_ascii_case(b"count") && j + 1 < c.argv.len() {
            count = match parse_count(&c.argv[j + 1]) {
                Ok(n) => n.max(0),
                Err(e) => return reply_err(c, e),
            };
            j += 2;
        } else {
            return reply_err(c, OpError::Syntax);
        }
    }
    let s = match lookup_stream(&mut srv.dbs[c.db], &c.argv[1]) {
        Ok(Some(s)) => s,
        Ok(None) => return c.add_raw(b"*0\r\n"),
        Err(e) => return reply_err(c, e),
    };
    if count == 0 {
        return c.add_null_array();
    }
    add_range(c, s, start, end, count.max(0) as usize, rev);
}

/// XRANGE key start end \[COUNT count\]
pub fn xrange_command(srv: &mut Server, c: &mut Client) {
    xrange_generic(srv, c, false);
}

/// XREVRANGE key end start \[COUNT count\]
pub fn xrevrange_command(srv: &mut Server, c: &mut Client) {
    xrange_generic(srv, c, true);
}
