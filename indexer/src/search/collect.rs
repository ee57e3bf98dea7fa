//! The collectors: the exact number of matches with the top hits after a cursor position, in one
//! pass; and the facet counts.

use std::{
    cmp::Ordering,
    collections::{BTreeMap, BinaryHeap, HashMap},
};

use tantivy::{
    DocAddress, DocId, Score, SegmentOrdinal, SegmentReader,
    collector::{Collector, SegmentCollector},
    columnar::{Column, StrColumn},
    query::Weight,
};

use super::{FACET_VALUES, FacetCount, Sort};
use crate::index::FACETS;

/// A hit in the making: primary sort value (higher first), then key hash (lower first).
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry {
    /// Score (relevance) or day number (date order, negated for oldest first).
    pub(super) primary: f64,
    /// Hash of the document's key, the tie-breaker.
    pub(super) key: u64,
    pub(super) address: DocAddress,
}

impl Entry {
    /// Whether `self` comes before `other` in the result order.
    fn before(&self, primary: f64, key: u64) -> bool {
        match self.primary.total_cmp(&primary) {
            Ordering::Greater => true,
            Ordering::Less => false,
            Ordering::Equal => self.key < key,
        }
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Greater = later in the result order, so a max-heap keeps the worst kept hit on top.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .primary
            .total_cmp(&self.primary)
            .then(self.key.cmp(&other.key))
    }
}

/// The number of matches, and the top `limit` hits strictly after a cursor position.
pub(super) struct TopAfter {
    /// Hits to keep.
    pub(super) limit: usize,
    pub(super) sort: Sort,
    /// The cursor's position: hits strictly after it.
    pub(super) after: Option<(f64, u64)>,
}

pub(super) struct TopAfterSegment {
    limit: usize,
    sort: Sort,
    after: Option<(f64, u64)>,
    segment: SegmentOrdinal,
    keys: Column<u64>,
    days: Column<i64>,
    heap: BinaryHeap<Entry>,
    count: u64,
}

impl TopAfterSegment {
    /// Offers a document to the page.
    fn offer(&mut self, doc: DocId, score: Score) {
        let primary = match self.sort {
            Sort::Relevance => f64::from(score),
            Sort::DateDesc => self.days.first(doc).map_or(f64::NEG_INFINITY, |d| d as f64),
            Sort::DateAsc => self
                .days
                .first(doc)
                .map_or(f64::NEG_INFINITY, |d| -(d as f64)),
        };
        let key = self.keys.first(doc).unwrap_or(0);
        let entry = Entry {
            primary,
            key,
            address: DocAddress::new(self.segment, doc),
        };
        let admissible = match self.after {
            Some((p, k)) => match entry.primary.total_cmp(&p) {
                Ordering::Less => true,
                Ordering::Greater => false,
                Ordering::Equal => entry.key > k,
            },
            None => true,
        };
        if admissible {
            if self.heap.len() < self.limit {
                self.heap.push(entry);
            } else if let Some(worst) = self.heap.peek()
                && entry.before(worst.primary, worst.key)
            {
                self.heap.pop();
                self.heap.push(entry);
            }
        }
    }
}

impl SegmentCollector for TopAfterSegment {
    type Fruit = (u64, Vec<Entry>);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.count += 1;
        self.offer(doc, score);
    }

    fn harvest(self) -> (u64, Vec<Entry>) {
        (self.count, self.heap.into_vec())
    }
}

impl Collector for TopAfter {
    type Fruit = (u64, Vec<Entry>);
    type Child = TopAfterSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<TopAfterSegment> {
        Ok(TopAfterSegment {
            limit: self.limit,
            sort: self.sort,
            after: self.after,
            segment,
            keys: reader.fast_fields().u64("key_hash")?,
            days: reader.fast_fields().i64("day")?,
            heap: BinaryHeap::with_capacity(self.limit + 1),
            count: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<(u64, Vec<Entry>)>) -> tantivy::Result<(u64, Vec<Entry>)> {
        let total = fruits.iter().map(|(count, _)| count).sum();
        let mut all: Vec<Entry> = fruits.into_iter().flat_map(|(_, hits)| hits).collect();
        all.sort();
        all.truncate(self.limit);
        Ok((total, all))
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment_ord: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<(u64, Vec<Entry>)> {
        let mut child = self.for_segment(segment_ord, reader)?;
        let alive = reader.alive_bitset();
        // Every match is visited (the total is exact), so there is no pruning to gain.
        match self.sort {
            Sort::Relevance => weight.for_each(reader, &mut |doc, score| {
                if !alive.is_some_and(|a| a.is_deleted(doc)) {
                    child.collect(doc, score);
                }
            })?,
            _ => weight.for_each_no_score(reader, &mut |docs| {
                for &doc in docs {
                    if !alive.is_some_and(|a| a.is_deleted(doc)) {
                        child.collect(doc, 0.0);
                    }
                }
            })?,
        }
        Ok(child.harvest())
    }
}

/// Counts matching documents per value of every facet field, and per year of their date
/// (`year`, newest first, every year; the other facets by count, the first [`FACET_VALUES`]).
pub(super) struct FacetCollector;

pub(super) struct FacetSegment {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u64>>,
    day: Option<Column<i64>>,
    days: HashMap<i64, u64>,
}

/// Counts per value of each facet of [`FACETS`], then the counts per day.
type SegmentCounts = (Vec<HashMap<String, u64>>, HashMap<i64, u64>);

impl SegmentCollector for FacetSegment {
    type Fruit = SegmentCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(column) = column {
                for ord in column.term_ords(doc) {
                    if let Some(slot) = counts.get_mut(ord as usize) {
                        *slot += 1;
                    }
                }
            }
        }
        if let Some(day) = self.day.as_ref().and_then(|c| c.first(doc)) {
            *self.days.entry(day).or_default() += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        let mut out = Vec::with_capacity(self.columns.len());
        let mut buffer = String::new();
        for (column, counts) in self.columns.iter().zip(self.counts) {
            let mut values = HashMap::new();
            if let Some(column) = column {
                for (ord, count) in counts.into_iter().enumerate() {
                    if count > 0 && column.ord_to_str(ord as u64, &mut buffer).unwrap_or(false) {
                        values.insert(buffer.clone(), count);
                    }
                }
            }
            out.push(values);
        }
        (out, self.days)
    }
}

/// The facet name of the year counts.
pub(super) const YEAR: &str = "year";

impl Collector for FacetCollector {
    type Fruit = BTreeMap<String, Vec<FacetCount>>;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let mut columns = Vec::with_capacity(FACETS.len());
        let mut counts = Vec::with_capacity(FACETS.len());
        for name in FACETS {
            let column = reader.fast_fields().str(name)?;
            counts.push(vec![0; column.as_ref().map_or(0, |c| c.num_terms())]);
            columns.push(column);
        }
        Ok(FacetSegment {
            columns,
            counts,
            day: reader.fast_fields().i64("day").ok(),
            days: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentCounts>) -> tantivy::Result<Self::Fruit> {
        let mut merged: Vec<HashMap<String, u64>> = vec![HashMap::new(); FACETS.len()];
        let mut years: BTreeMap<i32, u64> = BTreeMap::new();
        for (fruit, days) in fruits {
            for (into, from) in merged.iter_mut().zip(fruit) {
                for (value, count) in from {
                    *into.entry(value).or_default() += count;
                }
            }
            for (day, count) in days {
                if let Some(date) =
                    chrono::NaiveDate::default().checked_add_signed(chrono::Duration::days(day))
                {
                    *years.entry(chrono::Datelike::year(&date)).or_default() += count;
                }
            }
        }
        let mut out: BTreeMap<String, Vec<FacetCount>> = FACETS
            .iter()
            .zip(merged)
            .map(|(name, values)| {
                let mut list: Vec<FacetCount> = values
                    .into_iter()
                    .map(|(value, count)| FacetCount { value, count })
                    .collect();
                list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
                list.truncate(FACET_VALUES);
                (name.to_string(), list)
            })
            .collect();
        out.insert(
            YEAR.to_string(),
            years
                .into_iter()
                .rev()
                .map(|(year, count)| FacetCount {
                    value: year.to_string(),
                    count,
                })
                .collect(),
        );
        Ok(out)
    }
}
