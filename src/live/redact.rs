//! Redaction: every credential of the target is replaced by `[redacted]`
//! in whatever the audit keeps (messages, reasons, pointers, evidence), in
//! case a server echoes one back: the credential as it is and every form
//! it travels or is echoed in (percent- and form-encoded, escaped as a
//! JSON pointer segment, base64 as in HTTP Basic).

use serde_json::Value;

use super::target::Secret;

/// Scrubs known secrets from text.
#[derive(Debug, Clone)]
pub(crate) struct Redactor {
    secrets: Vec<Secret>,
}

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

impl Redactor {
    pub(crate) fn new(secrets: Vec<Secret>) -> Self {
        // Empty secrets would match everywhere; the loader refuses them,
        // and this keeps the redactor safe on its own.
        let mut forms: Vec<String> = secrets
            .iter()
            .filter(|s| !s.expose().is_empty())
            .flat_map(|s| derived_forms(s.expose()))
            .collect();
        // Longest first, so that a form containing another is replaced whole.
        forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        forms.dedup();
        let secrets = forms.into_iter().map(Secret::new).collect();
        Redactor { secrets }
    }

    /// `text` with every secret replaced. Should a secret still show after
    /// the replacements (one formed across a replacement's edge), the whole
    /// text is withheld: a lost message is better than a leaked credential.
    pub(crate) fn scrub(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for secret in &self.secrets {
            if out.contains(secret.expose()) {
                out = out.replace(secret.expose(), REDACTED);
            }
        }
        if self.secrets.iter().any(|s| out.contains(s.expose())) {
            return REDACTED.to_owned();
        }
        out
    }

    /// `value` with every secret replaced in every string and key.
    pub(crate) fn scrub_value(&self, value: Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.scrub(&s)),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|v| self.scrub_value(v)).collect())
            }
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (self.scrub(&k), self.scrub_value(v)))
                    .collect(),
            ),
            other => other,
        }
    }
}

/// `secret` and the forms a server may echo it in: percent-encoded (upper
/// and lower case hex), form-encoded, escaped as a JSON pointer segment,
/// and base64 (standard and URL-safe, with and without padding), as an
/// HTTP Basic credential carries `client_id:secret`.
fn derived_forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_owned()];
    let percent = percent_encode(secret, false);
    forms.push(lower_case_escapes(&percent));
    forms.push(percent_encode(secret, true));
    forms.push(percent);
    forms.push(secret.replace('~', "~0").replace('/', "~1"));
    for url_safe in [false, true] {
        let b64 = super::http::base64(secret.as_bytes(), url_safe);
        forms.push(b64.trim_end_matches('=').to_owned());
        forms.push(b64);
    }
    forms.retain(|f| !f.is_empty());
    forms
}

/// Every byte outside the unreserved set as `%XX`; a space as `+` in form
/// encoding.
fn percent_encode(text: &str, form: bool) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(byte));
            }
            b' ' if form => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `text` with the hex digits of its `%XX` escapes in lower case.
fn lower_case_escapes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut escape = 0;
    for c in text.chars() {
        if c == '%' {
            escape = 2;
            out.push(c);
        } else if escape > 0 {
            escape -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vacuity::{Reached, check};
    use quickcheck::TestResult;
    use serde_json::json;

    /// No secret survives scrubbing, whatever the text around it (secrets
    /// that are part of the marker itself aside).
    #[test]
    fn no_secret_survives() {
        static REACHED: Reached = Reached::new();
        fn property(text: String, secret: String, at: usize) -> TestResult {
            if secret.is_empty() || REDACTED.contains(secret.as_str()) {
                return TestResult::discard();
            }
            REACHED.hit();
            let mut text = text;
            let mut cut = at % (text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.insert_str(cut, &secret);
            let redactor = Redactor::new(vec![Secret::new(secret.clone())]);
            TestResult::from_bool(!redactor.scrub(&text).contains(&secret))
        }
        check(
            100,
            &REACHED,
            property as fn(String, String, usize) -> TestResult,
        );
    }

    #[test]
    fn a_secret_formed_across_the_marker_withholds_the_text() {
        let redactor = Redactor::new(vec![Secret::new("]a")]);
        assert_eq!(redactor.scrub("x]]aa"), REDACTED);
    }

    #[test]
    fn derived_forms_are_scrubbed() {
        let redactor = Redactor::new(vec![
            Secret::new("s3cr/t~ key"),
            Secret::new("client-a:s3cr/t~ key"),
        ]);
        for form in [
            "s3cr%2Ft~%20key",
            "s3cr%2ft~%20key",
            "s3cr%2Ft~+key",
            "s3cr~1t~0 key",
            "Y2xpZW50LWE6czNjci90fiBrZXk=",
            "Y2xpZW50LWE6czNjci90fiBrZXk",
        ] {
            let text = format!("echo: {form}!");
            assert_eq!(redactor.scrub(&text), "echo: [redacted]!", "{form}");
        }
    }

    #[test]
    fn secrets_are_scrubbed_everywhere() {
        let redactor = Redactor::new(vec![Secret::new("tok-123"), Secret::new("")]);
        assert_eq!(redactor.scrub("Bearer tok-123!"), "Bearer [redacted]!");
        let value = json!({ "a": ["x tok-123"], "tok-123": 1 });
        assert_eq!(
            redactor.scrub_value(value),
            json!({ "a": ["x [redacted]"], "[redacted]": 1 })
        );
    }
}
