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

use jsonschema::error::ValidationErrorKind;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::catalog::load::{
    SuiteText, dir_files, embedded_files, parse_checked_with, plain_pattern, tool_schema,
};
use crate::dates::Day;
use crate::error::{Error, FileProblem, Result};

/// One list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct List {
    /// Stable ID, referred to as `@<id>`.
    pub id: String,
    /// One line.
    pub title: String,
    /// The decision or text it is read from.
    pub source: String,
    /// When it was last checked against its source: a report names it,
    /// and warns when it is older than a profile's `max_age`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// Anything the reader should know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Members in force whatever the date, with no carve-out.
    #[serde(default)]
    pub items: Vec<String>,
    /// Members with their own dates, source or carve-outs (`[[item]]`).
    #[serde(default, rename = "item", skip_serializing_if = "Vec::is_empty")]
    pub dated: Vec<ListItem>,
}

/// Members of a list that carry their own dates or carve-outs: a
/// recognition in force from a given day, one that covers only some data
/// or only some recipients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListItem {
    /// The members (country codes, schemes) these terms apply to.
    pub values: Vec<String>,
    /// The first day they are in force, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<String>,
    /// The last day they are in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_until: Option<String>,
    /// The decision they come from, when not the list's own source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Anything the reader should know.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The carve-outs that narrow what the members cover.
    #[serde(default, flatten)]
    pub carve_out: CarveOut,
    /// The DPV concept the members are law-specific names of (the
    /// `legal-bases` vocabulary): checks judge a flow's legal basis by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concept: Option<String>,
}

/// What a member does not cover. Empty: it covers everything its list
/// stands for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CarveOut {
    /// Data categories the member does not cover: a flow carrying one of
    /// them cannot rest on it (Korea's recognition of the EU excludes
    /// resident registration numbers and credit information).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub except_categories: Vec<String>,
    /// The member covers only recipients certified under one of these
    /// schemes (US adequacy: the EU-US Data Privacy Framework).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub only_certified: Vec<String>,
}

impl CarveOut {
    /// Whether the member covers everything its list stands for.
    pub fn is_empty(&self) -> bool {
        self.except_categories.is_empty() && self.only_certified.is_empty()
    }
}

/// One member of a list in force on a day: its value and what it does not
/// cover. In expanded parameters a member without carve-out is its value
/// (a string), one with a carve-out an object with `value` and the
/// carve-out's fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// The country code, scheme or instrument.
    pub value: String,
    /// What it does not cover.
    #[serde(flatten)]
    pub carve_out: CarveOut,
}

impl Member {
    fn plain(value: &str) -> Self {
        Member {
            value: value.to_owned(),
            carve_out: CarveOut::default(),
        }
    }

    /// The member as parameters hold it: its value, or an object when it
    /// has a carve-out.
    pub fn to_value(&self) -> Value {
        if self.carve_out.is_empty() {
            Value::String(self.value.clone())
        } else {
            serde_json::to_value(self).unwrap_or_else(|_| Value::String(self.value.clone()))
        }
    }

    /// A member as parameters hold it (a string, or an object with
    /// `value`).
    fn from_value(value: &Value) -> std::result::Result<Self, String> {
        match value {
            Value::String(text) => Ok(Member::plain(text)),
            Value::Object(_) => serde_json::from_value(value.clone()).map_err(|e| {
                format!(
                    "`{value}` is not a list member (a string, or `value` with carve-outs): {e}"
                )
            }),
            other => Err(format!("`{other}` is not a string")),
        }
    }
}

impl List {
    /// The members in force on `day` (every member when `day` is `None`),
    /// sorted, without repeats.
    pub fn members_on(&self, day: Option<Day>) -> Vec<Member> {
        let mut out: Vec<Member> = self.items.iter().map(|v| Member::plain(v)).collect();
        for item in self.dated.iter().filter(|item| item.in_force(day)) {
            out.extend(item.values.iter().map(|value| Member {
                value: value.clone(),
                carve_out: item.carve_out.clone(),
            }));
        }
        out.sort();
        out.dedup();
        out
    }
}

impl ListItem {
    /// Whether these members are in force on `day` (always without a
    /// day). Dates were checked when the list was loaded.
    fn in_force(&self, day: Option<Day>) -> bool {
        let Some(day) = day else {
            return true;
        };
        let parse = |date: &Option<String>| date.as_deref().and_then(|d| Day::parse(d).ok());
        parse(&self.effective_from).is_none_or(|from| from <= day)
            && parse(&self.effective_until).is_none_or(|until| day <= until)
    }
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
    /// The day members are taken in force on; `None`: every member.
    day: Option<Day>,
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
                let (list, source): (List, _) = parse_checked_with(&file, &schema, list_problem)?;
                check_dates(&list, &source)?;
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

    /// These lists as they stand on `day`: a member is in force from its
    /// `effective_from` to its `effective_until`, both included. Every
    /// expansion of the copy returned (parameters, the checks built from
    /// them) then takes only those members.
    pub fn on(&self, day: Day) -> Lists {
        Lists {
            day: Some(day),
            ..self.clone()
        }
    }

    /// The day these lists are read on, if one was set.
    pub fn day(&self) -> Option<Day> {
        self.day
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
                        Some(named) => match self.expand_members(other) {
                            Ok(members) => {
                                references.insert(path, named);
                                Value::Array(members.iter().map(Member::to_value).collect())
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
    /// replaced by the list's members in force, sorted and without
    /// repeats; an unknown list, a non-string, or a member with a
    /// carve-out (which only a parameter reading members can honour) is
    /// an error naming it.
    pub fn expand(&self, value: &Value) -> std::result::Result<Vec<String>, String> {
        self.expand_members(value)?
            .into_iter()
            .map(|member| {
                if member.carve_out.is_empty() {
                    Ok(member.value)
                } else {
                    Err(format!(
                        "member `{}` has a carve-out, which this parameter cannot honour; list it without one",
                        member.value
                    ))
                }
            })
            .collect()
    }

    /// As [`Lists::expand`], keeping each member's carve-out: `value` may
    /// also hold members already expanded (objects with `value`).
    pub fn expand_members(&self, value: &Value) -> std::result::Result<Vec<Member>, String> {
        let items: Vec<&Value> = match value {
            Value::Array(items) => items.iter().collect(),
            single => vec![single],
        };
        let mut out = Vec::new();
        for item in items {
            match item.as_str().and_then(|text| text.strip_prefix('@')) {
                Some(id) => {
                    let list = self.get(id).ok_or_else(|| {
                        format!(
                            "unknown list `@{id}`; known lists: {}",
                            self.lists.keys().cloned().collect::<Vec<_>>().join(", ")
                        )
                    })?;
                    out.extend(list.members_on(self.day));
                }
                None => out.push(Member::from_value(item)?),
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

/// A list file's schema violation, said plainly: a list that names no
/// members at all says what to add.
fn list_problem(error: &jsonschema::ValidationError<'_>, problem: FileProblem) -> FileProblem {
    let at_root = error.instance_path().as_str().is_empty();
    if at_root && matches!(error.kind(), ValidationErrorKind::AnyOf { .. }) {
        FileProblem {
            message: "the list names no members".to_owned(),
            ..problem
        }
        .with_help("add `items = [...]` for members in force whatever the date, or an `[[item]]` table with `values` and their dates")
    } else if let Some(plain) = super::vocabulary::plain_concept(error, &problem) {
        plain
    } else {
        plain_pattern(error, problem)
    }
}

/// What a list's schema cannot say about its dates: each is a real
/// calendar day, and no item ends before it begins.
fn check_dates(list: &List, source: &super::TomlSource) -> Result<()> {
    let mut problems: Vec<FileProblem> = Vec::new();
    let mut day = |pointer: String, text: &Option<String>| -> Option<Day> {
        let text = text.as_deref()?;
        match Day::parse(text) {
            Ok(day) => Some(day),
            Err(message) => {
                problems.push(source.problem(&pointer, message).with_help(DATE_HELP));
                None
            }
        }
    };
    day("/as_of".to_owned(), &list.as_of);
    let mut reversed = Vec::new();
    for (i, item) in list.dated.iter().enumerate() {
        let from = day(format!("/item/{i}/effective_from"), &item.effective_from);
        let until = day(format!("/item/{i}/effective_until"), &item.effective_until);
        if let (Some(from), Some(until)) = (from, until)
            && until < from
        {
            reversed.push((i, from, until));
        }
    }
    problems.extend(super::vocabulary::conflicts(list, source));
    for (i, from, until) in reversed {
        problems.push(
            source
                .problem(
                    &format!("/item/{i}/effective_until"),
                    format!("`effective_until` {until} is before `effective_from` {from}"),
                )
                .with_help(
                    "an item is in force from `effective_from` to `effective_until`, both included",
                ),
        );
    }
    Error::unless_problems(problems)
}

const DATE_HELP: &str = "write the day as YYYY-MM-DD; see schemas/tool/list.schema.json";

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
    fn dated_members_are_in_force_from_their_first_to_their_last_day() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(dir.path().join("lists")).expect("lists folder");
        std::fs::write(
            dir.path().join("lists/dated.toml"),
            "id = \"dated\"\ntitle = \"Dated\"\nsource = \"test\"\nitems = [\"AA\"]\n\n[[item]]\nvalues = [\"BB\"]\neffective_from = \"2025-09-16\"\neffective_until = \"2025-12-31\"\nexcept_categories = [\"dpv-pd:CreditRecord\"]\n",
        )
        .expect("write");
        let lists = Lists::load(&[dir.path().to_path_buf()]).expect("lists");
        let on = |day: &str| {
            let day = Day::parse(day).expect("a day");
            lists
                .on(day)
                .expand_members(&Value::from("@dated"))
                .expect("known list")
                .into_iter()
                .map(|m| m.to_value())
                .collect::<Vec<_>>()
        };
        let bb = json!({ "value": "BB", "except_categories": ["dpv-pd:CreditRecord"] });
        assert_eq!(on("2025-09-15"), [json!("AA")]);
        assert_eq!(on("2025-09-16"), [json!("AA"), bb.clone()]);
        assert_eq!(on("2025-12-31"), [json!("AA"), bb]);
        assert_eq!(on("2026-01-01"), [json!("AA")]);
        let err = lists
            .on(Day::parse("2025-10-01").expect("a day"))
            .expand(&Value::from("@dated"))
            .expect_err("a carve-out where only values are read");
        assert!(err.contains("member `BB` has a carve-out"), "{err}");
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
