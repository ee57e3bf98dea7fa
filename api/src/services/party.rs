//! Parties to a monitored case, recorded by role and pseudonym only.

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::access::Actor;
use crate::{
    access::policy,
    entities::party,
    error::{FieldProblem, ServiceError},
    outbox::{self, Change},
    services::{
        audit::{self, Entry, snapshot},
        case,
        common::{self, Page, check_term, fail_if_any, new_id, page},
    },
    state::AppState,
};

/// A party to a case. Never a real name: real names and other identifying details belong in the
/// case's sensitive-terms list (access-control issue), not here.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PartyInput {
    /// The case (a case id).
    #[oai(validator(max_length = 36))]
    pub case_id: String,
    /// Role in the proceeding (vocabulary `party_role`).
    #[oai(validator(max_length = 64))]
    pub role: String,
    /// Kind of party (vocabulary `party_kind`).
    #[oai(validator(max_length = 64))]
    pub kind: String,
    /// A pseudonym unique within the case, e.g. `Claimant A` or `Primary school X`.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub pseudonym: String,
    /// Protected characteristics relevant to the case (vocabulary `ground`, as listed for the case's
    /// jurisdiction).
    #[oai(default, validator(max_items = 40))]
    pub characteristics: Vec<String>,
    /// Representation (vocabulary `representation`).
    #[oai(validator(max_length = 64))]
    pub representation: String,
}

/// A party to a case.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Party {
    /// Public id.
    pub id: String,
    /// The case.
    pub case_id: String,
    /// Role (vocabulary `party_role`).
    pub role: String,
    /// Kind (vocabulary `party_kind`).
    pub kind: String,
    /// Pseudonym.
    pub pseudonym: String,
    /// Protected characteristics (vocabulary `ground`).
    pub characteristics: Vec<String>,
    /// Representation (vocabulary `representation`).
    pub representation: String,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// Who created it (user id).
    pub created_by: String,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// Who last changed it (user id).
    pub updated_by: String,
}

impl TryFrom<party::Model> for Party {
    type Error = ServiceError;
    fn try_from(m: party::Model) -> Result<Self, ServiceError> {
        let characteristics = serde_json::from_str(&m.characteristics).map_err(|_| {
            ServiceError::Database(sea_orm::DbErr::Custom(
                "stored characteristics are not a list".into(),
            ))
        })?;
        Ok(Self {
            id: m.id,
            case_id: m.case_id,
            role: m.role,
            kind: m.kind,
            pseudonym: m.pseudonym,
            characteristics,
            representation: m.representation,
            created_at: m.created_at,
            created_by: m.created_by,
            updated_at: m.updated_at,
            updated_by: m.updated_by,
        })
    }
}

async fn check(
    state: &AppState,
    actor: &Actor,
    input: &PartyInput,
) -> Result<String, ServiceError> {
    let mut problems = Vec::new();
    let (jurisdiction, organisation) =
        match case::for_new_record(state, actor, &input.case_id, "case_id").await {
            Ok(record) => (Some(record.jurisdiction), record.case.organisation_id),
            Err(ServiceError::Invalid(found)) => {
                problems.extend(found);
                (None, String::new())
            }
            Err(other) => return Err(other),
        };
    let methodology = state.methodology.latest();
    check_term(
        methodology,
        "party_role",
        "role",
        &input.role,
        &mut problems,
    );
    check_term(
        methodology,
        "party_kind",
        "kind",
        &input.kind,
        &mut problems,
    );
    check_term(
        methodology,
        "representation",
        "representation",
        &input.representation,
        &mut problems,
    );
    if input.pseudonym.trim().is_empty() {
        problems.push(FieldProblem::field("pseudonym", "must not be blank"));
    }
    let grounds = methodology.vocabulary("ground");
    for (i, code) in input.characteristics.iter().enumerate() {
        let field = format!("characteristics[{i}]");
        match grounds.and_then(|g| g.term(code)) {
            None => problems.push(FieldProblem::field(
                &field,
                format!(
                    "'{code}' is not a term of vocabulary 'ground'; expected one of: {}",
                    grounds
                        .map(|g| g
                            .terms
                            .iter()
                            .filter(|t| jurisdiction.as_ref().is_none_or(|j| {
                                t.jurisdictions.is_empty() || t.jurisdictions.contains(j)
                            }))
                            .map(|t| t.code.as_str())
                            .collect::<Vec<_>>()
                            .join(", "))
                        .unwrap_or_default()
                ),
            )),
            Some(term) => {
                if let Some(j) = &jurisdiction
                    && !term.jurisdictions.is_empty()
                    && !term.jurisdictions.contains(j)
                {
                    problems.push(FieldProblem::field(
                        &field,
                        format!("'{code}' is not listed for jurisdiction {j}"),
                    ));
                }
            }
        }
        if input.characteristics[..i].contains(code) {
            problems.push(FieldProblem::field(
                &field,
                format!("'{code}' is listed more than once"),
            ));
        }
    }
    fail_if_any(problems)?;
    Ok(organisation)
}

/// Finds a party by id, whoever asks.
pub async fn get(state: &AppState, id: &str) -> Result<party::Model, ServiceError> {
    common::find_or_404::<party::Entity, _>(&state.db, "party", id).await
}

/// Finds a party the caller may see (that of a case they may see; 404 otherwise).
pub async fn read(state: &AppState, actor: &Actor, id: &str) -> Result<party::Model, ServiceError> {
    let found = get(state, id).await?;
    case::require_for_record(state, actor, &found.case_id, "party", id, false).await?;
    Ok(found)
}

async fn audit_party<C: sea_orm::ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: &str,
    organisation: &str,
    before: Option<&party::Model>,
    after: &party::Model,
) -> Result<(), ServiceError> {
    let json = |m: &party::Model| -> Result<Option<serde_json::Value>, ServiceError> {
        Ok(snapshot(&Party::try_from(m.clone())?))
    };
    audit::record(
        db,
        Some(actor),
        Entry {
            action,
            resource: "party",
            resource_id: &after.id,
            organisation_id: Some(organisation),
            before: before.map(json).transpose()?.flatten(),
            after: json(after)?,
        },
    )
    .await
}

fn characteristics_text(input: &PartyInput) -> String {
    serde_json::Value::from(input.characteristics.clone()).to_string()
}

/// Creates a party.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: PartyInput,
) -> Result<party::Model, ServiceError> {
    let organisation = check(state, actor, &input).await?;
    let now = Utc::now();
    let txn = crate::services::common::begin_write(&state.db).await?;
    let created = party::ActiveModel {
        id: Set(new_id()),
        characteristics: Set(characteristics_text(&input)),
        case_id: Set(input.case_id),
        role: Set(input.role),
        kind: Set(input.kind),
        pseudonym: Set(input.pseudonym),
        representation: Set(input.representation),
        created_at: Set(now),
        updated_at: Set(now),
        created_by: Set(actor.user_id.clone()),
        updated_by: Set(actor.user_id.clone()),
    }
    .insert(&txn)
    .await
    .map_err(ServiceError::from_write)?;
    audit_party(&txn, actor, "create", &organisation, None, &created).await?;
    txn.commit().await?;
    Ok(created)
}

/// Replaces a party's fields. A party cannot move to another case.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: PartyInput,
) -> Result<party::Model, ServiceError> {
    let existing = get(state, id).await?;
    case::require_for_record(state, actor, &existing.case_id, "party", id, true).await?;
    if existing.case_id != input.case_id {
        return Err(ServiceError::invalid(
            "case_id",
            "a party cannot be moved to another case",
        ));
    }
    let organisation = check(state, actor, &input).await?;
    let mut active: party::ActiveModel = existing.clone().into();
    active.characteristics = Set(characteristics_text(&input));
    active.role = Set(input.role);
    active.kind = Set(input.kind);
    active.pseudonym = Set(input.pseudonym);
    active.representation = Set(input.representation);
    active.updated_at = Set(Utc::now());
    active.updated_by = Set(actor.user_id.clone());
    let txn = crate::services::common::begin_write(&state.db).await?;
    let updated = active
        .update(&txn)
        .await
        .map_err(ServiceError::from_write)?;
    audit_party(
        &txn,
        actor,
        "update",
        &organisation,
        Some(&existing),
        &updated,
    )
    .await?;
    if existing.pseudonym != updated.pseudonym {
        // The pseudonym replaces the party's sensitive terms in the case's search documents.
        outbox::record(&txn, Change::Case, &updated.case_id).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Lists the parties of cases the caller may see, optionally of one case and one role.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    case_id: Option<String>,
    role: Option<String>,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<party::Model>, ServiceError> {
    let mut select =
        party::Entity::find().filter(policy::of_visible_cases(actor, party::Column::CaseId));
    if let Some(case_id) = case_id {
        select = select.filter(party::Column::CaseId.eq(case_id));
    }
    if let Some(role) = role {
        select = select.filter(party::Column::Role.eq(role));
    }
    page(
        &state.db,
        select,
        party::Column::Id,
        |m| &m.id,
        cursor,
        limit,
    )
    .await
}
