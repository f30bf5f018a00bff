//! The one pass's patterns with every character beyond ASCII read as one
//! kind of byte.
//!
//! The pass over every form only says which forms may hold a candidate;
//! each such form's core and boundaries are then searched exactly. So the
//! pass may answer a superset, and this is the superset it answers: each
//! class, literal or negated class that admits a character beyond ASCII
//! admits instead any run of bytes beyond ASCII (every such byte of UTF-8
//! text belongs to one). ASCII stays exact, so on ASCII text the pass says
//! what the exact patterns say.
//!
//! Why: a lazy DFA's transition table has one column per class of bytes
//! its patterns tell apart, and the Hangul of plates and licence regions,
//! spelled in UTF-8, split the bytes beyond ASCII into about as many
//! classes as all of ASCII needs. Read as one, the columns halve (127 to
//! 63 for the embedded forms), and so does the memory each state's row
//! takes in the cache every byte of a scan waits on.

use regex_automata::nfa::thompson::{self, NFA};
use regex_syntax::hir::{Class, ClassBytes, ClassBytesRange, Hir, HirKind, Repetition};

/// The NFA of `patterns` (as the `regex` crate reads them) with
/// everything beyond ASCII widened; an error if one cannot be read or
/// compiled.
pub(super) fn widened_nfa(patterns: &[String]) -> Result<NFA, String> {
    let hirs = patterns
        .iter()
        .map(|pattern| {
            regex_automata::util::syntax::parse(pattern)
                .map(|hir| widened(&hir))
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    // Widened patterns match byte runs that need not be UTF-8; the pass
    // reports which patterns matched, never where, so no match can split
    // a character in a way anyone sees.
    NFA::compiler()
        .configure(thompson::Config::new().utf8(false))
        .build_many_from_hir(&hirs)
        .map_err(|e| e.to_string())
}

/// `hir` with each character beyond ASCII it admits read as a run of
/// bytes beyond ASCII, capture groups dropped (the pass reads none).
fn widened(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) | HirKind::Class(Class::Bytes(_)) => hir.clone(),
        HirKind::Literal(literal) => widened_literal(&literal.0),
        HirKind::Class(Class::Unicode(class)) => {
            let ascii: Vec<ClassBytesRange> = class
                .ranges()
                .iter()
                .filter(|range| range.start().is_ascii())
                .map(|range| {
                    ClassBytesRange::new(ascii_byte(range.start()), ascii_end(range.end()))
                })
                .collect();
            let beyond = class.ranges().iter().any(|range| !range.end().is_ascii());
            let ascii =
                (!ascii.is_empty()).then(|| Hir::class(Class::Bytes(ClassBytes::new(ascii))));
            match (ascii, beyond) {
                (Some(ascii), true) => Hir::alternation(vec![ascii, beyond_ascii_run()]),
                (Some(ascii), false) => ascii,
                (None, true) => beyond_ascii_run(),
                (None, false) => Hir::fail(),
            }
        }
        HirKind::Repetition(repetition) => Hir::repetition(Repetition {
            sub: Box::new(widened(&repetition.sub)),
            ..repetition.clone()
        }),
        HirKind::Capture(capture) => widened(&capture.sub),
        HirKind::Concat(parts) => Hir::concat(parts.iter().map(widened).collect()),
        HirKind::Alternation(parts) => Hir::alternation(parts.iter().map(widened).collect()),
    }
}

/// A literal's ASCII bytes kept, each run of bytes beyond ASCII (one
/// character or several) read as any such run.
fn widened_literal(bytes: &[u8]) -> Hir {
    let mut parts = Vec::new();
    let mut ascii = Vec::new();
    let mut in_beyond = false;
    for &byte in bytes {
        if byte.is_ascii() {
            ascii.push(byte);
            in_beyond = false;
        } else if !in_beyond {
            if !ascii.is_empty() {
                parts.push(Hir::literal(std::mem::take(&mut ascii)));
            }
            parts.push(beyond_ascii_run());
            in_beyond = true;
        }
    }
    if !ascii.is_empty() {
        parts.push(Hir::literal(ascii));
    }
    Hir::concat(parts)
}

/// One or more bytes beyond ASCII.
fn beyond_ascii_run() -> Hir {
    let byte = ClassBytes::new([ClassBytesRange::new(0x80, 0xFF)]);
    Hir::repetition(Repetition {
        min: 1,
        max: None,
        greedy: true,
        sub: Box::new(Hir::class(Class::Bytes(byte))),
    })
}

/// An ASCII character as its byte.
fn ascii_byte(c: char) -> u8 {
    u8::try_from(c).unwrap_or(0x7F)
}

/// The ASCII part's end of a range that starts in ASCII.
fn ascii_end(c: char) -> u8 {
    if c.is_ascii() { ascii_byte(c) } else { 0x7F }
}

#[cfg(test)]
mod tests {
    use regex_automata::hybrid::dfa::DFA;
    use regex_automata::{Anchored, Input};

    use super::*;

    fn matches(patterns: &[&str], text: &str) -> bool {
        let patterns: Vec<String> = patterns.iter().map(|p| (*p).to_owned()).collect();
        let nfa = widened_nfa(&patterns).expect("the test patterns compile");
        let dfa = DFA::builder().build_from_nfa(nfa).expect("a lazy DFA");
        let mut cache = dfa.create_cache();
        let input = Input::new(text).anchored(Anchored::Yes);
        dfa.try_search_fwd(&mut cache, &input)
            .expect("no quit byte")
            .is_some_and(|end| end.offset() == text.len())
    }

    #[test]
    fn ascii_is_kept_exact() {
        assert!(matches(&[r"^[0-9]{2}[A-Z]-x$"], "12Q-x"));
        assert!(!matches(&[r"^[0-9]{2}[A-Z]-x$"], "12q-x"));
        assert!(!matches(&[r"^[^0-9]$"], "7"));
        assert!(matches(&[r"^[^0-9]$"], "a"));
    }

    #[test]
    fn every_character_beyond_ascii_reads_as_any_run_of_such_bytes() {
        // A syllable of the class, one outside it, and two of them all
        // read as one run.
        for text in ["12가3456", "12é3456", "12가나3456", "12😀3456"] {
            assert!(matches(&[r"^[0-9]{2}[가-힣][0-9]{4}$"], text), "{text}");
        }
        assert!(matches(&[r"^(?:서울|부산) ?[0-9]{2}$"], "제주 12"));
        assert!(matches(&[r"^[^0-9]$"], "é"));
        // ASCII never stands for a character beyond it.
        assert!(!matches(&[r"^[0-9]{2}[가-힣][0-9]{4}$"], "12a3456"));
        assert!(!matches(&[r"^[가-힣]$"], ""));
    }

    #[test]
    fn an_unreadable_pattern_is_an_error() {
        assert!(widened_nfa(&["(".to_owned()]).is_err());
    }
}
