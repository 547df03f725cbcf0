//! Publish/subscribe (Redis's pubsub.c): the server-side tables of channels,
//! shard channels and patterns, and the publish fan-out (each client's own
//! subscription sets are in client/pubsub.rs).
//!
//! A message is appended to each receiver's output buffer while the publishing
//! command runs, as Redis does, and the receiver is queued for writing through
//! [`Server::schedule_write`], which also applies `client-output-buffer-limit
//! pubsub` (the `PUBSUB` client flag selects that class): a subscriber too slow
//! to keep up is closed and nobody else is affected.
//!
//! The running client is the current one (client/registry.rs), out of the
//! slab, so every function that may deliver to it takes it as an argument: a
//! RESP3 client subscribed to a channel it publishes to gets its push frame
//! before the command's reply. Every other receiver is in the slab.
//!
//! Standalone semantics of Redis 7.0: shard channels (SSUBSCRIBE/SPUBLISH) are a
//! separate namespace, delivered as `smessage`, not matched by patterns.

use std::collections::HashMap;

use bytes::Bytes;

use crate::client::{flags as cflags, Client};
use crate::server::Server;
use crate::util::glob::string_match;

/// Which namespace a channel lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// SUBSCRIBE / PUBLISH.
    Global,
    /// SSUBSCRIBE / SPUBLISH.
    Shard,
}

impl Kind {
    fn subscribe_msg(self) -> &'static [u8] {
        match self {
            Kind::Global => b"subscribe",
            Kind::Shard => b"ssubscribe",
        }
    }

    fn unsubscribe_msg(self) -> &'static [u8] {
        match self {
            Kind::Global => b"unsubscribe",
            Kind::Shard => b"sunsubscribe",
        }
    }

    fn message_msg(self) -> &'static [u8] {
        match self {
            Kind::Global => b"message",
            Kind::Shard => b"smessage",
        }
    }
}

/// The server's side: who listens to what. Subscriber lists keep subscription
/// order, which is the delivery order.
#[derive(Default)]
pub struct PubSub {
    /// channel -> tokens of the subscribed clients.
    pub channels: HashMap<Bytes, Vec<usize>>,
    /// shard channel -> tokens.
    pub shard_channels: HashMap<Bytes, Vec<usize>>,
    /// pattern -> tokens.
    pub patterns: HashMap<Bytes, Vec<usize>>,
}

impl PubSub {
    fn table(&mut self, kind: Kind) -> &mut HashMap<Bytes, Vec<usize>> {
        match kind {
            Kind::Global => &mut self.channels,
            Kind::Shard => &mut self.shard_channels,
        }
    }

    /// Number of subscribers of a channel (PUBSUB NUMSUB / SHARDNUMSUB).
    pub fn numsub(&self, kind: Kind, channel: &[u8]) -> usize {
        let t = match kind {
            Kind::Global => &self.channels,
            Kind::Shard => &self.shard_channels,
        };
        t.get(channel).map_or(0, |v| v.len())
    }
}

fn remove_token(map: &mut HashMap<Bytes, Vec<usize>>, name: &[u8], token: usize) {
    if let Some(v) = map.get_mut(name) {
        if let Some(i) = v.iter().position(|&t| t == token) {
            v.remove(i);
        }
        if v.is_empty() {
            map.remove(name);
        }
    }
}

/// Channels plus patterns (the count global subscribe replies carry).
pub fn subscription_count(c: &Client) -> usize {
    c.pubsub
        .as_ref()
        .map_or(0, |s| s.channels.len() + s.patterns.len())
}

/// Shard channels (the count shard subscribe replies carry).
pub fn shard_subscription_count(c: &Client) -> usize {
    c.pubsub.as_ref().map_or(0, |s| s.shard_channels.len())
}

fn count_for(c: &Client, kind: Kind) -> usize {
    match kind {
        Kind::Global => subscription_count(c),
        Kind::Shard => shard_subscription_count(c),
    }
}

/// Every subscription of any kind.
pub fn total_subscriptions(c: &Client) -> usize {
    subscription_count(c) + shard_subscription_count(c)
}

/// Clears the subscribe-mode flag once nothing is left (Redis clears
/// CLIENT_PUBSUB only when no subscription of any kind remains).
pub fn update_mode(c: &mut Client) {
    if total_subscriptions(c) == 0 {
        c.flags &= !cflags::PUBSUB;
        c.pubsub = None;
    }
}

/// `[subscribe|ssubscribe, channel, count]` (or the unsubscribe form), `channel`
/// None giving a null (unsubscribing from nothing). Out-of-band, as every
/// message here: CLIENT REPLY OFF/SKIP does not silence it.
fn reply_subscription(c: &mut Client, verb: &[u8], channel: Option<&[u8]>, count: usize) {
    c.pushing(|c| {
        c.add_push_len(3);
        c.add_bulk(verb);
        match channel {
            Some(ch) => c.add_bulk(ch),
            None => c.add_null(),
        }
        c.add_int(count as i64);
    });
}

/// Subscribes `c` to a channel and replies.
pub fn subscribe_channel(srv: &mut Server, c: &mut Client, kind: Kind, channel: &Bytes) {
    let subs = c.pubsub.get_or_insert_with(Default::default);
    let set = match kind {
        Kind::Global => &mut subs.channels,
        Kind::Shard => &mut subs.shard_channels,
    };
    if set.insert(channel.clone()) {
        srv.pubsub
            .table(kind)
            .entry(channel.clone())
            .or_default()
            .push(c.token);
    }
    let n = count_for(c, kind);
    reply_subscription(c, kind.subscribe_msg(), Some(channel), n);
}

/// Unsubscribes `c` from a channel; replies when `notify`. Returns whether it was
/// subscribed.
pub fn unsubscribe_channel(
    srv: &mut Server,
    c: &mut Client,
    kind: Kind,
    channel: &[u8],
    notify: bool,
) -> bool {
    let removed = match c.pubsub.as_mut() {
        Some(s) => match kind {
            Kind::Global => s.channels.remove(channel),
            Kind::Shard => s.shard_channels.remove(channel),
        },
        None => false,
    };
    if removed {
        remove_token(srv.pubsub.table(kind), channel, c.token);
    }
    if notify {
        let n = count_for(c, kind);
        reply_subscription(c, kind.unsubscribe_msg(), Some(channel), n);
    }
    removed
}

/// Unsubscribes `c` from every channel of `kind`; replies when `notify` (one reply
/// per channel, or a single reply with a null channel when there were none).
pub fn unsubscribe_all_channels(srv: &mut Server, c: &mut Client, kind: Kind, notify: bool) {
    let list: Vec<Bytes> = match c.pubsub.as_ref() {
        Some(s) => match kind {
            Kind::Global => s.channels.iter().cloned().collect(),
            Kind::Shard => s.shard_channels.iter().cloned().collect(),
        },
        None => Vec::new(),
    };
    for ch in &list {
        unsubscribe_channel(srv, c, kind, ch, notify);
    }
    if notify && list.is_empty() {
        let n = count_for(c, kind);
        reply_subscription(c, kind.unsubscribe_msg(), None, n);
    }
}

/// Subscribes `c` to a pattern and replies.
pub fn subscribe_pattern(srv: &mut Server, c: &mut Client, pattern: &Bytes) {
    let subs = c.pubsub.get_or_insert_with(Default::default);
    if !subs.patterns.contains(pattern) {
        subs.patterns.push(pattern.clone());
        srv.pubsub
            .patterns
            .entry(pattern.clone())
            .or_default()
            .push(c.token);
    }
    let n = subscription_count(c);
    reply_subscription(c, b"psubscribe", Some(pattern), n);
}

/// Unsubscribes `c` from a pattern; replies when `notify`.
pub fn unsubscribe_pattern(srv: &mut Server, c: &mut Client, pattern: &[u8], notify: bool) {
    let mut removed = false;
    if let Some(s) = c.pubsub.as_mut() {
        if let Some(i) = s.patterns.iter().position(|p| p == pattern) {
            s.patterns.remove(i);
            removed = true;
        }
    }
    if removed {
        remove_token(&mut srv.pubsub.patterns, pattern, c.token);
    }
    if notify {
        let n = subscription_count(c);
        reply_subscription(c, b"punsubscribe", Some(pattern), n);
    }
}

/// Unsubscribes `c` from every pattern, in subscription order.
pub fn unsubscribe_all_patterns(srv: &mut Server, c: &mut Client, notify: bool) {
    let list: Vec<Bytes> = c
        .pubsub
        .as_ref()
        .map(|s| s.patterns.clone())
        .unwrap_or_default();
    for p in &list {
        unsubscribe_pattern(srv, c, p, notify);
    }
    if notify && list.is_empty() {
        let n = subscription_count(c);
        reply_subscription(c, b"punsubscribe", None, n);
    }
}

/// Drops every subscription without replying (RESET, and a client being freed).
pub fn unsubscribe_everything(srv: &mut Server, c: &mut Client) {
    if c.pubsub.is_some() {
        unsubscribe_all_channels(srv, c, Kind::Global, false);
        unsubscribe_all_channels(srv, c, Kind::Shard, false);
        unsubscribe_all_patterns(srv, c, false);
    }
    c.flags &= !cflags::PUBSUB;
    c.pubsub = None;
}

/// A message frame in both protocols, encoded once per publish and per protocol.
struct Frame {
    resp2: Option<Vec<u8>>,
    resp3: Option<Vec<u8>>,
}

fn push_bulk(out: &mut Vec<u8>, b: &[u8]) {
    out.push(b'$');
    out.extend_from_slice(b.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(b);
    out.extend_from_slice(b"\r\n");
}

fn encode(resp3: bool, parts: &[&[u8]]) -> Vec<u8> {
    let len: usize = parts.iter().map(|p| p.len() + 16).sum();
    let mut out = Vec::with_capacity(len + 8);
    out.push(if resp3 { b'>' } else { b'*' });
    out.extend_from_slice(parts.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    for p in parts {
        push_bulk(&mut out, p);
    }
    out
}

impl Frame {
    fn new() -> Frame {
        Frame {
            resp2: None,
            resp3: None,
        }
    }

    fn get(&mut self, resp: u8, parts: &[&[u8]]) -> &[u8] {
        let slot = if resp >= 3 {
            &mut self.resp3
        } else {
            &mut self.resp2
        };
        slot.get_or_insert_with(|| encode(resp >= 3, parts))
    }
}

/// Appends `frame` to the client `token`'s output: the running client directly
/// (ahead of its reply), another one in the slab with `schedule_write` (which
/// enforces the output-buffer limit).
fn deliver(
    srv: &mut Server,
    cur: &mut Option<&mut Client>,
    token: usize,
    frame: &mut Frame,
    parts: &[&[u8]],
) {
    if let Some(c) = cur.as_deref_mut() {
        if c.token == token {
            let bytes = frame.get(c.resp, parts);
            c.add_push_raw(bytes);
            return;
        }
    }
    let Some(other) = srv.clients.get_mut(token) else {
        return;
    };
    if !other.has(cflags::CLOSE_ASAP) {
        if other.pending_out() == 0 {
            other.flags |= cflags::PUSH_ONLY;
        }
        let bytes = frame.get(other.resp, parts);
        other.add_push_raw(bytes);
        srv.schedule_write_of(token);
    }
}

/// Publishes `msg` on `channel` to channel subscribers and, for the global
/// namespace, to every matching pattern. `cur` is the running client, if any.
/// Returns the number of receivers (a client matched twice counts twice).
pub fn publish(
    srv: &mut Server,
    mut cur: Option<&mut Client>,
    kind: Kind,
    channel: &[u8],
    msg: &[u8],
) -> usize {
    let mut receivers = 0;
    let direct: Vec<usize> = match kind {
        Kind::Global => srv.pubsub.channels.get(channel),
        Kind::Shard => srv.pubsub.shard_channels.get(channel),
    }
    .cloned()
    .unwrap_or_default();
    if !direct.is_empty() {
        let parts: [&[u8]; 3] = [kind.message_msg(), channel, msg];
        let mut frame = Frame::new();
        for t in direct {
            deliver(srv, &mut cur, t, &mut frame, &parts);
            receivers += 1;
        }
    }
    if kind == Kind::Shard || srv.pubsub.patterns.is_empty() {
        return receivers;
    }
    let matched: Vec<(Bytes, Vec<usize>)> = srv
        .pubsub
        .patterns
        .iter()
        .filter(|(p, _)| string_match(p, channel, false))
        .map(|(p, v)| (p.clone(), v.clone()))
        .collect();
    for (pat, tokens) in matched {
        let parts: [&[u8]; 4] = [b"pmessage", &pat, channel, msg];
        let mut frame = Frame::new();
        for t in tokens {
            deliver(srv, &mut cur, t, &mut frame, &parts);
            receivers += 1;
        }
    }
    receivers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_match_redis_encoding() {
        assert_eq!(
            encode(false, &[b"message", b"ch", b"hi"]),
            b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n"
        );
        assert_eq!(
            encode(true, &[b"pmessage", b"c*", b"ch", b""]),
            b">4\r\n$8\r\npmessage\r\n$2\r\nc*\r\n$2\r\nch\r\n$0\r\n\r\n"
        );
    }

    #[test]
    fn remove_token_drops_empty_entries() {
        let mut m: HashMap<Bytes, Vec<usize>> = HashMap::new();
        m.insert(Bytes::from_static(b"a"), vec![1, 2]);
        remove_token(&mut m, b"a", 1);
        assert_eq!(m[&b"a"[..]], vec![2]);
        remove_token(&mut m, b"a", 2);
        assert!(m.is_empty());
    }
}
