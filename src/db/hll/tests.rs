use super::*;

const MAX: u64 = 3000;

fn fnv(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &x| {
        (h ^ x as u64).wrapping_mul(0x100_0000_01b3)
    })
}

fn filled(n: usize, max: u64) -> Vec<u8> {
    let mut s = new_sparse();
    for i in 0..n {
        add(&mut s, format!("e{i}").as_bytes(), max).unwrap();
    }
    s
}

/// Sets the cache as PFCOUNT would.
fn counted(mut s: Vec<u8>) -> Vec<u8> {
    let c = count(&s).unwrap();
    set_cached_card(&mut s, c);
    s
}

#[test]
fn new_hll_is_one_xzero() {
    let s = new_sparse();
    assert_eq!(&s[..], b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff");
    assert!(is_hll(&s));
    assert_eq!(cached_card(&s), Some(0));
    assert_eq!(count(&s), Ok(0));
    assert_eq!(decode(&s), "Z:16384");
}

/// Bytes and counts taken from redis-server 7.0 for the same inputs.
#[test]
fn matches_redis_bytes() {
    let mut s = new_sparse();
    for e in [&b"a"[..], b"b", b"c"] {
        assert!(add(&mut s, e, MAX).unwrap());
    }
    assert_eq!(
        &s[..],
        b"HYLL\x01\0\0\0\0\0\0\0\0\0\0\x80\x60\xf3\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a"
    );
    let mut s = new_sparse();
    add(&mut s, b"", MAX).unwrap();
    assert_eq!(&s[16..], b"\x57\x31\x84\x68\xcc");

    let s = counted(filled(1000, MAX));
    assert_eq!(encoding(&s), SPARSE);
    assert_eq!(s.len(), 1906);
    assert_eq!(cached_card(&s), Some(1008));
    assert_eq!(fnv(&s), 0x4ded_8ea0_046b_668d);

    let s = counted(filled(100_000, MAX));
    assert_eq!(encoding(&s), DENSE);
    assert_eq!(s.len(), DENSE_SIZE);
    assert_eq!(cached_card(&s), Some(100_853));
    assert_eq!(fnv(&s), 0xfd1f_c236_9477_3e63);
}

#[test]
fn murmur_tail_and_words() {
    // Every tail length goes through the switch of the C version.
    let data: Vec<u8> = (0u8..40).collect();
    let hs: Vec<u64> = (0..data.len())
        .map(|n| murmur_hash64a(&data[..n], SEED))
        .collect();
    let mut uniq = hs.clone();
    uniq.sort_unstable();
    uniq.dedup();
    assert_eq!(uniq.len(), hs.len());
    assert_eq!(murmur_hash64a(b"", 0), 0);
}

#[test]
fn dense_registers_roundtrip() {
    let mut regs = vec![0u8; DENSE_SIZE - HDR_SIZE];
    for i in 0..REGISTERS {
        dense_put(&mut regs, i, (i * 7 % 64) as u8);
    }
    for i in 0..REGISTERS {
        assert_eq!(dense_get(&regs, i), (i * 7 % 64) as u8, "register {i}");
    }
    dense_put(&mut regs, REGISTERS - 1, 63);
    assert_eq!(dense_get(&regs, REGISTERS - 1), 63);
    assert_eq!(
        dense_get(&regs, REGISTERS - 2),
        ((REGISTERS - 2) * 7 % 64) as u8
    );
}

#[test]
fn sparse_and_dense_agree() {
    let mut sp = new_sparse();
    let mut de = new_sparse();
    to_dense(&mut de).unwrap();
    for i in 0..5000 {
        let e = format!("x{i}");
        let a = add(&mut sp, e.as_bytes(), u64::MAX).unwrap();
        let b = add(&mut de, e.as_bytes(), u64::MAX).unwrap();
        assert_eq!(a, b, "element {i}");
        if i % 97 == 0 {
            assert_eq!(count(&sp), count(&de), "after {i}");
        }
    }
    assert_eq!(encoding(&sp), SPARSE);
    let conv = sparse_to_dense(&sp, 0).unwrap();
    assert_eq!(&conv[HDR_SIZE..], &de[HDR_SIZE..]);
}

#[test]
fn sparse_split_and_merge() {
    let mut s = new_sparse();
    assert!(Sds::new(&mut s).set(100, 3, MAX).unwrap());
    assert_eq!(decode(&s), "Z:100 v:3,1 Z:16283");
    assert!(Sds::new(&mut s).set(101, 3, MAX).unwrap());
    assert_eq!(decode(&s), "Z:100 v:3,2 Z:16282");
    assert!(!Sds::new(&mut s).set(101, 2, MAX).unwrap());
    assert!(Sds::new(&mut s).set(0, 1, MAX).unwrap());
    assert_eq!(decode(&s), "v:1,1 Z:99 v:3,2 Z:16282");
    assert!(Sds::new(&mut s).set(16383, 32, MAX).unwrap());
    assert_eq!(decode(&s), "v:1,1 Z:99 v:3,2 Z:16281 v:32,1");
    assert_eq!(cached_card(&s), None);
    // A value above 32 needs the dense encoding.
    assert!(Sds::new(&mut s).set(5, 33, MAX).unwrap());
    assert_eq!(encoding(&s), DENSE);
    let regs: Vec<u8> = dense_registers(&s).collect();
    assert_eq!(
        (regs[0], regs[5], regs[100], regs[101], regs[16383]),
        (1, 33, 3, 3, 32)
    );
}

#[test]
fn promotes_past_sparse_max() {
    let mut s = new_sparse();
    let mut i = 0;
    while encoding(&s) == SPARSE {
        let before = s.clone();
        add(&mut s, format!("p{i}").as_bytes(), 100).unwrap();
        if encoding(&s) == SPARSE {
            assert!(s.len() <= 100);
        } else {
            assert!(before.len() > 90);
        }
        i += 1;
    }
}

#[test]
fn corrupted_sparse_is_detected() {
    let mut s = filled(10, MAX);
    s.extend_from_slice(b"hello");
    assert_eq!(count(&s), Err(Corrupt));
    assert_eq!(sparse_to_dense(&s, 0), Err(Corrupt));
    let mut max = [0u8; REGISTERS];
    assert_eq!(merge(&mut max, &s), Err(Corrupt));
    // Too short: the registers end before 16384.
    let mut s = new_sparse();
    s[17] = 0;
    assert_eq!(count(&s), Err(Corrupt));
    assert_eq!(Sds::new(&mut s).set(16200, 1, MAX), Err(Corrupt));
    // An XZERO on the last byte reads a zero after it.
    let mut s = new_sparse();
    s.pop();
    s[16] = 0x40;
    assert_eq!(decode(&s), "Z:1");
    assert!(Sds::new(&mut s).set(0, 2, MAX).unwrap());
    assert_eq!(s.len(), 16);
}

/// A split of a truncated XZERO leaves its last byte past the end, where the
/// next element of the same PFADD reads it (bytes from redis-server).
#[test]
fn byte_past_the_end_within_one_command() {
    let mut s = b"HYLL\x01\0\0\0M\x9b\xe9\xca\xf0%-\x94\xc0\x1bRI\xe0\xc9\x04\x1e\xb2h".to_vec();
    let mut w = Sds::new(&mut s);
    for e in [&b"x14947992902154815767"[..], b"y", b"z"] {
        assert_eq!(w.add(e, MAX), Ok(true));
    }
    assert_eq!(
        &s[..],
        b"HYLL\x01\0\0\0M\x9b\xe9\xca\xf0%-\x94\xc0\x1bRI\xe0\xc9\x04\x1e\xb2KB\x80C\xaf\x80X\xcd\x88"
    );
}

#[test]
fn header_checks() {
    assert!(!is_hll(b"HYLL"));
    assert!(!is_hll(b"HYLM\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff"));
    assert!(!is_hll(b"HYLL\x02\0\0\0\0\0\0\0\0\0\0\0\x7f\xff"));
    assert!(!is_hll(b"HYLL\x00\0\0\0\0\0\0\0\0\0\0\0\x7f\xff"));
    let mut d = new_sparse();
    to_dense(&mut d).unwrap();
    assert!(is_hll(&d));
}

#[test]
fn all_high_registers_overflow_as_in_c() {
    let mut d = new_sparse();
    to_dense(&mut d).unwrap();
    for i in 0..REGISTERS {
        dense_put(&mut d[HDR_SIZE..], i, 63);
    }
    assert_eq!(count(&d), Ok(1 << 63));
}

#[test]
fn raw_count_matches_dense() {
    let s = filled(3000, MAX);
    let mut max = [0u8; REGISTERS];
    merge(&mut max, &s).unwrap();
    assert_eq!(count_raw(&max), count(&s).unwrap());
    let mut d = new_sparse();
    store_max(&mut d, &max, MAX);
    assert_eq!(count(&d), count(&s));
}

/// Random bytes after a valid header never panic, whatever the operation.
#[test]
fn random_corruption_never_panics() {
    let mut x = 0x1234_5678_9abc_def1u64;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for round in 0..2000 {
        let mut s = filled((rnd() % 400) as usize, MAX);
        if round % 3 == 0 {
            to_dense(&mut s).unwrap();
        }
        for _ in 0..1 + rnd() % 5 {
            let pos = HDR_SIZE + (rnd() as usize % (s.len() - HDR_SIZE));
            s[pos] = rnd() as u8;
        }
        if rnd() % 4 == 0 {
            let n = (rnd() % 4) as usize;
            s.truncate((s.len() - n).max(HDR_SIZE));
        }
        if !is_hll(&s) {
            continue;
        }
        let _ = count(&s);
        let _ = decode(&s);
        let mut max = [0u8; REGISTERS];
        let _ = merge(&mut max, &s);
        let mut t = s.clone();
        for i in 0..20 {
            if add(&mut t, format!("r{round}-{i}").as_bytes(), MAX).is_err() {
                break;
            }
        }
        let mut t = s.clone();
        let _ = to_dense(&mut t);
        let mut t = s.clone();
        store_max(&mut t, &max, MAX);
        let _ = count(&t);
    }
}

#[test]
fn selftest_passes() {
    let mut x = 88172645463325252u64;
    let r = selftest(MAX, move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    });
    assert_eq!(r, Ok(()));
}

/// The word-at-a-time dense merge, store and histogram agree with the
/// register-at-a-time definitions on random registers (all values 0..=63).
#[test]
fn dense_words_match_registers() {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for round in 0..50 {
        let mut a = new_sparse();
        to_dense(&mut a).unwrap();
        let mut b = a.clone();
        let mut max = [0u8; REGISTERS];
        for (i, m) in max.iter_mut().enumerate() {
            // Mostly small values, as real HLLs have, and the extremes.
            let pick = |r: u64| match r % 8 {
                0 => 0,
                1 => 63,
                _ => (r >> 8) as u8 % 20,
            };
            dense_put(&mut a[HDR_SIZE..], i, pick(rnd()));
            dense_put(&mut b[HDR_SIZE..], i, pick(rnd()));
            *m = if round % 5 == 0 { 0 } else { pick(rnd()) };
        }
        let mut want = max;
        for (i, m) in want.iter_mut().enumerate() {
            *m = (*m).max(dense_get(&a[HDR_SIZE..], i));
        }
        let mut got = max;
        merge(&mut got, &a).unwrap();
        assert_eq!(got, want);

        let mut want_b = b.clone();
        for (i, &m) in got.iter().enumerate() {
            dense_set(&mut want_b[HDR_SIZE..], i, m);
        }
        invalidate_cache(&mut want_b);
        store_max(&mut b, &got, MAX);
        assert_eq!(b, want_b);

        let mut histo = [0u64; 64];
        for i in 0..REGISTERS {
            histo[dense_get(&a[HDR_SIZE..], i) as usize] += 1;
        }
        assert_eq!(count(&a), Ok(estimate(&histo)));
        let mut raw = [0u8; REGISTERS];
        for (i, r) in raw.iter_mut().enumerate() {
            *r = dense_get(&a[HDR_SIZE..], i);
        }
        assert_eq!(count_raw(&raw), estimate(&histo));
    }
}
