//! Consumer groups: the last delivered ID, the logical read counter, the
//! group's pending entries list (PEL: delivered, not yet acknowledged) and the
//! consumers, each with its own PEL (the IDs of the group PEL entries it owns).
//!
//! As in Redis a pending entry belongs to exactly one consumer; every write
//! here keeps the group PEL and the consumers' PELs in step.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use std::sync::Arc;

use super::{StreamId, StreamView};

/// Redis's SCG_INVALID_ENTRIES_READ: the read counter is unknown.
pub const INVALID_ENTRIES_READ: i64 = -1;

/// A pending entry (streamNACK).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Last delivery, Unix ms.
    pub delivery_time: i64,
    pub delivery_count: u64,
    consumer: Option<Arc<[u8]>>,
}

impl Pending {
    /// The owning consumer's name.
    pub fn consumer(&self) -> &[u8] {
        self.consumer.as_deref().unwrap_or(b"")
    }
}

/// A consumer (streamConsumer).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Consumer {
    /// Last time it was active, Unix ms.
    pub seen_time: i64,
    pel: BTreeSet<StreamId>,
}

impl Consumer {
    pub fn pel_len(&self) -> usize {
        self.pel.len()
    }

    /// Its pending IDs with `start <= id <= end` (double-ended).
    pub fn pel_range(
        &self,
        start: StreamId,
        end: StreamId,
    ) -> impl DoubleEndedIterator<Item = StreamId> + '_ {
        self.pel.range(bounds(start, end)).copied()
    }

    pub fn pel(&self) -> impl DoubleEndedIterator<Item = StreamId> + '_ {
        self.pel.iter().copied()
    }
}

/// `start..=end`, or an empty range when start > end (BTreeMap panics there).
fn bounds(start: StreamId, end: StreamId) -> (Bound<StreamId>, Bound<StreamId>) {
    if start <= end {
        (Bound::Included(start), Bound::Included(end))
    } else {
        (
            Bound::Included(StreamId::MIN),
            Bound::Excluded(StreamId::MIN),
        )
    }
}

/// A consumer group (streamCG).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The last ID delivered to the group.
    pub last_id: StreamId,
    /// The logical read counter, [`INVALID_ENTRIES_READ`] when unknown.
    pub entries_read: i64,
    pel: BTreeMap<StreamId, Pending>,
    consumers: BTreeMap<Arc<[u8]>, Consumer>,
}

impl Group {
    pub fn new(last_id: StreamId, entries_read: i64) -> Group {
        Group {
            last_id,
            entries_read,
            pel: BTreeMap::new(),
            consumers: BTreeMap::new(),
        }
    }

    pub fn pel_len(&self) -> usize {
        self.pel.len()
    }

    pub fn pending(&self, id: StreamId) -> Option<&Pending> {
        self.pel.get(&id)
    }

    /// A pending entry's delivery time and count, writable (its owner changes
    /// only through [`Group::deliver`] / [`Group::assign`]).
    pub fn pending_mut(&mut self, id: StreamId) -> Option<&mut Pending> {
        self.pel.get_mut(&id)
    }

    /// The group PEL with `start <= id <= end`, in ID order (double-ended).
    pub fn pel_range(
        &self,
        start: StreamId,
        end: StreamId,
    ) -> impl DoubleEndedIterator<Item = (StreamId, &Pending)> + '_ {
        self.pel.range(bounds(start, end)).map(|(k, v)| (*k, v))
    }

    /// Consumers in name (byte) order.
    pub fn consumers(&self) -> impl Iterator<Item = (&[u8], &Consumer)> {
        self.consumers.iter().map(|(k, c)| (&**k, c))
    }

    pub fn consumer_count(&self) -> usize {
        self.consumers.len()
    }

    pub fn consumer(&self, name: &[u8]) -> Option<&Consumer> {
        self.consumers.get(name)
    }

    pub fn consumer_mut(&mut self, name: &[u8]) -> Option<&mut Consumer> {
        self.consumers.get_mut(name)
    }

    /// streamCreateConsumer: false when it exists already.
    pub fn create_consumer(&mut self, name: &[u8], now_ms: i64) -> bool {
        if self.consumers.contains_key(name) {
            return false;
        }
        self.consumers.insert(
            name.into(),
            Consumer {
                seen_time: now_ms,
                pel: BTreeSet::new(),
            },
        );
        true
    }

    /// streamDelConsumer: drops the consumer and its pending entries from the
    /// group PEL; returns how many it had, None when there is no such consumer.
    pub fn delete_consumer(&mut self, name: &[u8]) -> Option<usize> {
        let c = self.consumers.remove(name)?;
        for id in &c.pel {
            self.pel.remove(id);
        }
        Some(c.pel.len())
    }

    /// Sets a consumer's seen time; false when there is no such consumer.
    pub fn touch_consumer(&mut self, name: &[u8], now_ms: i64) -> bool {
        match self.consumers.get_mut(name) {
            Some(c) => {
                c.seen_time = now_ms;
                true
            }
            None => false,
        }
    }

    /// The name as the shared key of an existing consumer, creating it (seen
    /// at `seen_ms`) when missing.
    fn consumer_key(&mut self, name: &[u8], seen_ms: i64) -> Arc<[u8]> {
        if let Some((k, _)) = self.consumers.get_key_value(name) {
            return k.clone();
        }
        let k: Arc<[u8]> = name.into();
        self.consumers.insert(
            k.clone(),
            Consumer {
                seen_time: seen_ms,
                pel: BTreeSet::new(),
            },
        );
        k
    }

    /// Makes `consumer` the owner of pending entry `id` with these delivery
    /// fields, creating the entry if it is not pending (XCLAIM; XCLAIM FORCE).
    /// A consumer that does not exist is created, seen at `delivery_time`
    /// (callers create it first, as Redis's commands do, to set its time).
    pub fn assign(
        &mut self,
        id: StreamId,
        consumer: &[u8],
        delivery_time: i64,
        delivery_count: u64,
    ) {
        let key = self.consumer_key(consumer, delivery_time);
        if let Some(p) = self.pel.get_mut(&id) {
            if let Some(old) = p.consumer.take() {
                if let Some(c) = self.consumers.get_mut(&old) {
                    c.pel.remove(&id);
                }
            }
            p.delivery_time = delivery_time;
            p.delivery_count = delivery_count;
            p.consumer = Some(key.clone());
        } else {
            self.pel.insert(
                id,
                Pending {
                    delivery_time,
                    delivery_count,
                    consumer: Some(key.clone()),
                },
            );
        }
        self.consumers
            .get_mut(&key)
            .expect("consumer")
            .pel
            .insert(id);
    }

    /// A delivery by XREADGROUP `>`: `id` becomes pending for `consumer`,
    /// delivered now, count 1 (an entry already pending, after XGROUP SETID
    /// moved the group back, changes owner and restarts its count, as Redis).
    pub fn deliver(&mut self, id: StreamId, consumer: &[u8], now_ms: i64) {
        self.assign(id, consumer, now_ms, 1);
    }

    /// XACK of one ID: false when it was not pending.
    pub fn ack(&mut self, id: StreamId) -> bool {
        let Some(p) = self.pel.remove(&id) else {
            return false;
        };
        if let Some(c) = p.consumer.and_then(|k| self.consumers.get_mut(&k)) {
            c.pel.remove(&id);
        }
        true
    }

    /// What streamReplyWithRange does to the group for each entry it serves
    /// past `last_id`: the read counter goes up by one while it is valid and no
    /// tombstone lies ahead, else it is estimated again; `last_id` becomes `id`.
    pub fn mark_read(&mut self, s: &StreamView<'_>, id: StreamId) {
        if id <= self.last_id {
            return;
        }
        if self.entries_read != INVALID_ENTRIES_READ && !s.range_has_tombstones(id, StreamId::MAX) {
            self.entries_read += 1;
        } else if s.entries_added != 0 {
            self.entries_read = s.entries_read_estimate(id);
        }
        self.last_id = id;
    }

    /// Heap bytes of the PELs and consumers (approximate per-slot costs of the
    /// B-trees and the names).
    pub fn mem_usage(&self) -> usize {
        let mut n = self.pel.len() * (16 + std::mem::size_of::<Pending>() + 12);
        for (name, c) in &self.consumers {
            n += 16 + name.len() + std::mem::size_of::<Consumer>() + 16;
            n += c.pel.len() * 24;
        }
        n
    }

    // ---- loading (RDB) ----

    /// A group PEL entry whose owner comes later; false on a duplicate.
    pub fn load_pending(&mut self, id: StreamId, delivery_time: i64, delivery_count: u64) -> bool {
        if self.pel.contains_key(&id) {
            return false;
        }
        self.pel.insert(
            id,
            Pending {
                delivery_time,
                delivery_count,
                consumer: None,
            },
        );
        true
    }

    /// A loaded consumer; false on a duplicate.
    pub fn load_consumer(&mut self, name: &[u8], seen_time: i64) -> bool {
        self.create_consumer(name, seen_time)
    }

    /// One ID of a loaded consumer's PEL, with Redis's loader errors.
    pub fn load_consumer_pel(&mut self, name: &[u8], id: StreamId) -> Result<(), &'static str> {
        let Some((key, _)) = self.consumers.get_key_value(name) else {
            return Err("Consumer not found");
        };
        let key = key.clone();
        let Some(p) = self.pel.get_mut(&id) else {
            return Err("Consumer entry not found in group global PEL");
        };
        let c = self.consumers.get_mut(&key).expect("consumer");
        if !c.pel.insert(id) {
            return Err("Duplicated consumer PEL entry  loading a stream consumer group");
        }
        if let Some(old) = p.consumer.replace(key.clone()) {
            // Owned twice: the last owner wins (Redis's loader overwrites the
            // NACK's consumer); keep the PELs consistent.
            if !Arc::ptr_eq(&old, &key) {
                if let Some(o) = self.consumers.get_mut(&old) {
                    o.pel.remove(&id);
                }
            }
        }
        Ok(())
    }

    /// Whether some pending entry has no owner (a corrupt file).
    pub fn has_orphans(&self) -> bool {
        self.pel.values().any(|p| p.consumer.is_none())
    }
}
