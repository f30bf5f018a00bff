//! `dataset --engine ballista://HOST:PORT` (built with the `ballista`
//! feature) against a real cluster: `cityconform-scheduler` and two
//! `cityconform-executor` processes on free loopback ports. The same
//! Parquet files, and the same NDJSON lines, give the same report through
//! the native producer, DataFusion and Ballista; an unreachable scheduler exits 2 naming its
//! address; a cluster whose executors all die gives `error` verdicts and
//! exit 1, one that loses one of two gives the whole report: never a
//! partial "met". Every process a test starts is killed when
//! the test ends, however it ends.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{expect_exit, json_report, run};
use crate::dataset_engines::{NDJSON_DESCRIPTOR, files, ndjson};
use crate::dataset_parquet::{
    Written, assert_same_report, audit_on, batch, rows, write_parquet, written,
};

/// Rows of the generated dataset.
const ROWS: usize = 10_000;

/// A port nothing listens on now (the OS's choice, released at once).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// Waits until something accepts connections on `port`.
fn wait_for(port: u16, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{what} never listened on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A scheduler and two executors, killed on drop.
struct Cluster {
    scheduler: Child,
    executors: Vec<Child>,
    port: u16,
    _work: tempfile::TempDir,
}

impl Cluster {
    fn start() -> Cluster {
        let work = tempfile::tempdir().expect("temp dir");
        let port = free_port();
        let scheduler = Command::new(env!("CARGO_BIN_EXE_cityconform-scheduler"))
            .args(["--port", &port.to_string(), "--executor-timeout", "10"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the scheduler starts");
        let mut cluster = Cluster {
            scheduler,
            executors: Vec::new(),
            port,
            _work: work,
        };
        wait_for(port, "the scheduler");
        for i in 0..2 {
            let (flight, grpc) = (free_port(), free_port());
            let dir = cluster._work.path().join(format!("executor-{i}"));
            std::fs::create_dir(&dir).expect("a work folder");
            let executor = Command::new(env!("CARGO_BIN_EXE_cityconform-executor"))
                .args([
                    "--scheduler",
                    &format!("127.0.0.1:{port}"),
                    "--port",
                    &flight.to_string(),
                    "--grpc-port",
                    &grpc.to_string(),
                    "--concurrent-tasks",
                    "1",
                    "--heartbeat",
                    "2",
                    "--work-dir",
                    &dir.display().to_string(),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("an executor starts");
            cluster.executors.push(executor);
            wait_for(flight, "an executor");
            wait_for(grpc, "an executor");
        }
        cluster
    }

    fn engine(&self) -> String {
        format!("ballista://127.0.0.1:{}", self.port)
    }

    fn kill_executors(&mut self) {
        for i in 0..self.executors.len() {
            self.kill_executor(i);
        }
    }

    fn kill_executor(&mut self, i: usize) {
        if let Some(executor) = self.executors.get_mut(i) {
            let _ = executor.kill();
            let _ = executor.wait();
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.kill_executors();
        let _ = self.scheduler.kill();
        let _ = self.scheduler.wait();
    }
}

#[test]
fn ballista_gives_the_native_and_datafusion_reports_on_the_same_parquet_files() {
    let cluster = Cluster::start();
    let w = written(ROWS);
    let parts = w.dir.join("parts");
    std::fs::create_dir(&parts).expect("folder");
    for (i, chunk) in rows(ROWS).chunks(2_500).enumerate() {
        write_parquet(
            &parts.join(format!("part-{i}.parquet")),
            &batch(chunk, false),
        );
    }
    let engine = cluster.engine();
    for data in [&w.parquet, &parts] {
        let native = audit_on(data, Some(&w.descriptor), &[]);
        let fusion = audit_on(data, Some(&w.descriptor), &["--engine", "datafusion"]);
        let ballista = audit_on(data, Some(&w.descriptor), &["--engine", &engine]);
        assert_eq!(native["datasets"][0]["rows"], ROWS as u64);
        assert!(native["summary"]["findings"].as_u64().unwrap_or(0) > 0);
        assert_same_report(native.clone(), fusion, data);
        assert_same_report(native, ballista, data);
    }
    let f = files("trips.ndjson", &ndjson(2_000), NDJSON_DESCRIPTOR);
    let native = audit_on(&f.data, Some(&f.descriptor), &[]);
    let ballista = audit_on(&f.data, Some(&f.descriptor), &["--engine", &engine]);
    assert_eq!(native["datasets"][0]["rows"], 2_000);
    assert_same_report(native, ballista, &f.data);
}

/// A detector file that redefines `email` as addresses at one domain the
/// generated rows never use.
const EMAIL_AT_ONE_DOMAIN: &str = r#"
[[detector]]
kind = "email"
description = "e-mail address at example.net"
[[detector.form]]
pattern = '[a-z]+@example\.net'
boundary = "none"
confidence = "high"
"#;

/// The run's own detector definitions reach the cluster with its plan:
/// with an overlay that redefines a kind, Ballista detects as the native
/// producer does with it, not as the embedded definitions would.
#[test]
fn a_run_whose_suites_redefine_a_detector_gets_the_native_report_from_the_cluster() {
    let cluster = Cluster::start();
    let w = written(ROWS);
    let suites = w.dir.join("suites");
    std::fs::create_dir_all(suites.join("detectors")).expect("folder");
    std::fs::write(suites.join("detectors/email.toml"), EMAIL_AT_ONE_DOMAIN).expect("write");
    let suites = suites.display().to_string();
    let engine = cluster.engine();
    let overlay = ["--suites", suites.as_str()];
    let embedded = audit_on(&w.parquet, Some(&w.descriptor), &[]);
    let native = audit_on(&w.parquet, Some(&w.descriptor), &overlay);
    let finds_email = |report: &Value| report["findings"].to_string().contains(r#""kind":"email""#);
    assert!(
        finds_email(&embedded),
        "the embedded detector finds kim@example.org"
    );
    assert!(
        !finds_email(&native),
        "the overlay changes what the native producer finds"
    );
    let ballista = audit_on(
        &w.parquet,
        Some(&w.descriptor),
        &["--suites", &suites, "--engine", &engine],
    );
    assert_same_report(native, ballista, &w.parquet);
    let f = files("trips.ndjson", &ndjson(2_000), NDJSON_DESCRIPTOR);
    let native = audit_on(&f.data, Some(&f.descriptor), &overlay);
    let ballista = audit_on(
        &f.data,
        Some(&f.descriptor),
        &["--suites", &suites, "--engine", &engine],
    );
    assert_same_report(native, ballista, &f.data);
}

#[test]
fn an_unreachable_scheduler_exits_2_naming_its_address() {
    let w = written(100);
    let port = free_port();
    let output = run(&[
        "dataset",
        &w.parquet.display().to_string(),
        "-d",
        &w.descriptor.display().to_string(),
        "--engine",
        &format!("ballista://127.0.0.1:{port}"),
    ]);
    let text = expect_exit(&output, 2);
    assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
}

/// Every verdict of every profile.
fn verdicts(report: &Value) -> Vec<String> {
    report["profiles"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["results"].as_array().into_iter().flatten())
        .map(|r| r["verdict"].as_str().unwrap_or("").to_owned())
        .collect()
}

/// The audit of `w`'s Parquet file under `kr` and `eu` on `cluster`, with
/// a ten-minute `--cluster-timeout`, 300 ms after it started and still
/// running.
fn audit_under_way(cluster: &Cluster, w: &Written) -> Child {
    let data = w.parquet.display().to_string();
    let descriptor = w.descriptor.display().to_string();
    let engine = cluster.engine();
    let mut audit = crate::common::cityconform(&[
        "dataset",
        &data,
        "-d",
        &descriptor,
        "-p",
        "kr",
        "-p",
        "eu",
        "--format",
        "json",
        "--engine",
        &engine,
        "--cluster-timeout",
        "600",
    ])
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("the audit starts");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        audit.try_wait().expect("the audit's state").is_none(),
        "the audit ended before the cluster failed"
    );
    audit
}

/// The executors die while the run is under way (the plans sent, or about
/// to be, while the scheduler still counts on them). The scheduler notices
/// the loss (a task it cannot hand out, or heartbeats missing past its
/// `--executor-timeout` of 10 s), waits as long again for an executor to
/// come back, and fails the job; Ballista's client stops on the failed
/// job, so the run ends with every requirement an `error` and the
/// scheduler's reason (executors lost), not `--cluster-timeout`'s (10
/// minutes here).
#[test]
fn a_cluster_whose_executors_die_mid_run_gives_error_verdicts_and_exit_1_for_the_loss() {
    let mut cluster = Cluster::start();
    let w = written(20_000);
    let audit = audit_under_way(&cluster, &w);
    cluster.kill_executors();
    let output = audit.wait_with_output().expect("the audit ends");
    expect_exit(&output, 1);
    let report = json_report(&output);
    assert_eq!(report["summary"]["met"], false);
    let verdicts = verdicts(&report);
    assert!(!verdicts.is_empty());
    assert!(verdicts.iter().all(|v| v == "error"), "{verdicts:?}");
    let address = format!("127.0.0.1:{}", cluster.port);
    let text = report.to_string();
    assert!(text.contains(&address), "the reason names the cluster");
    assert!(
        text.contains("executors were lost"),
        "the reason is the scheduler's: {text}"
    );
}

/// One of the two executors dies while the run is under way: the
/// scheduler hands its tasks to the survivor, and the report is the
/// native one (what these runs gave), or, should the job fail, every
/// verdict is an `error`; never a report built from part of the data.
#[test]
fn a_cluster_that_loses_one_executor_mid_run_gives_the_whole_report_or_errors() {
    let mut cluster = Cluster::start();
    let w = written(20_000);
    let audit = audit_under_way(&cluster, &w);
    cluster.kill_executor(0);
    let output = audit.wait_with_output().expect("the audit ends");
    let report = json_report(&output);
    let verdicts = verdicts(&report);
    assert!(!verdicts.is_empty());
    if verdicts.iter().all(|v| v == "error") {
        expect_exit(&output, 1);
        return;
    }
    assert!(
        !verdicts.iter().any(|v| v == "error"),
        "some verdicts error, others not: {verdicts:?}"
    );
    let native = audit_on(&w.parquet, Some(&w.descriptor), &[]);
    assert_same_report(native, report, &w.parquet);
}
