//! The set value type. (Placeholder: the full type with its compact encodings
//! replaces this file.)

/// A Redis set.
#[derive(Clone, Debug, Default)]
pub struct Set {
    len: usize,
}

impl Set {
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
