//! The identifier-detector benchmark: values per second through every
//! detector, on one thread, over two sets of values:
//!
//! - `corpus`: every value of the labelled corpus (`fixtures/identifiers/`),
//!   identifiers and hard negatives alike, the worst case, since nearly all
//!   of them pass the pre-filter and reach the patterns and validators;
//! - `ordinary`: the strings a city record mostly carries (words, ISO
//!   timestamps, short numbers, NGSI ids), which the pre-filter should turn
//!   away.
//!
//! Each set is scanned in rounds until a second has passed, five times; the
//! median rate is printed. Values are scanned with their member (the
//! context the payload and dataset checks hand in).
//!
//! With `--rounds N` (and optionally `--set corpus|ordinary`), each set is
//! instead scanned exactly N rounds in [`scan_rounds`], a fixed amount of
//! work whose instruction count (`valgrind --tool=callgrind
//! --toggle-collect='*scan_rounds*'`) is repeatable on a loaded machine,
//! where wall-clock rates are not.

use std::path::Path;
use std::time::Instant;

use cityconform::detect::identifiers::{Definitions, Detectors};

/// The corpus files, relative to the project root.
const CORPUS_FILES: [&str; 3] = ["positives.tsv", "negatives.tsv", "extracted.tsv"];

/// One value and the member it sits under (`None` when it stands alone).
struct Value {
    member: Option<String>,
    text: String,
}

fn read_corpus(dir: &Path) -> Result<Vec<Value>, String> {
    let mut values = Vec::new();
    for name in CORPUS_FILES {
        let path = dir.join(name);
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
        for (index, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let mut fields = line.splitn(3, '\t');
            let (Some(_), Some(member), Some(value)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(format!(
                    "{}:{}: expected three fields",
                    path.display(),
                    index + 1
                ));
            };
            values.push(Value {
                member: (member != "-").then(|| member.to_owned()),
                text: value.to_owned(),
            });
        }
    }
    Ok(values)
}

fn ordinary() -> Vec<Value> {
    let texts = [
        "Mitte urban background station",
        "2025-03-01T10:15:00+09:00",
        "urn:ngsi-ld:AirQualityObserved:Seoul-0001234",
        "AirQualityObserved",
        "dpv:PublicInterest",
        "P30D",
        "42",
        "126.9780",
        "seoul-air",
        "moderate",
        "https://smartdatamodels.org/context.jsonld",
        "Gangnam-daero 12",
    ];
    texts
        .iter()
        .map(|t| Value {
            member: None,
            text: (*t).to_owned(),
        })
        .collect()
}

/// Values per second over `values`, the median of five timed runs.
fn rate(detectors: &Detectors, values: &[Value]) -> f64 {
    let mut rates: Vec<f64> = (0..5)
        .map(|_| {
            let started = Instant::now();
            let mut scanned = 0u64;
            let mut found = 0usize;
            while started.elapsed().as_secs_f64() < 1.0 {
                for value in values {
                    found += scan(detectors, value).len();
                }
                scanned += values.len() as u64;
            }
            std::hint::black_box(found);
            scanned as f64 / started.elapsed().as_secs_f64()
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[2]
}

fn scan(detectors: &Detectors, value: &Value) -> cityconform::detect::identifiers::Found {
    detectors.scan_in(value.member.as_deref(), &value.text)
}

/// Scans `values` `rounds` times; kept out of line so that a profiler
/// can count its instructions alone.
#[inline(never)]
fn scan_rounds(detectors: &Detectors, values: &[Value], rounds: u64) -> usize {
    let mut found = 0;
    for _ in 0..rounds {
        for value in values {
            found += scan(detectors, value).len();
        }
    }
    std::hint::black_box(found)
}

/// Prints the table row of each set (`only`: that set alone), or with
/// `rounds`, scans each set that many times and prints how many values
/// were scanned and what was found.
pub(crate) fn run(
    corpus_dir: &Path,
    rounds: Option<u64>,
    only: Option<&str>,
) -> Result<(), String> {
    let detectors = Detectors::new(&Definitions::embedded().kinds());
    let corpus = read_corpus(corpus_dir)?;
    let ordinary = ordinary();
    let sets = [("corpus", &corpus), ("ordinary", &ordinary)];
    let sets = sets
        .iter()
        .filter(|(name, _)| only.is_none_or(|o| o == *name));
    if let Some(rounds) = rounds {
        for (name, values) in sets {
            let found = scan_rounds(&detectors, values, rounds);
            println!(
                "{name}: {} values scanned, {found} detections",
                rounds * values.len() as u64
            );
        }
        return Ok(());
    }
    println!("\n| values | count | values/s (1 thread) |");
    println!("|---|---:|---:|");
    for (name, values) in sets {
        println!(
            "| {name} | {} | {:.0} |",
            values.len(),
            rate(&detectors, values)
        );
    }
    Ok(())
}
