//! Datasets for policy authors: CSV files streamed from the database, and their codebook.
//!
//! Each file is declared once, in its own module ([`file::File`]): `cases.rs`, `parties.rs`,
//! `hearings.rs`, `observations.rs` and `rulings.rs` each hold the file's typed row, its table of
//! columns (name, type, description and accessor together) and its batch reader. This module is
//! the pipeline they share; `writer.rs` writes rows, `codebook.rs` describes the files from the
//! same tables, `package.rs` writes a whole release to a folder.
//!
//! - **Releases only**: a row is exported when [`crate::access::policy::released`] says so, the
//!   one rule for all five files, whoever downloads them.
//! - **Redacted**: every prose cell and free-text answer passes through its case's redactor
//!   ([`crate::redact`]) in [`writer::Exporter`].
//! - Rows are read in keyset-paged batches (no row cap, flat memory, no database connection held
//!   while a slow client reads); the next batch is read while this one is formatted on a blocking
//!   thread, and written to the client through a small bounded channel, so a slow reader only
//!   slows its own export.
//!
//! Encoding (documented in the codebook and README): RFC 4180, UTF-8, `\r\n` line ends, a header
//! row of stable column names. Choice answers are codes (or labels with `labels=en|sq|sr`);
//! multiple-choice answers are joined by [`MULTI_SEPARATOR`]. An **empty cell** is a question that
//! applied but was not answered; **`NA`** ([`NOT_ASKED`]) is a question that did not apply to the
//! record (its `when` condition was not met), so it was never asked.

mod answers;
mod cases;
mod codebook;
mod file;
mod hearings;
mod observations;
mod package;
mod parties;
mod rows;
mod rulings;
mod writer;

pub use codebook::{
    CodeLabel, CodebookColumn, ColumnType, PackageOptions, codebook, codebook_csv, datapackage,
};
pub use package::{WrittenFile, write_package, write_zip, zip_stream};

use std::{collections::HashMap, sync::Arc};

use courtwatch_methodology::Methodology;
use futures_util::Stream;
use poem_openapi::Enum;
use tokio::sync::mpsc;

use crate::{
    error::ServiceError,
    redact::Redactor,
    services::{case::CaseFilter, common::published_versions, sensitive},
    state::AppState,
};
use file::{BatchQuery, File};
use writer::Exporter;

/// Joins the codes of a multiple-choice answer in one cell.
pub const MULTI_SEPARATOR: &str = "|";
/// The cell of a question that did not apply to the record.
pub const NOT_ASKED: &str = "NA";
/// Rows read from the database per query.
const BATCH: u64 = 1000;
/// Room for a formatted batch (the buffer grows if it needs more).
const CHUNK: usize = 512 * 1024;

/// The exported files. Ids link them: `case_id` in every file, `hearing_id` in observations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum Dataset {
    /// One row per case, one column per case question.
    Cases,
    /// One row per party (pseudonymised).
    Parties,
    /// One row per hearing.
    Hearings,
    /// One row per observation, one column per observation question.
    Observations,
    /// One row per ruling, one column per ruling question.
    Rulings,
}

impl Dataset {
    /// Every file, in the package's order.
    pub const ALL: [Dataset; 5] = [
        Dataset::Cases,
        Dataset::Parties,
        Dataset::Hearings,
        Dataset::Observations,
        Dataset::Rulings,
    ];

    /// File name stem.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Cases => "cases",
            Dataset::Parties => "parties",
            Dataset::Hearings => "hearings",
            Dataset::Observations => "observations",
            Dataset::Rulings => "rulings",
        }
    }

    /// The dataset stored in `file` (`cases.csv`, …).
    pub fn from_file(file: &str) -> Option<Dataset> {
        Dataset::ALL
            .into_iter()
            .find(|d| file.strip_suffix(".csv") == Some(d.name()))
    }

    /// The primary-key column.
    pub fn primary_key(self) -> &'static str {
        match self {
            Dataset::Cases => "case_id",
            Dataset::Parties => "party_id",
            Dataset::Hearings => "hearing_id",
            Dataset::Observations => "observation_id",
            Dataset::Rulings => "ruling_id",
        }
    }

    /// Columns that refer to another file's primary key.
    pub fn foreign_keys(self) -> &'static [(&'static str, Dataset)] {
        match self {
            Dataset::Cases => &[],
            Dataset::Parties | Dataset::Hearings | Dataset::Rulings => {
                &[("case_id", Dataset::Cases)]
            }
            Dataset::Observations => &[
                ("hearing_id", Dataset::Hearings),
                ("case_id", Dataset::Cases),
            ],
        }
    }
}

/// Codes or labels in choice columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Enum)]
#[oai(rename_all = "snake_case")]
pub enum Labels {
    /// Stable codes (the default; what analysis scripts should use).
    #[default]
    Codes,
    /// English labels.
    En,
    /// Albanian labels.
    Sq,
    /// Serbian (Latin) labels.
    Sr,
}

/// What to export.
#[derive(Debug, Default, Clone)]
pub struct ExportRequest {
    /// Filters on the records' case (the same as the case list's).
    pub filter: CaseFilter,
    /// Methodology version; the latest when absent. Only records entered under it are exported.
    pub methodology_version: Option<u32>,
    /// Codes or labels.
    pub labels: Labels,
    /// Start with a UTF-8 byte-order mark (for Excel).
    pub bom: bool,
    /// Include the rulings' full text (a large column; off by default).
    pub full_text: bool,
    /// Only records this search matches (cases, observations and rulings).
    pub search: Option<SearchSelection>,
}

/// The records of a search, for a dataset restricted to them: the query (the language of
/// `/search`), exact mode and the search's filters.
#[derive(Debug, Clone, Default)]
pub struct SearchSelection {
    pub query: String,
    pub exact: bool,
    pub filters: courtwatch_indexer::Filters,
}

fn resolve_methodology(
    state: &AppState,
    version: Option<u32>,
) -> Result<&'static Methodology, ServiceError> {
    match version {
        None => Ok(state.methodology.latest()),
        Some(v) => state.methodology.get(v).ok_or_else(|| {
            ServiceError::BadRequest(format!(
                "methodology_version {v} does not exist; published versions: {}",
                published_versions(state.methodology)
            ))
        }),
    }
}

/// Ids of the records of file `F` that the search query matches: public documents, i.e.
/// released records only, the same records datasets hold. In id order.
fn search_ids<F: File>(
    state: &AppState,
    search: &SearchSelection,
) -> Result<Vec<String>, ServiceError> {
    let Some(kind) = F::SEARCH else {
        return Err(ServiceError::BadRequest(format!(
            "q: {}.csv cannot be selected by a search query (searchable files: cases.csv, \
             observations.csv, rulings.csv)",
            F::DATASET.name()
        )));
    };
    crate::services::search::released_ids(state, search, kind).map_err(|e| match e {
        ServiceError::BadRequest(reason) => ServiceError::BadRequest(format!("q: {reason}")),
        other => other,
    })
}

/// A file's bytes as they go to the client.
type Chunks = mpsc::Sender<Result<Vec<u8>, std::io::Error>>;

/// Starts an export. Checks the request first (a bad request is an error before any byte is
/// sent), then streams the file: a database failure half-way aborts the response, so a client never
/// mistakes a cut-off file for a whole one.
pub fn stream(
    state: &AppState,
    dataset: Dataset,
    request: ExportRequest,
) -> Result<impl Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static, ServiceError> {
    let methodology = resolve_methodology(state, request.methodology_version)?;
    let (tx, rx) = mpsc::channel(4);
    match dataset {
        Dataset::Cases => start::<cases::Cases>(state, methodology, request, tx)?,
        Dataset::Parties => start::<parties::Parties>(state, methodology, request, tx)?,
        Dataset::Hearings => start::<hearings::Hearings>(state, methodology, request, tx)?,
        Dataset::Observations => {
            start::<observations::Observations>(state, methodology, request, tx)?;
        }
        Dataset::Rulings => start::<rulings::Rulings>(state, methodology, request, tx)?,
    }
    Ok(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}

/// Checks the request for file `F` and starts writing it to `tx`.
fn start<F: File>(
    state: &AppState,
    methodology: &'static Methodology,
    request: ExportRequest,
    tx: Chunks,
) -> Result<(), ServiceError> {
    let exporter = Exporter::<F>::new(methodology, request.labels, request.full_text, request.bom)?;
    let only = match &request.search {
        None => None,
        Some(search) => Some(search_ids::<F>(state, search)?),
    };
    let query = BatchQuery {
        // Release is decided per row (`File::released`), the same rule for every file.
        filter: CaseFilter {
            released: false,
            ..request.filter
        },
        version: exporter.version(),
        after: String::new(),
        only: None,
    };
    let db = state.db.clone();
    tokio::spawn(async move {
        let result = produce(&db, query, Arc::new(exporter), only, request.bom, &tx).await;
        if let Err(e) = result {
            tracing::warn!(error = %e, dataset = F::DATASET.name(), "export failed half-way");
            let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
        }
    });
    Ok(())
}

/// A batch as read, with the redactors of its cases.
struct Batch<F: File> {
    records: F::Batch,
    redactors: HashMap<String, Redactor>,
}

/// Formats one batch as CSV rows (CPU work, run on a blocking thread).
fn format_batch<F: File>(
    exporter: &Exporter<F>,
    batch: &Batch<F>,
    patterns: &Redactor,
) -> Result<Vec<u8>, ServiceError> {
    let rows = F::rows(&batch.records)?;
    let redactor = |case_id: &str| batch.redactors.get(case_id).unwrap_or(patterns);
    exporter.format(&rows, redactor, CHUNK)
}

/// Batches formatted at once: a reader task fetches batches while up to this many are formatted
/// on blocking threads, and their text goes to the client in order.
const FORMATTING: usize = 2;

/// Writes the file.
async fn produce<F: File>(
    db: &sea_orm::DatabaseConnection,
    query: BatchQuery,
    exporter: Arc<Exporter<F>>,
    only: Option<Vec<String>>,
    bom: bool,
    tx: &Chunks,
) -> Result<(), ServiceError> {
    let start = if bom {
        "\u{feff}".as_bytes().to_vec()
    } else {
        Vec::new()
    };
    let mut header = rows::Rows::new(start, None);
    header
        .row(&exporter.header())
        .map_err(|e| ServiceError::internal_from("csv", e))?;
    if tx.send(Ok(header.into_inner())).await.is_err() {
        return Err(ServiceError::internal("client disconnected"));
    }
    let (batches_tx, mut batches) = mpsc::channel(2);
    let reader = tokio::spawn(read_batches::<F>(db.clone(), query, only, batches_tx));
    let patterns = Arc::new(Redactor::patterns_only());
    let mut formatting = std::collections::VecDeque::with_capacity(FORMATTING);
    let mut read_all = false;
    loop {
        // Keep FORMATTING batches in hand (formatting is CPU work: on blocking threads, so that
        // the runtime's workers stay free for the reader and the client).
        while !read_all && formatting.len() < FORMATTING {
            match batches.recv().await {
                Some(batch) => {
                    let batch = batch?;
                    let (exporter, patterns) = (exporter.clone(), patterns.clone());
                    formatting.push_back(tokio::task::spawn_blocking(move || {
                        format_batch(&exporter, &batch, &patterns)
                    }));
                }
                None => read_all = true,
            }
        }
        let Some(next) = formatting.pop_front() else {
            break;
        };
        let text = next
            .await
            .map_err(|e| ServiceError::internal_from("export writer", e))??;
        if !text.is_empty() && tx.send(Ok(text)).await.is_err() {
            // The client went away: stop reading the database.
            return Err(ServiceError::internal("client disconnected"));
        }
    }
    reader
        .await
        .map_err(|e| ServiceError::internal_from("export reader", e))?;
    Ok(())
}

/// Reads file `F`'s batches and sends them with their redactors; stops when the writer goes away.
async fn read_batches<F: File>(
    db: sea_orm::DatabaseConnection,
    query: BatchQuery,
    only: Option<Vec<String>>,
    batches: mpsc::Sender<Result<Batch<F>, ServiceError>>,
) {
    if let Err(e) = read_all(&db, query, only, &batches).await {
        let _ = batches.send(Err(e)).await;
    }
}

/// The keyset walk: the next batch is asked for as soon as this one's last id is known (with a
/// search, as soon as this one is asked for: the ids are known), on its own task, so that it is
/// read while this batch's redactors are read (on another pooled connection) and it is
/// formatted.
async fn read_all<F: File>(
    db: &sea_orm::DatabaseConnection,
    query: BatchQuery,
    only: Option<Vec<String>>,
    batches: &mpsc::Sender<Result<Batch<F>, ServiceError>>,
) -> Result<(), ServiceError> {
    let fetch = |query: BatchQuery| tokio::spawn(F::read(db.clone(), query));
    // With a search, the rows are those among the matching ids, a batch of ids at a time.
    let mut chunks = only.as_deref().map(|ids| ids.chunks(BATCH as usize));
    let mut next_query = |last: Option<String>| -> Option<BatchQuery> {
        match &mut chunks {
            Some(chunks) => chunks.next().map(|ids| BatchQuery {
                only: Some(ids.to_vec()),
                ..query.clone()
            }),
            None => last.map(|after| BatchQuery {
                after,
                ..query.clone()
            }),
        }
    };
    let mut next = next_query(Some(String::new())).map(fetch);
    while let Some(pending) = next.take() {
        let records = pending
            .await
            .map_err(|e| ServiceError::internal_from("export reader", e))??;
        // A short batch is the last one (with a search, the chunks of ids decide).
        let last = if F::count(&records) == BATCH as usize {
            F::last(&records)?
        } else {
            None
        };
        next = next_query(last).map(fetch);
        let redactors = sensitive::redactors(db, &F::case_ids(&records)?).await?;
        if batches
            .send(Ok(Batch { records, redactors }))
            .await
            .is_err()
        {
            if let Some(pending) = next {
                pending.abort();
            }
            return Ok(());
        }
    }
    Ok(())
}
