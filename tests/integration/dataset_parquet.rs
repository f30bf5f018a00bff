//! `cityconform dataset` on Parquet: the same generated rows written as
//! CSV and as Parquet (plain, dictionary-encoded and struct columns, one
//! file or a folder of parts) give the same report; roles come from Arrow
//! field metadata when no descriptor names them; a file is told Parquet by
//! its magic bytes; and every bad Parquet input (truncated, bad magic, bad
//! footer, a missing column, a column that is no text, an empty folder)
//! exits 2 naming the file and column, writing no report.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{Int64Builder, ListBuilder, StringDictionaryBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray, StructArray,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;
use serde_json::Value;

use crate::common::{expect_exit, json_report, run};

/// The descriptor of the generated rows: every column named, one of them
/// a field of a struct.
const DESCRIPTOR: &str = r#"
[[column]]
name = "zone"
role = "quasi-identifier"
type = "categorical"
[[column]]
name = "age"
role = "quasi-identifier"
type = "numeric"
[[column]]
name = "place.district"
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
name = "returning"
role = "insensitive"
"#;

/// One generated row; `None` is a missing value (an empty CSV cell, a
/// Parquet null).
pub(crate) struct Row {
    zone: String,
    age: Option<i64>,
    district: Option<String>,
    start_time: String,
    purpose: Option<String>,
    fare: f64,
    contact: Option<String>,
    returning: bool,
}

/// `n` rows from a fixed seed: small classes, missing values, a few
/// e-mail addresses and phone numbers, minutes off the hour.
pub(crate) fn rows(n: usize) -> Vec<Row> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move |m: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % m
    };
    const PURPOSES: [&str; 4] = ["commute", "care", "school", "leisure"];
    (0..n)
        .map(|_| Row {
            zone: format!("Z{:02}", next(12)),
            age: (next(10) > 0).then(|| 20 + 10 * next(5) as i64),
            district: (next(8) > 0).then(|| format!("D{}", next(4))),
            start_time: format!(
                "2025-03-04T{:02}:{:02}:00+09:00",
                next(24),
                30 * next(2) * u64::from(next(9) == 0)
            ),
            purpose: (next(6) > 0).then(|| PURPOSES[next(4) as usize].to_owned()),
            fare: [1.5, 2.25, 3.0, 12.0][next(4) as usize],
            contact: match next(50) {
                0 => Some("kim@example.org".to_owned()),
                1 => Some("010-1234-5678".to_owned()),
                2..=20 => Some("none given".to_owned()),
                _ => None,
            },
            returning: next(2) == 0,
        })
        .collect()
}

pub(crate) fn write_csv(path: &Path, rows: &[Row]) {
    let mut text =
        String::from("zone,age,place.district,start_time,purpose,fare,contact,returning\n");
    for r in rows {
        text.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            r.zone,
            r.age.map(|a| a.to_string()).unwrap_or_default(),
            r.district.clone().unwrap_or_default(),
            r.start_time,
            r.purpose.clone().unwrap_or_default(),
            r.fare,
            r.contact.clone().unwrap_or_default(),
            r.returning
        ));
    }
    std::fs::write(path, text).expect("the CSV is written");
}

/// The rows as one Arrow batch: `zone` dictionary-encoded, `place` a
/// struct, `fare` a double, `returning` a boolean.
pub(crate) fn batch(rows: &[Row], metadata: bool) -> RecordBatch {
    let mut zones = StringDictionaryBuilder::<Int32Type>::new();
    for r in rows {
        zones.append_value(&r.zone);
    }
    let district = Field::new("district", DataType::Utf8, true);
    let place = StructArray::from(vec![(
        Arc::new(district.clone()),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| r.district.clone()),
        )) as ArrayRef,
    )]);
    let role = |field: Field, role: &str, value_type: &str| {
        if !metadata {
            return field;
        }
        field.with_metadata(HashMap::from([
            ("cityconform:role".to_owned(), role.to_owned()),
            ("cityconform:type".to_owned(), value_type.to_owned()),
        ]))
    };
    let schema = Schema::new(vec![
        role(
            Field::new(
                "zone",
                DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
                false,
            ),
            "quasi-identifier",
            "categorical",
        ),
        role(
            Field::new("age", DataType::Int64, true),
            "quasi-identifier",
            "numeric",
        ),
        Field::new("place", DataType::Struct(vec![district].into()), false),
        Field::new("start_time", DataType::Utf8, false),
        role(
            Field::new("purpose", DataType::Utf8, true),
            "sensitive",
            "categorical",
        ),
        Field::new("fare", DataType::Float64, false),
        role(
            Field::new("contact", DataType::Utf8, true),
            "insensitive",
            "categorical",
        ),
        Field::new("returning", DataType::Boolean, false),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(zones.finish()),
        Arc::new(Int64Array::from_iter(rows.iter().map(|r| r.age))),
        Arc::new(place),
        Arc::new(StringArray::from_iter_values(
            rows.iter().map(|r| r.start_time.as_str()),
        )),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| r.purpose.clone()),
        )),
        Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.fare))),
        Arc::new(StringArray::from_iter(
            rows.iter().map(|r| r.contact.clone()),
        )),
        Arc::new(BooleanArray::from_iter(
            rows.iter().map(|r| Some(r.returning)),
        )),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).expect("the batch is consistent")
}

pub(crate) fn write_parquet(path: &Path, batch: &RecordBatch) {
    let file = File::create(path).expect("the Parquet file is created");
    // Small row groups: the reader crosses several of them.
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(700))
        .build();
    let mut writer =
        ArrowWriter::try_new(file, batch.schema(), Some(properties)).expect("a writer");
    writer.write(batch).expect("the rows are written");
    writer.close().expect("the file is closed");
}

/// The JSON report of `dataset DATA [-d DESCRIPTOR] -p kr -p eu`, which
/// must exit 0 or 1.
fn audit(data: &Path, descriptor: Option<&Path>) -> Value {
    audit_on(data, descriptor, &[])
}

/// As [`audit`], with `extra` arguments (an engine).
pub(crate) fn audit_on(data: &Path, descriptor: Option<&Path>, extra: &[&str]) -> Value {
    let data = data.display().to_string();
    let mut args = vec![
        "dataset",
        data.as_str(),
        "-p",
        "kr",
        "-p",
        "eu",
        "--format",
        "json",
    ];
    let descriptor = descriptor.map(|d| d.display().to_string());
    if let Some(d) = &descriptor {
        args.extend(["-d", d.as_str()]);
    }
    args.extend(extra);
    let output = run(&args);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        crate::common::transcript(&output)
    );
    json_report(&output)
}

/// The report without what names the input: its path (wherever a
/// location or summary quotes it) and its format.
pub(crate) fn without_input(report: Value, input: &Path) -> Value {
    let quoted = serde_json::to_string(&input.display().to_string()).unwrap_or_default();
    let text = report.to_string().replace(&quoted, "\"[input]\"");
    let mut report: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    for input in report["inputs"].as_array_mut().into_iter().flatten() {
        input["format"] = Value::Null;
    }
    report
}

/// Asserts two reports equal, showing the first lines that differ.
/// [`assert_same`] on two reports of the same `input`, once its path is
/// left out of both.
#[cfg(feature = "datafusion")]
pub(crate) fn assert_same_report(a: Value, b: Value, input: &Path) {
    assert_same(without_input(a, input), without_input(b, input));
}

pub(crate) fn assert_same(a: Value, b: Value) {
    if a == b {
        return;
    }
    let text = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let (a, b) = (text(&a), text(&b));
    let differ: Vec<String> = a
        .lines()
        .zip(b.lines())
        .enumerate()
        .filter(|(_, (x, y))| x != y)
        .take(6)
        .map(|(i, (x, y))| format!("line {i}: {x} | {y}"))
        .collect();
    panic!("the reports differ:\n{}", differ.join("\n"));
}

pub(crate) struct Written {
    _dir: tempfile::TempDir,
    pub(crate) csv: PathBuf,
    pub(crate) parquet: PathBuf,
    pub(crate) descriptor: PathBuf,
    pub(crate) dir: PathBuf,
}

pub(crate) fn written(n: usize) -> Written {
    let dir = tempfile::tempdir().expect("temp dir");
    let rows = rows(n);
    let csv = dir.path().join("trips.csv");
    let parquet = dir.path().join("trips.parquet");
    let descriptor = dir.path().join("trips.toml");
    write_csv(&csv, &rows);
    write_parquet(&parquet, &batch(&rows, false));
    std::fs::write(&descriptor, DESCRIPTOR).expect("the descriptor is written");
    Written {
        dir: dir.path().to_path_buf(),
        _dir: dir,
        csv,
        parquet,
        descriptor,
    }
}

#[test]
fn the_same_rows_as_csv_and_parquet_give_the_same_report() {
    let w = written(3000);
    let csv = audit(&w.csv, Some(&w.descriptor));
    let parquet = audit(&w.parquet, Some(&w.descriptor));
    assert_eq!(parquet["inputs"][0]["format"], "parquet");
    assert_eq!(parquet["datasets"][0]["rows"], 3000);
    let findings = csv["summary"]["findings"].as_u64().unwrap_or(0);
    assert!(findings > 0, "the generated rows fail some requirement");
    let direct = csv.to_string();
    assert!(
        direct.contains("\"email\"") || direct.contains("[email]"),
        "the e-mail addresses are found"
    );
    assert_same(
        without_input(csv, &w.csv),
        without_input(parquet, &w.parquet),
    );
}

#[test]
fn a_folder_of_parts_gives_the_report_of_the_whole() {
    let w = written(2000);
    let parts = w.dir.join("parts");
    std::fs::create_dir(&parts).expect("folder");
    let rows = rows(2000);
    for (i, chunk) in rows.chunks(600).enumerate() {
        write_parquet(
            &parts.join(format!("part-{i}.parquet")),
            &batch(chunk, false),
        );
    }
    std::fs::write(parts.join("_SUCCESS"), "").expect("marker");
    let whole = audit(&w.parquet, Some(&w.descriptor));
    let folder = audit(&parts, Some(&w.descriptor));
    assert_eq!(folder["datasets"][0]["rows"], 2000);
    assert_same(
        without_input(whole, &w.parquet),
        without_input(folder, &parts),
    );
}

#[test]
fn roles_come_from_field_metadata_without_a_descriptor() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rows = rows(500);
    let path = dir.path().join("tagged.parquet");
    write_parquet(&path, &batch(&rows, true));
    let report = audit(&path, None);
    let dataset = &report["datasets"][0];
    assert_eq!(dataset["roles_from"], "Parquet field metadata");
    let columns: Vec<(String, String)> = dataset["columns"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["role"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("zone", "quasi-identifier"),
        ("age", "quasi-identifier"),
        ("purpose", "sensitive"),
        ("contact", "insensitive"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(columns, expected, "only the tagged columns are read");
    assert!(dataset["k"].as_u64().is_some_and(|k| k >= 1));
}

#[test]
fn a_parquet_file_is_told_by_its_magic_bytes() {
    let w = written(300);
    let unnamed = w.dir.join("extract.dat");
    std::fs::copy(&w.parquet, &unnamed).expect("copy");
    let report = audit(&unnamed, Some(&w.descriptor));
    assert_eq!(report["inputs"][0]["format"], "parquet");
    assert_eq!(report["datasets"][0]["rows"], 300);
}

/// Runs an audit that must fail with exit 2, mention each of `names` in
/// its message, and write no report.
fn refused(data: &Path, descriptor: &Path, names: &[&str]) {
    let report = data.with_extension("report.json");
    let report_arg = format!("json={}", report.display());
    let data = data.display().to_string();
    let descriptor = descriptor.display().to_string();
    let output = run(&[
        "dataset",
        &data,
        "-d",
        &descriptor,
        "-p",
        "kr",
        "--report",
        &report_arg,
    ]);
    let text = expect_exit(&output, 2);
    assert!(!text.contains("panicked"), "{text}");
    for name in names {
        assert!(text.contains(name), "the message names `{name}`: {text}");
    }
    assert!(!report.exists(), "a report was written: {text}");
}

#[test]
fn a_truncated_file_bad_magic_or_bad_footer_is_refused() {
    let w = written(1000);
    let bytes = std::fs::read(&w.parquet).expect("read");
    let truncated = w.dir.join("truncated.parquet");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    refused(&truncated, &w.descriptor, &["truncated.parquet", "Parquet"]);

    let magic = w.dir.join("magic.parquet");
    std::fs::write(&magic, b"zone,age\nZ01,30\n").expect("write");
    refused(&magic, &w.descriptor, &["magic.parquet", "Parquet"]);

    let footer = w.dir.join("footer.parquet");
    let mut broken = bytes.clone();
    let at = broken.len() - 8;
    broken[at..at + 4].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
    std::fs::write(&footer, &broken).expect("write");
    refused(&footer, &w.descriptor, &["footer.parquet", "Parquet"]);

    let pages = w.dir.join("pages.parquet");
    let mut scrambled = bytes;
    for byte in scrambled.iter_mut().skip(4).take(400) {
        *byte ^= 0x5a;
    }
    std::fs::write(&pages, &scrambled).expect("write");
    refused(&pages, &w.descriptor, &["pages.parquet"]);
}

#[test]
fn a_missing_column_or_one_that_is_no_text_is_refused() {
    let w = written(100);
    let absent = w.dir.join("absent.toml");
    std::fs::write(
        &absent,
        format!(
            "{DESCRIPTOR}\n[[column]]\nname = \"tariff\"\nrole = \"quasi-identifier\"\ntype = \"categorical\"\n"
        ),
    )
    .expect("write");
    refused(&w.parquet, &absent, &["trips.parquet", "`tariff`"]);

    let nested = w.dir.join("struct.toml");
    std::fs::write(
        &nested,
        "[[column]]\nname = \"place\"\nrole = \"quasi-identifier\"\ntype = \"categorical\"\n",
    )
    .expect("write");
    refused(
        &w.parquet,
        &nested,
        &["trips.parquet", "`place`", "place.FIELD"],
    );

    let item = Arc::new(Field::new("item", DataType::Int64, true));
    let schema = Schema::new(vec![Field::new("legs", DataType::List(item), true)]);
    let mut list = ListBuilder::new(Int64Builder::new());
    list.values().append_value(1);
    list.append(true);
    let listed = RecordBatch::try_new(Arc::new(schema), vec![Arc::new(list.finish()) as ArrayRef])
        .expect("batch");
    let lists = w.dir.join("lists.parquet");
    write_parquet(&lists, &listed);
    let legs = w.dir.join("legs.toml");
    std::fs::write(
        &legs,
        "[[column]]\nname = \"legs\"\nrole = \"quasi-identifier\"\ntype = \"categorical\"\n",
    )
    .expect("write");
    refused(
        &lists,
        &legs,
        &["lists.parquet", "`legs`", "cannot be read as text"],
    );
}

#[test]
fn an_empty_folder_is_refused() {
    let w = written(10);
    let empty = w.dir.join("empty");
    std::fs::create_dir(&empty).expect("folder");
    std::fs::write(empty.join("_SUCCESS"), "").expect("marker");
    refused(&empty, &w.descriptor, &["empty", "no Parquet file"]);
}

/// A value that is no number, in a row group the parallel reader gives to
/// its second range, is named by its line in the whole file, as the CSV
/// of the same rows names it.
#[test]
fn a_non_number_in_a_later_row_group_is_named_by_its_line_in_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fares: Vec<String> = (0..3000)
        .map(|i| {
            if i == 2499 {
                "n/a".to_owned()
            } else {
                format!("{}.5", i % 40)
            }
        })
        .collect();
    let zones: Vec<String> = (0..3000).map(|i| format!("Z{:02}", i % 7)).collect();
    let schema = Arc::new(Schema::new(vec![
        Field::new("zone", DataType::Utf8, false),
        Field::new("fare", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(StringArray::from_iter_values(&zones)) as ArrayRef,
            Arc::new(StringArray::from_iter_values(&fares)) as ArrayRef,
        ],
    )
    .expect("the batch is consistent");
    let parquet = dir.path().join("fares.parquet");
    write_parquet(&parquet, &batch);
    let csv = dir.path().join("fares.csv");
    let mut text = "zone,fare\n".to_owned();
    for (zone, fare) in zones.iter().zip(&fares) {
        text.push_str(&format!("{zone},{fare}\n"));
    }
    std::fs::write(&csv, text).expect("the CSV is written");
    let descriptor = dir.path().join("fares.toml");
    std::fs::write(
        &descriptor,
        "[[column]]\nname = \"zone\"\nrole = \"quasi-identifier\"\ntype = \"categorical\"\n[[column]]\nname = \"fare\"\nrole = \"sensitive\"\ntype = \"numeric\"\n",
    )
    .expect("the descriptor is written");
    // The header is the CSV's line 1, so the 2500th row is its line 2501;
    // a Parquet file has no header line, so the same row is its line 2500.
    refused(&csv, &descriptor, &["fare", "2501", "not a number"]);
    refused(&parquet, &descriptor, &["fare", "2500", "not a number"]);
}

/// Column chunks whose first pages are dictionary-encoded and whose later
/// pages are plain (the writer gave up its dictionary once it outgrew its
/// page), and a column written without a dictionary: the reader hands
/// both kinds of pages, and the report is the CSV's.
#[test]
fn chunks_partly_dictionary_and_partly_plain_encoded_give_the_csv_report() {
    use parquet::basic::Encoding;
    use parquet::column::page::Page;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    let w = written(3000);
    let mixed = w.dir.join("mixed.parquet");
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(1500))
        .set_dictionary_page_size_limit(256)
        .set_data_page_size_limit(512)
        .set_write_batch_size(64)
        .set_column_dictionary_enabled("contact".into(), false)
        .build();
    let batch = batch(&rows(3000), false);
    let mut writer = ArrowWriter::try_new(
        File::create(&mixed).expect("the Parquet file is created"),
        batch.schema(),
        Some(properties),
    )
    .expect("a writer");
    writer.write(&batch).expect("the rows are written");
    writer.close().expect("the file is closed");

    // The file is what the test is about: a chunk with data pages of both
    // encodings.
    let reader = SerializedFileReader::new(File::open(&mixed).expect("open")).expect("a reader");
    let mut chunk_encodings: Vec<Vec<Encoding>> = Vec::new();
    for g in 0..reader.num_row_groups() {
        let group = reader.get_row_group(g).expect("a row group");
        for c in 0..group.num_columns() {
            let pages = group.get_column_page_reader(c).expect("its pages");
            chunk_encodings.push(
                pages
                    .filter_map(|page| match page.expect("a page") {
                        Page::DataPage { encoding, .. } | Page::DataPageV2 { encoding, .. } => {
                            Some(encoding)
                        }
                        Page::DictionaryPage { .. } => None,
                    })
                    .collect(),
            );
        }
    }
    assert!(
        chunk_encodings
            .iter()
            .any(|e| e.contains(&Encoding::PLAIN) && e.contains(&Encoding::RLE_DICTIONARY)),
        "a chunk mixes dictionary and plain pages: {chunk_encodings:?}"
    );

    let csv = audit(&w.csv, Some(&w.descriptor));
    let parquet = audit(&mixed, Some(&w.descriptor));
    assert_same(without_input(csv, &w.csv), without_input(parquet, &mixed));
}

/// A row group longer than a read batch, whose dictionary holds values
/// the rows of its first batch do not (an e-mail address met only later,
/// a purpose met only in the first rows): what a batch does not hold is
/// not counted for it, and the report is the CSV's.
#[test]
fn a_dictionary_holding_values_a_batch_does_not_gives_the_csv_report() {
    let w = written(20_000);
    let mut rows = rows(20_000);
    for (i, row) in rows.iter_mut().enumerate() {
        if i < 9000 {
            row.contact = None;
            row.purpose = Some("early".to_owned());
        } else if i % 5 == 0 {
            row.contact = Some("kim@example.org".to_owned());
        }
    }
    write_csv(&w.csv, &rows);
    let file = File::create(&w.parquet).expect("the Parquet file is created");
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(20_000))
        .build();
    let mut writer = ArrowWriter::try_new(file, batch(&rows, false).schema(), Some(properties))
        .expect("a writer");
    writer
        .write(&batch(&rows, false))
        .expect("the rows are written");
    writer.close().expect("the file is closed");
    let csv = audit(&w.csv, Some(&w.descriptor));
    let parquet = audit(&w.parquet, Some(&w.descriptor));
    assert_same(
        without_input(csv, &w.csv),
        without_input(parquet, &w.parquet),
    );
}
