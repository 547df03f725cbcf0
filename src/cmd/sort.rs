//! SORT and SORT_RO (Redis's sort.c): the elements of a list, set or sorted set,
//! sorted by their own value or by keys derived from them, optionally projected
//! through GET patterns and stored as a list.
//!
//! ```text
//!   SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC]
//!            [ALPHA] [STORE destination]
//! ```
//!
//! Patterns replace their first `*` with the element; `key->field` reads a hash
//! field, `#` is the element itself. A BY pattern without `*` means "don't sort":
//! a list or a sorted set keeps its order (DESC walks it backwards), a set is
//! read in its own order, except that with STORE it is sorted ALPHA so the stored
//! result does not depend on the encoding. Sorting a sorted set converts a
//! `listpack` one to `skiplist` in place, as Redis does (OBJECT ENCODING shows it).
//!
//! Ordering is Redis 7.0's `sortCompare`: numeric scores (C `strtod`, see
//! `sort_score`) with ties broken by the elements' bytes; ALPHA compares bytes,
//! as `strcoll` does in the C locale (up to the first NUL) when the result is
//! replied, and as `memcmp` when it is stored. The sort is stable, like glibc's
//! `qsort`, so equal ALPHA BY keys keep the elements' input order.
//!
//! Not replicated: Redis sorts a partial LIMIT window with BY through its own
//! unstable `pqsort`, so elements whose ALPHA BY keys are equal may come out in a
//! different order there; oxidis keeps input order. Nor does oxidis copy 7.0's
//! stale `errno`: Redis never clears it before `strtod`, so after one weight
//! overflows, numeric sorts of non-integer strings keep failing until something
//! else in the process sets `errno`.

use std::cmp::Ordering;

use bytes::Bytes;

use super::{acl, flags as f, reply_err, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::config::notify as ev;
use crate::db::list::List;
use crate::db::{Db, Object, Value, ValueRef};
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::number::{format_i64, parse_f64, parse_i64, I64_BUF};

const CATS: u64 = acl::SET | acl::SORTEDSET | acl::LIST | acl::DANGEROUS;
const COMPLEXITY: &str = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).";

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "sort", handler: sort_command, arity: -2, flags: f::WRITE | f::DENYOOM | f::MOVABLE_KEYS, acl: CATS,
        group: "generic", since: "1.0.0", summary: "Sort the elements in a list, set or sorted set",
        complexity: COMPLEXITY,
        key_specs: &[
            ks(RO | ACCESS, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, BS_UNKNOWN, FK_UNKNOWN).notes("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"),
            ks(OW | UPDATE, BS_UNKNOWN, FK_UNKNOWN).notes("For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array"),
        ],
        getkeys: GetKeys::Sort, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("key", Key).ks(0),
            a("pattern", Pattern).ks(1).token("BY").opt(),
            a("offset_count", Block).token("LIMIT").opt().sub(&[
                a("offset", Int),
                a("count", Int),
            ]),
            a("pattern", Pattern).ks(1).token("GET").opt().multi().multi_token(),
            a("order", OneOf).opt().sub(&[
                a("asc", Token).token("ASC"),
                a("desc", Token).token("DESC"),
            ]),
            a("sorting", Token).token("ALPHA").opt(),
            a("destination", Key).ks(2).token("STORE").opt(),
        ],
        subcommands: &[],
    },
    Command {
        name: "sort_ro", handler: sort_ro_command, arity: -2, flags: f::READONLY | f::MOVABLE_KEYS, acl: CATS,
        group: "generic", since: "7.0.0", summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
        complexity: COMPLEXITY,
        key_specs: &[
            ks(RO | ACCESS, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, BS_UNKNOWN, FK_UNKNOWN).notes("For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"),
        ],
        getkeys: GetKeys::SortRo, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("key", Key).ks(0),
            a("pattern", Pattern).ks(1).token("BY").opt(),
            a("offset_count", Block).token("LIMIT").opt().sub(&[
                a("offset", Int),
                a("count", Int),
            ]),
            a("pattern", Pattern).ks(1).token("GET").opt().multi().multi_token(),
            a("order", OneOf).opt().sub(&[
                a("asc", Token).token("ASC"),
                a("desc", Token).token("DESC"),
            ]),
            a("sorting", Token).token("ALPHA").opt(),
        ],
        subcommands: &[],
    },

];

/// The parsed options of one SORT call.
#[derive(Debug, Default, PartialEq)]
struct SortOptions {
    /// The last BY pattern.
    by: Option<Bytes>,
    /// Some BY pattern had no `*`: nothing to sort (sticky, as in Redis).
    dontsort: bool,
    limit_start: i64,
    /// -1: to the end.
    limit_count: i64,
    gets: Vec<Bytes>,
    desc: bool,
    alpha: bool,
    store: Option<Bytes>,
}

/// The bytes of `b` a C string function sees: up to the first NUL.
fn c_str(b: &[u8]) -> &[u8] {
    &b[..b.iter().position(|&c| c == 0).unwrap_or(b.len())]
}

/// Parses `argv[2..]`. SORT_RO (`readonly`) does not know STORE. Errors come in
/// argument order: a bad LIMIT number or an unknown word stops the parse.
fn parse_options(argv: &[Bytes], readonly: bool) -> Result<SortOptions, OpError> {
    let mut o = SortOptions {
        limit_count: -1,
        ..SortOptions::default()
    };
    let mut j = 2;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j];
        if a.eq_ignore_ascii_case(b"asc") {
            o.desc = false;
        } else if a.eq_ignore_ascii_case(b"desc") {
            o.desc = true;
        } else if a.eq_ignore_ascii_case(b"alpha") {
            o.alpha = true;
        } else if a.eq_ignore_ascii_case(b"limit") && left >= 2 {
            o.limit_start = parse_i64(&argv[j + 1]).ok_or(OpError::NotInteger)?;
            o.limit_count = parse_i64(&argv[j + 2]).ok_or(OpError::NotInteger)?;
            j += 2;
        } else if !readonly && a.eq_ignore_ascii_case(b"store") && left >= 1 {
            o.store = Some(argv[j + 1].clone());
            j += 1;
        } else if a.eq_ignore_ascii_case(b"by") && left >= 1 {
            let p = &argv[j + 1];
            if !c_str(p).contains(&b'*') {
                o.dontsort = true;
            }
            o.by = Some(p.clone());
            j += 1;
        } else if a.eq_ignore_ascii_case(b"get") && left >= 1 {
            o.gets.push(argv[j + 1].clone());
            j += 1;
        } else {
            return Err(OpError::Syntax);
        }
        j += 1;
    }
    Ok(o)
}

/// What a pattern designates for one element.
#[derive(Debug, PartialEq)]
enum Target<'a> {
    /// `#`: the element itself.
    Itself,
    /// The string at `key`, or the hash field `field` of `key`.
    Key {
        key: Vec<u8>,
        field: Option<&'a [u8]>,
    },
    /// No `*` in the pattern: nothing.
    Nothing,
}

/// Substitutes `elem` for the first `*` of `pattern` and splits off a
/// `->field` suffix (the first `->` after the `*`, when a field name follows).
/// The searches stop at a NUL, as Redis's C string functions do.
fn expand_pattern<'a>(pattern: &'a [u8], elem: &[u8]) -> Target<'a> {
    let cpat = c_str(pattern);
    if cpat == b"#" {
        return Target::Itself;
    }
    let Some(star) = cpat.iter().position(|&c| c == b'*') else {
        return Target::Nothing;
    };
    let arrow = cpat[star + 1..]
        .windows(2)
        .position(|w| w == b"->")
        .map(|p| star + 1 + p)
        .filter(|&p| p + 2 < cpat.len());
    let key_end = arrow.unwrap_or(pattern.len());
    let mut key = Vec::with_capacity(key_end - 1 + elem.len());
    key.extend_from_slice(&pattern[..star]);
    key.extend_from_slice(elem);
    key.extend_from_slice(&pattern[star + 1..key_end]);
    Target::Key {
        key,
        field: arrow.map(|p| &pattern[p + 2..]),
    }
}

/// Redis's lookupKeyByPattern: the string or hash field a pattern designates for
/// `elem`, None when it is missing or of another type.
fn lookup_by_pattern(db: &mut Db, pattern: &[u8], elem: &Bytes) -> Option<Bytes> {
    let (key, field) = match expand_pattern(pattern, elem) {
        Target::Itself => return Some(elem.clone()),
        Target::Nothing => return None,
        Target::Key { key, field } => (key, field),
    };
    let e = db.lookup(&key)?;
    match (e.value(), field) {
        (ValueRef::Obj(Object::Hash(h)), Some(field)) => h.get(field).map(Bytes::copy_from_slice),
        (ValueRef::Int(v), None) => {
            Some(Bytes::copy_from_slice(format_i64(v, &mut [0u8; I64_BUF])))
        }
        (ValueRef::Str(s), None) => Some(Bytes::copy_from_slice(s)),
        _ => None,
    }
}

/// A sort weight as Redis's SORT reads it: C `strtod` on the string up to its
/// first NUL, which must consume everything. Unlike the other float arguments,
/// leading whitespace is skipped and the empty string is 0. NaN fails, and so
/// does every `ERANGE`: overflow, underflow to zero, and an inexact subnormal.
fn sort_score(s: &[u8]) -> Option<f64> {
    let s = c_str(s);
    if s.is_empty() {
        return Some(0.0);
    }
    let ws = s
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))
        .count();
    let t = &s[ws..];
    let v = parse_f64(t)?;
    if v != 0.0 && v.abs() < f64::MIN_POSITIVE && !subnormal_is_exact(t, v) {
        return None;
    }
    Some(v)
}

/// Whether the `strtod` subject sequence `s` denotes exactly the subnormal `v`
/// (glibc reports `ERANGE` for a tiny result only when it was rounded).
fn subnormal_is_exact(s: &[u8], v: f64) -> bool {
    let s = s.strip_prefix(b"-").or(s.strip_prefix(b"+")).unwrap_or(s);
    let mant = v.abs().to_bits(); // v = mant * 2^-1074
    if s.len() > 2 && s[0] == b'0' && s[1] | 0x20 == b'x' {
        // n * 2^k with n the hex digits as an integer: exact iff the lowest set
        // bit of n is worth at least 2^-1074.
        let body = &s[2..];
        let p = body.iter().position(|&c| c | 0x20 == b'p');
        let (digits, exp) = match p {
            Some(p) => (&body[..p], parse_exp(&body[p + 1..])),
            None => (body, 0),
        };
        let frac_len = digits
            .iter()
            .position(|&c| c == b'.')
            .map_or(0, |d| digits.len() - d - 1) as i64;
        let mut tz = 0i64;
        for &c in digits.iter().rev().filter(|&&c| c != b'.') {
            let d = (c as char).to_digit(16).unwrap_or(0);
            if d != 0 {
                tz += i64::from(d.trailing_zeros());
                break;
            }
            tz += 4;
        }
        return exp - 4 * frac_len + tz >= -1074;
    }
    // Decimal: compare significant digits and exponent with the exact expansion
    // of v, mant * 5^1074 * 10^-1074.
    let (digits, exp) = match s.iter().position(|&c| c | 0x20 == b'e') {
        Some(p) => (&s[..p], parse_exp(&s[p + 1..])),
        None => (s, 0),
    };
    let frac_len = digits
        .iter()
        .position(|&c| c == b'.')
        .map_or(0, |d| digits.len() - d - 1) as i64;
    let given: Vec<u8> = digits.iter().copied().filter(|&c| c != b'.').collect();
    let (given, given_e) = normalize(&given, exp.saturating_sub(frac_len));
    let expansion = times_pow5(mant, 1074);
    let (exact, exact_e) = normalize(&expansion, -1074);
    given == exact && given_e == exact_e
}

/// A decimal exponent `[+-]digits`, saturated far beyond any double's range.
fn parse_exp(s: &[u8]) -> i64 {
    let (neg, d) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let v = d
        .iter()
        .fold(0i64, |v, &c| (v * 10 + i64::from(c - b'0')).min(1 << 40));
    if neg {
        -v
    } else {
        v
    }
}

/// Strips leading and trailing zeros from `digits * 10^e`.
fn normalize(digits: &[u8], e: i64) -> (&[u8], i64) {
    let lead = digits.iter().take_while(|&&c| c == b'0').count();
    let d = &digits[lead..];
    let trail = d.iter().rev().take_while(|&&c| c == b'0').count();
    (&d[..d.len() - trail], e + trail as i64)
}

/// The decimal digits of `m * 5^n`.
fn times_pow5(m: u64, n: u32) -> Vec<u8> {
    const BASE: u64 = 1_000_000_000;
    // Little-endian base-10^9 limbs.
    let mut limbs = vec![m % BASE, m / BASE % BASE, m / BASE / BASE];
    let mut left = n;
    while left > 0 {
        let k = left.min(12); // 5^12 * 10^9 fits in a u64
        let mul = 5u64.pow(k);
        let mut carry = 0u64;
        for l in limbs.iter_mut() {
            let x = *l * mul + carry;
            *l = x % BASE;
            carry = x / BASE;
        }
        while carry > 0 {
            limbs.push(carry % BASE);
            carry /= BASE;
        }
        left -= k;
    }
    let mut out = String::new();
    for l in limbs.iter().rev() {
        out.push_str(&format!("{l:09}"));
    }
    out.into_bytes()
}

/// Redis's LIMIT sanity checks: the `(start, end)` window (inclusive, `end <
/// start` when empty) of a result of `len` elements.
fn limit_window(len: usize, start: i64, count: i64) -> (i64, i64) {
    let n = len as i64;
    let mut start = start.clamp(0, n);
    let count = count.clamp(-1, n);
    let mut end = if count < 0 { n - 1 } else { start + count - 1 };
    if start >= n {
        start = n - 1;
        end = n - 2;
    }
    (start, end.min(n - 1))
}

/// One element being sorted, with what it sorts by.
struct SortObject {
    elem: Bytes,
    score: f64,
    /// ALPHA with BY: the BY value, None when missing.
    by: Option<Bytes>,
}

/// How to order [`SortObject`]s (Redis's `sortCompare` and its globals).
struct Order {
    alpha: bool,
    by: bool,
    /// STORE: ALPHA compares with `memcmp` instead of `strcoll`.
    store: bool,
    desc: bool,
}

impl Order {
    fn compare(&self, a: &SortObject, b: &SortObject) -> Ordering {
        let alpha_cmp = |x: &[u8], y: &[u8]| {
            if self.store {
                x.cmp(y)
            } else {
                c_str(x).cmp(c_str(y))
            }
        };
        let cmp = if !self.alpha {
            if a.score > b.score {
                Ordering::Greater
            } else if a.score < b.score {
                Ordering::Less
            } else {
                a.elem.cmp(&b.elem)
            }
        } else if self.by {
            match (&a.by, &b.by) {
                (Some(x), Some(y)) => alpha_cmp(x, y),
                (x, y) => x.is_some().cmp(&y.is_some()),
            }
        } else {
            alpha_cmp(&a.elem, &b.elem)
        };
        if self.desc {
            cmp.reverse()
        } else {
            cmp
        }
    }
}

/// The elements to sort and the output window over them.
struct Loaded {
    objs: Vec<SortObject>,
    start: i64,
    end: i64,
}

fn sort_object(elem: Bytes) -> SortObject {
    SortObject {
        elem,
        score: 0.0,
        by: None,
    }
}

/// Reads the elements of the value at `key` (a missing key is an empty list).
/// A list that is not going to be sorted is read only over the LIMIT window,
/// backwards for DESC.
fn load(db: &mut Db, key: &[u8], o: &mut SortOptions) -> Result<Loaded, OpError> {
    let Some(e) = db.lookup(key) else {
        return Ok(Loaded {
            objs: Vec::new(),
            start: -1,
            end: -2,
        });
    };
    match e.value() {
        ValueRef::Obj(Object::List(l)) => {
            let len = l.len();
            let (start, end) = limit_window(len, o.limit_start, o.limit_count);
            if !o.dontsort {
                let objs = l.iter().map(|e| sort_object(e.to_bytes())).collect();
                return Ok(Loaded { objs, start, end });
            }
            if end < start {
                return Ok(Loaded {
                    objs: Vec::new(),
                    start,
                    end,
                });
            }
            let n = (end - start + 1) as usize;
            let from = if o.desc {
                len - start as usize - 1
            } else {
                start as usize
            };
            let objs: Vec<SortObject> = l
                .iter_from(from, !o.desc, n)
                .map(|e| sort_object(e.to_bytes()))
                .collect();
            Ok(Loaded {
                start: 0,
                end: objs.len() as i64 - 1,
                objs,
            })
        }
        ValueRef::Obj(Object::Set(s)) => {
            // An unsorted set would come out in encoding order: sort it when the
            // result is stored so it is the same whatever the encoding.
            if o.dontsort && o.store.is_some() {
                o.dontsort = false;
                o.alpha = true;
                o.by = None;
            }
            let (start, end) = limit_window(s.len(), o.limit_start, o.limit_count);
            let objs = s
                .iter()
                .map(|m| sort_object(Bytes::from(m.to_vec())))
                .collect();
            Ok(Loaded { objs, start, end })
        }
        ValueRef::Obj(Object::Zset(z)) => {
            let (start, end) = limit_window(z.len(), o.limit_start, o.limit_count);
            let mut objs = Vec::new();
            if !o.dontsort {
                objs.extend(
                    z.iter()
                        .map(|(m, _)| sort_object(Bytes::copy_from_slice(&m))),
                );
                return Ok(Loaded { objs, start, end });
            }
            // Unsorted: the window of the set's own order, from the top for DESC.
            if end >= start {
                z.range_by_rank(start as usize, end as usize, o.desc, |m, _| {
                    objs.push(sort_object(Bytes::copy_from_slice(m)))
                });
            }
            Ok(Loaded {
                start: 0,
                end: objs.len() as i64 - 1,
                objs,
            })
        }
        _ => Err(OpError::WrongType),
    }
}

/// Redis's SORT turns a `listpack` sorted set into a `skiplist` before reading it.
fn convert_sorted_zset(db: &mut Db, key: &[u8]) {
    let listpack = matches!(db.peek(key).map(|e| e.value()),
        Some(ValueRef::Obj(Object::Zset(z))) if z.encoding() == "listpack");
    if listpack {
        if let Some(Object::Zset(z)) = db.lookup_mut(key).and_then(|e| e.obj_mut()) {
            z.convert_to_skiplist();
        }
    }
}

/// Computes the sort weights and sorts. Err when a numeric weight is not a
/// double (every weight is still looked up, as Redis does).
fn sort_objects(db: &mut Db, objs: &mut [SortObject], o: &SortOptions) -> Result<(), OpError> {
    let mut bad = false;
    for obj in objs.iter_mut() {
        let val = match &o.by {
            Some(p) => match lookup_by_pattern(db, p, &obj.elem) {
                Some(v) => v,
                None => continue,
            },
            None => obj.elem.clone(),
        };
        if o.alpha {
            if o.by.is_some() {
                obj.by = Some(val);
            }
        } else {
            match sort_score(&val) {
                Some(v) => obj.score = v,
                None => bad = true,
            }
        }
    }
    if bad {
        return Err(OpError::Static(error::SORT_SCORES_NOT_DOUBLE));
    }
    let order = Order {
        alpha: o.alpha,
        by: o.by.is_some(),
        store: o.store.is_some(),
        desc: o.desc,
    };
    objs.sort_by(|a, b| order.compare(a, b));
    Ok(())
}

/// SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
/// [ASC | DESC] \[ALPHA\] [STORE destination]
pub fn sort_command(srv: &mut Server, c: &mut Client) {
    sort_generic(srv, c, false);
}

/// SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]]
/// [ASC | DESC] \[ALPHA\]
pub fn sort_ro_command(srv: &mut Server, c: &mut Client) {
    sort_generic(srv, c, true);
}

/// Redis's sortCommandGeneric.
fn sort_generic(srv: &mut Server, c: &mut Client, readonly: bool) {
    let mut o = match parse_options(&c.argv, readonly) {
        Ok(o) => o,
        Err(e) => return reply_err(c, e),
    };
    let key = c.argv[1].clone();
    let db = &mut srv.dbs[c.db];
    convert_sorted_zset(db, &key);
    let Loaded {
        mut objs,
        start,
        end,
    } = match load(db, &key, &mut o) {
        Ok(l) => l,
        Err(e) => return reply_err(c, e),
    };
    if !o.dontsort {
        if let Err(e) = sort_objects(db, &mut objs, &o) {
            return reply_err(c, e);
        }
    }
    let window: &[SortObject] = if end >= start {
        &objs[start as usize..=end as usize]
    } else {
        &[]
    };
    let outputlen = window.len() * o.gets.len().max(1);
    let Some(dst) = o.store else {
        c.add_array_len(outputlen);
        for obj in window {
            if o.gets.is_empty() {
                c.add_bulk(&obj.elem);
            }
            for p in &o.gets {
                match lookup_by_pattern(db, p, &obj.elem) {
                    Some(v) => c.add_bulk(&v),
                    None => c.add_null(),
                }
            }
        }
        return;
    };
    let mut list = List::new(super::list::fill(srv));
    let db = &mut srv.dbs[c.db];
    for obj in window {
        if o.gets.is_empty() {
            list.push_back(&obj.elem);
        }
        for p in &o.gets {
            list.push_back(&lookup_by_pattern(db, p, &obj.elem).unwrap_or_default());
        }
    }
    if outputlen > 0 {
        db.set(&dst, Value::Obj(Object::List(list)), None);
        notify(srv, c, ev::LIST, "sortstore", &dst);
        srv.dirty += outputlen as u64;
    } else if db.delete(&dst) {
        notify(srv, c, ev::GENERIC, "del", &dst);
        srv.dirty += 1;
    }
    c.add_int(outputlen as i64);
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
    fn options_parse_in_order() {
        let o = parse_options(
            &argv("sort k by w_* limit 1 2 get # get h_*->f desc alpha store d"),
            false,
        )
        .unwrap();
        assert_eq!(o.by.as_deref(), Some(&b"w_*"[..]));
        assert!(!o.dontsort && o.desc && o.alpha);
        assert_eq!((o.limit_start, o.limit_count), (1, 2));
        assert_eq!(o.gets.len(), 2);
        assert_eq!(o.store.as_deref(), Some(&b"d"[..]));
        assert_eq!(
            parse_options(&argv("sort k store d"), true),
            Err(OpError::Syntax)
        );
        assert_eq!(
            parse_options(&argv("sort k limit 1"), false),
            Err(OpError::Syntax)
        );
        assert_eq!(
            parse_options(&argv("sort k limit x 1 foo"), false),
            Err(OpError::NotInteger)
        );
        assert_eq!(
            parse_options(&argv("sort k foo limit x 1"), false),
            Err(OpError::Syntax)
        );
        // A constant BY pattern turns sorting off for good.
        let o = parse_options(&argv("sort k by nosort by w_*"), false).unwrap();
        assert!(o.dontsort);
    }

    #[test]
    fn patterns_expand_like_redis() {
        let key = |k: &str, f: Option<&'static str>| Target::Key {
            key: k.as_bytes().to_vec(),
            field: f.map(str::as_bytes),
        };
        assert_eq!(expand_pattern(b"#", b"x"), Target::Itself);
        assert_eq!(expand_pattern(b"w_", b"x"), Target::Nothing);
        assert_eq!(expand_pattern(b"w_*", b"x"), key("w_x", None));
        assert_eq!(expand_pattern(b"a*b*c", b"x"), key("axb*c", None));
        assert_eq!(expand_pattern(b"h_*->f", b"x"), key("h_x", Some("f")));
        assert_eq!(expand_pattern(b"h_*->", b"x"), key("h_x->", None));
        assert_eq!(
            expand_pattern(b"h->_*->f->g", b"x"),
            key("h->_x", Some("f->g"))
        );
        assert_eq!(expand_pattern(b"h\0*", b"x"), Target::Nothing);
    }

    #[test]
    fn scores_are_strtod() {
        assert_eq!(sort_score(b""), Some(0.0));
        assert_eq!(sort_score(b" \t2"), Some(2.0));
        assert_eq!(sort_score(b"0x10"), Some(16.0));
        assert_eq!(sort_score(b"3\0junk"), Some(3.0));
        assert_eq!(sort_score(b"-inf"), Some(f64::NEG_INFINITY));
        for bad in [
            "   ",
            "1 ",
            "nan",
            "1e400",
            "1e-400",
            "1e-310",
            "0x1.1p-1074",
            "0x",
            "1e",
        ] {
            assert_eq!(sort_score(bad.as_bytes()), None, "{bad}");
        }
        assert_eq!(sort_score(b"0x1p-1074"), Some(f64::from_bits(1)));
        assert_eq!(sort_score(b"0x0.8p-1073"), Some(f64::from_bits(1)));
        let exact = String::from_utf8(times_pow5(1, 1074)).unwrap();
        let exact = format!(
            "0.{}{}",
            "0".repeat(1074 - exact.trim_start_matches('0').len()),
            exact.trim_start_matches('0')
        );
        assert_eq!(sort_score(exact.as_bytes()), Some(f64::from_bits(1)));
        assert_eq!(sort_score(format!("{exact}1").as_bytes()), None);
    }

    #[test]
    fn limit_window_clamps() {
        assert_eq!(limit_window(5, 0, -1), (0, 4));
        assert_eq!(limit_window(5, -5, 2), (0, 1));
        assert_eq!(limit_window(5, 2, -10), (2, 4));
        assert_eq!(limit_window(5, 10, 2), (4, 3));
        assert_eq!(limit_window(5, 1, 0), (1, 0));
        assert_eq!(limit_window(5, 1, i64::MAX), (1, 4));
        assert_eq!(limit_window(5, i64::MIN, 3), (0, 2));
        assert_eq!(limit_window(0, 0, -1), (-1, -2));
    }
}
