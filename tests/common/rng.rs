//! A tiny deterministic PRNG for the fuzzers (xorshift64*): the same seed gives the
//! same cases on every machine, so a failure found in CI can be replayed.

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True `percent` times out of a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }

    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len() as u64) as usize]
    }
}

/// The fuzzers' seed: `OXIDIS_FUZZ_SEED` (decimal or 0x-hex) or `default`.
pub fn fuzz_seed(default: u64) -> u64 {
    match std::env::var("OXIDIS_FUZZ_SEED") {
        Ok(s) if !s.trim().is_empty() => {
            let s = s.trim();
            let parsed = match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("OXIDIS_FUZZ_SEED={s} is not a number"))
        }
        _ => default,
    }
}

/// The fuzzers' time budget: `OXIDIS_FUZZ_SECS` when set (a longer run from
/// `scripts/fuzz`), else `None` (the fixed CI case count applies).
pub fn fuzz_secs() -> Option<std::time::Duration> {
    let s = std::env::var("OXIDIS_FUZZ_SECS").ok()?;
    let n: u64 = s
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("OXIDIS_FUZZ_SECS={s} is not a number"));
    Some(std::time::Duration::from_secs(n))
}
