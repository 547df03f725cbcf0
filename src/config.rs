//! Configuration: the table of directives, the redis.conf loader and
//! CONFIG GET / SET / REWRITE, all with Redis 7.0.15's behaviour and texts.
//!
//! Layout:
//! - `config/table.rs` and `config/table/rows.rs`: one row per directive (name,
//!   alias, flags, type, default, typed storage, CONFIG SET side effect);
//! - `config/value.rs`: parsing/validating arguments into values and rendering them;
//! - `config/parse.rs`: `sdssplitargs`, `memtoull` and friends;
//! - `config/load.rs`: command line and config file loading;
//! - `config/rewrite.rs`: CONFIG REWRITE.
//!
//! Every directive the server acts on is stored in one typed field of
//! [`Config`] (its row's accessors read and write it as a [`Value`]), so a
//! server that adjusts a field (e.g. `hz`) is what CONFIG GET reports. The
//! other rows (accepted and reported, with no effect in oxidis) keep their
//! value in the table's own storage.
//!
//! Effects are the server's job: this module validates and stores. A CONFIG
//! SET returns a [`ConfigChange`]: the [`Apply`] hooks the server must run
//! (rebind, chdir into `dir`, re-read the eviction policy...) and the old
//! values, to [`Config::restore`] them when a hook fails.

mod load;
pub(crate) mod parse;
mod rewrite;
pub mod table;
mod value;

#[cfg(test)]
mod tests;

pub use table::Apply;
pub use value::{fmt_percentile, notify, ObufLimit, Value};

use std::path::PathBuf;
use table::{Directive, Kind, DENY_LOADING, DIRECTIVES, HIDDEN, IMMUTABLE, MULTI_ARG, PROTECTED};

/// A typed enum stored by an enum row: `code` is the value the row's name
/// list gives it (see the lists in `config/table.rs`).
pub trait ConfigEnum: Copy {
    fn code(self) -> i32;
    fn from_code(code: i32) -> Self;
}

/// Implements [`ConfigEnum`] from `variant = code` pairs; an unknown code is
/// the last variant listed (the row's validation makes that unreachable).
macro_rules! config_enum {
    ($t:ty { $($v:ident = $n:literal),+ $(,)? } $(extra $x:ident = $xn:literal)?) => {
        impl ConfigEnum for $t {
            fn code(self) -> i32 {
                match self {
                    $(<$t>::$v => $n,)+
                    $(<$t>::$x => $xn,)?
                }
            }
            fn from_code(code: i32) -> Self {
                let all = [$((<$t>::$v, $n)),+];
                all.iter()
                    .find(|(_, n)| *n == code)
                    .map_or(all[all.len() - 1].0, |(v, _)| *v)
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Verbose,
    Notice,
    Warning,
    /// Not accepted by Redis 7.0's `loglevel`; kept for callers that silence logs.
    Nothing,
}

/// `enable-debug-command` style switches: no, yes, or local (loopback/unix only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtectedConfig {
    No,
    Yes,
    Local,
}

/// `maxmemory-policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxmemoryPolicy {
    VolatileLru,
    VolatileLfu,
    VolatileRandom,
    VolatileTtl,
    AllkeysLru,
    AllkeysLfu,
    AllkeysRandom,
    NoEviction,
}

/// `appendfsync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendFsync {
    No,
    Always,
    Everysec,
}

/// `repl-diskless-load`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DisklessLoad {
    Disabled,
    OnEmptyDb,
    Swapdb,
}

/// `supervised`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Supervised {
    No,
    Upstart,
    Systemd,
    Auto,
}

/// `busy-poll`: whether the event loop polls without sleeping after activity
/// (see `reactor/busy_poll.rs` for the policy and its cost).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BusyPollMode {
    /// Never: sleep in epoll_wait as soon as there is no work, as Redis does.
    No,
    /// After every activity, for a window adapted to the gaps between
    /// requests (25-200 us): a steady moderate load keeps a core busy.
    Yes,
    /// Only while the gaps between requests are shorter than what sleeping
    /// and being woken costs the server.
    Auto,
}

config_enum!(LogLevel { Debug = 0, Verbose = 1, Warning = 3, Notice = 2 } extra Nothing = 2);
config_enum!(DisklessLoad { OnEmptyDb = 1, Swapdb = 2, Disabled = 0 });
config_enum!(ProtectedConfig { Yes = 1, Local = 2, No = 0 });
config_enum!(MaxmemoryPolicy {
    VolatileLru = 0,
    VolatileLfu = 1,
    VolatileRandom = 2,
    VolatileTtl = 3,
    AllkeysLru = 4,
    AllkeysLfu = 5,
    AllkeysRandom = 6,
    NoEviction = 7,
});
config_enum!(AppendFsync { No = 0, Always = 1, Everysec = 2 });
config_enum!(Supervised { Upstart = 1, Systemd = 2, Auto = 3, No = 0 });
config_enum!(BusyPollMode { No = 0, Yes = 1, Auto = 2 });

impl MaxmemoryPolicy {
    /// The policy's name, as CONFIG GET and INFO show it.
    pub fn name(self) -> &'static str {
        let code = self.code();
        table::MAXMEMORY_POLICY
            .iter()
            .find(|(_, n)| *n == code)
            .map_or("noeviction", |(name, _)| name)
    }
}

/// A `rename-command` line, kept for the command table to apply (only it knows
/// which commands exist). `line`/`text` locate it for the error report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameCommand {
    pub from: Vec<u8>,
    pub to: Vec<u8>,
    pub line: usize,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Absolute path of the config file, if the server was started with one.
    pub config_file: Option<PathBuf>,
    pub port: u16,
    pub bind: Vec<String>,
    pub unixsocket: Option<String>,
    pub unixsocketperm: u32,
    pub databases: usize,
    pub requirepass: Option<Vec<u8>>,
    pub hz: u32,
    pub loglevel: LogLevel,
    pub logfile: String,
    pub proto_max_bulk_len: u64,
    pub client_query_buffer_limit: u64,
    pub maxclients: u32,
    pub timeout: u64,
    pub tcp_keepalive: u32,
    pub tcp_backlog: u32,
    pub protected_mode: bool,
    pub daemonize: bool,
    /// Empty when unset.
    pub pidfile: String,
    pub always_show_logo: bool,
    /// jemalloc's background purging thread (`jemalloc-bg-thread`).
    pub jemalloc_bg_thread: bool,
    pub enable_debug_command: ProtectedConfig,
    pub enable_protected_configs: ProtectedConfig,
    pub enable_module_command: ProtectedConfig,
    pub active_expire_effort: u32,
    pub lazyfree_lazy_user_del: bool,
    pub lazyfree_lazy_user_flush: bool,
    pub lazyfree_lazy_expire: bool,
    /// Save points as (seconds, changes).
    pub save: Vec<(u64, u64)>,
    /// Working directory: "." until a config file or CONFIG SET names one, then
    /// an absolute path. The server must `chdir` into it at startup and when a
    /// CONFIG SET reports `dir` as changed.
    pub dir: String,
    pub dbfilename: String,
    pub maxmemory: u64,
    // --- further typed views -------------------------------------------------
    pub maxmemory_policy: MaxmemoryPolicy,
    pub maxmemory_samples: u32,
    pub maxmemory_eviction_tenacity: u32,
    pub lfu_log_factor: u32,
    pub lfu_decay_time: u32,
    pub lazyfree_lazy_eviction: bool,
    pub lazyfree_lazy_server_del: bool,
    /// `notify::*` bits.
    pub notify_keyspace_events: u32,
    pub appendonly: bool,
    pub appendfsync: AppendFsync,
    pub appendfilename: String,
    pub appenddirname: String,
    pub aof_use_rdb_preamble: bool,
    pub aof_load_truncated: bool,
    pub aof_timestamp_enabled: bool,
    pub aof_rewrite_incremental_fsync: bool,
    pub no_appendfsync_on_rewrite: bool,
    pub aof_disable_auto_gc: bool,
    pub auto_aof_rewrite_percentage: u32,
    pub auto_aof_rewrite_min_size: u64,
    /// `rdb-key-save-delay` (a test knob): microseconds the rewrite thread
    /// sleeps per serialised item.
    pub rdb_key_save_delay: i64,
    pub rdbcompression: bool,
    pub rdbchecksum: bool,
    pub rdb_save_incremental_fsync: bool,
    pub stop_writes_on_bgsave_error: bool,
    pub list_max_listpack_size: i64,
    pub list_compress_depth: u32,
    pub hash_max_listpack_entries: u64,
    pub hash_max_listpack_value: u64,
    pub set_max_intset_entries: u64,
    pub zset_max_listpack_entries: u64,
    pub zset_max_listpack_value: u64,
    pub stream_node_max_bytes: u64,
    pub stream_node_max_entries: u64,
    pub hll_sparse_max_bytes: u64,
    pub slowlog_log_slower_than: i64,
    pub slowlog_max_len: u64,
    pub latency_monitor_threshold: u64,
    pub supervised: Supervised,
    /// normal, replica, pubsub.
    pub client_output_buffer_limit: [ObufLimit; 3],
    pub replicaof: Option<(String, u16)>,
    pub masterauth: Option<Vec<u8>>,
    pub masteruser: Option<Vec<u8>>,
    pub repl_backlog_size: u64,
    pub busy_reply_threshold: u64,
    pub busy_poll: BusyPollMode,
    pub tracking_table_max_keys: u64,
    pub latency_tracking: bool,
    pub latency_tracking_info_percentiles: Vec<f64>,
    pub loading_process_events_interval_bytes: u64,
    pub key_load_delay: i64,
    /// Negative: a percentage of `maxmemory`.
    pub maxmemory_clients: i64,
    pub min_replicas_to_write: i64,
    pub min_replicas_max_lag: i64,
    pub repl_backlog_ttl: i64,
    pub repl_ping_replica_period: i64,
    pub repl_timeout: i64,
    pub repl_diskless_load: DisklessLoad,
    pub replica_read_only: bool,
    pub replica_serve_stale_data: bool,
    pub replica_lazy_flush: bool,
    pub replica_announced: bool,
    pub replica_priority: i64,
    pub replica_announce_ip: String,
    pub replica_announce_port: i64,
    pub cluster_enabled: bool,
    /// `rename-command` lines in order; see [`RenameCommand`].
    pub rename_commands: Vec<RenameCommand>,
    /// `user` lines (arguments after `user`), for the ACL layer.
    pub users: Vec<Vec<Vec<u8>>>,
    /// `loadmodule path args...` lines.
    pub loadmodules: Vec<Vec<Vec<u8>>>,
    /// True while a dataset is loading (CONFIG SET refuses deny-loading directives).
    pub loading: bool,
    values: Vec<Value>,
}

impl Default for Config {
    fn default() -> Self {
        let values: Vec<Value> = DIRECTIVES
            .iter()
            .map(|d| match d.field {
                Some(_) => Value::Bool(false),
                None => value::default_value(d),
            })
            .collect();
        let mut c = Config {
            config_file: None,
            port: 0,
            bind: Vec::new(),
            unixsocket: None,
            unixsocketperm: 0,
            databases: 0,
            requirepass: None,
            hz: 0,
            loglevel: LogLevel::Notice,
            logfile: String::new(),
            proto_max_bulk_len: 0,
            client_query_buffer_limit: 0,
            maxclients: 0,
            timeout: 0,
            tcp_keepalive: 0,
            tcp_backlog: 0,
            protected_mode: false,
            daemonize: false,
            pidfile: String::new(),
            always_show_logo: false,
            jemalloc_bg_thread: false,
            enable_debug_command: ProtectedConfig::No,
            enable_protected_configs: ProtectedConfig::No,
            enable_module_command: ProtectedConfig::No,
            active_expire_effort: 0,
            lazyfree_lazy_user_del: false,
            lazyfree_lazy_user_flush: false,
            lazyfree_lazy_expire: false,
            save: Vec::new(),
            dir: String::new(),
            dbfilename: String::new(),
            maxmemory: 0,
            maxmemory_policy: MaxmemoryPolicy::NoEviction,
            maxmemory_samples: 0,
            maxmemory_eviction_tenacity: 0,
            lfu_log_factor: 0,
            lfu_decay_time: 0,
            lazyfree_lazy_eviction: false,
            lazyfree_lazy_server_del: false,
            notify_keyspace_events: 0,
            appendonly: false,
            appendfsync: AppendFsync::Everysec,
            appendfilename: String::new(),
            appenddirname: String::new(),
            aof_use_rdb_preamble: false,
            aof_load_truncated: false,
            aof_timestamp_enabled: false,
            aof_rewrite_incremental_fsync: true,
            no_appendfsync_on_rewrite: false,
            aof_disable_auto_gc: false,
            auto_aof_rewrite_percentage: 100,
            auto_aof_rewrite_min_size: 64 << 20,
            rdb_key_save_delay: 0,
            rdbcompression: false,
            rdbchecksum: false,
            rdb_save_incremental_fsync: false,
            stop_writes_on_bgsave_error: false,
            list_max_listpack_size: 0,
            list_compress_depth: 0,
            hash_max_listpack_entries: 0,
            hash_max_listpack_value: 0,
            set_max_intset_entries: 0,
            zset_max_listpack_entries: 0,
            zset_max_listpack_value: 0,
            stream_node_max_bytes: 0,
            stream_node_max_entries: 0,
            hll_sparse_max_bytes: 0,
            slowlog_log_slower_than: 0,
            slowlog_max_len: 0,
            latency_monitor_threshold: 0,
            supervised: Supervised::No,
            client_output_buffer_limit: value::OBUF_DEFAULTS,
            replicaof: None,
            repl_diskless_load: DisklessLoad::Disabled,
            replica_read_only: true,
            replica_serve_stale_data: true,
            replica_lazy_flush: false,
            replica_announced: true,
            replica_priority: 100,
            replica_announce_ip: String::new(),
            replica_announce_port: 0,
            masterauth: None,
            masteruser: None,
            repl_backlog_size: 0,
            busy_reply_threshold: 0,
            busy_poll: BusyPollMode::Auto,
            tracking_table_max_keys: 0,
            latency_tracking: false,
            latency_tracking_info_percentiles: Vec::new(),
            loading_process_events_interval_bytes: 0,
            key_load_delay: 0,
            maxmemory_clients: 0,
            min_replicas_to_write: 0,
            min_replicas_max_lag: 0,
            repl_backlog_ttl: 0,
            repl_ping_replica_period: 0,
            repl_timeout: 0,
            cluster_enabled: false,
            rename_commands: Vec::new(),
            users: Vec::new(),
            loadmodules: Vec::new(),
            loading: false,
            values,
        };
        // The typed fields above are placeholders: every row's default is
        // stored through its own accessors.
        for (i, d) in DIRECTIVES.iter().enumerate() {
            if d.field.is_some() {
                c.store(i, value::default_value(d));
            }
        }
        c
    }
}

/// Bounds Redis clamps `hz` into after a load or a CONFIG SET.
pub(crate) const MIN_HZ: i64 = 1;
pub(crate) const MAX_HZ: i64 = 500;

impl Config {
    /// Builds the configuration from redis-server style arguments (everything after
    /// the program name): `[configfile|-] [--name value ...]`. The error is the
    /// full report redis-server prints to stderr before exiting with status 1.
    pub fn from_args(args: &[String]) -> Result<Config, String> {
        load::from_args(args)
    }

    /// Loads configuration text (as if it were a config file's content) on top of
    /// the defaults. Relative `include` paths resolve against the process cwd.
    pub fn from_text(text: &str) -> Result<Config, String> {
        let mut c = Config::default();
        let mut st = load::LoadState::default();
        load::load_string(&mut c, text, &mut st)?;
        load::finish(&mut c)?;
        Ok(c)
    }

    /// CONFIG GET for one glob pattern: (name, value) pairs.
    pub fn get(&self, pattern: &[u8]) -> Vec<(String, String)> {
        self.get_many(&[pattern])
    }

    /// CONFIG GET with several patterns, as Redis 7.0 does it: a pattern without
    /// `*?[` is an exact, case-insensitive lookup that also finds hidden
    /// directives and is reported under the name as typed; a glob matches
    /// (case-insensitively) canonical names and aliases of non-hidden rows. A
    /// name matched twice is reported once, in first-match order.
    pub fn get_many(&self, patterns: &[&[u8]]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let seen = |out: &Vec<(String, String)>, n: &str| {
            out.iter().any(|(k, _)| k.eq_ignore_ascii_case(n))
        };
        for pat in patterns {
            let is_glob = pat.iter().any(|c| matches!(c, b'*' | b'?' | b'['));
            if !is_glob {
                let name = String::from_utf8_lossy(pat).into_owned();
                if seen(&out, &name) {
                    continue;
                }
                if let Some((i, _)) = table::lookup(pat) {
                    out.push((name, self.render(i)));
                }
                continue;
            }
            for (i, d) in DIRECTIVES.iter().enumerate() {
                if d.has(HIDDEN) {
                    continue;
                }
                for n in std::iter::once(d.name).chain(d.alias) {
                    if !seen(&out, n) && crate::util::glob::string_match(pat, n.as_bytes(), true) {
                        out.push((n.to_string(), self.render(i)));
                    }
                }
            }
        }
        out
    }

    /// CONFIG SET name value [name value ...], as Redis 7.0's configSetCommand
    /// up to the side effects: every name is checked first (unknown,
    /// immutable, protected, denied while loading, named twice: nothing is
    /// set), then the values are parsed and set in order, and on a value that
    /// does not parse every one set so far is restored. On success the
    /// returned [`ConfigChange`] lists the hooks the caller must run (and
    /// [`Config::restore`] undoes the whole call if one fails); on failure
    /// the error text (without `-`). `allow_protected` says whether this
    /// client may change protected directives; [`Config::set`] decides it from
    /// `enable-protected-configs` being `yes` (the caller handles `local` with
    /// [`Config::set_as`]).
    pub fn set(&mut self, pairs: &[(&[u8], &[u8])]) -> Result<ConfigChange, String> {
        let allow = self.enable_protected_configs == ProtectedConfig::Yes;
        self.set_as(pairs, allow)
    }

    /// [`Config::set`] with an explicit protected-config permission.
    pub fn set_as(
        &mut self,
        pairs: &[(&[u8], &[u8])],
        allow_protected: bool,
    ) -> Result<ConfigChange, String> {
        // (row, named by its alias): an alias is a directive of its own for
        // the duplicate check and the error texts, as in Redis.
        let mut rows: Vec<(usize, bool)> = Vec::new();
        let mut unknown: Option<&[u8]> = None;
        let mut err: Option<(String, &'static str)> = None;
        let mut deny_loading = false;
        let mut invalid = false;
        for (name, _) in pairs {
            let Some(row) = table::lookup(name) else {
                if !invalid {
                    unknown = Some(name);
                    invalid = true;
                }
                continue;
            };
            if invalid {
                continue;
            }
            let d = &DIRECTIVES[row.0];
            let shown = String::from_utf8_lossy(name).into_owned();
            if d.has(IMMUTABLE) || (d.has(PROTECTED) && !allow_protected) {
                let why = if d.has(IMMUTABLE) {
                    "can't set immutable config"
                } else {
                    "can't set protected config"
                };
                err = Some((shown, why));
                invalid = true;
                continue;
            }
            if self.loading && d.has(DENY_LOADING) {
                deny_loading = true;
                invalid = true;
                continue;
            }
            if rows.contains(&row) {
                err = Some((shown, "duplicate parameter"));
                invalid = true;
                continue;
            }
            rows.push(row);
        }
        if invalid {
            if deny_loading {
                return Err(crate::error::LOADING.into());
            }
            if let Some(n) = unknown {
                return Err(format!(
                    "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                    String::from_utf8_lossy(n)
                ));
            }
            let (n, why) = err.unwrap_or_default();
            return Err(crate::error::config_set_failed(&n, why));
        }
        let mut change = ConfigChange {
            old: rows.iter().map(|&(i, _)| (i, self.current(i))).collect(),
            ..Default::default()
        };
        let cwd = self.effective_dir();
        for (&(i, alias), (_, val)) in rows.iter().zip(pairs) {
            let d = &DIRECTIVES[i];
            let shown = if alias {
                d.alias.unwrap_or(d.name)
            } else {
                d.name
            };
            let args: Vec<Vec<u8>> = if d.has(MULTI_ARG) {
                if val.is_empty() {
                    Vec::new()
                } else {
                    val.split(|&c| c == b' ').map(|a| a.to_vec()).collect()
                }
            } else {
                vec![val.to_vec()]
            };
            let before = self.current(i);
            let ctx = value::ParseCtx {
                current: &before,
                append_save: false,
                cwd: &cwd,
            };
            match self.parse_for(d, &args, &ctx) {
                Ok(v) => {
                    self.store(i, v);
                    if self.current(i) != before {
                        change.changed.push(d.name);
                        if let Some(a) = d.apply {
                            if !change.hooks.iter().any(|(h, _)| *h == a) {
                                change.hooks.push((a, shown));
                            }
                        }
                    }
                }
                Err(why) => {
                    self.restore(&change);
                    return Err(crate::error::config_set_failed(shown, &why));
                }
            }
        }
        Ok(change)
    }

    /// Puts back every value a [`Config::set_as`] replaced (the caller runs
    /// the hooks again for the restored values).
    pub fn restore(&mut self, change: &ConfigChange) {
        for (i, v) in &change.old {
            self.store(*i, v.clone());
        }
    }

    /// Parses arguments for a row; zero arguments for a multi-arg enum/special
    /// directive are passed through (e.g. `save ""`).
    fn parse_for(
        &self,
        d: &Directive,
        args: &[Vec<u8>],
        ctx: &value::ParseCtx,
    ) -> Result<Value, String> {
        if args.is_empty() {
            return match d.kind {
                Kind::Special(_) => value::parse_value(d, args, ctx),
                Kind::Enum { names, .. } => {
                    let list: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
                    Err(format!(
                        "argument(s) must be one of the following: {}",
                        list.join(", ")
                    ))
                }
                _ => value::parse_value(d, &[Vec::new()], ctx),
            };
        }
        value::parse_value(d, args, ctx)
    }

    /// CONFIG REWRITE: rewrites the config file in place, keeping comments and
    /// unknown lines; the error is the reply text without `-`.
    pub fn rewrite(&self) -> Result<(), String> {
        rewrite::rewrite(self)
    }

    /// CONFIG REWRITE writing every directive, defaults included (DEBUG
    /// CONFIG-REWRITE-FORCE-ALL).
    pub fn rewrite_force_all(&self) -> Result<(), String> {
        rewrite::rewrite_with(self, true)
    }

    /// Applies the `rename-command` lines through `rename(from, to)`, which the
    /// command table implements: it returns `Err("No such command in
    /// rename-command")` or `Err("Target command name already exists")`. The
    /// error is the full fatal report, as from [`Config::from_args`].
    pub fn apply_renames(
        &self,
        mut rename: impl FnMut(&[u8], &[u8]) -> Result<(), String>,
    ) -> Result<(), String> {
        for r in &self.rename_commands {
            if let Err(why) = rename(&r.from, &r.to) {
                return Err(load::fatal(Some((r.line, &r.text)), &why));
            }
        }
        Ok(())
    }

    /// CONFIG GET rendering of a directive by name (canonical or alias).
    #[cfg(test)]
    pub(crate) fn get_value(&self, name: &str) -> Option<String> {
        let (i, _) = table::lookup(name.as_bytes())?;
        Some(self.render(i))
    }

    fn render(&self, i: usize) -> String {
        let d = &DIRECTIVES[i];
        let v = self.current(i);
        if let Value::Dir(p) = &v {
            let abs = if p.is_absolute() {
                p.clone()
            } else {
                std::env::current_dir()
                    .map(|c| c.join(p))
                    .unwrap_or_else(|_| p.clone())
            };
            let abs = std::fs::canonicalize(&abs).unwrap_or(abs);
            return abs.to_string_lossy().into_owned();
        }
        String::from_utf8_lossy(&value::render(d, &v)).into_owned()
    }

    /// Directory relative paths (include, dir) resolve against.
    fn effective_dir(&self) -> PathBuf {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        cwd.join(&self.dir)
    }

    /// Sets a row during loading (no flag checks; file semantics).
    fn load_set(&mut self, i: usize, args: &[Vec<u8>], append_save: bool) -> Result<(), String> {
        let d = &DIRECTIVES[i];
        let cwd = self.effective_dir();
        let current = self.current(i);
        let ctx = value::ParseCtx {
            current: &current,
            append_save,
            cwd: &cwd,
        };
        let v = value::parse_value(d, args, &ctx)?;
        // `dir` is visible at once: later includes resolve against it.
        self.store(i, v);
        Ok(())
    }

    /// Value of row `i`, from its typed field when it has one.
    pub(super) fn current(&self, i: usize) -> Value {
        match DIRECTIVES[i].field {
            Some(f) => (f.get)(self),
            None => self.values[i].clone(),
        }
    }

    /// Stores a validated value of row `i` where the row keeps it.
    fn store(&mut self, i: usize, v: Value) {
        match DIRECTIVES[i].field {
            Some(f) => (f.set)(self, v),
            None => self.values[i] = v,
        }
    }
}

/// What a successful [`Config::set_as`] did, for the caller to apply it or
/// to [`Config::restore`] it.
#[derive(Debug, Default)]
pub struct ConfigChange {
    /// Canonical names of the directives whose value changed, in argument order.
    pub changed: Vec<&'static str>,
    /// The distinct hooks of the changed directives, in the order their first
    /// directive was named, each with the name that directive was named by
    /// (Redis reports a failed hook under it).
    pub hooks: Vec<(Apply, &'static str)>,
    /// Every directive named, with its value before the call.
    old: Vec<(usize, Value)>,
}
