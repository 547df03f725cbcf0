//! Multi-client scenarios played against oxidis and a real redis-server: each
//! side records the replies its connections read, in order, and the two
//! transcripts must be byte-identical (the blocking list and sorted-set tests).

use std::time::Duration;

use super::{require_redis, wait_for_blocked_clients, Conn, Server};
use crate::common;

/// One side of a scenario: a server and its numbered connections.
pub struct Side {
    _srv: Server,
    port: u16,
    conns: Vec<Option<Conn>>,
    pub transcript: Vec<String>,
}

impl Side {
    pub fn new(srv: Server) -> Side {
        Side {
            port: srv.port,
            _srv: srv,
            conns: Vec::new(),
            transcript: Vec::new(),
        }
    }

    pub fn conn(&mut self, i: usize) -> &mut Conn {
        while self.conns.len() <= i {
            self.conns.push(None);
        }
        let port = self.port;
        self.conns[i].get_or_insert_with(|| Conn::connect(port).unwrap())
    }

    /// Sends a command that blocks, without reading its reply, and waits until the
    /// server has blocked it.
    pub fn send(&mut self, i: usize, args: &[&str]) {
        let before = self.blocked();
        let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        self.conn(i).send(&a);
        self.wait_blocked(before + 1);
    }

    /// INFO `blocked_clients`, seen from connection 0 (kept out of the transcript).
    pub fn blocked(&mut self) -> usize {
        common::info_u64(self.conn(0), "clients", "blocked_clients") as usize
    }

    /// Reads one reply on connection `i` into the transcript.
    pub fn read(&mut self, i: usize) -> Vec<u8> {
        let r = self.conn(i).read_reply();
        self.transcript
            .push(format!("c{i}: {}", common::escape(&r)));
        r
    }

    /// Sends and reads.
    pub fn cmd(&mut self, i: usize, args: &[&str]) -> Vec<u8> {
        let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        self.conn(i).send(&a);
        self.read(i)
    }

    /// Asserts that nothing arrives on `i` for a moment (still blocked).
    pub fn quiet(&mut self, i: usize) {
        let (got, _) = self
            .conn(i)
            .read_until_quiet(Duration::from_millis(100), Duration::from_millis(300));
        self.transcript
            .push(format!("c{i} quiet: {}", common::escape(&got)));
    }

    /// Waits until `n` clients are blocked (seen from connection 0, kept out of
    /// the transcript: INFO differs between the servers).
    pub fn wait_blocked(&mut self, n: usize) {
        wait_for_blocked_clients(self.conn(0), n);
    }

    /// Records `calls`, `rejected_calls` and `failed_calls` of `commands`
    /// (INFO commandstats; the times differ between servers).
    pub fn blocking_stats(&mut self, i: usize, commands: &[&str]) {
        let raw = self.conn(i).cmd(&["INFO", "commandstats"]);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let mut lines: Vec<String> = text
            .lines()
            .filter(|l| {
                commands
                    .iter()
                    .any(|c| l.starts_with(&format!("cmdstat_{c}:")))
            })
            .map(|l| {
                let (name, fields) = l.split_once(':').unwrap();
                let kept: Vec<&str> = fields
                    .split(',')
                    .filter(|f| f.starts_with("calls=") || f.contains("_calls="))
                    .collect();
                format!("{name}:{}", kept.join(","))
            })
            .collect();
        lines.sort();
        self.transcript
            .push(format!("c{i} stats: {}", lines.join(" ")));
    }

    /// Closes connection `i` and waits until the server has let the client go.
    pub fn close(&mut self, i: usize) {
        let before = common::info_u64(self.conn(0), "clients", "connected_clients");
        self.conns[i] = None;
        common::wait_for_info(
            self.conn(0),
            "clients",
            "connected_clients",
            &(before - 1).to_string(),
        );
    }
}

/// Runs `scenario` against both servers and compares the transcripts.
pub fn differential(name: &str, scenario: impl Fn(&mut Side)) {
    require_redis();
    let mut ox = Side::new(Server::oxidis(&[]));
    let mut rd = Side::new(Server::redis(&[]));
    scenario(&mut ox);
    scenario(&mut rd);
    assert_eq!(
        ox.transcript, rd.transcript,
        "scenario {name}: oxidis (left) and redis (right) differ"
    );
}
