//! Renderers: one file per output format, each consuming the same
//! [`Report`]. No renderer decides the exit code; that comes from the
//! report itself ([`Report::exit_code`]).

mod json;
mod junit;
mod matrix;
mod text;

use std::io::Write;
use std::path::Path;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::model::Report;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// For people at a terminal.
    Text,
    /// The versioned JSON report (`schemas/tool/report.schema.json`).
    Json,
    /// JUnit XML, for CI systems: one test suite per profile, one test case
    /// per requirement.
    Junit,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "junit" => Ok(Format::Junit),
            other => Err(format!(
                "unknown report format `{other}`; use text, json or junit"
            )),
        }
    }
}

/// How the text renderer presents itself.
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    /// ANSI colours (only on a terminal).
    pub color: bool,
    /// Findings listed per requirement before "and N more".
    pub max_findings: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            color: false,
            max_findings: 20,
        }
    }
}

/// Writes `report` as `format` to `out`.
pub fn render(
    report: &Report,
    format: Format,
    text: TextOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Text => text::render(report, text, out),
        Format::Json => json::render(report, out),
        Format::Junit => junit::render(report, out),
    }
}

/// Writes `report` as `format` to the file `path`, all or nothing: the
/// report goes to a temporary file beside it that is renamed into place
/// only once complete, so a crash or a full disk never leaves half a report.
pub fn write_file(report: &Report, format: Format, path: &Path) -> Result<()> {
    let write_err = |source| Error::Write {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::Usage(format!("report path `{}` names no file", path.display())))?;
    let temp = dir.join(format!(
        ".{}.partial-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&temp)?);
        render(
            report,
            format,
            TextOptions {
                color: false,
                max_findings: usize::MAX,
            },
            &mut file,
        )?;
        file.into_inner()
            .map_err(std::io::IntoInnerError::into_error)?
            .sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(write_err)
}
