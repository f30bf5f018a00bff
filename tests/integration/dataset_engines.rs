//! `dataset --engine datafusion` (built with the `datafusion` feature):
//! the same generated rows, written as CSV, as one Parquet file and as a
//! folder of Parquet parts, give through DataFusion the native producers'
//! report, identifiers detected, under two profiles; a small memory pool
//! changes nothing, one too small for a batch stops the run naming the
//! setting. Generated NDJSON lines (members missing, null, nested, named
//! by an address) give the native report; what DataFusion's JSON reader
//! cannot hold, broken lines and values that are no number stop the run
//! with the native scanner's error and line.

use std::path::Path;

use serde_json::Value;

use crate::common::{expect_exit, run};
use crate::dataset_parquet::{assert_same_report, audit_on, batch, rows, write_parquet, written};

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
        assert_same_report(native, fusion, data);
    }
}

/// A pool of 8 MiB, which DataFusion's aggregations share (each stream
/// running at once gets a fair part), changes no verdict.
#[test]
fn a_small_memory_pool_gives_the_same_report() {
    let w = written(ROWS);
    let (native, fusion) =
        native_and_datafusion(&w.parquet, &w.descriptor, &["--memory-limit", "8M"]);
    assert_same_report(native, fusion, &w.parquet);
}

/// The NDJSON descriptor: members, a pointer into a nested object, a
/// numeric quasi-identifier and sensitive attribute, a postcode written as
/// text with a leading zero, a nested object as one insensitive cell.
pub(crate) const NDJSON_DESCRIPTOR: &str = r#"
[[column]]
name = "zone"
role = "quasi-identifier"
type = "categorical"
[[column]]
name = "age"
role = "quasi-identifier"
type = "numeric"
[[column]]
name = "/place/district"
role = "quasi-identifier"
type = "categorical"
[[column]]
name = "postcode"
role = "quasi-identifier"
type = "categorical"
[[column]]
name = "start_time"
role = "quasi-identifier"
type = "datetime"
granularity = "PT1H"
[[column]]
name = "purpose"
role = "sensitive"
[[column]]
name = "fare"
role = "sensitive"
type = "numeric"
[[column]]
name = "contact"
role = "insensitive"
[[column]]
name = "/meta/device"
role = "insensitive"
"#;

/// One generated NDJSON line from `pick` (a seeded choice below its
/// argument): members missing or `null` on some lines, numbers,
/// booleans, nested objects and arrays, identifiers in values, in nested
/// members and in member names.
fn ndjson_line(pick: &mut impl FnMut(u64) -> u64) -> String {
    let mut members: Vec<String> = vec![format!("\"zone\":\"Z{:02}\"", pick(8))];
    match pick(10) {
        0 => {}
        1 => members.push("\"age\":null".to_owned()),
        _ => members.push(format!("\"age\":{}", 20 + 10 * pick(5))),
    }
    if pick(6) > 0 {
        members.push(format!(
            "\"place\":{{\"district\":\"D{}\",\"block\":{}}}",
            pick(4),
            pick(3)
        ));
    }
    members.push(format!("\"postcode\":\"0{}\"", 1000 + pick(3)));
    members.push(format!(
        "\"start_time\":\"2025-03-04T{:02}:{:02}:00+09:00\"",
        pick(24),
        30 * pick(2) * u64::from(pick(9) == 0)
    ));
    if pick(6) > 0 {
        let purposes = ["commute", "care", "school", "leisure"];
        members.push(format!("\"purpose\":\"{}\"", purposes[pick(4) as usize]));
    }
    let fares = ["1.5", "2.25", "3.0", "12.0"];
    members.push(format!("\"fare\":{}", fares[pick(4) as usize]));
    match pick(40) {
        0 => members.push("\"contact\":\"kim@example.org\"".to_owned()),
        1 => members.push("\"contact\":\"010-1234-5678\"".to_owned()),
        2..=20 => members.push("\"contact\":\"none given\"".to_owned()),
        _ => {}
    }
    match pick(5) {
        0 => members.push(
            "\"meta\":{\"device\":{\"mac\":\"00:1A:2B:3C:4D:5E\",\"os\":[\"a\",\"1\"],\"ports\":[80,443]}}".to_owned(),
        ),
        1 => members.push("\"meta\":{\"device\":{\"os\":[\"b\"]}}".to_owned()),
        _ => {}
    }
    members.push(format!("\"returning\":{}", pick(2) == 0));
    if pick(30) == 0 {
        members.push(
            "\"driver\":{\"phone\":\"010-9876-5432\",\"ids\":[{\"mail\":\"lee@example.org\"}]}"
                .to_owned(),
        );
    }
    match pick(60) {
        0 => members.push("\"kim@example.org\":true".to_owned()),
        1 => members.push("\"lee@example.org\":\"seen\"".to_owned()),
        _ => {}
    }
    if pick(20) == 0 {
        members.push("\"note\":null".to_owned());
    }
    format!("{{{}}}\n", members.join(","))
}

/// `n` generated NDJSON lines from a fixed seed, a blank line among them.
pub(crate) fn ndjson(n: usize) -> String {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut pick = move |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&ndjson_line(&mut pick));
        if i == n / 2 {
            text.push('\n');
        }
    }
    text
}

/// A dataset and its descriptor in a temporary folder.
pub(crate) struct Files {
    _dir: tempfile::TempDir,
    pub(crate) data: std::path::PathBuf,
    pub(crate) descriptor: std::path::PathBuf,
}

pub(crate) fn files(name: &str, data: &str, descriptor: &str) -> Files {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, data).expect("the data");
    let descriptor_path = dir.path().join("descriptor.toml");
    std::fs::write(&descriptor_path, descriptor).expect("the descriptor");
    Files {
        data: path,
        descriptor: descriptor_path,
        _dir: dir,
    }
}

#[test]
fn ndjson_on_datafusion_gives_the_native_report() {
    let f = files("trips.ndjson", &ndjson(3_000), NDJSON_DESCRIPTOR);
    let (native, fusion) = native_and_datafusion(&f.data, &f.descriptor, &[]);
    assert_eq!(native["datasets"][0]["rows"], 3_000);
    let text = native.to_string();
    assert!(text.contains("[email]"), "a member named by an address");
    assert!(!text.contains("example.org"), "no address is shown");
    assert!(
        native["summary"]["findings"].as_u64().unwrap_or(0) > 0,
        "the generated lines fail some requirement"
    );
    assert_same_report(native, fusion, &f.data);
}

/// Lines that differ from one another in what they hold: a member only on
/// the last line, a nested value read whole, an empty object.
#[test]
fn ndjson_members_met_once_give_the_native_report() {
    let mut text = ndjson(40);
    text.push_str(
        "{\"zone\":\"Z01\",\"fare\":1.5,\"late\":{\"x\":\"kim@example.org\"},\"meta\":{}}\n",
    );
    let f = files("trips.ndjson", &text, NDJSON_DESCRIPTOR);
    let (native, fusion) = native_and_datafusion(&f.data, &f.descriptor, &[]);
    assert!(
        native.to_string().contains("\"late\""),
        "the late member is a column"
    );
    assert_same_report(native, fusion, &f.data);
}

/// `code` is text on one line and a number on the next: the native
/// scanner reads both, DataFusion's reader cannot hold them in one column,
/// and the run stops naming the member, never its value.
#[test]
fn an_ndjson_member_of_two_types_on_datafusion_exits_2_naming_the_member() {
    let data = "{\"zone\":\"Z01\",\"code\":\"ab\"}\n{\"zone\":\"Z01\",\"code\":7012345678}\n";
    let f = files("mixed.ndjson", data, NDJSON_DESCRIPTOR);
    let native = audit_on(&f.data, Some(&f.descriptor), &[]);
    assert_eq!(native["datasets"][0]["rows"], 2);
    let output = run(&[
        "dataset",
        &f.data.display().to_string(),
        "-d",
        &f.descriptor.display().to_string(),
        "--engine",
        "datafusion",
    ]);
    let text = expect_exit(&output, 2);
    assert!(text.contains("mixed.ndjson"), "{text}");
    assert!(text.contains("member `code`"), "{text}");
    assert!(text.contains("--engine native"), "{text}");
    assert!(!text.contains("7012345678"), "{text}");
}

/// A member whose name is an address and whose values change type is
/// named by its placeholder.
#[test]
fn an_ndjson_member_named_by_an_address_is_named_by_its_placeholder() {
    let data = "{\"zone\":\"Z01\",\"kim@example.org\":\"a\"}\n{\"zone\":\"Z01\",\"kim@example.org\":{\"b\":1}}\n";
    let f = files("mixed.ndjson", data, NDJSON_DESCRIPTOR);
    let output = run(&[
        "dataset",
        &f.data.display().to_string(),
        "-d",
        &f.descriptor.display().to_string(),
        "--engine",
        "datafusion",
    ]);
    let text = expect_exit(&output, 2);
    assert!(text.contains("mixed.ndjson"), "{text}");
    assert!(!text.contains("example.org"), "{text}");
}

/// The stderr of a run of `dataset DATA -d DESCRIPTOR` with `extra`,
/// which must exit 2, with the data's folder written `[dir]`.
fn refusal(f: &Files, extra: &[&str]) -> String {
    let data = f.data.display().to_string();
    let descriptor = f.descriptor.display().to_string();
    let mut args = vec!["dataset", data.as_str(), "-d", descriptor.as_str()];
    args.extend(extra);
    let output = run(&args);
    expect_exit(&output, 2);
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A line that is no JSON object stops DataFusion with the native
/// scanner's error on that line.
#[test]
fn a_broken_ndjson_line_on_datafusion_gives_the_native_error() {
    let mut text = ndjson(30);
    text.push_str("{\"zone\":\"Z01\",\"fare\":\n");
    text.push_str(&ndjson(5));
    let f = files("trips.ndjson", &text, NDJSON_DESCRIPTOR);
    let native = refusal(&f, &[]);
    assert!(native.contains(":32"), "{native}");
    assert_eq!(refusal(&f, &["--engine", "datafusion"]), native);
}

/// A value that is no number in a numeric column: DataFusion's error is
/// the native one, line and column included, on CSV and NDJSON.
#[test]
fn a_non_number_on_datafusion_names_the_native_line() {
    let mut csv = String::from("zone,age,purpose,fare\n");
    for i in 0..200 {
        csv.push_str(&format!("Z{},{},care,{}.5\n", i % 3, 20 + i % 4, i % 5));
    }
    csv.push_str("Z1,\"forty\nfive\",care,2\n");
    csv.push_str("Z1,40,care,n/a\n");
    let descriptor = "[[column]]\nname = \"zone\"\nrole = \"quasi-identifier\"\ntype = \"categorical\"\n[[column]]\nname = \"age\"\nrole = \"quasi-identifier\"\ntype = \"numeric\"\n[[column]]\nname = \"purpose\"\nrole = \"sensitive\"\n[[column]]\nname = \"fare\"\nrole = \"sensitive\"\ntype = \"numeric\"\n";
    let f = files("trips.csv", &csv, descriptor);
    let native = refusal(&f, &[]);
    assert!(native.contains(":202"), "{native}");
    assert!(native.contains("`age`"), "{native}");
    assert_eq!(refusal(&f, &["--engine", "datafusion"]), native);

    let mut lines = ndjson(100);
    lines.push_str("{\"zone\":\"Z01\",\"age\":30,\"fare\":\"free\"}\n");
    lines.push_str("{\"zone\":\"Z01\",\"age\":\"thirty\",\"fare\":1.5}\n");
    let f = files("trips.ndjson", &lines, NDJSON_DESCRIPTOR);
    let native = refusal(&f, &[]);
    assert!(native.contains(":102"), "{native}");
    assert!(native.contains("`fare`"), "{native}");
    assert_eq!(refusal(&f, &["--engine", "datafusion"]), native);
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
