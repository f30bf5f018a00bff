//! The live engine: turns the plan's cases into requests for a target,
//! sends them through the safe [`Client`] (concurrently, within the
//! deadline), decides every expectation and every payload check on the
//! answers, and sums the outcomes into the shared [`Report`].
//!
//! Results are gathered by job index, so the report does not depend on
//! the order in which answers arrive.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::cases::{As, Case, Condition, Each, Probe};
use super::discovery;
use super::evaluate::{self, Context};
use super::gbfs;
use super::har::{self, Recorded};
use super::http::{self, Answer, Client, Exchange, Outgoing};
use super::paging;
use super::plan::{Decider, LivePlan};
use super::records;
use super::redact::Redactor;
use super::reproduce;
use super::target::{Access, ApiKind, AuthScheme, Target, Tenant};
use crate::engine::{Locator, Outcome, Progress, Tally};
use crate::error::{Error, Result};
use crate::model::{Command, InputFormat, InputSummary, Location, Report};
use crate::payload::PayloadCheck;
use crate::payload::pipeline;
use crate::schema::SchemaRegistry;

/// How to run an audit.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// The report's timestamp, RFC 3339.
    pub generated_at: String,
    /// The run's waivers, applied while counting.
    pub waivers: Option<std::sync::Arc<crate::waiver::Waivers>>,
    /// How long to wait for the target to accept connections before the
    /// audit starts (a platform started just before, in CI); none: one try.
    pub wait: Option<std::time::Duration>,
    /// Write every HTTP exchange, redacted, to this file as HAR 1.2.
    pub record: Option<PathBuf>,
    /// Keep the recording as sent (`--record-raw`): only credentials
    /// redacted, identifier values kept.
    pub record_raw: bool,
    /// The evaluation time a GBFS feed's `last_updated` and `ttl` are
    /// judged at (`audit --now`); `None`: the report's time, which
    /// `SOURCE_DATE_EPOCH` pins.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
}

/// Why the payload requirements do not apply to a GBFS feed's answers.
const GBFS_FILE: &str = "a GBFS file: its records are judged against the GBFS schemas of its feed (GBFS-SCHEMA-01) and its privacy rules (GBFS-PRIVACY-01, GBFS-PRIVACY-02), not the shared city models";

/// Requests sent by a burst when no profile sets `burst`.
const DEFAULT_BURST: u64 = 100;

/// The response headers shown as evidence.
const EVIDENCE_HEADERS: &[&str] = &[
    "content-type",
    "strict-transport-security",
    "x-content-type-options",
    "cache-control",
    "server",
    "x-powered-by",
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "location",
    "retry-after",
    "www-authenticate",
    "content-encoding",
];

/// One thing to do on the wire.
#[derive(Debug, Clone)]
struct Job {
    case: usize,
    endpoint: Option<usize>,
    /// `METHOD /path`, host-free, for locations.
    label: String,
    /// Who sends the request, for evidence (`tenant a`, `no credential`...).
    principal: Option<&'static str>,
    /// The request (for request, plain-http and burst probes).
    request: Option<Outgoing>,
    /// The second request of a case that compares two answers.
    compare: Option<Outgoing>,
    /// Why the job cannot run against this target, if it cannot.
    unfit: Option<String>,
    /// The `curl` command that sends the same request.
    reproduce: Option<String>,
}

/// Audits `target` under `plan`, on the caller's tokio runtime: the
/// library starts none, so an application that has a runtime audits on it,
/// and the requests run on its worker threads (the timers and sockets need
/// a runtime with time and I/O enabled).
pub async fn audit(
    plan: &LivePlan,
    target: &Target,
    options: &AuditOptions,
    progress: &dyn Progress,
) -> Result<Report> {
    let client = Arc::new(Client::new(target)?);
    let mut secrets = target.secrets();
    if let Err(reason) =
        http::reachable(&target.base_url, target.safety.timeout, options.wait).await
    {
        let redactor = Redactor::new(secrets);
        return Ok(unreachable(plan, target, options, &redactor, &reason));
    }
    let target = &with_access_tokens(target, &client).await?;
    let target = &discovery::discover(target, &client, credential(As::A, target), progress).await;
    secrets.extend(target.secrets());
    let redactor = Redactor::new(secrets);
    let jobs = jobs(plan, target);
    let https = target.base_url.starts_with("https://");
    let locator = LiveLocator(&redactor);
    let mut tally = Tally::new(&plan.plan, &locator)
        .when_unreached("no case decided it against this target")
        .with_waivers(options.waivers.as_deref());
    // Each answer is tallied as soon as every answer before it has been,
    // and then dropped: memory holds the answers in flight, not them all.
    let mut consume = |index: usize, answer: Answer| {
        if let Some(job) = jobs.get(index) {
            tally_answer(plan, target, job, &answer, &redactor, https, &mut tally);
        }
    };
    progress.start(jobs.len() as u64);
    let recording = options.record.is_some();
    let now = options
        .now
        .unwrap_or_else(|| evaluation_time(&options.generated_at));
    let first_burst = first_burst(plan, &jobs);
    let mut running = Running::new(jobs.len(), recording);
    let ran = running
        .run(plan, &jobs, 0..first_burst, &client, progress, &mut consume)
        .await;
    // A GBFS feed's files are read after the cases but before the bursts:
    // a burst sets off the platform's rate limiter, whose window would
    // otherwise hold every file back (the limiter is still what the burst
    // judges, and the files are judged as before).
    let mut feed_log = Log {
        on: recording,
        entries: Vec::new(),
    };
    let files = match ran {
        Ok(()) => {
            let credential = credential(As::A, target);
            gbfs::audit(plan, target, &client, credential, now, &mut feed_log).await
        }
        Err(_) => Vec::new(),
    };
    let ran = match ran {
        Ok(()) => {
            running
                .run(
                    plan,
                    &jobs,
                    first_burst..jobs.len(),
                    &client,
                    progress,
                    &mut consume,
                )
                .await
        }
        Err(error) => Err(error),
    };
    progress.finish();
    ran?;
    // Every exchange in the order it was sent: the cases', the feed's
    // reads, the bursts'.
    let mut recorded = running.recorded();
    recorded.extend(feed_log.entries);
    recorded.sort_by_key(|r| r.started);
    for file in files {
        let location = Location {
            file: file.location.file.map(|f| redactor.scrub(&f)),
            ..file.location
        };
        let evidence = redactor.scrub_value(file.evidence);
        tally.subject(&location, file.outcomes, Some(&evidence), false);
    }
    if let Some(path) = &options.record {
        har::write(path, &recorded, &redactor, options.record_raw)?;
    }
    let inputs = vec![InputSummary {
        path: target.base_url.clone(),
        format: InputFormat::Http,
        records: client.spent(),
    }];
    Ok(tally.into_report(Command::Audit, options.generated_at.clone(), inputs))
}

/// The report's time as the evaluation time, or the clock when it cannot
/// be read.
fn evaluation_time(generated_at: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(generated_at)
        .map_or_else(|_| chrono::Utc::now(), |t| t.with_timezone(&chrono::Utc))
}

/// Tallies one job's answer: the cases' expectations on it, and the
/// payload checks on the records of a data answer.
fn tally_answer(
    plan: &LivePlan,
    target: &Target,
    job: &Job,
    answer: &Answer,
    redactor: &Redactor,
    https: bool,
    tally: &mut Tally<'_, Decider>,
) {
    let case = &plan.cases[job.case];
    let endpoint = job.endpoint.map(|i| &target.endpoints[i]);
    let context = Context {
        declared: &plan.declared,
        endpoint_type: endpoint.and_then(|e| e.entity_type.as_deref()),
        https,
        open: target.is_open(),
        schemas: endpoint
            .and_then(|e| plan.endpoint_schemas.get(&e.path))
            .unwrap_or(&plan.schemas),
        gbfs: target.api == ApiKind::Gbfs,
        representation: endpoint
            .and_then(|e| target.representations.get(&e.path))
            .copied()
            .unwrap_or_default(),
    };
    let location = Location {
        file: Some(redactor.scrub(&job.label)),
        ..Location::default()
    };
    let evidence = redactor.scrub_value(evidence(job, answer));
    let mut outcomes = Vec::new();
    for (index, instance) in plan.plan.instances.iter().enumerate() {
        if !matches!(instance.check, Decider::Cases) {
            continue;
        }
        let expect: Vec<_> = case
            .expect
            .iter()
            .filter(|e| e.requirement == instance.requirement)
            .collect();
        if expect.is_empty() {
            continue;
        }
        let outcome = evaluate::decide(&expect, answer, &instance.params, &context);
        outcomes.push((index, outcome));
    }
    tally.subject(&location, outcomes, Some(&evidence), false);
    if case.records && context.gbfs {
        let outcome = Outcome::NotApplicable(GBFS_FILE.to_owned());
        payload_outcome(plan, &location, &outcome, &evidence, target.envelope, tally);
    } else if case.records {
        match answer {
            Answer::Exchange(x) => {
                check_records(
                    plan,
                    x,
                    &context,
                    &location,
                    &evidence,
                    target.envelope,
                    tally,
                );
                for (url, page) in &x.next_pages {
                    let (location, evidence) = page_subject(target, url, &evidence, redactor);
                    check_records(
                        plan,
                        page,
                        &context,
                        &location,
                        &evidence,
                        target.envelope,
                        tally,
                    );
                }
            }
            Answer::Skipped(reason) => {
                let outcome = Outcome::NotApplicable(reason.clone());
                payload_outcome(plan, &location, &outcome, &evidence, target.envelope, tally);
            }
            other => {
                let reason = format!("no records could be read: {}", failure_reason(other));
                let outcome = Outcome::Error(reason);
                payload_outcome(plan, &location, &outcome, &evidence, target.envelope, tally);
            }
        }
    }
}

/// Where a following page's records are placed (`GET /path?offset=10`)
/// and its evidence: the job's, with the page's request line.
fn page_subject(
    target: &Target,
    url: &str,
    evidence: &Value,
    redactor: &Redactor,
) -> (Location, Value) {
    let path = url.strip_prefix(&target.base_url).unwrap_or(url);
    let location = Location {
        file: Some(redactor.scrub(&format!("GET {path}"))),
        ..Location::default()
    };
    let mut evidence = evidence.clone();
    if let Some(map) = evidence.as_object_mut() {
        map.insert(
            "request".to_owned(),
            json!(redactor.scrub(&format!("GET {url}"))),
        );
        map.remove("reproduce");
    }
    (location, evidence)
}

/// The report of a target that accepts no connection: every requirement
/// the plan selects could not be checked, for the one reason, at the base
/// URL; no request was sent.
fn unreachable(
    plan: &LivePlan,
    target: &Target,
    options: &AuditOptions,
    redactor: &Redactor,
    reason: &str,
) -> Report {
    let locator = LiveLocator(redactor);
    let mut tally = Tally::new(&plan.plan, &locator);
    let location = Location {
        file: Some(redactor.scrub(&target.base_url)),
        ..Location::default()
    };
    let reason = format!("could not be checked: {reason}");
    let evidence = json!({ "error": &reason });
    let outcomes = (0..plan.plan.instances.len()).map(|i| (i, Outcome::Error(reason.clone())));
    tally.subject(&location, outcomes, Some(&evidence), false);
    let inputs = vec![InputSummary {
        path: target.base_url.clone(),
        format: InputFormat::Http,
        records: 0,
    }];
    tally.into_report(Command::Audit, options.generated_at.clone(), inputs)
}

/// Under OAuth2 client credentials, the target with each tenant's secret
/// exchanged for its access token (sent as a bearer token); otherwise the
/// target as it is. A tenant without a token stops the audit (exit 2):
/// no verdict would mean anything.
async fn with_access_tokens(target: &Target, client: &Client) -> Result<Target> {
    let Some(AuthScheme::OAuth2 { token_url }) = target.scheme() else {
        return Ok(target.clone());
    };
    let mut resolved = target.clone();
    let Access::Tenants { scheme, a, b } = &mut resolved.access else {
        return Ok(target.clone());
    };
    *scheme = AuthScheme::Bearer;
    for (key, tenant) in [("a", a), ("b", b)] {
        let client_id = tenant.client_id.clone().unwrap_or_default();
        tenant.token = client
            .fetch_token(token_url, &client_id, &tenant.token)
            .await
            .map_err(|reason| {
                Error::Usage(format!(
                    "{}: cannot obtain tenant {key}'s access token from {token_url}: {reason}",
                    target.file
                ))
            })?;
    }
    Ok(resolved)
}

/// Every job of every case, in case order; bursts last, so that their rate
/// limiting does not disturb the other cases.
fn jobs(plan: &LivePlan, target: &Target) -> Vec<Job> {
    let mut jobs = Vec::new();
    let mut bursts = Vec::new();
    for (index, case) in plan.cases.iter().enumerate() {
        if !plan_decides(plan, case) {
            continue;
        }
        let other_api = case
            .api
            .as_deref()
            .is_some_and(|api| api != target.api.as_str());
        let endpoints: Vec<Option<usize>> = match case.each {
            // A case for another kind of API is one job that does not
            // apply, however many endpoints the target has.
            _ if other_api => vec![None],
            Each::Endpoint => (0..target.endpoints.len()).map(Some).collect(),
            Each::Once => vec![(!target.endpoints.is_empty()).then_some(0)],
        };
        for endpoint in endpoints {
            let mut job = job(index, case, endpoint, target);
            job.reproduce = job.request.as_ref().map(|request| {
                let credential = reproduce::credential(
                    case.request.principal,
                    target,
                    request.credential.as_ref(),
                );
                reproduce::curl(
                    request,
                    credential.as_ref(),
                    case.probe,
                    burst_size(plan, case),
                    target.ca_pem.is_some(),
                )
            });
            if case.probe == Probe::Burst {
                bursts.push(job);
            } else {
                jobs.push(job);
            }
        }
    }
    jobs.extend(bursts);
    jobs
}

/// Whether any selected requirement reads this case.
fn plan_decides(plan: &LivePlan, case: &Case) -> bool {
    case.expect.iter().any(|e| {
        plan.plan
            .instances
            .iter()
            .any(|i| i.requirement == e.requirement && matches!(i.check, Decider::Cases))
    }) || (case.records && payload_instances(plan).next().is_some())
}

fn job(case_index: usize, case: &Case, endpoint: Option<usize>, target: &Target) -> Job {
    let spec = &case.request;
    let mut unfit = None;
    let mut method = spec.method.clone().unwrap_or_else(|| "GET".to_owned());
    let mut path = spec.path.clone();
    if path.contains("{endpoint}") {
        match endpoint.map(|i| &target.endpoints[i]) {
            Some(e) => path = path.replace("{endpoint}", &e.path),
            None => unfit = Some("the target names no endpoint".to_owned()),
        }
    }
    if let Access::Tenants { a, b, .. } = &target.access {
        path = path
            .replace("{resource_a}", &a.resource)
            .replace("{resource_b}", &b.resource);
    } else if let Some(tenancy) = &target.tenancy {
        path = path
            .replace("{resource_a}", &tenancy.a.1)
            .replace("{resource_b}", &tenancy.b.1);
    }
    if path.contains("{admin}") {
        match &target.admin {
            Some((admin_method, admin_path)) => {
                path = path.replace("{admin}", admin_path);
                if spec.method.is_none() {
                    method.clone_from(admin_method);
                }
            }
            None => unfit = Some("the target names no admin operation".to_owned()),
        }
    }
    if let Some(reason) = open_unfit(spec, target) {
        unfit = Some(reason);
    }
    if let Some(reason) = tenancy_unfit(spec, target) {
        unfit = Some(reason);
    }
    if let Some(api) = case.api.as_deref()
        && api != target.api.as_str()
    {
        unfit = Some(format!(
            "the target is not an {api} API (it is audited as {})",
            target.api.as_str()
        ));
    }
    let compare_path = case
        .compare
        .as_ref()
        .map(|c| with_query(&path, Some(&c.query)));
    let path = with_query(&path, spec.query.as_deref());
    let principal = match case.probe {
        Probe::Request | Probe::Burst if target.is_open() => Some(principal_name(As::None)),
        Probe::Request | Probe::Burst => Some(principal_name(spec.principal)),
        Probe::PlainHttp | Probe::Tls | Probe::LegacyTls => None,
    };
    let (base, label, credential) = match case.probe {
        Probe::PlainHttp => (
            target.plain_http_url.as_str(),
            format!("{method} {path} (plain HTTP)"),
            None,
        ),
        Probe::Tls => (target.base_url.as_str(), "TLS handshake".to_owned(), None),
        Probe::LegacyTls => (
            target.base_url.as_str(),
            "TLS 1.1 handshake".to_owned(),
            None,
        ),
        Probe::Request | Probe::Burst => (
            target.base_url.as_str(),
            format!("{method} {path}"),
            credential(spec.principal, target),
        ),
    };
    let request_path = if case.probe == Probe::Tls {
        "/"
    } else {
        path.as_str()
    };
    let mut headers = request_headers(spec, target);
    headers.sort();
    let body = spec.body.clone().map(|b| {
        (
            spec.content_type
                .clone()
                .unwrap_or_else(|| "application/json".to_owned()),
            b,
        )
    });
    let request = Outgoing {
        method,
        url: format!("{base}{request_path}"),
        headers,
        credential,
        body,
    };
    Job {
        case: case_index,
        endpoint,
        label,
        principal,
        compare: compare_path.map(|p| Outgoing {
            url: format!("{base}{p}"),
            ..request.clone()
        }),
        request: Some(request),
        unfit,
        reproduce: None,
    }
}

/// `path` with `query` appended after `?` or `&`.
fn with_query(path: &str, query: Option<&str>) -> String {
    match query {
        Some(query) => {
            let separator = if path.contains('?') { '&' } else { '?' };
            format!("{path}{separator}{query}")
        }
        None => path.to_owned(),
    }
}

/// The case's headers with the tenants' names in place of `{tenant_a}`
/// and `{tenant_b}`, and, on an API that chooses tenants by header, the
/// header of the tenant the request acts for unless the case names one:
/// tenant B for B's credential, tenant A for every other (a forged token
/// claims tenant A).
fn request_headers(spec: &super::cases::RequestSpec, target: &Target) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = spec
        .headers
        .iter()
        .map(|(k, v)| {
            let v = match &target.tenancy {
                Some(t) => v
                    .replace("{tenant_a}", &t.a.0)
                    .replace("{tenant_b}", &t.b.0),
                None => v.clone(),
            };
            (k.clone(), v)
        })
        .collect();
    if let Some(tenancy) = &target.tenancy
        && !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(&tenancy.header))
    {
        let name = match spec.principal {
            As::B => &tenancy.b.0,
            _ => &tenancy.a.0,
        };
        headers.push((tenancy.header.clone(), name.clone()));
    }
    headers
}

/// Why a case that names tenants by header cannot run: the target names
/// none, or (on a public API) a case sends one tenant's credential with
/// the other tenant's header, and a public API has no credential to tie
/// a caller to a tenant.
fn tenancy_unfit(spec: &super::cases::RequestSpec, target: &Target) -> Option<String> {
    let names_tenant = |which: &str| spec.headers.values().any(|v| v.contains(which));
    if !names_tenant("{tenant_a}") && !names_tenant("{tenant_b}") {
        return None;
    }
    if target.tenancy.is_none() {
        return Some(
            "the target names no tenants by header (`tenant` in [tenants.a] and [tenants.b])"
                .to_owned(),
        );
    }
    let crossed = match spec.principal {
        As::B => names_tenant("{tenant_a}"),
        _ => names_tenant("{tenant_b}"),
    };
    (crossed && target.is_open()).then(|| {
        "the target declares no authentication (auth = \"none\": a public API), so no credential ties a caller to a tenant; isolation by header alone is decided by the other-tenant cases"
            .to_owned()
    })
}

/// Why a case cannot run against an open API (`auth = "none"`): it needs
/// the tenants' resources or a credential to forge, which a public API
/// does not have. A case sent as a tenant runs as the public, with no
/// credential.
fn open_unfit(spec: &super::cases::RequestSpec, target: &Target) -> Option<String> {
    if !target.is_open() {
        return None;
    }
    if spec.path.contains("{admin}") {
        return Some(
            "the target declares no authentication (auth = \"none\": a public API), so there is no administrative operation to refuse to a tenant"
                .to_owned(),
        );
    }
    let resources = spec.path.contains("{resource_a}") || spec.path.contains("{resource_b}");
    if resources && target.tenancy.is_none() {
        return Some(
            "the target declares no tenants (auth = \"none\": a public API), so there is no tenant's object to read"
                .to_owned(),
        );
    }
    match spec.principal {
        As::Invalid | As::Expired | As::AlgNone => Some(
            "the target declares no authentication (auth = \"none\": a public API), so there is no credential to forge"
                .to_owned(),
        ),
        // A public broker's tenants are named by header, not guarded by a
        // credential: a request without one is every request.
        As::None if resources => Some(
            "the target declares no authentication (auth = \"none\": a public API), so no credential is asked for a tenant's object"
                .to_owned(),
        ),
        As::None | As::A | As::B => None,
    }
}

/// Who a request is sent as, in evidence.
fn principal_name(principal: As) -> &'static str {
    match principal {
        As::None => "no credential",
        As::A => "tenant a",
        As::B => "tenant b",
        As::Invalid => "a token nobody issued",
        As::Expired => "an expired token claiming tenant a",
        As::AlgNone => "an unsigned (alg none) token claiming tenant a",
    }
}

/// The credential header for `principal`, as the target's scheme sends it.
fn credential(principal: As, target: &Target) -> Option<(String, String)> {
    let Access::Tenants { scheme, a, b } = &target.access else {
        return None;
    };
    let token = |tenant: &Tenant| tenant.token.expose().to_owned();
    let token = match principal {
        As::None => return None,
        As::A => token(a),
        As::B => token(b),
        As::Invalid => "cityconform-never-issued-0000000000000000".to_owned(),
        As::Expired => forged_jwt("HS256", 946_684_800, "c2lnbmF0dXJlLW5vdC12YWxpZA"),
        As::AlgNone => forged_jwt("none", 4_102_444_800, ""),
    };
    Some(match scheme {
        AuthScheme::Bearer | AuthScheme::OAuth2 { .. } => {
            ("authorization".to_owned(), format!("Bearer {token}"))
        }
        AuthScheme::ApiKey(header) => (header.clone(), token),
    })
}

/// A JWT claiming tenant A that no honest server accepts: expired, or
/// unsigned.
fn forged_jwt(alg: &str, exp: u64, signature: &str) -> String {
    let header = base64url(format!(r#"{{"alg":"{alg}","typ":"JWT"}}"#).as_bytes());
    let claims = base64url(format!(r#"{{"sub":"tenant-a","exp":{exp}}}"#).as_bytes());
    format!("{header}.{claims}.{signature}")
}

fn base64url(bytes: &[u8]) -> String {
    http::base64(bytes, true)
}

/// Where the bursts start in `jobs` (they come last): the jobs before
/// run first, then a GBFS feed's files are read, then the bursts.
fn first_burst(plan: &LivePlan, jobs: &[Job]) -> usize {
    jobs.iter()
        .position(|j| plan.cases[j.case].probe == Probe::Burst)
        .unwrap_or(jobs.len())
}

/// The jobs run so far: the answers handed on in job order, and the
/// exchanges each recorded.
struct Running {
    order: InOrder,
    recorded: Vec<Vec<Recorded>>,
    /// Whether the jobs keep their exchanges (`audit --record`).
    recording: bool,
}

impl Running {
    fn new(jobs: usize, recording: bool) -> Self {
        Running {
            order: InOrder {
                next: 0,
                pending: BTreeMap::new(),
            },
            recorded: vec![Vec::new(); jobs],
            recording,
        }
    }

    /// Runs the jobs of `range`, each answer handed to `consume` in job
    /// order; every job of the range has answered when it returns.
    async fn run(
        &mut self,
        plan: &LivePlan,
        jobs: &[Job],
        range: std::ops::Range<usize>,
        client: &Arc<Client>,
        progress: &dyn Progress,
        consume: &mut (dyn FnMut(usize, Answer) + Send),
    ) -> Result<()> {
        let window = client.concurrency();
        let recording = self.recording;
        let mut set = JoinSet::new();
        let mut next = range.start;
        loop {
            // A job starts only within `window` of the first answer not yet
            // consumed: an answer waiting for its turn holds its body, so
            // waiting answers and requests in flight share one bound, and
            // memory stays within concurrency x body cap whatever order
            // the answers arrive in.
            while next < range.end && next < self.order.next + window {
                set.spawn(job_task(plan, &jobs[next], next, client, recording));
                next += 1;
            }
            // Every job of the range answers (or the audit stops with an
            // internal error), so nothing is left waiting when it ends.
            if !collect_one(
                &mut set,
                &mut self.order,
                &mut self.recorded,
                progress,
                consume,
            )
            .await?
            {
                return Ok(());
            }
        }
    }

    /// Every exchange recorded, in job order.
    fn recorded(self) -> Vec<Recorded> {
        self.recorded.into_iter().flatten().collect()
    }
}

/// Job `index` as a task: its answer, bounded by the audit deadline, and
/// the exchanges it recorded.
fn job_task(
    plan: &LivePlan,
    job: &Job,
    index: usize,
    client: &Arc<Client>,
    recording: bool,
) -> impl std::future::Future<Output = (usize, Answer, Vec<Recorded>)> + Send + 'static {
    let job = job.clone();
    let case = plan.cases[job.case].clone();
    let burst = burst_size(plan, &case);
    let client = Arc::clone(client);
    async move {
        let mut log = Log {
            on: recording,
            entries: Vec::new(),
        };
        let work = run_job(&job, &case, burst, &client, &mut log);
        let answer = match tokio::time::timeout_at(client.deadline(), work).await {
            Ok(answer) => answer,
            Err(_) => Answer::Failed(
                "the audit deadline passed before this was answered; raise safety.deadline_s"
                    .to_owned(),
            ),
        };
        (index, answer, log.entries)
    }
}

/// Answers handed on in job order, whatever order they arrive in: the
/// report does not depend on arrival, and an answer is dropped as soon as
/// every one before it has been consumed.
struct InOrder {
    /// The job whose answer is consumed next.
    next: usize,
    pending: BTreeMap<usize, Answer>,
}

impl InOrder {
    /// Keeps `answer` of job `index` and hands on every answer now in order.
    fn release(
        &mut self,
        index: usize,
        answer: Answer,
        consume: &mut (dyn FnMut(usize, Answer) + Send),
    ) {
        self.pending.insert(index, answer);
        while let Some(answer) = self.pending.remove(&self.next) {
            consume(self.next, answer);
            self.next += 1;
        }
    }
}

/// Gathers the next answer (and its recorded exchanges) of `set`; `false`
/// when the set is empty. A job that panicked is a fault of the tool, never
/// a verdict: the audit stops with an internal error (exit 3).
async fn collect_one(
    set: &mut JoinSet<(usize, Answer, Vec<Recorded>)>,
    order: &mut InOrder,
    recorded: &mut [Vec<Recorded>],
    progress: &dyn Progress,
    consume: &mut (dyn FnMut(usize, Answer) + Send),
) -> Result<bool> {
    let Some(joined) = set.join_next().await else {
        return Ok(false);
    };
    match joined {
        Ok((index, answer, log)) => {
            order.release(index, answer, consume);
            if let Some(slot) = recorded.get_mut(index) {
                *slot = log;
            }
        }
        Err(error) => {
            set.abort_all();
            let what = if error.is_panic() {
                "panicked"
            } else {
                "was cancelled"
            };
            return Err(Error::Internal(format!(
                "a check of the live audit {what}; this is a fault of cityconform, not of the target"
            )));
        }
    }
    progress.advance(1);
    Ok(true)
}

/// The exchanges of one job (or of the GBFS feed's reads), kept only when
/// the audit records them: an answer's body is held no longer than its
/// tally needs it otherwise.
pub(super) struct Log {
    pub(super) on: bool,
    pub(super) entries: Vec<Recorded>,
}

/// Sends `request` through `client` (waiting out throttling), keeping the
/// exchange in `log` when it records.
pub(super) async fn send(client: &Client, request: &Outgoing, log: &mut Log) -> Answer {
    if !log.on {
        return client.send(request).await;
    }
    let (answer, recorded) = Recorded::time(request, client.send(request)).await;
    log.entries.push(recorded);
    answer
}

async fn send_once(client: &Client, request: &Outgoing, log: &mut Log) -> Answer {
    if !log.on {
        return client.send_once(request).await;
    }
    let (answer, recorded) = Recorded::time(request, client.send_once(request)).await;
    log.entries.push(recorded);
    answer
}

/// The largest `burst` any selected profile asks of the case's requirements.
fn burst_size(plan: &LivePlan, case: &Case) -> u64 {
    plan.plan
        .instances
        .iter()
        .filter(|i| case.expect.iter().any(|e| e.requirement == i.requirement))
        .filter_map(|i| i.params.get("burst").and_then(Value::as_u64))
        .max()
        .unwrap_or(DEFAULT_BURST)
}

async fn run_job(job: &Job, case: &Case, burst: u64, client: &Client, log: &mut Log) -> Answer {
    if let Some(reason) = &job.unfit {
        return Answer::Skipped(reason.clone());
    }
    let Some(request) = &job.request else {
        return Answer::Skipped("nothing to send".to_owned());
    };
    match case.probe {
        Probe::Request if case.records && case.follow_next => {
            read_pages(client, request, log).await
        }
        Probe::Request if job.compare.is_some() => {
            let answer = send(client, request, log).await;
            let Answer::Exchange(mut x) = answer else {
                return answer;
            };
            if let Some(second) = &job.compare
                && let Answer::Exchange(other) = send(client, second, log).await
            {
                x.compared = Some(Box::new(other));
            }
            Answer::Exchange(x)
        }
        Probe::Request | Probe::PlainHttp => send(client, request, log).await,
        Probe::Tls => {
            if !request.url.starts_with("https://") {
                return Answer::Skipped("the base URL is not HTTPS".to_owned());
            }
            match send(client, request, log).await {
                Answer::Exchange(x) => Answer::Exchange(x),
                other => other,
            }
        }
        Probe::LegacyTls => {
            let Ok(url) = reqwest::Url::parse(&request.url) else {
                return Answer::Failed("the base URL does not parse".to_owned());
            };
            if url.scheme() != "https" {
                return Answer::Skipped("the base URL is not HTTPS".to_owned());
            }
            let host = url
                .host_str()
                .unwrap_or("")
                .trim_matches(['[', ']'])
                .to_owned();
            let port = url.port_or_known_default().unwrap_or(443);
            client.legacy_tls(&host, port).await
        }
        Probe::Burst => run_burst(request, case, burst, client, log).await,
    }
}

/// Sends `request` and, while its answers are 2xx and name a `next` page
/// on the same origin not read yet, reads the following pages, up to
/// [`paging::MAX_PAGES`] in all and within the request budget: each
/// request is sent like any other, so the budget, rate limit and
/// deadline hold. The first answer carries the pages that followed.
async fn read_pages(client: &Client, request: &Outgoing, log: &mut Log) -> Answer {
    let answer = send(client, request, log).await;
    let Answer::Exchange(mut first) = answer else {
        return answer;
    };
    let mut seen = vec![request.url.clone()];
    let mut pages = Vec::new();
    let mut next = next_of(&first, &request.url);
    while let Some(url) = next.take() {
        if seen.len() >= paging::MAX_PAGES || seen.contains(&url) {
            break;
        }
        let outgoing = Outgoing {
            url: url.clone(),
            ..request.clone()
        };
        // The budget or the server may stop the paging: the pages read
        // are checked, the rest were never served.
        let Answer::Exchange(x) = send(client, &outgoing, log).await else {
            break;
        };
        seen.push(url.clone());
        next = next_of(&x, &url);
        pages.push((url, x));
    }
    first.next_pages = pages;
    Answer::Exchange(first)
}

/// The next page of a 2xx answer read from `url`, if it names one that
/// may be followed.
fn next_of(x: &Exchange, url: &str) -> Option<String> {
    if !(200..300).contains(&x.status) {
        return None;
    }
    paging::next_page(x, url).ok().flatten()
}

async fn run_burst(
    request: &Outgoing,
    case: &Case,
    burst: u64,
    client: &Client,
    log: &mut Log,
) -> Answer {
    let wanted: Vec<u16> = case
        .expect
        .iter()
        .flat_map(|e| &e.conditions)
        .filter_map(|c| match c {
            Condition::StatusSeen(s) => Some(s.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let mut statuses = Vec::new();
    let mut sent = 0;
    let mut stopped = None;
    while sent < burst {
        // Each request once: the throttling is what the burst looks for.
        let answer = send_once(client, request, log).await;
        if sent == 0 && !matches!(answer, Answer::Exchange(_)) {
            // Nothing reached the platform's answer: the failure itself.
            return answer;
        }
        match answer {
            Answer::Exchange(x) => {
                sent += 1;
                if !statuses.contains(&x.status) {
                    statuses.push(x.status);
                }
                if wanted.contains(&x.status) {
                    break;
                }
            }
            Answer::Unsent(reason) | Answer::Skipped(reason) => {
                stopped = Some(reason);
                break;
            }
            Answer::Refused => {
                sent += 1;
                stopped = Some("the connection was refused".to_owned());
                break;
            }
            Answer::CertificateRejected(reason) | Answer::Failed(reason) => {
                sent += 1;
                stopped = Some(reason);
                break;
            }
            Answer::Legacy(_) | Answer::Burst { .. } => {
                stopped = Some("the burst got an answer that is no HTTP exchange".to_owned());
                break;
            }
        }
    }
    Answer::Burst {
        statuses,
        sent,
        planned: burst,
        stopped,
    }
}

/// Evidence of one job: the request line, whose credentials (never the
/// credential), and the answer's status and relevant headers.
fn evidence(job: &Job, answer: &Answer) -> Value {
    let mut evidence = json!({});
    if let Some(request) = &job.request {
        evidence["request"] = json!(format!("{} {}", request.method, request.url));
        if let Some((header, _)) = &request.credential {
            evidence["credential"] = json!(format!("{header}: [redacted]"));
        }
    }
    if let Some(principal) = job.principal {
        evidence["principal"] = json!(principal);
    }
    if let Some(command) = &job.reproduce {
        evidence["reproduce"] = json!(command);
    }
    match answer {
        Answer::Exchange(x) => {
            evidence["status"] = json!(x.status);
            let headers: serde_json::Map<String, Value> = x
                .headers
                .iter()
                .filter(|(name, _)| EVIDENCE_HEADERS.contains(&name.as_str()))
                .map(|(name, value)| (name.clone(), json!(value)))
                .collect();
            evidence["headers"] = Value::Object(headers);
            evidence["body_bytes"] = json!(x.body.len());
        }
        Answer::Burst {
            statuses,
            sent,
            planned,
            stopped,
        } => {
            evidence["sent"] = json!(sent);
            evidence["planned"] = json!(planned);
            evidence["statuses"] = json!(statuses);
            if let Some(reason) = stopped {
                evidence["stopped"] = json!(reason);
            }
        }
        Answer::Legacy(accepted) => evidence["legacy_tls_accepted"] = json!(accepted),
        Answer::Refused => evidence["error"] = json!("connection refused"),
        Answer::CertificateRejected(reason) | Answer::Failed(reason) => {
            evidence["error"] = json!(reason);
        }
        Answer::Skipped(reason) => evidence["skipped"] = json!(reason),
        Answer::Unsent(reason) => evidence["unsent"] = json!(reason),
    }
    evidence
}

/// Why an answer holds no HTTP exchange.
pub(super) fn failure_reason(answer: &Answer) -> String {
    match answer {
        Answer::Refused => "the connection was refused".to_owned(),
        Answer::CertificateRejected(reason) => {
            format!("the server's certificate does not validate ({reason})")
        }
        Answer::Failed(reason) | Answer::Skipped(reason) | Answer::Unsent(reason) => reason.clone(),
        Answer::Exchange(_) | Answer::Legacy(_) | Answer::Burst { .. } => {
            "the probe holds no records".to_owned()
        }
    }
}

/// The same outcome for every payload requirement: the data answer that
/// should have carried the records did not come.
fn payload_outcome(
    plan: &LivePlan,
    location: &Location,
    outcome: &Outcome,
    evidence: &Value,
    envelope: bool,
    tally: &mut Tally<'_, Decider>,
) {
    let outcomes = payload_instances(plan).map(|index| (index, outcome.clone()));
    let outcomes = unless_envelope_adopted(plan, envelope, outcomes);
    tally.subject(location, outcomes, Some(evidence), false);
}

/// `outcomes` with the envelope requirement not applicable, unless the
/// target (`envelope`) or the requirement's profile says the platform
/// adopted cityconform's data-exchange envelope: a platform that never
/// did is not judged by it.
fn unless_envelope_adopted(
    plan: &LivePlan,
    envelope: bool,
    outcomes: impl IntoIterator<Item = (usize, Outcome)>,
) -> Vec<(usize, Outcome)> {
    outcomes
        .into_iter()
        .map(|(index, outcome)| {
            let adopted = match &plan.plan.instances[index].check {
                Decider::Payload(check) => check.envelope_adopted(),
                Decider::Cases | Decider::Gbfs(_) => None,
            };
            match adopted {
                Some(false) if !envelope => (
                    index,
                    Outcome::NotApplicable(
                        "the platform has not adopted cityconform's data-exchange envelope (neither the target's `envelope = true` nor the profile's `adopted` says so)".to_owned(),
                    ),
                ),
                _ => (index, outcome),
            }
        })
        .collect()
}

/// The instances decided on records.
fn payload_instances(plan: &LivePlan) -> impl Iterator<Item = usize> + '_ {
    plan.plan
        .instances
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i.check, Decider::Payload(_)))
        .map(|(n, _)| n)
}

/// Runs the payload checks on every record of a data answer.
fn check_records(
    plan: &LivePlan,
    x: &Exchange,
    context: &Context<'_>,
    location: &Location,
    evidence: &Value,
    envelope: bool,
    tally: &mut Tally<'_, Decider>,
) {
    if !(200..300).contains(&x.status) {
        // The answer that should have carried records did not: the
        // payload requirements could not be checked on it.
        let reason = format!("not checked: the data answer was {}, not 2xx", x.status);
        let outcomes = payload_instances(plan).map(|index| (index, Outcome::Error(reason.clone())));
        let outcomes = unless_envelope_adopted(plan, envelope, outcomes);
        tally.subject(location, outcomes, Some(evidence), false);
        return;
    }
    let request = evidence.get("request").cloned();
    let record_evidence = request.as_ref().map(|r| {
        let mut kept = json!({ "request": r });
        if let Some(command) = evidence.get("reproduce") {
            kept["reproduce"] = command.clone();
        }
        kept
    });
    let mut number = 0;
    let read = records::each_record(&x.body, |record| {
        number += 1;
        let at = Location {
            record: Some(number),
            ..location.clone()
        };
        let checked = pipeline::check_record_with_source(
            payload_checks(plan),
            record,
            None,
            context.representation,
            context.schemas,
            context.endpoint_type,
        );
        let outcomes = unless_envelope_adopted(plan, envelope, checked.outcomes);
        tally.subject(&at, outcomes, record_evidence.as_ref(), false);
    });
    if let Err(reason) = read {
        // The body is read whole before any record is handed on, so a body
        // that holds no records was tallied as nothing so far.
        let reason = evaluate::unreadable_body(x, reason);
        let outcomes = payload_instances(plan).map(|index| {
            let outcome = match &plan.plan.instances[index].check {
                Decider::Payload(check) if check.is_schema() => Outcome::Error(reason.clone()),
                _ => Outcome::Error(format!(
                    "not checked: the body could not be read ({reason})"
                )),
            };
            (index, outcome)
        });
        let outcomes = unless_envelope_adopted(plan, envelope, outcomes);
        tally.subject(location, outcomes, Some(evidence), false);
    }
}

/// The payload checks of the plan, by instance.
fn payload_checks(plan: &LivePlan) -> impl Iterator<Item = (usize, &PayloadCheck)> + Clone {
    plan.plan
        .instances
        .iter()
        .enumerate()
        .filter_map(|(i, instance)| match &instance.check {
            Decider::Payload(check) => Some((i, check)),
            Decider::Cases | Decider::Gbfs(_) => None,
        })
}

/// Live findings: an empty pointer is no pointer, and every credential of
/// the target is removed from whatever a server said.
struct LiveLocator<'a>(&'a Redactor);

impl Locator for LiveLocator<'_> {
    fn place(&self, subject: &Location, pointer: &str) -> Location {
        Location {
            pointer: (!pointer.is_empty()).then(|| pointer.to_owned()),
            ..subject.clone()
        }
    }

    fn text(&self, text: &str) -> String {
        self.0.scrub(text)
    }

    fn value(&self, value: Value) -> Value {
        self.0.scrub_value(value)
    }
}

/// Entity types the target's endpoints name that no schema knows.
pub(crate) fn unknown_types(target: &Target, registry: &SchemaRegistry) -> BTreeSet<String> {
    target
        .endpoints
        .iter()
        .filter(|e| !target.schemas.contains_key(&e.path))
        .filter_map(|e| e.entity_type.as_ref())
        .filter(|t| registry.uri_for_type(t).is_none())
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An application may spawn the audit on its runtime's workers, which
    /// needs a `Send` future; this fails to compile if it is not one.
    #[test]
    fn the_audit_is_a_send_future() {
        fn send<T: Send>(_: &T) {}
        fn audit_future(
            plan: &LivePlan,
            target: &Target,
            options: &AuditOptions,
            progress: &dyn Progress,
        ) {
            send(&audit(plan, target, options, progress));
        }
        let _ = audit_future;
    }

    /// A check that panics is a fault of the tool (exit 3), never an
    /// `error` verdict on the target.
    #[test]
    fn a_panicking_check_is_an_internal_error() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let result = runtime.block_on(async {
            let mut set = JoinSet::new();
            set.spawn(async { (0, Answer::Skipped("fine".to_owned()), Vec::new()) });
            set.spawn(async { std::panic::panic_any::<&str>("a fault of the tool") });
            let mut order = InOrder {
                next: 0,
                pending: BTreeMap::new(),
            };
            let mut recorded = vec![Vec::new(), Vec::new()];
            let mut consume = |_: usize, _: Answer| {};
            while collect_one(
                &mut set,
                &mut order,
                &mut recorded,
                &crate::engine::NoProgress,
                &mut consume,
            )
            .await?
            {}
            Ok(())
        });
        assert!(
            matches!(&result, Err(Error::Internal(message)) if message.contains("panicked")),
            "{result:?}"
        );
    }

    #[test]
    fn base64url_without_padding() {
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(b"{\"alg\":\"none\"}"), "eyJhbGciOiJub25lIn0");
        assert_eq!(http::base64(b"f", false), "Zg==");
        assert_eq!(http::base64(b"fo", false), "Zm8=");
        assert_eq!(http::base64(b"a:b?", false), "YTpiPw==");
    }
}
