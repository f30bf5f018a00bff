//! The reference platform started in the test process, and the one loop
//! that proves each of its faults breaks exactly the requirements it names
//! (`Fault::breaks`): every API kind's test runs its faults through it.

use std::collections::BTreeSet;
use std::path::Path;

use cityconform::reference::{Fault, ReferenceOptions, RunningReference};
use serde_json::Value;

/// A running reference with the runtime it serves on; the platform is
/// dropped (stopped) before its runtime.
pub struct Reference {
    pub reference: RunningReference,
    _runtime: tokio::runtime::Runtime,
}

/// Starts the reference as `options` says, on loopback.
pub fn start(options: &ReferenceOptions) -> Reference {
    let runtime = cityconform::harness::runtime().expect("a runtime starts");
    let reference = runtime
        .block_on(RunningReference::start(options))
        .expect("the reference starts on loopback");
    Reference {
        reference,
        _runtime: runtime,
    }
}

impl Reference {
    /// Writes the reference's target into `dir` and audits it with
    /// `args`, as JSON.
    pub fn audit(&self, dir: &Path, args: &[&str]) -> std::process::Output {
        let target = self
            .reference
            .write_target(dir)
            .expect("the reference writes its target");
        let target = target.to_str().expect("temp paths are UTF-8");
        let mut all = vec!["audit", "--target", target, "--format", "json"];
        all.extend_from_slice(args);
        super::run(&all)
    }
}

/// (requirement, verdict) of every result in every profile that neither
/// passes nor is a skip `skip_ok` accepts (given the result).
pub fn not_passing(report: &Value, skip_ok: fn(&Value) -> bool) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for profile in report["profiles"].as_array().into_iter().flatten() {
        for result in profile["results"].as_array().into_iter().flatten() {
            let verdict = result["verdict"].as_str().unwrap_or("?");
            if verdict != "pass" && !(verdict == "skip" && skip_ok(result)) {
                out.insert((
                    result["requirement"].as_str().unwrap_or("?").to_owned(),
                    verdict.to_owned(),
                ));
            }
        }
    }
    out
}

/// For each of `faults`: the reference as `options` says with that fault
/// alone, audited with `args`, breaks exactly the requirements the fault
/// names (`fail` for a MUST, `warn` for a SHOULD; every other result
/// passes or is a skip `skip_ok` accepts), and the audit exits 1 when a
/// MUST failed, else 0.
pub fn each_fails_exactly_its_requirements(
    options: &ReferenceOptions,
    faults: &[Fault],
    args: &[&str],
    skip_ok: fn(&Value) -> bool,
) {
    for &fault in faults {
        let reference = start(&ReferenceOptions {
            faults: vec![fault],
            ..options.clone()
        });
        let dir = tempfile::tempdir().expect("temp dir");
        let output = reference.audit(dir.path(), args);
        let report = super::json_report(&output);
        let found = not_passing(&report, skip_ok);
        let named: BTreeSet<&str> = found.iter().map(|(r, _)| r.as_str()).collect();
        let expected: BTreeSet<&str> = fault.breaks().iter().copied().collect();
        let transcript = super::transcript(&output);
        assert_eq!(named, expected, "fault {fault}:\n{transcript}");
        assert!(
            found.iter().all(|(_, v)| v == "fail" || v == "warn"),
            "fault {fault}:\n{transcript}"
        );
        let must_failed = found.iter().any(|(_, v)| v == "fail");
        super::expect_exit(&output, if must_failed { 1 } else { 0 });
    }
}
