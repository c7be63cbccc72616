//! Geospatial commands over sorted sets, as Redis 7.0: GEOADD GEODIST
//! GEOHASH GEOPOS GEORADIUS(_RO) GEORADIUSBYMEMBER(_RO) GEOSEARCH
//! GEOSEARCHSTORE.
//!
//! A position is stored as a sorted-set score: a 52-bit geohash, latitude
//! and longitude bits interleaved, over longitudes -180..180 and the
//! Web-Mercator latitudes -85.05112878..85.05112878. A search covers the
//! shape with the geohash cell around its centre and the eight cells
//! around that (dropping the ones the shape cannot reach), reads each
//! cell's score range, and keeps the points truly inside. Cell sizes,
//! neighbour order and the distance formula (haversine on a sphere of
//! 6372797.560856 m) are Redis's, so unsorted results come in Redis's order
//! and distances print the same digits.

use crate::ctx::{ExecCtx, Outcome};
use crate::errors;
use crate::parse::{self, eq_ignore_case};
use shoal_keyspace::collections::{ScoreRange, ZRange, ZSetValue};
use shoal_keyspace::Value;
use shoal_resp::request::{Args, OwnedArgs};
use shoal_resp::ReplyBuf;

const STEP_MAX: u8 = 26;
const LAT_MIN: f64 = -85.05112878;
const LAT_MAX: f64 = 85.05112878;
const LONG_MIN: f64 = -180.0;
const LONG_MAX: f64 = 180.0;
const EARTH_RADIUS_M: f64 = 6372797.560856;
const MERCATOR_MAX: f64 = 20037726.37;
const D_R: f64 = std::f64::consts::PI / 180.0;

fn deg_rad(a: f64) -> f64 {
    a * D_R
}

fn rad_deg(a: f64) -> f64 {
    a / D_R
}

// ---------------------------------------------------------------- geohash

/// A geohash of `step` bits per coordinate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Hash {
    bits: u64,
    step: u8,
}

impl Hash {
    /// Redis's "zeroed" hash, which marks a neighbour as not searched.
    fn is_zero(self) -> bool {
        self.bits == 0 && self.step == 0
    }

    /// The hash as the 52-bit score it starts.
    fn align52(self) -> u64 {
        self.bits << (52 - u32::from(self.step) * 2)
    }
}

#[derive(Debug, Clone, Copy)]
struct Span {
    min: f64,
    max: f64,
}

#[derive(Debug, Clone, Copy)]
struct Area {
    lon: Span,
    lat: Span,
}

const WGS84_LON: Span = Span {
    min: LONG_MIN,
    max: LONG_MAX,
};
const WGS84_LAT: Span = Span {
    min: LAT_MIN,
    max: LAT_MAX,
};

/// Spreads the bits of `lat` to the even positions and those of `lon` to
/// the odd ones.
fn interleave(lat: u32, lon: u32) -> u64 {
    fn spread(v: u32) -> u64 {
        let mut x = u64::from(v);
        x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
        x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
        x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
        x = (x | (x << 2)) & 0x3333_3333_3333_3333;
        (x | (x << 1)) & 0x5555_5555_5555_5555
    }
    spread(lat) | (spread(lon) << 1)
}

/// The inverse of [`interleave`]: latitude bits low, longitude bits high.
fn deinterleave(v: u64) -> (u32, u32) {
    fn squeeze(mut x: u64) -> u32 {
        x &= 0x5555_5555_5555_5555;
        x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
        x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
        x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
        x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
        ((x | (x >> 16)) & 0x0000_0000_FFFF_FFFF) as u32
    }
    (squeeze(v), squeeze(v >> 1))
}

/// geohashEncode: `None` outside the WGS84 limits or the given ranges.
fn encode(lon_span: Span, lat_span: Span, lon: f64, lat: f64, step: u8) -> Option<Hash> {
    let outside_wgs84 =
        !(LONG_MIN..=LONG_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat);
    let outside = !(lat_span.min..=lat_span.max).contains(&lat)
        || !(lon_span.min..=lon_span.max).contains(&lon);
    if outside_wgs84 || outside {
        return None;
    }
    let scale = (1u64 << step) as f64;
    let lat_offset = (lat - lat_span.min) / (lat_span.max - lat_span.min) * scale;
    let lon_offset = (lon - lon_span.min) / (lon_span.max - lon_span.min) * scale;
    Some(Hash {
        bits: interleave(lat_offset as u32, lon_offset as u32),
        step,
    })
}

fn decode(lon_span: Span, lat_span: Span, hash: Hash) -> Area {
    let (ilat, ilon) = deinterleave(hash.bits);
    let cells = (1u64 << hash.step) as f64;
    let lat_scale = lat_span.max - lat_span.min;
    let lon_scale = lon_span.max - lon_span.min;
    let at = |i: u32| f64::from(i) / cells;
    let after = |i: u32| (f64::from(i) + 1.0) / cells;
    Area {
        lat: Span {
            min: lat_span.min + at(ilat) * lat_scale,
            max: lat_span.min + after(ilat) * lat_scale,
        },
        lon: Span {
            min: lon_span.min + at(ilon) * lon_scale,
            max: lon_span.min + after(ilon) * lon_scale,
        },
    }
}

/// The centre of a cell, clamped to the WGS84 limits: `[lon, lat]`.
fn centre(area: &Area) -> [f64; 2] {
    let lon = ((area.lon.min + area.lon.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let lat = ((area.lat.min + area.lat.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    [lon, lat]
}

/// The position a score encodes.
fn position_of(score: f64) -> [f64; 2] {
    let hash = Hash {
        bits: score as u64,
        step: STEP_MAX,
    };
    centre(&decode(WGS84_LON, WGS84_LAT, hash))
}

/// The score of a position.
fn score_of(lon: f64, lat: f64) -> f64 {
    let hash = encode(WGS84_LON, WGS84_LAT, lon, lat, STEP_MAX).expect("checked coordinates");
    hash.align52() as f64
}

/// Moves a hash one cell along longitude (odd bits) or latitude (even).
fn moved(hash: Hash, dx: i8, dy: i8) -> Hash {
    let shift = 64 - u32::from(hash.step) * 2;
    let step_along = |bits: u64, mask: u64, d: i8| -> u64 {
        // `mask` selects this coordinate's bits; the others are all ones
        // so that a carry crosses them.
        let own = bits & mask;
        let others = !mask & (u64::MAX >> shift);
        let moved = if d > 0 {
            own.wrapping_add(others.wrapping_add(1))
        } else {
            (own | others).wrapping_sub(others.wrapping_add(1))
        };
        moved & (mask >> shift)
    };
    let (lon_mask, lat_mask) = (0xaaaa_aaaa_aaaa_aaaa_u64, 0x5555_5555_5555_5555_u64);
    let mut bits = hash.bits;
    if dx != 0 {
        bits = step_along(bits, lon_mask, dx) | (bits & lat_mask);
    }
    if dy != 0 {
        bits = (bits & lon_mask) | step_along(bits, lat_mask, dy);
    }
    Hash {
        bits,
        step: hash.step,
    }
}

/// The cell size for a search radius (Redis's estimate, coarser near the
/// poles).
fn steps_for_radius(mut range_m: f64, lat: f64) -> u8 {
    if range_m == 0.0 {
        return 26;
    }
    let mut step: i32 = 1;
    while range_m < MERCATOR_MAX {
        range_m *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

/// The lengths of a search shape.
#[derive(Debug, Clone, Copy)]
enum Extent {
    Radius(f64),
    Box { width: f64, height: f64 },
}

/// A search shape: its centre, extent, and the unit its lengths use.
#[derive(Debug, Clone, Copy)]
struct Shape {
    centre: [f64; 2],
    extent: Extent,
    /// Metres per unit.
    to_m: f64,
}

impl Shape {
    /// `[min_lon, min_lat, max_lon, max_lat]`.
    fn bounding_box(&self) -> [f64; 4] {
        let [lon, lat] = self.centre;
        let (half_h, half_w) = match self.extent {
            Extent::Radius(r) => (r, r),
            Extent::Box { width, height } => (height / 2.0, width / 2.0),
        };
        let (height, width) = (self.to_m * half_h, self.to_m * half_w);
        let lat_delta = rad_deg(height / EARTH_RADIUS_M);
        let lon_delta_top = rad_deg(width / EARTH_RADIUS_M / deg_rad(lat + lat_delta).cos());
        let lon_delta_bottom = rad_deg(width / EARTH_RADIUS_M / deg_rad(lat - lat_delta).cos());
        let lon_delta = if lat < 0.0 {
            lon_delta_bottom
        } else {
            lon_delta_top
        };
        [
            lon - lon_delta,
            lat - lat_delta,
            lon + lon_delta,
            lat + lat_delta,
        ]
    }

    /// The point's distance from the centre (metres) when inside the shape.
    fn contains(&self, point: [f64; 2]) -> Option<f64> {
        let [x1, y1] = self.centre;
        let [x2, y2] = point;
        match self.extent {
            Extent::Radius(r) => {
                let d = distance(x1, y1, x2, y2);
                (d <= r * self.to_m).then_some(d)
            }
            Extent::Box { width, height } => {
                let (w, h) = (width * self.to_m, height * self.to_m);
                if lat_distance(y2, y1) > h / 2.0 || distance(x2, y2, x1, y2) > w / 2.0 {
                    return None;
                }
                Some(distance(x1, y1, x2, y2))
            }
        }
    }

    /// The nine cells to search, in Redis's order: centre, N, S, E, W,
    /// NE, NW, SE, SW (zero for the ones the shape cannot reach).
    fn cells(&self) -> [Hash; 9] {
        let [min_lon, min_lat, max_lon, max_lat] = self.bounding_box();
        let [lon, lat] = self.centre;
        let radius_m = match self.extent {
            Extent::Radius(r) => r,
            Extent::Box { width, height } => {
                ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
            }
        } * self.to_m;
        let mut steps = steps_for_radius(radius_m, lat);
        let around = |steps: u8| {
            let hash = encode(WGS84_LON, WGS84_LAT, lon, lat, steps).unwrap_or_default();
            let n = [
                hash,
                moved(hash, 0, 1),
                moved(hash, 0, -1),
                moved(hash, 1, 0),
                moved(hash, -1, 0),
                moved(hash, 1, 1),
                moved(hash, -1, 1),
                moved(hash, 1, -1),
                moved(hash, -1, -1),
            ];
            (n, decode(WGS84_LON, WGS84_LAT, hash))
        };
        let (mut n, mut area) = around(steps);
        // Near a cell edge the estimate can be too fine for the
        // neighbours to reach the shape: one step coarser then.
        let side = |h: Hash| decode(WGS84_LON, WGS84_LAT, h);
        let too_fine = side(n[1]).lat.max < max_lat
            || side(n[2]).lat.min > min_lat
            || side(n[3]).lon.max < max_lon
            || side(n[4]).lon.min > min_lon;
        if steps > 1 && too_fine {
            steps -= 1;
            (n, area) = around(steps);
        }
        if steps >= 2 {
            let zero = Hash::default();
            if area.lat.min < min_lat {
                for i in [2, 8, 7] {
                    n[i] = zero; // S, SW, SE
                }
            }
            if area.lat.max > max_lat {
                for i in [1, 5, 6] {
                    n[i] = zero; // N, NE, NW
                }
            }
            if area.lon.min < min_lon {
                for i in [4, 8, 6] {
                    n[i] = zero; // W, SW, NW
                }
            }
            if area.lon.max > max_lon {
                for i in [3, 7, 5] {
                    n[i] = zero; // E, SE, NE
                }
            }
        }
        n
    }
}

fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_M * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// Haversine distance in metres.
fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (lon1r, lon2r) = (deg_rad(lon1), deg_rad(lon2));
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let (lat1r, lat2r) = (deg_rad(lat1), deg_rad(lat2));
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

// ---------------------------------------------------------------- replies

/// A distance with four decimals, rounded half to even as Redis's
/// fixedpoint_d2string rounds.
fn reply_distance(out: &mut ReplyBuf, d: f64) {
    let scaled = (d * 10000.0).round_ties_even();
    let v = scaled.abs() as u64;
    let sign = if scaled < 0.0 { "-" } else { "" };
    out.bulk(format!("{sign}{}.{:04}", v / 10000, v % 10000).as_bytes());
}

/// A coordinate as Redis's "human" long double: 17 decimals, trailing
/// zeros removed (a bulk string in RESP2, a double in RESP3).
fn reply_coordinate(out: &mut ReplyBuf, v: f64) {
    let mut s = format!("{v:.17}");
    if s.contains('.') {
        let trimmed = s.trim_end_matches('0').trim_end_matches('.').len();
        s.truncate(trimmed);
    }
    if s == "-0" {
        s = "0".into();
    }
    if out.is_resp3() {
        out.raw(format!(",{s}\r\n").as_bytes());
    } else {
        out.bulk(s.as_bytes());
    }
}

// ---------------------------------------------------------------- parsing

/// A longitude/latitude pair; `Err` is the reply.
fn lon_lat(args: Args<'_>, at: usize) -> Result<[f64; 2], String> {
    let lon = parse::float(args.get(at)).ok_or(errors::NOT_FLOAT)?;
    let lat = parse::float(args.get(at + 1)).ok_or(errors::NOT_FLOAT)?;
    if !(LONG_MIN..=LONG_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return Err(format!(
            "ERR invalid longitude,latitude pair {lon:.6},{lat:.6}"
        ));
    }
    Ok([lon, lat])
}

/// Metres per unit; `Err` is the reply.
fn unit(arg: &[u8]) -> Result<f64, String> {
    if eq_ignore_case(arg, "m") {
        Ok(1.0)
    } else if eq_ignore_case(arg, "km") {
        Ok(1000.0)
    } else if eq_ignore_case(arg, "ft") {
        Ok(0.3048)
    } else if eq_ignore_case(arg, "mi") {
        Ok(1609.34)
    } else {
        Err("ERR unsupported unit provided. please use M, KM, FT, MI".into())
    }
}

/// `radius unit`; `Err` is the reply.
fn radius(args: Args<'_>, at: usize) -> Result<(f64, f64), String> {
    let r = parse::float(args.get(at)).ok_or("ERR need numeric radius")?;
    if r < 0.0 {
        return Err("ERR radius cannot be negative".into());
    }
    Ok((r, unit(args.get(at + 1))?))
}

/// `width height unit`; `Err` is the reply.
fn box_size(args: Args<'_>, at: usize) -> Result<(f64, f64, f64), String> {
    let w = parse::float(args.get(at)).ok_or("ERR need numeric width")?;
    let h = parse::float(args.get(at + 1)).ok_or("ERR need numeric height")?;
    if h < 0.0 || w < 0.0 {
        return Err("ERR height or width cannot be negative".into());
    }
    Ok((w, h, unit(args.get(at + 2))?))
}

// ---------------------------------------------------------------- commands

/// GEOADD key [NX|XX] [CH] longitude latitude member [...]: a ZADD of
/// the positions' scores.
pub fn geoadd(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let (mut nx, mut xx, mut first) = (false, false, 2);
    while first < args.len() {
        let a = args.get(first);
        if eq_ignore_case(a, "nx") {
            nx = true;
        } else if eq_ignore_case(a, "xx") {
            xx = true;
        } else if !eq_ignore_case(a, "ch") {
            break;
        }
        first += 1;
    }
    if (args.len() - first) % 3 != 0 || (nx && xx) {
        ctx.out.error(errors::SYNTAX);
        return Outcome::Done;
    }
    let mut zadd: Vec<Vec<u8>> = vec![b"zadd".to_vec()];
    zadd.extend(args.iter().skip(1).take(first - 1).map(<[u8]>::to_vec));
    for at in (first..args.len()).step_by(3) {
        let [lon, lat] = match lon_lat(args, at) {
            Ok(xy) => xy,
            Err(e) => {
                ctx.out.error(&e);
                return Outcome::Done;
            }
        };
        let score = score_of(lon, lat) as u64;
        zadd.push(score.to_string().into_bytes());
        zadd.push(args.get(at + 2).to_vec());
    }
    let slices: Vec<&[u8]> = zadd.iter().map(Vec::as_slice).collect();
    let owned = OwnedArgs::from_slices(&slices);
    let zadd = crate::zsets::handler("zadd").expect("ZADD is a sorted-set command");
    zadd(ctx, owned.args())
}

/// The sorted set under `key` for a read: `Ok(None)` when missing.
fn zset<'a>(ctx: &'a mut ExecCtx<'_>, key: &[u8]) -> Result<Option<&'a ZSetValue>, ()> {
    match ctx.dbs[ctx.db].get(key, ctx.now_ms, ctx.rng) {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z)),
        Some(_) => {
            ctx.out.error(errors::WRONGTYPE);
            Err(())
        }
    }
}

/// GEODIST key member1 member2 [M|KM|FT|MI]
pub fn geodist(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let to_m = match args.len() {
        4 => 1.0,
        5 => match unit(args.get(4)) {
            Ok(u) => u,
            Err(e) => {
                ctx.out.error(&e);
                return Outcome::Done;
            }
        },
        _ => {
            ctx.out.error(errors::SYNTAX);
            return Outcome::Done;
        }
    };
    let Ok(z) = zset(ctx, args.get(1)) else {
        return Outcome::Done;
    };
    let scores = z.map(|z| (z.score(args.get(2)), z.score(args.get(3))));
    match scores {
        Some((Some(a), Some(b))) => {
            let ([x1, y1], [x2, y2]) = (position_of(a), position_of(b));
            reply_distance(ctx.out, distance(x1, y1, x2, y2) / to_m);
        }
        _ => ctx.out.null(),
    }
    Outcome::Done
}

/// The scores of the members named from `args[2]` in the sorted set at
/// `args[1]` (`None` for a missing member or key); `Err` after WRONGTYPE.
fn member_scores(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Result<Vec<Option<f64>>, ()> {
    let z = zset(ctx, args.get(1))?;
    Ok(args
        .iter()
        .skip(2)
        .map(|m| z.and_then(|z| z.score(m)))
        .collect())
}

/// GEOHASH key [member ...]: standard 11-character geohashes.
pub fn geohash(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let Ok(scores) = member_scores(ctx, args) else {
        return Outcome::Done;
    };
    ctx.out.array(scores.len());
    for score in scores {
        let Some(score) = score else {
            ctx.out.null();
            continue;
        };
        // Re-encoded over the standard latitude range, -90..90.
        let [lon, lat] = position_of(score);
        let lat_span = Span {
            min: -90.0,
            max: 90.0,
        };
        let bits = encode(WGS84_LON, lat_span, lon, lat, 26).map_or(0, |h| h.bits);
        let mut text = [b'0'; 11];
        for (i, c) in text.iter_mut().take(10).enumerate() {
            *c = ALPHABET[((bits >> (52 - (i + 1) * 5)) & 0x1f) as usize];
        }
        ctx.out.bulk(&text);
    }
    Outcome::Done
}

/// GEOPOS key [member ...]
pub fn geopos(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Ok(scores) = member_scores(ctx, args) else {
        return Outcome::Done;
    };
    ctx.out.array(scores.len());
    for score in scores {
        match score {
            None => ctx.out.null_array(),
            Some(s) => {
                let [lon, lat] = position_of(s);
                ctx.out.array(2);
                reply_coordinate(ctx.out, lon);
                reply_coordinate(ctx.out, lat);
            }
        }
    }
    Outcome::Done
}

/// Which search command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// GEORADIUS key lon lat radius unit [...] (`store` allowed)
    Radius { store: bool },
    /// GEORADIUSBYMEMBER key member radius unit [...]
    ByMember { store: bool },
    /// GEOSEARCH key FROM... BY... [...]
    Search,
    /// GEOSEARCHSTORE dest key FROM... BY... [...]
    SearchStore,
}

/// GEORADIUS key longitude latitude radius M|KM|FT|MI [options]
pub fn georadius(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    search(ctx, args, Kind::Radius { store: true })
}

/// GEORADIUS_RO: GEORADIUS without STORE.
pub fn georadius_ro(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    search(ctx, args, Kind::Radius { store: false })
}

/// GEORADIUSBYMEMBER key member radius M|KM|FT|MI [options]
pub fn georadiusbymember(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    search(ctx, args, Kind::ByMember { store: true })
}

/// GEORADIUSBYMEMBER_RO: GEORADIUSBYMEMBER without STORE.
pub fn georadiusbymember_ro(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    search(ctx, args, Kind::ByMember { store: false })
}

/// GEOSEARCH key FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r u|BYBOX w h u [options]
pub fn geosearch(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    search(ctx, args, Kind::Search)
}

/// GEOSEARCHSTORE dest key ... [STOREDIST]
pub fn geosearchstore(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    search(ctx, args, Kind::SearchStore)
}

/// A point found by a search.
struct Found {
    member: Vec<u8>,
    position: [f64; 2],
    distance: f64,
    score: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    None,
    Asc,
    Desc,
}

/// The parsed form of a search, before it runs.
struct Request<'a> {
    shape: Option<Shape>,
    store: Option<&'a [u8]>,
    store_dist: bool,
    with_dist: bool,
    with_hash: bool,
    with_coord: bool,
    any: bool,
    count: i64,
    order: Order,
}

/// Parses a search, reading `zset` for a centre given by member. `Err` is
/// the reply.
fn parse_search<'a>(
    args: Args<'a>,
    kind: Kind,
    zset: Option<&ZSetValue>,
) -> Result<Request<'a>, String> {
    let member_centre = |m: &[u8]| -> Result<[f64; 2], String> {
        let score = zset
            .and_then(|z| z.score(m))
            .ok_or("ERR could not decode requested zset member")?;
        Ok(position_of(score))
    };
    let mut r = Request {
        shape: None,
        store: None,
        store_dist: false,
        with_dist: false,
        with_hash: false,
        with_coord: false,
        any: false,
        count: 0,
        order: Order::None,
    };
    let base = match kind {
        Kind::Radius { .. } => {
            let centre = lon_lat(args, 2)?;
            let (radius, to_m) = radius(args, 4)?;
            r.shape = Some(Shape {
                centre,
                extent: Extent::Radius(radius),
                to_m,
            });
            6
        }
        Kind::ByMember { .. } if zset.is_none() => 5,
        Kind::ByMember { .. } => {
            let centre = member_centre(args.get(2))?;
            let (radius, to_m) = radius(args, 3)?;
            r.shape = Some(Shape {
                centre,
                extent: Extent::Radius(radius),
                to_m,
            });
            5
        }
        Kind::Search => 2,
        Kind::SearchStore => {
            r.store = Some(args.get(1));
            3
        }
    };
    let searching = matches!(kind, Kind::Search | Kind::SearchStore);
    let store_allowed = matches!(
        kind,
        Kind::Radius { store: true } | Kind::ByMember { store: true }
    );
    let (mut centre, mut extent, mut to_m) = (None, None, 1.0);
    let (mut from_member, mut from_lonlat) = (false, false);
    let remaining = args.len().saturating_sub(base);
    let mut i = 0;
    while i < remaining {
        let at = base + i;
        let a = args.get(at);
        let left = remaining - i - 1;
        if eq_ignore_case(a, "withdist") {
            r.with_dist = true;
        } else if eq_ignore_case(a, "withhash") {
            r.with_hash = true;
        } else if eq_ignore_case(a, "withcoord") {
            r.with_coord = true;
        } else if eq_ignore_case(a, "any") {
            r.any = true;
        } else if eq_ignore_case(a, "asc") {
            r.order = Order::Asc;
        } else if eq_ignore_case(a, "desc") {
            r.order = Order::Desc;
        } else if eq_ignore_case(a, "count") && left >= 1 {
            r.count = parse::int(args.get(at + 1)).ok_or(errors::NOT_INTEGER)?;
            if r.count <= 0 {
                return Err("ERR COUNT must be > 0".into());
            }
            i += 1;
        } else if (eq_ignore_case(a, "store") || eq_ignore_case(a, "storedist"))
            && left >= 1
            && store_allowed
        {
            r.store = Some(args.get(at + 1));
            r.store_dist = eq_ignore_case(a, "storedist");
            i += 1;
        } else if eq_ignore_case(a, "storedist") && kind == Kind::SearchStore {
            r.store_dist = true;
        } else if eq_ignore_case(a, "frommember") && left >= 1 && searching && !from_lonlat {
            if zset.is_some() {
                centre = Some(member_centre(args.get(at + 1))?);
            }
            from_member = true;
            i += 1;
        } else if eq_ignore_case(a, "fromlonlat") && left >= 2 && searching && !from_member {
            centre = Some(lon_lat(args, at + 1)?);
            from_lonlat = true;
            i += 2;
        } else if eq_ignore_case(a, "byradius")
            && left >= 2
            && searching
            && !matches!(extent, Some(Extent::Box { .. }))
        {
            let (radius, unit) = radius(args, at + 1)?;
            extent = Some(Extent::Radius(radius));
            to_m = unit;
            i += 2;
        } else if eq_ignore_case(a, "bybox")
            && left >= 3
            && searching
            && !matches!(extent, Some(Extent::Radius(_)))
        {
            let (width, height, unit) = box_size(args, at + 1)?;
            extent = Some(Extent::Box { width, height });
            to_m = unit;
            i += 3;
        } else {
            return Err(errors::SYNTAX.into());
        }
        i += 1;
    }
    let name = String::from_utf8_lossy(args.get(0)).into_owned();
    if r.store.is_some() && (r.with_dist || r.with_hash || r.with_coord) {
        let what = if kind == Kind::SearchStore {
            "GEOSEARCHSTORE"
        } else {
            "STORE option in GEORADIUS"
        };
        return Err(format!(
            "ERR {what} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        ));
    }
    if searching && !(from_member || from_lonlat) {
        return Err(format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
        ));
    }
    if searching && extent.is_none() {
        return Err(format!(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for {name}"
        ));
    }
    if r.any && r.count == 0 {
        return Err("ERR the ANY argument requires COUNT argument".into());
    }
    if searching {
        r.shape = match (centre, extent) {
            (Some(centre), Some(extent)) => Some(Shape {
                centre,
                extent,
                to_m,
            }),
            _ => None,
        };
    }
    Ok(r)
}

/// The points of `zset` inside `shape`, cell by cell, stopping at `limit`
/// (0: none) as Redis does.
fn points_within(zset: &ZSetValue, shape: &Shape, limit: usize) -> Vec<Found> {
    let mut found = Vec::new();
    let cells = shape.cells();
    let mut last: Option<usize> = None;
    for (i, &cell) in cells.iter().enumerate() {
        if cell.is_zero() {
            continue;
        }
        // Huge radii make neighbours coincide; Redis compares with the
        // previous searched cell, except when that was the centre.
        if let Some(l) = last.filter(|&l| l != 0) {
            if cells[l] == cell {
                continue;
            }
        }
        if limit != 0 && found.len() >= limit {
            break;
        }
        let min = cell.align52() as f64;
        let max = Hash {
            bits: cell.bits + 1,
            step: cell.step,
        }
        .align52() as f64;
        let range = ZRange::Score(ScoreRange {
            min,
            min_exclusive: false,
            max,
            max_exclusive: true,
        });
        if let Some(first) = zset.range_first(&range) {
            zset.walk(first, false, |member, score| {
                if score >= max {
                    return false;
                }
                let position = position_of(score);
                if let Some(distance) = shape.contains(position) {
                    found.push(Found {
                        member: member.to_vec(),
                        position,
                        distance,
                        score,
                    });
                }
                !(limit != 0 && found.len() >= limit)
            });
        }
        last = Some(i);
    }
    found
}

fn search(ctx: &mut ExecCtx<'_>, args: Args<'_>, kind: Kind) -> Outcome {
    let source = if kind == Kind::SearchStore {
        args.get(2)
    } else {
        args.get(1)
    };
    let Ok(z) = zset(ctx, source) else {
        return Outcome::Done;
    };
    let request = parse_search(args, kind, z);
    let (request, z) = match request {
        Ok(r) => (r, z),
        Err(e) => {
            ctx.out.error(&e);
            return Outcome::Done;
        }
    };
    let (Some(z), Some(shape)) = (z, request.shape) else {
        // No source: nothing found (a STORE destination is removed).
        match request.store {
            Some(dest) => {
                if ctx.dbs[ctx.db].remove(dest, ctx.now_ms).is_some() {
                    ctx.dirty += 1;
                }
                ctx.out.integer(0);
            }
            None => ctx.out.empty_array(),
        }
        return Outcome::Done;
    };
    let mut order = request.order;
    if request.count != 0 && order == Order::None && !request.any {
        order = Order::Asc; // the closest N, as Redis
    }
    let limit = if request.any {
        request.count as usize
    } else {
        0
    };
    let mut found = points_within(z, &shape, limit);
    if found.is_empty() && request.store.is_none() {
        ctx.out.empty_array();
        return Outcome::Done;
    }
    match order {
        Order::Asc => found.sort_by(|a, b| a.distance.total_cmp(&b.distance)),
        Order::Desc => found.sort_by(|a, b| b.distance.total_cmp(&a.distance)),
        Order::None => {}
    }
    let returned = if request.count == 0 {
        found.len()
    } else {
        found.len().min(request.count as usize)
    };
    found.truncate(returned);
    for f in &mut found {
        f.distance /= shape.to_m;
    }
    let Some(dest) = request.store else {
        let options = usize::from(request.with_dist)
            + usize::from(request.with_coord)
            + usize::from(request.with_hash);
        ctx.out.array(found.len());
        for f in &found {
            if options > 0 {
                ctx.out.array(options + 1);
            }
            ctx.out.bulk(&f.member);
            if request.with_dist {
                reply_distance(ctx.out, f.distance);
            }
            if request.with_hash {
                ctx.out.integer(f.score as i64);
            }
            if request.with_coord {
                ctx.out.array(2);
                reply_coordinate(ctx.out, f.position[0]);
                reply_coordinate(ctx.out, f.position[1]);
            }
        }
        return Outcome::Done;
    };
    let limits = crate::zsets::limits(ctx.settings);
    let db = &mut ctx.dbs[ctx.db];
    if found.is_empty() {
        if db.remove(dest, ctx.now_ms).is_some() {
            ctx.dirty += 1;
        }
    } else {
        let mut stored = ZSetValue::new();
        for f in &found {
            let score = if request.store_dist {
                f.distance
            } else {
                f.score
            };
            stored.insert(&f.member, score, limits);
        }
        db.set(
            dest,
            Value::ZSet(Box::new(stored)),
            shoal_keyspace::Ttl::Clear,
            ctx.now_ms,
        );
        ctx.dirty += found.len() as u64;
    }
    ctx.out.integer(found.len() as i64);
    Outcome::Done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaving_round_trips() {
        for (lat, lon) in [
            (0u32, 0u32),
            (1, 2),
            (0x3ff_ffff, 0x155_5555),
            (12345, 67890),
        ] {
            assert_eq!(deinterleave(interleave(lat, lon)), (lat, lon));
        }
        assert_eq!(interleave(1, 0), 1);
        assert_eq!(interleave(0, 1), 2);
    }

    #[test]
    fn palermo_scores_and_decodes_as_redis() {
        // GEOADD Sicily 13.361389 38.115556 "Palermo" stores this score.
        let score = score_of(13.361389, 38.115556);
        assert_eq!(score as u64, 3_479_099_956_230_698);
        let [lon, lat] = position_of(score);
        assert!((lon - 13.361389).abs() < 1e-5 && (lat - 38.115556).abs() < 1e-5);
        // GEODIST Sicily Palermo Catania: 166274.1516 m.
        let [x2, y2] = position_of(score_of(15.087269, 37.502669));
        let mut out = ReplyBuf::new();
        reply_distance(&mut out, distance(lon, lat, x2, y2));
        assert_eq!(out.as_bytes(), b"$11\r\n166274.1516\r\n");
    }

    #[test]
    fn moving_a_cell_wraps_within_its_step() {
        let h = encode(WGS84_LON, WGS84_LAT, 0.0, 0.0, 4).unwrap();
        let east = moved(h, 1, 0);
        let back = moved(east, -1, 0);
        assert_eq!(back, h);
        let north = moved(h, 0, 1);
        assert_eq!(moved(north, 0, -1), h);
    }
}
