//! Sorted-set algebra: ZUNION, ZINTER, ZDIFF, ZINTERCARD and ZUNIONSTORE,
//! ZINTERSTORE, ZDIFFSTORE (Redis's zunionInterDiffGenericCommand).
//!
//! Inputs are sorted sets or plain sets (every member of a set scores 1); a
//! missing key is an empty input. Scores combine as Redis combines them, NaN
//! included: a weighted score that is NaN (`inf * 0`) counts as 0 where Redis
//! checks for it, and a SUM that becomes NaN (`inf + -inf`) is 0, while MIN and
//! MAX simply keep the old score when the new one is NaN. Inputs of union and
//! intersection are visited smallest first (a stable order among equal sizes),
//! because floating-point sums depend on their order.
//!
//! A stored result is built in the encoding Redis would leave it in: `listpack`
//! when it has at most `zset-max-listpack-entries` members, none longer than
//! `zset-max-listpack-value`, else `skiplist` (zsetConvertToListpackIfNeeded).
//! An empty result deletes the destination.

use std::collections::HashMap;
use std::ops::ControlFlow;

use bytes::Bytes;

use super::{add_member, add_members_len, limits, zset_value};
use crate::client::Client;
use crate::cmd::{acl, flags as f, reply_err, Command};
use crate::command::spec::prelude::*;
use crate::command::spec::Arg;
use crate::config::notify as ev;
use crate::db::set::Set;
use crate::db::zset::{AddFlags, Zset, ZsetLimits};
use crate::db::{Db, Object, ValueRef};
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::number::{parse_f64, parse_i64};

const RO_MOVABLE: u64 = f::READONLY | f::MOVABLE_KEYS;
const STORE_MOVABLE: u64 = f::WRITE | f::DENYOOM | f::MOVABLE_KEYS;
const UNION_COMPLEXITY: &str = "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.";
const INTER_COMPLEXITY: &str = "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.";
const DIFF_COMPLEXITY: &str = "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.";

/// WEIGHTS and AGGREGATE, as ZUNION, ZINTER and their STORE forms document them.
const WEIGHTS: Arg = a("weight", Int).token("WEIGHTS").opt().multi();
const AGGREGATE: Arg = a("aggregate", OneOf).token("AGGREGATE").opt().sub(&[
    a("sum", Token).token("SUM"),
    a("min", Token).token("MIN"),
    a("max", Token).token("MAX"),
]);
const WITHSCORES: Arg = a("withscores", Token).token("WITHSCORES").opt();

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "zunion", handler: zunion_command, arity: -3, flags: RO_MOVABLE, acl: acl::SORTEDSET,
        group: "sorted-set", since: "6.2.0", summary: "Add multiple sorted sets",
        complexity: UNION_COMPLEXITY,
        key_specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("numkeys", Int), a("key", Key).ks(0).multi(), WEIGHTS, AGGREGATE, WITHSCORES],
        subcommands: &[],
    },
    Command {
        name: "zunionstore", handler: zunionstore_command, arity: -4, flags: STORE_MOVABLE, acl: acl::SORTEDSET,
        group: "sorted-set", since: "2.0.0", summary: "Add multiple sorted sets and store the resulting sorted set in a new key",
        complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
        key_specs: &[
            ks(OW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), keynum(0, 1, 1)),
        ],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("destination", Key).ks(0), a("numkeys", Int), a("key", Key).ks(1).multi(), WEIGHTS, AGGREGATE],
        subcommands: &[],
    },
    Command {
        name: "zinter", handler: zinter_command, arity: -3, flags: RO_MOVABLE, acl: acl::SORTEDSET,
        group: "sorted-set", since: "6.2.0", summary: "Intersect multiple sorted sets",
        complexity: INTER_COMPLEXITY,
        key_specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("numkeys", Int), a("key", Key).ks(0).multi(), WEIGHTS, AGGREGATE, WITHSCORES],
        subcommands: &[],
    },
    Command {
        name: "zinterstore", handler: zinterstore_command, arity: -4, flags: STORE_MOVABLE, acl: acl::SORTEDSET,
        group: "sorted-set", since: "2.0.0", summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key",
        complexity: INTER_COMPLEXITY,
        key_specs: &[
            ks(OW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), keynum(0, 1, 1)),
        ],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("destination", Key).ks(0), a("numkeys", Int), a("key", Key).ks(1).multi(), WEIGHTS, AGGREGATE],
        subcommands: &[],
    },
    Command {
        name: "zintercard", handler: zintercard_command, arity: -3, flags: RO_MOVABLE, acl: acl::SORTEDSET,
        group: "sorted-set", since: "7.0.0", summary: "Intersect multiple sorted sets and return the cardinality of the result",
        complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
        key_specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("numkeys", Int), a("key", Key).ks(0).multi(), a("limit", Int).token("LIMIT").opt()],
        subcommands: &[],
    },
    Command {
        name: "zdiff", handler: zdiff_command, arity: -3, flags: RO_MOVABLE, acl: acl::SORTEDSET,
        group: "sorted-set", since: "6.2.0", summary: "Subtract multiple sorted sets",
        complexity: DIFF_COMPLEXITY,
        key_specs: &[ks(RO | ACCESS, idx(1), keynum(0, 1, 1))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("numkeys", Int), a("key", Key).ks(0).multi(), WITHSCORES],
        subcommands: &[],
    },
    Command {
        name: "zdiffstore", handler: zdiffstore_command, arity: -4, flags: STORE_MOVABLE, acl: acl::SORTEDSET,
        group: "sorted-set", since: "6.2.0", summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key",
        complexity: DIFF_COMPLEXITY,
        key_specs: &[
            ks(OW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), keynum(0, 1, 1)),
        ],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("destination", Key).ks(0), a("numkeys", Int), a("key", Key).ks(1).multi()],
        subcommands: &[],
    },
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

/// One input of the operation.
#[derive(Clone, Copy)]
enum Src<'a> {
    Missing,
    Set(&'a Set),
    Zset(&'a Zset),
}

impl Src<'_> {
    fn len(&self) -> usize {
        match self {
            Src::Missing => 0,
            Src::Set(s) => s.len(),
            Src::Zset(z) => z.len(),
        }
    }

    /// The member's score (1 in a set), Redis's zuiFind.
    fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            Src::Missing => None,
            Src::Set(s) => s.contains(member).then_some(1.0),
            Src::Zset(z) => z.score(member),
        }
    }

    /// Every (member, score) until `f` breaks, Redis's zuiNext.
    fn walk(&self, mut f: impl FnMut(&[u8], f64) -> ControlFlow<()>) {
        match self {
            Src::Missing => {}
            Src::Set(s) => {
                for m in s.iter() {
                    if m.with_bytes(|b| f(b, 1.0)).is_break() {
                        return;
                    }
                }
            }
            Src::Zset(z) => {
                for (m, score) in z.iter() {
                    if f(&m, score).is_break() {
                        return;
                    }
                }
            }
        }
    }
}

/// Redis's zunionInterAggregate.
fn aggregate(target: &mut f64, val: f64, how: Aggregate) {
    match how {
        Aggregate::Sum => {
            *target += val;
            // inf + -inf: Redis's convention is 0.
            if target.is_nan() {
                *target = 0.0;
            }
        }
        // Written as Redis compares, so a NaN `val` keeps the target.
        Aggregate::Min => *target = if val < *target { val } else { *target },
        Aggregate::Max => *target = if val > *target { val } else { *target },
    }
}

/// A weighted score as the first contribution of a member: NaN (`inf * 0`)
/// counts as 0.
fn weighted(score: f64, weight: f64) -> f64 {
    let v = score * weight;
    if v.is_nan() {
        0.0
    } else {
        v
    }
}

/// The parsed arguments of one of the commands.
struct Args {
    keys: Vec<Bytes>,
    weights: Vec<f64>,
    aggregate: Aggregate,
    withscores: bool,
    /// ZINTERCARD's LIMIT; 0 is no limit.
    limit: usize,
}

/// Which of the seven commands runs: where numkeys is, whether there is a
/// destination, whether only the cardinality is wanted.
#[derive(Clone, Copy)]
struct Form {
    op: Op,
    store: bool,
    card: bool,
}

/// Parses numkeys and the keys (Redis checks numkeys before anything else).
fn parse_keys(c: &Client, numkeys_at: usize) -> Result<Vec<Bytes>, OpError> {
    let n = parse_i64(&c.argv[numkeys_at]).ok_or(OpError::NotInteger)?;
    if n < 1 {
        return Err(OpError::Msg(format!(
            "ERR at least 1 input key is needed for '{}' command",
            c.last_cmd
        )));
    }
    if n as u64 > (c.argv.len() - numkeys_at - 1) as u64 {
        return Err(OpError::Syntax);
    }
    let from = numkeys_at + 1;
    Ok(c.argv[from..from + n as usize].to_vec())
}

/// Parses the options after the keys (Redis's loop: an option whose arguments
/// do not all follow, or that the command does not take, is a syntax error).
fn parse_options(argv: &[Bytes], from: usize, form: Form, args: &mut Args) -> Result<(), OpError> {
    let n = args.keys.len();
    let mut j = from;
    while j < argv.len() {
        let remaining = argv.len() - j;
        let opt = &argv[j];
        let combining = form.op != Op::Diff && !form.card;
        if combining && remaining > n && opt.eq_ignore_ascii_case(b"weights") {
            for (i, w) in argv[j + 1..=j + n].iter().enumerate() {
                args.weights[i] =
                    parse_f64(w).ok_or(OpError::Static("ERR weight value is not a float"))?;
            }
            j += n + 1;
        } else if combining && remaining >= 2 && opt.eq_ignore_ascii_case(b"aggregate") {
            let a = &argv[j + 1];
            args.aggregate = if a.eq_ignore_ascii_case(b"sum") {
                Aggregate::Sum
            } else if a.eq_ignore_ascii_case(b"min") {
                Aggregate::Min
            } else if a.eq_ignore_ascii_case(b"max") {
                Aggregate::Max
            } else {
                return Err(OpError::Syntax);
            };
            j += 2;
        } else if !form.store && !form.card && opt.eq_ignore_ascii_case(b"withscores") {
            args.withscores = true;
            j += 1;
        } else if form.card && remaining >= 2 && opt.eq_ignore_ascii_case(b"limit") {
            args.limit = match parse_i64(&argv[j + 1]) {
                Some(v) if v >= 0 => v as usize,
                _ => return Err(OpError::Static(error::LIMIT_NEGATIVE)),
            };
            j += 2;
        } else {
            return Err(OpError::Syntax);
        }
    }
    Ok(())
}

/// Checks every input key (missing is fine, a type other than zset or set is
/// WRONGTYPE, in key order) and reclaims expired ones, then returns the inputs.
fn sources<'a>(db: &'a mut Db, keys: &[Bytes]) -> Result<Vec<Src<'a>>, OpError> {
    for k in keys {
        if let Some(e) = db.lookup(k) {
            if !matches!(
                e.value(),
                ValueRef::Obj(Object::Zset(_)) | ValueRef::Obj(Object::Set(_))
            ) {
                return Err(OpError::WrongType);
            }
        }
    }
    // Expired keys are gone now and the clock does not move within a command,
    // so a plain table read sees exactly the live keys.
    let t = db.table();
    Ok(keys
        .iter()
        .map(|k| match t.find(k).map(|p| t.get(p).value()) {
            Some(ValueRef::Obj(Object::Zset(z))) => Src::Zset(z),
            Some(ValueRef::Obj(Object::Set(s))) => Src::Set(s),
            _ => Src::Missing,
        })
        .collect())
}

/// The result members with their scores, unordered.
type Members = Vec<(Vec<u8>, f64)>;

/// ZINTER over `src` (ordered smallest first): the members of the first input
/// present in every other, or only their count when `count_only` (stopping at
/// `limit` if it is not 0).
fn inter(src: &[(Src, f64)], how: Aggregate, count_only: bool, limit: usize) -> (Members, usize) {
    let mut out = Vec::new();
    let mut count = 0usize;
    let (first, w0) = src[0];
    first.walk(|m, s| {
        let mut score = weighted(s, w0);
        for &(other, w) in &src[1..] {
            match other.score(m) {
                Some(v) => aggregate(&mut score, v * w, how),
                None => return ControlFlow::Continue(()),
            }
        }
        count += 1;
        if count_only {
            if limit > 0 && count >= limit {
                return ControlFlow::Break(());
            }
        } else {
            out.push((m.to_vec(), score));
        }
        ControlFlow::Continue(())
    });
    (out, count)
}

/// ZUNION over `src` (ordered smallest first).
fn union(src: &[(Src, f64)], how: Aggregate) -> Members {
    let largest = src.iter().map(|(s, _)| s.len()).max().unwrap_or(0);
    let mut acc: HashMap<Vec<u8>, f64> = HashMap::with_capacity(largest);
    for &(s, w) in src {
        s.walk(|m, score| {
            let score = weighted(score, w);
            match acc.get_mut(m) {
                Some(t) => aggregate(t, score, how),
                None => {
                    acc.insert(m.to_vec(), score);
                }
            }
            ControlFlow::Continue(())
        });
    }
    acc.into_iter().collect()
}

/// ZDIFF: the members of the first input in none of the others, with their
/// scores in the first.
fn diff(src: &[(Src, f64)]) -> Members {
    let mut out = Vec::new();
    let (first, _) = src[0];
    first.walk(|m, score| {
        if !src[1..].iter().any(|(s, _)| s.score(m).is_some()) {
            out.push((m.to_vec(), score));
        }
        ControlFlow::Continue(())
    });
    out
}

/// Orders members as a sorted set does: by score, then by member bytes.
fn sort_members(members: &mut Members) {
    members.sort_by(|a, b| {
        a.1.partial_cmp(&b.1)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.0.cmp(&b.0))
    });
}

/// Builds the zset of a stored result (`members` in order) in the encoding
/// Redis ends up with: its result is a skiplist that goes back to a listpack
/// when it fits the limits (zsetConvertToListpackIfNeeded).
fn build_zset(members: &Members, lim: &ZsetLimits) -> Zset {
    let longest = members.iter().map(|(m, _)| m.len()).max().unwrap_or(0);
    if members.len() <= lim.max_entries && longest <= lim.max_value {
        return Zset::listpack_from_sorted(members.iter().map(|(m, s)| (&m[..], *s)));
    }
    let mut z = Zset::with_hint(members.len(), longest, lim);
    for (m, score) in members {
        // Members are distinct and no score is NaN: adding cannot fail.
        let _ = z.add(m, *score, AddFlags::default(), lim);
    }
    z
}

/// Redis's zunionInterDiffGenericCommand.
fn zset_op_generic(srv: &mut Server, c: &mut Client, form: Form) {
    let numkeys_at = if form.store { 2 } else { 1 };
    let keys = match parse_keys(c, numkeys_at) {
        Ok(k) => k,
        Err(e) => return reply_err(c, e),
    };
    let lim = limits(srv);
    let db = &mut srv.dbs[c.db];
    // Redis looks the keys up (and rejects a wrong type) before reading options.
    let src = match sources(db, &keys) {
        Ok(s) => s,
        Err(e) => return reply_err(c, e),
    };
    let mut args = Args {
        weights: vec![1.0; keys.len()],
        keys,
        aggregate: Aggregate::Sum,
        withscores: false,
        limit: 0,
    };
    let from = numkeys_at + 1 + args.keys.len();
    if let Err(e) = parse_options(&c.argv, from, form, &mut args) {
        return reply_err(c, e);
    }
    let mut src: Vec<(Src, f64)> = src.into_iter().zip(args.weights.iter().copied()).collect();
    if form.op != Op::Diff {
        // Stable, as glibc's qsort is for a handful of inputs.
        src.sort_by_key(|(s, _)| s.len());
    }
    let mut members = match form.op {
        _ if src[0].0.len() == 0 && form.op != Op::Union => Vec::new(),
        Op::Inter => {
            let (m, count) = inter(&src, args.aggregate, form.card, args.limit);
            if form.card {
                return c.add_int(count as i64);
            }
            m
        }
        Op::Union => union(&src, args.aggregate),
        Op::Diff => diff(&src),
    };
    if form.card {
        return c.add_int(0);
    }
    sort_members(&mut members);
    if form.store {
        let dst = c.argv[1].clone();
        return store_result(srv, c, &dst, &members, &lim, form.op);
    }
    reply_members(c, &members, args.withscores);
}

/// The reply of ZUNION/ZINTER/ZDIFF: members in order, with WITHSCORES a flat
/// array in RESP2 and [member, score] pairs in RESP3.
fn reply_members(c: &mut Client, members: &Members, withscores: bool) {
    add_members_len(c, members.len(), withscores);
    for (m, score) in members {
        add_member(c, m, *score, withscores);
    }
}

/// Stores a *STORE result (replacing whatever `dst` held, its TTL included) and
/// replies its size; an empty result deletes `dst`.
fn store_result(
    srv: &mut Server,
    c: &mut Client,
    dst: &[u8],
    members: &Members,
    lim: &ZsetLimits,
    op: Op,
) {
    let db = &mut srv.dbs[c.db];
    if members.is_empty() {
        c.add_int(0);
        if db.delete(dst) {
            notify(srv, c, ev::GENERIC, "del", dst);
            srv.dirty += 1;
        }
        return;
    }
    let z = build_zset(members, lim);
    let n = z.len();
    db.set(dst, zset_value(z), None);
    c.add_int(n as i64);
    let event = match op {
        Op::Union => "zunionstore",
        Op::Inter => "zinterstore",
        Op::Diff => "zdiffstore",
    };
    notify(srv, c, ev::ZSET, event, dst);
    srv.dirty += 1;
}

/// ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]]
/// [AGGREGATE SUM | MIN | MAX] \[WITHSCORES\]
pub fn zunion_command(srv: &mut Server, c: &mut Client) {
    zset_op_generic(
        srv,
        c,
        Form {
            op: Op::Union,
            store: false,
            card: false,
        },
    );
}

/// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]]
/// [AGGREGATE SUM | MIN | MAX]
pub fn zunionstore_command(srv: &mut Server, c: &mut Client) {
    zset_op_generic(
        srv,
        c,
        Form {
            op: Op::Union,
            store: true,
            card: false,
        },
    );
}

/// ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]]
/// [AGGREGATE SUM | MIN | MAX] \[WITHSCORES\]
pub fn zinter_command(srv: &mut Server, c: &mut Client) {
    zset_op_generic(
        srv,
        c,
        Form {
            op: Op::Inter,
            store: false,
            card: false,
        },
    );
}

/// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]]
/// [AGGREGATE SUM | MIN | MAX]
pub fn zinterstore_command(srv: &mut Server, c: &mut Client) {
    zset_op_generic(
        srv,
        c,
        Form {
            op: Op::Inter,
            store: true,
            card: false,
        },
    );
}

/// ZINTERCARD numkeys key [key ...] [LIMIT limit]
pub fn zintercard_command(srv: &mut Server, c: &mut Client) {
    zset_op_generic(
        srv,
        c,
        Form {
            op: Op::Inter,
            store: false,
            card: true,
        },
    );
}

/// ZDIFF numkeys key [key ...] \[WITHSCORES\]
pub fn zdiff_command(srv: &mut Server, c: &mut Client) {
    zset_op_generic(
        srv,
        c,
        Form {
            op: Op::Diff,
            store: false,
            card: false,
        },
    );
}

/// ZDIFFSTORE destination numkeys key [key ...]
pub fn zdiffstore_command(srv: &mut Server, c: &mut Client) {
    zset_op_generic(
        srv,
        c,
        Form {
            op: Op::Diff,
            store: true,
            card: false,
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zset(pairs: &[(&str, f64)]) -> Zset {
        let lim = ZsetLimits::default();
        let mut z = Zset::new();
        for &(m, s) in pairs {
            z.add(m.as_bytes(), s, AddFlags::default(), &lim).unwrap();
        }
        z
    }

    fn sorted(mut m: Members) -> Vec<(String, f64)> {
        sort_members(&mut m);
        m.into_iter()
            .map(|(k, s)| (String::from_utf8(k).unwrap(), s))
            .collect()
    }

    #[test]
    fn aggregate_turns_nan_sums_into_zero_and_ignores_nan_in_min_max() {
        let mut t = f64::INFINITY;
        aggregate(&mut t, f64::NEG_INFINITY, Aggregate::Sum);
        assert_eq!(t, 0.0);
        let mut t = 1.0;
        aggregate(&mut t, f64::NAN, Aggregate::Min);
        assert_eq!(t, 1.0);
        aggregate(&mut t, f64::NAN, Aggregate::Max);
        assert_eq!(t, 1.0);
        aggregate(&mut t, -2.0, Aggregate::Min);
        assert_eq!(t, -2.0);
        assert_eq!(weighted(f64::INFINITY, 0.0), 0.0);
        assert_eq!(weighted(2.0, f64::NEG_INFINITY), f64::NEG_INFINITY);
    }

    #[test]
    fn union_inter_diff_of_zsets_and_sets() {
        let a = zset(&[("a", 1.0), ("b", 2.0), ("c", f64::INFINITY)]);
        let b = zset(&[("b", 4.0), ("c", 5.0), ("d", 6.0)]);
        let mut s = Set::new();
        s.add(b"c", 512);
        s.add(b"7", 512);
        let src = [
            (Src::Zset(&a), 1.0),
            (Src::Zset(&b), 0.0),
            (Src::Set(&s), 2.0),
        ];
        assert_eq!(
            sorted(union(&src, Aggregate::Sum)),
            [
                ("d".into(), 0.0),
                ("a".into(), 1.0),
                ("7".into(), 2.0),
                ("b".into(), 2.0),
                ("c".into(), f64::INFINITY)
            ]
        );
        let (m, n) = inter(&src, Aggregate::Sum, false, 0);
        assert_eq!((sorted(m), n), (vec![("c".into(), f64::INFINITY)], 1));
        // inf * 0 met after the first input: a NaN sum, which is 0.
        let src2 = [(Src::Zset(&a), 0.0), (Src::Zset(&a), 1.0)];
        let (m, _) = inter(&src2, Aggregate::Sum, false, 0);
        assert_eq!(sorted(m)[2], ("c".into(), f64::INFINITY));
        let src3 = [(Src::Zset(&a), 1.0), (Src::Zset(&a), 0.0)];
        let (m, _) = inter(&src3, Aggregate::Sum, false, 0);
        assert_eq!(sorted(m)[0], ("c".into(), 0.0));
        let (_, n) = inter(
            &[(Src::Zset(&a), 1.0), (Src::Zset(&a), 1.0)],
            Aggregate::Sum,
            true,
            2,
        );
        assert_eq!(n, 2);
        assert_eq!(
            sorted(diff(&[
                (Src::Zset(&a), 1.0),
                (Src::Set(&s), 1.0),
                (Src::Missing, 1.0)
            ])),
            [("a".into(), 1.0), ("b".into(), 2.0)]
        );
    }

    #[test]
    fn stored_results_take_redis_encodings() {
        let lim = ZsetLimits {
            max_entries: 2,
            max_value: 3,
        };
        let m =
            |v: &[&str]| -> Members { v.iter().map(|s| (s.as_bytes().to_vec(), 1.0)).collect() };
        assert_eq!(build_zset(&m(&["a", "b"]), &lim).encoding(), "listpack");
        assert_eq!(
            build_zset(&m(&["a", "b", "c"]), &lim).encoding(),
            "skiplist"
        );
        assert_eq!(build_zset(&m(&["long"]), &lim).encoding(), "skiplist");
        let z = build_zset(&m(&["a", "b", "c"]), &lim);
        assert_eq!((z.len(), z.score(b"c")), (3, Some(1.0)));
    }
}
