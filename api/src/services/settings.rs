//! Service settings an admin changes at run time, kept in the database (so every server of a
//! coalition sees the same). Today: whether published aggregate statistics are open to anonymous
//! callers (off by default).

use chrono::Utc;
use poem_openapi::Object;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

use crate::access::Actor;
use crate::{
    entities::setting,
    error::ServiceError,
    services::audit::{self, Entry, snapshot},
    state::AppState,
};

const ANONYMOUS_STATS: &str = "anonymous_stats";

/// The settings.
#[derive(Debug, Clone, Object, PartialEq, Eq)]
#[oai(skip_serializing_if_is_none)]
pub struct Settings {
    /// Whether `/stats/*` answer callers without a token. Statistics count published records
    /// only, so opening them shows nothing unpublished; no record-level route is ever opened.
    pub anonymous_stats: bool,
}

/// Reads the settings (defaults for those never set).
pub async fn get<C: ConnectionTrait>(db: &C) -> Result<Settings, ServiceError> {
    let stored = setting::Entity::find_by_id(ANONYMOUS_STATS.to_owned())
        .one(db)
        .await?;
    Ok(Settings {
        anonymous_stats: stored.is_some_and(|s| s.value == "true"),
    })
}

/// Replaces the settings; recorded in the audit trail.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    input: Settings,
) -> Result<Settings, ServiceError> {
    let txn = crate::services::common::begin_write(&state.db).await?;
    let before = get(&txn).await?;
    let now = Utc::now();
    let row = setting::ActiveModel {
        key: Set(ANONYMOUS_STATS.to_owned()),
        value: Set(input.anonymous_stats.to_string()),
        updated_at: Set(now),
        updated_by: Set(Some(actor.user_id.clone())),
    };
    if setting::Entity::find_by_id(ANONYMOUS_STATS.to_owned())
        .one(&txn)
        .await?
        .is_some()
    {
        row.update(&txn).await?;
    } else {
        row.insert(&txn).await?;
    }
    audit::record(
        &txn,
        Some(actor),
        Entry {
            action: "set",
            resource: "settings",
            resource_id: ANONYMOUS_STATS,
            organisation_id: None,
            before: snapshot(&before),
            after: snapshot(&input),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(input)
}
