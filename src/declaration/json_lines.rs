//! Positions of JSON values by JSON pointer. serde_json keeps no positions,
//! and a declaration problem must name its line and show it, so this walks
//! the (already parsed, hence valid) text once more, skipping values with
//! serde_json's streaming deserializer and reading only the keys and
//! separators itself.

use std::ops::Range;

use serde::de::IgnoredAny;

use crate::error::line_of_offset;

/// The 1-based line where the value at `pointer` starts in the JSON `text`;
/// when a step is missing, the line of the deepest value found.
pub(crate) fn line_of(text: &str, pointer: &str) -> Option<usize> {
    let (_, pos) = walk(text, pointer);
    (pos < text.len()).then(|| line_of_offset(text, pos))
}

/// The bytes of the member at `pointer` in the JSON `text`: its key and
/// value (`"retention": "P1X"`), or the value alone for an array element
/// or the root; when a step is missing, the deepest one found.
pub(crate) fn span_of(text: &str, pointer: &str) -> Option<Range<usize>> {
    let (key, pos) = walk(text, pointer);
    if pos >= text.len() {
        return None;
    }
    let end = skip_value(text, pos).unwrap_or(pos);
    Some(key.unwrap_or(pos)..end)
}

/// Where the deepest value on `pointer`'s path starts, and where its key
/// starts when it is an object's member.
fn walk(text: &str, pointer: &str) -> (Option<usize>, usize) {
    let mut pos = skip_ws(text, 0);
    let mut key = None;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        match child_offset(text, pos, &segment) {
            Some((next_key, next)) => (key, pos) = (next_key, next),
            None => break,
        }
    }
    (key, pos)
}

fn skip_ws(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    while bytes.get(pos).is_some_and(u8::is_ascii_whitespace) {
        pos += 1;
    }
    pos
}

/// The byte offset just past the JSON value starting at `pos`.
fn skip_value(text: &str, pos: usize) -> Option<usize> {
    let rest = text.get(pos..)?;
    let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<IgnoredAny>();
    match stream.next() {
        Some(Ok(_)) => Some(pos + stream.byte_offset()),
        _ => None,
    }
}

/// Where the member `segment` of the container at `pos` starts: its key
/// (in an object) and its value.
fn child_offset(text: &str, pos: usize, segment: &str) -> Option<(Option<usize>, usize)> {
    let bytes = text.as_bytes();
    match bytes.get(pos)? {
        b'{' => {
            let mut at = skip_ws(text, pos + 1);
            while bytes.get(at)? == &b'"' {
                let key_at = at;
                let key_end = skip_value(text, at)?;
                let key: String = serde_json::from_str(text.get(at..key_end)?).ok()?;
                at = skip_ws(text, key_end);
                if bytes.get(at)? != &b':' {
                    return None;
                }
                let value_at = skip_ws(text, at + 1);
                if key == segment {
                    return Some((Some(key_at), value_at));
                }
                at = skip_ws(text, skip_value(text, value_at)?);
                if bytes.get(at)? == &b',' {
                    at = skip_ws(text, at + 1);
                }
            }
            None
        }
        b'[' => {
            let index: usize = segment.parse().ok()?;
            let mut at = skip_ws(text, pos + 1);
            for _ in 0..index {
                at = skip_ws(text, skip_value(text, at)?);
                if bytes.get(at)? != &b',' {
                    return None;
                }
                at = skip_ws(text, at + 1);
            }
            (bytes.get(at)? != &b']').then_some((None, at))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{line_of, span_of};

    const TEXT: &str = "{\n  \"a\": 1,\n  \"b/c\": [\n    {\"x\": true},\n    {\n      \"y\": \"}\"\n    }\n  ]\n}\n";

    #[test]
    fn pointers_find_their_lines_through_objects_and_arrays() {
        assert_eq!(line_of(TEXT, ""), Some(1));
        assert_eq!(line_of(TEXT, "/a"), Some(2));
        assert_eq!(line_of(TEXT, "/b~1c"), Some(3));
        assert_eq!(line_of(TEXT, "/b~1c/0/x"), Some(4));
        assert_eq!(line_of(TEXT, "/b~1c/1/y"), Some(6));
        assert_eq!(line_of(TEXT, "/b~1c/7"), Some(3), "nearest ancestor");
        assert_eq!(line_of(TEXT, "/zzz"), Some(1));
    }

    #[test]
    fn spans_cover_a_member_with_its_key_or_an_element() {
        let at = |pointer: &str| span_of(TEXT, pointer).map(|span| &TEXT[span]);
        assert_eq!(at("/a"), Some("\"a\": 1"));
        assert_eq!(at("/b~1c/0"), Some("{\"x\": true}"));
        assert_eq!(at("/b~1c/1/y"), Some("\"y\": \"}\""));
        assert_eq!(
            at("/b~1c/7").map(|s| s.lines().next()),
            Some(Some("\"b/c\": ["))
        );
        assert_eq!(at("").map(|s| s.len()), Some(TEXT.trim_end().len()));
    }

    #[test]
    fn garbage_gives_no_panic() {
        for text in ["", "{", "[1,", "{\"a\" 1}", "\"x\""] {
            let _ = line_of(text, "/a/0");
            let _ = span_of(text, "/a/0");
        }
    }
}
