//! The `sensitive_terms` table: per case (or, marked so, for every case of the organisation), what must never leave the recording organisation.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sensitive_terms")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub case_id: String,
    pub position: i32,
    pub term: String,
    pub kind: String,
    pub party_id: Option<String>,
    /// Applies to every record of the organisation, not only to this case.
    pub organisation_wide: bool,
    /// The case's organisation, set on organisation-wide terms (to find them by organisation).
    pub organisation_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub created_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
