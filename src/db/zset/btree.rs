//! The ordered part of a big sorted set: a B+ tree over (score, member) with a
//! subtree count per child (an order-statistic tree), playing the role of
//! Redis's skiplist with spans.
//!
//! ```text
//!  Inner: mins[i]   smallest item under kids[i] (a live member: kept up to date)
//!         counts[i] items under kids[i]
//!         kids[i]
//!  Leaf:  items     up to CAP (score, member pointer) pairs in order
//! ```
//!
//! Items carry the score by value so comparisons only follow the member pointer
//! on equal scores. Insert, delete, rank, select (nth) and partition points are
//! O(log n); walking k ranks is O(log n + k). A leaf that splits because of an
//! append at its end (increasing scores: timestamps, counters) keeps its items
//! and starts a new leaf, so sequential inserts pack leaves full; a child that
//! falls below a quarter merges with a neighbour when the two fit in one node.
//! With 16-byte items and 64-item leaves that is about 16 to 32 bytes per member
//! for the tree, against Redis's 32 to 64-byte skiplist nodes.

use std::cmp::Ordering;

use super::blob::{self, Ele};

const CAP: usize = 64;
const MIN: usize = CAP / 4;

#[derive(Clone, Copy)]
pub struct Item {
    pub score: f64,
    pub ele: Ele,
}

impl Item {
    #[inline]
    pub fn member<'a>(&self) -> &'a [u8] {
        blob::member(self.ele)
    }

    /// Redis's order of (score, member) against a key.
    #[inline]
    fn cmp_key(&self, score: f64, m: &[u8]) -> Ordering {
        if self.score < score {
            Ordering::Less
        } else if self.score > score {
            Ordering::Greater
        } else {
            self.member().cmp(m)
        }
    }
}

enum Node {
    Leaf(Vec<Item>),
    Inner(Box<Inner>),
}

struct Inner {
    mins: Vec<Item>,
    counts: Vec<usize>,
    kids: Vec<Node>,
}

impl Node {
    #[inline]
    fn min(&self) -> Item {
        match self {
            Node::Leaf(v) => v[0],
            Node::Inner(n) => n.mins[0],
        }
    }

    #[inline]
    fn width(&self) -> usize {
        match self {
            Node::Leaf(v) => v.len(),
            Node::Inner(n) => n.kids.len(),
        }
    }
}

impl Inner {
    /// The child whose range holds the key: the last with `min <= key` (or 0).
    #[inline]
    fn child_for(&self, score: f64, m: &[u8]) -> usize {
        self.mins
            .partition_point(|x| x.cmp_key(score, m) != Ordering::Greater)
            .saturating_sub(1)
    }

    /// The child holding rank `r` and the rank inside it.
    #[inline]
    fn child_at(&self, mut r: usize) -> (usize, usize) {
        for (i, &c) in self.counts.iter().enumerate() {
            if r < c {
                return (i, r);
            }
            r -= c;
        }
        unreachable!("rank below the subtree count")
    }

    /// Inserts `node` (holding `count` items) as child `at`.
    fn put(&mut self, at: usize, node: Node, count: usize) {
        self.mins.insert(at, node.min());
        self.counts.insert(at, count);
        self.kids.insert(at, node);
    }

    fn take(&mut self, at: usize) -> (Node, usize) {
        self.mins.remove(at);
        (self.kids.remove(at), self.counts.remove(at))
    }

    /// Repairs child `i` after a removal below it: drops it when empty,
    /// refreshes its min, merges it into a neighbour when both fit in one node.
    fn fix(&mut self, i: usize) {
        if self.kids[i].width() == 0 {
            self.take(i);
            return;
        }
        self.mins[i] = self.kids[i].min();
        if self.kids[i].width() >= MIN || self.kids.len() == 1 {
            return;
        }
        let l = if i > 0 { i - 1 } else { i };
        if self.kids[l].width() + self.kids[l + 1].width() > CAP {
            return;
        }
        let (right, rc) = self.take(l + 1);
        self.counts[l] += rc;
        match (&mut self.kids[l], right) {
            (Node::Leaf(a), Node::Leaf(b)) => {
                a.reserve_exact(b.len());
                a.extend_from_slice(&b);
            }
            (Node::Inner(a), Node::Inner(b)) => {
                let b = *b;
                a.mins.extend(b.mins);
                a.counts.extend(b.counts);
                a.kids.extend(b.kids);
            }
            _ => unreachable!("siblings are at the same depth"),
        }
    }
}

/// Splits a full leaf before inserting at `pos`; returns the new right sibling.
fn split_leaf(items: &mut Vec<Item>, pos: usize) -> Vec<Item> {
    if pos == items.len() {
        Vec::with_capacity(4) // append: keep this leaf full
    } else if pos == 0 {
        std::mem::replace(items, Vec::with_capacity(4)) // prepend, likewise
    } else {
        items.split_off(CAP / 2)
    }
}

/// Inserts into a leaf that has room, growing it in steps up to CAP.
fn leaf_insert(items: &mut Vec<Item>, pos: usize, it: Item) {
    if items.len() == items.capacity() {
        let want = (items.capacity() * 2).clamp(4, CAP);
        items.reserve_exact(want - items.len());
    }
    items.insert(pos, it);
}

/// Inserts below `node`; a split returns the new right sibling and its count.
fn insert_rec(node: &mut Node, it: Item, m: &[u8]) -> Option<(Node, usize)> {
    match node {
        Node::Leaf(items) => {
            let pos = items.partition_point(|x| x.cmp_key(it.score, m) == Ordering::Less);
            if items.len() < CAP {
                leaf_insert(items, pos, it);
                return None;
            }
            let mut right = split_leaf(items, pos);
            if pos < items.len() || (pos == items.len() && !right.is_empty() && items.len() < CAP) {
                leaf_insert(items, pos, it);
            } else {
                let rpos = pos - items.len();
                leaf_insert(&mut right, rpos, it);
            }
            let rc = right.len();
            Some((Node::Leaf(right), rc))
        }
        Node::Inner(inn) => {
            let i = inn.child_for(it.score, m);
            let split = insert_rec(&mut inn.kids[i], it, m);
            inn.counts[i] += 1;
            inn.mins[i] = inn.kids[i].min();
            let (right, rc) = split?;
            inn.counts[i] -= rc;
            if inn.kids.len() < CAP {
                inn.put(i + 1, right, rc);
                return None;
            }
            // Full: split this node too (an append starts a new node).
            let at = if i + 1 == CAP { CAP } else { CAP / 2 };
            let mut r = Inner {
                mins: inn.mins.split_off(at),
                counts: inn.counts.split_off(at),
                kids: inn.kids.split_off(at),
            };
            if i < at && at < CAP {
                inn.put(i + 1, right, rc);
            } else {
                r.put(i + 1 - at, right, rc);
            }
            let total = r.counts.iter().sum();
            Some((Node::Inner(Box::new(r)), total))
        }
    }
}

fn remove_rec(node: &mut Node, score: f64, m: &[u8]) -> Option<Item> {
    match node {
        Node::Leaf(items) => {
            let pos = items.partition_point(|x| x.cmp_key(score, m) == Ordering::Less);
            if pos < items.len() && items[pos].cmp_key(score, m) == Ordering::Equal {
                Some(items.remove(pos))
            } else {
                None
            }
        }
        Node::Inner(inn) => {
            let i = inn.child_for(score, m);
            let it = remove_rec(&mut inn.kids[i], score, m)?;
            inn.counts[i] -= 1;
            inn.fix(i);
            Some(it)
        }
    }
}

fn remove_at_rec(node: &mut Node, r: usize) -> Item {
    match node {
        Node::Leaf(items) => items.remove(r),
        Node::Inner(inn) => {
            let (i, rr) = inn.child_at(r);
            let it = remove_at_rec(&mut inn.kids[i], rr);
            inn.counts[i] -= 1;
            inn.fix(i);
            it
        }
    }
}

fn for_ranks_rec(node: &Node, a: usize, b: usize, rev: bool, f: &mut impl FnMut(&Item)) {
    match node {
        Node::Leaf(items) => {
            let s = &items[a..=b];
            if rev {
                s.iter().rev().for_each(f);
            } else {
                s.iter().for_each(f);
            }
        }
        Node::Inner(inn) => {
            let (i0, a0) = inn.child_at(a);
            let (i1, b1) = inn.child_at(b);
            let mut visit = |i: usize| {
                let x = if i == i0 { a0 } else { 0 };
                let y = if i == i1 { b1 } else { inn.counts[i] - 1 };
                for_ranks_rec(&inn.kids[i], x, y, rev, f);
            };
            if rev {
                (i0..=i1).rev().for_each(&mut visit);
            } else {
                (i0..=i1).for_each(&mut visit);
            }
        }
    }
}

/// The order-statistic B+ tree.
pub struct Tree {
    root: Node,
    len: usize,
}

impl Default for Tree {
    fn default() -> Self {
        Tree {
            root: Node::Leaf(Vec::new()),
            len: 0,
        }
    }
}

impl Tree {
    pub fn len(&self) -> usize {
        self.len
    }

    /// Builds from items in order (leaves and nodes packed full).
    pub fn from_sorted(items: Vec<Item>) -> Tree {
        let len = items.len();
        if len <= CAP {
            return Tree {
                root: Node::Leaf(items),
                len,
            };
        }
        let mut level: Vec<(Node, usize)> = items
            .chunks(CAP)
            .map(|c| (Node::Leaf(c.to_vec()), c.len()))
            .collect();
        while level.len() > 1 {
            let mut next = Vec::with_capacity(level.len() / CAP + 1);
            let mut it = level.into_iter().peekable();
            while it.peek().is_some() {
                let mut inn = Inner {
                    mins: Vec::with_capacity(CAP),
                    counts: Vec::with_capacity(CAP),
                    kids: Vec::with_capacity(CAP),
                };
                let mut total = 0;
                for (n, c) in it.by_ref().take(CAP) {
                    total += c;
                    inn.put(inn.kids.len(), n, c);
                }
                next.push((Node::Inner(Box::new(inn)), total));
            }
            level = next;
        }
        Tree {
            root: level.pop().expect("one root").0,
            len,
        }
    }

    /// Inserts an item whose (score, member) is not present.
    pub fn insert(&mut self, it: Item) {
        let m = it.member();
        if let Some((right, rc)) = insert_rec(&mut self.root, it, m) {
            let left = std::mem::replace(&mut self.root, Node::Leaf(Vec::new()));
            let lc = self.len + 1 - rc;
            let mut inn = Inner {
                mins: Vec::with_capacity(4),
                counts: Vec::with_capacity(4),
                kids: Vec::with_capacity(4),
            };
            inn.put(0, left, lc);
            inn.put(1, right, rc);
            self.root = Node::Inner(Box::new(inn));
        }
        self.len += 1;
    }

    fn shrink_root(&mut self) {
        while let Node::Inner(inn) = &mut self.root {
            if inn.kids.len() != 1 {
                break;
            }
            self.root = inn.kids.pop().expect("one child");
        }
        if self.len == 0 {
            self.root = Node::Leaf(Vec::new());
        }
    }

    /// Removes the item (score, member); the removed item if present.
    pub fn remove(&mut self, score: f64, m: &[u8]) -> Option<Item> {
        let it = remove_rec(&mut self.root, score, m)?;
        self.len -= 1;
        self.shrink_root();
        Some(it)
    }

    /// Removes the item at rank `r` (< len).
    pub fn remove_at(&mut self, r: usize) -> Item {
        let it = remove_at_rec(&mut self.root, r);
        self.len -= 1;
        self.shrink_root();
        it
    }

    /// Changes the score of a present item in place when its position does
    /// not change and it is inside its leaf (not the leaf's first or last, so
    /// no parent min moves); false when the caller must remove and re-insert
    /// (zslUpdateScore's fast path).
    pub fn update_in_place(&mut self, old: f64, m: &[u8], new: f64) -> bool {
        let mut node = &mut self.root;
        loop {
            match node {
                Node::Leaf(items) => {
                    let pos = items.partition_point(|x| x.cmp_key(old, m) == Ordering::Less);
                    if pos == 0 || pos + 1 >= items.len() {
                        return false;
                    }
                    let ok = items[pos - 1].cmp_key(new, m) == Ordering::Less
                        && items[pos + 1].cmp_key(new, m) == Ordering::Greater;
                    if ok {
                        items[pos].score = new;
                    }
                    return ok;
                }
                Node::Inner(inn) => {
                    let i = inn.child_for(old, m);
                    node = &mut inn.kids[i];
                }
            }
        }
    }

    /// The rank of a present (score, member).
    pub fn rank(&self, score: f64, m: &[u8]) -> usize {
        let mut node = &self.root;
        let mut base = 0;
        loop {
            match node {
                Node::Leaf(items) => {
                    return base + items.partition_point(|x| x.cmp_key(score, m) == Ordering::Less);
                }
                Node::Inner(inn) => {
                    let i = inn.child_for(score, m);
                    base += inn.counts[..i].iter().sum::<usize>();
                    node = &inn.kids[i];
                }
            }
        }
    }

    /// The item at rank `r` (< len).
    pub fn nth(&self, mut r: usize) -> Item {
        let mut node = &self.root;
        loop {
            match node {
                Node::Leaf(items) => return items[r],
                Node::Inner(inn) => {
                    let (i, rr) = inn.child_at(r);
                    r = rr;
                    node = &inn.kids[i];
                }
            }
        }
    }

    /// The number of leading items for which `pred` holds (it must hold for a
    /// prefix of the order and fail after it).
    pub fn partition_point(&self, mut pred: impl FnMut(&Item) -> bool) -> usize {
        let mut node = &self.root;
        let mut base = 0;
        loop {
            match node {
                Node::Leaf(items) => return base + items.partition_point(&mut pred),
                Node::Inner(inn) => {
                    let p = inn.mins.partition_point(&mut pred);
                    if p == 0 {
                        return base;
                    }
                    base += inn.counts[..p - 1].iter().sum::<usize>();
                    node = &inn.kids[p - 1];
                }
            }
        }
    }

    /// Calls `f` for ranks `a..=b` (`a <= b < len`), descending with `rev`.
    pub fn for_ranks(&self, a: usize, b: usize, rev: bool, mut f: impl FnMut(&Item)) {
        for_ranks_rec(&self.root, a, b, rev, &mut f);
    }

    /// Ascending iteration.
    pub fn iter(&self) -> Iter<'_> {
        let mut it = Iter {
            stack: Vec::new(),
            leaf: [].iter(),
        };
        it.descend(&self.root);
        it
    }

    /// Heap bytes of the nodes (not the members).
    pub fn mem_usage(&self) -> usize {
        fn walk(n: &Node) -> usize {
            use crate::alloc::size_class;
            match n {
                Node::Leaf(v) if v.capacity() == 0 => 0,
                Node::Leaf(v) => size_class(v.capacity() * 16),
                Node::Inner(inn) => {
                    size_class(std::mem::size_of::<Inner>())
                        + size_class(inn.mins.capacity() * 16)
                        + size_class(inn.counts.capacity() * 8)
                        + size_class(inn.kids.capacity() * std::mem::size_of::<Node>())
                        + inn.kids.iter().map(walk).sum::<usize>()
                }
            }
        }
        walk(&self.root)
    }

    /// Checks the structure (tests).
    #[cfg(test)]
    pub fn check(&self) {
        fn walk(n: &Node, root: bool) -> usize {
            match n {
                Node::Leaf(v) => {
                    assert!(v.len() <= CAP && (root || !v.is_empty()));
                    for w in v.windows(2) {
                        assert_eq!(w[0].cmp_key(w[1].score, w[1].member()), Ordering::Less);
                    }
                    v.len()
                }
                Node::Inner(inn) => {
                    assert!(inn.kids.len() <= CAP && inn.kids.len() >= if root { 2 } else { 1 });
                    let mut total = 0;
                    for i in 0..inn.kids.len() {
                        let c = walk(&inn.kids[i], false);
                        assert_eq!(c, inn.counts[i]);
                        let m = inn.kids[i].min();
                        assert_eq!(m.ele, inn.mins[i].ele);
                        assert_eq!(m.score.to_bits(), inn.mins[i].score.to_bits());
                        total += c;
                    }
                    total
                }
            }
        }
        assert_eq!(walk(&self.root, true), self.len);
    }
}

/// Ascending iterator over a tree's items.
pub struct Iter<'a> {
    stack: Vec<(&'a Inner, usize)>,
    leaf: std::slice::Iter<'a, Item>,
}

impl<'a> Iter<'a> {
    fn descend(&mut self, mut n: &'a Node) {
        loop {
            match n {
                Node::Leaf(v) => {
                    self.leaf = v.iter();
                    return;
                }
                Node::Inner(inn) => {
                    self.stack.push((inn, 0));
                    n = &inn.kids[0];
                }
            }
        }
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a Item;

    fn next(&mut self) -> Option<&'a Item> {
        loop {
            if let Some(it) = self.leaf.next() {
                return Some(it);
            }
            let (inn, i) = self.stack.pop()?;
            if i + 1 < inn.kids.len() {
                self.stack.push((inn, i + 1));
                self.descend(&inn.kids[i + 1]);
            }
        }
    }
}
