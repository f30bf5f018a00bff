//! What to audit, found from the API itself before the cases run: whether
//! a URL audited alone is a GBFS discovery file (named `gbfs.json`, or
//! answering one) or an OGC API - Features landing page, and an OGC
//! API's collections (`/collections`), each read at
//! `/collections/{id}/items` (OGC 17-069r4 §7.13, §7.15), and an NGSI-LD
//! broker's entity types (`/ngsi-ld/v1/types`, ETSI GS CIM 009 "Retrieve
//! available entity types"), each read at
//! `/ngsi-ld/v1/entities?type={type}` in tenant A's space, and an NGSI-v2
//! broker's (`/v2/types`, read at `/v2/entities?type={type}`). Discovery
//! requests go through the same client as every case: counted against the
//! budget, rate limited, same origin only. A discovery that fails finds
//! nothing, and the cases that need what it would have found say so.

use serde::Deserialize;

use super::documents;
use super::http::{Answer, Client, Outgoing};
use super::target::{ApiKind, Endpoint, Target};
use crate::engine::Progress;

/// What the discovery requests ask for.
const ACCEPT_JSON: &str = "application/json";

/// `target` with its API kind settled and an OGC API's collections added
/// as endpoints.
pub(crate) async fn discover(
    target: &Target,
    client: &Client,
    credential: Option<(String, String)>,
    progress: &dyn Progress,
) -> Target {
    let mut found = target.clone();
    if found.detect_api {
        let landing = landing(&found, client, credential.clone()).await;
        match landing {
            Landing::Gbfs(_) => {
                found.api = ApiKind::Gbfs;
                found.detect_api = false;
            }
            Landing::Ogc => found = found.as_api_root(ApiKind::OgcApiFeatures),
            Landing::NgsiLd => found = found.as_api_root(ApiKind::NgsiLd),
            Landing::NgsiV2(_) => found = found.as_api_root(ApiKind::NgsiV2),
            Landing::Other => {}
        }
        progress.note(&landing.note(&found));
    }
    if found.api == ApiKind::NgsiLd {
        for entity_type in ngsi_ld_types(&found, client, credential.clone()).await {
            let path = format!("{NGSI_LD_ENTITIES}?type={entity_type}");
            if !found.endpoints.iter().any(|e| e.path == path) {
                found.endpoints.push(Endpoint {
                    path,
                    entity_type: Some(entity_type),
                });
            }
        }
    }
    if found.api == ApiKind::NgsiV2 {
        for entity_type in ngsi_v2_types(&found, client, credential.clone()).await {
            let path = format!("/v2/entities?type={entity_type}");
            if !found.endpoints.iter().any(|e| e.path == path) {
                found.endpoints.push(Endpoint {
                    path,
                    entity_type: Some(entity_type),
                });
            }
        }
    }
    if found.api == ApiKind::OgcApiFeatures {
        for path in collections(&found, client, credential).await {
            if !found.endpoints.iter().any(|e| e.path == path) {
                found.endpoints.push(Endpoint {
                    path,
                    entity_type: None,
                });
            }
        }
    }
    found
}

/// Where an NGSI-LD broker's entities are queried, below its API root.
const NGSI_LD_ENTITIES: &str = "/ngsi-ld/v1/entities";

/// GET `url` as JSON; the body of a 2xx answer.
async fn get_json(
    client: &Client,
    url: String,
    credential: Option<(String, String)>,
) -> Option<Vec<u8>> {
    get_json_with(client, url, credential, Vec::new()).await
}

/// As [`get_json`], with `extra` headers.
async fn get_json_with(
    client: &Client,
    url: String,
    credential: Option<(String, String)>,
    extra: Vec<(String, String)>,
) -> Option<Vec<u8>> {
    let mut headers = vec![("accept".to_owned(), ACCEPT_JSON.to_owned())];
    headers.extend(extra);
    let request = Outgoing {
        method: "GET".to_owned(),
        url,
        headers,
        credential,
        body: None,
    };
    match client.send(&request).await {
        Answer::Exchange(x) if (200..300).contains(&x.status) => Some(x.body),
        _ => None,
    }
}

/// What the URL audited alone turned out to be.
enum Landing {
    /// A GBFS discovery file, by its name (true) or its content.
    Gbfs(bool),
    /// An OGC API - Features landing page.
    Ogc,
    /// An NGSI-LD broker's API root.
    NgsiLd,
    /// An NGSI-v2 broker's API root, by its `/version` (true) or its
    /// `/v2/entities`.
    NgsiV2(bool),
    /// None of these: a generic collection.
    Other,
}

impl Landing {
    /// The line that tells the user which kind the audit chose, and why.
    fn note(&self, target: &Target) -> String {
        let why = match self {
            Landing::Gbfs(true) => "the URL names gbfs.json",
            Landing::Gbfs(false) => "it answers a GBFS discovery file",
            Landing::Ogc => {
                "its landing page links to the conformance declaration or the collections (OGC 17-069r4 §7.2)"
            }
            Landing::NgsiLd => "/ngsi-ld/v1/types answers as an NGSI-LD broker (ETSI GS CIM 009)",
            Landing::NgsiV2(true) => "/version answers as Orion, an NGSI-v2 broker",
            Landing::NgsiV2(false) => "/v2/entities answers as an NGSI-v2 broker",
            Landing::Other => "it is none of gbfs, ogcapi-features, ngsi-ld or ngsi-v2",
        };
        format!(
            "audited as {}: {why}; --api KIND chooses another",
            target.api.as_str()
        )
    }
}

/// What the URL a generic target was given is: a GBFS discovery file when
/// its path names `gbfs.json` or its answer has the discovery file's
/// header and `data` (GBFS v3.0, gbfs.json; v2.3 the same), an OGC API
/// landing page when its answer links to the conformance declaration or
/// the collections (OGC 17-069r4 §7.2, /req/core/root-success), else an
/// NGSI-LD or NGSI-v2 broker's API root when the broker's own resources
/// below it answer as one ([`broker`]).
async fn landing(
    target: &Target,
    client: &Client,
    credential: Option<(String, String)>,
) -> Landing {
    let Some(endpoint) = target.endpoints.first() else {
        return Landing::Other;
    };
    let path = endpoint.path.split('?').next().unwrap_or_default();
    if path.ends_with("/gbfs.json") {
        return Landing::Gbfs(true);
    }
    let url = format!("{}{}", target.base_url, endpoint.path);
    let own = get_json(client, url, credential.clone()).await;
    if let Some(body) = &own {
        if is_gbfs_discovery(body) {
            return Landing::Gbfs(false);
        }
        if documents::links(body)
            .is_some_and(|links| documents::has_rel(&links, "conformance|data"))
        {
            return Landing::Ogc;
        }
    }
    let own = own.and_then(|body| serde_json::from_slice(&body).ok());
    let root = format!("{}{path}", target.base_url);
    broker(client, root.trim_end_matches('/'), own.as_ref(), credential).await
}

/// Whether `root` is an NGSI broker's API root: `/ngsi-ld/v1/types`
/// answering an entity type list, or a problem details object of an
/// NGSI-LD error type (ETSI GS CIM 009: only a broker answers with
/// those, also to a caller without a credential); else `/version`
/// answering Orion's `orion` member, or `/v2/entities` answering an
/// array of entities or an NGSI-v2 error object (`error` and
/// `description`, FIWARE NGSI v2 "Error Responses"). A server that
/// answers a probe with what it answers at `root` itself (`own`) answers
/// every path alike, and is no broker.
async fn broker(
    client: &Client,
    root: &str,
    own: Option<&serde_json::Value>,
    credential: Option<(String, String)>,
) -> Landing {
    let answer = |path: &str| {
        let url = format!("{root}{path}");
        let credential = credential.clone();
        async move {
            get_any(client, url, credential)
                .await
                .filter(|(_, body)| Some(body) != own)
        }
    };
    if answer("/ngsi-ld/v1/types")
        .await
        .is_some_and(|(status, body)| is_ngsi_ld_answer(status, &body))
    {
        return Landing::NgsiLd;
    }
    if answer("/version")
        .await
        .is_some_and(|(status, body)| (200..300).contains(&status) && body.get("orion").is_some())
    {
        return Landing::NgsiV2(true);
    }
    if answer("/v2/entities")
        .await
        .is_some_and(|(status, body)| is_ngsi_v2_answer(status, &body))
    {
        return Landing::NgsiV2(false);
    }
    Landing::Other
}

/// An answer of `/ngsi-ld/v1/types`: an `EntityTypeList`, or the array
/// of `EntityType` objects some brokers answer, or an NGSI-LD problem
/// details object.
fn is_ngsi_ld_answer(status: u16, body: &serde_json::Value) -> bool {
    let kind = body.get("type").and_then(serde_json::Value::as_str);
    let entity_types = body.as_array().is_some_and(|all| {
        !all.is_empty()
            && all
                .iter()
                .all(|t| t.get("type").and_then(serde_json::Value::as_str) == Some("EntityType"))
    });
    let listed = (200..300).contains(&status) && (kind == Some("EntityTypeList") || entity_types);
    let problem = kind.is_some_and(|k| k.starts_with("https://uri.etsi.org/ngsi-ld/errors/"));
    listed || problem
}

/// An answer of `/v2/entities`: an array of entities, or an NGSI-v2 error
/// object.
fn is_ngsi_v2_answer(status: u16, body: &serde_json::Value) -> bool {
    let entities = (200..300).contains(&status)
        && body.as_array().is_some_and(|all| {
            all.iter()
                .all(|e| e.get("id").is_some() && e.get("type").is_some())
        });
    let error = !(200..300).contains(&status)
        && body.get("error").is_some_and(serde_json::Value::is_string)
        && body
            .get("description")
            .is_some_and(serde_json::Value::is_string);
    entities || error
}

/// GET `url` as JSON: the status and body of any answer that is JSON.
async fn get_any(
    client: &Client,
    url: String,
    credential: Option<(String, String)>,
) -> Option<(u16, serde_json::Value)> {
    let request = Outgoing {
        method: "GET".to_owned(),
        url,
        headers: vec![("accept".to_owned(), ACCEPT_JSON.to_owned())],
        credential,
        body: None,
    };
    match client.send(&request).await {
        Answer::Exchange(x) => serde_json::from_slice(&x.body)
            .ok()
            .map(|body| (x.status, body)),
        _ => None,
    }
}

#[derive(Deserialize)]
struct GbfsHeader {
    #[serde(rename = "last_updated")]
    _last_updated: serde::de::IgnoredAny,
    #[serde(rename = "ttl")]
    _ttl: u64,
    data: serde_json::Map<String, serde_json::Value>,
}

/// A GBFS discovery file: the common header and a `data` object holding
/// `feeds` (v3.0) or languages that hold `feeds` (v2.3).
fn is_gbfs_discovery(body: &[u8]) -> bool {
    let Ok(header) = serde_json::from_slice::<GbfsHeader>(body) else {
        return false;
    };
    header
        .data
        .get("feeds")
        .is_some_and(serde_json::Value::is_array)
        || header.data.values().any(|language| {
            language
                .get("feeds")
                .is_some_and(serde_json::Value::is_array)
        })
}

#[derive(Deserialize)]
struct Collections {
    collections: Vec<Collection>,
}

#[derive(Deserialize)]
struct Collection {
    id: String,
}

/// The items path of every collection `/collections` names whose ID is a
/// plain path segment (another is skipped: it would change the path).
async fn collections(
    target: &Target,
    client: &Client,
    credential: Option<(String, String)>,
) -> Vec<String> {
    let url = format!("{}/collections", target.base_url);
    let Some(body) = get_json(client, url, credential).await else {
        return Vec::new();
    };
    let Ok(listed) = serde_json::from_slice::<Collections>(&body) else {
        return Vec::new();
    };
    listed
        .collections
        .into_iter()
        .filter(|c| is_segment(&c.id))
        .map(|c| format!("/collections/{}/items", c.id))
        .collect()
}

/// `url`'s JSON body, asked for in tenant A's space when the broker keeps
/// tenants apart by a header (`NGSILD-Tenant`, `Fiware-Service`).
async fn get_in_tenant_a(
    target: &Target,
    client: &Client,
    url: String,
    credential: Option<(String, String)>,
) -> Option<Vec<u8>> {
    let tenant = target
        .tenancy
        .as_ref()
        .map(|t| vec![(t.header.clone(), t.a.0.clone())])
        .unwrap_or_default();
    get_json_with(client, url, credential, tenant).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EntityTypeList {
    type_list: Vec<String>,
}

/// The entity types an NGSI-LD broker lists (an `EntityTypeList`'s
/// `typeList`) in tenant A's space, those that are plain path segments
/// (a type outside the `@context`, a full URI, is skipped).
async fn ngsi_ld_types(
    target: &Target,
    client: &Client,
    credential: Option<(String, String)>,
) -> Vec<String> {
    let url = format!("{}/ngsi-ld/v1/types", target.base_url);
    let Some(body) = get_in_tenant_a(target, client, url, credential).await else {
        return Vec::new();
    };
    let Ok(listed) = serde_json::from_slice::<EntityTypeList>(&body) else {
        return Vec::new();
    };
    listed
        .type_list
        .into_iter()
        .filter(|t| is_segment(t))
        .collect()
}

#[derive(Deserialize)]
struct V2Type {
    #[serde(rename = "type")]
    entity_type: String,
}

/// The entity types an NGSI-v2 broker lists at `/v2/types` (an array of
/// objects, each with its `type`) in tenant A's service, those that are
/// plain path segments.
async fn ngsi_v2_types(
    target: &Target,
    client: &Client,
    credential: Option<(String, String)>,
) -> Vec<String> {
    let url = format!("{}/v2/types", target.base_url);
    let Some(body) = get_in_tenant_a(target, client, url, credential).await else {
        return Vec::new();
    };
    let Ok(listed) = serde_json::from_slice::<Vec<V2Type>>(&body) else {
        return Vec::new();
    };
    listed
        .into_iter()
        .map(|t| t.entity_type)
        .filter(|t| is_segment(t))
        .collect()
}

/// Unreserved characters only (RFC 3986 §2.3), and not a dot segment.
fn is_segment(id: &str) -> bool {
    !matches!(id, "" | "." | "..")
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_discovery_file_is_told_in_both_layouts() {
        let v30 = br#"{"last_updated":"2019-07-04T13:33:03Z","ttl":60,"version":"3.0","data":{"feeds":[]}}"#;
        let v23 = br#"{"last_updated":1606727710,"ttl":300,"data":{"en":{"feeds":[]}}}"#;
        assert!(is_gbfs_discovery(v30));
        assert!(is_gbfs_discovery(v23));
        for other in [
            &br#"{"links":[]}"#[..],
            br#"{"ttl":60,"data":{"x":1}}"#,
            b"[]",
        ] {
            assert!(!is_gbfs_discovery(other));
        }
    }

    #[test]
    fn brokers_are_told_by_their_own_answers() {
        use serde_json::json;
        let types = json!({ "id": "urn:x", "type": "EntityTypeList", "typeList": ["ParkingSpot"] });
        let details =
            json!([{ "id": "ParkingSpot", "type": "EntityType", "typeName": "ParkingSpot" }]);
        let problem = json!({ "type": "https://uri.etsi.org/ngsi-ld/errors/InvalidRequest", "title": "Unauthorized" });
        assert!(is_ngsi_ld_answer(200, &types));
        assert!(is_ngsi_ld_answer(200, &details));
        assert!(is_ngsi_ld_answer(401, &problem));
        for other in [
            json!([]),
            json!([{ "id": "a", "type": "Trip" }]),
            json!({ "error": "x" }),
        ] {
            assert!(!is_ngsi_ld_answer(200, &other), "{other}");
        }
        assert!(!is_ngsi_ld_answer(404, &types));
        let entities = json!([{ "id": "a", "type": "ParkingSpot" }]);
        let error = json!({ "error": "Unauthorized", "description": "no token" });
        assert!(is_ngsi_v2_answer(200, &entities));
        assert!(is_ngsi_v2_answer(401, &error));
        assert!(!is_ngsi_v2_answer(200, &error));
        assert!(!is_ngsi_v2_answer(
            401,
            &json!({ "error": "x", "message": "y" })
        ));
        assert!(!is_ngsi_v2_answer(200, &json!([{ "name": "a" }])));
    }

    #[test]
    fn only_plain_segments_become_paths() {
        assert!(is_segment("parking-spots_2025.v1"));
        for id in ["", ".", "..", "a/b", "a b", "..%2f", "x?y"] {
            assert!(!is_segment(id), "{id}");
        }
    }
}
