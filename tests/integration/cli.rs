//! The binary's behaviour on bad input and bad usage: every case exits 2
//! with a message that names the file, line or field and what to do, never
//! panics, and writes no report file.

use crate::common::{self, expect_exit, run, transcript};

/// Runs `args` and snapshots the whole transcript under `name`, after
/// checking the exit code is `expected`.
fn check(name: &str, args: &[&str], expected: i32) {
    let output = run(args);
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(expected), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    insta::assert_snapshot!(name, text);
}

#[test]
fn invalid_json_names_the_file_and_line() {
    check(
        "invalid_json",
        &[
            "validate",
            "fixtures/malformed/invalid-json.json",
            "--max-findings",
            "5",
        ],
        2,
    );
}

#[test]
fn truncated_ndjson_checks_the_good_lines_and_names_the_truncated_one() {
    check(
        "truncated_ndjson",
        &[
            "validate",
            "fixtures/malformed/truncated.ndjson",
            "-r",
            "PAY-SCHEMA-01",
        ],
        2,
    );
}

#[test]
fn invalid_utf8_is_named_as_such() {
    check(
        "invalid_utf8",
        &[
            "validate",
            "fixtures/malformed/invalid-utf8.ndjson",
            "-r",
            "PAY-SCHEMA-01",
        ],
        2,
    );
}

#[test]
fn unknown_type_says_how_to_add_a_schema() {
    check(
        "unknown_type",
        &[
            "validate",
            "fixtures/malformed/unknown-type.json",
            "-r",
            "PAY-SCHEMA-01",
        ],
        2,
    );
}

#[test]
fn empty_input_is_not_evidence() {
    check(
        "empty_input",
        &["validate", "fixtures/malformed/empty.ndjson"],
        2,
    );
}

#[test]
fn a_schema_with_a_broken_ref_is_refused_before_any_record() {
    check(
        "broken_ref",
        &[
            "validate",
            "fixtures/malformed/streetlight.json",
            "--schema-dir",
            "fixtures/malformed/broken-ref-schema",
        ],
        2,
    );
}

#[test]
fn a_bad_level_in_a_suite_names_file_line_and_field() {
    check(
        "suite_bad_level",
        &[
            "requirements",
            "--suites",
            "fixtures/malformed/suites-bad-level",
        ],
        2,
    );
}

#[test]
fn a_profile_selecting_an_unknown_requirement_names_file_and_line() {
    check(
        "suite_unknown_requirement",
        &[
            "profiles",
            "--suites",
            "fixtures/malformed/suites-unknown-requirement",
        ],
        2,
    );
}

#[test]
fn an_unknown_parameter_names_the_profile_file_and_line() {
    check(
        "suite_bad_param",
        &[
            "validate",
            "fixtures/payloads/valid",
            "--suites",
            "fixtures/malformed/suites-bad-param",
            "--profile",
            "strict",
        ],
        2,
    );
}

#[test]
fn an_unknown_profile_lists_the_known_ones() {
    check(
        "unknown_profile",
        &["validate", "fixtures/payloads/valid", "--profile", "mars"],
        2,
    );
}

#[test]
fn an_unknown_requirement_filter_is_refused() {
    check(
        "unknown_requirement",
        &["validate", "fixtures/payloads/valid", "-r", "SEC-NOPE-01"],
        2,
    );
}

#[test]
fn a_missing_path_is_refused() {
    check("missing_path", &["validate", "fixtures/does-not-exist"], 2);
}

#[test]
fn a_bad_report_argument_is_a_usage_error() {
    check(
        "bad_report_arg",
        &[
            "validate",
            "fixtures/payloads/valid",
            "--report",
            "pdf=out.pdf",
        ],
        2,
    );
}

/// A CI job writes `reports/…` on a fresh clone: a missing report folder
/// is made. A file standing where the folder should be is refused before
/// the run, naming it.
#[test]
fn a_missing_report_folder_is_made_and_a_file_in_its_way_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("reports/nested/r.json");
    let output = run(&[
        "validate",
        "fixtures/payloads/valid",
        "--quiet",
        "--report",
        &format!("json={}", report.display()),
    ]);
    common::expect_exit(&output, 0);
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).expect("report written"))
            .expect("JSON");
    assert_eq!(json["summary"]["met"], true);

    std::fs::write(dir.path().join("blocked"), "a file").expect("write");
    let output = run(&[
        "validate",
        "fixtures/payloads/valid",
        "--report",
        &format!("json={}", dir.path().join("blocked/r.json").display()),
    ]);
    let text = common::expect_exit(&output, 2).replace(&dir.path().display().to_string(), "[dir]");
    insta::assert_snapshot!("report_folder_blocked_by_a_file", text);
}

#[test]
fn no_report_file_is_left_when_the_input_is_bad() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = dir.path().join("report.json");
    let arg = format!("json={}", report.display());
    let output = run(&[
        "validate",
        "fixtures/malformed/empty.ndjson",
        "--report",
        &arg,
    ]);
    assert_eq!(output.status.code(), Some(2));
    let left: Vec<_> = std::fs::read_dir(dir.path()).expect("readable").collect();
    assert!(left.is_empty(), "nothing may be written: {left:?}");
}

#[test]
fn help_documents_the_exit_codes() {
    let output = run(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stdout);
    for line in [
        "0  every selected profile is met",
        "1  a MUST requirement failed",
        "2  bad input or usage",
        "3  internal error",
    ] {
        assert!(text.contains(line), "help lacks `{line}`:\n{text}");
    }
}

#[test]
fn requirement_and_profile_listings() {
    check("requirements_list", &["requirements"], 0);
    check(
        "requirements_show",
        &["requirements", "show", "ANON-LOC-PRECISION-01"],
        0,
    );
    check("profiles_list", &["profiles"], 0);
    check("profiles_show_kr", &["profiles", "show", "kr"], 0);
    check(
        "requirements_show_unknown",
        &["requirements", "show", "NOPE-01"],
        2,
    );
}

/// The exit rule: a run that started writes every report whole, and a
/// record in it that could not be read makes it exit 2. `--quiet` drops
/// the summary, never the errors (standard error) nor a `--format` asked
/// for.
#[test]
fn a_quiet_run_with_an_unreadable_record_says_why_and_writes_every_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("r.json");
    let junit = dir.path().join("r.junit.xml");
    let output = run(&[
        "validate",
        "fixtures/malformed/invalid-json.json",
        "fixtures/payloads/valid",
        "--quiet",
        "--report",
        &format!("json={}", json.display()),
        "--report",
        &format!("junit={}", junit.display()),
    ]);
    let text = common::expect_exit(&output, 2);
    assert!(output.stdout.is_empty(), "{text}");
    insta::assert_snapshot!("quiet_run_with_an_unreadable_record", text);
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("JSON report")).expect("JSON");
    assert_eq!(report["summary"]["input_errors"], 1);
    let junit = std::fs::read_to_string(&junit).expect("JUnit report");
    assert!(junit.trim_end().ends_with("</testsuites>"), "{junit}");

    let output = run(&[
        "validate",
        "fixtures/payloads/valid",
        "--quiet",
        "--format",
        "json",
    ]);
    common::expect_exit(&output, 0);
    let report = common::json_report(&output);
    assert_eq!(report["summary"]["met"], true);
    assert!(output.stderr.is_empty());
}

/// `validate -` reads NDJSON from standard input with the same verdicts
/// and findings as the file, named `<stdin>`; a signed report, which
/// digests its inputs, refuses it.
#[test]
fn validate_reads_ndjson_from_standard_input() {
    use std::io::Write;
    let file = "fixtures/payloads/invalid/mixed-failures.ndjson";
    let mut child = common::cityconform(&["validate", "-", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let bytes = std::fs::read(common::root().join(file)).expect("fixture");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&bytes)
        .expect("write stdin");
    let piped = child.wait_with_output().expect("the binary runs");
    let direct = run(&["validate", file, "--format", "json"]);
    common::expect_exit(&piped, direct.status.code().expect("exit code"));
    let (piped, direct) = (common::json_report(&piped), common::json_report(&direct));
    assert_eq!(piped["profiles"], direct["profiles"]);
    assert_eq!(piped["inputs"][0]["path"], "<stdin>");
    assert_eq!(
        piped["inputs"][0]["records"],
        direct["inputs"][0]["records"]
    );
    let messages = |report: &serde_json::Value| -> Vec<serde_json::Value> {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| serde_json::json!([f["requirement"], f["location"]["line"], f["message"]]))
            .collect()
    };
    assert_eq!(messages(&piped), messages(&direct));

    let signed = run(&["validate", "-", "--sign-key", "any.key", "--format", "json"]);
    let text = common::expect_exit(&signed, 2);
    assert!(
        text.contains("standard input cannot be read twice"),
        "{text}"
    );
}

/// The completion script is generated from the options the binary parses:
/// bash accepts its syntax and it offers the subcommands and their
/// options; the man page names every subcommand and one subcommand's page
/// its options.
#[test]
fn completions_and_man_pages_come_from_the_parsed_options() {
    let output = run(&["completions", "bash"]);
    common::expect_exit(&output, 0);
    let script = String::from_utf8_lossy(&output.stdout).into_owned();
    for word in [
        "validate",
        "dataset",
        "--as-of",
        "--sign-key",
        "completions",
    ] {
        assert!(script.contains(word), "the script offers `{word}`");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("cityconform.bash");
    std::fs::write(&file, &script).expect("write");
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&file)
        .output()
        .expect("bash runs");
    assert!(syntax.status.success(), "{}", transcript(&syntax));

    let page = run(&["manpage"]);
    let page = common::expect_exit(&page, 0);
    assert!(page.contains(".TH cityconform 1"), "{page}");
    for command in ["validate", "dataset", "flows", "audit", "check", "verify"] {
        assert!(
            page.contains(&format!("cityconform\\-{command}(1)")),
            "the page lists {command}"
        );
    }
    let validate = run(&["manpage", "validate"]);
    let validate = common::expect_exit(&validate, 0);
    assert!(
        validate.contains(".TH cityconform-validate 1"),
        "{validate}"
    );
    assert!(validate.contains("\\-\\-representation"), "{validate}");
    common::expect_exit(&run(&["manpage", "nope"]), 2);
}

/// Profiles and requirement IDs are matched whatever their case when only
/// one fits, and reported as the catalogue spells them; a likely typo gets
/// the closest name.
#[test]
fn names_match_whatever_their_case_and_typos_get_the_closest_name() {
    let upper = run(&[
        "validate",
        "fixtures/payloads/invalid/id-email.json",
        "-p",
        "KR",
        "-r",
        "anon-id-value-01",
        "--format",
        "json",
    ]);
    let lower = run(&[
        "validate",
        "fixtures/payloads/invalid/id-email.json",
        "-p",
        "kr",
        "-r",
        "ANON-ID-VALUE-01",
        "--format",
        "json",
    ]);
    common::expect_exit(&upper, 1);
    assert_eq!(
        common::json_report(&upper)["profiles"],
        common::json_report(&lower)["profiles"]
    );
    check(
        "misspelt_profile",
        &["validate", "fixtures/payloads/valid", "-p", "kor"],
        2,
    );
    check(
        "misspelt_requirement",
        &[
            "validate",
            "fixtures/payloads/valid",
            "-r",
            "ANON-ID-VALUE-1",
        ],
        2,
    );
}

/// The formats error messages refer to are printed by the tool itself, so
/// a user without the sources can read them; a misspelt name gets the
/// closest one.
#[test]
fn the_tools_own_formats_are_printed_by_name() {
    for name in ["config", "target", "dataset-descriptor", "declaration"] {
        let output = run(&["schemas", "--tool", name]);
        common::expect_exit(&output, 0);
        let schema: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let committed: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(
                common::root().join(format!("schemas/tool/{name}.schema.json")),
            )
            .expect("committed schema"),
        )
        .expect("JSON");
        assert_eq!(schema, committed, "{name}");
    }
    check("tool_schema_misspelt", &["schemas", "--tool", "confg"], 2);
}

/// Every file a help text's examples name under `fixtures/` exists, so
/// that a newcomer can run the example as written.
#[test]
fn help_examples_name_fixtures_that_exist() {
    let top = run(&["--help"]);
    let text = String::from_utf8_lossy(&top.stdout).into_owned();
    let commands: Vec<String> = text
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() > 10, "{text}");
    let fixture = regex::Regex::new(r"fixtures/[A-Za-z0-9_./-]+").expect("regex");
    let mut named = 0;
    for command in &commands {
        let help = run(&[command.as_str(), "--help"]);
        for found in fixture.find_iter(&String::from_utf8_lossy(&help.stdout)) {
            let path = found.as_str().trim_end_matches('.');
            assert!(
                common::root().join(path).exists(),
                "`{command} --help` names `{path}`, which does not exist"
            );
            named += 1;
        }
    }
    assert!(named > 0, "no help text names a fixture");
}

#[test]
fn options_before_the_command_mean_what_they_mean_after_it() {
    let args = ["fixtures/datasets/trips-fail.ndjson", "-p", "kr"];
    let after = run(&[
        &["validate"][..],
        &args,
        &["--format", "json", "--suites", "fixtures/check"],
    ]
    .concat());
    let before = run(&[
        &["--format", "json", "--suites", "fixtures/check", "validate"][..],
        &args,
    ]
    .concat());
    expect_exit(&before, 1);
    assert_eq!(before.stdout, after.stdout);
    assert_eq!(before.status.code(), after.status.code());
    // A command that takes no such option still refuses it.
    let refused = run(&["--format", "json", "keygen", "x"]);
    let text = expect_exit(&refused, 2);
    assert!(text.contains("unexpected argument '--format'"), "{text}");
}

#[test]
fn verdicts_per_profile_follow_the_order_the_profiles_were_named_in() {
    let in_format = |format: &str| {
        let output = run(&[
            "validate",
            "fixtures/datasets/trips-fail.ndjson",
            "-p",
            "kr",
            "-p",
            "baseline",
            "-r",
            "ANON-LOC-PRECISION-01",
            "--format",
            format,
        ]);
        expect_exit(&output, 1)
    };
    let text = in_format("text");
    assert!(text.contains("[kr: fail, baseline: warn]"), "{text}");
    let github = in_format("github");
    assert!(github.contains("(kr: fail, baseline: warn)"), "{github}");
}
