//! The vocabulary of command metadata that COMMAND INFO, COMMAND DOCS and
//! COMMAND GETKEYS report: Redis 7.0 key specifications, command tips, and the
//! documentation tree (history, doc flags, arguments). Each row
//! ([`super::Command`]) states its own; rows are written with [`prelude`].
//!
//! A key spec says where a command's keys are in its argv, in two steps:
//!
//! ```text
//!   begin_search: index(i)            -> the search starts at argv[i]
//!                 keyword(kw, from)   -> after the argument equal to kw, looked
//!                                        for from index `from` (negative: backwards
//!                                        from the end)
//!   find_keys:    range(last, step, limit)   -> keys up to `last` (relative to the
//!                                               start; negative counts from the end)
//!                 keynum(idx, first, step)   -> argv[start+idx] is the number of
//!                                               keys, the first at start+first
//! ```
//!
//! The legacy (first, last, step) triple of COMMAND INFO and the `movablekeys`
//! flag are derived from the specs the way Redis derives them.

// Key spec flags, in the order Redis prints them.
pub const RO: u32 = 1 << 0;
pub const RW: u32 = 1 << 1;
pub const OW: u32 = 1 << 2;
pub const RM: u32 = 1 << 3;
pub const ACCESS: u32 = 1 << 4;
pub const UPDATE: u32 = 1 << 5;
pub const INSERT: u32 = 1 << 6;
pub const DELETE: u32 = 1 << 7;
pub const NOT_KEY: u32 = 1 << 8;
pub const INCOMPLETE: u32 = 1 << 9;
pub const VARIABLE_FLAGS: u32 = 1 << 10;

/// (bit, name) of the key spec flags, in Redis's order.
pub const KEY_FLAG_NAMES: &[(u32, &str)] = &[
    (RO, "RO"),
    (RW, "RW"),
    (OW, "OW"),
    (RM, "RM"),
    (ACCESS, "access"),
    (UPDATE, "update"),
    (INSERT, "insert"),
    (DELETE, "delete"),
    (NOT_KEY, "not_key"),
    (INCOMPLETE, "incomplete"),
    (VARIABLE_FLAGS, "variable_flags"),
];

// Documentation flags.
pub const DOC_DEPRECATED: u8 = 1 << 0;
pub const DOC_SYSCMD: u8 = 1 << 1;
pub const DOC_FLAG_NAMES: &[(u8, &str)] = &[(DOC_DEPRECATED, "deprecated"), (DOC_SYSCMD, "syscmd")];

// Argument flags.
pub const ARG_OPTIONAL: u8 = 1 << 0;
pub const ARG_MULTIPLE: u8 = 1 << 1;
pub const ARG_MULTIPLE_TOKEN: u8 = 1 << 2;
pub const ARG_FLAG_NAMES: &[(u8, &str)] = &[
    (ARG_OPTIONAL, "optional"),
    (ARG_MULTIPLE, "multiple"),
    (ARG_MULTIPLE_TOKEN, "multiple_token"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BeginSearch {
    Index(i32),
    Keyword {
        keyword: &'static str,
        startfrom: i32,
    },
    Unknown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindKeys {
    Range {
        lastkey: i32,
        keystep: i32,
        limit: i32,
    },
    Keynum {
        keynumidx: i32,
        firstkey: i32,
        keystep: i32,
    },
    Unknown,
}

#[derive(Clone, Copy, Debug)]
pub struct KeySpec {
    pub notes: Option<&'static str>,
    pub flags: u32,
    pub bs: BeginSearch,
    pub fk: FindKeys,
}

impl KeySpec {
    pub const fn notes(mut self, n: &'static str) -> KeySpec {
        self.notes = Some(n);
        self
    }
}

pub const fn ks(flags: u32, bs: BeginSearch, fk: FindKeys) -> KeySpec {
    KeySpec {
        notes: None,
        flags,
        bs,
        fk,
    }
}

pub const fn idx(i: i32) -> BeginSearch {
    BeginSearch::Index(i)
}

pub const fn kw(keyword: &'static str, startfrom: i32) -> BeginSearch {
    BeginSearch::Keyword { keyword, startfrom }
}

pub const BS_UNKNOWN: BeginSearch = BeginSearch::Unknown;
pub const FK_UNKNOWN: FindKeys = FindKeys::Unknown;

pub const fn range(lastkey: i32, keystep: i32, limit: i32) -> FindKeys {
    FindKeys::Range {
        lastkey,
        keystep,
        limit,
    }
}

pub const fn keynum(keynumidx: i32, firstkey: i32, keystep: i32) -> FindKeys {
    FindKeys::Keynum {
        keynumidx,
        firstkey,
        keystep,
    }
}

/// Argument types, with the names COMMAND DOCS shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    Str,
    Int,
    Double,
    Key,
    Pattern,
    UnixTime,
    Token,
    OneOf,
    Block,
}

impl ArgType {
    pub fn name(self) -> &'static str {
        match self {
            ArgType::Str => "string",
            ArgType::Int => "integer",
            ArgType::Double => "double",
            ArgType::Key => "key",
            ArgType::Pattern => "pattern",
            ArgType::UnixTime => "unix-time",
            ArgType::Token => "pure-token",
            ArgType::OneOf => "oneof",
            ArgType::Block => "block",
        }
    }
}

/// One node of a command's argument tree (COMMAND DOCS `arguments`).
#[derive(Clone, Copy, Debug)]
pub struct Arg {
    pub name: &'static str,
    pub typ: ArgType,
    /// Index into the command's key specs, for `key` arguments; -1 otherwise.
    pub key_spec_index: i32,
    pub token: Option<&'static str>,
    pub since: Option<&'static str>,
    pub deprecated_since: Option<&'static str>,
    pub flags: u8,
    /// Nested arguments of `oneof` and `block`.
    pub args: &'static [Arg],
}

/// Starts an argument; the builder methods below add the optional parts.
pub const fn a(name: &'static str, typ: ArgType) -> Arg {
    Arg {
        name,
        typ,
        key_spec_index: -1,
        token: None,
        since: None,
        deprecated_since: None,
        flags: 0,
        args: &[],
    }
}

impl Arg {
    pub const fn ks(mut self, i: i32) -> Arg {
        self.key_spec_index = i;
        self
    }
    pub const fn token(mut self, t: &'static str) -> Arg {
        self.token = Some(t);
        self
    }
    pub const fn since(mut self, v: &'static str) -> Arg {
        self.since = Some(v);
        self
    }
    pub const fn deprecated(mut self, v: &'static str) -> Arg {
        self.deprecated_since = Some(v);
        self
    }
    pub const fn opt(mut self) -> Arg {
        self.flags |= ARG_OPTIONAL;
        self
    }
    pub const fn multi(mut self) -> Arg {
        self.flags |= ARG_MULTIPLE;
        self
    }
    pub const fn multi_token(mut self) -> Arg {
        self.flags |= ARG_MULTIPLE_TOKEN;
        self
    }
    pub const fn sub(mut self, args: &'static [Arg]) -> Arg {
        self.args = args;
        self
    }
}

/// Commands whose keys the specs cannot fully describe get a dedicated
/// extractor, as Redis's getkeys_proc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GetKeys {
    None,
    /// SET: the key's flags depend on the GET option.
    Set,
    /// SORT: the STORE destination is found by skipping option arguments.
    Sort,
    /// SORT_RO: just the key, whose spec Redis leaves unknown.
    SortRo,
    /// BITFIELD: read-only unless a SET or INCRBY operation is present.
    Bitfield,
    /// MIGRATE: either the single key or everything after KEYS.
    Migrate,
}

/// Names a row's key specs and argument trees are written with
/// (`use crate::command::spec::prelude::*`).
pub mod prelude {
    pub use super::ArgType::{Block, Double, Int, Key, OneOf, Pattern, Str, Token, UnixTime};
    pub use super::{
        a, idx, keynum, ks, kw, range, GetKeys, ACCESS, BS_UNKNOWN, DELETE, DOC_DEPRECATED,
        DOC_SYSCMD, FK_UNKNOWN, INCOMPLETE, INSERT, NOT_KEY, OW, RM, RO, RW, UPDATE,
        VARIABLE_FLAGS,
    };
}

/// Redis's legacy (first, last, step) for COMMAND INFO, derived from the key
/// specs, and whether the command has "movable" keys (Redis's
/// populateCommandLegacyRangeSpec and populateCommandMovableKeys).
pub fn legacy_range(specs: &[KeySpec]) -> ((i32, i32, i32), bool) {
    let mut movable = false;
    if specs.is_empty() {
        return ((0, 0, 0), false);
    }
    if let [s] = specs {
        if let (
            BeginSearch::Index(pos),
            FindKeys::Range {
                lastkey, keystep, ..
            },
        ) = (s.bs, s.fk)
        {
            let last = if lastkey >= 0 { lastkey + pos } else { lastkey };
            return ((pos, last, keystep), s.flags & INCOMPLETE != 0);
        }
    }
    let (mut first, mut last, mut prev_last) = (i32::MAX, 0i32, 0i32);
    for s in specs {
        let (
            BeginSearch::Index(pos),
            FindKeys::Range {
                lastkey, keystep, ..
            },
        ) = (s.bs, s.fk)
        else {
            movable = true;
            continue;
        };
        if keystep != 1 || (prev_last != 0 && prev_last != pos - 1) {
            movable = true;
            continue;
        }
        if s.flags & INCOMPLETE != 0 {
            movable = true;
        }
        first = first.min(pos);
        let abs = if lastkey >= 0 { lastkey + pos } else { lastkey };
        // Unsigned comparison, so that a negative (from the end) last key wins.
        if abs as u32 > last as u32 {
            last = abs;
        }
        prev_last = last;
    }
    if first == i32::MAX {
        return ((0, 0, 0), true);
    }
    ((first, last, 1), movable)
}

/// Why key extraction failed.
#[derive(Debug, PartialEq, Eq)]
pub struct InvalidKeys;

/// True when a command with these key specs and extractor may have keys
/// (Redis's doesCommandHaveKeys).
pub fn has_keys(key_specs: &[KeySpec], getkeys: GetKeys) -> bool {
    getkeys != GetKeys::None || key_specs.iter().any(|k| k.flags & NOT_KEY == 0)
}

/// Positions and flags of the keys in `argv` (`argv[0]` is the command name),
/// as Redis's getKeysFromCommandWithSpecs, for a command with these key specs,
/// extractor and arity. Empty when the arguments do not make sense to the key
/// specs.
pub fn get_keys(
    key_specs: &[KeySpec],
    getkeys: GetKeys,
    arity: i32,
    argv: &[bytes::Bytes],
) -> Vec<(usize, u32)> {
    let any_key = key_specs.iter().any(|k| k.flags & NOT_KEY == 0);
    let var_flags = key_specs.iter().any(|k| k.flags & VARIABLE_FLAGS != 0);
    if any_key && !var_flags {
        if let Ok(keys) = keys_from_specs(key_specs, arity, argv) {
            return keys;
        }
    }
    match getkeys {
        GetKeys::None => Vec::new(),
        GetKeys::Set => set_get_keys(argv),
        GetKeys::Sort => sort_get_keys(argv),
        GetKeys::SortRo => vec![(1, RO | ACCESS)],
        GetKeys::Bitfield => bitfield_get_keys(argv),
        GetKeys::Migrate => migrate_get_keys(argv),
    }
}

/// Walks the key specs (Redis's getKeysUsingKeySpecs without partial results).
fn keys_from_specs(
    specs: &[KeySpec],
    arity: i32,
    argv: &[bytes::Bytes],
) -> Result<Vec<(usize, u32)>, InvalidKeys> {
    let argc = argv.len() as i64;
    let mut keys = Vec::new();
    for s in specs {
        if s.flags & NOT_KEY != 0 {
            continue;
        }
        let mut first: i64 = match s.bs {
            BeginSearch::Index(p) => p as i64,
            BeginSearch::Keyword { keyword, startfrom } => {
                let start = if startfrom > 0 {
                    startfrom as i64
                } else {
                    argc + startfrom as i64
                };
                let end = if startfrom > 0 { argc - 1 } else { 1 };
                let mut found = 0;
                let mut i = start;
                while i != end {
                    if i >= argc || i < 1 {
                        break;
                    }
                    if argv[i as usize].eq_ignore_ascii_case(keyword.as_bytes()) {
                        found = i + 1;
                        break;
                    }
                    i = if start <= end { i + 1 } else { i - 1 };
                }
                if found == 0 {
                    continue;
                }
                found
            }
            BeginSearch::Unknown => return Err(InvalidKeys),
        };
        let (last, step) = match s.fk {
            FindKeys::Range {
                lastkey,
                keystep,
                limit,
            } => {
                let last = if lastkey >= 0 {
                    first + lastkey as i64
                } else if limit == 0 {
                    argc + lastkey as i64
                } else {
                    first + ((argc - first) / limit as i64 + lastkey as i64)
                };
                (last, keystep as i64)
            }
            FindKeys::Keynum {
                keynumidx,
                firstkey,
                keystep,
            } => {
                if keynumidx as i64 >= argc {
                    return Err(InvalidKeys);
                }
                let n = argv
                    .get((first + keynumidx as i64) as usize)
                    .and_then(|a| crate::util::number::parse_i64(a))
                    .filter(|n| *n >= 0)
                    .ok_or(InvalidKeys)?;
                first += firstkey as i64;
                (first + n - 1, keystep as i64)
            }
            FindKeys::Unknown => return Err(InvalidKeys),
        };
        if last >= argc || last < first || first >= argc {
            return Err(InvalidKeys);
        }
        let mut i = first;
        while i <= last {
            if i >= argc || i < first {
                if arity < 0 {
                    i += step.max(1);
                    continue;
                }
                return Err(InvalidKeys);
            }
            keys.push((i as usize, s.flags));
            i += step.max(1);
        }
        if s.flags & INCOMPLETE != 0 {
            return Err(InvalidKeys);
        }
    }
    Ok(keys)
}

/// SET key value [... GET ...]: read-write when GET is given, else overwrite.
fn set_get_keys(argv: &[bytes::Bytes]) -> Vec<(usize, u32)> {
    let get = argv.iter().skip(3).any(|a| a.eq_ignore_ascii_case(b"get"));
    let flags = if get {
        RW | ACCESS | UPDATE
    } else {
        OW | UPDATE
    };
    vec![(1, flags)]
}

/// SORT key [BY p] [LIMIT o c] [GET p ...] [ASC|DESC] [ALPHA] [STORE dst]:
/// the sort key, plus the last STORE destination.
fn sort_get_keys(argv: &[bytes::Bytes]) -> Vec<(usize, u32)> {
    let mut keys = vec![(1, RO | ACCESS)];
    let mut store = None;
    let mut i = 2;
    while i < argv.len() {
        let a = &argv[i];
        if a.eq_ignore_ascii_case(b"limit") {
            i += 2;
        } else if a.eq_ignore_ascii_case(b"get") || a.eq_ignore_ascii_case(b"by") {
            i += 1;
        } else if a.eq_ignore_ascii_case(b"store") && i + 1 < argv.len() {
            store = Some(i + 1);
        }
        i += 1;
    }
    if let Some(p) = store {
        keys.push((p, OW | UPDATE));
    }
    keys
}

/// BITFIELD key [GET type offset] [SET ...] [INCRBY ...] [OVERFLOW ...]: the key
/// is read-only when only complete GET and OVERFLOW operations are present.
fn bitfield_get_keys(argv: &[bytes::Bytes]) -> Vec<(usize, u32)> {
    let mut readonly = true;
    let mut i = 2;
    while i < argv.len() {
        let rem = argv.len() - i - 1;
        let a = &argv[i];
        if a.eq_ignore_ascii_case(b"get") && rem >= 2 {
            i += 2;
        } else if a.eq_ignore_ascii_case(b"overflow") && rem >= 1 {
            i += 1;
        } else {
            // SET / INCRBY, or a syntax error: assume it writes.
            readonly = false;
            break;
        }
        i += 1;
    }
    let flags = if readonly {
        RO | ACCESS
    } else {
        RW | ACCESS | UPDATE
    };
    vec![(1, flags)]
}

/// MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw]
/// [AUTH2 user pw] [KEYS key ...].
fn migrate_get_keys(argv: &[bytes::Bytes]) -> Vec<(usize, u32)> {
    let (mut first, mut num) = (3, 1);
    if argv.len() > 6 {
        let mut i = 6;
        while i < argv.len() {
            let a = &argv[i];
            if a.eq_ignore_ascii_case(b"keys") {
                if !argv[3].is_empty() {
                    return Vec::new();
                }
                first = i + 1;
                num = argv.len() - first;
                break;
            }
            if a.eq_ignore_ascii_case(b"auth") {
                i += 1;
            } else if a.eq_ignore_ascii_case(b"auth2") {
                i += 2;
            }
            i += 1;
        }
    }
    (first..first + num)
        .map(|p| (p, RW | ACCESS | DELETE))
        .collect()
}
