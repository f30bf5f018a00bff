//! Whether a data answer serves personal data: the one reading the live
//! requirements about personal data share (authentication of an open API,
//! caching). A record is personal when a field its shared schema marks as
//! a direct identifier, a quasi-identifier or sensitive
//! (`x-governance.privacyRole`) holds a value. A record whose schema is
//! unknown cannot be told apart, and says so: it is never read as
//! non-personal.

use super::records;
use crate::payload::pipeline::{self, SchemaChoice};
use crate::schema::governance::{self, PrivacyRole};

/// What an answer's records are to privacy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Personal {
    /// The first personal field found: its record and pointer, and role.
    Yes {
        /// The record's number in the answer, from 1.
        record: usize,
        /// The field, as the record arrived.
        pointer: String,
        /// The role its schema gives it.
        role: PrivacyRole,
    },
    /// No record holds a value in a field marked personal.
    No,
    /// Some record could not be read against a schema; why.
    Unknown(String),
}

/// Reads the records of `body` (a JSON array, a GeoJSON FeatureCollection
/// or one object) against their schemas.
pub(crate) fn personal(
    body: &[u8],
    schemas: &SchemaChoice,
    endpoint_type: Option<&str>,
    declared: pipeline::Declared,
) -> Personal {
    let mut found = Personal::No;
    let mut number = 0;
    let read = records::each_record(body, |record| {
        number += 1;
        if !matches!(found, Personal::No) {
            return;
        }
        let adapted = match pipeline::adapt(record, declared) {
            Ok(adapted) => adapted,
            Err(why) => {
                found = Personal::Unknown(format!(
                    "could not tell whether the records are personal data: {why}"
                ));
                return;
            }
        };
        let schema = match schemas.for_record(&adapted.value, endpoint_type) {
            Ok(schema) => schema,
            Err(reason) => {
                found = Personal::Unknown(format!(
                    "could not tell whether the records are personal data: {reason}"
                ));
                return;
            }
        };
        for field in &schema.fields {
            let Some(role) = field.role.filter(|r| *r != PrivacyRole::None) else {
                continue;
            };
            let held = governance::values_at(&adapted.value, &field.path)
                .into_iter()
                .find(|(_, value)| !value.is_null());
            if let Some((pointer, _)) = held {
                found = Personal::Yes {
                    record: number,
                    pointer: adapted.original_pointer(&pointer),
                    role,
                };
                return;
            }
        }
    });
    match read {
        Ok(_) => found,
        Err(reason) => Personal::Unknown(format!(
            "could not tell whether the records are personal data: {reason}"
        )),
    }
}

/// `Personal` of an answer that is not a data answer (not 2xx): it served
/// nothing.
pub(crate) fn served_nothing(status: u16) -> Option<String> {
    (!(200..300).contains(&status)).then(|| format!("answered {status}: no records were served"))
}

/// The role's words in a message.
pub(crate) fn role_words(role: PrivacyRole) -> &'static str {
    match role {
        PrivacyRole::DirectIdentifier => "a direct identifier",
        PrivacyRole::QuasiIdentifier => "a quasi-identifier",
        PrivacyRole::Sensitive => "sensitive",
        PrivacyRole::None => "not personal",
    }
}
