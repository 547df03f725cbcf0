//! The latency monitor (Redis's latency.c) and the per-command latency
//! histograms behind LATENCY HISTOGRAM.
//!
//! An *event* ("command", "fast-command") gets a sample whenever something took at
//! least `latency-monitor-threshold` milliseconds; each event keeps its last 160
//! samples, one per second at most (a later sample in the same second only raises
//! that second's value), plus its all-time maximum. LATENCY LATEST / HISTORY /
//! GRAPH / DOCTOR read them.
//!
//! The histograms count every command's execution time the way Redis's HDR
//! histogram reports it through a log-2 iterator starting at 1024 ns with two
//! significant digits: bucket k holds the calls that took at most
//! `2^(10+k) + 2^(3+k) - 1` ns, reported as that bound in µs (1, 2, 4, 8, 16, 33,
//! 66, 132, ...).

/// Samples kept per event (Redis's LATENCY_TS_LEN).
pub const TS_LEN: usize = 160;
/// Width of LATENCY GRAPH (Redis's LATENCY_GRAPH_COLS).
const GRAPH_COLS: usize = 80;
/// Histogram buckets: 1024 ns << 20 is past Redis's 1 s tracking limit.
const HIST_BUCKETS: usize = 21;
/// Redis's LATENCY_HISTOGRAM_{MIN,MAX}_VALUE, in ns.
const HIST_MAX_NS: u64 = 1_000_000_000;

#[derive(Clone, Copy, Debug, Default)]
pub struct Sample {
    /// Unix seconds; 0 = empty slot.
    pub time: i64,
    /// Milliseconds.
    pub latency: u64,
}

/// One event's ring of samples.
#[derive(Clone, Debug)]
pub struct TimeSeries {
    idx: usize,
    pub max: u64,
    samples: [Sample; TS_LEN],
}

impl TimeSeries {
    fn new() -> TimeSeries {
        TimeSeries {
            idx: 0,
            max: 0,
            samples: [Sample::default(); TS_LEN],
        }
    }

    /// Non-empty samples, oldest first.
    pub fn samples(&self) -> impl Iterator<Item = Sample> + '_ {
        (0..TS_LEN)
            .map(move |j| self.samples[(self.idx + j) % TS_LEN])
            .filter(|s| s.time != 0)
    }

    /// The most recent sample (empty if none).
    pub fn last(&self) -> Sample {
        self.samples[(self.idx + TS_LEN - 1) % TS_LEN]
    }
}

/// Statistics over an event's samples (Redis's latencyStats).
#[derive(Debug, Default, PartialEq)]
pub struct Stats {
    pub samples: u64,
    pub avg: u64,
    pub min: u64,
    pub max: u64,
    /// Mean absolute deviation from the average.
    pub mad: u64,
    /// Seconds since the oldest sample (at least 1 when there are samples).
    pub period: i64,
}

/// LATENCY HISTOGRAM's view of a command's histogram (the one INFO
/// latencystats uses): (upper bound in µs, cumulative count) for each log-2
/// bucket from 1024 ns where the count grows, as Redis's HDR log iterator.
pub fn histogram_cdf(h: &crate::info::latency::Histogram) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut prev = 0;
    for k in 0..HIST_BUCKETS {
        let bound = (1u64 << (10 + k)) + (1u64 << (3 + k)) - 1;
        let cum = h.count_le(bound.min(HIST_MAX_NS));
        if cum > prev {
            out.push((bound / 1000, cum));
            prev = cum;
        }
    }
    out
}

/// All latency data of the server.
#[derive(Debug, Default)]
pub struct Latency {
    /// Events in creation order.
    events: Vec<(String, Box<TimeSeries>)>,
}

impl Latency {
    /// Records `latency_ms` for `event` when monitoring is on (`threshold_ms` > 0)
    /// and the latency reaches the threshold (Redis's latencyAddSampleIfNeeded).
    pub fn add_sample_if_needed(
        &mut self,
        threshold_ms: u64,
        event: &str,
        latency_ms: u64,
        now: i64,
    ) {
        if threshold_ms > 0 && latency_ms >= threshold_ms {
            self.add_sample(event, latency_ms, now);
        }
    }

    /// Adds a sample at unix time `now`.
    pub fn add_sample(&mut self, event: &str, latency: u64, now: i64) {
        let pos = match self.events.iter().position(|(e, _)| e == event) {
            Some(p) => p,
            None => {
                self.events
                    .push((event.to_string(), Box::new(TimeSeries::new())));
                self.events.len() - 1
            }
        };
        let ts = &mut self.events[pos].1;
        ts.max = ts.max.max(latency);
        let prev = (ts.idx + TS_LEN - 1) % TS_LEN;
        if ts.samples[prev].time == now {
            ts.samples[prev].latency = ts.samples[prev].latency.max(latency);
            return;
        }
        ts.samples[ts.idx] = Sample { time: now, latency };
        ts.idx = (ts.idx + 1) % TS_LEN;
    }

    /// Deletes the data of `event` (case-insensitive), or of every event; returns
    /// how many were deleted.
    pub fn reset(&mut self, event: Option<&[u8]>) -> usize {
        let before = self.events.len();
        match event {
            None => self.events.clear(),
            Some(ev) => self
                .events
                .retain(|(e, _)| !e.as_bytes().eq_ignore_ascii_case(ev)),
        }
        before - self.events.len()
    }

    pub fn events(&self) -> impl Iterator<Item = (&str, &TimeSeries)> {
        self.events.iter().map(|(e, ts)| (e.as_str(), &**ts))
    }

    /// The series of an event (exact name).
    pub fn get(&self, event: &[u8]) -> Option<(&str, &TimeSeries)> {
        self.events().find(|(e, _)| e.as_bytes() == event)
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Average, min, max, mean deviation and period of an event's samples.
    pub fn analyze(ts: &TimeSeries, now: i64) -> Stats {
        let mut st = Stats::default();
        let mut sum = 0u64;
        let mut oldest = 0i64;
        for s in ts.samples() {
            st.samples += 1;
            if st.samples == 1 {
                st.min = s.latency;
                st.max = s.latency;
            } else {
                st.min = st.min.min(s.latency);
                st.max = st.max.max(s.latency);
            }
            sum += s.latency;
            if oldest == 0 || s.time < oldest {
                oldest = s.time;
            }
        }
        if st.samples == 0 {
            return st;
        }
        st.avg = sum / st.samples;
        st.period = (now - oldest).max(0);
        if st.period == 0 {
            st.period = 1;
        }
        let dev: u64 = ts
            .samples()
            .map(|s| (st.avg as i64 - s.latency as i64).unsigned_abs())
            .sum();
        st.mad = dev / st.samples;
        st
    }

    /// LATENCY GRAPH text for an event: a header, a rule, and a 4-row sparkline
    /// with "how long ago" labels under each sample.
    pub fn graph(event: &str, ts: &TimeSeries, now: i64) -> String {
        let mut values = Vec::new();
        let mut labels = Vec::new();
        let (mut min, mut max) = (0u64, 0u64);
        for s in ts.samples() {
            if values.is_empty() {
                min = s.latency;
                max = s.latency;
            } else {
                min = min.min(s.latency);
                max = max.max(s.latency);
            }
            let elapsed = now - s.time;
            labels.push(if elapsed < 60 {
                format!("{elapsed}s")
            } else if elapsed < 3600 {
                format!("{}m", elapsed / 60)
            } else if elapsed < 86400 {
                format!("{}h", elapsed / 3600)
            } else {
                format!("{}d", elapsed / 86400)
            });
            values.push(s.latency as f64);
        }
        let mut out = format!(
            "{event} - high {max} ms, low {min} ms (all time high {} ms)\n",
            ts.max
        );
        out.push_str(&"-".repeat(GRAPH_COLS));
        out.push('\n');
        sparkline(&mut out, &values, &labels, GRAPH_COLS, 4);
        out
    }
}

/// Renders a filled sparkline of `rows` rows, `cols` samples per band, with the
/// labels written vertically under the samples after one blank row (the layout
/// of Redis's sparkline.c with SPARKLINE_FILL).
fn sparkline(out: &mut String, values: &[f64], labels: &[String], cols: usize, rows: usize) {
    const FILL: [char; 3] = ['_', 'o', '#'];
    if values.is_empty() {
        return;
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut relmax = max - min;
    if relmax == 0.0 {
        relmax = 1.0;
    }
    let steps = (FILL.len() * rows) as i64;
    let has_labels = labels.iter().any(|l| !l.is_empty());
    let mut start = 0;
    while start < values.len() {
        if start != 0 {
            out.push('\n');
        }
        let len = (values.len() - start).min(cols);
        let mut row = 0usize;
        loop {
            let mut line = vec![' '; len];
            let mut more = false;
            for j in 0..len {
                let v = values[start + j];
                let scaled = ((v - min) * steps as f64).trunc();
                let step = ((scaled / relmax) as i64).clamp(0, steps - 1);
                if row < rows {
                    more = true;
                    let idx = step - ((rows - row - 1) * FILL.len()) as i64;
                    if (0..FILL.len() as i64).contains(&idx) {
                        line[j] = FILL[idx as usize];
                    } else if idx >= FILL.len() as i64 {
                        line[j] = '|';
                    }
                } else {
                    if has_labels && row - rows < 1 {
                        more = true;
                        break;
                    }
                    let label = labels[start + j].as_bytes();
                    let at = row - rows - 1;
                    if at < label.len() {
                        more = true;
                        line[j] = label[at] as char;
                    }
                }
            }
            if !more {
                break;
            }
            row += 1;
            out.extend(line);
            out.push('\n');
        }
        start += len;
    }
}

/// Bytes of anonymous huge pages in use by this process (from /proc/self/smaps).
pub fn anon_huge_pages_bytes() -> u64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/smaps") else {
        return 0;
    };
    s.lines()
        .filter_map(|l| l.strip_prefix("AnonHugePages:"))
        .filter_map(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .sum::<u64>()
        * 1024
}

/// What LATENCY DOCTOR needs to know about the configuration.
pub struct DoctorConfig {
    pub threshold_ms: u64,
    pub slowlog_log_slower_than: i64,
}

/// LATENCY DOCTOR's report (the texts of Redis's createLatencyReport for the
/// events oxidis records).
pub fn doctor(lat: &Latency, cfg: &DoctorConfig, now: i64) -> String {
    if lat.is_empty() && cfg.threshold_ms == 0 {
        return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n".to_string();
    }
    let mut r = String::new();
    let (mut slowlog_enable, mut slowlog_tuning, mut slowlog_inspect) = (false, false, false);
    let (mut scheduler, mut large_objects, mut thp) = (false, false, false);
    let mut advices = 0;
    let mut n = 0;
    for (event, ts) in lat.events() {
        n += 1;
        if n == 1 {
            r.push_str("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n");
        }
        let st = Latency::analyze(ts, now);
        r.push_str(&format!(
            "{n}. {event}: {} latency spikes (average {}ms, mean deviation {}ms, period {:.2} sec). Worst all time event {}ms.",
            st.samples,
            st.avg,
            st.mad,
            st.period as f64 / st.samples as f64,
            ts.max
        ));
        if event.eq_ignore_ascii_case("command") {
            if cfg.slowlog_log_slower_than < 0 {
                slowlog_enable = true;
                advices += 1;
            } else if (cfg.slowlog_log_slower_than / 1000) as u64 > cfg.threshold_ms {
                slowlog_tuning = true;
                advices += 1;
            }
            slowlog_inspect = true;
            large_objects = true;
            advices += 2;
        }
        if event.eq_ignore_ascii_case("fast-command") {
            scheduler = true;
            advices += 1;
        }
        r.push('\n');
    }
    if anon_huge_pages_bytes() > 0 {
        thp = true;
        advices += 1;
    }
    if n == 0 && advices == 0 {
        r.push_str("Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n");
        return r;
    }
    if advices == 0 {
        r.push_str("\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n");
        return r;
    }
    let want = cfg.threshold_ms * 1000;
    r.push_str("\nI have a few advices for you:\n\n");
    if slowlog_enable {
        r.push_str(&format!("- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than {want}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n"));
    }
    if slowlog_tuning {
        r.push_str(&format!("- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than {want}'.\n"));
    }
    if slowlog_inspect {
        r.push_str("- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n");
    }
    if scheduler {
        r.push_str("- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n  1) Lower the system load.\n  2) Use a computer / VM just for Redis if you are running other software in the same system.\n  3) Check if you have a \"noisy neighbour\" problem.\n  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n");
    }
    if large_objects {
        r.push_str("- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n");
    }
    if thp {
        r.push_str("- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n");
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_merge_within_a_second_and_wrap() {
        let mut l = Latency::default();
        l.add_sample_if_needed(0, "command", 100, 10);
        assert!(l.is_empty());
        l.add_sample_if_needed(10, "command", 5, 10);
        assert!(l.is_empty());
        l.add_sample_if_needed(10, "command", 20, 10);
        l.add_sample_if_needed(10, "command", 30, 10);
        l.add_sample_if_needed(10, "command", 25, 10);
        let (_, ts) = l.get(b"command").unwrap();
        assert_eq!(ts.samples().count(), 1);
        assert_eq!(ts.last().latency, 30);
        for t in 11..400 {
            l.add_sample("command", 40, t);
        }
        let (_, ts) = l.get(b"command").unwrap();
        assert_eq!(ts.samples().count(), TS_LEN);
        assert_eq!(ts.samples().next().unwrap().time, 400 - TS_LEN as i64);
        assert_eq!(l.reset(Some(b"COMMAND")), 1);
        assert!(l.is_empty());
    }

    #[test]
    fn graph_matches_redis_layout() {
        let mut l = Latency::default();
        l.add_sample("command", 50, 100);
        let (e, ts) = l.get(b"command").unwrap();
        let g = Latency::graph(e, ts, 100);
        let want = format!(
            "command - high 50 ms, low 50 ms (all time high 50 ms)\n{}\n \n \n \n_\n \n0\ns\n",
            "-".repeat(80)
        );
        assert_eq!(g, want);
    }

    #[test]
    fn analyze_stats() {
        let mut l = Latency::default();
        l.add_sample("e", 10, 100);
        l.add_sample("e", 30, 101);
        let (_, ts) = l.get(b"e").unwrap();
        let st = Latency::analyze(ts, 104);
        assert_eq!(
            st,
            Stats {
                samples: 2,
                avg: 20,
                min: 10,
                max: 30,
                mad: 10,
                period: 4
            }
        );
    }

    #[test]
    fn histogram_buckets_like_hdr() {
        let mut h = crate::info::latency::Histogram::default();
        for us in [0u64, 1, 2, 3, 10, 20, 100] {
            h.record(us * 1000);
        }
        assert_eq!(
            histogram_cdf(&h),
            vec![(1, 2), (2, 3), (4, 4), (16, 5), (33, 6), (132, 7)]
        );
    }
}
