//! Where in one of the tool's own files a problem sits: line, column and
//! the line itself, for a caret under the offending key or value.
//!
//! Only the tool's own files (suites, `cityconform.toml`, targets, dataset
//! descriptors, data-flow declarations) get a snippet. Payloads and
//! datasets may hold personal data, so their problems keep a line and a
//! column and never echo content. Even in the tool's own files, a line may
//! hold what must not reach a terminal or a CI log (a token pasted where a
//! variable name belongs, a password in a URL): such values are masked
//! before the line is kept.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// Characters of a long line (a minified JSON file, say) kept around the
/// span; the rest is cut, each cut marked with `...`.
const WIDTH: usize = 120;
/// Of those, how many come before the span.
const BEFORE: usize = 40;
/// What a masked value becomes.
const MASK: &str = "***";

/// The line of a problem, as shown under its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    /// The line without its line break, credentials masked, a long line cut
    /// to a window around the span.
    pub text: String,
    /// Byte range of the offending key or value in `text`; empty for a
    /// point (the end of a truncated file).
    pub span: Range<usize>,
}

/// Where byte range `span` of `text` sits: 1-based line and column (in
/// characters), and the line as a snippet. A span over several lines is cut
/// at the end of its first.
pub(crate) fn locate(text: &str, span: Range<usize>) -> (usize, usize, Option<Snippet>) {
    let start = floor_boundary(text, span.start);
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line_end = if text[..line_end].ends_with('\r') && line_end > start {
        line_end - 1
    } else {
        line_end
    };
    let end = floor_boundary(text, span.end.clamp(start, line_end.max(start)));
    let line = crate::error::line_of_offset(text, start);
    let column = text[line_start..start].chars().count() + 1;
    let snippet = mask(
        &text[line_start..line_end.max(start)],
        start - line_start..end - line_start,
    )
    .map(|(mut text, span)| {
        // A point past the last character (an unclosed bracket at the
        // end of a line) gets a blank to stand under.
        if span.start == text.len() {
            text.push(' ');
        }
        window(&text, span)
    });
    (line, column, snippet)
}

/// The byte offset of 1-based `line` and 1-based byte `column` (as
/// serde_json counts them; column 0 is the start of the line).
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    floor_boundary(text, (line_start + column.saturating_sub(1)).min(line_end))
}

/// The 1-based column in characters of serde_json's 1-based byte `column`
/// on `line` (a line of a dataset, which is read for this and never shown);
/// `None` for serde_json's column 0.
pub fn char_column(line: &[u8], column: usize) -> Option<usize> {
    let before = line.get(..column.checked_sub(1)?).unwrap_or(line);
    Some(before.iter().filter(|&&b| b & 0xC0 != 0x80).count() + 1)
}

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// `key = value` in TOML, `"key": value` in JSON, inline tables included.
static PAIR: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?P<key>"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)[ \t]*[=:][ \t]*(?P<value>"(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s,}\]#]+)"#,
    )
    .ok()
});

/// The user-information part of a URL (`https://user:password@host`).
static USERINFO: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)\b[a-z][a-z0-9+.-]*://(?P<info>[^/@\s'`?#]+)@").ok());

/// Whether `key` names a secret rather than where one is kept
/// (`token_env`, `token_file`, `token_url` name a place, not a secret).
fn names_secret(key: &str) -> bool {
    let key = key
        .trim_matches(|c| c == '"' || c == '\'')
        .to_ascii_lowercase();
    let places = ["env", "file", "url", "path", "header"];
    if places
        .iter()
        .any(|p| key.ends_with(&format!("_{p}")) || key.ends_with(&format!("-{p}")))
    {
        return false;
    }
    let bare: String = key.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    [
        "token",
        "secret",
        "password",
        "passwd",
        "passphrase",
        "apikey",
        "credential",
        "authorization",
        "cookie",
        "privatekey",
    ]
    .iter()
    .any(|word| bare.contains(word))
}

/// `line` with the values of secret-named keys and the user information
/// of URLs masked, and `span` moved along. `None` when the patterns are
/// missing: then no line is shown at all.
fn mask(line: &str, span: Range<usize>) -> Option<(String, Range<usize>)> {
    let pair = PAIR.as_ref()?;
    let userinfo = USERINFO.as_ref()?;
    let mut cuts: Vec<(Range<usize>, String)> = Vec::new();
    for captures in pair.captures_iter(line) {
        let (Some(key), Some(value)) = (captures.name("key"), captures.name("value")) else {
            continue;
        };
        if names_secret(key.as_str()) {
            let text = value.as_str();
            let quote = text.chars().next().filter(|c| *c == '"' || *c == '\'');
            let masked = match quote {
                Some(q) => format!("{q}{MASK}{q}"),
                None => MASK.to_owned(),
            };
            cuts.push((value.range(), masked));
        }
    }
    for captures in userinfo.captures_iter(line) {
        if let Some(info) = captures.name("info") {
            let inside = cuts
                .iter()
                .any(|(r, _)| r.start <= info.start() && info.end() <= r.end);
            if !inside {
                cuts.push((info.range(), MASK.to_owned()));
            }
        }
    }
    cuts.sort_by_key(|(r, _)| r.start);
    let mut kept: Vec<(Range<usize>, String)> = Vec::with_capacity(cuts.len());
    for cut in cuts {
        if kept.last().is_none_or(|(last, _)| last.end <= cut.0.start) {
            kept.push(cut);
        }
    }
    let mut out = String::with_capacity(line.len());
    let mut at = 0;
    for (range, masked) in &kept {
        out.push_str(&line[at..range.start]);
        out.push_str(masked);
        at = range.end;
    }
    out.push_str(&line[at..]);
    let start = moved(span.start, &kept, false);
    let end = moved(span.end, &kept, true).max(start);
    Some((out, start..end))
}

/// Where position `p` of a line lands once `cuts` are masked: a position
/// inside a masked value moves to the start of its mask, or to its end for
/// the end of a span.
fn moved(p: usize, cuts: &[(Range<usize>, String)], is_end: bool) -> usize {
    let (mut added, mut removed) = (0, 0);
    for (range, masked) in cuts {
        if p <= range.start {
            break;
        }
        if p < range.end {
            let base = range.start + added - removed;
            return if is_end { base + masked.len() } else { base };
        }
        added += masked.len();
        removed += range.len();
    }
    p + added - removed
}

/// A long `line` cut to a window around `span`.
fn window(line: &str, span: Range<usize>) -> Snippet {
    let chars = line.chars().count();
    if chars <= WIDTH {
        return Snippet {
            text: line.to_owned(),
            span,
        };
    }
    let span_char = line[..span.start].chars().count();
    let first = span_char.saturating_sub(BEFORE).min(chars - WIDTH);
    let last = first + WIDTH;
    let byte = |c: usize| line.char_indices().nth(c).map_or(line.len(), |(i, _)| i);
    let (from, to) = (byte(first), byte(last));
    let prefix = if first > 0 { "..." } else { "" };
    let suffix = if last < chars { "..." } else { "" };
    let clip = |p: usize| p.clamp(from, to) - from + prefix.len();
    Snippet {
        text: format!("{prefix}{}{suffix}", &line[from..to]),
        span: clip(span.start)..clip(span.end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str, span: Range<usize>) -> (usize, usize, String, String) {
        let (line, column, snippet) = locate(text, span);
        let snippet = snippet.expect("a snippet");
        let under = &snippet.text[snippet.span.clone()];
        (line, column, snippet.text.clone(), under.to_owned())
    }

    #[test]
    fn a_span_gives_its_line_column_and_token() {
        let text = "a = 1\nlevel = \"MOST\"\n";
        let (line, column, shown_line, under) = shown(text, 14..20);
        assert_eq!((line, column), (2, 9));
        assert_eq!(shown_line, "level = \"MOST\"");
        assert_eq!(under, "\"MOST\"");
    }

    #[test]
    fn a_span_over_lines_stops_at_the_end_of_its_first() {
        let text = "x = [\r\n  1,\r\n]\r\n";
        let (line, column, shown_line, under) = shown(text, 0..text.len());
        assert_eq!((line, column), (1, 1));
        assert_eq!(shown_line, "x = [");
        assert_eq!(under, "x = [");
    }

    #[test]
    fn a_point_at_the_end_of_a_line_stands_under_a_blank() {
        let text = "[p]\npaths = [\"a\"\n";
        let (line, column, snippet) = locate(text, 16..17);
        let snippet = snippet.expect("a snippet");
        assert_eq!((line, column), (2, 13));
        assert_eq!(snippet.text, "paths = [\"a\" ");
        assert_eq!(snippet.span, 12..12);
    }

    #[test]
    fn columns_count_characters() {
        let text = "name = \"Čakovec\" # ü\nk = 1\n";
        let start = text.find('#').expect("a comment");
        let (_, column, _, under) = shown(text, start..start + 1);
        assert_eq!(column, 18);
        assert_eq!(under, "#");
    }

    #[test]
    fn secret_values_are_masked_and_the_span_follows() {
        let text = "[tenants.a]\ntoken = \"plain-secret\"\nresource = \"/x\"\n";
        let start = text.find("token").expect("token");
        let end = text.find("\"\nresource").expect("end") + 1;
        let (line, column, shown_line, under) = shown(text, start..end);
        assert_eq!((line, column), (2, 1));
        assert_eq!(shown_line, "token = \"***\"");
        assert_eq!(under, "token = \"***\"");
        let value = text.find("\"plain").expect("value");
        let (_, column, _, under) = shown(text, value + 3..value + 5);
        assert_eq!(column, 12, "the column is the file's");
        assert_eq!(
            under, "\"***\"",
            "a span inside a masked value covers the mask"
        );
    }

    #[test]
    fn places_of_secrets_are_kept_and_urls_lose_their_user_information() {
        let text = "a = { token_env = \"CITY_A\", url = \"https://ann:pw@h.example/x\", client_secret = 'z' }";
        let (_, _, shown_line, under) = shown(text, 6..text.len());
        assert_eq!(
            shown_line,
            "a = { token_env = \"CITY_A\", url = \"https://***@h.example/x\", client_secret = '***' }"
        );
        assert!(
            under.starts_with("token_env") && under.ends_with('}'),
            "{under}"
        );
        let json = "{\"apiKey\": \"k-123\", \"password\":42}";
        let (_, _, shown_line, _) = shown(json, 0..1);
        assert_eq!(shown_line, "{\"apiKey\": \"***\", \"password\":***}");
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let text = format!(
            "{{{}\"bad\": 1{}}}",
            "\"k\": 0, ".repeat(40),
            ", \"z\": 0".repeat(40)
        );
        let start = text.find("\"bad\"").expect("bad");
        let (_, column, shown_line, under) = shown(&text, start..start + 5);
        assert_eq!(column, start + 1);
        assert_eq!(under, "\"bad\"");
        assert!(shown_line.starts_with("...") && shown_line.ends_with("..."));
        assert_eq!(shown_line.chars().count(), WIDTH + 6);
    }

    #[test]
    fn points_and_ends_of_files_give_no_panic() {
        for (text, span) in [
            ("", 0..0),
            ("a\n", 2..2),
            ("a", 5..9),
            ("é", 1..1),
            ("x\n\n", 2..2),
        ] {
            let (line, column, snippet) = locate(text, span);
            assert!(line >= 1 && column >= 1);
            let snippet = snippet.expect("a snippet");
            assert!(
                snippet.span.start <= snippet.span.end && snippet.span.end <= snippet.text.len()
            );
        }
        assert_eq!(offset_of("ab\ncd\n", 2, 2), 4);
        assert_eq!(offset_of("ab\ncd\n", 2, 0), 3);
        assert_eq!(offset_of("ab\ncd\n", 9, 9), 6);
        assert_eq!(offset_of("ab", 1, 99), 2);
        assert_eq!(char_column("{\"é\": x}".as_bytes(), 8), Some(7));
        assert_eq!(char_column(b"x", 0), None);
        assert_eq!(char_column(b"x", 9), Some(2));
    }
}
