//! Problems in the tool's own files show the offending line with a caret
//! under the key or value at fault: one test per kind of file (suite,
//! live case, configuration, target, dataset descriptor, data-flow
//! declaration in JSON and in TOML). Problems in datasets keep a line and a
//! column and never show content.

use std::path::Path;
use std::process::Output;

use crate::common::{self, transcript};

/// Each snippet in `stderr`, as its location (`file:line:column`) and the
/// text its carets stand under. Checks on the way that the location's
/// line and column are those of the numbered line and of the first caret.
fn marks(stderr: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut found = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(location) = line
            .trim_start()
            .strip_prefix(",-[")
            .and_then(|l| l.strip_suffix(']'))
        else {
            continue;
        };
        let (source, carets) = (lines[i + 1], lines[i + 2]);
        let bar = source.find(" | ").expect("a numbered source line") + 3;
        assert_eq!(
            carets.get(bar - 2..bar),
            Some(": "),
            "the caret line follows the source line: {stderr}"
        );
        let text: Vec<char> = source[bar..].chars().collect();
        let under: Vec<char> = carets[bar..].chars().collect();
        let first = under
            .iter()
            .position(|&c| c == '^')
            .expect("a caret under the line");
        let last = under.iter().rposition(|&c| c == '^').unwrap_or(first);
        assert!(
            under[first..=last].iter().all(|&c| c == '^') && last < text.len(),
            "one run of carets within the line: {stderr}"
        );
        let mut parts = location.rsplitn(3, ':');
        let column: usize = parts.next().and_then(|c| c.parse().ok()).expect("a column");
        let number: usize = parts.next().and_then(|l| l.parse().ok()).expect("a line");
        assert_eq!(
            source[..bar - 3].trim().parse::<usize>().ok(),
            Some(number),
            "the location's line is the one shown: {stderr}"
        );
        assert_eq!(
            column,
            first + 1,
            "the location's column is the caret's: {stderr}"
        );
        found.push((location.to_owned(), text[first..=last].iter().collect()));
    }
    found
}

fn refused(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(2), "{}", transcript(output));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    common::cityconform(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn pair(location: &str, under: &str) -> (String, String) {
    (location.to_owned(), under.to_owned())
}

#[test]
fn a_suite_file_marks_the_bad_value_and_the_unknown_key() {
    let stderr = refused(&common::run(&[
        "validate",
        "--suites",
        "fixtures/malformed/suites-bad-level",
        "fixtures/payloads/valid/mobility-trip.json",
    ]));
    assert!(stderr.starts_with("error: at `/requirement/0/level`: value is not one of"));
    assert_eq!(
        marks(&stderr),
        [pair(
            "fixtures/malformed/suites-bad-level/catalogue/extra.toml:5:1",
            "level = \"SHALL\""
        )]
    );
    assert!(stderr.contains("\n  help: see schemas/tool/ for the file format"));
    let stderr = refused(&common::run(&[
        "validate",
        "--suites",
        "fixtures/malformed/suites-unknown-requirement",
        "-p",
        "city",
        "fixtures/payloads/valid/mobility-trip.json",
    ]));
    assert_eq!(
        marks(&stderr),
        [pair(
            "fixtures/malformed/suites-unknown-requirement/profiles/city.toml:6:15",
            "ANON-KANON-99"
        )]
    );
}

#[test]
fn a_live_case_marks_the_requirement_it_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        &dir.path().join("suites/live/extra.toml"),
        "[[case]]\nid = \"extra\"\ntitle = \"One more handshake\"\nprobe = \"tls\"\nexpect = [\n  { requirement = \"SEC-NOPE-01\", handshake_valid = true },\n]\n",
    );
    write(
        &dir.path().join("target.toml"),
        "base_url = \"https://127.0.0.1:9\"\n\n[entities]\npath = \"/e\"\ntypes = [\"ParkingSpot\"]\n\n[auth]\nscheme = \"bearer\"\n\n[tenants.a]\ntoken_env = \"CITYCONFORM_CARET_A\"\nresource = \"/x\"\n\n[tenants.b]\ntoken_env = \"CITYCONFORM_CARET_B\"\nresource = \"/y\"\n",
    );
    let output = common::cityconform(&["audit", "--target", "target.toml", "--suites", "suites"])
        .current_dir(dir.path())
        .env("CITYCONFORM_CARET_A", "token-a-caret")
        .env("CITYCONFORM_CARET_B", "token-b-caret")
        .output()
        .expect("the binary runs");
    let stderr = refused(&output);
    assert!(
        stderr.starts_with("error: at `/case/0/expect/0/requirement`: case `extra` names unknown requirement `SEC-NOPE-01`"),
        "{stderr}"
    );
    assert_eq!(
        marks(&stderr),
        [pair(
            &format!(
                "suites{}live{}extra.toml:6:5",
                std::path::MAIN_SEPARATOR,
                std::path::MAIN_SEPARATOR
            ),
            "requirement = \"SEC-NOPE-01\""
        )]
    );
}

#[test]
fn the_configuration_marks_the_element_and_the_unknown_key() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(&dir.path().join("p.json"), "{}");
    write(
        &dir.path().join("cityconform.toml"),
        "profiles = [\"baseline\", \"atlantis\"]\n\n[payloads]\npaths = [\"p.json\"]\n",
    );
    let stderr = refused(&run_in(dir.path(), &["check"]));
    assert_eq!(
        marks(&stderr),
        [pair("cityconform.toml:1:25", "\"atlantis\"")]
    );
    write(
        &dir.path().join("cityconform.toml"),
        "[payloads]\npaths = [\"p.json\"]\n  schema_dir = \"x\"\n",
    );
    let stderr = refused(&run_in(dir.path(), &["check"]));
    assert!(
        stderr.starts_with("error: at `/payloads/schema_dir`: "),
        "{stderr}"
    );
    assert_eq!(
        marks(&stderr),
        [pair("cityconform.toml:3:3", "schema_dir = \"x\"")]
    );
}

#[test]
fn a_target_marks_the_key_and_never_shows_a_secret() {
    let stderr = refused(&common::run(&[
        "audit",
        "--target",
        "fixtures/targets/secret-in-file.toml",
    ]));
    assert!(!stderr.contains("plain-secret-in-file"), "{stderr}");
    assert_eq!(
        marks(&stderr),
        [
            pair(
                "fixtures/targets/secret-in-file.toml:11:1",
                "token = \"***\""
            ),
            pair("fixtures/targets/secret-in-file.toml:10:10", "a"),
        ]
    );
    let stderr = refused(&common::run(&[
        "audit",
        "--target",
        "fixtures/targets/token-env-unset.toml",
    ]));
    assert_eq!(
        marks(&stderr),
        [pair(
            "fixtures/targets/token-env-unset.toml:11:1",
            "token_env = \"CITYCONFORM_TEST_UNSET_A\""
        )]
    );
}

#[test]
fn a_dataset_descriptor_marks_the_table_and_the_bad_value() {
    let stderr = refused(&common::run(&[
        "dataset",
        "fixtures/datasets/pass-all.csv",
        "--descriptor",
        "fixtures/datasets/bad-descriptor.toml",
    ]));
    assert_eq!(
        marks(&stderr),
        [
            pair("fixtures/datasets/bad-descriptor.toml:6:1", "[[column]]"),
            pair(
                "fixtures/datasets/bad-descriptor.toml:12:1",
                "role = \"secret\""
            ),
        ]
    );
}

#[test]
fn a_json_declaration_marks_the_member_and_the_end_of_a_truncated_file() {
    let stderr = refused(&common::run(&[
        "flows",
        "fixtures/flows/malformed/incomplete.json",
    ]));
    let found = marks(&stderr);
    let file = "fixtures/flows/malformed/incomplete.json";
    assert!(
        found.contains(&pair(
            &format!("{file}:4:73"),
            "\"jurisdiction\": \"Korea\""
        )),
        "{stderr}"
    );
    assert!(
        found.contains(&pair(&format!("{file}:17:7"), "\"retention\": \"5 years\"")),
        "{stderr}"
    );
    assert!(
        found.contains(&pair(
            &format!("{file}:10:7"),
            "\"purpose\": [\"dpv:AcademicResearch\"]"
        )),
        "the key the format does not allow: {stderr}"
    );
    let stderr = refused(&common::run(&[
        "flows",
        "fixtures/flows/malformed/truncated.json",
    ]));
    assert!(
        stderr.starts_with("error: invalid JSON: EOF while parsing a value\n"),
        "{stderr}"
    );
    assert_eq!(
        marks(&stderr),
        [pair("fixtures/flows/malformed/truncated.json:5:21", " ")],
        "a caret just past the last token"
    );
}

#[test]
fn a_toml_declaration_marks_the_inline_table_and_its_member() {
    let stderr = refused(&common::run(&[
        "flows",
        "fixtures/flows/malformed/consent-without-records.toml",
    ]));
    let file = "fixtures/flows/malformed/consent-without-records.toml";
    assert_eq!(
        marks(&stderr),
        [
            pair(
                &format!("{file}:17:1"),
                "consent = { mechanism = \"none\" }"
            ),
            pair(&format!("{file}:17:13"), "mechanism = \"none\""),
        ]
    );
}

#[test]
fn a_dataset_problem_keeps_line_and_column_and_shows_no_content() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        &dir.path().join("people.toml"),
        "[[column]]\nname = \"email\"\nrole = \"direct-identifier\"\n",
    );
    write(
        &dir.path().join("people.ndjson"),
        "{\"email\": \"ann@example.org\"}\n{\"email\": \"bob@example.org\" \"x\": 1}\n",
    );
    let stderr = refused(&run_in(
        dir.path(),
        &["dataset", "people.ndjson", "--descriptor", "people.toml"],
    ));
    // Column 29 is the quote of `"x"`, where a comma was due.
    assert!(
        stderr.starts_with("error: people.ndjson:2:29: this line is not JSON\n"),
        "{stderr}"
    );
    assert!(marks(&stderr).is_empty(), "{stderr}");
    assert!(!stderr.contains("example.org"), "{stderr}");
}
