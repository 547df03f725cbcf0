//! The slow log (Redis's slowlog.c): the most recent commands whose execution took
//! at least `slowlog-log-slower-than` microseconds, newest first, at most
//! `slowlog-max-len` of them. `call()` offers every completed command through
//! [`Slowlog::push_if_needed`]; SLOWLOG GET/LEN/RESET (cmd/slowlog.rs) read it.
//!
//! An entry keeps a bounded copy of the arguments, as Redis does: at most 32 of
//! them (the last slot then says `... (N more arguments)`), each cut to 128 bytes
//! (`... (N more bytes)`).

use std::collections::VecDeque;

use bytes::Bytes;

/// Arguments kept per entry (Redis's SLOWLOG_ENTRY_MAX_ARGC).
pub const MAX_ARGC: usize = 32;
/// Bytes kept per argument (Redis's SLOWLOG_ENTRY_MAX_STRING).
pub const MAX_STRING: usize = 128;

/// One logged command.
#[derive(Debug, Clone)]
pub struct SlowlogEntry {
    pub id: u64,
    /// Unix time in seconds when it was logged.
    pub time: i64,
    /// Execution time in microseconds.
    pub duration: u64,
    pub argv: Vec<Bytes>,
    /// The client's `ip:port` (or `path:0` for a unix socket).
    pub peer: String,
    /// The client's name, empty when it has none.
    pub cname: Bytes,
}

/// The log itself, newest entry first.
#[derive(Debug, Default)]
pub struct Slowlog {
    entries: VecDeque<SlowlogEntry>,
    next_id: u64,
}

/// The bounded copy of `argv` an entry stores.
pub fn entry_argv(argv: &[Bytes]) -> Vec<Bytes> {
    let kept = argv.len().min(MAX_ARGC);
    let mut out = Vec::with_capacity(kept);
    for (j, a) in argv.iter().take(kept).enumerate() {
        if kept != argv.len() && j == kept - 1 {
            let more = argv.len() - kept + 1;
            out.push(Bytes::from(format!("... ({more} more arguments)")));
        } else if a.len() > MAX_STRING {
            let mut s = a[..MAX_STRING].to_vec();
            s.extend_from_slice(format!("... ({} more bytes)", a.len() - MAX_STRING).as_bytes());
            out.push(Bytes::from(s));
        } else {
            // Copy: an argument may share a large query buffer.
            out.push(Bytes::copy_from_slice(a));
        }
    }
    out
}

impl Slowlog {
    /// Logs the command if it took at least `slower_than` µs (a negative
    /// threshold disables the log), then trims the log to `max_len` entries.
    #[allow(clippy::too_many_arguments)]
    pub fn push_if_needed(
        &mut self,
        slower_than: i64,
        max_len: u64,
        argv: &[Bytes],
        duration: u64,
        now_secs: i64,
        peer: &str,
        cname: Option<&Bytes>,
    ) {
        if slower_than < 0 {
            return;
        }
        if duration >= slower_than as u64 {
            let e = SlowlogEntry {
                id: self.next_id,
                time: now_secs,
                duration,
                argv: entry_argv(argv),
                peer: peer.to_string(),
                cname: cname.cloned().unwrap_or_default(),
            };
            self.next_id += 1;
            self.entries.push_front(e);
        }
        while self.entries.len() as u64 > max_len {
            self.entries.pop_back();
        }
    }

    /// Number of entries (SLOWLOG LEN).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops every entry; ids keep counting (SLOWLOG RESET).
    pub fn reset(&mut self) {
        self.entries.clear();
    }

    /// Entries, newest first.
    pub fn iter(&self) -> impl Iterator<Item = &SlowlogEntry> {
        self.entries.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<Bytes> {
        v.iter().map(|s| Bytes::from(s.to_string())).collect()
    }

    #[test]
    fn truncates_like_redis() {
        let many: Vec<Bytes> = (0..40).map(|i| Bytes::from(i.to_string())).collect();
        let a = entry_argv(&many);
        assert_eq!(a.len(), 32);
        assert_eq!(&a[30][..], b"30");
        assert_eq!(&a[31][..], b"... (9 more arguments)");
        let long = vec![Bytes::from(vec![b'x'; 200])];
        let a = entry_argv(&long);
        assert_eq!(a[0].len(), 128 + "... (72 more bytes)".len());
        assert!(a[0].ends_with(b"... (72 more bytes)"));
        let exact = vec![Bytes::from(vec![b'x'; 128])];
        assert_eq!(entry_argv(&exact)[0].len(), 128);
    }

    #[test]
    fn thresholds_and_trim() {
        let mut s = Slowlog::default();
        s.push_if_needed(-1, 10, &args(&["get", "a"]), 1_000_000, 1, "x:1", None);
        assert!(s.is_empty());
        s.push_if_needed(100, 10, &args(&["get", "a"]), 99, 1, "x:1", None);
        assert!(s.is_empty());
        for i in 0..5 {
            s.push_if_needed(0, 3, &args(&["get", "a"]), i, 1, "x:1", None);
        }
        assert_eq!(s.len(), 3);
        let ids: Vec<u64> = s.iter().map(|e| e.id).collect();
        assert_eq!(ids, vec![4, 3, 2]);
        s.reset();
        s.push_if_needed(0, 3, &args(&["ping"]), 0, 1, "x:1", None);
        assert_eq!(s.iter().next().unwrap().id, 5);
        s.push_if_needed(0, 0, &args(&["ping"]), 0, 1, "x:1", None);
        assert!(s.is_empty());
    }
}
