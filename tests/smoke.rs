//! Smoke tests with the real Redis tools against oxidis: `redis-cli ping`,
//! `redis-cli --pipe` mass insertion, and a short `redis-benchmark` run.
//! They need those tools (see `common::require_tool`).

mod common;

use common::{require_in_path, run_with_timeout, Reply, Server};
use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn redis_cli_ping() {
    let cli = require_in_path("redis-cli");
    let srv = Server::oxidis(&[]);
    let (code, out, err) = run_with_timeout(
        Command::new(&cli)
            .args(["-h", "127.0.0.1", "-p", &srv.port.to_string(), "ping"])
            .stdin(Stdio::null()),
        Duration::from_secs(20),
    );
    assert_eq!(code, Some(0), "redis-cli ping failed: {out}{err}");
    assert_eq!(out.trim(), "PONG", "stderr: {err}");
}

#[test]
fn redis_cli_pipe_mass_insert() {
    let cli = require_in_path("redis-cli");
    let srv = Server::oxidis(&[]);
    const N: usize = 10_000;
    let mut data = Vec::new();
    for i in 0..N {
        let key = format!("key:{i}");
        let val = format!("value:{i}");
        data.extend_from_slice(&common::Conn::encode(&[
            b"SET",
            key.as_bytes(),
            val.as_bytes(),
        ]));
    }
    let input = common::fresh_temp_dir("pipe").join("input.resp");
    std::fs::write(&input, &data).unwrap();
    let (code, out, err) = run_with_timeout(
        Command::new(&cli)
            .args(["-h", "127.0.0.1", "-p", &srv.port.to_string(), "--pipe"])
            .stdin(std::fs::File::open(&input).unwrap()),
        Duration::from_secs(60),
    );
    let _ = std::fs::remove_dir_all(input.parent().unwrap());
    let all = format!("{out}{err}");
    assert_eq!(code, Some(0), "redis-cli --pipe failed: {all}");
    assert!(
        all.contains(&format!("errors: 0, replies: {N}")),
        "unexpected --pipe output: {all}"
    );
    let mut c = srv.connect();
    assert_eq!(c.cmd_reply(&["DBSIZE"]), Reply::Int(N as i64));
    assert_eq!(c.cmd(&["GET", "key:1234"]), b"$10\r\nvalue:1234\r\n");
}

#[test]
fn redis_benchmark_quick() {
    let bench = require_in_path("redis-benchmark");
    let srv = Server::oxidis(&[]);
    let (code, out, err) = run_with_timeout(
        Command::new(&bench)
            .args(["-h", "127.0.0.1", "-p", &srv.port.to_string()])
            .args(["-t", "ping,set,get,incr,mset", "-n", "2000", "-q"])
            .stdin(Stdio::null()),
        Duration::from_secs(120),
    );
    assert_eq!(code, Some(0), "redis-benchmark failed: {out}{err}");
    // -q prints one "NAME: N requests per second" line per test (progress lines
    // end with \r, so look at the text after the last \r of each line).
    let lines: Vec<&str> = out
        .lines()
        .map(|l| l.rsplit('\r').next().unwrap_or(l).trim())
        .filter(|l| l.contains("requests per second"))
        .collect();
    for test in ["PING_INLINE", "PING_MBULK", "SET", "GET", "INCR", "MSET"] {
        // "SET: 1234.5 requests per second" or "MSET (10 keys): 1234.5 requests ..."
        let line = lines
            .iter()
            .find(|l| l.split(':').next().and_then(|n| n.split(" (").next()) == Some(test))
            .unwrap_or_else(|| panic!("no result for {test} in:\n{out}\n{err}"));
        let rps: f64 = line
            .split_once(": ")
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("cannot parse {line:?}"));
        assert!(rps > 0.0, "{line}");
    }
    assert!(!out.contains("ERR"), "benchmark saw errors:\n{out}\n{err}");
    let mut c = srv.connect();
    assert!(matches!(c.cmd_reply(&["DBSIZE"]), Reply::Int(n) if n > 0));
}

#[test]
fn starts_with_config_file() {
    let dir = common::fresh_temp_dir("conf");
    let conf = dir.join("test.conf");
    std::fs::write(&conf, "# test config\ndatabases 4\n").unwrap();
    let srv = Server::start_with_config(&common::oxidis_bin(), &conf, &[]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["SELECT", "3"]), b"+OK\r\n");
    assert_eq!(
        c.cmd(&["SELECT", "4"]),
        b"-ERR DB index is out of range\r\n".to_vec()
    );
    drop(srv);
    let _ = std::fs::remove_dir_all(&dir);
}
