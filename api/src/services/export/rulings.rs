//! rulings.csv: one row per ruling (monitored cases' and stand-alone case law), one column per
//! ruling question; the full text only with `full_text=true`.

use std::{borrow::Cow, collections::HashSet};

use courtwatch_indexer::Kind;
use courtwatch_methodology::Scope;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::IntoCondition,
};

use super::{
    BATCH, ColumnType, Dataset,
    answers::Answer,
    file::{BatchQuery, CaseStates, Fact, Field, File, Table, text, when},
};
use crate::{
    access::policy, entities::ruling, error::ServiceError, services::common::keyset_batch,
};

/// rulings.csv.
pub(super) struct Rulings;

/// A batch of rulings with the review state of their cases.
pub(super) struct RulingBatch {
    rulings: Vec<ruling::Model>,
    cases: CaseStates,
}

/// One ruling.
pub(super) struct RulingRow<'a> {
    ruling: &'a ruling::Model,
    /// Its case's review state; none for stand-alone case law.
    case_status: Option<&'a str>,
}

use ColumnType::{Integer, String as Text};

static LEADING: [Field<Rulings>; 12] = [
    Field::plain("ruling_id", Text, "Ruling id (primary key).", |r| {
        Cow::Borrowed(&r.ruling.id)
    }),
    Field::plain(
        "case_id",
        Text,
        "The monitored case it decides (cases.csv case_id); empty for stand-alone case law.",
        |r| text(&r.ruling.case_id),
    ),
    Field::plain(
        "court_id",
        Text,
        "The court, when it is a court in courtwatch.",
        |r| text(&r.ruling.court_id),
    ),
    Field::prose(
        "external_id",
        "The ruling's id in the collection it was imported from (redacted).",
        |r| text(&r.ruling.external_id),
    ),
    Field::prose("court_name", "The court's name as given (redacted).", |r| {
        Cow::Borrowed(&r.ruling.court_name)
    }),
    Field::plain(
        "jurisdiction",
        Text,
        "Jurisdiction (XK, RS, ME, ECHR, ...).",
        |r| text(&r.ruling.jurisdiction),
    ),
    Field::prose("title", "Title of the ruling (redacted).", |r| {
        Cow::Borrowed(&r.ruling.title)
    }),
    Field::plain(
        "language",
        Text,
        "Language of the text (BCP 47 tag).",
        |r| Cow::Borrowed(&r.ruling.language),
    ),
    Field::prose("source", "Where the text comes from (redacted).", |r| {
        text(&r.ruling.source)
    }),
    Field::prose(
        "metadata",
        "Other fields of the source record, as a JSON object (redacted).",
        |r| text(&r.ruling.metadata),
    ),
    Field::plain(
        "text_length",
        Integer,
        "Length of the full text in characters.",
        |r| Cow::Owned(r.ruling.full_text.chars().count().to_string()),
    ),
    Field::plain(
        "methodology_version",
        Integer,
        "Methodology version the ruling's answers follow.",
        |r| Cow::Owned(r.ruling.methodology_version.to_string()),
    ),
];

static TRAILING: [Field<Rulings>; 3] = [
    Field::<Rulings>::prose(
        "full_text",
        "The ruling's full text, redacted (only in files exported with full_text=true).",
        |r| Cow::Borrowed(&r.ruling.full_text),
    )
    .full_text_only(),
    Field::created_at(|r| Cow::Owned(when(r.ruling.created_at))),
    Field::updated_at(|r| Cow::Owned(when(r.ruling.updated_at))),
];

fn code(s: &Option<String>) -> Option<Answer<'_>> {
    s.as_deref().map(|s| Answer::Text(Cow::Borrowed(s)))
}

/// The ruling fields that answer field-bound ruling questions: the same values as
/// [`crate::services::ruling::ruling_fields`], which rulings are validated with (a test compares
/// them).
static FACTS: [Fact<Rulings>; 3] = [
    Fact {
        field: "decision_date",
        value: |r| {
            r.ruling
                .decision_date
                .map(|d| Answer::Text(Cow::Owned(d.format("%Y-%m-%d").to_string())))
        },
    },
    Fact {
        field: "instance",
        value: |r| code(&r.ruling.instance),
    },
    Fact {
        field: "outcome",
        value: |r| code(&r.ruling.outcome),
    },
];

impl File for Rulings {
    const DATASET: Dataset = Dataset::Rulings;
    const QUESTIONS: Option<Scope> = Some(Scope::Ruling);
    const SEARCH: Option<Kind> = Some(Kind::Ruling);
    type Row<'a> = RulingRow<'a>;
    type Batch = RulingBatch;

    const TABLE: Table<Self> = Table {
        leading: &LEADING,
        trailing: &TRAILING,
        facts: &FACTS,
    };

    async fn read(db: DatabaseConnection, query: BatchQuery) -> Result<RulingBatch, ServiceError> {
        let mut select = ruling::Entity::find()
            .filter(query.filter.rulings())
            .filter(ruling::Column::MethodologyVersion.eq(query.version));
        if let Some(ids) = query.only {
            select = select.filter(ruling::Column::Id.is_in(ids).into_condition());
        }
        let mut after = query.after;
        let rulings = keyset_batch(
            &db,
            select,
            ruling::Column::Id,
            |m| &m.id,
            &mut after,
            BATCH,
        )
        .await?;
        let cases = CaseStates::read(
            &db,
            rulings
                .iter()
                .filter_map(|r| r.case_id.as_deref())
                .collect(),
        )
        .await?;
        Ok(RulingBatch { rulings, cases })
    }

    fn count(batch: &RulingBatch) -> usize {
        batch.rulings.len()
    }
    fn last(batch: &RulingBatch) -> Result<Option<String>, ServiceError> {
        Ok(batch.rulings.last().map(|r| r.id.clone()))
    }
    fn case_ids(batch: &RulingBatch) -> Result<HashSet<&str>, ServiceError> {
        Ok(batch
            .rulings
            .iter()
            .filter_map(|r| r.case_id.as_deref())
            .collect())
    }
    fn rows(batch: &RulingBatch) -> Result<Vec<RulingRow<'_>>, ServiceError> {
        Ok(batch
            .rulings
            .iter()
            .map(|ruling| RulingRow {
                ruling,
                case_status: ruling.case_id.as_deref().map(|id| batch.cases.of(id)),
            })
            .collect())
    }

    fn case_id<'r>(row: &'r RulingRow<'_>) -> &'r str {
        row.ruling.case_id.as_deref().unwrap_or_default()
    }
    fn released(row: &RulingRow<'_>) -> bool {
        policy::released(Some(&row.ruling.review_status), row.case_status)
    }
    fn stored_answers<'r>(row: &'r RulingRow<'_>) -> Option<(&'r str, &'r str)> {
        Some((&row.ruling.answers, &row.ruling.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::ruling::ruling_fields;

    #[test]
    fn facts_match_the_ones_rulings_are_validated_with() {
        let t = chrono::DateTime::UNIX_EPOCH;
        for (date, instance, outcome) in [
            (None, None, None),
            (
                chrono::NaiveDate::from_ymd_opt(2023, 5, 9),
                Some("appeal".to_string()),
                Some("claim_upheld".to_string()),
            ),
        ] {
            let ruling = ruling::Model {
                id: "r1".into(),
                case_id: None,
                court_id: None,
                external_id: None,
                court_name: "c".into(),
                jurisdiction: None,
                title: "t".into(),
                decision_date: date,
                instance,
                outcome,
                language: "en".into(),
                full_text: String::new(),
                source: None,
                metadata: None,
                methodology_version: 1,
                answers: "{}".into(),
                organisation_id: None,
                review_status: "published".into(),
                review_comments: None,
                created_at: t,
                updated_at: t,
                created_by: "u".into(),
                updated_by: "u".into(),
            };
            let row = RulingRow {
                ruling: &ruling,
                case_status: None,
            };
            let validated = ruling_fields(
                ruling.decision_date,
                ruling.instance.as_deref(),
                ruling.outcome.as_deref(),
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
