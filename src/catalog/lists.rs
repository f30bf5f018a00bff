//! Named lists that profile parameters refer to as `@<id>`: countries with
//! an adequacy decision, the EEA, a notified negative list, certification
//! schemes a regulator recognises. They change when governments decide,
//! not when cityconform is released, so they live in `suites/lists/*.toml`
//! and an overlay folder (`--suites DIR`, sub-folder `lists/`) replaces a
//! list by ID.
//!
//! A reference is a string `@<id>` naming a list in force, alone or as an
//! element of an array of strings. Other strings that begin with `@` are
//! values (the JSON-LD `@context` in a list of fields to ignore), which is
//! why a list may not take the name of a JSON-LD keyword
//! (`schemas/tool/list.schema.json`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::catalog::load::{SuiteText, dir_files, embedded_files, parse_checked, tool_schema};
use crate::error::Result;

/// One list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct List {
    /// Stable ID, referred to as `@<id>`.
    pub id: String,
    /// One line.
    pub title: String,
    /// The decision or text it is read from.
    pub source: String,
    /// When it was last checked against its source.
    #[serde(default)]
    pub as_of: Option<String>,
    /// Anything the reader should know.
    #[serde(default)]
    pub note: Option<String>,
    /// The members.
    pub items: Vec<String>,
}

/// Every list in force, with the files that define them: a report's
/// provenance digests those files, so that a list changed by an overlay
/// is visible to a verifier.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    lists: BTreeMap<String, List>,
    /// The file (index into `files`) that defines each list in force.
    origins: BTreeMap<String, usize>,
    /// Name and text of every list file read, in load order.
    files: Vec<(String, String)>,
}

/// The lists a requirement's parameters name, by parameter: the key is the
/// parameter's name, or its dotted path inside a table parameter
/// (`role_instruments.processor`); the value holds the `@<id>` references
/// as written, in order.
pub type ListReferences = BTreeMap<String, Vec<String>>;

impl Lists {
    /// The embedded lists overlaid by each folder's `lists/`.
    pub fn load(overlays: &[PathBuf]) -> Result<Self> {
        let schema = tool_schema("list.schema.json")?;
        let mut lists = Lists::default();
        let mut add = |files: Vec<SuiteText>| -> Result<()> {
            for file in files {
                let (list, _): (List, _) = parse_checked(&file, &schema)?;
                lists.origins.insert(list.id.clone(), lists.files.len());
                lists.lists.insert(list.id.clone(), list);
                lists.files.push((file.name, file.text));
            }
            Ok(())
        };
        add(embedded_files("lists"))?;
        for dir in overlays {
            add(dir_files(dir, "lists")?)?;
        }
        Ok(lists)
    }

    /// The list `id`.
    pub fn get(&self, id: &str) -> Option<&List> {
        self.lists.get(id)
    }

    /// Every list, in ID order.
    pub fn iter(&self) -> impl Iterator<Item = &List> {
        self.lists.values()
    }

    /// Name and text of every file that defines a list in force, in load
    /// order: what a report's provenance digests. A file whose list an
    /// overlay replaced is not in force.
    pub fn files(&self) -> Vec<(&str, &str)> {
        let mut indices: Vec<usize> = self.origins.values().copied().collect();
        indices.sort_unstable();
        indices.dedup();
        indices
            .into_iter()
            .map(|i| (self.files[i].0.as_str(), self.files[i].1.as_str()))
            .collect()
    }

    /// `params` as a check reads them: every reference to a list in force
    /// replaced by the list's members (as [`Lists::expand`] does), with the
    /// references each parameter held. A report shows these, so that its
    /// reader sees the countries and schemes that were in force, not only
    /// a name whose content an overlay may have changed. A value that
    /// names an unknown list is left as written: the family that reads it
    /// reports the unknown list, with its file and line.
    pub fn expand_params(
        &self,
        params: &Map<String, Value>,
    ) -> (Map<String, Value>, ListReferences) {
        let mut references = ListReferences::new();
        let expanded = self.expand_table(params, "", &mut references);
        (expanded, references)
    }

    fn expand_table(
        &self,
        table: &Map<String, Value>,
        prefix: &str,
        references: &mut ListReferences,
    ) -> Map<String, Value> {
        table
            .iter()
            .map(|(key, value)| {
                let path = format!("{prefix}{key}");
                let value = match value {
                    Value::Object(inner) => {
                        Value::Object(self.expand_table(inner, &format!("{path}."), references))
                    }
                    other => match self.references_in(other) {
                        Some(named) => match self.expand(other) {
                            Ok(items) => {
                                references.insert(path, named);
                                Value::from(items)
                            }
                            Err(_) => other.clone(),
                        },
                        None => other.clone(),
                    },
                };
                (key.clone(), value)
            })
            .collect()
    }

    /// The references to lists in force that `value` holds, when it is a
    /// string or an array of strings holding at least one.
    fn references_in(&self, value: &Value) -> Option<Vec<String>> {
        let strings: Vec<&str> = match value {
            Value::String(text) => vec![text.as_str()],
            Value::Array(items) => items.iter().map(Value::as_str).collect::<Option<_>>()?,
            _ => return None,
        };
        let named: Vec<String> = strings
            .into_iter()
            .filter(|text| {
                text.strip_prefix('@')
                    .is_some_and(|id| self.lists.contains_key(id))
            })
            .map(str::to_owned)
            .collect();
        (!named.is_empty()).then_some(named)
    }

    /// `value` (a string or an array of strings) with every `@<id>`
    /// replaced by the list's members, sorted and without repeats; an
    /// unknown list or a non-string is an error naming it.
    pub fn expand(&self, value: &Value) -> std::result::Result<Vec<String>, String> {
        let items: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        let mut out = Vec::new();
        for item in items {
            let Some(text) = item.as_str() else {
                return Err(format!("`{item}` is not a string"));
            };
            match text.strip_prefix('@') {
                Some(id) => {
                    let list = self.get(id).ok_or_else(|| {
                        format!(
                            "unknown list `@{id}`; known lists: {}",
                            self.lists.keys().cloned().collect::<Vec<_>>().join(", ")
                        )
                    })?;
                    out.extend(list.items.iter().cloned());
                }
                None => out.push(text.to_owned()),
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn params(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not a table: {other}"),
        }
    }

    #[test]
    fn references_to_lists_in_force_are_expanded_and_kept() {
        let lists = Lists::load(&[]).expect("embedded lists");
        let eea = lists.get("eea").expect("the EEA list").items.clone();
        let (expanded, references) = lists.expand_params(&params(json!({
            "domestic": "@eea",
            "adequate": ["ZZ", "@eu-adequacy"],
            "default": "deny",
            "ignore_fields": ["id", "@context"],
            "role_instruments": { "processor": "@asean-mcc", "controller": ["x"] },
            "typo": "@no-such-list",
        })));
        let mut sorted_eea = eea;
        sorted_eea.sort();
        assert_eq!(expanded["domestic"], json!(sorted_eea));
        let adequate = expanded["adequate"].as_array().expect("expanded");
        assert!(adequate.contains(&json!("ZZ")) && adequate.contains(&json!("KR")));
        assert_eq!(expanded["default"], "deny");
        assert_eq!(expanded["ignore_fields"], json!(["id", "@context"]));
        assert_eq!(expanded["typo"], "@no-such-list");
        assert_eq!(expanded["role_instruments"]["controller"], json!(["x"]));
        assert!(expanded["role_instruments"]["processor"].is_array());
        assert_eq!(
            references,
            ListReferences::from([
                ("adequate".to_owned(), vec!["@eu-adequacy".to_owned()]),
                ("domestic".to_owned(), vec!["@eea".to_owned()]),
                (
                    "role_instruments.processor".to_owned(),
                    vec!["@asean-mcc".to_owned()]
                ),
            ])
        );
    }

    #[test]
    fn the_files_in_force_are_those_of_the_lists_in_force() {
        let lists = Lists::load(&[]).expect("embedded lists");
        let files = lists.files();
        assert_eq!(files.len(), lists.iter().count());
        assert!(
            files
                .iter()
                .any(|(name, _)| *name == "suites/lists/eu-adequacy.toml")
        );
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("lists")).expect("lists folder");
        std::fs::write(
            dir.path().join("lists/eea.toml"),
            "id = \"eea\"\ntitle = \"Smaller\"\nsource = \"test\"\nitems = [\"DE\"]\n",
        )
        .expect("write");
        let overlaid = Lists::load(&[dir.path().to_path_buf()]).expect("overlaid lists");
        let names: Vec<&str> = overlaid.files().into_iter().map(|(n, _)| n).collect();
        assert!(!names.contains(&"suites/lists/eea.toml"), "{names:?}");
        assert!(
            names
                .iter()
                .any(|n| n.ends_with("eea.toml") && n.contains("lists"))
        );
        assert_eq!(names.len(), lists.iter().count());
    }
}
