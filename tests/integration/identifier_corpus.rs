//! Precision and recall of the identifier detectors over the labelled
//! corpus in `fixtures/identifiers/` (see its README).
//!
//! Every value is scanned by every detector, with the member it sits under.
//! A detection of kind K counts as a true positive on a value labelled K and
//! as a false positive on any other value; a labelled value of a claimed
//! kind (one the embedded definitions name) that its kind's detector misses is a
//! false negative. The targets below are what the anonymization audit
//! promises; the table is printed with `--nocapture` and copied into
//! `docs/BENCHMARKS.md`.

#![allow(
    clippy::print_stderr,
    reason = "the test prints its table for --nocapture"
)]

use std::collections::BTreeMap;
use std::path::Path;

use cityconform::detect::identifiers::{Definitions, Detectors, IdentifierKind};

const PRECISION_PER_KIND: f64 = 0.95;
const PRECISION_OVERALL: f64 = 0.98;
const RECALL_PER_KIND: f64 = 0.95;
/// Largest share of hard negatives on which any detector may fire.
const HARD_NEGATIVES_FLAGGED: f64 = 0.02;

const MIN_VALUES: usize = 400;
const MIN_POSITIVES_PER_KIND: usize = 25;
const MIN_HARD_NEGATIVES: usize = 150;

/// One labelled value.
#[derive(Debug)]
struct Labelled {
    /// The kind's name for a positive, `None` for a hard negative.
    kind: Option<String>,
    member: Option<String>,
    value: String,
    /// Where it comes from, for messages: `file:line`.
    origin: String,
}

fn read(name: &str, positive: bool) -> Vec<Labelled> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/identifiers")
        .join(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .map(|(index, line)| {
            let fields: Vec<&str> = line.splitn(3, '\t').collect();
            assert_eq!(fields.len(), 3, "{name}:{}: three fields", index + 1);
            Labelled {
                kind: positive.then(|| fields[0].to_owned()),
                member: (fields[1] != "-").then(|| fields[1].to_owned()),
                value: fields[2].to_owned(),
                origin: format!("{name}:{}", index + 1),
            }
        })
        .collect()
}

fn corpus() -> Vec<Labelled> {
    let mut values = read("positives.tsv", true);
    values.extend(read("negatives.tsv", false));
    values.extend(read("extracted.tsv", false));
    values
}

/// Counts of one kind.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    labelled: usize,
    true_positives: usize,
    false_positives: usize,
}

impl Counts {
    fn precision(self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    fn recall(self) -> f64 {
        ratio(self.true_positives, self.labelled)
    }
}

/// `part / whole`, 1 when there is nothing to divide (no detection cannot be
/// a wrong one).
fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// What the detectors made of the corpus.
#[derive(Debug, Default)]
struct Measured {
    per_kind: BTreeMap<IdentifierKind, Counts>,
    hard_negatives: usize,
    hard_negatives_flagged: usize,
    /// Every wrong or missed value, for the failure message.
    mistakes: Vec<String>,
}

fn measure(values: &[Labelled]) -> Measured {
    let detectors = Detectors::new(&Definitions::embedded().kinds());
    let mut measured = Measured::default();
    for value in values {
        let found: Vec<IdentifierKind> = detectors
            .scan_in(value.member.as_deref(), &value.value)
            .into_iter()
            .map(|d| d.kind)
            .collect();
        let label = value.kind.as_deref().map(IdentifierKind::named);
        if let Some(kind) = label {
            let counts = measured.per_kind.entry(kind).or_default();
            counts.labelled += 1;
            if found.contains(&kind) {
                counts.true_positives += 1;
            } else {
                measured.mistakes.push(format!(
                    "{}: {kind} missed in {:?}",
                    value.origin, value.value
                ));
            }
        }
        if value.kind.is_none() {
            measured.hard_negatives += 1;
            measured.hard_negatives_flagged += usize::from(!found.is_empty());
        }
        for kind in found.into_iter().filter(|&k| Some(k) != label) {
            measured.per_kind.entry(kind).or_default().false_positives += 1;
            measured.mistakes.push(format!(
                "{}: {kind} wrongly found in {:?} ({})",
                value.origin,
                value.value,
                value.kind.as_deref().unwrap_or("hard negative")
            ));
        }
    }
    measured
}

fn table(measured: &Measured) -> String {
    let mut out = String::from(
        "| kind | labelled | found | false alarms | precision | recall |\n|---|---:|---:|---:|---:|---:|\n",
    );
    for (kind, c) in &measured.per_kind {
        out += &format!(
            "| `{kind}` | {} | {} | {} | {:.3} | {:.3} |\n",
            c.labelled,
            c.true_positives,
            c.false_positives,
            c.precision(),
            c.recall()
        );
    }
    let total = overall(measured);
    out += &format!(
        "| all | {} | {} | {} | {:.3} | {:.3} |\n\nhard negatives flagged: {} of {} ({:.1} %)\n",
        total.labelled,
        total.true_positives,
        total.false_positives,
        total.precision(),
        total.recall(),
        measured.hard_negatives_flagged,
        measured.hard_negatives,
        100.0 * ratio(measured.hard_negatives_flagged, measured.hard_negatives)
    );
    out
}

fn overall(measured: &Measured) -> Counts {
    measured
        .per_kind
        .values()
        .fold(Counts::default(), |sum, c| Counts {
            labelled: sum.labelled + c.labelled,
            true_positives: sum.true_positives + c.true_positives,
            false_positives: sum.false_positives + c.false_positives,
        })
}

#[test]
fn identifier_corpus_is_large_enough() {
    let values = corpus();
    assert!(values.len() >= MIN_VALUES, "{} values", values.len());
    let mut per_label: BTreeMap<&str, usize> = BTreeMap::new();
    for value in &values {
        *per_label
            .entry(value.kind.as_deref().unwrap_or("(hard negative)"))
            .or_default() += 1;
    }
    for kind in Definitions::embedded().kinds() {
        let count = per_label.get(kind.as_str()).copied().unwrap_or(0);
        assert!(
            count >= MIN_POSITIVES_PER_KIND,
            "{kind}: {count} positives, fewer than {MIN_POSITIVES_PER_KIND}"
        );
    }
    let negatives = per_label.get("(hard negative)").copied().unwrap_or(0);
    assert!(
        negatives >= MIN_HARD_NEGATIVES,
        "{negatives} hard negatives"
    );
}

#[test]
fn identifier_detectors_meet_their_precision_and_recall_targets() {
    let measured = measure(&corpus());
    let table = table(&measured);
    eprintln!("{table}");
    let mut failures = Vec::new();
    for (kind, c) in &measured.per_kind {
        if c.precision() < PRECISION_PER_KIND {
            failures.push(format!("{kind}: precision {:.3}", c.precision()));
        }
        if c.labelled > 0 && c.recall() < RECALL_PER_KIND {
            failures.push(format!("{kind}: recall {:.3}", c.recall()));
        }
    }
    let total = overall(&measured);
    if total.precision() < PRECISION_OVERALL {
        failures.push(format!("overall precision {:.3}", total.precision()));
    }
    let flagged = ratio(measured.hard_negatives_flagged, measured.hard_negatives);
    if flagged > HARD_NEGATIVES_FLAGGED {
        failures.push(format!("hard negatives flagged {:.3}", flagged));
    }
    assert!(
        failures.is_empty(),
        "{}\n\n{table}\n{}",
        failures.join("\n"),
        measured.mistakes.join("\n")
    );
}
