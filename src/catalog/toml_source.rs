//! TOML files of the suites: parsed once for their data and kept for their
//! positions, so that a mistake found later (by the file-format schema, or
//! by a cross-file check such as an unknown requirement ID) can still name
//! the line it sits on.

use std::ops::Range;

use serde_json::Value;
use toml_edit::{Document, Item, Table};

use crate::error::{Error, FileProblem, Result, line_of_offset};

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
    /// Parses `text`; a syntax error names its line and column.
    pub fn parse(name: &str, text: &str) -> Result<Self> {
        let syntax = |message: &str, span: Option<Range<usize>>| {
            let problem = FileProblem::new(name, format!("invalid TOML: {}", message.trim_end()))
                .with_help("fix the syntax at that line; see https://toml.io for the format");
            Error::from(match span {
                Some(span) => problem.at_span(text, span),
                None => problem,
            })
        };
        let doc =
            Document::parse(text.to_owned()).map_err(|err| syntax(err.message(), err.span()))?;
        let mut value: Value =
            toml::from_str(text).map_err(|err| syntax(err.message(), err.span()))?;
        dates_as_text(doc.as_table(), &mut value);
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

    /// A problem in this file at `pointer`, with its line, column and
    /// snippet filled in: the key and its value on that line, or the
    /// nearest ancestor's when the exact node has no position.
    pub fn problem(&self, pointer: &str, message: impl Into<String>) -> FileProblem {
        let problem = FileProblem::new(&self.name, message).at_pointer(pointer);
        match span_of(self.doc.as_table(), pointer) {
            Some(span) => problem.at_span(self.doc.raw(), span),
            None => problem,
        }
    }
}

/// TOML dates (`expires = 2027-06-30`) become their text in the data: the
/// format schemas speak JSON, which has no dates. The file's text is left
/// as written, so that lines and snippets show what the user wrote.
fn dates_as_text(table: &Table, value: &mut Value) {
    for (key, item) in table.iter() {
        if let Some(value) = value.get_mut(key) {
            item_dates_as_text(item, value);
        }
    }
}

fn item_dates_as_text(item: &Item, value: &mut Value) {
    match item {
        Item::Table(table) => dates_as_text(table, value),
        Item::ArrayOfTables(array) => {
            for (table, value) in array.iter().zip(value_elements(value)) {
                dates_as_text(table, value);
            }
        }
        Item::Value(item) => value_dates_as_text(item, value),
        Item::None => {}
    }
}

fn value_dates_as_text(item: &toml_edit::Value, value: &mut Value) {
    match item {
        toml_edit::Value::Datetime(date) => *value = Value::String(date.value().to_string()),
        toml_edit::Value::Array(array) => {
            for (item, value) in array.iter().zip(value_elements(value)) {
                value_dates_as_text(item, value);
            }
        }
        toml_edit::Value::InlineTable(table) => {
            for (key, item) in table.iter() {
                if let Some(value) = value.get_mut(key) {
                    value_dates_as_text(item, value);
                }
            }
        }
        _ => {}
    }
}

fn value_elements(value: &mut Value) -> impl Iterator<Item = &mut Value> {
    value.as_array_mut().into_iter().flatten()
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
            Some((Node::Item(item), pair_span(key.span(), item)))
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
            Some((Node::Item(item), pair_span(key.span(), item)))
        }
        toml_edit::Value::Array(array) => {
            let element = array.get(segment.parse().ok()?)?;
            Some((Node::Value(element), element.span()))
        }
        _ => None,
    }
}

/// A key with its value (`level = "MUST"`), or the key alone where the
/// value is a table of its own (`[tenants.a]`).
fn pair_span(key: Option<Range<usize>>, item: &Item) -> Option<Range<usize>> {
    match (key, item) {
        (Some(key), Item::Value(value)) => match value.span() {
            Some(value) if value.end > key.start => Some(key.start..value.end),
            _ => Some(key),
        },
        (key, _) => key,
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
    fn dates_reach_the_data_as_text_and_the_text_stays_as_written() {
        let text = "d = 2030-01-01 # c\n[[w]]\nexpires = 2030-02-01T10:00:00Z\nx = { at = [1979-05-27] }\n";
        let source = TomlSource::parse("t.toml", text).expect("valid toml");
        assert_eq!(
            source.value,
            serde_json::json!({"d": "2030-01-01", "w": [{"expires": "2030-02-01T10:00:00Z", "x": {"at": ["1979-05-27"]}}]})
        );
        assert_eq!(source.text(), text);
        let problem = source.problem("/w/0/expires", "not a calendar date");
        let snippet = problem.snippet.expect("a snippet");
        assert_eq!(snippet.text, "expires = 2030-02-01T10:00:00Z");
        assert_eq!((problem.line, problem.column), (Some(3), Some(1)));
    }

    #[test]
    fn problems_mark_the_key_with_its_value_or_a_table_header_key() {
        let source = TomlSource::parse("t.toml", TEXT).expect("valid toml");
        let under = |pointer: &str| {
            let problem = source.problem(pointer, "m");
            let snippet = problem.snippet.expect("a snippet");
            (
                problem.line,
                problem.column,
                snippet.text[snippet.span].to_owned(),
            )
        };
        assert_eq!(
            under("/requirement/1/level"),
            (Some(8), Some(1), "level = \"MUST\"".to_owned())
        );
        assert_eq!(
            under("/requirement/1/check/params/n"),
            (Some(9), Some(34), "n = 1".to_owned())
        );
        assert_eq!(
            under("/requirement/1/missing").0,
            Some(6),
            "nearest ancestor"
        );
        let tables =
            TomlSource::parse("t.toml", "[tenants.a]\nresource = \"/x\"\n").expect("valid toml");
        let problem = tables.problem("/tenants/a", "m");
        let snippet = problem.snippet.expect("a snippet");
        assert_eq!(&snippet.text[snippet.span], "a");
        assert!(
            source.problem("", "m").snippet.is_none(),
            "the whole file has no line"
        );
    }

    #[test]
    fn syntax_errors_name_their_line_and_column() {
        let Err(Error::File(err)) = TomlSource::parse("bad.toml", "a = 1\nb = \n") else {
            panic!("invalid toml is one problem");
        };
        assert_eq!((err.line, err.column), (Some(2), Some(5)));
        assert!(
            err.to_string().starts_with("bad.toml:2:5: invalid TOML"),
            "{err}"
        );
        let snippet = err.snippet.expect("a snippet");
        // The value is missing at the line's end: the caret stands under a
        // blank added past it.
        assert_eq!(
            (snippet.text.as_str(), snippet.span.clone()),
            ("b =  ", 4..4)
        );
    }
}
