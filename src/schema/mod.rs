//! The schema registry: the bundled shared schemas, the folders a user adds,
//! offline `$ref` resolution, and compilation into validators that carry the
//! schema's governance annotations. Owns no verdicts: the checks in
//! [`crate::engine`] use what this module compiles.

pub mod governance;
mod retrieve;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

pub use governance::{AnnotatedField, Granularity, PathSegment, PrivacyRole};
pub use retrieve::UriMapping;

use crate::embedded;
use crate::error::{Error, FileProblem, Result};
use retrieve::{Documents, Retriever};

/// `$id` of the data-exchange envelope schema.
pub const ENVELOPE_URI: &str = "https://cityconform.org/schemas/envelope/v1";

/// How to find and compile schemas.
#[derive(Debug, Clone, Default)]
pub struct SchemaOptions {
    /// Folders of extra schemas (every JSON file with a top-level `$schema`
    /// or `$id`), searched recursively. A schema whose `$id` or type matches
    /// a bundled one replaces it.
    pub dirs: Vec<PathBuf>,
    /// Remote base URIs served from local folders.
    pub mappings: Vec<UriMapping>,
    /// Fetch schemas that nothing above provides. Off by default.
    pub allow_fetch: bool,
    /// Assert `format` (date-time, uri, email...) instead of treating it as
    /// an annotation.
    pub strict_formats: bool,
}

/// A schema compiled once, used on many records.
#[derive(Debug)]
pub struct CompiledSchema {
    /// The schema's URI (`$id`, or the file it came from).
    pub uri: String,
    /// The structural validator.
    pub validator: jsonschema::Validator,
    /// Its governance-annotated fields.
    pub fields: Vec<AnnotatedField>,
}

/// Every schema known to a run.
#[derive(Debug)]
pub struct SchemaRegistry {
    documents: Arc<Documents>,
    origins: HashMap<String, String>,
    by_type: BTreeMap<String, String>,
    strict_formats: bool,
    /// A user's schema that replaced another: each names both files.
    warnings: Vec<String>,
}

impl SchemaRegistry {
    /// The bundled schemas plus whatever `options` adds.
    pub fn load(options: &SchemaOptions) -> Result<Self> {
        let mut by_uri = HashMap::new();
        let mut origins = HashMap::new();
        for (path, text) in embedded::files_with_suffix(&embedded::SCHEMAS, ".json") {
            let name = format!("schemas/{path}");
            let value: Value = serde_json::from_str(text).map_err(|e| {
                Error::Internal(format!("bundled schema `{name}` is not JSON: {e}"))
            })?;
            let uri = document_uri(&value).unwrap_or_else(|| format!("cityconform:{name}"));
            origins.insert(uri.clone(), name);
            by_uri.insert(uri, value);
        }
        let mut warnings = Vec::new();
        for dir in &options.dirs {
            load_dir(dir, &mut by_uri, &mut origins, &mut warnings)?;
        }
        for mapping in &options.mappings {
            if !mapping.dir.is_dir() {
                return Err(Error::Usage(format!(
                    "--map-uri folder `{}` (for `{}`) does not exist or is not a folder",
                    mapping.dir.display(),
                    mapping.prefix
                )));
            }
        }
        let mut by_type = BTreeMap::new();
        let mut uris: Vec<_> = by_uri.keys().cloned().collect();
        uris.sort();
        // Bundled schemas first, user folders after, so a user's schema for
        // a type replaces the bundled one.
        uris.sort_by_key(|uri| !origins.get(uri).is_some_and(|o| o.starts_with("schemas/")));
        for uri in uris {
            if let Some(name) = by_uri.get(&uri).and_then(entity_type) {
                let bundled = origins.get(&uri).is_some_and(|o| o.starts_with("schemas/"));
                if let Some(previous) = by_type.insert(name.clone(), uri.clone())
                    && !bundled
                {
                    warnings.push(replaced(
                        &origins,
                        &uri,
                        &previous,
                        &format!("as the schema of type `{name}`"),
                    ));
                }
            }
        }
        let documents = Arc::new(Documents::new(
            by_uri,
            options.mappings.clone(),
            options.allow_fetch,
        ));
        Ok(SchemaRegistry {
            documents,
            origins,
            by_type,
            strict_formats: options.strict_formats,
            warnings,
        })
    }

    /// Every user schema that replaced a bundled one, or another user
    /// schema, by `$id` or by entity type: each names both files, since
    /// a silent replacement changes verdicts without a word.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Every schema document known to the run, as (file name or URI,
    /// document), sorted by name: what a report's provenance digests.
    pub fn documents(&self) -> Vec<(&str, &Value)> {
        let mut documents: Vec<(&str, &Value)> = self
            .documents
            .by_uri
            .iter()
            .map(|(uri, value)| {
                let name = self.origins.get(uri).map_or(uri.as_str(), String::as_str);
                (name, value)
            })
            .collect();
        documents.sort_by(|a, b| a.0.cmp(b.0));
        documents
    }

    /// Entity types with a schema, and the schema's URI.
    pub fn types(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_type.iter().map(|(t, u)| (t.as_str(), u.as_str()))
    }

    /// Every known schema URI that starts with `prefix`, sorted: the
    /// schemas of a family that names its files by URI, not by `type`
    /// (GBFS feeds).
    pub fn uris_with_prefix(&self, prefix: &str) -> Vec<String> {
        let mut uris: Vec<String> = self
            .documents
            .by_uri
            .keys()
            .filter(|uri| uri.starts_with(prefix))
            .cloned()
            .collect();
        uris.sort();
        uris
    }

    /// The URI of the schema for entity type `name`.
    pub fn uri_for_type(&self, name: &str) -> Option<&str> {
        self.by_type.get(name).map(String::as_str)
    }

    /// Compiles every schema that names an entity type, reporting every
    /// schema that fails at once.
    pub fn compile_types(&self) -> Result<BTreeMap<String, Arc<CompiledSchema>>> {
        let mut compiled = BTreeMap::new();
        let mut problems = Vec::new();
        for (name, uri) in &self.by_type {
            match self.compile(uri) {
                Ok(schema) => {
                    compiled.insert(name.clone(), Arc::new(schema));
                }
                Err(Error::File(problem)) => problems.push(*problem),
                Err(other) => return Err(other),
            }
        }
        if problems.is_empty() {
            Ok(compiled)
        } else {
            Err(Error::Files(problems))
        }
    }

    /// Compiles the schema at `reference`: a known URI, or the path of a
    /// schema file.
    pub fn compile(&self, reference: &str) -> Result<CompiledSchema> {
        let (uri, schema) = self.lookup(reference)?;
        let origin = self
            .origins
            .get(&uri)
            .cloned()
            .unwrap_or_else(|| uri.clone());
        let draft = draft_of(&schema).map_err(|message| {
            FileProblem::new(&origin, message).at_pointer("/$schema").with_help(
                "use one of https://json-schema.org/draft/2020-12/schema, 2019-09, draft-07 or draft-06",
            )
        })?;
        let validator = jsonschema::options()
            .with_draft(draft)
            .with_base_uri(uri.clone())
            .with_retriever(Retriever(Arc::clone(&self.documents)))
            .should_validate_formats(self.strict_formats)
            .build(&schema)
            .map_err(|e| {
                FileProblem::new(&origin, format!("schema does not compile: {}", e.masked()))
                    .at_pointer(e.schema_path().as_str())
                    .with_help("a `$ref` to a remote URI needs --schema-dir, --map-uri PREFIX=DIR, or --allow-fetch")
            })?;
        let fields = governance::annotated_fields(&schema, &uri, &self.documents)
            .map_err(|message| FileProblem::new(&origin, message))?;
        Ok(CompiledSchema {
            uri,
            validator,
            fields,
        })
    }

    /// The member names the schema at `reference` declares at its top
    /// level, through `$ref` and combinators; for the property-exposure
    /// check of live responses.
    pub fn declared_properties(
        &self,
        reference: &str,
    ) -> Result<std::collections::BTreeSet<String>> {
        let (uri, schema) = self.lookup(reference)?;
        Ok(governance::declared_properties(
            &schema,
            &uri,
            &self.documents,
        ))
    }

    fn lookup(&self, reference: &str) -> Result<(String, Value)> {
        if let Ok(value) = self.documents.get(reference) {
            return Ok((reference.trim_end_matches('#').to_owned(), value));
        }
        if let Some(uri) = self.uri_for_type(reference)
            && let Ok(value) = self.documents.get(uri)
        {
            return Ok((uri.to_owned(), value));
        }
        let path = Path::new(reference);
        if path.is_file() {
            let value = read_json(path)?;
            let uri = document_uri(&value).unwrap_or_else(|| file_uri(path));
            return Ok((uri, value));
        }
        Err(Error::Usage(format!(
            "no schema `{reference}`: not a bundled or added schema URI, an entity type, or a file\n  help: see `cityconform schemas` for what is known"
        )))
    }
}

/// The warning that the schema at `uri` replaced the one at `previous`.
fn replaced(origins: &HashMap<String, String>, uri: &str, previous: &str, how: &str) -> String {
    let name = |u: &str| origins.get(u).cloned().unwrap_or_else(|| u.to_owned());
    let old = name(previous);
    let whose = if old.starts_with("schemas/") {
        "the bundled"
    } else {
        "the user schema"
    };
    format!("schema `{}` replaces {whose} `{old}` {how}", name(uri))
}

fn load_dir(
    dir: &Path,
    by_uri: &mut HashMap<String, Value>,
    origins: &mut HashMap<String, String>,
    warnings: &mut Vec<String>,
) -> Result<()> {
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--schema-dir `{}` does not exist or is not a folder",
            dir.display()
        )));
    }
    let mut paths = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry =
            entry.map_err(|e| Error::Usage(format!("cannot walk `{}`: {e}", dir.display())))?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "json") {
            paths.push(entry.into_path());
        }
    }
    for path in paths {
        let value = read_json(&path)?;
        let is_schema = value.get("$schema").is_some() || value.get("$id").is_some();
        if !is_schema {
            continue;
        }
        let uri = document_uri(&value).unwrap_or_else(|| file_uri(&path));
        let origin = path.display().to_string();
        if let Some(previous) = origins.insert(uri.clone(), origin.clone()) {
            let whose = if previous.starts_with("schemas/") {
                "the bundled"
            } else {
                "the user schema"
            };
            warnings.push(format!(
                "schema `{origin}` replaces {whose} `{previous}` (same `$id` `{uri}`)"
            ));
        }
        by_uri.insert(uri, value);
    }
    Ok(())
}

fn read_json(path: &Path) -> Result<Value> {
    let text = crate::files::read_to_string(path)?;
    serde_json::from_str(&text).map_err(|e| {
        FileProblem::new(path.display().to_string(), format!("not valid JSON: {e}"))
            .at_line(Some(e.line()))
            .into()
    })
}

fn file_uri(path: &Path) -> String {
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", absolute.display())
}

/// The `$id` of a schema document, without a trailing empty fragment.
fn document_uri(schema: &Value) -> Option<String> {
    let id = schema.get("$id")?.as_str()?;
    Some(id.trim_end_matches('#').to_owned())
}

/// The entity type a schema describes: the single value its `type`
/// property allows (`const`, or a one-element `enum`), at the top level or
/// in an `allOf` branch, as FIWARE Smart Data Models write it.
fn entity_type(schema: &Value) -> Option<String> {
    let direct = schema.pointer("/properties/type");
    let in_all_of = schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|branch| branch.pointer("/properties/type"));
    direct
        .into_iter()
        .chain(in_all_of)
        .find_map(single_allowed_string)
}

fn single_allowed_string(property: &Value) -> Option<String> {
    if let Some(value) = property.get("const").and_then(Value::as_str) {
        return Some(value.to_owned());
    }
    match property
        .get("enum")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        Some([only]) => only.as_str().map(str::to_owned),
        _ => None,
    }
}

/// The draft a schema is written in, from its `$schema`. An unversioned
/// `http://json-schema.org/schema#` (seen in NGSI-LD) is read as draft-07.
fn draft_of(schema: &Value) -> std::result::Result<jsonschema::Draft, String> {
    let Some(declared) = schema.get("$schema") else {
        return Ok(jsonschema::Draft::Draft202012);
    };
    let Some(uri) = declared.as_str() else {
        return Err("`$schema` is not a string".to_owned());
    };
    let drafts = [
        ("2020-12", jsonschema::Draft::Draft202012),
        ("2019-09", jsonschema::Draft::Draft201909),
        ("draft-07", jsonschema::Draft::Draft7),
        ("draft-06", jsonschema::Draft::Draft6),
        ("draft-04", jsonschema::Draft::Draft4),
    ];
    if let Some((_, draft)) = drafts.iter().find(|(tag, _)| uri.contains(tag)) {
        return Ok(*draft);
    }
    if uri.trim_end_matches('#') == "http://json-schema.org/schema" {
        return Ok(jsonschema::Draft::Draft7);
    }
    Err(format!("unsupported `$schema` `{uri}`"))
}

/// The text of one of cityconform's own file formats,
/// `schemas/tool/NAME.schema.json` as embedded (`cityconform schemas
/// --tool NAME`): what a message about a configuration, target, descriptor
/// or declaration refers to, readable without the sources.
pub fn tool_schema_text(name: &str) -> Result<String> {
    let name = name.trim_end_matches(".schema.json");
    let names = || {
        crate::embedded::SCHEMAS
            .get_dir("tool")
            .into_iter()
            .flat_map(|dir| dir.files())
            .filter_map(|f| f.path().file_name()?.to_str()?.strip_suffix(".schema.json"))
            .collect::<Vec<_>>()
    };
    crate::embedded::SCHEMAS
        .get_file(format!("tool/{name}.schema.json"))
        .and_then(|f| f.contents_utf8())
        .map(str::to_owned)
        .ok_or_else(|| {
            let known = names();
            Error::Usage(format!(
                "no tool schema `{name}`; {}the tool's formats are: {}",
                crate::suggest::did_you_mean(name, known.iter().copied()),
                known.join(", ")
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_type_comes_from_const_or_single_enum_at_top_or_in_all_of() {
        assert_eq!(
            entity_type(&json!({"properties": {"type": {"const": "A"}}})).as_deref(),
            Some("A")
        );
        assert_eq!(
            entity_type(&json!({"allOf": [{}, {"properties": {"type": {"enum": ["B"]}}}]}))
                .as_deref(),
            Some("B")
        );
        assert_eq!(
            entity_type(&json!({"properties": {"type": {"enum": ["A", "B"]}}})),
            None
        );
    }

    #[test]
    fn drafts_follow_schema_keyword() {
        assert_eq!(
            draft_of(&json!({"$schema": "http://json-schema.org/draft-07/schema#"})),
            Ok(jsonschema::Draft::Draft7)
        );
        assert_eq!(
            draft_of(&json!({"$schema": "http://json-schema.org/schema#"})),
            Ok(jsonschema::Draft::Draft7)
        );
        assert_eq!(draft_of(&json!({})), Ok(jsonschema::Draft::Draft202012));
        assert!(draft_of(&json!({"$schema": "https://example.org/mine"})).is_err());
    }
}
