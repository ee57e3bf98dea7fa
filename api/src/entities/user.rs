//! The `users` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub display_name: String,
    pub organisation_id: String,
    pub role: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Set by `courtwatch user deactivate`: no token of the user is accepted from then on.
    pub deactivated_at: Option<DateTimeUtc>,
    /// The sign-in name for the web interface (lower case); unique.
    pub email: Option<String>,
    /// Argon2id hash of the web password (PHC string); none until a sign-in link is used.
    pub password_hash: Option<String>,
    /// The interface language chosen (`en`, `sq`, `sr`, `sr-Cyrl`).
    pub language: Option<String>,
    /// The TOTP secret (base32), set when two-factor sign-in is being or has been set up.
    pub totp_secret: Option<String>,
    /// When two-factor sign-in was turned on (the first code confirmed).
    pub totp_enabled_at: Option<DateTimeUtc>,
    /// The last TOTP time step accepted (a code is accepted once).
    pub totp_last_step: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
