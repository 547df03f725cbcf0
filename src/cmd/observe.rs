//! What `call()` records about every executed command, after it ran: the
//! latency monitor's events and histograms (`latency.rs`), the slow log
//! (`slowlog.rs`) and the MONITOR feed (`monitor.rs`), with secrets redacted.

use bytes::Bytes;

use super::flags as f;
use super::monitor::feed_monitors;
use crate::client::{flags as cflags, Client};
use crate::server::Server;

/// Unix time now, in seconds and microseconds.
pub(crate) fn wall_time() -> (i64, u32) {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (d.as_secs() as i64, d.subsec_micros())
}

// ---------------------------------------------------------------------------------
// The call() hook
// ---------------------------------------------------------------------------------

/// Runs after every executed command `id` that took `usec` µs: latency event and
/// histogram and slow log for completed commands (a blocked one is accounted when
/// it is re-run and served), then the MONITOR feed (not for re-runs of blocked
/// commands, and never for admin or `skip_monitor` commands), as Redis's call().
pub fn after_call(srv: &mut Server, c: &mut Client, id: usize, usec: u64) {
    let flags = srv.commands.list[id].cmd.flags;
    if c.blocked.is_none() {
        let threshold = srv.config.latency_monitor_threshold;
        if threshold > 0 && usec / 1000 >= threshold {
            let event = if flags & f::FAST != 0 {
                "fast-command"
            } else {
                "command"
            };
            srv.latency.add_sample(event, usec / 1000, wall_time().0);
        }
        let slower = srv.config.slowlog_log_slower_than;
        let max_len = srv.config.slowlog_max_len;
        if flags & f::SKIP_SLOWLOG == 0
            && slower >= 0
            && (usec >= slower as u64 || srv.slowlog.len() as u64 > max_len)
        {
            let redacted = redact(srv.commands.list[id].fullname, &c.argv);
            let argv = redacted.as_deref().unwrap_or(&c.argv);
            srv.slowlog.push_if_needed(
                slower,
                max_len,
                argv,
                usec,
                wall_time().0,
                &c.addr,
                c.name.as_ref(),
            );
        }
    }
    if !srv.monitors.is_empty()
        && !c.has(cflags::RERUN)
        && flags & (f::SKIP_MONITOR | f::ADMIN) == 0
    {
        let redacted = redact(srv.commands.list[id].fullname, &c.argv);
        let argv = redacted.unwrap_or_else(|| c.argv.clone());
        feed_monitors(srv, c, &argv);
    }
}

/// The arguments with secrets replaced by `(redacted)`, as AUTH, HELLO ... AUTH,
/// MIGRATE ... AUTH/AUTH2 and CONFIG SET of a sensitive directive (`requirepass`,
/// `masterauth`, `masteruser`, the TLS key passwords) redact theirs in Redis;
/// None when nothing changes.
fn redact(fullname: &str, argv: &[Bytes]) -> Option<Vec<Bytes>> {
    let hidden = Bytes::from_static(b"(redacted)");
    let mut v = argv.to_vec();
    let mut changed = false;
    let mut hide = |v: &mut Vec<Bytes>, i: usize| {
        if i < v.len() {
            v[i] = hidden.clone();
            changed = true;
        }
    };
    match fullname {
        "auth" if argv.len() <= 3 => {
            for i in 1..argv.len() {
                hide(&mut v, i);
            }
        }
        "hello" => {
            let mut j = 2;
            while j < argv.len() {
                let more = argv.len() - 1 - j;
                if argv[j].eq_ignore_ascii_case(b"auth") && more >= 2 {
                    hide(&mut v, j + 1);
                    hide(&mut v, j + 2);
                    j += 3;
                } else if argv[j].eq_ignore_ascii_case(b"setname") && more >= 1 {
                    j += 2;
                } else {
                    break;
                }
            }
        }
        "migrate" => {
            let mut j = 6;
            while j < argv.len() {
                if argv[j].eq_ignore_ascii_case(b"auth") {
                    hide(&mut v, j + 1);
                    j += 2;
                } else if argv[j].eq_ignore_ascii_case(b"auth2") {
                    hide(&mut v, j + 1);
                    hide(&mut v, j + 2);
                    j += 3;
                } else if argv[j].eq_ignore_ascii_case(b"keys") {
                    break;
                } else {
                    j += 1;
                }
            }
        }
        "config|set" => {
            // Every pair, also after an invalid one (Redis redacts before it
            // validates, so that no error path leaks a value).
            let mut j = 2;
            while j + 1 < argv.len() {
                if crate::config::table::is_sensitive(&argv[j]) {
                    hide(&mut v, j + 1);
                }
                j += 2;
            }
        }
        _ => {}
    }
    changed.then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        let a =
            |v: &[&str]| -> Vec<Bytes> { v.iter().map(|s| Bytes::from(s.to_string())).collect() };
        assert_eq!(
            redact("auth", &a(&["auth", "u", "p"])).unwrap(),
            a(&["auth", "(redacted)", "(redacted)"])
        );
        assert!(redact("auth", &a(&["auth", "a", "b", "c"])).is_none());
        assert_eq!(
            redact(
                "hello",
                &a(&["hello", "3", "setname", "n", "auth", "u", "p"])
            )
            .unwrap(),
            a(&[
                "hello",
                "3",
                "setname",
                "n",
                "auth",
                "(redacted)",
                "(redacted)"
            ])
        );
        assert!(redact("get", &a(&["get", "k"])).is_none());
        assert_eq!(
            redact(
                "config|set",
                &a(&[
                    "config",
                    "set",
                    "maxmemory",
                    "1",
                    "MASTERAUTH",
                    "x",
                    "nosuch",
                    "y",
                    "requirepass",
                    "z"
                ])
            )
            .unwrap(),
            a(&[
                "config",
                "set",
                "maxmemory",
                "1",
                "MASTERAUTH",
                "(redacted)",
                "nosuch",
                "y",
                "requirepass",
                "(redacted)"
            ])
        );
        assert!(redact("config|set", &a(&["config", "set", "maxmemory", "1"])).is_none());
    }
}
