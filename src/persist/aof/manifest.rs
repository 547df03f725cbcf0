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

use crate::util::number::c_atoll;

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

/// fgets's buffer in aofLoadManifestFromFile (MANIFEST_MAX_LINE + 1, less
/// the terminating NUL).
const MANIFEST_MAX_LINE: usize = 1024;

const INVALID: &str = "Invalid AOF manifest file format";

/// A manifest Redis refuses to start with: the reason and, for most, the
/// line it was found on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestError {
    pub msg: &'static str,
    /// 1-based line number (fgets reads), 0 for an empty file.
    pub linenum: usize,
    /// The offending line, trimmed, when Redis shows it.
    pub line: Option<String>,
}

impl ManifestError {
    /// Logs the report aofLoadManifestFromFile logs before exit(1).
    pub fn log(&self) {
        log::warn!("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
        if let Some(line) = &self.line {
            log::warn!("Reading the manifest file, at line {}\n", self.linenum);
            log::warn!(">>> '{line}'\n");
        }
        log::warn!("{}\n", self.msg);
    }
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.msg)
    }
}

/// sdstrim(line, " \t\r\n").
fn trim(mut b: &[u8]) -> &[u8] {
    let ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    while b.first().is_some_and(ws) {
        b = &b[1..];
    }
    while b.last().is_some_and(ws) {
        b = &b[..b.len() - 1];
    }
    b
}

impl Manifest {
    /// Parses a manifest file's bytes as aof.c's aofLoadManifestFromFile
    /// does: lines read 1024 bytes at a time (a longer one, or a last line
    /// without its newline, is an error), `#` comment lines skipped, keys
    /// case-insensitive, the seq read as atoll reads it, only the type's first
    /// byte looked at. Errors carry Redis's texts.
    pub fn parse(text: &[u8]) -> Result<Manifest, ManifestError> {
        let mut m = Manifest::default();
        let mut linenum = 0usize;
        let mut maxseq = 0i64;
        let mut rest = text;
        while !rest.is_empty() {
            // fgets(buf, MANIFEST_MAX_LINE + 1): up to 1024 bytes or a newline.
            let take = match rest
                .iter()
                .take(MANIFEST_MAX_LINE)
                .position(|&b| b == b'\n')
            {
                Some(i) => i + 1,
                None => rest.len().min(MANIFEST_MAX_LINE),
            };
            let buf = &rest[..take];
            rest = &rest[take..];
            linenum += 1;
            if buf[0] == b'#' {
                continue;
            }
            let err = |msg: &'static str, line: Option<&[u8]>| ManifestError {
                msg,
                linenum,
                line: line.map(|l| String::from_utf8_lossy(l).into_owned()),
            };
            if !buf.contains(&b'\n') {
                return Err(err("The AOF manifest file contains too long line", None));
            }
            let line = trim(buf);
            if line.is_empty() {
                return Err(err(INVALID, Some(line)));
            }
            let args = match crate::util::splitargs::split_args(line) {
                Some(a) if a.len() >= 6 && a.len() % 2 == 0 => a,
                _ => return Err(err(INVALID, Some(line))),
            };
            let (mut name, mut seq, mut kind) = (None::<Vec<u8>>, 0i64, 0u8);
            for kv in args.chunks(2) {
                let key = kv[0].to_ascii_lowercase();
                match &key[..] {
                    b"file" => {
                        if kv[1].contains(&b'/') || kv[1].contains(&b'\\') {
                            return Err(err("File can't be a path, just a filename", Some(line)));
                        }
                        name = Some(kv[1].clone());
                    }
                    b"seq" => seq = c_atoll(&kv[1]),
                    b"type" => kind = kv[1].first().copied().unwrap_or(0),
                    _ => {}
                }
            }
            // A name that is empty, a seq of 0 or an empty type count as missing.
            let name = match name {
                Some(n) if !n.is_empty() && seq != 0 && kind != 0 => n,
                _ => return Err(err(INVALID, Some(line))),
            };
            let Some(kind) = FileType::from_tag(&[kind]) else {
                return Err(err("Unknown AOF file type", Some(line)));
            };
            let f = AofFile {
                name: String::from_utf8_lossy(&name).into_owned(),
                seq: seq as u64,
                kind,
            };
            match kind {
                FileType::Base => {
                    if m.base.is_some() {
                        return Err(err("Found duplicate base file information", Some(line)));
                    }
                    m.curr_base_seq = f.seq;
                    m.base = Some(f);
                }
                FileType::History => m.history.push(f),
                FileType::Incr => {
                    if seq <= maxseq {
                        return Err(err("Found a non-monotonic sequence number", Some(line)));
                    }
                    m.curr_incr_seq = f.seq;
                    maxseq = seq;
                    m.incrs.push(f);
                }
            }
        }
        if linenum == 0 {
            return Err(ManifestError {
                msg: "Found an empty AOF manifest",
                linenum: 0,
                line: None,
            });
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
    /// any, becomes history, first in the list as Redis adds it
    /// (getNewBaseFileNameAndMarkPreAsHistory).
    pub fn new_base(&mut self, filename: &str, rdb_preamble: bool) -> String {
        if let Some(mut old) = self.base.take() {
            old.kind = FileType::History;
            self.history.insert(0, old);
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

    /// After a rewrite: every incr file is history but, while the AOF is
    /// being appended to (`writing`), the last one (opened when the rewrite
    /// started). They go to the front of the history, in their order, as
    /// Redis's markRewrittenIncrAofAsHistory leaves the list.
    pub fn mark_rewritten_incrs_history(&mut self, writing: bool) {
        let keep = if writing { self.incrs.pop() } else { None };
        let old: Vec<AofFile> = self
            .incrs
            .drain(..)
            .map(|mut f| {
                f.kind = FileType::History;
                f
            })
            .collect();
        self.history.splice(0..0, old);
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

/// Why a manifest could not be read (aofLoadManifestFromDisk exits on both).
#[derive(Debug)]
pub enum LoadError {
    /// "Fatal error: can't open the AOF manifest file ..." (already worded).
    Open(String),
    Parse(ManifestError),
}

impl LoadError {
    /// Logs what Redis logs before exit(1).
    pub fn log(&self) {
        match self {
            LoadError::Open(s) => log::warn!("{s}"),
            LoadError::Parse(e) => e.log(),
        }
    }
}

/// Reads `<filename>.manifest` in `dir` (aofLoadManifestFromDisk); Ok(None)
/// when the directory or the manifest does not exist.
pub fn load(dir: &Path, filename: &str) -> Result<Option<Manifest>, LoadError> {
    let path = dir.join(manifest_name(filename));
    match std::fs::read(&path) {
        Ok(text) => Manifest::parse(&text).map(Some).map_err(LoadError::Parse),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(LoadError::Open(format!(
            "Fatal error: can't open the AOF manifest file {} for reading: {}",
            path.display(),
            crate::util::strerror(&e)
        ))),
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
        m.mark_rewritten_incrs_history(true);
        let text = m.to_bytes();
        assert_eq!(
            String::from_utf8(text.clone()).unwrap(),
            "file appendonly.aof.2.base.aof seq 2 type b\n\
             file appendonly.aof.1.incr.aof seq 1 type h\n\
             file appendonly.aof.1.base.rdb seq 1 type h\n\
             file appendonly.aof.2.incr.aof seq 2 type i\n"
        );
        assert_eq!(Manifest::parse(&text).unwrap(), m);
        // A second rewrite: newest history first (Redis's aof-multi-part
        // "AOF enable/disable auto gc" shape).
        m.new_incr("appendonly.aof");
        m.new_base("appendonly.aof", true);
        m.mark_rewritten_incrs_history(true);
        assert_eq!(
            String::from_utf8(m.to_bytes()).unwrap(),
            "file appendonly.aof.3.base.rdb seq 3 type b\n\
             file appendonly.aof.2.incr.aof seq 2 type h\n\
             file appendonly.aof.2.base.aof seq 2 type h\n\
             file appendonly.aof.1.incr.aof seq 1 type h\n\
             file appendonly.aof.1.base.rdb seq 1 type h\n\
             file appendonly.aof.3.incr.aof seq 3 type i\n"
        );
        // With the AOF off every incr is history.
        m.new_base("appendonly.aof", true);
        m.mark_rewritten_incrs_history(false);
        assert!(m.incrs.is_empty());
    }

    fn err(text: &str) -> (String, usize, Option<String>) {
        let e = Manifest::parse(text.as_bytes()).unwrap_err();
        (e.msg.to_string(), e.linenum, e.line)
    }

    #[test]
    fn parse_errors_are_redis_texts() {
        assert_eq!(err("").0, "Found an empty AOF manifest");
        assert_eq!(
            err("file a seq 1 type b").0,
            "The AOF manifest file contains too long line"
        );
        let long = format!("file {} seq 1 type b\n", "x".repeat(1100));
        assert_eq!(err(&long).0, "The AOF manifest file contains too long line");
        assert_eq!(
            err("file a seq 1 type b\n\n"),
            (
                "Invalid AOF manifest file format".into(),
                2,
                Some(String::new())
            )
        );
        assert_eq!(err("file a seq 1\n").0, "Invalid AOF manifest file format");
        assert_eq!(
            err("file a seq 0 type b\n").0,
            "Invalid AOF manifest file format"
        );
        assert_eq!(
            err("file dir/a seq 1 type b\n").0,
            "File can't be a path, just a filename"
        );
        assert_eq!(err("file a seq 1 type x\n").0, "Unknown AOF file type");
        assert_eq!(
            err("file a seq 1 type b\nfile b seq 2 type b\n"),
            (
                "Found duplicate base file information".into(),
                2,
                Some("file b seq 2 type b".into())
            )
        );
        assert_eq!(
            err("file a seq 2 type i\nfile b seq 2 type i\n").0,
            "Found a non-monotonic sequence number"
        );
        assert_eq!(
            err("file \"a seq 1 type b\n").0,
            "Invalid AOF manifest file format"
        );
    }

    #[test]
    fn parse_is_lenient_where_redis_is() {
        // Comments, case-insensitive keys, extra pairs, the type's first byte,
        // atoll seqs, a quoted name.
        let m = Manifest::parse(
            b"# comment\nFILE \"a b\" SEQ 3x TYPE base extra 1\nfile c seq 5 type incr\n",
        )
        .unwrap();
        assert_eq!(m.base.as_ref().unwrap().name, "a b");
        assert_eq!(m.curr_base_seq, 3);
        assert_eq!(m.incrs[0].seq, 5);
        assert_eq!(m.curr_incr_seq, 5);
        // Only comments: an empty manifest, not an error.
        assert_eq!(Manifest::parse(b"# x\n").unwrap(), Manifest::default());
    }
}
