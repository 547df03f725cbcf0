//! The `# Keyspace` section and its `avg_ttl` estimate.
//!
//! Redis estimates each database's average TTL from the keys its active
//! expiry cycle samples, as a running average that moves 2% towards each
//! cycle's mean. oxidis samples the same way from cron: a few keys with an
//! expiry per database per run, their remaining TTL averaged and folded into
//! the estimate with Redis's weights.

use std::fmt::Write;

use crate::server::Server;

/// Keys sampled per database per cron run.
const SAMPLE: usize = 20;

/// Per-database estimate (ms) and sampling cursor.
#[derive(Debug, Default, Clone)]
pub struct AvgTtl {
    dbs: Vec<(u64, (usize, usize))>,
}

impl AvgTtl {
    /// The current estimate for database `id`, in ms.
    pub fn get(&self, id: usize) -> u64 {
        self.dbs.get(id).map(|d| d.0).unwrap_or(0)
    }
}

/// Samples keys with an expiry and updates the estimates (called from cron).
pub fn sample(srv: &mut Server) {
    let now = srv.now_ms;
    if srv.avg_ttl.dbs.len() < srv.dbs.len() {
        srv.avg_ttl.dbs.resize(srv.dbs.len(), (0, (0, 0)));
    }
    let mut found = Vec::with_capacity(SAMPLE);
    for (db, st) in srv.dbs.iter().zip(srv.avg_ttl.dbs.iter_mut()) {
        if db.expires_len() == 0 {
            st.0 = 0;
            continue;
        }
        found.clear();
        let t = db.table();
        st.1 = t.sample_expiring(st.1, SAMPLE, SAMPLE * 20, &mut found);
        let (mut sum, mut n) = (0u64, 0u64);
        for p in &found {
            if let Some(exp) = t.get(*p).expire() {
                if exp > now {
                    sum += (exp - now) as u64;
                    n += 1;
                }
            }
        }
        if let Some(avg) = sum.checked_div(n) {
            // Redis: db->avg_ttl = (db->avg_ttl/50)*49 + (avg_ttl/50).
            st.0 = if st.0 == 0 {
                avg
            } else {
                (st.0 / 50) * 49 + avg / 50
            };
        }
    }
}

/// The `# Keyspace` section.
pub fn keyspace_section(srv: &Server, o: &mut String) {
    o.push_str("# Keyspace\r\n");
    for db in &srv.dbs {
        if !db.is_empty() {
            let expires = db.expires_len();
            let avg = if expires > 0 {
                srv.avg_ttl.get(db.id)
            } else {
                0
            };
            let _ = write!(
                o,
                "db{}:keys={},expires={expires},avg_ttl={avg}\r\n",
                db.id,
                db.len(),
            );
        }
    }
}
