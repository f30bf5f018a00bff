//! Files compiled into the binary so that it works from any folder: the
//! shared schemas and the requirement suites. A user may add or replace them
//! at run time (`--schema-dir`, `--suites`); these are the defaults.

use include_dir::{Dir, include_dir};

/// Everything under `schemas/`.
pub(crate) static SCHEMAS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/schemas");

/// Everything under `suites/`.
pub(crate) static SUITES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/suites");

/// Every embedded file below `dir` whose name ends with `suffix`, as
/// (path relative to the embedded root, contents), sorted by path so that
/// loading order (and therefore every report) is deterministic.
pub(crate) fn files_with_suffix(
    dir: &'static Dir<'static>,
    suffix: &str,
) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    collect(dir, suffix, &mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn collect(dir: &'static Dir<'static>, suffix: &str, out: &mut Vec<(String, &'static str)>) {
    for file in dir.files() {
        let path = file.path().to_string_lossy().replace('\\', "/");
        if path.ends_with(suffix)
            && let Some(text) = file.contents_utf8()
        {
            out.push((path, text));
        }
    }
    for sub in dir.dirs() {
        collect(sub, suffix, out);
    }
}
