//! oxidis: a Redis-compatible in-memory data-structure server.
//!
//! ```text
//!  main.rs      CLI, config, logging, start the reactor
//!  reactor.rs   mio loop: accept, read, parse, call(), before_sleep writes, cron
//!  listen.rs    the listening sockets, rebound by CONFIG SET port/bind
//!  client.rs    per-connection state; client/reply.rs the RESP2/RESP3 writer
//!  resp/        request parser (multibulk and inline)
//!  command.rs   the command table (rows, name index, stats); command/spec.rs
//!               key specs and docs; no handler or server in this layer
//!  cmd.rs       call() and the handlers' rows; cmd/<group>.rs one file per group
//!  server.rs    Server: databases, config, stats, lazy-free thread, cron work
//!  evict.rs     maxmemory and key eviction; alloc.rs jemalloc, used_memory
//!  db.rs        Db: expiry semantics over db/table.rs (segmented CoW table),
//!               db/segment.rs (one small hash table), db/entry.rs (one key)
//!  config.rs    directive table, redis.conf parser, CONFIG GET/SET
//!  info.rs      INFO sections
//!  pubsub.rs    channel/pattern tables and the publish fan-out;
//!               notify.rs keyspace notifications published through it
//!  slowlog.rs   SLOWLOG entries; latency.rs LATENCY events and histograms
//!  persist/     RDB format (dump files, DUMP/RESTORE payloads)
//!  repl.rs      propagation (call() -> MULTI/EXEC units -> the stream);
//!               repl/master.rs SYNC/PSYNC, replicas, REPLCONF, INFO replication
//!  tracking.rs  client-side caching: CLIENT TRACKING table and invalidations
//!  pause.rs     CLIENT PAUSE: held clients, the static dataset meanwhile
//!  error.rs     every error text, as Redis spells it
//!  util/        glob matching, number parsing/formatting, argument splitting
//! ```
//!
//! ARCHITECTURE.md (at the repository's root) describes the design this follows.

pub mod alloc;
pub mod blocked;
pub mod client;
pub mod cmd;
pub mod command;
pub mod config;
pub mod db;
pub mod error;
pub mod evict;
pub mod info;
pub mod latency;
pub mod listen;
pub mod logging;
pub mod notify;
pub mod pause;
pub mod persist;
pub mod pubsub;
pub mod reactor;
pub mod repl;
pub mod resp;
pub mod server;
pub mod slowlog;
pub mod supervise;
pub mod tracking;
pub mod util;
