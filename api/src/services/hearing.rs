//! Hearings of a monitored case: when they were scheduled and held, and what happened.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use poem_openapi::Object;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Query};

use crate::access::Actor;
use crate::{
    access::policy,
    entities::{case, court, hearing},
    error::{FieldProblem, ServiceError},
    outbox::{self, Change},
    services::{
        audit::{self, Entry, snapshot},
        case as case_service,
        common::{self, Page, check_term, fail_if_any, new_id, page},
        hearing_facts,
    },
    state::AppState,
};

/// A hearing, as written by a monitor.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HearingInput {
    /// The case (a case id).
    #[oai(validator(max_length = 36))]
    pub case_id: String,
    /// When the hearing was scheduled to start (RFC 3339 with offset; stored and returned in UTC).
    pub scheduled_at: DateTime<FixedOffset>,
    /// When it actually started; only for hearings that were held.
    pub started_at: Option<DateTime<FixedOffset>>,
    /// When it ended.
    pub ended_at: Option<DateTime<FixedOffset>>,
    /// Type of hearing (vocabulary `hearing_type`).
    #[oai(validator(max_length = 64))]
    pub hearing_type: String,
    /// What happened (vocabulary `hearing_outcome`): `scheduled` until it takes place.
    #[oai(validator(max_length = 64))]
    pub outcome: String,
    /// Date of the next hearing, when announced.
    pub next_hearing_date: Option<NaiveDate>,
    /// Courtroom.
    #[oai(validator(max_length = 100))]
    pub courtroom: Option<String>,
}

/// A hearing.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Hearing {
    /// Public id.
    pub id: String,
    /// The case.
    pub case_id: String,
    /// Scheduled start (UTC).
    pub scheduled_at: DateTime<Utc>,
    /// Actual start (UTC).
    pub started_at: Option<DateTime<Utc>>,
    /// End (UTC).
    pub ended_at: Option<DateTime<Utc>>,
    /// Type (vocabulary `hearing_type`).
    pub hearing_type: String,
    /// Outcome (vocabulary `hearing_outcome`).
    pub outcome: String,
    /// Date of the next hearing.
    pub next_hearing_date: Option<NaiveDate>,
    /// Courtroom.
    pub courtroom: Option<String>,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// Who created it (user id).
    pub created_by: String,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// Who last changed it (user id).
    pub updated_by: String,
}

impl From<hearing::Model> for Hearing {
    fn from(m: hearing::Model) -> Self {
        Self {
            id: m.id,
            case_id: m.case_id,
            scheduled_at: m.scheduled_at,
            started_at: m.started_at,
            ended_at: m.ended_at,
            hearing_type: m.hearing_type,
            outcome: m.outcome,
            next_hearing_date: m.next_hearing_date,
            courtroom: m.courtroom,
            created_at: m.created_at,
            created_by: m.created_by,
            updated_at: m.updated_at,
            updated_by: m.updated_by,
        }
    }
}

/// Filters for listing hearings.
#[derive(Debug, Default)]
pub struct HearingFilter {
    /// Only hearings of this case.
    pub case_id: Option<String>,
    /// Only hearings at this court.
    pub court_id: Option<String>,
    /// Only hearings at courts of this jurisdiction.
    pub jurisdiction: Option<String>,
    /// Only this outcome.
    pub outcome: Option<String>,
    /// Only this type.
    pub hearing_type: Option<String>,
    /// Only hearings scheduled on or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only hearings scheduled before this instant.
    pub to: Option<DateTime<Utc>>,
}

const HELD: &[&str] = &["held", "held_then_adjourned"];

async fn check(
    state: &AppState,
    actor: &Actor,
    input: &HearingInput,
) -> Result<String, ServiceError> {
    let mut problems = Vec::new();
    let organisation =
        match case_service::for_new_record(state, actor, &input.case_id, "case_id").await {
            Ok(record) => record.case.organisation_id,
            Err(ServiceError::Invalid(found)) => {
                problems.extend(found);
                String::new()
            }
            Err(other) => return Err(other),
        };
    let methodology = state.methodology.latest();
    check_term(
        methodology,
        "hearing_type",
        "hearing_type",
        &input.hearing_type,
        &mut problems,
    );
    check_term(
        methodology,
        "hearing_outcome",
        "outcome",
        &input.outcome,
        &mut problems,
    );
    if input.started_at.is_some() && !HELD.contains(&input.outcome.as_str()) {
        problems.push(FieldProblem::field(
            "started_at",
            "only a hearing that was held has a start time",
        ));
    }
    if let (Some(start), Some(end)) = (input.started_at, input.ended_at)
        && end < start
    {
        problems.push(FieldProblem::field("ended_at", "is before started_at"));
    }
    if input.ended_at.is_some() && input.started_at.is_none() {
        problems.push(FieldProblem::field("ended_at", "needs started_at"));
    }
    fail_if_any(problems)?;
    Ok(organisation)
}

/// Finds a hearing by id, whoever asks.
pub async fn get(state: &AppState, id: &str) -> Result<hearing::Model, ServiceError> {
    common::find_or_404::<hearing::Entity, _>(&state.db, "hearing", id).await
}

/// Finds a hearing the caller may see (that of a case they may see; 404 otherwise).
pub async fn read(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<hearing::Model, ServiceError> {
    let found = get(state, id).await?;
    case_service::require_for_record(state, actor, &found.case_id, "hearing", id, false).await?;
    Ok(found)
}

async fn audit_hearing<C: sea_orm::ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: &str,
    organisation: &str,
    before: Option<&hearing::Model>,
    after: &hearing::Model,
) -> Result<(), ServiceError> {
    let json = |m: &hearing::Model| snapshot(&Hearing::from(m.clone()));
    audit::record(
        db,
        Some(actor),
        Entry {
            action,
            resource: "hearing",
            resource_id: &after.id,
            organisation_id: Some(organisation),
            before: before.and_then(json),
            after: json(after),
        },
    )
    .await
}

/// Creates a hearing.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: HearingInput,
) -> Result<hearing::Model, ServiceError> {
    let organisation = check(state, actor, &input).await?;
    let now = Utc::now();
    let txn = crate::services::common::begin_write(&state.db).await?;
    let created = hearing::ActiveModel {
        id: Set(new_id()),
        case_id: Set(input.case_id),
        scheduled_at: Set(input.scheduled_at.with_timezone(&Utc)),
        started_at: Set(input.started_at.map(|t| t.with_timezone(&Utc))),
        ended_at: Set(input.ended_at.map(|t| t.with_timezone(&Utc))),
        hearing_type: Set(input.hearing_type),
        outcome: Set(input.outcome),
        next_hearing_date: Set(input.next_hearing_date),
        courtroom: Set(input.courtroom),
        created_at: Set(now),
        updated_at: Set(now),
        created_by: Set(actor.user_id.clone()),
        updated_by: Set(actor.user_id.clone()),
    }
    .insert(&txn)
    .await
    .map_err(ServiceError::from_write)?;
    audit_hearing(&txn, actor, "create", &organisation, None, &created).await?;
    txn.commit().await?;
    Ok(created)
}

/// Replaces a hearing's fields. Submitted observations of the hearing are checked again against
/// the new facts; the update is refused if any of them would become invalid.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: HearingInput,
) -> Result<hearing::Model, ServiceError> {
    let existing = get(state, id).await?;
    case_service::require_for_record(state, actor, &existing.case_id, "hearing", id, true).await?;
    if existing.case_id != input.case_id {
        return Err(ServiceError::invalid(
            "case_id",
            "a hearing cannot be moved to another case",
        ));
    }
    let organisation = check(state, actor, &input).await?;
    let mut active: hearing::ActiveModel = existing.clone().into();
    active.scheduled_at = Set(input.scheduled_at.with_timezone(&Utc));
    active.started_at = Set(input.started_at.map(|t| t.with_timezone(&Utc)));
    active.ended_at = Set(input.ended_at.map(|t| t.with_timezone(&Utc)));
    active.hearing_type = Set(input.hearing_type);
    active.outcome = Set(input.outcome);
    active.next_hearing_date = Set(input.next_hearing_date);
    active.courtroom = Set(input.courtroom);
    active.updated_at = Set(Utc::now());
    active.updated_by = Set(actor.user_id.clone());
    let txn = crate::services::common::begin_write(&state.db).await?;
    let updated = active
        .update(&txn)
        .await
        .map_err(ServiceError::from_write)?;
    hearing_facts::recheck_submitted(state, &txn, &updated).await?;
    outbox::record(&txn, Change::Hearing, &updated.id).await?;
    audit_hearing(
        &txn,
        actor,
        "update",
        &organisation,
        Some(&existing),
        &updated,
    )
    .await?;
    txn.commit().await?;
    state.search.changed();
    Ok(updated)
}

/// Lists the hearings of cases the caller may see, in creation order.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: HearingFilter,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<hearing::Model>, ServiceError> {
    let mut select =
        hearing::Entity::find().filter(policy::of_visible_cases(actor, hearing::Column::CaseId));
    if let Some(case_id) = filter.case_id {
        select = select.filter(hearing::Column::CaseId.eq(case_id));
    }
    if filter.court_id.is_some() || filter.jurisdiction.is_some() {
        let mut cases = Query::select()
            .column(case::Column::Id)
            .from(case::Entity)
            .to_owned();
        if let Some(court_id) = filter.court_id {
            cases.and_where(case::Column::CourtId.eq(court_id));
        }
        if let Some(jurisdiction) = filter.jurisdiction {
            cases.and_where(
                case::Column::CourtId.in_subquery(
                    Query::select()
                        .column(court::Column::Id)
                        .from(court::Entity)
                        .and_where(court::Column::Jurisdiction.eq(jurisdiction))
                        .to_owned(),
                ),
            );
        }
        select = select.filter(hearing::Column::CaseId.in_subquery(cases));
    }
    if let Some(outcome) = filter.outcome {
        select = select.filter(hearing::Column::Outcome.eq(outcome));
    }
    if let Some(hearing_type) = filter.hearing_type {
        select = select.filter(hearing::Column::HearingType.eq(hearing_type));
    }
    if let Some(from) = filter.from {
        select = select.filter(hearing::Column::ScheduledAt.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(hearing::Column::ScheduledAt.lt(to));
    }
    page(
        &state.db,
        select,
        hearing::Column::Id,
        |m| &m.id,
        cursor,
        limit,
    )
    .await
}
