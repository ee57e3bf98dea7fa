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
    /// Refused tokens allowed from one client address per minute; past it, requests with a token
    /// from that address are answered 429 until the minute is over.
    pub auth_failures_per_minute: u32,
    /// The web interface's settings.
    pub web: crate::web::WebSettings,
}

/// Refused tokens per client address, counted in one-minute windows.
#[derive(Debug, Default)]
struct AuthFailures {
    by_client:
        std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, (std::time::Instant, u32)>>,
}

const WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

impl AuthFailures {
    /// Seconds until `client` may try again, when it has used up its refusals.
    fn locked(&self, client: std::net::IpAddr, limit: u32) -> Option<u64> {
        let map = self
            .by_client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (since, count) = map.get(&client)?;
        let elapsed = since.elapsed();
        (elapsed < WINDOW && *count >= limit).then(|| (WINDOW - elapsed).as_secs().max(1))
    }

    fn refused(&self, client: std::net::IpAddr) {
        let mut map = self
            .by_client
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Old windows go, so the map holds only the clients of the last minute.
        if map.len() > 10_000 {
            map.retain(|_, (since, _)| since.elapsed() < WINDOW);
        }
        let entry = map.entry(client).or_insert((std::time::Instant::now(), 0));
        if entry.0.elapsed() >= WINDOW {
            *entry = (std::time::Instant::now(), 0);
        }
        entry.1 += 1;
    }
}

/// Builds the application over `state`.
pub fn build(state: AppState, limits: Limits) -> impl Endpoint {
    let api = endpoints::api_service(state.clone());
    let docs = api.swagger_ui();
    let (yaml, json) = conformance::publish(&api.spec_yaml());
    let routes = std::sync::Arc::new(Routes::from_spec(&json, endpoints::API_PREFIX));
    let failures = std::sync::Arc::new(AuthFailures::default());
    crate::web::routes(Route::new(), &state, &limits.web)
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
                // Pages check their own callers (a session cookie, a CSRF token and the origin
                // of every form): only their body size is checked here.
                if crate::web::is_page(request.uri().path()) {
                    let body = read_capped(
                        request.take_body(),
                        crate::web::max_form_bytes(request.uri().path()),
                    )
                    .await;
                    let Some(body) = body else {
                        return Ok(unread_body(StatusCode::PAYLOAD_TOO_LARGE.into_response()));
                    };
                    request.set_body(body);
                    return Ok(match endpoint.call(request).await {
                        Ok(response) => response.into_response(),
                        Err(err) => err.into_response(),
                    });
                }
                // Who is asking comes before what they send: a request with a body (every such
                // operation needs a token) is refused before its body is read, so that nobody
                // without a valid token can make the server hold a body in memory.
                let writes = matches!(
                    *request.method(),
                    poem::http::Method::POST | poem::http::Method::PUT | poem::http::Method::PATCH
                );
                let caller = if writes {
                    match bearer_actor(&state, &request).await {
                        Ok(actor) => Some(actor),
                        Err(refused) => return Ok(unread_body(refused)),
                    }
                } else {
                    None
                };
                // Bodies are read up front with a cap, so an oversize body is refused whether or not
                // the client sent Content-Length. The bulk import, and only it, has a larger cap,
                // for the roles that may import.
                let import = *request.method() == poem::http::Method::POST
                    && request.uri().path() == IMPORT_PATH
                    && caller.as_ref().is_some_and(|(_, a)| a.role.reviews());
                let max_body_bytes = if import {
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
                    return Ok(unread_body(problem_response(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        too_large(),
                    )));
                }
                let bytes = match read_capped(request.take_body(), max_body_bytes).await {
                    Some(bytes) => bytes,
                    None => {
                        return Ok(unread_body(problem_response(
                            StatusCode::PAYLOAD_TOO_LARGE,
                            too_large(),
                        )));
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
                // The endpoint takes the caller found here rather than looking the token up again.
                let response = match crate::endpoints::AUTHENTICATED
                    .scope(caller, endpoint.call(request))
                    .await
                {
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
        .around(move |endpoint, request| {
            let failures = failures.clone();
            async move {
                // Refused tokens are limited per client address (guessing tokens, or a script
                // with a stale one hammering the database): 429 with Retry-After once used up.
                let client = request
                    .remote_addr()
                    .as_socket_addr()
                    .map(std::net::SocketAddr::ip);
                let with_token = request.headers().contains_key(header::AUTHORIZATION);
                if with_token
                    && let Some(client) = client
                    && let Some(wait) = failures.locked(client, limits.auth_failures_per_minute)
                {
                    let mut refused = problem_response(
                        StatusCode::TOO_MANY_REQUESTS,
                        Problem::for_status(
                            429,
                            format!(
                                "too many refused tokens from this address; try again in {wait} s"
                            ),
                        ),
                    );
                    if let Ok(value) = header::HeaderValue::from_str(&wait.to_string()) {
                        refused.headers_mut().insert(header::RETRY_AFTER, value);
                    }
                    return Ok(unread_body(refused));
                }
                // Problems are said in the language the caller asks for (RFC 9110 Accept-Language).
                let lang = request
                    .header(header::ACCEPT_LANGUAGE)
                    .map(Lang::from_accept_language)
                    .unwrap_or_default();
                let authenticated = request.headers().contains_key(header::AUTHORIZATION);
                let docs = request.uri().path().starts_with("/docs");
                let mut response = LANGUAGE
                    .scope(lang, endpoint.call(request))
                    .await?
                    .into_response();
                secure_headers(&mut response, authenticated, docs);
                if with_token
                    && response.status() == StatusCode::UNAUTHORIZED
                    && let Some(client) = client
                {
                    failures.refused(client);
                }
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
            }
        })
        .around(metrics::observe)
}

/// A body of at most `max` bytes, or None when it is larger. Past the limit, up to one more
/// limit's worth is read and dropped (for at most a second), so that a client that sent a little
/// too much reads its 413 instead of a connection reset; nothing past the limit is kept.
async fn read_capped(body: poem::Body, max: usize) -> Option<Vec<u8>> {
    use futures_util::StreamExt;
    let mut stream = std::pin::pin!(body.into_bytes_stream());
    let mut kept = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.ok()?;
        if kept.len() + chunk.len() > max {
            let mut dropped = 0usize;
            let drain = async {
                while let Some(Ok(more)) = stream.next().await {
                    dropped += more.len();
                    if dropped > max {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(std::time::Duration::from_secs(1), drain).await;
            return None;
        }
        kept.extend_from_slice(&chunk);
    }
    Some(kept)
}

/// A response to a request whose body was not read (whole): the connection closes after it, so
/// that the client does not send its next request on a connection still holding the unread rest.
fn unread_body(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

/// The one route with the larger body limit.
const IMPORT_PATH: &str = "/api/v1/rulings/import";

/// The caller of a request with the token they sent, or the 401 the endpoint would give.
async fn bearer_actor(
    state: &AppState,
    request: &poem::Request,
) -> Result<(String, crate::access::Actor), Response> {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let detail = match token {
        None => crate::error::token_required(),
        Some(token) => match crate::services::auth::authenticate(&state.db, token).await {
            Ok(actor) => return Ok((token.to_owned(), actor)),
            Err(crate::error::ServiceError::Unauthorized(detail)) => detail,
            Err(err) => {
                tracing::error!(error = %err, "authentication failed");
                return Err(problem_response(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Problem::for_status(500, "internal error; it has been logged"),
                ));
            }
        },
    };
    Err(problem_response(
        StatusCode::UNAUTHORIZED,
        Problem::for_status(401, detail),
    ))
}

/// Headers on every response: no content sniffing, no referrer sent to another site; answers to a
/// request with a token are never stored by a cache (they may hold unpublished records); the API
/// documentation page may load nothing from another host.
fn secure_headers(response: &mut Response, authenticated: bool, docs: bool) {
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    // Pages say `same-origin` themselves: with `no-referrer`, browsers send `Origin: null` on a
    // form's POST, and the pages' origin check could not tell their own forms from another site's.
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(header::HeaderValue::from_static("no-referrer"));
    if authenticated {
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
    }
    if docs {
        // Swagger UI is embedded in the page (inline script and style), nothing from elsewhere.
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static(
                "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
                 img-src 'self' data:; connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; \
                 base-uri 'none'; form-action 'self'",
            ),
        );
    }
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
