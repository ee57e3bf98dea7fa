//! Two-factor sign-in: a TOTP code (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps; what every
//! authenticator app uses) after the password, or one of ten single-use recovery codes.
//!
//! - Setting up stores a new secret, which counts only once a first code from it is confirmed.
//! - A code is accepted within one step of the server's clock, and each step only once (the last
//!   accepted step is stored), so an observed code cannot be replayed.
//! - Recovery codes are shown once and stored by their SHA-256 digest.

use chrono::Utc;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set, sea_query::Expr,
};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::{
    entities::{recovery_code, user},
    error::ServiceError,
    services::auth::token_digest,
};

/// How many recovery codes a user gets.
pub const RECOVERY_CODES: usize = 10;
/// Seconds per TOTP step.
const STEP: u64 = 30;

fn totp(secret: &str) -> Result<TOTP, ServiceError> {
    let bytes = Secret::Encoded(secret.to_owned()).to_bytes().map_err(|e| {
        ServiceError::internal(format!("a stored TOTP secret is not base32: {e:?}"))
    })?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP, bytes)
        .map_err(|e| ServiceError::internal(format!("a stored TOTP secret is unusable: {e}")))
}

/// A new random secret of 160 bits (RFC 4226 §4), base32 as authenticator apps take it.
pub fn new_secret() -> String {
    let mut bytes = vec![0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    Secret::Raw(bytes).to_encoded().to_string()
}

/// The `otpauth://` address an authenticator app reads (typed in, or from a QR code).
pub fn otpauth_uri(secret: &str, account: &str) -> String {
    let label: String =
        form_urlencoded::byte_serialize(format!("courtwatch:{account}").as_bytes()).collect();
    format!(
        "otpauth://totp/{label}?secret={secret}&issuer=courtwatch&algorithm=SHA1&digits=6&period={STEP}"
    )
}

/// The `otpauth://` address as a QR code, an SVG element to put in a page (`None` if it cannot
/// be encoded, which a short address never is).
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = qrcode::QrCode::new(uri.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    // The XML declaration belongs to a file, not to an element inside HTML.
    Some(match svg.find("<svg") {
        Some(start) => svg[start..].to_owned(),
        None => svg,
    })
}

/// The secret grouped by four characters, easier to type.
pub fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The code of `secret` at `unix` seconds, as an authenticator app computes it (for tests; the
/// secret may be grouped with spaces, as the set-up page shows it).
pub fn code_at(secret: &str, unix: i64) -> Result<String, ServiceError> {
    let secret: String = secret.chars().filter(|c| !c.is_whitespace()).collect();
    Ok(totp(&secret)?.generate(unix.max(0) as u64))
}

/// The time step in which `code` is valid for `secret`, within one step of now.
fn matching_step(secret: &str, code: &str) -> Result<Option<i64>, ServiceError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret)?;
    let now = Utc::now().timestamp().max(0) as u64;
    for time in [now.saturating_sub(STEP), now, now + STEP] {
        if totp.generate(time) == code {
            return Ok(Some((time / STEP) as i64));
        }
    }
    Ok(None)
}

/// Starts setting up: the user's pending secret (a new one when there is none). Refused when
/// two-factor sign-in is on already.
pub async fn pending_secret(
    db: &DatabaseConnection,
    user: &user::Model,
) -> Result<String, ServiceError> {
    if user.totp_enabled_at.is_some() {
        return Err(ServiceError::Conflict(
            "two-factor sign-in is on already; turn it off first to set up another app".into(),
        ));
    }
    if let Some(secret) = &user.totp_secret {
        return Ok(secret.clone());
    }
    let secret = new_secret();
    user::Entity::update_many()
        .col_expr(user::Column::TotpSecret, Expr::value(secret.as_str()))
        .filter(user::Column::Id.eq(user.id.as_str()))
        .exec(db)
        .await?;
    Ok(secret)
}

fn recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 10];
    rand::rng().fill_bytes(&mut bytes);
    let chars: String = bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    format!("{}-{}", &chars[..5], &chars[5..])
}

fn normalised(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

/// Replaces the user's recovery codes with new ones, returned in clear this once.
pub async fn new_recovery_codes<C: ConnectionTrait>(
    db: &C,
    user_id: &str,
) -> Result<Vec<String>, ServiceError> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    let now = Utc::now();
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let code = recovery_code();
        recovery_code::ActiveModel {
            id: Set(token_digest(&normalised(&code))),
            user_id: Set(user_id.to_owned()),
            created_at: Set(now),
            used_at: Set(None),
        }
        .insert(db)
        .await?;
        codes.push(code);
    }
    Ok(codes)
}

/// Confirms the set-up with a first code from the app: two-factor sign-in is on from now, and the
/// recovery codes are returned (shown once). `None` when the code is wrong.
pub async fn confirm(
    db: &DatabaseConnection,
    user: &user::Model,
    code: &str,
) -> Result<Option<Vec<String>>, ServiceError> {
    let Some(secret) = user
        .totp_secret
        .as_deref()
        .filter(|_| user.totp_enabled_at.is_none())
    else {
        return Err(ServiceError::Conflict(
            "there is no set-up in progress; start it again".into(),
        ));
    };
    let Some(step) = matching_step(secret, code)? else {
        return Ok(None);
    };
    let txn = crate::services::common::begin_write(db).await?;
    user::Entity::update_many()
        .col_expr(user::Column::TotpEnabledAt, Expr::value(Utc::now()))
        .col_expr(user::Column::TotpLastStep, Expr::value(step))
        .filter(user::Column::Id.eq(user.id.as_str()))
        .exec(&txn)
        .await?;
    let codes = new_recovery_codes(&txn, &user.id).await?;
    txn.commit().await?;
    Ok(Some(codes))
}

/// Whether `code` is a valid second factor for `user`: a TOTP code of a step not used before, or
/// an unused recovery code (which is used up).
pub async fn verify(
    db: &DatabaseConnection,
    user: &user::Model,
    code: &str,
) -> Result<bool, ServiceError> {
    let Some(secret) = user
        .totp_secret
        .as_deref()
        .filter(|_| user.totp_enabled_at.is_some())
    else {
        return Ok(false);
    };
    if let Some(step) = matching_step(secret, code)? {
        // Accepted once per step: the update only succeeds for a step after the last one.
        let updated = user::Entity::update_many()
            .col_expr(user::Column::TotpLastStep, Expr::value(step))
            .filter(user::Column::Id.eq(user.id.as_str()))
            .filter(
                sea_orm::Condition::any()
                    .add(user::Column::TotpLastStep.is_null())
                    .add(user::Column::TotpLastStep.lt(step)),
            )
            .exec(db)
            .await?;
        return Ok(updated.rows_affected == 1);
    }
    let used = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(Utc::now()))
        .filter(recovery_code::Column::Id.eq(token_digest(&normalised(code))))
        .filter(recovery_code::Column::UserId.eq(user.id.as_str()))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(used.rows_affected == 1)
}

/// How many unused recovery codes the user has.
pub async fn recovery_codes_left(
    db: &DatabaseConnection,
    user_id: &str,
) -> Result<u64, ServiceError> {
    use sea_orm::PaginatorTrait;
    Ok(recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(db)
        .await?)
}

/// Turns two-factor sign-in off (the caller has checked the password): the secret and the
/// recovery codes are deleted.
pub async fn turn_off(db: &DatabaseConnection, user_id: &str) -> Result<(), ServiceError> {
    let txn = crate::services::common::begin_write(db).await?;
    user::Entity::update_many()
        .col_expr(
            user::Column::TotpSecret,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            user::Column::TotpEnabledAt,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(user::Column::TotpLastStep, Expr::value(Option::<i64>::None))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_follow_rfc_6238() {
        // RFC 6238 appendix B, SHA-1, with the RFC's 20-byte key "12345678901234567890".
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        let totp = totp(&secret).expect("test");
        assert_eq!(totp.generate(59), "287082");
        assert_eq!(totp.generate(1_111_111_109), "081804");
        assert_eq!(totp.generate(2_000_000_000), "279037");
    }

    #[test]
    fn a_current_code_matches_and_a_wrong_one_does_not() {
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        let code = code_at(&secret, Utc::now().timestamp()).expect("test");
        assert!(matching_step(&secret, &code).expect("test").is_some());
        assert!(matching_step(&secret, "12345").expect("test").is_none());
        assert!(matching_step(&secret, "abcdef").expect("test").is_none());
        assert!(
            otpauth_uri(&secret, "ana@example.org")
                .starts_with("otpauth://totp/courtwatch%3Aana%40example.org?secret=")
        );
    }

    #[test]
    fn the_key_is_drawn_as_an_svg_element() {
        let svg = qr_svg(&otpauth_uri(&new_secret(), "ana@example.org")).expect("test");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"), "{svg}");
        assert!(!svg.contains("<script") && !svg.contains("style="), "{svg}");
    }

    #[test]
    fn recovery_codes_are_typed_loosely() {
        let code = recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(
            normalised(&code.to_uppercase()),
            normalised(&code.replace('-', " "))
        );
    }
}
