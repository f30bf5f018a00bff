//! The report as renderers read it, derived once from a [`Report`]: each
//! requirement with its title, its worst verdict across profiles, its
//! clauses (each cited once) and its rows per profile; the findings with
//! their evidence already redacted; requirements counted per verdict,
//! profile and area; the dataset's measured figures, formatted; and the
//! flow matrix.
//!
//! Every format reads the same figures from here, so two formats cannot
//! disagree about a verdict or an order, and a format cannot print
//! evidence that still holds a credential: the unredacted evidence is not
//! reachable from the view.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::redact::redact;
use crate::catalog::{Area, StandardConflict};
use crate::model::{
    Blocker, CitedClause, ColumnSummary, Command, DatasetSummary, InputSummary, Law, Location,
    Matrix, MatrixRow, Provenance, Report, RequirementInfo, RequirementResult, Signature, Summary,
    Tool, Verdict, WaiverOutcome,
};

/// A report, digested for rendering. Built with [`View::new`].
#[derive(Debug)]
pub struct View<'a> {
    report: &'a Report,
    /// Whether redaction changed some evidence (then [`View::record`]
    /// copies the report).
    redacted: bool,
    /// Requirement ID to its position in `requirements`.
    index: HashMap<&'a str, usize>,
    /// The command that produced the report.
    pub command: Command,
    /// When, RFC 3339 UTC.
    pub generated_at: &'a str,
    /// The day the law was read on, the lists used and their warnings.
    pub law: &'a Law,
    /// The producing tool.
    pub tool: &'a Tool,
    /// What was checked.
    pub inputs: &'a [InputSummary],
    /// Totals.
    pub summary: &'a Summary,
    /// One entry per profile, in the order asked for.
    pub profiles: Vec<ProfileView<'a>>,
    /// The areas of the report's requirements, in catalogue order.
    pub areas: Vec<Area>,
    /// Every requirement the profiles selected, in the report's (ID) order.
    pub requirements: Vec<RequirementView<'a>>,
    /// Every finding, in the report's (input) order.
    pub findings: Vec<FindingView<'a>>,
    /// What each dataset audit measured, in job order.
    pub datasets: Vec<DatasetView<'a>>,
    /// Each declaration's flows by profile and by pair of profiles.
    pub matrices: Vec<MatrixView<'a>>,
    /// The waivers in force and what each did.
    pub waivers: &'a [WaiverOutcome],
    /// Digests of what produced the verdicts.
    pub provenance: Option<&'a Provenance>,
    /// The signature, when signed.
    pub signature: Option<&'a Signature>,
}

/// Every verdict, the least severe first (see [`Verdict::severity`]).
const BY_SEVERITY: [Verdict; 6] = [
    Verdict::Skip,
    Verdict::Pass,
    Verdict::Waived,
    Verdict::Warn,
    Verdict::Error,
    Verdict::Fail,
];

/// How many requirements (or subjects) got each verdict.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally([u64; 6]);

impl Tally {
    /// Counts one more `verdict`.
    pub fn add(&mut self, verdict: Verdict) {
        self.0[usize::from(verdict.severity())] += 1;
    }

    /// How many got `verdict`.
    pub fn get(&self, verdict: Verdict) -> u64 {
        self.0[usize::from(verdict.severity())]
    }

    /// The most severe verdict counted, if any.
    pub fn worst(&self) -> Option<Verdict> {
        BY_SEVERITY.into_iter().rev().find(|v| self.get(*v) > 0)
    }

    /// Everything counted.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// `(verdict, count)` for each verdict counted, most severe first.
    pub fn nonzero(&self) -> impl Iterator<Item = (Verdict, u64)> + '_ {
        BY_SEVERITY
            .into_iter()
            .rev()
            .map(|v| (v, self.get(v)))
            .filter(|(_, n)| *n > 0)
    }
}

/// One profile's results and how its requirements are spread over the
/// verdicts.
#[derive(Debug)]
pub struct ProfileView<'a> {
    /// Profile ID.
    pub id: &'a str,
    /// Profile title.
    pub title: &'a str,
    /// No MUST requirement failed or errored.
    pub met: bool,
    /// One row per selected requirement, in ID order.
    pub results: &'a [RequirementResult],
    /// Its requirements per verdict.
    pub requirements: Tally,
    /// Its requirements per verdict within each area, in the order of
    /// [`View::areas`].
    pub by_area: Vec<Tally>,
}

/// One requirement across the profiles.
#[derive(Debug)]
pub struct RequirementView<'a> {
    /// Stable ID.
    pub id: &'a str,
    /// One line.
    pub title: &'a str,
    /// The testable statement.
    pub statement: &'a str,
    /// The concern.
    pub area: Area,
    /// The clauses it is read from, each cited once, the catalogue's first.
    pub citations: Vec<Citation<'a>>,
    /// The most severe verdict under any profile; `skip` when no profile
    /// has a row for it.
    pub worst: Verdict,
    /// Every clause as the report cites it, with the citing profile.
    clauses: &'a [CitedClause],
    /// Its row under each profile that selects it, in profile order.
    pub under: Vec<Under<'a>>,
    /// Positions of its findings in [`View::findings`].
    findings: Vec<usize>,
}

impl<'a> RequirementView<'a> {
    /// Whether some finding is about this requirement.
    pub fn has_findings(&self) -> bool {
        !self.findings.is_empty()
    }

    /// The clauses `profile` cites for this requirement: the regional
    /// ones its lineage adds, else the requirement's own. A finding or a
    /// blocker under one profile cites these, never another region's.
    pub fn cited_by(&self, profile: &str) -> Vec<Citation<'a>> {
        let own = self
            .clauses
            .iter()
            .filter(|c| c.profile.as_deref() == Some(profile));
        let cited = citations(own);
        if cited.is_empty() {
            citations(self.clauses.iter().filter(|c| c.profile.is_none()))
        } else {
            cited
        }
    }
}

/// A clause of a public text, cited once however many profiles repeat it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citation<'a> {
    /// The text: "GDPR", "PIPA", ...
    pub source: &'a str,
    /// The clause within it: "Art. 28-2", ...
    pub clause: &'a str,
    /// Why it applies, from the catalogue and each profile that says so.
    pub notes: Vec<&'a str>,
}

/// A standard's conflict with a profile in three lines: what each side
/// needs and allows, then each side's clauses, so that a failure the rules
/// cause is not read as the payload's fault.
pub fn conflict_lines(conflict: &StandardConflict) -> [String; 3] {
    let cite = |clauses: &[crate::catalog::Clause]| {
        let cited: Vec<String> = clauses
            .iter()
            .map(|k| format!("{} {}", k.source, k.clause))
            .collect();
        cited.join("; ")
    };
    let whose = if conflict.requirement_clauses {
        " (the requirement's own; it adds none)"
    } else {
        ""
    };
    [
        format!(
            "conflict between the standard {} and the profile {}: {} needs {} {} for {} {}; {} allows {}",
            conflict.standard,
            conflict.profile,
            conflict.standard,
            conflict.param,
            conflict.needs,
            conflict.entity,
            conflict.fields.join(", "),
            conflict.profile,
            conflict.allows
        ),
        format!(
            "{} cites: {}",
            conflict.standard,
            cite(std::slice::from_ref(&conflict.standard_clause))
        ),
        format!(
            "{} cites{whose}: {}",
            conflict.profile,
            cite(&conflict.profile_clauses)
        ),
    ]
}

/// "PIPA Art. 28-8(1); PIPA Art. 28-8(1)3": clauses as one line.
pub fn cite_line(citations: &[Citation<'_>]) -> String {
    let cited: Vec<String> = citations.iter().map(ToString::to_string).collect();
    cited.join("; ")
}

impl std::fmt::Display for Citation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.source, self.clause)
    }
}

/// A requirement's row under one profile.
#[derive(Debug, Clone, Copy)]
pub struct Under<'a> {
    /// The profile's ID.
    pub profile: &'a str,
    /// Its level, verdict, counts, parameters and reason there.
    pub result: &'a RequirementResult,
}

impl FindingView<'_> {
    /// The command that reproduces the finding's request, when its
    /// evidence carries one (`reproduce`, from a live audit).
    pub fn reproduce(&self) -> Option<&str> {
        self.evidence
            .as_ref()
            .and_then(|e| e.get("reproduce"))
            .and_then(Value::as_str)
    }
}

/// One finding, its evidence redacted.
#[derive(Debug)]
pub struct FindingView<'a> {
    /// Requirement ID.
    pub requirement: &'a str,
    /// The verdict under each profile that found it.
    pub verdicts: &'a BTreeMap<String, Verdict>,
    /// The most severe of `verdicts`.
    pub worst: Option<Verdict>,
    /// Where.
    pub location: &'a Location,
    /// What is wrong.
    pub message: &'a str,
    /// Structured detail, every secret-named member replaced.
    pub evidence: Option<Value>,
    /// The waiver covering it.
    pub waiver: Option<&'a str>,
    /// What each profile assumed when it read the subject as if it were
    /// its region's.
    pub readings: &'a BTreeMap<String, String>,
    /// The data standards whose requirement of the field a failing
    /// profile forbids.
    pub conflicts: &'a [StandardConflict],
}

/// What a dataset audit measured.
#[derive(Debug)]
pub struct DatasetView<'a> {
    /// The summary as recorded, for formats that carry it as data.
    pub summary: &'a DatasetSummary,
    /// The dataset, as its input names it.
    pub input: &'a str,
    /// Where the column roles came from.
    pub roles_from: &'a str,
    /// Rows read.
    pub rows: u64,
    /// Equivalence classes over the quasi-identifiers.
    pub classes: u64,
    /// Every column with its role, type and counts.
    pub columns: &'a [ColumnSummary],
    /// The anonymity metrics that could be measured, in a fixed order.
    pub metrics: Vec<Metric>,
}

/// One measured anonymity figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metric {
    /// A stable key for machines: `k`, `alpha`, `l-distinct`,
    /// `l-entropy`, `recursive-c-l`, `t`.
    pub key: &'static str,
    /// Its name for people.
    pub name: &'static str,
    /// Its value, written short (at most four decimals).
    pub value: String,
}

/// The flow matrix.
#[derive(Debug, Clone, Copy)]
pub struct MatrixView<'a> {
    /// The declaration, as its input names it.
    pub declaration: &'a str,
    /// The profiles, in the order asked for.
    pub profiles: &'a [String],
    /// One row per flow, in declaration order, with its pairs.
    pub flows: &'a [MatrixRow],
}

impl MatrixView<'_> {
    /// Whether there are pairs of profiles to compare.
    pub fn has_pairs(&self) -> bool {
        self.profiles.len() >= 2
    }
}

impl<'a> View<'a> {
    /// Digests `report`, redacting every finding's evidence.
    pub fn new(report: &'a Report) -> View<'a> {
        let mut areas: Vec<Area> = report.requirements.iter().map(|r| r.area).collect();
        areas.sort();
        areas.dedup();
        let index: HashMap<&str, usize> = report
            .requirements
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        let mut requirements: Vec<RequirementView> =
            report.requirements.iter().map(requirement).collect();
        let mut profiles = Vec::with_capacity(report.profiles.len());
        for profile in &report.profiles {
            let mut tally = Tally::default();
            let mut by_area = vec![Tally::default(); areas.len()];
            for result in &profile.results {
                tally.add(result.verdict);
                let Some(&at) = index.get(result.requirement.as_str()) else {
                    continue;
                };
                let requirement = &mut requirements[at];
                if let Ok(area) = areas.binary_search(&requirement.area) {
                    by_area[area].add(result.verdict);
                }
                if result.verdict.severity() > requirement.worst.severity() {
                    requirement.worst = result.verdict;
                }
                requirement.under.push(Under {
                    profile: &profile.id,
                    result,
                });
            }
            profiles.push(ProfileView {
                id: &profile.id,
                title: &profile.title,
                met: profile.met,
                results: &profile.results,
                requirements: tally,
                by_area,
            });
        }
        let mut redacted = false;
        let mut findings = Vec::with_capacity(report.findings.len());
        for (position, finding) in report.findings.iter().enumerate() {
            if let Some(&at) = index.get(finding.requirement.as_str()) {
                requirements[at].findings.push(position);
            }
            let evidence = finding.evidence.as_ref().map(|raw| {
                let clean = redact(raw);
                redacted |= &clean != raw;
                clean
            });
            findings.push(FindingView {
                requirement: &finding.requirement,
                verdicts: &finding.verdicts,
                worst: finding
                    .verdicts
                    .values()
                    .copied()
                    .max_by_key(|v| v.severity()),
                location: &finding.location,
                message: &finding.message,
                evidence,
                waiver: finding.waiver.as_deref(),
                readings: &finding.readings,
                conflicts: &finding.conflicts,
            });
        }
        View {
            report,
            redacted,
            index,
            command: report.command,
            generated_at: &report.generated_at,
            law: &report.law,
            tool: &report.tool,
            inputs: &report.inputs,
            summary: &report.summary,
            profiles,
            areas,
            requirements,
            findings,
            datasets: report.datasets.iter().map(dataset).collect(),
            matrices: report
                .matrices
                .iter()
                .map(|m: &Matrix| MatrixView {
                    declaration: &m.declaration,
                    profiles: &m.profiles,
                    flows: &m.flows,
                })
                .collect(),
            waivers: &report.waivers,
            provenance: report.provenance.as_ref(),
            signature: report.signature.as_ref(),
        }
    }

    /// The report as recorded (the JSON format): the model itself, with
    /// the redacted evidence. Copied only when redaction changed something.
    pub fn record(&self) -> Cow<'a, Report> {
        if !self.redacted {
            return Cow::Borrowed(self.report);
        }
        let mut clean = self.report.clone();
        for (finding, view) in clean.findings.iter_mut().zip(&self.findings) {
            finding.evidence.clone_from(&view.evidence);
        }
        Cow::Owned(clean)
    }

    /// The requirement `id`, when the report cites it.
    pub fn requirement(&self, id: &str) -> Option<&RequirementView<'a>> {
        self.index.get(id).map(|&at| &self.requirements[at])
    }

    /// The position of requirement `id` in [`View::requirements`].
    pub fn requirement_index(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// The URL a live finding's location names: `GET /path` joined to the
    /// origin of the audited platform, or a URL as written. `None` for a
    /// file, and for a request when the report audited no platform.
    pub fn request_url(&self, location_file: &str) -> Option<String> {
        if location_file.starts_with("http://") || location_file.starts_with("https://") {
            return Some(location_file.to_owned());
        }
        let (method, path) = location_file.split_once(' ')?;
        let is_method = !method.is_empty() && method.bytes().all(|b| b.is_ascii_uppercase());
        if !is_method || !path.starts_with('/') {
            return None;
        }
        let base = self
            .inputs
            .iter()
            .find(|i| i.format == crate::model::InputFormat::Http)?;
        Some(format!("{}{path}", origin(&base.path)))
    }

    /// A requirement's title, or nothing when the report does not cite it.
    pub fn title(&self, id: &str) -> &'a str {
        self.requirement(id).map_or("", |r| r.title)
    }

    /// The findings about `requirement`, in input order.
    pub fn findings_of<'v>(
        &'v self,
        requirement: &'v RequirementView<'a>,
    ) -> impl Iterator<Item = &'v FindingView<'a>> + 'v {
        requirement.findings.iter().map(|&at| &self.findings[at])
    }

    /// The findings about requirement `id` that profile `profile` found.
    pub fn findings_under<'v>(&'v self, id: &str, profile: &'v str) -> Vec<&'v FindingView<'a>> {
        self.requirement(id).map_or_else(Vec::new, |requirement| {
            self.findings_of(requirement)
                .filter(|f| f.verdicts.contains_key(profile))
                .collect()
        })
    }

    /// Requirements that did not pass under some profile (fail, error,
    /// warn, waived), the most severe first, then by ID.
    pub fn not_passing(&self) -> Vec<&RequirementView<'a>> {
        let mut rows: Vec<&RequirementView> = self
            .requirements
            .iter()
            .filter(|r| !matches!(r.worst, Verdict::Pass | Verdict::Skip))
            .collect();
        rows.sort_by_key(|r| (std::cmp::Reverse(r.worst.severity()), r.id));
        rows
    }

    /// `finding`'s verdict under each profile it speaks for, in the order
    /// the run named the profiles (`-p kr -p baseline` lists kr first).
    pub fn verdicts_in_order(&self, finding: &FindingView<'a>) -> Vec<(&'a str, Verdict)> {
        self.profiles
            .iter()
            .filter_map(|p| finding.verdicts.get(p.id).map(|&v| (p.id, v)))
            .collect()
    }

    /// For each profile `finding` speaks for (in the report's profile
    /// order), the clauses that profile cites for its requirement.
    pub fn finding_citations(
        &self,
        finding: &FindingView<'a>,
    ) -> Vec<(&'a str, Vec<Citation<'a>>)> {
        self.citations_of(finding.requirement, |p| finding.verdicts.contains_key(p))
    }

    /// For each profile `speaks_for` accepts (in the report's profile
    /// order), the clauses it cites for requirement `id`.
    pub fn citations_of(
        &self,
        id: &str,
        speaks_for: impl Fn(&str) -> bool,
    ) -> Vec<(&'a str, Vec<Citation<'a>>)> {
        let Some(requirement) = self.requirement(id) else {
            return Vec::new();
        };
        self.profiles
            .iter()
            .filter(|p| speaks_for(p.id))
            .map(|p| (p.id, requirement.cited_by(p.id)))
            .filter(|(_, cited)| !cited.is_empty())
            .collect()
    }

    /// The clauses a matrix blocker's profile cites for its requirement,
    /// as one line (empty when the report does not cite the requirement).
    pub fn blocker_citations(&self, blocker: &Blocker) -> String {
        self.requirement(&blocker.requirement)
            .map(|r| cite_line(&r.cited_by(&blocker.profile)))
            .unwrap_or_default()
    }

    /// Requirements whose worst verdict is `verdict`, in ID order.
    pub fn with_worst(&self, verdict: Verdict) -> Vec<&RequirementView<'a>> {
        self.requirements
            .iter()
            .filter(|r| r.worst == verdict)
            .collect()
    }
}

fn requirement(info: &RequirementInfo) -> RequirementView<'_> {
    RequirementView {
        id: &info.id,
        title: &info.title,
        statement: &info.statement,
        area: info.area,
        citations: citations(info.clauses.iter()),
        clauses: &info.clauses,
        worst: Verdict::Skip,
        under: Vec::new(),
        findings: Vec::new(),
    }
}

/// The clauses, each (source, clause) once: a profile that cites a clause
/// the catalogue already cites, with its own note, adds only the note.
fn citations<'a>(clauses: impl Iterator<Item = &'a CitedClause>) -> Vec<Citation<'a>> {
    let mut cited: Vec<Citation> = Vec::new();
    for clause in clauses {
        let at = match cited
            .iter()
            .position(|c| c.source == clause.source && c.clause == clause.clause)
        {
            Some(at) => at,
            None => {
                cited.push(Citation {
                    source: &clause.source,
                    clause: &clause.clause,
                    notes: Vec::new(),
                });
                cited.len() - 1
            }
        };
        if let Some(note) = clause.note.as_deref()
            && !cited[at].notes.contains(&note)
        {
            cited[at].notes.push(note);
        }
    }
    cited
}

fn dataset(summary: &DatasetSummary) -> DatasetView<'_> {
    let mut metrics = Vec::new();
    let mut push = |key, name, value: Option<String>| {
        if let Some(value) = value {
            metrics.push(Metric { key, name, value });
        }
    };
    push("k", "k", summary.k.map(|k| k.to_string()));
    push("alpha", "alpha", summary.alpha.map(short));
    push(
        "l-distinct",
        "l distinct",
        summary.l_distinct.map(|l| l.to_string()),
    );
    push(
        "l-entropy",
        "l entropy",
        summary.l_entropy.map(|l| l.to_string()),
    );
    push(
        "recursive-c-l",
        "recursive (c,l)",
        summary.recursive_c_l.map(|(c, l)| format!("({c},{l})")),
    );
    push("t", "t", summary.t.map(short));
    DatasetView {
        summary,
        input: &summary.input,
        roles_from: &summary.roles_from,
        rows: summary.rows,
        classes: summary.classes,
        columns: &summary.columns,
        metrics,
    }
}

/// A measure with at most four decimals and no trailing zeros.
fn short(x: f64) -> String {
    let text = format!("{x:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `scheme://authority` of `url`: where a request's absolute path starts.
fn origin(url: &str) -> &str {
    let Some((_, rest)) = url.split_once("://") else {
        return url;
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    &url[..url.len() - rest.len() + authority_end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(source: &str, clause: &str, note: Option<&str>) -> CitedClause {
        CitedClause {
            profile: None,
            source: source.to_owned(),
            clause: clause.to_owned(),
            note: note.map(str::to_owned),
        }
    }

    #[test]
    fn a_clause_a_profile_repeats_is_cited_once_with_both_notes() {
        let clauses = [
            clause("PIPA", "Art. 28-2", None),
            clause("GDPR", "Art. 89", Some("research")),
            clause("PIPA", "Art. 28-2", Some("pseudonymised data")),
            clause("GDPR", "Art. 89", Some("research")),
        ];
        let cited = citations(clauses.iter());
        let text: Vec<String> = cited.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["PIPA Art. 28-2", "GDPR Art. 89"]);
        assert_eq!(cited[0].notes, ["pseudonymised data"]);
        assert_eq!(cited[1].notes, ["research"]);
    }

    #[test]
    fn a_tally_names_its_worst_verdict_and_lists_the_most_severe_first() {
        for (at, verdict) in BY_SEVERITY.iter().enumerate() {
            assert_eq!(usize::from(verdict.severity()), at, "{verdict:?}");
        }
        let mut tally = Tally::default();
        assert_eq!(tally.worst(), None);
        for verdict in [Verdict::Pass, Verdict::Warn, Verdict::Pass, Verdict::Skip] {
            tally.add(verdict);
        }
        assert_eq!(tally.worst(), Some(Verdict::Warn));
        assert_eq!(tally.total(), 4);
        let listed: Vec<(Verdict, u64)> = tally.nonzero().collect();
        assert_eq!(
            listed,
            [(Verdict::Warn, 1), (Verdict::Pass, 2), (Verdict::Skip, 1)]
        );
    }

    #[test]
    fn measures_are_written_short() {
        assert_eq!(short(0.25), "0.25");
        assert_eq!(short(4.0), "4");
        assert_eq!(short(1.999_999_999_999_999_8), "2");
        assert_eq!(short(0.123_456), "0.1235");
    }
}
