//! The hash value type (Redis's t_hash.c data side) with Redis 7.0's two encodings:
//!
//! - `listpack` ([`listpack::Listpack`]): small hashes, pairs packed in insertion
//!   order, linear search;
//! - `hashtable` ([`dict::Dict`]): one allocation per field holding field and value,
//!   in an open-addressing table keyed by SipHash, behind an `Arc` so that cloning
//!   a big hash (an entry copied while a snapshot holds it) is a refcount bump;
//!   writes go through `Arc::make_mut`, which copies the table only when a
//!   snapshot still shares it.
//!
//! Conversion happens where Redis 7.0 converts, so OBJECT ENCODING agrees: before
//! a write whose field or value is longer than `hash-max-listpack-value`, and after
//! an insert that takes the hash past `hash-max-listpack-entries`. A hash never
//! converts back.

pub mod dict;
pub mod listpack;

use std::sync::Arc;

use dict::{Blob, Dict};
use listpack::Listpack;

/// The conversion thresholds (from `hash-max-listpack-entries` / `-value`).
#[derive(Clone, Copy, Debug)]
pub struct HashLimits {
    pub max_entries: usize,
    pub max_value: usize,
}

impl Default for HashLimits {
    fn default() -> Self {
        HashLimits {
            max_entries: 512,
            max_value: 64,
        }
    }
}

/// A Redis hash.
#[derive(Clone, Debug)]
pub enum Hash {
    Listpack(Listpack),
    Table(Arc<Dict<true>>),
}

impl Default for Hash {
    fn default() -> Self {
        Hash::Listpack(Listpack::default())
    }
}

impl Hash {
    pub fn new() -> Hash {
        Hash::default()
    }

    /// Redis's OBJECT ENCODING name for the current encoding.
    pub fn encoding(&self) -> &'static str {
        match self {
            Hash::Listpack(_) => "listpack",
            Hash::Table(_) => "hashtable",
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Hash::Listpack(l) => l.len(),
            Hash::Table(d) => d.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn get(&self, field: &[u8]) -> Option<&[u8]> {
        match self {
            Hash::Listpack(l) => l.get(field),
            Hash::Table(d) => d.get(field).map(Blob::val),
        }
    }

    pub fn contains(&self, field: &[u8]) -> bool {
        self.get(field).is_some()
    }

    /// Converts a listpack to a hashtable.
    pub fn convert(&mut self) {
        if let Hash::Listpack(l) = self {
            let mut d = Dict::with_capacity(l.len());
            for (f, v) in l.iter() {
                d.insert(f, v);
            }
            *self = Hash::Table(Arc::new(d));
        }
    }

    /// Redis's hashTypeTryConversion: converts before a write if any of the given
    /// arguments (fields and values) is too long for a listpack.
    pub fn try_conversion<'a>(
        &mut self,
        args: impl IntoIterator<Item = &'a [u8]>,
        lim: &HashLimits,
    ) {
        if matches!(self, Hash::Listpack(_)) && args.into_iter().any(|a| a.len() > lim.max_value) {
            self.convert();
        }
    }

    /// Sets a field (Redis's hashTypeSet); true if the field is new.
    pub fn set(&mut self, field: &[u8], val: &[u8], lim: &HashLimits) -> bool {
        if let Hash::Listpack(_) = self {
            if field.len() > lim.max_value || val.len() > lim.max_value {
                self.convert();
            }
        }
        match self {
            Hash::Listpack(l) => {
                let new = l.insert(field, val);
                if l.len() > lim.max_entries {
                    self.convert();
                }
                new
            }
            Hash::Table(d) => Arc::make_mut(d).insert(field, val),
        }
    }

    /// Deletes a field; true if it existed.
    pub fn remove(&mut self, field: &[u8]) -> bool {
        match self {
            Hash::Listpack(l) => l.remove(field),
            Hash::Table(d) => Arc::make_mut(d).remove(field).is_some(),
        }
    }

    /// Every (field, value), in encoding order.
    pub fn iter(&self) -> Iter<'_> {
        match self {
            Hash::Listpack(l) => Iter::Listpack(l.iter()),
            Hash::Table(d) => Iter::Table(Box::new(d.iter())),
        }
    }

    /// A uniformly random pair (the hash must not be empty).
    pub fn random(&self) -> (&[u8], &[u8]) {
        match self {
            Hash::Listpack(l) => l.nth(dict::rand_below(l.len())),
            Hash::Table(d) => {
                let b = d.random().expect("random on empty hash");
                (b.key(), b.val())
            }
        }
    }

    /// One HSCAN step. A listpack is returned whole with cursor 0, as Redis does.
    pub fn scan(&self, cursor: u64, mut f: impl FnMut(&[u8], &[u8])) -> u64 {
        match self {
            Hash::Listpack(l) => {
                for (k, v) in l.iter() {
                    f(k, v);
                }
                0
            }
            Hash::Table(d) => d.scan(cursor, |b| f(b.key(), b.val())),
        }
    }

    /// Heap bytes held (the table's `Arc` allocation included).
    pub fn mem_usage(&self) -> usize {
        match self {
            Hash::Listpack(l) => l.mem_usage(),
            Hash::Table(d) => dict::arc_size::<true>() + d.mem_usage(),
        }
    }
}

/// Iterator over a hash's pairs.
pub enum Iter<'a> {
    Listpack(listpack::Iter<'a>),
    Table(Box<dyn Iterator<Item = &'a Blob<true>> + 'a>),
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Listpack(i) => i.next(),
            Iter::Table(i) => i.next().map(|b| (b.key(), b.val())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_like_redis() {
        let lim = HashLimits {
            max_entries: 4,
            max_value: 8,
        };
        let mut h = Hash::new();
        for i in 0..4 {
            h.set(format!("f{i}").as_bytes(), b"v", &lim);
        }
        assert_eq!(h.encoding(), "listpack");
        h.set(b"f4", b"v", &lim);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.len(), 5);
        h.remove(b"f4");
        assert_eq!(h.encoding(), "hashtable", "never converts back");

        let mut h = Hash::new();
        h.set(b"f", b"12345678", &lim);
        assert_eq!(h.encoding(), "listpack");
        h.set(b"f", b"123456789", &lim);
        assert_eq!(h.encoding(), "hashtable");
        assert_eq!(h.get(b"f"), Some(&b"123456789"[..]));

        let mut h = Hash::new();
        h.try_conversion([&b"short"[..], &b"much too long"[..]], &lim);
        assert_eq!(h.encoding(), "hashtable");
    }

    #[test]
    fn scan_listpack_in_one_call() {
        let mut h = Hash::new();
        h.set(b"a", b"1", &HashLimits::default());
        h.set(b"b", b"2", &HashLimits::default());
        let mut n = 0;
        assert_eq!(h.scan(0, |_, _| n += 1), 0);
        assert_eq!(n, 2);
    }
}
