//! DEBUG (Redis's debug.c): introspection and test helpers, allowed according to
//! `enable-debug-command` (`no`, `yes`, or `local`: loopback and unix-socket
//! clients only). The check runs in `call()` before authentication, as in Redis
//! ([`protected_denied`]).
//!
//! DEBUG has no subcommand rows in Redis's table (COMMAND INFO shows a plain
//! command of arity -2), so the subcommand is dispatched here, each with Redis's
//! own argument count; anything else gets Redis's "unknown subcommand or wrong
//! number of arguments" error.

mod digest;
mod introspect;
mod sha1;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;

use super::subcommand_syntax_error;
use super::{flags as f, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::config::ProtectedConfig;
use crate::db::{Entry, Value, ValueRef, LRU_CLOCK_MAX};
use crate::error;
use crate::server::Server;
use crate::util::number::{c_atoll, parse_i64};

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "debug", handler: debug_command, arity: -2, flags: f::ADMIN | f::NOSCRIPT | f::LOADING | f::STALE | f::PROTECTED, acl: 0,
        group: "server", since: "1.0.0", summary: "A container for debugging commands",
        complexity: "Depends on subcommand.",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: DOC_SYSCMD, deprecated_since: None, replaced_by: None, history: &[],
        args: &[], subcommands: &[],
    },

];

/// DEBUG QUICKLIST-PACKED-THRESHOLD: the size from which a list element gets a
/// plain quicklist node of its own (for the list type to read).
pub static QUICKLIST_PACKED_THRESHOLD: AtomicU64 = AtomicU64::new(1 << 30);

/// The rejection text for a protected command (DEBUG, MODULE) this client may not
/// run under the `enable-*-command` settings, or None when it may.
pub fn protected_denied(srv: &Server, c: &Client) -> Option<String> {
    let module = c.argv[0].eq_ignore_ascii_case(b"module");
    let (setting, cmd, option) = if module {
        (
            srv.config.enable_module_command,
            "MODULE",
            "enable-module-command",
        )
    } else {
        (
            srv.config.enable_debug_command,
            "DEBUG",
            "enable-debug-command",
        )
    };
    let allowed = match setting {
        ProtectedConfig::Yes => true,
        ProtectedConfig::Local => c.is_local(),
        ProtectedConfig::No => false,
    };
    (!allowed).then(|| {
        format!(
            "ERR {cmd} command not allowed. If the {option} option is set to \"local\", \
             you can run it from a local connection, otherwise you need to set this option \
             in the configuration file, and then restart the server."
        )
    })
}

/// DEBUG subcommand [arg ...]
pub fn debug_command(srv: &mut Server, c: &mut Client) {
    let sub = c.argv[1].to_ascii_lowercase();
    let argc = c.argv.len();
    match (&sub[..], argc) {
        (b"help", 2) => debug_help(c),
        (b"sleep", 3) => debug_sleep(c),
        (b"set-active-expire", 3) => {
            srv.active_expire_enabled = c_atoll(&c.argv[2]) != 0;
            c.add_ok();
        }
        (b"object", 3) => debug_object(srv, c),
        (b"digest", 2) => {
            let d = digest::dataset_digest(srv);
            c.add_status(&sha1::hex(&d));
        }
        (b"digest-value", _) => debug_digest_value(srv, c),
        (b"protocol", 3) => debug_protocol(c),
        (b"populate", 3..=5) => debug_populate(srv, c),
        (b"log", 3) => {
            log::warn!(
                "DEBUG LOG: {}",
                String::from_utf8_lossy(crate::error::c_str(&c.argv[2], usize::MAX))
            );
            c.add_ok();
        }
        (b"change-repl-id", 2) => {
            log::warn!("Changing replication IDs after receiving DEBUG change-repl-id");
            c.add_ok();
        }
        (b"error", 3) => {
            let msg = crate::error::c_str(&c.argv[2], usize::MAX).to_vec();
            c.add_error_bytes(&msg);
        }
        (b"quicklist-packed-threshold", 3) => {
            match mem_to_u64(&c.argv[2]).filter(|&sz| sz <= (1u64 << 32) - (1 << 20)) {
                Some(sz) => {
                    let sz = if sz == 0 { 1 << 30 } else { sz };
                    QUICKLIST_PACKED_THRESHOLD.store(sz, Ordering::Relaxed);
                    c.add_ok();
                }
                None => c.add_error(
                    "ERR argument must be a memory value bigger than 1 and smaller than 4gb",
                ),
            }
        }
        (b"listpack", 3) => debug_encoding_dump(srv, c, "listpack", "Listpack"),
        (b"quicklist", 3..=4) => debug_encoding_dump(srv, c, "quicklist", "Quicklist"),
        (b"stringmatch-test", 2) => {
            stringmatch_fuzz();
            c.add_status("Apparently Redis did not crash: test passed");
        }
        (b"reload", _) => debug_reload(srv, c),
        (b"htstats", 3) => introspect::debug_htstats(srv, c),
        (b"htstats-key", 3) => introspect::debug_htstats_key(srv, c),
        (b"sdslen", 3) => introspect::debug_sdslen(srv, c),
        (b"client-eviction", 2) => introspect::debug_client_eviction(srv, c),
        (b"pause-cron", 3) => introspect::debug_pause_cron(srv, c),
        (b"set-skip-checksum-validation", 3) => introspect::debug_set_skip_checksum_validation(c),
        (b"config-rewrite-force-all", 2) => introspect::debug_config_rewrite_force_all(srv, c),
        (b"replybuffer", 4) => debug_replybuffer(srv, c),
        (b"loadaof", 2) => debug_loadaof(srv, c),
        (b"aof-flush-sleep", 3) => {
            srv.aof.flush_sleep_us = c_atoll(&c.argv[2]).max(0) as u64;
            c.add_ok();
        }
        _ => subcommand_syntax_error(c),
    }
}

/// DEBUG LOADAOF: the AOF written and fsynced, the data emptied and loaded
/// back from the AOF files. A failed load exits, as Redis does.
fn debug_loadaof(srv: &mut Server, c: &mut Client) {
    use crate::persist::aof::load::{load_append_only_files, AofStatus, NoServe};
    if srv.aof.state != crate::persist::aof::AofState::Off {
        if let Err(e) = srv.aof_flush_sync() {
            log::warn!("DEBUG LOADAOF: the AOF could not be fsynced: {e}");
        }
    }
    for db in srv.dbs.iter_mut() {
        let old = db.clear();
        // Not counted: Redis empties the data synchronously here.
        srv.lazyfree.free_counted(old, 0);
    }
    if let Err(e) = srv.aof_load_manifest_from_disk() {
        e.log();
        std::process::exit(1);
    }
    let _ = srv.aof_del_history_files();
    let ret = load_append_only_files(&mut NoServe(srv));
    if ret != AofStatus::Ok && ret != AofStatus::Empty {
        std::process::exit(1);
    }
    // Neither the command nor what the load did is propagated.
    srv.dirty = 0;
    crate::repl::prevent(srv);
    log::warn!("Append Only File loaded by DEBUG LOADAOF");
    c.add_ok();
}

/// DEBUG REPLYBUFFER PEAK-RESET-TIME <NEVER|RESET|ms> | RESIZING <0|1>
fn debug_replybuffer(srv: &mut Server, c: &mut Client) {
    let what = c.argv[2].to_ascii_lowercase();
    if what == b"peak-reset-time" {
        let v = c.argv[3].to_ascii_lowercase();
        srv.reply_buffer_peak_reset_ms = match &v[..] {
            b"never" => -1,
            b"reset" => crate::client::output::PEAK_RESET_MS,
            _ => match crate::util::number::parse_i64(&c.argv[3]) {
                Some(ms) => ms,
                None => return c.add_error(crate::error::NOT_INTEGER),
            },
        };
    } else if what == b"resizing" {
        srv.reply_buffer_resizing = c_atoll(&c.argv[3]) != 0;
    } else {
        return subcommand_syntax_error(c);
    }
    c.add_ok();
}

fn debug_help(c: &mut Client) {
    c.add_help(
        "DEBUG",
        &[
            "AOF-FLUSH-SLEEP <microsec>",
            "    Server will sleep before flushing the AOF, this is used for testing.",
            "ASSERT",
            "    Crash by assertion failed.",
            "CHANGE-REPL-ID",
            "    Change the replication IDs of the instance.",
            "    Dangerous: should be used only for testing the replication subsystem.",
            "CONFIG-REWRITE-FORCE-ALL",
            "    Like CONFIG REWRITE but writes all configuration options, including",
            "    keywords not listed in original configuration file or default values.",
            "CRASH-AND-RECOVER [<milliseconds>]",
            "    Hard crash and restart after a <milliseconds> delay (default 0).",
            "DIGEST",
            "    Output a hex signature representing the current DB content.",
            "DIGEST-VALUE <key> [<key> ...]",
            "    Output a hex signature of the values of all the specified keys.",
            "ERROR <string>",
            "    Return a Redis protocol error with <string> as message. Useful for clients",
            "    unit tests to simulate Redis errors.",
            "LEAK <string>",
            "    Create a memory leak of the input string.",
            "LOG <message>",
            "    Write <message> to the server log.",
            "HTSTATS <dbid>",
            "    Return hash table statistics of the specified Redis database.",
            "HTSTATS-KEY <key>",
            "    Like HTSTATS but for the hash table stored at <key>'s value.",
            "LOADAOF",
            "    Flush the AOF buffers on disk and reload the AOF in memory.",
            "REPLICATE <string>",
            "    Replicates the provided string to replicas, allowing data divergence.",
            "MALLCTL <key> [<val>]",
            "    Get or set a malloc tuning integer.",
            "MALLCTL-STR <key> [<val>]",
            "    Get or set a malloc tuning string.",
            "OBJECT <key>",
            "    Show low level info about `key` and associated value.",
            "DROP-CLUSTER-PACKET-FILTER <packet-type>",
            "    Drop all packets that match the filtered type. Set to -1 allow all packets.",
            "OOM",
            "    Crash the server simulating an out-of-memory error.",
            "PANIC",
            "    Crash the server simulating a panic.",
            "POPULATE <count> [<prefix>] [<size>]",
            "    Create <count> string keys named key:<num>. If <prefix> is specified then",
            "    it is used instead of the 'key' prefix. These are not propagated to",
            "    replicas. Cluster slots are not respected so keys not belonging to the",
            "    current node can be created in cluster mode.",
            "PROTOCOL <type>",
            "    Reply with a test value of the specified type. <type> can be: string,",
            "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
            "    true, false.",
            "RELOAD [option ...]",
            "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
            "    * MERGE: conflicting keys will be loaded from RDB.",
            "    * NOFLUSH: the existing database will not be removed before load, but",
            "      conflicting keys will generate an exception and kill the server.",
            "    * NOSAVE: the database will be loaded from an existing RDB file.",
            "    Examples:",
            "    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
            "      the database.",
            "    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
            "      existing RDB file.",
            "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
            "      file to the database.",
            "RESTART [<milliseconds>]",
            "    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).",
            "SDSLEN <key>",
            "    Show low level SDS string info representing `key` and value.",
            "SEGFAULT",
            "    Crash the server with sigsegv.",
            "SET-ACTIVE-EXPIRE <0|1>",
            "    Setting it to 0 disables expiring keys in background when they are not",
            "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
            "    default.",
            "QUICKLIST-PACKED-THRESHOLD <size>",
            "    Sets the threshold for elements to be inserted as plain vs packed nodes",
            "    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
            "SET-SKIP-CHECKSUM-VALIDATION <0|1>",
            "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
            "SLEEP <seconds>",
            "    Stop the server for <seconds>. Decimals allowed.",
            "STRINGMATCH-TEST",
            "    Run a fuzz tester against the stringmatchlen() function.",
            "STRUCTSIZE",
            "    Return the size of different Redis core C structures.",
            "LISTPACK <key>",
            "    Show low level info about the listpack encoding of <key>.",
            "QUICKLIST <key> [<0|1>]",
            "    Show low level info about the quicklist encoding of <key>.",
            "    The optional argument (0 by default) sets the level of detail",
            "CLIENT-EVICTION",
            "    Show low level client eviction pools info (maxmemory-clients).",
            "PAUSE-CRON <0|1>",
            "    Stop periodic cron job processing.",
            "REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
            "    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
            "    In case NEVER is provided the last observed peak will never be reset",
            "    In case RESET is provided the peak reset time will be restored to the default value",
            "REPLYBUFFER RESIZING <0|1>",
            "    Enable or disable the reply buffer resize cron job",
            "CLUSTERLINK KILL <to|from|all> <node-id>",
            "    Kills the link based on the direction to/from (both) with the provided node.",
        ],
    );
}

/// C's strtod on the longest numeric prefix (0 when there is none).
fn c_strtod(b: &[u8]) -> f64 {
    let s = String::from_utf8_lossy(b);
    let s = s.trim_start();
    let mut best = 0.0;
    for end in 1..=s.len().min(64) {
        if let Some(v) = s.get(..end).and_then(|p| p.parse::<f64>().ok()) {
            best = v;
        }
    }
    best
}

/// Redis's memtoull: a number with an optional b/k/kb/m/mb/g/gb unit.
fn mem_to_u64(b: &[u8]) -> Option<u64> {
    let s = std::str::from_utf8(b).ok()?.to_ascii_lowercase();
    let digits = s.bytes().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mul: u64 = match &s[digits..] {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    s[..digits].parse::<u64>().ok()?.checked_mul(mul)
}

/// DEBUG SLEEP seconds: stops the whole server, as in Redis.
fn debug_sleep(c: &mut Client) {
    let secs = c_strtod(&c.argv[2]);
    if secs.is_finite() && secs > 0.0 {
        std::thread::sleep(Duration::from_micros((secs * 1_000_000.0) as u64));
    }
    c.add_ok();
}

/// Bytes of an RDB length prefix.
fn rdb_len_size(n: usize) -> usize {
    match n {
        0..=63 => 1,
        64..=16383 => 2,
        _ if n as u64 <= u32::MAX as u64 => 5,
        _ => 9,
    }
}

/// Redis's rdbSavedObjectLen: the bytes the value takes in an RDB file. Small
/// integers get the compact integer encodings, other strings a length prefix
/// (LZF compression is not modelled); an aggregate is serialised for it, as
/// Redis does (its DUMP payload without the type byte, the 2-byte version and
/// the 8-byte checksum).
fn serialized_len(e: &Entry, compression: bool) -> usize {
    match e.value() {
        ValueRef::Int(i) if i8::try_from(i).is_ok() => 2,
        ValueRef::Int(i) if i16::try_from(i).is_ok() => 3,
        ValueRef::Int(i) if i32::try_from(i).is_ok() => 5,
        ValueRef::Int(i) => {
            let n = i.to_string().len();
            rdb_len_size(n) + n
        }
        ValueRef::Str(s) => rdb_len_size(s.len()) + s.len(),
        ValueRef::Obj(_) => crate::persist::rdb::dump_payload_with(e, compression).len() - 11,
    }
}

/// DEBUG OBJECT key
fn debug_object(srv: &mut Server, c: &mut Client) {
    let clock = srv.lru_clock;
    let compression = srv.config.rdbcompression;
    let db = &mut srv.dbs[c.db];
    let Some(e) = db.lookup_notouch(&c.argv[2]) else {
        c.add_error(error::NO_SUCH_KEY);
        return;
    };
    let v = e.value();
    let encoding = match v {
        ValueRef::Obj(o) => o.encoding(),
        _ => e.str_encoding().unwrap_or("raw"),
    };
    // Redis shares the objects of the integers 0..9999.
    let refcount: i64 = match v {
        ValueRef::Int(i) if (0..10000).contains(&i) => i32::MAX as i64,
        _ => 1,
    };
    let lru = e.lru() & LRU_CLOCK_MAX;
    let idle = if clock >= lru {
        clock - lru
    } else {
        clock + (LRU_CLOCK_MAX - lru)
    };
    let line = format!(
        "Value at:{:p} refcount:{refcount} encoding:{encoding} serializedlength:{} lru:{lru} lru_seconds_idle:{idle}",
        e.key().as_ptr(),
        serialized_len(e, compression)
    );
    c.add_status(&line);
}

/// DEBUG RELOAD: saves the dataset as RDB (in memory), empties every database
/// and loads it back, so the dataset goes through the RDB round trip. The
/// NOSAVE / NOFLUSH / MERGE variants need the dump file and are refused.
fn debug_reload(srv: &mut Server, c: &mut Client) {
    use crate::persist::rdb;
    for a in &c.argv[2..] {
        let a = a.to_ascii_lowercase();
        if !matches!(&a[..], b"merge" | b"noflush" | b"nosave") {
            return c.add_error(
                "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.",
            );
        }
    }
    if c.argv.len() > 2 {
        return c.add_error("ERR DEBUG RELOAD options need the RDB file, not available yet");
    }
    let snaps: Vec<rdb::DbSnapshot> = srv.dbs.iter().map(rdb::DbSnapshot::of).collect();
    let info = rdb::SaveInfo {
        ctime: srv.now_ms / 1000,
        used_mem: 0,
        aof_base: false,
        repl_id: srv.master_replid.clone(),
        repl_offset: 0,
        repl_stream_db: 0,
    };
    let opts = rdb::SaveOpts {
        compression: srv.config.rdbcompression,
        checksum: srv.config.rdbchecksum,
    };
    // IDLE or FREQ per key as the policy wants, like a real save and load.
    let clock = crate::persist::snapshot::key_clock(&srv.config);
    let mut buf = Vec::new();
    if let Err(e) = rdb::write_rdb_with(&mut buf, &snaps, &info, &opts, clock, &mut |_| {}) {
        return c.add_error(&format!("ERR Error trying to save the DB: {e}"));
    }
    drop(snaps);
    for db in srv.dbs.iter_mut() {
        let old = db.clear();
        // Off the loop, but not counted: Redis empties the data synchronously here.
        srv.lazyfree.free_counted(old, 0);
    }
    let lopts = rdb::LoadOpts {
        now_ms: srv.now_ms,
        skip_expired: true,
        sanitize: false,
        key_load_delay: 0,
    };
    let limits = rdb::Limits::from_config(&srv.config);
    match rdb::load_rdb_with(
        &mut &buf[..],
        &mut srv.dbs,
        &lopts,
        &limits,
        clock,
        &mut |_| {},
    ) {
        Ok(_) => {
            log::warn!("DB reloaded by DEBUG RELOAD");
            c.add_ok();
        }
        Err(e) => {
            log::warn!("DEBUG RELOAD failed to load: {e}");
            c.add_error("ERR Error trying to load the RDB dump, check server logs.");
        }
    }
}

/// DEBUG DIGEST-VALUE [key ...]: per key, without expiring it (as Redis).
fn debug_digest_value(srv: &mut Server, c: &mut Client) {
    let t = srv.dbs[c.db].table();
    let digests: Vec<String> = c.argv[2..]
        .iter()
        .map(|k| {
            let mut d = [0u8; 20];
            if let Some(p) = t.find(k) {
                digest::object_digest(&mut d, t.get(p));
            }
            sha1::hex(&d)
        })
        .collect();
    c.add_array_len(digests.len());
    for d in digests {
        c.add_status(&d);
    }
}

/// DEBUG PROTOCOL type: one test value of each RESP3 type (downgraded in RESP2).
fn debug_protocol(c: &mut Client) {
    let name = c.argv[2].to_ascii_lowercase();
    match &name[..] {
        b"string" => c.add_bulk(b"Hello World"),
        b"integer" => c.add_int(12345),
        b"double" => c.add_double_str("3.141"),
        b"bignum" => {
            let n = b"1234567999999999999999999999999999999";
            if c.resp >= 3 {
                c.add_raw(b"(");
                c.add_raw(n);
                c.add_raw(b"\r\n");
            } else {
                c.add_bulk(n);
            }
        }
        b"null" => c.add_null(),
        b"array" | b"set" => {
            if &name[..] == b"set" {
                c.add_set_len(3);
            } else {
                c.add_array_len(3);
            }
            for j in 0..3 {
                c.add_int(j);
            }
        }
        b"map" => {
            c.add_map_len(3);
            for j in 0..3 {
                c.add_int(j);
                c.add_bool(j == 1);
            }
        }
        b"attrib" => {
            if c.resp >= 3 {
                c.add_raw(b"|1\r\n");
                c.add_bulk(b"key-popularity");
                c.add_array_len(2);
                c.add_bulk(b"key:123");
                c.add_int(90);
            }
            c.add_bulk(b"Some real reply following the attribute");
        }
        b"push" => {
            if c.resp < 3 {
                c.add_error("ERR RESP2 is not supported by this command");
                return;
            }
            c.pushing(|c| {
                c.add_push_len(2);
                c.add_bulk(b"server-cpu-usage");
                c.add_int(42);
            });
            c.add_bulk(b"Some real reply following the push reply");
        }
        b"true" => c.add_bool(true),
        b"false" => c.add_bool(false),
        b"verbatim" => c.add_verbatim(b"This is a verbatim\nstring", "txt"),
        _ => c.add_error(
            "ERR Wrong protocol type name. Please use one of the following: \
             string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false",
        ),
    }
}

/// DEBUG POPULATE count [prefix] [size]: creates `prefix:N` (default `key:N`)
/// holding `value:N`, zero-padded or cut to `size` bytes; existing keys are kept.
fn debug_populate(srv: &mut Server, c: &mut Client) {
    let Some(count) = parse_i64(&c.argv[2]).filter(|&n| n >= 0) else {
        c.add_error(error::MUST_BE_POSITIVE);
        return;
    };
    let mut size = 0usize;
    if c.argv.len() == 5 {
        match parse_i64(&c.argv[4]).filter(|&n| n >= 0) {
            Some(n) => size = n as usize,
            None => {
                c.add_error(error::MUST_BE_POSITIVE);
                return;
            }
        }
    }
    // snprintf("%s:%lu") into 128 bytes: the prefix ends at a NUL, the key at 127.
    let prefix: Vec<u8> = match c.argv.get(3) {
        Some(p) => p.iter().copied().take_while(|&b| b != 0).collect(),
        None => b"key".to_vec(),
    };
    let db = &mut srv.dbs[c.db];
    for j in 0..count as u64 {
        let mut key = prefix.clone();
        key.extend_from_slice(format!(":{j}").as_bytes());
        key.truncate(127);
        if db.contains(&key) {
            continue;
        }
        let text = format!("value:{j}").into_bytes();
        let val = if size == 0 {
            text
        } else {
            let mut v = vec![0u8; size];
            let n = size.min(text.len());
            v[..n].copy_from_slice(&text[..n]);
            v
        };
        db.set(&key, Value::string(Bytes::from(val)), None);
    }
    c.add_ok();
}

/// DEBUG LISTPACK key / DEBUG QUICKLIST key [0|1]: Redis prints the encoding's
/// internals on stdout; oxidis logs the key and its size.
fn debug_encoding_dump(srv: &mut Server, c: &mut Client, encoding: &str, title: &str) {
    let Some(e) = srv.dbs[c.db].lookup_notouch(&c.argv[2]) else {
        c.add_error(error::NO_SUCH_KEY);
        return;
    };
    let len = match e.value() {
        ValueRef::Obj(o) if o.encoding() == encoding => o.len(),
        _ => {
            c.add_error(&format!("ERR Not a {encoding} encoded object."));
            return;
        }
    };
    log::info!(
        "{title} of key '{}': {len} elements",
        String::from_utf8_lossy(e.key())
    );
    c.add_status(&format!("{title} structure printed on stdout"));
}

/// DEBUG STRINGMATCH-TEST: random patterns against random strings, to show the
/// glob matcher neither panics nor loops.
fn stringmatch_fuzz() {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    const ALPHABET: &[u8] = b"ab*?[]^-\\xyz";
    for _ in 0..100_000 {
        let plen = (rnd() % 20) as usize;
        let slen = (rnd() % 20) as usize;
        let pat: Vec<u8> = (0..plen)
            .map(|_| ALPHABET[(rnd() % ALPHABET.len() as u64) as usize])
            .collect();
        let s: Vec<u8> = (0..slen).map(|_| b'a' + (rnd() % 3) as u8).collect();
        crate::util::glob::string_match(&pat, &s, rnd() % 2 == 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_number_parsers() {
        assert_eq!(c_strtod(b"0.05"), 0.05);
        assert_eq!(c_strtod(b"1.5s"), 1.5);
        assert_eq!(c_strtod(b"abc"), 0.0);
        assert_eq!(mem_to_u64(b"100"), Some(100));
        assert_eq!(mem_to_u64(b"1kb"), Some(1024));
        assert_eq!(mem_to_u64(b"5GB"), Some(5 << 30));
        assert_eq!(mem_to_u64(b"abc"), None);
    }

    #[test]
    fn serialized_lengths() {
        let len = |v: Value| serialized_len(&Entry::new(b"k", v, None), true);
        assert_eq!(len(Value::Int(100)), 2);
        assert_eq!(len(Value::Int(12345)), 3);
        assert_eq!(len(Value::string("hello".into())), 6);
        // Redis 7.0.15's DEBUG OBJECT for ZADD z 1 a 2 b (a listpack).
        let mut z = crate::db::zset::Zset::new();
        let lim = crate::db::zset::ZsetLimits::default();
        for (m, s) in [(&b"a"[..], 1.0), (b"b", 2.0)] {
            z.add(m, s, Default::default(), &lim).unwrap();
        }
        assert_eq!(len(Value::Obj(crate::db::Object::Zset(z))), 18);
    }
}
