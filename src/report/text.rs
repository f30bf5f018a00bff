//! The terminal report: findings grouped by requirement (failures first),
//! then one verdict table per profile, then the overall result. Colour only
//! when asked (the CLI asks only on a terminal).

use std::io::Write;

use super::{DatasetView, FindingView, ProfileView, Renderer, RequirementView, TextOptions, View};
use crate::model::{Command, InputFormat, Verdict, WaiverStatus};

/// The text renderer, with its colour and finding limit.
pub(super) struct Text {
    /// How it presents itself.
    pub(super) options: TextOptions,
}

impl Renderer for Text {
    fn render(&self, view: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        let paint = Paint {
            color: self.options.color,
        };
        header(view, self.options.heading, out)?;
        law(view, out)?;
        let failures_only = self.options.failures_only;
        let several = view.datasets.len() > 1;
        for dataset in view.datasets.iter().filter(|_| !failures_only) {
            dataset_block(dataset, several, out)?;
        }
        let cited = super::Cited::default();
        findings(view, self.options, &paint, &cited, out)?;
        let show_waived = view.summary.waived > 0;
        for profile in &view.profiles {
            profile_table(profile, show_waived, failures_only, &paint, out)?;
        }
        for matrix in view.matrices.iter().filter(|_| !failures_only) {
            super::matrix::render_text(view, matrix, paint.color, &cited, out)?;
        }
        waivers(view, out)?;
        footer(view, &paint, out)
    }
}

struct Paint {
    color: bool,
}

impl Paint {
    fn verdict(&self, verdict: Verdict) -> String {
        let word = format!("{:<5}", verdict.as_str().to_uppercase());
        if !self.color {
            return word;
        }
        let code = match verdict {
            Verdict::Pass => "32",
            Verdict::Fail => "1;31",
            Verdict::Warn => "33",
            Verdict::Skip => "2",
            Verdict::Error => "1;35",
            Verdict::Waived => "36",
        };
        format!("\x1b[{code}m{word}\x1b[0m")
    }

    fn met(&self, met: bool) -> String {
        let (word, code) = if met {
            ("MET", "1;32")
        } else {
            ("NOT MET", "1;31")
        };
        if self.color {
            format!("\x1b[{code}m{word}\x1b[0m")
        } else {
            word.to_owned()
        }
    }
}

/// The first line: the command (or `heading`), what was judged, the
/// profiles.
fn header(report: &View<'_>, heading: Option<&str>, out: &mut dyn Write) -> std::io::Result<()> {
    let command = heading.map_or_else(|| report.command.to_string(), str::to_owned);
    let records: u64 = report.inputs.iter().map(|i| i.records).sum();
    let profiles: Vec<&str> = report.profiles.iter().map(|p| p.id).collect();
    // A declaration's subjects are its flows.
    let noun = if !report.matrices.is_empty() {
        "flow"
    } else {
        "record"
    };
    if let Some(live) = report.inputs.iter().find(|i| i.format == InputFormat::Http) {
        // A live audit: one platform, requests rather than files.
        writeln!(
            out,
            "cityconform {}: {} request{} to {}; {} subject{} checked; profile{} {}",
            report.command,
            live.records,
            plural(live.records),
            live.path,
            report.summary.subjects,
            plural(report.summary.subjects),
            plural(profiles.len() as u64),
            profiles.join(", ")
        )?;
        return writeln!(out);
    }
    if report.command == Command::Check {
        // Several kinds of input (records, rows, flows, requests): count
        // what was judged rather than name one kind.
        let subjects = report.summary.subjects;
        writeln!(
            out,
            "cityconform check: {subjects} subject{} from {} input{}; profile{} {}",
            plural(subjects),
            report.inputs.len(),
            plural(report.inputs.len() as u64),
            plural(profiles.len() as u64),
            profiles.join(", ")
        )?;
        return writeln!(out);
    }
    writeln!(
        out,
        "cityconform {command}: {records} {noun}{} in {} file{}; profile{} {}",
        plural(records),
        report.inputs.len(),
        plural(report.inputs.len() as u64),
        plural(profiles.len() as u64),
        profiles.join(", ")
    )?;
    writeln!(out)
}

/// The day the law was read on and the lists used, then any warning about
/// their age.
fn law(view: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "{}", view.law.notice)?;
    for warning in view.law.warnings() {
        writeln!(out, "warning: {warning}")?;
    }
    writeln!(out)
}

/// Findings grouped by requirement, the most severe requirements first.
fn findings(
    view: &View<'_>,
    options: TextOptions,
    paint: &Paint,
    cited: &super::Cited,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if view.findings.is_empty() {
        return Ok(());
    }
    let requirements: Vec<&RequirementView> = view
        .not_passing()
        .into_iter()
        .filter(|r| r.has_findings())
        .collect();
    writeln!(out, "Findings")?;
    for requirement in requirements {
        writeln!(
            out,
            "  {} {}  {}",
            paint.verdict(requirement.worst),
            requirement.id,
            requirement.title
        )?;
        let listed: Vec<&FindingView> = view.findings_of(requirement).collect();
        if !view.matrices.is_empty() {
            cited_clauses(view, requirement, &listed, cited, out)?;
        }
        for finding in listed.iter().take(options.max_findings) {
            writeln!(out, "        {}", finding.location)?;
            writeln!(
                out,
                "          {}{}{}",
                finding.message,
                profile_note(finding, view),
                waiver_note(finding)
            )?;
            for (profile, reading) in finding.readings {
                writeln!(out, "          {profile}: {reading}")?;
            }
            for conflict in finding.conflicts {
                let [what, standard, profile] = super::conflict_lines(conflict);
                writeln!(out, "          {what}")?;
                writeln!(out, "            {standard}")?;
                writeln!(out, "            {profile}")?;
            }
            if let Some(command) = finding.reproduce() {
                writeln!(out, "          reproduce: {command}")?;
            }
        }
        if listed.len() > options.max_findings {
            writeln!(
                out,
                "        ... and {} more (write all with --report json=PATH)",
                listed.len() - options.max_findings
            )?;
        }
    }
    writeln!(out)
}

/// The clauses each profile its findings speak for cites, for
/// declaration reports, where a regulator reads the verdict against the
/// text it comes from: a finding under `in` alone cites `in`'s clauses.
fn cited_clauses(
    view: &View<'_>,
    requirement: &RequirementView<'_>,
    findings: &[&FindingView<'_>],
    cited_before: &super::Cited,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let speaks_for = |p: &str| findings.iter().any(|f| f.verdicts.contains_key(p));
    for (profile, cited) in view.citations_of(requirement.id, speaks_for) {
        let cited = cited_before.once(requirement.id, profile, super::cite_line(&cited));
        writeln!(out, "        {profile} cites: {cited}")?;
    }
    Ok(())
}

/// "[kr: fail, baseline: warn]" when profiles disagree or not all apply.
fn profile_note(finding: &FindingView<'_>, report: &View<'_>) -> String {
    let first = finding.verdicts.values().next();
    let uniform = finding.verdicts.values().all(|v| Some(v) == first);
    if uniform && finding.verdicts.len() == report.profiles.len() {
        return String::new();
    }
    let parts: Vec<String> = report
        .verdicts_in_order(finding)
        .into_iter()
        .map(|(p, v)| format!("{p}: {}", v.as_str()))
        .collect();
    format!("  [{}]", parts.join(", "))
}

/// "  (waived: W1)" for a covered finding.
fn waiver_note(finding: &FindingView<'_>) -> String {
    finding
        .waiver
        .map_or_else(String::new, |id| format!("  (waived: {id})"))
}

/// A profile's verdict and its requirement rows: every row, or with
/// `failures_only` those that failed, errored or warned (a profile with
/// none shows only its verdict line).
fn profile_table(
    profile: &ProfileView<'_>,
    show_waived: bool,
    failures_only: bool,
    paint: &Paint,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(
        out,
        "Profile {} ({}): {}",
        profile.id,
        profile.title,
        paint.met(profile.met)
    )?;
    let rows: Vec<_> = profile
        .results
        .iter()
        .filter(|r| {
            !failures_only || matches!(r.verdict, Verdict::Fail | Verdict::Error | Verdict::Warn)
        })
        .collect();
    if rows.is_empty() && failures_only {
        return writeln!(out);
    }
    let width = rows
        .iter()
        .map(|r| r.requirement.len())
        .max()
        .unwrap_or(11)
        .max(11);
    write!(
        out,
        "  verdict  level   {:<width$}  {:>8} {:>8} {:>8} {:>8} {:>8}",
        "requirement", "pass", "fail", "warn", "skip", "error"
    )?;
    if show_waived {
        write!(out, " {:>8}", "waived")?;
    }
    writeln!(out)?;
    for result in rows {
        let c = result.counts;
        let gap = " ".repeat(9 - result.verdict.as_str().len().max(5));
        write!(
            out,
            "  {}{gap}{:<6}  {:<width$}  {:>8} {:>8} {:>8} {:>8} {:>8}",
            paint.verdict(result.verdict),
            result.level.as_str(),
            result.requirement,
            c.pass,
            c.fail,
            c.warn,
            c.skip,
            c.error
        )?;
        if show_waived {
            write!(out, " {:>8}", c.waived)?;
        }
        if let Some(reason) = &result.reason {
            write!(out, "  ({reason})")?;
        }
        writeln!(out)?;
    }
    writeln!(out)
}

/// Every waiver and what it did; expired ones say what to do.
fn waivers(report: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
    if report.waivers.is_empty() {
        return Ok(());
    }
    writeln!(out, "Waivers")?;
    for waiver in report.waivers {
        let subject = waiver
            .subject
            .as_deref()
            .map_or_else(String::new, |s| format!(" on {s}"));
        writeln!(
            out,
            "  {:<9} {}  {}{subject}, approved by {}, until {}",
            waiver.status.as_str().to_uppercase(),
            waiver.id,
            waiver.requirement,
            waiver.approved_by,
            waiver.expires
        )?;
        let note = match waiver.status {
            WaiverStatus::Active => format!(
                "covers {} finding{}: {}",
                waiver.matched,
                plural(waiver.matched),
                waiver.justification
            ),
            WaiverStatus::Expired => format!(
                "expired on {}: it covers nothing and fails the run; renew its approval or fix the findings",
                waiver.expires
            ),
            WaiverStatus::Unmatched => {
                "covers no finding: remove it, or check its requirement and subject".to_owned()
            }
        };
        writeln!(out, "            {note}")?;
    }
    writeln!(out)
}

fn footer(report: &View<'_>, paint: &Paint, out: &mut dyn Write) -> std::io::Result<()> {
    let not_met = report.profiles.iter().filter(|p| !p.met).count();
    let s = report.summary;
    write!(out, "Result: {}", paint.met(s.met))?;
    if not_met > 0 {
        write!(
            out,
            " ({not_met} of {} profiles not met)",
            report.profiles.len()
        )?;
    }
    write!(out, "; {} finding{}", s.findings, plural(s.findings))?;
    if s.waived > 0 {
        write!(out, " ({} waived)", s.waived)?;
    }
    writeln!(out)?;
    if s.findings_left_out > 0 {
        writeln!(
            out,
            "{} more finding{} counted but not listed (--keep-findings); the counts are exact",
            s.findings_left_out,
            plural(s.findings_left_out)
        )?;
    }
    if s.expired_waivers > 0 {
        writeln!(
            out,
            "{} waiver{} expired: the run fails until {} renewed or removed",
            s.expired_waivers,
            plural(s.expired_waivers),
            if s.expired_waivers == 1 {
                "it is"
            } else {
                "they are"
            }
        )?;
    }
    if s.input_errors > 0 {
        writeln!(
            out,
            "{} record{} could not be checked (not JSON, or no schema); fix the input: exit code 2",
            s.input_errors,
            plural(s.input_errors)
        )?;
    }
    Ok(())
}

/// What a dataset audit measured: counts and metrics, never a value.
/// `named`: the run audited several datasets, so each block says which.
fn dataset_block(
    dataset: &DatasetView<'_>,
    named: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if named {
        writeln!(
            out,
            "Dataset {} (roles from {})",
            dataset.input, dataset.roles_from
        )?;
    } else {
        writeln!(out, "Dataset (roles from {})", dataset.roles_from)?;
    }
    for column in dataset.columns {
        let kind = column
            .value_type
            .as_deref()
            .map_or(String::new(), |t| format!(", {t}"));
        let distinct = column
            .distinct
            .map_or(String::new(), |d| format!(", {d} distinct"));
        let found = if column.described {
            ""
        } else {
            " (not described)"
        };
        writeln!(
            out,
            "  {:<24} {}{kind}: {} present{distinct}{found}",
            column.name, column.role, column.present
        )?;
    }
    let mut metrics = vec![format!("{} classes", dataset.classes)];
    metrics.extend(
        dataset
            .metrics
            .iter()
            .map(|m| format!("{} {}", m.name, m.value)),
    );
    writeln!(out, "  {}", metrics.join("; "))?;
    writeln!(out)
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
