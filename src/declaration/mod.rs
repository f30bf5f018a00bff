//! The data-flow declaration a platform publishes: its model, and loading
//! it from JSON or TOML. The file is checked against
//! `schemas/tool/declaration.schema.json` first, so that every problem is
//! reported at once, field by field with its line; then cross-references
//! the schema cannot express (unique IDs, recipients naming declared
//! processors) are checked the same way.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

pub(crate) mod json_lines;
mod plain;

use crate::catalog::load::{error_pointer, tool_schema};
use crate::catalog::toml_source::TomlSource;
use crate::error::{Error, FileProblem, Result};

/// Data categories (W3C DPV) that locate a person.
pub const LOCATION_CATEGORIES: &[&str] = &[
    "dpv-pd:Location",
    "dpv-pd:GPSCoordinates",
    "dpv-pd:TravelHistory",
];

/// Help shown with every problem found in a declaration.
const HELP: &str = "see schemas/tool/declaration.schema.json for the declaration format, and fixtures/flows/ for examples";

/// A loaded, schema-valid declaration.
#[derive(Debug, Clone)]
pub struct Declaration {
    /// The file as the user named it.
    pub file: String,
    /// The platform.
    pub platform: Platform,
    /// The controller.
    pub controller: Party,
    /// Processors acting for the controller.
    pub processors: Vec<Processor>,
    /// Where the technical and organisational measures are documented.
    pub security_measures: Option<String>,
    /// The flows, in file order.
    pub flows: Vec<Flow>,
    /// The 1-based line each flow starts on.
    flow_lines: Vec<Option<usize>>,
    positions: Positions,
}

/// Where values sit in the declaration's text.
#[derive(Debug, Clone)]
enum Positions {
    Json(String),
    Toml(std::sync::Arc<TomlSource>),
}

impl Positions {
    fn line_of(&self, pointer: &str) -> Option<usize> {
        match self {
            Positions::Json(text) => json_lines::line_of(text, pointer),
            Positions::Toml(source) => source.line_of(pointer),
        }
    }

    /// A problem at `pointer`, with its line, column and snippet.
    fn problem(&self, name: &str, pointer: &str, message: String) -> FileProblem {
        match self {
            Positions::Json(text) => {
                let problem = FileProblem::new(name, message).at_pointer(pointer);
                match json_lines::span_of(text, pointer) {
                    Some(span) => problem.at_span(text, span),
                    None => problem,
                }
            }
            Positions::Toml(source) => source.problem(pointer, message),
        }
    }
}

/// A JSON syntax error at its place: the end of the last value for a
/// truncated file, else where serde_json stopped. The message loses
/// serde_json's own "at line L column C", which the location says.
fn json_syntax_problem(name: &str, text: &str, error: &serde_json::Error) -> FileProblem {
    let full = error.to_string();
    let message = match full.rfind(" at line ") {
        Some(at) if error.line() > 0 => &full[..at],
        _ => full.as_str(),
    };
    let problem = FileProblem::new(name, format!("invalid JSON: {message}"))
        .with_help("fix the syntax at that line");
    if error.line() == 0 {
        return problem;
    }
    let at = if error.is_eof() {
        text.trim_end().len()
    } else {
        crate::error::offset_of(text, error.line(), error.column())
    };
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    problem.at_span(text, at..end)
}

/// The platform whose flows are declared.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Platform {
    /// Its name.
    pub name: String,
}

/// A controller.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Party {
    /// Its name.
    pub name: String,
    /// How to reach it.
    pub contact: String,
    /// Where it is established.
    pub jurisdiction: String,
    /// An operator of critical information infrastructure: PIPL Art. 40
    /// and the 2024 CAC Provisions Art. 7 send every export it makes to
    /// the security assessment, whatever the volume.
    #[serde(default)]
    pub critical_infrastructure_operator: bool,
    /// A significant data fiduciary (DPDP Act s. 10): DPDP Rules r. 13(4)
    /// may keep data the Government specifies in India.
    #[serde(default)]
    pub significant_data_fiduciary: bool,
}

/// A processor acting for the controller.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Processor {
    /// The ID recipients use.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where it is established.
    pub jurisdiction: String,
}

/// One flow of personal (or non-personal) data.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flow {
    /// Stable ID, named by records' envelopes.
    pub id: String,
    /// One line.
    #[serde(default)]
    pub title: Option<String>,
    /// Shared-schema entity types the flow carries.
    #[serde(default)]
    pub entity_types: Vec<String>,
    /// DPV personal-data categories.
    pub data_categories: Vec<String>,
    /// DPV data-subject categories.
    #[serde(default)]
    pub data_subjects: Vec<String>,
    /// DPV purposes.
    pub purposes: Vec<String>,
    /// The legal basis for every region (a DPV concept or a law's
    /// clause): the one basis as written, or the `*` entry of a basis per
    /// region; empty when a per-region basis gives none for all. Profiles
    /// read [`Flow::basis_for`].
    #[serde(skip)]
    pub legal_basis: String,
    /// The legal basis as declared: one for every region, or one per
    /// region keyed by profile ID (`*`: every other region).
    #[serde(rename = "legalBasis")]
    pub legal_bases: LegalBasis,
    /// Where a legitimate-interest assessment is recorded.
    #[serde(default)]
    pub legitimate_interest_assessment: Option<String>,
    /// The statute behind a legal obligation.
    #[serde(default)]
    pub statute: Option<String>,
    /// Consent.
    pub consent: Consent,
    /// Where the data is collected.
    pub source_jurisdiction: String,
    /// Held by a public body or a critical-infrastructure operator.
    #[serde(default)]
    pub public_sector: bool,
    /// The controller is a public authority acting in its tasks and
    /// public powers: GDPR Art. 6(1) last sentence and Art. 49(3) take
    /// bases away from it, and PDPA s. 4(1)(c) leaves it outside the Act.
    #[serde(default)]
    pub public_authority: bool,
    /// The condition that lifts the ban on special categories (biometrics,
    /// health), as a law's clause such as `eu-gdpr:A9-2-g`: the legal
    /// basis alone does not (GDPR Art. 9(1), (2)).
    #[serde(default)]
    pub special_category_condition: Option<String>,
    /// How many individuals' data the flow sends abroad in a calendar year:
    /// the 2024 CAC Provisions set the mechanism by this count.
    #[serde(default)]
    pub individuals_per_year: Option<u64>,
    /// The flow carries data a sector's catalogue or a regulator's
    /// notice identifies as important data: its export needs the security
    /// assessment whatever the count (2024 CAC Provisions Art. 7), and
    /// neither the standard contract nor certification may carry it.
    #[serde(default)]
    pub important_data: bool,
    /// Identified, pseudonymized or anonymized.
    pub data_state: DataState,
    /// For pseudonymized data: additional information kept apart.
    #[serde(default)]
    pub additional_information_separated: Option<bool>,
    /// For pseudonymized data: the other controller whose pseudonymized
    /// information this flow's is combined with.
    #[serde(default)]
    pub combined_with: Option<String>,
    /// The expert agency, designated by the regulator, that performed the
    /// combination (PIPA Art. 28-3(1)).
    #[serde(default)]
    pub combination_agency: Option<String>,
    /// For pseudonymized data: where the records of its processing are
    /// kept (purpose, items, use, recipients, period: PIPA Art. 28-4(3),
    /// Enforcement Decree Art. 29-5(2)).
    #[serde(default)]
    pub pseudonymisation_records: Option<String>,
    /// For pseudonymized data: the recipients also receive the additional
    /// information that restores it, or other information that identifies
    /// a person (PIPA Art. 28-2(2) forbids it).
    #[serde(default)]
    pub identifying_information_provided: bool,
    /// The camera the flow's images come from, when they do (PIPA
    /// Art. 25, 25-2).
    #[serde(default)]
    pub visual_device: Option<VisualDevice>,
    /// Who receives the data, and where.
    pub recipients: Vec<Recipient>,
    /// ISO 8601 duration.
    pub retention: String,
    /// Where this flow's security measures are documented.
    #[serde(default)]
    pub security_measures: Option<String>,
}

/// A camera filming people: fixed at a place (CCTV, a network camera) or
/// carried (a vehicle's, a body-worn or a drone's camera).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisualDevice {
    /// `fixed` or `mobile`.
    pub kind: String,
    /// It films a place open to the public (a street, a square, a bus
    /// stop), where the restrictions apply.
    pub public_place: bool,
    /// Why it films, as the profile's list of permitted purposes names it
    /// (`traffic-information`, `crime-prevention`, ...).
    #[serde(default)]
    pub filming_purpose: Option<String>,
    /// How the people filmed are told: where the signboard, light, sound
    /// or published notice is described.
    #[serde(default)]
    pub notice: Option<String>,
    /// A mobile device's filming is clearly indicated and the people
    /// filmed may refuse (PIPA Art. 25-2(1)2).
    #[serde(default)]
    pub refusal_possible: bool,
}

/// A flow's legal basis as declared.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum LegalBasis {
    /// One basis, whatever the region.
    One(String),
    /// One basis per region, keyed by profile ID; `*` for every other.
    PerRegion(std::collections::BTreeMap<String, String>),
}

impl Default for LegalBasis {
    fn default() -> Self {
        LegalBasis::One(String::new())
    }
}

impl Flow {
    /// The basis the profile `profile` judges: its own entry, else the
    /// one for all (`*` or the single basis); empty when none is given.
    pub fn basis_for(&self, profile: &str) -> &str {
        match &self.legal_bases {
            LegalBasis::One(basis) => basis,
            LegalBasis::PerRegion(bases) => bases
                .get(profile)
                .or_else(|| bases.get("*"))
                .map_or("", String::as_str),
        }
    }

    /// Whether the flow gives a basis per region (then each profile reads
    /// the flow with its own basis).
    pub fn per_region(&self) -> bool {
        matches!(self.legal_bases, LegalBasis::PerRegion(_))
    }

    /// The flow as profile `profile` reads it: with its region's basis.
    #[must_use]
    pub fn for_profile(&self, profile: &str) -> Flow {
        Flow {
            legal_basis: self.basis_for(profile).to_owned(),
            ..self.clone()
        }
    }
}

/// How consent is obtained.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    /// `opt-in`, `opt-out` or `none`.
    pub mechanism: String,
    /// Where consent records live.
    #[serde(default)]
    pub records: Option<String>,
}

/// The state of the data in a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataState {
    /// Directly identifies persons.
    Identified,
    /// Identifies persons only with additional information kept apart.
    Pseudonymized,
    /// No longer relates to an identifiable person.
    Anonymized,
}

/// A recipient of a flow.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    /// Stable ID, named by records' envelopes.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// `processor`, `controller`, `third-party` or `public`.
    pub role: String,
    /// Country codes, or `*` for any.
    pub destinations: Vec<String>,
    /// The transfer mechanism relied on.
    #[serde(default)]
    pub transfer: Option<Transfer>,
}

/// A transfer mechanism.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transfer {
    /// `adequacy`, `contract`, `certification`, `consent`, `statute`, `none`.
    pub mechanism: String,
    /// The contract clauses or the statute.
    #[serde(default)]
    pub instrument: Option<String>,
    /// The certification relied on.
    #[serde(default)]
    pub certification: Option<Certification>,
    /// For consent: given separately for this transfer.
    #[serde(default)]
    pub separate_consent: bool,
    /// Where the transfer is disclosed to the data subject.
    #[serde(default)]
    pub disclosed_in: Option<String>,
    /// The transfer is occasional, not repetitive: GDPR Art. 49
    /// derogations hold only for such transfers (EDPB Guidelines 2/2018).
    #[serde(default)]
    pub occasional: bool,
    /// The transfer answers a third country's court judgment or authority
    /// decision, named here: such an order is no ground by itself (GDPR
    /// Art. 48), so a profile that says so asks for the agreement below.
    #[serde(default)]
    pub foreign_order: Option<String>,
    /// The international agreement (a mutual legal assistance treaty) in
    /// force between the ordering country and the Union or a Member State
    /// that the answer to `foreign_order` rests on.
    #[serde(default)]
    pub international_agreement: Option<String>,
    /// An order of the regulator to suspend this transfer (PIPA Art.
    /// 28-9): while it is in force, no mechanism carries the transfer.
    #[serde(default)]
    pub suspension_order: Option<SuspensionOrder>,
    /// For consent: the person is deemed to consent rather than asked:
    /// `conduct` (PDPA s. 15(1)), `contractual-necessity` (s. 15(3)-(8))
    /// or `notification` (s. 15A). A region may take some of these for a
    /// transfer (PDPR 2021 reg. 10(2)(b)).
    #[serde(default)]
    pub deemed_consent: Option<String>,
    /// For consent: where the written summary of how the data will be
    /// protected abroad, given before the person consented, is kept
    /// (PDPR 2021 reg. 10(3)(a)).
    #[serde(default)]
    pub protection_summary: Option<String>,
}

/// A regulator's order to suspend a transfer, with the days it is in
/// force, so that a report on another date reads the order as it stood.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuspensionOrder {
    /// The order's reference.
    pub id: String,
    /// The first day it binds (`YYYY-MM-DD`).
    pub from: String,
    /// The last day it binds, once lifted (`YYYY-MM-DD`).
    #[serde(default)]
    pub until: Option<String>,
}

/// A certification of the recipient.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Certification {
    /// The scheme: `apec-cbpr`, `global-cbpr`, `isms-p`, ...
    pub scheme: String,
    /// The certificate.
    pub id: String,
    /// The accountability agent that certified the recipient.
    #[serde(default)]
    pub accountability_agent: Option<String>,
    /// The last day the certification is valid (`YYYY-MM-DD`).
    #[serde(default)]
    pub valid_until: Option<String>,
}

/// The shape of the file, for serde.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeclarationFile {
    platform: Platform,
    controller: Party,
    #[serde(default)]
    processors: Vec<Processor>,
    #[serde(default)]
    security_measures: Option<String>,
    flows: Vec<Flow>,
}

impl Declaration {
    /// Reads and checks the declaration at `path` (`.json` or `.toml`).
    pub fn load(path: &Path) -> Result<Self> {
        let name = path.display().to_string();
        let is_toml = path.extension().is_some_and(|e| e == "toml");
        let is_json = path.extension().is_some_and(|e| e == "json");
        if !is_toml && !is_json {
            return Err(Error::Usage(format!(
                "declaration `{name}` is neither .json nor .toml; name the file by its format"
            )));
        }
        let bytes = crate::files::read(path)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            FileProblem::new(
                &name,
                format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
            )
            .with_help("save the declaration as UTF-8")
        })?;
        Self::parse(&name, &text, is_toml)
    }

    /// Parses and checks a declaration held in `text`, named `name`.
    pub fn parse(name: &str, text: &str, is_toml: bool) -> Result<Self> {
        let (value, positions) = if is_toml {
            let source = TomlSource::parse(name, text)?;
            (
                source.value.clone(),
                Positions::Toml(std::sync::Arc::new(source)),
            )
        } else {
            let value: Value =
                serde_json::from_str(text).map_err(|e| json_syntax_problem(name, text, &e))?;
            (value, Positions::Json(text.to_owned()))
        };
        let problem = |pointer: &str, message: String| {
            positions.problem(name, pointer, message).with_help(HELP)
        };
        let schema = tool_schema("declaration.schema.json")?;
        let format: Value = crate::embedded::SCHEMAS
            .get_file("tool/declaration.schema.json")
            .and_then(|f| f.contents_utf8())
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or(Value::Null);
        let fields = plain::field_names(&format);
        let problems: Vec<FileProblem> = schema
            .iter_errors(&value)
            .map(|e| {
                let message = plain::message(&e, &fields).unwrap_or_else(|| e.masked().to_string());
                problem(&error_pointer(&e), message)
            })
            .collect();
        if !problems.is_empty() {
            return Err(Error::Files(problems));
        }
        let mut parsed: DeclarationFile = serde_json::from_value(value).map_err(|e| {
            FileProblem::new(name, format!("unexpected content: {e}")).with_help(HELP)
        })?;
        for flow in &mut parsed.flows {
            flow.legal_basis = flow.basis_for("*").to_owned();
        }
        let problems = cross_references(&parsed, &problem);
        if !problems.is_empty() {
            return Err(Error::Files(problems));
        }
        let flow_lines = (0..parsed.flows.len())
            .map(|i| positions.line_of(&format!("/flows/{i}")))
            .collect();
        Ok(Declaration {
            file: name.to_owned(),
            platform: parsed.platform,
            controller: parsed.controller,
            processors: parsed.processors,
            security_measures: parsed.security_measures,
            flows: parsed.flows,
            flow_lines,
            positions,
        })
    }

    /// The line flow `index` starts on.
    pub fn flow_line(&self, index: usize) -> Option<usize> {
        self.flow_lines.get(index).copied().flatten()
    }

    /// The line of the field at `pointer` (from the declaration's root).
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        self.positions.line_of(pointer)
    }

    /// The flow with ID `id`.
    pub fn flow(&self, id: &str) -> Option<&Flow> {
        self.flows.iter().find(|f| f.id == id)
    }
}

/// IDs that must be unique, and recipients acting as processors that must
/// be declared as such.
fn cross_references(
    file: &DeclarationFile,
    problem: &dyn Fn(&str, String) -> FileProblem,
) -> Vec<FileProblem> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, processor) in file.processors.iter().enumerate() {
        if !seen.insert(processor.id.as_str()) {
            problems.push(problem(
                &format!("/processors/{i}/id"),
                format!("processor `{}` is declared twice", processor.id),
            ));
        }
    }
    let processors: BTreeSet<&str> = file.processors.iter().map(|p| p.id.as_str()).collect();
    let mut flows = BTreeSet::new();
    for (f, flow) in file.flows.iter().enumerate() {
        if !flows.insert(flow.id.as_str()) {
            problems.push(problem(
                &format!("/flows/{f}/id"),
                format!(
                    "flow `{}` is declared twice; flow IDs must be unique",
                    flow.id
                ),
            ));
        }
        let mut recipients = BTreeSet::new();
        for (r, recipient) in flow.recipients.iter().enumerate() {
            let at = format!("/flows/{f}/recipients/{r}");
            if !recipients.insert(recipient.id.as_str()) {
                problems.push(problem(
                    &format!("{at}/id"),
                    format!(
                        "recipient `{}` appears twice in flow `{}`",
                        recipient.id, flow.id
                    ),
                ));
            }
            if recipient.role == "processor" && !processors.contains(recipient.id.as_str()) {
                problems.push(problem(
                    &format!("{at}/id"),
                    format!(
                        "recipient `{}` acts as a processor but no processor has that ID; declare it under `processors`",
                        recipient.id
                    ),
                ));
            }
            if recipient.destinations.len() > 1 && recipient.destinations.iter().any(|d| d == "*") {
                problems.push(problem(
                    &format!("{at}/destinations"),
                    "`*` already stands for every country; list countries or `*`, not both"
                        .to_owned(),
                ));
            }
        }
    }
    problems
}
