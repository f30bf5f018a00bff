//! Detector definitions as data: `suites/detectors/*.toml`, one detector per
//! kind of identifier, each with the forms it is written in (a pattern, the
//! boundaries that make it a whole token, the confidence a match earns), an
//! optional named validator (`Validator`), and the member names and words
//! that say a value is (or, in `[ordinary]`, is not) such an identifier.
//!
//! This module reads and checks definitions; [`super::identifiers`]
//! compiles and runs them. The embedded defaults are parsed once, on first
//! use; a run's suites (embedded or overlaid) are parsed by the harness and
//! handed down as a [`Definitions`] value, since detectors sit below it.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::catalog::Catalogue;

use super::identifiers::{Confidence, IdentifierKind};
use super::validators::Validator;

/// Where a token starts and ends around a form's pattern: the characters
/// that may not touch it. The `regex` crate has no look-around, so each is
/// written as a pair of groups that consume the neighbouring character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Boundary {
    /// Not glued to other digits, nor to a decimal point next to a digit
    /// (`0.0212345678` is one number); letters may touch (`no.850714-…`).
    Number,
    /// As a number, and not touching a letter either, nor joined by `-`,
    /// `_`, `.` or `:` to a letter or digit: a hex or alphanumeric run
    /// (`sensor-9876543210`, a 64-hex vehicle id) is one token. Nor after
    /// a `+`: digits after a country code belong to that country's form.
    Token,
    /// A document code: no letter, digit, `_` or `-` on either side (the
    /// first group of an upper-case UUID is not a passport).
    Code,
    /// No ASCII letter or digit on either side (plates, where a Korean
    /// particle may follow).
    Word,
    /// As `word`, and no Hangul syllable after (spaced plates: `12명
    /// 2024년` is prose).
    WordThenNoSyllable,
    /// No hex digit or `:` on either side (six colon-separated pairs).
    ColonGroup,
    /// No hex digit or `-` on either side.
    DashGroup,
    /// No hex digit or `.` on either side.
    DotGroup,
    /// The pattern carries its own boundaries (anchors, a trailing group).
    None,
}

impl Boundary {
    /// The groups before and after the core.
    pub(crate) fn groups(self) -> (&'static str, &'static str) {
        match self {
            Boundary::Number => (r"(?:^|[^0-9.]|[^0-9]\.)", r"(?:$|[^0-9.]|\.$|\.[^0-9])"),
            Boundary::Token => (
                r"(?:^|[^0-9A-Za-z._:+-]|[^0-9A-Za-z][._:-])",
                r"(?:$|[^0-9A-Za-z._:-]|[._:-]$|[._:-][^0-9A-Za-z])",
            ),
            Boundary::Code => (r"(?:^|[^0-9A-Za-z_-])", r"(?:$|[^0-9A-Za-z_-])"),
            Boundary::Word => (r"(?:^|[^0-9A-Za-z])", r"(?:$|[^0-9A-Za-z])"),
            Boundary::WordThenNoSyllable => (r"(?:^|[^0-9A-Za-z])", r"(?:$|[^0-9A-Za-z가-힣])"),
            Boundary::ColonGroup => (r"(?:^|[^0-9A-Za-z:])", r"(?:$|[^0-9A-Za-z:])"),
            Boundary::DashGroup => (r"(?:^|[^0-9A-Za-z-])", r"(?:$|[^0-9A-Za-z-])"),
            Boundary::DotGroup => (r"(?:^|[^0-9A-Za-z.])", r"(?:$|[^0-9A-Za-z.])"),
            Boundary::None => ("", ""),
        }
    }

    /// The character tests equal to [`Boundary::groups`]; `None` for
    /// [`Boundary::None`], whose pattern is matched whole.
    fn sides(self) -> Option<Sides> {
        Some(match self {
            Boundary::Number => Sides {
                before_one: not_digit_or_dot,
                before_pair: Some((not_digit, is_dot)),
                after_one: not_digit_or_dot,
                after_then: Some((is_dot, not_digit)),
            },
            Boundary::Token => Sides {
                before_one: not_alnum_joiner_or_plus,
                before_pair: Some((not_alnum, is_joiner)),
                after_one: not_alnum_or_joiner,
                after_then: Some((is_joiner, not_alnum)),
            },
            Boundary::Code => {
                Sides::plain(not_alnum_underscore_or_dash, not_alnum_underscore_or_dash)
            }
            Boundary::Word => Sides::plain(not_alnum, not_alnum),
            Boundary::WordThenNoSyllable => Sides::plain(not_alnum, not_alnum_or_syllable),
            Boundary::ColonGroup => Sides::plain(not_alnum_or_colon, not_alnum_or_colon),
            Boundary::DashGroup => Sides::plain(not_alnum_or_dash, not_alnum_or_dash),
            Boundary::DotGroup => Sides::plain(not_alnum_or_dot, not_alnum_or_dot),
            Boundary::None => return None,
        })
    }

    /// Whether the group before the core would match right before `start`
    /// using only characters at or after `from` (where the search began:
    /// `^` holds only at the start of the text).
    pub(crate) fn allows_before(self, text: &str, from: usize, start: usize) -> bool {
        let Some(sides) = self.sides() else {
            return true;
        };
        if start == 0 {
            return from == 0;
        }
        let mut chars = text[from..start].chars().rev();
        let Some(last) = chars.next() else {
            return false;
        };
        if (sides.before_one)(last) {
            return true;
        }
        match (sides.before_pair, chars.next()) {
            (Some((first_test, last_test)), Some(first)) => last_test(last) && first_test(first),
            _ => false,
        }
    }

    /// Whether the group after the core would match at `end`.
    pub(crate) fn allows_after(self, text: &str, end: usize) -> bool {
        let Some(sides) = self.sides() else {
            return true;
        };
        let mut chars = text[end..].chars();
        let Some(next) = chars.next() else {
            return true;
        };
        if (sides.after_one)(next) {
            return true;
        }
        match sides.after_then {
            Some((first_test, then_test)) => first_test(next) && chars.next().is_none_or(then_test),
            None => false,
        }
    }
}

/// The characters around a core that make it a whole token, as character
/// tests: what [`Boundary::groups`] spells as a regex, for the scan's fast
/// path, which finds the core alone and checks its neighbours here.
///
/// Before the core: the start of the text, or one character `one`, or two
/// characters (`pair.0`, then `pair.1` right before the core). After it: the
/// end, or one character `one`, or a character `then.0` followed by the end
/// or a character `then.1`.
struct Sides {
    before_one: CharTest,
    before_pair: Option<(CharTest, CharTest)>,
    after_one: CharTest,
    after_then: Option<(CharTest, CharTest)>,
}

/// A test on one neighbouring character.
type CharTest = fn(char) -> bool;

fn not_digit(c: char) -> bool {
    !c.is_ascii_digit()
}
fn not_digit_or_dot(c: char) -> bool {
    !c.is_ascii_digit() && c != '.'
}
fn is_dot(c: char) -> bool {
    c == '.'
}
fn not_alnum(c: char) -> bool {
    !c.is_ascii_alphanumeric()
}
fn is_joiner(c: char) -> bool {
    matches!(c, '.' | '_' | ':' | '-')
}
fn not_alnum_or_joiner(c: char) -> bool {
    not_alnum(c) && !is_joiner(c)
}
fn not_alnum_joiner_or_plus(c: char) -> bool {
    not_alnum_or_joiner(c) && c != '+'
}
fn not_alnum_underscore_or_dash(c: char) -> bool {
    not_alnum(c) && c != '_' && c != '-'
}
fn not_alnum_or_syllable(c: char) -> bool {
    not_alnum(c) && !('가'..='힣').contains(&c)
}
fn not_alnum_or_colon(c: char) -> bool {
    not_alnum(c) && c != ':'
}
fn not_alnum_or_dash(c: char) -> bool {
    not_alnum(c) && c != '-'
}
fn not_alnum_or_dot(c: char) -> bool {
    not_alnum(c) && c != '.'
}

impl Sides {
    const fn plain(before: CharTest, after: CharTest) -> Sides {
        Sides {
            before_one: before,
            before_pair: None,
            after_one: after,
            after_then: None,
        }
    }
}

/// One way an identifier is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The core pattern, without boundaries and without capture groups.
    pub(crate) pattern: String,
    pub(crate) boundary: Boundary,
    /// The confidence a match earns before validation and context.
    pub(crate) confidence: Confidence,
    /// The form's own validator, else the detector's.
    pub(crate) validator: Option<Validator>,
    /// Whether a candidate of this form gives way to another kind found
    /// on the same characters (a secondary way of writing a number that
    /// another country writes that way first).
    pub(crate) yields: bool,
}

/// Everything that finds one kind of identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub(crate) kind: IdentifierKind,
    /// What messages call it ("Korean phone number").
    pub(crate) description: String,
    pub(crate) forms: Vec<Form>,
    /// Member names (or parts of them) that say the value is this kind.
    pub(crate) members: Vec<String>,
    /// Words before the value that say so.
    pub(crate) words: Vec<String>,
    /// The file that defined it, for messages and digests.
    pub(crate) file: String,
    /// Whether its file is, byte for byte, one of the embedded definition
    /// files: only then do the scan's shortcuts (the pre-filter, the
    /// timestamp and decimal shapes), which are proved against the
    /// embedded patterns, hold for it.
    pub(crate) embedded: bool,
}

/// Member names and words that say a value is ordinary data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ordinary {
    pub(crate) members: Vec<String>,
    pub(crate) words: Vec<String>,
}

/// Every detector definition of a run, and the ordinary-data context.
#[derive(Debug, Clone, Default)]
pub struct Definitions {
    pub(crate) detectors: Vec<Definition>,
    pub(crate) ordinary: Ordinary,
    /// The `(name, text)` files they were parsed from, in order: what a
    /// process that never read them (a cluster's executor) parses again.
    files: Vec<(String, String)>,
}

/// A mistake in a definitions file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct DefinitionError {
    pub file: String,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileText {
    #[serde(default)]
    ordinary: Option<OrdinaryText>,
    #[serde(default)]
    detector: Vec<DetectorText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OrdinaryText {
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    words: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DetectorText {
    kind: String,
    description: String,
    #[serde(default)]
    validator: Option<String>,
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    words: Vec<String>,
    form: Vec<FormText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormText {
    pattern: String,
    boundary: Boundary,
    confidence: Confidence,
    #[serde(default)]
    validator: Option<String>,
    #[serde(default)]
    yields: bool,
}

impl Definitions {
    /// The definitions embedded from `suites/detectors/`, parsed once.
    pub fn embedded() -> &'static Definitions {
        static EMBEDDED: OnceLock<Definitions> = OnceLock::new();
        EMBEDDED.get_or_init(|| {
            let files: Vec<(String, String)> =
                crate::embedded::files_with_suffix(&crate::embedded::SUITES, ".toml")
                    .into_iter()
                    .filter(|(path, _)| path.starts_with("detectors/"))
                    .map(|(path, text)| (format!("suites/{path}"), text.to_owned()))
                    .collect();
            Definitions::parse(&files)
                .expect("embedded detector definitions are checked by a unit test")
        })
    }

    /// The definitions of the files `catalogue` loaded (embedded, then
    /// overlays), already checked against their format schema there; a
    /// mistake the schema cannot see is reported with its file.
    pub fn from_catalogue(catalogue: &Catalogue) -> crate::error::Result<Definitions> {
        let files: Vec<(String, String)> = catalogue
            .detector_files()
            .into_iter()
            .map(|(name, text)| (name.to_owned(), text.to_owned()))
            .collect();
        Definitions::parse(&files).map_err(|e| {
            crate::error::Error::Files(vec![crate::error::FileProblem::new(e.file, e.message)])
        })
    }

    /// Definitions from `(name, text)` files in order; a later file's
    /// detector replaces an earlier one of the same kind (an overlay).
    pub fn parse(files: &[(String, String)]) -> Result<Definitions, DefinitionError> {
        let mut definitions = Definitions::default();
        for (name, text) in files {
            definitions.add_file(name, text)?;
        }
        definitions.files = files.to_vec();
        Ok(definitions)
    }

    /// The `(name, text)` files these definitions were parsed from, in
    /// order: [`Definitions::parse`] of them gives the same definitions.
    pub fn files(&self) -> &[(String, String)] {
        &self.files
    }

    /// Whether these are the embedded definitions, file for file.
    pub fn are_embedded(&self) -> bool {
        self.files == Definitions::embedded().files
    }

    fn add_file(&mut self, name: &str, text: &str) -> Result<(), DefinitionError> {
        let error = |message: String| DefinitionError {
            file: name.to_owned(),
            message,
        };
        let parsed: FileText = toml::from_str(text).map_err(|e| error(e.to_string()))?;
        if let Some(ordinary) = parsed.ordinary {
            self.ordinary.members.extend(ordinary.members);
            self.ordinary.words.extend(ordinary.words);
        }
        let embedded = is_embedded_text(text);
        for detector in parsed.detector {
            let mut definition = definition(detector, name).map_err(error)?;
            definition.embedded = embedded;
            self.detectors.retain(|d| d.kind != definition.kind);
            self.detectors.push(definition);
        }
        Ok(())
    }

    /// The definition of `kind`, if any.
    pub(crate) fn get(&self, kind: IdentifierKind) -> Option<&Definition> {
        self.detectors.iter().find(|d| d.kind == kind)
    }

    /// Every kind defined, in name order.
    pub fn kinds(&self) -> Vec<IdentifierKind> {
        let mut kinds: Vec<IdentifierKind> = self.detectors.iter().map(|d| d.kind).collect();
        kinds.sort_unstable();
        kinds
    }

    /// The kinds `names` name (a check's `detectors` parameter), or which
    /// name has no definition and which kinds do.
    pub fn kinds_named(&self, names: &[String]) -> Result<Vec<IdentifierKind>, String> {
        names
            .iter()
            .map(|name| {
                self.detectors
                    .iter()
                    .find(|d| d.kind.as_str() == name)
                    .map(|d| d.kind)
                    .ok_or_else(|| {
                        let known: Vec<&str> = self.kinds().iter().map(|k| k.as_str()).collect();
                        format!(
                            "unknown detector `{name}`; the detector definitions in force \
                             define: {}",
                            known.join(", ")
                        )
                    })
            })
            .collect()
    }
}

/// Whether `text` is the text of one of the embedded definition files.
fn is_embedded_text(text: &str) -> bool {
    crate::embedded::files_with_suffix(&crate::embedded::SUITES, ".toml")
        .into_iter()
        .any(|(path, embedded)| path.starts_with("detectors/") && embedded == text)
}

fn definition(text: DetectorText, file: &str) -> Result<Definition, String> {
    check_kind_name(&text.kind)?;
    let kind = IdentifierKind::named(&text.kind);
    let default_validator = text.validator.as_deref().map(validator).transpose()?;
    let forms = text
        .form
        .into_iter()
        .map(|form| {
            let own = form.validator.as_deref().map(validator).transpose()?;
            check_pattern(&form.pattern)?;
            Ok(Form {
                pattern: form.pattern,
                boundary: form.boundary,
                confidence: form.confidence,
                validator: own.or(default_validator),
                yields: form.yields,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Definition {
        kind,
        description: text.description,
        forms,
        members: text.members,
        words: text.words,
        file: file.to_owned(),
        embedded: false,
    })
}

fn validator(name: &str) -> Result<Validator, String> {
    Validator::named(name).ok_or_else(|| {
        let known: Vec<&str> = Validator::NAMES.iter().map(|(n, _)| *n).collect();
        format!(
            "unknown validator `{name}`; known validators: {}",
            known.join(", ")
        )
    })
}

/// A kind's name is shown in reports and in placeholders (`[phone-kr]`):
/// lower-case letters and digits in dash-separated words, like the
/// catalogue's other names.
fn check_kind_name(name: &str) -> Result<(), String> {
    let word = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    };
    if name.split('-').all(word) {
        Ok(())
    } else {
        Err(format!(
            "identifier kind `{name}`: write lower-case letters and digits in words joined by \
             `-`, such as `my-mykad`"
        ))
    }
}

/// A pattern must parse and hold no capture group: the detectors capture
/// the core themselves. Parsed only, not compiled: definitions are parsed
/// more often than detectors are built, and building them compiles the
/// patterns (and reports a pattern too large to compile, with its file).
fn check_pattern(pattern: &str) -> Result<(), String> {
    let parsed = regex_automata::util::syntax::parse(pattern)
        .map_err(|e| format!("pattern `{pattern}`: {e}"))?;
    if parsed.properties().explicit_captures_len() > 0 {
        return Err(format!(
            "pattern `{pattern}` has a capture group; write `(?:…)` instead"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_definitions_describe_every_kind() {
        let definitions = Definitions::embedded();
        assert!(definitions.kinds().len() >= 17);
        for definition in &definitions.detectors {
            assert!(!definition.description.is_empty(), "{}", definition.kind);
            assert!(!definition.forms.is_empty(), "{}", definition.kind);
        }
        assert!(!definitions.ordinary.words.is_empty());
    }

    #[test]
    fn a_file_defines_a_new_kind_and_params_may_name_it() {
        let files = vec![(
            "my.toml".to_owned(),
            "[[detector]]\nkind = \"my-mykad\"\ndescription = \"Malaysian identity card number\"\n[[detector.form]]\npattern = '[0-9]{6}-[0-9]{2}-[0-9]{4}'\nboundary = \"number\"\nconfidence = \"medium\"\n".to_owned(),
        )];
        let definitions = Definitions::parse(&files).expect("a new kind parses");
        let named = definitions.kinds_named(&["my-mykad".to_owned()]);
        assert_eq!(named, Ok(vec![IdentifierKind::named("my-mykad")]));
        let unknown = definitions.kinds_named(&["th-id".to_owned()]);
        assert!(
            matches!(&unknown, Err(e) if e.contains("`th-id`") && e.contains("my-mykad")),
            "{unknown:?}"
        );
    }

    #[test]
    fn mistakes_name_the_file_and_what_is_wrong() {
        let file = |text: &str| vec![("x.toml".to_owned(), text.to_owned())];
        let unknown_kind = Definitions::parse(&file(
            "[[detector]]\nkind = \"Nope!\"\ndescription = \"x\"\n[[detector.form]]\npattern = 'a'\nboundary = \"none\"\nconfidence = \"low\"\n",
        ));
        assert!(
            matches!(unknown_kind, Err(e) if e.file == "x.toml" && e.message.contains("`Nope!`"))
        );
        let capture = Definitions::parse(&file(
            "[[detector]]\nkind = \"email\"\ndescription = \"e-mail address\"\n[[detector.form]]\npattern = '(a)'\nboundary = \"none\"\nconfidence = \"low\"\n",
        ));
        assert!(matches!(capture, Err(e) if e.message.contains("capture group")));
        let validator = Definitions::parse(&file(
            "[[detector]]\nkind = \"email\"\ndescription = \"e-mail address\"\nvalidator = \"luhn\"\n[[detector.form]]\npattern = 'a'\nboundary = \"none\"\nconfidence = \"low\"\n",
        ));
        assert!(matches!(validator, Err(e) if e.message.contains("known validators")));
    }

    /// Parsing checks a pattern's syntax only; one too large to compile is
    /// refused, with its file, when detectors are built from it (which a
    /// plan does before any data is read).
    #[test]
    fn a_pattern_too_large_to_compile_names_its_file_when_detectors_are_built() {
        let files = vec![(
            "huge.toml".to_owned(),
            "[[detector]]\nkind = \"email\"\ndescription = \"e-mail address\"\n[[detector.form]]\npattern = '(?:[0-9]{1000}){1000}'\nboundary = \"none\"\nconfidence = \"low\"\n".to_owned(),
        )];
        let definitions = Definitions::parse(&files).expect("the pattern parses");
        let built = crate::detect::identifiers::Detectors::from_definitions(
            &definitions,
            &definitions.kinds(),
            crate::detect::identifiers::Confidence::Low,
        );
        assert!(
            matches!(&built, Err(e) if e.file == "huge.toml" && e.message.contains("size limit")),
            "{:?}",
            built.err()
        );
    }

    #[test]
    fn a_later_file_replaces_a_kind() {
        let form = "[[detector.form]]\npattern = 'x'\nboundary = \"none\"\nconfidence = \"low\"\n";
        let files = vec![
            (
                "a.toml".to_owned(),
                format!("[[detector]]\nkind = \"email\"\ndescription = \"e-mail address\"\n{form}"),
            ),
            (
                "b.toml".to_owned(),
                format!("[[detector]]\nkind = \"email\"\ndescription = \"e-mail address\"\n{form}"),
            ),
        ];
        let definitions = Definitions::parse(&files).expect("parses");
        assert_eq!(definitions.detectors.len(), 1);
        assert_eq!(definitions.detectors[0].file, "b.toml");
    }

    /// What a cluster's executor parses again is what the run parsed.
    #[test]
    fn definitions_keep_their_files_and_know_the_embedded_ones() {
        let embedded = Definitions::embedded();
        assert!(embedded.are_embedded());
        let again = Definitions::parse(embedded.files()).expect("parses");
        assert!(again.are_embedded());
        assert_eq!(format!("{again:?}"), format!("{embedded:?}"));
        let mut files = embedded.files().to_vec();
        files.push((
            "overlay/detectors/x.toml".to_owned(),
            "[[detector]]\nkind = \"xx-code\"\ndescription = \"code\"\n[[detector.form]]\npattern = 'X[0-9]{4}'\nboundary = \"word\"\nconfidence = \"high\"\n".to_owned(),
        ));
        let overlaid = Definitions::parse(&files).expect("parses");
        assert!(!overlaid.are_embedded());
        assert_eq!(overlaid.files(), files.as_slice());
        assert!(overlaid.kinds().contains(&IdentifierKind::named("xx-code")));
    }
}
