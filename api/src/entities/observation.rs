//! The `observations` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "observations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub hearing_id: String,
    pub monitor_id: String,
    pub methodology_version: i32,
    /// The methodology answers as the JSON object text accepted by the API.
    pub answers: String,
    pub notes: Option<String>,
    /// Review state: draft, submitted, returned, published, withdrawn.
    pub status: String,
    /// The reviewer's comments when returned (JSON object: question code → comment).
    pub review_comments: Option<String>,
    pub submitted_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub created_by: String,
    pub updated_by: String,
    /// Raised by every write; `If-Match` and the pages' saves compare it.
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
