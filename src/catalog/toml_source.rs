//! TOML files of the suites: parsed once for their data and kept for their
//! positions, so that a mistake found later (by the file-format schema, or
//! by a cross-file check such as an unknown requirement ID) can still name
//! the line it sits on.

use std::ops::Range;

use serde_json::Value;
use toml_edit::{Document, Item, Table};

use crate::error::{FileProblem, line_of_offset};

/// A parsed TOML file: its data as JSON and the document for positions.
#[derive(Debug)]
pub(crate) struct TomlSource {
    /// The file as named to the user.
    pub name: String,
    /// The data, as a JSON value (what the schemas and serde see).
    pub value: Value,
    doc: Document<String>,
}

impl TomlSource {
    /// Parses `text`; a syntax error names its line.
    pub fn parse(name: &str, text: &str) -> Result<Self, FileProblem> {
        let doc = Document::parse(text.to_owned()).map_err(|err| {
            let line = err.span().map(|span| line_of_offset(text, span.start));
            FileProblem::new(name, format!("invalid TOML: {}", err.message().trim_end()))
                .at_line(line)
                .with_help("fix the syntax at that line; see https://toml.io for the format")
        })?;
        let value: Value = toml::from_str(text).map_err(|err| {
            let line = err.span().map(|span| line_of_offset(text, span.start));
            FileProblem::new(name, format!("invalid TOML: {}", err.message().trim_end()))
                .at_line(line)
        })?;
        Ok(TomlSource {
            name: name.to_owned(),
            value,
            doc,
        })
    }

    /// The file's text, as read.
    pub fn text(&self) -> &str {
        self.doc.raw()
    }

    /// The 1-based line of the key or value at `pointer` (a JSON pointer
    /// into [`TomlSource::value`]); when the exact node has no position, the
    /// line of its nearest ancestor that has one.
    pub fn line_of(&self, pointer: &str) -> Option<usize> {
        let span = span_of(self.doc.as_table(), pointer)?;
        Some(line_of_offset(self.doc.raw(), span.start))
    }

    /// A problem in this file at `pointer`, with its line filled in.
    pub fn problem(&self, pointer: &str, message: impl Into<String>) -> FileProblem {
        FileProblem::new(&self.name, message)
            .at_line(self.line_of(pointer))
            .at_pointer(pointer)
    }
}

/// One step of a walk through a `toml_edit` document, whose containers come
/// in several shapes (tables, arrays of tables, inline tables, arrays).
enum Node<'a> {
    Table(&'a Table),
    Item(&'a Item),
    Value(&'a toml_edit::Value),
}

fn span_of(root: &Table, pointer: &str) -> Option<Range<usize>> {
    let mut node = Node::Table(root);
    let mut best = None;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let Some((next, key_span)) = child(&node, &segment) else {
            return best;
        };
        best = key_span.or_else(|| node_span(&next)).or(best);
        node = next;
    }
    best
}

fn child<'a>(node: &Node<'a>, segment: &str) -> Option<(Node<'a>, Option<Range<usize>>)> {
    match *node {
        Node::Table(table) | Node::Item(Item::Table(table)) => {
            let (key, item) = table.get_key_value(segment)?;
            Some((Node::Item(item), key.span()))
        }
        Node::Item(Item::ArrayOfTables(array)) => {
            let table = array.get(segment.parse().ok()?)?;
            Some((Node::Table(table), table.span()))
        }
        Node::Item(Item::Value(value)) | Node::Value(value) => value_child(value, segment),
        Node::Item(Item::None) => None,
    }
}

fn value_child<'a>(
    value: &'a toml_edit::Value,
    segment: &str,
) -> Option<(Node<'a>, Option<Range<usize>>)> {
    match value {
        toml_edit::Value::InlineTable(table) => {
            let (key, item) = table.get_key_value(segment)?;
            Some((Node::Item(item), key.span()))
        }
        toml_edit::Value::Array(array) => {
            let element = array.get(segment.parse().ok()?)?;
            Some((Node::Value(element), element.span()))
        }
        _ => None,
    }
}

fn node_span(node: &Node<'_>) -> Option<Range<usize>> {
    match node {
        Node::Table(table) => table.span(),
        Node::Item(item) => item.span(),
        Node::Value(value) => value.span(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "id = \"kr\"\n\n[[requirement]]\nid = \"A\"\n\n[[requirement]]\nid = \"B\"\nlevel = \"MUST\"\ncheck = { kind = \"x\", params = { n = 1 } }\n";

    #[test]
    fn lines_follow_keys_into_arrays_of_tables_and_inline_tables() {
        let source = TomlSource::parse("t.toml", TEXT).expect("valid toml");
        assert_eq!(source.line_of("/id"), Some(1));
        assert_eq!(source.line_of("/requirement/0/id"), Some(4));
        assert_eq!(source.line_of("/requirement/1/level"), Some(8));
        assert_eq!(source.line_of("/requirement/1/check/params/n"), Some(9));
        assert_eq!(
            source.line_of("/requirement/1/missing"),
            Some(6),
            "nearest ancestor"
        );
        assert_eq!(source.line_of("/nothing"), None);
    }

    #[test]
    fn syntax_errors_name_their_line() {
        let err = TomlSource::parse("bad.toml", "a = 1\nb = \n").expect_err("invalid toml");
        assert_eq!(err.line, Some(2));
        assert!(
            err.to_string().starts_with("bad.toml:2: invalid TOML"),
            "{err}"
        );
    }
}
