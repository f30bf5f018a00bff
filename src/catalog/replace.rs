//! A `--suites` folder may replace a profile defined before it (bundled,
//! or in an earlier folder) only by saying so, `replaces = "ID"`, and
//! every report of a run under it says what the replacement changed,
//! requirement by requirement. A familiar name such as `kr` must not
//! quietly come to mean a weaker reading.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Catalogue, Profile, ResolvedProfile, TomlSource};
use crate::error::Result;

/// Which file replaced which, for one profile ID.
#[derive(Debug, Clone)]
pub(super) struct Replaced {
    /// The file of the definition replaced.
    earlier: String,
    /// The file of the definition in force.
    by: String,
}

/// What replacing profiles changed in one profile a run uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replacement {
    /// The profile the run uses.
    pub profile: String,
    /// One line per profile of its lineage that a folder replaced: which
    /// file replaced which.
    pub replaced: Vec<String>,
    /// Requirement by requirement, how the profile in force differs from
    /// the one first defined: dropped, added, another level, another
    /// parameter. Empty when the replacement changed nothing a run checks.
    pub changes: Vec<String>,
}

impl Replacement {
    /// One sentence for a report's warnings.
    pub fn warning(&self) -> String {
        let changes = if self.changes.is_empty() {
            "it changes no requirement".to_owned()
        } else {
            self.changes.join("; ")
        };
        format!(
            "profile `{}` is not the one first defined: {}. Against it: {changes}",
            self.profile,
            self.replaced.join("; ")
        )
    }
}

impl Catalogue {
    /// Admits `profile` from `source`: a new ID is recorded as first
    /// defined; an ID already defined is replaced only when the profile
    /// says `replaces` with its own ID.
    pub(super) fn admit_replacement(
        &mut self,
        profile: &Profile,
        source: &TomlSource,
    ) -> Result<()> {
        let id = &profile.id;
        let earlier = self
            .origins
            .get(&format!("profile:{id}"))
            .map(|origin| self.sources[origin.source].name.clone());
        match (earlier, profile.replaces.as_deref()) {
            (None, None) => {
                self.first_profiles.insert(id.clone(), profile.clone());
                Ok(())
            }
            (None, Some(named)) => Err(source
                .problem(
                    "/replaces",
                    format!("replaces `{named}`, but no profile `{named}` is defined before this file"),
                )
                .with_help(format!(
                    "remove `replaces` to define a new profile; known profiles: {}",
                    self.profile_names()
                ))
                .into()),
            (Some(_), Some(named)) if named != id => Err(source
                .problem(
                    "/replaces",
                    format!("`replaces` names `{named}`, but this profile's ID is `{id}`"),
                )
                .with_help(format!(
                    "a profile replaces only the profile of its own ID: write `replaces = \"{id}\"`, or build on `{named}` with `extends = \"{named}\"`"
                ))
                .into()),
            (Some(earlier), None) => Err(source
                .problem(
                    "/id",
                    format!("profile `{id}` is already defined in {earlier}"),
                )
                .with_help(format!(
                    "to build on it, give this profile its own ID and `extends = \"{id}\"`; to change what `{id}` means in every run, add `replaces = \"{id}\"` (every report then lists what changed)"
                ))
                .into()),
            (Some(earlier), Some(_)) => {
                self.replaced.insert(
                    id.clone(),
                    Replaced {
                        earlier,
                        by: source.name.clone(),
                    },
                );
                Ok(())
            }
        }
    }

    /// What replacements along the lineage of profile `id` changed in it,
    /// or `None` when no profile of its lineage was replaced.
    pub fn replacement(&self, id: &str) -> Result<Option<Replacement>> {
        let now = self.resolve(id)?;
        let replaced: Vec<String> = now
            .lineage
            .iter()
            .filter_map(|layer| {
                let r = self.replaced.get(layer)?;
                Some(format!("`{layer}` from {} replaces {}", r.by, r.earlier))
            })
            .collect();
        if replaced.is_empty() {
            return Ok(None);
        }
        let changes = match self.resolve_in(&self.first_profiles, &now.id) {
            Ok(first) => changes(&first, &now),
            Err(error) => vec![format!(
                "the profile first defined cannot be resolved: {error}"
            )],
        };
        Ok(Some(Replacement {
            profile: now.id,
            replaced,
            changes,
        }))
    }
}

/// How `now` differs from `first`: one line per requirement that differs,
/// in ID order, such as `ANON-KANON-01: SHOULD (was MUST), k = 3 (was 5)`.
fn changes(first: &ResolvedProfile, now: &ResolvedProfile) -> Vec<String> {
    let ids = first.ids_with(now);
    let mut out = Vec::new();
    for id in ids {
        let parts = match (first.selection(id), now.selection(id)) {
            (Some(was), None) => vec![format!("dropped (was {})", was.level.as_str())],
            (None, Some(is)) => vec![format!("added at {}", is.level.as_str())],
            (Some(was), Some(is)) => {
                let mut parts = Vec::new();
                if was.level != is.level {
                    parts.push(format!(
                        "{} (was {})",
                        is.level.as_str(),
                        was.level.as_str()
                    ));
                }
                parts.extend(param_changes(&was.params, &is.params));
                parts
            }
            (None, None) => Vec::new(),
        };
        if !parts.is_empty() {
            out.push(format!("{id}: {}", parts.join(", ")));
        }
    }
    out
}

/// Each parameter whose value differs, as `key = NOW (was FIRST)`.
fn param_changes(first: &Map<String, Value>, now: &Map<String, Value>) -> Vec<String> {
    let mut keys: Vec<&String> = first.keys().chain(now.keys()).collect();
    keys.sort_unstable();
    keys.dedup();
    keys.into_iter()
        .filter(|key| !same(first.get(*key), now.get(*key)))
        .map(|key| {
            format!(
                "{key} = {} (was {})",
                shown(now.get(key)),
                shown(first.get(key))
            )
        })
        .collect()
}

/// Whether two parameter values say the same: lists are compared as sets
/// of members, since their order changes no check.
fn same(a: Option<&Value>, b: Option<&Value>) -> bool {
    match (a, b) {
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            let members = |items: &[Value]| {
                let mut shown: Vec<String> = items.iter().map(Value::to_string).collect();
                shown.sort_unstable();
                shown
            };
            members(a) == members(b)
        }
        _ => a == b,
    }
}

/// A parameter value short enough for one line of a warning: a long list
/// or table is named by its size, since the profile files hold it whole.
fn shown(value: Option<&Value>) -> String {
    const LONGEST: usize = 40;
    let Some(value) = value else {
        return "unset".to_owned();
    };
    let text = value.to_string();
    match value {
        _ if text.len() <= LONGEST => text,
        Value::Array(items) => format!("a list of {}", items.len()),
        Value::Object(fields) => format!("a table of {} keys", fields.len()),
        _ => format!("{}...", text.chars().take(LONGEST).collect::<String>()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overlay(profile: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::create_dir(dir.path().join("profiles")).expect("profiles folder");
        std::fs::write(dir.path().join("profiles/p.toml"), profile).expect("profile file");
        dir
    }

    #[test]
    fn a_profile_with_a_bundled_id_is_refused_without_replaces() {
        let dir = overlay(
            "id = \"kr\"\ntitle = \"Busan\"\ndescription = \"A local reading.\"\nextends = \"baseline\"\n",
        );
        let error = Catalogue::load(&[dir.path().to_path_buf()]).expect_err("refused");
        let text = error.to_string();
        assert!(
            text.contains("profile `kr` is already defined in suites/profiles/kr.toml"),
            "{text}"
        );
    }

    #[test]
    fn a_replacement_lists_what_it_changed_requirement_by_requirement() {
        let dir = overlay(
            "id = \"kr\"\nreplaces = \"kr\"\ntitle = \"Busan\"\ndescription = \"A local reading.\"\nextends = \"baseline\"\n",
        );
        let catalogue = Catalogue::load(&[dir.path().to_path_buf()]).expect("loads");
        let replacement = catalogue
            .replacement("kr")
            .expect("resolves")
            .expect("replaced");
        assert_eq!(replacement.replaced.len(), 1);
        assert!(
            replacement
                .changes
                .iter()
                .any(|c| c == "FLOW-PSEUDO-01: dropped (was MUST)"),
            "{:?}",
            replacement.changes
        );
        assert!(catalogue.replacement("eu").expect("resolves").is_none());
    }

    #[test]
    fn replaces_must_name_the_profiles_own_id() {
        let dir = overlay(
            "id = \"kr\"\nreplaces = \"eu\"\ntitle = \"Busan\"\ndescription = \"A local reading.\"\n",
        );
        let text = Catalogue::load(&[dir.path().to_path_buf()])
            .expect_err("refused")
            .to_string();
        assert!(
            text.contains("`replaces` names `eu`, but this profile's ID is `kr`"),
            "{text}"
        );
    }
}
