//! The reference platform's HTTP behaviour: routing, authentication,
//! authorization, rate limiting, paging and the security headers, each
//! switchable off by one [`Fault`].
//!
//! Routes:
//! - `GET /ngsi-ld/v1/entities?type=T&limit=N`: the caller's records of T.
//! - `GET /ngsi-ld/v1/entities/{id}`: one record, only to its owner.
//! - `POST /ngsi-ld/v1/entities`: validated, then discarded (202).
//! - `GET /admin/tenants`: the operator only.
//! - `GET /.well-known/security.txt`: the disclosure contact.
//! - `GET /openapi.json`: the API as OpenAPI 3.1 (`openapi.rs`).
//!
//! `TRACE` is answered 405 on every path (unless the `any-method` fault
//! accepts it on the entities).
//!
//! As an NGSI-LD broker (`ReferenceApi::NgsiLd`) the entity routes and
//! `GET /ngsi-ld/v1/types` answer as `ngsi_ld.rs` says, and every error is
//! a problem details object with an NGSI-LD error type. As an OGC API -
//! Features server (`ReferenceApi::OgcApiFeatures`) every path but
//! security.txt and the OpenAPI document is `ogc.rs`'s, with no credential;
//! as a GBFS feed (`ReferenceApi::Gbfs`), `gbfs.rs`'s.

mod gbfs;
mod ngsi_ld;
mod ogc;

pub(crate) use gbfs::Feed;

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};

use super::data::{self, Store};
use super::{Fault, ReferenceApi};

/// Largest page served, and the page when none is asked for.
pub const MAX_PAGE: usize = 100;
const DEFAULT_PAGE: usize = 20;
/// Requests a principal may make in one window before 429.
pub const RATE_LIMIT: u32 = 100;
const RATE_WINDOW: Duration = Duration::from_secs(10);
/// Largest request body read.
const MAX_REQUEST_BODY: usize = 1 << 20;
/// The one origin a browser may call from.
const ALLOWED_ORIGIN: &str = "https://dashboard.city.example";
const ENTITIES: &str = "/ngsi-ld/v1/entities";

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Principal {
    Tenant(&'static str),
    Operator,
}

/// Everything a request handler reads.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) store: Store,
    pub(crate) faults: Vec<Fault>,
    /// (token, principal): tenant A, tenant B, operator.
    tokens: Vec<(String, Principal)>,
    windows: Mutex<HashMap<Principal, (Instant, u32)>>,
    /// Where the plain-HTTP port redirects to (`https://host:port`).
    pub(crate) https_origin: Option<String>,
    /// The OpenAPI document, serialized once.
    openapi: Vec<u8>,
    /// The API spoken.
    api: ReferenceApi,
    /// The GBFS feed's clock and origin.
    feed: Feed,
}

impl State {
    pub(crate) fn new(
        store: Store,
        faults: Vec<Fault>,
        tokens: [&str; 3],
        https_origin: Option<String>,
        openapi: &Value,
        api: ReferenceApi,
        feed: Feed,
    ) -> Self {
        State {
            store,
            faults,
            tokens: vec![
                (tokens[0].to_owned(), Principal::Tenant(data::TENANTS[0])),
                (tokens[1].to_owned(), Principal::Tenant(data::TENANTS[1])),
                (tokens[2].to_owned(), Principal::Operator),
            ],
            windows: Mutex::new(HashMap::new()),
            https_origin,
            openapi: serde_json::to_vec(openapi).unwrap_or_default(),
            api,
            feed,
        }
    }

    fn has(&self, fault: Fault) -> bool {
        self.faults.contains(&fault)
    }

    fn principal(&self, headers: &HeaderMap) -> Option<Principal> {
        let presented = headers
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let known = presented.and_then(|token| {
            self.tokens
                .iter()
                .find(|(t, _)| constant_time_eq(t.as_bytes(), token.as_bytes()))
                .map(|(_, p)| *p)
        });
        match known {
            Some(p) => Some(p),
            None if self.has(Fault::NoAuth) => Some(Principal::Tenant(data::TENANTS[0])),
            None => None,
        }
    }

    /// Counts one request of `principal`; false when over the limit.
    fn admit(&self, principal: Principal) -> bool {
        if self.has(Fault::NoRateLimit) {
            return true;
        }
        let Ok(mut windows) = self.windows.lock() else {
            return false;
        };
        let now = Instant::now();
        let slot = windows.entry(principal).or_insert((now, 0));
        if now.duration_since(slot.0) >= RATE_WINDOW {
            *slot = (now, 0);
        }
        slot.1 += 1;
        slot.1 <= RATE_LIMIT
    }
}

/// Token comparison whose time does not depend on where they differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The plain-HTTP port: a redirect to HTTPS, unless the `plain-http` fault
/// makes it serve the API itself.
pub(crate) async fn handle_plain(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    match (&state.https_origin, state.has(Fault::PlainHttp)) {
        (Some(origin), false) => {
            let target = format!(
                "{origin}{}",
                request.uri().path_and_query().map_or("/", |p| p.as_str())
            );
            let mut response = Response::new(Full::new(Bytes::new()));
            *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
            if let Ok(value) = HeaderValue::from_str(&target) {
                response
                    .headers_mut()
                    .insert(hyper::header::LOCATION, value);
            }
            Ok(response)
        }
        _ => handle(state, request).await,
    }
}

/// The API.
pub(crate) async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let origin = request
        .headers()
        .get(hyper::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut reply = route(&state, request).await;
    decorate(&state, &mut reply, origin.as_deref());
    Ok(reply.into_response())
}

/// A response before the common headers are added.
struct Reply {
    status: StatusCode,
    body: Vec<u8>,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    personal: bool,
}

impl Reply {
    fn json(status: StatusCode, body: &Value) -> Self {
        Reply {
            status,
            body: serde_json::to_vec(body).unwrap_or_default(),
            content_type: "application/json",
            headers: Vec::new(),
            personal: false,
        }
    }

    fn data(body: &Value) -> Self {
        let mut reply = Reply::json(StatusCode::OK, body);
        reply.personal = true;
        reply
    }

    fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(Bytes::from(self.body)));
        *response.status_mut() = self.status;
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().append(name, value);
            }
        }
        response
    }
}

async fn route(state: &State, request: Request<Incoming>) -> Reply {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or("").to_owned();
    let method = request.method().clone();
    let on_entities = path == ENTITIES
        || path.starts_with(&format!("{ENTITIES}/"))
        || (state.api == ReferenceApi::NgsiLd && path == ngsi_ld::TYPES);
    if method == Method::TRACE && !(on_entities && state.has(Fault::AnyMethod)) {
        return error(state, StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
            .with_header("allow", "GET");
    }
    if path == "/.well-known/security.txt" {
        return security_txt(state, &method);
    }
    if path == "/openapi.json" {
        return openapi(state, &method);
    }
    if state.api == ReferenceApi::OgcApiFeatures {
        // Open data: everyone is counted in one rate-limit window.
        if !state.admit(Principal::Tenant(data::TENANTS[0])) {
            return error(state, StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded")
                .with_header("retry-after", RATE_WINDOW.as_secs().to_string());
        }
        return ogc::route(state, &method, &path, &query);
    }
    if state.api == ReferenceApi::Gbfs {
        // A feed for any consumer: one rate-limit window for everyone.
        if !state.admit(Principal::Tenant(data::TENANTS[0])) {
            return error(state, StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded")
                .with_header("retry-after", RATE_WINDOW.as_secs().to_string());
        }
        return gbfs::route(state, &method, &path, &query);
    }
    if !on_entities && path != "/admin/tenants" {
        return error(state, StatusCode::NOT_FOUND, "no such resource");
    }
    let Some(principal) = state.principal(request.headers()) else {
        return error(
            state,
            StatusCode::UNAUTHORIZED,
            "a valid bearer token is required",
        )
        .with_header("www-authenticate", "Bearer realm=\"city\"");
    };
    if !state.admit(principal) {
        return error(state, StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded")
            .with_header("retry-after", RATE_WINDOW.as_secs().to_string());
    }
    if path == "/admin/tenants" {
        return admin(state, principal, &method);
    }
    if state.api == ReferenceApi::NgsiLd && method == Method::GET {
        return ngsi_ld::read(state, principal, request.headers(), &path, &query);
    }
    let id = path.strip_prefix(&format!("{ENTITIES}/")).unwrap_or("");
    match (method, id.is_empty()) {
        (Method::GET, true) => list(state, principal, &query),
        (Method::GET, false) => read_one(state, principal, id),
        (Method::POST, true) => create(state, request).await,
        (Method::TRACE | Method::DELETE, _) if state.has(Fault::AnyMethod) => {
            Reply::json(StatusCode::OK, &json!({ "deleted": 0 }))
        }
        _ => error(state, StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
            .with_header("allow", if id.is_empty() { "GET, POST" } else { "GET" }),
    }
}

fn tenant_of(principal: Principal) -> &'static str {
    match principal {
        Principal::Tenant(t) => t,
        Principal::Operator => data::TENANTS[0],
    }
}

fn list(state: &State, principal: Principal, query: &str) -> Reply {
    let mut entity_type = None;
    let mut limit = DEFAULT_PAGE;
    for (key, value) in query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
    {
        match key {
            "type" => entity_type = Some(value.to_owned()),
            "limit" => match value.parse::<usize>() {
                Ok(n) if n > 0 => limit = n,
                _ => {
                    return error(
                        state,
                        StatusCode::BAD_REQUEST,
                        "`limit` must be a positive integer",
                    );
                }
            },
            _ => return error(state, StatusCode::BAD_REQUEST, "unknown query parameter"),
        }
    }
    let Some(entity_type) = entity_type else {
        return error(state, StatusCode::BAD_REQUEST, "`type` is required");
    };
    if !state.has(Fault::UnboundedPage) {
        limit = limit.min(MAX_PAGE);
    }
    let tenant = tenant_of(principal);
    match state.store.list(tenant, &entity_type) {
        Some(records) => {
            let page: Vec<Value> = records
                .iter()
                .take(limit)
                .map(|r| data::served(r, tenant, &state.faults))
                .collect();
            Reply::data(&Value::Array(page))
        }
        None => error(state, StatusCode::BAD_REQUEST, "unknown entity type"),
    }
}

fn read_one(state: &State, principal: Principal, id: &str) -> Reply {
    let tenant = tenant_of(principal);
    match state.store.find(id) {
        Some((owner, record)) if owner == tenant || state.has(Fault::CrossTenantRead) => {
            Reply::data(&data::served(record, owner, &state.faults))
        }
        // Another tenant's entity is indistinguishable from a missing one.
        _ => error(state, StatusCode::NOT_FOUND, "no such entity"),
    }
}

async fn create(state: &State, request: Request<Incoming>) -> Reply {
    let is_json = request
        .headers()
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("application/ld+json"));
    if !is_json {
        return error(
            state,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send application/json",
        );
    }
    let body = match Limited::new(request.into_body(), MAX_REQUEST_BODY)
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return error(state, StatusCode::PAYLOAD_TOO_LARGE, "body too large"),
    };
    let internal = || {
        Reply::json(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({ "error": "internal", "message": "unexpected error" }),
        )
    };
    let value = match serde_json::from_slice::<Value>(&body) {
        // Under the fault, a body that is JSON but not an object fails as
        // badly as one that is not JSON at all.
        Ok(value) if !value.is_object() && state.has(Fault::Error500) => return internal(),
        Ok(value) => value,
        Err(_) if state.has(Fault::Error500) => return internal(),
        Err(_) => return error(state, StatusCode::BAD_REQUEST, "the body is not JSON"),
    };
    let known_type = value
        .get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| state.store.types().iter().any(|k| k == t));
    let has_id = value.get("id").and_then(Value::as_str).is_some();
    if !(known_type && has_id) {
        return error(
            state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "the entity does not match a shared schema",
        );
    }
    // The reference platform keeps no writes.
    Reply::json(StatusCode::ACCEPTED, &json!({ "accepted": true }))
}

fn admin(state: &State, principal: Principal, method: &Method) -> Reply {
    if method != Method::GET {
        return error(state, StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
            .with_header("allow", "GET");
    }
    if principal != Principal::Operator && !state.has(Fault::AdminOpen) {
        return error(state, StatusCode::FORBIDDEN, "operator only");
    }
    Reply::json(StatusCode::OK, &json!({ "tenants": data::TENANTS }))
}

fn security_txt(state: &State, method: &Method) -> Reply {
    if state.has(Fault::NoSecurityTxt) {
        return error(state, StatusCode::NOT_FOUND, "no such resource");
    }
    if method != Method::GET {
        return error(state, StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
            .with_header("allow", "GET");
    }
    let expires = chrono::Utc::now() + chrono::Duration::days(180);
    let text = format!(
        "Contact: https://city.example/security/report\nExpires: {}\nPreferred-Languages: en, ko\nPolicy: https://city.example/security/policy\n",
        expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    Reply {
        status: StatusCode::OK,
        body: text.into_bytes(),
        content_type: "text/plain",
        headers: Vec::new(),
        personal: false,
    }
}

fn openapi(state: &State, method: &Method) -> Reply {
    if method != Method::GET {
        return error(state, StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
            .with_header("allow", "GET");
    }
    Reply {
        status: StatusCode::OK,
        body: state.openapi.clone(),
        content_type: "application/json",
        headers: Vec::new(),
        personal: false,
    }
}

fn error(state: &State, status: StatusCode, message: &str) -> Reply {
    let mut body = if state.api == ReferenceApi::NgsiLd && !state.has(Fault::PlainErrors) {
        ngsi_ld::problem(status, ngsi_ld::error_type(status), message)
    } else {
        json!({ "error": status.canonical_reason().unwrap_or("error"), "message": message })
    };
    if state.has(Fault::StackTraces) && status != StatusCode::UNAUTHORIZED {
        body["trace"] = json!(
            "java.lang.IllegalArgumentException: bad request\n\tat org.city.api.EntityController.list(EntityController.java:88)\n\tat org.city.api.Router.dispatch(Router.java:41)\nCaused by: org.postgresql.util.PSQLException: ERROR: syntax error at or near \"limit\" in SELECT * FROM entities WHERE tenant = $1"
        );
    }
    Reply::json(status, &body)
}

/// The headers every response carries, each dropped or spoilt by its fault.
fn decorate(state: &State, reply: &mut Reply, origin: Option<&str>) {
    let media_type = if state.has(Fault::TextContentType) && reply.content_type.ends_with("json") {
        "text/plain"
    } else {
        reply.content_type
    };
    let mut headers = vec![("content-type", format!("{media_type}; charset=utf-8"))];
    if state.https_origin.is_some() && !state.has(Fault::NoHsts) {
        headers.push((
            "strict-transport-security",
            "max-age=63072000; includeSubDomains".to_owned(),
        ));
    }
    if !state.has(Fault::NoNosniff) {
        headers.push(("x-content-type-options", "nosniff".to_owned()));
    }
    if reply.personal && !state.has(Fault::NoCacheControl) {
        headers.push(("cache-control", "no-store".to_owned()));
    }
    if state.has(Fault::VersionBanner) {
        headers.push(("server", "nginx/1.18.0 (Ubuntu)".to_owned()));
        headers.push(("x-powered-by", "Express 4.17.1".to_owned()));
    } else {
        headers.push(("server", "city-platform".to_owned()));
    }
    if state.has(Fault::WildcardCors) {
        headers.push(("access-control-allow-origin", "*".to_owned()));
    } else if let Some(origin) = origin.filter(|_| state.has(Fault::ReflectedOrigin)) {
        headers.push(("access-control-allow-origin", origin.to_owned()));
        headers.push(("vary", "Origin".to_owned()));
    } else if origin == Some(ALLOWED_ORIGIN) {
        headers.push(("access-control-allow-origin", ALLOWED_ORIGIN.to_owned()));
        headers.push(("vary", "Origin".to_owned()));
    }
    if state.api == ReferenceApi::NgsiLd
        && reply.personal
        && reply.status.is_success()
        && !state.has(Fault::NoLdContext)
    {
        headers.push(("link", ngsi_ld::context_link()));
    }
    headers.append(&mut reply.headers);
    reply.headers = headers;
}
