//! Digests: `sha256:` plus lower-case hex, over canonical JSON for
//! documents (so formatting does not count) and over raw bytes for files.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::catalog::Catalogue;
use crate::error::{Error, Result};
use crate::model::{InputSummary, Provenance};
use crate::schema::SchemaRegistry;

/// `sha256:<hex>` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    format!("sha256:{}", crate::hex::lower_hex(digest))
}

/// RFC 8785 (JCS) canonical JSON of `value`.
pub fn canonical_json(value: &impl Serialize) -> Result<Vec<u8>> {
    use canon_json::CanonJsonSerialize;
    value
        .to_canon_json_vec()
        .map_err(|e| Error::Internal(format!("canonical JSON failed: {e}")))
}

/// `sha256:<hex>` of the file at `path`, read in blocks.
pub fn file_digest(path: &Path) -> Result<String> {
    let mut file = crate::files::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buffer).map_err(|e| Error::read(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Digests of the suite files in force, taken once when a run loads its
/// suites, so that every report of the run names the same files and no
/// file is read twice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SuiteDigests {
    /// Requirement catalogue files, identifier detector definition files
    /// (`suites/detectors/`) and data standard files
    /// (`suites/standards/`) in force, by name.
    pub catalogue: BTreeMap<String, String>,
    /// For each profile ID, the files of the profile and its lineage, by
    /// name.
    pub profiles: BTreeMap<String, BTreeMap<String, String>>,
    /// List files in force, by name.
    pub lists: BTreeMap<String, String>,
    /// Live-case files in force, by name.
    pub live_cases: BTreeMap<String, String>,
}

impl SuiteDigests {
    /// The digests of the requirement, profile and list files in force in
    /// `catalogue`, and of `live_case_files` (name and text).
    pub fn new(catalogue: &Catalogue, live_case_files: &[(String, String)]) -> Result<Self> {
        let mut profiles = BTreeMap::new();
        for profile in catalogue.profiles() {
            profiles.insert(
                profile.id.clone(),
                digest_texts(catalogue.profile_files(&profile.id)?),
            );
        }
        Ok(SuiteDigests {
            // Detector definitions decide what the identifier requirements
            // find, and standards which failures are named conflicts, so
            // both are digested with the requirements.
            catalogue: digest_texts(
                catalogue
                    .requirement_files()
                    .into_iter()
                    .chain(catalogue.detector_files())
                    .chain(catalogue.standard_files()),
            ),
            profiles,
            lists: digest_texts(catalogue.lists().files()),
            live_cases: digest_texts(
                live_case_files
                    .iter()
                    .map(|(name, text)| (name.as_str(), text.as_str())),
            ),
        })
    }

    /// The files of profile `id` and its lineage.
    fn profile(&self, id: &str) -> Result<&BTreeMap<String, String>> {
        self.profiles.get(id).ok_or_else(|| Error::UnknownProfile {
            name: id.to_owned(),
            known: self.profiles.keys().cloned().collect::<Vec<_>>().join(", "),
            suggestion: crate::suggest::did_you_mean(id, self.profiles.keys().map(String::as_str)),
        })
    }
}

fn digest_texts<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> BTreeMap<String, String> {
    files
        .into_iter()
        .map(|(name, text)| (name.to_owned(), sha256(text.as_bytes())))
        .collect()
}

/// The provenance of a run: the digests of the suite files in force (the
/// profiles' only for `profile_ids` and their lineage), of every schema
/// known to `registry`, of the input files (read again from their paths as
/// reported; an input that is not a file, such as a URL, is skipped), and
/// of the other `files` the run read to know how to read its inputs (a
/// dataset's descriptor, a live target), by path as given.
pub fn provenance(
    suites: &SuiteDigests,
    profile_ids: &[String],
    registry: &SchemaRegistry,
    inputs: &[InputSummary],
    files: &[PathBuf],
    target: Option<String>,
) -> Result<Provenance> {
    let mut profiles = BTreeMap::new();
    for id in profile_ids {
        profiles.extend(
            suites
                .profile(id)?
                .iter()
                .map(|(name, digest)| (name.clone(), digest.clone())),
        );
    }
    let mut schemas = BTreeMap::new();
    for (name, document) in registry.documents() {
        schemas.insert(name.to_owned(), sha256(&canonical_json(document)?));
    }
    let mut input_digests = BTreeMap::new();
    for input in inputs {
        let path = Path::new(&input.path);
        if path.is_file() {
            input_digests.insert(input.path.clone(), file_digest(path)?);
        }
    }
    for path in files {
        input_digests.insert(path.display().to_string(), file_digest(path)?);
    }
    Ok(Provenance {
        catalogue: suites.catalogue.clone(),
        profiles,
        lists: suites.lists.clone(),
        live_cases: suites.live_cases.clone(),
        schemas,
        inputs: input_digests,
        target,
    })
}

/// The digests a verifier trusts: its own suites, the files of those of
/// `profile_ids` it knows (an unknown one then shows as a mismatch), and
/// its schemas. No inputs, no target.
pub fn trusted_provenance(
    suites: &SuiteDigests,
    registry: &SchemaRegistry,
    profile_ids: &[String],
) -> Result<Provenance> {
    let known: Vec<String> = profile_ids
        .iter()
        .filter(|id| suites.profiles.contains_key(*id))
        .cloned()
        .collect();
    provenance(suites, &known, registry, &[], &[], None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_sha256_hex_and_canonical_json_ignores_member_order() {
        assert_eq!(
            sha256(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let a: serde_json::Value =
            serde_json::from_str(r#"{"b": 1, "a": [true, "x"]}"#).expect("json");
        let b: serde_json::Value =
            serde_json::from_str(r#"{ "a":[true,"x"],"b":1 }"#).expect("json");
        let bytes = canonical_json(&a).expect("canonical");
        assert_eq!(bytes, br#"{"a":[true,"x"],"b":1}"#);
        assert_eq!(bytes, canonical_json(&b).expect("canonical"));
    }
}
