//! The HTTP application: the OpenAPI service under `/api/v1`, the spec, the docs UI, liveness,
//! the body-size limit, and the conversion of every remaining error into a problem document.

use poem::{
    Endpoint, EndpointExt, IntoResponse, Response, Route, get,
    http::{StatusCode, header},
};

use crate::{endpoints, error::Problem, health, metrics, state::AppState};

/// The OpenAPI document as YAML, exactly as served at `/openapi.yaml` and committed at the
/// repository root. Needs no database.
pub fn openapi_yaml() -> String {
    endpoints::api_service(AppState::detached()).spec_yaml()
}

/// Largest body accepted by `POST /api/v1/rulings/import` (the shared corpus of 2,204 judgments
/// is 206 MB of text; larger collections go through `courtwatch import rulings`).
pub const IMPORT_MAX_BYTES: usize = 256 * 1024 * 1024;

/// Builds the application over `state`.
pub fn build(state: AppState, max_body_bytes: usize) -> impl Endpoint {
    let api = endpoints::api_service(state.clone());
    let docs = api.swagger_ui();
    let yaml = api.spec_yaml();
    let json = api.spec();
    Route::new()
        .nest(endpoints::API_PREFIX, api)
        .nest("/docs", docs)
        .at(
            "/openapi.yaml",
            get(SpecEndpoint {
                body: yaml,
                content_type: "application/yaml",
            }),
        )
        .at(
            "/openapi.json",
            get(SpecEndpoint {
                body: json,
                content_type: "application/json",
            }),
        )
        .at("/healthz", get(health::healthz))
        .at("/readyz", get(health::readyz).data(state.clone()))
        .at("/metrics", get(metrics::metrics).data(state.clone()))
        .around(move |endpoint, mut request| async move {
            // Bodies are read up front with a cap, so an oversize body is refused whether or not
            // the client sent Content-Length. Bulk imports have their own, larger cap.
            let max_body_bytes = if request.uri().path().ends_with("/rulings/import") {
                max_body_bytes.max(IMPORT_MAX_BYTES)
            } else {
                max_body_bytes
            };
            let declared = request
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<usize>().ok());
            let too_large = || {
                Problem::for_status(
                    413,
                    format!("the request body is larger than {max_body_bytes} bytes"),
                )
            };
            if declared.is_some_and(|len| len > max_body_bytes) {
                return Ok(problem_response(StatusCode::PAYLOAD_TOO_LARGE, too_large()));
            }
            match request.take_body().into_bytes_limit(max_body_bytes).await {
                Ok(bytes) => request.set_body(bytes),
                Err(_) => return Ok(problem_response(StatusCode::PAYLOAD_TOO_LARGE, too_large())),
            }
            let response = match endpoint.call(request).await {
                Ok(response) => response.into_response(),
                Err(err) => err.into_response(),
            };
            Ok(problem_for_bare_errors(response).await)
        })
        .around(metrics::observe)
}

struct SpecEndpoint {
    body: String,
    content_type: &'static str,
}

impl Endpoint for SpecEndpoint {
    type Output = Response;
    async fn call(&self, _request: poem::Request) -> poem::Result<Response> {
        Ok(Response::builder()
            .content_type(self.content_type)
            .body(self.body.clone()))
    }
}

/// Errors raised outside our endpoints (unknown route, wrong method, body over the limit) come
/// back from poem as plain text; give them the same problem+json shape as everything else.
async fn problem_for_bare_errors(response: Response) -> Response {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"));
    if status.as_u16() < 400 || is_problem {
        return response;
    }
    // Keep the operation for the metrics (the 401 of a missing token is one of these).
    let operation = response.data::<poem_openapi::OperationId>().copied();
    let text = response.into_body().into_string().await.unwrap_or_default();
    let detail = if text.trim().is_empty() {
        status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_lowercase()
    } else {
        text
    };
    let detail = if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(%detail, "unhandled internal error");
        "internal error; it has been logged".to_owned()
    } else {
        detail
    };
    let mut response = problem_response(status, Problem::for_status(status.as_u16(), detail));
    if let Some(operation) = operation {
        response.set_data(operation);
    }
    response
}

fn problem_response(status: StatusCode, problem: Problem) -> Response {
    let body = serde_json::json!({
        "type": problem.problem_type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    });
    Response::builder()
        .status(status)
        .content_type("application/problem+json")
        .body(body.to_string())
}
