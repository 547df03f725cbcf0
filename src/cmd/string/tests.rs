//! Handler-level tests: the state a command leaves behind (the dirty counter,
//! expiries, encodings), read from the server directly. Reply bytes are covered against Redis by tests/strings.rs.

use crate::cmd::harness::Harness;
use crate::config::Config;
use crate::server::Server;

fn harness() -> Harness {
    Harness::new(Server::new(Config::default()))
}

/// What these tests look at after a command.
trait Inspect {
    fn dirty(&mut self, args: &[&str]) -> u64;
    fn expire(&mut self, key: &str) -> Option<i64>;
    fn encoding(&mut self, key: &str) -> &'static str;
    fn exists(&mut self, key: &str) -> bool;
}

impl Inspect for Harness {
    /// Runs a command and returns how much it moved the dirty counter.
    fn dirty(&mut self, args: &[&str]) -> u64 {
        let before = self.srv.dirty;
        self.run(args);
        self.srv.dirty - before
    }

    fn expire(&mut self, key: &str) -> Option<i64> {
        self.srv.dbs[0]
            .lookup(key.as_bytes())
            .expect("key exists")
            .expire()
    }

    fn encoding(&mut self, key: &str) -> &'static str {
        self.srv.dbs[0]
            .lookup(key.as_bytes())
            .expect("key exists")
            .str_encoding()
            .expect("a string")
    }

    fn exists(&mut self, key: &str) -> bool {
        self.srv.dbs[0].lookup(key.as_bytes()).is_some()
    }
}

/// Each write counts as Redis's server.dirty does; failed or no-op writes and
/// reads do not count.
#[test]
fn dirty_counter_follows_redis() {
    let mut h = harness();
    let cases: &[(&[&str], u64)] = &[
        (&["set", "k", "v"], 1),
        (&["set", "k", "v", "nx"], 0),
        (&["set", "k", "v", "xx", "get"], 1),
        (&["set", "k", "v", "ex", "0"], 0),
        (&["get", "k"], 0),
        (&["setnx", "k", "v"], 0),
        (&["setnx", "k2", "v"], 1),
        (&["mset", "a", "1", "b", "2", "c", "3"], 3),
        (&["mset", "a", "1", "b"], 0),
        (&["msetnx", "a", "1", "new", "2"], 0),
        (&["msetnx", "n1", "1", "n2", "2"], 2),
        (&["incr", "a"], 1),
        (&["incr", "k"], 0),
        (&["incrbyfloat", "a", "1.5"], 1),
        (&["incrbyfloat", "a", "inf"], 0),
        (&["incrbyfloat", "k", "1"], 0),
        (&["append", "k", "x"], 1),
        (&["setrange", "k", "0", ""], 0),
        (&["setrange", "missing", "3", ""], 0),
        (&["setrange", "k", "0", "z"], 1),
        (&["setrange", "k", "-1", "z"], 0),
        (&["getrange", "k", "0", "-1"], 0),
        (&["lcs", "k", "a"], 0),
        (&["getset", "k", "w"], 1),
        (&["getdel", "missing"], 0),
        (&["getdel", "k"], 1),
        (&["getex", "a"], 0),
        (&["getex", "a", "persist"], 0),
        (&["getex", "a", "ex", "100"], 1),
        (&["getex", "a", "persist"], 1),
        (&["getex", "a", "ex", "0"], 0),
        (&["getex", "missing", "ex", "100"], 0),
        (&["getex", "b", "pxat", "1"], 1),
    ];
    for (args, want) in cases {
        assert_eq!(h.dirty(args), *want, "{args:?}");
    }
    assert!(!h.exists("b"), "GETEX PXAT in the past deletes the key");
}

#[test]
fn getex_sets_and_clears_expiry() {
    let mut h = harness();
    h.run(&["set", "k", "v"]);
    let now = h.srv.now_ms;
    assert_eq!(h.run(&["getex", "k", "px", "100000"]), b"$1\r\nv\r\n");
    let t = h.expire("k").expect("expiry set");
    assert!((now + 100_000..now + 110_000).contains(&t), "{t} vs {now}");
    h.run(&["getex", "k", "exat", "99999999999"]);
    assert_eq!(h.expire("k"), Some(99_999_999_999_000));
    h.run(&["getex", "k", "pxat", "99999999999001"]);
    assert_eq!(h.expire("k"), Some(99_999_999_999_001));
    h.run(&["getex", "k", "persist"]);
    assert_eq!(h.expire("k"), None);
    h.run(&["getex", "k", "exat", "1"]);
    assert!(!h.exists("k"));
}

/// Which commands keep a key's TTL and which reset it, as in Redis.
#[test]
fn ttl_kept_or_cleared() {
    let mut h = harness();
    let keeps: &[&[&str]] = &[
        &["incr", "k"],
        &["incrby", "k", "5"],
        &["incrbyfloat", "k", "0.5"],
        &["append", "k", "1"],
        &["setrange", "k", "0", "7"],
        &["set", "k", "9", "keepttl"],
        &["set", "k", "9", "xx", "keepttl", "get"],
        &["getex", "k"],
    ];
    for args in keeps {
        h.run(&["set", "k", "10", "ex", "1000"]);
        let t = h.expire("k");
        assert!(t.is_some());
        h.run(args);
        assert_eq!(h.expire("k"), t, "{args:?} must keep the TTL");
    }
    let clears: &[&[&str]] = &[
        &["set", "k", "1"],
        &["getset", "k", "1"],
        &["mset", "k", "1"],
        &["set", "k", "1", "get"],
    ];
    for args in clears {
        h.run(&["set", "k", "10", "ex", "1000"]);
        h.run(args);
        assert_eq!(h.expire("k"), None, "{args:?} must clear the TTL");
    }
}

/// The encoding Redis's OBJECT ENCODING would show after each command.
#[test]
fn encodings_follow_redis() {
    let mut h = harness();
    let long = "x".repeat(45);
    let cases: &[(&[&str], &str)] = &[
        (&["set", "k", "123"], "int"),
        (&["set", "k", "0123"], "embstr"),
        (&["set", "k", &long], "raw"),
        (&["getset", "k", "-5"], "int"),
        (&["incrbyfloat", "k", "8"], "embstr"),
        (&["incr", "k"], "int"),
        (&["append", "k", "0"], "raw"),
        (&["set", "k", "abc"], "embstr"),
        (&["setrange", "k", "0", "x"], "raw"),
        (&["setrange", "new", "0", "1"], "raw"),
        (&["msetnx", "m", "42"], "int"),
    ];
    for (args, want) in cases {
        h.run(args);
        let key = args[1];
        assert_eq!(h.encoding(key), *want, "{args:?}");
    }
    // 40 bytes stays embstr, 51 bytes is raw (Redis 7.0.15 replies shown).
    assert_eq!(
        h.run(&["incrbyfloat", "f", "1e40"]),
        b"$40\r\n9999999999999999999783686092270256259072\r\n"
    );
    assert_eq!(h.encoding("f"), "embstr");
    assert_eq!(
        h.run(&["incrbyfloat", "h", "1e50"]),
        b"$51\r\n100000000000000000003583830118858923890798487404544\r\n"
    );
    assert_eq!(h.encoding("h"), "raw");
}
