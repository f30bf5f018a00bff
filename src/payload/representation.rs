//! Representations: the forms a record can arrive in, and the adapters that
//! turn each into the key-values form the shared schemas describe.
//!
//! Every adapter keeps a pointer map, so that a finding on the adapted
//! record names the member the sender wrote: a coordinate finding on an
//! NGSI-LD normalized record points at `/location/value/coordinates/0`.
//! A record whose form cannot be told, or does not match the declared one,
//! is not adapted: the checks that read it could not be checked
//! ([`Unadaptable`]), rather than pass or not apply on a misread record.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

/// The forms a record can arrive in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Representation {
    /// Members are the entity's attributes, values as they are: the form
    /// the shared schemas describe.
    KeyValues,
    /// A GeoJSON Feature: `properties` are the attributes, `geometry` the
    /// location, `id` the identifier.
    GeoJsonFeature,
    /// NGSI-LD normalized: every attribute is a `Property`, `GeoProperty`,
    /// `Relationship`, `LanguageProperty` (or other NGSI-LD attribute type)
    /// object.
    NgsiLdNormalized,
    /// NGSI-LD concise: attributes without their `type`, as a bare value or
    /// a `value` / `object` / `languageMap` object with sub-properties.
    NgsiLdConcise,
    /// NGSI-v2 normalized: every attribute is `{"type", "value",
    /// "metadata"}`.
    NgsiV2Normalized,
}

/// What a run says about the records' form: told from each record's
/// content, or declared (`--representation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Declared {
    /// Told from each record's content.
    #[default]
    Auto,
    /// Every record is in this form.
    Is(Representation),
}

impl Representation {
    /// Every form, with the one name `--representation`, a target's
    /// `representation` and `cityconform.toml` give it.
    pub const ALL: [(Representation, &'static str); 5] = [
        (Representation::KeyValues, "key-values"),
        (Representation::NgsiLdNormalized, "ngsi-ld-normalized"),
        (Representation::NgsiLdConcise, "ngsi-ld-concise"),
        (Representation::NgsiV2Normalized, "ngsi-v2-normalized"),
        (Representation::GeoJsonFeature, "geojson"),
    ];

    /// The form's name, as [`Representation::ALL`] gives it.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(form, _)| *form == self)
            .map_or("key-values", |(_, name)| name)
    }
}

/// Other spellings of a name, each with the name it stands for: `validate
/// --representation` first said `geojson-feature`, and files that say so
/// keep working.
pub const ALIASES: &[(&str, &str)] = &[("geojson-feature", "geojson")];

impl FromStr for Declared {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "auto" {
            return Ok(Declared::Auto);
        }
        let name = ALIASES
            .iter()
            .find(|(alias, _)| *alias == text)
            .map_or(text, |(_, name)| name);
        Representation::ALL
            .iter()
            .find(|(_, known)| *known == name)
            .map(|(form, _)| Declared::Is(*form))
            .ok_or_else(|| {
                format!(
                    "`{text}` is not a representation; use one of {}",
                    Declared::names()
                )
            })
    }
}

impl Declared {
    /// What a representation name may be, in one line: the same in
    /// `--help`, in the target and configuration schemas' descriptions and
    /// in the README (a unit test holds it to [`Representation::ALL`] and
    /// [`ALIASES`]).
    pub const HELP: &'static str = "The records' representation: auto (told from each record's content), key-values, ngsi-ld-normalized, ngsi-ld-concise, ngsi-v2-normalized, or geojson (each GeoJSON Feature a record, a FeatureCollection read feature by feature; geojson-feature is another spelling of geojson).";

    /// Every name there is, for a message refusing another: `auto`, the
    /// forms' names and the other spellings.
    pub fn names() -> String {
        let mut names = vec!["auto".to_owned()];
        names.extend(Representation::ALL.iter().map(|(_, n)| (*n).to_owned()));
        let aliases: Vec<String> = ALIASES
            .iter()
            .map(|(alias, name)| format!("{alias} (another spelling of {name})"))
            .collect();
        format!("{}; or {}", names.join(", "), aliases.join(", "))
    }
}

impl fmt::Display for Representation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Representation::KeyValues => "key-values",
            Representation::GeoJsonFeature => "GeoJSON Feature",
            Representation::NgsiLdNormalized => "NGSI-LD normalized",
            Representation::NgsiLdConcise => "NGSI-LD concise",
            Representation::NgsiV2Normalized => "NGSI-v2 normalized",
        })
    }
}

/// Why a record could not be adapted: its form could not be told, or it
/// does not match the declared form. Names members and forms, never
/// values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unadaptable(pub String);

impl fmt::Display for Unadaptable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A record in the form the checks read, the form it arrived in, and where
/// its members came from.
#[derive(Debug)]
pub struct Adapted {
    /// The record as the shared schemas describe it.
    pub value: Value,
    /// What it arrived as.
    pub representation: Representation,
    /// Pointer prefixes of the adapted record and where each was in the
    /// record as it arrived; the longest matching prefix wins.
    moved: Vec<(String, String)>,
}

impl Adapted {
    fn as_is(value: Value) -> Self {
        Adapted {
            value,
            representation: Representation::KeyValues,
            moved: Vec::new(),
        }
    }

    /// Where `pointer` into the adapted record points in the record as it
    /// arrived, so that a finding names the member the sender wrote.
    pub fn original_pointer(&self, pointer: &str) -> String {
        if pointer.is_empty() {
            // The whole record is the whole record as it arrived.
            return String::new();
        }
        self.moved
            .iter()
            .filter(|(adapted, _)| starts_with_segments(pointer, adapted))
            .max_by_key(|(adapted, _)| adapted.len())
            .map_or_else(
                || pointer.to_owned(),
                |(adapted, original)| format!("{original}{}", &pointer[adapted.len()..]),
            )
    }
}

/// Whether `pointer` is `prefix` or lies under it, segment by segment
/// (`/locationName` is not under `/location`).
fn starts_with_segments(pointer: &str, prefix: &str) -> bool {
    pointer
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// An attribute's name as a message shows it: a member name is data too,
/// so one that could hold an identifier (many digits, `@`, `.`, anything
/// beyond ASCII letters, digits, `_`, `-` and `:`, or a long one) is not
/// repeated.
fn shown(name: &str) -> String {
    let plain = name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':'))
        && name.chars().filter(char::is_ascii_digit).count() <= 3;
    if plain {
        format!("`/{name}`")
    } else {
        "(its name is not shown: it may hold an identifier)".to_owned()
    }
}

/// A member name as a JSON pointer segment (RFC 6901 §3).
fn segment(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// Turns a record as it arrived into the form the shared schemas describe,
/// its form told from its content or `declared`.
pub fn adapt(value: Value, declared: Declared) -> Result<Adapted, Unadaptable> {
    let Value::Object(map) = value else {
        // Not an entity in any form: the schema check says what is wrong.
        return Ok(Adapted::as_is(value));
    };
    let form = match declared {
        Declared::Is(form) => form,
        Declared::Auto => detect(&map)?,
    };
    match form {
        Representation::KeyValues => Ok(Adapted::as_is(Value::Object(map))),
        Representation::GeoJsonFeature if is_feature(&map) => Ok(feature(map)),
        Representation::GeoJsonFeature => Err(Unadaptable(
            "the record was declared a GeoJSON Feature but has no `type` \"Feature\" with `geometry` and `properties`; declare its representation with --representation".to_owned(),
        )),
        Representation::NgsiLdNormalized | Representation::NgsiLdConcise => ngsi_ld(map, form),
        Representation::NgsiV2Normalized => ngsi_v2(map),
    }
}

/// Members every representation writes as they are.
const ENTITY_MEMBERS: &[&str] = &["id", "type"];

/// NGSI-LD attribute types, each with the member holding its value.
const LD_TYPES: &[(&str, &str)] = &[
    ("Property", "value"),
    ("GeoProperty", "value"),
    ("Relationship", "object"),
    ("LanguageProperty", "languageMap"),
    ("VocabProperty", "vocab"),
    ("ListProperty", "valueList"),
    ("JsonProperty", "json"),
    ("ListRelationship", "objectList"),
];

/// How one attribute is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// An NGSI-LD attribute object with its `type`.
    LdTyped,
    /// `{"type", "value"(, "metadata")}` with a type NGSI-LD does not use.
    V2,
    /// A bare value (or an object that is none of the above).
    Plain,
}

fn shape(value: &Value) -> Shape {
    let Value::Object(attribute) = value else {
        return Shape::Plain;
    };
    let Some(Value::String(kind)) = attribute.get("type") else {
        return Shape::Plain;
    };
    if LD_TYPES.iter().any(|(name, _)| name == kind) {
        Shape::LdTyped
    } else if attribute.contains_key("value")
        && attribute
            .keys()
            .all(|k| matches!(k.as_str(), "type" | "value" | "metadata"))
    {
        Shape::V2
    } else {
        Shape::Plain
    }
}

/// Members that hold an NGSI-LD attribute's value, by attribute type.
const LD_VALUE_MEMBERS: &[&str] = &[
    "value",
    "object",
    "languageMap",
    "vocab",
    "valueList",
    "json",
    "objectList",
];

/// An NGSI-LD concise attribute written as an object: no `type`, but a
/// member that holds its value.
fn is_concise_attribute(value: &Value) -> bool {
    value.as_object().is_some_and(|attribute| {
        !attribute.contains_key("type")
            && LD_VALUE_MEMBERS.iter().any(|m| attribute.contains_key(*m))
    })
}

/// The attributes of an entity: every member but its identity and context.
fn attributes(map: &Map<String, Value>) -> impl Iterator<Item = (&String, &Value)> {
    map.iter()
        .filter(|(k, _)| !ENTITY_MEMBERS.contains(&k.as_str()) && k.as_str() != "@context")
}

/// The form of a record, told from its content. Key-values unless its
/// attributes say otherwise; NGSI-LD and NGSI-v2 attribute objects in one
/// record, or NGSI-v2 attribute objects beside bare values, cannot be
/// told apart from a key-values record holding such objects, and are
/// refused.
fn detect(map: &Map<String, Value>) -> Result<Representation, Unadaptable> {
    if is_feature(map) {
        return Ok(Representation::GeoJsonFeature);
    }
    let shapes: Vec<Shape> = attributes(map).map(|(_, v)| shape(v)).collect();
    let count = |wanted: Shape| shapes.iter().filter(|s| **s == wanted).count();
    let (ld, v2, plain) = (count(Shape::LdTyped), count(Shape::V2), count(Shape::Plain));
    match (ld > 0, v2 > 0) {
        (true, true) => Err(ambiguous(
            "it mixes NGSI-LD attributes with NGSI-v2 `type`/`value` objects",
        )),
        (true, false) if plain == 0 => Ok(Representation::NgsiLdNormalized),
        (true, false) => Ok(Representation::NgsiLdConcise),
        (false, true) if plain == 0 => Ok(Representation::NgsiV2Normalized),
        (false, true) => Err(ambiguous(
            "some attributes are NGSI-v2 `type`/`value` objects and others bare values",
        )),
        (false, false)
            if map.contains_key("@context")
                && attributes(map).any(|(_, v)| is_concise_attribute(v)) =>
        {
            Ok(Representation::NgsiLdConcise)
        }
        (false, false) => Ok(Representation::KeyValues),
    }
}

fn ambiguous(why: &str) -> Unadaptable {
    Unadaptable(format!(
        "the record's representation cannot be told: {why}; declare it with --representation ({})",
        Representation::ALL.map(|(_, name)| name).join(", ")
    ))
}

/// The adapted record being built, with its pointer map.
struct Builder {
    record: Map<String, Value>,
    moved: Vec<(String, String)>,
}

impl Builder {
    fn new() -> Self {
        Builder {
            record: Map::new(),
            moved: Vec::new(),
        }
    }

    /// Adds `name` whose value was at `original` in the record as it
    /// arrived.
    fn put(&mut self, name: &str, value: Value, original: String) {
        let adapted = format!("/{}", segment(name));
        if adapted != original {
            self.moved.push((adapted, original));
        }
        self.record.insert(name.to_owned(), value);
    }

    fn done(self, representation: Representation) -> Adapted {
        Adapted {
            value: Value::Object(self.record),
            representation,
            moved: self.moved,
        }
    }
}

/// NGSI-LD normalized or concise: each attribute becomes its value; its
/// `observedAt`, `unitCode` and sub-properties are metadata, left out;
/// `@context` is left out. Normalized form requires every attribute to be
/// typed.
fn ngsi_ld(map: Map<String, Value>, form: Representation) -> Result<Adapted, Unadaptable> {
    let mut built = Builder::new();
    for (name, attribute) in map {
        let at = format!("/{}", segment(&name));
        if name == "@context" {
            continue;
        }
        if ENTITY_MEMBERS.contains(&name.as_str()) {
            built.put(&name, attribute, at);
            continue;
        }
        let (value, inner) = ld_value(attribute, form).map_err(|why| {
            Unadaptable(format!(
                "attribute {} {why} in {form} form; declare the record's representation with --representation",
                shown(&name)
            ))
        })?;
        let (value, inner) = unwrap_typed_literal(value, inner);
        built.put(&name, value, format!("{at}{inner}"));
    }
    Ok(built.done(form))
}

/// The value of one NGSI-LD attribute, and the pointer suffix it was at.
fn ld_value(attribute: Value, form: Representation) -> Result<(Value, String), &'static str> {
    let Value::Object(mut object) = attribute else {
        return match form {
            Representation::NgsiLdConcise => Ok((attribute, String::new())),
            _ => Err("is not an NGSI-LD attribute object"),
        };
    };
    let member = match object.get("type").and_then(Value::as_str) {
        Some(kind) => LD_TYPES.iter().find(|(name, _)| *name == kind).map(|t| t.1),
        None => None,
    };
    let member = match (member, form) {
        (Some(member), _) => member,
        (None, Representation::NgsiLdConcise) => {
            match LD_VALUE_MEMBERS.iter().find(|m| object.contains_key(**m)) {
                Some(member) => member,
                // A GeoJSON geometry or other structured value, written bare.
                None => return Ok((Value::Object(object), String::new())),
            }
        }
        (None, _) => return Err("has no NGSI-LD attribute `type`"),
    };
    match object.remove(member) {
        Some(value) => Ok((value, format!("/{member}"))),
        None => Err("has no member holding its value"),
    }
}

/// A JSON-LD typed literal (`{"@type": "DateTime", "@value": …}`) as its
/// `@value`.
fn unwrap_typed_literal(value: Value, at: String) -> (Value, String) {
    match value {
        Value::Object(mut object) if object.contains_key("@value") && object.len() <= 2 => {
            let inner = object.remove("@value").unwrap_or(Value::Null);
            (inner, format!("{at}/@value"))
        }
        other => (other, at),
    }
}

/// NGSI-v2 normalized: each attribute becomes its `value` (a `geo:json`
/// value is GeoJSON already); `metadata` is left out.
fn ngsi_v2(map: Map<String, Value>) -> Result<Adapted, Unadaptable> {
    let mut built = Builder::new();
    for (name, attribute) in map {
        let at = format!("/{}", segment(&name));
        if ENTITY_MEMBERS.contains(&name.as_str()) {
            built.put(&name, attribute, at);
            continue;
        }
        let value = match attribute {
            Value::Object(mut object) if object.contains_key("value") => {
                object.remove("value").unwrap_or(Value::Null)
            }
            _ => {
                return Err(Unadaptable(format!(
                    "attribute {} is not an NGSI-v2 `type`/`value` object; declare the record's representation with --representation",
                    shown(&name)
                )));
            }
        };
        built.put(&name, value, format!("{at}/value"));
    }
    Ok(built.done(Representation::NgsiV2Normalized))
}

/// Whether `value` is a GeoJSON Feature: `type` is `Feature`, with
/// `geometry` and `properties` members (RFC 7946 §3.2).
fn is_feature(value: &Map<String, Value>) -> bool {
    value.get("type").and_then(Value::as_str) == Some("Feature")
        && value.contains_key("geometry")
        && value.contains_key("properties")
}

/// A GeoJSON Feature as its properties, with its geometry as `location`
/// and its `id` as the record's, where the properties do not already name
/// them.
fn feature(mut feature: Map<String, Value>) -> Adapted {
    let mut record = match feature.remove("properties") {
        Some(Value::Object(properties)) => properties,
        _ => Map::new(),
    };
    let mut moved = vec![(String::new(), "/properties".to_owned())];
    let geometry = feature.remove("geometry").filter(|g| !g.is_null());
    if let Some(geometry) = geometry.filter(|_| !record.contains_key("location")) {
        record.insert("location".to_owned(), geometry);
        moved.push(("/location".to_owned(), "/geometry".to_owned()));
    }
    let id = feature.remove("id");
    if let Some(id) = id.filter(|_| !record.contains_key("id")) {
        record.insert("id".to_owned(), id);
        moved.push(("/id".to_owned(), "/id".to_owned()));
    }
    Adapted {
        value: Value::Object(record),
        representation: Representation::GeoJsonFeature,
        moved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn auto(value: Value) -> Adapted {
        adapt(value, Declared::Auto).expect("adaptable")
    }

    #[test]
    fn ngsi_ld_normalized_attributes_become_their_values() {
        let adapted = auto(json!({
            "@context": "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
            "id": "urn:ngsi-ld:MobilityTrip:1",
            "type": "MobilityTrip",
            "startTime": {"type": "Property", "value": {"@type": "DateTime", "@value": "2025-03-04T08:15:00Z"}, "observedAt": "2025-03-04T09:00:00Z"},
            "location": {"type": "GeoProperty", "value": {"type": "Point", "coordinates": [1.5, 2.5]}},
            "refVehicle": {"type": "Relationship", "object": "urn:ngsi-ld:Vehicle:1"},
            "name": {"type": "LanguageProperty", "languageMap": {"en": "a", "ko": "b"}},
            "distance": {"type": "Property", "value": 3, "unitCode": "MTR", "accuracy": {"type": "Property", "value": 1}}
        }));
        assert_eq!(adapted.representation, Representation::NgsiLdNormalized);
        assert_eq!(
            adapted.value,
            json!({
                "id": "urn:ngsi-ld:MobilityTrip:1",
                "type": "MobilityTrip",
                "startTime": "2025-03-04T08:15:00Z",
                "location": {"type": "Point", "coordinates": [1.5, 2.5]},
                "refVehicle": "urn:ngsi-ld:Vehicle:1",
                "name": {"en": "a", "ko": "b"},
                "distance": 3
            })
        );
        for (adapted_pointer, original) in [
            ("/location/coordinates/0", "/location/value/coordinates/0"),
            ("/startTime", "/startTime/value/@value"),
            ("/refVehicle", "/refVehicle/object"),
            ("/name/en", "/name/languageMap/en"),
            ("/id", "/id"),
            ("", ""),
        ] {
            assert_eq!(adapted.original_pointer(adapted_pointer), original);
        }
    }

    #[test]
    fn ngsi_ld_concise_values_may_be_bare_or_wrapped() {
        let adapted = auto(json!({
            "@context": "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
            "id": "urn:x:1",
            "type": "ParkingSpot",
            "status": "free",
            "location": {"type": "Point", "coordinates": [1.5, 2.5]},
            "distance": {"value": 3, "unitCode": "MTR"},
            "refSite": {"object": "urn:x:2"}
        }));
        assert_eq!(adapted.representation, Representation::NgsiLdConcise);
        assert_eq!(adapted.value["location"]["coordinates"], json!([1.5, 2.5]));
        assert_eq!(adapted.value["distance"], json!(3));
        assert_eq!(adapted.value["refSite"], json!("urn:x:2"));
        assert_eq!(adapted.original_pointer("/distance"), "/distance/value");
        assert_eq!(adapted.original_pointer("/status"), "/status");
        assert_eq!(
            adapted.original_pointer("/location/coordinates/1"),
            "/location/coordinates/1"
        );
    }

    #[test]
    fn ngsi_v2_normalized_attributes_become_their_values() {
        let adapted = auto(json!({
            "id": "x",
            "type": "AirQualityObserved",
            "NO2": {"type": "Number", "value": 22, "metadata": {"unitCode": {"type": "Text", "value": "GQ"}}},
            "location": {"type": "geo:json", "value": {"type": "Point", "coordinates": [1.5, 2.5]}},
            "dateObserved": {"type": "DateTime", "value": "2025-03-04T08:15:00Z"}
        }));
        assert_eq!(adapted.representation, Representation::NgsiV2Normalized);
        assert_eq!(
            adapted.value,
            json!({
                "id": "x",
                "type": "AirQualityObserved",
                "NO2": 22,
                "location": {"type": "Point", "coordinates": [1.5, 2.5]},
                "dateObserved": "2025-03-04T08:15:00Z"
            })
        );
        assert_eq!(
            adapted.original_pointer("/location/coordinates/0"),
            "/location/value/coordinates/0"
        );
        assert_eq!(adapted.original_pointer("/NO2"), "/NO2/value");
    }

    #[test]
    fn key_values_pass_as_they_are() {
        let record = json!({
            "id": "x",
            "type": "ParkingSpot",
            "location": {"type": "Point", "coordinates": [1.5, 2.5]},
            "status": "free"
        });
        let adapted = auto(record.clone());
        assert_eq!(adapted.representation, Representation::KeyValues);
        assert_eq!(adapted.value, record);
        assert_eq!(adapted.original_pointer("/location"), "/location");
    }

    #[test]
    fn a_record_whose_form_cannot_be_told_is_refused_without_its_values() {
        for record in [
            json!({"type": "T", "a": {"type": "Property", "value": "secret-1"}, "b": {"type": "Number", "value": 1}}),
            json!({"type": "T", "a": {"type": "Number", "value": 1}, "b": "secret-1"}),
        ] {
            let why = adapt(record, Declared::Auto).expect_err("ambiguous");
            assert!(why.0.contains("--representation"), "{why}");
            assert!(!why.0.contains("secret-1"), "{why}");
        }
    }

    #[test]
    fn a_record_that_does_not_match_its_declared_form_is_refused() {
        let record = json!({"id": "x", "type": "T", "status": "free"});
        for form in [
            Representation::NgsiLdNormalized,
            Representation::NgsiV2Normalized,
            Representation::GeoJsonFeature,
        ] {
            let why = adapt(record.clone(), Declared::Is(form)).expect_err("mismatch");
            assert!(why.0.contains("--representation"), "{why}");
            assert!(!why.0.contains("free"), "{why}");
        }
    }

    #[test]
    fn a_member_name_that_may_hold_an_identifier_is_not_repeated() {
        let record = json!({"type": "T", "traveller@example.org": 1});
        let why =
            adapt(record, Declared::Is(Representation::NgsiV2Normalized)).expect_err("mismatch");
        assert!(!why.0.contains("example.org"), "{why}");
        assert!(why.0.contains("not shown"), "{why}");
        assert_eq!(shown("NO2"), "`/NO2`");
        assert!(!shown("01012345678").contains("0101"));
    }

    #[test]
    fn every_name_and_alias_is_read_and_others_refused_with_every_name() {
        assert_eq!("auto".parse::<Declared>(), Ok(Declared::Auto));
        for (form, name) in Representation::ALL {
            assert_eq!(name.parse::<Declared>(), Ok(Declared::Is(form)), "{name}");
            assert_eq!(form.name(), name);
            assert!(Declared::HELP.contains(name), "{name}");
        }
        for (alias, name) in ALIASES {
            assert_eq!(
                alias.parse::<Declared>(),
                name.parse::<Declared>(),
                "{alias}"
            );
            assert!(Declared::HELP.contains(alias), "{alias}");
        }
        let refused = "normalized".parse::<Declared>().expect_err("unknown");
        assert!(refused.contains(&Declared::names()), "{refused}");
        let names = Representation::ALL.map(|(_, name)| name);
        for name in names.iter().chain(ALIASES.iter().map(|(alias, _)| alias)) {
            assert!(refused.contains(name), "{name}: {refused}");
        }
    }

    /// The configuration schema's `representation` takes exactly the
    /// names `--representation` reads, and both tool schemas describe them
    /// with the same words.
    #[test]
    fn the_tool_schemas_list_the_same_names() {
        let config: Value =
            serde_json::from_str(include_str!("../../schemas/tool/config.schema.json"))
                .expect("config schema");
        let field = &config["properties"]["payloads"]["properties"]["representation"];
        let listed: Vec<&str> = field["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut names = vec!["auto"];
        names.extend(Representation::ALL.map(|(_, n)| n));
        names.extend(ALIASES.iter().map(|(alias, _)| *alias));
        assert_eq!(listed, names);
        assert_eq!(field["description"], Declared::HELP);
        let target: Value =
            serde_json::from_str(include_str!("../../schemas/tool/target.schema.json"))
                .expect("target schema");
        let description = target["properties"]["endpoint"]["items"]["properties"]["representation"]
            ["description"]
            .as_str()
            .unwrap_or_default();
        assert!(description.starts_with(Declared::HELP), "{description}");
    }
}
