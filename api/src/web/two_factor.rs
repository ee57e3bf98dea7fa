//! Two-factor sign-in in the browser: the code step after the password, and setting it up
//! (or turning it off) on My account. The rules are `services::two_factor`'s.

use askama::Template;
use poem::{
    Request, Response,
    http::StatusCode,
    web::{Data, Form},
};
use serde::Deserialize;

use super::{
    SECOND_FACTOR_COOKIE, Shell, Visit, WebSettings, client_address, cookie, form_visit, language,
    page,
    pages::{self, MessagePage},
    see_other, session_of, visit,
};
use crate::{
    access,
    services::{accounts, two_factor},
    state::AppState,
    web::i18n::{Arg, Lang},
};

#[derive(Template)]
#[template(path = "two_factor.html")]
struct CodePage {
    shell: Shell,
    form_token: String,
    error: Option<String>,
}

fn code_page(
    lang: Lang,
    form_token: String,
    error: Option<String>,
    status: StatusCode,
    cookies: &[String],
) -> Response {
    let html = CodePage {
        shell: Shell::new(lang, lang.t("two-factor-title", &[]), None),
        form_token,
        error,
    }
    .render();
    page(html, status, cookies)
}

#[poem::handler]
pub async fn code_form(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    let session = session_of(state, request).await.ok().flatten();
    let (lang, lang_cookie) = language(state, settings, request, session.as_ref()).await;
    if session.is_some() {
        return see_other("/", &Vec::from_iter(lang_cookie));
    }
    if cookie(request, SECOND_FACTOR_COOKIE).is_none() {
        return see_other("/sign-in", &Vec::from_iter(lang_cookie));
    }
    let (token, set) = pages::form_token(request, settings);
    let cookies: Vec<String> = lang_cookie.into_iter().chain(set).collect();
    code_page(lang, token, None, StatusCode::OK, &cookies)
}

/// The code form.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    form: String,
    #[serde(default)]
    code: String,
}

#[poem::handler]
pub async fn code(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<CodeForm>,
) -> Response {
    let (lang, _) = language(state, settings, request, None).await;
    if let Err(message) = pages::form_allowed(request, &form.form) {
        return pages::refused(lang, message, "/sign-in");
    }
    let Some(ticket) = cookie(request, SECOND_FACTOR_COOKIE) else {
        return see_other("/sign-in", &[]);
    };
    let agent = request
        .headers()
        .get(poem::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let address = client_address(request);
    match accounts::second_factor(&state.db, ticket, &form.code, &address, agent).await {
        Err(e) => pages::broken(lang, &e),
        Ok(Ok(new)) => pages::signed_in(settings, &new),
        Ok(Err(refusal)) => {
            let (status, error) = match refusal {
                accounts::SignInRefused::Wrong => {
                    (StatusCode::UNAUTHORIZED, lang.t("two-factor-wrong", &[]))
                }
                accounts::SignInRefused::TooMany { minutes } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    lang.t("sign-in-too-many", &[("minutes", Arg::Number(minutes))]),
                ),
                accounts::SignInRefused::Expired => {
                    return pages::refused(lang, "two-factor-expired", "/sign-in");
                }
            };
            code_page(lang, form.form, Some(error), status, &[])
        }
    }
}

#[derive(Template)]
#[template(path = "two_factor_setup.html")]
struct SetupPage {
    shell: Shell,
    csrf: String,
    secret: String,
    uri: String,
    /// The QR code of `uri`, an SVG element drawn by us (inserted unescaped).
    qr: Option<String>,
    error: Option<String>,
    required: bool,
}

async fn setup_page(
    state: &AppState,
    visit: Visit,
    error: Option<String>,
    required: bool,
) -> Response {
    let lang = visit.lang;
    let user = &visit.session.user;
    if user.totp_enabled_at.is_some() {
        return see_other("/account", &visit.cookies);
    }
    let secret = match two_factor::pending_secret(&state.db, user).await {
        Ok(secret) => secret,
        Err(e) => return pages::broken(lang, &e),
    };
    let account = user.email.clone().unwrap_or_else(|| user.id.clone());
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = SetupPage {
        shell: visit.shell("two-factor-setup-title"),
        csrf: visit.session.session.csrf_token.clone(),
        qr: two_factor::qr_svg(&two_factor::otpauth_uri(&secret, &account)),
        uri: two_factor::otpauth_uri(&secret, &account),
        secret: two_factor::grouped(&secret),
        error,
        required,
    }
    .render();
    page(html, status, &visit.cookies)
}

#[poem::handler]
pub async fn setup(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    match visit(state, settings, request, access::ALL).await {
        Ok(visit) => {
            let required = request
                .uri()
                .query()
                .is_some_and(|q| q.contains("required"));
            setup_page(state, visit, None, required).await
        }
        Err(response) => response,
    }
}

/// A form with a CSRF token and a code or password.
#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
}

#[poem::handler]
pub async fn confirm(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::ALL, &form.csrf).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let lang = visit.lang;
    match two_factor::confirm(&state.db, &visit.session.user, &form.code).await {
        Err(e) => pages::broken(lang, &e),
        Ok(None) => {
            let error = lang.t("two-factor-wrong", &[]);
            setup_page(state, visit, Some(error), false).await
        }
        Ok(Some(codes)) => {
            let html = MessagePage {
                shell: visit.shell("two-factor-on-title"),
                text: lang.t("two-factor-recovery", &[]),
                code: Some(codes.join("  ")),
                link: "/account".into(),
                link_text: lang.t("nav-account", &[]),
                alert: false,
            }
            .render();
            page(html, StatusCode::OK, &visit.cookies)
        }
    }
}

#[poem::handler]
pub async fn turn_off(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::ALL, &form.csrf).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let lang = visit.lang;
    let user = &visit.session.user;
    let right = user
        .password_hash
        .as_deref()
        .is_some_and(|hash| accounts::verify_password(hash, &form.password));
    if !right {
        return pages::message(
            lang,
            Some(&visit.session),
            StatusCode::UNAUTHORIZED,
            lang.t("account-password-wrong", &[]),
            true,
        );
    }
    match two_factor::turn_off(&state.db, &user.id).await {
        Ok(()) => see_other("/account?two-factor-off", &visit.cookies),
        Err(e) => pages::broken(lang, &e),
    }
}
