//! `cityconform requirements`, `profiles` and `schemas`: reading the
//! catalogue, for people (text) and for tools (json).

use std::fmt::Write as _;

use cityconform::ExitCode;
use cityconform::catalog::{Catalogue, Requirement};
use cityconform::error::Error;
use cityconform::schema::{SchemaOptions, SchemaRegistry};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use super::{SuiteArgs, print};

/// Output of the listing commands.
#[derive(Debug, Clone, Copy, Default, ValueEnum)]
pub(crate) enum ListFormat {
    /// For people.
    #[default]
    Text,
    /// For tools.
    Json,
}

/// Arguments of `requirements`.
#[derive(Debug, Args)]
pub(crate) struct RequirementsArgs {
    #[command(subcommand)]
    action: Option<RequirementsAction>,
    #[command(flatten)]
    suites: SuiteArgs,
    /// Output format.
    #[arg(long, global = true, default_value = "text")]
    format: ListFormat,
}

#[derive(Debug, Subcommand)]
enum RequirementsAction {
    /// One line per requirement (the default).
    List,
    /// One requirement in full, with the profiles that select it.
    Show {
        /// Requirement ID, such as ANON-ID-VALUE-01.
        id: String,
    },
    /// The whole catalogue as one Markdown document, a section per
    /// requirement under its ID (the anchor SARIF rules link to):
    /// `docs/REQUIREMENTS.md` is this output for the bundled suites.
    Doc,
}

/// Arguments of `profiles`.
#[derive(Debug, Args)]
pub(crate) struct ProfilesArgs {
    #[command(subcommand)]
    action: Option<ProfilesAction>,
    #[command(flatten)]
    suites: SuiteArgs,
    /// Output format.
    #[arg(long, global = true, default_value = "text")]
    format: ListFormat,
}

#[derive(Debug, Subcommand)]
enum ProfilesAction {
    /// One line per profile (the default).
    List,
    /// One profile resolved: every requirement it selects, with the level
    /// and parameters in force.
    Show {
        /// Profile ID, such as kr.
        id: String,
    },
    /// Where two profiles diverge: requirements in one only, levels, and
    /// parameters that differ or contradict.
    Diff {
        /// The left profile, such as kr.
        left: String,
        /// The right profile, such as eu.
        right: String,
        /// Compare dated lists as they stand on this day, YYYY-MM-DD
        /// [default: the day of the report time: today, or
        /// SOURCE_DATE_EPOCH when set].
        #[arg(long, value_name = "DATE", value_parser = super::output::parse_day)]
        as_of: Option<cityconform::dates::Day>,
    },
    /// For each flow of a declaration, which profiles and which pairs of
    /// profiles it meets at once, and what stands in the way.
    Matrix(super::flows::MatrixArgs),
}

/// Arguments of `schemas`.
#[derive(Debug, Args)]
pub(crate) struct SchemasArgs {
    /// A folder of extra schemas; repeatable.
    #[arg(long = "schema-dir", value_name = "DIR")]
    schema_dirs: Vec<std::path::PathBuf>,
    /// Output format.
    #[arg(long, default_value = "text")]
    format: ListFormat,
    /// Print one of cityconform's own file formats instead (config,
    /// target, dataset-descriptor, declaration, catalogue, profile, list,
    /// live, detectors, report): the JSON Schema error messages refer to.
    #[arg(long, value_name = "NAME")]
    tool: Option<String>,
}

pub(crate) fn requirements(args: RequirementsArgs) -> Result<ExitCode, Error> {
    let suites = args.suites.load()?;
    let catalogue = suites.catalogue();
    let text = match (args.action.unwrap_or(RequirementsAction::List), args.format) {
        (RequirementsAction::Doc, _) => requirements_document(catalogue)?,
        (RequirementsAction::List, ListFormat::Text) => requirement_table(catalogue),
        (RequirementsAction::List, ListFormat::Json) => {
            to_json(&catalogue.requirements().collect::<Vec<_>>())?
        }
        (RequirementsAction::Show { id }, format) => {
            let requirement = catalogue.requirement(&id)?;
            let selections = selections_of(catalogue, &id)?;
            match format {
                ListFormat::Text => requirement_text(requirement, &selections),
                ListFormat::Json => {
                    to_json(&json!({ "requirement": requirement, "profiles": selections }))?
                }
            }
        }
    };
    print(&text)?;
    Ok(ExitCode::Met)
}

fn requirement_table(catalogue: &Catalogue) -> String {
    let width = catalogue
        .requirements()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(2);
    let mut out = format!("{:<width$}  {:<6}  {:<16}  title\n", "id", "level", "area");
    for r in catalogue.requirements() {
        let _ = writeln!(
            out,
            "{:<width$}  {:<6}  {:<16}  {}",
            r.id,
            r.level.as_str(),
            r.area.as_str(),
            r.title
        );
    }
    out
}

/// Every profile selecting `id`, with the level and parameters in force.
fn selections_of(catalogue: &Catalogue, id: &str) -> Result<Vec<serde_json::Value>, Error> {
    let mut out = Vec::new();
    for profile in catalogue.profiles() {
        let resolved = catalogue.resolve(&profile.id)?;
        if let Some(selection) = resolved.selection(id) {
            out.push(json!({
                "profile": profile.id,
                "level": selection.level,
                "params": selection.params,
                "clauses": selection.clauses,
            }));
        }
    }
    Ok(out)
}

/// Every requirement as a Markdown section headed by its ID, so that
/// `REQUIREMENTS.md#anon-id-value-01` is a stable anchor: its title,
/// statement, default level, area, clauses, and the level and parameters
/// each profile gives it.
fn requirements_document(catalogue: &Catalogue) -> Result<String, Error> {
    let mut out = String::from(
        "# Requirements\n\nThe requirement catalogue, one section per requirement. Generated by\n`cityconform requirements doc` from the bundled suites; a test keeps this\nfile equal to that output, so edit the suites, not this file.\n",
    );
    for r in catalogue.requirements() {
        let _ = write!(
            out,
            "\n## {}\n\n**{}**\n\n{}\n\n- Default level: {}\n- Area: {}\n",
            r.id,
            r.title,
            r.statement,
            r.level.as_str(),
            r.area.as_str()
        );
        for c in &r.clauses {
            let note = c
                .note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            let _ = writeln!(out, "- Source: {} {}{note}", c.source, c.clause);
        }
        for s in selections_of(catalogue, &r.id)? {
            let _ = writeln!(
                out,
                "- Profile `{}`: {}",
                s["profile"].as_str().unwrap_or(""),
                s["level"].as_str().unwrap_or("")
            );
        }
    }
    Ok(out)
}

fn requirement_text(r: &Requirement, selections: &[serde_json::Value]) -> String {
    let mut out = format!("{}  {}\n\n{}\n\n", r.id, r.title, r.statement);
    let _ = writeln!(out, "level:  {} (default)", r.level.as_str());
    let _ = writeln!(out, "area:   {}", r.area.as_str());
    let _ = writeln!(
        out,
        "check:  {} {}",
        r.check.kind,
        serde_json::Value::Object(r.check.params.clone())
    );
    let _ = writeln!(out, "clauses:");
    for c in &r.clauses {
        let note = c
            .note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let _ = writeln!(out, "  - {} {}{note}", c.source, c.clause);
    }
    let _ = writeln!(out, "profiles:");
    for s in selections {
        let _ = writeln!(
            out,
            "  - {}: {} {}",
            s["profile"].as_str().unwrap_or(""),
            s["level"].as_str().unwrap_or(""),
            s["params"]
        );
        for c in s["clauses"].as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "      + {} {}",
                c["source"].as_str().unwrap_or(""),
                c["clause"].as_str().unwrap_or("")
            );
        }
    }
    out
}

pub(crate) fn profiles(args: ProfilesArgs) -> Result<ExitCode, Error> {
    let json = matches!(args.format, ListFormat::Json);
    let action = args.action.unwrap_or(ProfilesAction::List);
    if let ProfilesAction::Matrix(matrix) = &action {
        return super::flows::matrix(&args.suites, matrix, json);
    }
    if let ProfilesAction::Diff { left, right, as_of } = &action {
        print(&super::flows::diff(
            &args.suites,
            left,
            right,
            *as_of,
            json,
        )?)?;
        return Ok(ExitCode::Met);
    }
    let suites = args.suites.load()?;
    let catalogue = suites.catalogue();
    let text = match (action, args.format) {
        (ProfilesAction::List, ListFormat::Text) => {
            let mut out = format!("{:<10}  {:<10}  {:<6}  title\n", "id", "extends", "reqs");
            for p in catalogue.profiles() {
                let count = catalogue.resolve(&p.id)?.requirements.len();
                let _ = writeln!(
                    out,
                    "{:<10}  {:<10}  {:<6}  {}",
                    p.id,
                    p.extends.as_deref().unwrap_or("-"),
                    count,
                    p.title
                );
            }
            out
        }
        (ProfilesAction::List, ListFormat::Json) => {
            to_json(&catalogue.profiles().collect::<Vec<_>>())?
        }
        (ProfilesAction::Show { id }, ListFormat::Json) => {
            let mut shown = serde_json::to_value(catalogue.resolve(&id)?)
                .map_err(|e| Error::Internal(e.to_string()))?;
            if let Some(object) = shown.as_object_mut() {
                let conflicts = serde_json::to_value(catalogue.standard_conflicts(&id)?)
                    .map_err(|e| Error::Internal(e.to_string()))?;
                object.insert("standards".to_owned(), conflicts);
            }
            to_json(&shown)?
        }
        (ProfilesAction::Show { id }, ListFormat::Text) => {
            let profile = catalogue.profile(&id)?;
            let resolved = catalogue.resolve(&id)?;
            let mut out = format!(
                "{}  {}\n\n{}\n\n",
                profile.id, profile.title, profile.description
            );
            let _ = writeln!(out, "lineage:        {}", resolved.lineage.join(" -> "));
            let _ = writeln!(out, "jurisdictions:  {}", profile.jurisdictions.join(", "));
            let _ = writeln!(out, "requirements:");
            for s in &resolved.requirements {
                let params = serde_json::Value::Object(s.params.clone());
                let set_by = s.set_by.as_deref().unwrap_or("catalogue default");
                let _ = writeln!(
                    out,
                    "  {:<26} {:<6}  {params}  (set by {set_by})",
                    s.id,
                    s.level.as_str()
                );
            }
            out.push_str(&super::flows::standards_text(
                &catalogue.standard_conflicts(&id)?,
            ));
            out
        }
        (ProfilesAction::Diff { .. } | ProfilesAction::Matrix(_), _) => {
            return Err(Error::Internal(
                "profiles action dispatched twice".to_owned(),
            ));
        }
    };
    print(&text)?;
    Ok(ExitCode::Met)
}

pub(crate) fn schemas(args: SchemasArgs) -> Result<ExitCode, Error> {
    if let Some(name) = &args.tool {
        print(&cityconform::schema::tool_schema_text(name)?)?;
        return Ok(ExitCode::Met);
    }
    let registry = SchemaRegistry::load(&SchemaOptions {
        dirs: args.schema_dirs,
        ..SchemaOptions::default()
    })?;
    super::output::schema_warnings(registry.warnings());
    let text = match args.format {
        ListFormat::Text => {
            let width = registry.types().map(|(t, _)| t.len()).max().unwrap_or(4);
            let mut out = format!("{:<width$}  schema\n", "type");
            for (name, uri) in registry.types() {
                let _ = writeln!(out, "{name:<width$}  {uri}");
            }
            out
        }
        ListFormat::Json => {
            let map: serde_json::Map<String, serde_json::Value> = registry
                .types()
                .map(|(t, u)| (t.to_owned(), json!(u)))
                .collect();
            to_json(&map)?
        }
    };
    print(&text)?;
    Ok(ExitCode::Met)
}

fn to_json(value: &impl serde::Serialize) -> Result<String, Error> {
    let mut text =
        serde_json::to_string_pretty(value).map_err(|e| Error::Internal(e.to_string()))?;
    text.push('\n');
    Ok(text)
}
