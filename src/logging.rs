//! Logging in Redis's format through `log` + `env_logger`:
//!
//! ```text
//! 12345:M 26 Nov 2026 01:34:04.123 * Ready to accept connections tcp
//! ```
//!
//! `loglevel` maps debug/verbose/notice/warning to `.`/`-`/`*`/`#`; `logfile ""`
//! is standard output. A log file is opened (append) for every line and closed
//! again, as Redis does: after logrotate renames it, the next line creates a new
//! file under the configured name, without `copytruncate` and without a signal.

use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::config::{Config, LogLevel};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Local time as Redis prints it: `26 Nov 2026 01:34:04.123`.
fn timestamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as libc::time_t;
    // SAFETY: localtime_r writes into our zeroed struct.
    let tm = unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&secs, &mut tm);
        tm
    };
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        tm.tm_mday,
        MONTHS[tm.tm_mon.clamp(0, 11) as usize],
        tm.tm_year + 1900,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        now.subsec_millis()
    )
}

/// The role letter after the pid: `C` until the server is initialised (Redis
/// prints `C` while its server.pid is unset, i.e. for the start-up lines before
/// initServer), then `M`.
static ROLE: AtomicU8 = AtomicU8::new(b'C');

/// Called once the server is initialised: later lines carry `M`.
pub fn set_role_master() {
    ROLE.store(b'M', Ordering::Relaxed);
}

/// A warning line in the log format, for messages written before the logger
/// exists (a config file that cannot be opened).
pub fn early_warning(msg: &str) -> String {
    let role = ROLE.load(Ordering::Relaxed) as char;
    format!("{}:{role} {} # {msg}\n", std::process::id(), timestamp())
}

fn filter(level: LogLevel) -> log::LevelFilter {
    match level {
        LogLevel::Debug => log::LevelFilter::Trace,
        LogLevel::Verbose => log::LevelFilter::Debug,
        LogLevel::Notice => log::LevelFilter::Info,
        LogLevel::Warning => log::LevelFilter::Warn,
        LogLevel::Nothing => log::LevelFilter::Off,
    }
}

/// Installs the logger for the configured `loglevel` and `logfile`.
pub fn init(cfg: &Config) -> Result<(), String> {
    let mut b = env_logger::Builder::new();
    b.filter_level(filter(cfg.loglevel));
    let pid = std::process::id();
    b.format(move |buf, rec| {
        let c = match rec.level() {
            log::Level::Error | log::Level::Warn => '#',
            log::Level::Info => '*',
            log::Level::Debug => '-',
            log::Level::Trace => '.',
        };
        let role = ROLE.load(Ordering::Relaxed) as char;
        writeln!(buf, "{pid}:{role} {} {c} {}", timestamp(), rec.args())
    });
    if !cfg.logfile.is_empty() {
        // Fail at start-up rather than lose every line later.
        open_log(cfg.logfile.as_ref())
            .map_err(|e| format!("Can't open the log file: {}", crate::util::strerror(&e)))?;
        b.target(env_logger::Target::Pipe(Box::new(LogFile {
            path: cfg.logfile.clone().into(),
        })));
    } else {
        b.target(env_logger::Target::Stdout);
    }
    b.try_init().map_err(|e| e.to_string())
}

fn open_log(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
}

/// The log file, reopened for every record (env_logger hands each formatted
/// record to one `write_all`). A line that cannot be written is dropped, as in
/// Redis: there is nowhere to report it.
struct LogFile {
    path: std::path::PathBuf,
}

impl Write for LogFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut f) = open_log(&self.path) {
            let _ = f.write_all(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Changes the level at run time (CONFIG SET loglevel).
pub fn set_level(level: LogLevel) {
    log::set_max_level(filter(level));
}
