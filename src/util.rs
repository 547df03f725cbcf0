//! Small pure helpers shared by the command groups: glob matching and number
//! parsing/formatting with Redis's exact semantics.

pub mod glob;
pub mod number;
pub mod splitargs;
