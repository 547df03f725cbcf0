use super::node::{self, FLAG_DELETED};
use super::*;

fn id(ms: u64, seq: u64) -> StreamId {
    StreamId::new(ms, seq)
}

fn lim(entries: usize) -> NodeLimits {
    NodeLimits {
        max_bytes: 4096,
        max_entries: entries,
    }
}

fn ids(s: &Stream, rev: bool) -> Vec<StreamId> {
    s.iter_range(StreamId::MIN, StreamId::MAX, rev)
        .map(|(i, _)| i)
        .collect()
}

fn entry(s: &Stream, i: StreamId) -> Vec<Vec<u8>> {
    s.get(i).map(|f| f.to_vec()).unwrap_or_default()
}

fn filled(n: u64, per_node: usize) -> Stream {
    let mut s = Stream::new();
    for i in 1..=n {
        let v = format!("v{i}");
        s.append(id(i, 0), &[&b"f"[..], v.as_bytes()], lim(per_node));
    }
    s
}

#[test]
fn ids_parse_as_redis() {
    let p = |a: &str| StreamId::parse(a.as_bytes(), false, 0);
    assert_eq!(p("5"), Ok(id(5, 0)));
    assert_eq!(StreamId::parse(b"5", false, u64::MAX), Ok(id(5, u64::MAX)));
    assert_eq!(p("5-3"), Ok(id(5, 3)));
    assert_eq!(p("-"), Ok(StreamId::MIN));
    assert_eq!(p("+"), Ok(StreamId::MAX));
    assert!(StreamId::parse(b"-", true, 0).is_err());
    assert!(StreamId::parse(b"+", true, 0).is_err());
    assert_eq!(
        p("18446744073709551615-18446744073709551615"),
        Ok(StreamId::MAX)
    );
    assert!(p("18446744073709551616").is_err());
    assert!(p("5-").is_err());
    assert!(p("-5").is_err());
    assert!(p("5-x").is_err());
    assert!(p("").is_err());
    assert!(p("5-3-1").is_err());
    // strtoull leniency
    assert_eq!(p("007-01"), Ok(id(7, 1)));
    assert_eq!(p(" 7"), Ok(id(7, 0)));
    assert_eq!(p("+7-+1"), Ok(id(7, 1)));
    // A C string ends at NUL.
    assert_eq!(StreamId::parse(b"7\0-9", false, 0), Ok(id(7, 0)));
    assert!(p(&"1".repeat(128)).is_err());
    assert_eq!(
        p("5-*").unwrap_err().text(),
        "ERR Invalid stream ID specified as stream command argument"
    );
    assert_eq!(
        StreamId::parse_seq(b"5-*", true, 0, true),
        Ok((id(5, 0), false))
    );
    assert_eq!(
        StreamId::parse_seq(b"5", true, 0, true),
        Ok((id(5, 0), true))
    );
}

#[test]
fn id_arithmetic_and_text() {
    assert_eq!(id(1, u64::MAX).incr(), Some(id(2, 0)));
    assert_eq!(StreamId::MAX.incr(), None);
    assert_eq!(id(2, 0).decr(), Some(id(1, u64::MAX)));
    assert_eq!(StreamId::MIN.decr(), None);
    assert_eq!(id(12, 34).to_bytes(), b"12-34");
    assert_eq!(StreamId::from_be_bytes(id(1, 2).to_be_bytes()), id(1, 2));
    assert!(id(1, 5) < id(2, 0));
}

#[test]
fn append_and_read_back_with_master_fields() {
    let mut s = Stream::new();
    s.append(id(1, 0), &[&b"name"[..], b"alice", b"age", b"30"], lim(100));
    s.append(id(1, 1), &[&b"name"[..], b"bob", b"age", b"-7"], lim(100));
    s.append(id(2, 0), &[&b"other"[..], b"x"], lim(100));
    s.append(
        id(3, 5),
        &[&b"name"[..], b"", b"age", b"12345678901234"],
        lim(100),
    );
    assert_eq!(s.len(), 4);
    assert_eq!(s.node_count(), 1);
    assert_eq!(s.first_id(), id(1, 0));
    assert_eq!(s.last_id(), id(3, 5));
    assert_eq!(s.entries_added(), 4);
    assert_eq!(entry(&s, id(1, 1)), [&b"name"[..], b"bob", b"age", b"-7"]);
    assert_eq!(entry(&s, id(2, 0)), [&b"other"[..], b"x"]);
    assert_eq!(
        entry(&s, id(3, 5)),
        [&b"name"[..], b"", b"age", b"12345678901234"]
    );
    assert_eq!(ids(&s, false), [id(1, 0), id(1, 1), id(2, 0), id(3, 5)]);
    assert_eq!(ids(&s, true), [id(3, 5), id(2, 0), id(1, 1), id(1, 0)]);
    // The same-fields flag: entries 0, 1 and 3 share the master's fields.
    let (master, lp) = s.nodes().next().unwrap();
    let h = node::header(lp);
    let mut p = h.first_entry;
    let mut flags = vec![];
    while p < lp.end() {
        let e = node::entry_at(lp, &h, master, p);
        flags.push(e.flags);
        p = e.next;
    }
    assert_eq!(flags, [2, 2, 0, 2]);
}

#[test]
fn node_bytes_are_redis_layout() {
    // XADD s 1-1 a 1 (Redis 7.0): one node keyed 1-1.
    let mut s = Stream::new();
    s.append(id(1, 1), &[&b"a"[..], b"1"], NodeLimits::default());
    let (master, lp) = s.nodes().next().unwrap();
    assert_eq!(master, id(1, 1));
    let elems: Vec<Vec<u8>> = lp.iter().map(|e| e.to_bytes().to_vec()).collect();
    let want: Vec<&[u8]> = vec![
        b"1", b"0", b"1", b"a", b"0", // master: count, deleted, fields, a, 0
        b"2", b"0", b"0", b"1", b"4", // flags=same, deltas, value, lp-count
    ];
    assert_eq!(elems, want);
}

#[test]
fn nodes_split_by_entries_and_bytes() {
    let s = filled(250, 100);
    assert_eq!(s.node_count(), 3);
    assert_eq!(s.len(), 250);
    let big = vec![b'x'; 1500];
    let mut b = Stream::new();
    for i in 1..=5 {
        b.append(id(i, 0), &[&b"f"[..], &big], lim(100));
    }
    // 4096 bytes a node: two entries fit, the third opens a new node.
    assert_eq!(b.node_count(), 3);
    let mut z = Stream::new();
    for i in 1..=10 {
        z.append(
            id(i, 0),
            &[&b"f"[..], b"v"],
            NodeLimits {
                max_bytes: 0,
                max_entries: 0,
            },
        );
    }
    assert_eq!(z.node_count(), 1);
}

#[test]
fn ranges_cross_nodes_both_ways() {
    let s = filled(50, 7);
    let got: Vec<_> = s
        .iter_range(id(10, 0), id(20, 0), false)
        .map(|(i, _)| i.ms)
        .collect();
    assert_eq!(got, (10..=20).collect::<Vec<_>>());
    let got: Vec<_> = s
        .iter_range(id(10, 0), id(20, 0), true)
        .map(|(i, _)| i.ms)
        .collect();
    assert_eq!(got, (10..=20).rev().collect::<Vec<_>>());
    assert_eq!(s.iter_range(id(20, 0), id(10, 0), false).count(), 0);
    assert_eq!(s.iter_range(id(51, 0), StreamId::MAX, true).count(), 0);
    assert_eq!(s.iter_range(StreamId::MIN, id(0, 5), false).count(), 0);
    let mut n = 0;
    s.range(StreamId::MIN, StreamId::MAX, false, |_, _| {
        n += 1;
        n < 3
    });
    assert_eq!(n, 3);
    assert_eq!(entry(&s, id(33, 0)), [&b"f"[..], b"v33"]);
}

#[test]
fn delete_marks_and_frees_nodes() {
    let mut s = filled(10, 5);
    assert_eq!(s.node_count(), 2);
    assert!(s.delete(id(3, 0)));
    assert!(!s.delete(id(3, 0)));
    assert!(!s.delete(id(99, 0)));
    assert_eq!(s.len(), 9);
    assert_eq!(s.max_deleted_id(), id(3, 0));
    assert!(!s.contains(id(3, 0)));
    assert_eq!(s.first_id(), id(1, 0));
    assert!(s.delete(id(1, 0)));
    assert_eq!(s.first_id(), id(2, 0));
    for i in [2, 4, 5] {
        assert!(s.delete(id(i, 0)));
    }
    assert_eq!(s.node_count(), 1, "the emptied node went");
    assert_eq!(s.first_id(), id(6, 0));
    assert_eq!(s.max_deleted_id(), id(5, 0));
    assert!(!s.delete(id(2, 0)));
    for i in 6..=10 {
        assert!(s.delete(id(i, 0)));
    }
    assert_eq!(s.len(), 0);
    assert_eq!(s.node_count(), 0);
    assert_eq!(s.first_id(), StreamId::MIN);
    assert_eq!(s.last_id(), id(10, 0));
    assert_eq!(s.entries_added(), 10);
}

#[test]
fn trim_maxlen_exact_and_approx() {
    let mut s = filled(250, 100);
    assert_eq!(s.trim(Trim::MaxLen(240), true, 10_000), 0, "no whole node");
    assert_eq!(s.trim(Trim::MaxLen(150), true, 10_000), 100);
    assert_eq!(s.len(), 150);
    assert_eq!(s.first_id(), id(101, 0));
    assert_eq!(s.trim(Trim::MaxLen(145), false, 0), 5);
    assert_eq!(s.len(), 145);
    assert_eq!(s.first_id(), id(106, 0));
    assert_eq!(ids(&s, false).len(), 145);
    // LIMIT stops before a node that would pass it.
    let mut s = filled(250, 100);
    assert_eq!(s.trim(Trim::MaxLen(0), true, 150), 100);
    assert_eq!(s.trim(Trim::MaxLen(0), false, 0), 150);
    assert_eq!(s.len(), 0);
    assert_eq!(s.first_id(), StreamId::MIN);
}

#[test]
fn trim_minid() {
    let mut s = filled(250, 100);
    assert_eq!(s.trim(Trim::MinId(id(150, 0)), true, 0), 100);
    assert_eq!(s.first_id(), id(101, 0));
    assert_eq!(s.trim(Trim::MinId(id(150, 0)), false, 0), 49);
    assert_eq!(s.first_id(), id(150, 0));
    assert_eq!(s.trim(Trim::MinId(id(150, 0)), false, 0), 0);
    assert_eq!(s.len(), 101);
}

#[test]
fn add_picks_ids_as_xadd() {
    let mut s = Stream::new();
    let f = [&b"a"[..], b"1"];
    assert_eq!(s.add(NewId::Auto, &f, lim(100), 1000), Ok(id(1000, 0)));
    assert_eq!(s.add(NewId::Auto, &f, lim(100), 999), Ok(id(1000, 1)));
    assert_eq!(s.add(NewId::Ms(1000), &f, lim(100), 0), Ok(id(1000, 2)));
    assert_eq!(s.add(NewId::Ms(2000), &f, lim(100), 0), Ok(id(2000, 0)));
    assert_eq!(
        s.add(NewId::Exact(id(2000, 0)), &f, lim(100), 0)
            .unwrap_err()
            .text(),
        "ERR The ID specified in XADD is equal or smaller than the target stream top item"
    );
    assert!(s.add(NewId::Ms(1), &f, lim(100), 0).is_err());
    s.append(id(3000, u64::MAX), &f, lim(100));
    assert!(s.add(NewId::Ms(3000), &f, lim(100), 0).is_err());
    assert_eq!(s.add(NewId::Auto, &f, lim(100), 0), Ok(id(3001, 0)));
}

#[test]
fn seq_deltas_may_be_negative() {
    let mut s = Stream::new();
    s.append(id(5, 100), &[&b"a"[..], b"1"], lim(100));
    s.append(id(6, 0), &[&b"a"[..], b"2"], lim(100));
    s.append(id(u64::MAX, u64::MAX), &[&b"a"[..], b"3"], lim(100));
    assert_eq!(ids(&s, false), [id(5, 100), id(6, 0), StreamId::MAX]);
    assert_eq!(ids(&s, true), [StreamId::MAX, id(6, 0), id(5, 100)]);
}

#[test]
fn snapshot_clone_keeps_old_nodes() {
    // Three full chunks of 10-entry nodes: closing the last node writes (and
    // so copies) the last chunk only; the new node opens a chunk of its own.
    let n = (3 * nodes::CHUNK * 10) as u64;
    let mut s = filled(n, 10);
    let snap = s.clone();
    s.append(id(n + 1, 0), &[&b"f"[..], b"new"], lim(10));
    assert!(s.delete(id(n + 1, 0)));
    let shared = s
        .nodes()
        .zip(snap.nodes())
        .filter(|((_, a), (_, b))| std::ptr::eq(*a, *b))
        .count();
    assert_eq!(
        shared,
        2 * nodes::CHUNK,
        "only the written chunk was copied"
    );
    assert!(s.delete(id(5, 0)));
    assert_eq!(snap.len(), n);
    assert!(snap.contains(id(5, 0)));
    assert_eq!(s.len(), n - 1);
}

#[test]
fn groups_and_pel() {
    let mut s = filled(10, 100);
    assert!(s.create_group(b"g", StreamId::MIN, 0));
    assert!(!s.create_group(b"g", StreamId::MIN, 0));
    s.with_group_mut(b"g", |v, g| {
        for (i, _) in v.iter_range(StreamId::MIN, StreamId::MAX, false).take(3) {
            g.mark_read(v, i);
            g.deliver(i, b"alice", 100);
        }
    });
    let g = s.group(b"g").unwrap();
    assert_eq!(g.last_id, id(3, 0));
    assert_eq!(g.entries_read, 3);
    assert_eq!(g.pel_len(), 3);
    assert_eq!(g.consumer(b"alice").unwrap().pel_len(), 3);
    assert_eq!(g.consumer(b"alice").unwrap().seen_time, 100);
    assert_eq!(s.lag(g), Some(7));
    let g = s.group_mut(b"g").unwrap();
    g.assign(id(2, 0), b"bob", 200, 5);
    assert_eq!(g.pending(id(2, 0)).unwrap().consumer(), b"bob");
    assert_eq!(g.pending(id(2, 0)).unwrap().delivery_count, 5);
    assert_eq!(g.consumer(b"alice").unwrap().pel_len(), 2);
    assert!(g.ack(id(1, 0)));
    assert!(!g.ack(id(1, 0)));
    assert_eq!(g.consumer(b"alice").unwrap().pel_len(), 1);
    assert_eq!(g.delete_consumer(b"bob"), Some(1));
    assert_eq!(g.pel_len(), 1);
    assert_eq!(g.delete_consumer(b"bob"), None);
    let got: Vec<_> = g
        .pel_range(StreamId::MIN, StreamId::MAX)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(got, [id(3, 0)]);
    assert_eq!(g.pel_range(id(5, 0), id(1, 0)).count(), 0);
    assert!(s.destroy_group(b"g"));
    assert!(!s.destroy_group(b"g"));
}

#[test]
fn lag_and_entries_read_estimates() {
    let mut s = filled(10, 100);
    assert_eq!(s.entries_read_estimate(id(10, 0)), 10);
    assert_eq!(s.entries_read_estimate(id(11, 0)), INVALID_ENTRIES_READ);
    assert_eq!(s.entries_read_estimate(id(1, 0)), 1);
    assert_eq!(s.entries_read_estimate(id(0, 5)), 0);
    assert_eq!(s.entries_read_estimate(id(5, 0)), INVALID_ENTRIES_READ);
    s.trim(Trim::MaxLen(8), false, 0);
    assert_eq!(s.entries_read_estimate(id(2, 0)), 2);
    assert_eq!(s.entries_read_estimate(id(3, 0)), 3);
    assert!(s.delete(id(6, 0)));
    assert!(s.range_has_tombstones(id(4, 0), StreamId::MAX));
    assert!(!s.range_has_tombstones(id(7, 0), StreamId::MAX));
    assert_eq!(s.entries_read_estimate(id(3, 0)), INVALID_ENTRIES_READ);
    s.create_group(b"g", id(3, 0), INVALID_ENTRIES_READ);
    assert_eq!(s.lag(s.group(b"g").unwrap()), None);
    s.create_group(b"h", id(10, 0), INVALID_ENTRIES_READ);
    assert_eq!(s.lag(s.group(b"h").unwrap()), Some(0));
    let e = Stream::new();
    assert_eq!(e.lag(&Group::new(StreamId::MIN, 0)), Some(0));
}

#[test]
fn rax_nodes_follow_the_key_tree() {
    assert_eq!(node::rax_node_count([].iter()), 1);
    assert_eq!(node::rax_node_count([id(1, 0)].iter()), 2);
    // Two keys that differ in the last byte: root chain, branch, two leaves.
    assert_eq!(node::rax_node_count([id(1, 0), id(1, 1)].iter()), 4);
    // Keys that differ in byte 0: the root branches.
    let a = id(1 << 56, 0);
    let b = id(2 << 56, 0);
    assert_eq!(node::rax_node_count([a, b].iter()), 5);
    let s = filled(1000, 5);
    assert!(s.free_effort() > 200);
    assert!(filled(1, 5).free_effort() < 64);
}

#[test]
fn tombstones_are_flagged_in_place() {
    let mut s = filled(3, 100);
    assert!(s.delete(id(2, 0)));
    let (master, lp) = s.nodes().next().unwrap();
    let h = node::header(lp);
    assert_eq!((h.live, h.deleted), (2, 1));
    let p = h.first_entry;
    let e1 = node::entry_at(lp, &h, master, p);
    let e2 = node::entry_at(lp, &h, master, e1.next);
    assert_eq!(e2.id, id(2, 0));
    assert_ne!(e2.flags & FLAG_DELETED, 0);
}
