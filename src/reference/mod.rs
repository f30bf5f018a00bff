//! The embedded reference city platform: a real HTTP(S) server on loopback
//! that serves the shared data models for two tenants, with bearer-token
//! authentication, per-tenant authorization, an operator-only operation,
//! rate limiting, paging, security headers and the data-exchange envelope on
//! every record. It meets every live requirement unless told to have
//! [`Fault`]s, each of which breaks exactly the requirements it names.
//!
//! It runs on the caller's tokio runtime: the library starts no runtime of
//! its own, so the CLI (`serve-reference`, `demo`), the tests and the
//! benchmark each start it on theirs, the same way, and stop it by
//! dropping the handle. On a multi-thread runtime it serves in the
//! background while the caller's thread does other work.

mod data;
mod fault;
mod openapi;
mod server;
mod tls;

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

pub use fault::Fault;
pub use openapi::PATHS as OPENAPI_PATHS;
pub use server::{MAX_PAGE, RATE_LIMIT};

/// Longest a client may take to complete the TLS handshake once connected.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest a client may take to send a request's headers, counted from
/// the moment the connection is ready for a request (after the handshake,
/// and again after each answer on a kept-alive connection): an idle
/// connection is closed after it.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

use crate::error::{Error, Result};

/// The API the reference platform speaks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ReferenceApi {
    /// Its own API: key-values records in the data-exchange envelope.
    #[default]
    Generic,
    /// An NGSI-LD broker (ETSI GS CIM 009): normalized entities (key-values
    /// on `options=keyValues`) with the JSON-LD `Link` header, entity types
    /// at `/ngsi-ld/v1/types`, `limit`/`offset`/`count=true` paging, errors
    /// as problem details with NGSI-LD error types, tenants chosen by
    /// `NGSILD-Tenant` within what the caller's token may reach.
    NgsiLd,
    /// An open OGC API - Features server (OGC 17-069r4): the models that
    /// hold no personal data as collections of GeoJSON features, with
    /// landing page, conformance, `limit`/`offset` paging and `next`
    /// links, and no credential.
    OgcApiFeatures,
    /// A GBFS v3.0 feed (MobilityData's General Bikeshare Feed
    /// Specification): its parking spots as docks and a few bicycles,
    /// `gbfs.json` listing every file on its own origin, `last_updated`
    /// at the clock given, and no credential.
    Gbfs,
}

impl ReferenceApi {
    /// The name `--api` takes, as in a target's `api`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReferenceApi::Generic => "generic",
            ReferenceApi::NgsiLd => "ngsi-ld",
            ReferenceApi::OgcApiFeatures => "ogcapi-features",
            ReferenceApi::Gbfs => "gbfs",
        }
    }

    /// The API named `name`, if the platform speaks it.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "generic" => Some(ReferenceApi::Generic),
            "ngsi-ld" => Some(ReferenceApi::NgsiLd),
            "ogcapi-features" => Some(ReferenceApi::OgcApiFeatures),
            "gbfs" => Some(ReferenceApi::Gbfs),
            _ => None,
        }
    }
}

/// How to run the reference platform.
#[derive(Debug, Clone, Default)]
pub struct ReferenceOptions {
    /// Port of the API on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Serve HTTPS with a generated certificate, and redirect plain HTTP
    /// from a second port.
    pub tls: bool,
    /// Port of the plain-HTTP redirect when `tls`; 0 picks a free one.
    pub plain_port: u16,
    /// Behaviours to break.
    pub faults: Vec<Fault>,
    /// The API it speaks.
    pub api: ReferenceApi,
    /// The time a GBFS feed says it was last updated (so that an audit at
    /// that time finds it fresh); `None`: the time of each request.
    pub clock: Option<chrono::DateTime<chrono::Utc>>,
}

/// The bearer tokens of the platform's principals. Never printed: `Debug`
/// shows nothing of them.
#[derive(Clone)]
pub struct Credentials {
    /// Tenant A.
    pub tenant_a: String,
    /// Tenant B.
    pub tenant_b: String,
    /// The operator, who alone may call the admin operation.
    pub operator: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials([redacted])")
    }
}

/// A running reference platform; dropping it stops the server.
#[derive(Debug)]
pub struct RunningReference {
    /// The API's base URL, `https://127.0.0.1:PORT` or `http://...`.
    pub base_url: String,
    /// The plain-HTTP URL that redirects to HTTPS, when TLS is on.
    pub plain_url: Option<String>,
    /// The generated authority's certificate (PEM), when TLS is on.
    pub ca_pem: Option<String>,
    /// The principals' tokens.
    pub credentials: Credentials,
    /// The faults in force.
    pub faults: Vec<Fault>,
    /// The API it speaks.
    pub api: ReferenceApi,
    /// The listeners' tasks. Dropping the set aborts them, and with each
    /// the connections it serves, so no task outlives the platform on the
    /// caller's runtime.
    servers: JoinSet<()>,
}

/// Entity types served, with the collection path of each.
pub fn endpoints() -> Vec<(String, String)> {
    [
        "AirQualityObserved",
        "EnergyMeterReading",
        "MobilityTrip",
        "ParkingSpot",
        "TrafficFlowObserved",
        "TransitVehiclePosition",
    ]
    .iter()
    .map(|t| (t.to_string(), format!("/ngsi-ld/v1/entities?type={t}")))
    .collect()
}

impl RunningReference {
    /// Starts the platform on the current tokio runtime and returns once it
    /// accepts connections.
    pub async fn start(options: &ReferenceOptions) -> Result<Self> {
        let store = data::Store::new().map_err(Error::Internal)?;
        let credentials = Credentials {
            tenant_a: random_token()?,
            tenant_b: random_token()?,
            operator: random_token()?,
        };
        let generated = if options.tls {
            Some(tls::generate().map_err(Error::Internal)?)
        } else {
            None
        };
        let api = bind(options.port).await?;
        let api_addr = api
            .local_addr()
            .map_err(|e| Error::Internal(format!("listener address: {e}")))?;
        let plain = if options.tls {
            Some(bind(options.plain_port).await?)
        } else {
            None
        };
        let plain_addr = plain.as_ref().and_then(|l| l.local_addr().ok());
        let scheme = if options.tls { "https" } else { "http" };
        let base_url = format!("{scheme}://127.0.0.1:{}", api_addr.port());
        let openapi = openapi::document(&base_url, &store.types());
        let feed = server::Feed {
            clock: options.clock,
            origin: base_url.clone(),
            rotation: random_token()?.chars().take(8).collect(),
        };
        let state = Arc::new(server::State::new(
            store,
            options.faults.clone(),
            [
                &credentials.tenant_a,
                &credentials.tenant_b,
                &credentials.operator,
            ],
            options.tls.then(|| base_url.clone()),
            &openapi,
            options.api,
            feed,
        ));
        let acceptor = generated
            .as_ref()
            .map(|g| tokio_rustls::TlsAcceptor::from(Arc::clone(&g.config)));
        let legacy = options.faults.contains(&Fault::LegacyTls);
        let mut servers = JoinSet::new();
        servers.spawn(serve_api(api, acceptor, legacy, Arc::clone(&state)));
        if let Some(plain) = plain {
            servers.spawn(serve_plain(plain, state));
        }
        Ok(RunningReference {
            base_url,
            plain_url: plain_addr.map(|a| format!("http://127.0.0.1:{}", a.port())),
            ca_pem: generated.map(|g| g.ca_pem),
            credentials,
            faults: options.faults.clone(),
            api: options.api,
            servers,
        })
    }

    /// The OpenAPI 3.1 document of this platform's API, as served at
    /// `/openapi.json`.
    pub fn openapi(&self) -> serde_json::Value {
        let types: Vec<String> = endpoints().into_iter().map(|(t, _)| t).collect();
        openapi::document(&self.base_url, &types)
    }

    /// Writes a target description for this platform into `dir`: the
    /// tokens in `tenant-a.token` and `tenant-b.token` (owner-only, mode
    /// 0600), the authority in `ca.pem`, the API's OpenAPI document in
    /// `openapi.json`, and `target.toml` naming them by relative path.
    /// Returns the path of `target.toml`.
    pub fn write_target(&self, dir: &Path) -> Result<PathBuf> {
        std::fs::create_dir_all(dir).map_err(|e| Error::read(dir, e))?;
        let write = |name: &str, text: &str| -> Result<()> {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|e| Error::Write {
                path: path.display().to_string(),
                source: e,
            })
        };
        write_private(&dir.join("tenant-a.token"), &self.credentials.tenant_a)?;
        write_private(&dir.join("tenant-b.token"), &self.credentials.tenant_b)?;
        let openapi = serde_json::to_string_pretty(&self.openapi())
            .map_err(|e| Error::Internal(format!("the OpenAPI document: {e}")))?;
        write("openapi.json", &openapi)?;
        let mut toml = String::new();
        let _ = writeln!(
            toml,
            "# The embedded reference platform. Tokens are read from the files named\n# here, never written in this file.\nbase_url = \"{}\"",
            self.base_url
        );
        if let Some(plain) = &self.plain_url {
            let _ = writeln!(toml, "plain_http_url = \"{plain}\"");
        }
        if let Some(pem) = &self.ca_pem {
            write("ca.pem", pem)?;
            let _ = writeln!(toml, "ca_cert = \"ca.pem\"");
        }
        match self.api {
            ReferenceApi::Generic => {
                // The platform's own API wraps every record in the envelope.
                toml.push_str("envelope = true\n");
                toml.push_str("\n[entities]\npath = \"/ngsi-ld/v1/entities\"\ntypes = [");
                let types: Vec<String> = endpoints()
                    .into_iter()
                    .map(|(t, _)| format!("\"{t}\""))
                    .collect();
                toml.push_str(&types.join(", "));
                toml.push_str("]\n");
            }
            // A broker's entity types are found from /ngsi-ld/v1/types.
            ReferenceApi::NgsiLd => toml.push_str("api = \"ngsi-ld\"\n"),
            // Open data: collections found from /collections, no credential.
            ReferenceApi::OgcApiFeatures => {
                toml.push_str("api = \"ogcapi-features\"\nauth = \"none\"\n");
                let path = dir.join("target.toml");
                write("target.toml", &toml)?;
                return Ok(path);
            }
            // A feed for any consumer, read from its discovery file.
            ReferenceApi::Gbfs => {
                toml.push_str(
                    "api = \"gbfs\"\nauth = \"none\"\n\n[[endpoint]]\npath = \"/gbfs.json\"\n",
                );
                let path = dir.join("target.toml");
                write("target.toml", &toml)?;
                return Ok(path);
            }
        }
        toml.push_str("\n[auth]\nscheme = \"bearer\"\n");
        for (key, tenant) in [("a", "tenant-a"), ("b", "tenant-b")] {
            let _ = writeln!(
                toml,
                "\n[tenants.{key}]\ntoken_file = \"{tenant}.token\"\nresource = \"/ngsi-ld/v1/entities/{}\"",
                data::entity_id("ParkingSpot", tenant, 1)
            );
            if self.api == ReferenceApi::NgsiLd {
                let _ = writeln!(toml, "tenant = \"{tenant}\"");
            }
        }
        toml.push_str("\n[admin]\nmethod = \"GET\"\npath = \"/admin/tenants\"\n");
        toml.push_str("\n[safety]\nread_only = false\n");
        let path = dir.join("target.toml");
        write("target.toml", &toml)?;
        Ok(path)
    }

    /// Stops the server: its listeners and connections close as the
    /// runtime next runs their tasks, without waiting here, so that this
    /// can be called from inside the runtime or outside it.
    pub fn stop(mut self) {
        self.servers.abort_all();
    }
}

/// Writes `text` to `path` readable by its owner only (mode 0600 on Unix),
/// also when the file was already there with wider permissions.
fn write_private(path: &Path, text: &str) -> Result<()> {
    use std::io::Write as _;
    let fail = |source| Error::Write {
        path: path.display().to_string(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(fail)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(fail)?;
    }
    file.write_all(text.as_bytes()).map_err(fail)
}

/// HTTP/1 as the platform serves it: headers must arrive within
/// [`HEADER_READ_TIMEOUT`].
fn http1() -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    builder
}

/// A listener on 127.0.0.1 at `port` (0: a free one).
async fn bind(port: u16) -> Result<TcpListener> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpListener::bind(addr)
        .await
        .map_err(|e| Error::Usage(format!("cannot listen on 127.0.0.1:{port}: {e}")))
}

/// 32 random bytes as hex, from the TLS library's system random source.
fn random_token() -> Result<String> {
    let provider = tokio_rustls::rustls::crypto::aws_lc_rs::default_provider();
    let mut bytes = [0u8; 32];
    provider
        .secure_random
        .fill(&mut bytes)
        .map_err(|_| Error::Internal("no system random source".to_owned()))?;
    Ok(crate::hex::lower_hex(&bytes))
}

/// Serves the API on `listener` until its task is aborted. Each connection
/// is a task in a set this one owns (finished ones are reaped before each
/// accept), so aborting it closes its connections too.
async fn serve_api(
    listener: TcpListener,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    legacy: bool,
    state: Arc<server::State>,
) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors, say: wait rather than spin.
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            continue;
        };
        let state = Arc::clone(&state);
        let acceptor = acceptor.clone();
        connections.spawn(async move {
            let service = service_fn(move |req| server::handle(Arc::clone(&state), req));
            match acceptor {
                Some(acceptor) => {
                    let mut stream = stream;
                    let handshake = async move {
                        if legacy && answers_legacy(&mut stream).await {
                            return None;
                        }
                        acceptor.accept(stream).await.ok()
                    };
                    if let Ok(Some(tls)) = tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await
                    {
                        let _ = http1().serve_connection(TokioIo::new(tls), service).await;
                    }
                }
                None => {
                    let _ = http1()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                }
            }
        });
    }
}

/// Under the `legacy-tls` fault: answers a TLS 1.1-only ClientHello with
/// a TLS 1.1 ServerHello. True when it did (the connection is then done).
async fn answers_legacy(stream: &mut tokio::net::TcpStream) -> bool {
    let mut head = [0u8; 11];
    let Ok(n) = stream.peek(&mut head).await else {
        return false;
    };
    if !tls::is_legacy_client_hello(&head[..n]) {
        return false;
    }
    let _ = stream.write_all(&tls::legacy_server_hello()).await;
    let _ = stream.shutdown().await;
    true
}

/// Serves the plain-HTTP redirect on `listener`, its connections owned as
/// in [`serve_api`].
async fn serve_plain(listener: TcpListener, state: Arc<server::State>) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors, say: wait rather than spin.
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            continue;
        };
        let state = Arc::clone(&state);
        connections.spawn(async move {
            let service = service_fn(move |req| server::handle_plain(Arc::clone(&state), req));
            let _ = http1()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
