//! The formats CI systems read directly: GitHub workflow-command
//! annotations (parsed here as GitHub parses them), GitLab Code Quality
//! issues, `--fail-on warn` and the failures-only text view.

use std::collections::BTreeMap;

use crate::common::{self, run};

/// One workflow command as GitHub reads it: `::KIND props::data`.
#[derive(Debug)]
struct Annotation {
    kind: String,
    properties: BTreeMap<String, String>,
    message: String,
}

fn unescape(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

/// Parses every line of `text` as a workflow command; panics on a line
/// that is not one, or a property without `=`.
fn annotations(text: &str) -> Vec<Annotation> {
    text.lines()
        .map(|line| {
            let rest = line
                .strip_prefix("::")
                .unwrap_or_else(|| panic!("not a command: {line}"));
            let (head, data) = rest
                .split_once("::")
                .unwrap_or_else(|| panic!("no data: {line}"));
            let (kind, props) = head.split_once(' ').unwrap_or((head, ""));
            let properties = props
                .split(',')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = p
                        .split_once('=')
                        .unwrap_or_else(|| panic!("bad property {p} in {line}"));
                    (k.to_owned(), unescape(v))
                })
                .collect();
            Annotation {
                kind: kind.to_owned(),
                properties,
                message: unescape(data),
            }
        })
        .collect()
}

const INPUTS: [&str; 2] = [
    "fixtures/payloads/invalid/mixed-failures.ndjson",
    "fixtures/payloads/invalid/precision-time.json",
];

#[test]
fn github_annotations_name_the_file_line_and_requirement_of_every_unwaived_finding() {
    let mut args = vec!["validate"];
    args.extend(INPUTS);
    args.extend(["-p", "kr", "--format", "github"]);
    let output = run(&args);
    let text = common::expect_exit(&output, 1);
    let parsed = annotations(&String::from_utf8_lossy(&output.stdout));
    let (notice, findings) = parsed.split_last().expect("a summary notice");
    assert_eq!(notice.kind, "notice", "{text}");
    assert!(notice.message.contains("kr NOT MET"), "{}", notice.message);

    args.truncate(args.len() - 1);
    args.push("json");
    let json = common::json_report(&run(&args));
    let expected: Vec<&serde_json::Value> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f.get("waiver").is_none())
        .collect();
    assert_eq!(findings.len(), expected.len(), "{text}");
    for (annotation, finding) in findings.iter().zip(expected) {
        let verdict = finding["verdicts"]["kr"].as_str().expect("a kr verdict");
        let kind = if verdict == "warn" {
            "warning"
        } else {
            "error"
        };
        assert_eq!(annotation.kind, kind, "{annotation:?}");
        assert_eq!(
            annotation.properties["file"],
            finding["location"]["file"].as_str().expect("file")
        );
        assert_eq!(
            annotation.properties["line"],
            finding["location"]["line"]
                .as_u64()
                .expect("line")
                .to_string()
        );
        let requirement = finding["requirement"].as_str().expect("requirement");
        assert!(annotation.properties["title"].starts_with(requirement));
        assert!(
            annotation
                .message
                .contains(finding["message"].as_str().expect("message"))
        );
    }
    insta::assert_snapshot!("github_annotations", text);
}

#[test]
fn gitlab_code_quality_issues_carry_a_stable_fingerprint_and_a_location() {
    let mut args = vec!["validate"];
    args.extend(INPUTS);
    args.extend(["-p", "kr", "--format", "gitlab"]);
    let first = run(&args);
    common::expect_exit(&first, 1);
    let issues: serde_json::Value = serde_json::from_slice(&first.stdout).expect("JSON");
    let issues = issues.as_array().expect("an array of issues");
    assert!(!issues.is_empty());
    let mut fingerprints = std::collections::BTreeSet::new();
    for issue in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[key].is_string(), "{key} in {issue}");
        }
        assert!(["critical", "minor"].contains(&issue["severity"].as_str().expect("severity")));
        assert!(INPUTS.contains(&issue["location"]["path"].as_str().expect("path")));
        assert!(issue["location"]["lines"]["begin"].as_u64() >= Some(1));
        assert!(
            fingerprints.insert(issue["fingerprint"].as_str().expect("fp").to_owned()),
            "unique"
        );
    }
    let second = run(&args);
    assert_eq!(
        first.stdout, second.stdout,
        "the same run gives the same issues"
    );
}

/// `--fail-on warn` fails a run whose only breaks are SHOULD ones, and
/// says why; the default does not.
#[test]
fn fail_on_warn_fails_a_run_with_only_should_breaks() {
    // Under baseline, coordinate precision is a SHOULD.
    let args = [
        "validate",
        "fixtures/payloads/invalid/precision-coordinates.json",
        "-r",
        "ANON-LOC-PRECISION-01",
    ];
    let lenient = run(&args);
    common::expect_exit(&lenient, 0);
    let mut strict_args = args.to_vec();
    strict_args.extend(["--fail-on", "warn"]);
    let strict = run(&strict_args);
    let text = common::expect_exit(&strict, 1);
    assert!(
        text.contains("--fail-on warn: 1 SHOULD or MAY requirement result broken"),
        "{text}"
    );
}

/// The failures-only view keeps findings and the rows to fix, and drops
/// passing and not-applicable rows.
#[test]
fn the_failures_only_view_shows_only_what_needs_fixing() {
    let args = [
        "validate",
        "fixtures/payloads/invalid/id-email.json",
        "-p",
        "kr",
    ];
    let full = common::expect_exit(&run(&args), 1);
    let mut short_args = args.to_vec();
    short_args.push("--failures-only");
    let short = common::expect_exit(&run(&short_args), 1);
    assert!(full.contains("PASS "), "{full}");
    assert!(
        !short.contains("PASS ") && !short.contains("SKIP "),
        "{short}"
    );
    assert!(
        short.contains("FAIL ") && short.contains("ANON-ID-VALUE-01"),
        "{short}"
    );
    insta::assert_snapshot!("failures_only", short);
}

/// In CI (stderr not a terminal), a run says it is alive on stderr: what
/// is read of how much and at what rate; `--quiet` keeps it silent and
/// stdout keeps only the report.
#[test]
fn a_run_in_ci_prints_a_heartbeat_on_stderr_unless_quiet() {
    let args = ["validate", "fixtures/payloads/valid", "--format", "json"];
    let beating = common::cityconform(&args)
        .env("CI", "true")
        .env("CITYCONFORM_HEARTBEAT_SECONDS", "0")
        .output()
        .expect("the binary runs");
    common::expect_exit(&beating, 0);
    let stderr = String::from_utf8_lossy(&beating.stderr);
    let beats: Vec<&str> = stderr.lines().filter(|l| l.contains(" MB of ")).collect();
    assert!(!beats.is_empty(), "{stderr}");
    assert!(
        beats
            .iter()
            .all(|l| l.starts_with("cityconform: ") && l.contains("MB/s")),
        "{stderr}"
    );
    common::json_report(&beating);
    let mut quiet_args = args.to_vec();
    quiet_args.push("--quiet");
    let quiet = common::cityconform(&quiet_args)
        .env("CI", "true")
        .env("CITYCONFORM_HEARTBEAT_SECONDS", "0")
        .output()
        .expect("the binary runs");
    common::expect_exit(&quiet, 0);
    assert!(
        quiet.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&quiet.stderr)
    );
}

/// `docs/REQUIREMENTS.md` is the catalogue as `requirements doc` writes
/// it, and every SARIF rule links to its section there; relative result
/// paths are based on the checkout (`%SRCROOT%`).
#[test]
fn sarif_rules_link_to_their_section_of_the_generated_requirements_document() {
    let doc = run(&["requirements", "doc"]);
    common::expect_exit(&doc, 0);
    let generated = String::from_utf8_lossy(&doc.stdout).into_owned();
    let committed = std::fs::read_to_string(common::root().join("docs/REQUIREMENTS.md"))
        .expect("docs/REQUIREMENTS.md");
    assert!(
        generated == committed,
        "docs/REQUIREMENTS.md is stale: run `cityconform requirements doc > docs/REQUIREMENTS.md`"
    );
    let anchors: std::collections::BTreeSet<String> = committed
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .map(str::to_lowercase)
        .collect();
    let output = run(&[
        "validate",
        "fixtures/payloads/invalid/id-email.json",
        "-p",
        "kr",
        "--format",
        "sarif",
    ]);
    common::expect_exit(&output, 1);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("SARIF");
    assert!(common::schema_errors(&common::sarif_validator(), &sarif).is_empty());
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(!rules.is_empty());
    for rule in rules {
        let uri = rule["helpUri"].as_str().expect("helpUri");
        let (page, anchor) = uri.split_once('#').expect("an anchor");
        assert!(page.ends_with("docs/REQUIREMENTS.md"), "{uri}");
        assert!(anchors.contains(anchor), "no section `{anchor}`");
    }
    for result in sarif["runs"][0]["results"].as_array().expect("results") {
        let artifact = &result["locations"][0]["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%", "{artifact}");
    }
}

#[test]
fn a_live_finding_is_located_at_its_request_url() {
    let sarif = run(&["demo", "--fault", "cross-tenant-read", "--format", "sarif"]);
    common::expect_exit(&sarif, 1);
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).expect("SARIF");
    let errors = common::schema_errors(&common::sarif_validator(), &sarif);
    assert!(errors.is_empty(), "{errors}");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let bola = results
        .iter()
        .find(|r| r["ruleId"] == "SEC-BOLA-01")
        .expect("the cross-tenant read is found");
    let location = &bola["locations"][0];
    let uri = location["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .expect("a URI");
    let request = location["logicalLocations"][0]["fullyQualifiedName"]
        .as_str()
        .expect("the request");
    let (method, path) = request.split_once(' ').expect("METHOD /path");
    assert_eq!(method, "GET");
    assert!(
        uri.starts_with("https://127.0.0.1:") && uri.ends_with(path),
        "{uri} for {request}"
    );
    assert!(location["physicalLocation"]["artifactLocation"]["uriBaseId"].is_null());
    // GitHub has no file to annotate: the request leads the message.
    let github = run(&["demo", "--fault", "cross-tenant-read", "--format", "github"]);
    let text = String::from_utf8_lossy(&github.stdout).into_owned();
    let bola = annotations(&text)
        .into_iter()
        .find(|a| {
            a.properties
                .get("title")
                .is_some_and(|t| t.starts_with("SEC-BOLA-01"))
        })
        .expect("an annotation for the cross-tenant read");
    assert!(!bola.properties.contains_key("file"), "{bola:?}");
    assert!(bola.message.starts_with("GET /"), "{bola:?}");
}
