//! Round trips through write_rdb / load_rdb and DUMP / RESTORE, hand-made inputs
//! for the read-only encodings, and a deterministic mutation fuzz (corrupt input
//! is an error, never a panic).

use std::collections::hash_map::RandomState;

use bytes::Bytes;

use super::*;
use crate::db::hash::Hash;
use crate::db::list::{Fill, List};
use crate::db::object::Object;
use crate::db::set::Set;
use crate::db::stream::{NodeLimits, Stream, StreamId};
use crate::db::zset::{AddFlags, Zset, ZsetLimits};
use crate::db::ValueRef;

fn new_dbs(n: usize) -> Vec<Db> {
    let h = RandomState::new();
    (0..n).map(|i| Db::new(i, h.clone())).collect()
}

fn obj(o: Object) -> Value {
    Value::Obj(o)
}

fn sample_db() -> Vec<Db> {
    let mut dbs = new_dbs(3);
    let d = &mut dbs[0];
    d.set(b"int", Value::Int(-123456), None);
    d.set(b"big", Value::Int(i64::MIN), None);
    d.set(
        b"small",
        Value::string(Bytes::from_static(b"hello")),
        Some(4_000_000_000_000),
    );
    d.set(b"zeros", Value::string(Bytes::from(vec![b'0'; 1000])), None);
    d.set(
        &[0u8, 255, 10],
        Value::string(Bytes::from_static(b"\x00bin\xff")),
        None,
    );
    let mut l = List::new(Fill::default());
    for i in 0..3000 {
        l.push_back(format!("element-{i}").as_bytes());
        l.push_back(i.to_string().as_bytes());
    }
    d.set(b"list", obj(Object::List(l)), None);
    let mut h = Hash::new();
    h.set(b"f", b"v", &Default::default());
    h.set(b"n", b"12", &Default::default());
    d.set(b"hsmall", obj(Object::Hash(h)), None);
    let mut h = Hash::new();
    for i in 0..1000 {
        h.set(
            format!("f{i}").as_bytes(),
            format!("v{i}").as_bytes(),
            &Default::default(),
        );
    }
    d.set(b"hbig", obj(Object::Hash(h)), None);
    let mut s = Set::new();
    for v in [1i64, -70000, 5_000_000_000] {
        s.add(v.to_string().as_bytes(), 512);
    }
    d.set(b"sint", obj(Object::Set(s)), None);
    let mut s = Set::new();
    s.add(b"a", 512);
    s.add(b"7", 512);
    d.set(b"sstr", obj(Object::Set(s)), None);
    let lim = ZsetLimits::default();
    let add = |z: &mut Zset, m: &[u8], sc: f64| {
        z.add(m, sc, AddFlags::default(), &lim).unwrap();
    };
    let mut z = Zset::new();
    for (m, sc) in [
        (&b"a"[..], 1.5),
        (b"b", f64::INFINITY),
        (b"c", f64::NEG_INFINITY),
        (b"d", 0.1),
        (b"e", 1e300),
        (b"f", 5e-324),
        (b"g", -3.0),
        (b"h", 4e18),
        (b"i", 1e17),
        (b"42", 42.0),
    ] {
        add(&mut z, m, sc);
    }
    assert_eq!(z.encoding(), "listpack");
    d.set(b"zsmall", obj(Object::Zset(z)), None);
    let mut z = Zset::new();
    for i in 0..300 {
        add(&mut z, format!("m{i}").as_bytes(), f64::from(i % 7) / 3.0);
    }
    add(&mut z, b"negzero", -0.0);
    add(&mut z, b"ninf", f64::NEG_INFINITY);
    assert_eq!(z.encoding(), "skiplist");
    d.set(b"zbig", obj(Object::Zset(z)), None);
    let mut z = Zset::new();
    add(&mut z, &[b'x'; 100], 1.0);
    assert_eq!(z.encoding(), "skiplist");
    d.set(b"zlong", obj(Object::Zset(z)), None);
    d.set(b"stream", obj(Object::Stream(sample_stream())), None);
    dbs[2].set(b"in-db-2", Value::Int(2), None);
    dbs
}

/// A stream over three nodes with a tombstone, integer and long values, and a
/// group whose PEL is split between two consumers.
fn sample_stream() -> Stream {
    let lim = NodeLimits {
        max_bytes: 4096,
        max_entries: 4,
    };
    let mut st = Stream::new();
    for i in 1..=10u64 {
        let v = if i % 3 == 0 {
            i.to_string()
        } else {
            "x".repeat(i as usize * 7)
        };
        let fields: Vec<&[u8]> = if i == 5 {
            vec![b"other", v.as_bytes(), b"more", b"-12"]
        } else {
            vec![b"f", v.as_bytes()]
        };
        st.append(StreamId::new(1000 + i, i % 2), &fields, lim);
    }
    assert!(st.delete(StreamId::new(1004, 0)));
    st.create_group(b"g1", StreamId::new(1003, 1), 3);
    st.create_group(b"123", StreamId::MIN, -1);
    let g = st.group_mut(b"g1").unwrap();
    g.create_consumer(b"alice", 1_700_000_000_000);
    g.deliver(StreamId::new(1001, 1), b"alice", 1_700_000_000_001);
    g.assign(StreamId::new(1002, 0), b"bob", 1_700_000_000_002, 7);
    g.create_consumer(b"idle", 5);
    st
}

/// A comparable rendering of a value.
fn render(v: ValueRef<'_>) -> (String, Vec<Vec<u8>>) {
    match v {
        ValueRef::Int(i) => ("string".into(), vec![i.to_string().into_bytes()]),
        ValueRef::Str(s) => ("string".into(), vec![s.to_vec()]),
        ValueRef::Obj(o) => {
            let mut items: Vec<Vec<u8>> = match o {
                Object::List(l) => l.iter().map(|e| e.to_bytes().to_vec()).collect(),
                Object::Hash(h) => h.iter().map(|(f, v)| [f, b"=", v].concat()).collect(),
                Object::Set(s) => s.iter().map(|m| m.to_vec()).collect(),
                Object::Zset(z) => z
                    .iter()
                    .map(|(m, s)| [&m[..], b"=", s.to_string().as_bytes()].concat())
                    .collect(),
                Object::Stream(st) => {
                    let mut v: Vec<Vec<u8>> = st
                        .iter_range(StreamId::MIN, StreamId::MAX, false)
                        .map(|(id, f)| [id.to_bytes(), f.to_vec().concat()].concat())
                        .collect();
                    v.push(
                        format!(
                            "len={} last={} first={} maxdel={} added={} nodes={}",
                            st.len(),
                            st.last_id(),
                            st.first_id(),
                            st.max_deleted_id(),
                            st.entries_added(),
                            st.node_count()
                        )
                        .into_bytes(),
                    );
                    for (name, g) in st.groups() {
                        v.push(format!("{name:?} {g:?}").into_bytes());
                    }
                    v
                }
            };
            if !matches!(o, Object::List(_) | Object::Zset(_) | Object::Stream(_)) {
                items.sort();
            }
            (format!("{}/{}", o.type_name(), o.encoding()), items)
        }
    }
}

/// (db, key, type/encoding, items, expiry) of every key.
type Listing = Vec<(usize, Vec<u8>, String, Vec<Vec<u8>>, Option<i64>)>;

fn dump_all(dbs: &mut [Db]) -> Listing {
    let mut out = Vec::new();
    for d in dbs.iter_mut() {
        let id = d.id;
        d.for_each_live(|e| {
            let (t, items) = render(e.value());
            out.push((id, e.key().to_vec(), t, items, e.expire()));
        });
    }
    out.sort();
    out
}

/// The AUX fields of every file these tests write.
fn info() -> SaveInfo {
    SaveInfo {
        ctime: 1_700_000_000,
        used_mem: 1 << 20,
        aof_base: false,
        repl_id: "0123456789012345678901234567890123456789".into(),
        repl_offset: 0,
        repl_stream_db: 0,
    }
}

fn save(dbs: &[Db], compression: bool, checksum: bool) -> Vec<u8> {
    let snaps: Vec<DbSnapshot> = dbs.iter().map(DbSnapshot::of).collect();
    let info = info();
    let mut out = Vec::new();
    write_rdb(
        &mut out,
        &snaps,
        &info,
        &SaveOpts {
            compression,
            checksum,
        },
    )
    .unwrap();
    out
}

/// BGSAVE's writer drops segments as it goes: same bytes as the borrowing
/// writer, the frozen view stays exact while the live table is written, and
/// once written a segment is no longer shared (no copy-on-write for it).
#[test]
fn releasing_writer_matches_and_unshares() {
    let mut dbs = sample_db();
    for i in 0..5000 {
        dbs[1].set(format!("k{i}").as_bytes(), Value::Int(i), None);
    }
    let want = save(&dbs, true, true);
    let snaps: Vec<DbSnapshot> = dbs.iter().map(DbSnapshot::of).collect();
    for i in 0..5000 {
        dbs[1].set(format!("k{i}").as_bytes(), Value::Int(-1), None);
    }
    let info = info();
    let opts = SaveOpts {
        compression: true,
        checksum: true,
    };
    let mut got = Vec::new();
    write_rdb_releasing(&mut got, snaps, &info, &opts, KeyClock::None, &mut |_| {}).unwrap();
    assert_eq!(got, want);
    for d in &dbs {
        assert!(d.snapshot().iter().all(|s| Arc::strong_count(s) == 2));
    }
}

fn load(bytes: &[u8], n: usize) -> Result<(Vec<Db>, LoadStats), RdbError> {
    let mut dbs = new_dbs(n);
    let opts = LoadOpts {
        now_ms: 1_000_000,
        skip_expired: true,
        sanitize: true,
        key_load_delay: 0,
    };
    let stats = load_rdb(&mut &bytes[..], &mut dbs, &opts, &mut |_| {})?;
    Ok((dbs, stats))
}

#[test]
fn file_round_trip_every_type() {
    let mut src = sample_db();
    let want = dump_all(&mut src);
    for (compression, checksum) in [(true, true), (false, false), (true, false)] {
        let bytes = save(&src, compression, checksum);
        assert_eq!(&bytes[..9], b"REDIS0010");
        let (mut dbs, stats) = load(&bytes, 16).unwrap();
        assert_eq!(stats.keys as usize, want.len());
        assert_eq!(dump_all(&mut dbs), want);
        let aux: Vec<_> = stats.aux.iter().map(|(k, _)| k.clone()).collect();
        assert!(aux.contains(&b"redis-ver".to_vec()) && aux.contains(&b"aof-base".to_vec()));
    }
    let plain = save(&src, false, true).len();
    let packed = save(&src, true, true).len();
    assert!(packed < plain, "LZF shrinks the file: {packed} vs {plain}");
}

#[test]
fn checksum_and_db_count_are_checked() {
    let src = sample_db();
    let mut bytes = save(&src, true, true);
    let n = bytes.len();
    bytes[n - 3] ^= 1;
    assert_eq!(load(&bytes, 16).err().unwrap().0, "RDB CRC error");
    let bytes = save(&src, true, true);
    assert!(load(&bytes, 2)
        .err()
        .unwrap()
        .0
        .contains("more than 2 databases"));
    assert_eq!(
        load(&bytes[..bytes.len() - 20], 16).err().unwrap().0,
        "Unexpected EOF reading RDB file"
    );
}

#[test]
fn expired_keys_are_skipped_and_thresholds_apply() {
    let mut dbs = new_dbs(1);
    dbs[0].set(b"old", Value::Int(1), Some(10));
    dbs[0].set(b"new", Value::Int(1), Some(5_000_000));
    let bytes = save(&dbs, true, true);
    let (mut got, stats) = load(&bytes, 1).unwrap();
    assert_eq!((stats.keys, stats.expired_skipped), (1, 1));
    assert!(got[0].lookup(b"new").is_some());

    // A hash small enough for a listpack here becomes a hashtable under
    // smaller limits; an intset too big for the limit becomes a hashtable.
    let src = sample_db();
    let bytes = save(&src, true, true);
    let mut dbs = new_dbs(16);
    let lim = Limits {
        list_fill: 4,
        hash: crate::db::hash::HashLimits {
            max_entries: 1,
            max_value: 64,
        },
        set_max_intset_entries: 2,
        zset: ZsetLimits {
            max_entries: 5,
            max_value: 64,
        },
    };
    let opts = LoadOpts {
        now_ms: 0,
        skip_expired: false,
        sanitize: false,
        key_load_delay: 0,
    };
    load_rdb_with(
        &mut &bytes[..],
        &mut dbs,
        &opts,
        &lim,
        KeyClock::None,
        &mut |_| {},
    )
    .unwrap();
    let enc = |d: &mut Db, k: &[u8]| match d.lookup(k).unwrap().value() {
        ValueRef::Obj(o) => o.encoding(),
        _ => "string",
    };
    assert_eq!(enc(&mut dbs[0], b"hsmall"), "hashtable");
    assert_eq!(enc(&mut dbs[0], b"sint"), "hashtable");
    // A listpack zset past the entry limit converts; a skiplist that fits
    // both limits becomes a listpack (Redis converts after loading ZSET_2).
    assert_eq!(enc(&mut dbs[0], b"zsmall"), "skiplist");
    assert_eq!(enc(&mut dbs[0], b"zbig"), "skiplist");
    assert_eq!(enc(&mut dbs[0], b"zlong"), "skiplist");
    let lim = Limits {
        zset: ZsetLimits {
            max_entries: 1000,
            max_value: 200,
        },
        ..Limits::default()
    };
    let mut dbs = new_dbs(16);
    load_rdb_with(
        &mut &bytes[..],
        &mut dbs,
        &opts,
        &lim,
        KeyClock::None,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(enc(&mut dbs[0], b"zbig"), "listpack");
    assert_eq!(enc(&mut dbs[0], b"zlong"), "listpack");
    assert_eq!(enc(&mut dbs[0], b"zsmall"), "listpack");
}

#[test]
fn idle_time_is_saved_and_restored_under_lru() {
    let mut dbs = new_dbs(1);
    dbs[0].set(b"k", Value::Int(1), None);
    let ctime = 1_700_000_000i64;
    let clock = (ctime as u32) & crate::db::LRU_CLOCK_MAX;
    dbs[0].lookup(b"k").unwrap().set_lru(clock - 100);
    let snaps = vec![DbSnapshot::of(&dbs[0])];
    let info = SaveInfo {
        ctime,
        used_mem: 0,
        aof_base: false,
        repl_id: String::new(),
        repl_offset: 0,
        repl_stream_db: 0,
    };
    let mut bytes = Vec::new();
    let opts = SaveOpts {
        compression: true,
        checksum: true,
    };
    write_rdb_with(&mut bytes, &snaps, &info, &opts, KeyClock::Lru, &mut |_| {}).unwrap();
    let mut got = new_dbs(1);
    let lopts = LoadOpts {
        now_ms: (ctime + 50) * 1000,
        skip_expired: true,
        sanitize: false,
        key_load_delay: 0,
    };
    let lim = Limits::default();
    load_rdb_with(
        &mut &bytes[..],
        &mut got,
        &lopts,
        &lim,
        KeyClock::Lru,
        &mut |_| {},
    )
    .unwrap();
    let lru = got[0].lookup_notouch(b"k").unwrap().lru();
    assert_eq!(idle_seconds(lru_clock_at(lopts.now_ms), lru), 100);
}

#[test]
fn dump_restore_round_trip_and_errors() {
    let mut src = sample_db();
    let mut keys = Vec::new();
    src[0].for_each_live(|e| keys.push(e.key().to_vec()));
    for k in keys {
        let e = src[0].lookup(&k).unwrap();
        let p = dump_payload(e);
        let v = restore_payload(&p, true).unwrap();
        let back = Entry::new(&k, v, None);
        assert_eq!(render(back.value()), render(e.value()));
        let mut bad = p.clone();
        let n = bad.len();
        bad[n - 1] ^= 0x40;
        assert_eq!(
            restore_payload(&bad, false).unwrap_err(),
            error::DUMP_PAYLOAD_VERSION
        );
        let mut newer = p[..n - 10].to_vec();
        newer.extend_from_slice(&11u16.to_le_bytes());
        let crc = crc64(0, &newer);
        newer.extend_from_slice(&crc.to_le_bytes());
        assert_eq!(
            restore_payload(&newer, false).unwrap_err(),
            error::DUMP_PAYLOAD_VERSION
        );
    }
    // Redis 7.0's DUMP of SET k 1 (int-encoded string): 00 c0 01 0a 00 + crc.
    let e = Entry::new(b"k", Value::Int(1), None);
    let p = dump_payload(&e);
    assert_eq!(&p[..5], &[0x00, 0xc0, 0x01, 0x0a, 0x00]);
    // A well-formed payload of an empty sorted set.
    let mut zset = vec![TYPE_ZSET_2, 0];
    zset.extend_from_slice(&10u16.to_le_bytes());
    let crc = crc64(0, &zset);
    zset.extend_from_slice(&crc.to_le_bytes());
    assert_eq!(
        restore_payload(&zset, false).unwrap_err(),
        error::BAD_DATA_FORMAT
    );
}

#[test]
fn unsupported_types_have_a_clear_error() {
    let mut f = b"REDIS0010".to_vec();
    f.extend_from_slice(&[OP_SELECTDB, 0, TYPE_STREAM_LISTPACKS_3, 1, b'z', 0, OP_EOF]);
    f.extend_from_slice(&[0; 8]);
    assert_eq!(
        load(&f, 16).err().unwrap().0,
        "Unsupported RDB type 21 (STREAM_LISTPACKS_3 is Redis 7.2's)"
    );
    let mut f = b"REDIS0010".to_vec();
    f.extend_from_slice(&[OP_SELECTDB, 0, 20, 1, b'z', 0, OP_EOF]);
    assert_eq!(
        load(&f, 16).err().unwrap().0,
        "Unknown RDB encoding type 20"
    );
    assert_eq!(
        load(b"REDIS0011\xff", 16).err().unwrap().0,
        "Can't handle RDB format version 11"
    );
}

#[test]
fn old_encodings_load() {
    // RDB version 6: LIST (1), a ziplist list (10) and a zipmap hash (9), an
    // EXPIRETIME in seconds, no checksum (zero).
    let mut zl = Vec::new();
    let body = [0u8, 0x01, b'x', 3, 0xF3]; // "x", 2
    zl.extend_from_slice(&((10 + body.len() + 1) as u32).to_le_bytes());
    zl.extend_from_slice(&0u32.to_le_bytes());
    zl.extend_from_slice(&2u16.to_le_bytes());
    zl.extend_from_slice(&body);
    zl.push(0xFF);
    let zm = [1u8, 1, b'f', 1, 0, b'v', 0xFF];
    let mut f = b"REDIS0006".to_vec();
    f.extend_from_slice(&[OP_SELECTDB, 0]);
    f.extend_from_slice(&[OP_EXPIRETIME]);
    f.extend_from_slice(&2_000_000_000i32.to_le_bytes());
    f.extend_from_slice(&[TYPE_LIST, 1, b'l', 2, 1, b'a', 0xC0, 5]);
    f.extend_from_slice(&[TYPE_LIST_ZIPLIST, 1, b'z', zl.len() as u8]);
    f.extend_from_slice(&zl);
    f.extend_from_slice(&[TYPE_HASH_ZIPMAP, 1, b'h', zm.len() as u8]);
    f.extend_from_slice(&zm);
    f.push(OP_EOF);
    f.extend_from_slice(&[0; 8]);
    let (mut dbs, stats) = load(&f, 16).unwrap();
    assert_eq!(stats.keys, 3);
    let got = dump_all(&mut dbs);
    assert_eq!(got[0].1, b"h");
    assert_eq!(got[0].3, vec![b"f=v".to_vec()]);
    assert_eq!(got[1].3, vec![b"a".to_vec(), b"5".to_vec()]);
    assert_eq!(got[1].4, Some(2_000_000_000_000));
    assert_eq!(got[2].3, vec![b"x".to_vec(), b"2".to_vec()]);
}

/// xorshift, so the fuzz is the same on every run.
fn rng(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn mutated_input_never_panics() {
    let src = sample_db();
    let file = save(&src, true, false);
    let mut payloads = Vec::new();
    for k in [
        &b"list"[..],
        b"hsmall",
        b"hbig",
        b"sint",
        b"sstr",
        b"zeros",
        b"stream",
        b"stream",
    ] {
        payloads.push(dump_payload(
            src[0].table().get(src[0].table().find(k).unwrap()),
        ));
    }
    let mut st = 0x9E37_79B9_7F4A_7C15u64;
    for round in 0..3000 {
        let mut f = if round % 2 == 0 {
            file.clone()
        } else {
            payloads[round / 2 % payloads.len()].clone()
        };
        let edits = 1 + rng(&mut st) % 4;
        for _ in 0..edits {
            let i = (rng(&mut st) as usize) % f.len();
            match rng(&mut st) % 4 {
                0 => f[i] ^= 1 << (rng(&mut st) % 8),
                1 => f[i] = rng(&mut st) as u8,
                2 => f.truncate(i.max(1)),
                _ => f.insert(i, rng(&mut st) as u8),
            }
        }
        if round % 2 == 0 {
            let _ = load(&f, 16);
        } else {
            // Skip the checksum so the mutation reaches the decoder.
            let body_len = f.len().saturating_sub(10);
            let _ = load::read_value(&f[..body_len], &Limits::default(), round % 4 == 1);
            let _ = restore_payload(&f, true);
        }
    }
}

#[test]
fn old_zset_encodings_load() {
    // TYPE_ZSET (3): text scores, 253/254/255 for nan/inf/-inf; and a
    // TYPE_ZSET_ZIPLIST (12) of "a" 1, "b" "2.5".
    let mut f = b"REDIS0006".to_vec();
    f.extend_from_slice(&[OP_SELECTDB, 0]);
    f.extend_from_slice(&[TYPE_ZSET, 1, b'z', 3]);
    f.extend_from_slice(&[1, b'x', 3, b'1', b'.', b'5']);
    f.extend_from_slice(&[1, b'y', 254]);
    f.extend_from_slice(&[1, b'w', 255]);
    // Ziplist entries (prevlen, encoding, data): "a", 1 (4-bit immediate), "b", "2.5".
    let mut zl = Vec::new();
    let entries: [&[u8]; 4] = [
        &[0, 0x01, b'a'],
        &[3, 0xF2],
        &[2, 0x01, b'b'],
        &[3, 0x03, b'2', b'.', b'5'],
    ];
    let body: Vec<u8> = entries.concat();
    zl.extend_from_slice(&((10 + body.len() + 1) as u32).to_le_bytes());
    zl.extend_from_slice(&0u32.to_le_bytes());
    zl.extend_from_slice(&4u16.to_le_bytes());
    zl.extend_from_slice(&body);
    zl.push(0xFF);
    f.extend_from_slice(&[TYPE_ZSET_ZIPLIST, 2, b'z', b'l', zl.len() as u8]);
    f.extend_from_slice(&zl);
    f.push(OP_EOF);
    f.extend_from_slice(&[0; 8]);
    let (mut dbs, stats) = load(&f, 16).unwrap();
    assert_eq!(stats.keys, 2);
    let got = dump_all(&mut dbs);
    assert_eq!(got[0].1, b"z");
    assert_eq!(got[0].2, "zset/listpack");
    assert_eq!(
        got[0].3,
        vec![b"w=-inf".to_vec(), b"x=1.5".to_vec(), b"y=inf".to_vec()]
    );
    assert_eq!(got[1].3, vec![b"a=1".to_vec(), b"b=2.5".to_vec()]);

    // A NaN score and a duplicate member are refused as Redis refuses them.
    let mut f = b"REDIS0006".to_vec();
    f.extend_from_slice(&[OP_SELECTDB, 0, TYPE_ZSET, 1, b'z', 1, 1, b'x', 253, OP_EOF]);
    f.extend_from_slice(&[0; 8]);
    assert_eq!(
        load(&f, 16).err().unwrap().0,
        "Zset with NAN score detected"
    );
    let mut f = b"REDIS0010".to_vec();
    f.extend_from_slice(&[OP_SELECTDB, 0, TYPE_ZSET_2, 1, b'z', 2]);
    for _ in 0..2 {
        f.extend_from_slice(&[1, b'x']);
        f.extend_from_slice(&1.0f64.to_le_bytes());
    }
    f.push(OP_EOF);
    f.extend_from_slice(&[0; 8]);
    assert_eq!(
        load(&f, 16).err().unwrap().0,
        "Duplicate zset fields detected"
    );
}
