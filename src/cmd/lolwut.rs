//! LOLWUT (Redis's lolwut.c): a small piece of generative text art and the version.
//!
//! oxidis draws its own piece, "patina": rust spreading over a sheet of iron from
//! a few random seeds, darker where it is older. Redis 7.0 draws Georg Nees's
//! "Schotter" for VERSION 5 and a Plaguemon scene for VERSION 6 and only prints
//! its version otherwise; oxidis parses the arguments the way Redis does (the
//! integers after VERSION 5 or 6 are checked), and always draws patina.

use super::{flags as f, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::error;
use crate::server::Server;
use crate::util::number::parse_i64;
use crate::util::{OXIDIS_VERSION, REDIS_VERSION};

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "lolwut", handler: lolwut_command, arity: -1, flags: f::READONLY | f::FAST, acl: 0,
        group: "server", since: "5.0.0", summary: "Display some computer art and the Redis version",
        complexity: "",
        key_specs: &[],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("version", Int).token("VERSION").opt()], subcommands: &[],
    },

];

/// From clean iron to deep rust.
const RAMP: &[u8] = b" .:-=+*#%@";

/// A tiny xorshift generator: the art changes on every call, as Redis's does.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9e37_79b9);
        Rng(t | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Draws `rows` lines of `cols` characters.
fn patina(cols: usize, rows: usize, rng: &mut Rng) -> String {
    let seeds: Vec<(f64, f64, f64)> = (0..3 + rng.next() % 4)
        .map(|_| {
            (
                rng.unit() * cols as f64,
                rng.unit() * rows as f64,
                0.25 + rng.unit() * 0.5,
            )
        })
        .collect();
    let mut out = String::with_capacity((cols + 1) * rows);
    for y in 0..rows {
        for x in 0..cols {
            // Terminal cells are about twice as tall as wide.
            let rust: f64 = seeds
                .iter()
                .map(|&(sx, sy, age)| {
                    let dx = (x as f64 - sx) / cols as f64;
                    let dy = 2.0 * (y as f64 - sy) / cols as f64;
                    age / (1.0 + 40.0 * (dx * dx + dy * dy))
                })
                .sum();
            let v = (rust + 0.35 * (rng.unit() - 0.5)).clamp(0.0, 0.999);
            out.push(RAMP[(v * RAMP.len() as f64) as usize] as char);
        }
        out.push('\n');
    }
    out
}

/// LOLWUT [VERSION version] [art arguments ...]
pub fn lolwut_command(_: &mut Server, c: &mut Client) {
    let mut first = 1;
    let mut version: u32 = 7;
    if c.argv.len() >= 3 && c.argv[1].eq_ignore_ascii_case(b"version") {
        let Some(v) = parse_i64(&c.argv[2]) else {
            c.add_error(error::NOT_INTEGER);
            return;
        };
        version = v as u32;
        first = 3;
    }
    let (mut cols, mut rows) = (60usize, 12usize);
    if version == 5 || version == 6 {
        // Redis's versions 5 and 6 take integer arguments: columns first.
        let mut nums = Vec::new();
        for a in c.argv[first..]
            .iter()
            .take(if version == 5 { 3 } else { 2 })
        {
            match parse_i64(a) {
                Some(n) => nums.push(n),
                None => {
                    c.add_error(error::NOT_INTEGER);
                    return;
                }
            }
        }
        if let Some(&n) = nums.first() {
            cols = n.clamp(1, 1000) as usize;
        }
        if version == 6 {
            if let Some(&n) = nums.get(1) {
                rows = n.clamp(1, 1000) as usize;
            }
        }
    }
    let mut text = patina(cols, rows, &mut Rng::seeded());
    text.push_str(&format!(
        "\noxidis ver. {OXIDIS_VERSION} (Redis ver. {REDIS_VERSION} compatible)\n"
    ));
    c.add_verbatim(text.as_bytes(), "txt");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patina_has_the_asked_shape() {
        let art = patina(30, 5, &mut Rng(42));
        let lines: Vec<&str> = art.lines().collect();
        assert_eq!(lines.len(), 5);
        assert!(lines.iter().all(|l| l.len() == 30));
        assert!(art.bytes().all(|b| b == b'\n' || RAMP.contains(&b)));
    }
}
