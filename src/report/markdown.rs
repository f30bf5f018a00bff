//! A Markdown summary, fit for a pull-request comment: the overall result,
//! one row per profile, the requirements that did not pass (failing ones
//! first), the first findings, and the waivers. Long lists are cut: the
//! comment points to the full reports instead of flooding the thread.

use std::io::Write;

use crate::model::{Finding, Report, Verdict, WaiverStatus};

/// Findings listed before "and N more".
const MAX_LISTED: usize = 50;

pub(super) fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    heading(report, out)?;
    profiles(report, out)?;
    requirements(report, out)?;
    findings(report, out)?;
    waivers(report, out)
}

fn heading(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let s = &report.summary;
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
        escape(&report.generated_at),
        escape(&report.tool.version)
    )?;
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

fn profiles(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    if report.profiles.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "| profile | result | pass | fail | warn | error | waived | skip |"
    )?;
    writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|")?;
    for profile in &report.profiles {
        let mut by_verdict = [0u64; 6];
        for result in &profile.results {
            by_verdict[column(result.verdict)] += 1;
        }
        writeln!(
            out,
            "| {} ({}) | {} | {} | {} | {} | {} | {} | {} |",
            escape(&profile.id),
            escape(&profile.title),
            if profile.met { "met" } else { "**not met**" },
            by_verdict[0],
            by_verdict[1],
            by_verdict[2],
            by_verdict[3],
            by_verdict[4],
            by_verdict[5]
        )?;
    }
    writeln!(out)?;
    writeln!(out, "Counts are requirements per verdict.")?;
    writeln!(out)
}

fn column(verdict: Verdict) -> usize {
    match verdict {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
        Verdict::Warn => 2,
        Verdict::Error => 3,
        Verdict::Waived => 4,
        Verdict::Skip => 5,
    }
}

/// Requirements that did not pass under some profile, the most severe
/// first.
fn requirements(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let mut rows: Vec<(Verdict, &str, Vec<String>)> = Vec::new();
    for info in &report.requirements {
        let mut worst = Verdict::Skip;
        let mut under = Vec::new();
        for profile in &report.profiles {
            if let Some(result) = profile
                .results
                .iter()
                .find(|r| r.requirement == info.id)
                .filter(|r| !matches!(r.verdict, Verdict::Pass | Verdict::Skip))
            {
                under.push(format!("{}: {}", profile.id, result.verdict.as_str()));
                if result.verdict.severity() > worst.severity() {
                    worst = result.verdict;
                }
            }
        }
        if !under.is_empty() {
            rows.push((worst, info.id.as_str(), under));
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    rows.sort_by_key(|(v, id, _)| (std::cmp::Reverse(v.severity()), *id));
    writeln!(out, "### Requirements not passing")?;
    writeln!(out)?;
    writeln!(out, "| verdict | requirement | title | profiles |")?;
    writeln!(out, "|---|---|---|---|")?;
    for (verdict, id, under) in rows {
        let title = report
            .requirements
            .iter()
            .find(|r| r.id == id)
            .map_or("", |r| r.title.as_str());
        writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            verdict.as_str().to_uppercase(),
            code(id),
            escape(title),
            escape(&under.join(", "))
        )?;
    }
    writeln!(out)
}

fn findings(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    if report.findings.is_empty() {
        return Ok(());
    }
    let mut ordered: Vec<&Finding> = report.findings.iter().collect();
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
            .as_ref()
            .map_or_else(String::new, |w| format!(" (waived: `{}`)", code(w)));
        writeln!(
            out,
            "- **{}** `{}` {}: {}{waiver}",
            worst(finding).as_str().to_uppercase(),
            code(&finding.requirement),
            escape(&finding.location.to_string()),
            prose(&finding.message)
        )?;
    }
    if ordered.len() > MAX_LISTED {
        writeln!(
            out,
            "- … and {} more: see the JSON, SARIF or HTML report",
            ordered.len() - MAX_LISTED
        )?;
    }
    writeln!(out)?;
    writeln!(out, "</details>")?;
    writeln!(out)
}

fn worst(finding: &Finding) -> Verdict {
    finding
        .verdicts
        .values()
        .copied()
        .max_by_key(|v| v.severity())
        .unwrap_or(Verdict::Pass)
}

fn waivers(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
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
    for w in &report.waivers {
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
