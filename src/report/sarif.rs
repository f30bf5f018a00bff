//! SARIF 2.1.0 for code-scanning tools (GitHub code scanning, GitLab, IDE
//! viewers). One rule per requirement, with its statement, help and
//! clauses; one result per finding, with its file, line and JSON pointer;
//! a waived finding carries an accepted external suppression naming the
//! waiver; expired and unmatched waivers are configuration notifications.
//! The run's properties carry a dataset's measured summary and a flow
//! matrix when the report has them.
//! An empty run is still one valid run with no results.
//!
//! Written with typed serde structs for the part of the format used here
//! rather than a SARIF crate: the subset is small, and the output is
//! validated against the official schema in the tests.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{FindingView, Renderer, RequirementView, View};
use crate::catalog::Level;
use crate::model::{Verdict, WaiverStatus};

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
    properties: Value,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
    properties: Value,
}

/// Where each requirement is documented: its section of
/// `docs/REQUIREMENTS.md` (`cityconform requirements doc`), anchored by its
/// ID in lower case.
const REQUIREMENTS_DOC: &str = "https://cityconform.org/docs/REQUIREMENTS.md";

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_configuration_notifications: Vec<Notification>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: Value,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    /// `%SRCROOT%` for a path relative to where the run was started, so
    /// that code scanning resolves it against the checkout.
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
    properties: Value,
}

/// The SARIF renderer.
pub(super) struct Sarif;

impl Renderer for Sarif {
    fn render(&self, view: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        let log = Log {
            schema: SCHEMA_URI,
            version: "2.1.0",
            runs: vec![run(view)],
        };
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }
}

fn run<'a>(report: &View<'a>) -> Run<'a> {
    let rules: Vec<Rule> = report.requirements.iter().map(rule).collect();
    let results = report
        .findings
        .iter()
        .map(|finding| result(report, finding))
        .collect();
    Run {
        tool: Tool {
            driver: Driver {
                name: &report.tool.name,
                version: &report.tool.version,
                semantic_version: &report.tool.version,
                information_uri: "https://cityconform.org",
                rules,
            },
        },
        invocations: vec![Invocation {
            execution_successful: report.summary.input_errors == 0,
            tool_configuration_notifications: waiver_notifications(report),
            tool_execution_notifications: left_out_notifications(report),
        }],
        results,
        properties: run_properties(report),
    }
}

/// The run's property bag: the command, time, result and profiles, and,
/// when the report has them, the dataset's measured summary and the flow
/// matrix, in the JSON report's shape (results alone cannot say them).
fn run_properties(report: &View<'_>) -> Value {
    let mut properties = json!({
        "command": report.command,
        "generatedAt": report.generated_at,
        "asOf": report.law.as_of,
        "notice": report.law.notice,
        "lists": report.law.lists,
        "met": report.summary.met,
        "findingsLeftOut": report.summary.findings_left_out,
        "profiles": report.profiles.iter().map(|p| json!({
            "id": p.id, "title": p.title, "met": p.met,
        })).collect::<Vec<_>>(),
    });
    if !report.datasets.is_empty() {
        let summaries: Vec<_> = report.datasets.iter().map(|d| d.summary).collect();
        properties["datasets"] = json!(summaries);
    }
    if !report.matrices.is_empty() {
        let matrices: Vec<Value> = report
            .matrices
            .iter()
            .map(|m| {
                json!({
                    "declaration": m.declaration,
                    "profiles": m.profiles,
                    "flows": m.flows,
                })
            })
            .collect();
        properties["matrices"] = json!(matrices);
    }
    properties
}

fn rule(requirement: &RequirementView<'_>) -> Rule {
    let clauses: Vec<String> = requirement
        .citations
        .iter()
        .map(ToString::to_string)
        .collect();
    let mut markdown = format!("{}\n\nSources:\n", requirement.statement);
    for clause in &clauses {
        markdown.push_str(&format!("\n- {clause}"));
    }
    Rule {
        id: requirement.id.to_owned(),
        short_description: Text {
            text: requirement.title.to_owned(),
        },
        full_description: Text {
            text: requirement.statement.to_owned(),
        },
        help: Help {
            text: format!(
                "{} Sources: {}. See `cityconform requirements show {}`.",
                requirement.statement,
                clauses.join("; "),
                requirement.id
            ),
            markdown,
        },
        help_uri: format!("{REQUIREMENTS_DOC}#{}", requirement.id.to_lowercase()),
        properties: json!({
            "area": requirement.area.as_str(),
            "clauses": clauses,
            "tags": [requirement.area.as_str()],
        }),
    }
}

fn result(report: &View<'_>, finding: &FindingView<'_>) -> SarifResult {
    let rule_index = report.requirement_index(finding.requirement);
    let mut properties = json!({ "verdicts": finding.verdicts });
    if let Some(record) = finding.location.record {
        properties["record"] = json!(record);
    }
    if let Some(evidence) = &finding.evidence {
        properties["evidence"] = evidence.clone();
    }
    if !finding.readings.is_empty() {
        properties["readings"] = json!(finding.readings);
    }
    if !finding.conflicts.is_empty() {
        properties["conflicts"] = json!(finding.conflicts);
    }
    if !report.matrices.is_empty() {
        // Each profile the finding speaks for, with the clauses it cites.
        let cited: serde_json::Map<String, Value> = report
            .finding_citations(finding)
            .into_iter()
            .map(|(profile, c)| {
                let c: Vec<String> = c.iter().map(ToString::to_string).collect();
                (profile.to_owned(), json!(c))
            })
            .collect();
        properties["clauses"] = Value::Object(cited);
    }
    SarifResult {
        rule_id: finding.requirement.to_owned(),
        rule_index,
        level: level(report, finding),
        message: Text {
            text: finding.message.to_owned(),
        },
        locations: locations(report, finding),
        partial_fingerprints: BTreeMap::from([("cityconform/v1", fingerprint(finding))]),
        suppressions: suppressions(report, finding),
        properties,
    }
}

/// `error` for a broken MUST or a check that could not run, `warning` for
/// a broken SHOULD or MAY. A waived finding keeps the level it would have
/// had (its suppression says it is accepted).
fn level(report: &View<'_>, finding: &FindingView<'_>) -> &'static str {
    match finding.worst.unwrap_or(Verdict::Warn) {
        Verdict::Fail | Verdict::Error => "error",
        Verdict::Warn => "warning",
        Verdict::Waived if is_must_somewhere(report, finding) => "error",
        Verdict::Waived => "warning",
        Verdict::Pass | Verdict::Skip => "note",
    }
}

fn is_must_somewhere(report: &View<'_>, finding: &FindingView<'_>) -> bool {
    report.requirement(finding.requirement).is_some_and(|r| {
        r.under
            .iter()
            .any(|u| finding.verdicts.contains_key(u.profile) && u.result.level == Level::Must)
    })
}

fn locations(report: &View<'_>, finding: &FindingView<'_>) -> Vec<Location> {
    let at = finding.location;
    let request = at
        .file
        .as_deref()
        .and_then(|file| Some((file, report.request_url(file)?)));
    let physical = match &request {
        // A live finding is located at the URL it was found at, and the
        // request (method and path) is its logical location.
        Some((_, url)) => Some(PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: url_uri(url),
                uri_base_id: None,
            },
            region: None,
        }),
        None => at.file.as_ref().map(|file| PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: file_uri(file),
                uri_base_id: is_relative(file).then_some("%SRCROOT%"),
            },
            region: at.line.map(|line| Region { start_line: line }),
        }),
    };
    let mut logical: Vec<LogicalLocation> = request
        .iter()
        .filter(|(file, url)| file != url)
        .map(|(file, _)| LogicalLocation {
            fully_qualified_name: (*file).to_owned(),
            kind: "resource",
        })
        .collect();
    logical.extend(
        at.pointer
            .iter()
            .filter(|p| !p.is_empty())
            .map(|pointer| LogicalLocation {
                fully_qualified_name: pointer.clone(),
                kind: "member",
            }),
    );
    if physical.is_none() && logical.is_empty() {
        return Vec::new();
    }
    vec![Location {
        physical_location: physical,
        logical_locations: logical,
    }]
}

/// A URL as a URI reference: its path and query percent-encoded where a
/// server's text (or a placeholder such as `[kr-phone]`) holds characters
/// a URI may not.
fn url_uri(url: &str) -> String {
    let (head, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let mut uri = format!("{head}://{}", &rest[..authority_end]);
    for byte in rest[authority_end..].bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/?&=%:@!$'()*+,;".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// Whether `path` is relative to the run's folder: not a URL, not
/// absolute.
fn is_relative(path: &str) -> bool {
    !path.contains("://") && !std::path::Path::new(path).is_absolute() && !path.starts_with('/')
}

/// A relative URI reference for a path: forward slashes, and anything
/// outside the unreserved set percent-encoded. A URL stays as it is.
fn file_uri(path: &str) -> String {
    if path.contains("://") {
        return path.to_owned();
    }
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// Stable across runs for the same break in the same place, so that
/// code-scanning tools track it rather than reopen it.
fn fingerprint(finding: &FindingView<'_>) -> String {
    let at = finding.location;
    let key = format!(
        "{}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
        finding.requirement,
        at.file.as_deref().unwrap_or(""),
        at.record.map_or(String::new(), |r| r.to_string()),
        at.pointer.as_deref().unwrap_or(""),
        finding.message
    );
    let digest = Sha256::digest(key.as_bytes());
    crate::hex::lower_hex(&digest[..16])
}

fn suppressions(report: &View<'_>, finding: &FindingView<'_>) -> Vec<Suppression> {
    let Some(id) = finding.waiver else {
        return Vec::new();
    };
    let waiver = report.waivers.iter().find(|w| w.id == id);
    let justification = waiver.map_or_else(
        || format!("waived by `{id}`"),
        |w| {
            format!(
                "{} (waiver `{}`, approved by {}, until {})",
                w.justification, w.id, w.approved_by, w.expires
            )
        },
    );
    vec![Suppression {
        kind: "external",
        status: "accepted",
        justification,
        properties: json!({ "waiver": id }),
    }]
}

/// Results beyond the number kept per (profile, requirement) are counted,
/// not listed: a SARIF consumer sees fewer results than there were, and is
/// told so.
fn left_out_notifications(report: &View<'_>) -> Vec<Notification> {
    let left_out = report.summary.findings_left_out;
    if left_out == 0 {
        return Vec::new();
    }
    vec![Notification {
        level: "note",
        message: Text {
            text: format!(
                "{} counted but not listed as results (--keep-findings); the counts in the JSON report are exact",
                super::counted(left_out, "more finding", "more findings")
            ),
        },
    }]
}

fn waiver_notifications(report: &View<'_>) -> Vec<Notification> {
    report
        .waivers
        .iter()
        .filter_map(|w| match w.status {
            WaiverStatus::Expired => Some(Notification {
                level: "error",
                message: Text {
                    text: format!(
                        "waiver `{}` for {} expired on {}: it covers nothing and fails the run; renew its approval or fix the findings",
                        w.id, w.requirement, w.expires
                    ),
                },
            }),
            WaiverStatus::Unmatched => Some(Notification {
                level: "warning",
                message: Text {
                    text: format!(
                        "waiver `{}` for {} covers no finding: remove it, or check its requirement and subject",
                        w.id, w.requirement
                    ),
                },
            }),
            WaiverStatus::Active => None,
        })
        .collect()
}
