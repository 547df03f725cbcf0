//! Differential test of the command metadata: for every command and subcommand
//! that oxidis lists in `COMMAND LIST`, `COMMAND INFO <name>` must be the same
//! bytes as a real redis-server's, in RESP2 and RESP3, and `COMMAND DOCS <name>`
//! the same structure (the prose fields — summaries and history descriptions —
//! masked). A few `COMMAND GETKEYS` / `GETKEYSANDFLAGS` lines are compared raw.
//!
//! Redis keeps subcommands in a hash table whose order changes from run to run,
//! and oxidis implements only some of them, so a container's subcommand list is
//! compared as a subset: each oxidis entry must equal one of Redis's.

mod common;

use std::collections::{BTreeSet, HashSet};

use common::{escape, split_aggregate, Conn, Reply, Server};

/// Rows known to differ from Redis whose fix lives in another branch: their
/// COMMAND INFO differences are reported as notices, not failures. Remove an
/// entry once the fix is merged.
const KNOWN_ROW_DIFFS: &[&str] = &[];

fn bulk_strings(r: &Reply) -> Vec<String> {
    r.elements()
        .unwrap_or(&[])
        .iter()
        .map(|e| String::from_utf8_lossy(&e.as_bytes().unwrap_or_default()).into_owned())
        .collect()
}

/// Compares one `COMMAND INFO name` reply; returns what differs.
fn diff_info(name: &str, ox: &[u8], rd: &[u8], notices: &mut Vec<String>) -> Option<String> {
    if ox == rd {
        return None;
    }
    let whole = || {
        Some(format!(
            "COMMAND INFO {name}\n  oxidis: {}\n  redis:  {}",
            escape(ox),
            escape(rd)
        ))
    };
    // Both: a one-element array holding a 10-element entry.
    let (Some((oh, oe)), Some((rh, re))) = (split_aggregate(ox), split_aggregate(rd)) else {
        return whole();
    };
    if oh != rh || oe.len() != 1 || re.len() != 1 {
        return whole();
    }
    let (Some((oh, of)), Some((rh, rf))) = (split_aggregate(&oe[0]), split_aggregate(&re[0]))
    else {
        return whole();
    };
    if oh != rh || of.len() != 10 || rf.len() != 10 || of[..9] != rf[..9] {
        return whole();
    }
    // Only the subcommands differ: a subset, in any order.
    let (Some((_, osubs)), Some((_, rsubs))) = (split_aggregate(&of[9]), split_aggregate(&rf[9]))
    else {
        return whole();
    };
    for s in &osubs {
        if !rsubs.contains(s) {
            return Some(format!(
                "COMMAND INFO {name}: subcommand entry not as Redis's: {}",
                escape(s)
            ));
        }
    }
    if osubs.len() < rsubs.len() {
        notices.push(format!(
            "{name}: oxidis has {} of Redis's {} subcommands",
            osubs.len(),
            rsubs.len()
        ));
    }
    None
}

/// The (key, value) pairs of a map: a RESP3 map or a RESP2 flat array.
fn pairs(r: &Reply) -> Vec<(&Reply, &Reply)> {
    match r {
        Reply::Map(p) => p.iter().map(|(k, v)| (k, v)).collect(),
        Reply::Array(v) => v.chunks(2).map(|c| (&c[0], &c[1])).collect(),
        _ => Vec::new(),
    }
}

fn text(r: &Reply) -> String {
    String::from_utf8_lossy(&r.as_bytes().unwrap_or_default()).into_owned()
}

/// Aggregate marker: RESP3 maps and sets must stay maps and sets.
fn marker(r: &Reply) -> &'static str {
    match r {
        Reply::Map(_) => "%",
        Reply::Set(_) => "~",
        Reply::Array(_) => "*",
        _ => "?",
    }
}

/// Leaf values (and small aggregates of them) as text.
fn leaf(r: &Reply, out: &mut String) {
    match r {
        Reply::Bulk(b) => out.push_str(&format!("{:?}", String::from_utf8_lossy(b))),
        Reply::Array(v) | Reply::Set(v) => {
            out.push_str(marker(r));
            out.push('[');
            for e in v {
                leaf(e, out);
                out.push(',');
            }
            out.push(']');
        }
        other => out.push_str(&format!("{other:?}")),
    }
}

/// A canonical text form of a COMMAND DOCS reply, keeping every field name,
/// value and aggregate type except the prose: summaries and history
/// descriptions are masked, and each `subcommands` map is reduced to the
/// sorted names it shares with `keep` (the subcommands are compared one by one).
fn canon_docs(r: &Reply, keep: &HashSet<String>, out: &mut String) {
    out.push_str(marker(r));
    for (name, doc) in pairs(r) {
        out.push_str(&format!("{} => ", text(name)));
        canon_doc(doc, keep, out);
        out.push('\n');
    }
}

fn canon_doc(doc: &Reply, keep: &HashSet<String>, out: &mut String) {
    out.push_str(marker(doc));
    out.push('{');
    for (k, v) in pairs(doc) {
        let key = text(k);
        out.push_str(&key);
        out.push('=');
        match key.as_str() {
            "summary" => out.push_str("<prose>"),
            "history" => {
                out.push_str(marker(v));
                for h in v.elements().unwrap_or(&[]) {
                    let e = h.elements().unwrap_or(&[]);
                    let version = e.first().map(text).unwrap_or_default();
                    out.push_str(&format!("{}({version},<prose>)", marker(h)));
                }
            }
            "arguments" => canon_args(v, out),
            "subcommands" => {
                let names: BTreeSet<String> = pairs(v)
                    .into_iter()
                    .map(|(n, _)| text(n))
                    .filter(|n| keep.contains(n))
                    .collect();
                out.push_str(&format!("{}{names:?}", marker(v)));
            }
            _ => leaf(v, out),
        }
        out.push_str("; ");
    }
    out.push('}');
}

fn canon_args(args: &Reply, out: &mut String) {
    out.push_str(marker(args));
    out.push('[');
    for a in args.elements().unwrap_or(&[]) {
        out.push_str(marker(a));
        out.push('{');
        for (k, v) in pairs(a) {
            let key = text(k);
            out.push_str(&key);
            out.push('=');
            if key == "arguments" {
                canon_args(v, out);
            } else {
                leaf(v, out);
            }
            out.push_str("; ");
        }
        out.push_str("}, ");
    }
    out.push(']');
}

fn servers() -> (Server, Server) {
    common::require_redis();
    (Server::oxidis(&[]), Server::redis(&[]))
}

fn hello3(c: &mut Conn) {
    let r = Reply::parse(&c.cmd(&["HELLO", "3"]));
    assert!(!r.is_error(), "HELLO 3 failed: {r:?}");
}

#[test]
fn command_info_and_docs_match_redis() {
    let (ox, rd) = servers();
    let mut o = ox.connect();
    let mut r = rd.connect();
    let names = bulk_strings(&Reply::parse(&o.cmd(&["COMMAND", "LIST"])));
    assert!(names.len() > 10, "COMMAND LIST too short: {names:?}");
    let keep: HashSet<String> = names.iter().cloned().collect();
    let mut failures = Vec::new();
    let mut notices = Vec::new();
    for proto in [2, 3] {
        if proto == 3 {
            hello3(&mut o);
            hello3(&mut r);
        }
        // Unknown names: a null per name in INFO, skipped in DOCS.
        for args in [
            &["COMMAND", "INFO", "get", "nosuchcmd", "client|nosuch"][..],
            &["COMMAND", "DOCS", "nosuchcmd"],
        ] {
            let (a, b) = (o.cmd(args), r.cmd(args));
            if a != b {
                failures.push(format!(
                    "[RESP{proto}] {}\n  oxidis: {}\n  redis:  {}",
                    args.join(" "),
                    escape(&a),
                    escape(&b)
                ));
            }
        }
        for n in &names {
            let oi = o.cmd(&["COMMAND", "INFO", n]);
            let ri = r.cmd(&["COMMAND", "INFO", n]);
            if let Some(d) = diff_info(n, &oi, &ri, &mut notices) {
                if KNOWN_ROW_DIFFS.contains(&n.as_str()) {
                    notices.push(format!("known row difference: {d}"));
                } else {
                    failures.push(format!("[RESP{proto}] {d}"));
                }
            }
            let od = o.cmd(&["COMMAND", "DOCS", n]);
            let rdocs = r.cmd(&["COMMAND", "DOCS", n]);
            let (mut oc, mut rc) = (String::new(), String::new());
            canon_docs(&Reply::parse(&od), &keep, &mut oc);
            canon_docs(&Reply::parse(&rdocs), &keep, &mut rc);
            if oc != rc {
                failures.push(format!(
                    "[RESP{proto}] COMMAND DOCS {n}\n  oxidis: {oc}\n  redis:  {rc}"
                ));
            }
        }
    }
    notices.sort();
    notices.dedup();
    for n in &notices {
        eprintln!("NOTICE: {n}");
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn command_getkeys_matches_redis() {
    let (ox, rd) = servers();
    let mut o = ox.connect();
    let mut r = rd.connect();
    let names: HashSet<String> = bulk_strings(&Reply::parse(&o.cmd(&["COMMAND", "LIST"])))
        .into_iter()
        .collect();
    let cases: &[&[&str]] = &[
        &["GETKEYS", "get", "a"],
        &["GETKEYS", "GET", "a", "b"],
        &["GETKEYS", "mset", "a", "1", "b", "2"],
        &["GETKEYS", "mset", "a", "1", "b"],
        &["GETKEYS", "del", "a", "b", "c"],
        &["GETKEYS", "exists", "a"],
        &["GETKEYS", "ping", "a"],
        &["GETKEYS", "nosuchcommand", "a"],
        &["GETKEYS", "config", "get", "x"],
        &["GETKEYS", "config", "nosuch", "x"],
        &["GETKEYS", "client", "nosuch", "x"],
        &["GETKEYSANDFLAGS", "set", "a", "b"],
        &["GETKEYSANDFLAGS", "set", "a", "b", "GET"],
        &["GETKEYSANDFLAGS", "getdel", "a"],
        &["GETKEYSANDFLAGS", "mget", "a", "b"],
        &["GETKEYSANDFLAGS", "copy", "a", "b"],
        &["GETKEYS", "rpoplpush", "a", "b"],
        &["GETKEYS", "lmpop", "2", "a", "b", "LEFT"],
        &["GETKEYS", "lmpop", "5", "a", "b", "LEFT"],
        &["GETKEYS", "sintercard", "2", "a", "b"],
        &[
            "GETKEYSANDFLAGS",
            "sort",
            "a",
            "BY",
            "x",
            "LIMIT",
            "0",
            "1",
            "STORE",
            "d",
        ],
        &["GETKEYS", "sort", "a", "STORE"],
        &[
            "GETKEYSANDFLAGS",
            "migrate",
            "h",
            "1",
            "",
            "0",
            "5",
            "AUTH",
            "KEYS",
            "KEYS",
            "a",
        ],
        &["GETKEYS", "migrate", "h", "1", "k", "0", "5", "COPY"],
        &["GETKEYS", "migrate", "h", "1", "k", "0", "5", "KEYS", "a"],
    ];
    let mut failures = Vec::new();
    let mut compared = 0;
    for proto in [2, 3] {
        if proto == 3 {
            hello3(&mut o);
            hello3(&mut r);
        }
        for case in cases {
            let target = case[1].to_ascii_lowercase();
            if target != "nosuchcommand" && !names.contains(&target) {
                continue;
            }
            let mut args = vec!["COMMAND"];
            args.extend_from_slice(case);
            let (a, b) = (o.cmd(&args), r.cmd(&args));
            compared += 1;
            if a != b {
                failures.push(format!(
                    "[RESP{proto}] {}\n  oxidis: {}\n  redis:  {}",
                    args.join(" "),
                    escape(&a),
                    escape(&b)
                ));
            }
        }
    }
    assert!(compared >= 10, "too few GETKEYS cases ran: {compared}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn command_list_and_count_are_consistent_as_redis() {
    let (ox, rd) = servers();
    let mut o = ox.connect();
    let mut r = rd.connect();
    let all = bulk_strings(&Reply::parse(&o.cmd(&["COMMAND", "LIST"])));
    let top = all.iter().filter(|n| !n.contains('|')).count();
    assert_eq!(
        o.cmd(&["COMMAND", "COUNT"]),
        format!(":{top}\r\n").into_bytes()
    );
    let redis_all: HashSet<String> = bulk_strings(&Reply::parse(&r.cmd(&["COMMAND", "LIST"])))
        .into_iter()
        .collect();
    for n in &all {
        assert!(redis_all.contains(n), "oxidis lists {n}, Redis does not");
    }
    // Filters: the oxidis result is what Redis gives, restricted to what oxidis has.
    let have: HashSet<&String> = all.iter().collect();
    for filter in [
        ["ACLCAT", "connection"],
        ["aclcat", "KEYSPACE"],
        ["PATTERN", "c*"],
        ["pattern", "*|*"],
        ["aclcat", "nosuchcat"],
        ["module", "x"],
    ] {
        let args = ["COMMAND", "LIST", "FILTERBY", filter[0], filter[1]];
        let mut got = bulk_strings(&Reply::parse(&o.cmd(&args)));
        let mut want: Vec<String> = bulk_strings(&Reply::parse(&r.cmd(&args)))
            .into_iter()
            .filter(|n| have.contains(n))
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{}", args.join(" "));
    }
    for bad in [
        &["COMMAND", "LIST", "FILTERBY"][..],
        &["COMMAND", "LIST", "FILTERBY", "nosuch", "x"],
        &["COMMAND", "LIST", "x"],
    ] {
        assert_eq!(o.cmd(bad), r.cmd(bad), "{}", bad.join(" "));
    }
}
