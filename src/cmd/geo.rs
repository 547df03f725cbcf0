//! Geo commands (Redis's geo.c): a geo index is a sorted set whose scores are
//! the 52-bit geohash cells of its members' positions (`util/geohash.rs`), so
//! every sorted-set command works on it too. GEOADD is ZADD with computed
//! scores (and is propagated as that ZADD); GEOPOS, GEODIST and GEOHASH decode
//! scores; the searches (GEOSEARCH, GEOSEARCHSTORE, GEORADIUS,
//! GEORADIUSBYMEMBER and their _RO forms) are in `geo/search.rs`.
//!
//! Replies follow Redis's formatting: coordinates as `%.17Lf` with trailing
//! zeros removed (a RESP3 double), distances with exactly four decimals (always
//! a bulk string).

mod search;

use bytes::Bytes;

use super::zset::lookup_zset;
use super::{acl, flags as f, reply_err, Command};
use crate::client::Client;
use crate::command::spec::prelude::*;
use crate::error::{self, OpError};
use crate::server::Server;
use crate::util::geohash;
use crate::util::number::{parse_f64, LongDouble};

const W: u64 = f::WRITE | f::DENYOOM;
const G: u64 = acl::GEO;

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command {
        name: "geoadd", handler: geoadd_command, arity: -5, flags: W, acl: G,
        group: "geo", since: "3.2.0", summary: "Adds one or more members to a geospatial index. The key is created if it doesn't exist.",
        complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
        key_specs: &[ks(RW | UPDATE, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("6.2.0", "New `CH`, `NX` and `XX` options."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("condition", OneOf).since("6.2.0").opt().sub(&[
                a("nx", Token).token("NX"),
                a("xx", Token).token("XX"),
            ]),
            a("change", Token).token("CH").since("6.2.0").opt(),
            a("longitude_latitude_member", Block).multi().sub(&[
                a("longitude", Double),
                a("latitude", Double),
                a("member", Str),
            ]),
        ],
        subcommands: &[],
    },
    Command {
        name: "geodist", handler: geodist_command, arity: -4, flags: f::READONLY, acl: G,
        group: "geo", since: "3.2.0", summary: "Returns the distance between two members of a geospatial index.",
        complexity: "O(log(N))",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[
            a("key", Key).ks(0),
            a("member1", Str),
            a("member2", Str),
            a("unit", OneOf).opt().sub(UNITS),
        ],
        subcommands: &[],
    },
    Command {
        name: "geohash", handler: geohash_command, arity: -2, flags: f::READONLY, acl: G,
        group: "geo", since: "3.2.0", summary: "Returns members from a geospatial index as geohash strings.",
        complexity: "O(log(N)) for each member requested, where N is the number of elements in the sorted set.",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0), a("member", Str).multi()],
        subcommands: &[],
    },
    Command {
        name: "geopos", handler: geopos_command, arity: -2, flags: f::READONLY, acl: G,
        group: "geo", since: "3.2.0", summary: "Returns the longitude and latitude of members from a geospatial index.",
        complexity: "O(N) where N is the number of members requested.",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None, history: &[],
        args: &[a("key", Key).ks(0), a("member", Str).multi()],
        subcommands: &[],
    },
    Command {
        name: "georadius", handler: search::georadius_command, arity: -6, flags: W, acl: G,
        group: "geo", since: "3.2.0", summary: "Queries a geospatial index for members within a distance from a coordinate, optionally stores the result.",
        complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
        key_specs: &[
            ks(RO | ACCESS, idx(1), range(0, 1, 0)),
            ks(OW | UPDATE, kw("STORE", 6), range(0, 1, 0)),
            ks(OW | UPDATE, kw("STOREDIST", 6), range(0, 1, 0)),
        ],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: DOC_DEPRECATED, deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument"),
        history: &[
            ("6.2.0", "`COUNT` takes the new `ANY` option."),
            ("7.0.0", "Unit names may be upper case."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("longitude", Double),
            a("latitude", Double),
            a("radius", Double),
            a("unit", OneOf).sub(UNITS),
            a("withcoord", Token).token("WITHCOORD").opt(),
            a("withdist", Token).token("WITHDIST").opt(),
            a("withhash", Token).token("WITHHASH").opt(),
            a("count", Block).opt().sub(&[
                a("count", Int).token("COUNT"),
                a("any", Token).token("ANY").since("6.2.0").opt(),
            ]),
            a("order", OneOf).opt().sub(ORDER),
            a("key", Key).ks(1).token("STORE").opt(),
            a("key", Key).ks(2).token("STOREDIST").opt(),
        ],
        subcommands: &[],
    },
    Command {
        name: "georadius_ro", handler: search::georadius_ro_command, arity: -6, flags: f::READONLY, acl: G,
        group: "geo", since: "3.2.10", summary: "Returns members from a geospatial index that are within a distance from a coordinate.",
        complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: DOC_DEPRECATED, deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` with the `BYRADIUS` argument"),
        history: &[
            ("6.2.0", "`COUNT` takes the new `ANY` option."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("longitude", Double),
            a("latitude", Double),
            a("radius", Double),
            a("unit", OneOf).sub(UNITS),
            a("withcoord", Token).token("WITHCOORD").opt(),
            a("withdist", Token).token("WITHDIST").opt(),
            a("withhash", Token).token("WITHHASH").opt(),
            a("count", Block).opt().sub(&[
                a("count", Int).token("COUNT"),
                a("any", Token).token("ANY").since("6.2.0").opt(),
            ]),
            a("order", OneOf).opt().sub(ORDER),
        ],
        subcommands: &[],
    },
    Command {
        name: "georadiusbymember", handler: search::georadiusbymember_command, arity: -5, flags: W, acl: G,
        group: "geo", since: "3.2.0", summary: "Queries a geospatial index for members within a distance from a member, optionally stores the result.",
        complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
        key_specs: &[
            ks(RO | ACCESS, idx(1), range(0, 1, 0)),
            ks(OW | UPDATE, kw("STORE", 5), range(0, 1, 0)),
            ks(OW | UPDATE, kw("STOREDIST", 5), range(0, 1, 0)),
        ],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: DOC_DEPRECATED, deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments"),
        history: &[
            ("7.0.0", "Unit names may be upper case."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("member", Str),
            a("radius", Double),
            a("unit", OneOf).sub(UNITS),
            a("withcoord", Token).token("WITHCOORD").opt(),
            a("withdist", Token).token("WITHDIST").opt(),
            a("withhash", Token).token("WITHHASH").opt(),
            a("count", Block).opt().sub(&[
                a("count", Int).token("COUNT"),
                a("any", Token).token("ANY").opt(),
            ]),
            a("order", OneOf).opt().sub(ORDER),
            a("key", Key).ks(1).token("STORE").opt(),
            a("key", Key).ks(2).token("STOREDIST").opt(),
        ],
        subcommands: &[],
    },
    Command {
        name: "georadiusbymember_ro", handler: search::georadiusbymember_ro_command, arity: -5, flags: f::READONLY, acl: G,
        group: "geo", since: "3.2.10", summary: "Returns members from a geospatial index that are within a distance from a member.",
        complexity: "O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: DOC_DEPRECATED, deprecated_since: Some("6.2.0"),
        replaced_by: Some("`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments"),
        history: &[],
        args: &[
            a("key", Key).ks(0),
            a("member", Str),
            a("radius", Double),
            a("unit", OneOf).sub(UNITS),
            a("withcoord", Token).token("WITHCOORD").opt(),
            a("withdist", Token).token("WITHDIST").opt(),
            a("withhash", Token).token("WITHHASH").opt(),
            a("count", Block).opt().sub(&[
                a("count", Int).token("COUNT"),
                a("any", Token).token("ANY").opt(),
            ]),
            a("order", OneOf).opt().sub(ORDER),
        ],
        subcommands: &[],
    },
    Command {
        name: "geosearch", handler: search::geosearch_command, arity: -7, flags: f::READONLY, acl: G,
        group: "geo", since: "6.2.0", summary: "Queries a geospatial index for members inside an area of a box or a circle.",
        complexity: "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape",
        key_specs: &[ks(RO | ACCESS, idx(1), range(0, 1, 0))],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "Unit names may be upper case."),
        ],
        args: &[
            a("key", Key).ks(0),
            a("from", OneOf).sub(FROM),
            a("by", OneOf).sub(BY),
            a("order", OneOf).opt().sub(ORDER),
            a("count", Block).opt().sub(&[
                a("count", Int).token("COUNT"),
                a("any", Token).token("ANY").opt(),
            ]),
            a("withcoord", Token).token("WITHCOORD").opt(),
            a("withdist", Token).token("WITHDIST").opt(),
            a("withhash", Token).token("WITHHASH").opt(),
        ],
        subcommands: &[],
    },
    Command {
        name: "geosearchstore", handler: search::geosearchstore_command, arity: -8, flags: W, acl: G,
        group: "geo", since: "6.2.0", summary: "Queries a geospatial index for members inside an area of a box or a circle, optionally stores the result.",
        complexity: "O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape",
        key_specs: &[
            ks(OW | UPDATE, idx(1), range(0, 1, 0)),
            ks(RO | ACCESS, idx(2), range(0, 1, 0)),
        ],
        getkeys: GetKeys::None, tips: &[],
        doc_flags: 0, deprecated_since: None, replaced_by: None,
        history: &[
            ("7.0.0", "Unit names may be upper case."),
        ],
        args: &[
            a("destination", Key).ks(0),
            a("source", Key).ks(1),
            a("from", OneOf).sub(FROM),
            a("by", OneOf).sub(BY),
            a("order", OneOf).opt().sub(ORDER),
            a("count", Block).opt().sub(&[
                a("count", Int).token("COUNT"),
                a("any", Token).token("ANY").opt(),
            ]),
            a("storedist", Token).token("STOREDIST").opt(),
        ],
        subcommands: &[],
    },
];

use crate::command::spec::Arg;

const UNITS: &[Arg] = &[
    a("m", Token).token("M"),
    a("km", Token).token("KM"),
    a("ft", Token).token("FT"),
    a("mi", Token).token("MI"),
];

const ORDER: &[Arg] = &[a("asc", Token).token("ASC"), a("desc", Token).token("DESC")];

const FROM: &[Arg] = &[
    a("member", Str).token("FROMMEMBER"),
    a("longitude_latitude", Block)
        .token("FROMLONLAT")
        .sub(&[a("longitude", Double), a("latitude", Double)]),
];

const BY: &[Arg] = &[
    a("circle", Block).sub(&[
        a("radius", Double).token("BYRADIUS"),
        a("unit", OneOf).sub(UNITS),
    ]),
    a("box", Block).sub(&[
        a("width", Double).token("BYBOX"),
        a("height", Double),
        a("unit", OneOf).sub(UNITS),
    ]),
];

/// Redis's extractLongLatOrReply: a longitude and a latitude argument, each a
/// float, together inside Redis's limits.
fn parse_long_lat(long: &[u8], lat: &[u8]) -> Result<(f64, f64), OpError> {
    let long = parse_f64(long).ok_or(OpError::NotFloat)?;
    let lat = parse_f64(lat).ok_or(OpError::NotFloat)?;
    if !(geohash::LONG_MIN..=geohash::LONG_MAX).contains(&long)
        || !(geohash::LAT_MIN..=geohash::LAT_MAX).contains(&lat)
    {
        return Err(OpError::Msg(format!(
            "{} {long:.6},{lat:.6}",
            error::GEO_INVALID_LONG_LAT
        )));
    }
    Ok((long, lat))
}

/// Redis's extractUnitOrReply: meters per unit (case-insensitive M, KM, FT, MI).
fn parse_unit(u: &[u8]) -> Result<f64, OpError> {
    match &u.to_ascii_lowercase()[..] {
        b"m" => Ok(1.0),
        b"km" => Ok(1000.0),
        b"ft" => Ok(0.3048),
        b"mi" => Ok(1609.34),
        _ => Err(OpError::Static(error::GEO_UNIT)),
    }
}

/// A position member's score decodes to.
fn member_pos(z: &crate::db::zset::Zset, member: &[u8]) -> Option<(f64, f64)> {
    z.score(member).map(geohash::decode_score)
}

/// A coordinate as Redis's addReplyHumanLongDouble writes it.
fn add_coord(c: &mut Client, v: f64) {
    c.add_double_str(&LongDouble::from_f64(v).format_human());
}

/// Redis's addReplyDoubleDistance: `fixedpoint_d2string(d, 4)`, i.e. the value
/// times 10^4 rounded to an integer by `llrint` (ties to even; NaN and values
/// out of range give LLONG_MIN, as on x86-64), printed with four decimals.
fn distance_text(d: f64) -> String {
    if d == 0.0 {
        return "0.0000".to_string();
    }
    let scaled = (d * 10000.0).round_ties_even();
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    let v: i64 = if (-TWO63..TWO63).contains(&scaled) {
        scaled as i64
    } else {
        i64::MIN
    };
    let sign = if v < 0 { "-" } else { "" };
    let u = v.unsigned_abs();
    format!("{sign}{}.{:04}", u / 10000, u % 10000)
}

/// GEOADD key \[NX | XX\] \[CH\] longitude latitude member [longitude latitude member ...]
pub fn geoadd_command(srv: &mut Server, c: &mut Client) {
    let mut longidx = 2;
    let (mut nx, mut xx) = (false, false);
    while let Some(opt) = c.argv.get(longidx) {
        match &opt.to_ascii_lowercase()[..] {
            b"nx" => nx = true,
            b"xx" => xx = true,
            b"ch" => {}
            _ => break,
        }
        longidx += 1;
    }
    if !(c.argv.len() - longidx).is_multiple_of(3) || (nx && xx) {
        return reply_err(c, OpError::Syntax);
    }
    // The ZADD this is: the options as given, then score member pairs, the
    // scores being the points' 52-bit cells in decimal.
    let mut zargv: Vec<Bytes> = Vec::with_capacity(longidx + (c.argv.len() - longidx) / 3 * 2);
    zargv.push(Bytes::from_static(b"zadd"));
    zargv.extend(c.argv[1..longidx].iter().cloned());
    for t in c.argv[longidx..].chunks(3) {
        let (long, lat) = match parse_long_lat(&t[0], &t[1]) {
            Ok(p) => p,
            Err(e) => return reply_err(c, e),
        };
        let score = geohash::score_of(long, lat).expect("coordinates are within the limits");
        zargv.push(Bytes::from(score.to_string()));
        zargv.push(t[2].clone());
    }
    // Run as that ZADD (same replies, events and dirty count), propagated as it;
    // the client's own argv is put back for what runs after the handler.
    let orig = std::mem::replace(&mut c.argv, zargv);
    super::zset::zadd_command(srv, c);
    let zargv = std::mem::replace(&mut c.argv, orig);
    crate::repl::rewrite(srv, || zargv);
}

/// GEOPOS key [member [member ...]]
pub fn geopos_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    let z = match lookup_zset(&mut srv.dbs[c.db], &key) {
        Ok(z) => z,
        Err(e) => return reply_err(c, e),
    };
    c.add_array_len(c.argv.len() - 2);
    for i in 2..c.argv.len() {
        match z.and_then(|z| member_pos(z, &c.argv[i])) {
            Some((long, lat)) => {
                c.add_array_len(2);
                add_coord(c, long);
                add_coord(c, lat);
            }
            None => c.add_null_array(),
        }
    }
}

/// GEOHASH key [member [member ...]]
pub fn geohash_command(srv: &mut Server, c: &mut Client) {
    let key = c.argv[1].clone();
    let z = match lookup_zset(&mut srv.dbs[c.db], &key) {
        Ok(z) => z,
        Err(e) => return reply_err(c, e),
    };
    c.add_array_len(c.argv.len() - 2);
    for i in 2..c.argv.len() {
        match z.and_then(|z| z.score(&c.argv[i])) {
            Some(score) => c.add_bulk(&geohash::geohash_string(score)),
            None => c.add_null(),
        }
    }
}

/// GEODIST key member1 member2 \[M | KM | FT | MI\]
pub fn geodist_command(srv: &mut Server, c: &mut Client) {
    let to_meters = match c.argv.len() {
        4 => 1.0,
        5 => match parse_unit(&c.argv[4]) {
            Ok(u) => u,
            Err(e) => return reply_err(c, e),
        },
        _ => return reply_err(c, OpError::Syntax),
    };
    let key = c.argv[1].clone();
    let z = match lookup_zset(&mut srv.dbs[c.db], &key) {
        Ok(Some(z)) => z,
        Ok(None) => return c.add_null(),
        Err(e) => return reply_err(c, e),
    };
    match (member_pos(z, &c.argv[2]), member_pos(z, &c.argv[3])) {
        (Some(a), Some(b)) => {
            let d = geohash::distance(a.0, a.1, b.0, b.1) / to_meters;
            c.add_bulk(distance_text(d).as_bytes());
        }
        _ => c.add_null(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_text_is_fixedpoint() {
        assert_eq!(distance_text(0.0), "0.0000");
        assert_eq!(distance_text(-0.0), "0.0000");
        assert_eq!(distance_text(166274.15156960033), "166274.1516");
        assert_eq!(distance_text(0.00004), "0.0000");
        assert_eq!(distance_text(0.7750), "0.7750");
        assert_eq!(distance_text(12.5), "12.5000");
        assert_eq!(distance_text(f64::NAN), "-922337203685477.5808");
    }

    #[test]
    fn units() {
        assert_eq!(parse_unit(b"KM").unwrap(), 1000.0);
        assert_eq!(parse_unit(b"Mi").unwrap(), 1609.34);
        assert!(parse_unit(b"parsec").is_err());
    }
}
