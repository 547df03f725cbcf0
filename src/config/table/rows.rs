//! The rows of the directive table, in the order of Redis 7.0.15's own
//! `standardConfig` table (CONFIG GET and CONFIG REWRITE list them in this
//! order).

use super::*;
use crate::config::{MAX_HZ, MIN_HZ};
const M: u32 = 0; // MODIFIABLE_CONFIG
const I: u32 = IMMUTABLE;

/// Every directive of Redis 7.0.15, in the order of Redis's own table.
pub static DIRECTIVES: &[Directive] = &[
    // Bool configs
    b("rdbchecksum", None, I, true).typed(field!(bool rdbchecksum)),
    b("daemonize", None, I, false).typed(field!(bool daemonize)),
    b("io-threads-do-reads", None, I, false),
    b("always-show-logo", None, I, false).typed(field!(bool always_show_logo)),
    b("protected-mode", None, M, true).typed(field!(bool protected_mode)),
    b("rdbcompression", None, M, true).typed(field!(bool rdbcompression)),
    b("rdb-del-sync-files", None, M, false),
    b("activerehashing", None, M, true),
    b("stop-writes-on-bgsave-error", None, M, true).typed(field!(bool stop_writes_on_bgsave_error)),
    b("set-proc-title", None, I, true),
    b("dynamic-hz", None, M, true),
    b("lazyfree-lazy-eviction", None, M, false).typed(field!(bool lazyfree_lazy_eviction)),
    b("lazyfree-lazy-expire", None, M, false)
        .typed(field!(bool lazyfree_lazy_expire))
        .apply(Apply::Lazyfree),
    b("lazyfree-lazy-server-del", None, M, false)
        .typed(field!(bool lazyfree_lazy_server_del))
        .apply(Apply::Lazyfree),
    b("lazyfree-lazy-user-del", None, M, false).typed(field!(bool lazyfree_lazy_user_del)),
    b("lazyfree-lazy-user-flush", None, M, false).typed(field!(bool lazyfree_lazy_user_flush)),
    b("repl-disable-tcp-nodelay", None, M, false),
    b("repl-diskless-sync", None, M, true),
    b("aof-rewrite-incremental-fsync", None, M, true)
        .typed(field!(bool aof_rewrite_incremental_fsync)),
    b("no-appendfsync-on-rewrite", None, M, false)
        .typed(field!(bool no_appendfsync_on_rewrite))
        .apply(Apply::AppendFsync),
    b("cluster-require-full-coverage", None, M, true),
    b("rdb-save-incremental-fsync", None, M, true).typed(field!(bool rdb_save_incremental_fsync)),
    b("aof-load-truncated", None, M, true).typed(field!(bool aof_load_truncated)),
    b("aof-use-rdb-preamble", None, M, true).typed(field!(bool aof_use_rdb_preamble)),
    b("aof-timestamp-enabled", None, M, false).typed(field!(bool aof_timestamp_enabled)),
    b(
        "cluster-replica-no-failover",
        Some("cluster-slave-no-failover"),
        M,
        false,
    ),
    b("replica-lazy-flush", Some("slave-lazy-flush"), M, false)
        .typed(field!(bool replica_lazy_flush)),
    b(
        "replica-serve-stale-data",
        Some("slave-serve-stale-data"),
        M,
        true,
    )
    .typed(field!(bool replica_serve_stale_data)),
    b("replica-read-only", Some("slave-read-only"), M, true).typed(field!(bool replica_read_only)),
    b(
        "replica-ignore-maxmemory",
        Some("slave-ignore-maxmemory"),
        M,
        true,
    ),
    b("jemalloc-bg-thread", None, M, true)
        .typed(field!(bool jemalloc_bg_thread))
        .apply(Apply::JemallocBgThread),
    b("activedefrag", None, M, false),
    b("syslog-enabled", None, I, false),
    b("cluster-enabled", None, I, false).typed(field!(bool cluster_enabled)),
    b("appendonly", None, M | DENY_LOADING, false)
        .typed(field!(bool appendonly))
        .apply(Apply::AppendOnly),
    b("cluster-allow-reads-when-down", None, M, false),
    b("cluster-allow-pubsubshard-when-down", None, M, true),
    b("crash-log-enabled", None, M, true),
    b("crash-memcheck-enabled", None, M, true),
    b("use-exit-on-panic", None, M | HIDDEN, false),
    b("disable-thp", None, I, true),
    b("cluster-allow-replica-migration", None, M, true),
    b("replica-announced", None, M, true).typed(field!(bool replica_announced)),
    b("latency-tracking", None, M, true).typed(field!(bool latency_tracking)),
    b("aof-disable-auto-gc", None, M, false)
        .typed(field!(bool aof_disable_auto_gc))
        .apply(Apply::AofAutoGc),
    b("replica-ignore-disk-write-errors", None, M, false),
    // String configs
    s("aclfile", None, I, Some(""), false, StrCheck::None),
    sn("unixsocket", None, I).typed(Field {
        get: |c| Value::Str(c.unixsocket.as_ref().map(|s| s.as_bytes().to_vec())),
        set: |c, v| {
            c.unixsocket = v
                .into_opt_bytes()
                .map(|s| String::from_utf8_lossy(&s).into_owned())
        },
    }),
    sn("pidfile", None, I).typed(field!(opt_string pidfile)),
    sn("replica-announce-ip", Some("slave-announce-ip"), M)
        .typed(field!(opt_string replica_announce_ip)),
    sn("masteruser", None, M | SENSITIVE).typed(field!(bytes masteruser)),
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
    )
    .typed(field!(string dbfilename)),
    s(
        "appendfilename",
        None,
        I,
        Some("appendonly.aof"),
        false,
        StrCheck::AofFilename,
    )
    .typed(field!(string appendfilename)),
    s(
        "appenddirname",
        None,
        I,
        Some("appendonlydir"),
        false,
        StrCheck::AofDirname,
    )
    .typed(field!(string appenddirname)),
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
    s("logfile", None, I, Some(""), false, StrCheck::None).typed(field!(string logfile)),
    sn("masterauth", None, M | SENSITIVE).typed(field!(bytes masterauth)),
    sn("requirepass", None, M | SENSITIVE).typed(Field {
        get: |c| Value::Str(c.requirepass.clone().filter(|p| !p.is_empty())),
        set: |c, v| c.requirepass = v.into_opt_bytes(),
    }),
    // Enum configs
    e("supervised", None, I, SUPERVISED, 0).typed(field!(enum supervised)),
    e("syslog-facility", None, I, SYSLOG_FACILITY, 128),
    e(
        "repl-diskless-load",
        None,
        M | DENY_LOADING,
        REPL_DISKLESS_LOAD,
        0,
    )
    .typed(field!(enum repl_diskless_load)),
    e("loglevel", None, M, LOGLEVEL, 2)
        .typed(field!(enum loglevel))
        .apply(Apply::LogLevel),
    e("maxmemory-policy", None, M, MAXMEMORY_POLICY, 7)
        .typed(field!(enum maxmemory_policy))
        .apply(Apply::Eviction),
    e("appendfsync", None, M, APPENDFSYNC, 2)
        .typed(field!(enum appendfsync))
        .apply(Apply::AppendFsync),
    e("oom-score-adj", None, M, OOM_SCORE_ADJ, 0),
    e("acl-pubsub-default", None, M, ACL_PUBSUB_DEFAULT, 0),
    e("sanitize-dump-payload", None, M, SANITIZE_DUMP_PAYLOAD, 0),
    e("enable-protected-configs", None, I, PROTECTED_ACTION, 0)
        .typed(field!(enum enable_protected_configs)),
    e("enable-debug-command", None, I, PROTECTED_ACTION, 0)
        .typed(field!(enum enable_debug_command)),
    e("enable-module-command", None, I, PROTECTED_ACTION, 0)
        .typed(field!(enum enable_module_command)),
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
    num("databases", None, I, 1, I32MAX, 16).typed(field!(num databases)),
    num("port", None, M, 0, 65535, 6379)
        .typed(field!(num port))
        .apply(Apply::Port),
    num("io-threads", None, I, 1, 128, 1),
    num("auto-aof-rewrite-percentage", None, M, 0, I32MAX, 100)
        .typed(field!(num auto_aof_rewrite_percentage)),
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
    )
    .typed(field!(num list_max_listpack_size)),
    num("tcp-keepalive", None, M, 0, I32MAX, 300).typed(field!(num tcp_keepalive)),
    num("cluster-migration-barrier", None, M, 0, I32MAX, 1),
    num("active-defrag-cycle-min", None, M, 1, 99, 1),
    num("active-defrag-cycle-max", None, M, 1, 99, 25),
    num("active-defrag-threshold-lower", None, M, 0, 1000, 10),
    num("active-defrag-threshold-upper", None, M, 0, 1000, 100),
    num("lfu-log-factor", None, M, 0, I32MAX, 10)
        .typed(field!(num lfu_log_factor))
        .apply(Apply::Eviction),
    num("lfu-decay-time", None, M, 0, I32MAX, 1)
        .typed(field!(num lfu_decay_time))
        .apply(Apply::Eviction),
    num(
        "replica-priority",
        Some("slave-priority"),
        M,
        0,
        I32MAX,
        100,
    )
    .typed(field!(num replica_priority)),
    num("repl-diskless-sync-delay", None, M, 0, I32MAX, 5),
    num("maxmemory-samples", None, M, 1, I32MAX, 5).typed(field!(num maxmemory_samples)),
    num("maxmemory-eviction-tenacity", None, M, 0, 100, 10)
        .typed(field!(num maxmemory_eviction_tenacity)),
    num("timeout", None, M, 0, I32MAX, 0).typed(field!(num timeout)),
    num(
        "replica-announce-port",
        Some("slave-announce-port"),
        M,
        0,
        65535,
        0,
    )
    .typed(field!(num replica_announce_port)),
    num("tcp-backlog", None, I, 0, I32MAX, 511).typed(field!(num tcp_backlog)),
    num("cluster-port", None, I, 0, 65535, 0),
    num("cluster-announce-bus-port", None, M, 0, 65535, 0),
    num("cluster-announce-port", None, M, 0, 65535, 0),
    num("cluster-announce-tls-port", None, M, 0, 65535, 0),
    num("repl-timeout", None, M, 1, I32MAX, 60).typed(field!(num repl_timeout)),
    num(
        "repl-ping-replica-period",
        Some("repl-ping-slave-period"),
        M,
        1,
        I32MAX,
        10,
    )
    .typed(field!(num repl_ping_replica_period)),
    num("list-compress-depth", None, M, 0, I32MAX, 0).typed(field!(num list_compress_depth)),
    num("rdb-key-save-delay", None, M | HIDDEN, I32MIN, I32MAX, 0)
        .typed(field!(num rdb_key_save_delay)),
    num("key-load-delay", None, M | HIDDEN, I32MIN, I32MAX, 0).typed(field!(num key_load_delay)),
    num("active-expire-effort", None, M, 1, 10, 1).typed(field!(num active_expire_effort)),
    num("hz", None, M, 0, I32MAX, 10).typed(Field {
        get: |c| Value::Num(c.hz as i64),
        set: |c, v| c.hz = v.as_num().clamp(MIN_HZ, MAX_HZ) as u32,
    }),
    num(
        "min-replicas-to-write",
        Some("min-slaves-to-write"),
        M,
        0,
        I32MAX,
        0,
    )
    .typed(field!(num min_replicas_to_write))
    .apply(Apply::GoodReplicas),
    num(
        "min-replicas-max-lag",
        Some("min-slaves-max-lag"),
        M,
        0,
        I32MAX,
        10,
    )
    .typed(field!(num min_replicas_max_lag))
    .apply(Apply::GoodReplicas),
    num("watchdog-period", None, M | HIDDEN, 0, I32MAX, 0),
    num("shutdown-timeout", None, M, 0, I32MAX, 10),
    num("repl-diskless-sync-max-replicas", None, M, 0, I32MAX, 0),
    // Unsigned int configs
    unum("maxclients", None, M, 1, u32::MAX as i64, 10000).typed(field!(num maxclients)),
    row(
        "unixsocketperm",
        None,
        I,
        Kind::Num {
            min: 0,
            max: 0o777,
            default: 0,
            unsigned: true,
            mem: false,
            percent: false,
            octal: true,
        },
    )
    .typed(field!(num unixsocketperm)),
    unum("socket-mark-id", None, I, 0, u32::MAX as i64, 0),
    // Unsigned long configs (bound-checked as signed in Redis)
    num("active-defrag-max-scan-fields", None, M, 1, LMAX, 1000),
    num("slowlog-max-len", None, M, 0, LMAX, 128).typed(field!(num slowlog_max_len)),
    num("acllog-max-len", None, M, 0, LMAX, 128),
    // Long long configs
    num(
        "busy-reply-threshold",
        Some("lua-time-limit"),
        M,
        0,
        LMAX,
        5000,
    )
    .typed(field!(num busy_reply_threshold)),
    num("cluster-node-timeout", None, M, 0, LMAX, 15000),
    num("slowlog-log-slower-than", None, M, -1, LMAX, 10000)
        .typed(field!(num slowlog_log_slower_than)),
    num("latency-monitor-threshold", None, M, 0, LMAX, 0)
        .typed(field!(num latency_monitor_threshold))
        .apply(Apply::LatencyMonitor),
    mem(
        "proto-max-bulk-len",
        None,
        M,
        1024 * 1024,
        LMAX,
        512 * 1024 * 1024,
        false,
    )
    .typed(field!(num proto_max_bulk_len)),
    num("stream-node-max-entries", None, M, 0, LMAX, 100)
        .typed(field!(num stream_node_max_entries)),
    mem("repl-backlog-size", None, M, 1, LMAX, 1024 * 1024, false)
        .typed(field!(num repl_backlog_size))
        .apply(Apply::ReplBacklogSize),
    // Unsigned long long configs
    mem("maxmemory", None, M, 0, -1, 0, true)
        .typed(field!(num maxmemory))
        .apply(Apply::Maxmemory),
    mem("cluster-link-sendbuf-limit", None, M, 0, -1, 0, true),
    // size_t configs
    unum(
        "hash-max-listpack-entries",
        Some("hash-max-ziplist-entries"),
        M,
        0,
        LMAX,
        512,
    )
    .typed(field!(num hash_max_listpack_entries)),
    unum("set-max-intset-entries", None, M, 0, LMAX, 512).typed(field!(num set_max_intset_entries)),
    unum(
        "zset-max-listpack-entries",
        Some("zset-max-ziplist-entries"),
        M,
        0,
        LMAX,
        128,
    )
    .typed(field!(num zset_max_listpack_entries)),
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
    )
    .typed(field!(num hash_max_listpack_value)),
    mem("stream-node-max-bytes", None, M, 0, LMAX, 4096, true)
        .typed(field!(num stream_node_max_bytes)),
    mem(
        "zset-max-listpack-value",
        Some("zset-max-ziplist-value"),
        M,
        0,
        LMAX,
        64,
        true,
    )
    .typed(field!(num zset_max_listpack_value)),
    mem("hll-sparse-max-bytes", None, M, 0, LMAX, 3000, true)
        .typed(field!(num hll_sparse_max_bytes)),
    unum("tracking-table-max-keys", None, M, 0, LMAX, 1_000_000)
        .typed(field!(num tracking_table_max_keys))
        .apply(Apply::TrackingTableMaxKeys),
    mem(
        "client-query-buffer-limit",
        None,
        M,
        1024 * 1024,
        LMAX,
        1024 * 1024 * 1024,
        true,
    )
    .typed(field!(num client_query_buffer_limit)),
    row(
        "maxmemory-clients",
        None,
        M,
        Kind::Num {
            min: -100,
            max: LMAX,
            default: 0,
            unsigned: false,
            mem: true,
            percent: true,
            octal: false,
        },
    )
    .typed(field!(num maxmemory_clients)),
    // Other numeric configs
    num("repl-backlog-ttl", None, M, 0, LMAX, 3600).typed(field!(num repl_backlog_ttl)),
    mem(
        "auto-aof-rewrite-min-size",
        None,
        M,
        0,
        LMAX,
        64 * 1024 * 1024,
        false,
    )
    .typed(field!(num auto_aof_rewrite_min_size)),
    num(
        "loading-process-events-interval-bytes",
        None,
        M | HIDDEN,
        1024,
        I32MAX,
        2 * 1024 * 1024,
    )
    .typed(field!(num loading_process_events_interval_bytes)),
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
    sp("dir", None, M | PROTECTED | DENY_LOADING, Special::Dir)
        .typed(Field {
            get: |c| Value::Dir(c.dir.clone().into()),
            set: |c, v| {
                if let Value::Dir(p) = v {
                    c.dir = p.to_string_lossy().into_owned()
                }
            },
        })
        .apply(Apply::Dir),
    sp("save", None, M | MULTI_ARG, Special::Save).typed(Field {
        get: |c| Value::Save(c.save.iter().map(|&(s, n)| (s as i64, n as i32)).collect()),
        set: |c, v| {
            if let Value::Save(p) = v {
                c.save = p
                    .iter()
                    .map(|&(s, n)| (s as u64, n.max(0) as u64))
                    .collect()
            }
        },
    }),
    sp(
        "client-output-buffer-limit",
        None,
        M | MULTI_ARG,
        Special::ClientOutputBufferLimit,
    )
    .typed(Field {
        get: |c| Value::Obuf(c.client_output_buffer_limit),
        set: |c, v| {
            if let Value::Obuf(l) = v {
                c.client_output_buffer_limit = l
            }
        },
    }),
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
    )
    .typed(Field {
        get: |c| Value::Notify(c.notify_keyspace_events),
        set: |c, v| {
            if let Value::Notify(f) = v {
                c.notify_keyspace_events = f
            }
        },
    })
    .apply(Apply::NotifyKeyspaceEvents),
    sp("bind", None, M | MULTI_ARG, Special::Bind)
        .typed(Field {
            get: |c| Value::Bind(c.bind.clone()),
            set: |c, v| {
                if let Value::Bind(b) = v {
                    c.bind = b
                }
            },
        })
        .apply(Apply::Bind),
    sp(
        "replicaof",
        Some("slaveof"),
        I | MULTI_ARG,
        Special::ReplicaOf,
    )
    .typed(Field {
        get: |c| Value::ReplicaOf(c.replicaof.clone()),
        set: |c, v| {
            if let Value::ReplicaOf(r) = v {
                c.replicaof = r
            }
        },
    }),
    sp(
        "latency-tracking-info-percentiles",
        None,
        M | MULTI_ARG,
        Special::LatencyPercentiles,
    )
    .typed(Field {
        get: |c| Value::Percentiles(c.latency_tracking_info_percentiles.clone()),
        set: |c, v| {
            if let Value::Percentiles(p) = v {
                c.latency_tracking_info_percentiles = p
            }
        },
    }),
    // oxidis's own directives (Redis 7.0 has no such setting)
    e("busy-poll", None, M, BUSY_POLL, 2).typed(field!(enum busy_poll)),
];
