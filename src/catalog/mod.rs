//! The requirement catalogue, its profiles and the named lists their
//! parameters refer to: loading, cross-checking and resolving them. Owns no checks (see [`crate::engine`]) and runs nothing
//! (see [`crate::engine`]); it only says *what* is required, by whom, with
//! which parameters.

pub(crate) mod detectors;
mod diff;
pub mod lists;
pub(crate) mod load;
mod profile;
mod replace;
mod requirement;
mod standards;
pub(crate) mod toml_source;
pub mod vocabulary;

pub(crate) use load::{SuiteText, parse_checked_with, tool_schema};
pub(crate) use toml_source::TomlSource;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Deserialize;

pub use diff::{Citation, DiffEntry, DiffKind, ProfileDiff};
pub use lists::{CarveOut, List, ListItem, ListReferences, Lists, Member};
pub use profile::{Profile, ProfileEntry, ResolvedProfile, Selection};
pub use replace::Replacement;
pub use requirement::{Area, CheckSpec, Clause, Level, Requirement};
pub use standards::{Bound, Standard, StandardConflict};
pub use vocabulary::Vocabulary;

use crate::error::{Error, FileProblem, Result};

/// The shape of a `suites/catalogue/*.toml` file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogueFile {
    requirement: Vec<Requirement>,
}

/// Where a definition came from, to point at it when something is wrong.
#[derive(Debug)]
struct Origin {
    source: usize,
    pointer: String,
}

/// Every requirement, profile and list in force for a run: the embedded
/// suites, overlaid by the folders the user adds (a definition with the
/// same ID replaces the embedded one).
///
/// The lists are loaded with the profiles that name them, so that every
/// reader of a parameter (a check built from it, the report that shows
/// it) expands the same lists.
#[derive(Debug)]
pub struct Catalogue {
    requirements: BTreeMap<String, Requirement>,
    profiles: BTreeMap<String, Profile>,
    lists: Lists,
    /// The identifier detector definition files in force, checked; the
    /// detectors read them ([`Catalogue::detector_files`]).
    detectors: Vec<load::SuiteText>,
    /// The data standards whose requirements profiles are compared with
    /// (`suites/standards/`).
    standards: standards::Standards,
    origins: BTreeMap<String, Origin>,
    sources: Vec<TomlSource>,
    /// Each profile as first defined (bundled, or by the first folder that
    /// named it): what a replacement is compared against.
    first_profiles: BTreeMap<String, Profile>,
    /// The profiles a later folder replaced (`replaces = "ID"`), by ID.
    replaced: BTreeMap<String, replace::Replaced>,
}

impl Catalogue {
    /// The embedded suites alone.
    pub fn embedded() -> Result<Self> {
        Self::load(&[])
    }

    /// The embedded suites overlaid by each folder in `overlays` (each with
    /// `catalogue/`, `profiles/` and/or `lists/` sub-folders of TOML
    /// files), then cross-checked: every reference resolves, no profile
    /// lineage loops.
    pub fn load(overlays: &[PathBuf]) -> Result<Self> {
        let mut layers = vec![(
            load::embedded_files("catalogue"),
            load::embedded_files("profiles"),
        )];
        for dir in overlays {
            if !dir.is_dir() {
                return Err(Error::Usage(format!(
                    "suites folder `{}` does not exist or is not a folder",
                    dir.display()
                )));
            }
            layers.push((
                load::dir_files(dir, "catalogue")?,
                load::dir_files(dir, "profiles")?,
            ));
        }
        let catalogue_schema = load::tool_schema("catalogue.schema.json")?;
        let profile_schema = load::tool_schema("profile.schema.json")?;
        let mut catalogue = Catalogue {
            requirements: BTreeMap::new(),
            profiles: BTreeMap::new(),
            lists: Lists::load(overlays)?,
            detectors: detectors::load(overlays)?,
            standards: standards::Standards::load(overlays)?,
            origins: BTreeMap::new(),
            sources: Vec::new(),
            first_profiles: BTreeMap::new(),
            replaced: BTreeMap::new(),
        };
        for (requirement_files, profile_files) in &layers {
            for file in requirement_files {
                catalogue.add_requirements(file, &catalogue_schema)?;
            }
            for file in profile_files {
                catalogue.add_profile(file, &profile_schema)?;
            }
        }
        catalogue.cross_check()?;
        Ok(catalogue)
    }

    fn add_requirements(&mut self, file: &SuiteText, schema: &jsonschema::Validator) -> Result<()> {
        let (parsed, source): (CatalogueFile, _) = load::parse_checked(file, schema)?;
        let index = self.sources.len();
        let mut seen = BTreeSet::new();
        for (i, requirement) in parsed.requirement.into_iter().enumerate() {
            let pointer = format!("/requirement/{i}");
            if !seen.insert(requirement.id.clone()) {
                return Err(source
                    .problem(
                        &format!("{pointer}/id"),
                        format!(
                            "requirement `{}` is defined twice in this file",
                            requirement.id
                        ),
                    )
                    .into());
            }
            self.origins.insert(
                format!("requirement:{}", requirement.id),
                Origin {
                    source: index,
                    pointer,
                },
            );
            self.requirements
                .insert(requirement.id.clone(), requirement);
        }
        self.sources.push(source);
        Ok(())
    }

    fn add_profile(&mut self, file: &SuiteText, schema: &jsonschema::Validator) -> Result<()> {
        let (profile, source): (Profile, _) = load::parse_checked(file, schema)?;
        self.admit_replacement(&profile, &source)?;
        let index = self.sources.len();
        self.origins.insert(
            format!("profile:{}", profile.id),
            Origin {
                source: index,
                pointer: String::new(),
            },
        );
        self.profiles.insert(profile.id.clone(), profile);
        self.sources.push(source);
        Ok(())
    }

    /// A problem at `pointer` (relative to the definition) in the file that
    /// defined `key` (`profile:kr`, `requirement:PAY-SCHEMA-01`).
    pub(crate) fn problem_in(
        &self,
        key: &str,
        pointer: &str,
        message: impl Into<String>,
    ) -> FileProblem {
        match self.origins.get(key) {
            Some(origin) => {
                let source = &self.sources[origin.source];
                source.problem(&format!("{}{pointer}", origin.pointer), message)
            }
            None => FileProblem::new(key, message),
        }
    }

    fn cross_check(&self) -> Result<()> {
        let mut problems = Vec::new();
        for profile in self.profiles.values() {
            let key = format!("profile:{}", profile.id);
            if let Some(parent) = &profile.extends
                && !self.profiles.contains_key(parent)
            {
                problems.push(
                    self.problem_in(
                        &key,
                        "/extends",
                        format!("extends unknown profile `{parent}`"),
                    )
                    .with_help(format!("known profiles: {}", self.profile_names())),
                );
            }
            for id in profile.requirements.keys() {
                if !self.requirements.contains_key(id) {
                    problems.push(
                        self.problem_in(
                            &key,
                            &format!("/requirements/{id}"),
                            format!("selects unknown requirement `{id}`"),
                        )
                        .with_help("check the ID against `cityconform requirements list`"),
                    );
                }
            }
            for (i, id) in profile.exclude.iter().enumerate() {
                if !self.requirements.contains_key(id) {
                    problems.push(self.problem_in(
                        &key,
                        &format!("/exclude/{i}"),
                        format!("excludes unknown requirement `{id}`"),
                    ));
                }
            }
            if let Err(cycle) = self.lineage(&profile.id) {
                problems.push(self.problem_in(&key, "/extends", cycle));
            }
        }
        problems.extend(
            self.standards
                .unknown_requirements(&|id| self.requirements.contains_key(id)),
        );
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Files(problems))
        }
    }

    /// The profile IDs from the root down to `id`, or why there is none.
    fn lineage(&self, id: &str) -> std::result::Result<Vec<String>, String> {
        lineage_in(&self.profiles, id)
    }

    /// Name and text of every file that defines a requirement in force,
    /// in load order: what a report's provenance digests.
    pub fn requirement_files(&self) -> Vec<(&str, &str)> {
        self.files_of("requirement:")
    }

    /// Name and text of the identifier detector definition files in force
    /// (`suites/detectors/`, then the overlays'), in load order.
    pub fn detector_files(&self) -> Vec<(&str, &str)> {
        self.detectors
            .iter()
            .map(|f| (f.name.as_str(), f.text.as_str()))
            .collect()
    }

    /// Name and text of the data standard files read (`suites/standards/`,
    /// then the overlays'), in load order.
    pub fn standard_files(&self) -> Vec<(&str, &str)> {
        self.standards.files().collect()
    }

    /// Name and text of the files that define the profile `id` and its
    /// lineage, root first.
    pub fn profile_files(&self, id: &str) -> Result<Vec<(&str, &str)>> {
        let lineage = self.lineage(id).map_err(|cycle| {
            Error::from(self.problem_in(&format!("profile:{id}"), "/extends", cycle))
        })?;
        self.profile(id)?;
        let mut files = Vec::new();
        for layer in &lineage {
            if let Some(origin) = self.origins.get(&format!("profile:{layer}")) {
                let source = &self.sources[origin.source];
                files.push((source.name.as_str(), source.text()));
            }
        }
        Ok(files)
    }

    /// Distinct source files of the definitions whose origin key starts
    /// with `prefix`, in load order.
    fn files_of(&self, prefix: &str) -> Vec<(&str, &str)> {
        let mut indices: Vec<usize> = self
            .origins
            .iter()
            .filter(|(key, _)| key.starts_with(prefix))
            .map(|(_, origin)| origin.source)
            .collect();
        indices.sort_unstable();
        indices.dedup();
        indices
            .into_iter()
            .map(|i| (self.sources[i].name.as_str(), self.sources[i].text()))
            .collect()
    }

    /// The named lists in force, which profile parameters refer to as
    /// `@<id>`.
    pub fn lists(&self) -> &Lists {
        &self.lists
    }

    /// The data standards in force, in ID order.
    pub fn standards(&self) -> impl Iterator<Item = &Standard> {
        self.standards.iter()
    }

    /// Where a data standard requires what profile `id` (with its lineage)
    /// forbids, each side with its clauses.
    pub fn standard_conflicts(&self, id: &str) -> Result<Vec<StandardConflict>> {
        let profile = self.resolve(id)?;
        let own = |requirement: &str| {
            self.requirements
                .get(requirement)
                .map(|r| r.clauses.clone())
                .unwrap_or_default()
        };
        Ok(self.standards.conflicts_with(&profile, &own))
    }

    /// Comma-separated profile IDs, for help lines.
    pub fn profile_names(&self) -> String {
        self.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
    }

    /// Every requirement, in ID order.
    pub fn requirements(&self) -> impl Iterator<Item = &Requirement> {
        self.requirements.values()
    }

    /// The requirement `id`, or the one `id` names but for letter case
    /// when only one does (`anon-id-value-01`).
    pub fn requirement(&self, id: &str) -> Result<&Requirement> {
        let known = || self.requirements.keys().map(String::as_str);
        self.requirements
            .get(id)
            .or_else(|| {
                crate::suggest::same_but_case(id, known()).and_then(|k| self.requirements.get(k))
            })
            .ok_or_else(|| Error::UnknownRequirement {
                id: id.to_owned(),
                suggestion: crate::suggest::did_you_mean(id, known()),
            })
    }

    /// The catalogue's spelling of requirement `id` (see
    /// [`Catalogue::requirement`]).
    pub fn requirement_id(&self, id: &str) -> Result<&str> {
        self.requirement(id).map(|r| r.id.as_str())
    }

    /// The catalogue's spelling of profile `name` (see
    /// [`Catalogue::profile`]): a run names its profiles as the catalogue
    /// does, however they were typed.
    pub fn profile_id(&self, name: &str) -> Result<&str> {
        self.profile(name).map(|p| p.id.as_str())
    }

    /// Every profile, in ID order.
    pub fn profiles(&self) -> impl Iterator<Item = &Profile> {
        self.profiles.values()
    }

    /// The profile `id` as written.
    pub fn profile(&self, id: &str) -> Result<&Profile> {
        let known = || self.profiles.keys().map(String::as_str);
        self.profiles
            .get(id)
            .or_else(|| {
                crate::suggest::same_but_case(id, known()).and_then(|k| self.profiles.get(k))
            })
            .ok_or_else(|| Error::UnknownProfile {
                name: id.to_owned(),
                known: self.profile_names(),
                suggestion: crate::suggest::did_you_mean(id, known()),
            })
    }

    /// The profile `id` with its lineage folded in.
    pub fn resolve(&self, id: &str) -> Result<ResolvedProfile> {
        let id = self.profile(id)?.id.clone();
        self.resolve_in(&self.profiles, &id)
    }

    /// The profile `id` of `profiles` (the ones in force, or the ones first
    /// defined) with its lineage folded in.
    fn resolve_in(
        &self,
        profiles: &BTreeMap<String, Profile>,
        id: &str,
    ) -> Result<ResolvedProfile> {
        let profile_of = |layer: &str| {
            profiles.get(layer).ok_or_else(|| Error::UnknownProfile {
                name: layer.to_owned(),
                known: self.profile_names(),
                suggestion: String::new(),
            })
        };
        let profile = profile_of(id)?;
        let lineage = lineage_in(profiles, id).map_err(|cycle| {
            Error::from(self.problem_in(&format!("profile:{id}"), "/extends", cycle))
        })?;
        let mut selected: BTreeMap<String, Selection> = BTreeMap::new();
        for layer_id in &lineage {
            let layer = profile_of(layer_id)?;
            for excluded in &layer.exclude {
                selected.remove(excluded);
            }
            for (req_id, entry) in &layer.requirements {
                let requirement = self.requirement(req_id)?;
                let selection = selected.entry(req_id.clone()).or_insert_with(|| Selection {
                    id: req_id.clone(),
                    level: requirement.level,
                    params: requirement.check.params.clone(),
                    clauses: Vec::new(),
                    set_by: None,
                });
                apply_entry(selection, entry, layer_id);
            }
        }
        let nearest = |field: fn(&Profile) -> &Option<String>| {
            lineage
                .iter()
                .rev()
                .find_map(|layer| field(profiles.get(layer)?).clone())
        };
        Ok(ResolvedProfile {
            id: profile.id.clone(),
            title: profile.title.clone(),
            max_age: nearest(|p| &p.max_age),
            max_waiver: nearest(|p| &p.max_waiver),
            lineage,
            requirements: selected.into_values().collect(),
        })
    }
}

/// The profile IDs of `profiles` from the root down to `id`, or why there
/// is none.
fn lineage_in(
    profiles: &BTreeMap<String, Profile>,
    id: &str,
) -> std::result::Result<Vec<String>, String> {
    let mut chain = vec![id.to_owned()];
    let mut current = id;
    while let Some(parent) = profiles.get(current).and_then(|p| p.extends.as_deref()) {
        if chain.iter().any(|seen| seen == parent) {
            return Err(format!(
                "profile lineage loops: {} -> {parent}",
                chain.join(" -> ")
            ));
        }
        chain.push(parent.to_owned());
        current = parent;
    }
    chain.reverse();
    Ok(chain)
}

fn apply_entry(selection: &mut Selection, entry: &ProfileEntry, layer_id: &str) {
    if let Some(level) = entry.level {
        selection.level = level;
    }
    for (key, value) in &entry.params {
        selection.params.insert(key.clone(), value.clone());
    }
    for clause in &entry.clauses {
        if !selection.clauses.contains(clause) {
            selection.clauses.push(clause.clone());
        }
    }
    if entry.level.is_some() || !entry.params.is_empty() {
        selection.set_by = Some(layer_id.to_owned());
    }
}
