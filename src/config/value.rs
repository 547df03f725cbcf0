//! Directive values: parsing arguments into a [`Value`] with Redis 7.0's exact
//! validation and error texts, and rendering a value for CONFIG GET.

use super::parse::{io_error_text, memtoull, string2ll, strtoll_full};
use super::table::{Directive, Kind, Special, StrCheck, MULTI_ARG};
use std::path::{Path, PathBuf};

/// One client class limit of `client-output-buffer-limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObufLimit {
    pub hard_limit_bytes: u64,
    pub soft_limit_bytes: u64,
    pub soft_limit_seconds: i64,
}

/// Defaults of the normal, replica and pubsub classes.
pub const OBUF_DEFAULTS: [ObufLimit; 3] = [
    ObufLimit {
        hard_limit_bytes: 0,
        soft_limit_bytes: 0,
        soft_limit_seconds: 0,
    },
    ObufLimit {
        hard_limit_bytes: 256 << 20,
        soft_limit_bytes: 64 << 20,
        soft_limit_seconds: 60,
    },
    ObufLimit {
        hard_limit_bytes: 32 << 20,
        soft_limit_bytes: 8 << 20,
        soft_limit_seconds: 60,
    },
];

/// The stored value of a directive.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    /// Numbers as Redis's `long long` (unsigned ones by bit pattern, percent
    /// values negative).
    Num(i64),
    Enum(i32),
    /// `None` = unset (NULL in Redis), rendered as "".
    Str(Option<Vec<u8>>),
    /// Absolute directory path.
    Dir(PathBuf),
    Save(Vec<(i64, i32)>),
    Obuf([ObufLimit; 3]),
    Oom([i32; 3]),
    Notify(u32),
    Bind(Vec<String>),
    ReplicaOf(Option<(String, u16)>),
    Percentiles(Vec<f64>),
}

/// Reading a validated value back in the shape its row's kind gives it (the
/// typed accessors in the table use these; a mismatch is a table bug and
/// reads as zero / empty).
impl Value {
    pub fn as_bool(&self) -> bool {
        matches!(self, Value::Bool(true))
    }

    pub fn as_num(&self) -> i64 {
        match self {
            Value::Num(n) => *n,
            _ => 0,
        }
    }

    pub fn as_enum(&self) -> i32 {
        match self {
            Value::Enum(n) => *n,
            _ => 0,
        }
    }

    /// A string value; `None` (unset) when empty-is-null applied.
    pub fn into_opt_bytes(self) -> Option<Vec<u8>> {
        match self {
            Value::Str(s) => s,
            _ => None,
        }
    }

    /// A string value, empty when unset.
    pub fn into_bytes(self) -> Vec<u8> {
        self.into_opt_bytes().unwrap_or_default()
    }
}

/// Keyspace notification classes (Redis's `NOTIFY_*` bits).
pub mod notify {
    pub const KEYSPACE: u32 = 1 << 0;
    pub const KEYEVENT: u32 = 1 << 1;
    pub const GENERIC: u32 = 1 << 2;
    pub const STRING: u32 = 1 << 3;
    pub const LIST: u32 = 1 << 4;
    pub const SET: u32 = 1 << 5;
    pub const HASH: u32 = 1 << 6;
    pub const ZSET: u32 = 1 << 7;
    pub const EXPIRED: u32 = 1 << 8;
    pub const EVICTED: u32 = 1 << 9;
    pub const STREAM: u32 = 1 << 10;
    pub const KEY_MISS: u32 = 1 << 11;
    pub const MODULE: u32 = 1 << 13;
    pub const NEW: u32 = 1 << 14;
    /// What the `A` class stands for.
    pub const ALL: u32 =
        GENERIC | STRING | LIST | SET | HASH | ZSET | EXPIRED | EVICTED | STREAM | MODULE;
}

/// Default value of a row.
pub fn default_value(d: &Directive) -> Value {
    match d.kind {
        Kind::Bool { default } => Value::Bool(default),
        Kind::Num { default, .. } => Value::Num(default),
        Kind::Enum { default, .. } => Value::Enum(default),
        Kind::Str { default, .. } => Value::Str(default.map(|s| s.as_bytes().to_vec())),
        Kind::Special(sp) => match sp {
            Special::Dir => Value::Dir(PathBuf::from(".")),
            Special::Save => Value::Save(vec![(3600, 1), (300, 100), (60, 10000)]),
            Special::ClientOutputBufferLimit => Value::Obuf(OBUF_DEFAULTS),
            Special::OomScoreAdjValues => Value::Oom([0, 200, 800]),
            Special::NotifyKeyspaceEvents => Value::Notify(0),
            Special::Bind => Value::Bind(vec!["*".into(), "-::*".into()]),
            Special::ReplicaOf => Value::ReplicaOf(None),
            Special::LatencyPercentiles => Value::Percentiles(vec![50.0, 99.0, 99.9]),
        },
    }
}

/// Context a parse needs besides the arguments.
pub struct ParseCtx<'a> {
    /// The value currently stored (save and client-output-buffer-limit build on it).
    pub current: &'a Value,
    /// True for the first `save` line of a config file load: it replaces the
    /// defaults, later ones append.
    pub append_save: bool,
    /// Base directory for a relative `dir`.
    pub cwd: &'a Path,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Parses `args` (already split) into a new value for `d`, or the reason text.
pub fn parse_value(d: &Directive, args: &[Vec<u8>], ctx: &ParseCtx) -> Result<Value, String> {
    match d.kind {
        Kind::Bool { .. } => match args[0].to_ascii_lowercase().as_slice() {
            b"yes" => Ok(Value::Bool(true)),
            b"no" => Ok(Value::Bool(false)),
            _ => Err("argument must be 'yes' or 'no'".into()),
        },
        Kind::Num {
            min,
            max,
            unsigned,
            mem,
            percent,
            octal,
            ..
        } => {
            let v = parse_num(&args[0], mem, percent, octal)?;
            check_bounds(v, min, max, unsigned, percent, octal)?;
            Ok(Value::Num(v))
        }
        Kind::Enum { names, .. } => {
            let mut acc = 0;
            for a in args {
                let Some(&(_, v)) = names
                    .iter()
                    .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(a))
                else {
                    let list: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
                    return Err(format!(
                        "argument(s) must be one of the following: {}",
                        list.join(", ")
                    ));
                };
                acc |= v;
            }
            if d.has(MULTI_ARG) && acc & 1 != 0 && acc & 2 != 0 {
                return Err("shutdown options SAVE and NOSAVE can't be used simultaneously".into());
            }
            Ok(Value::Enum(acc))
        }
        Kind::Str {
            empty_is_null,
            check,
            ..
        } => {
            let a = &args[0];
            check_string(check, a)?;
            Ok(Value::Str(if empty_is_null && a.is_empty() {
                None
            } else {
                Some(a.clone())
            }))
        }
        Kind::Special(sp) => parse_special(sp, args, ctx),
    }
}

fn parse_num(a: &[u8], mem: bool, percent: bool, octal: bool) -> Result<i64, String> {
    if mem {
        if let Some(v) = memtoull(a) {
            return Ok(v as i64);
        }
    }
    if percent && a.len() > 1 && a.ends_with(b"%") {
        if let Some(v) = string2ll(&a[..a.len() - 1]) {
            if v >= 0 {
                return Ok(-v);
            }
        }
    }
    if octal {
        if let Some((v, false)) = strtoll_full(a, 8) {
            return Ok(v);
        }
    }
    if !mem && !percent && !octal {
        if let Some(v) = string2ll(a) {
            return Ok(v);
        }
    }
    Err(if mem && percent {
        "argument must be a memory or percent value"
    } else if mem {
        "argument must be a memory value"
    } else if octal {
        "argument couldn't be parsed as an octal number"
    } else {
        "argument couldn't be parsed into an integer"
    }
    .into())
}

fn check_bounds(
    v: i64,
    min: i64,
    max: i64,
    unsigned: bool,
    percent: bool,
    octal: bool,
) -> Result<(), String> {
    if unsigned {
        let (u, lo, hi) = (v as u64, min as u64, max as u64);
        if u > hi || u < lo {
            return Err(if octal {
                format!("argument must be between {lo:o} and {hi:o} inclusive")
            } else {
                format!("argument must be between {lo} and {hi} inclusive")
            });
        }
    } else if percent && v < 0 {
        if v < min {
            return Err(format!(
                "percentage argument must be less or equal to {}",
                -min
            ));
        }
    } else if v > max || v < min {
        return Err(format!(
            "argument must be between {min} and {max} inclusive"
        ));
    }
    Ok(())
}

pub(super) fn check_string(check: StrCheck, a: &[u8]) -> Result<(), String> {
    let is_base = |a: &[u8]| !a.contains(&b'/') && !a.contains(&b'\\');
    let err = match check {
        StrCheck::None => return Ok(()),
        StrCheck::DbFilename if !is_base(a) => "dbfilename can't be a path, just a filename",
        StrCheck::AofFilename if a.is_empty() => "appendfilename can't be empty",
        StrCheck::AofFilename if !is_base(a) => "appendfilename can't be a path, just a filename",
        StrCheck::AofDirname if a.is_empty() => "appenddirname can't be empty",
        StrCheck::AofDirname if !is_base(a) => "appenddirname can't be a path, just a dirname",
        StrCheck::Hostname if a.len() >= 256 => "Hostnames must be less than 256 characters",
        StrCheck::Hostname
            if !a
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'.') =>
        {
            "Hostnames may only contain alphanumeric characters, hyphens or dots"
        }
        StrCheck::ProcTitle if !valid_proc_title(a) => {
            "template format is invalid or contains unknown variables"
        }
        _ => return Ok(()),
    };
    Err(err.into())
}

/// `proc-title-template`: `{name}` variables from a fixed set, balanced braces,
/// and `{title}` must be present.
fn valid_proc_title(t: &[u8]) -> bool {
    const VARS: &[&[u8]] = &[
        b"title",
        b"listen-addr",
        b"server-mode",
        b"port",
        b"tls-port",
        b"unixsocket",
        b"config-file",
    ];
    let mut i = 0;
    let mut has_title = false;
    while i < t.len() {
        match t[i] {
            b'{' => {
                let Some(end) = t[i + 1..].iter().position(|&c| c == b'}') else {
                    return false;
                };
                let var = &t[i + 1..i + 1 + end];
                if !VARS.contains(&var) {
                    return false;
                }
                has_title |= var == b"title";
                i += end + 2;
            }
            b'}' => return false,
            _ => i += 1,
        }
    }
    has_title
}

fn parse_special(sp: Special, args: &[Vec<u8>], ctx: &ParseCtx) -> Result<Value, String> {
    let wrong_args = || Err("wrong number of arguments".to_string());
    match sp {
        Special::Dir => {
            if args.len() != 1 {
                return wrong_args();
            }
            let p = ctx.cwd.join(Path::new(&lossy(&args[0])));
            match std::fs::metadata(&p) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(super::parse::strerror(libc::ENOTDIR)),
                Err(e) => return Err(io_error_text(&e)),
            }
            let p = std::fs::canonicalize(&p).map_err(|e| io_error_text(&e))?;
            Ok(Value::Dir(p))
        }
        Special::Save => {
            let args: &[Vec<u8>] = if args.len() == 1 && args[0].is_empty() {
                &[]
            } else {
                args
            };
            if args.len() % 2 == 1 {
                return Err("Invalid save parameters".into());
            }
            let mut points = Vec::new();
            for pair in args.chunks(2) {
                let secs = strtoll_full(&pair[0], 10).map(|v| v.0);
                let changes = strtoll_full(&pair[1], 10).map(|v| v.0);
                match (secs, changes) {
                    (Some(s), Some(c)) if s >= 1 && c >= 0 => points.push((s, c as i32)),
                    _ => return Err("Invalid save parameters".into()),
                }
            }
            if ctx.append_save {
                if let Value::Save(cur) = ctx.current {
                    let mut all = cur.clone();
                    all.extend(points);
                    return Ok(Value::Save(all));
                }
            }
            Ok(Value::Save(points))
        }
        Special::ClientOutputBufferLimit => {
            if !args.len().is_multiple_of(4) {
                return Err("Wrong number of arguments in buffer limit configuration.".into());
            }
            let Value::Obuf(mut limits) = ctx.current.clone() else {
                unreachable!()
            };
            let mut new = limits;
            for q in args.chunks(4) {
                let class = match q[0].to_ascii_lowercase().as_slice() {
                    b"normal" => 0,
                    b"slave" | b"replica" => 1,
                    b"pubsub" => 2,
                    _ => {
                        return Err(
                            "Invalid client class specified in buffer limit configuration.".into(),
                        )
                    }
                };
                let secs = strtoll_full(&q[3], 10).map(|v| v.0);
                match (memtoull(&q[1]), memtoull(&q[2]), secs) {
                    (Some(h), Some(s), Some(secs)) if secs as i32 >= 0 => {
                        new[class] = ObufLimit {
                            hard_limit_bytes: h,
                            soft_limit_bytes: s,
                            soft_limit_seconds: secs as i32 as i64,
                        }
                    }
                    _ => {
                        return Err("Error in hard, soft or soft_seconds setting in buffer limit configuration."
                            .into())
                    }
                }
            }
            limits.copy_from_slice(&new);
            Ok(Value::Obuf(limits))
        }
        Special::OomScoreAdjValues => {
            if args.len() != 3 {
                return wrong_args();
            }
            let mut v = [0i32; 3];
            for (slot, a) in v.iter_mut().zip(args) {
                match strtoll_full(a, 10) {
                    Some((n, _)) if (-2000..=2000).contains(&n) => *slot = n as i32,
                    _ => return Err(
                        "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
                            .into(),
                    ),
                }
            }
            Ok(Value::Oom(v))
        }
        Special::NotifyKeyspaceEvents => {
            if args.len() != 1 {
                return wrong_args();
            }
            notify_from_str(&args[0])
                .map(Value::Notify)
                .ok_or_else(|| "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into())
        }
        Special::Bind => {
            if args.len() > 16 {
                return Err("Too many bind addresses specified.".into());
            }
            let args: &[Vec<u8>] = if args.len() == 1 && args[0].is_empty() {
                &[]
            } else {
                args
            };
            Ok(Value::Bind(args.iter().map(|a| lossy(a)).collect()))
        }
        Special::ReplicaOf => {
            if args.len() != 2 {
                return wrong_args();
            }
            if args[0].eq_ignore_ascii_case(b"no") && args[1].eq_ignore_ascii_case(b"one") {
                return Ok(Value::ReplicaOf(None));
            }
            match strtoll_full(&args[1], 10) {
                Some((p, _)) if (0..=65535).contains(&p) => {
                    Ok(Value::ReplicaOf(Some((lossy(&args[0]), p as u16))))
                }
                _ => Err("Invalid master port".into()),
            }
        }
        Special::LatencyPercentiles => {
            let args: &[Vec<u8>] = if args.len() == 1 && args[0].is_empty() {
                &[]
            } else {
                args
            };
            let mut out = Vec::new();
            for a in args {
                let s = lossy(a);
                let ok = !s.is_empty() && !s.starts_with(|c: char| c.is_ascii_whitespace());
                let v: f64 = match s.parse() {
                    Ok(v) if ok && !f64::is_nan(v) && f64::is_finite(v) => v,
                    _ => return Err("Invalid latency-tracking-info-percentiles parameters".into()),
                };
                if !(0.0..=100.0).contains(&v) {
                    return Err(
                        "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
                            .into(),
                    );
                }
                out.push(v);
            }
            Ok(Value::Percentiles(out))
        }
    }
}

/// Parses a `notify-keyspace-events` class string into flags.
pub fn notify_from_str(s: &[u8]) -> Option<u32> {
    use notify::*;
    let mut flags = 0;
    for &c in s {
        flags |= match c {
            b'A' => ALL,
            b'g' => GENERIC,
            b'$' => STRING,
            b'l' => LIST,
            b's' => SET,
            b'h' => HASH,
            b'z' => ZSET,
            b'x' => EXPIRED,
            b'e' => EVICTED,
            b'K' => KEYSPACE,
            b'E' => KEYEVENT,
            b't' => STREAM,
            b'm' => KEY_MISS,
            b'd' => MODULE,
            b'n' => NEW,
            _ => return None,
        };
    }
    Some(flags)
}

/// Renders notification flags the way Redis does (`A` when all classes are on).
pub fn notify_to_string(flags: u32) -> String {
    use notify::*;
    let mut s = String::new();
    if flags & ALL == ALL {
        s.push('A');
    } else {
        for (bit, c) in [
            (GENERIC, 'g'),
            (STRING, '$'),
            (LIST, 'l'),
            (SET, 's'),
            (HASH, 'h'),
            (ZSET, 'z'),
            (EXPIRED, 'x'),
            (EVICTED, 'e'),
            (STREAM, 't'),
            (MODULE, 'd'),
            (NEW, 'n'),
        ] {
            if flags & bit != 0 {
                s.push(c);
            }
        }
    }
    for (bit, c) in [(KEYSPACE, 'K'), (KEYEVENT, 'E'), (KEY_MISS, 'm')] {
        if flags & bit != 0 {
            s.push(c);
        }
    }
    s
}

/// Formats a percentile like C's `%f` with trailing zeros (and dot) trimmed.
pub fn fmt_percentile(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0');
    s.trim_end_matches('.').to_string()
}

/// Renders a value as CONFIG GET shows it.
pub fn render(d: &Directive, v: &Value) -> Vec<u8> {
    match (v, d.kind) {
        (Value::Bool(b), _) => if *b { "yes" } else { "no" }.into(),
        (
            Value::Num(n),
            Kind::Num {
                mem,
                percent,
                octal,
                ..
            },
        ) => {
            if percent && *n < 0 {
                format!("{}%", -n).into_bytes()
            } else if mem {
                (*n as u64).to_string().into_bytes()
            } else if octal {
                format!("{:o}", *n as u64).into_bytes()
            } else {
                n.to_string().into_bytes()
            }
        }
        (Value::Enum(x), Kind::Enum { names, .. }) => {
            enum_name(names, *x, d.has(MULTI_ARG)).into_bytes()
        }
        (Value::Str(s), _) => s.clone().unwrap_or_default(),
        (Value::Dir(p), _) => p.to_string_lossy().into_owned().into_bytes(),
        (Value::Save(points), _) => points
            .iter()
            .map(|(s, c)| format!("{s} {c}"))
            .collect::<Vec<_>>()
            .join(" ")
            .into_bytes(),
        (Value::Obuf(l), _) => ["normal", "slave", "pubsub"]
            .iter()
            .zip(l)
            .map(|(n, l)| {
                format!(
                    "{n} {} {} {}",
                    l.hard_limit_bytes, l.soft_limit_bytes, l.soft_limit_seconds
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
            .into_bytes(),
        (Value::Oom(v), _) => format!("{} {} {}", v[0], v[1], v[2]).into_bytes(),
        (Value::Notify(f), _) => notify_to_string(*f).into_bytes(),
        (Value::Bind(a), _) => a.join(" ").into_bytes(),
        (Value::ReplicaOf(Some((h, p))), _) => format!("{h} {p}").into_bytes(),
        (Value::ReplicaOf(None), _) => Vec::new(),
        (Value::Percentiles(p), _) => p
            .iter()
            .map(|v| fmt_percentile(*v))
            .collect::<Vec<_>>()
            .join(" ")
            .into_bytes(),
        _ => Vec::new(),
    }
}

/// Name of an enum value; for flag enums (multi-arg) the names of its bits.
pub fn enum_name(names: &[(&str, i32)], v: i32, flags: bool) -> String {
    if let Some((n, _)) = names.iter().find(|(_, x)| *x == v) {
        return n.to_string();
    }
    if flags {
        let parts: Vec<&str> = names
            .iter()
            .filter(|(_, x)| *x != 0 && v & x == *x)
            .map(|(n, _)| *n)
            .collect();
        if !parts.is_empty() {
            return parts.join(" ");
        }
    }
    "unknown".into()
}
