//! The AOF thread's promises to clients (persist/aof/writer.rs): with
//! `appendfsync always` no reply leaves before the command it answers is in the
//! incr file (written and fsynced by one group commit for many clients); with
//! `everysec` writes reach the file within moments, and the reply does not wait.
//! "In the file" is checked by reading the incr file after the reply came: the
//! page cache is what a SIGKILLed server's successor reads.

mod common;

use common::{info_field, wait_for_condition, Conn, Server};
use std::path::PathBuf;
use std::thread;

fn incr_file(srv: &Server) -> PathBuf {
    srv.dir()
        .join("appendonlydir")
        .join("appendonly.aof.1.incr.aof")
}

/// How many times the incr file holds `INCR key`.
fn incrs_in_file(path: &PathBuf, key: &str) -> usize {
    let data = std::fs::read(path).unwrap_or_default();
    let needle = format!("*2\r\n$4\r\nINCR\r\n${}\r\n{key}\r\n", key.len());
    let needle = needle.as_bytes();
    data.windows(needle.len()).filter(|w| *w == needle).count()
}

#[test]
fn always_replies_only_after_the_command_is_in_the_file() {
    let srv = Server::oxidis(&["--appendonly", "yes", "--appendfsync", "always"]);
    let path = incr_file(&srv);
    let clients = 16;
    let per_client = 60;
    let port = srv.port;
    let workers: Vec<_> = (0..clients)
        .map(|i| {
            let path = path.clone();
            thread::spawn(move || {
                let mut c = Conn::connect(port).unwrap();
                let key = format!("ctr:{i}");
                for n in 1..=per_client {
                    let reply = c.cmd(&["INCR", &key]);
                    assert_eq!(reply, format!(":{n}\r\n").as_bytes());
                    if n % 10 == 0 || n == 1 {
                        // Acknowledged, so already written (and fsynced).
                        let found = incrs_in_file(&path, &key);
                        assert!(found >= n, "{key}: reply {n} came, file holds {found}");
                    }
                }
            })
        })
        .collect();
    // A pipelined client at the same time: its replies come in order, each
    // after its command is in the file.
    let mut p = Conn::connect(port).unwrap();
    let batch: Vec<u8> = (0..200)
        .flat_map(|_| Conn::encode(&[b"INCR", b"piped"]))
        .collect();
    p.send_raw(&batch);
    for n in 1..=200 {
        assert_eq!(p.read_reply(), format!(":{n}\r\n").as_bytes());
    }
    assert!(incrs_in_file(&path, "piped") >= 200);
    for w in workers {
        w.join().unwrap();
    }
    for i in 0..clients {
        assert_eq!(incrs_in_file(&path, &format!("ctr:{i}")), per_client);
    }
    assert_eq!(
        info_field(&mut p, "persistence", "aof_last_write_status"),
        "ok"
    );
}

#[test]
fn everysec_writes_reach_the_file_without_holding_replies() {
    let srv = Server::oxidis(&["--appendonly", "yes", "--appendfsync", "everysec"]);
    let path = incr_file(&srv);
    let mut c = srv.connect();
    for n in 1..=500 {
        assert_eq!(c.cmd(&["INCR", "e"]), format!(":{n}\r\n").as_bytes());
    }
    wait_for_condition("the 500 INCRs to be written to the incr file", || {
        incrs_in_file(&path, "e") == 500
    });
    // Switching to always at run time: the next reply waits for its write.
    assert_eq!(
        c.cmd(&["CONFIG", "SET", "appendfsync", "always"]),
        b"+OK\r\n"
    );
    assert_eq!(c.cmd(&["INCR", "e"]), b":501\r\n");
    assert_eq!(incrs_in_file(&path, "e"), 501);
}
