//! `cityconform.toml`: a platform repository's configuration for
//! `cityconform check`. The file is checked against
//! `schemas/tool/config.schema.json` before it is read, and every later
//! problem (an unknown profile, a glob that matches nothing, a bad waiver)
//! names the key and the line it sits on.
//!
//! Owns the file's shape and its resolution into paths and [`Job`]s;
//! running the jobs is [`crate::harness`]'s.

mod template;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jsonschema::error::ValidationErrorKind;
use serde::Deserialize;

pub use template::{TEMPLATE, find_payloads, for_folder};

use crate::catalog::{SuiteText, TomlSource, parse_checked_with, tool_schema};
use crate::dates::Day;
use crate::error::{Error, FileProblem, Result};
use crate::live::target::ApiKind;
use crate::report::Format;
use crate::schema::UriMapping;
use crate::waiver::{SubjectPattern, Waiver};

/// The file `cityconform check` reads when none is named.
pub const DEFAULT_FILE: &str = "cityconform.toml";

/// The file as written (after the format schema accepted it).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    profiles: Option<Vec<String>>,
    #[serde(default)]
    suites: Vec<String>,
    #[serde(default)]
    schemas: SchemasSection,
    payloads: Option<PayloadsSection>,
    #[serde(default)]
    datasets: Vec<DatasetSection>,
    #[serde(default)]
    declarations: Vec<DeclarationSection>,
    target: Option<TargetSection>,
    #[serde(default)]
    reports: BTreeMap<String, String>,
    #[serde(default)]
    waivers: Vec<WaiverSection>,
    keep_findings: Option<usize>,
    as_of: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemasSection {
    #[serde(default)]
    dirs: Vec<String>,
    #[serde(default)]
    map_uri: BTreeMap<String, String>,
    #[serde(default)]
    strict_formats: bool,
    #[serde(default)]
    allow_fetch: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PayloadsSection {
    paths: Vec<String>,
    schema: Option<String>,
    #[serde(default)]
    requirements: Vec<String>,
    declaration: Option<String>,
    representation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DatasetSection {
    data: String,
    descriptor: Option<String>,
    schema: Option<String>,
    #[serde(default)]
    requirements: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeclarationSection {
    path: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetSection {
    url: Option<String>,
    file: Option<String>,
    ca_cert: Option<String>,
    #[serde(default)]
    requirements: Vec<String>,
    wait: Option<u64>,
    record: Option<String>,
    api: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WaiverSection {
    id: Option<String>,
    requirement: String,
    subject: Option<String>,
    justification: String,
    approved_by: String,
    expires: String,
}

pub use crate::harness::{
    DatasetJob, DeclarationJob, Job, PayloadsJob, Roles, TargetJob, TargetRef,
};

/// A loaded configuration: paths resolved against the file's folder.
#[derive(Debug)]
pub struct Config {
    /// The configuration file, as named.
    pub path: PathBuf,
    /// Profiles, in report order.
    pub profiles: Vec<String>,
    /// Suite overlay folders.
    pub suites: Vec<PathBuf>,
    /// Extra schema folders.
    pub schema_dirs: Vec<PathBuf>,
    /// Remote base URIs served from local folders.
    pub mappings: Vec<UriMapping>,
    /// Assert `format`.
    pub strict_formats: bool,
    /// Fetch referenced schemas nothing local provides.
    pub allow_fetch: bool,
    /// What to run, in file order: payloads, datasets, declarations, target.
    pub jobs: Vec<Job>,
    /// Report files to write.
    pub reports: Vec<(Format, PathBuf)>,
    /// Waivers, in file order.
    pub waivers: Vec<Waiver>,
    /// Findings listed per (profile, requirement), when set.
    pub keep_findings: Option<usize>,
    /// The evaluation date, when set (`--as-of` overrides it).
    pub as_of: Option<Day>,
    source: TomlSource,
}

impl Config {
    /// The harness this configuration runs on, at report time
    /// `generated_at`.
    pub fn harness_options(&self, generated_at: &str) -> crate::harness::HarnessOptions {
        crate::harness::HarnessOptions {
            suites: self.suites.clone(),
            schemas: crate::schema::SchemaOptions {
                dirs: self.schema_dirs.clone(),
                mappings: self.mappings.clone(),
                allow_fetch: self.allow_fetch,
                strict_formats: self.strict_formats,
            },
            profiles: self.profiles.clone(),
            generated_at: generated_at.to_owned(),
            as_of: self.as_of,
            keep_findings: self.keep_findings,
        }
    }

    /// Where `check` finds its configuration when none is named: the file
    /// `CITYCONFORM_CONFIG` names, else the nearest [`DEFAULT_FILE`] in
    /// `start` or a folder above it, stopping at the repository's root (the
    /// folder holding `.git`), else [`DEFAULT_FILE`] in `start` (whose
    /// absence `load` then explains).
    pub fn discover(start: &Path) -> PathBuf {
        if let Some(named) = std::env::var_os("CITYCONFORM_CONFIG").filter(|v| !v.is_empty()) {
            return PathBuf::from(named);
        }
        // Walk up by `..` rather than by absolute paths, so that the
        // file's folder, and every path in the report, stays relative.
        let absolute = if start.as_os_str().is_empty() {
            Path::new(".")
        } else {
            start
        };
        let levels = std::fs::canonicalize(absolute).map_or(1, |p| p.ancestors().count());
        let mut here = start.to_path_buf();
        for _ in 0..levels {
            let candidate = here.join(DEFAULT_FILE);
            if candidate.is_file() {
                return candidate;
            }
            if here.join(".git").exists() {
                break;
            }
            here = here.join("..");
        }
        start.join(DEFAULT_FILE)
    }

    /// Reads, checks and resolves the configuration at `path`.
    pub fn load(path: &Path) -> Result<Config> {
        crate::files::refuse_special(path)?;
        let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::Usage(format!(
                "no configuration at `{}`\n  help: write a starting one with `cityconform init`, or name one with --config",
                path.display()
            )),
            _ => Error::read(path, e),
        })?;
        Config::parse(path, &text)
    }

    /// Checks and resolves configuration `text` read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config> {
        let name = path.display().to_string();
        let file = SuiteText {
            name: name.clone(),
            text: text.to_owned(),
        };
        let schema = tool_schema("config.schema.json")?;
        let (parsed, source): (ConfigFile, TomlSource) =
            parse_checked_with(&file, &schema, config_problem).map_err(with_config_help)?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Resolver {
            base: &base,
            source,
            problems: Vec::new(),
        }
        .resolve(path, parsed)
    }

    /// Narrows the run to `files` (a pre-commit hook's staged files, say):
    /// payload files the `[payloads]` section names (directly, by a glob,
    /// or under a folder it names), and the datasets and declarations
    /// whose data, descriptor or declaration file is among them. Files the
    /// configuration does not name are not checked at all: a `package.json`
    /// beside the payloads is nobody's payload. The live target is never
    /// run: it is not a file. Returns how many of `files` were kept.
    pub fn narrow_to_files(&mut self, files: &[PathBuf]) -> usize {
        let wanted: Vec<PathBuf> = files.iter().filter_map(|f| canonical(f)).collect();
        let named = |path: &Path| canonical(path).is_some_and(|p| wanted.contains(&p));
        let mut kept: Vec<PathBuf> = Vec::new();
        self.jobs.retain_mut(|job| match job {
            Job::Payloads(payloads) => {
                let roots: Vec<PathBuf> =
                    payloads.files.iter().filter_map(|f| canonical(f)).collect();
                let chosen: Vec<PathBuf> = files
                    .iter()
                    .filter(|f| {
                        canonical(f)
                            .is_some_and(|c| c.is_file() && roots.iter().any(|r| c.starts_with(r)))
                    })
                    .cloned()
                    .collect();
                kept.extend(chosen.iter().filter_map(|f| canonical(f)));
                payloads.files = chosen;
                !payloads.files.is_empty()
            }
            Job::Dataset(dataset) => {
                let inputs = job_inputs_named(&Job::Dataset(dataset.clone()), &named);
                kept.extend(inputs.iter().filter_map(|f| canonical(f)));
                !inputs.is_empty()
            }
            Job::Declaration(declaration) => {
                let hit = named(&declaration.path);
                if hit {
                    kept.extend(canonical(&declaration.path));
                }
                hit
            }
            Job::Target(_) => false,
        });
        kept.sort();
        kept.dedup();
        kept.len()
    }

    /// A problem at `pointer` in this file, with its line.
    pub fn problem(&self, pointer: &str, message: impl Into<String>) -> FileProblem {
        self.source.problem(pointer, message)
    }
}

const CONFIG_HELP: &str = "see `cityconform schemas --tool config` for the format, or `cityconform init` for a commented example";

/// A violation of the configuration's schema, with the configuration's
/// help. The schema's only top-level `anyOf` asks for a job, so failing it
/// at the root means the file names nothing to check.
fn config_problem(error: &jsonschema::ValidationError<'_>, problem: FileProblem) -> FileProblem {
    let at_root = error.instance_path().as_str().is_empty();
    if let ValidationErrorKind::AdditionalProperties { unexpected } = error.kind() {
        let key = unexpected.first().map_or("", String::as_str);
        let known = known_keys(error.instance_path().as_str());
        let suggestion = crate::suggest::did_you_mean(key, known.iter().map(String::as_str));
        return FileProblem {
            message: format!("unknown key `{key}`"),
            ..problem
        }
        .with_help(format!(
            "{suggestion}the keys here are: {}; see `cityconform schemas --tool config`",
            known.join(", ")
        ));
    }
    if at_root && matches!(error.kind(), ValidationErrorKind::AnyOf { .. }) {
        FileProblem {
            message: "names nothing to check".to_owned(),
            ..problem
        }
        .with_help("add a [payloads] section, [[datasets]], [[declarations]] or a [target]")
    } else {
        problem.with_help(CONFIG_HELP)
    }
}

/// The keys the configuration's schema allows in the table at `pointer`
/// (`/payloads`, `/waivers/0`): what a misspelt key is compared with.
fn known_keys(pointer: &str) -> Vec<String> {
    let schema: serde_json::Value = crate::embedded::SCHEMAS
        .get_file("tool/config.schema.json")
        .and_then(|f| f.contents_utf8())
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    let mut node = &schema;
    for segment in pointer.split('/').filter(|s| !s.is_empty()) {
        let next = if segment.parse::<usize>().is_ok() {
            node.get("items")
        } else {
            node.get("properties").and_then(|p| p.get(segment))
        };
        match next {
            Some(found) => node = found,
            None => return Vec::new(),
        }
    }
    node.get("properties")
        .and_then(serde_json::Value::as_object)
        .map(|properties| properties.keys().cloned().collect())
        .unwrap_or_default()
}

/// The configuration's help on a problem that has none: the file is not
/// TOML, or its content does not fit.
fn with_config_help(error: Error) -> Error {
    match error {
        Error::File(problem) if problem.help.is_none() => {
            Error::File(Box::new(problem.with_help(CONFIG_HELP)))
        }
        other => other,
    }
}

/// Turns the file's strings into paths, jobs and waivers, gathering every
/// problem before failing.
struct Resolver<'a> {
    base: &'a Path,
    source: TomlSource,
    problems: Vec<FileProblem>,
}

impl Resolver<'_> {
    fn resolve(mut self, path: &Path, file: ConfigFile) -> Result<Config> {
        let suites = self.folders("/suites", &file.suites);
        let schema_dirs = self.folders("/schemas/dirs", &file.schemas.dirs);
        let mappings = self.mappings(&file.schemas.map_uri);
        let mut jobs = Vec::new();
        if let Some(payloads) = &file.payloads {
            jobs.push(Job::Payloads(self.payloads(payloads)));
        }
        for (i, dataset) in file.datasets.iter().enumerate() {
            let data = self.file(&format!("/datasets/{i}/data"), &dataset.data);
            let roles = match &dataset.descriptor {
                Some(descriptor) => {
                    Roles::Descriptor(self.file(&format!("/datasets/{i}/descriptor"), descriptor))
                }
                None => Roles::Schema(dataset.schema.clone()),
            };
            jobs.push(Job::Dataset(DatasetJob {
                data,
                roles,
                requirements: dataset.requirements.clone(),
                pointer: format!("/datasets/{i}"),
                engine: crate::dataset::Engine::default(),
            }));
        }
        for (i, declaration) in file.declarations.iter().enumerate() {
            jobs.push(Job::Declaration(DeclarationJob {
                path: self.file(&format!("/declarations/{i}/path"), &declaration.path),
                pointer: format!("/declarations/{i}"),
            }));
        }
        if let Some(section) = &file.target {
            // The schema allows `url` or `file`, never both; a URL alone is
            // a public API, audited without credentials.
            let target = match (&section.url, &section.file) {
                (Some(url), _) => {
                    if let Err(error) = crate::live::target::open(url, None) {
                        self.problem(
                            "/target/url",
                            error.to_string(),
                            "name the public API's base URL, or a target file with `file = ...`",
                        );
                    }
                    TargetRef::Url(url.clone())
                }
                (None, Some(file)) => TargetRef::File(self.file("/target/file", file)),
                (None, None) => TargetRef::Url(String::new()),
            };
            let ca_cert = section
                .ca_cert
                .as_ref()
                .map(|ca| self.file("/target/ca_cert", ca));
            jobs.push(Job::Target(TargetJob {
                target,
                ca_cert,
                requirements: section.requirements.clone(),
                pointer: "/target".to_owned(),
                wait: section.wait.map(std::time::Duration::from_secs),
                record: section.record.as_ref().map(|path| self.base.join(path)),
                record_raw: false,
                api: section.api.as_deref().and_then(ApiKind::from_name),
                now: None,
            }));
        }
        let reports = self.reports(&file.reports);
        let waivers = self.waivers(&file.waivers);
        let as_of = file.as_of.as_deref().and_then(|text| {
            Day::parse(text)
                .map_err(|message| {
                    self.problem(
                        "/as_of",
                        message,
                        "the day dated law is read on, such as as_of = 2026-01-31",
                    )
                })
                .ok()
        });
        if !self.problems.is_empty() {
            return Err(Error::Files(self.problems));
        }
        Ok(Config {
            path: path.to_path_buf(),
            profiles: file.profiles.unwrap_or_else(|| vec!["baseline".to_owned()]),
            suites,
            schema_dirs,
            mappings,
            strict_formats: file.schemas.strict_formats,
            allow_fetch: file.schemas.allow_fetch,
            jobs,
            reports,
            waivers,
            keep_findings: file.keep_findings,
            as_of,
            source: self.source,
        })
    }

    fn problem(&mut self, pointer: &str, message: String, help: &str) {
        self.problems
            .push(self.source.problem(pointer, message).with_help(help));
    }

    /// `name` resolved against the config's folder; a problem when it is
    /// not a file, so that a typo is reported with its line before any run.
    fn file(&mut self, pointer: &str, name: &str) -> PathBuf {
        let path = self.base.join(name);
        if !path.is_file() {
            self.problem(
                pointer,
                format!("file `{}` does not exist", path.display()),
                "paths are relative to the folder holding cityconform.toml",
            );
        }
        path
    }

    fn folders(&mut self, pointer: &str, dirs: &[String]) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for (i, dir) in dirs.iter().enumerate() {
            let path = self.base.join(dir);
            if !path.is_dir() {
                self.problem(
                    &format!("{pointer}/{i}"),
                    format!("folder `{}` does not exist", path.display()),
                    "paths are relative to the folder holding cityconform.toml",
                );
            }
            out.push(path);
        }
        out
    }

    fn mappings(&mut self, map: &BTreeMap<String, String>) -> Vec<UriMapping> {
        let mut out = Vec::new();
        for (prefix, dir) in map {
            let path = self.base.join(dir);
            if !path.is_dir() {
                self.problem(
                    &format!(
                        "/schemas/map_uri/{}",
                        prefix.replace('~', "~0").replace('/', "~1")
                    ),
                    format!(
                        "folder `{}` (for `{prefix}`) does not exist",
                        path.display()
                    ),
                    "paths are relative to the folder holding cityconform.toml",
                );
            }
            out.push(UriMapping {
                prefix: prefix.clone(),
                dir: path,
            });
        }
        out
    }

    fn payloads(&mut self, section: &PayloadsSection) -> PayloadsJob {
        let mut files: Vec<PathBuf> = Vec::new();
        for (i, pattern) in section.paths.iter().enumerate() {
            let pointer = format!("/payloads/paths/{i}");
            match expand(self.base, pattern) {
                Ok(matched) if matched.is_empty() => self.problem(
                    &pointer,
                    format!("`{pattern}` matches no file"),
                    "paths and globs are relative to the folder holding cityconform.toml; an empty pattern is a mistake, not a pass",
                ),
                Ok(matched) => {
                    for path in matched {
                        if !files.contains(&path) {
                            files.push(path);
                        }
                    }
                }
                Err(message) => self.problem(&pointer, message, "use `*`, `?`, `[...]` and `**` for any depth"),
            }
        }
        let declaration = section
            .declaration
            .as_ref()
            .map(|path| self.file("/payloads/declaration", path));
        let representation = match section.representation.as_deref().map(str::parse) {
            None => Default::default(),
            Some(Ok(declared)) => declared,
            Some(Err(message)) => {
                self.problem(
                    "/payloads/representation",
                    message,
                    "leave it out to tell each record's form from its content",
                );
                Default::default()
            }
        };
        PayloadsJob {
            representation,
            files,
            schema: section.schema.clone(),
            requirements: section.requirements.clone(),
            declaration,
            pointer: "/payloads".to_owned(),
        }
    }

    fn reports(&mut self, reports: &BTreeMap<String, String>) -> Vec<(Format, PathBuf)> {
        let mut out = Vec::new();
        for format in Format::ALL {
            let Some(path) = reports.get(format.as_str()) else {
                continue;
            };
            let path = self.base.join(path);
            if let Some(blocker) = crate::report::folder_blocker(&path) {
                self.problem(
                    &format!("/reports/{}", format.as_str()),
                    format!(
                        "report folder cannot be made: `{}` is a file",
                        blocker.display()
                    ),
                    "write the report elsewhere, or move the file away",
                );
            }
            out.push((format, path));
        }
        out
    }

    /// A waiver's words must say something: a blank justification or
    /// approver would let an exception through that nobody explained.
    fn require_text(&mut self, pointer: &str, text: &str, help: &str) {
        if text.trim().is_empty() {
            let field = pointer.rsplit('/').next().unwrap_or(pointer);
            self.problem(pointer, format!("`{field}` is blank"), help);
        }
    }

    fn waivers(&mut self, sections: &[WaiverSection]) -> Vec<Waiver> {
        let mut out: Vec<Waiver> = Vec::new();
        for (i, section) in sections.iter().enumerate() {
            let pointer = format!("/waivers/{i}");
            let id = section
                .id
                .clone()
                .unwrap_or_else(|| format!("{}#{}", section.requirement, i + 1));
            if out.iter().any(|w| w.id == id) {
                self.problem(
                    &format!("{pointer}/id"),
                    format!("waiver ID `{id}` is used twice"),
                    "give each waiver its own ID",
                );
            }
            self.require_text(
                &format!("{pointer}/justification"),
                &section.justification,
                "say why the break is accepted, and what ends it",
            );
            self.require_text(
                &format!("{pointer}/approved_by"),
                &section.approved_by,
                "name who accepted the exception (a person or a role)",
            );
            let expires = match chrono::NaiveDate::parse_from_str(&section.expires, "%Y-%m-%d") {
                Ok(date) => date,
                Err(_) => {
                    self.problem(
                        &format!("{pointer}/expires"),
                        format!("`{}` is not a calendar date", section.expires),
                        "write the last day the waiver holds, such as 2027-06-30",
                    );
                    continue;
                }
            };
            let subject = match section
                .subject
                .as_deref()
                .map(|s| SubjectPattern::new(s, self.base))
            {
                None => None,
                Some(Ok(pattern)) => Some(pattern),
                Some(Err(message)) => {
                    self.problem(
                        &format!("{pointer}/subject"),
                        message,
                        "use `*`, `?`, `[...]` and `**` for any depth",
                    );
                    continue;
                }
            };
            out.push(Waiver {
                id,
                requirement: section.requirement.clone(),
                subject,
                justification: section.justification.clone(),
                approved_by: section.approved_by.clone(),
                expires,
            });
        }
        out
    }
}

/// `path` with links and `..` resolved, when it exists: two spellings of
/// one file compare equal.
fn canonical(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok()
}

/// The inputs of `job` that `named` picks.
fn job_inputs_named(job: &Job, named: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    job.inputs().into_iter().filter(|p| named(p)).collect()
}

/// The files `pattern` names under `base`: a file, a folder (kept as is:
/// the payload engine walks it), or a glob, sorted.
fn expand(base: &Path, pattern: &str) -> std::result::Result<Vec<PathBuf>, String> {
    let joined = base.join(pattern);
    if !pattern.contains(['*', '?', '[']) {
        return Ok(if joined.exists() {
            vec![joined]
        } else {
            Vec::new()
        });
    }
    let full = if base.as_os_str().is_empty() {
        pattern.to_owned()
    } else {
        format!(
            "{}/{pattern}",
            glob::Pattern::escape(&base.display().to_string())
        )
    };
    let paths = glob::glob(&full).map_err(|e| {
        format!(
            "`{pattern}` is not a valid glob: {} at character {}",
            e.msg, e.pos
        )
    })?;
    let mut files = Vec::new();
    for entry in paths {
        let path =
            entry.map_err(|e| format!("cannot read `{}`: {}", e.path().display(), e.error()))?;
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_a_valid_configuration() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("payloads")).expect("mkdir");
        std::fs::create_dir_all(dir.path().join("reports")).expect("mkdir");
        let path = dir.path().join(DEFAULT_FILE);
        let config = Config::parse(&path, TEMPLATE).expect("the template parses");
        assert_eq!(config.profiles, ["baseline"]);
        assert!(
            matches!(config.jobs.as_slice(), [Job::Payloads(job)] if job.files == [dir.path().join("payloads")])
        );
        let formats: Vec<&str> = config.reports.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(formats, ["junit", "sarif", "html"]);
        assert!(config.waivers.is_empty());
    }

    #[test]
    fn toml_dates_are_read_and_keep_their_line() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("p.json"), "{}").expect("write");
        let path = dir.path().join(DEFAULT_FILE);
        let text = "[payloads]\npaths = [\"p.json\"]\n\n[[waivers]]\nrequirement = \"PAY-SCHEMA-01\"\njustification = \"j\"\napproved_by = \"a\"\nexpires = 2030-01-01 # comment\n";
        let config = Config::parse(&path, text).expect("the configuration parses");
        assert_eq!(config.waivers.len(), 1);
        assert_eq!(config.waivers[0].expires.to_string(), "2030-01-01");
        let problem = config.problem("/waivers/0/expires", "m");
        assert_eq!(problem.line, Some(8));
        let snippet = problem.snippet.expect("a snippet");
        assert_eq!(snippet.text, "expires = 2030-01-01 # comment", "as written");
        assert_eq!(&snippet.text[snippet.span], "expires = 2030-01-01");
    }
}
