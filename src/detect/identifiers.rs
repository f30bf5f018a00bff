//! Value-based detection of direct identifiers: e-mail addresses, phone
//! numbers (Korea, India, Singapore, Indonesia), national numbers (Korean
//! resident and alien registration numbers and driver licences, Singapore
//! NRIC/FIN, India's Aadhaar, China's resident identity number, Japan's My
//! Number), Korean vehicle plates, passport numbers, IP and MAC addresses
//! found inside the string values of exchanged records and datasets.
//!
//! What each kind looks like is data ([`Definitions`], from
//! `suites/detectors/*.toml`): its forms (pattern, boundaries, confidence),
//! a named validator (check digits, birth dates, version-shaped addresses),
//! and the member names and words around a value that say it is one, or
//! that it is ordinary data (a serial, an amount, a firmware version). This
//! module compiles them and runs them; which fields are scanned and what a
//! finding means for a requirement belong to the checks. A [`Detection`]
//! names the kind and how sure it is, and never carries the matched text,
//! so that a report built from it can say *what* was found without
//! repeating the personal data it is warning about.
//!
//! Detection is built for volume: every string of every record passes
//! through [`Detectors::scan_in`]. The patterns are compiled once in
//! [`Detectors::new`]; a scan first rejects strings that cannot hold any
//! identifier (too few of the characters every identifier needs, or an ISO
//! 8601 timestamp), then walks one lazy DFA of every form's bounded
//! pattern over the string (`FormPass`), and only then finds, walks and
//! validates the candidates of the forms that matched.
//!
//! The `regex` crate has no look-around, so "whole token" is spelled with
//! boundary groups that consume the neighbouring character; candidates are
//! walked from the end of each core rather than of each match, so that one
//! boundary character can serve two neighbouring candidates.

use std::collections::BTreeSet;
use std::fmt;
use std::net::Ipv6Addr;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use regex::{Regex, RegexSet};
use regex_automata::hybrid::dfa::{Cache as LazyCache, DFA as LazyDfa};
use regex_automata::hybrid::regex::{Cache as LazyRegexCache, Regex as LazyRegex};
use regex_automata::util::pool::Pool;
use regex_automata::{Input, MatchKind};
use smallvec::SmallVec;

use super::definitions::{Boundary, Definition, Ordinary};
pub use super::definitions::{DefinitionError, Definitions};
use super::validators::{self, Step, Validator};

mod beyond_ascii;

/// A kind of direct identifier that can be recognised from its format,
/// named by its detector definition in `suites/detectors/` (`email`,
/// `phone-kr`, `kr-rrn`): kinds are data, so a region adds one with a
/// definitions file and no Rust. The name is what the catalogue's
/// `detectors` parameter, placeholders (`[phone-kr]`) and report evidence
/// use; the words a message uses come from the definition's
/// `description` ([`Detectors::describe`]).
///
/// A kind is a copyable handle to its interned name; kinds order by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdentifierKind(&'static str);

impl IdentifierKind {
    /// The kind called `name`. Names come from definition files, which
    /// are few and loaded once a run, so each distinct name is kept for
    /// the life of the process.
    pub fn named(name: &str) -> IdentifierKind {
        static NAMES: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
        let mut names = NAMES
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(&known) = names.get(name) {
            return IdentifierKind(known);
        }
        let kept: &'static str = Box::leak(name.to_owned().into_boxed_str());
        names.insert(kept);
        IdentifierKind(kept)
    }

    /// The name used in catalogues and reports.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl serde::Serialize for IdentifierKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

/// `noun` with its indefinite article, for messages ("an e-mail address",
/// "a Korean phone number"). The article follows the first letter; the
/// definitions' descriptions are written so that a vowel letter is a
/// vowel sound ("an IPv4 address", "an Aadhaar number").
pub fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(|c: char| "aeiouAEIOU".contains(c)) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

/// How sure a detection is. A profile decides which confidence fails (the
/// `min_confidence` parameter of the checks); [`Detectors::new`] reports
/// `medium` and up.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// The shape fits, but so does ordinary data (a bare 8-digit value, a
    /// letter and seven digits, twelve hex digits).
    Low,
    /// The shape and any check fit, with nothing around to say otherwise.
    #[default]
    Medium,
    /// A check digit of a strict scheme matched, or the member name or a
    /// word before the value names the kind.
    High,
}

impl Confidence {
    fn lowered(self) -> Confidence {
        match self {
            Confidence::High => Confidence::Medium,
            _ => Confidence::Low,
        }
    }

    fn after(self, step: Step) -> Confidence {
        match step {
            Step::Keep => self,
            Step::Lower => self.lowered(),
            Step::Low => Confidence::Low,
        }
    }
}

/// The kinds found in one string, in kind order: held in place for the
/// one or two a value holds, so that a scan that finds something does not
/// allocate.
pub type Found = SmallVec<[Detection; 2]>;

/// One kind of identifier found in a string. Deliberately holds no part of
/// the string: whoever reports it cannot leak the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Detection {
    /// What was found.
    pub kind: IdentifierKind,
    /// For resident and alien registration numbers only: whether a found
    /// number satisfies the check digit. `Some(false)` is still a finding,
    /// because numbers issued since October 2020 carry random digits after
    /// the gender digit.
    pub checksum_valid: Option<bool>,
    /// How sure the detection is (the best of its candidates).
    pub confidence: Confidence,
}

/// One form of one selected kind, compiled.
#[derive(Debug)]
struct CompiledForm {
    /// Index into [`Detectors::kinds`].
    kind: usize,
    /// The bounded pattern; group 1 is the core.
    regex: Regex,
    /// The core alone, found without capture groups; `boundary` then
    /// checks its neighbours (see [`CoreMatches`]).
    core: Regex,
    /// The same core as a pair of lazy DFAs (forward for the end, reverse
    /// for the start) searched directly, without the `regex` crate's
    /// literal prefilters and per-search set-up, which cost more than the
    /// search itself on values of 10 to 30 bytes; `None` if the pattern
    /// needs more than a lazy DFA (then `core` is searched).
    lazy_core: Option<LazyRegex>,
    /// Fewest bytes a core can span: once fewer are left after a
    /// candidate, the form's search is over without another walk.
    min_core_len: usize,
    /// The one length every core spans, when the pattern allows only one
    /// (a bare resident number, a MAC address): the end of a core then
    /// gives its start, without the reverse search.
    fixed_core_len: Option<usize>,
    boundary: Boundary,
    confidence: Confidence,
    validator: Option<Validator>,
    yields: bool,
}

/// The context words of one kind, normalised once.
#[derive(Debug, Default)]
struct Context {
    members: Vec<String>,
    words: Vec<String>,
    /// The words that hold a space, looked for anywhere in the text
    /// before a value.
    phrases: Vec<String>,
    /// The one-word entries that are ASCII: the only ones that can be
    /// among the words of ASCII text.
    ascii_words: Vec<String>,
}

/// A candidate that survived its pattern, boundaries and validator.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    kind: usize,
    start: usize,
    end: usize,
    confidence: Confidence,
    own_context: bool,
    validated: bool,
    yields: bool,
    checksum: Option<bool>,
}

/// The selected detectors, compiled once and shared by every scan.
#[derive(Debug)]
pub struct Detectors {
    /// The selected kinds that have a definition, sorted, without repeats.
    kinds: Vec<IdentifierKind>,
    /// The words of each kind, by index into `kinds`.
    contexts: Vec<Context>,
    /// What each kind is called in messages, by index into `kinds`.
    descriptions: Vec<String>,
    /// The selected kinds' forms, compiled: shared with every detector
    /// set built from the same definitions of the same kinds.
    compiled: Arc<Compiled>,
    /// The words of ordinary data; boxed, like `pass`, so that detectors
    /// stay small beside the other checks they are held with.
    ordinary: Box<Context>,
    min_confidence: Confidence,
    /// Whether every selected kind is defined by an embedded file, so that
    /// the shortcuts proved against those patterns may skip a string
    /// ([`may_hold_identifier`]); a pattern from an overlay may match what
    /// they would skip, so with one, every string reaches the patterns.
    shortcuts: bool,
}

/// The costly part of detectors: every form of the selected kinds compiled
/// (tens of milliseconds for the embedded definitions). One run builds
/// several detector sets from the same definitions (its checks', its
/// producer's, the one that hides names), so sets built from equal
/// definitions of the same kinds share one, with its per-thread caches
/// ([`Compiled::shared`]).
#[derive(Debug)]
struct Compiled {
    /// Every form of every selected kind; pattern `i` of `candidates` is
    /// `forms[i]`.
    forms: Vec<CompiledForm>,
    /// The bounded patterns of every form, run in a single pass.
    candidates: RegexSet,
    /// The same patterns as one lazy DFA walked byte by byte, which says
    /// in one pass which forms matched (see [`FormPass`]).
    pass: FormPass,
}

/// What compiled forms and their caches depend on: the selected kinds'
/// definitions, in kind order, and the ordinary-data context (the member
/// memo of the caches holds verdicts worked out from both).
#[derive(PartialEq)]
struct CompiledFrom {
    definitions: Vec<Definition>,
    ordinary: Ordinary,
}

impl Compiled {
    /// The forms of `kinds` (sorted, each defined in `definitions`),
    /// compiled once while some detector set holds them.
    fn shared(
        definitions: &Definitions,
        kinds: &[IdentifierKind],
    ) -> Result<Arc<Compiled>, DefinitionError> {
        static LIVE: Mutex<Vec<(CompiledFrom, Weak<Compiled>)>> = Mutex::new(Vec::new());
        let from = CompiledFrom {
            definitions: kinds
                .iter()
                .filter_map(|&kind| definitions.get(kind).cloned())
                .collect(),
            ordinary: definitions.ordinary.clone(),
        };
        // Held while compiling, so that two threads asking for the same
        // forms compile them once.
        let mut live = LIVE.lock().unwrap_or_else(PoisonError::into_inner);
        live.retain(|(_, compiled)| compiled.strong_count() > 0);
        if let Some(compiled) = live
            .iter()
            .find(|(known, _)| *known == from)
            .and_then(|(_, compiled)| compiled.upgrade())
        {
            return Ok(compiled);
        }
        let compiled = Arc::new(Compiled::new(&from.definitions)?);
        live.push((from, Arc::downgrade(&compiled)));
        Ok(compiled)
    }

    /// Compiles the forms of `definitions`, kind `i` being `definitions[i]`.
    fn new(definitions: &[Definition]) -> Result<Compiled, DefinitionError> {
        let mut forms = Vec::new();
        for (index, definition) in definitions.iter().enumerate() {
            let kind = definition.kind;
            for form in &definition.forms {
                let refused = |e: regex::Error| DefinitionError {
                    file: definition.file.clone(),
                    message: format!("{kind}: pattern `{}`: {e}", form.pattern),
                };
                let (start, end) = form.boundary.groups();
                let regex =
                    Regex::new(&format!("{start}({}){end}", form.pattern)).map_err(refused)?;
                let core = Regex::new(&form.pattern).map_err(refused)?;
                let lazy_core = LazyRegex::new(&form.pattern).ok();
                let (min_core_len, max_core_len) = core_len(&form.pattern);
                forms.push(CompiledForm {
                    kind: index,
                    regex,
                    core,
                    lazy_core,
                    min_core_len,
                    fixed_core_len: max_core_len.filter(|&max| max == min_core_len),
                    boundary: form.boundary,
                    confidence: form.confidence,
                    validator: form.validator,
                    yields: form.yields,
                });
            }
        }
        let candidates =
            RegexSet::new(forms.iter().map(|f| f.regex.as_str())).map_err(|e| DefinitionError {
                file: "suites/detectors".to_owned(),
                message: e.to_string(),
            })?;
        let pass = FormPass::new(&candidates, &forms);
        Ok(Compiled {
            forms,
            candidates,
            pass,
        })
    }
}

/// Fewest and most bytes a match of `pattern` spans, read from its
/// syntax: at least one (a core is never empty), at most unbounded
/// (`None`). A pattern that cannot be read gives `(1, None)`, which
/// spares no search.
fn core_len(pattern: &str) -> (usize, Option<usize>) {
    match regex_automata::util::syntax::parse(pattern) {
        Ok(hir) => (
            hir.properties().minimum_len().unwrap_or(1).max(1),
            hir.properties().maximum_len(),
        ),
        Err(_) => (1, None),
    }
}

impl Detectors {
    /// The embedded definitions of `kinds` (repeats are ignored; an empty
    /// slice gives detectors that find nothing), reporting `medium`
    /// confidence and up.
    pub fn new(kinds: &[IdentifierKind]) -> Self {
        Self::with_min_confidence(kinds, Confidence::Medium)
    }

    /// As [`Detectors::new`], reporting `min` confidence and up.
    pub fn with_min_confidence(kinds: &[IdentifierKind], min: Confidence) -> Self {
        Self::from_definitions(Definitions::embedded(), kinds, min)
            .expect("embedded definitions are compiled by a unit test")
    }

    /// The detectors `definitions` give for `kinds` (a kind without a
    /// definition finds nothing).
    pub fn from_definitions(
        definitions: &Definitions,
        kinds: &[IdentifierKind],
        min: Confidence,
    ) -> Result<Self, DefinitionError> {
        let mut kinds: Vec<IdentifierKind> = kinds
            .iter()
            .copied()
            .filter(|&k| definitions.get(k).is_some())
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        let mut contexts = Vec::new();
        let mut descriptions = Vec::new();
        let mut shortcuts = true;
        for &kind in &kinds {
            let Some(definition) = definitions.get(kind) else {
                continue;
            };
            shortcuts &= definition.embedded;
            contexts.push(Context::of(&definition.members, &definition.words));
            descriptions.push(definition.description.clone());
        }
        let compiled = Compiled::shared(definitions, &kinds)?;
        Ok(Detectors {
            kinds,
            contexts,
            descriptions,
            compiled,
            ordinary: Box::new(Context::of(
                &definitions.ordinary.members,
                &definitions.ordinary.words,
            )),
            min_confidence: min,
            shortcuts,
        })
    }

    /// The plain words for `kind` that messages use ("Korean phone
    /// number"), so that a report can say what it found without showing
    /// it; the kind's name when it is not selected here.
    pub fn describe(&self, kind: IdentifierKind) -> &str {
        self.kinds
            .iter()
            .position(|&k| k == kind)
            .map_or(kind.as_str(), |index| &self.descriptions[index])
    }

    /// [`Detectors::describe`] with its indefinite article.
    pub fn with_article(&self, kind: IdentifierKind) -> String {
        with_article(self.describe(kind))
    }

    /// Every selected kind found in `text`, at most one detection per kind,
    /// in kind order. Never returns any part of `text`.
    pub fn scan(&self, text: &str) -> Found {
        self.scan_in(None, text)
    }

    /// Whether `text` holds a candidate of some selected kind, whatever
    /// member it sits under: context changes a candidate's confidence,
    /// never whether it is one. A cheap test before working out where a
    /// value sits.
    pub fn may_match(&self, text: &str) -> bool {
        !self.kinds.is_empty()
            && self.may_hold(text)
            && self
                .matched_forms(&mut self.compiled.pass.caches.get(), text)
                .any()
            // Beyond ASCII the one pass answers a superset; the set is
            // exact.
            && (text.is_ascii() || self.compiled.candidates.is_match(text))
    }

    /// As [`Detectors::scan`], for a value under `member` (a JSON member or
    /// a column name), whose name is context: `telephone` makes a bare
    /// 8-digit value a phone, `amount` makes it money.
    pub fn scan_in(&self, member: Option<&str>, text: &str) -> Found {
        if self.kinds.is_empty() || !self.may_hold(text) {
            return Found::new();
        }
        self.scan_candidates(member, text)
    }

    /// Whether `text` may hold a candidate: the shortcuts where they were
    /// proved, else every non-empty string.
    fn may_hold(&self, text: &str) -> bool {
        if self.shortcuts {
            may_hold_identifier(text)
        } else {
            !text.is_empty()
        }
    }

    /// The regex part of [`Detectors::scan_in`], without the shortcuts.
    /// The candidates go to this thread's buffer, kept between scans.
    fn scan_candidates(&self, member: Option<&str>, text: &str) -> Found {
        let mut caches = self.compiled.pass.caches.get();
        let mut found = std::mem::take(&mut caches.found);
        found.clear();
        self.collect_candidates(&mut caches, member, text, &mut found);
        caches.found = found;
        self.best_per_kind(&caches.found)
    }

    /// Every candidate in `text`, with its confidence after context and
    /// after the settling of shared spans.
    #[cfg(test)]
    fn settled_candidates(&self, member: Option<&str>, text: &str) -> Vec<Candidate> {
        let mut found = Vec::new();
        self.collect_candidates(
            &mut self.compiled.pass.caches.get(),
            member,
            text,
            &mut found,
        );
        found
    }

    /// [`Detectors::settled_candidates`] into `found`. One pass says which
    /// forms match; only those forms' cores are searched.
    fn collect_candidates(
        &self,
        caches: &mut LazyCaches,
        member: Option<&str>,
        text: &str,
        found: &mut Vec<Candidate>,
    ) {
        let matched = self.matched_forms(caches, text);
        if !matched.any() {
            return;
        }
        // Beyond ASCII the pass may name a form that holds no match.
        let exact = text.is_ascii() || matches!(matched, Matched::Indices(_));
        let LazyCaches { cores, members, .. } = caches;
        let mut member = Member::new(member, members);
        for index in matched.iter() {
            let form = &self.compiled.forms[index];
            let core_cache = cores.get_mut(index).and_then(Option::as_mut);
            self.walk_form(form, core_cache, &mut member, text, exact, found);
        }
        member.remember(members);
        resolve_shared_spans(found);
    }

    /// Which forms' bounded patterns may match somewhere in `text`: the
    /// lazy DFA's one pass (exact on ASCII, a superset beyond), or the
    /// set's two where that pass cannot say. Every form named is then
    /// searched exactly.
    fn matched_forms(&self, caches: &mut LazyCaches, text: &str) -> Matched {
        match self.compiled.pass.run(caches, text) {
            Some(bits) => Matched::Bits(bits),
            None if self.compiled.candidates.is_match(text) => {
                Matched::Indices(self.compiled.candidates.matches(text).iter().collect())
            }
            None => Matched::Bits(0),
        }
    }

    /// Every candidate of `form` in `text` that its validator keeps, with
    /// its confidence after context; `matched` when the form is known to
    /// match in `text` (not only said to by the pass beyond ASCII).
    fn walk_form(
        &self,
        form: &CompiledForm,
        core_cache: Option<&mut LazyRegexCache>,
        member: &mut Member,
        text: &str,
        matched: bool,
        out: &mut Vec<Candidate>,
    ) {
        if form.validator == Some(Validator::Ipv6) {
            if let Some(span) = find_ipv6(text) {
                out.push(self.candidate(form, member, text, span, None));
            }
            return;
        }
        if matched && form.fixed_core_len == Some(text.len()) {
            // Every core of the form spans the value's length, and the
            // form matches: its one core is the whole value, which no
            // neighbour can unbind, and no search need find it.
            self.keep_validated(form, member, text, (0, text.len()), out);
            return;
        }
        for span in core_matches_with(form, text, core_cache) {
            self.keep_validated(form, member, text, span, out);
        }
    }

    /// The candidate of `form` at `span` (a core within its boundaries),
    /// if its validator keeps it.
    fn keep_validated(
        &self,
        form: &CompiledForm,
        member: &mut Member,
        text: &str,
        (start, end): (usize, usize),
        out: &mut Vec<Candidate>,
    ) {
        let check = match form.validator {
            Some(validator) => validator.check(&text[start..end]),
            None => Some(validators::Check {
                step: Step::Keep,
                checksum: None,
            }),
        };
        if let Some(check) = check {
            out.push(self.candidate(form, member, text, (start, end), Some(check)));
        }
    }

    fn candidate(
        &self,
        form: &CompiledForm,
        member: &mut Member,
        text: &str,
        (start, end): (usize, usize),
        check: Option<validators::Check>,
    ) -> Candidate {
        let before = &text[..start];
        let own_context = member.names_kind(self, form.kind)
            || self.contexts[form.kind].words_before(before, WORDS_LOOKED_BACK);
        let mut confidence = form.confidence.after(check.map_or(Step::Keep, |c| c.step));
        // Ordinary words only matter where the kind's own are absent.
        if own_context {
            confidence = Confidence::High;
        } else if member.names_ordinary(self) || self.ordinary.last_word_is_listed(before) {
            confidence = confidence.lowered();
        }
        Candidate {
            kind: form.kind,
            start,
            end,
            confidence,
            own_context,
            validated: form.validator.is_some(),
            yields: form.yields,
            checksum: check.and_then(|c| c.checksum),
        }
    }

    /// The best candidate of each kind, if confident enough, in kind order:
    /// the first of the highest rank, as found. Candidates come form by
    /// form and forms kind by kind ([`Compiled::new`]), so a kind's
    /// candidates are found together: only the detection kept last can be
    /// of the same kind, and kind indices are compared, not kind names.
    fn best_per_kind(&self, found: &[Candidate]) -> Found {
        debug_assert!(found.windows(2).all(|pair| pair[0].kind <= pair[1].kind));
        let mut best = Found::new();
        let mut last_kind = None;
        let rank = |d: &Detection| (d.confidence, d.checksum_valid == Some(true));
        for candidate in found.iter().filter(|c| c.confidence >= self.min_confidence) {
            let detection = Detection {
                kind: self.kinds[candidate.kind],
                checksum_valid: candidate.checksum,
                confidence: candidate.confidence,
            };
            match best.last_mut() {
                Some(slot) if last_kind == Some(candidate.kind) => {
                    if rank(&detection) > rank(slot) {
                        *slot = detection;
                    }
                }
                _ => {
                    best.push(detection);
                    last_kind = Some(candidate.kind);
                }
            }
        }
        best
    }
}

/// The forms whose bounded patterns matched a text, in form order.
enum Matched {
    /// Bit `i`: form `i` (at most 64 forms).
    Bits(u64),
    /// Form indices, where there are more forms or the one pass gave up.
    Indices(Vec<usize>),
}

impl Matched {
    fn any(&self) -> bool {
        match self {
            Matched::Bits(bits) => *bits != 0,
            Matched::Indices(indices) => !indices.is_empty(),
        }
    }

    /// The matched forms' indices, in order: the set bits one by one,
    /// lowest first, rather than every form tested for its bit.
    fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        let (mut bits, indices) = match self {
            Matched::Bits(bits) => (*bits, &[][..]),
            Matched::Indices(indices) => (0, &indices[..]),
        };
        std::iter::from_fn(move || {
            (bits != 0).then(|| {
                let lowest = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                lowest
            })
        })
        .chain(indices.iter().copied())
    }
}

/// The bounded patterns of every form compiled as one lazy DFA that
/// reports every pattern matching anywhere (`MatchKind::All`, unanchored),
/// walked over a value's bytes once: the same answer as asking the
/// [`RegexSet`] whether anything matched and then which (on ASCII text;
/// beyond ASCII a superset, [`beyond_ascii`]), in one pass instead of
/// two, without the `regex` crate's per-search set-up (its cache pool,
/// prefilter and strategy choice), which dominates on values of 10 to 30
/// bytes. Each thread scanning keeps its own caches of built
/// states, for this pass and for each form's core ([`LazyCaches`]).
struct FormPass {
    /// `None` past 64 forms (the matched forms are kept as bits) or if the
    /// patterns need more than a lazy DFA.
    dfa: Option<LazyDfa>,
    caches: Pool<LazyCaches, CacheMaker>,
}

/// One thread's caches of built lazy DFA states: the pass's and each
/// form's core's (by form index).
struct LazyCaches {
    pass: Option<LazyCache>,
    /// The forms each match state of the pass holds, as bits, worked out
    /// once a state rather than at every visit ([`MatchStates`]).
    match_states: MatchStates,
    cores: Vec<Option<LazyRegexCache>>,
    /// What the member names seen last say ([`MemberMemo`]).
    members: MemberMemo,
    /// The candidates of the scan under way, kept to spare an allocation
    /// a scan.
    found: Vec<Candidate>,
}

/// Makes one thread's caches.
type CacheMaker =
    Box<dyn Fn() -> LazyCaches + Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe>;

/// Bytes of built states a thread keeps for the pass before the lazy DFA
/// starts over.
const PASS_CACHE_BYTES: usize = 8 << 20;

impl fmt::Debug for FormPass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FormPass")
            .field("patterns", &self.dfa.as_ref().map(LazyDfa::pattern_len))
            .finish_non_exhaustive()
    }
}

impl FormPass {
    fn new(set: &RegexSet, forms: &[CompiledForm]) -> FormPass {
        let dfa = (set.len() <= 64)
            .then(|| {
                let config = LazyDfa::config()
                    .match_kind(MatchKind::All)
                    .cache_capacity(PASS_CACHE_BYTES);
                let nfa = beyond_ascii::widened_nfa(set.patterns()).ok()?;
                LazyDfa::builder()
                    .configure(config)
                    .build_from_nfa(nfa)
                    .ok()
            })
            .flatten();
        let pass = dfa.clone();
        let cores: Vec<Option<LazyRegex>> = forms
            .iter()
            .map(|f| f.lazy_core.as_ref().map(copy_lazy_regex))
            .collect();
        let make: CacheMaker = Box::new(move || LazyCaches {
            pass: pass.as_ref().map(LazyCache::new),
            match_states: MatchStates::default(),
            cores: cores
                .iter()
                .map(|core| core.as_ref().map(LazyRegex::create_cache))
                .collect(),
            members: MemberMemo::default(),
            found: Vec::new(),
        });
        FormPass {
            dfa,
            caches: Pool::new(make),
        }
    }

    /// Bit `i` set when pattern `i` matches somewhere in `text`; `None`
    /// when this pass cannot say (more than 64 forms, or the lazy DFA gave
    /// up), for the set to answer.
    fn run(&self, caches: &mut LazyCaches, text: &str) -> Option<u64> {
        let dfa = self.dfa.as_ref()?;
        let cache = caches.pass.as_mut()?;
        let known = &mut caches.match_states;
        let mut state = dfa.start_state_forward(cache, &Input::new(text)).ok()?;
        let mut bits = 0u64;
        let bytes = text.as_bytes();
        let mut at = 0;
        while at < bytes.len() {
            // Between tagged states (a match, a state not built yet) the
            // table is read as it is, with no check.
            if !state.is_tagged() {
                let mut next = dfa.next_state_untagged(cache, state, bytes[at]);
                while !next.is_tagged() {
                    state = next;
                    at += 1;
                    let Some(&byte) = bytes.get(at) else {
                        break;
                    };
                    next = dfa.next_state_untagged(cache, state, byte);
                }
                if at == bytes.len() {
                    break;
                }
            }
            state = dfa.next_state(cache, state, bytes[at]).ok()?;
            at += 1;
            if state.is_tagged() {
                if state.is_match() {
                    bits |= known.patterns(dfa, cache, state);
                } else if state.is_dead() {
                    return Some(bits);
                } else if state.is_quit() {
                    return None;
                }
            }
        }
        state = dfa.next_eoi_state(cache, state).ok()?;
        if state.is_match() {
            bits |= known.patterns(dfa, cache, state);
        }
        Some(bits)
    }
}

/// The patterns of the pass's match states met so far, as bits. Reading
/// them from the lazy DFA walks the state's pattern list each visit, and a
/// value that holds an identifier visits a match state at nearly every
/// byte after it; a state's patterns never change while the cache that
/// built it is not cleared, so the memo starts over when it is.
#[derive(Default)]
struct MatchStates {
    bits: rustc_hash::FxHashMap<regex_automata::hybrid::LazyStateID, u64>,
    /// The cache's clear count the memo was filled under.
    clears: usize,
}

impl MatchStates {
    fn patterns(
        &mut self,
        dfa: &LazyDfa,
        cache: &LazyCache,
        state: regex_automata::hybrid::LazyStateID,
    ) -> u64 {
        if cache.clear_count() != self.clears {
            self.bits.clear();
            self.clears = cache.clear_count();
        }
        *self
            .bits
            .entry(state)
            .or_insert_with(|| matched_patterns(dfa, cache, state))
    }
}

/// A lazy regex built from copies of `regex`'s two DFAs, for the cache
/// maker to own (the regex itself is not `Clone`).
fn copy_lazy_regex(regex: &LazyRegex) -> LazyRegex {
    LazyRegex::builder().build_from_dfas(regex.forward().clone(), regex.reverse().clone())
}

/// The patterns a match state of the lazy DFA holds, as bits.
fn matched_patterns(
    dfa: &LazyDfa,
    cache: &LazyCache,
    state: regex_automata::hybrid::LazyStateID,
) -> u64 {
    (0..dfa.match_len(cache, state))
        .map(|i| 1u64 << dfa.match_pattern(cache, state, i).as_usize())
        .fold(0, |bits, bit| bits | bit)
}

/// Two kinds found on the same characters (a 12-digit number that is both
/// an Aadhaar and a My Number, eleven digits that are both an Indonesian
/// and an Indian mobile), or one inside the other (the IPv4 address of
/// `::ffff:192.0.2.1`): a kind whose own words are there wins over those
/// whose words are not; then at no lower confidence, the enclosing
/// candidate wins over the one inside it, a kind whose validator accepted
/// the digits over one that had nothing to check, and any kind over a form
/// that yields. Losers drop to low.
fn resolve_shared_spans(found: &mut [Candidate]) {
    // Every verdict is taken on the confidences as found, before any drop.
    if found.len() <= 64 {
        let mut losers = 0u64;
        for i in 0..found.len() {
            if found.iter().any(|other| beats(other, &found[i])) {
                losers |= 1 << i;
            }
        }
        for (i, candidate) in found.iter_mut().enumerate() {
            if losers & (1 << i) != 0 {
                candidate.confidence = Confidence::Low;
            }
        }
        return;
    }
    let losers: Vec<usize> = (0..found.len())
        .filter(|&i| found.iter().any(|other| beats(other, &found[i])))
        .collect();
    for i in losers {
        found[i].confidence = Confidence::Low;
    }
}

fn beats(other: &Candidate, this: &Candidate) -> bool {
    if other.kind == this.kind || other.start > this.start || other.end < this.end {
        return false;
    }
    if other.own_context != this.own_context {
        return other.own_context;
    }
    if this.own_context {
        return false;
    }
    let encloses = other.end - other.start > this.end - this.start;
    other.confidence >= this.confidence
        && (encloses || (other.validated && !this.validated) || (this.yields && !other.yields))
}

impl Context {
    fn of(members: &[String], words: &[String]) -> Context {
        let words: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        let (phrases, single): (Vec<String>, Vec<String>) =
            words.iter().cloned().partition(|w| w.contains(' '));
        Context {
            members: members.iter().map(|m| normalise_member(m)).collect(),
            phrases,
            ascii_words: single.into_iter().filter(|w| w.is_ascii()).collect(),
            words,
        }
    }

    /// Whether a member of these words (`joined`: the same, concatenated)
    /// names this kind.
    fn member_matches(&self, tokens: &[String], joined: &str) -> bool {
        if tokens.is_empty() {
            return false;
        }
        self.members.iter().any(|entry| {
            tokens.iter().any(|t| t == entry)
                || (entry.chars().count() >= MIN_MEMBER_PART && joined.contains(entry.as_str()))
        })
    }

    /// Whether one of the last `look_back` words before the value names
    /// this kind. Most text before a value is ASCII: there the words are
    /// compared in place, ignoring ASCII case, with no copy; other text is
    /// lower-cased first ([`Context::words_before_lowered`]).
    fn words_before(&self, before: &str, look_back: usize) -> bool {
        if self.words.is_empty() || before.is_empty() {
            return false;
        }
        let tail = tail(before, LOOK_BACK_BYTES);
        if !tail.is_ascii() {
            return self.words_before_lowered(tail, look_back);
        }
        let recent = last_ascii_words::<WORDS_LOOKED_BACK>(tail.as_bytes(), look_back);
        // A word with other letters cannot be in ASCII text.
        self.ascii_words.iter().any(|word| {
            recent
                .iter()
                .flatten()
                .any(|t| t.eq_ignore_ascii_case(word.as_bytes()))
        }) || self
            .phrases
            .iter()
            .any(|phrase| contains_ignoring_ascii_case(tail.as_bytes(), phrase.as_bytes()))
    }

    /// [`Context::words_before`] on text that is not all ASCII, whose
    /// letters may change length or kind when lower-cased.
    fn words_before_lowered(&self, tail: &str, look_back: usize) -> bool {
        // Text without a letter that lower-casing changes (Hangul, most
        // scripts beyond ASCII) is read as it is, without a lower-cased
        // copy.
        let lowered;
        let lower = if tail.chars().all(is_own_lower_case) {
            tail
        } else {
            lowered = tail.to_lowercase();
            lowered.as_str()
        };
        let recent = lower
            .rsplit(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .take(look_back);
        self.words.iter().any(|word| {
            if word.contains(' ') || !word.is_ascii() {
                lower.contains(word.as_str())
            } else {
                recent.clone().any(|t| t == word)
            }
        })
    }

    /// Whether the one word right before the value is listed: the last
    /// run of non-blanks, after the punctuation that introduces a value
    /// (`: = # / ( -`), from its first letter or digit (or `$`, `₩`), and
    /// after its last `/` unless it is `s/n`. ASCII words are compared in
    /// place; others lower-cased first.
    fn last_word_is_listed(&self, before: &str) -> bool {
        if before.is_empty() {
            return false;
        }
        match last_ascii_word(before.as_bytes()) {
            Some(word) => {
                !word.is_empty()
                    && self
                        .words
                        .iter()
                        .any(|w| w.as_bytes().eq_ignore_ascii_case(word))
            }
            None => self.last_word_is_listed_lowered(before),
        }
    }

    /// [`Context::last_word_is_listed`] where that word is not ASCII.
    fn last_word_is_listed_lowered(&self, before: &str) -> bool {
        let trimmed = before.trim_end_matches(|c: char| c.is_whitespace() || ":=#/(-".contains(c));
        let word = trimmed
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or("")
            .trim_start_matches(|c: char| !c.is_alphanumeric() && c != '$' && c != '₩')
            .to_lowercase();
        let word = word
            .rsplit('/')
            .next()
            .filter(|_| !word.contains("s/n"))
            .unwrap_or(&word);
        !word.is_empty() && self.words.iter().any(|w| w == word)
    }
}

/// Whether lower-casing leaves `c` as it is.
fn is_own_lower_case(c: char) -> bool {
    let mut lower = c.to_lowercase();
    lower.next() == Some(c) && lower.next().is_none()
}

/// The last `look_back` (at most `N`) runs of ASCII letters and digits of
/// `text`, last one last; `None` fills the front when there are fewer.
fn last_ascii_words<const N: usize>(text: &[u8], look_back: usize) -> [Option<&[u8]>; N] {
    let mut words = [None; N];
    let wanted = look_back.min(N);
    let mut end = text.len();
    for slot in (N - wanted..N).rev() {
        while end > 0 && !text[end - 1].is_ascii_alphanumeric() {
            end -= 1;
        }
        if end == 0 {
            break;
        }
        let mut start = end;
        while start > 0 && text[start - 1].is_ascii_alphanumeric() {
            start -= 1;
        }
        words[slot] = Some(&text[start..end]);
        end = start;
    }
    words
}

/// Whether `needle` occurs in `haystack`, ignoring ASCII case.
fn contains_ignoring_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || haystack
            .windows(needle.len())
            .any(|window| window.eq_ignore_ascii_case(needle))
}

/// Whether `byte` is one of the ASCII characters [`char::is_whitespace`]
/// holds blank.
fn is_blank(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t'..=b'\r')
}

/// The word [`Context::last_word_is_listed`] reads, when it and what
/// follows it are ASCII; `None` when a non-ASCII character is met, for the
/// lower-casing path to decide.
fn last_ascii_word(before: &[u8]) -> Option<&[u8]> {
    let mut end = before.len();
    while end > 0 && (is_blank(before[end - 1]) || b":=#/(-".contains(&before[end - 1])) {
        end -= 1;
    }
    let mut start = end;
    while start > 0 && !is_blank(before[start - 1]) {
        start -= 1;
    }
    let chunk = &before[start..end];
    if !chunk.is_ascii() {
        return None;
    }
    let from = chunk
        .iter()
        .position(|&b| b.is_ascii_alphanumeric() || b == b'$')
        .unwrap_or(chunk.len());
    let word = &chunk[from..];
    let serial = word.windows(3).any(|w| w.eq_ignore_ascii_case(b"s/n"));
    match word.iter().rposition(|&b| b == b'/') {
        Some(slash) if !serial => Some(&word[slash + 1..]),
        _ => Some(word),
    }
}

/// The member a value sits under, split into words on first need (most
/// values that reach the patterns hold no candidate), and what its name
/// says of each kind, also worked out on first need: a scan asks once per
/// candidate.
struct Member<'m> {
    name: Option<&'m str>,
    /// The member's words, and the same joined, once split.
    tokens: Option<(Vec<String>, String)>,
    /// What is known so far of what the name says.
    verdicts: Verdicts,
    /// What was known at the start of the scan.
    remembered: Verdicts,
}

/// What a member's name says, as far as it has been worked out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Verdicts {
    /// Bit `k`: whether kind `k`'s verdict is known; then `says` has it.
    known: u64,
    says: u64,
    ordinary: Option<bool>,
}

/// The verdicts on the last [`MEMBERS_REMEMBERED`] member names a thread
/// scanned values under: records repeat their members, so what a name
/// says is worked out once rather than once a value (splitting the name
/// and comparing it with every kind's entries).
#[derive(Debug, Default)]
struct MemberMemo {
    entries: Vec<(Box<str>, Verdicts)>,
    /// The entry replaced next once the memo is full.
    next: usize,
}

/// How many member names a thread's memo holds.
const MEMBERS_REMEMBERED: usize = 32;

impl MemberMemo {
    fn get(&self, name: &str) -> Option<Verdicts> {
        self.entries
            .iter()
            .find(|(known, _)| **known == *name)
            .map(|&(_, verdicts)| verdicts)
    }

    fn remember(&mut self, name: &str, verdicts: Verdicts) {
        if let Some(entry) = self.entries.iter_mut().find(|(known, _)| **known == *name) {
            entry.1 = verdicts;
        } else if self.entries.len() < MEMBERS_REMEMBERED {
            self.entries.push((name.into(), verdicts));
        } else if let Some(entry) = self.entries.get_mut(self.next) {
            *entry = (name.into(), verdicts);
            self.next = (self.next + 1) % MEMBERS_REMEMBERED;
        }
    }
}

impl<'m> Member<'m> {
    /// The member `member`, with what `memo` already knows of its name.
    fn new(member: Option<&'m str>, memo: &MemberMemo) -> Member<'m> {
        let name = member.filter(|name| !name.is_empty());
        let remembered = name.and_then(|n| memo.get(n)).unwrap_or_default();
        Member {
            name,
            tokens: None,
            verdicts: remembered,
            remembered,
        }
    }

    /// Keeps in `memo` what this scan learnt of the name.
    fn remember(&self, memo: &mut MemberMemo) {
        if let Some(name) = self.name
            && self.verdicts != self.remembered
        {
            memo.remember(name, self.verdicts);
        }
    }

    /// The member's words and the same joined; empty without a member.
    fn tokens(&mut self) -> (&[String], &str) {
        let name = self.name;
        let (tokens, joined) = self.tokens.get_or_insert_with(|| {
            let tokens = name.map(member_tokens).unwrap_or_default();
            let joined = tokens.concat();
            (tokens, joined)
        });
        (tokens, joined)
    }

    /// Whether the member's name says kind `kind` (an index into
    /// [`Detectors::kinds`]).
    fn names_kind(&mut self, detectors: &Detectors, kind: usize) -> bool {
        if self.name.is_none() {
            return false;
        }
        let Some(bit) = 1u64.checked_shl(kind as u32).filter(|_| kind < 64) else {
            let (tokens, joined) = self.tokens();
            return detectors.contexts[kind].member_matches(tokens, joined);
        };
        if self.verdicts.known & bit == 0 {
            self.verdicts.known |= bit;
            let (tokens, joined) = self.tokens();
            if detectors.contexts[kind].member_matches(tokens, joined) {
                self.verdicts.says |= bit;
            }
        }
        self.verdicts.says & bit != 0
    }

    /// Whether the member's name says ordinary data.
    fn names_ordinary(&mut self, detectors: &Detectors) -> bool {
        if self.name.is_none() {
            return false;
        }
        if let Some(says) = self.verdicts.ordinary {
            return says;
        }
        let (tokens, joined) = self.tokens();
        let says = detectors.ordinary.member_matches(tokens, joined);
        self.verdicts.ordinary = Some(says);
        says
    }
}

/// How many words before a value are read for its kind's words.
const WORDS_LOOKED_BACK: usize = 4;
/// How far back those words are looked for, in bytes.
const LOOK_BACK_BYTES: usize = 48;
/// Shortest member entry matched inside a longer name (`mail` in
/// `contactEmail`); shorter ones (`ip`, `tel`) must be a whole part of it
/// (`clientIp`, not `description`).
const MIN_MEMBER_PART: usize = 4;

/// The last `max` bytes of `text`, cut at a character boundary.
fn tail(text: &str, max: usize) -> &str {
    let mut from = text.len().saturating_sub(max);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    &text[from..]
}

/// A definition's member entry, lower case without separators.
fn normalise_member(entry: &str) -> String {
    entry
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The parts of a member name, lower case: `clientIpAddress`,
/// `client_ip_address` and `client-ip-address` all give `client`, `ip`,
/// `address`.
fn member_tokens(member: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in member.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// Whether a 13-digit Korean resident registration number, written bare or
/// with a dash after the sixth digit, satisfies its check digit. Anything
/// else (other lengths, other separators, non-ASCII digits) is `false`.
///
/// The check digit is `(11 - Σ dᵢ·wᵢ mod 11) mod 10` over the first twelve
/// digits with weights 2–9, 2–5.
pub fn rrn_checksum_valid(digits13: &str) -> bool {
    match resident_number_digits(digits13) {
        Some(digits) => validators::rrn_check_digit(&digits) == digits[12],
        None => false,
    }
}

/// The 13 digit values of `text` if it is `dddddddddddd` or `dddddd-ddddddd`.
fn resident_number_digits(text: &str) -> Option<[u8; 13]> {
    let bytes = text.as_bytes();
    let digit_bytes: Vec<u8> = match bytes.len() {
        13 => bytes.to_vec(),
        14 if bytes[6] == b'-' => bytes
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != 6)
            .map(|(_, &b)| b)
            .collect(),
        _ => return None,
    };
    let mut digits = [0u8; 13];
    for (slot, byte) in digits.iter_mut().zip(digit_bytes) {
        if !byte.is_ascii_digit() {
            return None;
        }
        *slot = byte - b'0';
    }
    Some(digits)
}

/// Shortest string any detector can report: a compressed IPv6 address such
/// as `::2`.
const MIN_IDENTIFIER_LEN: usize = 3;

/// Fewest digits in any digit-based identifier: an IPv4 address (`1.1.1.1`).
/// Plates have at least 5, passports 7, phones 8, national numbers 9 or more.
const MIN_DIGITS: usize = 4;

/// A MAC address has five separators; a full IPv6 address without `::` has
/// at least six colons.
const MIN_SEPARATORS: usize = 5;

/// Twelve hex digits in a run (dots allowed between them): a bare or
/// dotted MAC address may hold fewer than [`MIN_DIGITS`] decimal digits.
const MIN_HEX_RUN: usize = 12;

/// Cheap pre-filter for the common case, so that most strings never reach a
/// regex: true unless `text` provably cannot hold an identifier.
///
/// Every pattern needs one of: an `@` (e-mail), four ASCII digits (phones,
/// national numbers, plates, passports, IPv4), `::` or five colons (IPv6,
/// MAC), five dashes (MAC), a run of twelve hex digits (MAC). ISO 8601
/// timestamps and decimal fractions (coordinates, measurements), the most
/// common strings with many digits, are ruled out by their shape.
fn may_hold_identifier(text: &str) -> bool {
    text.len() >= MIN_IDENTIFIER_LEN
        && has_identifier_ingredients(text)
        && !is_iso_timestamp(text)
        && !is_decimal_fraction(text)
}

/// Whether `text` is exactly a decimal number with a fractional part and
/// no exponent (`126.9780`, `-0.000123`), as a coordinate or a measurement
/// is written.
///
/// No detector can match one: its digits touch a decimal point, which the
/// number boundaries refuse on either side of a core, and it has no letter
/// for a code, no second dot for a dotted form. With an exponent it could
/// hold a hex run (`1.5e123456789012`), so that form is scanned. A property
/// test checks this against the full scan.
///
/// One walk that stops at the first byte that is neither a digit nor the
/// first dot: most strings that reach it (`010-1234-5678`) stop within a
/// few bytes, where searching for the dot first would read them whole.
fn is_decimal_fraction(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = match bytes.first() {
        Some(b'-' | b'+') => &bytes[1..],
        _ => bytes,
    };
    let mut dot = None;
    for (at, &byte) in digits.iter().enumerate() {
        match byte {
            b'0'..=b'9' => {}
            b'.' if dot.is_none() => dot = Some(at),
            _ => return false,
        }
    }
    dot.is_some_and(|at| at > 0 && at + 1 < digits.len())
}

/// One counting pass over every byte, which the compiler vectorises, and
/// decides nearly every string: four digits, an `@`, five colons or five
/// dashes are enough; fewer than two colons rule out `::`, and fewer than
/// twelve hex digits in all rule out a run of twelve. Only the rest are
/// walked byte by byte ([`has_double_colon`], [`has_hex_run`]).
fn has_identifier_ingredients(text: &str) -> bool {
    let bytes = text.as_bytes();
    let counts = Ingredients::count(bytes);
    if counts.digits >= MIN_DIGITS
        || counts.at > 0
        || counts.colons >= MIN_SEPARATORS
        || counts.dashes >= MIN_SEPARATORS
    {
        return true;
    }
    (counts.colons >= 2 && has_double_colon(bytes))
        || (counts.digits + counts.hex_letters >= MIN_HEX_RUN && has_hex_run(bytes))
}

/// How many of each ingredient a string holds.
#[derive(Debug, Default)]
struct Ingredients {
    digits: usize,
    hex_letters: usize,
    at: usize,
    colons: usize,
    dashes: usize,
}

/// Width of each count in the packed counter of [`Ingredients::count`]:
/// five counts of twelve bits fit in a `u64`.
const COUNT_BITS: u32 = 12;

/// Bytes counted before the packed counts are unpacked, so that no
/// twelve-bit count overflows into its neighbour.
const COUNTED_AT_ONCE: usize = (1 << COUNT_BITS) - 1;

/// For each byte, a one in the count it adds to: digits, hex letters,
/// `@`, colons and dashes, each [`COUNT_BITS`] wide, in that order.
static INGREDIENT_OF: [u64; 256] = ingredient_table();

const fn ingredient_table() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut index = 0;
    while index < 256 {
        let byte = index as u8;
        let count = match byte {
            b'0'..=b'9' => 0,
            b'a'..=b'f' | b'A'..=b'F' => 1,
            b'@' => 2,
            b':' => 3,
            b'-' => 4,
            _ => 5,
        };
        if count < 5 {
            table[index] = 1 << (count * COUNT_BITS);
        }
        index += 1;
    }
    table
}

impl Ingredients {
    /// One table read and one addition a byte: every count is a field of
    /// one packed counter.
    fn count(bytes: &[u8]) -> Ingredients {
        let field = |packed: u64, index: u32| {
            let count = (packed >> (index * COUNT_BITS)) & ((1 << COUNT_BITS) - 1);
            usize::from(u16::try_from(count).unwrap_or(u16::MAX))
        };
        let mut total = Ingredients::default();
        for chunk in bytes.chunks(COUNTED_AT_ONCE) {
            let packed = chunk.iter().fold(0u64, |packed, &byte| {
                packed + INGREDIENT_OF[usize::from(byte)]
            });
            total.digits += field(packed, 0);
            total.hex_letters += field(packed, 1);
            total.at += field(packed, 2);
            total.colons += field(packed, 3);
            total.dashes += field(packed, 4);
        }
        total
    }
}

/// Whether two colons touch (a compressed IPv6 address).
fn has_double_colon(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|pair| pair == b"::")
}

/// Whether twelve hex digits follow each other, dots allowed between them
/// (a bare or dotted MAC address).
fn has_hex_run(bytes: &[u8]) -> bool {
    let mut run = 0;
    for &byte in bytes {
        if byte.is_ascii_hexdigit() {
            run += 1;
            if run >= MIN_HEX_RUN {
                return true;
            }
        } else if byte != b'.' {
            run = 0;
        }
    }
    false
}

/// Whether `text` is exactly an ISO 8601 date or date-time
/// (`2024-05-01`, `2024-05-01T10:15`, `…:00`, `….123456789`, `Z`, `+09:00`).
///
/// No detector can match such a string whatever its digits: its digit groups
/// are too short for a phone or RRN, the fraction follows a decimal point, and
/// its colons are too few for IPv6 or MAC. A property test checks this
/// against the full scan.
fn is_iso_timestamp(text: &str) -> bool {
    let Some(rest) = strip_shape(text.as_bytes(), b"dddd-dd-dd") else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    let Some(mut rest) = strip_shape(rest, b"Tdd:dd") else {
        return false;
    };
    if let Some(after_seconds) = strip_shape(rest, b":dd") {
        rest = after_seconds;
    }
    if let Some(fraction) = rest.strip_prefix(b".") {
        let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return false;
        }
        rest = &fraction[digits..];
    }
    match rest {
        [] | [b'Z'] => true,
        [b'+' | b'-', offset @ ..] => strip_shape(offset, b"dd:dd").is_some_and(<[u8]>::is_empty),
        _ => false,
    }
}

/// `bytes` after a prefix of the given shape, where `d` stands for any ASCII
/// digit and every other byte for itself.
fn strip_shape<'b>(bytes: &'b [u8], shape: &[u8]) -> Option<&'b [u8]> {
    let (head, rest) = bytes.split_at_checked(shape.len())?;
    let fits = head.iter().zip(shape).all(|(&byte, &want)| {
        if want == b'd' {
            byte.is_ascii_digit()
        } else {
            byte == want
        }
    });
    fits.then_some(rest)
}

/// The core spans of every match of a form in `text`, left to right.
///
/// `find_iter` would resume after the trailing boundary character, so a
/// rejected candidate would hide a valid neighbour that needs that same
/// character as its leading boundary (`300.1.1.1 10.0.0.1`). Resuming at the
/// end of the core lets the boundary serve both.
///
/// Finding group 1 of the bounded pattern costs a capture search per
/// candidate; instead the core is found alone (a plain DFA search) and its
/// neighbours checked by [`Boundary::allows_before`] and
/// [`Boundary::allows_after`]. A core whose leading neighbour fails is
/// skipped (no core starting there can match); one whose trailing neighbour
/// fails falls back to the bounded pattern, which may prefer another
/// alternative of the core. A property test holds both ways equal.
#[derive(Debug)]
struct CoreMatches<'f, 't, 'c> {
    form: &'f CompiledForm,
    text: &'t str,
    from: usize,
    /// This thread's cache of the form's lazy core, when it has one.
    lazy: Option<&'c mut LazyRegexCache>,
}

/// The cores of `form` in `text`, each searched by the `regex` crate.
#[cfg(test)]
fn core_matches<'f, 't>(form: &'f CompiledForm, text: &'t str) -> CoreMatches<'f, 't, 'static> {
    core_matches_with(form, text, None)
}

/// The cores of `form` in `text`, each searched by the form's lazy core
/// with `lazy` as its cache when both are there, else by the `regex`
/// crate (the same leftmost-first match either way).
fn core_matches_with<'f, 't, 'c>(
    form: &'f CompiledForm,
    text: &'t str,
    lazy: Option<&'c mut LazyRegexCache>,
) -> CoreMatches<'f, 't, 'c> {
    CoreMatches {
        form,
        text,
        from: 0,
        lazy,
    }
}

impl CoreMatches<'_, '_, '_> {
    /// The next core at or after `self.from`, found the fast way.
    fn next_core(&mut self) -> Option<(usize, usize)> {
        let (form, text) = (self.form, self.text);
        let mut at = self.from;
        loop {
            let (start, end) = self.find_core(at)?;
            if !form.boundary.allows_before(text, self.from, start) {
                at = next_char_boundary(text, start)?;
                continue;
            }
            if form.boundary.allows_after(text, end) {
                return Some((start, end));
            }
            return self.bounded_core();
        }
    }

    /// The leftmost-first core starting at or after `at`.
    fn find_core(&mut self, at: usize) -> Option<(usize, usize)> {
        let (form, text) = (self.form, self.text);
        if let (Some(lazy), Some(cache)) = (&form.lazy_core, self.lazy.as_deref_mut()) {
            let input = Input::new(text).range(at..);
            let found = match form.fixed_core_len {
                Some(len) => lazy
                    .forward()
                    .try_search_fwd(cache.as_parts_mut().0, &input)
                    .map(|end| end.map(|end| (end.offset().saturating_sub(len), end.offset()))),
                None => lazy
                    .try_search(cache, &input)
                    .map(|found| found.map(|m| (m.start(), m.end()))),
            };
            if let Ok(found) = found {
                return found;
            }
        }
        let core = form.core.find_at(text, at)?;
        Some((core.start(), core.end()))
    }

    /// The next core at or after `self.from`, by the bounded pattern's group.
    fn bounded_core(&self) -> Option<(usize, usize)> {
        let core = self.form.regex.captures_at(self.text, self.from)?.get(1)?;
        Some((core.start(), core.end()))
    }
}

/// The first character boundary after `index`, if inside `text`.
fn next_char_boundary(text: &str, index: usize) -> Option<usize> {
    let width = text[index..].chars().next()?.len_utf8();
    Some(index + width)
}

impl Iterator for CoreMatches<'_, '_, '_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        // No core fits in fewer bytes than its shortest match: most values
        // are one identifier, and this spares their second search.
        if self.text.len().saturating_sub(self.from) < self.form.min_core_len {
            return None;
        }
        let (start, end) = self.next_core()?;
        if end <= self.from {
            // Cannot happen with non-empty cores; stop rather than loop.
            self.from = self.text.len() + 1;
            return None;
        }
        self.from = end;
        Some((start, end))
    }
}

fn is_ipv6_char(byte: u8) -> bool {
    byte.is_ascii_hexdigit() || byte == b':' || byte == b'.'
}

/// The span of the first IPv6 address in `text` that is a token of its own
/// or follows a colon (as in `urn:ngsi-ld:Device:2001:db8::17`).
///
/// Scans maximal runs of hex digits, colons and dots; a run glued to a
/// following letter (`g`–`z`) is part of a word and skipped.
fn find_ipv6(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut position = 0;
    while position < bytes.len() {
        if !is_ipv6_char(bytes[position]) {
            position += 1;
            continue;
        }
        let start = position;
        while position < bytes.len() && is_ipv6_char(bytes[position]) {
            position += 1;
        }
        let glued_after = bytes.get(position).is_some_and(u8::is_ascii_alphanumeric);
        let glued_before = start > 0 && bytes[start - 1].is_ascii_alphanumeric();
        // The run is ASCII, so these byte offsets are character boundaries.
        if !glued_after && let Some((from, to)) = ipv6_in_run(&text[start..position], glued_before)
        {
            return Some((start + from, start + to));
        }
    }
    None
}

/// Tries the whole run (unless it continues a word) and every part of it
/// that follows a colon, which is where a URN puts an address; the span of
/// the first that is one, within the run.
fn ipv6_in_run(run: &str, glued_before: bool) -> Option<(usize, usize)> {
    let run = run.trim_end_matches('.');
    let after_colons = run.match_indices(':').map(|(i, _)| i + 1);
    let whole = (!glued_before).then_some(0);
    whole
        .into_iter()
        .chain(after_colons)
        .find(|&from| is_identifying_ipv6(&run[from..]))
        .map(|from| (from, run.len()))
}

/// A parsable address with at least two colons that names a host: the
/// unspecified `::` and loopback `::1` identify no one.
fn is_identifying_ipv6(candidate: &str) -> bool {
    candidate.bytes().filter(|&b| b == b':').count() >= 2
        && candidate
            .parse::<Ipv6Addr>()
            .is_ok_and(|address| !address.is_unspecified() && !address.is_loopback())
}

#[cfg(test)]
mod oracle;

#[cfg(test)]
#[allow(non_upper_case_globals)]
mod tests {
    use super::*;
    use crate::vacuity::{Reached, check};
    use quickcheck::{Arbitrary, Gen, TestResult};
    use std::sync::OnceLock;

    // The embedded kinds the tests name, written as the definitions name
    // them.
    const Email: IdentifierKind = IdentifierKind("email");
    const PhoneKr: IdentifierKind = IdentifierKind("phone-kr");
    const PhoneIn: IdentifierKind = IdentifierKind("phone-in");
    const PhoneSg: IdentifierKind = IdentifierKind("phone-sg");
    const PhoneId: IdentifierKind = IdentifierKind("phone-id");
    const KrRrn: IdentifierKind = IdentifierKind("kr-rrn");
    const KrPlate: IdentifierKind = IdentifierKind("kr-plate");
    const Passport: IdentifierKind = IdentifierKind("passport");
    const Ipv4: IdentifierKind = IdentifierKind("ipv4");
    const Ipv6: IdentifierKind = IdentifierKind("ipv6");
    const Mac: IdentifierKind = IdentifierKind("mac");
    const KrArn: IdentifierKind = IdentifierKind("kr-arn");
    const KrDriverLicence: IdentifierKind = IdentifierKind("kr-driver-licence");
    const SgNric: IdentifierKind = IdentifierKind("sg-nric");
    const InAadhaar: IdentifierKind = IdentifierKind("in-aadhaar");
    const CnRid: IdentifierKind = IdentifierKind("cn-rid");
    const JpMyNumber: IdentifierKind = IdentifierKind("jp-my-number");

    fn every_kind() -> Vec<IdentifierKind> {
        Definitions::embedded().kinds()
    }

    /// Compiled once for the whole test run, as the payload check does.
    fn all() -> &'static Detectors {
        static ALL: OnceLock<Detectors> = OnceLock::new();
        ALL.get_or_init(|| Detectors::new(&every_kind()))
    }

    fn kinds_in(text: &str) -> Vec<IdentifierKind> {
        kinds(all().scan(text))
    }

    fn kinds(detections: Found) -> Vec<IdentifierKind> {
        detections.into_iter().map(|d| d.kind).collect()
    }

    fn detects(kind: IdentifierKind, text: &str) -> bool {
        kinds_in(text).contains(&kind)
    }

    /// The check-digit verdict of the resident number found in `text`, if
    /// one is found.
    fn rrn_detection(text: &str) -> Option<bool> {
        all()
            .scan(text)
            .into_iter()
            .find(|d| d.kind == KrRrn)
            .and_then(|d| d.checksum_valid)
    }

    // --- names and construction -------------------------------------------

    #[test]
    fn every_kind_compiles_alone_and_together() {
        let definitions = Definitions::embedded();
        for kind in every_kind() {
            let alone = Detectors::from_definitions(definitions, &[kind], Confidence::Medium);
            assert!(alone.is_ok(), "{kind}: {alone:?}");
        }
        let together = Detectors::from_definitions(definitions, &every_kind(), Confidence::Low);
        assert!(together.is_ok(), "{together:?}");
    }

    #[test]
    fn the_embedded_kinds_are_the_tests_kinds() {
        let named = [
            Email,
            PhoneKr,
            PhoneIn,
            PhoneSg,
            PhoneId,
            KrRrn,
            KrPlate,
            Passport,
            Ipv4,
            Ipv6,
            Mac,
            KrArn,
            KrDriverLicence,
            SgNric,
            InAadhaar,
            CnRid,
            JpMyNumber,
        ];
        let mut named = named.to_vec();
        named.sort_unstable();
        assert_eq!(every_kind(), named);
    }

    #[test]
    fn a_kind_is_its_interned_name() {
        let kind = IdentifierKind::named("my-mykad");
        assert_eq!(kind, IdentifierKind::named(&String::from("my-mykad")));
        assert!(std::ptr::eq(
            kind.as_str(),
            IdentifierKind::named("my-mykad").as_str()
        ));
        assert_eq!(kind.to_string(), "my-mykad");
        assert_eq!(
            serde_json::to_value(kind).ok(),
            Some(serde_json::json!("my-mykad"))
        );
        assert_eq!(IdentifierKind::named("email"), Email);
    }

    #[test]
    fn kinds_order_by_name_and_descriptions_are_distinct() {
        let kinds = every_kind();
        assert!(kinds.windows(2).all(|w| w[0].as_str() < w[1].as_str()));
        let mut descriptions: Vec<_> = kinds.iter().map(|&k| all().describe(k)).collect();
        descriptions.sort_unstable();
        descriptions.dedup();
        assert_eq!(descriptions.len(), kinds.len());
        assert_eq!(all().describe(KrRrn), "Korean resident registration number");
        assert_eq!(all().with_article(Ipv4), "an IPv4 address");
        assert_eq!(
            Detectors::new(&[Email]).describe(KrRrn),
            "kr-rrn",
            "a kind not selected is named by its name"
        );
    }

    #[test]
    fn no_kinds_find_nothing_and_repeats_are_ignored() {
        assert!(
            Detectors::new(&[])
                .scan("station.keeper@example.org")
                .is_empty()
        );
        let twice = Detectors::new(&[Email, Email, Mac]);
        let found = twice.scan("station.keeper@example.org");
        assert_eq!(
            found.iter().map(|d| d.kind).collect::<Vec<_>>(),
            vec![Email]
        );
        assert_eq!(found[0].confidence, Confidence::High);
        assert_eq!(found[0].checksum_valid, None);
    }

    #[test]
    fn only_selected_kinds_are_reported() {
        let email_only = Detectors::new(&[Email]);
        assert!(email_only.scan("call 010-2345-6789").is_empty());
        assert!(email_only.scan("holder 850714-2038151").is_empty());
        let rrn_only = Detectors::new(&[KrRrn]);
        assert_eq!(
            rrn_only.scan("holder 850714-2038151").as_slice(),
            [Detection {
                kind: KrRrn,
                checksum_valid: Some(true),
                confidence: Confidence::High,
            }]
        );
    }

    #[test]
    fn one_detection_per_kind_in_kind_order() {
        let text = "mail a@example.org or b@example.org, MAC 3C:5A:B4:12:9F:E0, call 010-2345-6789 / 02-123-4567";
        assert_eq!(kinds_in(text), vec![Email, Mac, PhoneKr]);
    }

    // --- positives and negatives per kind ---------------------------------

    fn assert_found(kind: IdentifierKind, examples: &[&str]) {
        for text in examples {
            assert!(
                detects(kind, text),
                "{kind} not found in {text:?} (found {:?})",
                kinds_in(text)
            );
        }
    }

    fn assert_not_found(kind: IdentifierKind, examples: &[&str]) {
        for text in examples {
            assert!(!detects(kind, text), "{kind} wrongly found in {text:?}");
        }
    }

    #[test]
    fn email() {
        assert_found(
            Email,
            &[
                "Report a faulty sensor to station.keeper@example.org",
                "a@b.cd",
                "<first.last+city@mail.example.co.kr>.",
                "contact:ops_team@example.org;",
            ],
        );
        assert_not_found(
            Email,
            &[
                "@handle",
                "user@localhost",
                "a@b.c",
                "x@example.org2",
                "pm2.5@",
            ],
        );
    }

    #[test]
    fn korean_phone() {
        assert_found(
            PhoneKr,
            &[
                "Station caretaker on call: 010-2345-6789",
                "01023456789",
                "011.234.5678",
                "tel 02-123-4567",
                "031 1234 5678",
                "+82 10-2345-6789",
                "+82-2-123-4567",
                "010-23456789",
                "(+821023456789)",
            ],
        );
        assert_not_found(
            PhoneKr,
            &[
                "1010-2345-67890",
                "0.0212345678",
                "010-2345-678",
                "07-123-4567",
                "+83 10-2345-6789",
                "02-123-45678",
                "02.49890097",
                "02 1234-5678",
                "observed at 2024-05-01T10:15:02.1234567Z by the roadside unit",
            ],
        );
    }

    #[test]
    fn indian_phone() {
        assert_found(
            PhoneIn,
            &[
                "For site access call +91 98765 43210",
                "+919876543210",
                "91-9876543210",
                "09876543210",
                "9876543210",
                "ph: 987 654 3210.",
            ],
        );
        assert_not_found(
            PhoneIn,
            &[
                "98765432101",
                "19876543210x",
                "5876543210",
                "987654321",
                "1.9876543210",
            ],
        );
    }

    #[test]
    fn singapore_phone() {
        assert_found(
            PhoneSg,
            &[
                "Detector maintenance hotline +65 9123 4567",
                "+6561234567",
                "+65-8123-4567",
                "6123 4567",
                " 8123 4567 ",
            ],
        );
        assert_eq!(
            kinds(all().scan_in(Some("telephone"), "91234567")),
            vec![PhoneSg]
        );
        assert_not_found(
            PhoneSg,
            &[
                "call 91234567",
                "91234567",
                "71234567",
                "+65 7123 4567",
                "912345678",
                "+65 9123 45678",
            ],
        );
    }

    #[test]
    fn indonesian_phone() {
        assert_found(
            PhoneId,
            &[
                "Duty controller reachable at +62 812-3456-7890",
                "+6281234567890",
                "6281234567",
                "0812 3456 789",
                "08123456789",
            ],
        );
        assert_not_found(
            PhoneId,
            &[
                "0801234567",
                "081234",
                "+62 812-3456-78901234",
                "1081234567890123",
            ],
        );
    }

    #[test]
    fn korean_resident_number() {
        assert_found(
            KrRrn,
            &[
                "Resident permit space, holder 850714-2038151",
                "8507142038151",
                "no.850714-2038151.",
                "850714 2038151",
            ],
        );
        assert_not_found(
            KrRrn,
            &[
                "851314-2038151",
                "850732-2038151",
                "850230-2038151",
                "850714-9038151",
                "850714-0038151",
                "1850714-2038151",
                "850714-20381512",
                "850714--2038151",
                "0.8507142038151",
            ],
        );
    }

    #[test]
    fn korean_alien_registration_number() {
        assert_found(
            KrArn,
            &[
                "(850714-5038151)",
                "외국인 850714 6038151",
                "021105-7123456",
            ],
        );
        assert_not_found(KrArn, &["850714-2038151", "850714-9038151"]);
        assert_not_found(KrRrn, &["(850714-5038151)"]);
    }

    #[test]
    fn korean_driver_licence() {
        assert_found(
            KrDriverLicence,
            &[
                "11-19-123456-01",
                "서울 19-123456-01",
                "부산19-123456-01",
                "licence 28 05 654321 99",
            ],
        );
        assert_not_found(
            KrDriverLicence,
            &["10-19-123456-01", "11-19-12345-01", "111912345601"],
        );
    }

    #[test]
    fn singapore_nric_and_fin() {
        assert_found(
            SgNric,
            &[
                "S1234567D",
                "t1234567j",
                "NRIC F1234567N verified",
                "G1234567X",
            ],
        );
        assert_not_found(
            SgNric,
            &["S1234567A", "E1234567N", "XS1234567D", "S1234567D-1"],
        );
    }

    #[test]
    fn aadhaar_number() {
        assert_found(InAadhaar, &["2345 6789 0124", "Aadhaar 2345-6789-0124"]);
        assert_eq!(
            kinds(all().scan_in(Some("aadhaar_no"), "234567890124")),
            vec![InAadhaar]
        );
        // The Verhoeff check fails; a leading 1 is never issued; bare and
        // without a word it is any twelfth 12-digit number.
        assert_not_found(
            InAadhaar,
            &["2345 6789 0123", "1345 6789 0124", "234567890124"],
        );
    }

    #[test]
    fn chinese_resident_identity_number() {
        assert_found(
            CnRid,
            &[
                "11010519491231002X",
                "11010519491231002x",
                "身份证号 11010519491231002X",
            ],
        );
        assert_not_found(
            CnRid,
            &[
                "110105194912310021",
                "110105194902310021",
                "011010519491231002X",
            ],
        );
    }

    #[test]
    fn japanese_individual_number() {
        assert_found(JpMyNumber, &["1234 5678 9018", "マイナンバー 123456789018"]);
        assert_eq!(
            kinds(all().scan_in(Some("myNumber"), "123456789018")),
            vec![JpMyNumber]
        );
        assert_not_found(JpMyNumber, &["1234 5678 9012", "123456789018"]);
    }

    #[test]
    fn twelve_digits_go_to_the_kind_their_words_name() {
        // 2345 6789 0124 passes Verhoeff; whether it passes the My Number
        // check or not, the word decides.
        assert_eq!(kinds_in("Aadhaar 2345 6789 0124"), vec![InAadhaar]);
        assert_eq!(kinds_in("マイナンバー 1234 5678 9018"), vec![JpMyNumber]);
    }

    #[test]
    fn korean_phone_forms_beyond_the_domestic() {
        assert_found(
            PhoneKr,
            &[
                "070-1234-5678",
                "82-10-2345-6789",
                "+82 (0)10-2345-6789",
                "(02) 123-4567",
                "(031) 1234 5678",
            ],
        );
    }

    #[test]
    fn mac_in_dotted_and_bare_forms() {
        assert_found(
            Mac,
            &["001A.2B3C.4D5E", "001a.2b3c.4d5e", "MAC 001A2B3C4D5E"],
        );
        assert_eq!(
            kinds(all().scan_in(Some("macAddress"), "001a2b3c4d5e")),
            vec![Mac]
        );
        // Twelve hex digits alone are a hash prefix as often as a MAC.
        assert_not_found(
            Mac,
            &["001A2B3C4D5E", "001A.2B3C.4D5E.6F70", "deadbeefcafe"],
        );
    }

    #[test]
    fn email_with_non_ascii_local_part_and_domain() {
        assert_found(
            Email,
            &[
                "관리자@example.org",
                "müller.anna@example.de",
                "tanaka@例え.jp",
            ],
        );
    }

    /// Values of ordinary city feeds that every profile failed as
    /// identifiers before detections had validators, boundaries and
    /// context.
    #[test]
    fn ordinary_values_that_looked_like_identifiers() {
        let plain = [
            // 13-digit epoch milliseconds and EAN-13 codes, once RRNs.
            "1712131415161",
            "8801043081252",
            "1609459200000",
            // Versions, once IPv4 addresses.
            "1.2.3.4",
            "firmware 3.10.2.7",
            "v1.2.3.4",
            // Product codes, once passports.
            "A1234567",
            "SKU A1234567",
            // Digits inside serials, hex ids and URNs, once phones.
            "sensor-9876543210",
            "SN 9876543210",
            "device-01012345678",
            "urn:ngsi-ld:Device:9876543210",
            "urn:ngsi-ld:ParkingSpot:01023456789",
            "2b6488755477b6803d3e21072a3dbcff52fb8f806283fc73591c8053e6ad6125",
            "0x9876543210abcdef",
            // An 8-digit amount, once a Singapore phone.
            "84068784",
        ];
        for text in plain {
            assert_eq!(kinds_in(text), vec![], "{text:?}");
        }
        for (member, text) in [
            ("amount", "91234567"),
            ("serialNumber", "9876543210"),
            ("timestamp", "1712131415161"),
            ("productCode", "A7654321"),
            ("firmwareVersion", "4.1.0.2"),
        ] {
            assert_eq!(
                kinds(all().scan_in(Some(member), text)),
                vec![],
                "{member}: {text:?}"
            );
        }
    }

    #[test]
    fn the_threshold_decides_which_confidence_is_reported() {
        let low = Detectors::with_min_confidence(&every_kind(), Confidence::Low);
        let found = low.scan("A1234567");
        assert_eq!(kinds(found.clone()), vec![Passport]);
        assert_eq!(found[0].confidence, Confidence::Low);
        let high = Detectors::with_min_confidence(&every_kind(), Confidence::High);
        assert_eq!(kinds(high.scan("010-2345-6789")), vec![]);
        assert_eq!(kinds(high.scan("call 010-2345-6789")), vec![PhoneKr]);
        assert_eq!(kinds(high.scan("850714-2038151")), vec![KrRrn]);
    }

    #[test]
    fn member_names_are_split_into_words() {
        assert_eq!(
            member_tokens("clientIpAddress"),
            vec!["client", "ip", "address"]
        );
        assert_eq!(
            member_tokens("client_ip-address"),
            vec!["client", "ip", "address"]
        );
        assert_eq!(member_tokens("vehicle_id"), vec!["vehicle", "id"]);
        // `ip` is a whole part of a name, not any two letters of it.
        let ipv4_only = Detectors::new(&[Ipv4]);
        assert!(ipv4_only.scan_in(Some("description"), "1.2.3.4").is_empty());
        assert_eq!(
            kinds(ipv4_only.scan_in(Some("clientIp"), "1.2.3.4")),
            vec![Ipv4]
        );
    }

    #[test]
    fn korean_plate() {
        assert_found(
            KrPlate,
            &[
                "12가3456",
                "123가 4567",
                "서울12가3456",
                "plate: 12가3456.",
                "차량 12가3456이 주차",
            ],
        );
        assert_not_found(
            KrPlate,
            &[
                "112가34567",
                "A12가3456",
                "12가345",
                "12명 2024년",
                "1가3456",
            ],
        );
    }

    #[test]
    fn passport() {
        assert_found(
            Passport,
            &[
                "Airport transfer booked against passport M123A4567",
                "M12345678",
                "passport: S87654321.",
                "passport A1234567",
                "passport no. Y1234567",
                "E1234567N",
            ],
        );
        assert_not_found(
            Passport,
            &[
                "A1234567",
                "SKU M12345678",
                "m12345678",
                "XM12345678",
                "Q1234567",
                "Z1234567",
                "A0234567",
                "A1234567-8D2B-4C7A-9E11-2B3C4D5E6F70",
                "M123456789",
            ],
        );
    }

    #[test]
    fn ipv4() {
        assert_found(
            Ipv4,
            &[
                "urn:ngsi-ld:Device:192.0.2.17",
                "192.0.2.1",
                "from 10.1.2.3:8080",
                "300.1.1.1 192.0.0.1",
                "client 10.1.2.3",
            ],
        );
        assert_not_found(
            Ipv4,
            &[
                "1.2.3.4.5",
                "256.1.1.1",
                "192.168.001.1",
                "version 1.2.3",
                "1.2.3.4",
                "12.2.1.0",
                "firmware 3.10.2.7",
                "v10.20.30.40",
                "127.0.0.1",
                "0.0.0.0",
            ],
        );
    }

    #[test]
    fn ipv6() {
        assert_found(
            Ipv6,
            &[
                "2001:db8::17",
                "urn:ngsi-ld:Device:2001:db8::17",
                "[2001:db8:0:0:1:0:0:1]:443",
                "fe80::1%eth0",
                "2001:0db8:85a3:0000:0000:8a2e:0370:7334.",
                "::ffff:192.0.2.1",
            ],
        );
        assert_not_found(
            Ipv6,
            &[
                "10:00:00",
                "2024-05-01T10:15:00+09:00",
                "::1",
                "::",
                "3C:5A:B4:12:9F:E0",
                "std::fmt::Display",
                "2001:db8::17g",
            ],
        );
    }

    #[test]
    fn mac() {
        assert_found(
            Mac,
            &[
                "obu-3C:5A:B4:12:9F:E0",
                "3c-5a-b4-12-9f-e0",
                "AA-BB-CC-DD-EE-FF",
                "mac=00:1a:2b:3c:4d:5e;",
            ],
        );
        assert_not_found(
            Mac,
            &[
                "3C:5A:B4:12:9F",
                "3C:5A-B4:12:9F:E0",
                "3C:5A:B4:12:9F:E0:77",
                "3C:5A:B4:12:9F:G0",
            ],
        );
    }

    #[test]
    fn ordinary_city_values_are_not_identifiers() {
        let ordinary = [
            "2024-05-01T10:15:00+09:00",
            "2024-05-01T10:15:00Z",
            "2024-05-01T10:15:00.123+05:30",
            "urn:ngsi-ld:AirQualityObserved:Seoul-Jongno-001",
            "urn:ngsi-ld:Device:seoul-parking-sensor-a-12",
            "126.9780",
            "37.5665",
            "-6.1862",
            "42",
            "1550",
            "560068",
            "GQ",
            "KWH",
            "KR",
            "KR-11",
            "ID-JK",
            "P30D",
            "P1Y",
            "3f1c5a9e-8d2b-4c7a-9e11-2b3c4d5e6f70",
            "3F1C5A9E-8D2B-4C7A-9E11-2B3C4D5E6F70",
            "CARD-7Q2K-4MZR-9XWD",
            "pseud-w10-7f3a9c",
            "kr-pipa:A15-1-1",
            "dpv:PublicInterest",
            "Gangnam-daero A-12",
            "bus-0417",
            "corridor-1-am-17",
            "Bus 417",
            "10:00:00",
            "https://smartdatamodels.org/context.jsonld",
            "",
        ];
        for text in ordinary {
            assert_eq!(kinds_in(text), vec![], "{text:?}");
        }
    }

    /// Found by `property_shortcuts_hide_no_detection`: seconds `02` followed
    /// by a 7- or 8-digit fraction (as .NET writes them) read as the Seoul
    /// number `02.4989 0097` while separators could be mixed.
    #[test]
    fn regression_seconds_02_with_a_long_fraction_is_not_a_seoul_number() {
        let timestamp = "9348-10-67T78:91:02.49890097";
        assert!(all().scan_candidates(None, timestamp).is_empty());
        assert_eq!(kinds_in(&format!("seen {timestamp} twice")), vec![]);
        assert_eq!(kinds_in("seen 2024-05-01T10:15:02.1234567Z twice"), vec![]);
    }

    #[test]
    fn iso_timestamps_are_recognised_by_shape() {
        for text in [
            "2024-05-01",
            "2024-05-01T10:15",
            "2024-05-01T10:15:00Z",
            "2024-05-01T10:15:00+09:00",
            "2024-05-01T10:15:00.123456789-03:30",
        ] {
            assert!(is_iso_timestamp(text), "{text:?}");
        }
        for text in [
            "2024-05-01T10:15:00.1234567890Z",
            "2024-05-01T10:15:00+0900",
            "2024-05-01 10:15:00",
            "2024-05-01T10:15:00Z ",
            "2024-5-01",
            "2024-05-01T",
            "",
        ] {
            assert!(!is_iso_timestamp(text), "{text:?}");
        }
    }

    #[test]
    fn strings_without_ingredients_are_skipped() {
        assert!(!may_hold_identifier("Mitte urban background station"));
        assert!(!may_hold_identifier(
            "urn:ngsi-ld:AirQualityObserved:Seoul-Jongno-001"
        ));
        assert!(!may_hold_identifier("2024-05-01T10:15:00+09:00"));
        assert!(may_hold_identifier("::2"));
        assert!(may_hold_identifier("AA-BB-CC-DD-EE-FF"));
        assert!(may_hold_identifier("a@b.cd"));
        assert!(may_hold_identifier("1.1.1.1"));
    }

    // --- resident registration numbers and their check digit --------------

    #[test]
    fn known_valid_resident_number_is_found_with_a_valid_checksum() {
        assert_eq!(rrn_detection("holder 850714-2038151"), Some(true));
        assert_eq!(rrn_detection("8507142038151"), Some(true));
    }

    #[test]
    fn wrong_check_digit_is_still_found() {
        assert_eq!(rrn_detection("holder 850714-2038154"), Some(false));
    }

    #[test]
    fn one_valid_number_among_invalid_ones_reports_valid() {
        let text = "850714-2038154 and 850714-2038151";
        assert_eq!(rrn_detection(text), Some(true));
    }

    #[test]
    fn only_resident_numbers_carry_a_checksum() {
        for detection in all().scan("a@example.org 850714-2038151 010-2345-6789") {
            assert_eq!(detection.checksum_valid.is_some(), detection.kind == KrRrn);
        }
    }

    #[test]
    fn checksum_of_valid_numbers() {
        assert!(rrn_checksum_valid("850714-2038151"));
        assert!(rrn_checksum_valid("8507142038151"));
        // All-zero weights sum 0: check digit (11 - 0) mod 10 = 1.
        assert!(rrn_checksum_valid("000000-0000001"));
        // Weighted sum 12 ≡ 1 (mod 11): check digit (11 - 1) mod 10 = 0.
        assert!(rrn_checksum_valid("040000-0000000"));
    }

    #[test]
    fn checksum_of_invalid_or_malformed_input() {
        assert!(!rrn_checksum_valid("850714-2038154"));
        assert!(!rrn_checksum_valid("8507142038154"));
        assert!(!rrn_checksum_valid("85071-42038151"));
        assert!(!rrn_checksum_valid("850714 2038151"));
        assert!(!rrn_checksum_valid("850714-203815"));
        assert!(!rrn_checksum_valid("850714-20381511"));
        assert!(!rrn_checksum_valid("85O714-2038151"));
        assert!(!rrn_checksum_valid("８50714-2038151"));
        assert!(!rrn_checksum_valid(""));
    }

    // --- properties --------------------------------------------------------

    /// A resident number's parts: a real birth date in the 1900s, gender
    /// digit 1 or 2 (so never in the future), and five serial digits; the
    /// sixth digit after the gender is the check.
    #[derive(Debug, Clone)]
    struct ResidentNumber {
        birth: String,
        gender: u8,
        serial: [u8; 5],
    }

    fn digit(g: &mut Gen) -> u8 {
        u8::arbitrary(g) % 10
    }

    impl Arbitrary for ResidentNumber {
        fn arbitrary(g: &mut Gen) -> Self {
            // 28 in February: 1900 was not a leap year, and the property
            // is about check digits, not leap years.
            const MONTH_DAYS: [u8; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
            let year = u8::arbitrary(g) % 100;
            let month = usize::arbitrary(g) % 12;
            let day = 1 + u8::arbitrary(g) % MONTH_DAYS[month];
            ResidentNumber {
                birth: format!("{year:02}{:02}{day:02}", month + 1),
                gender: 1 + u8::arbitrary(g) % 2,
                serial: [digit(g), digit(g), digit(g), digit(g), digit(g)],
            }
        }
    }

    impl ResidentNumber {
        fn first_twelve(&self) -> String {
            let serial: String = self.serial.iter().map(|d| char::from(b'0' + d)).collect();
            format!("{}{}{serial}", self.birth, self.gender)
        }

        /// Computed here from the definition, independently of the module.
        fn check_digit(&self) -> u8 {
            let weights = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5];
            let sum: u32 = self
                .first_twelve()
                .bytes()
                .zip(weights)
                .map(|(b, w)| u32::from(b - b'0') * w)
                .sum();
            ((11 - sum % 11) % 10) as u8
        }

        /// The number ending in `check`, written out (dashed, spaced), and
        /// each inside a sentence: the forms found whatever the check digit.
        fn written_out_with(&self, check: u8) -> Vec<String> {
            let bare = format!("{}{check}", self.first_twelve());
            let dashed = format!("{}-{}", &bare[..6], &bare[6..]);
            let spaced = format!("{} {}", &bare[..6], &bare[6..]);
            let in_sentence = format!("resident no. {dashed} on file");
            vec![dashed, spaced, in_sentence]
        }

        /// The number ending in `check`, bare.
        fn bare_with(&self, check: u8) -> String {
            format!("{}{check}", self.first_twelve())
        }
    }

    /// Whether 13 digits also pass the EAN-13 check (then a bare number
    /// reads as a product code), computed here independently.
    fn is_ean13(digits: &str) -> bool {
        let sum: u32 = digits
            .bytes()
            .enumerate()
            .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
            .sum();
        sum.is_multiple_of(10)
    }

    fn each_found_as(numbers: Vec<String>, expected: bool) -> bool {
        numbers.iter().all(|n| rrn_detection(n) == Some(expected))
    }

    /// Text built from pieces that sit on token boundaries: digits, hex
    /// letters, joiners, a Hangul syllable, a non-ASCII letter.
    #[derive(Debug, Clone)]
    struct BoundaryText(String);

    impl Arbitrary for BoundaryText {
        fn arbitrary(g: &mut Gen) -> Self {
            const PIECES: [&str; 24] = [
                "0",
                "1",
                "5",
                "9",
                "010",
                "82",
                "8",
                ".",
                "-",
                ":",
                "_",
                "+",
                " ",
                "a",
                "F",
                "x",
                "가",
                "é",
                "@",
                "1234",
                "2001:db8::",
                "(0)",
                "S",
                "v",
            ];
            let length = usize::arbitrary(g) % 40;
            let text = (0..length)
                .map(|_| *g.choose(&PIECES).unwrap_or(&"0"))
                .collect();
            BoundaryText(text)
        }
    }

    /// The group-1 spans of the bounded pattern, walked as the fast path
    /// walks its cores: the reference [`CoreMatches`] must equal.
    fn bounded_spans(form: &CompiledForm, text: &str) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        let mut from = 0;
        while from <= text.len() {
            let Some(core) = form.regex.captures_at(text, from).and_then(|c| c.get(1)) else {
                break;
            };
            spans.push((core.start(), core.end()));
            from = core.end();
        }
        spans
    }

    #[test]
    fn property_cores_found_alone_equal_the_bounded_patterns() {
        static REACHED: Reached = Reached::new();
        fn property(text: BoundaryText) -> bool {
            let detectors = all();
            detectors.compiled.forms.iter().all(|form| {
                let expected = bounded_spans(form, &text.0);
                if !expected.is_empty() {
                    REACHED.hit();
                }
                core_matches(form, &text.0).collect::<Vec<_>>() == expected
            })
        }
        check(2000, &REACHED, property as fn(BoundaryText) -> bool);
    }

    #[test]
    fn cores_found_alone_equal_the_bounded_patterns_on_the_corpus() {
        let corpus = ["positives.tsv", "negatives.tsv", "extracted.tsv"]
            .iter()
            .map(|name| {
                let path = format!("{}/fixtures/identifiers/{name}", env!("CARGO_MANIFEST_DIR"));
                std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mut compared = 0;
        for value in corpus
            .lines()
            .filter_map(|line| line.splitn(3, '\t').nth(2))
        {
            for padded in [
                value.to_owned(),
                format!("x.{value}.9"),
                format!("+1{value}-a"),
            ] {
                for form in &all().compiled.forms {
                    let expected = bounded_spans(form, &padded);
                    compared += expected.len();
                    assert_eq!(
                        core_matches(form, &padded).collect::<Vec<_>>(),
                        expected,
                        "{padded:?} under {}",
                        form.regex
                    );
                }
            }
        }
        assert!(compared > 500, "only {compared} spans compared");
    }

    /// Which forms the lazy DFA's one pass says match, and which the set.
    fn pass_and_set(text: &str) -> (Option<u64>, u64) {
        let detectors = all();
        let mut caches = detectors.compiled.pass.caches.get();
        let pass = detectors.compiled.pass.run(&mut caches, text);
        let set = detectors
            .compiled
            .candidates
            .matches(text)
            .iter()
            .fold(0u64, |bits, i| bits | 1 << i);
        (pass, set)
    }

    /// Whether the one pass said what it should of `text`, given what the
    /// set said: the same forms on ASCII text, at least those beyond.
    fn pass_says(pass: Option<u64>, set: u64, text: &str) -> bool {
        match pass {
            Some(pass) if text.is_ascii() => pass == set,
            Some(pass) => pass & set == set,
            None => false,
        }
    }

    /// The cores of every form found by its lazy core, and by the `regex`
    /// crate.
    type Spans = Vec<(usize, usize)>;

    fn lazy_and_regex_cores(text: &str) -> Vec<(Spans, Spans)> {
        all()
            .compiled
            .forms
            .iter()
            .map(|form| {
                let mut cache = form.lazy_core.as_ref().map(LazyRegex::create_cache);
                let lazy = core_matches_with(form, text, cache.as_mut()).collect();
                (lazy, core_matches(form, text).collect())
            })
            .collect()
    }

    #[test]
    fn the_embedded_forms_run_on_lazy_dfas() {
        assert!(all().compiled.pass.dfa.is_some());
        assert!(
            all()
                .compiled
                .forms
                .iter()
                .all(|form| form.lazy_core.is_some())
        );
    }

    #[test]
    fn property_the_one_pass_says_what_the_set_says_and_lazy_cores_the_regex_cores() {
        static REACHED: Reached = Reached::new();
        fn property(text: BoundaryText) -> bool {
            let (pass, set) = pass_and_set(&text.0);
            if set != 0 {
                REACHED.hit();
            }
            pass_says(pass, set, &text.0)
                && lazy_and_regex_cores(&text.0)
                    .iter()
                    .all(|(lazy, regex)| lazy == regex)
        }
        check(2000, &REACHED, property as fn(BoundaryText) -> bool);
    }

    #[test]
    fn the_one_pass_says_what_the_set_says_and_lazy_cores_the_regex_cores_on_the_corpus() {
        let corpus = ["positives.tsv", "negatives.tsv", "extracted.tsv"]
            .iter()
            .map(|name| {
                let path = format!("{}/fixtures/identifiers/{name}", env!("CARGO_MANIFEST_DIR"));
                std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mut matched = 0;
        for value in corpus
            .lines()
            .filter_map(|line| line.splitn(3, '\t').nth(2))
        {
            for padded in [
                value.to_owned(),
                format!("x.{value}.9"),
                format!("+1{value}-a"),
            ] {
                let (pass, set) = pass_and_set(&padded);
                assert!(pass_says(pass, set, &padded), "{padded:?}: {pass:?} {set}");
                matched += set.count_ones();
                for (lazy, regex) in lazy_and_regex_cores(&padded) {
                    assert_eq!(lazy, regex, "{padded:?}");
                }
            }
        }
        assert!(matched > 500, "only {matched} forms matched");
    }

    /// The lengths read from each form's syntax, which end a form's
    /// search early and stand in for the reverse search, bound every core
    /// the `regex` crate finds, in bytes (the Hangul of a plate is three
    /// bytes a letter).
    #[test]
    fn core_lengths_from_the_syntax_bound_every_core_found() {
        static REACHED: Reached = Reached::new();
        fn property(text: BoundaryText) -> bool {
            all().compiled.forms.iter().all(|form| {
                form.core.find_iter(&text.0).all(|core| {
                    REACHED.hit();
                    core.len() >= form.min_core_len
                        && form.fixed_core_len.is_none_or(|len| core.len() == len)
                })
            })
        }
        check(2000, &REACHED, property as fn(BoundaryText) -> bool);
        let plates = all()
            .compiled
            .forms
            .iter()
            .filter(|form| form.core.is_match("12가3456"))
            .collect::<Vec<_>>();
        assert!(!plates.is_empty());
        assert!(plates.iter().all(|form| form.min_core_len >= 9));
        let fixed = all()
            .compiled
            .forms
            .iter()
            .filter(|f| f.fixed_core_len.is_some());
        assert!(fixed.count() >= 10, "most national numbers have one length");
    }

    #[test]
    fn property_correct_check_digit_is_found_valid() {
        static REACHED: Reached = Reached::new();
        fn property(number: ResidentNumber) -> bool {
            REACHED.hit();
            let bare = number.bare_with(number.check_digit());
            let bare_found = if is_ean13(&bare) {
                rrn_detection(&bare).is_none()
            } else {
                rrn_detection(&bare) == Some(true)
            };
            bare_found && each_found_as(number.written_out_with(number.check_digit()), true)
        }
        check(100, &REACHED, property as fn(ResidentNumber) -> bool);
    }

    #[test]
    fn property_wrong_check_digit_is_found_invalid_unless_bare() {
        static REACHED: Reached = Reached::new();
        fn property(number: ResidentNumber, other: u8) -> TestResult {
            let other = other % 10;
            if other == number.check_digit() {
                return TestResult::discard();
            }
            REACHED.hit();
            TestResult::from_bool(
                each_found_as(number.written_out_with(other), false)
                    && rrn_detection(&number.bare_with(other)).is_none(),
            )
        }
        check(
            100,
            &REACHED,
            property as fn(ResidentNumber, u8) -> TestResult,
        );
    }

    /// Text drawn from the characters identifiers are made of, with
    /// identifier-shaped pieces (random digits and hex in the shapes of
    /// the kinds) among the loose characters, so that scans reach the
    /// validation paths and not only the pre-filter: loose characters
    /// alone almost never form an identifier.
    #[derive(Debug, Clone)]
    struct IdentifierishText(String);

    /// Shapes of identifiers: `#` is any digit, `h` any hex digit.
    const SHAPES: [&str; 14] = [
        "x#@ex.org",
        "010-####-####",
        "+82 2-###-####",
        "+91 9#### #####",
        "+65 9### ####",
        "+62 812-####-####",
        "##가####",
        "M########",
        "E#######N",
        "10.#.#.#",
        "###.#.##.#",
        "2001:db8::#",
        "fe80::h%eth0",
        "hh:hh:hh:hh:hh:hh",
    ];

    fn shaped(g: &mut Gen, shape: &str) -> String {
        let hex: Vec<char> = "0123456789abcdefABCDEF".chars().collect();
        shape
            .chars()
            .map(|c| match c {
                '#' => char::from(b'0' + digit(g)),
                'h' => g.choose(&hex).copied().unwrap_or('0'),
                other => other,
            })
            .collect()
    }

    impl Arbitrary for IdentifierishText {
        fn arbitrary(g: &mut Gen) -> Self {
            let alphabet: Vec<char> = "0123456789012345-.:@+ aAfFgMEK가힣\u{0}é𝟘"
                .chars()
                .collect();
            let mut text = String::new();
            for _ in 0..1 + usize::arbitrary(g) % 4 {
                let loose = usize::arbitrary(g) % 12;
                text.extend((0..loose).filter_map(|_| g.choose(&alphabet).copied()));
                if bool::arbitrary(g) {
                    text.push(' ');
                }
                match u8::arbitrary(g) % 3 {
                    0 => {}
                    1 => {
                        let number = ResidentNumber::arbitrary(g);
                        let mut written = number.written_out_with(digit(g));
                        written.push(number.bare_with(digit(g)));
                        text += g.choose(&written).map_or("", String::as_str);
                    }
                    _ => {
                        let shape = g.choose(&SHAPES).copied().unwrap_or("");
                        text += &shaped(g, shape);
                    }
                }
            }
            IdentifierishText(text)
        }
    }

    fn scan_is_well_formed(text: &str) -> bool {
        let detections = all().scan(text);
        let one_per_kind_in_order = detections.windows(2).all(|w| w[0].kind < w[1].kind);
        let checksum_only_for_rrn = detections
            .iter()
            .all(|d| d.checksum_valid.is_some() == matches!(d.kind, KrRrn | KrArn));
        one_per_kind_in_order && checksum_only_for_rrn
    }

    /// A string of ISO 8601 shape with arbitrary digits (not a real date).
    #[derive(Debug, Clone)]
    struct TimestampShaped(String);

    fn digits(g: &mut Gen, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + digit(g))).collect()
    }

    impl Arbitrary for TimestampShaped {
        fn arbitrary(g: &mut Gen) -> Self {
            let mut text = format!("{}-{}-{}", digits(g, 4), digits(g, 2), digits(g, 2));
            if bool::arbitrary(g) {
                text += &format!("T{}:{}", digits(g, 2), digits(g, 2));
                if bool::arbitrary(g) {
                    text += &format!(":{}", digits(g, 2));
                    if bool::arbitrary(g) {
                        let len = 1 + usize::from(digit(g)) % 9;
                        text += &format!(".{}", digits(g, len));
                    }
                }
                match u8::arbitrary(g) % 3 {
                    0 => {}
                    1 => text.push('Z'),
                    _ => text += &format!("+{}:{}", digits(g, 2), digits(g, 2)),
                }
            }
            TimestampShaped(text)
        }
    }

    /// The pre-filter and the timestamp shortcut may only skip strings the
    /// patterns would not have matched anyway.
    fn shortcuts_hide_nothing(text: &str) -> bool {
        all().scan(text) == all().scan_candidates(None, text)
    }

    /// A decimal fraction of up to 20 digits each side, sometimes signed.
    #[derive(Debug, Clone)]
    struct DecimalShaped(String);

    impl Arbitrary for DecimalShaped {
        fn arbitrary(g: &mut Gen) -> Self {
            let sign = *g.choose(&["", "-", "+"]).unwrap_or(&"");
            let whole = 1 + usize::arbitrary(g) % 20;
            let fraction = 1 + usize::arbitrary(g) % 20;
            DecimalShaped(format!(
                "{sign}{}.{}",
                digits(g, whole),
                digits(g, fraction)
            ))
        }
    }

    #[test]
    fn detector_sets_of_the_same_definitions_share_their_compiled_forms() {
        let embedded = Definitions::embedded();
        let first = Detectors::from_definitions(embedded, &[Email, Passport], Confidence::Medium)
            .expect("embedded definitions compile");
        let reparsed = Definitions::parse(embedded.files()).expect("embedded definitions parse");
        let again =
            Detectors::from_definitions(&reparsed, &[Passport, Email, Email], Confidence::Low)
                .expect("embedded definitions compile");
        assert!(Arc::ptr_eq(&first.compiled, &again.compiled));
        let fewer = Detectors::new(&[Passport]);
        assert!(!Arc::ptr_eq(&first.compiled, &fewer.compiled));
    }

    /// The compiled forms' caches remember what member names say, so a set
    /// whose kinds read members differently compiles its own: `doc` says
    /// passport under this overlay, not under the embedded definitions.
    #[test]
    fn detector_sets_whose_members_differ_compile_their_own() {
        let (bare, member) = ("A1234567", Some("doc"));
        let embedded = Detectors::new(&[Passport]);
        assert_eq!(kinds(embedded.scan_in(member, bare)), vec![]);
        let files: Vec<(String, String)> = Definitions::embedded()
            .files()
            .iter()
            .map(|(name, text)| {
                let text = text.replace(
                    r#"members = ["passport", "여권"]"#,
                    r#"members = ["passport", "여권", "doc"]"#,
                );
                (name.clone(), text)
            })
            .collect();
        let overlay = Definitions::parse(&files).expect("the overlay parses");
        let reading_doc = Detectors::from_definitions(&overlay, &[Passport], Confidence::Medium)
            .expect("the overlay compiles");
        assert!(!Arc::ptr_eq(&embedded.compiled, &reading_doc.compiled));
        assert_eq!(kinds(reading_doc.scan_in(member, bare)), vec![Passport]);
        assert_eq!(kinds(embedded.scan_in(member, bare)), vec![]);
    }

    #[test]
    fn an_overlay_pattern_is_not_hidden_by_the_shortcuts_proved_for_embedded_ones() {
        // A made-up kind written as a decimal fraction, and one with three
        // digits: the decimal shape and the four-digit pre-filter would
        // both skip these values.
        let text = "[[detector]]\nkind = \"xx-code\"\ndescription = \"code\"\n[[detector.form]]\npattern = '[0-9]{2}\\.[0-9]{3}|C-[0-9]{3}'\nboundary = \"none\"\nconfidence = \"high\"\n";
        let definitions =
            Definitions::parse(&[("overlay/detectors/xx.toml".to_owned(), text.to_owned())])
                .expect("the overlay parses");
        let kind = IdentifierKind::named("xx-code");
        let detectors = Detectors::from_definitions(&definitions, &[kind], Confidence::Medium)
            .expect("the overlay compiles");
        for value in ["12.345", "C-123"] {
            assert_eq!(kinds(detectors.scan(value)), vec![kind], "{value}");
        }
        assert!(
            all().shortcuts,
            "the embedded definitions keep their shortcuts"
        );
    }

    #[test]
    fn a_whole_value_is_taken_as_a_core_only_where_the_pass_is_exact() {
        // Seven bytes a core, one character beyond ASCII in it: the pass
        // reads any character there as one, so it names the form for `é`
        // too, a value just as long that holds no core.
        let text = "[[detector]]\nkind = \"xx-code\"\ndescription = \"code\"\n[[detector.form]]\npattern = '[가-나][0-9]{4}'\nboundary = \"none\"\nconfidence = \"high\"\n";
        let definitions =
            Definitions::parse(&[("overlay/detectors/xx.toml".to_owned(), text.to_owned())])
                .expect("the overlay parses");
        let kind = IdentifierKind::named("xx-code");
        let detectors = Detectors::from_definitions(&definitions, &[kind], Confidence::Medium)
            .expect("the overlay compiles");
        let mut caches = detectors.compiled.pass.caches.get();
        let pass = detectors.compiled.pass.run(&mut caches, "é12345");
        drop(caches);
        assert_eq!(pass, Some(1), "the widened pass names the form");
        assert_eq!(kinds(detectors.scan("가1234")), vec![kind]);
        assert!(detectors.scan("é12345").is_empty());
        assert!(!detectors.may_match("é12345"));
    }

    #[test]
    fn decimal_fractions_are_recognised_by_shape() {
        for text in ["126.9780", "-0.000123", "+37.5665", "9001011234568.5"] {
            assert!(is_decimal_fraction(text), "{text:?}");
        }
        for text in [
            "12",
            "1.",
            ".5",
            "1.2.3",
            "1.5e10",
            "--1.5",
            "1,5",
            "1.5 ",
            "010.1234.5678",
        ] {
            assert!(!is_decimal_fraction(text), "{text:?}");
        }
    }

    /// Found by the property below: a latitude written with a sign and a
    /// country code's digits is a decimal, for the shortcuts and the
    /// patterns alike; a number dotted throughout is still a phone.
    #[test]
    fn a_signed_decimal_after_plus_82_is_no_phone() {
        for text in ["+82.26135347", "+82.1161105585"] {
            assert!(all().scan_candidates(None, text).is_empty(), "{text}");
            assert!(shortcuts_hide_nothing(text), "{text}");
        }
        let dotted = all().scan_candidates(None, "+82.10.1234.5678");
        assert!(
            dotted.iter().any(|d| d.kind.as_str() == "phone-kr"),
            "{dotted:?}"
        );
    }

    #[test]
    fn property_decimal_fractions_hide_no_detection() {
        static REACHED: Reached = Reached::new();
        fn property(text: DecimalShaped) -> bool {
            REACHED.hit();
            shortcuts_hide_nothing(&text.0)
        }
        check(500, &REACHED, property as fn(DecimalShaped) -> bool);
    }

    #[test]
    fn property_shortcuts_hide_no_detection() {
        static ANY: Reached = Reached::new();
        static IDENTIFIER_LIKE: Reached = Reached::new();
        static TIMESTAMPS: Reached = Reached::new();
        fn on_any_string(text: String) -> bool {
            ANY.hit();
            shortcuts_hide_nothing(&text)
        }
        fn on_identifier_like_text(text: IdentifierishText) -> bool {
            // Counted when there is a detection the shortcuts could hide.
            if !all().scan_candidates(None, &text.0).is_empty() {
                IDENTIFIER_LIKE.hit();
            }
            shortcuts_hide_nothing(&text.0)
        }
        fn on_timestamps(text: TimestampShaped) -> bool {
            TIMESTAMPS.hit();
            shortcuts_hide_nothing(&text.0)
        }
        check(100, &ANY, on_any_string as fn(String) -> bool);
        check(
            100,
            &IDENTIFIER_LIKE,
            on_identifier_like_text as fn(IdentifierishText) -> bool,
        );
        check(
            100,
            &TIMESTAMPS,
            on_timestamps as fn(TimestampShaped) -> bool,
        );
    }

    #[test]
    fn property_scan_never_panics_on_any_string() {
        static REACHED: Reached = Reached::new();
        fn property(text: String) -> bool {
            REACHED.hit();
            scan_is_well_formed(&text)
        }
        check(100, &REACHED, property as fn(String) -> bool);
    }

    #[test]
    fn property_scan_never_panics_on_identifier_like_text() {
        // Counted when there is a detection to be well formed.
        static REACHED: Reached = Reached::new();
        fn property(text: IdentifierishText) -> bool {
            if !all().scan(&text.0).is_empty() {
                REACHED.hit();
            }
            scan_is_well_formed(&text.0)
        }
        check(100, &REACHED, property as fn(IdentifierishText) -> bool);
    }
}
