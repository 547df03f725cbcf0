//! The counter sections of INFO: persistence, stats, replication, cpu,
//! commandstats, errorstats, latencystats and cluster. Fields of machinery
//! oxidis does not have (forks, active defrag, modules) show the values
//! Redis shows when that machinery is idle.

use std::fmt::Write;

use crate::server::Server;

/// `# Persistence`.
pub fn persistence_section(srv: &Server, o: &mut String) {
    let p = &srv.persist;
    let rw = &srv.aof.rw;
    let _ = write!(
        o,
        "# Persistence\r\n\
         loading:{}\r\n\
         async_loading:0\r\n\
         current_cow_peak:{}\r\n\
         current_cow_size:{}\r\n\
         current_cow_size_age:0\r\n\
         current_fork_perc:0.00\r\n\
         current_save_keys_processed:0\r\n\
         current_save_keys_total:0\r\n\
         rdb_changes_since_last_save:{}\r\n\
         rdb_bgsave_in_progress:{}\r\n\
         rdb_last_save_time:{}\r\n\
         rdb_last_bgsave_status:{}\r\n\
         rdb_last_bgsave_time_sec:{}\r\n\
         rdb_current_bgsave_time_sec:{}\r\n\
         rdb_saves:{}\r\n\
         rdb_last_cow_size:{}\r\n\
         rdb_last_load_keys_expired:{}\r\n\
         rdb_last_load_keys_loaded:{}\r\n\
         aof_enabled:{}\r\n\
         aof_rewrite_in_progress:{}\r\n\
         aof_rewrite_scheduled:{}\r\n\
         aof_last_rewrite_time_sec:{}\r\n\
         aof_current_rewrite_time_sec:{}\r\n\
         aof_last_bgrewrite_status:{}\r\n\
         aof_rewrites:{}\r\n\
         aof_rewrites_consecutive_failures:{}\r\n\
         aof_last_write_status:{}\r\n\
         aof_last_cow_size:{}\r\n\
         module_fork_in_progress:0\r\n\
         module_fork_last_cow_size:0\r\n",
        p.loading as u8,
        srv.current_cow_size(),
        srv.current_cow_size(),
        srv.dirty,
        p.bgsave.is_some() as u8,
        p.lastsave,
        if p.last_bgsave_ok { "ok" } else { "err" },
        p.last_bgsave_time_sec,
        p.bgsave
            .as_ref()
            .map(|b| b.started.elapsed().as_secs() as i64)
            .unwrap_or(-1),
        p.rdb_saves,
        p.last_cow_size,
        p.rdb_last_load_keys_expired,
        p.rdb_last_load_keys_loaded,
        (srv.aof.state != crate::persist::aof::AofState::Off) as u8,
        rw.job.is_some() as u8,
        rw.scheduled as u8,
        rw.last_time_sec,
        rw.job
            .as_ref()
            .map_or(-1, |j| j.started.elapsed().as_secs() as i64),
        if rw.last_ok { "ok" } else { "err" },
        rw.rewrites,
        rw.consecutive_failures,
        if srv.aof.write_errno() == 0 {
            "ok"
        } else {
            "err"
        },
        rw.last_cow_size,
    );
    if srv.aof.state != crate::persist::aof::AofState::Off {
        let (pending_fsync, delayed) = srv.aof.writer.as_ref().map_or((0, 0), |w| {
            use std::sync::atomic::Ordering::Relaxed;
            (
                w.shared.fsync_in_progress.load(Relaxed) as u8,
                w.shared.delayed_fsync.load(Relaxed),
            )
        });
        let _ = write!(
            o,
            "aof_current_size:{}\r\n\
             aof_base_size:{}\r\n\
             aof_pending_rewrite:{}\r\n\
             aof_buffer_length:{}\r\n\
             aof_pending_bio_fsync:{pending_fsync}\r\n\
             aof_delayed_fsync:{delayed}\r\n",
            srv.aof_current_size(),
            srv.aof.base_size,
            rw.scheduled as u8,
            srv.aof.unwritten(),
        );
    }
    if p.loading {
        loading_fields(srv, o);
    }
}

/// The `loading_*` fields INFO persistence has during a load.
fn loading_fields(srv: &Server, o: &mut String) {
    let p = &srv.persist;
    let (total, loaded) = (p.loading_total_bytes, p.loading_loaded_bytes);
    let (perc, remaining) = if total > 0 {
        (
            loaded as f64 * 100.0 / total as f64,
            total.saturating_sub(loaded),
        )
    } else {
        (0.0, 1)
    };
    let elapsed = (crate::server::wall_ms() / 1000 - p.loading_start_time).max(0) as u64;
    // Redis's estimate: a made-up second until one has passed.
    let eta = if elapsed == 0 {
        1
    } else {
        elapsed.saturating_mul(remaining) / (loaded + 1)
    };
    let _ = write!(
        o,
        "loading_start_time:{}\r\n\
         loading_total_bytes:{total}\r\n\
         loading_rdb_used_mem:0\r\n\
         loading_loaded_bytes:{loaded}\r\n\
         loading_loaded_perc:{perc:.2}\r\n\
         loading_eta_seconds:{eta}\r\n",
        p.loading_start_time,
    );
}

/// `# Stats`.
pub fn stats_section(srv: &Server, o: &mut String) {
    let (ops, kin, kout) = srv.stats.instantaneous();
    let hits: u64 = srv.dbs.iter().map(|d| d.stat_hits).sum();
    let misses: u64 = srv.dbs.iter().map(|d| d.stat_misses).sum();
    let (psc, psp, pss) = (
        srv.pubsub.channels.len(),
        srv.pubsub.patterns.len(),
        srv.pubsub.shard_channels.len(),
    );
    let st = &srv.stats;
    let (evict_total_ms, evict_current_ms) = srv.evict.exceeded_ms();
    let _ = write!(
        o,
        "# Stats\r\n\
         total_connections_received:{}\r\n\
         total_commands_processed:{}\r\n\
         instantaneous_ops_per_sec:{ops}\r\n\
         total_net_input_bytes:{}\r\n\
         total_net_output_bytes:{}\r\n\
         total_net_repl_input_bytes:0\r\n\
         total_net_repl_output_bytes:0\r\n\
         instantaneous_input_kbps:{kin:.2}\r\n\
         instantaneous_output_kbps:{kout:.2}\r\n\
         instantaneous_input_repl_kbps:0.00\r\n\
         instantaneous_output_repl_kbps:0.00\r\n\
         rejected_connections:{}\r\n\
         sync_full:{}\r\n\
         sync_partial_ok:{}\r\n\
         sync_partial_err:{}\r\n\
         expired_keys:{}\r\n\
         expired_stale_perc:{:.2}\r\n\
         expired_time_cap_reached_count:0\r\n\
         expire_cycle_cpu_milliseconds:{}\r\n\
         evicted_keys:{evicted}\r\n\
         evicted_clients:0\r\n\
         total_eviction_exceeded_time:{evict_total_ms}\r\n\
         current_eviction_exceeded_time:{evict_current_ms}\r\n\
         keyspace_hits:{hits}\r\n\
         keyspace_misses:{misses}\r\n\
         pubsub_channels:{psc}\r\n\
         pubsub_patterns:{psp}\r\n\
         pubsubshard_channels:{pss}\r\n\
         latest_fork_usec:0\r\n\
         total_forks:0\r\n\
         migrate_cached_sockets:0\r\n\
         slave_expires_tracked_keys:0\r\n\
         active_defrag_hits:0\r\n\
         active_defrag_misses:0\r\n\
         active_defrag_key_hits:0\r\n\
         active_defrag_key_misses:0\r\n\
         total_active_defrag_time:0\r\n\
         current_active_defrag_time:0\r\n\
         tracking_total_keys:{}\r\n\
         tracking_total_items:{}\r\n\
         tracking_total_prefixes:{}\r\n\
         unexpected_error_replies:0\r\n\
         total_error_replies:{}\r\n\
         dump_payload_sanitizations:0\r\n\
         total_reads_processed:{}\r\n\
         total_writes_processed:{}\r\n\
         io_threaded_reads_processed:0\r\n\
         io_threaded_writes_processed:0\r\n\
         reply_buffer_shrinks:{}\r\n\
         reply_buffer_expands:{}\r\n",
        st.numconnections,
        st.numcommands,
        st.net_input_bytes,
        st.net_output_bytes,
        st.rejected_conn,
        srv.repl.sync_full,
        srv.repl.sync_partial_ok,
        srv.repl.sync_partial_err,
        srv.expired_keys(),
        srv.expired_stale_perc * 100.0,
        srv.stat_expire_cycle_time_used / 1000,
        srv.tracking.total_keys(),
        srv.tracking.total_items(),
        srv.tracking.total_prefixes(),
        st.total_error_replies,
        st.total_reads_processed,
        st.total_writes_processed,
        st.reply_buffer_shrinks,
        st.reply_buffer_expands,
        evicted = st.evicted_keys,
    );
}

/// `# Replication` (repl/master.rs).
pub fn replication_section(srv: &Server, cur: &crate::client::Client, o: &mut String) {
    crate::repl::master::info_section(srv, cur, o);
}

fn rusage(who: libc::c_int) -> (String, String) {
    // SAFETY: getrusage fills the zeroed struct.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        if libc::getrusage(who, &mut ru) != 0 {
            return ("0.000000".into(), "0.000000".into());
        }
        ru
    };
    let f = |t: libc::timeval| format!("{}.{:06}", t.tv_sec, t.tv_usec);
    (f(ru.ru_stime), f(ru.ru_utime))
}

/// `# CPU`. INFO runs on the reactor thread, so RUSAGE_THREAD is the main
/// thread's usage.
pub fn cpu_section(o: &mut String) {
    let (sys, user) = rusage(libc::RUSAGE_SELF);
    let (csys, cuser) = rusage(libc::RUSAGE_CHILDREN);
    let (msys, muser) = rusage(libc::RUSAGE_THREAD);
    let _ = write!(
        o,
        "# CPU\r\n\
         used_cpu_sys:{sys}\r\n\
         used_cpu_user:{user}\r\n\
         used_cpu_sys_children:{csys}\r\n\
         used_cpu_user_children:{cuser}\r\n\
         used_cpu_sys_main_thread:{msys}\r\n\
         used_cpu_user_main_thread:{muser}\r\n"
    );
}

/// `# Commandstats`: commands (and subcommands, as `parent|sub`) that were
/// called, rejected or failed.
pub fn commandstats_section(srv: &Server, o: &mut String) {
    o.push_str("# Commandstats\r\n");
    for e in &srv.commands.list {
        let s = &e.stats;
        if s.calls == 0 && s.failed_calls == 0 && s.rejected_calls == 0 {
            continue;
        }
        let per = if s.calls > 0 {
            s.usec as f64 / s.calls as f64
        } else {
            0.0
        };
        let _ = write!(
            o,
            "cmdstat_{}:calls={},usec={},usec_per_call={per:.2},rejected_calls={},failed_calls={}\r\n",
            e.fullname, s.calls, s.usec, s.rejected_calls, s.failed_calls
        );
    }
}

/// `# Errorstats`, sorted by error code as Redis's radix tree keeps them.
pub fn errorstats_section(srv: &Server, o: &mut String) {
    o.push_str("# Errorstats\r\n");
    let mut v: Vec<(&String, &u64)> = srv.stats.errorstats.iter().collect();
    v.sort();
    for (code, n) in v {
        let _ = write!(o, "errorstat_{code}:count={n}\r\n");
    }
}

/// `# Latencystats`: the `latency-tracking-info-percentiles` of each command
/// with a histogram.
pub fn latencystats_section(srv: &Server, o: &mut String) {
    o.push_str("# Latencystats\r\n");
    let percentiles = &srv.config.latency_tracking_info_percentiles;
    for (id, h) in srv.stats.latency.iter().enumerate() {
        let (Some(h), Some(e)) = (h, srv.commands.list.get(id)) else {
            continue;
        };
        let _ = write!(o, "latency_percentiles_usec_{}:", e.fullname);
        for (i, p) in percentiles.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            let _ = write!(
                o,
                "p{}={:.3}",
                crate::config::fmt_percentile(*p),
                h.value_at_percentile(*p) as f64 / 1000.0
            );
        }
        o.push_str("\r\n");
    }
}

/// `# Cluster`.
pub fn cluster_section(o: &mut String) {
    o.push_str("# Cluster\r\ncluster_enabled:0\r\n");
}
