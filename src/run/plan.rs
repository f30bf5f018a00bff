//! The plan: the selected profiles resolved, each selected requirement's
//! check built once with the parameters in force, and identical checks
//! shared between profiles so that a record is checked once per distinct
//! (requirement, parameters) pair however many profiles ask for it.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::catalog::{Catalogue, Level, ResolvedProfile, Selection};
use crate::checks::{self, payload::PayloadCheck};
use crate::error::{Error, FileProblem, Result};
use crate::flows::{self, Declaration, payload::DeclaredFlowCheck};
use crate::model::RequirementInfo;
use crate::schema::{ENVELOPE_URI, SchemaRegistry};

/// One built check, shared by every profile whose parameters match.
#[derive(Debug)]
pub struct Instance {
    /// The requirement it decides.
    pub requirement: String,
    /// The parameters it was built with.
    pub params: Map<String, Value>,
    /// The check.
    pub check: PayloadCheck,
}

/// A profile's view of the plan.
#[derive(Debug)]
pub struct ProfilePlan {
    /// Profile ID.
    pub id: String,
    /// Profile title.
    pub title: String,
    /// The selected requirements this run can decide, in ID order.
    pub entries: Vec<Entry>,
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
}

/// Everything a payload run checks.
#[derive(Debug)]
pub struct Plan {
    /// The distinct checks.
    pub instances: Vec<Instance>,
    /// One per selected profile, in the order asked for.
    pub profiles: Vec<ProfilePlan>,
    /// The requirements cited, with every profile's regional clauses.
    pub requirements: Vec<RequirementInfo>,
}

impl Plan {
    /// Builds the payload plan for `profile_ids`, optionally narrowed to the
    /// requirement IDs in `only`. Fails before any subject is read if a
    /// profile, requirement or parameter is wrong.
    pub fn for_payloads(
        catalogue: &Catalogue,
        registry: &SchemaRegistry,
        profile_ids: &[String],
        only: &[String],
    ) -> Result<Plan> {
        Self::for_payloads_under(catalogue, registry, profile_ids, only, None)
    }

    /// As [`Plan::for_payloads`], with the data-flow declaration the
    /// records are exchanged under: requirements checking records against
    /// it are planned only when one is given.
    pub fn for_payloads_under(
        catalogue: &Catalogue,
        registry: &SchemaRegistry,
        profile_ids: &[String],
        only: &[String],
        declaration: Option<Arc<Declaration>>,
    ) -> Result<Plan> {
        if profile_ids.is_empty() {
            return Err(Error::Usage("no profile selected".to_owned()));
        }
        for id in only {
            let requirement = catalogue.requirement(id)?;
            if requirement.check.kind == flows::payload::KIND && declaration.is_none() {
                return Err(Error::Usage(format!(
                    "`{id}` checks records against a data-flow declaration; name one with --declaration"
                )));
            }
        }
        let resolved = profile_ids
            .iter()
            .map(|id| catalogue.resolve(id))
            .collect::<Result<Vec<_>>>()?;
        let mut plan = Plan {
            instances: Vec::new(),
            profiles: Vec::new(),
            requirements: Vec::new(),
        };
        let mut problems = Vec::new();
        let entries = select_entries(
            catalogue,
            &resolved,
            only,
            None,
            &mut problems,
            |selection, kind| {
                // Kinds decided by another command (`dataset`, `flows`) are not
                // payload checks; a declared-flow check needs a declaration.
                let built = if kind == flows::payload::KIND {
                    let declaration = declaration.as_ref()?;
                    plan.declared_flow_instance(&selection.id, &selection.params, declaration)
                } else if checks::payload::KINDS.contains(&kind) {
                    plan.instance_for(&selection.id, kind, &selection.params, registry)
                } else {
                    return None;
                };
                Some(built.map(|instance| Entry {
                    requirement: selection.id.clone(),
                    level: selection.level,
                    instance,
                }))
            },
        )?;
        plan.profiles = profile_plans(&resolved, entries);
        Error::unless_problems(problems)?;
        plan.requirements = requirement_infos(
            catalogue,
            &resolved,
            plan.instances.iter().map(|i| i.requirement.as_str()),
        )?;
        if plan.instances.is_empty() {
            return Err(Error::Usage(
                "the selected profiles and requirements include no payload requirement; nothing to check".to_owned(),
            ));
        }
        Ok(plan)
    }

    /// The index of the instance for (`requirement`, `params`), built on
    /// first use.
    fn instance_for(
        &mut self,
        requirement: &str,
        kind: &str,
        params: &Map<String, Value>,
        registry: &SchemaRegistry,
    ) -> std::result::Result<usize, String> {
        if let Some(i) = self
            .instances
            .iter()
            .position(|x| x.requirement == requirement && &x.params == params)
        {
            return Ok(i);
        }
        let check = PayloadCheck::build(kind, params, || {
            registry.compile(ENVELOPE_URI).map_err(|e| e.to_string())
        })?;
        self.instances.push(Instance {
            requirement: requirement.to_owned(),
            params: params.clone(),
            check,
        });
        Ok(self.instances.len() - 1)
    }

    /// The index of the declared-flow instance for (`requirement`,
    /// `params`), built on first use.
    fn declared_flow_instance(
        &mut self,
        requirement: &str,
        params: &Map<String, Value>,
        declaration: &Arc<Declaration>,
    ) -> std::result::Result<usize, String> {
        if let Some(i) = self
            .instances
            .iter()
            .position(|x| x.requirement == requirement && &x.params == params)
        {
            return Ok(i);
        }
        let check = DeclaredFlowCheck::build(params, Arc::clone(declaration))?;
        self.instances.push(Instance {
            requirement: requirement.to_owned(),
            params: params.clone(),
            check: PayloadCheck::DeclaredFlow(Box::new(check)),
        });
        Ok(self.instances.len() - 1)
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
}

/// One [`ProfilePlan`] a resolved profile, with its entries.
pub(crate) fn profile_plans(
    resolved: &[ResolvedProfile],
    entries: Vec<Vec<Entry>>,
) -> Vec<ProfilePlan> {
    resolved
        .iter()
        .zip(entries)
        .map(|(profile, entries)| ProfilePlan {
            id: profile.id.clone(),
            title: profile.title.clone(),
            entries,
        })
        .collect()
}

/// The walk every command's plan makes: each profile's selected
/// requirements (only those in `only`, when it is not empty) handed to
/// `build` with their check kind. `build` answers `None` for a kind another
/// command decides, the entry, or why the parameters are wrong. A
/// requirement naming an unknown check and every bad parameter go into
/// `problems`, so that all of them are reported at once before any input
/// is read; `hint` replaces the pointer to `requirements show` in the help
/// of a bad parameter. The entries come back per profile, in `resolved`'s
/// order.
pub(crate) fn select_entries<E>(
    catalogue: &Catalogue,
    resolved: &[ResolvedProfile],
    only: &[String],
    hint: Option<&str>,
    problems: &mut Vec<FileProblem>,
    mut build: impl FnMut(&Selection, &str) -> Option<std::result::Result<E, String>>,
) -> Result<Vec<Vec<E>>> {
    let mut per_profile = Vec::with_capacity(resolved.len());
    for profile in resolved {
        let mut entries = Vec::new();
        for selection in &profile.requirements {
            if !only.is_empty() && !only.contains(&selection.id) {
                continue;
            }
            let requirement = catalogue.requirement(&selection.id)?;
            let kind = requirement.check.kind.as_str();
            if !checks::is_known_kind(kind) {
                problems.push(catalogue.problem_in(
                    &format!("requirement:{}", requirement.id),
                    "/check/kind",
                    format!(
                        "requirement `{}` names unknown check `{kind}`",
                        requirement.id
                    ),
                ));
                continue;
            }
            match build(selection, kind) {
                None => {}
                Some(Ok(entry)) => entries.push(entry),
                Some(Err(message)) => problems.push(param_problem(
                    catalogue,
                    profile,
                    &selection.id,
                    selection.set_by.as_deref(),
                    message,
                    hint,
                )),
            }
        }
        per_profile.push(entries);
    }
    Ok(per_profile)
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
/// the regional ones each profile in `resolved` adds, in ID order.
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
            let mut clauses = requirement.clauses.clone();
            for selection in resolved.iter().filter_map(|p| p.selection(id)) {
                for clause in &selection.clauses {
                    if !clauses.contains(clause) {
                        clauses.push(clause.clone());
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
