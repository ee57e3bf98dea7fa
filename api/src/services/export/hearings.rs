//! hearings.csv: one row per hearing.

use std::{borrow::Cow, collections::HashSet};

use courtwatch_indexer::Kind;
use courtwatch_methodology::Scope;
use sea_orm::{DatabaseConnection, EntityTrait, QueryFilter};

use super::{
    BATCH, ColumnType, Dataset,
    file::{BatchQuery, CaseStates, Field, File, Table, opt, text, when},
};
use crate::{
    access::policy, entities::hearing, error::ServiceError, services::common::keyset_batch,
};

/// hearings.csv.
pub(super) struct Hearings;

/// A batch of hearings with the review state of their cases.
pub(super) struct HearingBatch {
    hearings: Vec<hearing::Model>,
    cases: CaseStates,
}

/// One hearing.
pub(super) struct HearingRow<'a> {
    hearing: &'a hearing::Model,
    case_status: &'a str,
}

use ColumnType::{Date, Datetime, String as Text};

static LEADING: [Field<Hearings>; 9] = [
    Field::plain("hearing_id", Text, "Hearing id (primary key).", |r| {
        Cow::Borrowed(&r.hearing.id)
    }),
    Field::plain("case_id", Text, "The case (cases.csv case_id).", |r| {
        Cow::Borrowed(&r.hearing.case_id)
    }),
    Field::plain(
        "scheduled_at",
        Datetime,
        "When the hearing was scheduled to start.",
        |r| Cow::Owned(when(r.hearing.scheduled_at)),
    ),
    Field::plain(
        "started_at",
        Datetime,
        "When it actually started (empty if it did not).",
        |r| opt(r.hearing.started_at, when),
    ),
    Field::plain("ended_at", Datetime, "When it ended.", |r| {
        opt(r.hearing.ended_at, when)
    }),
    Field::coded(
        "hearing_type",
        "hearing_type",
        false,
        "Type of hearing.",
        |r| Cow::Borrowed(&r.hearing.hearing_type),
    ),
    Field::coded(
        "outcome",
        "hearing_outcome",
        false,
        "What happened at the hearing.",
        |r| Cow::Borrowed(&r.hearing.outcome),
    ),
    Field::plain(
        "next_hearing_date",
        Date,
        "Date set for the next hearing.",
        |r| opt(r.hearing.next_hearing_date, |d| d.to_string()),
    ),
    Field::prose("courtroom", "Courtroom, as written (redacted).", |r| {
        text(&r.hearing.courtroom)
    }),
];

static TRAILING: [Field<Hearings>; 2] = [
    Field::created_at(|r| Cow::Owned(when(r.hearing.created_at))),
    Field::updated_at(|r| Cow::Owned(when(r.hearing.updated_at))),
];

impl File for Hearings {
    const DATASET: Dataset = Dataset::Hearings;
    const QUESTIONS: Option<Scope> = None;
    const SEARCH: Option<Kind> = None;
    type Row<'a> = HearingRow<'a>;
    type Batch = HearingBatch;

    const TABLE: Table<Self> = Table {
        leading: &LEADING,
        trailing: &TRAILING,
        facts: &[],
    };

    async fn read(db: DatabaseConnection, query: BatchQuery) -> Result<HearingBatch, ServiceError> {
        let select = hearing::Entity::find().filter(query.filter.of_cases(hearing::Column::CaseId));
        let mut after = query.after;
        let hearings = keyset_batch(
            &db,
            select,
            hearing::Column::Id,
            |m| &m.id,
            &mut after,
            BATCH,
        )
        .await?;
        let cases =
            CaseStates::read(&db, hearings.iter().map(|h| h.case_id.as_str()).collect()).await?;
        Ok(HearingBatch { hearings, cases })
    }

    fn count(batch: &HearingBatch) -> usize {
        batch.hearings.len()
    }
    fn last(batch: &HearingBatch) -> Result<Option<String>, ServiceError> {
        Ok(batch.hearings.last().map(|h| h.id.clone()))
    }
    fn case_ids(batch: &HearingBatch) -> Result<HashSet<&str>, ServiceError> {
        Ok(batch.hearings.iter().map(|h| h.case_id.as_str()).collect())
    }
    fn rows(batch: &HearingBatch) -> Result<Vec<HearingRow<'_>>, ServiceError> {
        Ok(batch
            .hearings
            .iter()
            .map(|hearing| HearingRow {
                hearing,
                case_status: batch.cases.of(&hearing.case_id),
            })
            .collect())
    }

    fn case_id<'r>(row: &'r HearingRow<'_>) -> &'r str {
        &row.hearing.case_id
    }
    fn released(row: &HearingRow<'_>) -> bool {
        policy::released(None, Some(row.case_status))
    }
}
