//! GitLab Code Quality: a JSON array of issues, each with a description,
//! the requirement as `check_name`, a stable fingerprint, a severity and
//! the file and line. GitLab shows them in the merge request widget and
//! diff (`artifacts: reports: codequality:`).
//!
//! Severity: a MUST broken or unchecked is `critical`, a SHOULD or MAY
//! broken `minor`; waived findings are left out (accepted exceptions).

use std::io::Write;

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{FindingView, Renderer, View};
use crate::model::Verdict;

/// The GitLab Code Quality renderer.
pub struct Gitlab;

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: String,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u64,
}

impl Renderer for Gitlab {
    fn render(&self, view: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        let issues: Vec<Issue> = view
            .findings
            .iter()
            .filter_map(|finding| issue(view, finding))
            .collect();
        serde_json::to_writer_pretty(&mut *out, &issues)?;
        writeln!(out)
    }
}

fn issue(view: &View<'_>, finding: &FindingView<'_>) -> Option<Issue> {
    let severity = match finding.worst? {
        Verdict::Fail | Verdict::Error => "critical",
        Verdict::Warn => "minor",
        Verdict::Waived | Verdict::Pass | Verdict::Skip => return None,
    };
    let location = &finding.location;
    let path = location
        .file
        .clone()
        .unwrap_or_else(|| "cityconform.toml".to_owned());
    let pointer = location.pointer.as_deref().filter(|p| !p.is_empty());
    let description = match pointer {
        Some(pointer) => format!(
            "{} {}: {pointer}: {}",
            finding.requirement,
            view.title(finding.requirement),
            finding.message
        ),
        None => format!(
            "{} {}: {}",
            finding.requirement,
            view.title(finding.requirement),
            finding.message
        ),
    };
    Some(Issue {
        fingerprint: fingerprint(finding, &path),
        description,
        check_name: finding.requirement.to_owned(),
        severity,
        location: IssueLocation {
            path,
            lines: Lines {
                begin: location.line.unwrap_or(1),
            },
        },
    })
}

/// A digest of what identifies the finding (requirement, file, record,
/// pointer, message), so that GitLab matches the same issue across runs.
fn fingerprint(finding: &FindingView<'_>, path: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [
        finding.requirement,
        path,
        &finding
            .location
            .record
            .map_or_else(String::new, |r| r.to_string()),
        finding.location.pointer.as_deref().unwrap_or(""),
        finding.message,
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    crate::hex::lower_hex(&hasher.finalize())
}
