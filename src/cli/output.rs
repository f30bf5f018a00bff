//! Output shared by the subcommands that produce a report: the stdout
//! format, report files, quiet mode, colour, progress and the pinned time.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use cityconform::ExitCode;
use cityconform::dates::Day;
use cityconform::engine::Progress;
use cityconform::error::{Error, FileProblem};
use cityconform::harness::{Harness, HarnessOptions, Job};
use cityconform::model::{Provenance, Report};
use cityconform::report::{self, Format, TextOptions};
use clap::Args;
use ed25519_dalek::SigningKey;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use miette::{GraphicalReportHandler, GraphicalTheme};

use super::ColorChoice;

/// Output arguments of a reporting command.
#[derive(Debug, Args)]
pub(crate) struct OutputArgs {
    /// Format written to standard output: text, json, junit, sarif,
    /// markdown or html [default: text]. Written even with --quiet when
    /// given.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    format: Option<Format>,

    /// Also write a report file, as FORMAT=PATH (text, json, junit, sarif,
    /// markdown, html); repeatable. Files are written whole or not at all.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report)]
    reports: Vec<(Format, PathBuf)>,

    /// No progress and no text summary; errors still go to standard error
    /// (with the findings that could not be checked), and a --format given
    /// is still written. The exit code and report files tell the result.
    #[arg(long, short)]
    pub(crate) quiet: bool,

    /// Colour text output.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    color: ColorChoice,

    /// Findings listed per requirement in text output.
    #[arg(long, value_name = "N", default_value_t = 20)]
    max_findings: usize,

    /// Text output shows only what needs fixing: findings, and the profile
    /// rows that failed, errored or warned.
    #[arg(long)]
    failures_only: bool,

    /// What fails the run (exit 1): `must`, a MUST requirement broken or
    /// unchecked (the default); `warn`, also a SHOULD or MAY broken.
    #[arg(long, value_name = "LEVEL", default_value = "must", value_parser = ["must", "warn"])]
    fail_on: String,

    /// Findings listed per (profile, requirement), the rest counted and
    /// reported as left out; counts and verdicts stay exact [default: 1000,
    /// or the configuration's keep_findings].
    #[arg(long, value_name = "N")]
    pub(crate) keep_findings: Option<usize>,

    /// Judge dated law (lists of adequate countries, recognitions,
    /// certifications' validity) as it stands on this day, YYYY-MM-DD
    /// [default: the day of the report time: today, or SOURCE_DATE_EPOCH
    /// when set]. Every report format names it.
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    pub(crate) as_of: Option<Day>,

    /// Sign the report with this Ed25519 private key (PKCS#8 PEM, as
    /// `cityconform keygen` writes); the JSON report then carries the
    /// signature and the digests it covers.
    #[arg(long, value_name = "KEY")]
    sign_key: Option<PathBuf>,
}

/// An evaluation date from the command line.
pub(crate) fn parse_day(text: &str) -> Result<Day, String> {
    Day::parse(text)
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse()
}

pub(crate) fn parse_report(text: &str) -> Result<(Format, PathBuf), String> {
    let (format, path) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not FORMAT=PATH, e.g. json=report.json"))?;
    if path.is_empty() {
        return Err(format!("`{text}` names no file"));
    }
    Ok((format.parse()?, PathBuf::from(path)))
}

impl OutputArgs {
    /// Adds report files (from a configuration) after those on the command
    /// line.
    pub(crate) fn add_reports(&mut self, reports: &[(Format, PathBuf)]) {
        self.reports.extend_from_slice(reports);
    }

    /// What these arguments change in a run's harness: the findings
    /// kept and the evaluation date, when given.
    pub(crate) fn apply(&self, options: &mut HarnessOptions) {
        if self.keep_findings.is_some() {
            options.keep_findings = self.keep_findings;
        }
        if self.as_of.is_some() {
            options.as_of = self.as_of;
        }
    }

    /// Whether the report is to be signed.
    pub(crate) fn signs(&self) -> bool {
        self.sign_key.is_some()
    }

    /// The signing key, read before any work so that a bad key fails fast.
    /// Only the JSON report carries a signature, so a key without a JSON
    /// report (a file, or `--format json`) is refused: it would sign
    /// nothing while the other formats said "signed".
    pub(crate) fn signing_key(&self) -> Result<Option<SigningKey>, Error> {
        let json = self.format == Some(Format::Json)
            || self.reports.iter().any(|(f, _)| *f == Format::Json);
        if self.sign_key.is_some() && !json {
            return Err(Error::Usage(
                "--sign-key signs the JSON report, and no JSON report is written: \
                 add --report json=PATH (or a json report in cityconform.toml)"
                    .to_owned(),
            ));
        }
        self.sign_key
            .as_deref()
            .map(cityconform::attest::keys::read_signing_key)
            .transpose()
    }

    /// Refuses report paths that would overwrite an input (a target's
    /// token files included) or each other, or that name something a
    /// report cannot replace (a directory, a socket).
    pub(crate) fn check_paths(&self, inputs: &[PathBuf]) -> Result<(), Error> {
        for (i, (_, path)) in self.reports.iter().enumerate() {
            if let Some(blocker) = report::folder_blocker(path) {
                return Err(Error::Usage(format!(
                    "report file `{}` cannot be written: `{}` is a file, not a folder",
                    path.display(),
                    blocker.display()
                )));
            }
            report::report_destination(path)?;
            if inputs.iter().any(|input| same_file(input, path)) {
                return Err(Error::Usage(format!(
                    "report file `{}` is also an input; choose another path",
                    path.display()
                )));
            }
            if self.reports[..i].iter().any(|(_, earlier)| earlier == path) {
                return Err(Error::Usage(format!(
                    "report file `{}` is named twice",
                    path.display()
                )));
            }
        }
        Ok(())
    }

    /// The run's exit code: the report's, raised to 1 under `--fail-on
    /// warn` when a SHOULD or MAY requirement broke in a run that would
    /// otherwise pass (said on standard error, since the report reads
    /// "met").
    pub(crate) fn exit_code(&self, report: &Report) -> ExitCode {
        let code = report.exit_code();
        if self.fail_on != "warn" || code != ExitCode::Met {
            return code;
        }
        let warned = report
            .profiles
            .iter()
            .flat_map(|p| &p.results)
            .filter(|r| r.verdict == cityconform::model::Verdict::Warn)
            .count();
        if warned == 0 {
            return code;
        }
        if !self.quiet {
            super::note(&format!(
                "cityconform: --fail-on warn: {warned} SHOULD or MAY requirement result{} broken, so exit code 1\n",
                if warned == 1 { "" } else { "s" }
            ));
        }
        ExitCode::NotMet
    }

    /// Writes the report files, then standard output, from one view of
    /// the report.
    pub(crate) fn emit(&self, report: &Report) -> Result<(), Error> {
        let view = report::View::new(report);
        for (format, path) in &self.reports {
            report::write_view_file(&view, *format, path)?;
        }
        if self.quiet {
            super::note(&errors_of(report));
            if self.format.is_none() {
                return Ok(());
            }
        }
        let format = self.format.unwrap_or(Format::Text);
        let mut buffer = Vec::new();
        let text = TextOptions {
            color: self.color.enabled(),
            max_findings: self.max_findings,
            failures_only: self.failures_only,
            heading: None,
        };
        report::render_view(&view, format, text, &mut buffer)
            .map_err(|e| Error::Internal(format!("rendering the report failed: {e}")))?;
        super::print(&String::from_utf8_lossy(&buffer))
    }
}

/// Most findings [`errors_of`] lists before counting the rest.
const QUIET_ERRORS_LISTED: usize = 20;

/// The findings that could not be checked (verdict `error` under some
/// profile), one `error:` line each, for standard error in quiet mode: a
/// quiet run that exits 2 or leaves a MUST unchecked still says why.
fn errors_of(report: &Report) -> String {
    let errors: Vec<_> = report
        .findings
        .iter()
        .filter(|f| {
            f.verdicts
                .values()
                .any(|v| *v == cityconform::model::Verdict::Error)
        })
        .collect();
    let mut text = String::new();
    for finding in errors.iter().take(QUIET_ERRORS_LISTED) {
        text.push_str(&format!(
            "error: {}: {} ({})\n",
            finding.location, finding.message, finding.requirement
        ));
    }
    if errors.len() > QUIET_ERRORS_LISTED {
        text.push_str(&format!(
            "error: and {} more that could not be checked (see the report)\n",
            errors.len() - QUIET_ERRORS_LISTED
        ));
    }
    text
}

/// Whether `a` and `b` name the same file: equal as given, or, when both
/// exist, the same file once links and `..` are resolved.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(x), Ok(y)) if x == y
        )
}

/// The one way a command runs a job: every report path checked against
/// the job's inputs and the key read before anything runs, the harness
/// loaded once, the job run, the report signed and written. A signed
/// report's provenance names `besides` (files read to know how to read the
/// inputs) and `target` (the live platform, if any).
pub(crate) fn run_job(
    job: &Job,
    options: HarnessOptions,
    output: &OutputArgs,
    progress: &dyn Progress,
    besides: &[PathBuf],
    target: impl FnOnce(&Report) -> Option<String>,
) -> Result<ExitCode, Error> {
    output.check_paths(&job.inputs())?;
    let key = output.signing_key()?;
    let mut options = options;
    output.apply(&mut options);
    let harness = Harness::load(options)?;
    schema_warnings(harness.registry().warnings());
    let mut report = harness.run(job, progress)?;
    sign(&mut report, key.as_ref(), |report| {
        harness.provenance(report, besides, target(report))
    })?;
    output.emit(&report)?;
    Ok(output.exit_code(&report))
}

/// Each warning, on stderr before the run: a schema replacement (a user
/// schema that replaces a bundled one or another user's changes
/// verdicts), a raw recording.
pub(crate) fn schema_warnings(warnings: &[String]) {
    let mut stderr = std::io::stderr().lock();
    for warning in warnings {
        let _ = writeln!(stderr, "warning: {warning}");
    }
}

/// Signs `report` with `key` when there is one, recording its provenance
/// first if the command has not.
pub(crate) fn sign(
    report: &mut Report,
    key: Option<&SigningKey>,
    provenance: impl FnOnce(&Report) -> Result<Provenance, Error>,
) -> Result<(), Error> {
    let Some(key) = key else {
        return Ok(());
    };
    if report.provenance.is_none() {
        report.provenance = Some(provenance(report)?);
    }
    cityconform::attest::sign(report, key)
}

/// Progress on stderr, never in quiet mode: a bar on a terminal; in CI
/// (`CI` set) or when stderr is not a terminal, a heartbeat line every
/// [`HEARTBEAT`] (what is done, of how much, at what rate), so that a long
/// run in a pipeline log shows it is alive.
pub(crate) struct TerminalProgress {
    show: Show,
    unit: Unit,
}

enum Show {
    Bar(ProgressBar),
    Heartbeat(std::sync::Mutex<Beat>),
    Nothing,
}

/// What the work is counted in.
#[derive(Clone, Copy)]
enum Unit {
    /// Bytes of input read (payloads, datasets).
    Bytes,
    /// Checks run (a live audit's requests and cases).
    Checks,
}

/// The heartbeat's count.
struct Beat {
    started: std::time::Instant,
    last: std::time::Instant,
    done: u64,
    total: u64,
}

/// How often the heartbeat speaks; `CITYCONFORM_HEARTBEAT_SECONDS`
/// changes it (0 speaks at every step, for tests).
const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(5);

impl TerminalProgress {
    /// Progress over bytes of input.
    pub(crate) fn new(quiet: bool) -> Self {
        Self::counting(quiet, Unit::Bytes)
    }

    /// Progress over checks (a live audit).
    pub(crate) fn checks(quiet: bool) -> Self {
        Self::counting(quiet, Unit::Checks)
    }

    fn counting(quiet: bool, unit: Unit) -> Self {
        let terminal = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let show = if quiet {
            Show::Nothing
        } else if terminal {
            Show::Bar(ProgressBar::with_draw_target(
                None,
                ProgressDrawTarget::stderr(),
            ))
        } else {
            let now = std::time::Instant::now();
            Show::Heartbeat(std::sync::Mutex::new(Beat {
                started: now,
                last: now,
                done: 0,
                total: 0,
            }))
        };
        TerminalProgress { show, unit }
    }

    fn interval() -> std::time::Duration {
        std::env::var("CITYCONFORM_HEARTBEAT_SECONDS")
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or(HEARTBEAT, std::time::Duration::from_secs)
    }
}

impl Beat {
    /// `cityconform: 12.0 MB of 40.0 MB read (3.1 MB/s, 4 s)`.
    fn line(&self, unit: Unit) -> String {
        let seconds = self.started.elapsed().as_secs_f64().max(0.001);
        let rate = self.done as f64 / seconds;
        match unit {
            Unit::Bytes => format!(
                "cityconform: {} of {} read ({}/s, {:.0} s)\n",
                megabytes(self.done),
                megabytes(self.total),
                megabytes(rate as u64),
                seconds
            ),
            Unit::Checks => format!(
                "cityconform: {} of {} checks done ({:.1}/s, {:.0} s)\n",
                self.done, self.total, rate, seconds
            ),
        }
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

impl Progress for TerminalProgress {
    /// On stderr unless quiet, above the bar if one is drawn.
    fn note(&self, text: &str) {
        let line = format!("{text}\n");
        match &self.show {
            Show::Bar(bar) => bar.suspend(|| super::note(&line)),
            Show::Heartbeat(_) => super::note(&line),
            Show::Nothing => {}
        }
    }

    fn start(&self, total: u64) {
        match &self.show {
            Show::Bar(bar) => {
                bar.set_length(total);
                let template = match self.unit {
                    Unit::Bytes => {
                        "{spinner} {bytes}/{total_bytes} {wide_bar} {bytes_per_sec} eta {eta}"
                    }
                    Unit::Checks => "{spinner} {pos}/{len} checks {wide_bar} {elapsed}",
                };
                if let Ok(style) = ProgressStyle::with_template(template) {
                    bar.set_style(style);
                }
            }
            Show::Heartbeat(beat) => {
                if let Ok(mut beat) = beat.lock() {
                    beat.total = total;
                }
            }
            Show::Nothing => {}
        }
    }

    fn advance(&self, done: u64) {
        match &self.show {
            Show::Bar(bar) => bar.inc(done),
            Show::Heartbeat(beat) => {
                let Ok(mut beat) = beat.lock() else {
                    return;
                };
                beat.done += done;
                if beat.last.elapsed() >= Self::interval() {
                    beat.last = std::time::Instant::now();
                    super::note(&beat.line(self.unit));
                }
            }
            Show::Nothing => {}
        }
    }

    fn finish(&self) {
        if let Show::Bar(bar) = &self.show {
            bar.finish_and_clear();
        }
    }
}

/// The report time: `SOURCE_DATE_EPOCH` when set (reproducible reports),
/// otherwise now; RFC 3339 UTC with seconds.
pub(crate) fn generated_at() -> Result<String, Error> {
    let time = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(text) => {
            let seconds: i64 = text.trim().parse().map_err(|_| {
                Error::Usage(format!(
                    "SOURCE_DATE_EPOCH `{text}` is not a whole number of seconds since 1970"
                ))
            })?;
            chrono::DateTime::from_timestamp(seconds, 0).ok_or_else(|| {
                Error::Usage(format!("SOURCE_DATE_EPOCH `{text}` is out of range"))
            })?
        }
        Err(_) => chrono::Utc::now(),
    };
    Ok(time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// Problems in the user's files as `miette` renders them, one after the
/// other: `error:` and the message, then, where the problem keeps its
/// line, `file:line:column` over that line with a caret under the
/// offending key or value, then the help line. Drawn in ASCII, coloured
/// only on a terminal without `NO_COLOR`.
pub(crate) fn problems(problems: &[FileProblem]) -> String {
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut theme = if colour {
        GraphicalTheme::ascii()
    } else {
        GraphicalTheme::none()
    };
    theme.characters.error = "error:".to_owned();
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_context_lines(0)
        .with_wrap_lines(false)
        .with_links(false);
    let mut out = String::new();
    for (i, problem) in problems.iter().enumerate() {
        if i > 0 && (problem.snippet.is_some() || problems[i - 1].snippet.is_some()) {
            out.push('\n');
        }
        let mut text = String::new();
        match handler.render_report(&mut text, &problem.diagnostic()) {
            // miette indents the headline; every error starts at the margin.
            Ok(()) => out.push_str(text.strip_prefix("  ").unwrap_or(&text)),
            Err(_) => out.push_str(&format!("error: {problem}\n")),
        }
    }
    out
}
