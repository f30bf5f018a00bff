//! The sufficient statistics of a dataset audit: what a producer (the
//! native CSV and NDJSON scanner, the Parquet reader) learns from the rows,
//! and all that judging reads.
//!
//! A [`Summary`] holds, per column, the records with a value, the
//! distinct values with their counts (quasi-identifier, sensitive and
//! count columns), the cells written otherwise than their canonical number,
//! and the identifier detections per kind; and, over the quasi-identifiers,
//! the count per (class, sensitive value). Every metric is a function of
//! these counts, so summaries of partitions merge exactly
//! ([`Summary::merge`]): values meet by canonical text, classes by their
//! values. [`Summary::finish`] orders the classes by their values, so
//! that the report does not depend on how the rows were split.

use super::descriptor::{Format, Missing, ValueType};
use super::scan::{ColumnScan, Scan};
use super::table::{KeptRows, RowSource, SensitiveAttribute, TableBuilder, UNRANKED};
use crate::error::{FileProblem, Result};

/// What one producer learned from one partition (or all) of a dataset.
#[derive(Debug)]
pub struct Summary {
    /// The input, as the user named it.
    pub(super) name: String,
    /// Its format.
    pub(super) format: Format,
    /// Every column, described ones first (as [`Scan::columns`]).
    pub(super) columns: Vec<ColumnScan>,
    /// Indexes of the quasi-identifier columns in `columns`.
    pub(super) quasi: Vec<usize>,
    /// Indexes of the sensitive columns in `columns`.
    pub(super) sensitive: Vec<usize>,
    /// The count per (class, sensitive value).
    pub(super) builder: TableBuilder,
    /// Rows read.
    pub(super) rows: u64,
}

/// What is left of a summary once its column values are merged into
/// another's: its class builder, and the maps of its quasi-identifier and
/// sensitive ids (per column) to the other's.
struct MergedValues {
    builder: TableBuilder,
    quasi: Vec<Vec<u32>>,
    sensitive: Vec<Vec<u32>>,
}

impl Summary {
    /// Rows summarised.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Names the merged whole (a folder rather than its first file).
    pub fn rename(&mut self, name: String) {
        self.name = name;
    }

    /// Adds `other`, a summary of other rows of the same dataset. Exact:
    /// merging the summaries of any split of the rows gives the summary of
    /// all of them. Fails when the two disagree on a column's role or type
    /// (two Parquet files whose metadata say different things).
    pub fn merge(&mut self, other: Summary) -> Result<()> {
        let merged = self.merge_values(other)?;
        self.builder
            .merge(merged.builder, &merged.quasi, &merged.sensitive);
        Ok(())
    }

    /// The summary of partitions read in order, each with the rows it
    /// kept unclassed (see [`super::scan::Pass::defer_classes`]): their
    /// values merged, then the kept rows classed on `partitions` threads
    /// at once (one a core), with no merge of class tables; the classes
    /// of partitions that kept none are merged as [`Summary::merge`]
    /// does. The same summary as merging the partitions'.
    pub(super) fn of_kept_rows(
        parts: Vec<(Summary, KeptRows)>,
        partitions: usize,
    ) -> Result<Option<Summary>> {
        let mut parts = parts.into_iter();
        let Some((mut whole, first)) = parts.next() else {
            return Ok(None);
        };
        let (width, attributes) = (whole.quasi.len(), whole.sensitive.len());
        // The first partition's ids are the whole's: no maps.
        let mut merged = vec![MergedValues {
            builder: std::mem::replace(&mut whole.builder, TableBuilder::new(width, attributes)),
            quasi: Vec::new(),
            sensitive: Vec::new(),
        }];
        let mut kept = vec![first];
        for (part, rows) in parts {
            merged.push(whole.merge_values(part)?);
            kept.push(rows);
        }
        let sources: Vec<RowSource<'_>> = kept
            .iter()
            .zip(&merged)
            .map(|(rows, maps)| RowSource {
                rows: usize::try_from(rows.rows).unwrap_or(usize::MAX),
                ids: &rows.ids,
                quasi: &maps.quasi,
                sensitive: &maps.sensitive,
            })
            .collect();
        let from_kept = TableBuilder::from_rows(width, attributes, &sources, partitions);
        drop(sources);
        let mut merged = merged.into_iter();
        // With no row kept, the first partition's classes are the base, as
        // in a merge, rather than added one by one to an empty table.
        let mut table = match merged.next() {
            Some(first) if from_kept.rows() == 0 => first.builder,
            Some(first) => {
                let mut table = from_kept;
                table.merge(first.builder, &first.quasi, &first.sensitive);
                table
            }
            None => from_kept,
        };
        for part in merged {
            table.merge(part.builder, &part.quasi, &part.sensitive);
        }
        whole.builder = table;
        Ok(Some(whole))
    }

    /// Adds the column values and rows of `other`, giving back its class
    /// builder and the maps of its quasi-identifier and sensitive ids to
    /// this summary's.
    fn merge_values(&mut self, other: Summary) -> Result<MergedValues> {
        self.agree(&other)?;
        let mut remaps: Vec<Option<Vec<u32>>> = Vec::with_capacity(other.columns.len());
        for column in other.columns {
            let at = self
                .columns
                .iter()
                .position(|c| c.column.name == column.column.name);
            remaps.push(match at {
                Some(at) => self.columns[at].merge(column),
                None => {
                    self.columns.push(column);
                    None
                }
            });
        }
        let by_role = |indexes: &[usize]| -> Vec<Vec<u32>> {
            indexes
                .iter()
                .map(|&i| remaps.get(i).cloned().flatten().unwrap_or_default())
                .collect()
        };
        let quasi = by_role(&other.quasi);
        let sensitive = by_role(&other.sensitive);
        self.rows += other.rows;
        Ok(MergedValues {
            builder: other.builder,
            quasi,
            sensitive,
        })
    }

    /// Two summaries merge when their classes are over the same columns,
    /// each read the same way.
    fn agree(&self, other: &Summary) -> Result<()> {
        let shape = |s: &Summary, of: &[usize]| -> Vec<(String, ValueType, Missing)> {
            of.iter()
                .map(|&i| {
                    let c = &s.columns[i].column;
                    (c.name.clone(), c.value_type, c.missing)
                })
                .collect()
        };
        if shape(self, &self.quasi) == shape(other, &other.quasi)
            && shape(self, &self.sensitive) == shape(other, &other.sensitive)
        {
            return Ok(());
        }
        Err(FileProblem::new(
            &other.name,
            format!(
                "its quasi-identifier and sensitive columns (or their types) differ from those of `{}`",
                self.name
            ),
        )
        .with_help("give every part of a dataset the same column roles (the descriptor, or the same field metadata)")
        .into())
    }

    /// Ranks the values, orders the classes by their values and builds the
    /// class table: what the checks read.
    pub fn finish(self) -> Result<Scan> {
        if self.rows == 0 {
            return Err(FileProblem::new(
                &self.name,
                "the dataset has no rows; an empty extract is no evidence of anonymity",
            )
            .with_help("check that the right file was given")
            .into());
        }
        let quasi_names = self
            .quasi
            .iter()
            .map(|&i| self.columns[i].column.name.clone())
            .collect();
        let quasi_ranks: Vec<Vec<u32>> = self
            .quasi
            .iter()
            .map(|&i| {
                self.columns[i]
                    .values
                    .as_ref()
                    .map(|v| v.ranks(None))
                    .unwrap_or_default()
            })
            .collect();
        let (attributes, ranks) = self.sensitive_attributes();
        let table = self
            .builder
            .finish(quasi_names, attributes, &ranks, &quasi_ranks);
        Ok(Scan {
            path: self.name,
            format: self.format,
            rows: self.rows,
            columns: self.columns,
            table,
        })
    }

    /// Each sensitive attribute's global counts by rank, and the rank of
    /// each of its value ids.
    fn sensitive_attributes(&self) -> (Vec<SensitiveAttribute>, Vec<Vec<u32>>) {
        let mut attributes = Vec::new();
        let mut ranks = Vec::new();
        for &i in &self.sensitive {
            let column = &self.columns[i];
            let Some(values) = &column.values else {
                continue;
            };
            let unknown = values
                .missing
                .filter(|_| column.column.missing == Missing::Unknown);
            let rank = values.ranks(unknown);
            let mut global = vec![0; values.len() - usize::from(unknown.is_some())];
            let mut missing = 0;
            for (id, &count) in values.counts.iter().enumerate() {
                match rank[id] {
                    UNRANKED => missing = count,
                    r => global[r as usize] = count,
                }
            }
            attributes.push(SensitiveAttribute {
                name: column.column.name.clone(),
                numeric: column.column.value_type == ValueType::Numeric,
                global,
                missing,
            });
            ranks.push(rank);
        }
        (attributes, ranks)
    }
}

#[cfg(test)]
pub(in crate::dataset) mod tests {
    use quickcheck::{Arbitrary, Gen, QuickCheck, TestResult};

    use super::*;
    use crate::catalog::Catalogue;
    use crate::dataset::audit::{AuditOptions, DatasetPlan, detectors, judge, plan};
    use crate::dataset::descriptor::Descriptor;
    use crate::dataset::scan::{kept_rows_of_csv, summarise_reader};
    use crate::engine::{NoProgress, Selection};

    /// A quasi-identifier, numbers written several ways, two sensitive
    /// attributes (one numeric, both with missing values), a column
    /// scanned for identifiers, and one the descriptor leaves out.
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
name = "purpose"
role = "sensitive"
[[column]]
name = "dose"
role = "sensitive"
type = "numeric"
[[column]]
name = "contact"
role = "insensitive"
"#;

    const ZONES: &[&str] = &["A", "B", "C", "Ω"];
    const AGES: &[&str] = &["30", "30.0", "4", "", "031", "1e1"];
    const PURPOSES: &[&str] = &["work", "school", "care", ""];
    const DOSES: &[&str] = &["1", "2", "2.0", ""];
    const CONTACTS: &[&str] = &["", "none", "kim@example.org", "010-1234-5678"];

    /// Rows of the generated dataset, each with the partition it goes to.
    #[derive(Debug, Clone)]
    struct Split {
        rows: Vec<([usize; 6], usize)>,
        parts: usize,
        /// Partitions the classes of kept rows are counted on.
        partitions: usize,
        /// The most ids a part keeps unclassed (four a row): some parts
        /// keep all their rows, some classed theirs past the bound.
        kept_at_most: usize,
    }

    impl Arbitrary for Split {
        fn arbitrary(g: &mut Gen) -> Self {
            let parts = usize::arbitrary(g) % 4 + 1;
            let n = usize::arbitrary(g) % 40 + 1;
            let pick = |g: &mut Gen, of: usize| usize::arbitrary(g) % of;
            let rows = (0..n)
                .map(|_| {
                    let cells = [
                        pick(g, ZONES.len()),
                        pick(g, AGES.len()),
                        pick(g, PURPOSES.len()),
                        pick(g, DOSES.len()),
                        pick(g, CONTACTS.len()),
                        pick(g, CONTACTS.len()),
                    ];
                    (cells, pick(g, parts))
                })
                .collect();
            Split {
                rows,
                parts,
                partitions: usize::arbitrary(g) % 4 + 1,
                kept_at_most: usize::arbitrary(g) % 80,
            }
        }
    }

    fn csv(rows: &[&[usize; 6]]) -> String {
        let mut text = String::from("zone,age,purpose,dose,contact,note\n");
        for r in rows {
            text.push_str(&format!(
                "{},{},{},{},{},{}\n",
                ZONES[r[0]],
                AGES[r[1]],
                PURPOSES[r[2]],
                DOSES[r[3]],
                CONTACTS[r[4]],
                CONTACTS[r[5]]
            ));
        }
        text
    }

    /// The plan of the embedded `kr` and `eu` profiles.
    pub(in crate::dataset) fn audit_plan() -> DatasetPlan {
        let catalogue = Catalogue::embedded().expect("the embedded catalogue loads");
        let profiles = ["kr".to_owned(), "eu".to_owned()];
        let as_of = crate::dates::Day::parse("2026-01-01").expect("a day");
        plan(
            &catalogue,
            Selection {
                profiles: &profiles,
                only: &[],
                as_of,
            },
        )
        .expect("the plan builds")
    }

    fn summary_of(text: &str, plan: &DatasetPlan, descriptor: &Descriptor) -> Summary {
        static DETECTORS: std::sync::OnceLock<crate::detect::identifiers::Detectors> =
            std::sync::OnceLock::new();
        let detectors = DETECTORS.get_or_init(|| detectors(plan).expect("detectors build"));
        summarise_reader(
            text.as_bytes(),
            "data.csv",
            Format::Csv,
            descriptor,
            detectors,
            &NoProgress,
        )
        .expect("the generated CSV reads")
    }

    /// The JSON report judged from `summary`, at a fixed time.
    pub(in crate::dataset) fn report(
        summary: Summary,
        plan: &DatasetPlan,
        descriptor: &Descriptor,
    ) -> serde_json::Value {
        let options = AuditOptions {
            path: "data.csv".into(),
            generated_at: "2026-01-01T00:00:00Z".into(),
            waivers: None,
        };
        let report = judge(plan, descriptor, summary, &options).expect("judged");
        serde_json::to_value(&report).expect("a report serialises")
    }

    /// The plan and descriptor every case uses, built once.
    fn fixture() -> &'static (DatasetPlan, Descriptor) {
        static FIXTURE: std::sync::OnceLock<(DatasetPlan, Descriptor)> = std::sync::OnceLock::new();
        FIXTURE.get_or_init(|| {
            let descriptor = Descriptor::parse("data.toml", DESCRIPTOR).expect("descriptor parses");
            (audit_plan(), descriptor)
        })
    }

    /// The CSV text of each part of `split`, in part order.
    fn parts(split: &Split) -> Vec<String> {
        (0..split.parts)
            .map(|part| {
                let rows: Vec<&[usize; 6]> = split
                    .rows
                    .iter()
                    .filter(|(_, p)| *p == part)
                    .map(|(r, _)| r)
                    .collect();
                csv(&rows)
            })
            .collect()
    }

    /// The summaries of the parts of `split`, merged in part order.
    fn merged(split: &Split) -> Option<Summary> {
        let (plan, descriptor) = fixture();
        let mut merged: Option<Summary> = None;
        for text in parts(split) {
            let summary = summary_of(&text, plan, descriptor);
            match &mut merged {
                Some(m) => m.merge(summary).expect("same columns"),
                None => merged = Some(summary),
            }
        }
        merged
    }

    /// The parts of `split` read with their rows kept, then classed
    /// together on `partitions` partitions.
    fn of_kept_rows(split: &Split) -> Option<Summary> {
        let (plan, descriptor) = fixture();
        let detectors = detectors(plan).expect("detectors build");
        let kept = parts(split)
            .iter()
            .map(|text| {
                kept_rows_of_csv(
                    text.as_bytes(),
                    "data.csv",
                    descriptor,
                    &detectors,
                    split.kept_at_most,
                )
                .expect("the generated CSV reads")
            })
            .collect();
        Summary::of_kept_rows(kept, split.partitions).expect("same columns")
    }

    /// Each class as its values' texts (ids differ from split to split),
    /// its size and sensitive counts, in table order.
    fn classes(
        scan: &Scan,
    ) -> Vec<(
        Vec<String>,
        u64,
        Vec<crate::dataset::table::SensitiveCounts>,
    )> {
        let quasi: Vec<&ColumnScan> = scan
            .columns
            .iter()
            .filter(|c| c.column.role == super::super::descriptor::Role::QuasiIdentifier)
            .collect();
        scan.table
            .classes
            .iter()
            .enumerate()
            .map(|(i, class)| {
                let texts = scan
                    .table
                    .key(i)
                    .iter()
                    .zip(&quasi)
                    .map(|(&id, c)| {
                        c.values
                            .as_ref()
                            .and_then(|v| v.texts.get(id as usize))
                            .map(ToString::to_string)
                            .unwrap_or_default()
                    })
                    .collect();
                (texts, class.size, class.sensitive.to_vec())
            })
            .collect()
    }

    fn merge_is_exact(split: Split) -> TestResult {
        let (plan, descriptor) = fixture();
        let all: Vec<&[usize; 6]> = split.rows.iter().map(|(r, _)| r).collect();
        let whole = csv(&all);
        let (Some(parts), Some(parts_again)) = (merged(&split), merged(&split)) else {
            return TestResult::discard();
        };
        let (Some(kept), Some(kept_again)) = (of_kept_rows(&split), of_kept_rows(&split)) else {
            return TestResult::discard();
        };
        let one = summary_of(&whole, plan, descriptor).finish().expect("rows");
        let parts = parts.finish().expect("rows");
        let kept = kept.finish().expect("rows");
        let same_values = |parts: &Scan| {
            one.columns.len() == parts.columns.len()
                && one.columns.iter().zip(&parts.columns).all(|(a, b)| {
                    let counts = |c: &ColumnScan| {
                        let mut v: Vec<(String, u64)> = c
                            .values
                            .iter()
                            .flat_map(|v| v.texts.iter().zip(&v.counts))
                            .map(|(t, &n)| (t.to_string(), n))
                            .collect();
                        v.sort();
                        v
                    };
                    let mut written_a = a.written_texts();
                    let mut written_b = b.written_texts();
                    written_a.sort();
                    written_b.sort();
                    a.column == b.column
                        && a.present == b.present
                        && a.detections == b.detections
                        && counts(a) == counts(b)
                        && written_a == written_b
                })
        };
        let one_report = report(summary_of(&whole, plan, descriptor), plan, descriptor);
        let parts_report = report(parts_again, plan, descriptor);
        let kept_report = report(kept_again, plan, descriptor);
        TestResult::from_bool(
            classes(&one) == classes(&parts)
                && same_values(&parts)
                && one_report == parts_report
                && classes(&one) == classes(&kept)
                && same_values(&kept)
                && one_report == kept_report,
        )
    }

    /// Splitting the rows at random, summarising each part and merging
    /// gives the summary and the report of one pass, findings and their
    /// evidence in the same order; so does reading the parts with their
    /// rows kept and classing them together on any number of partitions.
    #[test]
    fn merged_partitions_give_the_one_pass_summary_and_report() {
        QuickCheck::new()
            .tests(200)
            .quickcheck(merge_is_exact as fn(Split) -> TestResult);
    }

    /// The property would hold trivially if every case were alike: the
    /// generated data must reach findings and several parts, and parts
    /// that keep their rows as well as parts that class them past the
    /// bound.
    #[test]
    fn the_generated_cases_reach_findings() {
        let mut g = Gen::new(40);
        let (plan, descriptor) = fixture();
        let detectors = detectors(plan).expect("detectors build");
        let mut failing = 0;
        let (mut kept_all, mut kept_none) = (0, 0);
        for _ in 0..30 {
            let split = Split::arbitrary(&mut g);
            if let Some(summary) = merged(&split) {
                let report = report(summary, plan, descriptor);
                if report["summary"]["findings"].as_u64().unwrap_or(0) > 0 {
                    failing += 1;
                }
            }
            for text in parts(&split) {
                let (summary, kept) = kept_rows_of_csv(
                    text.as_bytes(),
                    "data.csv",
                    descriptor,
                    &detectors,
                    split.kept_at_most,
                )
                .expect("the generated CSV reads");
                match (summary.rows, kept.rows) {
                    (0, _) => {}
                    (rows, kept) if rows == kept => kept_all += 1,
                    (_, 0) => kept_none += 1,
                    _ => panic!("a part keeps all its rows or none"),
                }
            }
        }
        assert!(failing > 0, "no generated case fails a requirement");
        assert!(
            kept_all > 10 && kept_none > 10,
            "parts keeping their rows: {kept_all}, classing them: {kept_none}"
        );
    }
}
