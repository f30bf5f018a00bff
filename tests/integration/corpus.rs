//! cityconform's schema verdicts on real-world corpora, compared with an
//! independent validator.
//!
//! The unit and CLI tests only use payloads and schemas this team wrote, so
//! they cannot show that cityconform reads other people's JSON Schemas the
//! way the rest of the world does. Here every published example of the Smart
//! Data Models Transportation domain and every GBFS v2.3 test fixture is
//! validated by cityconform and by `check-jsonschema` (PyPI package
//! `check-jsonschema`, which `.ci/run` installs), and the two verdicts must
//! agree, with `format` ignored and with `format` asserted.
//!
//! The corpora live in `../shared/corpora` beside the crate (see its
//! README). A fresh clone of the project alone has no such folder, so the
//! tests skip with a message when it is absent; they also skip on a
//! developer machine without `check-jsonschema`, but fail in CI, where a
//! missing validator means `.ci/run` forgot to install it.

#![allow(
    clippy::print_stderr,
    reason = "the tests explain skips and print the verdict tables for --nocapture"
)]

use std::collections::BTreeSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

/// The requirement whose verdict is compared: schema conformance.
const SCHEMA_REQUIREMENT: &str = "PAY-SCHEMA-01";

/// The remote base URI the Smart Data Models schemas refer to.
const SMART_DATA_MODELS_BASE: &str = "https://smart-data-models.github.io/data-models/";

/// The shared definitions every Smart Data Model refers to, by their remote URI.
const COMMON_SCHEMA_URI: &str =
    "https://smart-data-models.github.io/data-models/common-schema.json";

/// What a copied model schema refers to instead, so that `check-jsonschema`
/// finds the common definitions beside it without the network.
const LOCAL_COMMON_SCHEMA_REF: &str = "./common-schema.json";

/// Fewer compared models than this means the corpus was not found whole,
/// and agreement on what is left would prove little.
const MIN_SMART_DATA_MODELS: usize = 20;

/// Fewer compared GBFS fixtures than this means the corpus is incomplete
/// (it holds 13).
const MIN_GBFS_FIXTURES: usize = 10;

/// A published example that does not validate against its own schema (the
/// corpus README names it), so a comparison where everything is valid cannot
/// pass unnoticed.
const KNOWN_INVALID_EXAMPLE: &str = "ElectricVehicleMobility";

/// Models whose example gets different verdicts when `format` is asserted,
/// because the two validators do not check a format the same way. Kept
/// exact: a model listed here that now agrees fails the test.
const KNOWN_FORMAT_DIFFERENCES: &[(&str, &str)] = &[(
    "RestrictedTrafficArea",
    "its `regulation` is \"Decree:54785/2004, Deliberation:425/2004\" under `format: uri`; \
     cityconform asserts RFC 3986 and rejects the spaces, while check-jsonschema 0.39.0 does \
     not check `uri` at all unless the optional `rfc3987` (or `rfc3986-validator`) library \
     is installed, which `pip install check-jsonschema` does not bring",
)];

/// Whether `format` keywords are checked, on both sides of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Formats {
    /// cityconform's default; check-jsonschema with `--disable-formats '*'`.
    Ignored,
    /// cityconform `--strict-formats`; check-jsonschema's default checks.
    Asserted,
}

/// One validator's answer for one payload file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Valid,
    Invalid,
}

/// A verdict and the validator's own words for it, shown when verdicts differ.
#[derive(Debug)]
struct Answer {
    verdict: Verdict,
    details: Vec<String>,
}

/// One payload file, the schema cityconform is given, and the schema
/// check-jsonschema is given (an offline copy where the original refers to
/// the web).
#[derive(Debug)]
struct Case {
    name: String,
    instance: PathBuf,
    schema: PathBuf,
    checker_schema: PathBuf,
    /// The base URI check-jsonschema resolves relative `$ref`s against, when
    /// the schema's own `$id` would point them at the web.
    checker_base_uri: Option<String>,
}

/// Both validators' answers for one case.
#[derive(Debug)]
struct Comparison {
    name: String,
    cityconform: Answer,
    check_jsonschema: Answer,
}

impl Comparison {
    fn agrees(&self) -> bool {
        self.cityconform.verdict == self.check_jsonschema.verdict
    }
}

/// The crate root, where cargo runs the tests.
fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared corpora folder, or `None` (after saying so) when the tests
/// cannot run here: no corpora, or no check-jsonschema outside CI.
fn corpora_or_skip(test: &str) -> Option<PathBuf> {
    let corpora = crate_root().join("../shared/corpora");
    if !corpora.is_dir() {
        eprintln!(
            "skipping {test}: ../shared/corpora is absent (the real-world corpora are not \
             part of the crate; see the corpora README in the shared folder)"
        );
        return None;
    }
    if !check_jsonschema_is_installed() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{test}: `check-jsonschema` is not on PATH; `.ci/run` must install it \
             (`pip install check-jsonschema`) before running the tests"
        );
        eprintln!(
            "skipping {test}: `check-jsonschema` is not on PATH \
             (`pip install check-jsonschema` to run the corpus comparison)"
        );
        return None;
    }
    Some(corpora)
}

/// True when `check-jsonschema --version` runs; a validator that is there
/// but broken is a harness error, not a reason to skip. Exit 127 is how a
/// version-manager shim (pyenv) says the command is not installed.
fn check_jsonschema_is_installed() -> bool {
    match Command::new("check-jsonschema").arg("--version").output() {
        Ok(output) if output.status.code() == Some(127) => false,
        Ok(output) => {
            assert!(
                output.status.success(),
                "`check-jsonschema --version` failed:\n{}",
                transcript(&output)
            );
            true
        }
        Err(error) if error.kind() == ErrorKind::NotFound => false,
        Err(error) => panic!("cannot start check-jsonschema: {error}"),
    }
}

/// Exit code, stdout and stderr of a run, for failure messages.
fn transcript(output: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output
            .status
            .code()
            .map_or("signal".to_owned(), |code| code.to_string()),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `cityconform validate` of the schema requirement alone against
/// `schema`, with a JSON report; the caller adds options and the instance.
fn schema_command(schema: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cityconform"));
    command
        .current_dir(crate_root())
        .env("NO_COLOR", "1")
        .args([
            "validate",
            "--requirement",
            SCHEMA_REQUIREMENT,
            "--format",
            "json",
        ])
        .arg("--schema")
        .arg(schema);
    command
}

/// Runs cityconform's schema check on one case and reads its verdict from
/// the JSON report (not only the exit code, so that a record that was never
/// checked cannot pass for a valid one).
fn cityconform_answer(case: &Case, formats: Formats, map_uris: &[String]) -> Answer {
    let mut command = schema_command(&case.schema);
    for map_uri in map_uris {
        command.arg("--map-uri").arg(map_uri);
    }
    if formats == Formats::Asserted {
        command.arg("--strict-formats");
    }
    command.arg(&case.instance);
    let output = command.output().expect("the cityconform binary runs");
    let exit = output.status.code();
    assert!(
        matches!(exit, Some(0 | 1)),
        "cityconform could not check {}:\n{}",
        case.name,
        transcript(&output)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "cityconform printed no JSON report for {} ({error}):\n{}",
            case.name,
            transcript(&output)
        )
    });
    let answer = answer_from_report(&report).unwrap_or_else(|problem| {
        panic!(
            "cityconform report for {}: {problem}:\n{report:#}",
            case.name
        )
    });
    let exit_says_valid = exit == Some(0);
    assert_eq!(
        exit_says_valid,
        answer.verdict == Verdict::Valid,
        "cityconform's exit code and report disagree for {}:\n{}",
        case.name,
        transcript(&output)
    );
    answer
}

/// The schema requirement's verdict in a cityconform JSON report: invalid
/// when its result fails or any of its findings fails. A result that checked
/// no record, or hit an error, is a harness problem.
fn answer_from_report(report: &Value) -> Result<Answer, String> {
    let result = report["profiles"][0]["results"]
        .as_array()
        .and_then(|results| {
            results
                .iter()
                .find(|r| r["requirement"] == SCHEMA_REQUIREMENT)
        })
        .ok_or("no result for the schema requirement in profiles[0].results")?;
    let counts = &result["counts"];
    let checked = counts["pass"].as_u64().unwrap_or(0) + counts["fail"].as_u64().unwrap_or(0);
    if checked == 0 || counts["error"].as_u64().unwrap_or(0) > 0 {
        return Err(format!(
            "the record was not checked cleanly (counts {counts})"
        ));
    }
    let failing_findings: Vec<String> = report["findings"]
        .as_array()
        .ok_or("no findings array")?
        .iter()
        .filter(|finding| finding["requirement"] == SCHEMA_REQUIREMENT && finding_fails(finding))
        .map(describe_finding)
        .collect();
    let valid = result["verdict"] != "fail" && failing_findings.is_empty();
    Ok(Answer {
        verdict: if valid {
            Verdict::Valid
        } else {
            Verdict::Invalid
        },
        details: failing_findings,
    })
}

/// Whether a finding fails, whether the report gives one `verdict` or a
/// `verdicts` map with one per profile.
fn finding_fails(finding: &Value) -> bool {
    finding["verdict"] == "fail"
        || finding["verdicts"]
            .as_object()
            .is_some_and(|verdicts| verdicts.values().any(|verdict| verdict == "fail"))
}

/// `pointer: message` of one cityconform finding.
fn describe_finding(finding: &Value) -> String {
    format!(
        "{}: {}",
        finding["location"]["pointer"].as_str().unwrap_or("?"),
        finding["message"].as_str().unwrap_or("?")
    )
}

/// Runs check-jsonschema on one case. Its exit code alone cannot be trusted
/// (it exits 1 for an unresolvable `$ref` as for an invalid instance), so
/// the verdict comes from its JSON output, and anything but a clean "ok" or
/// a "fail" with validation errors fails the test with its stderr.
fn check_jsonschema_answer(case: &Case, formats: Formats) -> Answer {
    let mut command = Command::new("check-jsonschema");
    command
        .current_dir(crate_root())
        .args([
            "--output-format",
            "json",
            "--color",
            "never",
            "--schemafile",
        ])
        .arg(&case.checker_schema);
    if let Some(base_uri) = &case.checker_base_uri {
        command.args(["--base-uri", base_uri]);
    }
    if formats == Formats::Ignored {
        command.args(["--disable-formats", "*"]);
    }
    command.arg(&case.instance);
    let output = command.output().expect("check-jsonschema runs");
    let harness_error = || {
        format!(
            "check-jsonschema could not check {}:\n{}",
            case.name,
            transcript(&output)
        )
    };
    let result: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|_| panic!("{}", harness_error()));
    let errors: Vec<String> = result["errors"]
        .as_array()
        .map(|errors| errors.iter().map(describe_checker_error).collect())
        .unwrap_or_default();
    let parse_errors = result["parse_errors"].as_array().map_or(0, Vec::len);
    match (output.status.code(), result["status"].as_str()) {
        (Some(0), Some("ok")) if errors.is_empty() => Answer {
            verdict: Verdict::Valid,
            details: errors,
        },
        (Some(1), Some("fail")) if !errors.is_empty() && parse_errors == 0 => Answer {
            verdict: Verdict::Invalid,
            details: errors,
        },
        _ => panic!("{}", harness_error()),
    }
}

/// `path: message` of one check-jsonschema error.
fn describe_checker_error(error: &Value) -> String {
    format!(
        "{}: {}",
        error["path"].as_str().unwrap_or("?"),
        error["message"].as_str().unwrap_or("?")
    )
}

/// The models under `dataModel.Transportation` that have both a schema and a
/// key-values example, in name order.
fn smart_data_models(corpora: &Path) -> Vec<(String, PathBuf)> {
    let domain = corpora.join("smart-data-models/dataModel.Transportation");
    let mut models: Vec<(String, PathBuf)> = fs::read_dir(&domain)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", domain.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|dir| {
            dir.join("schema.json").is_file() && dir.join("examples/example.json").is_file()
        })
        .map(|dir| {
            let name = dir
                .file_name()
                .expect("a model folder has a name")
                .to_string_lossy()
                .into_owned();
            (name, dir)
        })
        .collect();
    models.sort();
    models
}

/// One case per Smart Data Model, with an offline copy of its schema (and of
/// the common definitions beside it) staged in `staging` for check-jsonschema.
fn smart_data_model_cases(corpora: &Path, staging: &Path) -> Vec<Case> {
    let common_schema = corpora.join("smart-data-models/data-models/common-schema.json");
    smart_data_models(corpora)
        .into_iter()
        .map(|(name, dir)| {
            let schema = dir.join("schema.json");
            let checker_schema = stage_offline_schema(&name, &schema, &common_schema, staging);
            Case {
                checker_base_uri: Some(file_uri(&checker_schema)),
                instance: dir.join("examples/example.json"),
                schema,
                checker_schema,
                name,
            }
        })
        .collect()
}

/// Copies a model schema into `staging/<name>/` with its references to the
/// remote common schema made relative, and the common schema beside it,
/// since check-jsonschema has no way to map a remote URI to a folder.
fn stage_offline_schema(
    name: &str,
    schema: &Path,
    common_schema: &Path,
    staging: &Path,
) -> PathBuf {
    let folder = staging.join(name);
    fs::create_dir_all(&folder).expect("the staging folder can be created");
    let text = fs::read_to_string(schema)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", schema.display()));
    let copy = folder.join("schema.json");
    fs::write(
        &copy,
        text.replace(COMMON_SCHEMA_URI, LOCAL_COMMON_SCHEMA_REF),
    )
    .expect("the schema copy is written");
    fs::copy(common_schema, folder.join("common-schema.json"))
        .expect("the common schema is copied");
    copy
}

/// A `file://` URI for an absolute path. The models' `$id`s are web URIs, so
/// check-jsonschema needs this base to resolve `./common-schema.json` beside
/// the copy rather than on the web.
fn file_uri(path: &Path) -> String {
    let absolute = path.canonicalize().expect("the staged schema exists");
    let mut uri = String::from("file://");
    for byte in absolute.to_string_lossy().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// The `--map-uri` that serves the remote common schema from the corpus.
fn smart_data_models_map_uri(corpora: &Path) -> String {
    let folder = corpora.join("smart-data-models/data-models");
    format!("{SMART_DATA_MODELS_BASE}={}", folder.display())
}

/// One case per GBFS v2.3 fixture, against the schema of the same name.
/// The schemas have no `$ref`, so check-jsonschema gets them as they are.
fn gbfs_cases(corpora: &Path) -> Vec<Case> {
    let fixtures = corpora.join("gbfs/testFixtures/v2.3");
    let schemas = corpora.join("gbfs/v2.3");
    let mut cases: Vec<Case> = fs::read_dir(&fixtures)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", fixtures.display()))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .map(|instance| {
            let file_name = instance.file_name().expect("a fixture has a file name");
            let schema = schemas.join(file_name);
            assert!(
                schema.is_file(),
                "no GBFS schema {} for fixture {}",
                schema.display(),
                instance.display()
            );
            Case {
                name: file_name.to_string_lossy().into_owned(),
                checker_schema: schema.clone(),
                checker_base_uri: None,
                schema,
                instance,
            }
        })
        .collect();
    cases.sort_by(|a, b| a.name.cmp(&b.name));
    cases
}

/// Both validators' answers for every case, one case at a time so that the
/// run stays small on a two-core machine.
fn compare(cases: &[Case], formats: Formats, map_uris: &[String]) -> Vec<Comparison> {
    cases
        .iter()
        .map(|case| Comparison {
            name: case.name.clone(),
            cityconform: cityconform_answer(case, formats, map_uris),
            check_jsonschema: check_jsonschema_answer(case, formats),
        })
        .collect()
}

/// Prints the verdict table, shown with `--nocapture`.
fn print_table(title: &str, comparisons: &[Comparison]) {
    eprintln!("{title}");
    eprintln!(
        "  {:<28} {:<12} {:<16}",
        "case", "cityconform", "check-jsonschema"
    );
    for comparison in comparisons {
        eprintln!(
            "  {:<28} {:<12} {:<16}{}",
            comparison.name,
            format!("{:?}", comparison.cityconform.verdict),
            format!("{:?}", comparison.check_jsonschema.verdict),
            if comparison.agrees() { "" } else { "  DIFFERS" }
        );
    }
}

/// Both answers of every comparison in `names`, for a failure message.
fn explain(comparisons: &[Comparison], names: &BTreeSet<&str>) -> String {
    comparisons
        .iter()
        .filter(|comparison| names.contains(comparison.name.as_str()))
        .map(|comparison| {
            format!(
                "{}:\n  cityconform {:?}: {:?}\n  check-jsonschema {:?}: {:?}",
                comparison.name,
                comparison.cityconform.verdict,
                comparison.cityconform.details,
                comparison.check_jsonschema.verdict,
                comparison.check_jsonschema.details
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names of the cases where the two validators disagree.
fn disagreements(comparisons: &[Comparison]) -> BTreeSet<&str> {
    comparisons
        .iter()
        .filter(|comparison| !comparison.agrees())
        .map(|comparison| comparison.name.as_str())
        .collect()
}

/// The names of the cases both validators find invalid.
fn invalid_on_both_sides(comparisons: &[Comparison]) -> BTreeSet<&str> {
    comparisons
        .iter()
        .filter(|c| {
            c.cityconform.verdict == Verdict::Invalid
                && c.check_jsonschema.verdict == Verdict::Invalid
        })
        .map(|comparison| comparison.name.as_str())
        .collect()
}

/// Validates every Smart Data Models example both ways with the given
/// format handling, after checking the corpus is there whole.
fn compare_smart_data_models(corpora: &Path, formats: Formats) -> Vec<Comparison> {
    let staging = TempDir::new().expect("a temporary folder for the offline schema copies");
    let cases = smart_data_model_cases(corpora, staging.path());
    assert!(
        cases.len() >= MIN_SMART_DATA_MODELS,
        "only {} Smart Data Models with schema.json and examples/example.json were found; expected at least {MIN_SMART_DATA_MODELS}",
        cases.len()
    );
    let comparisons = compare(&cases, formats, &[smart_data_models_map_uri(corpora)]);
    print_table(
        &format!("Smart Data Models Transportation, formats {formats:?}:"),
        &comparisons,
    );
    comparisons
}

#[test]
fn smart_data_models_examples_get_check_jsonschemas_verdict_with_formats_ignored() {
    let Some(corpora) = corpora_or_skip("smart_data_models (formats ignored)") else {
        return;
    };
    let comparisons = compare_smart_data_models(&corpora, Formats::Ignored);

    let differing = disagreements(&comparisons);
    assert!(
        differing.is_empty(),
        "cityconform and check-jsonschema disagree with formats ignored:\n{}",
        explain(&comparisons, &differing)
    );
    assert!(
        invalid_on_both_sides(&comparisons).contains(KNOWN_INVALID_EXAMPLE),
        "the {KNOWN_INVALID_EXAMPLE} example is known not to validate against its schema, \
         yet it was not found invalid; the comparison may be vacuous"
    );
}

#[test]
fn smart_data_models_examples_get_check_jsonschemas_verdict_with_formats_asserted() {
    let Some(corpora) = corpora_or_skip("smart_data_models (formats asserted)") else {
        return;
    };
    let comparisons = compare_smart_data_models(&corpora, Formats::Asserted);

    let differing = disagreements(&comparisons);
    let known: BTreeSet<&str> = KNOWN_FORMAT_DIFFERENCES
        .iter()
        .map(|(model, _)| *model)
        .collect();
    let unexpected: BTreeSet<&str> = differing.difference(&known).copied().collect();
    let stale: BTreeSet<&str> = known.difference(&differing).copied().collect();
    assert!(
        unexpected.is_empty(),
        "cityconform and check-jsonschema disagree with formats asserted, on models not in \
         KNOWN_FORMAT_DIFFERENCES (fix the validator, or list the model with the reason):\n{}",
        explain(&comparisons, &unexpected)
    );
    assert!(
        stale.is_empty(),
        "KNOWN_FORMAT_DIFFERENCES lists {stale:?}, but the validators now agree on them: remove \
         them from the list (did check-jsonschema gain a checker, e.g. the `rfc3987` library?)"
    );

    let invalid = invalid_on_both_sides(&comparisons);
    assert!(
        invalid.contains(KNOWN_INVALID_EXAMPLE),
        "the {KNOWN_INVALID_EXAMPLE} example is known not to validate, yet was not found invalid"
    );
    assert!(
        invalid.len() > 1,
        "with formats asserted only {invalid:?} was found invalid on both sides, but some examples \
         carry malformed dates and times (see the corpus README): are formats really checked?"
    );
}

#[test]
fn gbfs_v2_3_fixtures_are_valid_for_both_validators() {
    let Some(corpora) = corpora_or_skip("gbfs_v2_3") else {
        return;
    };
    let cases = gbfs_cases(&corpora);
    assert!(
        cases.len() >= MIN_GBFS_FIXTURES,
        "only {} GBFS v2.3 fixtures were found; expected at least {MIN_GBFS_FIXTURES}",
        cases.len()
    );
    for formats in [Formats::Ignored, Formats::Asserted] {
        let comparisons = compare(&cases, formats, &[]);
        print_table(&format!("GBFS v2.3, formats {formats:?}:"), &comparisons);
        let not_valid: BTreeSet<&str> = comparisons
            .iter()
            .filter(|c| {
                c.cityconform.verdict != Verdict::Valid
                    || c.check_jsonschema.verdict != Verdict::Valid
            })
            .map(|comparison| comparison.name.as_str())
            .collect();
        assert!(
            not_valid.is_empty(),
            "every GBFS v2.3 fixture is expected valid (formats {formats:?}), but:\n{}",
            explain(&comparisons, &not_valid)
        );
    }
}

/// Published normalized examples that do not describe the same entity as
/// their key-values twin, each with what differs; every other pair must get
/// the same schema verdict.
const NORMALIZED_PAIRS_THAT_DIFFER: &[(&str, &str)] = &[
    (
        "APDSObservation",
        "`images` is a list of objects, not of lists",
    ),
    ("CityWork", "the line counts are booleans, not numbers"),
    (
        "EVChargingStation",
        "`taxAmountCollected` is a boolean, not a number",
    ),
    (
        "ElectricVehicleMobility",
        "mixes NGSI-LD and NGSI-v2 attributes, so its form cannot be told",
    ),
    (
        "FareCollectionSystem",
        "`direction_id` is text, not a number",
    ),
    ("RoadAccident", "the passenger counts are not integers"),
    ("RoadSegment", "the counts and heights are not numbers"),
    ("TransportStation", "`levelId` and `locationType` are text"),
    ("Vehicle", "`currentTripCount` is not a number"),
];

/// The schema verdict and counts of `instance` against `schema`, from the
/// JSON report, with the exit code.
fn schema_verdict(schema: &Path, instance: &Path, map_uri: &str) -> (Option<i32>, Value) {
    let output = schema_command(schema)
        .arg("--map-uri")
        .arg(map_uri)
        .arg(instance)
        .output()
        .expect("the cityconform binary runs");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "no JSON report for {} ({error}):\n{}",
            instance.display(),
            transcript(&output)
        )
    });
    let result = &report["profiles"][0]["results"][0];
    (
        output.status.code(),
        serde_json::json!([result["verdict"], result["counts"]]),
    )
}

#[test]
fn smart_data_models_normalized_examples_get_the_verdicts_of_their_key_values_twins() {
    let corpora = crate_root().join("../shared/corpora");
    if !corpora.is_dir() {
        eprintln!("skipping normalized examples: ../shared/corpora is absent");
        return;
    }
    let map_uri = smart_data_models_map_uri(&corpora);
    let mut compared = 0;
    let mut differing = BTreeSet::new();
    for (name, dir) in smart_data_models(&corpora) {
        let normalized = dir.join("examples/example-normalized.json");
        if !normalized.is_file() {
            continue;
        }
        let schema = dir.join("schema.json");
        let key_values = schema_verdict(&schema, &dir.join("examples/example.json"), &map_uri);
        let normalized = schema_verdict(&schema, &normalized, &map_uri);
        eprintln!("{name}: key-values {key_values:?}, normalized {normalized:?}");
        compared += 1;
        if key_values != normalized {
            differing.insert(name);
        }
    }
    let listed: BTreeSet<String> = NORMALIZED_PAIRS_THAT_DIFFER
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    assert_eq!(differing, listed, "pairs whose verdicts differ");
    assert!(
        compared >= MIN_SMART_DATA_MODELS,
        "only {compared} normalized examples were compared"
    );
}
