//! Client-side caching (CLIENT TRACKING), differential against a real redis-server:
//! every scenario runs on a fresh oxidis and a fresh redis-server with several
//! connections, and the transcripts (every reply and every invalidation push, raw
//! bytes) must be equal. Client ids differ between the servers, so each connection's
//! id is learnt with CLIENT ID and written as `#N` in the transcript.
//!
//! RESP2 REDIRECT delivers invalidations as pub/sub messages to a subscribed client.
//! The redirect client sends SUBSCRIBE __redis__:invalidate on both servers; its
//! reply is not compared (oxidis may not have pub/sub yet), the messages are.

mod common;
#[path = "tracking/limit.rs"]
mod limit;
#[path = "tracking/session.rs"]
mod session;

use session::differential;
use std::thread;
use std::time::Duration;

#[test]
fn resp3_default_mode_as_redis() {
    differential(|s| {
        s.cmd(1, &["FLUSHALL"]);
        s.resp3(0);
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.cmd(0, &["CLIENT", "GETREDIR"]);
        s.client_flags(0);
        // A read, then another client's write: one push, then the key is forgotten.
        s.cmd(0, &["GET", "k"]);
        s.cmd(1, &["SET", "k", "1"]);
        s.push(0);
        s.cmd(1, &["SET", "k", "2"]);
        s.expect_quiet(0);
        // Several keys read by one command; a multi-key write.
        s.cmd(0, &["MGET", "a", "b", "c"]);
        s.cmd(0, &["HGETALL", "h"]);
        s.cmd(1, &["MSET", "a", "1", "c", "3"]);
        s.push(0);
        s.push(0);
        s.cmd(1, &["HSET", "h", "f", "v"]);
        s.push(0);
        s.cmd(1, &["DEL", "b"]);
        s.expect_quiet(0);
        // The client's own write: the push follows the reply.
        s.cmd(0, &["GET", "k"]);
        s.cmd_frames(0, &["SET", "k", "3"], 2);
        // Inside a transaction the pushes follow EXEC's reply.
        s.cmd(0, &["GET", "m"]);
        s.cmd(0, &["MULTI"]);
        s.cmd(0, &["SET", "m", "1"]);
        s.cmd(0, &["GET", "m"]);
        s.cmd(0, &["SET", "m", "2"]);
        s.cmd_frames(0, &["EXEC"], 3);
        // Writes with no tracked key send nothing; non-read commands track nothing.
        s.cmd(0, &["SET", "w", "1"]);
        s.cmd(1, &["SET", "w", "2"]);
        s.expect_quiet(0);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.cmd(0, &["CLIENT", "GETREDIR"]);
        s.client_flags(0);
        // Turning tracking off keeps the remembered keys: back on, they still count.
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(0, &["GET", "z"]);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        s.cmd(1, &["SET", "z", "1"]);
        s.expect_quiet(0);
        s.cmd(0, &["GET", "y"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(0, &["GET", "y2"]);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(1, &["SET", "y2", "1"]);
        s.push(0);
    });
}

#[test]
fn expired_keys_invalidate_as_redis() {
    differential(|s| {
        s.resp3(0);
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        // Active expiry.
        s.cmd(1, &["SET", "e", "1", "PX", "100"]);
        s.cmd(0, &["GET", "e"]);
        s.push(0);
        // Lazy expiry during the tracking client's own read: the push follows the
        // reply.
        s.cmd(1, &["DEBUG", "SET-ACTIVE-EXPIRE", "0"]);
        s.cmd(1, &["SET", "e2", "1", "PX", "50"]);
        s.cmd(0, &["GET", "e2"]);
        // The TTLs running out (here and below) are the condition under test.
        thread::sleep(Duration::from_millis(120));
        s.cmd_frames(0, &["GET", "e2"], 2);
        // ... and it is tracked again by that read.
        s.cmd(1, &["SET", "e2", "1"]);
        s.push(0);
        // Expired by another client's access.
        s.cmd(1, &["SET", "e3", "1", "PX", "50"]);
        s.cmd(0, &["GET", "e3"]);
        thread::sleep(Duration::from_millis(120));
        s.cmd(1, &["EXISTS", "e3"]);
        s.push(0);
        // With NOLOOP that one is not sent at all.
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "NOLOOP"]);
        s.cmd(1, &["SET", "e4", "1", "PX", "50"]);
        s.cmd(0, &["GET", "e4"]);
        thread::sleep(Duration::from_millis(120));
        s.cmd(0, &["GET", "e4"]);
        s.expect_quiet(0);
        s.cmd(1, &["SET", "e4", "1"]);
        s.push(0);
        s.cmd(1, &["DEBUG", "SET-ACTIVE-EXPIRE", "1"]);
    });
}

#[test]
fn noloop_as_redis() {
    differential(|s| {
        s.resp3(0);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "NOLOOP"]);
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.cmd(0, &["MGET", "n1", "n2"]);
        s.cmd(0, &["SET", "n1", "1"]);
        s.expect_quiet(0);
        s.cmd(1, &["SET", "n2", "1"]);
        s.push(0);
        // n1 was forgotten by the client's own write.
        s.cmd(1, &["SET", "n1", "2"]);
        s.expect_quiet(0);
        // Re-enabling without NOLOOP drops it.
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.cmd(0, &["GET", "n3"]);
        s.cmd_frames(0, &["SET", "n3", "1"], 2);
    });
}

#[test]
fn bcast_prefixes_as_redis() {
    differential(|s| {
        s.cmd(1, &["FLUSHALL"]);
        s.resp3(0);
        s.cmd(
            0,
            &[
                "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "obj",
            ],
        );
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.client_flags(0);
        s.cmd(1, &["SET", "user:1", "x"]);
        s.push(0);
        s.cmd(1, &["SET", "other", "x"]);
        s.expect_quiet(0);
        // One message per prefix for a batch of writes, keys sorted and unique.
        s.pipeline(
            1,
            &[
                &["SET", "user:2", "x"],
                &["SET", "obj1", "y"],
                &["SET", "user:1", "z"],
                &["SET", "other", "1"],
                &["DEL", "user:2"],
            ],
            5,
        );
        s.push(0);
        s.push(0);
        s.expect_quiet(0);
        // A transaction is one batch.
        s.cmd(1, &["MULTI"]);
        s.cmd(1, &["SET", "obj2", "1"]);
        s.cmd(1, &["DEL", "user:1"]);
        s.cmd(1, &["EXEC"]);
        s.push(0);
        s.push(0);
        // The client's own writes come back after the reply.
        s.cmd_frames(0, &["SET", "user:3", "1"], 2);
        // Reads track nothing in BCAST mode.
        s.cmd(0, &["GET", "zzz"]);
        s.cmd(1, &["SET", "zzz", "1"]);
        s.expect_quiet(0);
        // More prefixes, NOLOOP.
        s.cmd(
            0,
            &["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "x", "NOLOOP"],
        );
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.cmd(0, &["MSET", "user:3", "1", "user:4", "2"]);
        s.expect_quiet(0);
        s.cmd(1, &["SET", "x1", "1"]);
        s.push(0);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        s.cmd(1, &["SET", "x1", "1"]);
        s.expect_quiet(0);
        // BCAST without prefixes: every key.
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "BCAST"]);
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.cmd(1, &["SET", "anything", "1"]);
        s.push(0);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "p"]);
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        // Overlapping prefixes.
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "ab"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "abc"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a"]);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        s.cmd(
            0,
            &[
                "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a", "PREFIX", "ab",
            ],
        );
        s.cmd(
            0,
            &[
                "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a", "PREFIX", "a",
            ],
        );
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        // Redis 7.0 reports an overlap among later prefixes and enables anyway.
        s.cmd_frames(
            0,
            &[
                "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a", "PREFIX", "b", "PREFIX", "bc",
            ],
            2,
        );
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
    });
}

#[test]
fn optin_optout_caching_as_redis() {
    differential(|s| {
        s.resp3(0);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "OPTIN"]);
        s.cmd(0, &["GET", "o1"]);
        s.cmd(0, &["CLIENT", "CACHING", "YES"]);
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.cmd(0, &["GET", "o2"]);
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.cmd(1, &["MSET", "o1", "1", "o2", "2"]);
        s.push(0);
        s.expect_quiet(0);
        // CACHING lasts one command; CLIENT subcommands do not use it up.
        s.cmd(0, &["CLIENT", "CACHING", "YES"]);
        s.cmd(0, &["PING"]);
        s.cmd(0, &["GET", "o3"]);
        s.cmd(0, &["CLIENT", "CACHING", "YES"]);
        s.cmd(0, &["CLIENT", "GETREDIR"]);
        s.cmd(0, &["GET", "o4"]);
        // ... and covers a whole transaction.
        s.cmd(0, &["CLIENT", "CACHING", "YES"]);
        s.cmd(0, &["MULTI"]);
        s.cmd(0, &["GET", "o5"]);
        s.cmd(0, &["GET", "o6"]);
        s.cmd(0, &["EXEC"]);
        s.cmd(0, &["GET", "o7"]);
        s.cmd(
            1,
            &[
                "MSET", "o3", "1", "o4", "1", "o5", "1", "o6", "1", "o7", "1",
            ],
        );
        s.push(0);
        s.push(0);
        s.push(0);
        s.expect_quiet(0);
        // A rejected command uses it up too.
        s.cmd(0, &["CLIENT", "CACHING", "YES"]);
        s.cmd(0, &["GET"]);
        s.cmd(0, &["GET", "o8"]);
        s.cmd(1, &["SET", "o8", "1"]);
        s.expect_quiet(0);
        s.cmd(0, &["CLIENT", "CACHING", "NO"]);
        s.cmd(0, &["CLIENT", "CACHING", "MAYBE"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "OPTOUT"]);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "OPTOUT"]);
        s.cmd(0, &["GET", "p1"]);
        s.cmd(0, &["CLIENT", "CACHING", "NO"]);
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.cmd(0, &["GET", "p2"]);
        s.cmd(0, &["CLIENT", "CACHING", "YES"]);
        s.cmd(1, &["MSET", "p1", "1", "p2", "1"]);
        s.push(0);
        s.expect_quiet(0);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        s.cmd(0, &["CLIENT", "CACHING", "NO"]);
    });
}

#[test]
fn redirect_as_redis() {
    differential(|s| {
        s.cmd(2, &["FLUSHALL"]);
        // RESP2 tracking client redirecting to a RESP3 client.
        let b = s.learn_id(1);
        s.resp3(1);
        s.learn_id(0);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "REDIRECT", &b.to_string()]);
        s.cmd(0, &["CLIENT", "GETREDIR"]);
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.client_flags(0);
        s.cmd(0, &["GET", "k"]);
        s.cmd(2, &["SET", "k", "v"]);
        s.push(1);
        // The redirect client's own write: the push comes before its reply.
        s.cmd(0, &["GET", "k"]);
        s.cmd_frames(1, &["SET", "k", "w"], 2);
        // Flushes: a null in the tracking client's protocol.
        s.cmd_frames(1, &["FLUSHALL"], 2);
        s.cmd(0, &["FLUSHDB"]);
        s.push(1);
        s.cmd(2, &["FLUSHALL"]);
        s.push(1);
        s.expect_quiet(0);
        // RESP2 redirect client subscribed to __redis__:invalidate.
        let r = s.learn_id(3);
        s.subscribe_invalidations(3);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "REDIRECT", &r.to_string()]);
        s.cmd(0, &["GET", "k"]);
        s.cmd(2, &["SET", "k", "v2"]);
        s.push(3);
        s.cmd(0, &["FLUSHALL"]);
        s.push(3);
        // A RESP3 tracking client redirecting to it: its null is RESP3's.
        s.resp3(4);
        s.cmd(4, &["CLIENT", "TRACKING", "ON", "REDIRECT", &r.to_string()]);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        s.cmd(4, &["FLUSHDB"]);
        s.push(3);
        s.cmd(4, &["CLIENT", "TRACKING", "OFF"]);
        // The redirect client goes away: the next invalidation reports it.
        let d = s.learn_id(5);
        s.cmd(4, &["CLIENT", "TRACKING", "ON", "REDIRECT", &d.to_string()]);
        s.cmd(4, &["GET", "z"]);
        s.close(5);
        s.expect_quiet(4);
        s.cmd(4, &["CLIENT", "TRACKINGINFO"]);
        s.cmd(2, &["SET", "z", "1"]);
        s.push(4);
        s.cmd(4, &["CLIENT", "TRACKINGINFO"]);
        s.client_flags(4);
        s.cmd_frames(4, &["FLUSHALL"], 2);
        s.cmd(4, &["CLIENT", "GETREDIR"]);
        // Re-enabling clears the broken state.
        s.cmd(4, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(4, &["CLIENT", "TRACKINGINFO"]);
        // Redirect to itself.
        let me = s.learn_id(6);
        s.resp3(6);
        s.cmd(
            6,
            &["CLIENT", "TRACKING", "ON", "REDIRECT", &me.to_string()],
        );
        s.cmd(6, &["GET", "s"]);
        s.cmd(2, &["SET", "s", "1"]);
        s.push(6);
    });
}

#[test]
fn flush_invalidates_everything_as_redis() {
    differential(|s| {
        s.resp3(0);
        s.resp3(1);
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(1, &["CLIENT", "TRACKING", "ON", "BCAST"]);
        // Own flush: after the reply. Others': at once. BCAST clients too.
        s.cmd_frames(0, &["FLUSHALL"], 2);
        s.push(1);
        s.cmd(2, &["FLUSHDB"]);
        s.push(0);
        s.push(1);
        s.cmd(2, &["FLUSHALL", "ASYNC"]);
        s.push(0);
        s.push(1);
        // The table is emptied: a later write of a key read before sends nothing.
        s.cmd(0, &["GET", "f"]);
        s.cmd(2, &["FLUSHALL"]);
        s.push(0);
        s.push(1);
        s.cmd(2, &["SET", "f", "1"]);
        s.push(1);
        s.expect_quiet(0);
        // In a transaction: after EXEC's reply, in order.
        s.cmd(0, &["GET", "m2"]);
        s.cmd(0, &["MULTI"]);
        s.cmd(0, &["SET", "m2", "1"]);
        s.cmd(0, &["FLUSHALL"]);
        s.cmd_frames(0, &["EXEC"], 3);
        s.push(1);
        s.expect_quiet(1);
        // A RESP2 tracking client without redirect gets nothing.
        s.cmd(3, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(3, &["GET", "q"]);
        s.cmd(2, &["SET", "q", "1"]);
        s.cmd(2, &["FLUSHALL"]);
        s.push(0);
        s.push(1);
        s.expect_quiet(3);
    });
}

#[test]
fn option_errors_as_redis() {
    differential(|s| {
        let other = s.learn_id(1);
        let o = other.to_string();
        for args in [
            &["ON", "PREFIX", "a"][..],
            &["ON", "BCAST", "OPTIN"],
            &["ON", "BCAST", "OPTOUT"],
            &["ON", "OPTIN", "OPTOUT"],
            &["ON", "REDIRECT", "999999"],
            &["ON", "REDIRECT", "0"],
            &["ON", "REDIRECT", "-1"],
            &["ON", "REDIRECT", "abc"],
            &["ON", "REDIRECT", &o, "REDIRECT", &o],
            &["MAYBE"],
            &["ON", "FOO"],
            &["ON", "PREFIX"],
            &["ON", "REDIRECT"],
            &["OFF", "PREFIX", "x"],
            &["OFF", "REDIRECT", "999999"],
            &["ON", "BCAST", "PREFIX", "ab", "PREFIX", "a"],
            &["ON", "BCAST", "PREFIX", "x\0y", "PREFIX", "x"],
        ] {
            let mut v = vec!["CLIENT", "TRACKING"];
            v.extend_from_slice(args);
            s.cmd(0, &v);
        }
        s.cmd(0, &["CLIENT", "TRACKING"]);
        s.cmd(0, &["CLIENT", "CACHING"]);
        s.cmd(0, &["CLIENT", "CACHING", "YES"]);
        s.cmd(0, &["CLIENT", "CACHING", "YES", "NO"]);
        s.cmd(0, &["CLIENT", "GETREDIR", "x"]);
        s.cmd(0, &["CLIENT", "TRACKINGINFO", "x"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(0, &["CLIENT", "CACHING", "YES"]);
        s.cmd(0, &["CLIENT", "CACHING", "NO"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "BCAST"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "OPTIN"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "OPTOUT"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "REDIRECT", &o]);
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "NOLOOP", "OPTIN"]);
        s.cmd(0, &["CLIENT", "TRACKINGINFO"]);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "BCAST"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "BCAST", "OPTOUT"]);
        s.cmd(0, &["COMMAND", "INFO", "CLIENT|TRACKING", "CLIENT|CACHING"]);
        s.cmd(
            0,
            &["COMMAND", "INFO", "CLIENT|GETREDIR", "CLIENT|TRACKINGINFO"],
        );
        s.cmd(0, &["COMMAND", "DOCS", "CLIENT|TRACKING", "CLIENT|CACHING"]);
        s.cmd(
            0,
            &["COMMAND", "DOCS", "CLIENT|GETREDIR", "CLIENT|TRACKINGINFO"],
        );
    });
}

#[test]
fn writes_that_change_nothing_do_not_invalidate_as_redis() {
    differential(|s| {
        s.resp3(0);
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(1, &["SADD", "src", "m", "n"]);
        s.cmd(1, &["SADD", "dst", "m"]);
        s.cmd(1, &["HSET", "h", "f", "v"]);
        s.cmd(1, &["RPUSH", "l", "a", "b"]);
        s.cmd(1, &["SET", "str", "x"]);
        for k in ["src", "dst", "h", "l", "str"] {
            s.cmd(0, &["TYPE", k]);
            s.cmd(0, &["EXISTS", k]);
        }
        // src has two string members: Redis's hash-table order is random, so
        // read it with a command whose reply is deterministic (it still tracks).
        s.cmd(0, &["SCARD", "src"]);
        s.cmd(0, &["SMEMBERS", "dst"]);
        s.cmd(0, &["HGETALL", "h"]);
        s.cmd(0, &["LRANGE", "l", "0", "-1"]);
        s.cmd(0, &["GET", "str"]);
        // SMOVE of a member the destination has: only the source changes.
        s.cmd(1, &["SMOVE", "src", "dst", "m"]);
        s.push(0);
        s.expect_quiet(0);
        s.cmd(0, &["SMEMBERS", "src"]);
        // No-ops and errors after the lookup touch nothing.
        for args in [
            &["SMOVE", "src", "dst", "nope"][..],
            &["SMOVE", "src", "str", "n"],
            &["SADD", "dst", "m"],
            &["SREM", "dst", "nope"],
            &["HSETNX", "h", "f", "w"],
            &["HDEL", "h", "nope"],
            &["HINCRBY", "h", "f", "1"],
            &["LREM", "l", "0", "nope"],
            &["LINSERT", "l", "BEFORE", "nope", "x"],
            &["RPOPLPUSH", "l", "str"],
            &["LMOVE", "l", "h", "LEFT", "LEFT"],
            &["SETRANGE", "str", "0", ""],
            &["INCR", "str"],
            &["APPEND", "h", "x"],
            &["BLPOP", "str", "0"],
        ] {
            s.cmd(1, args);
        }
        s.expect_quiet(0);
        // A member new to the destination changes both keys.
        s.cmd(1, &["SMOVE", "src", "dst", "n"]);
        s.push(0);
        s.push(0);
        s.expect_quiet(0);
    });
}

#[test]
fn evicted_keys_are_invalidated_before_the_reply_as_redis() {
    differential(|s| {
        s.resp3(0);
        s.resp3(2);
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(2, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(1, &["SET", "vk", "x", "EX", "1000"]);
        s.cmd(1, &["SET", "keep", "y"]);
        s.cmd(0, &["GET", "vk"]);
        s.cmd(2, &["GET", "vk"]);
        // Over the limit, but nothing evicted until the policy allows it.
        s.cmd(1, &["CONFIG", "SET", "maxmemory-policy", "noeviction"]);
        s.cmd(1, &["CONFIG", "SET", "maxmemory", "1"]);
        s.cmd(1, &["CONFIG", "SET", "maxmemory-policy", "volatile-random"]);
        // The next command evicts vk first: its client hears of it before the
        // reply, the other tracking client at once.
        s.cmd_frames(0, &["GET", "keep"], 2);
        s.push(2);
        s.cmd(1, &["CONFIG", "SET", "maxmemory", "0"]);
        // With NOLOOP the running client does not hear of it at all.
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "NOLOOP"]);
        s.cmd(1, &["SET", "vk2", "x", "EX", "1000"]);
        s.cmd(0, &["GET", "vk2"]);
        s.cmd(1, &["CONFIG", "SET", "maxmemory-policy", "noeviction"]);
        s.cmd(1, &["CONFIG", "SET", "maxmemory", "1"]);
        s.cmd(1, &["CONFIG", "SET", "maxmemory-policy", "volatile-random"]);
        s.cmd(0, &["GET", "keep"]);
        s.expect_quiet(0);
        s.cmd(1, &["CONFIG", "SET", "maxmemory", "0"]);
        // A command refused for memory: the invalidation precedes the error.
        s.cmd(1, &["SET", "vk3", "x", "EX", "1000"]);
        s.cmd(2, &["GET", "vk3"]);
        s.cmd(1, &["CONFIG", "SET", "maxmemory", "1"]);
        s.cmd_frames(2, &["SET", "other", "v"], 2);
        s.cmd(1, &["CONFIG", "SET", "maxmemory", "0"]);
    });
}

/// CLIENT REPLY OFF / SKIP silence replies, not invalidations: the tracking
/// client, a RESP3 redirect client and a RESP2 one subscribed to
/// `__redis__:invalidate`, and the `tracking-redir-broken` push all arrive.
#[test]
fn reply_off_keeps_invalidations_as_redis() {
    differential(|s| {
        s.cmd(2, &["FLUSHALL"]);
        // The tracking client itself, RESP3, replies off.
        s.resp3(0);
        s.cmd(0, &["CLIENT", "TRACKING", "ON"]);
        s.cmd(0, &["GET", "k"]);
        s.send(0, &[&["CLIENT", "REPLY", "OFF"]]);
        s.cmd(2, &["SET", "k", "v1"]);
        s.push(0);
        // One reply skipped: the invalidation of its own write still comes.
        s.cmd_frames(0, &["CLIENT", "REPLY", "ON"], 1);
        s.cmd(0, &["GET", "k"]);
        s.send(0, &[&["CLIENT", "REPLY", "SKIP"], &["SET", "k", "v2"]]);
        s.push(0);
        s.cmd(0, &["PING"]);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        // A RESP3 redirect client with replies off.
        let r = s.learn_id(1);
        s.resp3(1);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "REDIRECT", &r.to_string()]);
        s.cmd(0, &["GET", "k"]);
        s.send(1, &[&["CLIENT", "REPLY", "OFF"]]);
        s.cmd(2, &["SET", "k", "v3"]);
        s.push(1);
        s.cmd(0, &["FLUSHALL"]);
        s.push(1);
        s.cmd_frames(1, &["CLIENT", "REPLY", "ON"], 1);
        s.cmd(1, &["PING"]);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        // A RESP2 redirect client (subscribed) that skips a reply.
        let p = s.learn_id(3);
        s.send(3, &[&["CLIENT", "REPLY", "SKIP"]]);
        s.subscribe_invalidations(3);
        s.cmd(0, &["CLIENT", "TRACKING", "ON", "REDIRECT", &p.to_string()]);
        s.cmd(0, &["GET", "k"]);
        s.cmd(2, &["SET", "k", "v4"]);
        s.push(3);
        s.cmd(0, &["CLIENT", "TRACKING", "OFF"]);
        // The redirect client goes away while the tracking client has replies off.
        s.resp3(5);
        let d = s.learn_id(4);
        s.cmd(5, &["CLIENT", "TRACKING", "ON", "REDIRECT", &d.to_string()]);
        s.cmd(5, &["GET", "z"]);
        s.send(5, &[&["CLIENT", "REPLY", "OFF"]]);
        s.close(4);
        s.cmd(2, &["SET", "z", "v1"]);
        s.push(5);
        s.expect_quiet(5);
        s.cmd_frames(5, &["CLIENT", "REPLY", "ON"], 1);
        s.cmd(5, &["PING"]);
    });
}
