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
//!  util      (nothing)        glob matching, number parsing/formatting, geohash, argument
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
//!                             state (client/*.rs), its CLIENT LIST line (client/info.rs);
//!                             every client by token, the current one, and the writes
//!                             and closes they wait for (client/registry.rs)
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
//!  reactor.rs   mio loop: accept, read, parse, process_command(), before_sleep
//!               writes, cron
//!  cmd.rs       process_command() (checks, MULTI queueing) and call() (run, count,
//!               propagate); the handlers' rows; cmd/<group>.rs one file per group
//!  blocked.rs   blocking commands: the per-key FIFO queues, timeouts, re-runs
//!  pubsub.rs    channel/pattern tables and the publish fan-out
//!  notify.rs    keyspace notifications, published through pubsub.rs
//!  tracking.rs  client-side caching: the key table and invalidations
//!  pause.rs     CLIENT PAUSE: held clients, the static dataset meanwhile
//!  repl.rs      propagation (call() -> MULTI/EXEC units -> the stream);
//!               repl/master.rs SYNC/PSYNC, replicas, REPLCONF, INFO replication;
//!               repl/backlog.rs the backlog; repl/replica.rs the replica role
//!               (REPLICAOF, the link to the master, applying its stream);
//!               repl/wait.rs WAIT (GETACK, acknowledged offsets)
//!  persist/     RDB format (dump files, DUMP/RESTORE payloads), snapshots, loading
//!  evict.rs     maxmemory and key eviction
//!  info.rs      INFO sections
//!  slowlog.rs   SLOWLOG entries; latency.rs LATENCY events and histograms
//!  listen.rs    the listening sockets, rebound by CONFIG SET port/bind
//!  logging.rs   logging in Redis's format; supervise.rs systemd/upstart readiness
//!  main.rs      CLI, config, logging, start the reactor (the binary, above all)
//! ```
//!
//! ## A command's path
//!
//! The reactor parses a client's input and hands each command to
//! `cmd::process_command` (Redis's processCommand): lookup, arity, protected
//! commands, auth, maxmemory (evicting first), MISCONF, min-replicas,
//! subscribe mode, loading, CLIENT PAUSE, and MULTI queueing. What passes goes
//! to `cmd::call` (Redis's call): the handler, commandstats, latency, slowlog,
//! MONITOR, tracking and propagation, with one nesting depth
//! (`Server::call_depth`). Whatever runs a command on a client's behalf calls
//! `call` only, never the checks again: EXEC for its queue, a woken blocked
//! client's re-run (blocked.rs). A command held by CLIENT PAUSE is the
//! client's own, not yet processed: when the pause ends it goes through
//! `process_command` again, as Redis re-processes it.
//!
//! ## Who owns the clients
//!
//! `Server::clients` (client/registry.rs) holds every client by slab token. At
//! most one is *current*, taken out through `Server::with_client` only, while
//! it runs a command or an event of its own (a read, a write, a timeout, the
//! re-run of its blocked command); a handler gets it as `&mut Client` beside
//! `&mut Server`. The reactor takes a client out for one command at a time and
//! puts it back before serving the blocked clients that command woke, each of
//! which is then current in turn. So while a command runs every other client is
//! in the slab, and its effects on them (PUBLISH fan-out, keyspace events,
//! tracking invalidations, WATCH marks, MONITOR lines, CLIENT KILL/UNBLOCK,
//! feeding replicas) are applied the moment they happen, in order, through
//! `Clients::get_mut_or`, which resolves the current client from the caller's
//! `&mut Client`. No effect waits for a client to come back and none is
//! retried. Reads of all clients (CLIENT LIST/KILL filters, INFO clients and
//! memory, eviction accounting, DEBUG) go through `Clients::all`, which
//! includes the current one. Clients are freed in `before_sleep`, never in the
//! middle of a batch of events.
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
