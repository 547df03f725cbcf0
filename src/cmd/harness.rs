//! Unit-test support: a server and one client on a socket pair, to run
//! commands through `process_command()` without a reactor and look at what they left.

use bytes::Bytes;
use mio::net::UnixStream;

use crate::client::{Client, Conn};
use crate::server::Server;

pub(crate) struct Harness {
    pub srv: Server,
    pub c: Client,
    _peer: UnixStream,
}

impl Harness {
    pub fn new(srv: Server) -> Harness {
        let (ours, peer) = UnixStream::pair().expect("socketpair");
        let c = Client::new(1, Conn::Unix(ours), 0, String::new(), String::new(), 0);
        Harness {
            srv,
            c,
            _peer: peer,
        }
    }

    /// Runs one command as a client's input; returns the reply bytes.
    pub fn run(&mut self, args: &[&str]) -> Vec<u8> {
        self.c.argv = args
            .iter()
            .map(|a| Bytes::copy_from_slice(a.as_bytes()))
            .collect();
        self.c.clear_out();
        crate::cmd::process_command(&mut self.srv, &mut self.c);
        self.c.take_out()
    }
}
