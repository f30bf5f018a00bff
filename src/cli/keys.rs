//! `cityconform keygen` and `cityconform verify`.

use std::path::PathBuf;

use cityconform::ExitCode;
use cityconform::attest::{self, keys};
use cityconform::error::Error;
use cityconform::schema::{SchemaOptions, SchemaRegistry};
use clap::Args;

use super::SuiteArgs;

/// Arguments of `keygen`.
#[derive(Debug, Args)]
#[command(
    after_help = "Writes NAME.key (the private key, readable by its owner only; keep it secret, never commit it) and NAME.pub (the public key, to hand to verifiers)."
)]
pub(crate) struct KeygenArgs {
    /// Base name of the key files.
    #[arg(value_name = "NAME", default_value = "cityconform-signing")]
    name: PathBuf,
}

pub(crate) fn keygen(args: KeygenArgs) -> Result<ExitCode, Error> {
    let private = with_suffix(&args.name, "key");
    let public = with_suffix(&args.name, "pub");
    let key_id = keys::generate(&private, &public)?;
    super::print(&format!(
        "wrote {} (private, mode 0600) and {} (public)\nkey ID {key_id}\n",
        private.display(),
        public.display()
    ))?;
    Ok(ExitCode::Met)
}

fn with_suffix(name: &std::path::Path, suffix: &str) -> PathBuf {
    let mut text = name.as_os_str().to_owned();
    text.push(".");
    text.push(suffix);
    PathBuf::from(text)
}

/// Arguments of `verify`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 the report verifies, 1 it does not (each mismatch is listed), 2 the report or key could not be read.\n\nThe report's catalogue, profile, list, live-case and schema digests are compared with this build's bundled ones, overlaid by --suites and --schema-dir: pass the same folders the report was produced with."
)]
pub(crate) struct VerifyArgs {
    /// The signed JSON report.
    #[arg(value_name = "REPORT")]
    report: PathBuf,

    /// The signer's public key (PEM, the `.pub` file of `cityconform keygen`).
    #[arg(long, value_name = "KEY")]
    public_key: PathBuf,

    /// A folder of extra schemas the report was produced with; repeatable.
    #[arg(long = "schema-dir", value_name = "DIR")]
    schema_dirs: Vec<PathBuf>,

    #[command(flatten)]
    suites: SuiteArgs,
}

pub(crate) fn verify(args: VerifyArgs) -> Result<ExitCode, Error> {
    let key = keys::read_verifying_key(&args.public_key)?;
    let bytes = cityconform::files::read(&args.report)?;
    let suites = args.suites.load()?;
    let registry = SchemaRegistry::load(&SchemaOptions {
        dirs: args.schema_dirs.clone(),
        ..SchemaOptions::default()
    })?;
    let trusted = suites.trusted_provenance(&registry, &profile_ids(&bytes))?;
    let outcome = attest::verify(&bytes, &key, &trusted);
    let name = args.report.display();
    let mut text = String::new();
    if outcome.verified() {
        text.push_str(&format!("verified: {name}\n"));
        text.push_str(&what_was_signed(&bytes));
        text.push_str(&format!(
            "  key:       {}\n  produced with these suites (catalogue, profiles, lists, live cases) and schemas\n",
            outcome.key_id.as_deref().unwrap_or("?")
        ));
    } else {
        text.push_str(&format!(
            "NOT VERIFIED: {name} ({} mismatch{})\n",
            outcome.mismatches.len(),
            if outcome.mismatches.len() == 1 {
                ""
            } else {
                "es"
            }
        ));
        for mismatch in &outcome.mismatches {
            text.push_str(&format!("  {}: {}\n", mismatch.subject, mismatch.message));
        }
    }
    for note in &outcome.notes {
        text.push_str(&format!("  note: {note}\n"));
    }
    super::print(&text)?;
    Ok(if outcome.verified() {
        ExitCode::Met
    } else {
        ExitCode::NotMet
    })
}

/// What a verified report attests, one line each: the command, its
/// profiles with their verdicts, the overall verdict, the report time and
/// the law's date, so that whoever verifies sees what the signature vouches
/// for without opening the JSON. Only called once the signature holds, so
/// every field read here is covered by it.
fn what_was_signed(bytes: &[u8]) -> String {
    let Ok(report) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        return String::new();
    };
    let field = |pointer: &str| {
        report
            .pointer(pointer)
            .and_then(serde_json::Value::as_str)
            .unwrap_or("?")
            .to_owned()
    };
    let met = |value: Option<&serde_json::Value>| match value.and_then(serde_json::Value::as_bool) {
        Some(true) => "met",
        Some(false) => "not met",
        None => "?",
    };
    let profiles: Vec<String> = report
        .get("profiles")
        .and_then(serde_json::Value::as_array)
        .map(|profiles| {
            profiles
                .iter()
                .map(|p| {
                    let id = p
                        .get("id")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or("?");
                    format!("{id} ({})", met(p.get("met")))
                })
                .collect()
        })
        .unwrap_or_default();
    format!(
        "  command:   {}\n  profiles:  {}\n  verdict:   {}\n  made at:   {}\n  law as of: {}\n",
        field("/command"),
        if profiles.is_empty() {
            "none".to_owned()
        } else {
            profiles.join(", ")
        },
        met(report.pointer("/summary/met")),
        field("/generated_at"),
        field("/law/as_of"),
    )
}

/// The profile IDs a report names, to know which profile files to trust;
/// none when the file is not a report (verification then says so).
fn profile_ids(bytes: &[u8]) -> Vec<String> {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| {
            v.get("profiles")
                .and_then(|p| p.as_array())
                .map(|profiles| {
                    profiles
                        .iter()
                        .filter_map(|p| p.get("id").and_then(|id| id.as_str()).map(str::to_owned))
                        .collect()
                })
        })
        .unwrap_or_default()
}
