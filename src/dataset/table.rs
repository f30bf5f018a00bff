//! The equivalence-class table: one entry per distinct combination of
//! quasi-identifier values, with its size and, per sensitive attribute, how
//! many of its records hold each sensitive value.
//!
//! This is the whole state that k-anonymity, (α,k)-anonymity, l-diversity
//! and t-closeness need, built in one pass. Its memory grows with the number
//! of distinct quasi-identifier combinations (and of (class, sensitive value)
//! pairs), never with the number of rows.

use rustc_hash::FxHashMap;
use smallvec::SmallVec;

/// One equivalence class (its key is in [`ClassTable::key`]).
///
/// Held in place, without an allocation of its own while it has one
/// sensitive attribute holding at most two values: an extract of a million
/// rows has over half a million classes, most of one or two records, and
/// an allocation each was most of the cost of building the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    /// Records in the class.
    pub size: u64,
    /// Per sensitive attribute: the records holding each value, and those
    /// holding none.
    pub sensitive: SmallVec<[SensitiveCounts; 1]>,
}

/// The sensitive values of one attribute within one class.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SensitiveCounts {
    /// (rank of the value in the attribute's sorted distinct values,
    /// records holding it), sorted by rank.
    pub values: SmallVec<[(u32, u64); 2]>,
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
    /// Every class's interned quasi-identifier values, one per
    /// quasi-identifier column, class after class in the order of
    /// `classes`.
    pub keys: Vec<u32>,
    /// Records in all classes.
    pub rows: u64,
}

impl ClassTable {
    /// The interned quasi-identifier values of class `class`.
    pub fn key(&self, class: usize) -> &[u32] {
        let width = self.quasi_identifiers.len();
        self.keys
            .get(class * width..(class + 1) * width)
            .unwrap_or_default()
    }
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

/// The class indexes ordered by their ranked keys (`width` ranks a class
/// in `ranked`), when every rank fits its share of 64 bits: each key packed
/// into one integer, which orders as the key does (the same order as
/// comparing the ranks one by one, at the cost of one integer comparison).
fn sorted_packed(ranked: &[u32], width: usize, classes: usize) -> Option<Vec<usize>> {
    use rayon::slice::ParallelSliceMut;
    let bits = share(64, width);
    if width == 0 || width > 8 {
        return None;
    }
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(classes);
    for (class, key) in ranked.chunks(width).enumerate() {
        keyed.push((pack(key, bits)? as u64, class as u32));
    }
    // On every core: with a class for nearly every row, this sort is a
    // large part of judging. Keys are distinct, so an unstable sort is
    // exact.
    keyed.par_sort_unstable();
    Some(keyed.into_iter().map(|(_, class)| class as usize).collect())
}

/// The map from each of `keys` to its place; `None` as soon as a key is
/// (one that does not fit its packed bits).
fn numbered<K: std::hash::Hash + Eq>(
    keys: impl Iterator<Item = Option<K>>,
    classes: u32,
) -> Option<FxHashMap<K, u32>> {
    let mut map = FxHashMap::default();
    map.reserve(classes as usize);
    for (class, key) in keys.enumerate() {
        map.insert(key?, class as u32);
    }
    Some(map)
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

/// Rows a pass kept unclassed: their number, and per row its
/// quasi-identifier ids then its sensitive ids.
#[derive(Debug, Default)]
pub(crate) struct KeptRows {
    pub(crate) rows: u64,
    pub(crate) ids: Vec<u32>,
}

/// Rows whose classes are not yet counted, as a producer kept them: per
/// row, its quasi-identifier ids then its sensitive ids, in the
/// producer's own ids, which `quasi[column]` and `sensitive[attribute]`
/// map to the whole's (an id missing from a map stays as is).
#[derive(Debug)]
pub(crate) struct RowSource<'a> {
    pub(crate) rows: usize,
    pub(crate) ids: &'a [u32],
    pub(crate) quasi: &'a [Vec<u32>],
    pub(crate) sensitive: &'a [Vec<u32>],
}

impl<'a> RowSource<'a> {
    /// Rows a builder kept in its own ids (no map).
    pub(crate) fn own(kept: &'a KeptRows) -> Self {
        RowSource {
            rows: usize::try_from(kept.rows).unwrap_or(usize::MAX),
            ids: &kept.ids,
            quasi: &[],
            sensitive: &[],
        }
    }

    /// Adds to `builder` every row.
    pub(crate) fn add_all(&self, builder: &mut TableBuilder) {
        let (width, attributes) = (builder.width, builder.attributes);
        if width + attributes == 0 {
            // One class of every row.
            for _ in 0..self.rows {
                builder.add(&[], &[]);
            }
            return;
        }
        let mut row = Vec::with_capacity(width + attributes);
        for ids in self.ids.chunks_exact(width + attributes) {
            self.map_row(ids, width, &mut row);
            builder.add(&row[..width], &row[width..]);
        }
    }

    /// The row `ids` in the whole's ids, into `row`.
    fn map_row(&self, ids: &[u32], width: usize, row: &mut Vec<u32>) {
        row.clear();
        let (quasi, sensitive) = ids.split_at(width.min(ids.len()));
        row.extend(
            quasi
                .iter()
                .enumerate()
                .map(|(q, &id)| mapped(self.quasi, q, id)),
        );
        row.extend(
            sensitive
                .iter()
                .enumerate()
                .map(|(a, &id)| mapped(self.sensitive, a, id)),
        );
    }

    /// Appends to `buckets[b]` each row (in the whole's ids) whose mapped
    /// key falls in bucket `b` of `partition`: the key's hash scaled to
    /// every bucket of every partition, of which a partition has
    /// `buckets.len()`.
    fn scatter_partition(
        &self,
        width: usize,
        attributes: usize,
        partition: usize,
        partitions: usize,
        buckets: &mut [Vec<u32>],
    ) {
        let per_partition = buckets.len().max(1);
        let mut row = Vec::with_capacity(width + attributes);
        for ids in self.ids.chunks_exact(width + attributes) {
            self.map_row(ids, width, &mut row);
            let at = partition_of(&row[..width], partitions * per_partition);
            if at / per_partition == partition
                && let Some(bucket) = buckets.get_mut(at % per_partition)
            {
                bucket.extend_from_slice(&row);
            }
        }
    }
}

/// How many buckets a partition of `rows` rows is classed in by
/// [`TableBuilder::from_rows`]: enough that one bucket's classes (at most
/// one a row, about [`ROWS_A_BUCKET`] rows a bucket) keep the index in a
/// core's cache.
fn buckets_for(rows: usize, rows_a_bucket: usize) -> usize {
    (rows / rows_a_bucket.max(1)).clamp(1, BUCKETS_AT_MOST)
}

/// Rows a bucket of [`TableBuilder::from_rows`] holds, about.
const ROWS_A_BUCKET: usize = 1 << 15;

/// The most buckets a partition is classed in.
const BUCKETS_AT_MOST: usize = 1 << 10;

/// Id `id` of column `at` as `maps[at]` maps it (as is when the map does
/// not hold it).
fn mapped(maps: &[Vec<u32>], at: usize, id: u32) -> u32 {
    maps.get(at)
        .and_then(|m| m.get(id as usize))
        .copied()
        .unwrap_or(id)
}

/// The partition of `partitions` a key falls in: a mix of its ids
/// (SplitMix64's finaliser), scaled to the partitions.
fn partition_of(key: &[u32], partitions: usize) -> usize {
    if partitions <= 1 {
        return 0;
    }
    let mut hash = 0u64;
    for &id in key {
        hash = (hash ^ u64::from(id)).wrapping_add(0x9e37_79b9_7f4a_7c15);
        hash = (hash ^ (hash >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        hash = (hash ^ (hash >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        hash ^= hash >> 31;
    }
    ((u128::from(hash) * partitions as u128) >> 64) as usize
}

/// Builds a [`ClassTable`] one record at a time.
#[derive(Debug)]
pub(crate) struct TableBuilder {
    /// `None` before the first lookup and once classes were appended
    /// without it (partitions of disjoint classes,
    /// [`TableBuilder::from_rows`]); made from the keys when a class is
    /// next looked up. Judging never needs it.
    index: Option<Index>,
    width: usize,
    /// Classes met.
    classes: u32,
    /// Records per class, kept only without sensitive attributes: with
    /// one, a class's size is the sum of its first attribute's counts
    /// (every record holds one value of each, a missing one included), and
    /// not keeping it spares a memory access a record.
    sizes: Vec<u64>,
    /// Every class's key, `width` ids each, in class order.
    keys: Vec<u32>,
    /// Per class, then per sensitive attribute (`attributes` a class, in
    /// one contiguous vector): records per value id.
    counts: Vec<ValueCounts>,
    attributes: usize,
    /// Records of this builder and of those appended to it.
    rows: u64,
    /// Builders of classes none of the others holds, appended after this
    /// one's ([`TableBuilder::from_rows`]) and kept apart, so that
    /// appending copies nothing: finishing reads them in place, and the
    /// first lookup moves them in ([`TableBuilder::take_in_appended`]).
    /// Never holds a builder with appended builders of its own.
    appended: Vec<TableBuilder>,
}

/// Records per sensitive value within one class: the first few values
/// in place, in one cache line (no allocation, and one memory access a
/// record: most classes of an extract hold a few records), a list once
/// the class holds more distinct values (or a count outgrows 32 bits), a
/// map beyond.
#[derive(Debug, Clone)]
enum ValueCounts {
    Inline {
        len: u8,
        items: [(u32, u32); INLINE],
    },
    Few(Vec<(u32, u64)>),
    Many(Box<FxHashMap<u32, u64>>),
}

/// Distinct values a class keeps in place.
const INLINE: usize = 7;

/// Distinct values a class keeps in a list before it switches to a map.
const FEW: usize = 32;

/// The most classes a builder makes room for ahead of them, whatever the
/// rows announced (more rows than classes is the rule, so the room is an
/// upper bound): growing a table of a million classes by doubling copies
/// it and touches fresh memory at every step, which was a fifth of
/// summarising a million rows. Room in a vector is address space until a
/// class fills it; the index is not reserved, since a hash table touches
/// its empty room when it is made (reserving it cost 25 MiB of memory on
/// a million rows of a dozen classes).
const RESERVED_AT_MOST: usize = 1 << 20;

impl ValueCounts {
    const EMPTY: ValueCounts = ValueCounts::Inline {
        len: 0,
        items: [(0, 0); INLINE],
    };

    fn add(&mut self, value: u32) {
        self.add_n(value, 1);
    }

    fn add_n(&mut self, value: u32, records: u64) {
        match self {
            ValueCounts::Inline { len, items } => {
                let used = usize::from(*len);
                let at = items[..used].iter().position(|(v, _)| *v == value);
                let fits = |n: u64| u32::try_from(n).ok();
                match at {
                    Some(at) => {
                        if let Some(n) = fits(u64::from(items[at].1) + records) {
                            items[at].1 = n;
                            return;
                        }
                    }
                    None if used < INLINE => {
                        if let Some(n) = fits(records) {
                            items[used] = (value, n);
                            *len += 1;
                            return;
                        }
                    }
                    None => {}
                }
                let list = items[..used]
                    .iter()
                    .map(|&(v, n)| (v, u64::from(n)))
                    .collect();
                *self = ValueCounts::Few(list);
                self.add_n(value, records);
            }
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

    /// Records of every value.
    fn records(&self) -> u64 {
        match self {
            ValueCounts::Inline { len, items } => items[..usize::from(*len)]
                .iter()
                .map(|&(_, n)| u64::from(n))
                .sum(),
            ValueCounts::Few(list) => list.iter().map(|&(_, n)| n).sum(),
            ValueCounts::Many(map) => map.values().sum(),
        }
    }

    /// Hands every (value id, records) to `each`, in no particular order.
    fn for_each(self, mut each: impl FnMut(u32, u64)) {
        match self {
            ValueCounts::Inline { len, items } => items[..usize::from(len)]
                .iter()
                .for_each(|&(v, n)| each(v, u64::from(n))),
            ValueCounts::Few(list) => list.into_iter().for_each(|(v, n)| each(v, n)),
            ValueCounts::Many(map) => map.into_iter().for_each(|(v, n)| each(v, n)),
        }
    }

    /// (rank, records) sorted by rank, the records of an [`UNRANKED`]
    /// value apart.
    fn ranked(&self, ranks: Option<&Vec<u32>>) -> SensitiveCounts {
        let rank = |id: u32| ranks.and_then(|r| r.get(id as usize)).copied().unwrap_or(0);
        let mut values: SmallVec<[(u32, u64); 2]> = match self {
            ValueCounts::Inline { len, items } => items[..usize::from(*len)]
                .iter()
                .map(|&(id, n)| (rank(id), u64::from(n)))
                .collect(),
            ValueCounts::Few(list) => list.iter().map(|&(id, n)| (rank(id), n)).collect(),
            ValueCounts::Many(map) => map.iter().map(|(&id, &n)| (rank(id), n)).collect(),
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
        TableBuilder {
            // Made at the first lookup, as for appended classes.
            index: None,
            width: quasi_identifiers,
            classes: 0,
            sizes: Vec::new(),
            keys: Vec::new(),
            counts: Vec::new(),
            attributes: sensitive_attributes,
            rows: 0,
            appended: Vec::new(),
        }
    }

    /// Makes room for `classes` more classes (at most
    /// [`RESERVED_AT_MOST`]), when a producer knows how many rows are
    /// coming, or a merge how many classes.
    pub(crate) fn reserve(&mut self, classes: u64) {
        let classes = usize::try_from(classes)
            .unwrap_or(usize::MAX)
            .min(RESERVED_AT_MOST);
        self.keys.reserve(classes * self.width);
        self.counts.reserve(classes * self.attributes);
        if self.attributes == 0 {
            self.sizes.reserve(classes);
        }
    }

    /// Adds one record: its interned quasi-identifier values and sensitive
    /// value ids (one per attribute).
    pub(crate) fn add(&mut self, key: &[u32], sensitive: &[u32]) {
        let class = self.class_of(key) as usize;
        if self.attributes == 0 {
            self.sizes[class] += 1;
        }
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
        if self.attributes == 0 {
            self.sizes[class] += records;
        }
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
        let mut other = other;
        other.take_in_appended();
        let width = other.width;
        let attributes = other.attributes;
        self.reserve(u64::from(other.classes));
        let mut key = Vec::with_capacity(width);
        let mut counts = other.counts.into_iter();
        let mut sizes = other.sizes.into_iter();
        for c in 0..other.classes as usize {
            key.clear();
            let ids = other
                .keys
                .get(c * width..(c + 1) * width)
                .unwrap_or_default();
            key.extend(ids.iter().enumerate().map(|(q, &id)| mapped(quasi, q, id)));
            let class = self.class_of(&key) as usize;
            if let (0, Some(size)) = (self.attributes, sizes.next()) {
                self.sizes[class] += size;
            }
            for (a, values) in counts.by_ref().take(attributes).enumerate() {
                let mine = &mut self.counts[class * self.attributes + a];
                values.for_each(|id, records| mine.add_n(mapped(sensitive, a, id), records));
            }
        }
        self.rows += other.rows;
    }

    /// The builder of every row of `sources`, its classes counted on
    /// `partitions` threads at once: each thread takes the rows whose
    /// key falls in its partition (by a hash of the key), so that no two
    /// build the same class and the partitions' classes are appended
    /// without a merge. Within a partition the rows are first sorted into
    /// buckets by the same hash and classed bucket by bucket
    /// ([`TableBuilder::add_buckets`]), so that the index only holds one
    /// bucket's classes and stays in cache. The same classes as adding
    /// every row to one builder, in another order (judging orders them).
    pub(crate) fn from_rows(
        quasi_identifiers: usize,
        sensitive_attributes: usize,
        sources: &[RowSource<'_>],
        partitions: usize,
    ) -> TableBuilder {
        Self::from_rows_in_buckets(
            quasi_identifiers,
            sensitive_attributes,
            sources,
            partitions,
            ROWS_A_BUCKET,
        )
    }

    /// [`TableBuilder::from_rows`], with about `rows_a_bucket` rows a
    /// bucket.
    fn from_rows_in_buckets(
        quasi_identifiers: usize,
        sensitive_attributes: usize,
        sources: &[RowSource<'_>],
        partitions: usize,
        rows_a_bucket: usize,
    ) -> TableBuilder {
        use rayon::prelude::*;
        let partitions = partitions.max(1);
        let rows: usize = sources.iter().map(|s| s.rows).sum();
        let mut parts: Vec<TableBuilder> = (0..partitions)
            .into_par_iter()
            .map(|partition| {
                let mut builder = TableBuilder::new(quasi_identifiers, sensitive_attributes);
                // The first partition takes the others' classes in if a
                // lookup follows (room is address space until used).
                builder.reserve(if partition == 0 {
                    rows
                } else {
                    rows / partitions
                } as u64);
                if quasi_identifiers + sensitive_attributes == 0 {
                    // One class of every row, in the first partition.
                    if partition == 0 {
                        sources.iter().for_each(|s| s.add_all(&mut builder));
                    }
                    return builder;
                }
                let stride = quasi_identifiers + sensitive_attributes;
                let mine = rows / partitions;
                let mut buckets: Vec<Vec<u32>> = (0..buckets_for(mine, rows_a_bucket))
                    .map(|_| Vec::new())
                    .collect();
                let room = (mine / buckets.len() + mine / buckets.len() / 8 + 1) * stride;
                buckets.iter_mut().for_each(|b| b.reserve(room));
                for source in sources {
                    source.scatter_partition(
                        quasi_identifiers,
                        sensitive_attributes,
                        partition,
                        partitions,
                        &mut buckets,
                    );
                }
                builder.add_buckets(buckets);
                builder
            })
            .collect();
        let mut whole = parts.remove(0);
        for part in parts {
            whole.append_disjoint(part);
        }
        whole
    }

    /// Adds the rows of each bucket (each row its key's ids, then its
    /// sensitive ids) when no two buckets, and no bucket and the classes
    /// met before, share a class: the index is emptied before each bucket
    /// (its room kept), so it only ever holds one bucket's classes and
    /// stays in cache, and each bucket's rows are freed once added. The
    /// index is rebuilt from every class at the next lookup.
    fn add_buckets(&mut self, buckets: Vec<Vec<u32>>) {
        let (width, stride) = (self.width, self.width + self.attributes);
        for bucket in buckets {
            match &mut self.index {
                Some(Index::Packed64 { map, .. }) => map.clear(),
                Some(Index::Packed128 { map, .. }) => map.clear(),
                Some(Index::Boxed(map)) => map.clear(),
                None => {}
            }
            for row in bucket.chunks_exact(stride.max(1)) {
                self.add(&row[..width], &row[width..]);
            }
        }
        // It holds the last bucket's classes only.
        self.index = None;
    }

    /// Records added.
    pub(crate) fn rows(&self) -> u64 {
        self.rows
    }

    /// Appends the classes of `other`, none of which this builder has,
    /// without copying them: the index is rebuilt when next needed.
    fn append_disjoint(&mut self, mut other: TableBuilder) {
        self.index = None;
        self.rows += other.rows;
        let nested = std::mem::take(&mut other.appended);
        self.appended.push(other);
        self.appended.extend(nested);
    }

    /// Moves the classes of the appended builders into this one's, in
    /// order: before a lookup, which numbers classes in one sequence.
    fn take_in_appended(&mut self) {
        let more: usize = self.appended.iter().map(|a| a.classes as usize).sum();
        self.keys.reserve(more * self.width);
        self.counts.reserve(more * self.attributes);
        if self.attributes == 0 {
            self.sizes.reserve(more);
        }
        for other in std::mem::take(&mut self.appended) {
            self.index = None;
            self.keys.extend_from_slice(&other.keys);
            self.counts.extend(other.counts);
            self.sizes.extend_from_slice(&other.sizes);
            self.classes += other.classes;
        }
    }

    fn class_of(&mut self, key: &[u32]) -> u32 {
        if self.index.is_none() {
            self.take_in_appended();
            self.index = Some(self.index_of_keys());
        }
        let next = self.classes;
        if let Some(Index::Packed64 { map, bits }) = &mut self.index {
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
        if let Some(Index::Packed128 { map, bits }) = &mut self.index {
            if let Some(packed) = pack(key, *bits) {
                let class = *map.entry(packed).or_insert(next);
                if class == next {
                    self.new_class(key);
                }
                return class;
            }
            self.unpack();
        }
        let Some(Index::Boxed(map)) = &mut self.index else {
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
        self.classes += 1;
        if self.attributes == 0 {
            self.sizes.push(0);
        }
        self.counts
            .extend((0..self.attributes).map(|_| ValueCounts::EMPTY));
    }

    /// Switches from 64 to 128 packed bits, once an id outgrows its share
    /// of 64 (every class met so far fits the larger share).
    fn widen(&mut self) {
        self.index = self.packed_index(128).or_else(|| Some(self.boxed_index()));
    }

    /// Switches to boxed keys, once an id outgrows its packed bits.
    fn unpack(&mut self) {
        self.index = Some(self.boxed_index());
    }

    /// The index of the classes met, packed as tightly as their keys allow:
    /// 64 bits for up to 8 quasi-identifiers whose ids fit their share,
    /// 128 for up to 16, boxed keys beyond.
    fn index_of_keys(&self) -> Index {
        [64, 128]
            .into_iter()
            .filter(|&total| self.width <= total as usize / 8)
            .find_map(|total| self.packed_index(total))
            .unwrap_or_else(|| self.boxed_index())
    }

    /// Every class's key packed into `total` (64 or 128) bits, `None` when
    /// one does not fit.
    fn packed_index(&self, total: u32) -> Option<Index> {
        let bits = share(total, self.width);
        let packed = self.class_keys().map(|key| pack(key, bits));
        Some(match total {
            64 => Index::Packed64 {
                // `width` shares of `bits` fit 64 bits: nothing is cut.
                map: numbered(packed.map(|key| key.map(|k| k as u64)), self.classes)?,
                bits,
            },
            _ => Index::Packed128 {
                map: numbered(packed, self.classes)?,
                bits,
            },
        })
    }

    /// Every class's key, boxed.
    fn boxed_index(&self) -> Index {
        let boxed = self.class_keys().map(|key| Some(Box::<[u32]>::from(key)));
        Index::Boxed(numbered(boxed, self.classes).unwrap_or_default())
    }

    /// Each class's key, in class order (empty keys without
    /// quasi-identifiers).
    fn class_keys(&self) -> impl Iterator<Item = &[u32]> {
        let width = self.width;
        (0..self.classes as usize).map(move |c| {
            self.keys
                .get(c * width..(c + 1) * width)
                .unwrap_or_default()
        })
    }

    /// This builder and those appended to it, in class order.
    fn segments(&self) -> impl Iterator<Item = &TableBuilder> {
        std::iter::once(self).chain(&self.appended)
    }

    /// Classes of this builder and of those appended to it.
    fn all_classes(&self) -> usize {
        self.segments().map(|s| s.classes as usize).sum()
    }

    /// The class indexes (numbered through the appended builders, in
    /// order) ordered by the ranks of their values
    /// (`quasi_ranks[column][id]`; an id without a rank by itself).
    fn sorted_classes(&self, quasi_ranks: &[Vec<u32>]) -> Vec<usize> {
        let width = self.width.max(1);
        let classes = self.all_classes();
        let ranked: Vec<u32> = self
            .segments()
            .flat_map(|s| &s.keys)
            .enumerate()
            .map(|(i, &id)| {
                quasi_ranks
                    .get(i % width)
                    .and_then(|r| r.get(id as usize))
                    .copied()
                    .unwrap_or(id)
            })
            .collect();
        if let Some(order) = sorted_packed(&ranked, self.width, classes) {
            return order;
        }
        let mut order: Vec<usize> = (0..classes).collect();
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
        use rayon::prelude::*;
        let order = self.sorted_classes(quasi_ranks);
        let mut this = self;
        this.index = None;
        let width = this.width;
        let per_class = this.attributes;
        let segments = Segments::of(&this);
        // Gathered on every core: with a class for nearly every row, each
        // class read is a cache miss.
        let mut keys = vec![0; order.len() * width];
        if width > 0 {
            keys.par_chunks_mut(width)
                .zip(order.par_iter())
                .for_each(|(key, &c)| {
                    let (part, c) = segments.locate(c);
                    key.copy_from_slice(&part.keys[c * width..(c + 1) * width]);
                });
        }
        // Built in sorted order, so that the classes lie in the order the
        // metrics walk them.
        let classes: Vec<Class> = order
            .into_par_iter()
            .map(|c| {
                let (part, c) = segments.locate(c);
                let counts = &part.counts[c * per_class..(c + 1) * per_class];
                Class {
                    size: match counts.first() {
                        None => part.sizes.get(c).copied().unwrap_or(0),
                        Some(first) => first.records(),
                    },
                    sensitive: counts
                        .iter()
                        .enumerate()
                        .map(|(a, values)| values.ranked(ranks.get(a)))
                        .collect(),
                }
            })
            .collect();
        ClassTable {
            quasi_identifiers,
            sensitive: attributes,
            classes,
            keys,
            rows: this.rows,
        }
    }
}

/// A builder and those appended to it, read in place: where each class
/// (numbered through them, in order) lies.
struct Segments<'a> {
    parts: Vec<&'a TableBuilder>,
    /// The number of each part's first class.
    starts: Vec<usize>,
}

impl<'a> Segments<'a> {
    fn of(builder: &'a TableBuilder) -> Self {
        let parts: Vec<&TableBuilder> = builder.segments().collect();
        let starts = parts
            .iter()
            .scan(0, |next, part| {
                let start = *next;
                *next += part.classes as usize;
                Some(start)
            })
            .collect();
        Segments { parts, starts }
    }

    /// The builder holding class `class`, and the class's number there.
    fn locate(&self, class: usize) -> (&'a TableBuilder, usize) {
        // The last part starting at or before `class`: empty parts share
        // their start with the part after them.
        let at = self
            .starts
            .partition_point(|&s| s <= class)
            .saturating_sub(1);
        (self.parts[at], class - self.starts[at])
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
        assert_eq!(table.key(2), &[u32::MAX, 0]);
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

    /// Ids that outgrow their share of 64 bits, then of 128, move the
    /// index to wider keys; the classes met before are found again.
    #[test]
    fn ids_outgrowing_packed_bits_keep_every_class() {
        let mut builder = TableBuilder::new(5, 1);
        let keys: [[u32; 5]; 4] = [
            [1, 2, 3, 4, 5],
            [1, 2, 3, 4, 5000],
            [1, 2, 3, 4, 1 << 26],
            [0, 0, 0, 0, 0],
        ];
        for round in 0..3u32 {
            for key in &keys {
                builder.add(key, &[round]);
            }
        }
        let names = (0..5).map(|q| format!("q{q}")).collect();
        let table = builder.finish(names, Vec::new(), &[], &[]);
        let found: Vec<(Vec<u32>, u64, usize)> = table
            .classes
            .iter()
            .enumerate()
            .map(|(i, c)| (table.key(i).to_vec(), c.size, c.sensitive[0].values.len()))
            .collect();
        // Without ranks, classes are ordered by their ids.
        let expected: Vec<(Vec<u32>, u64, usize)> = [keys[3], keys[0], keys[1], keys[2]]
            .iter()
            .map(|key| (key.to_vec(), 3, 3))
            .collect();
        assert_eq!(found, expected);
    }

    /// Two partitions sharing classes, merged (ids mapped), then more
    /// records added, among them one of a class only the merged partition
    /// had: the table of one builder fed every record, with or without
    /// sensitive attributes and quasi-identifiers.
    #[test]
    fn a_merged_builder_gives_the_table_of_one_pass() {
        // (key, sensitive value) in the first partition's ids.
        let first: &[([u32; 2], u32)] = &[([0, 0], 0), ([0, 1], 1), ([1, 1], 0), ([0, 0], 1)];
        // The second partition interned its values in another order: its
        // quasi id `i` of column 0 is `swap[i]`, its sensitive id `j` is
        // `1 - j`.
        let second: &[([u32; 2], u32)] = &[([1, 0], 0), ([0, 1], 1), ([1, 1], 0), ([1, 0], 1)];
        let later: &[([u32; 2], u32)] = &[([0, 1], 1), ([0, 0], 0), ([1, 1], 1)];
        let quasi_map = [vec![1, 0], vec![0, 1]];
        let sensitive_map = [vec![1, 0]];
        let in_first_ids =
            |(key, value): ([u32; 2], u32)| ([quasi_map[0][key[0] as usize], key[1]], 1 - value);
        for (width, attributes) in [(2, 1), (2, 0), (0, 1), (0, 0)] {
            let feed = |builder: &mut TableBuilder, rows: &[([u32; 2], u32)]| {
                for (key, value) in rows {
                    builder.add(&key[..width], &[*value][..attributes]);
                }
            };
            let mut merged = TableBuilder::new(width, attributes);
            feed(&mut merged, first);
            let mut other = TableBuilder::new(width, attributes);
            feed(&mut other, second);
            merged.merge(other, &quasi_map[..width], &sensitive_map[..attributes]);
            feed(&mut merged, later);

            let mut one = TableBuilder::new(width, attributes);
            feed(&mut one, first);
            let translated: Vec<([u32; 2], u32)> =
                second.iter().map(|&r| in_first_ids(r)).collect();
            feed(&mut one, &translated);
            feed(&mut one, later);

            let names: Vec<String> = (0..width).map(|q| format!("q{q}")).collect();
            let finish = |b: TableBuilder| b.finish(names.clone(), Vec::new(), &[], &[]);
            let (merged, one) = (finish(merged), finish(one));
            assert_eq!(
                merged, one,
                "{width} quasi-identifiers, {attributes} attributes"
            );
            assert_eq!(merged.rows, 11);
        }
    }

    /// Rows kept by two partitions (the second in its own ids) and
    /// classed on one to four partitions, then more records added (the
    /// index rebuilt from the appended classes, packed in 64 or 128 bits
    /// or boxed as the ids require): the table of one builder fed every
    /// record, with or without quasi-identifiers and sensitive attributes.
    #[test]
    fn rows_classed_in_partitions_give_the_table_of_one_builder() {
        // The second partition's quasi id `i` of column 0 is `swap[i]`,
        // its sensitive id `j` is `1 - j`; ids 2 and beyond are the same
        // in both, among them ids too wide for 64 or 128 packed bits.
        let wide = [0, 1, 1 << 14, 1 << 26, u32::MAX];
        let quasi_map = [vec![1, 0], vec![0, 1], vec![0, 1], vec![0, 1], vec![0, 1]];
        let sensitive_map = [vec![1, 0]];
        let mut first = Vec::new();
        let mut second = Vec::new();
        for row in 0u32..40 {
            let key: [u32; 5] = std::array::from_fn(|q| row.pow(q as u32 + 1) % 3);
            first.push((key, row % 2));
            second.push((key, (row / 3) % 2));
        }
        let in_first_ids = |(key, value): ([u32; 5], u32)| {
            let mut key = key;
            key[0] = quasi_map[0].get(key[0] as usize).copied().unwrap_or(key[0]);
            (
                key,
                sensitive_map[0]
                    .get(value as usize)
                    .copied()
                    .unwrap_or(value),
            )
        };
        for (width, attributes) in [(5, 1), (2, 1), (2, 0), (0, 1), (0, 0)] {
            for later_id in wide {
                let later: Vec<([u32; 5], u32)> = vec![
                    ([0, 1, 2, 0, later_id], 1),
                    ([0, 0, 0, 0, 0], 0),
                    ([0, 1, 2, 0, later_id], 0),
                ];
                let ids = |rows: &[([u32; 5], u32)]| -> Vec<u32> {
                    rows.iter()
                        .flat_map(|(key, value)| {
                            key[..width]
                                .iter()
                                .copied()
                                .chain([*value].into_iter().take(attributes))
                        })
                        .collect()
                };
                let (first_ids, second_ids) = (ids(&first), ids(&second));
                let sources = [
                    RowSource {
                        rows: first.len(),
                        ids: &first_ids,
                        quasi: &[],
                        sensitive: &[],
                    },
                    RowSource {
                        rows: second.len(),
                        ids: &second_ids,
                        quasi: &quasi_map[..width],
                        sensitive: &sensitive_map[..attributes],
                    },
                ];
                let feed = |builder: &mut TableBuilder, rows: &[([u32; 5], u32)]| {
                    for (key, value) in rows {
                        builder.add(&key[..width], &[*value][..attributes]);
                    }
                };
                let mut one = TableBuilder::new(width, attributes);
                feed(&mut one, &first);
                let translated: Vec<([u32; 5], u32)> =
                    second.iter().map(|&r| in_first_ids(r)).collect();
                feed(&mut one, &translated);
                let names: Vec<String> = (0..width).map(|q| format!("q{q}")).collect();
                let mut kept_only = TableBuilder::new(width, attributes);
                feed(&mut kept_only, &first);
                feed(&mut kept_only, &translated);
                let kept_only = kept_only.finish(names.clone(), Vec::new(), &[], &[]);
                feed(&mut one, &later);
                let one = one.finish(names.clone(), Vec::new(), &[], &[]);
                for (partitions, rows_a_bucket) in
                    (1..=4).flat_map(|p| [(p, 1), (p, 7), (p, ROWS_A_BUCKET)])
                {
                    let from_rows = || {
                        TableBuilder::from_rows_in_buckets(
                            width,
                            attributes,
                            &sources,
                            partitions,
                            rows_a_bucket,
                        )
                    };
                    // Finished as classed: the appended partitions read in
                    // place.
                    let classed = from_rows().finish(names.clone(), Vec::new(), &[], &[]);
                    assert_eq!(
                        classed, kept_only,
                        "{width} quasi-identifiers, {attributes} attributes, {partitions} partitions, {rows_a_bucket} rows a bucket, finished as classed"
                    );
                    let mut classed = from_rows();
                    feed(&mut classed, &later);
                    let classed = classed.finish(names.clone(), Vec::new(), &[], &[]);
                    assert_eq!(
                        classed, one,
                        "{width} quasi-identifiers, {attributes} attributes, {partitions} partitions, {rows_a_bucket} rows a bucket, a later id {later_id}"
                    );
                    assert_eq!(classed.rows, 83);
                }
            }
        }
    }

    /// Keys spread over partitions: none is empty, and none holds more
    /// than twice its share.
    #[test]
    fn keys_spread_over_every_partition() {
        for partitions in 2..=8 {
            let mut sizes = vec![0usize; partitions];
            for a in 0u32..100 {
                for b in 0u32..100 {
                    sizes[partition_of(&[a, b, 7], partitions)] += 1;
                }
            }
            let share = 10_000 / partitions;
            assert!(
                sizes.iter().all(|&n| n > share / 2 && n < share * 2),
                "{partitions} partitions: {sizes:?}"
            );
        }
    }

    /// Values in place, then in a list, then in a map, and counts beyond
    /// 32 bits: the same records per value whatever the representation.
    #[test]
    fn value_counts_keep_every_record_across_representations() {
        let mut counts = ValueCounts::EMPTY;
        let mut model = std::collections::BTreeMap::new();
        let mut add = |counts: &mut ValueCounts, value: u32, records: u64| {
            counts.add_n(value, records);
            *model.entry(value).or_insert(0u64) += records;
        };
        add(&mut counts, 3, 1);
        add(&mut counts, 3, u64::from(u32::MAX));
        assert!(
            matches!(counts, ValueCounts::Few(_)),
            "a count beyond 32 bits"
        );
        let mut inline = ValueCounts::EMPTY;
        for value in 0..INLINE as u32 {
            inline.add(value);
        }
        assert!(matches!(inline, ValueCounts::Inline { .. }));
        inline.add(INLINE as u32);
        assert!(
            matches!(inline, ValueCounts::Few(_)),
            "more values than in place"
        );
        for value in 0..40 {
            add(&mut counts, value % 37, u64::from(value) + 1);
        }
        assert!(matches!(counts, ValueCounts::Many(_)));
        assert_eq!(counts.records(), model.values().sum::<u64>());
        let identity: Vec<u32> = (0..40).collect();
        let ranked = counts.ranked(Some(&identity));
        let expected: Vec<(u32, u64)> = model.into_iter().collect();
        assert_eq!(ranked.values.as_slice(), expected.as_slice());
    }
}
