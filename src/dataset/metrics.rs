//! Anonymity metrics over an equivalence-class table: k-anonymity,
//! (α,k)-anonymity, l-diversity (distinct, entropy, recursive (c,l)) and
//! t-closeness.
//!
//! The published figures are the textbook ones; pyCANON's readings of
//! entropy l and recursive (c,l), which differ, are kept beside them under
//! their own names, so that the differential test compares like with like.
//! Where the two agree, the order of floating-point operations is
//! pyCANON's, so that results agree to the bit.
//!
//! - k: the smallest class size.
//! - α: the largest share of one sensitive value within one class.
//! - distinct l: the fewest distinct sensitive values in a class.
//! - entropy l: the largest whole `l` with `H ≥ ln l` (within
//!   [`ENTROPY_TOLERANCE`]), `H` the smallest class entropy `-Σ p·ln p`
//!   (natural log; the sum as numpy's pairwise sum, over values in sorted
//!   order). pyCANON's reading is `floor(e^H)`, `e^H` computed as `e`
//!   raised to `H`, which is 1 for a class of two equally frequent values
//!   (`e^ln 2` = 1.9999999999999998).
//! - recursive (c,l), as Machanavajjhala et al. define it: `l` is distinct
//!   l; `c` is the smallest whole number such that every class, its counts
//!   sorted descending, has `r₁ < c·(r_l + … + r_m)` ([`recursive_c`]).
//!   pyCANON's reading sorts the counts **ascending** (so its `r₁` is the
//!   rarest value): `c = max over classes of floor(r₁ / (r_l + … + r_m) +
//!   1)`. Both are absent when distinct l is 1 or less.
//! - t: the largest earth mover's distance between a class's sensitive
//!   distribution `q` and the whole table's `p`: ordered distance
//!   `1/(m−1)·Σ|Σ_{j≤i}(q_j − p_j)|` over the `m` sorted distinct values
//!   for numeric attributes, equal distance `½·Σ|q_i − p_i|` for
//!   categorical ones. With one distinct value, t is 0.
//!
//! A missing sensitive value read as unknown (the descriptor's default)
//! is no value: l of every kind and t read the recorded values only (a
//! class with none has distinct and entropy l 0 and t 1), and alpha counts
//! it as the class's most frequent value, since it could be that value.
//! Read as a value of its own, it is one of the values like any other.
//!
//! With several sensitive attributes each metric takes the worst attribute
//! (pyCANON's default `gen=True`).

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::table::{Class, ClassTable, SensitiveCounts};

/// How far below `ln l` a class entropy may fall from floating-point
/// error and still meet entropy l: `e^ln 2` is not 2 in floating point.
pub const ENTROPY_TOLERANCE: f64 = 1e-12;

/// The metrics that depend on the data alone, not on any threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    /// Equivalence classes.
    pub classes: u64,
    /// Smallest class size.
    pub k: u64,
    /// Largest share of one sensitive value within a class.
    pub alpha: Option<f64>,
    /// Fewest distinct sensitive values in a class.
    pub l_distinct: Option<u64>,
    /// The largest whole l with `H ≥ ln l` for the smallest class entropy
    /// `H`.
    pub l_entropy: Option<u64>,
    /// `e^H` itself.
    pub l_entropy_exact: Option<f64>,
    /// Recursive (c, l), textbook reading: `None` when distinct l is 1 or
    /// less.
    pub recursive_c_l: Option<(u64, u64)>,
    /// Largest EMD between a class and the whole table.
    pub t: Option<f64>,
    /// pyCANON's entropy l: `floor(e^H)`.
    pub pycanon_l_entropy: Option<u64>,
    /// pyCANON's recursive (c, l): `None` when distinct l is 1 or less.
    pub pycanon_recursive_c_l: Option<(u64, u64)>,
}

impl Metrics {
    /// Computes every threshold-free metric of `table`.
    pub fn compute(table: &ClassTable) -> Metrics {
        let has_sensitive = !table.sensitive.is_empty() && !table.classes.is_empty();
        let k = table.classes.iter().map(|c| c.size).min().unwrap_or(0);
        let alpha = has_sensitive.then(|| alpha(table));
        let l_distinct = has_sensitive.then(|| l_distinct(table));
        let entropy = has_sensitive.then(|| min_entropy(table));
        let exact = entropy.map(|h| std::f64::consts::E.powf(h));
        let diverse = l_distinct.filter(|&l| l > 1);
        Metrics {
            classes: table.classes.len() as u64,
            k,
            alpha,
            l_distinct,
            l_entropy: entropy.map(entropy_l),
            l_entropy_exact: exact,
            recursive_c_l: diverse.and_then(|l| recursive_c(table, l).map(|c| (c, l))),
            t: has_sensitive.then(|| t_closeness(table)),
            pycanon_l_entropy: exact.map(|e| e.floor() as u64),
            pycanon_recursive_c_l: diverse.map(|l| (pycanon_recursive_c(table, l), l)),
        }
    }
}

/// The largest whole `l` with `h ≥ ln l` within [`ENTROPY_TOLERANCE`]: the
/// entropy l a class of entropy `h` meets. 0 for a class with no recorded
/// value (`h` = −∞).
pub fn entropy_l(h: f64) -> u64 {
    let meets = |l: u64| (l as f64).ln() <= h + ENTROPY_TOLERANCE;
    if !meets(1) {
        return 0;
    }
    // e^h is within a step of the answer; the steps settle the edge.
    let mut l = (h.exp().floor() as u64).max(1);
    while meets(l + 1) {
        l += 1;
    }
    while l > 1 && !meets(l) {
        l -= 1;
    }
    l
}

/// Records of a class with a recorded value of the attribute `counts`.
fn recorded(class: &Class, counts: &SensitiveCounts) -> u64 {
    class.size - counts.missing
}

fn alpha(table: &ClassTable) -> f64 {
    table
        .classes
        .par_iter()
        .map(|class| {
            class
                .sensitive
                .iter()
                .map(|counts| class_alpha(class, counts))
                .fold(0.0, f64::max)
        })
        .reduce(|| 0.0, f64::max)
}

/// The largest share of one sensitive value in `class`, its unknown
/// values counted as that value (they could all be it).
fn class_alpha(class: &Class, counts: &SensitiveCounts) -> f64 {
    let top = counts.values.iter().map(|&(_, n)| n).max().unwrap_or(0);
    (top + counts.missing) as f64 / class.size as f64
}

fn l_distinct(table: &ClassTable) -> u64 {
    table
        .classes
        .iter()
        .flat_map(|c| c.sensitive.iter().map(|counts| counts.values.len() as u64))
        .min()
        .unwrap_or(0)
}

fn min_entropy(table: &ClassTable) -> f64 {
    table
        .classes
        .par_iter()
        .map(|class| {
            class
                .sensitive
                .iter()
                .map(|counts| class_entropy(counts, recorded(class, counts)))
                .fold(f64::INFINITY, f64::min)
        })
        .reduce(|| f64::INFINITY, f64::min)
}

/// `-Σ p·ln p` over a class's recorded values in rank order (`recorded`
/// of them), summed as numpy does; −∞ when none is recorded, so that
/// such a class has entropy l 0.
fn class_entropy(counts: &SensitiveCounts, recorded: u64) -> f64 {
    if recorded == 0 {
        return f64::NEG_INFINITY;
    }
    let values = &counts.values;
    let term = |&(_, n): &(u32, u64)| {
        let p = n as f64 / recorded as f64;
        p * p.ln()
    };
    if values.len() <= 128 {
        // The common case, without an allocation per class.
        -pairwise_sum_short(values.iter().map(term), values.len())
    } else {
        let terms: Vec<f64> = values.iter().map(term).collect();
        -pairwise_sum(&terms)
    }
}

/// [`pairwise_sum`] of the at most 128 items of `items` (`n` of them),
/// streamed: the same additions in the same order.
fn pairwise_sum_short(mut items: impl Iterator<Item = f64>, n: usize) -> f64 {
    if n < 8 {
        return items.fold(-0.0, |s, x| s + x);
    }
    let mut r = [0.0; 8];
    for slot in &mut r {
        *slot = items.next().unwrap_or(0.0);
    }
    let blocks_end = n - n % 8;
    let mut i = 8;
    while i < blocks_end {
        for slot in &mut r {
            *slot += items.next().unwrap_or(0.0);
        }
        i += 8;
    }
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    items.fold(res, |s, x| s + x)
}

/// numpy's pairwise summation of a contiguous float64 array: plain below 8
/// items, eight accumulators up to 128, halves (at multiples of 8) above.
fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n <= 128 {
        pairwise_sum_short(a.iter().copied(), n)
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum(&a[..n2]) + pairwise_sum(&a[n2..])
    }
}

/// A class's recorded counts for one attribute, sorted descending into
/// `buffer`.
fn sorted_descending<'b>(counts: &SensitiveCounts, buffer: &'b mut Vec<u64>) -> &'b [u64] {
    buffer.clear();
    buffer.extend(counts.values.iter().map(|&(_, n)| n));
    buffer.sort_unstable_by(|a, b| b.cmp(a));
    buffer
}

fn pycanon_recursive_c(table: &ClassTable, l: u64) -> u64 {
    let tail_from = (l - 1) as usize;
    (0..table.sensitive.len())
        .map(|a| {
            let mut buffer = Vec::new();
            table
                .classes
                .iter()
                .map(|class| {
                    let r = sorted_descending(&class.sensitive[a], &mut buffer);
                    // pyCANON sorts ascending: its r₁ is the rarest value, and
                    // its tail the largest counts from the l-th smallest on.
                    let m = r.len();
                    let tail: u64 = r[..m.saturating_sub(tail_from)].iter().sum();
                    let first = r.last().copied().unwrap_or(0);
                    (first as f64 / tail as f64 + 1.0).floor() as u64
                })
                .max()
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0)
}

/// The smallest whole c such that every class satisfies recursive
/// (c,l)-diversity as Machanavajjhala et al. define it: with its recorded
/// counts sorted descending, `r₁ < c·(r_l + … + r_m)`. `None` when some
/// class has fewer than `l` distinct recorded values (no c helps). `l`
/// below 1 is taken as 1.
pub fn recursive_c(table: &ClassTable, l: u64) -> Option<u64> {
    let from = l.max(1) as usize - 1;
    let mut worst = 1;
    let mut buffer = Vec::new();
    for class in &table.classes {
        for counts in &class.sensitive {
            let r = sorted_descending(counts, &mut buffer);
            let tail: u64 = r.get(from..).map_or(0, |t| t.iter().sum());
            if tail == 0 {
                return None;
            }
            worst = worst.max(r[0] / tail + 1);
        }
    }
    Some(worst)
}

/// Whether every class satisfies `r₁ < c·(r_l + … + r_m)` for a real `c`.
pub fn recursive_holds(table: &ClassTable, c: f64, l: u64) -> bool {
    let from = l.max(1) as usize - 1;
    let mut buffer = Vec::new();
    table.classes.iter().all(|class| {
        class.sensitive.iter().all(|counts| {
            let r = sorted_descending(counts, &mut buffer);
            let tail: u64 = r.get(from..).map_or(0, |t| t.iter().sum());
            tail > 0 && (r[0] as f64) < c * tail as f64
        })
    })
}

/// Each attribute's distribution over its recorded values in the whole
/// table.
fn global_distributions(table: &ClassTable) -> Vec<Vec<f64>> {
    table
        .sensitive
        .iter()
        .map(|attribute| {
            let recorded = (table.rows - attribute.missing) as f64;
            attribute
                .global
                .iter()
                .map(|&n| n as f64 / recorded)
                .collect()
        })
        .collect()
}

fn t_closeness(table: &ClassTable) -> f64 {
    let globals = global_distributions(table);
    table
        .sensitive
        .iter()
        .zip(&globals)
        .enumerate()
        .map(|(a, (attribute, p))| {
            table
                .classes
                .par_iter()
                .map(|class| class_emd(class, a, p, attribute.numeric))
                .reduce(|| 0.0, f64::max)
        })
        .fold(0.0, f64::max)
}

/// A class's EMD to the global distribution `p`, over recorded values, in
/// pyCANON's order of operations (so that results agree to the last bit in
/// most cases). A class with no recorded value is as far as the measure
/// goes, 1: nothing shows it close.
pub(crate) fn class_emd(class: &Class, attribute: usize, p: &[f64], numeric: bool) -> f64 {
    let m = p.len();
    let counts = &class.sensitive[attribute];
    let recorded = recorded(class, counts);
    if recorded == 0 {
        return 1.0;
    }
    let size = recorded as f64;
    let mut next = counts.values.iter().peekable();
    let mut q = |rank: usize| -> f64 {
        match next.peek() {
            Some(&&(r, n)) if r as usize == rank => {
                next.next();
                n as f64 / size
            }
            _ => 0.0,
        }
    };
    if numeric {
        if m < 2 {
            return 0.0;
        }
        let (mut running, mut emd) = (0.0f64, 0.0f64);
        for (i, &pi) in p.iter().enumerate() {
            running += q(i) - pi;
            emd += running.abs();
        }
        1.0 / (m - 1) as f64 * emd
    } else {
        let mut emd = 0.0f64;
        for (i, &pi) in p.iter().enumerate() {
            emd += (q(i) - pi).abs();
        }
        0.5 * emd
    }
}

/// Classes smaller than `k`, and the records in them (the records that
/// would have to be suppressed, or generalised, to reach k).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Below {
    /// Classes smaller than k.
    pub classes: u64,
    /// Records in those classes.
    pub records: u64,
}

/// The classes smaller than `k`.
pub fn below_k(table: &ClassTable, k: u64) -> Below {
    let mut below = Below {
        classes: 0,
        records: 0,
    };
    for class in table.classes.iter().filter(|c| c.size < k) {
        below.classes += 1;
        below.records += class.size;
    }
    below
}

/// Classes (and their records) whose largest sensitive share exceeds `alpha`.
pub fn above_alpha(table: &ClassTable, alpha: f64) -> Below {
    count_classes(table, |class| {
        class
            .sensitive
            .iter()
            .any(|counts| class_alpha(class, counts) > alpha)
    })
}

/// Classes (and their records) with fewer than `l` distinct sensitive values.
pub fn below_l(table: &ClassTable, l: u64) -> Below {
    count_classes(table, |class| {
        class.sensitive.iter().any(|c| (c.values.len() as u64) < l)
    })
}

/// Classes (and their records) whose entropy is below `ln l`.
pub fn below_entropy_l(table: &ClassTable, l: f64) -> Below {
    let floor = l.ln();
    count_classes(table, |class| {
        class
            .sensitive
            .iter()
            .any(|c| class_entropy(c, recorded(class, c)) < floor - ENTROPY_TOLERANCE)
    })
}

/// Classes (and their records) farther than `t` from the whole table.
pub fn above_t(table: &ClassTable, t: f64) -> Below {
    let globals = global_distributions(table);
    count_classes(table, |class| {
        table
            .sensitive
            .iter()
            .enumerate()
            .any(|(a, attr)| class_emd(class, a, &globals[a], attr.numeric) > t + 1e-12)
    })
}

fn count_classes(table: &ClassTable, hit: impl Fn(&Class) -> bool) -> Below {
    let mut below = Below {
        classes: 0,
        records: 0,
    };
    for class in table.classes.iter().filter(|c| hit(c)) {
        below.classes += 1;
        below.records += class.size;
    }
    below
}

/// A combination of quasi-identifiers and how identifying it is alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Combination {
    /// The quasi-identifier columns.
    pub columns: Vec<String>,
    /// Records in classes smaller than k over these columns alone.
    pub records_below_k: u64,
    /// Those classes.
    pub classes_below_k: u64,
}

/// The combination of at most `max_columns` quasi-identifiers that alone
/// leaves the most records in classes smaller than `k`; ties go to fewer
/// columns, then to descriptor order. Computed from the class table (each
/// combination's classes are unions of full classes), never from rows.
/// `None` when no combination leaves any record below k.
pub fn most_identifying(table: &ClassTable, k: u64, max_columns: usize) -> Option<Combination> {
    let n = table.quasi_identifiers.len();
    let subsets: Vec<Vec<usize>> = subsets_up_to(n, max_columns.min(n));
    let keys = KeyColumns::of(table);
    let direct_limit = keys.direct_limit();
    let scored: Vec<(usize, Below)> = subsets
        .par_iter()
        .enumerate()
        .map_init(Scratch::default, |scratch, (i, subset)| {
            (i, keys.below(subset, k, direct_limit, scratch))
        })
        .collect();
    let best = scored
        .into_iter()
        .filter(|(_, b)| b.records > 0)
        .min_by_key(|(i, b)| (std::cmp::Reverse(b.records), subsets[*i].len(), *i))?;
    Some(Combination {
        columns: subsets[best.0]
            .iter()
            .map(|&c| table.quasi_identifiers[c].clone())
            .collect(),
        records_below_k: best.1.records,
        classes_below_k: best.1.classes,
    })
}

/// Every non-empty subset of `0..n` with at most `max` members, by size
/// then lexicographically.
fn subsets_up_to(n: usize, max: usize) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut frontier: Vec<Vec<usize>> = vec![Vec::new()];
    for _ in 0..max {
        let mut next = Vec::new();
        for subset in &frontier {
            let start = subset.last().map_or(0, |&l| l + 1);
            for c in start..n {
                let mut grown = subset.clone();
                grown.push(c);
                next.push(grown);
            }
        }
        out.extend(next.iter().cloned());
        frontier = next;
    }
    out
}

/// The classes' keys laid out column by column, with their sizes: what
/// every projection onto a combination of columns reads. Each of the
/// combinations walks the classes once, so the keys are copied out of
/// the classes once, into memory a walk reads in order.
struct KeyColumns {
    /// `columns[c][i]`: class `i`'s id in quasi-identifier `c`.
    columns: Vec<Vec<u32>>,
    /// Class sizes, in class order.
    sizes: Vec<u64>,
    /// Per column, one more than its largest id: the ids it can hold.
    radix: Vec<u64>,
}

/// How a combination's keys are counted ([`KeyColumns::counting`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counting {
    /// In an array of this many keys.
    Directly(u64),
    /// In a hash map of packed integers.
    Packed,
    /// In a hash map of tuples of ids.
    ByTuple,
}

/// The buffers one thread counts combinations in, kept from one
/// combination to the next: each is as long as the classes or a few
/// times more, and making them afresh for each of the 25 combinations
/// was most of the time of a k-anonymity check.
#[derive(Debug, Default)]
struct Scratch {
    /// Each class's key in the combination being counted.
    keys: Vec<u64>,
    /// Records per key, for counting in an array: all zero between
    /// combinations (reading a count takes it).
    counts: Vec<u64>,
}

/// Combinations of at most this many keys are counted in an array
/// indexed by the key whatever the number of classes: 512 KiB.
const DIRECT_FLOOR: u64 = 1 << 16;

impl KeyColumns {
    fn of(table: &ClassTable) -> KeyColumns {
        let width = table.quasi_identifiers.len();
        let mut columns = vec![Vec::with_capacity(table.classes.len()); width];
        for key in table.keys.chunks_exact(width.max(1)) {
            for (column, &id) in columns.iter_mut().zip(key) {
                column.push(id);
            }
        }
        let radix = columns
            .iter()
            .map(|ids| ids.iter().max().map_or(1, |&top| u64::from(top) + 1))
            .collect();
        KeyColumns {
            columns,
            sizes: table.classes.iter().map(|c| c.size).collect(),
            radix,
        }
    }

    /// The most keys a combination may have to be counted in an array
    /// indexed by its key rather than a hash map: a few times the classes
    /// (so the array costs memory of the order of the table's) or
    /// [`DIRECT_FLOOR`], whichever is larger.
    fn direct_limit(&self) -> u64 {
        (4 * self.sizes.len() as u64).max(DIRECT_FLOOR)
    }

    /// The classes smaller than `k` over the columns of `subset` alone,
    /// counted in `scratch`.
    fn below(&self, subset: &[usize], k: u64, direct_limit: u64, scratch: &mut Scratch) -> Below {
        match self.counting(subset, direct_limit) {
            Counting::Directly(keys) => self.below_directly(subset, keys, k, scratch),
            Counting::Packed => below_of(
                self.counted_packed(subset, &mut scratch.keys).into_values(),
                k,
            ),
            Counting::ByTuple => below_of(self.counted_by_tuple(subset).into_values(), k),
        }
    }

    /// How the keys of `subset` are counted: in an array while their
    /// number is at most `direct_limit`, packed into one integer while
    /// their ids fit 64 bits, as tuples beyond.
    fn counting(&self, subset: &[usize], direct_limit: u64) -> Counting {
        let keys = subset
            .iter()
            .try_fold(1u64, |product, &c| product.checked_mul(self.radix[c]));
        let bits: u32 = subset.iter().map(|&c| self.bits(c)).sum();
        match keys {
            Some(keys) if keys <= direct_limit => Counting::Directly(keys),
            _ if bits <= u64::BITS => Counting::Packed,
            _ => Counting::ByTuple,
        }
    }

    /// Bits that every id of column `c` fits.
    fn bits(&self, c: usize) -> u32 {
        u64::BITS - (self.radix[c] - 1).leading_zeros()
    }

    /// The keys below `k`, counted in an array indexed by the key's
    /// mixed-radix number (`keys` of them): no hashing, no probing. The
    /// array is taken back to zeros as it is read.
    fn below_directly(&self, subset: &[usize], keys: u64, k: u64, scratch: &mut Scratch) -> Below {
        let keys = usize::try_from(keys).unwrap_or(0);
        if scratch.counts.len() < keys {
            scratch.counts.resize(keys, 0);
        }
        self.keys_of(subset, &mut scratch.keys, |key, c, id| {
            key * self.radix[c] + id
        });
        let counts = &mut scratch.counts[..keys];
        for (&at, &size) in scratch.keys.iter().zip(&self.sizes) {
            if let Some(count) = counts.get_mut(at as usize) {
                *count += size;
            }
        }
        below_of(counts.iter_mut().map(std::mem::take).filter(|&n| n > 0), k)
    }

    /// Each class's key over `subset` into `keys`, folded column by
    /// column: `fold(key so far, column, id)`.
    fn keys_of(
        &self,
        subset: &[usize],
        keys: &mut Vec<u64>,
        fold: impl Fn(u64, usize, u64) -> u64,
    ) {
        keys.clear();
        keys.resize(self.sizes.len(), 0);
        for &c in subset {
            for (key, &id) in keys.iter_mut().zip(&self.columns[c]) {
                *key = fold(*key, c, u64::from(id));
            }
        }
    }

    /// Records per key, the key's ids packed into one integer (each
    /// class's in `keys`).
    fn counted_packed(&self, subset: &[usize], keys: &mut Vec<u64>) -> FxHashMap<u64, u64> {
        self.keys_of(subset, keys, |key, c, id| {
            key.checked_shl(self.bits(c)).unwrap_or(0) | id
        });
        let mut sizes: FxHashMap<u64, u64> = FxHashMap::default();
        for (&key, &size) in keys.iter().zip(&self.sizes) {
            *sizes.entry(key).or_insert(0) += size;
        }
        sizes
    }

    /// Records per key, the key as a tuple of ids.
    fn counted_by_tuple(&self, subset: &[usize]) -> FxHashMap<Vec<u32>, u64> {
        let mut sizes: FxHashMap<Vec<u32>, u64> = FxHashMap::default();
        for (i, &size) in self.sizes.iter().enumerate() {
            let key: Vec<u32> = subset.iter().map(|&c| self.columns[c][i]).collect();
            *sizes.entry(key).or_insert(0) += size;
        }
        sizes
    }
}

/// The keys of fewer than `k` records, from the records of every key.
fn below_of(sizes: impl IntoIterator<Item = u64>, k: u64) -> Below {
    let mut below = Below {
        classes: 0,
        records: 0,
    };
    for size in sizes.into_iter().filter(|&s| s < k) {
        below.classes += 1;
        below.records += size;
    }
    below
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::table::SensitiveAttribute;

    /// A class as (key, (rank, records) pairs).
    type Spec<'a> = (&'a [u32], &'a [(u32, u64)]);

    fn table(classes: &[Spec<'_>], global: Vec<u64>, numeric: bool) -> ClassTable {
        ClassTable {
            quasi_identifiers: vec!["a".into(), "b".into()],
            sensitive: vec![SensitiveAttribute {
                name: "s".into(),
                numeric,
                global: global.clone(),
                missing: 0,
            }],
            classes: classes
                .iter()
                .map(|(_, counts)| Class {
                    size: counts.iter().map(|c| c.1).sum(),
                    sensitive: smallvec::smallvec![SensitiveCounts {
                        values: counts.iter().copied().collect(),
                        missing: 0,
                    }],
                })
                .collect(),
            keys: classes
                .iter()
                .flat_map(|(key, _)| key.iter().copied())
                .collect(),
            rows: global.iter().sum(),
        }
    }

    #[test]
    fn pairwise_sum_matches_numpy_blocking() {
        let a: Vec<f64> = (0..300).map(|i| 1.0 / (i as f64 + 1.0)).collect();
        let plain: f64 = a.iter().sum();
        assert!((pairwise_sum(&a) - plain).abs() < 1e-12);
        assert_eq!(pairwise_sum(&[1.0, 2.0]), 3.0);
    }

    #[test]
    fn textbook_example_metrics() {
        // Two classes: {x:2, y:2} and {x:1, y:1, z:2}; global x:3 y:3 z:2.
        let t = table(
            &[
                (&[0, 0], &[(0, 2), (1, 2)]),
                (&[1, 0], &[(0, 1), (1, 1), (2, 2)]),
            ],
            vec![3, 3, 2],
            false,
        );
        let m = Metrics::compute(&t);
        assert_eq!(m.k, 4);
        assert_eq!(m.alpha, Some(0.5));
        assert_eq!(m.l_distinct, Some(2));
        assert_eq!(m.l_entropy, Some(2), "H = ln 2 meets entropy l 2");
        assert_eq!(
            m.pycanon_l_entropy,
            Some(1),
            "e^ln2 lands just under 2, as in pyCANON"
        );
        // Equal distance: class 1 differs by |0.5-.375|*2 + .25 = 0.5, halved.
        assert!((m.t.expect("t") - 0.25).abs() < 1e-12);
        assert_eq!(recursive_c(&t, 2), Some(2));
        assert_eq!(
            below_k(&t, 5),
            Below {
                classes: 2,
                records: 8
            }
        );
    }

    #[test]
    fn entropy_l_is_the_largest_l_whose_log_the_entropy_reaches() {
        assert_eq!(entropy_l(2f64.ln()), 2);
        assert_eq!(entropy_l(3f64.ln() - 1e-15), 3, "within the tolerance");
        assert_eq!(entropy_l(3f64.ln() - 1e-9), 2);
        assert_eq!(entropy_l(1.5f64.ln()), 1);
        assert_eq!(entropy_l(0.0), 1);
        assert_eq!(entropy_l(f64::NEG_INFINITY), 0, "no recorded value");
        assert_eq!(entropy_l(1000f64.ln()), 1000);
    }

    #[test]
    fn recursive_c_is_read_descending_and_pycanon_ascending() {
        // One class {6, 1, 1}: distinct l 3; r₁ = 6 < c·r₃ = c needs c = 7.
        // pyCANON sorts ascending: floor(1 / 6 + 1) = 1.
        let t = table(
            &[(&[0, 0], &[(0, 6), (1, 1), (2, 1)])],
            vec![6, 1, 1],
            false,
        );
        let m = Metrics::compute(&t);
        assert_eq!(m.recursive_c_l, Some((7, 3)));
        assert_eq!(m.pycanon_recursive_c_l, Some((1, 3)));
        assert!(recursive_holds(&t, 7.0, 3) && !recursive_holds(&t, 6.0, 3));
    }

    #[test]
    fn unknown_sensitive_values_add_no_diversity() {
        // Class 0: hiv twice and four unknown; class 1: flu and cold three
        // times each. Recorded in the table: hiv 2, flu 3, cold 3.
        let mut t = table(
            &[(&[0, 0], &[(0, 2)]), (&[1, 0], &[(1, 3), (2, 3)])],
            vec![2, 3, 3],
            false,
        );
        t.classes[0].sensitive[0].missing = 4;
        t.classes[0].size = 6;
        t.sensitive[0].missing = 4;
        t.rows = 12;
        let m = Metrics::compute(&t);
        assert_eq!(m.l_distinct, Some(1));
        assert_eq!(m.l_entropy, Some(1));
        assert_eq!(m.alpha, Some(1.0), "the unknown four could all be hiv");
        // Class 0 against the recorded whole: ½(|1 − 2/8| + 3/8 + 3/8).
        assert!((m.t.expect("t") - 0.75).abs() < 1e-12);
        assert_eq!(
            above_alpha(&t, 0.8),
            Below {
                classes: 1,
                records: 6
            }
        );
        assert_eq!(below_l(&t, 2).classes, 1);
        assert_eq!(below_entropy_l(&t, 1.5).classes, 1);
        assert_eq!(above_t(&t, 0.5).classes, 1);
    }

    #[test]
    fn a_class_with_nothing_recorded_has_l_zero_and_t_one() {
        let mut t = table(
            &[(&[0, 0], &[(0, 2), (1, 2)]), (&[1, 0], &[])],
            vec![2, 2],
            true,
        );
        t.classes[1].sensitive[0].missing = 3;
        t.classes[1].size = 3;
        t.sensitive[0].missing = 3;
        t.rows = 7;
        let m = Metrics::compute(&t);
        assert_eq!((m.l_distinct, m.l_entropy), (Some(0), Some(0)));
        assert_eq!(m.l_entropy_exact, Some(0.0));
        assert_eq!(m.recursive_c_l, None);
        assert_eq!(m.t, Some(1.0));
        assert_eq!(m.alpha, Some(1.0));
    }

    #[test]
    fn ordered_distance_for_numbers() {
        // Class holds only the highest of three values: EMD = (1/3 + 2/3)/2.
        let t = table(
            &[(&[0, 0], &[(2, 1)]), (&[1, 0], &[(0, 1), (1, 1)])],
            vec![1, 1, 1],
            true,
        );
        let m = Metrics::compute(&t);
        assert!((m.t.expect("t") - 0.5).abs() < 1e-12);
    }

    /// Classes of up to four quasi-identifiers, ids drawn from a few small
    /// ones (a key space an array can index) or from values as far apart
    /// as `u32` allows (keys that only a hash map of tuples can hold).
    #[derive(Debug, Clone)]
    struct Keys {
        width: usize,
        classes: Vec<(Vec<u32>, u64)>,
    }

    impl quickcheck::Arbitrary for Keys {
        fn arbitrary(g: &mut quickcheck::Gen) -> Self {
            const WIDE: [u32; 5] = [0, 7, 1 << 20, u32::MAX - 1, u32::MAX];
            let width = usize::arbitrary(g) % 4 + 1;
            let wide = bool::arbitrary(g);
            let n = usize::arbitrary(g) % 30;
            let classes = (0..n)
                .map(|_| {
                    let key = (0..width)
                        .map(|_| match wide {
                            true => *g.choose(&WIDE).unwrap_or(&0),
                            false => u32::arbitrary(g) % 4,
                        })
                        .collect();
                    (key, u64::arbitrary(g) % 5 + 1)
                })
                .collect();
            Keys { width, classes }
        }
    }

    /// The classes below k over `subset`, projected one row at a time into
    /// an ordered map: the reading the fast paths must agree with.
    fn reference_below(keys: &Keys, subset: &[usize], k: u64) -> Below {
        let mut sizes = std::collections::BTreeMap::<Vec<u32>, u64>::new();
        for (key, size) in &keys.classes {
            let projected = subset.iter().map(|&c| key[c]).collect();
            *sizes.entry(projected).or_insert(0) += size;
        }
        below_of(sizes.into_values(), k)
    }

    /// The class table of the generated classes.
    fn table_of(keys: &Keys) -> ClassTable {
        ClassTable {
            quasi_identifiers: (0..keys.width).map(|c| format!("q{c}")).collect(),
            sensitive: Vec::new(),
            classes: keys
                .classes
                .iter()
                .map(|(_, size)| Class {
                    size: *size,
                    sensitive: Default::default(),
                })
                .collect(),
            keys: keys
                .classes
                .iter()
                .flat_map(|(key, _)| key.iter().copied())
                .collect(),
            rows: keys.classes.iter().map(|(_, size)| size).sum(),
        }
    }

    /// Every way of counting a combination's keys (an array indexed by
    /// the key, packed integers in a hash map, tuples in one) gives the
    /// reference's classes and records below k.
    fn projections_agree(keys: Keys, k: u64) -> bool {
        let k = k % 6 + 1;
        let t = table_of(&keys);
        let columns = KeyColumns::of(&t);
        // One scratch for every combination, as a thread counts them.
        let mut scratch = Scratch::default();
        subsets_up_to(keys.width, keys.width).iter().all(|subset| {
            let expected = reference_below(&keys, subset, k);
            [0, columns.direct_limit()]
                .into_iter()
                .all(|limit| columns.below(subset, k, limit, &mut scratch) == expected)
        })
    }

    #[test]
    fn property_every_projection_counts_the_reference_classes_below_k() {
        quickcheck::QuickCheck::new()
            .tests(500)
            .quickcheck(projections_agree as fn(Keys, u64) -> bool);
    }

    /// The property above reaches every way of counting: an array, packed
    /// integers, and tuples of ids too wide to pack.
    #[test]
    fn the_generated_keys_reach_every_way_of_counting() {
        let mut g = quickcheck::Gen::new(30);
        let (mut direct, mut packed, mut tuples) = (0, 0, 0);
        for _ in 0..300 {
            let keys = <Keys as quickcheck::Arbitrary>::arbitrary(&mut g);
            let columns = KeyColumns::of(&table_of(&keys));
            let all: Vec<usize> = (0..keys.width).collect();
            match columns.counting(&all, columns.direct_limit()) {
                Counting::Directly(_) if !keys.classes.is_empty() => direct += 1,
                Counting::Directly(_) => {}
                Counting::Packed => packed += 1,
                Counting::ByTuple => tuples += 1,
            }
        }
        assert!(
            direct > 30 && packed > 30 && tuples > 30,
            "direct {direct}, packed {packed}, tuples {tuples}"
        );
    }

    #[test]
    fn the_most_identifying_combination_prefers_fewer_columns() {
        let t = table(
            &[
                (&[0, 0], &[(0, 3)]),
                (&[1, 0], &[(0, 1)]),
                (&[2, 1], &[(0, 1)]),
            ],
            vec![5],
            false,
        );
        let best = most_identifying(&t, 2, 3).expect("something is below k");
        assert_eq!(best.columns, vec!["a".to_owned()]);
        assert_eq!(best.records_below_k, 2);
    }
}
