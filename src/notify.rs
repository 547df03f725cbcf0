//! Keyspace notifications (Redis's notify.c): with `notify-keyspace-events`
//! enabled, a command that changes a key publishes
//!
//! ```text
//!   __keyspace@<db>__:<key>    message: <event>     (class K)
//!   __keyevent@<db>__:<event>  message: <key>       (class E)
//! ```
//!
//! through the ordinary pub/sub fan-out (`pubsub.rs`). Each event belongs to a
//! class (`config::notify`: g $ l s h z x e t m d n); it is published only when
//! that class is enabled, on the channels of the enabled K/E kinds.
//!
//! Commands call [`notify_keyspace_event`] once per event, right after the change
//! and before their reply, with the event names Redis 7.0 uses. Keys that expire
//! on access are recorded by the database (`Db::expired_keys`); their `expired`
//! events are announced before the next event of the running command (so they
//! come first, as in Redis, where the deletion happens during the lookup) and at
//! the latest by `Server::after_command`. The active expiry cycle announces its
//! own with no running client.

use crate::client::Client;
use crate::config::notify as class;
use crate::pubsub::{self, Kind};
use crate::server::Server;

/// How far each database's `expired_keys` has been announced.
#[derive(Default, Debug)]
pub struct NotifyState {
    expired_announced: Vec<usize>,
}

impl NotifyState {
    /// Forgets the cursors: call after the databases' `expired_keys` are cleared.
    pub fn expired_cleared(&mut self) {
        self.expired_announced.clear();
    }
}

/// Publishes one keyspace event on behalf of the running client `c` (which gets
/// the message too if it listens, before its reply). `class` is one of the
/// `config::notify` classes.
pub fn notify_keyspace_event(
    srv: &mut Server,
    c: &mut Client,
    class: u32,
    event: &str,
    key: &[u8],
    dbid: usize,
) {
    notify_keyspace_event_from(srv, Some(c), class, event, key, dbid);
}

/// [`notify_keyspace_event`] with the running client optional (None when the
/// event comes from the event loop itself, as evictions in before_sleep).
pub fn notify_keyspace_event_from(
    srv: &mut Server,
    mut c: Option<&mut Client>,
    class: u32,
    event: &str,
    key: &[u8],
    dbid: usize,
) {
    if srv.config.notify_keyspace_events & class == 0 {
        return;
    }
    announce_expired(srv, c.as_deref_mut());
    announce_new(srv, c.as_deref_mut());
    emit(srv, c, event, key, dbid);
}

/// Announces `new` events for keys created since the last call (Redis sends them
/// when the key is added, so before the creating command's own event).
pub fn announce_new(srv: &mut Server, mut c: Option<&mut Client>) {
    for dbid in 0..srv.dbs.len() {
        if srv.dbs[dbid].new_keys.is_empty() {
            continue;
        }
        let keys = std::mem::take(&mut srv.dbs[dbid].new_keys);
        for key in keys {
            emit(srv, c.as_deref_mut(), "new", &key, dbid);
        }
    }
}

/// Turns the databases' new-key recording on or off after a config change.
pub fn config_changed(srv: &mut Server) {
    let on = srv.config.notify_keyspace_events & class::NEW != 0;
    for db in &mut srv.dbs {
        db.notify_new = on;
        db.new_keys.clear();
    }
}

/// Announces the `expired` events of keys deleted by expiry and not announced
/// yet. `c` is the running client, None from cron.
pub fn announce_expired(srv: &mut Server, mut c: Option<&mut Client>) {
    if srv.config.notify_keyspace_events & class::EXPIRED == 0 {
        return;
    }
    for dbid in 0..srv.dbs.len() {
        let done = srv.notify.expired_announced.get(dbid).copied().unwrap_or(0);
        let total = srv.dbs[dbid].expired_keys.len();
        if total <= done {
            continue;
        }
        if srv.notify.expired_announced.len() <= dbid {
            srv.notify.expired_announced.resize(dbid + 1, 0);
        }
        srv.notify.expired_announced[dbid] = total;
        for i in done..total {
            let key = srv.dbs[dbid].expired_keys[i].clone();
            emit(srv, c.as_deref_mut(), "expired", &key, dbid);
        }
    }
}

/// Publishes on the enabled K/E channels.
fn emit(srv: &mut Server, mut c: Option<&mut Client>, event: &str, key: &[u8], dbid: usize) {
    if srv.pubsub.channels.is_empty() && srv.pubsub.patterns.is_empty() {
        return;
    }
    let flags = srv.config.notify_keyspace_events;
    if flags & class::KEYSPACE != 0 {
        let mut ch = format!("__keyspace@{dbid}__:").into_bytes();
        ch.extend_from_slice(key);
        pubsub::publish(srv, c.as_deref_mut(), Kind::Global, &ch, event.as_bytes());
    }
    if flags & class::KEYEVENT != 0 {
        let ch = format!("__keyevent@{dbid}__:{event}");
        pubsub::publish(srv, c, Kind::Global, ch.as_bytes(), key);
    }
}

/// [`notify_keyspace_event`] for a key in the running client's database.
#[inline]
pub fn event(srv: &mut Server, c: &mut Client, class: u32, event: &str, key: &[u8]) {
    if srv.config.notify_keyspace_events & class != 0 {
        let dbid = c.db;
        notify_keyspace_event(srv, c, class, event, key, dbid);
    }
}
