//! What a search keeps between searches, per segment or per searcher, because it depends only on
//! what does not change while the segment (or searcher) lives:
//!
//! - the fields a hit shows ([`HitTable`]): read once per segment from its columns, instead of
//!   from the columns' dictionaries for every hit of every search (a dictionary lookup decodes a
//!   block of its sorted terms; it was a third of a top-10 search's time);
//! - the stemmed languages the index holds texts of (once per searcher, a range seek per language
//!   and field and segment otherwise).
//!
//! A segment's documents never change (a delete only hides one), so a table keyed by the
//! segment's id is never stale; tables of segments no longer searched are dropped. Their size is
//! about that of the columns: ids, titles and court names, plus 4 bytes per document and field.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tantivy::{DocId, Searcher, SegmentReader, columnar::StrColumn, index::SegmentId};

use crate::{analysis::Language, doc::Kind};

/// The caches of one open index.
#[derive(Default)]
pub(crate) struct SearchCaches {
    tables: Mutex<HashMap<SegmentId, Arc<HitTable>>>,
    /// The searcher generation the languages were read for, and the languages.
    languages: Mutex<Option<(u64, Arc<Vec<Language>>)>>,
}

impl SearchCaches {
    /// The hit table of the searcher's segment `ord`.
    pub(super) fn table(&self, searcher: &Searcher, ord: u32) -> tantivy::Result<Arc<HitTable>> {
        let segment = searcher.segment_reader(ord);
        let id = segment.segment_id();
        if let Some(table) = self.lock_tables().get(&id) {
            return Ok(table.clone());
        }
        // Read outside the lock: other searches go on meanwhile (two may read the same one).
        let table = Arc::new(HitTable::read(segment)?);
        let mut tables = self.lock_tables();
        let live: Vec<SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        tables.retain(|id, _| live.contains(id));
        tables.insert(id, table.clone());
        Ok(table)
    }

    /// The stemmed languages the searcher's index holds texts of, read by `read` once per
    /// searcher generation.
    pub(super) fn languages(
        &self,
        searcher: &Searcher,
        read: impl FnOnce() -> Vec<Language>,
    ) -> Arc<Vec<Language>> {
        let generation = searcher.generation().generation_id();
        let mut cached = self
            .languages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match &*cached {
            Some((g, languages)) if *g == generation => languages.clone(),
            _ => {
                let languages = Arc::new(read());
                *cached = Some((generation, languages.clone()));
                languages
            }
        }
    }

    fn lock_tables(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<HitTable>>> {
        // A panic while holding the lock leaves a map that is still consistent.
        self.tables
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The fields a hit shows, for every document of one segment.
pub(super) struct HitTable {
    kind: TextColumn,
    id: TextColumn,
    case_id: TextColumn,
    title: TextColumn,
    court: TextColumn,
    jurisdiction: TextColumn,
    language: TextColumn,
    day: Vec<Option<i64>>,
}

impl HitTable {
    fn read(segment: &SegmentReader) -> tantivy::Result<Self> {
        let fast = segment.fast_fields();
        let docs = segment.max_doc();
        let text = |name: &str| -> tantivy::Result<TextColumn> {
            Ok(TextColumn::read(fast.str(name)?, docs)?)
        };
        let day = match fast.i64("day") {
            Ok(column) => (0..docs).map(|doc| column.first(doc)).collect(),
            Err(_) => vec![None; docs as usize],
        };
        Ok(Self {
            kind: text("kind")?,
            id: text("id")?,
            case_id: text("case_id")?,
            title: text("title_value")?,
            court: text("court")?,
            jurisdiction: text("jurisdiction")?,
            language: text("language")?,
            day,
        })
    }

    pub(super) fn kind(&self, doc: DocId) -> Option<Kind> {
        self.kind.get(doc).and_then(Kind::parse)
    }
    pub(super) fn id(&self, doc: DocId) -> Option<&str> {
        self.id.get(doc)
    }
    pub(super) fn case_id(&self, doc: DocId) -> Option<&str> {
        self.case_id.get(doc)
    }
    pub(super) fn title(&self, doc: DocId) -> Option<&str> {
        self.title.get(doc)
    }
    pub(super) fn court(&self, doc: DocId) -> Option<&str> {
        self.court.get(doc)
    }
    pub(super) fn jurisdiction(&self, doc: DocId) -> Option<&str> {
        self.jurisdiction.get(doc)
    }
    pub(super) fn language(&self, doc: DocId) -> Option<&str> {
        self.language.get(doc)
    }
    /// Days since 1970-01-01 (`index::days`).
    pub(super) fn day(&self, doc: DocId) -> Option<i64> {
        self.day.get(doc as usize).copied().flatten()
    }
}

/// One text column: its distinct values, and each document's (first) value's number.
struct TextColumn {
    values: Vec<Box<str>>,
    /// Per document; [`NONE`] for a document without a value.
    ords: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl TextColumn {
    fn read(column: Option<StrColumn>, docs: u32) -> std::io::Result<Self> {
        let Some(column) = column else {
            return Ok(Self {
                values: Vec::new(),
                ords: vec![NONE; docs as usize],
            });
        };
        let mut values = Vec::with_capacity(column.dictionary().num_terms());
        let mut stream = column.dictionary().stream()?;
        while stream.advance() {
            values.push(String::from_utf8_lossy(stream.key()).into());
        }
        let ords = (0..docs)
            .map(|doc| {
                column
                    .ords()
                    .first(doc)
                    .and_then(|ord| u32::try_from(ord).ok())
                    .filter(|&ord| (ord as usize) < values.len())
                    .unwrap_or(NONE)
            })
            .collect();
        Ok(Self { values, ords })
    }

    fn get(&self, doc: DocId) -> Option<&str> {
        let ord = *self.ords.get(doc as usize)?;
        self.values.get(ord as usize).map(|v| &**v)
    }
}
