//! The README's commands, run. Every shell block the README marks with
//! `<!-- runnable -->` is read line by line; each `cityconform` command is
//! run with the README's placeholder names mapped to fixtures through the
//! one table below, so the README cannot drift from the tool. Commands
//! that need a running platform are only parsed: their URL is sent to a
//! closed loopback port, and the run must get as far as trying it.

use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common;

/// README placeholder -> fixture (relative to the crate root), or, for
/// names starting with `sandbox:`, a file or folder the test makes in the
/// sandbox the commands run in.
const PLACEHOLDERS: &[(&str, &str)] = &[
    ("PATH...", "fixtures/payloads/valid"),
    ("trips.ndjson", "fixtures/datasets/trips-pass.ndjson"),
    (
        "trips-normalized.json",
        "fixtures/payloads/representations/mobility-trip-ngsi-ld-normalized.json",
    ),
    ("trips.csv", "fixtures/datasets/pass-all.csv"),
    ("trips.toml", "fixtures/datasets/trips.toml"),
    (
        "declaration.json",
        "fixtures/flows/kr-bikeshare-pipa-consent.json",
    ),
    ("examples/", "fixtures/payloads/valid"),
    ("models/", "sandbox:models/"),
    ("vendor/data-models/", "sandbox:vendor/data-models/"),
    ("my-suites", "sandbox:my-suites"),
    ("target.toml", "sandbox:target.toml"),
    ("export-trips", "fixtures/datasets/trips-pass.ndjson"),
];

/// One command line of a runnable block.
#[derive(Debug)]
struct Line {
    /// Where it stands in the README, for messages.
    number: usize,
    /// The words after `cityconform`, placeholders not yet mapped.
    words: Vec<String>,
    /// `cd DIR && cityconform ...`: the folder, relative to the crate root.
    cd: Option<String>,
    /// `PRODUCER | cityconform ...`: the producer's placeholder.
    stdin: Option<String>,
}

/// Every `cityconform` line of the runnable blocks, in README order, each
/// block's lines together (a block is a sequence: `keygen`, then `check
/// --sign-key`, then `verify`).
fn runnable_lines(readme: &str) -> Vec<Vec<Line>> {
    let lines: Vec<&str> = readme.lines().collect();
    let mut blocks = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim() == "<!-- runnable -->" {
            assert_eq!(
                lines.get(i + 1).map(|l| l.trim()),
                Some("```sh"),
                "README line {}: a runnable marker stands right above a ```sh block",
                i + 1
            );
            let mut block = Vec::new();
            let mut j = i + 2;
            let mut pending = String::new();
            while j < lines.len() && lines[j].trim() != "```" {
                let text = strip_comment(lines[j]);
                if let Some(head) = text.strip_suffix('\\') {
                    pending.push_str(head);
                } else {
                    pending.push_str(text);
                    if let Some(line) = command_line(&pending, j + 1) {
                        block.push(line);
                    }
                    pending.clear();
                }
                j += 1;
            }
            blocks.push(block);
            i = j;
        }
        i += 1;
    }
    blocks
}

/// The line without its trailing ` # comment` or a whole-line comment.
fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    line.find(" #").map_or(line, |at| &line[..at]).trim_end()
}

fn command_line(text: &str, number: usize) -> Option<Line> {
    let mut text = text.trim();
    let mut cd = None;
    let mut stdin = None;
    if let Some(rest) = text.strip_prefix("cd ") {
        let (dir, command) = rest.split_once(" && ").expect("`cd DIR && command`");
        cd = Some(dir.trim().to_owned());
        text = command.trim();
    }
    if let Some((producer, command)) = text.split_once(" | ") {
        stdin = Some(producer.trim().to_owned());
        text = command.trim();
    }
    // Output redirected to a file: the test reads stdout instead.
    let text = text.split(" > ").next().unwrap_or(text);
    let words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
    (words.first().map(String::as_str) == Some("cityconform")).then(|| Line {
        number,
        words: words[1..].to_vec(),
        cd,
        stdin,
    })
}

/// The sandbox a block runs in: a copy of some payloads (so that `init`
/// has something to find), the README's own `my-suites` profile, an empty
/// schema folder, and a target for a platform that is not running.
struct Sandbox {
    dir: tempfile::TempDir,
    closed: String,
}

impl Sandbox {
    fn new(readme: &str) -> Self {
        let dir = tempfile::tempdir().expect("sandbox");
        let root = dir.path();
        std::fs::create_dir_all(root.join("payloads")).expect("payloads folder");
        std::fs::copy(
            common::root().join("fixtures/payloads/valid/air-quality-observed.json"),
            root.join("payloads/air-quality-observed.json"),
        )
        .expect("payload copied");
        std::fs::create_dir_all(root.join("my-suites/profiles")).expect("suites folder");
        std::fs::write(
            root.join("my-suites/profiles/kr-busan.toml"),
            readme_profile(readme),
        )
        .expect("profile");
        std::fs::create_dir_all(root.join("models")).expect("models folder");
        std::fs::create_dir_all(root.join("vendor/data-models")).expect("vendor folder");
        let closed = closed_base_url();
        std::fs::write(
            root.join("target.toml"),
            format!("base_url = \"{closed}\"\napi = \"ogcapi-features\"\nauth = \"none\"\n"),
        )
        .expect("target");
        Sandbox { dir, closed }
    }

    /// A word of a command with its placeholder mapped, and a README URL
    /// sent to the closed port.
    fn map(&self, word: &str) -> String {
        if let Some((key, value)) = word.split_once('=').filter(|_| !word.starts_with('-')) {
            // FORMAT=PATH (a report, written in the sandbox) or
            // URL=FOLDER (--map-uri): the key stays, the value is mapped.
            return format!("{key}={}", self.map(value));
        }
        if let Some(rest) = word.strip_prefix("https://") {
            let path = rest.find('/').map_or("", |at| &rest[at..]);
            return format!("{}{path}", self.closed);
        }
        match PLACEHOLDERS.iter().find(|(name, _)| *name == word) {
            Some((_, place)) => match place.strip_prefix("sandbox:") {
                Some(inside) => self.dir.path().join(inside).display().to_string(),
                None => common::root().join(place).display().to_string(),
            },
            None => word.to_owned(),
        }
    }

    /// Whether the command needs a running platform: it names a README URL
    /// or the target of one.
    fn needs_a_platform(words: &[String]) -> bool {
        words
            .iter()
            .any(|w| (w.starts_with("https://") && !w.contains('=')) || w == "target.toml")
    }
}

/// The README's `my-suites/profiles/kr-busan.toml` example.
fn readme_profile(readme: &str) -> String {
    let start = readme
        .find("# my-suites/profiles/kr-busan.toml\n")
        .expect("the README's profile example");
    let block = &readme[start..];
    block[..block.find("```").expect("end of the example")].to_owned()
}

/// An http URL on loopback where nothing listens.
fn closed_base_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("port").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

fn run_line(sandbox: &Sandbox, line: &Line) -> Output {
    let args: Vec<String> = line.words.iter().map(|w| sandbox.map(w)).collect();
    let mut command = common::cityconform(&args.iter().map(String::as_str).collect::<Vec<_>>());
    command.current_dir(match &line.cd {
        Some(dir) => common::root().join(dir),
        None => sandbox.dir.path().to_path_buf(),
    });
    match &line.stdin {
        Some(producer) => {
            let file = std::fs::File::open(sandbox.map(producer)).expect("producer's fixture");
            command.stdin(Stdio::from(file));
        }
        None => {
            command.stdin(Stdio::null());
        }
    }
    common::watchdog::run(command, Duration::from_secs(120))
}

/// `serve-reference` runs until stopped: it must come up and write its
/// target, then it is stopped.
fn serve_until_its_target_is_written(sandbox: &Sandbox, line: &Line) {
    let args: Vec<String> = line.words.iter().map(|w| sandbox.map(w)).collect();
    let folder = args
        .iter()
        .skip_while(|w| *w != "--write-target")
        .nth(1)
        .expect("--write-target FOLDER");
    let written = sandbox.dir.path().join(folder).join("target.toml");
    let mut child: std::process::Child = Command::new(env!("CARGO_BIN_EXE_cityconform"))
        .args(&args)
        .current_dir(sandbox.dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("serve-reference starts");
    let start = Instant::now();
    while !written.is_file() && start.elapsed() < Duration::from_secs(60) {
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "README line {}: serve-reference exited with {status}",
                line.number
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        written.is_file(),
        "README line {}: no target written at {}",
        line.number,
        written.display()
    );
}

fn check_line(sandbox: &Sandbox, line: &Line) {
    if line.words.first().map(String::as_str) == Some("serve-reference") {
        return serve_until_its_target_is_written(sandbox, line);
    }
    let output = run_line(sandbox, line);
    let text = common::transcript(&output);
    let shown = format!(
        "README line {}: cityconform {}\n{text}",
        line.number,
        line.words.join(" ")
    );
    if Sandbox::needs_a_platform(&line.words) {
        // Parsed, started, and stopped only by the platform's absence.
        assert_eq!(output.status.code(), Some(1), "{shown}");
        assert!(text.contains("cannot be reached"), "{shown}");
        return;
    }
    let expected: &[i32] = match line.words.first().map(String::as_str) {
        Some(
            "verify" | "init" | "keygen" | "completions" | "manpage" | "schemas" | "requirements"
            | "profiles" | "lists" | "demo",
        ) => &[0],
        _ => &[0, 1],
    };
    assert!(
        output
            .status
            .code()
            .is_some_and(|code| expected.contains(&code)),
        "expected exit {expected:?}: {shown}"
    );
    assert!(!output.stdout.is_empty(), "nothing printed: {shown}");
}

#[test]
fn every_runnable_readme_command_runs_with_its_placeholders_mapped() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).expect("README");
    let blocks = runnable_lines(&readme);
    let commands: usize = blocks.iter().map(Vec::len).sum();
    assert!(
        commands >= 35,
        "only {commands} runnable commands found: are the markers in place?"
    );
    for block in &blocks {
        let sandbox = Sandbox::new(&readme);
        for line in block {
            check_line(&sandbox, line);
        }
    }
}

#[test]
fn every_placeholder_in_the_table_names_a_fixture_that_exists() {
    for (name, place) in PLACEHOLDERS {
        if !place.starts_with("sandbox:") {
            assert!(common::root().join(place).exists(), "{name} -> {place}");
        }
    }
}
