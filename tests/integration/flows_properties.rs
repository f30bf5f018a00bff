//! Properties of data-flow governance, checked with quickcheck over
//! generated declarations and generated profiles:
//!
//! - the diff of a profile with itself is empty;
//! - the diff of Q with P is the diff of P with Q, sides swapped;
//! - a declaration that meets a bundled profile meets `baseline`;
//! - adding a permitted transfer mechanism never turns a pass into a fail;
//! - a flow that differs only by a synonym of its legal basis gets the same
//!   verdicts under every profile and pair of profiles;
//! - so does a flow that differs only by a synonym of its special-category
//!   condition (FLOW-SPECIAL-01 judges the condition's concept);
//! - no bytes make the declaration loader panic.

use std::sync::OnceLock;

use cityconform::catalog::{Catalogue, ProfileDiff};
use cityconform::catalog::{Lists, Vocabulary};
use cityconform::declaration::Declaration;
use cityconform::engine::Outcome;
use cityconform::flows::checks::FlowCheck;
use cityconform::flows::{FlowPlan, judge};
use quickcheck::{Arbitrary, Gen, TestResult};
use serde_json::{Map, Value, json};

use crate::common;
use crate::common::vacuity::{Reached, check};

const CATEGORIES: &[&str] = &[
    "dpv:NonPersonalData",
    "dpv-pd:Location",
    "dpv-pd:TravelHistory",
    "dpv-pd:NationalIdentificationNumber",
    "dpv-pd:Name",
    "dpv-pd:HealthRecord",
];
const PURPOSES: &[&str] = &[
    "dpv:ServiceProvision",
    "dpv:AcademicResearch",
    "dpv:ProvideOfficialStatistics",
    "dpv:Marketing",
];
const BASES: &[&str] = &[
    "dpv:Consent",
    "kr-pipa:A15-1-1",
    "eu-gdpr:A6-1-f",
    "dpv:Contract",
    "dpv:LegalObligation",
    "dpv:PublicInterest",
    "dpv:LegitimateInterest",
    "kr-pipa:A28-2",
    "in-dpdp:S7",
    "eu-gdpr:A6-1-e",
];
/// Conditions lifting the prohibition on special categories, in several
/// laws' words (explicit consent has a name in each of GDPR and PIPA).
const CONDITIONS: &[&str] = &[
    "dpv:ExplicitlyExpressedConsent",
    "eu-gdpr:A9-2-a",
    "kr-pipa:A23-1-1",
    "eu-gdpr:A9-2-g",
    "kr-pipa:A23-1-2",
];
const COUNTRIES: &[&str] = &["KR", "DE", "IN", "SG", "US", "CN", "JP", "MY", "*"];
const MECHANISMS: &[&str] = &[
    "adequacy",
    "contract",
    "certification",
    "consent",
    "statute",
    "none",
];
const INSTRUMENTS: &[&str] = &[
    "eu-scc",
    "asean-mcc-c2p",
    "contract-necessity",
    "cn-standard-contract",
];
const SCHEMES: &[&str] = &["apec-cbpr", "apec-prp", "isms-p", "eu-art42"];
const STATES: &[&str] = &["identified", "pseudonymized", "anonymized"];
const RETENTIONS: &[&str] = &["P90D", "P1Y", "P5Y", "P7Y", "P12Y"];

fn pick<'a>(g: &mut Gen, from: &[&'a str]) -> &'a str {
    g.choose(from).copied().unwrap_or(from[0])
}

fn some_of(g: &mut Gen, from: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = from
        .iter()
        .filter(|_| bool::arbitrary(g))
        .map(|s| (*s).to_owned())
        .collect();
    if out.is_empty() {
        out.push(pick(g, from).to_owned());
    }
    out
}

/// A schema-valid declaration of one to three flows.
#[derive(Debug, Clone)]
struct AnyDeclaration(Value);

impl Arbitrary for AnyDeclaration {
    fn arbitrary(g: &mut Gen) -> Self {
        let flows: Vec<Value> = (0..1 + usize::arbitrary(g) % 3)
            .map(|i| any_flow(g, i))
            .collect();
        let mut declaration = json!({
            "declarationVersion": "1.0",
            "platform": { "name": "generated" },
            "controller": { "name": "c", "contact": "c@example.org", "jurisdiction": pick(g, &COUNTRIES[..8]) },
            "flows": flows,
        });
        if bool::arbitrary(g) {
            declaration["securityMeasures"] = json!("https://example.org/toms");
        }
        AnyDeclaration(declaration)
    }
}

fn any_flow(g: &mut Gen, i: usize) -> Value {
    let basis = pick(g, BASES);
    let consent = ["dpv:Consent", "kr-pipa:A15-1-1"].contains(&basis);
    let mechanism = if consent || bool::arbitrary(g) {
        pick(g, &["opt-in", "opt-out"])
    } else {
        "none"
    };
    let mut consent = json!({ "mechanism": mechanism });
    if mechanism != "none" {
        consent["records"] = json!("https://example.org/consents");
    }
    let recipients: Vec<Value> = (0..1 + usize::arbitrary(g) % 2)
        .map(|r| any_recipient(g, r))
        .collect();
    let mut flow = json!({
        "id": format!("flow-{i}"),
        "dataCategories": some_of(g, CATEGORIES),
        "dataSubjects": ["dpv:Citizen"],
        "purposes": some_of(g, PURPOSES),
        "legalBasis": basis,
        "consent": consent,
        "sourceJurisdiction": pick(g, &COUNTRIES[..8]),
        "dataState": pick(g, STATES),
        "recipients": recipients,
        "retention": pick(g, RETENTIONS),
    });
    let optional: [(&str, Value); 4] = [
        ("statute", json!("Example Act")),
        (
            "legitimateInterestAssessment",
            json!("https://example.org/lia"),
        ),
        ("additionalInformationSeparated", json!(true)),
        ("publicSector", json!(true)),
    ];
    for (key, value) in optional {
        if bool::arbitrary(g) {
            flow[key] = value;
        }
    }
    flow
}

fn any_recipient(g: &mut Gen, r: usize) -> Value {
    let destination = pick(g, COUNTRIES);
    let mut recipient = json!({
        "id": format!("r{r}"),
        "role": pick(g, &["controller", "third-party", "public"]),
        "destinations": [destination],
    });
    if bool::arbitrary(g) {
        let mechanism = pick(g, MECHANISMS);
        let mut transfer = json!({ "mechanism": mechanism });
        if bool::arbitrary(g) {
            transfer["instrument"] = json!(pick(g, INSTRUMENTS));
        }
        if bool::arbitrary(g) {
            let mut certification = json!({ "scheme": pick(g, SCHEMES), "id": "C-1" });
            if bool::arbitrary(g) {
                certification["accountabilityAgent"] = json!("agent");
            }
            transfer["certification"] = certification;
        }
        recipient["transfer"] = transfer;
    }
    recipient
}

fn load(declaration: &Value) -> Declaration {
    let text = serde_json::to_string_pretty(declaration).expect("serializes");
    Declaration::parse("generated.json", &text, false)
        .unwrap_or_else(|e| panic!("a generated declaration is valid: {e}\n{text}"))
}

/// The embedded lists, loaded once.
fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(|| Lists::load(&[]).expect("embedded lists"))
}

/// The plan of every bundled profile, built once.
fn every_profile() -> &'static FlowPlan {
    static PLAN: OnceLock<FlowPlan> = OnceLock::new();
    PLAN.get_or_init(|| {
        let catalogue = Catalogue::embedded().expect("embedded catalogue");
        let all: Vec<String> = common::bundled_profiles()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let day = cityconform::dates::Day::parse("2023-11-14").expect("a date");
        cityconform::flows::plan(&catalogue, &all, day).expect("plan")
    })
}

#[test]
fn a_declaration_that_meets_a_profile_meets_baseline() {
    // Counts the declarations with a flow that meets a regional profile:
    // for the others the property holds whatever baseline says.
    static REACHED: Reached = Reached::new();
    let property = |declaration: AnyDeclaration| -> bool {
        let report = judge(every_profile(), &load(&declaration.0), String::new(), None);
        let matrix = report
            .matrices
            .into_iter()
            .next()
            .expect("a flows report has a matrix");
        let mut met_regional = false;
        let holds = matrix.flows.iter().all(|row| {
            let regional = row.met.iter().any(|c| c.profile != "baseline" && c.met);
            met_regional |= regional;
            let baseline = row.met.iter().any(|c| c.profile == "baseline" && c.met);
            baseline || !regional
        });
        if met_regional {
            REACHED.hit();
        }
        holds
    };
    check(300, &REACHED, property as fn(AnyDeclaration) -> bool);
}

/// One flow's verdicts: its ID, whether it meets each profile, and
/// whether it meets each pair of profiles.
type FlowVerdicts = (String, Vec<(String, bool)>, Vec<(String, String, bool)>);

/// Each flow's verdict under each profile, and each pair's.
fn verdicts(declaration: &Value) -> Vec<FlowVerdicts> {
    let report = judge(every_profile(), &load(declaration), String::new(), None);
    let matrix = report
        .matrices
        .into_iter()
        .next()
        .expect("a flows report has a matrix");
    matrix
        .flows
        .into_iter()
        .map(|row| {
            let cells = row.met.into_iter().map(|c| (c.profile, c.met)).collect();
            let pairs = row
                .pairs
                .into_iter()
                .map(|p| (p.left, p.right, p.both))
                .collect();
            (row.flow, cells, pairs)
        })
        .collect()
}

#[test]
fn a_synonym_of_the_legal_basis_changes_no_verdict() {
    // Counts the declarations where a basis was renamed and some flow
    // meets a regional profile: the generator yields passing flows too,
    // and a renaming that changed nothing tests nothing.
    static REACHED: Reached = Reached::new();
    let property = |declaration: AnyDeclaration, choices: Vec<u8>| -> TestResult {
        let vocabulary = Vocabulary::from_lists(lists());
        let mut renamed = declaration.0.clone();
        let mut changed = false;
        let flows = renamed["flows"].as_array_mut().expect("flows");
        for (i, flow) in flows.iter_mut().enumerate() {
            let basis = flow["legalBasis"].as_str().expect("a basis").to_owned();
            let synonyms = vocabulary.synonyms(&basis);
            let choice = choices.get(i).copied().unwrap_or(0) as usize % synonyms.len();
            changed |= synonyms[choice] != basis;
            flow["legalBasis"] = json!(synonyms[choice]);
        }
        let before = verdicts(&declaration.0);
        let after = verdicts(&renamed);
        let passing = before
            .iter()
            .any(|(_, cells, _)| cells.iter().any(|(p, met)| p != "baseline" && *met));
        if changed && passing {
            REACHED.hit();
        }
        if before == after {
            TestResult::passed()
        } else {
            TestResult::error(format!(
                "renaming bases changed verdicts:\n{before:?}\n{after:?}\n{renamed}"
            ))
        }
    };
    check(
        200,
        &REACHED,
        property as fn(AnyDeclaration, Vec<u8>) -> TestResult,
    );
}

/// A declaration of one domestic flow of health records on opt-in
/// consent, under a special-category condition named in one law's words:
/// the flows a condition decides, which meet `eu` or `kr` when the
/// condition is one they take.
#[derive(Debug, Clone)]
struct SpecialFlow(Value);

impl Arbitrary for SpecialFlow {
    fn arbitrary(g: &mut Gen) -> Self {
        let country = pick(g, &["KR", "DE"]);
        SpecialFlow(json!({
            "declarationVersion": "1.0",
            "platform": { "name": "generated" },
            "controller": { "name": "c", "contact": "c@example.org", "jurisdiction": country },
            "securityMeasures": "https://example.org/toms",
            "flows": [{
                "id": "flow-0",
                "dataCategories": ["dpv-pd:HealthRecord", "dpv-pd:Name"],
                "dataSubjects": ["dpv:Patient"],
                "purposes": ["dpv:ServiceProvision"],
                "legalBasis": pick(g, &["dpv:Consent", "kr-pipa:A15-1-1", "eu-gdpr:A6-1-a"]),
                "consent": { "mechanism": "opt-in", "records": "https://example.org/consents" },
                "specialCategoryCondition": pick(g, CONDITIONS),
                "sourceJurisdiction": country,
                "dataState": pick(g, &["identified", "pseudonymized"]),
                "recipients": [{ "id": "r0", "role": "third-party", "destinations": [country] }],
                "retention": "P90D",
            }],
        }))
    }
}

#[test]
fn a_synonym_of_the_special_category_condition_changes_no_verdict() {
    // Counts the renamings to another name of the same concept of a flow
    // that meets `eu` or `kr` before: the renaming that once turned a
    // pass into a failure (separate consent under PIPA read by `eu`).
    static REACHED: Reached = Reached::new();
    let property = |declaration: SpecialFlow, choice: u8| -> TestResult {
        let vocabulary = Vocabulary::from_lists(lists());
        let mut renamed = declaration.0.clone();
        let flow = &mut renamed["flows"][0];
        let condition = flow["specialCategoryCondition"]
            .as_str()
            .expect("a condition")
            .to_owned();
        let synonyms = vocabulary.synonyms(&condition);
        let other = synonyms[choice as usize % synonyms.len()].clone();
        flow["specialCategoryCondition"] = json!(other);
        let before = verdicts(&declaration.0);
        let after = verdicts(&renamed);
        let passing = before[0]
            .1
            .iter()
            .any(|(p, met)| (p == "eu" || p == "kr") && *met);
        if other != condition && passing {
            REACHED.hit();
        }
        if before == after {
            TestResult::passed()
        } else {
            TestResult::error(format!(
                "renaming the condition changed verdicts:\n{before:?}\n{after:?}\n{renamed}"
            ))
        }
    };
    check(300, &REACHED, property as fn(SpecialFlow, u8) -> TestResult);
}

#[test]
fn a_basis_per_region_made_of_synonyms_changes_no_verdict() {
    // Each flow's basis is rewritten as one basis per region: some
    // profiles named with a synonym of their own, the rest under `*`.
    // Every profile then judges the same concept: no verdict may change.
    // Counts the declarations where some flow meets a regional profile.
    static REACHED: Reached = Reached::new();
    let property = |declaration: AnyDeclaration, choices: Vec<u8>| -> TestResult {
        let vocabulary = Vocabulary::from_lists(lists());
        let mut rewritten = declaration.0.clone();
        let flows = rewritten["flows"].as_array_mut().expect("flows");
        let mut choice = choices.iter().copied().cycle();
        for flow in flows.iter_mut() {
            let basis = flow["legalBasis"].as_str().expect("a basis").to_owned();
            let synonyms = vocabulary.synonyms(&basis);
            let mut per_region = Map::new();
            let first = usize::from(choice.next().unwrap_or(0));
            per_region.insert("*".to_owned(), json!(synonyms[first % synonyms.len()]));
            for profile in common::bundled_profiles() {
                let c = usize::from(choice.next().unwrap_or(0));
                if c % 2 == 0 {
                    per_region.insert(
                        profile.to_owned(),
                        json!(synonyms[(c / 2) % synonyms.len()]),
                    );
                }
            }
            flow["legalBasis"] = Value::Object(per_region);
        }
        let before = verdicts(&declaration.0);
        let after = verdicts(&rewritten);
        let passing = before
            .iter()
            .any(|(_, cells, _)| cells.iter().any(|(p, met)| p != "baseline" && *met));
        if passing {
            REACHED.hit();
        }
        if before == after {
            TestResult::passed()
        } else {
            TestResult::error(format!(
                "a basis per region changed verdicts:\n{before:?}\n{after:?}\n{rewritten}"
            ))
        }
    };
    check(
        150,
        &REACHED,
        property as fn(AnyDeclaration, Vec<u8>) -> TestResult,
    );
}

#[test]
fn adding_a_permitted_mechanism_never_turns_a_pass_into_a_fail() {
    // Counts the declarations with a flow that passed before the mechanism
    // was added: for the others there is no pass to lose.
    static REACHED: Reached = Reached::new();
    let property =
        |declaration: AnyDeclaration, base: Vec<u8>, extra: u8, allow: bool| -> TestResult {
            let mechanisms: Vec<&str> = base
                .iter()
                .map(|i| MECHANISMS[*i as usize % MECHANISMS.len()])
                .collect();
            let added = MECHANISMS[extra as usize % MECHANISMS.len()];
            let build = |mechanisms: &[&str]| {
                let mut params = Map::new();
                params.insert(
                    "default".into(),
                    json!(if allow { "allow" } else { "deny" }),
                );
                params.insert("mechanisms".into(), json!(mechanisms));
                params.insert("adequate".into(), json!("@eu-adequacy"));
                params.insert("certifications".into(), json!("@cbpr-schemes"));
                params.insert("instruments".into(), json!(["eu-scc", "asean-mcc-c2p"]));
                FlowCheck::build("flow-transfer", &params, lists()).expect("valid parameters")
            };
            let before = build(&mechanisms);
            let mut more = mechanisms.clone();
            more.push(added);
            let after = build(&more);
            let declaration = load(&declaration.0);
            let mut passed = false;
            for flow in &declaration.flows {
                let was = before.run(flow, &declaration);
                let now = after.run(flow, &declaration);
                passed |= matches!(was, Outcome::Pass);
                if matches!(was, Outcome::Pass) && !matches!(now, Outcome::Pass) {
                    return TestResult::error(format!(
                        "{} passed with {mechanisms:?}, not with `{added}` added: {now:?}",
                        flow.id
                    ));
                }
            }
            if passed {
                REACHED.hit();
            }
            TestResult::passed()
        };
    check(
        300,
        &REACHED,
        property as fn(AnyDeclaration, Vec<u8>, u8, bool) -> TestResult,
    );
}

/// A profile file of random selections, levels and parameters, layered on
/// baseline or on a bundled profile.
#[derive(Debug, Clone)]
struct AnyProfile(String);

impl Arbitrary for AnyProfile {
    fn arbitrary(g: &mut Gen) -> Self {
        let requirements = [
            "FLOW-LEGAL-BASIS-01",
            "FLOW-XBORDER-01",
            "FLOW-RETENTION-01",
            "FLOW-PSEUDO-01",
            "ANON-LOC-PRECISION-01",
        ];
        let mut text = format!(
            "id = \"{{ID}}\"\ntitle = \"generated\"\ndescription = \"a generated profile\"\nextends = \"{}\"\n",
            pick(g, &common::bundled_profiles())
        );
        for id in requirements {
            if !bool::arbitrary(g) {
                continue;
            }
            text.push_str(&format!("\n[requirements.{id}]\n"));
            if bool::arbitrary(g) {
                text.push_str(&format!(
                    "level = \"{}\"\n",
                    pick(g, &["MUST", "SHOULD", "MAY"])
                ));
            }
            let param = match id {
                "FLOW-LEGAL-BASIS-01" => format!("accepted = {:?}", some_of(g, BASES)),
                "FLOW-XBORDER-01" => format!(
                    "default = \"{}\", mechanisms = {:?}",
                    pick(g, &["allow", "deny"]),
                    some_of(g, MECHANISMS)
                ),
                "FLOW-RETENTION-01" => format!("max_period = \"{}\"", pick(g, RETENTIONS)),
                "ANON-LOC-PRECISION-01" => format!("max_decimals = {}", u8::arbitrary(g) % 6),
                _ => String::new(),
            };
            if !param.is_empty() && bool::arbitrary(g) {
                text.push_str(&format!("params = {{ {param} }}\n"));
            }
        }
        AnyProfile(text)
    }
}

fn catalogue_with(left: &AnyProfile, right: &AnyProfile) -> Catalogue {
    let dir = tempfile::tempdir().expect("temp dir");
    let profiles = dir.path().join("profiles");
    std::fs::create_dir(&profiles).expect("profiles folder");
    std::fs::write(profiles.join("left.toml"), left.0.replace("{ID}", "left")).expect("write");
    std::fs::write(
        profiles.join("right.toml"),
        right.0.replace("{ID}", "right"),
    )
    .expect("write");
    Catalogue::load(&[dir.path().to_path_buf()])
        .unwrap_or_else(|e| panic!("generated profiles load: {e}\n{}\n{}", left.0, right.0))
}

fn identity(value: &Value) -> Value {
    value.clone()
}

#[test]
fn the_diff_of_a_profile_with_itself_is_empty() {
    static REACHED: Reached = Reached::new();
    let property = |profile: AnyProfile| -> bool {
        REACHED.hit();
        let catalogue = catalogue_with(&profile, &profile);
        let diff = ProfileDiff::between(&catalogue, "left", "left", &identity).expect("diff");
        let twins = ProfileDiff::between(&catalogue, "left", "right", &identity).expect("diff");
        diff.entries.is_empty() && twins.entries.is_empty()
    };
    check(60, &REACHED, property as fn(AnyProfile) -> bool);
}

#[test]
fn the_diff_is_symmetric_up_to_side() {
    // Counts the pairs that differ: an empty diff is symmetric trivially.
    static REACHED: Reached = Reached::new();
    let property = |left: AnyProfile, right: AnyProfile| -> bool {
        let catalogue = catalogue_with(&left, &right);
        let forward = ProfileDiff::between(&catalogue, "left", "right", &identity).expect("diff");
        let backward = ProfileDiff::between(&catalogue, "right", "left", &identity).expect("diff");
        if !forward.entries.is_empty() {
            REACHED.hit();
        }
        backward == forward.swapped()
    };
    check(60, &REACHED, property as fn(AnyProfile, AnyProfile) -> bool);
}

#[test]
fn bundled_profiles_diff_symmetrically() {
    let catalogue = Catalogue::embedded().expect("embedded catalogue");
    let profiles = common::bundled_profiles();
    for p in &profiles {
        assert!(
            ProfileDiff::between(&catalogue, p, p, &identity)
                .expect("diff")
                .entries
                .is_empty()
        );
        for q in &profiles {
            let forward = ProfileDiff::between(&catalogue, p, q, &identity).expect("diff");
            let backward = ProfileDiff::between(&catalogue, q, p, &identity).expect("diff");
            assert_eq!(backward, forward.swapped(), "{p} vs {q}");
        }
    }
}

#[test]
fn no_bytes_make_the_declaration_loader_panic() {
    static REACHED: Reached = Reached::new();
    let property = |bytes: Vec<u8>, toml: bool| -> bool {
        REACHED.hit();
        let text = String::from_utf8_lossy(&bytes);
        let _ = Declaration::parse("any", &text, toml);
        true
    };
    check(300, &REACHED, property as fn(Vec<u8>, bool) -> bool);
}

#[test]
fn no_mutation_of_a_valid_declaration_makes_the_loader_panic() {
    static REACHED: Reached = Reached::new();
    let property = |declaration: AnyDeclaration, cut: usize, toml: bool| -> bool {
        REACHED.hit();
        let text = if toml {
            toml::to_string(&declaration.0).unwrap_or_default()
        } else {
            serde_json::to_string_pretty(&declaration.0).unwrap_or_default()
        };
        let cut = cut % (text.len() + 1);
        let mutated: String = text.chars().take(cut).collect();
        let _ = Declaration::parse("mutated", &mutated, toml);
        true
    };
    check(
        200,
        &REACHED,
        property as fn(AnyDeclaration, usize, bool) -> bool,
    );
}
