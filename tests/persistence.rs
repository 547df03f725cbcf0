//! Persistence end to end: SAVE/BGSAVE files survive restarts, a BGSAVE is an exact
//! point-in-time copy while clients keep writing, a real redis-server loads what
//! oxidis saved, a SIGKILL during BGSAVE never damages the previous dump, and a
//! corrupt file stops start-up with a clear error.

mod common;

use common::{fresh_temp_dir, info_field, oxidis_bin, require_redis, Conn, Server};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn wait_bgsave(c: &mut Conn) {
    common::wait_for_condition_within("BGSAVE to finish", Duration::from_secs(60), || {
        info_field(c, "persistence", "rdb_bgsave_in_progress") == "0"
    });
}

fn start_in(dir: &Path, extra: &[&str]) -> Server {
    let mut args = vec!["--dir", dir.to_str().unwrap(), "--dbfilename", "dump.rdb"];
    args.extend_from_slice(extra);
    Server::oxidis(&args)
}

fn fill(c: &mut Conn) {
    assert_eq!(c.cmd(&["SET", "s", "hello"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["SET", "n", "12345"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["SET", "big", &"z".repeat(5000)]), b"+OK\r\n");
    assert_eq!(c.cmd(&["SET", "ttl", "v", "EX", "1000"]), b"+OK\r\n");
    c.cmd(&["RPUSH", "l", "a", "b", "1", "2"]);
    c.cmd(&["HSET", "h", "f1", "v1", "f2", "2"]);
    c.cmd(&["SADD", "si", "1", "2", "3"]);
    c.cmd(&["SADD", "ss", "x", "y"]);
    c.cmd(&["SELECT", "3"]);
    c.cmd(&["SET", "in3", "v3"]);
    c.cmd(&["SELECT", "0"]);
}

fn check(c: &mut Conn) {
    assert_eq!(c.cmd(&["GET", "s"]), b"$5\r\nhello\r\n");
    assert_eq!(c.cmd(&["OBJECT", "ENCODING", "n"]), b"$3\r\nint\r\n");
    assert_eq!(c.cmd(&["STRLEN", "big"]), b":5000\r\n");
    let ttl = c.cmd(&["TTL", "ttl"]);
    assert!(
        ttl.starts_with(b":99") || ttl.starts_with(b":1000"),
        "{ttl:?}"
    );
    assert_eq!(
        c.cmd(&["LRANGE", "l", "0", "-1"]),
        b"*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\n2\r\n"
    );
    assert_eq!(c.cmd(&["HGET", "h", "f2"]), b"$1\r\n2\r\n");
    assert_eq!(c.cmd(&["OBJECT", "ENCODING", "si"]), b"$6\r\nintset\r\n");
    assert_eq!(c.cmd(&["SCARD", "ss"]), b":2\r\n");
    c.cmd(&["SELECT", "3"]);
    assert_eq!(c.cmd(&["GET", "in3"]), b"$2\r\nv3\r\n");
    c.cmd(&["SELECT", "0"]);
}

#[test]
fn save_and_bgsave_survive_a_restart() {
    let dir = fresh_temp_dir("persist-restart");
    {
        let srv = start_in(&dir, &[]);
        let mut c = srv.connect();
        fill(&mut c);
        assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
        assert_eq!(
            info_field(&mut c, "persistence", "rdb_changes_since_last_save"),
            "0"
        );
        c.cmd(&["SET", "after", "bg"]);
        assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
        wait_bgsave(&mut c);
        assert_eq!(
            info_field(&mut c, "persistence", "rdb_last_bgsave_status"),
            "ok"
        );
    }
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    check(&mut c);
    assert_eq!(c.cmd(&["GET", "after"]), b"$2\r\nbg\r\n");
    assert!(srv.log().contains("DB loaded from disk"));
}

#[test]
fn shutdown_saves_when_save_points_exist_and_nosave_skips() {
    let dir = fresh_temp_dir("persist-shutdown");
    let srv = start_in(&dir, &["--save", "3600 1"]);
    let mut c = srv.connect();
    c.cmd(&["SET", "k", "v1"]);
    c.send(&[b"SHUTDOWN"]);
    assert!(c.is_closed_within(Duration::from_secs(10)));
    drop(srv);
    let srv = start_in(&dir, &["--save", "3600 1"]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["GET", "k"]), b"$2\r\nv1\r\n");
    c.cmd(&["SET", "k", "v2"]);
    c.send(&[b"SHUTDOWN", b"NOSAVE"]);
    assert!(c.is_closed_within(Duration::from_secs(10)));
    drop(srv);
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["GET", "k"]), b"$2\r\nv1\r\n");
}

#[test]
fn bgsave_is_a_point_in_time_copy_while_clients_write() {
    let dir = fresh_temp_dir("persist-pit");
    let keys = 300_000;
    let srv = start_in(&dir, &["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    assert_eq!(
        c.cmd(&["DEBUG", "POPULATE", &keys.to_string(), "key", "20"]),
        b"+OK\r\n"
    );
    assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    // Rewrite every key while the snapshot thread writes the file.
    let mut w = srv.connect();
    let mut batch = Vec::new();
    for i in 0..keys {
        let k = format!("key:{i}");
        batch.extend(Conn::encode(&[b"SET", k.as_bytes(), b"rewritten"]));
        if i % 1000 == 999 {
            w.send_raw(&batch);
            batch.clear();
            for _ in 0..1000 {
                w.read_reply();
            }
        }
    }
    wait_bgsave(&mut c);
    assert_eq!(
        info_field(&mut c, "persistence", "rdb_last_bgsave_status"),
        "ok"
    );
    drop(c);
    drop(w);
    drop(srv);
    // The file holds the values of the moment BGSAVE started, all of them.
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["DBSIZE"]), format!(":{keys}\r\n").into_bytes());
    for i in (0..keys).step_by(997) {
        let got = c.cmd(&["GET", &format!("key:{i}")]);
        assert!(
            got.starts_with(b"$20\r\nvalue:"),
            "key:{i} is {:?}",
            String::from_utf8_lossy(&got)
        );
    }
}

#[test]
fn redis_loads_what_oxidis_saved() {
    require_redis();
    let dir = fresh_temp_dir("persist-interop");
    {
        let srv = start_in(&dir, &[]);
        let mut c = srv.connect();
        fill(&mut c);
        assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
        wait_bgsave(&mut c);
    }
    let redis = Server::redis(&["--dir", dir.to_str().unwrap(), "--dbfilename", "dump.rdb"]);
    let mut r = redis.connect();
    assert_eq!(r.cmd(&["DBSIZE"]), b":8\r\n");
    assert_eq!(r.cmd(&["GET", "s"]), b"$5\r\nhello\r\n");
    assert_eq!(r.cmd(&["HGET", "h", "f2"]), b"$1\r\n2\r\n");
    assert_eq!(r.cmd(&["SCARD", "si"]), b":3\r\n");
    assert_eq!(r.cmd(&["LINDEX", "l", "-1"]), b"$1\r\n2\r\n");
    // And oxidis loads what redis saves.
    r.cmd(&["SET", "from-redis", "yes"]);
    assert_eq!(r.cmd(&["SAVE"]), b"+OK\r\n");
    drop(redis);
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    check(&mut c);
    assert_eq!(c.cmd(&["GET", "from-redis"]), b"$3\r\nyes\r\n");
}

#[test]
fn sigkill_during_bgsave_keeps_the_previous_dump() {
    let dir = fresh_temp_dir("persist-kill");
    let mut srv = start_in(&dir, &["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    c.cmd(&["SET", "marker", "old"]);
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    c.cmd(&["DEBUG", "POPULATE", "400000", "key", "50"]);
    c.cmd(&["SET", "marker", "new"]);
    assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    unsafe { libc::kill(srv.pid() as i32, libc::SIGKILL) };
    common::wait_for_exit(&mut srv);
    drop(srv);
    // Whatever was on disk is a complete dump: the old one, or the new one if the
    // rename happened before the kill.
    let srv = start_in(&dir, &[]);
    let mut c = srv.connect();
    let marker = c.cmd(&["GET", "marker"]);
    assert!(
        marker == b"$3\r\nold\r\n" || marker == b"$3\r\nnew\r\n",
        "{marker:?}"
    );
}

#[test]
fn corrupt_dump_stops_start_up_with_a_clear_error() {
    let dir = fresh_temp_dir("persist-corrupt");
    {
        let srv = start_in(&dir, &[]);
        let mut c = srv.connect();
        fill(&mut c);
        assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    }
    let path = dir.join("dump.rdb");
    let mut bytes = std::fs::read(&path).unwrap();
    std::fs::write(dir.join("good.rdb"), &bytes).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0x5a;
    std::fs::write(&path, &bytes).unwrap();
    let out = Command::new(oxidis_bin())
        .args(["--port", "0", "--save", ""])
        .args(["--dir", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    // Redis's report: what failed and where, then the verdict; oxidis adds
    // the redis-check-rdb command line that Redis runs itself.
    let abs = std::fs::canonicalize(&path).unwrap();
    for line in [
        "# Internal error in RDB reading offset ".to_string(),
        format!(
            "# For a report on the file, run: redis-check-rdb {}",
            abs.display()
        ),
        "# Terminating server after rdb file reading failure.".to_string(),
    ] {
        assert!(text.contains(&line), "lacks {line:?}:\n{text}");
    }
    std::fs::write(&path, &bytes[..n / 3]).unwrap();
    let out = Command::new(oxidis_bin())
        .args(["--port", "0", "--save", ""])
        .args(["--dir", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    for line in [
        "# Short read or OOM loading DB. Unrecoverable error, aborting now.",
        "-> Unexpected EOF reading RDB file",
        "# Terminating server after rdb file reading failure.",
    ] {
        assert!(text.contains(line), "lacks {line:?}:\n{text}");
    }
    // A bad checksum only: Redis's two lines.
    let mut bytes = std::fs::read(dir.join("good.rdb")).unwrap();
    let n = bytes.len();
    bytes[n - 1] ^= 0xff;
    std::fs::write(&path, &bytes).unwrap();
    let out = Command::new(oxidis_bin())
        .args(["--port", "0", "--save", ""])
        .args(["--dir", dir.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("# Wrong RDB checksum expected: ("), "{text}");
    assert!(text.contains("). Aborting now."), "{text}");
    assert!(text.contains("-> RDB CRC error"), "{text}");
}

/// The load's log lines, as Redis writes them.
#[test]
fn startup_load_logs_the_reference_lines() {
    let dir = fresh_temp_dir("persist-loadlog");
    {
        let srv = start_in(&dir, &[]);
        let mut c = srv.connect();
        fill(&mut c);
        assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    }
    let srv = start_in(&dir, &[]);
    let log = std::fs::read_to_string(srv.dir().join("server.log")).unwrap();
    for line in [
        "# Server initialized",
        "* Loading RDB produced by version 7.0.15",
        "* RDB age ",
        "* RDB memory usage when created ",
        "* Done loading RDB, keys loaded: 9, keys expired: 0.",
        "* DB loaded from disk: ",
        "* Ready to accept connections",
    ] {
        assert!(log.contains(line), "lacks {line:?}:\n{log}");
    }
    let order: Vec<usize> = [
        "Loading RDB produced",
        "RDB age",
        "RDB memory usage",
        "Done loading RDB",
    ]
    .iter()
    .map(|l| log.find(l).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{log}");
    assert!(!log.contains("os error"), "{log}");
}

#[test]
fn bgsave_schedule_and_errors() {
    let dir = fresh_temp_dir("persist-sched");
    let srv = start_in(&dir, &["--enable-debug-command", "yes"]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["BGSAVE", "NOW"]), b"-ERR syntax error\r\n");
    c.cmd(&["DEBUG", "POPULATE", "200000"]);
    let before: i64 = String::from_utf8_lossy(&c.cmd(&["LASTSAVE"])[1..])
        .trim()
        .parse()
        .unwrap();
    assert_eq!(c.cmd(&["BGSAVE"]), b"+Background saving started\r\n");
    let second = c.cmd(&["BGSAVE"]);
    assert!(
        second == b"-ERR Background save already in progress\r\n"
            || second == b"+Background saving started\r\n",
        "{second:?}"
    );
    wait_bgsave(&mut c);
    let after: i64 = String::from_utf8_lossy(&c.cmd(&["LASTSAVE"])[1..])
        .trim()
        .parse()
        .unwrap();
    assert!(after >= before);
    assert_eq!(
        info_field(&mut c, "persistence", "rdb_bgsave_in_progress"),
        "0"
    );
}

/// An RDB file whose one key has an expiry of -1 ms.
fn minus_one_ms_rdb() -> Vec<u8> {
    let mut rdb = b"REDIS0010".to_vec();
    rdb.extend_from_slice(&[0xFE, 0x00]); // SELECTDB 0
    rdb.push(0xFC); // EXPIRETIME_MS
    rdb.extend_from_slice(&(-1i64).to_le_bytes());
    rdb.extend_from_slice(&[0x00, 0x01, b'k', 0x01, b'v']); // string k = v
    rdb.push(0xFF); // EOF
    rdb.extend_from_slice(&[0; 8]); // no checksum
    rdb
}

/// Loads [`minus_one_ms_rdb`] into the server `start` starts in a directory.
fn minus_one_ms_keeps_the_key(start: &dyn Fn(&Path) -> Server) {
    let dir = fresh_temp_dir("persist-minus-one");
    std::fs::write(dir.join("dump.rdb"), minus_one_ms_rdb()).unwrap();
    let srv = start(&dir);
    let mut c = srv.connect();
    assert_eq!(
        c.cmd(&["GET", "k"]),
        b"$1\r\nv\r\n",
        "{}",
        srv.bin().display()
    );
    assert_eq!(c.cmd(&["PTTL", "k"]), b":-1\r\n");
}

/// An expiry of -1 ms in an RDB file is Redis's "no expiry": the key loads and
/// does not expire.
#[test]
fn rdb_expiry_of_minus_one_ms_keeps_the_key() {
    minus_one_ms_keeps_the_key(&|dir| start_in(dir, &[]));
}

/// ... as in redis-server.
#[test]
fn rdb_expiry_of_minus_one_ms_keeps_the_key_on_redis() {
    minus_one_ms_keeps_the_key(&|dir| {
        Server::redis(&["--dir", dir.to_str().unwrap(), "--dbfilename", "dump.rdb"])
    });
}
