//! Failover by a real Redis Sentinel (`redis-sentinel` 7.0, Debian package
//! `redis-sentinel`): it monitors an oxidis master with two oxidis replicas,
//! sees the master die, promotes a replica, points the other one at it, and
//! turns the old master into a replica when it comes back. A client that
//! asks Sentinel for the master (SENTINEL GET-MASTER-ADDR-BY-NAME, what
//! redis-py's and ioredis's Sentinel support do) writes to the new one.
//! Loopback only; every wait is bounded.

mod common;

use common::{wait_for_condition_within, Conn, Reply, Server};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// A redis-sentinel process, killed on drop.
struct Sentinel {
    port: u16,
    child: Child,
    dir: std::path::PathBuf,
}

impl Sentinel {
    fn start(master_port: u16) -> Sentinel {
        let bin = common::require_in_path("redis-sentinel");
        let dir = common::fresh_temp_dir("sentinel");
        let port = common::free_port();
        let conf = dir.join("sentinel.conf");
        std::fs::write(
            &conf,
            format!(
                "port {port}\nbind 127.0.0.1\ndir {}\nlogfile {}\n\
                 sentinel monitor mymaster 127.0.0.1 {master_port} 1\n\
                 sentinel down-after-milliseconds mymaster 1000\n\
                 sentinel failover-timeout mymaster 10000\n\
                 sentinel parallel-syncs mymaster 1\n",
                dir.display(),
                dir.join("sentinel.log").display()
            ),
        )
        .unwrap();
        let child = Command::new(bin)
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-sentinel");
        let s = Sentinel { port, child, dir };
        wait_for_condition_within("sentinel to answer", LIMIT, || {
            Conn::connect(port).is_ok_and(|mut c| c.cmd(&["PING"]) == b"+PONG\r\n")
        });
        s
    }

    fn conn(&self) -> Conn {
        Conn::connect(self.port).expect("connect to sentinel")
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("sentinel.log")).unwrap_or_default()
    }

    /// The master's port as Sentinel gives it to clients.
    fn master_port(&self) -> Option<u16> {
        let r =
            Reply::parse(
                &self
                    .conn()
                    .cmd(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]),
            );
        let e = r.elements()?;
        String::from_utf8(e.get(1)?.as_bytes()?).ok()?.parse().ok()
    }

    /// How many replicas Sentinel knows with exactly the flag `slave`.
    fn healthy_replicas(&self) -> usize {
        let raw = self.conn().cmd(&["SENTINEL", "REPLICAS", "mymaster"]);
        let r = Reply::parse(&raw);
        r.elements().map_or(0, |list| {
            list.iter()
                .filter(|rep| {
                    let f = rep.elements().unwrap_or(&[]);
                    f.chunks(2).any(|kv| {
                        kv.len() == 2
                            && kv[0].as_bytes().as_deref() == Some(&b"flags"[..])
                            && kv[1].as_bytes().as_deref() == Some(&b"slave"[..])
                    })
                })
                .count()
        })
    }
}

impl Drop for Sentinel {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("--- sentinel log ---\n{}", self.log());
        }
        if std::env::var_os("OXIDIS_KEEP_TEST_DIRS").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// An INFO replication field, on a new connection each time: Sentinel's
/// reconfigurations end with CLIENT KILL TYPE normal, as Redis's do.
fn info(srv: &Server, field: &str) -> Option<String> {
    let mut c = Conn::connect(srv.port).ok()?;
    c.set_timeout(Duration::from_secs(5));
    let raw = c
        .try_send_raw(&Conn::encode(&[b"INFO", b"replication"]))
        .ok()
        .and_then(|_| c.try_read_reply().ok())?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .map(|v| v.trim().to_string())
}

fn cmd(srv: &Server, args: &[&str]) -> Vec<u8> {
    let mut c = srv.connect();
    c.cmd(args)
}

#[test]
#[ignore = "one run in about seven timed out waiting (cause not found yet, issue 18); run with --ignored"]
fn redis_sentinel_fails_over_an_oxidis_master() {
    let debug = ["--enable-debug-command", "yes"];
    let mut m = Server::oxidis(&debug);
    let mport = m.port;
    let mp = mport.to_string();
    let replica_args = [
        "--enable-debug-command",
        "yes",
        "--replicaof",
        "127.0.0.1",
        &mp,
    ];
    let r1 = Server::oxidis(&replica_args);
    let r2 = Server::oxidis(&replica_args);
    let mut mc = m.connect();
    for i in 0..500 {
        mc.cmd(&["SET", &format!("k{i}"), &format!("v{i}")]);
    }
    for r in [&r1, &r2] {
        wait_for_condition_within("the replica's link", LIMIT, || {
            info(r, "master_link_status").as_deref() == Some("up")
        });
    }
    // Both replicas have every write the master acknowledged.
    assert_eq!(mc.cmd(&["WAIT", "2", "5000"]), b":2\r\n");
    let s = Sentinel::start(mport);
    wait_for_condition_within("sentinel to discover both replicas", LIMIT, || {
        s.healthy_replicas() == 2
    });
    assert_eq!(s.master_port(), Some(mport));
    // The master dies.
    drop(mc);
    m.kill();
    wait_for_condition_within("a failover", LIMIT, || {
        s.master_port().is_some_and(|p| p != mport)
    });
    let new_port = s.master_port().unwrap();
    let (promoted, other) = if new_port == r1.port {
        (&r1, &r2)
    } else {
        (&r2, &r1)
    };
    assert_eq!(promoted.port, new_port, "{}", s.log());
    wait_for_condition_within("the promoted replica a master", LIMIT, || {
        info(promoted, "role").as_deref() == Some("master")
    });
    // The client follows Sentinel to the new master and writes there.
    assert_eq!(cmd(promoted, &["SET", "after-failover", "1"]), b"+OK\r\n");
    wait_for_condition_within("the other replica to follow the new master", LIMIT, || {
        info(other, "master_port") == Some(new_port.to_string())
            && info(other, "master_link_status").as_deref() == Some("up")
    });
    // The old master comes back and is turned into a replica.
    let old = Server::oxidis_on_port(mport, &debug);
    wait_for_condition_within("the old master to become a replica", LIMIT, || {
        info(&old, "role").as_deref() == Some("slave")
            && info(&old, "master_port") == Some(new_port.to_string())
            && info(&old, "master_link_status").as_deref() == Some("up")
    });
    let want = cmd(promoted, &["DEBUG", "DIGEST"]);
    for r in [other, &old] {
        wait_for_condition_within("equal digests", LIMIT, || {
            cmd(r, &["DEBUG", "DIGEST"]) == want
        });
    }
    assert_eq!(cmd(promoted, &["GET", "k499"]), b"$4\r\nv499\r\n");
    let log = s.log();
    for event in ["+switch-master", "+slave-reconf-done", "+convert-to-slave"] {
        assert!(
            log.contains(event),
            "no {event} in the sentinel log:\n{log}"
        );
    }
}
