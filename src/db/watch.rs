//! WATCH bookkeeping (Redis's watched_keys in multi.c), kept with the keyspace:
//! each database maps its watched keys to the tokens of the clients watching
//! them (`Db::watched`) and records every modification of such a key
//! (`Db::touched`, fed by `Db::touch` and the expiry, flush and SWAPDB paths).
//! [`drain_touched`] turns those records into marks for the watching clients;
//! the caller applies them to the clients ([`key_touched`] on each client's own
//! list of watched keys decides whether the mark makes its EXEC fail).

use bytes::Bytes;

use super::{events, Db};

/// How a watched key changed, as WATCH needs to know for keys that were
/// already logically expired when watched (Redis 7.0: deleting such a key is
/// no change, and SWAPDB bringing in another expired version is none either).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Touch {
    /// Written or created: a change for every watcher.
    Changed,
    /// Deleted (expiry, DEL, flush, eviction, SWAPDB bringing in no key): no
    /// change for a watcher that saw the key expired, which now sees it absent.
    Deleted,
    /// SWAPDB replaced an existing key with an expired one: no change for a
    /// watcher that saw it expired, a change for the others.
    Stale,
    /// SWAPDB brought an expired key where there was none: no change for
    /// anyone; the watchers now see it expired.
    StaleFromAbsent,
}

/// A client's record of one key it watches: (db, key, already logically
/// expired when watched).
pub type WatchedKey = (usize, Bytes, bool);

impl Db {
    /// Registers `token` as a watcher of `key` (the caller checked it does not
    /// watch it already) and returns the record the client keeps.
    pub fn watch(&mut self, key: Bytes, token: usize) -> WatchedKey {
        let stale = self.is_stale(&key);
        self.watched.entry(key.clone()).or_default().push(token);
        (self.id, key, stale)
    }

    /// Drops `token` from the watchers of `key`.
    pub fn unwatch(&mut self, key: &[u8], token: usize) {
        if let Some(v) = self.watched.get_mut(key) {
            v.retain(|&t| t != token);
            if v.is_empty() {
                self.watched.remove(key);
            }
        }
    }

    /// Touches every watched key that is stored, expired or not, as deleted
    /// (FLUSHDB, FLUSHALL: Redis's touchAllWatchedKeysInDb).
    pub fn touch_all_watched(&mut self) {
        let present: Vec<(Bytes, Touch)> = self
            .watched
            .keys()
            .filter(|k| self.table.find(k).is_some())
            .map(|k| (k.clone(), Touch::Deleted))
            .collect();
        self.push_touched(present);
    }

    /// Touches the watched keys that SWAPDB changes: this database's contents
    /// are about to be replaced with `with`'s. A key absent from both does not
    /// change; one that `with` holds expired is a change only for a watcher
    /// that did not already see it expired.
    pub(super) fn touch_watched_for_swap(&mut self, with: &Db) {
        let mut out = Vec::new();
        for k in self.watched.keys() {
            let before = self.table.find(k).is_some();
            let after = with
                .table
                .find(k)
                .map(|p| with.is_expired(with.table.get(p)));
            let how = match (before, after) {
                (false, None) => continue,
                (_, None) => Touch::Deleted,
                (_, Some(false)) => Touch::Changed,
                (true, Some(true)) => Touch::Stale,
                (false, Some(true)) => Touch::StaleFromAbsent,
            };
            out.push((k.clone(), how));
        }
        self.push_touched(out);
    }

    fn push_touched(&mut self, keys: Vec<(Bytes, Touch)>) {
        if !keys.is_empty() {
            self.events.set(self.events.get() | events::TOUCHED);
            self.touched.extend(keys);
        }
    }
}

/// Drops every registration of the client `token` (its list is emptied).
pub fn unwatch_all(dbs: &mut [Db], token: usize, watched: &mut Vec<WatchedKey>) {
    for (db, key, _) in watched.drain(..) {
        dbs[db].unwatch(&key, token);
    }
}

/// True while any client watches a key in any database.
pub fn any_watched(dbs: &[Db]) -> bool {
    dbs.iter().any(|db| !db.watched.is_empty())
}

/// Drains the modifications the databases recorded, as the marks to give:
/// (token, db, key, how) for each watcher of each modified key, in order.
pub fn drain_touched(dbs: &mut [Db]) -> Vec<(usize, usize, Bytes, Touch)> {
    let mut marks = Vec::new();
    for db in dbs.iter_mut() {
        for (key, how) in std::mem::take(&mut db.touched) {
            if let Some(tokens) = db.watched.get(&key) {
                for &t in tokens {
                    marks.push((t, db.id, key.clone(), how));
                }
            }
        }
    }
    marks
}

/// True if a watched key was logically expired since WATCH (Redis 7.0 aborts
/// the transaction then).
pub fn expired_since_watch(dbs: &[Db], watched: &[WatchedKey]) -> bool {
    watched
        .iter()
        .any(|(db, key, stale_at_watch)| !stale_at_watch && dbs[*db].is_stale(key))
}

/// Redis's touchWatchedKey / touchAllWatchedKeysInDb for one watcher: true if
/// the modification changes what the client saw when it watched the key. A
/// key that was already expired when watched does not change by being deleted
/// (the watcher then sees it absent) nor by being replaced with another
/// expired one.
pub fn key_touched(watched: &mut [WatchedKey], db: usize, key: &[u8], how: Touch) -> bool {
    let Some(w) = watched
        .iter_mut()
        .find(|(d, k, _)| *d == db && k[..] == *key)
    else {
        return false;
    };
    let expired_when_watched = &mut w.2;
    match (how, *expired_when_watched) {
        (Touch::Changed, _) | (Touch::Deleted | Touch::Stale, false) => true,
        (Touch::Deleted, true) => {
            *expired_when_watched = false;
            false
        }
        (Touch::StaleFromAbsent, false) => {
            *expired_when_watched = true;
            false
        }
        (Touch::Stale | Touch::StaleFromAbsent, true) => false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::RandomState;

    use super::*;
    use crate::db::Value;

    fn dbs() -> Vec<Db> {
        (0..2)
            .map(|i| {
                let mut d = Db::new(i, RandomState::new());
                d.now_ms = 1_000_000;
                d
            })
            .collect()
    }

    #[test]
    fn a_touched_key_marks_each_watcher_in_order() {
        let mut dbs = dbs();
        let k = Bytes::from_static(b"k");
        let w7 = dbs[1].watch(k.clone(), 7);
        let w3 = dbs[1].watch(k.clone(), 3);
        assert_eq!(w7, (1, k.clone(), false));
        assert!(any_watched(&dbs));
        dbs[0].touch(b"k");
        dbs[1].touch(b"other");
        dbs[1].touch(b"k");
        assert_eq!(
            drain_touched(&mut dbs),
            vec![
                (7, 1, k.clone(), Touch::Changed),
                (3, 1, k.clone(), Touch::Changed)
            ]
        );
        assert!(drain_touched(&mut dbs).is_empty());
        let mut list = vec![w7, w3];
        unwatch_all(&mut dbs, 7, &mut list);
        assert!(list.is_empty());
        assert_eq!(dbs[1].watched.get(&k[..]), Some(&vec![3]));
        dbs[1].unwatch(b"k", 3);
        assert!(!any_watched(&dbs));
        dbs[1].touch(b"k");
        assert!(drain_touched(&mut dbs).is_empty());
    }

    #[test]
    fn deleting_a_key_expired_when_watched_is_no_change() {
        let mut dbs = dbs();
        dbs[0].set(b"gone", Value::Int(1), Some(999_000));
        dbs[0].set(b"live", Value::Int(1), None);
        let mut list = vec![
            dbs[0].watch(Bytes::from_static(b"gone"), 1),
            dbs[0].watch(Bytes::from_static(b"live"), 1),
        ];
        assert!(list[0].2 && !list[1].2);
        assert!(!expired_since_watch(&dbs, &list));
        assert!(!key_touched(&mut list, 0, b"gone", Touch::Deleted));
        assert!(!list[0].2, "the watcher now sees it absent");
        assert!(key_touched(&mut list, 0, b"gone", Touch::Changed));
        assert!(key_touched(&mut list, 0, b"live", Touch::Deleted));
        assert!(!key_touched(&mut list, 1, b"live", Touch::Changed));
        dbs[0].set(b"live", Value::Int(1), Some(999_500));
        assert!(expired_since_watch(&dbs, &list));
    }
}
