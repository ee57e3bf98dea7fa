//! Liveness and readiness, for load balancers and orchestrators (outside the OpenAPI service:
//! they answer without a token).

use courtwatch_migration::{Migrator, MigratorTrait};
use poem::{
    IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::Data,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;

use crate::{entities::search_outbox, search::sync::INDEX_FORMAT, state::AppState};

/// The process is alive.
#[handler]
pub fn healthz() -> &'static str {
    "ok"
}

#[derive(Debug, Serialize)]
struct Readiness {
    /// `ready` or `not_ready`.
    status: &'static str,
    /// `ok`, or why the database cannot be reached.
    database: String,
    /// `current`, or how many migrations are pending.
    migrations: String,
    /// `ready`, `building` (the first build from the database is running), `disabled`, or an error.
    index: String,
    /// Recorded changes not yet applied to the index (the index lag, in changes).
    outbox_pending: Option<u64>,
}

/// Ready to serve: the database answers, its migrations are current, and the search index is open
/// and fully built. 503 with the failing checks otherwise.
#[handler]
pub async fn readyz(state: Data<&AppState>) -> Response {
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
    let outbox_pending = search_outbox::Entity::find()
        .filter(search_outbox::Column::AppliedAt.is_null())
        .count(db)
        .await
        .ok();
    let ready = database == "ok" && migrations == "current" && index == "ready";
    let body = Readiness {
        status: if ready { "ready" } else { "not_ready" },
        database,
        migrations,
        index,
        outbox_pending,
    };
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let json = serde_json::to_string(&body).unwrap_or_else(|_| "{}".to_string());
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(json)
        .into_response()
}
