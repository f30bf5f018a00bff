//! The JSON report: the result model as is, pretty-printed, with a final
//! newline. Its format is `schemas/tool/report.schema.json`.

use std::io::Write;

use crate::model::Report;

pub(super) fn render(report: &Report, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
