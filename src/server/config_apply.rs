//! The server's half of CONFIG SET: the [`Apply`] hooks the config table's
//! rows name, and the all-or-nothing CONFIG SET that runs them (Redis 7.0's
//! configSetCommand). The config layer validates and stores values; what a
//! new value changes outside the configuration (listeners, the logger, the
//! databases' cached settings) happens here.

use super::Server;
use crate::config::Apply;

impl Server {
    /// CONFIG SET of `pairs`: every value is validated and set (the config
    /// layer sets none of them if one is invalid), then each distinct hook of
    /// the changed directives runs once. When a hook fails, every directive is
    /// restored, every hook runs again for the restored values, and the error
    /// names the directive whose hook failed. The error is the reply text
    /// (without `-`).
    pub fn config_set(
        &mut self,
        pairs: &[(&[u8], &[u8])],
        allow_protected: bool,
    ) -> Result<(), String> {
        let change = self.config.set_as(pairs, allow_protected)?;
        for &(hook, name) in &change.hooks {
            if let Err(why) = self.apply_config(hook) {
                log::warn!("Failed applying new configuration. Possibly related to new {name} setting. Restoring previous settings.");
                self.config.restore(&change);
                for &(hook, _) in &change.hooks {
                    if let Err(e) = self.apply_config(hook) {
                        log::warn!("Failed applying restored failed CONFIG SET command: {e}");
                    }
                }
                return Err(crate::error::config_set_failed(name, why));
            }
        }
        Ok(())
    }

    /// Runs one hook for the values now in `self.config`; the error is
    /// Redis's text for the failure.
    pub fn apply_config(&mut self, hook: Apply) -> Result<(), &'static str> {
        match hook {
            Apply::Port => {
                return self
                    .rebind_listeners()
                    .map_err(|()| "Unable to listen on this port. Check server logs.");
            }
            Apply::Bind => {
                return self
                    .rebind_listeners()
                    .map_err(|()| "Failed to bind to specified addresses.");
            }
            Apply::Maxmemory => {
                let max = self.config.maxmemory;
                if max > 0 {
                    let used = crate::alloc::used_memory()
                        .saturating_sub(crate::evict::not_counted(self, None));
                    if max < used {
                        log::warn!("WARNING: the new maxmemory value set via CONFIG SET ({max}) is smaller than the current memory usage ({used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.");
                    }
                    crate::evict::perform_evictions(self, None);
                }
            }
            Apply::Eviction => crate::evict::config_changed(self),
            Apply::GoodReplicas => crate::repl::master::refresh_good_replicas(self),
            Apply::ReplBacklogSize => crate::repl::resize_backlog(self),
            Apply::Dir => {
                if let Err(e) = std::env::set_current_dir(&self.config.dir) {
                    log::warn!(
                        "Can't chdir to '{}': {}",
                        self.config.dir,
                        crate::util::strerror(&e)
                    );
                }
            }
            Apply::LogLevel => crate::logging::set_level(self.config.loglevel),
            Apply::NotifyKeyspaceEvents => crate::notify::config_changed(self),
            Apply::TrackingTableMaxKeys => {
                self.tracking.max_keys = self.config.tracking_table_max_keys;
            }
            Apply::Lazyfree => self.apply_lazyfree_config(),
            Apply::LatencyMonitor => self.apply_latency_monitor_config(),
            Apply::JemallocBgThread => {
                crate::alloc::set_background_thread(self.config.jemalloc_bg_thread)
            }
            Apply::AppendFsync => self.aof_policy_changed(),
            Apply::AppendOnly => return self.aof_config_changed(),
            Apply::AofAutoGc => {
                if !self.config.aof_disable_auto_gc {
                    let _ = self.aof_del_history_files();
                }
            }
        }
        Ok(())
    }

    /// Moves the TCP listeners to the configured `port` and `bind` when they
    /// listen elsewhere (so a CONFIG SET naming both, or the hooks run again
    /// after a rollback, rebind at most once). A failure has reopened the
    /// previous listeners and been logged.
    fn rebind_listeners(&mut self) -> Result<(), ()> {
        let (port, bind) = self.listeners.tcp_bound();
        let cfg = &self.config;
        if cfg.port == port && cfg.bind == bind {
            return Ok(());
        }
        let prev = (port, bind.to_vec());
        self.listeners
            .rebind_tcp((cfg.port, &cfg.bind), (prev.0, &prev.1), cfg.tcp_backlog)
            .map_err(|_| ())
    }

    /// Tells the databases `latency-monitor-threshold` (they time expiry
    /// deletions against it).
    pub fn apply_latency_monitor_config(&mut self) {
        for db in &mut self.dbs {
            db.expire_del_threshold_ms = self.config.latency_monitor_threshold;
        }
    }

    /// Gives the databases the lazy-free thread for the values they drop
    /// themselves: expired keys (`lazyfree-lazy-expire`) and overwritten ones
    /// (`lazyfree-lazy-server-del`).
    pub fn apply_lazyfree_config(&mut self) {
        let (exp, del) = (
            self.config.lazyfree_lazy_expire,
            self.config.lazyfree_lazy_server_del,
        );
        for db in &mut self.dbs {
            db.lazy_expire = exp.then(|| self.lazyfree.clone());
            db.lazy_server_del = del.then(|| self.lazyfree.clone());
        }
    }
}
