//! A GBFS feed (General Bikeshare Feed Specification v2.3 and v3.0) as a
//! live API kind: read from its discovery file (`gbfs.json`), every feed
//! it lists read once, each file judged against MobilityData's schema for
//! its feed name and declared version, its `last_updated` against its
//! `ttl` at the evaluation time, and the privacy rules a vehicle file can
//! show. The files name their schema by where they are listed, not by a
//! `type` member, so the case engine's record pipeline cannot read them:
//! the checks are here, one event per file.
//!
//! Requests go through the audit's client (budget, rate limit, timeouts,
//! size cap) and only to the discovery file's origin, like discovery.
//! What cannot be read is never met: a file that does not answer leaves
//! its checks `error`, and the discovery requirement fails.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::engine::{Log, send};
use super::http::{Answer, Client, Outgoing};
use super::plan::{Decider, LivePlan};
use super::target::{ApiKind, Target};
use crate::detect::definitions::Definitions;
use crate::detect::identifiers::{Confidence, Detectors};
use crate::engine::{Outcome, ParamError, Violation};
use crate::error::Result;
use crate::model::Location;
use crate::outcome::params;
use crate::schema::{CompiledSchema, SchemaRegistry};

/// The versions whose schemas are bundled (`schemas/gbfs/`).
const VERSIONS: &[&str] = &["2.3", "3.0"];

/// The feeds that list vehicles, and the member holding them, by version.
const VEHICLE_FILES: &[(&str, &str, &str)] = &[
    ("2.3", "free_bike_status", "bikes"),
    ("3.0", "vehicle_status", "vehicles"),
];

/// What the discovery request asks for.
const ACCEPT_JSON: &str = "application/json";

/// One GBFS rule, built once from its parameters.
#[derive(Debug)]
pub enum GbfsCheck {
    /// The discovery file answers and lists feeds that answer.
    Discovery,
    /// Each file conforms to its schema and declares the feed's version.
    Schema,
    /// Each file's `last_updated` plus `ttl` is not before the evaluation
    /// time, and `last_updated` not more than `max_future` after it.
    Ttl {
        /// Seconds a file's time may run ahead of the evaluation time
        /// (clock skew between publisher and auditor).
        max_future: i64,
    },
    /// No listed vehicle says it is in a rental.
    Rental(RentalParams),
    /// No vehicle ID holds a stable identifier the detectors find.
    VehicleId(Box<Detectors>),
}

/// The members and values by which a vehicle says it is rented.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RentalParams {
    rented_members: Vec<String>,
    state_members: Vec<String>,
    rented_states: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TtlParams {
    max_future_seconds: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VehicleIdParams {
    detectors: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

/// Builds the GBFS check `kind`, or `None` for a kind of another family.
pub(crate) fn build(
    kind: &str,
    raw: &Map<String, Value>,
    definitions: &Definitions,
) -> Option<std::result::Result<GbfsCheck, ParamError>> {
    let built = match kind {
        "gbfs-discovery" => params::<NoParams>(kind, raw).map(|_| GbfsCheck::Discovery),
        "gbfs-schema" => params::<NoParams>(kind, raw).map(|_| GbfsCheck::Schema),
        "gbfs-ttl" => params::<TtlParams>(kind, raw).map(|p| GbfsCheck::Ttl {
            max_future: i64::from(p.max_future_seconds),
        }),
        "gbfs-rental" => params::<RentalParams>(kind, raw).map(GbfsCheck::Rental),
        "gbfs-vehicle-id" => params::<VehicleIdParams>(kind, raw).and_then(|p| {
            let kinds = definitions.kinds_named(&p.detectors)?;
            Detectors::from_definitions(definitions, &kinds, Confidence::Medium)
                .map(|d| GbfsCheck::VehicleId(Box::new(d)))
                .map_err(|e| ParamError::new(e.to_string()))
        }),
        _ => return None,
    };
    Some(built)
}

/// The bundled (or replacing) schema of every feed of every version,
/// by (version, feed name), compiled once before the audit.
#[derive(Debug, Default)]
pub(crate) struct FeedSchemas(BTreeMap<(String, String), Arc<CompiledSchema>>);

impl FeedSchemas {
    /// Compiles every GBFS schema the registry knows: those whose `$id`
    /// is MobilityData's page of a version this module reads.
    pub(crate) fn compile(registry: &SchemaRegistry) -> Result<Self> {
        let mut schemas = BTreeMap::new();
        for version in VERSIONS {
            let prefix = format!("https://github.com/MobilityData/gbfs/blob/v{version}/gbfs.md#");
            for uri in registry.uris_with_prefix(&prefix) {
                let Some(anchor) = uri.strip_prefix(&prefix) else {
                    continue;
                };
                let Some(feed) = anchor.strip_suffix("json") else {
                    continue;
                };
                let compiled = registry.compile(&uri)?;
                schemas.insert(((*version).to_owned(), feed.to_owned()), Arc::new(compiled));
            }
        }
        Ok(FeedSchemas(schemas))
    }

    fn get(&self, version: &str, feed: &str) -> Option<&CompiledSchema> {
        self.0
            .get(&(version.to_owned(), feed.to_owned()))
            .map(Arc::as_ref)
    }
}

/// One file judged: where, the outcomes per instance, and the exchange.
#[derive(Debug)]
pub(crate) struct Subject {
    pub location: Location,
    pub outcomes: Vec<(usize, Outcome)>,
    pub evidence: Value,
}

/// The instances of the plan decided here.
fn instances(plan: &LivePlan) -> Vec<(usize, &GbfsCheck)> {
    plan.plan
        .instances
        .iter()
        .enumerate()
        .filter_map(|(i, instance)| match &instance.check {
            Decider::Gbfs(check) => Some((i, check)),
            _ => None,
        })
        .collect()
}

/// The URL of a GBFS target's discovery file: its first endpoint below
/// the base URL, else `gbfs.json` below it.
pub(crate) fn discovery_url(target: &Target) -> String {
    let path = target
        .endpoints
        .first()
        .map_or("/gbfs.json", |e| e.path.as_str());
    format!("{}{path}", target.base_url)
}

/// Judges the feed of `target` at `now`: one subject per file read. A
/// target of another kind is one subject where the GBFS rules do not
/// apply.
pub(crate) async fn audit(
    plan: &LivePlan,
    target: &Target,
    client: &Client,
    credential: Option<(String, String)>,
    now: DateTime<Utc>,
    log: &mut Log,
) -> Vec<Subject> {
    let checks = instances(plan);
    if checks.is_empty() {
        return Vec::new();
    }
    if target.api != ApiKind::Gbfs {
        let reason = format!(
            "the target is not a GBFS feed (it is audited as {})",
            target.api.as_str()
        );
        return vec![Subject {
            location: file_location(&target.base_url),
            outcomes: checks
                .iter()
                .map(|(i, _)| (*i, Outcome::NotApplicable(reason.clone())))
                .collect(),
            evidence: json!({}),
        }];
    }
    let judge = Judge {
        checks: &checks,
        schemas: &plan.feed_schemas,
        now,
    };
    let url = discovery_url(target);
    let fetched = fetch(client, &url, credential.clone(), log).await;
    let mut subjects = Vec::new();
    let document = match fetched.document {
        Ok(document) => document,
        Err(reason) => {
            subjects.push(judge.unread(&url, &reason, fetched.evidence));
            return subjects;
        }
    };
    let (version, feeds, problems) = listing(&document, origin(&url));
    subjects.push(judge.file(
        &url,
        "gbfs",
        version.as_deref(),
        &document,
        fetched.evidence,
        problems,
    ));
    let listed_types = feeds.iter().any(|f| f.name() == "vehicle_types");
    let mut types_named = false;
    for feed in feeds {
        match feed {
            Listed::Elsewhere { pointer, name, url } => subjects.push(judge.unchecked(
                &url,
                &format!(
                    "feed `{name}` ({pointer}) is on another origin than the discovery file, and the audit requests nothing outside the origin it was given; audit that origin's files too"
                ),
            )),
            Listed::Here { name, url } => {
                let fetched = fetch(client, &url, credential.clone(), log).await;
                match fetched.document {
                    Ok(document) => {
                        types_named |= names_vehicle_types(&name, version.as_deref(), &document);
                        subjects.push(judge.file(
                        &url,
                        &name,
                        version.as_deref(),
                        &document,
                            fetched.evidence,
                            Vec::new(),
                        ));
                    }
                    Err(reason) => {
                        subjects.push(judge.unread(&url, &reason, fetched.evidence));
                    }
                }
            }
        }
    }
    if types_named
        && !listed_types
        && let Some(discovery) = subjects.first_mut()
    {
        unlisted_vehicle_types(&checks, discovery);
    }
    subjects
}

/// Whether `document`, the feed `name` of `version`, gives a vehicle a
/// `vehicle_type_id`: a vehicle file (v3.0 `vehicle_status`, v2.3
/// `free_bike_status`) describing vehicle types.
fn names_vehicle_types(name: &str, version: Option<&str>, document: &Value) -> bool {
    VEHICLE_FILES
        .iter()
        .filter(|(v, feed, _)| Some(*v) == version && *feed == name)
        .filter_map(|(_, _, member)| document.pointer(&format!("/data/{member}")))
        .filter_map(Value::as_array)
        .flatten()
        .any(|vehicle| vehicle.get("vehicle_type_id").is_some())
}

/// The discovery file's failure to list `vehicle_types` although the
/// vehicles name their type: GBFS requires the file of systems whose
/// vehicle file describes vehicle types (v3.0 and v2.3, Files:
/// `vehicle_types.json` conditionally required). The schemas cannot see
/// it, as it joins two files.
fn unlisted_vehicle_types(checks: &[(usize, &GbfsCheck)], discovery: &mut Subject) {
    let violation = Violation::new(
        "/data",
        "the vehicles name a `vehicle_type_id`, but the discovery file lists no `vehicle_types` feed, which GBFS requires of a system whose vehicle file describes vehicle types",
    );
    for (i, outcome) in &mut discovery.outcomes {
        let is_discovery = checks
            .iter()
            .any(|(j, check)| *j == *i && matches!(check, GbfsCheck::Discovery));
        if !is_discovery {
            continue;
        }
        match outcome {
            Outcome::Violations(found) => found.push(violation.clone()),
            Outcome::Pass => *outcome = Outcome::Violations(vec![violation.clone()]),
            // Unread: already failing, or not applicable.
            Outcome::NotApplicable(_) | Outcome::Error(_) => {}
        }
    }
}

/// A feed the discovery file lists.
enum Listed {
    /// On the discovery file's origin: read.
    Here { name: String, url: String },
    /// Elsewhere: not requested (a credential or the budget never leaves
    /// the origin audited), so none of its checks could be made.
    Elsewhere {
        pointer: String,
        name: String,
        url: String,
    },
}

impl Listed {
    fn name(&self) -> &str {
        match self {
            Listed::Here { name, .. } | Listed::Elsewhere { name, .. } => name,
        }
    }
}

/// The version and feeds `gbfs.json` lists, and what is wrong with the
/// listing (v2.3: `data.<language>.feeds`; v3.0: `data.feeds`).
fn listing(document: &Value, origin: &str) -> (Option<String>, Vec<Listed>, Vec<Violation>) {
    let mut problems = Vec::new();
    let version = document
        .get("version")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if version.is_none() {
        problems.push(Violation::new(
            "/version",
            "the discovery file names no `version`; GBFS v2.3 and v3.0 files declare theirs",
        ));
    }
    let mut lists = Vec::new();
    match document.pointer("/data/feeds") {
        Some(feeds) => lists.push(("/data/feeds".to_owned(), feeds)),
        None => {
            if let Some(languages) = document.get("data").and_then(Value::as_object) {
                for (language, body) in languages {
                    if let Some(feeds) = body.get("feeds") {
                        let pointer = format!("/data/{}/feeds", escape(language));
                        lists.push((pointer, feeds));
                    }
                }
            }
        }
    }
    if lists.is_empty() {
        problems.push(Violation::new(
            "/data",
            "the discovery file lists no feeds (`data.feeds` in v3.0, `data.<language>.feeds` in v2.3)",
        ));
    }
    let mut feeds = Vec::new();
    let mut seen = Vec::new();
    for (pointer, list) in lists {
        let Some(items) = list.as_array() else {
            problems.push(Violation::new(pointer, "`feeds` is not an array"));
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let at = format!("{pointer}/{i}");
            let name = item.get("name").and_then(Value::as_str);
            let url = item.get("url").and_then(Value::as_str);
            let (Some(name), Some(url)) = (name, url) else {
                problems.push(Violation::new(at, "a feed without a `name` and a `url`"));
                continue;
            };
            if seen.iter().any(|u| u == url) {
                continue;
            }
            seen.push(url.to_owned());
            if same_origin(url, origin) {
                feeds.push(Listed::Here {
                    name: name.to_owned(),
                    url: url.to_owned(),
                });
            } else {
                feeds.push(Listed::Elsewhere {
                    pointer: format!("{at}/url"),
                    name: name.to_owned(),
                    url: url.to_owned(),
                });
            }
        }
    }
    (version, feeds, problems)
}

/// A JSON pointer segment (RFC 6901).
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// `scheme://host[:port]` of `url`.
fn origin(url: &str) -> &str {
    let after = url.find("://").map_or(0, |i| i + 3);
    let end = url[after..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after + i);
    &url[..end]
}

/// Whether `url` is on `origin` (its authority ends there).
fn same_origin(url: &str, origin: &str) -> bool {
    url.strip_prefix(origin)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
}

/// A file read, or why not, with the exchange's evidence.
struct Fetched {
    document: std::result::Result<Value, String>,
    evidence: Value,
}

/// GETs `url` and reads its body as JSON, the exchange kept in `log` when
/// the audit records.
async fn fetch(
    client: &Client,
    url: &str,
    credential: Option<(String, String)>,
    log: &mut Log,
) -> Fetched {
    let request = Outgoing {
        method: "GET".to_owned(),
        url: url.to_owned(),
        headers: vec![("accept".to_owned(), ACCEPT_JSON.to_owned())],
        credential,
        body: None,
    };
    let answer = send(client, &request, log).await;
    let mut evidence = json!({ "request": format!("GET {url}") });
    let document = match answer {
        Answer::Exchange(x) => {
            evidence["status"] = json!(x.status);
            if let Some(kind) = x.header("content-type") {
                evidence["content-type"] = json!(kind);
            }
            if (200..300).contains(&x.status) {
                serde_json::from_slice(&x.body).map_err(|e| format!("the answer is not JSON: {e}"))
            } else {
                Err(format!("answered {}", x.status))
            }
        }
        other => Err(super::engine::failure_reason(&other)),
    };
    Fetched { document, evidence }
}

fn file_location(url: &str) -> Location {
    Location {
        file: Some(url.to_owned()),
        ..Location::default()
    }
}

/// What every file is judged with.
struct Judge<'a> {
    checks: &'a [(usize, &'a GbfsCheck)],
    schemas: &'a FeedSchemas,
    now: DateTime<Utc>,
}

impl Judge<'_> {
    /// A file that could not be read: the discovery requirement fails (the
    /// file was audited or listed, so it must answer) and every other
    /// check could not be made.
    fn unread(&self, url: &str, reason: &str, evidence: Value) -> Subject {
        let outcomes = self
            .checks
            .iter()
            .map(|(i, check)| {
                let outcome = match check {
                    GbfsCheck::Discovery => Outcome::Violations(vec![Violation::new(
                        "",
                        format!("the file could not be read: {reason}"),
                    )]),
                    _ => Outcome::Error(format!("the file could not be read: {reason}")),
                };
                (*i, outcome)
            })
            .collect();
        Subject {
            location: file_location(url),
            outcomes,
            evidence,
        }
    }

    /// A file not requested: every check could not be made, for `reason`.
    fn unchecked(&self, url: &str, reason: &str) -> Subject {
        Subject {
            location: file_location(url),
            outcomes: self
                .checks
                .iter()
                .map(|(i, _)| (*i, Outcome::Error(reason.to_owned())))
                .collect(),
            evidence: json!({}),
        }
    }

    /// A file read: every check on it. `feed` is its name in the
    /// discovery file (`gbfs` for the discovery file itself), `version`
    /// the discovery file's, `listing` what is wrong with the listing.
    fn file(
        &self,
        url: &str,
        feed: &str,
        version: Option<&str>,
        document: &Value,
        evidence: Value,
        listing: Vec<Violation>,
    ) -> Subject {
        let outcomes = self
            .checks
            .iter()
            .map(|(i, check)| {
                let outcome = match check {
                    GbfsCheck::Discovery => Outcome::from_violations(listing.clone()),
                    GbfsCheck::Schema => self.schema(feed, version, document),
                    GbfsCheck::Ttl { max_future } => ttl(document, self.now, *max_future),
                    GbfsCheck::Rental(p) => {
                        on_vehicles(feed, version, document, |v, at| rented(p, v, at))
                    }
                    GbfsCheck::VehicleId(detectors) => {
                        on_vehicles(feed, version, document, |v, at| stable_id(detectors, v, at))
                    }
                };
                (*i, outcome)
            })
            .collect();
        Subject {
            location: file_location(url),
            outcomes,
            evidence,
        }
    }

    /// The file against the schema of its feed name and the discovery
    /// file's version; a file declaring another version is a violation.
    fn schema(&self, feed: &str, version: Option<&str>, document: &Value) -> Outcome {
        let Some(version) = version else {
            return Outcome::Error(
                "the discovery file names no version, so no schema can be chosen".to_owned(),
            );
        };
        let Some(schema) = self.schemas.get(version, feed) else {
            return Outcome::Error(format!(
                "no GBFS schema for feed `{feed}` of version {version} (bundled: v2.3 and v3.0)"
            ));
        };
        let mut violations = match crate::payload::checks::schema_conformance(schema, document, "")
        {
            Outcome::Violations(v) => v,
            other => return with_version(other, version, document),
        };
        if let Some(own) = declared_other_version(version, document) {
            violations.push(own);
        }
        Outcome::Violations(violations)
    }
}

/// `outcome` (a pass), unless the file declares another version.
fn with_version(outcome: Outcome, version: &str, document: &Value) -> Outcome {
    match declared_other_version(version, document) {
        Some(violation) => Outcome::Violations(vec![violation]),
        None => outcome,
    }
}

/// A file whose `version` is not the discovery file's.
fn declared_other_version(version: &str, document: &Value) -> Option<Violation> {
    let own = document.get("version").and_then(Value::as_str)?;
    (own != version).then(|| {
        Violation::new(
            "/version",
            format!(
                "the file declares version {own}, the discovery file {version}: every file of a feed is of one version"
            ),
        )
    })
}

/// `last_updated` plus `ttl` against `now`.
fn ttl(document: &Value, now: DateTime<Utc>, max_future: i64) -> Outcome {
    let Some(updated) = document.get("last_updated").and_then(last_updated) else {
        return Outcome::Error(
            "`last_updated` is missing or neither POSIX seconds (v2.3) nor an RFC 3339 time (v3.0)"
                .to_owned(),
        );
    };
    let Some(ttl) = document
        .get("ttl")
        .and_then(Value::as_i64)
        .filter(|t| *t >= 0)
    else {
        return Outcome::Error("`ttl` is missing or not a non-negative integer".to_owned());
    };
    let now_s = now.timestamp();
    let shown = |t: i64| {
        DateTime::from_timestamp(t, 0).map_or_else(
            || t.to_string(),
            |d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
    };
    if updated.saturating_add(ttl) < now_s {
        return Outcome::Violations(vec![Violation::new(
            "/last_updated",
            format!(
                "stale: last updated {}, with a ttl of {ttl} s it was to be updated by {}, {} s before the evaluation time {}",
                shown(updated),
                shown(updated.saturating_add(ttl)),
                now_s - updated.saturating_add(ttl),
                shown(now_s)
            ),
        )]);
    }
    if updated > now_s.saturating_add(max_future) {
        return Outcome::Violations(vec![Violation::new(
            "/last_updated",
            format!(
                "last updated {}, {} s after the evaluation time {} (more than the {max_future} s allowed for clock skew)",
                shown(updated),
                updated - now_s,
                shown(now_s)
            ),
        )]);
    }
    Outcome::Pass
}

/// Seconds since 1970 of a `last_updated`: an integer (v2.3) or an
/// RFC 3339 string (v3.0).
fn last_updated(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp()),
        _ => None,
    }
}

/// `check` on every vehicle of a vehicle file (`free_bike_status` in
/// v2.3, `vehicle_status` in v3.0); another file does not apply.
fn on_vehicles(
    feed: &str,
    version: Option<&str>,
    document: &Value,
    check: impl Fn(&Map<String, Value>, &str) -> Vec<Violation>,
) -> Outcome {
    let member = VEHICLE_FILES
        .iter()
        .find(|(v, name, _)| Some(*v) == version && *name == feed)
        .map(|(_, _, member)| *member);
    let Some(member) = member else {
        return Outcome::NotApplicable(
            "not a file that lists vehicles (free_bike_status in v2.3, vehicle_status in v3.0)"
                .to_owned(),
        );
    };
    let Some(vehicles) = document
        .pointer(&format!("/data/{member}"))
        .and_then(Value::as_array)
    else {
        return Outcome::Error(format!(
            "the file has no `data.{member}` array to read the vehicles from"
        ));
    };
    let mut violations = Vec::new();
    for (i, vehicle) in vehicles.iter().enumerate() {
        if let Some(vehicle) = vehicle.as_object() {
            violations.extend(check(vehicle, &format!("/data/{member}/{i}")));
        }
    }
    Outcome::from_violations(violations)
}

/// A vehicle that says it is in a rental.
fn rented(p: &RentalParams, vehicle: &Map<String, Value>, at: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    for member in &p.rented_members {
        if vehicle.get(member) == Some(&Value::Bool(true)) {
            found.push(Violation::new(
                format!("{at}/{}", escape(member)),
                format!("a vehicle in an active rental is published: its `{member}` is true"),
            ));
        }
    }
    for member in &p.state_members {
        let Some(state) = vehicle.get(member).and_then(Value::as_str) else {
            continue;
        };
        if p.rented_states
            .iter()
            .any(|s| s.eq_ignore_ascii_case(state))
        {
            found.push(Violation::new(
                format!("{at}/{}", escape(member)),
                format!(
                    "a vehicle in an active rental is published: its `{member}` says it is rented"
                ),
            ));
        }
    }
    found
}

/// A vehicle ID holding an identifier the detectors find; the value is
/// never shown.
fn stable_id(detectors: &Detectors, vehicle: &Map<String, Value>, at: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    for member in ["vehicle_id", "bike_id"] {
        let Some(id) = vehicle.get(member).and_then(Value::as_str) else {
            continue;
        };
        if let Some(detection) = detectors.scan_in(Some(member), id).first() {
            found.push(Violation::new(
                format!("{at}/{member}"),
                format!(
                    "the vehicle's `{member}` holds {}, an identifier that stays with the vehicle; GBFS asks for an ID rotated to a random string after each trip",
                    detectors.with_article(detection.kind)
                ),
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap_or_default()
    }

    #[test]
    fn ttl_reads_both_versions_and_fails_stale_and_future_files() {
        let v23 = json!({ "last_updated": 1000, "ttl": 60 });
        assert_eq!(ttl(&v23, at(1060), 300), Outcome::Pass);
        assert!(matches!(ttl(&v23, at(1061), 300), Outcome::Violations(_)));
        assert!(matches!(ttl(&v23, at(600), 300), Outcome::Violations(_)));
        let v30 = json!({ "last_updated": "1970-01-01T00:16:40Z", "ttl": 0 });
        assert_eq!(ttl(&v30, at(1000), 300), Outcome::Pass);
        assert!(matches!(ttl(&v30, at(1001), 300), Outcome::Violations(_)));
        let odd = json!({ "last_updated": "yesterday", "ttl": 0 });
        assert!(matches!(ttl(&odd, at(1000), 300), Outcome::Error(_)));
        let negative = json!({ "last_updated": 1000, "ttl": -1 });
        assert!(matches!(ttl(&negative, at(1000), 300), Outcome::Error(_)));
    }

    #[test]
    fn vehicles_naming_a_type_need_vehicle_types_listed() {
        let typed =
            json!({ "data": { "vehicles": [{ "vehicle_id": "a", "vehicle_type_id": "bike" }] } });
        let untyped = json!({ "data": { "vehicles": [{ "vehicle_id": "a" }] } });
        assert!(names_vehicle_types("vehicle_status", Some("3.0"), &typed));
        assert!(!names_vehicle_types(
            "vehicle_status",
            Some("3.0"),
            &untyped
        ));
        assert!(!names_vehicle_types("vehicle_status", Some("2.3"), &typed));
        assert!(!names_vehicle_types("station_status", Some("3.0"), &typed));
        let discovery = GbfsCheck::Discovery;
        let schema = GbfsCheck::Schema;
        let checks = [(0, &discovery), (1, &schema)];
        let mut subject = Subject {
            location: file_location("http://127.0.0.1:1/gbfs.json"),
            outcomes: vec![(0, Outcome::Pass), (1, Outcome::Pass)],
            evidence: json!({}),
        };
        unlisted_vehicle_types(&checks, &mut subject);
        assert!(
            matches!(&subject.outcomes[0].1, Outcome::Violations(v) if v.len() == 1 && v[0].pointer == "/data")
        );
        assert_eq!(subject.outcomes[1].1, Outcome::Pass);
    }

    #[test]
    fn listing_reads_both_layouts_and_keeps_other_origins_out() {
        let v30 = json!({ "version": "3.0", "data": { "feeds": [
            { "name": "system_information", "url": "http://h:1/si" },
            { "name": "vehicle_status", "url": "http://other/vs" },
        ] } });
        let (version, feeds, problems) = listing(&v30, "http://h:1");
        assert_eq!(version.as_deref(), Some("3.0"));
        assert!(problems.is_empty());
        assert!(matches!(&feeds[0], Listed::Here { name, .. } if name == "system_information"));
        assert!(
            matches!(&feeds[1], Listed::Elsewhere { pointer, .. } if pointer == "/data/feeds/1/url")
        );
        let v23 = json!({ "version": "2.3", "data": { "en": { "feeds": [
            { "name": "system_information", "url": "http://h:1/si" },
        ] }, "fr": { "feeds": [
            { "name": "system_information", "url": "http://h:1/si" },
        ] } } });
        let (_, feeds, problems) = listing(&v23, "http://h:1");
        assert_eq!(
            feeds.len(),
            1,
            "a URL listed for two languages is read once"
        );
        assert!(problems.is_empty());
        let (version, feeds, problems) = listing(&json!({ "data": {} }), "http://h:1");
        assert!(version.is_none() && feeds.is_empty());
        assert_eq!(problems.len(), 2);
    }

    #[test]
    fn every_bundled_feed_schema_compiles_and_judges_its_fixture() -> Result<()> {
        let registry = SchemaRegistry::load(&crate::schema::SchemaOptions::default())?;
        let schemas = FeedSchemas::compile(&registry)?;
        assert_eq!(schemas.0.len(), 25, "13 files of v2.3 and 12 of v3.0");
        let judge = Judge {
            checks: &[],
            schemas: &schemas,
            now: at(0),
        };
        for (version, feed) in [("3.0", "vehicle_status"), ("2.3", "free_bike_status")] {
            let path = format!(
                "{}/fixtures/gbfs/v{version}/{feed}.json",
                env!("CARGO_MANIFEST_DIR")
            );
            let text = std::fs::read_to_string(&path)
                .map_err(|e| crate::error::Error::Internal(e.to_string()))?;
            let mut document: Value = serde_json::from_str(&text)
                .map_err(|e| crate::error::Error::Internal(e.to_string()))?;
            assert_eq!(
                judge.schema(feed, Some(version), &document),
                Outcome::Pass,
                "{path}"
            );
            document["ttl"] = json!("soon");
            let Outcome::Violations(found) = judge.schema(feed, Some(version), &document) else {
                panic!("a string ttl is invalid");
            };
            assert!(found.iter().any(|v| v.pointer == "/ttl"), "{found:?}");
            let other = judge.schema(
                feed,
                Some(if version == "3.0" { "2.3" } else { "3.0" }),
                &document,
            );
            assert!(matches!(other, Outcome::Error(_) | Outcome::Violations(_)));
        }
        Ok(())
    }

    #[test]
    fn an_origin_ends_at_its_authority() {
        assert_eq!(
            origin("http://127.0.0.1:8/a/gbfs.json"),
            "http://127.0.0.1:8"
        );
        assert!(same_origin("http://127.0.0.1:8/x", "http://127.0.0.1:8"));
        assert!(!same_origin("http://127.0.0.1:80/x", "http://127.0.0.1:8"));
        assert!(!same_origin(
            "http://127.0.0.1:8.evil/x",
            "http://127.0.0.1:8"
        ));
    }

    #[test]
    fn a_rented_vehicle_and_a_plate_as_id_are_found_without_the_value() {
        let params = RentalParams {
            rented_members: vec!["in_use".to_owned()],
            state_members: vec!["status".to_owned()],
            rented_states: vec!["on_trip".to_owned()],
        };
        let feed = json!({ "data": { "vehicles": [
            { "vehicle_id": "a1", "in_use": true },
            { "vehicle_id": "a2", "status": "ON_TRIP" },
            { "vehicle_id": "a3", "in_use": false, "status": "available" },
        ] } });
        let outcome = on_vehicles("vehicle_status", Some("3.0"), &feed, |v, at| {
            rented(&params, v, at)
        });
        let Outcome::Violations(found) = outcome else {
            panic!("two rented vehicles: {outcome:?}");
        };
        let pointers: Vec<_> = found.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/data/vehicles/0/in_use", "/data/vehicles/1/status"]
        );
        let other = on_vehicles("station_status", Some("3.0"), &feed, |v, at| {
            rented(&params, v, at)
        });
        assert!(matches!(other, Outcome::NotApplicable(_)));

        let kinds = Definitions::embedded()
            .kinds_named(&["kr-plate".to_owned(), "mac".to_owned()])
            .unwrap_or_default();
        let detectors = Detectors::new(&kinds);
        let mac = "00:1A:2B:3C:4D:5E";
        let feed =
            json!({ "data": { "bikes": [{ "bike_id": mac }, { "bike_id": "f3a9c0e1b7" }] } });
        let outcome = on_vehicles("free_bike_status", Some("2.3"), &feed, |v, at| {
            stable_id(&detectors, v, at)
        });
        let Outcome::Violations(found) = outcome else {
            panic!("a MAC address as bike_id: {outcome:?}");
        };
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].pointer, "/data/bikes/0/bike_id");
        assert!(!found[0].message.contains(mac));
    }
}
