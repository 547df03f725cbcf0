//! The hash value type. (Placeholder: the full type with its compact encodings
//! replaces this file.)

/// A Redis hash.
#[derive(Clone, Debug, Default)]
pub struct Hash {
    len: usize,
}

impl Hash {
    /// Redis's OBJECT ENCODING name for the current encoding.
    pub fn encoding(&self) -> &'static str {
        "listpack"
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
