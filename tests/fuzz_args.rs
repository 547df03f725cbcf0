//! Argument fuzzer, differential: the same random argument lists go to a fresh oxidis
//! and a fresh redis-server, and the replies are compared. Error replies must be
//! byte-for-byte equal (which check fails first is part of Redis's behaviour); other
//! replies are compared exactly where the command is deterministic, else by shape.
//!
//! Every command oxidis lists in `COMMAND LIST` is fuzzed, except the ones in
//! [`SKIPPED`] (each with its reason). Argument lists are built from Redis's own
//! `COMMAND DOCS` (its keywords, and valid argument lists that are then mutated) mixed
//! with random atoms: integers at and past every limit, floats, inf/nan, empty strings,
//! binary bytes, and keys of every type, set up identically on both servers before
//! each round. A round is a few commands on that state; the keyspaces' `DEBUG DIGEST`
//! must agree at its end.
//!
//! Bounded: a fixed seed and case count in CI (a few seconds). Environment:
//! - `OXIDIS_FUZZ_SEED`: the seed (printed at the start; rerun with it to replay).
//! - `OXIDIS_FUZZ_SECS`: run for this long instead of the fixed count (`scripts/fuzz`).
//! - `OXIDIS_FUZZ_CMDS`: the fixed case count (default 4000).
//!
//! A difference that belongs to a command or area not done yet is not fixed here but
//! listed in [`known_difference`] with its reason; the run reports how often each hit.

mod common;

use common::rng::{fuzz_secs, fuzz_seed, Rng};
use common::{escape, split_aggregate, Conn, ReadError, Reply, Server};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// Commands not fuzzed, and why.
const SKIPPED: &[(&str, &str)] = &[
    (
        "debug",
        "DEBUG SLEEP/SEGFAULT/RELOAD act on the server, not the arguments",
    ),
    ("shutdown", "stops the server"),
    ("monitor", "turns the connection into a feed"),
    ("sync", "turns the connection into a replica"),
    ("psync", "turns the connection into a replica"),
    ("migrate", "connects to other hosts"),
    (
        "save",
        "writes the dump file (slow, covered by the persistence tests)",
    ),
    (
        "bgsave",
        "forks a snapshot (covered by the persistence tests)",
    ),
    (
        "quit",
        "closes the connection (covered in tests/diff/connection.txt)",
    ),
    ("bgrewriteaof", "forks an AOF rewrite"),
    ("pfselftest", "a self test taking a second"),
    (
        "wait",
        "blocks for want of replicas (covered by tests/wait.rs)",
    ),
    ("replicaof", "makes the server a replica"),
    ("slaveof", "makes the server a replica"),
    ("failover", "starts a failover"),
    ("acl", "ACL SETUSER can lock the fuzzer out"),
    ("module", "loads code"),
    ("eval", "runs scripts (a random script may loop)"),
    ("eval_ro", "runs scripts (a random script may loop)"),
    ("evalsha", "runs scripts (a random script may loop)"),
    ("evalsha_ro", "runs scripts (a random script may loop)"),
    ("fcall", "runs scripts (a random script may loop)"),
    ("fcall_ro", "runs scripts (a random script may loop)"),
    ("function", "loads scripts (a random script may loop)"),
    ("script", "loads scripts (a random script may loop)"),
    (
        "subscribe",
        "several replies per command (covered in tests/diff/pubsub.txt)",
    ),
    (
        "psubscribe",
        "several replies per command (covered in tests/diff/pubsub.txt)",
    ),
    (
        "ssubscribe",
        "several replies per command (covered in tests/diff/pubsub.txt)",
    ),
    (
        "unsubscribe",
        "several replies per command (covered in tests/diff/pubsub.txt)",
    ),
    (
        "punsubscribe",
        "several replies per command (covered in tests/diff/pubsub.txt)",
    ),
    (
        "sunsubscribe",
        "several replies per command (covered in tests/diff/pubsub.txt)",
    ),
];

/// Subcommands not fuzzed, and why.
const SKIPPED_SUB: &[(&str, &str, &str)] = &[
    ("client", "kill", "may kill the fuzzer's own connection"),
    ("client", "pause", "holds the fuzzer's next commands"),
    (
        "client",
        "reply",
        "switches replies off, so replies cannot be compared",
    ),
    (
        "client",
        "tracking",
        "invalidation pushes arrive out of band",
    ),
];

/// Commands that block when nothing is there: fuzzed inside MULTI, where they never do.
const BLOCKING: &[&str] = &[
    "blpop",
    "brpop",
    "brpoplpush",
    "blmove",
    "blmpop",
    "bzpopmin",
    "bzpopmax",
    "bzmpop",
    "xread",
    "xreadgroup",
];

/// The only directives CONFIG SET is given: they change nothing the harness relies on.
const CONFIG_PARAMS: &[&str] = &[
    "hz",
    "maxmemory-samples",
    "lazyfree-lazy-user-del",
    "list-max-listpack-size",
    "hash-max-listpack-entries",
    "set-max-intset-entries",
    "slowlog-max-len",
    "latency-tracking",
    "no-such-directive",
];

const KEYS: &[&str] = &["str", "num", "flt", "list", "hash", "set", "iset", "nokey"];

const ELEMENTS: &[&str] = &["a", "b", "c", "f1", "f2", "1", "2", "v1", "x", "*", "str*"];

const INTEGERS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "-1",
    "-2",
    "10",
    "100",
    "-100",
    "2147483647",
    "2147483648",
    "-2147483649",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "1.5",
    "1e3",
    "0x10",
    "+1",
    "-0",
    "007",
    " 1",
    "1 ",
    "abc",
    "",
];

const FLOATS: &[&str] = &[
    "1.5",
    "-1.5",
    "0.0",
    "-0",
    "inf",
    "-inf",
    "+inf",
    "INF",
    "nan",
    "NaN",
    "1e308",
    "1e309",
    "-1e309",
    "5e-324",
    "1e-400",
    " 1.5",
    "1.5x",
    "0x1p3",
    ".5",
    "5.",
    "1e",
    "3.0000000000000001",
    "17",
];

/// Bytes the binary atoms are made of.
const BINARY: &[u8] = b"\x00\xff\x80\r\n \"'a\xc3\x28\\";

/// The state every round starts from (db 0; every other db empty).
const SETUP: &[&[&str]] = &[
    &["FLUSHALL"],
    &["SET", "str", "hello"],
    &["SET", "num", "10"],
    &["SET", "flt", "1.5"],
    &["RPUSH", "list", "a", "b", "c", "1", "2", "a"],
    &["HSET", "hash", "f1", "v1", "f2", "2", "f3", "1.5"],
    &["SADD", "set", "a", "b", "c"],
    &["SADD", "iset", "1", "2", "3"],
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Compare {
    Exact,
    /// Aggregates: same header, same elements in any order (hash and set order).
    Unordered,
    /// Same type and shape (random or server-specific values).
    Shape,
    /// Same top-level type (the reply depends on what the server implements).
    Type,
}

/// How a successful reply of `name [sub]` is compared. Errors are always exact.
fn compare_for(name: &str, sub: &str) -> Compare {
    match name {
        "time" | "lastsave" | "randomkey" | "srandmember" | "hrandfield" | "spop" | "ttl"
        | "pttl" | "expiretime" | "pexpiretime" | "dump" | "hello" | "xadd" => Compare::Shape,
        "info" | "latency" | "memory" | "lolwut" | "scan" | "sscan" | "hscan" | "slowlog" => {
            Compare::Type
        }
        "command" if sub == "getkeys" || sub == "getkeysandflags" => Compare::Exact,
        "command" => Compare::Type,
        "client" if matches!(sub, "id" | "info" | "list") => Compare::Shape,
        // oxidis has directives of its own (CONFIG GET * lists them).
        "config" if sub == "get" => Compare::Type,
        "object" if matches!(sub, "idletime" | "freq") => Compare::Shape,
        "keys" | "smembers" | "sinter" | "sunion" | "sdiff" | "hkeys" | "hvals" | "hgetall"
        | "sort" | "sort_ro" => Compare::Unordered,
        _ => Compare::Exact,
    }
}

/// Commands whose effect differs between the two servers (random picks) or depends on
/// the clock (TTLs): the round ends after them, without the digest check.
fn ends_round(name: &str) -> bool {
    matches!(
        name,
        "spop"
            | "xadd"
            | "expire"
            | "pexpire"
            | "expireat"
            | "pexpireat"
            | "set"
            | "setex"
            | "psetex"
            | "getex"
            | "restore"
            | "restore-asking"
            | "exec"
            | "move"
            | "copy"
            | "swapdb"
            | "rename"
            | "renamenx"
    )
}

/// Differences that are known and belong to another piece of work; `None` when the
/// difference is not one of them.
fn known_difference(args: &[Vec<u8>], ox: &Outcome, re: &Outcome) -> Option<&'static str> {
    let (Outcome::Reply(o), Outcome::Reply(r)) = (ox, re) else {
        return None;
    };
    // A write that fails (WRONGTYPE, not an integer) on a watched key counts as a
    // change to it in oxidis and aborts EXEC; Redis signals only real changes.
    if lower(&args[0]) == "exec" && o == b"*-1\r\n" {
        return Some("EXEC aborted by a failed write to a watched key (WATCH: helper 1)");
    }
    // SORT BY a pattern without `*` does not sort: a set's members come in dict
    // order, which differs between the two servers' hash tables.
    let name = lower(&args[0]);
    let no_sort = args
        .windows(2)
        .any(|w| lower(&w[0]) == "by" && !w[1].contains(&b'*'));
    if (name == "sort" || name == "sort_ro")
        && args.get(1).is_some_and(|k| k == b"set")
        && no_sort
        && o.first() == Some(&b'*')
        && split_aggregate(o).map(|a| a.0) == split_aggregate(r).map(|a| a.0)
    {
        return Some("SORT BY without `*` of a set: Redis's dict order");
    }
    None
}

/// One command's result on one side.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Outcome {
    Reply(Vec<u8>),
    Closed,
    Timeout,
    Garbage(String),
}

impl Outcome {
    fn show(&self) -> String {
        match self {
            Outcome::Reply(b) => {
                let s = escape(b);
                if s.len() > 600 {
                    format!("{}... ({} bytes)", &s[..600], b.len())
                } else {
                    s
                }
            }
            Outcome::Closed => "<connection closed>".into(),
            Outcome::Timeout => "<timeout>".into(),
            Outcome::Garbage(e) => format!("<{e}>"),
        }
    }

    fn is_error(&self) -> bool {
        matches!(self, Outcome::Reply(b) if b.first() == Some(&b'-'))
    }
}

struct Side {
    server: Server,
    conn: Option<Conn>,
}

impl Side {
    fn exec(&mut self, args: &[Vec<u8>]) -> Outcome {
        let port = self.server.port;
        let conn = self.conn.get_or_insert_with(|| {
            let mut c = Conn::connect(port).expect("connect");
            c.set_timeout(Duration::from_secs(5));
            c
        });
        let refs: Vec<&[u8]> = args.iter().map(|a| a.as_slice()).collect();
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
            self.conn = None;
        }
        out
    }
}

fn same(o: &Outcome, r: &Outcome, how: Compare) -> bool {
    if o == r {
        return true;
    }
    let (Outcome::Reply(a), Outcome::Reply(b)) = (o, r) else {
        return false;
    };
    if o.is_error() || r.is_error() {
        return false;
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
        Compare::Type => a.first() == b.first(),
    }
}

/// EXEC's reply: each element compared as the command queued for it.
fn same_exec(o: &Outcome, r: &Outcome, modes: &[Compare]) -> bool {
    if o == r {
        return true;
    }
    let (Outcome::Reply(a), Outcome::Reply(b)) = (o, r) else {
        return false;
    };
    match (split_aggregate(a), split_aggregate(b)) {
        (Some((ha, ea)), Some((hb, eb))) if ha == hb && ea.len() == modes.len() => ea
            .into_iter()
            .zip(eb)
            .zip(modes)
            .all(|((x, y), &how)| same(&Outcome::Reply(x), &Outcome::Reply(y), how)),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------
// What Redis documents about each command's arguments
// ---------------------------------------------------------------------------------

#[derive(Debug, Default, Clone)]
struct ArgDoc {
    typ: String,
    token: Option<String>,
    optional: bool,
    multiple: bool,
    multiple_token: bool,
    children: Vec<ArgDoc>,
}

#[derive(Debug, Default, Clone)]
struct CmdDoc {
    args: Vec<ArgDoc>,
    subcommands: BTreeMap<String, CmdDoc>,
}

impl CmdDoc {
    fn tokens(&self) -> Vec<String> {
        fn walk(a: &ArgDoc, out: &mut Vec<String>) {
            if let Some(t) = &a.token {
                out.push(t.clone());
            }
            for c in &a.children {
                walk(c, out);
            }
        }
        let mut out = Vec::new();
        for a in &self.args {
            walk(a, &mut out);
        }
        out
    }
}

/// The key/value pairs of a RESP2 flat array or a RESP3 map.
fn pairs(r: &Reply) -> Vec<(String, Reply)> {
    let text = |k: &Reply| String::from_utf8_lossy(&k.as_bytes().unwrap_or_default()).into_owned();
    match r {
        Reply::Map(m) => m.iter().map(|(k, v)| (text(k), v.clone())).collect(),
        Reply::Array(v) => v
            .chunks(2)
            .filter(|c| c.len() == 2)
            .map(|c| (text(&c[0]), c[1].clone()))
            .collect(),
        _ => Vec::new(),
    }
}

fn parse_arg(r: &Reply) -> ArgDoc {
    let mut a = ArgDoc::default();
    for (k, v) in pairs(r) {
        match k.as_str() {
            "type" => a.typ = String::from_utf8_lossy(&v.as_bytes().unwrap_or_default()).into(),
            "token" => a.token = v.as_bytes().map(|b| String::from_utf8_lossy(&b).into()),
            "flags" => {
                for f in v.elements().unwrap_or(&[]) {
                    match f.as_bytes().as_deref() {
                        Some(b"optional") => a.optional = true,
                        Some(b"multiple") => a.multiple = true,
                        Some(b"multiple_token") => a.multiple_token = true,
                        _ => {}
                    }
                }
            }
            "arguments" => a.children = v.elements().unwrap_or(&[]).iter().map(parse_arg).collect(),
            _ => {}
        }
    }
    a
}

fn parse_doc(r: &Reply) -> CmdDoc {
    let mut d = CmdDoc::default();
    for (k, v) in pairs(r) {
        match k.as_str() {
            "arguments" => d.args = v.elements().unwrap_or(&[]).iter().map(parse_arg).collect(),
            "subcommands" => {
                for (name, sub) in pairs(&v) {
                    let short = name.split('|').nth(1).unwrap_or(&name).to_string();
                    d.subcommands.insert(short, parse_doc(&sub));
                }
            }
            _ => {}
        }
    }
    d
}

/// Redis's `COMMAND DOCS` for every command, by lower-case name.
fn redis_docs(c: &mut Conn) -> HashMap<String, CmdDoc> {
    let all = Reply::parse(&c.cmd(&["COMMAND", "DOCS"]));
    pairs(&all)
        .into_iter()
        .map(|(name, doc)| (name.to_ascii_lowercase(), parse_doc(&doc)))
        .collect()
}

// ---------------------------------------------------------------------------------
// Generating argument lists
// ---------------------------------------------------------------------------------

struct Target {
    name: String,
    /// oxidis's subcommands (lower case), for container commands.
    subs: Vec<String>,
}

struct Gen<'a> {
    rng: Rng,
    docs: &'a HashMap<String, CmdDoc>,
    /// Command names a COMMAND GETKEYS case may name (oxidis's).
    names: Vec<String>,
}

impl Gen<'_> {
    fn word(&mut self, w: &str) -> Vec<u8> {
        match self.rng.below(4) {
            0 => w.to_ascii_lowercase().into_bytes(),
            1 => w.to_ascii_uppercase().into_bytes(),
            _ => w.as_bytes().to_vec(),
        }
    }

    fn binary(&mut self) -> Vec<u8> {
        let n = 1 + self.rng.below(6) as usize;
        (0..n).map(|_| *self.rng.pick(BINARY)).collect()
    }

    /// A random argument of any kind; `tokens` are the command's keywords.
    fn atom(&mut self, tokens: &[String]) -> Vec<u8> {
        match self.rng.below(100) {
            0..=29 if !tokens.is_empty() => {
                let t = self.rng.pick(tokens).clone();
                self.word(&t)
            }
            0..=44 => self.rng.pick(KEYS).as_bytes().to_vec(),
            45..=64 => self.rng.pick(INTEGERS).as_bytes().to_vec(),
            65..=74 => self.rng.pick(ELEMENTS).as_bytes().to_vec(),
            75..=84 => self.rng.pick(FLOATS).as_bytes().to_vec(),
            85..=89 => Vec::new(),
            90..=96 => self.binary(),
            _ => {
                let n = self.rng.pick(&self.names).clone();
                n.into_bytes()
            }
        }
    }

    /// A value for one documented argument of type `typ`.
    fn value(&mut self, typ: &str) -> Vec<u8> {
        let r = self.rng.below(100);
        match typ {
            "key" if r < 90 => self.rng.pick(KEYS).as_bytes().to_vec(),
            "integer" | "unix-time" if r < 70 => self.rng.pick(&INTEGERS[..9]).as_bytes().to_vec(),
            "integer" | "unix-time" => self.rng.pick(INTEGERS).as_bytes().to_vec(),
            "double" => self.rng.pick(FLOATS).as_bytes().to_vec(),
            _ if r < 85 => self.rng.pick(ELEMENTS).as_bytes().to_vec(),
            _ => self.atom(&[]),
        }
    }

    /// Arguments that follow the documentation (then maybe mutated).
    fn valid(&mut self, a: &ArgDoc, out: &mut Vec<Vec<u8>>) {
        if a.optional && self.rng.chance(50) {
            return;
        }
        let reps = if a.multiple { 1 + self.rng.below(3) } else { 1 };
        for rep in 0..reps {
            if let Some(t) = &a.token {
                if rep == 0 || a.multiple_token {
                    let t = t.clone();
                    out.push(self.word(&t));
                }
            }
            match a.typ.as_str() {
                "pure-token" => {}
                "oneof" if !a.children.is_empty() => {
                    let c = self.rng.pick(&a.children).clone();
                    self.valid(&c, out);
                }
                "block" => {
                    for c in a.children.clone() {
                        self.valid(&c, out);
                    }
                }
                t => {
                    let v = self.value(t);
                    out.push(v);
                }
            }
        }
    }

    fn mutate(&mut self, v: &mut Vec<Vec<u8>>, tokens: &[String]) {
        for _ in 0..1 + self.rng.below(2) {
            let n = v.len() as u64;
            match self.rng.below(5) {
                0 if n > 0 => {
                    v.remove(self.rng.below(n) as usize);
                }
                1 => {
                    let a = self.atom(tokens);
                    v.insert(self.rng.below(n + 1) as usize, a);
                }
                2 if n > 0 => {
                    let a = self.atom(tokens);
                    v[self.rng.below(n) as usize] = a;
                }
                3 if n > 0 => {
                    let i = self.rng.below(n) as usize;
                    let a = v[i].clone();
                    v.insert(i, a);
                }
                4 if n > 1 => {
                    let (i, j) = (self.rng.below(n) as usize, self.rng.below(n) as usize);
                    v.swap(i, j);
                }
                _ => v.push(self.atom(tokens)),
            }
        }
    }

    /// The arguments after the command name (and subcommand) for `doc`.
    fn args_for(&mut self, doc: &CmdDoc) -> Vec<Vec<u8>> {
        let tokens = doc.tokens();
        let mut v = Vec::new();
        match self.rng.below(10) {
            0..=3 => {
                for a in doc.args.clone() {
                    self.valid(&a, &mut v);
                }
            }
            4..=7 => {
                for a in doc.args.clone() {
                    self.valid(&a, &mut v);
                }
                self.mutate(&mut v, &tokens);
            }
            _ => {
                for _ in 0..self.rng.below(7) {
                    v.push(self.atom(&tokens));
                }
            }
        }
        v
    }

    /// One full command for `t`: name, maybe a subcommand, arguments.
    fn command(&mut self, t: &Target) -> Vec<Vec<u8>> {
        let name = t.name.clone();
        let mut v = vec![self.word(&name)];
        let empty = CmdDoc::default();
        let doc = self.docs.get(&name).unwrap_or(&empty);
        if !t.subs.is_empty() {
            if self.rng.chance(95) {
                let sub = self.rng.pick(&t.subs).clone();
                v.push(self.word(&sub));
                let sdoc = doc.subcommands.get(&sub).cloned().unwrap_or_default();
                let mut rest = self.args_for(&sdoc);
                if name == "config" && sub == "set" {
                    for (i, a) in rest.iter_mut().enumerate() {
                        if i % 2 == 0 && self.rng.chance(80) {
                            *a = self.rng.pick(CONFIG_PARAMS).as_bytes().to_vec();
                        }
                    }
                }
                v.extend(rest);
            } else {
                let n = self.rng.below(4);
                for _ in 0..n {
                    v.push(self.atom(&[]));
                }
            }
        } else {
            let doc = doc.clone();
            v.extend(self.args_for(&doc));
        }
        v
    }
}

fn lower(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_ascii_lowercase()
}

/// False for argument lists that would make either server work for hours (a random
/// pick of 2^63 members) or act outside the harness (CONFIG SET of other directives).
fn safe(args: &[Vec<u8>]) -> bool {
    let name = lower(&args[0]);
    let sub = args.get(1).map(|a| lower(a)).unwrap_or_default();
    if SKIPPED_SUB.iter().any(|(n, s, _)| *n == name && *s == sub) {
        return false;
    }
    if name == "srandmember" || name == "hrandfield" {
        let huge_negative = args.iter().skip(2).any(|a| {
            std::str::from_utf8(a)
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .is_some_and(|n| n < -1000)
        });
        if huge_negative {
            return false;
        }
    }
    if name == "config" && sub == "set" {
        return args
            .iter()
            .skip(2)
            .step_by(2)
            .all(|p| !p.is_empty() && CONFIG_PARAMS.iter().any(|c| lower(p) == *c) || is_junk(p));
    }
    true
}

/// An argument that is no directive's name.
fn is_junk(p: &[u8]) -> bool {
    KEYS.iter()
        .chain(ELEMENTS)
        .chain(INTEGERS)
        .chain(FLOATS)
        .any(|k| k.as_bytes() == p)
        || p.iter().any(|&b| !b.is_ascii_alphanumeric() && b != b'-')
}

/// An argument list as a corpus line (tests/diff format).
fn corpus_line(args: &[Vec<u8>]) -> String {
    args.iter()
        .map(|a| {
            let plain = !a.is_empty()
                && a.iter()
                    .all(|&b| b.is_ascii_alphanumeric() || b"-_.:*?{}|+".contains(&b));
            if plain {
                String::from_utf8_lossy(a).into_owned()
            } else {
                escape(a)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

struct Found {
    count: usize,
    context: Vec<String>,
    line: String,
    ox: String,
    re: String,
}

#[test]
fn fuzz_arguments_against_redis() {
    common::require_redis();
    let seed = fuzz_seed(0x0a1d_5eed);
    let budget = fuzz_secs();
    let max_cmds: usize = std::env::var("OXIDIS_FUZZ_CMDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4000);
    eprintln!(
        "fuzz_arguments: seed {seed:#x} (OXIDIS_FUZZ_SEED={seed:#x} replays it), {}",
        match budget {
            Some(b) => format!("{}s", b.as_secs()),
            None => format!("{max_cmds} commands"),
        }
    );
    let server_args = [
        "--enable-debug-command",
        "yes",
        "--proto-max-bulk-len",
        "1mb",
        "--client-output-buffer-limit",
        "normal 1mb 512kb 10",
    ];
    let mut ox = Side {
        server: Server::oxidis(&server_args),
        conn: None,
    };
    let mut re = Side {
        server: Server::redis(&server_args),
        conn: None,
    };

    let docs = redis_docs(&mut re.server.connect());
    let mut octl = ox.server.connect();
    let listed = Reply::parse(&octl.cmd(&["COMMAND", "LIST"]));
    let mut names: Vec<String> = listed
        .elements()
        .unwrap_or(&[])
        .iter()
        .filter_map(|r| r.as_bytes())
        .map(|b| lower(&b))
        .collect();
    names.sort();
    let mut targets = Vec::new();
    for n in names.iter().filter(|n| !n.contains('|')) {
        if SKIPPED.iter().any(|(s, _)| s == n) {
            continue;
        }
        let prefix = format!("{n}|");
        let subs: Vec<String> = names
            .iter()
            .filter_map(|m| m.strip_prefix(&prefix))
            .map(str::to_string)
            .collect();
        targets.push(Target {
            name: n.clone(),
            subs,
        });
    }
    let getkeys_names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
    let mut g = Gen {
        rng: Rng::new(seed),
        docs: &docs,
        names: getkeys_names,
    };

    let started = Instant::now();
    let mut sent = 0usize;
    let mut rounds = 0usize;
    let mut found: BTreeMap<String, Found> = BTreeMap::new();
    let mut known: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut slowest: Vec<(Duration, Duration, Duration, String)> = Vec::new();
    let done = |sent: usize| match budget {
        Some(b) => started.elapsed() >= b,
        None => sent >= max_cmds,
    };
    while !done(sent) {
        rounds += 1;
        let mut context: Vec<String> = Vec::new();
        let prep: Vec<Vec<Vec<u8>>> = std::iter::once(vec![b"RESET".to_vec()])
            .chain(
                SETUP
                    .iter()
                    .map(|c| c.iter().map(|a| a.as_bytes().to_vec()).collect()),
            )
            .collect();
        for c in &prep {
            let (o, r) = (ox.exec(c), re.exec(c));
            assert_eq!(o, r, "set-up command {} differs", corpus_line(c));
        }
        let mut clean = true;
        // How each command queued in the open MULTI is compared, for EXEC's reply.
        let mut queued: Option<Vec<Compare>> = None;
        for _ in 0..1 + g.rng.below(8) {
            let t = g.rng.pick(&targets);
            let args = g.command(t);
            if !safe(&args) {
                continue;
            }
            let name = lower(&args[0]);
            let sub = args.get(1).map(|a| lower(a)).unwrap_or_default();
            let how = compare_for(&name, &sub);
            let seq: Vec<Vec<Vec<u8>>> = if BLOCKING.contains(&name.as_str()) {
                vec![
                    vec![b"MULTI".to_vec()],
                    args.clone(),
                    vec![b"EXEC".to_vec()],
                ]
            } else {
                vec![args.clone()]
            };
            let mut broken = false;
            for cmd in &seq {
                sent += 1;
                let t0 = Instant::now();
                let o = ox.exec(cmd);
                let t1 = Instant::now();
                let r = re.exec(cmd);
                let (to, tr) = (t1 - t0, t1.elapsed());
                if to.max(tr) > slowest.last().map(|s| s.0).unwrap_or_default() {
                    slowest.push((to.max(tr), to, tr, corpus_line(cmd)));
                    slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
                    slowest.truncate(5);
                }
                let line = corpus_line(cmd);
                let cname = lower(&cmd[0]);
                let csub = cmd.get(1).map(|a| lower(a)).unwrap_or_default();
                let chow = if cname == name {
                    how
                } else {
                    compare_for(&cname, &csub)
                };
                let equal = match (&queued, cname.as_str()) {
                    (Some(modes), "exec") => same_exec(&o, &r, modes),
                    _ => same(&o, &r, chow),
                };
                match cname.as_str() {
                    "multi" if o == Outcome::Reply(b"+OK\r\n".to_vec()) => {
                        queued = Some(Vec::new())
                    }
                    "exec" | "discard" | "reset" => queued = None,
                    _ if o == Outcome::Reply(b"+QUEUED\r\n".to_vec()) => {
                        if let Some(q) = queued.as_mut() {
                            q.push(chow);
                        }
                    }
                    _ => {}
                }
                if !equal {
                    if let Some(why) = known_difference(cmd, &o, &r) {
                        *known.entry(why).or_default() += 1;
                    } else {
                        let key = format!(
                            "{name} {sub} | {} | {}",
                            o.show().chars().take(50).collect::<String>(),
                            r.show().chars().take(50).collect::<String>()
                        );
                        let f = found.entry(key).or_insert_with(|| Found {
                            count: 0,
                            context: context.clone(),
                            line: line.clone(),
                            ox: o.show(),
                            re: r.show(),
                        });
                        f.count += 1;
                    }
                    clean = false;
                }
                if !matches!(o, Outcome::Reply(_)) || !matches!(r, Outcome::Reply(_)) {
                    ox.conn = None;
                    re.conn = None;
                    broken = true;
                    break;
                }
                context.push(line);
            }
            if broken || ends_round(&name) {
                clean = false;
                break;
            }
        }
        if clean {
            let d = vec![b"DEBUG".to_vec(), b"DIGEST".to_vec()];
            let (o, r) = (ox.exec(&d), re.exec(&d));
            if o != r {
                let f = found
                    .entry(format!("digest after {}", context.join(" / ")))
                    .or_insert_with(|| Found {
                        count: 0,
                        context: context.clone(),
                        line: "DEBUG DIGEST".into(),
                        ox: o.show(),
                        re: r.show(),
                    });
                f.count += 1;
            }
        }
        assert!(
            ox.server.is_alive(),
            "oxidis died (seed {seed:#x}); log tail:\n{}",
            ox.server.log_tail(30)
        );
    }
    eprintln!(
        "fuzz_arguments: {sent} commands in {rounds} rounds, {:.1}s, {} difference(s)",
        started.elapsed().as_secs_f64(),
        found.len()
    );
    for (_, to, tr, line) in &slowest {
        eprintln!("  slow: oxidis {to:.1?}, redis {tr:.1?}: {line}");
    }
    for (why, n) in &known {
        eprintln!("  known, not compared ({n}x): {why}");
    }
    let mut report = String::new();
    for f in found.values() {
        report.push_str(&format!(
            "\n  {}x  {}\n      after: {}\n      oxidis: {}\n      redis:  {}\n",
            f.count,
            f.line,
            if f.context.is_empty() {
                "(set-up only)".to_string()
            } else {
                f.context.join(" / ")
            },
            f.ox,
            f.re
        ));
    }
    assert!(
        found.is_empty(),
        "seed {seed:#x}: {} difference(s) from redis-server:{report}",
        found.len()
    );
}
