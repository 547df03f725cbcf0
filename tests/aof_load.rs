//! Loading the AOF at start-up and by DEBUG LOADAOF: directories written by
//! redis-server 7.0 (RDB-preamble and commands bases, incr files, MULTI,
//! `#TS:` annotations) load into oxidis with the same DEBUG DIGEST; the old
//! single-file AOF is moved into the directory; a truncated last file is
//! trimmed with `aof-load-truncated yes` and refused without it; a corrupt
//! file, a truncated middle file and bad manifests stop start-up with Redis's
//! log lines and exit code 1; history files go at start-up.

mod common;

use common::{fresh_temp_dir, info_field, oxidis_bin, require_redis, Conn, Server};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const DEBUG: [&str; 2] = ["--enable-debug-command", "yes"];

/// oxidis with `appendonly yes` in `dir`.
fn oxidis_in(dir: &Path, extra: &[&str]) -> Server {
    let mut args = vec!["--dir", dir.to_str().unwrap(), "--appendonly", "yes"];
    args.extend_from_slice(&DEBUG);
    args.extend_from_slice(extra);
    Server::oxidis(&args)
}

/// redis-server 7.0 with `appendonly yes` (fsync always) in `dir`.
fn redis_in(dir: &Path, extra: &[&str]) -> Server {
    require_redis();
    let mut args = vec![
        "--dir",
        dir.to_str().unwrap(),
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
    ];
    args.extend_from_slice(&DEBUG);
    args.extend_from_slice(extra);
    Server::redis(&args)
}

fn digest(c: &mut Conn) -> Vec<u8> {
    c.cmd(&["DEBUG", "DIGEST"])
}

fn aof_dir(dir: &Path) -> PathBuf {
    dir.join("appendonlydir")
}

fn manifest(dir: &Path) -> String {
    std::fs::read_to_string(aof_dir(dir).join("appendonly.aof.manifest")).unwrap_or_default()
}

/// Runs oxidis in `dir` expecting it to exit; returns (exit code, log).
fn oxidis_exits(dir: &Path, extra: &[&str]) -> (Option<i32>, String) {
    let port = common::free_port().to_string();
    let log = dir.join("exit.log");
    let _ = std::fs::remove_file(&log);
    let mut cmd = Command::new(oxidis_bin());
    cmd.args(["--port", &port, "--bind", "127.0.0.1", "--save", ""])
        .args(["--appendonly", "yes", "--dir", dir.to_str().unwrap()])
        .arg("--logfile")
        .arg(&log)
        .args(extra);
    let (code, _, _) = common::run_with_timeout(&mut cmd, Duration::from_secs(20));
    (code, std::fs::read_to_string(&log).unwrap_or_default())
}

fn resp(args: &[&str]) -> Vec<u8> {
    let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
    Conn::encode(&a)
}

/// A dataset of every type, a TTL, several databases, a MULTI/EXEC.
fn write_load(c: &mut Conn) {
    assert_eq!(c.cmd(&["SET", "s", "hello"]), b"+OK\r\n");
    c.cmd(&["INCRBY", "n", "41"]);
    c.cmd(&["INCRBYFLOAT", "f", "1.5"]);
    c.cmd(&["SET", "ttl", "v", "EX", "1000"]);
    c.cmd(&["RPUSH", "l", "a", "b", "1", "2"]);
    c.cmd(&["LPOP", "l"]);
    c.cmd(&["HSET", "h", "f1", "v1", "f2", "2"]);
    c.cmd(&["SADD", "si", "1", "2", "3"]);
    c.cmd(&["SADD", "ss", "x", "y", "z"]);
    c.cmd(&["SPOP", "ss"]);
    c.cmd(&["ZADD", "z", "1", "a", "2.5", "b"]);
    c.cmd(&["XADD", "st", "1-1", "f", "v"]);
    c.cmd(&["XGROUP", "CREATE", "st", "g", "0"]);
    c.cmd(&[
        "XREADGROUP",
        "GROUP",
        "g",
        "c1",
        "COUNT",
        "1",
        "STREAMS",
        "st",
        ">",
    ]);
    c.cmd(&["PFADD", "hll", "a", "b", "c"]);
    c.cmd(&["SETBIT", "bits", "100", "1"]);
    c.cmd(&["MULTI"]);
    c.cmd(&["INCR", "n"]);
    c.cmd(&["RPUSH", "l", "m"]);
    assert!(c.cmd(&["EXEC"]).starts_with(b"*2"));
    c.cmd(&["SELECT", "5"]);
    c.cmd(&["SET", "in5", "v5"]);
    c.cmd(&["EXPIRE", "in5", "5000"]);
    c.cmd(&["SELECT", "0"]);
    c.cmd(&["DEL", "f"]);
    c.cmd(&["APPEND", "s", " world"]);
}

fn wait_rewrite(c: &mut Conn) {
    common::wait_for_condition_within("rewrite to finish", Duration::from_secs(30), || {
        info_field(c, "persistence", "aof_rewrite_in_progress") == "0"
            && info_field(c, "persistence", "aof_rewrite_scheduled") == "0"
    });
}

/// Redis writes a directory (base from BGREWRITEAOF, then an incr file),
/// oxidis loads it with the same digest.
fn redis_dir_roundtrip(extra: &[&str]) {
    let dir = fresh_temp_dir("aofload-redis");
    let want = {
        let r = redis_in(&dir, extra);
        let mut c = r.connect();
        write_load(&mut c);
        assert!(c.cmd(&["BGREWRITEAOF"]).starts_with(b"+Background"));
        wait_rewrite(&mut c);
        write_load(&mut c);
        c.cmd(&["SET", "after-rewrite", "1"]);
        digest(&mut c)
    };
    let m = manifest(&dir);
    assert!(m.contains("type b") && m.contains("type i"), "{m}");
    let srv = oxidis_in(&dir, extra);
    let mut c = srv.connect();
    assert_eq!(digest(&mut c), want, "{}", srv.log_tail(20));
    let log = srv.log();
    assert!(log.contains("DB loaded from base file"), "{log}");
    assert!(log.contains("DB loaded from incr file"), "{log}");
    assert!(log.contains("DB loaded from append only file"), "{log}");
    // Replayed commands are not counted as calls.
    let stats = String::from_utf8_lossy(&c.cmd(&["INFO", "commandstats"])).into_owned();
    assert!(!stats.contains("cmdstat_set:"), "{stats}");
}

#[test]
fn redis_dir_with_rdb_preamble_loads() {
    redis_dir_roundtrip(&["--aof-use-rdb-preamble", "yes"]);
}

#[test]
fn redis_dir_with_commands_base_loads() {
    redis_dir_roundtrip(&["--aof-use-rdb-preamble", "no"]);
}

#[test]
fn redis_dir_with_timestamps_loads() {
    redis_dir_roundtrip(&["--aof-timestamp-enabled", "yes"]);
}

#[test]
fn restart_keeps_data_and_debug_loadaof_reloads() {
    let dir = fresh_temp_dir("aofload-restart");
    let want = {
        let srv = oxidis_in(&dir, &["--appendfsync", "always"]);
        let mut c = srv.connect();
        write_load(&mut c);
        let d = digest(&mut c);
        assert_eq!(c.cmd(&["DEBUG", "LOADAOF"]), b"+OK\r\n");
        assert_eq!(digest(&mut c), d);
        // DEBUG LOADAOF itself is not appended.
        let incr = std::fs::read(aof_dir(&dir).join("appendonly.aof.1.incr.aof")).unwrap();
        assert!(!String::from_utf8_lossy(&incr)
            .to_lowercase()
            .contains("loadaof"));
        d
    };
    let srv = oxidis_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(digest(&mut c), want);
    assert_eq!(c.cmd(&["GET", "s"]), b"$11\r\nhello world\r\n");
    let ttl = c.cmd(&["TTL", "ttl"]);
    assert!(ttl.starts_with(b":99") || ttl == b":1000\r\n", "{ttl:?}");
    assert!(srv
        .log()
        .contains("Opening AOF incr file appendonly.aof.1.incr.aof on server start"));
}

/// Several incr files, one of them empty, loaded in manifest order.
#[test]
fn several_incr_files_load_in_order() {
    let dir = fresh_temp_dir("aofload-incrs");
    let d = aof_dir(&dir);
    std::fs::create_dir_all(&d).unwrap();
    let mut one = resp(&["SELECT", "0"]);
    one.extend(resp(&["SET", "k", "1"]));
    one.extend(resp(&["RPUSH", "l", "a"]));
    let mut three = b"#TS:1700000000\r\n".to_vec();
    three.extend(resp(&["SET", "k", "3"]));
    three.extend(resp(&["RPUSH", "l", "c"]));
    std::fs::write(d.join("appendonly.aof.1.incr.aof"), one).unwrap();
    std::fs::write(d.join("appendonly.aof.2.incr.aof"), b"").unwrap();
    std::fs::write(d.join("appendonly.aof.3.incr.aof"), three).unwrap();
    std::fs::write(
        d.join("appendonly.aof.manifest"),
        "file appendonly.aof.1.incr.aof seq 1 type i\n\
         file appendonly.aof.2.incr.aof seq 2 type i\n\
         file appendonly.aof.3.incr.aof seq 3 type i\n",
    )
    .unwrap();
    let srv = oxidis_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["GET", "k"]), b"$1\r\n3\r\n");
    assert_eq!(
        c.cmd(&["LRANGE", "l", "0", "-1"]),
        b"*2\r\n$1\r\na\r\n$1\r\nc\r\n"
    );
    // Appending goes on in the last incr file; no base is created.
    assert!(srv
        .log()
        .contains("Opening AOF incr file appendonly.aof.3.incr.aof on server start"));
    assert!(!manifest(&dir).contains("type b"));
}

/// Redis <= 6's appendonly.aof in `dir`: moved into the directory as the
/// base, a manifest written, loaded; with an RDB preamble too.
#[test]
fn old_single_file_is_upgraded() {
    for preamble in [false, true] {
        let dir = fresh_temp_dir("aofload-upgrade");
        let mut old = Vec::new();
        if preamble {
            // An RDB written by oxidis itself stands for the preamble.
            let s = Server::oxidis(&["--dir", dir.to_str().unwrap()]);
            let mut c = s.connect();
            c.cmd(&["SET", "pre", "amble"]);
            assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
            drop(s);
            old = std::fs::read(dir.join("dump.rdb")).unwrap();
            std::fs::remove_file(dir.join("dump.rdb")).unwrap();
        }
        old.extend(resp(&["SELECT", "0"]));
        old.extend(resp(&["SET", "tail", "cmds"]));
        std::fs::write(dir.join("appendonly.aof"), &old).unwrap();
        // always: the reply comes after the write (the kill below loses nothing).
        let srv = oxidis_in(&dir, &["--appendfsync", "always"]);
        let mut c = srv.connect();
        assert_eq!(c.cmd(&["GET", "tail"]), b"$4\r\ncmds\r\n");
        if preamble {
            assert_eq!(c.cmd(&["GET", "pre"]), b"$5\r\namble\r\n");
            assert!(srv.log().contains("Reading RDB preamble from AOF file..."));
            assert!(srv.log().contains("Reading the remaining AOF tail..."));
        }
        assert!(!dir.join("appendonly.aof").exists());
        assert_eq!(
            std::fs::read(aof_dir(&dir).join("appendonly.aof")).unwrap(),
            old
        );
        assert_eq!(
            manifest(&dir),
            "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        );
        assert!(srv.log().contains(
            "Successfully migrated an old-style AOF file (appendonly.aof) into the AOF directory (appendonlydir)."
        ));
        c.cmd(&["SET", "new", "1"]);
        drop(c);
        drop(srv);
        let srv = oxidis_in(&dir, &[]);
        let mut c = srv.connect();
        assert_eq!(c.cmd(&["GET", "tail"]), b"$4\r\ncmds\r\n");
        assert_eq!(c.cmd(&["GET", "new"]), b"$1\r\n1\r\n");
    }
}

/// A directory with one incr file holding `data`.
fn dir_with_incr(tag: &str, data: &[u8]) -> PathBuf {
    let dir = fresh_temp_dir(tag);
    let d = aof_dir(&dir);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("appendonly.aof.1.incr.aof"), data).unwrap();
    std::fs::write(
        d.join("appendonly.aof.manifest"),
        "file appendonly.aof.1.incr.aof seq 1 type i\n",
    )
    .unwrap();
    dir
}

#[test]
fn truncated_tail_is_trimmed_with_aof_load_truncated() {
    let mut data = resp(&["SET", "a", "1"]);
    let good = data.len() as u64;
    data.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nab");
    let dir = dir_with_incr("aofload-trunc-yes", &data);
    let srv = oxidis_in(&dir, &["--aof-load-truncated", "yes"]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["GET", "a"]), b"$1\r\n1\r\n");
    assert_eq!(c.cmd(&["EXISTS", "b"]), b":0\r\n");
    let log = srv.log();
    for line in [
        "!!! Warning: short read while loading the AOF file appendonly.aof.1.incr.aof!!!",
        &format!("!!! Truncating the AOF appendonly.aof.1.incr.aof at offset {good} !!!"),
        "AOF appendonly.aof.1.incr.aof loaded anyway because aof-load-truncated is enabled",
    ] {
        assert!(log.contains(line), "{line}\n{log}");
    }
    // Trimmed to the last whole command, then appended to.
    c.cmd(&["SET", "c", "3"]);
    let now = std::fs::read(aof_dir(&dir).join("appendonly.aof.1.incr.aof")).unwrap();
    assert_eq!(&now[..good as usize], &data[..good as usize]);
    assert!(!now[good as usize..].starts_with(b"*3\r\n$3\r\nSET\r\n$1\r\nb"));
}

#[test]
fn truncated_tail_is_refused_without_aof_load_truncated() {
    let mut data = resp(&["SET", "a", "1"]);
    data.extend_from_slice(b"*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nab");
    let dir = dir_with_incr("aofload-trunc-no", &data);
    let (code, log) = oxidis_exits(&dir, &["--aof-load-truncated", "no"]);
    assert_eq!(code, Some(1), "{log}");
    assert!(
        log.contains("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."),
        "{log}"
    );
    // The file is left as it was.
    assert_eq!(
        std::fs::read(aof_dir(&dir).join("appendonly.aof.1.incr.aof")).unwrap(),
        data
    );
}

#[test]
fn unfinished_multi_is_reverted() {
    let mut data = resp(&["SET", "a", "1"]);
    let good = data.len() as u64;
    data.extend(resp(&["MULTI"]));
    data.extend(resp(&["SET", "b", "2"]));
    let dir = dir_with_incr("aofload-multi", &data);
    let srv = oxidis_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["EXISTS", "a", "b"]), b":1\r\n");
    let log = srv.log();
    assert!(log.contains(
        "Revert incomplete MULTI/EXEC transaction in AOF file appendonly.aof.1.incr.aof"
    ));
    assert!(log.contains(&format!(
        "!!! Truncating the AOF appendonly.aof.1.incr.aof at offset {good} !!!"
    )));
}

#[test]
fn corrupt_file_is_refused() {
    let mut data = resp(&["SET", "a", "1"]);
    data.extend_from_slice(b"garbage\r\n");
    data.extend(resp(&["SET", "b", "2"]));
    let dir = dir_with_incr("aofload-corrupt", &data);
    let (code, log) = oxidis_exits(&dir, &["--aof-load-truncated", "yes"]);
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains("Bad file format reading the append only file appendonly.aof.1.incr.aof: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>"), "{log}");
    let dir = dir_with_incr("aofload-unknown", &resp(&["NOSUCHCMD", "x"]));
    let (code, log) = oxidis_exits(&dir, &[]);
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains(
        "Unknown command 'NOSUCHCMD' reading the append only file appendonly.aof.1.incr.aof"
    ));
}

#[test]
fn truncated_middle_file_is_fatal() {
    let dir = fresh_temp_dir("aofload-trunc-mid");
    let d = aof_dir(&dir);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("appendonly.aof.1.incr.aof"), b"*2\r\n$3\r\nGET\r\n").unwrap();
    std::fs::write(
        d.join("appendonly.aof.2.incr.aof"),
        resp(&["SET", "a", "1"]),
    )
    .unwrap();
    std::fs::write(
        d.join("appendonly.aof.manifest"),
        "file appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
    )
    .unwrap();
    let (code, log) = oxidis_exits(&dir, &["--aof-load-truncated", "yes"]);
    assert_eq!(code, Some(1), "{log}");
    assert!(
        log.contains("Fatal error: the truncated file is not the last file"),
        "{log}"
    );
}

#[test]
fn bad_manifests_are_refused_with_redis_texts() {
    let cases: &[(&str, &str)] = &[
        ("", "Found an empty AOF manifest"),
        (
            "file a seq 1 type b",
            "The AOF manifest file contains too long line",
        ),
        ("file a seq 1\n", "Invalid AOF manifest file format"),
        (
            "file x/a seq 1 type b\n",
            "File can't be a path, just a filename",
        ),
        ("file a seq 1 type q\n", "Unknown AOF file type"),
        (
            "file a seq 1 type b\nfile b seq 2 type b\n",
            "Found duplicate base file information",
        ),
        (
            "file a seq 2 type i\nfile b seq 1 type i\n",
            "Found a non-monotonic sequence number",
        ),
    ];
    for (text, msg) in cases {
        let dir = fresh_temp_dir("aofload-manifest");
        std::fs::create_dir_all(aof_dir(&dir)).unwrap();
        std::fs::write(aof_dir(&dir).join("appendonly.aof.manifest"), text).unwrap();
        let (code, log) = oxidis_exits(&dir, &[]);
        assert_eq!(code, Some(1), "{text:?}: {log}");
        assert!(
            log.contains("*** FATAL AOF MANIFEST FILE ERROR ***"),
            "{log}"
        );
        assert!(log.contains(msg), "{text:?}: {log}");
    }
    // A file the manifest names but the disk lacks.
    let dir = fresh_temp_dir("aofload-missing");
    std::fs::create_dir_all(aof_dir(&dir)).unwrap();
    std::fs::write(
        aof_dir(&dir).join("appendonly.aof.manifest"),
        "file appendonly.aof.1.base.rdb seq 1 type b\n",
    )
    .unwrap();
    let (code, log) = oxidis_exits(&dir, &[]);
    assert_eq!(code, Some(1), "{log}");
    assert!(log.contains(
        "Unable to obtain the AOF file appendonly.aof.1.base.rdb length. stat: No such file or directory"
    ));
}

#[test]
fn history_files_are_deleted_at_start_up() {
    let dir = dir_with_incr("aofload-history", &resp(&["SET", "a", "1"]));
    let d = aof_dir(&dir);
    std::fs::write(
        d.join("appendonly.aof.0.incr.aof"),
        resp(&["SET", "old", "1"]),
    )
    .unwrap();
    std::fs::write(
        d.join("appendonly.aof.manifest"),
        "file appendonly.aof.0.incr.aof seq 7 type h\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
    )
    .unwrap();
    {
        let srv = oxidis_in(&dir, &["--aof-disable-auto-gc", "yes"]);
        assert!(d.join("appendonly.aof.0.incr.aof").exists());
        assert!(manifest(&dir).contains("type h"));
        drop(srv);
    }
    let srv = oxidis_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["EXISTS", "old", "a"]), b":1\r\n");
    assert!(!d.join("appendonly.aof.0.incr.aof").exists());
    assert!(!manifest(&dir).contains("type h"), "{}", manifest(&dir));
    assert!(srv
        .log()
        .contains("Removing the history file appendonly.aof.0.incr.aof in the background"));
}

/// oxidis's own directory loads into redis-server 7.0 and back.
#[test]
fn redis_loads_oxidis_dir() {
    let dir = fresh_temp_dir("aofload-ox2redis");
    let want = {
        let srv = oxidis_in(&dir, &["--appendfsync", "always"]);
        let mut c = srv.connect();
        write_load(&mut c);
        digest(&mut c)
    };
    let r = redis_in(&dir, &[]);
    let mut c = r.connect();
    assert_eq!(digest(&mut c), want);
}

/// While the AOF loads, clients get -LOADING and INFO shows the loading_*
/// fields; the load then completes.
#[test]
fn clients_are_served_while_the_aof_loads() {
    let mut data = Vec::new();
    for i in 0..6000 {
        data.extend(resp(&["SET", &format!("k{i}"), "v"]));
    }
    let total = data.len();
    let dir = dir_with_incr("aofload-loading", &data);
    let srv = Server::start_loading(
        &oxidis_bin(),
        &[
            "--dir",
            dir.to_str().unwrap(),
            "--appendonly",
            "yes",
            "--key-load-delay",
            "300",
        ],
    );
    let mut c = srv.connect();
    let ping = c.cmd(&["PING"]);
    assert!(
        ping.starts_with(b"-LOADING Redis is loading the dataset in memory"),
        "{}",
        String::from_utf8_lossy(&ping)
    );
    assert_eq!(info_field(&mut c, "persistence", "loading"), "1");
    assert_eq!(
        info_field(&mut c, "persistence", "loading_total_bytes"),
        total.to_string()
    );
    common::wait_for_condition_within("the load to end", Duration::from_secs(30), || {
        info_field(&mut c, "persistence", "loading") == "0"
    });
    assert_eq!(c.cmd(&["DBSIZE"]), b":6000\r\n");
}

/// CONFIG SET aof-disable-auto-gc no deletes the history files then.
#[test]
fn enabling_auto_gc_deletes_history_files() {
    let dir = dir_with_incr("aofload-gc", &resp(&["SET", "a", "1"]));
    let d = aof_dir(&dir);
    std::fs::write(d.join("appendonly.aof.9.base.rdb"), b"").unwrap();
    std::fs::write(
        d.join("appendonly.aof.manifest"),
        "file appendonly.aof.9.base.rdb seq 9 type h\nfile appendonly.aof.1.incr.aof seq 1 type i\n",
    )
    .unwrap();
    let srv = oxidis_in(&dir, &["--aof-disable-auto-gc", "yes"]);
    let mut c = srv.connect();
    assert!(d.join("appendonly.aof.9.base.rdb").exists());
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "aof-disable-auto-gc", "no"]),
        b"+OK\r\n"
    );
    assert!(!d.join("appendonly.aof.9.base.rdb").exists());
    assert_eq!(
        manifest(&dir),
        "file appendonly.aof.1.incr.aof seq 1 type i\n"
    );
}

/// DEBUG LOADAOF re-reads the manifest: the next rewrite goes on with the
/// sequence numbers (aof-multi-part's "consecutive sequence number after
/// reload").
#[test]
fn debug_loadaof_keeps_sequence_numbers() {
    let dir = fresh_temp_dir("aofload-seq");
    let srv = oxidis_in(&dir, &["--appendfsync", "always"]);
    let mut c = srv.connect();
    c.cmd(&["SET", "a", "1"]);
    assert!(c.cmd(&["BGREWRITEAOF"]).starts_with(b"+Background"));
    wait_rewrite(&mut c);
    c.cmd(&["SET", "b", "2"]);
    assert_eq!(
        manifest(&dir),
        "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
    );
    assert_eq!(c.cmd(&["DEBUG", "LOADAOF"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["MGET", "a", "b"]), b"*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    let files: u64 = ["appendonly.aof.2.base.rdb", "appendonly.aof.2.incr.aof"]
        .iter()
        .map(|f| std::fs::metadata(aof_dir(&dir).join(f)).unwrap().len())
        .sum();
    assert_eq!(
        info_field(&mut c, "persistence", "aof_current_size"),
        files.to_string()
    );
    assert!(c.cmd(&["BGREWRITEAOF"]).starts_with(b"+Background"));
    wait_rewrite(&mut c);
    assert_eq!(
        manifest(&dir),
        "file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n"
    );
    c.cmd(&["SET", "c", "3"]);
    let want = digest(&mut c);
    drop(c);
    drop(srv);
    let srv = oxidis_in(&dir, &[]);
    let mut c = srv.connect();
    assert_eq!(digest(&mut c), want);
}

/// An approximate trim is propagated as the exact one it did (`= <length>`,
/// LIMIT kept) and the loader obeys it: the LIMIT is ignored, not refused
/// (Redis's mustObeyClient), so the replayed stream has the same entries
/// whatever stream-node-max-entries is at load time (type/stream's "XADD with
/// ~ MAXLEN and LIMIT can propagate correctly").
#[test]
fn approximate_trims_with_limit_replay_exactly() {
    let dir = fresh_temp_dir("aofload-xtrim");
    let srv = oxidis_in(&dir, &["--stream-node-max-entries", "10"]);
    let mut c = srv.connect();
    for _ in 0..100 {
        c.cmd(&["XADD", "mystream", "*", "xitem", "v"]);
    }
    c.cmd(&[
        "XADD", "mystream", "MAXLEN", "~", "55", "LIMIT", "30", "*", "xitem", "v",
    ]);
    assert_eq!(c.cmd(&["XLEN", "mystream"]), b":71\r\n");
    for _ in 0..20 {
        c.cmd(&["XADD", "other", "*", "f", "v"]);
    }
    c.cmd(&["XTRIM", "other", "MAXLEN", "~", "5", "LIMIT", "10"]);
    assert_eq!(c.cmd(&["XLEN", "other"]), b":10\r\n");
    let want = digest(&mut c);
    c.cmd(&["CONFIG", "SET", "stream-node-max-entries", "1"]);
    assert_eq!(c.cmd(&["DEBUG", "LOADAOF"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["XLEN", "mystream"]), b":71\r\n");
    assert_eq!(c.cmd(&["XLEN", "other"]), b":10\r\n");
    assert_eq!(digest(&mut c), want);
    // Outside the loader the propagated form stays an error, as in Redis.
    assert_eq!(
        c.cmd(&["XTRIM", "other", "MAXLEN", "=", "5", "LIMIT", "10"]),
        b"-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n"
    );
}
