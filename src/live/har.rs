//! `audit --record FILE`: every HTTP exchange of the audit written as an
//! HTTP Archive (HAR 1.2), the format browsers' developer tools and proxies
//! read, so that a run can be replayed or inspected request by request.
//! Typed serde structs for the part of HAR 1.2 written (the required
//! members, and the request body and the response text when there are
//! some). Every string passes through the audit's [`Redactor`]: a
//! credential sent or echoed back becomes `[redacted]`. Unless the
//! recording is raw (`--record-raw`), every identifier value in a body, a
//! header or a URL a server wrote then becomes its placeholder, as in the
//! reports ([`hide`](super::hide)), so that the file can be attached to a
//! ticket. The whole file is checked once more before it is written.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::hide;
use super::http::{Answer, Exchange, Outgoing};
use super::redact::Redactor;
use crate::error::{Error, Result};

/// One request the audit sent, and what came of it.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub started: chrono::DateTime<chrono::Utc>,
    pub elapsed: Duration,
    pub request: Outgoing,
    pub answer: Answer,
}

impl Recorded {
    /// Awaits `send` (which sends `request`), timing it, and keeps what
    /// it returned.
    pub(crate) async fn time<F>(request: &Outgoing, send: F) -> (Answer, Recorded)
    where
        F: std::future::Future<Output = Answer>,
    {
        let started = chrono::Utc::now();
        let clock = std::time::Instant::now();
        let answer = send.await;
        let recorded = Recorded {
            started,
            elapsed: clock.elapsed(),
            request: request.clone(),
            answer: answer.clone(),
        };
        (answer, recorded)
    }
}

#[derive(Serialize)]
struct Har {
    log: Log,
}

#[derive(Serialize)]
struct Log {
    version: &'static str,
    creator: Creator,
    entries: Vec<Entry>,
}

#[derive(Serialize)]
struct Creator {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    started_date_time: String,
    time: f64,
    request: Request,
    response: Response,
    cache: Empty,
    timings: Timings,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    method: String,
    url: String,
    http_version: &'static str,
    cookies: Vec<Empty>,
    headers: Vec<Header>,
    query_string: Vec<Header>,
    #[serde(skip_serializing_if = "Option::is_none")]
    post_data: Option<PostData>,
    headers_size: i64,
    body_size: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PostData {
    mime_type: String,
    text: String,
}

#[derive(Serialize)]
struct Header {
    name: String,
    value: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Response {
    status: u16,
    status_text: String,
    http_version: &'static str,
    cookies: Vec<Empty>,
    headers: Vec<Header>,
    content: Content,
    #[serde(rename = "redirectURL")]
    redirect_url: String,
    headers_size: i64,
    body_size: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Content {
    size: i64,
    mime_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    encoding: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Serialize)]
struct Timings {
    send: f64,
    wait: f64,
    receive: f64,
}

/// What every string of the recording goes through: the redactor, then,
/// unless the recording is raw, the identifier placeholders.
struct Scrub<'a> {
    redactor: &'a Redactor,
    hide: bool,
}

impl Scrub<'_> {
    /// Text under `member` (a header or query name, context for the
    /// detectors).
    fn text(&self, member: Option<&str>, text: &str) -> String {
        let redacted = self.redactor.scrub(text);
        if self.hide {
            hide::text(member, &redacted)
        } else {
            redacted
        }
    }

    fn url(&self, url: &str) -> String {
        let redacted = self.redactor.scrub(url);
        if self.hide {
            hide::url(&redacted)
        } else {
            redacted
        }
    }

    fn body(&self, body: &str) -> String {
        let redacted = self.redactor.scrub(body);
        if self.hide {
            hide::body(&redacted)
        } else {
            redacted
        }
    }

    /// A name (of a header, a query parameter).
    fn name(&self, name: &str) -> String {
        self.text(None, name)
    }
}

/// Why a body that is not UTF-8 is left out of a recording that hides
/// identifiers: its bytes cannot be scanned.
const BINARY_LEFT_OUT: &str = "a body that is not UTF-8 text is left out: identifiers in it could not be hidden (--record-raw keeps it, base64-encoded)";

/// Writes `recorded` to `path` as HAR 1.2, every string redacted and,
/// unless `raw`, every identifier value hidden.
pub(crate) fn write(
    path: &Path,
    recorded: &[Recorded],
    redactor: &Redactor,
    raw: bool,
) -> Result<()> {
    let scrub = Scrub {
        redactor,
        hide: !raw,
    };
    let har = Har {
        log: Log {
            version: "1.2",
            creator: Creator {
                name: "cityconform",
                version: env!("CARGO_PKG_VERSION"),
            },
            entries: recorded
                .iter()
                .filter(|r| !matches!(r.answer, Answer::Skipped(_) | Answer::Unsent(_)))
                .map(|r| entry(r, &scrub))
                .collect(),
        },
    };
    let value =
        serde_json::to_value(&har).map_err(|e| Error::Internal(format!("the HAR record: {e}")))?;
    // Every member already went through the redactor (and the
    // placeholders); once more over the whole, so that no path around
    // them can leak.
    let value = redactor.scrub_value(value);
    let value = if raw { value } else { hide::document(value) };
    let text = serde_json::to_string_pretty(&value)
        .map_err(|e| Error::Internal(format!("the HAR record: {e}")))?;
    let write_err = |source| Error::Write {
        path: path.display().to_string(),
        source,
    };
    let partial = path.with_extension("har.partial");
    std::fs::write(&partial, text).map_err(write_err)?;
    std::fs::rename(&partial, path).map_err(write_err)
}

fn entry(recorded: &Recorded, scrub: &Scrub<'_>) -> Entry {
    let request = &recorded.request;
    let mut headers: Vec<Header> = request
        .headers
        .iter()
        .map(|(name, value)| Header {
            name: scrub.name(name),
            value: scrub.text(Some(name), value),
        })
        .collect();
    if let Some((name, value)) = &request.credential {
        headers.push(Header {
            name: scrub.name(name),
            value: scrub.text(Some(name), value),
        });
    }
    let post_data = request.body.as_ref().map(|(mime, text)| PostData {
        mime_type: scrub.text(None, mime),
        text: scrub.body(text),
    });
    if let Some((mime, _)) = &request.body {
        headers.push(Header {
            name: "content-type".to_owned(),
            value: scrub.text(None, mime),
        });
    }
    let query_string = reqwest::Url::parse(&request.url)
        .map(|url| {
            url.query_pairs()
                .map(|(name, value)| Header {
                    name: scrub.name(&name),
                    value: scrub.text(Some(&name), &value),
                })
                .collect()
        })
        .unwrap_or_default();
    let millis = recorded.elapsed.as_secs_f64() * 1000.0;
    let (response, comment) = match &recorded.answer {
        Answer::Exchange(x) => (response(x, scrub), None),
        other => (no_response(), Some(scrub.text(None, &why(other)))),
    };
    Entry {
        started_date_time: recorded
            .started
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        time: millis,
        request: Request {
            method: scrub.text(None, &request.method),
            url: scrub.url(&request.url),
            http_version: "HTTP/1.1",
            cookies: Vec::new(),
            headers,
            query_string,
            body_size: request.body.as_ref().map_or(0, |(_, b)| b.len() as i64),
            post_data,
            headers_size: -1,
        },
        response,
        cache: Empty {},
        timings: Timings {
            send: 0.0,
            wait: millis,
            receive: 0.0,
        },
        comment,
    }
}

fn response(x: &Exchange, scrub: &Scrub<'_>) -> Response {
    let mime = x.header("content-type").unwrap_or("").to_owned();
    let (text, encoding, comment) = match std::str::from_utf8(&x.body) {
        Ok(text) => (Some(scrub.body(text)), None, None),
        Err(_) if scrub.hide => (None, None, Some(BINARY_LEFT_OUT.to_owned())),
        Err(_) => (
            Some(scrub.redactor.scrub(&super::http::base64(&x.body, false))),
            Some("base64"),
            None,
        ),
    };
    Response {
        status: x.status,
        status_text: hyper_reason(x.status),
        http_version: "HTTP/1.1",
        cookies: Vec::new(),
        headers: x
            .headers
            .iter()
            .map(|(name, value)| Header {
                name: scrub.name(name),
                value: scrub.text(Some(name), value),
            })
            .collect(),
        content: Content {
            size: x.body.len() as i64,
            mime_type: scrub.text(None, &mime),
            text,
            encoding,
            comment,
        },
        redirect_url: x
            .header("location")
            .map(|l| scrub.url(l))
            .unwrap_or_default(),
        headers_size: -1,
        body_size: x.body.len() as i64,
    }
}

/// The response of a request that got none (status 0, as browsers
/// record a failed request).
fn no_response() -> Response {
    Response {
        status: 0,
        status_text: String::new(),
        http_version: "",
        cookies: Vec::new(),
        headers: Vec::new(),
        content: Content {
            size: 0,
            mime_type: String::new(),
            text: None,
            encoding: None,
            comment: None,
        },
        redirect_url: String::new(),
        headers_size: -1,
        body_size: -1,
    }
}

fn why(answer: &Answer) -> String {
    match answer {
        Answer::Refused => "the connection was refused".to_owned(),
        Answer::CertificateRejected(reason) => {
            format!("the server's certificate does not validate ({reason})")
        }
        Answer::Failed(reason) | Answer::Skipped(reason) | Answer::Unsent(reason) => reason.clone(),
        Answer::Exchange(_) | Answer::Legacy(_) | Answer::Burst { .. } => String::new(),
    }
}

fn hyper_reason(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
        .to_owned()
}
