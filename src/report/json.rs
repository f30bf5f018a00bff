//! The JSON report: the result model as is (it is the record format, so it
//! is not reshaped by the view), its evidence redacted, pretty-printed,
//! with a final newline. Its format is `schemas/tool/report.schema.json`.

use std::io::Write;

use super::{Renderer, View};

/// The JSON renderer.
pub(super) struct Json;

impl Renderer for Json {
    fn render(&self, view: &View<'_>, out: &mut dyn Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, view.record().as_ref())?;
        writeln!(out)
    }
}
