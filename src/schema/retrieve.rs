//! Where a schema referenced by URI comes from: the bundled schemas, the
//! folders the user adds, a remote base URI mapped to a local folder, and,
//! only when the user explicitly allows it, the network.
//!
//! Offline is the default because a conformance verdict must not depend on
//! what some web server answers today.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

/// The largest remote schema accepted with `--allow-fetch`.
const MAX_FETCH_BYTES: u64 = 8 * 1024 * 1024;

/// A remote base URI served from a local folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriMapping {
    /// The prefix, such as `https://smart-data-models.github.io/data-models/`.
    pub prefix: String,
    /// The folder whose files stand for the URIs below the prefix.
    pub dir: PathBuf,
}

/// Every schema document known by URI, and the rules for finding the rest.
#[derive(Debug)]
pub(crate) struct Documents {
    pub(crate) by_uri: HashMap<String, Value>,
    mappings: Vec<UriMapping>,
    fetch: bool,
}

impl Documents {
    pub(crate) fn new(
        by_uri: HashMap<String, Value>,
        mappings: Vec<UriMapping>,
        fetch: bool,
    ) -> Self {
        Documents {
            by_uri,
            mappings,
            fetch,
        }
    }

    /// The document at `uri` (no fragment), from memory, a mapped folder or,
    /// when allowed, the network.
    pub(crate) fn get(&self, uri: &str) -> Result<Value, String> {
        let uri = uri.trim_end_matches('#');
        if let Some(doc) = self.by_uri.get(uri) {
            return Ok(doc.clone());
        }
        if let Some(path) = self.mapped_path(uri) {
            return read_mapped(uri, &path);
        }
        if self.fetch && (uri.starts_with("https://") || uri.starts_with("http://")) {
            return fetch(uri);
        }
        Err(format!(
            "`{uri}` is not a bundled schema, not in a --schema-dir, and not under a --map-uri prefix; \
             nothing is fetched unless --allow-fetch is given"
        ))
    }

    fn mapped_path(&self, uri: &str) -> Option<PathBuf> {
        self.mappings
            .iter()
            .filter(|m| uri.starts_with(&m.prefix))
            .max_by_key(|m| m.prefix.len())
            .map(|m| m.dir.join(&uri[m.prefix.len()..]))
    }
}

fn read_mapped(uri: &str, path: &std::path::Path) -> Result<Value, String> {
    crate::files::refuse_special(path).map_err(|e| format!("`{uri}` maps to {e}"))?;
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "`{uri}` maps to `{}`, which cannot be read: {e}",
            path.display()
        )
    })?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "`{}` (for `{uri}`) is not JSON: line {}: {e}",
            path.display(),
            e.line()
        )
    })
}

fn fetch(uri: &str) -> Result<Value, String> {
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .map_err(|e| format!("cannot start an HTTP client to fetch `{uri}`: {e}"))?;
    let response = client
        .get(uri)
        .send()
        .map_err(|e| format!("fetching `{uri}` failed: {e}"))?;
    if !response.status().is_success() {
        return Err(format!(
            "fetching `{uri}` answered HTTP {}",
            response.status()
        ));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_FETCH_BYTES)
    {
        return Err(format!("`{uri}` is larger than {MAX_FETCH_BYTES} bytes"));
    }
    let bytes = response
        .bytes()
        .map_err(|e| format!("reading `{uri}` failed: {e}"))?;
    if bytes.len() as u64 > MAX_FETCH_BYTES {
        return Err(format!("`{uri}` is larger than {MAX_FETCH_BYTES} bytes"));
    }
    serde_json::from_slice(&bytes).map_err(|e| format!("`{uri}` is not JSON: {e}"))
}

/// The bridge to the `jsonschema` crate, which asks for every document a
/// `$ref` names that it has not seen yet.
#[derive(Debug, Clone)]
pub(crate) struct Retriever(pub(crate) Arc<Documents>);

impl jsonschema::Retrieve for Retriever {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        self.0.get(uri.as_str()).map_err(Into::into)
    }
}
