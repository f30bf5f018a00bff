//! Cameras filming places open to the public (`flow-visual-devices`). A
//! fixed device (CCTV, a network camera) films such a place only for the
//! purposes the profile lists and under a notice the people filmed can
//! see (PIPA Art. 25(1), (4)); a mobile one (a bus's or a road-survey
//! vehicle's camera, a body-worn camera, a drone) films people there only
//! on a basis the profile accepts, or where its filming is clearly shown
//! and they may refuse, and always shows that it films (Art. 25-2(1),
//! (3)). A flow declares its camera in `visualDevice`; a flow without one
//! is not filmed, and the rule does not apply to it.

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::catalog::{Lists, Vocabulary};
use crate::declaration::{Flow, VisualDevice};
use crate::engine::params;
use crate::engine::{Outcome, ParamError, Violation};

/// The rule a profile sets for cameras.
#[derive(Debug, Clone, PartialEq)]
pub struct VisualRule {
    /// Why a fixed device may film a public place.
    pub fixed_purposes: Vec<String>,
    /// The bases on which a mobile device may film people in a public
    /// place, as concepts.
    pub mobile_bases: Vec<String>,
    /// The vocabulary the flow's basis is compared through.
    pub vocabulary: Vocabulary,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VisualParams {
    fixed_purposes: Value,
    mobile_bases: Value,
}

/// The rule from a profile's parameters, `@lists` expanded.
pub(super) fn build(
    raw: &Map<String, Value>,
    lists: &Lists,
    vocabulary: Vocabulary,
) -> Result<VisualRule, ParamError> {
    let p: VisualParams = params("flow-visual-devices", raw)?;
    let mobile_bases = lists.expand(&p.mobile_bases)?;
    Ok(VisualRule {
        fixed_purposes: lists.expand(&p.fixed_purposes)?,
        mobile_bases: vocabulary.concepts_of(&mobile_bases),
        vocabulary,
    })
}

/// Judges the camera of `flow`, if it has one filming a public place.
pub(super) fn judge(flow: &Flow, rule: &VisualRule) -> Outcome {
    let Some(device) = &flow.visual_device else {
        return Outcome::NotApplicable("the flow declares no camera (`visualDevice`)".to_owned());
    };
    if !device.public_place {
        return Outcome::NotApplicable("the camera films no place open to the public".to_owned());
    }
    let mut violations = if device.kind == "mobile" {
        mobile(flow, device, rule)
    } else {
        fixed(flow, device, rule)
    };
    if device.notice.is_none() {
        violations.push(Violation::new(
            "/visualDevice",
            format!(
                "flow `{}`: the people a {} camera films in a public place are told that it films (a signboard with its purpose, place, range and the person in charge; on a mobile device light, sound or a sign); describe the notice in `visualDevice.notice`",
                flow.id, device.kind
            ),
        ));
    }
    Outcome::from_violations(violations)
}

/// A fixed device films a public place only for a listed purpose.
fn fixed(flow: &Flow, device: &VisualDevice, rule: &VisualRule) -> Vec<Violation> {
    match device.filming_purpose.as_deref() {
        Some(purpose) if rule.fixed_purposes.iter().any(|p| p == purpose) => Vec::new(),
        Some(purpose) => vec![Violation::new(
            "/visualDevice/filmingPurpose",
            format!(
                "flow `{}`: a fixed camera films a public place only for {}; `{purpose}` is not one of them",
                flow.id,
                rule.fixed_purposes.join(", ")
            ),
        )],
        None => vec![Violation::new(
            "/visualDevice",
            format!(
                "flow `{}`: a fixed camera filming a public place names its purpose; give one of {} in `visualDevice.filmingPurpose`",
                flow.id,
                rule.fixed_purposes.join(", ")
            ),
        )],
    }
}

/// A mobile device films people in a public place on an accepted basis,
/// or with its filming shown and the people free to refuse.
fn mobile(flow: &Flow, device: &VisualDevice, rule: &VisualRule) -> Vec<Violation> {
    let concept = rule.vocabulary.concept(&flow.legal_basis);
    if device.refusal_possible || rule.mobile_bases.iter().any(|b| b == concept) {
        return Vec::new();
    }
    vec![Violation::new(
        "/legalBasis",
        format!(
            "flow `{}`: a mobile camera films people in a public place on one of {}, or where its filming is clearly shown and they may refuse (`visualDevice.refusalPossible`); `{}` is neither",
            flow.id,
            rule.mobile_bases.join(", "),
            flow.legal_basis
        ),
    )]
}
