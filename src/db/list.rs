//! The list value type: Redis 7.0's quicklist, a chain of listpack nodes
//! (`list/listpack.rs`), each node one packed byte buffer.
//!
//! ```text
//!   List: One(lp)                       a small list: one buffer, no chain
//!                                       (the fill kept in the buffer's aux bits)
//!       | Many(Arc<Chain>)              Chain { nodes: VecDeque<lp>, len, fill }
//!                                       [lp][lp][lp] ... push/pop at both ends O(1)
//! ```
//!
//! The chain sits behind an `Arc`: cloning a big list (an entry copied while a
//! snapshot holds it) is a refcount bump, and a write copies the chain only
//! when a snapshot still shares it (`Arc::make_mut` in `List::edit`).
//!
//! Node size follows `list-max-listpack-size` (the list's `fill`, fixed when the
//! list is created, as in Redis): negative values -1..-5 cap a node at 4, 8, 16,
//! 32 or 64 KB; a positive value caps the entries per node, with a node never
//! growing past 8 KB. A push that does not fit the end node starts a new one
//! (Redis's `_quicklistNodeAllowInsert`, including its size estimate); LINSERT
//! into a full node splits it and then merges neighbours that fit together.
//!
//! OBJECT ENCODING: Redis 7.0 creates every list as a quicklist, so it answers
//! `quicklist` even for a one-element list (the `listpack` list encoding arrived
//! in 7.2). The single-buffer `One` form is only how we store a one-node
//! quicklist without the chain around it; it reports `quicklist` too.
//!
//! Not done: `list-compress-depth` (LZF compression of inner nodes) is accepted
//! by CONFIG and ignored; elements of 1 GB and more are not given "plain" nodes
//! of their own but a listpack node of their own.

pub mod listpack;

use std::collections::VecDeque;
use std::sync::Arc;

use bytes::Bytes;

pub use listpack::{Elem, Listpack, Needle};

/// A node may grow past its entry limit only while it stays below this size.
const SIZE_SAFETY_LIMIT: usize = 8192;
/// Node byte limits for fill -1..-5.
const OPTIMIZATION_LEVEL: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// Largest positive fill (Redis keeps it in 16 signed bits).
const FILL_MAX: i64 = (1 << 15) - 1;
/// Elements this large never share a node (Redis's packed_threshold default).
const PACKED_THRESHOLD: usize = 1 << 30;

/// `list-max-listpack-size`, clamped as Redis's `quicklistSetFill`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fill(i32);

impl Fill {
    pub fn new(v: i64) -> Fill {
        Fill(v.clamp(-5, FILL_MAX) as i32)
    }

    fn meets_optimization(self, sz: usize) -> bool {
        self.0 < 0 && sz <= OPTIMIZATION_LEVEL[(-self.0 - 1) as usize]
    }

    /// Whether an element of `sz` bytes may join `node` (Redis 7.0's estimate:
    /// the raw length plus the worst-case entry overhead).
    fn allow_insert(self, node: &Listpack, sz: usize) -> bool {
        if sz >= PACKED_THRESHOLD {
            return false;
        }
        let overhead = if sz < 254 { 1 } else { 5 }
            + if sz < 64 {
                1
            } else if sz < 16384 {
                2
            } else {
                5
            };
        let new_sz = node.bytes() + sz + overhead;
        if self.meets_optimization(new_sz) {
            true
        } else if new_sz > SIZE_SAFETY_LIMIT {
            false
        } else {
            (node.len() as i64) < self.0 as i64
        }
    }

    /// Whether two neighbours may become one node.
    fn allow_merge(self, a: &Listpack, b: &Listpack) -> bool {
        let merged = a.bytes() + b.bytes() - listpack::EMPTY_SIZE;
        if self.meets_optimization(merged) {
            true
        } else if merged > SIZE_SAFETY_LIMIT {
            false
        } else {
            (a.len() + b.len()) as i64 <= self.0 as i64
        }
    }

    /// The byte size a node may grow to.
    fn max_bytes(self) -> usize {
        if self.0 < 0 {
            OPTIMIZATION_LEVEL[(-self.0 - 1) as usize]
        } else {
            SIZE_SAFETY_LIMIT
        }
    }

    /// Whether a node is within its limits (after an in-place replace).
    fn fits(self, node: &Listpack) -> bool {
        self.meets_optimization(node.bytes())
            || (node.bytes() <= SIZE_SAFETY_LIMIT && node.len() as i64 <= self.0 as i64)
    }
}

impl Fill {
    /// The fill as a list's one node keeps it (16 bits: -5..=32767 fits).
    fn to_aux(self) -> u16 {
        self.0 as i16 as u16
    }

    fn from_aux(v: u16) -> Fill {
        Fill(v as i16 as i32)
    }
}

impl Default for Fill {
    fn default() -> Self {
        Fill(-2)
    }
}

/// The nodes: a lone listpack, or a chain of them. Never zero nodes: an empty
/// list is `One` with an empty listpack.
#[derive(Clone, Debug)]
enum Nodes {
    One(Listpack),
    Many(VecDeque<Listpack>),
}

impl Nodes {
    #[inline]
    fn count(&self) -> usize {
        match self {
            Nodes::One(_) => 1,
            Nodes::Many(v) => v.len(),
        }
    }

    #[inline]
    fn get(&self, i: usize) -> &Listpack {
        match self {
            Nodes::One(lp) => lp,
            Nodes::Many(v) => &v[i],
        }
    }

    #[inline]
    fn get_mut(&mut self, i: usize) -> &mut Listpack {
        match self {
            Nodes::One(lp) => lp,
            Nodes::Many(v) => &mut v[i],
        }
    }

    fn insert(&mut self, i: usize, lp: Listpack) {
        match self {
            Nodes::One(first) => {
                let mut v = VecDeque::with_capacity(4);
                v.push_back(std::mem::take(first));
                v.insert(i, lp);
                *self = Nodes::Many(v);
            }
            Nodes::Many(v) => v.insert(i, lp),
        }
    }

    fn remove(&mut self, i: usize) -> Listpack {
        match self {
            Nodes::One(lp) => std::mem::take(lp),
            Nodes::Many(v) => {
                let lp = v.remove(i).expect("node index");
                if v.len() == 1 {
                    *self = Nodes::One(v.pop_front().expect("one node"));
                }
                lp
            }
        }
    }
}

/// A list's storage: a lone listpack (the list's fill in its `aux` bits), or
/// the chain behind an `Arc`, so cloning a big list is a refcount bump.
/// `Taken` only exists while [`List::edit`] holds the nodes.
#[derive(Clone, Debug)]
enum Repr {
    One(Listpack),
    Many(Arc<Chain>),
    Taken,
}

/// A chain of two or more nodes.
#[derive(Clone, Debug)]
struct Chain {
    nodes: VecDeque<Listpack>,
    len: usize,
    fill: Fill,
}

/// A Redis list.
#[derive(Clone, Debug)]
pub struct List {
    repr: Repr,
}

impl Default for List {
    fn default() -> Self {
        List::new(Fill::default())
    }
}

/// A list opened for a write (see [`List::edit`]): the quicklist algorithms
/// work on plain nodes, length and fill here.
struct Work {
    nodes: Nodes,
    len: usize,
    fill: Fill,
    /// The chain's allocation, reused when the list stays a chain.
    arc: Option<Arc<Chain>>,
}

impl Work {
    /// The storage for the edited nodes.
    fn finish(self) -> Repr {
        match self.nodes {
            Nodes::One(mut lp) => {
                lp.set_aux(self.fill.to_aux());
                Repr::One(lp)
            }
            Nodes::Many(nodes) => {
                let chain = Chain {
                    nodes,
                    len: self.len,
                    fill: self.fill,
                };
                match self.arc {
                    Some(mut arc) => {
                        *Arc::get_mut(&mut arc).expect("made unique by edit") = chain;
                        Repr::Many(arc)
                    }
                    None => Repr::Many(Arc::new(chain)),
                }
            }
        }
    }
}

/// Node and position inside it of element `index` (< len), walking from the
/// nearer end; `node_len(i)` is node i's element count.
fn locate(len: usize, n: usize, node_len: impl Fn(usize) -> usize, index: usize) -> (usize, usize) {
    if index < len / 2 {
        let mut i = index;
        for ni in 0..n {
            let c = node_len(ni);
            if i < c {
                return (ni, i);
            }
            i -= c;
        }
    } else {
        let mut from_end = len - index;
        for ni in (0..n).rev() {
            let c = node_len(ni);
            if from_end <= c {
                return (ni, c - from_end);
            }
            from_end -= c;
        }
    }
    unreachable!("list index {index} out of {len}")
}

/// A Redis index (negative counts from the tail) as a position below `len`.
fn resolve(len: usize, index: i64) -> Option<usize> {
    let i = if index < 0 {
        index.checked_add(len as i64)?
    } else {
        index
    };
    (i >= 0 && (i as usize) < len).then_some(i as usize)
}

impl List {
    pub fn new(fill: Fill) -> List {
        let mut lp = Listpack::new();
        lp.set_aux(fill.to_aux());
        List {
            repr: Repr::One(lp),
        }
    }

    /// Redis's OBJECT ENCODING name: always `quicklist` in Redis 7.0.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    #[inline]
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::One(lp) => lp.len(),
            Repr::Many(c) => c.len,
            Repr::Taken => unreachable!("list taken for a write"),
        }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn fill(&self) -> Fill {
        match &self.repr {
            Repr::One(lp) => Fill::from_aux(lp.aux()),
            Repr::Many(c) => c.fill,
            Repr::Taken => unreachable!("list taken for a write"),
        }
    }

    /// Number of listpack nodes.
    #[inline]
    pub fn node_count(&self) -> usize {
        match &self.repr {
            Repr::One(_) => 1,
            Repr::Many(c) => c.nodes.len(),
            Repr::Taken => unreachable!("list taken for a write"),
        }
    }

    #[inline]
    fn node(&self, i: usize) -> &Listpack {
        match &self.repr {
            Repr::One(lp) => lp,
            Repr::Many(c) => &c.nodes[i],
            Repr::Taken => unreachable!("list taken for a write"),
        }
    }

    /// The nodes front to back (RDB writes them as they are).
    pub fn nodes(&self) -> impl Iterator<Item = &Listpack> {
        (0..self.node_count()).map(move |i| self.node(i))
    }

    /// Opens the list for a write: the nodes move into a [`Work`] (the chain
    /// made unique first, copying it if a snapshot still shares it), `f` edits
    /// them, and the result goes back as one buffer or a chain.
    fn edit<R>(&mut self, f: impl FnOnce(&mut Work) -> R) -> R {
        let mut w = match std::mem::replace(&mut self.repr, Repr::Taken) {
            Repr::One(lp) => Work {
                len: lp.len(),
                fill: Fill::from_aux(lp.aux()),
                nodes: Nodes::One(lp),
                arc: None,
            },
            Repr::Many(mut arc) => {
                let c = Arc::make_mut(&mut arc);
                Work {
                    nodes: Nodes::Many(std::mem::take(&mut c.nodes)),
                    len: c.len,
                    fill: c.fill,
                    arc: Some(arc),
                }
            }
            Repr::Taken => unreachable!("list taken for a write"),
        };
        let r = f(&mut w);
        self.repr = w.finish();
        r
    }

    /// Appends a whole node (RDB loading); empty nodes are ignored.
    pub fn append_node(&mut self, lp: Listpack) {
        self.edit(|w| w.append_node(lp))
    }

    /// Heap bytes held by the nodes (plus the chain, if any).
    pub fn mem_usage(&self) -> usize {
        use crate::alloc::size_class;
        let chain = match &self.repr {
            Repr::Many(c) => {
                size_class(2 * std::mem::size_of::<usize>() + std::mem::size_of::<Chain>())
                    + size_class(c.nodes.capacity() * std::mem::size_of::<Listpack>())
            }
            _ => 0,
        };
        chain + self.nodes().map(|lp| lp.capacity()).sum::<usize>()
    }

    /// Pushes at the head (`left`) or the tail.
    pub fn push(&mut self, elem: &[u8], left: bool) {
        if left {
            self.push_front(elem)
        } else {
            self.push_back(elem)
        }
    }

    pub fn push_back(&mut self, elem: &[u8]) {
        self.edit(|w| w.push_back(elem))
    }

    pub fn push_front(&mut self, elem: &[u8]) {
        self.edit(|w| w.push_front(elem))
    }

    /// Pops from the head (`left`) or the tail.
    pub fn pop(&mut self, left: bool) -> Option<Bytes> {
        if self.is_empty() {
            return None;
        }
        self.edit(|w| w.pop(left))
    }

    /// Node and position inside it of element `index` (< len).
    fn locate(&self, index: usize) -> (usize, usize) {
        locate(self.len(), self.node_count(), |i| self.node(i).len(), index)
    }

    /// Turns a Redis index (negative counts from the tail) into a position.
    pub fn resolve(&self, index: i64) -> Option<usize> {
        resolve(self.len(), index)
    }

    /// Element at a Redis index (LINDEX).
    pub fn get(&self, index: i64) -> Option<Elem<'_>> {
        let (ni, li) = self.locate(self.resolve(index)?);
        let lp = self.node(ni);
        Some(lp.get(lp.seek(li as i64)?))
    }

    /// Replaces the element at a Redis index (LSET); false when out of range.
    pub fn set(&mut self, index: i64, elem: &[u8]) -> bool {
        if self.resolve(index).is_none() {
            return false;
        }
        self.edit(|w| w.set(index, elem))
    }

    /// LINSERT: inserts `elem` before or after the first element equal to
    /// `pivot`; false when there is no such element.
    pub fn insert_at_pivot(&mut self, pivot: &Needle<'_>, elem: &[u8], after: bool) -> bool {
        self.edit(|w| w.insert_at_pivot(pivot, elem, after))
    }

    /// Deletes `n` elements starting at position `start` (clamped to the end).
    pub fn delete_range(&mut self, start: usize, n: usize) {
        if start >= self.len() || n == 0 {
            return;
        }
        self.edit(|w| w.delete_range(start, n))
    }

    /// LREM: removes elements equal to `needle`; `count` > 0 from the head,
    /// < 0 from the tail, 0 all of them. Returns how many were removed.
    pub fn remove_matching(&mut self, needle: &Needle<'_>, count: i64) -> usize {
        self.edit(|w| w.remove_matching(needle, count))
    }

    /// Iterates `n` elements from position `start` towards the tail
    /// (`forward`) or the head. `start` must be a valid position unless `n` is 0.
    pub fn iter_from(&self, start: usize, forward: bool, n: usize) -> Iter<'_> {
        let n = if start < self.len() {
            n.min(if forward {
                self.len() - start
            } else {
                start + 1
            })
        } else {
            0
        };
        let (node, off) = if n == 0 {
            (0, 0)
        } else {
            let (ni, li) = self.locate(start);
            (ni, self.node(ni).seek(li as i64).expect("located"))
        };
        Iter {
            list: self,
            lp: self.node(node),
            node,
            off,
            forward,
            left: n,
        }
    }

    /// Calls `f` on `n` elements from position `start` towards the tail (`n`
    /// is clamped to the list): what [`List::iter_from`] yields forward, in a
    /// loop per node instead of a lookup of the node per element.
    pub fn for_each_in_range<'a>(&'a self, start: usize, n: usize, mut f: impl FnMut(Elem<'a>)) {
        if start >= self.len() {
            return;
        }
        let mut left = n.min(self.len() - start);
        if left == 0 {
            return;
        }
        let (mut ni, li) = self.locate(start);
        let mut p = self.node(ni).seek(li as i64).expect("located");
        loop {
            left -= self.node(ni).visit_from(p, left, &mut f);
            if left == 0 {
                return;
            }
            ni += 1;
            debug_assert!(ni < self.node_count(), "list length and nodes disagree");
            p = listpack::HDR;
        }
    }

    /// All elements, head to tail.
    pub fn iter(&self) -> Iter<'_> {
        self.iter_from(0, true, self.len())
    }
}

impl Work {
    fn push_back(&mut self, elem: &[u8]) {
        let n = self.nodes.count();
        let tail = self.nodes.get_mut(n - 1);
        if tail.is_empty() || self.fill.allow_insert(tail, elem.len()) {
            tail.reserve(listpack::entry_size(elem), self.fill.max_bytes());
            tail.push_back(elem);
        } else {
            tail.shrink();
            self.nodes.insert(n, self.end_node_with(elem));
        }
        self.len += 1;
    }

    fn push_front(&mut self, elem: &[u8]) {
        let head = self.nodes.get_mut(0);
        if head.is_empty() || self.fill.allow_insert(head, elem.len()) {
            head.reserve(listpack::entry_size(elem), self.fill.max_bytes());
            head.push_front(elem);
        } else {
            head.shrink();
            self.nodes.insert(0, self.end_node_with(elem));
        }
        self.len += 1;
    }

    /// A new end node for a list that is growing at that end: it starts at half
    /// the node size, so filling it costs one reallocation rather than a chain
    /// of doublings (which fragments the heap).
    fn end_node_with(&self, elem: &[u8]) -> Listpack {
        let mut lp = Listpack::with_capacity(self.fill.max_bytes() / 2);
        lp.push_back(elem);
        lp
    }

    /// Pops from the head (`left`) or the tail.
    fn pop(&mut self, left: bool) -> Option<Bytes> {
        if self.len == 0 {
            return None;
        }
        let ni = if left { 0 } else { self.nodes.count() - 1 };
        let lp = self.nodes.get_mut(ni);
        let p = if left { lp.first() } else { lp.last()? };
        let v = lp.get(p).to_bytes();
        lp.delete(p);
        if lp.is_empty() {
            self.nodes.remove(ni);
        }
        self.len -= 1;
        Some(v)
    }

    fn locate(&self, index: usize) -> (usize, usize) {
        locate(
            self.len,
            self.nodes.count(),
            |i| self.nodes.get(i).len(),
            index,
        )
    }

    fn resolve(&self, index: i64) -> Option<usize> {
        resolve(self.len, index)
    }

    /// Replaces the element at a Redis index (LSET); false when out of range.
    fn set(&mut self, index: i64, elem: &[u8]) -> bool {
        let Some(i) = self.resolve(index) else {
            return false;
        };
        let (ni, li) = self.locate(i);
        let fill = self.fill;
        let lp = self.nodes.get_mut(ni);
        let p = lp.seek(li as i64).expect("located");
        lp.replace(p, elem);
        if !fill.fits(lp) && lp.len() > 1 {
            // The node outgrew its limits: give the element a node of its own,
            // then let the pieces merge back where they fit.
            let after = lp.split_off(li + 1);
            let me = lp.split_off(li);
            let mut at = ni + 1;
            if lp.is_empty() {
                self.nodes.remove(ni);
                at = ni;
            }
            self.nodes.insert(at, me);
            if !after.is_empty() {
                self.nodes.insert(at + 1, after);
                self.try_merge(at + 1);
            }
            self.try_merge(at);
            if at > 0 {
                self.try_merge(at - 1);
            }
        }
        true
    }

    /// Merges node `i` with node `i + 1` when they fit in one; true if merged.
    fn try_merge(&mut self, i: usize) -> bool {
        if i + 1 >= self.nodes.count()
            || !self
                .fill
                .allow_merge(self.nodes.get(i), self.nodes.get(i + 1))
        {
            return false;
        }
        let b = self.nodes.remove(i + 1);
        let a = self.nodes.get_mut(i);
        a.append(&b);
        a.shrink();
        true
    }

    /// LINSERT: inserts `elem` before or after the first element equal to
    /// `pivot`; false when there is no such element.
    fn insert_at_pivot(&mut self, pivot: &Needle<'_>, elem: &[u8], after: bool) -> bool {
        for ni in 0..self.nodes.count() {
            let lp = self.nodes.get(ni);
            let (mut p, mut li) = (lp.first(), 0);
            while p < lp.end() {
                if pivot.matches(lp.get(p)) {
                    self.insert_in_node(ni, li, p, elem, after);
                    return true;
                }
                p = lp.next(p);
                li += 1;
            }
        }
        false
    }

    /// Redis's `_quicklistInsert`: into the node if it fits, else into the
    /// neighbour at that edge, else a new node there, else split the node.
    fn insert_in_node(&mut self, ni: usize, li: usize, p: usize, elem: &[u8], after: bool) {
        let fill = self.fill;
        let sz = elem.len();
        let count = self.nodes.count();
        let node = self.nodes.get(ni);
        let full = !fill.allow_insert(node, sz);
        let at_tail = after && node.next(p) == node.end();
        let at_head = !after && p == node.first();
        self.len += 1;
        if !full {
            let at = if after { node.next(p) } else { p };
            self.nodes.get_mut(ni).insert(at, elem);
        } else if at_tail && ni + 1 < count && fill.allow_insert(self.nodes.get(ni + 1), sz) {
            self.nodes.get_mut(ni + 1).push_front(elem);
        } else if at_head && ni > 0 && fill.allow_insert(self.nodes.get(ni - 1), sz) {
            self.nodes.get_mut(ni - 1).push_back(elem);
        } else if at_tail || at_head {
            self.nodes
                .insert(if after { ni + 1 } else { ni }, node_with(elem));
        } else {
            let k = if after { li + 1 } else { li };
            let mut tail = self.nodes.get_mut(ni).split_off(k);
            self.nodes.get_mut(ni).shrink();
            let t = if fill.allow_insert(&tail, sz) {
                tail.push_front(elem);
                ni + 1
            } else {
                self.nodes.insert(ni + 1, node_with(elem));
                ni + 2
            };
            self.nodes.insert(t, tail);
            for i in (ni.saturating_sub(1)..t + 1).rev() {
                self.try_merge(i);
            }
        }
    }

    /// Deletes `n` elements starting at position `start` (clamped to the end).
    fn delete_range(&mut self, start: usize, n: usize) {
        if start >= self.len || n == 0 {
            return;
        }
        let n = n.min(self.len - start);
        let (mut ni, mut li) = self.locate(start);
        let mut left = n;
        while left > 0 {
            let c = self.nodes.get(ni).len();
            if li == 0 && left >= c {
                self.nodes.remove(ni);
                left -= c;
                continue;
            }
            let k = left.min(c - li);
            self.nodes.get_mut(ni).delete_range(li, k);
            left -= k;
            ni += 1;
            li = 0;
        }
        self.len -= n;
    }

    /// LREM: removes elements equal to `needle`; `count` > 0 from the head,
    /// < 0 from the tail, 0 all of them. Returns how many were removed.
    fn remove_matching(&mut self, needle: &Needle<'_>, count: i64) -> usize {
        let limit = if count == 0 {
            usize::MAX
        } else {
            usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX)
        };
        let from_tail = count < 0;
        let mut removed = 0;
        let mut ni = if from_tail { self.nodes.count() } else { 0 };
        while removed < limit && self.len > removed {
            if from_tail {
                if ni == 0 {
                    break;
                }
                ni -= 1;
            } else if ni >= self.nodes.count() {
                break;
            }
            let lp = self.nodes.get_mut(ni);
            let k = if from_tail {
                let m = lp.count_matches(needle);
                let k = m.min(limit - removed);
                lp.remove_matches(needle, m - k, k)
            } else {
                lp.remove_matches(needle, 0, limit - removed)
            };
            removed += k;
            if lp.is_empty() && self.nodes.count() > 1 {
                self.nodes.remove(ni);
            } else if !from_tail {
                ni += 1;
            }
        }
        self.len -= removed;
        removed
    }

    /// Appends a whole node (RDB loading); empty nodes are ignored.
    fn append_node(&mut self, lp: Listpack) {
        if lp.is_empty() {
            return;
        }
        self.len += lp.len();
        if self.nodes.count() == 1 && self.nodes.get(0).is_empty() {
            self.nodes = Nodes::One(lp);
        } else {
            let n = self.nodes.count();
            self.nodes.insert(n, lp);
        }
    }
}

/// A new node holding one element.
fn node_with(elem: &[u8]) -> Listpack {
    let mut lp = Listpack::with_capacity(listpack::EMPTY_SIZE + listpack::entry_size(elem));
    lp.push_back(elem);
    lp
}

/// Iterator over a run of a list's elements (see [`List::iter_from`]).
pub struct Iter<'a> {
    list: &'a List,
    /// The node `node`, looked up once per node rather than per element.
    lp: &'a Listpack,
    node: usize,
    off: usize,
    forward: bool,
    left: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Elem<'a>;

    fn next(&mut self) -> Option<Elem<'a>> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let lp = self.lp;
        if self.forward {
            let (e, next) = lp.get_and_next(self.off);
            self.off = next;
            if self.left > 0 && self.off >= lp.end() {
                self.node += 1;
                self.lp = self.list.node(self.node);
                self.off = self.lp.first();
            }
            return Some(e);
        }
        let e = lp.get(self.off);
        if self.left > 0 {
            match lp.prev(self.off) {
                Some(p) => self.off = p,
                None => {
                    self.node -= 1;
                    self.lp = self.list.node(self.node);
                    self.off = self.lp.last().expect("non-empty node");
                }
            }
        }
        Some(e)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

#[cfg(test)]
mod tests;
