//! A Ballista cluster for the dataset benchmark: `cityconform-scheduler`
//! and two `cityconform-executor` processes on free loopback ports, built
//! next to the benchmark (`cargo build --release --features ballista
//! --bins`), killed when dropped. Their peak memory is read from /proc
//! before they stop.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Executors the benchmark's cluster runs.
pub(crate) const EXECUTORS: usize = 2;

pub(crate) struct Cluster {
    scheduler: Child,
    executors: Vec<Child>,
    pub(crate) port: u16,
    /// The executors' work folders, removed on drop.
    work: PathBuf,
}

/// A binary built next to this benchmark.
fn sibling(name: &str) -> Result<PathBuf, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let path = exe.with_file_name(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "{} is not built; run `cargo build --release --features ballista --bins` first",
            path.display()
        ))
    }
}

fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free loopback port: {e}"))
}

fn wait_for(port: u16, what: &str) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("{what} never listened on 127.0.0.1:{port}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

impl Cluster {
    /// A scheduler and [`EXECUTORS`] executors, one task at a time each
    /// (one core each on the benchmark machine).
    pub(crate) fn start() -> Result<Cluster, String> {
        let (scheduler_exe, executor_exe) = (
            sibling("cityconform-scheduler")?,
            sibling("cityconform-executor")?,
        );
        let work =
            std::env::temp_dir().join(format!("cityconform-bench-cluster-{}", std::process::id()));
        std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
        let port = free_port()?;
        let scheduler = Command::new(scheduler_exe)
            .args(["--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting the scheduler: {e}"))?;
        let mut cluster = Cluster {
            scheduler,
            executors: Vec::new(),
            port,
            work,
        };
        wait_for(port, "the scheduler")?;
        for i in 0..EXECUTORS {
            let (flight, grpc) = (free_port()?, free_port()?);
            let dir = cluster.work.join(format!("executor-{i}"));
            std::fs::create_dir(&dir).map_err(|e| e.to_string())?;
            let executor = Command::new(&executor_exe)
                .args([
                    "--scheduler",
                    &format!("127.0.0.1:{port}"),
                    "--port",
                    &flight.to_string(),
                    "--grpc-port",
                    &grpc.to_string(),
                    "--concurrent-tasks",
                    "1",
                    "--work-dir",
                    &dir.display().to_string(),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("starting an executor: {e}"))?;
            cluster.executors.push(executor);
            wait_for(flight, "an executor")?;
            wait_for(grpc, "an executor")?;
        }
        Ok(cluster)
    }

    pub(crate) fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Peak resident memory, in KiB, of the scheduler and of each
    /// executor so far.
    pub(crate) fn peaks_kib(&self) -> (u64, Vec<u64>) {
        (
            peak_of(self.scheduler.id()),
            self.executors.iter().map(|e| peak_of(e.id())).collect(),
        )
    }
}

/// A process's peak resident memory (`VmHWM`), 0 where unknown.
fn peak_of(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for child in self.executors.iter_mut().chain([&mut self.scheduler]) {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

/// Bytes received on the loopback interface so far (`/proc/net/dev`), 0
/// where unknown.
pub(crate) fn loopback_bytes() -> u64 {
    std::fs::read_to_string("/proc/net/dev")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.trim_start().strip_prefix("lo:"))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}
