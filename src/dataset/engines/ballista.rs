//! The dataset summary on a Ballista cluster: the DataFusion producer's
//! plans sent to a running scheduler, which plans them with the
//! project's functions and has its executors run them where the data is;
//! only the grouped counts come back. Also what the `cityconform-scheduler`
//! and `cityconform-executor` binaries run: Ballista's own scheduler and
//! executor with the functions registered, since a plan naming a function
//! the cluster does not know cannot be planned or run.

use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use ::ballista::prelude::SessionContextExt;
use ::ballista_core::registry::BallistaFunctionRegistry;
use ::ballista_core::utils::default_session_builder;
use ::ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ::ballista_scheduler::cluster::BallistaCluster;
use ::ballista_scheduler::config::SchedulerConfig;
use ::ballista_scheduler::scheduler_process::start_server;
use ::datafusion::execution::SessionState;
use ::datafusion::prelude::{SessionConfig, SessionContext};

use super::fusion::{self, Failure};
use super::udf;
use crate::dataset::audit::{self, DatasetPlan};
use crate::dataset::descriptor::Descriptor;
use crate::dataset::summary::Summary;
use crate::error::{Error, Result};

/// How long to try reaching the scheduler before the run gives up on it.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Summarises the dataset at `path` on the cluster whose scheduler is
/// at `address` (`HOST:PORT`). An unreachable scheduler, or input the
/// run cannot start with, is an error (exit 2); a cluster failing once
/// the plans were sent, or not answering within `timeout`, is the inner
/// `Err`: the reason every requirement becomes an `error`.
pub(super) fn summarise(
    plan: &DatasetPlan,
    descriptor: &Descriptor,
    path: &Path,
    address: &str,
    timeout: Duration,
) -> Result<std::result::Result<Summary, String>> {
    reachable(address)?;
    let definitions = audit::definitions(plan);
    let functions = udf::functions(definitions);
    let runtime = fusion::runtime()?;
    let outcome = runtime.block_on(async {
        let ctx = SessionContext::remote(&format!("df://{address}"))
            .await
            .map_err(|e| {
                // The cluster's words: an identifier in them is shown only
                // as its placeholder, as the engine's messages are.
                Failure::Engine(crate::detect::placeholder::shown(&e.to_string()).into_owned())
            })?;
        match tokio::time::timeout(
            timeout,
            fusion::summarise_on(
                &ctx,
                &functions,
                plan,
                descriptor,
                path,
                fusion::Coding::Codes,
            ),
        )
        .await
        {
            Ok(outcome) => outcome,
            Err(_) => Err(Failure::Engine(format!(
                "no answer within {} s",
                timeout.as_secs()
            ))),
        }
    });
    // A job the cluster still runs is abandoned, not awaited.
    runtime.shutdown_background();
    match outcome {
        Ok(summary) => Ok(Ok(summary)),
        Err(Failure::Input(error)) => Err(error),
        Err(failure) => Ok(Err(format!(
            "the Ballista cluster at {address} failed: {}",
            failure.message()
        ))),
    }
}

/// Fails naming `address` when nothing listens there.
fn reachable(address: &str) -> Result<()> {
    let unreachable = |why: String| {
        Error::Usage(format!(
            "cannot reach the Ballista scheduler at {address} ({why}); start `cityconform-scheduler` and `cityconform-executor` there, or check the address"
        ))
    };
    let addresses: Vec<SocketAddr> = address
        .to_socket_addrs()
        .map_err(|e| unreachable(e.to_string()))?
        .collect();
    let mut last = "the name has no address".to_owned();
    for socket in addresses {
        match TcpStream::connect_timeout(&socket, CONNECT_TIMEOUT) {
            Ok(_) => return Ok(()),
            Err(e) => last = e.to_string(),
        }
    }
    Err(unreachable(last))
}

/// Runs a scheduler on `bind:port` that plans with the project's
/// functions, until the process ends.
pub async fn run_scheduler(bind: &str, port: u16, executor_timeout: u64) -> Result<()> {
    let functions = udf::embedded_functions();
    let mut config = SchedulerConfig::default()
        .with_hostname(bind)
        .with_port(port)
        .with_override_session_builder(Arc::new(
            move |config: SessionConfig| -> ::datafusion::common::Result<SessionState> {
                let mut state = default_session_builder(config)?;
                for function in &functions {
                    ::datafusion::execution::FunctionRegistry::register_udf(
                        &mut state,
                        function.clone(),
                    )?;
                }
                Ok(state)
            },
        ));
    config.bind_host = bind.to_owned();
    config.executor_timeout_seconds = executor_timeout;
    config.no_executors_grace_period_seconds = executor_timeout;
    let address: SocketAddr = format!("{bind}:{port}")
        .parse()
        .map_err(|e| Error::Usage(format!("`{bind}:{port}` is no address to listen on: {e}")))?;
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(cluster_error)?;
    start_server(cluster, address, Arc::new(config))
        .await
        .map_err(cluster_error)
}

/// Where an executor listens and which scheduler it serves.
#[derive(Debug, Clone)]
pub struct ExecutorSettings {
    /// The address it binds.
    pub bind: String,
    /// The host the scheduler and clients reach it by.
    pub advertise: String,
    /// Its Arrow Flight port (results and shuffles).
    pub port: u16,
    /// Its gRPC port.
    pub grpc_port: u16,
    /// The scheduler's host.
    pub scheduler_host: String,
    /// The scheduler's port.
    pub scheduler_port: u16,
    /// Tasks it runs at once.
    pub concurrent_tasks: usize,
    /// Its folder for shuffle files, or the temporary folder.
    pub work_dir: Option<String>,
    /// Seconds between its heartbeats.
    pub heartbeat: u64,
}

/// Runs an executor that knows the project's functions, until the
/// process ends.
pub async fn run_executor(settings: ExecutorSettings) -> Result<()> {
    let mut registry = BallistaFunctionRegistry::default();
    for function in udf::embedded_functions() {
        registry
            .scalar_functions
            .insert(function.name().to_owned(), function);
    }
    let config = ExecutorProcessConfig {
        bind_host: settings.bind,
        external_host: Some(settings.advertise),
        port: settings.port,
        grpc_port: settings.grpc_port,
        scheduler_host: settings.scheduler_host,
        scheduler_port: settings.scheduler_port,
        vcores: settings.concurrent_tasks,
        work_dir: settings.work_dir,
        executor_heartbeat_interval_seconds: settings.heartbeat,
        override_function_registry: Some(Arc::new(registry)),
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config))
        .await
        .map_err(cluster_error)
}

fn cluster_error(error: ::ballista_core::error::BallistaError) -> Error {
    Error::Usage(format!("the Ballista process stopped: {error}"))
}
