//! Query and reply buffers: the request-size limits whatever way the bytes
//! arrive, the memory a client holds after a big request or a big reply, and
//! `client-output-buffer-limit` enforced while a reply grows.

mod common;

use common::{require_redis, Conn, Server};
use std::time::Duration;

/// Sends `req` in one write and returns what comes back until the server
/// closes the connection or goes quiet.
fn send_whole(port: u16, req: &[u8]) -> (Vec<u8>, bool) {
    let mut c = Conn::connect(port).unwrap();
    c.send_raw(req);
    c.read_until_quiet(Duration::from_millis(300), Duration::from_secs(10))
}

/// Request lines over the 64 KB limit, with their line end, and the error for
/// each. (Redis checks the limit after each read(2), before the line end has
/// arrived; sent in one write, a line of 64-80 KB can slip through its first
/// reads. These are long enough that it never does.)
fn oversized_requests() -> Vec<(Vec<u8>, &'static [u8])> {
    let mut inline = b"ECHO ".to_vec();
    inline.extend(vec![b'a'; 100 * 1024]);
    inline.extend_from_slice(b"\r\n");
    let mut count = b"*".to_vec();
    count.extend(vec![b'1'; 100 * 1024]);
    count.extend_from_slice(b"\r\n");
    let mut bulk = b"*1\r\n$".to_vec();
    bulk.extend(vec![b'1'; 300 * 1024]);
    bulk.extend_from_slice(b"\r\n");
    vec![
        (inline, b"-ERR Protocol error: too big inline request\r\n"),
        (
            count,
            b"-ERR Protocol error: too big mbulk count string\r\n",
        ),
        (bulk, b"-ERR Protocol error: too big bulk count string\r\n"),
    ]
}

/// A request line over 64 KB is a protocol error also when it arrives whole,
/// with its line end, in one write.
#[test]
fn oversized_request_lines_in_one_write() {
    let s = Server::oxidis(&[]);
    for (req, want) in oversized_requests() {
        let (got, closed) = send_whole(s.port, &req);
        assert_eq!(
            String::from_utf8_lossy(&got[..got.len().min(200)]),
            String::from_utf8_lossy(want)
        );
        assert!(closed);
    }
    assert_eq!(Conn::connect(s.port).unwrap().cmd(&["PING"]), b"+PONG\r\n");
}

#[test]
fn oversized_request_lines_redis_agrees() {
    if !require_redis() {
        return;
    }
    let r = Server::redis(&[]);
    for (req, want) in oversized_requests() {
        let (got, closed) = send_whole(r.port, &req);
        assert_eq!(
            String::from_utf8_lossy(&got[..got.len().min(200)]),
            String::from_utf8_lossy(want)
        );
        assert!(closed);
    }
}
