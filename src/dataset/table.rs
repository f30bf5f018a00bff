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
    /// Per sensitive attribute: (rank of the value in the attribute's sorted
    /// distinct values, records holding it), sorted by rank.
    pub sensitive: Vec<Vec<(u32, u64)>>,
}

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
}

/// Every equivalence class of a dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassTable {
    /// Quasi-identifier column names, in key order.
    pub quasi_identifiers: Vec<String>,
    /// The sensitive attributes, in the order of each class's `sensitive`.
    pub sensitive: Vec<SensitiveAttribute>,
    /// The classes, in order of first appearance.
    pub classes: Vec<Class>,
    /// Records in all classes.
    pub rows: u64,
}

/// Builds a [`ClassTable`] one record at a time.
#[derive(Debug)]
pub(crate) struct TableBuilder {
    index: FxHashMap<Box<[u32]>, u32>,
    sizes: Vec<u64>,
    keys: Vec<Box<[u32]>>,
    /// Per sensitive attribute: (class << 32 | value id) -> records.
    pairs: Vec<FxHashMap<u64, u64>>,
    rows: u64,
}

impl TableBuilder {
    pub(crate) fn new(sensitive_attributes: usize) -> Self {
        TableBuilder {
            index: FxHashMap::default(),
            sizes: Vec::new(),
            keys: Vec::new(),
            pairs: (0..sensitive_attributes)
                .map(|_| FxHashMap::default())
                .collect(),
            rows: 0,
        }
    }

    /// Adds one record: its interned quasi-identifier values and sensitive
    /// value ids (one per attribute).
    pub(crate) fn add(&mut self, key: &[u32], sensitive: &[u32]) {
        let class = match self.index.get(key) {
            Some(&class) => class,
            None => {
                let class = self.keys.len() as u32;
                let boxed: Box<[u32]> = key.into();
                self.keys.push(boxed.clone());
                self.index.insert(boxed, class);
                self.sizes.push(0);
                class
            }
        };
        self.sizes[class as usize] += 1;
        for (pairs, &value) in self.pairs.iter_mut().zip(sensitive) {
            *pairs
                .entry(u64::from(class) << 32 | u64::from(value))
                .or_insert(0) += 1;
        }
        self.rows += 1;
    }

    /// The table. `ranks[a][id]` is the rank of value `id` of sensitive
    /// attribute `a`; `attributes` names them and carries their global
    /// counts by rank.
    pub(crate) fn finish(
        self,
        quasi_identifiers: Vec<String>,
        attributes: Vec<SensitiveAttribute>,
        ranks: &[Vec<u32>],
    ) -> ClassTable {
        drop(self.index);
        let mut sensitive: Vec<Vec<Vec<(u32, u64)>>> = self
            .pairs
            .iter()
            .map(|_| vec![Vec::new(); self.keys.len()])
            .collect();
        for (a, pairs) in self.pairs.into_iter().enumerate() {
            for (packed, count) in pairs {
                let class = (packed >> 32) as usize;
                let id = (packed & 0xFFFF_FFFF) as usize;
                let rank = ranks.get(a).and_then(|r| r.get(id)).copied().unwrap_or(0);
                sensitive[a][class].push((rank, count));
            }
        }
        let classes = self
            .keys
            .into_iter()
            .zip(self.sizes)
            .enumerate()
            .map(|(c, (key, size))| Class {
                key,
                size,
                sensitive: sensitive
                    .iter_mut()
                    .map(|per_class| {
                        let mut counts = std::mem::take(&mut per_class[c]);
                        counts.sort_unstable();
                        counts
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
