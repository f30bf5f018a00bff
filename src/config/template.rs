//! The commented starting configuration `cityconform init` writes.

/// A starting `cityconform.toml`: payloads under `payloads/`, the baseline
/// profile, JUnit, SARIF and HTML reports under `reports/`, and every other
/// section shown commented out with what it does.
pub const TEMPLATE: &str = r#"# cityconform.toml: what `cityconform check` runs for this repository.
# Relative paths are relative to the folder holding this file.
# Format: schemas/tool/config.schema.json in the cityconform sources.

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

# Report files written on every run (folders must exist): text, json,
# junit, sarif, markdown, html.
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
