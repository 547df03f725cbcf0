//! CONFIG SET of several directives is all or nothing, as in Redis 7.0: when
//! the side effect of one cannot be applied (here: a port already in use),
//! every directive of the call keeps its old value, including those whose
//! side effects had already run, and the server keeps serving as before.
//! Each check also runs against redis-server (the `_on_redis` tests), so the
//! texts are Redis's.

mod common;

use common::{info_field, Conn, Server};

/// A port something else already listens on (on every address, so that
/// neither `*` nor `127.0.0.1` can take it).
fn busy_port() -> (std::net::TcpListener, String) {
    let l = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = l.local_addr().unwrap().port().to_string();
    (l, port)
}

fn get(c: &mut Conn, name: &str) -> Vec<u8> {
    c.cmd(&["CONFIG", "GET", name])
}

/// `CONFIG SET maxmemory 10mb port <busy>`: maxmemory's hook runs first, the
/// port's fails, and both are rolled back: CONFIG GET and INFO show the old
/// values and the server still listens on its port only.
fn check_hook_failure_rolls_back(srv: &Server) {
    let (_busy, port) = busy_port();
    let mut c = srv.connect();
    let names = ["maxmemory", "maxmemory-policy", "port", "hz"];
    let before: Vec<Vec<u8>> = names.iter().map(|n| get(&mut c, n)).collect();
    let r = c.cmd(&[
        "CONFIG",
        "SET",
        "maxmemory",
        "10mb",
        "maxmemory-policy",
        "allkeys-lru",
        "port",
        &port,
        "hz",
        "50",
    ]);
    assert_eq!(
        r,
        b"-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n",
        "{}",
        srv.bin().display()
    );
    let after: Vec<Vec<u8>> = names.iter().map(|n| get(&mut c, n)).collect();
    assert_eq!(before, after, "{}", srv.bin().display());
    assert_eq!(info_field(&mut c, "memory", "maxmemory"), "0");
    assert_eq!(
        info_field(&mut c, "memory", "maxmemory_policy"),
        "noeviction"
    );
    assert_eq!(info_field(&mut c, "server", "hz"), "10");
    assert_eq!(
        info_field(&mut c, "server", "tcp_port"),
        srv.port.to_string()
    );
    let mut fresh = Conn::connect(srv.port).expect("the old port still listens");
    assert_eq!(fresh.cmd(&["PING"]), b"+PONG\r\n");
    // The rollback really restored maxmemory 0: a write far above 10mb fits.
    let big = "x".repeat(12 << 20);
    assert_eq!(fresh.cmd(&["SET", "big", &big]), b"+OK\r\n");
    assert_eq!(fresh.cmd(&["DEL", "big"]), b":1\r\n");
}

#[test]
fn config_set_hook_failure_rolls_back_every_directive() {
    check_hook_failure_rolls_back(&Server::oxidis(&[]));
}

#[test]
fn config_set_hook_failure_rolls_back_every_directive_on_redis() {
    check_hook_failure_rolls_back(&Server::redis(&[]));
}

/// A rolled back `notify-keyspace-events` is not in effect: a keyspace
/// subscriber hears nothing of a write made after the failed CONFIG SET.
fn check_rolled_back_notifications_stay_off(srv: &Server) {
    let (_busy, port) = busy_port();
    let mut c = srv.connect();
    let mut sub = srv.connect();
    assert!(!sub.cmd(&["PSUBSCRIBE", "__key*__:*", "marker"]).is_empty());
    sub.read_reply(); // the second pattern's confirmation
    let r = c.cmd(&[
        "CONFIG",
        "SET",
        "notify-keyspace-events",
        "KEA",
        "port",
        &port,
    ]);
    assert!(r.starts_with(b"-ERR CONFIG SET failed (possibly related to argument 'port')"));
    assert_eq!(
        get(&mut c, "notify-keyspace-events"),
        b"*2\r\n$22\r\nnotify-keyspace-events\r\n$0\r\n\r\n"
    );
    assert_eq!(c.cmd(&["SET", "k", "v"]), b"+OK\r\n");
    assert_eq!(c.cmd(&["PUBLISH", "marker", "m"]), b":1\r\n");
    // Messages arrive in order: the first one is the marker, so the SET
    // published no keyspace event.
    let msg = sub.read_reply();
    assert!(
        msg.ends_with(b"$6\r\nmarker\r\n$1\r\nm\r\n"),
        "{}: {}",
        srv.bin().display(),
        String::from_utf8_lossy(&msg)
    );
}

#[test]
fn config_set_rolled_back_notifications_stay_off() {
    check_rolled_back_notifications_stay_off(&Server::oxidis(&[]));
}

#[test]
fn config_set_rolled_back_notifications_stay_off_on_redis() {
    check_rolled_back_notifications_stay_off(&Server::redis(&[]));
}
