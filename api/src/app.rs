//! The HTTP application: the OpenAPI service under `/api/v1`, the spec, the docs UI, liveness,
//! the body-size limit, and the conversion of every remaining error into a problem document.

use poem::{
    Endpoint, EndpointExt, IntoResponse, Response, Route, get,
    http::{StatusCode, header},
};

use courtwatch_methodology::messages::Lang;

use crate::{
    conformance::{self, BodyProblem, Routes},
    endpoints,
    error::{FieldProblem, LANGUAGE, Problem},
    health, metrics,
    state::AppState,
};

/// The OpenAPI document as YAML, exactly as served at `/openapi.yaml` and committed at the
/// repository root. Needs no database.
pub fn openapi_yaml() -> String {
    conformance::publish(&endpoints::api_service(AppState::detached()).spec_yaml()).0
}

/// Largest request bodies, each refused with a 413 that says the limit.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Every request but the bulk import.
    pub body_bytes: usize,
    /// `POST /api/v1/rulings/import` (JSON lines).
    pub import_bytes: usize,
}

/// Builds the application over `state`.
pub fn build(state: AppState, limits: Limits) -> impl Endpoint {
    let api = endpoints::api_service(state.clone());
    let docs = api.swagger_ui();
    let (yaml, json) = conformance::publish(&api.spec_yaml());
    let routes = std::sync::Arc::new(Routes::from_spec(&json, endpoints::API_PREFIX));
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
        .around(move |endpoint, mut request| {
            let routes = routes.clone();
            let state = state.clone();
            async move {
                // Bodies are read up front with a cap, so an oversize body is refused whether or not
                // the client sent Content-Length. Bulk imports have their own, larger cap.
                let max_body_bytes = if request.uri().path().ends_with("/rulings/import") {
                    limits.import_bytes
                } else {
                    limits.body_bytes
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
                let bytes = match request.take_body().into_bytes_limit(max_body_bytes).await {
                    Ok(bytes) => bytes,
                    Err(_) => {
                        return Ok(problem_response(StatusCode::PAYLOAD_TOO_LARGE, too_large()));
                    }
                };
                let path = request.uri().path().to_owned();
                let is_json = request
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.trim_start().starts_with("application/json"));
                if let Err(detail) = Routes::check_uri(request.uri()) {
                    return Ok(problem_response(
                        StatusCode::BAD_REQUEST,
                        Problem::for_status(400, detail),
                    ));
                }
                if let Err(detail) =
                    routes.check_query(request.method(), &path, request.uri().query().unwrap_or(""))
                {
                    // The allowed values are in the public spec: saying them needs no token.
                    return Ok(problem_response(
                        StatusCode::BAD_REQUEST,
                        Problem::for_status(400, detail),
                    ));
                }
                if is_json && let Err(problem) = routes.check_body(request.method(), &path, &bytes)
                {
                    // As at the endpoint: who is asking comes before what they sent.
                    if let Some(refused) = unauthenticated(&state, &request).await {
                        return Ok(refused);
                    }
                    return Ok(match problem {
                        BodyProblem::Schema(detail) => problem_response(
                            StatusCode::BAD_REQUEST,
                            Problem::for_status(400, detail),
                        ),
                        BodyProblem::Nul { ref field } => {
                            let mut refused =
                                Problem::for_status(422, format!("1 problem: {problem}"));
                            refused.errors = vec![FieldProblem::field(
                                field,
                                "text may not contain the NUL character (U+0000)",
                            )];
                            problem_response(StatusCode::UNPROCESSABLE_ENTITY, refused)
                        }
                    });
                }
                request.set_body(bytes);
                let response = match endpoint.call(request).await {
                    Ok(response) => response.into_response(),
                    Err(err) => err.into_response(),
                };
                let mut response = problem_for_bare_errors(response).await;
                // RFC 9110: a 405 names the methods the resource does support.
                if response.status() == StatusCode::METHOD_NOT_ALLOWED
                    && let Some(methods) = routes.allow(&path)
                    && let Ok(value) = header::HeaderValue::from_str(methods)
                {
                    response.headers_mut().insert(header::ALLOW, value);
                }
                Ok(response)
            }
        })
        .around(|endpoint, request| async move {
            // Problems are said in the language the caller asks for (RFC 9110 Accept-Language).
            let lang = request
                .header(header::ACCEPT_LANGUAGE)
                .map(Lang::from_accept_language)
                .unwrap_or_default();
            let mut response = LANGUAGE
                .scope(lang, endpoint.call(request))
                .await?
                .into_response();
            let is_problem = response
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/problem+json"));
            if is_problem {
                response.headers_mut().insert(
                    header::CONTENT_LANGUAGE,
                    header::HeaderValue::from_static(lang.tag()),
                );
            }
            Ok(response)
        })
        .around(metrics::observe)
}

/// The 401 the endpoint would give, for a request refused before it reaches the endpoint.
async fn unauthenticated(state: &AppState, request: &poem::Request) -> Option<Response> {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let detail = match token {
        None => crate::error::token_required(),
        Some(token) => match crate::services::auth::authenticate(&state.db, token).await {
            Ok(_) => return None,
            Err(crate::error::ServiceError::Unauthorized(detail)) => detail,
            Err(err) => err.to_string(),
        },
    };
    Some(problem_response(
        StatusCode::UNAUTHORIZED,
        Problem::for_status(401, detail),
    ))
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
    let detail = if status == StatusCode::UNAUTHORIZED {
        // poem-openapi's own words for a missing token ("authorization error") say less.
        crate::error::token_required()
    } else if status == StatusCode::INTERNAL_SERVER_ERROR {
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
    let mut body = serde_json::json!({
        "type": problem.problem_type,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
    });
    if !problem.errors.is_empty() {
        body["errors"] = problem
            .errors
            .iter()
            .map(|e| serde_json::json!({"field": e.field, "message": e.message}))
            .collect();
    }
    Response::builder()
        .status(status)
        .content_type("application/problem+json")
        .body(body.to_string())
}
