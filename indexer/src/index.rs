//! The tantivy index: schema, opening, writing and committing.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    sync::Mutex,
};

use tantivy::{
    Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term,
    directory::MmapDirectory,
    index::{SegmentComponent, SegmentId, SegmentMeta},
    indexer::{LogMergePolicy, NoMergePolicy},
    schema::{
        FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, SchemaBuilder,
        TextFieldIndexing, TextOptions, Value,
    },
    tokenizer::TokenizerManager,
};

use crate::{
    analysis,
    doc::{IndexDoc, Visibility},
    error::IndexError,
};

/// Memory the writer may use before it flushes segments, shared by its indexing threads.
const WRITER_HEAP_BYTES: usize = 48 * 1024 * 1024;
/// Indexing threads at most (one per core up to this; tantivy needs 15 MB of heap per thread).
const WRITER_THREADS: usize = 2;

/// The value of `visible_to` for documents everyone may find.
pub(crate) const PUBLIC: &str = "*";

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub key: Field,
    pub key_hash: Field,
    pub kind: Field,
    pub id: Field,
    pub case_id: Field,
    pub title: Field,
    pub title_value: Field,
    pub body: Field,
    pub word_marks: Field,
    pub court_text: Field,
    pub court_id: Field,
    pub court: Field,
    pub jurisdiction: Field,
    pub ground: Field,
    pub proceeding_type: Field,
    pub outcome: Field,
    pub language: Field,
    pub day: Field,
    pub visible_to: Field,
}

/// Facet fields, by the name used in the API.
pub(crate) const FACETS: &[&str] = &[
    "kind",
    "jurisdiction",
    "court",
    "ground",
    "proceeding_type",
    "outcome",
    "language",
];

fn text(analyzer: &str, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

fn schema() -> (Schema, Fields) {
    let mut b = SchemaBuilder::new();
    let facet = STRING | STORED | FAST;
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        key_hash: b.add_u64_field("key_hash", FAST),
        kind: b.add_text_field("kind", facet.clone()),
        id: b.add_text_field("id", STRING | STORED | FAST),
        case_id: b.add_text_field("case_id", STRING | STORED | FAST),
        // Title and text: each word folded, plus its marked stem where that differs (analysis).
        title: b.add_text_field("title", text(analysis::WORDS, false)),
        // The title as shown in results, read from a column so that a page of hits never loads
        // the (long) stored text.
        title_value: b.add_text_field("title_value", TextOptions::default().set_fast("raw")),
        // Stored too (for snippets): the document carries the text once.
        body: b.add_text_field("body", text(analysis::WORDS, true)),
        // The court's name, stemmed like the texts: `court:Podgorica` finds "Osnovni sud u
        // Podgorici".
        court_text: b.add_text_field("court_text", text(analysis::WORDS, false)),
        // Where every 128th word of the text starts, so that a snippet deep in a long judgment
        // is found without scanning to it (`analysis::word_marks`).
        word_marks: b.add_bytes_field("word_marks", STORED),
        court_id: b.add_text_field("court_id", STRING | STORED),
        court: b.add_text_field("court", facet.clone()),
        jurisdiction: b.add_text_field("jurisdiction", facet.clone()),
        ground: b.add_text_field("ground", facet.clone()),
        proceeding_type: b.add_text_field("proceeding_type", facet.clone()),
        outcome: b.add_text_field("outcome", facet.clone()),
        language: b.add_text_field("language", facet),
        day: b.add_i64_field("day", INDEXED | FAST | STORED),
        visible_to: b.add_text_field("visible_to", STRING),
    };
    (b.build(), fields)
}

/// A stable 64-bit hash of a document key: the tie-breaker for equal scores and dates, so that
/// paging is deterministic. (FNV-1a: fixed forever, unlike the standard library's hasher.)
pub(crate) fn key_hash(key: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// Days since 1970-01-01 (`NaiveDate::default()`), the stored form of a record's date.
pub(crate) fn days(date: chrono::NaiveDate) -> i64 {
    date.signed_duration_since(chrono::NaiveDate::default())
        .num_days()
}

/// Splits segments into `parts` groups of about the same size on disk (largest first, each to
/// the smallest group so far).
fn merge_groups(dir: &Path, metas: Vec<SegmentMeta>, parts: usize) -> Vec<Vec<SegmentId>> {
    let mut sized: Vec<(u64, SegmentId)> = metas
        .iter()
        .map(|meta| {
            let bytes = [
                SegmentComponent::Postings,
                SegmentComponent::Positions,
                SegmentComponent::Store,
            ]
            .into_iter()
            .filter_map(|part| std::fs::metadata(dir.join(meta.relative_path(part))).ok())
            .map(|m| m.len())
            .sum();
            (bytes, meta.id())
        })
        .collect();
    sized.sort_by_key(|(bytes, _)| std::cmp::Reverse(*bytes));
    let mut groups: Vec<(u64, Vec<SegmentId>)> = vec![(0, Vec::new()); parts.max(1)];
    for (bytes, id) in sized {
        if let Some(group) = groups.iter_mut().min_by_key(|(total, _)| *total) {
            group.0 += bytes;
            group.1.push(id);
        }
    }
    groups.into_iter().map(|(_, ids)| ids).collect()
}

/// An open index: readers for searching, one writer for changes.
pub struct SearchIndex {
    pub(crate) index: Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    writer: Mutex<IndexWriter<TantivyDocument>>,
    /// What searches keep between searches (hit fields per segment, languages per searcher).
    pub(crate) caches: crate::search::SearchCaches,
    /// Indexing threads of the writer (also the number of segments a full build ends with).
    threads: usize,
    dir: PathBuf,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, creating an empty one if there is none.
    pub fn open(dir: &Path) -> Result<Self, IndexError> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let directory = MmapDirectory::open(dir)?;
        let mut index = Index::open_or_create(directory, schema)?;
        let tokenizers = TokenizerManager::default();
        tokenizers.register(analysis::WORDS, analysis::words());
        tokenizers.register(analysis::FOLDED, analysis::folded());
        index.set_tokenizers(tokenizers);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            // Stored texts are read only for snippets, each once per page: caching decompressed
            // blocks (whole judgments) would only hold memory.
            .doc_store_cache_num_blocks(0)
            .try_into()?;
        let threads = std::thread::available_parallelism()
            .map(usize::from)
            .unwrap_or(1)
            .min(WRITER_THREADS);
        let writer = index.writer_with_num_threads(threads, WRITER_HEAP_BYTES)?;
        Ok(Self {
            index,
            reader,
            fields,
            writer: Mutex::new(writer),
            caches: Default::default(),
            threads,
            dir: dir.to_path_buf(),
        })
    }

    /// The directory the index lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter<TantivyDocument>> {
        // A panic while holding the writer leaves nothing half-applied that a commit would expose
        // (uncommitted changes are simply redone from the outbox), so a poisoned lock is usable.
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds a document, replacing any earlier version with the same key. Visible after [`commit`].
    ///
    /// [`commit`]: SearchIndex::commit
    pub fn upsert(&self, doc: &IndexDoc) -> Result<(), IndexError> {
        let key = doc.key();
        let writer = self.writer();
        writer.delete_term(Term::from_field_text(self.fields.key, &key));
        writer.add_document(self.document(doc, &key))?;
        Ok(())
    }

    /// Adds a document to an index known not to hold it (a full build into a new generation):
    /// unlike [`upsert`](SearchIndex::upsert) it records no delete, which every commit would
    /// otherwise look up in every segment.
    pub fn add_new(&self, doc: &IndexDoc) -> Result<(), IndexError> {
        let key = doc.key();
        let d = self.document(doc, &key);
        self.writer().add_document(d)?;
        Ok(())
    }

    fn document(&self, doc: &IndexDoc, key: &str) -> TantivyDocument {
        let f = &self.fields;
        let mut d = TantivyDocument::new();
        d.add_text(f.key, key);
        d.add_u64(f.key_hash, key_hash(key));
        d.add_text(f.kind, doc.kind.as_str());
        d.add_text(f.id, &doc.id);
        if let Some(case_id) = &doc.case_id {
            d.add_text(f.case_id, case_id);
        }
        // Both analysed in the document's language, which the texts carry as a tag (analysis).
        let language = analysis::Language::of_document(doc.language.as_deref(), &doc.body);
        d.add_text(f.title, analysis::tag(language, &doc.title));
        d.add_text(f.title_value, &doc.title);
        d.add_text(f.body, analysis::tag(language, &doc.body));
        d.add_bytes(f.word_marks, &analysis::word_marks(&doc.body));
        if let Some(name) = &doc.court_name {
            d.add_text(f.court_text, analysis::tag(language, name));
            d.add_text(f.court, name);
        }
        if let Some(id) = &doc.court_id {
            d.add_text(f.court_id, id);
        }
        for (field, value) in [
            (f.jurisdiction, &doc.jurisdiction),
            (f.proceeding_type, &doc.proceeding_type),
            (f.outcome, &doc.outcome),
            (f.language, &doc.language),
        ] {
            if let Some(value) = value {
                d.add_text(field, value);
            }
        }
        for ground in &doc.grounds {
            d.add_text(f.ground, ground);
        }
        if let Some(date) = doc.date {
            d.add_i64(f.day, days(date));
        }
        match &doc.visibility {
            Visibility::Public => d.add_text(f.visible_to, PUBLIC),
            Visibility::Organisation(org) => d.add_text(f.visible_to, org),
        }
        d
    }

    /// Removes the document with this key, if any. Effective after [`commit`](SearchIndex::commit).
    pub fn delete(&self, key: &str) {
        self.writer()
            .delete_term(Term::from_field_text(self.fields.key, key));
    }

    /// Makes every change so far durable and searchable, recording `payload` with the commit.
    pub fn commit(&self, payload: &str) -> Result<(), IndexError> {
        {
            let mut writer = self.writer();
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(payload);
            prepared.commit()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// The payload of the last commit.
    pub fn payload(&self) -> Result<Option<String>, IndexError> {
        Ok(self.index.load_metas()?.payload)
    }

    /// Number of searchable documents.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Stops background merges until [`optimize`](SearchIndex::optimize): for a full build, where
    /// one merge at the end costs less than merging cascades during it (and than merges running
    /// later while the service answers requests).
    pub fn pause_merging(&self) {
        self.writer().set_merge_policy(Box::new(NoMergePolicy));
    }

    /// Merges the committed segments into one per indexing thread (at most two), the merges
    /// running side by side, waits for them, and turns background merging back on. One segment
    /// per core: a single merge runs on one core and was 30 % of a full build; a second segment
    /// costs each query term one more dictionary lookup.
    pub fn optimize(&self) -> Result<(), IndexError> {
        {
            let mut writer = self.writer();
            let groups = merge_groups(
                &self.dir,
                self.index.searchable_segment_metas()?,
                self.threads,
            );
            let merges: Vec<_> = groups
                .iter()
                .filter(|group| group.len() > 1)
                .map(|group| writer.merge(group))
                .collect();
            for merge in merges {
                merge.wait()?;
            }
            writer.set_merge_policy(Box::new(LogMergePolicy::default()));
        }
        self.reader.reload()?;
        Ok(())
    }

    /// A fingerprint of what the index searches now: its segments and their deletes. Any commit
    /// that changes a document changes it (a change adds a segment or a delete); a reload without
    /// changes does not. For results remembered between searches (in this process).
    pub fn content_version(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for segment in self.reader.searcher().segment_readers() {
            segment.segment_id().uuid_string().hash(&mut hasher);
            segment.num_deleted_docs().hash(&mut hasher);
        }
        hasher.finish()
    }

    /// Number of segments searched (each costs a term lookup per query term).
    pub fn segment_count(&self) -> usize {
        self.reader.searcher().segment_readers().len()
    }

    /// Every document key in the index (for consistency checks against the database).
    pub fn keys(&self) -> Result<BTreeSet<String>, IndexError> {
        let searcher = self.reader.searcher();
        let mut keys = BTreeSet::new();
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(1)?;
            for doc in segment.doc_ids_alive() {
                let d: TantivyDocument = store.get(doc)?;
                if let Some(key) = d.get_first(self.fields.key).and_then(|v| v.as_str()) {
                    keys.insert(key.to_string());
                }
            }
        }
        Ok(keys)
    }

    /// Waits for background merges to finish (before a process exits cleanly).
    pub fn wait_merging(self) -> Result<(), IndexError> {
        let writer = self
            .writer
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        writer.wait_merging_threads()?;
        Ok(())
    }
}
