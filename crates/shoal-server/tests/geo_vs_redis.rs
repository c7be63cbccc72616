//! The geospatial commands against a live redis-server 7.0: generated
//! points (clustered around a few places, near the poles' limits and the
//! antimeridian) and generated queries go to both servers, in RESP2 and
//! RESP3, and every reply must be byte-identical: scores, geohashes,
//! coordinates to 17 decimals, distances to 4, the order of unsorted
//! search results, stored results, and every error.

mod common;

use common::{start_redis, start_shoal, Conn};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// (longitude, latitude) centres the points gather around.
const PLACES: [(f64, f64); 5] = [
    (13.361389, 38.115556), // Palermo
    (-0.1278, 51.5074),     // London
    (179.9, -16.5),         // near the antimeridian
    (-73.9857, 40.7484),    // New York
    (25.0, 84.9),           // near the Mercator limit
];

struct Gen {
    rng: SmallRng,
    members: u32,
}

impl Gen {
    fn coords(&mut self) -> (String, String) {
        if self.rng.random_range(0..25) == 0 {
            let bad = ["181", "-180.0001", "x", "1e400"][self.rng.random_range(0..4)];
            return (bad.into(), "85.06".into());
        }
        let (lon, lat) = PLACES[self.rng.random_range(0..PLACES.len())];
        let spread = [0.001, 0.05, 1.0, 10.0][self.rng.random_range(0..4)];
        let lon = (lon + self.rng.random_range(-spread..spread)).clamp(-180.0, 180.0);
        let lat = (lat + self.rng.random_range(-spread..spread)).clamp(-85.05112878, 85.05112878);
        (format!("{lon:.6}"), format!("{lat:.6}"))
    }

    fn member(&mut self) -> String {
        format!("m{}", self.rng.random_range(0..self.members))
    }

    fn unit(&mut self) -> &'static str {
        ["m", "km", "KM", "mi", "ft", "yd"][self.rng.random_range(0..6)]
    }

    fn radius(&mut self) -> String {
        match self.rng.random_range(0..12) {
            0 => "-1".into(),
            1 => "x".into(),
            2 => "0".into(),
            _ => format!(
                "{}",
                [0.5, 5.0, 50.0, 500.0, 5000.0][self.rng.random_range(0..5)]
            ),
        }
    }

    fn options(&mut self, c: &mut Vec<String>, store: bool) {
        for _ in 0..self.rng.random_range(0..4) {
            match self.rng.random_range(0..12) {
                0 => c.push("WITHDIST".into()),
                1 => c.push("WITHCOORD".into()),
                2 => c.push("WITHHASH".into()),
                3 => c.push("ASC".into()),
                4 => c.push("desc".into()),
                5 | 6 => {
                    c.push("COUNT".into());
                    c.push(self.rng.random_range(-1..6).to_string());
                    if self.rng.random_bool(0.3) {
                        c.push("ANY".into());
                    }
                }
                7 if store => c.extend(["STORE".into(), "dst".into()]),
                8 if store => c.extend(["STOREDIST".into(), "dst".into()]),
                _ => {}
            }
        }
    }

    fn command(&mut self) -> Vec<String> {
        let key = if self.rng.random_range(0..30) == 0 {
            "str"
        } else {
            "geo"
        };
        let mut c: Vec<String> = Vec::new();
        match self.rng.random_range(0..20) {
            0..=5 => {
                c.extend(["GEOADD".into(), key.into()]);
                if self.rng.random_range(0..6) == 0 {
                    c.push(["NX", "XX", "CH"][self.rng.random_range(0..3)].into());
                }
                for _ in 0..self.rng.random_range(1..6) {
                    let (lon, lat) = self.coords();
                    c.extend([lon, lat, self.member()]);
                }
            }
            6 => {
                c.extend(["GEODIST".into(), key.into(), self.member(), self.member()]);
                if self.rng.random_bool(0.6) {
                    c.push(self.unit().into());
                }
            }
            7 => {
                c.extend(["GEOHASH".into(), key.into(), self.member(), self.member()]);
            }
            8 => {
                c.extend(["GEOPOS".into(), key.into(), self.member(), "nosuch".into()]);
            }
            9..=11 => {
                let ro = self.rng.random_bool(0.3);
                let (lon, lat) = self.coords();
                c.extend([
                    if ro { "GEORADIUS_RO" } else { "GEORADIUS" }.into(),
                    key.into(),
                    lon,
                    lat,
                    self.radius(),
                    self.unit().into(),
                ]);
                self.options(&mut c, !ro);
            }
            12..=13 => {
                let ro = self.rng.random_bool(0.3);
                c.extend([
                    if ro {
                        "GEORADIUSBYMEMBER_RO"
                    } else {
                        "GEORADIUSBYMEMBER"
                    }
                    .into(),
                    key.into(),
                    self.member(),
                    self.radius(),
                    self.unit().into(),
                ]);
                self.options(&mut c, !ro);
            }
            _ => {
                let store = self.rng.random_bool(0.3);
                if store {
                    c.extend(["GEOSEARCHSTORE".into(), "dst".into(), key.into()]);
                } else {
                    c.extend(["GEOSEARCH".into(), key.into()]);
                }
                match self.rng.random_range(0..10) {
                    0 => {}
                    1..=4 => c.extend(["FROMMEMBER".into(), self.member()]),
                    _ => {
                        let (lon, lat) = self.coords();
                        c.extend(["FROMLONLAT".into(), lon, lat]);
                    }
                }
                match self.rng.random_range(0..10) {
                    0 => {}
                    1..=5 => c.extend(["BYRADIUS".into(), self.radius(), self.unit().into()]),
                    _ => c.extend([
                        "BYBOX".into(),
                        self.radius(),
                        self.radius(),
                        self.unit().into(),
                    ]),
                }
                self.options(&mut c, false);
                if store && self.rng.random_bool(0.5) {
                    c.push("STOREDIST".into());
                }
            }
        }
        c
    }
}

fn call(conn: &mut Conn, cmd: &[String]) -> Vec<u8> {
    let args: Vec<&[u8]> = cmd.iter().map(|s| s.as_bytes()).collect();
    conn.send(&args);
    conn.read_raw()
}

#[test]
fn geo_commands_match_redis_byte_for_byte() {
    let shoal = start_shoal(&[]);
    let redis = start_redis(&[]);
    for seed in 0..40u64 {
        let (mut s, mut r) = (shoal.connect(), redis.connect());
        let resp3 = seed % 2 == 1;
        for conn in [&mut s, &mut r] {
            if resp3 {
                call(conn, &["HELLO".into(), "3".into()]);
            }
            conn.call_raw(&["FLUSHALL"]);
            conn.call_raw(&["SET", "str", "x"]);
        }
        let mut gen = Gen {
            rng: SmallRng::seed_from_u64(seed),
            members: [10, 200][seed as usize % 2],
        };
        for step in 0..200 {
            let cmd = gen.command();
            let (ours, theirs) = (call(&mut s, &cmd), call(&mut r, &cmd));
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
                "seed {seed} step {step}: {}",
                cmd.join(" ")
            );
            if cmd.iter().any(|a| a.contains("STORE")) {
                let dst = ["ZRANGE", "dst", "0", "-1", "WITHSCORES"].map(String::from);
                assert_eq!(
                    call(&mut s, &dst),
                    call(&mut r, &dst),
                    "seed {seed} step {step}: stored"
                );
            }
        }
    }
}
