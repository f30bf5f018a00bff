//! GitHub Actions workflow commands: one `::error` or `::warning`
//! annotation per finding, with its file, line and the requirement as
//! title, then a `::notice` with the result. GitHub shows them on the
//! pull request's changed lines and in the job summary, with no
//! code-scanning licence needed (SARIF needs one for private repositories).
//!
//! The format is GitHub's "workflow commands": `::KIND key=value,...::data`,
//! one per line, `%`, CR and LF escaped in the data and, in property values,
//! also `:` and `,`.

use std::io::Write;

use super::{FindingView, Renderer, View};
use crate::model::Verdict;

/// The GitHub renderer.
pub struct Github;

impl Renderer for Github {
    fn render(&self, view: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        for finding in &view.findings {
            if let Some(line) = annotation(view, finding) {
                writeln!(out, "{line}")?;
            }
        }
        writeln!(out, "{}", summary(view))
    }
}

/// The annotation of one finding; none for a waived one (accepted, not a
/// problem to fix in this change).
fn annotation(view: &View<'_>, finding: &FindingView<'_>) -> Option<String> {
    let kind = match finding.worst? {
        Verdict::Fail | Verdict::Error => "error",
        Verdict::Warn => "warning",
        Verdict::Waived | Verdict::Pass | Verdict::Skip => return None,
    };
    let mut properties = Vec::new();
    let request = finding
        .location
        .file
        .as_deref()
        .filter(|file| view.request_url(file).is_some());
    // A live finding has no file in the repository to annotate: it is
    // shown in the run's summary, its request leading the message.
    if let Some(file) = finding
        .location
        .file
        .as_deref()
        .filter(|_| request.is_none())
    {
        properties.push(format!("file={}", escape_property(file)));
        if let Some(line) = finding.location.line {
            properties.push(format!("line={line}"));
        }
    }
    let title = format!(
        "{} {}",
        finding.requirement,
        view.title(finding.requirement)
    );
    properties.push(format!("title={}", escape_property(&title)));
    let mut message = match request {
        Some(request) => format!("{request}: {}", finding.message),
        None => finding.message.to_owned(),
    };
    if let Some(pointer) = finding
        .location
        .pointer
        .as_deref()
        .filter(|p| !p.is_empty())
    {
        message = format!("{pointer}: {message}");
    }
    let under: Vec<String> = view
        .verdicts_in_order(finding)
        .into_iter()
        .map(|(profile, verdict)| format!("{profile}: {}", verdict.as_str()))
        .collect();
    message.push_str(&format!(" ({})", under.join(", ")));
    Some(format!(
        "::{kind} {}::{}",
        properties.join(","),
        escape_data(&message)
    ))
}

/// The run's result as one notice.
fn summary(view: &View<'_>) -> String {
    let profiles: Vec<String> = view
        .profiles
        .iter()
        .map(|p| format!("{} {}", p.id, if p.met { "met" } else { "NOT MET" }))
        .collect();
    let waived = match view.summary.waived {
        0 => String::new(),
        n => format!(" ({n} waived)"),
    };
    let text = format!(
        "cityconform {}: {}; {} finding{}{waived}",
        view.command.as_str(),
        profiles.join(", "),
        view.summary.findings,
        if view.summary.findings == 1 { "" } else { "s" }
    );
    format!("::notice title=cityconform::{}", escape_data(&text))
}

/// Escapes a command's data: `%`, CR and LF.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as data, and `:` and `,`, which separate
/// properties.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_escape_what_separates_them() {
        assert_eq!(escape_data("50% of\nrows"), "50%25 of%0Arows");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
