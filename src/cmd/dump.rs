//! DUMP, RESTORE (and cluster's RESTORE-ASKING) and MIGRATE (Redis's cluster.c
//! "DUMP, RESTORE and MIGRATE commands"): values travel as RDB payloads
//! (`persist::rdb::dump_payload`).
//!
//! MIGRATE opens a blocking TCP connection to the target and waits for its
//! replies with the given timeout, stalling the event loop meanwhile, as Redis
//! does. Unlike Redis it does not cache the connection between calls.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::{acl, arg_i64, flags as f, reply_err, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::config::MaxmemoryPolicy;
use crate::db::Entry;
use crate::error;
use crate::persist::rdb::{self, Limits};
use crate::server::Server;

const RESTORE_COMPLEXITY: &str = "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).";

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "dump", handler: dump_command, arity: 2, flags: f::READONLY, acl: acl::KEYSPACE | acl::READ,
        group: "generic", since: "2.6.0", summary: "Return a serialized version of the value stored at the specified key.",
        complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1).",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0)], subcommands: &[],
    },
    Command {
        name: "restore", handler: restore_command, arity: -4, flags: f::WRITE | f::DENYOOM, acl: acl::KEYSPACE | acl::WRITE | acl::DANGEROUS,
        group: "generic", since: "2.6.0", summary: "Create a key using the provided serialized value, previously obtained using DUMP.",
        complexity: RESTORE_COMPLEXITY,
        key_specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("3.0.0", "New `REPLACE` modifier."),
            ("5.0.0", "New `ABSTTL` modifier."),
            ("5.0.0", "New `IDLETIME` and `FREQ` options."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("ttl", Int),
            a("serialized-value", Str),
            a("replace", Token).token("REPLACE").since("3.0.0").opt(),
            a("absttl", Token).token("ABSTTL").since("5.0.0").opt(),
            a("seconds", Int).token("IDLETIME").since("5.0.0").opt(),
            a("frequency", Int).token("FREQ").since("5.0.0").opt(),
        ],
        subcommands: &[],
    },
    Command {
        name: "restore-asking", handler: restore_command, arity: -4, flags: f::WRITE | f::DENYOOM | f::ASKING, acl: acl::KEYSPACE | acl::WRITE | acl::DANGEROUS,
        group: "server", since: "3.0.0", summary: "An internal command for migrating keys in a cluster",
        complexity: RESTORE_COMPLEXITY,
        key_specs: &[ks(OW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: DOC_SYSCMD, deprecated_since: None, replaced_by: None,
        history: &[
            ("3.0.0", "New `REPLACE` modifier."),
            ("5.0.0", "New `ABSTTL` modifier."),
            ("5.0.0", "New `IDLETIME` and `FREQ` options."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("ttl", Int),
            a("serialized-value", Str),
            a("replace", Token).token("REPLACE").since("3.0.0").opt(),
            a("absttl", Token).token("ABSTTL").since("5.0.0").opt(),
            a("seconds", Int).token("IDLETIME").since("5.0.0").opt(),
            a("frequency", Int).token("FREQ").since("5.0.0").opt(),
        ],
        subcommands: &[],
    },
    Command {
        name: "migrate", handler: migrate_command, arity: -6, flags: f::WRITE | f::MOVABLE_KEYS, acl: acl::KEYSPACE | acl::WRITE | acl::DANGEROUS,
        group: "generic", since: "2.6.0", summary: "Atomically transfer a key from a Redis instance to another one.",
        complexity: "This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.",
        key_specs: &[
            ks(RW | ACCESS | DELETE, idx(3), range(0, 1, 0)),
            ks(RW | ACCESS | DELETE | INCOMPLETE, kw("KEYS", -2), range(-1, 1, 0)),
        ],
        getkeys: GetKeys::Migrate, tips: &["nondeterministic_output"],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("3.0.0", "New `COPY` and `REPLACE` options."),
            ("3.0.6", "New `KEYS` option."),
            ("4.0.7", "New `AUTH` option."),
            ("6.0.0", "New `AUTH2` option."),
        ],
        args: &[
            a("host", Str),
            a("port", Int),
            a("key_or_empty_string", OneOf).sub(&[
                a("key", Key).ks(0),
                a("empty_string", Token).token(""),
            ]),
            a("destination-db", Int),
            a("timeout", Int),
            a("copy", Token).token("COPY").since("3.0.0").opt(),
            a("replace", Token).token("REPLACE").since("3.0.0").opt(),
            a("authentication", OneOf).opt().sub(&[
                a("password", Str).token("AUTH").since("4.0.7").opt(),
                a("username_password", Block).token("AUTH2").since("6.0.0").opt().sub(&[
                    a("username", Str),
                    a("password", Str),
                ]),
            ]),
            a("key", Key).ks(1).token("KEYS").since("3.0.6").opt().multi(),
        ],
        subcommands: &[],
    },

];

fn lfu_policy(srv: &Server) -> bool {
    matches!(
        srv.config.maxmemory_policy,
        MaxmemoryPolicy::VolatileLfu | MaxmemoryPolicy::AllkeysLfu
    )
}

/// DUMP key
pub fn dump_command(srv: &mut Server, c: &mut Client) {
    let compression = srv.config.rdbcompression;
    match srv.dbs[c.db].lookup(&c.argv[1]) {
        Some(e) => {
            let p = rdb::dump_payload_with(e, compression);
            c.add_bulk(&p);
        }
        None => c.add_null(),
    }
}

/// RESTORE key ttl serialized-value \[REPLACE\] \[ABSTTL\] [IDLETIME seconds]
/// [FREQ frequency]
pub fn restore_command(srv: &mut Server, c: &mut Client) {
    let (mut replace, mut absttl) = (false, false);
    let (mut idle, mut freq): (Option<i64>, Option<i64>) = (None, None);
    let mut j = 4;
    while j < c.argv.len() {
        let more = j + 1 < c.argv.len();
        let opt = c.argv[j].to_ascii_lowercase();
        match &opt[..] {
            b"replace" => replace = true,
            b"absttl" => absttl = true,
            b"idletime" if more && freq.is_none() => {
                j += 1;
                match arg_i64(c, j) {
                    Ok(v) if v < 0 => return c.add_error(error::INVALID_IDLETIME),
                    Ok(v) => idle = Some(v),
                    Err(e) => return reply_err(c, e),
                }
            }
            b"freq" if more && idle.is_none() => {
                j += 1;
                match arg_i64(c, j) {
                    Ok(v) if !(0..=255).contains(&v) => return c.add_error(error::INVALID_FREQ),
                    Ok(v) => freq = Some(v),
                    Err(e) => return reply_err(c, e),
                }
            }
            _ => return c.add_error(error::SYNTAX),
        }
        j += 1;
    }
    let db = &mut srv.dbs[c.db];
    if !replace && db.lookup_write(&c.argv[1]).is_some() {
        return c.add_error(error::BUSYKEY);
    }
    let ttl = match arg_i64(c, 2) {
        Ok(v) if v < 0 => return c.add_error(error::INVALID_TTL),
        Ok(v) => v,
        Err(e) => return reply_err(c, e),
    };
    let limits = Limits::from_config(&srv.config);
    let val = match rdb::restore_payload_with(&c.argv[3], false, &limits) {
        Ok(v) => v,
        Err(e) => return c.add_error(&e),
    };
    let now = srv.now_ms;
    let lfu = lfu_policy(srv);
    let db = &mut srv.dbs[c.db];
    let old = if replace { db.remove(&c.argv[1]) } else { None };
    let deleted = old.is_some();
    db.free_server_del(old);
    let when = match ttl {
        0 => None,
        t if absttl => Some(t),
        t => Some(t.saturating_add(now)),
    };
    if when.is_some_and(|t| t <= now) {
        // Already expired: the key is not created (and a replaced one is gone).
        if deleted {
            srv.dirty += 1;
            let key = c.argv[1].clone();
            crate::repl::rewrite(srv, || crate::repl::del_argv(false, &key));
        }
        return c.add_ok();
    }
    let e = Entry::new(&c.argv[1], val, when);
    let keep = e.clone();
    db.set_entry(e);
    // Redis's objectSetLRUOrLFU: FREQ under an LFU policy, IDLETIME otherwise.
    if lfu {
        if let Some(f) = freq {
            keep.set_lru(crate::db::lfu::with_freq(f as u8, now));
        }
    } else if let Some(i) = idle {
        keep.set_lru(rdb::lru_for_idle(db.lru_clock, i as u64));
    }
    srv.dirty += 1;
    if let (Some(t), false) = (when, absttl) {
        // Replicas get the absolute expiry time (and ABSTTL).
        crate::repl::rewrite(srv, || {
            let mut v = c.argv.clone();
            v[2] = t.to_string().into();
            v.push(bytes::Bytes::from_static(b"ABSTTL"));
            v
        });
    }
    c.add_ok();
}

/// What MIGRATE was asked to do.
struct MigrateArgs {
    copy: bool,
    replace: bool,
    auth: Option<(Option<Vec<u8>>, Vec<u8>)>,
    keys: Vec<Vec<u8>>,
    dbid: i64,
    timeout: Duration,
}

fn parse_migrate(c: &Client) -> Result<MigrateArgs, String> {
    let mut a = MigrateArgs {
        copy: false,
        replace: false,
        auth: None,
        keys: vec![c.argv[3].to_vec()],
        dbid: 0,
        timeout: Duration::ZERO,
    };
    let argc = c.argv.len();
    let mut j = 6;
    while j < argc {
        let more = argc - 1 - j;
        let opt = c.argv[j].to_ascii_lowercase();
        match &opt[..] {
            b"copy" => a.copy = true,
            b"replace" => a.replace = true,
            b"auth" if more >= 1 => {
                a.auth = Some((None, c.argv[j + 1].to_vec()));
                j += 1;
            }
            b"auth2" if more >= 2 => {
                a.auth = Some((Some(c.argv[j + 1].to_vec()), c.argv[j + 2].to_vec()));
                j += 2;
            }
            b"keys" => {
                if !c.argv[3].is_empty() {
                    return Err(error::MIGRATE_KEYS_NOT_EMPTY.into());
                }
                a.keys = c.argv[j + 1..].iter().map(|k| k.to_vec()).collect();
                break;
            }
            _ => return Err(error::SYNTAX.into()),
        }
        j += 1;
    }
    let timeout = arg_i64(c, 5).map_err(|e| e.text().into_owned())?;
    a.dbid = arg_i64(c, 4).map_err(|e| e.text().into_owned())?;
    let timeout = if timeout <= 0 { 1000 } else { timeout };
    a.timeout = Duration::from_millis(timeout as u64);
    Ok(a)
}

/// Appends one command in RESP to `out`.
fn resp_command(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.extend_from_slice(format!("*{}\r\n", args.len()).as_bytes());
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
}

enum MigrateIo {
    Connect,
    Write(std::io::Error),
    Read(std::io::Error),
}

/// Connects with a timeout. Redis connects without blocking and only waits for
/// the socket to turn writable, so a refused connection shows up as a failed
/// write ("writing to target instance"); only a timeout is "connecting".
fn connect(host: &[u8], port: &[u8], timeout: Duration) -> Result<TcpStream, MigrateIo> {
    let addr = std::str::from_utf8(host)
        .ok()
        .zip(
            std::str::from_utf8(port)
                .ok()
                .and_then(|p| p.parse::<u16>().ok()),
        )
        .and_then(|hp| hp.to_socket_addrs().ok()?.next())
        .ok_or(MigrateIo::Connect)?;
    let s = match TcpStream::connect_timeout(&addr, timeout) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return Err(MigrateIo::Connect),
        Err(e) => return Err(MigrateIo::Write(e)),
    };
    let set = s
        .set_read_timeout(Some(timeout))
        .and_then(|_| s.set_write_timeout(Some(timeout)));
    set.map_err(MigrateIo::Write)?;
    let _ = s.set_nodelay(true);
    Ok(s)
}

fn read_line(r: &mut BufReader<&TcpStream>) -> Result<Vec<u8>, MigrateIo> {
    let mut line = Vec::new();
    match r.read_until(b'\n', &mut line) {
        Ok(0) => Err(MigrateIo::Read(std::io::ErrorKind::UnexpectedEof.into())),
        Ok(_) => {
            while matches!(line.last(), Some(b'\n' | b'\r')) {
                line.pop();
            }
            Ok(line)
        }
        Err(e) => Err(MigrateIo::Read(e)),
    }
}

/// MIGRATE host port key|"" destination-db timeout \[COPY\] \[REPLACE\]
/// [AUTH password] [AUTH2 username password] [KEYS key [key ...]]
pub fn migrate_command(srv: &mut Server, c: &mut Client) {
    let a = match parse_migrate(c) {
        Ok(a) => a,
        Err(e) => return c.add_error(&e),
    };
    // The keys that exist, with their payloads and remaining TTLs.
    let compression = srv.config.rdbcompression;
    let now = srv.now_ms;
    let mut batch: Vec<(Vec<u8>, i64, Vec<u8>)> = Vec::new();
    let mut any = false;
    for k in &a.keys {
        if let Some(e) = srv.dbs[c.db].lookup(k) {
            any = true;
            let ttl = match e.expire() {
                Some(t) if t - now < 0 => continue,
                Some(t) => (t - now).max(1),
                None => 0,
            };
            batch.push((k.clone(), ttl, rdb::dump_payload_with(e, compression)));
        }
    }
    if !any {
        return c.add_status("NOKEY");
    }
    let mut cmds = Vec::new();
    if let Some((user, pass)) = &a.auth {
        match user {
            Some(u) => resp_command(&mut cmds, &[b"AUTH", u, pass]),
            None => resp_command(&mut cmds, &[b"AUTH", pass]),
        }
    }
    let dbid = a.dbid.to_string();
    resp_command(&mut cmds, &[b"SELECT", dbid.as_bytes()]);
    for (k, ttl, payload) in &batch {
        let ttl = ttl.to_string();
        let mut args: Vec<&[u8]> = vec![b"RESTORE", k, ttl.as_bytes(), payload];
        if a.replace {
            args.push(b"REPLACE");
        }
        resp_command(&mut cmds, &args);
    }
    let mut last_err = MigrateIo::Connect;
    for _attempt in 0..2 {
        match migrate_once(srv, c, &a, &cmds, &batch) {
            Ok(()) => return,
            Err(e) => {
                let timed_out = matches!(&e, MigrateIo::Read(e) | MigrateIo::Write(e)
                    if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut));
                last_err = e;
                if timed_out || matches!(last_err, MigrateIo::Connect) {
                    break;
                }
            }
        }
    }
    match last_err {
        MigrateIo::Connect => c.add_error("IOERR error or timeout connecting to the client"),
        MigrateIo::Write(_) => c.add_error("IOERR error or timeout writing to target instance"),
        MigrateIo::Read(_) => c.add_error("IOERR error or timeout reading to target instance"),
    }
}

/// One connection's worth of MIGRATE: sends everything, then reads the
/// replies. Ok once a reply went to the client (also an error from the
/// target); Err for an I/O failure before any RESTORE reply was read.
fn migrate_once(
    srv: &mut Server,
    c: &mut Client,
    a: &MigrateArgs,
    cmds: &[u8],
    batch: &[(Vec<u8>, i64, Vec<u8>)],
) -> Result<(), MigrateIo> {
    let host = c.argv[1].clone();
    let port = c.argv[2].clone();
    let mut s = connect(&host, &port, a.timeout)?;
    s.write_all(cmds).map_err(MigrateIo::Write)?;
    let mut r = BufReader::new(&s);
    if a.auth.is_some() {
        let l = read_line(&mut r)?;
        if l.first() == Some(&b'-') {
            c.add_error(&target_error(&l));
            return Ok(());
        }
    }
    let l = read_line(&mut r)?;
    if l.first() == Some(&b'-') {
        c.add_error(&target_error(&l));
        return Ok(());
    }
    let mut target_err: Option<String> = None;
    let mut socket_err = None;
    for (j, (k, _, _)) in batch.iter().enumerate() {
        let l = match read_line(&mut r) {
            Ok(l) => l,
            Err(e) => {
                if j == 0 && target_err.is_none() {
                    return Err(e);
                }
                socket_err = Some(e);
                break;
            }
        };
        if l.first() == Some(&b'-') {
            target_err.get_or_insert_with(|| target_error(&l));
        } else if !a.copy && srv.dbs[c.db].remove(k).is_some() {
            srv.dirty += 1;
        }
    }
    match (target_err, socket_err) {
        (Some(e), _) => c.add_error(&e),
        (None, Some(MigrateIo::Write(_))) => {
            c.add_error("IOERR error or timeout writing to target instance")
        }
        (None, Some(_)) => c.add_error("IOERR error or timeout reading to target instance"),
        (None, None) => c.add_ok(),
    }
    Ok(())
}

fn target_error(line: &[u8]) -> String {
    format!(
        "ERR Target instance replied with error: {}",
        String::from_utf8_lossy(&line[1..])
    )
}
