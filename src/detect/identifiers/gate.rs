//! What every match of a form's pattern needs, worked out once from the
//! pattern's syntax tree, so that a scan can tell from one pass over a
//! value's bytes which forms cannot match it and search only the others.
//!
//! Nearly every value that reaches the patterns holds digits, and most of
//! them fit a handful of the forms at most: a phone number has no `@`, no
//! Hangul, no run of twelve hex digits and too few digits for a resident
//! number. Searching every form at once (one [`regex::RegexSet`] pass to
//! ask whether any matched, another to ask which) costs a lazy DFA step
//! over every byte for all forms together; a gate costs a bit test.
//!
//! Each condition of a [`Gate`] is necessary, never sufficient: a form it
//! admits is still searched by its own pattern, so a gate changes what is
//! searched and never what is found. The conditions are read from the
//! pattern itself, so a form from an overlay's detectors file is gated the
//! same way with no Rust; a pattern whose syntax cannot be read gets a
//! gate that admits everything.

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// A set of byte values, one bit each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct ByteSet([u64; 4]);

/// The ASCII digits `0`–`9` (bits 48 to 57 of the first word).
const DIGITS: ByteSet = ByteSet([0x03FF << 48, 0, 0, 0]);

/// Every byte that starts or continues a multi-byte UTF-8 character.
const NON_ASCII: ByteSet = ByteSet([0, 0, u64::MAX, u64::MAX]);

/// At most this many required sets are kept per form: the rarest ones
/// decide, and each costs a test per scanned form.
const REQUIRED_KEPT: usize = 4;

impl ByteSet {
    fn of(byte: u8) -> ByteSet {
        let mut set = ByteSet::default();
        set.insert(byte);
        set
    }

    fn insert(&mut self, byte: u8) {
        self.0[usize::from(byte >> 6)] |= 1 << (byte & 63);
    }

    fn insert_range(&mut self, low: u8, high: u8) {
        for byte in low..=high {
            self.insert(byte);
        }
    }

    fn contains(&self, byte: u8) -> bool {
        self.0[usize::from(byte >> 6)] & (1 << (byte & 63)) != 0
    }

    fn union(self, other: ByteSet) -> ByteSet {
        let mut words = self.0;
        for (word, more) in words.iter_mut().zip(other.0) {
            *word |= more;
        }
        ByteSet(words)
    }

    fn intersects(&self, other: &ByteSet) -> bool {
        self.0.iter().zip(other.0).any(|(a, b)| a & b != 0)
    }

    fn is_subset(&self, other: &ByteSet) -> bool {
        self.0.iter().zip(other.0).all(|(a, b)| a & !b == 0)
    }

    fn len(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    /// How much a set is worth as a requirement: lower is rarer in city
    /// data, and digits are in nearly every value that is scanned.
    fn rarity_cost(&self) -> u32 {
        self.len() + if self.intersects(&DIGITS) { 256 } else { 0 }
    }
}

/// How many distinct alphabets have their longest run measured in the
/// profiling pass itself: one byte-wide lane each, so that the pass is a
/// few vector instructions a byte. Forms beyond these scan for their run
/// when asked.
const LANES: usize = 32;

/// The distinct alphabets of the forms, and for each byte the lanes of
/// those that hold it (`0xFF`) or not (`0`).
#[derive(Debug)]
pub(super) struct Lanes {
    masks: Box<[[u8; LANES]; 256]>,
}

impl Lanes {
    /// Gives each gate the lane of its alphabet (shared with the gates of
    /// the same alphabet), while lanes last, and the table of them all.
    pub(super) fn assign<'g>(gates: impl IntoIterator<Item = &'g mut Gate>) -> Lanes {
        let mut alphabets: Vec<ByteSet> = Vec::new();
        let mut masks = Box::new([[0u8; LANES]; 256]);
        for gate in gates {
            // A run is counted up to 255: longer shortest matches scan.
            if gate.min_len > usize::from(u8::MAX) {
                continue;
            }
            let lane = match alphabets.iter().position(|a| *a == gate.alphabet) {
                Some(lane) => lane,
                None if alphabets.len() < LANES => {
                    alphabets.push(gate.alphabet);
                    alphabets.len() - 1
                }
                None => continue,
            };
            gate.lane = Some(lane);
        }
        for (lane, alphabet) in alphabets.iter().enumerate() {
            for (byte, mask) in masks.iter_mut().enumerate() {
                if alphabet.contains(byte as u8) {
                    mask[lane] = 0xFF;
                }
            }
        }
        Lanes { masks }
    }
}

/// What a value's bytes are made of, counted once per scan.
#[derive(Debug)]
pub(super) struct Profile<'t> {
    bytes: &'t [u8],
    digits: usize,
    present: ByteSet,
    /// The longest run of each lane's alphabet, up to 255.
    longest: [u8; LANES],
}

impl<'t> Profile<'t> {
    pub(super) fn of(text: &'t str, lanes: &Lanes) -> Profile<'t> {
        let bytes = text.as_bytes();
        let mut present = ByteSet::default();
        let mut digits = 0;
        let mut run = [0u8; LANES];
        let mut longest = [0u8; LANES];
        for &byte in bytes {
            present.insert(byte);
            digits += usize::from(byte.is_ascii_digit());
            let mask = &lanes.masks[usize::from(byte)];
            for lane in 0..LANES {
                run[lane] = run[lane].saturating_add(1) & mask[lane];
                longest[lane] = longest[lane].max(run[lane]);
            }
        }
        Profile {
            bytes,
            digits,
            present,
            longest,
        }
    }
}

/// Necessary conditions for a pattern to match somewhere in a value.
#[derive(Debug, Clone)]
pub(super) struct Gate {
    /// Fewest bytes in a match.
    min_len: usize,
    /// Fewest ASCII digits in a match.
    min_digits: usize,
    /// Sets of bytes of which every match holds at least one each.
    required: Vec<ByteSet>,
    /// Every byte a match can hold: a match is a run of them.
    alphabet: ByteSet,
    /// The lane of [`Profile::longest`] that measures runs of `alphabet`.
    lane: Option<usize>,
    /// For a pattern anchored at both ends of the text (`^…$`), the
    /// longest match and the most ASCII digits in one: then the whole
    /// value is the match, so it must be no longer, hold no more digits
    /// and be made of the alphabet alone. `None` otherwise.
    whole: Option<(usize, usize)>,
}

impl Gate {
    /// A gate that admits every value.
    fn open() -> Gate {
        Gate {
            min_len: 0,
            min_digits: 0,
            required: Vec::new(),
            alphabet: ByteSet([u64::MAX; 4]),
            lane: None,
            whole: None,
        }
    }

    /// The gate of `pattern`, as the `regex` crate reads it (Unicode on).
    pub(super) fn of(pattern: &str) -> Gate {
        let Ok(hir) = regex_syntax::parse(pattern) else {
            return Gate::open();
        };
        Gate {
            min_len: hir.properties().minimum_len().unwrap_or(0),
            min_digits: min_digits(&hir),
            required: rarest(required(&hir)),
            alphabet: alphabet(&hir),
            lane: None,
            whole: whole_text_match(&hir),
        }
    }

    /// Whether a value of this profile may hold a match: long enough,
    /// enough digits, one byte of each required set, and a run of bytes of
    /// the alphabet as long as the shortest match.
    pub(super) fn admits(&self, value: &Profile) -> bool {
        value.bytes.len() >= self.min_len
            && value.digits >= self.min_digits
            && self.required.iter().all(|r| r.intersects(&value.present))
            && self.whole.is_none_or(|(max_len, max_digits)| {
                value.bytes.len() <= max_len
                    && value.digits <= max_digits
                    && value.present.is_subset(&self.alphabet)
            })
            && match self.lane {
                Some(lane) => usize::from(value.longest[lane]) >= self.min_len,
                None => {
                    value.present.is_subset(&self.alphabet)
                        || has_run(value.bytes, &self.alphabet, self.min_len)
                }
            }
    }
}

/// The longest match of `hir` and the most ASCII digits in one, when
/// every match starts at the start of the text and ends at its end (`^`
/// and `$`, not their multi-line forms); `usize::MAX` for no bound.
fn whole_text_match(hir: &Hir) -> Option<(usize, usize)> {
    let properties = hir.properties();
    let anchored = properties.look_set_prefix().contains(Look::Start)
        && properties.look_set_suffix().contains(Look::End);
    anchored.then(|| {
        (
            properties.maximum_len().unwrap_or(usize::MAX),
            max_digits(hir),
        )
    })
}

/// Most ASCII digits in any match of `hir` (`usize::MAX`: no bound): a
/// class counts when it holds a digit.
fn max_digits(hir: &Hir) -> usize {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 0,
        HirKind::Literal(literal) => literal.0.iter().filter(|b| b.is_ascii_digit()).count(),
        HirKind::Class(class) => usize::from(first_bytes(class).intersects(&DIGITS)),
        HirKind::Repetition(repetition) => {
            let sub = max_digits(&repetition.sub);
            match repetition.max {
                _ if sub == 0 => 0,
                Some(max) => usize::try_from(max)
                    .unwrap_or(usize::MAX)
                    .saturating_mul(sub),
                None => usize::MAX,
            }
        }
        HirKind::Capture(capture) => max_digits(&capture.sub),
        HirKind::Concat(parts) => parts.iter().map(max_digits).fold(0, usize::saturating_add),
        HirKind::Alternation(branches) => branches.iter().map(max_digits).max().unwrap_or(0),
    }
}

/// Whether `bytes` holds `len` bytes in a row that are all in `alphabet`.
fn has_run(bytes: &[u8], alphabet: &ByteSet, len: usize) -> bool {
    let mut run = 0;
    for &byte in bytes {
        if alphabet.contains(byte) {
            run += 1;
            if run >= len {
                return true;
            }
        } else {
            run = 0;
        }
    }
    len == 0
}

/// The bytes that can start a character of `class` (for a Unicode class,
/// the ASCII members and the lead bytes of the others).
fn first_bytes(class: &Class) -> ByteSet {
    let mut set = ByteSet::default();
    match class {
        Class::Bytes(bytes) => {
            for range in bytes.iter() {
                set.insert_range(range.start(), range.end());
            }
        }
        Class::Unicode(chars) => {
            for range in chars.iter() {
                let (start, end) = (u32::from(range.start()), u32::from(range.end()));
                if start < 0x80 {
                    // Both bounds are ASCII here, so they fit a byte.
                    let high = end.min(0x7F);
                    set.insert_range(ascii_byte(start), ascii_byte(high));
                }
                if end >= 0x80 {
                    let low = range.start().max('\u{80}');
                    set.insert_range(lead_byte(low), lead_byte(range.end()));
                }
            }
        }
    }
    set
}

/// `code` as a byte, for code points known to be ASCII.
fn ascii_byte(code: u32) -> u8 {
    u8::try_from(code).unwrap_or(0x7F)
}

/// The first byte of `c` in UTF-8; lead bytes grow with the code point,
/// so those of a range lie between its ends'.
fn lead_byte(c: char) -> u8 {
    let mut buffer = [0u8; 4];
    c.encode_utf8(&mut buffer);
    buffer[0]
}

/// Fewest ASCII digits in any match of `hir`: a class counts when all of
/// its members are ASCII digits.
fn min_digits(hir: &Hir) -> usize {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => 0,
        HirKind::Literal(literal) => literal.0.iter().filter(|b| b.is_ascii_digit()).count(),
        HirKind::Class(class) => {
            let first = first_bytes(class);
            usize::from(first.len() > 0 && first.is_subset(&DIGITS))
        }
        HirKind::Repetition(repetition) => {
            let min = usize::try_from(repetition.min).unwrap_or(usize::MAX);
            min.saturating_mul(min_digits(&repetition.sub))
        }
        HirKind::Capture(capture) => min_digits(&capture.sub),
        HirKind::Concat(parts) => parts.iter().map(min_digits).fold(0, usize::saturating_add),
        HirKind::Alternation(branches) => branches.iter().map(min_digits).min().unwrap_or(0),
    }
}

/// Sets of bytes of which every match of `hir` holds at least one each.
fn required(hir: &Hir) -> Vec<ByteSet> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Vec::new(),
        HirKind::Literal(literal) => literal.0.iter().map(|&b| ByteSet::of(b)).collect(),
        HirKind::Class(class) => vec![first_bytes(class)],
        HirKind::Repetition(repetition) if repetition.min == 0 => Vec::new(),
        HirKind::Repetition(repetition) => required(&repetition.sub),
        HirKind::Capture(capture) => required(&capture.sub),
        HirKind::Concat(parts) => parts.iter().flat_map(required).collect(),
        HirKind::Alternation(branches) => {
            // Each branch needs its rarest set; one of the branches matched.
            let mut union = ByteSet::default();
            for branch in branches {
                let Some(rarest) = rarest(required(branch)).into_iter().next() else {
                    return Vec::new();
                };
                union = union.union(rarest);
            }
            vec![union]
        }
    }
}

/// The rarest of `sets`, without one that holds another (that one is
/// met whenever the other is), at most [`REQUIRED_KEPT`] of them.
fn rarest(mut sets: Vec<ByteSet>) -> Vec<ByteSet> {
    sets.sort_by_key(ByteSet::rarity_cost);
    sets.dedup();
    let mut kept: Vec<ByteSet> = Vec::new();
    for set in sets {
        if !kept.iter().any(|k| k.is_subset(&set)) {
            kept.push(set);
        }
    }
    kept.truncate(REQUIRED_KEPT);
    kept
}

/// Every byte a match of `hir` can hold.
fn alphabet(hir: &Hir) -> ByteSet {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => ByteSet::default(),
        HirKind::Literal(literal) => literal
            .0
            .iter()
            .fold(ByteSet::default(), |set, &b| set.union(ByteSet::of(b))),
        HirKind::Class(class) => {
            let first = first_bytes(class);
            if first.intersects(&NON_ASCII) {
                first.union(NON_ASCII)
            } else {
                first
            }
        }
        HirKind::Repetition(repetition) => alphabet(&repetition.sub),
        HirKind::Capture(capture) => alphabet(&capture.sub),
        HirKind::Concat(parts) | HirKind::Alternation(parts) => parts
            .iter()
            .fold(ByteSet::default(), |set, part| set.union(alphabet(part))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the gate of `pattern` admits `text`, with its run
    /// measured in a lane and by a scan: both must agree.
    fn admits(pattern: &str, text: &str) -> bool {
        let scanned = Gate::of(pattern);
        let mut laned = Gate::of(pattern);
        let lanes = Lanes::assign([&mut laned]);
        let by_lane = laned.admits(&Profile::of(text, &lanes));
        assert_eq!(by_lane, scanned.admits(&Profile::of(text, &lanes)));
        by_lane
    }

    #[test]
    fn digits_lengths_and_required_bytes_are_read_from_the_pattern() {
        let phone = r"\+65[ -]?[689][0-9]{3}[ -]?[0-9]{4}";
        let gate = Gate::of(phone);
        assert_eq!(gate.min_digits, 10);
        assert_eq!(gate.min_len, 11);
        assert!(gate.required.contains(&ByteSet::of(b'+')));
        assert!(admits(phone, "call +65 9123 4567 now"));
        assert!(!admits(phone, "65 9123 4567"), "no plus sign");
        assert!(!admits(phone, "+65 9123 456"), "too few digits");
        assert!(!admits(phone, "+65 9123x4567"), "no run of the alphabet");
    }

    #[test]
    fn a_pattern_anchored_at_both_ends_must_be_the_whole_value() {
        let bare = r"^\s*[689][0-9]{7}\s*$";
        assert!(admits(bare, "91234567"));
        assert!(admits(bare, " 91234567\u{a0}"));
        assert!(!admits(bare, "tel 91234567"), "another byte");
        assert!(!admits("^[689][0-9]{7}$", "912345678"), "too long");
        assert!(!admits(bare, " 912345678 "), "too many digits");
        assert!(admits("^[0-9]+$", "1234567890123"), "no bound");
        assert!(admits("^a|b$", "xxab"), "anchored on one branch only");
    }

    #[test]
    fn an_alternation_requires_one_byte_of_its_branches() {
        let pattern = "a@b|c:d";
        assert!(admits(pattern, "c:d"));
        assert!(admits(pattern, "a@b"));
        assert!(!admits(pattern, "ab cd"));
    }

    #[test]
    fn non_ascii_classes_gate_by_their_lead_bytes() {
        let plate = "[0-9]{2,3}[가-힣][0-9]{4}";
        assert!(admits(plate, "12가3456"));
        assert!(admits(plate, "서울 123힣4567"));
        assert!(!admits(plate, "12é3456"), "é has another lead byte");
        assert!(!admits(plate, "123-4567"));
    }

    #[test]
    fn an_optional_part_requires_nothing() {
        assert!(admits("(?:x@)?[0-9]{3}", "123"));
        assert!(admits("a*", ""), "a pattern that matches empty text");
    }

    #[test]
    fn a_pattern_that_cannot_be_read_admits_everything() {
        assert!(admits("(", "anything"));
    }
}
