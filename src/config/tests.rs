//! Unit tests of the configuration module: loading, errors, CONFIG GET/SET.

use super::*;
use table::Special;

fn load(text: &str) -> Result<Config, String> {
    Config::from_text(text)
}

fn err_of(text: &str) -> String {
    load(text).unwrap_err()
}

fn fatal_at(n: usize, line: &str, why: &str) -> String {
    format!("\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nReading the configuration file, at line {n}\n>>> '{line}'\n{why}\n")
}

fn get1(c: &Config, name: &str) -> String {
    c.get_value(name).unwrap()
}

#[test]
fn defaults_match_redis() {
    let c = Config::default();
    assert_eq!(c.port, 6379);
    assert_eq!(c.bind, vec!["*", "-::*"]);
    assert_eq!(c.save, vec![(3600, 1), (300, 100), (60, 10000)]);
    assert_eq!(get1(&c, "save"), "3600 1 300 100 60 10000");
    assert_eq!(get1(&c, "bind"), "* -::*");
    assert_eq!(
        get1(&c, "client-output-buffer-limit"),
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
    );
    assert_eq!(get1(&c, "oom-score-adj-values"), "0 200 800");
    assert_eq!(get1(&c, "latency-tracking-info-percentiles"), "50 99 99.9");
    assert_eq!(get1(&c, "proto-max-bulk-len"), "536870912");
    assert_eq!(get1(&c, "maxmemory-policy"), "noeviction");
    assert_eq!(get1(&c, "unixsocketperm"), "0");
    assert_eq!(get1(&c, "requirepass"), "");
    assert_eq!(get1(&c, "list-max-ziplist-size"), "-2");
    assert_eq!(get1(&c, "shutdown-on-sigint"), "default");
    assert_eq!(c.hz, 10);
    assert_eq!(c.databases, 16);
    assert_eq!(c.loglevel, LogLevel::Notice);
}

#[test]
fn config_get_star_lists_what_redis_lists() {
    let c = Config::default();
    let all = c.get(b"*");
    // Every non-hidden name and alias, and oxidis's own busy-poll.
    assert_eq!(all.len(), 192 - 2 + 2 + 1);
    assert!(all.iter().any(|(n, v)| n == "busy-poll" && v == "auto"));
    assert!(all.iter().all(|(n, _)| n != "use-exit-on-panic"));
    // Hidden ones answer to their exact name.
    assert_eq!(
        c.get(b"use-exit-on-panic"),
        vec![("use-exit-on-panic".into(), "no".into())]
    );
}

#[test]
fn config_get_patterns_and_dups() {
    let c = Config::default();
    let r = c.get_many(&[b"maxmemory", b"maxmem*"]);
    let names: Vec<&str> = r.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names[0], "maxmemory");
    assert_eq!(names.iter().filter(|n| **n == "maxmemory").count(), 1);
    assert_eq!(names.len(), 5);
    // Exact names keep the spelling the client used and are deduplicated.
    let r = c.get_many(&[b"HZ", b"hz", b"Hz"]);
    assert_eq!(r, vec![("HZ".to_string(), "10".to_string())]);
    let r = c.get(b"slave-read*");
    assert_eq!(r, vec![("slave-read-only".to_string(), "yes".to_string())]);
    assert!(c.get(b"nosuch").is_empty());
}

#[test]
fn quoting_and_escapes_in_file() {
    let c = load("requirepass \"a b\\x41\\n\"\nmasterauth 'it\\'s'\n").unwrap();
    assert_eq!(c.requirepass.as_deref(), Some(&b"a bA\n"[..]));
    assert_eq!(c.masterauth.as_deref(), Some(&b"it's"[..]));
}

#[test]
fn comments_blank_lines_case_and_override() {
    let c = load("# comment\n\n   PORT 7000\r\n\tport 7001  \nMaxMemory 10mb\n").unwrap();
    assert_eq!(c.port, 7001);
    assert_eq!(c.maxmemory, 10 << 20);
}

#[test]
fn save_lines_accumulate_and_replace_defaults() {
    let c = load("save 900 1\nsave 300 10\n").unwrap();
    assert_eq!(c.save, vec![(900, 1), (300, 10)]);
    let c = load("save \"\"\n").unwrap();
    assert!(c.save.is_empty());
    assert_eq!(get1(&c, "save"), "");
    let c = load("save \"\"\nsave 10 1\n").unwrap();
    assert_eq!(c.save, vec![(10, 1)]);
    let c = load("save 10 1 20 2\n").unwrap();
    assert_eq!(c.save, vec![(10, 1), (20, 2)]);
}

#[test]
fn error_texts() {
    assert_eq!(
        err_of("port 7392\nfoo bar\n"),
        fatal_at(2, "foo bar", "Bad directive or wrong number of arguments")
    );
    assert_eq!(
        err_of("  port \"7392\n"),
        fatal_at(1, "port \"7392", "Unbalanced quotes in configuration line")
    );
    assert_eq!(
        err_of("daemonize maybe"),
        fatal_at(1, "daemonize maybe", "argument must be 'yes' or 'no'")
    );
    assert_eq!(
        err_of("maxmemory 1x"),
        fatal_at(1, "maxmemory 1x", "argument must be a memory value")
    );
    assert_eq!(
        err_of("port 70000"),
        fatal_at(
            1,
            "port 70000",
            "argument must be between 0 and 65535 inclusive"
        )
    );
    assert_eq!(
        err_of("port"),
        fatal_at(1, "port", "wrong number of arguments")
    );
    assert_eq!(
        err_of("port 1 2"),
        fatal_at(1, "port 1 2", "wrong number of arguments")
    );
    assert_eq!(
        err_of("save 10"),
        fatal_at(1, "save 10", "Invalid save parameters")
    );
    assert_eq!(
        err_of("save 0 1"),
        fatal_at(1, "save 0 1", "Invalid save parameters")
    );
    assert_eq!(
        err_of("loglevel loud"),
        fatal_at(
            1,
            "loglevel loud",
            "argument(s) must be one of the following: debug, verbose, notice, warning"
        )
    );
    assert_eq!(
        err_of("bind a b c d e f g h i j k l m n o p q"),
        fatal_at(
            1,
            "bind a b c d e f g h i j k l m n o p q",
            "Too many bind addresses specified."
        )
    );
    assert_eq!(
        err_of("client-output-buffer-limit foo 1 2 3"),
        fatal_at(
            1,
            "client-output-buffer-limit foo 1 2 3",
            "Invalid client class specified in buffer limit configuration."
        )
    );
    assert_eq!(
        err_of("client-output-buffer-limit normal 1 2"),
        fatal_at(
            1,
            "client-output-buffer-limit normal 1 2",
            "Wrong number of arguments in buffer limit configuration."
        )
    );
    assert_eq!(
        err_of("notify-keyspace-events Q"),
        fatal_at(
            1,
            "notify-keyspace-events Q",
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
        )
    );
    assert_eq!(
        err_of("replicaof a"),
        fatal_at(1, "replicaof a", "wrong number of arguments")
    );
    assert_eq!(
        err_of("replicaof a b"),
        fatal_at(1, "replicaof a b", "Invalid master port")
    );
    assert_eq!(
        err_of("dir /nonexistent-oxidis"),
        fatal_at(1, "dir /nonexistent-oxidis", "No such file or directory")
    );
    assert_eq!(
        err_of("hz abc"),
        fatal_at(1, "hz abc", "argument couldn't be parsed into an integer")
    );
    assert_eq!(
        err_of("unixsocketperm 1000"),
        fatal_at(
            1,
            "unixsocketperm 1000",
            "argument must be between 0 and 777 inclusive"
        )
    );
    assert_eq!(
        err_of("unixsocketperm 9x"),
        fatal_at(
            1,
            "unixsocketperm 9x",
            "argument couldn't be parsed as an octal number"
        )
    );
    assert_eq!(
        err_of("maxmemory-clients 200%"),
        fatal_at(
            1,
            "maxmemory-clients 200%",
            "percentage argument must be less or equal to 100"
        )
    );
    assert_eq!(
        err_of("dbfilename a/b"),
        fatal_at(
            1,
            "dbfilename a/b",
            "dbfilename can't be a path, just a filename"
        )
    );
    assert_eq!(
        err_of("sentinel monitor x"),
        fatal_at(
            1,
            "sentinel monitor x",
            "sentinel directive while not in sentinel mode"
        )
    );
    assert_eq!(
        err_of("oom-score-adj-values 1 2 9999"),
        fatal_at(
            1,
            "oom-score-adj-values 1 2 9999",
            "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
        )
    );
    assert_eq!(
        err_of("cluster-enabled yes\nreplicaof h 1"),
        "\n*** FATAL CONFIG FILE ERROR (Redis 7.0.15) ***\nreplicaof directive not allowed in cluster mode\n"
    );
}

#[test]
fn deprecated_and_special_lines_are_accepted() {
    let c = load(
        "list-max-ziplist-entries 512\nlua-replicate-commands yes\nrename-command CONFIG \"\"\nuser alice on >pw ~* +@all\nsentinel\n",
    )
    .unwrap();
    assert_eq!(c.rename_commands.len(), 1);
    assert_eq!(c.rename_commands[0].from, b"CONFIG");
    assert_eq!(c.users.len(), 1);
    let e = c
        .apply_renames(|_, _| Err("No such command in rename-command".into()))
        .unwrap_err();
    assert_eq!(
        e,
        fatal_at(
            3,
            "rename-command CONFIG \"\"",
            "No such command in rename-command"
        )
    );
}

#[test]
fn hz_is_clamped() {
    assert_eq!(load("hz 1000").unwrap().hz, 500);
    assert_eq!(load("hz 0").unwrap().hz, 1);
    let mut c = Config::default();
    c.set(&[(b"hz", b"1000")]).unwrap();
    assert_eq!(get1(&c, "hz"), "500");
}

fn tmpdir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("oxidis-config-{}-{}", tag, std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn include_and_command_line_override() {
    let d = tmpdir("include");
    let inc = d.join("inc.conf");
    std::fs::write(&inc, "port 7100\nmaxmemory 1gb\n").unwrap();
    let main = d.join("main.conf");
    std::fs::write(
        &main,
        format!("port 7000\ninclude {}\ntimeout 5\n", inc.display()),
    )
    .unwrap();
    let args: Vec<String> = vec![
        main.to_string_lossy().into(),
        "--timeout".into(),
        "9".into(),
        "--save".into(),
    ];
    let c = Config::from_args(&args).unwrap();
    assert_eq!(c.port, 7100);
    assert_eq!(c.maxmemory, 1 << 30);
    assert_eq!(c.timeout, 9);
    assert!(c.save.is_empty());
    assert_eq!(c.config_file.as_deref(), Some(main.as_path()));
    // Errors inside an included file name that file's line.
    std::fs::write(&inc, "\nbogus 1\n").unwrap();
    assert_eq!(
        Config::from_args(&args[..1]).unwrap_err(),
        fatal_at(2, "bogus 1", "Bad directive or wrong number of arguments")
    );
    // Glob includes with no match are fine; a missing plain file is not.
    std::fs::write(&main, format!("include {}/none-*.conf\n", d.display())).unwrap();
    assert!(Config::from_args(&args[..1]).is_ok());
    std::fs::write(&main, format!("include {}/none.conf\n", d.display())).unwrap();
    let e = Config::from_args(&args[..1]).unwrap_err();
    assert!(
        e.starts_with("Fatal error, can't open config file '"),
        "{e}"
    );
    assert!(e.ends_with("none.conf': No such file or directory"), "{e}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn command_line_rules() {
    let a = |v: &[&str]| Config::from_args(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    assert_eq!(
        a(&["--port", "7001", "--bind", "127.0.0.1", "::1"])
            .unwrap()
            .bind,
        vec!["127.0.0.1", "::1"]
    );
    assert_eq!(a(&["--port 7002"]).unwrap().port, 7002);
    assert_eq!(
        a(&["--port"]).unwrap_err(),
        fatal_at(2, "port", "wrong number of arguments")
    );
    assert_eq!(
        a(&["--port", "1", "2"]).unwrap_err(),
        fatal_at(2, "port \"1\" \"2\"", "wrong number of arguments")
    );
    assert_eq!(
        a(&["--foo", "bar"]).unwrap_err(),
        fatal_at(
            2,
            "foo \"bar\"",
            "Bad directive or wrong number of arguments"
        )
    );
    assert!(a(&["--save", "--port", "7003"]).unwrap().save.is_empty());
    assert!(a(&["--save", ""]).unwrap().save.is_empty());
    assert_eq!(
        a(&["--requirepass", "a \"b"])
            .unwrap()
            .requirepass
            .as_deref(),
        Some(&b"a \"b"[..])
    );
}

#[test]
fn set_errors_match_redis() {
    let mut c = Config::default();
    let e = |c: &mut Config, p: &[(&[u8], &[u8])]| c.set(p).unwrap_err();
    assert_eq!(
        e(&mut c, &[(b"foo", b"bar")]),
        "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"
    );
    assert_eq!(
        e(&mut c, &[(b"daemonize", b"yes")]),
        "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config"
    );
    assert_eq!(
        e(&mut c, &[(b"dir", b"/tmp")]),
        "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"
    );
    assert_eq!(
        e(&mut c, &[(b"port", b"1"), (b"port", b"2")]),
        "ERR CONFIG SET failed (possibly related to argument 'port') - duplicate parameter"
    );
    assert_eq!(
        e(&mut c, &[(b"hz", b"12"), (b"HZ", b"13")]),
        "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter"
    );
    assert_eq!(
        e(&mut c, &[(b"port", b"1"), (b"foo", b"2")]),
        "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"
    );
    assert_eq!(
        e(&mut c, &[(b"slave-read-only", b"maybe")]),
        "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'"
    );
    assert_eq!(
        e(&mut c, &[(b"maxmemory", b"1x")]),
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"
    );
    assert_eq!(
        e(&mut c, &[(b"save", b"3600 1  300 100")]),
        "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"
    );
    assert_eq!(
        e(&mut c, &[(b"timeout", b"05")]),
        "ERR CONFIG SET failed (possibly related to argument 'timeout') - argument couldn't be parsed into an integer"
    );
    assert_eq!(
        e(&mut c, &[(b"maxclients", b"0")]),
        "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"
    );
    assert_eq!(
        e(&mut c, &[(b"maxmemory-policy", b"bad")]),
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"
    );
    assert_eq!(
        e(&mut c, &[(b"shutdown-on-sigint", b"save nosave")]),
        "ERR CONFIG SET failed (possibly related to argument 'shutdown-on-sigint') - shutdown options SAVE and NOSAVE can't be used simultaneously"
    );
    c.loading = true;
    assert_eq!(
        e(&mut c, &[(b"appendonly", b"yes")]),
        "LOADING Redis is loading the dataset in memory"
    );
}

#[test]
fn set_round_trips() {
    let mut c = Config::default();
    let changed = c
        .set(&[
            (b"maxmemory", b"1GB"),
            (b"save", b"3600 1 300 100"),
            (b"notify-keyspace-events", b"KEA"),
            (b"client-output-buffer-limit", b"replica 1mb 2mb 3"),
            (b"maxmemory-clients", b"5%"),
            (b"oom-score-adj", b"relative"),
            (b"shutdown-on-sigint", b"nosave now force"),
            (b"port", b"6379"),
        ])
        .unwrap();
    assert!(
        !changed.changed.contains(&"port"),
        "unchanged values are not reported"
    );
    assert!(changed.changed.contains(&"maxmemory"));
    assert_eq!(c.maxmemory, 1 << 30);
    assert_eq!(get1(&c, "maxmemory"), "1073741824");
    assert_eq!(get1(&c, "save"), "3600 1 300 100");
    assert_eq!(get1(&c, "notify-keyspace-events"), "AKE");
    assert_eq!(
        c.notify_keyspace_events,
        notify::ALL | notify::KEYSPACE | notify::KEYEVENT
    );
    assert_eq!(
        get1(&c, "client-output-buffer-limit"),
        "normal 0 0 0 slave 1048576 2097152 3 pubsub 33554432 8388608 60"
    );
    assert_eq!(get1(&c, "maxmemory-clients"), "5%");
    assert_eq!(get1(&c, "oom-score-adj"), "yes");
    assert_eq!(get1(&c, "shutdown-on-sigint"), "nosave now force");
    c.set(&[
        (b"save", b""),
        (b"bind", b"127.0.0.1 ::1"),
        (b"maxmemory", b"5k"),
    ])
    .unwrap();
    assert!(c.save.is_empty());
    assert_eq!(c.bind, vec!["127.0.0.1", "::1"]);
    assert_eq!(c.maxmemory, 5000);
    c.set(&[(b"requirepass", b"secret"), (b"slave-read-only", b"no")])
        .unwrap();
    assert_eq!(c.requirepass.as_deref(), Some(&b"secret"[..]));
    assert_eq!(get1(&c, "replica-read-only"), "no");
    c.set(&[(b"requirepass", b"")]).unwrap();
    assert_eq!(c.requirepass, None);
}

#[test]
fn set_is_atomic() {
    let mut c = Config::default();
    let e = c.set(&[
        (b"maxmemory", b"2"),
        (b"port", b"7777"),
        (b"maxmemory-policy", b"bad"),
    ]);
    assert!(e.is_err());
    assert_eq!(c.maxmemory, 0);
    assert_eq!(c.port, 6379);
    assert_eq!(get1(&c, "maxmemory"), "0");
}

#[test]
fn typed_fields_are_read_back() {
    let mut c = Config {
        port: 7123,
        ..Default::default()
    };
    assert_eq!(get1(&c, "port"), "7123");
    c.set(&[(b"timeout", b"7")]).unwrap();
    assert_eq!(c.port, 7123);
    assert_eq!(c.timeout, 7);
}

#[test]
fn shipped_redis_conf_loads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/redis.conf");
    let c = Config::from_args(&[path.to_string()]).unwrap();
    assert_eq!(c.port, 6379);
    assert_eq!(c.bind, vec!["127.0.0.1", "-::1"]);
    assert!(c.protected_mode);
    assert!(!c.daemonize);
    assert_eq!(c.save, vec![(3600, 1), (300, 100), (60, 10000)]);
    assert_eq!(c.logfile, "");
    assert_eq!(c.dbfilename, "dump.rdb");
    assert!(std::path::Path::new(&c.dir).is_absolute());
}

#[test]
fn full_redis7_style_conf_loads() {
    let text = include_str!("testdata/redis7-full.conf");
    let c = load(text).unwrap();
    assert_eq!(c.maxmemory_policy, MaxmemoryPolicy::AllkeysLru);
    assert_eq!(c.hash_max_listpack_entries, 256);
    assert_eq!(c.appendfsync, AppendFsync::Everysec);
}

#[test]
fn busy_poll_is_an_enum_settable_at_run_time() {
    let mut c = Config::default();
    assert_eq!(c.busy_poll, BusyPollMode::Auto);
    assert_eq!(get1(&c, "busy-poll"), "auto");
    c.set(&[(b"busy-poll", b"YES")]).unwrap();
    assert_eq!(c.busy_poll, BusyPollMode::Yes);
    assert_eq!(get1(&c, "busy-poll"), "yes");
    c.set(&[(b"busy-poll", b"no")]).unwrap();
    assert_eq!(c.busy_poll, BusyPollMode::No);
    let e = c.set(&[(b"busy-poll", b"always")]).unwrap_err();
    assert!(
        e.contains("argument(s) must be one of the following: no, yes, auto"),
        "{e}"
    );
    assert_eq!(c.busy_poll, BusyPollMode::No);
    let c = load("busy-poll yes\n").unwrap();
    assert_eq!(c.busy_poll, BusyPollMode::Yes);
}

/// Values a row can hold (validated ones), for the storage round trips.
fn samples(d: &Directive) -> Vec<Value> {
    let mut out = vec![value::default_value(d)];
    match d.kind {
        Kind::Bool { default } => out.push(Value::Bool(!default)),
        Kind::Num { min, max, .. } => {
            out.push(Value::Num(min));
            out.push(Value::Num(max));
            if min < max {
                out.push(Value::Num(min + 1));
            }
        }
        Kind::Enum { names, .. } => out.extend(names.iter().map(|&(_, v)| Value::Enum(v))),
        Kind::Str {
            empty_is_null,
            check,
            ..
        } => {
            if value::check_string(check, b"x.y").is_ok() {
                out.push(Value::Str(Some(b"x.y".to_vec())));
            }
            if empty_is_null {
                out.push(Value::Str(None));
            }
        }
        Kind::Special(sp) => out.push(match sp {
            Special::Dir => Value::Dir(std::env::temp_dir()),
            Special::Save => Value::Save(vec![(10, 5), (1, 0)]),
            Special::ClientOutputBufferLimit => {
                let mut l = value::OBUF_DEFAULTS;
                l[2].soft_limit_seconds = 7;
                Value::Obuf(l)
            }
            Special::OomScoreAdjValues => Value::Oom([1, 2, 3]),
            Special::NotifyKeyspaceEvents => Value::Notify(notify::KEYSPACE | notify::LIST),
            Special::Bind => Value::Bind(vec!["127.0.0.1".into()]),
            Special::ReplicaOf => Value::ReplicaOf(Some(("h".into(), 1))),
            Special::LatencyPercentiles => Value::Percentiles(vec![1.5]),
        }),
    }
    out
}

/// What a row reads back after storing `v` (hz is clamped, as Redis's updateHZ).
fn stored_as(d: &Directive, v: &Value) -> Value {
    match (d.name, v) {
        ("hz", Value::Num(n)) => Value::Num((*n).clamp(MIN_HZ, MAX_HZ)),
        _ => v.clone(),
    }
}

/// Every row stores each of its values where it reads it back, touches no
/// other row (two rows naming one field would), and renders a value that
/// parses back to the same rendering.
#[test]
fn every_row_round_trips_through_its_storage() {
    let base = Config::default();
    let cwd = std::env::current_dir().unwrap();
    for (i, d) in DIRECTIVES.iter().enumerate() {
        assert_eq!(
            base.current(i),
            value::default_value(d),
            "{} default",
            d.name
        );
        for v in samples(d) {
            let mut c = Config::default();
            c.store(i, v.clone());
            assert_eq!(c.current(i), stored_as(d, &v), "{} stores {v:?}", d.name);
            for j in (0..DIRECTIVES.len()).filter(|&j| j != i) {
                assert_eq!(
                    c.current(j),
                    base.current(j),
                    "storing {} changed {}",
                    d.name,
                    DIRECTIVES[j].name
                );
            }
            let shown = c.render(i);
            if matches!(v, Value::ReplicaOf(None)) {
                continue; // rendered "", which only `replicaof no one` sets
            }
            let args: Vec<Vec<u8>> = if d.has(MULTI_ARG) {
                shown
                    .split(' ')
                    .filter(|a| !a.is_empty())
                    .map(|a| a.into())
                    .collect()
            } else {
                vec![shown.clone().into_bytes()]
            };
            let current = c.current(i);
            let ctx = value::ParseCtx {
                current: &current,
                append_save: false,
                cwd: &cwd,
            };
            let back = c
                .parse_for(d, &args, &ctx)
                .unwrap_or_else(|e| panic!("{} renders {shown:?}, which fails: {e}", d.name));
            c.store(i, back);
            assert_eq!(c.render(i), shown, "{} render round trip", d.name);
        }
    }
}

/// CONFIG SET reports each distinct hook of the directives it changed once,
/// in the order named, under the name it was given; unchanged ones add none.
#[test]
fn set_collects_each_hook_once() {
    let mut c = Config::default();
    let change = c
        .set(&[
            (b"lfu-log-factor", b"3"),
            (b"port", b"6379"),
            (b"maxmemory", b"1mb"),
            (b"maxmemory-policy", b"allkeys-lfu"),
            (b"min-slaves-to-write", b"1"),
            (b"min-replicas-max-lag", b"3"),
            (b"timeout", b"5"),
        ])
        .unwrap();
    assert_eq!(
        change.hooks,
        vec![
            (Apply::Eviction, "lfu-log-factor"),
            (Apply::Maxmemory, "maxmemory"),
            (Apply::GoodReplicas, "min-slaves-to-write"),
        ]
    );
    assert_eq!(
        change.changed,
        vec![
            "lfu-log-factor",
            "maxmemory",
            "maxmemory-policy",
            "min-replicas-to-write",
            "min-replicas-max-lag",
            "timeout"
        ]
    );
}

/// `restore` puts back every directive a CONFIG SET named, including one
/// named twice through its alias, and the typed fields with them.
#[test]
fn restore_undoes_a_whole_set() {
    let mut c = Config::default();
    c.set(&[(b"maxmemory", b"7"), (b"save", b"5 5")]).unwrap();
    let before: Vec<(String, String)> = c.get(b"*");
    let change = c
        .set(&[
            (b"maxmemory", b"1gb"),
            (b"slave-read-only", b"no"),
            (b"replica-read-only", b"no"),
            (b"save", b""),
            (b"bind", b"127.0.0.1"),
            (b"notify-keyspace-events", b"KEA"),
            (b"hz", b"100"),
        ])
        .unwrap();
    assert_eq!(c.maxmemory, 1 << 30);
    assert!(c.save.is_empty());
    c.restore(&change);
    assert_eq!(c.get(b"*"), before);
    assert_eq!(c.maxmemory, 7);
    assert_eq!(c.save, vec![(5, 5)]);
    assert_eq!(c.bind, vec!["*", "-::*"]);
    assert_eq!((c.hz, c.notify_keyspace_events), (10, 0));
}

/// As Redis: an alias is a directive of its own for the duplicate check, and
/// a value error names the row as Redis spells it, not as typed.
#[test]
fn set_names_rows_as_redis_does() {
    let mut c = Config::default();
    c.set(&[(b"slave-read-only", b"no"), (b"replica-read-only", b"yes")])
        .unwrap();
    assert_eq!(get1(&c, "replica-read-only"), "yes");
    assert_eq!(
        c.set(&[(b"MAXMEMORY", b"foo")]).unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"
    );
    assert_eq!(
        c.set(&[(b"Slave-Read-Only", b"foo")]).unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'"
    );
    assert_eq!(
        c.set(&[(b"maxmemory", b"1"), (b"hz", b"5"), (b"Maxmemory", b"2")])
            .unwrap_err(),
        "ERR CONFIG SET failed (possibly related to argument 'Maxmemory') - duplicate parameter"
    );
    assert_eq!(c.maxmemory, 0);
    assert_eq!(c.hz, 10);
}
