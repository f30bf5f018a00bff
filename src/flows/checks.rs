//! Checks on declared flows: each decides one data-flow requirement for one
//! flow of a declaration, under the parameters a profile sets. Built once
//! per distinct (requirement, parameters), with every `@list` expanded, so
//! that a bad parameter stops the run before any flow is judged.
//!
//! A profile reads every flow as if the flow were that region's: a
//! recipient whose destination is neither the flow's source country nor
//! inside the region (its `domestic` list) is a cross-border transfer, and
//! the region's transfer rules apply to it. That reading is what lets a
//! matrix say whether one flow meets two regions at once.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::declaration::{DataState, Declaration, Flow, Recipient};
use super::lists::Lists;
use crate::checks::{Outcome, Violation};

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
];

/// Categories that locate a person.
pub const LOCATION_CATEGORIES: &[&str] = &[
    "dpv-pd:Location",
    "dpv-pd:GPSCoordinates",
    "dpv-pd:TravelHistory",
];

/// Legal bases that rest on the person's consent.
pub const CONSENT_BASES: &[&str] = &["dpv:Consent", "eu-gdpr:A6-1-a", "kr-pipa:A15-1-1"];

/// The category of data that is about no person.
const NON_PERSONAL: &str = "dpv:NonPersonalData";

/// A flow check, built with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum FlowCheck {
    /// The legal basis is one the profile accepts.
    LegalBasis {
        /// Accepted bases; `None` accepts any.
        accepted: Option<Vec<String>>,
        /// Bases that need a recorded assessment.
        assessment_for: Vec<String>,
    },
    /// Location data rests on the consent the profile asks for.
    ConsentLocation {
        /// The categories that count as location.
        categories: Vec<String>,
        /// Consent is the only basis for identified location data.
        require_consent: bool,
        /// The consent mechanism required when the basis is consent.
        mechanism: String,
    },
    /// National identifiers are processed only on the permitted bases.
    NationalId {
        /// The categories that count as national identifiers.
        categories: Vec<String>,
        /// The bases under which they may be processed.
        permitted_bases: Vec<String>,
        /// A statute must be named.
        require_statute: bool,
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
    },
    /// Every cross-border recipient rests on a permitted mechanism.
    Transfer(Box<TransferRule>),
    /// Public-sector data stays in the region.
    Localisation {
        /// The region.
        domestic: Vec<String>,
    },
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

/// The transfer rule of a profile.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferRule {
    /// Countries of the region; empty means the flow's source country.
    pub domestic: Vec<String>,
    /// Transfers are allowed unless restricted (a negative list).
    pub default_allow: bool,
    /// Mechanisms a transfer may rest on.
    pub mechanisms: Vec<String>,
    /// Countries with an adequacy decision; `None` takes any claim.
    pub adequate: Option<Vec<String>>,
    /// Countries no transfer may go to.
    pub restricted: Vec<String>,
    /// Certification schemes recognised; `None` accepts any named one.
    pub certifications: Option<Vec<String>>,
    /// Contract instruments recognised; `None` accepts any named one.
    pub instruments: Option<Vec<String>>,
    /// A certification must name its accountability agent.
    pub require_agent: bool,
    /// Contract instruments that fit each recipient role (`processor`,
    /// `controller`, ...): an ASEAN MCC module matches who receives.
    pub role_instruments: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LegalBasisParams {
    #[serde(default)]
    accepted: Option<Value>,
    #[serde(default)]
    assessment_for: Option<Value>,
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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PseudonymizedParams {
    basis: String,
    purposes: Value,
    #[serde(default = "yes")]
    require_separation: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransferParams {
    #[serde(default)]
    domestic: Option<Value>,
    default: String,
    mechanisms: Value,
    #[serde(default)]
    adequate: Option<Value>,
    #[serde(default)]
    restricted: Option<Value>,
    #[serde(default)]
    certifications: Option<Value>,
    #[serde(default)]
    instruments: Option<Value>,
    #[serde(default)]
    require_agent: bool,
    #[serde(default)]
    role_instruments: Map<String, Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocalisationParams {
    domestic: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RetentionParams {
    max_period: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoParams {}

const MECHANISMS: &[&str] = &[
    "adequacy",
    "contract",
    "certification",
    "consent",
    "statute",
    "none",
];

/// Structured detail on a violation, for the JSON report.
trait WithEvidence {
    fn with_evidence(self, evidence: Value) -> Self;
}

impl WithEvidence for Violation {
    fn with_evidence(mut self, evidence: Value) -> Self {
        self.evidence = Some(evidence);
        self
    }
}

fn params<T: DeserializeOwned>(kind: &str, raw: &Map<String, Value>) -> Result<T, String> {
    serde_json::from_value(Value::Object(raw.clone()))
        .map_err(|e| format!("invalid parameters for check `{kind}`: {e}"))
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
    pub fn build(kind: &str, raw: &Map<String, Value>, lists: &Lists) -> Result<Self, String> {
        match kind {
            "flow-legal-basis" => {
                let p: LegalBasisParams = params(kind, raw)?;
                Ok(FlowCheck::LegalBasis {
                    accepted: p.accepted.as_ref().map(|v| lists.expand(v)).transpose()?,
                    assessment_for: expand_or(lists, p.assessment_for.as_ref(), &[])?,
                })
            }
            "flow-consent-location" => {
                let p: ConsentLocationParams = params(kind, raw)?;
                if !["opt-in", "opt-out"].contains(&p.mechanism.as_str()) {
                    return Err(format!(
                        "`mechanism` is `{}`; use opt-in or opt-out",
                        p.mechanism
                    ));
                }
                Ok(FlowCheck::ConsentLocation {
                    categories: expand_or(lists, p.categories.as_ref(), LOCATION_CATEGORIES)?,
                    require_consent: p.require_consent,
                    mechanism: p.mechanism,
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
                })
            }
            "flow-pseudonymized-research" => {
                let p: PseudonymizedParams = params(kind, raw)?;
                Ok(FlowCheck::PseudonymizedResearch {
                    basis: p.basis,
                    purposes: lists.expand(&p.purposes)?,
                    require_separation: p.require_separation,
                })
            }
            "flow-transfer" => Ok(FlowCheck::Transfer(Box::new(transfer_rule(
                params(kind, raw)?,
                lists,
            )?))),
            "flow-localisation" => {
                let p: LocalisationParams = params(kind, raw)?;
                Ok(FlowCheck::Localisation {
                    domestic: lists.expand(&p.domestic)?,
                })
            }
            "flow-retention" => {
                let p: RetentionParams = params(kind, raw)?;
                let max_seconds = duration_seconds(&p.max_period).ok_or_else(|| {
                    format!(
                        "`max_period` `{}` is not an ISO 8601 duration such as P1Y or P90D",
                        p.max_period
                    )
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
            other => Err(format!("`{other}` is not a flow check")),
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
            } => legal_basis(flow, accepted.as_deref(), assessment_for),
            FlowCheck::ConsentLocation {
                categories,
                require_consent,
                mechanism,
            } => consent_location(flow, categories, *require_consent, mechanism),
            FlowCheck::NationalId {
                categories,
                permitted_bases,
                require_statute,
            } => national_id(flow, categories, permitted_bases, *require_statute),
            FlowCheck::PseudonymizedResearch {
                basis,
                purposes,
                require_separation,
            } => pseudonymized_research(flow, basis, purposes, *require_separation),
            FlowCheck::Transfer(rule) => transfer(flow, rule, today),
            FlowCheck::Localisation { domestic } => localisation(flow, domestic),
        }
    }
}

fn transfer_rule(p: TransferParams, lists: &Lists) -> Result<TransferRule, String> {
    let default_allow = match p.default.as_str() {
        "allow" => true,
        "deny" => false,
        other => {
            return Err(format!(
                "`default` is `{other}`; use allow (negative list) or deny"
            ));
        }
    };
    let mechanisms = lists.expand(&p.mechanisms)?;
    if let Some(bad) = mechanisms
        .iter()
        .find(|m| !MECHANISMS.contains(&m.as_str()))
    {
        return Err(format!(
            "`mechanisms` names `{bad}`; known mechanisms: {}",
            MECHANISMS.join(", ")
        ));
    }
    Ok(TransferRule {
        domestic: expand_or(lists, p.domestic.as_ref(), &[])?,
        default_allow,
        mechanisms,
        adequate: p.adequate.as_ref().map(|v| lists.expand(v)).transpose()?,
        restricted: expand_or(lists, p.restricted.as_ref(), &[])?,
        certifications: p
            .certifications
            .as_ref()
            .map(|v| lists.expand(v))
            .transpose()?,
        instruments: p
            .instruments
            .as_ref()
            .map(|v| lists.expand(v))
            .transpose()?,
        require_agent: p.require_agent,
        role_instruments: p
            .role_instruments
            .iter()
            .map(|(role, value)| Ok((role.clone(), lists.expand(value)?)))
            .collect::<Result<_, String>>()?,
    })
}

/// Whether the flow carries data about persons.
pub fn carries_personal_data(flow: &Flow) -> bool {
    flow.data_state != DataState::Anonymized
        && flow.data_categories.iter().any(|c| c != NON_PERSONAL)
}

fn is_consent(basis: &str) -> bool {
    CONSENT_BASES.contains(&basis)
}

fn legal_basis(flow: &Flow, accepted: Option<&[String]>, assessment_for: &[String]) -> Outcome {
    let mut violations = Vec::new();
    if let Some(accepted) = accepted {
        if !accepted.contains(&flow.legal_basis) {
            violations.push(
                Violation::new(
                    "/legalBasis",
                    format!(
                        "flow `{}`: legal basis `{}` is not accepted here; accepted: {}",
                        flow.id,
                        flow.legal_basis,
                        accepted.join(", ")
                    ),
                )
                .with_evidence(json!({ "legalBasis": flow.legal_basis })),
            );
        }
    }
    if assessment_for.contains(&flow.legal_basis) && flow.legitimate_interest_assessment.is_none() {
        violations.push(Violation::new(
            "/legalBasis",
            format!(
                "flow `{}`: legal basis `{}` needs a recorded assessment; add `legitimateInterestAssessment`",
                flow.id, flow.legal_basis
            ),
        ));
    }
    Outcome::from_violations(violations)
}

fn consent_location(
    flow: &Flow,
    categories: &[String],
    require_consent: bool,
    mechanism: &str,
) -> Outcome {
    if !flow.data_categories.iter().any(|c| categories.contains(c)) {
        return Outcome::NotApplicable("the flow carries no location data".to_owned());
    }
    if !is_consent(&flow.legal_basis) {
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
    categories: &[String],
    permitted: &[String],
    require_statute: bool,
) -> Outcome {
    if !flow.data_categories.iter().any(|c| categories.contains(c)) {
        return Outcome::NotApplicable("the flow carries no national identifier".to_owned());
    }
    let mut violations = Vec::new();
    if !permitted.contains(&flow.legal_basis) {
        let even = if is_consent(&flow.legal_basis) {
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
    basis: &str,
    purposes: &[String],
    require_separation: bool,
) -> Outcome {
    if flow.legal_basis != basis {
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

fn transfer(flow: &Flow, rule: &TransferRule, today: Option<&str>) -> Outcome {
    let mut area: Vec<&str> = rule.domestic.iter().map(String::as_str).collect();
    area.push(flow.source_jurisdiction.as_str());
    let mut violations = Vec::new();
    let mut transfers = 0;
    for (r, recipient) in flow.recipients.iter().enumerate() {
        let at = format!("/recipients/{r}");
        let foreign: Vec<&str> = recipient
            .destinations
            .iter()
            .map(String::as_str)
            .filter(|d| !area.contains(d))
            .collect();
        if foreign.is_empty() {
            continue;
        }
        transfers += 1;
        for (d, destination) in recipient.destinations.iter().enumerate() {
            if rule.restricted.contains(destination) {
                violations.push(Violation::new(
                    format!("{at}/destinations/{d}"),
                    format!(
                        "flow `{}`: recipient `{}` is in {destination}, where transfers are restricted",
                        flow.id, recipient.id
                    ),
                ));
            }
        }
        if foreign.contains(&"*") {
            wildcard(flow, recipient, rule, &at, &mut violations);
            continue;
        }
        if rule.default_allow {
            continue;
        }
        mechanism(flow, recipient, &foreign, rule, today, &at, &mut violations);
    }
    if transfers == 0 {
        return Outcome::NotApplicable("no recipient is outside the region".to_owned());
    }
    Outcome::from_violations(violations)
}

fn wildcard(
    flow: &Flow,
    recipient: &Recipient,
    rule: &TransferRule,
    at: &str,
    out: &mut Vec<Violation>,
) {
    if !rule.default_allow {
        out.push(Violation::new(
            format!("{at}/destinations"),
            format!(
                "flow `{}`: recipient `{}` may receive the data in any country (`*`); here every destination must be named and covered",
                flow.id, recipient.id
            ),
        ));
    } else if !rule.restricted.is_empty() {
        out.push(Violation::new(
            format!("{at}/destinations"),
            format!(
                "flow `{}`: recipient `{}` may receive the data in any country (`*`), which includes restricted ones ({})",
                flow.id,
                recipient.id,
                rule.restricted.join(", ")
            ),
        ));
    }
}

fn mechanism(
    flow: &Flow,
    recipient: &Recipient,
    foreign: &[&str],
    rule: &TransferRule,
    today: Option<&str>,
    at: &str,
    out: &mut Vec<Violation>,
) {
    let who = format!(
        "flow `{}`: recipient `{}` ({})",
        flow.id,
        recipient.id,
        foreign.join(", ")
    );
    let Some(transfer) = &recipient.transfer else {
        out.push(Violation::new(
            at.to_owned(),
            format!("{who} is a cross-border transfer with no mechanism; declare `transfer`"),
        ));
        return;
    };
    let at = format!("{at}/transfer");
    if !rule.mechanisms.contains(&transfer.mechanism) {
        out.push(
            Violation::new(
                format!("{at}/mechanism"),
                format!(
                    "{who} relies on `{}`, which is not a permitted mechanism here; permitted: {}",
                    transfer.mechanism,
                    rule.mechanisms.join(", ")
                ),
            )
            .with_evidence(json!({ "mechanism": transfer.mechanism })),
        );
        return;
    }
    match transfer.mechanism.as_str() {
        "adequacy" => {
            let adequate = rule.adequate.as_deref();
            let missing: Vec<&str> = foreign
                .iter()
                .copied()
                .filter(|d| adequate.is_some_and(|list| !list.iter().any(|a| a == d)))
                .collect();
            if !missing.is_empty() {
                out.push(Violation::new(
                    format!("{at}/mechanism"),
                    format!("{who} relies on adequacy, but {} has no adequacy decision here", missing.join(", ")),
                ));
            }
        }
        "certification" => match &transfer.certification {
            None => out.push(Violation::new(
                at.clone(),
                format!("{who} relies on a certification but names none; declare `transfer.certification`"),
            )),
            Some(c)
                if rule
                    .certifications
                    .as_ref()
                    .is_some_and(|list| !list.contains(&c.scheme)) =>
            {
                let recognised = rule.certifications.as_deref().unwrap_or_default();
                out.push(Violation::new(
                    format!("{at}/certification/scheme"),
                    format!(
                        "{who} relies on certification `{}`, not recognised here; recognised: {}",
                        c.scheme,
                        if recognised.is_empty() { "none".to_owned() } else { recognised.join(", ") }
                    ),
                ));
            }
            Some(c) if expired(c.valid_until.as_deref(), today) => out.push(Violation::new(
                format!("{at}/certification/validUntil"),
                format!(
                    "{who}: certification `{}` expired on {}; renew it or rely on another mechanism",
                    c.id,
                    c.valid_until.as_deref().unwrap_or_default()
                ),
            )),
            Some(c) if rule.require_agent && c.accountability_agent.is_none() => out.push(Violation::new(
                format!("{at}/certification"),
                format!("{who}: certification `{}` names no accountability agent", c.id),
            )),
            Some(_) => {}
        },
        "contract" => match (&transfer.instrument, &rule.instruments) {
            (None, _) => out.push(Violation::new(
                at.clone(),
                format!("{who} relies on a contract but names no instrument; declare `transfer.instrument`"),
            )),
            (Some(instrument), Some(accepted)) if !accepted.contains(instrument) => out.push(Violation::new(
                format!("{at}/instrument"),
                format!(
                    "{who} relies on contract `{instrument}`, not recognised here; recognised: {}",
                    accepted.join(", ")
                ),
            )),
            (Some(instrument), _) => {
                if let Some(fitting) = rule.role_instruments.get(&recipient.role) {
                    if !fitting.contains(instrument) {
                        out.push(Violation::new(
                            format!("{at}/instrument"),
                            format!(
                                "{who} is a {} but contract `{instrument}` is for another role; use {}",
                                recipient.role,
                                fitting.join(" or ")
                            ),
                        ));
                    }
                }
            }
        },
        "consent" => {
            if !is_consent(&flow.legal_basis) || flow.consent.mechanism != "opt-in" {
                out.push(Violation::new(
                    format!("{at}/mechanism"),
                    format!("{who} relies on consent, but the flow has no opt-in consent"),
                ));
            }
        }
        "statute" => {
            if transfer.instrument.is_none() && flow.statute.is_none() {
                out.push(Violation::new(
                    at.clone(),
                    format!("{who} relies on a statute but names none; declare `transfer.instrument`"),
                ));
            }
        }
        _ => out.push(Violation::new(
            format!("{at}/mechanism"),
            format!("{who} declares no transfer mechanism"),
        )),
    }
}

/// Whether a certification valid until `until` has expired by `today`
/// (both ISO dates, which order as text).
fn expired(until: Option<&str>, today: Option<&str>) -> bool {
    matches!((until, today), (Some(until), Some(today)) if until < today)
}

fn localisation(flow: &Flow, domestic: &[String]) -> Outcome {
    if !flow.public_sector {
        return Outcome::NotApplicable("the flow is not public-sector data".to_owned());
    }
    let violations: Vec<Violation> = flow
        .recipients
        .iter()
        .enumerate()
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

fn retention(flow: &Flow, max_period: &str, max_seconds: u64) -> Outcome {
    match duration_seconds(&flow.retention) {
        Some(seconds) if seconds <= max_seconds => Outcome::Pass,
        Some(_) => Outcome::Violations(vec![Violation::new(
            "/retention",
            format!(
                "flow `{}`: retention {} is longer than the limit {max_period}",
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

/// Seconds in an ISO 8601 duration (`P1Y2M3W4DT5H6M7S`), counting a year
/// as 365 days and a month as 30: a retention limit needs an order, not a
/// calendar. `None` when the text is not such a duration.
pub fn duration_seconds(text: &str) -> Option<u64> {
    let rest = text.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) if !time.is_empty() => (date, time),
        Some(_) => return None,
        None => (rest, ""),
    };
    let date_units: &[(char, u64)] = &[
        ('Y', 365 * 86_400),
        ('M', 30 * 86_400),
        ('W', 7 * 86_400),
        ('D', 86_400),
    ];
    let time_units: &[(char, u64)] = &[('H', 3600), ('M', 60), ('S', 1)];
    let total = sum_units(date, date_units)?.checked_add(sum_units(time, time_units)?)?;
    (!(date.is_empty() && time.is_empty())).then_some(total)
}

fn sum_units(text: &str, units: &[(char, u64)]) -> Option<u64> {
    let mut total = 0u64;
    let mut number = String::new();
    let mut next_unit = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let offset = units[next_unit..].iter().position(|(u, _)| *u == c)?;
        let factor = units[next_unit + offset].1;
        next_unit += offset + 1;
        if number.is_empty() {
            return None;
        }
        total = total.checked_add(number.parse::<u64>().ok()?.checked_mul(factor)?)?;
        number.clear();
    }
    number.is_empty().then_some(total)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{FlowCheck, duration_seconds};
    use crate::checks::Outcome;
    use crate::flows::{Declaration, Lists};

    /// A declaration of one flow from KR on `basis` (opt-in consent when
    /// the basis is consent) to one recipient.
    fn declaration(basis: &str, recipient: Value) -> Declaration {
        let consent = if basis == "dpv:Consent" {
            json!({ "mechanism": "opt-in", "records": "https://example.org/c" })
        } else {
            json!({ "mechanism": "none" })
        };
        let text = json!({
            "declarationVersion": "1.0",
            "platform": { "name": "p" },
            "controller": { "name": "c", "contact": "c@example.org", "jurisdiction": "KR" },
            "flows": [{
                "id": "f",
                "dataCategories": ["dpv-pd:Location"],
                "dataSubjects": [],
                "purposes": ["dpv:ServiceProvision"],
                "legalBasis": basis,
                "consent": consent,
                "sourceJurisdiction": "KR",
                "dataState": "identified",
                "recipients": [recipient],
                "retention": "P1Y"
            }]
        });
        Declaration::parse("t.json", &text.to_string(), false).expect("valid declaration")
    }

    fn transfer(params: Value, basis: &str, recipient: Value) -> Outcome {
        let Value::Object(params) = params else {
            panic!("parameters are an object")
        };
        let check = FlowCheck::build("flow-transfer", &params, &Lists::default())
            .expect("valid parameters");
        let declaration = declaration(basis, recipient);
        check.run(&declaration.flows[0], &declaration)
    }

    fn messages(outcome: &Outcome) -> Vec<String> {
        match outcome {
            Outcome::Violations(v) => v.iter().map(|v| v.message.clone()).collect(),
            other => panic!("violations expected, got {other:?}"),
        }
    }

    #[test]
    fn a_negative_list_allows_all_but_restricted_destinations() {
        let rule = json!({ "default": "allow", "mechanisms": [], "restricted": ["XX"] });
        let to = |d: &str| json!({ "id": "r", "role": "controller", "destinations": [d] });
        assert_eq!(
            transfer(rule.clone(), "dpv:Contract", to("US")),
            Outcome::Pass
        );
        assert!(
            messages(&transfer(rule.clone(), "dpv:Contract", to("XX")))[0].contains("restricted")
        );
        assert!(
            messages(&transfer(rule, "dpv:Contract", to("*")))[0].contains("includes restricted")
        );
        let open = json!({ "default": "allow", "mechanisms": [] });
        assert_eq!(transfer(open, "dpv:Contract", to("*")), Outcome::Pass);
    }

    #[test]
    fn deny_by_default_needs_a_covering_mechanism() {
        let rule = json!({ "default": "deny", "mechanisms": ["adequacy", "consent", "statute"], "adequate": ["JP"] });
        let with = |d: &str, t: Value| json!({ "id": "r", "role": "controller", "destinations": [d], "transfer": t });
        let adequacy = json!({ "mechanism": "adequacy" });
        assert_eq!(
            transfer(rule.clone(), "dpv:Contract", with("JP", adequacy.clone())),
            Outcome::Pass
        );
        assert!(
            messages(&transfer(
                rule.clone(),
                "dpv:Contract",
                with("US", adequacy)
            ))[0]
                .contains("no adequacy decision")
        );
        let consent = json!({ "mechanism": "consent" });
        assert_eq!(
            transfer(rule.clone(), "dpv:Consent", with("US", consent.clone())),
            Outcome::Pass
        );
        assert!(
            messages(&transfer(rule.clone(), "dpv:Contract", with("US", consent)))[0]
                .contains("no opt-in consent")
        );
        let statute = json!({ "mechanism": "statute" });
        assert!(
            messages(&transfer(rule.clone(), "dpv:Contract", with("US", statute)))[0]
                .contains("names none")
        );
        let bare = json!({ "id": "r", "role": "controller", "destinations": ["US"] });
        assert!(
            messages(&transfer(rule.clone(), "dpv:Contract", bare))[0].contains("no mechanism")
        );
        let home = json!({ "id": "r", "role": "controller", "destinations": ["KR"] });
        assert!(matches!(
            transfer(rule, "dpv:Contract", home),
            Outcome::NotApplicable(_)
        ));
    }

    #[test]
    fn an_expired_certification_no_longer_covers_a_transfer() {
        let rule = json!({ "default": "deny", "mechanisms": ["certification"], "certifications": ["apec-cbpr"] });
        let Value::Object(params) = rule else {
            panic!("object")
        };
        let check = FlowCheck::build("flow-transfer", &params, &Lists::default()).expect("valid");
        let recipient = json!({
            "id": "r", "role": "controller", "destinations": ["US"],
            "transfer": { "mechanism": "certification",
                "certification": { "scheme": "apec-cbpr", "id": "C-9", "validUntil": "2025-12-31" } }
        });
        let declaration = declaration("dpv:Contract", recipient);
        let flow = &declaration.flows[0];
        assert_eq!(
            check.run_on(flow, &declaration, Some("2025-12-31")),
            Outcome::Pass
        );
        let late = check.run_on(flow, &declaration, Some("2026-01-01"));
        assert!(
            messages(&late)[0].contains("expired on 2025-12-31"),
            "{late:?}"
        );
        assert_eq!(
            check.run(flow, &declaration),
            Outcome::Pass,
            "no date, no expiry"
        );
    }

    #[test]
    fn bad_transfer_parameters_are_named() {
        let build = |params: Value| {
            let Value::Object(params) = params else {
                panic!("object")
            };
            FlowCheck::build("flow-transfer", &params, &Lists::default())
        };
        let err = build(json!({ "default": "maybe", "mechanisms": [] })).expect_err("bad default");
        assert!(err.contains("`default`"), "{err}");
        let err = build(json!({ "default": "deny", "mechanisms": ["telepathy"] }))
            .expect_err("bad mechanism");
        assert!(err.contains("telepathy"), "{err}");
        let err = build(json!({ "default": "deny", "mechanisms": "@nowhere" }))
            .expect_err("unknown list");
        assert!(err.contains("@nowhere"), "{err}");
    }

    #[test]
    fn durations_order_retention_periods() {
        assert_eq!(duration_seconds("P1Y"), Some(365 * 86_400));
        assert_eq!(duration_seconds("P90D"), Some(90 * 86_400));
        assert_eq!(duration_seconds("P1DT12H"), Some(86_400 + 12 * 3600));
        assert_eq!(duration_seconds("P1M1Y"), None, "units out of order");
        assert_eq!(duration_seconds("P"), None);
        assert_eq!(duration_seconds("PT"), None);
        assert_eq!(duration_seconds("P1Q"), None);
        assert_eq!(duration_seconds("P99999999999999999999Y"), None);
    }
}
