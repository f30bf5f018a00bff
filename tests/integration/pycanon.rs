//! Differential test against pyCANON (PyPI `pycanon`, pinned in `.ci/run`):
//! on several generated datasets, `cityconform dataset` must report the
//! same k, alpha, distinct l, entropy l, recursive (c, l) and t as pyCANON's
//! `k_anonymity`, `alpha_k_anonymity`, `l_diversity`, `entropy_l_diversity`,
//! `recursive_c_l_diversity` and `t_closeness`: exactly for integers,
//! within 1e-9 for reals. pyCANON's entropy l and recursive (c, l) are
//! compared with the report's `pycanon_` fields; the report's own
//! `l_entropy` and `recursive_c_l` (the textbook readings) with the same
//! script's computation of them over pyCANON's equivalence classes.
//!
//! Without pyCANON the test prints a note and passes, except in CI (`CI`
//! set), where a missing peer is a failure.

#![allow(
    clippy::print_stderr,
    reason = "a skipped differential test says why on stderr"
)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::common::{json_report, run, transcript};

/// Prints pyCANON's metrics of a CSV as one JSON line.
const PYCANON_SCRIPT: &str = r#"
import json, math, sys
import pandas as pd
from pycanon import anonymity
from pycanon.anonymity.utils.aux_anonymity import get_equiv_class
path, qi, sa = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
data = pd.read_csv(path)
alpha, _ = anonymity.alpha_k_anonymity(data, qi, sa)
c, l = anonymity.recursive_c_l_diversity(data, qi, sa)
# The textbook readings over the same classes: entropy l the largest l
# with H >= ln l (within 1e-12); recursive c the smallest whole c with
# r1 < c (r_l + ... + r_m), counts sorted descending, l distinct l.
counts = [
    sorted(data.iloc[ec][s].value_counts().tolist(), reverse=True)
    for ec in get_equiv_class(data, qi)
    for s in sa
]
h = min(-sum(n / sum(r) * math.log(n / sum(r)) for n in r) for r in counts)
entropy_l = 1
while math.log(entropy_l + 1) <= h + 1e-12:
    entropy_l += 1
distinct = min(len(r) for r in counts)
textbook_c = max(r[0] // sum(r[distinct - 1:]) + 1 for r in counts)
out = {
    "k": int(anonymity.k_anonymity(data, qi)),
    "alpha": float(alpha),
    "l_distinct": int(anonymity.l_diversity(data, qi, sa)),
    "pycanon_l_entropy": int(anonymity.entropy_l_diversity(data, qi, sa)),
    "pycanon_recursive_c_l": None if (isinstance(c, float) and math.isnan(c)) else [int(c), int(l)],
    "l_entropy": entropy_l,
    "recursive_c_l": [textbook_c, distinct] if distinct > 1 else None,
    "t": float(anonymity.t_closeness(data, qi, sa)),
}
print(json.dumps(out))
"#;

/// Whether pyCANON can be imported; fails in CI when it cannot.
fn pycanon_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import pycanon, pandas"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "pyCANON is not installed; .ci/run installs it (pip install pycanon)"
        );
        eprintln!("note: pyCANON not installed (pip install pycanon); differential test skipped");
    }
    ok
}

/// xorshift64*: the same datasets on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// A generated dataset: its CSV text and descriptor.
struct Case {
    name: &'static str,
    rows: usize,
    /// Distinct values of each quasi-identifier.
    quasi: &'static [u64],
    sensitive: Sensitive,
}

enum Sensitive {
    /// Categories `c0`, `c1`, ... with a skew towards the first ones.
    Categories(u64),
    /// Whole numbers 0..n squared (uneven gaps).
    Integers(u64),
    /// Decimal numbers with two places.
    Decimals(u64),
    /// Every class holds exactly `n` values evenly: entropy l lands on the
    /// floating-point edge of `floor(e^ln n)`.
    Even(u64),
}

const CASES: &[Case] = &[
    Case {
        name: "categorical-3qi",
        rows: 400,
        quasi: &[3, 4, 2],
        sensitive: Sensitive::Categories(5),
    },
    Case {
        name: "integers-2qi",
        rows: 300,
        quasi: &[4, 3],
        sensitive: Sensitive::Integers(7),
    },
    Case {
        name: "decimals-2qi",
        rows: 250,
        quasi: &[2, 5],
        sensitive: Sensitive::Decimals(6),
    },
    Case {
        name: "skewed-4qi",
        rows: 600,
        quasi: &[2, 3, 2, 3],
        sensitive: Sensitive::Categories(3),
    },
    Case {
        name: "even-classes",
        rows: 360,
        quasi: &[3, 2],
        sensitive: Sensitive::Even(3),
    },
];

fn generate(case: &Case, seed: u64) -> (String, String) {
    let mut rng = Rng(seed);
    let mut csv = String::new();
    let names: Vec<String> = (0..case.quasi.len()).map(|i| format!("q{i}")).collect();
    csv.push_str(&names.join(","));
    csv.push_str(",s\n");
    for row in 0..case.rows {
        let qi: Vec<u64> = case.quasi.iter().map(|&n| rng.below(n)).collect();
        let text: Vec<String> = qi.iter().map(u64::to_string).collect();
        let sensitive = match case.sensitive {
            Sensitive::Categories(n) => {
                let v = rng.below(n).min(rng.below(n));
                format!("c{v}")
            }
            Sensitive::Integers(n) => (rng.below(n).pow(2)).to_string(),
            Sensitive::Decimals(n) => format!("{:.2}", rng.below(n) as f64 * 1.25 + 0.5),
            Sensitive::Even(n) => format!("v{}", row as u64 % n),
        };
        csv.push_str(&format!("{},{sensitive}\n", text.join(",")));
    }
    let numeric = matches!(
        case.sensitive,
        Sensitive::Integers(_) | Sensitive::Decimals(_)
    );
    let mut descriptor = String::new();
    for name in &names {
        descriptor.push_str(&format!(
            "[[column]]\nname = \"{name}\"\nrole = \"quasi-identifier\"\ntype = \"categorical\"\n"
        ));
    }
    descriptor.push_str(&format!(
        "[[column]]\nname = \"s\"\nrole = \"sensitive\"\ntype = \"{}\"\n",
        if numeric { "numeric" } else { "categorical" }
    ));
    (csv, descriptor)
}

fn even_rows(case: &Case, csv: String) -> String {
    // Sort rows by class so that every class, of size divisible by n, gets
    // the values in turn: each class is exactly even.
    let Sensitive::Even(n) = case.sensitive else {
        return csv;
    };
    let mut lines: Vec<&str> = csv.lines().collect();
    let header = lines.remove(0);
    let mut keys: Vec<String> = lines
        .iter()
        .map(|l| l.rsplit_once(',').map_or(*l, |(k, _)| k).to_owned())
        .collect();
    keys.sort();
    let mut out = format!("{header}\n");
    let mut counts = std::collections::BTreeMap::<String, u64>::new();
    for key in keys {
        let i = counts.entry(key.clone()).or_insert(0);
        out.push_str(&format!("{key},v{}\n", *i % n));
        *i += 1;
    }
    // Drop classes whose size is not a multiple of n, by padding them.
    for (key, size) in counts {
        for i in size..size.div_ceil(n) * n {
            out.push_str(&format!("{key},v{}\n", i % n));
        }
    }
    out
}

fn pycanon(path: &Path, case: &Case) -> Value {
    let qi: Vec<String> = (0..case.quasi.len()).map(|i| format!("q{i}")).collect();
    let output = Command::new("python3")
        .args(["-c", PYCANON_SCRIPT])
        .arg(path)
        .arg(qi.join(","))
        .arg("s")
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "pyCANON failed on {}: {}",
        case.name,
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("pyCANON output `{stdout}`: {e}"))
}

fn close(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9,
        _ => false,
    }
}

#[test]
fn metrics_match_pycanon_on_generated_datasets() {
    if !pycanon_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut compared = 0;
    for case in CASES {
        for seed in [0x9E37_79B9_7F4A_7C15u64, 0xD1B5_4A32_D192_ED03] {
            let (csv, descriptor) = generate(case, seed);
            let csv = even_rows(case, csv);
            let data = dir.path().join(format!("{}-{seed:x}.csv", case.name));
            let desc = dir.path().join(format!("{}-{seed:x}.toml", case.name));
            std::fs::write(&data, csv).expect("write data");
            std::fs::write(&desc, descriptor).expect("write descriptor");
            let output = run(&[
                "dataset",
                &data.display().to_string(),
                "-d",
                &desc.display().to_string(),
                "--format",
                "json",
            ]);
            assert!(
                matches!(output.status.code(), Some(0 | 1)),
                "{}",
                transcript(&output)
            );
            let ours = json_report(&output)["datasets"][0].clone();
            let theirs = pycanon(&data, case);
            let label = format!("{} (seed {seed:x})", case.name);
            for key in [
                "k",
                "l_distinct",
                "pycanon_l_entropy",
                "pycanon_recursive_c_l",
                "l_entropy",
                "recursive_c_l",
            ] {
                assert_eq!(
                    ours.get(key).unwrap_or(&Value::Null),
                    &theirs[key],
                    "{label}: {key}"
                );
            }
            for key in ["alpha", "t"] {
                assert!(
                    close(&ours[key], &theirs[key]),
                    "{label}: {key} ours {} pyCANON {}",
                    ours[key],
                    theirs[key]
                );
            }
            compared += 1;
        }
    }
    assert_eq!(compared, CASES.len() * 2);
}
