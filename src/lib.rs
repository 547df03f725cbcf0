//! oxidis: a Redis-compatible in-memory data-structure server.
//!
//! # Layers
//!
//! Layers point down (STYLE.md rule 13): a module uses its own layer and the
//! layers listed before it, never one after it; what a low layer needs from
//! above is passed in or returned as data (the WATCH marks db/watch.rs
//! returns, the output-buffer limits a client is given). `tests/layers.rs`
//! fails on any reference from a layer to a later one.
//!
//! ```text
//!  layer     may use          holds
//!  util      (nothing)        glob matching, number parsing/formatting, argument
//!                             splitting, the version constants
//!  error     util             OpError; the shared error texts, as Redis spells them
//!  alloc     util, error      jemalloc, used_memory
//!  resp      util..alloc      request parser (multibulk and inline), RESP encoding
//!  config    util..resp       directive table (each row: type, typed storage, the
//!                             Apply hook it needs), redis.conf parser, CONFIG GET/SET
//!                             values and their rollback
//!  db        util..config     Db: expiry semantics over db/table.rs (segmented CoW
//!                             table), db/segment.rs, db/entry.rs (one key), the value
//!                             types; WATCH bookkeeping (db/watch.rs); the lazy-free
//!                             thread (db/lazyfree.rs)
//!  client    util..db         per-connection state: buffers, the reply writer
//!                             (client/reply.rs, client/output.rs and its limits), the
//!                             client's own blocking, pub/sub, tracking and replica
//!                             state (client/*.rs), its CLIENT LIST line (client/info.rs)
//!  command   util..client     the command table (rows generic over the handler, name
//!                             index, stats); command/spec.rs key specs and docs;
//!                             command/pending.rs metadata of commands not served yet
//!  server    everything       the server ball below: modules that reach the Server
//!                             or other clients, and use each other freely
//! ```
//!
//! The server ball, one module each:
//!
//! ```text
//!  server.rs    Server: databases, config, stats, cron work, scheduling client writes;
//!               server/config_apply.rs runs CONFIG SET's Apply hooks (and rollback)
//!  reactor.rs   mio loop: accept, read, parse, call(), before_sleep writes, cron
//!  cmd.rs       call() and the handlers' rows; cmd/<group>.rs one file per group
//!  blocked.rs   blocking commands: the per-key FIFO queues, timeouts, re-runs
//!  pubsub.rs    channel/pattern tables and the publish fan-out
//!  notify.rs    keyspace notifications, published through pubsub.rs
//!  tracking.rs  client-side caching: the key table and invalidations
//!  pause.rs     CLIENT PAUSE: held clients, the static dataset meanwhile
//!  repl.rs      propagation (call() -> MULTI/EXEC units -> the stream);
//!               repl/master.rs SYNC/PSYNC, replicas, REPLCONF, INFO replication
//!  persist/     RDB format (dump files, DUMP/RESTORE payloads), snapshots, loading
//!  evict.rs     maxmemory and key eviction
//!  info.rs      INFO sections
//!  slowlog.rs   SLOWLOG entries; latency.rs LATENCY events and histograms
//!  listen.rs    the listening sockets, rebound by CONFIG SET port/bind
//!  logging.rs   logging in Redis's format; supervise.rs systemd/upstart readiness
//!  main.rs      CLI, config, logging, start the reactor (the binary, above all)
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
