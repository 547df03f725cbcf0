//! Differential tests: every corpus file `tests/diff/*.txt` is played against a fresh
//! oxidis and a fresh redis-server (started with identical arguments), command by
//! command, and the raw reply bytes are compared.
//!
//! # Corpus format
//!
//! One item per line. Leading and trailing whitespace is ignored; empty lines and lines
//! whose first non-blank character is `#` are comments.
//!
//! A plain line is a command. It is split into arguments with redis-cli's rules
//! (`sdssplitargs`): whitespace separates arguments; `"..."` understands
//! `\xHH \n \r \t \b \a \\ \"`; `'...'` is literal except `\'`; `""` is an empty
//! argument. The command is sent as a RESP multibulk on the current connection of both
//! servers; exactly one reply is read from each and the raw bytes must be equal.
//!
//! Lines starting with `@` are directives:
//!
//! | directive               | meaning |
//! |-------------------------|---------|
//! | `@server-args ARGS...`  | extra arguments for both servers; only before the first command |
//! | `@resp3` / `@resp2`     | `HELLO 3` / `HELLO 2` on the current connection; replies compared by shape |
//! | `@flush`                | `FLUSHALL` on both (current connection) |
//! | `@sleep MS`             | sleep MS milliseconds |
//! | `@conn N`               | switch to connection N (1 is the first; created on first use, RESP2, db 0) |
//! | `@reconnect`            | close the current connection; the next use opens a fresh one |
//! | `@unordered CMD...`     | the reply is an array/set/map: same header, elements compared as a multiset |
//! | `@type CMD...`          | compare only the reply's type and shape (see `Reply::shape`), e.g. TIME |
//! | `@approx TOL CMD...`    | integers may differ by at most TOL, also inside aggregates (TTL, PTTL, XPENDING idle times); else exact |
//! | `@scanall CMD ARGS...`  | iterate `SCAN [opts]` or `SSCAN/HSCAN/ZSCAN key [opts]` from cursor 0 to 0 and compare the set of returned elements (pairs for HSCAN/ZSCAN) |
//! | `@read [N]`             | read N (default 1) more replies on the current connection without sending anything (pub/sub messages, the extra replies of a multi-channel SUBSCRIBE); they are compared as one concatenation |
//! | `@raw "BYTES"`          | send BYTES as they are (one sdssplitargs argument) and compare everything that comes back until the server closes the connection or is quiet for a moment; a closed connection is part of the result and is reopened on next use |
//!
//! Each file runs on its own fresh pair of servers, so files are independent.
//!
//! # Environment
//!
//! - `DIFF_FILTER=substr`: only run corpus files whose name contains `substr`.
//! - `DIFF_RAW_QUIET_MS`: how long `@raw` waits for more bytes (default 150).
//! - `DIFF_SHOW=1`: print every line with redis's reply (for writing corpora).
//! - `DIFF_TRACE=1`: print how long every line took.
//! - `OXIDIS_SERVER_BIN=path`: the server under test in `differential_corpus_against_redis`.
//!
//! `corpus_passes_redis_against_redis` plays every file redis-server against
//! redis-server, so a corpus line that Redis itself does not answer the same way twice
//! fails the suite.

mod common;

use common::{escape, split_aggregate, split_args, Conn, ReadError, Reply, Server};
use std::collections::{BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

/// A file is abandoned after this many timeouts or dead connections.
const MAX_TIMEOUTS: usize = 3;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Oxidis,
    Redis,
}

/// One server and its numbered connections.
struct Endpoint {
    server: Server,
    conns: HashMap<usize, Conn>,
}

impl Endpoint {
    fn conn(&mut self, n: usize) -> &mut Conn {
        let port = self.server.port;
        self.conns.entry(n).or_insert_with(|| {
            Conn::connect(port).unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port}: {e}"))
        })
    }
}

/// What came back for one command, in a form that can be compared and printed.
#[derive(Clone, PartialEq, Eq)]
enum Outcome {
    Reply(Vec<u8>),
    /// Bytes received by `@raw` and whether the server then closed the connection.
    Raw(Vec<u8>, bool),
    Closed,
    Timeout,
    Garbage(String),
}

impl Outcome {
    fn show(&self) -> String {
        match self {
            Outcome::Reply(b) => shorten(escape(b)),
            Outcome::Raw(b, closed) => {
                let c = if *closed { " [closed]" } else { "" };
                format!("{}{c}", shorten(escape(b)))
            }
            Outcome::Closed => "<connection closed>".into(),
            Outcome::Timeout => "<timeout: no reply>".into(),
            Outcome::Garbage(e) => format!("<{e}>"),
        }
    }
}

/// Keeps mismatch reports readable when a reply is huge.
fn shorten(s: String) -> String {
    const MAX: usize = 1500;
    if s.len() <= MAX {
        return s;
    }
    let mut cut = MAX;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}... ({} chars in all)", &s[..cut], s.len())
}

#[derive(Clone, Copy)]
enum Compare {
    Exact,
    Unordered,
    Shape,
    Approx(i64),
}

struct Mismatch {
    line: usize,
    text: String,
    oxidis: String,
    redis: String,
}

struct FileReport {
    name: String,
    commands: usize,
    mismatches: Vec<Mismatch>,
    aborted: Option<String>,
    elapsed: Duration,
}

struct Runner {
    ox: Endpoint,
    re: Endpoint,
    cur: usize,
    timeouts: usize,
    raw_quiet: Duration,
}

impl Runner {
    fn ep(&mut self, side: Side) -> &mut Endpoint {
        match side {
            Side::Oxidis => &mut self.ox,
            Side::Redis => &mut self.re,
        }
    }

    /// Sends a command on one side and reads one reply.
    fn exec(&mut self, side: Side, args: &[Vec<u8>]) -> Outcome {
        let cur = self.cur;
        let ep = self.ep(side);
        let refs: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
        let conn = ep.conn(cur);
        let out = match conn.try_send_raw(&Conn::encode(&refs)) {
            Err(_) => Outcome::Closed,
            Ok(()) => match conn.try_read_reply() {
                Ok(b) => Outcome::Reply(b),
                Err(ReadError::Closed) => Outcome::Closed,
                Err(ReadError::Timeout) => Outcome::Timeout,
                Err(e) => Outcome::Garbage(e.to_string()),
            },
        };
        if !matches!(out, Outcome::Reply(_)) {
            ep.conns.remove(&cur);
        }
        out
    }

    /// Reads `n` more replies on one side without sending anything (`@read`).
    fn read_more(&mut self, side: Side, n: usize) -> Outcome {
        let cur = self.cur;
        let ep = self.ep(side);
        let conn = ep.conn(cur);
        let mut all = Vec::new();
        for _ in 0..n {
            match conn.try_read_reply() {
                Ok(b) => all.extend_from_slice(&b),
                Err(ReadError::Closed) => return Outcome::Closed,
                Err(ReadError::Timeout) => return Outcome::Timeout,
                Err(e) => return Outcome::Garbage(e.to_string()),
            }
        }
        Outcome::Reply(all)
    }

    fn exec_both(&mut self, args: &[Vec<u8>]) -> (Outcome, Outcome) {
        let o = self.exec(Side::Oxidis, args);
        let r = self.exec(Side::Redis, args);
        if matches!(o, Outcome::Timeout) || matches!(r, Outcome::Timeout) {
            self.timeouts += 1;
        }
        (o, r)
    }

    /// Sends raw bytes on both sides and collects what comes back, both in parallel.
    fn raw_both(&mut self, bytes: &[u8]) -> (Outcome, Outcome) {
        let cur = self.cur;
        let quiet = self.raw_quiet;
        let max = Duration::from_secs(5);
        let run = |conn: &mut Conn| {
            let _ = conn.try_send_raw(bytes);
            let (b, closed) = conn.read_until_quiet(quiet, max);
            Outcome::Raw(b, closed)
        };
        self.ox.conn(cur);
        self.re.conn(cur);
        let (oc, rc) = (
            self.ox.conns.get_mut(&cur).unwrap(),
            self.re.conns.get_mut(&cur).unwrap(),
        );
        let (o, r) = thread::scope(|s| {
            let h = s.spawn(|| run(oc));
            let r = run(rc);
            (h.join().unwrap(), r)
        });
        if matches!(o, Outcome::Raw(_, true)) {
            self.ox.conns.remove(&cur);
        }
        if matches!(r, Outcome::Raw(_, true)) {
            self.re.conns.remove(&cur);
        }
        (o, r)
    }

    /// Runs a full SCAN-family iteration on one side; returns the set of elements.
    fn scan_all(&mut self, side: Side, args: &[Vec<u8>]) -> Outcome {
        let name = args[0].to_ascii_uppercase();
        let cursor_at = if name == b"SCAN" { 1 } else { 2 };
        if args.len() < cursor_at {
            return Outcome::Garbage("@scanall needs a key".into());
        }
        let mut cursor = b"0".to_vec();
        let mut seen = BTreeSet::new();
        for _ in 0..100_000 {
            let mut a = args.to_vec();
            a.insert(cursor_at, cursor.clone());
            let raw = match self.exec(side, &a) {
                Outcome::Reply(b) => b,
                other => return other,
            };
            let Some((_, parts)) = split_aggregate(&raw) else {
                return Outcome::Reply(raw);
            };
            if parts.len() != 2 {
                return Outcome::Reply(raw);
            }
            let Some(next) = Reply::parse(&parts[0]).as_bytes() else {
                return Outcome::Reply(raw);
            };
            let Some((_, elems)) = split_aggregate(&parts[1]) else {
                return Outcome::Reply(raw);
            };
            let pairs = name != b"SCAN" && name != b"SSCAN";
            if pairs {
                for kv in elems.chunks(2) {
                    seen.insert(kv.concat());
                }
            } else {
                seen.extend(elems);
            }
            if next == b"0" {
                let mut out = format!("{} elements: ", seen.len()).into_bytes();
                for e in seen {
                    out.extend_from_slice(&e);
                }
                return Outcome::Reply(out);
            }
            cursor = next;
        }
        Outcome::Garbage("SCAN did not finish in 100000 calls".into())
    }

    fn alive_check(&mut self) -> Option<String> {
        if !self.ox.server.is_alive() {
            return Some(format!(
                "oxidis exited; log tail:\n{}",
                self.ox.server.log_tail(30)
            ));
        }
        if !self.re.server.is_alive() {
            return Some("redis-server exited".into());
        }
        if self.timeouts >= MAX_TIMEOUTS {
            return Some(format!(
                "{} timeouts, giving up on this file",
                self.timeouts
            ));
        }
        None
    }
}

fn same(o: &Outcome, r: &Outcome, how: Compare) -> bool {
    let (Outcome::Reply(a), Outcome::Reply(b)) = (o, r) else {
        return o == r;
    };
    if a == b {
        return true;
    }
    match how {
        Compare::Exact => false,
        Compare::Unordered => match (split_aggregate(a), split_aggregate(b)) {
            (Some((ha, mut ea)), Some((hb, mut eb))) => {
                ea.sort();
                eb.sort();
                ha == hb && ea == eb
            }
            _ => false,
        },
        Compare::Shape => Reply::parse(a).shape() == Reply::parse(b).shape(),
        Compare::Approx(tol) => approx_eq(&Reply::parse(a), &Reply::parse(b), tol),
    }
}

/// Equal replies, except that integers (also inside aggregates: XPENDING's
/// idle times, XINFO's) may differ by at most `tol`.
fn approx_eq(a: &Reply, b: &Reply, tol: i64) -> bool {
    let all = |x: &[Reply], y: &[Reply]| {
        x.len() == y.len() && x.iter().zip(y).all(|(p, q)| approx_eq(p, q, tol))
    };
    match (a, b) {
        (Reply::Int(x), Reply::Int(y)) => (x - y).abs() <= tol,
        (Reply::Array(x), Reply::Array(y))
        | (Reply::Set(x), Reply::Set(y))
        | (Reply::Push(x), Reply::Push(y)) => all(x, y),
        (Reply::Map(x), Reply::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| approx_eq(k1, k2, tol) && approx_eq(v1, v2, tol))
        }
        _ => a == b,
    }
}

fn parse_args(name: &str, lineno: usize, text: &str) -> Vec<Vec<u8>> {
    split_args(text.as_bytes()).unwrap_or_else(|e| panic!("{name}:{lineno}: {e}: {text}"))
}

/// Plays one corpus file on a fresh pair of servers: `under_test` (the "oxidis"
/// side) and redis-server.
fn run_file(path: &Path, under_test: &Path) -> FileReport {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let started = Instant::now();
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
        .collect();

    // Server arguments come first.
    let mut server_args: Vec<String> = Vec::new();
    let mut body = &lines[..];
    while let Some((lineno, l)) = body.first() {
        let Some(rest) = l.strip_prefix("@server-args") else {
            break;
        };
        for a in parse_args(&name, *lineno, rest) {
            server_args.push(String::from_utf8(a).expect("server args must be UTF-8"));
        }
        body = &body[1..];
    }
    let sargs: Vec<&str> = server_args.iter().map(|s| s.as_str()).collect();
    let redis_bin = common::redis_bin().expect("redis-server");
    let (ox, re) = thread::scope(|s| {
        let h = s.spawn(|| Server::start(under_test, None, &sargs));
        let re = Server::start(&redis_bin, None, &sargs);
        (h.join(), re)
    });
    let ox = match ox {
        Ok(ox) => ox,
        Err(e) => std::panic::resume_unwind(e),
    };
    let quiet_ms = std::env::var("DIFF_RAW_QUIET_MS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    let mut run = Runner {
        ox: Endpoint {
            server: ox,
            conns: HashMap::new(),
        },
        re: Endpoint {
            server: re,
            conns: HashMap::new(),
        },
        cur: 1,
        timeouts: 0,
        raw_quiet: Duration::from_millis(quiet_ms),
    };

    let mut report = FileReport {
        name: name.clone(),
        commands: 0,
        mismatches: Vec::new(),
        aborted: None,
        elapsed: Duration::ZERO,
    };
    let trace = std::env::var_os("DIFF_TRACE").is_some();
    let show = std::env::var_os("DIFF_SHOW").is_some();
    for &(lineno, line) in body {
        let line_started = Instant::now();
        let mut how = Compare::Exact;
        let mut cmd_text = line;
        let (o, r) = if let Some(d) = line.strip_prefix('@') {
            let (word, rest) = d.split_once(char::is_whitespace).unwrap_or((d, ""));
            let rest = rest.trim();
            match word {
                "server-args" => panic!("{name}:{lineno}: @server-args after a command"),
                "resp3" | "resp2" => {
                    how = Compare::Shape;
                    let v = if word == "resp3" { "3" } else { "2" };
                    run.exec_both(&[b"HELLO".to_vec(), v.as_bytes().to_vec()])
                }
                "flush" => run.exec_both(&[b"FLUSHALL".to_vec()]),
                "sleep" => {
                    let ms: u64 = rest
                        .parse()
                        .unwrap_or_else(|_| panic!("{name}:{lineno}: @sleep MS"));
                    // Time passing is what such a line tests (a TTL running out);
                    // the corpus needs no other waits, its steps run in order.
                    thread::sleep(Duration::from_millis(ms));
                    continue;
                }
                "conn" => {
                    run.cur = rest
                        .parse()
                        .unwrap_or_else(|_| panic!("{name}:{lineno}: @conn N"));
                    continue;
                }
                "reconnect" => {
                    let cur = run.cur;
                    run.ox.conns.remove(&cur);
                    run.re.conns.remove(&cur);
                    continue;
                }
                "unordered" | "type" => {
                    how = if word == "type" {
                        Compare::Shape
                    } else {
                        Compare::Unordered
                    };
                    cmd_text = rest;
                    run.exec_both(&parse_args(&name, lineno, rest))
                }
                "approx" => {
                    let (tol, cmd) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                    let tol: i64 = tol
                        .parse()
                        .unwrap_or_else(|_| panic!("{name}:{lineno}: @approx TOL CMD"));
                    how = Compare::Approx(tol);
                    cmd_text = cmd.trim();
                    run.exec_both(&parse_args(&name, lineno, cmd))
                }
                "scanall" => {
                    cmd_text = rest;
                    let args = parse_args(&name, lineno, rest);
                    assert!(!args.is_empty(), "{name}:{lineno}: @scanall CMD ...");
                    let o = run.scan_all(Side::Oxidis, &args);
                    let r = run.scan_all(Side::Redis, &args);
                    (o, r)
                }
                "read" => {
                    let n: usize = if rest.is_empty() {
                        1
                    } else {
                        rest.parse()
                            .unwrap_or_else(|_| panic!("{name}:{lineno}: @read [N]"))
                    };
                    let o = run.read_more(Side::Oxidis, n);
                    let r = run.read_more(Side::Redis, n);
                    if matches!(o, Outcome::Timeout) || matches!(r, Outcome::Timeout) {
                        run.timeouts += 1;
                    }
                    (o, r)
                }
                "raw" => {
                    let args = parse_args(&name, lineno, rest);
                    assert!(
                        args.len() == 1,
                        "{name}:{lineno}: @raw takes one quoted argument"
                    );
                    run.raw_both(&args[0])
                }
                _ => panic!("{name}:{lineno}: unknown directive @{word}"),
            }
        } else {
            run.exec_both(&parse_args(&name, lineno, line))
        };
        report.commands += 1;
        if trace {
            eprintln!("{name}:{lineno}: {:?} {line}", line_started.elapsed());
        }
        if show {
            eprintln!("{name}:{lineno}: {line}\n    -> {}", r.show());
        }
        if !same(&o, &r, how) {
            report.mismatches.push(Mismatch {
                line: lineno,
                text: cmd_text.to_string(),
                oxidis: o.show(),
                redis: r.show(),
            });
        }
        if let Some(why) = run.alive_check() {
            report.aborted = Some(format!("{name}:{lineno}: {why}"));
            break;
        }
    }
    report.elapsed = started.elapsed();
    report
}

fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff");
    let filter = std::env::var("DIFF_FILTER").unwrap_or_default();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(&filter))
        .collect();
    files.sort();
    files
}

/// Every corpus file, oxidis (or `OXIDIS_SERVER_BIN`) against redis-server.
#[test]
fn differential_corpus_against_redis() {
    common::require_redis();
    play_corpus(&common::oxidis_bin());
}

/// Every corpus file, redis-server against redis-server: a line whose reply
/// depends on time, hash order or chance without the directive that allows for it
/// fails here, whatever oxidis does (the corpus rule in tests/diff/README.md).
#[test]
fn corpus_passes_redis_against_redis() {
    common::require_redis();
    play_corpus(&common::redis_bin().unwrap());
}

/// Plays every corpus file (`DIFF_FILTER` applies) with `under_test` against
/// redis-server, files in parallel, and fails on any mismatch.
fn play_corpus(under_test: &Path) {
    let files = corpus_files();
    assert!(!files.is_empty(), "no corpus files matched");
    let queue = Mutex::new(files.clone());
    let reports = Mutex::new(Vec::new());
    let workers = thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 4);
    thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let Some(path) = queue.lock().unwrap().pop() else {
                    break;
                };
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let rep = catch_unwind(AssertUnwindSafe(|| run_file(&path, under_test)))
                    .unwrap_or_else(|e| {
                        let msg = e
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_else(|| "panic".into());
                        FileReport {
                            name,
                            commands: 0,
                            mismatches: Vec::new(),
                            aborted: Some(msg),
                            elapsed: Duration::ZERO,
                        }
                    });
                reports.lock().unwrap().push(rep);
            });
        }
    });
    let mut reports = reports.into_inner().unwrap();
    reports.sort_by(|a, b| a.name.cmp(&b.name));

    let mut details = String::new();
    let mut failed_files = 0;
    let mut total_cmds = 0;
    let mut total_bad = 0;
    for r in &reports {
        total_cmds += r.commands;
        total_bad += r.mismatches.len();
        for m in &r.mismatches {
            details.push_str(&format!(
                "{}:{}: {}\n    oxidis: {}\n    redis:  {}\n",
                r.name, m.line, m.text, m.oxidis, m.redis
            ));
        }
        if let Some(a) = &r.aborted {
            details.push_str(&format!("{}: ABORTED: {a}\n", r.name));
        }
        if !r.mismatches.is_empty() || r.aborted.is_some() {
            failed_files += 1;
        }
    }
    eprintln!(
        "differential corpus summary, {} against redis-server:",
        under_test.display()
    );
    for r in &reports {
        eprintln!(
            "  {:<20} {:>5} commands {:>4} mismatches {:>7.2}s{}",
            r.name,
            r.commands,
            r.mismatches.len(),
            r.elapsed.as_secs_f64(),
            if r.aborted.is_some() { "  ABORTED" } else { "" }
        );
    }
    eprintln!(
        "  total: {} files, {total_cmds} commands, {total_bad} mismatches, {failed_files} failing files",
        reports.len()
    );
    if failed_files > 0 {
        panic!("differential mismatches:\n{details}");
    }
}
