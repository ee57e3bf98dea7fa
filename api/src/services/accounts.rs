//! Signing in with a browser: passwords hashed with Argon2id, one-time sign-in links (an invitation
//! or a password reset, shown to whoever created it, since no e-mail server is assumed), sessions
//! stored in the database (so that revoking one ends it on every instance), and the rate limit on
//! failed sign-ins, per account and per client address, whose message never says whether the
//! account exists.

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, Set, sea_query::Expr,
};

use crate::{
    access::Actor,
    entities::{sign_in_failure, sign_in_link, user, web_session},
    error::ServiceError,
    services::{
        auth::{actor_of, token_digest},
        common::new_id,
    },
};

/// How long a sign-in link can be used.
pub const LINK_VALID: Duration = Duration::hours(72);
/// A session ends after this long without a request.
pub const SESSION_IDLE: Duration = Duration::hours(12);
/// A session ends this long after sign-in, however active.
pub const SESSION_ABSOLUTE: Duration = Duration::days(7);
/// Failed sign-ins counted over this window.
pub const FAILURE_WINDOW: Duration = Duration::minutes(15);
/// Failed sign-ins allowed per account name in the window.
pub const FAILURES_PER_ACCOUNT: u64 = 5;
/// Failed sign-ins allowed per client address in the window.
pub const FAILURES_PER_ADDRESS: u64 = 20;
/// Shortest password accepted (NIST SP 800-63B asks for at least 8; passphrases are encouraged).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (hashing is costly on purpose; this bounds it).
pub const MAX_PASSWORD_CHARS: usize = 200;

/// What a sign-in link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// A new user sets their first password.
    Invite,
    /// A user sets a new password (their sessions end).
    Reset,
    /// The password was right; the second factor is asked next (a short-lived ticket held in a
    /// cookie, never a link).
    SecondFactor,
}

/// How long the second-factor step may take after the password.
pub const SECOND_FACTOR_VALID: Duration = Duration::minutes(5);

/// A sign-in that passed the password.
#[derive(Debug)]
pub enum SignedIn {
    /// Signed in: the new session.
    Session(Box<NewSession>),
    /// Two-factor sign-in is on: the code is asked next, with this ticket.
    SecondFactor {
        /// The ticket (a cookie's value), valid for [`SECOND_FACTOR_VALID`].
        ticket: String,
    },
}

impl LinkPurpose {
    fn code(self) -> &'static str {
        match self {
            LinkPurpose::Invite => "invite",
            LinkPurpose::Reset => "reset",
            LinkPurpose::SecondFactor => "second-factor",
        }
    }
}

/// Why a sign-in did not succeed: the same for a wrong password, an unknown account and a
/// deactivated one, so that the answer does not tell which accounts exist.
#[derive(Debug, PartialEq, Eq)]
pub enum SignInRefused {
    /// The name or the password is wrong (or the account cannot sign in).
    Wrong,
    /// Too many failures for this name or from this address; try again after this many minutes.
    TooMany { minutes: i64 },
    /// The second-factor step took too long (or was used already): start again.
    Expired,
}

/// A new session: the cookie secret (shown once, stored as a digest) and its CSRF token.
#[derive(Debug)]
pub struct NewSession {
    /// The cookie value.
    pub secret: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// Who signed in.
    pub user: user::Model,
}

/// A signed-in request's session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The stored session (its id is the cookie's digest).
    pub session: web_session::Model,
    /// The user.
    pub user: user::Model,
    /// The user as the services see callers.
    pub actor: Actor,
}

/// A random secret of 256 bits, URL-safe.
pub fn secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The Argon2id hash of a password (PHC string, with its own random salt).
pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes)
        .map_err(|e| ServiceError::internal(format!("cannot make a salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ServiceError::internal(format!("cannot hash a password: {e}")))
}

/// Whether `password` matches the stored hash.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash no password matches, verified when there is no account, so that an unknown name takes
/// as long to refuse as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&secret()).unwrap_or_default())
}

/// The problem with a new password, if any.
pub fn password_problem(password: &str, again: &str) -> Option<PasswordProblem> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Some(PasswordProblem::TooShort)
    } else if chars > MAX_PASSWORD_CHARS {
        Some(PasswordProblem::TooLong)
    } else if password != again {
        Some(PasswordProblem::Different)
    } else {
        None
    }
}

/// What is wrong with a new password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    /// Fewer than [`MIN_PASSWORD_CHARS`].
    TooShort,
    /// More than [`MAX_PASSWORD_CHARS`].
    TooLong,
    /// The two fields differ.
    Different,
}

/// The sign-in name as stored: trimmed, lower case.
pub fn account_name(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Sets a user's sign-in name (an e-mail address). It must contain `@` and be unique.
pub async fn set_email<C: ConnectionTrait>(
    db: &C,
    user_id: &str,
    email: &str,
) -> Result<(), ServiceError> {
    let email = account_name(email);
    if !email.contains('@') || email.len() > 254 || email.chars().any(char::is_whitespace) {
        return Err(ServiceError::invalid(
            "email",
            format!(
                "'{email}' is not an e-mail address (name@example.org, at most 254 characters)"
            ),
        ));
    }
    user::Entity::update_many()
        .col_expr(user::Column::Email, Expr::value(email))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await
        .map_err(ServiceError::from_write)?;
    Ok(())
}

/// Creates a one-time sign-in link's secret for `user_id`, valid for [`LINK_VALID`]. Earlier
/// unused links of the user stop working: only the newest one counts.
pub async fn create_link<C: ConnectionTrait>(
    db: &C,
    user_id: &str,
    purpose: LinkPurpose,
    created_by: Option<&str>,
) -> Result<String, ServiceError> {
    let now = Utc::now();
    sign_in_link::Entity::update_many()
        .col_expr(sign_in_link::Column::UsedAt, Expr::value(now))
        .filter(sign_in_link::Column::UserId.eq(user_id))
        .filter(sign_in_link::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    let secret = secret();
    sign_in_link::ActiveModel {
        id: Set(token_digest(&secret)),
        user_id: Set(user_id.to_owned()),
        purpose: Set(purpose.code().to_owned()),
        created_by: Set(created_by.map(str::to_owned)),
        created_at: Set(now),
        expires_at: Set(now + LINK_VALID),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(secret)
}

/// The user a link is valid for: unused, not expired, the user active. `None` otherwise (one
/// answer for every reason).
pub async fn link_user(
    db: &DatabaseConnection,
    secret: &str,
) -> Result<Option<(sign_in_link::Model, user::Model)>, ServiceError> {
    let Some(link) = sign_in_link::Entity::find_by_id(token_digest(secret))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if link.used_at.is_some()
        || link.expires_at <= Utc::now()
        || link.purpose == LinkPurpose::SecondFactor.code()
    {
        return Ok(None);
    }
    let user = user::Entity::find_by_id(link.user_id.clone())
        .one(db)
        .await?;
    Ok(user
        .filter(|u| u.deactivated_at.is_none())
        .map(|u| (link, u)))
}

/// Uses a link: sets the password and ends the user's sessions (a reset is often because the old
/// password is known to someone else). The password must have passed [`password_problem`].
/// `Ok(None)` when the link is not (or no longer) valid.
pub async fn redeem_link(
    db: &DatabaseConnection,
    secret: &str,
    password: &str,
) -> Result<Option<user::Model>, ServiceError> {
    let Some((link, user)) = link_user(db, secret).await? else {
        return Ok(None);
    };
    let hash = hash_password(password)?;
    let now = Utc::now();
    let txn = crate::services::common::begin_write(db).await?;
    // Used once: the update only succeeds for a link still unused.
    let used = sign_in_link::Entity::update_many()
        .col_expr(sign_in_link::Column::UsedAt, Expr::value(now))
        .filter(sign_in_link::Column::Id.eq(link.id.as_str()))
        .filter(sign_in_link::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if used.rows_affected != 1 {
        return Ok(None);
    }
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user.id.as_str()))
        .exec(&txn)
        .await?;
    end_sessions(&txn, &user.id, None).await?;
    txn.commit().await?;
    Ok(Some(user))
}

async fn failures_since(
    db: &DatabaseConnection,
    column: sign_in_failure::Column,
    value: &str,
    since: DateTime<Utc>,
) -> Result<u64, ServiceError> {
    Ok(sign_in_failure::Entity::find()
        .filter(column.eq(value))
        .filter(sign_in_failure::Column::FailedAt.gt(since))
        .count(db)
        .await?)
}

/// Signs in with a sign-in name (e-mail address, or the user id) and a password, from `address`.
pub async fn sign_in(
    db: &DatabaseConnection,
    name: &str,
    password: &str,
    address: &str,
    user_agent: Option<&str>,
) -> Result<Result<SignedIn, SignInRefused>, ServiceError> {
    let account = account_name(name);
    let now = Utc::now();
    let since = now - FAILURE_WINDOW;
    if failures_since(db, sign_in_failure::Column::Account, &account, since).await?
        >= FAILURES_PER_ACCOUNT
        || failures_since(db, sign_in_failure::Column::Address, address, since).await?
            >= FAILURES_PER_ADDRESS
    {
        return Ok(Err(SignInRefused::TooMany {
            minutes: FAILURE_WINDOW.num_minutes(),
        }));
    }
    let found = user::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(user::Column::Email.eq(account.as_str()))
                .add(user::Column::Id.eq(name.trim())),
        )
        .one(db)
        .await?;
    let hash = found
        .as_ref()
        .and_then(|u| u.password_hash.as_deref())
        .unwrap_or_else(|| dummy_hash());
    let matches = verify_password(hash, password);
    let user = match found {
        Some(user) if matches && user.deactivated_at.is_none() && user.password_hash.is_some() => {
            user
        }
        _ => {
            record_failure(db, &account, address).await?;
            return Ok(Err(SignInRefused::Wrong));
        }
    };
    if user.totp_enabled_at.is_some() {
        let ticket = secret();
        sign_in_link::ActiveModel {
            id: Set(token_digest(&ticket)),
            user_id: Set(user.id.clone()),
            purpose: Set(LinkPurpose::SecondFactor.code().to_owned()),
            created_by: Set(None),
            created_at: Set(now),
            expires_at: Set(now + SECOND_FACTOR_VALID),
            used_at: Set(None),
        }
        .insert(db)
        .await?;
        return Ok(Ok(SignedIn::SecondFactor { ticket }));
    }
    Ok(Ok(SignedIn::Session(Box::new(
        new_session(db, user, user_agent).await?,
    ))))
}

async fn record_failure(
    db: &DatabaseConnection,
    account: &str,
    address: &str,
) -> Result<(), ServiceError> {
    sign_in_failure::ActiveModel {
        id: Set(new_id()),
        account: Set(account.chars().take(254).collect()),
        address: Set(address.chars().take(64).collect()),
        failed_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    // Failures older than the window count for nothing; they go, so the table stays small.
    sign_in_failure::Entity::delete_many()
        .filter(sign_in_failure::Column::FailedAt.lt(Utc::now() - FAILURE_WINDOW * 4))
        .exec(db)
        .await?;
    Ok(())
}

/// The second step of a two-factor sign-in: the ticket from the password step and a code from
/// the authenticator app (or a recovery code). Wrong codes count against the same rate limit as
/// wrong passwords; the ticket stays usable until it expires or succeeds.
pub async fn second_factor(
    db: &DatabaseConnection,
    ticket: &str,
    code: &str,
    address: &str,
    user_agent: Option<&str>,
) -> Result<Result<NewSession, SignInRefused>, ServiceError> {
    let now = Utc::now();
    let link = sign_in_link::Entity::find_by_id(token_digest(ticket))
        .one(db)
        .await?
        .filter(|l| {
            l.purpose == LinkPurpose::SecondFactor.code()
                && l.used_at.is_none()
                && l.expires_at > now
        });
    let Some(link) = link else {
        return Ok(Err(SignInRefused::Expired));
    };
    let Some(user) = user::Entity::find_by_id(link.user_id.clone())
        .one(db)
        .await?
        .filter(|u| u.deactivated_at.is_none())
    else {
        return Ok(Err(SignInRefused::Expired));
    };
    let account = user.email.clone().unwrap_or_else(|| user.id.clone());
    let since = now - FAILURE_WINDOW;
    if failures_since(db, sign_in_failure::Column::Account, &account, since).await?
        >= FAILURES_PER_ACCOUNT
        || failures_since(db, sign_in_failure::Column::Address, address, since).await?
            >= FAILURES_PER_ADDRESS
    {
        return Ok(Err(SignInRefused::TooMany {
            minutes: FAILURE_WINDOW.num_minutes(),
        }));
    }
    if !crate::services::two_factor::verify(db, &user, code).await? {
        record_failure(db, &account, address).await?;
        return Ok(Err(SignInRefused::Wrong));
    }
    let used = sign_in_link::Entity::update_many()
        .col_expr(sign_in_link::Column::UsedAt, Expr::value(now))
        .filter(sign_in_link::Column::Id.eq(link.id.as_str()))
        .filter(sign_in_link::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if used.rows_affected != 1 {
        return Ok(Err(SignInRefused::Expired));
    }
    Ok(Ok(new_session(db, user, user_agent).await?))
}

async fn new_session(
    db: &DatabaseConnection,
    user: user::Model,
    user_agent: Option<&str>,
) -> Result<NewSession, ServiceError> {
    let now = Utc::now();
    let secret = secret();
    let csrf = self::secret();
    web_session::ActiveModel {
        id: Set(token_digest(&secret)),
        user_id: Set(user.id.clone()),
        csrf_token: Set(csrf.clone()),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + SESSION_ABSOLUTE),
        revoked_at: Set(None),
        user_agent: Set(user_agent.map(|a| a.chars().take(200).collect())),
    }
    .insert(db)
    .await?;
    Ok(NewSession { secret, csrf, user })
}

/// The live session of a cookie: not revoked, within its idle and absolute expiry, of an active
/// user. A request refreshes its idle expiry (at most once a minute, to spare the database).
pub async fn session(
    db: &DatabaseConnection,
    secret: &str,
) -> Result<Option<Session>, ServiceError> {
    let Some(session) = web_session::Entity::find_by_id(token_digest(secret))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let now = Utc::now();
    if session.revoked_at.is_some()
        || session.expires_at <= now
        || session.last_seen_at + SESSION_IDLE <= now
    {
        return Ok(None);
    }
    let Some(user) = user::Entity::find_by_id(session.user_id.clone())
        .one(db)
        .await?
        .filter(|u| u.deactivated_at.is_none())
    else {
        return Ok(None);
    };
    if now - session.last_seen_at > Duration::minutes(1) {
        web_session::Entity::update_many()
            .col_expr(web_session::Column::LastSeenAt, Expr::value(now))
            .filter(web_session::Column::Id.eq(session.id.as_str()))
            .exec(db)
            .await?;
    }
    let actor = actor_of(user.clone())?;
    Ok(Some(Session {
        session,
        user,
        actor,
    }))
}

/// Ends the user's sessions, all of them or all but `keep`.
pub async fn end_sessions<C: ConnectionTrait>(
    db: &C,
    user_id: &str,
    keep: Option<&str>,
) -> Result<u64, ServiceError> {
    let mut update = web_session::Entity::update_many()
        .col_expr(web_session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(web_session::Column::UserId.eq(user_id))
        .filter(web_session::Column::RevokedAt.is_null());
    if let Some(keep) = keep {
        update = update.filter(web_session::Column::Id.ne(keep));
    }
    Ok(update.exec(db).await?.rows_affected)
}

/// Ends one session (signing out).
pub async fn sign_out(db: &DatabaseConnection, session_id: &str) -> Result<(), ServiceError> {
    web_session::Entity::update_many()
        .col_expr(web_session::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(web_session::Column::Id.eq(session_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Why a password change was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum PasswordChangeRefused {
    /// The current password given is wrong.
    WrongCurrent,
    /// The new password is not acceptable.
    New(PasswordProblem),
}

/// Changes a signed-in user's password: the current one must be given. Every other session of
/// theirs ends (whoever knew the old password is signed out); `keep` stays signed in.
pub async fn change_password(
    db: &DatabaseConnection,
    user: &user::Model,
    keep: &str,
    current: &str,
    new: &str,
    again: &str,
) -> Result<Result<(), PasswordChangeRefused>, ServiceError> {
    let stored = user
        .password_hash
        .as_deref()
        .unwrap_or_else(|| dummy_hash());
    if !verify_password(stored, current) || user.password_hash.is_none() {
        return Ok(Err(PasswordChangeRefused::WrongCurrent));
    }
    if let Some(problem) = password_problem(new, again) {
        return Ok(Err(PasswordChangeRefused::New(problem)));
    }
    let hash = hash_password(new)?;
    let txn = crate::services::common::begin_write(db).await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .col_expr(user::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user.id.as_str()))
        .exec(&txn)
        .await?;
    end_sessions(&txn, &user.id, Some(keep)).await?;
    txn.commit().await?;
    Ok(Ok(()))
}

/// How many sessions of the user are live (not revoked, not expired).
pub async fn live_sessions(db: &DatabaseConnection, user_id: &str) -> Result<u64, ServiceError> {
    let now = Utc::now();
    Ok(web_session::Entity::find()
        .filter(web_session::Column::UserId.eq(user_id))
        .filter(web_session::Column::RevokedAt.is_null())
        .filter(web_session::Column::ExpiresAt.gt(now))
        .filter(web_session::Column::LastSeenAt.gt(now - SESSION_IDLE))
        .count(db)
        .await?)
}

/// Sets the user's interface language (a code of [`crate::web::i18n::Lang`]).
pub async fn set_language(
    db: &DatabaseConnection,
    user_id: &str,
    language: &str,
) -> Result<(), ServiceError> {
    user::Entity::update_many()
        .col_expr(user::Column::Language, Expr::value(language))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").expect("test");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(&hash, "correct horse battery"));
        assert!(!verify_password(&hash, "correct horse batterx"));
        assert!(!verify_password("not a hash", "x"));
        assert!(!verify_password(dummy_hash(), ""));
        assert_ne!(
            hash,
            hash_password("correct horse battery").expect("test"),
            "salted"
        );
    }

    #[test]
    fn new_passwords_are_checked() {
        assert_eq!(
            password_problem("short", "short"),
            Some(PasswordProblem::TooShort)
        );
        let long = "x".repeat(201);
        assert_eq!(
            password_problem(&long, &long),
            Some(PasswordProblem::TooLong)
        );
        assert_eq!(
            password_problem("long enough 1", "long enough 2"),
            Some(PasswordProblem::Different)
        );
        assert_eq!(password_problem("ćirilica ђ 123", "ćirilica ђ 123"), None);
    }
}
