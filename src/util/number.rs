//! Number parsing and formatting with Redis semantics.
