//! Courts: where monitored cases are heard.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::access::Actor;
use crate::{
    entities::court,
    error::{FieldProblem, ServiceError},
    outbox::{self, Change},
    services::{
        audit::{self, Entry, snapshot},
        common::{self, Page, check_term, fail_if_any, new_id, page},
    },
    state::AppState,
};

/// A court, as written by a monitor.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CourtInput {
    /// The court's official name, e.g. `Basic Court of Prizren` (unique within the jurisdiction).
    #[oai(validator(min_length = 1, max_length = 300))]
    pub name: String,
    /// Level, a term of methodology vocabulary `court_level` (basic, higher, appellate, supreme, ...).
    #[oai(validator(max_length = 64))]
    pub level: String,
    /// Jurisdiction, a term of methodology vocabulary `jurisdiction` (XK, RS, ME, ...).
    #[oai(validator(max_length = 64))]
    pub jurisdiction: String,
    /// Municipality where the court (or its branch) sits.
    #[oai(validator(max_length = 200))]
    pub municipality: Option<String>,
}

/// A court.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Court {
    /// Public id.
    pub id: String,
    /// Official name.
    pub name: String,
    /// Level (vocabulary `court_level`).
    pub level: String,
    /// Jurisdiction (vocabulary `jurisdiction`).
    pub jurisdiction: String,
    /// Municipality.
    pub municipality: Option<String>,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// Who created it (user id).
    pub created_by: String,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// Who last changed it (user id).
    pub updated_by: String,
}

impl From<court::Model> for Court {
    fn from(m: court::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            level: m.level,
            jurisdiction: m.jurisdiction,
            municipality: m.municipality,
            created_at: m.created_at,
            created_by: m.created_by,
            updated_at: m.updated_at,
            updated_by: m.updated_by,
        }
    }
}

/// Filters for listing courts.
#[derive(Debug, Default)]
pub struct CourtFilter {
    /// Only this jurisdiction.
    pub jurisdiction: Option<String>,
    /// Only this level.
    pub level: Option<String>,
}

fn check(state: &AppState, input: &CourtInput) -> Result<(), ServiceError> {
    let methodology = state.methodology.latest();
    let mut problems: Vec<FieldProblem> = Vec::new();
    check_term(
        methodology,
        "court_level",
        "level",
        &input.level,
        &mut problems,
    );
    check_term(
        methodology,
        "jurisdiction",
        "jurisdiction",
        &input.jurisdiction,
        &mut problems,
    );
    if input.name.trim().is_empty() {
        problems.push(FieldProblem::field("name", "must not be blank"));
    }
    fail_if_any(problems)
}

/// Finds a court by id.
pub async fn get(state: &AppState, id: &str) -> Result<court::Model, ServiceError> {
    common::find_or_404::<court::Entity, _>(&state.db, "court", id).await
}

/// Creates a court.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: CourtInput,
) -> Result<court::Model, ServiceError> {
    check(state, &input)?;
    let now = Utc::now();
    let txn = crate::services::common::begin_write(&state.db).await?;
    let created = court::ActiveModel {
        id: Set(new_id()),
        name: Set(input.name),
        level: Set(input.level),
        jurisdiction: Set(input.jurisdiction),
        municipality: Set(input.municipality),
        created_at: Set(now),
        updated_at: Set(now),
        created_by: Set(actor.user_id.clone()),
        updated_by: Set(actor.user_id.clone()),
    }
    .insert(&txn)
    .await
    .map_err(ServiceError::from_write)?;
    audit_court(&txn, actor, "create", None, &created).await?;
    txn.commit().await?;
    Ok(created)
}

/// Records a court write in the audit trail (courts are shared: no organisation).
async fn audit_court<C: sea_orm::ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: &str,
    before: Option<&court::Model>,
    after: &court::Model,
) -> Result<(), ServiceError> {
    let json = |m: &court::Model| snapshot(&Court::from(m.clone()));
    audit::record(
        db,
        Some(actor),
        Entry {
            action,
            resource: "court",
            resource_id: &after.id,
            organisation_id: None,
            before: before.and_then(json),
            after: json(after),
        },
    )
    .await
}

/// Replaces a court's fields.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: CourtInput,
) -> Result<court::Model, ServiceError> {
    let existing = get(state, id).await?;
    check(state, &input)?;
    let txn = crate::services::common::begin_write(&state.db).await?;
    if !actor.is_admin() && used_by_others(&txn, actor, id).await? {
        return Err(ServiceError::Forbidden(
            "this court is used by other organisations' records; only an admin may change it \
             (its name and jurisdiction place their cases in every filter, statistic and dataset)"
                .into(),
        ));
    }
    let mut active: court::ActiveModel = existing.clone().into();
    active.name = Set(input.name);
    active.level = Set(input.level);
    active.jurisdiction = Set(input.jurisdiction);
    active.municipality = Set(input.municipality);
    active.updated_at = Set(Utc::now());
    active.updated_by = Set(actor.user_id.clone());
    let updated = active
        .update(&txn)
        .await
        .map_err(ServiceError::from_write)?;
    // The court's name is in every document of its cases and rulings.
    outbox::record(&txn, Change::Court, &updated.id).await?;
    audit_court(&txn, actor, "update", Some(&existing), &updated).await?;
    txn.commit().await?;
    state.search.changed();
    Ok(updated)
}

/// Whether any record of an organisation other than `actor`'s names the court: shared reference
/// data that only an admin may change from then on.
async fn used_by_others<C: sea_orm::ConnectionTrait>(
    db: &C,
    actor: &Actor,
    court_id: &str,
) -> Result<bool, ServiceError> {
    use crate::entities::{case, ruling};
    use sea_orm::{Condition, PaginatorTrait};
    let cases = case::Entity::find()
        .filter(case::Column::CourtId.eq(court_id))
        .filter(case::Column::OrganisationId.ne(actor.organisation_id.as_str()))
        .count(db)
        .await?;
    let rulings = ruling::Entity::find()
        .filter(ruling::Column::CourtId.eq(court_id))
        .filter(
            Condition::any()
                .add(ruling::Column::OrganisationId.is_null())
                .add(ruling::Column::OrganisationId.ne(actor.organisation_id.as_str())),
        )
        .count(db)
        .await?;
    Ok(cases + rulings > 0)
}

/// Lists courts.
pub async fn list(
    state: &AppState,
    filter: CourtFilter,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<court::Model>, ServiceError> {
    let mut select = court::Entity::find();
    if let Some(jurisdiction) = filter.jurisdiction {
        select = select.filter(court::Column::Jurisdiction.eq(jurisdiction));
    }
    if let Some(level) = filter.level {
        select = select.filter(court::Column::Level.eq(level));
    }
    page(
        &state.db,
        select,
        court::Column::Id,
        |m| &m.id,
        cursor,
        limit,
    )
    .await
}
