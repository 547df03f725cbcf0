//! Persistence: the RDB format (`rdb`) and the fork-free snapshot machinery
//! (`snapshot`: SAVE, BGSAVE, save points, load at start-up).

pub mod rdb;
pub mod snapshot;
