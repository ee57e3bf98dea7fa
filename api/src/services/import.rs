//! Bulk import of case law from JSON lines: `{id, title, court, date, lang, text, source, …}`.
//!
//! Every line is checked before anything is written; with invalid lines nothing is written unless
//! the caller asked to skip them. The external id is the key: importing the same file again changes
//! nothing, and a changed line updates its ruling. Fields beyond the known ones are kept in the
//! ruling's `metadata`. What the source says is read into coded fields (court name, instance,
//! outcome, ECHR articles and findings; see `caselaw.rs`), the originals kept in the metadata.

use std::{
    collections::BTreeMap,
    io::{self, BufRead},
};

use chrono::{NaiveDate, Utc};
use poem_openapi::Object;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Map, Value};

use crate::access::Actor;
use crate::{
    entities::ruling,
    error::{FieldProblem, ServiceError},
    outbox::{self, Change},
    services::{
        caselaw,
        common::{answers_text, new_id},
        review::ReviewStatus,
        ruling::{audit_ruling, metadata_text},
    },
    state::AppState,
};

/// Longest ruling text accepted, in characters (as for rulings recorded through the API).
const MAX_TEXT_CHARS: usize = 5_000_000;
/// Problems listed in one report, at most (the count is always exact).
const MAX_REPORTED: usize = 1000;

/// One line that could not be imported.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct LineProblem {
    /// 1-based line number.
    pub line: u64,
    /// What is wrong with it.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ImportReport {
    /// Non-blank lines read.
    pub lines: u64,
    /// New rulings.
    pub inserted: u64,
    /// Rulings whose content changed.
    pub updated: u64,
    /// Lines identical to the stored ruling.
    pub unchanged: u64,
    /// Invalid lines (skipped when `skip_invalid`; otherwise nothing was written).
    pub invalid: u64,
    /// The invalid lines, with reasons (the first 1000).
    pub problems: Vec<LineProblem>,
}

/// A checked line.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    external_id: String,
    title: String,
    court_name: String,
    decision_date: Option<NaiveDate>,
    language: String,
    jurisdiction: Option<String>,
    full_text: String,
    source: Option<String>,
    metadata: BTreeMap<String, Value>,
    /// Coded from what the source says (`caselaw.rs`).
    instance: Option<String>,
    outcome: Option<String>,
    answers: Map<String, Value>,
}

fn take_string(
    object: &mut Map<String, Value>,
    key: &str,
    required: bool,
) -> Result<String, String> {
    match object.remove(key) {
        Some(Value::String(s)) => Ok(s),
        Some(Value::Null) | None if !required => Ok(String::new()),
        Some(Value::Null) | None => Err(format!("`{key}` is missing")),
        Some(other) => Err(format!(
            "`{key}` must be a string, not {}",
            type_name(&other)
        )),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn check_line(state: &AppState, text: &str) -> Result<Line, Vec<String>> {
    let value: Value = serde_json::from_str(text).map_err(|e| vec![format!("not JSON: {e}")])?;
    if let Some(at) = super::common::nul_at(&value) {
        return Err(vec![format!(
            "{at} contains the NUL character (U+0000), which cannot be stored"
        )]);
    }
    let Value::Object(mut object) = value else {
        return Err(vec!["not a JSON object".to_string()]);
    };
    let mut problems = Vec::new();
    let mut field = |key: &str, required: bool| match take_string(&mut object, key, required) {
        Ok(s) => s,
        Err(message) => {
            problems.push(message);
            String::new()
        }
    };
    let external_id = field("id", true);
    let title = field("title", true);
    let court_name = field("court", false);
    let date = field("date", false);
    let language = field("lang", true);
    let full_text = field("text", true);
    let source = field("source", false);
    if external_id.trim().is_empty() && !problems.iter().any(|p| p.contains("`id`")) {
        problems.push("`id` must not be blank".into());
    }
    if external_id.chars().count() > 300 {
        problems.push("`id` is longer than 300 characters".into());
    }
    if title.trim().is_empty() && !problems.iter().any(|p| p.contains("`title`")) {
        problems.push("`title` must not be blank".into());
    }
    if title.chars().count() > 1000 {
        problems.push("`title` is longer than 1000 characters".into());
    }
    if court_name.chars().count() > 300 {
        problems.push("`court` is longer than 300 characters".into());
    }
    if source.chars().count() > 500 {
        problems.push("`source` is longer than 500 characters".into());
    }
    if full_text.trim().is_empty() && !problems.iter().any(|p| p.contains("`text`")) {
        problems.push("`text` must not be blank".into());
    }
    if full_text.chars().count() > MAX_TEXT_CHARS {
        problems.push(format!("`text` is longer than {MAX_TEXT_CHARS} characters"));
    }
    let decision_date = if date.is_empty() {
        None
    } else {
        match NaiveDate::parse_from_str(&date, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(format!(
                    "`date` {date:?} is not a date as YYYY-MM-DD (or empty)"
                ));
                None
            }
        }
    };
    if !language.is_empty() && !crate::services::ruling::is_language_tag(&language) {
        problems.push(format!("`lang` {language:?} is not a BCP 47 language tag"));
    }
    // The jurisdiction follows from a region subtag the methodology knows (sr-Latn-ME → ME).
    let jurisdictions = state.methodology.latest().vocabulary("jurisdiction");
    let jurisdiction = language
        .split('-')
        .skip(1)
        .find(|part| part.len() == 2 && jurisdictions.is_some_and(|v| v.term(part).is_some()))
        .map(str::to_string);
    if object.contains_key(caselaw::METADATA_KEY) {
        problems.push(format!(
            "`{}` is a reserved key (courtwatch keeps what it derives there)",
            caselaw::METADATA_KEY
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let coded = caselaw::code(&court_name, &title, &object);
    let mut metadata: BTreeMap<String, Value> = object.into_iter().collect();
    if !coded.derived.is_empty() {
        metadata.insert(
            caselaw::METADATA_KEY.to_owned(),
            Value::Object(coded.derived),
        );
    }
    Ok(Line {
        external_id,
        title: coded.title,
        court_name: coded.court_name,
        decision_date,
        language,
        jurisdiction,
        full_text,
        source: (!source.is_empty()).then_some(source),
        metadata,
        instance: coded.instance,
        outcome: coded.outcome,
        answers: coded.answers,
    })
}

/// Numbered non-blank lines of a reader.
struct Lines<'a> {
    reader: &'a mut (dyn BufRead + Send),
    number: u64,
    buffer: String,
}

impl<'a> Lines<'a> {
    fn new(reader: &'a mut (dyn BufRead + Send)) -> Self {
        Self {
            reader,
            number: 0,
            buffer: String::new(),
        }
    }

    /// The next non-blank line and its 1-based number.
    fn next_line(&mut self) -> Result<Option<(u64, &str)>, ServiceError> {
        loop {
            self.buffer.clear();
            let read = self.reader.read_line(&mut self.buffer).map_err(|e| {
                ServiceError::BadRequest(format!("line {}: cannot be read: {e}", self.number + 1))
            })?;
            if read == 0 {
                return Ok(None);
            }
            self.number += 1;
            if !self.buffer.trim().is_empty() {
                return Ok(Some((self.number, self.buffer.trim())));
            }
        }
    }
}

/// Imports JSON lines read from `open()` (called twice: once to check, once to write, so that a
/// file never has to fit in memory). `progress` gets (lines done, pass) with pass 1 or 2.
pub async fn import_rulings(
    state: &AppState,
    actor: &Actor,
    open: impl Fn() -> io::Result<Box<dyn BufRead + Send>>,
    skip_invalid: bool,
    mut progress: impl FnMut(u64, u8),
) -> Result<ImportReport, ServiceError> {
    let mut report = ImportReport::default();
    let mut invalid_lines = std::collections::BTreeSet::new();
    let mut reader = open().map_err(|e| ServiceError::BadRequest(format!("cannot read: {e}")))?;
    let mut lines = Lines::new(&mut *reader);
    while let Some((number, text)) = lines.next_line()? {
        report.lines += 1;
        if let Err(messages) = check_line(state, text) {
            report.invalid += 1;
            invalid_lines.insert(number);
            if report.problems.len() < MAX_REPORTED {
                report.problems.push(LineProblem {
                    line: number,
                    message: messages.join("; "),
                });
            }
        }
        progress(number, 1);
    }
    if report.invalid > 0 && !skip_invalid {
        let mut problems: Vec<FieldProblem> = report
            .problems
            .iter()
            .map(|p| FieldProblem::field(&format!("line {}", p.line), p.message.clone()))
            .collect();
        if report.invalid as usize > problems.len() {
            problems.push(FieldProblem::field(
                "lines",
                format!(
                    "{} invalid lines in all; only the first {MAX_REPORTED} are listed",
                    report.invalid
                ),
            ));
        }
        return Err(ServiceError::Invalid(problems));
    }

    // Second pass: write, all in one transaction, so that a failure leaves nothing behind.
    let version = state.methodology.latest().version as i32;
    let mut reader = open().map_err(|e| ServiceError::BadRequest(format!("cannot read: {e}")))?;
    let mut lines = Lines::new(&mut *reader);
    let txn = crate::services::common::begin_write(&state.db).await?;
    while let Some((number, text)) = lines.next_line()? {
        if invalid_lines.contains(&number) {
            continue;
        }
        let line = check_line(state, text).map_err(|m| {
            ServiceError::BadRequest(format!(
                "line {number} changed while importing: {}",
                m.join("; ")
            ))
        })?;
        write_line(&txn, actor, line, version, &mut report).await?;
        progress(number, 2);
    }
    txn.commit().await?;
    state.search.changed();
    Ok(report)
}

async fn write_line(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    line: Line,
    version: i32,
    report: &mut ImportReport,
) -> Result<(), ServiceError> {
    // The line's id is looked up among the importer's own organisation's rulings only: another
    // organisation's ruling with the same external id is never touched (nor revealed by
    // `updated`); the importer gets its own copy.
    let own = if actor.organisation_id.is_empty() {
        ruling::Column::OrganisationId.is_null()
    } else {
        ruling::Column::OrganisationId.eq(actor.organisation_id.as_str())
    };
    let existing = ruling::Entity::find()
        .filter(ruling::Column::ExternalId.eq(line.external_id.clone()))
        .filter(own)
        .one(txn)
        .await?;
    let metadata = metadata_text(&line.metadata);
    let answers = answers_text(&line.answers);
    let now = Utc::now();
    match existing {
        Some(m)
            if m.title == line.title
                && m.court_name == line.court_name
                && m.decision_date == line.decision_date
                && m.language == line.language
                && m.jurisdiction == line.jurisdiction
                && m.full_text == line.full_text
                && m.source == line.source
                && m.metadata == metadata
                && m.instance == line.instance
                && m.outcome == line.outcome
                && m.answers == answers =>
        {
            report.unchanged += 1;
        }
        Some(m) => {
            let id = m.id.clone();
            let before = m.clone();
            let mut active: ruling::ActiveModel = m.into();
            active.title = Set(line.title);
            active.court_name = Set(line.court_name);
            active.decision_date = Set(line.decision_date);
            active.language = Set(line.language);
            active.jurisdiction = Set(line.jurisdiction);
            active.full_text = Set(line.full_text);
            active.source = Set(line.source);
            active.metadata = Set(metadata);
            active.instance = Set(line.instance);
            active.outcome = Set(line.outcome);
            active.answers = Set(answers);
            active.updated_at = Set(now);
            active.updated_by = Set(actor.user_id.clone());
            let after = active.update(txn).await.map_err(ServiceError::from_write)?;
            outbox::record(txn, Change::Ruling, &id).await?;
            audit_ruling(txn, actor, "import", Some(&before), &after).await?;
            report.updated += 1;
        }
        None => {
            let id = new_id();
            let created = ruling::ActiveModel {
                id: Set(id.clone()),
                case_id: Set(None),
                court_id: Set(None),
                external_id: Set(Some(line.external_id)),
                court_name: Set(line.court_name),
                jurisdiction: Set(line.jurisdiction),
                title: Set(line.title),
                decision_date: Set(line.decision_date),
                instance: Set(line.instance),
                outcome: Set(line.outcome),
                language: Set(line.language),
                full_text: Set(line.full_text),
                source: Set(line.source),
                metadata: Set(metadata),
                methodology_version: Set(version),
                answers: Set(answers),
                // Courts have published these judgments already.
                organisation_id: Set(
                    (!actor.organisation_id.is_empty()).then(|| actor.organisation_id.clone())
                ),
                review_status: Set(ReviewStatus::Published.as_str().to_owned()),
                review_comments: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                created_by: Set(actor.user_id.clone()),
                updated_by: Set(actor.user_id.clone()),
            }
            .insert(txn)
            .await
            .map_err(ServiceError::from_write)?;
            outbox::record(txn, Change::Ruling, &id).await?;
            audit_ruling(txn, actor, "import", None, &created).await?;
            report.inserted += 1;
        }
    }
    Ok(())
}

#[cfg(test)]
mod coded_answers {
    use courtwatch_methodology::{Context, Mode, Registry, Scope};
    use serde_json::{Map, json};

    use crate::services::{caselaw, common::merge_answers, ruling::ruling_fields};

    #[test]
    fn what_import_codes_is_valid_under_the_latest_methodology() {
        let methodology = Registry::published().latest();
        let mut metadata = Map::new();
        metadata.insert("articles".into(), json!("14+8;8;P12-1"));
        metadata.insert(
            "conclusion".into(),
            json!("Violation of Art. 14+8;Non-pecuniary damage - award"),
        );
        for court in [
            "European Court of Human Rights (GRANDCHAMBER)",
            "Osnovni Sud U Baru",
        ] {
            let coded = caselaw::code(court, "CASE OF X v. Y", &metadata);
            let merged = merge_answers(
                methodology,
                Scope::Ruling,
                &coded.answers,
                ruling_fields(None, coded.instance.as_deref(), coded.outcome.as_deref()),
                &mut Vec::new(),
            );
            let problems = methodology.validate(
                Scope::Ruling,
                &merged,
                Context { jurisdiction: None },
                Mode::Submitted,
            );
            assert!(problems.is_empty(), "{court}: {problems:?}");
        }
    }
}
