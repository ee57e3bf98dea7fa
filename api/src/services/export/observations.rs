//! Reading observations.csv's rows: one keyset batch per query, kept as the database returned it
//! and read cell by cell where it is written (borrowed, not copied into per-row structures).

use std::{borrow::Cow, collections::HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sqlx::postgres::{PgRow, Postgres};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Statement, TransactionTrait, sqlx::Row as _,
};
use serde_json::value::RawValue;

use super::{
    BATCH,
    answers::{Answer, Text},
    of_cases, when,
};
use crate::{
    entities::{case, hearing, observation},
    error::ServiceError,
    services::case::CaseFilter,
};

/// The cells of a batch row, in this order on both backends.
const CELLS: [&str; 16] = [
    "id",
    "hearing_id",
    "methodology_version",
    "answers",
    "notes",
    "status",
    "submitted_at",
    "created_at",
    "updated_at",
    "case_id",
    "case_review_status",
    "hearing_type",
    "outcome",
    "scheduled_at",
    "started_at",
    "next_hearing_date",
];
const ID: usize = 0;
const CASE_ID: usize = 9;

/// One observation with the facts of its hearing, borrowed from its batch.
#[derive(Debug)]
pub(super) struct Cells<'a> {
    pub id: Cow<'a, str>,
    pub hearing_id: Cow<'a, str>,
    pub methodology_version: i32,
    /// The stored answers (a JSON object).
    pub answers: &'a str,
    pub notes: Option<Cow<'a, str>>,
    pub status: Cow<'a, str>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub case_id: Cow<'a, str>,
    /// The case's review state (released only when published).
    pub case_review_status: Cow<'a, str>,
    pub hearing_type: Cow<'a, str>,
    pub outcome: Cow<'a, str>,
    pub scheduled_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub next_hearing_date: Option<NaiveDate>,
}

impl<'a> Cells<'a> {
    /// The value of one of observations.csv's fixed columns, or `None` for a name that is not one.
    pub fn field(&self, name: &str) -> Option<Cow<'a, str>> {
        let owned = Cow::Owned;
        Some(match name {
            "observation_id" => self.id.clone(),
            "hearing_id" => self.hearing_id.clone(),
            "case_id" => self.case_id.clone(),
            "methodology_version" => owned(self.methodology_version.to_string()),
            "status" => self.status.clone(),
            "submitted_at" => owned(self.submitted_at.map(when).unwrap_or_default()),
            "notes" => self.notes.clone().unwrap_or_default(),
            "created_at" => owned(when(self.created_at)),
            "updated_at" => owned(when(self.updated_at)),
            _ => return None,
        })
    }

    /// The hearing fact that answers a field-bound question (`hearing.outcome`, ...), the same
    /// values as [`crate::services::hearing_facts::hearing_facts`]; `Ok(None)` when the hearing has
    /// none, an error for a field that is not a hearing fact.
    pub fn fact(&self, field: &str) -> Result<Option<Answer<'a>>, ServiceError> {
        let text = |s: &Cow<'a, str>| Some(Answer::Text(s.clone()));
        let time = |t: DateTime<Utc>| Answer::Text(Cow::Owned(when(t)));
        Ok(match field {
            "hearing.hearing_type" => text(&self.hearing_type),
            "hearing.outcome" => text(&self.outcome),
            "hearing.scheduled_at" => Some(time(self.scheduled_at)),
            "hearing.started_at" => self.started_at.map(time),
            "hearing.next_hearing_date" => self
                .next_hearing_date
                .map(|d| Answer::Text(Cow::Owned(d.format("%Y-%m-%d").to_string()))),
            other => {
                return Err(ServiceError::internal(format!(
                    "observations: no hearing fact {other:?}"
                )));
            }
        })
    }
}

/// A fetched batch of observations, as the database returned it.
pub(super) enum RawBatch {
    /// SQLite: the batch as one JSON array of rows (see [`fetch_as_one_row`]).
    Json {
        text: String,
        count: usize,
        last: Option<String>,
        cases: Vec<String>,
    },
    /// PostgreSQL: the rows.
    Rows(Vec<sea_orm::QueryResult>),
}

/// A batch row as SQLite's aggregate writes it.
type JsonCells<'a> = (
    Text<'a>,
    Text<'a>,
    i32,
    &'a RawValue,
    Option<Text<'a>>,
    Text<'a>,
    Option<Text<'a>>,
    Text<'a>,
    Text<'a>,
    Text<'a>,
    Text<'a>,
    Text<'a>,
    Text<'a>,
    Text<'a>,
    Option<Text<'a>>,
    Option<Text<'a>>,
);

fn stored_date(text: &str) -> Result<NaiveDate, ServiceError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| ServiceError::internal_from(format!("stored date {text:?}"), e))
}

fn database(e: sea_orm::sqlx::Error) -> ServiceError {
    ServiceError::internal_from("observations batch", e)
}

impl RawBatch {
    pub fn count(&self) -> usize {
        match self {
            RawBatch::Json { count, .. } => *count,
            RawBatch::Rows(rows) => rows.len(),
        }
    }

    /// The batch's last id: where the next batch starts.
    pub fn last(&self) -> Result<Option<String>, ServiceError> {
        match self {
            RawBatch::Json { last, .. } => Ok(last.clone()),
            RawBatch::Rows(rows) => rows
                .last()
                .map(|row| {
                    Ok(pg_row(row)?
                        .try_get::<&str, _>(ID)
                        .map_err(database)?
                        .to_owned())
                })
                .transpose(),
        }
    }

    /// The cases of the batch's rows.
    pub fn case_ids(&self) -> Result<HashSet<&str>, ServiceError> {
        match self {
            RawBatch::Json { cases, .. } => Ok(cases.iter().map(String::as_str).collect()),
            RawBatch::Rows(rows) => rows
                .iter()
                .map(|row| pg_row(row)?.try_get::<&str, _>(CASE_ID).map_err(database))
                .collect(),
        }
    }

    /// The batch's rows in id order.
    pub fn cells(&self) -> Result<Vec<Cells<'_>>, ServiceError> {
        match self {
            RawBatch::Json { text, .. } => {
                let rows: Vec<JsonCells<'_>> = serde_json::from_str(text)
                    .map_err(|e| ServiceError::internal_from("observations batch", e))?;
                let mut cells = rows
                    .into_iter()
                    .map(|c| {
                        Ok(Cells {
                            id: c.0.0,
                            hearing_id: c.1.0,
                            methodology_version: c.2,
                            answers: c.3.get(),
                            notes: c.4.map(|t| t.0),
                            status: c.5.0,
                            submitted_at: c.6.map(|t| stored_time(&t.0)).transpose()?,
                            created_at: stored_time(&c.7.0)?,
                            updated_at: stored_time(&c.8.0)?,
                            case_id: c.9.0,
                            case_review_status: c.10.0,
                            hearing_type: c.11.0,
                            outcome: c.12.0,
                            scheduled_at: stored_time(&c.13.0)?,
                            started_at: c.14.map(|t| stored_time(&t.0)).transpose()?,
                            next_hearing_date: c.15.map(|t| stored_date(&t.0)).transpose()?,
                        })
                    })
                    .collect::<Result<Vec<_>, ServiceError>>()?;
                // The keyset needs the batch in id order; an aggregate's order is not promised.
                cells.sort_by(|a, b| a.id.cmp(&b.id));
                Ok(cells)
            }
            RawBatch::Rows(rows) => rows
                .iter()
                .enumerate()
                .map(|(i, row)| pg_cells(pg_row(row)?, i == 0))
                .collect(),
        }
    }
}

/// One cell of a PostgreSQL row. Types are checked on a batch's first row only: the statement
/// and its columns are the same for the whole batch (the checks were ~5 % of an export's CPU).
fn cell<'r, T>(row: &'r PgRow, i: usize, checked: bool) -> Result<T, sea_orm::sqlx::Error>
where
    T: sea_orm::sqlx::Decode<'r, Postgres> + sea_orm::sqlx::Type<Postgres>,
{
    if checked {
        row.try_get(i)
    } else {
        row.try_get_unchecked(i)
    }
}

/// A PostgreSQL batch row's cells.
fn pg_cells(row: &PgRow, checked: bool) -> Result<Cells<'_>, ServiceError> {
    let text = |i: usize| cell::<&str>(row, i, checked).map(Cow::Borrowed);
    let maybe = |i: usize| cell::<Option<&str>>(row, i, checked).map(|t| t.map(Cow::Borrowed));
    let cells = || -> Result<Cells<'_>, sea_orm::sqlx::Error> {
        Ok(Cells {
            id: text(0)?,
            hearing_id: text(1)?,
            methodology_version: cell(row, 2, checked)?,
            answers: cell(row, 3, checked)?,
            notes: maybe(4)?,
            status: text(5)?,
            submitted_at: cell(row, 6, checked)?,
            created_at: cell(row, 7, checked)?,
            updated_at: cell(row, 8, checked)?,
            case_id: text(9)?,
            case_review_status: text(10)?,
            hearing_type: text(11)?,
            outcome: text(12)?,
            scheduled_at: cell(row, 13, checked)?,
            started_at: cell(row, 14, checked)?,
            next_hearing_date: cell(row, 15, checked)?,
        })
    };
    cells().map_err(database)
}

fn pg_row(row: &sea_orm::QueryResult) -> Result<&PgRow, ServiceError> {
    row.try_as_pg_row()
        .ok_or_else(|| ServiceError::internal("observations batch: not a PostgreSQL row"))
}

/// One keyset batch of observations after `after` (drafts included: the writer keeps the
/// published observations of published cases), not yet decoded.
pub(super) async fn fetch_batch(
    db: &sea_orm::DatabaseConnection,
    filter: &CaseFilter,
    version: i32,
    after: &str,
    only: Condition,
) -> Result<RawBatch, ServiceError> {
    // One query: each observation with the columns of its hearing that the file needs (the case
    // and the field-bound questions), and nothing else.
    let query = observation::Entity::find()
        .select_only()
        .columns([
            observation::Column::Id,
            observation::Column::HearingId,
            observation::Column::MethodologyVersion,
            observation::Column::Answers,
            observation::Column::Notes,
            observation::Column::Status,
            observation::Column::SubmittedAt,
            observation::Column::CreatedAt,
            observation::Column::UpdatedAt,
        ])
        .columns([
            hearing::Column::CaseId,
            hearing::Column::HearingType,
            hearing::Column::Outcome,
            hearing::Column::ScheduledAt,
            hearing::Column::StartedAt,
            hearing::Column::NextHearingDate,
        ])
        .column_as(case::Column::ReviewStatus, "case_review_status")
        .join(
            JoinType::InnerJoin,
            observation::Entity::belongs_to(hearing::Entity)
                .from(observation::Column::HearingId)
                .to(hearing::Column::Id)
                .into(),
        )
        .join(
            JoinType::InnerJoin,
            hearing::Entity::belongs_to(case::Entity)
                .from(hearing::Column::CaseId)
                .to(case::Column::Id)
                .into(),
        )
        .filter(observation::Column::Id.gt(after))
        .filter(only)
        .filter(observation::Column::MethodologyVersion.eq(version))
        // Whether the case is released is checked per row by the writer: as a subquery it made
        // SQLite start from the published cases and sort every batch.
        .filter(of_cases(
            hearing::Column::CaseId,
            &CaseFilter {
                released: false,
                ..filter.clone()
            },
        ))
        .order_by_asc(observation::Column::Id)
        .limit(BATCH);
    let backend = db.get_database_backend();
    let inner = query.build(backend);
    if backend == DbBackend::Sqlite {
        return fetch_as_one_row(db, inner).await;
    }
    // On PostgreSQL, rows one by one: rows arriving over the socket are decoded while the server
    // produces the next ones (the same aggregation as on SQLite, `json_agg`, measured 0.35 of
    // `psql \copy` against 0.44, as one aggregate is built by one backend alone).
    let statement = Statement {
        sql: format!("SELECT {} FROM ({}) AS batch", CELLS.join(", "), inner.sql),
        values: inner.values,
        db_backend: backend,
    };
    // Without parallel workers: the statement is prepared once per connection, and its generic
    // plan (which cannot see that `id > $1 … LIMIT $n` is a thousand rows) starts two parallel
    // workers for every batch — measured 12 CPU-seconds of PostgreSQL for 1,000,000 rows, more
    // than the whole of `psql \copy`. Serial, a batch is an index range scan of its rows.
    let txn = db.begin().await?;
    txn.execute_unprepared("SET LOCAL max_parallel_workers_per_gather = 0")
        .await?;
    let rows = txn.query_all_raw(statement).await?;
    txn.commit().await?;
    Ok(RawBatch::Rows(rows))
}

/// An observations batch as a single row on SQLite: the batch's rows aggregated into one JSON
/// array by SQLite. sqlx hands SQLite rows from its worker thread to the async task one by one,
/// each a channel message and a wake-up; for the narrow, numerous rows of an export those
/// hand-overs were the largest cost (context switches ~25 % of the export's CPU).
async fn fetch_as_one_row(
    db: &sea_orm::DatabaseConnection,
    inner: Statement,
) -> Result<RawBatch, ServiceError> {
    // The answers go in as JSON, not as a string holding JSON, so that they need no unescaping.
    let cells = CELLS.map(|c| if c == "answers" { "json(answers)" } else { c });
    let statement = Statement {
        sql: format!(
            "SELECT json_group_array(json_array({})), count(*), max(id), \
             json_group_array(DISTINCT case_id) FROM ({}) AS batch",
            cells.join(", "),
            inner.sql
        ),
        values: inner.values,
        db_backend: DbBackend::Sqlite,
    };
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(RawBatch::Rows(Vec::new()));
    };
    let text: String = row.try_get_by_index(0)?;
    let count: i64 = row.try_get_by_index(1)?;
    let last: Option<String> = row.try_get_by_index(2)?;
    let cases: String = row.try_get_by_index(3)?;
    let cases: Vec<String> = serde_json::from_str(&cases)
        .map_err(|e| ServiceError::internal_from("observations batch cases", e))?;
    Ok(RawBatch::Json {
        text,
        count: usize::try_from(count).unwrap_or_default(),
        last,
        cases,
    })
}

/// A timestamp as sqlx stores it in SQLite (RFC 3339), or the other forms sqlx also reads.
fn stored_time(text: &str) -> Result<DateTime<Utc>, ServiceError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(t) = chrono::NaiveDateTime::parse_from_str(text, format) {
            return Ok(t.and_utc());
        }
    }
    Err(ServiceError::internal(format!(
        "stored time {text:?} is not in a known form"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::hearing_facts::hearing_facts;

    #[test]
    fn stored_times_read_in_every_form_sqlx_writes_or_reads() {
        let expected = DateTime::parse_from_rfc3339("2024-01-01T08:10:00.25+00:00")
            .map(|t| t.with_timezone(&Utc))
            .ok();
        for text in [
            "2024-01-01T08:10:00.25+00:00",
            "2024-01-01T09:10:00.25+01:00",
            "2024-01-01 08:10:00.25+00:00",
            "2024-01-01 08:10:00.25",
            "2024-01-01T08:10:00.25",
        ] {
            assert_eq!(stored_time(text).ok(), expected, "{text}");
        }
        assert!(stored_time("1 January 2024").is_err());
    }

    fn sample(started: bool) -> Cells<'static> {
        let t = |s: &str| stored_time(s).unwrap();
        Cells {
            id: "o1".into(),
            hearing_id: "h1".into(),
            methodology_version: 3,
            answers: "{}",
            notes: None,
            status: "published".into(),
            submitted_at: Some(t("2024-02-01T09:00:00Z")),
            created_at: t("2024-02-01T08:00:00Z"),
            updated_at: t("2024-02-01T08:30:00.5Z"),
            case_id: "c1".into(),
            case_review_status: "published".into(),
            hearing_type: "main".into(),
            outcome: "adjourned".into(),
            scheduled_at: t("2024-01-31T10:00:00Z"),
            started_at: started.then(|| t("2024-01-31T10:20:00Z")),
            next_hearing_date: started.then(|| NaiveDate::from_ymd_opt(2024, 3, 4).unwrap()),
        }
    }

    #[test]
    fn hearing_facts_match_the_ones_observations_are_validated_with() {
        for started in [true, false] {
            let c = sample(started);
            let facts = hearing_facts(
                &c.hearing_type,
                &c.outcome,
                c.scheduled_at,
                c.started_at,
                c.next_hearing_date,
            );
            for (field, value) in facts {
                assert_eq!(
                    c.fact(field).unwrap(),
                    value.as_ref().map(Answer::of_value),
                    "{field}"
                );
            }
        }
        assert!(sample(true).fact("hearing.judge").is_err());
    }

    #[test]
    fn every_fixed_column_of_the_file_has_a_value() {
        let c = sample(false);
        let file = super::super::columns(
            super::super::Dataset::Observations,
            courtwatch_methodology::Registry::published().latest(),
            false,
        );
        for source in file {
            if let super::super::Source::Field(f) = source {
                assert!(c.field(f.name).is_some(), "{}", f.name);
            }
        }
        assert_eq!(
            c.field("submitted_at").as_deref(),
            Some("2024-02-01T09:00:00Z")
        );
        assert_eq!(c.field("notes").as_deref(), Some(""));
        assert_eq!(c.field("pseudonym"), None);
    }
}
