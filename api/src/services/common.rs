//! Helpers shared by the resource services: ids, cursors, paging, vocabulary checks, the actor.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use courtwatch_methodology::{Methodology, Problem, Registry, Scope};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use serde_json::{Map, Value};

use crate::error::{FieldProblem, ServiceError};

/// A new public id: a UUIDv7, unguessable yet ordered by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Default and largest page sizes for list endpoints.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Largest page size for list endpoints.
pub const MAX_PAGE_SIZE: u32 = 500;

const CURSOR_PREFIX: &str = "id:";

fn encode_cursor(last_id: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{last_id}"))
}

fn decode_cursor(cursor: &str) -> Result<String, ServiceError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(CURSOR_PREFIX).map(str::to_owned))
        .filter(|id| uuid::Uuid::parse_str(id).is_ok())
        .ok_or_else(|| ServiceError::BadRequest("cursor is not one this service issued".to_owned()))
}

/// One page of a list, in creation order, with the cursor for the next page.
#[derive(Debug)]
pub struct Page<M> {
    /// The records.
    pub items: Vec<M>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The next keyset batch: up to `size` rows of `select` whose id comes after `after`, in id
/// order; `after` moves to the last id returned. Every batch costs the same however far in, so
/// lists, exports and statistics walk any number of rows this way.
pub async fn keyset_batch<E, C>(
    db: &C,
    select: Select<E>,
    id_column: E::Column,
    id_of: impl Fn(&E::Model) -> &str,
    after: &mut String,
    size: u64,
) -> Result<Vec<E::Model>, ServiceError>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let rows = select
        .filter(id_column.gt(after.as_str()))
        .order_by_asc(id_column)
        .limit(size)
        .all(db)
        .await?;
    if let Some(last) = rows.last() {
        id_of(last).clone_into(after);
    }
    Ok(rows)
}

/// Runs `select` in id (creation) order from after `cursor`, returning up to `limit` rows. Keyset
/// paging: every page costs the same, however deep, so there is no cap on how far one can page.
pub async fn page<E, C>(
    db: &C,
    select: Select<E>,
    id_column: E::Column,
    id_of: impl Fn(&E::Model) -> &str,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<E::Model>, ServiceError>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE) as usize;
    let mut after = cursor.map(decode_cursor).transpose()?.unwrap_or_default();
    let mut items =
        keyset_batch(db, select, id_column, &id_of, &mut after, limit as u64 + 1).await?;
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|last| encode_cursor(id_of(last)))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// The published methodology versions, for messages: `1, 2`.
pub fn published_versions(registry: &Registry) -> String {
    registry
        .all()
        .iter()
        .map(|m| m.version.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The methodology version a record names, or the latest when it names none.
pub fn methodology_version(
    registry: &'static Registry,
    requested: Option<u32>,
) -> Result<&'static Methodology, ServiceError> {
    match requested {
        None => Ok(registry.latest()),
        Some(version) => registry.get(version).ok_or_else(|| {
            ServiceError::invalid(
                "methodology_version",
                format!(
                    "version {version} is not published (published: {})",
                    published_versions(registry)
                ),
            )
        }),
    }
}

/// Checks that `value` is a term of `vocabulary` in the methodology.
pub fn check_term(
    methodology: &Methodology,
    vocabulary: &str,
    field: &str,
    value: &str,
    problems: &mut Vec<FieldProblem>,
) {
    match methodology.vocabulary(vocabulary) {
        Some(v) if v.term(value).is_some() => {}
        Some(v) => {
            let allowed: Vec<&str> = v.terms.iter().map(|t| t.code.as_str()).collect();
            problems.push(FieldProblem::field(
                field,
                format!("'{value}' is not one of: {}", allowed.join(", ")),
            ));
        }
        None => problems.push(FieldProblem::field(
            field,
            format!("vocabulary '{vocabulary}' is missing from the methodology"),
        )),
    }
}

/// Checks answers given in a record's `answers` object and merges them with the record's core
/// fields (which answer the methodology's field-bound questions) into one map for validation.
/// An `answers` entry for a field-bound question is refused: it belongs in the field.
pub fn merge_answers(
    methodology: &Methodology,
    scope: Scope,
    answers: &Map<String, Value>,
    fields: Vec<(&str, Option<Value>)>,
    problems: &mut Vec<FieldProblem>,
) -> Map<String, Value> {
    let mut merged = Map::new();
    for (code, value) in answers {
        match methodology.question(code).and_then(|q| q.field.as_deref()) {
            Some(field) => problems.push(FieldProblem::answer(
                code,
                format!("is answered by the record's field '{field}', not in answers"),
            )),
            None => {
                merged.insert(code.clone(), value.clone());
            }
        }
    }
    for (field, value) in fields {
        if let (Some(question), Some(value)) = (methodology.field_question(scope, field), value) {
            merged.insert(question.code.clone(), value);
        }
    }
    merged
}

/// Converts methodology problems into field problems: a problem about a field-bound question is
/// reported under the field's name (hearing fields under `hearing.<field>`).
pub fn problems_from_methodology(
    methodology: &Methodology,
    found: Vec<Problem>,
) -> Vec<FieldProblem> {
    found
        .into_iter()
        .map(|p| {
            match methodology
                .question(&p.question)
                .and_then(|q| q.field.clone())
            {
                Some(field) => FieldProblem {
                    field,
                    question: Some(p.question),
                    message: p.message,
                    said: Some(p.said),
                },
                None => FieldProblem {
                    said: Some(p.said),
                    ..FieldProblem::answer(&p.question, p.message)
                },
            }
        })
        .collect()
}

/// Serialises an answers map to the stored JSON text.
pub fn answers_text(answers: &Map<String, Value>) -> String {
    Value::Object(answers.clone()).to_string()
}

/// Parses stored answers JSON text. Stored text was produced by [`answers_text`], so a failure
/// means the database was edited by hand; it is reported as an internal error.
pub fn parse_answers(text: &str) -> Result<Map<String, Value>, ServiceError> {
    match serde_json::from_str(text) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ServiceError::Database(sea_orm::DbErr::Custom(
            "stored answers are not a JSON object".to_owned(),
        ))),
    }
}

/// Returns `Err(Invalid)` when any problem was found.
pub fn fail_if_any(problems: Vec<FieldProblem>) -> Result<(), ServiceError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(problems))
    }
}

/// Loads the record of `E` with this id, or reports `resource` as not found.
pub async fn find_or_404<E, C>(
    db: &C,
    resource: &'static str,
    id: &str,
) -> Result<E::Model, ServiceError>
where
    E: EntityTrait,
    E::PrimaryKey: sea_orm::PrimaryKeyTrait<ValueType = String>,
    C: ConnectionTrait,
{
    E::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            resource,
            id: id.to_owned(),
        })
}

/// Begins a write transaction. On SQLite the write lock is taken at once (waiting up to the busy
/// timeout, like `BEGIN IMMEDIATE`): a transaction that reads before it writes would otherwise fail
/// at once with "database is locked" when another writer (the indexer, a concurrent request)
/// commits between its read and its first write.
pub async fn begin_write(
    db: &sea_orm::DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, ServiceError> {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let txn = db.begin().await?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        // A write statement takes the write lock when it starts, whether or not it changes a row.
        txn.execute_unprepared("UPDATE search_outbox SET id = id WHERE 0 = 1")
            .await?;
    }
    Ok(txn)
}

/// Where in a JSON value a string (or an object key) holds the NUL character (U+0000), as a JSON
/// pointer (`/answers/notes`). PostgreSQL cannot store NUL in text, so it is refused on both
/// backends before anything is written; no real text needs it.
pub fn nul_at(value: &Value) -> Option<String> {
    fn escape(key: &str) -> String {
        key.replace('~', "~0").replace('/', "~1")
    }
    match value {
        Value::String(s) if s.contains('\0') => Some(String::new()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_at(item).map(|at| format!("/{i}{at}"))),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                Some(format!("/{}", escape(key)))
            } else {
                nul_at(item).map(|at| format!("/{}{at}", escape(key)))
            }
        }),
        _ => None,
    }
}
