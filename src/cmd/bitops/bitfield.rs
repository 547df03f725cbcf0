//! BITFIELD and BITFIELD_RO: GET, SET and INCRBY of signed (i1..i64) and
//! unsigned (u1..u63) integers at any bit offset, `#N` offsets counted in
//! fields, and OVERFLOW WRAP | SAT | FAIL applying to the operations after it.
//!
//! As in Redis, every operation is parsed (and any error reported) before the
//! key is touched; a call with a SET or INCRBY then makes the string long
//! enough for its farthest write, once, and runs all operations in order on
//! that buffer in place, so a GET sees the writes before it. A call of GETs
//! only reads (and is a read for keyspace statistics and propagation: nothing
//! changes `dirty`). The reply has one entry per operation; a FAIL overflow
//! is a nil and leaves the field as it was.

use super::parse_bit_offset;
use crate::client::Client;
use crate::cmd::reply_err;
use crate::cmd::string::{lookup_string, value_bytes};
use crate::config::notify as ev;
use crate::db::entry::grow_zeroed;
use crate::error::OpError;
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::bits::{self, Overflow};
use crate::util::number::{parse_i64, I64_BUF};

use crate::error::{
    BITFIELD_OVERFLOW as BAD_OVERFLOW, BITFIELD_RO_GET_ONLY, BITFIELD_TYPE as BAD_TYPE,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Get,
    Set,
    Incrby,
}

/// One parsed operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Op {
    kind: Kind,
    signed: bool,
    bits: u32,
    offset: u64,
    /// SET's value or INCRBY's increment.
    value: i64,
    overflow: Overflow,
}

/// Redis's getBitfieldTypeFromArgument: `i1`..`i64` or `u1`..`u63` (the sign
/// letter in lower case only).
fn parse_type(arg: &[u8]) -> Result<(bool, u32), OpError> {
    let bad = OpError::Static(BAD_TYPE);
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return Err(bad),
    };
    let bits = parse_i64(&arg[1..]).ok_or(bad.clone())?;
    let max = if signed { 64 } else { 63 };
    if !(1..=max).contains(&bits) {
        return Err(bad);
    }
    Ok((signed, bits as u32))
}

/// The operations of a BITFIELD call (`args` after the key), in Redis's
/// parse order and with its errors.
fn parse_ops(args: &[bytes::Bytes], limit: u64) -> Result<Vec<Op>, OpError> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut j = 0;
    while j < args.len() {
        let rem = args.len() - j - 1;
        let sub = &args[j];
        let kind = if sub.eq_ignore_ascii_case(b"get") && rem >= 2 {
            Kind::Get
        } else if sub.eq_ignore_ascii_case(b"set") && rem >= 3 {
            Kind::Set
        } else if sub.eq_ignore_ascii_case(b"incrby") && rem >= 3 {
            Kind::Incrby
        } else if sub.eq_ignore_ascii_case(b"overflow") && rem >= 1 {
            let t = &args[j + 1];
            overflow = if t.eq_ignore_ascii_case(b"wrap") {
                Overflow::Wrap
            } else if t.eq_ignore_ascii_case(b"sat") {
                Overflow::Sat
            } else if t.eq_ignore_ascii_case(b"fail") {
                Overflow::Fail
            } else {
                return Err(OpError::Static(BAD_OVERFLOW));
            };
            j += 2;
            continue;
        } else {
            return Err(OpError::Syntax);
        };
        let (signed, bits) = parse_type(&args[j + 1])?;
        let offset = parse_bit_offset(&args[j + 2], bits, limit)?;
        let value = if kind == Kind::Get {
            0
        } else {
            parse_i64(&args[j + 3]).ok_or(OpError::NotInteger)?
        };
        ops.push(Op {
            kind,
            signed,
            bits,
            offset,
            value,
            overflow,
        });
        j += if kind == Kind::Get { 3 } else { 4 };
    }
    Ok(ops)
}

/// GET of `op` from `s` (zero beyond its end).
fn get(s: &[u8], op: &Op) -> i64 {
    if op.signed {
        bits::get_signed(s, op.offset, op.bits)
    } else {
        bits::get_unsigned(s, op.offset, op.bits) as i64
    }
}

/// SET or INCRBY of `op` on `s` (long enough for the field): the reply
/// (None for a FAIL overflow) and whether the field changed.
fn write(s: &mut [u8], op: &Op) -> (Option<i64>, bool) {
    let incr = op.kind == Kind::Incrby;
    let (reply, old, new) = if op.signed {
        let old = bits::get_signed(s, op.offset, op.bits);
        let (v, d) = if incr { (old, op.value) } else { (op.value, 0) };
        let new = match bits::signed_overflow(v, d, op.bits, op.overflow) {
            Some(_) if op.overflow == Overflow::Fail => return (None, false),
            Some(limit) => limit,
            None => v.wrapping_add(d),
        };
        (if incr { new } else { old }, old as u64, new as u64)
    } else {
        let old = bits::get_unsigned(s, op.offset, op.bits);
        let (v, d) = if incr {
            (old, op.value)
        } else {
            (op.value as u64, 0)
        };
        let new = match bits::unsigned_overflow(v, d, op.bits, op.overflow) {
            Some(_) if op.overflow == Overflow::Fail => return (None, false),
            Some(limit) => limit,
            None => v.wrapping_add(d as u64),
        };
        ((if incr { new } else { old }) as i64, old, new)
    };
    bits::set_bits(s, op.offset, op.bits, new);
    (Some(reply), old != new)
}

fn reply(c: &mut Client, results: &[Option<i64>]) {
    c.add_array_len(results.len());
    for r in results {
        match r {
            Some(v) => c.add_int(*v),
            None => c.add_null(),
        }
    }
}

fn bitfield_generic(srv: &mut Server, c: &mut Client, read_only_command: bool) {
    let ops = match parse_ops(&c.argv[2..], srv.config.proto_max_bulk_len) {
        Ok(ops) => ops,
        Err(e) => return reply_err(c, e),
    };
    let key = c.argv[1].clone();
    // The farthest bit a SET or INCRBY reaches, if any does.
    let highest = ops
        .iter()
        .filter(|op| op.kind != Kind::Get)
        .map(|op| op.offset + op.bits as u64 - 1)
        .max();
    let Some(highest) = highest else {
        let e = match lookup_string(&mut srv.dbs[c.db], &key) {
            Ok(e) => e,
            Err(e) => return reply_err(c, e),
        };
        let mut tmp = [0u8; I64_BUF];
        let s = match e {
            Some(e) => value_bytes(e.value(), &mut tmp).expect("a string"),
            None => &b""[..],
        };
        let results: Vec<Option<i64>> = ops.iter().map(|op| Some(get(s, op))).collect();
        return reply(c, &results);
    };
    if read_only_command {
        return c.add_error(BITFIELD_RO_GET_ONLY);
    }
    let len = (highest >> 3) as usize + 1;
    let r = srv.dbs[c.db].with_string_mut(&key, true, |v| {
        let grown = v.len() < len;
        grow_zeroed(v, len);
        let mut changes = 0u64;
        let results: Vec<Option<i64>> = ops
            .iter()
            .map(|op| {
                if op.kind == Kind::Get {
                    return Some(get(v, op));
                }
                let (r, changed) = write(v, op);
                // A created or lengthened string counts every write that
                // happened as a change, as Redis's `dirty` does.
                if r.is_some() && (grown || changed) {
                    changes += 1;
                }
                r
            })
            .collect();
        ((results, changes), changes > 0)
    });
    match r {
        Ok(Some((results, changes))) => {
            reply(c, &results);
            if changes > 0 {
                notify(srv, c, ev::STRING, "setbit", &key);
                srv.dirty += changes;
            }
        }
        Ok(None) => unreachable!("created when missing"),
        Err(e) => reply_err(c, e),
    }
}

/// BITFIELD key [GET encoding offset | [OVERFLOW WRAP | SAT | FAIL]
/// SET encoding offset value | INCRBY encoding offset increment ...]
pub fn bitfield_command(srv: &mut Server, c: &mut Client) {
    bitfield_generic(srv, c, false);
}

/// BITFIELD_RO key [GET encoding offset ...]
pub fn bitfield_ro_command(srv: &mut Server, c: &mut Client) {
    bitfield_generic(srv, c, true);
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::super::BIT_OFFSET;
    use super::*;

    fn args(a: &[&str]) -> Vec<Bytes> {
        a.iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    const LIMIT: u64 = 512 << 20;

    #[test]
    fn types_and_parse_errors() {
        assert_eq!(parse_type(b"i64"), Ok((true, 64)));
        assert_eq!(parse_type(b"u63"), Ok((false, 63)));
        assert_eq!(parse_type(b"u1"), Ok((false, 1)));
        for bad in ["u64", "i65", "i0", "I8", "8", "", "u", "u08", "i-1", "u+8"] {
            assert_eq!(
                parse_type(bad.as_bytes()),
                Err(OpError::Static(BAD_TYPE)),
                "{bad}"
            );
        }
        let p = |a: &[&str]| parse_ops(&args(a), LIMIT);
        assert_eq!(p(&["get", "u8"]), Err(OpError::Syntax));
        assert_eq!(p(&["set", "u8", "0"]), Err(OpError::Syntax));
        assert_eq!(p(&["overflow"]), Err(OpError::Syntax));
        assert_eq!(p(&["overflow", "x"]), Err(OpError::Static(BAD_OVERFLOW)));
        assert_eq!(p(&["set", "u8", "0", "x"]), Err(OpError::NotInteger));
        assert_eq!(p(&["get", "u8", "#-1"]), Err(BIT_OFFSET));
        let ops = p(&[
            "overflow", "fail", "incrby", "i5", "#2", "3", "get", "u2", "1",
        ])
        .unwrap();
        assert_eq!(ops.len(), 2);
        assert_eq!((ops[0].offset, ops[0].overflow), (10, Overflow::Fail));
        assert_eq!(ops[1].kind, Kind::Get);
        assert!(p(&[]).unwrap().is_empty());
    }

    fn op(kind: Kind, ty: &str, offset: u64, value: i64, overflow: Overflow) -> Op {
        let (signed, bits) = parse_type(ty.as_bytes()).unwrap();
        Op {
            kind,
            signed,
            bits,
            offset,
            value,
            overflow,
        }
    }

    #[test]
    fn writes_and_overflow() {
        use Overflow::*;
        let mut s = vec![0u8; 8];
        assert_eq!(
            write(&mut s, &op(Kind::Set, "u8", 0, 255, Wrap)),
            (Some(0), true)
        );
        assert_eq!(
            write(&mut s, &op(Kind::Incrby, "u8", 0, 1, Wrap)),
            (Some(0), true)
        );
        assert_eq!(
            write(&mut s, &op(Kind::Incrby, "u8", 0, -1, Sat)),
            (Some(0), false)
        );
        assert_eq!(
            write(&mut s, &op(Kind::Incrby, "u8", 0, -1, Fail)),
            (None, false)
        );
        assert_eq!(
            write(&mut s, &op(Kind::Set, "i8", 8, 200, Wrap)),
            (Some(0), true)
        );
        assert_eq!(get(&s, &op(Kind::Get, "i8", 8, 0, Wrap)), -56);
        assert_eq!(
            write(&mut s, &op(Kind::Set, "i8", 8, 200, Fail)),
            (None, false)
        );
        assert_eq!(
            write(&mut s, &op(Kind::Set, "i8", 8, 200, Sat)),
            (Some(-56), true)
        );
        assert_eq!(get(&s, &op(Kind::Get, "i8", 8, 0, Wrap)), 127);
        assert_eq!(
            write(&mut s, &op(Kind::Incrby, "i64", 0, i64::MAX, Wrap)).0,
            Some(i64::MAX.wrapping_add(0x007f << 48))
        );
    }
}
