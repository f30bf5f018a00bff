//! The reference platform as a GBFS v3.0 feed (General Bikeshare Feed
//! Specification, MobilityData's gbfs.md of v3.0), made from its own
//! parking spots as docks and a few free-floating bicycles, open to every
//! consumer:
//!
//! - `GET /gbfs.json`: the discovery file, listing every feed below with
//!   its absolute URL on the platform's own origin.
//! - `GET /system_information.json`, `/vehicle_types.json`,
//!   `/station_information.json`, `/station_status.json`,
//!   `/vehicle_status.json`: the feeds.
//!
//! Every file carries the common header (`last_updated`, `ttl`, `version`,
//! `data`). `last_updated` is the feed's clock: the time pinned when the
//! platform started (`ReferenceOptions::clock`, so that a demo's audit
//! judges the feed at the very time it was written), else the time of
//! the request. Every other path is 404, every other method 405, and a
//! query 400.

use chrono::{DateTime, Utc};
use hyper::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Reply, State, error};
use crate::reference::Fault;
use crate::reference::data;

/// The version served.
const VERSION: &str = "3.0";
/// Seconds before the real-time files (status) are refreshed.
const TTL_STATUS: i64 = 60;
/// Seconds before the descriptive files are refreshed.
const TTL_INFO: i64 = 3600;
/// How far before the clock a stale feed was last updated, beyond its
/// `ttl`.
const STALE_BY: i64 = 3600;
/// Docks and vehicles served.
const STATIONS: usize = 10;
const VEHICLES: usize = 10;
/// The one vehicle type.
const VEHICLE_TYPE: &str = "city-bike";

/// The feeds listed by the discovery file, in its order.
const FEEDS: [&str; 5] = [
    "system_information",
    "vehicle_types",
    "station_information",
    "station_status",
    "vehicle_status",
];

/// What the feed is made of besides the store: its clock, the origin its
/// URLs are written on, and what this start's vehicle IDs end with.
#[derive(Debug, Clone, Default)]
pub(crate) struct Feed {
    /// The pinned time of every `last_updated`, if any.
    pub(crate) clock: Option<DateTime<Utc>>,
    /// `scheme://127.0.0.1:port`.
    pub(crate) origin: String,
    /// Letters that differ at every start, so that no vehicle ID is
    /// stable across starts (GBFS asks for IDs rotated after each trip).
    pub(crate) rotation: String,
}

/// A request to the feed. The files take no query: one is refused (400)
/// rather than ignored, so a malformed request is never mistaken for an
/// answer.
pub(super) fn route(state: &State, method: &Method, path: &str, query: &str) -> Reply {
    if method != Method::GET {
        return error(state, StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
            .with_header("allow", "GET");
    }
    if !query.is_empty() {
        return error(
            state,
            StatusCode::BAD_REQUEST,
            "the feed's files take no query parameters",
        );
    }
    let Some(name) = path.strip_prefix('/').and_then(|p| p.strip_suffix(".json")) else {
        return error(state, StatusCode::NOT_FOUND, "no such resource");
    };
    let data = match name {
        "gbfs" => discovery(state),
        "system_information" => system_information(),
        "vehicle_types" => vehicle_types(),
        "station_information" => station_information(state),
        "station_status" => station_status(state),
        "vehicle_status" => vehicle_status(state),
        _ => return error(state, StatusCode::NOT_FOUND, "no such resource"),
    };
    let ttl = if name.ends_with("_status") {
        TTL_STATUS
    } else {
        TTL_INFO
    };
    Reply::json(StatusCode::OK, &file(state, ttl, data))
}

/// The common header of every file (GBFS v3.0, Output Format) around
/// `data`; under the `gbfs-stale` fault, `last_updated` lies further back
/// than `ttl` allows.
fn file(state: &State, ttl: i64, data: Value) -> Value {
    let clock = state.feed.clock.unwrap_or_else(Utc::now);
    let updated = if state.has(Fault::GbfsStale) {
        clock - chrono::Duration::seconds(ttl + STALE_BY)
    } else {
        clock
    };
    json!({
        "last_updated": updated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "ttl": ttl,
        "version": VERSION,
        "data": data,
    })
}

/// `data` of `gbfs.json`: every feed with its URL on the platform's
/// origin; under `gbfs-unlisted-vehicle-types`, `vehicle_types` is left
/// out although the vehicles name their type.
fn discovery(state: &State) -> Value {
    let feeds: Vec<Value> = FEEDS
        .iter()
        .filter(|name| !(**name == "vehicle_types" && state.has(Fault::GbfsUnlistedVehicleTypes)))
        .map(|name| json!({ "name": name, "url": format!("{}/{name}.json", state.feed.origin) }))
        .collect();
    json!({ "feeds": feeds })
}

/// A text in the one language of the feed.
fn text(value: &str) -> Value {
    json!([{ "text": value, "language": "en" }])
}

fn system_information() -> Value {
    json!({
        "system_id": "reference-city-bikes",
        "languages": ["en"],
        "name": text("Reference city bikes"),
        "opening_hours": "24/7",
        "feed_contact_email": "open-data@city.example",
        "timezone": "Asia/Seoul",
    })
}

fn vehicle_types() -> Value {
    json!({
        "vehicle_types": [{
            "vehicle_type_id": VEHICLE_TYPE,
            "form_factor": "bicycle",
            "propulsion_type": "human",
            "name": text("City bike"),
        }]
    })
}

/// The point (longitude, latitude) of the platform's first parking spot,
/// where the docks are.
fn anchor(state: &State) -> (f64, f64) {
    state
        .store
        .list(data::TENANTS[0], "ParkingSpot")
        .and_then(|spots| spots.first())
        .and_then(|spot| spot.pointer("/location/coordinates"))
        .and_then(Value::as_array)
        .and_then(|c| Some((c.first()?.as_f64()?, c.get(1)?.as_f64()?)))
        .unwrap_or((127.0276, 37.4979))
}

/// The `n`th station's ID and position, a block apart from the anchor.
fn station(state: &State, n: usize) -> (String, f64, f64) {
    let (lon, lat) = anchor(state);
    let step = 0.002 * n as f64;
    (format!("station-{n:02}"), lat + step, lon + step)
}

fn station_information(state: &State) -> Value {
    let stations: Vec<Value> = (1..=STATIONS)
        .map(|n| {
            let (id, lat, lon) = station(state, n);
            json!({
                "station_id": id,
                "name": text(&format!("Parking spot {n}")),
                "lat": round(lat),
                "lon": round(lon),
                "capacity": 12,
            })
        })
        .collect();
    json!({ "stations": stations })
}

fn station_status(state: &State) -> Value {
    let stations: Vec<Value> = (1..=STATIONS)
        .map(|n| {
            let available = n % 5;
            json!({
                "station_id": station(state, n).0,
                "num_vehicles_available": available,
                "vehicle_types_available": [{ "vehicle_type_id": VEHICLE_TYPE, "count": available }],
                "num_docks_available": 12 - available,
                "is_installed": true,
                "is_renting": true,
                "is_returning": true,
                "last_reported": "2025-03-04T08:30:00+09:00",
            })
        })
        .collect();
    json!({ "stations": stations })
}

/// Free-floating bicycles near the stations, each ID rotated at every
/// start. Faults: `gbfs-invalid-vehicle` drops `is_disabled` from the first
/// vehicle, `gbfs-rented-vehicle` publishes the second one on a trip,
/// `gbfs-stable-vehicle-id` gives the first one a device address as ID.
fn vehicle_status(state: &State) -> Value {
    let vehicles: Vec<Value> = (1..=VEHICLES)
        .map(|n| {
            let (_, lat, lon) = station(state, n);
            let mut vehicle = json!({
                "vehicle_id": format!("bike-{}-{n:02}", state.feed.rotation),
                "lat": round(lat + 0.0005),
                "lon": round(lon - 0.0005),
                "is_reserved": false,
                "is_disabled": false,
                "vehicle_type_id": VEHICLE_TYPE,
            });
            if n == 1 && state.has(Fault::GbfsInvalidVehicle) {
                vehicle.as_object_mut().map(|v| v.remove("is_disabled"));
            }
            if n == 2 && state.has(Fault::GbfsRentedVehicle) {
                vehicle["rental_state"] = json!("on_trip");
            }
            if n == 1 && state.has(Fault::GbfsStableVehicleId) {
                vehicle["vehicle_id"] = json!("02:00:5E:10:00:01");
            }
            vehicle
        })
        .collect();
    json!({ "vehicles": vehicles })
}

/// Five decimals (about a metre), as a published position has.
fn round(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}
