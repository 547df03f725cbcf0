//! Keeps the public typed fields of [`Config`] in sync with the table values:
//! `export_fields` writes fields from values (after a load or a set), and
//! `field_value` reads a field back as a table value (so `get`/`set`/`rewrite`
//! see adjustments the server made to a field directly).

use super::table::{self, DIRECTIVES};
use super::{
    AppendFsync, BusyPollMode, Config, LogLevel, MaxmemoryPolicy, ProtectedConfig, Supervised,
    Value,
};

fn idx(name: &str) -> usize {
    table::index_of(name)
}

fn protected(v: i32) -> ProtectedConfig {
    match v {
        1 => ProtectedConfig::Yes,
        2 => ProtectedConfig::Local,
        _ => ProtectedConfig::No,
    }
}

fn protected_val(p: ProtectedConfig) -> i32 {
    match p {
        ProtectedConfig::No => 0,
        ProtectedConfig::Yes => 1,
        ProtectedConfig::Local => 2,
    }
}

const POLICIES: [MaxmemoryPolicy; 8] = [
    MaxmemoryPolicy::VolatileLru,
    MaxmemoryPolicy::VolatileLfu,
    MaxmemoryPolicy::VolatileRandom,
    MaxmemoryPolicy::VolatileTtl,
    MaxmemoryPolicy::AllkeysLru,
    MaxmemoryPolicy::AllkeysLfu,
    MaxmemoryPolicy::AllkeysRandom,
    MaxmemoryPolicy::NoEviction,
];

impl Config {
    fn b(&self, n: &str) -> bool {
        matches!(self.values[idx(n)], Value::Bool(true))
    }
    fn n(&self, n: &str) -> i64 {
        match self.values[idx(n)] {
            Value::Num(v) => v,
            _ => 0,
        }
    }
    fn en(&self, n: &str) -> i32 {
        match self.values[idx(n)] {
            Value::Enum(v) => v,
            _ => 0,
        }
    }
    fn s(&self, n: &str) -> Option<Vec<u8>> {
        match &self.values[idx(n)] {
            Value::Str(s) => s.clone(),
            _ => None,
        }
    }
    fn st(&self, n: &str) -> String {
        String::from_utf8_lossy(&self.s(n).unwrap_or_default()).into_owned()
    }

    /// Writes every typed field from the table values.
    pub(super) fn export_fields(&mut self) {
        self.port = self.n("port") as u16;
        self.bind = match &self.values[idx("bind")] {
            Value::Bind(b) => b.clone(),
            _ => Vec::new(),
        };
        self.unixsocket = self
            .s("unixsocket")
            .map(|s| String::from_utf8_lossy(&s).into_owned());
        self.unixsocketperm = self.n("unixsocketperm") as u32;
        self.databases = self.n("databases") as usize;
        self.requirepass = self.s("requirepass");
        self.hz = self.n("hz") as u32;
        self.loglevel = match self.en("loglevel") {
            0 => LogLevel::Debug,
            1 => LogLevel::Verbose,
            3 => LogLevel::Warning,
            _ => LogLevel::Notice,
        };
        self.logfile = self.st("logfile");
        self.proto_max_bulk_len = self.n("proto-max-bulk-len") as u64;
        self.client_query_buffer_limit = self.n("client-query-buffer-limit") as u64;
        self.maxclients = self.n("maxclients") as u32;
        self.timeout = self.n("timeout") as u64;
        self.tcp_keepalive = self.n("tcp-keepalive") as u32;
        self.tcp_backlog = self.n("tcp-backlog") as u32;
        self.protected_mode = self.b("protected-mode");
        self.daemonize = self.b("daemonize");
        self.pidfile = self.st("pidfile");
        self.always_show_logo = self.b("always-show-logo");
        self.enable_debug_command = protected(self.en("enable-debug-command"));
        self.enable_protected_configs = protected(self.en("enable-protected-configs"));
        self.enable_module_command = protected(self.en("enable-module-command"));
        self.active_expire_effort = self.n("active-expire-effort") as u32;
        self.lazyfree_lazy_user_del = self.b("lazyfree-lazy-user-del");
        self.lazyfree_lazy_user_flush = self.b("lazyfree-lazy-user-flush");
        self.lazyfree_lazy_expire = self.b("lazyfree-lazy-expire");
        self.save = match &self.values[idx("save")] {
            Value::Save(p) => p
                .iter()
                .map(|&(s, c)| (s as u64, c.max(0) as u64))
                .collect(),
            _ => Vec::new(),
        };
        if let Value::Dir(p) = &self.values[idx("dir")] {
            self.dir = p.to_string_lossy().into_owned();
        }
        self.dbfilename = self.st("dbfilename");
        self.maxmemory = self.n("maxmemory") as u64;
        self.maxmemory_policy = POLICIES[self.en("maxmemory-policy").clamp(0, 7) as usize];
        self.maxmemory_samples = self.n("maxmemory-samples") as u32;
        self.maxmemory_eviction_tenacity = self.n("maxmemory-eviction-tenacity") as u32;
        self.lfu_log_factor = self.n("lfu-log-factor") as u32;
        self.lfu_decay_time = self.n("lfu-decay-time") as u32;
        self.lazyfree_lazy_eviction = self.b("lazyfree-lazy-eviction");
        self.lazyfree_lazy_server_del = self.b("lazyfree-lazy-server-del");
        self.notify_keyspace_events = match self.values[idx("notify-keyspace-events")] {
            Value::Notify(f) => f,
            _ => 0,
        };
        self.appendonly = self.b("appendonly");
        self.appendfsync = match self.en("appendfsync") {
            0 => AppendFsync::No,
            1 => AppendFsync::Always,
            _ => AppendFsync::Everysec,
        };
        self.appendfilename = self.st("appendfilename");
        self.appenddirname = self.st("appenddirname");
        self.aof_use_rdb_preamble = self.b("aof-use-rdb-preamble");
        self.aof_load_truncated = self.b("aof-load-truncated");
        self.rdbcompression = self.b("rdbcompression");
        self.rdbchecksum = self.b("rdbchecksum");
        self.rdb_save_incremental_fsync = self.b("rdb-save-incremental-fsync");
        self.stop_writes_on_bgsave_error = self.b("stop-writes-on-bgsave-error");
        self.list_max_listpack_size = self.n("list-max-listpack-size");
        self.list_compress_depth = self.n("list-compress-depth") as u32;
        self.hash_max_listpack_entries = self.n("hash-max-listpack-entries") as u64;
        self.hash_max_listpack_value = self.n("hash-max-listpack-value") as u64;
        self.set_max_intset_entries = self.n("set-max-intset-entries") as u64;
        self.zset_max_listpack_entries = self.n("zset-max-listpack-entries") as u64;
        self.zset_max_listpack_value = self.n("zset-max-listpack-value") as u64;
        self.stream_node_max_bytes = self.n("stream-node-max-bytes") as u64;
        self.stream_node_max_entries = self.n("stream-node-max-entries") as u64;
        self.hll_sparse_max_bytes = self.n("hll-sparse-max-bytes") as u64;
        self.slowlog_log_slower_than = self.n("slowlog-log-slower-than");
        self.slowlog_max_len = self.n("slowlog-max-len") as u64;
        self.latency_monitor_threshold = self.n("latency-monitor-threshold") as u64;
        self.supervised = match self.en("supervised") {
            1 => Supervised::Upstart,
            2 => Supervised::Systemd,
            3 => Supervised::Auto,
            _ => Supervised::No,
        };
        if let Value::Obuf(l) = self.values[idx("client-output-buffer-limit")] {
            self.client_output_buffer_limit = l;
        }
        self.replicaof = match &self.values[idx("replicaof")] {
            Value::ReplicaOf(r) => r.clone(),
            _ => None,
        };
        self.masterauth = self.s("masterauth");
        self.masteruser = self.s("masteruser");
        self.repl_backlog_size = self.n("repl-backlog-size") as u64;
        self.busy_reply_threshold = self.n("busy-reply-threshold") as u64;
        self.busy_poll = match self.en("busy-poll") {
            0 => BusyPollMode::No,
            1 => BusyPollMode::Yes,
            _ => BusyPollMode::Auto,
        };
    }

    /// The typed field behind row `i` as a table value, if the row has one.
    fn field_value(&self, i: usize) -> Option<Value> {
        let num = |v: i64| Some(Value::Num(v));
        let bo = |v: bool| Some(Value::Bool(v));
        let string = |v: &str| Some(Value::Str(Some(v.as_bytes().to_vec())));
        let opt = |v: &str| Some(Value::Str((!v.is_empty()).then(|| v.as_bytes().to_vec())));
        match DIRECTIVES[i].name {
            "port" => num(self.port as i64),
            "bind" => Some(Value::Bind(self.bind.clone())),
            "unixsocket" => opt(self.unixsocket.as_deref().unwrap_or("")),
            "unixsocketperm" => num(self.unixsocketperm as i64),
            "databases" => num(self.databases as i64),
            "requirepass" => Some(Value::Str(
                self.requirepass.clone().filter(|p| !p.is_empty()),
            )),
            "hz" => num(self.hz as i64),
            "loglevel" => Some(Value::Enum(match self.loglevel {
                LogLevel::Debug => 0,
                LogLevel::Verbose => 1,
                LogLevel::Notice | LogLevel::Nothing => 2,
                LogLevel::Warning => 3,
            })),
            "logfile" => string(&self.logfile),
            "proto-max-bulk-len" => num(self.proto_max_bulk_len as i64),
            "client-query-buffer-limit" => num(self.client_query_buffer_limit as i64),
            "maxclients" => num(self.maxclients as i64),
            "timeout" => num(self.timeout as i64),
            "tcp-keepalive" => num(self.tcp_keepalive as i64),
            "tcp-backlog" => num(self.tcp_backlog as i64),
            "protected-mode" => bo(self.protected_mode),
            "daemonize" => bo(self.daemonize),
            "pidfile" => opt(&self.pidfile),
            "always-show-logo" => bo(self.always_show_logo),
            "enable-debug-command" => Some(Value::Enum(protected_val(self.enable_debug_command))),
            "enable-protected-configs" => {
                Some(Value::Enum(protected_val(self.enable_protected_configs)))
            }
            "enable-module-command" => Some(Value::Enum(protected_val(self.enable_module_command))),
            "active-expire-effort" => num(self.active_expire_effort as i64),
            "lazyfree-lazy-user-del" => bo(self.lazyfree_lazy_user_del),
            "lazyfree-lazy-user-flush" => bo(self.lazyfree_lazy_user_flush),
            "lazyfree-lazy-expire" => bo(self.lazyfree_lazy_expire),
            "save" => Some(Value::Save(
                self.save
                    .iter()
                    .map(|&(s, c)| (s as i64, c as i32))
                    .collect(),
            )),
            "dir" => Some(Value::Dir(self.dir.clone().into())),
            "dbfilename" => string(&self.dbfilename),
            "maxmemory" => num(self.maxmemory as i64),
            "maxmemory-policy" => Some(Value::Enum(
                POLICIES
                    .iter()
                    .position(|p| *p == self.maxmemory_policy)
                    .unwrap_or(7) as i32,
            )),
            "maxmemory-samples" => num(self.maxmemory_samples as i64),
            "maxmemory-eviction-tenacity" => num(self.maxmemory_eviction_tenacity as i64),
            "lfu-log-factor" => num(self.lfu_log_factor as i64),
            "lfu-decay-time" => num(self.lfu_decay_time as i64),
            "lazyfree-lazy-eviction" => bo(self.lazyfree_lazy_eviction),
            "lazyfree-lazy-server-del" => bo(self.lazyfree_lazy_server_del),
            "notify-keyspace-events" => Some(Value::Notify(self.notify_keyspace_events)),
            "appendonly" => bo(self.appendonly),
            "appendfsync" => Some(Value::Enum(match self.appendfsync {
                AppendFsync::No => 0,
                AppendFsync::Always => 1,
                AppendFsync::Everysec => 2,
            })),
            "appendfilename" => string(&self.appendfilename),
            "appenddirname" => string(&self.appenddirname),
            "aof-use-rdb-preamble" => bo(self.aof_use_rdb_preamble),
            "aof-load-truncated" => bo(self.aof_load_truncated),
            "rdbcompression" => bo(self.rdbcompression),
            "rdbchecksum" => bo(self.rdbchecksum),
            "rdb-save-incremental-fsync" => bo(self.rdb_save_incremental_fsync),
            "stop-writes-on-bgsave-error" => bo(self.stop_writes_on_bgsave_error),
            "list-max-listpack-size" => num(self.list_max_listpack_size),
            "list-compress-depth" => num(self.list_compress_depth as i64),
            "hash-max-listpack-entries" => num(self.hash_max_listpack_entries as i64),
            "hash-max-listpack-value" => num(self.hash_max_listpack_value as i64),
            "set-max-intset-entries" => num(self.set_max_intset_entries as i64),
            "zset-max-listpack-entries" => num(self.zset_max_listpack_entries as i64),
            "zset-max-listpack-value" => num(self.zset_max_listpack_value as i64),
            "stream-node-max-bytes" => num(self.stream_node_max_bytes as i64),
            "stream-node-max-entries" => num(self.stream_node_max_entries as i64),
            "hll-sparse-max-bytes" => num(self.hll_sparse_max_bytes as i64),
            "slowlog-log-slower-than" => num(self.slowlog_log_slower_than),
            "slowlog-max-len" => num(self.slowlog_max_len as i64),
            "latency-monitor-threshold" => num(self.latency_monitor_threshold as i64),
            "supervised" => Some(Value::Enum(match self.supervised {
                Supervised::No => 0,
                Supervised::Upstart => 1,
                Supervised::Systemd => 2,
                Supervised::Auto => 3,
            })),
            "client-output-buffer-limit" => Some(Value::Obuf(self.client_output_buffer_limit)),
            "replicaof" => Some(Value::ReplicaOf(self.replicaof.clone())),
            "masterauth" => Some(Value::Str(self.masterauth.clone())),
            "masteruser" => Some(Value::Str(self.masteruser.clone())),
            "repl-backlog-size" => num(self.repl_backlog_size as i64),
            "busy-reply-threshold" => num(self.busy_reply_threshold as i64),
            "busy-poll" => Some(Value::Enum(match self.busy_poll {
                BusyPollMode::No => 0,
                BusyPollMode::Yes => 1,
                BusyPollMode::Auto => 2,
            })),
            _ => None,
        }
    }

    /// Value of row `i`, reading the typed field when there is one.
    pub(super) fn current(&self, i: usize) -> Value {
        self.field_value(i)
            .unwrap_or_else(|| self.values[i].clone())
    }

    /// Copies every typed field back into the table values.
    pub(super) fn import_fields(&mut self) {
        for i in 0..DIRECTIVES.len() {
            if let Some(v) = self.field_value(i) {
                self.values[i] = v;
            }
        }
    }
}
