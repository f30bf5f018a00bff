//! The scan as it was before the single-pass pre-scan and the
//! allocation-free context: kept, for tests only, as the reference the
//! faster scan must equal (same candidates, spans, confidences and
//! detections), and never called by the harness.
//!
//! It runs on the same compiled [`Detectors`] (the same forms, the same
//! one-pass set) so that the comparison is of the scanning alone.

use super::{
    Candidate, CompiledForm, Confidence, Context, Detection, Detectors, LOOK_BACK_BYTES,
    WORDS_LOOKED_BACK, core_matches, find_ipv6, member_tokens, resolve_shared_spans, tail,
};
use super::{MIN_DIGITS, MIN_HEX_RUN, MIN_IDENTIFIER_LEN, MIN_SEPARATORS, is_iso_timestamp};
use crate::detect::validators::{self, Step, Validator};

/// The candidates (after shared spans are settled) and the detections
/// that the reference scan finds in `text` under `member`.
pub(super) fn scan_in(
    detectors: &Detectors,
    member: Option<&str>,
    text: &str,
) -> (Vec<Candidate>, Vec<Detection>) {
    let may_hold = if detectors.shortcuts {
        may_hold_identifier(text)
    } else {
        !text.is_empty()
    };
    if detectors.kinds.is_empty() || !may_hold {
        return (Vec::new(), Vec::new());
    }
    if !detectors.compiled.candidates.is_match(text) {
        return (Vec::new(), Vec::new());
    }
    let mut member = Member::new(member);
    let mut found = Vec::new();
    for index in detectors.compiled.candidates.matches(text).iter() {
        walk_form(
            detectors,
            &detectors.compiled.forms[index],
            &mut member,
            text,
            &mut found,
        );
    }
    resolve_shared_spans(&mut found);
    let detections = best_per_kind(detectors, &found);
    (found, detections)
}

fn may_hold_identifier(text: &str) -> bool {
    text.len() >= MIN_IDENTIFIER_LEN
        && has_identifier_ingredients(text)
        && !is_iso_timestamp(text)
        && !is_decimal_fraction(text)
}

/// A decimal fraction read by its parts: a sign, digits, a dot, digits.
fn is_decimal_fraction(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let Some((whole, fraction)) = digits.split_once('.') else {
        return false;
    };
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && all_digits(fraction)
}

fn has_identifier_ingredients(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.iter().filter(|b| b.is_ascii_digit()).count() >= MIN_DIGITS {
        return true;
    }
    let (mut colons, mut dashes, mut hex_run) = (0, 0, 0);
    let mut previous = 0;
    for &byte in bytes {
        let enough = match byte {
            b'@' => true,
            b':' => {
                colons += 1;
                hex_run = 0;
                colons >= MIN_SEPARATORS || previous == b':'
            }
            b'-' => {
                dashes += 1;
                hex_run = 0;
                dashes >= MIN_SEPARATORS
            }
            b'.' => false,
            _ if byte.is_ascii_hexdigit() => {
                hex_run += 1;
                hex_run >= MIN_HEX_RUN
            }
            _ => {
                hex_run = 0;
                false
            }
        };
        if enough {
            return true;
        }
        previous = byte;
    }
    false
}

fn walk_form(
    detectors: &Detectors,
    form: &CompiledForm,
    member: &mut Member,
    text: &str,
    out: &mut Vec<Candidate>,
) {
    if form.validator == Some(Validator::Ipv6) {
        if let Some(span) = find_ipv6(text) {
            out.push(candidate(detectors, form, member, text, span, None));
        }
        return;
    }
    for (start, end) in core_matches(form, text) {
        let check = match form.validator {
            Some(validator) => validator.check(&text[start..end]),
            None => Some(validators::Check {
                step: Step::Keep,
                checksum: None,
            }),
        };
        if let Some(check) = check {
            out.push(candidate(
                detectors,
                form,
                member,
                text,
                (start, end),
                Some(check),
            ));
        }
    }
}

fn candidate(
    detectors: &Detectors,
    form: &CompiledForm,
    member: &mut Member,
    text: &str,
    (start, end): (usize, usize),
    check: Option<validators::Check>,
) -> Candidate {
    let before = &text[..start];
    let own_context = member.names_kind(detectors, form.kind)
        || words_before(&detectors.contexts[form.kind], before, WORDS_LOOKED_BACK);
    let ordinary =
        member.names_ordinary(detectors) || last_word_is_listed(&detectors.ordinary, before);
    let mut confidence = form.confidence.after(check.map_or(Step::Keep, |c| c.step));
    if own_context {
        confidence = Confidence::High;
    } else if ordinary {
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

fn best_per_kind(detectors: &Detectors, found: &[Candidate]) -> Vec<Detection> {
    let mut best: Vec<Option<Candidate>> = vec![None; detectors.kinds.len()];
    for candidate in found
        .iter()
        .filter(|c| c.confidence >= detectors.min_confidence)
    {
        let slot = &mut best[candidate.kind];
        let rank = |c: &Candidate| (c.confidence, c.checksum == Some(true));
        if slot.is_none_or(|current| rank(candidate) > rank(&current)) {
            *slot = Some(*candidate);
        }
    }
    best.into_iter()
        .flatten()
        .map(|c| Detection {
            kind: detectors.kinds[c.kind],
            checksum_valid: c.checksum,
            confidence: c.confidence,
        })
        .collect()
}

fn member_matches(context: &Context, tokens: &[String]) -> bool {
    if tokens.is_empty() {
        return false;
    }
    let joined: String = tokens.concat();
    context.members.iter().any(|entry| {
        tokens.iter().any(|t| t == entry)
            || (entry.chars().count() >= super::MIN_MEMBER_PART && joined.contains(entry.as_str()))
    })
}

fn words_before(context: &Context, before: &str, look_back: usize) -> bool {
    if context.words.is_empty() || before.is_empty() {
        return false;
    }
    let lower = tail(before, LOOK_BACK_BYTES).to_lowercase();
    let tokens: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .collect();
    let recent = &tokens[tokens.len().saturating_sub(look_back)..];
    context.words.iter().any(|word| {
        if word.contains(' ') || !word.is_ascii() {
            lower.contains(word.as_str())
        } else {
            recent.contains(&word.as_str())
        }
    })
}

fn last_word_is_listed(context: &Context, before: &str) -> bool {
    if before.is_empty() {
        return false;
    }
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
    !word.is_empty() && context.words.iter().any(|w| w == word)
}

struct Member {
    tokens: Vec<String>,
    known: u64,
    says: u64,
    ordinary: Option<bool>,
}

impl Member {
    fn new(member: Option<&str>) -> Member {
        Member {
            tokens: member.map(member_tokens).unwrap_or_default(),
            known: 0,
            says: 0,
            ordinary: None,
        }
    }

    fn names_kind(&mut self, detectors: &Detectors, kind: usize) -> bool {
        if self.tokens.is_empty() {
            return false;
        }
        let Some(bit) = 1u64.checked_shl(kind as u32).filter(|_| kind < 64) else {
            return member_matches(&detectors.contexts[kind], &self.tokens);
        };
        if self.known & bit == 0 {
            self.known |= bit;
            if member_matches(&detectors.contexts[kind], &self.tokens) {
                self.says |= bit;
            }
        }
        self.says & bit != 0
    }

    fn names_ordinary(&mut self, detectors: &Detectors) -> bool {
        if self.tokens.is_empty() {
            return false;
        }
        *self
            .ordinary
            .get_or_insert_with(|| member_matches(&detectors.ordinary, &self.tokens))
    }
}

/// The faster scan against this one: a property over generated text.
mod equivalence {
    use std::sync::OnceLock;

    use quickcheck::{Arbitrary, Gen};

    use super::super::{Candidate, Definitions, Detectors, IdentifierKind};
    use crate::vacuity::{Reached, check, check_at_least};

    fn all() -> &'static Detectors {
        static ALL: OnceLock<Detectors> = OnceLock::new();
        ALL.get_or_init(|| Detectors::new(&Definitions::embedded().kinds()))
    }

    /// Every value of the labelled corpus.
    fn corpus() -> &'static [String] {
        static CORPUS: OnceLock<Vec<String>> = OnceLock::new();
        CORPUS.get_or_init(|| {
            ["positives.tsv", "negatives.tsv", "extracted.tsv"]
                .iter()
                .flat_map(|name| {
                    let path =
                        format!("{}/fixtures/identifiers/{name}", env!("CARGO_MANIFEST_DIR"));
                    let text =
                        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
                    text.lines()
                        .filter(|line| !line.starts_with('#'))
                        .filter_map(|line| line.splitn(3, '\t').nth(2).map(str::to_owned))
                        .collect::<Vec<_>>()
                })
                .collect()
        })
    }

    /// Words and marks that context reads, in several cases and scripts:
    /// kinds' own words, ordinary-data words, separators a value follows,
    /// letters that change length or kind when lower-cased.
    const WORDS: [&str; 40] = [
        "tel",
        "Phone",
        "TEL:",
        "call",
        "serial",
        "S/N",
        "s/n:",
        "v",
        "Ver.",
        "$",
        "₩",
        "주민",
        "전화",
        "휴대폰",
        "İp",
        "IP",
        "from",
        "MAC",
        "hw",
        "Passport",
        "no.",
        "amount=",
        "Total",
        "fw/",
        "\u{212A}rw",
        "é",
        "가",
        "서울",
        "licence",
        "the",
        "urn:ngsi-ld:Device:",
        "station.keeper@example.org",
        "deadBEEF",
        "#",
        "(",
        "\u{a0}",
        "\t",
        "\u{b}",
        "released",
        "Resident",
    ];

    /// Member names: none, kinds' members, ordinary ones, odd ones.
    const MEMBERS: [Option<&str>; 14] = [
        None,
        Some("phone"),
        Some("telephone"),
        Some("serialNumber"),
        Some("amount"),
        Some("contactEmail"),
        Some("clientIpAddress"),
        Some("주민번호"),
        Some(""),
        Some("--"),
        Some("passport_no"),
        Some("mac-address"),
        Some("description"),
        Some("licenseNumber"),
    ];

    /// A value and its member: pieces of digits, separators, words and
    /// corpus values, joined with or without padding.
    #[derive(Debug, Clone)]
    struct Mixed {
        member: Option<&'static str>,
        text: String,
    }

    fn digits(g: &mut Gen) -> String {
        let len = 1 + usize::arbitrary(g) % 19;
        (0..len)
            .map(|_| char::from(b'0' + u8::arbitrary(g) % 10))
            .collect()
    }

    fn piece(g: &mut Gen) -> String {
        match u8::arbitrary(g) % 6 {
            0 | 1 => digits(g),
            2 => (*g
                .choose(&["-", ".", " ", ":", "/", "+", "@", "_", "=", "::", ". "])
                .unwrap_or(&"-"))
            .to_owned(),
            3 => (*g.choose(&WORDS).unwrap_or(&"tel")).to_owned(),
            _ => g.choose(corpus()).cloned().unwrap_or_default(),
        }
    }

    impl Arbitrary for Mixed {
        fn arbitrary(g: &mut Gen) -> Self {
            let mut text = String::new();
            for _ in 0..1 + usize::arbitrary(g) % 6 {
                text += &piece(g);
                if bool::arbitrary(g) {
                    text.push(' ');
                }
            }
            Mixed {
                member: g.choose(&MEMBERS).copied().flatten(),
                text,
            }
        }
    }

    /// What a candidate of `detectors` is, for comparison.
    fn seen_by(
        detectors: &Detectors,
        found: &[Candidate],
    ) -> Vec<(IdentifierKind, usize, usize, String, Option<bool>)> {
        found
            .iter()
            .map(|c| {
                (
                    detectors.kinds[c.kind],
                    c.start,
                    c.end,
                    format!("{:?}/{}", c.confidence, c.own_context),
                    c.checksum,
                )
            })
            .collect()
    }

    fn same_as_reference(member: Option<&str>, text: &str) -> bool {
        same_as_reference_of(all(), member, text)
    }

    /// Whether `detectors` find the candidates and detections the
    /// reference scan finds, and say a value may match exactly when the
    /// reference finds a candidate in it before its validators.
    fn same_as_reference_of(detectors: &Detectors, member: Option<&str>, text: &str) -> bool {
        let (expected, detections) = super::scan_in(detectors, member, text);
        let found = if detectors.may_hold(text) {
            detectors.settled_candidates(member, text)
        } else {
            Vec::new()
        };
        let may_match = detectors.may_hold(text) && detectors.compiled.candidates.is_match(text);
        seen_by(detectors, &found) == seen_by(detectors, &expected)
            && detectors.scan_in(member, text).as_slice() == detections.as_slice()
            && detectors.may_match(text) == may_match
    }

    /// A value written to sit just beside a form: a shape of the corpus
    /// (every digit kept as a digit, every capital as a capital) with up
    /// to two changes that often turn a match into none or into another
    /// kind: a digit more or fewer, a separator swapped, a neighbour glued
    /// on, a character beyond ASCII before or after.
    #[derive(Debug, Clone)]
    struct NearMiss {
        member: Option<&'static str>,
        text: String,
    }

    /// The corpus value's shape with fresh digits and letters of the same
    /// class.
    fn reshaped(g: &mut Gen, value: &str) -> String {
        value
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from(b'0' + u8::arbitrary(g) % 10),
                'A'..='Z' if bool::arbitrary(g) => char::from(b'A' + u8::arbitrary(g) % 26),
                other => other,
            })
            .collect()
    }

    /// One near-miss change at a random character boundary of `text`.
    fn nudged(g: &mut Gen, text: &str) -> String {
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let at = g.choose(&boundaries).copied().unwrap_or(0);
        let (before, after) = text.split_at(at);
        let next = after.chars().next().map_or(0, char::len_utf8);
        let inserted = *g
            .choose(&[
                "0", "7", "-", " ", ".", ":", "+", "(", ")", "x", "X", "a", "F", "가", "é", "_",
                "@", "::", "00",
            ])
            .unwrap_or(&"0");
        match u8::arbitrary(g) % 3 {
            // Insert.
            0 => format!("{before}{inserted}{after}"),
            // Drop the next character.
            1 => format!("{before}{}", &after[next..]),
            // Replace it.
            _ => format!("{before}{inserted}{}", &after[next..]),
        }
    }

    impl Arbitrary for NearMiss {
        fn arbitrary(g: &mut Gen) -> Self {
            let value = g.choose(corpus()).cloned().unwrap_or_default();
            let mut text = reshaped(g, &value);
            for _ in 0..usize::arbitrary(g) % 3 {
                text = nudged(g, &text);
            }
            if bool::arbitrary(g) {
                let word = *g.choose(&WORDS).unwrap_or(&"tel");
                text = format!("{word} {text}");
            }
            NearMiss {
                member: g.choose(&MEMBERS).copied().flatten(),
                text,
            }
        }
    }

    #[test]
    fn property_the_scan_equals_the_reference_scan_beside_every_shape() {
        static REACHED: Reached = Reached::new();
        fn property(value: NearMiss) -> bool {
            // Counted when some form's bounded pattern matches: the value
            // reached the automata, whatever its validators then say.
            if all().may_hold(&value.text) && all().compiled.candidates.is_match(&value.text) {
                REACHED.hit();
            }
            same_as_reference(value.member, &value.text)
        }
        // About a quarter of near misses still match some form (measured:
        // 737 to 800 of 3000 over fourteen runs); a sixth is the floor,
        // some ten standard deviations below, so a random draw never trips
        // it while a generator that stopped reaching the automata would.
        check_at_least(3000, 500, &REACHED, property as fn(NearMiss) -> bool);
    }

    /// Forms a region could add in TOML that look like no embedded one: a
    /// code that begins with a character beyond ASCII, one with `#` and
    /// `~` inside and letters of either case, and one anchored to the
    /// whole value with a bracketed part.
    const UNUSUAL: &str = r#"
[[detector]]
kind = "xx-ticket"
description = "ticket number"
words = ["ticket"]
[[detector.form]]
pattern = '№ ?[0-9]{3}/[0-9]{2}'
boundary = "word"
confidence = "medium"
[[detector.form]]
pattern = '(?i:tk)#[0-9]{2,4}~[a-f]{3}'
boundary = "code"
confidence = "high"
[[detector.form]]
pattern = '^\[[A-Z]{2}\][0-9]{5}$'
boundary = "none"
confidence = "low"
"#;

    /// Pieces of values around the unusual forms.
    const UNUSUAL_PIECES: [&str; 14] = [
        "№ 123/45",
        "№123/45",
        "№ 12/45",
        "TK#123~abc",
        "tk#12~fed",
        "Tk#12345~abc",
        "tk#99~abg",
        "[AB]12345",
        "[ab]12345",
        "ticket",
        "x",
        "-",
        "가",
        "/",
    ];

    fn unusual() -> &'static Detectors {
        static UNUSUAL_DETECTORS: OnceLock<Detectors> = OnceLock::new();
        UNUSUAL_DETECTORS.get_or_init(|| {
            let mut files: Vec<(String, String)> =
                crate::embedded::files_with_suffix(&crate::embedded::SUITES, ".toml")
                    .into_iter()
                    .filter(|(path, _)| path.starts_with("detectors/"))
                    .map(|(path, text)| (format!("suites/{path}"), text.to_owned()))
                    .collect();
            files.push(("overlay/detectors/xx.toml".to_owned(), UNUSUAL.to_owned()));
            let definitions = Definitions::parse(&files).expect("the overlay parses");
            Detectors::from_definitions(
                &definitions,
                &definitions.kinds(),
                super::super::Confidence::Low,
            )
            .expect("the overlay compiles")
        })
    }

    /// A value of unusual pieces, nudged.
    #[derive(Debug, Clone)]
    struct UnusualText(String);

    impl Arbitrary for UnusualText {
        fn arbitrary(g: &mut Gen) -> Self {
            let mut text = String::new();
            for _ in 0..1 + usize::arbitrary(g) % 3 {
                text += g.choose(&UNUSUAL_PIECES).copied().unwrap_or("");
                if bool::arbitrary(g) {
                    text.push(' ');
                }
            }
            if bool::arbitrary(g) {
                text = nudged(g, &text);
            }
            UnusualText(text)
        }
    }

    #[test]
    fn a_form_added_in_toml_of_an_unusual_shape_is_found_as_the_reference_finds_it() {
        static REACHED: Reached = Reached::new();
        fn property(text: UnusualText) -> bool {
            if !super::scan_in(unusual(), None, &text.0).0.is_empty() {
                REACHED.hit();
            }
            same_as_reference_of(unusual(), None, &text.0)
                && same_as_reference_of(unusual(), Some("ticket"), &text.0)
        }
        assert!(
            unusual().compiled.pass.dfa.is_some(),
            "the one pass is built with the overlay's forms"
        );
        let kind = IdentifierKind::named("xx-ticket");
        for value in ["№ 123/45", "see TK#123~abc.", "[AB]12345", "가№123/45"] {
            let kinds: Vec<IdentifierKind> = unusual().scan(value).iter().map(|d| d.kind).collect();
            assert_eq!(kinds, vec![kind], "{value}");
            assert!(same_as_reference_of(unusual(), None, value), "{value}");
        }
        for value in ["№ 12/45", "xTK#123~abc", "[AB]12345 ", "tk#99~abg"] {
            let found = unusual().scan(value);
            assert!(found.iter().all(|d| d.kind != kind), "{value}");
            assert!(same_as_reference_of(unusual(), None, value), "{value}");
        }
        // About a quarter of these texts hold a ticket (measured: 525 and
        // 538 of 2000); a sixth is the floor, as for the near misses.
        check_at_least(2000, 333, &REACHED, property as fn(UnusualText) -> bool);
    }

    #[test]
    fn property_the_scan_equals_the_reference_scan() {
        static REACHED: Reached = Reached::new();
        fn property(value: Mixed) -> bool {
            // Counted when the reference found something to compare.
            if !super::scan_in(all(), value.member, &value.text)
                .0
                .is_empty()
            {
                REACHED.hit();
            }
            same_as_reference(value.member, &value.text)
        }
        check(2000, &REACHED, property as fn(Mixed) -> bool);
    }

    #[test]
    fn property_the_pre_filter_equals_the_reference_pre_filter() {
        static ANY: Reached = Reached::new();
        static MIXED: Reached = Reached::new();
        fn on_any_string(text: String) -> bool {
            ANY.hit();
            super::may_hold_identifier(&text) == all().may_hold(&text)
        }
        fn on_mixed(value: Mixed) -> bool {
            MIXED.hit();
            super::may_hold_identifier(&value.text) == all().may_hold(&value.text)
        }
        check(2000, &ANY, on_any_string as fn(String) -> bool);
        check(2000, &MIXED, on_mixed as fn(Mixed) -> bool);
        for text in [
            "::",
            "a::b",
            "deadbeefcafe",
            "dead.beef.cafe",
            "dead:beef:cafe",
            "abc-def",
            "a@b",
            "12.3",
        ] {
            assert_eq!(
                super::may_hold_identifier(text),
                all().may_hold(text),
                "{text}"
            );
        }
    }

    #[test]
    fn the_scan_equals_the_reference_scan_on_the_corpus() {
        for value in corpus() {
            for member in MEMBERS {
                assert!(
                    same_as_reference(member, value),
                    "{value:?} under {member:?}"
                );
            }
        }
    }
}
