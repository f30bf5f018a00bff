//! The equivalence-class table: one entry per distinct combination of
//! quasi-identifier values, with its size and, per sensitive attribute, how
//! many of its records hold each sensitive value.
//!
//! This is the whole state that k-anonymity, (α,k)-anonymity, l-diversity
//! and t-closeness need, built in one pass. Its memory grows with the number
//! of distinct quasi-identifier combinations (and of (class, sensitive value)
//! pairs), never with the number of rows.

use rustc_hash::FxHashMap;

/// One equivalence class.
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    /// The interned quasi-identifier values, one per quasi-identifier column.
    pub key: Box<[u32]>,
    /// Records in the class.
    pub size: u64,
    /// Per sensitive attribute: the records holding each value, and those
    /// holding none.
    pub sensitive: Vec<SensitiveCounts>,
}

/// The sensitive values of one attribute within one class.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SensitiveCounts {
    /// (rank of the value in the attribute's sorted distinct values,
    /// records holding it), sorted by rank.
    pub values: Vec<(u32, u64)>,
    /// Records whose value is missing and read as unknown (a missing value
    /// read as a value of its own is one of `values`).
    pub missing: u64,
}

impl SensitiveCounts {
    /// Records with a recorded value.
    pub fn recorded(&self) -> u64 {
        self.values.iter().map(|&(_, n)| n).sum()
    }
}

/// The rank of a value that is no sensitive value: a missing one read as
/// unknown.
pub const UNRANKED: u32 = u32::MAX;

/// A sensitive attribute's distinct values, as the metrics see them.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitiveAttribute {
    /// Column name.
    pub name: String,
    /// Whether values are ordered numbers (ordered-distance EMD) or
    /// categories (equal-distance EMD).
    pub numeric: bool,
    /// Records per value, indexed by rank (the sorted order of values:
    /// numeric order for numbers, code-point order for text).
    pub global: Vec<u64>,
    /// Records whose value is missing and read as unknown.
    pub missing: u64,
}

/// Every equivalence class of a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassTable {
    /// Quasi-identifier column names, in key order.
    pub quasi_identifiers: Vec<String>,
    /// The sensitive attributes, in the order of each class's `sensitive`.
    pub sensitive: Vec<SensitiveAttribute>,
    /// The classes, ordered by their values' ranks.
    pub classes: Vec<Class>,
    /// Records in all classes.
    pub rows: u64,
}

/// The class index: quasi-identifier tuples packed into one integer while
/// every id fits its share of 128 bits (no allocation, one hash of a
/// machine word), boxed slices once one does not.
#[derive(Debug)]
enum Index {
    Packed {
        map: FxHashMap<u128, u32>,
        bits: u32,
    },
    Boxed(FxHashMap<Box<[u32]>, u32>),
}

/// Builds a [`ClassTable`] one record at a time.
#[derive(Debug)]
pub(crate) struct TableBuilder {
    index: Index,
    width: usize,
    sizes: Vec<u64>,
    /// Every class's key, `width` ids each, in class order.
    keys: Vec<u32>,
    /// Per class, then per sensitive attribute: records per value id.
    counts: Vec<Vec<ValueCounts>>,
    attributes: usize,
    rows: u64,
}

/// Records per sensitive value within one class: a short list while the
/// class holds few distinct values (the common case, and the cache-friendly
/// one), a map beyond.
#[derive(Debug, Clone)]
enum ValueCounts {
    Few(Vec<(u32, u64)>),
    Many(FxHashMap<u32, u64>),
}

/// Distinct values a class keeps in a list before it switches to a map.
const FEW: usize = 32;

impl ValueCounts {
    fn add(&mut self, value: u32) {
        self.add_n(value, 1);
    }

    fn add_n(&mut self, value: u32, records: u64) {
        match self {
            ValueCounts::Few(list) => {
                if let Some(entry) = list.iter_mut().find(|(v, _)| *v == value) {
                    entry.1 += records;
                } else if list.len() < FEW {
                    list.push((value, records));
                } else {
                    let mut map: FxHashMap<u32, u64> = list.drain(..).collect();
                    map.insert(value, records);
                    *self = ValueCounts::Many(map);
                }
            }
            ValueCounts::Many(map) => *map.entry(value).or_insert(0) += records,
        }
    }

    /// Every (value id, records), in no particular order.
    fn entries(self) -> Vec<(u32, u64)> {
        match self {
            ValueCounts::Few(list) => list,
            ValueCounts::Many(map) => map.into_iter().collect(),
        }
    }

    /// (rank, records) sorted by rank, the records of an [`UNRANKED`]
    /// value apart.
    fn ranked(self, ranks: Option<&Vec<u32>>) -> SensitiveCounts {
        let rank = |id: u32| ranks.and_then(|r| r.get(id as usize)).copied().unwrap_or(0);
        let mut values: Vec<(u32, u64)> = match self {
            ValueCounts::Few(list) => list.into_iter().map(|(id, n)| (rank(id), n)).collect(),
            ValueCounts::Many(map) => map.into_iter().map(|(id, n)| (rank(id), n)).collect(),
        };
        values.sort_unstable();
        let missing = match values.last() {
            Some(&(UNRANKED, n)) => {
                values.pop();
                n
            }
            _ => 0,
        };
        SensitiveCounts { values, missing }
    }
}

impl TableBuilder {
    pub(crate) fn new(quasi_identifiers: usize, sensitive_attributes: usize) -> Self {
        let index = if quasi_identifiers <= 16 {
            Index::Packed {
                map: FxHashMap::default(),
                bits: (128 / quasi_identifiers.max(1) as u32).min(32),
            }
        } else {
            Index::Boxed(FxHashMap::default())
        };
        TableBuilder {
            index,
            width: quasi_identifiers,
            sizes: Vec::new(),
            keys: Vec::new(),
            counts: Vec::new(),
            attributes: sensitive_attributes,
            rows: 0,
        }
    }

    /// Adds one record: its interned quasi-identifier values and sensitive
    /// value ids (one per attribute).
    pub(crate) fn add(&mut self, key: &[u32], sensitive: &[u32]) {
        let class = self.class_of(key);
        self.sizes[class as usize] += 1;
        for (counts, &value) in self.counts[class as usize].iter_mut().zip(sensitive) {
            counts.add(value);
        }
        self.rows += 1;
    }

    #[cfg(feature = "datafusion")]
    /// Adds `records` records of one class and sensitive values at once:
    /// a grouped count from a query engine, the same as adding each.
    pub(crate) fn add_n(&mut self, key: &[u32], sensitive: &[u32], records: u64) {
        let class = self.class_of(key);
        self.sizes[class as usize] += records;
        for (counts, &value) in self.counts[class as usize].iter_mut().zip(sensitive) {
            counts.add_n(value, records);
        }
        self.rows += records;
    }

    /// Adds the classes of `other`, built over another partition: its
    /// quasi-identifier ids mapped by `quasi[column]`, its sensitive ids
    /// by `sensitive[attribute]` (an id missing from a map stays as is).
    pub(crate) fn merge(
        &mut self,
        other: TableBuilder,
        quasi: &[Vec<u32>],
        sensitive: &[Vec<u32>],
    ) {
        let map = |maps: &[Vec<u32>], at: usize, id: u32| {
            maps.get(at)
                .and_then(|m| m.get(id as usize))
                .copied()
                .unwrap_or(id)
        };
        let width = other.width;
        let mut key = Vec::with_capacity(width);
        for (c, (size, counts)) in other.sizes.into_iter().zip(other.counts).enumerate() {
            key.clear();
            let ids = other
                .keys
                .get(c * width..(c + 1) * width)
                .unwrap_or_default();
            key.extend(ids.iter().enumerate().map(|(q, &id)| map(quasi, q, id)));
            let class = self.class_of(&key) as usize;
            self.sizes[class] += size;
            for (a, values) in counts.into_iter().enumerate() {
                for (id, records) in values.entries() {
                    self.counts[class][a].add_n(map(sensitive, a, id), records);
                }
            }
        }
        self.rows += other.rows;
    }

    fn class_of(&mut self, key: &[u32]) -> u32 {
        let next = self.sizes.len() as u32;
        if let Index::Packed { map, bits } = &mut self.index {
            let bits = *bits;
            if key.iter().all(|&id| bits >= 32 || id < 1 << bits) {
                let packed = key
                    .iter()
                    .fold(0u128, |acc, &id| (acc << bits) | u128::from(id));
                let class = *map.entry(packed).or_insert(next);
                if class == next {
                    self.new_class(key);
                }
                return class;
            }
            self.unpack();
        }
        let Index::Boxed(map) = &mut self.index else {
            return 0;
        };
        match map.get(key) {
            Some(&class) => class,
            None => {
                map.insert(key.into(), next);
                self.new_class(key);
                next
            }
        }
    }

    fn new_class(&mut self, key: &[u32]) {
        self.keys.extend_from_slice(key);
        self.sizes.push(0);
        self.counts
            .push(vec![ValueCounts::Few(Vec::new()); self.attributes]);
    }

    /// Switches to boxed keys, once an id outgrows its packed bits.
    fn unpack(&mut self) {
        let mut map = FxHashMap::default();
        for (class, key) in self.keys.chunks(self.width.max(1)).enumerate() {
            map.insert(Box::<[u32]>::from(key), class as u32);
        }
        if self.width == 0 && !self.sizes.is_empty() {
            map.insert(Box::<[u32]>::from(&[][..]), 0);
        }
        self.index = Index::Boxed(map);
    }

    /// The class indexes ordered by the ranks of their values
    /// (`quasi_ranks[column][id]`; an id without a rank by itself).
    fn sorted_classes(&self, quasi_ranks: &[Vec<u32>]) -> Vec<usize> {
        let width = self.width.max(1);
        let ranked: Vec<u32> = self
            .keys
            .iter()
            .enumerate()
            .map(|(i, &id)| {
                quasi_ranks
                    .get(i % width)
                    .and_then(|r| r.get(id as usize))
                    .copied()
                    .unwrap_or(id)
            })
            .collect();
        let mut order: Vec<usize> = (0..self.sizes.len()).collect();
        if self.width > 0 {
            // On every core: with a class for nearly every row, this sort
            // is the largest part of judging.
            use rayon::slice::ParallelSliceMut;
            order.par_sort_unstable_by(|&a, &b| {
                ranked[a * width..(a + 1) * width].cmp(&ranked[b * width..(b + 1) * width])
            });
        }
        order
    }

    /// The table. `ranks[a][id]` is the rank of value `id` of sensitive
    /// attribute `a`; `attributes` names them and carries their global
    /// counts by rank. The classes are ordered by the ranks of their
    /// values (`quasi_ranks[column][id]`), so that the table is the same
    /// however the rows were split and merged.
    pub(crate) fn finish(
        self,
        quasi_identifiers: Vec<String>,
        attributes: Vec<SensitiveAttribute>,
        ranks: &[Vec<u32>],
        quasi_ranks: &[Vec<u32>],
    ) -> ClassTable {
        let order = self.sorted_classes(quasi_ranks);
        drop(self.index);
        let width = self.width;
        let mut counts = self.counts;
        // Built in sorted order, so that each class's allocations lie in
        // the order the metrics walk them.
        let classes: Vec<Class> = order
            .into_iter()
            .map(|c| Class {
                key: self.keys[c * width..(c + 1) * width].into(),
                size: self.sizes[c],
                sensitive: std::mem::take(&mut counts[c])
                    .into_iter()
                    .enumerate()
                    .map(|(a, values)| values.ranked(ranks.get(a)))
                    .collect(),
            })
            .collect();
        ClassTable {
            quasi_identifiers,
            sensitive: attributes,
            classes,
            rows: self.rows,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_and_boxed_keys_give_the_same_classes() {
        let mut builder = TableBuilder::new(2, 0);
        builder.add(&[1, 2], &[]);
        builder.add(&[1, 2], &[]);
        builder.add(&[3, 4], &[]);
        // An id beyond 64 bits per column forces the boxed index.
        builder.add(&[u32::MAX, 0], &[]);
        builder.add(&[1, 2], &[]);
        builder.add(&[u32::MAX, 0], &[]);
        let table = builder.finish(vec!["a".into(), "b".into()], Vec::new(), &[], &[]);
        let sizes: Vec<u64> = table.classes.iter().map(|c| c.size).collect();
        assert_eq!(
            sizes,
            vec![3, 1, 2],
            "ordered by ids when no ranks are given"
        );
        assert_eq!(&*table.classes[2].key, &[u32::MAX, 0]);
    }

    #[test]
    fn no_quasi_identifier_is_one_class() {
        let mut builder = TableBuilder::new(0, 0);
        builder.add(&[], &[]);
        builder.add(&[], &[]);
        let table = builder.finish(Vec::new(), Vec::new(), &[], &[]);
        assert_eq!(table.classes.len(), 1);
        assert_eq!(table.classes[0].size, 2);
    }
}
