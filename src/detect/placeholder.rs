//! Names that are data. A member name, a CSV header cell or a segment of a
//! JSON pointer can hold an e-mail address or a phone number as easily as
//! a value can (a contact list keyed by phone number, a CSV whose header
//! row is missing). Wherever the tool shows such a name (a finding's
//! pointer, a dataset column, an error message), it shows it through
//! here: a name that holds a detectable identifier becomes the placeholder
//! of the first kind found (`[phone-kr]`), never the name itself.
//!
//! Every kind is looked for (the run's definitions, overlays included,
//! once the suites are loaded), whatever a profile selects: which identifiers
//! a profile forbids is its own business, but no report or message of the
//! tool repeats one. The placeholders hold no part of the name, and
//! themselves hold no identifier, so showing a name twice changes nothing.

use std::borrow::Cow;
use std::sync::OnceLock;

use super::definitions::{DefinitionError, Definitions};
use super::identifiers::{Detectors, IdentifierKind};

/// The detectors of the run's definitions, once [`use_definitions`] set
/// them: a region's own kinds are hidden too.
static RUN: OnceLock<Detectors> = OnceLock::new();

/// Every detector, compiled once for the whole process: the run's
/// definitions if set, else the embedded ones.
fn every_detector() -> &'static Detectors {
    static EMBEDDED: OnceLock<Detectors> = OnceLock::new();
    RUN.get().unwrap_or_else(|| {
        EMBEDDED.get_or_init(|| Detectors::new(&Definitions::embedded().kinds()))
    })
}

/// Names are scanned with every kind `definitions` define (embedded and
/// overlays), so that a kind a region added is never shown either. The
/// first call of a process decides: a process runs one set of suites.
pub fn use_definitions(definitions: &Definitions) -> Result<(), DefinitionError> {
    if RUN.get().is_none() {
        let detectors = Detectors::from_definitions(
            definitions,
            &definitions.kinds(),
            super::identifiers::Confidence::Medium,
        )?;
        let _ = RUN.set(detectors);
    }
    Ok(())
}

/// The kinds of identifier `name` holds, in kind order (empty for most
/// names).
pub fn kinds(name: &str) -> Vec<IdentifierKind> {
    every_detector()
        .scan(name)
        .into_iter()
        .map(|d| d.kind)
        .collect()
}

/// The placeholder shown instead of `name` when it holds an identifier.
pub fn placeholder(name: &str) -> Option<String> {
    kinds(name).first().map(|kind| of_kind(*kind))
}

/// `kind`'s description with its article, for a message that names what
/// a hidden name holds.
pub fn with_article(kind: IdentifierKind) -> String {
    every_detector().with_article(kind)
}

/// The placeholder of `kind`: its catalogue name in brackets.
pub fn of_kind(kind: IdentifierKind) -> String {
    format!("[{}]", kind.as_str())
}

/// The placeholder of the first kind `text` holds as the value of
/// `member` (whose name is context, as for a record's values: a bare
/// eight-digit value under `telephone` is a phone), if it holds one.
pub fn of_value(member: Option<&str>, text: &str) -> Option<String> {
    every_detector()
        .scan_in(member, text)
        .first()
        .map(|d| of_kind(d.kind))
}

/// `name` as it may be shown: itself, or its placeholder.
pub fn shown(name: &str) -> Cow<'_, str> {
    match placeholder(name) {
        Some(placeholder) => Cow::Owned(placeholder),
        None => Cow::Borrowed(name),
    }
}

/// One segment of a pointer that is not shown: as written in the pointer
/// (`~0` and `~1` escaped), as the name it stands for, and its placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hidden {
    /// The segment as the pointer spells it.
    pub written: String,
    /// The member name it stands for.
    pub name: String,
    /// What is shown instead.
    pub placeholder: String,
}

/// The segments of `pointer` that hold an identifier. A segment is read
/// as the member name it stands for (`~1` is `/`, `~0` is `~`).
pub fn hidden_segments(pointer: &str) -> Vec<Hidden> {
    let mut hidden: Vec<Hidden> = Vec::new();
    for written in pointer.split('/').skip(1) {
        let name = written.replace("~1", "/").replace("~0", "~");
        if hidden.iter().any(|h| h.written == written) {
            continue;
        }
        if let Some(placeholder) = placeholder(&name) {
            hidden.push(Hidden {
                written: written.to_owned(),
                name,
                placeholder,
            });
        }
    }
    hidden
}

/// The parts of `url`'s path and query (between `/`, `?`, `&`, `=` and
/// `#`) that hold an identifier, each with its placeholder: a collection
/// ID, a GBFS feed URL or a `next` link a server wrote becomes a finding's
/// location, and a server's words are data. The scheme and host, which
/// the user named, are not scanned.
pub fn url_parts(url: &str) -> Vec<(String, String)> {
    let Some(path_at) = path_start(url) else {
        return Vec::new();
    };
    let mut parts: Vec<(String, String)> = Vec::new();
    for part in url[path_at..].split(|c| "/?&=#".contains(c)) {
        if part.is_empty() || parts.iter().any(|(raw, _)| raw == part) {
            continue;
        }
        if let Some(shown) = placeholder(part) {
            parts.push((part.to_owned(), shown));
        }
    }
    parts
}

/// Where the path starts in a URL (`https://host/path`) or in a live
/// request's label (`GET /path (as A)`); `None` for anything else, such
/// as a local file's path, which the user named.
fn path_start(text: &str) -> Option<usize> {
    if let Some(i) = text.find("://") {
        return text[i + 3..].find('/').map(|j| i + 3 + j);
    }
    let (method, rest) = text.split_once(' ')?;
    let is_method = !method.is_empty() && method.bytes().all(|b| b.is_ascii_uppercase());
    (is_method && rest.starts_with('/')).then_some(method.len() + 1)
}

/// `text` with every raw part of [`url_parts`] replaced by its
/// placeholder: the URL itself, or a message or evidence quoting it.
pub fn hide_parts<'a>(text: &'a str, parts: &[(String, String)]) -> Cow<'a, str> {
    if !parts.iter().any(|(raw, _)| text.contains(raw.as_str())) {
        return Cow::Borrowed(text);
    }
    let mut out = text.to_owned();
    for (raw, shown) in parts {
        out = out.replace(raw.as_str(), shown);
    }
    Cow::Owned(out)
}

/// `url` with every part that holds an identifier replaced by its
/// placeholder (see [`url_parts`]).
pub fn url(url: &str) -> Cow<'_, str> {
    let parts = url_parts(url);
    if parts.is_empty() {
        return Cow::Borrowed(url);
    }
    let (origin, path) = url.split_at(path_start(url).unwrap_or(url.len()));
    Cow::Owned(format!("{origin}{}", hide_parts(path, &parts)))
}

/// `pointer` with every segment that holds an identifier replaced by its
/// placeholder; the pointer itself when none does.
pub fn pointer(pointer: &str) -> Cow<'_, str> {
    if !pointer.contains('/') {
        return Cow::Borrowed(pointer);
    }
    let hidden = hidden_segments(pointer);
    if hidden.is_empty() {
        return Cow::Borrowed(pointer);
    }
    let segments: Vec<&str> = pointer
        .split('/')
        .skip(1)
        .map(|segment| {
            hidden
                .iter()
                .find(|h| h.written == segment)
                .map_or(segment, |h| h.placeholder.as_str())
        })
        .collect();
    let mut out = String::with_capacity(pointer.len());
    for segment in segments {
        out.push('/');
        out.push_str(segment);
    }
    Cow::Owned(out)
}

/// `text` (a message or an evidence string about the place `pointer`)
/// with the pointer and every hidden segment of it, in either spelling,
/// replaced: a message that quotes where it found something shows the
/// same placeholders as the finding's location.
pub fn scrub(text: &str, pointer_text: &str, hidden: &[Hidden]) -> String {
    if hidden.is_empty() {
        return text.to_owned();
    }
    let mut out = text.replace(pointer_text, &pointer(pointer_text));
    // Longer spellings first, so that a name never leaves a part of itself.
    let mut spellings: Vec<(&str, &str)> = hidden
        .iter()
        .flat_map(|h| {
            [
                (h.written.as_str(), h.placeholder.as_str()),
                (h.name.as_str(), h.placeholder.as_str()),
            ]
        })
        .collect();
    spellings.sort_by_key(|(spelling, _)| std::cmp::Reverse(spelling.len()));
    for (spelling, placeholder) in spellings {
        if !spelling.is_empty() && out.contains(spelling) {
            out = out.replace(spelling, placeholder);
        }
    }
    out
}

/// At most `limit` of `names`, each as it may be shown, and how many are
/// left out: a list of names (a header of a hundred thousand columns)
/// bounded in length whatever the input.
pub fn bounded<'n>(
    names: impl ExactSizeIterator<Item = &'n str>,
    limit: usize,
) -> (Vec<String>, usize) {
    let total = names.len();
    let shown_names = names.take(limit).map(|n| shown(n).into_owned()).collect();
    (shown_names, total.saturating_sub(limit))
}

/// [`bounded`] as one text: `a, b, c, and 7 more`.
pub fn bounded_list<'n>(names: impl ExactSizeIterator<Item = &'n str>, limit: usize) -> String {
    let (mut out, more) = bounded(names, limit);
    if more > 0 {
        out.push(format!("and {more} more"));
    }
    out.join(", ")
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_url_shows_placeholders_for_identifiers_in_its_path_and_query_but_keeps_its_host() {
        assert_eq!(
            url(
                "http://192.0.2.10:8080/collections/010-2345-6789/items?owner=kim@example.org&limit=5"
            ),
            "http://192.0.2.10:8080/collections/[phone-kr]/items?owner=[email]&limit=5"
        );
        assert_eq!(
            url("GET /collections/010-2345-6789/items (as A)"),
            "GET /collections/[phone-kr]/items (as A)"
        );
        assert_eq!(
            url("payloads/010-2345-6789.json"),
            "payloads/010-2345-6789.json"
        );
        let plain = "https://data.city.example/ngsi-ld/v1/entities?type=AirQualityObserved";
        assert!(matches!(url(plain), Cow::Borrowed(_)));
        assert_eq!(url(plain), plain);
    }

    use super::*;

    #[test]
    fn names_with_identifiers_become_their_kind() {
        assert_eq!(shown("010-2345-6789"), "[phone-kr]");
        assert_eq!(shown("kim@example.org"), "[email]");
        assert_eq!(shown("contacts"), "contacts");
        assert_eq!(placeholder("[email]"), None, "a placeholder is shown as is");
    }

    #[test]
    fn pointer_segments_are_replaced_one_by_one() {
        assert_eq!(
            pointer("/contacts/010-2345-6789"),
            "/contacts/[phone-kr]",
            "the member name is replaced, its parent kept"
        );
        assert_eq!(pointer("/a/0/b"), "/a/0/b");
        assert_eq!(pointer(""), "");
        // An escaped slash inside the name: the segment is read unescaped.
        assert_eq!(pointer("/x/kim~1ops@example.org/y"), "/x/[email]/y");
    }

    #[test]
    fn scrub_replaces_every_spelling_in_a_message() {
        let at = "/m/kim~1ops@example.org";
        let hidden = hidden_segments(at);
        let message = format!("`{at}` holds; unexpected 'kim/ops@example.org'");
        assert_eq!(
            scrub(&message, at, &hidden),
            "`/m/[email]` holds; unexpected '[email]'"
        );
    }

    #[test]
    fn bounded_list_counts_what_it_leaves_out() {
        let names = ["a", "kim@example.org", "c", "d"];
        assert_eq!(
            bounded_list(names.iter().copied(), 2),
            "a, [email], and 2 more"
        );
        assert_eq!(bounded_list(names.iter().copied(), 9), "a, [email], c, d");
    }
}
