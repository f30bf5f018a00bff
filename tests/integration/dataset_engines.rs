//! `dataset --engine datafusion` (built with the `datafusion` feature):
//! the same generated rows, written as CSV, as one Parquet file and as a
//! folder of Parquet parts, give through DataFusion the native producers'
//! report, identifiers detected, under two profiles; a small memory pool
//! changes nothing, one too small for a batch stops the run naming the
//! setting; NDJSON is refused with the engine that reads it.

use std::path::Path;

use serde_json::Value;

use crate::common::{expect_exit, run};
use crate::dataset_parquet::{
    assert_same, audit_on, batch, rows, without_input, write_parquet, written,
};

/// Rows in the generated dataset: enough for classes of every size and a
/// few hundred identifiers.
const ROWS: usize = 10_000;

fn native_and_datafusion(data: &Path, descriptor: &Path, extra: &[&str]) -> (Value, Value) {
    let native = audit_on(data, Some(descriptor), &[]);
    let mut args = vec!["--engine", "datafusion"];
    args.extend(extra);
    let fusion = audit_on(data, Some(descriptor), &args);
    (native, fusion)
}

#[test]
fn datafusion_gives_the_native_report_on_csv_parquet_and_parts() {
    let w = written(ROWS);
    let parts = w.dir.join("parts");
    std::fs::create_dir(&parts).expect("folder");
    for (i, chunk) in rows(ROWS).chunks(3_000).enumerate() {
        write_parquet(&parts.join(format!("part-{i}")), &batch(chunk, false));
    }
    for data in [&w.csv, &w.parquet, &parts] {
        let (native, fusion) = native_and_datafusion(data, &w.descriptor, &[]);
        assert_eq!(native["datasets"][0]["rows"], ROWS as u64);
        let text = native.to_string();
        assert!(
            text.contains("[email]") || text.contains("\"email\""),
            "the generated e-mail addresses are detected"
        );
        assert!(
            native["summary"]["findings"].as_u64().unwrap_or(0) > 0,
            "the generated rows fail some requirement"
        );
        assert_eq!(native["profiles"].as_array().map(Vec::len), Some(2));
        assert_same(without_input(native, data), without_input(fusion, data));
    }
}

/// A pool of 8 MiB, which DataFusion's aggregations share (each stream
/// running at once gets a fair part), changes no verdict.
#[test]
fn a_small_memory_pool_gives_the_same_report() {
    let w = written(ROWS);
    let (native, fusion) =
        native_and_datafusion(&w.parquet, &w.descriptor, &["--memory-limit", "8M"]);
    assert_same(
        without_input(native, &w.parquet),
        without_input(fusion, &w.parquet),
    );
}

#[test]
fn ndjson_on_datafusion_exits_2_naming_the_engine_that_reads_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("trips.ndjson");
    std::fs::write(&data, "{\"zone\":\"A\"}\n").expect("data");
    let descriptor = dir.path().join("trips.toml");
    std::fs::write(
        &descriptor,
        "[[column]]\nname = \"zone\"\nrole = \"quasi-identifier\"\ntype = \"categorical\"\n",
    )
    .expect("descriptor");
    let output = run(&[
        "dataset",
        &data.display().to_string(),
        "-d",
        &descriptor.display().to_string(),
        "--engine",
        "datafusion",
    ]);
    let text = expect_exit(&output, 2);
    assert!(text.contains("--engine native"), "{text}");
}

#[test]
fn a_ragged_csv_on_datafusion_exits_2_naming_the_file() {
    let w = written(50);
    let mut text = std::fs::read_to_string(&w.csv).expect("the CSV");
    text.push_str("Z01,30\n");
    std::fs::write(&w.csv, text).expect("the CSV");
    let output = run(&[
        "dataset",
        &w.csv.display().to_string(),
        "-d",
        &w.descriptor.display().to_string(),
        "--engine",
        "datafusion",
    ]);
    let text = expect_exit(&output, 2);
    assert!(text.contains("trips.csv"), "{text}");
}

/// A pool too small for one batch of groups stops the run (exit 2)
/// saying which setting to raise, rather than giving a partial summary.
#[test]
fn a_pool_too_small_for_one_batch_exits_2_naming_the_setting() {
    let w = written(ROWS);
    let output = run(&[
        "dataset",
        &w.parquet.display().to_string(),
        "-d",
        &w.descriptor.display().to_string(),
        "--engine",
        "datafusion",
        "--memory-limit",
        "256K",
    ]);
    let text = expect_exit(&output, 2);
    assert!(text.contains("--memory-limit"), "{text}");
    assert!(text.contains("trips.parquet"), "{text}");
}
