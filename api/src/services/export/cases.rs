//! cases.csv: one row per case, one column per case question.

use std::{
    borrow::Cow,
    collections::{HashMap, HashSet},
};

use courtwatch_indexer::Kind;
use courtwatch_methodology::Scope;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, sea_query::IntoCondition,
};

use super::{
    BATCH, ColumnType, Dataset,
    answers::Answer,
    file::{BatchQuery, Fact, Field, File, Table, text, when},
};
use crate::{
    access::policy,
    entities::{case, case_ground, court},
    error::ServiceError,
    services::common::keyset_batch,
};

/// cases.csv.
pub(super) struct Cases;

/// A batch of cases with their courts and grounds.
pub(super) struct CaseBatch {
    cases: Vec<case::Model>,
    courts: HashMap<String, court::Model>,
    grounds: HashMap<String, Vec<String>>,
}

/// One case, with its court and its grounds (in code order).
pub(super) struct CaseRow<'a> {
    case: &'a case::Model,
    court: &'a court::Model,
    grounds: &'a [String],
}

use ColumnType::{Integer, String as Text};

static LEADING: [Field<Cases>; 7] = [
    Field::plain("case_id", Text, "Case id (primary key).", |r| {
        Cow::Borrowed(&r.case.id)
    }),
    Field::plain("court_id", Text, "The court hearing the case.", |r| {
        Cow::Borrowed(&r.case.court_id)
    }),
    Field::plain("court_name", Text, "The court's name.", |r| {
        Cow::Borrowed(&r.court.name)
    }),
    Field::plain(
        "organisation_id",
        Text,
        "The organisation monitoring the case.",
        |r| Cow::Borrowed(&r.case.organisation_id),
    ),
    Field::prose(
        "title",
        "Short descriptive title, without personal names (redacted).",
        |r| Cow::Borrowed(&r.case.title),
    ),
    Field::prose("summary", "Neutral summary of the case, redacted.", |r| {
        text(&r.case.summary)
    }),
    Field::plain(
        "methodology_version",
        Integer,
        "Methodology version the case's answers follow.",
        |r| Cow::Owned(r.case.methodology_version.to_string()),
    ),
];

static TRAILING: [Field<Cases>; 2] = [
    Field::created_at(|r| Cow::Owned(when(r.case.created_at))),
    Field::updated_at(|r| Cow::Owned(when(r.case.updated_at))),
];

fn code(s: &str) -> Option<Answer<'_>> {
    Some(Answer::Text(Cow::Borrowed(s)))
}

/// The case fields that answer field-bound case questions: the same values as
/// [`crate::services::case::case_fields`], which cases are validated with (a test compares them).
static FACTS: [Fact<Cases>; 7] = [
    Fact {
        field: "jurisdiction",
        value: |r| code(&r.court.jurisdiction),
    },
    Fact {
        field: "court_level",
        value: |r| code(&r.court.level),
    },
    Fact {
        field: "case_number",
        value: |r| code(&r.case.case_number),
    },
    Fact {
        field: "proceeding_type",
        value: |r| code(&r.case.proceeding_type),
    },
    Fact {
        field: "grounds",
        value: |r| {
            Some(Answer::List(
                r.grounds
                    .iter()
                    .map(|g| Answer::Text(Cow::Borrowed(g)))
                    .collect(),
            ))
        },
    },
    Fact {
        field: "filing_date",
        value: |r| {
            r.case
                .filing_date
                .map(|d| Answer::Text(Cow::Owned(d.format("%Y-%m-%d").to_string())))
        },
    },
    Fact {
        field: "status",
        value: |r| code(&r.case.status),
    },
];

impl File for Cases {
    const DATASET: Dataset = Dataset::Cases;
    const QUESTIONS: Option<Scope> = Some(Scope::Case);
    const SEARCH: Option<Kind> = Some(Kind::Case);
    type Row<'a> = CaseRow<'a>;
    type Batch = CaseBatch;

    const TABLE: Table<Self> = Table {
        leading: &LEADING,
        trailing: &TRAILING,
        facts: &FACTS,
    };

    async fn read(db: DatabaseConnection, query: BatchQuery) -> Result<CaseBatch, ServiceError> {
        let mut select = case::Entity::find()
            .filter(query.filter.condition())
            .filter(case::Column::MethodologyVersion.eq(query.version));
        if let Some(ids) = query.only {
            select = select.filter(case::Column::Id.is_in(ids).into_condition());
        }
        let mut after = query.after;
        let cases =
            keyset_batch(&db, select, case::Column::Id, |m| &m.id, &mut after, BATCH).await?;
        let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
        let court_ids: HashSet<&str> = cases.iter().map(|c| c.court_id.as_str()).collect();
        let courts = court::Entity::find()
            .filter(court::Column::Id.is_in(court_ids))
            .all(&db)
            .await?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        let mut grounds: HashMap<String, Vec<String>> = HashMap::new();
        for g in case_ground::Entity::find()
            .filter(case_ground::Column::CaseId.is_in(ids))
            .order_by_asc(case_ground::Column::Ground)
            .all(&db)
            .await?
        {
            grounds.entry(g.case_id).or_default().push(g.ground);
        }
        Ok(CaseBatch {
            cases,
            courts,
            grounds,
        })
    }

    fn count(batch: &CaseBatch) -> usize {
        batch.cases.len()
    }
    fn last(batch: &CaseBatch) -> Result<Option<String>, ServiceError> {
        Ok(batch.cases.last().map(|c| c.id.clone()))
    }
    fn case_ids(batch: &CaseBatch) -> Result<HashSet<&str>, ServiceError> {
        Ok(batch.cases.iter().map(|c| c.id.as_str()).collect())
    }
    fn rows(batch: &CaseBatch) -> Result<Vec<CaseRow<'_>>, ServiceError> {
        batch
            .cases
            .iter()
            .map(|case| {
                let court = batch.courts.get(&case.court_id).ok_or_else(|| {
                    ServiceError::internal(format!("case {} without its court", case.id))
                })?;
                let grounds = batch.grounds.get(&case.id).map_or(&[][..], Vec::as_slice);
                Ok(CaseRow {
                    case,
                    court,
                    grounds,
                })
            })
            .collect()
    }

    fn case_id<'r>(row: &'r CaseRow<'_>) -> &'r str {
        &row.case.id
    }
    fn released(row: &CaseRow<'_>) -> bool {
        policy::released(Some(&row.case.review_status), None)
    }
    fn stored_answers<'r>(row: &'r CaseRow<'_>) -> Option<(&'r str, &'r str)> {
        Some((&row.case.answers, &row.case.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::case::case_fields;

    #[test]
    fn facts_match_the_ones_cases_are_validated_with() {
        let t = chrono::DateTime::UNIX_EPOCH;
        let court = court::Model {
            id: "k1".into(),
            name: "Basic Court".into(),
            level: "basic".into(),
            jurisdiction: "XK".into(),
            municipality: None,
            created_at: t,
            updated_at: t,
            created_by: "u".into(),
            updated_by: "u".into(),
        };
        for filing_date in [None, chrono::NaiveDate::from_ymd_opt(2024, 3, 4)] {
            let case = case::Model {
                id: "c1".into(),
                court_id: "k1".into(),
                organisation_id: "o1".into(),
                case_number: "C 1/24".into(),
                title: "t".into(),
                proceeding_type: "criminal_hate_crime".into(),
                status: "monitoring".into(),
                filing_date,
                summary: None,
                methodology_version: 1,
                answers: "{}".into(),
                review_status: "published".into(),
                review_comments: None,
                fairness_grade: None,
                grade_justification: None,
                graded_by: None,
                graded_at: None,
                created_at: t,
                updated_at: t,
                created_by: "u".into(),
                updated_by: "u".into(),
            };
            let grounds = vec!["disability".to_string(), "ethnicity".to_string()];
            let row = CaseRow {
                case: &case,
                court: &court,
                grounds: &grounds,
            };
            let validated = case_fields(
                &court,
                &case.case_number,
                &case.proceeding_type,
                &grounds,
                case.filing_date,
                &case.status,
            );
            assert_eq!(validated.len(), FACTS.len());
            for (field, value) in validated {
                let fact = FACTS.iter().find(|f| f.field == field).expect(field);
                assert_eq!(
                    (fact.value)(&row),
                    value.as_ref().map(Answer::of_value),
                    "{field}"
                );
            }
        }
    }
}
