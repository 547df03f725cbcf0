//! LZF, the compression of long strings in RDB files (Redis's lzf_c.c and
//! lzf_d.c, format only; this compressor is our own, simpler greedy one, and
//! every stream it makes decompresses with Redis's `lzf_decompress`).
//!
//! ```text
//!  000LLLLL <L+1 literal bytes>           literal run, 1..=32 bytes
//!  LLLooooo oooooooo                      back reference, length L+2 (L 1..=6)
//!  111ooooo LLLLLLLL oooooooo             back reference, length L+9
//!                                         offset o+1 bytes back (<= 8192)
//! ```

const MAX_LIT: usize = 32;
const MAX_OFF: usize = 1 << 13;
const MAX_REF: usize = (1 << 8) + (1 << 3);
/// Largest hash table (entries); short inputs use a prefix of it.
const HASH_LOG_MAX: u32 = 14;
const HASH_LOG_MIN: u32 = 8;

thread_local! {
    /// Positions of recent 3-byte sequences, reused from call to call and never
    /// cleared: like Redis's lzf (INIT_HTAB 0), a stale entry is harmless because
    /// every candidate is checked (before the current position, in reach, same
    /// bytes). A fresh table per call cost a 128 KiB memset per string.
    static TABLE: std::cell::RefCell<Box<[u32]>> =
        std::cell::RefCell::new(vec![0u32; 1 << HASH_LOG_MAX].into_boxed_slice());
}

#[inline]
fn hash3(p: &[u8], log: u32) -> usize {
    let v = (p[0] as u32) << 16 | (p[1] as u32) << 8 | p[2] as u32;
    (v.wrapping_mul(2_654_435_761) >> (32 - log)) as usize
}

/// Compresses `input`; None when the result would not be shorter than
/// `max_out` bytes.
pub fn compress(input: &[u8], max_out: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    compress_into(input, max_out, &mut out).then_some(out)
}

/// Compresses `input` into `out` (cleared first); false, with `out` unspecified,
/// when the result would not be shorter than `max_out` bytes. Inputs must be
/// shorter than 4 GiB (strings are at most 512 MiB).
pub fn compress_into(input: &[u8], max_out: usize, out: &mut Vec<u8>) -> bool {
    TABLE.with(|t| compress_with(&mut t.borrow_mut(), input, max_out, out))
}

/// Appends literal runs of at most 32 bytes.
fn literals(out: &mut Vec<u8>, mut lit: &[u8]) {
    while !lit.is_empty() {
        let run = lit.len().min(MAX_LIT);
        out.push((run - 1) as u8);
        out.extend_from_slice(&lit[..run]);
        lit = &lit[run..];
    }
}

fn compress_with(table: &mut [u32], input: &[u8], max_out: usize, out: &mut Vec<u8>) -> bool {
    let n = input.len();
    out.clear();
    out.reserve(max_out.min(n + n / 32 + 1));
    let log = (usize::BITS - n.leading_zeros()).clamp(HASH_LOG_MIN, HASH_LOG_MAX);
    let mut lit_start = 0;
    let mut i = 0;
    while i + 2 < n {
        // The pending literals alone already reach the limit: give up early,
        // as Redis's lzf does when its output buffer is full.
        let pending = i - lit_start;
        if out.len() + pending + pending.div_ceil(MAX_LIT) >= max_out {
            return false;
        }
        let h = hash3(&input[i..], log);
        let cand = table[h] as usize;
        table[h] = i as u32;
        if cand < i && i - cand <= MAX_OFF && input[cand..cand + 3] == input[i..i + 3] {
            let max_len = (n - i).min(MAX_REF);
            let mut len = 3;
            while len < max_len && input[cand + len] == input[i + len] {
                len += 1;
            }
            literals(out, &input[lit_start..i]);
            let off = i - cand - 1;
            let l = len - 2;
            if l < 7 {
                out.push(((l as u8) << 5) | (off >> 8) as u8);
            } else {
                out.push((7 << 5) | (off >> 8) as u8);
                out.push((l - 7) as u8);
            }
            out.push(off as u8);
            for k in i + 1..(i + len).min(n.saturating_sub(2)) {
                table[hash3(&input[k..], log)] = k as u32;
            }
            i += len;
            lit_start = i;
            if out.len() >= max_out {
                return false;
            }
        } else {
            i += 1;
        }
    }
    literals(out, &input[lit_start..]);
    out.len() < max_out
}

/// Decompresses into exactly `out_len` bytes; None on a malformed stream.
pub fn decompress(input: &[u8], out_len: usize) -> Option<Vec<u8>> {
    // A corrupt length must not size the allocation: LZF expands at most
    // 264 bytes per 2 input bytes.
    let mut out: Vec<u8> = Vec::with_capacity(out_len.min(input.len().saturating_mul(132) + 64));
    let mut i = 0;
    while i < input.len() {
        let ctrl = input[i] as usize;
        i += 1;
        if ctrl < 32 {
            let run = ctrl + 1;
            if i + run > input.len() || out.len() + run > out_len {
                return None;
            }
            out.extend_from_slice(&input[i..i + run]);
            i += run;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += *input.get(i)? as usize;
                i += 1;
            }
            len += 2;
            let back = ((ctrl & 0x1f) << 8) + *input.get(i)? as usize + 1;
            i += 1;
            if back > out.len() || out.len() + len > out_len {
                return None;
            }
            let start = out.len() - back;
            for k in 0..len {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    (out.len() == out_len).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut inputs: Vec<Vec<u8>> = vec![
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_vec(),
            b"hello world hello world hello world hello world".to_vec(),
            vec![0u8; 100_000],
        ];
        let mut x = 12345u32;
        inputs.push(
            (0..50_000)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                    b"abcdefgh"[(x >> 28) as usize & 7]
                })
                .collect(),
        );
        for inp in inputs {
            let c = compress(&inp, inp.len()).expect("compressible");
            assert!(c.len() < inp.len());
            assert_eq!(decompress(&c, inp.len()).unwrap(), inp);
        }
    }

    /// The hash table is shared by every call on a thread and never cleared:
    /// stale positions left by earlier, longer inputs must never produce a
    /// reference outside the current one.
    #[test]
    fn reused_table_across_interleaved_inputs() {
        let mut x = 7u32;
        let mut next = || {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            x >> 16
        };
        let mut out = Vec::new();
        for round in 0..2000 {
            let n = match round % 4 {
                0 => 5000 + (next() as usize % 20000),
                1 => 21 + (next() as usize % 100),
                2 => 3 + (next() as usize % 30),
                _ => 100,
            };
            let alphabet = 2 + (next() as usize % 200);
            let inp: Vec<u8> = (0..n).map(|_| (next() as usize % alphabet) as u8).collect();
            if compress_into(&inp, inp.len(), &mut out) {
                assert!(out.len() < inp.len());
                assert_eq!(decompress(&out, inp.len()).unwrap(), inp, "round {round}");
            }
        }
    }

    #[test]
    fn gives_up_at_the_limit() {
        let inp = b"abcabcabcabcabcabcabcabcabcabcabcabcabc";
        let c = compress(inp, inp.len()).expect("compressible");
        assert!(compress(inp, c.len()).is_none());
        assert_eq!(compress(inp, c.len() + 1), Some(c));
    }

    #[test]
    fn incompressible_is_none_and_bad_streams_fail() {
        let inp: Vec<u8> = (0..=255u8).collect();
        assert!(compress(&inp, inp.len()).is_none());
        assert!(
            decompress(&[0x20, 0x00], 3).is_none(),
            "reference before start"
        );
        assert!(decompress(&[0x05, b'a'], 6).is_none(), "truncated literal");
        assert!(decompress(&[0x00, b'a'], 2).is_none(), "short output");
    }
}
