//! A [`FileProblem`] as a `miette` diagnostic, for the CLI to render the
//! way `miette` does: the location as `file:line:column`, the line with
//! the offending key or value underlined, and the help line.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan};

use super::FileProblem;

/// A borrowed [`FileProblem`] seen as a [`miette::Diagnostic`]. Its source
/// is the one line the problem keeps (never the whole file), numbered as in
/// the file.
#[derive(Debug, Clone, Copy)]
pub struct FileDiagnostic<'a> {
    problem: &'a FileProblem,
}

impl FileProblem {
    /// This problem as a diagnostic to render.
    pub fn diagnostic(&self) -> FileDiagnostic<'_> {
        FileDiagnostic { problem: self }
    }
}

impl fmt::Display for FileDiagnostic<'_> {
    /// The headline: the message, after the location when no snippet
    /// carries it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.problem;
        if p.snippet.is_none() {
            write!(f, "{}", p.file)?;
            if let Some(line) = p.line {
                write!(f, ":{line}")?;
                if let Some(column) = p.column {
                    write!(f, ":{column}")?;
                }
            }
            write!(f, ": ")?;
        }
        if let Some(pointer) = &p.pointer {
            write!(f, "at `{pointer}`: ")?;
        }
        write!(f, "{}", p.message)
    }
}

impl std::error::Error for FileDiagnostic<'_> {}

impl Diagnostic for FileDiagnostic<'_> {
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.problem
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.problem
            .snippet
            .as_ref()
            .map(|_| self as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let snippet = self.problem.snippet.as_ref()?;
        let span = LabeledSpan::new_primary_with_span(
            None,
            SourceSpan::new(snippet.span.start.into(), snippet.span.len()),
        );
        Some(Box::new(std::iter::once(span)))
    }
}

impl SourceCode for FileDiagnostic<'_> {
    /// The kept line, whatever the span and context asked for: there is no
    /// other. Asked for no context (the location of the label), it starts
    /// at the problem's column.
    fn read_span<'b>(
        &'b self,
        _span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'b> + 'b>, MietteError> {
        let p = self.problem;
        let snippet = p.snippet.as_ref().ok_or(MietteError::OutOfBounds)?;
        let line = p.line.unwrap_or(1).saturating_sub(1);
        let column = if context_lines_before == 0 && context_lines_after == 0 {
            p.column.unwrap_or(1).saturating_sub(1)
        } else {
            0
        };
        Ok(Box::new(MietteSpanContents::new_named(
            p.file.clone(),
            snippet.text.as_bytes(),
            SourceSpan::new(0.into(), snippet.text.len()),
            line,
            column,
            1,
        )))
    }
}
