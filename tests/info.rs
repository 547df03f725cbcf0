//! INFO, MEMORY and CONFIG REWRITE against the real binary, and INFO's layout
//! compared with a real redis-server (same sections, same field names per
//! section, same order; values differ).

mod common;

use common::{find_in_path, run_with_timeout, Conn, Server};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Fields oxidis shows that Redis does not.
const OXIDIS_ONLY: &[&str] = &["oxidis_version"];

fn info(c: &mut Conn, args: &[&str]) -> String {
    let mut a = vec!["INFO"];
    a.extend_from_slice(args);
    let r = c.cmd_reply(&a);
    String::from_utf8(r.as_bytes().expect("INFO reply")).unwrap()
}

/// (section header, field names) in order; per-command and per-error lines
/// (whose names depend on what ran) are left out.
fn layout(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.split("\r\n") {
        if let Some(h) = line.strip_prefix("# ") {
            out.push((h.to_string(), Vec::new()));
        } else if let Some((k, _)) = line.split_once(':') {
            let dynamic = ["cmdstat_", "errorstat_", "latency_percentiles_usec_", "db"]
                .iter()
                .any(|p| k.starts_with(p));
            if !dynamic && !OXIDIS_ONLY.contains(&k) {
                out.last_mut()
                    .expect("field before a header")
                    .1
                    .push(k.into());
            }
        }
    }
    out
}

#[test]
fn info_layout_matches_redis() {
    common::require_redis();
    let (ox, rd) = (Server::oxidis(&[]), Server::redis(&[]));
    let (mut o, mut r) = (ox.connect(), rd.connect());
    for args in [
        &[][..],
        &["default"],
        &["all"],
        &["everything"],
        &["clients", "memory"],
        &["keyspace", "bogus", "server"],
        &["commandstats"],
        &["CPU"],
    ] {
        assert_eq!(
            layout(&info(&mut o, args)),
            layout(&info(&mut r, args)),
            "INFO {args:?}"
        );
    }
    assert_eq!(info(&mut o, &["bogus"]), "");
    // Sections end with CRLF and are separated by an empty line, as in Redis.
    let two = info(&mut o, &["modules", "cpu"]);
    assert!(
        two.starts_with("# CPU\r\n") && two.ends_with("\r\n\r\n# Modules\r\n"),
        "{two:?}"
    );
}

#[test]
fn info_is_verbatim_in_resp3() {
    let ox = Server::oxidis(&[]);
    let mut c = ox.connect();
    c.cmd(&["HELLO", "3"]);
    let raw = c.cmd(&["INFO", "cluster"]);
    assert_eq!(raw, b"=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
}

fn field(text: &str, name: &str) -> Option<String> {
    text.split("\r\n")
        .find_map(|l| l.strip_prefix(&format!("{name}:")).map(str::to_string))
}

#[test]
fn errorstats_and_commandstats_count() {
    let ox = Server::oxidis(&[]);
    let mut c = ox.connect();
    c.cmd(&["SET", "s", "v"]);
    c.cmd(&["GET", "s"]);
    c.cmd(&["GET", "s"]);
    c.cmd(&["INCR", "s"]); // ERR not an integer
    c.cmd(&["LPUSH", "s", "x"]); // WRONGTYPE (or unknown command)
    c.cmd(&["NOSUCHCOMMAND"]); // ERR unknown command
    c.cmd(&["GET"]); // ERR wrong number of arguments: rejected
    c.cmd(&["CONFIG", "GET", "hz"]);
    let text = info(&mut c, &["errorstats", "commandstats", "stats"]);
    let err = field(&text, "errorstat_ERR").expect(&text);
    let total: u64 = field(&text, "total_error_replies")
        .unwrap()
        .parse()
        .unwrap();
    assert!(total >= 4, "{text}");
    assert!(err.starts_with("count="), "{err}");
    let get = field(&text, "cmdstat_get").expect(&text);
    assert!(
        get.starts_with("calls=2,") && get.ends_with("rejected_calls=1,failed_calls=0"),
        "{get}"
    );
    let incr = field(&text, "cmdstat_incr").expect(&text);
    assert!(incr.ends_with("failed_calls=1"), "{incr}");
    assert!(field(&text, "cmdstat_config|get").is_some(), "{text}");
    // CONFIG RESETSTAT clears them.
    c.cmd(&["CONFIG", "RESETSTAT"]);
    let text = info(&mut c, &["errorstats", "commandstats", "stats"]);
    assert!(field(&text, "errorstat_ERR").is_none(), "{text}");
    assert!(field(&text, "cmdstat_get").is_none(), "{text}");
    assert_eq!(field(&text, "total_error_replies").as_deref(), Some("0"));
}

#[test]
fn memory_fields_are_sane() {
    let ox = Server::oxidis(&[]);
    let mut c = ox.connect();
    c.cmd(&["CONFIG", "SET", "maxmemory", "100mb"]);
    let big = "x".repeat(10_000);
    c.cmd(&["SET", "big", &big]);
    c.cmd(&["SET", "small", "1"]);
    let text = info(&mut c, &["memory"]);
    let n = |k: &str| -> u64 { field(&text, k).expect(k).parse().expect(k) };
    assert!(n("used_memory") > 10_000);
    assert!(n("used_memory_rss") > n("used_memory") / 2);
    assert!(n("used_memory_peak") >= n("used_memory"));
    assert_eq!(n("maxmemory"), 100 << 20);
    assert_eq!(field(&text, "maxmemory_human").as_deref(), Some("100.00M"));
    assert_eq!(
        field(&text, "maxmemory_policy").as_deref(),
        Some("noeviction")
    );
    let usage = |c: &mut Conn, k: &str| c.cmd_reply(&["MEMORY", "USAGE", k]);
    let b = usage(&mut c, "big").as_bytes().unwrap();
    let b: u64 = String::from_utf8(b).unwrap().parse().unwrap();
    assert!((10_000..11_000).contains(&b), "{b}");
    let s: u64 = String::from_utf8(usage(&mut c, "small").as_bytes().unwrap())
        .unwrap()
        .parse()
        .unwrap();
    assert!(s > 0 && s < 200, "{s}");
    assert_eq!(c.cmd(&["MEMORY", "USAGE", "nokey"]), b"$-1\r\n");
    assert_eq!(
        c.cmd(&["MEMORY", "USAGE", "big", "SAMPLES", "-1"]),
        b"-ERR syntax error\r\n"
    );
    let stats = c.cmd_reply(&["MEMORY", "STATS"]);
    assert_eq!(stats.elements().map(|e| e.len()), Some(2 * 28), "{stats:?}");
    assert_eq!(c.cmd(&["MEMORY", "PURGE"]), b"+OK\r\n");
    assert!(c.cmd_reply(&["MEMORY", "DOCTOR"]).as_bytes().is_some());
}

#[test]
fn config_rewrite_round_trip() {
    let dir = common::fresh_temp_dir("rewrite");
    let conf = dir.join("oxidis.conf");
    std::fs::write(
        &conf,
        "# my settings\nmaxmemory 1mb\n  # keep me\nhz 10\nslowlog-max-len 128\n",
    )
    .unwrap();
    let ox = Server::start_with_config(&common::oxidis_bin(), &conf, &[]);
    let mut c = ox.connect();
    for (k, v) in [
        ("maxmemory", "2mb"),
        ("hz", "20"),
        ("maxmemory-policy", "allkeys-lru"),
    ] {
        assert_eq!(c.cmd(&["CONFIG", "SET", k, v]), b"+OK\r\n");
    }
    assert_eq!(c.cmd(&["CONFIG", "REWRITE"]), b"+OK\r\n");
    let text = std::fs::read_to_string(&conf).unwrap();
    assert!(
        text.starts_with("# my settings\nmaxmemory 2mb\n# keep me\nhz 20\nslowlog-max-len 128\n"),
        "{text}"
    );
    assert!(text.contains("# Generated by CONFIG REWRITE\n"), "{text}");
    assert!(text.contains("\nmaxmemory-policy allkeys-lru\n"), "{text}");
    drop(c);
    drop(ox);
    // The rewrite recorded the first server's `dir`, a temp dir that is gone
    // now (Redis writes `dir` the same way); the harness passes its own.
    let kept: Vec<&str> = text.lines().filter(|l| !l.starts_with("dir ")).collect();
    std::fs::write(&conf, kept.join("\n") + "\n").unwrap();
    let ox = Server::start_with_config(&common::oxidis_bin(), &conf, &[]);
    let mut c = ox.connect();
    let got = c.cmd_reply(&["CONFIG", "GET", "maxmemory*"]);
    let flat: Vec<String> = got
        .elements()
        .map(|e| {
            e.iter()
                .map(|x| String::from_utf8(x.as_bytes().unwrap()).unwrap())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        flat.windows(2).any(|w| w == ["maxmemory", "2097152"]),
        "{flat:?}"
    );
    assert!(
        flat.windows(2)
            .any(|w| w == ["maxmemory-policy", "allkeys-lru"]),
        "{flat:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn config_rewrite_without_file() {
    let ox = Server::oxidis(&[]);
    let mut c = ox.connect();
    assert_eq!(
        c.cmd(&["CONFIG", "REWRITE"]),
        b"-ERR The server is running without a config file\r\n"
    );
}

fn cli_run(port: u16, args: &[&str], secs: u64) -> (Option<i32>, String) {
    let cli = find_in_path("redis-cli").unwrap();
    let (code, out, err) = run_with_timeout(
        Command::new(cli)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(args)
            .stdin(Stdio::null()),
        Duration::from_secs(secs),
    );
    (code, format!("{out}{err}"))
}

#[test]
fn redis_cli_stat_bigkeys_memkeys() {
    common::require_in_path("redis-cli");
    let ox = Server::oxidis(&[]);
    let mut c = ox.connect();
    for i in 0..50 {
        c.cmd(&["SET", &format!("k{i}"), &"v".repeat(i * 10)]);
    }
    for args in [&["--bigkeys"][..], &["--memkeys"]] {
        let (code, out) = cli_run(ox.port, args, 30);
        assert_eq!(code, Some(0), "{args:?}: {out}");
        assert!(!out.contains("ERR"), "{args:?}: {out}");
        assert!(out.contains("Biggest"), "{args:?}: {out}");
    }
    // --stat runs until killed; stdbuf makes its lines reach the pipe.
    let cli = find_in_path("redis-cli").unwrap();
    let mut cmd = match find_in_path("stdbuf") {
        Some(sb) => {
            let mut c = Command::new(sb);
            c.arg("-oL").arg(cli);
            c
        }
        None => Command::new(cli),
    };
    let dir = common::fresh_temp_dir("cli-stat");
    let out_path = dir.join("out");
    let mut child = cmd
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &ox.port.to_string(),
            "--stat",
            "-i",
            "0.5",
        ])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(dir.join("err")).unwrap())
        .spawn()
        .unwrap();
    // Three rows of figures after the header: it kept polling the server.
    let rows = |text: &str| {
        text.lines()
            .skip_while(|l| !l.starts_with("keys"))
            .skip(1)
            .count()
    };
    let mut text = String::new();
    common::wait_for_condition("three rows from redis-cli --stat", || {
        text = std::fs::read_to_string(&out_path).unwrap_or_default();
        rows(&text) >= 3 || !matches!(child.try_wait(), Ok(None))
    });
    let alive = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    text = std::fs::read_to_string(&out_path).unwrap_or_default()
        + &std::fs::read_to_string(dir.join("err")).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(alive, "redis-cli --stat exited early: {text}");
    assert!(text.contains("keys") && text.contains("mem"), "{text}");
    assert!(!text.contains("ERR"), "{text}");
}
