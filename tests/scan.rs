//! SCAN / SSCAN / HSCAN paging: COUNT bounds each reply (about COUNT buckets are
//! visited per call, as in Redis), and every element present for the whole
//! iteration is returned, also while keys are added and removed between calls.
//! Run against redis-server too when `OXIDIS_SERVER_BIN` points at it.

mod common;

use std::collections::HashSet;

use common::{Conn, Reply, Server};

const DEBUG_YES: &[&str] = &["--enable-debug-command", "yes"];

/// One `*SCAN` call: `args` with the cursor in place of `"CUR"`; returns the
/// next cursor and the elements.
fn scan_call(c: &mut Conn, args: &[&str], cursor: &str) -> (String, Vec<Vec<u8>>) {
    let argv: Vec<&str> = args
        .iter()
        .map(|&a| if a == "CUR" { cursor } else { a })
        .collect();
    let r = c.cmd_reply(&argv);
    let parts = r.elements().unwrap_or_else(|| panic!("{args:?}: {r:?}"));
    let next = String::from_utf8(parts[0].as_bytes().unwrap()).unwrap();
    let elems = match &parts[1] {
        Reply::Array(v) => v.iter().map(|e| e.as_bytes().unwrap()).collect(),
        other => panic!("not an array: {other:?}"),
    };
    (next, elems)
}

/// Pages through a whole iteration; returns the distinct elements seen and the
/// largest reply. `between` runs after each call.
fn full_scan(
    c: &mut Conn,
    args: &[&str],
    mut between: impl FnMut(&mut Conn, usize),
) -> (HashSet<Vec<u8>>, usize, usize) {
    let mut seen = HashSet::new();
    let (mut cursor, mut most, mut calls) = ("0".to_string(), 0, 0);
    loop {
        let (next, elems) = scan_call(c, args, &cursor);
        most = most.max(elems.len());
        seen.extend(elems);
        calls += 1;
        between(c, calls);
        if next == "0" {
            return (seen, most, calls);
        }
        cursor = next;
    }
}

#[test]
fn scan_count_bounds_each_reply() {
    let srv = Server::oxidis(DEBUG_YES);
    let mut c = srv.connect();
    c.cmd(&["DEBUG", "POPULATE", "50000"]);
    for (count, args) in [
        (1, &["SCAN", "CUR", "COUNT", "1"][..]),
        (10, &["SCAN", "CUR"][..]),
        (100, &["SCAN", "CUR", "COUNT", "100"][..]),
    ] {
        let (seen, most, calls) = full_scan(&mut c, args, |_, _| {});
        assert_eq!(seen.len(), 50000, "{args:?}");
        // Whole buckets of about one key: a few keys past COUNT at most.
        assert!(most <= count + 10, "{args:?}: a reply held {most} keys");
        assert!(
            calls >= 50000 / (count + 10),
            "{args:?}: only {calls} calls"
        );
    }
}

#[test]
fn scan_returns_stable_keys_while_the_table_grows_and_shrinks() {
    let srv = Server::oxidis(DEBUG_YES);
    let mut c = srv.connect();
    c.cmd(&["DEBUG", "POPULATE", "20000", "stable"]);
    // Grow to several times the size during the scan, then shrink back below it.
    let (seen, _, _) = full_scan(&mut c, &["SCAN", "CUR", "COUNT", "50"], |c, call| {
        if call <= 40 {
            let p = format!("tmp{call}:");
            c.cmd(&["DEBUG", "POPULATE", "2000", &p]);
        } else if call <= 80 {
            let p = format!("tmp{}:*", call - 40);
            let keys = c.cmd_reply(&["KEYS", &p]);
            for k in keys.elements().unwrap() {
                c.cmd_bytes(&[b"DEL", &k.as_bytes().unwrap()]);
            }
        }
    });
    for i in 0..20000 {
        let k = format!("stable:{i}");
        assert!(seen.contains(k.as_bytes()), "missed {k}");
    }
}

#[test]
fn sscan_hscan_count_bounds_each_reply() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    for i in 0..3000 {
        let m = format!("m{i}");
        c.cmd(&["SADD", "s", &m]);
        c.cmd(&["HSET", "h", &m, "v"]);
    }
    let (seen, most, _) = full_scan(&mut c, &["SSCAN", "s", "CUR", "COUNT", "5"], |_, _| {});
    assert_eq!(seen.len(), 3000);
    assert!(most <= 5 + 10, "SSCAN reply of {most}");
    // HSCAN counts pairs, as Redis (COUNT 5: about 5 fields, 10 elements).
    let (seen, most, calls) = full_scan(&mut c, &["HSCAN", "h", "CUR", "COUNT", "5"], |_, _| {});
    assert_eq!(seen.len(), 3001, "every field and the value");
    assert!(most <= 2 * (5 + 10), "HSCAN reply of {most}");
    assert!(calls >= 3000 / 15, "HSCAN took only {calls} calls");
    assert!(
        calls <= 3000 / 4,
        "HSCAN took {calls} calls: COUNT counts pairs"
    );
}
