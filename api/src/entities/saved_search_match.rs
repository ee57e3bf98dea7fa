//! The `saved_search_matches` table: a record a saved search has matched, and when it was first
//! seen to match.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "saved_search_matches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub saved_search_id: String,
    /// `ruling`, `observation` or `case`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub record_id: String,
    pub first_seen_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
