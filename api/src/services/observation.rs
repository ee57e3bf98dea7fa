//! Hearing observations: what one monitor recorded at one hearing, under one methodology version.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use courtwatch_methodology::{Context, Methodology, Mode, Scope};
use poem_openapi::{Enum, Object};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    TransactionTrait, sea_query::Query,
};
use serde_json::{Map, Value, json};

use crate::{
    entities::{hearing, observation},
    error::{FieldProblem, ServiceError},
    search::outbox::{self, Change},
    services::{
        case as case_service,
        common::{
            Actor, Page, answers_text, fail_if_any, merge_answers, methodology_version, new_id,
            page, parse_answers, problems_from_methodology,
        },
        hearing as hearing_service,
    },
    state::AppState,
};

/// Where an observation is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ObservationStatus {
    /// Being written; may be incomplete.
    Draft,
    /// Complete: every required question that applies is answered.
    Submitted,
}

impl ObservationStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
        }
    }

    fn parse(text: &str) -> Self {
        if text == "submitted" {
            Self::Submitted
        } else {
            Self::Draft
        }
    }

    fn mode(self) -> Mode {
        match self {
            Self::Draft => Mode::Draft,
            Self::Submitted => Mode::Submitted,
        }
    }
}

/// An observation, as written by a monitor.
#[derive(Debug, Clone, Object)]
pub struct ObservationInput {
    /// The hearing observed (a hearing id).
    #[oai(validator(max_length = 36))]
    pub hearing_id: String,
    /// Methodology version the answers follow; the latest published when absent.
    pub methodology_version: Option<u32>,
    /// Answers to the methodology's observation questions, by question code. The hearing's own
    /// facts (type, outcome, times, next date) are recorded on the hearing, not here.
    #[oai(default)]
    pub answers: BTreeMap<String, Value>,
    /// The monitor's narrative notes: what happened, in their words. Use roles, not names.
    #[oai(validator(max_length = 50000))]
    pub notes: Option<String>,
    /// `draft` (default) may be incomplete; `submitted` requires every required question that applies.
    pub status: Option<ObservationStatus>,
}

/// An observation of one hearing by one monitor.
#[derive(Debug, Clone, Object)]
pub struct Observation {
    /// Public id.
    pub id: String,
    /// The hearing observed.
    pub hearing_id: String,
    /// The case the hearing belongs to.
    pub case_id: String,
    /// The monitor who recorded it (user id).
    pub monitor_id: String,
    /// Methodology version the answers follow.
    pub methodology_version: u32,
    /// Answers, by question code.
    pub answers: BTreeMap<String, Value>,
    /// Narrative notes.
    pub notes: Option<String>,
    /// Draft or submitted.
    pub status: ObservationStatus,
    /// When it was first submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// Who created it (user id).
    pub created_by: String,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// Who last changed it (user id).
    pub updated_by: String,
}

/// Builds the API representation (the case id comes from the hearing).
pub fn to_api(m: observation::Model, case_id: String) -> Result<Observation, ServiceError> {
    Ok(Observation {
        answers: parse_answers(&m.answers)?.into_iter().collect(),
        id: m.id,
        hearing_id: m.hearing_id,
        case_id,
        monitor_id: m.monitor_id,
        methodology_version: m.methodology_version as u32,
        notes: m.notes,
        status: ObservationStatus::parse(&m.status),
        submitted_at: m.submitted_at,
        created_at: m.created_at,
        created_by: m.created_by,
        updated_at: m.updated_at,
        updated_by: m.updated_by,
    })
}

/// Filters for listing observations.
#[derive(Debug, Default)]
pub struct ObservationFilter {
    /// Only observations of this hearing.
    pub hearing_id: Option<String>,
    /// Only observations of hearings of this case.
    pub case_id: Option<String>,
    /// Only this status.
    pub status: Option<ObservationStatus>,
    /// Only observations by this monitor.
    pub monitor_id: Option<String>,
    /// Only this methodology version.
    pub methodology_version: Option<u32>,
    /// Only observations of hearings scheduled on or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only observations of hearings scheduled before this instant.
    pub to: Option<DateTime<Utc>>,
}

fn rfc3339(t: DateTime<Utc>) -> Value {
    json!(t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// The hearing's facts, which answer the methodology's `hearing.*` field questions.
pub(crate) fn hearing_fields(h: &hearing::Model) -> Vec<(&'static str, Option<Value>)> {
    hearing_facts(
        &h.hearing_type,
        &h.outcome,
        h.scheduled_at,
        h.started_at,
        h.next_hearing_date,
    )
}

/// [`hearing_fields`] from the hearing's columns.
pub(crate) fn hearing_facts(
    hearing_type: &str,
    outcome: &str,
    scheduled_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    next_hearing_date: Option<chrono::NaiveDate>,
) -> Vec<(&'static str, Option<Value>)> {
    vec![
        ("hearing.hearing_type", Some(json!(hearing_type))),
        ("hearing.outcome", Some(json!(outcome))),
        ("hearing.scheduled_at", Some(rfc3339(scheduled_at))),
        ("hearing.started_at", started_at.map(rfc3339)),
        (
            "hearing.next_hearing_date",
            next_hearing_date.map(|d| json!(d.format("%Y-%m-%d").to_string())),
        ),
    ]
}

/// Every problem with `answers` for an observation of `hearing`.
fn problems(
    methodology: &Methodology,
    hearing: &hearing::Model,
    jurisdiction: &str,
    answers: &Map<String, Value>,
    status: ObservationStatus,
) -> Vec<FieldProblem> {
    let mut found = Vec::new();
    let merged = merge_answers(
        methodology,
        Scope::Observation,
        answers,
        hearing_fields(hearing),
        &mut found,
    );
    let checked = methodology.validate(
        Scope::Observation,
        &merged,
        Context {
            jurisdiction: Some(jurisdiction),
        },
        status.mode(),
    );
    found.extend(problems_from_methodology(methodology, checked));
    found
}

struct Checked {
    hearing: hearing::Model,
    version: u32,
    status: ObservationStatus,
}

async fn check(state: &AppState, input: &ObservationInput) -> Result<Checked, ServiceError> {
    let methodology = methodology_version(state.methodology, input.methodology_version)?;
    let hearing = match hearing_service::get(state, &input.hearing_id).await {
        Ok(h) => h,
        Err(ServiceError::NotFound { .. }) => {
            return Err(ServiceError::invalid(
                "hearing_id",
                format!("no hearing with id {}", input.hearing_id),
            ));
        }
        Err(other) => return Err(other),
    };
    let case = case_service::get(state, &hearing.case_id).await?;
    let status = input.status.unwrap_or(ObservationStatus::Draft);
    let answers: Map<String, Value> = input.answers.clone().into_iter().collect();
    let mut found = problems(methodology, &hearing, &case.jurisdiction, &answers, status);
    if input.notes.as_deref().is_some_and(|n| n.trim().is_empty()) {
        found.push(FieldProblem::field(
            "notes",
            "is empty; leave it out instead",
        ));
    }
    fail_if_any(found)?;
    Ok(Checked {
        hearing,
        version: methodology.version,
        status,
    })
}

/// Finds an observation by id.
pub async fn get(state: &AppState, id: &str) -> Result<(observation::Model, String), ServiceError> {
    let found = observation::Entity::find_by_id(id.to_owned())
        .one(&state.db)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            resource: "observation",
            id: id.to_owned(),
        })?;
    let hearing = hearing_service::get(state, &found.hearing_id).await?;
    Ok((found, hearing.case_id))
}

/// Records an observation by the calling monitor.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: ObservationInput,
) -> Result<(observation::Model, String), ServiceError> {
    let checked = check(state, &input).await?;
    let now = Utc::now();
    let txn = state.db.begin().await?;
    let created = observation::ActiveModel {
        id: Set(new_id()),
        hearing_id: Set(checked.hearing.id.clone()),
        monitor_id: Set(actor.user_id.clone()),
        methodology_version: Set(checked.version as i32),
        answers: Set(answers_text(&input.answers.into_iter().collect())),
        notes: Set(input.notes),
        status: Set(checked.status.as_str().to_owned()),
        submitted_at: Set((checked.status == ObservationStatus::Submitted).then_some(now)),
        created_at: Set(now),
        updated_at: Set(now),
        created_by: Set(actor.user_id.clone()),
        updated_by: Set(actor.user_id.clone()),
    }
    .insert(&txn)
    .await
    .map_err(ServiceError::from_write)?;
    outbox::record(&txn, Change::Observation, &created.id).await?;
    txn.commit().await?;
    state.search.changed();
    Ok((created, checked.hearing.case_id))
}

/// Replaces an observation's answers and notes, or submits it. A submitted observation stays
/// submitted: taking it back to draft is the review workflow's job.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: ObservationInput,
) -> Result<(observation::Model, String), ServiceError> {
    let (existing, _) = get(state, id).await?;
    if existing.hearing_id != input.hearing_id {
        return Err(ServiceError::invalid(
            "hearing_id",
            "an observation cannot be moved to another hearing",
        ));
    }
    let current = ObservationStatus::parse(&existing.status);
    let wanted = input.status.unwrap_or(current);
    if current == ObservationStatus::Submitted && wanted == ObservationStatus::Draft {
        return Err(ServiceError::Conflict(
            "a submitted observation cannot be turned back into a draft".to_owned(),
        ));
    }
    let input = ObservationInput {
        status: Some(wanted),
        ..input
    };
    let checked = check(state, &input).await?;
    let now = Utc::now();
    let first_submission =
        existing.submitted_at.is_none() && wanted == ObservationStatus::Submitted;
    let mut active: observation::ActiveModel = existing.into();
    active.methodology_version = Set(checked.version as i32);
    active.answers = Set(answers_text(&input.answers.into_iter().collect()));
    active.notes = Set(input.notes);
    active.status = Set(wanted.as_str().to_owned());
    if first_submission {
        active.submitted_at = Set(Some(now));
    }
    active.updated_at = Set(now);
    active.updated_by = Set(actor.user_id.clone());
    let txn = state.db.begin().await?;
    let updated = active
        .update(&txn)
        .await
        .map_err(ServiceError::from_write)?;
    outbox::record(&txn, Change::Observation, &updated.id).await?;
    txn.commit().await?;
    state.search.changed();
    Ok((updated, checked.hearing.case_id))
}

/// Checks every submitted observation of `hearing` against its (changed) facts; used inside the
/// hearing update's transaction so that a refused change leaves nothing behind.
pub async fn recheck_submitted<C: ConnectionTrait>(
    state: &AppState,
    db: &C,
    hearing: &hearing::Model,
) -> Result<(), ServiceError> {
    let submitted = observation::Entity::find()
        .filter(observation::Column::HearingId.eq(hearing.id.clone()))
        .filter(observation::Column::Status.eq(ObservationStatus::Submitted.as_str()))
        .all(db)
        .await?;
    if submitted.is_empty() {
        return Ok(());
    }
    let case = case_service::get(state, &hearing.case_id).await?;
    let mut found = Vec::new();
    for obs in submitted {
        let Some(methodology) = state.methodology.get(obs.methodology_version as u32) else {
            continue;
        };
        let answers = parse_answers(&obs.answers)?;
        for problem in problems(
            methodology,
            hearing,
            &case.jurisdiction,
            &answers,
            ObservationStatus::Submitted,
        ) {
            found.push(FieldProblem {
                field: problem.field,
                question: problem.question,
                message: format!(
                    "would make submitted observation {} invalid: {}",
                    obs.id, problem.message
                ),
            });
        }
    }
    fail_if_any(found)
}

/// Lists observations in creation order, each with its case id.
pub async fn list(
    state: &AppState,
    filter: ObservationFilter,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<(observation::Model, String)>, ServiceError> {
    let mut select = observation::Entity::find();
    if let Some(hearing_id) = filter.hearing_id {
        select = select.filter(observation::Column::HearingId.eq(hearing_id));
    }
    if filter.case_id.is_some() || filter.from.is_some() || filter.to.is_some() {
        let mut hearings = Query::select()
            .column(hearing::Column::Id)
            .from(hearing::Entity)
            .to_owned();
        if let Some(case_id) = filter.case_id {
            hearings.and_where(hearing::Column::CaseId.eq(case_id));
        }
        if let Some(from) = filter.from {
            hearings.and_where(hearing::Column::ScheduledAt.gte(from));
        }
        if let Some(to) = filter.to {
            hearings.and_where(hearing::Column::ScheduledAt.lt(to));
        }
        select = select.filter(observation::Column::HearingId.in_subquery(hearings));
    }
    if let Some(status) = filter.status {
        select = select.filter(observation::Column::Status.eq(status.as_str()));
    }
    if let Some(monitor_id) = filter.monitor_id {
        select = select.filter(observation::Column::MonitorId.eq(monitor_id));
    }
    if let Some(version) = filter.methodology_version {
        select = select.filter(observation::Column::MethodologyVersion.eq(version as i32));
    }
    let found = page(
        &state.db,
        select,
        observation::Column::Id,
        |m| &m.id,
        cursor,
        limit,
    )
    .await?;
    let hearing_ids: Vec<String> = found.items.iter().map(|o| o.hearing_id.clone()).collect();
    let hearings = hearing::Entity::find()
        .filter(hearing::Column::Id.is_in(hearing_ids))
        .all(&state.db)
        .await?;
    let items = found
        .items
        .into_iter()
        .map(|o| {
            let case_id = hearings
                .iter()
                .find(|h| h.id == o.hearing_id)
                .map(|h| h.case_id.clone())
                .unwrap_or_default();
            (o, case_id)
        })
        .collect();
    Ok(Page {
        items,
        next_cursor: found.next_cursor,
    })
}
