//! Options written before the subcommand. Users of CI tools expect
//! `cityconform --format json validate x` to work as well as
//! `cityconform validate x --format json`. The options that several
//! commands share stay defined by each command (so `keygen` still refuses
//! `--format`, and each command's help lists what it takes); a leading one
//! is moved to just after the subcommand's name before parsing, where that
//! command's own definition reads or refuses it.

use std::ffi::OsString;

/// The options that may lead, each with whether it takes a value.
const LEADING: &[(&str, bool)] = &[
    ("--suites", true),
    ("--format", true),
    ("--color", true),
    ("--quiet", false),
    ("-q", false),
];

/// `args` (program name first) with the leading options that precede the
/// subcommand moved to just after its name. Anything else is left as
/// written, for clap to accept or to explain.
pub(crate) fn hoist(args: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let args: Vec<OsString> = args.into_iter().collect();
    let end = leading_end(&args);
    if end == 1 || end >= args.len() {
        return args;
    }
    let mut out = Vec::with_capacity(args.len());
    out.push(args[0].clone());
    out.push(args[end].clone());
    out.extend_from_slice(&args[1..end]);
    out.extend_from_slice(&args[end + 1..]);
    out
}

/// The index of the first argument after the program name that is not a
/// leading option or its value.
fn leading_end(args: &[OsString]) -> usize {
    let mut i = 1;
    while let Some(arg) = args.get(i).and_then(|a| a.to_str()) {
        let (name, inline_value) = match arg.split_once('=') {
            Some((name, _)) => (name, true),
            None => (arg, false),
        };
        let Some(&(_, takes_value)) = LEADING.iter().find(|(known, _)| *known == name) else {
            break;
        };
        let width = if takes_value && !inline_value { 2 } else { 1 };
        if i + width > args.len() {
            break;
        }
        i += width;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hoisted(args: &[&str]) -> Vec<String> {
        hoist(args.iter().map(OsString::from))
            .into_iter()
            .map(|a| a.into_string().expect("utf-8"))
            .collect()
    }

    #[test]
    fn leading_options_move_after_the_subcommand_name() {
        assert_eq!(
            hoisted(&[
                "cc",
                "--format",
                "json",
                "--suites=s",
                "-q",
                "profiles",
                "show",
                "kr"
            ]),
            [
                "cc",
                "profiles",
                "--format",
                "json",
                "--suites=s",
                "-q",
                "show",
                "kr"
            ]
        );
    }

    #[test]
    fn anything_else_is_left_for_clap() {
        for args in [
            &["cc", "validate", "x", "--format", "json"][..],
            &["cc", "--format", "json"],
            &["cc", "--format"],
            &["cc", "--max-findings", "3", "validate", "x"],
            &["cc"],
        ] {
            assert_eq!(hoisted(args), args, "{args:?}");
        }
    }
}
