//! DEBUG's introspection and test switches: HTSTATS, HTSTATS-KEY, SDSLEN,
//! CLIENT-EVICTION, PAUSE-CRON, SET-SKIP-CHECKSUM-VALIDATION and
//! CONFIG-REWRITE-FORCE-ALL, with Redis's reply texts.
//!
//! oxidis's hash tables use open addressing, so HTSTATS reports, in Redis's
//! layout, the "chains" of home slots: how many elements start their probe at
//! each slot.

use std::fmt::Write;

use crate::client::Client;
use crate::db::hash::Hash;
use crate::db::set::Set;
use crate::db::{Object, ValueRef};
use crate::error;
use crate::server::Server;
use crate::util::number::{c_atoll, parse_i64};

/// Redis's DICT_STATS_VECTLEN: chains this long or longer are not listed.
const STATS_VECTLEN: usize = 50;
/// Redis's CLIENT_MEM_USAGE_BUCKET_MIN_LOG / MAX_LOG: client-eviction
/// buckets from 32 KB to 8 GB, doubling.
const MEM_BUCKET_MIN_LOG: u32 = 15;
const MEM_BUCKET_MAX_LOG: u32 = 33;

/// Redis's dictGetStats text for a table of `counts.len()` slots holding
/// `elements` elements, `counts[i]` of them homed at slot `i`.
fn ht_stats(out: &mut String, counts: &[u32], elements: usize) {
    out.push_str("Hash table 0 stats (main hash table):\n");
    if elements == 0 {
        out.push_str("No stats available for empty dictionaries\n");
        return;
    }
    let mut vect = [0u64; STATS_VECTLEN];
    let (mut slots, mut max_chain, mut total) = (0u64, 0u64, 0u64);
    for &n in counts {
        let n = n as u64;
        vect[(n as usize).min(STATS_VECTLEN - 1)] += 1;
        if n > 0 {
            slots += 1;
            max_chain = max_chain.max(n);
            total += n;
        }
    }
    let size = counts.len();
    let _ = write!(
        out,
        " table size: {size}\n number of elements: {elements}\n different slots: {slots}\n \
         max chain length: {max_chain}\n avg chain length (counted): {:.2}\n \
         avg chain length (computed): {:.2}\n Chain length distribution:\n",
        (total as f32 / slots as f32) as f64,
        (elements as f32 / slots as f32) as f64,
    );
    for (len, &n) in vect[..STATS_VECTLEN - 1].iter().enumerate() {
        if n != 0 {
            let pct = (n as f32 / size as f32) * 100.0;
            let _ = writeln!(out, "   {len}: {n} ({:.2}%)", pct as f64);
        }
    }
}

/// DEBUG HTSTATS dbid: the keyspace table and, as Redis's expires dictionary,
/// the keys with an expiry.
pub(super) fn debug_htstats(srv: &mut Server, c: &mut Client) {
    let Some(id) = parse_i64(&c.argv[2]) else {
        return c.add_error(error::NOT_INTEGER);
    };
    let Some(db) = usize::try_from(id).ok().and_then(|i| srv.dbs.get(i)) else {
        return c.add_error("ERR Out of range database");
    };
    let t = db.table();
    let mut out = String::from("[Dictionary HT]\n");
    ht_stats(&mut out, &t.home_slot_counts(false), t.len());
    out.push_str("[Expires HT]\n");
    ht_stats(&mut out, &t.home_slot_counts(true), t.expires());
    c.add_verbatim(out.as_bytes(), "txt");
}

/// DEBUG HTSTATS-KEY key: the table of a hashtable-encoded set or hash.
pub(super) fn debug_htstats_key(srv: &mut Server, c: &mut Client) {
    let Some(e) = srv.dbs[c.db].lookup_notouch(&c.argv[2]) else {
        return c.add_error(error::NO_SUCH_KEY);
    };
    let counts =
        match e.value() {
            ValueRef::Obj(Object::Set(Set::Table(d))) => (d.home_slot_counts(), d.len()),
            // A packed small set is a hash table to clients: show the one it
            // would be.
            ValueRef::Obj(Object::Set(s @ Set::Packed(_))) => {
                let mut d = crate::db::hash::dict::Dict::<false>::with_capacity(s.len());
                for m in s.iter() {
                    m.with_bytes(|b| d.insert(b, b""));
                }
                (d.home_slot_counts(), d.len())
            }
            ValueRef::Obj(Object::Hash(Hash::Table(d))) => (d.home_slot_counts(), d.len()),
            _ => return c.add_error(
                "ERR The value stored at the specified key is not represented using an hash table",
            ),
        };
    let mut out = String::new();
    ht_stats(&mut out, &counts.0, counts.1);
    c.add_verbatim(out.as_bytes(), "txt");
}

/// DEBUG SDSLEN key: Redis's SDS lengths, as the sizes oxidis holds (a key or
/// value stored exactly, so nothing is spare). Logically expired keys are
/// shown too, as in Redis.
pub(super) fn debug_sdslen(srv: &mut Server, c: &mut Client) {
    let t = srv.dbs[c.db].table();
    let Some(p) = t.find(&c.argv[2]) else {
        return c.add_error(error::NO_SUCH_KEY);
    };
    let e = t.get(p);
    let ValueRef::Str(v) = e.value() else {
        return c.add_error("ERR Not an sds encoded string.");
    };
    let key_len = e.key().len();
    // An embstr-like value lives in the entry's allocation, as Redis's embstr
    // lives in its robj: no allocation of its own.
    let val_alloc = match e.str_encoding() {
        Some("embstr") => 0,
        _ => v.len(),
    };
    let line = format!(
        "key_sds_len:{key_len}, key_sds_avail:0, key_zmalloc: {key_len}, \
         val_sds_len:{}, val_sds_avail:0, val_zmalloc: {val_alloc}",
        v.len()
    );
    c.add_status(&line);
}

/// DEBUG CLIENT-EVICTION: the clients `maxmemory-clients` would consider, by
/// memory in doubling buckets, as Redis's client eviction pools show them.
pub(super) fn debug_client_eviction(srv: &mut Server, c: &mut Client) {
    if srv.config.maxmemory_clients == 0 {
        return c.add_error("ERR maxmemory-clients is disabled.");
    }
    let n = (MEM_BUCKET_MAX_LOG - MEM_BUCKET_MIN_LOG + 1) as usize;
    let mut buckets = vec![(0usize, 0usize); n];
    let mut add = |mem: usize| {
        let bits = usize::BITS - mem.leading_zeros();
        let i = bits.clamp(MEM_BUCKET_MIN_LOG, MEM_BUCKET_MAX_LOG) - MEM_BUCKET_MIN_LOG;
        buckets[i as usize].0 += mem;
        buckets[i as usize].1 += 1;
    };
    // Replicas are never evicted, so they are in no bucket.
    for cl in srv.clients.all(Some(c)) {
        if !crate::client::repl::is_replica(cl) {
            add(cl.mem_usage());
        }
    }
    let mut out = String::new();
    for (j, (mem, clients)) in buckets.iter().enumerate() {
        if j == 0 {
            out.push_str("bucket          0");
        } else {
            let _ = write!(
                out,
                "bucket {:10}",
                1usize << (j as u32 - 1 + MEM_BUCKET_MIN_LOG)
            );
        }
        if j == n - 1 {
            out.push_str("+            : ");
        } else {
            let _ = write!(
                out,
                " - {:10}: ",
                (1usize << (j as u32 + MEM_BUCKET_MIN_LOG)) - 1
            );
        }
        let _ = writeln!(out, "tot-mem: {mem:10}, clients: {clients}");
    }
    c.add_verbatim(out.as_bytes(), "txt");
}

/// DEBUG PAUSE-CRON <0|1>
pub(super) fn debug_pause_cron(srv: &mut Server, c: &mut Client) {
    srv.pause_cron = c_atoll(&c.argv[2]) != 0;
    c.add_ok();
}

/// DEBUG SET-SKIP-CHECKSUM-VALIDATION <0|1>
pub(super) fn debug_set_skip_checksum_validation(c: &mut Client) {
    let on = c_atoll(&c.argv[2]) != 0;
    crate::persist::rdb::SKIP_CHECKSUM_VALIDATION.store(on, std::sync::atomic::Ordering::Relaxed);
    c.add_ok();
}

/// DEBUG CONFIG-REWRITE-FORCE-ALL: CONFIG REWRITE writing every directive.
pub(super) fn debug_config_rewrite_force_all(srv: &mut Server, c: &mut Client) {
    if srv.config.config_file.is_none() {
        // Redis hands rewriteConfig a NULL path and reports fopen's EFAULT.
        return c.add_error("ERR CONFIG-REWRITE-FORCE-ALL failed: Bad address");
    }
    match srv.config.rewrite_force_all() {
        Ok(()) => c.add_ok(),
        Err(e) => {
            let why = e.strip_prefix(error::CONFIG_REWRITE_FAILED).unwrap_or(&e);
            c.add_error(&format!("ERR CONFIG-REWRITE-FORCE-ALL failed: {why}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ht_stats_layout_is_redis() {
        let mut out = String::new();
        ht_stats(&mut out, &[0, 2, 1, 0], 3);
        assert_eq!(
            out,
            "Hash table 0 stats (main hash table):\n table size: 4\n number of elements: 3\n \
             different slots: 2\n max chain length: 2\n avg chain length (counted): 1.50\n \
             avg chain length (computed): 1.50\n Chain length distribution:\n   0: 2 (50.00%)\n   \
             1: 1 (25.00%)\n   2: 1 (25.00%)\n"
        );
        let mut out = String::new();
        ht_stats(&mut out, &[0; 8], 0);
        assert_eq!(
            out,
            "Hash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n"
        );
    }
}
