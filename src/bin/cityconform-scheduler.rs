//! `cityconform-scheduler`: a Ballista scheduler that plans dataset
//! audits sent with `cityconform dataset --engine ballista://HOST:PORT`.
//! It is Ballista's own scheduler with cityconform's text and detection
//! functions registered, which a plan of the audit names.

#![allow(
    clippy::print_stderr,
    reason = "a server says where it listens and why it stopped"
)]

use clap::Parser;

/// A Ballista scheduler for cityconform dataset audits.
#[derive(Debug, Parser)]
#[command(
    name = "cityconform-scheduler",
    version,
    after_help = "Start one scheduler, then executors pointed at it:\n  cityconform-scheduler --port 50050\n  cityconform-executor --scheduler 127.0.0.1:50050 --port 50051 --grpc-port 50052\n  cityconform dataset trips.parquet -d trips.toml --engine ballista://127.0.0.1:50050\nIt listens on 127.0.0.1 unless --bind says otherwise: the summary it\nreturns shows the data's classes, so expose it only where the data may go."
)]
struct Args {
    /// The address to listen on.
    #[arg(long, value_name = "ADDRESS", default_value = "127.0.0.1")]
    bind: String,

    /// The port to listen on.
    #[arg(long, value_name = "PORT", default_value_t = 50050)]
    port: u16,

    /// Seconds without a heartbeat after which an executor counts as
    /// lost, and without any executor after which a job fails.
    #[arg(
        long = "executor-timeout",
        value_name = "SECONDS",
        default_value_t = 60
    )]
    executor_timeout: u64,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(32 << 20)
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the scheduler's runtime: {e}");
            return std::process::ExitCode::from(3);
        }
    };
    eprintln!(
        "cityconform-scheduler listening on {}:{}",
        args.bind, args.port
    );
    let result = runtime.block_on(cityconform::dataset::engines::ballista::run_scheduler(
        &args.bind,
        args.port,
        args.executor_timeout,
    ));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
