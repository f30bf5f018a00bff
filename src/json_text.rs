//! Positions in JSON text that serde_json has already accepted: where each
//! element of a top-level array starts (and on which line), where each
//! number is written, and the pointer of the value at a byte offset.
//!
//! serde_json keeps no positions and builds numbers as `u64`, `i64` or
//! `f64`, so a number's text as written (`9001011234567.0`, twenty digits)
//! is gone from the value. Its `arbitrary_precision` feature would keep it,
//! but it changes every number of every crate linked (the schema
//! validator's comparisons, the canonical JSON that digests and signatures
//! are taken over), so these walks read the bytes once more instead. They
//! never decide whether text is JSON: they are only given text serde_json
//! has parsed, and they read nothing but strings' ends, brackets,
//! separators and numbers' extents.

use std::ops::Range;

/// One element of a top-level array: its bytes and the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Element {
    /// Byte range of the element in the text.
    pub span: Range<usize>,
    /// 1-based line of its first byte.
    pub line: u64,
}

/// The elements of the top-level array of `text` (JSON serde_json has
/// accepted, whose first value is an array), each with its line.
///
/// One pass over the bytes: lines are counted as the walk goes, never
/// from the start of the text for each element, so a single-line array of
/// any length costs its length once.
pub(crate) fn array_elements(text: &str) -> Vec<Element> {
    let bytes = text.as_bytes();
    let mut elements = Vec::new();
    let mut line = 1u64;
    let mut depth = 0usize;
    let mut start: Option<(usize, u64)> = None;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        match byte {
            b'\n' => line += 1,
            b' ' | b'\t' | b'\r' => {}
            b',' | b']' if depth == 1 => {
                if let Some((from, at)) = start.take() {
                    elements.push(Element {
                        span: from..trim_end(bytes, from, i),
                        line: at,
                    });
                }
                if byte == b']' {
                    break;
                }
            }
            _ => {
                if depth == 1 && start.is_none() {
                    start = Some((i, line));
                }
                match byte {
                    b'[' | b'{' => depth += 1,
                    b']' | b'}' => depth = depth.saturating_sub(1),
                    b'"' => {
                        // A JSON string holds no raw newline, so skipping
                        // it loses no line.
                        i = string_end(bytes, i);
                        continue;
                    }
                    _ => {}
                }
            }
        }
        i += 1;
    }
    elements
}

/// The end of `bytes[from..to]` without trailing whitespace.
fn trim_end(bytes: &[u8], from: usize, mut to: usize) -> usize {
    while to > from && bytes[to - 1].is_ascii_whitespace() {
        to -= 1;
    }
    to
}

/// The offset just past the string whose opening quote is at `start`.
/// Most of a record's bytes are in strings, so their plain runs are
/// skipped eight bytes at a time.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        i = skip_plain(bytes, i);
        match bytes.get(i) {
            Some(b'"') => return i + 1,
            Some(b'\\') => i += 2,
            Some(_) => i += 1,
            None => break,
        }
    }
    bytes.len()
}

/// The first offset from `i` of a quote or backslash, or a little before
/// it: whole words of eight bytes holding neither are stepped over.
fn skip_plain(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let has = |word: u64, byte: u8| {
        let x = word ^ (ONES * u64::from(byte));
        x.wrapping_sub(ONES) & !x & HIGHS != 0
    };
    while let Some(chunk) = bytes.get(i..i + 8) {
        let Ok(eight) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let word = u64::from_ne_bytes(eight);
        if has(word, b'"') || has(word, b'\\') {
            break;
        }
        i += 8;
    }
    i
}

/// Where the value of member `name` of the top-level object of `text`
/// (JSON serde_json has accepted, whose first value is an object) starts,
/// if the object has that member. Names are compared as written: a name
/// spelled with escapes is not found.
pub(crate) fn member_value_start(text: &str, name: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut expecting_name = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => {
                depth += 1;
                expecting_name = depth == 1;
            }
            b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 1 => expecting_name = true,
            b'"' => {
                let end = string_end(bytes, i);
                if depth == 1 && expecting_name {
                    expecting_name = false;
                    if text.get(i + 1..end.saturating_sub(1)) == Some(name) {
                        return value_after_colon(bytes, end);
                    }
                }
                i = end;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The first byte after the `:` that follows offset `from`, and the
/// whitespace after it.
fn value_after_colon(bytes: &[u8], from: usize) -> Option<usize> {
    let colon = from + bytes.get(from..)?.iter().position(|b| *b == b':')?;
    let skipped = bytes
        .get(colon + 1..)?
        .iter()
        .position(|b| !b.is_ascii_whitespace())?;
    Some(colon + 1 + skipped)
}

fn is_number_byte(byte: u8) -> bool {
    matches!(byte, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')
}

/// Calls `each` with the byte range of every number written in `text`
/// (JSON serde_json has accepted), in the order written.
pub(crate) fn each_number(text: &str, mut each: impl FnMut(Range<usize>)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = string_end(bytes, i),
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len() && is_number_byte(bytes[i]) {
                    i += 1;
                }
                each(start..i);
            }
            _ => i += 1,
        }
    }
}

/// One step of the path to a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// A member of an object, by its (decoded) key.
    Key(String),
    /// An element of an array, by its index.
    Index(usize),
}

/// One open container while walking towards an offset.
enum Frame {
    /// An object, with the raw bytes of the key of the member being read
    /// and whether the next string is a key.
    Object { key: Range<usize>, expect_key: bool },
    /// An array, with the index of the element being read.
    Array { index: usize },
}

/// Paths to offsets asked in increasing order, the text walked once in
/// all: a record holding many numbers that may be identifiers costs its
/// length once, not once per number.
pub(crate) struct PathWalker<'t> {
    text: &'t str,
    /// The byte the walk has reached.
    at: usize,
    stack: Vec<Frame>,
}

impl<'t> PathWalker<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        PathWalker {
            text,
            at: 0,
            stack: Vec::new(),
        }
    }

    /// The path to the innermost value that starts at or contains byte
    /// `offset`; an offset before one already asked gives the path of the
    /// furthest one reached.
    pub(crate) fn path_to(&mut self, offset: usize) -> Vec<Step> {
        self.advance(offset);
        self.stack
            .iter()
            .map(|frame| match frame {
                Frame::Object { key, .. } => Step::Key(
                    self.text
                        .get(key.clone())
                        .and_then(|raw| serde_json::from_str(raw).ok())
                        .unwrap_or_default(),
                ),
                Frame::Array { index } => Step::Index(*index),
            })
            .collect()
    }

    fn advance(&mut self, offset: usize) {
        let bytes = self.text.as_bytes();
        let end = offset.min(bytes.len());
        let stack = &mut self.stack;
        let mut i = self.at;
        while i < end {
            match bytes[i] {
                b'{' => stack.push(Frame::Object {
                    key: 0..0,
                    expect_key: true,
                }),
                b'[' => stack.push(Frame::Array { index: 0 }),
                b'}' | b']' => {
                    stack.pop();
                }
                b':' => {
                    if let Some(Frame::Object { expect_key, .. }) = stack.last_mut() {
                        *expect_key = false;
                    }
                }
                b',' => match stack.last_mut() {
                    Some(Frame::Object { expect_key, .. }) => *expect_key = true,
                    Some(Frame::Array { index }) => *index += 1,
                    None => {}
                },
                b'"' => {
                    let close = string_end(bytes, i);
                    if let Some(Frame::Object {
                        key,
                        expect_key: true,
                    }) = stack.last_mut()
                    {
                        *key = i..close;
                    }
                    i = close;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        self.at = self.at.max(i);
    }
}

/// `steps` as a JSON pointer (RFC 6901).
pub(crate) fn pointer(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        out.push('/');
        match step {
            Step::Key(key) => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Step::Index(i) => out.push_str(&i.to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path to `offset`, walked from the start.
    fn path_at(text: &str, offset: usize) -> Vec<Step> {
        PathWalker::new(text).path_to(offset)
    }

    fn texts<'t>(text: &'t str, elements: &[Element]) -> Vec<(&'t str, u64)> {
        elements
            .iter()
            .map(|e| (&text[e.span.clone()], e.line))
            .collect()
    }

    #[test]
    fn array_elements_know_their_bytes_and_lines() {
        let text = "[\n  {\"a\": [1, 2]},\n\n  {\"b\": \"x],\\\"\"}, 3 ,\n\"s\\\\\"\n]";
        assert_eq!(
            texts(text, &array_elements(text)),
            vec![
                ("{\"a\": [1, 2]}", 2),
                ("{\"b\": \"x],\\\"\"}", 4),
                ("3", 4),
                ("\"s\\\\\"", 5)
            ]
        );
        assert_eq!(array_elements(" [ ] "), vec![]);
    }

    #[test]
    fn a_long_single_line_array_places_its_last_element() {
        let count = 20_000;
        let text = format!(
            "[{}]",
            vec!["{\"k\": \"v,]\", \"n\": [1, {\"x\": 2}]}"; count].join(",")
        );
        let elements = array_elements(&text);
        assert_eq!(elements.len(), count);
        let last = &elements[count - 1];
        assert_eq!(last.line, 1);
        assert_eq!(last.span.end, text.len() - 1);
        assert_eq!(
            &text[last.span.clone()],
            "{\"k\": \"v,]\", \"n\": [1, {\"x\": 2}]}"
        );
    }

    #[test]
    fn one_element_a_line_counts_every_line() {
        let count = 20_000;
        let text = format!("[\n{}\n]", vec!["{\"a\": \"b\"}"; count].join(",\n"));
        let elements = array_elements(&text);
        assert_eq!(elements.len(), count);
        assert_eq!(elements[count - 1].line, count as u64 + 1);
    }

    #[test]
    fn numbers_are_found_outside_strings_as_written() {
        let text = r#"{"a": -1.50e+3, "b": "12345", "c\"7": [0, 9001011234567.0], "d": true}"#;
        let mut found = Vec::new();
        each_number(text, |span| found.push(&text[span]));
        assert_eq!(found, vec!["-1.50e+3", "0", "9001011234567.0"]);
    }

    #[test]
    fn the_path_at_an_offset_names_keys_and_indexes() {
        let text = r#"{"a": {"x/y": [1, {"b~": 22}], "c": 3}, "d": [4, 5]}"#;
        let at = |needle: &str| pointer(&path_at(text, text.find(needle).expect("in text")));
        assert_eq!(at("22"), "/a/x~1y/1/b~0");
        assert_eq!(at("1,"), "/a/x~1y/0");
        assert_eq!(at("3}"), "/a/c");
        assert_eq!(at("5]"), "/d/1");
        assert_eq!(at("{\"a\""), "");
    }

    /// Long strings are skipped by words; an escape or the closing quote
    /// at any offset of a word still ends the skip where it should.
    #[test]
    fn strings_of_any_length_end_at_their_quote() {
        for len in 0..40 {
            for at in 0..=len {
                let mut content = "a".repeat(len);
                content.insert_str(at, "\\\"");
                let text = format!("[\"{content}\", 12345]");
                let mut found = Vec::new();
                each_number(&text, |span| found.push(text[span].to_owned()));
                assert_eq!(found, vec!["12345"], "{text}");
            }
        }
    }

    #[test]
    fn escaped_keys_are_decoded() {
        let text = r#"{"a\"b\u00e9": 7}"#;
        let offset = text.find('7').expect("in text");
        assert_eq!(path_at(text, offset), vec![Step::Key("a\"bé".to_owned())]);
    }

    /// A JSON value of bounded depth whose keys and strings hold what a
    /// walk could trip on: quotes, backslashes, brackets, separators,
    /// pointer escapes, non-ASCII.
    #[derive(Debug, Clone)]
    struct Tree(serde_json::Value);

    fn word(g: &mut quickcheck::Gen) -> String {
        let pieces = [
            "a", "\"", "\\", "[", "]", "{", "}", ",", ":", "/", "~", "é", "1", " ",
        ];
        let len = usize::arbitrary(g) % 4;
        (0..len)
            .map(|_| *g.choose(&pieces).unwrap_or(&"a"))
            .collect()
    }

    fn tree(g: &mut quickcheck::Gen, depth: usize) -> serde_json::Value {
        use serde_json::Value;
        let choice = u8::arbitrary(g) % if depth == 0 { 4 } else { 6 };
        match choice {
            0 => Value::from(i64::arbitrary(g)),
            1 => Value::from(f64::arbitrary(g)),
            2 => Value::String(word(g)),
            3 => Value::Bool(bool::arbitrary(g)),
            4 => Value::Array(
                (0..usize::arbitrary(g) % 4)
                    .map(|_| tree(g, depth - 1))
                    .collect(),
            ),
            _ => Value::Object(
                (0..usize::arbitrary(g) % 4)
                    .map(|_| (word(g), tree(g, depth - 1)))
                    .collect(),
            ),
        }
    }

    use quickcheck::Arbitrary;

    impl Arbitrary for Tree {
        fn arbitrary(g: &mut quickcheck::Gen) -> Self {
            Tree(tree(g, 3))
        }
    }

    fn numbers_in(value: &serde_json::Value) -> usize {
        match value {
            serde_json::Value::Number(_) => 1,
            serde_json::Value::Array(items) => items.iter().map(numbers_in).sum(),
            serde_json::Value::Object(map) => map.values().map(numbers_in).sum(),
            _ => 0,
        }
    }

    static REACHED: crate::vacuity::Reached = crate::vacuity::Reached::new();

    /// Whatever the values and however they are printed, the walks agree
    /// with serde_json: each element's bytes parse to the element and
    /// start on the line counted from the start of the text, and every
    /// number is found, as serde_json wrote it, at the pointer that holds
    /// it.
    fn walks_agree_with_serde_json(elements: Vec<Tree>, pretty: bool) -> bool {
        let array = serde_json::Value::Array(elements.into_iter().map(|t| t.0).collect());
        let written = if pretty {
            serde_json::to_string_pretty(&array)
        } else {
            serde_json::to_string(&array)
        };
        let Ok(text) = written else {
            return false;
        };
        let found = array_elements(&text);
        let Some(items) = array.as_array() else {
            return false;
        };
        if found.len() != items.len() {
            return false;
        }
        for (element, item) in found.iter().zip(items) {
            let parsed: Result<serde_json::Value, _> =
                serde_json::from_str(&text[element.span.clone()]);
            let line = crate::error::line_of_offset(&text, element.span.start) as u64;
            if parsed.ok().as_ref() != Some(item) || element.line != line {
                return false;
            }
        }
        // One walker for every number, as the scans use it.
        let mut numbers = 0;
        let mut placed = true;
        let mut paths = PathWalker::new(&text);
        each_number(&text, |span| {
            numbers += 1;
            let at = pointer(&paths.path_to(span.start));
            let held = array.pointer(&at).map(|v| v.to_string());
            placed &= held.as_deref() == Some(&text[span]);
        });
        REACHED.hit();
        placed && numbers == numbers_in(&array)
    }

    #[test]
    fn walks_agree_with_serde_json_on_any_values() {
        crate::vacuity::check(
            300,
            &REACHED,
            walks_agree_with_serde_json as fn(Vec<Tree>, bool) -> bool,
        );
    }
}
