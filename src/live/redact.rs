//! Redaction: every credential of the target is replaced by `[redacted]`
//! in whatever the audit keeps (messages, reasons, evidence), in case a
//! server echoes one back.

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
        let secrets = secrets
            .into_iter()
            .filter(|s| !s.expose().is_empty())
            .collect();
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
