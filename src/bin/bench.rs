//! `cityconform-bench`: the payload-validation benchmark.
//!
//! Generates N NDJSON AirQualityObserved records (a share of them invalid),
//! then measures, each in its own process so that peak memory is its own:
//!
//! - `floor`: a minimal single-thread loop of `serde_json` parsing plus the
//!   `jsonschema` validator (`is_valid`, then every error of an invalid
//!   record), the library floor;
//! - `schema`: cityconform with schema conformance alone (both cores);
//! - `all`: cityconform with every payload requirement of `baseline` on.
//!
//! Run with `cargo run --release --bin cityconform-bench [-- --records N]`.
//!
//! With `--dataset`, the dataset-audit benchmark instead (see
//! `bench/dataset.rs`; the generated rows as CSV and as Parquet): `cargo run --release --bin cityconform-bench --
//! --dataset [--records N] [--pycanon-rows N,N]`.
//!
//! With `--detectors`, the identifier-detector benchmark instead (see
//! `bench/detectors.rs`): values per second over the labelled corpus in
//! `fixtures/identifiers/` (run from the project root).
//!
//! With `--live [--runs N]` it measures the live audit instead: the full
//! live suite under `baseline`, `kr` and `eu` against the embedded
//! reference platform over HTTPS on loopback, a fresh platform each run
//! (its rate-limit windows start empty), and prints the median wall time.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark reports on the terminal"
)]

/// The same allocator as the `cityconform` binary, so that the floor and
/// the harness are measured on equal terms.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use cityconform::catalog::Catalogue;
use cityconform::dates::Day;
use cityconform::engine::{NoProgress, Selection};
use cityconform::payload::{self, ValidateOptions, validate};
use cityconform::schema::{SchemaOptions, SchemaRegistry};

#[cfg(feature = "ballista")]
#[path = "bench/cluster.rs"]
mod cluster;
#[path = "bench/dataset.rs"]
mod dataset;
#[path = "bench/detectors.rs"]
mod detectors;

const AIR_QUALITY: &str = "https://cityconform.org/schemas/models/AirQualityObserved/v1";

struct Args {
    records: u64,
    invalid_percent: u64,
    dir: PathBuf,
    dataset: bool,
    pycanon_rows: Vec<u64>,
    live: bool,
    detectors: bool,
    /// With `--dataset`: leave the generated files in `--dir`.
    keep: bool,
    /// With `--detectors`: a fixed number of rounds instead of timed runs.
    detector_rounds: Option<u64>,
    /// With `--detectors`: one set alone (`corpus` or `ordinary`).
    detector_set: Option<String>,
    // Unread without the live benchmark; `allow`, not `expect`, as the
    // test build of this binary does not see it as dead.
    #[cfg_attr(
        not(feature = "reference"),
        allow(dead_code, reason = "only the live benchmark repeats its runs")
    )]
    runs: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        records: 1_000_000,
        invalid_percent: 5,
        dir: PathBuf::from("target/bench"),
        dataset: false,
        pycanon_rows: vec![10_000, 100_000],
        live: false,
        detectors: false,
        keep: false,
        detector_rounds: None,
        detector_set: None,
        runs: 7,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--records" => {
                args.records = value()?.parse().map_err(|e| format!("--records: {e}"))?
            }
            "--invalid-percent" => {
                args.invalid_percent = value()?
                    .parse()
                    .map_err(|e| format!("--invalid-percent: {e}"))?
            }
            "--dir" => args.dir = PathBuf::from(value()?),
            "--dataset" => args.dataset = true,
            "--pycanon-rows" => {
                args.pycanon_rows = value()?
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse().map_err(|e| format!("--pycanon-rows: {e}")))
                    .collect::<Result<_, _>>()?
            }
            "--live" => args.live = true,
            "--keep" => args.keep = true,
            "--detectors" => args.detectors = true,
            "--rounds" => {
                args.detector_rounds = Some(value()?.parse().map_err(|e| format!("--rounds: {e}"))?)
            }
            "--set" => args.detector_set = Some(value()?),
            "--runs" => args.runs = value()?.parse().map_err(|e| format!("--runs: {e}"))?,
            "--help" | "-h" => {
                return Err(
                    "usage: cityconform-bench [--records N] [--invalid-percent P] [--dir DIR] | --dataset [--records N] [--pycanon-rows N,N] [--keep] | --live [--runs N] | --detectors [--rounds N] [--set corpus|ordinary]"
                        .to_owned(),
                );
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

fn main() -> std::process::ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    let result = if argv.get(1).map(String::as_str) == Some("--child") {
        child(&argv[2..])
    } else {
        parse_args().and_then(|args| {
            if args.dataset {
                dataset_parent(&args)
            } else if args.detectors {
                println!("machine: {}", machine());
                detectors::run(
                    Path::new("fixtures/identifiers"),
                    args.detector_rounds,
                    args.detector_set.as_deref(),
                )
            } else if args.live {
                live(&args)
            } else {
                parent(&args)
            }
        })
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cityconform-bench: {message}");
            std::process::ExitCode::from(2)
        }
    }
}

/// A small deterministic generator (xorshift64*), so that every run
/// measures the same file without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn float(&mut self, low: f64, high: f64, decimals: i32) -> f64 {
        let scale = 10f64.powi(decimals);
        let raw = low + (self.next() as f64 / u64::MAX as f64) * (high - low);
        (raw * scale).round() / scale
    }
}

fn generate(path: &Path, records: u64, invalid_percent: u64) -> Result<u64, String> {
    let file =
        std::fs::File::create(path).map_err(|e| format!("create {}: {e}", path.display()))?;
    let mut out = BufWriter::new(file);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut invalid = 0;
    for i in 0..records {
        let mut record = serde_json::json!({
            "id": format!("urn:ngsi-ld:AirQualityObserved:Seoul-{i:07}"),
            "type": "AirQualityObserved",
            "dateObserved": format!("2025-03-{:02}T{:02}:{:02}:00+09:00", 1 + rng.below(28), rng.below(24), rng.below(60)),
            "location": { "type": "Point", "coordinates": [rng.float(126.8, 127.2, 4), rng.float(37.4, 37.7, 4)] },
            "pm10": rng.float(0.0, 150.0, 1),
            "pm25": rng.float(0.0, 90.0, 1),
            "no2": rng.float(0.0, 200.0, 1),
            "o3": rng.float(0.0, 180.0, 1),
            "temperature": rng.float(-10.0, 35.0, 1),
            "relativeHumidity": rng.float(0.1, 0.99, 2),
            "envelope": {
                "provenance": { "sourcePlatform": "seoul-air", "producer": "urn:ngsi-ld:Device:aq-sensor", "collectedAt": "2025-03-01T00:00:00+09:00" },
                "purpose": ["dpv:ServiceProvision"],
                "legalBasis": "dpv:PublicInterest",
                "jurisdiction": { "origin": "KR" },
                "retention": { "period": "P30D" }
            }
        });
        if rng.below(100) < invalid_percent {
            invalid += 1;
            break_record(&mut record, rng.below(4));
        }
        serde_json::to_writer(&mut out, &record).map_err(|e| e.to_string())?;
        out.write_all(b"\n").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(invalid)
}

/// Breaks one thing a schema catches (some records break two).
fn break_record(record: &mut serde_json::Value, how: u64) {
    match how {
        0 => record["pm25"] = serde_json::json!("high"),
        1 => {
            if let Some(map) = record.as_object_mut() {
                map.remove("dateObserved");
            }
        }
        2 => record["relativeHumidity"] = serde_json::json!(1.7),
        _ => {
            record["no2"] = serde_json::json!(-3.0);
            record["location"]["coordinates"] = serde_json::json!([200.0, 37.5]);
        }
    }
}

struct Measured {
    mode: String,
    records: u64,
    errors: u64,
    seconds: f64,
    peak_kib: u64,
    /// A dataset audit's report digest (see `bench/dataset.rs`), else 0.
    digest: u64,
    /// Bytes the measured process read from files during the run
    /// (`rchar`; socket receives are not counted there).
    read_bytes: u64,
}

fn parent(args: &Args) -> Result<(), String> {
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| format!("create {}: {e}", args.dir.display()))?;
    let machine = machine();
    println!("machine: {machine}");
    let sizes = if args.records >= 1_000_000 {
        vec![args.records / 10, args.records]
    } else {
        vec![args.records]
    };
    for &records in &sizes {
        let path = args.dir.join(format!("air-quality-{records}.ndjson"));
        let started = Instant::now();
        let invalid = generate(&path, records, args.invalid_percent)?;
        let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        println!(
            "\n{records} records ({invalid} invalid, {:.1} MiB), generated in {:.1}s",
            bytes as f64 / 1_048_576.0,
            started.elapsed().as_secs_f64()
        );
        let mut results = Vec::new();
        for mode in ["floor", "schema", "all"] {
            results.push(run_child(mode, &path)?);
        }
        print_table(&results);
        let _ = std::fs::remove_file(&path);
    }
    Ok(())
}

/// The dataset benchmark: our audit and the floor at each size, pyCANON at
/// the sizes it finishes.
fn dataset_parent(args: &Args) -> Result<(), String> {
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| format!("create {}: {e}", args.dir.display()))?;
    println!("machine: {}", machine());
    let descriptor = args.dir.join("dataset-bench.toml");
    std::fs::write(&descriptor, dataset::DESCRIPTOR).map_err(|e| e.to_string())?;
    let mut sizes: Vec<u64> = args.pycanon_rows.clone();
    sizes.push(args.records);
    sizes.sort_unstable();
    sizes.dedup();
    println!(
        "\n| rows | mode | rows/s | wall s | vs floor | peak RSS MiB | k | file bytes read | report digest |"
    );
    println!("|---:|---|---:|---:|---:|---:|---:|---:|---|");
    for &rows in &sizes {
        let path = args.dir.join(format!("dataset-{rows}.csv"));
        dataset::generate(&path, rows)?;
        let parquet = path.with_extension("parquet");
        dataset::to_parquet(&path, &parquet)?;
        let floor = run_child("ds-floor", &path)?;
        let mut audits = vec![
            named(run_child("ds-all", &path)?, "ds-all (CSV)"),
            named(run_child("ds-all", &parquet)?, "ds-all parquet"),
        ];
        audits.extend(engine_runs(&path, &parquet)?);
        for r in std::iter::once(&floor).chain(&audits) {
            println!(
                "| {rows} | {} | {:.0} | {:.3} | {:.2}x | {:.1} | {} | {} | {} |",
                r.mode,
                r.records as f64 / r.seconds,
                r.seconds,
                r.seconds / floor.seconds,
                r.peak_kib as f64 / 1024.0,
                r.errors,
                r.read_bytes,
                if r.digest == 0 {
                    "-".to_owned()
                } else {
                    format!("{:016x}", r.digest)
                },
            );
        }
        let same = audits.iter().all(|r| r.digest == audits[0].digest);
        println!(
            "| {rows} | the reports of every producer are {} | | | | | | | |",
            if same { "identical" } else { "NOT identical" }
        );
        if args.pycanon_rows.contains(&rows) {
            match dataset::pycanon(&path)? {
                Some((read, k, seconds)) => println!(
                    "| {read} | pycanon k+l+t | {:.0} | {seconds:.3} | {:.2}x | - | {k} | | |\n| {rows} | cityconform vs pyCANON | | | {:.0}x faster | | | | |",
                    read as f64 / seconds,
                    seconds / floor.seconds,
                    seconds / audits[0].seconds
                ),
                None => {
                    println!(
                        "| {rows} | pycanon | not installed (pip install pycanon) | | | | | | |"
                    )
                }
            }
        }
        println!(
            "| {rows} | files: CSV {:.1} MiB, Parquet {:.1} MiB | | | | | | | |",
            file_mib(&path),
            file_mib(&parquet)
        );
        if !args.keep {
            let _ = std::fs::remove_file(&path);
            let _ = std::fs::remove_file(&parquet);
        }
    }
    Ok(())
}

fn named(mut measured: Measured, mode: &str) -> Measured {
    measured.mode = mode.to_owned();
    measured
}

/// The same audit through the engines this build has: DataFusion on the
/// CSV and on the Parquet file, and a Ballista cluster of two executors
/// on the Parquet file (its processes' peak memory on a line of its own).
#[cfg(feature = "datafusion")]
fn engine_runs(csv: &Path, parquet: &Path) -> Result<Vec<Measured>, String> {
    let mut runs = vec![
        named(run_child("ds-fusion", csv)?, "datafusion (CSV)"),
        named(run_child("ds-fusion", parquet)?, "datafusion parquet"),
    ];
    #[cfg(feature = "ballista")]
    {
        let cluster = cluster::Cluster::start()?;
        let loopback_before = cluster::loopback_bytes();
        let measured = run_child_with(
            "ds-ballista",
            parquet,
            &[("CITYCONFORM_BENCH_BALLISTA", cluster.address())],
        )?;
        let loopback = cluster::loopback_bytes().saturating_sub(loopback_before);
        println!(
            "| | ballista: {loopback} bytes crossed loopback during the run (plan, shuffle between executors, the summary back; every process on the machine) | | | | | | | |"
        );
        let (scheduler, executors) = cluster.peaks_kib();
        let executors_mib: Vec<String> = executors
            .iter()
            .map(|k| format!("{:.1}", *k as f64 / 1024.0))
            .collect();
        println!(
            "| | ballista cluster peak RSS MiB: scheduler {:.1}, executors {} | | | | | | | |",
            scheduler as f64 / 1024.0,
            executors_mib.join(", ")
        );
        runs.push(named(
            measured,
            &format!("ballista parquet ({} executors)", cluster::EXECUTORS),
        ));
    }
    Ok(runs)
}

#[cfg(not(feature = "datafusion"))]
fn engine_runs(_: &Path, _: &Path) -> Result<Vec<Measured>, String> {
    Ok(Vec::new())
}

fn file_mib(path: &Path) -> f64 {
    std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / (1024.0 * 1024.0))
}

fn run_child(mode: &str, path: &Path) -> Result<Measured, String> {
    run_child_with(mode, path, &[])
}

/// Runs one measurement in a child process, with `env` set for it.
fn run_child_with(mode: &str, path: &Path, env: &[(&str, String)]) -> Result<Measured, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let output = Command::new(exe)
        .args(["--child", mode])
        .arg(path)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .map_err(|e| format!("running the {mode} child: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "the {mode} child failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let line = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<&str> = line.split_whitespace().collect();
    let number = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .ok_or_else(|| format!("bad child output `{line}`"))
    };
    let whole = |i: usize| {
        fields
            .get(i)
            .and_then(|f| u64::from_str_radix(f, 16).ok())
            .ok_or_else(|| format!("bad child output `{line}`"))
    };
    Ok(Measured {
        mode: mode.to_owned(),
        records: number(0)? as u64,
        errors: number(1)? as u64,
        seconds: number(2)?,
        peak_kib: number(3)? as u64,
        digest: whole(4)?,
        read_bytes: number(5)? as u64,
    })
}

fn print_table(results: &[Measured]) {
    let floor = results
        .iter()
        .find(|r| r.mode == "floor")
        .map_or(1.0, |r| r.records as f64 / r.seconds);
    println!("| mode | records/s | vs floor | errors reported | wall s | peak RSS MiB |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in results {
        let rate = r.records as f64 / r.seconds;
        println!(
            "| {} | {:.0} | {:.2}x | {} | {:.2} | {:.1} |",
            r.mode,
            rate,
            rate / floor,
            r.errors,
            r.seconds,
            r.peak_kib as f64 / 1024.0
        );
    }
}

/// One measurement; prints `records errors seconds peak_kib digest
/// read_bytes` (the digest in hexadecimal, 0 outside dataset audits).
fn child(argv: &[String]) -> Result<(), String> {
    let [mode, path] = argv else {
        return Err("usage: --child MODE FILE".to_owned());
    };
    let path = PathBuf::from(path);
    let read_before = read_bytes();
    if let Some(result) = dataset_child(mode, &path) {
        let (audited, seconds) = result?;
        println!(
            "{} {} {seconds:.4} {} {:x} {}",
            audited.rows,
            audited.k,
            peak_kib(),
            audited.digest,
            read_bytes().saturating_sub(read_before)
        );
        return Ok(());
    }
    let registry = SchemaRegistry::load(&SchemaOptions::default()).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let (records, errors) = match mode.as_str() {
        "floor" => floor(&registry, &path)?,
        "schema" => harness(&registry, &path, &["PAY-SCHEMA-01".to_owned()])?,
        "all" => harness(&registry, &path, &[])?,
        other => return Err(format!("unknown mode `{other}`")),
    };
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{records} {errors} {seconds:.4} {} 0 {}",
        peak_kib(),
        read_bytes().saturating_sub(read_before)
    );
    Ok(())
}

/// A dataset measurement, or `None` when `mode` is not a dataset mode.
fn dataset_child(mode: &str, path: &Path) -> Option<Result<(dataset::Audited, f64), String>> {
    use cityconform::dataset::Engine;
    let started = Instant::now();
    let descriptor = path.with_file_name("dataset-bench.toml");
    let result = match mode {
        "ds-floor" => dataset::floor(path).map(|(rows, k)| dataset::Audited { rows, k, digest: 0 }),
        "ds-all" => dataset::harness(path, &descriptor, &Engine::Native),
        "ds-fusion" => dataset::harness(
            path,
            &descriptor,
            &Engine::DataFusion {
                memory_limit: cityconform::dataset::engines::DEFAULT_MEMORY_LIMIT,
            },
        ),
        "ds-ballista" => match std::env::var("CITYCONFORM_BENCH_BALLISTA") {
            Ok(address) => dataset::harness(
                path,
                &descriptor,
                &Engine::Ballista {
                    address,
                    timeout: cityconform::dataset::engines::DEFAULT_CLUSTER_TIMEOUT,
                },
            ),
            Err(_) => Err("ds-ballista needs CITYCONFORM_BENCH_BALLISTA=HOST:PORT".to_owned()),
        },
        _ => return None,
    };
    Some(result.map(|audited| (audited, started.elapsed().as_secs_f64())))
}

/// Bytes this process has read so far with `read` calls: its files
/// (`rchar` in /proc, which does not count socket receives; 0 where
/// unknown).
fn read_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/io")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("rchar:"))
                .and_then(|n| n.trim().parse().ok())
        })
        .unwrap_or(0)
}

fn floor(registry: &SchemaRegistry, path: &Path) -> Result<(u64, u64), String> {
    let schema = registry.compile(AIR_QUALITY).map_err(|e| e.to_string())?;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let (mut records, mut errors) = (0u64, 0u64);
    let mut line = Vec::new();
    while reader
        .read_until(b'\n', &mut line)
        .map_err(|e| e.to_string())?
        > 0
    {
        let value: serde_json::Value = serde_json::from_slice(&line).map_err(|e| e.to_string())?;
        if !schema.validator.is_valid(&value) {
            errors += schema.validator.iter_errors(&value).count() as u64;
        }
        records += 1;
        line.clear();
    }
    Ok((records, errors))
}

/// The evaluation date of every benchmark run: fixed, so that runs
/// compare.
pub(crate) fn bench_day() -> Result<Day, String> {
    Day::parse("2026-01-01")
}

fn harness(registry: &SchemaRegistry, path: &Path, only: &[String]) -> Result<(u64, u64), String> {
    let catalogue = Catalogue::embedded().map_err(|e| e.to_string())?;
    let profiles = ["baseline".to_owned()];
    let selection = Selection {
        profiles: &profiles,
        only,
        as_of: bench_day()?,
    };
    let plan = payload::plan(&catalogue, registry, selection, None).map_err(|e| e.to_string())?;
    let options = ValidateOptions {
        paths: vec![path.to_path_buf()],
        force_schema: None,
        generated_at: String::new(),
        waivers: None,
        representation: Default::default(),
    };
    let report = validate(&plan, registry, &options, &NoProgress).map_err(|e| e.to_string())?;
    // Render the JSON report too: a run is not done until it is written.
    let mut sink = std::io::sink();
    cityconform::report::render(
        &report,
        cityconform::report::Format::Json,
        Default::default(),
        &mut sink,
    )
    .map_err(|e| e.to_string())?;
    Ok((report.summary.subjects, report.summary.findings))
}

/// Peak resident memory of this process, from /proc (0 where unknown).
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cpu}, {cores} cores")
}

/// The live audit, `args.runs` times against a fresh reference platform.
#[cfg(feature = "reference")]
fn live(args: &Args) -> Result<(), String> {
    use cityconform::live::{self, AuditOptions, LivePlan};
    use cityconform::reference::{ReferenceOptions, RunningReference};

    println!("machine: {}", machine());
    let catalogue = Catalogue::embedded().map_err(|e| e.to_string())?;
    let registry = SchemaRegistry::load(&SchemaOptions::default()).map_err(|e| e.to_string())?;
    let profiles = ["baseline", "kr", "eu"].map(String::from);
    let dir = args.dir.join("live");
    let mut audit_seconds = Vec::new();
    let mut total_seconds = Vec::new();
    let mut requests = 0;
    let mut subjects = 0;
    let runtime = cityconform::harness::runtime().map_err(|e| e.to_string())?;
    for _ in 0..args.runs.max(1) {
        let started = Instant::now();
        let reference = runtime
            .block_on(RunningReference::start(&ReferenceOptions {
                tls: true,
                ..ReferenceOptions::default()
            }))
            .map_err(|e| e.to_string())?;
        let target_path = reference.write_target(&dir).map_err(|e| e.to_string())?;
        let target = live::target::load(&target_path).map_err(|e| e.to_string())?;
        let cases = live::cases::load_cases(&[]).map_err(|e| e.to_string())?;
        let selection = Selection {
            profiles: &profiles,
            only: &[],
            as_of: bench_day()?,
        };
        let plan =
            LivePlan::new(&catalogue, &registry, cases, selection).map_err(|e| e.to_string())?;
        let audit_started = Instant::now();
        let report = runtime
            .block_on(live::audit(
                &plan,
                &target,
                &AuditOptions::default(),
                &NoProgress,
            ))
            .map_err(|e| e.to_string())?;
        audit_seconds.push(audit_started.elapsed().as_secs_f64());
        reference.stop();
        total_seconds.push(started.elapsed().as_secs_f64());
        if !report.summary.met {
            return Err("the conformant reference platform did not pass".to_owned());
        }
        requests = report.inputs.iter().map(|i| i.records).sum::<u64>();
        subjects = report.summary.subjects;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let median = |values: &mut Vec<f64>| {
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    println!(
        "\nlive audit: {} runs, {requests} requests, {subjects} subjects, profiles baseline, kr, eu\n",
        audit_seconds.len()
    );
    println!("| measure | median (s) | min (s) | max (s) |");
    println!("|---|---:|---:|---:|");
    for (name, values) in [
        ("audit", &mut audit_seconds),
        ("start platform + audit", &mut total_seconds),
    ] {
        let m = median(values);
        println!(
            "| {name} | {m:.3} | {:.3} | {:.3} |",
            values.first().copied().unwrap_or(0.0),
            values.last().copied().unwrap_or(0.0)
        );
    }
    Ok(())
}

/// The live benchmark audits the reference platform, which this build
/// leaves out.
#[cfg(not(feature = "reference"))]
fn live(_args: &Args) -> Result<(), String> {
    Err(
        "--live audits the embedded reference platform; build with the `reference` feature"
            .to_owned(),
    )
}
