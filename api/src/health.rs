//! Liveness and readiness, for load balancers and orchestrators (outside the OpenAPI service:
//! they answer without a token).

use courtwatch_migration::{Migrator, MigratorTrait};
use poem::{
    IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::Data,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Serialize;

use crate::{entities::search_outbox, search::sync::INDEX_FORMAT, state::AppState};

/// The process is alive.
#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

/// The checks of `/readyz`, also shown on the System status page.
#[derive(Debug, Serialize)]
pub struct Readiness {
    /// Whether every check passed.
    pub ready: bool,
    /// `ok`, or why the database cannot be reached.
    pub database: String,
    /// `current`, or how many migrations are pending.
    pub migrations: String,
    /// `ready`, `building` (the first build from the database is running), `disabled`, or an error.
    pub index: String,
    /// Recorded changes not yet applied to the index (the index lag, in changes).
    pub outbox_pending: Option<u64>,
    /// How long the oldest of them has waited, in seconds (the index lag, in time).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbox_oldest_seconds: Option<i64>,
}

/// Runs the checks.
pub async fn readiness(state: &AppState) -> Readiness {
    let db = &state.db;
    let database = match db.ping().await {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("unreachable: {e}"),
    };
    let migrations = match Migrator::get_pending_migrations(db).await {
        Ok(pending) if pending.is_empty() => "current".to_string(),
        Ok(pending) => format!("{} pending", pending.len()),
        Err(e) => format!("unknown: {e}"),
    };
    let index = match state.search.index() {
        None => "disabled".to_string(),
        Some(index) => match index.payload() {
            Ok(Some(payload)) if payload == INDEX_FORMAT => "ready".to_string(),
            Ok(_) => "building".to_string(),
            Err(e) => format!("unreadable: {e}"),
        },
    };
    let pending = search_outbox::Entity::find().filter(search_outbox::Column::AppliedAt.is_null());
    let outbox_pending = pending.clone().count(db).await.ok();
    let outbox_oldest_seconds = pending
        .order_by_asc(search_outbox::Column::Id)
        .one(db)
        .await
        .ok()
        .flatten()
        .map(|row| (chrono::Utc::now() - row.created_at).num_seconds());
    let ready = database == "ok" && migrations == "current" && index == "ready";
    Readiness {
        ready,
        database,
        migrations,
        index,
        outbox_pending,
        outbox_oldest_seconds,
    }
}

/// Ready to serve: the database answers, its migrations are current, and the search index is open
/// and fully built. 503 with the failing checks otherwise.
#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
    let body = readiness(&state).await;
    let ready = body.ready;
    let mut json = serde_json::to_value(&body).unwrap_or_default();
    let (status, content_type) = if ready {
        (StatusCode::OK, "application/json")
    } else {
        // A problem document (RFC 7807) whose extension members are the checks.
        if let Some(object) = json.as_object_mut() {
            object.insert("type".into(), "about:blank".into());
            object.insert("title".into(), "Service Unavailable".into());
            object.insert("status".into(), 503.into());
            object.insert(
                "detail".into(),
                format!(
                    "not ready: database {}, migrations {}, index {}",
                    body.database, body.migrations, body.index
                )
                .into(),
            );
        }
        (StatusCode::SERVICE_UNAVAILABLE, "application/problem+json")
    };
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, content_type)
        .body(json.to_string())
        .into_response()
}
