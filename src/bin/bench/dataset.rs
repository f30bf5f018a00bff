//! The dataset-audit benchmark: a generated CSV of N rows with five
//! quasi-identifiers and one sensitive attribute, measured three ways, each
//! in its own process:
//!
//! - `ds-floor`: a minimal single-thread loop (csv crate, a hash map from
//!   the quasi-identifier tuple to counts per sensitive value, then k,
//!   distinct l and equal-distance t), the floor;
//! - `ds-all`: `cityconform dataset` through the library with every
//!   dataset requirement of `kr` on, JSON report rendered;
//! - `ds-all parquet`: the same on the same rows written as Parquet
//!   (the Parquet producer instead of the native scanner);
//! - `ds-pycanon`: pyCANON's `k_anonymity`, `l_diversity` and
//!   `t_closeness` (when installed), at the sizes it finishes in reasonable
//!   time.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use cityconform::catalog::Catalogue;
use cityconform::dataset::{AuditOptions, Descriptor, Engine};
use cityconform::engine::NoProgress;
use cityconform::engine::Selection;
use rustc_hash::FxHashMap;

use super::Rng;

/// The descriptor of the generated file.
pub(crate) const DESCRIPTOR: &str = r#"
[[column]]
name = "age_band"
role = "quasi-identifier"
type = "categorical"
[[column]]
name = "zone"
role = "quasi-identifier"
type = "categorical"
[[column]]
name = "sex"
role = "quasi-identifier"
type = "categorical"
[[column]]
name = "start_time"
role = "quasi-identifier"
type = "datetime"
[[column]]
name = "mode"
role = "quasi-identifier"
type = "categorical"
[[column]]
name = "purpose"
role = "sensitive"
type = "categorical"
"#;

const QUASI: [usize; 5] = [0, 1, 2, 3, 4];
const SENSITIVE: usize = 5;

/// Writes `rows` rows: 13 age bands, 60 zones, 2 sexes, 24 hours on the
/// quarter, 6 modes (about 224,000 combinations) and 8 purposes, skewed.
pub(crate) fn generate(path: &Path, rows: u64) -> Result<(), String> {
    let file =
        std::fs::File::create(path).map_err(|e| format!("create {}: {e}", path.display()))?;
    let mut out = BufWriter::new(file);
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    const MODES: [&str; 6] = ["walk", "bike", "bus", "metro", "taxi", "car"];
    const PURPOSES: [&str; 8] = [
        "commute",
        "business",
        "education",
        "shopping",
        "leisure",
        "healthcare",
        "visit",
        "other",
    ];
    writeln!(out, "age_band,zone,sex,start_time,mode,purpose").map_err(|e| e.to_string())?;
    for _ in 0..rows {
        let age = 15 + 5 * rng.below(13);
        let purpose = rng.below(8).min(rng.below(8)) as usize;
        writeln!(
            out,
            "{age}-{},Z{:03},{},2025-03-04T{:02}:{:02}:00+09:00,{},{}",
            age + 4,
            rng.below(60),
            if rng.below(2) == 0 { "F" } else { "M" },
            rng.below(24),
            15 * rng.below(4),
            MODES[rng.below(6) as usize],
            PURPOSES[purpose]
        )
        .map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

/// The floor: one pass, one map, three metrics. Returns (rows, k).
pub(crate) fn floor(path: &Path) -> Result<(u64, u64), String> {
    let mut reader = csv::ReaderBuilder::new()
        .from_path(path)
        .map_err(|e| e.to_string())?;
    let mut classes: FxHashMap<Vec<u8>, FxHashMap<Vec<u8>, u64>> = FxHashMap::default();
    let mut global: FxHashMap<Vec<u8>, u64> = FxHashMap::default();
    let mut record = csv::ByteRecord::new();
    let mut key = Vec::new();
    let mut rows = 0u64;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| e.to_string())?
    {
        key.clear();
        for &i in &QUASI {
            key.extend_from_slice(record.get(i).unwrap_or_default());
            key.push(0);
        }
        let value = record.get(SENSITIVE).unwrap_or_default();
        let counts = match classes.get_mut(key.as_slice()) {
            Some(counts) => counts,
            None => classes.entry(key.clone()).or_default(),
        };
        match counts.get_mut(value) {
            Some(n) => *n += 1,
            None => {
                counts.insert(value.to_vec(), 1);
            }
        }
        match global.get_mut(value) {
            Some(n) => *n += 1,
            None => {
                global.insert(value.to_vec(), 1);
            }
        }
        rows += 1;
    }
    let mut k = u64::MAX;
    let mut l = usize::MAX;
    let mut t = 0.0f64;
    for counts in classes.values() {
        let size: u64 = counts.values().sum();
        k = k.min(size);
        l = l.min(counts.len());
        let mut emd = 0.0;
        for (value, &n) in &global {
            let p = n as f64 / rows as f64;
            let q = counts.get(value).map_or(0.0, |&c| c as f64 / size as f64);
            emd += (q - p).abs();
        }
        t = t.max(emd / 2.0);
    }
    std::hint::black_box((l, t));
    Ok((rows, k))
}

/// What one audit of the benchmark gave: rows, k, and a digest of its
/// JSON report without what names the input, so that runs on different
/// producers can be told to agree.
pub(crate) struct Audited {
    pub(crate) rows: u64,
    pub(crate) k: u64,
    pub(crate) digest: u64,
}

/// cityconform with every dataset requirement of `kr`, summarised on
/// `engine`.
pub(crate) fn harness(path: &Path, descriptor: &Path, engine: &Engine) -> Result<Audited, String> {
    let descriptor_path = descriptor;
    let catalogue = Catalogue::embedded().map_err(|e| e.to_string())?;
    let profiles = ["kr".to_owned()];
    let selection = Selection {
        profiles: &profiles,
        only: &[],
        as_of: super::bench_day()?,
    };
    let plan = cityconform::dataset::plan(&catalogue, selection).map_err(|e| e.to_string())?;
    let descriptor = Descriptor::load(descriptor).map_err(|e| e.to_string())?;
    let options = AuditOptions {
        path: path.to_path_buf(),
        generated_at: String::new(),
        waivers: None,
    };
    let report =
        cityconform::dataset::engines::audit(&plan, &descriptor, &options, engine, &NoProgress)
            .map_err(|e| e.to_string())?;
    let mut json = Vec::new();
    cityconform::report::render(
        &report,
        cityconform::report::Format::Json,
        Default::default(),
        &mut json,
    )
    .map_err(|e| e.to_string())?;
    let dataset = report
        .datasets
        .into_iter()
        .next()
        .ok_or("no dataset summary")?;
    Ok(Audited {
        rows: dataset.rows,
        k: dataset.k.unwrap_or(0),
        digest: digest(&json, &[path, descriptor_path])?,
    })
}

/// FNV-1a over the JSON report with its `inputs` (path and format) left
/// out and the paths of the input and of the descriptor (`roles_from`)
/// replaced wherever the report quotes them, so that the digest does not
/// depend on where the files are or how their paths are written.
fn digest(json: &[u8], paths: &[&Path]) -> Result<u64, String> {
    let mut report: serde_json::Value = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    if let Some(map) = report.as_object_mut() {
        map.remove("inputs");
    }
    let text = paths.iter().fold(report.to_string(), |text, path| {
        text.replace(&path.display().to_string(), "[input]")
    });
    Ok(text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    }))
}

/// pyCANON's k, l and t on `path`: (rows, k), or `None` when pyCANON is not
/// installed.
pub(crate) fn pycanon(path: &Path) -> Result<Option<(u64, u64, f64)>, String> {
    const SCRIPT: &str = r#"
import sys, time
import pandas as pd
from pycanon import anonymity
data = pd.read_csv(sys.argv[1])
qi = ["age_band", "zone", "sex", "start_time", "mode"]
started = time.perf_counter()
k = anonymity.k_anonymity(data, qi)
l = anonymity.l_diversity(data, qi, ["purpose"])
t = anonymity.t_closeness(data, qi, ["purpose"])
print(len(data), k, time.perf_counter() - started)
"#;
    let probe = std::process::Command::new("python3")
        .args(["-c", "import pycanon"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return Ok(None);
    }
    let started = Instant::now();
    let output = std::process::Command::new("python3")
        .args(["-c", SCRIPT])
        .arg(path)
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "pyCANON failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<&str> = text.split_whitespace().collect();
    let rows = fields.first().and_then(|f| f.parse().ok()).unwrap_or(0);
    let k = fields.get(1).and_then(|f| f.parse().ok()).unwrap_or(0);
    let metric_seconds = fields
        .get(2)
        .and_then(|f| f.parse().ok())
        .unwrap_or_else(|| started.elapsed().as_secs_f64());
    Ok(Some((rows, k, metric_seconds)))
}

/// Rows per Parquet row group (and per Arrow batch written).
const ROW_GROUP: usize = 128 * 1024;

/// Writes the CSV at `csv` again as Parquet at `path`: the same rows and
/// texts, every column a string (dictionary-encoded by the writer, as
/// low-cardinality columns are in a data lake), Snappy-compressed.
pub(crate) fn to_parquet(csv: &Path, path: &Path) -> Result<(), String> {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Compression;
    use parquet::file::properties::WriterProperties;

    let mut reader = csv::ReaderBuilder::new()
        .from_path(csv)
        .map_err(|e| e.to_string())?;
    let names: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_owned)
        .collect();
    let schema = Arc::new(Schema::new(
        names
            .iter()
            .map(|n| Field::new(n, DataType::Utf8, false))
            .collect::<Vec<_>>(),
    ));
    let properties = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP))
        .build();
    let file =
        std::fs::File::create(path).map_err(|e| format!("create {}: {e}", path.display()))?;
    let mut writer =
        ArrowWriter::try_new(file, schema.clone(), Some(properties)).map_err(|e| e.to_string())?;
    let mut columns: Vec<Vec<String>> = vec![Vec::with_capacity(ROW_GROUP); names.len()];
    let mut flush = |columns: &mut Vec<Vec<String>>| -> Result<(), String> {
        if columns.first().is_none_or(Vec::is_empty) {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = columns
            .iter_mut()
            .map(|c| Arc::new(StringArray::from_iter_values(c.drain(..))) as ArrayRef)
            .collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(|e| e.to_string())?;
        writer.write(&batch).map_err(|e| e.to_string())
    };
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).map_err(|e| e.to_string())? {
        for (column, cell) in columns.iter_mut().zip(record.iter()) {
            column.push(cell.to_owned());
        }
        if columns[0].len() == ROW_GROUP {
            flush(&mut columns)?;
        }
    }
    flush(&mut columns)?;
    writer.close().map_err(|e| e.to_string())?;
    Ok(())
}
