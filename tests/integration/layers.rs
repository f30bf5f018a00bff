//! The library's layers, held to the table in `ARCHITECTURE.md`: every
//! `crate::` path in `src/` (in `use` lines and inline alike; comments
//! aside) must point at its own module, a lower layer, or — only where the
//! table allows it — a module of its own layer. A module the table does
//! not place fails too, so a new module must be given its layer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One row of the layer table.
#[derive(Debug)]
struct Layer {
    rank: usize,
    name: String,
    shared: bool,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The table between the `layers` markers: `| rank | layer | modules |
/// own layer |`, module names in backticks.
fn layer_table() -> BTreeMap<String, Layer> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let start = text
        .find("<!-- layers:begin -->")
        .expect("layers:begin marker");
    let end = text.find("<!-- layers:end -->").expect("layers:end marker");
    let mut modules = BTreeMap::new();
    for line in text[start..end].lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 5 {
            continue;
        }
        let Ok(rank) = cells[1].parse::<usize>() else {
            continue;
        };
        for module in cells[3].split(',') {
            let module = module.trim().trim_matches('`');
            if module.is_empty() {
                continue;
            }
            let previous = modules.insert(
                module.to_owned(),
                Layer {
                    rank,
                    name: cells[2].to_owned(),
                    shared: cells[4].eq_ignore_ascii_case("yes"),
                },
            );
            assert!(previous.is_none(), "`{module}` is placed twice");
        }
    }
    assert!(!modules.is_empty(), "the layer table is empty");
    modules
}

/// The library's source files with the top-level module each belongs to;
/// the binary (`main.rs`, `cli/`, `bin/`) sits above every layer.
fn library_files() -> Vec<(String, PathBuf)> {
    let src = root().join("src");
    let mut files = Vec::new();
    for entry in walk(&src) {
        let relative = entry.strip_prefix(&src).expect("under src");
        let first = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .expect("a name");
        let module = first.trim_end_matches(".rs");
        if matches!(module, "lib" | "main" | "cli" | "bin") {
            continue;
        }
        files.push((module.to_owned(), entry));
    }
    files
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable folder")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

/// The top-level modules a line names through `crate::`, grouped imports
/// (`crate::{a, b::c}`) included.
fn crate_paths(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            for item in inner.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
    }
    found
}

#[test]
fn no_module_reaches_a_layer_above_it() {
    let layers = layer_table();
    let files = library_files();
    let mut problems = Vec::new();
    let mut paths_checked = 0;
    for (module, file) in &files {
        let Some(own) = layers.get(module) else {
            problems.push(format!(
                "`{module}` ({}) has no layer in ARCHITECTURE.md",
                file.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).expect("source");
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for target in crate_paths(code) {
                paths_checked += 1;
                if &target == module {
                    continue;
                }
                let Some(theirs) = layers.get(&target) else {
                    // Items defined at the crate root (`crate::Error`).
                    continue;
                };
                let allowed = theirs.rank < own.rank || (theirs.rank == own.rank && own.shared);
                if !allowed {
                    problems.push(format!(
                        "{}:{}: `{module}` ({}) reaches `{target}` ({})",
                        file.strip_prefix(root()).unwrap_or(file).display(),
                        n + 1,
                        own.name,
                        theirs.name
                    ));
                }
            }
        }
    }
    assert!(
        paths_checked > 100,
        "only {paths_checked} crate:: paths found; is the source where the test looks?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn grouped_and_inline_paths_are_seen() {
    assert_eq!(
        crate_paths("use crate::{engine::Tally, model};"),
        ["engine", "model"]
    );
    assert_eq!(
        crate_paths("let x = crate::live::audit(crate::payload::plan());"),
        ["live", "payload"]
    );
}
