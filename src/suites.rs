//! The suites of one run, loaded once: the requirement catalogue with its
//! profiles and named lists, and the live cases, from the embedded suites
//! overlaid by the user's folders, with the digest of every file in force.
//!
//! Every command and every job of a `check` reads the same value, so that
//! what a run checked with and what its report's provenance names cannot
//! drift apart (a list read twice could differ between the reads), and a
//! verifier builds the same value from its own suites to compare.

use std::path::PathBuf;

use crate::attest::{self, SuiteDigests};
use crate::catalog::{Catalogue, Lists};
use crate::detect::definitions::Definitions;
use crate::detect::placeholder;
use crate::error::Result;
use crate::live::cases::{self, Case};
use crate::model::{InputSummary, Provenance};
use crate::schema::SchemaRegistry;

/// Everything a run reads from `suites/` and the overlay folders.
#[derive(Debug)]
pub struct Suites {
    catalogue: Catalogue,
    cases: Vec<Case>,
    digests: SuiteDigests,
}

impl Suites {
    /// The embedded suites alone.
    pub fn embedded() -> Result<Self> {
        Self::load(&[])
    }

    /// The embedded suites overlaid by each folder in `overlays` (its
    /// `catalogue/`, `profiles/`, `lists/` and `live/` TOML files replace
    /// definitions by ID). Fails, naming the file and line, on anything the
    /// loaders refuse and on a requirement whose check kind no family
    /// builds, before any subject is read.
    pub fn load(overlays: &[PathBuf]) -> Result<Self> {
        let catalogue = Catalogue::load(overlays)?;
        crate::families::check_kinds(&catalogue)?;
        if !overlays.is_empty() {
            // A kind of identifier an overlay adds is hidden wherever a
            // name is shown, not only found where a profile selects it.
            let definitions = Definitions::from_catalogue(&catalogue)?;
            placeholder::use_definitions(&definitions).map_err(|e| {
                crate::error::Error::Files(vec![crate::error::FileProblem::new(e.file, e.message)])
            })?;
        }
        let set = cases::load_case_set(overlays)?;
        let digests = SuiteDigests::new(&catalogue, &set.files)?;
        Ok(Suites {
            catalogue,
            cases: set.cases,
            digests,
        })
    }

    /// The requirements, profiles and lists.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The named lists profile parameters refer to.
    pub fn lists(&self) -> &Lists {
        self.catalogue.lists()
    }

    /// The live cases, in load order.
    pub fn cases(&self) -> &[Case] {
        &self.cases
    }

    /// The digests of every suite file in force.
    pub fn digests(&self) -> &SuiteDigests {
        &self.digests
    }

    /// The provenance of a run over these suites (see
    /// [`attest::provenance`]): `files` are the files besides the inputs
    /// that the run read (a descriptor, a target), `target` the live
    /// target's name.
    pub fn provenance(
        &self,
        profile_ids: &[String],
        registry: &SchemaRegistry,
        inputs: &[InputSummary],
        files: &[PathBuf],
        target: Option<String>,
    ) -> Result<Provenance> {
        attest::provenance(&self.digests, profile_ids, registry, inputs, files, target)
    }

    /// The digests a verifier holding these suites trusts for a report
    /// naming `profile_ids` (see [`attest::trusted_provenance`]).
    pub fn trusted_provenance(
        &self,
        registry: &SchemaRegistry,
        profile_ids: &[String],
    ) -> Result<Provenance> {
        attest::trusted_provenance(&self.digests, registry, profile_ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_suite_file_is_digested() {
        let suites = Suites::embedded().expect("embedded suites");
        let digests = suites.digests();
        assert!(
            digests
                .catalogue
                .contains_key("suites/catalogue/payload.toml")
        );
        assert!(digests.lists.contains_key("suites/lists/eu-adequacy.toml"));
        assert!(digests.live_cases.contains_key("suites/live/api.toml"));
        let kr = digests.profiles.get("kr").expect("kr");
        assert!(kr.contains_key("suites/profiles/kr.toml"));
        assert!(kr.contains_key("suites/profiles/baseline.toml"));
        assert!(!suites.cases().is_empty());
    }

    #[test]
    fn an_overlay_list_replaces_the_embedded_file_in_the_digests() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("lists")).expect("lists folder");
        let text = crate::embedded::SUITES
            .get_file("lists/eu-adequacy.toml")
            .and_then(|f| f.contents_utf8())
            .expect("embedded list");
        std::fs::write(
            dir.path().join("lists/eu-adequacy.toml"),
            text.replace("\"US\", ", ""),
        )
        .expect("write");
        let suites = Suites::load(&[dir.path().to_path_buf()]).expect("overlaid suites");
        let names: Vec<&String> = suites.digests().lists.keys().collect();
        assert!(
            !names.iter().any(|n| *n == "suites/lists/eu-adequacy.toml"),
            "{names:?}"
        );
        assert!(
            suites
                .lists()
                .get("eu-adequacy")
                .is_some_and(|l| !l.items.iter().any(|i| i == "US"))
        );
    }
}
