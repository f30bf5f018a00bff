//! Named lists that profile parameters refer to as `@<id>`: countries with
//! an adequacy decision, the EEA, a notified negative list, certification
//! schemes a regulator recognises. They change when governments decide,
//! not when cityconform is released, so they live in `suites/lists/*.toml`
//! and an overlay folder (`--suites DIR`, sub-folder `lists/`) replaces a
//! list by ID.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

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

/// Every list in force.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    lists: BTreeMap<String, List>,
}

impl Lists {
    /// The embedded lists overlaid by each folder's `lists/`.
    pub fn load(overlays: &[PathBuf]) -> Result<Self> {
        let schema = tool_schema("list.schema.json")?;
        let mut lists = Lists::default();
        let mut add = |files: Vec<SuiteText>| -> Result<()> {
            for file in &files {
                let (list, _): (List, _) = parse_checked(file, &schema)?;
                lists.lists.insert(list.id.clone(), list);
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
