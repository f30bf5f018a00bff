//! The commented starting configuration `cityconform init` writes, with
//! the payload files of the repository it is written in: a configuration
//! that `check` runs as written, never one naming folders that do not
//! exist.

use std::path::{Path, PathBuf};

/// A starting `cityconform.toml`: payloads under `payloads/`, the baseline
/// profile, JUnit, SARIF and HTML reports under `reports/`, and every other
/// section shown commented out with what it does.
pub const TEMPLATE: &str = r#"# cityconform.toml: what `cityconform check` runs for this repository.
# Relative paths are relative to the folder holding this file.
# Format: `cityconform schemas --tool config`.

# Profiles to check against, in report order (`cityconform profiles list`).
profiles = ["baseline"]

# Folders whose catalogue/ and profiles/ TOML files overlay the bundled
# suites (a definition with the same ID replaces the bundled one).
# suites = ["conformance/suites"]

# [schemas]
# dirs = ["schemas"]                     # extra schemas (files with $schema or $id)
# strict_formats = false                 # assert `format` (date-time, email, ...)
# [schemas.map_uri]                      # serve a remote base URI from a local copy
# "https://smart-data-models.github.io/data-models/" = "vendor/data-models"

# Payload files (JSON, JSON-LD, NDJSON): files, folders (searched for
# .json, .jsonld, .ndjson and .jsonl) or globs such as "exports/**/*.ndjson".
# Each entry must match at least one file: a typo never passes silently.
[payloads]
paths = ["payloads"]
# schema = "MobilityTrip"                # force one schema on every record
# requirements = ["PAY-SCHEMA-01"]       # check only these requirements
# representation = "ngsi-ld-normalized"  # else told from each record (auto)

# Datasets audited for anonymity, each with its descriptor.
# [[datasets]]
# data = "exports/trips.csv"
# descriptor = "exports/trips.descriptor.toml"

# Data-flow declarations checked against each profile's transfer rules.
# [[declarations]]
# path = "declarations/data-flows.toml"

# A live platform audited over HTTP: a public API's base URL (audited as
# open data, without credentials), or a target file that names credentials
# by environment variable, never the secrets.
# [target]
# url = "https://data.example.org/ogcapi"
# file = "staging.target.toml"           # instead of url, for a platform with tenants

# Report files written on every run (missing folders are made): text,
# json, junit, sarif, markdown, html.
[reports]
junit = "reports/cityconform.junit.xml"
sarif = "reports/cityconform.sarif"
html = "reports/cityconform.html"

# Waivers: accepted, time-limited exceptions. A waived finding is shown as
# waived and does not fail the run; a waiver past `expires` fails the run;
# one that matches nothing is reported.
# [[waivers]]
# id = "W-001"
# requirement = "ANON-LOC-PRECISION-01"
# subject = "payloads/legacy/*.json"     # optional: glob over finding files
# justification = "Legacy export, coarsened downstream; replaced in Q3."
# approved_by = "Data protection officer"
# expires = 2027-06-30                   # the last day it holds
"#;

/// The `[payloads]` lines of [`TEMPLATE`], replaced by [`for_folder`].
const PAYLOADS_LINES: &str = "[payloads]\npaths = [\"payloads\"]\n";

/// Folders never searched for payloads: tool and dependency trees, build
/// output and reports.
const SKIPPED_FOLDERS: [&str; 7] = [
    "node_modules",
    "target",
    "reports",
    "vendor",
    "dist",
    "build",
    "__pycache__",
];

/// How deep and how many files [`find_payloads`] looks at, so that `init`
/// in a large tree stays quick.
const MAX_DEPTH: usize = 6;
const MAX_FILES: usize = 20_000;
/// How much of a file is read to tell whether it holds records.
const SNIFF_BYTES: u64 = 256 * 1024;

/// The configuration `init` writes in `folder`: [`TEMPLATE`] with the
/// payload files found there (see [`find_payloads`]) as its `[payloads]`
/// paths, or with `[payloads]` commented out when there are none, and the
/// paths it named.
pub fn for_folder(folder: &Path) -> (String, Vec<String>) {
    let paths = find_payloads(folder);
    let section = if paths.is_empty() {
        "# No payload files were found here: name yours, then uncomment.\n# [payloads]\n# paths = [\"payloads\"]\n".to_owned()
    } else {
        let quoted: Vec<String> = paths
            .iter()
            .map(|p| format!("  {},", toml_string(p)))
            .collect();
        format!("[payloads]\npaths = [\n{}\n]\n", quoted.join("\n"))
    };
    (TEMPLATE.replacen(PAYLOADS_LINES, &section, 1), paths)
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// The payload files under `folder`, as `[payloads]` paths relative to it:
/// files with a payload extension whose first record is an entity (an
/// object with a string `type` and an `id` or `@context`) or a GeoJSON
/// FeatureCollection. A folder whose payload-extension files are all
/// payloads is named by a glob per extension; otherwise its payloads are
/// named one by one, so that a `package.json` beside them is never read as
/// one. Hidden folders, links, and dependency, build and report folders
/// (`node_modules`, `target`, `reports`, ...) are not searched.
pub fn find_payloads(folder: &Path) -> Vec<String> {
    let mut files = Vec::new();
    walk(folder, 0, &mut files);
    files.sort();
    let mut by_folder: std::collections::BTreeMap<PathBuf, Vec<(PathBuf, bool)>> =
        std::collections::BTreeMap::new();
    for file in files {
        let payload = holds_records(&file);
        let parent = file.parent().map(Path::to_path_buf).unwrap_or_default();
        by_folder.entry(parent).or_default().push((file, payload));
    }
    let mut paths = Vec::new();
    for (parent, entries) in by_folder {
        if !entries.iter().any(|(_, payload)| *payload) {
            continue;
        }
        let relative = |path: &Path| {
            path.strip_prefix(folder)
                .unwrap_or(path)
                .display()
                .to_string()
                .replace('\\', "/")
        };
        if entries.iter().all(|(_, payload)| *payload) {
            let mut extensions: Vec<&str> = entries
                .iter()
                .filter_map(|(file, _)| file.extension()?.to_str())
                .collect();
            extensions.sort_unstable();
            extensions.dedup();
            let prefix = relative(&parent);
            for extension in extensions {
                paths.push(if prefix.is_empty() {
                    format!("*.{extension}")
                } else {
                    format!("{prefix}/*.{extension}")
                });
            }
        } else {
            paths.extend(entries.iter().filter(|(_, p)| *p).map(|(f, _)| relative(f)));
        }
    }
    paths
}

/// Collects files with a payload extension under `folder`.
fn walk(folder: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for entry in entries {
        if out.len() >= MAX_FILES {
            return;
        }
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let path = entry.path();
        if kind.is_dir() {
            let skipped = name.starts_with('.') || SKIPPED_FOLDERS.contains(&name.as_ref());
            if !skipped && depth < MAX_DEPTH {
                walk(&path, depth + 1, out);
            }
        } else if kind.is_file()
            && crate::payload::records::PayloadFormat::from_path(&path).is_some()
        {
            out.push(path);
        }
    }
}

/// Whether the file's first record looks like a record cityconform checks.
fn holds_records(path: &Path) -> bool {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut text = String::new();
    if file.take(SNIFF_BYTES).read_to_string(&mut text).is_err() {
        return false;
    }
    let first: Option<serde_json::Value> = serde_json::from_str(&text).ok().or_else(|| {
        let line = text.lines().find(|l| !l.trim().is_empty())?;
        serde_json::from_str(line).ok()
    });
    match first {
        Some(serde_json::Value::Array(items)) => items.first().is_some_and(is_record),
        Some(value) => is_record(&value),
        None => false,
    }
}

fn is_record(value: &serde_json::Value) -> bool {
    let Some(object) = value.as_object() else {
        return false;
    };
    let typed = object.get("type").is_some_and(serde_json::Value::is_string);
    typed
        && (object.contains_key("id")
            || object.contains_key("@context")
            || object.get("type").and_then(serde_json::Value::as_str) == Some("FeatureCollection"))
}
