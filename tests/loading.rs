//! Loading the dataset at start-up while serving clients, as Redis does: the
//! port accepts connections during the load, commands not flagged `loading`
//! get `-LOADING`, INFO reports `loading:1` and the `loading_*` fields, and the
//! data is all there afterwards. A shutdown during the load exits without
//! writing the half-loaded data over the dump. Each check runs against oxidis
//! and, when it is installed, redis-server (the replies compared byte for byte).

mod common;

use std::path::Path;
use std::time::Duration;

use common::{fresh_temp_dir, info_field, oxidis_bin, redis_bin, require_redis, Conn, Server};

const KEYS: usize = 20_000;
const LOADING: &[u8] = b"-LOADING Redis is loading the dataset in memory\r\n";

/// Writes a dump of `KEYS` DEBUG POPULATE keys into `dir` (with oxidis).
fn make_dump(dir: &Path) -> u64 {
    let srv = Server::oxidis(&[
        "--dir",
        dir.to_str().unwrap(),
        "--enable-debug-command",
        "yes",
    ]);
    let mut c = srv.connect();
    c.cmd(&["DEBUG", "POPULATE", &KEYS.to_string()]);
    assert_eq!(c.cmd(&["SAVE"]), b"+OK\r\n");
    std::fs::metadata(dir.join("dump.rdb")).unwrap().len()
}

/// Starts `bin` on the dump in `dir`, slowed down so the load takes a while
/// (about 1 s at 50 us per key) and serves clients every KB.
fn start_loading(bin: &Path, dir: &Path) -> Server {
    Server::start_loading(
        bin,
        &[
            "--dir",
            dir.to_str().unwrap(),
            "--key-load-delay",
            "50",
            "--loading-process-events-interval-bytes",
            "1024",
        ],
    )
}

fn wait_loaded(c: &mut Conn) {
    common::wait_for_condition_within("the load to finish", Duration::from_secs(60), || {
        info_field(c, "persistence", "loading") == "0"
    });
}

/// What a client sees of a load; the replies that do not depend on timing.
fn watch_load(bin: &Path, dir: &Path, size: u64) -> Vec<Vec<u8>> {
    let srv = start_loading(bin, dir);
    let mut c = srv.connect();
    let mut seen = Vec::new();
    let info = String::from_utf8(c.cmd(&["INFO", "persistence"])).unwrap();
    assert!(info.contains("\r\nloading:1\r\n"), "{info}");
    assert!(
        info.contains(&format!("loading_total_bytes:{size}\r\n")),
        "{info}"
    );
    for f in [
        "loading_start_time:",
        "loading_loaded_bytes:",
        "loading_loaded_perc:",
        "loading_eta_seconds:",
    ] {
        assert!(info.contains(f), "no {f} in {info}");
    }
    seen.push(c.cmd(&["GET", "key:1"]));
    seen.push(c.cmd(&["DBSIZE"]));
    seen.push(c.cmd(&["PING"]));
    seen.push(c.cmd(&["SET", "x", "1"]));
    seen.push(c.cmd(&["CONFIG", "GET", "maxmemory"]));
    seen.push(c.cmd(&["ECHO", "hi"]));
    seen.push(c.cmd(&["SELECT", "1"]));
    seen.push(c.cmd(&["SELECT", "0"]));
    // Over maxmemory, still -LOADING: nothing is evicted during a load.
    seen.push(c.cmd(&["CONFIG", "SET", "maxmemory", "1"]));
    seen.push(c.cmd(&["SET", "x", "1"]));
    seen.push(c.cmd(&["CONFIG", "SET", "maxmemory", "0"]));
    // A second client is accepted and served too.
    let mut other = srv.connect();
    seen.push(other.cmd(&["GET", "key:1"]));
    assert_eq!(
        info_field(&mut c, "persistence", "loading"),
        "1",
        "the load should still run (make it slower)"
    );
    wait_loaded(&mut c);
    seen.push(c.cmd(&["GET", "key:1"]));
    seen.push(c.cmd(&["DBSIZE"]));
    assert_eq!(
        info_field(&mut c, "persistence", "rdb_last_load_keys_loaded"),
        KEYS.to_string()
    );
    let info = String::from_utf8(c.cmd(&["INFO", "persistence"])).unwrap();
    assert!(!info.contains("loading_total_bytes"), "{info}");
    seen
}

/// What [`watch_load`] sees.
const WHILE_LOADING: &[&[u8]] = &[
    LOADING,
    LOADING,
    LOADING,
    LOADING,
    b"*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n",
    b"$2\r\nhi\r\n",
    b"+OK\r\n",
    b"+OK\r\n",
    b"+OK\r\n",
    LOADING,
    b"+OK\r\n",
    LOADING,
    b"$7\r\nvalue:1\r\n",
    b":20000\r\n",
];

#[test]
fn clients_are_served_while_the_dump_loads() {
    let dir = fresh_temp_dir("loading");
    let size = make_dump(&dir);
    let seen = watch_load(&oxidis_bin(), &dir, size);
    let seen_ref: Vec<&[u8]> = seen.iter().map(|v| &v[..]).collect();
    assert_eq!(seen_ref, WHILE_LOADING);
    let _ = std::fs::remove_dir_all(&dir);
}

/// ... and redis-server's clients see the same.
#[test]
fn clients_are_served_while_the_dump_loads_on_redis() {
    require_redis();
    let dir = fresh_temp_dir("loading-redis");
    let size = make_dump(&dir);
    let theirs = watch_load(&redis_bin().unwrap(), &dir, size);
    let theirs_ref: Vec<&[u8]> = theirs.iter().map(|v| &v[..]).collect();
    assert_eq!(theirs_ref, WHILE_LOADING, "redis-server");
    let _ = std::fs::remove_dir_all(&dir);
}

/// SHUTDOWN (or SIGTERM) during the load ends the process at once and never
/// saves: the dump on disk keeps all its keys.
#[test]
fn shutdown_during_the_load_keeps_the_dump() {
    let dir = fresh_temp_dir("loading-shutdown");
    let size = make_dump(&dir);
    let mut srv = start_loading(&oxidis_bin(), &dir);
    let mut c = srv.connect();
    assert_eq!(info_field(&mut c, "persistence", "loading"), "1");
    c.send(&[b"SHUTDOWN", b"SAVE"]);
    common::wait_for_exit(&mut srv);
    assert_eq!(std::fs::metadata(dir.join("dump.rdb")).unwrap().len(), size);

    let mut srv = start_loading(&oxidis_bin(), &dir);
    let mut c = srv.connect();
    assert_eq!(info_field(&mut c, "persistence", "loading"), "1");
    unsafe {
        libc::kill(srv.pid() as i32, libc::SIGTERM);
    }
    common::wait_for_exit(&mut srv);
    assert_eq!(std::fs::metadata(dir.join("dump.rdb")).unwrap().len(), size);
    // And it loads in full.
    let srv = Server::oxidis(&["--dir", dir.to_str().unwrap()]);
    let mut c = srv.connect();
    assert_eq!(c.cmd(&["DBSIZE"]), format!(":{KEYS}\r\n").as_bytes());
    let _ = std::fs::remove_dir_all(&dir);
}
