//! One self-contained HTML page for people: no script, no external asset
//! (inline CSS, an inline SVG chart), so it can be mailed, archived or
//! opened offline. The summary comes first (the result, a chart and a
//! table per profile and area), then the requirements that did not pass,
//! failing ones first, each finding with its location and evidence
//! (secrets redacted), then waivers and provenance.
//!
//! Built with `maud`: the markup is checked at compile time and every
//! interpolated value is escaped.

use std::collections::BTreeMap;
use std::io::Write;

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::redact::redact;
use crate::catalog::Area;
use crate::model::{Finding, ProfileResult, Report, RequirementInfo, Verdict, WaiverStatus};

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
"#;

pub(super) fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    let page = page(report);
    out.write_all(page.into_string().as_bytes())?;
    writeln!(out)
}

fn page(report: &Report) -> Markup {
    let s = &report.summary;
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
                    @if s.met { span.badge.met { "met" } } @else { span.badge."not-met" { "not met" } }
                }
                p.meta {
                    "Generated " (report.generated_at) " by " (report.tool.name) " " (report.tool.version) ". "
                    span id="count-findings" data-count=(s.findings) { (s.findings) " findings" }
                    @if s.waived > 0 { " (" span id="count-waived" data-count=(s.waived) { (s.waived) " waived" } ")" }
                    " over " (s.subjects) " subjects from " (report.inputs.len()) " inputs; "
                    span id="count-input-errors" data-count=(s.input_errors) { (s.input_errors) " could not be checked" } "."
                }
                @if s.expired_waivers > 0 {
                    p.warning id="expired-warning" {
                        strong { (s.expired_waivers) " expired waiver(s)" }
                        " fail the run: renew the approval or fix the findings (see Waivers)."
                    }
                }
                (summary(report))
                (requirements(report))
                (waivers(report))
                (inputs_and_provenance(report))
            }
        }
    }
}

fn summary(report: &Report) -> Markup {
    let areas = areas(report);
    html! {
        section id="summary" {
            h2 { "Summary" }
            (chart(&report.profiles))
            table id="profiles" {
                thead { tr {
                    th { "profile" } th { "result" }
                    @for area in &areas { th { (area.as_str()) } }
                } }
                tbody {
                    @for profile in &report.profiles {
                        tr data-profile=(profile.id) {
                            td { strong { (profile.id) } " " (profile.title) }
                            td { @if profile.met { span.badge.met { "met" } } @else { span.badge."not-met" { "not met" } } }
                            @for area in &areas { td { (area_cell(report, profile, *area)) } }
                        }
                    }
                }
            }
        }
    }
}

/// The areas of the requirements in the report, in catalogue order.
fn areas(report: &Report) -> Vec<Area> {
    let mut areas: Vec<Area> = report.requirements.iter().map(|r| r.area).collect();
    areas.sort();
    areas.dedup();
    areas
}

fn area_cell(report: &Report, profile: &ProfileResult, area: Area) -> Markup {
    let mut tally: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut worst = Verdict::Skip;
    for result in &profile.results {
        let in_area = report
            .requirements
            .iter()
            .any(|r| r.id == result.requirement && r.area == area);
        if in_area {
            *tally.entry(result.verdict.as_str()).or_default() += 1;
            if result.verdict.severity() > worst.severity() {
                worst = result.verdict;
            }
        }
    }
    html! {
        @if tally.is_empty() { "–" } @else {
            span class={ "badge v-" (worst.as_str()) } { (worst.as_str()) }
            " "
            @for (i, (verdict, n)) in tally.iter().enumerate() {
                @if i > 0 { ", " } (n) " " (verdict)
            }
        }
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
    count: usize,
    x: f64,
    width: f64,
}

/// The segments of `profile`'s bar, in [`STACK`] order, empty ones left out.
fn segments(profile: &ProfileResult) -> Vec<Segment> {
    let total = profile.results.len().max(1) as f64;
    let mut x = CHART_LABEL;
    let mut out = Vec::new();
    for verdict in STACK {
        let count = profile
            .results
            .iter()
            .filter(|r| r.verdict == verdict)
            .count();
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
fn chart(profiles: &[ProfileResult]) -> Markup {
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

/// Requirements that did not pass under some profile, most severe first,
/// each with its findings.
fn requirements(report: &Report) -> Markup {
    let mut rows: Vec<(Verdict, &RequirementInfo)> = report
        .requirements
        .iter()
        .map(|info| (worst_result(report, &info.id), info))
        .filter(|(v, _)| !matches!(v, Verdict::Pass | Verdict::Skip))
        .collect();
    rows.sort_by_key(|(v, info)| (std::cmp::Reverse(v.severity()), info.id.clone()));
    html! {
        section id="findings" {
            h2 { "Requirements not passing" }
            @if rows.is_empty() { p { "Every requirement passed or did not apply." } }
            @for (verdict, info) in &rows {
                (requirement(report, *verdict, info))
            }
        }
    }
}

fn worst_result(report: &Report, id: &str) -> Verdict {
    report
        .profiles
        .iter()
        .flat_map(|p| &p.results)
        .filter(|r| r.requirement == id)
        .map(|r| r.verdict)
        .max_by_key(|v| v.severity())
        .unwrap_or(Verdict::Skip)
}

fn requirement(report: &Report, verdict: Verdict, info: &RequirementInfo) -> Markup {
    let findings: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.requirement == info.id)
        .collect();
    html! {
        section.requirement id={ "req-" (info.id) } data-verdict=(verdict.as_str()) {
            h3 {
                span class={ "badge v-" (verdict.as_str()) } { (verdict.as_str()) } " "
                code { (info.id) } " " (info.title)
            }
            p { (info.statement) }
            p.meta {
                (info.area.as_str()) ". Sources: "
                @for (i, c) in info.clauses.iter().enumerate() {
                    @if i > 0 { "; " } (c.source) " " (c.clause)
                }
                ". Under: "
                @for (i, p) in report.profiles.iter().enumerate() {
                    @if let Some(r) = p.results.iter().find(|r| r.requirement == info.id) {
                        @if i > 0 { ", " }
                        (p.id) " " (r.level.as_str()) " " (r.verdict.as_str())
                        " (" (r.counts.pass) " pass, " (r.counts.fail) " fail, " (r.counts.warn) " warn, "
                        (r.counts.error) " error, " (r.counts.waived) " waived)"
                        @if let Some(reason) = &r.reason { ": " (reason) }
                    }
                }
            }
            @for finding in findings.iter().take(MAX_LISTED) { (finding_markup(finding)) }
            @if findings.len() > MAX_LISTED {
                p { "… and " (findings.len() - MAX_LISTED) " more in the JSON report." }
            }
        }
    }
}

fn finding_markup(finding: &Finding) -> Markup {
    let evidence = finding
        .evidence
        .as_ref()
        .map(|e| serde_json::to_string_pretty(&redact(e)).unwrap_or_default());
    html! {
        article.finding data-waived=(finding.waiver.is_some()) {
            div.where { (finding.location.to_string()) }
            div {
                (finding.message) " "
                @for (profile, verdict) in &finding.verdicts {
                    span class={ "badge v-" (verdict.as_str()) } title=(profile) { (profile) ": " (verdict.as_str()) } " "
                }
                @if let Some(w) = &finding.waiver { " waived by " code { (w) } }
            }
            @if let Some(evidence) = evidence { pre.evidence { (evidence) } }
        }
    }
}

fn waivers(report: &Report) -> Markup {
    html! {
        @if !report.waivers.is_empty() {
            section id="waivers" {
                h2 { "Waivers" }
                table {
                    thead { tr { th { "status" } th { "waiver" } th { "requirement" } th { "subject" }
                        th { "approved by" } th { "expires" } th { "findings" } th { "justification" } } }
                    tbody {
                        @for w in &report.waivers {
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

fn inputs_and_provenance(report: &Report) -> Markup {
    html! {
        section id="inputs" {
            h2 { "Inputs" }
            table {
                thead { tr { th { "path" } th { "format" } th { "records" } } }
                tbody { @for i in &report.inputs { tr { td { code { (i.path) } } td { (i.format) } td.num { (i.records) } } } }
            }
            @if let Some(p) = &report.provenance {
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
            @if let Some(sig) = &report.signature {
                p id="signature" { "Signed (" (sig.algorithm) ") by key " code { (sig.key_id) }
                    "; check with " code { "cityconform verify REPORT --public-key KEY" } " on the JSON report." }
            }
        }
    }
}
