//! Checks over every row of the live command table.

use super::{command_table, flags};

#[test]
fn table_is_consistent() {
    let t = command_table();
    for e in &t.list {
        assert_eq!(e.cmd.name, e.cmd.name.to_ascii_lowercase());
        assert!(e.cmd.arity != 0, "{}", e.fullname);
        assert!(!e.cmd.summary.is_empty(), "{}", e.fullname);
        if e.parent.is_some() {
            assert!(e.cmd.subcommands.is_empty(), "{}", e.fullname);
        }
    }
    assert!(t.find(b"GeT").is_some());
}

/// Redis 7.0's commands flagged may_replicate (hidden from COMMAND INFO,
/// but CLIENT PAUSE WRITE holds them): exactly these carry the flag here.
#[test]
fn may_replicate_rows_match_redis() {
    const REDIS: &[&str] = &["eval", "evalsha", "fcall", "pfcount", "publish", "spublish"];
    let t = command_table();
    for e in &t.list {
        let has = e.cmd.flags & flags::MAY_REPLICATE != 0;
        assert_eq!(has, REDIS.contains(&e.fullname), "{}", e.fullname);
    }
    assert!(t.find(b"publish").is_some());
}
