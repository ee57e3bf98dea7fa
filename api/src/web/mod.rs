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

pub mod i18n;
mod pages;

use poem::{
    EndpointExt, IntoResponse, Request, Response, Route, get,
    http::{StatusCode, header},
    post,
};

use crate::{services::accounts, state::AppState};
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
/// The language cookie (for visitors who are not signed in).
pub const LANG_COOKIE: &str = "cw_lang";
/// Largest form body accepted, in bytes.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// Whether `path` is one of the web interface's pages (any other path is the API's, its
/// documents', the probes' or unknown, and answers as the API does).
pub fn is_page(path: &str) -> bool {
    matches!(path, "/" | "/sign-in" | "/sign-out")
        || path.starts_with("/welcome/")
        || path.starts_with("/static/")
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
            "/welcome/:secret",
            with(get(pages::welcome_form).post(pages::welcome)),
        )
        .at("/static/app.css", get(stylesheet))
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
}

impl Shell {
    fn new(lang: Lang, title: String, session: Option<&accounts::Session>) -> Self {
        Shell {
            lang,
            langs: Lang::ALL,
            title,
            csrf: session.map(|s| s.session.csrf_token.clone()),
        }
    }

    /// A message without values.
    pub fn t(&self, id: &str) -> String {
        self.lang.t(id, &[])
    }

    /// Whether `lang` is the page's language.
    pub fn current(&self, lang: &Lang) -> bool {
        *lang == self.lang
    }
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
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
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
