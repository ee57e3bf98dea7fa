//! Datasets for policy authors: CSV files streamed from the database, and their codebook.
//!
//! **Every exported cell passes through [`Exporter::write_row`]**, which redacts free text (prose
//! columns and free-text answers) with the sensitive terms of the row's case and the identifying
//! patterns of [`crate::redact`]; datasets are always redacted, whoever downloads them. Rows are read in keyset-paged batches (no row cap, flat
//! memory, no database connection held while a slow client reads) and written to the client through
//! a small bounded channel, so a slow reader only slows its own export.
//!
//! Encoding (documented in the codebook and README): RFC 4180, UTF-8, `\r\n` line ends, a header
//! row of stable column names. Choice answers are codes (or labels with `labels=en|sq|sr`);
//! multiple-choice answers are joined by [`MULTI_SEPARATOR`]. An **empty cell** is a question that
//! applied but was not answered; **`NA`** ([`NOT_ASKED`]) is a question that did not apply to the
//! record (its `when` condition was not met), so it was never asked.

mod answers;
mod codebook;
mod observations;
mod rows;

pub use codebook::{PackageOptions, codebook, codebook_csv, datapackage};
use codebook::{codebook_value, source_codes};

use std::{
    borrow::Cow,
    collections::{HashMap, HashSet},
    fmt::Write as _,
};

use answers::Answer;
use rows::Rows;

use chrono::{DateTime, SecondsFormat, Utc};
use courtwatch_indexer::Kind;
use courtwatch_methodology::{AnswerType, Condition as AskedWhen, Methodology, Question, Scope};
use futures_util::Stream;
use poem_openapi::{Enum, Object};
use rustc_hash::FxHashMap;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{IntoCondition, Query},
};
use serde_json::{Map, Value};
use tokio::sync::mpsc;

use crate::{
    access::policy,
    entities::{case, case_ground, court, hearing, observation, party, ruling},
    error::ServiceError,
    redact::Redactor,
    services::{
        case::{CaseFilter, case_fields},
        common::{keyset_batch, parse_answers, published_versions},
        ruling::ruling_fields,
        sensitive,
    },
    state::AppState,
};

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
    /// Only records the search query matches (the query language of `/search`; cases,
    /// observations and rulings).
    pub q: Option<String>,
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

impl ColumnType {
    /// The Table Schema type name.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::String => "string",
            ColumnType::Integer => "integer",
            ColumnType::Number => "number",
            ColumnType::Date => "date",
            ColumnType::Datetime => "datetime",
        }
    }
}

/// An allowed code of a column, with its labels.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
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

impl CodeLabel {
    /// A methodology term's code and labels.
    fn of(t: &courtwatch_methodology::Term) -> Self {
        Self {
            code: t.code.clone(),
            en: t.label.en.clone(),
            sq: t.label.sq.clone(),
            sr: t.label.sr.clone(),
        }
    }

    fn text(&self, labels: Labels) -> &str {
        match labels {
            Labels::Codes => &self.code,
            Labels::En => &self.en,
            Labels::Sq => &self.sq,
            Labels::Sr => &self.sr,
        }
    }
}

/// One column of one file, as described in the codebook.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
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

/// A fixed (non-question) column of a file.
#[derive(Debug)]
struct FieldColumn {
    name: &'static str,
    column_type: ColumnType,
    description: &'static str,
    /// Methodology vocabulary of its codes, for coded columns.
    vocabulary: Option<&'static str>,
    /// Several codes joined by [`MULTI_SEPARATOR`].
    multiple: bool,
    /// Free text written by people: goes out redacted (see [`crate::redact`]).
    prose: bool,
}

const fn field(
    name: &'static str,
    column_type: ColumnType,
    description: &'static str,
) -> FieldColumn {
    FieldColumn {
        name,
        column_type,
        description,
        vocabulary: None,
        multiple: false,
        prose: false,
    }
}

/// A free-text column (written by people; exported redacted).
const fn prose(name: &'static str, description: &'static str) -> FieldColumn {
    FieldColumn {
        name,
        column_type: ColumnType::String,
        description,
        vocabulary: None,
        multiple: false,
        prose: true,
    }
}

const fn coded(
    name: &'static str,
    vocabulary: &'static str,
    multiple: bool,
    description: &'static str,
) -> FieldColumn {
    FieldColumn {
        name,
        column_type: ColumnType::String,
        description,
        vocabulary: Some(vocabulary),
        multiple,
        prose: false,
    }
}

/// A column: fixed record fields first, then methodology questions in methodology order.
#[derive(Debug, Clone, Copy)]
enum Source {
    Field(&'static FieldColumn),
    Question(&'static Question),
}

impl Source {
    fn name(&self) -> &str {
        match self {
            Source::Field(f) => f.name,
            Source::Question(q) => &q.code,
        }
    }
}

use ColumnType::{Date, Datetime, Integer, String as Text};

const CREATED_AT: FieldColumn = field("created_at", Datetime, "When the record was created.");
const UPDATED_AT: FieldColumn = field("updated_at", Datetime, "When the record was last changed.");
const FULL_TEXT: FieldColumn = prose(
    "full_text",
    "The ruling's full text, redacted (only in files exported with full_text=true).",
);

const CASE_FIELDS: &[FieldColumn] = &[
    field("case_id", Text, "Case id (primary key)."),
    field("court_id", Text, "The court hearing the case."),
    field("court_name", Text, "The court's name."),
    field(
        "organisation_id",
        Text,
        "The organisation monitoring the case.",
    ),
    prose(
        "title",
        "Short descriptive title, without personal names (redacted).",
    ),
    prose("summary", "Neutral summary of the case, redacted."),
    field(
        "methodology_version",
        Integer,
        "Methodology version the case's answers follow.",
    ),
];

const PARTY_FIELDS: &[FieldColumn] = &[
    field("party_id", Text, "Party id (primary key)."),
    field("case_id", Text, "The case (cases.csv case_id)."),
    coded("role", "party_role", false, "Role in the proceeding."),
    coded("kind", "party_kind", false, "Kind of party."),
    prose("pseudonym", "Pseudonym used for the party in all records."),
    coded(
        "characteristics",
        "ground",
        true,
        "Protected characteristics relevant to the case.",
    ),
    coded(
        "representation",
        "representation",
        false,
        "Legal representation.",
    ),
];

const HEARING_FIELDS: &[FieldColumn] = &[
    field("hearing_id", Text, "Hearing id (primary key)."),
    field("case_id", Text, "The case (cases.csv case_id)."),
    field(
        "scheduled_at",
        Datetime,
        "When the hearing was scheduled to start.",
    ),
    field(
        "started_at",
        Datetime,
        "When it actually started (empty if it did not).",
    ),
    field("ended_at", Datetime, "When it ended."),
    coded("hearing_type", "hearing_type", false, "Type of hearing."),
    coded(
        "outcome",
        "hearing_outcome",
        false,
        "What happened at the hearing.",
    ),
    field("next_hearing_date", Date, "Date set for the next hearing."),
    prose("courtroom", "Courtroom, as written (redacted)."),
];

const OBSERVATION_FIELDS: &[FieldColumn] = &[
    field("observation_id", Text, "Observation id (primary key)."),
    field(
        "hearing_id",
        Text,
        "The hearing observed (hearings.csv hearing_id).",
    ),
    field("case_id", Text, "The hearing's case (cases.csv case_id)."),
    field(
        "methodology_version",
        Integer,
        "Methodology version the observation was recorded under.",
    ),
    field(
        "status",
        Text,
        "published: datasets hold published observations of published cases only.",
    ),
    field("submitted_at", Datetime, "When it was submitted."),
    prose("notes", "The monitor's narrative notes, redacted."),
];

const RULING_FIELDS: &[FieldColumn] = &[
    field("ruling_id", Text, "Ruling id (primary key)."),
    field(
        "case_id",
        Text,
        "The monitored case it decides (cases.csv case_id); empty for stand-alone case law.",
    ),
    field(
        "court_id",
        Text,
        "The court, when it is a court in courtwatch.",
    ),
    prose(
        "external_id",
        "The ruling's id in the collection it was imported from (redacted).",
    ),
    prose("court_name", "The court's name as given (redacted)."),
    field(
        "jurisdiction",
        Text,
        "Jurisdiction (XK, RS, ME, ECHR, ...).",
    ),
    prose("title", "Title of the ruling (redacted)."),
    field("language", Text, "Language of the text (BCP 47 tag)."),
    prose("source", "Where the text comes from (redacted)."),
    prose(
        "metadata",
        "Other fields of the source record, as a JSON object (redacted).",
    ),
    field(
        "text_length",
        Integer,
        "Length of the full text in characters.",
    ),
    field(
        "methodology_version",
        Integer,
        "Methodology version the ruling's answers follow.",
    ),
];

fn columns(dataset: Dataset, methodology: &'static Methodology, full_text: bool) -> Vec<Source> {
    let fields = |list: &'static [FieldColumn]| list.iter().map(Source::Field);
    let questions = |scope| methodology.questions_for(scope).map(Source::Question);
    let trailer = [Source::Field(&CREATED_AT), Source::Field(&UPDATED_AT)];
    let mut out: Vec<Source> = match dataset {
        Dataset::Cases => fields(CASE_FIELDS).chain(questions(Scope::Case)).collect(),
        Dataset::Parties => fields(PARTY_FIELDS).collect(),
        Dataset::Hearings => fields(HEARING_FIELDS).collect(),
        Dataset::Observations => fields(OBSERVATION_FIELDS)
            .chain(questions(Scope::Observation))
            .collect(),
        Dataset::Rulings => fields(RULING_FIELDS)
            .chain(questions(Scope::Ruling))
            .collect(),
    };
    if dataset == Dataset::Rulings && full_text {
        out.push(Source::Field(&FULL_TEXT));
    }
    out.extend(trailer);
    out
}

fn when(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn opt<T>(value: Option<T>, f: impl Fn(T) -> String) -> String {
    value.map(f).unwrap_or_default()
}

/// One exported column, with its code → label map when labels are asked for.
struct Column {
    source: Source,
    labels: Option<FxHashMap<String, String>>,
    /// For a question column: its slot in a row's answers (see [`Exporter::slots`]).
    slot: Option<usize>,
    /// For a question column: the conditions that must hold for it to have been asked, each
    /// with the slot of the question it looks at.
    conditions: Vec<(Option<usize>, &'static AskedWhen)>,
}

/// Turns records into rows.
struct Exporter {
    methodology: &'static Methodology,
    columns: Vec<Column>,
    /// Record field → code of the question it answers, for the file's record kind.
    field_codes: HashMap<&'static str, &'static str>,
    /// Question code → slot: a row's answers are read once into an array of slots, then every
    /// column and condition reads its slot (instead of a map lookup per cell).
    slots: FxHashMap<&'static str, usize>,
    /// The fixed columns' names, in file order: a row's field values come in this order.
    field_names: Vec<&'static str>,
    /// For observations.csv: the hearing facts that answer field-bound questions, each with the
    /// question's slot.
    fact_slots: Vec<(&'static str, usize)>,
    /// Excel mode (`bom=true`): cells Excel would run as formulas are neutralised.
    excel: bool,
}

impl Exporter {
    /// The methodology version as stored.
    fn version(&self) -> i32 {
        i32::try_from(self.methodology.version).unwrap_or(i32::MAX)
    }

    fn new(
        methodology: &'static Methodology,
        dataset: Dataset,
        labels: Labels,
        full_text: bool,
    ) -> Self {
        let slots: FxHashMap<&'static str, usize> = methodology
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| (q.code.as_str(), i))
            .collect();
        let columns = columns(dataset, methodology, full_text)
            .into_iter()
            .map(|source| {
                let codes = source_codes(methodology, &source);
                let labels = (labels != Labels::Codes && !codes.is_empty()).then(|| {
                    codes
                        .iter()
                        .map(|c| (c.code.clone(), c.text(labels).to_string()))
                        .collect()
                });
                let (slot, conditions) = match &source {
                    Source::Question(q) => (
                        slots.get(q.code.as_str()).copied(),
                        methodology
                            .conditions_of(q)
                            .into_iter()
                            .map(|c| (slots.get(c.question.as_str()).copied(), c))
                            .collect(),
                    ),
                    Source::Field(_) => (None, Vec::new()),
                };
                Column {
                    source,
                    labels,
                    slot,
                    conditions,
                }
            })
            .collect::<Vec<Column>>();
        let field_names = columns
            .iter()
            .filter_map(|c| match c.source {
                Source::Field(f) => Some(f.name),
                Source::Question(_) => None,
            })
            .collect();
        let scope = match dataset {
            Dataset::Cases => Some(Scope::Case),
            Dataset::Observations => Some(Scope::Observation),
            Dataset::Rulings => Some(Scope::Ruling),
            Dataset::Parties | Dataset::Hearings => None,
        };
        let field_codes: HashMap<&'static str, &'static str> = scope
            .map(|scope| {
                methodology
                    .questions_for(scope)
                    .filter_map(|q| Some((q.field.as_deref()?, q.code.as_str())))
                    .collect()
            })
            .unwrap_or_default();
        let fact_slots = if dataset == Dataset::Observations {
            field_codes
                .iter()
                .filter_map(|(field, code)| Some((*field, *slots.get(code)?)))
                .collect()
        } else {
            Vec::new()
        };
        Exporter {
            methodology,
            columns,
            field_codes,
            slots,
            field_names,
            fact_slots,
            excel: false,
        }
    }

    fn header(&self) -> Vec<String> {
        self.columns
            .iter()
            .map(|c| c.source.name().to_string())
            .collect()
    }

    /// A code as exported: itself, or its label. A code outside the vocabulary (which cannot be
    /// stored) is kept as it is, never dropped.
    fn label<'a>(column: &'a Column, code: &'a str) -> &'a str {
        column
            .labels
            .as_ref()
            .and_then(|m| m.get(code))
            .map_or(code, String::as_str)
    }

    /// The cell of a coded field holding one code or codes joined by [`MULTI_SEPARATOR`].
    fn coded(column: &Column, value: &str) -> String {
        if column.labels.is_none() || value.is_empty() {
            return value.to_string();
        }
        value
            .split(MULTI_SEPARATOR)
            .map(|code| Self::label(column, code))
            .collect::<Vec<_>>()
            .join(MULTI_SEPARATOR)
    }

    /// Merges a record's stored answers with the fields that answer its field-bound questions
    /// (stored answers were validated, so none of them is field-bound).
    fn merge(
        &self,
        mut answers: Map<String, Value>,
        fields: Vec<(&'static str, Option<Value>)>,
    ) -> Map<String, Value> {
        for (field, value) in fields {
            if let (Some(code), Some(value)) = (self.field_codes.get(field), value) {
                answers.insert((*code).to_string(), value);
            }
        }
        answers
    }

    /// Writes one row: the single exit through which record values leave as files. Free text
    /// (prose columns and free-text answers) passes through the row's case redactor. `fields`
    /// are the fixed columns' values in [`Exporter::field_names`] order, `answers` the record's
    /// answers by slot.
    fn write_row(
        &self,
        out: &mut Rows,
        scratch: &mut String,
        fields: &[Cow<'_, str>],
        answers: &[Option<Answer<'_>>],
        redactor: &Redactor,
    ) -> Result<(), String> {
        let answer = |slot: Option<usize>| slot.and_then(|i| answers[i].as_ref());
        let mut field = fields.iter();
        for c in &self.columns {
            match c.source {
                Source::Field(f) => {
                    let value = field.next().map_or("", |v| v.as_ref());
                    if f.prose {
                        out.field(&redactor.apply(value));
                    } else if f.vocabulary.is_some() && c.labels.is_some() {
                        out.field(&Self::coded(c, value));
                    } else {
                        out.field(value);
                    }
                }
                Source::Question(q) => {
                    if !c.conditions.iter().all(|(slot, condition)| {
                        answer(*slot).is_some_and(|a| condition.holds_for_codes(a.codes()))
                    }) {
                        out.field(NOT_ASKED);
                        continue;
                    }
                    match answer(c.slot) {
                        None | Some(Answer::Null) => out.field(""),
                        Some(Answer::Text(s))
                            if matches!(q.answer_type, AnswerType::Text { .. }) =>
                        {
                            out.field(&redactor.apply(s));
                        }
                        Some(Answer::Text(s)) => out.field(Self::label(c, s)),
                        Some(Answer::List(items)) => {
                            scratch.clear();
                            for (i, item) in items.iter().enumerate() {
                                if i > 0 {
                                    scratch.push_str(MULTI_SEPARATOR);
                                }
                                match item {
                                    Answer::Text(s) => scratch.push_str(Self::label(c, s)),
                                    Answer::Null => scratch.push_str("null"),
                                    Answer::Other(v) => {
                                        let _ = write!(scratch, "{v}");
                                    }
                                    Answer::List(_) => {
                                        let _ = write!(scratch, "{}", item.to_value());
                                    }
                                }
                            }
                            out.field(&*scratch);
                        }
                        Some(Answer::Other(v)) => {
                            scratch.clear();
                            let _ = write!(scratch, "{v}");
                            out.field(&*scratch);
                        }
                    }
                }
            }
        }
        out.end_row()
    }
}

/// Records whose `case_id` is a case the filter selects.
pub(crate) fn of_cases(column: impl ColumnTrait, filter: &CaseFilter) -> Condition {
    let cases = filter.condition();
    if cases.is_empty() {
        // No filter: every record has a case (foreign key), so there is nothing to check — and a
        // subquery over all cases would be evaluated again for every batch.
        return Condition::all();
    }
    column
        .in_subquery(
            Query::select()
                .column(case::Column::Id)
                .from(case::Entity)
                .cond_where(cases)
                .to_owned(),
        )
        .into_condition()
}

/// Rulings the filter selects: jurisdiction and court apply to the ruling itself (so stand-alone
/// case law is included); the other filters are about a monitored case, so they select rulings
/// attached to such a case.
pub(crate) fn ruling_condition(filter: &CaseFilter) -> Condition {
    let mut condition = Condition::all();
    if let Some(jurisdiction) = &filter.jurisdiction {
        condition = condition.add(ruling::Column::Jurisdiction.eq(jurisdiction.as_str()));
    }
    if let Some(court_id) = &filter.court_id {
        condition = condition.add(ruling::Column::CourtId.eq(court_id.as_str()));
    }
    if filter.released {
        condition = condition.add(policy::released_rulings());
    }
    let about_case = CaseFilter {
        jurisdiction: None,
        court_id: None,
        released: false,
        ..filter.clone()
    };
    if about_case.condition().is_empty() {
        condition
    } else {
        condition.add(of_cases(ruling::Column::CaseId, &about_case))
    }
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

/// Ids of the records of the file's kind that the search query matches: public documents, i.e.
/// released records only, the same records datasets hold.
fn search_ids(state: &AppState, dataset: Dataset, q: &str) -> Result<Vec<String>, ServiceError> {
    let kind = match dataset {
        Dataset::Cases => Kind::Case,
        Dataset::Observations => Kind::Observation,
        Dataset::Rulings => Kind::Ruling,
        Dataset::Parties | Dataset::Hearings => {
            return Err(ServiceError::BadRequest(format!(
                "q: {}.csv cannot be selected by a search query (searchable files: cases.csv, \
                 observations.csv, rulings.csv)",
                dataset.name()
            )));
        }
    };
    crate::services::search::released_ids(state, q, kind).map_err(|e| match e {
        ServiceError::BadRequest(reason) => ServiceError::BadRequest(format!("q: {reason}")),
        other => other,
    })
}

/// Starts an export. Checks the request first (a bad request is an error before any byte is
/// sent), then streams the file: a database failure half-way aborts the response, so a client never
/// mistakes a cut-off file for a whole one.
pub fn stream(
    state: &AppState,
    dataset: Dataset,
    request: ExportRequest,
) -> Result<impl Stream<Item = Result<Vec<u8>, std::io::Error>> + Send + 'static, ServiceError> {
    let methodology = resolve_methodology(state, request.methodology_version)?;
    // Datasets are releases: published records only, whoever asks.
    let request = ExportRequest {
        filter: request.filter.released(),
        ..request
    };
    let mut exporter = Exporter::new(methodology, dataset, request.labels, request.full_text);
    exporter.excel = request.bom;
    let only = match request.q.as_deref() {
        None => None,
        Some(q) => Some(std::sync::Arc::new(search_ids(state, dataset, q)?)),
    };
    let exporter = std::sync::Arc::new(exporter);
    let (tx, rx) = mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let db = state.db.clone();
    tokio::spawn(async move {
        let result = produce(&db, dataset, &request, &exporter, only, &tx).await;
        if let Err(e) = result {
            tracing::warn!(error = %e, dataset = dataset.name(), "export failed half-way");
            let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
        }
    });
    Ok(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}

/// A record read as a map: its fixed fields and its merged answers (every file but
/// observations.csv, whose rows are read where they are written: see [`observations`]).
type Prepared = (FxHashMap<&'static str, String>, Map<String, Value>);

/// A batch of records as read.
enum Records {
    Prepared(Vec<Prepared>),
    Observations(observations::RawBatch),
}

/// Records ready to be written, with the redactors of their cases.
struct Batch {
    records: Records,
    redactors: HashMap<String, Redactor>,
}

/// Adds the redactors of the records' cases (one query per batch).
async fn with_redactors(
    db: &sea_orm::DatabaseConnection,
    records: Records,
) -> Result<Batch, ServiceError> {
    let redactors = {
        let cases: HashSet<&str> = match &records {
            Records::Prepared(rows) => rows
                .iter()
                .filter_map(|(fields, _)| fields.get("case_id"))
                .map(String::as_str)
                .filter(|id| !id.is_empty())
                .collect(),
            Records::Observations(raw) => raw.case_ids()?,
        };
        sensitive::redactors(db, &cases).await?
    };
    Ok(Batch { records, redactors })
}

/// Formats one batch as CSV rows (CPU work, run on a blocking thread).
fn format_batch(
    exporter: &Exporter,
    batch: &Batch,
    patterns: &Redactor,
) -> Result<Vec<u8>, ServiceError> {
    let csv_error = |e: String| ServiceError::internal_from("csv", e);
    let mut out = Rows::new(Vec::with_capacity(CHUNK), Some(exporter.columns.len()))
        .excel_safe(exporter.excel);
    let mut scratch = String::new();
    let redactor = |case_id: &str| batch.redactors.get(case_id).unwrap_or(patterns);
    let mut fields: Vec<Cow<'_, str>> = Vec::with_capacity(exporter.field_names.len());
    let mut answers: Vec<Option<Answer<'_>>> = vec![None; exporter.slots.len()];
    match &batch.records {
        Records::Prepared(rows) => {
            for (values, merged) in rows {
                fields.clear();
                fields.extend(
                    exporter
                        .field_names
                        .iter()
                        .map(|name| Cow::Borrowed(values.get(name).map_or("", String::as_str))),
                );
                answers.fill(None);
                for (code, value) in merged {
                    if let Some(&slot) = exporter.slots.get(code.as_str()) {
                        answers[slot] = Some(Answer::of_value(value));
                    }
                }
                let case = values.get("case_id").map_or("", String::as_str);
                exporter
                    .write_row(&mut out, &mut scratch, &fields, &answers, redactor(case))
                    .map_err(csv_error)?;
            }
        }
        Records::Observations(raw) => {
            for cells in raw.cells()? {
                // Datasets hold published observations of published cases only (checked here,
                // not in SQL: see `observations::fetch_batch`).
                if cells.status != policy::PUBLISHED
                    || cells.case_review_status != policy::PUBLISHED
                {
                    continue;
                }
                fields.clear();
                for name in &exporter.field_names {
                    fields.push(cells.field(name).ok_or_else(|| {
                        ServiceError::internal(format!("observations.csv: no value for {name}"))
                    })?);
                }
                answers::read_into(cells.answers, &exporter.slots, &mut answers).map_err(|e| {
                    ServiceError::internal_from(format!("observation {}", cells.id), e)
                })?;
                for &(field, slot) in &exporter.fact_slots {
                    answers[slot] = cells.fact(field)?;
                }
                exporter
                    .write_row(
                        &mut out,
                        &mut scratch,
                        &fields,
                        &answers,
                        redactor(&cells.case_id),
                    )
                    .map_err(csv_error)?;
            }
        }
    }
    Ok(out.into_inner())
}

/// Batches formatted at once: a reader task fetches batches while up to this many are formatted
/// on blocking threads, and their text goes to the client in order.
const FORMATTING: usize = 2;

/// Writes the file.
async fn produce(
    db: &sea_orm::DatabaseConnection,
    dataset: Dataset,
    request: &ExportRequest,
    exporter: &std::sync::Arc<Exporter>,
    only: Option<std::sync::Arc<Vec<String>>>,
    tx: &mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
) -> Result<(), ServiceError> {
    let start = if request.bom {
        "\u{feff}".as_bytes().to_vec()
    } else {
        Vec::new()
    };
    let mut header = Rows::new(start, None);
    header
        .row(&exporter.header())
        .map_err(|e| ServiceError::internal_from("csv", e))?;
    if tx.send(Ok(header.into_inner())).await.is_err() {
        return Err(ServiceError::internal("client disconnected"));
    }
    let (batches_tx, mut batches) = mpsc::channel(2);
    let reader = tokio::spawn(read_batches(
        db.clone(),
        dataset,
        request.clone(),
        exporter.clone(),
        only,
        batches_tx,
    ));
    let patterns = std::sync::Arc::new(Redactor::patterns_only());
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
/// Fetches the file's records in keyset batches and sends them with their redactors; stops when
/// the writer goes away.
async fn read_batches(
    db: sea_orm::DatabaseConnection,
    dataset: Dataset,
    request: ExportRequest,
    exporter: std::sync::Arc<Exporter>,
    only: Option<std::sync::Arc<Vec<String>>>,
    batches: mpsc::Sender<Result<Batch, ServiceError>>,
) {
    if dataset == Dataset::Observations && only.is_none() {
        if let Err(e) = read_observations_prefetching(&db, &request, &exporter, &batches).await {
            let _ = batches.send(Err(e)).await;
        }
        return;
    }
    let (db, request, exporter) = (&db, &request, &*exporter);
    let mut after = String::new();
    loop {
        // With a search, the rows are those among the next BATCH matching ids.
        let chunk: Option<Vec<String>> = only.as_deref().map(|ids| {
            let start = ids.partition_point(|id| id.as_str() <= after.as_str());
            ids[start..(start + BATCH as usize).min(ids.len())].to_vec()
        });
        let condition = match (&chunk, dataset) {
            (Some(ids), Dataset::Cases) => case::Column::Id.is_in(ids.clone()).into_condition(),
            (Some(ids), Dataset::Observations) => {
                observation::Column::Id.is_in(ids.clone()).into_condition()
            }
            (Some(ids), Dataset::Rulings) => ruling::Column::Id.is_in(ids.clone()).into_condition(),
            _ => Condition::all(),
        };
        let (a, c) = (&mut after, condition);
        let prepared = |(count, rows)| (count, Records::Prepared(rows));
        let fetched = match dataset {
            Dataset::Cases => cases_batch(db, request, exporter, a, c).await.map(prepared),
            Dataset::Parties => parties_batch(db, request, a, c).await.map(prepared),
            Dataset::Rulings => rulings_batch(db, request, exporter, a, c)
                .await
                .map(prepared),
            Dataset::Hearings => hearings_batch(db, request, a, c).await.map(prepared),
            Dataset::Observations => observations_batch(db, request, exporter, a, c).await,
        };
        let fetched = match fetched {
            Ok((count, rows)) => with_redactors(db, rows).await.map(|b| (count, b)),
            Err(e) => Err(e),
        };
        let count = match fetched {
            Ok((count, batch)) => {
                if batches.send(Ok(batch)).await.is_err() {
                    return;
                }
                count
            }
            Err(e) => {
                let _ = batches.send(Err(e)).await;
                return;
            }
        };
        match chunk {
            Some(ids) => match ids.last() {
                Some(last) => after.clone_from(last),
                None => return,
            },
            None if count < BATCH as usize => return,
            None => {}
        }
    }
}

async fn hearings_batch(
    db: &sea_orm::DatabaseConnection,
    request: &ExportRequest,
    after: &mut String,
    only: Condition,
) -> Result<(usize, Vec<Prepared>), ServiceError> {
    let mut out = Vec::new();
    let rows = keyset_batch(
        db,
        hearing::Entity::find()
            .filter(only)
            .filter(of_cases(hearing::Column::CaseId, &request.filter)),
        hearing::Column::Id,
        |m| &m.id,
        after,
        BATCH,
    )
    .await?;
    for h in &rows {
        let fields = FxHashMap::from_iter([
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
        out.push((fields, Map::new()));
    }
    Ok((rows.len(), out))
}

async fn observations_batch(
    db: &sea_orm::DatabaseConnection,
    request: &ExportRequest,
    exporter: &Exporter,
    after: &mut String,
    only: Condition,
) -> Result<(usize, Records), ServiceError> {
    let raw =
        observations::fetch_batch(db, &request.filter, exporter.version(), after, only).await?;
    if let Some(last) = raw.last()? {
        *after = last;
    }
    Ok((raw.count(), Records::Observations(raw)))
}

/// observations.csv without a search: the next batch is asked for as soon as this one has
/// arrived, while this one's redactors are read and it is formatted.
async fn read_observations_prefetching(
    db: &sea_orm::DatabaseConnection,
    request: &ExportRequest,
    exporter: &std::sync::Arc<Exporter>,
    batches: &mpsc::Sender<Result<Batch, ServiceError>>,
) -> Result<(), ServiceError> {
    // Spawned, so that it runs on another worker while this task waits for the redactors and
    // for room in the channel.
    let fetch = |after: String| {
        let (db, filter, version) = (db.clone(), request.filter.clone(), exporter.version());
        tokio::spawn(async move {
            observations::fetch_batch(&db, &filter, version, &after, Condition::all()).await
        })
    };
    let mut next = Some(fetch(String::new()));
    while let Some(pending) = next.take() {
        let raw = pending
            .await
            .map_err(|e| ServiceError::internal_from("export reader", e))??;
        if raw.count() == BATCH as usize
            && let Some(last) = raw.last()?
        {
            next = Some(fetch(last));
        }
        // The redactors of the batch's cases are read while the next batch is (on another
        // pooled connection).
        let batch = with_redactors(db, Records::Observations(raw)).await?;
        if batches.send(Ok(batch)).await.is_err() {
            if let Some(pending) = next {
                pending.abort();
            }
            return Ok(());
        }
    }
    Ok(())
}

async fn cases_batch(
    db: &sea_orm::DatabaseConnection,
    request: &ExportRequest,
    exporter: &Exporter,
    after: &mut String,
    only: Condition,
) -> Result<(usize, Vec<Prepared>), ServiceError> {
    let mut out = Vec::new();
    let rows = keyset_batch(
        db,
        case::Entity::find()
            .filter(only)
            .filter(request.filter.condition())
            .filter(case::Column::MethodologyVersion.eq(exporter.version())),
        case::Column::Id,
        |m| &m.id,
        after,
        BATCH,
    )
    .await?;
    let ids: Vec<String> = rows.iter().map(|c| c.id.clone()).collect();
    let court_ids: Vec<String> = rows.iter().map(|c| c.court_id.clone()).collect();
    let courts: HashMap<String, court::Model> = court::Entity::find()
        .filter(court::Column::Id.is_in(court_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect();
    let mut grounds: HashMap<String, Vec<String>> = HashMap::new();
    for g in case_ground::Entity::find()
        .filter(case_ground::Column::CaseId.is_in(ids))
        .order_by_asc(case_ground::Column::Ground)
        .all(db)
        .await?
    {
        grounds.entry(g.case_id).or_default().push(g.ground);
    }
    let no_grounds = Vec::new();
    for c in &rows {
        let court = courts
            .get(&c.court_id)
            .ok_or_else(|| ServiceError::internal(format!("case {} without its court", c.id)))?;
        let answers = parse_answers(&c.answers)?;
        let fields = case_fields(
            court,
            &c.case_number,
            &c.proceeding_type,
            grounds.get(&c.id).unwrap_or(&no_grounds),
            c.filing_date,
            &c.status,
        );
        let merged = exporter.merge(answers, fields);
        let fields = FxHashMap::from_iter([
            ("case_id", c.id.clone()),
            ("court_id", c.court_id.clone()),
            ("court_name", court.name.clone()),
            ("organisation_id", c.organisation_id.clone()),
            ("title", c.title.clone()),
            ("summary", c.summary.clone().unwrap_or_default()),
            ("methodology_version", c.methodology_version.to_string()),
            ("created_at", when(c.created_at)),
            ("updated_at", when(c.updated_at)),
        ]);
        out.push((fields, merged));
    }
    Ok((rows.len(), out))
}

async fn parties_batch(
    db: &sea_orm::DatabaseConnection,
    request: &ExportRequest,
    after: &mut String,
    only: Condition,
) -> Result<(usize, Vec<Prepared>), ServiceError> {
    let mut out = Vec::new();
    let rows = keyset_batch(
        db,
        party::Entity::find()
            .filter(only)
            .filter(of_cases(party::Column::CaseId, &request.filter)),
        party::Column::Id,
        |m| &m.id,
        after,
        BATCH,
    )
    .await?;
    for p in &rows {
        let characteristics: Vec<String> =
            serde_json::from_str(&p.characteristics).map_err(|_| {
                ServiceError::internal(format!(
                    "party {}: stored characteristics are not a list",
                    p.id
                ))
            })?;
        let fields = FxHashMap::from_iter([
            ("party_id", p.id.clone()),
            ("case_id", p.case_id.clone()),
            ("role", p.role.clone()),
            ("kind", p.kind.clone()),
            ("pseudonym", p.pseudonym.clone()),
            ("characteristics", characteristics.join(MULTI_SEPARATOR)),
            ("representation", p.representation.clone()),
            ("created_at", when(p.created_at)),
            ("updated_at", when(p.updated_at)),
        ]);
        out.push((fields, Map::new()));
    }
    Ok((rows.len(), out))
}

async fn rulings_batch(
    db: &sea_orm::DatabaseConnection,
    request: &ExportRequest,
    exporter: &Exporter,
    after: &mut String,
    only: Condition,
) -> Result<(usize, Vec<Prepared>), ServiceError> {
    let mut out = Vec::new();
    let rows = keyset_batch(
        db,
        ruling::Entity::find()
            .filter(only)
            .filter(ruling_condition(&request.filter))
            .filter(ruling::Column::MethodologyVersion.eq(exporter.version())),
        ruling::Column::Id,
        |m| &m.id,
        after,
        BATCH,
    )
    .await?;
    for r in &rows {
        let answers = parse_answers(&r.answers)?;
        let fields = ruling_fields(r.decision_date, r.instance.as_deref(), r.outcome.as_deref());
        let merged = exporter.merge(answers, fields);
        let mut fields = FxHashMap::from_iter([
            ("ruling_id", r.id.clone()),
            ("case_id", r.case_id.clone().unwrap_or_default()),
            ("court_id", r.court_id.clone().unwrap_or_default()),
            ("external_id", r.external_id.clone().unwrap_or_default()),
            ("court_name", r.court_name.clone()),
            ("jurisdiction", r.jurisdiction.clone().unwrap_or_default()),
            ("title", r.title.clone()),
            ("language", r.language.clone()),
            ("source", r.source.clone().unwrap_or_default()),
            ("metadata", r.metadata.clone().unwrap_or_default()),
            ("text_length", r.full_text.chars().count().to_string()),
            ("methodology_version", r.methodology_version.to_string()),
            ("created_at", when(r.created_at)),
            ("updated_at", when(r.updated_at)),
        ]);
        if request.full_text {
            fields.insert("full_text", r.full_text.clone());
        }
        out.push((fields, merged));
    }
    Ok((rows.len(), out))
}

/// A file written by [`write_package`].
#[derive(Debug, Clone)]
pub struct WrittenFile {
    /// File name inside the folder.
    pub name: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
}

/// Writes a whole dataset release into `dir`: the five CSV files, `datapackage.json`,
/// `codebook.csv`, `codebook.json` and `SHA256SUMS` (in `sha256sum -c` format). Each file is
/// written as `<name>.part` and renamed when complete, so a failed export leaves no file that
/// looks whole. `progress(file, bytes_so_far)` is called as data arrives.
pub async fn write_package(
    state: &AppState,
    dir: &std::path::Path,
    request: &ExportRequest,
    mut progress: impl FnMut(&str, u64),
) -> Result<Vec<WrittenFile>, ServiceError> {
    use futures_util::StreamExt;
    use sha2::{Digest, Sha256};
    use tokio::io::AsyncWriteExt;

    let io = |path: &std::path::Path, e: std::io::Error| {
        ServiceError::internal_from(format!("cannot write {}", path.display()), e)
    };
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| io(dir, e))?;
    let mut written = Vec::new();
    let put = async |name: &str, content: Vec<u8>| -> Result<WrittenFile, ServiceError> {
        let part = dir.join(format!("{name}.part"));
        let mut file = create_private(&part).await.map_err(|e| io(&part, e))?;
        file.write_all(&content).await.map_err(|e| io(&part, e))?;
        file.sync_all().await.map_err(|e| io(&part, e))?;
        drop(file);
        let path = dir.join(name);
        tokio::fs::rename(&part, &path)
            .await
            .map_err(|e| io(&path, e))?;
        Ok(WrittenFile {
            name: name.to_string(),
            bytes: content.len() as u64,
            sha256: format!("{:x}", Sha256::digest(&content)),
        })
    };
    for dataset in Dataset::ALL {
        let name = format!("{}.csv", dataset.name());
        let part = dir.join(format!("{name}.part"));
        let mut file = create_private(&part).await.map_err(|e| io(&part, e))?;
        let mut hasher = Sha256::new();
        let mut bytes = 0u64;
        let mut chunks = std::pin::pin!(stream(state, dataset, request.clone())?);
        while let Some(chunk) = chunks.next().await {
            let chunk = chunk.map_err(|e| ServiceError::internal_from(name.to_string(), e))?;
            hasher.update(&chunk);
            bytes += chunk.len() as u64;
            file.write_all(&chunk).await.map_err(|e| io(&part, e))?;
            progress(&name, bytes);
        }
        file.flush().await.map_err(|e| io(&part, e))?;
        file.sync_all().await.map_err(|e| io(&part, e))?;
        drop(file);
        let path = dir.join(&name);
        tokio::fs::rename(&part, &path)
            .await
            .map_err(|e| io(&path, e))?;
        written.push(WrittenFile {
            name,
            bytes,
            sha256: format!("{:x}", hasher.finalize()),
        });
    }
    let methodology = resolve_methodology(state, request.methodology_version)?;
    let package = datapackage(
        state,
        &PackageOptions {
            methodology_version: request.methodology_version,
            labels: request.labels,
            bom: request.bom,
            full_text: request.full_text,
        },
    )?;
    let package = serde_json::to_vec_pretty(&package)
        .map_err(|e| ServiceError::internal_from("datapackage", e))?;
    written.push(put("datapackage.json", package).await?);
    written.push(put("codebook.csv", codebook_csv(methodology)?).await?);
    let codebook_json = serde_json::to_vec_pretty(&codebook_value(methodology))
        .map_err(|e| ServiceError::internal_from("codebook", e))?;
    written.push(put("codebook.json", codebook_json).await?);
    let sums: String = written
        .iter()
        .map(|f| format!("{}  {}\n", f.sha256, f.name))
        .collect();
    put("SHA256SUMS", sums.into_bytes()).await?;
    Ok(written)
}

/// A new file readable by its owner alone (0600: the datasets describe people), created where
/// nothing is: whatever stands at `path` (a stale `.part`, or a symbolic link someone placed
/// there) is removed first, and the file is created exclusively, so no link is ever followed.
/// Renaming it into place then replaces a link at the final name instead of writing through it.
async fn create_private(path: &std::path::Path) -> std::io::Result<tokio::fs::File> {
    if tokio::fs::symlink_metadata(path).await.is_ok() {
        tokio::fs::remove_file(path).await?;
    }
    let mut options = tokio::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path).await
}
