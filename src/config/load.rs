//! Loading: redis-server's command line rules and the config file format.
//!
//! The file (or stdin with `-`), then the `--name value` options appended as
//! extra lines, are parsed as one text: one directive per line, `#` comments,
//! arguments split like `sdssplitargs`, names case-insensitive, a later line
//! overriding an earlier one (`save` lines accumulate, replacing the defaults
//! at the first one). `include` loads another file in place (errors then name
//! that file's lines). Errors are Redis's fatal report, verbatim.

use super::parse::{io_error_text, repr, split_args};
use super::table::{self, DIRECTIVES, MULTI_ARG};
use super::{Config, RenameCommand};
use crate::util::REDIS_VERSION;
use std::io::Read;
use std::path::{Path, PathBuf};

/// State carried across nested includes of one load.
#[derive(Default)]
pub struct LoadState {
    /// A `save` line was seen: later ones append instead of replacing defaults.
    save_loaded: bool,
    /// Include nesting depth, to stop include loops.
    depth: usize,
}

/// The report redis-server prints before exiting: with the line when known.
pub fn fatal(at: Option<(usize, &str)>, why: &str) -> String {
    let mut s = format!("\n*** FATAL CONFIG FILE ERROR (Redis {REDIS_VERSION}) ***\n");
    if let Some((n, line)) = at {
        s.push_str(&format!(
            "Reading the configuration file, at line {n}\n>>> '{line}'\n"
        ));
    }
    s.push_str(why);
    s.push('\n');
    s
}

fn cant_open(path: &Path, e: &std::io::Error) -> String {
    format!(
        "Fatal error, can't open config file '{}': {}",
        path.display(),
        io_error_text(e)
    )
}

/// `Config::from_args`.
pub fn from_args(args: &[String]) -> Result<Config, String> {
    let mut cfg = Config::default();
    let mut j = 0;
    let mut from_stdin = false;
    if let Some(first) = args.first() {
        if !first.starts_with('-') {
            let p = PathBuf::from(first);
            let abs = if p.is_absolute() {
                p
            } else {
                std::env::current_dir().map(|c| c.join(&p)).unwrap_or(p)
            };
            cfg.config_file = Some(abs);
            j = 1;
        }
    }
    let mut options = String::new();
    let mut handled_last = true;
    while j < args.len() {
        let a = &args[j];
        let last = j == args.len() - 1;
        if a == "-" && (j == 0 || last) {
            from_stdin = true;
        } else if handled_last && a.starts_with("--") {
            if !options.is_empty() {
                options.push('\n');
            }
            options.push_str(&a[2..]);
            options.push(' ');
            let n = split_args(a.as_bytes()).map(|v| v.len()).unwrap_or(0);
            if n == 1 {
                handled_last = false;
                let next_is_opt = !last && args[j + 1].starts_with("--");
                if a.eq_ignore_ascii_case("--save") && (next_is_opt || last) {
                    // `--save` without a value means `save ""`.
                    options.push_str("\"\"");
                    handled_last = next_is_opt;
                } else if a.eq_ignore_ascii_case("--sentinel") && next_is_opt {
                    handled_last = true;
                }
            } else {
                handled_last = true;
            }
        } else {
            options.push_str(&repr(a.as_bytes()));
            options.push(' ');
            handled_last = true;
        }
        j += 1;
    }
    let mut text = String::new();
    if let Some(path) = cfg.config_file.clone() {
        text = read_file(&path)?;
    }
    if from_stdin {
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| e.to_string())?;
    }
    if !options.is_empty() {
        text.push('\n');
        text.push_str(&options);
    }
    let mut st = LoadState::default();
    load_string(&mut cfg, &text, &mut st)?;
    finish(&mut cfg)?;
    Ok(cfg)
}

fn read_file(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| cant_open(path, &e))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Parses `text` line by line into `cfg`.
pub fn load_string(cfg: &mut Config, text: &str, st: &mut LoadState) -> Result<(), String> {
    for (n, raw) in text.split('\n').enumerate() {
        let line = raw.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
        let at = Some((n + 1, line));
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(mut argv) = split_args(line.as_bytes()) else {
            return Err(fatal(at, "Unbalanced quotes in configuration line"));
        };
        if argv.is_empty() {
            continue;
        }
        argv[0].make_ascii_lowercase();
        let name = String::from_utf8_lossy(&argv[0]).into_owned();
        if let Some((i, _)) = table::lookup(&argv[0]) {
            let d = &DIRECTIVES[i];
            if !d.has(MULTI_ARG) && argv.len() != 2 {
                return Err(fatal(at, "wrong number of arguments"));
            }
            // A multi-argument directive given as one non-empty argument (as
            // `--save "3600 1"` produces) is split again, as Redis does.
            if d.has(MULTI_ARG) && argv.len() == 2 && !argv[1].is_empty() {
                match split_args(&argv[1]) {
                    Some(more) => argv.splice(1.., more).for_each(drop),
                    None => return Err(fatal(at, "Unbalanced quotes in configuration line")),
                }
            }
            let is_save = d.name == "save";
            let append = is_save && st.save_loaded;
            cfg.load_set(i, &argv[1..], append)
                .map_err(|why| fatal(at, &why))?;
            if is_save {
                st.save_loaded = true;
            }
            continue;
        }
        let argc = argv.len();
        match name.as_str() {
            "list-max-ziplist-entries" | "list-max-ziplist-value" | "lua-replicate-commands"
                if argc == 2 => {}
            "include" if argc == 2 => {
                let p = cfg
                    .effective_dir()
                    .join(String::from_utf8_lossy(&argv[1]).as_ref());
                include(cfg, &p, st)?;
            }
            "rename-command" if argc == 3 => cfg.rename_commands.push(RenameCommand {
                from: argv[1].clone(),
                to: argv[2].clone(),
                line: n + 1,
                text: line.to_string(),
            }),
            "user" if argc >= 2 => cfg.users.push(argv[1..].to_vec()),
            "loadmodule" if argc >= 2 => cfg.loadmodules.push(argv[1..].to_vec()),
            _ if name.contains('.') => {
                if argc != 2 {
                    return Err(fatal(at, "Module config specified without value"));
                }
                // Module configs need a module; oxidis has none to give them to.
                return Err(fatal(
                    None,
                    "Module Configuration detected without loadmodule directive or no ApplyConfig call: aborting",
                ));
            }
            "sentinel" => {
                if argc != 1 {
                    return Err(fatal(at, "sentinel directive while not in sentinel mode"));
                }
            }
            _ => return Err(fatal(at, "Bad directive or wrong number of arguments")),
        }
    }
    Ok(())
}

/// `include path`: a glob pattern includes every match (none is fine), a plain
/// path must exist.
fn include(cfg: &mut Config, path: &Path, st: &mut LoadState) -> Result<(), String> {
    if st.depth > 64 {
        return Err(fatal(None, "Too many nested include directives"));
    }
    let s = path.to_string_lossy();
    let files: Vec<PathBuf> = if s.contains(['*', '?', '[']) {
        glob_files(path)
    } else {
        vec![path.to_path_buf()]
    };
    for f in files {
        let text = read_file(&f)?;
        st.depth += 1;
        let r = load_string(cfg, &text, st);
        st.depth -= 1;
        r?;
    }
    Ok(())
}

/// Files matching a glob in its last path component, sorted (as glob(3) does).
fn glob_files(path: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(pat)) = (path.parent(), path.file_name()) else {
        return Vec::new();
    };
    let pat = pat.to_string_lossy().into_owned();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            (!n.starts_with('.') || pat.starts_with('.'))
                && crate::util::glob::string_match(pat.as_bytes(), n.as_bytes(), false)
        })
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

/// Checks Redis makes after the whole text is loaded.
pub fn finish(cfg: &mut Config) -> Result<(), String> {
    if !cfg.logfile.is_empty() {
        let open = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&cfg.logfile);
        if let Err(e) = open {
            return Err(fatal(
                None,
                &format!("Can't open the log file: {}", io_error_text(&e)),
            ));
        }
    }
    if cfg.cluster_enabled && cfg.replicaof.is_some() {
        return Err(fatal(
            None,
            "replicaof directive not allowed in cluster mode",
        ));
    }
    Ok(())
}
