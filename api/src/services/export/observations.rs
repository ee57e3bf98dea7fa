//! observations.csv: one row per observation, one column per observation question. A batch is
//! kept as the database returned it and read cell by cell where it is written (borrowed, not
//! copied into per-row structures); the cells of a batch row are declared once, in [`cells!`].

use std::{borrow::Cow, collections::HashSet, fmt};

use chrono::{DateTime, NaiveDate, Utc};
use courtwatch_indexer::Kind;
use courtwatch_methodology::Scope;
use sea_orm::sqlx::postgres::{PgRow, Postgres};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, JoinType,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Statement, TransactionTrait,
    sea_query::IntoCondition, sqlx::Row as _,
};
use serde::{
    Deserialize, Deserializer,
    de::{self, SeqAccess, Visitor},
};
use serde_json::value::RawValue;

use super::{
    BATCH, ColumnType, Dataset,
    answers::{Answer, Text},
    file::{BatchQuery, Fact, Field, File, Table, when},
};
use crate::{
    access::policy,
    entities::{case, hearing, observation},
    error::ServiceError,
};

/// How one cell of a batch row is decoded: from SQLite's JSON array, or from a PostgreSQL row.
trait Cell<'a>: Sized {
    /// The cell as it stands in SQLite's JSON array.
    type Json: Deserialize<'a>;
    /// How SQLite puts the column into the array (`{}` is the column).
    const SQLITE: &'static str = "{}";
    fn from_json(json: Self::Json) -> Result<Self, ServiceError>;
    fn pg(row: &'a PgRow, i: usize, checked: bool) -> Result<Self, sea_orm::sqlx::Error>;
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

impl<'a> Cell<'a> for Cow<'a, str> {
    type Json = Text<'a>;
    fn from_json(json: Text<'a>) -> Result<Self, ServiceError> {
        Ok(json.0)
    }
    fn pg(row: &'a PgRow, i: usize, checked: bool) -> Result<Self, sea_orm::sqlx::Error> {
        cell::<&str>(row, i, checked).map(Cow::Borrowed)
    }
}

impl<'a> Cell<'a> for Option<Cow<'a, str>> {
    type Json = Option<Text<'a>>;
    fn from_json(json: Option<Text<'a>>) -> Result<Self, ServiceError> {
        Ok(json.map(|t| t.0))
    }
    fn pg(row: &'a PgRow, i: usize, checked: bool) -> Result<Self, sea_orm::sqlx::Error> {
        cell::<Option<&str>>(row, i, checked).map(|t| t.map(Cow::Borrowed))
    }
}

impl<'a> Cell<'a> for i32 {
    type Json = i32;
    fn from_json(json: i32) -> Result<Self, ServiceError> {
        Ok(json)
    }
    fn pg(row: &'a PgRow, i: usize, checked: bool) -> Result<Self, sea_orm::sqlx::Error> {
        cell(row, i, checked)
    }
}

impl<'a> Cell<'a> for DateTime<Utc> {
    type Json = Text<'a>;
    fn from_json(json: Text<'a>) -> Result<Self, ServiceError> {
        stored_time(&json.0)
    }
    fn pg(row: &'a PgRow, i: usize, checked: bool) -> Result<Self, sea_orm::sqlx::Error> {
        cell(row, i, checked)
    }
}

impl<'a> Cell<'a> for Option<DateTime<Utc>> {
    type Json = Option<Text<'a>>;
    fn from_json(json: Option<Text<'a>>) -> Result<Self, ServiceError> {
        json.map(|t| stored_time(&t.0)).transpose()
    }
    fn pg(row: &'a PgRow, i: usize, checked: bool) -> Result<Self, sea_orm::sqlx::Error> {
        cell(row, i, checked)
    }
}

impl<'a> Cell<'a> for Option<NaiveDate> {
    type Json = Option<Text<'a>>;
    fn from_json(json: Option<Text<'a>>) -> Result<Self, ServiceError> {
        json.map(|t| stored_date(&t.0)).transpose()
    }
    fn pg(row: &'a PgRow, i: usize, checked: bool) -> Result<Self, sea_orm::sqlx::Error> {
        cell(row, i, checked)
    }
}

/// A stored JSON text (the answers), borrowed.
#[derive(Debug, Clone, Copy)]
pub(super) struct StoredJson<'a>(pub &'a str);

impl<'a> Cell<'a> for StoredJson<'a> {
    type Json = &'a RawValue;
    // As JSON, not as a string holding JSON, so that it needs no unescaping.
    const SQLITE: &'static str = "json({})";
    fn from_json(json: &'a RawValue) -> Result<Self, ServiceError> {
        Ok(StoredJson(json.get()))
    }
    fn pg(row: &'a PgRow, i: usize, checked: bool) -> Result<Self, sea_orm::sqlx::Error> {
        cell::<&str>(row, i, checked).map(StoredJson)
    }
}

/// Declares the cells of a batch row once: the row's struct, the column list of the batch query
/// (whose order is the order of both decodings), SQLite's JSON array decoding and PostgreSQL's.
macro_rules! cells {
    ($lt:lifetime; $( $(#[$doc:meta])* $name:ident : $ty:ty ),* $(,)?) => {
        /// One observation with the facts of its hearing, borrowed from its batch.
        #[derive(Debug)]
        pub(super) struct Cells<$lt> {
            $( $(#[$doc])* pub $name: $ty, )*
        }

        /// The position of each cell in a batch row.
        #[allow(non_camel_case_types, dead_code)]
        #[derive(Clone, Copy)]
        enum At { $($name),* }

        /// The batch query's columns, in order.
        const CELLS: &[&str] = &[$(stringify!($name)),*];

        /// The columns as SQLite puts them into a row's JSON array (the lifetime is only there
        /// to name the cells' types).
        #[allow(clippy::extra_unused_lifetimes)]
        fn sqlite_cells<$lt>() -> Vec<String> {
            vec![$( <$ty as Cell<$lt>>::SQLITE.replace("{}", stringify!($name)) ),*]
        }

        impl<$lt> Cells<$lt> {
            fn from_pg(row: &$lt PgRow, checked: bool) -> Result<Self, sea_orm::sqlx::Error> {
                Ok(Cells { $( $name: <$ty as Cell<$lt>>::pg(row, At::$name as usize, checked)?, )* })
            }
        }

        impl<$lt> Deserialize<$lt> for Cells<$lt> {
            fn deserialize<D: Deserializer<$lt>>(deserializer: D) -> Result<Self, D::Error> {
                struct Row;
                impl<$lt> Visitor<$lt> for Row {
                    type Value = Cells<$lt>;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("an observations batch row")
                    }
                    fn visit_seq<S: SeqAccess<$lt>>(self, mut seq: S) -> Result<Cells<$lt>, S::Error> {
                        Ok(Cells { $( $name: {
                            let json = seq
                                .next_element::<<$ty as Cell<$lt>>::Json>()?
                                .ok_or_else(|| de::Error::missing_field(stringify!($name)))?;
                            <$ty as Cell<$lt>>::from_json(json).map_err(de::Error::custom)?
                        }, )* })
                    }
                }
                deserializer.deserialize_seq(Row)
            }
        }
    };
}

cells! { 'a;
    id: Cow<'a, str>,
    hearing_id: Cow<'a, str>,
    methodology_version: i32,
    /// The stored answers (a JSON object).
    answers: StoredJson<'a>,
    notes: Option<Cow<'a, str>>,
    status: Cow<'a, str>,
    submitted_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    case_id: Cow<'a, str>,
    /// The case's review state (released only when published).
    case_review_status: Cow<'a, str>,
    hearing_type: Cow<'a, str>,
    outcome: Cow<'a, str>,
    scheduled_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    next_hearing_date: Option<NaiveDate>,
}

/// observations.csv.
pub(super) struct Observations;

use ColumnType::{Datetime, Integer, String as Text_};

static LEADING: [Field<Observations>; 7] = [
    Field::plain(
        "observation_id",
        Text_,
        "Observation id (primary key).",
        |r| Cow::Borrowed(&r.id),
    ),
    Field::plain(
        "hearing_id",
        Text_,
        "The hearing observed (hearings.csv hearing_id).",
        |r| Cow::Borrowed(&r.hearing_id),
    ),
    Field::plain(
        "case_id",
        Text_,
        "The hearing's case (cases.csv case_id).",
        |r| Cow::Borrowed(&r.case_id),
    ),
    Field::plain(
        "methodology_version",
        Integer,
        "Methodology version the observation was recorded under.",
        |r| Cow::Owned(r.methodology_version.to_string()),
    ),
    Field::plain(
        "status",
        Text_,
        "published: datasets hold published observations of published cases only.",
        |r| Cow::Borrowed(&r.status),
    ),
    Field::plain("submitted_at", Datetime, "When it was submitted.", |r| {
        Cow::Owned(r.submitted_at.map(when).unwrap_or_default())
    }),
    Field::prose("notes", "The monitor's narrative notes, redacted.", |r| {
        Cow::Borrowed(r.notes.as_deref().unwrap_or_default())
    }),
];

static TRAILING: [Field<Observations>; 2] = [
    Field::created_at(|r| Cow::Owned(when(r.created_at))),
    Field::updated_at(|r| Cow::Owned(when(r.updated_at))),
];

fn time(t: DateTime<Utc>) -> Answer<'static> {
    Answer::Text(Cow::Owned(when(t)))
}

/// The hearing facts that answer field-bound observation questions: the same values as
/// [`crate::services::hearing_facts::hearing_facts`], which observations are validated with (a
/// test compares them).
static FACTS: [Fact<Observations>; 5] = [
    Fact {
        field: "hearing.hearing_type",
        value: |r| Some(Answer::Text(Cow::Borrowed(&r.hearing_type))),
    },
    Fact {
        field: "hearing.outcome",
        value: |r| Some(Answer::Text(Cow::Borrowed(&r.outcome))),
    },
    Fact {
        field: "hearing.scheduled_at",
        value: |r| Some(time(r.scheduled_at)),
    },
    Fact {
        field: "hearing.started_at",
        value: |r| r.started_at.map(time),
    },
    Fact {
        field: "hearing.next_hearing_date",
        value: |r| {
            r.next_hearing_date
                .map(|d| Answer::Text(Cow::Owned(d.format("%Y-%m-%d").to_string())))
        },
    },
];

impl File for Observations {
    const DATASET: Dataset = Dataset::Observations;
    const QUESTIONS: Option<Scope> = Some(Scope::Observation);
    const SEARCH: Option<Kind> = Some(Kind::Observation);
    type Row<'a> = Cells<'a>;
    type Batch = RawBatch;

    const TABLE: Table<Self> = Table {
        leading: &LEADING,
        trailing: &TRAILING,
        facts: &FACTS,
    };

    async fn read(db: DatabaseConnection, query: BatchQuery) -> Result<RawBatch, ServiceError> {
        fetch_batch(&db, query).await
    }
    fn count(batch: &RawBatch) -> usize {
        batch.count()
    }
    fn last(batch: &RawBatch) -> Result<Option<String>, ServiceError> {
        batch.last()
    }
    fn case_ids(batch: &RawBatch) -> Result<HashSet<&str>, ServiceError> {
        batch.case_ids()
    }
    fn rows(batch: &RawBatch) -> Result<Vec<Cells<'_>>, ServiceError> {
        batch.cells()
    }

    fn case_id<'r>(row: &'r Cells<'_>) -> &'r str {
        &row.case_id
    }
    fn released(row: &Cells<'_>) -> bool {
        policy::released(Some(&row.status), Some(&row.case_review_status))
    }
    fn stored_answers<'r>(row: &'r Cells<'_>) -> Option<(&'r str, &'r str)> {
        Some((row.answers.0, &row.id))
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
                        .try_get::<&str, _>(At::id as usize)
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
                .map(|row| {
                    pg_row(row)?
                        .try_get::<&str, _>(At::case_id as usize)
                        .map_err(database)
                })
                .collect(),
        }
    }

    /// The batch's rows in id order.
    pub fn cells(&self) -> Result<Vec<Cells<'_>>, ServiceError> {
        match self {
            RawBatch::Json { text, .. } => {
                let mut cells: Vec<Cells<'_>> = serde_json::from_str(text)
                    .map_err(|e| ServiceError::internal_from("observations batch", e))?;
                // The keyset needs the batch in id order; an aggregate's order is not promised.
                cells.sort_by(|a, b| a.id.cmp(&b.id));
                Ok(cells)
            }
            RawBatch::Rows(rows) => rows
                .iter()
                .enumerate()
                .map(|(i, row)| Cells::from_pg(pg_row(row)?, i == 0).map_err(database))
                .collect(),
        }
    }
}

fn pg_row(row: &sea_orm::QueryResult) -> Result<&PgRow, ServiceError> {
    row.try_as_pg_row()
        .ok_or_else(|| ServiceError::internal("observations batch: not a PostgreSQL row"))
}

/// One keyset batch of observations (drafts included: [`File::released`] keeps the published
/// observations of published cases), not yet decoded.
async fn fetch_batch(db: &DatabaseConnection, query: BatchQuery) -> Result<RawBatch, ServiceError> {
    // One query: each observation with the columns of its hearing that the file needs (the case
    // and the field-bound questions), and nothing else.
    let mut select = observation::Entity::find()
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
        .filter(observation::Column::Id.gt(query.after.as_str()))
        .filter(observation::Column::MethodologyVersion.eq(query.version))
        // Whether the case is released is the per-row rule of `File::released` (as a subquery it
        // made SQLite start from the published cases and sort every batch).
        .filter(query.filter.of_cases(hearing::Column::CaseId))
        .order_by_asc(observation::Column::Id)
        .limit(BATCH);
    if let Some(ids) = query.only {
        select = select.filter(observation::Column::Id.is_in(ids).into_condition());
    }
    let backend = db.get_database_backend();
    let inner = select.build(backend);
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
    let cells = sqlite_cells();
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
        let t = |s: &str| stored_time(s).expect("test");
        Cells {
            id: "o1".into(),
            hearing_id: "h1".into(),
            methodology_version: 3,
            answers: StoredJson("{}"),
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
            next_hearing_date: started.then(|| NaiveDate::from_ymd_opt(2024, 3, 4).expect("test")),
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
            assert_eq!(facts.len(), FACTS.len());
            for (field, value) in facts {
                let fact = FACTS.iter().find(|f| f.field == field).expect(field);
                assert_eq!(
                    (fact.value)(&c),
                    value.as_ref().map(Answer::of_value),
                    "{field}"
                );
            }
        }
    }

    #[test]
    fn a_json_batch_row_decodes_cell_by_cell_in_the_declared_order() {
        let row = r#"[["o\"1","h1",3,{"a":"x"},null,"published","2024-02-01T09:00:00Z",
            "2024-02-01T08:00:00Z","2024-02-01 08:30:00.5","c1","draft","main","held",
            "2024-01-31T10:00:00Z",null,"2024-03-04"]]"#;
        let cells: Vec<Cells<'_>> = serde_json::from_str(row).expect("test");
        let c = &cells[0];
        assert_eq!(CELLS.len(), 16);
        assert_eq!(c.id, "o\"1");
        assert_eq!((c.hearing_id.as_ref(), c.methodology_version), ("h1", 3));
        assert_eq!(c.answers.0, r#"{"a":"x"}"#);
        assert_eq!((c.notes.as_deref(), c.status.as_ref()), (None, "published"));
        assert_eq!(
            c.updated_at,
            stored_time("2024-02-01T08:30:00.5Z").expect("test")
        );
        assert_eq!(
            (c.case_id.as_ref(), c.case_review_status.as_ref()),
            ("c1", "draft")
        );
        assert_eq!(
            (c.hearing_type.as_ref(), c.outcome.as_ref()),
            ("main", "held")
        );
        assert_eq!(c.started_at, None);
        assert_eq!(c.next_hearing_date, NaiveDate::from_ymd_opt(2024, 3, 4));
        assert!(!Observations::released(c), "a draft case releases nothing");
        let short = r#"[["o1","h1",3]]"#;
        let err = serde_json::from_str::<Vec<Cells<'_>>>(short).unwrap_err();
        assert!(err.to_string().contains("answers"), "{err}");
        assert_eq!(sqlite_cells()[At::answers as usize], "json(answers)");
        assert_eq!(CELLS[At::case_id as usize], "case_id");
    }
}
