//! The target description: the platform a live audit talks to, read from a
//! TOML file checked against `schemas/tool/target.schema.json`. Secrets are
//! never in the file: it names environment variables or files, read here
//! and kept in [`Secret`]s that do not print.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::catalog::load::{self, SuiteText};
use crate::catalog::toml_source::TomlSource;
use crate::error::{Error, FileProblem, Result};
use crate::payload::pipeline::Declared;

/// A credential. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How credentials are presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Authorization: Bearer TOKEN`.
    Bearer,
    /// The token alone in the named header.
    ApiKey(String),
    /// OAuth2 client credentials exchanged at the token URL for a bearer
    /// token before the audit.
    OAuth2 {
        /// Absolute token endpoint.
        token_url: String,
    },
}

/// One tenant's principal.
#[derive(Debug, Clone)]
pub struct Tenant {
    /// Its credential (the client secret under OAuth2).
    pub token: Secret,
    /// Its OAuth2 client ID.
    pub client_id: Option<String>,
    /// The path of a resource it owns.
    pub resource: String,
}

/// Who may read the API, and how the audit presents itself.
#[derive(Debug, Clone)]
pub enum Access {
    /// `auth = "none"`, or an audit of a URL alone: a public API. There is
    /// no credential to send, forge or isolate, so the cases that need
    /// tenants, credentials or an admin operation do not apply, and every
    /// request is sent as the public sends it.
    Open,
    /// Two tenants' principals, presented as `scheme` says.
    Tenants {
        /// How credentials are sent.
        scheme: AuthScheme,
        /// Tenant A.
        a: Tenant,
        /// Tenant B.
        b: Tenant,
    },
}

/// The kind of API the target speaks, which says how its collections are
/// found and which conformance cases apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ApiKind {
    /// Named collection paths (`[[endpoint]]`, `[entities]`).
    #[default]
    Generic,
    /// OGC API - Features Part 1 (OGC 17-069r4): collections are found
    /// from `/collections`, each read at `/collections/{id}/items`.
    OgcApiFeatures,
    /// An NGSI-LD context broker (ETSI GS CIM 009): entity types are found
    /// from `/ngsi-ld/v1/types`, each read at
    /// `/ngsi-ld/v1/entities?type={type}`; tenants are chosen by the
    /// `NGSILD-Tenant` header.
    NgsiLd,
    /// An NGSI-v2 context broker (FIWARE NGSI v2): entity types are found
    /// from `/v2/types`, each read at `/v2/entities?type={type}`; tenants
    /// are chosen by the `Fiware-Service` header.
    NgsiV2,
    /// A GBFS feed (v2.3, v3.0): read from its discovery file (the first
    /// endpoint, else `gbfs.json` below the base URL) and the feeds it
    /// lists.
    Gbfs,
}

impl ApiKind {
    /// The name used in target files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKind::Generic => "generic",
            ApiKind::OgcApiFeatures => "ogcapi-features",
            ApiKind::NgsiLd => "ngsi-ld",
            ApiKind::NgsiV2 => "ngsi-v2",
            ApiKind::Gbfs => "gbfs",
        }
    }

    /// The kind named `name`, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "generic" => Some(ApiKind::Generic),
            "ogcapi-features" => Some(ApiKind::OgcApiFeatures),
            "ngsi-ld" => Some(ApiKind::NgsiLd),
            "ngsi-v2" => Some(ApiKind::NgsiV2),
            "gbfs" => Some(ApiKind::Gbfs),
            _ => None,
        }
    }

    /// The header that chooses a tenant on this kind of API, if it has
    /// one: `NGSILD-Tenant` (ETSI GS CIM 009, multi-tenancy in the HTTP
    /// binding), `Fiware-Service` (NGSI-v2 brokers' multi-tenancy).
    pub fn tenant_header(self) -> Option<&'static str> {
        match self {
            ApiKind::NgsiLd => Some("NGSILD-Tenant"),
            ApiKind::NgsiV2 => Some("Fiware-Service"),
            ApiKind::Generic | ApiKind::OgcApiFeatures | ApiKind::Gbfs => None,
        }
    }
}

/// Tenants a broker keeps apart by a header (`NGSILD-Tenant`), each with
/// an object it holds: every request names the tenant it acts for, so
/// isolation is decided through the header as well as through tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenancy {
    /// The header naming the tenant.
    pub header: String,
    /// Tenant A's name and the path of an object it holds.
    pub a: (String, String),
    /// Tenant B's name and the path of an object it holds.
    pub b: (String, String),
}

/// A collection endpoint and, when it says, the shared type of its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Path (with query) below the base URL.
    pub path: String,
    /// The entity type, naming the shared schema; without one, each
    /// record's own `type` names its schema.
    pub entity_type: Option<String>,
}

/// The limits an audit keeps to, so that it is safe against production.
#[derive(Debug, Clone)]
pub struct Safety {
    /// Send no unsafe method.
    pub read_only: bool,
    /// Most requests in all.
    pub request_budget: u64,
    /// Most requests a second; 0 for none.
    pub rate_limit: f64,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Per request, body included.
    pub timeout: Duration,
    /// For the whole audit.
    pub deadline: Duration,
    /// A body is read up to this many bytes.
    pub max_body_bytes: u64,
}

impl Default for Safety {
    fn default() -> Self {
        Safety {
            read_only: true,
            request_budget: 1000,
            rate_limit: 0.0,
            concurrency: 4,
            timeout: Duration::from_secs(10),
            deadline: Duration::from_secs(300),
            max_body_bytes: 4 << 20,
        }
    }
}

/// A loaded target.
#[derive(Debug, Clone)]
pub struct Target {
    /// Where it was read from, for messages.
    pub file: String,
    /// Base URL without a trailing slash.
    pub base_url: String,
    /// Where plain HTTP is tried.
    pub plain_http_url: String,
    /// Extra trusted authorities (PEM).
    pub ca_pem: Option<Vec<u8>>,
    /// The collections.
    pub endpoints: Vec<Endpoint>,
    /// The kind of API.
    pub api: ApiKind,
    /// The kind was not said (`audit URL` without `--api`): the audit
    /// asks the URL whether it is an OGC API landing page first.
    pub detect_api: bool,
    /// Public, or two tenants with credentials.
    pub access: Access,
    /// Tenants named by a header, where the API kind has one and the
    /// target names both tenants (`tenant` in `[tenants.a]` and `[tenants.b]`).
    pub tenancy: Option<Tenancy>,
    /// Whether the platform adopted cityconform's data-exchange envelope
    /// (`envelope = true`): only then is its absence a finding.
    pub envelope: bool,
    /// The admin-only operation, as (method, path).
    pub admin: Option<(String, String)>,
    /// The limits.
    pub safety: Safety,
    /// The schema an endpoint names (`schema = ...`), by endpoint path:
    /// an entity type, a schema URI, or a file (resolved against the
    /// target file's folder). Its records are judged by it alone.
    pub schemas: BTreeMap<String, String>,
    /// The representation an endpoint declares (`representation = ...`),
    /// by endpoint path: its records are read in that form instead of the
    /// one told from their content.
    pub representations: BTreeMap<String, Declared>,
}

impl Target {
    /// Every credential of the target, for redaction: each token and, for
    /// an OAuth2 client, `client_id:secret` as HTTP Basic carries it (the
    /// redactor adds the encoded forms).
    pub fn secrets(&self) -> Vec<Secret> {
        let mut secrets = Vec::new();
        for tenant in self.tenants() {
            secrets.push(tenant.token.clone());
            if let Some(id) = &tenant.client_id {
                secrets.push(Secret::new(format!("{id}:{}", tenant.token.expose())));
            }
        }
        secrets
    }

    /// Tenants A and B, or none for an open API.
    pub fn tenants(&self) -> Vec<&Tenant> {
        match &self.access {
            Access::Open => Vec::new(),
            Access::Tenants { a, b, .. } => vec![a, b],
        }
    }

    /// How credentials are sent, or `None` for an open API.
    pub fn scheme(&self) -> Option<&AuthScheme> {
        match &self.access {
            Access::Open => None,
            Access::Tenants { scheme, .. } => Some(scheme),
        }
    }

    /// Whether the API is audited as public (`auth = "none"`).
    pub fn is_open(&self) -> bool {
        matches!(self.access, Access::Open)
    }

    /// A URL audited alone that turned out to be an OGC API landing page:
    /// the URL (without its query) is the base, and the collections are
    /// found from it.
    pub fn as_ogc_landing(&self) -> Target {
        self.as_api_root(ApiKind::OgcApiFeatures)
    }

    /// A URL audited alone that turned out to be the root of an API of
    /// `api` (an OGC API landing page, an NGSI broker): the URL (without
    /// its query) is the base, and what to read is found from it.
    pub fn as_api_root(&self, api: ApiKind) -> Target {
        let path = self
            .endpoints
            .first()
            .map(|e| e.path.split('?').next().unwrap_or("").to_owned())
            .unwrap_or_default();
        let base_url = format!("{}{path}", self.base_url)
            .trim_end_matches('/')
            .to_owned();
        Target {
            plain_http_url: default_plain_url(&base_url),
            base_url,
            endpoints: Vec::new(),
            api,
            detect_api: false,
            ..self.clone()
        }
    }
}

/// The target of `cityconform audit URL`: a public API (no credentials,
/// no tenants, no admin operation) with the default safety limits. A
/// generic API's collection is the URL's path below its origin; an OGC
/// API's landing page is the URL itself, its collections found from it.
/// A URL that is not `http(s)://host[...]`, or that carries a user name
/// or password, is refused (exit 2).
pub fn open(url: &str, api: Option<ApiKind>) -> Result<Target> {
    let detect_api = api.is_none();
    let api = api.unwrap_or_default();
    let usage = |message: String| Error::Usage(message);
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| {
            usage(format!(
                "`{url}` is not an http:// or https:// URL; audit the API's base URL, such as https://data.city.example/api"
            ))
        })?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if rest[..end].is_empty() {
        return Err(usage(format!("`{url}` names no host")));
    }
    if url.chars().any(char::is_whitespace) {
        return Err(usage(format!(
            "`{url}` holds whitespace; percent-encode it (%20)"
        )));
    }
    if has_userinfo(url) {
        return Err(usage(
            "the URL carries a user name or password (`user:password@`): an open API is audited without credentials; remove the part before `@`, or write a target file naming the credentials by environment variable".to_owned(),
        ));
    }
    if rest[end..].contains('#') {
        return Err(usage(format!(
            "`{url}` has a fragment (`#...`), which is never sent to a server; remove it"
        )));
    }
    let scheme_len = url.len() - rest.len();
    let origin = &url[..scheme_len + end];
    let path = &rest[end..];
    let (base_url, endpoints) = match api {
        ApiKind::Generic | ApiKind::Gbfs => {
            let path = if path.is_empty() || path.starts_with('?') {
                format!("/{path}")
            } else {
                path.to_owned()
            };
            (
                origin.to_owned(),
                vec![Endpoint {
                    path,
                    entity_type: None,
                }],
            )
        }
        ApiKind::OgcApiFeatures | ApiKind::NgsiLd | ApiKind::NgsiV2 => {
            (url.trim_end_matches('/').to_owned(), Vec::new())
        }
    };
    Ok(Target {
        file: url.to_owned(),
        plain_http_url: default_plain_url(&base_url),
        base_url,
        ca_pem: None,
        endpoints,
        api,
        detect_api,
        schemas: BTreeMap::new(),
        representations: BTreeMap::new(),
        access: Access::Open,
        tenancy: None,
        envelope: false,
        admin: None,
        safety: Safety::default(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetFile {
    base_url: String,
    plain_http_url: Option<String>,
    ca_cert: Option<String>,
    #[serde(default)]
    endpoint: Vec<EndpointFile>,
    entities: Option<EntitiesFile>,
    api: Option<String>,
    #[serde(default)]
    envelope: bool,
    auth: AuthField,
    tenants: Option<TenantsFile>,
    admin: Option<AdminFile>,
    #[serde(default)]
    safety: SafetyFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointFile {
    path: String,
    #[serde(rename = "type")]
    entity_type: Option<String>,
    schema: Option<String>,
    representation: Option<String>,
}

/// The representation each endpoint declares, by path, read by the same
/// names as `validate --representation`; an unknown name is a problem at
/// its line naming every name there is.
fn representations(
    source: &TomlSource,
    endpoints: &[EndpointFile],
) -> Result<BTreeMap<String, Declared>> {
    let mut declared = BTreeMap::new();
    for (i, endpoint) in endpoints.iter().enumerate() {
        let Some(name) = endpoint.representation.as_deref() else {
            continue;
        };
        let form = name.parse::<Declared>().map_err(|message| {
            source
                .problem(&format!("/endpoint/{i}/representation"), &message)
                .with_help("leave it out to tell each record's form from its content")
        })?;
        declared.insert(endpoint.path.clone(), form);
    }
    Ok(declared)
}

/// A `schema = ...` reference as the registry reads it: a URI or an
/// entity type as written, a `.json` file against the target's folder.
fn schema_reference(reference: &str, dir: &Path) -> String {
    if !reference.contains("://") && reference.ends_with(".json") {
        dir.join(reference).display().to_string()
    } else {
        reference.to_owned()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntitiesFile {
    path: String,
    types: Vec<String>,
}

/// `auth = "none"` (the schema allows no other word), or the table.
#[derive(Deserialize)]
#[serde(untagged)]
enum AuthField {
    None(
        #[expect(
            dead_code,
            reason = "the schema allows only the word \"none\"; the variant is what counts"
        )]
        String,
    ),
    Scheme(AuthFile),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthFile {
    scheme: String,
    header: Option<String>,
    token_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantsFile {
    a: TenantFile,
    b: TenantFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantFile {
    token_env: Option<String>,
    token_file: Option<String>,
    client_id: Option<String>,
    resource: String,
    tenant: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdminFile {
    method: Option<String>,
    path: String,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SafetyFile {
    read_only: Option<bool>,
    request_budget: Option<u64>,
    rate_limit: Option<f64>,
    concurrency: Option<usize>,
    timeout_ms: Option<u64>,
    deadline_s: Option<u64>,
    max_body_bytes: Option<u64>,
}

/// Reads the target at `path`. Every problem names the file, line and
/// field; a missing secret names the variable or file to provide.
pub fn load(path: &Path) -> Result<Target> {
    let text = crate::files::read_to_string(path)?;
    let name = path.display().to_string();
    let schema = load::tool_schema("target.schema.json")?;
    let suite = SuiteText {
        name: name.clone(),
        text,
    };
    let (file, source): (TargetFile, TomlSource) =
        load::parse_checked_with(&suite, &schema, plain_target_problem)
            .map_err(with_target_help)?;
    let dir = path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
    let mut endpoints: Vec<Endpoint> = file
        .endpoint
        .iter()
        .map(|e| Endpoint {
            path: e.path.clone(),
            entity_type: e.entity_type.clone(),
        })
        .collect();
    if let Some(entities) = &file.entities {
        let separator = if entities.path.contains('?') {
            '&'
        } else {
            '?'
        };
        endpoints.extend(entities.types.iter().map(|t| Endpoint {
            path: format!("{}{separator}type={t}", entities.path),
            entity_type: Some(t.clone()),
        }));
    }
    for (pointer, url) in [
        ("/base_url", Some(&file.base_url)),
        ("/plain_http_url", file.plain_http_url.as_ref()),
        (
            "/auth/token_url",
            match &file.auth {
                AuthField::Scheme(auth) => auth.token_url.as_ref(),
                AuthField::None(_) => None,
            },
        ),
    ] {
        if url.is_some_and(|u| has_userinfo(u)) {
            return Err(source
                .problem(
                    pointer,
                    "the URL carries a user name or password (`user:password@`)",
                )
                .with_help(
                    "credentials come from token_env or token_file, never from a URL; remove the part before `@`",
                )
                .into());
        }
    }
    let base_url = file.base_url.trim_end_matches('/').to_owned();
    let ca_pem = match &file.ca_cert {
        Some(ca) => {
            let ca_path = dir.join(ca);
            crate::files::refuse_special(&ca_path)?;
            let pem = std::fs::read(&ca_path).map_err(|e| {
                Error::from(
                    source
                        .problem(
                            "/ca_cert",
                            format!("cannot read `{}`: {e}", ca_path.display()),
                        )
                        .with_help("the path is relative to the target file's folder"),
                )
            })?;
            Some(pem)
        }
        None => None,
    };
    let plain_http_url = match &file.plain_http_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => default_plain_url(&base_url),
    };
    check_safety(&source, &file.safety)?;
    let defaults = Safety::default();
    let s = &file.safety;
    let safety = Safety {
        read_only: s.read_only.unwrap_or(defaults.read_only),
        request_budget: s.request_budget.unwrap_or(defaults.request_budget),
        rate_limit: s.rate_limit.unwrap_or(defaults.rate_limit),
        concurrency: s.concurrency.unwrap_or(defaults.concurrency),
        timeout: s.timeout_ms.map_or(defaults.timeout, Duration::from_millis),
        deadline: s.deadline_s.map_or(defaults.deadline, Duration::from_secs),
        max_body_bytes: s.max_body_bytes.unwrap_or(defaults.max_body_bytes),
    };
    let api = file
        .api
        .as_deref()
        .and_then(ApiKind::from_name)
        .unwrap_or_default();
    let access = access(&source, &file, &base_url, &dir)?;
    let tenancy = tenancy(&source, &file, api)?;
    Ok(Target {
        file: name,
        base_url,
        plain_http_url,
        ca_pem,
        endpoints,
        api,
        detect_api: false,
        access,
        tenancy,
        envelope: file.envelope,
        schemas: file
            .endpoint
            .iter()
            .filter_map(|e| {
                let reference = e.schema.as_deref()?;
                Some((e.path.clone(), schema_reference(reference, &dir)))
            })
            .collect(),
        representations: representations(&source, &file.endpoint)?,
        admin: file
            .admin
            .map(|a| (a.method.unwrap_or_else(|| "GET".to_owned()), a.path)),
        safety,
    })
}

/// Who may read the API: open under `auth = "none"`, else the scheme and
/// both tenants with their credentials read.
fn access(source: &TomlSource, file: &TargetFile, base_url: &str, dir: &Path) -> Result<Access> {
    let (auth, tenants) = match (&file.auth, &file.tenants) {
        (AuthField::None(_), None) if file.admin.is_none() => return Ok(Access::Open),
        (AuthField::None(_), Some(tenants))
            if file.admin.is_none() && header_tenants_only(tenants) =>
        {
            return Ok(Access::Open);
        }
        (AuthField::None(_), tenants) => {
            let pointer = if tenants.is_some() {
                "/tenants"
            } else {
                "/admin"
            };
            return Err(source
                .problem(
                    pointer,
                    "a public API (auth = \"none\") has no admin operation, and its tenants carry no credential",
                )
                .with_help("remove [admin] and every token_env or token_file (a public broker's tenants are named by `tenant` alone), or name the API's auth scheme in an [auth] table")
                .into());
        }
        (AuthField::Scheme(auth), Some(tenants)) => (auth, tenants),
        // The schema requires tenants beside an auth table.
        (AuthField::Scheme(_), None) => {
            return Err(source
                .problem("/auth", "an authenticated target needs [tenants.a] and [tenants.b]")
                .with_help("name each tenant's credential and resource, or write auth = \"none\" for a public API")
                .into());
        }
    };
    let scheme = match (auth.scheme.as_str(), &auth.header) {
        ("api-key", Some(header)) => AuthScheme::ApiKey(header.clone()),
        ("api-key", None) => {
            return Err(source
                .problem("/auth", "the api-key scheme needs `header`")
                .with_help("name the header that carries the key, e.g. header = \"X-API-Key\"")
                .into());
        }
        ("oauth2-client-credentials", _) => match &auth.token_url {
            Some(url) if url.starts_with('/') => AuthScheme::OAuth2 {
                token_url: format!("{base_url}{url}"),
            },
            Some(url) => AuthScheme::OAuth2 {
                token_url: url.clone(),
            },
            None => {
                return Err(source
                    .problem(
                        "/auth",
                        "the oauth2-client-credentials scheme needs `token_url`",
                    )
                    .into());
            }
        },
        _ => AuthScheme::Bearer,
    };
    let oauth2 = matches!(scheme, AuthScheme::OAuth2 { .. });
    let tenant = |key: &str, t: &TenantFile| -> Result<Tenant> {
        if oauth2 && t.client_id.is_none() {
            return Err(source
                .problem(
                    &format!("/tenants/{key}"),
                    format!("tenant {key} needs `client_id` for oauth2-client-credentials"),
                )
                .with_help("token_env or token_file then names the client secret")
                .into());
        }
        Ok(Tenant {
            token: read_secret(source, key, t, dir)?,
            client_id: t.client_id.clone(),
            resource: t.resource.clone(),
        })
    };
    Ok(Access::Tenants {
        a: tenant("a", &tenants.a)?,
        b: tenant("b", &tenants.b)?,
        scheme,
    })
}

/// Whether every tenant of a public API is named by its header alone: a
/// `tenant` and no credential.
fn header_tenants_only(tenants: &TenantsFile) -> bool {
    [&tenants.a, &tenants.b].iter().all(|t| {
        t.tenant.is_some()
            && t.token_env.is_none()
            && t.token_file.is_none()
            && t.client_id.is_none()
    })
}

/// The tenants named by the API's tenant header: both or neither tenant
/// names one, and only an API kind with such a header takes them.
fn tenancy(source: &TomlSource, file: &TargetFile, api: ApiKind) -> Result<Option<Tenancy>> {
    let Some(tenants) = &file.tenants else {
        return Ok(None);
    };
    let (a, b) = match (&tenants.a.tenant, &tenants.b.tenant) {
        (None, None) => return Ok(None),
        (Some(a), Some(b)) => (a, b),
        (Some(_), None) | (None, Some(_)) => {
            let missing = if tenants.a.tenant.is_none() { "a" } else { "b" };
            return Err(source
                .problem(
                    &format!("/tenants/{missing}"),
                    format!("tenant {missing} names no `tenant` while the other does"),
                )
                .with_help("name both tenants' header values, or neither")
                .into());
        }
    };
    let Some(header) = api.tenant_header() else {
        return Err(source
            .problem(
                "/tenants/a/tenant",
                format!(
                    "a {} API chooses no tenant by header, so `tenant` has no meaning here",
                    api.as_str()
                ),
            )
            .with_help(
                "set api = \"ngsi-ld\" or \"ngsi-v2\" for a context broker, or remove `tenant`",
            )
            .into());
    };
    if a == b {
        return Err(source
            .problem("/tenants/b/tenant", "tenants a and b name the same tenant")
            .with_help("name two different tenants: isolation is checked between them")
            .into());
    }
    Ok(Some(Tenancy {
        header: header.to_owned(),
        a: (a.clone(), tenants.a.resource.clone()),
        b: (b.clone(), tenants.b.resource.clone()),
    }))
}

/// The bounds of every safety value (as in the target schema), so that
/// no value the file may hold overflows a clock or a division.
const MAX_REQUEST_BUDGET: u64 = 1_000_000;
const MIN_RATE_LIMIT: f64 = 0.01;
const MAX_RATE_LIMIT: f64 = 10_000.0;
const MAX_CONCURRENCY: usize = 64;
const MAX_TIMEOUT_MS: u64 = 600_000;
const MAX_DEADLINE_S: u64 = 86_400;
const MIN_BODY_BYTES: u64 = 1024;
const MAX_BODY_BYTES: u64 = 1 << 30;

/// Every safety value within its bounds; a value outside is a problem at
/// its line. The schema states the same bounds: this holds them should a
/// value pass it (a rate limit between 0 and the smallest, a NaN).
fn check_safety(source: &TomlSource, s: &SafetyFile) -> Result<()> {
    let out_of = |field: &str, message: String| -> Error {
        source
            .problem(&format!("/safety/{field}"), message)
            .with_help("see the bounds in schemas/tool/target.schema.json")
            .into()
    };
    let within =
        |value: Option<u64>, low: u64, high: u64| value.is_none_or(|v| (low..=high).contains(&v));
    if !within(s.request_budget, 1, MAX_REQUEST_BUDGET) {
        return Err(out_of(
            "request_budget",
            format!("request_budget must be 1 to {MAX_REQUEST_BUDGET}"),
        ));
    }
    if let Some(rate) = s.rate_limit {
        let fine = rate == 0.0 || (MIN_RATE_LIMIT..=MAX_RATE_LIMIT).contains(&rate);
        if !fine {
            return Err(out_of(
                "rate_limit",
                format!(
                    "rate_limit must be 0 (no limit) or {MIN_RATE_LIMIT} to {MAX_RATE_LIMIT} requests a second"
                ),
            ));
        }
    }
    if s.concurrency
        .is_some_and(|c| !(1..=MAX_CONCURRENCY).contains(&c))
    {
        return Err(out_of(
            "concurrency",
            format!("concurrency must be 1 to {MAX_CONCURRENCY}"),
        ));
    }
    if !within(s.timeout_ms, 1, MAX_TIMEOUT_MS) {
        return Err(out_of(
            "timeout_ms",
            format!("timeout_ms must be 1 to {MAX_TIMEOUT_MS}"),
        ));
    }
    if !within(s.deadline_s, 1, MAX_DEADLINE_S) {
        return Err(out_of(
            "deadline_s",
            format!("deadline_s must be 1 to {MAX_DEADLINE_S} (a day)"),
        ));
    }
    if !within(s.max_body_bytes, MIN_BODY_BYTES, MAX_BODY_BYTES) {
        return Err(out_of(
            "max_body_bytes",
            format!("max_body_bytes must be {MIN_BODY_BYTES} to {MAX_BODY_BYTES}"),
        ));
    }
    Ok(())
}

/// The token files the target at `path` names, relative to its folder:
/// files a report must never overwrite. A target that cannot be read
/// names none (loading it reports why).
pub fn token_files(path: &Path) -> Vec<PathBuf> {
    let dir = path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
    let Some(file) = crate::files::read_to_string(path)
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
    else {
        return Vec::new();
    };
    let Some(tenants) = file.get("tenants").and_then(toml::Value::as_table) else {
        return Vec::new();
    };
    tenants
        .values()
        .filter_map(|t| t.get("token_file")?.as_str())
        .map(|f| dir.join(f))
        .collect()
}

/// A target that names neither endpoints nor a standard API, said
/// plainly rather than as the schema's `anyOf`: what to add.
fn plain_target_problem(
    error: &jsonschema::ValidationError<'_>,
    problem: FileProblem,
) -> FileProblem {
    let at_root = error.instance_path().as_str().is_empty();
    if at_root
        && matches!(
            error.kind(),
            jsonschema::error::ValidationErrorKind::AnyOf { .. }
        )
    {
        return FileProblem {
            message: "the target says neither what to audit nor how to find it: add `[[endpoint]]` entries (or `[entities]`), or `api = \"ogcapi-features\"`, `\"ngsi-ld\"`, `\"ngsi-v2\"` or `\"gbfs\"` for a standard API whose discovery finds them".to_owned(),
            ..problem
        };
    }
    load::plain_pattern(error, problem)
}

/// Format problems in a target get a help line about targets.
fn with_target_help(error: Error) -> Error {
    const HELP: &str = "see schemas/tool/target.schema.json; credentials come from token_env or token_file, never from the target file";
    match error {
        Error::Files(problems) => {
            Error::Files(problems.into_iter().map(|p| p.with_help(HELP)).collect())
        }
        other => other,
    }
}

/// Whether `url` has userinfo (`user:password@`) in its authority.
fn has_userinfo(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    rest[..end].contains('@')
}

/// `https://host:8443/api` → `http://host/api`: where plain HTTP would be.
/// A plain `http://` base is where plain HTTP is.
fn default_plain_url(base: &str) -> String {
    if base.starts_with("http://") {
        return base.to_owned();
    }
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .unwrap_or(base);
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => authority,
    };
    format!("http://{host}{path}")
}

/// Fewest characters a credential may have.
const MIN_SECRET_CHARS: usize = 8;

fn read_secret(source: &TomlSource, key: &str, tenant: &TenantFile, dir: &Path) -> Result<Secret> {
    let pointer = format!("/tenants/{key}");
    let value = match (&tenant.token_env, &tenant.token_file) {
        (Some(var), _) => std::env::var(var).map_err(|_| {
            Error::from(
                source
                    .problem(
                        &format!("{pointer}/token_env"),
                        format!("environment variable `{var}` is not set"),
                    )
                    .with_help(format!("export {var}=... with tenant {key}'s token")),
            )
        })?,
        (None, Some(file)) => {
            let path = dir.join(file);
            crate::files::refuse_special(&path)?;
            std::fs::read_to_string(&path).map_err(|e| {
                Error::from(
                    source
                        .problem(
                            &format!("{pointer}/token_file"),
                            format!("cannot read token file `{}`: {e}", path.display()),
                        )
                        .with_help("the path is relative to the target file's folder"),
                )
            })?
        }
        (None, None) => {
            return Err(source
                .problem(
                    &pointer,
                    format!("tenant {key} has neither token_env nor token_file"),
                )
                .into());
        }
    };
    let value = value.trim();
    if value.is_empty() {
        return Err(source
            .problem(&pointer, format!("tenant {key}'s token is empty"))
            .into());
    }
    // Every occurrence of a credential is removed from the report; a
    // short one would match ordinary text and blank the report.
    if value.chars().count() < MIN_SECRET_CHARS {
        let field = if tenant.token_env.is_some() {
            "token_env"
        } else {
            "token_file"
        };
        return Err(source
            .problem(
                &format!("{pointer}/{field}"),
                format!(
                    "tenant {key}'s token has fewer than {MIN_SECRET_CHARS} characters"
                ),
            )
            .with_help("a credential this short cannot be told apart from ordinary text in the report; use the real one")
            .into());
    }
    Ok(Secret::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_url_drops_scheme_and_port() {
        assert_eq!(
            default_plain_url("https://api.city.example:8443/v1"),
            "http://api.city.example/v1"
        );
        assert_eq!(default_plain_url("https://[::1]:8443"), "http://[::1]");
    }

    #[test]
    fn a_plain_base_is_its_own_plain_url() {
        assert_eq!(
            default_plain_url("http://127.0.0.1:8080/api"),
            "http://127.0.0.1:8080/api"
        );
    }

    #[test]
    fn a_url_alone_is_an_open_api() {
        let target = open(
            "https://data.city.example/api/parking?x=1",
            Some(ApiKind::Generic),
        )
        .expect("a public API");
        assert!(target.is_open());
        assert!(target.secrets().is_empty());
        assert_eq!(target.base_url, "https://data.city.example");
        assert_eq!(
            target.endpoints,
            vec![Endpoint {
                path: "/api/parking?x=1".to_owned(),
                entity_type: None
            }]
        );
        let root = open("http://127.0.0.1:8080", None).expect("a public API");
        assert_eq!(root.endpoints[0].path, "/");
        let ogc =
            open("http://127.0.0.1:8080/ogc/", Some(ApiKind::OgcApiFeatures)).expect("an OGC API");
        assert_eq!(ogc.base_url, "http://127.0.0.1:8080/ogc");
        assert!(ogc.endpoints.is_empty());
    }

    #[test]
    fn a_url_that_names_no_public_api_is_refused() {
        for (url, words) in [
            ("ftp://data.city.example", "not an http:// or https:// URL"),
            ("https://", "names no host"),
            ("https:///api", "names no host"),
            ("https://user:pw@data.city.example", "user name or password"),
            ("https://data.city.example/a#b", "fragment"),
            ("https://data.city.example/a b", "whitespace"),
        ] {
            let message = open(url, None)
                .map(|_| String::new())
                .unwrap_or_else(|e| e.to_string());
            assert!(message.contains(words), "{url}: {message}");
            assert!(!message.contains("pw@"), "{url}: {message}");
        }
    }

    #[test]
    fn userinfo_is_found_in_the_authority_only() {
        assert!(has_userinfo("https://user:pw@host/api"));
        assert!(has_userinfo("http://user@host"));
        assert!(!has_userinfo("https://host/api/@me"));
        assert!(!has_userinfo("https://host?to=a@b"));
    }

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret::new("s3cr3t-token");
        assert_eq!(format!("{secret:?}"), "[redacted]");
    }
}
