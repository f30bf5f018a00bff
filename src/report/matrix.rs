//! The flow matrix in the terminal report: flows by profile, then for each
//! pair of profiles the flows that meet both at once and, for the others,
//! what stands in the way.

use std::io::Write;

use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};

use crate::model::Matrix;

/// The pairs of profiles as a JUnit suite: one case per flow and pair,
/// failing when the flow does not meet both. `None` for fewer than two
/// profiles, where there is no pair.
pub(super) fn junit_suite(matrix: &Matrix) -> Option<TestSuite> {
    if matrix.profiles.len() < 2 {
        return None;
    }
    let mut suite = TestSuite::new("pairs of profiles");
    for row in &matrix.flows {
        for pair in &row.pairs {
            let status = if pair.both {
                TestCaseStatus::success()
            } else {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(format!(
                    "flow `{}` does not meet both {} and {}",
                    row.flow, pair.left, pair.right
                ));
                let needed: Vec<String> = pair
                    .needed
                    .iter()
                    .map(|b| format!("{} {}: {}", b.profile, b.requirement, b.message))
                    .collect();
                status.set_description(needed.join("\n"));
                status
            };
            let mut case = TestCase::new(
                format!("{} meets {} + {}", row.flow, pair.left, pair.right),
                status,
            );
            case.set_classname("cityconform.pairs");
            suite.add_test_case(case);
        }
    }
    Some(suite)
}

pub(super) fn render_text(
    matrix: &Matrix,
    color: bool,
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
    for row in &matrix.flows {
        write!(out, "  {:<width$}", row.flow)?;
        let cells: Vec<String> = row.met.iter().map(|cell| mark(cell.met)).collect();
        writeln!(out, "  {}", cells.join("  ").trim_end())?;
    }
    writeln!(out)?;
    if matrix.profiles.len() < 2 {
        return Ok(());
    }
    writeln!(out, "Pairs of profiles")?;
    for row in &matrix.flows {
        writeln!(out, "  {}", row.flow)?;
        for pair in &row.pairs {
            let verdict = if pair.both { "both met" } else { "not both" };
            writeln!(out, "    {} + {}: {verdict}", pair.left, pair.right)?;
            for blocker in &pair.needed {
                writeln!(
                    out,
                    "      needs, for {} {}: {}",
                    blocker.profile, blocker.requirement, blocker.message
                )?;
            }
        }
    }
    writeln!(out)
}
