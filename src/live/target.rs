//! The target description: the platform a live audit talks to, read from a
//! TOML file checked against `schemas/tool/target.schema.json`. Secrets are
//! never in the file: it names environment variables or files, read here
//! and kept in [`Secret`]s that do not print.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::catalog::load::{self, SuiteText};
use crate::catalog::toml_source::TomlSource;
use crate::error::{Error, Result};

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

/// A collection endpoint and the shared type of its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Path (with query) below the base URL.
    pub path: String,
    /// The entity type, naming the shared schema.
    pub entity_type: String,
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
    /// How credentials are sent.
    pub auth: AuthScheme,
    /// Tenant A.
    pub tenant_a: Tenant,
    /// Tenant B.
    pub tenant_b: Tenant,
    /// The admin-only operation, as (method, path).
    pub admin: Option<(String, String)>,
    /// The limits.
    pub safety: Safety,
}

impl Target {
    /// Every credential of the target, for redaction: each token and, for
    /// an OAuth2 client, `client_id:secret` as HTTP Basic carries it (the
    /// redactor adds the encoded forms).
    pub fn secrets(&self) -> Vec<Secret> {
        let mut secrets = Vec::new();
        for tenant in [&self.tenant_a, &self.tenant_b] {
            secrets.push(tenant.token.clone());
            if let Some(id) = &tenant.client_id {
                secrets.push(Secret::new(format!("{id}:{}", tenant.token.expose())));
            }
        }
        secrets
    }
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
    auth: AuthFile,
    tenants: TenantsFile,
    admin: Option<AdminFile>,
    #[serde(default)]
    safety: SafetyFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EndpointFile {
    path: String,
    #[serde(rename = "type")]
    entity_type: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntitiesFile {
    path: String,
    types: Vec<String>,
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
    let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
    let name = path.display().to_string();
    let schema = load::tool_schema("target.schema.json")?;
    let suite = SuiteText {
        name: name.clone(),
        text,
    };
    let (file, source): (TargetFile, TomlSource) =
        load::parse_checked(&suite, &schema).map_err(with_target_help)?;
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
            entity_type: t.clone(),
        }));
    }
    for (pointer, url) in [
        ("/base_url", Some(&file.base_url)),
        ("/plain_http_url", file.plain_http_url.as_ref()),
        ("/auth/token_url", file.auth.token_url.as_ref()),
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
    let auth = match (file.auth.scheme.as_str(), &file.auth.header) {
        ("api-key", Some(header)) => AuthScheme::ApiKey(header.clone()),
        ("api-key", None) => {
            return Err(source
                .problem("/auth", "the api-key scheme needs `header`")
                .with_help("name the header that carries the key, e.g. header = \"X-API-Key\"")
                .into());
        }
        ("oauth2-client-credentials", _) => match &file.auth.token_url {
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
    let oauth2 = matches!(auth, AuthScheme::OAuth2 { .. });
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
            token: read_secret(&source, key, t, &dir)?,
            client_id: t.client_id.clone(),
            resource: t.resource.clone(),
        })
    };
    let ca_pem = match &file.ca_cert {
        Some(ca) => {
            let ca_path = dir.join(ca);
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
    Ok(Target {
        file: name,
        base_url,
        plain_http_url,
        ca_pem,
        endpoints,
        auth,
        tenant_a: tenant("a", &file.tenants.a)?,
        tenant_b: tenant("b", &file.tenants.b)?,
        admin: file
            .admin
            .map(|a| (a.method.unwrap_or_else(|| "GET".to_owned()), a.path)),
        safety,
    })
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
    let Some(file) = std::fs::read_to_string(path)
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
fn default_plain_url(base: &str) -> String {
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
