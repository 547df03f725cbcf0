//! One stream node: a listpack in Redis 7.0's stream layout, keyed (outside)
//! by its master ID.
//!
//! ```text
//!  master entry:  live-count  deleted-count  num-fields  field_1 .. field_N  0
//!  each entry:    flags  ms-delta  seq-delta  [num-fields]  [field_i] value_i ..  lp-count
//! ```
//!
//! - flags: 1 = deleted (a tombstone, skipped by reads), 2 = same fields as the
//!   master entry (then num-fields and the field names are left out);
//! - the ID is stored as the wrapping difference from the master ID in each part
//!   (so a seq delta may be negative);
//! - lp-count is the number of listpack elements of the entry before it (3 +
//!   values, + fields + 1 without the same-fields flag), which lets a reverse
//!   scan jump from an entry's end to its flags; the master entry's trailing 0
//!   plays that part for the master, so a reverse scan stops there.
//!
//! Integers (counts, flags, deltas, and values that are canonical decimals) are
//! integer-encoded by the listpack itself.

use std::ops::Deref;

use super::nodes::{Iter as NodeIter, NodeMap};
use super::StreamId;
use crate::db::list::{Elem, Listpack, Needle};
use crate::util::number::{format_i64, parse_i64, I64_BUF};

pub const FLAG_DELETED: i64 = 1;
pub const FLAG_SAMEFIELDS: i64 = 2;

/// Redis's STREAM_LISTPACK_MAX_PRE_ALLOCATE.
const MAX_PREALLOC: usize = 4096;

/// An integer element (a string that holds one is read as Redis's
/// lpGetInteger reads it; anything else reads 0: the loader validated nodes).
#[inline]
pub fn int_at(lp: &Listpack, p: usize) -> i64 {
    match lp.get(p) {
        Elem::Int(v) => v,
        Elem::Str(s) => parse_i64(s).unwrap_or(0),
    }
}

fn push_int(lp: &mut Listpack, v: i64) {
    let mut b = [0u8; I64_BUF];
    lp.push_back(format_i64(v, &mut b));
}

fn replace_int(lp: &mut Listpack, p: usize, v: i64) {
    let mut b = [0u8; I64_BUF];
    lp.replace(p, format_i64(v, &mut b));
}

/// The master entry's parts.
#[derive(Clone, Copy, Debug)]
pub struct Header {
    pub live: i64,
    pub deleted: i64,
    pub master_fields: usize,
    /// Offset of the first master field.
    pub master_pos: usize,
    /// Offset of the first entry's flags (`end()` if none).
    pub first_entry: usize,
}

pub fn header(lp: &Listpack) -> Header {
    let p0 = lp.first();
    let live = int_at(lp, p0);
    let p1 = lp.next(p0);
    let deleted = int_at(lp, p1);
    let p2 = lp.next(p1);
    let master_fields = int_at(lp, p2).max(0) as usize;
    let master_pos = lp.next(p2);
    let mut p = master_pos;
    for _ in 0..master_fields {
        p = lp.next(p);
    }
    Header {
        live,
        deleted,
        master_fields,
        master_pos,
        first_entry: lp.next(p),
    }
}

/// Entries in the node, live and deleted (what stream-node-max-entries counts).
pub fn entry_slots(lp: &Listpack) -> u64 {
    let p0 = lp.first();
    (int_at(lp, p0) + int_at(lp, lp.next(p0))).max(0) as u64
}

/// A new node for `id` with its fields as the master entry (the first entry
/// has the same fields), with room for `size_hint` bytes: the size the node
/// before it reached, so that a stream filling node after node allocates each
/// one once in the size class it will end in, instead of walking it through
/// every class on the way (churn that leaves freed slabs behind as dirty
/// pages). It grows as entries come (amortised, see [`append`]) and is shrunk
/// to fit when the next entry opens a new node.
pub fn create<F: AsRef<[u8]>>(id: StreamId, fields: &[F], size_hint: usize) -> Listpack {
    let n = fields.len() / 2;
    let need: usize = 32 + fields.iter().map(|f| f.as_ref().len() + 6).sum::<usize>();
    let mut lp = Listpack::with_capacity(need.max(size_hint));
    push_int(&mut lp, 1);
    push_int(&mut lp, 0);
    push_int(&mut lp, n as i64);
    for f in fields.iter().step_by(2) {
        lp.push_back(f.as_ref());
    }
    push_int(&mut lp, 0);
    push_entry(&mut lp, id, id, fields, true);
    lp
}

fn push_entry<F: AsRef<[u8]>>(
    lp: &mut Listpack,
    master: StreamId,
    id: StreamId,
    fields: &[F],
    same: bool,
) {
    let n = fields.len() / 2;
    push_int(lp, if same { FLAG_SAMEFIELDS } else { 0 });
    push_int(lp, id.ms.wrapping_sub(master.ms) as i64);
    push_int(lp, id.seq.wrapping_sub(master.seq) as i64);
    if !same {
        push_int(lp, n as i64);
    }
    for pair in fields.chunks(2) {
        if !same {
            lp.push_back(pair[0].as_ref());
        }
        lp.push_back(pair[1].as_ref());
    }
    let count = if same { 3 + n } else { 3 + 2 * n + 1 };
    push_int(lp, count as i64);
}

/// Appends entry `id` to an existing node (streamAppendItem's tail case).
pub fn append<F: AsRef<[u8]>>(
    lp: &mut Listpack,
    master: StreamId,
    id: StreamId,
    fields: &[F],
    max_bytes: usize,
) {
    let h = header(lp);
    let n = fields.len() / 2;
    let same = n == h.master_fields && {
        let mut p = h.master_pos;
        fields.iter().step_by(2).all(|f| {
            let ok = Needle::new(f.as_ref()).matches(lp.get(p));
            p = lp.next(p);
            ok
        })
    };
    let extra: usize = 24 + fields.iter().map(|f| f.as_ref().len() + 4).sum::<usize>();
    lp.reserve(extra, max_bytes.max(MAX_PREALLOC));
    replace_int(lp, lp.first(), h.live + 1);
    push_entry(lp, master, id, fields, same);
}

/// A decoded entry.
#[derive(Clone, Copy, Debug)]
pub struct Raw<'a> {
    pub id: StreamId,
    pub flags: i64,
    pub flags_pos: usize,
    pub fields: Fields<'a>,
    /// Offset after the entry's lp-count.
    pub next: usize,
}

/// Decodes the entry whose flags are at `p`.
pub fn entry_at<'a>(lp: &'a Listpack, h: &Header, master: StreamId, p: usize) -> Raw<'a> {
    let flags = int_at(lp, p);
    let mut q = lp.next(p);
    let ms = int_at(lp, q);
    q = lp.next(q);
    let seq = int_at(lp, q);
    q = lp.next(q);
    let id = StreamId::new(
        master.ms.wrapping_add(ms as u64),
        master.seq.wrapping_add(seq as u64),
    );
    let same = flags & FLAG_SAMEFIELDS != 0;
    let (n, pos) = if same {
        (h.master_fields, q)
    } else {
        let n = int_at(lp, q).max(0) as usize;
        (n, lp.next(q))
    };
    let mut e = pos;
    for _ in 0..if same { n } else { 2 * n } {
        e = lp.next(e);
    }
    Raw {
        id,
        flags,
        flags_pos: p,
        fields: Fields {
            lp,
            master: h.master_pos,
            pos,
            n,
            same,
        },
        next: lp.next(e),
    }
}

/// The flags offset of the entry that ends at `end` (an offset after an
/// lp-count), or None when `end` is the end of the master entry.
pub fn entry_before(lp: &Listpack, end: usize) -> Option<usize> {
    let lc = lp.prev(end)?;
    let n = int_at(lp, lc);
    if n <= 0 {
        return None;
    }
    let mut p = lc;
    for _ in 0..n {
        p = lp.prev(p)?;
    }
    Some(p)
}

/// The last entry's ID, tombstones included (lpGetEdgeStreamID).
pub fn last_entry_id(lp: &Listpack, master: StreamId) -> Option<StreamId> {
    let p = entry_before(lp, lp.end())?;
    let h = header(lp);
    Some(entry_at(lp, &h, master, p).id)
}

/// The flags offset of live entry `id` in this node.
pub fn find_live(lp: &Listpack, master: StreamId, id: StreamId) -> Option<usize> {
    let h = header(lp);
    let mut p = h.first_entry;
    while p < lp.end() {
        let e = entry_at(lp, &h, master, p);
        if e.id > id {
            return None;
        }
        if e.id == id {
            return (e.flags & FLAG_DELETED == 0).then_some(p);
        }
        p = e.next;
    }
    None
}

/// Marks the live entry at `flags_pos` deleted and updates the counts; true
/// when it was the node's last live entry (the caller drops the node).
pub fn mark_deleted(lp: &mut Listpack, flags_pos: usize) -> bool {
    let flags = int_at(lp, flags_pos);
    // Flags stay within one byte: the offsets after it do not move.
    replace_int(lp, flags_pos, flags | FLAG_DELETED);
    let p0 = lp.first();
    let live = int_at(lp, p0);
    if live == 1 {
        return true;
    }
    replace_int(lp, p0, live - 1);
    let p1 = lp.next(lp.first());
    let del = int_at(lp, p1);
    replace_int(lp, p1, del + 1);
    false
}

/// The within-node part of streamTrim: walks entries from the head, calling
/// `go(id, live)` on each; marks the live ones it says to and stops at the
/// first it refuses. Returns how many it marked.
pub fn trim_head(
    lp: &mut Listpack,
    master: StreamId,
    mut go: impl FnMut(StreamId, bool) -> bool,
) -> u64 {
    let h = header(lp);
    let mut p = h.first_entry;
    let mut marked = 0i64;
    while p < lp.end() {
        let e = entry_at(lp, &h, master, p);
        let live = e.flags & FLAG_DELETED == 0;
        if !go(e.id, live) {
            break;
        }
        let next = e.next;
        if live {
            let f = e.flags | FLAG_DELETED;
            replace_int(lp, p, f);
            marked += 1;
        }
        p = next;
    }
    if marked > 0 {
        // Rewrite the counts (their encoding may change size: nothing is read
        // past this point through old offsets).
        let p0 = lp.first();
        replace_int(lp, p0, h.live - marked);
        let p1 = lp.next(lp.first());
        replace_int(lp, p1, h.deleted + marked);
    }
    marked as u64
}

/// One field or value as bytes (an integer-encoded one formatted as Redis
/// formats it).
#[derive(Clone, Copy)]
pub struct Item<'a> {
    s: &'a [u8],
    buf: [u8; I64_BUF],
    start: u8,
    int: bool,
}

impl<'a> Item<'a> {
    fn new(e: Elem<'a>) -> Item<'a> {
        match e {
            Elem::Str(s) => Item {
                s,
                buf: [0; I64_BUF],
                start: 0,
                int: false,
            },
            Elem::Int(v) => {
                let mut buf = [0u8; I64_BUF];
                let len = format_i64(v, &mut buf).len();
                Item {
                    s: &[],
                    buf,
                    start: (I64_BUF - len) as u8,
                    int: true,
                }
            }
        }
    }
}

impl Deref for Item<'_> {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        if self.int {
            &self.buf[self.start as usize..]
        } else {
            self.s
        }
    }
}

impl std::fmt::Debug for Item<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self))
    }
}

/// An entry's field/value pairs.
#[derive(Clone, Copy, Debug)]
pub struct Fields<'a> {
    lp: &'a Listpack,
    master: usize,
    pos: usize,
    n: usize,
    same: bool,
}

impl<'a> Fields<'a> {
    /// Number of pairs.
    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The pairs in order.
    pub fn iter(&self) -> FieldsIter<'a> {
        FieldsIter {
            f: *self,
            left: self.n,
        }
    }

    /// The pairs flattened to owned bytes (f1 v1 f2 v2 ...).
    pub fn to_vec(&self) -> Vec<Vec<u8>> {
        let mut v = Vec::with_capacity(self.n * 2);
        for (f, x) in self.iter() {
            v.push(f.to_vec());
            v.push(x.to_vec());
        }
        v
    }
}

impl<'a> IntoIterator for Fields<'a> {
    type Item = (Item<'a>, Item<'a>);
    type IntoIter = FieldsIter<'a>;
    fn into_iter(self) -> FieldsIter<'a> {
        self.iter()
    }
}

pub struct FieldsIter<'a> {
    f: Fields<'a>,
    left: usize,
}

impl<'a> Iterator for FieldsIter<'a> {
    type Item = (Item<'a>, Item<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let lp = self.f.lp;
        let field = if self.f.same {
            let (e, next) = lp.get_and_next(self.f.master);
            self.f.master = next;
            e
        } else {
            let (e, next) = lp.get_and_next(self.f.pos);
            self.f.pos = next;
            e
        };
        let (v, next) = lp.get_and_next(self.f.pos);
        self.f.pos = next;
        Some((Item::new(field), Item::new(v)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for FieldsIter<'_> {}

/// Entries of a range, node by node (streamIterator).
pub struct RangeIter<'a> {
    nodes: NodeIter<'a>,
    cur: Option<(StreamId, &'a Listpack, Header)>,
    /// Forward: the next entry's flags offset; reverse: the current entry's
    /// start (the next one to read ends there).
    pos: usize,
    start: StreamId,
    end: StreamId,
    rev: bool,
    skip_tombstones: bool,
    done: bool,
}

impl<'a> RangeIter<'a> {
    pub fn new(
        nodes: &'a NodeMap,
        start: StreamId,
        end: StreamId,
        rev: bool,
        skip_tombstones: bool,
    ) -> RangeIter<'a> {
        let done = start > end;
        let range = if done {
            nodes.range(StreamId::MAX, StreamId::MIN)
        } else if !rev {
            // From the node that may hold `start` (the last master <= start).
            let from = nodes.floor(start).map_or(StreamId::MIN, |(k, _)| k);
            nodes.range(from, end)
        } else {
            nodes.range_to(end)
        };
        RangeIter {
            nodes: range,
            cur: None,
            pos: 0,
            start,
            end,
            rev,
            skip_tombstones,
            done,
        }
    }

    fn next_node(&mut self) -> bool {
        let n = if self.rev {
            self.nodes.next_back()
        } else {
            self.nodes.next()
        };
        match n {
            Some((k, lp)) => {
                let h = header(lp);
                self.pos = if self.rev { lp.end() } else { h.first_entry };
                self.cur = Some((k, lp, h));
                true
            }
            None => {
                self.cur = None;
                false
            }
        }
    }
}

impl<'a> Iterator for RangeIter<'a> {
    type Item = (StreamId, Fields<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            let Some((master, lp, h)) = self.cur else {
                if !self.next_node() {
                    self.done = true;
                    return None;
                }
                continue;
            };
            let e = if self.rev {
                match entry_before(lp, self.pos) {
                    Some(p) if p >= h.first_entry => {
                        self.pos = p;
                        entry_at(lp, &h, master, p)
                    }
                    _ => {
                        self.cur = None;
                        continue;
                    }
                }
            } else {
                if self.pos >= lp.end() {
                    self.cur = None;
                    continue;
                }
                let e = entry_at(lp, &h, master, self.pos);
                self.pos = e.next;
                e
            };
            if !self.rev {
                if e.id > self.end {
                    self.done = true;
                    return None;
                }
                if e.id < self.start {
                    continue;
                }
            } else {
                if e.id < self.start {
                    self.done = true;
                    return None;
                }
                if e.id > self.end {
                    continue;
                }
            }
            if self.skip_tombstones && e.flags & FLAG_DELETED != 0 {
                continue;
            }
            return Some((e.id, e.fields));
        }
    }
}

/// Redis's rax node count for a stream's node keys (what lazyfreeGetFreeEffort
/// counts): the root, and for the keys' radix tree each branch point, each leaf,
/// and each chain between a branch and the next of those.
pub fn rax_node_count<'a>(keys: impl Iterator<Item = &'a StreamId>) -> usize {
    let keys: Vec<[u8; 16]> = keys.map(|k| k.to_be_bytes()).collect();
    if keys.is_empty() {
        return 1;
    }
    fn lcp(a: &[u8; 16], b: &[u8; 16]) -> usize {
        a.iter().zip(b).take_while(|(x, y)| x == y).count()
    }
    // The nodes under a group of keys that share `parent` bytes, whose parent
    // node is a branch (then a chain longer than one byte takes a node of its
    // own before the group's node) or the compressed root.
    fn group(keys: &[[u8; 16]], parent: usize, parent_branch: bool) -> usize {
        let d = if keys.len() == 1 {
            16
        } else {
            lcp(&keys[0], &keys[keys.len() - 1])
        };
        let own = if parent_branch && d - parent > 1 {
            2
        } else {
            1
        };
        if keys.len() == 1 {
            return own;
        }
        own + children(keys, d)
    }
    fn children(keys: &[[u8; 16]], d: usize) -> usize {
        let mut n = 0;
        let mut i = 0;
        while i < keys.len() {
            let b = keys[i][d];
            let j = i + keys[i..].iter().take_while(|k| k[d] == b).count();
            n += group(&keys[i..j], d, true);
            i = j;
        }
        n
    }
    let d = if keys.len() == 1 {
        16
    } else {
        lcp(&keys[0], &keys[keys.len() - 1])
    };
    if d == 0 {
        1 + children(&keys, 0)
    } else {
        1 + group(&keys, 0, false)
    }
}

/// Redis's deep streamValidateListpackIntegrity on a structurally valid
/// listpack, and a little more so that no read of a loaded node can go wrong:
/// the master entry (live and deleted counts, field count, names, the 0),
/// then exactly live + deleted entries, each with integer flags, ID deltas
/// and field count (none negative), its names and values, and an lp-count
/// equal to its element count; nothing after the last entry.
pub fn validate(lp: &Listpack) -> bool {
    let end = lp.end();
    let mut p = lp.first();
    let int = |p: &mut usize| -> Option<i64> {
        if *p >= end {
            return None;
        }
        let v = match lp.get(*p) {
            Elem::Int(v) => v,
            Elem::Str(s) => parse_i64(s)?,
        };
        *p = lp.next(*p);
        Some(v)
    };
    let skip = |p: &mut usize, n: i64| -> bool {
        for _ in 0..n {
            if *p >= end {
                return false;
            }
            *p = lp.next(*p);
        }
        true
    };
    let (Some(live), Some(deleted), Some(master_fields)) = (int(&mut p), int(&mut p), int(&mut p))
    else {
        return false;
    };
    if live < 0 || deleted < 0 || master_fields < 0 || !skip(&mut p, master_fields) {
        return false;
    }
    if int(&mut p) != Some(0) {
        return false;
    }
    let Some(total) = live.checked_add(deleted) else {
        return false;
    };
    for _ in 0..total {
        let (Some(flags), Some(_), Some(_)) = (int(&mut p), int(&mut p), int(&mut p)) else {
            return false;
        };
        let mut fields = master_fields;
        let mut extra = 3;
        if flags & FLAG_SAMEFIELDS == 0 {
            match int(&mut p) {
                Some(n) if n >= 0 => fields = n,
                _ => return false,
            }
            if !skip(&mut p, fields) {
                return false;
            }
            extra += fields + 1;
        }
        if !skip(&mut p, fields) {
            return false;
        }
        if int(&mut p) != Some(fields + extra) {
            return false;
        }
    }
    p == end
}
