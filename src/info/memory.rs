//! Memory accounting for INFO memory, MEMORY STATS and MEMORY DOCTOR.
//!
//! `used_memory` is Redis's zmalloc counter: the size classes of the live
//! allocations, summed over threads (crate::alloc), cheap enough for the
//! maxmemory check before every command. The `allocator_*` fields are
//! jemalloc's own statistics, refreshed only when INFO or MEMORY asks. The
//! RSS comes from `/proc/self/statm`.

use crate::server::Server;

/// The allocator name INFO shows (`mem_allocator`).
pub fn allocator_name() -> String {
    crate::alloc::name()
}

/// Memory the server remembers between INFO calls.
#[derive(Debug, Default, Clone)]
pub struct MemState {
    /// used_memory right after start-up (Redis's `used_memory_startup`).
    pub startup: u64,
    /// Highest used_memory seen (cron samples it, INFO/MEMORY refresh it).
    pub peak: u64,
    /// When the peak was reached (ms), for MEMORY DOCTOR's peak report.
    pub peak_time_ms: i64,
}

impl MemState {
    pub fn record_startup(&mut self) {
        let used = used_memory();
        self.startup = used;
        self.peak = used;
    }

    /// Raises the peak to `used` when higher.
    pub fn track(&mut self, used: u64, now_ms: i64) {
        if used > self.peak {
            self.peak = used;
            self.peak_time_ms = now_ms;
        }
    }
}

/// What the allocator reports, in bytes.
pub use crate::alloc::Stats as AllocatorInfo;

/// Reads the allocator's counters.
pub fn allocator() -> AllocatorInfo {
    crate::alloc::stats()
}

/// Redis's `used_memory`.
#[inline]
pub fn used_memory() -> u64 {
    crate::alloc::used_memory()
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 {
        p as u64
    } else {
        4096
    }
}

/// Resident set size of the process (used_memory_rss).
pub fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map(|pages| pages * page_size())
        .unwrap_or(0)
}

/// Physical memory of the machine (total_system_memory).
pub fn total_system_memory() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let pages = unsafe { libc::sysconf(libc::_SC_PHYS_PAGES) };
    if pages > 0 {
        pages as u64 * page_size()
    } else {
        0
    }
}

/// Redis's `bytesToHuman`.
pub fn bytes_to_human(n: u64) -> String {
    const K: f64 = 1024.0;
    let d = n as f64;
    if n < 1024 {
        format!("{n}B")
    } else if n < 1 << 20 {
        format!("{:.2}K", d / K)
    } else if n < 1 << 30 {
        format!("{:.2}M", d / K / K)
    } else if n < 1 << 40 {
        format!("{:.2}G", d / K / K / K)
    } else if n < 1 << 50 {
        format!("{:.2}T", d / K / K / K / K)
    } else if n < 1 << 60 {
        format!("{:.2}P", d / K / K / K / K / K)
    } else {
        format!("{n}B")
    }
}

/// Per-database overhead (MEMORY STATS `db.N`).
#[derive(Debug, Clone, Copy)]
pub struct DbOverhead {
    pub id: usize,
    pub main: u64,
    pub expires: u64,
}

/// Redis's `redisMemOverhead`: where the memory goes.
#[derive(Debug, Clone, Default)]
pub struct Overhead {
    pub peak_allocated: u64,
    pub total_allocated: u64,
    pub startup_allocated: u64,
    pub repl_backlog: u64,
    pub clients_slaves: u64,
    pub clients_normal: u64,
    pub cluster_links: u64,
    pub aof_buffer: u64,
    pub lua_caches: u64,
    pub functions_caches: u64,
    pub overhead_total: u64,
    pub dataset: u64,
    pub total_keys: u64,
    pub bytes_per_key: u64,
    pub dataset_perc: f64,
    pub peak_perc: f64,
    pub allocator_allocated: u64,
    pub allocator_active: u64,
    pub allocator_resident: u64,
    pub allocator_frag: f64,
    pub allocator_frag_bytes: i64,
    pub allocator_rss: f64,
    pub allocator_rss_bytes: i64,
    pub rss_extra: f64,
    pub rss_extra_bytes: i64,
    pub total_frag: f64,
    pub total_frag_bytes: i64,
    pub rss: u64,
    pub dbs: Vec<DbOverhead>,
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Memory held by one client's buffers and struct.
pub fn client_memory(c: &crate::client::Client) -> u64 {
    c.mem_usage() as u64
}

/// Computes the overhead breakdown (Redis's getMemoryOverheadData). `cur` is
/// the client running the command, which is out of the client table.
pub fn overhead(srv: &Server, cur: Option<&crate::client::Client>) -> Overhead {
    let alloc = allocator();
    let used = used_memory();
    let rss = rss();
    let peak = srv.mem.peak.max(used);
    let mut m = Overhead {
        peak_allocated: peak,
        total_allocated: used,
        startup_allocated: srv.mem.startup,
        rss,
        ..Default::default()
    };
    let mut mem = m.startup_allocated;
    // Exact rather than Redis's incremental figure: a pass over the clients
    // costs INFO microseconds even with 10,000 of them.
    for c in srv.clients.all(cur) {
        if crate::client::repl::is_replica(c) {
            m.clients_slaves += client_memory(c);
        } else {
            m.clients_normal += client_memory(c);
        }
    }
    // The backlog's blocks, and the stream of the current iteration before it
    // is copied to the replicas' output buffers (there is no buffer shared
    // between the backlog and the replicas).
    m.repl_backlog = (srv.repl.buffer.capacity()
        + srv.repl.backlog.as_ref().map_or(0, |b| b.allocated())) as u64;
    mem += m.clients_normal + m.clients_slaves + m.repl_backlog;
    for db in &srv.dbs {
        if db.is_empty() {
            continue;
        }
        let main = db.table().overhead_bytes() as u64;
        m.dbs.push(DbOverhead {
            id: db.id,
            main,
            expires: 0,
        });
        mem += main;
        m.total_keys += db.len() as u64;
    }
    m.overhead_total = mem;
    m.dataset = used.saturating_sub(mem);
    let net = used.saturating_sub(m.startup_allocated);
    m.bytes_per_key = net.checked_div(m.total_keys).unwrap_or(0);
    m.dataset_perc = m.dataset as f64 * 100.0 / net.max(1) as f64;
    m.peak_perc = used as f64 * 100.0 / peak.max(1) as f64;
    m.allocator_allocated = alloc.allocated;
    m.allocator_active = alloc.active.max(alloc.allocated);
    m.allocator_resident = alloc.resident.max(m.allocator_active);
    m.allocator_frag = ratio(m.allocator_active, m.allocator_allocated);
    m.allocator_frag_bytes = m.allocator_active as i64 - m.allocator_allocated as i64;
    m.allocator_rss = ratio(m.allocator_resident, m.allocator_active);
    m.allocator_rss_bytes = m.allocator_resident as i64 - m.allocator_active as i64;
    m.rss_extra = ratio(rss, m.allocator_resident);
    m.rss_extra_bytes = rss as i64 - m.allocator_resident as i64;
    m.total_frag = ratio(rss, used);
    m.total_frag_bytes = rss as i64 - used as i64;
    m
}

/// MEMORY DOCTOR's report (Redis's getMemoryDoctorReport).
pub fn doctor_report(srv: &Server, cur: Option<&crate::client::Client>) -> String {
    let m = overhead(srv, cur);
    let mut reports = 0;
    let empty = m.total_allocated < 5 << 20;
    let (mut big_peak, mut high_frag, mut high_alloc_frag) = (false, false, false);
    let (mut high_alloc_rss, mut high_proc_rss, mut big_client_buf) = (false, false, false);
    if empty {
        reports += 1;
    } else {
        let flag = |b: bool, reports: &mut u32| {
            if b {
                *reports += 1;
            }
            b
        };
        big_peak = flag(
            m.peak_allocated as f32 / m.total_allocated as f32 > 1.5,
            &mut reports,
        );
        high_frag = flag(
            m.total_frag > 1.4 && m.total_frag_bytes > 10 << 20,
            &mut reports,
        );
        high_alloc_frag = flag(
            m.allocator_frag > 1.1 && m.allocator_frag_bytes > 10 << 20,
            &mut reports,
        );
        high_alloc_rss = flag(
            m.allocator_rss > 1.1 && m.allocator_rss_bytes > 10 << 20,
            &mut reports,
        );
        high_proc_rss = flag(
            m.rss_extra > 1.1 && m.rss_extra_bytes > 10 << 20,
            &mut reports,
        );
        let nclients = srv.connected_clients().max(1) as u64;
        big_client_buf = flag(m.clients_normal / nclients > 1024 * 200, &mut reports);
    }
    if reports == 0 {
        return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n".into();
    }
    if empty {
        return "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n".into();
    }
    let mut s =
        String::from("Sam, I detected a few issues in this Redis instance memory implants:\n\n");
    if big_peak {
        s.push_str(" * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n");
    }
    if high_frag {
        s.push_str(&format!(" * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is \"{}\".\n\n", allocator_name()));
    }
    if high_alloc_frag {
        s.push_str(" * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.\n\n");
    }
    if high_alloc_rss {
        s.push_str(" * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), you can try the MEMORY PURGE command to reclaim it.\n\n");
    }
    if high_proc_rss {
        s.push_str(" * High process RSS overhead: This instance has non-allocator RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the Redis process is much larger than the RSS the allocator holds). This problem may be due to Lua scripts or Modules.\n\n");
    }
    if big_client_buf {
        s.push_str(" * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n");
    }
    s.push_str("I'm here to keep you safe, Sam. I want to help you.\n");
    s
}

/// The `# Memory` section.
pub fn memory_section(srv: &Server, cur: Option<&crate::client::Client>, o: &mut String) {
    use std::fmt::Write;
    let m = overhead(srv, cur);
    let h = bytes_to_human;
    let used = m.total_allocated;
    let maxmemory = srv.config.maxmemory;
    let policy = srv.config.maxmemory_policy.name();
    let lazy_pending = srv
        .lazyfree
        .pending
        .load(std::sync::atomic::Ordering::Relaxed);
    let lazy_freed = srv
        .lazyfree
        .freed
        .load(std::sync::atomic::Ordering::Relaxed);
    let total_sys = total_system_memory();
    let _ = write!(
        o,
        "# Memory\r\n\
         used_memory:{used}\r\n\
         used_memory_human:{}\r\n\
         used_memory_rss:{rss}\r\n\
         used_memory_rss_human:{}\r\n\
         used_memory_peak:{peak}\r\n\
         used_memory_peak_human:{}\r\n\
         used_memory_peak_perc:{:.2}%\r\n\
         used_memory_overhead:{}\r\n\
         used_memory_startup:{}\r\n\
         used_memory_dataset:{}\r\n\
         used_memory_dataset_perc:{:.2}%\r\n\
         allocator_allocated:{}\r\n\
         allocator_active:{}\r\n\
         allocator_resident:{}\r\n\
         total_system_memory:{total_sys}\r\n\
         total_system_memory_human:{}\r\n\
         used_memory_lua:0\r\n\
         used_memory_vm_eval:0\r\n\
         used_memory_lua_human:0B\r\n\
         used_memory_scripts_eval:0\r\n\
         number_of_cached_scripts:0\r\n\
         number_of_functions:0\r\n\
         number_of_libraries:0\r\n\
         used_memory_vm_functions:0\r\n\
         used_memory_vm_total:0\r\n\
         used_memory_vm_total_human:0B\r\n\
         used_memory_functions:0\r\n\
         used_memory_scripts:0\r\n\
         used_memory_scripts_human:0B\r\n\
         maxmemory:{maxmemory}\r\n\
         maxmemory_human:{}\r\n\
         maxmemory_policy:{policy}\r\n\
         allocator_frag_ratio:{:.2}\r\n\
         allocator_frag_bytes:{}\r\n\
         allocator_rss_ratio:{:.2}\r\n\
         allocator_rss_bytes:{}\r\n\
         rss_overhead_ratio:{:.2}\r\n\
         rss_overhead_bytes:{}\r\n\
         mem_fragmentation_ratio:{:.2}\r\n\
         mem_fragmentation_bytes:{}\r\n\
         mem_not_counted_for_evict:{}\r\n\
         mem_replication_backlog:{}\r\n\
         mem_total_replication_buffers:{}\r\n\
         mem_clients_slaves:{}\r\n\
         mem_clients_normal:{}\r\n\
         mem_cluster_links:0\r\n\
         mem_aof_buffer:0\r\n\
         mem_allocator:{}\r\n\
         active_defrag_running:0\r\n\
         lazyfree_pending_objects:{lazy_pending}\r\n\
         lazyfreed_objects:{lazy_freed}\r\n",
        h(used),
        h(m.rss),
        h(m.peak_allocated),
        m.peak_perc,
        m.overhead_total,
        m.startup_allocated,
        m.dataset,
        m.dataset_perc,
        m.allocator_allocated,
        m.allocator_active,
        m.allocator_resident,
        h(total_sys),
        h(maxmemory),
        m.allocator_frag,
        m.allocator_frag_bytes,
        m.allocator_rss,
        m.allocator_rss_bytes,
        m.rss_extra,
        m.rss_extra_bytes,
        m.total_frag,
        m.total_frag_bytes,
        crate::evict::not_counted(srv, cur),
        m.repl_backlog,
        m.repl_backlog + m.clients_slaves,
        m.clients_slaves,
        m.clients_normal,
        allocator_name(),
        rss = m.rss,
        peak = m.peak_allocated,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes_as_redis() {
        assert_eq!(bytes_to_human(0), "0B");
        assert_eq!(bytes_to_human(1023), "1023B");
        assert_eq!(bytes_to_human(990760), "967.54K");
        assert_eq!(bytes_to_human(6803456), "6.49M");
        assert_eq!(bytes_to_human(25276063744), "23.54G");
    }

    #[test]
    fn allocator_sees_allocations() {
        let v = std::hint::black_box(vec![1u8; 4 << 20]);
        let after = allocator().allocated;
        assert!(after >= 4 << 20, "{after}");
        drop(v);
        assert!(rss() > 0);
    }
}
