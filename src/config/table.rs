//! The table of every configuration directive Redis 7.0.15 knows: canonical
//! name, alias, flags, type with bounds, and default. Rows are data; the generic
//! code in `config.rs` and `config/value.rs` parses, validates, renders and
//! rewrites values from them.

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

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Directive {
    pub name: &'static str,
    pub alias: Option<&'static str>,
    pub flags: u32,
    pub kind: Kind,
}

impl Directive {
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }
}

const I32MAX: i64 = i32::MAX as i64;
const I32MIN: i64 = i32::MIN as i64;
const LMAX: i64 = i64::MAX;

const fn b(name: &'static str, alias: Option<&'static str>, flags: u32, d: bool) -> Directive {
    Directive {
        name,
        alias,
        flags,
        kind: Kind::Bool { default: d },
    }
}

const fn num(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    min: i64,
    max: i64,
    default: i64,
) -> Directive {
    Directive {
        name,
        alias,
        flags,
        kind: Kind::Num {
            min,
            max,
            default,
            unsigned: false,
            mem: false,
            percent: false,
            octal: false,
        },
    }
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
    Directive {
        name,
        alias,
        flags,
        kind: Kind::Num {
            min,
            max,
            default,
            unsigned: true,
            mem: false,
            percent: false,
            octal: false,
        },
    }
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
    Directive {
        name,
        alias,
        flags,
        kind: Kind::Num {
            min,
            max,
            default,
            unsigned,
            mem: true,
            percent: false,
            octal: false,
        },
    }
}

const fn e(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    names: &'static [(&'static str, i32)],
    default: i32,
) -> Directive {
    Directive {
        name,
        alias,
        flags,
        kind: Kind::Enum { names, default },
    }
}

const fn s(
    name: &'static str,
    alias: Option<&'static str>,
    flags: u32,
    default: Option<&'static str>,
    empty_is_null: bool,
    check: StrCheck,
) -> Directive {
    Directive {
        name,
        alias,
        flags,
        kind: Kind::Str {
            default,
            empty_is_null,
            check,
        },
    }
}

const fn sp(name: &'static str, alias: Option<&'static str>, flags: u32, k: Special) -> Directive {
    Directive {
        name,
        alias,
        flags,
        kind: Kind::Special(k),
    }
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

const M: u32 = 0; // MODIFIABLE_CONFIG
const I: u32 = IMMUTABLE;

/// Every directive of Redis 7.0.15, in the order of Redis's own table.
pub static DIRECTIVES: &[Directive] = &[
    // Bool configs
    b("rdbchecksum", None, I, true),
    b("daemonize", None, I, false),
    b("io-threads-do-reads", None, I, false),
    b("always-show-logo", None, I, false),
    b("protected-mode", None, M, true),
    b("rdbcompression", None, M, true),
    b("rdb-del-sync-files", None, M, false),
    b("activerehashing", None, M, true),
    b("stop-writes-on-bgsave-error", None, M, true),
    b("set-proc-title", None, I, true),
    b("dynamic-hz", None, M, true),
    b("lazyfree-lazy-eviction", None, M, false),
    b("lazyfree-lazy-expire", None, M, false),
    b("lazyfree-lazy-server-del", None, M, false),
    b("lazyfree-lazy-user-del", None, M, false),
    b("lazyfree-lazy-user-flush", None, M, false),
    b("repl-disable-tcp-nodelay", None, M, false),
    b("repl-diskless-sync", None, M, true),
    b("aof-rewrite-incremental-fsync", None, M, true),
    b("no-appendfsync-on-rewrite", None, M, false),
    b("cluster-require-full-coverage", None, M, true),
    b("rdb-save-incremental-fsync", None, M, true),
    b("aof-load-truncated", None, M, true),
    b("aof-use-rdb-preamble", None, M, true),
    b("aof-timestamp-enabled", None, M, false),
    b(
        "cluster-replica-no-failover",
        Some("cluster-slave-no-failover"),
        M,
        false,
    ),
    b("replica-lazy-flush", Some("slave-lazy-flush"), M, false),
    b(
        "replica-serve-stale-data",
        Some("slave-serve-stale-data"),
        M,
        true,
    ),
    b("replica-read-only", Some("slave-read-only"), M, true),
    b(
        "replica-ignore-maxmemory",
        Some("slave-ignore-maxmemory"),
        M,
        true,
    ),
    b("jemalloc-bg-thread", None, M, true),
    b("activedefrag", None, M, false),
    b("syslog-enabled", None, I, false),
    b("cluster-enabled", None, I, false),
    b("appendonly", None, M | DENY_LOADING, false),
    b("cluster-allow-reads-when-down", None, M, false),
    b("cluster-allow-pubsubshard-when-down", None, M, true),
    b("crash-log-enabled", None, M, true),
    b("crash-memcheck-enabled", None, M, true),
    b("use-exit-on-panic", None, M | HIDDEN, false),
    b("disable-thp", None, I, true),
    b("cluster-allow-replica-migration", None, M, true),
    b("replica-announced", None, M, true),
    b("latency-tracking", None, M, true),
    b("aof-disable-auto-gc", None, M, false),
    b("replica-ignore-disk-write-errors", None, M, false),
    // String configs
    s("aclfile", None, I, Some(""), false, StrCheck::None),
    sn("unixsocket", None, I),
    sn("pidfile", None, I),
    sn("replica-announce-ip", Some("slave-announce-ip"), M),
    sn("masteruser", None, M | SENSITIVE),
    sn("cluster-announce-ip", None, M),
    s(
        "cluster-config-file",
        None,
        I,
        Some("nodes.conf"),
        false,
        StrCheck::None,
    ),
    s(
        "cluster-announce-hostname",
        None,
        M,
        None,
        true,
        StrCheck::Hostname,
    ),
    s(
        "syslog-ident",
        None,
        I,
        Some("redis"),
        false,
        StrCheck::None,
    ),
    s(
        "dbfilename",
        None,
        M | PROTECTED,
        Some("dump.rdb"),
        false,
        StrCheck::DbFilename,
    ),
    s(
        "appendfilename",
        None,
        I,
        Some("appendonly.aof"),
        false,
        StrCheck::AofFilename,
    ),
    s(
        "appenddirname",
        None,
        I,
        Some("appendonlydir"),
        false,
        StrCheck::AofDirname,
    ),
    sn("server_cpulist", None, I),
    sn("bio_cpulist", None, I),
    sn("aof_rewrite_cpulist", None, I),
    sn("bgsave_cpulist", None, I),
    s("ignore-warnings", None, M, Some(""), false, StrCheck::None),
    s(
        "proc-title-template",
        None,
        M,
        Some("{title} {listen-addr} {server-mode}"),
        false,
        StrCheck::ProcTitle,
    ),
    sn("bind-source-addr", None, M),
    s("logfile", None, I, Some(""), false, StrCheck::None),
    sn("masterauth", None, M | SENSITIVE),
    sn("requirepass", None, M | SENSITIVE),
    // Enum configs
    e("supervised", None, I, SUPERVISED, 0),
    e("syslog-facility", None, I, SYSLOG_FACILITY, 128),
    e(
        "repl-diskless-load",
        None,
        M | DENY_LOADING,
        REPL_DISKLESS_LOAD,
        0,
    ),
    e("loglevel", None, M, LOGLEVEL, 2),
    e("maxmemory-policy", None, M, MAXMEMORY_POLICY, 7),
    e("appendfsync", None, M, APPENDFSYNC, 2),
    e("oom-score-adj", None, M, OOM_SCORE_ADJ, 0),
    e("acl-pubsub-default", None, M, ACL_PUBSUB_DEFAULT, 0),
    e("sanitize-dump-payload", None, M, SANITIZE_DUMP_PAYLOAD, 0),
    e("enable-protected-configs", None, I, PROTECTED_ACTION, 0),
    e("enable-debug-command", None, I, PROTECTED_ACTION, 0),
    e("enable-module-command", None, I, PROTECTED_ACTION, 0),
    e("cluster-preferred-endpoint-type", None, M, ENDPOINT_TYPE, 0),
    e("propagation-error-behavior", None, M, PROPAGATION_ERROR, 0),
    e(
        "shutdown-on-sigint",
        None,
        M | MULTI_ARG,
        SHUTDOWN_ON_SIG,
        0,
    ),
    e(
        "shutdown-on-sigterm",
        None,
        M | MULTI_ARG,
        SHUTDOWN_ON_SIG,
        0,
    ),
    // Integer configs
    num("databases", None, I, 1, I32MAX, 16),
    num("port", None, M, 0, 65535, 6379),
    num("io-threads", None, I, 1, 128, 1),
    num("auto-aof-rewrite-percentage", None, M, 0, I32MAX, 100),
    num(
        "cluster-replica-validity-factor",
        Some("cluster-slave-validity-factor"),
        M,
        0,
        I32MAX,
        10,
    ),
    num(
        "list-max-listpack-size",
        Some("list-max-ziplist-size"),
        M,
        I32MIN,
        I32MAX,
        -2,
    ),
    num("tcp-keepalive", None, M, 0, I32MAX, 300),
    num("cluster-migration-barrier", None, M, 0, I32MAX, 1),
    num("active-defrag-cycle-min", None, M, 1, 99, 1),
    num("active-defrag-cycle-max", None, M, 1, 99, 25),
    num("active-defrag-threshold-lower", None, M, 0, 1000, 10),
    num("active-defrag-threshold-upper", None, M, 0, 1000, 100),
    num("lfu-log-factor", None, M, 0, I32MAX, 10),
    num("lfu-decay-time", None, M, 0, I32MAX, 1),
    num(
        "replica-priority",
        Some("slave-priority"),
        M,
        0,
        I32MAX,
        100,
    ),
    num("repl-diskless-sync-delay", None, M, 0, I32MAX, 5),
    num("maxmemory-samples", None, M, 1, I32MAX, 5),
    num("maxmemory-eviction-tenacity", None, M, 0, 100, 10),
    num("timeout", None, M, 0, I32MAX, 0),
    num(
        "replica-announce-port",
        Some("slave-announce-port"),
        M,
        0,
        65535,
        0,
    ),
    num("tcp-backlog", None, I, 0, I32MAX, 511),
    num("cluster-port", None, I, 0, 65535, 0),
    num("cluster-announce-bus-port", None, M, 0, 65535, 0),
    num("cluster-announce-port", None, M, 0, 65535, 0),
    num("cluster-announce-tls-port", None, M, 0, 65535, 0),
    num("repl-timeout", None, M, 1, I32MAX, 60),
    num(
        "repl-ping-replica-period",
        Some("repl-ping-slave-period"),
        M,
        1,
        I32MAX,
        10,
    ),
    num("list-compress-depth", None, M, 0, I32MAX, 0),
    num("rdb-key-save-delay", None, M | HIDDEN, I32MIN, I32MAX, 0),
    num("key-load-delay", None, M | HIDDEN, I32MIN, I32MAX, 0),
    num("active-expire-effort", None, M, 1, 10, 1),
    num("hz", None, M, 0, I32MAX, 10),
    num(
        "min-replicas-to-write",
        Some("min-slaves-to-write"),
        M,
        0,
        I32MAX,
        0,
    ),
    num(
        "min-replicas-max-lag",
        Some("min-slaves-max-lag"),
        M,
        0,
        I32MAX,
        10,
    ),
    num("watchdog-period", None, M | HIDDEN, 0, I32MAX, 0),
    num("shutdown-timeout", None, M, 0, I32MAX, 10),
    num("repl-diskless-sync-max-replicas", None, M, 0, I32MAX, 0),
    // Unsigned int configs
    unum("maxclients", None, M, 1, u32::MAX as i64, 10000),
    Directive {
        name: "unixsocketperm",
        alias: None,
        flags: I,
        kind: Kind::Num {
            min: 0,
            max: 0o777,
            default: 0,
            unsigned: true,
            mem: false,
            percent: false,
            octal: true,
        },
    },
    unum("socket-mark-id", None, I, 0, u32::MAX as i64, 0),
    // Unsigned long configs (bound-checked as signed in Redis)
    num("active-defrag-max-scan-fields", None, M, 1, LMAX, 1000),
    num("slowlog-max-len", None, M, 0, LMAX, 128),
    num("acllog-max-len", None, M, 0, LMAX, 128),
    // Long long configs
    num(
        "busy-reply-threshold",
        Some("lua-time-limit"),
        M,
        0,
        LMAX,
        5000,
    ),
    num("cluster-node-timeout", None, M, 0, LMAX, 15000),
    num("slowlog-log-slower-than", None, M, -1, LMAX, 10000),
    num("latency-monitor-threshold", None, M, 0, LMAX, 0),
    mem(
        "proto-max-bulk-len",
        None,
        M,
        1024 * 1024,
        LMAX,
        512 * 1024 * 1024,
        false,
    ),
    num("stream-node-max-entries", None, M, 0, LMAX, 100),
    mem("repl-backlog-size", None, M, 1, LMAX, 1024 * 1024, false),
    // Unsigned long long configs
    mem("maxmemory", None, M, 0, -1, 0, true),
    mem("cluster-link-sendbuf-limit", None, M, 0, -1, 0, true),
    // size_t configs
    unum(
        "hash-max-listpack-entries",
        Some("hash-max-ziplist-entries"),
        M,
        0,
        LMAX,
        512,
    ),
    unum("set-max-intset-entries", None, M, 0, LMAX, 512),
    unum(
        "zset-max-listpack-entries",
        Some("zset-max-ziplist-entries"),
        M,
        0,
        LMAX,
        128,
    ),
    mem(
        "active-defrag-ignore-bytes",
        None,
        M,
        1,
        LMAX,
        100 << 20,
        true,
    ),
    mem(
        "hash-max-listpack-value",
        Some("hash-max-ziplist-value"),
        M,
        0,
        LMAX,
        64,
        true,
    ),
    mem("stream-node-max-bytes", None, M, 0, LMAX, 4096, true),
    mem(
        "zset-max-listpack-value",
        Some("zset-max-ziplist-value"),
        M,
        0,
        LMAX,
        64,
        true,
    ),
    mem("hll-sparse-max-bytes", None, M, 0, LMAX, 3000, true),
    unum("tracking-table-max-keys", None, M, 0, LMAX, 1_000_000),
    mem(
        "client-query-buffer-limit",
        None,
        M,
        1024 * 1024,
        LMAX,
        1024 * 1024 * 1024,
        true,
    ),
    Directive {
        name: "maxmemory-clients",
        alias: None,
        flags: M,
        kind: Kind::Num {
            min: -100,
            max: LMAX,
            default: 0,
            unsigned: false,
            mem: true,
            percent: true,
            octal: false,
        },
    },
    // Other numeric configs
    num("repl-backlog-ttl", None, M, 0, LMAX, 3600),
    mem(
        "auto-aof-rewrite-min-size",
        None,
        M,
        0,
        LMAX,
        64 * 1024 * 1024,
        false,
    ),
    num(
        "loading-process-events-interval-bytes",
        None,
        M | HIDDEN,
        1024,
        I32MAX,
        2 * 1024 * 1024,
    ),
    // TLS configs (accepted and stored; oxidis does not speak TLS yet)
    num("tls-port", None, M, 0, 65535, 0),
    num("tls-session-cache-size", None, M, 0, I32MAX, 20 * 1024),
    num("tls-session-cache-timeout", None, M, 0, I32MAX, 300),
    b("tls-cluster", None, M, false),
    b("tls-replication", None, M, false),
    e("tls-auth-clients", None, M, TLS_AUTH_CLIENTS, 1),
    b("tls-prefer-server-ciphers", None, M, false),
    b("tls-session-caching", None, M, true),
    sn("tls-cert-file", None, M),
    sn("tls-key-file", None, M),
    sn("tls-key-file-pass", None, M | SENSITIVE),
    sn("tls-client-cert-file", None, M),
    sn("tls-client-key-file", None, M),
    sn("tls-client-key-file-pass", None, M | SENSITIVE),
    sn("tls-dh-params-file", None, M),
    sn("tls-ca-cert-file", None, M),
    sn("tls-ca-cert-dir", None, M),
    sn("tls-protocols", None, M),
    sn("tls-ciphers", None, M),
    sn("tls-ciphersuites", None, M),
    // Special configs
    sp("dir", None, M | PROTECTED | DENY_LOADING, Special::Dir),
    sp("save", None, M | MULTI_ARG, Special::Save),
    sp(
        "client-output-buffer-limit",
        None,
        M | MULTI_ARG,
        Special::ClientOutputBufferLimit,
    ),
    sp(
        "oom-score-adj-values",
        None,
        M | MULTI_ARG,
        Special::OomScoreAdjValues,
    ),
    sp(
        "notify-keyspace-events",
        None,
        M,
        Special::NotifyKeyspaceEvents,
    ),
    sp("bind", None, M | MULTI_ARG, Special::Bind),
    sp(
        "replicaof",
        Some("slaveof"),
        I | MULTI_ARG,
        Special::ReplicaOf,
    ),
    sp(
        "latency-tracking-info-percentiles",
        None,
        M | MULTI_ARG,
        Special::LatencyPercentiles,
    ),
    // oxidis's own directives (Redis 7.0 has no such setting)
    e("busy-poll", None, M, BUSY_POLL, 2),
];

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

/// Index of a directive by its canonical name; panics on a typo (a bug).
pub fn index_of(name: &str) -> usize {
    match lookup(name.as_bytes()) {
        Some((i, false)) => i,
        _ => panic!("unknown directive {name}"),
    }
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
