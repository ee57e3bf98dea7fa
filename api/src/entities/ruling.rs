//! The `rulings` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rulings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub case_id: Option<String>,
    pub court_id: Option<String>,
    pub external_id: Option<String>,
    pub court_name: String,
    pub jurisdiction: Option<String>,
    pub title: String,
    pub decision_date: Option<Date>,
    pub instance: Option<String>,
    pub outcome: Option<String>,
    pub language: String,
    pub full_text: String,
    pub source: Option<String>,
    /// Other fields of the source record (JSON object text), e.g. ECHR `articles` and `conclusion`.
    pub metadata: Option<String>,
    pub methodology_version: i32,
    /// The methodology answers as the JSON object text accepted by the API.
    pub answers: String,
    /// The organisation that owns the record (its case's, or its author's for stand-alone case law).
    pub organisation_id: Option<String>,
    /// Review state: draft, submitted, returned, published, withdrawn.
    pub review_status: String,
    /// The reviewer's comments when returned (JSON object: question code → comment).
    pub review_comments: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub created_by: String,
    pub updated_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
