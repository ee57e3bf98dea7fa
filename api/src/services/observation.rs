//! Hearing observations: what one monitor recorded at one hearing, under one methodology version.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use courtwatch_methodology::Scope;
use poem_openapi::Object;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Query,
};
use serde_json::{Map, Value};

use crate::access::Actor;
use crate::{
    access::policy,
    entities::{hearing, observation},
    error::{FieldProblem, ServiceError},
    outbox::{self, Change},
    services::{
        audit::{self, Entry, snapshot},
        case as case_service,
        common::{
            Page, answers_text, fail_if_any, methodology_version, new_id, page, parse_answers,
        },
        hearing as hearing_service,
        hearing_facts::problems,
        review::{self, ReviewAction, ReviewInput, ReviewStatus},
    },
    state::AppState,
};

/// Where an observation is in review (see [`review`]).
pub type ObservationStatus = ReviewStatus;

/// An observation, as written by a monitor.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ObservationInput {
    /// On create only: the new record's id, chosen by the client (a UUID version 7, lower case
    /// with hyphens). Sending the same create again, say because the answer was lost, returns
    /// the record already stored (200) and creates nothing. Leave it out to let the server
    /// choose. On update it must be absent or equal to the id in the path.
    #[oai(validator(max_length = 36))]
    pub id: Option<String>,
    /// The hearing observed (a hearing id).
    #[oai(validator(max_length = 36))]
    pub hearing_id: String,
    /// Methodology version the answers follow; the latest published when absent.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub methodology_version: Option<u32>,
    /// Answers to the methodology's observation questions, by question code. The hearing's own
    /// facts (type, outcome, times, next date) are recorded on the hearing, not here.
    #[oai(default)]
    pub answers: BTreeMap<String, Value>,
    /// The monitor's narrative notes: what happened, in their words. Use roles, not names.
    #[oai(validator(max_length = 50000))]
    pub notes: Option<String>,
    /// `draft` (default) may be incomplete; `submitted` requires every required question that
    /// applies. Publishing, returning and withdrawing go through `POST /observations/{id}/review`.
    pub status: Option<ObservationStatus>,
}

/// An observation of one hearing by one monitor.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
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
    /// Where it is in review; researchers see published observations of published cases only.
    pub status: ObservationStatus,
    /// The reviewer's comments when it was returned, by question code (or `notes`).
    pub review_comments: BTreeMap<String, String>,
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
    /// Raised by every change, review steps included; also the `ETag`. Send it back in
    /// `If-Match` with an update to refuse the update (412) if anyone changed the record since.
    pub version: u32,
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
        review_comments: review::parse_comments(m.review_comments.as_deref()),
        submitted_at: m.submitted_at,
        created_at: m.created_at,
        created_by: m.created_by,
        updated_at: m.updated_at,
        updated_by: m.updated_by,
        version: m.version.max(0) as u32,
    })
}

/// What a create did: stored a new record, or found the one a retried create already stored.
#[derive(Debug)]
pub enum Creation {
    /// A new record.
    Created(observation::Model, String),
    /// The record this client id already names (the body was not applied again).
    Existing(observation::Model, String),
}

/// Checks a client-chosen id: a UUID version 7 in its canonical text form.
pub fn check_client_id(id: &str) -> Result<(), ServiceError> {
    let parsed = uuid::Uuid::try_parse(id).ok();
    match parsed {
        Some(u) if u.get_version_num() == 7 && u.hyphenated().to_string() == id => Ok(()),
        _ => Err(ServiceError::invalid(
            "id",
            format!(
                "'{id}' is not a UUID version 7 in lower case with hyphens \
                 (e.g. 019ad3c0-8a1b-7c2d-9e3f-4a5b6c7d8e9f); leave it out to let the server choose"
            ),
        )),
    }
}

/// Whether `found` is the record a retried create of `input` by `actor` made.
fn same_create(found: &observation::Model, actor: &Actor, input: &ObservationInput) -> bool {
    found.created_by == actor.user_id && found.hearing_id == input.hearing_id
}

/// An update's `If-Match` (the version it was made from) against the stored version.
pub fn check_version(
    expected: Option<u32>,
    found: &observation::Model,
) -> Result<(), ServiceError> {
    match expected {
        Some(v) if v as i64 != found.version as i64 => Err(ServiceError::Stale {
            resource: "observation",
            expected: v,
            current: found.version.max(0) as u32,
        }),
        _ => Ok(()),
    }
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

struct Checked {
    hearing: hearing::Model,
    organisation: String,
    version: u32,
    status: ObservationStatus,
}

async fn check(
    state: &AppState,
    actor: &Actor,
    input: &ObservationInput,
) -> Result<Checked, ServiceError> {
    let methodology = methodology_version(state.methodology, input.methodology_version)?;
    let missing = || {
        ServiceError::invalid(
            "hearing_id",
            format!("no hearing with id {}", input.hearing_id),
        )
    };
    let hearing = match hearing_service::get(state, &input.hearing_id).await {
        Ok(h) => h,
        Err(ServiceError::NotFound { .. }) => return Err(missing()),
        Err(other) => return Err(other),
    };
    let case =
        match case_service::for_new_record(state, actor, &hearing.case_id, "hearing_id").await {
            Ok(case) => case,
            Err(ServiceError::Invalid(_)) => return Err(missing()),
            Err(other) => return Err(other),
        };
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
        organisation: case.case.organisation_id,
        version: methodology.version,
        status,
    })
}

/// Refuses a status that only the review workflow sets.
fn check_status_input(input: &ObservationInput) -> Result<(), ServiceError> {
    match input.status {
        None | Some(ReviewStatus::Draft | ReviewStatus::Submitted) => Ok(()),
        Some(other) => Err(ServiceError::invalid(
            "status",
            format!(
                "'{}' is set by a reviewer through POST /observations/{{id}}/review; \
                 write draft or submitted",
                other.as_str()
            ),
        )),
    }
}

/// The organisation an observation belongs to and whether it is released.
async fn owner(
    state: &AppState,
    found: &observation::Model,
) -> Result<(hearing::Model, case_service::CaseRecord, bool), ServiceError> {
    let hearing = hearing_service::get(state, &found.hearing_id).await?;
    let case = case_service::get(state, &hearing.case_id).await?;
    let released = policy::released(Some(&found.status), Some(&case.case.review_status));
    Ok((hearing, case, released))
}

/// Finds an observation the caller may see (404 otherwise), with its case id.
pub async fn read(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<(observation::Model, String), ServiceError> {
    let (found, _) = get(state, id).await?;
    let (hearing, case, released) = owner(state, &found).await?;
    policy::require_visible(
        actor,
        &case.case.organisation_id,
        released,
        "observation",
        id,
    )?;
    Ok((found, hearing.case_id))
}

async fn audit_observation<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: &str,
    organisation: &str,
    case_id: &str,
    before: Option<&observation::Model>,
    after: &observation::Model,
) -> Result<(), ServiceError> {
    let json = |m: &observation::Model| -> Result<Option<Value>, ServiceError> {
        Ok(snapshot(&to_api(m.clone(), case_id.to_owned())?))
    };
    audit::record(
        db,
        Some(actor),
        Entry {
            action,
            resource: "observation",
            resource_id: &after.id,
            organisation_id: Some(organisation),
            before: before.map(json).transpose()?.flatten(),
            after: json(after)?,
        },
    )
    .await
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
    match create_once(state, actor, input).await? {
        Creation::Created(m, case) | Creation::Existing(m, case) => Ok((m, case)),
    }
}

/// Records an observation, at most once per client-chosen id: a create that names the id of a
/// record the same monitor already made for the same hearing returns that record.
pub async fn create_once(
    state: &AppState,
    actor: &Actor,
    input: ObservationInput,
) -> Result<Creation, ServiceError> {
    check_status_input(&input)?;
    let id = match &input.id {
        Some(id) => {
            check_client_id(id)?;
            if let Some(found) = existing_create(state, actor, &input, id).await? {
                return Ok(found);
            }
            id.clone()
        }
        None => new_id(),
    };
    let checked = check(state, actor, &input).await?;
    let now = Utc::now();
    let txn = crate::services::common::begin_write(&state.db).await?;
    let inserted = observation::ActiveModel {
        id: Set(id.clone()),
        hearing_id: Set(checked.hearing.id.clone()),
        monitor_id: Set(actor.user_id.clone()),
        methodology_version: Set(checked.version as i32),
        answers: Set(answers_text(&input.answers.clone().into_iter().collect())),
        notes: Set(input.notes.clone()),
        status: Set(checked.status.as_str().to_owned()),
        review_comments: Set(None),
        submitted_at: Set((checked.status == ObservationStatus::Submitted).then_some(now)),
        created_at: Set(now),
        updated_at: Set(now),
        created_by: Set(actor.user_id.clone()),
        updated_by: Set(actor.user_id.clone()),
        version: Set(1),
    }
    .insert(&txn)
    .await;
    let created = match inserted {
        Ok(created) => created,
        Err(e) => {
            drop(txn);
            // Two sends of the same create at once: the second finds the first's record.
            if input.id.is_some()
                && let Some(found) = existing_create(state, actor, &input, &id).await?
            {
                return Ok(found);
            }
            return Err(ServiceError::from_write(e));
        }
    };
    outbox::record(&txn, Change::Observation, &created.id).await?;
    audit_observation(
        &txn,
        actor,
        "create",
        &checked.organisation,
        &checked.hearing.case_id,
        None,
        &created,
    )
    .await?;
    txn.commit().await?;
    state.search.changed();
    Ok(Creation::Created(created, checked.hearing.case_id))
}

/// The record a retried create already stored under `id`, or `None` when the id is free; a
/// conflict when the id names someone else's record or another hearing's.
async fn existing_create(
    state: &AppState,
    actor: &Actor,
    input: &ObservationInput,
    id: &str,
) -> Result<Option<Creation>, ServiceError> {
    let Some(found) = observation::Entity::find_by_id(id.to_owned())
        .one(&state.db)
        .await?
    else {
        return Ok(None);
    };
    if !same_create(&found, actor, input) {
        return Err(ServiceError::Conflict(format!(
            "the id {id} is taken by another record; choose a new id"
        )));
    }
    let hearing = hearing_service::get(state, &found.hearing_id).await?;
    Ok(Some(Creation::Existing(found, hearing.case_id)))
}

/// Replaces an observation's answers and notes, or submits it. A submitted observation cannot go
/// back to draft; a published one is changed only by a reviewer (see [`review`]).
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: ObservationInput,
    if_match: Option<u32>,
) -> Result<(observation::Model, String), ServiceError> {
    check_status_input(&input)?;
    if input.id.as_deref().is_some_and(|given| given != id) {
        return Err(ServiceError::invalid(
            "id",
            "differs from the id in the path; an observation's id never changes",
        ));
    }
    let (existing, _) = get(state, id).await?;
    let (_, case, released) = owner(state, &existing).await?;
    policy::require_change(
        actor,
        &case.case.organisation_id,
        released,
        "observation",
        id,
    )?;
    check_version(if_match, &existing)?;
    review::require_editable(actor, ObservationStatus::parse(&existing.status))?;
    if existing.hearing_id != input.hearing_id {
        return Err(ServiceError::invalid(
            "hearing_id",
            "an observation cannot be moved to another hearing",
        ));
    }
    let current = ObservationStatus::parse(&existing.status);
    let wanted = input.status.unwrap_or(current);
    if current.complete() && wanted == ObservationStatus::Draft {
        return Err(ServiceError::Conflict(format!(
            "a {} observation cannot be turned back into a draft",
            current.as_str()
        )));
    }
    let input = ObservationInput {
        status: Some(wanted),
        ..input
    };
    let checked = check(state, actor, &input).await?;
    let now = Utc::now();
    let first_submission =
        existing.submitted_at.is_none() && wanted == ObservationStatus::Submitted;
    let mut active: observation::ActiveModel = existing.clone().into();
    active.methodology_version = Set(checked.version as i32);
    active.answers = Set(answers_text(&input.answers.into_iter().collect()));
    active.notes = Set(input.notes);
    active.status = Set(wanted.as_str().to_owned());
    if first_submission {
        active.submitted_at = Set(Some(now));
    }
    active.updated_at = Set(now);
    active.updated_by = Set(actor.user_id.clone());
    active.version = Set(existing.version + 1);
    let txn = crate::services::common::begin_write(&state.db).await?;
    let updated = bump(&txn, active, &existing).await?;
    outbox::record(&txn, Change::Observation, &updated.id).await?;
    audit_observation(
        &txn,
        actor,
        "update",
        &checked.organisation,
        &checked.hearing.case_id,
        Some(&existing),
        &updated,
    )
    .await?;
    txn.commit().await?;
    state.search.changed();
    Ok((updated, checked.hearing.case_id))
}

/// Takes a review step on an observation (see [`review`]), on the version `if_match` when given.
/// Submitting checks that every required question that applies is answered; publishing needs
/// the case published first.
pub async fn review(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: ReviewInput,
    if_match: Option<u32>,
) -> Result<(observation::Model, String), ServiceError> {
    let (existing, _) = get(state, id).await?;
    // A reviewer acts on the version they read: a record changed since is not published unseen.
    check_version(if_match, &existing)?;
    let (hearing, case, released) = owner(state, &existing).await?;
    let organisation = case.case.organisation_id.clone();
    policy::require_change(actor, &organisation, released, "observation", id)?;
    let next = review::next_status(
        actor,
        ObservationStatus::parse(&existing.status),
        input.action,
    )?;
    let methodology =
        methodology_version(state.methodology, Some(existing.methodology_version as u32))?;
    let comments = review::comments_text(methodology, Scope::Observation, &["notes"], &input)?;
    if input.action == ReviewAction::Submit {
        let answers = parse_answers(&existing.answers)?;
        fail_if_any(problems(
            methodology,
            &hearing,
            &case.jurisdiction,
            &answers,
            ReviewStatus::Submitted,
        ))?;
    }
    if input.action == ReviewAction::Publish && case.case.review_status != policy::PUBLISHED {
        return Err(ServiceError::Conflict(
            "the observation's case is not published; publish the case first".into(),
        ));
    }
    let now = Utc::now();
    let mut active: observation::ActiveModel = existing.clone().into();
    active.status = Set(next.as_str().to_owned());
    if input.action == ReviewAction::Return || next == ReviewStatus::Published {
        active.review_comments = Set(comments);
    }
    if existing.submitted_at.is_none() && next == ReviewStatus::Submitted {
        active.submitted_at = Set(Some(now));
    }
    active.updated_at = Set(now);
    active.updated_by = Set(actor.user_id.clone());
    active.version = Set(existing.version + 1);
    let txn = crate::services::common::begin_write(&state.db).await?;
    let updated = bump(&txn, active, &existing).await?;
    outbox::record(&txn, Change::Observation, id).await?;
    audit_observation(
        &txn,
        actor,
        input.action.as_str(),
        &organisation,
        &hearing.case_id,
        Some(&existing),
        &updated,
    )
    .await?;
    txn.commit().await?;
    state.search.changed();
    Ok((updated, hearing.case_id))
}

/// Writes `active` only if the stored version is still `existing`'s (two writers that read the
/// same version: the second is refused, as if its `If-Match` had failed).
async fn bump<C: ConnectionTrait>(
    db: &C,
    active: observation::ActiveModel,
    existing: &observation::Model,
) -> Result<observation::Model, ServiceError> {
    let result = observation::Entity::update_many()
        .set(active)
        .filter(observation::Column::Id.eq(existing.id.clone()))
        .filter(observation::Column::Version.eq(existing.version))
        .exec(db)
        .await
        .map_err(ServiceError::from_write)?;
    if result.rows_affected != 1 {
        return Err(ServiceError::Stale {
            resource: "observation",
            expected: existing.version.max(0) as u32,
            current: existing.version.max(0) as u32 + 1,
        });
    }
    observation::Entity::find_by_id(existing.id.clone())
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::internal("an updated observation vanished"))
}

/// Lists the observations the caller may see in creation order, each with its case id.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: ObservationFilter,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<(observation::Model, String)>, ServiceError> {
    let mut select = observation::Entity::find().filter(policy::visible_observations(actor));
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
