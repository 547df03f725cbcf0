//! HyperLogLog on the bytes of a string value, exactly as Redis 7.0 stores it
//! (hyperloglog.c), so that GET, SET, DUMP/RESTORE, RDB files and replication
//! carry an HLL between oxidis and Redis unchanged. Everything here is a pure
//! function on a byte buffer; the commands (PFADD, PFCOUNT, PFMERGE, PFDEBUG,
//! PFSELFTEST) are in `cmd/hyperloglog.rs`.
//!
//! ```text
//!  0      4     5        8                16
//!  +------+-----+--------+----------------+-------------------------------+
//!  | HYLL | enc | unused | cardinality    | registers                     |
//!  +------+-----+--------+----------------+-------------------------------+
//!   magic  0 = dense      u64 little endian; the top bit of byte 15 set
//!          1 = sparse     means "not valid, recompute"
//! ```
//!
//! 16384 registers (P = 14), each the longest run of zeroes (+1) seen among
//! the 50 hash bits that did not pick the register.
//!
//! - Dense: 12288 bytes, 6 bits per register, least significant bits first
//!   (register 0 is the low 6 bits of byte 0, register 1 the 2 high bits of
//!   byte 0 and the 4 low bits of byte 1, ...).
//! - Sparse (`hll/sparse.rs`): run-length opcodes, `ZERO` (1 byte, 1..64 zero
//!   registers), `XZERO` (2 bytes, 1..16384 zero registers) and `VAL` (1 byte,
//!   1..4 registers of value 1..32). A new HLL is sparse; it turns dense when a
//!   value above 32 arrives or when it would grow past `hll-sparse-max-bytes`.
//!
//! Corrupted input is never trusted: a buffer that passes the header checks
//! ([`is_hll`]) but whose sparse opcodes do not cover exactly 16384 registers
//! gives [`Corrupt`] (Redis's `INVALIDOBJ`) from the same operations, at the
//! same points and with the same partial effects as in Redis, which reads the
//! byte after the end of a string as the sds terminator (a zero).

mod sparse;
#[cfg(test)]
mod tests;

pub use sparse::{decode, sparse_set, sparse_to_dense};

/// Bytes of the header.
pub const HDR_SIZE: usize = 16;
/// Register index bits.
pub const P: u32 = 14;
/// Hash bits left for the run of zeroes.
pub const Q: usize = 64 - P as usize;
pub const REGISTERS: usize = 1 << P;
const P_MASK: u64 = REGISTERS as u64 - 1;
/// Bits per dense register.
pub const BITS: usize = 6;
pub const REGISTER_MAX: u8 = (1 << BITS) - 1;
/// The exact length of a dense HLL.
pub const DENSE_SIZE: usize = HDR_SIZE + (REGISTERS * BITS).div_ceil(8);
/// Encoding byte (offset 4) values.
pub const DENSE: u8 = 0;
pub const SPARSE: u8 = 1;
const MAX_ENCODING: u8 = 1;
const MAGIC: &[u8; 4] = b"HYLL";
/// Offset of the byte whose top bit invalidates the cached cardinality.
const CARD_LAST: usize = 15;
/// Redis's seed for MurmurHash64A over the elements.
const SEED: u32 = 0xadc8_3b19;
/// 0.5 / ln(2), the estimator's constant for an infinite register count.
const ALPHA_INF: f64 = 0.721_347_520_444_481_7;

/// The sparse opcodes do not describe exactly 16384 registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt;

/// Redis's isHLLObjectOrReply on the bytes: long enough for the header, the
/// `HYLL` magic, a known encoding, and a dense one of exactly the dense size.
/// (The register contents are checked by the operations that read them.)
pub fn is_hll(s: &[u8]) -> bool {
    s.len() >= HDR_SIZE
        && &s[..4] == MAGIC
        && s[4] <= MAX_ENCODING
        && (s[4] != DENSE || s.len() == DENSE_SIZE)
}

/// The encoding byte of a buffer [`is_hll`] accepted.
pub fn encoding(s: &[u8]) -> u8 {
    s[4]
}

/// The cached cardinality, if its valid bit says so.
pub fn cached_card(s: &[u8]) -> Option<u64> {
    if s[CARD_LAST] & 0x80 != 0 {
        return None;
    }
    let mut b = [0u8; 8];
    b.copy_from_slice(&s[8..16]);
    Some(u64::from_le_bytes(b))
}

/// Stores `card` as the cached cardinality (little endian, all 64 bits: a
/// value with the top bit set leaves the cache invalid, as in Redis).
pub fn set_cached_card(s: &mut [u8], card: u64) {
    s[8..16].copy_from_slice(&card.to_le_bytes());
}

/// Marks the cached cardinality stale.
pub fn invalidate_cache(s: &mut [u8]) {
    s[CARD_LAST] |= 0x80;
}

/// A new, empty HLL as Redis's createHLLObject makes it: sparse, one `XZERO`
/// covering every register, the cached cardinality 0 and valid.
pub fn new_sparse() -> Vec<u8> {
    let mut s = Vec::with_capacity(HDR_SIZE + 2);
    s.extend_from_slice(MAGIC);
    s.push(SPARSE);
    s.resize(HDR_SIZE, 0);
    sparse::push_xzero(&mut s, REGISTERS);
    s
}

/// MurmurHash2, 64-bit version A (Austin Appleby), reading 8-byte words little
/// endian as Redis does on every platform that matters.
pub fn murmur_hash64a(data: &[u8], seed: u32) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed as u64 ^ (data.len() as u64).wrapping_mul(M);
    let mut words = data.chunks_exact(8);
    for w in &mut words {
        let mut k = u64::from_le_bytes(w.try_into().expect("8 bytes"));
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = words.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= (b as u64) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// Redis's hllPatLen: the register an element lands in and the length of the
/// run of zeroes (+1) in the rest of its hash, 1..=Q+1.
pub fn pat_len(ele: &[u8]) -> (usize, u8) {
    let hash = murmur_hash64a(ele, SEED);
    let index = (hash & P_MASK) as usize;
    // The bit above the 50 used ends the run, so the count is at most Q+1.
    let rest = (hash >> P) | (1u64 << Q);
    (index, rest.trailing_zeros() as u8 + 1)
}

/// Dense register `i` of `regs` (the bytes after the header). The last
/// register's neighbour byte is past the end: it contributes no bits.
#[inline]
pub fn dense_get(regs: &[u8], i: usize) -> u8 {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let b0 = regs[byte] as u32;
    let b1 = regs.get(byte + 1).copied().unwrap_or(0) as u32;
    (((b0 >> fb) | (b1 << (8 - fb))) & REGISTER_MAX as u32) as u8
}

/// Sets dense register `i` to `val` (0..=63).
#[inline]
pub fn dense_put(regs: &mut [u8], i: usize, val: u8) {
    let byte = i * BITS / 8;
    let fb = (i * BITS) & 7;
    let v = val as u32;
    let max = REGISTER_MAX as u32;
    regs[byte] = ((regs[byte] as u32 & !(max << fb)) | (v << fb)) as u8;
    if let Some(b1) = regs.get_mut(byte + 1) {
        *b1 = ((*b1 as u32 & !(max >> (8 - fb))) | (v >> (8 - fb))) as u8;
    }
}

/// Redis's hllDenseSet: raises register `i` to `count`; true if it changed.
#[inline]
pub fn dense_set(regs: &mut [u8], i: usize, count: u8) -> bool {
    if count > dense_get(regs, i) {
        dense_put(regs, i, count);
        true
    } else {
        false
    }
}

/// An HLL string being written by one command, as Redis's sds holds it: the
/// bytes, and the byte just past them, which a corrupted sparse HLL can read
/// (see `hll/sparse.rs`); it starts as the terminator's zero.
pub struct Sds<'a> {
    pub buf: &'a mut Vec<u8>,
    after: u8,
}

impl<'a> Sds<'a> {
    pub fn new(buf: &'a mut Vec<u8>) -> Sds<'a> {
        Sds { buf, after: 0 }
    }

    /// Redis's hllAdd: adds one element to a buffer [`is_hll`] accepted; true
    /// if a register changed. A sparse HLL may turn dense (at a value above
    /// 32, or past `sparse_max` bytes). Err leaves what earlier calls changed
    /// in place.
    pub fn add(&mut self, ele: &[u8], sparse_max: u64) -> Result<bool, Corrupt> {
        let (index, count) = pat_len(ele);
        self.set(index, count, sparse_max)
    }

    /// Raises register `index` to `count` (Redis's hllDenseSet or
    /// hllSparseSet by encoding).
    pub fn set(&mut self, index: usize, count: u8, sparse_max: u64) -> Result<bool, Corrupt> {
        match self.buf[4] {
            DENSE => Ok(dense_set(&mut self.buf[HDR_SIZE..], index, count)),
            SPARSE => sparse_set(self.buf, &mut self.after, index, count, sparse_max),
            _ => Err(Corrupt),
        }
    }
}

/// [`Sds::add`] of one element on its own.
pub fn add(s: &mut Vec<u8>, ele: &[u8], sparse_max: u64) -> Result<bool, Corrupt> {
    Sds::new(s).add(ele, sparse_max)
}

/// Converts a sparse HLL to dense in place (true), or leaves a dense one
/// (false); Err, unchanged, if the sparse registers are corrupted.
pub fn to_dense(s: &mut Vec<u8>) -> Result<bool, Corrupt> {
    if s[4] == DENSE {
        return Ok(false);
    }
    *s = sparse_to_dense(s, 0)?;
    Ok(true)
}

/// Redis's hllMerge: raises `max[i]` to register i of `s` (validated by
/// [`is_hll`]). Err for corrupted sparse registers (`max` is then partly
/// merged, and the caller gives up).
pub fn merge(max: &mut [u8; REGISTERS], s: &[u8]) -> Result<(), Corrupt> {
    match s[4] {
        DENSE => {
            dense_merge(max, &s[HDR_SIZE..]);
            Ok(())
        }
        _ => sparse::merge(max, s),
    }
}

// Dense registers eight at a time: six bytes hold registers 8k..8k+7, register
// 8k+j in bits 6j..6j+5 of those bytes read as a little-endian word. Spread
// into one register per byte (bits 8j..8j+5), eight registers are one u64
// that can be compared with eight bytes of a raw register array at once.
const LOW6: u64 = 0x3f3f_3f3f_3f3f_3f3f;
const HIGH: u64 = 0x8080_8080_8080_8080;
const ONES: u64 = 0x0101_0101_0101_0101;
/// Bytes of dense registers per group of eight.
const GROUP: usize = 6;

/// The six bytes of a group as the low 48 bits of a word.
#[inline(always)]
fn load48(b: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w[..GROUP].copy_from_slice(&b[..GROUP]);
    u64::from_le_bytes(w)
}

/// Eight packed 6-bit registers (the low 48 bits) to one per byte.
#[inline(always)]
fn spread(x: u64) -> u64 {
    (x & 0x3f)
        | ((x << 2) & 0x3f00)
        | ((x << 4) & 0x003f_0000)
        | ((x << 6) & 0x3f00_0000)
        | ((x << 8) & 0x003f_0000_0000)
        | ((x << 10) & 0x3f00_0000_0000)
        | ((x << 12) & 0x003f_0000_0000_0000)
        | ((x << 14) & 0x3f00_0000_0000_0000)
}

/// The inverse of [`spread`] (bytes must be below 64).
#[inline(always)]
fn pack(y: u64) -> u64 {
    (y & 0x3f)
        | ((y >> 2) & (0x3f << 6))
        | ((y >> 4) & (0x3f << 12))
        | ((y >> 6) & (0x3f << 18))
        | ((y >> 8) & (0x3f << 24))
        | ((y >> 10) & (0x3f << 30))
        | ((y >> 12) & (0x3f << 36))
        | ((y >> 14) & (0x3f << 42))
}

/// Bytewise unsigned max of two words whose bytes are all below 128: `a | 0x80`
/// minus `b` borrows nowhere, and its top bit says `a >= b` per byte.
#[inline(always)]
fn max_bytes(a: u64, b: u64) -> u64 {
    let ge = (((a | HIGH).wrapping_sub(b)) >> 7) & ONES;
    let mask = ge.wrapping_mul(0xff);
    (a & mask) | (b & !mask)
}

/// `max[i] = max(max[i], register i)` over a dense HLL's registers.
fn dense_merge(max: &mut [u8; REGISTERS], regs: &[u8]) {
    for (m, r) in max.chunks_exact_mut(8).zip(regs.chunks_exact(GROUP)) {
        // `max` only ever holds register values (below 64).
        let cur = u64::from_le_bytes((&*m).try_into().expect("8 bytes")) & LOW6;
        let v = max_bytes(spread(load48(r)), cur);
        m.copy_from_slice(&v.to_le_bytes());
    }
}

/// Raises every register of a dense HLL's registers to `max` in place.
fn dense_store_max(regs: &mut [u8], max: &[u8; REGISTERS]) {
    for (r, m) in regs.chunks_exact_mut(GROUP).zip(max.chunks_exact(8)) {
        let want = u64::from_le_bytes(m.try_into().expect("8 bytes")) & LOW6;
        let v = pack(max_bytes(spread(load48(r)), want));
        r.copy_from_slice(&v.to_le_bytes()[..GROUP]);
    }
}

/// PFMERGE's write step: raises every register of `s` (an HLL, sparse or
/// dense) to `max`, in register order (so a sparse one turns dense at the same
/// register as in Redis), and invalidates the cached cardinality. Errors of
/// single registers are ignored, as Redis ignores them: the sources were
/// validated when `max` was built.
pub fn store_max(s: &mut Vec<u8>, max: &[u8; REGISTERS], sparse_max: u64) {
    if s[4] == DENSE && s.len() == DENSE_SIZE {
        dense_store_max(&mut s[HDR_SIZE..], max);
        invalidate_cache(s);
        return;
    }
    let mut w = Sds::new(s);
    for (j, &m) in max.iter().enumerate() {
        if m != 0 {
            let _ = w.set(j, m, sparse_max);
        }
    }
    invalidate_cache(s);
}

/// The 16384 registers of a dense HLL's bytes, one per element.
pub fn dense_registers(s: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let regs = &s[HDR_SIZE..];
    (0..REGISTERS).map(move |i| dense_get(regs, i))
}

/// Redis's hllCount on an HLL [`is_hll`] accepted: the estimated cardinality
/// (ignoring the cache). Err for corrupted sparse registers.
pub fn count(s: &[u8]) -> Result<u64, Corrupt> {
    let mut histo = [0u64; 64];
    match s[4] {
        DENSE if s.len() == DENSE_SIZE => dense_histo(&s[HDR_SIZE..], &mut histo),
        SPARSE => sparse::histo(s, &mut histo)?,
        _ => return Err(Corrupt),
    }
    Ok(estimate(&histo))
}

/// The cardinality of registers held one per byte (PFCOUNT of several keys
/// merges into such an array).
pub fn count_raw(max: &[u8; REGISTERS]) -> u64 {
    let mut h = Histo::new();
    for w in max.chunks_exact(8) {
        h.add8(u64::from_le_bytes(w.try_into().expect("8 bytes")) & LOW6);
    }
    estimate(&h.total())
}

/// Register histogram of the dense registers, eight registers per six bytes.
fn dense_histo(regs: &[u8], histo: &mut [u64; 64]) {
    let mut h = Histo::new();
    for c in regs.chunks_exact(GROUP) {
        h.add8(spread(load48(c)));
    }
    for (t, x) in histo.iter_mut().zip(h.total()) {
        *t += x;
    }
}

/// A register histogram kept as four interleaved ones, so that consecutive
/// registers of equal value do not wait on each other's increment; a word of
/// eight zero registers (most of a small HLL) is one add, as in Redis's
/// hllRawRegHisto.
struct Histo([[u32; 64]; 4]);

impl Histo {
    fn new() -> Histo {
        Histo([[0; 64]; 4])
    }

    /// Eight registers, one per byte (each below 64).
    #[inline(always)]
    fn add8(&mut self, w: u64) {
        if w == 0 {
            self.0[0][0] += 8;
            return;
        }
        let b = w.to_le_bytes();
        for (k, &v) in b.iter().enumerate() {
            self.0[k & 3][v as usize] += 1;
        }
    }

    fn total(&self) -> [u64; 64] {
        let mut t = [0u64; 64];
        for h in &self.0 {
            for (x, &v) in t.iter_mut().zip(h) {
                *x += v as u64;
            }
        }
        t
    }
}

/// Ertl's sigma ("New cardinality estimation algorithms for HyperLogLog
/// sketches", arXiv:1702.01284), iterated to a fixed point as Redis does.
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let prev = z;
        z += x * y;
        y += y;
        if prev == z {
            return z;
        }
    }
}

/// Ertl's tau, likewise. `(1 - x)^2` is one product, as the C compiler turns
/// `pow(1 - x, 2)` into (an exact rewrite, so the result is the same double).
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let prev = z;
        y *= 0.5;
        let d = 1.0 - x;
        z -= d * d * y;
        if prev == z {
            return z / 3.0;
        }
    }
}

/// Ertl's improved estimator over the register histogram (Redis 7.0's
/// hllCount). Registers above Q+1 (only in corrupted dense data) are counted
/// nowhere, as in Redis.
fn estimate(histo: &[u64; 64]) -> u64 {
    let m = REGISTERS as f64;
    let mut z = m * tau((m - histo[Q + 1] as f64) / m);
    for j in (1..=Q).rev() {
        z += histo[j] as f64;
        z *= 0.5;
    }
    z += m * sigma(histo[0] as f64 / m);
    llround(ALPHA_INF * m * m / z)
}

/// C's `(uint64_t)(double)llroundl(x)` on x86-64: half away from zero; a value
/// outside `long long` (only from corrupted registers) is LLONG_MIN, whose
/// bits are 1 << 63.
fn llround(x: f64) -> u64 {
    const TWO_63: f64 = (1u64 << 63) as f64;
    let r = x.round();
    if (-TWO_63..TWO_63).contains(&r) {
        r as i64 as u64
    } else {
        1 << 63
    }
}

/// Redis's PFSELFTEST: the dense register accessors keep every value apart,
/// and the estimate of dense and sparse HLLs agrees and stays within 6
/// standard errors at 1, 10, ..., 10^7 elements. Err is the reply's text.
pub fn selftest(sparse_max: u64, mut rand: impl FnMut() -> u64) -> Result<(), String> {
    let mut dense = vec![0u8; DENSE_SIZE];
    dense[..4].copy_from_slice(MAGIC);
    let mut bytes = vec![0u8; REGISTERS];
    for _ in 0..1000 {
        for (i, b) in bytes.iter_mut().enumerate() {
            let r = (rand() & REGISTER_MAX as u64) as u8;
            *b = r;
            dense_put(&mut dense[HDR_SIZE..], i, r);
        }
        for (i, &b) in bytes.iter().enumerate() {
            let v = dense_get(&dense[HDR_SIZE..], i);
            if v != b {
                return Err(format!(
                    "ERR TESTFAILED Register {i} should be {b} but is {v}"
                ));
            }
        }
    }
    dense[HDR_SIZE..].fill(0);
    let mut sparse = new_sparse();
    let relerr = 1.04 / (REGISTERS as f64).sqrt();
    let mut checkpoint: u64 = 1;
    let seed = rand();
    for j in 1..=10_000_000u64 {
        let ele = (j ^ seed).to_le_bytes();
        let (index, cnt) = pat_len(&ele);
        dense_set(&mut dense[HDR_SIZE..], index, cnt);
        let _ = add(&mut sparse, &ele, sparse_max);
        if j != checkpoint {
            continue;
        }
        if j < sparse_max / 2 && sparse[4] != SPARSE {
            return Err("ERR TESTFAILED sparse encoding not used".into());
        }
        let card = count(&dense).unwrap_or(0);
        if count(&sparse) != Ok(card) {
            return Err("ERR TESTFAILED dense/sparse disagree".into());
        }
        let abserr = (checkpoint as i64 - card as i64).unsigned_abs();
        let maxerr = if j == 10 {
            // Collisions make a larger error at 10 statistically likely.
            1
        } else {
            (relerr * 6.0 * checkpoint as f64).ceil() as u64
        };
        if abserr > maxerr {
            return Err(format!(
                "ERR TESTFAILED Too big error. card:{checkpoint} abserr:{abserr}"
            ));
        }
        checkpoint *= 10;
    }
    Ok(())
}
