//! Published data standards' requirements as data (`suites/standards/`):
//! what a standard such as MDS requires of the entity it governs, as bounds
//! on catalogue parameters. A profile that sets a parameter outside a bound
//! forbids what the standard requires; naming that as a conflict between
//! the two, each cited, tells a city that a conforming payload will fail
//! the profile because the rules disagree, not because the platform errs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::load::{self, SuiteText};
use super::toml_source::TomlSource;
use super::{Clause, ResolvedProfile};
use crate::error::{FileProblem, Result};

/// One standard of `suites/standards/*.toml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standard {
    /// Short ID, such as `mds`.
    pub id: String,
    /// One line.
    pub title: String,
    /// The standard and who publishes it.
    pub source: String,
    /// The version the requirements are read from.
    pub version: String,
    /// The entity type governed, as the standard names it.
    pub entity: String,
    /// Where that version's text is published.
    pub url: String,
    /// The standard's schema of the entity, if it publishes one.
    #[serde(default)]
    pub schema: Option<String>,
    /// What the standard says of the entity, in a line.
    #[serde(default)]
    pub note: Option<String>,
    /// The bounds on catalogue parameters.
    pub requires: Vec<Bound>,
}

/// A standard's bound on one catalogue parameter.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bound {
    /// The catalogue requirement.
    pub requirement: String,
    /// Its parameter.
    pub param: String,
    /// The least value the standard needs.
    #[serde(default)]
    pub at_least: Option<f64>,
    /// The greatest value the standard needs.
    #[serde(default)]
    pub at_most: Option<f64>,
    /// The entity's fields concerned.
    pub fields: Vec<String>,
    /// The section of the standard.
    pub clause: String,
    /// How the bound is read from the clause.
    #[serde(default)]
    pub note: Option<String>,
}

impl Bound {
    /// "at least 6", "at most 2", or both.
    pub fn needs(&self) -> String {
        let parts: Vec<String> = [("at least", self.at_least), ("at most", self.at_most)]
            .into_iter()
            .filter_map(|(word, bound)| bound.map(|b| format!("{word} {}", number(b))))
            .collect();
        parts.join(" and ")
    }

    /// Whether `value` lies outside the bound (a non-number says nothing).
    fn refuses(&self, value: &Value) -> bool {
        let Some(number) = value.as_f64() else {
            return false;
        };
        self.at_least.is_some_and(|least| number < least)
            || self.at_most.is_some_and(|most| number > most)
    }
}

/// A bound as written: 6, not 6.0.
fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        value.to_string()
    }
}

/// A standard requiring what a profile forbids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardConflict {
    /// The standard's ID.
    pub standard: String,
    /// The standard, its version and the section the bound is read from.
    pub standard_clause: Clause,
    /// The standard's schema of the entity, when it publishes one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The entity governed.
    pub entity: String,
    /// The entity's fields concerned.
    pub fields: Vec<String>,
    /// The profile.
    pub profile: String,
    /// The catalogue requirement.
    pub requirement: String,
    /// Its parameter.
    pub param: String,
    /// What the standard needs of it ("at least 6").
    pub needs: String,
    /// What the profile sets it to.
    pub allows: Value,
    /// The clauses the profile's lineage cites for the requirement (the
    /// requirement's own when it adds none).
    pub profile_clauses: Vec<Clause>,
    /// The profile adds no clause of its own: `profile_clauses` are the
    /// requirement's, so that no side cites nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub requirement_clauses: bool,
}

/// The standards in force, by ID: the embedded ones, then each overlay's
/// `standards/` (a later file replaces a standard of the same ID).
#[derive(Debug, Default)]
pub(crate) struct Standards {
    standards: BTreeMap<String, (Standard, TomlSource)>,
    /// Every standard file read, in load order: a report's provenance
    /// digests them, since they decide which failures are conflicts.
    files: Vec<SuiteText>,
}

impl Standards {
    /// Every standard file, checked against its format schema.
    pub(crate) fn load(overlays: &[PathBuf]) -> Result<Self> {
        let schema = load::tool_schema("standard.schema.json")?;
        let mut files: Vec<SuiteText> = load::embedded_files("standards");
        for dir in overlays {
            files.extend(load::dir_files(dir, "standards")?);
        }
        let mut standards = Standards::default();
        for file in &files {
            let (standard, source): (Standard, _) = load::parse_checked(file, &schema)?;
            standards
                .standards
                .insert(standard.id.clone(), (standard, source));
        }
        standards.files = files;
        Ok(standards)
    }

    /// Name and text of every standard file read, in load order.
    pub(crate) fn files(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files
            .iter()
            .map(|f| (f.name.as_str(), f.text.as_str()))
    }

    /// A bound on a requirement the catalogue lacks, at its line.
    pub(crate) fn unknown_requirements(&self, known: &dyn Fn(&str) -> bool) -> Vec<FileProblem> {
        let mut problems = Vec::new();
        for (standard, source) in self.standards.values() {
            for (i, bound) in standard.requires.iter().enumerate() {
                if !known(&bound.requirement) {
                    problems.push(
                        source
                            .problem(
                                &format!("/requires/{i}/requirement"),
                                format!("bounds unknown requirement `{}`", bound.requirement),
                            )
                            .with_help("check the ID against `cityconform requirements list`"),
                    );
                }
            }
        }
        problems
    }

    /// Every standard, in ID order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Standard> {
        self.standards.values().map(|(standard, _)| standard)
    }

    /// Where each standard requires what `profile` forbids, in standard
    /// then requirement order. `own` gives a requirement's own clauses,
    /// cited for a profile that adds none.
    pub(crate) fn conflicts_with(
        &self,
        profile: &ResolvedProfile,
        own: &dyn Fn(&str) -> Vec<Clause>,
    ) -> Vec<StandardConflict> {
        let mut conflicts = Vec::new();
        for standard in self.iter() {
            for bound in &standard.requires {
                let Some(selection) = profile.selection(&bound.requirement) else {
                    continue;
                };
                let Some(value) = selection.params.get(&bound.param) else {
                    continue;
                };
                if !bound.refuses(value) {
                    continue;
                }
                let mut found = conflict(standard, bound, profile, value);
                if selection.clauses.is_empty() {
                    found.profile_clauses = own(&bound.requirement);
                    found.requirement_clauses = true;
                } else {
                    found.profile_clauses.clone_from(&selection.clauses);
                }
                conflicts.push(found);
            }
        }
        conflicts
    }
}

fn conflict(
    standard: &Standard,
    bound: &Bound,
    profile: &ResolvedProfile,
    value: &Value,
) -> StandardConflict {
    StandardConflict {
        standard: standard.id.clone(),
        standard_clause: Clause {
            source: format!("{} {}", standard.source, standard.version),
            clause: bound.clause.clone(),
            note: bound.note.clone(),
        },
        schema: standard.schema.clone(),
        entity: standard.entity.clone(),
        fields: bound.fields.clone(),
        profile: profile.id.clone(),
        requirement: bound.requirement.clone(),
        param: bound.param.clone(),
        needs: bound.needs(),
        allows: value.clone(),
        profile_clauses: Vec::new(),
        requirement_clauses: false,
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::Catalogue;
    use crate::error::Error;

    fn overlay(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (path, text) in files {
            let path = dir.path().join(path);
            let parent = path.parent().expect("a parent folder");
            std::fs::create_dir_all(parent).expect("folder");
            std::fs::write(path, text).expect("write");
        }
        dir
    }

    #[test]
    fn mds_conflicts_with_korea_citing_both_sides() {
        let catalogue = Catalogue::embedded().expect("embedded catalogue");
        let conflicts = catalogue.standard_conflicts("kr").expect("kr resolves");
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        let c = &conflicts[0];
        assert_eq!(
            (
                c.standard.as_str(),
                c.requirement.as_str(),
                c.param.as_str()
            ),
            ("mds", "ANON-LOC-PRECISION-01", "max_decimals")
        );
        assert_eq!(c.needs, "at least 6");
        assert_eq!(c.allows, serde_json::json!(3));
        assert!(c.standard_clause.source.contains("2.0.0"), "{c:?}");
        assert!(c.standard_clause.clause.contains("start_location"));
        assert!(!c.requirement_clauses, "kr cites its own clauses");
        assert!(c.profile_clauses.iter().any(|k| k.source.contains("PIPC")));
    }

    #[test]
    fn a_profile_allowing_gps_precision_has_no_conflict() {
        let dir = overlay(&[(
            "profiles/gps.toml",
            "id = \"gps\"\ntitle = \"GPS\"\ndescription = \"Trips at GPS precision\"\nextends = \"kr\"\n[requirements.ANON-LOC-PRECISION-01]\nparams = { max_decimals = 6 }\n",
        )]);
        let catalogue = Catalogue::load(&[dir.path().to_path_buf()]).expect("overlay loads");
        let conflicts = catalogue.standard_conflicts("gps").expect("gps resolves");
        assert!(conflicts.is_empty(), "{conflicts:?}");
    }

    #[test]
    fn an_at_most_bound_refuses_a_larger_value() {
        let dir = overlay(&[(
            "standards/k.toml",
            "id = \"k-std\"\ntitle = \"K spec\"\nsource = \"K spec\"\nversion = \"1\"\nentity = \"Row\"\nurl = \"https://example.org/k\"\n[[requires]]\nrequirement = \"ANON-KANON-01\"\nparam = \"k\"\nat_most = 3\nfields = [\"count\"]\nclause = \"s. 2\"\n",
        )]);
        let catalogue = Catalogue::load(&[dir.path().to_path_buf()]).expect("overlay loads");
        let conflicts = catalogue.standard_conflicts("kr").expect("kr resolves");
        let k: Vec<_> = conflicts.iter().filter(|c| c.standard == "k-std").collect();
        assert_eq!(k.len(), 1, "{conflicts:?}");
        assert_eq!(k[0].needs, "at most 3");
        assert_eq!(k[0].allows, serde_json::json!(5));
    }

    #[test]
    fn a_bound_on_an_unknown_requirement_is_named_at_its_line() {
        let dir = overlay(&[(
            "standards/x.toml",
            "id = \"x\"\ntitle = \"X spec\"\nsource = \"X spec\"\nversion = \"1\"\nentity = \"Trip\"\nurl = \"https://example.org/x\"\n[[requires]]\nrequirement = \"ANON-NOPE-01\"\nparam = \"max_decimals\"\nat_least = 6\nfields = [\"a\"]\nclause = \"s. 1\"\n",
        )]);
        match Catalogue::load(&[dir.path().to_path_buf()]) {
            Err(Error::Files(found)) => {
                assert_eq!(found.len(), 1, "{found:?}");
                assert!(found[0].file.ends_with("x.toml"));
                assert_eq!(found[0].line, Some(8));
                assert!(found[0].message.contains("ANON-NOPE-01"));
            }
            other => panic!("expected a file problem, got {other:?}"),
        }
    }

    #[test]
    fn a_bound_without_a_number_is_refused_by_the_format() {
        let dir = overlay(&[(
            "standards/y.toml",
            "id = \"y\"\ntitle = \"Y spec\"\nsource = \"Y spec\"\nversion = \"1\"\nentity = \"Trip\"\nurl = \"https://example.org/y\"\n[[requires]]\nrequirement = \"ANON-LOC-PRECISION-01\"\nparam = \"max_decimals\"\nfields = [\"a\"]\nclause = \"s. 1\"\n",
        )]);
        assert!(matches!(
            Catalogue::load(&[dir.path().to_path_buf()]),
            Err(Error::Files(_))
        ));
    }
}
