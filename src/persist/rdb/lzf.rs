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
const HASH_LOG: u32 = 14;

fn hash3(p: &[u8]) -> usize {
    let v = (p[0] as u32) << 16 | (p[1] as u32) << 8 | p[2] as u32;
    (v.wrapping_mul(2_654_435_761) >> (32 - HASH_LOG)) as usize
}

/// Compresses `input`; None when the result would not be shorter than
/// `max_out` bytes.
pub fn compress(input: &[u8], max_out: usize) -> Option<Vec<u8>> {
    let n = input.len();
    let mut out = Vec::with_capacity(max_out.min(n + n / 32 + 1));
    let mut table = vec![usize::MAX; 1 << HASH_LOG];
    let mut lit_start = 0;
    let mut i = 0;
    let flush = |out: &mut Vec<u8>, from: usize, to: usize| {
        let mut s = from;
        while s < to {
            let run = (to - s).min(MAX_LIT);
            out.push((run - 1) as u8);
            out.extend_from_slice(&input[s..s + run]);
            s += run;
        }
    };
    while i + 2 < n {
        let h = hash3(&input[i..]);
        let cand = table[h];
        table[h] = i;
        if cand != usize::MAX && i - cand <= MAX_OFF && input[cand..cand + 3] == input[i..i + 3] {
            let max_len = (n - i).min(MAX_REF);
            let mut len = 3;
            while len < max_len && input[cand + len] == input[i + len] {
                len += 1;
            }
            flush(&mut out, lit_start, i);
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
                table[hash3(&input[k..])] = k;
            }
            i += len;
            lit_start = i;
            if out.len() >= max_out {
                return None;
            }
        } else {
            i += 1;
        }
    }
    flush(&mut out, lit_start, n);
    (out.len() < max_out).then_some(out)
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
