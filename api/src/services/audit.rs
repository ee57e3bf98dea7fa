//! The audit trail: every write (create, update, review step, grade, token change, import,
//! setting) with who, when, what, and the record before and after. Written in the same transaction
//! as the change, so there is no change without its entry. Append-only: the API has no way to edit
//! or delete an entry, and the database refuses it too (triggers in migration 3).

use chrono::{DateTime, Utc};
use poem_openapi::{Object, types::ToJSON};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;

use crate::access::{Actor, Role};
use crate::{
    entities::audit_log,
    error::ServiceError,
    services::common::{Page, new_id, page},
    state::AppState,
};

/// What one write did, to be recorded.
#[derive(Debug)]
pub struct Entry<'a> {
    /// create, update, submit, publish, return, withdraw, grade, revoke, import, set …
    pub action: &'a str,
    /// case, party, hearing, observation, ruling, court, token, setting …
    pub resource: &'a str,
    /// The record's id.
    pub resource_id: &'a str,
    /// The organisation the record belongs to (None for shared records such as courts).
    pub organisation_id: Option<&'a str>,
    /// The record before the change (None when created).
    pub before: Option<Value>,
    /// The record after the change.
    pub after: Option<Value>,
}

/// The API representation of a record, for an entry's before/after.
pub fn snapshot<T: ToJSON>(record: &T) -> Option<Value> {
    record.to_json()
}

/// Records `entry` as done by `actor` (None: the operator, through the command line).
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    entry: Entry<'_>,
) -> Result<(), ServiceError> {
    audit_log::ActiveModel {
        id: Set(new_id()),
        at: Set(Utc::now()),
        user_id: Set(actor.map(|a| a.user_id.clone())),
        organisation_id: Set(entry.organisation_id.map(str::to_owned)),
        action: Set(entry.action.to_owned()),
        resource: Set(entry.resource.to_owned()),
        resource_id: Set(entry.resource_id.to_owned()),
        before: Set(entry.before.map(|v| v.to_string())),
        after: Set(entry.after.map(|v| v.to_string())),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// One entry of the trail.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditEntry {
    /// Entry id (entries are listed in this order, which is the order they were written).
    pub id: String,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// Who made it (user id); absent when the operator acted through the command line.
    pub user_id: Option<String>,
    /// The name of the user who made it.
    pub user_name: Option<String>,
    /// The name of that user's organisation.
    pub user_organisation: Option<String>,
    /// The organisation the record belongs to.
    pub organisation_id: Option<String>,
    /// That organisation's name.
    pub organisation_name: Option<String>,
    /// What was done: create, update, submit, publish, return, withdraw, grade, revoke, import, set.
    pub action: String,
    /// The kind of record.
    pub resource: String,
    /// The record's id.
    pub resource_id: String,
    /// The record before the change, as the API shows it (absent for a creation).
    pub before: Option<Value>,
    /// The record after the change.
    pub after: Option<Value>,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(m: audit_log::Model) -> Self {
        let parse = |t: Option<String>| t.and_then(|t| serde_json::from_str(&t).ok());
        AuditEntry {
            id: m.id,
            at: m.at,
            user_id: m.user_id,
            user_name: None,
            user_organisation: None,
            organisation_id: m.organisation_id,
            organisation_name: None,
            action: m.action,
            resource: m.resource,
            resource_id: m.resource_id,
            before: parse(m.before),
            after: parse(m.after),
        }
    }
}

/// Filters for reading the trail.
#[derive(Debug, Default)]
pub struct AuditFilter {
    /// Only entries about this kind of record.
    pub resource: Option<String>,
    /// Only entries about this record.
    pub resource_id: Option<String>,
    /// Only entries by this user.
    pub user_id: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only entries at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only entries before this instant.
    pub to: Option<DateTime<Utc>>,
}

/// The trail, oldest first: everything for an admin, their own organisation's records for a
/// coordinator.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: AuditFilter,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<AuditEntry>, ServiceError> {
    let mut select = audit_log::Entity::find();
    match actor.role {
        Role::Admin => {}
        Role::Coordinator => {
            select =
                select.filter(audit_log::Column::OrganisationId.eq(actor.organisation_id.as_str()));
        }
        _ => {
            return Err(ServiceError::Forbidden(
                "the audit trail is for admins and coordinators".into(),
            ));
        }
    }
    if let Some(resource) = filter.resource {
        select = select.filter(audit_log::Column::Resource.eq(resource));
    }
    if let Some(id) = filter.resource_id {
        select = select.filter(audit_log::Column::ResourceId.eq(id));
    }
    if let Some(user) = filter.user_id {
        select = select.filter(audit_log::Column::UserId.eq(user));
    }
    if let Some(action) = filter.action {
        select = select.filter(audit_log::Column::Action.eq(action));
    }
    if let Some(from) = filter.from {
        select = select.filter(audit_log::Column::At.gte(from));
    }
    if let Some(to) = filter.to {
        select = select.filter(audit_log::Column::At.lt(to));
    }
    let found = page(
        &state.db,
        select,
        audit_log::Column::Id,
        |m| &m.id,
        cursor,
        limit,
    )
    .await?;
    let mut items: Vec<AuditEntry> = found.items.into_iter().map(AuditEntry::from).collect();
    name_people(&state.db, &mut items).await?;
    Ok(Page {
        items,
        next_cursor: found.next_cursor,
    })
}

/// Puts the names of the users and organisations next to their ids, one query each per page.
async fn name_people(
    db: &sea_orm::DatabaseConnection,
    items: &mut [AuditEntry],
) -> Result<(), ServiceError> {
    use crate::entities::{organisation, user};
    use std::collections::{BTreeSet, HashMap};
    let user_ids: BTreeSet<String> = items.iter().filter_map(|e| e.user_id.clone()).collect();
    let users: HashMap<String, user::Model> = user::Entity::find()
        .filter(user::Column::Id.is_in(user_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    let organisation_ids: BTreeSet<String> = items
        .iter()
        .filter_map(|e| e.organisation_id.clone())
        .chain(users.values().map(|u| u.organisation_id.clone()))
        .collect();
    let organisations: HashMap<String, String> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(organisation_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    for entry in items {
        if let Some(user) = entry.user_id.as_ref().and_then(|id| users.get(id)) {
            entry.user_name = Some(user.display_name.clone());
            entry.user_organisation = organisations.get(&user.organisation_id).cloned();
        }
        entry.organisation_name = entry
            .organisation_id
            .as_ref()
            .and_then(|id| organisations.get(id))
            .cloned();
    }
    Ok(())
}
