//! Geo commands against redis-server beyond the fixed corpus (tests/diff/geo.txt):
//! randomised indexes and searches compared byte for byte (the scan order, the
//! points kept at the edges of a shape, distances and coordinates to the last
//! digit), and what GEOADD and the stores propagate.

mod common;

use common::{require_redis, Conn, Server};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A small deterministic generator (xorshift), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform in lo..hi, rounded to 6 decimals as clients usually send them.
    fn coord(&mut self, lo: f64, hi: f64) -> String {
        let v = lo + (self.next() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo);
        format!("{v:.6}")
    }

    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn both(ox: &mut Conn, rd: &mut Conn, args: &[String]) -> Vec<u8> {
    let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
    let (o, r) = (ox.cmd_bytes(&a), rd.cmd_bytes(&a));
    assert_eq!(
        String::from_utf8_lossy(&o),
        String::from_utf8_lossy(&r),
        "replies differ for {}",
        args.join(" ")
    );
    o
}

/// Random points clustered around a few centres (some on the antimeridian and
/// near the latitude limits), then random GEOSEARCH/GEORADIUS queries with every
/// option, each compared with Redis; the sets are big enough for the skiplist
/// encoding and small ones stay listpacks.
#[test]
fn random_searches_match_redis() {
    require_redis();
    let (ox, rd) = (Server::oxidis(&[]), Server::redis(&[]));
    let (mut o, mut r) = (ox.connect(), rd.connect());
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let centres: [(f64, f64); 6] = [
        (2.35, 48.85),
        (179.8, 0.0),
        (-179.8, 10.0),
        (0.0, 84.5),
        (-70.0, -84.0),
        (139.7, 35.7),
    ];
    for (key, n) in [("small", 40), ("big", 3000)] {
        let mut args = vec!["GEOADD".to_string(), key.to_string()];
        for i in 0..n {
            let (clong, clat) = centres[i % centres.len()];
            let spread: f64 = [0.05, 1.0, 20.0][i % 3];
            let long = rng.coord((clong - spread).max(-180.0), (clong + spread).min(180.0));
            let lat = rng.coord(
                (clat - spread / 2.0).max(-85.0),
                (clat + spread / 2.0).min(85.0),
            );
            args.extend([long, lat, format!("m{i}")]);
        }
        both(&mut o, &mut r, &args);
    }
    let units = ["m", "km", "ft", "mi", "KM"];
    for q in 0..600 {
        let key = if q % 4 == 0 { "small" } else { "big" };
        let (clong, clat) = centres[(rng.next() % centres.len() as u64) as usize];
        let long = rng.coord((clong - 3.0).max(-180.0), (clong + 3.0).min(180.0));
        let lat = rng.coord((clat - 2.0).max(-85.0), (clat + 2.0).min(85.0));
        let unit = rng.pick(&units);
        let scale = match unit {
            "m" => 1000.0,
            "ft" => 3000.0,
            _ => 1.0,
        };
        let size = || ["0.5", "5", "50", "300", "2000"];
        let dist = |rng: &mut Rng| {
            let s: f64 = rng.pick(&size()).parse().unwrap();
            format!("{}", s * scale)
        };
        let mut args: Vec<String> = match q % 3 {
            0 => vec![
                "GEORADIUS".into(),
                key.into(),
                long,
                lat,
                dist(&mut rng),
                unit.into(),
            ],
            _ => {
                let mut a = vec!["GEOSEARCH".into(), key.into()];
                if rng.next().is_multiple_of(3) {
                    a.extend(["FROMMEMBER".into(), format!("m{}", rng.next() % 40)]);
                } else {
                    a.extend(["FROMLONLAT".into(), long, lat]);
                }
                if rng.next().is_multiple_of(2) {
                    a.extend(["BYRADIUS".into(), dist(&mut rng), unit.into()]);
                } else {
                    a.extend(["BYBOX".into(), dist(&mut rng), dist(&mut rng), unit.into()]);
                }
                a
            }
        };
        for opt in ["WITHDIST", "WITHCOORD", "WITHHASH"] {
            if rng.next().is_multiple_of(2) {
                args.push(opt.into());
            }
        }
        match rng.next() % 4 {
            0 => args.push("ASC".into()),
            1 => args.push("DESC".into()),
            _ => {}
        }
        if rng.next().is_multiple_of(2) {
            args.extend(["COUNT".into(), format!("{}", 1 + rng.next() % 30)]);
            if rng.next().is_multiple_of(3) {
                args.push("ANY".into());
            }
        }
        both(&mut o, &mut r, &args);
    }
    // The stored forms of a few of them.
    for store in ["STORE", "STOREDIST"] {
        both(
            &mut o,
            &mut r,
            &[
                "GEORADIUS",
                "big",
                "2.35",
                "48.85",
                "30",
                "km",
                store,
                "dst",
            ]
            .map(String::from),
        );
        both(
            &mut o,
            &mut r,
            &["ZRANGE", "dst", "0", "-1", "WITHSCORES"].map(String::from),
        );
    }
}

/// The replication stream `script` produces, raw, after the SELECT and
/// without the replication PINGs: SYNC, skip the RDB payload, then read until
/// the marker the script ends with.
fn stream_after(srv: &Server, script: &[&[&str]]) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    s.write_all(b"SYNC\r\n").unwrap();
    let mut buf = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut fill = |buf: &mut Vec<u8>| {
        assert!(Instant::now() < deadline, "replication stream incomplete");
        let mut chunk = [0u8; 65536];
        if let Ok(n) = s.read(&mut chunk) {
            assert!(n > 0, "replication stream closed");
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    // `$<len>\r\n` then the RDB (newlines before it are keepalives).
    let len = loop {
        while buf.first() == Some(&b'\n') {
            buf.remove(0);
        }
        if let Some(i) = buf.windows(2).position(|w| w == b"\r\n") {
            let len: usize = String::from_utf8_lossy(&buf[1..i])
                .parse()
                .expect("RDB length");
            buf.drain(..i + 2);
            break len;
        }
        fill(&mut buf);
    };
    while buf.len() < len {
        fill(&mut buf);
    }
    buf.drain(..len);
    let mut c = srv.connect();
    for args in script {
        c.cmd(args);
    }
    while !buf.windows(7).any(|w| w == b"__end__") {
        fill(&mut buf);
    }
    let text = String::from_utf8_lossy(&buf).replace("*1\r\n$4\r\nPING\r\n", "");
    // From the first command's SELECT on.
    text[text.find("*2\r\n$6\r\nSELECT").unwrap_or(0)..].to_string()
}

/// GEOADD is propagated as the ZADD it is (scores in decimal, options kept),
/// the stores as themselves, nothing for what changed nothing: the same stream
/// as Redis's, byte for byte.
#[test]
fn propagation_matches_redis() {
    require_redis();
    let (ox, rd) = (Server::oxidis(&[]), Server::redis(&[]));
    let script: &[&[&str]] = &[
        &[
            "GEOADD",
            "Sicily",
            "13.361389",
            "38.115556",
            "Palermo",
            "15.087269",
            "37.502669",
            "Catania",
        ],
        &[
            "GEOADD", "Sicily", "CH", "XX", "13.4", "38.1", "Palermo", "1", "1", "nothere",
        ],
        &[
            "GEOADD",
            "Sicily",
            "NX",
            "13.361389",
            "38.115556",
            "Palermo",
        ],
        &["GEOADD", "Sicily", "200", "0", "bad"],
        &[
            "GEOSEARCHSTORE",
            "dst",
            "Sicily",
            "FROMLONLAT",
            "15",
            "37",
            "BYRADIUS",
            "200",
            "km",
            "STOREDIST",
        ],
        &[
            "GEORADIUS",
            "Sicily",
            "15",
            "37",
            "200",
            "km",
            "STORE",
            "dst2",
        ],
        &["GEORADIUS", "Sicily", "15", "37", "200", "km"],
        &[
            "GEOSEARCHSTORE",
            "dst",
            "Sicily",
            "FROMLONLAT",
            "0",
            "0",
            "BYRADIUS",
            "1",
            "m",
        ],
        &[
            "GEOSEARCHSTORE",
            "dst",
            "Sicily",
            "FROMLONLAT",
            "0",
            "0",
            "BYRADIUS",
            "1",
            "m",
        ],
        &["SET", "end", "__end__"],
    ];
    let (o, r) = (stream_after(&ox, script), stream_after(&rd, script));
    assert_eq!(o, r, "replication streams differ");
    assert!(o.to_ascii_lowercase().contains("$4\r\nzadd\r\n"), "{o}");
}
