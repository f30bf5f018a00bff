//! The identifier detector definition files of a run (`suites/detectors/`,
//! then each overlay's `detectors/`), checked against their format schema
//! (`schemas/tool/detectors.schema.json`) and their patterns compiled, so
//! that a mistake stops the run before any subject is read, with its file
//! and line. The detectors, a layer up, read them from the catalogue; a
//! later file's detector replaces an earlier one of the same kind.

use std::path::PathBuf;

use serde_json::Value;

use super::load::{self, SuiteText};
use super::toml_source::TomlSource;
use crate::error::{Error, FileProblem, Result};

/// Every detector file in force, embedded first, then by overlay.
pub(crate) fn load(overlays: &[PathBuf]) -> Result<Vec<SuiteText>> {
    let schema = load::tool_schema("detectors.schema.json")?;
    let mut files = load::embedded_files("detectors");
    for dir in overlays {
        files.extend(load::dir_files(dir, "detectors")?);
    }
    let mut problems = Vec::new();
    for file in &files {
        match load::parse_checked::<Value>(file, &schema) {
            Ok((value, source)) => problems.extend(pattern_problems(&value, &source)),
            Err(Error::Files(found)) => problems.extend(found),
            Err(other) => return Err(other),
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(Error::Files(problems))
    }
}

/// A pattern that does not compile, or captures (the detectors capture the
/// core themselves), named at its line.
fn pattern_problems(value: &Value, source: &TomlSource) -> Vec<FileProblem> {
    let mut problems = Vec::new();
    let detectors = value.get("detector").and_then(Value::as_array);
    for (d, detector) in detectors.into_iter().flatten().enumerate() {
        let forms = detector.get("form").and_then(Value::as_array);
        for (f, form) in forms.into_iter().flatten().enumerate() {
            let Some(pattern) = form.get("pattern").and_then(Value::as_str) else {
                continue;
            };
            let pointer = format!("/detector/{d}/form/{f}/pattern");
            let message = match regex::Regex::new(pattern) {
                Err(e) => format!("the pattern does not compile: {e}"),
                Ok(regex) if regex.captures_len() > 1 => {
                    "the pattern has a capture group; write `(?:...)` instead".to_owned()
                }
                Ok(_) => continue,
            };
            problems.push(source.problem(&pointer, message));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlay(text: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("detectors")).expect("detectors folder");
        std::fs::write(dir.path().join("detectors/xx.toml"), text).expect("write");
        dir
    }

    fn problems(text: &str) -> Vec<FileProblem> {
        let dir = overlay(text);
        match load(&[dir.path().to_path_buf()]) {
            Err(Error::Files(found)) => found,
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn embedded_detector_files_load() {
        let files = load(&[]).expect("embedded detectors");
        assert!(files.iter().any(|f| f.name == "suites/detectors/kr.toml"));
    }

    #[test]
    fn an_unknown_validator_is_named_at_its_line() {
        let found = problems(
            "[[detector]]\nkind = \"sg-nric\"\ndescription = \"x\"\nvalidator = \"luhn\"\n[[detector.form]]\npattern = 'x'\nboundary = \"code\"\nconfidence = \"high\"\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].file.ends_with("xx.toml"));
        assert_eq!(found[0].line, Some(4));
    }

    #[test]
    fn a_bad_pattern_is_named_at_its_line() {
        let found = problems(
            "[[detector]]\nkind = \"sg-nric\"\ndescription = \"x\"\n[[detector.form]]\nboundary = \"code\"\npattern = '[A-Z'\nconfidence = \"high\"\n\n[[detector]]\nkind = \"email\"\ndescription = \"x\"\n[[detector.form]]\npattern = '(a)@b'\nboundary = \"none\"\nconfidence = \"high\"\n",
        );
        let lines: Vec<Option<usize>> = found.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![Some(6), Some(13)], "{found:?}");
        assert!(found[1].message.contains("capture group"));
    }

    #[test]
    fn an_unknown_key_is_refused() {
        let found = problems(
            "[[detector]]\nkind = \"email\"\ndescription = \"x\"\nchecksum = true\n[[detector.form]]\npattern = 'x'\nboundary = \"none\"\nconfidence = \"high\"\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].line, Some(4));
    }

    #[test]
    fn a_new_kind_needs_a_description_and_a_plain_name() {
        let found = problems(
            "[[detector]]\nkind = \"my-mykad\"\n[[detector.form]]\npattern = 'x'\nboundary = \"none\"\nconfidence = \"high\"\n\n[[detector]]\nkind = \"MyKad\"\ndescription = \"x\"\n[[detector.form]]\npattern = 'y'\nboundary = \"none\"\nconfidence = \"high\"\n",
        );
        let lines: Vec<Option<usize>> = found.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![Some(1), Some(9)], "{found:?}");
        assert!(found[0].message.contains("description"), "{found:?}");
    }
}
