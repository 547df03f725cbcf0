//! `tracking-table-max-keys` (Redis's trackingLimitUsedSlots): when the tracking
//! table holds more keys than the limit, random keys are dropped from it and the
//! clients that tracked them get an invalidation, as if the keys had changed (they
//! did not, so BCAST clients hear nothing).
//!
//! The work is progressive, as in Redis: a run drops at most 100 keys times the
//! number of consecutive runs that ended still over the limit, and stops as soon as
//! the table is back within it. Runs happen before every top-level command (Redis's
//! processCommand) and in cron (so that a lowered limit applies when idle too).

use super::{flags, schedule, send, Clients, Payload};
use crate::client::Client;
use crate::server::Server;

/// Keys a run may drop, per consecutive run that ended over the limit.
const EFFORT_STEP: u64 = 100;

/// One run of the limit. `cur` is the client about to run a command (None in
/// cron); its invalidations come before its reply, as in Redis, where only a
/// client executing a command hears about its own keys after the reply.
pub fn limit_used_slots(srv: &mut Server, cur: Option<&mut Client>) {
    let tr = &mut srv.tracking;
    let max = tr.max_keys;
    if max == 0 {
        return;
    }
    if tr.table.len() as u64 <= max {
        tr.limit_runs = 0;
        return;
    }
    let mut effort = EFFORT_STEP * (tr.limit_runs + 1);
    let mark = cur.as_deref().map_or(0, |c| c.out_mark());
    let mut cl = Clients::new(&mut srv.clients, cur, mark);
    let mut under = false;
    while effort > 0 {
        effort -= 1;
        let Some(key) = tr.table.random_key() else {
            break;
        };
        let ids = tr.table.take(&key).unwrap_or_default();
        for id in ids {
            let Some(&token) = tr.clients.get(&id) else {
                continue;
            };
            let Some(t) = cl.get(id, token) else {
                continue;
            };
            if t.tracking.as_ref().is_none_or(|ct| ct.has(flags::BCAST)) {
                continue;
            }
            // No NOLOOP here: nobody modified the key. The client about to run a
            // command is not executing yet, so it hears at once, before its reply.
            send(&mut cl, id, token, &Payload::Key(&key));
        }
        if tr.table.len() as u64 <= max {
            under = true;
            break;
        }
    }
    tr.limit_runs = if under { 0 } else { tr.limit_runs + 1 };
    let written = std::mem::take(&mut cl.written);
    schedule(srv, written);
}
