//! The library's error type: every failure that stops a run before it can
//! give verdicts, with enough context (file, line, JSON pointer, a help line)
//! for the user to fix it without reading the source.
//!
//! Failures *inside* a run (a record that is not JSON, a record of an unknown
//! type) are not errors here: they are `error` verdicts in the report, so the
//! run goes on and the user sees every problem at once.

use std::fmt;
use std::ops::Range;
use std::path::Path;

use crate::ExitCode;

mod diagnostic;
mod snippet;

pub use diagnostic::FileDiagnostic;
pub(crate) use snippet::offset_of;
pub use snippet::{Snippet, char_column};

/// Where in a user's file a problem sits, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// The file as the user named it (or its embedded name, such as
    /// `suites/profiles/kr.toml`).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters) on that line, when known.
    pub column: Option<usize>,
    /// JSON pointer (or TOML key path written as a pointer) of the field.
    pub pointer: Option<String>,
    /// What is wrong, as a lowercase sentence fragment.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The line with the offending key or value marked: only for the
    /// tool's own files, never for payloads or datasets.
    pub snippet: Option<Snippet>,
}

impl FileProblem {
    /// A problem in `file` with no position yet.
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        FileProblem {
            file: file.into(),
            line: None,
            column: None,
            pointer: None,
            message: message.into(),
            help: None,
            snippet: None,
        }
    }

    /// The same problem, at `line`.
    #[must_use]
    pub fn at_line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }

    /// The same problem, at `column` of its line. For payloads and
    /// datasets, whose content is never shown.
    #[must_use]
    pub fn at_column(mut self, column: Option<usize>) -> Self {
        self.column = column;
        self
    }

    /// The same problem at byte range `span` of `text`, the whole text of
    /// one of the tool's own files: its line, its column, and that line to
    /// show with the span marked. Never for payloads or datasets, whose
    /// lines may hold personal data.
    #[must_use]
    pub fn at_span(mut self, text: &str, span: Range<usize>) -> Self {
        let (line, column, snippet) = snippet::locate(text, span);
        self.line = Some(line);
        self.column = Some(column);
        self.snippet = snippet;
        self
    }

    /// The same problem, at the field `pointer`.
    #[must_use]
    pub fn at_pointer(mut self, pointer: impl Into<String>) -> Self {
        let pointer = pointer.into();
        self.pointer = (!pointer.is_empty()).then_some(pointer);
        self
    }

    /// The same problem, with a help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl fmt::Display for FileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(pointer) = &self.pointer {
            write!(f, "at `{pointer}`: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Everything that stops a run before it gives verdicts.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or folder could not be read.
    #[error("failed to read `{path}`: {source}")]
    Read {
        /// The path as the user gave it.
        path: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A user's file (suite, profile, schema) is malformed.
    #[error("{0}")]
    File(Box<FileProblem>),
    /// Several problems in the user's files, all reported at once.
    #[error("{}", join_problems(.0))]
    Files(Vec<FileProblem>),
    /// A profile that the catalogue does not define.
    #[error(
        "unknown profile `{name}`\n  help: {suggestion}known profiles: {known}; see `cityconform profiles list`"
    )]
    UnknownProfile {
        /// The name asked for.
        name: String,
        /// The names that exist, comma-separated.
        known: String,
        /// `did you mean `kr`? ` for a likely typo, else empty.
        suggestion: String,
    },
    /// A requirement ID that the catalogue does not define.
    #[error("unknown requirement `{id}`\n  help: {suggestion}see `cityconform requirements list`")]
    UnknownRequirement {
        /// The ID asked for.
        id: String,
        /// `did you mean `ANON-ID-VALUE-01`? ` for a likely typo, else
        /// empty.
        suggestion: String,
    },
    /// Arguments that do not fit together.
    #[error("{0}")]
    Usage(String),
    /// An output (a report, a key, a configuration, a target file) could
    /// not be written.
    #[error("failed to write `{path}`: {source}")]
    Write {
        /// Where the output was to go.
        path: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A fault in cityconform itself; please report it.
    #[error("internal error: {0}")]
    Internal(String),
}

fn join_problems(problems: &[FileProblem]) -> String {
    let mut out = String::new();
    for (i, problem) in problems.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&problem.to_string());
    }
    out
}

impl Error {
    /// `Ok` when `problems` is empty, else every problem at once, each
    /// reported once: several profiles sharing one bad definition, for
    /// example, would otherwise repeat it.
    pub fn unless_problems(mut problems: Vec<FileProblem>) -> Result<()> {
        if problems.is_empty() {
            return Ok(());
        }
        problems.dedup_by(|a, b| (&a.file, a.line, &a.message) == (&b.file, b.line, &b.message));
        Err(Error::Files(problems))
    }

    /// Reading `path` failed.
    pub fn read(path: &Path, source: std::io::Error) -> Self {
        Error::Read {
            path: path.display().to_string(),
            source,
        }
    }

    /// The exit code this error maps to.
    pub fn exit_code(&self) -> ExitCode {
        match self {
            Error::Internal(_) => ExitCode::Internal,
            _ => ExitCode::BadInput,
        }
    }
}

impl From<FileProblem> for Error {
    fn from(problem: FileProblem) -> Self {
        Error::File(Box::new(problem))
    }
}

/// Convenience alias used throughout the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// 1-based line number of byte `offset` in `text`.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}
