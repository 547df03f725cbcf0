//! A small HDR-style latency histogram, as Redis keeps per command for INFO
//! latencystats: values in nanoseconds from 1 ns to 1 s, two significant
//! digits (256 sub-buckets per power of two, so any value is reported as the
//! highest value of its bucket, within 1/128 of what was recorded).

/// Sub-buckets per bucket (2 significant decimal digits round up to 256).
const SUB_BUCKETS: usize = 256;
const HALF: usize = SUB_BUCKETS / 2;
/// log2(HALF).
const HALF_MAGNITUDE: u32 = 7;
/// Largest value tracked; bigger ones are clamped to it.
const HIGHEST: u64 = 1_000_000_000;
/// Buckets needed to reach HIGHEST: 256 << 22 > 1e9.
const BUCKETS: usize = 23;

#[derive(Debug, Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; (BUCKETS + 1) * HALF],
            total: 0,
        }
    }
}

/// (bucket, sub-bucket) of a value.
fn indexes(v: u64) -> (usize, usize) {
    let pow2ceiling = 64 - (v | (SUB_BUCKETS as u64 - 1)).leading_zeros();
    let bucket = (pow2ceiling - (HALF_MAGNITUDE + 1)) as usize;
    let sub = (v >> bucket) as usize;
    (bucket, sub)
}

fn counts_index(bucket: usize, sub: usize) -> usize {
    ((bucket + 1) << HALF_MAGNITUDE) + sub - HALF
}

/// Highest value that falls in the same bucket as the one at `idx`.
fn highest_equivalent(idx: usize) -> u64 {
    let mut bucket = (idx >> HALF_MAGNITUDE) as i64 - 1;
    let mut sub = (idx & (HALF - 1)) + HALF;
    if bucket < 0 {
        sub -= HALF;
        bucket = 0;
    }
    let lowest = (sub as u64) << bucket;
    lowest + (1u64 << bucket) - 1
}

impl Histogram {
    /// Records one value (ns).
    pub fn record(&mut self, v: u64) {
        let v = v.clamp(1, HIGHEST);
        let (b, s) = indexes(v);
        let i = counts_index(b, s);
        if let Some(c) = self.counts.get_mut(i) {
            *c += 1;
            self.total += 1;
        }
    }

    /// Number of recorded values.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Recorded values whose bucket lies entirely at or below `ns`.
    pub fn count_le(&self, ns: u64) -> u64 {
        self.counts
            .iter()
            .enumerate()
            .filter(|(i, _)| highest_equivalent(*i) <= ns)
            .map(|(_, c)| c)
            .sum()
    }

    /// The value (ns) at percentile `p` (0..=100), as hdr_value_at_percentile.
    pub fn value_at_percentile(&self, p: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let want = ((p.min(100.0) / 100.0) * self.total as f64 + 0.5) as u64;
        let want = want.max(1);
        let mut seen = 0;
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= want {
                return highest_equivalent(i);
            }
        }
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_match_redis_output() {
        // Redis prints these for single calls of 1, 2, 10 and 220 us.
        for (us, shown) in [
            (1, 1003),
            (2, 2007),
            (10, 10047),
            (220, 220159),
            (17, 17023),
        ] {
            let mut h = Histogram::default();
            h.record(us * 1000);
            assert_eq!(h.value_at_percentile(50.0), shown, "{us}us");
        }
        let mut h = Histogram::default();
        for v in 1..=100u64 {
            h.record(v * 1000);
        }
        assert_eq!(h.value_at_percentile(50.0) / 1000, 50);
        assert_eq!(h.value_at_percentile(99.0) / 1000, 99);
        assert_eq!(h.value_at_percentile(100.0) / 1000, 100);
    }
}
