//! The `cases` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub court_id: String,
    pub organisation_id: String,
    pub case_number: String,
    pub title: String,
    pub proceeding_type: String,
    pub status: String,
    pub filing_date: Option<Date>,
    pub summary: Option<String>,
    pub methodology_version: i32,
    /// The methodology answers as the JSON object text accepted by the API.
    pub answers: String,
    /// Review state: draft, submitted, returned, published, withdrawn.
    pub review_status: String,
    /// The reviewer's comments when returned (JSON object: question code → comment).
    pub review_comments: Option<String>,
    /// Trial-fairness grade A–F, assigned by a reviewer.
    pub fairness_grade: Option<String>,
    pub grade_justification: Option<String>,
    pub graded_by: Option<String>,
    pub graded_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub created_by: String,
    pub updated_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
