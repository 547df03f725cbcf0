//! Layers point down (STYLE.md rule 13): a module of a low layer never names a
//! module of a higher one. This reads every file under `src/`, maps it to its
//! top-level module and that module to its layer (the map below, the same as
//! the one in `src/lib.rs`), collects the crate modules it refers to (`use`
//! lines, grouped imports over several lines, inline paths, `super::` chains
//! that leave the top-level module) and fails with file:line for each
//! reference to a higher layer. Comments and string literals are not code and
//! are skipped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layers, low to high: a module may use its own layer and the ones below.
const LAYERS: &[&str] = &[
    "util", "error", "alloc", "resp", "config", "db", "client", "command",
];

/// The server ball: everything above the command table. These modules use
/// each other and every layer (the server state, the reactor, the command
/// handlers and the subsystems that reach the server or other clients).
const BALL: &[&str] = &[
    "blocked",
    "cmd",
    "evict",
    "info",
    "latency",
    "listen",
    "logging",
    "notify",
    "pause",
    "persist",
    "pubsub",
    "reactor",
    "repl",
    "server",
    "slowlog",
    "supervise",
    "tracking",
];

/// Layer index of a top-level module; the ball is above every layer.
fn layer_of(module: &str) -> Option<usize> {
    if let Some(i) = LAYERS.iter().position(|&m| m == module) {
        return Some(i);
    }
    BALL.contains(&module).then_some(LAYERS.len())
}

fn layer_name(i: usize) -> &'static str {
    LAYERS.get(i).copied().unwrap_or("server ball")
}

/// The source with comments, string and character literals blanked out
/// (newlines kept, so offsets still give line numbers).
fn code_only(src: &str) -> Vec<u8> {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == b'/' && next == Some(b'/') {
            let end = b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |p| i + p);
            blank(&mut out, i, end);
            i = end;
        } else if c == b'/' && next == Some(b'*') {
            let (mut depth, mut j) = (1, i + 2);
            while j < b.len() && depth > 0 {
                if b[j] == b'/' && b.get(j + 1) == Some(&b'*') {
                    depth += 1;
                    j += 2;
                } else if b[j] == b'*' && b.get(j + 1) == Some(&b'/') {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if c == b'r'
            && (i == 0 || !ident(b[i - 1]) || (b[i - 1] == b'b' && (i < 2 || !ident(b[i - 2]))))
            && matches!(next, Some(b'"') | Some(b'#'))
        {
            // A raw string r"..." / r#"..."#: ends at a quote followed by as
            // many hashes as it opened with.
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            if b.get(i + 1 + hashes) != Some(&b'"') {
                i += 1;
                continue;
            }
            let mut j = i + 2 + hashes;
            while j < b.len() {
                if b[j] == b'"'
                    && b[j + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&c| c == b'#')
                        .count()
                        == hashes
                {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            blank(&mut out, i, j.min(b.len()));
            i = j;
        } else if c == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            blank(&mut out, i, (j + 1).min(b.len()));
            i = j + 1;
        } else if c == b'\'' {
            // A character literal ('x', '\n', '\u{..}'), or a lifetime.
            if next == Some(b'\\') {
                let end = b[(i + 3).min(b.len())..]
                    .iter()
                    .position(|&c| c == b'\'')
                    .map_or(b.len(), |p| i + 4 + p);
                blank(&mut out, i, end);
                i = end;
            } else if let Some(len) = std::str::from_utf8(&b[i + 1..(i + 5).min(b.len())])
                .ok()
                .or_else(|| std::str::from_utf8(&b[i + 1..(i + 4).min(b.len())]).ok())
                .or_else(|| std::str::from_utf8(&b[i + 1..(i + 3).min(b.len())]).ok())
                .or_else(|| std::str::from_utf8(&b[i + 1..(i + 2).min(b.len())]).ok())
                .and_then(|s| s.chars().next())
                .map(char::len_utf8)
                .filter(|&len| b.get(i + 1 + len) == Some(&b'\''))
            {
                blank(&mut out, i, i + 2 + len);
                i += 2 + len;
            } else {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

/// The identifier at `i` (empty if none).
fn ident_at(code: &[u8], i: usize) -> &str {
    let end = code[i..]
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
        .map_or(code.len(), |p| i + p);
    std::str::from_utf8(&code[i..end]).unwrap_or("")
}

fn skip_ws(code: &[u8], mut i: usize) -> usize {
    while i < code.len() && code[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The first path segment of each item of the group `{...}` opening at `i`:
/// `{a::b, c, d::{e, f}}` gives a, c, d (with their offsets).
fn group_heads(code: &[u8], i: usize) -> Vec<(usize, String)> {
    let mut heads = Vec::new();
    let (mut depth, mut j, mut expect_head) = (0, i, true);
    while j < code.len() {
        match code[j] {
            b'{' => {
                depth += 1;
                expect_head = depth == 1;
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            b',' if depth == 1 => expect_head = true,
            c if expect_head && depth == 1 && (c.is_ascii_alphabetic() || c == b'_') => {
                heads.push((j, ident_at(code, j).to_string()));
                expect_head = false;
            }
            _ => {}
        }
        j += 1;
    }
    heads
}

/// The top-level crate modules a file refers to, with their byte offsets.
/// `module` is the file's module path (`["db", "watch"]` for src/db/watch.rs):
/// `super::` chains are resolved against it and against the inline modules
/// (`mod tests { ... }`) they sit in.
fn references(src: &str, module: &[&str]) -> Vec<(usize, String)> {
    let code = code_only(src);
    let mut refs = Vec::new();
    // Brace depth, and the depths at which inline modules opened.
    let (mut depth, mut inline): (usize, Vec<usize>) = (0, Vec::new());
    let boundary = |i: usize| {
        i == 0
            || !(code[i - 1].is_ascii_alphanumeric()
                || code[i - 1] == b'_'
                || code[i - 1] == b'$'
                || code[i - 1] == b':')
    };
    let mut i = 0;
    while i < code.len() {
        match code[i] {
            b'{' => {
                depth += 1;
                i += 1;
                continue;
            }
            b'}' => {
                if inline.last() == Some(&depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
                i += 1;
                continue;
            }
            _ => {}
        }
        if !boundary(i) {
            i += 1;
            continue;
        }
        let word = ident_at(&code, i);
        if word.is_empty() {
            i += 1;
            continue;
        }
        let after = i + word.len();
        if word == "mod" {
            let name_at = skip_ws(&code, after);
            let name = ident_at(&code, name_at);
            let open = skip_ws(&code, name_at + name.len());
            if !name.is_empty() && code.get(open) == Some(&b'{') {
                inline.push(depth + 1);
            }
        } else if word == "crate" || word == "super" {
            // Count the chain `super::super::...` (or `crate::`).
            let mut ups = 0;
            let mut j = i;
            let mut rooted = false;
            loop {
                let w = ident_at(&code, j);
                if w == "crate" {
                    rooted = true;
                } else if w == "super" {
                    ups += 1;
                } else {
                    break;
                }
                let k = j + w.len();
                if code.get(k..k + 2) != Some(b"::") {
                    // `pub(crate)`, `super` alone: no path.
                    j = usize::MAX;
                    break;
                }
                j = k + 2;
                if rooted {
                    break;
                }
            }
            if j == usize::MAX {
                i = after;
                continue;
            }
            let here = module.len() + inline.len();
            if rooted || ups >= here {
                let j = skip_ws(&code, j);
                if code.get(j) == Some(&b'{') {
                    refs.extend(group_heads(&code, j));
                } else {
                    let m = ident_at(&code, j);
                    if !m.is_empty() {
                        refs.push((j, m.to_string()));
                    }
                }
            }
            i = j.max(after);
            continue;
        }
        i = after;
    }
    refs.retain(|(_, m)| m != "self");
    refs
}

fn line_of(src: &str, offset: usize) -> usize {
    src.as_bytes()[..offset]
        .iter()
        .filter(|&&c| c == b'\n')
        .count()
        + 1
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The upward references of one file: (line, message).
fn violations(src: &str, module: &[&str]) -> Vec<(usize, String)> {
    let Some(own) = layer_of(module[0]) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (at, target) in references(src, module) {
        if target == module[0] {
            continue;
        }
        if let Some(t) = layer_of(&target) {
            if t > own {
                found.push((
                    line_of(src, at),
                    format!(
                        "{} ({}) uses crate::{target} ({})",
                        module[0],
                        layer_name(own),
                        layer_name(t)
                    ),
                ));
            }
        }
    }
    found
}

fn top_level_modules(src_dir: &Path) -> BTreeSet<String> {
    let lib = std::fs::read_to_string(src_dir.join("lib.rs")).unwrap();
    lib.lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .filter_map(|l| l.strip_suffix(';'))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_module_has_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let missing: Vec<String> = top_level_modules(&src)
        .into_iter()
        .filter(|m| layer_of(m).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "modules in src/lib.rs with no layer in tests/layers.rs (and the map in src/lib.rs): {missing:?}"
    );
}

#[test]
fn layers_point_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut all = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap().with_extension("");
        let module: Vec<&str> = rel.iter().map(|s| s.to_str().unwrap()).collect();
        if module == ["lib"] || module == ["main"] {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        for (line, msg) in violations(&text, &module) {
            all.push(format!("src/{}.rs:{line}: {msg}", rel.display()));
        }
    }
    assert!(
        all.is_empty(),
        "imports from a lower layer into a higher one (STYLE.md rule 13):\n{}",
        all.join("\n")
    );
}

#[test]
fn the_check_sees_every_form_of_path() {
    let src = r##"//! Uses crate::server in a comment: not code.
use crate::{
    db::{Db, Touch},
    resp, self,
};
use super::super::reactor::Reactor;
use super::client;
pub(crate) fn f() -> &'static str {
    let _c = '{';
    let _s = "crate::repl in a string";
    let _r = r#"crate::repl "in" a raw string"#;
    crate::cmd::call();
    /* crate::tracking in a block comment */
    "x"
}
#[cfg(test)]
mod tests {
    use super::super::pubsub;
    use super::super::super::server;
}
"##;
    let got: Vec<(usize, String)> = references(src, &["client", "output"])
        .into_iter()
        .map(|(at, m)| (line_of(src, at), m))
        .collect();
    let want: Vec<(usize, String)> = [
        (3, "db"),
        (4, "resp"),
        (6, "reactor"),
        (12, "cmd"),
        (19, "server"),
    ]
    .iter()
    .map(|&(l, m)| (l, m.to_string()))
    .collect();
    assert_eq!(got, want);
    let v = violations(src, &["client", "output"]);
    let lines: Vec<usize> = v.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![6, 12, 19], "{v:?}");
    assert!(v[0]
        .1
        .contains("client (client) uses crate::reactor (server ball)"));
    // A module of the ball may use anything.
    assert!(violations(src, &["server"]).is_empty());
}
