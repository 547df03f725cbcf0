//! Redis's LFU counter, kept in the 24-bit clock word of every entry while an
//! LFU `maxmemory-policy` is selected:
//!
//! ```text
//!   23                8 7        0
//!  +-------------------+----------+
//!  | last decrement    | log      |
//!  | time (minutes,16) | counter  |
//!  +-------------------+----------+
//! ```
//!
//! The counter grows logarithmically (`lfu-log-factor`) and loses one for each
//! `lfu-decay-time` minutes without access, as in Redis's evict.c.

/// Counter of a new key, so it is not evicted before it had a chance to be used.
pub const LFU_INIT_VAL: u32 = 5;

/// The LFU settings and the current time, copied into each database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lfu {
    pub log_factor: u32,
    pub decay_time: u32,
}

/// Minutes on the 16-bit LFU clock for a Unix time in ms.
#[inline]
pub fn minutes(now_ms: i64) -> u32 {
    ((now_ms / 60_000) as u64 & 0xFFFF) as u32
}

/// The word of a key created at `now_ms`.
#[inline]
pub fn initial(now_ms: i64) -> u32 {
    (minutes(now_ms) << 8) | LFU_INIT_VAL
}

/// Minutes since `ldt`, wrapping around the 16-bit clock.
fn elapsed(now_min: u32, ldt: u32) -> u32 {
    if now_min >= ldt {
        now_min - ldt
    } else {
        65535 - ldt + now_min
    }
}

/// The counter after decay (Redis's LFUDecrAndReturn); what OBJECT FREQ shows.
pub fn decayed(word: u32, cfg: Lfu, now_ms: i64) -> u32 {
    let ldt = (word >> 8) & 0xFFFF;
    let counter = word & 0xFF;
    let periods = elapsed(minutes(now_ms), ldt)
        .checked_div(cfg.decay_time)
        .unwrap_or(0);
    counter.saturating_sub(periods)
}

/// Logarithmic increment: the higher the counter, the less likely it grows.
/// `rand` is uniform in [0, 1).
pub fn log_incr(counter: u32, cfg: Lfu, rand: f64) -> u32 {
    if counter >= 255 {
        return 255;
    }
    let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
    let p = 1.0 / (base * cfg.log_factor as f64 + 1.0);
    if rand < p {
        counter + 1
    } else {
        counter
    }
}

/// The word after an access at `now_ms` (Redis's updateLFU).
pub fn on_access(word: u32, cfg: Lfu, now_ms: i64, rand: f64) -> u32 {
    let counter = log_incr(decayed(word, cfg, now_ms), cfg, rand);
    (minutes(now_ms) << 8) | counter
}

/// The word for a key restored or loaded with frequency `freq` (RESTORE FREQ,
/// the RDB FREQ opcode).
pub fn with_freq(freq: u8, now_ms: i64) -> u32 {
    (minutes(now_ms) << 8) | freq as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: Lfu = Lfu {
        log_factor: 10,
        decay_time: 1,
    };

    #[test]
    fn new_keys_start_at_five() {
        assert_eq!(decayed(initial(1_000_000), CFG, 1_000_000), 5);
    }

    #[test]
    fn counter_decays_one_per_period() {
        let t0 = 60_000 * 1000;
        let w = initial(t0);
        assert_eq!(decayed(w, CFG, t0 + 59_999), 5);
        assert_eq!(decayed(w, CFG, t0 + 3 * 60_000), 2);
        assert_eq!(decayed(w, CFG, t0 + 30 * 60_000), 0);
        let no_decay = Lfu {
            decay_time: 0,
            ..CFG
        };
        assert_eq!(decayed(w, no_decay, t0 + 30 * 60_000), 5);
        // The 16-bit minute clock wraps; Redis's LFUTimeElapsed counts
        // 65535 -> 1 as one minute (65535 - ldt + now), and so do we.
        let late = 65_535 * 60_000;
        assert_eq!(decayed(initial(late), CFG, late + 2 * 60_000), 4);
    }

    #[test]
    fn increments_are_logarithmic() {
        // At or below LFU_INIT_VAL every access counts.
        assert_eq!(log_incr(5, CFG, 0.999), 6);
        // Above it the chance is 1 / ((c - 5) * factor + 1).
        assert_eq!(log_incr(15, CFG, 1.0 / 101.0 - 1e-9), 16);
        assert_eq!(log_incr(15, CFG, 1.0 / 101.0 + 1e-9), 15);
        assert_eq!(log_incr(255, CFG, 0.0), 255);
        // Many accesses reach Redis's table (redis.conf): 100 hits give
        // about 10 with factor 10.
        let mut c = 5;
        let mut x: u64 = 88172645463325252;
        for _ in 0..100 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            c = log_incr(c, CFG, (x >> 11) as f64 / (1u64 << 53) as f64);
        }
        assert!((8..=13).contains(&c), "{c}");
    }
}
