//! `cityconform check`, `init`, `keygen` and `verify` on a copy of the
//! fixture repository `fixtures/check/`: one pass, every report format,
//! waivers (active, expired, unmatched), configuration errors with their
//! line, signing, tamper detection, and byte-identical reruns.

use std::path::{Path, PathBuf};
use std::process::Output;

#[cfg(feature = "reference")]
use cityconform::reference::{ReferenceOptions, RunningReference};

use crate::common::{self, PINNED_EPOCH, transcript};

/// A copy of `fixtures/check` in a temporary folder (reports folder and
/// all), so that runs write their reports there.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_tree(&common::root().join("fixtures/check"), dir.path());
    for generated in std::fs::read_dir(dir.path().join("reports")).expect("reports folder") {
        let path = generated.expect("entry").path();
        if path.file_name().is_some_and(|n| n != ".gitignore") {
            std::fs::remove_file(path).expect("remove stale report");
        }
    }
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy file");
        }
    }
}

/// Runs `cityconform args` in `dir`, time pinned.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    common::cityconform(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = read(path.to_path_buf());
    assert!(text.contains(from), "`{from}` not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

const REPORTS: [&str; 5] = [
    "cityconform.junit.xml",
    "cityconform.sarif",
    "cityconform.md",
    "cityconform.html",
    "cityconform.json",
];

#[test]
fn check_runs_the_repository_from_its_configuration() {
    let repo = repository();
    let output = run_in(repo.path(), &["check"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    insta::assert_snapshot!("check_fixture_text", transcript(&output));
    let json: serde_json::Value =
        serde_json::from_str(&read(repo.path().join("reports/cityconform.json"))).expect("JSON");
    let errors = common::schema_errors(&common::report_validator(), &json);
    assert!(
        errors.is_empty(),
        "the JSON report breaks its schema:\n{errors}"
    );
    let statuses: Vec<&str> = json["waivers"]
        .as_array()
        .expect("waivers")
        .iter()
        .map(|w| w["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, ["active", "expired", "unmatched"]);
    assert_eq!(json["summary"]["waived"], 1);
    assert_eq!(json["summary"]["expired_waivers"], 1);
    let inputs = json["provenance"]["inputs"]
        .as_object()
        .expect("input digests");
    assert_eq!(
        inputs.len(),
        7,
        "one digest per payload file, the dataset, its descriptor and the declaration: {inputs:?}"
    );
    assert!(
        inputs.contains_key("datasets/trips.toml"),
        "the descriptor is digested: {inputs:?}"
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&read(repo.path().join("reports/cityconform.sarif"))).expect("SARIF");
    let errors = common::schema_errors(&common::sarif_validator(), &sarif);
    assert!(
        errors.is_empty(),
        "the SARIF report breaks the schema:\n{errors}"
    );
    let junit = read(repo.path().join("reports/cityconform.junit.xml"));
    roxmltree::Document::parse(&junit).expect("JUnit is XML");
    insta::assert_snapshot!(
        "check_fixture_markdown",
        read(repo.path().join("reports/cityconform.md"))
    );
}

#[test]
fn the_same_inputs_give_byte_identical_reports() {
    let repo = repository();
    let first = run_in(repo.path(), &["check", "--quiet"]);
    assert_eq!(first.status.code(), Some(1));
    let before: Vec<Vec<u8>> = REPORTS
        .iter()
        .map(|r| std::fs::read(repo.path().join("reports").join(r)).expect("report"))
        .collect();
    let second = run_in(repo.path(), &["check", "--quiet"]);
    assert_eq!(second.status.code(), Some(1));
    for (name, earlier) in REPORTS.iter().zip(before) {
        let now = std::fs::read(repo.path().join("reports").join(name)).expect("report");
        assert!(now == earlier, "{name} changed between identical runs");
    }
}

#[test]
fn with_the_expired_waiver_renewed_and_the_break_waived_the_run_passes() {
    let repo = repository();
    edit(
        &repo.path().join("cityconform.toml"),
        "expires = 2023-06-30",
        "expires = 2024-06-30",
    );
    let output = run_in(repo.path(), &["check", "--format", "markdown"]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("✅ met"), "{stdout}");
    assert!(stdout.contains("(2 waived)"), "{stdout}");
    // The same configuration, a year on: the waiver has run out again.
    let later = common::cityconform(&["check", "--quiet"])
        .current_dir(repo.path())
        .env("SOURCE_DATE_EPOCH", "1735689600")
        .output()
        .expect("runs");
    assert_eq!(later.status.code(), Some(1), "{}", transcript(&later));
}

/// Runs `check` on a copy whose configuration is `config`.
fn check_with(config: &str) -> String {
    let repo = repository();
    std::fs::write(repo.path().join("cityconform.toml"), config).expect("write config");
    let output = run_in(repo.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    assert!(
        std::fs::read_dir(repo.path().join("reports"))
            .expect("reports")
            .count()
            == 1,
        "no report is written when the configuration is wrong"
    );
    transcript(&output)
}

#[test]
fn configuration_errors_name_the_key_and_line() {
    let cases = [
        (
            "unknown_key",
            "profiles = [\"baseline\"]\n\n[payloads]\npaths = [\"payloads/live\"]\nschema_dir = \"x\"\n",
        ),
        (
            "misspelt_key",
            "profile = [\"kr\"]\n\n[payloads]\npaths = [\"payloads/live\"]\n",
        ),
        (
            "misspelt_waiver_requirement",
            "[payloads]\npaths = [\"payloads/live\"]\n\n[[waivers]]\nrequirement = \"ANON-ID-VALUE-1\"\njustification = \"j\"\napproved_by = \"a\"\nexpires = 2030-01-01\n",
        ),
        (
            "unknown_profile",
            "profiles = [\"baseline\",\n  \"atlantis\", \"kor\"]\n[payloads]\npaths = [\"payloads/live\"]\n",
        ),
        (
            "unknown_representation",
            "[payloads]\npaths = [\"payloads/live\"]\nrepresentation = \"normalized\"\n",
        ),
        (
            "glob_matches_nothing",
            "[payloads]\npaths = [\"payloads/live\",\n  \"payloads/**/*.xml\"]\n",
        ),
        (
            "impossible_toml_date",
            "[payloads]\npaths = [\"payloads/live\"]\n\n[[waivers]]\nrequirement = \"PAY-SCHEMA-01\"\njustification = \"j\"\napproved_by = \"a\"\nexpires = 2030-02-30\n",
        ),
        (
            "impossible_string_date_and_bad_glob",
            "[payloads]\npaths = [\"payloads/live\"]\n\n[[waivers]]\nrequirement = \"PAY-SCHEMA-01\"\njustification = \"j\"\napproved_by = \"a\"\nexpires = \"2030-02-30\"\n\n[[waivers]]\nrequirement = \"PAY-SCHEMA-01\"\nsubject = \"payloads/[live\"\njustification = \"j\"\napproved_by = \"a\"\nexpires = 2030-01-01\n",
        ),
        (
            "unknown_waived_requirement",
            "[payloads]\npaths = [\"payloads/live\"]\n\n[[waivers]]\nrequirement = \"ANON-NOPE-01\"\njustification = \"j\"\napproved_by = \"a\"\nexpires = 2030-01-01\n",
        ),
        (
            "waiver_missing_approval",
            "[payloads]\npaths = [\"payloads/live\"]\n\n[[waivers]]\nrequirement = \"PAY-SCHEMA-01\"\njustification = \"j\"\nexpires = 2030-01-01\n",
        ),
        (
            "waiver_blank_justification",
            "[payloads]\npaths = [\"payloads/live\"]\n\n[[waivers]]\nrequirement = \"PAY-SCHEMA-01\"\njustification = \"   \"\napproved_by = \"a\"\nexpires = 2030-01-01\n",
        ),
        (
            "missing_dataset",
            "[payloads]\npaths = [\"payloads/live\"]\n\n[[datasets]]\ndata = \"exports/trips.csv\"\ndescriptor = \"exports/trips.toml\"\n",
        ),
        (
            "target_url_with_password",
            "[payloads]\npaths = [\"payloads/live\"]\n\n[target]\nurl = \"https://someone:s3cret-pass@city.example\"\n",
        ),
        ("nothing_to_check", "profiles = [\"baseline\"]\n"),
        ("syntax", "[payloads]\npaths = [\"payloads/live\"\n"),
    ];
    for (name, config) in cases {
        insta::assert_snapshot!(format!("config_error_{name}"), check_with(config));
    }
}

/// A profile may cap how long a waiver runs (`max_waiver`): a waiver past
/// the cap is refused, naming the profile, the cap and the days it asks
/// for, and nothing runs; within the cap the run goes ahead.
#[test]
fn a_waiver_longer_than_a_profile_allows_is_refused_with_the_limit_named() {
    let repo = repository();
    let profiles = repo.path().join("strict/profiles");
    std::fs::create_dir_all(&profiles).expect("overlay folder");
    std::fs::write(
        profiles.join("kr-strict.toml"),
        "id = \"kr-strict\"\ntitle = \"Korea, with waivers of six months at most\"\ndescription = \"The kr profile, where exceptions are reviewed twice a year.\"\nextends = \"kr\"\nmax_waiver = \"P6M\"\n",
    )
    .expect("write profile");
    let config = |expires: &str| {
        format!(
            "profiles = [\"baseline\", \"kr-strict\"]\nsuites = [\"strict\"]\n[payloads]\npaths = [\"payloads/live\"]\n\n[[waivers]]\nid = \"W-VENDOR\"\nrequirement = \"PAY-SCHEMA-01\"\njustification = \"Vendor feed migrates in Q1.\"\napproved_by = \"Platform owner\"\nexpires = {expires}\n"
        )
    };
    // The report day is pinned to 2023-11-14: six months (180 days) run
    // to 2024-05-12.
    std::fs::write(repo.path().join("cityconform.toml"), config("2024-06-30")).expect("write");
    let output = run_in(repo.path(), &["check"]);
    let text = common::expect_exit(&output, 2);
    insta::assert_snapshot!("config_error_waiver_longer_than_the_profile_allows", text);
    std::fs::write(repo.path().join("cityconform.toml"), config("2024-03-31")).expect("write");
    let output = run_in(repo.path(), &["check", "--quiet"]);
    assert_ne!(output.status.code(), Some(2), "{}", transcript(&output));
}

#[test]
fn a_missing_configuration_says_how_to_make_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = run_in(dir.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("config_missing", transcript(&output));
}

/// `init` in an empty repository leaves `[payloads]` commented, says so,
/// and `check` then says the file names nothing; it never overwrites.
#[test]
fn init_in_an_empty_repository_leaves_payloads_commented() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = run_in(dir.path(), &["init"]);
    let text = common::expect_exit(&output, 0);
    assert!(text.contains("no payload files found"), "{text}");
    let written = read(dir.path().join("cityconform.toml"));
    assert!(
        written.contains("# [payloads]\n# paths = [\"payloads\"]"),
        "{written}"
    );
    let again = run_in(dir.path(), &["init"]);
    assert_eq!(again.status.code(), Some(2), "never overwrites");
    assert_eq!(read(dir.path().join("cityconform.toml")), written);
    let empty = run_in(dir.path(), &["check"]);
    let text = common::expect_exit(&empty, 2);
    assert!(text.contains("names nothing to check"), "{text}");
}

/// `init` in a repository with payloads names them (a glob for a folder of
/// payloads only, file by file beside a `package.json`), and `check` runs
/// the file as written: exit 0, with the report folder made.
#[test]
fn init_names_the_payloads_it_finds_and_check_runs_as_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let trip = common::root().join("fixtures/payloads/valid/mobility-trip.json");
    for folder in ["payloads/feeds", "web", "node_modules/pkg"] {
        std::fs::create_dir_all(dir.path().join(folder)).expect("mkdir");
    }
    std::fs::copy(&trip, dir.path().join("payloads/feeds/trip.json")).expect("copy");
    std::fs::copy(&trip, dir.path().join("web/sample-trip.json")).expect("copy");
    std::fs::copy(&trip, dir.path().join("node_modules/pkg/trip.json")).expect("copy");
    std::fs::write(
        dir.path().join("web/package.json"),
        "{\"name\": \"city-web\", \"type\": \"module\"}",
    )
    .expect("write");
    std::fs::write(dir.path().join("package.json"), "{\"name\": \"city\"}").expect("write");
    let output = run_in(dir.path(), &["init"]);
    let text = common::expect_exit(&output, 0);
    insta::assert_snapshot!("init_names_the_payloads_it_finds", text);
    let written = read(dir.path().join("cityconform.toml"));
    assert!(
        written.contains("paths = [\n  \"payloads/feeds/*.json\",\n  \"web/sample-trip.json\",\n]"),
        "{written}"
    );
    let output = run_in(dir.path(), &["check"]);
    common::expect_exit(&output, 0);
    for report in [
        "cityconform.junit.xml",
        "cityconform.sarif",
        "cityconform.html",
    ] {
        assert!(
            dir.path().join("reports").join(report).is_file(),
            "{report}"
        );
    }
}

#[test]
fn every_format_is_available_to_validate_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut args = vec!["validate", "fixtures/payloads/invalid/id-email.json"];
    let paths: Vec<String> = ["sarif", "markdown", "html"]
        .iter()
        .map(|f| format!("{f}={}", dir.path().join(format!("r.{f}")).display()))
        .collect();
    for path in &paths {
        args.extend(["--report", path.as_str()]);
    }
    args.extend(["--format", "sarif"]);
    let output = common::run(&args);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("SARIF");
    assert!(common::schema_errors(&common::sarif_validator(), &sarif).is_empty());
    for f in ["sarif", "markdown", "html"] {
        assert!(dir.path().join(format!("r.{f}")).is_file(), "{f}");
    }
}

/// `keygen` in `dir`; returns (private, public) paths.
fn keygen(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let output = run_in(dir, &["keygen", name]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let private = dir.join(format!("{name}.key"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let key_text = read(private.clone());
    let body = key_text.lines().nth(1).expect("PEM body");
    assert!(
        !stdout.contains(body),
        "keygen never prints the private key"
    );
    (private, dir.join(format!("{name}.pub")))
}

#[test]
fn keygen_writes_an_owner_only_private_key_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (private, public) = keygen(dir.path(), "vendor");
    assert!(read(private.clone()).starts_with("-----BEGIN PRIVATE KEY-----"));
    assert!(read(public).starts_with("-----BEGIN PUBLIC KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = run_in(dir.path(), &["keygen", "vendor"]);
    assert_eq!(again.status.code(), Some(2));
}

/// A signed check report of the fixture repository, and the public key.
fn signed_report() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let repo = repository();
    let (private, public) = keygen(repo.path(), "signer");
    let output = run_in(
        repo.path(),
        &[
            "check",
            "--quiet",
            "--sign-key",
            private.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    let report = repo.path().join("reports/cityconform.json");
    (repo, report, public)
}

fn verify(dir: &Path, report: &Path, public: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "verify",
        report.to_str().expect("utf-8"),
        "--public-key",
        public.to_str().expect("utf-8"),
    ];
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

/// Snapshots the transcript as `name`, the temporary repository's path
/// written `[repo]`.
fn assert_transcript_snapshot(name: &str, output: &Output, repo: &Path) {
    common::path_filters(&[(repo, "[repo]")])
        .bind(|| insta::assert_snapshot!(name, transcript(output)));
}

#[test]
fn a_signed_report_verifies_and_the_signature_covers_what_was_asked() {
    let (repo, report, public) = signed_report();
    let output = verify(repo.path(), &report, &public, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let mut settings = common::path_filters(&[(repo.path(), "[repo]")]);
    settings.add_filter(r"key:( +)sha256:[0-9a-f]{64}", "key:$1[key id]");
    settings.bind(|| insta::assert_snapshot!("verify_says_what_it_verified", transcript(&output)));
    let json: serde_json::Value = serde_json::from_str(&read(report)).expect("JSON");
    let errors = common::schema_errors(&common::report_validator(), &json);
    assert!(errors.is_empty(), "{errors}");
    let sections: Vec<&str> = json["signature"]["sections"]
        .as_object()
        .expect("sections")
        .keys()
        .map(String::as_str)
        .collect();
    for covered in [
        "tool",
        "generated_at",
        "law",
        "inputs",
        "profiles",
        "findings",
        "provenance",
        "waivers",
    ] {
        assert!(
            sections.contains(&covered),
            "{covered} is not signed: {sections:?}"
        );
    }
    let provenance = &json["provenance"];
    assert!(provenance["catalogue"]["suites/catalogue/payload.toml"].is_string());
    assert!(provenance["profiles"]["suites/profiles/kr.toml"].is_string());
    assert!(provenance["schemas"]["schemas/envelope.schema.json"].is_string());
}

#[test]
fn a_changed_verdict_is_caught_and_named() {
    let (repo, report, public) = signed_report();
    edit(&report, "\"verdict\": \"fail\"", "\"verdict\": \"pass\"");
    let output = verify(repo.path(), &report, &public, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_transcript_snapshot("verify_changed_verdict", &output, repo.path());
}

#[test]
fn a_changed_evaluation_date_is_caught_and_named() {
    let (repo, report, public) = signed_report();
    edit(
        &report,
        "\"as_of\": \"2023-11-14\"",
        "\"as_of\": \"2026-01-01\"",
    );
    let output = verify(repo.path(), &report, &public, &[]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("law: `law` differs from what was signed"),
        "{stdout}"
    );
}

#[test]
fn a_changed_byte_of_formatting_is_caught() {
    let (repo, report, public) = signed_report();
    edit(
        &report,
        "{\n  \"schema_version\"",
        "{\n \t\"schema_version\"",
    );
    let output = verify(repo.path(), &report, &public, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_transcript_snapshot("verify_changed_whitespace", &output, repo.path());
}

#[test]
fn another_key_is_caught() {
    let (repo, report, _) = signed_report();
    let (_, other) = keygen(repo.path(), "impostor");
    let output = verify(repo.path(), &report, &other, &[]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("key: the report says it was signed by key"),
        "{stdout}"
    );
    assert!(
        stdout.contains("signature: the signature does not match"),
        "{stdout}"
    );
}

#[test]
fn a_report_made_with_a_modified_catalogue_is_caught() {
    // Produced with an overlay that weakens the kr profile ...
    let repo = repository();
    let kr = read(common::root().join("suites/profiles/kr.toml"));
    let (report, public) = signed_check_with_overlay(
        repo.path(),
        "profiles/kr.toml",
        &format!(
            "replaces = \"kr\"\n{}",
            kr.replace("max_decimals = 3", "max_decimals = 6")
        ),
    );
    // ... verified against the bundled catalogue: the signature is good,
    // the profile is not the trusted one.
    let output = verify(repo.path(), &report, &public, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_transcript_snapshot("verify_modified_catalogue", &output, repo.path());
    // With the same overlay, the verifier trusts it.
    let output = verify(repo.path(), &report, &public, &["--suites", "overlay"]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
}

#[test]
fn signing_needs_a_private_key_and_never_echoes_it() {
    let repo = repository();
    let (_, public) = keygen(repo.path(), "signer");
    let output = run_in(
        repo.path(),
        &["check", "--sign-key", public.to_str().expect("utf-8")],
    );
    assert_eq!(output.status.code(), Some(2));
    assert_transcript_snapshot("sign_with_public_key", &output, repo.path());
    let reports = std::fs::read_dir(repo.path().join("reports"))
        .expect("reports")
        .count();
    assert_eq!(reports, 1, "nothing written when the key is wrong");
}

#[test]
fn signing_without_a_json_report_is_refused_before_anything_is_written() {
    let repo = repository();
    let (private, _) = keygen(repo.path(), "signer");
    let reports_before = std::fs::read_dir(repo.path().join("reports"))
        .expect("reports")
        .count();
    let output = run_in(
        repo.path(),
        &[
            "validate",
            "payloads",
            "--sign-key",
            private.to_str().expect("utf-8"),
            "--report",
            "html=reports/signed.html",
        ],
    );
    common::expect_exit(&output, 2);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("add --report json=PATH"),
        "{}",
        transcript(&output)
    );
    let reports_after = std::fs::read_dir(repo.path().join("reports"))
        .expect("reports")
        .count();
    assert_eq!(reports_before, reports_after, "no report is written");
}

#[test]
fn the_pinned_time_is_used() {
    let repo = repository();
    let output = run_in(repo.path(), &["check", "--quiet"]);
    assert_eq!(output.status.code(), Some(1));
    let json = read(repo.path().join("reports/cityconform.json"));
    let epoch: i64 = PINNED_EPOCH.parse().expect("number");
    let time = chrono::DateTime::from_timestamp(epoch, 0).expect("time");
    assert!(json.contains(&time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)));
}

#[test]
fn validate_signs_too_and_its_report_verifies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (private, public) = keygen(dir.path(), "signer");
    let report = dir.path().join("validate.json");
    let output = common::run(&[
        "validate",
        "fixtures/payloads/valid/mobility-trip.json",
        "--profile",
        "kr",
        "--quiet",
        "--sign-key",
        private.to_str().expect("utf-8"),
        "--report",
        &format!("json={}", report.display()),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let json: serde_json::Value = serde_json::from_str(&read(report.clone())).expect("JSON");
    assert!(
        json["provenance"]["inputs"]["fixtures/payloads/valid/mobility-trip.json"].is_string(),
        "the input is digested: {}",
        json["provenance"]
    );
    let output = verify(&common::root(), &report, &public, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
}

#[test]
fn every_command_signs_and_its_report_verifies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (private, public) = keygen(dir.path(), "signer");
    let private = private.to_str().expect("utf-8").to_owned();
    let mut commands: Vec<(&str, Vec<&str>)> = vec![
        (
            "dataset",
            vec![
                "dataset",
                "fixtures/datasets/pass-all.csv",
                "--descriptor",
                "fixtures/datasets/trips.toml",
                "-p",
                "kr",
            ],
        ),
        (
            "flows",
            vec![
                "flows",
                "fixtures/flows/air-quality-open-data.json",
                "-p",
                "eu",
            ],
        ),
    ];
    if cfg!(feature = "reference") {
        commands.push(("demo", vec!["demo", "-p", "kr"]));
    }
    for (name, args) in commands {
        let report = dir.path().join(format!("{name}.json"));
        let target = format!("json={}", report.display());
        let mut args = args;
        args.extend(["--quiet", "--sign-key", &private, "--report", &target]);
        let output = common::run(&args);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}",
            transcript(&output)
        );
        let json: serde_json::Value = serde_json::from_str(&read(report.clone())).expect("JSON");
        assert!(json["signature"].is_object(), "{name} signs its report");
        let output = verify(&common::root(), &report, &public, &[]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{name}: {}",
            transcript(&output)
        );
    }
}

#[test]
fn a_report_made_with_a_modified_requirement_catalogue_is_caught() {
    let repo = repository();
    let catalogue = read(common::root().join("suites/catalogue/payload.toml"));
    let weakened = catalogue.replacen("level = \"MUST\"", "level = \"MAY\"", 1);
    assert_ne!(weakened, catalogue, "the catalogue has a MUST to weaken");
    let (report, public) =
        signed_check_with_overlay(repo.path(), "catalogue/payload.toml", &weakened);
    let output = verify(repo.path(), &report, &public, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_transcript_snapshot("verify_modified_requirements", &output, repo.path());
}

#[test]
fn a_report_made_with_a_modified_list_is_caught_and_shows_the_list_in_force() {
    // An overlay that makes the kr profile recognise a country as
    // adequate: the catalogue and profiles are untouched.
    let repo = repository();
    let list = read(common::root().join("suites/lists/kr-adequacy.toml"));
    let widened = list.replacen("items = []", "items = [\"US\"]", 1);
    assert_ne!(
        widened, list,
        "the bundled list is empty, so any item widens it"
    );
    let (report, public) =
        signed_check_with_overlay(repo.path(), "lists/kr-adequacy.toml", &widened);
    // The report shows the members the transfer rule ran with, and the
    // list they came from.
    let json: serde_json::Value = serde_json::from_str(&read(report.clone())).expect("JSON");
    let kr = json["profiles"]
        .as_array()
        .expect("profiles")
        .iter()
        .find(|p| p["id"] == "kr")
        .expect("kr");
    let transfer = kr["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["requirement"] == "FLOW-XBORDER-01")
        .expect("the transfer requirement");
    assert_eq!(transfer["params"]["adequate"], serde_json::json!(["US"]));
    assert_eq!(
        transfer["lists"]["adequate"],
        serde_json::json!(["@kr-adequacy"])
    );
    let errors = common::schema_errors(&common::report_validator(), &json);
    assert!(errors.is_empty(), "{errors}");
    // Verified against the bundled suites: the list file is not a trusted one.
    let output = verify(repo.path(), &report, &public, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_transcript_snapshot("verify_modified_list", &output, repo.path());
    let output = verify(repo.path(), &report, &public, &["--suites", "overlay"]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
}

#[cfg(feature = "reference")]
#[test]
fn a_report_made_with_a_relaxed_live_case_is_caught() {
    // The reference platform, audited with an overlay case that accepts
    // any CORS origin but `*`; it serves on `runtime` until the test ends.
    let runtime = cityconform::harness::runtime().expect("a runtime starts");
    let reference = runtime
        .block_on(RunningReference::start(&ReferenceOptions {
            tls: true,
            ..ReferenceOptions::default()
        }))
        .expect("the reference platform starts on loopback");
    let dir = tempfile::tempdir().expect("temp dir");
    let target = reference.write_target(dir.path()).expect("target written");
    let overlay = dir.path().join("overlay");
    std::fs::create_dir_all(overlay.join("live")).expect("mkdir");
    std::fs::write(overlay.join("live/relaxed.toml"), RELAXED_CASE).expect("write overlay");
    let (private, public) = keygen(dir.path(), "signer");
    let report = dir.path().join("audit.json");
    let output = common::run(&[
        "audit",
        "--target",
        target.to_str().expect("utf-8"),
        "-p",
        "kr",
        "--suites",
        overlay.to_str().expect("utf-8"),
        "--quiet",
        "--sign-key",
        private.to_str().expect("utf-8"),
        "--report",
        &format!("json={}", report.display()),
    ]);
    reference.stop();
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let json: serde_json::Value = serde_json::from_str(&read(report.clone())).expect("JSON");
    let provenance = &json["provenance"];
    assert!(provenance["live_cases"]["suites/live/api.toml"].is_string());
    assert!(
        provenance["inputs"][target.display().to_string()].is_string(),
        "the target file is digested: {provenance}"
    );
    let output = verify(dir.path(), &report, &public, &[]);
    assert_eq!(output.status.code(), Some(1));
    assert_transcript_snapshot("verify_relaxed_live_case", &output, dir.path());
    let output = verify(
        dir.path(),
        &report,
        &public,
        &["--suites", overlay.to_str().expect("utf-8")],
    );
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
}

/// `collection-cors` of `suites/live/api.toml`, relaxed: an origin echoed
/// back passes.
#[cfg(feature = "reference")]
const RELAXED_CASE: &str = r#"[[case]]
id = "collection-cors"
title = "An untrusted origin is not allowed"
each = "endpoint"
request = { method = "GET", path = "{endpoint}", as = "a", headers = { Origin = "https://untrusted.example" } }
expect = [
  { requirement = "SEC-CORS-01", header = "access-control-allow-origin", not_in = ["*"] },
]
"#;

/// Writes `text` as `overlay/name` in the repository, makes the config use
/// the overlay, and runs a signed `check` (not met: the fixture's expired
/// waiver); returns the JSON report and the public key.
fn signed_check_with_overlay(repo: &Path, name: &str, text: &str) -> (PathBuf, PathBuf) {
    let file = repo.join("overlay").join(name);
    std::fs::create_dir_all(file.parent().expect("overlay folder")).expect("mkdir");
    std::fs::write(&file, text).expect("write overlay");
    edit(
        &repo.join("cityconform.toml"),
        "profiles = [\"baseline\", \"kr\"]",
        "profiles = [\"baseline\", \"kr\"]\nsuites = [\"overlay\"]",
    );
    let (private, public) = keygen(repo, "signer");
    let output = run_in(
        repo,
        &[
            "check",
            "--quiet",
            "--sign-key",
            private.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    (repo.join("reports/cityconform.json"), public)
}

/// Runs `git args` in `dir`.
fn git(dir: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

/// The pre-commit hook checks only what `cityconform.toml` names, as
/// staged: a `package.json` beside the payloads never blocks a commit, a
/// staged payload that breaks a requirement does, and a repository without
/// a configuration is left alone with a word.
#[test]
fn the_pre_commit_hook_example_checks_only_the_files_the_configuration_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    git(dir.path(), &["init", "-q"]);
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_cityconform"));
    let path = std::env::join_paths(
        std::iter::once(binary.parent().expect("bin dir").to_path_buf()).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ),
    )
    .expect("PATH");
    let hook = common::root().join("docs/ci/pre-commit");
    let run_hook = || {
        std::process::Command::new("sh")
            .arg(&hook)
            .current_dir(dir.path())
            .env("PATH", &path)
            .output()
            .expect("the hook runs")
    };
    std::fs::write(
        dir.path().join("package.json"),
        "{\"name\": \"city\", \"private\": true}",
    )
    .expect("write");
    git(dir.path(), &["add", "."]);
    let unconfigured = run_hook();
    let text = common::expect_exit(&unconfigured, 0);
    assert!(text.contains("no cityconform.toml"), "{text}");

    std::fs::create_dir_all(dir.path().join("payloads")).expect("mkdir");
    std::fs::copy(
        common::root().join("fixtures/payloads/valid/mobility-trip.json"),
        dir.path().join("payloads/a trip.json"),
    )
    .expect("copy");
    std::fs::write(
        dir.path().join("cityconform.toml"),
        "profiles = [\"baseline\"]\n[payloads]\npaths = [\"payloads\"]\n[reports]\njunit = \"reports/cityconform.junit.xml\"\n",
    )
    .expect("write config");
    git(dir.path(), &["add", "."]);
    let clean = run_hook();
    let text = common::expect_exit(&clean, 0);
    assert!(!text.contains("package.json"), "{text}");

    // A package.json alone is nobody's payload: nothing to check.
    git(
        dir.path(),
        &[
            "-c",
            "user.name=Platform team",
            "-c",
            "user.email=platform@example.org",
            "commit",
            "-q",
            "-m",
            "payloads",
            "--no-verify",
        ],
    );
    std::fs::write(
        dir.path().join("package.json"),
        "{\"name\": \"city\", \"version\": \"2.0.0\"}",
    )
    .expect("write");
    git(dir.path(), &["add", "package.json"]);
    let text = common::expect_exit(&run_hook(), 0);
    assert!(text.contains("nothing to check"), "{text}");

    std::fs::copy(
        common::root().join("fixtures/payloads/invalid/id-email.json"),
        dir.path().join("payloads/contact.json"),
    )
    .expect("copy");
    git(dir.path(), &["add", "."]);
    let blocked = run_hook();
    common::expect_exit(&blocked, 1);
    assert!(String::from_utf8_lossy(&blocked.stdout).contains("ANON-ID-VALUE-01"));
}

/// The verdict tables, findings and totals of a report: what must not
/// depend on whether a job came from flags or from `cityconform.toml`.
fn verdicts(report: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "profiles": report["profiles"],
        "findings": report["findings"].as_array().map(Vec::len),
        "met": report["summary"]["met"],
        "datasets": report["datasets"],
    })
}

/// A job is the same whether it comes from flags or from the
/// configuration: payloads checked against a declaration, dataset roles
/// from a schema narrowed to some requirements, each give the same
/// verdicts through `check` as through their own command.
#[test]
fn flags_and_configuration_run_the_same_jobs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = common::root();
    for (from, to) in [
        ("fixtures/flows/payloads/covered.json", "covered.json"),
        (
            "fixtures/flows/mobility-analytics-university.json",
            "flows.json",
        ),
        ("fixtures/datasets/trips-fail.ndjson", "trips.ndjson"),
    ] {
        std::fs::copy(root.join(from), dir.path().join(to)).expect("copy fixture");
    }
    let cases: [(&str, Vec<&str>); 2] = [
        (
            "profiles = [\"kr\"]\n[payloads]\npaths = [\"covered.json\"]\ndeclaration = \"flows.json\"\nrequirements = [\"FLOW-PAYLOAD-01\"]\n",
            vec![
                "validate",
                "covered.json",
                "--declaration",
                "flows.json",
                "-r",
                "FLOW-PAYLOAD-01",
                "-p",
                "kr",
            ],
        ),
        (
            "profiles = [\"kr\"]\n[[datasets]]\ndata = \"trips.ndjson\"\nschema = \"MobilityTrip\"\nrequirements = [\"ANON-KANON-01\", \"ANON-ID-VALUE-01\"]\n",
            vec![
                "dataset",
                "trips.ndjson",
                "--schema",
                "MobilityTrip",
                "-r",
                "ANON-KANON-01",
                "-r",
                "ANON-ID-VALUE-01",
                "-p",
                "kr",
            ],
        ),
    ];
    for (config, flags) in cases {
        std::fs::write(dir.path().join("cityconform.toml"), config).expect("config");
        let mut with_format = flags.clone();
        with_format.extend(["--format", "json"]);
        let direct = run_in(dir.path(), &with_format);
        let checked = run_in(dir.path(), &["check", "--format", "json"]);
        assert_eq!(
            direct.status.code(),
            checked.status.code(),
            "{}\n{}",
            transcript(&direct),
            transcript(&checked)
        );
        let direct = common::json_report(&direct);
        let checked = common::json_report(&checked);
        assert!(
            direct["profiles"][0]["results"]
                .as_array()
                .is_some_and(|r| !r.is_empty()),
            "the job decided nothing: {direct}"
        );
        assert_eq!(verdicts(&direct), verdicts(&checked), "{config}");
    }
}

/// A run of several datasets and declarations keeps every summary and
/// every matrix, each named by its input, in job order.
#[test]
fn every_dataset_summary_and_matrix_is_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = common::root();
    for (from, to) in [
        ("fixtures/datasets/fail-kanon.csv", "a.csv"),
        ("fixtures/datasets/pass-all.csv", "b.csv"),
        ("fixtures/datasets/trips.toml", "trips.toml"),
        ("fixtures/flows/offshore-backup.toml", "one.toml"),
        (
            "fixtures/flows/mobility-analytics-university.json",
            "two.json",
        ),
    ] {
        std::fs::copy(root.join(from), dir.path().join(to)).expect("copy fixture");
    }
    std::fs::write(
        dir.path().join("cityconform.toml"),
        "profiles = [\"kr\", \"eu\"]\n\
         [[datasets]]\ndata = \"a.csv\"\ndescriptor = \"trips.toml\"\n\
         [[datasets]]\ndata = \"b.csv\"\ndescriptor = \"trips.toml\"\n\
         [[declarations]]\npath = \"one.toml\"\n\
         [[declarations]]\npath = \"two.json\"\n",
    )
    .expect("config");
    let output = run_in(dir.path(), &["check", "--format", "json"]);
    let report = common::json_report(&output);
    let named = |key: &str, field: &str| -> Vec<String> {
        report[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| item[field].as_str())
            .filter_map(|path| Path::new(path).file_name()?.to_str().map(str::to_owned))
            .collect()
    };
    assert_eq!(named("datasets", "input"), ["a.csv", "b.csv"], "{report}");
    assert_eq!(
        named("matrices", "declaration"),
        ["one.toml", "two.json"],
        "{report}"
    );
    let k: Vec<u64> = report["datasets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["k"].as_u64())
        .collect();
    assert_eq!(k.len(), 2, "both datasets measured: {report}");
    assert_ne!(k[0], k[1], "each summary is its own dataset's: {k:?}");
}

/// `keep_findings` in the configuration caps the findings listed per
/// (profile, requirement) of the merged report, whichever job found them;
/// the counts stay exact and every format says how many were left out.
#[test]
fn keep_findings_from_the_configuration_caps_the_merged_report_in_every_format() {
    let repo = repository();
    let config = repo.path().join("cityconform.toml");
    edit(
        &config,
        "profiles = [\"baseline\", \"kr\"]",
        "profiles = [\"baseline\", \"kr\"]\nkeep_findings = 1",
    );
    // Two more feeds that break the same requirements.
    for copy in ["a.json", "b.json"] {
        std::fs::copy(
            common::root().join("fixtures/payloads/invalid/id-email.json"),
            repo.path().join("payloads/live").join(copy),
        )
        .expect("copy a payload");
    }
    let output = run_in(repo.path(), &["check", "--quiet"]);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    let json: serde_json::Value =
        serde_json::from_str(&read(repo.path().join("reports/cityconform.json"))).expect("JSON");
    let findings = json["findings"].as_array().cloned().unwrap_or_default();
    let mut left_out = 0;
    for profile in json["profiles"].as_array().into_iter().flatten() {
        let id = profile["id"].as_str().unwrap_or_default();
        for result in profile["results"].as_array().into_iter().flatten() {
            let requirement = &result["requirement"];
            let listed = findings
                .iter()
                .filter(|f| &f["requirement"] == requirement && f["verdicts"].get(id).is_some())
                .count();
            assert!(listed <= 1, "{id} {requirement}: {listed} listed");
            left_out += result["findings_left_out"].as_u64().unwrap_or(0);
        }
    }
    let total = json["summary"]["findings_left_out"].as_u64().unwrap_or(0);
    assert!(left_out > 0 && total > 0, "nothing was left out: {json:#}");

    let sarif: serde_json::Value =
        serde_json::from_str(&read(repo.path().join("reports/cityconform.sarif"))).expect("SARIF");
    assert_eq!(sarif["runs"][0]["properties"]["findingsLeftOut"], total);
    let notified = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|n| {
            n["message"]["text"].as_str().is_some_and(|t| {
                let noun = if total == 1 { "finding" } else { "findings" };
                t.starts_with(&format!("{total} more {noun} counted"))
            })
        });
    assert!(notified, "SARIF does not say findings were left out");
    let errors = common::schema_errors(&common::sarif_validator(), &sarif);
    assert!(errors.is_empty(), "{errors}");
    for report in [
        "cityconform.junit.xml",
        "cityconform.md",
        "cityconform.html",
    ] {
        let text = read(repo.path().join("reports").join(report));
        assert!(
            text.contains("counted but not listed"),
            "{report} does not say findings were left out"
        );
    }
}

/// `cityconform.toml` with `line` added before its first table.
fn with_top_line(repo: &Path, line: &str) {
    let path = repo.join("cityconform.toml");
    let text = read(path.clone());
    std::fs::write(&path, format!("{line}\n{text}")).expect("write");
}

#[test]
fn the_configuration_sets_the_evaluation_date_and_the_flag_overrides_it() {
    let repo = repository();
    with_top_line(repo.path(), "as_of = 2026-01-01");
    let as_of = |extra: &[&str]| {
        let mut args = vec!["check", "--quiet"];
        args.extend_from_slice(extra);
        let output = run_in(repo.path(), &args);
        assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
        let json: serde_json::Value =
            serde_json::from_str(&read(repo.path().join("reports/cityconform.json")))
                .expect("JSON");
        json["law"]["as_of"].as_str().expect("a date").to_owned()
    };
    assert_eq!(as_of(&[]), "2026-01-01");
    assert_eq!(as_of(&["--as-of", "2025-06-30"]), "2025-06-30");
}

#[test]
fn an_evaluation_date_that_is_no_calendar_day_is_reported_at_its_line() {
    let repo = repository();
    with_top_line(repo.path(), "as_of = \"2026-02-30\"");
    let output = run_in(repo.path(), &["check"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("`2026-02-30` is not an ISO 8601 date such as 2026-01-31")
            && stderr.contains("cityconform.toml:1:"),
        "{stderr}"
    );
    assert!(
        !repo.path().join("reports/cityconform.json").exists(),
        "nothing is written"
    );
}

/// `check` without --config finds `cityconform.toml` in a folder above,
/// as git finds its repository, and `CITYCONFORM_CONFIG` names another;
/// the report's paths stay relative either way.
#[test]
fn check_finds_its_configuration_above_or_where_the_environment_says() {
    let repo = repository();
    let below = repo.path().join("payloads/live");
    let output = run_in(&below, &["check", "--format", "json"]);
    common::expect_exit(&output, 1);
    let report = common::json_report(&output);
    let first = report["inputs"][0]["path"].as_str().expect("an input");
    assert!(first.starts_with("../../payloads/"), "{first}");

    std::fs::write(
        repo.path().join("live-only.toml"),
        "profiles = [\"baseline\"]\n[payloads]\npaths = [\"payloads/live\"]\n",
    )
    .expect("write");
    let output = common::cityconform(&["check", "--format", "json"])
        .current_dir(repo.path())
        .env("CITYCONFORM_CONFIG", "live-only.toml")
        .output()
        .expect("the binary runs");
    common::expect_exit(&output, 0);
    let report = common::json_report(&output);
    assert_eq!(report["profiles"].as_array().map(Vec::len), Some(1));
}
