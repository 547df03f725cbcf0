//! Glob-style pattern matching (Redis `stringmatchlen`).
