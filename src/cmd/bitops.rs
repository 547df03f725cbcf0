//! Bitmap commands (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP,
//! and BITFIELD / BITFIELD_RO in `bitops/bitfield.rs`.
//!
//! A bitmap is an ordinary string value (any encoding: an `int` reads as its
//! decimal text). Writes go through [`Db::with_string_mut`](crate::db::Db::with_string_mut), so SETBIT in a
//! 16 MB bitmap writes one byte of the stored buffer instead of copying it;
//! the bit arithmetic lives in `util/bits.rs`.
//!
//! Argument checks come in Redis's order, which clients can observe: BITCOUNT
//! and BITPOS look the key up before they parse their range, so a missing key
//! answers 0 (or -1) whatever follows it; offsets are checked before the key.

mod bitfield;

use bytes::Bytes;

use super::string::{lookup_string, value_bytes};
use super::{acl, arg_i64, flags as f, reply_err, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::config::notify as ev;
use crate::db::entry::grow_zeroed;
use crate::db::{Value, ValueRef};
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::bits;
use crate::util::number::{parse_i64, I64_BUF};

const W: u64 = f::WRITE | f::DENYOOM;
const B: u64 = acl::BITMAP;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "setbit", handler: setbit_command, arity: 4, flags: W, acl: B,
        group: "bitmap", since: "2.2.0", summary: "Sets or clears the bit at an offset of a string value; creates the key if needed.",
        complexity: "O(1)",
        key_specs: &[ks(RW | ACCESS | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0), a("offset", Int), a("value", Int)], subcommands: &[],
    },
    Command {
        name: "getbit", handler: getbit_command, arity: 3, flags: f::READONLY | f::FAST, acl: B,
        group: "bitmap", since: "2.2.0", summary: "Returns the bit at an offset of a string value.",
        complexity: "O(1)",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0), a("offset", Int)], subcommands: &[],
    },
    Command {
        name: "bitcount", handler: bitcount_command, arity: -2, flags: f::READONLY, acl: B,
        group: "bitmap", since: "2.6.0", summary: "Counts the set bits of a string value, or of a range of it.",
        complexity: "O(N)",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "New `BYTE` / `BIT` unit choice."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("index", Block).opt().sub(&[
                a("start", Int),
                a("end", Int),
                a("index_unit", OneOf).since("7.0.0").opt().sub(&[
                    a("byte", Token).token("BYTE"),
                    a("bit", Token).token("BIT"),
                ]),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "bitpos", handler: bitpos_command, arity: -3, flags: f::READONLY, acl: B,
        group: "bitmap", since: "2.8.7", summary: "Finds the first set or clear bit of a string value, or of a range of it.",
        complexity: "O(N)",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "New `BYTE` / `BIT` unit choice."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("bit", Int),
            a("index", Block).opt().sub(&[
                a("start", Int),
                a("end_index", Block).opt().sub(&[
                    a("end", Int),
                    a("index_unit", OneOf).since("7.0.0").opt().sub(&[
                        a("byte", Token).token("BYTE"),
                        a("bit", Token).token("BIT"),
                    ]),
                ]),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "bitop", handler: bitop_command, arity: -4, flags: W, acl: B,
        group: "bitmap", since: "2.6.0", summary: "Stores the bitwise AND, OR, XOR or NOT of string values in a key.",
        complexity: "O(N)",
        key_specs: &[
            ks(OW | UPDATE, idx(2), range(0, 1, 0)),
            ks(RO | ACCESS, idx(3), range(-1, 1, 0)),
        ],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("operation", Str),
            a("destkey", Key).ks(0),
            a("key", Key).ks(1).multi(),
        ],
        subcommands: &[],
    },
    Command {
        name: "bitfield", handler: bitfield::bitfield_command, arity: -2, flags: W, acl: B,
        group: "bitmap", since: "3.2.0", summary: "Reads, writes and increments integer fields of any width and offset in a string value.",
        complexity: "O(1) for each subcommand specified",
        key_specs: &[ks(RW | ACCESS | UPDATE | VARIABLE_FLAGS, idx(1), range(0, 1, 0)).notes("This command allows both access and modification of the key")],
        getkeys: GetKeys::Bitfield, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("key", Key).ks(0),
            a("operation", OneOf).opt().multi().sub(&[
                a("encoding_offset", Block).token("GET").sub(&[
                    a("encoding", Str),
                    a("offset", Int),
                ]),
                a("write", Block).sub(&[
                    a("wrap_sat_fail", OneOf).token("OVERFLOW").opt().sub(&[
                        a("wrap", Token).token("WRAP"),
                        a("sat", Token).token("SAT"),
                        a("fail", Token).token("FAIL"),
                    ]),
                    a("write_operation", OneOf).sub(&[
                        a("encoding_offset_value", Block).token("SET").sub(&[
                            a("encoding", Str),
                            a("offset", Int),
                            a("value", Int),
                        ]),
                        a("encoding_offset_increment", Block).token("INCRBY").sub(&[
                            a("encoding", Str),
                            a("offset", Int),
                            a("increment", Int),
                        ]),
                    ]),
                ]),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "bitfield_ro", handler: bitfield::bitfield_ro_command, arity: -2, flags: f::READONLY | f::FAST, acl: B,
        group: "bitmap", since: "6.0.0", summary: "Reads integer fields of a string value (the read-only BITFIELD).",
        complexity: "O(1) for each subcommand specified",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("key", Key).ks(0),
            a("encoding_offset", Block).token("GET").opt().multi().multi_token().sub(&[
                a("encoding", Str),
                a("offset", Int),
            ]),
        ],
        subcommands: &[],
    },
];

const BIT_OFFSET: OpError = OpError::Static(error::BIT_OFFSET);

/// Redis's getBitOffsetFromArgument: a bit offset whose byte lies below
/// `proto-max-bulk-len` (`limit`). With `bits` > 0 (BITFIELD), `#N` means
/// the N-th field of that width, N * bits (wrapping as C's multiplication
/// does, so a huge N is an error rather than a small offset).
pub fn parse_bit_offset(arg: &[u8], bits: u32, limit: u64) -> Result<u64, OpError> {
    let (hash, digits) = match arg.first() {
        Some(b'#') if bits > 0 => (true, &arg[1..]),
        _ => (false, arg),
    };
    let mut v = parse_i64(digits).ok_or(BIT_OFFSET)?;
    if hash {
        v = v.wrapping_mul(bits as i64);
    }
    if v < 0 || (v as u64 >> 3) >= limit {
        return Err(BIT_OFFSET);
    }
    Ok(v as u64)
}

/// SETBIT key offset value
pub fn setbit_command(srv: &mut Server, c: &mut Client) {
    let offset = match parse_bit_offset(&c.argv[2], 0, srv.config.proto_max_bulk_len) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let on = match parse_i64(&c.argv[3]) {
        Some(v) if v & !1 == 0 => v == 1,
        _ => return c.add_error(error::BIT_VALUE),
    };
    let key = c.argv[1].clone();
    let byte = (offset >> 3) as usize;
    let mask = 0x80u8 >> (offset & 7);
    let r = srv.dbs[c.db].with_string_mut(&key, true, |v| {
        // A created or lengthened string is a change even when the bit
        // already had the value (it is zero padding), as in Redis.
        let grown = v.len() <= byte;
        grow_zeroed(v, byte + 1);
        let old = v[byte] & mask != 0;
        let changed = grown || old != on;
        if changed {
            if on {
                v[byte] |= mask;
            } else {
                v[byte] &= !mask;
            }
        }
        ((old, changed), changed)
    });
    match r {
        Ok(Some((old, changed))) => {
            if changed {
                srv.dirty += 1;
                notify(srv, c, ev::STRING, "setbit", &key);
            }
            c.add_int(old as i64);
        }
        Ok(None) => unreachable!("created when missing"),
        Err(e) => reply_err(c, e),
    }
}

/// GETBIT key offset
pub fn getbit_command(srv: &mut Server, c: &mut Client) {
    let offset = match parse_bit_offset(&c.argv[2], 0, srv.config.proto_max_bulk_len) {
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let key = c.argv[1].clone();
    let e = match lookup_string(&mut srv.dbs[c.db], &key) {
        Ok(Some(e)) => e,
        Ok(None) => return c.add_int(0),
        Err(e) => return reply_err(c, e),
    };
    let mut tmp = [0u8; I64_BUF];
    let s = value_bytes(e.value(), &mut tmp).expect("a string");
    let byte = (offset >> 3) as usize;
    let bit = s.get(byte).is_some_and(|b| b & (0x80 >> (offset & 7)) != 0);
    c.add_int(bit as i64);
}

/// Clamps a start/end pair to `0..total` the way BITCOUNT and BITPOS do
/// (negative counts from the end); None when the range is empty.
fn clamp_range(total: i64, start: i64, end: i64) -> Option<(u64, u64)> {
    let from_end = |i: i64| if i < 0 { total + i } else { i };
    let start = from_end(start).max(0);
    let end = from_end(end).max(0).min(total - 1);
    (start <= end).then_some((start as u64, end as u64))
}

/// BIT / BYTE (any case): true for BIT.
fn parse_unit(arg: &[u8]) -> Result<bool, OpError> {
    if arg.eq_ignore_ascii_case(b"bit") {
        Ok(true)
    } else if arg.eq_ignore_ascii_case(b"byte") {
        Ok(false)
    } else {
        Err(OpError::Syntax)
    }
}

/// The bits of `s` a BITCOUNT with these arguments (after the key) covers,
/// as an inclusive range of bit positions; None when it covers none.
fn bitcount_range(s: &[u8], args: &[Bytes]) -> Result<Option<(u64, u64)>, OpError> {
    let len = s.len() as i64;
    match args.len() {
        0 => Ok((len > 0).then(|| (0, len as u64 * 8 - 1))),
        2 | 3 => {
            let start = parse_i64(&args[0]).ok_or(OpError::NotInteger)?;
            let end = parse_i64(&args[1]).ok_or(OpError::NotInteger)?;
            // Redis answers an inverted pair of negative indexes before it
            // reads the unit.
            if start < 0 && end < 0 && start > end {
                return Ok(None);
            }
            let isbit = match args.get(2) {
                Some(u) => parse_unit(u)?,
                None => false,
            };
            Ok(if isbit {
                clamp_range(len * 8, start, end)
            } else {
                clamp_range(len, start, end).map(|(s, e)| (s * 8, e * 8 + 7))
            })
        }
        _ => Err(OpError::Syntax),
    }
}

/// BITCOUNT key [start end [BYTE | BIT]]
pub fn bitcount_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    let e = match lookup_string(&mut srv.dbs[c.db], &key) {
        Ok(Some(e)) => e,
        Ok(None) => return c.add_int(0),
        Err(e) => return reply_err(c, e),
    };
    let mut tmp = [0u8; I64_BUF];
    let s = value_bytes(e.value(), &mut tmp).expect("a string");
    match bitcount_range(s, &c.argv[2..]) {
        Ok(Some((first, last))) => {
            let n = if first % 8 == 0 && last % 8 == 7 {
                bits::popcount(&s[(first / 8) as usize..=(last / 8) as usize])
            } else {
                bits::popcount_range(s, first, last)
            };
            c.add_int(n as i64)
        }
        Ok(None) => c.add_int(0),
        Err(e) => reply_err(c, e),
    }
}

/// BITPOS's answer for the string `s` and the arguments after the bit.
fn bitpos(s: &[u8], bit: bool, args: &[Bytes]) -> Result<i64, OpError> {
    let len = s.len() as i64;
    let (range, end_given) = match args.len() {
        0 => ((len > 0).then(|| (0, len as u64 * 8 - 1)), false),
        1..=3 => {
            let start = parse_i64(&args[0]).ok_or(OpError::NotInteger)?;
            // The unit is read before the end.
            let isbit = match args.get(2) {
                Some(u) => parse_unit(u)?,
                None => false,
            };
            let end = match args.get(1) {
                Some(e) => Some(parse_i64(e).ok_or(OpError::NotInteger)?),
                None => None,
            };
            let range = if isbit {
                clamp_range(len * 8, start, end.unwrap_or(len * 8 - 1))
            } else {
                clamp_range(len, start, end.unwrap_or(len - 1)).map(|(s, e)| (s * 8, e * 8 + 7))
            };
            (range, end.is_some())
        }
        _ => return Err(OpError::Syntax),
    };
    let Some((first, last)) = range else {
        // An empty range holds neither a 0 nor a 1.
        return Ok(-1);
    };
    Ok(match bits::find_bit_in_range(s, bit, first, last) {
        Some(p) => p as i64,
        None if bit || end_given => -1,
        // Looking for a 0 without an end: the string is taken as padded
        // with zeros, so the answer is the first bit after its last byte.
        None => ((last / 8 + 1) * 8) as i64,
    })
}

/// BITPOS key bit [start [end [BYTE | BIT]]]
pub fn bitpos_command(srv: &mut Server, c: &mut Client) {
    let bit = match arg_i64(c, 2) {
        Ok(b @ (0 | 1)) => b == 1,
        Ok(_) => return c.add_error(error::BITPOS_BIT),
        Err(e) => return reply_err(c, e),
    };
    let key = c.argv[1].clone();
    let e = match lookup_string(&mut srv.dbs[c.db], &key) {
        Ok(Some(e)) => e,
        // A missing key is an endless run of zeros.
        Ok(None) => return c.add_int(if bit { -1 } else { 0 }),
        Err(e) => return reply_err(c, e),
    };
    let mut tmp = [0u8; I64_BUF];
    let s = value_bytes(e.value(), &mut tmp).expect("a string");
    match bitpos(s, bit, &c.argv[3..]) {
        Ok(p) => c.add_int(p),
        Err(e) => reply_err(c, e),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum BitOp {
    And,
    Or,
    Xor,
    Not,
}

/// The result of BITOP over `srcs` (missing keys are empty strings): as long
/// as the longest source, shorter ones padded with zero bytes.
fn bitop(op: BitOp, srcs: &[&[u8]]) -> Vec<u8> {
    let maxlen = srcs.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut res = vec![0u8; maxlen];
    let Some((first, rest)) = srcs.split_first() else {
        return res;
    };
    res[..first.len()].copy_from_slice(first);
    match op {
        BitOp::Not => res.iter_mut().for_each(|b| *b = !*b),
        BitOp::And => {
            for s in rest {
                res.iter_mut().zip(s.iter()).for_each(|(r, b)| *r &= b);
                res[s.len()..].fill(0);
            }
        }
        BitOp::Or => {
            for s in rest {
                res.iter_mut().zip(s.iter()).for_each(|(r, b)| *r |= b);
            }
        }
        BitOp::Xor => {
            for s in rest {
                res.iter_mut().zip(s.iter()).for_each(|(r, b)| *r ^= b);
            }
        }
    }
    res
}

/// BITOP AND | OR | XOR | NOT destkey key [key ...]
pub fn bitop_command(srv: &mut Server, c: &mut Client) {
    let name = &c.argv[1];
    let op = if name.eq_ignore_ascii_case(b"and") {
        BitOp::And
    } else if name.eq_ignore_ascii_case(b"or") {
        BitOp::Or
    } else if name.eq_ignore_ascii_case(b"xor") {
        BitOp::Xor
    } else if name.eq_ignore_ascii_case(b"not") {
        BitOp::Not
    } else {
        return c.add_error(error::SYNTAX);
    };
    if op == BitOp::Not && c.argv.len() != 4 {
        return c.add_error(error::BITOP_NOT_ONE_KEY);
    }
    let db = &mut srv.dbs[c.db];
    // First every source is looked up (for expiry, keyspace stats and the type
    // check), then the live strings are borrowed together.
    enum Src {
        Missing,
        Int(Vec<u8>),
        Stored,
    }
    let mut kinds = Vec::with_capacity(c.argv.len() - 3);
    for k in &c.argv[3..] {
        kinds.push(match db.lookup(k).map(|e| e.value()) {
            None => Src::Missing,
            Some(ValueRef::Int(n)) => Src::Int(n.to_string().into_bytes()),
            Some(ValueRef::Str(_)) => Src::Stored,
            Some(ValueRef::Obj(_)) => return reply_err(c, OpError::WrongType),
        });
    }
    let srcs: Vec<&[u8]> = c.argv[3..]
        .iter()
        .zip(&kinds)
        .map(|(k, kind)| match kind {
            Src::Missing => &b""[..],
            Src::Int(v) => &v[..],
            Src::Stored => match db.peek(k).map(|e| e.value()) {
                Some(ValueRef::Str(s)) => s,
                _ => unreachable!("looked up above"),
            },
        })
        .collect();
    let res = bitop(op, &srcs);
    drop(srcs);
    let len = res.len();
    let dest = c.argv[2].clone();
    if len > 0 {
        srv.dbs[c.db].set(&dest, Value::Buf(res), None);
        notify(srv, c, ev::STRING, "set", &dest);
        srv.dirty += 1;
    } else if srv.dbs[c.db].delete(&dest) {
        notify(srv, c, ev::GENERIC, "del", &dest);
        srv.dirty += 1;
    }
    c.add_int(len as i64);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<Bytes> {
        a.iter()
            .map(|s| Bytes::copy_from_slice(s.as_bytes()))
            .collect()
    }

    #[test]
    fn bit_offsets_follow_redis_limits() {
        let limit = 512 << 20;
        assert_eq!(parse_bit_offset(b"0", 0, limit), Ok(0));
        assert_eq!(parse_bit_offset(b"4294967295", 0, limit), Ok(4294967295));
        assert_eq!(parse_bit_offset(b"4294967296", 0, limit), Err(BIT_OFFSET));
        assert_eq!(parse_bit_offset(b"-1", 0, limit), Err(BIT_OFFSET));
        assert_eq!(parse_bit_offset(b"#3", 0, limit), Err(BIT_OFFSET));
        assert_eq!(parse_bit_offset(b"#3", 8, limit), Ok(24));
        assert_eq!(parse_bit_offset(b"#", 8, limit), Err(BIT_OFFSET));
        assert_eq!(parse_bit_offset(b"", 8, limit), Err(BIT_OFFSET));
        assert_eq!(parse_bit_offset(b"#-1", 8, limit), Err(BIT_OFFSET));
        assert_eq!(parse_bit_offset(b"x", 8, limit), Err(BIT_OFFSET));
        assert_eq!(parse_bit_offset(b"16", 0, 2), Err(BIT_OFFSET));
        assert_eq!(parse_bit_offset(b"15", 0, 2), Ok(15));
    }

    #[test]
    fn bitcount_ranges() {
        let s = b"foobar";
        let count = |a: &[&str]| {
            bitcount_range(s, &args(a)).map(|r| r.map_or(0, |(f, l)| bits::popcount_range(s, f, l)))
        };
        assert_eq!(count(&[]), Ok(26));
        assert_eq!(count(&["0", "0"]), Ok(4));
        assert_eq!(count(&["1", "1"]), Ok(6));
        assert_eq!(count(&["1", "1", "BIT"]), Ok(1));
        assert_eq!(count(&["5", "30", "bit"]), Ok(17));
        assert_eq!(count(&["-1", "-2", "nonsense"]), Ok(0));
        assert_eq!(count(&["0", "-1", "nonsense"]), Err(OpError::Syntax));
        assert_eq!(count(&["a", "1"]), Err(OpError::NotInteger));
        assert_eq!(count(&["0"]), Err(OpError::Syntax));
        assert_eq!(count(&["-100", "100"]), Ok(26));
        assert_eq!(bitcount_range(b"", &[]), Ok(None));
    }

    #[test]
    fn bitpos_end_semantics() {
        let p = |s: &[u8], bit: bool, a: &[&str]| bitpos(s, bit, &args(a)).unwrap();
        assert_eq!(p(b"\xff\xf0\x00", true, &[]), 0);
        assert_eq!(p(b"\xff\xf0\x00", false, &[]), 12);
        assert_eq!(p(b"\xff\xff\xff", false, &[]), 24);
        assert_eq!(p(b"\xff\xff\xff", false, &["0"]), 24);
        assert_eq!(p(b"\xff\xff\xff", false, &["0", "-1"]), -1);
        assert_eq!(p(b"\xff\xff\xff", false, &["1", "-1", "bit"]), -1);
        assert_eq!(p(b"\xff\xff\xff", false, &["1"]), 24);
        assert_eq!(p(b"\x00\x00", true, &[]), -1);
        assert_eq!(p(b"\x00\x00", false, &["1"]), 8);
        assert_eq!(p(b"\x00\x01", true, &["0", "-1", "bit"]), 15);
        assert_eq!(p(b"\x00\x01", true, &["0", "14", "bit"]), -1);
        assert_eq!(p(b"", true, &[]), -1);
        assert_eq!(p(b"", false, &[]), -1);
        assert_eq!(p(b"\x00", false, &["2", "1"]), -1);
        assert_eq!(
            bitpos(b"x", true, &args(&["0", "0", "x"])),
            Err(OpError::Syntax)
        );
        assert_eq!(
            bitpos(b"x", true, &args(&["0", "a", "x"])),
            Err(OpError::Syntax)
        );
        assert_eq!(
            bitpos(b"x", true, &args(&["0", "a"])),
            Err(OpError::NotInteger)
        );
    }

    #[test]
    fn bitop_pads_short_sources() {
        let a: &[u8] = b"\xff\x0f\xf0";
        let b: &[u8] = b"\x0f";
        assert_eq!(bitop(BitOp::And, &[a, b]), b"\x0f\x00\x00");
        assert_eq!(bitop(BitOp::Or, &[b, a]), b"\xff\x0f\xf0");
        assert_eq!(
            bitop(BitOp::Xor, &[a, b, b"\x01\x01\x01\x01"]),
            b"\xf1\x0e\xf1\x01"
        );
        assert_eq!(bitop(BitOp::Not, &[a]), b"\x00\xf0\x0f");
        assert_eq!(bitop(BitOp::And, &[b"", b""]), b"");
        assert_eq!(bitop(BitOp::And, &[b"", b"\xff"]), b"\x00");
    }
}
