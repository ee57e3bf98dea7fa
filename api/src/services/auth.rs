//! Users, organisations and API tokens. Tokens are random 256-bit secrets shown once; only their
//! SHA-256 digest is stored, so a leaked database does not leak usable tokens.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{Duration, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use sha2::{Digest, Sha256};

use crate::access::{Actor, Role};
use crate::{
    entities::{api_token, organisation, user},
    error::{FieldProblem, ServiceError},
    services::{
        audit::{self, Entry, snapshot},
        common::new_id,
    },
};

/// Tokens start with this, so that they are recognisable in logs and secret scanners.
const TOKEN_PREFIX: &str = "cw_";

/// The stored digest of a token.
pub fn token_digest(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A user created with their first token.
#[derive(Debug)]
pub struct NewUser {
    /// The user.
    pub user: user::Model,
    /// Their organisation.
    pub organisation: organisation::Model,
    /// The token in clear; it is not stored and cannot be shown again.
    pub token: String,
}

/// The role with this code, or the problem naming the roles there are.
pub fn check_role(role: &str) -> Result<Role, ServiceError> {
    Role::parse(role).ok_or_else(|| {
        let codes: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        ServiceError::invalid(
            "role",
            format!(
                "'{role}' is not a role; expected one of: {}",
                codes.join(", ")
            ),
        )
    })
}

/// Creates a user in an existing organisation (by name, case and spacing aside, or by id) with a
/// first API token.
pub async fn create_user(
    db: &DatabaseConnection,
    display_name: &str,
    organisation_name: &str,
    role: &str,
    expires_in_days: Option<u32>,
) -> Result<NewUser, ServiceError> {
    check_role(role)?;
    if display_name.trim().is_empty() {
        return Err(ServiceError::invalid(
            "name",
            "a user's name must not be empty",
        ));
    }
    let txn = crate::services::common::begin_write(db).await?;
    let organisation = crate::services::organisation::existing(&txn, organisation_name).await?;
    let role = check_role(role)?;
    let user = crate::services::users::insert(&txn, display_name, &organisation, role).await?;
    let now = Utc::now();
    let token = issue_token(
        &txn,
        &user.id,
        "created with the user",
        expires_in_days.map(|d| now + Duration::days(d.into())),
    )
    .await?;
    txn.commit().await?;
    Ok(NewUser {
        user,
        organisation,
        token,
    })
}

/// Stores a new token for a user and returns it in clear.
pub async fn issue_token<C: ConnectionTrait>(
    db: &C,
    user_id: &str,
    label: &str,
    expires_at: Option<chrono::DateTime<Utc>>,
) -> Result<String, ServiceError> {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(secret));
    api_token::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user_id.to_owned()),
        token_hash: Set(token_digest(&token)),
        label: Set(label.to_owned()),
        created_at: Set(Utc::now()),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Establishes who presents `token`; unknown, revoked and expired tokens and deactivated users
/// are refused, all with the same words (which of them it was goes to the log only, so that a
/// caller cannot tell a revoked token from one that never existed).
pub async fn authenticate<C: ConnectionTrait>(db: &C, token: &str) -> Result<Actor, ServiceError> {
    let refused = |reason: &str| {
        tracing::info!(reason, "bearer token refused");
        ServiceError::Unauthorized(REFUSED.to_owned())
    };
    let Some(stored) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(token_digest(token)))
        .one(db)
        .await?
    else {
        return Err(refused("unknown token"));
    };
    let now = Utc::now();
    if stored.revoked_at.is_some() {
        return Err(refused("revoked token"));
    }
    if stored.expires_at.is_some_and(|at| at <= now) {
        return Err(refused("expired token"));
    }
    let Some(user) = user::Entity::find_by_id(stored.user_id).one(db).await? else {
        return Err(refused("token of a deleted user"));
    };
    if user.deactivated_at.is_some() {
        return Err(refused("token of a deactivated user"));
    }
    actor_of(user)
}

/// The actor a stored user acts as: the role parsed, once, here.
pub fn actor_of(user: user::Model) -> Result<Actor, ServiceError> {
    let role = Role::parse(&user.role).ok_or_else(|| {
        ServiceError::internal(format!(
            "user {} has an unknown role {:?}",
            user.id, user.role
        ))
    })?;
    Ok(Actor {
        user_id: user.id,
        organisation_id: user.organisation_id,
        role,
    })
}

/// The one answer to a token that is not accepted, whatever the reason.
pub const REFUSED: &str = "the bearer token is not valid (unknown, expired or revoked)";

/// An API token as listed: never its secret, which is shown once when created.
#[derive(Debug, Clone, poem_openapi::Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TokenInfo {
    /// Token id (to revoke it).
    pub id: String,
    /// The user the token acts as.
    pub user_id: String,
    /// What the token is for.
    pub label: String,
    /// When it was created.
    pub created_at: chrono::DateTime<Utc>,
    /// When it stops working.
    pub expires_at: Option<chrono::DateTime<Utc>>,
    /// When it was revoked (it is refused from then on).
    pub revoked_at: Option<chrono::DateTime<Utc>>,
}

impl From<api_token::Model> for TokenInfo {
    fn from(m: api_token::Model) -> Self {
        TokenInfo {
            id: m.id,
            user_id: m.user_id,
            label: m.label,
            created_at: m.created_at,
            expires_at: m.expires_at,
            revoked_at: m.revoked_at,
        }
    }
}

/// Longest token lifetime, in days.
pub const MAX_TOKEN_DAYS: u32 = 366;

/// Creates a token for `user_id` (the caller's own unless the caller is an admin) that expires
/// after `days`; returns it with its secret, which is not stored.
pub async fn create_token(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: Option<&str>,
    label: &str,
    days: u32,
) -> Result<(TokenInfo, String), ServiceError> {
    let user_id = user_id.unwrap_or(&actor.user_id);
    if user_id != actor.user_id && !actor.is_admin() {
        return Err(ServiceError::Forbidden(
            "only an admin may create tokens for another user".into(),
        ));
    }
    if !(1..=MAX_TOKEN_DAYS).contains(&days) {
        return Err(ServiceError::Invalid(vec![FieldProblem::field(
            "expires_in_days",
            format!("must be between 1 and {MAX_TOKEN_DAYS}"),
        )]));
    }
    if user::Entity::find_by_id(user_id.to_owned())
        .one(db)
        .await?
        .is_none()
    {
        return Err(ServiceError::Invalid(vec![FieldProblem::field(
            "user_id",
            format!("no user with id {user_id}"),
        )]));
    }
    let expires_at = Utc::now() + Duration::days(i64::from(days));
    let txn = crate::services::common::begin_write(db).await?;
    let secret = issue_token(&txn, user_id, label, Some(expires_at)).await?;
    let stored: TokenInfo = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(token_digest(&secret)))
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::internal("the new token was not stored"))?
        .into();
    audit_token(&txn, Some(actor), "create", None, &stored).await?;
    txn.commit().await?;
    Ok((stored, secret))
}

/// The tokens of `user_id` (the caller's own unless the caller is an admin), newest first.
pub async fn list_tokens(
    db: &DatabaseConnection,
    actor: &Actor,
    user_id: Option<&str>,
) -> Result<Vec<TokenInfo>, ServiceError> {
    let user_id = user_id.unwrap_or(&actor.user_id);
    if user_id != actor.user_id && !actor.is_admin() {
        return Err(ServiceError::Forbidden(
            "only an admin may list another user's tokens".into(),
        ));
    }
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(TokenInfo::from)
        .collect())
}

/// Revokes a token: it is refused from the next request on. Callers revoke their own tokens;
/// an admin any. Another user's token is "not found" to a non-admin (its existence is not
/// confirmed). Revoking twice keeps the first time.
pub async fn revoke_token(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    token_id: &str,
) -> Result<TokenInfo, ServiceError> {
    let not_found = || ServiceError::NotFound {
        resource: "token",
        id: token_id.to_owned(),
    };
    let stored = api_token::Entity::find_by_id(token_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if let Some(actor) = actor
        && stored.user_id != actor.user_id
        && !actor.is_admin()
    {
        return Err(not_found());
    }
    if stored.revoked_at.is_some() {
        return Ok(stored.into());
    }
    let before: TokenInfo = stored.clone().into();
    let mut active: api_token::ActiveModel = stored.into();
    active.revoked_at = Set(Some(Utc::now()));
    let txn = crate::services::common::begin_write(db).await?;
    let after: TokenInfo = active.update(&txn).await?.into();
    audit_token(&txn, actor, "revoke", Some(&before), &after).await?;
    txn.commit().await?;
    Ok(after)
}

/// Records a token change (never its secret, which is not stored) in the audit trail, under the
/// organisation of the token's user.
async fn audit_token<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    action: &str,
    before: Option<&TokenInfo>,
    after: &TokenInfo,
) -> Result<(), ServiceError> {
    let organisation = user::Entity::find_by_id(after.user_id.clone())
        .one(db)
        .await?
        .map(|u| u.organisation_id);
    audit::record(
        db,
        actor,
        Entry {
            action,
            resource: "token",
            resource_id: &after.id,
            organisation_id: organisation.as_deref(),
            before: before.and_then(snapshot),
            after: snapshot(after),
        },
    )
    .await
}
