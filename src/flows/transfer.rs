//! Cross-border transfers: the transfer rule a profile sets (its region,
//! deny-by-default or a negative list, the mechanisms, adequate countries,
//! certifications and contract instruments it recognises) and how each
//! recipient of a flow is judged under it.
//!
//! A recipient whose destination is neither the flow's source country nor
//! inside the region is a transfer. Under deny-by-default it must rest on a
//! permitted mechanism that covers its destination; `*` (any country) can
//! only be covered under a negative list, and then only when nothing is
//! restricted.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::checks::{WithEvidence, is_consent};
use crate::catalog::{CarveOut, Lists, Member, Vocabulary};
use crate::declaration::{Flow, Party, Recipient, Transfer};
use crate::engine::{Outcome, ParamError, Violation, params};

/// The transfer rule of a profile.
#[derive(Debug, Clone, PartialEq)]
pub struct TransferRule {
    /// The legal-basis vocabulary (which bases are consent).
    pub vocabulary: Vocabulary,
    /// Countries of the region; empty means the flow's source country.
    pub domestic: Vec<String>,
    /// Transfers are allowed unless restricted (a negative list).
    pub default_allow: bool,
    /// Mechanisms a transfer may rest on.
    pub mechanisms: Vec<String>,
    /// Countries with an adequacy decision, each with what its decision
    /// does not cover; `None` takes any claim.
    pub adequate: Option<Vec<Member>>,
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
    /// The recipient roles each contract instrument may serve: Korea's
    /// contract necessity (PIPA Art. 28-8(1)3) covers entrusting
    /// processing or storage, so a processor, never provision to a
    /// controller.
    pub instrument_roles: BTreeMap<String, Vec<String>>,
    /// Consent must have been given separately for the transfer (PIPA
    /// Art. 28-8(1)1), not only for the processing.
    pub separate_consent: bool,
    /// Contract instruments that hold only when the transfer is disclosed
    /// to the data subject (PIPA Art. 28-8(1)3: privacy policy or e-mail).
    pub disclosure_for: Vec<String>,
    /// Mechanisms or instruments that cover an occasional transfer only
    /// (GDPR Recital 111: the contract derogations of Art. 49(1)(b), (c)).
    pub occasional_only: Vec<String>,
    /// Mechanisms or instruments a public authority may not use in its
    /// public powers (GDPR Art. 49(3): explicit consent and the contract
    /// derogations).
    pub not_for_public_authority: Vec<String>,
    /// Why a public authority's flow is outside the law, where it is
    /// (PDPA s. 4(1)(c)): the requirement does not apply to it.
    pub outside_for_public_authority: Option<String>,
    /// The recipient roles each certification scheme may serve: a
    /// processor certification (PRP) cannot stand for a controller
    /// (PDPR reg. 12(2)).
    pub certification_roles: BTreeMap<String, Vec<String>>,
    /// Data categories whose transfer needs a mechanism even under a
    /// negative list (SPDI Rules 2011 r. 7: sensitive personal data).
    pub guarded_categories: Vec<String>,
    /// The mechanism set by the volume exported and the handler's status
    /// (the 2024 CAC Provisions); `None` where the law sets none.
    pub volume: Option<Volume>,
    /// A transfer answering a third country's court or authority order
    /// needs the international agreement it rests on when it offers no
    /// other ground than a statute (GDPR Art. 48).
    pub foreign_order_needs_agreement: bool,
    /// A transfer under the regulator's suspension order fails whatever
    /// its mechanism (PIPA Art. 28-9).
    pub suspension_orders: bool,
    /// The forms of deemed consent that carry a transfer (PDPR 2021
    /// reg. 10(2)(b): contractual necessity); `None` where the region
    /// reads no deemed consent, and a transfer on consent needs opt-in.
    pub deemed_consent: Option<Vec<String>>,
    /// Consent to a transfer counts only after a written summary of the
    /// protection abroad (PDPR 2021 reg. 10(3)(a)).
    pub consent_needs_summary: bool,
}

/// Volume thresholds that decide which mechanism an export needs: none
/// below the exemption, a regulator's security assessment from the
/// assessment thresholds on, for important data or for an operator of
/// critical information infrastructure, the profile's mechanisms between.
/// A threshold counts its own number: the CAC Provisions' "100万人以上"
/// includes one million, as PRC law reads 以上.
#[derive(Debug, Clone, PartialEq)]
pub struct Volume {
    /// Categories that count as sensitive.
    pub sensitive: Vec<String>,
    /// Below this many individuals a year, non-sensitive data is exempt.
    pub exempt_below: u64,
    /// From this many individuals a year on, the assessment is needed.
    pub assessment_from: u64,
    /// From this many individuals' sensitive data a year on, too.
    pub assessment_sensitive_from: u64,
    /// Important data needs the assessment whatever the count, and no
    /// exemption carries it (the exemptions concern personal information).
    pub important_data_assessed: bool,
    /// The authorisations that are the assessment.
    pub assessment: Vec<String>,
    /// Instruments that exempt the export whatever its volume (necessity
    /// for a contract with the person, for human-resources management).
    pub exemptions: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VolumeParams {
    sensitive: Value,
    exempt_below: u64,
    assessment_from: u64,
    assessment_sensitive_from: u64,
    #[serde(default)]
    important_data_assessed: bool,
    assessment: Value,
    #[serde(default)]
    exemptions: Option<Value>,
}

/// The mechanism an export needs under a [`Volume`] rule.
enum Tier {
    /// No mechanism.
    Exempt,
    /// One of the profile's mechanisms.
    Mechanism,
    /// The security assessment, for this reason.
    Assessment(String),
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
    #[serde(default)]
    instrument_roles: Map<String, Value>,
    #[serde(default)]
    separate_consent: bool,
    #[serde(default)]
    disclosure_for: Option<Value>,
    #[serde(default)]
    occasional_only: Option<Value>,
    #[serde(default)]
    not_for_public_authority: Option<Value>,
    #[serde(default)]
    outside_for_public_authority: Option<String>,
    #[serde(default)]
    certification_roles: Map<String, Value>,
    #[serde(default)]
    guarded_categories: Option<Value>,
    #[serde(default)]
    volume: Option<Map<String, Value>>,
    #[serde(default)]
    foreign_order_needs_agreement: bool,
    #[serde(default)]
    suspension_orders: bool,
    #[serde(default)]
    deemed_consent: Option<Value>,
    #[serde(default)]
    consent_needs_summary: bool,
}

/// The forms of deemed consent a declaration can name.
const DEEMED_CONSENT: &[&str] = &["conduct", "contractual-necessity", "notification"];

const MECHANISMS: &[&str] = &[
    "adequacy",
    "contract",
    "certification",
    "consent",
    "statute",
    "authorisation",
    "none",
];

/// Builds the rule from a profile's raw parameters, expanding `@lists`.
pub(super) fn build(
    raw: &Map<String, Value>,
    lists: &Lists,
    vocabulary: Vocabulary,
) -> Result<TransferRule, ParamError> {
    let p: TransferParams = params("flow-transfer", raw)?;
    let default_allow = match p.default.as_str() {
        "allow" => true,
        "deny" => false,
        other => {
            return Err(ParamError::new(format!(
                "`default` is `{other}`; use allow (negative list) or deny"
            )));
        }
    };
    let mechanisms = lists.expand(&p.mechanisms)?;
    if let Some(bad) = mechanisms
        .iter()
        .find(|m| !MECHANISMS.contains(&m.as_str()))
    {
        return Err(ParamError::new(format!(
            "`mechanisms` names `{bad}`; known mechanisms: {}",
            MECHANISMS.join(", ")
        )));
    }
    Ok(TransferRule {
        vocabulary,
        domestic: p
            .domestic
            .as_ref()
            .map_or(Ok(Vec::new()), |v| lists.expand(v))?,
        default_allow,
        mechanisms,
        adequate: p
            .adequate
            .as_ref()
            .map(|v| lists.expand_members(v))
            .transpose()?,
        restricted: p
            .restricted
            .as_ref()
            .map_or(Ok(Vec::new()), |v| lists.expand(v))?,
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
        instrument_roles: p
            .instrument_roles
            .iter()
            .map(|(instrument, value)| Ok((instrument.clone(), lists.expand(value)?)))
            .collect::<Result<_, String>>()?,
        separate_consent: p.separate_consent,
        disclosure_for: p
            .disclosure_for
            .as_ref()
            .map_or(Ok(Vec::new()), |v| lists.expand(v))?,
        occasional_only: expand_or_empty(lists, p.occasional_only.as_ref())?,
        not_for_public_authority: expand_or_empty(lists, p.not_for_public_authority.as_ref())?,
        outside_for_public_authority: p.outside_for_public_authority,
        certification_roles: p
            .certification_roles
            .iter()
            .map(|(scheme, value)| Ok((scheme.clone(), lists.expand(value)?)))
            .collect::<Result<_, String>>()?,
        guarded_categories: expand_or_empty(lists, p.guarded_categories.as_ref())?,
        volume: p.volume.as_ref().map(|v| volume(v, lists)).transpose()?,
        foreign_order_needs_agreement: p.foreign_order_needs_agreement,
        suspension_orders: p.suspension_orders,
        deemed_consent: deemed_routes(p.deemed_consent.as_ref(), lists)?,
        consent_needs_summary: p.consent_needs_summary,
    })
}

/// The forms of deemed consent a profile takes, each one a declaration
/// can name.
fn deemed_routes(value: Option<&Value>, lists: &Lists) -> Result<Option<Vec<String>>, ParamError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let routes = lists.expand(value)?;
    if let Some(bad) = routes
        .iter()
        .find(|r| !DEEMED_CONSENT.contains(&r.as_str()))
    {
        return Err(ParamError::new(format!(
            "`deemed_consent` names `{bad}`; use {}",
            DEEMED_CONSENT.join(", ")
        )));
    }
    Ok(Some(routes))
}

fn expand_or_empty(lists: &Lists, value: Option<&Value>) -> Result<Vec<String>, String> {
    value.map_or(Ok(Vec::new()), |v| lists.expand(v))
}

fn volume(raw: &Map<String, Value>, lists: &Lists) -> Result<Volume, ParamError> {
    let p: VolumeParams = params("flow-transfer `volume`", raw)?;
    Ok(Volume {
        sensitive: lists.expand(&p.sensitive)?,
        exempt_below: p.exempt_below,
        assessment_from: p.assessment_from,
        assessment_sensitive_from: p.assessment_sensitive_from,
        important_data_assessed: p.important_data_assessed,
        assessment: lists.expand(&p.assessment)?,
        exemptions: expand_or_empty(lists, p.exemptions.as_ref())?,
    })
}

/// Which mechanism an export of `flow` by `controller` needs: the
/// assessment for important data, for an operator of critical information
/// infrastructure or from a threshold on, nothing for few individuals'
/// non-sensitive data,
/// else one of the profile's mechanisms (also when the count is not
/// declared, since no exemption can then be shown).
fn tier(flow: &Flow, controller: &Party, volume: &Volume) -> Tier {
    if let Some(reason) = important_data(flow, volume) {
        return Tier::Assessment(reason);
    }
    if controller.critical_infrastructure_operator {
        return Tier::Assessment(
            "the controller operates critical information infrastructure".to_owned(),
        );
    }
    let sensitive: Vec<&str> = flow
        .data_categories
        .iter()
        .filter(|c| volume.sensitive.contains(c))
        .map(String::as_str)
        .collect();
    let Some(count) = flow.individuals_per_year else {
        return Tier::Mechanism;
    };
    if !sensitive.is_empty() {
        if count >= volume.assessment_sensitive_from {
            return Tier::Assessment(format!(
                "{count} individuals a year with sensitive data ({}) reaches the threshold of {}",
                sensitive.join(", "),
                volume.assessment_sensitive_from
            ));
        }
        return Tier::Mechanism;
    }
    if count >= volume.assessment_from {
        Tier::Assessment(format!(
            "{count} individuals a year reaches the threshold of {}",
            volume.assessment_from
        ))
    } else if count < volume.exempt_below {
        Tier::Exempt
    } else {
        Tier::Mechanism
    }
}

/// Why `flow` needs the assessment as important data, if it does.
fn important_data(flow: &Flow, volume: &Volume) -> Option<String> {
    (volume.important_data_assessed && flow.important_data)
        .then(|| "the flow carries important data".to_owned())
}

/// Whether the recipient names an instrument that exempts the export from
/// the volume rule.
fn exempted(recipient: &Recipient, volume: &Volume) -> bool {
    recipient
        .transfer
        .as_ref()
        .and_then(|t| t.instrument.as_ref())
        .is_some_and(|i| volume.exemptions.contains(i))
}

/// The assessment tier: only an authorisation naming the assessment.
fn assessment(
    flow: &Flow,
    recipient: &Recipient,
    volume: &Volume,
    reason: &str,
    at: &str,
    out: &mut Vec<Violation>,
) {
    let approved = recipient.transfer.as_ref().is_some_and(|t| {
        t.mechanism == "authorisation"
            && t.instrument
                .as_ref()
                .is_some_and(|i| volume.assessment.contains(i))
    });
    if !approved {
        out.push(Violation::new(
            format!("{at}/transfer"),
            format!(
                "flow `{}`: recipient `{}` needs the regulator's security assessment, because {reason}; no contract, certification or exemption replaces it: declare mechanism `authorisation` with instrument {} once it is approved",
                flow.id,
                recipient.id,
                volume.assessment.join(" or ")
            ),
        ));
    }
}

/// Judges every recipient of `flow`, declared by `controller`, under
/// `rule` on the day `today`.
pub(super) fn judge(
    flow: &Flow,
    controller: &Party,
    rule: &TransferRule,
    today: Option<&str>,
) -> Outcome {
    if let Some(reason) = rule
        .outside_for_public_authority
        .as_ref()
        .filter(|_| flow.public_authority)
    {
        return Outcome::NotApplicable(reason.clone());
    }
    let guarded = flow
        .data_categories
        .iter()
        .any(|c| rule.guarded_categories.contains(c));
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
        if suspended(flow, recipient, rule, today, &at, &mut violations) {
            continue;
        }
        if rule.default_allow && !guarded {
            continue;
        }
        if let Some(volume) = rule
            .volume
            .as_ref()
            .filter(|v| important_data(flow, v).is_some() || !exempted(recipient, v))
        {
            match tier(flow, controller, volume) {
                Tier::Exempt => continue,
                Tier::Assessment(reason) => {
                    assessment(flow, recipient, volume, &reason, &at, &mut violations);
                    continue;
                }
                Tier::Mechanism => {}
            }
        }
        let before = violations.len();
        mechanism(flow, recipient, &foreign, rule, today, &at, &mut violations);
        explain(
            &mut violations[before..],
            flow,
            recipient,
            &foreign,
            rule,
            today,
        );
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
            format!(
                "{who} is a cross-border transfer with no mechanism; declare `transfer`{}",
                if rule.volume.is_some() && flow.individuals_per_year.is_none() {
                    ", or `individualsPerYear` where few individuals' data exempts the export"
                } else {
                    ""
                }
            ),
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
    if let Some(refused) = derogation(flow, transfer, rule) {
        out.push(Violation::new(
            format!("{at}/mechanism"),
            format!("{who} {refused}"),
        ));
        return;
    }
    if rule.foreign_order_needs_agreement
        && transfer.foreign_order.is_some()
        && transfer.international_agreement.is_none()
        && transfer.mechanism == "statute"
    {
        out.push(Violation::new(
            format!("{at}/foreignOrder"),
            format!(
                "{who} answers a third country's court or authority order and rests on it as a statute; such an order is no ground by itself: name the international agreement it is based on (a mutual legal assistance treaty in force with the Union or a Member State) in `transfer.internationalAgreement`, or rest the transfer on another ground of the region"
            ),
        ));
        return;
    }
    match transfer.mechanism.as_str() {
        "adequacy" => {
            if let Some(adequate) = rule.adequate.as_deref() {
                adequacy(flow, recipient, foreign, adequate, today, &who, &at, out);
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
            Some(c) if rule
                .certification_roles
                .get(&c.scheme)
                .is_some_and(|roles| !roles.contains(&recipient.role)) =>
            {
                let roles = rule.certification_roles.get(&c.scheme).cloned().unwrap_or_default();
                let others: Vec<&str> = rule
                    .certifications
                    .iter()
                    .flatten()
                    .filter(|scheme| {
                        rule.certification_roles
                            .get(*scheme)
                            .is_none_or(|r| r.contains(&recipient.role))
                    })
                    .map(String::as_str)
                    .collect();
                out.push(Violation::new(
                    format!("{at}/certification/scheme"),
                    format!(
                        "{who} is a {} but certification `{}` counts here only for a {} recipient; {}",
                        recipient.role,
                        c.scheme,
                        roles.join(" or "),
                        if others.is_empty() {
                            "rely on another mechanism".to_owned()
                        } else {
                            format!("a {} needs {}, or another mechanism", recipient.role, others.join(" or "))
                        }
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
            (Some(instrument), _) if rule.volume.as_ref().is_some_and(|v| v.assessment.contains(instrument)) => out.push(Violation::new(
                format!("{at}/mechanism"),
                format!(
                    "{who} names `{instrument}` as a contract, but it is a regulator's approval: declare mechanism `authorisation` with it once approved"
                ),
            )),
            (Some(instrument), Some(accepted)) if !accepted.contains(instrument) => out.push(Violation::new(
                format!("{at}/instrument"),
                format!(
                    "{who} relies on contract `{instrument}`, not recognised here; recognised: {}",
                    accepted.join(", ")
                ),
            )),
            (Some(instrument), _) => {
                if let Some(roles) = rule.instrument_roles.get(instrument).filter(|r| !r.contains(&recipient.role)) {
                    out.push(Violation::new(
                        format!("{at}/instrument"),
                        format!(
                            "{who} is a {} but contract `{instrument}` covers only a {} recipient; rely on another mechanism for this recipient",
                            recipient.role,
                            roles.join(" or ")
                        ),
                    ));
                } else if rule.disclosure_for.contains(instrument) && transfer.disclosed_in.is_none() {
                    out.push(Violation::new(
                        at.clone(),
                        format!(
                            "{who} relies on contract `{instrument}`, which holds only when the transfer is disclosed to the data subject (privacy policy or e-mail); name where in `transfer.disclosedIn`"
                        ),
                    ));
                } else if let Some(fitting) = rule.role_instruments.get(&recipient.role)
                    && !fitting.contains(instrument) {
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
        },
        "consent" => consent(flow, transfer, rule, &who, &at, out),
        "authorisation" => authorisation(recipient, transfer, rule, &who, &at, out),
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

/// A transfer on the person's consent: opt-in consent to the flow (given
/// separately where the region asks, after a written summary of the
/// protection abroad where it asks), or a form of deemed consent the
/// region takes for a transfer (PDPR 2021 reg. 10(2)(b), (3)).
fn consent(
    flow: &Flow,
    transfer: &Transfer,
    rule: &TransferRule,
    who: &str,
    at: &str,
    out: &mut Vec<Violation>,
) {
    if let (Some(route), Some(routes)) = (&transfer.deemed_consent, &rule.deemed_consent) {
        if !routes.contains(route) {
            out.push(Violation::new(
                format!("{at}/deemedConsent"),
                format!(
                    "{who} relies on deemed consent by {route}, which does not carry a transfer here; deemed consent carries one only by {}: obtain the person's consent to the transfer, or bind the recipient by contract",
                    routes.join(" or ")
                ),
            ));
        }
        return;
    }
    if !is_consent(flow, &rule.vocabulary) || flow.consent.mechanism != "opt-in" {
        out.push(Violation::new(
            format!("{at}/mechanism"),
            format!("{who} relies on consent, but the flow has no opt-in consent"),
        ));
    } else if rule.separate_consent && !transfer.separate_consent {
        out.push(Violation::new(
            at.to_owned(),
            format!(
                "{who} relies on consent, but here the transfer needs consent given separately from any other; obtain it and set `transfer.separateConsent`"
            ),
        ));
    } else if rule.consent_needs_summary && transfer.protection_summary.is_none() {
        out.push(Violation::new(
            at.to_owned(),
            format!(
                "{who} relies on consent, which counts here only when the person was first given a written summary of how the data will be protected abroad; give one and name where it is kept in `transfer.protectionSummary`"
            ),
        ));
    }
}

/// Whether the regulator's order suspends this recipient's transfer on
/// `today` (PIPA Art. 28-9): then no mechanism carries it, the failure
/// says so, and the recipient is judged no further. An order with no
/// evaluation date is taken as in force.
fn suspended(
    flow: &Flow,
    recipient: &Recipient,
    rule: &TransferRule,
    today: Option<&str>,
    at: &str,
    out: &mut Vec<Violation>,
) -> bool {
    let Some(order) = recipient
        .transfer
        .as_ref()
        .and_then(|t| t.suspension_order.as_ref())
        .filter(|_| rule.suspension_orders)
    else {
        return false;
    };
    let in_force = today.is_none_or(|day| {
        order.from.as_str() <= day && order.until.as_deref().is_none_or(|until| day <= until)
    });
    if in_force {
        out.push(Violation::new(
            format!("{at}/transfer/suspensionOrder"),
            format!(
                "flow `{}`: recipient `{}` is under the regulator's order `{}` to suspend the transfer, in force from {}; no mechanism carries it until the order is lifted: stop the transfer, or object to the order with the regulator within seven days of receiving it",
                flow.id, recipient.id, order.id, order.from
            ),
        ));
    }
    in_force
}

/// Why a derogation cannot carry this transfer, said as the rest of a
/// sentence: a public authority in its public powers may not use some
/// (GDPR Art. 49(3)), and some cover occasional transfers only (Recital
/// 111); `None` when the transfer's mechanism and instrument are neither.
fn derogation(
    flow: &Flow,
    transfer: &crate::declaration::Transfer,
    rule: &TransferRule,
) -> Option<String> {
    let named = |list: &[String]| {
        std::iter::once(&transfer.mechanism)
            .chain(transfer.instrument.as_ref())
            .find(|name| list.contains(name))
            .cloned()
    };
    if let Some(name) = named(&rule.not_for_public_authority).filter(|_| flow.public_authority) {
        return Some(format!(
            "relies on `{name}`, a derogation a public authority may not use in the exercise of its public powers; rely on an instrument between public bodies or another safeguard"
        ));
    }
    named(&rule.occasional_only)
        .filter(|_| !transfer.occasional)
        .map(|name| {
            format!(
                "relies on `{name}`, a derogation that covers occasional transfers only; set `transfer.occasional` if this one is, or rely on a safeguard for repeated transfers"
            )
        })
}

/// A regulator's approval of the transfer (a security assessment, an
/// authorised administrative arrangement): it names the approval, the
/// profile recognises it, and it fits the recipient's role where the
/// profile says so.
fn authorisation(
    recipient: &Recipient,
    transfer: &crate::declaration::Transfer,
    rule: &TransferRule,
    who: &str,
    at: &str,
    out: &mut Vec<Violation>,
) {
    let Some(instrument) = &transfer.instrument else {
        out.push(Violation::new(
            at.to_owned(),
            format!("{who} relies on an authorisation but names none; declare the approval in `transfer.instrument`"),
        ));
        return;
    };
    if let Some(accepted) = rule
        .instruments
        .as_ref()
        .filter(|a| !a.contains(instrument))
    {
        out.push(Violation::new(
            format!("{at}/instrument"),
            format!(
                "{who} relies on authorisation `{instrument}`, not recognised here; recognised: {}",
                accepted.join(", ")
            ),
        ));
    } else if let Some(roles) = rule
        .instrument_roles
        .get(instrument)
        .filter(|r| !r.contains(&recipient.role))
    {
        out.push(Violation::new(
            format!("{at}/instrument"),
            format!(
                "{who} is a {} but `{instrument}` covers only a {} recipient; rely on another mechanism for this recipient",
                recipient.role,
                roles.join(" or ")
            ),
        ));
    }
}

/// Each failure of one recipient's transfer says what would make it
/// pass: the mechanisms the region accepts for this recipient and these
/// destinations on the evaluation date, each with the declaration field
/// it needs (also as evidence, `would_pass_with`).
fn explain(
    violations: &mut [Violation],
    flow: &Flow,
    recipient: &Recipient,
    foreign: &[&str],
    rule: &TransferRule,
    today: Option<&str>,
) {
    if violations.is_empty() {
        return;
    }
    let ways = remedies(flow, recipient, foreign, rule, today);
    let said = if ways.is_empty() {
        format!(
            "No mechanism accepted here covers a {} in {} on the evaluation date; keep the data in the region",
            recipient.role,
            foreign.join(", ")
        )
    } else {
        format!("It would pass with {}", ways.join("; or "))
    };
    for violation in violations {
        violation.message = format!("{}. {said}", violation.message);
        let mut evidence = match violation.evidence.take() {
            Some(Value::Object(map)) => map,
            _ => Map::new(),
        };
        evidence.insert("would_pass_with".to_owned(), json!(ways));
        violation.evidence = Some(Value::Object(evidence));
    }
}

/// The mechanisms of `rule` open to `recipient` for `foreign` on `today`,
/// each said with the field that declares it.
fn remedies(
    flow: &Flow,
    recipient: &Recipient,
    foreign: &[&str],
    rule: &TransferRule,
    today: Option<&str>,
) -> Vec<String> {
    let mut ways = Vec::new();
    // A transfer answering a third country's order: the order is
    // recognised only on an international agreement, so that agreement is
    // the way, and a statute (the order itself, or the foreign law behind
    // it) is none (GDPR Art. 48). Other grounds of the chapter stay open.
    let answers_order = rule.foreign_order_needs_agreement
        && recipient
            .transfer
            .as_ref()
            .is_some_and(|t| t.foreign_order.is_some() && t.international_agreement.is_none());
    if answers_order {
        ways.push(
            "the international agreement the order is based on, such as a mutual legal assistance treaty in force between the requesting country and the Union or a Member State, named in `transfer.internationalAgreement`"
                .to_owned(),
        );
    }
    for mechanism in &rule.mechanisms {
        match mechanism.as_str() {
            "statute" if answers_order => {}
            "adequacy" if adequate_for(flow, recipient, foreign, rule, today) => {
                ways.push(format!(
                    "adequacy ({} recognised on the evaluation date): `transfer.mechanism = \"adequacy\"`",
                    foreign.join(", ")
                ));
            }
            "contract" => {
                let fitting = fitting_instruments(recipient, rule);
                match fitting {
                    None => ways.push(
                        "a contract binding the recipient, named in `transfer.instrument`".to_owned(),
                    ),
                    Some(list) if !list.is_empty() => instrument_remedies(&list, rule, &mut ways),
                    Some(_) => {}
                }
            }
            "authorisation" => {
                let approvals = rule.volume.as_ref().map(|v| v.assessment.clone()).unwrap_or_default();
                if !approvals.is_empty() {
                    ways.push(format!(
                        "a regulator's approval ({}) named in `transfer.instrument`, with `transfer.mechanism = \"authorisation\"`",
                        approvals.join(" or ")
                    ));
                }
            }
            "certification" => match rule.certifications.as_deref() {
                None => ways.push(
                    "a certification of the recipient in `transfer.certification`".to_owned(),
                ),
                Some([]) => {}
                Some(schemes) => ways.push(format!(
                    "the recipient's certification under {} in `transfer.certification`, valid on the evaluation date",
                    schemes.join(" or ")
                )),
            },
            "consent" => {
                let separate = if rule.separate_consent {
                    " given separately for this transfer (`transfer.separateConsent`)"
                } else if rule.consent_needs_summary {
                    " given after a written summary of the protection abroad (`transfer.protectionSummary`)"
                } else {
                    ""
                };
                ways.push(format!(
                    "the person's opt-in consent{separate}: a consent `legalBasis` with `consent.mechanism = \"opt-in\"`"
                ));
                for route in rule.deemed_consent.iter().flatten() {
                    ways.push(format!(
                        "deemed consent by {route}: `transfer.deemedConsent = \"{route}\"`"
                    ));
                }
            }
            "statute" => ways.push(
                "a statute that requires the transfer, named in `transfer.instrument` or `statute`"
                    .to_owned(),
            ),
            _ => {}
        }
    }
    ways
}

/// The instruments a recipient may rest on, each said for what it is: a
/// regulator's approval and a necessity exemption are not contracts, and
/// a derogation for occasional transfers holds only for one (GDPR
/// Recital 111).
fn instrument_remedies(list: &[String], rule: &TransferRule, ways: &mut Vec<String>) {
    let approvals: &[String] = rule.volume.as_ref().map_or(&[], |v| &v.assessment);
    let exemptions: &[String] = rule.volume.as_ref().map_or(&[], |v| &v.exemptions);
    let of = |keep: &dyn Fn(&String) -> bool| -> Vec<&str> {
        list.iter()
            .filter(|i| keep(i))
            .map(String::as_str)
            .collect()
    };
    let contracts = of(&|i| {
        !approvals.contains(i) && !exemptions.contains(i) && !rule.occasional_only.contains(i)
    });
    if !contracts.is_empty() {
        let disclosed = if contracts
            .iter()
            .any(|i| rule.disclosure_for.iter().any(|d| d == i))
        {
            " (with `transfer.disclosedIn` where the transfer is disclosed)"
        } else {
            ""
        };
        ways.push(format!(
            "a contract under {} in `transfer.instrument`{disclosed}",
            contracts.join(" or ")
        ));
    }
    let occasional = of(&|i| rule.occasional_only.contains(i));
    if !occasional.is_empty() {
        ways.push(format!(
            "for an occasional transfer only, {} in `transfer.instrument` with `transfer.occasional = true`",
            occasional.join(" or ")
        ));
    }
    let exempt = of(&|i| exemptions.contains(i));
    if !exempt.is_empty() {
        ways.push(format!(
            "an exemption by necessity ({}) named in `transfer.instrument`",
            exempt.join(" or ")
        ));
    }
}

/// Whether every destination in `foreign` has an adequacy decision in
/// force that covers this flow and recipient (any, when the rule takes
/// any claim).
fn adequate_for(
    flow: &Flow,
    recipient: &Recipient,
    foreign: &[&str],
    rule: &TransferRule,
    today: Option<&str>,
) -> bool {
    let Some(adequate) = rule.adequate.as_deref() else {
        return true;
    };
    foreign.iter().all(|destination| {
        adequate.iter().any(|m| {
            m.value == *destination && carve_out_gap(flow, recipient, &m.carve_out, today).is_none()
        })
    })
}

/// The contract instruments that fit `recipient`'s role under `rule`;
/// `None` when the rule accepts any named contract.
fn fitting_instruments(recipient: &Recipient, rule: &TransferRule) -> Option<Vec<String>> {
    let fits = |instrument: &String| {
        rule.instrument_roles
            .get(instrument)
            .is_none_or(|roles| roles.contains(&recipient.role))
            && rule
                .role_instruments
                .get(&recipient.role)
                .is_none_or(|fitting| fitting.contains(instrument))
    };
    match (
        &rule.instruments,
        rule.role_instruments.get(&recipient.role),
    ) {
        (Some(accepted), _) => Some(accepted.iter().filter(|i| fits(i)).cloned().collect()),
        (None, Some(fitting)) => Some(fitting.clone()),
        (None, None) => None,
    }
}

/// Adequacy to each of `foreign`: every destination has a decision in
/// force (`adequate` holds the members in force on the evaluation date)
/// whose carve-outs the flow and recipient stay within: no data category
/// the decision excludes, and a recipient certified under the scheme the
/// decision is limited to, where it is.
#[expect(
    clippy::too_many_arguments,
    reason = "one recipient's adequacy under one rule: each argument is a distinct input the message needs"
)]
fn adequacy(
    flow: &Flow,
    recipient: &Recipient,
    foreign: &[&str],
    adequate: &[Member],
    today: Option<&str>,
    who: &str,
    at: &str,
    out: &mut Vec<Violation>,
) {
    let mut missing = Vec::new();
    for destination in foreign {
        let decisions: Vec<&Member> = adequate
            .iter()
            .filter(|m| m.value == *destination)
            .collect();
        if decisions.is_empty() {
            missing.push(*destination);
            continue;
        }
        let gaps: Vec<String> = decisions
            .iter()
            .filter_map(|m| carve_out_gap(flow, recipient, &m.carve_out, today))
            .collect();
        if gaps.len() == decisions.len() {
            out.push(Violation::new(
                format!("{at}/mechanism"),
                format!(
                    "{who} relies on adequacy, but the decision for {destination} {}",
                    gaps.join("; and ")
                ),
            ));
        }
    }
    if !missing.is_empty() {
        out.push(Violation::new(
            format!("{at}/mechanism"),
            format!(
                "{who} relies on adequacy, but {} has no adequacy decision in force here on the evaluation date",
                missing.join(", ")
            ),
        ));
    }
}

/// What a decision with `carve_out` leaves uncovered for this flow and
/// recipient, said as the rest of a sentence; `None` when it covers them.
fn carve_out_gap(
    flow: &Flow,
    recipient: &Recipient,
    carve_out: &CarveOut,
    today: Option<&str>,
) -> Option<String> {
    let excluded: Vec<&str> = flow
        .data_categories
        .iter()
        .filter(|c| carve_out.except_categories.contains(c))
        .map(String::as_str)
        .collect();
    if !excluded.is_empty() {
        return Some(format!(
            "does not cover {}; carry them on another mechanism (such as separate consent) or leave them out",
            excluded.join(", ")
        ));
    }
    if carve_out.only_certified.is_empty() {
        return None;
    }
    let certified = recipient
        .transfer
        .as_ref()
        .and_then(|t| t.certification.as_ref())
        .is_some_and(|c| {
            carve_out.only_certified.contains(&c.scheme)
                && !expired(c.valid_until.as_deref(), today)
        });
    (!certified).then(|| {
        format!(
            "covers only recipients certified under {}; declare the recipient's certification in `transfer.certification`",
            carve_out.only_certified.join(" or ")
        )
    })
}

/// Whether a certification valid until `until` has expired by `today`
/// (both ISO dates, which order as text).
fn expired(until: Option<&str>, today: Option<&str>) -> bool {
    matches!((until, today), (Some(until), Some(today)) if until < today)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::catalog::Lists;
    use crate::declaration::Declaration;
    use crate::engine::Outcome;
    use crate::flows::checks::FlowCheck;

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
            "processors": [{ "id": "r", "name": "p", "contact": "p@example.org", "jurisdiction": "SG" }],
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

    /// The outcome of a volume rule (100,000 / 1,000,000 / 10,000) on a
    /// flow of `count` individuals a year, sensitive or not, whose
    /// recipient names `transfer`.
    fn by_volume(count: u64, sensitive: bool, transfer: Value) -> Outcome {
        let Value::Object(params) = json!({ "default": "deny", "mechanisms": ["contract", "authorisation"],
            "volume": { "sensitive": ["dpv-pd:HealthRecord"], "exempt_below": 100_000,
                "assessment_from": 1_000_000, "assessment_sensitive_from": 10_000,
                "important_data_assessed": true,
                "assessment": ["cac-security-assessment"], "exemptions": ["hr-management"] } })
        else {
            panic!("object")
        };
        let check = FlowCheck::build("flow-transfer", &params, &Lists::default()).expect("valid");
        let recipient =
            json!({ "id": "r", "role": "processor", "destinations": ["HK"], "transfer": transfer });
        let mut declaration = declaration("dpv:Contract", recipient);
        declaration.flows[0].individuals_per_year = Some(count);
        if sensitive {
            declaration.flows[0]
                .data_categories
                .push("dpv-pd:HealthRecord".to_owned());
        }
        check.run(&declaration.flows[0], &declaration)
    }

    #[test]
    fn the_volume_exported_decides_between_no_mechanism_a_contract_and_the_assessment() {
        let none = json!({ "mechanism": "none" });
        let contract = json!({ "mechanism": "contract", "instrument": "cn-standard-contract" });
        let assessed =
            json!({ "mechanism": "authorisation", "instrument": "cac-security-assessment" });
        let hr = json!({ "mechanism": "contract", "instrument": "hr-management" });
        assert_eq!(by_volume(99_999, false, none.clone()), Outcome::Pass);
        assert!(matches!(
            by_volume(100_000, false, none.clone()),
            Outcome::Violations(_)
        ));
        assert_eq!(by_volume(999_999, false, contract.clone()), Outcome::Pass);
        assert!(
            messages(&by_volume(1_000_000, false, contract.clone()))[0]
                .contains("security assessment"),
            "100万人以上 counts one million itself"
        );
        assert_eq!(by_volume(1_000_000, false, assessed.clone()), Outcome::Pass);
        assert!(
            matches!(by_volume(5, true, none), Outcome::Violations(_)),
            "sensitive data is never exempt by volume"
        );
        assert_eq!(by_volume(9_999, true, contract.clone()), Outcome::Pass);
        assert!(
            messages(&by_volume(10_000, true, contract))[0]
                .contains("reaches the threshold of 10000")
        );
        assert_eq!(by_volume(10_000, true, assessed), Outcome::Pass);
        assert_eq!(
            by_volume(5_000_000, true, hr),
            Outcome::Pass,
            "an exemption by necessity holds whatever the volume"
        );
    }

    #[test]
    fn important_data_needs_the_assessment_whatever_the_count_or_exemption() {
        let with_important_data = |count: u64, transfer: Value| {
            let Value::Object(params) = json!({ "default": "deny", "mechanisms": ["contract", "authorisation", "certification"],
                "certifications": ["cn-pi-certification"],
                "volume": { "sensitive": [], "exempt_below": 100_000,
                    "assessment_from": 1_000_000, "assessment_sensitive_from": 10_000,
                    "important_data_assessed": true,
                    "assessment": ["cac-security-assessment"], "exemptions": ["hr-management"] } })
            else {
                panic!("object")
            };
            let check =
                FlowCheck::build("flow-transfer", &params, &Lists::default()).expect("valid");
            let recipient = json!({ "id": "r", "role": "processor", "destinations": ["HK"], "transfer": transfer });
            let mut declaration = declaration("dpv:Contract", recipient);
            declaration.flows[0].individuals_per_year = Some(count);
            declaration.flows[0].important_data = true;
            check.run(&declaration.flows[0], &declaration)
        };
        let certified = json!({ "mechanism": "certification",
            "certification": { "scheme": "cn-pi-certification", "id": "C-1" } });
        for transfer in [
            json!({ "mechanism": "none" }),
            json!({ "mechanism": "contract", "instrument": "hr-management" }),
            certified,
        ] {
            let outcome = with_important_data(500, transfer.clone());
            assert!(
                messages(&outcome)[0].contains("carries important data"),
                "{transfer}: {outcome:?}"
            );
        }
        let assessed =
            json!({ "mechanism": "authorisation", "instrument": "cac-security-assessment" });
        assert_eq!(with_important_data(500, assessed), Outcome::Pass);
    }

    #[test]
    fn derogations_are_refused_when_repeated_or_to_a_public_authority() {
        let rule = json!({ "default": "deny", "mechanisms": ["consent", "contract"],
            "occasional_only": ["contract-necessity"], "not_for_public_authority": ["consent"] });
        let to = |transfer: Value| json!({ "id": "r", "role": "processor", "destinations": ["US"], "transfer": transfer });
        let necessity = |occasional: bool| json!({ "mechanism": "contract", "instrument": "contract-necessity", "occasional": occasional });
        assert!(
            messages(&transfer(
                rule.clone(),
                "dpv:Contract",
                to(necessity(false))
            ))[0]
                .contains("occasional transfers only")
        );
        assert_eq!(
            transfer(rule.clone(), "dpv:Contract", to(necessity(true))),
            Outcome::Pass
        );
        let consent = json!({ "mechanism": "consent" });
        assert_eq!(
            transfer(rule.clone(), "dpv:Consent", to(consent.clone())),
            Outcome::Pass,
            "explicit consent is not limited to occasional transfers"
        );
        let Value::Object(params) = rule else {
            panic!("object")
        };
        let check = FlowCheck::build("flow-transfer", &params, &Lists::default()).expect("valid");
        let mut declaration = declaration("dpv:Consent", to(consent));
        declaration.flows[0].public_authority = true;
        assert!(
            messages(&check.run(&declaration.flows[0], &declaration))[0]
                .contains("a public authority may not use")
        );
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
    fn a_decision_with_a_carve_out_covers_only_what_it_does_not_exclude() {
        let rule = json!({ "default": "deny", "mechanisms": ["adequacy"], "adequate": [
            { "value": "DE", "except_categories": ["dpv-pd:CreditRecord"] },
            { "value": "US", "only_certified": ["eu-us-dpf"] },
        ] });
        let to = |d: &str, transfer: Value| json!({ "id": "r", "role": "processor", "destinations": [d], "transfer": transfer });
        let adequacy = json!({ "mechanism": "adequacy" });
        assert_eq!(
            transfer(rule.clone(), "dpv:Contract", to("DE", adequacy.clone())),
            Outcome::Pass,
            "location data is not excluded"
        );
        let Value::Object(params) = rule.clone() else {
            panic!("object")
        };
        let check = FlowCheck::build("flow-transfer", &params, &Lists::default()).expect("valid");
        let mut declaration = declaration("dpv:Contract", to("DE", adequacy.clone()));
        declaration.flows[0]
            .data_categories
            .push("dpv-pd:CreditRecord".to_owned());
        let credit = check.run(&declaration.flows[0], &declaration);
        assert!(
            messages(&credit)[0].contains("does not cover dpv-pd:CreditRecord"),
            "{credit:?}"
        );
        assert!(
            messages(&transfer(rule.clone(), "dpv:Contract", to("US", adequacy)))[0]
                .contains("covers only recipients certified under eu-us-dpf")
        );
        let certified = json!({ "mechanism": "adequacy",
            "certification": { "scheme": "eu-us-dpf", "id": "D-1" } });
        assert_eq!(
            transfer(rule, "dpv:Contract", to("US", certified)),
            Outcome::Pass
        );
    }

    /// One adequacy decision a generated list may hold: a destination and
    /// one of three carve-outs (none, no credit records, certified
    /// recipients only).
    #[derive(Debug, Clone)]
    struct Decision(&'static str, u8);

    impl quickcheck::Arbitrary for Decision {
        fn arbitrary(g: &mut quickcheck::Gen) -> Self {
            Decision(
                g.choose(&["DE", "US"]).expect("non-empty"),
                u8::arbitrary(g) % 3,
            )
        }
    }

    impl Decision {
        fn member(&self) -> Value {
            match self.1 {
                0 => json!(self.0),
                1 => json!({ "value": self.0, "except_categories": ["dpv-pd:CreditRecord"] }),
                _ => json!({ "value": self.0, "only_certified": ["eu-us-dpf"] }),
            }
        }
    }

    /// Whether a transfer to `destination` of a flow carrying credit
    /// records or not, by a recipient certified or not, passes under a
    /// rule whose adequate list holds `decisions`.
    fn covered(decisions: &[Decision], destination: &str, credit: bool, certified: bool) -> bool {
        let members: Vec<Value> = decisions.iter().map(Decision::member).collect();
        let Value::Object(params) =
            json!({ "default": "deny", "mechanisms": ["adequacy"], "adequate": members })
        else {
            panic!("object")
        };
        let check = FlowCheck::build("flow-transfer", &params, &Lists::default()).expect("valid");
        let transfer = if certified {
            json!({ "mechanism": "adequacy", "certification": { "scheme": "eu-us-dpf", "id": "D-1" } })
        } else {
            json!({ "mechanism": "adequacy" })
        };
        let recipient = json!({ "id": "r", "role": "processor", "destinations": [destination], "transfer": transfer });
        let mut declaration = declaration("dpv:Contract", recipient);
        if credit {
            declaration.flows[0]
                .data_categories
                .push("dpv-pd:CreditRecord".to_owned());
        }
        check.run(&declaration.flows[0], &declaration) == Outcome::Pass
    }

    #[test]
    fn adding_a_decision_never_uncovers_a_transfer_it_covered() {
        static REACHED: crate::vacuity::Reached = crate::vacuity::Reached::new();
        fn property(
            decisions: Vec<Decision>,
            extra: Decision,
            to_us: bool,
            credit: bool,
            certified: bool,
        ) -> quickcheck::TestResult {
            let destination = if to_us { "US" } else { "DE" };
            if !covered(&decisions, destination, credit, certified) {
                return quickcheck::TestResult::discard();
            }
            REACHED.hit();
            let mut more = decisions;
            more.push(extra);
            quickcheck::TestResult::from_bool(covered(&more, destination, credit, certified))
        }
        crate::vacuity::check(
            200,
            &REACHED,
            property as fn(Vec<Decision>, Decision, bool, bool, bool) -> quickcheck::TestResult,
        );
    }

    #[test]
    fn contract_instruments_limited_to_roles_refuse_other_recipients() {
        let rule = json!({ "default": "deny", "mechanisms": ["contract"],
            "instrument_roles": { "contract-necessity": ["processor"] } });
        let to = |role: &str| {
            json!({ "id": "r", "role": role, "destinations": ["SG"],
            "transfer": { "mechanism": "contract", "instrument": "contract-necessity" } })
        };
        assert_eq!(
            transfer(rule.clone(), "dpv:Contract", to("processor")),
            Outcome::Pass
        );
        assert!(
            messages(&transfer(rule, "dpv:Contract", to("controller")))[0]
                .contains("covers only a processor recipient")
        );
    }

    #[test]
    fn bad_transfer_parameters_are_named() {
        let build = |params: Value| {
            let Value::Object(params) = params else {
                panic!("object")
            };
            FlowCheck::build("flow-transfer", &params, &Lists::default()).map_err(|e| e.to_string())
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
}
