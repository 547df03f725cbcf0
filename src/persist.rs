//! Persistence: the RDB format (`persist/rdb.rs`, Redis's rdb.c / rdb.h), used for
//! dump files, DUMP/RESTORE payloads and (later) the AOF base and full sync, and
//! the fork-free snapshot machinery (`persist/snapshot.rs`: SAVE, BGSAVE, save
//! points, the final save on shutdown and the load at start-up).
//!
//! The format code is pure: it reads from a `Read` and writes to a `Write`, and
//! never touches the server; the snapshot code drives it.

pub mod rdb;
pub mod share;
pub mod snapshot;
