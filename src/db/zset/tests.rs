//! The sorted set against a simple model (a map plus a sorted vector), in both
//! encodings, with many equal scores.

use super::*;
use std::collections::BTreeMap;

/// Deterministic xorshift so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Default)]
struct Model {
    map: BTreeMap<Vec<u8>, f64>,
}

impl Model {
    fn sorted(&self) -> Vec<(Vec<u8>, f64)> {
        let mut v: Vec<_> = self.map.iter().map(|(m, &s)| (m.clone(), s)).collect();
        v.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap().then_with(|| a.0.cmp(&b.0)));
        v
    }
}

fn collect(z: &Zset) -> Vec<(Vec<u8>, f64)> {
    z.iter().map(|(m, s)| (m.into_owned(), s)).collect()
}

fn member(rng: &mut Rng, space: u64) -> Vec<u8> {
    format!("m{}", rng.below(space)).into_bytes()
}

fn score(rng: &mut Rng) -> f64 {
    match rng.below(10) {
        0 => f64::INFINITY,
        1 => f64::NEG_INFINITY,
        2 => rng.below(1000) as f64 / 7.0,
        _ => rng.below(8) as f64, // many ties
    }
}

fn score_range(rng: &mut Rng) -> ScoreRange {
    let a = score(rng);
    let b = score(rng);
    ScoreRange {
        min: a.min(b),
        max: if rng.below(8) == 0 {
            a.min(b) - 1.0
        } else {
            a.max(b)
        },
        minex: rng.below(2) == 0,
        maxex: rng.below(2) == 0,
    }
}

fn lex_bound<'a>(rng: &mut Rng, buf: &'a [u8]) -> LexBound<'a> {
    match rng.below(6) {
        0 => LexBound::Min,
        1 => LexBound::Max,
        2 | 3 => LexBound::Incl(buf),
        _ => LexBound::Excl(buf),
    }
}

fn check(z: &Zset, m: &Model, rng: &mut Rng) {
    let want = m.sorted();
    assert_eq!(z.len(), want.len());
    assert_eq!(collect(z), want);
    let n = want.len();
    if n > 0 {
        let i = rng.below(n as u64) as usize;
        assert_eq!(z.nth(i).0.as_ref(), &want[i].0[..]);
        assert_eq!(z.rank(&want[i].0, false), Some(i));
        assert_eq!(z.rank(&want[i].0, true), Some(n - 1 - i));
        assert_eq!(z.score(&want[i].0), Some(want[i].1));
        let a = rng.below(n as u64 + 2) as usize;
        let b = rng.below(n as u64 + 2) as usize;
        for rev in [false, true] {
            let mut got = Vec::new();
            z.range_by_rank(a, b, rev, |m, s| got.push((m.to_vec(), s)));
            let mut exp: Vec<_> = if rev {
                want.iter().rev().cloned().collect()
            } else {
                want.clone()
            };
            exp = if a <= b && a < n {
                exp[a..=b.min(n - 1)].to_vec()
            } else {
                vec![]
            };
            assert_eq!(got, exp, "rank {a}..={b} rev={rev}");
        }
    }
    assert_eq!(z.rank(b"absent", false), None);
    // Score ranges with offset/limit, both directions.
    let r = score_range(rng);
    let inr: Vec<_> = want
        .iter()
        .filter(|(_, s)| r.gte_min(*s) && r.lte_max(*s))
        .cloned()
        .collect();
    assert_eq!(z.count_by_score(&r), inr.len());
    let offset = rng.below(4) as usize;
    let limit = if rng.below(2) == 0 {
        None
    } else {
        Some(rng.below(5) as usize)
    };
    for rev in [false, true] {
        let mut got = Vec::new();
        z.range_by_score(&r, rev, offset, limit, |m, s| got.push((m.to_vec(), s)));
        let mut exp = inr.clone();
        if rev {
            exp.reverse();
        }
        let exp: Vec<_> = exp
            .into_iter()
            .skip(offset)
            .take(limit.unwrap_or(usize::MAX))
            .collect();
        assert_eq!(got, exp, "{r:?} rev={rev} off={offset} lim={limit:?}");
    }
}

/// Lex checks need all scores equal (Redis's precondition).
fn check_lex(z: &Zset, m: &Model, rng: &mut Rng) {
    let want = m.sorted();
    let b1 = member(rng, 60);
    let b2 = member(rng, 60);
    let r = LexRange {
        min: lex_bound(rng, &b1),
        max: lex_bound(rng, &b2),
    };
    let inr: Vec<_> = want
        .iter()
        .filter(|(m, _)| r.gte_min(m) && r.lte_max(m))
        .cloned()
        .collect();
    assert_eq!(z.count_by_lex(&r), inr.len(), "{r:?}");
    let offset = rng.below(3) as usize;
    let limit = if rng.below(2) == 0 {
        None
    } else {
        Some(rng.below(4) as usize)
    };
    for rev in [false, true] {
        let mut got = Vec::new();
        z.range_by_lex(&r, rev, offset, limit, |m, s| got.push((m.to_vec(), s)));
        let mut exp = inr.clone();
        if rev {
            exp.reverse();
        }
        let exp: Vec<_> = exp
            .into_iter()
            .skip(offset)
            .take(limit.unwrap_or(usize::MAX))
            .collect();
        assert_eq!(got, exp, "{r:?} rev={rev}");
    }
}

fn run(seed: u64, lim: ZsetLimits, space: u64, steps: usize, lex: bool) {
    let mut rng = Rng(seed);
    let mut z = Zset::new();
    let mut m = Model::default();
    let flags = AddFlags::default();
    for step in 0..steps {
        match rng.below(12) {
            0..=5 => {
                let mem = member(&mut rng, space);
                let s = if lex { 0.0 } else { score(&mut rng) };
                let (out, news) = z.add(&mem, s, flags, &lim).unwrap();
                let old = m.map.insert(mem, s);
                let exp = match old {
                    None => AddOutcome::Added,
                    Some(o) if o == s => AddOutcome::Nop,
                    Some(_) => AddOutcome::Updated,
                };
                assert_eq!((out, news), (exp, s));
            }
            6 | 7 => {
                let mem = member(&mut rng, space);
                assert_eq!(z.remove(&mem), m.map.remove(&mem).is_some());
            }
            8 => {
                let r = score_range(&mut rng);
                let before = m.map.len();
                m.map.retain(|_, s| !(r.gte_min(*s) && r.lte_max(*s)));
                assert_eq!(z.remove_range_by_score(&r), before - m.map.len());
            }
            9 => {
                let n = m.map.len() as u64 + 2;
                let (a, b) = (rng.below(n) as usize, rng.below(n) as usize);
                let sorted = m.sorted();
                let mut removed = 0;
                if a <= b {
                    for (mem, _) in sorted.iter().skip(a).take(b + 1 - a) {
                        m.map.remove(mem);
                        removed += 1;
                    }
                }
                assert_eq!(z.remove_range_by_rank(a, b), removed);
            }
            10 => {
                let max = rng.below(2) == 0;
                let sorted = m.sorted();
                let exp = if max { sorted.last() } else { sorted.first() }.cloned();
                if let Some((mem, _)) = &exp {
                    m.map.remove(mem);
                }
                assert_eq!(z.pop(max), exp);
            }
            _ if lex => {
                let b1 = member(&mut rng, space);
                let b2 = member(&mut rng, space);
                let r = LexRange {
                    min: lex_bound(&mut rng, &b1),
                    max: lex_bound(&mut rng, &b2),
                };
                let before = m.map.len();
                m.map.retain(|mem, _| !(r.gte_min(mem) && r.lte_max(mem)));
                assert_eq!(z.remove_range_by_lex(&r), before - m.map.len());
            }
            _ => {
                // INCR
                let mem = member(&mut rng, space);
                let inc = (rng.below(5) as f64) - 2.0;
                let fl = AddFlags {
                    incr: true,
                    ..AddFlags::default()
                };
                match m.map.get(&mem).copied() {
                    Some(cur) if (cur + inc).is_nan() => {
                        assert!(z.add(&mem, inc, fl, &lim).is_err());
                    }
                    cur => {
                        let new = cur.unwrap_or(0.0) + inc;
                        let (_, got) = z.add(&mem, inc, fl, &lim).unwrap();
                        assert_eq!(got, new);
                        m.map.insert(mem, new);
                    }
                }
            }
        }
        if step % 7 == 0 {
            check(&z, &m, &mut rng);
            if lex {
                check_lex(&z, &m, &mut rng);
            }
        }
        let big = m.map.len() > lim.max_entries;
        if big {
            assert_eq!(z.encoding(), "skiplist");
        }
    }
    check(&z, &m, &mut rng);
}

#[test]
fn model_listpack() {
    for seed in 1..20 {
        run(seed, ZsetLimits::default(), 40, 400, false);
    }
}

#[test]
fn model_skiplist() {
    let lim = ZsetLimits {
        max_entries: 4,
        max_value: 64,
    };
    for seed in 1..10 {
        run(seed, lim, 300, 3000, false);
    }
    run(99, lim, 5000, 20000, false);
}

#[test]
fn model_lex() {
    let small = ZsetLimits::default();
    let big = ZsetLimits {
        max_entries: 2,
        max_value: 64,
    };
    for seed in 1..10 {
        run(seed, small, 60, 500, true);
        run(seed, big, 60, 2000, true);
    }
}

#[test]
fn add_flags_follow_zsetadd() {
    let lim = ZsetLimits::default();
    let mut z = Zset::new();
    let f = |nx, xx, gt, lt, incr| AddFlags {
        incr,
        nx,
        xx,
        gt,
        lt,
    };
    assert_eq!(
        z.add(b"a", 1.0, f(false, true, false, false, false), &lim),
        Ok((AddOutcome::Nop, 1.0))
    );
    assert!(z.is_empty());
    assert_eq!(
        z.add(b"a", 1.0, AddFlags::default(), &lim),
        Ok((AddOutcome::Added, 1.0))
    );
    assert_eq!(
        z.add(b"a", 5.0, f(true, false, false, false, false), &lim),
        Ok((AddOutcome::Nop, 1.0))
    );
    assert_eq!(
        z.add(b"a", 0.5, f(false, false, true, false, false), &lim),
        Ok((AddOutcome::Nop, 1.0))
    );
    assert_eq!(
        z.add(b"a", 2.0, f(false, false, true, false, false), &lim),
        Ok((AddOutcome::Updated, 2.0))
    );
    assert_eq!(
        z.add(b"a", 3.0, f(false, false, false, true, false), &lim),
        Ok((AddOutcome::Nop, 2.0))
    );
    assert_eq!(
        z.add(
            b"a",
            f64::INFINITY,
            f(false, false, false, false, true),
            &lim
        ),
        Ok((AddOutcome::Updated, f64::INFINITY))
    );
    assert_eq!(
        z.add(
            b"a",
            f64::NEG_INFINITY,
            f(false, false, false, false, true),
            &lim
        ),
        Err(OpError::Static(ZSET_NAN))
    );
    assert_eq!(z.score(b"a"), Some(f64::INFINITY));
    assert_eq!(
        z.add(b"b", f64::NAN, AddFlags::default(), &lim),
        Err(OpError::Static(ZSET_NAN))
    );
}

#[test]
fn conversions_follow_redis_7_0() {
    let lim = ZsetLimits {
        max_entries: 3,
        max_value: 4,
    };
    let mut z = Zset::new();
    for (i, m) in [&b"a"[..], b"b", b"c"].iter().enumerate() {
        z.add(m, i as f64, AddFlags::default(), &lim).unwrap();
    }
    assert_eq!(z.encoding(), "listpack");
    z.add(b"d", 9.0, AddFlags::default(), &lim).unwrap();
    assert_eq!(z.encoding(), "skiplist");
    z.remove(b"d");
    assert_eq!(z.encoding(), "skiplist", "removals never convert back");
    z.convert_to_listpack_if_needed(1, &lim);
    assert_eq!(z.encoding(), "listpack");
    assert_eq!(z.rank(b"c", false), Some(2));

    let mut z = Zset::new();
    z.add(b"12345", 1.0, AddFlags::default(), &lim).unwrap();
    assert_eq!(
        z.encoding(),
        "skiplist",
        "member longer than the value limit"
    );

    assert_eq!(Zset::with_hint(1, 4, &lim).encoding(), "listpack");
    assert_eq!(Zset::with_hint(1, 5, &lim).encoding(), "skiplist");
    assert_eq!(Zset::with_hint(4, 1, &lim).encoding(), "skiplist");
    let zero = ZsetLimits {
        max_entries: 0,
        max_value: 64,
    };
    assert_eq!(Zset::with_hint(1, 1, &zero).encoding(), "skiplist");
}

#[test]
fn range_parsing() {
    let r = ScoreRange::parse(b"(1.5", b"+inf").unwrap();
    assert_eq!(
        (r.min, r.minex, r.max, r.maxex),
        (1.5, true, f64::INFINITY, false)
    );
    assert_eq!(
        ScoreRange::parse(b"nan", b"1"),
        Err(OpError::Static(ZSET_RANGE_NOT_FLOAT))
    );
    assert_eq!(
        ScoreRange::parse(b"1", b"((2"),
        Err(OpError::Static(ZSET_RANGE_NOT_FLOAT))
    );
    let r = LexRange::parse(b"-", b"(b").unwrap();
    assert_eq!(r.min, LexBound::Min);
    assert_eq!(r.max, LexBound::Excl(b"b"));
    assert_eq!(
        LexRange::parse(b"a", b"+"),
        Err(OpError::Static(ZSET_LEX_RANGE))
    );
    assert_eq!(LexBound::parse(b"+x"), None);
    assert_eq!(LexBound::parse(b"["), Some(LexBound::Incl(b"")));
}

/// The big structure directly, deep enough for three tree levels, with
/// sequential, reverse and random inserts, deletes from both ends and the
/// middle, score updates, and its invariants checked along the way.
#[test]
fn index_structure_against_model() {
    let mut rng = Rng(7);
    let mut x = Index::default();
    let mut m = Model::default();
    let phases: &[(usize, u64)] = &[(6000, 0), (6000, 1), (20000, 2), (30000, 3), (20000, 4)];
    let mut seq = 0u64;
    for &(steps, kind) in phases {
        for step in 0..steps {
            match kind {
                // increasing scores (append), then decreasing (prepend)
                0 | 1 => {
                    seq += 1;
                    let s = if kind == 0 { seq as f64 } else { -(seq as f64) };
                    let mem = format!("s{seq}").into_bytes();
                    x.insert(&mem, s);
                    m.map.insert(mem, s);
                }
                // random mix with many ties
                2 | 3 => {
                    let mem = member(&mut rng, 40000);
                    let s = score(&mut rng);
                    match (rng.below(3), m.map.get(&mem).copied()) {
                        (0, Some(_)) => {
                            assert_eq!(x.remove(&mem), m.map.remove(&mem));
                        }
                        (_, Some(_)) => {
                            x.update(&mem, s);
                            m.map.insert(mem, s);
                        }
                        (_, None) => {
                            x.insert(&mem, s);
                            m.map.insert(mem, s);
                        }
                    }
                    if kind == 3 && rng.below(100) == 0 && !m.map.is_empty() {
                        // remove a small rank range
                        let sorted = m.sorted();
                        let a = rng.below(sorted.len() as u64) as usize;
                        let b = (a + rng.below(5) as usize).min(sorted.len() - 1);
                        for (mem, _) in &sorted[a..=b] {
                            m.map.remove(mem);
                        }
                        x.remove_ranks(a, b);
                    }
                }
                // drain from both ends
                _ => {
                    if x.is_empty() {
                        break;
                    }
                    let r = if step % 2 == 0 { 0 } else { x.len() - 1 };
                    let mem = x.nth(r).0.to_vec();
                    x.remove_ranks(r, r);
                    m.map.remove(&mem);
                }
            }
            if step % 2500 == 0 {
                x.check();
                let want = m.sorted();
                let got: Vec<_> = x.iter().map(|(a, b)| (a.to_vec(), b)).collect();
                assert_eq!(got, want);
                for _ in 0..50 {
                    if want.is_empty() {
                        break;
                    }
                    let i = rng.below(want.len() as u64) as usize;
                    assert_eq!(x.rank(&want[i].0), Some(i));
                    assert_eq!(x.nth(i).0, &want[i].0[..]);
                    assert_eq!(x.score(&want[i].0), Some(want[i].1));
                    let j = (i + rng.below(300) as usize).min(want.len() - 1);
                    let mut got = Vec::new();
                    x.for_ranks(i, j, true, |a, b| got.push((a.to_vec(), b)));
                    let exp: Vec<_> = want[i..=j].iter().rev().cloned().collect();
                    assert_eq!(got, exp);
                }
            }
        }
        x.check();
        let c = x.clone();
        c.check();
        assert_eq!(c.len(), x.len());
    }
    assert!(x.is_empty() || x.len() == m.map.len());
}

#[test]
fn index_scan_covers_all() {
    let mut x = Index::default();
    for i in 0..5000 {
        x.insert(format!("m{i}").as_bytes(), i as f64);
    }
    let mut seen = std::collections::HashSet::new();
    let mut cursor = 0;
    loop {
        cursor = x.scan(cursor, |m, s| {
            assert_eq!(m, format!("m{s}").as_bytes());
            seen.insert(m.to_vec());
        });
        if cursor == 0 {
            break;
        }
    }
    assert_eq!(seen.len(), 5000);
}

/// Memory of a 1M-member set and of 100k 10-member sets, as the allocator
/// counts it (run by hand: `cargo test --release --lib zset_memory -- --ignored
/// --nocapture`; single-threaded for a clean count).
#[test]
#[ignore]
fn zset_memory() {
    use crate::alloc::used_memory;
    let lim = ZsetLimits::default();
    let before = used_memory();
    let mut z = Zset::new();
    for i in 0..1_000_000u64 {
        let k = (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 44) as f64;
        z.add(
            format!("member:{i}").as_bytes(),
            k,
            AddFlags::default(),
            &lim,
        )
        .unwrap();
    }
    let big = used_memory() - before;
    println!(
        "1M members (random scores): {} bytes, {:.1}/member, mem_usage {}",
        big,
        big as f64 / 1e6,
        z.mem_usage()
    );
    drop(z);
    let before = used_memory();
    let mut v = Vec::with_capacity(100_000);
    for k in 0..100_000u64 {
        let mut z = Zset::new();
        for i in 0..10 {
            z.add(
                format!("member:{i}").as_bytes(),
                (k + i) as f64,
                AddFlags::default(),
                &lim,
            )
            .unwrap();
        }
        v.push(z);
    }
    let small = used_memory() - before - (v.capacity() * std::mem::size_of::<Zset>()) as u64;
    println!(
        "100k x 10 members: {:.1} bytes/zset (value only), mem_usage {}",
        small as f64 / 1e5,
        v[0].mem_usage()
    );
}

#[test]
fn value_is_small() {
    // The value sits inside the keyspace entry: one buffer pointer or one Arc.
    assert!(std::mem::size_of::<Zset>() <= 24);
}
