//! Identifier values in a recording (`audit --record`), replaced by their
//! placeholders (`[phone-kr]`, `[email]`) as every report shows them, so
//! that a recording can be attached to a ticket: a body's values and
//! member names, a header's value, the path and query of a URL a server
//! wrote (a collection ID, a `next` link). The scheme and host of a URL,
//! which the user named, are kept. A string that still holds an identifier
//! once its parts are hidden is replaced whole: nothing shown is preferred
//! to something revealed.
//!
//! The detectors report no span (`Detection` holds no part of the text),
//! so text is hidden part by part: a JSON value whole, free text token by
//! token, a URL segment by segment (percent-decoded before it is scanned).

use serde_json::{Map, Value};

use crate::detect::placeholder;

/// What separates the tokens of free text (a header's value, a body that
/// is not JSON): a token that holds an identifier is hidden whole.
fn separates_text(c: char) -> bool {
    c.is_whitespace() || "<>\"'(),;[]{}".contains(c)
}

/// What separates the parts of a URL's path and query.
fn separates_url(c: char) -> bool {
    "/?&=#;,+".contains(c)
}

/// `text`, the value of `member` (context for the detectors, as in a
/// record), with every token that holds an identifier replaced by its
/// placeholder, and every URL in it hidden as [`url`] does.
pub(crate) fn text(member: Option<&str>, text: &str) -> String {
    if placeholder::of_value(member, text).is_none() {
        return text.to_owned();
    }
    let mut shown = String::with_capacity(text.len());
    // What is left once the hosts of URLs are set aside: the user named
    // those, and an IP address there is not data.
    let mut checked = String::with_capacity(text.len());
    for (token, separator) in pieces(text, separates_text) {
        if token.contains("://") {
            let hidden = url(token);
            checked.push_str(&hidden[origin_end(&hidden)..]);
            shown.push_str(&hidden);
        } else {
            let hidden = placeholder::of_value(member, token).unwrap_or_else(|| token.to_owned());
            checked.push_str(&hidden);
            shown.push_str(&hidden);
        }
        if let Some(separator) = separator {
            shown.push(separator);
            checked.push(separator);
        }
    }
    match placeholder::of_value(member, &checked) {
        // An identifier written across tokens (`010 1234 5678`).
        Some(found) => found,
        None => shown,
    }
}

/// `text` cut at every character `separates` accepts: each token with the
/// separator after it (none after the last).
fn pieces(text: &str, separates: fn(char) -> bool) -> Vec<(&str, Option<char>)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if separates(c) {
            out.push((&text[start..i], Some(c)));
            start = i + c.len_utf8();
        }
    }
    out.push((&text[start..], None));
    out
}

/// Where the scheme and host of `url` end (its path starts), or the end of
/// the text when it has no path.
fn origin_end(url: &str) -> usize {
    let Some(scheme) = url.find("://") else {
        return 0;
    };
    let after = scheme + 3;
    url[after..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| after + i)
}

/// `url` with every part of its path and query that holds an identifier
/// replaced by its placeholder (a query value read with its name as
/// context); its scheme and host kept.
pub(crate) fn url(url: &str) -> String {
    let at = origin_end(url);
    let (origin, rest) = url.split_at(at);
    if rest.is_empty() {
        return url.to_owned();
    }
    let mut shown = String::with_capacity(url.len());
    let mut previous: Option<&str> = None;
    let mut after_equals = false;
    for (part, separator) in pieces(rest, separates_url) {
        let decoded = percent_decoded(part);
        let member = previous.filter(|_| after_equals);
        let hidden =
            placeholder::of_value(member, &decoded).or_else(|| placeholder::of_value(member, part));
        shown.push_str(hidden.as_deref().unwrap_or(part));
        if let Some(separator) = separator {
            shown.push(separator);
        }
        after_equals = separator == Some('=');
        previous = Some(part);
    }
    match placeholder::of_value(None, &percent_decoded(&shown)) {
        Some(found) => format!("{origin}/{found}"),
        None => format!("{origin}{shown}"),
    }
}

/// `%XX` escapes decoded (RFC 3986 §2.1), as the server reads them; an
/// escape that is not one, or bytes that are not UTF-8, are kept as
/// written or replaced, which only widens what is scanned.
fn percent_decoded(part: &str) -> String {
    if !part.contains('%') {
        return part.to_owned();
    }
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied(),
            bytes.get(i + 2).copied(),
        ) {
            (b'%', Some(high), Some(low)) if hex(high).is_some() && hex(low).is_some() => {
                let value = hex(high).unwrap_or(0) * 16 + hex(low).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A body as it may be recorded: a JSON body with every value and member
/// name that holds an identifier replaced (a number by its placeholder
/// string), written compactly; any other text hidden as free text.
pub(crate) fn body(text_body: &str) -> String {
    match serde_json::from_str::<Value>(text_body) {
        Ok(value) => value_of(None, value).to_string(),
        Err(_) => text(None, text_body),
    }
}

/// `value` under `member`, hidden.
fn value_of(member: Option<&str>, value: Value) -> Value {
    match value {
        Value::String(s) if s.starts_with("http://") || s.starts_with("https://") => {
            Value::String(url(&s))
        }
        Value::String(s) => Value::String(text(member, &s)),
        Value::Number(n) => match placeholder::of_value(member, &n.to_string()) {
            Some(found) => Value::String(found),
            None => Value::Number(n),
        },
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|v| value_of(member, v)).collect())
        }
        Value::Object(map) => Value::Object(object(map)),
        other => other,
    }
}

/// An object's members hidden, and each name that holds an identifier
/// shown as its placeholder (numbered when two names hide alike, so that
/// no member is lost).
fn object(map: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, value) in map {
        let hidden = value_of(Some(&name), value);
        let mut shown = placeholder::shown(&name).into_owned();
        let mut n = 1;
        while out.contains_key(&shown) {
            n += 1;
            shown = format!("{} {n}", placeholder::shown(&name));
        }
        out.insert(shown, hidden);
    }
    out
}

/// Every string of a whole recording hidden once more, so that no path
/// around the parts can leak: `url` and `redirectURL` members as URLs,
/// every other string as text.
pub(crate) fn document(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(name, value)| {
                    let value = match value {
                        Value::String(s) if name == "url" || name == "redirectURL" => {
                            Value::String(url(&s))
                        }
                        other => document(other),
                    };
                    (name, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(document).collect()),
        Value::String(s) => Value::String(text(None, &s)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_url_keeps_its_host_and_hides_its_identifiers() {
        let hidden =
            url("http://127.0.0.1:8080/items?owner=kim%40example.org&limit=5&phone=010-2345-6789");
        assert_eq!(
            hidden,
            "http://127.0.0.1:8080/items?owner=[email]&limit=5&phone=[phone-kr]"
        );
        assert_eq!(url("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }

    #[test]
    fn a_json_body_hides_values_names_and_numbers() {
        let body = json!({
            "contact": {"email": "kim@example.org", "telephone": "010-2345-6789"},
            "010-9876-5432": "owner",
            "links": [{"rel": "next", "href": "http://127.0.0.1:9/items?cursor=kim%40example.org"}],
            "status": "free",
            "count": 3
        })
        .to_string();
        let hidden = body_text(&body);
        for value in [
            "kim@example.org",
            "010-2345-6789",
            "010-9876-5432",
            "kim%40example.org",
        ] {
            assert!(!hidden.contains(value), "{value}: {hidden}");
        }
        for kept in [
            "\"free\"",
            "\"count\":3",
            "127.0.0.1:9",
            "[email]",
            "[phone-kr]",
        ] {
            assert!(hidden.contains(kept), "{kept}: {hidden}");
        }
    }

    fn body_text(text: &str) -> String {
        body(text)
    }

    #[test]
    fn free_text_is_hidden_token_by_token_or_whole() {
        assert_eq!(
            text(None, "call 010-2345-6789 or write to kim@example.org"),
            "call [phone-kr] or write to [email]"
        );
        assert_eq!(text(None, "nothing here"), "nothing here");
        let link = "<http://127.0.0.1:9/items?page=2>; rel=\"next\"";
        assert_eq!(text(Some("link"), link), link);
    }

    #[test]
    fn two_names_that_hide_alike_are_both_kept() {
        let hidden = body(&json!({"a@example.org": 1, "b@example.org": 2}).to_string());
        let value: Value = serde_json::from_str(&hidden).expect("JSON");
        assert_eq!(value.as_object().map(Map::len), Some(2), "{hidden}");
    }
}
