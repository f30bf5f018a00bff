//! The flow matrix in the terminal report: flows by profile, then for each
//! pair of profiles the flows that meet both at once and, for the others,
//! what stands in the way. The other formats lay the same view out in
//! their own terms (JUnit in `junit.rs`, tables in Markdown and HTML).

use std::io::Write;

use super::{MatrixView, View};

/// Writes the matrix for a terminal: a met/NOT MET grid of flows by
/// profile, then, with two or more profiles, each flow's pairs and the MUST
/// findings that keep a pair from being met at once.
pub(super) fn render_text(
    view: &View<'_>,
    matrix: &MatrixView<'_>,
    color: bool,
    cited_before: &super::Cited,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let column = matrix
        .profiles
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max(7);
    let mark = |met: bool| {
        let (word, code) = if met {
            ("met", "32")
        } else {
            ("NOT MET", "1;31")
        };
        if color {
            format!("\x1b[{code}m{word:<column$}\x1b[0m")
        } else {
            format!("{word:<column$}")
        }
    };
    let width = matrix
        .flows
        .iter()
        .map(|r| r.flow.len())
        .max()
        .unwrap_or(4)
        .max(4);
    writeln!(out, "Flows by profile")?;
    let header: Vec<String> = matrix
        .profiles
        .iter()
        .map(|p| format!("{p:<column$}"))
        .collect();
    writeln!(
        out,
        "  {:<width$}  {}",
        "flow",
        header.join("  ").trim_end()
    )?;
    for row in matrix.flows {
        write!(out, "  {:<width$}", row.flow)?;
        let cells: Vec<String> = row.met.iter().map(|cell| mark(cell.met)).collect();
        writeln!(out, "  {}", cells.join("  ").trim_end())?;
    }
    // A verdict on a flow from outside the profile's region is a reading
    // "as if" it started inside: said under the grid, cell by cell.
    for row in matrix.flows {
        for cell in &row.met {
            if let Some(reading) = &cell.reading {
                writeln!(out, "  {} under {}: {reading}", row.flow, cell.profile)?;
            }
        }
    }
    writeln!(out)?;
    if !matrix.has_pairs() {
        return Ok(());
    }
    writeln!(out, "Pairs of profiles")?;
    for row in matrix.flows {
        writeln!(out, "  {}", row.flow)?;
        for pair in &row.pairs {
            let verdict = if pair.both { "both met" } else { "not both" };
            writeln!(out, "    {} + {}: {verdict}", pair.left, pair.right)?;
            for blocker in &pair.needed {
                let reading = blocker
                    .reading
                    .as_ref()
                    .map_or_else(String::new, |r| format!(" ({r})"));
                writeln!(
                    out,
                    "      needs, for {} {}{reading}: {}",
                    blocker.profile, blocker.requirement, blocker.message
                )?;
                let cited = view.blocker_citations(blocker);
                if !cited.is_empty() {
                    let cited = cited_before.once(&blocker.requirement, &blocker.profile, cited);
                    writeln!(out, "        {} cites: {cited}", blocker.profile)?;
                }
            }
        }
    }
    writeln!(out)
}
