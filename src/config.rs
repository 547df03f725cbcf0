//! Configuration: the table of directives, the redis.conf loader and
//! CONFIG GET / SET / REWRITE, all with Redis 7.0.15's behaviour and texts.
//!
//! Layout:
//! - `config/table.rs`: one row per directive (name, alias, flags, type, default);
//! - `config/value.rs`: parsing/validating arguments into values and rendering them;
//! - `config/parse.rs`: `sdssplitargs`, `memtoull` and friends;
//! - `config/load.rs`: command line and config file loading;
//! - `config/rewrite.rs`: CONFIG REWRITE.
//!
//! The table values live in `values` (one per row). The public typed fields
//! below are views of the rows the server uses directly; every load and every
//! successful `set` refreshes them, and `get`/`set`/`rewrite` read them back
//! first, so a server that adjusts a field (e.g. `hz`) is reflected by CONFIG GET.
//!
//! Effects are the caller's job: this module validates and stores. A CONFIG SET
//! returns the names that changed so the server can apply them (rebind, chdir
//! into `dir`, resize the backlog...).

mod load;
mod parse;
mod rewrite;
pub mod table;
mod value;

#[cfg(test)]
mod tests;

pub use value::{fmt_percentile, notify, ObufLimit, Value};

use std::path::PathBuf;
use table::{Directive, Kind, DENY_LOADING, DIRECTIVES, HIDDEN, IMMUTABLE, MULTI_ARG, PROTECTED};

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
        let values: Vec<Value> = DIRECTIVES.iter().map(value::default_value).collect();
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
            masterauth: None,
            masteruser: None,
            repl_backlog_size: 0,
            busy_reply_threshold: 0,
            busy_poll: BusyPollMode::Auto,
            rename_commands: Vec::new(),
            users: Vec::new(),
            loadmodules: Vec::new(),
            loading: false,
            values,
        };
        c.export_fields();
        c
    }
}

/// Bounds Redis clamps `hz` into after a load or a CONFIG SET.
const MIN_HZ: i64 = 1;
const MAX_HZ: i64 = 500;

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

    /// CONFIG SET name value [name value ...], atomic: every pair is validated
    /// and set, and on any failure all are restored. On success returns the
    /// canonical names whose value changed; on failure the error text (without
    /// `-`). `allow_protected` says whether this client may change protected
    /// directives; [`Config::set`] decides it from `enable-protected-configs`
    /// being `yes` (the caller handles `local` with [`Config::set_as`]).
    pub fn set(&mut self, pairs: &[(&[u8], &[u8])]) -> Result<Vec<&'static str>, String> {
        let allow = self.enable_protected_configs == ProtectedConfig::Yes;
        self.set_as(pairs, allow)
    }

    /// [`Config::set`] with an explicit protected-config permission.
    pub fn set_as(
        &mut self,
        pairs: &[(&[u8], &[u8])],
        allow_protected: bool,
    ) -> Result<Vec<&'static str>, String> {
        self.import_fields();
        let mut rows: Vec<usize> = Vec::new();
        let mut unknown: Option<&[u8]> = None;
        let mut err: Option<(String, &'static str)> = None;
        let mut deny_loading = false;
        let mut invalid = false;
        for (name, _) in pairs {
            let Some((i, _)) = table::lookup(name) else {
                if !invalid {
                    unknown = Some(name);
                    invalid = true;
                }
                continue;
            };
            if invalid {
                continue;
            }
            let d = &DIRECTIVES[i];
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
            if rows.contains(&i) {
                err = Some((shown, "duplicate parameter"));
                invalid = true;
                continue;
            }
            rows.push(i);
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
            return Err(format!(
                "ERR CONFIG SET failed (possibly related to argument '{n}') - {why}"
            ));
        }
        let backup = self.values.clone();
        let cwd = self.effective_dir();
        let mut changed = Vec::new();
        for (&i, (name, val)) in rows.iter().zip(pairs) {
            let d = &DIRECTIVES[i];
            let args: Vec<Vec<u8>> = if d.has(MULTI_ARG) {
                if val.is_empty() {
                    Vec::new()
                } else {
                    val.split(|&c| c == b' ').map(|a| a.to_vec()).collect()
                }
            } else {
                vec![val.to_vec()]
            };
            let ctx = value::ParseCtx {
                current: &self.values[i],
                append_save: false,
                cwd: &cwd,
            };
            let args = if args.is_empty() && !d.has(MULTI_ARG) {
                vec![Vec::new()]
            } else {
                args
            };
            match self.parse_for(d, &args, &ctx) {
                Ok(v) => {
                    let v = clamp(d, v);
                    if v != self.values[i] {
                        self.values[i] = v;
                        changed.push(d.name);
                    }
                }
                Err(why) => {
                    self.values = backup;
                    return Err(format!(
                        "ERR CONFIG SET failed (possibly related to argument '{}') - {why}",
                        String::from_utf8_lossy(name)
                    ));
                }
            }
        }
        self.export_fields();
        Ok(changed)
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

    /// The stored value of a directive by canonical name or alias.
    pub fn value(&self, name: &str) -> Option<Value> {
        let (i, _) = table::lookup(name.as_bytes())?;
        Some(self.current(i))
    }

    /// CONFIG GET rendering of a directive by name (canonical or alias).
    pub fn get_value(&self, name: &str) -> Option<String> {
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
        let ctx = value::ParseCtx {
            current: &self.values[i],
            append_save,
            cwd: &cwd,
        };
        let v = value::parse_value(d, args, &ctx)?;
        self.values[i] = v;
        // Keep `dir` visible at once: later includes resolve against it.
        if let Value::Dir(p) = &self.values[i] {
            self.dir = p.to_string_lossy().into_owned();
        }
        Ok(())
    }
}

/// Post-set adjustments Redis applies (`hz` is clamped into 1..=500).
fn clamp(d: &Directive, v: Value) -> Value {
    match (d.name, v) {
        ("hz", Value::Num(n)) => Value::Num(n.clamp(MIN_HZ, MAX_HZ)),
        (_, v) => v,
    }
}

mod fields;
