//! Every connected client, by slab token, and who may touch which.
//!
//! At most one client is *current*: taken out of the slab while it runs a
//! command or an event of its own (its input, a write, a timeout, a re-run of
//! its blocked command), through `Server::with_client` only. The handler gets
//! it as `&mut Client` beside `&mut Server`; every other client stays in the
//! slab. So an effect on another client (a PUBLISH message, a tracking
//! invalidation, a WATCH mark, a MONITOR line, CLIENT KILL or UNBLOCK) finds it
//! here at once and is applied in the order it happens: nothing is ever out for
//! a second reason, and nothing has to be kept for later and retried. A lookup
//! that must include the current client (CLIENT LIST, a redirect target, a
//! subscriber publishing to itself) goes through [`Clients::get_mut_or`] /
//! [`Clients::all`], which resolve the current one from the caller's `&mut
//! Client`.
//!
//! Output scheduling lives here too: [`Clients::schedule_write`] queues a
//! client's reply for `before_sleep` (or closes it when over its output
//! limit), for the current client and for others alike.

use slab::Slab;

use super::{flags as cf, Client};
use crate::config::ObufLimit;

#[derive(Default)]
pub struct Clients {
    slab: Slab<Option<Box<Client>>>,
    /// Token of the current client (out of the slab), if any.
    current: Option<usize>,
    /// Tokens of clients with replies to write in before_sleep.
    pub pending_writes: Vec<usize>,
    /// Tokens of clients to free in before_sleep.
    pub to_close: Vec<usize>,
}

impl Clients {
    /// Connected clients, the current one included.
    pub fn len(&self) -> usize {
        self.slab.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slab.is_empty()
    }

    /// The token the next [`Clients::insert`] will use.
    pub fn next_token(&self) -> usize {
        self.slab.vacant_key()
    }

    pub fn insert(&mut self, c: Client) -> usize {
        self.slab.insert(Some(Box::new(c)))
    }

    /// Removes a client that is not current (freed in before_sleep).
    pub fn remove(&mut self, token: usize) -> Option<Box<Client>> {
        debug_assert_ne!(self.current, Some(token), "freeing the current client");
        self.slab.try_remove(token).flatten()
    }

    /// Takes `token` out as the current client (for `Server::with_client`).
    pub(crate) fn take_current(&mut self, token: usize) -> Option<Box<Client>> {
        debug_assert!(self.current.is_none(), "two current clients");
        let c = self.slab.get_mut(token)?.take()?;
        self.current = Some(token);
        Some(c)
    }

    /// Puts the current client back.
    pub(crate) fn put_back(&mut self, c: Box<Client>) {
        debug_assert_eq!(self.current, Some(c.token));
        let token = c.token;
        self.slab[token] = Some(c);
        self.current = None;
    }

    /// A client other than the current one.
    pub fn get(&self, token: usize) -> Option<&Client> {
        self.slab.get(token).and_then(|s| s.as_deref())
    }

    /// A client other than the current one.
    pub fn get_mut(&mut self, token: usize) -> Option<&mut Client> {
        self.slab.get_mut(token).and_then(|s| s.as_deref_mut())
    }

    /// Client `token`, which may be `cur` (the current client, in the caller's
    /// hands): the one accessor for effects on any client during a command.
    pub fn get_mut_or<'a>(
        &'a mut self,
        cur: Option<&'a mut Client>,
        token: usize,
    ) -> Option<&'a mut Client> {
        match cur {
            Some(c) if c.token == token => Some(c),
            _ => self.get_mut(token),
        }
    }

    /// Every client in token order, the current one (`cur`) in its place.
    pub fn all<'a>(&'a self, cur: Option<&'a Client>) -> impl Iterator<Item = &'a Client> + 'a {
        self.slab.iter().filter_map(move |(t, s)| match s {
            Some(c) => Some(&**c),
            None => cur.filter(|c| c.token == t),
        })
    }

    /// Tokens of every client, the current one included, in token order.
    pub fn tokens(&self) -> impl Iterator<Item = usize> + '_ {
        self.slab.iter().map(|(t, _)| t)
    }

    /// Marks a client to be freed in before_sleep (CLIENT KILL, limits).
    pub fn close_asap(&mut self, c: &mut Client) {
        if !c.has(cf::CLOSE_ASAP) {
            c.flags |= cf::CLOSE_ASAP;
            self.to_close.push(c.token);
        }
    }

    /// [`Clients::close_asap`] for a client other than the current one.
    pub fn close_other_asap(&mut self, token: usize) {
        if let Some(c) = self.slab.get_mut(token).and_then(|s| s.as_deref_mut()) {
            if !c.has(cf::CLOSE_ASAP) {
                c.flags |= cf::CLOSE_ASAP;
                self.to_close.push(token);
            }
        }
    }

    /// Queues a client's output for before_sleep, closing the client instead if
    /// its output buffer is over `client-output-buffer-limit`.
    pub fn schedule_write(&mut self, c: &mut Client, limits: &[ObufLimit; 3], now_ms: i64) {
        schedule(
            c,
            limits,
            now_ms,
            &mut self.pending_writes,
            &mut self.to_close,
        );
    }

    /// [`Clients::schedule_write`] for a client other than the current one.
    pub fn schedule_other(&mut self, token: usize, limits: &[ObufLimit; 3], now_ms: i64) {
        if let Some(c) = self.slab.get_mut(token).and_then(|s| s.as_deref_mut()) {
            schedule(
                c,
                limits,
                now_ms,
                &mut self.pending_writes,
                &mut self.to_close,
            );
        }
    }
}

fn schedule(
    c: &mut Client,
    limits: &[ObufLimit; 3],
    now_ms: i64,
    pending: &mut Vec<usize>,
    to_close: &mut Vec<usize>,
) {
    c.note_reply_peak();
    if c.has(cf::OBUF_LIMIT) || (c.pending_out() > 0 && c.check_output_limits(limits, now_ms)) {
        if !c.has(cf::CLOSE_ASAP) {
            log::warn!(
                "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
                super::info::client_info_line(c, now_ms)
            );
            c.flags |= cf::CLOSE_ASAP;
            to_close.push(c.token);
        }
        c.flags |= cf::OBUF_LIMIT;
        c.clear_out();
        return;
    }
    if (c.pending_out() > 0 || c.has(cf::CLOSE_AFTER_REPLY)) && !c.has(cf::PENDING_WRITE) {
        c.flags |= cf::PENDING_WRITE;
        pending.push(c.token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Conn;
    use mio::net::UnixStream;

    fn client(reg: &Clients, id: u64) -> (Client, UnixStream) {
        let (ours, peer) = UnixStream::pair().expect("socketpair");
        let token = reg.next_token();
        let c = Client::new(id, Conn::Unix(ours), token, String::new(), String::new(), 0);
        (c, peer)
    }

    /// The current client is out of the slab, yet every accessor that takes
    /// it from the caller finds it, and every other client is reachable.
    #[test]
    fn current_client_is_resolved_by_every_accessor() {
        let mut reg = Clients::default();
        let mut peers = Vec::new();
        for id in 1..=3 {
            let (c, peer) = client(&reg, id);
            peers.push(peer);
            reg.insert(c);
        }
        let mut cur = reg.take_current(1).expect("client 1");
        assert!(
            reg.get(1).is_none(),
            "the current client is out of the slab"
        );
        assert_eq!(reg.len(), 3);
        let ids: Vec<u64> = reg.all(Some(&cur)).map(|c| c.id).collect();
        assert_eq!(ids, [1, 2, 3]);
        assert_eq!(reg.all(None).count(), 2);
        assert_eq!(reg.get_mut_or(Some(&mut cur), 1).map(|c| c.id), Some(2));
        assert_eq!(reg.get_mut_or(Some(&mut cur), 2).map(|c| c.id), Some(3));
        assert_eq!(reg.get_mut_or(None, 0).map(|c| c.id), Some(1));
        reg.close_other_asap(2);
        reg.close_other_asap(2);
        reg.close_asap(&mut cur);
        assert_eq!(reg.to_close, [2, 1]);
        reg.put_back(cur);
        assert_eq!(reg.get(1).map(|c| c.id), Some(2));
        assert!(reg.remove(1).is_some());
        assert_eq!(reg.len(), 2);
    }
}
