//! One self-contained HTML page for people: no script, no external asset
//! (inline CSS, an inline SVG chart), so it can be mailed, archived or
//! opened offline. The summary comes first (the result, a chart and a
//! table per profile and area), then what a dataset audit measured and the
//! flow matrix, then the requirements that did not pass, failing ones
//! first, each finding with its location and evidence (secrets redacted),
//! then the requirements that passed or did not apply (collapsed), then
//! waivers and provenance.
//!
//! Built with `maud`: the markup is checked at compile time and every
//! interpolated value is escaped.

use std::io::Write;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::{
    DatasetView, FindingView, MatrixView, ProfileView, Renderer, RequirementView, Tally, Under,
    View, cite_line,
};
use crate::model::{Verdict, WaiverStatus};

/// Findings shown per requirement before "and N more".
const MAX_LISTED: usize = 200;

/// Verdicts in the order the chart stacks them.
const STACK: [Verdict; 6] = [
    Verdict::Fail,
    Verdict::Error,
    Verdict::Warn,
    Verdict::Waived,
    Verdict::Pass,
    Verdict::Skip,
];

const CSS: &str = r#"
:root { --fail:#c62828; --error:#8e24aa; --warn:#ef6c00; --waived:#00838f; --pass:#2e7d32; --skip:#9e9e9e; }
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 1.5rem; color: #1d1d1f; }
h1 { margin: 0 0 .3rem; }
h1 .badge { font-size: .9rem; vertical-align: middle; }
.badge { display: inline-block; padding: .1rem .55rem; border-radius: .8rem; color: #fff; font-weight: 600; font-size: .8rem; text-transform: uppercase; }
.met { background: var(--pass); } .not-met { background: var(--fail); }
.v-fail { background: var(--fail); } .v-error { background: var(--error); } .v-warn { background: var(--warn); }
.v-waived { background: var(--waived); } .v-pass { background: var(--pass); } .v-skip { background: var(--skip); }
.meta { color: #555; margin: 0 0 1rem; }
table { border-collapse: collapse; margin: .5rem 0 1.2rem; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f5f5f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
section.requirement { border: 1px solid #ddd; border-left: 6px solid var(--skip); border-radius: 4px; padding: .4rem .9rem; margin: .8rem 0; }
section.requirement[data-verdict=fail] { border-left-color: var(--fail); }
section.requirement[data-verdict=error] { border-left-color: var(--error); }
section.requirement[data-verdict=warn] { border-left-color: var(--warn); }
section.requirement[data-verdict=waived] { border-left-color: var(--waived); }
.finding { border-top: 1px dashed #ddd; padding: .35rem 0; }
.finding .where { font-family: ui-monospace, monospace; font-size: .85rem; }
pre { background: #f5f5f7; padding: .4rem .6rem; overflow-x: auto; font-size: .8rem; margin: .3rem 0; }
.warning { background: #fdecea; border: 1px solid var(--fail); padding: .5rem .8rem; border-radius: 4px; }
.legend span { margin-right: 1rem; font-size: .85rem; }
.legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: middle; }
code { font-family: ui-monospace, monospace; }
details { margin: .8rem 0; }
summary { cursor: pointer; font-weight: 600; }
table.compact { width: auto; min-width: 16rem; }
ul.blockers { margin: 0; padding-left: 1.1rem; }
"#;

/// The HTML renderer.
pub(super) struct Html;

impl Renderer for Html {
    fn render(&self, view: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        let page = page(view);
        out.write_all(page.into_string().as_bytes())?;
        writeln!(out)
    }
}

fn page(report: &View<'_>) -> Markup {
    let s = report.summary;
    let cited = super::Cited::default();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "cityconform " (report.command) ": " (if s.met { "met" } else { "not met" }) }
                style { (PreEscaped(CSS)) }
            }
            body {
                h1 id="result" data-met=(s.met) {
                    "cityconform " (report.command) " "
                    (met_badge(s.met, "met", "not met"))
                }
                p.meta {
                    "Generated " (report.generated_at) " by " (report.tool.name) " " (report.tool.version) ". "
                    span id="count-findings" data-count=(s.findings) { (super::counted(s.findings, "finding", "findings")) }
                    @if s.waived > 0 { " (" span id="count-waived" data-count=(s.waived) { (s.waived) " waived" } ")" }
                    " over " (super::counted(s.subjects, "subject", "subjects")) " from " (super::counted(report.inputs.len() as u64, "input", "inputs")) "; "
                    span id="count-input-errors" data-count=(s.input_errors) { (s.input_errors) " could not be checked" } "."
                }
                @if let Some(sig) = report.signature {
                    // At the top, where a reader decides whether to trust
                    // the page, not under the collapsed provenance.
                    p id="signature" { "Signed (" (sig.algorithm) ") by key " code { (sig.key_id) }
                        "; check with " code { "cityconform verify REPORT --public-key KEY" } " on the JSON report." }
                }
                p.notice id="law" data-as-of=(report.law.as_of) { (report.law.notice) }
                @for warning in report.law.warnings() {
                    p.warning.list-age { (prose(&warning)) }
                }
                @if s.findings_left_out > 0 {
                    p id="findings-left-out" data-count=(s.findings_left_out) {
                        (super::counted(s.findings_left_out, "more finding", "more findings")) " counted but not listed (--keep-findings); the counts are exact."
                    }
                }
                @if s.expired_waivers > 0 {
                    p.warning id="expired-warning" {
                        strong { (super::counted(s.expired_waivers, "expired waiver", "expired waivers")) }
                        (if s.expired_waivers == 1 { " fails" } else { " fail" })
                        " the run: renew the approval or fix the findings (see Waivers)."
                    }
                }
                (summary(report))
                @for (i, dataset) in report.datasets.iter().enumerate() {
                    (dataset_section(dataset, &section_suffix(i, report.datasets.len())))
                }
                @for (i, matrix) in report.matrices.iter().enumerate() {
                    (matrix_section(report, matrix, &section_suffix(i, report.matrices.len()), &cited))
                }
                (requirements(report, &cited))
                (collapsed(report, "passing", "Requirements passing", Verdict::Pass))
                (collapsed(report, "skipped", "Requirements that did not apply", Verdict::Skip))
                (waivers(report))
                (inputs_and_provenance(report))
            }
        }
    }
}

fn summary(report: &View<'_>) -> Markup {
    let areas = &report.areas;
    html! {
        section id="summary" {
            h2 { "Summary" }
            (chart(&report.profiles))
            table id="profiles" {
                thead { tr {
                    th { "profile" } th { "result" }
                    @for area in areas { th { (area.as_str()) } }
                } }
                tbody {
                    @for profile in &report.profiles {
                        tr data-profile=(profile.id) {
                            td { strong { (profile.id) } " " (profile.title) }
                            td { (met_badge(profile.met, "met", "not met")) }
                            @for tally in &profile.by_area { td { (area_cell(tally)) } }
                        }
                    }
                }
            }
        }
    }
}

/// A profile's requirements in one area: the worst verdict as a badge,
/// then how many got each verdict, the most severe first.
fn area_cell(tally: &Tally) -> Markup {
    html! {
        @if let Some(worst) = tally.worst() {
            span class={ "badge v-" (worst.as_str()) } { (worst.as_str()) }
            " "
            @for (i, (verdict, n)) in tally.nonzero().enumerate() {
                @if i > 0 { ", " } (n) " " (verdict.as_str())
            }
        } @else { "–" }
    }
}

/// Chart geometry, in SVG user units.
const CHART_WIDTH: f64 = 640.0;
const CHART_LABEL: f64 = 140.0;
const CHART_ROW: f64 = 28.0;

/// One segment of a profile's bar: `count` requirements with `verdict`,
/// starting at `x`, `width` wide.
struct Segment {
    verdict: Verdict,
    count: u64,
    x: f64,
    width: f64,
}

/// The segments of `profile`'s bar, in [`STACK`] order, empty ones left out.
fn segments(profile: &ProfileView<'_>) -> Vec<Segment> {
    let total = profile.requirements.total().max(1) as f64;
    let mut x = CHART_LABEL;
    let mut out = Vec::new();
    for verdict in STACK {
        let count = profile.requirements.get(verdict);
        if count > 0 {
            let width = CHART_WIDTH * count as f64 / total;
            out.push(Segment {
                verdict,
                count,
                x,
                width,
            });
            x += width;
        }
    }
    out
}

/// A verdict's colour as a literal, for SVG `fill` (where not every
/// viewer resolves CSS variables); the same values as the page's CSS.
fn color(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Fail => "#c62828",
        Verdict::Error => "#8e24aa",
        Verdict::Warn => "#ef6c00",
        Verdict::Waived => "#00838f",
        Verdict::Pass => "#2e7d32",
        Verdict::Skip => "#9e9e9e",
    }
}

/// One stacked bar per profile: its requirements by verdict, with a legend.
fn chart(profiles: &[ProfileView<'_>]) -> Markup {
    let height = CHART_ROW * profiles.len().max(1) as f64 + 24.0;
    let legend_y = height - 6.0;
    html! {
        svg id="chart" role="img" aria-label="requirements per verdict, per profile"
            xmlns="http://www.w3.org/2000/svg" width=(CHART_WIDTH + CHART_LABEL) height=(height)
            viewBox={ "0 0 " (CHART_WIDTH + CHART_LABEL) " " (height) } {
            @for (row, profile) in profiles.iter().enumerate() {
                @let y = CHART_ROW * row as f64 + 4.0;
                text x="0" y=(y + 15.0) font-size="13" { (profile.id) }
                @for segment in segments(profile) {
                    @let name = segment.verdict.as_str();
                    rect class={ "bar v-" (name) } x=(format!("{:.1}", segment.x)) y=(y)
                        width=(format!("{:.1}", segment.width)) height=(CHART_ROW - 8.0)
                        fill=(color(segment.verdict)) data-count=(segment.count) {
                        title { (profile.id) ": " (segment.count) " " (name) }
                    }
                    @if segment.width > 18.0 {
                        text x=(format!("{:.1}", segment.x + 4.0)) y=(y + 15.0) font-size="12" fill="#fff" { (segment.count) }
                    }
                }
            }
            @for (i, verdict) in STACK.iter().enumerate() {
                @let x = CHART_LABEL + 90.0 * i as f64;
                rect x=(x) y=(legend_y - 10.0) width="10" height="10" fill=(color(*verdict)) {}
                text x=(x + 14.0) y=(legend_y) font-size="11" { (verdict.as_str()) }
            }
        }
    }
}

/// The suffix of the element IDs of section `i` of `count` alike: none
/// for a lone section (so its IDs stay stable), `-N` when a run has
/// several, so that every ID on the page is unique.
fn section_suffix(i: usize, count: usize) -> String {
    if count > 1 {
        format!("-{}", i + 1)
    } else {
        String::new()
    }
}

/// What a dataset audit measured: rows and classes, every anonymity metric
/// (a row each, keyed for machines by `data-metric`), then each column's
/// role, type and counts. Counts only, never a value of the data.
fn dataset_section(dataset: &DatasetView<'_>, suffix: &str) -> Markup {
    html! {
        section id={ "dataset" (suffix) } data-input=(dataset.input) {
            h2 { "Dataset" @if !suffix.is_empty() { " " code { (dataset.input) } } }
            p.meta {
                span id={ "dataset-rows" (suffix) } data-count=(dataset.rows) { (dataset.rows) " rows" } " in "
                span id={ "dataset-classes" (suffix) } data-count=(dataset.classes) { (dataset.classes) " equivalence classes" }
                "; column roles from " code { (dataset.roles_from) } "."
            }
            @if !dataset.metrics.is_empty() {
                table.compact id={ "dataset-metrics" (suffix) } {
                    thead { tr { th { "metric" } th { "value" } } }
                    tbody {
                        @for metric in &dataset.metrics {
                            tr data-metric=(metric.key) { th { (metric.name) } td.num { (metric.value) } }
                        }
                    }
                }
            }
            table id={ "dataset-columns" (suffix) } {
                thead { tr { th { "column" } th { "role" } th { "type" } th { "present" } th { "distinct" } } }
                tbody {
                    @for column in dataset.columns {
                        tr data-column=(column.name) data-role=(column.role) {
                            td { code { (column.name) } @if !column.described { " (not described)" } }
                            td { (column.role) }
                            td { (column.value_type.as_deref().unwrap_or("–")) }
                            td.num { (column.present) }
                            td.num { @if let Some(d) = column.distinct { (d) } @else { "–" } }
                        }
                    }
                }
            }
        }
    }
}

/// Each flow met or not per profile; then, with two or more profiles,
/// each flow and pair of profiles: whether the flow meets both, and the
/// MUST findings in the way, each with its profile and requirement.
fn matrix_section(
    report: &View<'_>,
    matrix: &MatrixView<'_>,
    suffix: &str,
    cited_before: &super::Cited,
) -> Markup {
    html! {
        section id={ "matrix" (suffix) } data-declaration=(matrix.declaration) {
            h2 { "Flows by profile" @if !suffix.is_empty() { ": " code { (matrix.declaration) } } }
            table id={ "flows" (suffix) } {
                thead { tr { th { "flow" } @for profile in matrix.profiles { th { (profile) } } } }
                tbody {
                    @for row in matrix.flows {
                        tr data-flow=(row.flow) {
                            td { code { (row.flow) } }
                            @for cell in &row.met {
                                td data-profile=(cell.profile) data-met=(cell.met) {
                                    (met_badge(cell.met, "met", "not met"))
                                    @if let Some(reading) = &cell.reading { br; span.reading { (reading) } }
                                }
                            }
                        }
                    }
                }
            }
            @if matrix.has_pairs() {
                h3 { "Pairs of profiles" }
                table id={ "pairs" (suffix) } {
                    thead { tr { th { "flow" } th { "profiles" } th { "both met" } th { "in the way" } } }
                    tbody {
                        @for row in matrix.flows {
                            @for pair in &row.pairs {
                                tr data-flow=(row.flow) data-pair={ (pair.left) "+" (pair.right) } data-both=(pair.both) {
                                    td { code { (row.flow) } }
                                    td { (pair.left) " + " (pair.right) }
                                    td { (met_badge(pair.both, "yes", "no")) }
                                    td {
                                        @if pair.needed.is_empty() { "–" } @else {
                                            ul.blockers {
                                                @for blocker in &pair.needed {
                                                    li data-requirement=(blocker.requirement) {
                                                        (blocker.profile) " "
                                                        a href={ "#req-" (blocker.requirement) } { code { (blocker.requirement) } }
                                                        @if let Some(reading) = &blocker.reading { " (" (reading) ")" }
                                                        ": " (prose(&blocker.message))
                                                        @let cited = report.blocker_citations(blocker);
                                                        @if !cited.is_empty() {
                                                            br; span.cites { (blocker.profile) " cites: " (cited_before.once(&blocker.requirement, &blocker.profile, cited)) }
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A green badge saying `yes` or a red one saying `no`.
fn met_badge(met: bool, yes: &str, no: &str) -> Markup {
    html! {
        @if met { span.badge.met { (yes) } } @else { span.badge."not-met" { (no) } }
    }
}

/// Requirements that did not pass under some profile, most severe first,
/// each with its findings.
fn requirements(report: &View<'_>, cited: &super::Cited) -> Markup {
    let rows = report.not_passing();
    html! {
        section id="findings" {
            h2 { "Requirements not passing" }
            @if rows.is_empty() { p { "Every requirement passed or did not apply." } }
            @for requirement in rows {
                (requirement_section(report, requirement, cited))
            }
        }
    }
}

/// The clauses a requirement is read from, each once, and its row under
/// each profile (level, verdict, counts, and why it was skipped or errored).
fn sources_and_rows(requirement: &RequirementView<'_>) -> Markup {
    html! {
        (requirement.area.as_str()) ". Sources: "
        @for (i, c) in requirement.citations.iter().enumerate() {
            @if i > 0 { "; " } (c.source) " " (c.clause)
        }
        @if requirement.under.is_empty() { ". Selected by no profile." } @else {
            ". Under: "
            @for (i, under) in requirement.under.iter().enumerate() {
                @if i > 0 { "; " }
                (under_text(under))
            }
        }
    }
}

/// "kr MUST fail (1 fail, 2 pass)": a profile's level and verdict, then how
/// many subjects got each verdict (the most severe first, none left out
/// but zeros), then why it was skipped or errored.
fn under_text(under: &Under<'_>) -> Markup {
    let r = under.result;
    let c = r.counts;
    let counted: Vec<String> = [
        (c.fail, Verdict::Fail),
        (c.error, Verdict::Error),
        (c.warn, Verdict::Warn),
        (c.waived, Verdict::Waived),
        (c.pass, Verdict::Pass),
        (c.skip, Verdict::Skip),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, v)| format!("{n} {}", v.as_str()))
    .collect();
    html! {
        (under.profile) " " (r.level.as_str()) " " (r.verdict.as_str())
        @if counted.is_empty() { " (no subject)" } @else { " (" (counted.join(", ")) ")" }
        @if let Some(reason) = &r.reason { ": " (prose(reason)) }
    }
}

fn requirement_section(
    report: &View<'_>,
    requirement: &RequirementView<'_>,
    cited: &super::Cited,
) -> Markup {
    let findings: Vec<&FindingView> = report.findings_of(requirement).collect();
    let verdict = requirement.worst;
    html! {
        section.requirement id={ "req-" (requirement.id) } data-verdict=(verdict.as_str()) {
            h3 {
                span class={ "badge v-" (verdict.as_str()) } { (verdict.as_str()) } " "
                code { (requirement.id) } " " (requirement.title)
            }
            p { (prose(requirement.statement)) }
            p.meta { (sources_and_rows(requirement)) }
            @for finding in findings.iter().take(MAX_LISTED) { (finding_markup(report, finding, cited)) }
            @if findings.len() > MAX_LISTED {
                p { "… and " (findings.len() - MAX_LISTED) " more in the JSON report." }
            }
        }
    }
}

fn finding_markup(
    report: &View<'_>,
    finding: &FindingView<'_>,
    cited_before: &super::Cited,
) -> Markup {
    // Declaration reports cite, under each finding, the clauses of the
    // profiles it speaks for, and no other region's.
    let cited = if report.matrices.is_empty() {
        Vec::new()
    } else {
        report.finding_citations(finding)
    };
    let evidence = finding
        .evidence
        .as_ref()
        .map(|e| serde_json::to_string_pretty(e).unwrap_or_default());
    html! {
        article.finding data-waived=(finding.waiver.is_some()) {
            div.where { (finding.location.to_string()) }
            div {
                (prose(finding.message)) " "
                @for (profile, verdict) in report.verdicts_in_order(finding) {
                    span class={ "badge v-" (verdict.as_str()) } title=(profile) { (profile) ": " (verdict.as_str()) } " "
                }
                @if let Some(w) = finding.waiver { " waived by " code { (w) } }
            }
            @for (profile, reading) in finding.readings {
                div.reading data-profile=(profile) { (profile) ": " (reading) }
            }
            @for conflict in finding.conflicts {
                @let [what, standard, profile] = super::conflict_lines(conflict);
                div.conflict data-profile=(conflict.profile) data-standard=(conflict.standard) {
                    (what) br; (standard) br; (profile)
                }
            }
            @for (profile, citations) in &cited {
                div.cites data-profile=(profile) { (profile) " cites: " (cited_before.once(finding.requirement, profile, cite_line(citations))) }
            }
            @if let Some(command) = finding.reproduce() { pre.reproduce { (command) } }
            @if let Some(evidence) = evidence { pre.evidence { (evidence) } }
        }
    }
}

/// The requirements whose worst verdict is `verdict` (passing, or not
/// applicable anywhere), listed by name in a collapsed block: a reader sees
/// what was checked, not only how many.
fn collapsed(report: &View<'_>, id: &str, heading: &str, verdict: Verdict) -> Markup {
    let rows = report.with_worst(verdict);
    html! {
        @if !rows.is_empty() {
            details id=(id) {
                summary { (heading) " (" span.count data-count=(rows.len()) { (rows.len()) } ")" }
                table {
                    thead { tr { th { "requirement" } th { "title" } th { "area, sources and verdicts" } } }
                    tbody {
                        @for requirement in &rows {
                            tr id={ "req-" (requirement.id) } data-verdict=(verdict.as_str()) {
                                td { code { (requirement.id) } }
                                td { (requirement.title) }
                                td { (sources_and_rows(requirement)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn waivers(report: &View<'_>) -> Markup {
    html! {
        @if !report.waivers.is_empty() {
            section id="waivers" {
                h2 { "Waivers" }
                table {
                    thead { tr { th { "status" } th { "waiver" } th { "requirement" } th { "subject" }
                        th { "approved by" } th { "expires" } th { "findings" } th { "justification" } } }
                    tbody {
                        @for w in report.waivers {
                            tr data-status=(w.status.as_str()) {
                                td { span class={ "badge " (status_class(w.status)) } { (w.status.as_str()) } }
                                td { code { (w.id) } } td { code { (w.requirement) } }
                                td { (w.subject.as_deref().unwrap_or("all")) }
                                td { (w.approved_by) } td { (w.expires) } td.num { (w.matched) }
                                td { (w.justification) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn status_class(status: WaiverStatus) -> &'static str {
    match status {
        WaiverStatus::Active => "v-waived",
        WaiverStatus::Expired => "v-fail",
        WaiverStatus::Unmatched => "v-skip",
    }
}

/// Text written with Markdown code spans (`kr`, `--as-of`), as the
/// catalogue and the messages write them: each span becomes a `code`
/// element, everything escaped. Text with an unpaired backtick is shown as
/// written.
fn prose(text: &str) -> Markup {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return html! { (text) };
    }
    html! {
        @for (i, part) in parts.iter().enumerate() {
            @if i % 2 == 1 { code { (part) } } @else { (part) }
        }
    }
}

/// Whether the HTML report of `report` lists every finding kept: no
/// requirement has more than it lists (the other formats point readers to
/// it only then).
pub(super) fn lists_every_finding(report: &View<'_>) -> bool {
    let mut per_requirement: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::new();
    for finding in &report.findings {
        *per_requirement.entry(finding.requirement).or_default() += 1;
    }
    per_requirement.values().all(|&n| n <= MAX_LISTED)
}

/// What an input's count counts, in words: "12 records", "40 requests".
fn input_count(input: &crate::model::InputSummary) -> String {
    let (one, many) = input.format.unit();
    super::counted(input.records, one, many)
}

fn inputs_and_provenance(report: &View<'_>) -> Markup {
    html! {
        section id="inputs" {
            h2 { "Inputs" }
            table {
                thead { tr { th { "path" } th { "format" } th { "read" } } }
                tbody { @for i in report.inputs { tr { td { code { (i.path) } } td { (i.format) } td.num { (input_count(i)) } } } }
            }
            @if let Some(p) = report.provenance {
                details id="provenance" {
                    summary { "Provenance: digests of what produced these verdicts" }
                    @if let Some(target) = &p.target { p { "Target: " code { (target) } } }
                    table {
                        thead { tr { th { "kind" } th { "name" } th { "digest" } } }
                        tbody {
                            @for (kind, map) in [("catalogue", &p.catalogue), ("profile", &p.profiles), ("list", &p.lists), ("live case", &p.live_cases), ("schema", &p.schemas), ("input", &p.inputs)] {
                                @for (name, digest) in map { tr { td { (kind) } td { code { (name) } } td { code { (digest) } } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::prose;

    #[test]
    fn code_spans_become_code_elements_and_everything_is_escaped() {
        assert_eq!(
            prose("profile `kr` <b> & `a<b`").into_string(),
            "profile <code>kr</code> &lt;b&gt; &amp; <code>a&lt;b</code>"
        );
    }

    #[test]
    fn an_unpaired_backtick_is_shown_as_written() {
        assert_eq!(prose("it's `odd").into_string(), "it's `odd");
    }
}
