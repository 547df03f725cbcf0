//! Blocking sorted-set commands (BZPOPMIN, BZPOPMAX, BZMPOP), played as
//! multi-client scenarios against oxidis and a real redis-server: every reply,
//! in the order the scenario reads them, must be byte-identical. They share the
//! FIFO queues, timeouts and MULTI/CLIENT UNBLOCK rules of the list commands.
//! Every wait is on observable state (INFO blocked_clients, connected_clients).

mod common;

use common::scenario::differential;
use common::Conn;

/// The commands whose INFO commandstats the scenarios compare.
const BLOCKING: &[&str] = &["bzpopmin", "bzpopmax", "bzmpop"];

#[test]
fn zadd_wakes_the_waiter_on_the_created_key_as_redis() {
    differential("wake", |s| {
        s.send(1, &["BZPOPMIN", "a", "b", "0"]);
        s.cmd(2, &["ZADD", "b", "2", "y", "1", "x"]);
        s.read(1);
        s.cmd(2, &["ZRANGE", "b", "0", "-1", "WITHSCORES"]);
        s.send(1, &["BZPOPMAX", "a", "c", "0"]);
        s.cmd(2, &["ZINCRBY", "c", "1.5", "m"]);
        s.read(1);
        s.send(1, &["BZMPOP", "0", "2", "a", "d", "MAX", "COUNT", "2"]);
        s.cmd(2, &["ZADD", "d", "INCR", "7", "m"]);
        s.read(1);
        s.cmd(1, &["BZPOPMAX", "b", "a", "0"]);
        s.cmd(1, &["EXISTS", "b"]);
    });
}

#[test]
fn zrangestore_and_bzmpop_counts_wake_as_redis() {
    differential("store", |s| {
        s.cmd(2, &["ZADD", "src", "1", "a", "2", "b", "3", "c"]);
        s.send(1, &["BZMPOP", "0", "1", "dst", "MIN", "COUNT", "5"]);
        s.cmd(2, &["ZRANGESTORE", "dst", "src", "0", "1"]);
        s.read(1);
        s.cmd(2, &["EXISTS", "dst"]);
        s.send(1, &["BZPOPMIN", "dst", "0"]);
        s.cmd(2, &["ZRANGESTORE", "dst", "nosuch", "0", "-1"]);
        s.quiet(1);
        s.cmd(2, &["ZRANGESTORE", "dst", "src", "2", "2"]);
        s.read(1);
    });
}

#[test]
fn zset_and_list_waiters_share_one_fifo_as_redis() {
    differential("fifo", |s| {
        s.send(1, &["BZPOPMIN", "z", "0"]);
        s.send(2, &["BLPOP", "l", "0"]);
        s.send(3, &["BZPOPMAX", "z", "0"]);
        s.send(4, &["BZMPOP", "0", "2", "l", "z", "MIN", "COUNT", "2"]);
        s.send(5, &["BZPOPMIN", "z", "0"]);
        s.cmd(6, &["MULTI"]);
        s.cmd(6, &["RPUSH", "l", "x"]);
        s.cmd(6, &["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"]);
        s.cmd(6, &["EXEC"]);
        s.read(1);
        s.read(2);
        s.read(3);
        s.read(4);
        s.quiet(5);
        s.cmd(6, &["ZADD", "z", "9", "last"]);
        s.read(5);
        s.cmd(6, &["EXISTS", "z", "l"]);
    });
}

#[test]
fn a_waiter_on_one_key_twice_is_served_once_as_redis() {
    differential("twice", |s| {
        s.send(1, &["BZPOPMIN", "t", "t", "t", "0"]);
        s.cmd(2, &["ZADD", "t", "1", "a", "2", "b"]);
        s.read(1);
        s.cmd(2, &["ZCARD", "t"]);
        s.send(1, &["BZMPOP", "0", "3", "u", "u", "u", "MAX"]);
        s.cmd(2, &["ZADD", "u", "1", "a"]);
        s.read(1);
    });
}

#[test]
fn timeouts_reply_null_and_accept_fractions_as_redis() {
    differential("timeout", |s| {
        s.cmd(1, &["BZPOPMIN", "t", "0.05"]);
        s.cmd(1, &["BZPOPMAX", "t", "u", "0.05"]);
        s.cmd(1, &["BZMPOP", "0.05", "1", "t", "MIN"]);
        s.cmd(1, &["BZMPOP", "0.05", "2", "t", "u", "MAX", "COUNT", "3"]);
        s.cmd(1, &["HELLO", "3"]);
        s.transcript.pop(); // the client id differs
        s.cmd(1, &["BZPOPMIN", "t", "0.05"]);
        s.cmd(1, &["BZMPOP", "0.05", "1", "t", "MIN"]);
        s.cmd(1, &["ZADD", "t", "1.5", "a", "2", "b"]);
        s.cmd(1, &["BZPOPMIN", "t", "0.05"]);
        s.cmd(1, &["BZMPOP", "0.05", "1", "t", "MIN"]);
    });
}

#[test]
fn argument_errors_as_redis() {
    differential("errors", |s| {
        for t in ["-1", "abc", "inf", "-inf", "1e30", "nan", ""] {
            s.cmd(1, &["BZPOPMIN", "a", t]);
            s.cmd(1, &["BZMPOP", t, "1", "a", "MIN"]);
        }
        s.cmd(1, &["BZMPOP", "0", "0", "a", "MIN"]);
        s.cmd(1, &["BZMPOP", "-1", "0", "a", "MIN"]);
        s.cmd(1, &["BZMPOP", "0", "1", "a", "LEFT"]);
        s.cmd(1, &["BZMPOP", "0", "1", "a", "MIN", "COUNT", "0"]);
        s.cmd(1, &["BZMPOP", "0", "2", "a", "MIN"]);
        s.cmd(1, &["SET", "str", "v"]);
        s.cmd(1, &["BZPOPMIN", "str", "0"]);
        s.cmd(1, &["BZPOPMAX", "nosuch", "str", "0"]);
        s.cmd(1, &["BZMPOP", "0", "2", "nosuch", "str", "MIN"]);
        s.cmd(1, &["ZADD", "z", "1", "a"]);
        s.cmd(1, &["BZPOPMIN", "z", "str", "0"]);
    });
}

#[test]
fn multi_exec_zadd_wakes_after_exec_and_blocking_inside_multi_does_not_block_as_redis() {
    differential("multi", |s| {
        s.send(1, &["BZPOPMIN", "m", "0"]);
        s.cmd(2, &["MULTI"]);
        s.cmd(2, &["ZADD", "m", "2", "b"]);
        s.cmd(2, &["ZADD", "m", "1", "a"]);
        s.quiet(1);
        s.cmd(2, &["EXEC"]);
        s.read(1);
        s.cmd(2, &["ZRANGE", "m", "0", "-1"]);
        s.cmd(2, &["MULTI"]);
        s.cmd(2, &["BZPOPMIN", "empty", "0"]);
        s.cmd(2, &["BZPOPMAX", "empty", "0"]);
        s.cmd(2, &["BZMPOP", "0", "1", "empty", "MIN"]);
        s.cmd(2, &["BZPOPMAX", "m", "0"]);
        s.cmd(2, &["EXEC"]);
        // Created and emptied inside one transaction: nobody is woken.
        s.send(1, &["BZPOPMIN", "gone", "0"]);
        s.cmd(2, &["MULTI"]);
        s.cmd(2, &["ZADD", "gone", "1", "a"]);
        s.cmd(2, &["ZREM", "gone", "a"]);
        s.cmd(2, &["EXEC"]);
        s.quiet(1);
        s.cmd(2, &["ZADD", "gone", "5", "z"]);
        s.read(1);
    });
}

#[test]
fn disconnected_waiters_are_forgotten_as_redis() {
    differential("disconnect", |s| {
        s.send(1, &["BZPOPMIN", "d", "0"]);
        s.send(2, &["BZMPOP", "0", "1", "d", "MAX"]);
        s.close(1);
        s.cmd(3, &["ZADD", "d", "1", "x", "2", "y"]);
        s.read(2);
        s.cmd(3, &["ZRANGE", "d", "0", "-1"]);
    });
}

#[test]
fn wrong_type_or_deleted_key_while_blocked_keeps_waiting_as_redis() {
    differential("wrongtype", |s| {
        s.send(1, &["BZPOPMIN", "w", "0"]);
        s.send(2, &["BLPOP", "w", "0"]);
        s.cmd(3, &["SET", "w", "str"]);
        s.quiet(1);
        s.cmd(3, &["DEL", "w"]);
        // A list on the key serves the list waiter only.
        s.cmd(3, &["RPUSH", "w", "v"]);
        s.read(2);
        s.quiet(1);
        s.cmd(3, &["ZADD", "w", "1", "m"]);
        s.read(1);
        // A sorted set on the key serves the zset waiter only.
        s.send(1, &["BLPOP", "w2", "0"]);
        s.send(2, &["BZPOPMAX", "w2", "0"]);
        s.cmd(3, &["ZADD", "w2", "1", "m"]);
        s.read(2);
        s.quiet(1);
        s.cmd(3, &["RPUSH", "w2", "v"]);
        s.read(1);
    });
}

#[test]
fn client_unblock_timeout_and_error_as_redis() {
    differential("unblock", |s| {
        s.cmd(2, &["CONFIG", "RESETSTAT"]);
        let id = s.cmd(1, &["CLIENT", "ID"]);
        let id = String::from_utf8_lossy(&id[1..id.len() - 2]).into_owned();
        s.transcript.pop();
        s.send(1, &["BZPOPMIN", "u", "0"]);
        s.cmd(2, &["CLIENT", "UNBLOCK", &id]);
        s.read(1);
        s.send(1, &["BZMPOP", "0", "1", "u", "MIN"]);
        s.cmd(2, &["CLIENT", "UNBLOCK", &id, "TIMEOUT"]);
        s.read(1);
        s.send(1, &["BZPOPMAX", "u", "0"]);
        s.cmd(2, &["CLIENT", "UNBLOCK", &id, "ERROR"]);
        s.read(1);
        // Served, timed out, unblocked: one call each.
        s.send(1, &["BZPOPMIN", "u", "0"]);
        s.cmd(2, &["ZADD", "u", "1", "x"]);
        s.read(1);
        s.cmd(1, &["BZPOPMIN", "u", "0.05"]);
        s.blocking_stats(2, BLOCKING);
        s.cmd(2, &["INFO", "errorstats"]);
    });
}

#[test]
fn pipelined_commands_after_a_blocking_pop_wait_for_it_as_redis() {
    differential("pipeline", |s| {
        let mut batch = Conn::encode(&[b"BZPOPMAX", b"p", b"0"]);
        batch.extend(Conn::encode(&[b"ZCARD", b"p"]));
        s.conn(1).send_raw(&batch);
        s.wait_blocked(1);
        s.quiet(1);
        s.cmd(2, &["ZADD", "p", "1", "a", "2", "b"]);
        s.read(1);
        s.read(1);
    });
}

#[test]
fn resp3_woken_replies_as_redis() {
    differential("resp3", |s| {
        s.cmd(1, &["HELLO", "3"]);
        s.transcript.pop();
        s.send(1, &["BZPOPMIN", "r", "0"]);
        s.cmd(2, &["ZADD", "r", "1.5", "a", "-0.25", "b"]);
        s.read(1);
        s.send(1, &["BZMPOP", "0", "1", "r3", "MAX", "COUNT", "2"]);
        s.cmd(2, &["ZADD", "r3", "1", "a", "inf", "b"]);
        s.read(1);
    });
}

#[test]
fn keyspace_events_of_a_woken_pop_as_redis() {
    differential("notify", |s| {
        s.cmd(3, &["CONFIG", "SET", "notify-keyspace-events", "KEA"]);
        s.cmd(3, &["PSUBSCRIBE", "__key*__:*"]);
        s.send(1, &["BZPOPMIN", "n", "0"]);
        s.cmd(2, &["ZADD", "n", "1", "a"]);
        s.read(1);
        for _ in 0..6 {
            s.read(3);
        }
        s.cmd(2, &["CONFIG", "SET", "notify-keyspace-events", ""]);
    });
}

#[test]
fn a_waiter_is_served_from_the_key_that_became_ready_first_as_redis() {
    differential("ready-order", |s| {
        s.send(1, &["BZPOPMIN", "k1", "k2", "0"]);
        s.cmd(2, &["MULTI"]);
        s.cmd(2, &["ZADD", "k2", "2", "b"]);
        s.cmd(2, &["ZADD", "k1", "1", "a"]);
        s.cmd(2, &["EXEC"]);
        s.read(1);
        s.send(1, &["BLPOP", "l1", "l2", "0"]);
        s.cmd(2, &["MULTI"]);
        s.cmd(2, &["RPUSH", "l2", "b"]);
        s.cmd(2, &["RPUSH", "l1", "a"]);
        s.cmd(2, &["EXEC"]);
        s.read(1);
    });
}

#[test]
fn zunionstore_and_friends_wake_the_waiter_on_their_destination_as_redis() {
    differential("algebra", |s| {
        s.cmd(2, &["ZADD", "a", "1", "x", "2", "y"]);
        s.cmd(2, &["ZADD", "b", "3", "y", "4", "z"]);
        s.send(1, &["BZPOPMAX", "u", "0"]);
        s.cmd(2, &["ZUNIONSTORE", "u", "2", "a", "b"]);
        s.read(1);
        s.send(1, &["BZMPOP", "0", "1", "i", "MIN", "COUNT", "5"]);
        s.cmd(2, &["ZINTERSTORE", "i", "2", "a", "b", "WEIGHTS", "2", "1"]);
        s.read(1);
        s.send(1, &["BZPOPMIN", "d", "0"]);
        s.cmd(2, &["ZDIFFSTORE", "d", "2", "b", "b"]);
        s.quiet(1);
        s.cmd(2, &["ZDIFFSTORE", "d", "2", "a", "b"]);
        s.read(1);
    });
}
