//! Dated law: the evaluation date (`--as-of`) in every report, lists whose
//! members carry their own dates and carve-outs, the warning for a list
//! older than its profile's `max_age`, `cityconform lists`, and the
//! verdicts of the dated-law declarations of `fixtures/flows/README.md`.

use std::collections::BTreeSet;

use crate::common::{self, json_report, run, transcript};

/// The flows (by ID) that fail FLOW-XBORDER-01 under `profile` when
/// `fixture` is judged on `as_of`.
fn transfer_failures(fixture: &str, profile: &str, as_of: &str) -> BTreeSet<String> {
    failures("FLOW-XBORDER-01", fixture, profile, as_of)
}

/// The flows (by ID) that fail `requirement` under `profile` when
/// `fixture` is judged on `as_of`.
fn failures(requirement: &str, fixture: &str, profile: &str, as_of: &str) -> BTreeSet<String> {
    let path = format!("fixtures/flows/{fixture}");
    let output = run(&[
        "flows", &path, "-p", profile, "--as-of", as_of, "--format", "json",
    ]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        transcript(&output)
    );
    let report = json_report(&output);
    assert_eq!(report["law"]["as_of"], as_of);
    let flows: Vec<String> = report["matrices"][0]["flows"]
        .as_array()
        .expect("a matrix")
        .iter()
        .map(|row| row["flow"].as_str().expect("flow ID").to_owned())
        .collect();
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["requirement"] == requirement && f["verdicts"][profile] == "fail")
        .map(|f| {
            let pointer = f["location"]["pointer"].as_str().expect("pointer");
            let index: usize = pointer
                .split('/')
                .nth(2)
                .and_then(|n| n.parse().ok())
                .expect("a flow index");
            flows[index].clone()
        })
        .collect()
}

fn set(flows: &[&str]) -> BTreeSet<String> {
    flows.iter().map(|f| (*f).to_owned()).collect()
}

#[test]
fn korea_recognises_the_eu_from_2025_09_16_without_resident_registration_numbers() {
    let fixture = "kr-hub-eu-research.json";
    assert_eq!(
        transfer_failures(fixture, "kr", "2025-09-01"),
        set(&["residents-to-eu-storage", "trips-to-eu-university"]),
        "before the recognition, neither flow rests on adequacy"
    );
    assert_eq!(
        transfer_failures(fixture, "kr", "2025-09-16"),
        set(&["residents-to-eu-storage"]),
        "from the first day, the research flow is covered; resident registration numbers never are"
    );
    assert_eq!(
        transfer_failures(fixture, "kr", "2026-01-01"),
        set(&["residents-to-eu-storage"])
    );
    assert!(transfer_failures(fixture, "eu", "2026-01-01").is_empty());
}

#[test]
fn contract_necessity_covers_storage_by_a_processor_not_provision_to_a_controller() {
    let fixture = "kr-transit-sg-cloud.json";
    for day in ["2025-01-01", "2026-01-01"] {
        assert_eq!(
            transfer_failures(fixture, "kr", day),
            set(&["trips-to-sg-backup", "trips-to-sg-partner"]),
            "{day}: the partner is a controller; the backup is disclosed nowhere"
        );
    }
    assert_eq!(
        transfer_failures(fixture, "eu", "2026-01-01"),
        set(&[
            "trips-to-sg-backup",
            "trips-to-sg-partner",
            "trips-to-sg-storage"
        ])
    );
}

#[test]
fn consent_to_a_korean_transfer_is_given_separately() {
    let fixture = "kr-parking-app-us-consent.json";
    assert_eq!(
        transfer_failures(fixture, "kr", "2026-01-01"),
        set(&["profiles-to-us-bundled-consent"])
    );
    assert!(transfer_failures(fixture, "eu", "2026-01-01").is_empty());
}

#[test]
fn us_adequacy_covers_only_recipients_certified_under_the_data_privacy_framework() {
    let fixture = "de-bikeshare-us-processor.json";
    assert_eq!(
        transfer_failures(fixture, "eu", "2026-01-01"),
        set(&["rides-to-us-processor"])
    );
    assert_eq!(
        transfer_failures(fixture, "eu", "2026-07-01"),
        set(&["rides-to-us-dpf-processor", "rides-to-us-processor"]),
        "a lapsed certification no longer brings the recipient under the decision"
    );
}

#[test]
fn the_evaluation_date_is_the_report_day_unless_given_and_every_format_says_so() {
    let fixture = "fixtures/flows/kr-hub-eu-research.json";
    let pinned = json_report(&run(&["flows", fixture, "-p", "kr", "--format", "json"]));
    assert_eq!(pinned["law"]["as_of"], "2023-11-14", "SOURCE_DATE_EPOCH");
    for format in ["text", "json", "junit", "sarif", "markdown", "html"] {
        let output = run(&[
            "flows",
            fixture,
            "-p",
            "kr",
            "--as-of",
            "2026-01-01",
            "--format",
            format,
        ]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            text.contains("A technical reading of the law as of 2026-01-01, not legal advice."),
            "{format}: {text}"
        );
        assert!(
            text.contains("kr-adequacy (as of 2026-01-01)"),
            "{format} names the lists used with their dates"
        );
    }
}

#[test]
fn a_date_that_is_not_a_calendar_day_is_refused_plainly() {
    let output = run(&[
        "flows",
        "fixtures/flows/kr-hub-eu-research.json",
        "--as-of",
        "2026-02-30",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("`2026-02-30` is not an ISO 8601 date such as 2026-01-31"),
        "{stderr}"
    );
}

#[test]
fn a_list_older_than_its_profiles_max_age_gives_a_warning() {
    let warnings = |as_of: &str| {
        let report = json_report(&run(&[
            "flows",
            "fixtures/flows/kr-transit-sg-cloud.json",
            "-p",
            "kr",
            "--as-of",
            as_of,
            "--format",
            "json",
        ]));
        report["law"]["lists"]
            .as_array()
            .expect("lists used")
            .iter()
            .filter(|l| l["warnings"].is_array())
            .map(|l| l["id"].as_str().expect("id").to_owned())
            .collect::<Vec<_>>()
    };
    assert!(warnings("2026-06-01").is_empty());
    // kr-adequacy was checked on 2026-01-01, kr-certifications on
    // 2026-11-30; baseline's max_age is P1Y.
    assert_eq!(warnings("2027-06-01"), ["kr-adequacy"]);
    let text = run(&[
        "flows",
        "fixtures/flows/kr-transit-sg-cloud.json",
        "-p",
        "kr",
        "--as-of",
        "2027-06-01",
    ]);
    insta::assert_snapshot!(
        "stale_list_warning",
        String::from_utf8_lossy(&text.stdout)
            .lines()
            .take(4)
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// An overlay folder with one list file holding `text`.
fn overlay_list(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("lists")).expect("lists folder");
    std::fs::write(dir.path().join("lists/kr-adequacy.toml"), text).expect("write");
    dir
}

#[test]
fn mistakes_in_a_lists_dates_name_the_file_line_and_field() {
    let cases = [
        (
            "list_date_not_iso",
            "id = \"kr-adequacy\"\ntitle = \"Recognised\"\nsource = \"A decision\"\nas_of = \"2026-1-1\"\nitems = [\"DE\"]\n",
        ),
        (
            "list_without_members",
            "id = \"kr-adequacy\"\ntitle = \"Recognised\"\nsource = \"A decision\"\n",
        ),
        (
            "list_date_mistakes",
            "id = \"kr-adequacy\"\ntitle = \"Recognised\"\nsource = \"A decision\"\nas_of = \"2026-01-01\"\n\n[[item]]\nvalues = [\"DE\"]\neffective_from = \"2025-09-16\"\neffective_until = \"2025-02-30\"\n\n[[item]]\nvalues = [\"FR\"]\neffective_from = \"2026-01-01\"\neffective_until = \"2025-12-31\"\n",
        ),
    ];
    for (name, text) in cases {
        let dir = overlay_list(text);
        let suites = dir.path().to_str().expect("utf-8");
        let output = run(&["lists", "--suites", suites]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert!(output.stdout.is_empty(), "{name}");
        common::path_filters(&[(dir.path(), "[suites]")]).bind(|| {
            insta::assert_snapshot!(name, transcript(&output));
        });
    }
}

#[test]
fn an_overlay_list_with_dated_members_changes_the_verdict_on_its_dates() {
    // A user's own reading: the recognition of Germany ends on 2025-12-31.
    let dir = overlay_list(
        "id = \"kr-adequacy\"\ntitle = \"Recognised\"\nsource = \"A decision\"\nas_of = \"2025-10-01\"\nitems = []\n\n[[item]]\nvalues = [\"DE\"]\neffective_from = \"2025-09-16\"\neffective_until = \"2025-12-31\"\n",
    );
    let suites = dir.path().to_str().expect("utf-8");
    let failing = |as_of: &str| {
        let output = run(&[
            "flows",
            "fixtures/flows/kr-hub-eu-research.json",
            "-p",
            "kr",
            "--suites",
            suites,
            "--as-of",
            as_of,
            "--format",
            "json",
        ]);
        let report = json_report(&output);
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["requirement"] == "FLOW-XBORDER-01")
            .count()
    };
    assert_eq!(failing("2025-12-31"), 1, "only the Irish storage fails");
    assert_eq!(failing("2026-01-01"), 2, "Germany is no longer recognised");
}

#[test]
fn lists_are_listed_and_shown_with_their_dates_and_carve_outs() {
    let list = run(&["lists"]);
    assert_eq!(list.status.code(), Some(0));
    insta::assert_snapshot!("lists", transcript(&list));
    let show = run(&["lists", "show", "kr-adequacy", "--as-of", "2025-09-01"]);
    assert_eq!(show.status.code(), Some(0));
    insta::assert_snapshot!("lists_show_kr_adequacy", transcript(&show));
    let json = json_report(&run(&[
        "lists",
        "show",
        "eu-adequacy",
        "--as-of",
        "2026-01-01",
        "--format",
        "json",
    ]));
    assert_eq!(json["as_of"], "2026-01-01");
    let in_force = json["list"]["in_force"].as_array().expect("members");
    assert!(
        in_force.contains(&serde_json::json!({ "value": "US", "only_certified": ["eu-us-dpf"] }))
    );
    let unknown = run(&["lists", "show", "no-such-list"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("known lists: asean-mcc"));
}

/// The flows (by ID) that fail FLOW-LEGAL-BASIS-01 under `profile`.
fn basis_failures(fixture: &str, profile: &str) -> BTreeSet<String> {
    failures("FLOW-LEGAL-BASIS-01", fixture, profile, "2026-11-29")
}

#[test]
fn a_korean_consent_flow_is_judged_by_its_concept_in_every_region() {
    let fixture = "kr-bikeshare-pipa-consent.json";
    for profile in ["kr", "eu", "sg", "in"] {
        assert_eq!(
            basis_failures(fixture, profile),
            set(&[]),
            "`kr-pipa:A15-1-1` is consent, which `{profile}` accepts"
        );
    }
}

#[test]
fn legitimate_interest_under_its_gdpr_article_needs_the_assessment_too() {
    let fixture = "de-carsharing-legitimate-interest.json";
    let without = set(&[
        "fraud-checks-on-dpv-concept",
        "fraud-checks-on-gdpr-article",
    ]);
    for profile in ["eu", "kr", "sg"] {
        assert_eq!(
            basis_failures(fixture, profile),
            without,
            "under `{profile}`, legitimate interest without an assessment fails whatever its name"
        );
    }
    assert_eq!(
        basis_failures(fixture, "in"),
        without,
        "before the DPDP Act's ss. 3-17 commence, the IT Act asks no general basis"
    );
    let mut everything = without;
    everything.insert("fraud-checks-with-assessment".to_owned());
    assert_eq!(
        failures("FLOW-LEGAL-BASIS-01", fixture, "in", "2027-06-01"),
        everything,
        "the DPDP Act has no legitimate-interest basis"
    );
}

#[test]
fn the_gdpr_article_is_named_in_the_finding_with_its_concept() {
    let output = run(&[
        "flows",
        "fixtures/flows/de-carsharing-legitimate-interest.json",
        "-p",
        "eu",
        "--as-of",
        "2026-11-29",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(
            "legal basis `eu-gdpr:A6-1-f (dpv:LegitimateInterest)` needs a recorded assessment"
        ),
        "{}",
        transcript(&output)
    );
}

#[test]
fn japan_takes_equivalent_measures_or_cbpr_but_designates_only_the_eu_and_the_uk() {
    let fixture = "jp-survey-sg-processor.json";
    assert_eq!(
        transfer_failures(fixture, "jp", "2026-01-01"),
        set(&["survey-to-sg-adequacy"]),
        "APPI Art. 28(1): Singapore is not designated; contract measures and APEC CBPR are standards-conforming systems"
    );
    assert_eq!(
        transfer_failures(fixture, "eu", "2026-01-01"),
        set(&[
            "survey-to-sg-adequacy",
            "survey-to-sg-cbpr",
            "survey-to-sg-measures"
        ])
    );
}

#[test]
fn australia_accepts_reasonable_steps_by_contract_and_nothing_less() {
    let fixture = "au-transport-us-cloud.json";
    assert_eq!(
        transfer_failures(fixture, "au", "2026-01-01"),
        set(&["trips-to-us-cloud-unprotected"]),
        "APP 8.1 and s. 16C: a contract binding the recipient to the APPs is the reasonable step"
    );
    for profile in ["uk", "eu"] {
        assert_eq!(
            transfer_failures(fixture, profile, "2026-01-01"),
            set(&[
                "trips-to-us-cloud-contract",
                "trips-to-us-cloud-unprotected"
            ]),
            "{profile}: the cloud agreement is not its transfer tool"
        );
    }
}

#[test]
fn the_uk_judges_its_data_bridges_and_the_idta_on_their_dates() {
    let fixture = "uk-borough-research-transfers.json";
    assert_eq!(
        transfer_failures(fixture, "uk", "2022-03-01"),
        set(&[
            "tracks-to-kr-university",
            "tracks-to-us-university-addendum",
            "tracks-to-us-university-idta"
        ]),
        "before 2022-03-21 neither the IDTA nor the Addendum is in force; Korea is not yet adequate"
    );
    assert_eq!(
        transfer_failures(fixture, "uk", "2022-12-01"),
        set(&["tracks-to-kr-university"])
    );
    assert!(
        transfer_failures(fixture, "uk", "2023-01-01").is_empty(),
        "the Republic of Korea regulations are in force from 2022-12-19"
    );
    assert!(transfer_failures(fixture, "uk", "2026-01-01").is_empty());
    assert_eq!(
        transfer_failures(fixture, "eu", "2026-01-01"),
        set(&[
            "tracks-to-us-university-addendum",
            "tracks-to-us-university-idta"
        ]),
        "the Netherlands is inside the EEA and Korea is adequate for the EU; the UK tools are not EU tools"
    );
}

/// The flows (by ID) whose verdict on `requirement` under `profile` is
/// `verdict` (`fail`, `warn`) when `fixture` is judged on `as_of`.
fn with_verdict(
    verdict: &str,
    requirement: &str,
    fixture: &str,
    profile: &str,
    as_of: &str,
) -> BTreeSet<String> {
    let path = format!("fixtures/flows/{fixture}");
    let output = run(&[
        "flows", &path, "-p", profile, "--as-of", as_of, "--format", "json",
    ]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        transcript(&output)
    );
    let report = json_report(&output);
    let flows: Vec<String> = report["matrices"][0]["flows"]
        .as_array()
        .expect("a matrix")
        .iter()
        .map(|row| row["flow"].as_str().expect("flow ID").to_owned())
        .collect();
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["requirement"] == requirement && f["verdicts"][profile] == verdict)
        .filter_map(|f| {
            let pointer = f["location"]["pointer"].as_str()?;
            let index: usize = pointer.split('/').nth(2)?.parse().ok()?;
            flows.get(index).cloned()
        })
        .collect()
}

#[test]
fn a_public_authority_has_no_legitimate_interests_and_biometrics_need_an_article_9_condition() {
    let fixture = "eu-city-live-facial-recognition.json";
    let day = "2026-11-30";
    assert_eq!(
        failures("FLOW-LEGAL-BASIS-01", fixture, "eu", day),
        set(&["gate-faces-on-legitimate-interest"]),
        "GDPR Art. 6(1) second subparagraph, even with an assessment recorded"
    );
    assert_eq!(
        failures("FLOW-SPECIAL-01", fixture, "eu", day),
        set(&["gate-faces-on-legitimate-interest"]),
        "GDPR Art. 9(2): the public-task flow names (g), the others (a) and (i)"
    );
}

#[test]
fn public_authorities_lose_the_consent_derogation_and_may_use_public_instruments() {
    let fixture = "eu-city-live-facial-recognition.json";
    assert_eq!(
        transfer_failures(fixture, "eu", "2026-11-30"),
        set(&["watchlist-to-us-on-consent"]),
        "Art. 49(3) refuses explicit consent to a public authority; the WHO arrangement (Art. 46(3)(b)) and Brazil's adequacy hold"
    );
    assert_eq!(
        transfer_failures(fixture, "eu", "2026-01-01"),
        set(&["rides-to-br-analytics", "watchlist-to-us-on-consent"]),
        "Brazil is adequate from 2026-01-26 only"
    );
}

#[test]
fn the_contract_derogation_covers_occasional_transfers_only() {
    let fixture = "kr-transit-sg-cloud.json";
    let output = run(&[
        "flows",
        &format!("fixtures/flows/{fixture}"),
        "-p",
        "eu",
        "--as-of",
        "2026-11-30",
        "--format",
        "json",
    ]);
    let report = json_report(&output);
    let messages: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["requirement"] == "FLOW-XBORDER-01")
        .filter_map(|f| f["message"].as_str())
        .collect();
    assert!(
        messages.iter().any(|m| m
            .contains("`contract-necessity`, a derogation that covers occasional transfers only")),
        "{messages:?}"
    );
}

#[test]
fn india_applies_the_spdi_rules_until_the_dpdp_act_commences() {
    let fixture = "in-command-centre-foreign-processor.json";
    assert_eq!(
        transfer_failures(fixture, "in", "2026-06-01"),
        set(&["ambulance-calls-to-sg-processor"]),
        "SPDI Rules r. 7: health data leaves only on necessity for the contract with the person, or consent"
    );
    assert_eq!(
        transfer_failures(fixture, "in", "2027-05-12"),
        set(&["ambulance-calls-to-sg-processor"]),
        "the last day of the SPDI Rules"
    );
    assert!(
        transfer_failures(fixture, "in", "2027-05-13").is_empty(),
        "DPDP Act s. 16(1): no country restricted, no r. 15 requirement specified"
    );
    assert!(transfer_failures(fixture, "in", "2027-06-01").is_empty());
}

#[test]
fn a_singapore_controller_recipient_needs_cbpr_and_the_global_systems_count_from_2026_03_02() {
    let fixture = "sg-app-prp-controller.json";
    assert_eq!(
        transfer_failures(fixture, "sg", "2026-01-01"),
        set(&["drivers-to-prp-partner", "sessions-to-global-prp-host"])
    );
    assert_eq!(
        transfer_failures(fixture, "sg", "2026-03-02"),
        set(&["drivers-to-prp-partner"]),
        "PDPR reg. 12(2)(b): PRP never counts for a controller"
    );
    let output = run(&[
        "flows",
        &format!("fixtures/flows/{fixture}"),
        "-p",
        "sg",
        "--as-of",
        "2026-03-02",
        "--format",
        "json",
    ]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("PDPA s. 4(1)(c)"),
        "the public agency's flow is outside the Act, with that reason"
    );
}

#[test]
fn china_exempts_small_exports_and_sends_sensitive_volumes_to_the_security_assessment() {
    let fixture = "cn-shenzhen-car-park-hk.json";
    let day = "2026-11-30";
    assert_eq!(
        transfer_failures(fixture, "cn", day),
        set(&["card-billing-to-hk-contract", "plates-to-hk-unknown-volume"]),
        "20,000 drivers' non-sensitive data is exempt (Art. 5(4)); with card numbers it needs the assessment (Art. 7)"
    );
    assert!(
        failures("FLOW-LOCAL-01", fixture, "cn", day).is_empty(),
        "PIPL Art. 36: the public-sector export is approved by the assessment"
    );
}

#[test]
fn asean_is_best_practice_and_timor_leste_is_a_member_from_2025_10_26() {
    let fixture = "asean-timor-leste-processor.json";
    assert_eq!(
        with_verdict("warn", "FLOW-XBORDER-01", fixture, "asean", "2025-10-01"),
        set(&["sessions-to-tl-processor"]),
        "the MCCs are voluntary: a SHOULD, not a failure"
    );
    assert!(
        with_verdict("warn", "FLOW-XBORDER-01", fixture, "asean", "2025-10-26").is_empty(),
        "inside ASEAN from the admission"
    );
    assert!(failures("FLOW-XBORDER-01", fixture, "asean", "2025-10-01").is_empty());
}

#[test]
fn korea_asks_separate_consent_for_sensitive_data_and_knows_no_public_interest_basis() {
    let fixture = "kr-district-sensitive-and-pseudonymised.json";
    let day = "2026-11-30";
    assert_eq!(
        failures("FLOW-SPECIAL-01", fixture, "kr", day),
        set(&["checkups-on-general-consent"]),
        "PIPA Art. 23(1)"
    );
    assert_eq!(
        failures("FLOW-LEGAL-BASIS-01", fixture, "kr", day),
        set(&["shelter-users-on-public-interest"]),
        "PIPA Art. 15(1) has no public-interest basis"
    );
    assert_eq!(
        failures("FLOW-PSEUDO-01", fixture, "kr", day),
        set(&["trips-kept-as-records"]),
        "PIPA Art. 28-2: operational record keeping is not archiving in the public interest"
    );
}

/// The messages of the FLOW-XBORDER-01 findings that fail `profile` when
/// `fixture` is judged on `as_of`.
fn transfer_messages(fixture: &str, profile: &str, as_of: &str) -> Vec<String> {
    let report = common::flows_json(&format!("fixtures/flows/{fixture}"), &[profile], as_of);
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["requirement"] == "FLOW-XBORDER-01" && f["verdicts"][profile] == "fail")
        .map(|f| f["message"].as_str().expect("a message").to_owned())
        .collect()
}

#[test]
fn a_foreign_court_order_is_no_ground_without_an_international_agreement() {
    let fixture = "eu-bikeshare-us-subpoena.json";
    let day = "2026-11-30";
    assert_eq!(
        transfer_failures(fixture, "eu", day),
        set(&["rider-trips-on-us-subpoena"]),
        "GDPR Art. 48: the subpoena alone fails, the mutual legal assistance agreement carries the request"
    );
    let messages = transfer_messages(fixture, "eu", day);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("court or authority order")
                && m.contains("transfer.internationalAgreement")),
        "the failure names the missing field: {messages:?}"
    );
}

#[test]
fn singapore_takes_deemed_consent_by_contractual_necessity_and_consent_after_a_summary() {
    let fixture = "sg-ride-app-deemed-consent.json";
    assert_eq!(
        transfer_failures(fixture, "sg", "2026-11-30"),
        set(&[
            "trips-to-analytics-on-notification",
            "survey-to-research-without-summary"
        ]),
        "PDPR 2021 reg. 10(2)(b) names PDPA s. 15(3)-(8), not s. 15A; reg. 10(3)(a) asks for the written summary"
    );
    let messages = transfer_messages(fixture, "sg", "2026-11-30");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("deemed consent by notification")
                && m.contains("contractual-necessity")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("transfer.protectionSummary")),
        "{messages:?}"
    );
}

#[test]
fn a_resident_registration_number_is_processed_in_imminent_danger_without_a_statute() {
    let fixture = "kr-dispatch-rrn-emergency.json";
    assert_eq!(
        failures("FLOW-NATID-01", fixture, "kr", "2026-11-30"),
        set(&["caller-rrn-follow-up-survey"]),
        "PIPA Art. 24-2(1)2 needs no statute; consent is no ground under Art. 24-2(1)"
    );
}

#[test]
fn korean_cameras_film_public_places_only_for_permitted_purposes_and_say_so() {
    let fixture = "kr-seoul-cameras.json";
    let day = "2026-11-30";
    assert_eq!(
        failures("FLOW-CCTV-01", fixture, "kr", day),
        set(&["plaza-cctv-shopper-profiles", "bus-cameras-unannounced"]),
        "PIPA Art. 25(1): marketing is no purpose of a fixed device; Art. 25-2(3): a mobile device shows that it films"
    );
    let report = common::flows_json(&format!("fixtures/flows/{fixture}"), &["kr"], day);
    let cited: Vec<&str> = report["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .filter(|r| r["id"] == "FLOW-CCTV-01")
        .flat_map(|r| r["clauses"].as_array().into_iter().flatten())
        .filter_map(|c| c["clause"].as_str())
        .collect();
    assert!(
        cited.iter().any(|c| c.starts_with("Art. 25(1)"))
            && cited.iter().any(|c| c.starts_with("Art. 25-2")),
        "{cited:?}"
    );
    for profile in ["eu", "sg", "in"] {
        assert!(
            failures("FLOW-CCTV-01", fixture, profile, day).is_empty(),
            "{profile} does not select the PIPA camera rule"
        );
    }
}

#[test]
fn pseudonymised_trips_go_without_the_key_and_with_records_of_their_processing() {
    let fixture = "kr-hub-pseudonymised-linkage.json";
    let day = "2026-11-30";
    assert_eq!(
        failures("FLOW-PSEUDO-01", fixture, "kr", day),
        set(&["trips-with-linkage-key", "trips-without-records"]),
        "PIPA Art. 28-2(2) and 28-4(3)"
    );
    let report = common::flows_json(&format!("fixtures/flows/{fixture}"), &["kr"], day);
    let pointers: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["requirement"] == "FLOW-PSEUDO-01")
        .filter_map(|f| f["location"]["pointer"].as_str())
        .collect();
    assert_eq!(
        pointers,
        [
            "/flows/0/identifyingInformationProvided",
            "/flows/1/pseudonymisationRecords"
        ],
        "each failure points at the field that decides it"
    );
}

#[test]
fn a_special_category_condition_is_judged_by_its_concept_under_every_profile() {
    let fixture = "kr-dialysis-shuttle-conditions.json";
    let day = "2026-11-30";
    assert!(
        failures("FLOW-SPECIAL-01", fixture, "kr", day).is_empty(),
        "PIPA Art. 23(1)1 and 23(1)2, under whichever name"
    );
    assert_eq!(
        failures("FLOW-SPECIAL-01", fixture, "eu", day),
        set(&["riders-on-a-law"]),
        "separate consent is explicit consent (GDPR Art. 9(2)(a)) by any name; a Korean law's permission is no Art. 9(2) condition as named"
    );
    let report = common::flows_json(&format!("fixtures/flows/{fixture}"), &["eu"], day);
    let finding = common::finding(&report, "FLOW-SPECIAL-01").expect("the eu failure");
    let message = finding["message"].as_str().expect("message");
    assert!(
        message.contains("`kr-pipa:A23-1-2`") && message.contains("eu-gdpr:A9-2-a"),
        "the condition as declared, and the accepted ones: {message}"
    );
    assert!(
        finding["readings"]["eu"]
            .as_str()
            .is_some_and(|r| r.contains("KR")),
        "the eu verdict is a hypothetical reading: {finding}"
    );
}

#[test]
fn the_remedy_for_a_foreign_order_names_the_agreement_and_offers_no_statute() {
    let report = common::flows_json(
        "fixtures/flows/eu-bikeshare-us-subpoena.json",
        &["eu"],
        "2026-11-30",
    );
    let finding = common::finding(&report, "FLOW-XBORDER-01").expect("the Art. 48 failure");
    let ways = finding["evidence"]["would_pass_with"]
        .as_array()
        .expect("would_pass_with");
    insta::assert_json_snapshot!("art48_would_pass_with", ways);
    assert!(
        ways[0]
            .as_str()
            .is_some_and(|w| w.contains("international agreement")
                && w.contains("transfer.internationalAgreement")),
        "the agreement comes first: {ways:?}"
    );
    assert!(
        !ways
            .iter()
            .any(|w| w.as_str().is_some_and(|w| w.contains("statute"))),
        "GDPR Art. 48: the order, or the foreign statute behind it, is no way: {ways:?}"
    );
    let message = finding["message"].as_str().expect("message");
    assert!(!message.contains("a statute that requires"), "{message}");
}

#[test]
fn a_pipc_suspension_order_stops_the_transfer_from_its_first_day() {
    let fixture = "kr-mobility-suspended-transfer.json";
    assert!(
        transfer_failures(fixture, "kr", "2026-05-01").is_empty(),
        "before the order, contract necessity disclosed in the privacy policy carries the storage"
    );
    assert_eq!(
        transfer_failures(fixture, "kr", "2026-06-01"),
        set(&["trips-to-sg-storage-suspended"]),
        "PIPA Art. 28-9(1): from the order's first day"
    );
    let messages = transfer_messages(fixture, "kr", "2026-06-01");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("order `PIPC suspension order 2026-01` to suspend")),
        "{messages:?}"
    );
}

#[test]
fn china_exempts_an_export_necessary_in_an_emergency_whatever_its_volume() {
    let fixture = "cn-ambulance-emergency-hk.json";
    assert_eq!(
        transfer_failures(fixture, "cn", "2026-11-30"),
        set(&["patient-records-contract"]),
        "CAC Provisions Art. 5(3) exempts the emergency; 15,000 patients' health data otherwise needs the assessment (Art. 7)"
    );
}

/// `profiles diff LEFT RIGHT --as-of DAY --format json`.
fn diff_json(left: &str, right: &str, day: &str) -> serde_json::Value {
    let output = run(&[
        "profiles", "diff", left, right, "--as-of", day, "--format", "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    json_report(&output)
}

/// The entry of `diff` for `requirement`'s parameter `key`.
fn param_entry<'a>(
    diff: &'a serde_json::Value,
    requirement: &str,
    key: &str,
) -> Option<&'a serde_json::Value> {
    diff["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["requirement"] == requirement && e["key"] == key)
}

#[test]
fn profiles_diff_compares_dated_lists_on_the_evaluation_date() {
    let only_eu = |day: &str| {
        let diff = diff_json("eu", "uk", day);
        assert_eq!(diff["as_of"], day);
        param_entry(&diff, "FLOW-XBORDER-01", "adequate")
            .expect("the adequacy lists differ")["only_left"]
            .as_array()
            .expect("members only eu has")
            .iter()
            .map(|v| v.as_str().expect("a country").to_owned())
            .collect::<BTreeSet<_>>()
    };
    assert!(
        !only_eu("2026-01-01").contains("BR"),
        "before Decision (EU) 2026/179, Brazil is no difference"
    );
    assert!(only_eu("2026-11-30").contains("BR"));
}

#[test]
fn special_category_conditions_named_by_each_law_are_no_contradiction() {
    let diff = diff_json("kr", "eu", "2026-11-30");
    let conditions =
        param_entry(&diff, "FLOW-SPECIAL-01", "conditions").expect("the conditions differ");
    assert_eq!(
        conditions["contradicts"], false,
        "both accept explicit, separate consent (GDPR Art. 9(2)(a); PIPA Art. 23(1)1): {conditions}"
    );
    assert!(
        conditions["only_left"]
            .as_array()
            .expect("only kr")
            .contains(&serde_json::json!("kr-pipa:A23-1-2")),
        "what only PIPA accepts is still shown: {conditions}"
    );
}

#[test]
fn a_profile_that_adds_no_clause_cites_the_requirements_own() {
    let diff = diff_json("baseline", "cn", "2026-11-30");
    let citation = diff["citations"]
        .as_array()
        .expect("citations")
        .iter()
        .find(|c| c["requirement"] == "FLOW-XBORDER-01")
        .expect("FLOW-XBORDER-01 differs");
    assert_eq!(
        citation["requirement_clauses_for"],
        serde_json::json!(["baseline"])
    );
    assert!(
        !citation["left"].as_array().expect("left").is_empty(),
        "baseline cites the requirement's clauses: {citation}"
    );
    let text = run(&[
        "profiles",
        "diff",
        "baseline",
        "cn",
        "--as-of",
        "2026-11-30",
    ]);
    assert!(
        String::from_utf8_lossy(&text.stdout)
            .contains("baseline cites (the requirement's own; it adds none): GDPR Art. 30(1)(e)"),
        "{}",
        transcript(&text)
    );
}

#[test]
fn two_controllers_pseudonymised_data_are_combined_only_by_a_designated_agency() {
    assert_eq!(
        failures(
            "FLOW-PSEUDO-01",
            "kr-card-telecom-combination.json",
            "kr",
            "2026-11-30"
        ),
        set(&["trips-combined-in-house"]),
        "PIPA Art. 28-3(1)"
    );
}

#[test]
fn china_certification_serves_only_the_middle_band_without_important_data() {
    let fixture = "cn-charging-network-certified-sg.json";
    assert_eq!(
        transfer_failures(fixture, "cn", "2026-11-30"),
        set(&[
            "sessions-to-sg-one-million-certified",
            "grid-load-to-sg-certified",
            "grid-load-to-sg-contract-necessity",
        ]),
        "the Certification Measures (2026) and the CAC Provisions Art. 2, 5, 7, 8: certification from 100,000 to fewer than 1,000,000 individuals, never for important data, which no exemption carries"
    );
    let messages = transfer_messages(fixture, "cn", "2026-11-30");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("1000000 individuals a year reaches the threshold of 1000000")),
        "{messages:?}"
    );
}
