//! Redaction of secrets in evidence before it is shown to people: a
//! recorded request or response may carry credentials (an `Authorization`
//! header, a cookie, an API key), and no report may print one.

use serde_json::Value;

/// Placeholder for a removed value.
pub(super) const REDACTED: &str = "[redacted]";

/// Names (of JSON members or headers) whose values are secrets.
fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase().replace(['-', '_'], "");
    [
        "authorization",
        "proxyauthorization",
        "cookie",
        "setcookie",
        "password",
        "passwd",
        "secret",
        "clientsecret",
        "token",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "apikey",
        "xapikey",
        "privatekey",
    ]
    .iter()
    .any(|secret| name == *secret || name.ends_with(secret))
}

/// `value` with the value of every secret-named member replaced, at any
/// depth; header lists of `[name, value]` pairs are handled too.
pub(super) fn redact(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_secret_name(k) && !v.is_null() {
                        Value::String(REDACTED.to_owned())
                    } else {
                        redact(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => match items.as_slice() {
            [Value::String(name), secret] if is_secret_name(name) && !secret.is_null() => {
                Value::Array(vec![
                    Value::String(name.clone()),
                    Value::String(REDACTED.to_owned()),
                ])
            }
            _ => Value::Array(items.iter().map(redact).collect()),
        },
        Value::String(text) => Value::String(redact_text(text)),
        other => other.clone(),
    }
}

/// A raw header line (`Authorization: Bearer ...`) keeps its name, and a
/// URL keeps every query parameter but the values of secret-named ones
/// (`?api_key=...`, `&token=...`).
fn redact_text(text: &str) -> String {
    if let Some((name, _)) = text.split_once(':')
        && !name.contains(char::is_whitespace)
        && is_secret_name(name)
    {
        return format!("{name}: {REDACTED}");
    }
    let Some((base, query)) = text.split_once('?') else {
        return text.to_owned();
    };
    let (query, fragment) = match query.split_once('#') {
        Some((query, fragment)) => (query, Some(fragment)),
        None => (query, None),
    };
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_name(name) => format!("{name}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect();
    let mut out = format!("{base}?{}", pairs.join("&"));
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secrets_are_replaced_at_any_depth_and_other_values_kept() {
        let evidence = json!({
            "request": {
                "headers": { "Authorization": "Bearer abc", "Accept": "application/json" },
                "header_list": [["X-API-Key", "k-123"], ["Accept", "*/*"]],
            },
            "response": { "set-cookie": "sid=1", "body": { "access_token": "t", "kind": "email" } },
        });
        let clean = redact(&evidence);
        let text = clean.to_string();
        for secret in ["Bearer abc", "k-123", "sid=1", "\"t\""] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(clean["request"]["headers"]["Accept"], "application/json");
        assert_eq!(clean["response"]["body"]["kind"], "email");
        assert_eq!(clean["request"]["header_list"][1][1], "*/*");
    }

    #[test]
    fn header_lines_and_url_parameters_are_redacted_in_plain_strings() {
        let evidence = json!({
            "request": "GET https://city.example/v1/trips?limit=5&api_key=k-9&token=t-1#top",
            "raw": ["Authorization: Bearer abc", "Accept: */*"],
            "note": "ratio 3:1 kept",
        });
        let clean = redact(&evidence);
        assert_eq!(
            clean["request"],
            "GET https://city.example/v1/trips?limit=5&api_key=[redacted]&token=[redacted]#top"
        );
        assert_eq!(clean["raw"][0], "Authorization: [redacted]");
        assert_eq!(clean["raw"][1], "Accept: */*");
        assert_eq!(clean["note"], "ratio 3:1 kept");
    }
}
