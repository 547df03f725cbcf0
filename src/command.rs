//! The command table: one [`Command`] row per command and subcommand (name,
//! arity, flags, ACL categories, key specs, docs) and the [`CommandTable`]
//! built from them at start: ids, the case-insensitive name index with
//! `rename-command`, per-command stats. COMMAND INFO/DOCS/COUNT/LIST/GETKEYS and
//! the dispatcher read the same rows.
//!
//! This layer knows nothing of the server: a row holds its handler as an
//! opaque `H` (the command layer, `cmd.rs`, fixes it to
//! `fn(&mut Server, &mut Client)`), and the rows themselves are passed in.
//!
//! `spec` is the vocabulary rows state their key specs and docs in; `pending`
//! holds that metadata for the Redis 7.0 commands oxidis does not serve yet
//! (sorted sets, bitmaps, HyperLogLog, geo, streams, scripting, cluster, ACL,
//! ...), outside the table until their rows are written.

pub mod pending;
pub mod spec;

use std::collections::HashMap;

/// Command flags (Redis's CMD_* with the names COMMAND INFO shows).
pub mod flags {
    pub const WRITE: u64 = 1 << 0;
    pub const READONLY: u64 = 1 << 1;
    pub const DENYOOM: u64 = 1 << 2;
    pub const MODULE: u64 = 1 << 3;
    pub const ADMIN: u64 = 1 << 4;
    pub const PUBSUB: u64 = 1 << 5;
    pub const NOSCRIPT: u64 = 1 << 6;
    pub const BLOCKING: u64 = 1 << 8;
    pub const LOADING: u64 = 1 << 9;
    pub const STALE: u64 = 1 << 10;
    pub const SKIP_MONITOR: u64 = 1 << 11;
    pub const SKIP_SLOWLOG: u64 = 1 << 12;
    pub const ASKING: u64 = 1 << 13;
    pub const FAST: u64 = 1 << 14;
    pub const NO_AUTH: u64 = 1 << 15;
    pub const MAY_REPLICATE: u64 = 1 << 16;
    pub const SENTINEL: u64 = 1 << 17;
    pub const ONLY_SENTINEL: u64 = 1 << 18;
    pub const NO_MANDATORY_KEYS: u64 = 1 << 19;
    pub const PROTECTED: u64 = 1 << 20;
    pub const NO_ASYNC_LOADING: u64 = 1 << 23;
    pub const NO_MULTI: u64 = 1 << 24;
    pub const MOVABLE_KEYS: u64 = 1 << 25;
    pub const ALLOW_BUSY: u64 = 1 << 26;
    /// May lazily expire keys it does not name (SCAN, RANDOMKEY): their DELs
    /// are not wrapped in MULTI/EXEC. Not shown by COMMAND, as in Redis.
    pub const TOUCHES_ARBITRARY_KEYS: u64 = 1 << 28;

    /// (bit, name) in the order Redis prints them in COMMAND INFO.
    pub const NAMES: &[(u64, &str)] = &[
        (WRITE, "write"),
        (READONLY, "readonly"),
        (DENYOOM, "denyoom"),
        (MODULE, "module"),
        (ADMIN, "admin"),
        (PUBSUB, "pubsub"),
        (NOSCRIPT, "noscript"),
        (BLOCKING, "blocking"),
        (LOADING, "loading"),
        (STALE, "stale"),
        (SKIP_MONITOR, "skip_monitor"),
        (SKIP_SLOWLOG, "skip_slowlog"),
        (ASKING, "asking"),
        (FAST, "fast"),
        (NO_AUTH, "no_auth"),
        // MAY_REPLICATE is not shown: Redis hides it on purpose.
        (NO_MANDATORY_KEYS, "no_mandatory_keys"),
        (NO_ASYNC_LOADING, "no_async_loading"),
        (NO_MULTI, "no_multi"),
        (MOVABLE_KEYS, "movablekeys"),
        (ALLOW_BUSY, "allow_busy"),
    ];
}

/// ACL categories (Redis's ACL_CATEGORY_*).
pub mod acl {
    pub const KEYSPACE: u64 = 1 << 0;
    pub const READ: u64 = 1 << 1;
    pub const WRITE: u64 = 1 << 2;
    pub const SET: u64 = 1 << 3;
    pub const SORTEDSET: u64 = 1 << 4;
    pub const LIST: u64 = 1 << 5;
    pub const HASH: u64 = 1 << 6;
    pub const STRING: u64 = 1 << 7;
    pub const BITMAP: u64 = 1 << 8;
    pub const HYPERLOGLOG: u64 = 1 << 9;
    pub const GEO: u64 = 1 << 10;
    pub const STREAM: u64 = 1 << 11;
    pub const PUBSUB: u64 = 1 << 12;
    pub const ADMIN: u64 = 1 << 13;
    pub const FAST: u64 = 1 << 14;
    pub const SLOW: u64 = 1 << 15;
    pub const BLOCKING: u64 = 1 << 16;
    pub const DANGEROUS: u64 = 1 << 17;
    pub const CONNECTION: u64 = 1 << 18;
    pub const TRANSACTION: u64 = 1 << 19;
    pub const SCRIPTING: u64 = 1 << 20;

    pub const NAMES: &[(u64, &str)] = &[
        (KEYSPACE, "keyspace"),
        (READ, "read"),
        (WRITE, "write"),
        (SET, "set"),
        (SORTEDSET, "sortedset"),
        (LIST, "list"),
        (HASH, "hash"),
        (STRING, "string"),
        (BITMAP, "bitmap"),
        (HYPERLOGLOG, "hyperloglog"),
        (GEO, "geo"),
        (STREAM, "stream"),
        (PUBSUB, "pubsub"),
        (ADMIN, "admin"),
        (FAST, "fast"),
        (SLOW, "slow"),
        (BLOCKING, "blocking"),
        (DANGEROUS, "dangerous"),
        (CONNECTION, "connection"),
        (TRANSACTION, "transaction"),
        (SCRIPTING, "scripting"),
    ];
}

/// One command (or subcommand) row: everything the dispatcher and COMMAND
/// INFO/DOCS/COUNT/LIST/GETKEYS know about it. Rows are written out in full (no
/// struct update), so a field a row does not state is a compile error.
pub struct Command<H: 'static> {
    /// Lower-case name (`get`; `get` for `CONFIG GET`, whose full name is `config|get`).
    pub name: &'static str,
    pub handler: H,
    /// N: exactly N arguments including the name; -N: at least N.
    pub arity: i32,
    pub flags: u64,
    /// Explicit ACL categories (the implicit ones are derived from the flags).
    pub acl: u64,
    /// Redis's command group (`string`, `generic`, `server`, ...).
    pub group: &'static str,
    pub since: &'static str,
    pub summary: &'static str,
    pub complexity: &'static str,
    /// Where the keys are (Redis 7.0's key specs); the legacy (first, last,
    /// step) of COMMAND INFO and `movablekeys` are derived from them.
    pub key_specs: &'static [spec::KeySpec],
    /// Extractor for keys the specs cannot fully describe.
    pub getkeys: spec::GetKeys,
    pub tips: &'static [&'static str],
    /// COMMAND DOCS `doc_flags` (`spec::DOC_*`).
    pub doc_flags: u8,
    pub deprecated_since: Option<&'static str>,
    pub replaced_by: Option<&'static str>,
    /// (version, what changed), oldest first.
    pub history: &'static [(&'static str, &'static str)],
    /// COMMAND DOCS `arguments`.
    pub args: &'static [spec::Arg],
    pub subcommands: &'static [Command<H>],
}

/// Per-command counters (INFO commandstats).
#[derive(Default, Clone, Debug)]
pub struct CmdStats {
    pub calls: u64,
    pub usec: u64,
    pub rejected_calls: u64,
    pub failed_calls: u64,
}

pub struct CommandEntry<H: 'static> {
    pub cmd: &'static Command<H>,
    /// `get`, or `config|get` for a subcommand.
    pub fullname: &'static str,
    pub parent: Option<usize>,
    subs: NameMap,
    pub stats: CmdStats,
    /// Legacy (first, last, step) as COMMAND INFO shows it, from the key specs.
    pub legacy_keys: (i32, i32, i32),
    /// Flags as COMMAND INFO shows them (`movablekeys` derived from the specs).
    pub info_flags: u64,
}

impl<H> CommandEntry<H> {
    /// Implicit plus explicit ACL categories, as Redis's setImplicitACLCategories.
    pub fn acl_categories(&self) -> u64 {
        let f = self.cmd.flags;
        let mut a = self.cmd.acl;
        if f & flags::WRITE != 0 {
            a |= acl::WRITE;
        }
        if f & flags::READONLY != 0 && a & acl::SCRIPTING == 0 {
            a |= acl::READ;
        }
        if f & flags::ADMIN != 0 {
            a |= acl::ADMIN | acl::DANGEROUS;
        }
        if f & flags::PUBSUB != 0 {
            a |= acl::PUBSUB;
        }
        if f & flags::FAST != 0 {
            a |= acl::FAST;
        }
        if f & flags::BLOCKING != 0 {
            a |= acl::BLOCKING;
        }
        if a & acl::FAST == 0 {
            a |= acl::SLOW;
        }
        a
    }

    /// Subcommand ids in table order.
    pub fn subcommand_ids(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self.subs.values().copied().collect();
        v.sort_unstable();
        v
    }
}

/// FNV-1a: the command-name index is fixed at start-up (nothing a client sends
/// is ever inserted), so it needs no flood-resistant keyed hash, and command
/// lookup runs for every request.
#[derive(Default, Clone, Copy)]
pub struct NameHasher(u64);

impl std::hash::Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h ^= b as u64;
            h = h.wrapping_mul(0x100_0000_01b3);
        }
        self.0 = h;
    }
}

type NameMap = HashMap<Vec<u8>, usize, std::hash::BuildHasherDefault<NameHasher>>;

/// All commands, by id, with a case-insensitive name index.
pub struct CommandTable<H: 'static> {
    pub list: Vec<CommandEntry<H>>,
    by_name: NameMap,
    /// Top-level ids that `rename-command x ""` removed: gone from COMMAND's
    /// listings as from the name index, as in Redis.
    removed: Vec<usize>,
}

/// Why a lookup failed.
pub enum LookupError {
    Unknown,
    UnknownSubcommand,
}

impl<H> CommandTable<H> {
    /// Builds the table from every group's rows, in order (ids follow it).
    pub fn new(groups: &[&'static [Command<H>]]) -> CommandTable<H> {
        let mut t = CommandTable {
            list: Vec::new(),
            by_name: NameMap::default(),
            removed: Vec::new(),
        };
        for group in groups.iter().copied() {
            for c in group {
                let id = t.push(c, c.name, None);
                t.by_name.insert(c.name.as_bytes().to_vec(), id);
                for sc in c.subcommands {
                    let full: &'static str =
                        Box::leak(format!("{}|{}", c.name, sc.name).into_boxed_str());
                    let sid = t.push(sc, full, Some(id));
                    t.list[id].subs.insert(sc.name.as_bytes().to_vec(), sid);
                }
            }
        }
        t
    }

    fn push(
        &mut self,
        cmd: &'static Command<H>,
        fullname: &'static str,
        parent: Option<usize>,
    ) -> usize {
        let (legacy_keys, movable) = spec::legacy_range(cmd.key_specs);
        let mut info_flags = cmd.flags;
        if movable {
            info_flags |= flags::MOVABLE_KEYS;
        }
        self.list.push(CommandEntry {
            cmd,
            fullname,
            parent,
            subs: NameMap::default(),
            stats: CmdStats::default(),
            legacy_keys,
            info_flags,
        });
        self.list.len() - 1
    }

    /// `rename-command from to`: `to` empty disables the command.
    pub fn rename(&mut self, from: &[u8], to: &[u8]) -> Result<(), String> {
        let from = from.to_ascii_lowercase();
        let Some(id) = self.by_name.remove(&from) else {
            return Err("No such command in rename-command".into());
        };
        if to.is_empty() {
            self.removed.push(id);
            return Ok(());
        }
        let to = to.to_ascii_lowercase();
        if self.by_name.contains_key(&to) {
            self.by_name.insert(from, id);
            return Err("Target command name already exists".into());
        }
        self.by_name.insert(to, id);
        Ok(())
    }

    /// Top-level command id by (any-case) name.
    pub fn find(&self, name: &[u8]) -> Option<usize> {
        let mut tmp = [0u8; 32];
        if name.len() <= tmp.len() {
            for (d, s) in tmp.iter_mut().zip(name) {
                *d = s.to_ascii_lowercase();
            }
            self.by_name.get(&tmp[..name.len()]).copied()
        } else {
            None
        }
    }

    /// Resolves `argv` to a command or subcommand id, as Redis's lookupCommand.
    pub fn lookup(&self, argv: &[bytes::Bytes]) -> Result<usize, LookupError> {
        let id = self.find(&argv[0]).ok_or(LookupError::Unknown)?;
        let e = &self.list[id];
        if e.subs.is_empty() || argv.len() < 2 {
            return Ok(id);
        }
        let sub = argv[1].to_ascii_lowercase();
        e.subs
            .get(&sub)
            .copied()
            .ok_or(LookupError::UnknownSubcommand)
    }

    /// Resolves a name as COMMAND INFO / DOCS take it, `name` or
    /// `container|sub`, through the (renamed) name index, as Redis's
    /// lookupCommandBySds: a command renamed away is not found, a renamed one
    /// only under its new name.
    pub fn find_fullname(&self, name: &[u8]) -> Option<usize> {
        let mut parts = name.splitn(2, |&b| b == b'|');
        let id = self.find(parts.next()?)?;
        match parts.next() {
            None => Some(id),
            Some(sub) => {
                let sub = sub.to_ascii_lowercase();
                self.list[id].subs.get(&sub).copied()
            }
        }
    }

    /// Top-level commands that can be called (not renamed away), in table order.
    pub fn top_level(&self) -> impl Iterator<Item = (usize, &CommandEntry<H>)> {
        self.list
            .iter()
            .enumerate()
            .filter(|(i, e)| e.parent.is_none() && !self.removed.contains(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h() {}

    const SUBS: &[Command<fn()>] = &[Command {
        name: "get",
        ..row("get")
    }];
    const ROWS: &[Command<fn()>] = &[
        row("get"),
        Command {
            subcommands: SUBS,
            arity: -2,
            ..row("config")
        },
    ];

    const fn row(name: &'static str) -> Command<fn()> {
        Command {
            name,
            handler: h,
            arity: 2,
            flags: 0,
            acl: 0,
            group: "server",
            since: "1.0.0",
            summary: "",
            complexity: "",
            key_specs: &[],
            getkeys: spec::GetKeys::None,
            tips: &[],
            doc_flags: 0,
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            args: &[],
            subcommands: &[],
        }
    }

    #[test]
    fn lookup_is_case_insensitive_and_finds_subcommands() {
        let t = CommandTable::new(&[ROWS]);
        let get = t.find(b"GeT").unwrap();
        assert_eq!(t.list[get].fullname, "get");
        let argv: Vec<bytes::Bytes> = vec!["CONFIG".into(), "Get".into()];
        let id = t.lookup(&argv).ok().unwrap();
        assert_eq!(t.list[id].fullname, "config|get");
        assert_eq!(t.find_fullname(b"config|GET"), Some(id));
        let argv: Vec<bytes::Bytes> = vec!["config".into(), "nope".into()];
        assert!(matches!(
            t.lookup(&argv),
            Err(LookupError::UnknownSubcommand)
        ));
        assert_eq!(
            t.list[t.find(b"config").unwrap()].subcommand_ids(),
            vec![id]
        );
    }

    #[test]
    fn rename_moves_or_removes_a_name() {
        let mut t = CommandTable::new(&[ROWS]);
        let get = t.find(b"get").unwrap();
        assert!(t.rename(b"get", b"config").is_err());
        assert_eq!(t.find(b"get"), Some(get));
        t.rename(b"GET", b"fetch").unwrap();
        assert_eq!((t.find(b"get"), t.find(b"fetch")), (None, Some(get)));
        t.rename(b"config", b"").unwrap();
        assert!(t.find(b"config").is_none());
        assert_eq!(t.top_level().count(), 1);
    }
}
