//! Aggregate values (lists, hashes, sets, sorted sets, streams) held behind an `Arc`
//! in an entry, so a snapshot shares them until one is modified.
//!
//! The aggregate types land with their command groups; each adds a variant here.

/// An aggregate value.
#[derive(Clone, Debug)]
pub enum Object {}

impl Object {
    /// Redis's TYPE name.
    pub fn type_name(&self) -> &'static str {
        match *self {}
    }

    /// Redis's OBJECT ENCODING name.
    pub fn encoding(&self) -> &'static str {
        match *self {}
    }
}
