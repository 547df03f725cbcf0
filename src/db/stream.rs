//! The stream value type (the data side of Redis's t_stream.c): entry IDs, the
//! entry store, trimming, and consumer groups with their pending entries.
//!
//! Entries live in nodes as Redis keeps them: an ordered map ([`nodes`], in
//! chunks of up to 32 nodes) from each node's master ID to a listpack
//! ([`node`]) holding a master entry (the field names
//! of the node's first entry) and then the entries, each as flags, the ID as a
//! delta from the master ID, the values (and the field names only when they
//! differ from the master's), and a backward count. Deleting marks an entry's
//! flags; a node whose entries are all deleted goes away. The node bytes are
//! exactly Redis 7.0's, so RDB save and load copy them.
//!
//! Copy-on-write: a [`Stream`] is one `Arc`; each chunk of nodes is its own
//! `Arc` and so are the consumer groups, so cloning a stream (a snapshot, COPY)
//! is a refcount bump, and a write while a snapshot holds the stream copies the
//! chunk list (a pointer per 32 nodes) and the one chunk it writes (at most 32
//! nodes, as a fork copies the pages written), never the other chunks.
//!
//! What the command layer checks itself (as Redis's commands do): that an
//! explicit ID is above `last_id` (or use [`Stream::add`], which does Redis's
//! XADD ID rules), the XSETID consistency rules, and trim limits (pass Redis's
//! effective LIMIT to [`Stream::trim`]).

mod group;
pub mod node;
pub mod nodes;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

pub use group::{Consumer, Group, Pending, INVALID_ENTRIES_READ};
pub use node::{Fields, Item};

use crate::db::list::Listpack;
use crate::error::{OpError, STREAM_ID_INVALID, XADD_ID_SMALL, XADD_TOO_LARGE};
use crate::util::number::{format_u64, parse_u64, I64_BUF};
use nodes::NodeMap;

/// An entry ID: milliseconds and a sequence number, ordered as a pair (Redis's
/// 128-bit big-endian key order).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StreamId {
    pub ms: u64,
    pub seq: u64,
}

impl StreamId {
    pub const MIN: StreamId = StreamId { ms: 0, seq: 0 };
    pub const MAX: StreamId = StreamId {
        ms: u64::MAX,
        seq: u64::MAX,
    };

    pub const fn new(ms: u64, seq: u64) -> StreamId {
        StreamId { ms, seq }
    }

    pub fn is_zero(self) -> bool {
        self == StreamId::MIN
    }

    /// The next ID (streamIncrID); None past `MAX`.
    pub fn incr(self) -> Option<StreamId> {
        if self.seq < u64::MAX {
            Some(StreamId::new(self.ms, self.seq + 1))
        } else if self.ms < u64::MAX {
            Some(StreamId::new(self.ms + 1, 0))
        } else {
            None
        }
    }

    /// The previous ID (streamDecrID); None below `MIN`.
    pub fn decr(self) -> Option<StreamId> {
        if self.seq > 0 {
            Some(StreamId::new(self.ms, self.seq - 1))
        } else if self.ms > 0 {
            Some(StreamId::new(self.ms - 1, u64::MAX))
        } else {
            None
        }
    }

    /// Appends `ms-seq`.
    pub fn write(&self, out: &mut Vec<u8>) {
        let mut b = [0u8; I64_BUF];
        out.extend_from_slice(format_u64(self.ms, &mut b));
        out.push(b'-');
        out.extend_from_slice(format_u64(self.seq, &mut b));
    }

    /// `ms-seq` as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(41);
        self.write(&mut v);
        v
    }

    /// The 16-byte big-endian form (rax key, RDB node key and PEL IDs).
    pub fn to_be_bytes(self) -> [u8; 16] {
        let mut k = [0u8; 16];
        k[..8].copy_from_slice(&self.ms.to_be_bytes());
        k[8..].copy_from_slice(&self.seq.to_be_bytes());
        k
    }

    pub fn from_be_bytes(b: [u8; 16]) -> StreamId {
        let mut ms = [0u8; 8];
        let mut seq = [0u8; 8];
        ms.copy_from_slice(&b[..8]);
        seq.copy_from_slice(&b[8..]);
        StreamId::new(u64::from_be_bytes(ms), u64::from_be_bytes(seq))
    }

    /// Redis's streamParseID: `ms` or `ms-seq` (each part as `string2ull`, so
    /// C's lenient `strtoull` forms pass too); a bare `ms` takes `missing_seq`;
    /// `-` and `+` (MIN and MAX) only when `strict` is false. The argument is
    /// read as a C string (up to its first NUL) and may be at most 127 bytes.
    /// Error: "Invalid stream ID specified as stream command argument".
    pub fn parse(arg: &[u8], strict: bool, missing_seq: u64) -> Result<StreamId, OpError> {
        Self::parse_seq(arg, strict, missing_seq, false).map(|(id, _)| id)
    }

    /// As [`StreamId::parse`] with XADD's `ms-*` form accepted when `allow_star`:
    /// returns the ID (seq 0 for `ms-*`) and whether the sequence was given
    /// (false only for `ms-*`; a bare `ms` counts as given, as in Redis).
    pub fn parse_seq(
        arg: &[u8],
        strict: bool,
        missing_seq: u64,
        allow_star: bool,
    ) -> Result<(StreamId, bool), OpError> {
        let bad = || OpError::Static(STREAM_ID_INVALID);
        if arg.len() > 127 {
            return Err(bad());
        }
        let s = match arg.iter().position(|&c| c == 0) {
            Some(n) => &arg[..n],
            None => arg,
        };
        match s {
            b"-" | b"+" if strict => return Err(bad()),
            b"-" => return Ok((StreamId::MIN, true)),
            b"+" => return Ok((StreamId::MAX, true)),
            _ => {}
        }
        let (ms, seq) = match s.iter().position(|&c| c == b'-') {
            Some(d) => (&s[..d], Some(&s[d + 1..])),
            None => (s, None),
        };
        let ms = parse_u64(ms).ok_or_else(bad)?;
        match seq {
            Some(b"*") if allow_star => Ok((StreamId::new(ms, 0), false)),
            Some(q) => Ok((StreamId::new(ms, parse_u64(q).ok_or_else(bad)?), true)),
            None => Ok((StreamId::new(ms, missing_seq), true)),
        }
    }
}

impl std::fmt::Display for StreamId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.ms, self.seq)
    }
}

/// `stream-node-max-bytes` / `stream-node-max-entries` (0 = no limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeLimits {
    pub max_bytes: usize,
    pub max_entries: usize,
}

impl Default for NodeLimits {
    fn default() -> Self {
        NodeLimits {
            max_bytes: 4096,
            max_entries: 100,
        }
    }
}

/// A trimming strategy (XADD/XTRIM MAXLEN or MINID).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trim {
    MaxLen(u64),
    MinId(StreamId),
}

/// The ID XADD asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewId {
    /// `*`: the current time, or the last ID's successor.
    Auto,
    /// `ms-*`: this ms with the next free sequence.
    Ms(u64),
    /// An explicit `ms-seq` (or bare `ms`).
    Exact(StreamId),
}

/// Redis's STREAM_LISTPACK_MAX_SIZE: the cap on a node and on one entry's
/// elements.
const LISTPACK_MAX_SIZE: usize = 1 << 30;

/// A stream value.
#[derive(Clone, Debug, Default)]
pub struct Stream(Arc<Inner>);

#[derive(Clone, Debug, Default)]
struct Inner {
    nodes: NodeMap,
    length: u64,
    last_id: StreamId,
    first_id: StreamId,
    max_deleted_id: StreamId,
    entries_added: u64,
    groups: Arc<BTreeMap<Box<[u8]>, Group>>,
}

impl Stream {
    pub fn new() -> Stream {
        Stream::default()
    }

    fn inner_mut(&mut self) -> &mut Inner {
        Arc::make_mut(&mut self.0)
    }

    /// Live entries.
    pub fn len(&self) -> u64 {
        self.0.length
    }

    pub fn is_empty(&self) -> bool {
        self.0.length == 0
    }

    /// The last ID ever added (or set by XSETID); 0-0 when nothing was added.
    pub fn last_id(&self) -> StreamId {
        self.0.last_id
    }

    /// The first live entry's ID, 0-0 when empty.
    pub fn first_id(&self) -> StreamId {
        self.0.first_id
    }

    pub fn entries_added(&self) -> u64 {
        self.0.entries_added
    }

    pub fn max_deleted_id(&self) -> StreamId {
        self.0.max_deleted_id
    }

    /// XSETID (its checks are the caller's).
    pub fn set_last_id(&mut self, id: StreamId) {
        self.inner_mut().last_id = id;
    }

    pub fn set_entries_added(&mut self, n: u64) {
        self.inner_mut().entries_added = n;
    }

    pub fn set_max_deleted_id(&mut self, id: StreamId) {
        self.inner_mut().max_deleted_id = id;
    }

    /// Number of nodes (listpacks).
    pub fn node_count(&self) -> usize {
        self.0.nodes.len()
    }

    /// The nodes as (master ID, listpack bytes), in order (RDB save).
    pub fn nodes(&self) -> impl Iterator<Item = (StreamId, &Listpack)> {
        self.0.nodes.iter()
    }

    /// XADD's ID rules and append (streamAppendItem): picks the ID for `id`
    /// (`*` from `now_ms`), refuses an ID not above `last_id` ("equal or
    /// smaller than the target stream top item") and elements over 1 GB in all
    /// ("Elements are too large to be stored"). The caller answers 0-0 and the
    /// exhausted stream first, as Redis does before this point.
    pub fn add<F: AsRef<[u8]>>(
        &mut self,
        id: NewId,
        fields: &[F],
        limits: NodeLimits,
        now_ms: u64,
    ) -> Result<StreamId, OpError> {
        let last = self.0.last_id;
        let id = match id {
            NewId::Auto => {
                if now_ms > last.ms {
                    StreamId::new(now_ms, 0)
                } else {
                    last.incr().ok_or(OpError::Static(XADD_ID_SMALL))?
                }
            }
            NewId::Ms(ms) if ms == last.ms => {
                if last.seq == u64::MAX {
                    return Err(OpError::Static(XADD_ID_SMALL));
                }
                StreamId::new(ms, last.seq + 1)
            }
            NewId::Ms(ms) => StreamId::new(ms, 0),
            NewId::Exact(id) => id,
        };
        if id <= last {
            return Err(OpError::Static(XADD_ID_SMALL));
        }
        let total: usize = fields.iter().map(|f| f.as_ref().len()).sum();
        if total > LISTPACK_MAX_SIZE {
            return Err(OpError::Static(XADD_TOO_LARGE));
        }
        self.append(id, fields, limits);
        Ok(id)
    }

    /// Appends `fields` (flat: f1 v1 f2 v2 ...; an even count, at least one
    /// pair) as entry `id`, which must be above `last_id` (the caller checks).
    /// Updates `last_id`, `entries_added` and `first_id`.
    pub fn append<F: AsRef<[u8]>>(&mut self, id: StreamId, fields: &[F], limits: NodeLimits) {
        debug_assert!(fields.len().is_multiple_of(2));
        debug_assert!(id > self.0.last_id || self.0.entries_added == 0);
        let total: usize = fields.iter().map(|f| f.as_ref().len()).sum();
        let max_bytes = match limits.max_bytes {
            0 => LISTPACK_MAX_SIZE,
            b => b.min(LISTPACK_MAX_SIZE),
        };
        let inner = self.inner_mut();
        let full = inner.nodes.last().map(|(_, lp)| {
            lp.bytes() + total >= max_bytes
                || (limits.max_entries > 0 && node::entry_slots(lp) >= limits.max_entries as u64)
        });
        if full == Some(false) {
            let (master, lp) = inner.nodes.last_mut().expect("tail node");
            node::append(lp, master, id, fields, max_bytes);
        } else {
            // The closed node's size, which the next node is likely to reach too.
            let mut size_hint = 0;
            if let Some((_, lp)) = inner.nodes.last_mut() {
                lp.shrink();
                size_hint = lp.bytes();
            }
            inner.nodes.push(id, node::create(id, fields, size_hint));
        }
        inner.length += 1;
        inner.entries_added += 1;
        inner.last_id = id;
        if inner.length == 1 {
            inner.first_id = id;
        }
    }

    /// The live entries with `start <= id <= end`, ascending (descending with
    /// `rev`).
    pub fn iter_range(&self, start: StreamId, end: StreamId, rev: bool) -> node::RangeIter<'_> {
        node::RangeIter::new(&self.0.nodes, start, end, rev, true)
    }

    /// Visits the live entries with `start <= id <= end`, ascending (or
    /// descending with `rev`), until `f` returns false.
    pub fn range(
        &self,
        start: StreamId,
        end: StreamId,
        rev: bool,
        mut f: impl FnMut(StreamId, Fields<'_>) -> bool,
    ) {
        for (id, fields) in self.iter_range(start, end, rev) {
            if !f(id, fields) {
                break;
            }
        }
    }

    /// The fields of live entry `id`.
    pub fn get(&self, id: StreamId) -> Option<Fields<'_>> {
        self.iter_range(id, id, false).next().map(|(_, f)| f)
    }

    /// Whether `id` is a live entry (streamEntryExists).
    pub fn contains(&self, id: StreamId) -> bool {
        self.get(id).is_some()
    }

    /// The first (or last) entry, tombstones included or not (streamGetEdgeID).
    fn edge(&self, first: bool, skip_tombstones: bool) -> Option<StreamId> {
        node::RangeIter::new(
            &self.0.nodes,
            StreamId::MIN,
            StreamId::MAX,
            !first,
            skip_tombstones,
        )
        .next()
        .map(|(id, _)| id)
    }

    /// The last live entry's ID (streamLastValidID), 0-0 when empty.
    pub fn last_live_id(&self) -> StreamId {
        self.edge(false, true).unwrap_or_default()
    }

    /// XDEL of one ID: marks it deleted (its node goes when nothing live is
    /// left in it), raises `max_deleted_id`, moves `first_id` as Redis does.
    /// False when `id` is not a live entry.
    pub fn delete(&mut self, id: StreamId) -> bool {
        let Some((master, lp)) = self.0.nodes.floor(id) else {
            return false;
        };
        let Some(flags_pos) = node::find_live(lp, master, id) else {
            return false;
        };
        let inner = self.inner_mut();
        let lp = inner.nodes.get_mut(master).expect("node");
        if node::mark_deleted(lp, flags_pos) {
            inner.nodes.remove(master);
        }
        inner.length -= 1;
        if id > inner.max_deleted_id {
            inner.max_deleted_id = id;
        }
        if inner.length == 0 {
            inner.first_id = StreamId::MIN;
        } else if id == inner.first_id {
            let f = self.edge(true, true).unwrap_or_default();
            self.inner_mut().first_id = f;
        }
        true
    }

    /// Redis's streamTrim: removes entries from the head until `how` holds.
    /// Whole nodes go first; with `approx` only whole nodes, otherwise the node
    /// that straddles the bound has entries marked deleted. `limit` (0 = none)
    /// stops before a node whose removal would take the count past it: pass
    /// Redis's effective limit (100 * stream-node-max-entries for `~` without
    /// LIMIT, 0 for `=`). Returns the number of entries removed.
    pub fn trim(&mut self, how: Trim, approx: bool, limit: u64) -> u64 {
        if let Trim::MaxLen(n) = how {
            if self.0.length <= n {
                return 0;
            }
        }
        let mut deleted = 0u64;
        let inner = self.inner_mut();
        while let Some((master, lp)) = inner.nodes.first() {
            if let Trim::MaxLen(n) = how {
                if inner.length <= n {
                    break;
                }
            }
            let entries = node::header(lp).live as u64;
            if limit != 0 && deleted + entries > limit {
                break;
            }
            let remove = match how {
                Trim::MaxLen(n) => inner.length - entries >= n,
                Trim::MinId(min) => node::last_entry_id(lp, master).is_some_and(|l| l < min),
            };
            if remove {
                inner.nodes.remove(master);
                inner.length -= entries;
                deleted += entries;
                continue;
            }
            if approx {
                break;
            }
            let lp = inner.nodes.get_mut(master).expect("node");
            let length = &mut inner.length;
            // Called for each entry from the head, tombstones included; true
            // marks it (a live one) and goes on.
            deleted += node::trim_head(lp, master, |id, live| {
                let go = match how {
                    Trim::MaxLen(n) => *length > n,
                    Trim::MinId(min) => id < min,
                };
                if go && live {
                    *length -= 1;
                }
                go
            });
            break;
        }
        if inner.length == 0 {
            inner.first_id = StreamId::MIN;
        } else if deleted > 0 {
            let f = self.edge(true, true).unwrap_or_default();
            self.inner_mut().first_id = f;
        }
        deleted
    }

    // ---- consumer groups (name order = byte order, as Redis's rax) ----

    pub fn groups(&self) -> impl Iterator<Item = (&[u8], &Group)> {
        self.0.groups.iter().map(|(k, g)| (&**k, g))
    }

    pub fn group_count(&self) -> usize {
        self.0.groups.len()
    }

    pub fn group(&self, name: &[u8]) -> Option<&Group> {
        self.0.groups.get(name)
    }

    pub fn group_mut(&mut self, name: &[u8]) -> Option<&mut Group> {
        if !self.0.groups.contains_key(name) {
            return None;
        }
        Arc::make_mut(&mut self.inner_mut().groups).get_mut(name)
    }

    /// The stream and one of its groups, both writable (XREADGROUP reads
    /// entries while it writes the group's PEL).
    pub fn with_group_mut<R>(
        &mut self,
        name: &[u8],
        f: impl FnOnce(&StreamView<'_>, &mut Group) -> R,
    ) -> Option<R> {
        if !self.0.groups.contains_key(name) {
            return None;
        }
        let inner = self.inner_mut();
        let groups = Arc::make_mut(&mut inner.groups);
        let g = groups.get_mut(name)?;
        let view = StreamView {
            nodes: &inner.nodes,
            length: inner.length,
            last_id: inner.last_id,
            first_id: inner.first_id,
            max_deleted_id: inner.max_deleted_id,
            entries_added: inner.entries_added,
        };
        Some(f(&view, g))
    }

    /// XGROUP CREATE: false when the name is taken.
    pub fn create_group(&mut self, name: &[u8], last_id: StreamId, entries_read: i64) -> bool {
        if self.0.groups.contains_key(name) {
            return false;
        }
        let groups = Arc::make_mut(&mut self.inner_mut().groups);
        groups.insert(name.into(), Group::new(last_id, entries_read));
        true
    }

    /// XGROUP DESTROY: false when there is no such group.
    pub fn destroy_group(&mut self, name: &[u8]) -> bool {
        if !self.0.groups.contains_key(name) {
            return false;
        }
        Arc::make_mut(&mut self.inner_mut().groups)
            .remove(name)
            .is_some()
    }

    fn view(&self) -> StreamView<'_> {
        StreamView {
            nodes: &self.0.nodes,
            length: self.0.length,
            last_id: self.0.last_id,
            first_id: self.0.first_id,
            max_deleted_id: self.0.max_deleted_id,
            entries_added: self.0.entries_added,
        }
    }

    /// streamEstimateDistanceFromFirstEverEntry: the logical read counter of
    /// `id`, or [`INVALID_ENTRIES_READ`] when it cannot be known.
    pub fn entries_read_estimate(&self, id: StreamId) -> i64 {
        self.view().entries_read_estimate(id)
    }

    /// streamRangeHasTombstones over `start..=end`.
    pub fn range_has_tombstones(&self, start: StreamId, end: StreamId) -> bool {
        self.view().range_has_tombstones(start, end)
    }

    /// A group's lag (streamReplyWithCGLag): None when it cannot be known
    /// (a null in XINFO).
    pub fn lag(&self, g: &Group) -> Option<i64> {
        self.view().lag(g)
    }

    /// Heap bytes held: the node buffers and map, and the groups (MEMORY USAGE
    /// follows what is held; `samples` is accepted for the interface's sake,
    /// every node's size is known).
    pub fn mem_usage(&self, _samples: usize) -> usize {
        let inner = &*self.0;
        // The Arc'd inner, the node map and each node's listpack allocation.
        let mut n = std::mem::size_of::<Inner>() + 16 + inner.nodes.mem_usage();
        for (_, lp) in inner.nodes.iter() {
            n += lp.capacity();
        }
        for (name, g) in inner.groups.iter() {
            n += name.len() + std::mem::size_of::<Group>() + 32 + g.mem_usage();
        }
        n
    }

    /// Redis's lazyfreeGetFreeEffort for a stream: the node count, plus per
    /// group one allocation and its PEL (the first group's PEL size taken for
    /// all, as Redis estimates).
    pub fn free_effort(&self) -> usize {
        let keys: Vec<StreamId> = self.0.nodes.iter().map(|(k, _)| k).collect();
        let mut effort = node::rax_node_count(keys.iter());
        if let Some((_, g)) = self.0.groups.iter().next() {
            effort += self.0.groups.len() * (1 + g.pel_len());
        }
        effort
    }
}

/// A read-only view of a stream's entries and counters (what
/// [`Stream::with_group_mut`] hands over beside the group).
pub struct StreamView<'a> {
    nodes: &'a NodeMap,
    pub length: u64,
    pub last_id: StreamId,
    pub first_id: StreamId,
    pub max_deleted_id: StreamId,
    pub entries_added: u64,
}

impl StreamView<'_> {
    pub fn iter_range(&self, start: StreamId, end: StreamId, rev: bool) -> node::RangeIter<'_> {
        node::RangeIter::new(self.nodes, start, end, rev, true)
    }

    pub fn get(&self, id: StreamId) -> Option<Fields<'_>> {
        self.iter_range(id, id, false).next().map(|(_, f)| f)
    }

    pub fn contains(&self, id: StreamId) -> bool {
        self.get(id).is_some()
    }

    /// See [`Stream::range_has_tombstones`].
    pub fn range_has_tombstones(&self, start: StreamId, end: StreamId) -> bool {
        if self.length == 0 || self.max_deleted_id.is_zero() {
            return false;
        }
        if self.first_id > self.max_deleted_id {
            return false;
        }
        start <= self.max_deleted_id && self.max_deleted_id <= end
    }

    /// See [`Stream::entries_read_estimate`].
    pub fn entries_read_estimate(&self, id: StreamId) -> i64 {
        let added = self.entries_added as i64;
        if self.entries_added == 0 {
            return 0;
        }
        if self.length == 0 && id <= self.last_id {
            return added;
        }
        if id == self.last_id {
            return added;
        }
        if id > self.last_id {
            return INVALID_ENTRIES_READ;
        }
        if self.max_deleted_id.is_zero() || self.max_deleted_id < self.first_id {
            if id < self.first_id {
                return added - self.length as i64;
            } else if id == self.first_id {
                return added - self.length as i64 + 1;
            }
        }
        INVALID_ENTRIES_READ
    }

    /// See [`Stream::lag`].
    pub fn lag(&self, g: &Group) -> Option<i64> {
        if self.entries_added == 0 {
            return Some(0);
        }
        if g.entries_read != INVALID_ENTRIES_READ
            && !self.range_has_tombstones(g.last_id, StreamId::MAX)
        {
            return Some(self.entries_added as i64 - g.entries_read);
        }
        match self.entries_read_estimate(g.last_id) {
            INVALID_ENTRIES_READ => None,
            read => Some(self.entries_added as i64 - read),
        }
    }
}

/// Loading: a stream rebuilt from RDB parts (nodes already validated by the
/// loader).
pub struct Loaded {
    pub nodes: Vec<(StreamId, Listpack)>,
    pub length: u64,
    pub last_id: StreamId,
    pub first_id: Option<StreamId>,
    pub max_deleted_id: StreamId,
    pub entries_added: Option<u64>,
}

impl Stream {
    /// Builds a stream from loaded nodes and counters. `first_id` and
    /// `entries_added` are None for the old STREAM_LISTPACKS type (first_id
    /// then comes from the entries, entries_added is the length).
    pub fn from_loaded(l: Loaded) -> Stream {
        let mut inner = Inner {
            nodes: NodeMap::from_nodes(l.nodes),
            length: l.length,
            last_id: l.last_id,
            first_id: StreamId::MIN,
            max_deleted_id: l.max_deleted_id,
            entries_added: l.entries_added.unwrap_or(l.length),
            groups: Arc::default(),
        };
        let s = match l.first_id {
            Some(f) => {
                inner.first_id = f;
                Stream(Arc::new(inner))
            }
            None => {
                let mut s = Stream(Arc::new(inner));
                // streamGetEdgeID: MAX when there is no live entry.
                let f = s.edge(true, true).unwrap_or(StreamId::MAX);
                s.inner_mut().first_id = f;
                s
            }
        };
        s
    }

    /// Adds a loaded group (false when the name is taken: a corrupt file).
    pub fn insert_group(&mut self, name: &[u8], g: Group) -> bool {
        if self.0.groups.contains_key(name) {
            return false;
        }
        Arc::make_mut(&mut self.inner_mut().groups).insert(name.into(), g);
        true
    }
}
