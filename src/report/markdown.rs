//! A Markdown summary, fit for a pull-request comment: the overall result,
//! one row per profile, the dataset's measured figures, the flow matrix,
//! the requirements that did not pass (failing ones first), the first
//! findings, the requirements that passed or did not apply (collapsed in
//! `<details>`, which GitHub renders), and the waivers. Long lists are cut:
//! the comment points to the full reports instead of flooding the thread.

use std::io::Write;

use super::{DatasetView, FindingView, MatrixView, Renderer, RequirementView, View};
use crate::model::{Verdict, WaiverStatus};

/// Findings listed before "and N more".
const MAX_LISTED: usize = 50;

/// The Markdown renderer.
pub(super) struct Markdown;

impl Renderer for Markdown {
    fn render(&self, view: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        heading(view, out)?;
        law(view, out)?;
        profiles(view, out)?;
        let several = view.datasets.len() > 1;
        for dataset in &view.datasets {
            dataset_section(dataset, several, out)?;
        }
        let several = view.matrices.len() > 1;
        let cited = super::Cited::default();
        for matrix in &view.matrices {
            matrix_section(view, matrix, several, &cited, out)?;
        }
        not_passing(view, out)?;
        findings(view, &cited, out)?;
        collapsed("Requirements passing", &view.with_worst(Verdict::Pass), out)?;
        collapsed(
            "Requirements that did not apply",
            &view.with_worst(Verdict::Skip),
            out,
        )?;
        waivers(view, out)
    }
}

/// The day the law was read on and the lists used, as a quotation, each
/// warning about a list's age below it.
fn law(view: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out)?;
    writeln!(out, "> {}", escape(&view.law.notice))?;
    for warning in view.law.warnings() {
        writeln!(out, ">")?;
        writeln!(out, "> **Warning:** {}", escape(&warning))?;
    }
    // A blank line ends the quotation: what follows is not part of it.
    writeln!(out)
}

fn heading(report: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let s = report.summary;
    let verdict = if s.met { "✅ met" } else { "❌ not met" };
    writeln!(
        out,
        "## cityconform {}: {verdict}",
        escape(report.command.as_str())
    )?;
    writeln!(out)?;
    write!(
        out,
        "**{} finding{}**",
        s.findings,
        if s.findings == 1 { "" } else { "s" }
    )?;
    if s.waived > 0 {
        write!(out, " ({} waived)", s.waived)?;
    }
    writeln!(
        out,
        " over {} subject{} from {} input{}; {} could not be checked. Generated {} by cityconform {}.",
        s.subjects,
        if s.subjects == 1 { "" } else { "s" },
        report.inputs.len(),
        if report.inputs.len() == 1 { "" } else { "s" },
        s.input_errors,
        escape(report.generated_at),
        escape(&report.tool.version)
    )?;
    if s.findings_left_out > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "> {} more finding{} counted but not listed (`--keep-findings`); the counts are exact.",
            s.findings_left_out,
            if s.findings_left_out == 1 { "" } else { "s" }
        )?;
    }
    if s.expired_waivers > 0 {
        writeln!(out)?;
        writeln!(
            out,
            "> **{} expired waiver{}** fail{} the run: renew the approval or fix the findings.",
            s.expired_waivers,
            if s.expired_waivers == 1 { "" } else { "s" },
            if s.expired_waivers == 1 { "s" } else { "" }
        )?;
    }
    writeln!(out)
}

fn profiles(report: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    if report.profiles.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "| profile | result | pass | fail | warn | error | waived | skip |"
    )?;
    writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|")?;
    for profile in &report.profiles {
        let n = |verdict| profile.requirements.get(verdict);
        writeln!(
            out,
            "| {} ({}) | {} | {} | {} | {} | {} | {} | {} |",
            escape(profile.id),
            escape(profile.title),
            if profile.met { "met" } else { "**not met**" },
            n(Verdict::Pass),
            n(Verdict::Fail),
            n(Verdict::Warn),
            n(Verdict::Error),
            n(Verdict::Waived),
            n(Verdict::Skip)
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Counts are requirements per verdict.")?;
    writeln!(out)
}

/// What a dataset audit measured: the anonymity metrics, then each
/// column's role, type and counts. Counts only, never a value.
/// `named`: the run audited several datasets, so each section says which.
fn dataset_section(
    dataset: &DatasetView<'_>,
    named: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if named {
        writeln!(out, "### Dataset {}", code(dataset.input))?;
    } else {
        writeln!(out, "### Dataset")?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} row{} in {} equivalence class{}; column roles from `{}`.",
        dataset.rows,
        if dataset.rows == 1 { "" } else { "s" },
        dataset.classes,
        if dataset.classes == 1 { "" } else { "es" },
        code(dataset.roles_from)
    )?;
    writeln!(out)?;
    if !dataset.metrics.is_empty() {
        writeln!(out, "| metric | value |")?;
        writeln!(out, "|---|---:|")?;
        for metric in &dataset.metrics {
            writeln!(
                out,
                "| {} | {} |",
                escape(metric.name),
                escape(&metric.value)
            )?;
        }
        writeln!(out)?;
    }
    writeln!(out, "| column | role | type | present | distinct |")?;
    writeln!(out, "|---|---|---|---:|---:|")?;
    for column in dataset.columns {
        writeln!(
            out,
            "| `{}`{} | {} | {} | {} | {} |",
            code(&column.name),
            if column.described {
                ""
            } else {
                " (not described)"
            },
            escape(column.role.as_str()),
            column.value_type.as_deref().map_or("–".to_owned(), escape),
            column.present,
            column.distinct.map_or("–".to_owned(), |d| d.to_string())
        )?;
    }
    writeln!(out)
}

/// Each flow met or not per profile; then, for two or more profiles, each
/// pair of profiles per flow: whether the flow meets both, and the MUST
/// findings in the way with their requirement.
/// `named`: the run judged several declarations, so each section says
/// which.
fn matrix_section(
    view: &View<'_>,
    matrix: &MatrixView<'_>,
    named: bool,
    cited_before: &super::Cited,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if named {
        writeln!(out, "### Flows by profile: {}", code(matrix.declaration))?;
    } else {
        writeln!(out, "### Flows by profile")?;
    }
    writeln!(out)?;
    let header: Vec<String> = matrix.profiles.iter().map(|p| escape(p)).collect();
    writeln!(out, "| flow | {} |", header.join(" | "))?;
    writeln!(out, "|---|{}", "---|".repeat(matrix.profiles.len()))?;
    for row in matrix.flows {
        let cells: Vec<&str> = row
            .met
            .iter()
            .map(|cell| if cell.met { "met" } else { "**not met**" })
            .collect();
        writeln!(out, "| `{}` | {} |", code(&row.flow), cells.join(" | "))?;
    }
    writeln!(out)?;
    let mut readings = false;
    for row in matrix.flows {
        for cell in &row.met {
            if let Some(reading) = &cell.reading {
                writeln!(
                    out,
                    "- `{}` under {}: {}",
                    code(&row.flow),
                    escape(&cell.profile),
                    escape(reading)
                )?;
                readings = true;
            }
        }
    }
    if readings {
        writeln!(out)?;
    }
    if !matrix.has_pairs() {
        return Ok(());
    }
    writeln!(out, "### Pairs of profiles")?;
    writeln!(out)?;
    writeln!(out, "| flow | profiles | both met | in the way |")?;
    writeln!(out, "|---|---|---|---|")?;
    for row in matrix.flows {
        for pair in &row.pairs {
            let needed: Vec<String> = pair
                .needed
                .iter()
                .map(|b| {
                    let cited = view.blocker_citations(b);
                    let cited = if cited.is_empty() {
                        String::new()
                    } else {
                        let cited = cited_before.once(&b.requirement, &b.profile, cited);
                        format!(" ({} cites: {})", escape(&b.profile), escape(&cited))
                    };
                    let reading = b
                        .reading
                        .as_ref()
                        .map_or_else(String::new, |r| format!(" ({})", escape(r)));
                    format!(
                        "{} `{}`{reading}: {}{cited}",
                        escape(&b.profile),
                        code(&b.requirement),
                        prose(&b.message)
                    )
                })
                .collect();
            writeln!(
                out,
                "| `{}` | {} + {} | {} | {} |",
                code(&row.flow),
                escape(&pair.left),
                escape(&pair.right),
                if pair.both { "yes" } else { "**no**" },
                if needed.is_empty() {
                    "–".to_owned()
                } else {
                    needed.join("<br>")
                }
            )?;
        }
    }
    writeln!(out)
}

/// Requirements that did not pass under some profile, the most severe
/// first.
fn not_passing(report: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    let rows = report.not_passing();
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "### Requirements not passing")?;
    writeln!(out)?;
    writeln!(out, "| verdict | requirement | title | profiles |")?;
    writeln!(out, "|---|---|---|---|")?;
    for requirement in rows {
        let under: Vec<String> = requirement
            .under
            .iter()
            .filter(|u| !matches!(u.result.verdict, Verdict::Pass | Verdict::Skip))
            .map(|u| format!("{}: {}", u.profile, u.result.verdict.as_str()))
            .collect();
        writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            requirement.worst.as_str().to_uppercase(),
            code(requirement.id),
            escape(requirement.title),
            escape(&under.join(", "))
        )?;
    }
    writeln!(out)
}

fn findings(
    report: &View<'_>,
    cited_before: &super::Cited,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if report.findings.is_empty() {
        return Ok(());
    }
    let mut ordered: Vec<&FindingView> = report.findings.iter().collect();
    ordered.sort_by_key(|f| std::cmp::Reverse(worst(f).severity()));
    writeln!(
        out,
        "<details><summary>Findings ({})</summary>",
        report.findings.len()
    )?;
    writeln!(out)?;
    for finding in ordered.iter().take(MAX_LISTED) {
        let waiver = finding
            .waiver
            .map_or_else(String::new, |w| format!(" (waived: `{}`)", code(w)));
        writeln!(
            out,
            "- **{}** `{}` {}: {}{waiver}",
            worst(finding).as_str().to_uppercase(),
            code(finding.requirement),
            escape(&finding.location.to_string()),
            prose(finding.message)
        )?;
        for (profile, reading) in finding.readings {
            writeln!(out, "  - {}: {}", escape(profile), escape(reading))?;
        }
        for conflict in finding.conflicts {
            let [what, standard, profile] = super::conflict_lines(conflict);
            writeln!(out, "  - {}", escape(&what))?;
            writeln!(out, "    - {}", escape(&standard))?;
            writeln!(out, "    - {}", escape(&profile))?;
        }
        if !report.matrices.is_empty() {
            for (profile, cited) in report.finding_citations(finding) {
                let cited =
                    cited_before.once(finding.requirement, profile, super::cite_line(&cited));
                writeln!(out, "  - {} cites: {}", escape(profile), escape(&cited))?;
            }
        }
        if let Some(command) = finding.reproduce() {
            // A fence longer than any run of backticks in the command.
            let longest = command.split(|c| c != '`').map(str::len).max().unwrap_or(0);
            let fence = "`".repeat(longest.max(2) + 1);
            let command = command.replace('\r', "").replace('\n', "\n  ");
            writeln!(out, "\n  {fence}sh\n  {command}\n  {fence}")?;
        }
    }
    if ordered.len() > MAX_LISTED {
        let elsewhere = if super::html::lists_every_finding(report) {
            "see the JSON, SARIF or HTML report"
        } else {
            "see the JSON or SARIF report (the HTML report lists the first of each requirement only)"
        };
        writeln!(
            out,
            "- … and {} more: {elsewhere}",
            ordered.len() - MAX_LISTED
        )?;
    }
    writeln!(out)?;
    writeln!(out, "</details>")?;
    writeln!(out)
}

fn worst(finding: &FindingView<'_>) -> Verdict {
    finding.worst.unwrap_or(Verdict::Pass)
}

/// Requirements listed by name in a collapsed block, with their level and
/// verdict under each profile and, for those that did not apply, why.
fn collapsed(
    summary: &str,
    rows: &[&RequirementView<'_>],
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "<details><summary>{summary} ({})</summary>",
        rows.len()
    )?;
    writeln!(out)?;
    writeln!(out, "| requirement | title | profiles |")?;
    writeln!(out, "|---|---|---|")?;
    for requirement in rows {
        let under: Vec<String> = requirement
            .under
            .iter()
            .map(|u| {
                let reason = u
                    .result
                    .reason
                    .as_deref()
                    .map_or_else(String::new, |r| format!(" ({r})"));
                format!(
                    "{}: {} {}{reason}",
                    u.profile,
                    u.result.level.as_str(),
                    u.result.verdict.as_str()
                )
            })
            .collect();
        let under = if under.is_empty() {
            "–".to_owned()
        } else {
            prose(&under.join(", "))
        };
        writeln!(
            out,
            "| `{}` | {} | {under} |",
            code(requirement.id),
            escape(requirement.title)
        )?;
    }
    writeln!(out)?;
    writeln!(out, "</details>")?;
    writeln!(out)
}

fn waivers(report: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    if report.waivers.is_empty() {
        return Ok(());
    }
    writeln!(out, "### Waivers")?;
    writeln!(out)?;
    writeln!(
        out,
        "| status | waiver | requirement | subject | approved by | expires | findings | justification |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|---:|---|")?;
    for w in report.waivers {
        let status = match w.status {
            WaiverStatus::Expired => "**expired**",
            WaiverStatus::Active => "active",
            WaiverStatus::Unmatched => "unmatched",
        };
        writeln!(
            out,
            "| {status} | `{}` | `{}` | {} | {} | {} | {} | {} |",
            code(&w.id),
            code(&w.requirement),
            w.subject
                .as_deref()
                .map_or_else(|| "all".to_owned(), |s| format!("`{}`", code(s))),
            escape(&w.approved_by),
            escape(&w.expires),
            w.matched,
            escape(&w.justification)
        )?;
    }
    writeln!(out)
}

/// Text safe in Markdown prose and table cells: Markdown and HTML
/// punctuation escaped, line breaks flattened.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A finding's message: its backtick-quoted names stay code spans, the
/// rest is escaped; with unbalanced backticks everything is escaped.
fn prose(text: &str) -> String {
    if text.matches('`').count() % 2 == 1 {
        return escape(text);
    }
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("`{}`", code(part))
            } else {
                escape(part)
            }
        })
        .collect()
}

/// Text safe inside a code span in a table cell (an empty one becomes a
/// space, so that the span stays a span).
fn code(text: &str) -> String {
    if text.is_empty() {
        return " ".to_owned();
    }
    text.replace('`', "'")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

#[cfg(test)]
mod tests {
    use super::prose;

    #[test]
    fn quoted_names_stay_code_and_the_rest_is_escaped() {
        assert_eq!(
            prose("`/a|b` has *6* decimals <here>"),
            "`/a\\|b` has \\*6\\* decimals &lt;here&gt;"
        );
        assert_eq!(prose("odd ` tick"), "odd \\` tick");
        assert_eq!(prose("``"), "` `");
    }
}
