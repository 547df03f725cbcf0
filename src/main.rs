//! `oxidis-server [/path/to/redis.conf] [--option value ...]`: parses the command
//! line the way redis-server does, loads the configuration, sets up logging,
//! daemonizes if asked, and runs the reactor until shutdown.

use std::process::exit;

use log::{info, warn};

use oxidis::config::Config;
use oxidis::reactor::Reactor;
use oxidis::server::Server;
use oxidis::supervise;
use oxidis::util::{OXIDIS_VERSION, REDIS_VERSION};

fn usage() -> ! {
    eprintln!(
        "Usage: ./oxidis-server [/path/to/redis.conf] [options] [-]\n\
         \x20      ./oxidis-server - (read config from stdin)\n\
         \x20      ./oxidis-server -v or --version\n\
         \x20      ./oxidis-server -h or --help\n\n\
         Examples:\n\
         \x20      ./oxidis-server (run the server with default conf)\n\
         \x20      echo 'maxmemory 128mb' | ./oxidis-server -\n\
         \x20      ./oxidis-server /etc/redis/6379.conf\n\
         \x20      ./oxidis-server --port 7777\n\
         \x20      ./oxidis-server /etc/myredis.conf --loglevel verbose -\n\
         \x20      ./oxidis-server /etc/myredis.conf --loglevel verbose\n"
    );
    exit(1);
}

fn version() -> ! {
    println!(
        "oxidis server v={OXIDIS_VERSION} redis_version={REDIS_VERSION} malloc={} bits=64",
        oxidis::alloc::name()
    );
    exit(0);
}

/// Forks into the background like Redis's daemonize(): the parent exits, the
/// child starts a new session and points stdio at /dev/null.
fn daemonize() {
    // SAFETY: called before any thread is started; standard daemon steps.
    unsafe {
        match libc::fork() {
            -1 => {
                eprintln!("fork failed");
                exit(1);
            }
            0 => {}
            _ => exit(0),
        }
        libc::setsid();
        let fd = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        if fd >= 0 {
            libc::dup2(fd, 0);
            libc::dup2(fd, 1);
            libc::dup2(fd, 2);
            if fd > 2 {
                libc::close(fd);
            }
        }
    }
}

/// The start-up banner (`always-show-logo yes`, or a terminal on stdout).
fn show_logo(port: u16) {
    let pid = std::process::id();
    let art = [
        r"                 _     _ _",
        r"       _____  __(_) __| (_)___",
        r"      / _ \ \/ /| |/ _` | / __|",
        r"     | (_) >  < | | (_| | \__ \",
        r"      \___/_/\_\|_|\__,_|_|___/",
        "",
    ];
    let text = [
        format!("oxidis {OXIDIS_VERSION} (Redis {REDIS_VERSION} compatible) 64 bit"),
        String::new(),
        "Running in standalone mode".to_string(),
        format!("Port: {port}"),
        format!("PID: {pid}"),
        String::new(),
    ];
    for (a, t) in art.iter().zip(text.iter()) {
        info!("{a:<40}{t}");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(first) = args.first() {
        let mut opts = getopts::Options::new();
        opts.optflag("h", "help", "print this help");
        opts.optflag("v", "version", "print the version");
        if matches!(first.as_str(), "-h" | "--help" | "-v" | "--version") {
            match opts.parse(&args[..1]) {
                Ok(m) if m.opt_present("v") => version(),
                _ => usage(),
            }
        }
    }
    let cfg = match Config::from_args(&args) {
        Ok(c) => c,
        // Redis logs this one (to standard output: no log file yet); the other
        // config errors are its FATAL CONFIG FILE ERROR report on stderr.
        Err(e) if e.starts_with("Fatal error, can't open config file") => {
            print!("{}", oxidis::logging::early_warning(&e));
            exit(1);
        }
        Err(e) => {
            eprint!("{e}");
            exit(1);
        }
    };
    let supervised_by = |m| {
        matches!(cfg.supervised, oxidis::config::Supervised::Auto) && std::env::var_os(m).is_some()
    };
    let supervised = !matches!(cfg.supervised, oxidis::config::Supervised::No)
        && (!matches!(cfg.supervised, oxidis::config::Supervised::Auto)
            || supervised_by("NOTIFY_SOCKET")
            || supervised_by("UPSTART_JOB"));
    if cfg.daemonize && !supervised {
        daemonize();
    }
    if let Err(e) = oxidis::logging::init(&cfg) {
        eprintln!("{e}");
        exit(1);
    }
    let mode = supervise::detect(cfg.supervised);
    if let Err(e) = std::env::set_current_dir(&cfg.dir) {
        warn!(
            "Can't chdir to '{}': {}",
            cfg.dir,
            oxidis::util::strerror(&e)
        );
        exit(1);
    }
    // Redis logs its start-up banner at warning level.
    warn!("oO0OoO0OoO0Oo oxidis is starting oO0OoO0OoO0Oo");
    warn!(
        "oxidis version={OXIDIS_VERSION}, redis_version={REDIS_VERSION}, bits=64, pid={}, just started",
        std::process::id()
    );
    if cfg.config_file.is_some() {
        warn!("Configuration loaded");
    } else {
        warn!("Warning: no config file specified, using the default config. In order to specify a config file use oxidis-server /path/to/redis.conf");
    }
    let port = cfg.port;
    let always_show_logo = cfg.always_show_logo;
    let logfile_empty = cfg.logfile.is_empty();
    let pidfile = cfg.pidfile.clone();
    let mut srv = Server::new(cfg);
    oxidis::logging::set_role_master();
    srv.supervised = mode;
    let Server {
        config, commands, ..
    } = &mut srv;
    if let Err(e) = config.apply_renames(|from, to| commands.rename(from, to)) {
        eprint!("{e}");
        exit(1);
    }
    let mut reactor = match Reactor::new(srv) {
        Ok(r) => r,
        Err(_) => exit(1),
    };
    let tty = unsafe { libc::isatty(1) } == 1;
    if always_show_logo || (tty && logfile_empty) {
        show_logo(port);
    } else {
        info!("Running mode=standalone, port={port}.");
    }
    warn!("Server initialized");
    if !pidfile.is_empty() {
        if let Err(e) = std::fs::write(&pidfile, format!("{}\n", std::process::id())) {
            warn!("Failed to write PID file: {}", oxidis::util::strerror(&e));
        }
    }
    // The listeners are open: clients get -LOADING while the dataset loads.
    if let Err(e) = reactor.load_at_startup() {
        // Empty: the loader logged what Redis logs.
        if !e.is_empty() {
            warn!("{e}");
        }
        exit(1);
    }
    if let Err(e) = reactor.srv.aof_open_on_start() {
        warn!("{e}");
        exit(1);
    }
    if reactor.srv.config.appendonly {
        // As Redis, a failure here is logged and the server goes on.
        let _ = reactor.srv.aof_del_history_files();
    }
    info!("Ready to accept connections");
    // `replicaof` in the configuration: the link starts now; the first
    // connect is made here, retries from the cron.
    if let Some((host, port)) = reactor.srv.config.replicaof.clone() {
        oxidis::repl::replica::start_from_config(&mut reactor.srv, &host, port);
    }
    supervise::ready(mode);
    reactor.run();
    supervise::notify(mode, "STOPPING=1\n");
    if !pidfile.is_empty() {
        info!("Removing the pid file.");
        let _ = std::fs::remove_file(&pidfile);
    }
    reactor.cleanup();
    warn!("oxidis is now ready to exit, bye bye...");
}
