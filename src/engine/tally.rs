//! Summing outcomes: the one place where what checks saw becomes verdicts.
//!
//! Every family feeds the same events ("this subject was checked: these
//! outcomes") into a [`Tally`], which keeps counts per (profile,
//! requirement), findings with a verdict per profile, and finally builds
//! the [`Report`]. Findings are located and scrubbed here, in one stage
//! (the family's [`Locator`]), so that redaction applies to every family
//! alike: a pointer segment that holds an identifier is shown as its
//! placeholder (`/contacts/[phone-kr]`) in the location, the message and
//! the evidence, whatever the family and the format.

use std::collections::BTreeMap;

use serde_json::Value;

use super::plan::Plan;
use crate::catalog::{Level, StandardConflict};
use crate::detect::placeholder;
use crate::model::{
    CitedClause, Command, Counts, Finding, InputSummary, Location, ProfileResult,
    REPORT_SCHEMA_VERSION, Report, RequirementResult, Summary, Tool, Verdict, WaiverOutcome,
    WaiverStatus,
};
use crate::outcome::Outcome;
use crate::waiver::Waivers;

/// The location stage: how a family places a finding within its subject
/// and what it removes from anything a subject says before it enters the
/// report (credentials a live target uses, for example). The tally calls
/// it for every finding and reason, so placing, redaction and escaping
/// are written once for every format. The defaults place a pointer as it
/// is and remove nothing.
pub trait Locator: Sync {
    /// Where a finding at `pointer` within the subject at `subject` is.
    fn place(&self, subject: &Location, pointer: &str) -> Location {
        Location {
            pointer: Some(pointer.to_owned()),
            ..subject.clone()
        }
    }
    /// `text` with every secret replaced.
    fn text(&self, text: &str) -> String {
        text.to_owned()
    }
    /// `value` with every secret replaced, in keys and strings alike.
    fn value(&self, value: Value) -> Value {
        value
    }
}

/// Places pointers as they are and removes nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plain;

impl Locator for Plain {}

/// Running totals of one run of one family.
pub struct Tally<'p, C> {
    plan: &'p Plan<C>,
    locator: &'p dyn Locator,
    waivers: Option<&'p Waivers>,
    users: Vec<Vec<(usize, usize)>>,
    counts: Vec<Vec<Counts>>,
    reasons: Vec<Vec<Option<String>>>,
    kept: Vec<Vec<u64>>,
    left_out: Vec<Vec<u64>>,
    dropped: u64,
    findings: Vec<Finding>,
    subjects: u64,
    input_errors: u64,
    unchecked: &'static str,
    /// While a subject is judged profile by profile, the one profile an
    /// outcome counts for; `None`: every profile using the instance.
    only: Option<usize>,
}

impl<C> std::fmt::Debug for Tally<'_, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tally")
            .field("subjects", &self.subjects)
            .field("findings", &self.findings.len())
            .finish_non_exhaustive()
    }
}

impl<'p, C> Tally<'p, C> {
    /// An empty tally over `plan`; `locator` places every finding and
    /// cleans every message, reason and evidence before it is kept.
    pub fn new(plan: &'p Plan<C>, locator: &'p dyn Locator) -> Self {
        let counts = plan
            .profiles
            .iter()
            .map(|p| vec![Counts::default(); p.entries.len()])
            .collect();
        let reasons = plan
            .profiles
            .iter()
            .map(|p| vec![None; p.entries.len()])
            .collect();
        let zeros: Vec<Vec<u64>> = plan
            .profiles
            .iter()
            .map(|p| vec![0; p.entries.len()])
            .collect();
        Tally {
            plan,
            locator,
            waivers: None,
            users: plan.users(),
            counts,
            reasons,
            kept: zeros.clone(),
            left_out: zeros,
            dropped: 0,
            findings: Vec::new(),
            subjects: 0,
            input_errors: 0,
            unchecked: "no subject was checked",
            only: None,
        }
    }

    /// Counts the breaks `waivers` cover as `waived`, subject by subject,
    /// and reports what each waiver did.
    pub fn with_waivers(mut self, waivers: Option<&'p Waivers>) -> Self {
        self.waivers = waivers.filter(|w| !w.is_empty());
        self
    }

    /// The reason given for a requirement no subject reached (a live audit
    /// says "no case decided it against this target").
    pub fn when_unreached(mut self, reason: &'static str) -> Self {
        self.unchecked = reason;
        self
    }

    /// The event every family emits: one subject was checked, with these
    /// outcomes (instance index, outcome). `context` is evidence of the
    /// subject as a whole (a live exchange), kept beside each finding's own.
    /// `input_error` marks a subject that could not be read at all.
    /// Findings from several instances that say the same thing at the same
    /// place become one finding with every profile's verdict.
    pub fn subject(
        &mut self,
        location: &Location,
        outcomes: impl IntoIterator<Item = (usize, Outcome)>,
        context: Option<&Value>,
        input_error: bool,
    ) {
        self.subjects += 1;
        if input_error {
            self.input_errors += 1;
        }
        let first = self.findings.len();
        for (instance, outcome) in outcomes {
            self.outcome(instance, location, outcome, context);
        }
        merge_identical(&mut self.findings, first);
    }

    /// A subject that reads differently under each profile (a flow with
    /// one legal basis per region): one outcome per entry of each profile,
    /// profile by profile in plan order, each counted for its profile
    /// only, so that a check shared between profiles can answer each
    /// differently.
    pub fn subject_per_profile(&mut self, location: &Location, outcomes: Vec<Vec<Outcome>>) {
        self.subjects += 1;
        let first = self.findings.len();
        for (p, entries) in outcomes.into_iter().enumerate() {
            self.only = Some(p);
            for (e, outcome) in entries.into_iter().enumerate() {
                let Some(entry) = self.plan.profiles.get(p).and_then(|x| x.entries.get(e)) else {
                    continue;
                };
                self.outcome(entry.instance, location, outcome, None);
            }
        }
        self.only = None;
        merge_identical(&mut self.findings, first);
    }

    /// As [`Tally::subject`], with one outcome per plan instance, in order.
    pub fn subject_all(&mut self, location: &Location, outcomes: Vec<Outcome>, input_error: bool) {
        self.subject(
            location,
            outcomes.into_iter().enumerate(),
            None,
            input_error,
        );
    }

    fn outcome(
        &mut self,
        instance: usize,
        location: &Location,
        outcome: Outcome,
        context: Option<&Value>,
    ) {
        match outcome {
            Outcome::Pass => {
                self.add(instance, &|_| Verdict::Pass, None);
            }
            Outcome::NotApplicable(reason) => {
                self.add(instance, &|_| Verdict::Skip, Some(&reason));
            }
            Outcome::Error(reason) => {
                let verdicts = self.count(instance, |_| Verdict::Error, Some(&reason));
                if let Some(verdicts) = self.admit(instance, &verdicts) {
                    let finding =
                        self.finding(instance, verdicts, location, None, reason, None, context);
                    self.findings.push(finding);
                }
            }
            Outcome::Violations(violations) => {
                // A waiver covers a requirement in a subject (by its file),
                // so it covers every break the subject has of it.
                let requirement = &self.plan.instances[instance].requirement;
                let waiver = self
                    .waivers
                    .and_then(|w| w.covering(requirement, location.file.as_deref()))
                    .map(|w| w.id.clone());
                let verdicts = match waiver {
                    Some(_) => self.count(instance, |_| Verdict::Waived, None),
                    None => self.count(instance, Verdict::for_violation, None),
                };
                for violation in violations {
                    let Some(verdicts) = self.admit(instance, &verdicts) else {
                        continue;
                    };
                    let finding = self.finding(
                        instance,
                        verdicts,
                        location,
                        Some(violation.pointer),
                        violation.message,
                        violation.evidence,
                        context,
                    );
                    self.findings.push(Finding {
                        waiver: waiver.clone(),
                        ..finding
                    });
                }
            }
        }
    }

    /// Counts `verdict(level)` for every profile using `instance`, keeps
    /// the first reason, and answers the verdict per profile.
    fn count(
        &mut self,
        instance: usize,
        verdict: impl Fn(Level) -> Verdict,
        reason: Option<&str>,
    ) -> BTreeMap<String, Verdict> {
        self.add(instance, &verdict, reason);
        self.verdicts(instance, verdict)
    }

    /// Counts `verdict(level)` for every profile using `instance` and
    /// keeps the first reason. Subjects pass or skip by the million, so
    /// nothing is allocated here unless a profile has no reason kept yet.
    fn add(&mut self, instance: usize, verdict: &impl Fn(Level) -> Verdict, reason: Option<&str>) {
        let only = self.only;
        let counted = |p: usize| only.is_none_or(|o| o == p);
        let users = &self.users[instance];
        let reason = reason
            .filter(|_| {
                users
                    .iter()
                    .any(|&(p, e)| counted(p) && self.reasons[p][e].is_none())
            })
            .map(|r| self.clean(r));
        for &(p, e) in self.users[instance].iter().filter(|(p, _)| counted(*p)) {
            let v = verdict(self.plan.profiles[p].entries[e].level);
            self.counts[p][e].add(v);
            if let Some(reason) = &reason {
                self.reasons[p][e].get_or_insert_with(|| reason.clone());
            }
        }
    }

    /// `verdict(level)` by profile id, for every profile using `instance`.
    fn verdicts(
        &self,
        instance: usize,
        verdict: impl Fn(Level) -> Verdict,
    ) -> BTreeMap<String, Verdict> {
        let only = self.only;
        self.users[instance]
            .iter()
            .filter(|(p, _)| only.is_none_or(|o| o == *p))
            .map(|&(p, e)| {
                let profile = &self.plan.profiles[p];
                (profile.id.clone(), verdict(profile.entries[e].level))
            })
            .collect()
    }

    /// Bounded memory: a finding of `instance` is kept for each profile
    /// that has listed fewer than the plan's `keep_findings` findings of
    /// the requirement, and counted as left out for the others. Answers
    /// the verdicts of the profiles it is kept for, or `None` when it is
    /// left out for all (then it is never built).
    fn admit(
        &mut self,
        instance: usize,
        verdicts: &BTreeMap<String, Verdict>,
    ) -> Option<BTreeMap<String, Verdict>> {
        let keep = self.plan.keep_findings as u64;
        let mut admitted = verdicts.clone();
        for i in 0..self.users[instance].len() {
            let (p, e) = self.users[instance][i];
            if self.only.is_some_and(|o| o != p) {
                continue;
            }
            if self.kept[p][e] < keep {
                self.kept[p][e] += 1;
            } else {
                self.left_out[p][e] += 1;
                admitted.remove(&self.plan.profiles[p].id);
            }
        }
        if admitted.is_empty() {
            self.dropped += 1;
            None
        } else {
            Some(admitted)
        }
    }

    /// A message or reason as the report keeps it: the locator's secrets
    /// removed, control characters escaped.
    fn clean(&self, text: &str) -> String {
        escape_controls(&self.locator.text(text), true)
    }

    /// The location stage: one finding, placed and scrubbed.
    #[expect(
        clippy::too_many_arguments,
        reason = "the parts of a finding, each from a different source"
    )]
    fn finding(
        &self,
        instance: usize,
        verdicts: BTreeMap<String, Verdict>,
        location: &Location,
        pointer: Option<String>,
        message: String,
        evidence: Option<Value>,
        context: Option<&Value>,
    ) -> Finding {
        let mut location = match pointer {
            Some(pointer) => self.locator.place(location, &pointer),
            None => location.clone(),
        };
        // A pointer segment may hold an identifier (a member name that is
        // a phone number): it is shown as its placeholder, in the location
        // and wherever the message or evidence quotes it.
        let raw_pointer = location.pointer.as_deref().map(|p| self.locator.text(p));
        let hidden = raw_pointer
            .as_deref()
            .map(placeholder::hidden_segments)
            .unwrap_or_default();
        // So may a URL a server wrote (a collection ID, a feed's address):
        // its parts that hold one are hidden wherever the URL is quoted.
        let file = location.file.as_deref().map(|f| self.locator.text(f));
        let url_parts = file
            .as_deref()
            .map(placeholder::url_parts)
            .unwrap_or_default();
        let hide = |text: &str| {
            let text = match &raw_pointer {
                Some(raw) if !hidden.is_empty() => placeholder::scrub(text, raw, &hidden),
                _ => text.to_owned(),
            };
            placeholder::hide_parts(&text, &url_parts).into_owned()
        };
        location.pointer = raw_pointer
            .as_deref()
            .map(|p| escape_controls(&placeholder::pointer(p), false));
        location.file = file.map(|f| escape_controls(&hide(&f), false));
        let evidence = merge_evidence(evidence, context).map(|v| {
            let v = self.locator.value(v);
            let v = if hidden.is_empty() && url_parts.is_empty() {
                v
            } else {
                map_strings(v, &hide)
            };
            escape_value(v)
        });
        Finding {
            requirement: self.plan.instances[instance].requirement.clone(),
            clauses: self.cited(instance, &verdicts),
            conflicts: self.conflicts(instance, &verdicts, raw_pointer.as_deref()),
            readings: BTreeMap::new(),
            verdicts,
            location,
            message: self.clean(&hide(&message)),
            evidence,
            waiver: None,
        }
    }

    /// The standards' conflicts behind a failure at `pointer`: for each
    /// profile in `verdicts` that fails it, where a data standard requires
    /// of the pointer's top member (a field the standard governs) what the
    /// profile's parameter of this requirement forbids.
    fn conflicts(
        &self,
        instance: usize,
        verdicts: &BTreeMap<String, Verdict>,
        pointer: Option<&str>,
    ) -> Vec<StandardConflict> {
        let Some(member) = pointer.and_then(top_member) else {
            return Vec::new();
        };
        let requirement = &self.plan.instances[instance].requirement;
        self.plan
            .conflicts
            .iter()
            .filter(|c| {
                &c.requirement == requirement
                    && matches!(
                        verdicts.get(&c.profile),
                        Some(Verdict::Fail | Verdict::Warn)
                    )
                    && c.fields.iter().any(|f| f == &member)
            })
            .cloned()
            .collect()
    }

    /// The regional clauses of each profile in `verdicts` that uses
    /// `instance`, with the profile: a shared check's finding cites each
    /// profile it speaks for, and no other.
    fn cited(&self, instance: usize, verdicts: &BTreeMap<String, Verdict>) -> Vec<CitedClause> {
        let mut clauses: Vec<CitedClause> = Vec::new();
        for &(p, e) in &self.users[instance] {
            let profile = &self.plan.profiles[p];
            if !verdicts.contains_key(&profile.id) {
                continue;
            }
            for clause in &profile.entries[e].clauses {
                let cited = CitedClause::of(Some(&profile.id), clause);
                if !clauses.contains(&cited) {
                    clauses.push(cited);
                }
            }
        }
        clauses
    }

    /// The report these totals add up to.
    pub fn into_report(
        self,
        command: Command,
        generated_at: String,
        inputs: Vec<InputSummary>,
    ) -> Report {
        let mut profiles = Vec::new();
        for (p, profile) in self.plan.profiles.iter().enumerate() {
            let mut results = Vec::new();
            for (e, entry) in profile.entries.iter().enumerate() {
                let counts = self.counts[p][e];
                // Selected, and no subject reached it: not checked, which
                // is never met.
                let (verdict, reason) = if counts.total() == 0 {
                    (Verdict::Error, Some(self.unchecked.to_owned()))
                } else {
                    let verdict = counts.verdict();
                    let reason = match verdict {
                        Verdict::Skip | Verdict::Error => self.reasons[p][e].clone(),
                        _ => None,
                    };
                    (verdict, reason)
                };
                results.push(RequirementResult {
                    requirement: entry.requirement.clone(),
                    level: entry.level,
                    verdict,
                    counts,
                    params: self.plan.instances[entry.instance].params.clone(),
                    lists: self.plan.instances[entry.instance].lists.clone(),
                    reason,
                    findings_left_out: self.left_out[p][e],
                });
            }
            results.sort_by(|a, b| a.requirement.cmp(&b.requirement));
            let met = ProfileResult::meets(&results);
            profiles.push(ProfileResult {
                id: profile.id.clone(),
                title: profile.title.clone(),
                met,
                results,
            });
        }
        let waivers = self.waiver_outcomes();
        let expired_waivers = waivers
            .iter()
            .filter(|w| w.status == WaiverStatus::Expired)
            .count() as u64;
        let met = profiles.iter().all(|p| p.met) && expired_waivers == 0;
        let summary = Summary {
            subjects: self.subjects,
            input_errors: self.input_errors,
            findings: self.findings.len() as u64,
            met,
            waived: self.findings.iter().filter(|f| f.waiver.is_some()).count() as u64,
            expired_waivers,
            findings_left_out: self.dropped,
        };
        Report {
            schema_version: REPORT_SCHEMA_VERSION.to_owned(),
            tool: Tool::current(),
            command,
            generated_at,
            law: self.plan.law.clone(),
            inputs,
            profiles,
            requirements: self.plan.requirements.clone(),
            findings: self.findings,
            summary,
            datasets: Vec::new(),
            matrices: Vec::new(),
            waivers,
            provenance: None,
            signature: None,
        }
    }
}

impl<C> Tally<'_, C> {
    /// What each waiver did: the findings it covered.
    fn waiver_outcomes(&self) -> Vec<WaiverOutcome> {
        let Some(waivers) = self.waivers else {
            return Vec::new();
        };
        let mut matched = BTreeMap::new();
        for id in self.findings.iter().filter_map(|f| f.waiver.as_ref()) {
            *matched.entry(id.clone()).or_insert(0) += 1;
        }
        waivers.outcomes(&matched)
    }
}

/// `text` with every control character (C0, DEL, C1) written as a visible
/// `\u{..}` escape, so that no subject can move a terminal's cursor,
/// colour its output or ring its bell through a report; newline and tab
/// are kept in running text (`lines`) and escaped elsewhere.
pub fn escape_controls(text: &str, lines: bool) -> String {
    let control = |c: char| c.is_control() && !(lines && (c == '\n' || c == '\t'));
    if !text.chars().any(control) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if control(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// `value` with control characters escaped in every string and key
/// (newline and tab kept in strings).
pub fn escape_value(value: Value) -> Value {
    match value {
        Value::String(s) => Value::String(escape_controls(&s, true)),
        Value::Array(items) => Value::Array(items.into_iter().map(escape_value).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (escape_controls(&k, false), escape_value(v)))
                .collect(),
        ),
        other => other,
    }
}

/// `value` with `map` applied to every string and key.
fn map_strings(value: Value, map: &impl Fn(&str) -> String) -> Value {
    match value {
        Value::String(s) => Value::String(map(&s)),
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| map_strings(v, map)).collect())
        }
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .map(|(k, v)| (map(&k), map_strings(v, map)))
                .collect(),
        ),
        other => other,
    }
}

/// A finding's own evidence, with the subject's beside it.
fn merge_evidence(own: Option<Value>, context: Option<&Value>) -> Option<Value> {
    match (own, context) {
        (Some(Value::Object(mut own)), Some(Value::Object(context))) => {
            for (k, v) in context {
                own.entry(k.clone()).or_insert_with(|| v.clone());
            }
            Some(Value::Object(own))
        }
        (Some(own), _) => Some(own),
        (None, context) => context.cloned(),
    }
}

/// Profiles with different parameters for one requirement run it as
/// different instances; when those find the same thing in the same place,
/// the user sees one finding with every profile's verdict. Only the
/// findings from index `first` on (one subject's) are compared.
pub(crate) fn merge_identical(findings: &mut Vec<Finding>, first: usize) {
    let mut i = first + 1;
    while i < findings.len() {
        let same = (first..i).find(|&j| {
            let (a, b) = (&findings[j], &findings[i]);
            a.requirement == b.requirement && a.location == b.location && a.message == b.message
        });
        match same {
            Some(j) => {
                let duplicate = findings.remove(i);
                findings[j].verdicts.extend(duplicate.verdicts);
                findings[j].readings.extend(duplicate.readings);
                for clause in duplicate.clauses {
                    if !findings[j].clauses.contains(&clause) {
                        findings[j].clauses.push(clause);
                    }
                }
                for conflict in duplicate.conflicts {
                    if !findings[j].conflicts.contains(&conflict) {
                        findings[j].conflicts.push(conflict);
                    }
                }
            }
            None => i += 1,
        }
    }
}

/// The first member of a JSON pointer, unescaped (`/start_location/lat`
/// gives `start_location`): the field of the record a finding is on.
fn top_member(pointer: &str) -> Option<String> {
    let first = pointer.strip_prefix('/')?.split('/').next()?;
    Some(first.replace("~1", "/").replace("~0", "~"))
}
