//! The busy-poll policy (`busy-poll`): how long the event loop goes on polling
//! without sleeping once it has run out of work.
//!
//! A request that arrives while the loop polls is served without the wake-up
//! of a sleeping thread (an IPI, and in a VM an exit, paid partly by the
//! client's send), which at pipeline depth 1 costs more than the request. But
//! every microsecond spent polling is a microsecond of CPU: a loop that spins
//! 200 us after each request keeps a whole core busy under a steady 5,000
//! requests/s, where Redis, which always sleeps, uses a sixth of one.
//!
//! - `no`: never spin, as Redis.
//! - `yes`: spin for a window adapted to the gaps between requests, 25-200 us
//!   (the fastest at depth 1; for a host that gives the server its own core).
//! - `auto` (the default): spin only while it pays for itself. A spin of
//!   `AUTO_WINDOW` that a request ends after `gap` costs `gap` of CPU and
//!   saves a sleep and a wake-up (`WAKE_COST`); one that runs out costs
//!   `AUTO_WINDOW` for nothing. Every gap between requests is scored that way,
//!   whether the loop spun through it or slept, and the loop spins while the
//!   running average says spinning would have saved CPU. So under a load whose
//!   gaps are longer than a wake-up (a few thousand requests/s, one client) the
//!   loop sleeps as Redis does, and under back-to-back requests (many clients,
//!   depth 1) it stays awake, which is then the cheaper of the two as well.

use std::time::Duration;

use crate::config::BusyPollMode;

/// `yes`: the bounds of the adaptive window.
pub(super) const ADAPTIVE_MIN: Duration = Duration::from_micros(25);
pub(super) const ADAPTIVE_MAX: Duration = Duration::from_micros(200);
/// While busy-polling, the pause after a poll that found nothing. Each
/// epoll_wait takes the epoll instance's lock, which a client's send on
/// another CPU needs to queue its event (loopback delivers in the sender's
/// context): polling back to back makes every client pay for that contention.
pub(super) const GAP: Duration = Duration::from_micros(5);
/// `auto`: how long the loop spins when spinning pays.
const AUTO_WINDOW: Duration = Duration::from_micros(10);
/// `auto`: the server CPU a blocking epoll_wait costs when a request ends it
/// soon after (the switch out and back in, cold caches after it). Measured
/// on the benchmark machine as the difference in server CPU per request
/// between `no` and a spin that covers the gap (BENCHMARKS.md).
const WAKE_COST: Duration = Duration::from_micros(10);
/// `auto`: weight of the newest gap in the running average (1/2^SHIFT).
const PAYOFF_SHIFT: u32 = 3;

pub(super) struct BusyPoll {
    /// `yes`: the window, adapted to the gaps between requests: a sleep that
    /// ended with a request soon after (within `ADAPTIVE_MAX`) would have been
    /// avoided by a longer window, so the window grows to cover it; a sleep
    /// that lasted much longer means the spin before it was wasted, so it
    /// shrinks. A steady stream of requests keeps the loop awake; a trickle
    /// costs at most `ADAPTIVE_MIN` of spinning per request.
    adaptive: Duration,
    /// `auto`: the running average of what spinning for `AUTO_WINDOW` saved
    /// (positive) or cost (negative) over sleeping at once, per gap, in ns.
    payoff: i64,
}

impl BusyPoll {
    pub(super) fn new() -> BusyPoll {
        BusyPoll {
            adaptive: ADAPTIVE_MIN,
            payoff: 0,
        }
    }

    /// How long after running out of work the loop polls without sleeping.
    pub(super) fn window(&self, mode: BusyPollMode) -> Duration {
        match mode {
            BusyPollMode::No => Duration::ZERO,
            BusyPollMode::Yes => self.adaptive,
            BusyPollMode::Auto if self.payoff > 0 => AUTO_WINDOW,
            BusyPollMode::Auto => Duration::ZERO,
        }
    }

    /// Events came `gap` after the loop ran out of work; `slept` is how long
    /// the poll that returned them blocked (None: it did not block). Both
    /// policies learn whatever the mode, so CONFIG SET switches to a warm one.
    pub(super) fn woke(&mut self, gap: Duration, slept: Option<Duration>) {
        if let Some(slept) = slept {
            if slept <= ADAPTIVE_MAX {
                // The gap was the window plus the sleep; cover it with a margin.
                self.adaptive = ((self.adaptive + slept) * 5 / 4).min(ADAPTIVE_MAX);
            } else if slept > 4 * ADAPTIVE_MAX {
                self.adaptive = (self.adaptive / 2).max(ADAPTIVE_MIN);
            }
        }
        let saved = if gap <= AUTO_WINDOW {
            WAKE_COST.as_nanos() as i64 - gap.as_nanos() as i64
        } else {
            -(AUTO_WINDOW.as_nanos() as i64)
        };
        self.payoff += (saved - self.payoff) >> PAYOFF_SHIFT;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(n: u64) -> Duration {
        Duration::from_micros(n)
    }

    #[test]
    fn adaptive_window_follows_the_gaps_between_requests() {
        let mut b = BusyPoll::new();
        let w = |b: &BusyPoll| b.window(BusyPollMode::Yes);
        assert_eq!(w(&b), ADAPTIVE_MIN);
        // A request 40 us into the sleep: the gap was 25 + 40 us; cover it.
        b.woke(us(65), Some(us(40)));
        assert_eq!(w(&b), (ADAPTIVE_MIN + us(40)) * 5 / 4);
        // Short gaps never shrink it, and it never passes the maximum.
        let before = w(&b);
        b.woke(us(1), Some(us(1)));
        assert!(w(&b) >= before);
        for _ in 0..10 {
            b.woke(us(300), Some(us(150)));
        }
        assert_eq!(w(&b), ADAPTIVE_MAX);
        // A request caught while spinning leaves it alone.
        b.woke(us(3), None);
        assert_eq!(w(&b), ADAPTIVE_MAX);
        // Sleeps between the maximum and four times it leave it alone.
        b.woke(us(700), Some(us(500)));
        assert_eq!(w(&b), ADAPTIVE_MAX);
        // Long sleeps (a trickle of requests) halve it, down to the minimum.
        b.woke(us(5_200), Some(us(5_000)));
        assert_eq!(w(&b), ADAPTIVE_MAX / 2);
        for _ in 0..10 {
            b.woke(Duration::from_millis(100), Some(Duration::from_millis(100)));
        }
        assert_eq!(w(&b), ADAPTIVE_MIN);
    }

    #[test]
    fn no_never_spins() {
        let mut b = BusyPoll::new();
        for _ in 0..100 {
            b.woke(us(1), None);
        }
        assert_eq!(b.window(BusyPollMode::No), Duration::ZERO);
        assert!(b.window(BusyPollMode::Yes) > Duration::ZERO);
    }

    #[test]
    fn auto_spins_only_while_the_gaps_are_shorter_than_a_wake_up() {
        let auto = |b: &BusyPoll| b.window(BusyPollMode::Auto);
        let mut b = BusyPoll::new();
        // A fresh loop sleeps.
        assert_eq!(auto(&b), Duration::ZERO);
        // Back-to-back requests (many clients at depth 1): spin.
        for _ in 0..4 {
            b.woke(us(2), Some(us(2)));
        }
        assert_eq!(auto(&b), AUTO_WINDOW);
        // A steady 5,000 requests/s from one client: 200 us gaps, each a spin
        // for nothing. Within a few of them the loop sleeps at once, and stays
        // so however long the load lasts.
        let mut spun_for_nothing = 0;
        for _ in 0..1_000 {
            if auto(&b) > Duration::ZERO {
                spun_for_nothing += 1;
            }
            b.woke(us(200), Some(us(190)));
        }
        assert!(spun_for_nothing <= 8, "{spun_for_nothing}");
        assert_eq!(auto(&b), Duration::ZERO);
        // 50,000 requests/s: 20 us gaps, still longer than a wake-up costs.
        for _ in 0..1_000 {
            b.woke(us(20), Some(us(20)));
        }
        assert_eq!(auto(&b), Duration::ZERO);
        // A mix of mostly short gaps with a long one now and then (one
        // client's reply parsed while others' requests are in flight): the
        // short ones pay for the long ones, spin.
        for i in 0..1_000 {
            let gap = if i % 4 == 0 { us(100) } else { us(2) };
            b.woke(gap, None);
        }
        assert_eq!(auto(&b), AUTO_WINDOW);
        // The load stops: a long sleep or two and the loop sleeps at once.
        b.woke(Duration::from_millis(100), Some(Duration::from_millis(100)));
        b.woke(Duration::from_millis(100), Some(Duration::from_millis(100)));
        b.woke(Duration::from_millis(100), Some(Duration::from_millis(100)));
        assert_eq!(auto(&b), Duration::ZERO);
    }
}
