//! Aggregate values (lists, hashes, sets, sorted sets) held behind an `Arc` in an entry, so a
//! snapshot shares them until one is modified (`Entry::obj_mut` copies an object
//! only when a snapshot still holds it).
//!
//! Each type lives in its own module with its compact encodings and Redis's
//! encoding names (`listpack`, `quicklist`, `intset`, `hashtable`, `skiplist`).

use super::hash::Hash;
use super::list::List;
use super::set::Set;
use super::zset::Zset;

/// An aggregate value.
#[derive(Clone, Debug)]
pub enum Object {
    List(List),
    Hash(Hash),
    Set(Set),
    Zset(Zset),
}

impl Object {
    /// Redis's TYPE name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Object::List(_) => "list",
            Object::Hash(_) => "hash",
            Object::Set(_) => "set",
            Object::Zset(_) => "zset",
        }
    }

    /// Redis's OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        match self {
            Object::List(l) => l.encoding(),
            Object::Hash(h) => h.encoding(),
            Object::Set(s) => s.encoding(),
            Object::Zset(z) => z.encoding(),
        }
    }

    /// Number of elements (for emptiness checks and lazy-free decisions).
    pub fn len(&self) -> usize {
        match self {
            Object::List(l) => l.len(),
            Object::Hash(h) => h.len(),
            Object::Set(s) => s.len(),
            Object::Zset(z) => z.len(),
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
            Object::Set(s) if s.encoding() == "hashtable" => s.len(),
            Object::Hash(h) if h.encoding() == "hashtable" => h.len(),
            Object::Zset(z) => z.free_effort(),
            _ => 1,
        }
    }
}
