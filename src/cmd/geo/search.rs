//! The geo searches (Redis's georadiusGeneric): GEOSEARCH, GEOSEARCHSTORE,
//! GEORADIUS, GEORADIUSBYMEMBER and their _RO forms share one argument parser
//! and one search.
//!
//! A search scans the score intervals of up to nine geohash cells (the centre's
//! cell and its neighbours, `geohash::search_areas`), keeps the points inside
//! the circle or box, optionally sorts them by distance and cuts them at COUNT,
//! then replies or stores them. The scan order (cells in Redis's order, each in
//! score order) is the reply order when no sort is asked for, and what COUNT
//! ANY keeps, so it follows Redis exactly.

use bytes::Bytes;

use super::{member_pos, parse_long_lat, parse_unit};
use crate::client::Client;
use crate::cmd::reply_err;
use crate::cmd::zset::{limits, lookup_zset, zset_value};
use crate::config::notify as ev;
use crate::db::zset::{AddFlags, ScoreRange, Zset};
use crate::error::{self, OpError};
use crate::notify::event as notify;
use crate::server::Server;
use crate::util::geohash::{self, HashBits, Shape, ShapeKind};
use crate::util::number::{parse_f64, parse_i64};

/// Which command the generic search serves (Redis's RADIUS_* / GEOSEARCH flags).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// GEORADIUS[_RO] key longitude latitude radius unit ...
    Radius { store: bool },
    /// GEORADIUSBYMEMBER[_RO] key member radius unit ...
    RadiusByMember { store: bool },
    /// GEOSEARCH key ... / GEOSEARCHSTORE destination source ...
    Search { store: bool },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// One point found.
struct Point {
    member: Vec<u8>,
    long: f64,
    lat: f64,
    /// Meters until the reply converts it to the unit.
    dist: f64,
    score: f64,
}

/// Redis's extractDistanceOrReply: `radius unit` as (radius, meters per unit).
fn parse_radius(radius: &[u8], unit: &[u8]) -> Result<(f64, f64), OpError> {
    let r = parse_f64(radius).ok_or(OpError::Static(error::GEO_NEED_RADIUS))?;
    if r < 0.0 {
        return Err(OpError::Static(error::GEO_RADIUS_NEGATIVE));
    }
    Ok((r, parse_unit(unit)?))
}

/// Redis's extractBoxOrReply: `width height unit` as (width, height, meters per unit).
fn parse_box(width: &[u8], height: &[u8], unit: &[u8]) -> Result<(f64, f64, f64), OpError> {
    let w = parse_f64(width).ok_or(OpError::Static(error::GEO_NEED_WIDTH))?;
    let h = parse_f64(height).ok_or(OpError::Static(error::GEO_NEED_HEIGHT))?;
    if h < 0.0 || w < 0.0 {
        return Err(OpError::Static(error::GEO_BOX_NEGATIVE));
    }
    Ok((w, h, parse_unit(unit)?))
}

/// Everything a search was asked for.
struct Request {
    shape: Shape,
    storekey: Option<Bytes>,
    storedist: bool,
    withdist: bool,
    withhash: bool,
    withcoord: bool,
    sort: Sort,
    /// 0: no COUNT.
    count: usize,
    any: bool,
}

/// Parses the arguments in Redis's order (its checks and their precedence
/// decide which error a wrong command gets). `z` is the source set, if any:
/// FROMMEMBER and GEORADIUSBYMEMBER read the centre from it while parsing.
fn parse_request(argv: &[Bytes], v: Variant, z: Option<&Zset>) -> Result<Request, OpError> {
    let mut shape = Shape {
        long: 0.0,
        lat: 0.0,
        conversion: 0.0,
        kind: ShapeKind::Radius(0.0),
    };
    let mut storekey = None;
    let base = match v {
        Variant::Radius { .. } => {
            (shape.long, shape.lat) = parse_long_lat(&argv[2], &argv[3])?;
            let (r, conv) = parse_radius(&argv[4], &argv[5])?;
            (shape.kind, shape.conversion) = (ShapeKind::Radius(r), conv);
            6
        }
        // Without a source set the rest is still parsed, for the right reply.
        Variant::RadiusByMember { .. } if z.is_none() => 5,
        Variant::RadiusByMember { .. } => {
            let z = z.expect("checked above");
            (shape.long, shape.lat) =
                member_pos(z, &argv[2]).ok_or(OpError::Static(error::GEO_NO_MEMBER))?;
            let (r, conv) = parse_radius(&argv[3], &argv[4])?;
            (shape.kind, shape.conversion) = (ShapeKind::Radius(r), conv);
            5
        }
        Variant::Search { store: false } => 2,
        Variant::Search { store: true } => {
            storekey = Some(argv[1].clone());
            3
        }
    };
    let search = matches!(v, Variant::Search { .. });
    let store_allowed = matches!(
        v,
        Variant::Radius { store: true } | Variant::RadiusByMember { store: true }
    );
    let mut r = Request {
        shape,
        storekey,
        storedist: false,
        withdist: false,
        withhash: false,
        withcoord: false,
        sort: Sort::None,
        count: 0,
        any: false,
    };
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let rest = &argv[base.min(argv.len())..];
    let mut i = 0;
    while i < rest.len() {
        let left = rest.len() - i - 1;
        match &rest[i].to_ascii_lowercase()[..] {
            b"withdist" => r.withdist = true,
            b"withhash" => r.withhash = true,
            b"withcoord" => r.withcoord = true,
            b"any" => r.any = true,
            b"asc" => r.sort = Sort::Asc,
            b"desc" => r.sort = Sort::Desc,
            b"count" if left >= 1 => {
                let n = parse_i64(&rest[i + 1]).ok_or(OpError::NotInteger)?;
                if n <= 0 {
                    return Err(OpError::Static(error::GEO_COUNT));
                }
                r.count = n as usize;
                i += 1;
            }
            b"store" if left >= 1 && store_allowed => {
                r.storekey = Some(rest[i + 1].clone());
                r.storedist = false;
                i += 1;
            }
            b"storedist" if left >= 1 && store_allowed => {
                r.storekey = Some(rest[i + 1].clone());
                r.storedist = true;
                i += 1;
            }
            b"storedist" if v == (Variant::Search { store: true }) => r.storedist = true,
            b"frommember" if left >= 1 && search && !fromloc => {
                if let Some(z) = z {
                    (r.shape.long, r.shape.lat) =
                        member_pos(z, &rest[i + 1]).ok_or(OpError::Static(error::GEO_NO_MEMBER))?;
                }
                frommember = true;
                i += 1;
            }
            b"fromlonlat" if left >= 2 && search && !frommember => {
                (r.shape.long, r.shape.lat) = parse_long_lat(&rest[i + 1], &rest[i + 2])?;
                fromloc = true;
                i += 2;
            }
            b"byradius" if left >= 2 && search && !bybox => {
                let (rad, conv) = parse_radius(&rest[i + 1], &rest[i + 2])?;
                (r.shape.kind, r.shape.conversion) = (ShapeKind::Radius(rad), conv);
                byradius = true;
                i += 2;
            }
            b"bybox" if left >= 3 && search && !byradius => {
                let (width, height, conv) = parse_box(&rest[i + 1], &rest[i + 2], &rest[i + 3])?;
                (r.shape.kind, r.shape.conversion) = (ShapeKind::Box { width, height }, conv);
                bybox = true;
                i += 3;
            }
            _ => return Err(OpError::Syntax),
        }
        i += 1;
    }
    if r.storekey.is_some() && (r.withdist || r.withhash || r.withcoord) {
        return Err(OpError::Static(if search {
            error::GEOSEARCHSTORE_WITH
        } else {
            error::GEORADIUS_STORE_WITH
        }));
    }
    let name = || error::c_str(&argv[0], usize::MAX);
    if search && !(frommember || fromloc) {
        return Err(OpError::Raw([error::GEO_FROM.as_bytes(), name()].concat()));
    }
    if search && !(byradius || bybox) {
        return Err(OpError::Raw([error::GEO_BY.as_bytes(), name()].concat()));
    }
    if r.any && r.count == 0 {
        return Err(OpError::Static(error::GEO_ANY_WITHOUT_COUNT));
    }
    Ok(r)
}

/// Redis's membersOfAllNeighbors: the points of `z` inside the shape, in scan
/// order; with `limit` (COUNT ANY) the first `limit` found.
fn points_in_shape(z: &Zset, shape: &Shape, limit: Option<usize>) -> Vec<Point> {
    let areas = geohash::search_areas(shape);
    let mut out: Vec<Point> = Vec::new();
    let full = |out: &Vec<Point>| limit.is_some_and(|l| out.len() >= l);
    let mut last: Option<HashBits> = None;
    for &cell in areas.cells.iter().flatten() {
        // With a huge radius neighbouring cells coincide: scan each once.
        if last == Some(cell) {
            continue;
        }
        if full(&out) {
            break;
        }
        let (min, max) = geohash::cell_scores(cell);
        let range = ScoreRange {
            min: min as f64,
            max: max as f64,
            minex: false,
            maxex: true,
        };
        z.range_by_score(&range, false, 0, None, |m, score| {
            if full(&out) {
                return;
            }
            if let Some((long, lat, dist)) = geohash::within(shape, score) {
                out.push(Point {
                    member: m.to_vec(),
                    long,
                    lat,
                    dist,
                    score,
                });
            }
        });
        last = Some(cell);
    }
    out
}

/// Orders by distance as Redis's comparator does with glibc's (stable) qsort;
/// a NaN distance (antipodal rounding) sorts first, consistently.
fn sort_points(points: &mut [Point], sort: Sort) {
    let key = |p: &Point| {
        if p.dist.is_nan() {
            f64::NEG_INFINITY
        } else {
            p.dist
        }
    };
    match sort {
        Sort::None => {}
        Sort::Asc => points.sort_by(|a, b| key(a).partial_cmp(&key(b)).expect("no NaN")),
        Sort::Desc => points.sort_by(|a, b| key(b).partial_cmp(&key(a)).expect("no NaN")),
    }
}

fn georadius_generic(srv: &mut Server, c: &mut Client, src: usize, v: Variant) {
    let srckey = c.argv[src].clone();
    let z = match lookup_zset(&mut srv.dbs[c.db], &srckey) {
        Ok(z) => z,
        Err(e) => return reply_err(c, e),
    };
    let r = match parse_request(&c.argv, v, z) {
        Ok(r) => r,
        Err(e) => return reply_err(c, e),
    };
    let Some(z) = z else {
        match &r.storekey {
            Some(dst) => {
                delete_dst(srv, c, dst);
                c.add_int(0);
            }
            None => c.add_array_len(0),
        }
        return;
    };
    // COUNT without an order means the nearest ones (not with ANY).
    let sort = if r.count != 0 && r.sort == Sort::None && !r.any {
        Sort::Asc
    } else {
        r.sort
    };
    let mut points = points_in_shape(z, &r.shape, r.any.then_some(r.count));
    sort_points(&mut points, sort);
    if r.count != 0 {
        points.truncate(r.count);
    }
    let conv = r.shape.conversion;
    let Some(dst) = r.storekey else {
        let options = usize::from(r.withdist) + usize::from(r.withhash) + usize::from(r.withcoord);
        c.add_array_len(points.len());
        for p in &points {
            if options > 0 {
                c.add_array_len(options + 1);
            }
            c.add_bulk(&p.member);
            if r.withdist {
                c.add_bulk(super::distance_text(p.dist / conv).as_bytes());
            }
            if r.withhash {
                c.add_int(p.score as i64);
            }
            if r.withcoord {
                c.add_array_len(2);
                super::add_coord(c, p.long);
                super::add_coord(c, p.lat);
            }
        }
        return;
    };
    let n = points.len();
    if n == 0 {
        delete_dst(srv, c, &dst);
        c.add_int(0);
        return;
    }
    // Built as a skiplist, then converted down if it fits (Redis's order).
    let lim = limits(srv);
    let mut result = Zset::new();
    result.convert_to_skiplist();
    let mut maxlen = 0;
    for p in &points {
        let score = if r.storedist { p.dist / conv } else { p.score };
        maxlen = maxlen.max(p.member.len());
        result
            .add(&p.member, score, AddFlags::default(), &lim)
            .expect("a distance or a cell is never NaN here");
    }
    result.convert_to_listpack_if_needed(maxlen, &lim);
    srv.dbs[c.db].set(&dst, zset_value(result), None);
    let event = if matches!(v, Variant::Search { .. }) {
        "geosearchstore"
    } else {
        "georadiusstore"
    };
    notify(srv, c, ev::ZSET, event, &dst);
    srv.dirty += n as u64;
    c.add_int(n as i64);
}

/// An empty result deletes the destination (with its "del" event).
fn delete_dst(srv: &mut Server, c: &mut Client, dst: &[u8]) {
    if srv.dbs[c.db].remove(dst).is_some() {
        notify(srv, c, ev::GENERIC, "del", dst);
        srv.dirty += 1;
    }
}

/// GEORADIUS key longitude latitude radius \<M | KM | FT | MI\> \[WITHCOORD\] \[WITHDIST\] \[WITHHASH\] \[COUNT count \[ANY\]\] \[ASC | DESC\] \[STORE key | STOREDIST key\]
pub fn georadius_command(srv: &mut Server, c: &mut Client) {
    georadius_generic(srv, c, 1, Variant::Radius { store: true });
}

/// GEORADIUS_RO key longitude latitude radius \<M | KM | FT | MI\> \[WITHCOORD\] \[WITHDIST\] \[WITHHASH\] \[COUNT count \[ANY\]\] \[ASC | DESC\]
pub fn georadius_ro_command(srv: &mut Server, c: &mut Client) {
    georadius_generic(srv, c, 1, Variant::Radius { store: false });
}

/// GEORADIUSBYMEMBER key member radius \<M | KM | FT | MI\> \[WITHCOORD\] \[WITHDIST\] \[WITHHASH\] \[COUNT count \[ANY\]\] \[ASC | DESC\] \[STORE key | STOREDIST key\]
pub fn georadiusbymember_command(srv: &mut Server, c: &mut Client) {
    georadius_generic(srv, c, 1, Variant::RadiusByMember { store: true });
}

/// GEORADIUSBYMEMBER_RO key member radius \<M | KM | FT | MI\> \[WITHCOORD\] \[WITHDIST\] \[WITHHASH\] \[COUNT count \[ANY\]\] \[ASC | DESC\]
pub fn georadiusbymember_ro_command(srv: &mut Server, c: &mut Client) {
    georadius_generic(srv, c, 1, Variant::RadiusByMember { store: false });
}

/// GEOSEARCH key \<FROMMEMBER member | FROMLONLAT longitude latitude\> \<BYRADIUS radius \<M | KM | FT | MI\> | BYBOX width height \<M | KM | FT | MI\>\> \[ASC | DESC\] \[COUNT count \[ANY\]\] \[WITHCOORD\] \[WITHDIST\] \[WITHHASH\]
pub fn geosearch_command(srv: &mut Server, c: &mut Client) {
    georadius_generic(srv, c, 1, Variant::Search { store: false });
}

/// GEOSEARCHSTORE destination source \<FROMMEMBER member | FROMLONLAT longitude latitude\> \<BYRADIUS radius \<M | KM | FT | MI\> | BYBOX width height \<M | KM | FT | MI\>\> \[ASC | DESC\] \[COUNT count \[ANY\]\] \[STOREDIST\]
pub fn geosearchstore_command(srv: &mut Server, c: &mut Client) {
    georadius_generic(srv, c, 2, Variant::Search { store: true });
}
