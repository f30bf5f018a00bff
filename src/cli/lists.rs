//! `cityconform lists`: the named lists profile parameters refer to
//! (adequacy decisions, recognised certifications, restricted countries),
//! with their dates, sources and carve-outs, and the members in force on
//! an evaluation date; for people (text) and for tools (json).

use std::fmt::Write as _;

use cityconform::ExitCode;
use cityconform::catalog::{List, Lists, Member};
use cityconform::dates::Day;
use cityconform::error::Error;
use clap::{Args, Subcommand};
use serde_json::json;

use super::catalogue::ListFormat;
use super::output::parse_day;
use super::{SuiteArgs, print};

/// Arguments of `lists`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  cityconform lists\n  cityconform lists show kr-adequacy --as-of 2025-09-01\n  cityconform lists show eu-adequacy --format json"
)]
pub(crate) struct ListsArgs {
    #[command(subcommand)]
    action: Option<ListsAction>,
    #[command(flatten)]
    suites: SuiteArgs,
    /// Output format.
    #[arg(long, global = true, default_value = "text")]
    format: ListFormat,
    /// Show the members in force on this day, YYYY-MM-DD [default: the day
    /// of the report time: today, or SOURCE_DATE_EPOCH when set].
    #[arg(long, global = true, value_name = "DATE", value_parser = parse_day)]
    as_of: Option<Day>,
}

#[derive(Debug, Subcommand)]
enum ListsAction {
    /// One line per list (the default).
    List,
    /// One list in full: its source and date, every member with its own
    /// dates and carve-outs, and the members in force.
    Show {
        /// List ID, such as kr-adequacy.
        id: String,
    },
}

pub(crate) fn lists(args: ListsArgs) -> Result<ExitCode, Error> {
    let suites = args.suites.load()?;
    let day = match args.as_of {
        Some(day) => day,
        None => Day::of_time(&super::output::generated_at()?).map_err(Error::Internal)?,
    };
    let lists = suites.lists().on(day);
    let text = match args.action.unwrap_or(ListsAction::List) {
        ListsAction::List => match args.format {
            ListFormat::Text => table(&lists, day),
            ListFormat::Json => {
                let all: Vec<_> = lists.iter().map(|l| with_members(l, &lists)).collect();
                to_json(&json!({ "as_of": day.to_string(), "lists": all }))?
            }
        },
        ListsAction::Show { id } => {
            let list = lists.get(&id).ok_or_else(|| {
                Error::Usage(format!(
                    "unknown list `{id}`; known lists: {}",
                    lists
                        .iter()
                        .map(|l| l.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            match args.format {
                ListFormat::Text => show(list, &lists, day),
                ListFormat::Json => to_json(&json!({
                    "as_of": day.to_string(),
                    "list": with_members(list, &lists),
                }))?,
            }
        }
    };
    print(&text)?;
    Ok(ExitCode::Met)
}

/// The members of `list` in force on the day `lists` are read on.
fn in_force(list: &List, lists: &Lists) -> Vec<Member> {
    list.members_on(lists.day())
}

fn with_members(list: &List, lists: &Lists) -> serde_json::Value {
    let mut value = serde_json::to_value(list).unwrap_or_default();
    value["in_force"] = in_force(list, lists).iter().map(Member::to_value).collect();
    value
}

fn table(lists: &Lists, day: Day) -> String {
    let width = lists.iter().map(|l| l.id.len()).max().unwrap_or(2).max(2);
    let mut out = format!("Lists, with the members in force on {day}\n");
    let _ = writeln!(
        out,
        "  {:<width$}  {:<10}  {:>8}  title",
        "id", "as of", "in force"
    );
    for list in lists.iter() {
        let _ = writeln!(
            out,
            "  {:<width$}  {:<10}  {:>8}  {}",
            list.id,
            list.as_of.as_deref().unwrap_or("undated"),
            in_force(list, lists).len(),
            list.title
        );
    }
    out
}

fn show(list: &List, lists: &Lists, day: Day) -> String {
    let mut out = format!("{}  {}\n", list.id, list.title);
    let _ = writeln!(out, "  source: {}", list.source);
    let _ = writeln!(
        out,
        "  as of: {}",
        list.as_of.as_deref().unwrap_or("undated")
    );
    if let Some(note) = &list.note {
        let _ = writeln!(out, "  note: {note}");
    }
    if !list.items.is_empty() {
        let _ = writeln!(
            out,
            "  members, whatever the date: {}",
            list.items.join(", ")
        );
    }
    for item in &list.dated {
        let from = item.effective_from.as_deref().unwrap_or("any date");
        let until = item.effective_until.as_deref().unwrap_or("further notice");
        let _ = writeln!(
            out,
            "  from {from} until {until}: {}",
            item.values.join(", ")
        );
        if let Some(concept) = &item.concept {
            let _ = writeln!(out, "    names the DPV concept: {concept}");
        }
        if let Some(source) = &item.source {
            let _ = writeln!(out, "    source: {source}");
        }
        if !item.carve_out.except_categories.is_empty() {
            let _ = writeln!(
                out,
                "    does not cover: {}",
                item.carve_out.except_categories.join(", ")
            );
        }
        if !item.carve_out.only_certified.is_empty() {
            let _ = writeln!(
                out,
                "    covers only recipients certified under: {}",
                item.carve_out.only_certified.join(", ")
            );
        }
        if let Some(note) = &item.note {
            let _ = writeln!(out, "    note: {note}");
        }
    }
    let members = in_force(list, lists);
    let shown: Vec<String> = members
        .iter()
        .map(|m| {
            if m.carve_out.is_empty() {
                m.value.clone()
            } else {
                format!("{} (with carve-outs)", m.value)
            }
        })
        .collect();
    let _ = writeln!(
        out,
        "  in force on {day}: {}",
        if shown.is_empty() {
            "none".to_owned()
        } else {
            shown.join(", ")
        }
    );
    out
}

fn to_json(value: &serde_json::Value) -> Result<String, Error> {
    let mut text =
        serde_json::to_string_pretty(value).map_err(|e| Error::Internal(e.to_string()))?;
    text.push('\n');
    Ok(text)
}
