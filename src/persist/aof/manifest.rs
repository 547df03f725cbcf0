//! The AOF manifest of Redis 7.0's multi-part AOF (aof.c's aofManifest): which
//! files in `appenddirname` make up the append-only file, in order.
//!
//! ```text
//!   appendonlydir/
//!     appendonly.aof.manifest         one line per file, base first:
//!       file appendonly.aof.1.base.rdb seq 1 type b
//!       file appendonly.aof.1.incr.aof seq 1 type h     (history: to delete)
//!       file appendonly.aof.2.incr.aof seq 2 type i     (incr, in order)
//!     appendonly.aof.1.base.rdb       the base: an RDB (aof-use-rdb-preamble yes)
//!                                     or commands (`.base.aof`)
//!     appendonly.aof.2.incr.aof       commands appended since the base
//! ```
//!
//! A name that needs quoting (spaces, control bytes) is written as Redis's
//! sdscatrepr writes it. The manifest is replaced atomically: written to
//! `temp-<appendfilename>.manifest`, fsynced, renamed, and the directory fsynced.

use std::fs::File;
use std::io::Write;
use std::path::Path;

/// `.base`, `.incr`, `.rdb`, `.aof`, `.manifest` (aof.c's suffixes).
pub const BASE_SUFFIX: &str = ".base";
pub const INCR_SUFFIX: &str = ".incr";
pub const RDB_SUFFIX: &str = ".rdb";
pub const AOF_SUFFIX: &str = ".aof";
pub const MANIFEST_SUFFIX: &str = ".manifest";
pub const TEMP_PREFIX: &str = "temp-";

/// What a file is to the manifest (`type b|h|i`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    Base,
    History,
    Incr,
}

impl FileType {
    pub fn tag(self) -> char {
        match self {
            FileType::Base => 'b',
            FileType::History => 'h',
            FileType::Incr => 'i',
        }
    }

    pub fn from_tag(t: &[u8]) -> Option<FileType> {
        match t {
            b"b" => Some(FileType::Base),
            b"h" => Some(FileType::History),
            b"i" => Some(FileType::Incr),
            _ => None,
        }
    }
}

/// One file of the manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AofFile {
    pub name: String,
    pub seq: u64,
    pub kind: FileType,
}

/// The parsed manifest (aofManifest).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    pub base: Option<AofFile>,
    /// Incremental files, oldest first: the last one is being appended to.
    pub incrs: Vec<AofFile>,
    /// Files a rewrite made obsolete, to be deleted.
    pub history: Vec<AofFile>,
    pub curr_base_seq: u64,
    pub curr_incr_seq: u64,
}

/// `<appendfilename>.manifest`.
pub fn manifest_name(filename: &str) -> String {
    format!("{filename}{MANIFEST_SUFFIX}")
}

/// `temp-<appendfilename>.manifest`.
pub fn temp_manifest_name(filename: &str) -> String {
    format!("{TEMP_PREFIX}{filename}{MANIFEST_SUFFIX}")
}

impl Manifest {
    /// Parses a manifest file's bytes. Errors are the text Redis logs.
    pub fn parse(text: &[u8]) -> Result<Manifest, String> {
        let mut m = Manifest::default();
        let mut seen_any = false;
        for line in text.split(|&b| b == b'\n') {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            seen_any = true;
            let args = crate::util::splitargs::split_args(line)
                .ok_or_else(|| "Invalid AOF manifest file format".to_string())?;
            if args.len() < 6 || !args.len().is_multiple_of(2) {
                return Err("Invalid AOF manifest file format".into());
            }
            let (mut name, mut seq, mut kind) = (None, None, None);
            for kv in args.chunks(2) {
                match &kv[0][..] {
                    b"file" => name = Some(String::from_utf8_lossy(&kv[1]).into_owned()),
                    b"seq" => seq = crate::util::number::parse_i64(&kv[1]),
                    b"type" => kind = FileType::from_tag(&kv[1]),
                    _ => {}
                }
            }
            let (Some(name), Some(seq), Some(kind)) = (name, seq, kind) else {
                return Err("Invalid AOF manifest file format".into());
            };
            let f = AofFile {
                name,
                seq: seq.max(0) as u64,
                kind,
            };
            match kind {
                FileType::Base => {
                    if m.base.is_some() {
                        return Err("Found duplicate base file information".into());
                    }
                    m.curr_base_seq = f.seq;
                    m.base = Some(f);
                }
                FileType::History => m.history.push(f),
                FileType::Incr => {
                    if f.seq <= m.curr_incr_seq {
                        return Err("Found a non-monotonic sequence number".into());
                    }
                    m.curr_incr_seq = f.seq;
                    m.incrs.push(f);
                }
            }
        }
        if !seen_any {
            return Err("Found an empty AOF manifest".into());
        }
        Ok(m)
    }

    /// The manifest file's bytes: base, history, incrs (getAofManifestAsString).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let all = self
            .base
            .iter()
            .chain(self.history.iter())
            .chain(self.incrs.iter());
        for f in all {
            out.extend_from_slice(b"file ");
            out.extend_from_slice(&quote_name(&f.name));
            out.extend_from_slice(format!(" seq {} type {}\n", f.seq, f.kind.tag()).as_bytes());
        }
        out
    }

    /// A new base file name (`<filename>.<seq>.base.rdb|aof`); the old base, if
    /// any, becomes history (getNewBaseFileNameAndMarkPreAsHistory).
    pub fn new_base(&mut self, filename: &str, rdb_preamble: bool) -> String {
        if let Some(mut old) = self.base.take() {
            old.kind = FileType::History;
            self.history.push(old);
        }
        self.curr_base_seq += 1;
        let fmt = if rdb_preamble { RDB_SUFFIX } else { AOF_SUFFIX };
        let name = format!("{filename}.{}{BASE_SUFFIX}{fmt}", self.curr_base_seq);
        self.base = Some(AofFile {
            name: name.clone(),
            seq: self.curr_base_seq,
            kind: FileType::Base,
        });
        name
    }

    /// A new incr file name (`<filename>.<seq>.incr.aof`), appended to the
    /// incr list (getNewIncrAofName).
    pub fn new_incr(&mut self, filename: &str) -> String {
        self.curr_incr_seq += 1;
        let name = format!("{filename}.{}{INCR_SUFFIX}{AOF_SUFFIX}", self.curr_incr_seq);
        self.incrs.push(AofFile {
            name: name.clone(),
            seq: self.curr_incr_seq,
            kind: FileType::Incr,
        });
        name
    }

    /// After a rewrite: every incr file but the last (the one opened when the
    /// rewrite started) is history (markRewrittenIncrAofAsHistory).
    pub fn mark_rewritten_incrs_history(&mut self) {
        let keep = self.incrs.pop();
        for mut f in self.incrs.drain(..) {
            f.kind = FileType::History;
            self.history.push(f);
        }
        self.incrs.extend(keep);
    }

    /// The files to load, in order: the base, then the incrs.
    pub fn load_order(&self) -> impl Iterator<Item = &AofFile> {
        self.base.iter().chain(self.incrs.iter())
    }
}

/// A file name as the manifest writes it: bare, or quoted as sdscatrepr
/// does when it has spaces, quotes or non-printable bytes.
fn quote_name(name: &str) -> Vec<u8> {
    let b = name.as_bytes();
    let needs = b
        .iter()
        .any(|&c| c == b' ' || c == b'"' || c == b'\'' || c == b'\\' || !(0x21..0x7f).contains(&c));
    if !needs {
        return b.to_vec();
    }
    crate::config::parse::repr(b).into_bytes()
}

/// Reads `<filename>.manifest` in `dir`; Ok(None) when there is none.
pub fn load(dir: &Path, filename: &str) -> Result<Option<Manifest>, String> {
    let path = dir.join(manifest_name(filename));
    match std::fs::read(&path) {
        Ok(text) => Manifest::parse(&text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!(
            "Fail to open AOF manifest file: {}",
            crate::util::strerror(&e)
        )),
    }
}

/// Writes the manifest atomically (persistAofManifest): temp file, fsync,
/// rename, fsync of the directory.
pub fn persist(dir: &Path, filename: &str, m: &Manifest) -> std::io::Result<()> {
    let temp = dir.join(temp_manifest_name(filename));
    let path = dir.join(manifest_name(filename));
    {
        let mut f = File::create(&temp)?;
        f.write_all(&m.to_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&temp, &path)?;
    fsync_dir(dir);
    Ok(())
}

/// fsync of a directory, so a rename or a new file in it survives a crash.
pub fn fsync_dir(dir: &Path) {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rotation() {
        let mut m = Manifest::default();
        assert_eq!(
            m.new_base("appendonly.aof", true),
            "appendonly.aof.1.base.rdb"
        );
        assert_eq!(m.new_incr("appendonly.aof"), "appendonly.aof.1.incr.aof");
        assert_eq!(
            m.to_bytes(),
            b"file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"
        );
        m.new_incr("appendonly.aof");
        m.new_base("appendonly.aof", false);
        m.mark_rewritten_incrs_history();
        let text = m.to_bytes();
        assert_eq!(
            String::from_utf8(text.clone()).unwrap(),
            "file appendonly.aof.2.base.aof seq 2 type b\n\
             file appendonly.aof.1.base.rdb seq 1 type h\n\
             file appendonly.aof.1.incr.aof seq 1 type h\n\
             file appendonly.aof.2.incr.aof seq 2 type i\n"
        );
        assert_eq!(Manifest::parse(&text).unwrap(), m);
    }
}
