//! Renderers: one file per output format, each a [`Renderer`] reading the
//! same [`View`] of a [`Report`] (derived once: worst verdicts, titles,
//! clauses, redacted evidence, counts, the dataset summary, the flow
//! matrix). [`renderer`] is the one place a [`Format`] picks its renderer.
//! No renderer decides the exit code; that comes from the report itself
//! ([`Report::exit_code`]).

mod github;
mod gitlab;
mod html;
mod json;
mod junit;
mod markdown;
mod matrix;
mod redact;
mod sarif;
mod text;
mod view;

pub use view::{
    Citation, DatasetView, FindingView, MatrixView, Metric, ProfileView, RequirementView, Tally,
    Under, View, cite_line, conflict_lines,
};

use std::io::Write;
use std::path::{Path, PathBuf};
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
    /// SARIF 2.1.0, for code-scanning tools: one rule per requirement, one
    /// result per finding; waived findings carry a suppression.
    Sarif,
    /// A Markdown summary, fit for a pull-request comment.
    Markdown,
    /// One self-contained HTML page for people: no external assets.
    Html,
    /// GitHub Actions workflow commands: an annotation per finding.
    Github,
    /// GitLab Code Quality JSON: an issue per finding.
    Gitlab,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 8] = [
        Format::Text,
        Format::Json,
        Format::Junit,
        Format::Sarif,
        Format::Markdown,
        Format::Html,
        Format::Github,
        Format::Gitlab,
    ];

    /// The name used on the command line and in `cityconform.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Github => "github",
            Format::Gitlab => "gitlab",
        }
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "junit" => Ok(Format::Junit),
            "sarif" => Ok(Format::Sarif),
            "markdown" | "md" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            "github" => Ok(Format::Github),
            "gitlab" => Ok(Format::Gitlab),
            other => Err(format!(
                "unknown report format `{other}`; use text, json, junit, sarif, markdown, html, github or gitlab"
            )),
        }
    }
}

/// Replaces the value of every secret-named member (an `Authorization`
/// header, a cookie, a token, a password, ...) in the findings' evidence:
/// no report stores a credential, whatever a check recorded. Signing
/// applies it first, so the signed content is what every format shows.
pub fn redact_secrets(report: &mut Report) {
    for finding in &mut report.findings {
        if let Some(evidence) = &finding.evidence {
            finding.evidence = Some(redact::redact(evidence));
        }
    }
}

/// The (requirement, profile) pairs whose clauses a report has already
/// written out: each is cited in full once, and later mentions say "as
/// above", so a declaration with many flows does not repeat the same
/// articles under every flow and pair.
#[derive(Default)]
pub(crate) struct Cited(std::cell::RefCell<std::collections::HashSet<(String, String)>>);

impl Cited {
    /// `full` the first time `profile`'s clauses on `requirement` are
    /// cited, "as above" after.
    pub(crate) fn once(&self, requirement: &str, profile: &str, full: String) -> String {
        let first = self
            .0
            .borrow_mut()
            .insert((requirement.to_owned(), profile.to_owned()));
        if first { full } else { "as above".to_owned() }
    }
}

/// `n` and the noun that goes with it: `1 finding`, `2 findings`, `0
/// findings`; every format counts the same way.
pub(crate) fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How the text renderer presents itself.
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    /// ANSI colours (only on a terminal).
    pub color: bool,
    /// Findings listed per requirement before "and N more".
    pub max_findings: usize,
    /// Only what needs fixing: profile rows that failed, errored or
    /// warned, no dataset summary and no flow matrix.
    pub failures_only: bool,
    /// The command named in the first line, when it is not the report's
    /// own (`profiles matrix` runs a flows job).
    pub heading: Option<&'static str>,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            color: false,
            max_findings: 20,
            failures_only: false,
            heading: None,
        }
    }
}

/// One output format: writes a [`View`] of a report to `out`.
pub trait Renderer {
    /// Writes `view` to `out`.
    fn render(&self, view: &View<'_>, out: &mut dyn Write) -> std::io::Result<()>;
}

/// The renderer of `format`; `text` says how the text renderer presents
/// itself and is ignored by the others.
pub fn renderer(format: Format, text: TextOptions) -> Box<dyn Renderer> {
    match format {
        Format::Text => Box::new(text::Text { options: text }),
        Format::Json => Box::new(json::Json),
        Format::Junit => Box::new(junit::Junit),
        Format::Sarif => Box::new(sarif::Sarif),
        Format::Markdown => Box::new(markdown::Markdown),
        Format::Html => Box::new(html::Html),
        Format::Github => Box::new(github::Github),
        Format::Gitlab => Box::new(gitlab::Gitlab),
    }
}

/// Writes `report` as `format` to `out`.
pub fn render(
    report: &Report,
    format: Format,
    text: TextOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    render_view(&View::new(report), format, text, out)
}

/// Writes `view` as `format` to `out`: for several formats of one report,
/// build the view once and render it for each.
pub fn render_view(
    view: &View<'_>,
    format: Format,
    text: TextOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    renderer(format, text).render(view, out)
}

/// Writes `report` as `format` to the file `path`, all or nothing (see
/// [`write_view_file`]).
pub fn write_file(report: &Report, format: Format, path: &Path) -> Result<()> {
    write_view_file(&View::new(report), format, path)
}

/// What a report path names, and so how the report is written there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportDestination {
    /// Nothing yet, or a regular file (the path given, or the file a link
    /// leads to): written beside it and renamed into place.
    File(std::path::PathBuf),
    /// A character device or a FIFO (`/dev/stdout`, `/dev/null`, a pipe):
    /// written directly, never replaced.
    Stream,
}

/// How a report at `path` would be written; a directory, a socket, a
/// block device or a link that leads nowhere is refused (a usage error),
/// since replacing it would destroy something that is not a report.
pub fn report_destination(path: &Path) -> Result<ReportDestination> {
    let refuse = |what: &str| {
        Error::Usage(format!(
            "report path `{}` is {what}; name a regular file, a FIFO or a character device",
            path.display()
        ))
    };
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            let real = std::fs::canonicalize(path).map_err(|source| Error::Write {
                path: path.display().to_string(),
                source,
            })?;
            Ok(ReportDestination::File(real))
        }
        Ok(meta) if meta.is_dir() => Err(refuse("a directory")),
        Ok(meta) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::FileTypeExt;
                let kind = meta.file_type();
                if kind.is_char_device() || kind.is_fifo() {
                    return Ok(ReportDestination::Stream);
                }
                if kind.is_socket() {
                    return Err(refuse("a socket"));
                }
            }
            let _ = meta;
            Err(refuse("neither a regular file nor a stream"))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                Err(refuse("a link that leads nowhere"))
            } else {
                Ok(ReportDestination::File(path.to_path_buf()))
            }
        }
        Err(source) => Err(Error::Write {
            path: path.display().to_string(),
            source,
        }),
    }
}

/// The nearest existing ancestor of `path`'s folder when it is not a
/// folder (a file where `reports/` should be), so the report could never
/// be written; `None` when the folder exists or can be made.
pub fn folder_blocker(path: &Path) -> Option<PathBuf> {
    let mut folder = path.parent()?;
    loop {
        if folder.as_os_str().is_empty() {
            return None;
        }
        match std::fs::metadata(folder) {
            Ok(meta) if meta.is_dir() => return None,
            Ok(_) => return Some(folder.to_path_buf()),
            Err(_) => folder = folder.parent()?,
        }
    }
}

/// Writes `view` as `format` to `path`. A regular file (or a new one) is
/// written all or nothing: the report goes to a temporary file beside it
/// that is renamed into place only once complete, so a crash or a full
/// disk never leaves half a report; a link to a regular file is followed,
/// and the file it leads to replaced, never the link. A character device
/// or FIFO is written directly; anything else is refused (see
/// [`report_destination`]).
pub fn write_view_file(view: &View<'_>, format: Format, path: &Path) -> Result<()> {
    let write_err = |source| Error::Write {
        path: path.display().to_string(),
        source,
    };
    let options = TextOptions {
        color: false,
        max_findings: usize::MAX,
        failures_only: false,
        heading: None,
    };
    let real = match report_destination(path)? {
        ReportDestination::Stream => {
            let result = (|| {
                let file = std::fs::OpenOptions::new().write(true).open(path)?;
                let mut out = std::io::BufWriter::new(file);
                render_view(view, format, options, &mut out)?;
                out.flush()
            })();
            return result.map_err(write_err);
        }
        ReportDestination::File(real) => real,
    };
    let path = real.as_path();
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| Error::Usage(format!("report path `{}` names no file", path.display())))?;
    // A missing report folder is made, as a CI job expects of
    // `reports/junit.xml` on a fresh clone.
    std::fs::create_dir_all(dir).map_err(write_err)?;
    let temp = dir.join(format!(
        ".{}.partial-{}",
        file_name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&temp)?);
        render_view(view, format, options, &mut file)?;
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
