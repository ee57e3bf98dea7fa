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
const TWO_FACTOR_REQUIRED: &str = "two_factor_required";

/// The settings.
#[derive(Debug, Clone, Object, PartialEq, Eq)]
#[oai(skip_serializing_if_is_none)]
pub struct Settings {
    /// Whether `/stats/*` answer callers without a token. Statistics count published records
    /// only, so opening them shows nothing unpublished; no record-level route is ever opened.
    pub anonymous_stats: bool,
    /// Whether admins and coordinators must use two-factor sign-in in the browser: until they
    /// set it up, every page sends them to the set-up. (API tokens are not affected.)
    pub two_factor_required: bool,
}

/// Changes to the settings; a setting left out keeps its value.
#[derive(Debug, Clone, Default, Object, PartialEq, Eq)]
#[oai(skip_serializing_if_is_none)]
pub struct SettingsUpdate {
    /// See [`Settings::anonymous_stats`].
    pub anonymous_stats: Option<bool>,
    /// See [`Settings::two_factor_required`].
    pub two_factor_required: Option<bool>,
}

async fn flag<C: ConnectionTrait>(db: &C, key: &str) -> Result<bool, ServiceError> {
    Ok(setting::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .is_some_and(|s| s.value == "true"))
}

/// Reads the settings (defaults, off, for those never set).
pub async fn get<C: ConnectionTrait>(db: &C) -> Result<Settings, ServiceError> {
    Ok(Settings {
        anonymous_stats: flag(db, ANONYMOUS_STATS).await?,
        two_factor_required: flag(db, TWO_FACTOR_REQUIRED).await?,
    })
}

async fn set<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    key: &str,
    value: bool,
) -> Result<(), ServiceError> {
    let row = setting::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value.to_string()),
        updated_at: Set(Utc::now()),
        updated_by: Set(Some(actor.user_id.clone())),
    };
    if setting::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .is_some()
    {
        row.update(db).await?;
    } else {
        row.insert(db).await?;
    }
    Ok(())
}

/// Changes the settings named in `input`; recorded in the audit trail (before and after).
pub async fn update(
    state: &AppState,
    actor: &Actor,
    input: SettingsUpdate,
) -> Result<Settings, ServiceError> {
    let txn = crate::services::common::begin_write(&state.db).await?;
    let before = get(&txn).await?;
    if let Some(value) = input.anonymous_stats {
        set(&txn, actor, ANONYMOUS_STATS, value).await?;
    }
    if let Some(value) = input.two_factor_required {
        set(&txn, actor, TWO_FACTOR_REQUIRED, value).await?;
    }
    let after = get(&txn).await?;
    if after != before {
        audit::record(
            &txn,
            Some(actor),
            Entry {
                action: "set",
                resource: "settings",
                resource_id: "settings",
                organisation_id: None,
                before: snapshot(&before),
                after: snapshot(&after),
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(after)
}
