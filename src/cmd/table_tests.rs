//! Checks over every row of the live command table, and over the metadata of
//! the commands not served yet (`command::pending`).

use std::collections::HashSet;

use super::{command_table, flags, Command};
use crate::command::pending;
use crate::command::spec::{
    get_keys, legacy_range, Arg, ArgType, GetKeys, KeySpec, ACCESS, RO, RW, UPDATE,
};

fn argv(s: &str) -> Vec<bytes::Bytes> {
    s.split(' ')
        .map(|a| bytes::Bytes::copy_from_slice(a.as_bytes()))
        .collect()
}

/// Every `key` argument points at one of the command's key specs; any other
/// (a SORT `BY` pattern) points at one or at none.
fn check_args(name: &str, args: &[Arg], key_specs: &[KeySpec]) {
    for a in args {
        if a.typ == ArgType::Key {
            assert!(
                (0..key_specs.len() as i32).contains(&a.key_spec_index),
                "{name}: argument {} has no key spec",
                a.name
            );
        } else {
            assert!(
                (-1..key_specs.len() as i32).contains(&a.key_spec_index),
                "{name}: argument {}",
                a.name
            );
        }
        check_args(name, a.args, key_specs);
    }
}

#[test]
fn table_is_consistent() {
    let t = command_table();
    let mut names = HashSet::new();
    for e in &t.list {
        let c = e.cmd;
        assert_eq!(c.name, c.name.to_ascii_lowercase());
        assert!(names.insert(e.fullname), "duplicate {}", e.fullname);
        assert!(c.arity != 0, "{}", e.fullname);
        assert!(!c.summary.is_empty(), "{}", e.fullname);
        assert!(!c.since.is_empty() && !c.group.is_empty(), "{}", e.fullname);
        check_args(e.fullname, c.args, c.key_specs);
        match e.parent {
            Some(p) => {
                let parent = t.list[p].cmd;
                assert!(c.subcommands.is_empty(), "{}", e.fullname);
                assert_eq!(e.fullname, format!("{}|{}", parent.name, c.name));
                assert_eq!(c.group, parent.group, "{}", e.fullname);
                assert!(c.arity.abs() >= 2, "{}", e.fullname);
            }
            None => assert_eq!(e.fullname, c.name),
        }
    }
    assert!(t.find(b"GeT").is_some());
}

/// The legacy (first, last, step) COMMAND INFO derives from the key specs
/// fits the row: no keys without specs (nor an extractor without them), and
/// keys within a fixed arity.
#[test]
fn key_specs_fit_the_legacy_range_and_arity() {
    let t = command_table();
    for e in &t.list {
        let c = e.cmd;
        let ((first, last, step), movable) = legacy_range(c.key_specs);
        assert_eq!(e.legacy_keys, (first, last, step), "{}", e.fullname);
        assert_eq!(
            e.info_flags & flags::MOVABLE_KEYS != 0,
            movable,
            "{}",
            e.fullname
        );
        if c.key_specs.is_empty() {
            assert_eq!(c.getkeys, GetKeys::None, "{}", e.fullname);
            assert_eq!((first, last, step, movable), (0, 0, 0, false));
        }
        if first > 0 {
            assert!(step >= 1 && (last < 0 || last >= first), "{}", e.fullname);
            if c.arity > 0 {
                assert!(first < c.arity && last < c.arity, "{}", e.fullname);
            }
        }
    }
}

/// Redis 7.0's commands flagged may_replicate (hidden from COMMAND INFO,
/// but CLIENT PAUSE WRITE holds them): exactly these carry the flag here.
#[test]
fn may_replicate_rows_match_redis() {
    const REDIS: &[&str] = &["eval", "evalsha", "fcall", "pfcount", "publish", "spublish"];
    let t = command_table();
    for e in &t.list {
        let has = e.cmd.flags & flags::MAY_REPLICATE != 0;
        assert_eq!(has, REDIS.contains(&e.fullname), "{}", e.fullname);
    }
    assert!(t.find(b"publish").is_some());
}

/// Pending metadata: unique lower-case names, none of them served already
/// (a served command states its metadata in its row only).
#[test]
fn pending_specs_are_not_in_the_table() {
    let t = command_table();
    let mut seen = HashSet::new();
    for g in pending::groups() {
        for s in g {
            assert_eq!(s.name, s.name.to_ascii_lowercase());
            assert!(seen.insert(s.name), "duplicate {}", s.name);
            assert!(t.find_fullname(s.name.as_bytes()).is_none(), "{}", s.name);
            check_args(s.name, s.args, s.key_specs);
        }
    }
}

fn row(name: &str) -> &'static Command {
    let t = command_table();
    let id = t.find_fullname(name.as_bytes()).expect(name);
    t.list[id].cmd
}

#[test]
fn legacy_ranges() {
    let range = |name| legacy_range(row(name).key_specs);
    assert_eq!(range("get"), ((1, 1, 1), false));
    assert_eq!(range("mset"), ((1, -1, 2), false));
    assert_eq!(range("migrate"), ((3, 3, 1), true));
    assert_eq!(range("lmpop"), ((0, 0, 0), true));
    assert_eq!(range("rpoplpush"), ((1, 2, 1), false));
}

#[test]
fn key_extraction() {
    let keys = |name: &str, arity: i32, args: &str| -> Vec<(usize, u32)> {
        let c = row(name);
        get_keys(c.key_specs, c.getkeys, arity, &argv(args))
    };
    let pos = |name: &str, args: &str| -> Vec<usize> {
        keys(name, -1, args).into_iter().map(|k| k.0).collect()
    };
    assert_eq!(pos("mset", "mset a 1 b 2"), vec![1, 3]);
    assert_eq!(pos("lmpop", "lmpop 2 a b left"), vec![2, 3]);
    assert!(pos("lmpop", "lmpop 5 a b left").is_empty());
    assert_eq!(pos("sort", "sort k by x store d"), vec![1, 5]);
    assert_eq!(pos("migrate", "migrate h p  0 5 keys a b"), vec![7, 8]);
    assert_eq!(pos("migrate", "migrate h p k 0 5"), vec![3]);
    assert_eq!(
        keys("set", -3, "set a b get"),
        vec![(1, RW | ACCESS | UPDATE)]
    );
    assert_eq!(pos("sort_ro", "sort_ro a by x"), vec![1]);
    assert_eq!(pos("zunionstore", "zunionstore d 2 a b"), vec![1, 3, 4]);
    assert_eq!(pos("zintercard", "zintercard 2 a b limit 1"), vec![2, 3]);
    assert!(pos("zdiffstore", "zdiffstore d 3 a b").is_empty());
    let b = row("bitfield");
    assert_eq!(
        get_keys(
            b.key_specs,
            b.getkeys,
            -2,
            &argv("bitfield a overflow wrap get u8 0")
        ),
        vec![(1, RO | ACCESS)]
    );
    assert_eq!(
        get_keys(b.key_specs, b.getkeys, -2, &argv("bitfield a get u8")),
        vec![(1, RW | ACCESS | UPDATE)]
    );
    assert_eq!(pos("xread", "xread count 1 streams a b 0 0"), vec![4, 5]);
    assert_eq!(
        pos("xreadgroup", "xreadgroup group g c streams a b > >"),
        vec![5, 6]
    );
}
