//! Digests: `sha256:` plus lower-case hex, over canonical JSON for
//! documents (so formatting does not count) and over raw bytes for files.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

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
    let mut out = String::with_capacity(7 + digest.len() * 2);
    out.push_str("sha256:");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
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
    let mut file = std::fs::File::open(path).map_err(|e| Error::read(path, e))?;
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

/// The provenance of a run: digests of the catalogue files in force, of
/// the files of `profile_ids` and their lineage, of every schema known to
/// `registry`, and of the input files (read again from their paths as
/// reported; an input that is not a file, such as a URL, is skipped).
pub fn provenance(
    catalogue: &Catalogue,
    profile_ids: &[String],
    registry: &SchemaRegistry,
    inputs: &[InputSummary],
    target: Option<String>,
) -> Result<Provenance> {
    let catalogue_digests = catalogue
        .requirement_files()
        .into_iter()
        .map(|(name, text)| (name.to_owned(), sha256(text.as_bytes())))
        .collect();
    let mut profiles = BTreeMap::new();
    for id in profile_ids {
        for (name, text) in catalogue.profile_files(id)? {
            profiles.insert(name.to_owned(), sha256(text.as_bytes()));
        }
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
    Ok(Provenance {
        catalogue: catalogue_digests,
        profiles,
        schemas,
        inputs: input_digests,
        target,
    })
}

/// The digests a verifier trusts: its own catalogue, the files of those
/// of `profile_ids` it knows (an unknown one then shows as a mismatch),
/// and its schemas. No inputs, no target.
pub fn trusted_provenance(
    catalogue: &Catalogue,
    registry: &SchemaRegistry,
    profile_ids: &[String],
) -> Result<Provenance> {
    let known: Vec<String> = profile_ids
        .iter()
        .filter(|id| catalogue.profile(id).is_ok())
        .cloned()
        .collect();
    provenance(catalogue, &known, registry, &[], None)
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
