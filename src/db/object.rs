//! Aggregate values (lists, hashes, sets, sorted sets), held by value inside the entry's
//! allocation (no allocation of their own).
//!
//! Each type is at most two words: a compact encoding is one thin buffer
//! pointer ([`super::packed::Packed`]), a big encoding an `Arc` of its structure
//! (dict, quicklist chain, zset index). Cloning an object (what copy-on-write of an entry
//! does while a snapshot holds it) thus copies one small buffer or bumps one
//! refcount, and a big structure is copied only when it is itself written
//! (`Arc::make_mut` in the type's write methods) while the snapshot still
//! shares it.
//!
//! Each type lives in its own module with its compact encodings and Redis's
//! encoding names (`listpack`, `quicklist`, `intset`, `hashtable`, `skiplist`).

use super::hash::Hash;
use super::list::List;
use super::set::Set;
use super::stream::Stream;
use super::zset::Zset;

/// An aggregate value.
#[derive(Clone, Debug)]
pub enum Object {
    List(List),
    Hash(Hash),
    Set(Set),
    Zset(Zset),
    Stream(Stream),
}

impl Object {
    /// Redis's TYPE name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Object::List(_) => "list",
            Object::Hash(_) => "hash",
            Object::Set(_) => "set",
            Object::Zset(_) => "zset",
            Object::Stream(_) => "stream",
        }
    }

    /// Redis's OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Object::List(l) => l.encoding(),
            Object::Hash(h) => h.encoding(),
            Object::Set(s) => s.encoding(),
            Object::Zset(z) => z.encoding(),
            Object::Stream(_) => "stream",
        }
    }

    /// Number of elements (for emptiness checks and lazy-free decisions).
    pub fn len(&self) -> usize {
        match self {
            Object::List(l) => l.len(),
            Object::Hash(h) => h.len(),
            Object::Set(s) => s.len(),
            Object::Zset(z) => z.len(),
            Object::Stream(s) => s.len() as usize,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Redis's lazyfreeGetFreeEffort: allocations to free (nodes of a quicklist,
    /// entries of a hash table); 1 for the single-allocation encodings.
    pub fn free_effort(&self) -> usize {
        match self {
            Object::List(l) => l.node_count(),
            // A packed small set of strings is one allocation, but it says
            // `hashtable`, so its effort is its length as Redis counts it: the
            // same values go to the free thread (INFO lazyfreed_objects agrees).
            Object::Set(s) if s.encoding() == "hashtable" => s.len(),
            Object::Hash(h) if h.encoding() == "hashtable" => h.len(),
            Object::Zset(z) => z.free_effort(),
            Object::Stream(s) => s.free_effort(),
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::db::entry::{Entry, Value, ValueRef};
    use crate::db::hash::HashLimits;
    use crate::db::list::Fill;

    #[test]
    fn objects_are_small() {
        assert!(std::mem::size_of::<Object>() <= 24);
        assert!(std::mem::size_of::<Hash>() <= 16);
        assert!(std::mem::size_of::<Set>() <= 16);
        assert!(std::mem::size_of::<List>() <= 16);
        assert!(std::mem::size_of::<Stream>() <= 16);
    }

    #[test]
    fn free_effort_counts_allocations() {
        let mut s = Set::new();
        for i in 0..100 {
            s.add(format!("m{i}").as_bytes(), 512);
        }
        assert_eq!(s.encoding(), "hashtable");
        assert_eq!(
            Object::Set(s.clone()).free_effort(),
            100,
            "packed, but a hashtable to Redis's count"
        );
        for i in 100..200 {
            s.add(format!("m{i}").as_bytes(), 512);
        }
        assert_eq!(Object::Set(s).free_effort(), 200);
        let Object::Hash(h) = hash_with(1000) else {
            unreachable!()
        };
        assert_eq!(Object::Hash(h).free_effort(), 1000);
        assert_eq!(hash_with(3).free_effort(), 1);
    }

    fn hash_with(n: usize) -> Object {
        let mut h = Hash::new();
        for i in 0..n {
            h.set(format!("f{i}").as_bytes(), b"v", &HashLimits::default());
        }
        Object::Hash(h)
    }

    fn hash_of(e: &Entry) -> &Hash {
        match e.value() {
            ValueRef::Obj(Object::Hash(h)) => h,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_snapshot_keeps_the_old_value_of_small_and_big_aggregates() {
        for n in [3, 1000] {
            let mut live = Entry::new(b"k", Value::Obj(hash_with(n)), None);
            let snap = live.clone();
            let Some(Object::Hash(h)) = live.obj_mut() else {
                panic!("hash")
            };
            h.set(b"f0", b"new", &HashLimits::default());
            h.set(b"extra", b"x", &HashLimits::default());
            assert_eq!(hash_of(&snap).get(b"f0"), Some(&b"v"[..]), "n={n}");
            assert!(!hash_of(&snap).contains(b"extra"));
            assert_eq!(hash_of(&snap).len(), n);
            assert_eq!(hash_of(&live).get(b"f0"), Some(&b"new"[..]));
            assert_eq!(hash_of(&live).len(), n + 1);
        }

        let mut s = Set::new();
        let mut l = List::new(Fill::new(4));
        for i in 0..100 {
            s.add(format!("m{i}").as_bytes(), 512);
            l.push_back(format!("e{i}").as_bytes());
        }
        for obj in [Object::Set(s), Object::List(l)] {
            let mut live = Entry::new(b"k", Value::Obj(obj), None);
            let snap = live.clone();
            match live.obj_mut().unwrap() {
                Object::Set(s) => assert!(s.remove(b"m5")),
                Object::List(l) => assert!(l.pop(true).is_some()),
                _ => unreachable!(),
            }
            let ValueRef::Obj(old) = snap.value() else {
                panic!()
            };
            let ValueRef::Obj(new) = live.value() else {
                panic!()
            };
            assert_eq!(old.len(), 100);
            assert_eq!(new.len(), 99);
        }
    }

    #[test]
    fn cloning_a_big_object_shares_its_structure() {
        let Object::Hash(h) = hash_with(1000) else {
            unreachable!()
        };
        assert_eq!(h.encoding(), "hashtable");
        let mut c = h.clone();
        match (&h, &c) {
            (Hash::Table(a), Hash::Table(b)) => assert!(Arc::ptr_eq(a, b)),
            _ => panic!("hashtable"),
        }
        // The first write copies the table; the original is untouched.
        c.set(b"f1", b"changed", &HashLimits::default());
        match (&h, &c) {
            (Hash::Table(a), Hash::Table(b)) => assert!(!Arc::ptr_eq(a, b)),
            _ => panic!("hashtable"),
        }
        assert_eq!(h.get(b"f1"), Some(&b"v"[..]));

        let mut s = Set::new();
        for i in 0..1000 {
            s.add(format!("m{i}").as_bytes(), 512);
        }
        let s2 = s.clone();
        match (&s, &s2) {
            (Set::Table(a), Set::Table(b)) => assert!(Arc::ptr_eq(a, b)),
            _ => panic!("hashtable"),
        }
        let mut l = List::new(Fill::new(4));
        for i in 0..1000 {
            l.push_back(format!("e{i}").as_bytes());
        }
        assert!(l.node_count() > 1);
        let l2 = l.clone();
        let first = |l: &List| l.nodes().next().unwrap().as_bytes().as_ptr();
        assert_eq!(first(&l), first(&l2), "the chain is shared, not copied");
    }
}
