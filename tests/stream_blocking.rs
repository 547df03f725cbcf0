//! Blocking stream reads (XREAD BLOCK, XREADGROUP BLOCK), played as multi-client
//! scenarios against oxidis and a real redis-server: every reply, in the order
//! the scenario reads them, must be byte-identical. Several readers on several
//! keys and groups, FIFO order, timeouts, the key deleted / retyped / flushed /
//! swapped away or the group destroyed while clients wait, disconnects, CLIENT
//! UNBLOCK, MULTI, RESP3. Every wait is on observable state (INFO
//! blocked_clients, connected_clients); `quiet` checks that nothing arrives.

mod common;

use common::scenario::{differential, Side};
use common::Conn;

/// The commands whose INFO commandstats the scenarios compare.
const BLOCKING: &[&str] = &["xread", "xreadgroup"];

/// This connection's CLIENT ID, kept out of the transcript.
fn client_id(s: &mut Side, i: usize) -> String {
    let id = s.cmd(i, &["CLIENT", "ID"]);
    s.transcript.pop();
    String::from_utf8_lossy(&id[1..id.len() - 2]).into_owned()
}

#[test]
fn xadd_wakes_xread_on_dollar_and_on_an_explicit_id_as_redis() {
    differential("xread-wake", |s| {
        s.cmd(2, &["XADD", "a", "1-1", "f", "old"]);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "a", "$"]);
        s.cmd(2, &["XADD", "a", "2-1", "f", "new"]);
        s.read(1);
        // An ID below the last one is served at once, without blocking.
        s.cmd(1, &["XREAD", "BLOCK", "0", "STREAMS", "a", "1-1"]);
        // A missing key with $ and with an explicit ID.
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "b", "$"]);
        s.cmd(2, &["XADD", "b", "5-5", "x", "y"]);
        s.read(1);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "c", "10-0"]);
        // Entries at or below the requested ID do not wake the reader.
        s.cmd(2, &["XADD", "c", "9-9", "x", "y"]);
        s.cmd(2, &["XADD", "c", "10-0", "x", "y"]);
        s.quiet(1);
        s.cmd(2, &["XADD", "c", "10-1", "x", "z"]);
        s.read(1);
        // COUNT caps what a woken reader gets from a batch.
        s.send(
            1,
            &["XREAD", "COUNT", "2", "BLOCK", "0", "STREAMS", "d", "$"],
        );
        s.cmd(2, &["MULTI"]);
        for id in ["1-1", "1-2", "1-3"] {
            s.cmd(2, &["XADD", "d", id, "f", id]);
        }
        s.cmd(2, &["EXEC"]);
        s.read(1);
    });
}

#[test]
fn xread_on_several_keys_is_served_from_the_key_written_as_redis() {
    differential("xread-keys", |s| {
        s.cmd(2, &["XADD", "k1", "1-1", "f", "v"]);
        s.send(
            1,
            &[
                "XREAD", "BLOCK", "0", "STREAMS", "k1", "k2", "k3", "$", "$", "0",
            ],
        );
        s.cmd(2, &["XADD", "k2", "3-1", "f", "v"]);
        s.read(1);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "k1", "k2", "$", "$"]);
        s.cmd(2, &["MULTI"]);
        s.cmd(2, &["XADD", "k2", "4-1", "f", "v"]);
        s.cmd(2, &["XADD", "k1", "4-1", "f", "v"]);
        s.cmd(2, &["EXEC"]);
        s.read(1);
        // The same key twice.
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "k1", "k1", "$", "$"]);
        s.cmd(2, &["XADD", "k1", "5-1", "f", "v"]);
        s.read(1);
    });
}

#[test]
fn every_xread_waiter_gets_the_entry_but_only_one_group_consumer_does_as_redis() {
    differential("fanout", |s| {
        s.cmd(9, &["XGROUP", "CREATE", "q", "g1", "$", "MKSTREAM"]);
        s.cmd(9, &["XGROUP", "CREATE", "q", "g2", "$"]);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "q", "$"]);
        s.send(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "g1",
                "alice",
                "BLOCK",
                "0",
                "STREAMS",
                "q",
                ">",
            ],
        );
        s.send(
            3,
            &[
                "XREADGROUP",
                "GROUP",
                "g1",
                "bob",
                "BLOCK",
                "0",
                "STREAMS",
                "q",
                ">",
            ],
        );
        s.send(
            4,
            &[
                "XREADGROUP",
                "GROUP",
                "g2",
                "carol",
                "BLOCK",
                "0",
                "STREAMS",
                "q",
                ">",
            ],
        );
        s.send(5, &["XREAD", "BLOCK", "0", "STREAMS", "q", "$"]);
        s.cmd(9, &["XADD", "q", "1-1", "job", "1"]);
        s.read(1);
        s.read(2);
        s.read(4);
        s.read(5);
        // bob waits on: alice took the only new entry of g1.
        s.quiet(3);
        s.cmd(9, &["XADD", "q", "2-1", "job", "2"]);
        s.read(3);
        s.cmd(9, &["XPENDING", "q", "g1"]);
        s.cmd(9, &["XPENDING", "q", "g2"]);
        s.cmd(9, &["XINFO", "GROUPS", "q"]);
    });
}

#[test]
fn group_consumers_are_served_in_fifo_order_as_redis() {
    differential("fifo", |s| {
        s.cmd(9, &["XGROUP", "CREATE", "f", "g", "$", "MKSTREAM"]);
        for (i, c) in ["c1", "c2", "c3", "c4"].into_iter().enumerate() {
            s.send(
                i + 1,
                &[
                    "XREADGROUP",
                    "GROUP",
                    "g",
                    c,
                    "COUNT",
                    "1",
                    "BLOCK",
                    "0",
                    "STREAMS",
                    "f",
                    ">",
                ],
            );
        }
        // One XADD at a time: each goes to the longest waiter.
        s.cmd(9, &["XADD", "f", "1-1", "n", "1"]);
        s.read(1);
        s.cmd(9, &["XADD", "f", "2-1", "n", "2"]);
        s.read(2);
        // Two entries in one transaction: the next waiter takes COUNT 1, the one
        // after it the other.
        s.cmd(9, &["MULTI"]);
        s.cmd(9, &["XADD", "f", "3-1", "n", "3"]);
        s.cmd(9, &["XADD", "f", "4-1", "n", "4"]);
        s.cmd(9, &["EXEC"]);
        s.read(3);
        s.read(4);
        s.cmd(9, &["XPENDING", "f", "g"]);
    });
}

#[test]
fn several_groups_on_several_keys_as_redis() {
    differential("groups-keys", |s| {
        s.cmd(9, &["XGROUP", "CREATE", "s1", "g", "$", "MKSTREAM"]);
        s.cmd(9, &["XGROUP", "CREATE", "s2", "g", "$", "MKSTREAM"]);
        s.cmd(9, &["XGROUP", "CREATE", "s2", "h", "$"]);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "a",
                "BLOCK",
                "0",
                "STREAMS",
                "s1",
                "s2",
                ">",
                ">",
            ],
        );
        s.send(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "h",
                "b",
                "BLOCK",
                "0",
                "STREAMS",
                "s2",
                ">",
            ],
        );
        s.send(
            3,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "s2",
                ">",
            ],
        );
        s.cmd(9, &["XADD", "s2", "1-1", "f", "v"]);
        s.read(1);
        s.read(2);
        s.quiet(3);
        s.cmd(9, &["XADD", "s1", "1-1", "f", "v"]);
        s.quiet(3);
        s.cmd(9, &["XADD", "s2", "2-1", "f", "v"]);
        s.read(3);
        s.cmd(9, &["XINFO", "GROUPS", "s1"]);
        s.cmd(9, &["XINFO", "GROUPS", "s2"]);
    });
}

#[test]
fn noack_and_history_reads_as_redis() {
    differential("noack", |s| {
        s.cmd(9, &["XGROUP", "CREATE", "n", "g", "$", "MKSTREAM"]);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "a",
                "NOACK",
                "BLOCK",
                "0",
                "STREAMS",
                "n",
                ">",
            ],
        );
        s.cmd(9, &["XADD", "n", "1-1", "f", "v"]);
        s.read(1);
        s.cmd(9, &["XPENDING", "n", "g"]);
        // A history read (an ID, not ">") never blocks, even empty.
        s.cmd(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "a",
                "BLOCK",
                "0",
                "STREAMS",
                "n",
                "0",
            ],
        );
        s.cmd(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "new",
                "BLOCK",
                "0",
                "STREAMS",
                "n",
                "0",
            ],
        );
    });
}

#[test]
fn timeouts_reply_null_as_redis() {
    differential("timeout", |s| {
        s.cmd(1, &["XREAD", "BLOCK", "50", "STREAMS", "t", "$"]);
        s.cmd(
            1,
            &[
                "XREAD", "COUNT", "3", "BLOCK", "50", "STREAMS", "t", "u", "0", "$",
            ],
        );
        s.cmd(1, &["XGROUP", "CREATE", "t", "g", "$", "MKSTREAM"]);
        s.cmd(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "50",
                "STREAMS",
                "t",
                ">",
            ],
        );
        // A read that timed out created no consumer (Redis creates it when served).
        s.cmd(1, &["XINFO", "GROUPS", "t"]);
        s.cmd(1, &["HELLO", "3"]);
        s.transcript.pop(); // the client id differs
        s.cmd(1, &["XREAD", "BLOCK", "50", "STREAMS", "t", "$"]);
        s.cmd(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "50",
                "STREAMS",
                "t",
                ">",
            ],
        );
        s.cmd(1, &["XADD", "t", "1-1", "f", "v"]);
        s.cmd(1, &["XREAD", "BLOCK", "50", "STREAMS", "t", "0"]);
        s.cmd(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "50",
                "STREAMS",
                "t",
                ">",
            ],
        );
    });
}

#[test]
fn block_argument_errors_as_redis() {
    differential("errors", |s| {
        for t in ["-1", "abc", "1.5", "", "99999999999999999999"] {
            s.cmd(1, &["XREAD", "BLOCK", t, "STREAMS", "e", "$"]);
            s.cmd(
                1,
                &[
                    "XREADGROUP",
                    "GROUP",
                    "g",
                    "c",
                    "BLOCK",
                    t,
                    "STREAMS",
                    "e",
                    ">",
                ],
            );
        }
        s.cmd(1, &["XREAD", "BLOCK", "0", "STREAMS", "e"]);
        s.cmd(1, &["XREAD", "BLOCK", "0", "STREAMS", "e", ">"]);
        s.cmd(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "e",
                "$",
            ],
        );
        s.cmd(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "nosuch",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "e",
                ">",
            ],
        );
        s.cmd(1, &["XADD", "e", "1-1", "f", "v"]);
        s.cmd(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "nosuch",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "e",
                ">",
            ],
        );
        s.cmd(1, &["SET", "str", "v"]);
        s.cmd(1, &["XREAD", "BLOCK", "0", "STREAMS", "str", "$"]);
        s.cmd(1, &["XREAD", "BLOCK", "0", "STREAMS", "e", "str", "$", "$"]);
        s.cmd(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "str",
                ">",
            ],
        );
    });
}

#[test]
fn the_stream_deleted_or_retyped_while_blocked_as_redis() {
    differential("deleted", |s| {
        s.cmd(9, &["XGROUP", "CREATE", "d", "g", "$", "MKSTREAM"]);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "d", "$"]);
        s.send(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "d",
                ">",
            ],
        );
        s.cmd(9, &["DEL", "d"]);
        s.read(2);
        s.quiet(1);
        // A new stream under the name wakes the XREAD waiter.
        s.cmd(9, &["XADD", "d", "1-1", "f", "v"]);
        s.read(1);
        // The key turned into a string.
        s.cmd(9, &["XGROUP", "CREATE", "d", "g", "$"]);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "d", "$"]);
        s.send(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "d",
                ">",
            ],
        );
        s.cmd(9, &["SET", "d", "now a string"]);
        s.read(2);
        s.quiet(1);
        s.cmd(9, &["DEL", "d"]);
        s.quiet(1);
        s.cmd(9, &["XADD", "d", "2-1", "f", "v"]);
        s.read(1);
        // A list under the name, and an emptied stream (XDEL leaves the key).
        s.cmd(9, &["XGROUP", "CREATE", "d", "g", "$"]);
        s.send(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "d",
                ">",
            ],
        );
        s.cmd(9, &["XDEL", "d", "2-1"]);
        s.cmd(9, &["XTRIM", "d", "MAXLEN", "0"]);
        s.quiet(2);
        s.cmd(9, &["UNLINK", "d"]);
        s.read(2);
        s.cmd(9, &["RPUSH", "d", "x"]);
        s.cmd(9, &["TYPE", "d"]);
    });
}

#[test]
fn rename_and_expire_of_the_stream_while_blocked_as_redis() {
    differential("rename", |s| {
        s.cmd(9, &["XGROUP", "CREATE", "r", "g", "$", "MKSTREAM"]);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "r", "$"]);
        s.send(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "r",
                ">",
            ],
        );
        s.cmd(9, &["RENAME", "r", "r2"]);
        s.read(2);
        s.quiet(1);
        s.cmd(9, &["XADD", "r2", "1-1", "f", "v"]);
        s.quiet(1);
        // A stream renamed onto the key the reader waits on.
        s.cmd(9, &["RENAME", "r2", "r"]);
        s.read(1);
        // An expiry time in the past deletes the stream at once.
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "r", "$"]);
        s.cmd(9, &["PEXPIREAT", "r", "1"]);
        s.cmd(9, &["EXISTS", "r"]);
        s.quiet(1);
        // $ was 1-1 (the renamed stream's last ID): a new 1-1 does not wake it.
        s.cmd(9, &["XADD", "r", "1-1", "f", "v"]);
        s.quiet(1);
        s.cmd(9, &["XADD", "r", "2-1", "f", "v"]);
        s.read(1);
    });
}

#[test]
fn flushall_and_swapdb_while_blocked_as_redis() {
    differential("flush-swap", |s| {
        s.cmd(9, &["XGROUP", "CREATE", "x", "g", "$", "MKSTREAM"]);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "x", "$"]);
        s.send(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "x",
                ">",
            ],
        );
        s.cmd(9, &["FLUSHALL"]);
        s.read(2);
        s.quiet(1);
        s.cmd(9, &["XADD", "x", "1-1", "f", "v"]);
        s.read(1);
        // SWAPDB brings in another database's stream: readers of db 0 see it.
        s.cmd(9, &["XGROUP", "CREATE", "x", "g", "$"]);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "x", "$"]);
        s.send(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "x",
                ">",
            ],
        );
        s.cmd(9, &["SELECT", "9"]);
        s.cmd(9, &["XADD", "x", "5-1", "f", "from db 9"]);
        s.cmd(9, &["XGROUP", "CREATE", "x", "g", "0"]);
        s.cmd(9, &["SWAPDB", "0", "9"]);
        s.read(1);
        s.read(2);
        // ... and a swap that takes the stream away.
        s.cmd(9, &["SELECT", "0"]);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "x", "$"]);
        s.send(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "x",
                ">",
            ],
        );
        s.cmd(9, &["SWAPDB", "0", "9"]);
        s.quiet(1);
        s.quiet(2);
        s.cmd(9, &["XADD", "x", "9-1", "f", "v"]);
        s.read(1);
        s.read(2);
        // FLUSHDB of the database.
        s.send(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "x",
                ">",
            ],
        );
        s.cmd(9, &["FLUSHDB"]);
        s.read(2);
    });
}

#[test]
fn the_group_destroyed_or_its_consumer_deleted_while_blocked_as_redis() {
    differential("group-destroyed", |s| {
        s.cmd(9, &["XGROUP", "CREATE", "g", "grp", "$", "MKSTREAM"]);
        s.cmd(9, &["XGROUP", "CREATE", "g", "other", "$"]);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "grp",
                "a",
                "BLOCK",
                "0",
                "STREAMS",
                "g",
                ">",
            ],
        );
        s.send(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "other",
                "b",
                "BLOCK",
                "0",
                "STREAMS",
                "g",
                ">",
            ],
        );
        s.cmd(9, &["XGROUP", "DESTROY", "g", "grp"]);
        s.read(1);
        s.quiet(2);
        // DELCONSUMER of a waiter not served yet (so not created yet) changes nothing.
        s.cmd(9, &["XGROUP", "DELCONSUMER", "g", "other", "b"]);
        s.quiet(2);
        s.cmd(9, &["XADD", "g", "1-1", "f", "v"]);
        s.read(2);
        s.cmd(9, &["XINFO", "GROUPS", "g"]);
        // SETID back while waiting: nothing at once; the next XADD serves the
        // reader from the group's new position.
        s.send(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "other",
                "b",
                "BLOCK",
                "0",
                "STREAMS",
                "g",
                ">",
            ],
        );
        s.cmd(9, &["XGROUP", "SETID", "g", "other", "0"]);
        s.quiet(2);
        s.cmd(9, &["XADD", "g", "2-1", "f", "v"]);
        s.read(2);
    });
}

#[test]
fn disconnected_waiters_are_forgotten_as_redis() {
    differential("disconnect", |s| {
        s.cmd(9, &["XGROUP", "CREATE", "q", "g", "$", "MKSTREAM"]);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "a",
                "BLOCK",
                "0",
                "STREAMS",
                "q",
                ">",
            ],
        );
        s.send(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "b",
                "BLOCK",
                "0",
                "STREAMS",
                "q",
                ">",
            ],
        );
        s.send(3, &["XREAD", "BLOCK", "0", "STREAMS", "q", "$"]);
        s.close(1);
        s.close(3);
        s.cmd(9, &["XADD", "q", "1-1", "f", "v"]);
        s.read(2);
        s.cmd(9, &["XPENDING", "q", "g"]);
    });
}

#[test]
fn client_unblock_timeout_and_error_as_redis() {
    differential("unblock", |s| {
        s.cmd(2, &["CONFIG", "RESETSTAT"]);
        let id = client_id(s, 1);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "u", "$"]);
        s.cmd(2, &["CLIENT", "UNBLOCK", &id]);
        s.read(1);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "u", "$"]);
        s.cmd(2, &["CLIENT", "UNBLOCK", &id, "TIMEOUT"]);
        s.read(1);
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "u", "$"]);
        s.cmd(2, &["CLIENT", "UNBLOCK", &id, "ERROR"]);
        s.read(1);
        s.cmd(2, &["XGROUP", "CREATE", "u", "g", "$", "MKSTREAM"]);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "u",
                ">",
            ],
        );
        s.cmd(2, &["CLIENT", "UNBLOCK", &id, "TIMEOUT"]);
        s.read(1);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "u",
                ">",
            ],
        );
        s.cmd(2, &["CLIENT", "UNBLOCK", &id, "ERROR"]);
        s.read(1);
        s.cmd(2, &["CLIENT", "UNBLOCK", &id]);
        // Served, timed out, unblocked: one call each.
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "u", "$"]);
        s.cmd(2, &["XADD", "u", "1-1", "f", "v"]);
        s.read(1);
        s.cmd(1, &["XREAD", "BLOCK", "20", "STREAMS", "u", "$"]);
        s.blocking_stats(2, BLOCKING);
        s.cmd(2, &["INFO", "errorstats"]);
    });
}

#[test]
fn multi_exec_wakes_after_exec_and_block_inside_multi_does_not_block_as_redis() {
    differential("multi", |s| {
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "m", "$"]);
        s.cmd(2, &["MULTI"]);
        s.cmd(2, &["XADD", "m", "1-1", "f", "v"]);
        s.cmd(2, &["XADD", "m", "2-1", "f", "v"]);
        s.quiet(1);
        s.cmd(2, &["EXEC"]);
        s.read(1);
        s.cmd(2, &["XGROUP", "CREATE", "m", "g", "$"]);
        s.cmd(2, &["MULTI"]);
        s.cmd(2, &["XREAD", "BLOCK", "0", "STREAMS", "m", "$"]);
        s.cmd(2, &["XREAD", "BLOCK", "0", "STREAMS", "nosuch", "$"]);
        s.cmd(
            2,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "m",
                ">",
            ],
        );
        s.cmd(2, &["XREAD", "BLOCK", "0", "STREAMS", "m", "0"]);
        s.cmd(2, &["EXEC"]);
        // Added and deleted inside one transaction: Redis serves an empty read.
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "m", "$"]);
        s.cmd(2, &["MULTI"]);
        s.cmd(2, &["XADD", "m", "3-1", "f", "v"]);
        s.cmd(2, &["XDEL", "m", "3-1"]);
        s.cmd(2, &["EXEC"]);
        s.quiet(1);
        s.cmd(2, &["XADD", "m", "4-1", "f", "v"]);
        s.quiet(1);
    });
}

#[test]
fn pipelined_commands_after_a_blocked_xread_wait_for_it_as_redis() {
    differential("pipeline", |s| {
        let mut batch = Conn::encode(&[b"XREAD", b"BLOCK", b"0", b"STREAMS", b"p", b"$"]);
        batch.extend(Conn::encode(&[b"XLEN", b"p"]));
        s.conn(1).send_raw(&batch);
        s.wait_blocked(1);
        s.quiet(1);
        s.cmd(2, &["XADD", "p", "1-1", "f", "v"]);
        s.read(1);
        s.read(1);
    });
}

#[test]
fn resp3_woken_replies_as_redis() {
    differential("resp3", |s| {
        s.cmd(1, &["HELLO", "3"]);
        s.transcript.pop();
        s.send(1, &["XREAD", "BLOCK", "0", "STREAMS", "r", "$"]);
        s.cmd(2, &["XADD", "r", "1-1", "a", "1", "b", "2"]);
        s.read(1);
        s.cmd(2, &["XGROUP", "CREATE", "r", "g", "$"]);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "r",
                ">",
            ],
        );
        s.cmd(2, &["XADD", "r", "2-1", "a", "1"]);
        s.read(1);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "r",
                ">",
            ],
        );
        s.cmd(2, &["XGROUP", "DESTROY", "r", "g"]);
        s.read(1);
    });
}

#[test]
fn keyspace_events_of_a_woken_group_read_as_redis() {
    differential("notify", |s| {
        s.cmd(3, &["CONFIG", "SET", "notify-keyspace-events", "KEA"]);
        s.cmd(2, &["XGROUP", "CREATE", "n", "g", "$", "MKSTREAM"]);
        s.cmd(3, &["PSUBSCRIBE", "__key*__:*"]);
        s.send(
            1,
            &[
                "XREADGROUP",
                "GROUP",
                "g",
                "c",
                "BLOCK",
                "0",
                "STREAMS",
                "n",
                ">",
            ],
        );
        s.cmd(2, &["XADD", "n", "1-1", "f", "v"]);
        s.read(1);
        // xgroup-createconsumer (the blocked read created c) and xadd, on both channels.
        for _ in 0..4 {
            s.read(3);
        }
        s.quiet(3);
        s.cmd(2, &["CONFIG", "SET", "notify-keyspace-events", ""]);
    });
}
