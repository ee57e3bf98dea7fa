//! Organisations and their users, as a coalition's admin manages them (`courtwatch org …`,
//! `courtwatch user …`). Organisations are created on purpose: a user is added to one that exists,
//! and two organisations never differ only in letter case or spacing ("Demo coalition" next to
//! "Demo Coalition" was a typo that made a second organisation).

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use crate::{
    access::Actor,
    entities::{api_token, organisation, user},
    error::ServiceError,
    services::{
        audit::{self, Entry, snapshot},
        common::{begin_write, new_id},
    },
};

/// Longest organisation name.
const MAX_NAME: usize = 200;

/// How two names are compared: case and runs of white space do not make a different organisation.
fn comparable(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn checked_name(name: &str) -> Result<String, ServiceError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(ServiceError::invalid(
            "name",
            "an organisation's name must not be empty",
        ));
    }
    if name.chars().count() > MAX_NAME {
        return Err(ServiceError::invalid(
            "name",
            format!("an organisation's name is at most {MAX_NAME} characters"),
        ));
    }
    Ok(name)
}

/// Every organisation, by name.
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<organisation::Model>, ServiceError> {
    Ok(organisation::Entity::find()
        .order_by_asc(organisation::Column::Name)
        .all(db)
        .await?)
}

/// The organisation with this id.
pub async fn find_by_id<C: ConnectionTrait>(
    db: &C,
    id: &str,
) -> Result<Option<organisation::Model>, ServiceError> {
    Ok(organisation::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?)
}

/// The organisation named `name` (case and spacing aside), or with that id.
pub async fn find<C: ConnectionTrait>(
    db: &C,
    name_or_id: &str,
) -> Result<Option<organisation::Model>, ServiceError> {
    if let Some(found) = organisation::Entity::find_by_id(name_or_id.to_owned())
        .one(db)
        .await?
    {
        return Ok(Some(found));
    }
    let wanted = comparable(name_or_id);
    Ok(list(db)
        .await?
        .into_iter()
        .find(|o| comparable(&o.name) == wanted))
}

/// The organisation `name_or_id`, or an error that lists the organisations there are.
pub async fn existing<C: ConnectionTrait>(
    db: &C,
    name_or_id: &str,
) -> Result<organisation::Model, ServiceError> {
    if let Some(found) = find(db, name_or_id).await? {
        return Ok(found);
    }
    let names: Vec<String> = list(db).await?.into_iter().map(|o| o.name).collect();
    Err(ServiceError::invalid(
        "org",
        if names.is_empty() {
            format!(
                "there is no organisation '{name_or_id}' (there are none yet); create it first with `courtwatch org add \"{name_or_id}\"`"
            )
        } else {
            format!(
                "there is no organisation '{name_or_id}'; there are: {}. Create a new one with `courtwatch org add NAME`",
                names.join(", ")
            )
        },
    ))
}

/// Creates an organisation; refused when one of the same name (case and spacing aside) exists.
pub async fn create(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    name: &str,
) -> Result<organisation::Model, ServiceError> {
    let name = checked_name(name)?;
    let txn = begin_write(db).await?;
    if let Some(existing) = find(&txn, &name).await? {
        return Err(ServiceError::Conflict(format!(
            "an organisation named '{}' exists already (id {})",
            existing.name, existing.id
        )));
    }
    let now = Utc::now();
    let created = organisation::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        created_at: Set(now),
        updated_at: Set(now),
        deactivated_at: Set(None),
    }
    .insert(&txn)
    .await
    .map_err(ServiceError::from_write)?;
    record(&txn, actor, "create", None, &created).await?;
    txn.commit().await?;
    Ok(created)
}

/// The organisation named `name`, created when there is none: for the demo data, the tests and the
/// system importer, which name their own fictional organisations.
pub async fn ensure(
    db: &DatabaseConnection,
    name: &str,
) -> Result<organisation::Model, ServiceError> {
    match find(db, name).await? {
        Some(found) => Ok(found),
        None => create(db, None, name).await,
    }
}

/// Renames an organisation (by name or id); refused when the new name is another's.
pub async fn rename(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    name_or_id: &str,
    new_name: &str,
) -> Result<organisation::Model, ServiceError> {
    let new_name = checked_name(new_name)?;
    let txn = begin_write(db).await?;
    let current = existing(&txn, name_or_id).await?;
    if let Some(other) = find(&txn, &new_name).await?
        && other.id != current.id
    {
        return Err(ServiceError::Conflict(format!(
            "an organisation named '{}' exists already (id {})",
            other.name, other.id
        )));
    }
    let mut active: organisation::ActiveModel = current.clone().into();
    active.name = Set(new_name);
    active.updated_at = Set(Utc::now());
    let renamed = active
        .update(&txn)
        .await
        .map_err(ServiceError::from_write)?;
    record(&txn, actor, "update", Some(&current), &renamed).await?;
    txn.commit().await?;
    Ok(renamed)
}

async fn record<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    action: &str,
    before: Option<&organisation::Model>,
    after: &organisation::Model,
) -> Result<(), ServiceError> {
    let show = |o: &organisation::Model| serde_json::json!({"id": o.id, "name": o.name, "deactivated_at": o.deactivated_at});
    audit::record(
        db,
        actor,
        Entry {
            action,
            resource: "organisation",
            resource_id: &after.id,
            organisation_id: Some(&after.id),
            before: before.map(show),
            after: Some(show(after)),
        },
    )
    .await
}

/// A user with the name of their organisation, as `courtwatch user list` shows them.
#[derive(Debug)]
pub struct UserRow {
    /// The user.
    pub user: user::Model,
    /// Their organisation's name.
    pub organisation: String,
    /// Tokens that are neither revoked nor expired.
    pub live_tokens: usize,
}

/// Every user (of one organisation, when named), by organisation and name.
pub async fn users(
    db: &DatabaseConnection,
    organisation: Option<&str>,
) -> Result<Vec<UserRow>, ServiceError> {
    let organisations = list(db).await?;
    let only = match organisation {
        Some(name) => Some(existing(db, name).await?.id),
        None => None,
    };
    let mut select = user::Entity::find().order_by_asc(user::Column::DisplayName);
    if let Some(id) = &only {
        select = select.filter(user::Column::OrganisationId.eq(id.as_str()));
    }
    let now = Utc::now();
    let tokens = api_token::Entity::find()
        .filter(api_token::Column::RevokedAt.is_null())
        .all(db)
        .await?;
    let mut rows: Vec<UserRow> = select
        .all(db)
        .await?
        .into_iter()
        .map(|user| UserRow {
            organisation: organisations
                .iter()
                .find(|o| o.id == user.organisation_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            live_tokens: tokens
                .iter()
                .filter(|t| t.user_id == user.id && t.expires_at.is_none_or(|at| at > now))
                .count(),
            user,
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.organisation.as_str(), a.user.display_name.as_str())
            .cmp(&(b.organisation.as_str(), b.user.display_name.as_str()))
    });
    Ok(rows)
}

/// An organisation as the API shows it.
#[derive(Debug, Clone, Object, PartialEq, Eq)]
#[oai(skip_serializing_if_is_none)]
pub struct OrganisationInfo {
    /// The organisation's id.
    pub id: String,
    /// Its name (unique, case and spacing aside).
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When an admin deactivated it (its users with it).
    pub deactivated_at: Option<DateTime<Utc>>,
    /// How many of its users are active.
    pub active_users: u64,
}

/// An organisation's name, to create or rename it.
#[derive(Debug, Clone, Object)]
pub struct OrganisationInput {
    /// The name: 1–200 characters; runs of white space become one space.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
}

async fn info<C: ConnectionTrait>(
    db: &C,
    organisations: Vec<organisation::Model>,
) -> Result<Vec<OrganisationInfo>, ServiceError> {
    let active = user::Entity::find()
        .filter(user::Column::DeactivatedAt.is_null())
        .all(db)
        .await?;
    Ok(organisations
        .into_iter()
        .map(|o| OrganisationInfo {
            active_users: active.iter().filter(|u| u.organisation_id == o.id).count() as u64,
            id: o.id,
            name: o.name,
            created_at: o.created_at,
            deactivated_at: o.deactivated_at,
        })
        .collect())
}

/// The organisations `actor` may see: an admin every one, anyone else their own.
pub async fn list_for(
    db: &DatabaseConnection,
    actor: &Actor,
) -> Result<Vec<OrganisationInfo>, ServiceError> {
    let all = list(db).await?;
    let shown = all
        .into_iter()
        .filter(|o| actor.is_admin() || o.id == actor.organisation_id)
        .collect();
    info(db, shown).await
}

/// One organisation as the API shows it.
pub async fn shown<C: ConnectionTrait>(
    db: &C,
    organisation: organisation::Model,
) -> Result<OrganisationInfo, ServiceError> {
    info(db, vec![organisation])
        .await?
        .pop()
        .ok_or_else(|| ServiceError::internal("organisation lost"))
}

/// Deactivates an organisation and every active user of it (their tokens and sessions end at
/// once). Nobody can be added to it afterwards. An admin cannot deactivate their own organisation.
pub async fn deactivate(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    id: &str,
) -> Result<OrganisationInfo, ServiceError> {
    let txn = begin_write(db).await?;
    let current = organisation::Entity::find_by_id(id.to_owned())
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            resource: "organisation",
            id: id.to_owned(),
        })?;
    if actor.is_some_and(|a| a.organisation_id == current.id) {
        return Err(ServiceError::Conflict(
            "you cannot deactivate your own organisation; an admin of another can".into(),
        ));
    }
    if current.deactivated_at.is_some() {
        return shown(&txn, current).await;
    }
    let now = Utc::now();
    let mut active: organisation::ActiveModel = current.clone().into();
    active.deactivated_at = Set(Some(now));
    active.updated_at = Set(now);
    let after = active.update(&txn).await?;
    let members = user::Entity::find()
        .filter(user::Column::OrganisationId.eq(id))
        .filter(user::Column::DeactivatedAt.is_null())
        .all(&txn)
        .await?;
    for member in &members {
        let done = crate::services::users::deactivate_row(&txn, member).await?;
        audit::record(
            &txn,
            actor,
            Entry {
                action: "deactivate",
                resource: "user",
                resource_id: &done.id,
                organisation_id: Some(&done.organisation_id),
                before: snapshot(&crate::services::users::UserInfo::from(member)),
                after: snapshot(&crate::services::users::UserInfo::from(&done)),
            },
        )
        .await?;
    }
    record(&txn, actor, "deactivate", Some(&current), &after).await?;
    let shown = shown(&txn, after).await?;
    txn.commit().await?;
    Ok(shown)
}

#[cfg(test)]
mod tests {
    use super::comparable;

    #[test]
    fn names_differing_in_case_or_spacing_are_the_same_organisation() {
        assert_eq!(comparable("Demo  Coalition "), comparable("demo coalition"));
        assert_ne!(comparable("Demo Coalition"), comparable("Demo Coalitions"));
    }
}
