//! The live plan: the selected profiles resolved, each selected requirement
//! built once per distinct parameter set: payload requirements as payload
//! checks (run on every record a data response carries), live requirements
//! as the cases that name them. Bad parameters and cases that name unknown
//! requirements fail here, before any request is sent.
//!
//! The schemas the answers are judged by are compiled here too, not in
//! the audit: compiling may read a schema from disk or the network, which
//! has no place on the async runtime the audit runs on.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::cases::{Case, case_problem};
use crate::catalog::Catalogue;
use crate::engine::{Plan, Selection};
use crate::error::{Error, FileProblem, Result};
use crate::payload::PayloadCheck;
use crate::payload::pipeline::SchemaChoice;
use crate::schema::SchemaRegistry;

/// The check kind of requirements decided by live cases.
pub const LIVE_KIND: &str = "live-http";

/// How an instance is decided.
#[derive(Debug)]
pub enum Decider {
    /// On each record of each data response.
    Payload(PayloadCheck),
    /// By the expectations of the cases that name the requirement.
    Cases,
    /// By a GBFS rule, on each file of a GBFS feed.
    Gbfs(super::gbfs::GbfsCheck),
}

/// Everything a live audit decides: the engine's plan over deciders, and
/// the cases that send the requests.
#[derive(Debug)]
pub struct LivePlan {
    pub(crate) plan: Plan<Decider>,
    pub(crate) cases: Vec<Case>,
    /// How the records answered find their schema: by their `type`, else
    /// their endpoint's.
    pub(crate) schemas: SchemaChoice,
    /// The top-level members each entity type's schema declares.
    pub(crate) declared: BTreeMap<String, BTreeSet<String>>,
    /// The GBFS schemas by version and feed name, compiled only when a
    /// GBFS rule is selected.
    pub(crate) feed_schemas: super::gbfs::FeedSchemas,
    /// The schema each endpoint names (`schema = ...`), by endpoint path,
    /// compiled by [`LivePlan::compile_endpoint_schemas`].
    pub(crate) endpoint_schemas: BTreeMap<String, SchemaChoice>,
}

impl LivePlan {
    /// Builds the plan for `selection`, with every entity type's schema
    /// compiled. Cases naming unknown requirements, or reading a parameter
    /// a selected profile does not give as a number, fail here with every
    /// bad parameter, before any request.
    pub fn new(
        catalogue: &Catalogue,
        registry: &SchemaRegistry,
        cases: Vec<Case>,
        selection: Selection<'_>,
    ) -> Result<Self> {
        let mut problems = Vec::new();
        for case in &cases {
            for (j, e) in case.expect.iter().enumerate() {
                if catalogue.requirement(&e.requirement).is_err() {
                    problems.push(case_problem(
                        case,
                        j,
                        format!(
                            "case `{}` names unknown requirement `{}`",
                            case.id, e.requirement
                        ),
                    ));
                }
            }
        }
        Error::unless_problems(problems)?;
        let definitions = crate::detect::definitions::Definitions::from_catalogue(catalogue)?;
        let plan = Plan::build(
            catalogue,
            selection,
            "live or payload",
            None,
            |kind, params| {
                if kind == LIVE_KIND {
                    return Some(Ok(Decider::Cases));
                }
                if let Some(built) = super::gbfs::build(kind, params, &definitions) {
                    return Some(built.map(Decider::Gbfs));
                }
                crate::payload::build(kind, params, registry, None, &definitions)
                    .map(|built| built.map(Decider::Payload))
            },
        )?;
        let mut declared = BTreeMap::new();
        for (entity_type, uri) in registry.types() {
            declared.insert(entity_type.to_owned(), registry.declared_properties(uri)?);
        }
        let feed_schemas = if plan
            .instances
            .iter()
            .any(|i| matches!(i.check, Decider::Gbfs(_)))
        {
            super::gbfs::FeedSchemas::compile(registry)?
        } else {
            super::gbfs::FeedSchemas::default()
        };
        let plan = LivePlan {
            plan,
            feed_schemas,
            endpoint_schemas: BTreeMap::new(),
            cases,
            schemas: SchemaChoice::ByType {
                schemas: registry.compile_types()?,
                hint: "set the endpoint's `type` in the target, or add a schema with --schema-dir",
                untyped_hint: "set the endpoint's `type` in the target",
            },
            declared,
        };
        Error::unless_problems(plan.parameter_problems())?;
        Ok(plan)
    }

    /// Compiles the schema each endpoint of `target` names, before any
    /// request: a reference that names no schema stops the run (exit 2)
    /// with the target file and the endpoint.
    pub fn compile_endpoint_schemas(
        &mut self,
        target: &super::target::Target,
        registry: &SchemaRegistry,
    ) -> Result<()> {
        for (path, reference) in &target.schemas {
            let compiled = registry.compile(reference).map_err(|e| match e {
                Error::Usage(message) => {
                    Error::Usage(format!("{}: endpoint `{path}`: {message}", target.file))
                }
                other => other,
            })?;
            self.endpoint_schemas.insert(
                path.clone(),
                SchemaChoice::Forced(std::sync::Arc::new(compiled)),
            );
        }
        Ok(())
    }

    /// Every case condition that reads a parameter finds a number in each
    /// instance of its requirement.
    fn parameter_problems(&self) -> Vec<FileProblem> {
        let mut problems = Vec::new();
        for case in &self.cases {
            for (j, e) in case.expect.iter().enumerate() {
                for param in e.conditions.iter().filter_map(|c| c.param()) {
                    let missing = self
                        .plan
                        .instances
                        .iter()
                        .filter(|i| i.requirement == e.requirement)
                        .any(|i| i.params.get(param).and_then(Value::as_f64).is_none());
                    if missing {
                        problems.push(case_problem(
                            case,
                            j,
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
}
