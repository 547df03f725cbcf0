//! BGREWRITEAOF and the run-time `CONFIG SET appendonly yes` (Redis 7.0's
//! multi-part AOF rewrite, persist/aof/rewrite.rs): replies, the manifest
//! after each rewrite (shape and history as Redis leaves it), scheduling
//! against BGSAVE, failures, SHUTDOWN during a rewrite, the automatic
//! rewrite, and rewrites under a write load whose directory oxidis (restarted) and
//! redis-server 7.0 load with the same DEBUG DIGEST and the values clients
//! were told.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use common::{info_field, info_u64, wait_for_condition, wait_for_condition_within, Conn, Server};

const FILE: &str = "appendonly.aof";

fn aof_dir(srv: &Server) -> PathBuf {
    srv.dir().join("appendonlydir")
}

fn manifest(srv: &Server) -> String {
    std::fs::read_to_string(aof_dir(srv).join(format!("{FILE}.manifest"))).unwrap_or_default()
}

/// The files in the AOF directory, sorted.
fn aof_files(srv: &Server) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(aof_dir(srv))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Temp files of a rewrite left in `dir`.
fn temp_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("temp-"))
        .collect()
}

fn wait_rewrite_done(c: &mut Conn) {
    wait_for_condition_within("the AOF rewrite to finish", Duration::from_secs(60), || {
        info_field(c, "persistence", "aof_rewrite_in_progress") == "0"
            && info_field(c, "persistence", "aof_rewrite_scheduled") == "0"
    });
}

fn digest(c: &mut Conn) -> String {
    let r = c.cmd(&["DEBUG", "DIGEST"]);
    String::from_utf8_lossy(&r).trim().to_string()
}

fn oxidis(extra: &[&str]) -> Server {
    let mut args = vec!["--enable-debug-command", "yes"];
    args.extend_from_slice(extra);
    Server::oxidis(&args)
}

#[test]
fn bgrewriteaof_replies_manifest_and_history() {
    let srv = oxidis(&["--appendonly", "yes"]);
    let mut c = srv.connect();
    assert_eq!(
        manifest(&srv),
        "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
    c.cmd(&["SET", "a", "1"]);
    assert_eq!(
        c.cmd(&["BGREWRITEAOF"]),
        b"+Background append only file rewriting started\r\n"
    );
    wait_rewrite_done(&mut c);
    assert_eq!(
        manifest(&srv),
        "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n"
    );
    // The history (the old base and incr) is deleted in the background.
    wait_for_condition("the history files to go", || {
        aof_files(&srv)
            == [
                "appendonly.aof.2.base.rdb",
                "appendonly.aof.2.incr.aof",
                "appendonly.aof.manifest",
            ]
    });
    assert_eq!(info_field(&mut c, "persistence", "aof_rewrites"), "1");
    assert_eq!(
        info_field(&mut c, "persistence", "aof_last_bgrewrite_status"),
        "ok"
    );
    assert_ne!(
        info_field(&mut c, "persistence", "aof_last_rewrite_time_sec"),
        "-1"
    );
    assert_eq!(
        info_field(&mut c, "persistence", "aof_current_rewrite_time_sec"),
        "-1"
    );
    // aof_base_size is the base plus the new incr at the end of the rewrite.
    let base = std::fs::metadata(aof_dir(&srv).join("appendonly.aof.2.base.rdb"))
        .unwrap()
        .len();
    assert_eq!(info_u64(&mut c, "persistence", "aof_base_size"), base);
    c.cmd(&["SET", "b", "2"]);
    wait_for_condition("aof_current_size to grow by the SET", || {
        info_u64(&mut c, "persistence", "aof_current_size") > base
    });

    // With aof-disable-auto-gc the history stays, newest first, as Redis
    // writes it (aof-multi-part.tcl's "AOF enable/disable auto gc").
    c.cmd(&["CONFIG", "SET", "aof-disable-auto-gc", "yes"]);
    for _ in 0..2 {
        c.cmd(&["BGREWRITEAOF"]);
        wait_rewrite_done(&mut c);
    }
    assert_eq!(
        manifest(&srv),
        "file appendonly.aof.4.base.rdb seq 4 type b\n\
         file appendonly.aof.3.incr.aof seq 3 type h\n\
         file appendonly.aof.3.base.rdb seq 3 type h\n\
         file appendonly.aof.2.incr.aof seq 2 type h\n\
         file appendonly.aof.2.base.rdb seq 2 type h\n\
         file appendonly.aof.4.incr.aof seq 4 type i\n"
    );
    assert_eq!(aof_files(&srv).len(), 7);
    // Turning the GC back on deletes them at the next rewrite.
    c.cmd(&["CONFIG", "SET", "aof-disable-auto-gc", "no"]);
    c.cmd(&["BGREWRITEAOF"]);
    wait_rewrite_done(&mut c);
    assert_eq!(
        manifest(&srv),
        "file appendonly.aof.5.base.rdb seq 5 type b\nfile appendonly.aof.5.incr.aof seq 5 type i\n"
    );
    wait_for_condition("the history files to go", || aof_files(&srv).len() == 3);
    assert_eq!(info_field(&mut c, "persistence", "aof_rewrites"), "4");
    assert!(temp_files(srv.dir()).is_empty());
    let log = srv.log();
    for line in [
        "Creating AOF incr file appendonly.aof.2.incr.aof on background rewrite",
        "Background append only file rewriting started",
        "Successfully created the temporary AOF base file temp-rewriteaof-bg-",
        "Background AOF rewrite terminated with success",
        "Successfully renamed the temporary AOF base file temp-rewriteaof-bg-",
        "Removing the history file appendonly.aof.1.incr.aof in the background",
        "Background AOF rewrite finished successfully",
    ] {
        assert!(log.contains(line), "no {line:?} in the log:\n{log}");
    }
}

/// With the AOF off, BGREWRITEAOF still writes a base; no incr file is
/// opened and every incr becomes history (Redis's aof_fd == -1 case).
#[test]
fn bgrewriteaof_with_the_aof_off() {
    let srv = oxidis(&[]);
    let mut c = srv.connect();
    c.cmd(&["SET", "a", "1"]);
    assert_eq!(
        c.cmd(&["BGREWRITEAOF"]),
        b"+Background append only file rewriting started\r\n"
    );
    wait_rewrite_done(&mut c);
    assert_eq!(
        manifest(&srv),
        "file appendonly.aof.1.base.rdb seq 1 type b\n"
    );
    assert_eq!(info_field(&mut c, "persistence", "aof_enabled"), "0");
}

#[test]
fn rewrite_scheduling_against_bgsave() {
    let srv = oxidis(&["--appendonly", "yes"]);
    let mut c = srv.connect();
    c.cmd(&["DEBUG", "POPULATE", "2000"]);
    // A rewrite kept running by rdb-key-save-delay.
    c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "1000"]);
    assert_eq!(
        c.cmd(&["BGREWRITEAOF"]),
        b"+Background append only file rewriting started\r\n"
    );
    assert_eq!(
        info_field(&mut c, "persistence", "aof_rewrite_in_progress"),
        "1"
    );
    assert_ne!(
        info_field(&mut c, "persistence", "aof_current_rewrite_time_sec"),
        "-1"
    );
    assert_eq!(
        c.cmd(&["BGREWRITEAOF"]),
        b"-ERR Background append only file rewriting already in progress\r\n"
    );
    assert_eq!(
        c.cmd(&["BGSAVE"]),
        &b"-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n"[..]
    );
    assert_eq!(
        c.cmd(&["BGSAVE", "SCHEDULE"]),
        b"+Background saving scheduled\r\n"
    );
    assert_eq!(
        info_field(&mut c, "persistence", "rdb_bgsave_in_progress"),
        "0"
    );
    // appendonly no kills the rewrite (its temp files go); the scheduled
    // BGSAVE then runs.
    c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "0"]);
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "no"]), b"+OK\r\n");
    assert_eq!(
        info_field(&mut c, "persistence", "aof_rewrite_in_progress"),
        "0"
    );
    wait_for_condition("the scheduled BGSAVE", || {
        info_field(&mut c, "persistence", "rdb_saves") == "1"
    });
    assert!(temp_files(srv.dir())
        .iter()
        .all(|n| !n.contains("rewriteaof")));
    assert!(srv.log().contains("Killing running AOF rewrite"));

    // BGREWRITEAOF while a BGSAVE runs is scheduled, then runs.
    c.cmd(&["CONFIG", "SET", "appendonly", "yes"]);
    wait_rewrite_done(&mut c);
    let before = info_u64(&mut c, "persistence", "aof_rewrites");
    c.cmd(&["DEBUG", "POPULATE", "300000"]);
    c.send_raw(&[Conn::encode(&[b"BGSAVE"]), Conn::encode(&[b"BGREWRITEAOF"])].concat());
    assert_eq!(c.read_reply(), b"+Background saving started\r\n");
    assert_eq!(
        c.read_reply(),
        b"+Background append only file rewriting scheduled\r\n"
    );
    assert_eq!(
        info_field(&mut c, "persistence", "aof_rewrite_scheduled"),
        "1"
    );
    wait_rewrite_done(&mut c);
    assert_eq!(info_u64(&mut c, "persistence", "aof_rewrites"), before + 1);
    assert!(srv
        .log()
        .contains("Background saving terminated with success"));
}

/// A rewrite that fails (its temp file cannot be created) reports err and
/// counts consecutive failures; the manifest is untouched; the next good
/// one resets them.
#[test]
fn rewrite_failure_is_reported_and_recovers() {
    let srv = oxidis(&["--appendonly", "yes"]);
    let mut c = srv.connect();
    c.cmd(&["SET", "a", "1"]);
    let blocker = srv.dir().join(format!("temp-rewriteaof-{}.aof", srv.pid()));
    std::fs::create_dir(&blocker).unwrap();
    for n in 1..=2 {
        assert_eq!(
            c.cmd(&["BGREWRITEAOF"]),
            b"+Background append only file rewriting started\r\n"
        );
        wait_rewrite_done(&mut c);
        assert_eq!(
            info_field(&mut c, "persistence", "aof_last_bgrewrite_status"),
            "err"
        );
        assert_eq!(
            info_u64(&mut c, "persistence", "aof_rewrites_consecutive_failures"),
            n
        );
    }
    // Each failed rewrite still opened an incr file: the old base and all
    // incrs stay in the manifest, in order.
    assert_eq!(
        manifest(&srv),
        "file appendonly.aof.1.base.rdb seq 1 type b\n\
         file appendonly.aof.1.incr.aof seq 1 type i\n\
         file appendonly.aof.2.incr.aof seq 2 type i\n\
         file appendonly.aof.3.incr.aof seq 3 type i\n"
    );
    assert!(srv
        .log()
        .contains("Background AOF rewrite terminated with error"));
    std::fs::remove_dir(&blocker).unwrap();
    c.cmd(&["BGREWRITEAOF"]);
    wait_rewrite_done(&mut c);
    assert_eq!(
        info_field(&mut c, "persistence", "aof_last_bgrewrite_status"),
        "ok"
    );
    assert_eq!(
        info_u64(&mut c, "persistence", "aof_rewrites_consecutive_failures"),
        0
    );
    assert_eq!(
        manifest(&srv),
        "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.4.incr.aof seq 4 type i\n"
    );
}

#[test]
fn shutdown_during_a_rewrite() {
    // A running rewrite is killed, its temp files removed.
    let mut srv = oxidis(&["--appendonly", "yes"]);
    let mut c = srv.connect();
    c.cmd(&["DEBUG", "POPULATE", "2000"]);
    c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "1000"]);
    c.cmd(&["BGREWRITEAOF"]);
    c.send(&[b"SHUTDOWN", b"NOSAVE"]);
    common::wait_for_exit(&mut srv);
    assert!(temp_files(srv.dir())
        .iter()
        .all(|n| !n.contains("rewriteaof")));
    assert!(srv
        .log()
        .contains("There is a child rewriting the AOF. Killing it!"));

    // While the first rewrite of CONFIG SET appendonly yes runs, SHUTDOWN
    // is refused (the dataset is not in the AOF yet) unless FORCE.
    let mut srv = oxidis(&[]);
    let mut c = srv.connect();
    c.cmd(&["DEBUG", "POPULATE", "2000"]);
    c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "1000"]);
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "yes"]), b"+OK\r\n");
    assert_eq!(
        c.cmd(&["SHUTDOWN", "NOSAVE"]),
        b"-ERR Errors trying to SHUTDOWN. Check logs.\r\n"
    );
    assert!(srv.log().contains("Writing initial AOF, can't exit."));
    c.send(&[b"SHUTDOWN", b"NOSAVE", b"FORCE"]);
    common::wait_for_exit(&mut srv);
    assert!(srv.log().contains("Writing initial AOF. Exit anyway."));
}

#[test]
fn auto_rewrite_fires_on_growth() {
    let srv = oxidis(&[
        "--appendonly",
        "yes",
        "--auto-aof-rewrite-percentage",
        "100",
        "--auto-aof-rewrite-min-size",
        "100kb",
    ]);
    let mut c = srv.connect();
    let v = "x".repeat(100);
    for i in 0..2000 {
        c.cmd(&["SET", &format!("k{}", i % 50), &v]);
    }
    wait_for_condition("an automatic rewrite", || {
        info_u64(&mut c, "persistence", "aof_rewrites") >= 1
    });
    wait_rewrite_done(&mut c);
    assert!(srv.log().contains("Starting automatic rewriting of AOF on"));
    // Less than the 2000 SETs (about 130 bytes each) appended: some were
    // rewritten into the 50 keys of the base.
    let size = info_u64(&mut c, "persistence", "aof_current_size");
    assert!(
        size < 2000 * 130,
        "aof_current_size {size} after the rewrite"
    );
}

/// Clients writing while rewrites run: every INCR reply they got, and the
/// keys they set.
struct Load {
    stop: Arc<AtomicBool>,
    threads: Vec<thread::JoinHandle<u64>>,
}

impl Load {
    fn start(port: u16, clients: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let threads = (0..clients)
            .map(|t| {
                let stop = stop.clone();
                thread::spawn(move || {
                    let mut c = Conn::connect(port).unwrap();
                    let counter = format!("counter:{t}");
                    let mut last = 0;
                    let mut i = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        i += 1;
                        let r = c.cmd(&["INCR", &counter]);
                        last = String::from_utf8_lossy(&r[1..r.len() - 2]).parse().unwrap();
                        c.cmd(&["SET", &format!("load:{t}:{}", i % 5000), &i.to_string()]);
                        c.cmd(&["RPUSH", &format!("list:{t}"), &i.to_string()]);
                        c.cmd(&[
                            "ZADD",
                            &format!("zset:{t}"),
                            &i.to_string(),
                            &(i % 700).to_string(),
                        ]);
                        if i.is_multiple_of(7) {
                            c.send_raw(
                                &[
                                    Conn::encode(&[b"MULTI"]),
                                    Conn::encode(&[
                                        b"HSET",
                                        format!("hash:{t}").as_bytes(),
                                        i.to_string().as_bytes(),
                                        b"v",
                                    ]),
                                    Conn::encode(&[
                                        b"DEL",
                                        format!("load:{t}:{}", i % 3000).as_bytes(),
                                    ]),
                                    Conn::encode(&[b"EXEC"]),
                                ]
                                .concat(),
                            );
                            for _ in 0..4 {
                                c.read_reply();
                            }
                        }
                    }
                    last
                })
            })
            .collect();
        Load { stop, threads }
    }

    /// Stops the clients; the last INCR reply of each.
    fn stop(self) -> Vec<u64> {
        self.stop.store(true, Ordering::Relaxed);
        self.threads
            .into_iter()
            .map(|t| t.join().unwrap())
            .collect()
    }
}

/// DEBUG DIGEST and the load's counters of a server.
fn digest_and_counters(c: &mut Conn, counters: usize) -> (String, Vec<u64>) {
    let d = digest(c);
    let vals = (0..counters)
        .map(|t| {
            let v = c.cmd(&["GET", &format!("counter:{t}")]);
            let s = String::from_utf8_lossy(&v).into_owned();
            s.lines().nth(1).unwrap_or("0").parse().unwrap_or(0)
        })
        .collect();
    (d, vals)
}

/// Shuts `srv` down, checks the directory with redis-check-aof, restarts
/// oxidis on it, then loads it into redis-server 7.0; the DEBUG DIGEST and
/// counters of each.
fn reload_in_oxidis_and_redis(srv: &mut Server, counters: usize) -> [(String, Vec<u64>); 2] {
    let mut c = srv.connect();
    c.send(&[b"SHUTDOWN", b"NOSAVE"]);
    common::wait_for_exit(srv);
    let check = common::require_in_path("redis-check-aof");
    let (code, out, err) = common::run_with_timeout(
        std::process::Command::new(check).arg(aof_dir(srv).join(format!("{FILE}.manifest"))),
        Duration::from_secs(60),
    );
    assert_eq!(code, Some(0), "redis-check-aof:\n{out}\n{err}");
    assert!(
        out.contains("All AOF files and manifest are valid"),
        "{out}"
    );
    let dir = srv.dir().to_string_lossy().into_owned();
    let args = [
        "--appendonly",
        "yes",
        "--dir",
        &dir,
        "--enable-debug-command",
        "yes",
    ];
    let mut again = Server::oxidis(&args);
    let mut c = again.connect();
    let ours = digest_and_counters(&mut c, counters);
    c.send(&[b"SHUTDOWN", b"NOSAVE"]);
    common::wait_for_exit(&mut again);
    let redis = Server::redis(&args);
    let theirs = digest_and_counters(&mut redis.connect(), counters);
    [ours, theirs]
}

#[test]
fn rewrites_under_write_load_reload_in_oxidis_and_redis() {
    for preamble in ["yes", "no"] {
        let mut srv = oxidis(&["--appendonly", "yes", "--aof-use-rdb-preamble", preamble]);
        let mut c = srv.connect();
        c.cmd(&["DEBUG", "POPULATE", "200000"]);
        let load = Load::start(srv.port, 3);
        for _ in 0..3 {
            let n = info_u64(&mut c, "stats", "total_commands_processed");
            wait_for_condition("writes between rewrites", || {
                info_u64(&mut c, "stats", "total_commands_processed") > n + 2000
            });
            assert_eq!(
                c.cmd(&["BGREWRITEAOF"]),
                b"+Background append only file rewriting started\r\n"
            );
            wait_rewrite_done(&mut c);
            assert_eq!(
                info_field(&mut c, "persistence", "aof_last_bgrewrite_status"),
                "ok"
            );
        }
        let told = load.stop();
        let want = digest(&mut c);
        let ext = if preamble == "yes" { "rdb" } else { "aof" };
        assert_eq!(
            manifest(&srv),
            format!("file appendonly.aof.4.base.{ext} seq 4 type b\nfile appendonly.aof.4.incr.aof seq 4 type i\n")
        );
        for (who, (got, counters)) in ["oxidis", "redis-server"]
            .iter()
            .zip(reload_in_oxidis_and_redis(&mut srv, told.len()))
        {
            assert_eq!(got, want, "DEBUG DIGEST of the AOF loaded by {who}");
            assert_eq!(counters, told, "counters loaded by {who}");
        }
    }
}

#[test]
fn config_set_appendonly_yes_under_write_load_reload_in_oxidis_and_redis() {
    let mut srv = oxidis(&["--appendfsync", "always"]);
    let mut c = srv.connect();
    c.cmd(&["DEBUG", "POPULATE", "200000"]);
    let load = Load::start(srv.port, 3);
    wait_for_condition("some writes", || {
        info_u64(&mut c, "stats", "total_commands_processed") > 2000
    });
    assert_eq!(c.cmd(&["CONFIG", "SET", "appendonly", "yes"]), b"+OK\r\n");
    assert_eq!(info_field(&mut c, "persistence", "aof_enabled"), "1");
    wait_rewrite_done(&mut c);
    assert_eq!(
        manifest(&srv),
        "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
    );
    assert!(srv
        .log()
        .contains("Successfully renamed the temporary AOF incr file temp-appendonly.aof.incr into appendonly.aof.1.incr.aof"));
    let n = info_u64(&mut c, "stats", "total_commands_processed");
    wait_for_condition("writes after the AOF is on", || {
        info_u64(&mut c, "stats", "total_commands_processed") > n + 2000
    });
    let told = load.stop();
    let want = digest(&mut c);
    for (who, (got, counters)) in ["oxidis", "redis-server"]
        .iter()
        .zip(reload_in_oxidis_and_redis(&mut srv, told.len()))
    {
        assert_eq!(got, want, "DEBUG DIGEST of the AOF loaded by {who}");
        assert_eq!(counters, told, "counters loaded by {who}");
    }
}

/// SIGKILL while a rewrite runs (after its new incr file took the writes):
/// the manifest names the old base and both incrs, and a restart has every
/// write.
#[test]
fn sigkill_during_a_rewrite_loses_nothing() {
    let mut srv = oxidis(&["--appendonly", "yes", "--appendfsync", "always"]);
    let mut c = srv.connect();
    // DEBUG POPULATE is not propagated: a first rewrite puts its keys in
    // the AOF.
    c.cmd(&["DEBUG", "POPULATE", "2000"]);
    c.cmd(&["BGREWRITEAOF"]);
    wait_rewrite_done(&mut c);
    c.cmd(&["CONFIG", "SET", "rdb-key-save-delay", "1000"]);
    c.cmd(&["BGREWRITEAOF"]);
    for i in 0..100 {
        c.cmd(&["RPUSH", "during", &i.to_string()]);
    }
    assert_eq!(
        info_field(&mut c, "persistence", "aof_rewrite_in_progress"),
        "1"
    );
    let want = digest(&mut c);
    assert_eq!(
        manifest(&srv),
        "file appendonly.aof.2.base.rdb seq 2 type b\n\
         file appendonly.aof.2.incr.aof seq 2 type i\n\
         file appendonly.aof.3.incr.aof seq 3 type i\n"
    );
    let (code, _, _) = common::run_with_timeout(
        std::process::Command::new("kill").args(["-9", &srv.pid().to_string()]),
        Duration::from_secs(10),
    );
    assert_eq!(code, Some(0));
    common::wait_for_exit(&mut srv);
    let dir = srv.dir().to_string_lossy().into_owned();
    let again = oxidis(&["--appendonly", "yes", "--dir", &dir]);
    let mut c = again.connect();
    assert_eq!(digest(&mut c), want);
    // The next rewrite works from there.
    c.cmd(&["BGREWRITEAOF"]);
    wait_rewrite_done(&mut c);
    assert_eq!(
        info_field(&mut c, "persistence", "aof_last_bgrewrite_status"),
        "ok"
    );
    assert_eq!(
        manifest(&srv),
        "file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.4.incr.aof seq 4 type i\n"
    );
}
