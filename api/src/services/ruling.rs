//! Rulings: decisions in monitored cases, and stand-alone case law identified by an external id.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use courtwatch_methodology::{Context, Mode, Scope};
use poem_openapi::Object;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde_json::{Map, Value, json};

use crate::{
    entities::{court, ruling},
    error::{FieldProblem, ServiceError},
    search::outbox::{self, Change},
    services::{
        case as case_service,
        common::{
            self, Actor, Page, answers_text, check_term, fail_if_any, merge_answers,
            methodology_version, new_id, page, parse_answers, problems_from_methodology,
        },
    },
    state::AppState,
};

/// A ruling, as written by a monitor or imported as case law.
#[derive(Debug, Clone, Object)]
pub struct RulingInput {
    /// The monitored case this ruling decides, if any.
    #[oai(validator(max_length = 36))]
    pub case_id: Option<String>,
    /// The court (a court id), if it is one of ours; defaults to the case's court.
    #[oai(validator(max_length = 36))]
    pub court_id: Option<String>,
    /// Stable id of the ruling in its source, e.g. `echr:001-123456`; unique.
    #[oai(validator(min_length = 1, max_length = 300))]
    pub external_id: Option<String>,
    /// The court's name as written in the ruling; required when no court_id or case_id is given.
    #[oai(validator(max_length = 300))]
    pub court_name: Option<String>,
    /// Jurisdiction (vocabulary `jurisdiction`); taken from the court when a court is known.
    #[oai(validator(max_length = 64))]
    pub jurisdiction: Option<String>,
    /// Case title or case number.
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub title: String,
    /// Decision date; answers question `decision_date`.
    pub decision_date: Option<NaiveDate>,
    /// Instance (vocabulary `instance`); answers question `instance`.
    #[oai(validator(max_length = 64))]
    pub instance: Option<String>,
    /// Outcome (vocabulary `ruling_outcome`); answers question `ruling_outcome`.
    #[oai(validator(max_length = 64))]
    pub outcome: Option<String>,
    /// Language of the text as a BCP 47 tag: `en`, `sq`, `sr-Latn`, `sr-Cyrl`, `sr-Latn-ME`, `fr`.
    #[oai(validator(min_length = 2, max_length = 35))]
    pub language: String,
    /// The full text of the ruling.
    #[oai(validator(min_length = 1, max_length = 5000000))]
    pub full_text: String,
    /// Where the text came from (a repository or publication).
    #[oai(validator(max_length = 500))]
    pub source: Option<String>,
    /// Other fields of the source record, kept as given (e.g. ECHR `articles`, `conclusion`).
    #[oai(default)]
    pub metadata: BTreeMap<String, Value>,
    /// Methodology version the answers follow; the latest published when absent.
    pub methodology_version: Option<u32>,
    /// Answers to the methodology's ruling questions, by question code.
    #[oai(default)]
    pub answers: BTreeMap<String, Value>,
}

/// A ruling.
#[derive(Debug, Clone, Object)]
pub struct Ruling {
    /// Public id.
    pub id: String,
    /// The monitored case, if any.
    pub case_id: Option<String>,
    /// The court, if it is one of ours.
    pub court_id: Option<String>,
    /// Stable id in the source.
    pub external_id: Option<String>,
    /// Court name as written.
    pub court_name: String,
    /// Jurisdiction.
    pub jurisdiction: Option<String>,
    /// Title.
    pub title: String,
    /// Decision date.
    pub decision_date: Option<NaiveDate>,
    /// Instance.
    pub instance: Option<String>,
    /// Outcome.
    pub outcome: Option<String>,
    /// Language (BCP 47).
    pub language: String,
    /// Full text.
    pub full_text: String,
    /// Source.
    pub source: Option<String>,
    /// Other fields of the source record.
    pub metadata: BTreeMap<String, Value>,
    /// Methodology version the answers follow.
    pub methodology_version: u32,
    /// Answers, by question code.
    pub answers: BTreeMap<String, Value>,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// Who created it (user id).
    pub created_by: String,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// Who last changed it (user id).
    pub updated_by: String,
}

impl TryFrom<ruling::Model> for Ruling {
    type Error = ServiceError;
    fn try_from(m: ruling::Model) -> Result<Self, ServiceError> {
        Ok(Self {
            answers: parse_answers(&m.answers)?.into_iter().collect(),
            id: m.id,
            case_id: m.case_id,
            court_id: m.court_id,
            external_id: m.external_id,
            court_name: m.court_name,
            jurisdiction: m.jurisdiction,
            title: m.title,
            decision_date: m.decision_date,
            instance: m.instance,
            outcome: m.outcome,
            language: m.language,
            full_text: m.full_text,
            source: m.source,
            metadata: match m.metadata.as_deref() {
                Some(text) => parse_answers(text)?.into_iter().collect(),
                None => BTreeMap::new(),
            },
            methodology_version: m.methodology_version as u32,
            created_at: m.created_at,
            created_by: m.created_by,
            updated_at: m.updated_at,
            updated_by: m.updated_by,
        })
    }
}

/// Filters for listing rulings.
#[derive(Debug, Default)]
pub struct RulingFilter {
    /// Only rulings in this case.
    pub case_id: Option<String>,
    /// Only rulings of this court.
    pub court_id: Option<String>,
    /// Only this jurisdiction.
    pub jurisdiction: Option<String>,
    /// Only this language tag.
    pub language: Option<String>,
    /// Only this outcome.
    pub outcome: Option<String>,
    /// Only this external id.
    pub external_id: Option<String>,
    /// Only rulings decided on or after this date.
    pub decided_from: Option<NaiveDate>,
    /// Only rulings decided on or before this date.
    pub decided_to: Option<NaiveDate>,
}

pub(crate) fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The checked values to store.
struct Resolved {
    court_id: Option<String>,
    court_name: String,
    jurisdiction: Option<String>,
    version: u32,
}

async fn check(state: &AppState, input: &RulingInput) -> Result<Resolved, ServiceError> {
    let mut problems = Vec::new();
    let methodology = methodology_version(state.methodology, input.methodology_version)?;
    let mut court_id = input.court_id.clone();
    if let Some(case_id) = &input.case_id {
        match case_service::get(state, case_id).await {
            Ok(record) => {
                if court_id.is_none() {
                    court_id = Some(record.case.court_id.clone());
                }
            }
            Err(ServiceError::NotFound { .. }) => problems.push(FieldProblem::field(
                "case_id",
                format!("no case with id {case_id}"),
            )),
            Err(other) => return Err(other),
        }
    }
    let court = match &court_id {
        Some(id) => {
            let found = court::Entity::find_by_id(id.clone()).one(&state.db).await?;
            if found.is_none() {
                problems.push(FieldProblem::field(
                    "court_id",
                    format!("no court with id {id}"),
                ));
            }
            found
        }
        None => None,
    };
    let court_name = match (&court, &input.court_name) {
        (Some(c), _) => input.court_name.clone().unwrap_or_else(|| c.name.clone()),
        (None, Some(name)) if !name.trim().is_empty() => name.clone(),
        _ => {
            problems.push(FieldProblem::field(
                "court_name",
                "is required when the ruling names no court_id or case_id",
            ));
            String::new()
        }
    };
    let jurisdiction = match (&court, &input.jurisdiction) {
        (Some(c), Some(given)) if *given != c.jurisdiction => {
            problems.push(FieldProblem::field(
                "jurisdiction",
                format!("the court is in {}, not {given}", c.jurisdiction),
            ));
            None
        }
        (Some(c), _) => Some(c.jurisdiction.clone()),
        (None, given) => given.clone(),
    };
    if court.is_none()
        && let Some(j) = &jurisdiction
    {
        check_term(
            methodology,
            "jurisdiction",
            "jurisdiction",
            j,
            &mut problems,
        );
    }
    if !is_language_tag(&input.language) {
        problems.push(FieldProblem::field(
            "language",
            format!("'{}' is not a BCP 47 language tag", input.language),
        ));
    }
    if input.full_text.trim().is_empty() {
        problems.push(FieldProblem::field("full_text", "must not be blank"));
    }
    if input.title.trim().is_empty() {
        problems.push(FieldProblem::field("title", "must not be blank"));
    }
    let answers: Map<String, Value> = input.answers.clone().into_iter().collect();
    let fields = ruling_fields(
        input.decision_date,
        input.instance.as_deref(),
        input.outcome.as_deref(),
    );
    let merged = merge_answers(methodology, Scope::Ruling, &answers, fields, &mut problems);
    let found = methodology.validate(
        Scope::Ruling,
        &merged,
        Context {
            jurisdiction: jurisdiction.as_deref(),
        },
        Mode::Draft,
    );
    problems.extend(problems_from_methodology(methodology, found));
    fail_if_any(problems)?;
    Ok(Resolved {
        court_id,
        court_name,
        jurisdiction,
        version: methodology.version,
    })
}

/// The record fields that answer the methodology's field-bound ruling questions.
pub(crate) fn ruling_fields(
    decision_date: Option<NaiveDate>,
    instance: Option<&str>,
    outcome: Option<&str>,
) -> Vec<(&'static str, Option<Value>)> {
    vec![
        (
            "decision_date",
            decision_date.map(|d| json!(d.format("%Y-%m-%d").to_string())),
        ),
        ("instance", instance.map(Value::from)),
        ("outcome", outcome.map(Value::from)),
    ]
}

/// The stored form of a ruling's metadata: none when empty.
pub(crate) fn metadata_text(metadata: &BTreeMap<String, Value>) -> Option<String> {
    (!metadata.is_empty()).then(|| answers_text(&metadata.clone().into_iter().collect()))
}

/// Finds a ruling by id.
pub async fn get(state: &AppState, id: &str) -> Result<ruling::Model, ServiceError> {
    common::find_or_404::<ruling::Entity, _>(&state.db, "ruling", id).await
}

/// Creates a ruling.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: RulingInput,
) -> Result<ruling::Model, ServiceError> {
    let resolved = check(state, &input).await?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let created = ruling::ActiveModel {
        id: Set(new_id()),
        case_id: Set(input.case_id),
        court_id: Set(resolved.court_id),
        external_id: Set(input.external_id),
        court_name: Set(resolved.court_name),
        jurisdiction: Set(resolved.jurisdiction),
        title: Set(input.title),
        decision_date: Set(input.decision_date),
        instance: Set(input.instance),
        outcome: Set(input.outcome),
        language: Set(input.language),
        full_text: Set(input.full_text),
        source: Set(input.source),
        metadata: Set(metadata_text(&input.metadata)),
        methodology_version: Set(resolved.version as i32),
        answers: Set(answers_text(&input.answers.into_iter().collect())),
        created_at: Set(now),
        updated_at: Set(now),
        created_by: Set(actor.user_id.clone()),
        updated_by: Set(actor.user_id.clone()),
    }
    .insert(&txn)
    .await
    .map_err(ServiceError::from_write)?;
    outbox::record(&txn, Change::Ruling, &created.id).await?;
    txn.commit().await?;
    state.search.changed();
    Ok(created)
}

/// Replaces a ruling's fields and answers.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: RulingInput,
) -> Result<ruling::Model, ServiceError> {
    let existing = get(state, id).await?;
    let resolved = check(state, &input).await?;
    let mut active: ruling::ActiveModel = existing.into();
    active.case_id = Set(input.case_id);
    active.court_id = Set(resolved.court_id);
    active.external_id = Set(input.external_id);
    active.court_name = Set(resolved.court_name);
    active.jurisdiction = Set(resolved.jurisdiction);
    active.title = Set(input.title);
    active.decision_date = Set(input.decision_date);
    active.instance = Set(input.instance);
    active.outcome = Set(input.outcome);
    active.language = Set(input.language);
    active.full_text = Set(input.full_text);
    active.source = Set(input.source);
    active.metadata = Set(metadata_text(&input.metadata));
    active.methodology_version = Set(resolved.version as i32);
    active.answers = Set(answers_text(&input.answers.into_iter().collect()));
    active.updated_at = Set(Utc::now());
    active.updated_by = Set(actor.user_id.clone());
    let txn = state.db.begin().await?;
    let updated = active
        .update(&txn)
        .await
        .map_err(ServiceError::from_write)?;
    outbox::record(&txn, Change::Ruling, &updated.id).await?;
    txn.commit().await?;
    state.search.changed();
    Ok(updated)
}

/// Lists rulings in creation order.
pub async fn list(
    state: &AppState,
    filter: RulingFilter,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<ruling::Model>, ServiceError> {
    let mut select = ruling::Entity::find();
    if let Some(v) = filter.case_id {
        select = select.filter(ruling::Column::CaseId.eq(v));
    }
    if let Some(v) = filter.court_id {
        select = select.filter(ruling::Column::CourtId.eq(v));
    }
    if let Some(v) = filter.jurisdiction {
        select = select.filter(ruling::Column::Jurisdiction.eq(v));
    }
    if let Some(v) = filter.language {
        select = select.filter(ruling::Column::Language.eq(v));
    }
    if let Some(v) = filter.outcome {
        select = select.filter(ruling::Column::Outcome.eq(v));
    }
    if let Some(v) = filter.external_id {
        select = select.filter(ruling::Column::ExternalId.eq(v));
    }
    if let Some(v) = filter.decided_from {
        select = select.filter(ruling::Column::DecisionDate.gte(v));
    }
    if let Some(v) = filter.decided_to {
        select = select.filter(ruling::Column::DecisionDate.lte(v));
    }
    page(
        &state.db,
        select,
        ruling::Column::Id,
        |m| &m.id,
        cursor,
        limit,
    )
    .await
}
