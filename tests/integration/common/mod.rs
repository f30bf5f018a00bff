//! Running the real binary from tests, with the time pinned and colour off
//! so that its output is deterministic; the bundled profiles; the report
//! validators.

pub mod canonical;
#[cfg(feature = "reference")]
pub mod faults;
pub mod loopback;
pub mod peers;
pub mod vacuity;
pub mod watchdog;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use cityconform::catalog::Catalogue;

/// The pinned report time: 2023-11-14T22:13:20Z.
pub const PINNED_EPOCH: &str = "1700000000";

/// The crate root, where the tests run.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The ID of every profile in the embedded catalogue, in ID order (the
/// order of `cityconform profiles list`), read once.
pub fn bundled_profiles() -> Vec<&'static str> {
    static IDS: OnceLock<Vec<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let catalogue = Catalogue::embedded().expect("the embedded catalogue loads");
        catalogue.profiles().map(|p| p.id.clone()).collect()
    })
    .iter()
    .map(String::as_str)
    .collect()
}

/// A `cityconform` command run from the crate root, with relative paths.
pub fn cityconform(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cityconform"));
    command
        .args(args)
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", PINNED_EPOCH)
        .env("NO_COLOR", "1");
    command
}

/// Runs `cityconform args` and returns its output.
pub fn run(args: &[&str]) -> Output {
    cityconform(args)
        .output()
        .expect("the cityconform binary runs")
}

/// Exit code, stdout and stderr of a run, as one text for a snapshot.
pub fn transcript(output: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output
            .status
            .code()
            .map_or("signal".to_owned(), |c| c.to_string()),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The transcript of a run that must have exited with `code`; the
/// assertion shows the whole transcript when it did not.
pub fn expect_exit(output: &Output, code: i32) -> String {
    let text = transcript(output);
    assert_eq!(output.status.code(), Some(code), "{text}");
    text
}

/// Snapshot settings that write each of `paths` (temporary folders, whose
/// names change from run to run) as its placeholder, such as `[repo]`. Use
/// with `settings.bind(|| insta::assert_snapshot!(...))`.
pub fn path_filters(paths: &[(&Path, &str)]) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for (path, placeholder) in paths {
        settings.add_filter(&regex::escape(&path.display().to_string()), *placeholder);
    }
    settings
}

/// The verdict of `requirement` under a report's first profile, or
/// `absent`.
pub fn verdict(report: &serde_json::Value, requirement: &str) -> String {
    report["profiles"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["requirement"] == requirement)
        .and_then(|r| r["verdict"].as_str())
        .unwrap_or("absent")
        .to_owned()
}

/// The JSON report of a run that printed `--format json` on stdout.
pub fn json_report(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is a JSON report ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// `path` relative to the crate root, with `/` separators.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
        .replace('\\', "/")
}

/// The official SARIF 2.1.0 schema (see `tests/data/README.md`), compiled
/// with format checks on.
pub fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/data/sarif-2.1.0-rtm.5.json"))
        .expect("SARIF schema in tests/data");
    let mut schema: serde_json::Value = serde_json::from_str(&text).expect("SARIF schema is JSON");
    // The published `language` patterns (of `run` and `toolComponent`)
    // have a stray `]`, which the meta-schema's `format: regex` rejects
    // once formats are asserted. The reports never write `language`; the
    // patterns are replaced in memory by the one they mean (a language tag
    // such as `en` or `en-US`).
    for pointer in [
        "/definitions/run/properties/language/pattern",
        "/definitions/toolComponent/properties/language/pattern",
    ] {
        let language = schema
            .pointer_mut(pointer)
            .expect("the SARIF schema's language pattern");
        assert_eq!(language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *language = serde_json::json!("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
    }
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("SARIF schema compiles")
}

/// The JSON report's own schema, with format checks on.
pub fn report_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schemas/tool/report.schema.json"))
        .expect("report schema");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("report schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("report schema compiles")
}

/// Every error of `validator` on `instance`, one a line (empty when valid).
pub fn schema_errors(validator: &jsonschema::Validator, instance: &serde_json::Value) -> String {
    validator
        .iter_errors(instance)
        .map(|e| format!("{}: {}", e.instance_path().as_str(), e))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The JSON report of `cityconform flows DECLARATION -p P... --as-of DAY`,
/// the run every law test starts from.
pub fn flows_json(declaration: &str, profiles: &[&str], as_of: &str) -> serde_json::Value {
    let mut args = vec!["flows", declaration];
    for profile in profiles {
        args.extend(["-p", profile]);
    }
    args.extend(["--as-of", as_of, "--format", "json"]);
    json_report(&run(&args))
}

/// The first finding of `report` about `requirement`, if it has one.
pub fn finding<'r>(
    report: &'r serde_json::Value,
    requirement: &str,
) -> Option<&'r serde_json::Value> {
    report["findings"]
        .as_array()?
        .iter()
        .find(|f| f["requirement"] == requirement)
}
