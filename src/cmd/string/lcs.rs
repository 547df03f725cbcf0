//! LCS: the longest common subsequence of two string values.
//!
//! The classic dynamic-programming table of prefix LCS lengths, walked back
//! from the bottom-right corner. Which of several equally long subsequences is
//! reported, and how its matches are split into ranges, depends on that walk,
//! so it follows Redis 7.0 exactly:
//!
//! - on equal bytes, take them and step diagonally;
//! - otherwise step up in `a` if that keeps a strictly longer LCS than stepping
//!   left in `b`, else step left in `b`;
//! - a range is a run of diagonal steps; it is reported (when at least
//!   MINMATCHLEN long) as soon as the run breaks or reaches the start of
//!   either string, so ranges come out last-first.
//!
//! The table costs 4 bytes per cell, (len(a)+1) * (len(b)+1) cells; like Redis,
//! a table bigger than `proto-max-bulk-len` is refused rather than built.

use super::opt_name;
use crate::client::Client;
use crate::cmd::reply_err;
use crate::error::{self, OpError};
use crate::server::Server;

/// One run of common bytes: inclusive byte ranges in `a` and in `b`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LcsMatch {
    pub a: (u32, u32),
    pub b: (u32, u32),
    pub len: u32,
}

/// The filled table of prefix LCS lengths for `a` and `b`.
struct Table {
    cols: usize,
    cells: Vec<u32>,
}

impl Table {
    /// Builds the table, refusing strings or tables too big (Redis's limits and
    /// error texts).
    fn build(a: &[u8], b: &[u8], max_bytes: u64) -> Result<Table, OpError> {
        let too_long = u32::MAX as usize - 1;
        if a.len() >= too_long || b.len() >= too_long {
            return Err(OpError::Static(error::LCS_TOO_LONG));
        }
        let (rows, cols) = (a.len() + 1, b.len() + 1);
        let n = (rows as u64) * (cols as u64);
        let bytes = n.checked_mul(4).filter(|&b| b < usize::MAX as u64);
        let Some(bytes) = bytes else {
            return Err(OpError::Static(error::LCS_NO_MEMORY));
        };
        if bytes > max_bytes {
            return Err(OpError::Static(error::LCS_TABLE_TOO_BIG));
        }
        let mut cells: Vec<u32> = Vec::new();
        if cells.try_reserve_exact(n as usize).is_err() {
            return Err(OpError::Static(error::LCS_NO_MEMORY));
        }
        cells.resize(n as usize, 0);
        for i in 1..rows {
            let (prev, cur) = cells[(i - 1) * cols..(i + 1) * cols].split_at_mut(cols);
            for j in 1..cols {
                cur[j] = if a[i - 1] == b[j - 1] {
                    prev[j - 1] + 1
                } else {
                    prev[j].max(cur[j - 1])
                };
            }
        }
        Ok(Table { cols, cells })
    }

    #[inline]
    fn at(&self, i: usize, j: usize) -> u32 {
        self.cells[i * self.cols + j]
    }

    /// Length of the LCS of the whole strings.
    fn len(&self) -> u32 {
        *self.cells.last().expect("table has at least one cell")
    }

    /// Walks back from the corner: the LCS bytes and the ranges of at least
    /// `min_len` bytes, last-first.
    fn walk(&self, a: &[u8], b: &[u8], min_len: u64) -> (Vec<u8>, Vec<LcsMatch>) {
        let mut out = Vec::with_capacity(self.len() as usize);
        let mut matches = Vec::new();
        // The open run: start indexes in a and b, and its length.
        let mut run: Option<(usize, usize, usize)> = None;
        let mut emit = |run: &mut Option<(usize, usize, usize)>| {
            if let Some((ai, bi, n)) = run.take() {
                if n as u64 >= min_len {
                    matches.push(LcsMatch {
                        a: (ai as u32, (ai + n - 1) as u32),
                        b: (bi as u32, (bi + n - 1) as u32),
                        len: n as u32,
                    });
                }
            }
        };
        let (mut i, mut j) = (a.len(), b.len());
        while i > 0 && j > 0 {
            if a[i - 1] == b[j - 1] {
                out.push(a[i - 1]);
                // A diagonal step always continues the open run: the run's
                // start is exactly where the previous step left us.
                run = Some(match run {
                    Some((_, _, n)) => (i - 1, j - 1, n + 1),
                    None => (i - 1, j - 1, 1),
                });
                i -= 1;
                j -= 1;
                if i == 0 || j == 0 {
                    emit(&mut run);
                }
            } else {
                if self.at(i - 1, j) > self.at(i, j - 1) {
                    i -= 1;
                } else {
                    j -= 1;
                }
                emit(&mut run);
            }
        }
        emit(&mut run);
        out.reverse();
        (out, matches)
    }
}

/// The LCS of `a` and `b` with its ranges of at least `min_len` bytes
/// (last-first), for callers that want both.
pub fn lcs_matches(
    a: &[u8],
    b: &[u8],
    min_len: u64,
    max_table_bytes: u64,
) -> Result<(Vec<u8>, Vec<LcsMatch>), OpError> {
    let t = Table::build(a, b, max_table_bytes)?;
    Ok(t.walk(a, b, min_len))
}

/// LCS key1 key2 \[LEN\] \[IDX\] [MINMATCHLEN min-match-len] \[WITHMATCHLEN\]
pub fn lcs_command(srv: &mut Server, c: &mut Client) {
    // Redis looks both keys up (and checks their types) before it reads the
    // options; a missing key is an empty string.
    let db = &mut srv.dbs[c.db];
    let a = db.lookup(&c.argv[1]).map(|e| e.str_bytes());
    let b = db.lookup(&c.argv[2]).map(|e| e.str_bytes());
    let (a, b) = match (a, b) {
        (Some(None), _) | (_, Some(None)) => return c.add_error(error::LCS_WRONGTYPE),
        (a, b) => (
            a.flatten().unwrap_or_default(),
            b.flatten().unwrap_or_default(),
        ),
    };

    let (mut getlen, mut getidx, mut withmatchlen) = (false, false, false);
    let mut min_len: i64 = 0;
    let mut j = 3;
    while j < c.argv.len() {
        let opt = opt_name(&c.argv[j]).to_ascii_uppercase();
        match &opt[..] {
            b"IDX" => getidx = true,
            b"LEN" => getlen = true,
            b"WITHMATCHLEN" => withmatchlen = true,
            b"MINMATCHLEN" if j + 1 < c.argv.len() => {
                match crate::cmd::arg_i64(c, j + 1) {
                    Ok(v) => min_len = v.max(0),
                    Err(e) => return reply_err(c, e),
                }
                j += 1;
            }
            _ => return reply_err(c, OpError::Syntax),
        }
        j += 1;
    }
    if getidx && getlen {
        return c.add_error(error::LCS_LEN_AND_IDX);
    }

    let t = match Table::build(&a, &b, srv.config.proto_max_bulk_len) {
        Ok(t) => t,
        Err(e) => return reply_err(c, e),
    };
    if getlen {
        return c.add_int(i64::from(t.len()));
    }
    let (lcs, matches) = t.walk(&a, &b, min_len as u64);
    if !getidx {
        return c.add_bulk(&lcs);
    }
    c.add_map_len(2);
    c.add_bulk(b"matches");
    c.add_array_len(matches.len());
    for m in &matches {
        c.add_array_len(if withmatchlen { 3 } else { 2 });
        c.add_array_len(2);
        c.add_int(i64::from(m.a.0));
        c.add_int(i64::from(m.a.1));
        c.add_array_len(2);
        c.add_int(i64::from(m.b.0));
        c.add_int(i64::from(m.b.1));
        if withmatchlen {
            c.add_int(i64::from(m.len));
        }
    }
    c.add_bulk(b"len");
    c.add_int(i64::from(t.len()));
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIG: u64 = 1 << 30;

    fn m(a: (u32, u32), b: (u32, u32)) -> LcsMatch {
        LcsMatch {
            a,
            b,
            len: a.1 - a.0 + 1,
        }
    }

    #[test]
    fn redis_doc_example() {
        let (s, ms) = lcs_matches(b"ohmytext", b"mynewtext", 0, BIG).unwrap();
        assert_eq!(s, b"mytext");
        assert_eq!(ms, vec![m((4, 7), (5, 8)), m((2, 3), (0, 1))]);
        let (_, ms) = lcs_matches(b"ohmytext", b"mynewtext", 4, BIG).unwrap();
        assert_eq!(ms, vec![m((4, 7), (5, 8))]);
    }

    /// Ties between equally long subsequences resolve as in Redis 7.0.15.
    #[test]
    fn tie_breaking_matches_redis() {
        let (s, ms) = lcs_matches(b"abcabcabc", b"cbacbacba", 0, BIG).unwrap();
        assert_eq!(s, b"cbabc");
        let want = [
            ((8, 8), (6, 6)),
            ((7, 7), (4, 4)),
            ((6, 6), (2, 2)),
            ((4, 4), (1, 1)),
            ((2, 2), (0, 0)),
        ];
        assert_eq!(ms, want.iter().map(|&(a, b)| m(a, b)).collect::<Vec<_>>());
        // Swapped keys: another subsequence, yet (these strings being mirror
        // images) the same index pairs, as Redis replies.
        let (s2, ms2) = lcs_matches(b"cbacbacba", b"abcabcabc", 0, BIG).unwrap();
        assert_eq!(s2, b"abcba");
        assert_eq!(ms2, ms);
    }

    #[test]
    fn whole_and_suffix_matches() {
        let (_, ms) = lcs_matches(b"12345", b"2345", 0, BIG).unwrap();
        assert_eq!(ms, vec![m((1, 4), (0, 3))]);
        let (s, ms) = lcs_matches(b"ohmytext", b"ohmytext", 0, BIG).unwrap();
        assert_eq!(s, b"ohmytext");
        assert_eq!(ms, vec![m((0, 7), (0, 7))]);
    }

    #[test]
    fn empty_inputs() {
        for (a, b) in [(&b""[..], &b"abc"[..]), (b"abc", b""), (b"", b"")] {
            let (s, ms) = lcs_matches(a, b, 0, BIG).unwrap();
            assert!(s.is_empty() && ms.is_empty());
        }
        assert!(lcs_matches(b"abc", b"xyz", 0, BIG).unwrap().0.is_empty());
    }

    #[test]
    fn table_size_limit() {
        // 601 * 501 cells * 4 bytes = 1.2 MB > 1 MB.
        let a = vec![b'a'; 600];
        let b = vec![b'a'; 500];
        assert_eq!(
            lcs_matches(&a, &b, 0, 1 << 20),
            Err(OpError::Static(error::LCS_TABLE_TOO_BIG))
        );
        assert_eq!(lcs_matches(&a, &b, 0, BIG).unwrap().0.len(), 500);
    }

    /// The walk reconstructs a common subsequence of the table's length.
    #[test]
    fn walk_is_a_common_subsequence() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..200 {
            let la = (next() % 40) as usize;
            let lb = (next() % 40) as usize;
            let a: Vec<u8> = (0..la).map(|_| b'a' + (next() % 3) as u8).collect();
            let b: Vec<u8> = (0..lb).map(|_| b'a' + (next() % 3) as u8).collect();
            let t = Table::build(&a, &b, BIG).unwrap();
            let (s, ms) = t.walk(&a, &b, 0);
            assert_eq!(s.len() as u32, t.len());
            let covered: u32 = ms.iter().map(|m| m.len).sum();
            assert_eq!(covered, t.len());
            for m in &ms {
                let ra = &a[m.a.0 as usize..=m.a.1 as usize];
                let rb = &b[m.b.0 as usize..=m.b.1 as usize];
                assert_eq!(ra, rb);
            }
        }
    }
}
