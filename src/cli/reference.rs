//! `cityconform demo` and `cityconform serve-reference`: the embedded
//! reference platform, audited in one command or served until Ctrl-C.
//! Built with the `reference` feature only, as the platform is.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use cityconform::ExitCode;
use cityconform::error::Error;
use cityconform::harness::HarnessOptions;
use cityconform::reference::{Fault, ReferenceApi, ReferenceOptions, RunningReference};
use clap::Args;

use super::live::{base_url, target_job};
use super::output::{OutputArgs, generated_at, run_job};

/// Arguments of `demo`.
#[derive(Debug, Args)]
#[command(after_help = fault_help())]
pub(crate) struct DemoArgs {
    /// Break one behaviour of the reference platform; repeatable.
    #[arg(long = "fault", value_name = "NAME", value_parser = parse_fault)]
    faults: Vec<Fault>,

    /// Profile to audit against; repeatable (default: baseline, kr, eu).
    #[arg(long = "profile", short = 'p', value_name = "PROFILE")]
    profiles: Vec<String>,

    /// Serve plain HTTP instead of HTTPS.
    #[arg(long)]
    no_tls: bool,

    /// The API the platform speaks: generic (its own), ngsi-ld (an
    /// NGSI-LD broker), ogcapi-features (an open OGC API - Features
    /// server) or gbfs (a GBFS v3.0 feed updated at the report's time),
    /// audited as a target of that kind.
    #[arg(long, value_name = "KIND", default_value = "generic", value_parser = parse_api)]
    api: ReferenceApi,

    #[command(flatten)]
    output: OutputArgs,
}

/// Arguments of `serve-reference`.
#[derive(Debug, Args)]
#[command(after_help = fault_help())]
pub(crate) struct ServeArgs {
    /// Port on 127.0.0.1 (0: a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,

    /// Serve HTTPS with a generated certificate authority, and redirect
    /// plain HTTP from a second port.
    #[arg(long)]
    tls: bool,

    /// Port of the plain-HTTP redirect with --tls (0: a free one).
    #[arg(long, default_value_t = 0)]
    plain_port: u16,

    /// Break one behaviour; repeatable.
    #[arg(long = "fault", value_name = "NAME", value_parser = parse_fault)]
    faults: Vec<Fault>,

    /// The API the platform speaks: generic (its own), ngsi-ld (an
    /// NGSI-LD broker), ogcapi-features (an open OGC API - Features
    /// server) or gbfs (a GBFS v3.0 feed at /gbfs.json, updated at each
    /// request).
    #[arg(long, value_name = "KIND", default_value = "generic", value_parser = parse_api)]
    api: ReferenceApi,

    /// Write `target.toml`, the tenants' token files and (with --tls) the
    /// authority's `ca.pem` into this folder. Tokens are shown nowhere else.
    #[arg(long, value_name = "DIR")]
    write_target: Option<PathBuf>,
}

fn parse_fault(text: &str) -> Result<Fault, String> {
    text.parse()
}

fn parse_api(text: &str) -> Result<ReferenceApi, String> {
    ReferenceApi::from_name(text).ok_or_else(|| {
        format!(
            "unknown API `{text}`; the reference speaks generic, ngsi-ld, ogcapi-features or gbfs"
        )
    })
}

/// Refuses a fault of one API on another, where it would break nothing.
fn check_faults(faults: &[Fault], api: ReferenceApi) -> Result<(), Error> {
    for fault in faults {
        if let Some(own) = fault.only_for()
            && own != api
        {
            return Err(Error::Usage(format!(
                "the fault `{fault}` concerns the {} API; add --api {}",
                own.as_str(),
                own.as_str()
            )));
        }
    }
    Ok(())
}

fn fault_help() -> String {
    let mut text = String::from("Faults (each breaks the requirements named):\n");
    for fault in Fault::every() {
        text.push_str(&format!(
            "  {:<18} {} [{}]\n",
            fault.name(),
            fault.description(),
            fault.breaks().join(", ")
        ));
    }
    text
}

pub(crate) fn demo(args: DemoArgs) -> Result<ExitCode, Error> {
    check_faults(&args.faults, args.api)?;
    // The report's time is the feed's clock too: a GBFS feed is judged
    // fresh or stale at the time the audit says it ran.
    let generated = generated_at()?;
    let clock = chrono::DateTime::parse_from_rfc3339(&generated)
        .map_err(|e| Error::Internal(format!("the report time `{generated}`: {e}")))?
        .with_timezone(&chrono::Utc);
    let runtime = cityconform::harness::runtime()?;
    let reference = runtime.block_on(RunningReference::start(&ReferenceOptions {
        tls: !args.no_tls,
        faults: args.faults.clone(),
        api: args.api,
        clock: Some(clock),
        ..ReferenceOptions::default()
    }))?;
    let dir = TempDir::new()?;
    let target_path = reference.write_target(dir.path())?;
    let profiles = if args.profiles.is_empty() {
        vec!["baseline".to_owned(), "kr".to_owned(), "eu".to_owned()]
    } else {
        args.profiles.clone()
    };
    if !args.output.quiet && std::io::stderr().is_terminal() {
        let _ = writeln!(
            std::io::stderr(),
            "reference platform on {}; auditing it against {}",
            reference.base_url,
            profiles.join(", ")
        );
    }
    let options = HarnessOptions {
        profiles,
        generated_at: generated,
        ..HarnessOptions::default()
    };
    let progress = super::output::TerminalProgress::checks(args.output.quiet);
    // The platform serves on `runtime`; the audit runs on the harness's own.
    let code = run_job(
        &target_job(&target_path, None, &[]),
        options,
        &args.output,
        &progress,
        // The target file is the demo's own, written to a temporary
        // folder and removed: the base URL names the platform instead.
        &[],
        base_url,
    );
    reference.stop();
    drop(dir);
    code
}

pub(crate) fn serve(args: ServeArgs) -> Result<ExitCode, Error> {
    check_faults(&args.faults, args.api)?;
    let runtime = cityconform::harness::runtime()?;
    let reference = runtime.block_on(RunningReference::start(&ReferenceOptions {
        port: args.port,
        tls: args.tls,
        plain_port: args.plain_port,
        faults: args.faults.clone(),
        api: args.api,
        clock: None,
    }))?;
    let mut text = format!("reference platform on {}\n", reference.base_url);
    if args.api != ReferenceApi::Generic {
        text.push_str(&format!("speaking the {} API\n", args.api.as_str()));
    }
    if let Some(plain) = &reference.plain_url {
        text.push_str(&format!("plain HTTP (redirects) on {plain}\n"));
    }
    if !args.faults.is_empty() {
        let names: Vec<_> = args.faults.iter().map(|f| f.name()).collect();
        text.push_str(&format!("faults: {}\n", names.join(", ")));
    }
    match &args.write_target {
        Some(dir) => {
            let path = reference.write_target(dir)?;
            text.push_str(&format!(
                "target written to {}; audit it with: cityconform audit --target {}\n",
                path.display(),
                path.display()
            ));
        }
        None => text.push_str(
            "tokens are not shown; pass --write-target DIR to write them with a target file\n",
        ),
    }
    text.push_str("press Ctrl-C to stop\n");
    super::print(&text)?;
    runtime
        .block_on(tokio::signal::ctrl_c())
        .map_err(|e| Error::Internal(format!("cannot wait for Ctrl-C: {e}")))?;
    reference.stop();
    Ok(ExitCode::Met)
}

/// A folder removed when dropped, for the demo's target and tokens.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<Self, Error> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path =
            std::env::temp_dir().join(format!("cityconform-demo-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).map_err(|e| Error::read(&path, e))?;
        Ok(TempDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
