//! Pub/Sub against a running oxidis: many subscribers and patterns, message
//! order, unsubscribe-all replies, RESP3 push frames, and the pubsub
//! output-buffer limit cutting a slow subscriber while others keep receiving.
//! (Byte-for-byte comparison with Redis is in tests/diff/pubsub.txt and notify.txt.)

mod common;

use common::{Conn, Reply, Server};
use std::collections::BTreeSet;
use std::time::Duration;

fn bulk(s: &str) -> Reply {
    Reply::Bulk(s.as_bytes().to_vec())
}

fn message(ch: &str, msg: &str) -> Reply {
    Reply::Array(vec![bulk("message"), bulk(ch), bulk(msg)])
}

fn read(c: &mut Conn) -> Reply {
    Reply::parse(&c.read_reply())
}

#[test]
fn many_subscribers_get_every_message_in_order() {
    let srv = Server::oxidis(&[]);
    let mut subs: Vec<Conn> = (0..20).map(|_| srv.connect()).collect();
    for (i, s) in subs.iter_mut().enumerate() {
        s.send(&[b"SUBSCRIBE", b"all", format!("own{i}").as_bytes()]);
        read(s);
        read(s);
        if i % 2 == 0 {
            let r = s.cmd_reply(&["PSUBSCRIBE", "a*"]);
            assert_eq!(
                r,
                Reply::Array(vec![bulk("psubscribe"), bulk("a*"), Reply::Int(3)])
            );
        }
    }
    let mut p = srv.connect();
    for n in 0..50 {
        let r = p.cmd_reply(&["PUBLISH", "all", &n.to_string()]);
        assert_eq!(r, Reply::Int(30), "20 channel + 10 pattern receivers");
    }
    assert_eq!(p.cmd_reply(&["PUBLISH", "own7", "x"]), Reply::Int(1));
    assert_eq!(p.cmd_reply(&["PUBSUB", "NUMPAT"]), Reply::Int(1));
    for (i, s) in subs.iter_mut().enumerate() {
        for n in 0..50 {
            assert_eq!(read(s), message("all", &n.to_string()), "subscriber {i}");
            if i % 2 == 0 {
                let pm = Reply::Array(vec![
                    bulk("pmessage"),
                    bulk("a*"),
                    bulk("all"),
                    bulk(&n.to_string()),
                ]);
                assert_eq!(read(s), pm);
            }
        }
    }
    assert_eq!(read(&mut subs[7]), message("own7", "x"));
}

#[test]
fn unsubscribe_all_replies_once_per_channel() {
    let srv = Server::oxidis(&[]);
    let mut s = srv.connect();
    let names = ["c1", "c2", "c3", "c4"];
    s.send(&[b"SUBSCRIBE", b"c1", b"c2", b"c3", b"c4"]);
    for (i, n) in names.iter().enumerate() {
        let want = Reply::Array(vec![bulk("subscribe"), bulk(n), Reply::Int(i as i64 + 1)]);
        assert_eq!(read(&mut s), want);
    }
    s.send(&[b"UNSUBSCRIBE"]);
    let mut seen = BTreeSet::new();
    let mut counts = Vec::new();
    for _ in 0..4 {
        let Reply::Array(v) = read(&mut s) else {
            panic!("array expected")
        };
        assert_eq!(v[0], bulk("unsubscribe"));
        seen.insert(v[1].as_bytes().unwrap());
        counts.push(v[2].clone());
    }
    assert_eq!(seen.len(), 4);
    assert_eq!(
        counts,
        vec![Reply::Int(3), Reply::Int(2), Reply::Int(1), Reply::Int(0)]
    );
    // Nothing left: one reply with a null channel, and subscribe mode is over.
    assert_eq!(
        s.cmd_reply(&["UNSUBSCRIBE"]),
        Reply::Array(vec![bulk("unsubscribe"), Reply::NilBulk, Reply::Int(0)])
    );
    assert_eq!(s.cmd_reply(&["PING"]), Reply::Status("PONG".into()));
    // Patterns are released in subscription order.
    s.send(&[b"PSUBSCRIBE", b"z*", b"a*", b"m*"]);
    for _ in 0..3 {
        read(&mut s);
    }
    s.send(&[b"PUNSUBSCRIBE"]);
    for (p, n) in [("z*", 2), ("a*", 1), ("m*", 0)] {
        let want = Reply::Array(vec![bulk("punsubscribe"), bulk(p), Reply::Int(n)]);
        assert_eq!(read(&mut s), want);
    }
}

#[test]
fn resp3_pushes_and_self_delivery() {
    let srv = Server::oxidis(&[]);
    let mut s = srv.connect();
    assert!(!s.cmd_reply(&["HELLO", "3"]).is_error());
    let r = s.cmd(&["SUBSCRIBE", "me"]);
    assert_eq!(r, b">3\r\n$9\r\nsubscribe\r\n$2\r\nme\r\n:1\r\n");
    // Any command works in RESP3 while subscribed.
    assert_eq!(s.cmd(&["SET", "k", "v"]), b"+OK\r\n");
    // Publishing to oneself: the push comes before the reply.
    s.send(&[b"PUBLISH", b"me", b"hi"]);
    assert_eq!(
        s.read_reply(),
        b">3\r\n$7\r\nmessage\r\n$2\r\nme\r\n$2\r\nhi\r\n"
    );
    assert_eq!(s.read_reply(), b":1\r\n");
    s.send(&[b"SSUBSCRIBE", b"sh"]);
    assert_eq!(
        s.read_reply(),
        b">3\r\n$10\r\nssubscribe\r\n$2\r\nsh\r\n:1\r\n"
    );
    let mut p = srv.connect();
    assert_eq!(p.cmd_reply(&["SPUBLISH", "sh", "x"]), Reply::Int(1));
    assert_eq!(
        s.read_reply(),
        b">3\r\n$8\r\nsmessage\r\n$2\r\nsh\r\n$1\r\nx\r\n"
    );
    // Keyspace events reach the client that caused them, as pushes.
    assert_eq!(
        s.cmd(&["CONFIG", "SET", "notify-keyspace-events", "E$"]),
        b"+OK\r\n"
    );
    s.cmd(&["SUBSCRIBE", "__keyevent@0__:set"]);
    s.send(&[b"SET", b"k2", b"v"]);
    assert_eq!(
        s.read_reply(),
        b">3\r\n$7\r\nmessage\r\n$18\r\n__keyevent@0__:set\r\n$2\r\nk2\r\n"
    );
    assert_eq!(s.read_reply(), b"+OK\r\n");
}

#[test]
fn slow_subscriber_is_cut_by_the_pubsub_limit() {
    let srv = Server::oxidis(&["--client-output-buffer-limit", "pubsub 256kb 0 0"]);
    let mut slow = srv.connect();
    slow.cmd(&["SUBSCRIBE", "feed"]);
    let mut fast = srv.connect();
    fast.cmd(&["SUBSCRIBE", "feed"]);
    let total = 3000;
    // The slow subscriber never reads: ~30 MB is far beyond the socket
    // buffers plus the 256 KB limit. The fast one reads each message as it is
    // published, so it never has more than one message queued.
    let payload = "x".repeat(10_000);
    let mut p = srv.connect();
    let mut got = 0;
    for _ in 0..total {
        p.cmd(&["PUBLISH", "feed", &payload]);
        if fast.try_read_reply().is_ok() {
            got += 1;
        }
    }
    assert_eq!(got, total, "the fast subscriber got all");
    assert!(
        slow.is_closed_within(Duration::from_secs(10)),
        "the slow subscriber was disconnected"
    );
    assert_eq!(
        p.cmd_reply(&["PUBSUB", "NUMSUB", "feed"])
            .elements()
            .unwrap()[1],
        Reply::Int(1)
    );
    let info = String::from_utf8(p.cmd(&["INFO", "stats"])).unwrap();
    assert!(info.contains("pubsub_channels:1\r\n"), "{info}");
}

/// A subscriber fed a fast stream is written at most once per coalescing
/// interval (reactor.rs, PUSH_COALESCE). A message that lands inside that
/// interval, with nothing else happening afterwards, must still go out on its
/// own; and the subscriber's own command is answered with the next write,
/// messages and all.
#[test]
fn coalesced_messages_go_out_without_further_traffic() {
    let srv = Server::oxidis(&[]);
    let mut s = srv.connect();
    s.send(&[b"SUBSCRIBE", b"ch"]);
    read(&mut s);
    s.set_timeout(Duration::from_secs(2));
    let mut p = srv.connect();
    let t = std::time::Instant::now();
    for n in 0..300 {
        assert_eq!(
            p.cmd_reply(&["PUBLISH", "ch", &format!("a{n}")]),
            Reply::Int(1)
        );
        assert_eq!(
            p.cmd_reply(&["PUBLISH", "ch", &format!("b{n}")]),
            Reply::Int(1)
        );
        assert_eq!(read(&mut s), message("ch", &format!("a{n}")));
        assert_eq!(read(&mut s), message("ch", &format!("b{n}")));
    }
    // Not left for the next cron tick (100 ms each time).
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    for n in 0..50 {
        assert_eq!(
            p.cmd_reply(&["PUBLISH", "ch", &n.to_string()]),
            Reply::Int(1)
        );
    }
    s.send(&[b"PING"]);
    for n in 0..50 {
        assert_eq!(read(&mut s), message("ch", &n.to_string()));
    }
    assert_eq!(read(&mut s), Reply::Array(vec![bulk("pong"), bulk("")]));
}

/// CLIENT REPLY OFF / SKIP silence a subscriber's replies, never what it
/// subscribed to: confirmations, messages, pattern messages and keyspace
/// notifications reach subscribers in every reply mode and protocol, while
/// their own replies stay suppressed.
#[test]
fn reply_off_and_skip_keep_out_of_band_data() {
    let srv = Server::oxidis(&["--notify-keyspace-events", "KA"]);
    let modes = ["OFF", "SKIP", "ON"];
    let mut subs: Vec<Conn> = Vec::new();
    for i in 0..6 {
        let mut s = srv.connect();
        if i >= 3 {
            s.cmd(&["HELLO", "3"]);
        }
        let mode = modes[i % 3];
        let mut cmds = Conn::encode(&[b"CLIENT", b"REPLY", mode.as_bytes()]);
        cmds.extend(Conn::encode(&[b"SUBSCRIBE", b"ch"]));
        cmds.extend(Conn::encode(&[b"PSUBSCRIBE", b"__keyspace@0__:*"]));
        s.send_raw(&cmds);
        if mode == "ON" {
            assert_eq!(read(&mut s), Reply::Status("OK".into()));
        }
        for (kind, name, n) in [
            ("subscribe", "ch", 1),
            ("psubscribe", "__keyspace@0__:*", 2),
        ] {
            let v = read(&mut s);
            let e = v.elements().expect("confirmation");
            assert_eq!(e[..2], [bulk(kind), bulk(name)], "subscriber {i} ({mode})");
            assert_eq!(e[2], Reply::Int(n));
        }
        subs.push(s);
    }
    let mut p = srv.connect();
    assert_eq!(p.cmd_reply(&["PUBLISH", "ch", "m1"]), Reply::Int(6));
    assert_eq!(p.cmd_reply(&["SET", "k", "v"]), Reply::Status("OK".into()));
    for (i, s) in subs.iter_mut().enumerate() {
        let m = read(s);
        assert_eq!(
            m.elements().unwrap(),
            [bulk("message"), bulk("ch"), bulk("m1")],
            "{i}"
        );
        let n = read(s);
        let e = n.elements().unwrap();
        assert_eq!(e[0], bulk("pmessage"), "{i}");
        assert_eq!(e[2..], [bulk("__keyspace@0__:k"), bulk("set")], "{i}");
    }
    // A RESP3 subscriber with replies off runs a command: no reply, but the
    // message it publishes to itself arrives; replies on again, the next
    // command's reply follows.
    let s = &mut subs[3];
    s.send(&[b"PUBLISH", b"ch", b"self"]);
    s.send(&[b"CLIENT", b"REPLY", b"ON"]);
    let m = read(s);
    assert_eq!(
        m.elements().unwrap(),
        [bulk("message"), bulk("ch"), bulk("self")]
    );
    assert_eq!(read(s), Reply::Status("OK".into()));
    for (i, s) in subs.iter_mut().enumerate() {
        if i == 3 {
            continue;
        }
        assert_eq!(read(s).elements().unwrap()[2], bulk("self"), "{i}");
    }
    // Unsubscribe confirmations arrive with replies off too.
    let s = &mut subs[0];
    s.send(&[b"UNSUBSCRIBE", b"ch"]);
    let v = read(s);
    assert_eq!(
        v.elements().unwrap(),
        [bulk("unsubscribe"), bulk("ch"), Reply::Int(1)]
    );
    assert_eq!(p.cmd_reply(&["PUBLISH", "ch", "m2"]), Reply::Int(5));
}

/// What client A receives when its LPUSH wakes B's BLMOVE and B's re-run
/// pushes onto a key A tracks (`track`) or hears the keyspace events of: the
/// invalidation or the event comes right after A's reply and before the reply
/// to A's next pipelined command, as from Redis (B runs between A's two
/// commands, while A is back among the other clients).
fn woken_client_effects(srv: &Server, track: bool) -> Vec<Vec<u8>> {
    let mut a = srv.connect();
    let mut b = srv.connect();
    let mut admin = srv.connect();
    a.cmd(&["HELLO", "3"]);
    if track {
        a.cmd(&["CLIENT", "TRACKING", "ON"]);
        a.cmd(&["GET", "dst"]);
    } else {
        a.cmd(&["CONFIG", "SET", "notify-keyspace-events", "KEA"]);
        a.cmd(&["SUBSCRIBE", "__keyevent@0__:rpush"]);
    }
    b.send(&[b"BLMOVE", b"src", b"dst", b"LEFT", b"RIGHT", b"0"]);
    common::wait_for_blocked_clients(&mut admin, 1);
    let mut pipeline = Conn::encode(&[b"LPUSH", b"src", b"x"]);
    pipeline.extend(Conn::encode(&[b"PING"]));
    a.send_raw(&pipeline);
    let got: Vec<Vec<u8>> = (0..3).map(|_| a.read_reply()).collect();
    assert_eq!(b.read_reply(), b"$1\r\nx\r\n");
    admin.cmd(&["FLUSHALL"]);
    got
}

#[test]
fn effects_of_a_woken_client_reach_the_waker_before_its_next_reply_as_redis() {
    let srv = Server::oxidis(&[]);
    let tracked = woken_client_effects(&srv, true);
    let event = woken_client_effects(&srv, false);
    let want_tracked: [&[u8]; 3] = [
        b":1\r\n",
        b">2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\ndst\r\n",
        b"+PONG\r\n",
    ];
    let want_event: [&[u8]; 3] = [
        b":1\r\n",
        b">3\r\n$7\r\nmessage\r\n$20\r\n__keyevent@0__:rpush\r\n$3\r\ndst\r\n",
        b"+PONG\r\n",
    ];
    for (got, want) in [(&tracked, want_tracked), (&event, want_event)] {
        let got: Vec<String> = got.iter().map(|g| common::escape(g)).collect();
        let want: Vec<String> = want.iter().map(|w| common::escape(w)).collect();
        assert_eq!(got, want);
    }
    common::require_redis();
    let redis = Server::redis(&[]);
    assert_eq!(woken_client_effects(&redis, true), tracked);
    assert_eq!(woken_client_effects(&redis, false), event);
}
