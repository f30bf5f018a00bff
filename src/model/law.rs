//! The law a report reads: the day it was judged on (the evaluation date,
//! `--as-of`) and the named lists its parameters used, each with the day
//! it was last checked against its source. Every format shows both,
//! through [`Law::notice`], because a verdict on dated law means nothing
//! without its date.

use serde::{Deserialize, Serialize};

/// The evaluation date and the lists a run used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Law {
    /// The day the law was read on, `YYYY-MM-DD`: `--as-of`, or the day of
    /// the report time.
    pub as_of: String,
    /// The lists the selected profiles' parameters named, in ID order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lists: Vec<ListUsed>,
    /// Each profile of the run that a `--suites` folder replaced, or that
    /// builds on one, with what the replacement changed: a familiar name
    /// read differently is said in every format.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaced: Vec<crate::catalog::Replacement>,
    /// [`Law::notice`] as written when the report was made, so that a
    /// reader of the JSON report sees the same sentence as every other
    /// format.
    pub notice: String,
}

/// One named list a run used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListUsed {
    /// The list's ID (`@<id>` in parameters).
    pub id: String,
    /// One line.
    pub title: String,
    /// The decision or text it is read from.
    pub source: String,
    /// The day it was last checked against its source, if it says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// Why it may be out of date: older than a profile's `max_age`, or
    /// undated under a profile that sets one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Law {
    /// The law read on `as_of` (`YYYY-MM-DD`) with `lists`, sorted by ID,
    /// and its notice.
    pub fn new(as_of: String, mut lists: Vec<ListUsed>) -> Self {
        lists.sort_by(|a, b| a.id.cmp(&b.id));
        let mut law = Law {
            as_of,
            lists,
            replaced: Vec::new(),
            notice: String::new(),
        };
        law.notice = law.notice();
        law
    }

    /// The sentence every format carries: a technical reading of the law
    /// as of the evaluation date, not legal advice, with the lists used
    /// and their dates.
    pub fn notice(&self) -> String {
        let mut text = format!(
            "A technical reading of the law as of {}, not legal advice.",
            self.as_of
        );
        if !self.lists.is_empty() {
            let lists: Vec<String> = self
                .lists
                .iter()
                .map(|list| match &list.as_of {
                    Some(as_of) => format!("{} (as of {as_of})", list.id),
                    None => format!("{} (undated)", list.id),
                })
                .collect();
            text.push_str(&format!(" Lists used: {}.", lists.join(", ")));
        }
        text
    }

    /// Every warning about the law read: each replaced profile with what
    /// changed, then each list's, each naming its profile or list.
    pub fn warnings(&self) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
        let replaced = self.replaced.iter().map(|r| r.warning().into());
        let lists = self
            .lists
            .iter()
            .flat_map(|list| list.warnings.iter().map(|w| w.as_str().into()));
        replaced.chain(lists)
    }

    /// Adds `other`'s lists (one job of a merged run): the same list once,
    /// with every warning either had.
    pub fn absorb(&mut self, other: Law) {
        for list in other.lists {
            match self.lists.iter_mut().find(|l| l.id == list.id) {
                Some(known) => {
                    for warning in list.warnings {
                        if !known.warnings.contains(&warning) {
                            known.warnings.push(warning);
                        }
                    }
                }
                None => self.lists.push(list),
            }
        }
        for replacement in other.replaced {
            if !self.replaced.contains(&replacement) {
                self.replaced.push(replacement);
            }
        }
        self.lists.sort_by(|a, b| a.id.cmp(&b.id));
        self.notice = self.notice();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(id: &str, as_of: Option<&str>, warning: Option<&str>) -> ListUsed {
        ListUsed {
            id: id.to_owned(),
            title: "t".to_owned(),
            source: "s".to_owned(),
            as_of: as_of.map(str::to_owned),
            warnings: warning.into_iter().map(str::to_owned).collect(),
        }
    }

    #[test]
    fn the_notice_names_the_date_and_every_list_with_its_date() {
        let mut law = Law::new("2026-01-01".to_owned(), Vec::new());
        assert_eq!(law.notice, law.notice());
        assert_eq!(
            law.notice(),
            "A technical reading of the law as of 2026-01-01, not legal advice."
        );
        law.lists = vec![list("eea", Some("2025-01-01"), None), list("x", None, None)];
        assert_eq!(
            law.notice(),
            "A technical reading of the law as of 2026-01-01, not legal advice. Lists used: eea (as of 2025-01-01), x (undated)."
        );
    }

    #[test]
    fn absorbing_keeps_each_list_once_with_every_warning() {
        let mut law = Law::new("d".to_owned(), vec![list("b", None, Some("w1"))]);
        law.absorb(Law::new(
            "d".to_owned(),
            vec![list("b", None, Some("w2")), list("a", None, None)],
        ));
        assert!(
            law.notice.contains("a (undated), b (undated)"),
            "{}",
            law.notice
        );
        let ids: Vec<&str> = law.lists.iter().map(|l| l.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(law.warnings().collect::<Vec<_>>(), ["w1", "w2"]);
    }
}
