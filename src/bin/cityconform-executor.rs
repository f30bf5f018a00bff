//! `cityconform-executor`: a Ballista executor that runs the plans of
//! dataset audits a `cityconform-scheduler` hands it. It is Ballista's own
//! executor with cityconform's text and detection functions registered.
//! It reads the data where it runs: the paths of an audit must be
//! readable here.

#![allow(
    clippy::print_stderr,
    reason = "a server says where it listens and why it stopped"
)]

use clap::Parser;

use cityconform::dataset::engines::ballista::{ExecutorSettings, run_executor};

/// A Ballista executor for cityconform dataset audits.
#[derive(Debug, Parser)]
#[command(
    name = "cityconform-executor",
    version,
    after_help = "Example (a scheduler on this machine):\n  cityconform-executor --scheduler 127.0.0.1:50050 --port 50051 --grpc-port 50052\nA second executor on the same machine needs other ports."
)]
struct Args {
    /// The address to listen on.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    bind: String,

    /// The host name the scheduler and clients reach this executor by
    /// (default: the --bind address).
    #[arg(long, value_name = "HOST")]
    advertise: Option<String>,

    /// The Arrow Flight port, where results and shuffles are fetched.
    #[arg(long, value_name = "PORT", default_value_t = 50051)]
    port: u16,

    /// The gRPC port.
    #[arg(long = "grpc-port", value_name = "PORT", default_value_t = 50052)]
    grpc_port: u16,

    /// The scheduler, HOST:PORT.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:50050")]
    scheduler: String,

    /// Tasks run at once (default: the machine's cores).
    #[arg(long = "concurrent-tasks", value_name = "N")]
    concurrent_tasks: Option<usize>,

    /// Seconds between heartbeats to the scheduler; keep it well below
    /// the scheduler's --executor-timeout.
    #[arg(long, value_name = "SECONDS", default_value_t = 15)]
    heartbeat: u64,

    /// The folder for shuffle files (default: a temporary folder).
    #[arg(long = "work-dir", value_name = "DIR")]
    work_dir: Option<String>,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let Some((scheduler_host, scheduler_port)) = args
        .scheduler
        .rsplit_once(':')
        .and_then(|(host, port)| Some((host.to_owned(), port.parse::<u16>().ok()?)))
    else {
        eprintln!(
            "error: `{}` is no scheduler address; write HOST:PORT, such as 127.0.0.1:50050",
            args.scheduler
        );
        return std::process::ExitCode::from(2);
    };
    let settings = ExecutorSettings {
        advertise: args.advertise.unwrap_or_else(|| args.bind.clone()),
        bind: args.bind,
        port: args.port,
        grpc_port: args.grpc_port,
        scheduler_host,
        scheduler_port,
        concurrent_tasks: args.concurrent_tasks.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }),
        work_dir: args.work_dir,
        heartbeat: args.heartbeat,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the executor's runtime: {e}");
            return std::process::ExitCode::from(3);
        }
    };
    eprintln!(
        "cityconform-executor listening on {}:{}, serving {}",
        settings.bind, settings.port, args.scheduler
    );
    match runtime.block_on(run_executor(settings)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
