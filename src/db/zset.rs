//! The sorted-set value type (Redis's t_zset.c data side) with Redis 7.0's two
//! encodings:
//!
//! - `listpack` ([`listpack::Listpack`]): small sets, member/score pairs packed in
//!   (score, member) order in one buffer, searched linearly;
//! - `skiplist` ([`index::Index`]): an ordered index with rank queries plus a
//!   member -> score table, behind an `Arc` so cloning a value (snapshots, COPY)
//!   is a refcount bump and writes go through `Arc::make_mut`.
//!
//! Conversion happens where Redis 7.0 converts, so OBJECT ENCODING agrees: an
//! insert that would take a listpack past `zset-max-listpack-entries`, or whose
//! member is longer than `zset-max-listpack-value`, converts first (zsetAdd);
//! new sets start in the encoding [`Zset::with_hint`] picks; a big set goes back
//! to a listpack only through [`Zset::convert_to_listpack_if_needed`] (what
//! ZUNIONSTORE and friends call on their result) and on RDB load.
//!
//! Ranges: every range query first turns its bounds into a rank interval (two
//! partition points over the order), then walks ranks, so score, lex and rank
//! ranges share one walking path per encoding.

mod blob;
mod btree;
pub mod index;
pub mod listpack;
mod table;

use std::borrow::Cow;
use std::sync::Arc;

use crate::error::{OpError, ZSET_LEX_RANGE, ZSET_NAN, ZSET_RANGE_NOT_FLOAT};
use crate::util::number::parse_range_f64;
use index::Index;
use listpack::Listpack;

/// zset-max-listpack-entries / zset-max-listpack-value
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZsetLimits {
    pub max_entries: usize,
    pub max_value: usize,
}

impl Default for ZsetLimits {
    fn default() -> Self {
        ZsetLimits {
            max_entries: 128,
            max_value: 64,
        }
    }
}

/// Redis's zrangespec: min/max with exclusive flags (inf allowed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScoreRange {
    pub min: f64,
    pub max: f64,
    pub minex: bool,
    pub maxex: bool,
}

impl ScoreRange {
    /// Redis's zslParseRange: `(` makes a bound exclusive; the rest is C
    /// `strtod` over the whole argument (NaN refused). Error: "min or max is not
    /// a float".
    pub fn parse(min: &[u8], max: &[u8]) -> Result<ScoreRange, OpError> {
        fn bound(s: &[u8]) -> Option<(f64, bool)> {
            match s.strip_prefix(b"(") {
                Some(rest) => parse_range_f64(rest).map(|v| (v, true)),
                None => parse_range_f64(s).map(|v| (v, false)),
            }
        }
        match (bound(min), bound(max)) {
            (Some((min, minex)), Some((max, maxex))) => Ok(ScoreRange {
                min,
                max,
                minex,
                maxex,
            }),
            _ => Err(OpError::Static(ZSET_RANGE_NOT_FLOAT)),
        }
    }

    /// zslValueGteMin
    #[inline]
    pub fn gte_min(&self, v: f64) -> bool {
        if self.minex {
            v > self.min
        } else {
            v >= self.min
        }
    }

    /// zslValueLteMax
    #[inline]
    pub fn lte_max(&self, v: f64) -> bool {
        if self.maxex {
            v < self.max
        } else {
            v <= self.max
        }
    }

    /// Redis's zslIsInRange emptiness test: no value can be inside.
    pub fn is_empty(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.minex || self.maxex))
    }
}

/// Redis's zlexrangespec bounds: `-`, `+`, `[x`, `(x`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LexBound<'a> {
    Min,
    Max,
    Incl(&'a [u8]),
    Excl(&'a [u8]),
}

impl<'a> LexBound<'a> {
    /// zslParseLexRangeItem
    pub fn parse(s: &'a [u8]) -> Option<LexBound<'a>> {
        match s.first()? {
            b'+' if s.len() == 1 => Some(LexBound::Max),
            b'-' if s.len() == 1 => Some(LexBound::Min),
            b'(' => Some(LexBound::Excl(&s[1..])),
            b'[' => Some(LexBound::Incl(&s[1..])),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LexRange<'a> {
    pub min: LexBound<'a>,
    pub max: LexBound<'a>,
}

impl<'a> LexRange<'a> {
    /// Redis's zslParseLexRange. Error: "min or max not valid string range item".
    pub fn parse(min: &'a [u8], max: &'a [u8]) -> Result<LexRange<'a>, OpError> {
        match (LexBound::parse(min), LexBound::parse(max)) {
            (Some(min), Some(max)) => Ok(LexRange { min, max }),
            _ => Err(OpError::Static(ZSET_LEX_RANGE)),
        }
    }

    /// zslLexValueGteMin
    #[inline]
    pub fn gte_min(&self, m: &[u8]) -> bool {
        match self.min {
            LexBound::Min => true,
            LexBound::Max => false,
            LexBound::Incl(b) => m >= b,
            LexBound::Excl(b) => m > b,
        }
    }

    /// zslLexValueLteMax
    #[inline]
    pub fn lte_max(&self, m: &[u8]) -> bool {
        match self.max {
            LexBound::Min => false,
            LexBound::Max => true,
            LexBound::Incl(b) => m <= b,
            LexBound::Excl(b) => m < b,
        }
    }

    /// Redis's zslIsInLexRange emptiness test.
    pub fn is_empty(&self) -> bool {
        let (min, minex) = match self.min {
            LexBound::Min => return matches!(self.max, LexBound::Min),
            LexBound::Max => return true,
            LexBound::Incl(b) => (b, false),
            LexBound::Excl(b) => (b, true),
        };
        let (max, maxex) = match self.max {
            LexBound::Max => return false,
            LexBound::Min => return true,
            LexBound::Incl(b) => (b, false),
            LexBound::Excl(b) => (b, true),
        };
        min > max || (min == max && (minex || maxex))
    }
}

/// ZADD's input flags (Redis's ZADD_IN_*).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AddFlags {
    pub incr: bool,
    pub nx: bool,
    pub xx: bool,
    pub gt: bool,
    pub lt: bool,
}

/// Redis's ZADD_OUT_*: what zsetAdd did (Nop also covers "not added because of
/// NX/XX/GT/LT", and a re-add with the same score).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddOutcome {
    Added,
    Updated,
    Nop,
}

/// A Redis sorted set.
#[derive(Clone, Debug)]
pub enum Zset {
    Listpack(Listpack),
    Skiplist(Arc<Index>),
}

impl Default for Zset {
    fn default() -> Self {
        Zset::Listpack(Listpack::default())
    }
}

impl Zset {
    /// An empty set (listpack).
    pub fn new() -> Zset {
        Zset::default()
    }

    /// The encoding a new set of about `len` members whose longest member is
    /// `max_member_len` bytes starts in: a listpack when both fit the limits.
    /// ZADD passes 1 and its first member's length (Redis checks
    /// `zset-max-listpack-entries == 0` and the first member); ZRANGESTORE
    /// passes the result length and 0.
    pub fn with_hint(len: usize, max_member_len: usize, lim: &ZsetLimits) -> Zset {
        if len <= lim.max_entries && max_member_len <= lim.max_value {
            Zset::new()
        } else {
            Zset::Skiplist(Arc::new(Index::with_capacity(len)))
        }
    }

    /// A listpack built from pairs already in (score, member) order without
    /// duplicates (conversions, RDB load).
    pub fn listpack_from_sorted<'a>(pairs: impl IntoIterator<Item = (&'a [u8], f64)>) -> Zset {
        Zset::Listpack(Listpack::from_sorted(pairs))
    }

    /// Redis's OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Zset::Listpack(_) => "listpack",
            Zset::Skiplist(_) => "skiplist",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Zset::Listpack(l) => l.len(),
            Zset::Skiplist(x) => x.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match self {
            Zset::Listpack(l) => l.score(member),
            Zset::Skiplist(x) => x.score(member),
        }
    }

    pub fn contains(&self, member: &[u8]) -> bool {
        self.score(member).is_some()
    }

    /// Converts a listpack to the big encoding (zsetConvert).
    pub fn convert_to_skiplist(&mut self) {
        if let Zset::Listpack(l) = self {
            *self = Zset::Skiplist(Arc::new(Index::from_sorted(l.iter(), l.len())));
        }
    }

    /// Redis's zsetConvertToListpackIfNeeded: a big set that fits the limits
    /// (length, and `max_member_len`, the longest member the caller saw) goes
    /// back to a listpack.
    pub fn convert_to_listpack_if_needed(&mut self, max_member_len: usize, lim: &ZsetLimits) {
        if let Zset::Skiplist(x) = self {
            if x.len() <= lim.max_entries && max_member_len <= lim.max_value {
                *self = Zset::Listpack(Listpack::from_sorted(x.iter()));
            }
        }
    }

    /// Redis's zsetAdd: `Ok((outcome, score))` where `score` is the member's score
    /// afterwards (the current one for a Nop on a present member, `score` itself
    /// for a Nop on an absent one); `Err` only when the score is or becomes NaN
    /// ("resulting score is not a number (NaN)"). Converts to skiplist when the
    /// member is too long or the length passes `max_entries`.
    pub fn add(
        &mut self,
        member: &[u8],
        score: f64,
        flags: AddFlags,
        lim: &ZsetLimits,
    ) -> Result<(AddOutcome, f64), OpError> {
        if score.is_nan() {
            return Err(OpError::Static(ZSET_NAN));
        }
        let cur = self.score(member);
        let Some(cur) = cur else {
            if flags.xx {
                return Ok((AddOutcome::Nop, score));
            }
            if let Zset::Listpack(l) = self {
                if l.len() + 1 > lim.max_entries || member.len() > lim.max_value {
                    self.convert_to_skiplist();
                }
            }
            match self {
                Zset::Listpack(l) => l.insert(member, score),
                Zset::Skiplist(x) => Arc::make_mut(x).insert(member, score),
            }
            return Ok((AddOutcome::Added, score));
        };
        if flags.nx {
            return Ok((AddOutcome::Nop, cur));
        }
        let new = if flags.incr { score + cur } else { score };
        if new.is_nan() {
            return Err(OpError::Static(ZSET_NAN));
        }
        if (flags.lt && new >= cur) || (flags.gt && new <= cur) {
            return Ok((AddOutcome::Nop, cur));
        }
        if new == cur {
            return Ok((AddOutcome::Nop, new));
        }
        match self {
            Zset::Listpack(l) => {
                l.remove(member);
                l.insert(member, new);
            }
            Zset::Skiplist(x) => Arc::make_mut(x).update(member, new),
        }
        Ok((AddOutcome::Updated, new))
    }

    /// Removes a member; true if it was present.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match self {
            Zset::Listpack(l) => l.remove(member).is_some(),
            Zset::Skiplist(x) => {
                if x.score(member).is_none() {
                    return false;
                }
                Arc::make_mut(x).remove(member).is_some()
            }
        }
    }

    /// 0-based rank, ascending (or descending with `rev`).
    pub fn rank(&self, member: &[u8], rev: bool) -> Option<usize> {
        let r = match self {
            Zset::Listpack(l) => l.iter().position(|(m, _)| m == member)?,
            Zset::Skiplist(x) => x.rank(member)?,
        };
        Some(if rev { self.len() - 1 - r } else { r })
    }

    /// The number of leading members (from rank `from` on) for which `pred`
    /// holds, plus `from`: the first rank at or after `from` where it fails.
    fn partition_point(&self, from: usize, mut pred: impl FnMut(&[u8], f64) -> bool) -> usize {
        match self {
            Zset::Listpack(l) => {
                from + l.iter().skip(from).take_while(|&(m, s)| pred(m, s)).count()
            }
            Zset::Skiplist(x) => x.partition_point(pred).max(from),
        }
    }

    /// Members with rank in start..=end (caller clamps to 0..len), in order or
    /// reversed (with `rev`, rank 0 is the highest member).
    pub fn range_by_rank(
        &self,
        start: usize,
        end: usize,
        rev: bool,
        mut f: impl FnMut(&[u8], f64),
    ) {
        let n = self.len();
        if start > end || start >= n {
            return;
        }
        let end = end.min(n - 1);
        let (a, b) = if rev {
            (n - 1 - end, n - 1 - start)
        } else {
            (start, end)
        };
        match self {
            Zset::Listpack(l) => {
                if rev {
                    let v: Vec<_> = l.iter().skip(a).take(b + 1 - a).collect();
                    for &(m, s) in v.iter().rev() {
                        f(m, s);
                    }
                } else {
                    for (m, s) in l.iter().skip(a).take(b + 1 - a) {
                        f(m, s);
                    }
                }
            }
            Zset::Skiplist(x) => x.for_ranks(a, b, rev, f),
        }
    }

    /// The ascending rank interval `[lo, hi)` of a score range.
    fn score_ranks(&self, r: &ScoreRange) -> (usize, usize) {
        if r.is_empty() {
            return (0, 0);
        }
        let lo = self.partition_point(0, |_, s| !r.gte_min(s));
        let hi = self.partition_point(lo, |_, s| r.lte_max(s));
        (lo, hi)
    }

    /// The ascending rank interval `[lo, hi)` of a lex range.
    fn lex_ranks(&self, r: &LexRange) -> (usize, usize) {
        if r.is_empty() {
            return (0, 0);
        }
        let lo = self.partition_point(0, |m, _| !r.gte_min(m));
        let hi = self.partition_point(lo, |m, _| r.lte_max(m));
        (lo, hi)
    }

    /// Walks `[lo, hi)` (descending with `rev`), skipping `offset`, at most `limit`.
    fn walk(
        &self,
        (lo, hi): (usize, usize),
        rev: bool,
        offset: usize,
        limit: Option<usize>,
        mut f: impl FnMut(&[u8], f64),
    ) {
        let avail = (hi - lo).saturating_sub(offset);
        let n = limit.map_or(avail, |l| l.min(avail));
        if n == 0 {
            return;
        }
        let (a, b) = if rev {
            (hi - offset - n, hi - offset - 1)
        } else {
            (lo + offset, lo + offset + n - 1)
        };
        let len = self.len();
        if rev {
            self.range_by_rank(len - 1 - b, len - 1 - a, true, &mut f);
        } else {
            self.range_by_rank(a, b, false, &mut f);
        }
    }

    /// Members in the score range (descending from max with `rev`), skipping
    /// `offset`, at most `limit` (None = all).
    pub fn range_by_score(
        &self,
        r: &ScoreRange,
        rev: bool,
        offset: usize,
        limit: Option<usize>,
        f: impl FnMut(&[u8], f64),
    ) {
        self.walk(self.score_ranks(r), rev, offset, limit, f)
    }

    /// Members in the lex range (descending from max with `rev`), skipping
    /// `offset`, at most `limit` (None = all).
    pub fn range_by_lex(
        &self,
        r: &LexRange,
        rev: bool,
        offset: usize,
        limit: Option<usize>,
        f: impl FnMut(&[u8], f64),
    ) {
        self.walk(self.lex_ranks(r), rev, offset, limit, f)
    }

    pub fn count_by_score(&self, r: &ScoreRange) -> usize {
        let (lo, hi) = self.score_ranks(r);
        hi - lo
    }

    pub fn count_by_lex(&self, r: &LexRange) -> usize {
        let (lo, hi) = self.lex_ranks(r);
        hi - lo
    }

    /// Removes ascending ranks `start..=end` (clamped to the set); the number removed.
    pub fn remove_range_by_rank(&mut self, start: usize, end: usize) -> usize {
        let n = self.len();
        if start > end || start >= n {
            return 0;
        }
        let end = end.min(n - 1);
        match self {
            Zset::Listpack(l) => l.remove_ranks(start, end),
            Zset::Skiplist(x) => Arc::make_mut(x).remove_ranks(start, end),
        }
        end + 1 - start
    }

    fn remove_ranks_interval(&mut self, (lo, hi): (usize, usize)) -> usize {
        if hi > lo {
            self.remove_range_by_rank(lo, hi - 1)
        } else {
            0
        }
    }

    pub fn remove_range_by_score(&mut self, r: &ScoreRange) -> usize {
        let iv = self.score_ranks(r);
        self.remove_ranks_interval(iv)
    }

    pub fn remove_range_by_lex(&mut self, r: &LexRange) -> usize {
        let iv = self.lex_ranks(r);
        self.remove_ranks_interval(iv)
    }

    /// Removes and returns the lowest (or highest with `max`) member.
    pub fn pop(&mut self, max: bool) -> Option<(Vec<u8>, f64)> {
        let n = self.len();
        if n == 0 {
            return None;
        }
        let i = if max { n - 1 } else { 0 };
        let (m, s) = {
            let (m, s) = self.nth(i);
            (m.into_owned(), s)
        };
        self.remove_range_by_rank(i, i);
        Some((m, s))
    }

    /// Ascending iteration (member bytes, score).
    pub fn iter(&self) -> Box<dyn Iterator<Item = (Cow<'_, [u8]>, f64)> + '_> {
        match self {
            Zset::Listpack(l) => Box::new(l.iter().map(|(m, s)| (Cow::Borrowed(m), s))),
            Zset::Skiplist(x) => Box::new(x.iter().map(|(m, s)| (Cow::Borrowed(m), s))),
        }
    }

    /// The member at rank `i` (ascending, `i < len`); for ZRANDMEMBER.
    pub fn nth(&self, i: usize) -> (Cow<'_, [u8]>, f64) {
        let (m, s) = match self {
            Zset::Listpack(l) => l.nth(i),
            Zset::Skiplist(x) => x.nth(i),
        };
        (Cow::Borrowed(m), s)
    }

    /// One ZSCAN step (a listpack whole, cursor 0, as Redis).
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&[u8], f64)) -> u64 {
        match self {
            Zset::Listpack(l) => {
                for (m, s) in l.iter() {
                    f(m, s);
                }
                0
            }
            Zset::Skiplist(x) => x.scan(cursor, f),
        }
    }

    /// Heap bytes held by the value.
    pub fn mem_usage(&self) -> usize {
        match self {
            Zset::Listpack(l) => l.mem_usage(),
            Zset::Skiplist(x) => x.mem_usage(),
        }
    }

    /// Allocations to free (Redis's lazyfreeGetFreeEffort).
    pub fn free_effort(&self) -> usize {
        match self {
            Zset::Listpack(_) => 1,
            Zset::Skiplist(x) => x.len(),
        }
    }
}

#[cfg(test)]
mod tests;
