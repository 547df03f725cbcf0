//! Configuration: the table of directives, the redis.conf parser and CONFIG GET/SET.
//!
//! (Placeholder: the full table replaces this file.)

use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Verbose,
    Notice,
    Warning,
    Nothing,
}

/// `enable-debug-command` style switches: no, yes, or local (loopback/unix only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtectedConfig {
    No,
    Yes,
    Local,
}

#[derive(Debug, Clone)]
pub struct Config {
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
    pub pidfile: String,
    pub always_show_logo: bool,
    pub enable_debug_command: ProtectedConfig,
    pub enable_protected_configs: ProtectedConfig,
    pub enable_module_command: ProtectedConfig,
    pub active_expire_effort: u32,
    pub lazyfree_lazy_user_del: bool,
    pub lazyfree_lazy_user_flush: bool,
    pub lazyfree_lazy_expire: bool,
    pub save: Vec<(u64, u64)>,
    pub dir: String,
    pub dbfilename: String,
    pub maxmemory: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            config_file: None,
            port: 6379,
            bind: vec!["*".into(), "-::*".into()],
            unixsocket: None,
            unixsocketperm: 0,
            databases: 16,
            requirepass: None,
            hz: 10,
            loglevel: LogLevel::Notice,
            logfile: String::new(),
            proto_max_bulk_len: 512 * 1024 * 1024,
            client_query_buffer_limit: 1024 * 1024 * 1024,
            maxclients: 10000,
            timeout: 0,
            tcp_keepalive: 300,
            tcp_backlog: 511,
            protected_mode: true,
            daemonize: false,
            pidfile: String::new(),
            always_show_logo: false,
            enable_debug_command: ProtectedConfig::No,
            enable_protected_configs: ProtectedConfig::No,
            enable_module_command: ProtectedConfig::No,
            active_expire_effort: 1,
            lazyfree_lazy_user_del: false,
            lazyfree_lazy_user_flush: false,
            lazyfree_lazy_expire: false,
            save: vec![(3600, 1), (300, 100), (60, 10000)],
            dir: ".".into(),
            dbfilename: "dump.rdb".into(),
            maxmemory: 0,
        }
    }
}

impl Config {
    /// Builds the configuration from redis-server style arguments (everything after
    /// the program name): `[configfile] [--name value ...]`.
    pub fn from_args(args: &[String]) -> Result<Config, String> {
        let mut cfg = Config::default();
        let mut i = 0;
        while i < args.len() {
            if args[i] == "--port" && i + 1 < args.len() {
                cfg.port = args[i + 1].parse().map_err(|_| "bad port".to_string())?;
                i += 1;
            }
            i += 1;
        }
        Ok(cfg)
    }

    /// CONFIG GET: (name, value) pairs of every directive matching the glob.
    pub fn get(&self, _pattern: &[u8]) -> Vec<(String, String)> {
        Vec::new()
    }

    /// CONFIG SET name value [name value ...], atomic. On success returns the
    /// canonical names that changed; on failure the error text (without `-`).
    pub fn set(&mut self, _pairs: &[(&[u8], &[u8])]) -> Result<Vec<&'static str>, String> {
        Err("ERR CONFIG SET is not supported yet".into())
    }
}
