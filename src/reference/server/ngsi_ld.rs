//! The reference platform as an NGSI-LD broker (ETSI GS CIM 009):
//!
//! - `GET /ngsi-ld/v1/types`: the entity types held, as an
//!   `EntityTypeList`.
//! - `GET /ngsi-ld/v1/entities?type=T[&limit=N][&offset=M][&count=true]
//!   [&options=keyValues]`: the tenant's entities of T, normalized unless
//!   `keyValues` is asked for, with `NGSILD-Results-Count` on `count=true`.
//! - `GET /ngsi-ld/v1/entities/{id}`: one entity of the tenant's space.
//!
//! The space is the caller's token's tenant; `NGSILD-Tenant` may name it
//! again, and naming another answers `NonexistentTenant`, as an unknown
//! tenant would (unless the `tenant-header-trusted` fault lets the header
//! open any space). Records carry no data-exchange envelope: a broker
//! serves entities as they are.

use hyper::StatusCode;
use hyper::header::HeaderMap;
use serde_json::{Value, json};

use super::{DEFAULT_PAGE, MAX_PAGE, Principal, Reply, State, error, tenant_of};
use crate::reference::Fault;
use crate::reference::data;

/// The entity types resource.
pub(super) const TYPES: &str = "/ngsi-ld/v1/types";
/// Where the error type URIs of NGSI-LD live.
const ERRORS: &str = "https://uri.etsi.org/ngsi-ld/errors/";
/// The NGSI-LD core `@context` the answers name.
const CORE_CONTEXT: &str = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld";
/// The tenant header.
const TENANT_HEADER: &str = "ngsild-tenant";

/// The JSON-LD `Link` header of every answer holding entities.
pub(super) fn context_link() -> String {
    format!(
        "<{CORE_CONTEXT}>; rel=\"http://www.w3.org/ns/json-ld#context\"; type=\"application/ld+json\""
    )
}

/// The NGSI-LD error type of an HTTP status the broker answers.
pub(super) fn error_type(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "BadRequestData",
        404 => "ResourceNotFound",
        409 => "AlreadyExists",
        422 => "OperationNotSupported",
        _ if status.is_server_error() => "InternalError",
        _ => "InvalidRequest",
    }
}

/// A problem details body (RFC 9457) of NGSI-LD error type `kind`.
pub(super) fn problem(status: StatusCode, kind: &str, detail: &str) -> Value {
    json!({
        "type": format!("{ERRORS}{kind}"),
        "title": status.canonical_reason().unwrap_or("error"),
        "status": status.as_u16(),
        "detail": detail,
    })
}

/// A GET on the broker's entity routes or types.
pub(super) fn read(
    state: &State,
    principal: Principal,
    headers: &HeaderMap,
    path: &str,
    query: &str,
) -> Reply {
    let tenant = match space(state, principal, headers) {
        Ok(tenant) => tenant,
        Err(reply) => return reply,
    };
    if path == TYPES {
        return Reply::json(
            StatusCode::OK,
            &json!({
                "id": "urn:ngsi-ld:EntityTypeList:reference",
                "type": "EntityTypeList",
                "typeList": state.store.types(),
            }),
        );
    }
    match path.strip_prefix(&format!("{}/", super::ENTITIES)) {
        Some(id) if !id.is_empty() => read_one(state, tenant, id),
        _ => list(state, tenant, query),
    }
}

/// The tenant whose space the request reads: the token's, which the
/// `NGSILD-Tenant` header may repeat; any other name is a tenant that does
/// not exist for this caller.
fn space(state: &State, principal: Principal, headers: &HeaderMap) -> Result<&'static str, Reply> {
    let own = tenant_of(principal);
    let Some(named) = headers.get(TENANT_HEADER) else {
        return Ok(own);
    };
    let named = named.to_str().unwrap_or("");
    if named == own {
        return Ok(own);
    }
    if state.has(Fault::TenantHeaderTrusted)
        && let Some(other) = data::TENANTS.iter().find(|t| **t == named)
    {
        return Ok(other);
    }
    Err(nonexistent_tenant(state))
}

fn nonexistent_tenant(state: &State) -> Reply {
    if state.has(Fault::PlainErrors) {
        return error(state, StatusCode::NOT_FOUND, "no such tenant");
    }
    Reply::json(
        StatusCode::NOT_FOUND,
        &problem(StatusCode::NOT_FOUND, "NonexistentTenant", "no such tenant"),
    )
}

/// What an entity query asks for.
struct Query {
    entity_type: String,
    limit: usize,
    offset: usize,
    count: bool,
    key_values: bool,
}

/// The query's parameters, or the error answering a malformed one.
fn parse(state: &State, query: &str) -> Result<Query, Reply> {
    let bad = |message: &str| error(state, StatusCode::BAD_REQUEST, message);
    let mut parsed = Query {
        entity_type: String::new(),
        limit: DEFAULT_PAGE,
        offset: 0,
        count: false,
        key_values: false,
    };
    for (key, value) in query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
    {
        match key {
            "type" => value.clone_into(&mut parsed.entity_type),
            "limit" => match value.parse::<usize>() {
                Ok(n) if n > 0 => parsed.limit = n,
                _ => return Err(bad("`limit` must be a positive integer")),
            },
            "offset" => match value.parse::<usize>() {
                Ok(n) => parsed.offset = n,
                _ => return Err(bad("`offset` must be a non-negative integer")),
            },
            "count" => match value {
                "true" => parsed.count = true,
                "false" => parsed.count = false,
                _ => return Err(bad("`count` must be true or false")),
            },
            "options" => {
                for option in value.split(',') {
                    match option {
                        "keyValues" | "simplified" => parsed.key_values = true,
                        "normalized" => parsed.key_values = false,
                        _ => return Err(bad("unknown option")),
                    }
                }
            }
            _ => return Err(bad("unknown query parameter")),
        }
    }
    if parsed.entity_type.is_empty() {
        return Err(bad("`type` is required"));
    }
    if !state.has(Fault::UnboundedPage) {
        parsed.limit = parsed.limit.min(MAX_PAGE);
    }
    Ok(parsed)
}

fn list(state: &State, tenant: &'static str, query: &str) -> Reply {
    let query = match parse(state, query) {
        Ok(query) => query,
        Err(reply) => return reply,
    };
    let Some(records) = state.store.list(tenant, &query.entity_type) else {
        return error(state, StatusCode::BAD_REQUEST, "unknown entity type");
    };
    let page: Vec<Value> = records
        .iter()
        .skip(query.offset)
        .take(query.limit)
        .map(|r| entity(state, r, tenant, query.key_values))
        .collect();
    let reply = Reply::data(&Value::Array(page));
    if query.count && !state.has(Fault::NoResultsCount) {
        reply.with_header("ngsild-results-count", records.len().to_string())
    } else {
        reply
    }
}

fn read_one(state: &State, tenant: &'static str, id: &str) -> Reply {
    match state.store.find(id) {
        Some((owner, record)) if owner == tenant || state.has(Fault::CrossTenantRead) => {
            Reply::data(&entity(state, record, owner, false))
        }
        // Another tenant's entity is indistinguishable from a missing one.
        _ => error(state, StatusCode::NOT_FOUND, "no such entity"),
    }
}

/// A stored record as the broker serves it: the data faults applied, no
/// envelope, normalized unless key-values are asked for (where the
/// `key-values-differ` fault leaves out its first attribute).
fn entity(state: &State, record: &Value, owner: &str, key_values: bool) -> Value {
    let mut served = data::served(record, owner, &state.faults);
    if let Some(map) = served.as_object_mut() {
        map.remove("envelope");
    }
    if !key_values {
        return data::normalized(&served);
    }
    if state.has(Fault::KeyValuesDiffer)
        && let Some(map) = served.as_object_mut()
        && let Some(first) = map
            .keys()
            .find(|k| !matches!(k.as_str(), "id" | "type"))
            .cloned()
    {
        map.remove(&first);
    }
    served
}
