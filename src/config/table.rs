//! The table of every configuration directive Redis 7.0.15 knows. A row owns
//! everything about its directive: canonical name, alias, flags, type with
//! bounds and default, where its value is stored (a typed field of
//! [`Config`], through the row's `get`/`set` accessors) and which side effect
//! a CONFIG SET of it needs ([`Apply`]). Rows are data; the generic code in
//! `config.rs` and `config/value.rs` parses, validates, renders, rewrites and
//! rolls back values from them, and the server implements the [`Apply`]
//! hooks (this layer does not know the server).
//!
//! Adding a directive is one row (plus, when the server reads it, the typed
//! field the row's accessors name).

use super::{Config, ConfigEnum, Value};

/// Cannot be changed by CONFIG SET.
pub const IMMUTABLE: u32 = 1 << 0;
/// Changing it needs `enable-protected-configs`.
pub const PROTECTED: u32 = 1 << 1;
/// Its value must be redacted from logs, MONITOR and SLOWLOG.
pub const SENSITIVE: u32 = 1 << 2;
/// CONFIG SET refused while a dataset is loading.
pub const DENY_LOADING: u32 = 1 << 3;
/// Not returned by CONFIG GET patterns, only by its exact name.
pub const HIDDEN: u32 = 1 << 4;
/// Takes several arguments (CONFIG SET splits the value on spaces).
pub const MULTI_ARG: u32 = 1 << 5;

/// The value type of a directive, with its validation parameters.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// `yes` / `no`.
    Bool { default: bool },
    /// A number stored as Redis's `long long`. `unsigned` selects unsigned
    /// bound checks (and `max` may then be `-1`, meaning `u64::MAX`); `mem`
    /// accepts memory units; `percent` accepts `N%` (stored negative); `octal`
    /// parses and renders base 8.
    Num {
        min: i64,
        max: i64,
        default: i64,
        unsigned: bool,
        mem: bool,
        percent: bool,
        octal: bool,
    },
    /// One of a fixed list of names (several names may share one value).
    Enum {
        names: &'static [(&'static str, i32)],
        default: i32,
    },
    /// A string. `empty_is_null`: an empty value means "unset".
    Str {
        default: Option<&'static str>,
        empty_is_null: bool,
        check: StrCheck,
    },
    /// A directive with its own parser and renderer.
    Special(Special),
}

/// Extra validation of string directives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrCheck {
    None,
    DbFilename,
    AofFilename,
    AofDirname,
    Hostname,
    ProcTitle,
}

/// The directives with a parser of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    Dir,
    Save,
    ClientOutputBufferLimit,
    OomScoreAdjValues,
    NotifyKeyspaceEvents,
    Bind,
    ReplicaOf,
    LatencyPercentiles,
}

/// The typed storage of a directive: a field of [`Config`], read and written
/// as a table [`Value`] (the value `set` receives has been validated against
/// the row's kind). Rows without one keep their value in the table's own
/// storage: directives oxidis accepts and reports but does not act on.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub get: fn(&Config) -> Value,
    pub set: fn(&mut Config, Value),
}

/// The side effect a CONFIG SET of a directive needs once every new value is
/// stored (Redis's `apply_fn`). Several directives may share one: each
/// distinct hook runs once per CONFIG SET, in the order its first directive
/// was named. A hook that fails makes the whole CONFIG SET roll back, and
/// every hook is then run again for the restored values. The server layer
/// implements them (`server/config_apply.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Apply {
    /// Reopen the TCP listeners on the new `port` (Redis's updatePort).
    Port,
    /// Reopen the TCP listeners on the new `bind` addresses (applyBind).
    Bind,
    /// Warn when under the memory in use and evict (updateMaxmemory).
    Maxmemory,
    /// Re-read the eviction policy and LFU parameters.
    Eviction,
    /// Recount the good replicas (updateGoodSlaves).
    GoodReplicas,
    /// Resize the replication backlog, at least 16 KB
    /// (updateReplBacklogSize).
    ReplBacklogSize,
    /// Move the process into the new `dir`.
    Dir,
    /// Pass the new `loglevel` to the logger.
    LogLevel,
    /// Re-read the keyspace notification classes.
    NotifyKeyspaceEvents,
    /// Re-read `tracking-table-max-keys` (and evict tracked keys over it).
    TrackingTableMaxKeys,
    /// Give the databases the lazy-free thread (or take it away).
    Lazyfree,
    /// Tell the databases the LATENCY threshold.
    LatencyMonitor,
    /// Start or stop jemalloc's background purging thread
    /// (updateJemallocBgThread).
    JemallocBgThread,
    /// Tell the AOF thread the new `appendfsync`.
    AppendFsync,
    /// Turn the AOF on (a rewrite, then appending) or off
    /// (updateAppendonly).
    AppendOnly,
    /// `aof-disable-auto-gc no`: delete the history files now
    /// (updateAofAutoGCEnabled).
    AofAutoGc,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Directive {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub flags: u32,
    pub kind: Kind,
    /// None: stored in the table (see [`Field`]).
    pub field: Option<Field>,
    pub apply: Option<Apply>,
}

impl Directive {
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }

    /// This row stored in a typed field of [`Config`].
    const fn typed(mut self, f: Field) -> Directive {
        self.field = Some(f);
        self
    }

    /// This row with a CONFIG SET side effect.
    const fn apply(mut self, a: Apply) -> Directive {
        self.apply = Some(a);
        self
    }
}

/// [`Field`] accessors for a field of [`Config`], by the field's Rust type:
/// `bool`, `num` (any integer type; the row's bounds make the cast exact),
/// `enum` (a [`ConfigEnum`]), `string` (a `String`), `opt_string` (a
/// `String`, empty when unset), `bytes` (an `Option<Vec<u8>>`).
macro_rules! field {
    (bool $f:ident) => {
        Field {
            get: |c| Value::Bool(c.$f),
            set: |c, v| c.$f = v.as_bool(),
        }
    };
    (num $f:ident) => {
        Field {
            get: |c| Value::Num(c.$f as i64),
            set: |c, v| c.$f = v.as_num() as _,
        }
    };
    (enum $f:ident) => {
        Field {
            get: |c| Value::Enum(c.$f.code()),
            set: |c, v| c.$f = ConfigEnum::from_code(v.as_enum()),
        }
    };
    (string $f:ident) => {
        Field {
            get: |c| Value::Str(Some(c.$f.as_bytes().to_vec())),
            set: |c, v| c.$f = String::from_utf8_lossy(&v.into_bytes()).into_owned(),
        }
    };
    (opt_string $f:ident) => {
        Field {
            get: |c| Value::Str((!c.$f.is_empty()).then(|| c.$f.as_bytes().to_vec())),
            set: |c, v| c.$f = String::from_utf8_lossy(&v.into_bytes()).into_owned(),
        }
    };
    (bytes $f:ident) => {
        Field {
            get: |c| Value::Str(c.$f.clone()),
            set: |c, v| c.$f = v.into_opt_bytes(),
        }
    };
}

const I32MAX: i64 = i32::MAX as i64;
const I32MIN: i64 = i32::MIN as i64;
const LMAX: i64 = i64::MAX;

const fn row(name: &'static str, alias: Option<&'static str>, flags: u32, kind: Kind) -> Directive {
    Directive {
        name,
        alias,
        flags,
        kind,
        field: None,
        apply: None,
    }
}

const fn b(name: &'static str, alias: Option<&'static str>, flags: u32, d: bool) -> Directive {
    row(name, alias, flags, Kind::Bool { default: d })
}

const fn num(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    min: i64,
    max: i64,
    default: i64,
) -> Directive {
    row(
        name,
        alias,
        flags,
        Kind::Num {
            min,
            max,
            default,
            unsigned: false,
            mem: false,
            percent: false,
            octal: false,
        },
    )
}

/// Unsigned integer (`unsigned int`, `size_t`, `unsigned long long` in Redis).
const fn unum(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    min: i64,
    max: i64,
    default: i64,
) -> Directive {
    row(
        name,
        alias,
        flags,
        Kind::Num {
            min,
            max,
            default,
            unsigned: true,
            mem: false,
            percent: false,
            octal: false,
        },
    )
}

/// Memory value; `unsigned` as for [`unum`].
const fn mem(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    min: i64,
    max: i64,
    default: i64,
    unsigned: bool,
) -> Directive {
    row(
        name,
        alias,
        flags,
        Kind::Num {
            min,
            max,
            default,
            unsigned,
            mem: true,
            percent: false,
            octal: false,
        },
    )
}

const fn e(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    names: &'static [(&'static str, i32)],
    default: i32,
) -> Directive {
    row(name, alias, flags, Kind::Enum { names, default })
}

const fn s(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    default: Option<&'static str>,
    empty_is_null: bool,
    check: StrCheck,
) -> Directive {
    row(
        name,
        alias,
        flags,
        Kind::Str {
            default,
            empty_is_null,
            check,
        },
    )
}

const fn sp(name: &'static str, alias: Option<&'static str>, flags: u32, k: Special) -> Directive {
    row(name, alias, flags, Kind::Special(k))
}

/// Convenience for the many `EMPTY_STRING_IS_NULL` strings without a default.
const fn sn(name: &'static str, alias: Option<&'static str>, flags: u32) -> Directive {
    s(name, alias, flags, None, true, StrCheck::None)
}

pub const MAXMEMORY_POLICY: &[(&str, i32)] = &[
    ("volatile-lru", 0),
    ("volatile-lfu", 1),
    ("volatile-random", 2),
    ("volatile-ttl", 3),
    ("allkeys-lru", 4),
    ("allkeys-lfu", 5),
    ("allkeys-random", 6),
    ("noeviction", 7),
];
pub const SYSLOG_FACILITY: &[(&str, i32)] = &[
    ("user", 8),
    ("local0", 128),
    ("local1", 136),
    ("local2", 144),
    ("local3", 152),
    ("local4", 160),
    ("local5", 168),
    ("local6", 176),
    ("local7", 184),
];
pub const LOGLEVEL: &[(&str, i32)] = &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];
pub const SUPERVISED: &[(&str, i32)] = &[("upstart", 1), ("systemd", 2), ("auto", 3), ("no", 0)];
pub const APPENDFSYNC: &[(&str, i32)] = &[("everysec", 2), ("always", 1), ("no", 0)];
const REPL_DISKLESS_LOAD: &[(&str, i32)] = &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)];
const TLS_AUTH_CLIENTS: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("optional", 2)];
const OOM_SCORE_ADJ: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
const ACL_PUBSUB_DEFAULT: &[(&str, i32)] = &[("allchannels", 1), ("resetchannels", 0)];
const SANITIZE_DUMP_PAYLOAD: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("clients", 2)];
const BUSY_POLL: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("auto", 2)];
pub const PROTECTED_ACTION: &[(&str, i32)] = &[("no", 0), ("yes", 1), ("local", 2)];
const ENDPOINT_TYPE: &[(&str, i32)] = &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];
const PROPAGATION_ERROR: &[(&str, i32)] = &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];
const SHUTDOWN_ON_SIG: &[(&str, i32)] = &[
    ("default", 0),
    ("save", 1),
    ("nosave", 2),
    ("now", 4),
    ("force", 8),
];

mod rows;
pub use rows::DIRECTIVES;

/// True when `name` (canonical or alias, any case) is a directive whose value
/// must never be shown: MONITOR, SLOWLOG and logs print `(redacted)` for it.
pub fn is_sensitive(name: &[u8]) -> bool {
    lookup(name).is_some_and(|(i, _)| DIRECTIVES[i].has(SENSITIVE))
}

/// Finds a directive by canonical name or alias, ASCII case-insensitively.
/// Returns the row index and whether `name` was the alias.
pub fn lookup(name: &[u8]) -> Option<(usize, bool)> {
    DIRECTIVES.iter().enumerate().find_map(|(i, d)| {
        if d.name.as_bytes().eq_ignore_ascii_case(name) {
            Some((i, false))
        } else if d
            .alias
            .is_some_and(|a| a.as_bytes().eq_ignore_ascii_case(name))
        {
            Some((i, true))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_lowercase() {
        let mut seen = std::collections::HashSet::new();
        for d in DIRECTIVES {
            for n in std::iter::once(d.name).chain(d.alias) {
                assert_eq!(n, n.to_ascii_lowercase());
                assert!(seen.insert(n), "duplicate {n}");
            }
        }
        // Redis's 175 canonical names + 17 aliases (what CONFIG GET * lists)
        // + 5 hidden, and oxidis's own busy-poll.
        assert_eq!(seen.len(), 192 + 5 + 1);
    }
}
