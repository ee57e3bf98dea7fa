//! What the files mean: the codebook (every column of every file: type, description, codes with
//! their labels in three languages, the question as asked) and the Frictionless Data Package that
//! describes a release. Both are generated from the same column tables the files are written
//! from (each file's [`File`](super::file::File) declaration), and every label comes from the
//! methodology.

use serde_json::{Value, json};

use chrono::Utc;
use courtwatch_methodology::{AnswerType, Methodology, Question};

use poem_openapi::{Enum, Object};

use super::{
    Dataset, Labels, MULTI_SEPARATOR, NOT_ASKED,
    file::{Described, columns, when},
    resolve_methodology,
};
use crate::{error::ServiceError, state::AppState};

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

    /// The code, or its label in the language asked for.
    pub(super) fn text(&self, labels: Labels) -> &str {
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

fn vocabulary_codes(methodology: &Methodology, vocabulary: &str) -> Vec<CodeLabel> {
    methodology
        .vocabulary(vocabulary)
        .map(|v| v.terms.iter().map(CodeLabel::of).collect())
        .unwrap_or_default()
}

/// A question's codes with their labels, from the methodology (the same labels as `/methodology`).
fn question_codes(methodology: &Methodology, q: &Question) -> Vec<CodeLabel> {
    methodology
        .answer_terms(q)
        .into_iter()
        .map(CodeLabel::of)
        .collect()
}

/// The allowed codes of a column (empty for free values).
pub(super) fn codes_of(methodology: &Methodology, column: Described) -> Vec<CodeLabel> {
    match column {
        Described::Field(f) => f
            .vocabulary()
            .map(|v| vocabulary_codes(methodology, v))
            .unwrap_or_default(),
        Described::Question(q) => question_codes(methodology, q),
    }
}

fn multiple(column: Described) -> bool {
    match column {
        Described::Field(f) => f.multiple(),
        Described::Question(q) => matches!(q.answer_type, AnswerType::MultipleChoice { .. }),
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

/// The codebook: every column of every file, in file order (rulings with their optional
/// `full_text` column).
pub fn codebook(methodology: &'static Methodology) -> Vec<CodebookColumn> {
    let mut out = Vec::new();
    for dataset in Dataset::ALL {
        for (i, column) in columns(dataset, methodology, true).into_iter().enumerate() {
            let position = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let codes = codes_of(methodology, column);
            let multiple = multiple(column);
            out.push(match column {
                Described::Field(f) => CodebookColumn {
                    file: dataset.name().into(),
                    column: f.name.into(),
                    position,
                    column_type: f.column_type,
                    description: f.description.into(),
                    answer_type: None,
                    multiple,
                    codes,
                    question_en: None,
                    question_sq: None,
                    question_sr: None,
                    standard: None,
                    applies_when: None,
                    methodology_version: None,
                },
                Described::Question(q) => CodebookColumn {
                    file: dataset.name().into(),
                    column: q.code.clone(),
                    position,
                    column_type: question_type(q),
                    description: q.help.en.clone(),
                    answer_type: Some(q.answer_type.code().into()),
                    multiple,
                    codes,
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
    let internal = |e: csv::Error| ServiceError::internal_from("codebook", e);
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
        let column_type = c.column_type.name();
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
        .map_err(|e| ServiceError::internal_from("codebook", e))
}

/// What a data package describes: the files as exported with these options.
#[derive(Debug, Clone, Default)]
pub struct PackageOptions {
    /// Methodology version; the latest when absent.
    pub methodology_version: Option<u32>,
    /// Codes or labels in choice columns (enum constraints follow).
    pub labels: Labels,
    /// The files start with a byte-order mark.
    pub bom: bool,
    /// rulings.csv has the full_text column.
    pub full_text: bool,
}

/// Escapes a literal for a regular expression (Table Schema `pattern` is an XML Schema /
/// Python-style regex).
fn regex_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.^$|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Frictionless Data Package (Table Schema) describing the five CSV files as exported with
/// `options`: types, enum constraints on coded columns (a pattern on multiple-choice columns),
/// `""` and `NA` as missing values, primary and foreign keys.
pub fn datapackage(state: &AppState, options: &PackageOptions) -> Result<Value, ServiceError> {
    let methodology = resolve_methodology(state, options.methodology_version)?;
    let resources: Vec<Value> = Dataset::ALL
        .into_iter()
        .map(|dataset| {
            let fields: Vec<Value> = columns(dataset, methodology, options.full_text)
                .into_iter()
                .map(|c| {
                    let (column_type, description) = match c {
                        Described::Field(f) => (f.column_type, f.description.to_string()),
                        Described::Question(q) => (question_type(q), q.label.en.clone()),
                    };
                    let mut field = json!({
                        "name": c.name(),
                        "type": column_type.name(),
                        "description": description,
                    });
                    let allowed: Vec<String> = codes_of(methodology, c)
                        .iter()
                        .map(|code| code.text(options.labels).to_string())
                        .collect();
                    if !allowed.is_empty() {
                        field["constraints"] = if multiple(c) {
                            let one = allowed
                                .iter()
                                .map(|a| regex_literal(a))
                                .collect::<Vec<_>>()
                                .join("|");
                            json!({ "pattern": format!("(?:{one})(?:\\|(?:{one}))*") })
                        } else {
                            json!({ "enum": allowed })
                        };
                    }
                    if c.name() == dataset.primary_key() {
                        field["constraints"] = json!({ "required": true, "unique": true });
                    }
                    field
                })
                .collect();
            let foreign_keys: Vec<Value> = dataset
                .foreign_keys()
                .iter()
                .map(|(column, target)| {
                    json!({
                        "fields": [column],
                        "reference": { "resource": target.name(), "fields": [target.primary_key()] }
                    })
                })
                .collect();
            json!({
                "name": dataset.name(),
                "path": format!("{}.csv", dataset.name()),
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": if options.bom { "utf-8-sig" } else { "utf-8" },
                "dialect": { "delimiter": ",", "quoteChar": "\"", "doubleQuote": true, "header": true },
                "schema": {
                    "fields": fields,
                    "missingValues": ["", NOT_ASKED],
                    "primaryKey": [dataset.primary_key()],
                    "foreignKeys": foreign_keys,
                }
            })
        })
        .collect();
    Ok(json!({
        "profile": "tabular-data-package",
        "name": "courtwatch-dataset",
        "title": "courtwatch trial-monitoring dataset",
        "description": format!(
            "Cases, parties, hearings, observations and rulings exported from courtwatch under \
             methodology version {}. An empty cell is a question that applied but was not answered; \
             {NOT_ASKED} is a question that did not apply (not asked). Multiple-choice answers are \
             codes joined by '{MULTI_SEPARATOR}'. codebook.csv describes every column.",
            methodology.version
        ),
        "created": when(Utc::now()),
        "courtwatch": {
            "methodology_version": methodology.version,
            "labels": match options.labels {
                Labels::Codes => "codes", Labels::En => "en", Labels::Sq => "sq", Labels::Sr => "sr",
            },
            "not_asked": NOT_ASKED,
            "multiple_separator": MULTI_SEPARATOR,
        },
        "resources": resources,
    }))
}

/// The codebook as JSON (the same document as `GET /datasets/codebook.json`).
pub(super) fn codebook_value(methodology: &'static Methodology) -> Value {
    poem_openapi::types::ToJSON::to_json(&codebook(methodology)).unwrap_or(Value::Null)
}
