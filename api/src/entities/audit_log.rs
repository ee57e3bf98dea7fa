//! The `audit_log` table: every write, append-only (the database refuses updates and deletes).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub at: DateTimeUtc,
    /// None when the operator acted through the CLI.
    pub user_id: Option<String>,
    /// The organisation the record belongs to.
    pub organisation_id: Option<String>,
    pub action: String,
    pub resource: String,
    pub resource_id: String,
    /// JSON text of the record before the change.
    pub before: Option<String>,
    /// JSON text of the record after the change.
    pub after: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
