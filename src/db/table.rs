//! The segmented hash table behind one database: a directory of copy-on-write
//! segments grown by linear hashing, one segment split at a time.
//!
//! ```text
//!   hash h (64 bits, keyed SipHash)
//!   segment = h mod 2^level          if that is >= split
//!           = h mod 2^(level+1)      otherwise (already split this round)
//!   segs: [Arc<Segment>; 2^level + split]
//! ```
//!
//! When the table holds more than `SEG_TARGET` keys per segment on average, the
//! segment at `split` is divided in two by hash bit `level` (the new half goes to the
//! end of the directory); when a round completes, `level` grows. Every resize step
//! touches one segment of a few hundred keys, so there is never a full-table rehash
//! pause. Shrinking merges the last segment back into its sibling.
//!
//! Snapshots clone the directory (`Arc` bumps); writers go through
//! `Arc::make_mut`, which copies only a segment that a snapshot still holds.
//!
//! SCAN visits whole segments in reverse-binary order of their hash class, the
//! cursor scheme of Redis's `dictScan`: a segment that has not been split yet covers
//! both of its finer classes, so a cursor stays valid while the table grows or
//! shrinks between calls, and every key present throughout is returned at least once.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::Arc;

use super::entry::Entry;
use super::segment::Segment;

/// Average keys per segment before a split (segments hold between half and twice
/// this many).
const SEG_TARGET: usize = 256;
/// Most keys [`Table::reserve`] pre-sizes for: a corrupt RESIZEDB costs at most
/// this many keys' worth of empty segments (about 80 bytes per segment).
const RESERVE_MAX: usize = 1 << 26;

/// The low `bits` bits set.
#[inline]
fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

#[derive(Clone)]
pub struct Table {
    segs: Vec<Arc<Segment>>,
    level: u32,
    split: usize,
    len: usize,
    expires: usize,
    hasher: RandomState,
    /// While loading after [`Table::reserve`]: the keys expected in an unsplit
    /// segment (half that in a split one), which an empty segment is sized for
    /// on its first insert; 0 otherwise.
    presize: usize,
    /// The key count `presize` was computed for; reaching it ends pre-sizing.
    reserved: usize,
}

/// Bytes copied by copy-on-write since the process started (segments a snapshot
/// still held when they were written). INFO reports it as the CoW size.
pub static COW_BYTES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// `Arc::make_mut` that counts the bytes it copies when a snapshot shares the
/// segment.
#[inline]
fn cow(seg: &mut Arc<Segment>) -> &mut Segment {
    if Arc::strong_count(seg) > 1 {
        let bytes = seg.capacity() * 9 + std::mem::size_of::<Segment>();
        COW_BYTES.fetch_add(bytes as u64, std::sync::atomic::Ordering::Relaxed);
    }
    Arc::make_mut(seg)
}

/// Where a key lives: its hash, segment and slot.
#[derive(Clone, Copy, Debug)]
pub struct Pos {
    pub hash: u64,
    pub seg: usize,
    pub slot: usize,
}

impl Table {
    pub fn new(hasher: RandomState) -> Table {
        Table {
            segs: vec![Arc::new(Segment::new())],
            level: 0,
            split: 0,
            len: 0,
            expires: 0,
            hasher,
            presize: 0,
            reserved: 0,
        }
    }

    /// Pre-sizes an empty table for `n` keys (RESIZEDB when loading an RDB):
    /// the directory gets the segments that growth to `n` keys would have
    /// made, and each segment gets slots for its share of the keys on its first
    /// insert, so the load never splits or rehashes a segment. No effect on a
    /// table that is not empty.
    pub fn reserve(&mut self, n: usize) {
        if self.len != 0 || self.segs.len() != 1 || n <= SEG_TARGET {
            return;
        }
        let n = n.min(RESERVE_MAX);
        let want = n.div_ceil(SEG_TARGET);
        self.level = usize::BITS - 1 - want.leading_zeros();
        self.split = want - (1usize << self.level);
        self.segs = (0..want).map(|_| Arc::new(Segment::new())).collect();
        self.presize = n >> self.level;
        self.reserved = n;
    }

    /// Keys an empty segment `seg` is expected to receive while pre-sizing.
    #[inline]
    fn presize_for(&self, seg: usize) -> usize {
        let unsplit = 1usize << self.level;
        if seg < self.split || seg >= unsplit {
            self.presize / 2
        } else {
            self.presize
        }
    }

    /// Inserts `e` unless its key is present (then gives it back), hashing the
    /// key once: the RDB loader's insert.
    pub fn try_insert(&mut self, e: Entry) -> Result<(), Entry> {
        let h = self.hash(e.key());
        let seg = self.seg_of(h);
        if self.segs[seg].find(h, e.key()).is_some() {
            return Err(e);
        }
        self.insert_at(h, seg, e);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn expires(&self) -> usize {
        self.expires
    }

    pub fn segments(&self) -> &[Arc<Segment>] {
        &self.segs
    }

    #[inline]
    pub fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    #[inline]
    fn seg_of(&self, h: u64) -> usize {
        let lo = (h & ((1u64 << self.level) - 1)) as usize;
        if lo < self.split {
            (h & ((1u64 << (self.level + 1)) - 1)) as usize
        } else {
            lo
        }
    }

    #[inline]
    pub fn find(&self, key: &[u8]) -> Option<Pos> {
        let h = self.hash(key);
        let seg = self.seg_of(h);
        self.segs[seg]
            .find(h, key)
            .map(|slot| Pos { hash: h, seg, slot })
    }

    #[inline]
    pub fn get(&self, p: Pos) -> &Entry {
        self.segs[p.seg].entry(p.slot)
    }

    /// Mutable entry; copies the segment and the entry if a snapshot shares them.
    #[inline]
    pub fn get_mut(&mut self, p: Pos) -> &mut Entry {
        cow(&mut self.segs[p.seg]).entry_mut(p.slot)
    }

    /// Replaces the entry at `p` (same key); returns the old entry.
    pub fn replace(&mut self, p: Pos, e: Entry) -> Entry {
        let had = self.get(p).expire().is_some();
        let has = e.expire().is_some();
        let old = cow(&mut self.segs[p.seg]).replace(p.hash, p.slot, e);
        self.expires = self.expires + has as usize - had as usize;
        old
    }

    /// Inserts an entry whose key is absent.
    pub fn insert_new(&mut self, e: Entry) {
        let h = self.hash(e.key());
        let seg = self.seg_of(h);
        self.insert_at(h, seg, e);
    }

    fn insert_at(&mut self, h: u64, seg: usize, e: Entry) {
        if e.expire().is_some() {
            self.expires += 1;
        }
        let presize = if self.presize != 0 && self.segs[seg].capacity() == 0 {
            self.presize_for(seg)
        } else {
            0
        };
        let hasher = &self.hasher;
        let hf = |k: &[u8]| hasher.hash_one(k);
        let s = cow(&mut self.segs[seg]);
        if presize != 0 {
            s.reserve(presize, &hf);
        }
        s.insert_new(h, e, &hf);
        self.len += 1;
        if self.len >= self.reserved {
            self.presize = 0;
        }
        if self.len > self.segs.len() * SEG_TARGET {
            self.grow();
        }
    }

    /// Inserts or replaces; returns the previous entry for the key.
    pub fn upsert(&mut self, e: Entry) -> Option<Entry> {
        match self.find(e.key()) {
            Some(p) => Some(self.replace(p, e)),
            None => {
                self.insert_new(e);
                None
            }
        }
    }

    pub fn remove(&mut self, p: Pos) -> Entry {
        let hasher = &self.hasher;
        let hf = |k: &[u8]| hasher.hash_one(k);
        let seg = cow(&mut self.segs[p.seg]);
        let e = seg.remove(p.slot);
        seg.maybe_shrink(&hf);
        self.len -= 1;
        if e.expire().is_some() {
            self.expires -= 1;
        }
        if self.segs.len() > 1 && self.len * 4 < self.segs.len() * SEG_TARGET {
            self.shrink();
        }
        e
    }

    fn grow(&mut self) {
        let hasher = &self.hasher;
        let hf = |k: &[u8]| hasher.hash_one(k);
        let seg = cow(&mut self.segs[self.split]);
        let other = seg.split_off(self.level, &hf);
        seg.maybe_shrink(&hf);
        self.segs.push(Arc::new(other));
        self.split += 1;
        if self.split == 1usize << self.level {
            self.level += 1;
            self.split = 0;
        }
    }

    fn shrink(&mut self) {
        if self.split == 0 {
            self.level -= 1;
            self.split = 1usize << self.level;
        }
        self.split -= 1;
        let last = self.segs.pop().expect("more than one segment");
        let last = Arc::try_unwrap(last).unwrap_or_else(|shared| (*shared).clone());
        let hasher = &self.hasher;
        let hf = |k: &[u8]| hasher.hash_one(k);
        cow(&mut self.segs[self.split]).absorb(last, &hf);
    }

    /// Drops everything; returns the old directory (to be freed elsewhere if big).
    pub fn clear(&mut self) -> Vec<Arc<Segment>> {
        self.level = 0;
        self.split = 0;
        self.len = 0;
        self.expires = 0;
        self.presize = 0;
        self.reserved = 0;
        std::mem::replace(&mut self.segs, vec![Arc::new(Segment::new())])
    }

    /// One SCAN call, Redis's `dictScan` loop: visits whole buckets from `cursor`
    /// on, calling `f` for each of their entries, until `count` entries were
    /// visited or `count * 10` buckets were (empty ones included); returns the
    /// next cursor (0 when the iteration is complete).
    ///
    /// A bucket is a hash class one level below a segment: a segment at depth `d`
    /// (its index is `hash mod 2^d`) with `2^k` slots is read as `2^k` buckets
    /// `hash mod 2^(d+k)`, about one key each, so COUNT bounds the reply as in
    /// Redis. The cursor is that class in reverse-binary order; the depth may
    /// differ from one call to the next (splits, merges, segment resizes), and a
    /// class at any depth is wholly inside one segment, so the sweep keeps
    /// `dictScan`'s guarantee.
    pub fn scan(&self, mut cursor: u64, count: usize, mut f: impl FnMut(&Entry)) -> u64 {
        let mut buckets = count.saturating_mul(10).max(1) as u64;
        let mut visited = 0usize;
        let mut found: Vec<(u64, &Entry)> = Vec::new();
        loop {
            let lo_mask = (1u64 << self.level) - 1;
            let d = if ((cursor & lo_mask) as usize) < self.split {
                self.level + 1
            } else {
                self.level
            };
            let seg_idx = (cursor & ((1u64 << d) - 1)) as usize;
            let seg = &self.segs[seg_idx];
            let k = seg.capacity().max(1).trailing_zeros();
            let depth = d + k;
            // Positions are classes at `depth` with their bits reversed, so the
            // segment covers `[base, end)` and the cursor sweeps upwards.
            let rev = |h: u64| {
                if depth == 0 {
                    0
                } else {
                    (h & mask(depth)).reverse_bits() >> (64 - depth)
                }
            };
            let mut pos = rev(cursor);
            let end = ((rev(seg_idx as u64) >> k) + 1) << k;
            found.clear();
            found.extend(seg.iter().filter_map(|e| {
                let p = rev(self.hash(e.key()));
                (p >= pos).then_some((p, e))
            }));
            found.sort_unstable_by_key(|&(p, _)| p);
            let mut i = 0;
            while i < found.len() && buckets > 0 && visited < count {
                let p = found[i].0;
                if p - pos >= buckets {
                    pos += buckets;
                    buckets = 0;
                    break;
                }
                buckets -= p - pos + 1;
                while i < found.len() && found[i].0 == p {
                    f(found[i].1);
                    visited += 1;
                    i += 1;
                }
                pos = p + 1;
            }
            if i == found.len() && buckets > 0 && visited < count {
                let skip = (end - pos).min(buckets);
                buckets -= skip;
                pos += skip;
            }
            if depth < 64 && pos == 1u64 << depth {
                return 0;
            }
            cursor = if depth == 0 {
                0
            } else {
                pos.reverse_bits() >> (64 - depth)
            };
            if depth == 0 || buckets == 0 || visited >= count {
                return cursor;
            }
        }
    }

    /// All entries (logically expired ones included).
    pub fn iter(&self) -> impl Iterator<Item = &Entry> {
        self.segs.iter().flat_map(|s| s.iter())
    }

    /// A random occupied position, or None when empty. `rnd` supplies randomness.
    pub fn random_pos(&self, mut rnd: impl FnMut() -> u64) -> Option<Pos> {
        if self.len == 0 {
            return None;
        }
        loop {
            let seg = (rnd() % self.segs.len() as u64) as usize;
            let s = &self.segs[seg];
            if s.is_empty() {
                continue;
            }
            let cap = s.capacity();
            let start = (rnd() % cap as u64) as usize;
            for k in 0..cap {
                let slot = (start + k) & (cap - 1);
                if let Some(e) = s.slot(slot) {
                    return Some(Pos {
                        hash: self.hash(e.key()),
                        seg,
                        slot,
                    });
                }
            }
        }
    }

    /// Positions of up to `want` entries with an expiry, scanning from `cursor`
    /// (segment, slot) and examining at most `max_slots` slots. Returns the cursor to
    /// continue from.
    pub fn sample_expiring(
        &self,
        mut cursor: (usize, usize),
        want: usize,
        mut max_slots: usize,
        out: &mut Vec<Pos>,
    ) -> (usize, usize) {
        let mut idx = Vec::new();
        let nsegs = self.segs.len();
        let mut segs_seen = 0;
        while out.len() < want && max_slots > 0 && segs_seen <= nsegs {
            if cursor.0 >= nsegs {
                cursor = (0, 0);
            }
            let s = &self.segs[cursor.0];
            if s.expires() == 0 || cursor.1 >= s.capacity() {
                cursor = (cursor.0 + 1, 0);
                segs_seen += 1;
                continue;
            }
            idx.clear();
            let step = max_slots.min(64);
            let next = s.expiring_from(cursor.1, step, &mut idx);
            max_slots -= next - cursor.1;
            for &slot in &idx {
                out.push(Pos {
                    hash: self.hash(s.entry(slot).key()),
                    seg: cursor.0,
                    slot,
                });
            }
            cursor.1 = next;
        }
        cursor
    }

    /// Entries per home slot, the segments' slots one after the other (only
    /// the entries with an expiry when `expiring`): the chains DEBUG HTSTATS
    /// reports for an open-addressing table.
    pub fn home_slot_counts(&self, expiring: bool) -> Vec<u32> {
        let mut out = Vec::new();
        for s in &self.segs {
            let base = out.len();
            out.resize(base + s.capacity(), 0);
            for e in s.iter().filter(|e| !expiring || e.expire().is_some()) {
                out[base + s.home_slot(self.hash(e.key()))] += 1;
            }
        }
        out
    }

    /// The table's bytes one key of `p`'s segment accounts for (its share
    /// of the segment's slots, control bytes and header, and of the
    /// directory): what MEMORY USAGE adds for the key's place in the table.
    pub fn slot_share(&self, p: Pos) -> usize {
        let s = &self.segs[p.seg];
        let seg = s.capacity() * 9 + std::mem::size_of::<Segment>() + 16;
        seg / s.len().max(1) + self.segs.capacity() * 8 / self.len.max(1)
    }

    /// Bytes used by the table structure itself (slots, control bytes, directory).
    pub fn overhead_bytes(&self) -> usize {
        self.segs
            .iter()
            .map(|s| s.capacity() * 9 + std::mem::size_of::<Segment>() + 16)
            .sum::<usize>()
            + self.segs.capacity() * 8
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::entry::Value;
    use std::collections::HashSet;

    fn e(k: &str) -> Entry {
        Entry::new(k.as_bytes(), Value::Int(1), None)
    }

    #[test]
    fn grows_and_shrinks_one_segment_at_a_time() {
        let mut t = Table::new(RandomState::new());
        for i in 0..50_000 {
            t.insert_new(e(&format!("k{i}")));
        }
        assert!(t.segs.len() > 100);
        for i in 0..50_000 {
            assert!(t.find(format!("k{i}").as_bytes()).is_some(), "k{i}");
        }
        for i in 0..49_990 {
            let p = t.find(format!("k{i}").as_bytes()).unwrap();
            t.remove(p);
        }
        assert_eq!(t.len(), 10);
        assert!(t.segs.len() < 4);
        for i in 49_990..50_000 {
            assert!(t.find(format!("k{i}").as_bytes()).is_some());
        }
    }

    #[test]
    fn reserve_presizes_so_loading_never_splits() {
        let n = 100_000;
        let mut t = Table::new(RandomState::new());
        t.reserve(n);
        let segs = t.segs.len();
        assert_eq!(segs, n.div_ceil(SEG_TARGET));
        for i in 0..n {
            assert!(t.try_insert(e(&format!("k{i}"))).is_ok());
        }
        assert_eq!(t.len(), n);
        assert_eq!(t.segs.len(), segs, "no split while loading");
        assert_eq!(t.presize, 0, "pre-sizing ends at the reserved count");
        let big = t.segs.iter().filter(|s| s.capacity() > 1024).count();
        assert_eq!(big, 0, "no segment outgrew its share");
        for i in 0..n {
            assert!(t.find(format!("k{i}").as_bytes()).is_some());
        }
        assert!(t.try_insert(e("k7")).is_err(), "duplicate refused");
        // The table keeps working as usual afterwards.
        for i in n..2 * n {
            t.insert_new(e(&format!("k{i}")));
        }
        for i in 0..2 * n {
            let p = t.find(format!("k{i}").as_bytes()).unwrap();
            t.remove(p);
        }
        assert!(t.is_empty());
        assert!(t.segs.len() < 4);
    }

    #[test]
    fn reserve_ignores_tables_in_use_and_bogus_counts() {
        let mut t = Table::new(RandomState::new());
        t.insert_new(e("a"));
        t.reserve(1_000_000);
        assert_eq!(t.segs.len(), 1);
        let mut t = Table::new(RandomState::new());
        t.reserve(usize::MAX);
        assert_eq!(t.segs.len(), RESERVE_MAX / SEG_TARGET);
        assert!(
            t.segs.iter().all(|s| s.capacity() == 0),
            "slots come lazily"
        );
        for i in 0..1000 {
            t.insert_new(e(&format!("k{i}")));
        }
        for i in 0..1000 {
            assert!(t.find(format!("k{i}").as_bytes()).is_some());
        }
    }

    #[test]
    fn scan_returns_every_stable_key_while_table_changes() {
        let mut t = Table::new(RandomState::new());
        for i in 0..5000 {
            t.insert_new(e(&format!("stable{i}")));
        }
        let mut seen = HashSet::new();
        let mut cursor = 0;
        let mut step = 0;
        loop {
            cursor = t.scan(cursor, 10, |en| {
                seen.insert(en.key().to_vec());
            });
            // Grow hard during the first part of the scan, then shrink.
            step += 1;
            if step < 100 {
                for j in 0..300 {
                    t.insert_new(e(&format!("tmp{step}-{j}")));
                }
            } else if step < 200 {
                for j in 0..300 {
                    let k = format!("tmp{}-{j}", step - 100);
                    if let Some(p) = t.find(k.as_bytes()) {
                        t.remove(p);
                    }
                }
            }
            if cursor == 0 {
                break;
            }
        }
        for i in 0..5000 {
            assert!(
                seen.contains(format!("stable{i}").as_bytes()),
                "missed stable{i}"
            );
        }
    }

    #[test]
    fn scan_visits_about_count_keys_per_call() {
        let mut t = Table::new(RandomState::new());
        for i in 0..100_000 {
            t.insert_new(e(&format!("k{i}")));
        }
        for count in [1usize, 10, 100, 1000] {
            let mut seen = HashSet::new();
            let (mut cursor, mut calls, mut most) = (0, 0usize, 0usize);
            loop {
                let mut n = 0;
                cursor = t.scan(cursor, count, |en| {
                    n += 1;
                    seen.insert(en.key().to_vec());
                });
                most = most.max(n);
                calls += 1;
                if cursor == 0 {
                    break;
                }
            }
            assert_eq!(seen.len(), 100_000, "count {count}");
            // Whole buckets of about one key each: a few keys over COUNT at most.
            assert!(most <= count + 8, "count {count}: a call returned {most}");
            assert!(
                calls >= 100_000 / (count + 8),
                "count {count}: {calls} calls"
            );
        }
    }

    #[test]
    fn scan_over_an_empty_or_tiny_table() {
        let mut t = Table::new(RandomState::new());
        assert_eq!(t.scan(0, 10, |_| panic!("empty")), 0);
        t.insert_new(e("a"));
        let mut n = 0;
        let mut cursor = 0;
        loop {
            cursor = t.scan(cursor, 1, |_| n += 1);
            if cursor == 0 {
                break;
            }
        }
        assert_eq!(n, 1);
        // A cursor from a bigger table (high bits set) still terminates.
        let mut c = u64::MAX;
        for _ in 0..100 {
            c = t.scan(c, 1, |_| {});
            if c == 0 {
                break;
            }
        }
        assert_eq!(c, 0);
    }

    #[test]
    fn snapshot_is_isolated_from_later_writes() {
        let mut t = Table::new(RandomState::new());
        for i in 0..3000 {
            t.insert_new(e(&format!("k{i}")));
        }
        let snap = t.segments().to_vec();
        for i in 0..3000 {
            let p = t.find(format!("k{i}").as_bytes()).unwrap();
            let new = t.get(p).with_value(Value::Int(2));
            t.replace(p, new);
        }
        for i in 3000..6000 {
            t.insert_new(e(&format!("k{i}")));
        }
        let frozen: Vec<i64> = snap
            .iter()
            .flat_map(|s| s.iter())
            .map(|en| match en.value() {
                crate::db::entry::ValueRef::Int(v) => v,
                _ => panic!(),
            })
            .collect();
        assert_eq!(frozen.len(), 3000);
        assert!(frozen.iter().all(|&v| v == 1));
    }
}
