//! `cityconform flows DECLARATION`, `profiles diff P Q` and
//! `profiles matrix --declaration D`: data-flow declarations judged per
//! flow and per profile, and where profiles diverge.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use cityconform::ExitCode;
use cityconform::catalog::{Catalogue, DiffKind, ProfileDiff, StandardConflict, Vocabulary};
use cityconform::dates::Day;
use cityconform::engine::NoProgress;
use cityconform::error::Error;
use cityconform::harness::{DeclarationJob, Harness, Job};
use cityconform::report::{self, Format, TextOptions};
use cityconform::schema::SchemaOptions;
use clap::Args;
use serde_json::Value;

use super::SuiteArgs;
use super::output::{OutputArgs, parse_day, parse_report, run_job};

/// Arguments of `flows`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cityconform flows fixtures/flows/mobility-analytics-university.json --profile kr --profile eu\n  cityconform flows declaration.toml -p in -p sg --report junit=flows.xml"
)]
pub(crate) struct FlowsArgs {
    /// The data-flow declaration (.json or .toml; format:
    /// schemas/tool/declaration.schema.json).
    #[arg(value_name = "DECLARATION")]
    declaration: PathBuf,

    /// Profile to judge every flow against; repeat for a verdict per
    /// profile and a matrix of pairs.
    #[arg(
        long = "profile",
        short = 'p',
        value_name = "PROFILE",
        default_value = "baseline"
    )]
    profiles: Vec<String>,

    #[command(flatten)]
    suites: SuiteArgs,

    #[command(flatten)]
    output: OutputArgs,
}

pub(crate) fn run(args: FlowsArgs) -> Result<ExitCode, Error> {
    let job = declaration_job(&args.declaration);
    // The bundled schemas: a declaration is judged without them, but a
    // signed report names every schema the tool carried.
    let options = args
        .suites
        .harness(&args.profiles, SchemaOptions::default())?;
    run_job(
        &job,
        options,
        &args.output,
        &NoProgress,
        &job.read_besides(),
        |_| None,
    )
}

fn declaration_job(path: &Path) -> Job {
    Job::Declaration(DeclarationJob {
        path: path.to_path_buf(),
        pointer: String::new(),
    })
}

/// Arguments of `profiles matrix`.
#[derive(Debug, Args)]
pub(crate) struct MatrixArgs {
    /// The data-flow declaration whose flows fill the matrix.
    #[arg(long, short = 'd', value_name = "DECLARATION")]
    declaration: PathBuf,

    /// A profile of the matrix; give two or more.
    #[arg(long = "profile", short = 'p', value_name = "PROFILE", required = true)]
    profiles: Vec<String>,

    /// Also write a report file, as FORMAT=PATH (json, junit, text).
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report)]
    reports: Vec<(Format, PathBuf)>,

    /// Judge dated law as it stands on this day, YYYY-MM-DD [default: the
    /// day of the report time].
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    as_of: Option<Day>,
}

/// `profiles matrix`: the flows report, whose matrix shows which pairs of
/// profiles each flow meets at once and what stands in the way.
pub(crate) fn matrix(suites: &SuiteArgs, args: &MatrixArgs, json: bool) -> Result<ExitCode, Error> {
    if args.profiles.len() < 2 {
        return Err(Error::Usage(
            "a matrix needs two or more profiles; repeat --profile".to_owned(),
        ));
    }
    if args.reports.iter().any(|(_, p)| p == &args.declaration) {
        return Err(Error::Usage(
            "a report file is also the declaration; choose another path".to_owned(),
        ));
    }
    let mut options = suites.harness(&args.profiles, SchemaOptions::default())?;
    options.as_of = args.as_of;
    let harness = Harness::load(options)?;
    let report = harness.run(&declaration_job(&args.declaration), &NoProgress)?;
    let view = report::View::new(&report);
    for (format, path) in &args.reports {
        report::write_view_file(&view, *format, path)?;
    }
    let format = if json { Format::Json } else { Format::Text };
    let mut buffer = Vec::new();
    let text = TextOptions {
        heading: Some("profiles matrix"),
        ..TextOptions::default()
    };
    report::render_view(&view, format, text, &mut buffer)
        .map_err(|e| Error::Internal(format!("rendering the report failed: {e}")))?;
    let mut shown = String::from_utf8_lossy(&buffer).into_owned();
    if !json {
        shown.push_str(&standards_text(&matrix_conflicts(
            harness.catalogue(),
            &args.profiles,
        )?));
    }
    super::print(&shown)?;
    Ok(report.exit_code())
}

/// The conflicts of every profile of the matrix with the bundled standards,
/// each profile once, in the order given.
fn matrix_conflicts(
    catalogue: &Catalogue,
    profiles: &[String],
) -> Result<Vec<StandardConflict>, Error> {
    let mut seen = Vec::new();
    let mut conflicts = Vec::new();
    for name in profiles {
        let id = catalogue.profile_id(name)?.to_owned();
        if !seen.contains(&id) {
            conflicts.extend(catalogue.standard_conflicts(&id)?);
            seen.push(id);
        }
    }
    Ok(conflicts)
}

/// `profiles diff P Q`, with dated lists read on `as_of` (default: the
/// day of the report time).
pub(crate) fn diff(
    suites: &SuiteArgs,
    left: &str,
    right: &str,
    as_of: Option<Day>,
    json: bool,
) -> Result<String, Error> {
    let suites = suites.load()?;
    let day = match as_of {
        Some(day) => day,
        None => Day::of_time(&super::output::generated_at()?).map_err(Error::Internal)?,
    };
    // The members in force on the day, not every member a list ever held:
    // a country recognised later, or no longer, does not make two
    // profiles differ today (`lists show ID` has the dates).
    let lists = &suites.lists().on(day);
    // A legal basis stands for its DPV concept: two profiles that accept
    // the same concept under their own laws' names do not differ.
    let vocabulary = Vocabulary::from_lists(lists);
    let expand = |value: &Value| match lists.expand_members(value) {
        Ok(members) if is_list_like(value) => {
            let values: Vec<String> = members.into_iter().map(|m| m.value).collect();
            let mut concepts = vocabulary.concepts_of(&values);
            concepts.sort();
            Value::from(concepts)
        }
        _ => value.clone(),
    };
    let mut diff = ProfileDiff::between(suites.catalogue(), left, right, &expand)?;
    diff.as_of = Some(day.to_string());
    if json {
        let mut text =
            serde_json::to_string_pretty(&diff).map_err(|e| Error::Internal(e.to_string()))?;
        text.push('\n');
        return Ok(text);
    }
    Ok(diff_text(&diff))
}

/// Arrays of strings, and `@list` references, stand for sets.
fn is_list_like(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().all(Value::is_string),
        Value::String(text) => text.starts_with('@'),
        _ => false,
    }
}

/// "kr cites: PIPA Art. 28-8(1)1-5" under a requirement's differences.
fn cite(out: &mut String, diff: &ProfileDiff, id: &str, width: usize) {
    let Some(citation) = diff.citations.iter().find(|c| c.requirement == id) else {
        return;
    };
    for (side, clauses) in [(&diff.left, &citation.left), (&diff.right, &citation.right)] {
        if clauses.is_empty() {
            continue;
        }
        let cited: Vec<String> = clauses
            .iter()
            .map(|c| format!("{} {}", c.source, c.clause))
            .collect();
        let whose = if citation.requirement_clauses_for.contains(side) {
            " (the requirement's own; it adds none)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:width$}    {side} cites{whose}: {}",
            "",
            cited.join("; ")
        );
    }
}

fn join_values(values: &[Value]) -> String {
    values
        .iter()
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        .collect::<Vec<_>>()
        .join(", ")
}

fn diff_text(diff: &ProfileDiff) -> String {
    let (l, r) = (&diff.left, &diff.right);
    let mut out = match &diff.as_of {
        Some(day) => format!("Profiles {l} and {r}, lists as of {day}\n\n"),
        None => format!("Profiles {l} and {r}\n\n"),
    };
    if diff.entries.is_empty() {
        out.push_str("no differences\n");
        out.push_str(&standards_text(&diff.standards));
        return out;
    }
    let width = diff
        .entries
        .iter()
        .map(|e| e.requirement.len())
        .max()
        .unwrap_or(11);
    for (i, entry) in diff.entries.iter().enumerate() {
        let id = &entry.requirement;
        let line = match &entry.kind {
            DiffKind::OnlyLeft { level } => format!("only in {l} ({})", level.as_str()),
            DiffKind::OnlyRight { level } => format!("only in {r} ({})", level.as_str()),
            DiffKind::Level { left, right } => {
                format!("level: {l} {}, {r} {}", left.as_str(), right.as_str())
            }
            DiffKind::Param {
                key,
                left,
                right,
                only_left,
                only_right,
                contradicts,
            } => {
                let word = if *contradicts {
                    "CONTRADICTS"
                } else {
                    "differs"
                };
                let show =
                    |v: &Option<Value>| v.as_ref().map_or("(unset)".to_owned(), Value::to_string);
                if only_left.is_empty() && only_right.is_empty() {
                    format!("{key} {word}: {l} {}, {r} {}", show(left), show(right))
                } else {
                    format!(
                        "{key} {word}: only {l} [{}]; only {r} [{}]",
                        join_values(only_left),
                        join_values(only_right)
                    )
                }
            }
        };
        let _ = writeln!(out, "  {id:<width$}  {line}");
        let last_of_requirement = diff
            .entries
            .get(i + 1)
            .is_none_or(|next| &next.requirement != id);
        if last_of_requirement {
            cite(&mut out, diff, id, width);
        }
    }
    let contradictions = diff
        .entries
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                DiffKind::Param {
                    contradicts: true,
                    ..
                }
            )
        })
        .count();
    let _ = writeln!(
        out,
        "\n{} difference{}, {contradictions} contradiction{}",
        diff.entries.len(),
        if diff.entries.len() == 1 { "" } else { "s" },
        if contradictions == 1 { "" } else { "s" }
    );
    out.push_str(&standards_text(&diff.standards));
    out
}

/// "Standards versus profiles": each standard requiring what a profile
/// forbids, both sides cited, so that a conforming payload failing the
/// profile reads as the rules' conflict, not the platform's fault.
pub(crate) fn standards_text(conflicts: &[StandardConflict]) -> String {
    if conflicts.is_empty() {
        return String::new();
    }
    let mut out = String::from("\nStandards versus profiles\n");
    for c in conflicts {
        let _ = writeln!(
            out,
            "  {} {}: {} needs {}; {} allows {} (CONFLICT)",
            c.requirement, c.param, c.standard, c.needs, c.profile, c.allows
        );
        let _ = writeln!(
            out,
            "      {} governs {}: {}",
            c.standard,
            c.entity,
            c.fields.join(", ")
        );
        let _ = writeln!(
            out,
            "      {} cites: {} {}",
            c.standard, c.standard_clause.source, c.standard_clause.clause
        );
        if let Some(note) = &c.standard_clause.note {
            let _ = writeln!(out, "      read as: {note}");
        }
        if let Some(schema) = &c.schema {
            let _ = writeln!(out, "      schema: {schema}");
        }
        let cited: Vec<String> = c
            .profile_clauses
            .iter()
            .map(|k| format!("{} {}", k.source, k.clause))
            .collect();
        let whose = if c.requirement_clauses {
            " (the requirement's own; it adds none)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "      {} cites{whose}: {}",
            c.profile,
            cited.join("; ")
        );
    }
    let _ = writeln!(
        out,
        "\n{} conflict{} between a standard and a profile",
        conflicts.len(),
        if conflicts.len() == 1 { "" } else { "s" }
    );
    out
}
