//! The live plan: the selected profiles resolved, each selected requirement
//! built once per distinct parameter set: payload requirements as payload
//! checks (run on every record a data response carries), live requirements
//! as the cases that name them. Bad parameters and cases that name unknown
//! requirements fail here, before any request is sent.

use serde_json::{Map, Value};

use super::cases::{Case, case_problem};
use crate::catalog::{Catalogue, Level};
use crate::checks::payload::{self, PayloadCheck};
use crate::error::{Error, Result};
use crate::model::RequirementInfo;
use crate::run::plan::requirement_infos;
use crate::schema::{ENVELOPE_URI, SchemaRegistry};

/// The check kind of requirements decided by live cases.
pub const LIVE_KIND: &str = "live-http";

/// How an instance is decided.
#[derive(Debug)]
pub(crate) enum Decider {
    /// On each record of each data response.
    Payload(PayloadCheck),
    /// By the expectations of the cases that name the requirement.
    Cases,
}

/// One requirement with one parameter set.
#[derive(Debug)]
pub(crate) struct Instance {
    pub requirement: String,
    pub params: Map<String, Value>,
    pub decider: Decider,
}

/// A profile's selected requirements: (requirement, level, instance).
#[derive(Debug)]
pub(crate) struct ProfileEntries {
    pub id: String,
    pub title: String,
    pub entries: Vec<(String, Level, usize)>,
}

/// Everything a live audit decides.
#[derive(Debug)]
pub struct LivePlan {
    pub(crate) instances: Vec<Instance>,
    pub(crate) profiles: Vec<ProfileEntries>,
    pub(crate) requirements: Vec<RequirementInfo>,
    pub(crate) cases: Vec<Case>,
}

impl LivePlan {
    /// Builds the plan for `profile_ids` (narrowed to `only` when given).
    pub fn new(
        catalogue: &Catalogue,
        registry: &SchemaRegistry,
        cases: Vec<Case>,
        profile_ids: &[String],
        only: &[String],
    ) -> Result<Self> {
        if profile_ids.is_empty() {
            return Err(Error::Usage("no profile selected".to_owned()));
        }
        for id in only {
            catalogue.requirement(id)?;
        }
        let mut problems = Vec::new();
        for case in &cases {
            for e in &case.expect {
                if catalogue.requirement(&e.requirement).is_err() {
                    problems.push(case_problem(
                        case,
                        format!(
                            "case `{}` names unknown requirement `{}`",
                            case.id, e.requirement
                        ),
                    ));
                }
            }
        }
        let mut plan = LivePlan {
            instances: Vec::new(),
            profiles: Vec::new(),
            requirements: Vec::new(),
            cases,
        };
        let mut ids = Vec::new();
        for profile_id in profile_ids {
            let profile = catalogue.resolve(profile_id)?;
            let mut entries = Vec::new();
            for selection in &profile.requirements {
                if !only.is_empty() && !only.contains(&selection.id) {
                    continue;
                }
                let requirement = catalogue.requirement(&selection.id)?;
                let kind = requirement.check.kind.as_str();
                let decider = if kind == LIVE_KIND {
                    None
                } else if payload::KINDS.contains(&kind) {
                    Some(kind)
                } else {
                    continue;
                };
                match plan.instance_for(&selection.id, decider, &selection.params, registry) {
                    Ok(index) => {
                        entries.push((selection.id.clone(), selection.level, index));
                        if !ids.contains(&selection.id) {
                            ids.push(selection.id.clone());
                        }
                    }
                    Err(message) => problems.push(catalogue.problem_in(
                        &format!(
                            "profile:{}",
                            selection.set_by.as_deref().unwrap_or(&profile.id)
                        ),
                        &format!("/requirements/{}/params", selection.id),
                        message,
                    )),
                }
            }
            plan.profiles.push(ProfileEntries {
                id: profile.id.clone(),
                title: profile.title.clone(),
                entries,
            });
        }
        problems.extend(plan.parameter_problems());
        Error::unless_problems(problems)?;
        if plan.instances.is_empty() {
            return Err(Error::Usage(
                "the selected profiles and requirements include no live or payload requirement; nothing to audit".to_owned(),
            ));
        }
        let resolved = profile_ids
            .iter()
            .map(|id| catalogue.resolve(id))
            .collect::<Result<Vec<_>>>()?;
        plan.requirements =
            requirement_infos(catalogue, &resolved, ids.iter().map(String::as_str))?;
        Ok(plan)
    }

    fn instance_for(
        &mut self,
        requirement: &str,
        payload_kind: Option<&str>,
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
        let decider = match payload_kind {
            Some(kind) => Decider::Payload(PayloadCheck::build(kind, params, || {
                registry.compile(ENVELOPE_URI).map_err(|e| e.to_string())
            })?),
            None => Decider::Cases,
        };
        self.instances.push(Instance {
            requirement: requirement.to_owned(),
            params: params.clone(),
            decider,
        });
        Ok(self.instances.len() - 1)
    }

    /// Every case condition that reads a parameter finds a number in each
    /// instance of its requirement.
    fn parameter_problems(&self) -> Vec<crate::error::FileProblem> {
        let mut problems = Vec::new();
        for case in &self.cases {
            for e in &case.expect {
                for param in e.conditions.iter().filter_map(|c| c.param()) {
                    let missing = self
                        .instances
                        .iter()
                        .filter(|i| i.requirement == e.requirement)
                        .any(|i| i.params.get(param).and_then(Value::as_f64).is_none());
                    if missing {
                        problems.push(case_problem(
                            case,
                            format!(
                                "case `{}` reads parameter `{param}` of `{}`, which is not a number under every selected profile",
                                case.id, e.requirement
                            ),
                        ));
                    }
                }
            }
        }
        problems
    }

    /// Which instances each (profile, entry) uses, inverted.
    pub(crate) fn users(&self) -> Vec<Vec<(usize, usize)>> {
        let mut users = vec![Vec::new(); self.instances.len()];
        for (p, profile) in self.profiles.iter().enumerate() {
            for (e, (_, _, instance)) in profile.entries.iter().enumerate() {
                users[*instance].push((p, e));
            }
        }
        users
    }
}
