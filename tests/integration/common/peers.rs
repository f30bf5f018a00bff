//! Independent peers the tests compare with or run against (Schemathesis,
//! pygeoapi): each a program installed by `.ci/run` in its own virtual
//! environment under `target/`, or named by an environment variable.
#![allow(
    clippy::print_stderr,
    reason = "a skipped peer test says why on stderr"
)]

use std::path::PathBuf;
use std::process::Command;

/// The peer's program: the one `env` names, else `default` below the
/// crate root, when `--version` runs. Absent, it is `None` after a note,
/// except in CI (`CI` set), where a missing peer fails the test.
pub fn program(name: &str, env: &str, default: &str) -> Option<PathBuf> {
    let program = std::env::var_os(env)
        .map(PathBuf::from)
        .unwrap_or_else(|| super::root().join(default));
    let works = Command::new(&program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !works {
        assert!(
            std::env::var_os("CI").is_none(),
            "{name} is not installed at {}; .ci/run installs it",
            program.display()
        );
        eprintln!("note: {name} not installed (set {env} to its program); test skipped");
        return None;
    }
    Some(program)
}
