//! Unit tests of the quicklist against a plain `VecDeque` model.

use std::collections::VecDeque;

use super::*;

fn contents(l: &List) -> Vec<Vec<u8>> {
    l.iter().map(|e| e.to_bytes().to_vec()).collect()
}

/// Structural invariants: lengths add up, no empty node in a chain, nodes are
/// valid listpacks, and every node respects the limits unless it holds a single
/// element.
fn check(l: &List) {
    let total: usize = l.nodes().map(|lp| lp.len()).sum();
    assert_eq!(total, l.len());
    for lp in l.nodes() {
        assert!(lp.validate());
        if l.node_count() > 1 {
            assert!(!lp.is_empty());
        }
        if lp.len() > 1 {
            assert!(
                l.fill().fits(lp),
                "node of {} bytes / {}",
                lp.bytes(),
                lp.len()
            );
        }
    }
    assert_eq!(l.iter().count(), l.len());
    let mut back: Vec<_> = l
        .iter_from(l.len().saturating_sub(1), false, l.len())
        .map(|e| e.to_bytes().to_vec())
        .collect();
    back.reverse();
    assert_eq!(back, contents(l));
    // The per-node range walk (LRANGE's reply) agrees with the iterator.
    let all = contents(l);
    let len = l.len();
    for start in [0, 1, len / 3, len / 2, len.saturating_sub(2), len, len + 1] {
        for n in [0, 1, 7, len / 2 + 1, len, usize::MAX] {
            let mut got = Vec::new();
            l.for_each_in_range(start, n, |e| got.push(e.to_bytes().to_vec()));
            let end = start.saturating_add(n).min(len);
            assert_eq!(got, all[start.min(end)..end], "start {start} n {n}");
        }
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn random_elem(r: &mut Rng) -> Vec<u8> {
    match r.below(6) {
        0 => r.below(300).to_string().into_bytes(),
        1 => (r.next() as i64).to_string().into_bytes(),
        2 => vec![b'a' + r.below(3) as u8; r.below(3) + 1],
        3 => vec![b'x'; r.below(600)],
        4 => vec![b'y'; 3000 + r.below(7000)],
        _ => format!("member:{}", r.below(1000)).into_bytes(),
    }
}

#[test]
fn matches_a_deque_model_under_random_operations() {
    for fill in [-2i64, -1, -5, 1, 3, 128, 0] {
        let mut r = Rng(0x9e3779b97f4a7c15 ^ fill as u64);
        let mut l = List::new(Fill::new(fill));
        let mut m: VecDeque<Vec<u8>> = VecDeque::new();
        for step in 0..3000 {
            match r.below(10) {
                0..=2 => {
                    let e = random_elem(&mut r);
                    let left = r.below(2) == 0;
                    l.push(&e, left);
                    if left {
                        m.push_front(e)
                    } else {
                        m.push_back(e)
                    }
                }
                3 => {
                    let left = r.below(2) == 0;
                    let got = l.pop(left).map(|b| b.to_vec());
                    let want = if left { m.pop_front() } else { m.pop_back() };
                    assert_eq!(got, want);
                }
                4 if !m.is_empty() => {
                    let i = r.below(m.len());
                    let e = random_elem(&mut r);
                    let neg = r.below(2) == 0;
                    let idx = if neg {
                        i as i64 - m.len() as i64
                    } else {
                        i as i64
                    };
                    assert!(l.set(idx, &e));
                    m[i] = e;
                }
                5 if !m.is_empty() => {
                    let pivot = m[r.below(m.len())].clone();
                    let e = random_elem(&mut r);
                    let after = r.below(2) == 0;
                    assert!(l.insert_at_pivot(&Needle::new(&pivot), &e, after));
                    let pos = m.iter().position(|x| *x == pivot).unwrap();
                    m.insert(if after { pos + 1 } else { pos }, e);
                }
                6 if !m.is_empty() => {
                    let start = r.below(m.len());
                    let n = r.below(20);
                    l.delete_range(start, n);
                    let end = (start + n).min(m.len());
                    m.drain(start..end);
                }
                7 if !m.is_empty() => {
                    let needle = m[r.below(m.len())].clone();
                    let count = r.below(5) as i64 - 2;
                    let got = l.remove_matching(&Needle::new(&needle), count);
                    let mut removed = 0;
                    let limit = if count == 0 {
                        usize::MAX
                    } else {
                        count.unsigned_abs() as usize
                    };
                    if count >= 0 {
                        let mut i = 0;
                        while i < m.len() && removed < limit {
                            if m[i] == needle {
                                m.remove(i);
                                removed += 1;
                            } else {
                                i += 1;
                            }
                        }
                    } else {
                        let mut i = m.len();
                        while i > 0 && removed < limit {
                            i -= 1;
                            if m[i] == needle {
                                m.remove(i);
                                removed += 1;
                            }
                        }
                    }
                    assert_eq!(got, removed);
                }
                _ => {
                    if !m.is_empty() {
                        let i = r.below(m.len());
                        assert_eq!(
                            l.get(i as i64).map(|e| e.to_bytes().to_vec()),
                            Some(m[i].clone())
                        );
                        assert_eq!(
                            l.get(i as i64 - m.len() as i64)
                                .map(|e| e.to_bytes().to_vec()),
                            Some(m[i].clone())
                        );
                    }
                    assert!(l.get(m.len() as i64).is_none());
                    assert!(l.get(-(m.len() as i64) - 1).is_none());
                }
            }
            assert_eq!(l.len(), m.len(), "fill {fill} step {step}");
            if step % 97 == 0 {
                check(&l);
                assert_eq!(contents(&l), Vec::from(m.clone()));
            }
        }
        check(&l);
        assert_eq!(contents(&l), Vec::from(m));
    }
}

#[test]
fn nodes_split_at_the_fill_limits() {
    // -2: 8 KB nodes. "member:N" entries take 1 + len + 1 bytes.
    let mut l = List::new(Fill::new(-2));
    for i in 0..10_000 {
        l.push_back(format!("member:{i}").as_bytes());
    }
    check(&l);
    assert!(l.node_count() > 1);
    for lp in l.nodes().take(l.node_count() - 1) {
        assert!(
            lp.bytes() <= 8192 && lp.bytes() > 8192 - 40,
            "{}",
            lp.bytes()
        );
    }
    // A positive fill caps entries per node.
    let mut l = List::new(Fill::new(5));
    for i in 0..23 {
        l.push_front(i.to_string().as_bytes());
    }
    check(&l);
    let sizes: Vec<usize> = l.nodes().map(|lp| lp.len()).collect();
    assert_eq!(sizes, [3, 5, 5, 5, 5]);
    // ... but still never past 8 KB per node.
    let mut l = List::new(Fill::new(1000));
    for _ in 0..10 {
        l.push_back(&[b'z'; 2000]);
    }
    assert!(l.nodes().all(|lp| lp.bytes() <= 8192));
    assert_eq!(l.node_count(), 3);
    // A big element gets its own node.
    let mut l = List::new(Fill::new(-2));
    l.push_back(b"a");
    l.push_back(&[b'b'; 10_000]);
    l.push_back(b"c");
    assert_eq!(l.node_count(), 3);
    check(&l);
}

#[test]
fn linsert_splits_a_full_node_and_merges_back() {
    let mut l = List::new(Fill::new(4));
    for s in ["a", "b", "c", "d"] {
        l.push_back(s.as_bytes());
    }
    assert_eq!(l.node_count(), 1);
    assert!(l.insert_at_pivot(&Needle::new(b"b"), b"X", true));
    check(&l);
    assert_eq!(contents(&l), [&b"a"[..], b"b", b"X", b"c", b"d"]);
    assert_eq!(l.node_count(), 2);
    // Inserting at the edge of a full node goes to the neighbour that has room.
    assert!(l.insert_at_pivot(&Needle::new(b"X"), b"Y", true));
    check(&l);
    assert_eq!(contents(&l), [&b"a"[..], b"b", b"X", b"Y", b"c", b"d"]);
    assert!(!l.insert_at_pivot(&Needle::new(b"nope"), b"Z", true));
    // Deleting leaves small nodes; a split next to them merges what fits.
    let mut l = List::new(Fill::new(4));
    for i in 0..12 {
        l.push_back(i.to_string().as_bytes());
    }
    assert_eq!(l.node_count(), 3);
    l.delete_range(4, 3); // middle node keeps one element
    l.delete_range(0, 3); // first node keeps one element
    check(&l);
    assert_eq!(contents(&l), [&b"3"[..], b"7", b"8", b"9", b"10", b"11"]);
    assert!(l.insert_at_pivot(&Needle::new(b"9"), b"new", false));
    check(&l);
    assert_eq!(
        contents(&l),
        [&b"3"[..], b"7", b"8", b"new", b"9", b"10", b"11"]
    );
    assert!(l.node_count() <= 3);
}

#[test]
fn lset_with_a_big_value_isolates_it() {
    let mut l = List::new(Fill::new(-1));
    for i in 0..100 {
        l.push_back(format!("e{i}").as_bytes());
    }
    assert_eq!(l.node_count(), 1);
    assert!(l.set(50, &[b'q'; 5000]));
    check(&l);
    assert_eq!(l.node_count(), 3);
    assert_eq!(l.get(50).unwrap().to_bytes().len(), 5000);
    assert!(l.set(50, b"small"));
    assert!(l.set(-1, b"last"));
    assert!(!l.set(100, b"x"));
    assert!(!l.set(-101, b"x"));
    assert!(!l.set(i64::MIN, b"x"));
    check(&l);
    assert_eq!(l.get(-1), Some(Elem::Str(b"last")));
}

#[test]
fn index_and_range_walks() {
    let mut l = List::new(Fill::new(3));
    for i in 0..100 {
        l.push_back(i.to_string().as_bytes());
    }
    assert_eq!(l.get(0), Some(Elem::Int(0)));
    assert_eq!(l.get(99), Some(Elem::Int(99)));
    assert_eq!(l.get(-100), Some(Elem::Int(0)));
    assert_eq!(l.get(i64::MIN), None);
    assert_eq!(l.get(i64::MAX), None);
    let v: Vec<Elem> = l.iter_from(10, true, 5).collect();
    assert_eq!(v, (10..15).map(Elem::Int).collect::<Vec<_>>());
    let v: Vec<Elem> = l.iter_from(10, false, 50).collect();
    assert_eq!(v, (0..=10).rev().map(Elem::Int).collect::<Vec<_>>());
    assert_eq!(l.iter_from(100, true, 5).count(), 0);
    l.delete_range(0, 1000);
    assert!(l.is_empty());
    assert_eq!(l.node_count(), 1);
    assert_eq!(l.pop(true), None);
    check(&l);
}

#[test]
fn memory_is_packed() {
    let mut l = List::new(Fill::default());
    for i in 0..100_000 {
        l.push_back(format!("member:{i}").as_bytes());
    }
    // 13-byte members take 15 bytes each in a listpack.
    let per = l.mem_usage() as f64 / l.len() as f64;
    assert!(per < 16.0, "{per} bytes per element");
}
