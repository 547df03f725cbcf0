//! Persistence: the RDB format (`persist/rdb.rs`, Redis's rdb.c / rdb.h), used for
//! dump files, DUMP/RESTORE payloads and a replica's full sync, the fork-free
//! snapshot machinery (`persist/snapshot.rs`: SAVE, BGSAVE, save points and the
//! final save on shutdown), and loading a dataset while the event
//! loop keeps serving clients (`persist/loading.rs`).
//!
//! The format code is pure: it reads from a `Read` and writes to a `Write`, and
//! never touches the server; the snapshot code drives it.

pub mod aof;
pub mod loading;
pub mod rdb;
pub mod share;
pub mod snapshot;
