//! The reference platform as an open OGC API - Features server (OGC
//! 17-069r4, Part 1: Core, with the GeoJSON class), serving the open
//! (non-personal) models as collections, with no credential:
//!
//! - `GET /`: the landing page, linking to the API definition, the
//!   conformance declaration and the collections (§7.2).
//! - `GET /conformance`: Core and GeoJSON (§7.4).
//! - `GET /collections`: each collection with its items link (§7.13).
//! - `GET /collections/{id}/items?limit=N&offset=M`: a GeoJSON
//!   FeatureCollection with `numberMatched`, `numberReturned` and `self`
//!   and `next` links (§7.15); the records of tenant A, as open data.
//!
//! Every other path is 404, every other method 405.

use hyper::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::{DEFAULT_PAGE, MAX_PAGE, Reply, State, error};
use crate::reference::Fault;
use crate::reference::data;

/// The collections served: the models that hold no personal data.
const COLLECTIONS: [&str; 2] = ["AirQualityObserved", "ParkingSpot"];
/// The conformance classes declared.
const CORE: &str = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core";
const GEOJSON: &str = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson";
/// The media type of the items.
const GEO_JSON: &str = "application/geo+json";

/// A request to the OGC API.
pub(super) fn route(state: &State, method: &Method, path: &str, query: &str) -> Reply {
    if method != Method::GET {
        return error(state, StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
            .with_header("allow", "GET");
    }
    let items = path
        .strip_prefix("/collections/")
        .and_then(|rest| rest.strip_suffix("/items"))
        .filter(|id| COLLECTIONS.contains(id));
    match (path, items) {
        ("/", _) => Reply::json(StatusCode::OK, &landing(state)),
        ("/conformance", _) => Reply::json(StatusCode::OK, &conformance(state)),
        ("/collections", _) => Reply::json(StatusCode::OK, &collections(state)),
        (_, Some(id)) => items_page(state, id, query),
        _ => error(state, StatusCode::NOT_FOUND, "no such resource"),
    }
}

fn link(rel: &str, href: &str, media: &str) -> Value {
    json!({ "rel": rel, "href": href, "type": media })
}

fn landing(state: &State) -> Value {
    let mut links = vec![
        link("self", "/", "application/json"),
        link(
            "service-desc",
            "/openapi.json",
            "application/vnd.oai.openapi+json;version=3.1",
        ),
        link("data", "/collections", "application/json"),
    ];
    if !state.has(Fault::NoConformanceLink) {
        links.push(link("conformance", "/conformance", "application/json"));
    }
    json!({ "title": "Reference city platform", "links": links })
}

fn conformance(state: &State) -> Value {
    let classes = if state.has(Fault::NoGeoJsonClass) {
        vec![CORE]
    } else {
        vec![CORE, GEOJSON]
    };
    json!({ "conformsTo": classes })
}

fn collections(state: &State) -> Value {
    let listed: Vec<Value> = COLLECTIONS
        .iter()
        .map(|id| {
            json!({
                "id": id,
                "title": id,
                "links": [link("items", &format!("/collections/{id}/items"), GEO_JSON)],
            })
        })
        .collect();
    let mut document = Map::new();
    if !state.has(Fault::NoCollectionsLinks) {
        document.insert(
            "links".to_owned(),
            json!([link("self", "/collections", "application/json")]),
        );
    }
    document.insert("collections".to_owned(), Value::Array(listed));
    Value::Object(document)
}

/// `limit` and `offset` of an items request, or the error answering a
/// malformed one.
fn paging(state: &State, query: &str) -> Result<(usize, usize), Reply> {
    let bad = |message: &str| error(state, StatusCode::BAD_REQUEST, message);
    let (mut limit, mut offset) = (DEFAULT_PAGE, 0);
    for (key, value) in query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
    {
        match key {
            "limit" => match value.parse::<usize>() {
                Ok(n) if n > 0 => limit = n,
                _ => return Err(bad("`limit` must be a positive integer")),
            },
            "offset" => match value.parse::<usize>() {
                Ok(n) => offset = n,
                _ => return Err(bad("`offset` must be a non-negative integer")),
            },
            _ => return Err(bad("unknown query parameter")),
        }
    }
    if state.has(Fault::LimitIgnored) {
        limit = DEFAULT_PAGE;
    }
    if !state.has(Fault::UnboundedPage) {
        limit = limit.min(MAX_PAGE);
    }
    Ok((limit, offset))
}

fn items_page(state: &State, id: &str, query: &str) -> Reply {
    let (limit, offset) = match paging(state, query) {
        Ok(paging) => paging,
        Err(reply) => return reply,
    };
    let owner = data::TENANTS[0];
    let records = state.store.list(owner, id).unwrap_or_default();
    let features: Vec<Value> = records
        .iter()
        .skip(offset)
        .take(limit)
        .map(|r| feature(&data::served(r, owner, &state.faults)))
        .collect();
    let base = format!("/collections/{id}/items");
    let mut links = vec![link(
        "self",
        &format!("{base}?limit={limit}&offset={offset}"),
        GEO_JSON,
    )];
    if offset + features.len() < records.len() {
        let next = offset + features.len();
        links.push(link(
            "next",
            &format!("{base}?limit={limit}&offset={next}"),
            GEO_JSON,
        ));
    }
    let returned = if state.has(Fault::WrongNumberReturned) {
        features.len() + 1
    } else {
        features.len()
    };
    let mut reply = Reply::json(
        StatusCode::OK,
        &json!({
            "type": "FeatureCollection",
            "features": features,
            "numberMatched": records.len(),
            "numberReturned": returned,
            "links": links,
        }),
    );
    reply.content_type = GEO_JSON;
    reply
}

/// A record as a GeoJSON Feature (RFC 7946 §3.2): its `location` the
/// geometry, its `id` the feature's, every other member but the envelope
/// a property.
fn feature(record: &Value) -> Value {
    let mut properties = record.as_object().cloned().unwrap_or_default();
    let id = properties.remove("id").unwrap_or(Value::Null);
    let geometry = properties.remove("location").unwrap_or(Value::Null);
    properties.remove("envelope");
    json!({
        "type": "Feature",
        "id": id,
        "geometry": geometry,
        "properties": properties,
    })
}
