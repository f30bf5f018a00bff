//! The plan: the selected profiles resolved, each selected requirement's
//! check built once with the parameters in force, and identical checks
//! shared between profiles so that a subject is checked once per distinct
//! (requirement, parameters) pair however many profiles ask for it.
//!
//! The plan is generic over the family's check type: the family hands
//! [`Plan::build`] a function that builds its checks from a kind and
//! parameters, and answers `None` for kinds another family decides. The
//! engine itself knows no family.

use serde_json::{Map, Value};

use std::collections::{BTreeMap, BTreeSet};

use crate::catalog::{
    Catalogue, Clause, Level, List, ListReferences, Lists, ResolvedProfile, StandardConflict,
};
use crate::dates::{Day, duration_seconds};
use crate::error::{Error, FileProblem, Result};
use crate::model::{CitedClause, Law, ListUsed, RequirementInfo};
use crate::outcome::ParamError;

/// One built check, shared by every profile whose parameters match.
#[derive(Debug)]
pub struct Instance<C> {
    /// The requirement it decides.
    pub requirement: String,
    /// The parameters in force, each reference to a named list replaced by
    /// the list's members: what the check reads, and what the report shows.
    pub params: Map<String, Value>,
    /// The lists the parameters named, by parameter, so that the report
    /// keeps the name beside the members.
    pub lists: ListReferences,
    /// The check.
    pub check: C,
}

/// A profile's view of the plan.
#[derive(Debug, Clone)]
pub struct ProfilePlan {
    /// Profile ID.
    pub id: String,
    /// Profile title.
    pub title: String,
    /// The selected requirements this run can decide, in ID order.
    pub entries: Vec<Entry>,
    /// The ISO 3166 codes (or region names) the profile speaks for, as
    /// its file says: what a family names when it reads a subject from
    /// elsewhere as if it were this region's.
    pub jurisdictions: Vec<String>,
}

/// One selected requirement of a profile.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Requirement ID.
    pub requirement: String,
    /// Level in force.
    pub level: Level,
    /// Index into [`Plan::instances`].
    pub instance: usize,
    /// The regional clauses the profile's lineage cites for it (empty:
    /// the requirement's own speak for the profile), so that a finding
    /// of a check shared by several profiles cites each profile's own.
    pub clauses: Vec<Clause>,
}

/// What the user selected: profiles in report order, optionally narrowed
/// to some requirement IDs.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// Profile IDs, in the order the report lists them.
    pub profiles: &'a [String],
    /// Requirement IDs to keep; empty keeps every selected requirement.
    pub only: &'a [String],
    /// The evaluation date: lists are expanded with the members in force
    /// on it, and dated law is judged on it.
    pub as_of: Day,
}

/// What a family's build function answers for one selected requirement.
pub type Built<C> = Option<std::result::Result<C, ParamError>>;

/// Everything one family's run checks.
#[derive(Debug)]
pub struct Plan<C> {
    /// The distinct checks.
    pub instances: Vec<Instance<C>>,
    /// One per selected profile, in the order asked for.
    pub profiles: Vec<ProfilePlan>,
    /// The requirements cited, with every profile's regional clauses.
    pub requirements: Vec<RequirementInfo>,
    /// Findings listed per (profile, requirement); the rest are counted.
    pub keep_findings: usize,
    /// The evaluation date and the lists the parameters named, for the
    /// report.
    pub law: Law,
    /// Where a data standard requires what a selected profile forbids
    /// (`suites/standards/`), in profile order: a finding on a field a
    /// standard governs names the conflict instead of reading as the
    /// subject's fault, and the flow matrix lists them.
    pub conflicts: Vec<StandardConflict>,
}

/// Findings listed per (profile, requirement) unless the run says otherwise.
pub const DEFAULT_KEEP_FINDINGS: usize = 1000;

impl<C> Plan<C> {
    /// Builds the plan of one family. `build` receives each selected
    /// requirement's check kind and parameters (references to the
    /// catalogue's lists expanded; an unknown one is left as written for
    /// the family to report) and answers `None` for a kind its family does
    /// not decide, the built check, or why the parameters are wrong. Every
    /// bad parameter is reported at once, with the profile or catalogue
    /// file and line that set it, before any subject is read; `family`
    /// names the family in the error for a selection it has nothing to
    /// check in, and `hint` replaces the pointer to `requirements show` in
    /// the help of a bad parameter.
    pub fn build(
        catalogue: &Catalogue,
        selection: Selection<'_>,
        family: &str,
        hint: Option<&str>,
        mut build: impl FnMut(&str, &Map<String, Value>) -> Built<C>,
    ) -> Result<Plan<C>> {
        if selection.profiles.is_empty() {
            return Err(Error::Usage("no profile selected".to_owned()));
        }
        // Requirement IDs as the catalogue spells them, however typed.
        let only = selection
            .only
            .iter()
            .map(|id| catalogue.requirement_id(id).map(str::to_owned))
            .collect::<Result<Vec<_>>>()?;
        let resolved = selection
            .profiles
            .iter()
            .map(|id| catalogue.resolve(id))
            .collect::<Result<Vec<_>>>()?;
        let lists = catalogue.lists().on(selection.as_of);
        let mut plan = Plan {
            instances: Vec::new(),
            profiles: Vec::new(),
            requirements: Vec::new(),
            keep_findings: DEFAULT_KEEP_FINDINGS,
            law: Law::default(),
            conflicts: Vec::new(),
        };
        let mut problems = Vec::new();
        for profile in &resolved {
            let entries = plan.profile_entries(
                catalogue,
                &lists,
                profile,
                &only,
                hint,
                &mut problems,
                &mut build,
            )?;
            plan.profiles.push(ProfilePlan {
                id: profile.id.clone(),
                title: profile.title.clone(),
                entries,
                jurisdictions: catalogue.profile(&profile.id)?.jurisdictions.clone(),
            });
        }
        Error::unless_problems(problems)?;
        if plan.instances.is_empty() {
            return Err(Error::Usage(format!(
                "the selected profiles and requirements include no {family} requirement; nothing to check"
            )));
        }
        plan.requirements = requirement_infos(
            catalogue,
            &resolved,
            plan.instances.iter().map(|i| i.requirement.as_str()),
        )?;
        plan.law = plan.law_of(&lists, &resolved, selection.as_of);
        for profile in &resolved {
            if let Some(replacement) = catalogue.replacement(&profile.id)? {
                plan.law.replaced.push(replacement);
            }
            plan.conflicts
                .extend(catalogue.standard_conflicts(&profile.id)?);
        }
        Ok(plan)
    }

    /// One profile's entries, building each instance on first use.
    #[expect(
        clippy::too_many_arguments,
        reason = "one profile's walk over the plan being built: each argument is a distinct input"
    )]
    fn profile_entries(
        &mut self,
        catalogue: &Catalogue,
        lists: &Lists,
        profile: &ResolvedProfile,
        only: &[String],
        hint: Option<&str>,
        problems: &mut Vec<FileProblem>,
        build: &mut impl FnMut(&str, &Map<String, Value>) -> Built<C>,
    ) -> Result<Vec<Entry>> {
        let mut entries = Vec::new();
        for selection in &profile.requirements {
            if !only.is_empty() && !only.contains(&selection.id) {
                continue;
            }
            let kind = catalogue.requirement(&selection.id)?.check.kind.as_str();
            let (params, named) = lists.expand_params(&selection.params);
            let existing = self.instances.iter().position(|x| {
                x.requirement == selection.id && x.params == params && x.lists == named
            });
            let instance = match existing {
                Some(i) => i,
                None => match build(kind, &params) {
                    None => continue,
                    Some(Err(error)) => {
                        problems.push(param_problem(
                            catalogue,
                            profile,
                            &selection.id,
                            selection.set_by.as_deref(),
                            error.to_string(),
                            hint,
                        ));
                        continue;
                    }
                    Some(Ok(check)) => {
                        self.instances.push(Instance {
                            requirement: selection.id.clone(),
                            params,
                            lists: named,
                            check,
                        });
                        self.instances.len() - 1
                    }
                },
            };
            entries.push(Entry {
                requirement: selection.id.clone(),
                level: selection.level,
                instance,
                clauses: selection.clauses.clone(),
            });
        }
        Ok(entries)
    }

    /// The evaluation date and every list the profiles' parameters name,
    /// each warned about when it is older than the `max_age` of a profile
    /// that uses it (or undated under one that sets it).
    fn law_of(&self, lists: &Lists, resolved: &[ResolvedProfile], as_of: Day) -> Law {
        let mut used: BTreeMap<String, ListUsed> = BTreeMap::new();
        for (profile, resolved) in self.profiles.iter().zip(resolved) {
            let ids: BTreeSet<&str> = profile
                .entries
                .iter()
                .flat_map(|e| self.instances[e.instance].lists.values().flatten())
                .filter_map(|reference| reference.strip_prefix('@'))
                .collect();
            for list in ids.into_iter().filter_map(|id| lists.get(id)) {
                let entry = used.entry(list.id.clone()).or_insert_with(|| ListUsed {
                    id: list.id.clone(),
                    title: list.title.clone(),
                    source: list.source.clone(),
                    as_of: list.as_of.clone(),
                    warnings: Vec::new(),
                });
                if let Some(warning) = staleness(list, resolved, as_of) {
                    entry.warnings.push(warning);
                }
            }
        }
        Law::new(as_of.to_string(), used.into_values().collect())
    }

    /// For each instance, the (profile, entry) pairs that use it.
    pub fn users(&self) -> Vec<Vec<(usize, usize)>> {
        let mut users = vec![Vec::new(); self.instances.len()];
        for (p, profile) in self.profiles.iter().enumerate() {
            for (e, entry) in profile.entries.iter().enumerate() {
                users[entry.instance].push((p, e));
            }
        }
        users
    }

    /// The level each profile gives instance `instance`, by profile ID.
    pub fn levels_of(&self, instance: usize) -> impl Iterator<Item = (&str, Level)> + '_ {
        self.profiles.iter().flat_map(move |p| {
            p.entries
                .iter()
                .filter(move |e| e.instance == instance)
                .map(move |e| (p.id.as_str(), e.level))
        })
    }
}

/// Why `list` may be out of date for `profile` on `as_of`, if it may.
fn staleness(list: &List, profile: &ResolvedProfile, as_of: Day) -> Option<String> {
    let max_age = profile.max_age.as_deref()?;
    let max_days = duration_seconds(max_age)? / 86_400;
    let Some(checked) = list.as_of.as_deref().and_then(|d| Day::parse(d).ok()) else {
        return Some(format!(
            "list `{}` has no `as_of` date, so its age cannot be held to the `max_age` ({max_age}) of profile `{}`; check it against its source and date it",
            list.id, profile.id
        ));
    };
    let age = as_of.days_since(checked);
    (age > i64::try_from(max_days).unwrap_or(i64::MAX)).then(|| {
        format!(
            "list `{}` was last checked against its source on {checked}, {age} days before {as_of}: older than the `max_age` ({max_age}) of profile `{}`; check it and update its `as_of`",
            list.id, profile.id
        )
    })
}

fn param_problem(
    catalogue: &Catalogue,
    profile: &ResolvedProfile,
    requirement: &str,
    set_by: Option<&str>,
    message: String,
    hint: Option<&str>,
) -> FileProblem {
    let problem = match set_by {
        Some(layer) => catalogue.problem_in(
            &format!("profile:{layer}"),
            &format!("/requirements/{requirement}/params"),
            message,
        ),
        None => catalogue.problem_in(
            &format!("requirement:{requirement}"),
            "/check/params",
            message,
        ),
    };
    let hint = hint.map_or_else(
        || format!("see `cityconform requirements show {requirement}`"),
        str::to_owned,
    );
    problem.with_help(format!(
        "profile `{}` uses these parameters for `{requirement}`; {hint}",
        profile.id
    ))
}

/// The requirements `ids` as a report cites them: their own clauses, then
/// the regional ones each profile in `resolved` adds, each with its
/// profile, in ID order.
pub(crate) fn requirement_infos<'a>(
    catalogue: &Catalogue,
    resolved: &[ResolvedProfile],
    ids: impl Iterator<Item = &'a str>,
) -> Result<Vec<RequirementInfo>> {
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .map(|id| {
            let requirement = catalogue.requirement(id)?;
            let mut clauses: Vec<CitedClause> = requirement
                .clauses
                .iter()
                .map(|c| CitedClause::of(None, c))
                .collect();
            for profile in resolved {
                let Some(selection) = profile.selection(id) else {
                    continue;
                };
                for clause in &selection.clauses {
                    let cited = CitedClause::of(Some(&profile.id), clause);
                    if !clauses.contains(&cited) {
                        clauses.push(cited);
                    }
                }
            }
            Ok(RequirementInfo {
                id: requirement.id.clone(),
                title: requirement.title.clone(),
                statement: requirement.statement.clone(),
                area: requirement.area,
                clauses,
            })
        })
        .collect()
}
