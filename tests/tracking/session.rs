//! The differential harness of the tracking tests: a [`Session`] is a server with
//! numbered connections and a transcript; [`differential`] runs one scenario on
//! oxidis and on redis-server and compares the transcripts.

use crate::common::{escape, info_u64, require_redis, wait_for_info, Conn, Server};
use std::time::Duration;

/// How long to wait to be sure nothing more arrives.
pub const QUIET: Duration = Duration::from_millis(150);

pub struct Session {
    pub srv: Server,
    pub conns: Vec<Option<Conn>>,
    /// (client id, connection number) of the connections that asked CLIENT ID.
    pub ids: Vec<(u64, usize)>,
    pub log: Vec<String>,
    /// A connection outside the numbered ones and the transcript, for waits.
    observer: Option<Conn>,
}

impl Session {
    pub fn new(srv: Server) -> Session {
        Session {
            srv,
            conns: Vec::new(),
            ids: Vec::new(),
            log: Vec::new(),
            observer: None,
        }
    }

    pub fn conn(&mut self, i: usize) -> &mut Conn {
        while self.conns.len() <= i {
            self.conns.push(None);
        }
        if self.conns[i].is_none() {
            self.conns[i] = Some(self.srv.connect());
        }
        self.conns[i].as_mut().unwrap()
    }

    /// Writes client ids as `#N` (N = connection number) so transcripts compare.
    pub fn normalize(&self, raw: &[u8]) -> String {
        let mut s = escape(raw);
        for (id, n) in &self.ids {
            s = s.replace(&format!(":{id}\\r\\n"), &format!(":#{n}\\r\\n"));
            s = s.replace(&format!("redir={id} "), &format!("redir=#{n} "));
        }
        s
    }

    pub fn record(&mut self, i: usize, what: &str, raw: &[u8]) {
        // COMMAND replies hold small integers that are not client ids.
        let reply = if what.starts_with("\"COMMAND\"") {
            escape(raw)
        } else {
            self.normalize(raw)
        };
        let line = format!("[{i}] {what} -> {reply}");
        self.log.push(line);
    }

    /// A command line for the transcript, client ids written as `#N`.
    pub fn label(&self, args: &[&str]) -> String {
        let v: Vec<String> = args
            .iter()
            .map(
                |a| match self.ids.iter().find(|(id, _)| id.to_string() == *a) {
                    Some((_, n)) => format!("#{n}"),
                    None => escape(a.as_bytes()),
                },
            )
            .collect();
        v.join(" ")
    }

    /// Sends a command on connection `i` and records its reply.
    pub fn cmd(&mut self, i: usize, args: &[&str]) -> Vec<u8> {
        let raw = self.conn(i).cmd(args);
        let label = self.label(args);
        self.record(i, &label, &raw);
        raw
    }

    /// Sends a command whose reply is several frames (an error and +OK, or
    /// pushes around the reply) and records `n` frames.
    pub fn cmd_frames(&mut self, i: usize, args: &[&str], n: usize) {
        let v: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.conn(i).send(&v);
        let mut raw = Vec::new();
        for _ in 0..n {
            raw.extend(self.conn(i).read_reply());
        }
        let label = self.label(args);
        self.record(i, &label, &raw);
        self.expect_quiet(i);
    }

    /// Sends raw bytes (a pipeline) and records `n` reply frames.
    pub fn pipeline(&mut self, i: usize, cmds: &[&[&str]], n: usize) {
        let mut bytes = Vec::new();
        for c in cmds {
            let v: Vec<&[u8]> = c.iter().map(|a| a.as_bytes()).collect();
            bytes.extend(Conn::encode(&v));
        }
        self.conn(i).send_raw(&bytes);
        let mut raw = Vec::new();
        for _ in 0..n {
            raw.extend(self.conn(i).read_reply());
        }
        self.record(i, "pipeline", &raw);
    }

    /// Sends commands on `i` in one write without reading the replies.
    pub fn send(&mut self, i: usize, cmds: &[&[&str]]) {
        let mut bytes = Vec::new();
        for c in cmds {
            let v: Vec<&[u8]> = c.iter().map(|a| a.as_bytes()).collect();
            bytes.extend(Conn::encode(&v));
        }
        self.conn(i).send_raw(&bytes);
    }

    /// Records the next `n` frames on `i` under `what`.
    pub fn frames(&mut self, i: usize, what: &str, n: usize) {
        let mut raw = Vec::new();
        for _ in 0..n {
            raw.extend(self.conn(i).read_reply());
        }
        self.record(i, what, &raw);
    }

    /// The values of INFO fields `names` (INFO everything on `i`), recorded.
    pub fn info_fields(&mut self, i: usize, names: &[&str]) -> Vec<u64> {
        let raw = self.conn(i).cmd(&["INFO", "everything"]);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let vals: Vec<u64> = names
            .iter()
            .map(|n| {
                text.lines()
                    .find_map(|l| l.strip_prefix(&format!("{n}:")))
                    .unwrap_or_else(|| panic!("INFO has no {n}"))
                    .trim()
                    .parse()
                    .expect("INFO number")
            })
            .collect();
        let shown: Vec<String> = names
            .iter()
            .zip(&vals)
            .map(|(n, v)| format!("{n}:{v}"))
            .collect();
        self.log.push(format!("[{i}] INFO -> {}", shown.join(" ")));
        vals
    }

    /// Records the next frame that arrives on connection `i` (an invalidation).
    pub fn push(&mut self, i: usize) {
        let raw = self.conn(i).read_reply();
        self.record(i, "push", &raw);
    }

    /// Records whatever arrives on `i` within a short while (normally nothing).
    pub fn expect_quiet(&mut self, i: usize) {
        let (raw, _) = self.conn(i).read_until_quiet(QUIET, QUIET * 4);
        self.record(i, "quiet", &raw);
    }

    /// CLIENT ID on connection `i`; later replies show it as `#i`.
    pub fn learn_id(&mut self, i: usize) -> u64 {
        let raw = self.conn(i).cmd(&["CLIENT", "ID"]);
        let id: u64 = String::from_utf8_lossy(&raw[1..raw.len() - 2])
            .parse()
            .expect("client id");
        self.ids.push((id, i));
        id
    }

    /// HELLO 3 on connection `i` (the reply, with the server's version, is not
    /// recorded).
    pub fn resp3(&mut self, i: usize) {
        self.conn(i).cmd(&["HELLO", "3"]);
    }

    /// Subscribes `i` to the invalidation channel; the reply is not compared.
    pub fn subscribe_invalidations(&mut self, i: usize) {
        self.conn(i).cmd(&["SUBSCRIBE", "__redis__:invalidate"]);
    }

    /// The `flags=` and `redir=` fields of CLIENT INFO on `i`.
    pub fn client_flags(&mut self, i: usize) {
        let raw = self.conn(i).cmd(&["CLIENT", "INFO"]);
        let text = String::from_utf8_lossy(&raw).into_owned();
        let fields: Vec<&str> = text
            .split_whitespace()
            .filter(|f| f.starts_with("flags=") || f.starts_with("redir="))
            .collect();
        let s = self.normalize(format!("{} ", fields.join(" ")).as_bytes());
        self.log.push(format!("[{i}] CLIENT INFO fields -> {s}"));
    }

    /// Closes connection `i` and waits until the server has let the client go.
    pub fn close(&mut self, i: usize) {
        let port = self.srv.port;
        let obs = self
            .observer
            .get_or_insert_with(|| Conn::connect(port).expect("observer connection"));
        let before = info_u64(obs, "clients", "connected_clients");
        self.conns[i] = None;
        let after = (before - 1).to_string();
        wait_for_info(obs, "clients", "connected_clients", &after);
        self.cmd(0, &["PING"]);
    }
}

/// Runs `scenario` on oxidis and on redis-server and compares the transcripts.
pub fn differential(scenario: fn(&mut Session)) {
    differential_with(&[], scenario);
}

/// [`differential`] with extra server arguments.
pub fn differential_with(extra: &[&str], scenario: fn(&mut Session)) {
    require_redis();
    let mut args = vec!["--enable-debug-command", "yes"];
    args.extend_from_slice(extra);
    let mut ox = Session::new(Server::oxidis(&args));
    let mut rd = Session::new(Server::redis(&args));
    scenario(&mut rd);
    scenario(&mut ox);
    let n = ox.log.len().max(rd.log.len());
    for i in 0..n {
        let (o, r) = (ox.log.get(i), rd.log.get(i));
        assert_eq!(
            o,
            r,
            "transcripts differ at step {i}\n--- redis so far ---\n{}\n\
             --- step {i} on redis ---\n{r:?}\n--- step {i} on oxidis ---\n{o:?}",
            rd.log[..i.min(rd.log.len())].join("\n"),
        );
    }
}
