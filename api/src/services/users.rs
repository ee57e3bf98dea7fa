//! User accounts as admins and coordinators manage them (`/api/v1/users`, the Users page, the
//! command line): invitations, names and roles, deactivation, password resets. Who may manage whom
//! is decided in [`crate::access::policy`]; every change is in the audit trail, and users are
//! deactivated, never deleted, because the trail names them.
//!
//! No e-mail server is assumed: an invitation or a reset returns a one-time sign-in link for its
//! creator to pass on (valid for [`accounts::LINK_VALID`], and only the newest one works).

use chrono::{DateTime, Utc};
use poem_openapi::Object;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};

use crate::{
    access::{Actor, Role, policy},
    entities::{organisation, user},
    error::ServiceError,
    services::{
        accounts::{self, LinkPurpose},
        audit::{self, Entry, snapshot},
        auth::check_role,
        common::{begin_write, new_id},
    },
};

/// Longest display name.
const MAX_DISPLAY_NAME: usize = 200;

/// A user account as the API shows it (never a password hash, a TOTP secret or a token).
#[derive(Debug, Clone, Object, PartialEq, Eq)]
#[oai(skip_serializing_if_is_none)]
pub struct UserInfo {
    /// The user's id.
    pub id: String,
    /// The name shown to others.
    pub display_name: String,
    /// The sign-in name (an e-mail address), if the user signs in with a browser.
    pub email: Option<String>,
    /// `admin`, `coordinator`, `monitor` or `researcher`.
    pub role: String,
    /// The user's organisation.
    pub organisation_id: String,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When it was deactivated (no token, session or sign-in is accepted from then on).
    pub deactivated_at: Option<DateTime<Utc>>,
    /// Whether a password has been set (an invitation was accepted).
    pub has_password: bool,
    /// Whether two-factor sign-in is on.
    pub two_factor: bool,
}

impl From<&user::Model> for UserInfo {
    fn from(u: &user::Model) -> Self {
        UserInfo {
            id: u.id.clone(),
            display_name: u.display_name.clone(),
            email: u.email.clone(),
            role: u.role.clone(),
            organisation_id: u.organisation_id.clone(),
            created_at: u.created_at,
            deactivated_at: u.deactivated_at,
            has_password: u.password_hash.is_some(),
            two_factor: u.totp_enabled_at.is_some(),
        }
    }
}

/// A user to invite.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct InviteInput {
    /// The name shown to others.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub display_name: String,
    /// Their e-mail address: the name they sign in with (not used to send anything).
    #[oai(validator(min_length = 3, max_length = 254))]
    pub email: String,
    /// `admin`, `coordinator`, `monitor` or `researcher` (a coordinator invites monitors only).
    pub role: String,
    /// Their organisation; the caller's when absent (a coordinator: their own only).
    #[oai(validator(max_length = 36))]
    pub organisation_id: Option<String>,
}

/// Changes to a user; fields left out stay as they are.
#[derive(Debug, Clone, Default, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UserUpdate {
    /// A new display name.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub display_name: Option<String>,
    /// A new sign-in e-mail address.
    #[oai(validator(min_length = 3, max_length = 254))]
    pub email: Option<String>,
    /// A new role (admins only).
    pub role: Option<String>,
}

/// A one-time sign-in link for a user, to pass on to them.
#[derive(Debug, Clone, Object)]
pub struct SignInLink {
    /// The user.
    pub user: UserInfo,
    /// The link's path on this server (`/welcome/…`): open it within `expires_at`, once, to set
    /// a password. Earlier links of the user stop working.
    pub sign_in_path: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

fn checked_display_name(name: &str) -> Result<String, ServiceError> {
    let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(ServiceError::invalid(
            "display_name",
            "a user's name must not be empty",
        ));
    }
    if name.chars().count() > MAX_DISPLAY_NAME {
        return Err(ServiceError::invalid(
            "display_name",
            format!("a user's name is at most {MAX_DISPLAY_NAME} characters"),
        ));
    }
    Ok(name)
}

/// Inserts a user row (no token, no password). The organisation must exist and be active.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    display_name: &str,
    organisation: &organisation::Model,
    role: Role,
) -> Result<user::Model, ServiceError> {
    if organisation.deactivated_at.is_some() {
        return Err(ServiceError::Conflict(format!(
            "organisation '{}' is deactivated; no user can be added to it",
            organisation.name
        )));
    }
    let now = Utc::now();
    Ok(user::ActiveModel {
        id: Set(new_id()),
        display_name: Set(checked_display_name(display_name)?),
        organisation_id: Set(organisation.id.clone()),
        role: Set(role.as_str().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
        deactivated_at: Set(None),
        email: Set(None),
        password_hash: Set(None),
        language: Set(None),
        totp_secret: Set(None),
        totp_enabled_at: Set(None),
        totp_last_step: Set(None),
    }
    .insert(db)
    .await?)
}

async fn found<C: ConnectionTrait>(db: &C, id: &str) -> Result<user::Model, ServiceError> {
    user::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            resource: "user",
            id: id.to_owned(),
        })
}

fn role_of(user: &user::Model) -> Result<Role, ServiceError> {
    Role::parse(&user.role)
        .ok_or_else(|| ServiceError::internal(format!("user {} has no known role", user.id)))
}

/// The users `actor` may see (an admin: everyone, or one organisation's; a coordinator: their
/// organisation's), by organisation and name.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    organisation_id: Option<&str>,
) -> Result<Vec<UserInfo>, ServiceError> {
    let mut select = user::Entity::find()
        .order_by_asc(user::Column::OrganisationId)
        .order_by_asc(user::Column::DisplayName)
        .order_by_asc(user::Column::Id);
    let only = if actor.is_admin() {
        organisation_id.map(str::to_owned)
    } else {
        if organisation_id.is_some_and(|o| o != actor.organisation_id) {
            // Another organisation's users are not shown (and their existence not confirmed).
            return Ok(Vec::new());
        }
        Some(actor.organisation_id.clone())
    };
    if let Some(org) = only {
        select = select.filter(user::Column::OrganisationId.eq(org));
    }
    Ok(select
        .all(db)
        .await?
        .iter()
        .filter(|u| policy::can_see_accounts(actor, &u.organisation_id))
        .map(UserInfo::from)
        .collect())
}

/// One user, if `actor` may see their account (404 otherwise).
pub async fn get(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &str,
) -> Result<UserInfo, ServiceError> {
    let user = found(db, id).await?;
    if !policy::can_see_accounts(actor, &user.organisation_id) {
        return Err(ServiceError::NotFound {
            resource: "user",
            id: id.to_owned(),
        });
    }
    Ok(UserInfo::from(&user))
}

async fn record<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    action: &str,
    before: Option<&user::Model>,
    after: &user::Model,
) -> Result<(), ServiceError> {
    audit::record(
        db,
        actor,
        Entry {
            action,
            resource: "user",
            resource_id: &after.id,
            organisation_id: Some(&after.organisation_id),
            before: before.and_then(|b| snapshot(&UserInfo::from(b))),
            after: snapshot(&UserInfo::from(after)),
        },
    )
    .await
}

async fn link_for<C: ConnectionTrait>(
    db: &C,
    actor: Option<&Actor>,
    user: &user::Model,
    purpose: LinkPurpose,
) -> Result<SignInLink, ServiceError> {
    let secret =
        accounts::create_link(db, &user.id, purpose, actor.map(|a| a.user_id.as_str())).await?;
    Ok(SignInLink {
        user: UserInfo::from(user),
        sign_in_path: format!("/welcome/{secret}"),
        expires_at: Utc::now() + accounts::LINK_VALID,
    })
}

/// Invites a user: creates the account with its sign-in name and returns the one-time link with
/// which they set their password.
pub async fn invite(
    db: &DatabaseConnection,
    actor: &Actor,
    input: InviteInput,
) -> Result<SignInLink, ServiceError> {
    let role = check_role(&input.role)?;
    let organisation_id = input
        .organisation_id
        .unwrap_or_else(|| actor.organisation_id.clone());
    let txn = begin_write(db).await?;
    let organisation = organisation::Entity::find_by_id(organisation_id.clone())
        .one(&txn)
        .await?
        .filter(|o| policy::can_see_accounts(actor, &o.id))
        .ok_or_else(|| {
            ServiceError::invalid(
                "organisation_id",
                format!("there is no organisation '{organisation_id}' you may add users to"),
            )
        })?;
    if !policy::can_manage_account(actor, &organisation.id, role) {
        return Err(ServiceError::Forbidden(format!(
            "a {} invites monitors of their own organisation only, not a {role}",
            actor.role
        )));
    }
    let created = insert(&txn, &input.display_name, &organisation, role).await?;
    accounts::set_email(&txn, &created.id, &input.email).await?;
    let created = found(&txn, &created.id).await?;
    record(&txn, Some(actor), "invite", None, &created).await?;
    let link = link_for(&txn, Some(actor), &created, LinkPurpose::Invite).await?;
    txn.commit().await?;
    Ok(link)
}

/// Changes a user's name, sign-in name or (admins) role.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &str,
    input: UserUpdate,
) -> Result<UserInfo, ServiceError> {
    let txn = begin_write(db).await?;
    let current = found(&txn, id).await?;
    policy::require_manage_account(actor, &current.organisation_id, role_of(&current)?, id)?;
    let mut active: user::ActiveModel = current.clone().into();
    if let Some(role) = &input.role {
        let role = check_role(role)?;
        if !policy::can_manage_account(actor, &current.organisation_id, role) {
            return Err(ServiceError::Forbidden(format!(
                "a {} may not make anyone a {role}",
                actor.role
            )));
        }
        if current.id == actor.user_id && role != actor.role {
            return Err(ServiceError::Conflict(
                "you cannot change your own role; another admin can".into(),
            ));
        }
        active.role = Set(role.as_str().to_owned());
    }
    if let Some(name) = &input.display_name {
        active.display_name = Set(checked_display_name(name)?);
    }
    active.updated_at = Set(Utc::now());
    active
        .update(&txn)
        .await
        .map_err(ServiceError::from_write)?;
    if let Some(email) = &input.email {
        accounts::set_email(&txn, id, email).await?;
    }
    let after = found(&txn, id).await?;
    if after != current {
        record(&txn, Some(actor), "update", Some(&current), &after).await?;
    }
    txn.commit().await?;
    Ok(UserInfo::from(&after))
}

/// Deactivates a user: from the next request on, none of their tokens, sessions or sign-in links
/// is accepted and they cannot sign in. Deactivating twice keeps the first time. `actor` is None
/// for the command line.
pub async fn deactivate(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    id: &str,
) -> Result<UserInfo, ServiceError> {
    let txn = begin_write(db).await?;
    let current = found(&txn, id).await?;
    if let Some(actor) = actor {
        policy::require_manage_account(actor, &current.organisation_id, role_of(&current)?, id)?;
        if current.id == actor.user_id {
            return Err(ServiceError::Conflict(
                "you cannot deactivate yourself; another admin can".into(),
            ));
        }
    }
    if current.deactivated_at.is_some() {
        return Ok(UserInfo::from(&current));
    }
    let after = deactivate_row(&txn, &current).await?;
    record(&txn, actor, "deactivate", Some(&current), &after).await?;
    txn.commit().await?;
    Ok(UserInfo::from(&after))
}

/// Marks a user deactivated and ends their browser sessions (tokens are refused because the user
/// is deactivated). The caller records it.
pub async fn deactivate_row<C: ConnectionTrait>(
    db: &C,
    current: &user::Model,
) -> Result<user::Model, ServiceError> {
    let mut active: user::ActiveModel = current.clone().into();
    let now = Utc::now();
    active.deactivated_at = Set(Some(now));
    active.updated_at = Set(now);
    let after = active.update(db).await?;
    accounts::end_sessions(db, &current.id, None).await?;
    Ok(after)
}

/// A password reset: a new one-time link (earlier ones stop working). The password changes, and
/// the user's sessions end, only when the link is used. A user who never accepted their
/// invitation gets a new invitation link.
pub async fn reset(
    db: &DatabaseConnection,
    actor: &Actor,
    id: &str,
) -> Result<SignInLink, ServiceError> {
    let txn = begin_write(db).await?;
    let current = found(&txn, id).await?;
    policy::require_manage_account(actor, &current.organisation_id, role_of(&current)?, id)?;
    if current.deactivated_at.is_some() {
        return Err(ServiceError::Conflict(
            "this user is deactivated; a sign-in link would not work".into(),
        ));
    }
    if current.email.is_none() {
        return Err(ServiceError::Conflict(
            "this user has no sign-in e-mail address; set one first (PUT /users/{id})".into(),
        ));
    }
    let purpose = if current.password_hash.is_some() {
        LinkPurpose::Reset
    } else {
        LinkPurpose::Invite
    };
    let link = link_for(&txn, Some(actor), &current, purpose).await?;
    record(&txn, Some(actor), "reset", Some(&current), &current).await?;
    txn.commit().await?;
    Ok(link)
}
