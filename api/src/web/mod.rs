//! The web interface: pages rendered on the server from the same services the JSON API uses
//! (never through the API over HTTP), with templates compiled into the binary (askama, HTML
//! escaped by default) and embedded assets. Every page works with plain HTML forms; there is no
//! script.
//!
//! Safety, for every page:
//! - a strict Content-Security-Policy (nothing from another host, no inline script or style),
//!   `frame-ancestors 'none'`, and `Cache-Control: no-store`;
//! - `Referrer-Policy: same-origin` (a form's POST then carries its `Origin`);
//! - every form that changes state carries a CSRF token (the session's; before sign-in, a
//!   `SameSite=Strict` form cookie's) and must come from this site (`Origin`, else `Referer`);
//! - the session cookie is HttpOnly, SameSite=Lax, and Secure when the public URL is https.
//!
//! Which pages each role may open is in [`crate::access::PAGES`].

mod account;
mod admin;
mod cases;
mod charts;
mod codebook;
mod datasets;
mod figures;
mod filters;
pub mod form;
pub mod i18n;
mod library;
mod observe;
mod pages;
mod review;
mod review_case;
mod saved;
mod search;
mod search_state;
mod statistics;
mod terms;
mod trail;
mod two_factor;
mod work;

use poem::{
    EndpointExt, IntoResponse, Request, Response, Route, get,
    http::{StatusCode, header},
    post,
};

use crate::{
    access::{self, Role},
    services::accounts,
    state::AppState,
};
use i18n::Lang;

/// Settings of the web interface.
#[derive(Debug, Clone, Copy, Default)]
pub struct WebSettings {
    /// Cookies carry `Secure` (the public URL, `--public-url`, is https).
    pub secure_cookies: bool,
}

impl WebSettings {
    /// The settings for a server people open at `public_url`.
    pub fn for_public_url(public_url: Option<&str>) -> Self {
        WebSettings {
            secure_cookies: public_url.is_some_and(|u| u.starts_with("https://")),
        }
    }

    fn secure_cookies(&self) -> bool {
        self.secure_cookies
    }
}

/// The session cookie.
pub const SESSION_COOKIE: &str = "cw_session";
/// The form cookie: the CSRF token of the forms shown before sign-in.
pub const FORM_COOKIE: &str = "cw_form";
/// The second-factor cookie: the ticket between the password and the code (SameSite=Strict,
/// five minutes).
pub const SECOND_FACTOR_COOKIE: &str = "cw_2fa";
/// The language cookie (for visitors who are not signed in).
pub const LANG_COOKIE: &str = "cw_lang";
/// Largest form body accepted, in bytes.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Largest form body accepted at `path`: observation forms carry long notes.
pub fn max_form_bytes(path: &str) -> usize {
    if path.starts_with("/observations/") || path.starts_with("/review/") {
        observe::MAX_OBSERVATION_FORM_BYTES
    } else {
        MAX_FORM_BYTES
    }
}

/// Whether `path` is one of the web interface's pages (any other path is the API's, its
/// documents', the probes' or unknown, and answers as the API does).
pub fn is_page(path: &str) -> bool {
    matches!(
        path,
        "/" | "/sign-in"
            | "/sign-out"
            | "/users"
            | "/organisations"
            | "/account"
            | "/settings"
            | "/audit"
            | "/status"
            | "/review"
            | "/sw.js"
            | "/cases"
            | "/codebook"
            | "/search"
            | "/datasets"
            | "/saved-searches"
            | "/statistics"
            | "/public/statistics"
    ) || [
        "/welcome/",
        "/static/",
        "/users/",
        "/organisations/",
        "/account/",
        "/sign-in/",
        "/observations/",
        "/review/",
        "/cases/",
        "/search/",
        "/library/",
        "/datasets/",
        "/saved-searches/",
        "/feeds/",
        "/statistics/",
        "/public/statistics/",
    ]
    .iter()
    .any(|prefix| path.starts_with(prefix))
}

/// Adds the pages to `route`.
pub fn routes(route: Route, state: &AppState, settings: &WebSettings) -> Route {
    let with = |endpoint: poem::RouteMethod| endpoint.data(state.clone()).data(*settings);
    route
        .at("/", with(get(pages::home)))
        .at(
            "/sign-in",
            with(get(pages::sign_in_form).post(pages::sign_in)),
        )
        .at("/sign-out", with(post(pages::sign_out)))
        .at(
            "/sign-in/two-factor",
            with(get(two_factor::code_form).post(two_factor::code)),
        )
        .at(
            "/account/two-factor",
            with(get(two_factor::setup).post(two_factor::confirm)),
        )
        .at("/account/two-factor/off", with(post(two_factor::turn_off)))
        .at(
            "/welcome/:secret",
            with(get(pages::welcome_form).post(pages::welcome)),
        )
        .at("/users", with(get(admin::list_users).post(admin::invite)))
        .at("/users/:id/sign-in-link", with(post(admin::reset)))
        .at("/users/:id/deactivate", with(post(admin::deactivate_user)))
        .at("/users/:id/role", with(post(admin::change_role)))
        .at(
            "/organisations/:id/rename",
            with(post(admin::rename_organisation)),
        )
        .at(
            "/organisations",
            with(get(admin::list_organisations).post(admin::create_organisation)),
        )
        .at(
            "/organisations/:id/deactivate",
            with(post(admin::deactivate_organisation)),
        )
        .at("/account", with(get(account::account)))
        .at("/account/password", with(post(account::password)))
        .at("/account/sessions", with(post(account::end_other_sessions)))
        .at("/account/tokens", with(post(account::create_token)))
        .at(
            "/account/tokens/:id/revoke",
            with(post(account::revoke_token)),
        )
        .at(
            "/settings",
            with(get(admin::settings_form).post(admin::save_settings)),
        )
        .at("/audit", with(get(trail::audit_trail)))
        .at("/status", with(get(trail::system_status)))
        .at("/observations/new", with(get(observe::new_observation)))
        .at(
            "/observations/:id",
            with(get(observe::observation_form).post(observe::save_observation)),
        )
        .at("/codebook", with(get(codebook::codebook_page)))
        .at("/search", with(get(search::search_page)))
        .at("/search/:file", with(get(search::download)))
        .at(
            "/saved-searches",
            with(get(saved::saved_page).post(saved::save)),
        )
        .at("/saved-searches/:id", with(get(saved::open)))
        .at("/saved-searches/:id/feed", with(post(saved::new_feed)))
        .at("/saved-searches/:id/feed/off", with(post(saved::feed_off)))
        .at("/saved-searches/:id/delete", with(post(saved::delete)))
        .at("/feeds/:secret", with(get(saved::feed)))
        .at("/statistics", with(get(statistics::statistics_page)))
        .at("/statistics/figures/:file", with(get(statistics::figure)))
        .at("/public/statistics", with(get(statistics::public_page)))
        .at(
            "/public/statistics/figures/:file",
            with(get(statistics::public_figure)),
        )
        .at("/datasets", with(get(datasets::datasets_page)))
        .at("/datasets/files/:file", with(get(datasets::download_file)))
        .at("/datasets/package.zip", with(get(datasets::download_zip)))
        .at("/library/rulings/:id", with(get(library::ruling_page)))
        .at("/library/cases/:id", with(get(library::case_page)))
        .at("/cases", with(get(cases::cases)))
        .at(
            "/cases/new",
            with(get(cases::new_case).post(cases::create_case)),
        )
        .at(
            "/cases/:id",
            with(get(cases::case_page).post(cases::update_case)),
        )
        .at("/cases/:id/hearings", with(post(cases::add_hearing)))
        .at(
            "/cases/:id/sensitive-terms",
            with(get(terms::terms_page).post(terms::save_terms)),
        )
        .at("/review", with(get(review::queue)))
        .at(
            "/review/observations/:id",
            with(get(review::review_observation).post(review::take_observation_step)),
        )
        .at(
            "/review/cases/:id",
            with(get(review_case::review_case).post(review_case::take_case_step)),
        )
        .at(
            "/review/cases/:id/grade",
            with(post(review_case::grade_case)),
        )
        .at("/static/app.css", get(stylesheet))
        .at("/static/form.js", get(form_script))
        .at("/static/app.js", get(app_script))
        .at("/static/reader.js", get(reader_script))
        .at("/sw.js", get(service_worker))
}

#[poem::handler]
fn reader_script() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(include_str!("../../static/reader.js"))
}

#[poem::handler]
fn app_script() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(include_str!("../../static/app.js"))
}

/// The service worker: always checked for a newer copy, so a fix reaches every device.
#[poem::handler]
fn service_worker() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(include_str!("../../static/sw.js"))
}

#[poem::handler]
fn form_script() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(include_str!("../../static/form.js"))
}

#[poem::handler]
fn stylesheet() -> Response {
    Response::builder()
        .content_type("text/css; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(include_str!("../../static/app.css"))
}

/// The value of cookie `name`.
fn cookie<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// A `Set-Cookie` value: HttpOnly, Path=/, the given SameSite, Secure behind https.
fn set_cookie(
    settings: &WebSettings,
    name: &str,
    value: &str,
    same_site: &str,
    max_age: Option<i64>,
) -> String {
    let mut cookie = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if settings.secure_cookies() {
        cookie.push_str("; Secure");
    }
    cookie
}

/// Whether a form was sent from this site: its `Origin` (or, without one, its `Referer`) names
/// the host the request was sent to. A request that says neither is refused.
fn same_origin(request: &Request) -> bool {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok());
    let from = request
        .headers()
        .get(header::ORIGIN)
        .or_else(|| request.headers().get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    match (host, from) {
        (Some(host), Some(from)) => {
            let rest = from
                .strip_prefix("https://")
                .or_else(|| from.strip_prefix("http://"));
            rest.map(|r| r.split('/').next().unwrap_or_default()) == Some(host)
        }
        _ => false,
    }
}

/// The client's address, for the rate limit.
fn client_address(request: &Request) -> String {
    request
        .remote_addr()
        .as_socket_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The signed-in session of a request, if any.
async fn session_of(
    state: &AppState,
    request: &Request,
) -> Result<Option<accounts::Session>, crate::error::ServiceError> {
    match cookie(request, SESSION_COOKIE) {
        Some(secret) => accounts::session(&state.db, secret).await,
        None => Ok(None),
    }
}

/// The page's language: `?lang=` (remembered: for a signed-in user in their account, otherwise in
/// a cookie), else the user's choice, else the cookie, else `Accept-Language`, else English. The
/// second value is the cookie to set when `?lang=` chose.
async fn language(
    state: &AppState,
    settings: &WebSettings,
    request: &Request,
    session: Option<&accounts::Session>,
) -> (Lang, Option<String>) {
    let asked = request.uri().query().and_then(|q| {
        form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "lang")
            .and_then(|(_, v)| Lang::parse(&v))
    });
    if let Some(lang) = asked {
        if let Some(session) = session
            && let Err(e) = accounts::set_language(&state.db, &session.user.id, lang.code()).await
        {
            tracing::warn!(error = %e, "cannot remember the language");
        }
        let cookie = set_cookie(
            settings,
            LANG_COOKIE,
            lang.code(),
            "Lax",
            Some(365 * 86_400),
        );
        return (lang, Some(cookie));
    }
    let chosen = session
        .and_then(|s| s.user.language.as_deref())
        .and_then(Lang::parse)
        .or_else(|| cookie(request, LANG_COOKIE).and_then(Lang::parse))
        .or_else(|| {
            request
                .headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or_default();
    (chosen, None)
}

/// What every page shows around its content.
#[derive(Debug)]
pub struct Shell {
    /// The page's language.
    pub lang: Lang,
    /// The languages of the menu.
    pub langs: [Lang; 4],
    /// The page title.
    pub title: String,
    /// The session's CSRF token, when signed in (the sign-out form).
    pub csrf: Option<String>,
    /// The signed-in user's menu: path and label of each page their role may open.
    pub nav: Vec<(&'static str, String)>,
    /// The signed-in user's id (empty when no one is): this device's outbox sends only their
    /// records.
    pub user: String,
    /// The page's state to keep when the language is switched (a query string, `lang` aside).
    pub keep: String,
    /// The page's form that a language switch sends first (its answers are saved, then the page
    /// comes back in the other language), so that no typed answer is lost, with or without script.
    pub form: Option<&'static str>,
}

impl Shell {
    fn new(lang: Lang, title: String, session: Option<&accounts::Session>) -> Self {
        let nav = session
            .map(|s| {
                NAV.iter()
                    .filter(|(_, _, roles)| roles.contains(&s.actor.role))
                    .map(|(path, label, _)| (*path, lang.t(label, &[])))
                    .collect()
            })
            .unwrap_or_default();
        Shell {
            lang,
            langs: Lang::ALL,
            title,
            csrf: session.map(|s| s.session.csrf_token.clone()),
            user: session.map(|s| s.actor.user_id.clone()).unwrap_or_default(),
            form: None,
            keep: String::new(),
            nav,
        }
    }

    /// A message without values.
    pub fn t(&self, id: &str) -> String {
        self.lang.t(id, &[])
    }

    /// "3 active users", with the language's plural rule.
    pub fn users_count(&self, n: &u64) -> String {
        self.lang
            .t("active-users", &[("count", i18n::Arg::Number(*n as i64))])
    }

    /// Whether `lang` is the page's language.
    pub fn current(&self, lang: &Lang) -> bool {
        *lang == self.lang
    }
}

/// The menu of signed-in pages: path, label, who sees the entry (the same roles as
/// [`crate::access::PAGES`] gives the page).
const NAV: &[(&str, &str, &[Role])] = &[
    ("/", "nav-home", access::ALL),
    ("/users", "nav-users", access::REVIEWERS),
    ("/organisations", "nav-organisations", access::ADMIN),
    ("/cases", "nav-cases", access::RECORDERS),
    ("/search", "nav-search", access::ALL),
    ("/saved-searches", "nav-saved", access::ALL),
    ("/datasets", "nav-datasets", access::ALL),
    ("/statistics", "nav-statistics", access::ALL),
    ("/codebook", "nav-codebook", access::ALL),
    ("/review", "nav-review", access::REVIEWERS),
    ("/audit", "nav-audit", access::REVIEWERS),
    ("/settings", "nav-settings", access::ADMIN),
    ("/status", "nav-status", access::ADMIN),
    ("/account", "nav-account", access::ALL),
];

/// A signed-in visit of a page: the session, the page's language and the cookies to set.
struct Visit {
    session: accounts::Session,
    lang: Lang,
    cookies: Vec<String>,
}

/// The visit of a page that `roles` may open: a visitor who is not signed in is sent to the
/// sign-in page, a role not allowed gets 403.
async fn visit(
    state: &AppState,
    settings: &WebSettings,
    request: &Request,
    roles: &[Role],
) -> Result<Visit, Response> {
    let session = match session_of(state, request).await {
        Ok(session) => session,
        Err(e) => return Err(pages::broken(Lang::default(), &e)),
    };
    let (lang, lang_cookie) = language(state, settings, request, session.as_ref()).await;
    let cookies = Vec::from_iter(lang_cookie);
    let Some(session) = session else {
        return Err(see_other("/sign-in", &cookies));
    };
    if !roles.contains(&session.actor.role) {
        return Err(pages::message(
            lang,
            Some(&session),
            StatusCode::FORBIDDEN,
            lang.t("page-forbidden", &[]),
            true,
        ));
    }
    // Admins and coordinators set up two-factor sign-in first when an admin requires it.
    if session.user.totp_enabled_at.is_none()
        && session.actor.role.reviews()
        && !request.uri().path().starts_with("/account/two-factor")
    {
        match crate::services::settings::get(&state.db).await {
            Ok(s) if s.two_factor_required => {
                return Err(see_other("/account/two-factor?required", &cookies));
            }
            Ok(_) => {}
            Err(e) => return Err(pages::broken(lang, &e)),
        }
    }
    Ok(Visit {
        session,
        lang,
        cookies,
    })
}

/// The visit of a form that `roles` may send: [`visit`], then [`Visit::form_allowed`].
async fn form_visit(
    state: &AppState,
    settings: &WebSettings,
    request: &Request,
    roles: &[Role],
    csrf: &str,
) -> Result<Visit, Response> {
    let visit = visit(state, settings, request, roles).await?;
    visit.form_allowed(request, csrf)?;
    Ok(visit)
}

impl Visit {
    /// A form of this visit may be taken: from this site, with the session's CSRF token.
    // The error is the page to answer with, returned at once by the handler.
    #[allow(clippy::result_large_err)]
    fn form_allowed(&self, request: &Request, csrf: &str) -> Result<(), Response> {
        let problem = if !same_origin(request) {
            Some("origin-refused")
        } else if csrf.is_empty() || csrf != self.session.session.csrf_token {
            Some("form-expired")
        } else {
            None
        };
        match problem {
            None => Ok(()),
            Some(id) => Err(pages::message(
                self.lang,
                Some(&self.session),
                StatusCode::FORBIDDEN,
                self.lang.t(id, &[]),
                true,
            )),
        }
    }

    fn shell(&self, title: &str) -> Shell {
        Shell::new(self.lang, self.lang.t(title, &[]), Some(&self.session))
    }

    /// The shell of a page titled by a record (its title as written, not a message).
    fn shell_titled(&self, title: String) -> Shell {
        Shell::new(self.lang, title, Some(&self.session))
    }
}

/// This server's address as the visitor reached it, for links to pass on.
fn base_url(request: &Request, settings: &WebSettings) -> String {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if settings.secure_cookies() {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// A rendered page with the headers every page has.
fn page(html: Result<String, askama::Error>, status: StatusCode, cookies: &[String]) -> Response {
    let html = match html {
        Ok(html) => html,
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut response = Response::builder()
        .status(status)
        .content_type("text/html; charset=utf-8")
        .header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; \
             img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        )
        .header(header::X_FRAME_OPTIONS, "DENY")
        .header(header::CACHE_CONTROL, "no-store")
        // The page's own address to its own site only (so a form's POST carries its Origin),
        // nothing to any other.
        .header(header::REFERRER_POLICY, "same-origin")
        .body(html);
    for cookie in cookies {
        if let Ok(value) = header::HeaderValue::from_str(cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// A redirect after a form (303: the browser follows with GET).
fn see_other(to: &str, cookies: &[String]) -> Response {
    let mut response = Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, to)
        .header(header::CACHE_CONTROL, "no-store")
        .header(header::REFERRER_POLICY, "same-origin")
        .finish();
    for cookie in cookies {
        if let Ok(value) = header::HeaderValue::from_str(cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// What a refused form shows: problems tied to their fields, or one message for the whole form.
#[derive(Debug, Default)]
struct FormProblems {
    status: Option<StatusCode>,
    fields: Vec<(String, String)>,
    general: Option<String>,
}

impl FormProblems {
    /// The problems of a refused service call; `Err` for a failure that is not the visitor's to
    /// fix (the internal-error page).
    fn of(e: crate::error::ServiceError) -> Result<Self, crate::error::ServiceError> {
        use crate::error::ServiceError as E;
        let (status, fields, general) = match e {
            E::Invalid(problems) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                problems.into_iter().map(|p| (p.field, p.message)).collect(),
                None,
            ),
            E::Conflict(m) => (StatusCode::CONFLICT, Vec::new(), Some(m)),
            stale @ E::Stale { .. } => (StatusCode::CONFLICT, Vec::new(), Some(stale.to_string())),
            E::Forbidden(m) => (StatusCode::FORBIDDEN, Vec::new(), Some(m)),
            E::BadRequest(m) => (StatusCode::BAD_REQUEST, Vec::new(), Some(m)),
            E::NotFound { resource, id } => (
                StatusCode::NOT_FOUND,
                Vec::new(),
                Some(format!("{resource} {id} not found")),
            ),
            other => return Err(other),
        };
        Ok(FormProblems {
            status: Some(status),
            fields,
            general,
        })
    }

    /// The problem of `field`, if any.
    pub fn of_field(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    fn status(&self) -> StatusCode {
        self.status.unwrap_or(StatusCode::OK)
    }
}
