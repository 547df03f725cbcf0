//! Persistence: the RDB format (`persist/rdb.rs`, Redis's rdb.c / rdb.h), used for
//! dump files, DUMP/RESTORE payloads and (later) the AOF base and full sync.
//!
//! The format code here is pure: it reads from a `Read` and writes to a `Write`,
//! and never touches the server. The snapshot thread, SAVE/BGSAVE and loading at
//! startup drive it from outside.

pub mod rdb;
