//! Operations: a request id on every request (and every log line written while serving it), and
//! Prometheus metrics at `/metrics`.
//!
//! - `courtwatch_http_requests_total{operation, method, status}` and
//!   `courtwatch_http_request_duration_seconds{operation, method, status}`: `operation` is the
//!   OpenAPI operationId (so ids in paths do not multiply the series), or the fixed path of the
//!   routes outside the API (`/healthz`, `/metrics`, ...), or `other`.
//! - `courtwatch_search_outbox_pending` (changes not yet in the index) and
//!   `courtwatch_search_index_lag_seconds` (age of the oldest of them), read at scrape time.

use std::{sync::LazyLock, time::Instant};

use chrono::Utc;
use poem::{
    Endpoint, IntoResponse, Request, Response, handler,
    http::{HeaderValue, StatusCode, header},
    web::Data,
};
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder, QuerySelect};
use tracing::Instrument;

use crate::{entities::search_outbox, state::AppState};

/// The request id header (taken from the client when it sends a sane one, else generated).
pub const REQUEST_ID: &str = "x-request-id";

struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    durations: HistogramVec,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let registry = Registry::new();
    let labels = ["operation", "method", "status"];
    let requests = IntCounterVec::new(
        Opts::new("courtwatch_http_requests_total", "HTTP requests answered"),
        &labels,
    )
    .expect("valid metric");
    let durations = HistogramVec::new(
        HistogramOpts::new(
            "courtwatch_http_request_duration_seconds",
            "Time to answer (for streamed datasets: to the start of the body)",
        )
        .buckets(vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ]),
        &labels,
    )
    .expect("valid metric");
    registry
        .register(Box::new(requests.clone()))
        .expect("registered once");
    registry
        .register(Box::new(durations.clone()))
        .expect("registered once");
    Metrics {
        registry,
        requests,
        durations,
    }
});

/// Routes outside the OpenAPI service, named as themselves.
const FIXED: &[&str] = &[
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.yaml",
    "/openapi.json",
];

fn request_id(request: &Request) -> String {
    request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_owned)
}

/// Wraps the application: request id, one log span per request, and the request metrics.
pub async fn observe<E: Endpoint>(
    endpoint: std::sync::Arc<E>,
    request: Request,
) -> poem::Result<Response> {
    let id = request_id(&request);
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let started = Instant::now();
    let mut response = match endpoint.call(request).instrument(span.clone()).await {
        Ok(response) => response.into_response(),
        Err(err) => err.into_response(),
    };
    let elapsed = started.elapsed();
    let status = response.status();
    let operation = response
        .data::<poem_openapi::OperationId>()
        .map(|o| o.0.to_owned())
        .or_else(|| FIXED.contains(&path.as_str()).then(|| path.clone()))
        .unwrap_or_else(|| "other".to_owned());
    let labels = [operation.as_str(), method.as_str(), status.as_str()];
    METRICS.requests.with_label_values(&labels).inc();
    METRICS
        .durations
        .with_label_values(&labels)
        .observe(elapsed.as_secs_f64());
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            operation,
            ms = elapsed.as_secs_f64() * 1000.0,
            "answered"
        );
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(response)
}

/// The Prometheus text exposition.
#[handler]
pub async fn metrics(state: Data<&AppState>, request: &poem::Request) -> Response {
    // The figures tell who uses which operation how often: admins only (Prometheus sends the
    // token with `authorization: {credentials: …}` in its scrape config; see the README).
    let token = request
        .header("Authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let refused = |status: StatusCode, detail: String| {
        Response::builder()
            .status(status)
            .content_type("application/problem+json")
            .body(poem_openapi::types::ToJSON::to_json_string(
                &crate::error::Problem::for_status(status.as_u16(), detail),
            ))
    };
    match token {
        None => return refused(StatusCode::UNAUTHORIZED, crate::error::token_required()),
        Some(token) => match crate::services::auth::authenticate(&state.db, token).await {
            Ok(actor) if actor.is_admin() => {}
            Ok(_) => {
                return refused(
                    StatusCode::FORBIDDEN,
                    "/metrics is for admins' tokens".to_owned(),
                );
            }
            Err(_) => {
                return refused(
                    StatusCode::UNAUTHORIZED,
                    crate::services::auth::REFUSED.to_owned(),
                );
            }
        },
    }
    let db = &state.db;
    let pending = search_outbox::Entity::find().count(db).await;
    let oldest = search_outbox::Entity::find()
        .order_by_asc(search_outbox::Column::Id)
        .select_only()
        .column(search_outbox::Column::CreatedAt)
        .into_tuple::<chrono::DateTime<Utc>>()
        .one(db)
        .await;
    let mut out = Vec::new();
    if let Err(e) = prometheus::TextEncoder::new().encode(&METRICS.registry.gather(), &mut out) {
        return Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .body(format!("metrics: {e}"));
    }
    let mut text = String::from_utf8_lossy(&out).into_owned();
    match (pending, oldest) {
        (Ok(pending), Ok(oldest)) => {
            let lag = oldest.map_or(0.0, |t| {
                (Utc::now() - t).num_milliseconds().max(0) as f64 / 1000.0
            });
            text.push_str(&format!(
                "# HELP courtwatch_search_outbox_pending Changes recorded but not yet in the search index\n\
                 # TYPE courtwatch_search_outbox_pending gauge\n\
                 courtwatch_search_outbox_pending {pending}\n\
                 # HELP courtwatch_search_index_lag_seconds Age of the oldest change not yet in the search index\n\
                 # TYPE courtwatch_search_index_lag_seconds gauge\n\
                 courtwatch_search_index_lag_seconds {lag}\n"
            ));
        }
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(error = %e, "metrics: cannot read the outbox");
        }
    }
    Response::builder()
        .header(header::CONTENT_TYPE, prometheus::TEXT_FORMAT)
        .body(text)
}
