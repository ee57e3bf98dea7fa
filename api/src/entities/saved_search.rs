//! The `saved_searches` table: a user's named search and its feed (the secret stored as its
//! SHA-256 digest; none when the feed is off).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "saved_searches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub user_id: String,
    pub name: String,
    /// The search page's query string (its whole state, the first page).
    pub query: String,
    pub created_at: DateTimeUtc,
    /// When its owner last opened it: matches first seen later are "new".
    pub opened_at: DateTimeUtc,
    pub feed_secret_hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
