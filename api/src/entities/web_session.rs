//! The `web_sessions` table: a browser session, stored by the SHA-256 digest of its cookie secret.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "web_sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: String,
    /// The session's CSRF token, sent back in every state-changing form.
    pub csrf_token: String,
    pub created_at: DateTimeUtc,
    /// Last request: the idle expiry counts from here.
    pub last_seen_at: DateTimeUtc,
    /// The absolute expiry.
    pub expires_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub user_agent: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
