//! A client's own subscriptions (the server's channel and pattern tables and
//! the publish fan-out are in pubsub.rs).

use std::collections::HashSet;

use bytes::Bytes;

/// One client's subscriptions.
#[derive(Default, Debug)]
pub struct ClientSubs {
    pub channels: HashSet<Bytes>,
    pub shard_channels: HashSet<Bytes>,
    /// In subscription order (PUNSUBSCRIBE without arguments follows it, as Redis's list).
    pub patterns: Vec<Bytes>,
}
