//! Datasets for policy authors: CSV files streamed from the database, and their codebook.
//!
//! **Every exported cell passes through [`Exporter::row`]** — the one place where the
//! access-control work will add redaction. Rows are read in keyset-paged batches (no row cap, flat
//! memory, no database connection held while a slow client reads) and written to the client through
//! a small bounded channel, so a slow reader only slows its own export.
//!
//! Encoding (documented in the codebook and README): RFC 4180, UTF-8, `\r\n` line ends, a header
//! row of stable column names. Choice answers are codes (or labels with `labels=en|sq|sr`);
//! multiple-choice answers are joined by [`MULTI_SEPARATOR`]. An **empty cell** is a question that
//! applied but was not answered; **`NA`** ([`NOT_ASKED`]) is a question that did not apply to the
//! record (its `when` condition was not met), so it was never asked.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use courtwatch_methodology::{AnswerType, Methodology, Question, Scope};
use futures_util::Stream;
use poem_openapi::{Enum, Object};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{IntoCondition, Query},
};
use serde_json::{Map, Value};
use tokio::sync::mpsc;

use crate::{
    entities::{case, hearing, observation},
    error::ServiceError,
    services::{
        case::CaseFilter,
        common::{merge_answers, parse_answers},
        observation::hearing_fields,
    },
    state::AppState,
};

/// Joins the codes of a multiple-choice answer in one cell.
pub const MULTI_SEPARATOR: &str = "|";
/// The cell of a question that did not apply to the record.
pub const NOT_ASKED: &str = "NA";
/// Rows read from the database per query.
const BATCH: u64 = 1000;
/// Bytes collected before a chunk is handed to the client.
const CHUNK: usize = 64 * 1024;

/// The exported files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum Dataset {
    /// One row per hearing.
    Hearings,
    /// One row per observation, one column per methodology question.
    Observations,
}

impl Dataset {
    /// File name stem.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Hearings => "hearings",
            Dataset::Observations => "observations",
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
#[derive(Debug, Default)]
pub struct ExportRequest {
    /// Filters on the records' case (the same as the case list's).
    pub filter: CaseFilter,
    /// Methodology version; the latest when absent. Only records entered under it are exported.
    pub methodology_version: Option<u32>,
    /// Codes or labels.
    pub labels: Labels,
    /// Start with a UTF-8 byte-order mark (for Excel).
    pub bom: bool,
}

/// The type of a column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ColumnType {
    /// Text (ids, codes, free text).
    String,
    /// Whole number.
    Integer,
    /// Decimal number.
    Number,
    /// `YYYY-MM-DD`.
    Date,
    /// RFC 3339 date and time, UTC (`2026-01-10T08:00:00Z`).
    Datetime,
}

/// An allowed code of a column, with its labels.
#[derive(Debug, Clone, Object)]
pub struct CodeLabel {
    /// The code as exported.
    pub code: String,
    /// English label.
    pub en: String,
    /// Albanian label.
    pub sq: String,
    /// Serbian (Latin) label.
    pub sr: String,
}

/// One column of one file, as described in the codebook.
#[derive(Debug, Clone, Object)]
pub struct CodebookColumn {
    /// The file (`observations`, …).
    pub file: String,
    /// Column name (for a methodology question, its code).
    pub column: String,
    /// Position in the file, from 1.
    pub position: u32,
    /// Value type.
    #[oai(rename = "type")]
    pub column_type: ColumnType,
    /// What the column holds.
    pub description: String,
    /// For a methodology question: its answer type (`yes_no`, `single_choice`, …).
    pub answer_type: Option<String>,
    /// Whether a cell may hold several codes joined by `|`.
    pub multiple: bool,
    /// Allowed codes, with labels in three languages (choice and yes/no columns).
    pub codes: Vec<CodeLabel>,
    /// The question as asked, in English / Albanian / Serbian.
    pub question_en: Option<String>,
    /// The question in Albanian.
    pub question_sq: Option<String>,
    /// The question in Serbian.
    pub question_sr: Option<String>,
    /// The standard the question implements.
    pub standard: Option<String>,
    /// When the question applies (otherwise the cell is `NA`).
    pub applies_when: Option<String>,
    /// Methodology version the column belongs to (question columns only).
    pub methodology_version: Option<u32>,
}

/// A column: fixed record fields first, then methodology questions in methodology order.
#[derive(Debug, Clone)]
enum Source {
    Field(&'static str, ColumnType, &'static str),
    Question(&'static Question),
}

impl Source {
    fn name(&self) -> &str {
        match self {
            Source::Field(name, ..) => name,
            Source::Question(q) => &q.code,
        }
    }
}

const OBSERVATION_FIELDS: &[(&str, ColumnType, &str)] = &[
    (
        "observation_id",
        ColumnType::String,
        "Observation id (primary key).",
    ),
    (
        "hearing_id",
        ColumnType::String,
        "The hearing observed (hearings.csv hearing_id).",
    ),
    (
        "case_id",
        ColumnType::String,
        "The hearing's case (cases.csv case_id).",
    ),
    (
        "methodology_version",
        ColumnType::Integer,
        "Methodology version the observation was recorded under.",
    ),
    (
        "status",
        ColumnType::String,
        "submitted (drafts are not exported).",
    ),
    (
        "submitted_at",
        ColumnType::Datetime,
        "When it was submitted (empty for a draft).",
    ),
    (
        "notes",
        ColumnType::String,
        "The monitor's narrative notes, as written.",
    ),
];

const OBSERVATION_TRAILER: &[(&str, ColumnType, &str)] = &[
    (
        "created_at",
        ColumnType::Datetime,
        "When the record was created.",
    ),
    (
        "updated_at",
        ColumnType::Datetime,
        "When the record was last changed.",
    ),
];

const HEARING_FIELDS: &[(&str, ColumnType, &str)] = &[
    (
        "hearing_id",
        ColumnType::String,
        "Hearing id (primary key).",
    ),
    (
        "case_id",
        ColumnType::String,
        "The case (cases.csv case_id).",
    ),
    (
        "scheduled_at",
        ColumnType::Datetime,
        "When the hearing was scheduled to start.",
    ),
    (
        "started_at",
        ColumnType::Datetime,
        "When it actually started (empty if it did not).",
    ),
    ("ended_at", ColumnType::Datetime, "When it ended."),
    (
        "hearing_type",
        ColumnType::String,
        "Type of hearing (code; see the methodology question hearing_type).",
    ),
    (
        "outcome",
        ColumnType::String,
        "What happened (code; see the methodology question hearing_outcome).",
    ),
    (
        "next_hearing_date",
        ColumnType::Date,
        "Date set for the next hearing.",
    ),
    ("courtroom", ColumnType::String, "Courtroom, as written."),
    (
        "created_at",
        ColumnType::Datetime,
        "When the record was created.",
    ),
    (
        "updated_at",
        ColumnType::Datetime,
        "When the record was last changed.",
    ),
];

fn columns(dataset: Dataset, methodology: &'static Methodology) -> Vec<Source> {
    let fields = |list: &'static [(&'static str, ColumnType, &'static str)]| {
        list.iter().map(|(n, t, d)| Source::Field(n, *t, d))
    };
    match dataset {
        Dataset::Hearings => fields(HEARING_FIELDS).collect(),
        Dataset::Observations => fields(OBSERVATION_FIELDS)
            .chain(
                methodology
                    .questions_for(Scope::Observation)
                    .map(Source::Question),
            )
            .chain(fields(OBSERVATION_TRAILER))
            .collect(),
    }
}

fn yes_no_codes(not_applicable: bool) -> Vec<CodeLabel> {
    let mut codes = vec![
        ("yes", "Yes", "Po", "Da"),
        ("no", "No", "Jo", "Ne"),
        ("unknown", "Unknown", "E panjohur", "Nepoznato"),
    ];
    if not_applicable {
        codes.push((
            "not_applicable",
            "Not applicable",
            "Nuk aplikohet",
            "Nije primenljivo",
        ));
    }
    codes
        .into_iter()
        .map(|(code, en, sq, sr)| CodeLabel {
            code: code.into(),
            en: en.into(),
            sq: sq.into(),
            sr: sr.into(),
        })
        .collect()
}

fn question_codes(methodology: &Methodology, q: &Question) -> Vec<CodeLabel> {
    match &q.answer_type {
        AnswerType::YesNo { not_applicable } => yes_no_codes(*not_applicable),
        other => other
            .vocabulary()
            .and_then(|v| methodology.vocabulary(v))
            .map(|v| {
                v.terms
                    .iter()
                    .map(|t| CodeLabel {
                        code: t.code.clone(),
                        en: t.label.en.clone(),
                        sq: t.label.sq.clone(),
                        sr: t.label.sr.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn question_type(q: &Question) -> ColumnType {
    match q.answer_type {
        AnswerType::Number { integer: true, .. } => ColumnType::Integer,
        AnswerType::Number { .. } => ColumnType::Number,
        AnswerType::Date => ColumnType::Date,
        AnswerType::DateTime => ColumnType::Datetime,
        _ => ColumnType::String,
    }
}

/// The codebook: every column of every file, in file order.
pub fn codebook(methodology: &'static Methodology) -> Vec<CodebookColumn> {
    let mut out = Vec::new();
    for dataset in [Dataset::Hearings, Dataset::Observations] {
        for (i, source) in columns(dataset, methodology).iter().enumerate() {
            let position = u32::try_from(i + 1).unwrap_or(u32::MAX);
            out.push(match source {
                Source::Field(name, column_type, description) => CodebookColumn {
                    file: dataset.name().into(),
                    column: (*name).into(),
                    position,
                    column_type: *column_type,
                    description: (*description).into(),
                    answer_type: None,
                    multiple: false,
                    codes: Vec::new(),
                    question_en: None,
                    question_sq: None,
                    question_sr: None,
                    standard: None,
                    applies_when: None,
                    methodology_version: None,
                },
                Source::Question(q) => CodebookColumn {
                    file: dataset.name().into(),
                    column: q.code.clone(),
                    position,
                    column_type: question_type(q),
                    description: q.help.en.clone(),
                    answer_type: Some(q.answer_type.code().into()),
                    multiple: matches!(q.answer_type, AnswerType::MultipleChoice { .. }),
                    codes: question_codes(methodology, q),
                    question_en: Some(q.label.en.clone()),
                    question_sq: Some(q.label.sq.clone()),
                    question_sr: Some(q.label.sr.clone()),
                    standard: q.standard.clone(),
                    applies_when: q
                        .when
                        .as_ref()
                        .map(|w| format!("{} is one of: {}", w.question, w.any_of.join(", "))),
                    methodology_version: Some(methodology.version),
                },
            });
        }
    }
    out
}

/// The codebook as CSV (one row per column; codes as `code=English label` joined by `|`).
pub fn codebook_csv(methodology: &'static Methodology) -> Result<Vec<u8>, ServiceError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| ServiceError::Internal(format!("codebook: {e}"));
    writer
        .write_record([
            "file",
            "column",
            "position",
            "type",
            "answer_type",
            "multiple",
            "codes",
            "question_en",
            "question_sq",
            "question_sr",
            "standard",
            "applies_when",
            "methodology_version",
            "description",
        ])
        .map_err(internal)?;
    for c in codebook(methodology) {
        let codes: Vec<String> = c
            .codes
            .iter()
            .map(|l| format!("{}={}", l.code, l.en))
            .collect();
        let column_type = match c.column_type {
            ColumnType::String => "string",
            ColumnType::Integer => "integer",
            ColumnType::Number => "number",
            ColumnType::Date => "date",
            ColumnType::Datetime => "datetime",
        };
        writer
            .write_record([
                c.file,
                c.column,
                c.position.to_string(),
                column_type.into(),
                c.answer_type.unwrap_or_default(),
                c.multiple.to_string(),
                codes.join(MULTI_SEPARATOR),
                c.question_en.unwrap_or_default(),
                c.question_sq.unwrap_or_default(),
                c.question_sr.unwrap_or_default(),
                c.standard.unwrap_or_default(),
                c.applies_when.unwrap_or_default(),
                c.methodology_version
                    .map(|v| v.to_string())
                    .unwrap_or_default(),
                c.description,
            ])
            .map_err(internal)?;
    }
    writer
        .into_inner()
        .map_err(|e| ServiceError::Internal(format!("codebook: {e}")))
}

fn when(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn opt<T>(value: Option<T>, f: impl Fn(T) -> String) -> String {
    value.map(f).unwrap_or_default()
}

/// Turns records into rows.
struct Exporter {
    methodology: &'static Methodology,
    labels: Labels,
    columns: Vec<Source>,
}

impl Exporter {
    fn label(&self, q: &Question, code: &str) -> String {
        if self.labels == Labels::Codes {
            return code.to_string();
        }
        let found = question_codes(self.methodology, q)
            .into_iter()
            .find(|c| c.code == code);
        match (found, self.labels) {
            (Some(c), Labels::En) => c.en,
            (Some(c), Labels::Sq) => c.sq,
            (Some(c), Labels::Sr) => c.sr,
            // A code outside the vocabulary (cannot be stored, but never drop what is there).
            _ => code.to_string(),
        }
    }

    /// The cell of a question for a record with these merged answers.
    fn answer(&self, q: &Question, answers: &Map<String, Value>) -> String {
        if !self.methodology.applies(q, answers) {
            return NOT_ASKED.into();
        }
        match answers.get(&q.code) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => match q.answer_type {
                AnswerType::YesNo { .. } | AnswerType::SingleChoice { .. } => self.label(q, s),
                _ => s.clone(),
            },
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => self.label(q, s),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(MULTI_SEPARATOR),
            Some(Value::Number(n)) => n.to_string(),
            Some(other) => other.to_string(),
        }
    }

    /// One row: the single exit through which record values leave as files.
    fn row(&self, fields: &HashMap<&str, String>, answers: &Map<String, Value>) -> Vec<String> {
        self.columns
            .iter()
            .map(|c| match c {
                Source::Field(name, ..) => fields.get(name).cloned().unwrap_or_default(),
                Source::Question(q) => self.answer(q, answers),
            })
            .collect()
    }
}

/// Ids of the cases the filter selects, as a subquery.
fn cases_matching(filter: &CaseFilter) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(case::Column::Id)
        .from(case::Entity)
        .cond_where(filter.condition())
        .to_owned()
}

/// Hearings of the cases the filter selects.
fn hearing_condition(filter: &CaseFilter) -> Condition {
    hearing::Column::CaseId
        .in_subquery(cases_matching(filter))
        .into_condition()
}

/// Starts an export. Checks the request first (a bad request is an error before any byte is
/// sent), then streams the file: a database failure half-way aborts the response, so a client never
/// mistakes a cut-off file for a whole one.
pub fn stream(
    state: &AppState,
    dataset: Dataset,
    request: ExportRequest,
) -> Result<impl Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static, ServiceError> {
    let methodology = match request.methodology_version {
        None => state.methodology.latest(),
        Some(v) => state.methodology.get(v).ok_or_else(|| {
            ServiceError::BadRequest(format!(
                "methodology_version {v} does not exist; published versions: {}",
                state
                    .methodology
                    .all()
                    .iter()
                    .map(|m| m.version.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?,
    };
    let exporter = Exporter {
        methodology,
        labels: request.labels,
        columns: columns(dataset, methodology),
    };
    let (tx, rx) = mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let db = state.db.clone();
    tokio::spawn(async move {
        let result = produce(&db, dataset, &request, &exporter, &tx).await;
        if let Err(e) = result {
            tracing::warn!(error = %e, dataset = dataset.name(), "export failed half-way");
            let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
        }
    });
    Ok(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}

/// RFC 4180 with CRLF line ends, quoting only where needed.
fn csv_writer(start: Vec<u8>) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(start)
}

/// Collects CSV text and hands it to the client in chunks.
struct Sink<'a> {
    writer: csv::Writer<Vec<u8>>,
    tx: &'a mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
}

impl Sink<'_> {
    async fn write(&mut self, row: &[String]) -> Result<(), ServiceError> {
        self.writer
            .write_record(row)
            .map_err(|e| ServiceError::Internal(format!("csv: {e}")))?;
        if self.writer.get_ref().len() >= CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), ServiceError> {
        self.writer
            .flush()
            .map_err(|e| ServiceError::Internal(format!("csv: {e}")))?;
        let chunk = std::mem::replace(&mut self.writer, csv_writer(Vec::new()))
            .into_inner()
            .map_err(|e| ServiceError::Internal(format!("csv: {e}")))?;
        if !chunk.is_empty() && self.tx.send(Ok(chunk)).await.is_err() {
            // The client went away: stop reading the database.
            return Err(ServiceError::Internal("client disconnected".into()));
        }
        Ok(())
    }
}

async fn produce(
    db: &sea_orm::DatabaseConnection,
    dataset: Dataset,
    request: &ExportRequest,
    exporter: &Exporter,
    tx: &mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
) -> Result<(), ServiceError> {
    let start = if request.bom {
        "\u{feff}".as_bytes().to_vec()
    } else {
        Vec::new()
    };
    let mut sink = Sink {
        writer: csv_writer(start),
        tx,
    };
    let header: Vec<String> = exporter
        .columns
        .iter()
        .map(|c| c.name().to_string())
        .collect();
    sink.write(&header).await?;
    let mut after = String::new();
    loop {
        let count = match dataset {
            Dataset::Hearings => {
                hearings_batch(db, request, exporter, &mut after, &mut sink).await?
            }
            Dataset::Observations => {
                observations_batch(db, request, exporter, &mut after, &mut sink).await?
            }
        };
        if count < BATCH as usize {
            break;
        }
    }
    sink.flush().await
}

async fn hearings_batch(
    db: &sea_orm::DatabaseConnection,
    request: &ExportRequest,
    exporter: &Exporter,
    after: &mut String,
    sink: &mut Sink<'_>,
) -> Result<usize, ServiceError> {
    let rows = hearing::Entity::find()
        .filter(hearing::Column::Id.gt(after.as_str()))
        .filter(hearing_condition(&request.filter))
        .order_by_asc(hearing::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let empty = Map::new();
    for h in &rows {
        let fields = HashMap::from([
            ("hearing_id", h.id.clone()),
            ("case_id", h.case_id.clone()),
            ("scheduled_at", when(h.scheduled_at)),
            ("started_at", opt(h.started_at, when)),
            ("ended_at", opt(h.ended_at, when)),
            ("hearing_type", h.hearing_type.clone()),
            ("outcome", h.outcome.clone()),
            (
                "next_hearing_date",
                opt(h.next_hearing_date, |d| d.to_string()),
            ),
            ("courtroom", h.courtroom.clone().unwrap_or_default()),
            ("created_at", when(h.created_at)),
            ("updated_at", when(h.updated_at)),
        ]);
        sink.write(&exporter.row(&fields, &empty)).await?;
    }
    if let Some(last) = rows.last() {
        after.clone_from(&last.id);
    }
    Ok(rows.len())
}

async fn observations_batch(
    db: &sea_orm::DatabaseConnection,
    request: &ExportRequest,
    exporter: &Exporter,
    after: &mut String,
    sink: &mut Sink<'_>,
) -> Result<usize, ServiceError> {
    let version = i32::try_from(exporter.methodology.version).unwrap_or(i32::MAX);
    let rows = observation::Entity::find()
        .filter(observation::Column::Id.gt(after.as_str()))
        .filter(observation::Column::MethodologyVersion.eq(version))
        // Drafts are work in progress: datasets hold submitted observations only.
        .filter(observation::Column::Status.eq("submitted"))
        .filter(
            observation::Column::HearingId.in_subquery(
                Query::select()
                    .column(hearing::Column::Id)
                    .from(hearing::Entity)
                    .cond_where(hearing_condition(&request.filter))
                    .to_owned(),
            ),
        )
        .order_by_asc(observation::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let hearing_ids: Vec<String> = rows.iter().map(|o| o.hearing_id.clone()).collect();
    let hearings: HashMap<String, hearing::Model> = hearing::Entity::find()
        .filter(hearing::Column::Id.is_in(hearing_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|h| (h.id.clone(), h))
        .collect();
    for o in &rows {
        let hearing = hearings.get(&o.hearing_id).ok_or_else(|| {
            ServiceError::Internal(format!("observation {} without its hearing", o.id))
        })?;
        let answers = parse_answers(&o.answers)?;
        let mut ignored = Vec::new();
        let merged = merge_answers(
            exporter.methodology,
            Scope::Observation,
            &answers,
            hearing_fields(hearing),
            &mut ignored,
        );
        let fields = HashMap::from([
            ("observation_id", o.id.clone()),
            ("hearing_id", o.hearing_id.clone()),
            ("case_id", hearing.case_id.clone()),
            ("methodology_version", o.methodology_version.to_string()),
            ("status", o.status.clone()),
            ("submitted_at", opt(o.submitted_at, when)),
            ("notes", o.notes.clone().unwrap_or_default()),
            ("created_at", when(o.created_at)),
            ("updated_at", when(o.updated_at)),
        ]);
        sink.write(&exporter.row(&fields, &merged)).await?;
    }
    if let Some(last) = rows.last() {
        after.clone_from(&last.id);
    }
    Ok(rows.len())
}
