//! Checks on declared flows: each decides one data-flow requirement for one
//! flow of a declaration, under the parameters a profile sets. Built once
//! per distinct (requirement, parameters), with every `@list` expanded, so
//! that a bad parameter stops the run before any flow is judged.
//!
//! A profile reads every flow as if the flow were that region's: a
//! recipient whose destination is neither the flow's source country nor
//! inside the region (its `domestic` list) is a cross-border transfer, and
//! the region's transfer rules ([`super::transfer`]) apply to it. That
//! reading is what lets a matrix say whether one flow meets two regions at
//! once.

use crate::engine::params;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{transfer, visual};
use crate::catalog::{Lists, Vocabulary};
use crate::declaration::{DataState, Declaration, Flow};
use crate::engine::{Outcome, ParamError, Violation};

/// The check kinds this module implements, as named in the catalogue.
pub const KINDS: &[&str] = &[
    "flow-legal-basis",
    "flow-consent-location",
    "flow-national-id",
    "flow-pseudonymized-research",
    "flow-transfer",
    "flow-localisation",
    "flow-retention",
    "flow-security-measures",
    "flow-special-categories",
    "flow-visual-devices",
];

pub use crate::declaration::LOCATION_CATEGORIES;

/// The concept of legal bases that rest on the person's consent; a
/// law-specific name of it (`eu-gdpr:A6-1-a`) counts through the
/// vocabulary.
pub const CONSENT: &str = "dpv:Consent";

/// The category of data that is about no person.
const NON_PERSONAL: &str = "dpv:NonPersonalData";

/// A flow check, built with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum FlowCheck {
    /// The legal basis is one the profile accepts.
    LegalBasis {
        /// Accepted bases, as written; `None` accepts any.
        accepted: Option<Vec<String>>,
        /// Concepts of the bases that need a recorded assessment.
        assessment_for: Vec<String>,
        /// The legal-basis vocabulary bases are compared through.
        vocabulary: Vocabulary,
        /// Bases a public authority may not use for its tasks (GDPR
        /// Art. 6(1), last sentence: legitimate interests).
        not_for_public_authority: Vec<String>,
    },
    /// Location data rests on the consent the profile asks for.
    ConsentLocation {
        /// The categories that count as location.
        categories: Vec<String>,
        /// Consent is the only basis for identified location data.
        require_consent: bool,
        /// The consent mechanism required when the basis is consent.
        mechanism: String,
        /// The legal-basis vocabulary (which bases are consent).
        vocabulary: Vocabulary,
    },
    /// National identifiers are processed only on the permitted bases.
    NationalId {
        /// The categories that count as national identifiers.
        categories: Vec<String>,
        /// The bases under which they may be processed.
        permitted_bases: Vec<String>,
        /// A statute must be named.
        require_statute: bool,
        /// Permitted bases that need no statute (PIPA Art. 24-2(1)2: an
        /// imminent danger to life, body or property), as concepts.
        no_statute_for: Vec<String>,
        /// The legal-basis vocabulary bases are compared through.
        vocabulary: Vocabulary,
    },
    /// The research-and-statistics exemption for pseudonymized data is
    /// used only as its conditions allow.
    PseudonymizedResearch {
        /// The legal basis naming the exemption.
        basis: String,
        /// The purposes it covers.
        purposes: Vec<String>,
        /// The additional information must be kept apart.
        require_separation: bool,
        /// Pseudonymized information combined with another controller's
        /// must have been combined by a designated agency.
        require_combination_agency: bool,
        /// The records of processing must be kept (PIPA Art. 28-4(3)).
        require_records: bool,
        /// Nothing that identifies a person goes with the data (PIPA
        /// Art. 28-2(2)).
        forbid_identifying: bool,
        /// The legal-basis vocabulary bases are compared through.
        vocabulary: Vocabulary,
    },
    /// Every cross-border recipient rests on a permitted mechanism.
    Transfer(Box<transfer::TransferRule>),
    /// Public-sector data stays in the region.
    Localisation {
        /// The region.
        domestic: Vec<String>,
        /// Approvals after which the data may leave it (PIPL Art. 36, 40:
        /// the security assessment).
        export_after: Vec<String>,
    },
    /// Special categories of data rest on a condition that lifts their
    /// prohibition, besides the legal basis.
    SpecialCategories {
        /// The categories that are special.
        categories: Vec<String>,
        /// The conditions the profile accepts; `None` takes any named one.
        conditions: Option<Vec<String>>,
        /// The vocabulary conditions are compared through: a condition
        /// named in another law's words stands for its DPV concept.
        vocabulary: Vocabulary,
    },
    /// Cameras filming public places do so only for the permitted
    /// purposes, and say so (PIPA Art. 25, 25-2).
    VisualDevices(visual::VisualRule),
    /// Retention is no longer than the profile's limit.
    Retention {
        /// The limit as written.
        max_period: String,
        /// The limit in seconds.
        max_seconds: u64,
    },
    /// The flow or the declaration names its security measures.
    SecurityMeasures,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LegalBasisParams {
    #[serde(default)]
    accepted: Option<Value>,
    #[serde(default)]
    assessment_for: Option<Value>,
    #[serde(default)]
    not_for_public_authority: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsentLocationParams {
    #[serde(default)]
    categories: Option<Value>,
    #[serde(default)]
    require_consent: bool,
    #[serde(default = "opt_in")]
    mechanism: String,
}

fn opt_in() -> String {
    "opt-in".to_owned()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NationalIdParams {
    #[serde(default)]
    categories: Option<Value>,
    permitted_bases: Value,
    #[serde(default)]
    require_statute: bool,
    #[serde(default)]
    no_statute_for: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PseudonymizedParams {
    basis: String,
    purposes: Value,
    #[serde(default = "yes")]
    require_separation: bool,
    #[serde(default = "yes")]
    require_combination_agency: bool,
    #[serde(default)]
    require_records: bool,
    #[serde(default)]
    forbid_identifying: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocalisationParams {
    domestic: Value,
    #[serde(default)]
    export_after: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecialCategoriesParams {
    categories: Value,
    #[serde(default)]
    conditions: Option<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetentionParams {
    max_period: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

/// Structured detail on a violation, for the JSON report.
pub(super) trait WithEvidence {
    fn with_evidence(self, evidence: Value) -> Self;
}

impl WithEvidence for Violation {
    fn with_evidence(mut self, evidence: Value) -> Self {
        self.evidence = Some(evidence);
        self
    }
}

fn expand_or(
    lists: &Lists,
    value: Option<&Value>,
    default: &[&str],
) -> Result<Vec<String>, String> {
    match value {
        Some(value) => lists.expand(value),
        None => Ok(default.iter().map(|s| (*s).to_owned()).collect()),
    }
}

impl FlowCheck {
    /// Builds the check `kind` with `raw` parameters, expanding `@lists`.
    pub fn build(kind: &str, raw: &Map<String, Value>, lists: &Lists) -> Result<Self, ParamError> {
        let vocabulary = Vocabulary::from_lists(lists);
        match kind {
            "flow-legal-basis" => {
                let p: LegalBasisParams = params(kind, raw)?;
                let assessment_for = expand_or(lists, p.assessment_for.as_ref(), &[])?;
                let not_for_public_authority =
                    expand_or(lists, p.not_for_public_authority.as_ref(), &[])?;
                Ok(FlowCheck::LegalBasis {
                    accepted: p.accepted.as_ref().map(|v| lists.expand(v)).transpose()?,
                    assessment_for: vocabulary.concepts_of(&assessment_for),
                    not_for_public_authority: vocabulary.concepts_of(&not_for_public_authority),
                    vocabulary,
                })
            }
            "flow-consent-location" => {
                let p: ConsentLocationParams = params(kind, raw)?;
                if !["opt-in", "opt-out"].contains(&p.mechanism.as_str()) {
                    return Err(ParamError::new(format!(
                        "`mechanism` is `{}`; use opt-in or opt-out",
                        p.mechanism
                    )));
                }
                Ok(FlowCheck::ConsentLocation {
                    categories: expand_or(lists, p.categories.as_ref(), LOCATION_CATEGORIES)?,
                    require_consent: p.require_consent,
                    mechanism: p.mechanism,
                    vocabulary,
                })
            }
            "flow-national-id" => {
                let p: NationalIdParams = params(kind, raw)?;
                Ok(FlowCheck::NationalId {
                    categories: expand_or(
                        lists,
                        p.categories.as_ref(),
                        &["dpv-pd:NationalIdentificationNumber"],
                    )?,
                    permitted_bases: lists.expand(&p.permitted_bases)?,
                    require_statute: p.require_statute,
                    no_statute_for: vocabulary.concepts_of(&expand_or(
                        lists,
                        p.no_statute_for.as_ref(),
                        &[],
                    )?),
                    vocabulary,
                })
            }
            "flow-pseudonymized-research" => {
                let p: PseudonymizedParams = params(kind, raw)?;
                Ok(FlowCheck::PseudonymizedResearch {
                    basis: p.basis,
                    purposes: lists.expand(&p.purposes)?,
                    require_separation: p.require_separation,
                    require_combination_agency: p.require_combination_agency,
                    require_records: p.require_records,
                    forbid_identifying: p.forbid_identifying,
                    vocabulary,
                })
            }
            "flow-visual-devices" => Ok(FlowCheck::VisualDevices(visual::build(
                raw, lists, vocabulary,
            )?)),
            "flow-transfer" => Ok(FlowCheck::Transfer(Box::new(transfer::build(
                raw, lists, vocabulary,
            )?))),
            "flow-localisation" => {
                let p: LocalisationParams = params(kind, raw)?;
                Ok(FlowCheck::Localisation {
                    domestic: lists.expand(&p.domestic)?,
                    export_after: expand_or(lists, p.export_after.as_ref(), &[])?,
                })
            }
            "flow-special-categories" => {
                let p: SpecialCategoriesParams = params(kind, raw)?;
                Ok(FlowCheck::SpecialCategories {
                    categories: lists.expand(&p.categories)?,
                    conditions: p.conditions.as_ref().map(|v| lists.expand(v)).transpose()?,
                    vocabulary,
                })
            }
            "flow-retention" => {
                let p: RetentionParams = params(kind, raw)?;
                let max_seconds = duration_seconds(&p.max_period).ok_or_else(|| {
                    ParamError::new(format!(
                        "`max_period` `{}` is not an ISO 8601 duration such as P1Y or P90D",
                        p.max_period
                    ))
                })?;
                Ok(FlowCheck::Retention {
                    max_period: p.max_period,
                    max_seconds,
                })
            }
            "flow-security-measures" => {
                params::<NoParams>(kind, raw)?;
                Ok(FlowCheck::SecurityMeasures)
            }
            other => Err(ParamError::new(format!("`{other}` is not a flow check"))),
        }
    }

    /// Judges `flow` of `declaration`. Pointers are relative to the flow.
    pub fn run(&self, flow: &Flow, declaration: &Declaration) -> Outcome {
        self.run_on(flow, declaration, None)
    }

    /// As [`FlowCheck::run`], on the day `today` (`YYYY-MM-DD`, the report
    /// date): certifications that expired before it no longer count.
    pub fn run_on(&self, flow: &Flow, declaration: &Declaration, today: Option<&str>) -> Outcome {
        if !carries_personal_data(flow) {
            return Outcome::NotApplicable(
                "the flow carries no personal data (anonymized or non-personal)".to_owned(),
            );
        }
        match self {
            FlowCheck::SecurityMeasures => security_measures(flow, declaration),
            FlowCheck::Retention {
                max_period,
                max_seconds,
            } => retention(flow, max_period, *max_seconds),
            FlowCheck::LegalBasis {
                accepted,
                assessment_for,
                vocabulary,
                not_for_public_authority,
            } => both(
                legal_basis(flow, vocabulary, accepted.as_deref(), assessment_for),
                public_authority_basis(flow, vocabulary, not_for_public_authority),
            ),
            FlowCheck::ConsentLocation {
                categories,
                require_consent,
                mechanism,
                vocabulary,
            } => consent_location(flow, vocabulary, categories, *require_consent, mechanism),
            FlowCheck::NationalId {
                categories,
                permitted_bases,
                require_statute,
                no_statute_for,
                vocabulary,
            } => national_id(
                flow,
                vocabulary,
                categories,
                permitted_bases,
                *require_statute && !names_one_of(vocabulary, &flow.legal_basis, no_statute_for),
            ),
            FlowCheck::PseudonymizedResearch {
                basis,
                purposes,
                require_separation,
                require_combination_agency,
                require_records,
                forbid_identifying,
                vocabulary,
            } => both(
                both(
                    pseudonymized_research(flow, vocabulary, basis, purposes, *require_separation),
                    pseudonymized_safeguards(
                        flow,
                        vocabulary,
                        basis,
                        *require_records,
                        *forbid_identifying,
                    ),
                ),
                combination(flow, vocabulary, basis, *require_combination_agency),
            ),
            FlowCheck::VisualDevices(rule) => visual::judge(flow, rule),
            FlowCheck::Transfer(rule) => {
                transfer::judge(flow, &declaration.controller, rule, today)
            }
            FlowCheck::Localisation {
                domestic,
                export_after,
            } => localisation(flow, domestic, export_after),
            FlowCheck::SpecialCategories {
                categories,
                conditions,
                vocabulary,
            } => special_categories(flow, categories, conditions.as_deref(), vocabulary),
        }
    }
}

/// Whether the flow carries data about persons.
pub fn carries_personal_data(flow: &Flow) -> bool {
    flow.data_state != DataState::Anonymized
        && flow.data_categories.iter().any(|c| c != NON_PERSONAL)
}

/// Whether the flow rests on the person's consent, under whichever name.
pub fn is_consent(flow: &Flow, vocabulary: &Vocabulary) -> bool {
    vocabulary.concept(&flow.legal_basis) == CONSENT
}

/// Whether `basis` names the concept of one of `bases`.
fn names_one_of(vocabulary: &Vocabulary, basis: &str, bases: &[String]) -> bool {
    bases.iter().any(|b| vocabulary.same(basis, b))
}

/// How a finding names the flow's basis: as declared, with its concept
/// when the declared name is a law-specific one.
fn basis_shown(flow: &Flow, vocabulary: &Vocabulary) -> String {
    let concept = vocabulary.concept(&flow.legal_basis);
    if concept == flow.legal_basis {
        flow.legal_basis.clone()
    } else {
        format!("{} ({concept})", flow.legal_basis)
    }
}

/// What would make a flow's basis accepted: one of the accepted ones in
/// `legalBasis`, with what consent needs beside it when consent is one.
fn basis_remedy(accepted: &[String]) -> String {
    let consent = if accepted.iter().any(|c| c == CONSENT) {
        " (on consent, with `consent.mechanism = \"opt-in\"` and where its `records` are kept)"
    } else {
        ""
    };
    format!(
        "It would pass on one of these in `legalBasis`{consent}, if the processing truly rests on it"
    )
}

fn legal_basis(
    flow: &Flow,
    vocabulary: &Vocabulary,
    accepted: Option<&[String]>,
    assessment_for: &[String],
) -> Outcome {
    if flow.legal_basis.is_empty() {
        // A basis per region that names neither this region nor `*`.
        return Outcome::Violations(vec![Violation::new(
            "/legalBasis",
            format!(
                "flow `{}` gives no legal basis for this region; add one under `legalBasis` keyed by this profile's ID, or under `*` for every region",
                flow.id
            ),
        )]);
    }
    let mut violations = Vec::new();
    if let Some(accepted) = accepted
        && !names_one_of(vocabulary, &flow.legal_basis, accepted)
    {
        violations.push(
            Violation::new(
                "/legalBasis",
                format!(
                    "flow `{}`: legal basis `{}` is not accepted here; accepted: {}. {}",
                    flow.id,
                    basis_shown(flow, vocabulary),
                    vocabulary.concepts_of(accepted).join(", "),
                    basis_remedy(&vocabulary.concepts_of(accepted))
                ),
            )
            .with_evidence(json!({
                "legalBasis": flow.legal_basis,
                "concept": vocabulary.concept(&flow.legal_basis),
            })),
        );
    }
    if names_one_of(vocabulary, &flow.legal_basis, assessment_for)
        && flow.legitimate_interest_assessment.is_none()
    {
        violations.push(Violation::new(
            "/legalBasis",
            format!(
                "flow `{}`: legal basis `{}` needs a recorded assessment; add `legitimateInterestAssessment`",
                flow.id,
                basis_shown(flow, vocabulary)
            ),
        ));
    }
    Outcome::from_violations(violations)
}

fn consent_location(
    flow: &Flow,
    vocabulary: &Vocabulary,
    categories: &[String],
    require_consent: bool,
    mechanism: &str,
) -> Outcome {
    if !flow.data_categories.iter().any(|c| categories.contains(c)) {
        return Outcome::NotApplicable("the flow carries no location data".to_owned());
    }
    if !is_consent(flow, vocabulary) {
        return if require_consent && flow.data_state == DataState::Identified {
            Outcome::Violations(vec![Violation::new(
                "/legalBasis",
                format!(
                    "flow `{}`: location data rests on `{}`, but here it needs the person's consent",
                    flow.id, flow.legal_basis
                ),
            )])
        } else {
            Outcome::Pass
        };
    }
    if mechanism == "opt-in" && flow.consent.mechanism != "opt-in" {
        return Outcome::Violations(vec![Violation::new(
            "/consent/mechanism",
            format!(
                "flow `{}`: consent to location data is `{}`; it must be opt-in",
                flow.id, flow.consent.mechanism
            ),
        )]);
    }
    Outcome::Pass
}

fn national_id(
    flow: &Flow,
    vocabulary: &Vocabulary,
    categories: &[String],
    permitted: &[String],
    require_statute: bool,
) -> Outcome {
    if !flow.data_categories.iter().any(|c| categories.contains(c)) {
        return Outcome::NotApplicable("the flow carries no national identifier".to_owned());
    }
    let mut violations = Vec::new();
    if !names_one_of(vocabulary, &flow.legal_basis, permitted) {
        let even = if is_consent(flow, vocabulary) {
            " (not even with consent)"
        } else {
            ""
        };
        violations.push(Violation::new(
            "/legalBasis",
            format!(
                "flow `{}`: national identifiers may not be processed on `{}`{even}; permitted: {}",
                flow.id,
                flow.legal_basis,
                permitted.join(", ")
            ),
        ));
    }
    if require_statute && flow.statute.is_none() {
        violations.push(Violation::new(
            "/statute",
            format!(
                "flow `{}`: national identifiers are processed only where a statute requires it; name it in `statute`",
                flow.id
            ),
        ));
    }
    Outcome::from_violations(violations)
}

fn pseudonymized_research(
    flow: &Flow,
    vocabulary: &Vocabulary,
    basis: &str,
    purposes: &[String],
    require_separation: bool,
) -> Outcome {
    if !vocabulary.same(&flow.legal_basis, basis) {
        return Outcome::NotApplicable(format!("the flow does not rest on `{basis}`"));
    }
    let mut violations = Vec::new();
    for (i, purpose) in flow.purposes.iter().enumerate() {
        if !purposes.contains(purpose) {
            violations.push(Violation::new(
                format!("/purposes/{i}"),
                format!(
                    "flow `{}`: `{basis}` covers statistics, research and archiving, not `{purpose}`",
                    flow.id
                ),
            ));
        }
    }
    if flow.data_state != DataState::Pseudonymized {
        violations.push(Violation::new(
            "/dataState",
            format!(
                "flow `{}`: `{basis}` covers pseudonymized data only",
                flow.id
            ),
        ));
    } else if require_separation && flow.additional_information_separated != Some(true) {
        violations.push(Violation::new(
            "/additionalInformationSeparated",
            format!(
                "flow `{}`: the additional information must be kept apart with separate access rights; declare `additionalInformationSeparated = true` once it is",
                flow.id
            ),
        ));
    }
    Outcome::from_violations(violations)
}

/// What pseudonymized information under the exemption carries with it:
/// records of its processing (PIPA Art. 28-4(3)), and nothing that
/// identifies a person when it is provided to another (Art. 28-2(2)).
fn pseudonymized_safeguards(
    flow: &Flow,
    vocabulary: &Vocabulary,
    basis: &str,
    require_records: bool,
    forbid_identifying: bool,
) -> Outcome {
    if flow.data_state != DataState::Pseudonymized || !vocabulary.same(&flow.legal_basis, basis) {
        return Outcome::Pass;
    }
    let mut violations = Vec::new();
    if forbid_identifying && flow.identifying_information_provided {
        violations.push(Violation::new(
            "/identifyingInformationProvided",
            format!(
                "flow `{}`: pseudonymized information is provided under `{basis}` without anything that identifies a person; keep the additional information (the key back to the person) and other identifying information with the controller and send the pseudonymized data alone",
                flow.id
            ),
        ));
    }
    if require_records && flow.pseudonymisation_records.is_none() {
        violations.push(Violation::new(
            "/pseudonymisationRecords",
            format!(
                "flow `{}`: the processing of pseudonymized information is recorded (its purpose, items, use, recipients and period); name where the records are kept in `pseudonymisationRecords`",
                flow.id
            ),
        ));
    }
    Outcome::from_violations(violations)
}

/// Pseudonymized information combined with another controller's under
/// the exemption: only a designated expert agency may combine it (PIPA
/// Art. 28-3(1)), so the flow names the agency that did.
fn combination(flow: &Flow, vocabulary: &Vocabulary, basis: &str, required: bool) -> Outcome {
    let Some(other) = flow.combined_with.as_deref() else {
        return Outcome::Pass;
    };
    if !required || flow.combination_agency.is_some() || !vocabulary.same(&flow.legal_basis, basis)
    {
        return Outcome::Pass;
    }
    Outcome::Violations(vec![Violation::new(
        "/combinedWith",
        format!(
            "flow `{}`: pseudonymized information combined with `{other}`'s is combined only by an expert agency the regulator or a central administrative agency designated, not by the controllers themselves; have one combine it and name it in `combinationAgency`",
            flow.id
        ),
    )])
}

/// Two findings on one requirement as one outcome: the violations of
/// both, or the first outcome that is not a pass.
fn both(first: Outcome, second: Outcome) -> Outcome {
    match (first, second) {
        (Outcome::Violations(mut a), Outcome::Violations(b)) => {
            a.extend(b);
            Outcome::Violations(a)
        }
        (Outcome::Pass, other) => other,
        (one, _) => one,
    }
}

/// A public authority's flow resting on a basis the law withholds from
/// public authorities in their tasks.
fn public_authority_basis(flow: &Flow, vocabulary: &Vocabulary, refused: &[String]) -> Outcome {
    if !flow.public_authority || !names_one_of(vocabulary, &flow.legal_basis, refused) {
        return Outcome::Pass;
    }
    Outcome::Violations(vec![Violation::new(
        "/legalBasis",
        format!(
            "flow `{}`: legal basis `{}` is not available to a public authority in the performance of its tasks; rest the flow on a task in the public interest or official authority laid down by law (`dpv:PublicInterest` with `statute`)",
            flow.id,
            basis_shown(flow, vocabulary)
        ),
    )])
}

/// Special categories need a condition the profile accepts, named in
/// `specialCategoryCondition`: the legal basis alone does not lift their
/// prohibition. A condition is judged by its concept, so separate consent
/// under PIPA Art. 23(1)1 and explicit consent under GDPR Art. 9(2)(a)
/// are the same condition under every profile.
fn special_categories(
    flow: &Flow,
    categories: &[String],
    conditions: Option<&[String]>,
    vocabulary: &Vocabulary,
) -> Outcome {
    let special: Vec<&str> = flow
        .data_categories
        .iter()
        .filter(|c| categories.contains(c))
        .map(String::as_str)
        .collect();
    if special.is_empty() {
        return Outcome::NotApplicable("the flow carries no special category of data".to_owned());
    }
    let accepted = |c: &String| conditions.is_none_or(|list| names_one_of(vocabulary, c, list));
    match &flow.special_category_condition {
        Some(condition) if accepted(condition) => Outcome::Pass,
        Some(condition) => Outcome::Violations(vec![Violation::new(
            "/specialCategoryCondition",
            format!(
                "flow `{}`: condition {} does not lift the prohibition on {} here; accepted: {}",
                flow.id,
                condition_shown(condition, vocabulary),
                special.join(", "),
                conditions.unwrap_or_default().join(", ")
            ),
        )]),
        None => Outcome::Violations(vec![Violation::new(
            "/dataCategories",
            format!(
                "flow `{}`: {} are special categories, processed only under a condition that lifts their prohibition, whatever the legal basis; name it in `specialCategoryCondition`{}",
                flow.id,
                special.join(", "),
                conditions.map_or(String::new(), |list| format!(
                    " (one of {})",
                    list.join(", ")
                ))
            ),
        )]),
    }
}

/// A condition as declared, with its concept when the name is a
/// law-specific one.
fn condition_shown(condition: &str, vocabulary: &Vocabulary) -> String {
    let concept = vocabulary.concept(condition);
    if concept == condition {
        format!("`{condition}`")
    } else {
        format!("`{condition}` (`{concept}`)")
    }
}

fn localisation(flow: &Flow, domestic: &[String], export_after: &[String]) -> Outcome {
    if !flow.public_sector {
        return Outcome::NotApplicable("the flow is not public-sector data".to_owned());
    }
    let violations: Vec<Violation> = flow
        .recipients
        .iter()
        .enumerate()
        .filter(|(_, recipient)| !approved_export(recipient, export_after))
        .flat_map(|(r, recipient)| {
            recipient
                .destinations
                .iter()
                .enumerate()
                .filter(|(_, d)| !domestic.contains(d))
                .map(move |(d, destination)| {
                    Violation::new(
                        format!("/recipients/{r}/destinations/{d}"),
                        format!(
                            "flow `{}`: public-sector data goes to recipient `{}` in {}, outside {}",
                            flow.id,
                            recipient.id,
                            if destination == "*" { "any country" } else { destination },
                            domestic.join(", ")
                        ),
                    )
                })
        })
        .collect();
    Outcome::from_violations(violations)
}

/// Whether the recipient's transfer rests on an approval after which the
/// data may leave the region.
fn approved_export(recipient: &crate::declaration::Recipient, export_after: &[String]) -> bool {
    recipient.transfer.as_ref().is_some_and(|t| {
        t.mechanism == "authorisation"
            && t.instrument
                .as_ref()
                .is_some_and(|i| export_after.contains(i))
    })
}

fn retention(flow: &Flow, max_period: &str, max_seconds: u64) -> Outcome {
    match duration_seconds(&flow.retention) {
        Some(seconds) if seconds <= max_seconds => Outcome::Pass,
        Some(_) => Outcome::Violations(vec![Violation::new(
            "/retention",
            format!(
                "flow `{}`: retention {} is longer than {max_period}, the limit this profile chooses (the texts it cites set no period); shorten `retention` or record why the purpose needs longer",
                flow.id, flow.retention
            ),
        )]),
        None => Outcome::Error(format!("retention `{}` could not be read", flow.retention)),
    }
}

fn security_measures(flow: &Flow, declaration: &Declaration) -> Outcome {
    if flow.security_measures.is_some() || declaration.security_measures.is_some() {
        Outcome::Pass
    } else {
        Outcome::Violations(vec![Violation::new(
            "",
            format!(
                "flow `{}`: no security measures are referenced; add `securityMeasures` to the flow or the declaration",
                flow.id
            ),
        )])
    }
}

pub use crate::dates::duration_seconds;
