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

/// The class index: quasi-identifier tuples packed into one machine word
/// while every id fits its share of 64 bits, then into 128 bits while
/// every id fits its share of those (no allocation, one hash of an
/// integer; the smaller the key, the more of the index stays in cache),
/// boxed slices once one does not.
#[derive(Debug)]
enum Index {
    Packed64 {
        map: FxHashMap<u64, u32>,
        bits: u32,
    },
    Packed128 {
        map: FxHashMap<u128, u32>,
        bits: u32,
    },
    Boxed(FxHashMap<Box<[u32]>, u32>),
}

/// Bits per id when `width` ids share `total` bits (at most 32, an id's
/// own width).
fn share(total: u32, width: usize) -> u32 {
    (total / u32::try_from(width.max(1)).unwrap_or(u32::MAX)).min(32)
}

/// `key` packed `bits` bits an id, when every id fits them.
fn pack(key: &[u32], bits: u32) -> Option<u128> {
    if bits < 32 && key.iter().any(|&id| id >= 1 << bits) {
        return None;
    }
    Some(
        key.iter()
            .fold(0u128, |acc, &id| (acc << bits) | u128::from(id)),
    )
}

/// Builds a [`ClassTable`] one record at a time.
#[derive(Debug)]
pub(crate) struct TableBuilder {
    index: Index,
    width: usize,
    sizes: Vec<u64>,
    /// Every class's key, `width` ids each, in class order.
    keys: Vec<u32>,
    /// Per class, then per sensitive attribute (`attributes` a class, in
    /// one contiguous vector): records per value id.
    counts: Vec<ValueCounts>,
    attributes: usize,
    rows: u64,
}

/// Records per sensitive value within one class: the value in place while
/// the class holds one (no allocation: most classes of a large extract
/// hold a few records), a short list while it holds few distinct values
/// (the cache-friendly case), a map beyond.
#[derive(Debug, Clone)]
enum ValueCounts {
    One(u32, u64),
    Few(Vec<(u32, u64)>),
    Many(Box<FxHashMap<u32, u64>>),
}

/// Distinct values a class keeps in a list before it switches to a map.
const FEW: usize = 32;

impl ValueCounts {
    fn add(&mut self, value: u32) {
        self.add_n(value, 1);
    }

    fn add_n(&mut self, value: u32, records: u64) {
        match self {
            ValueCounts::One(only, n) if *only == value => *n += records,
            ValueCounts::One(only, n) => {
                *self = ValueCounts::Few(vec![(*only, *n), (value, records)]);
            }
            ValueCounts::Few(list) if list.is_empty() => *self = ValueCounts::One(value, records),
            ValueCounts::Few(list) => {
                if let Some(entry) = list.iter_mut().find(|(v, _)| *v == value) {
                    entry.1 += records;
                } else if list.len() < FEW {
                    list.push((value, records));
                } else {
                    let mut map: FxHashMap<u32, u64> = list.drain(..).collect();
                    map.insert(value, records);
                    *self = ValueCounts::Many(Box::new(map));
                }
            }
            ValueCounts::Many(map) => *map.entry(value).or_insert(0) += records,
        }
    }

    /// Hands every (value id, records) to `each`, in no particular order.
    fn for_each(self, mut each: impl FnMut(u32, u64)) {
        match self {
            ValueCounts::One(value, n) => each(value, n),
            ValueCounts::Few(list) => list.into_iter().for_each(|(v, n)| each(v, n)),
            ValueCounts::Many(map) => map.into_iter().for_each(|(v, n)| each(v, n)),
        }
    }

    /// (rank, records) sorted by rank, the records of an [`UNRANKED`]
    /// value apart.
    fn ranked(self, ranks: Option<&Vec<u32>>) -> SensitiveCounts {
        let rank = |id: u32| ranks.and_then(|r| r.get(id as usize)).copied().unwrap_or(0);
        let mut values: Vec<(u32, u64)> = match self {
            ValueCounts::One(id, n) => vec![(rank(id), n)],
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
        let index = if quasi_identifiers <= 8 {
            Index::Packed64 {
                map: FxHashMap::default(),
                bits: share(64, quasi_identifiers),
            }
        } else if quasi_identifiers <= 16 {
            Index::Packed128 {
                map: FxHashMap::default(),
                bits: share(128, quasi_identifiers),
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
        let class = self.class_of(key) as usize;
        self.sizes[class] += 1;
        let at = class * self.attributes;
        for (counts, &value) in self.counts[at..at + self.attributes]
            .iter_mut()
            .zip(sensitive)
        {
            counts.add(value);
        }
        self.rows += 1;
    }

    #[cfg(feature = "datafusion")]
    /// Adds `records` records of one class and sensitive values at once:
    /// a grouped count from a query engine, the same as adding each.
    pub(crate) fn add_n(&mut self, key: &[u32], sensitive: &[u32], records: u64) {
        let class = self.class_of(key) as usize;
        self.sizes[class] += records;
        let at = class * self.attributes;
        for (counts, &value) in self.counts[at..at + self.attributes]
            .iter_mut()
            .zip(sensitive)
        {
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
        let attributes = other.attributes;
        let mut key = Vec::with_capacity(width);
        let mut counts = other.counts.into_iter();
        for (c, size) in other.sizes.into_iter().enumerate() {
            key.clear();
            let ids = other
                .keys
                .get(c * width..(c + 1) * width)
                .unwrap_or_default();
            key.extend(ids.iter().enumerate().map(|(q, &id)| map(quasi, q, id)));
            let class = self.class_of(&key) as usize;
            self.sizes[class] += size;
            for (a, values) in counts.by_ref().take(attributes).enumerate() {
                let mine = &mut self.counts[class * self.attributes + a];
                values.for_each(|id, records| mine.add_n(map(sensitive, a, id), records));
            }
        }
        self.rows += other.rows;
    }

    fn class_of(&mut self, key: &[u32]) -> u32 {
        let next = self.sizes.len() as u32;
        if let Index::Packed64 { map, bits } = &mut self.index {
            if let Some(packed) = pack(key, *bits) {
                // `width` shares of `bits` fit 64 bits: nothing is cut.
                let class = *map.entry(packed as u64).or_insert(next);
                if class == next {
                    self.new_class(key);
                }
                return class;
            }
            self.widen();
        }
        if let Index::Packed128 { map, bits } = &mut self.index {
            if let Some(packed) = pack(key, *bits) {
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
            .extend((0..self.attributes).map(|_| ValueCounts::Few(Vec::new())));
    }

    /// Switches from 64 to 128 packed bits, once an id outgrows its share
    /// of 64 (every class met so far fits the larger share).
    fn widen(&mut self) {
        let bits = share(128, self.width);
        let mut map = FxHashMap::default();
        map.reserve(self.sizes.len());
        for (class, key) in self.keys.chunks(self.width.max(1)).enumerate() {
            if let Some(packed) = pack(key, bits) {
                map.insert(packed, class as u32);
            }
        }
        if self.width == 0 && !self.sizes.is_empty() {
            map.insert(0, 0);
        }
        self.index = Index::Packed128 { map, bits };
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
        let per_class = self.attributes;
        let mut counts = self.counts;
        // Built in sorted order, so that each class's allocations lie in
        // the order the metrics walk them.
        let classes: Vec<Class> = order
            .into_iter()
            .map(|c| Class {
                key: self.keys[c * width..(c + 1) * width].into(),
                size: self.sizes[c],
                sensitive: counts[c * per_class..(c + 1) * per_class]
                    .iter_mut()
                    .enumerate()
                    .map(|(a, values)| {
                        std::mem::replace(values, ValueCounts::Few(Vec::new())).ranked(ranks.get(a))
                    })
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
