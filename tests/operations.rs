//! Operating the server: systemd notification, limits (maxclients, timeout, output
//! buffers), unix sockets, signals and the pid file.

mod common;

use common::{free_port, fresh_temp_dir, oxidis_bin, Conn, Server};
use std::io::{Read, Write};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn systemd_notify_ready_and_stopping() {
    let dir = fresh_temp_dir("notify");
    let sock_path = dir.join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let port = free_port();
    let mut child = Command::new(oxidis_bin())
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .args(["--supervised", "systemd", "--dir", dir.to_str().unwrap()])
        .env("NOTIFY_SOCKET", &sock_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 512];
    while !got.iter().any(|m: &String| m.contains("READY=1")) {
        let n = sock.recv(&mut buf).expect("notify datagram");
        got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
    }
    assert_eq!(
        got,
        vec!["STATUS=Ready to accept connections\n", "READY=1\n"]
    );
    // Ready means the listener is open.
    let mut c = Conn::connect(port).unwrap();
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    c.send(&[b"SHUTDOWN"]);
    let n = sock.recv(&mut buf).expect("stopping datagram");
    assert_eq!(&buf[..n], b"STOPPING=1\n");
    let status = child.wait().unwrap();
    assert!(status.success());
}

#[test]
fn sigterm_exits_cleanly_and_removes_pidfile() {
    let dir = fresh_temp_dir("sigterm");
    let pidfile = dir.join("oxidis.pid");
    let logfile = dir.join("log.txt");
    let port = free_port();
    let mut child = Command::new(oxidis_bin())
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .args(["--pidfile", pidfile.to_str().unwrap()])
        .args(["--logfile", logfile.to_str().unwrap()])
        .spawn()
        .unwrap();
    common::wait_for_condition("the server to listen", || Conn::connect(port).is_ok());
    let pid: u32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(pid, child.id());
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert!(status.success());
    assert!(!pidfile.exists());
    let log = std::fs::read_to_string(&logfile).unwrap();
    for line in [
        "Server initialized",
        "Ready to accept connections",
        "Received SIGTERM scheduling shutdown...",
        "User requested shutdown...",
        "Removing the pid file.",
        "is now ready to exit, bye bye...",
    ] {
        assert!(log.contains(line), "log lacks {line:?}:\n{log}");
    }
}

#[test]
fn port_in_use_fails_with_the_reference_message() {
    let srv = Server::oxidis(&[]);
    let out = Command::new(oxidis_bin())
        .args([
            "--port",
            &srv.port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "Failed listening on port {} (tcp), aborting.",
            srv.port
        )),
        "{text}"
    );
}

#[test]
fn maxclients_rejects_with_the_reference_error() {
    let srv = Server::oxidis(&["--maxclients", "2"]);
    let mut a = srv.connect();
    // The start-up probe's connection must be gone before the count is full.
    common::wait_for_info(&mut a, "clients", "connected_clients", "1");
    let mut b = srv.connect();
    assert_eq!(a.cmd(&["PING"]), b"+PONG\r\n");
    assert_eq!(b.cmd(&["PING"]), b"+PONG\r\n");
    let mut c = Conn::connect(srv.port).unwrap();
    let (got, closed) = c.read_until_quiet(Duration::from_millis(200), Duration::from_secs(5));
    assert_eq!(got, b"-ERR max number of clients reached\r\n");
    assert!(closed);
    assert_eq!(a.cmd(&["PING"]), b"+PONG\r\n");
}

#[test]
fn idle_clients_are_closed_after_timeout() {
    let srv = Server::oxidis(&["--timeout", "1"]);
    let mut idle = srv.connect();
    let mut busy = srv.connect();
    assert_eq!(idle.cmd(&["PING"]), b"+PONG\r\n");
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(2600) {
        assert_eq!(busy.cmd(&["PING"]), b"+PONG\r\n");
        // The idle client's time running out is the condition under test.
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(idle.is_closed_within(Duration::from_secs(2)));
    assert_eq!(busy.cmd(&["PING"]), b"+PONG\r\n");
}

#[test]
fn output_buffer_hard_limit_cuts_only_the_slow_reader() {
    let srv = Server::oxidis(&["--client-output-buffer-limit", "normal 1mb 0 0"]);
    let mut setup = srv.connect();
    let big = "x".repeat(100_000);
    assert_eq!(setup.cmd(&["SET", "big", &big]), b"+OK\r\n");
    // A client that sends many GETs of a big value and never reads.
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    let get = Conn::encode(&[b"GET", b"big"]);
    let mut batch = Vec::new();
    for _ in 0..200 {
        batch.extend_from_slice(&get);
    }
    slow.set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let _ = slow.write_all(&batch);
    // Others are unaffected, and the slow client is disconnected.
    let mut other = srv.connect();
    assert_eq!(other.cmd(&["PING"]), b"+PONG\r\n");
    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut total = 0usize;
    let mut buf = vec![0u8; 65536];
    loop {
        match slow.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => total += n,
            Err(e) => panic!("slow client not disconnected: {e} after {total} bytes"),
        }
    }
    assert!(
        total < 200 * 100_000,
        "the whole output was delivered ({total} bytes)"
    );
    assert_eq!(other.cmd(&["GET", "missing"]), b"$-1\r\n");
    assert!(srv
        .log()
        .contains("scheduled to be closed ASAP for overcoming of output buffer limits"));
}

#[test]
fn unix_socket_serves_clients() {
    let dir = fresh_temp_dir("unixsock");
    let path = dir.join("oxidis.sock");
    let srv = Server::oxidis(&[
        "--unixsocket",
        path.to_str().unwrap(),
        "--unixsocketperm",
        "700",
    ]);
    let mut s = UnixStream::connect(&path).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"*1\r\n$4\r\nPING\r\n").unwrap();
    let mut buf = [0u8; 16];
    let n = s.read(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"+PONG\r\n");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
    drop(srv);
}

#[test]
fn rename_command_in_config_file() {
    let dir = fresh_temp_dir("rename");
    let conf = dir.join("r.conf");
    std::fs::write(
        &conf,
        "rename-command flushall \"\"\nrename-command get fetch\n",
    )
    .unwrap();
    let srv = Server::start_with_config(&oxidis_bin(), &conf, &[]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["SET", "a", "1"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["FETCH", "a"]), b"$1\r\n1\r\n");
    assert!(c
        .cmd(&["GET", "a"])
        .starts_with(b"-ERR unknown command 'GET'"));
    assert!(c
        .cmd(&["FLUSHALL"])
        .starts_with(b"-ERR unknown command 'FLUSHALL'"));
}

#[test]
fn shipped_unit_starts_the_shipped_config_under_systemd_notify() {
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/oxidis.service"
    ))
    .unwrap();
    assert!(unit.contains("Type=notify"));
    let exec = unit
        .lines()
        .find_map(|l| l.strip_prefix("ExecStart="))
        .expect("ExecStart");
    let args: Vec<&str> = exec.split_whitespace().skip(2).collect();
    assert_eq!(args, ["--supervised", "systemd", "--daemonize", "no"]);
    // The shipped redis.conf with the unit's arguments, supervised for real.
    let dir = fresh_temp_dir("unit");
    let sock_path = dir.join("notify.sock");
    let sock = UnixDatagram::bind(&sock_path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let port = free_port();
    let conf = concat!(env!("CARGO_MANIFEST_DIR"), "/redis.conf");
    let mut child = Command::new(oxidis_bin())
        .arg(conf)
        .args(&args)
        .args([
            "--port",
            &port.to_string(),
            "--dir",
            dir.to_str().unwrap(),
            "--save",
            "",
        ])
        .env("NOTIFY_SOCKET", &sock_path)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut buf = [0u8; 256];
    let mut ready = false;
    while !ready {
        let n = sock.recv(&mut buf).expect("notify datagram");
        ready = &buf[..n] == b"READY=1\n";
    }
    let mut c = Conn::connect(port).unwrap();
    assert_eq!(
        c.cmd(&["CONFIG", "GET", "supervised"]),
        b"*2\r\n$10\r\nsupervised\r\n$7\r\nsystemd\r\n"
    );
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());
}

#[test]
fn client_pause_holds_writes_or_everything_until_it_ends() {
    let srv = Server::oxidis(&[]);
    let mut admin = srv.connect();
    let mut c = srv.connect();
    assert_eq!(
        admin.cmd(&["CLIENT", "PAUSE", "abc"]),
        b"-ERR timeout is not an integer or out of range\r\n"
    );
    assert_eq!(
        admin.cmd(&["CLIENT", "PAUSE", "-1"]),
        b"-ERR timeout is negative\r\n"
    );
    assert_eq!(
        admin.cmd(&["CLIENT", "PAUSE", "10", "SOME"]),
        b"-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n"
    );
    // WRITE: reads go on, writes wait for the end of the pause.
    assert_eq!(admin.cmd(&["CLIENT", "PAUSE", "400", "WRITE"]), b"+OK\r\n");
    let start = Instant::now();
    assert_eq!(c.cmd(&["GET", "k"]), b"$-1\r\n");
    assert!(start.elapsed() < Duration::from_millis(300));
    assert_eq!(c.cmd(&["SET", "k", "v"]), b"+OK\r\n");
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    // ALL: every command waits, CLIENT UNPAUSE included (as in Redis).
    assert_eq!(admin.cmd(&["CLIENT", "PAUSE", "400", "ALL"]), b"+OK\r\n");
    let start = Instant::now();
    assert_eq!(c.cmd(&["GET", "k"]), b"$1\r\nv\r\n");
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    // UNPAUSE releases postponed writes at once.
    assert_eq!(
        admin.cmd(&["CLIENT", "PAUSE", "100000", "WRITE"]),
        b"+OK\r\n"
    );
    let start = Instant::now();
    c.send(&[b"SET", b"k", b"w"]);
    common::wait_for_blocked_clients(&mut admin, 1);
    assert_eq!(admin.cmd(&["CLIENT", "UNPAUSE"]), b"+OK\r\n");
    assert_eq!(c.read_reply(), b"+OK\r\n");
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(c.cmd(&["GET", "k"]), b"$1\r\nw\r\n");
}

#[test]
fn always_show_logo_prints_port_and_pid() {
    let srv = Server::oxidis(&["--always-show-logo", "yes"]);
    let log = srv.log();
    assert!(log.contains(&format!("Port: {}", srv.port)), "{log}");
    assert!(log.contains(&format!("PID: {}", srv.pid())), "{log}");
    let plain = Server::oxidis(&[]);
    assert!(plain
        .log()
        .contains(&format!("Running mode=standalone, port={}.", plain.port)));
}

#[test]
fn daemonize_detaches_and_writes_the_pidfile() {
    let dir = fresh_temp_dir("daemon");
    let pidfile = dir.join("d.pid");
    let logfile = dir.join("d.log");
    let port = free_port();
    let status = Command::new(oxidis_bin())
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
        ])
        .args(["--daemonize", "yes", "--pidfile", pidfile.to_str().unwrap()])
        .args(["--logfile", logfile.to_str().unwrap()])
        .status()
        .unwrap();
    // The launching process returns at once; the daemon keeps serving.
    assert!(status.success());
    common::wait_for_condition("the daemon to write its pidfile and listen", || {
        pidfile.exists() && Conn::connect(port).is_ok()
    });
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let mut c = Conn::connect(port).unwrap();
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    assert_eq!(
        c.cmd(&["CONFIG", "GET", "daemonize"]),
        b"*2\r\n$9\r\ndaemonize\r\n$3\r\nyes\r\n"
    );
    c.send(&[b"SHUTDOWN", b"NOSAVE"]);
    common::wait_for_condition("the daemon to exit", || unsafe { libc::kill(pid, 0) } != 0);
    assert!(!pidfile.exists());
}

/// CONFIG SET port moves the listener: the new port answers, the old one is
/// closed, and CONFIG GET / INFO report the new port.
#[test]
fn config_set_port_rebinds_the_listener() {
    let srv = Server::oxidis(&[]);
    let mut c = srv.connect();
    let new_port = free_port();
    let p = new_port.to_string();
    assert_eq!(c.cmd(&["CONFIG", "SET", "port", &p]), b"+OK\r\n");
    let mut moved = Conn::connect(new_port).expect("connect to the new port");
    assert_eq!(moved.cmd(&["PING"]), b"+PONG\r\n");
    assert!(Conn::connect(srv.port).is_err(), "old port still listening");
    let want = format!("*2\r\n$4\r\nport\r\n${}\r\n{p}\r\n", p.len());
    assert_eq!(moved.cmd(&["CONFIG", "GET", "port"]), want.as_bytes());
    assert_eq!(common::info_field(&mut moved, "server", "tcp_port"), p);
    // The connection made before the move lives on.
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
}

/// A CONFIG SET whose port or bind cannot be applied answers Redis's error and
/// rolls back every directive it named; the server keeps listening where it was.
/// Run against redis-server too, so the texts are Redis's.
fn config_set_failed_rebind_rolls_back_every_directive_on(srv: &Server) {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_port = busy.local_addr().unwrap().port().to_string();
    let mut c = srv.connect();
    let before: Vec<Vec<u8>> = ["maxmemory", "client-query-buffer-limit", "port", "bind"]
        .iter()
        .map(|n| c.cmd(&["CONFIG", "GET", n]))
        .collect();
    let r = c.cmd(&[
        "CONFIG",
        "SET",
        "maxmemory",
        "10000001",
        "port",
        &busy_port,
        "client-query-buffer-limit",
        "10m",
    ]);
    assert_eq!(
        r,
        b"-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n",
        "{}",
        srv.bin().display()
    );
    let r = c.cmd(&[
        "CONFIG",
        "SET",
        "maxmemory",
        "10000001",
        "bind",
        "999.999.999.999",
    ]);
    assert_eq!(
        r,
        b"-ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses.\r\n",
        "{}",
        srv.bin().display()
    );
    let after: Vec<Vec<u8>> = ["maxmemory", "client-query-buffer-limit", "port", "bind"]
        .iter()
        .map(|n| c.cmd(&["CONFIG", "GET", n]))
        .collect();
    assert_eq!(before, after, "{}", srv.bin().display());
    let mut fresh = srv.connect();
    assert_eq!(fresh.cmd(&["PING"]), b"+PONG\r\n");
    drop(busy);
}

#[test]
fn config_set_failed_rebind_rolls_back_every_directive() {
    config_set_failed_rebind_rolls_back_every_directive_on(&Server::oxidis(&[]));
}

#[test]
fn config_set_failed_rebind_rolls_back_every_directive_on_redis() {
    config_set_failed_rebind_rolls_back_every_directive_on(&Server::redis(&[]));
}

/// A TCP connection to 127.0.0.1:`port` (or `dst`) from the source address `src`.
fn connect_from(
    src: std::net::Ipv4Addr,
    dst: std::net::Ipv4Addr,
    port: u16,
) -> std::net::TcpStream {
    use std::os::fd::FromRawFd;
    let sin = |ip: std::net::Ipv4Addr, port: u16| {
        // SAFETY: an all-zero sockaddr_in is valid; the fields are then set.
        let mut a: libc::sockaddr_in = unsafe { std::mem::zeroed() };
        a.sin_family = libc::AF_INET as libc::sa_family_t;
        a.sin_port = port.to_be();
        a.sin_addr.s_addr = u32::from_ne_bytes(ip.octets());
        a
    };
    let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
    // SAFETY: socket/bind/connect on a descriptor this function owns.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0);
        let s = sin(src, 0);
        assert_eq!(
            libc::bind(fd, &s as *const _ as *const libc::sockaddr, len),
            0,
            "bind {src}"
        );
        let d = sin(dst, port);
        assert_eq!(
            libc::connect(fd, &d as *const _ as *const libc::sockaddr, len),
            0,
            "connect"
        );
        std::net::TcpStream::from_raw_fd(fd)
    }
}

/// Protected mode admits only 127.0.0.1 and ::1 (and unix sockets) as local:
/// a peer at 127.0.0.2 gets Redis's DENIED text and is disconnected.
#[test]
fn protected_mode_refuses_other_loopback_addresses() {
    let srv = Server::oxidis(&[
        "--bind",
        "127.0.0.1",
        "127.0.0.2",
        "--protected-mode",
        "yes",
    ]);
    let lo = std::net::Ipv4Addr::LOCALHOST;
    let other = std::net::Ipv4Addr::new(127, 0, 0, 2);
    let mut s = connect_from(other, other, srv.port);
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut got = Vec::new();
    s.read_to_end(&mut got).unwrap();
    let text = String::from_utf8_lossy(&got);
    assert!(
        text.starts_with("-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user."),
        "{text}"
    );
    let mut s = connect_from(lo, lo, srv.port);
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"PING\r\n").unwrap();
    let mut buf = [0u8; 7];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"+PONG\r\n");
    let mut c = srv.connect();
    assert_eq!(
        common::info_field(&mut c, "stats", "rejected_connections"),
        "1"
    );
}

/// A command renamed away is gone from COMMAND COUNT/LIST/INFO/DOCS; a renamed
/// one is found only under its new name and still reported under its own, as
/// Redis does (checked against redis-server too).
fn rename_command_hides_the_command_from_command_introspection_on(bin: &std::path::Path) {
    let dir = fresh_temp_dir("rename-hide");
    let conf = dir.join("r.conf");
    std::fs::write(
        &conf,
        "rename-command config \"\"\nrename-command get fetch\n",
    )
    .unwrap();
    let plain = Server::start(bin, None, &[]);
    let renamed = Server::start_with_config(bin, &conf, &[]);
    let (mut p, mut c) = (plain.connect(), renamed.connect());
    let count = |c: &mut Conn| {
        let r = c.cmd(&["COMMAND", "COUNT"]);
        String::from_utf8_lossy(&r[1..r.len() - 2])
            .parse::<i64>()
            .unwrap()
    };
    assert_eq!(count(&mut c), count(&mut p) - 1, "{}", bin.display());
    let info = c.cmd(&["COMMAND", "INFO", "config", "get", "config|get"]);
    assert_eq!(info, b"*3\r\n$-1\r\n$-1\r\n$-1\r\n", "{}", bin.display());
    assert_eq!(
        c.cmd(&["COMMAND", "INFO", "fetch"]),
        p.cmd(&["COMMAND", "INFO", "get"]),
        "{}",
        bin.display()
    );
    assert_eq!(c.cmd(&["COMMAND", "DOCS", "config"]), b"*0\r\n");
    let list = common::Reply::parse(&c.cmd(&["COMMAND", "LIST"]));
    let names: Vec<Vec<u8>> = list
        .elements()
        .unwrap()
        .iter()
        .map(|r| r.as_bytes().unwrap())
        .collect();
    assert!(
        !names.iter().any(|n| n.starts_with(b"config")),
        "{}",
        bin.display()
    );
    assert!(!names.iter().any(|n| n == b"fetch"));
    assert_eq!(names.iter().filter(|n| *n == b"get").count(), 1);
    let all = common::Reply::parse(&c.cmd(&["COMMAND"]));
    assert_eq!(all.elements().unwrap().len() as i64, count(&mut c));
}

#[test]
fn rename_command_hides_the_command_from_command_introspection() {
    rename_command_hides_the_command_from_command_introspection_on(&oxidis_bin());
}

#[test]
fn rename_command_hides_the_command_from_command_introspection_on_redis() {
    common::require_redis();
    rename_command_hides_the_command_from_command_introspection_on(&common::redis_bin().unwrap());
}

/// The log file is reopened for every line, as Redis does: after logrotate
/// renames it (no copytruncate), the next line goes to a new file under the
/// configured name.
#[test]
fn log_file_is_reopened_after_logrotate_renames_it() {
    let srv = Server::oxidis(&["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    let log = srv.dir().join("server.log");
    let rotated = srv.dir().join("server.log.1");
    assert_eq!(c.cmd(&["DEBUG", "LOG", "before-rotation"]), b"+OK\r\n");
    std::fs::rename(&log, &rotated).unwrap();
    assert_eq!(c.cmd(&["DEBUG", "LOG", "after-rotation"]), b"+OK\r\n");
    let new = std::fs::read_to_string(&log).expect("a new log file");
    let old = std::fs::read_to_string(&rotated).unwrap();
    assert!(
        new.contains("after-rotation") && !new.contains("before-rotation"),
        "{new}"
    );
    assert!(
        old.contains("before-rotation") && !old.contains("after-rotation"),
        "{old}"
    );
    assert!(old.contains("Ready to accept connections"), "{old}");
}

/// The shipped unit: Debian's hardening, CONFIG REWRITE possible (the config
/// directory writable), the group may read what the server writes, a stop that
/// cannot hang forever; `systemd-analyze verify` accepts it when installed.
#[test]
fn shipped_unit_is_hardened_and_lets_config_rewrite_work() {
    let root = env!("CARGO_MANIFEST_DIR");
    let unit = std::fs::read_to_string(format!("{root}/scripts/oxidis.service")).unwrap();
    let values = |key: &str| -> Vec<String> {
        unit.lines()
            .filter_map(|l| l.strip_prefix(&format!("{key}=")))
            .map(|v| v.to_string())
            .collect()
    };
    let exec = values("ExecStart").remove(0);
    let conf = std::path::Path::new(exec.split_whitespace().nth(1).unwrap());
    let conf_dir = conf.parent().unwrap().to_str().unwrap().to_string();
    let rw: Vec<String> = values("ReadWritePaths")
        .iter()
        .flat_map(|v| {
            v.split_whitespace()
                .map(|p| p.trim_start_matches('-').to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        rw.contains(&conf_dir),
        "CONFIG REWRITE needs {conf_dir} writable: {rw:?}"
    );
    for key in [
        "SystemCallFilter",
        "ProtectProc",
        "RemoveIPC",
        "PrivateUsers",
        "NoExecPaths",
    ] {
        assert!(!values(key).is_empty(), "unit lacks {key}");
    }
    let umask = u32::from_str_radix(&values("UMask")[0], 8).unwrap();
    assert_eq!(
        umask & 0o040,
        0,
        "the group must be able to read the dump and log"
    );
    assert_eq!(umask & 0o007, 0o007, "nothing for others");
    let stop = values("TimeoutStopSec");
    let stop: u64 = stop[0].parse().expect("a finite TimeoutStopSec");
    assert!(stop > 0, "TimeoutStopSec=0 waits forever");
    if common::find_in_path("systemd-analyze").is_some() {
        let dir = fresh_temp_dir("unit-verify");
        let path = dir.join("oxidis.service");
        let real = oxidis_bin();
        std::fs::write(
            &path,
            unit.replace("/usr/local/bin/oxidis-server", real.to_str().unwrap()),
        )
        .unwrap();
        let out = Command::new("systemd-analyze")
            .arg("verify")
            .arg(&path)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success() && text.trim().is_empty(), "{text}");
    }
}

/// scripts/install never runs cargo (nothing is compiled as root): it installs
/// the binary built beforehand. Staged into DESTDIR, with a `cargo` on PATH
/// that records being called.
#[test]
fn install_script_installs_the_built_binary_without_building() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = fresh_temp_dir("install");
    let stubs = dir.join("bin");
    std::fs::create_dir_all(&stubs).unwrap();
    let marker = dir.join("cargo-called");
    let stub = stubs.join("cargo");
    std::fs::write(
        &stub,
        format!("#!/bin/sh\ntouch {}\nexit 1\n", marker.display()),
    )
    .unwrap();
    std::fs::set_permissions(&stub, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let dest = dir.join("stage");
    let path = format!(
        "{}:{}",
        stubs.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(format!("{root}/scripts/install"))
        .arg("--no-start")
        .env("DESTDIR", &dest)
        .env("PATH", path)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    assert!(!marker.exists(), "scripts/install ran cargo");
    let installed = std::fs::read(dest.join("usr/local/bin/oxidis-server")).unwrap();
    assert_eq!(
        installed,
        std::fs::read(format!("{root}/target/release/oxidis-server")).unwrap()
    );
    let conf = std::fs::read_to_string(dest.join("etc/oxidis/redis.conf")).unwrap();
    assert!(conf.contains("\ndir /var/lib/oxidis\n"), "{conf}");
    assert!(conf.contains("\nlogfile /var/log/oxidis/oxidis.log\n"));
    assert!(dest.join("etc/systemd/system/oxidis.service").exists());
}

/// A config file that cannot be opened is reported as a log line on standard
/// output (Redis's serverLog before the log file is set up), and messages show
/// the C library's error text without Rust's "(os error N)".
#[test]
fn start_up_errors_have_the_reference_texts() {
    let out = Command::new(oxidis_bin())
        .arg("/nonexistent/oxidis.conf")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().next().unwrap_or_default();
    let (pid, rest) = line.split_once(":C ").expect("pid:C prefix");
    assert!(pid.parse::<u32>().is_ok(), "{line}");
    // "01 Dec 2026 20:38:32.072 # ..."
    let (stamp, msg) = rest.split_at(24);
    assert_eq!(stamp.as_bytes()[2], b' ', "{line}");
    assert_eq!(stamp.as_bytes()[20], b'.', "{line}");
    assert_eq!(
        msg,
        " # Fatal error, can't open config file '/nonexistent/oxidis.conf': No such file or directory"
    );
    let dir = fresh_temp_dir("errtext");
    let out = Command::new(oxidis_bin())
        .args(["--port", "0", "--save", ""])
        .args(["--dir", dir.to_str().unwrap()])
        .args(["--unixsocket", "/nonexistent/oxidis.sock"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("No such file or directory"), "{text}");
    assert!(!text.contains("os error"), "{text}");
    let srv = Server::oxidis(&["--pidfile", "/nonexistent/oxidis.pid"]);
    let log = srv.log();
    assert!(
        log.contains("# Failed to write PID file: No such file or directory"),
        "{log}"
    );
    assert!(!log.contains("os error"), "{log}");
}
