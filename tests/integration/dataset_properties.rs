//! Invariants of the anonymity metrics on arbitrary small datasets: row
//! order never changes a metric, k is the smallest class, merging two
//! quasi-identifier values never lowers k, distinct l never exceeds k, t and
//! alpha are shares, a blanked sensitive value never adds diversity; and no
//! input bytes make the reader panic.

use std::collections::HashMap;

use cityconform::dataset::Descriptor;
use cityconform::dataset::descriptor::Format;
use cityconform::dataset::metrics::Metrics;
use cityconform::dataset::scan::scan_reader;
use cityconform::detect::identifiers::Detectors;
use cityconform::engine::NoProgress;
use quickcheck::{Arbitrary, Gen, TestResult};

use crate::common::vacuity::{Reached, check};

/// Rows of two quasi-identifiers and one sensitive value, from small
/// alphabets so that classes of several rows are common.
#[derive(Debug, Clone)]
struct Rows {
    rows: Vec<(u8, u8, u8)>,
    numeric: bool,
}

impl Arbitrary for Rows {
    fn arbitrary(g: &mut Gen) -> Self {
        let n = 1 + usize::arbitrary(g) % 60;
        let rows = (0..n)
            .map(|_| {
                (
                    u8::arbitrary(g) % 4,
                    u8::arbitrary(g) % 3,
                    u8::arbitrary(g) % 5,
                )
            })
            .collect();
        Rows {
            rows,
            numeric: bool::arbitrary(g),
        }
    }

    fn shrink(&self) -> Box<dyn Iterator<Item = Self>> {
        let numeric = self.numeric;
        Box::new(
            self.rows
                .shrink()
                .filter(|r| !r.is_empty())
                .map(move |rows| Rows { rows, numeric }),
        )
    }
}

fn descriptor(numeric: bool) -> Descriptor {
    let kind = if numeric { "numeric" } else { "categorical" };
    let text = format!(
        "[[column]]\nname = \"a\"\nrole = \"quasi-identifier\"\ntype = \"categorical\"\n\
         [[column]]\nname = \"b\"\nrole = \"quasi-identifier\"\ntype = \"categorical\"\n\
         [[column]]\nname = \"s\"\nrole = \"sensitive\"\ntype = \"{kind}\"\n"
    );
    Descriptor::parse("properties.toml", &text).expect("valid descriptor")
}

fn csv(rows: &[(u8, u8, u8)], blank: Option<u8>) -> String {
    let mut out = String::from("a,b,s\n");
    for (a, b, s) in rows {
        // Sensitive values as numbers with uneven gaps, so that ordered
        // distance differs from equal distance; `blank` left empty.
        if Some(*s) == blank {
            out.push_str(&format!("q{a},r{b},\n"));
            continue;
        }
        out.push_str(&format!(
            "q{a},r{b},{}\n",
            u32::from(*s) * u32::from(*s) + 1
        ));
    }
    out
}

fn metrics(rows: &[(u8, u8, u8)], numeric: bool) -> Metrics {
    metrics_blanking(rows, numeric, None)
}

fn metrics_blanking(rows: &[(u8, u8, u8)], numeric: bool, blank: Option<u8>) -> Metrics {
    let text = csv(rows, blank);
    let scan = scan_reader(
        text.as_bytes(),
        "properties.csv",
        Format::Csv,
        &descriptor(numeric),
        &Detectors::new(&[]),
        &NoProgress,
    )
    .expect("generated data scans");
    Metrics::compute(&scan.table)
}

fn smallest_class(rows: &[(u8, u8, u8)]) -> u64 {
    let mut sizes: HashMap<(u8, u8), u64> = HashMap::new();
    for (a, b, _) in rows {
        *sizes.entry((*a, *b)).or_insert(0) += 1;
    }
    sizes.into_values().min().unwrap_or(0)
}

#[test]
fn row_order_never_changes_any_metric() {
    static REACHED: Reached = Reached::new();
    fn property(data: Rows) -> TestResult {
        REACHED.hit();
        let forward = metrics(&data.rows, data.numeric);
        let mut reversed = data.rows.clone();
        reversed.reverse();
        let mut rotated = data.rows.clone();
        rotated.rotate_left(data.rows.len() / 2);
        TestResult::from_bool(
            forward == metrics(&reversed, data.numeric)
                && forward == metrics(&rotated, data.numeric),
        )
    }
    check(300, &REACHED, property as fn(Rows) -> TestResult);
}

#[test]
fn k_equals_the_smallest_class() {
    static REACHED: Reached = Reached::new();
    fn property(data: Rows) -> TestResult {
        REACHED.hit();
        TestResult::from_bool(metrics(&data.rows, data.numeric).k == smallest_class(&data.rows))
    }
    check(300, &REACHED, property as fn(Rows) -> TestResult);
}

#[test]
fn merging_two_quasi_identifier_values_never_lowers_k() {
    // Counts only the cases where the merge changed a row.
    static REACHED: Reached = Reached::new();
    fn property(data: Rows) -> TestResult {
        let before = metrics(&data.rows, data.numeric).k;
        let merged: Vec<(u8, u8, u8)> = data
            .rows
            .iter()
            .map(|&(a, b, s)| (if a == 1 { 0 } else { a }, b, s))
            .collect();
        if merged != data.rows {
            REACHED.hit();
        }
        TestResult::from_bool(metrics(&merged, data.numeric).k >= before)
    }
    check(300, &REACHED, property as fn(Rows) -> TestResult);
}

#[test]
fn distinct_l_never_exceeds_k() {
    static REACHED: Reached = Reached::new();
    fn property(data: Rows) -> TestResult {
        REACHED.hit();
        let m = metrics(&data.rows, data.numeric);
        TestResult::from_bool(m.l_distinct.is_some_and(|l| l <= m.k && l >= 1))
    }
    check(300, &REACHED, property as fn(Rows) -> TestResult);
}

#[test]
fn t_and_alpha_are_shares() {
    static REACHED: Reached = Reached::new();
    fn property(data: Rows) -> TestResult {
        REACHED.hit();
        let m = metrics(&data.rows, data.numeric);
        let t = m.t.unwrap_or(-1.0);
        let alpha = m.alpha.unwrap_or(-1.0);
        TestResult::from_bool((0.0..=1.0 + 1e-12).contains(&t) && alpha > 0.0 && alpha <= 1.0)
    }
    check(300, &REACHED, property as fn(Rows) -> TestResult);
}

#[test]
fn a_blanked_sensitive_value_never_adds_diversity() {
    // Counts only the cases where a cell was blanked.
    static REACHED: Reached = Reached::new();
    fn property(data: Rows) -> TestResult {
        if !data.rows.iter().any(|r| r.2 == 0) {
            return TestResult::discard();
        }
        REACHED.hit();
        let before = metrics(&data.rows, data.numeric);
        let after = metrics_blanking(&data.rows, data.numeric, Some(0));
        TestResult::from_bool(
            after.k == before.k
                && after.l_distinct <= before.l_distinct
                && after.alpha >= before.alpha,
        )
    }
    check(300, &REACHED, property as fn(Rows) -> TestResult);
}

#[test]
fn entropy_l_lies_between_one_and_distinct_l() {
    static REACHED: Reached = Reached::new();
    fn property(data: Rows) -> TestResult {
        REACHED.hit();
        let m = metrics(&data.rows, data.numeric);
        let exact = m.l_entropy_exact.unwrap_or(0.0);
        let distinct = m.l_distinct.unwrap_or(0) as f64;
        TestResult::from_bool(exact >= 1.0 - 1e-9 && exact <= distinct + 1e-9)
    }
    check(300, &REACHED, property as fn(Rows) -> TestResult);
}

#[test]
fn arbitrary_bytes_never_panic_the_reader() {
    static REACHED: Reached = Reached::new();
    fn property(bytes: Vec<u8>, numeric: bool) -> bool {
        REACHED.hit();
        let descriptor = descriptor(numeric);
        for format in [Format::Csv, Format::Ndjson] {
            let _ = scan_reader(
                bytes.as_slice(),
                "arbitrary",
                format,
                &descriptor,
                &Detectors::new(&[]),
                &NoProgress,
            );
        }
        true
    }
    check(500, &REACHED, property as fn(Vec<u8>, bool) -> bool);
}

#[test]
fn a_header_matching_the_descriptor_always_scans() {
    static REACHED: Reached = Reached::new();
    fn property(cells: Vec<(String, String, u8)>) -> bool {
        // Arbitrary text in the categorical columns (quoted as CSV needs)
        // never fails: only numeric columns can reject a value.
        if cells.is_empty() {
            return true;
        }
        REACHED.hit();
        let mut writer = csv_writer();
        for (a, b, s) in &cells {
            let _ = writer.write_record([a.as_str(), b.as_str(), &s.to_string()]);
        }
        let data = writer.into_inner().unwrap_or_default();
        let result = scan_reader(
            data.as_slice(),
            "arbitrary.csv",
            Format::Csv,
            &descriptor(true),
            &Detectors::new(&[]),
            &NoProgress,
        );
        result.is_ok_and(|scan| scan.rows == cells.len() as u64)
    }
    check(
        300,
        &REACHED,
        property as fn(Vec<(String, String, u8)>) -> bool,
    );
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(["a", "b", "s"]);
    writer
}
