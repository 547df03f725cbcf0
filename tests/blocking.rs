//! Blocking list commands, played as multi-client scenarios against oxidis and a
//! real redis-server: every reply, in the order the scenario reads them, must be
//! byte-identical.

mod common;

use common::scenario::differential;
use common::Conn;

/// The commands whose INFO commandstats the scenarios compare.
const BLOCKING: &[&str] = &["blpop", "brpop", "brpoplpush", "blmove", "blmpop"];

#[test]
fn push_wakes_the_waiter_on_the_pushed_key_as_redis() {
    differential("wake", |s| {
        s.send(1, &["BLPOP", "a", "b", "0"]);
        s.cmd(2, &["RPUSH", "b", "x", "y"]);
        s.read(1);
        s.cmd(2, &["LRANGE", "b", "0", "-1"]);
        s.cmd(1, &["BRPOP", "b", "a", "0"]);
    });
}

#[test]
fn waiters_are_served_first_come_first_served_as_redis() {
    differential("fifo", |s| {
        s.send(1, &["BLPOP", "q", "0"]);
        s.send(2, &["BRPOP", "q", "0"]);
        s.send(3, &["BLPOP", "q", "0"]);
        s.cmd(4, &["RPUSH", "q", "1", "2"]);
        s.read(1);
        s.read(2);
        s.quiet(3);
        s.cmd(4, &["LPUSH", "q", "3"]);
        s.read(3);
        s.cmd(4, &["EXISTS", "q"]);
    });
}

#[test]
fn timeouts_reply_null_and_accept_fractions_as_redis() {
    differential("timeout", |s| {
        s.cmd(1, &["BLPOP", "t", "0.1"]);
        s.cmd(1, &["BRPOPLPUSH", "t", "u", "0.05"]);
        s.cmd(1, &["BLMOVE", "t", "u", "LEFT", "RIGHT", "0.05"]);
        s.cmd(1, &["BLMPOP", "0.05", "1", "t", "LEFT"]);
        s.cmd(1, &["HELLO", "3"]);
        s.transcript.pop(); // the client id differs
        s.cmd(1, &["BLPOP", "t", "0.05"]);
        s.cmd(1, &["BLMOVE", "t", "u", "LEFT", "RIGHT", "0.05"]);
    });
}

#[test]
fn argument_errors_as_redis() {
    differential("errors", |s| {
        s.cmd(1, &["BLPOP", "a", "-1"]);
        s.cmd(1, &["BLPOP", "a", "abc"]);
        s.cmd(1, &["BLPOP", "a", "inf"]);
        s.cmd(1, &["BLPOP", "a", "1e30"]);
        s.cmd(1, &["BLMOVE", "a", "b", "UP", "LEFT", "0"]);
        s.cmd(1, &["BLMPOP", "0", "0", "a", "LEFT"]);
        s.cmd(1, &["BLMPOP", "0", "1", "a", "LEFT", "COUNT", "0"]);
        s.cmd(1, &["BLMPOP", "x", "1", "a", "LEFT"]);
        s.cmd(1, &["SET", "str", "v"]);
        s.cmd(1, &["BLPOP", "str", "0"]);
        s.cmd(1, &["BLMOVE", "str", "b", "LEFT", "LEFT", "0"]);
        s.cmd(1, &["RPUSH", "l", "v"]);
        s.cmd(1, &["BLMOVE", "l", "str", "LEFT", "LEFT", "0"]);
    });
}

#[test]
fn multi_exec_push_wakes_after_exec_and_blocking_inside_multi_does_not_block_as_redis() {
    differential("multi", |s| {
        s.send(1, &["BLPOP", "m", "0"]);
        s.cmd(2, &["MULTI"]);
        s.cmd(2, &["RPUSH", "m", "a"]);
        s.cmd(2, &["RPUSH", "m", "b"]);
        s.quiet(1);
        s.cmd(2, &["EXEC"]);
        s.read(1);
        s.cmd(2, &["LRANGE", "m", "0", "-1"]);
        s.cmd(2, &["MULTI"]);
        s.cmd(2, &["BLPOP", "empty", "0"]);
        s.cmd(2, &["BLMOVE", "empty", "x", "LEFT", "LEFT", "0"]);
        s.cmd(2, &["BLMPOP", "0", "1", "empty", "LEFT"]);
        s.cmd(2, &["BLPOP", "m", "0"]);
        s.cmd(2, &["EXEC"]);
    });
}

#[test]
fn disconnected_waiters_are_forgotten_as_redis() {
    differential("disconnect", |s| {
        s.send(1, &["BLPOP", "d", "0"]);
        s.close(1);
        s.cmd(2, &["RPUSH", "d", "x"]);
        s.cmd(2, &["LLEN", "d"]);
        s.cmd(2, &["BLPOP", "d", "0"]);
    });
}

#[test]
fn wrong_type_while_blocked_keeps_waiting_as_redis() {
    differential("wrongtype", |s| {
        s.send(1, &["BLPOP", "w", "0"]);
        s.cmd(2, &["SET", "w", "str"]);
        s.quiet(1);
        s.cmd(2, &["DEL", "w"]);
        s.cmd(2, &["RPUSH", "w", "v"]);
        s.read(1);
    });
}

#[test]
fn blmove_chains_and_same_list_rotation_as_redis() {
    differential("chain", |s| {
        s.send(1, &["BLMOVE", "src", "mid", "RIGHT", "LEFT", "0"]);
        s.send(2, &["BLPOP", "mid", "0"]);
        s.cmd(3, &["RPUSH", "src", "x", "y"]);
        s.read(1);
        s.read(2);
        s.cmd(3, &["LRANGE", "src", "0", "-1"]);
        s.cmd(3, &["EXISTS", "mid"]);
        s.cmd(3, &["RPUSH", "ring", "1", "2", "3"]);
        s.cmd(3, &["BLMOVE", "ring", "ring", "LEFT", "RIGHT", "0"]);
        s.cmd(3, &["BRPOPLPUSH", "ring", "ring", "0"]);
        s.cmd(3, &["LRANGE", "ring", "0", "-1"]);
    });
}

#[test]
fn blmpop_serves_counts_as_redis() {
    differential("blmpop", |s| {
        s.send(1, &["BLMPOP", "0", "2", "x", "y", "LEFT", "COUNT", "2"]);
        s.cmd(2, &["RPUSH", "y", "1", "2", "3"]);
        s.read(1);
        s.cmd(2, &["LRANGE", "y", "0", "-1"]);
        s.cmd(2, &["BLMPOP", "0", "2", "x", "y", "RIGHT", "COUNT", "5"]);
    });
}

#[test]
fn client_unblock_timeout_and_error_as_redis() {
    differential("unblock", |s| {
        s.cmd(2, &["CONFIG", "RESETSTAT"]);
        let id = s.cmd(1, &["CLIENT", "ID"]);
        let id = String::from_utf8_lossy(&id[1..id.len() - 2]).into_owned();
        s.transcript.pop();
        s.send(1, &["BLPOP", "u", "0"]);
        s.cmd(2, &["CLIENT", "UNBLOCK", &id]);
        s.read(1);
        s.cmd(2, &["CLIENT", "UNBLOCK", &id]);
        s.send(1, &["BLPOP", "u", "0"]);
        s.cmd(2, &["CLIENT", "UNBLOCK", &id, "ERROR"]);
        s.read(1);
        s.cmd(2, &["CLIENT", "UNBLOCK", &id, "BAD"]);
        s.cmd(2, &["CLIENT", "UNBLOCK", "abc"]);
        // Served, timed out, unblocked: one call each.
        s.send(1, &["BLPOP", "u", "0"]);
        s.cmd(2, &["RPUSH", "u", "x"]);
        s.read(1);
        s.cmd(1, &["BLPOP", "u", "0.05"]);
        s.blocking_stats(2, BLOCKING);
        s.cmd(2, &["INFO", "errorstats"]);
    });
}

#[test]
fn pipelined_commands_after_a_blocking_one_wait_for_it_as_redis() {
    differential("pipeline", |s| {
        let mut batch = Conn::encode(&[b"BLPOP", b"p", b"0"]);
        batch.extend(Conn::encode(&[b"PING"]));
        s.conn(1).send_raw(&batch);
        s.wait_blocked(1);
        s.quiet(1);
        s.cmd(2, &["RPUSH", "p", "v"]);
        s.read(1);
        s.read(1);
    });
}

#[test]
fn blocked_move_to_a_wrong_type_destination_gets_wrongtype_and_the_next_waiter_is_served_as_redis()
{
    differential("wrongdst", |s| {
        s.cmd(9, &["CONFIG", "RESETSTAT"]);
        s.cmd(9, &["SET", "str", "x"]);
        s.send(1, &["BRPOPLPUSH", "src", "str", "0"]);
        s.wait_blocked(1);
        s.send(2, &["BLMOVE", "src", "str", "LEFT", "RIGHT", "0"]);
        s.wait_blocked(2);
        s.send(3, &["BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"]);
        s.wait_blocked(3);
        s.send(4, &["BRPOPLPUSH", "src", "dst", "0"]);
        s.wait_blocked(4);
        s.cmd(9, &["RPUSH", "src", "a"]);
        s.read(1);
        s.read(2);
        s.read(3);
        s.wait_blocked(1);
        s.quiet(4);
        s.cmd(9, &["LRANGE", "dst", "0", "-1"]);
        s.cmd(9, &["EXISTS", "src"]);
        // Several elements: the first waiter fails, the rest keep the order.
        s.send(5, &["BRPOPLPUSH", "src", "str", "0"]);
        s.wait_blocked(2);
        s.cmd(9, &["RPUSH", "src", "b", "c", "d"]);
        s.read(4);
        s.read(5);
        s.wait_blocked(0);
        s.cmd(9, &["LRANGE", "src", "0", "-1"]);
        s.cmd(9, &["LRANGE", "dst", "0", "-1"]);
        // With a timeout: WRONGTYPE when the element arrives, not nil later.
        s.send(6, &["BRPOPLPUSH", "t", "str", "5"]);
        s.wait_blocked(1);
        s.cmd(9, &["LPUSH", "t", "z"]);
        s.read(6);
        s.cmd(9, &["LRANGE", "t", "0", "-1"]);
        // A source of the wrong type serves nobody; once a list again it does.
        s.send(7, &["BLMOVE", "w", "str", "RIGHT", "LEFT", "0"]);
        s.wait_blocked(1);
        s.cmd(9, &["SET", "w", "v"]);
        s.quiet(7);
        s.cmd(9, &["DEL", "w"]);
        s.cmd(9, &["RPUSH", "w", "q"]);
        s.read(7);
        s.wait_blocked(0);
        // The destination deleted while waiting: the move succeeds.
        s.send(8, &["BLMOVE", "w2", "gone", "RIGHT", "LEFT", "0"]);
        s.wait_blocked(1);
        s.cmd(9, &["SET", "gone", "v"]);
        s.cmd(9, &["DEL", "gone"]);
        s.cmd(9, &["RPUSH", "w2", "r"]);
        s.read(8);
        s.cmd(9, &["LRANGE", "gone", "0", "-1"]);
        // A waiter that went away is skipped; the next one is served.
        s.send(1, &["BRPOPLPUSH", "d", "str", "0"]);
        s.wait_blocked(1);
        s.send(2, &["BRPOPLPUSH", "d", "str", "0"]);
        s.wait_blocked(2);
        s.send(3, &["BRPOPLPUSH", "d", "dst2", "0"]);
        s.wait_blocked(3);
        s.close(1);
        s.wait_blocked(2);
        s.cmd(9, &["RPUSH", "d", "e"]);
        s.read(2);
        s.read(3);
        s.cmd(9, &["LRANGE", "dst2", "0", "-1"]);
        s.cmd(9, &["INFO", "errorstats"]);
        s.blocking_stats(9, BLOCKING);
    });
}

#[test]
fn a_woken_waiter_is_served_even_over_maxmemory_as_redis() {
    differential("oom", |s| {
        s.cmd(9, &["SELECT", "1"]);
        s.cmd(9, &["RPUSH", "src", "a", "b"]);
        s.send(1, &["BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"]);
        s.wait_blocked(1);
        s.cmd(9, &["CONFIG", "SET", "maxmemory-policy", "noeviction"]);
        s.cmd(9, &["CONFIG", "SET", "maxmemory", "1"]);
        // SWAPDB is no DENYOOM command; the BLMOVE it wakes is served.
        s.cmd(9, &["SWAPDB", "0", "1"]);
        s.read(1);
        s.cmd(9, &["RPUSH", "src", "c"]);
        s.cmd(9, &["CONFIG", "SET", "maxmemory", "0"]);
        s.cmd(9, &["SELECT", "0"]);
        s.cmd(9, &["LRANGE", "dst", "0", "-1"]);
    });
}
