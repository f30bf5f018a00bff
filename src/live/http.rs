//! The HTTP side of a live audit, with its safety limits: a concurrency
//! limit, a per-request timeout, a response size cap (reading stops at the
//! cap; a larger declared length is not read at all), redirects followed
//! only within one origin (so credentials never reach another), a request
//! budget, a rate limit, and read-only mode. Every request on the wire goes
//! through the budget and the rate limit: each redirect hop and the TLS 1.1
//! probe too. A throttled answer (429, or 503 with `Retry-After`) is never
//! taken as the platform's answer to a case: the request is tried again
//! after the wait the platform asks for, within the budget and the
//! deadline. Every failure becomes an [`Answer`] with a reason: nothing
//! here panics or hangs on what a server does.

use std::io::ErrorKind;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{Mutex, Semaphore};
use tokio::time::Instant;

use super::target::{Safety, Secret, Target};
use crate::error::{Error, Result};

/// A request as sent.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// (header, value) carrying a credential, never shown.
    pub credential: Option<(String, String)>,
    /// (content type, body).
    pub body: Option<(String, String)>,
}

/// An answer received.
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub status: u16,
    /// Lower-case names, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The pages that followed this one through `next` links (with the
    /// URL each was read from), when the case reads them.
    pub next_pages: Vec<(String, Exchange)>,
    /// The answer to the case's second request, when it compares two.
    pub compared: Option<Box<Exchange>>,
}

impl Exchange {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What became of a request.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// An HTTP answer.
    Exchange(Exchange),
    /// The connection was refused.
    Refused,
    /// The server's certificate did not validate.
    CertificateRejected(String),
    /// A TLS 1.1-only handshake: whether the server agreed.
    Legacy(bool),
    /// A burst: the statuses seen and the requests sent.
    Burst {
        /// Distinct statuses, in order of first sight.
        statuses: Vec<u16>,
        /// Requests sent (and answered or failed on the wire).
        sent: u64,
        /// Requests the burst was to send.
        planned: u64,
        /// Why the burst ended before a wanted status or its full size,
        /// if it did (budget spent, transport failure).
        stopped: Option<String>,
    },
    /// Not sent, for the reason given, because the requirement does not
    /// apply here or the user chose not to check it (read-only mode).
    Skipped(String),
    /// Not sent because a limit of the audit ran out (the request
    /// budget): the requirement applies but could not be checked.
    Unsent(String),
    /// Sent but no usable answer, for the reason given.
    Failed(String),
}

/// The client every request of an audit goes through.
#[derive(Debug)]
pub(crate) struct Client {
    http: reqwest::Client,
    safety: Safety,
    spent: AtomicU64,
    next_slot: Mutex<Instant>,
    /// No request leaves before this instant: the platform asked for a
    /// pause (`Retry-After`).
    paused_until: Mutex<Instant>,
    in_flight: Semaphore,
    /// The end of the whole audit.
    deadline: Instant,
}

/// Most redirects followed within one origin.
const MAX_REDIRECTS: usize = 5;

/// Most tries of one request the platform keeps throttling.
const THROTTLED_TRIES: u32 = 4;

/// The longest pause taken for one `Retry-After`.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The pause after a 429 that names none, times the tries so far.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

impl Client {
    /// A client for `target`.
    pub(crate) fn new(target: &Target) -> Result<Self> {
        // Redirects are followed here, hop by hop ([`Client::exchange`]), so
        // that each hop is a request of the budget and the rate limit.
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(target.safety.timeout)
            .connect_timeout(target.safety.timeout.min(Duration::from_secs(10)))
            .tls_version_min(reqwest::tls::Version::TLS_1_2)
            .user_agent(concat!("cityconform/", env!("CARGO_PKG_VERSION")));
        if let Some(pem) = &target.ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                Error::Usage(format!(
                    "the CA certificate of `{}` is not PEM: {e}",
                    target.file
                ))
            })?;
            if certs.is_empty() {
                return Err(Error::Usage(format!(
                    "the CA certificate file of `{}` holds no certificate",
                    target.file
                )));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let http = builder
            .build()
            .map_err(|e| Error::Usage(format!("cannot set up the HTTP client: {e}")))?;
        Ok(Client {
            http,
            safety: target.safety.clone(),
            spent: AtomicU64::new(0),
            next_slot: Mutex::new(Instant::now()),
            paused_until: Mutex::new(Instant::now()),
            in_flight: Semaphore::new(target.safety.concurrency.max(1)),
            deadline: deadline_after(target.safety.deadline),
        })
    }

    /// Requests the client sends at once.
    pub(crate) fn concurrency(&self) -> usize {
        self.safety.concurrency.max(1)
    }

    /// The end of the whole audit.
    pub(crate) fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Requests sent so far.
    pub(crate) fn spent(&self) -> u64 {
        self.spent.load(Ordering::Relaxed)
    }

    /// Takes one request from the budget and waits for the end of any
    /// pause the platform asked for and for a rate-limit slot.
    async fn admit(&self) -> std::result::Result<(), String> {
        let budget = self.safety.request_budget;
        let taken = self
            .spent
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |spent| {
                (spent < budget).then_some(spent + 1)
            });
        if taken.is_err() {
            return Err(format!(
                "could not be checked: the request budget ({}) ran out; raise safety.request_budget to check this",
                self.safety.request_budget
            ));
        }
        let paused_until = *self.paused_until.lock().await;
        tokio::time::sleep_until(paused_until).await;
        if self.safety.rate_limit > 0.0 {
            let interval = Duration::try_from_secs_f64(1.0 / self.safety.rate_limit)
                .unwrap_or(Duration::MAX)
                .min(self.safety.deadline);
            let wait_until = {
                let mut next = self.next_slot.lock().await;
                let slot = (*next).max(Instant::now());
                *next = slot.checked_add(interval).unwrap_or(self.deadline);
                slot
            };
            tokio::time::sleep_until(wait_until).await;
        }
        Ok(())
    }

    /// Sends `request` within every limit. A throttled answer (429, or 503
    /// with `Retry-After`) is not the platform's answer to the request: the
    /// client pauses as asked (bounded by [`MAX_RETRY_AFTER`] and the
    /// deadline) and tries again; when it cannot get past the throttling
    /// the request could not be checked ([`Answer::Failed`], with the
    /// reason).
    pub(crate) async fn send(&self, request: &Outgoing) -> Answer {
        let mut tries = 0;
        loop {
            let answer = self.send_once(request).await;
            let Answer::Exchange(x) = &answer else {
                return answer;
            };
            let Some(asked) = throttled(x) else {
                return answer;
            };
            tries += 1;
            let status = x.status;
            if tries >= THROTTLED_TRIES {
                return Answer::Failed(format!(
                    "could not be checked: the platform throttled this request {tries} times ({status}); \
                     its rate limit answered, not the requirement"
                ));
            }
            let wait = asked
                .unwrap_or(DEFAULT_RETRY_AFTER * tries)
                .min(MAX_RETRY_AFTER);
            let until = Instant::now().checked_add(wait).unwrap_or(self.deadline);
            if until >= self.deadline {
                return Answer::Failed(format!(
                    "could not be checked: the platform throttled this request ({status}) and asked \
                     for a pause of {} s, past the audit deadline; raise safety.deadline_s",
                    wait.as_secs()
                ));
            }
            {
                let mut paused = self.paused_until.lock().await;
                *paused = (*paused).max(until);
            }
        }
    }

    /// Sends `request` once within every limit, whatever it is answered
    /// (a burst wants to see the throttling).
    pub(crate) async fn send_once(&self, request: &Outgoing) -> Answer {
        if self.safety.read_only && is_unsafe(&request.method) {
            return Answer::Skipped(format!(
                "read-only mode: {} is not sent (set safety.read_only = false to check this)",
                request.method
            ));
        }
        let Ok(_permit) = self.in_flight.acquire().await else {
            return Answer::Failed("the audit is shutting down".to_owned());
        };
        if let Err(reason) = self.admit().await {
            return Answer::Unsent(reason);
        }
        self.exchange(request).await
    }

    /// Offers a TLS 1.1-only handshake to `host:port`, as a request of the
    /// budget and the rate limit.
    pub(crate) async fn legacy_tls(&self, host: &str, port: u16) -> Answer {
        let Ok(_permit) = self.in_flight.acquire().await else {
            return Answer::Failed("the audit is shutting down".to_owned());
        };
        if let Err(reason) = self.admit().await {
            return Answer::Unsent(reason);
        }
        match legacy_tls_accepted(host, port, self.safety.timeout).await {
            Ok(accepted) => Answer::Legacy(accepted),
            Err(reason) => Answer::Failed(reason),
        }
    }

    /// One request and the redirects it is answered with, followed within
    /// its origin (so a credential never reaches another), each hop taken
    /// from the budget and the rate limit. A redirect elsewhere, or past
    /// [`MAX_REDIRECTS`], is the answer.
    async fn exchange(&self, request: &Outgoing) -> Answer {
        let origin = reqwest::Url::parse(&request.url).map(|u| u.origin());
        let mut current = request.clone();
        let mut hops = 0;
        loop {
            let answer = self.exchange_guarded(&current).await;
            let Answer::Exchange(x) = &answer else {
                return answer;
            };
            if !matches!(x.status, 301 | 302 | 303 | 307 | 308) || hops >= MAX_REDIRECTS {
                return answer;
            }
            let next = x.header("location").and_then(|location| {
                reqwest::Url::parse(&current.url)
                    .ok()?
                    .join(location.trim())
                    .ok()
            });
            let Some(next) = next else {
                return answer;
            };
            if origin.as_ref().ok() != Some(&next.origin()) {
                return answer;
            }
            if x.status == 303 || (matches!(x.status, 301 | 302) && current.method == "POST") {
                current.method = "GET".to_owned();
                current.body = None;
            }
            current.url = next.to_string();
            hops += 1;
            if let Err(reason) = self.admit().await {
                return Answer::Unsent(reason);
            }
        }
    }

    /// One request on the wire under the per-request timeout.
    async fn exchange_guarded(&self, request: &Outgoing) -> Answer {
        let guard = self.safety.timeout + Duration::from_secs(1);
        match tokio::time::timeout(guard, self.exchange_one(request)).await {
            Ok(answer) => answer,
            Err(_) => Answer::Failed(format!(
                "no complete answer within {} ms",
                self.safety.timeout.as_millis()
            )),
        }
    }

    async fn exchange_one(&self, request: &Outgoing) -> Answer {
        let Ok(method) = reqwest::Method::from_bytes(request.method.as_bytes()) else {
            return Answer::Failed(format!("`{}` is not an HTTP method", request.method));
        };
        let mut builder = self.http.request(method, &request.url);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some((name, value)) = &request.credential {
            builder = builder.header(name, value);
        }
        if let Some((content_type, body)) = &request.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, content_type)
                .body(body.clone());
        }
        let mut response = match builder.send().await {
            Ok(response) => response,
            Err(error) => return classify(&error),
        };
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let cap = self.safety.max_body_bytes;
        if let Some(declared) = response.content_length().filter(|&n| n > cap) {
            return Answer::Failed(format!(
                "the answer declares {declared} bytes, over the {cap}-byte cap; it was not read"
            ));
        }
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() as u64 + chunk.len() as u64 > cap {
                        return Answer::Failed(format!(
                            "the answer is over the {cap}-byte cap; reading stopped there"
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(error) => return Answer::Failed(describe(&error, "reading the answer")),
            }
        }
        Answer::Exchange(Exchange {
            status,
            headers,
            body,
            next_pages: Vec::new(),
            compared: None,
        })
    }
}

impl Client {
    /// Exchanges OAuth2 client credentials at `token_url` for an access
    /// token. Sent even in read-only mode: it writes nothing.
    pub(crate) async fn fetch_token(
        &self,
        token_url: &str,
        client_id: &str,
        secret: &Secret,
    ) -> std::result::Result<Secret, String> {
        self.admit().await?;
        let basic = base64(format!("{client_id}:{}", secret.expose()).as_bytes(), false);
        let request = Outgoing {
            method: "POST".to_owned(),
            url: token_url.to_owned(),
            headers: vec![("accept".to_owned(), "application/json".to_owned())],
            credential: Some(("authorization".to_owned(), format!("Basic {basic}"))),
            body: Some((
                "application/x-www-form-urlencoded".to_owned(),
                "grant_type=client_credentials".to_owned(),
            )),
        };
        let answer = self.exchange(&request).await;
        let Answer::Exchange(x) = answer else {
            return Err(format!("the token endpoint gave no answer: {answer:?}"));
        };
        if x.status != 200 {
            return Err(format!("the token endpoint answered {}", x.status));
        }
        serde_json::from_slice::<serde_json::Value>(&x.body)
            .ok()
            .and_then(|v| v.get("access_token")?.as_str().map(Secret::new))
            .filter(|t| !t.expose().is_empty())
            .ok_or_else(|| "the token endpoint's answer has no access_token".to_owned())
    }
}

/// Base64 of `bytes`: URL-safe without padding (JWT), or standard with
/// padding (HTTP Basic).
pub(crate) fn base64(bytes: &[u8], url_safe: bool) -> String {
    let alphabet: &[u8; 64] = if url_safe {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(alphabet[((n >> (18 - 6 * i)) & 63) as usize]));
        }
        if !url_safe {
            for _ in chunk.len()..3 {
                out.push('=');
            }
        }
    }
    out
}

/// `now + deadline`, or as far as time goes.
fn deadline_after(deadline: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(deadline)
        .or_else(|| now.checked_add(Duration::from_secs(86_400 * 365)))
        .unwrap_or(now)
}

/// Whether `x` is the platform's throttling rather than its answer: a 429,
/// or a 503 with `Retry-After`. Inside, the pause it asks for, if it names
/// one.
fn throttled(x: &Exchange) -> Option<Option<Duration>> {
    let retry_after = x.header("retry-after");
    match x.status {
        429 => Some(retry_after.and_then(retry_after_wait)),
        503 if retry_after.is_some() => Some(retry_after.and_then(retry_after_wait)),
        _ => None,
    }
}

/// The wait a `Retry-After` value asks for: seconds, or an HTTP date
/// (a date past is no wait).
fn retry_after_wait(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let seconds = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_milliseconds();
    Some(Duration::from_millis(u64::try_from(seconds).unwrap_or(0)))
}

fn is_unsafe(method: &str) -> bool {
    matches!(method, "POST" | "PUT" | "PATCH" | "DELETE")
}

/// The error's chain of causes, one line, for people to read (never to
/// decide on: see [`classify`]).
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

fn describe(error: &reqwest::Error, doing: &str) -> String {
    if error.is_timeout() {
        format!("timed out {doing}")
    } else {
        format!("{doing} failed: {}", chain(error))
    }
}

/// What a request's failure means, decided on the errors' types and kinds
/// and never on their wording, which the client, TLS and operating-system
/// libraries are free to change: a certificate rustls refused, a refused
/// connection, or any other failure with its reason.
fn classify(error: &reqwest::Error) -> Answer {
    if causes(error).any(rejects_certificate) {
        Answer::CertificateRejected(chain(error))
    } else if causes(error).any(|cause| io_kind(cause) == Some(ErrorKind::ConnectionRefused)) {
        Answer::Refused
    } else {
        Answer::Failed(describe(error, "the request"))
    }
}

/// `error` and every error below it. An [`std::io::Error`] wrapping another
/// error gives that error's own source as its source, skipping the wrapped
/// error itself; the walk steps into it instead, since that is where the
/// TLS layer puts its [`rustls::Error`].
fn causes<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |&current| {
        match current
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::get_ref)
        {
            Some(wrapped) => Some(wrapped as &(dyn std::error::Error + 'static)),
            None => current.source(),
        }
    })
}

/// Whether `error` is rustls refusing the server's certificate: one that
/// does not validate (unknown issuer, expired, wrong name...), or none.
fn rejects_certificate(error: &(dyn std::error::Error + 'static)) -> bool {
    matches!(
        error.downcast_ref::<rustls::Error>(),
        Some(rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented)
    )
}

/// The kind of `error` when it is an operating-system I/O error.
fn io_kind(error: &(dyn std::error::Error + 'static)) -> Option<ErrorKind> {
    error
        .downcast_ref::<std::io::Error>()
        .map(std::io::Error::kind)
}

/// Whether the platform at `base_url` accepts connections: one TCP
/// connection, opened and closed (no request), tried again every quarter
/// second for `wait` if given. The error names the URL and why.
pub(crate) async fn reachable(
    base_url: &str,
    timeout: Duration,
    wait: Option<Duration>,
) -> std::result::Result<(), String> {
    let url = reqwest::Url::parse(base_url)
        .map_err(|e| format!("the base URL {base_url} does not parse: {e}"))?;
    let host = url
        .host_str()
        .unwrap_or("")
        .trim_matches(['[', ']'])
        .to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let started = Instant::now();
    let until = wait.and_then(|w| started.checked_add(w));
    let connect_timeout = timeout.min(Duration::from_secs(10));
    loop {
        let attempt = tokio::time::timeout(
            connect_timeout,
            tokio::net::TcpStream::connect((host.as_str(), port)),
        )
        .await;
        let reason = match attempt {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(e)) if e.kind() == ErrorKind::ConnectionRefused => {
                "the connection was refused".to_owned()
            }
            Ok(Err(e)) => format!("cannot connect: {e}"),
            Err(_) => format!("no connection within {} ms", connect_timeout.as_millis()),
        };
        match until {
            Some(until) if Instant::now() < until => {
                let next = Instant::now() + Duration::from_millis(250);
                tokio::time::sleep_until(next.min(until)).await;
            }
            _ => {
                let waited = match wait {
                    Some(_) => format!(" after waiting {} s", started.elapsed().as_secs()),
                    None => String::new(),
                };
                return Err(format!(
                    "the target {base_url} cannot be reached{waited}: {reason}; no request was sent \
                     (start the platform first, or give `--wait SECONDS`)"
                ));
            }
        }
    }
}

/// Offers a TLS 1.1-only handshake to `host:port` and says whether the
/// server agreed to it (`Ok(true)`), refused it (`Ok(false)`), or could not
/// be asked (`Err`).
pub(crate) async fn legacy_tls_accepted(
    host: &str,
    port: u16,
    timeout: Duration,
) -> std::result::Result<bool, String> {
    let attempt = async {
        let mut stream = tokio::net::TcpStream::connect((host, port))
            .await
            .map_err(|e| format!("cannot connect to {host}:{port}: {e}"))?;
        stream
            .write_all(&legacy_client_hello())
            .await
            .map_err(|e| format!("cannot send the handshake: {e}"))?;
        let mut head = [0u8; 11];
        let mut read = 0;
        while read < head.len() {
            match stream.read(&mut head[read..]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => read += n,
            }
        }
        // A handshake record holding a ServerHello at TLS 1.1 or older.
        Ok(read >= 11 && head[0] == 0x16 && head[5] == 0x02 && head[9] == 3 && head[10] <= 2)
    };
    tokio::time::timeout(timeout, attempt)
        .await
        .unwrap_or_else(|_| Err("no answer to the handshake in time".to_owned()))
}

/// A minimal TLS 1.1 ClientHello with common TLS 1.0/1.1 suites.
fn legacy_client_hello() -> Vec<u8> {
    let mut body = vec![0x03, 0x02];
    body.extend_from_slice(&[0x5a; 32]);
    body.push(0);
    let suites: [u8; 10] = [0xc0, 0x14, 0xc0, 0x13, 0x00, 0x35, 0x00, 0x2f, 0x00, 0x0a];
    body.extend_from_slice(&(suites.len() as u16).to_be_bytes());
    body.extend_from_slice(&suites);
    body.extend_from_slice(&[0x01, 0x00]);
    let mut handshake = vec![0x01];
    handshake.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    handshake.extend_from_slice(&body);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&(handshake.len() as u16).to_be_bytes());
    record.extend_from_slice(&handshake);
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An error that wraps `source`, as the HTTP client's layers do.
    #[derive(Debug)]
    struct Layer(Box<dyn std::error::Error + Send + Sync>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("client error")
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(self.0.as_ref())
        }
    }

    #[test]
    fn a_certificate_rustls_refused_is_found_inside_an_io_error() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let error = Layer(Box::new(std::io::Error::new(ErrorKind::InvalidData, tls)));
        assert!(causes(&error).any(rejects_certificate));
        let other = Layer(Box::new(std::io::Error::new(
            ErrorKind::InvalidData,
            rustls::Error::DecryptError,
        )));
        assert!(!causes(&other).any(rejects_certificate));
    }

    #[test]
    fn retry_after_is_read_as_seconds_or_a_date() {
        assert_eq!(retry_after_wait("10"), Some(Duration::from_secs(10)));
        assert_eq!(retry_after_wait(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            retry_after_wait("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        let later = chrono::Utc::now() + chrono::Duration::seconds(30);
        let wait = retry_after_wait(&later.to_rfc2822()).expect("a date");
        assert!(wait > Duration::from_secs(25) && wait <= Duration::from_secs(30));
        assert_eq!(retry_after_wait("soon"), None);
        assert_eq!(retry_after_wait("-5"), None);
    }

    #[test]
    fn only_429_and_503_with_retry_after_are_throttling() {
        let x = |status, headers: &[(&str, &str)]| Exchange {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: Vec::new(),
            next_pages: Vec::new(),
            compared: None,
        };
        assert_eq!(throttled(&x(429, &[])), Some(None));
        assert_eq!(
            throttled(&x(429, &[("retry-after", "3")])),
            Some(Some(Duration::from_secs(3)))
        );
        assert_eq!(
            throttled(&x(503, &[("retry-after", "2")])),
            Some(Some(Duration::from_secs(2)))
        );
        assert_eq!(throttled(&x(503, &[])), None);
        assert_eq!(throttled(&x(200, &[("retry-after", "2")])), None);
    }

    #[test]
    fn a_deadline_beyond_time_does_not_overflow() {
        let far = deadline_after(Duration::MAX);
        assert!(far >= Instant::now());
    }

    #[test]
    fn a_refused_connection_is_known_by_its_kind_not_its_words() {
        let refused = Layer(Box::new(std::io::Error::new(
            ErrorKind::ConnectionRefused,
            "no words to match",
        )));
        assert!(causes(&refused).any(|c| io_kind(c) == Some(ErrorKind::ConnectionRefused)));
        let worded = Layer(Box::new(std::io::Error::other("connection refused")));
        assert!(!causes(&worded).any(|c| io_kind(c) == Some(ErrorKind::ConnectionRefused)));
    }
}
