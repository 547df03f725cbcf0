//! Redis's geohash (geohash.c, geohash_helper.c): the 52-bit cell number a geo
//! member's sorted-set score holds, its decoding back to coordinates, the nine
//! cells a radius or box search scans, and the distances the search filters on.
//!
//! A point is encoded at step 26: its longitude in -180..180 and its latitude in
//! -85.05112878..85.05112878 (the Web Mercator limits; Redis cannot index the
//! poles) are each scaled to a 26-bit integer and interleaved, latitude bits in
//! the even positions and longitude bits in the odd ones:
//!
//! ```text
//!   bit  51   50   49   48  ...   1    0
//!       lon25 lat25 lon24 lat24 ... lon0 lat0     score = that integer as a double
//! ```
//!
//! So a cell of `step` bits per axis is a prefix of the score, and all points in
//! it lie in one score interval: a search is at most nine range scans of the
//! sorted set. Every computation below follows Redis's arithmetic operation for
//! operation (same order, same constants, same truncations), because the scores,
//! the coordinates GEOPOS prints with 17 digits and the set of points a search
//! returns must all be Redis's to the last bit.

/// Bits per axis of a stored point (26 * 2 = 52, a double's mantissa).
pub const STEP_MAX: u8 = 26;
pub const LAT_MIN: f64 = -85.05112878;
pub const LAT_MAX: f64 = 85.05112878;
pub const LONG_MIN: f64 = -180.0;
pub const LONG_MAX: f64 = 180.0;
/// Redis's EARTH_RADIUS_IN_METERS (the quadratic mean radius of WGS-84).
pub const EARTH_RADIUS_M: f64 = 6372797.560856;
const MERCATOR_MAX: f64 = 20037726.37;
const D_R: f64 = std::f64::consts::PI / 180.0;

fn deg_rad(a: f64) -> f64 {
    a * D_R
}

fn rad_deg(a: f64) -> f64 {
    a / D_R
}

/// A cell: `step` bits per axis, interleaved in the low `2 * step` bits.
/// The all-zero value is Redis's "no cell" (a neighbour excluded from a search).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct HashBits {
    pub bits: u64,
    pub step: u8,
}

impl HashBits {
    pub fn is_zero(&self) -> bool {
        self.bits == 0 && self.step == 0
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

/// The coordinate ranges GEOADD's scores are relative to.
pub const LONG_RANGE: Range = Range {
    min: LONG_MIN,
    max: LONG_MAX,
};
pub const LAT_RANGE: Range = Range {
    min: LAT_MIN,
    max: LAT_MAX,
};

/// A decoded cell: its corners.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Area {
    pub hash: HashBits,
    pub long: Range,
    pub lat: Range,
}

/// Spreads the low 32 bits of `x` to the even positions and those of `y` to
/// the odd ones.
fn interleave(x: u32, y: u32) -> u64 {
    fn spread(v: u32) -> u64 {
        let mut v = u64::from(v);
        v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        (v | (v << 1)) & 0x5555_5555_5555_5555
    }
    spread(x) | (spread(y) << 1)
}

/// The inverse of [`interleave`]: the even bits in the low half, the odd bits
/// in the high half.
fn deinterleave(v: u64) -> u64 {
    fn squash(mut v: u64) -> u64 {
        v &= 0x5555_5555_5555_5555;
        v = (v | (v >> 1)) & 0x3333_3333_3333_3333;
        v = (v | (v >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v >> 4)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v >> 8)) & 0x0000_FFFF_0000_FFFF;
        (v | (v >> 16)) & 0x0000_0000_FFFF_FFFF
    }
    squash(v) | (squash(v >> 1) << 32)
}

/// C's `(uint32_t)` of a non-negative double below 2^32 (truncation).
fn to_u32(v: f64) -> u32 {
    v as u32
}

/// Redis's geohashEncode: the cell of `step` bits holding the point, relative
/// to the given ranges. None when the point is outside Redis's limits or the
/// ranges (Redis then leaves the hash at zero).
pub fn encode(
    long_range: Range,
    lat_range: Range,
    long: f64,
    lat: f64,
    step: u8,
) -> Option<HashBits> {
    if step == 0 || step > 32 {
        return None;
    }
    // Written so that NaN fails too (Redis never passes one: its parser refuses it).
    if !((LONG_MIN..=LONG_MAX).contains(&long) && (LAT_MIN..=LAT_MAX).contains(&lat)) {
        return None;
    }
    if !((long_range.min..=long_range.max).contains(&long)
        && (lat_range.min..=lat_range.max).contains(&lat))
    {
        return None;
    }
    let scale = (1u64 << step) as f64;
    let lat_offset = (lat - lat_range.min) / (lat_range.max - lat_range.min) * scale;
    let long_offset = (long - long_range.min) / (long_range.max - long_range.min) * scale;
    Some(HashBits {
        bits: interleave(to_u32(lat_offset), to_u32(long_offset)),
        step,
    })
}

/// [`encode`] with GEOADD's ranges.
pub fn encode_wgs84(long: f64, lat: f64, step: u8) -> Option<HashBits> {
    encode(LONG_RANGE, LAT_RANGE, long, lat, step)
}

/// A cell's bits shifted to the top of 52 bits (a step-26 cell is unchanged).
pub fn align52(h: HashBits) -> u64 {
    h.bits << (52 - u32::from(h.step) * 2)
}

/// The score GEOADD stores for a point; None outside Redis's limits.
pub fn score_of(long: f64, lat: f64) -> Option<u64> {
    encode_wgs84(long, lat, STEP_MAX).map(align52)
}

/// Redis's geohashDecode: the corners of a cell.
pub fn decode(long_range: Range, lat_range: Range, h: HashBits) -> Option<Area> {
    if h.is_zero() {
        return None;
    }
    let sep = deinterleave(h.bits);
    let ilat = sep as u32;
    let ilong = (sep >> 32) as u32;
    let div = (1u64 << h.step) as f64;
    let lat_scale = lat_range.max - lat_range.min;
    let long_scale = long_range.max - long_range.min;
    // `+ 1` wraps as the C uint32_t does (reachable only with scores no GEOADD writes).
    Some(Area {
        hash: h,
        lat: Range {
            min: lat_range.min + (f64::from(ilat) / div) * lat_scale,
            max: lat_range.min + (f64::from(ilat.wrapping_add(1)) / div) * lat_scale,
        },
        long: Range {
            min: long_range.min + (f64::from(ilong) / div) * long_scale,
            max: long_range.min + (f64::from(ilong.wrapping_add(1)) / div) * long_scale,
        },
    })
}

/// The centre of a cell, clamped to Redis's limits: (longitude, latitude).
pub fn area_center(a: &Area) -> (f64, f64) {
    let long = ((a.long.min + a.long.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let lat = ((a.lat.min + a.lat.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    (long, lat)
}

/// C's `(uint64_t)` of a double as x86-64 compilers emit it (the value Redis
/// decodes when a member's score was set by ZADD rather than GEOADD): values
/// below 2^63 truncate through a signed conversion (negative ones wrap,
/// out-of-range ones and NaN give 2^63), larger ones convert after subtracting
/// 2^63 and flip the top bit back.
pub fn score_bits(score: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    fn cvttsd2si(v: f64) -> u64 {
        if v > -TWO63 - 1025.0 && v < TWO63 {
            // In range: truncation (the first double below -2^63 is -2^63 - 2048).
            v as i64 as u64
        } else {
            1 << 63
        }
    }
    if score >= TWO63 {
        cvttsd2si(score - TWO63) ^ (1 << 63)
    } else {
        cvttsd2si(score)
    }
}

/// Redis's decodeGeohash: a geo member's score back to (longitude, latitude),
/// the centre of its step-26 cell.
pub fn decode_score(score: f64) -> (f64, f64) {
    let h = HashBits {
        bits: score_bits(score),
        step: STEP_MAX,
    };
    let area = decode(LONG_RANGE, LAT_RANGE, h).expect("a step-26 cell is never zero");
    area_center(&area)
}

/// GEOHASH's 11-character string for a member's score: its decoded position
/// re-encoded against the standard geohash ranges (latitude -90..90, which is
/// why it differs from the score's own bits), in geohash's base32; the 11th
/// character stands for bits Redis does not have and is always `0`.
pub fn geohash_string(score: f64) -> [u8; 11] {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let (long, lat) = decode_score(score);
    let std_long = Range {
        min: -180.0,
        max: 180.0,
    };
    let std_lat = Range {
        min: -90.0,
        max: 90.0,
    };
    let bits = encode(std_long, std_lat, long, lat, STEP_MAX).map_or(0, |h| h.bits);
    let mut out = [b'0'; 11];
    for (i, c) in out.iter_mut().take(10).enumerate() {
        *c = ALPHABET[((bits >> (52 - (i + 1) * 5)) & 0x1f) as usize];
    }
    out
}

/// The eight cells around `h`, at the same step, in Redis's GeoHashNeighbors
/// terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Neighbors {
    pub north: HashBits,
    pub east: HashBits,
    pub west: HashBits,
    pub south: HashBits,
    pub north_east: HashBits,
    pub south_east: HashBits,
    pub north_west: HashBits,
    pub south_west: HashBits,
}

/// Steps a cell along one axis (`odd`: the longitude bits) by `d` (+1 or -1),
/// wrapping around at the ends of the range.
fn step_axis(h: &mut HashBits, d: i8, odd: bool) {
    if d == 0 {
        return;
    }
    const ODD: u64 = 0xaaaa_aaaa_aaaa_aaaa;
    const EVEN: u64 = 0x5555_5555_5555_5555;
    let (mine, other) = if odd { (ODD, EVEN) } else { (EVEN, ODD) };
    let shift = 64 - u32::from(h.step) * 2;
    let mut v = h.bits & mine;
    let keep = h.bits & other;
    // The other axis's bits filled with ones, so a carry or borrow runs across them.
    let fill = other >> shift;
    if d > 0 {
        v = v.wrapping_add(fill + 1);
    } else {
        v |= fill;
        v = v.wrapping_sub(fill + 1);
    }
    v &= mine >> shift;
    h.bits = v | keep;
}

/// Redis's geohashNeighbors (the step must be 1..=32).
pub fn neighbors(h: &HashBits) -> Neighbors {
    let at = |dx: i8, dy: i8| {
        let mut n = *h;
        step_axis(&mut n, dx, true);
        step_axis(&mut n, dy, false);
        n
    };
    Neighbors {
        north: at(0, 1),
        east: at(1, 0),
        west: at(-1, 0),
        south: at(0, -1),
        north_east: at(1, 1),
        south_east: at(1, -1),
        north_west: at(-1, 1),
        south_west: at(-1, -1),
    }
}

/// Redis's geohashGetLatDistance: meters between two latitudes on a meridian.
pub fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_M * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// Redis's geohashGetDistance: the haversine great-circle distance in meters.
pub fn distance(long1: f64, lat1: f64, long2: f64, lat2: f64) -> f64 {
    let long1r = deg_rad(long1);
    let long2r = deg_rad(long2);
    let v = ((long2r - long1r) / 2.0).sin();
    // Same meridian: Redis takes the cheaper formula (its result differs in the
    // last bits, so it must be taken here too).
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let lat1r = deg_rad(lat1);
    let lat2r = deg_rad(lat2);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

/// What a search covers, in the units the command gave (meters are these
/// times `conversion`): Redis's GeoShape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ShapeKind {
    Radius(f64),
    Box { width: f64, height: f64 },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    pub long: f64,
    pub lat: f64,
    /// Meters per unit: m 1, km 1000, ft 0.3048, mi 1609.34.
    pub conversion: f64,
    pub kind: ShapeKind,
}

/// The bounding box of the search: [min long, min lat, max long, max lat]
/// (the longitude span taken at the edge nearer the pole, Redis's choice).
pub fn bounding_box(s: &Shape) -> [f64; 4] {
    let (height, width) = match s.kind {
        ShapeKind::Radius(r) => (s.conversion * r, s.conversion * r),
        ShapeKind::Box { width, height } => {
            (s.conversion * height / 2.0, s.conversion * width / 2.0)
        }
    };
    let lat_delta = rad_deg(height / EARTH_RADIUS_M);
    let long_delta_top = rad_deg(width / EARTH_RADIUS_M / deg_rad(s.lat + lat_delta).cos());
    let long_delta_bottom = rad_deg(width / EARTH_RADIUS_M / deg_rad(s.lat - lat_delta).cos());
    let long_delta = if s.lat < 0.0 {
        long_delta_bottom
    } else {
        long_delta_top
    };
    [
        s.long - long_delta,
        s.lat - lat_delta,
        s.long + long_delta,
        s.lat + lat_delta,
    ]
}

/// Redis's geohashEstimateStepsByRadius: the coarsest step whose cells are
/// still about as large as the search radius.
pub fn estimate_steps_by_radius(range_m: f64, lat: f64) -> u8 {
    if range_m == 0.0 {
        return 26;
    }
    let mut range = range_m;
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    // Cells narrow towards the poles.
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

/// The cells a search scans, in Redis's order (the centre, then north, south,
/// east, west, north-east, north-west, south-east, south-west; None for a
/// neighbour the bounding box does not reach), and the centre cell's area.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SearchAreas {
    pub cells: [Option<HashBits>; 9],
    pub area: Area,
}

/// Redis's geohashCalculateAreasByShapeWGS84.
pub fn search_areas(s: &Shape) -> SearchAreas {
    let [min_long, min_lat, max_long, max_lat] = bounding_box(s);
    let radius_m = match s.kind {
        ShapeKind::Radius(r) => r,
        ShapeKind::Box { width, height } => {
            ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
        }
    } * s.conversion;
    let mut steps = estimate_steps_by_radius(radius_m, s.lat);
    // The centre is validated by the caller, so the encoding succeeds; Redis
    // ignores a failure and keeps a zero hash, which is what the default gives.
    let cell = |steps: u8| {
        let hash = encode_wgs84(s.long, s.lat, steps).unwrap_or(HashBits {
            bits: 0,
            step: steps,
        });
        (hash, neighbors(&hash))
    };
    let (mut hash, mut nb) = cell(steps);
    // Near a cell's edge the estimated step can leave part of the box outside
    // the nine cells: then one step coarser.
    let reaches = |h: HashBits| decode(LONG_RANGE, LAT_RANGE, h);
    let mut decrease = false;
    if let Some(n) = reaches(nb.north) {
        decrease |= n.lat.max < max_lat;
    }
    if let Some(a) = reaches(nb.south) {
        decrease |= a.lat.min > min_lat;
    }
    if let Some(a) = reaches(nb.east) {
        decrease |= a.long.max < max_long;
    }
    if let Some(a) = reaches(nb.west) {
        decrease |= a.long.min > min_long;
    }
    if steps > 1 && decrease {
        steps -= 1;
        (hash, nb) = cell(steps);
    }
    let area = reaches(hash).unwrap_or(Area {
        hash,
        long: Range { min: 0.0, max: 0.0 },
        lat: Range { min: 0.0, max: 0.0 },
    });
    let mut cells = [
        Some(hash),
        Some(nb.north),
        Some(nb.south),
        Some(nb.east),
        Some(nb.west),
        Some(nb.north_east),
        Some(nb.north_west),
        Some(nb.south_east),
        Some(nb.south_west),
    ];
    // Drop the neighbours on a side the box does not reach.
    if steps >= 2 {
        let drop = |cells: &mut [Option<HashBits>; 9], idx: [usize; 3]| {
            for i in idx {
                cells[i] = None;
            }
        };
        if area.lat.min < min_lat {
            drop(&mut cells, [2, 7, 8]); // south, south-east, south-west
        }
        if area.lat.max > max_lat {
            drop(&mut cells, [1, 5, 6]); // north, north-east, north-west
        }
        if area.long.min < min_long {
            drop(&mut cells, [4, 8, 6]); // west, south-west, north-west
        }
        if area.long.max > max_long {
            drop(&mut cells, [3, 7, 5]); // east, south-east, north-east
        }
    }
    SearchAreas { cells, area }
}

/// The score interval [min, max) holding every point of a cell.
pub fn cell_scores(h: HashBits) -> (u64, u64) {
    let min = align52(h);
    let max = align52(HashBits {
        bits: h.bits + 1,
        step: h.step,
    });
    (min, max)
}

/// Redis's geoWithinShape: the decoded position of a score and its distance
/// from the centre in meters, if the point lies in the shape.
pub fn within(s: &Shape, score: f64) -> Option<(f64, f64, f64)> {
    let (long, lat) = decode_score(score);
    let dist = match s.kind {
        ShapeKind::Radius(r) => {
            let d = distance(s.long, s.lat, long, lat);
            if d > r * s.conversion {
                return None;
            }
            d
        }
        ShapeKind::Box { width, height } => {
            let (width_m, height_m) = (width * s.conversion, height * s.conversion);
            if lat_distance(lat, s.lat) > height_m / 2.0 {
                return None;
            }
            if distance(long, lat, s.long, lat) > width_m / 2.0 {
                return None;
            }
            distance(s.long, s.lat, long, lat)
        }
    };
    Some((long, lat, dist))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::number::LongDouble;

    fn human(v: f64) -> String {
        LongDouble::from_f64(v).format_human()
    }

    /// (longitude, latitude) given to GEOADD, then what Redis 7.0.15 answers:
    /// ZSCORE, GEOPOS, GEOHASH.
    const POINTS: &[(f64, f64, u64, &str, &str, &str)] = &[
        (
            13.361389,
            38.115556,
            3479099956230698,
            "13.36138933897018433",
            "38.11555639549629859",
            "sqc8b49rny0",
        ),
        (
            15.087269,
            37.502669,
            3479447370796909,
            "15.08726745843887329",
            "37.50266842333162032",
            "sqdtr74hyu0",
        ),
        (
            0.0,
            0.0,
            3377699720527872,
            "0.00000268220901489",
            "0.00000126736058093",
            "s0000000000",
        ),
        (
            180.0,
            85.05112878,
            13510798882111488,
            "180",
            "85.0511287799999991",
            "bp05b5048p0",
        ),
        (
            -180.0,
            -85.05112878,
            0,
            "-179.99999731779098511",
            "-85.05112751263942528",
            "00bh0hbj200",
        ),
        (
            179.9999,
            0.5,
            4128321133537522,
            "179.99990075826644897",
            "0.50000036325177888",
            "xbpfzgpbtw0",
        ),
        (
            -179.9999,
            0.5,
            1125921381958232,
            "-179.99990075826644897",
            "0.50000036325177888",
            "8004b500dq0",
        ),
        (
            -0.0001,
            -0.0001,
            1125899906841058,
            "-0.00009924173355103",
            "-0.00010012148579364",
            "7zzzzzzzmt0",
        ),
    ];

    #[test]
    fn points_match_redis() {
        for &(long, lat, score, plong, plat, gh) in POINTS {
            assert_eq!(score_of(long, lat), Some(score), "score of {long},{lat}");
            let (dlong, dlat) = decode_score(score as f64);
            assert_eq!(
                (human(dlong).as_str(), human(dlat).as_str()),
                (plong, plat),
                "{long},{lat}"
            );
            assert_eq!(
                std::str::from_utf8(&geohash_string(score as f64)).unwrap(),
                gh
            );
        }
    }

    #[test]
    fn out_of_limits_is_refused() {
        for (long, lat) in [
            (180.0001, 0.0),
            (-180.0001, 0.0),
            (0.0, 85.05112879),
            (0.0, -85.06),
            (f64::NAN, 0.0),
        ] {
            assert_eq!(score_of(long, lat), None, "{long},{lat}");
        }
    }

    /// Scores set with ZADD, decoded the way Redis decodes them (GEOPOS).
    #[test]
    fn foreign_scores_decode_as_redis() {
        let cases: &[(f64, &str, &str)] = &[
            (-1.0, "180", "85.0511287799999991"),
            (-4_611_686_018_427_387_904.0, "180", "85.0511287799999991"),
            (9_223_372_036_854_775_808.0, "180", "-85.05112751263942528"),
            (
                1.8446744073709552e19,
                "-179.99999731779098511",
                "-85.05112751263942528",
            ),
            (-0.5, "-179.99999731779098511", "-85.05112751263942528"),
            (
                4503599627370495.0,
                "179.99999731779098511",
                "85.05112751263942528",
            ),
            (
                4503599627370496.0,
                "-179.99999731779098511",
                "85.0511287799999991",
            ),
            (1e17, "180", "85.0511287799999991"),
            (f64::NEG_INFINITY, "180", "-85.05112751263942528"),
            (
                f64::INFINITY,
                "-179.99999731779098511",
                "-85.05112751263942528",
            ),
            (5.0, "-179.99999731779098511", "-85.05111990847595393"),
        ];
        for &(score, plong, plat) in cases {
            let (long, lat) = decode_score(score);
            assert_eq!(
                (human(long).as_str(), human(lat).as_str()),
                (plong, plat),
                "score {score}"
            );
        }
    }

    #[test]
    fn distances_match_redis() {
        // GEODIST of the POINTS above, as Redis prints it (4 decimals).
        let d = |a: usize, b: usize| {
            let (la, lb) = (
                decode_score(POINTS[a].2 as f64),
                decode_score(POINTS[b].2 as f64),
            );
            distance(la.0, la.1, lb.0, lb.1)
        };
        assert_eq!(format!("{:.4}", d(0, 1)), "166274.1516");
        assert_eq!(format!("{:.4}", d(0, 1) / 1000.0), "166.2742");
        assert_eq!(format!("{:.4}", d(5, 6) / 1609.34), "0.0137");
        assert_eq!(format!("{:.4}", d(2, 7) / 0.3048), "52.4619");
        // Same meridian: the latitude formula, exactly.
        assert_eq!(distance(10.0, 1.0, 10.0, 2.0), lat_distance(1.0, 2.0));
    }

    #[test]
    fn interleave_roundtrips() {
        for (x, y) in [
            (0u32, 0u32),
            (1, 0),
            (0, 1),
            (u32::MAX, 0),
            (0x1234_5678, 0x9abc_def0),
            (u32::MAX, u32::MAX),
        ] {
            let v = interleave(x, y);
            assert_eq!(deinterleave(v), u64::from(x) | (u64::from(y) << 32));
        }
        assert_eq!(interleave(1, 0), 1);
        assert_eq!(interleave(0, 1), 2);
    }

    #[test]
    fn neighbors_are_adjacent_cells() {
        let h = encode_wgs84(13.361389, 38.115556, 10).unwrap();
        let a = decode(LONG_RANGE, LAT_RANGE, h).unwrap();
        let n = neighbors(&h);
        let get = |c: HashBits| decode(LONG_RANGE, LAT_RANGE, c).unwrap();
        assert_eq!(get(n.north).lat.min, a.lat.max);
        assert_eq!(get(n.south).lat.max, a.lat.min);
        assert_eq!(get(n.east).long.min, a.long.max);
        assert_eq!(get(n.west).long.max, a.long.min);
        assert_eq!(get(n.north_east).long.min, a.long.max);
        assert_eq!(get(n.north_east).lat.min, a.lat.max);
        assert_eq!(get(n.south_west).long.max, a.long.min);
        assert_eq!(get(n.south_west).lat.max, a.lat.min);
        // East of the last column wraps to the first (the antimeridian).
        let edge = encode_wgs84(179.99, 0.0, 8).unwrap();
        assert_eq!(get(neighbors(&edge).east).long.min, -180.0);
    }

    #[test]
    fn steps_by_radius() {
        assert_eq!(estimate_steps_by_radius(0.0, 0.0), 26);
        assert_eq!(estimate_steps_by_radius(1.0, 0.0), 24);
        assert_eq!(estimate_steps_by_radius(1000.0, 0.0), 14);
        assert_eq!(estimate_steps_by_radius(1000.0, 70.0), 13);
        assert_eq!(estimate_steps_by_radius(1000.0, -85.0), 12);
        assert_eq!(estimate_steps_by_radius(1e9, 0.0), 1);
    }

    /// Every point of a shape is found in one of the cells search_areas
    /// returns (the property the search relies on), over a grid of centres
    /// that includes the poles' limits and the antimeridian.
    #[test]
    fn search_cells_cover_the_shape() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        for i in 0..400 {
            let long = if i % 4 == 0 {
                179.9
            } else {
                rnd() * 360.0 - 180.0
            };
            let lat = if i % 5 == 0 {
                84.9
            } else {
                rnd() * 170.0 - 85.0
            };
            let kind = if i % 2 == 0 {
                ShapeKind::Radius(rnd() * 500.0)
            } else {
                ShapeKind::Box {
                    width: rnd() * 800.0,
                    height: rnd() * 800.0,
                }
            };
            let s = Shape {
                long,
                lat,
                conversion: 1000.0,
                kind,
            };
            let areas = search_areas(&s);
            // (A point at exactly the latitude limit gets a 53rd bit and is in no
            // cell, in Redis too; the test keeps just inside.)
            for _ in 0..50 {
                let p_long = (long + (rnd() - 0.5) * 20.0).clamp(LONG_MIN, LONG_MAX);
                let p_lat = (lat + (rnd() - 0.5) * 10.0).clamp(LAT_MIN, LAT_MAX - 1e-9);
                let score = score_of(p_long, p_lat).unwrap();
                if within(&s, score as f64).is_none() {
                    continue;
                }
                let found = areas.cells.iter().flatten().any(|c| {
                    let (lo, hi) = cell_scores(*c);
                    (lo..hi).contains(&score)
                });
                // Redis's own cover is not exact across the antimeridian (it
                // does not wrap the bounding box); only check where it is.
                let b = bounding_box(&s);
                if b[0] >= LONG_MIN && b[2] <= LONG_MAX {
                    assert!(found, "point {p_long},{p_lat} of {s:?} not in the cells");
                }
            }
        }
    }
}
