//! The first pages: sign in, set a password from a one-time link, home, sign out.

use askama::Template;
use poem::{
    Request, Response,
    http::StatusCode,
    web::{Data, Form, Path},
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Deserialize;

use super::{
    FORM_COOKIE, SECOND_FACTOR_COOKIE, SESSION_COOKIE, Shell, WebSettings, client_address, cookie,
    language, page, same_origin, see_other, session_of, set_cookie,
};
use crate::{
    entities::{organisation, user},
    error::ServiceError,
    services::accounts::{
        self, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, PasswordProblem, SignInRefused, SignedIn,
    },
    state::AppState,
    web::i18n::{Arg, Lang},
};

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    shell: Shell,
    form_token: String,
    name: String,
    error: Option<String>,
    notice: Option<String>,
    first_admin: bool,
}

#[derive(Template)]
#[template(path = "welcome.html")]
struct WelcomePage {
    shell: Shell,
    form_token: String,
    intro: String,
    email: String,
    help: String,
    min: usize,
    max: usize,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "message.html")]
pub(super) struct MessagePage {
    pub(super) shell: Shell,
    pub(super) text: String,
    /// Something to copy (a link to pass on, a token shown once), shown below the text.
    pub(super) code: Option<String>,
    pub(super) link: String,
    pub(super) link_text: String,
    pub(super) alert: bool,
}

/// A page with one message and a link home.
pub(super) fn message(
    lang: Lang,
    session: Option<&accounts::Session>,
    status: StatusCode,
    text: String,
    alert: bool,
) -> Response {
    let title = if alert { "error-title" } else { "done-title" };
    let html = MessagePage {
        shell: Shell::new(lang, lang.t(title, &[]), session),
        text,
        code: None,
        link: "/".into(),
        link_text: lang.t("nav-home", &[]),
        alert,
    }
    .render();
    page(html, status, &[])
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    shell: Shell,
    role_line: String,
    work: Option<super::work::Work>,
}

/// The internal-error page (the cause is logged, not shown).
pub(super) fn broken(lang: Lang, e: &ServiceError) -> Response {
    tracing::error!(error = %e, chain = %crate::error::chain(e), "a page failed");
    let shell = Shell::new(lang, lang.t("error-title", &[]), None);
    let text = lang.t("error-internal", &[]);
    let html = MessagePage {
        shell,
        text,
        code: None,
        link: "/".into(),
        link_text: lang.t("nav-home", &[]),
        alert: true,
    }
    .render();
    page(html, StatusCode::INTERNAL_SERVER_ERROR, &[])
}

/// The form cookie's token, and the cookie to set when there is none yet.
pub(super) fn form_token(request: &Request, settings: &WebSettings) -> (String, Option<String>) {
    match cookie(request, FORM_COOKIE) {
        Some(token) if token.len() >= 32 => (token.to_owned(), None),
        _ => {
            let token = accounts::secret();
            let set = set_cookie(settings, FORM_COOKIE, &token, "Strict", None);
            (token, Some(set))
        }
    }
}

/// Whether a form before sign-in may be taken: from this site, with the form cookie's token.
pub(super) fn form_allowed(request: &Request, sent: &str) -> Result<(), &'static str> {
    if !same_origin(request) {
        return Err("origin-refused");
    }
    match cookie(request, FORM_COOKIE) {
        Some(token) if !sent.is_empty() && token == sent => Ok(()),
        _ => Err("form-expired"),
    }
}

/// A refused form's page (403), with a link back to it.
pub(super) fn refused(lang: Lang, message: &str, back: &str) -> Response {
    let shell = Shell::new(lang, lang.t("error-title", &[]), None);
    let html = MessagePage {
        shell,
        text: lang.t(message, &[]),
        code: None,
        link: back.into(),
        link_text: lang.t("sign-in-title", &[]),
        alert: true,
    }
    .render();
    page(html, StatusCode::FORBIDDEN, &[])
}

/// Whether nobody can sign in yet (a fresh server): the sign-in page then says how the first
/// administrator gets a link.
async fn fresh_server(state: &AppState) -> Result<bool, ServiceError> {
    Ok(user::Entity::find()
        .filter(user::Column::PasswordHash.is_not_null())
        .count(&state.db)
        .await?
        == 0)
}

#[allow(clippy::too_many_arguments)]
async fn sign_in_page(
    state: &AppState,
    settings: &WebSettings,
    request: &Request,
    name: String,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
    lang: Lang,
    mut cookies: Vec<String>,
) -> Response {
    let first_admin = match fresh_server(state).await {
        Ok(fresh) => fresh,
        Err(e) => return broken(lang, &e),
    };
    let (form_token, set) = form_token(request, settings);
    cookies.extend(set);
    let shell = Shell::new(lang, lang.t("sign-in-title", &[]), None);
    let html = SignInPage {
        shell,
        form_token,
        name,
        error,
        notice,
        first_admin,
    }
    .render();
    page(html, status, &cookies)
}

#[poem::handler]
pub async fn sign_in_form(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    let session = session_of(state, request).await.ok().flatten();
    let (lang, lang_cookie) = language(state, settings, request, session.as_ref()).await;
    if session.is_some() {
        return see_other("/", &Vec::from_iter(lang_cookie));
    }
    let signed_out = request
        .uri()
        .query()
        .is_some_and(|q| q.contains("signed-out"));
    let notice = signed_out.then(|| lang.t("signed-out", &[]));
    let cookies = Vec::from_iter(lang_cookie);
    sign_in_page(
        state,
        settings,
        request,
        String::new(),
        None,
        notice,
        StatusCode::OK,
        lang,
        cookies,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    form: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

#[poem::handler]
pub async fn sign_in(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<SignInForm>,
) -> Response {
    let (lang, _) = language(state, settings, request, None).await;
    if let Err(message) = form_allowed(request, &form.form) {
        return refused(lang, message, "/sign-in");
    }
    let agent = request
        .headers()
        .get(poem::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let address = client_address(request);
    match accounts::sign_in(&state.db, &form.name, &form.password, &address, agent).await {
        Err(e) => broken(lang, &e),
        Ok(Ok(SignedIn::Session(new))) => signed_in(settings, &new),
        Ok(Ok(SignedIn::SecondFactor { ticket })) => {
            let cookie = set_cookie(
                settings,
                SECOND_FACTOR_COOKIE,
                &ticket,
                "Strict",
                Some(accounts::SECOND_FACTOR_VALID.num_seconds()),
            );
            see_other("/sign-in/two-factor", &[cookie])
        }
        Ok(Err(refusal)) => {
            let (status, error) = match refusal {
                SignInRefused::Wrong => (StatusCode::UNAUTHORIZED, lang.t("sign-in-wrong", &[])),
                SignInRefused::TooMany { minutes } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    lang.t("sign-in-too-many", &[("minutes", Arg::Number(minutes))]),
                ),
                SignInRefused::Expired => (StatusCode::UNAUTHORIZED, lang.t("sign-in-wrong", &[])),
            };
            sign_in_page(
                state,
                settings,
                request,
                form.name,
                Some(error),
                None,
                status,
                lang,
                Vec::new(),
            )
            .await
        }
    }
}

/// What is wrong with a new password, said in `lang`.
pub(super) fn password_message(lang: Lang, problem: PasswordProblem) -> String {
    match problem {
        PasswordProblem::TooShort => lang.t(
            "password-too-short",
            &[("min", Arg::Number(MIN_PASSWORD_CHARS as i64))],
        ),
        PasswordProblem::TooLong => lang.t(
            "password-too-long",
            &[("max", Arg::Number(MAX_PASSWORD_CHARS as i64))],
        ),
        PasswordProblem::Different => lang.t("password-different", &[]),
    }
}

/// The answer to a successful sign-in: the session cookie, home.
pub(super) fn signed_in(settings: &WebSettings, new: &accounts::NewSession) -> Response {
    let session = set_cookie(
        settings,
        SESSION_COOKIE,
        &new.secret,
        "Lax",
        Some(accounts::SESSION_ABSOLUTE.num_seconds()),
    );
    let ticket = set_cookie(settings, SECOND_FACTOR_COOKIE, "", "Strict", Some(0));
    see_other("/", &[session, ticket])
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

#[poem::handler]
pub async fn sign_out(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<SignOutForm>,
) -> Response {
    let session = session_of(state, request).await.ok().flatten();
    let (lang, _) = language(state, settings, request, session.as_ref()).await;
    let Some(session) = session else {
        return see_other("/sign-in", &[]);
    };
    if !same_origin(request) {
        return refused(lang, "origin-refused", "/");
    }
    if form.csrf.is_empty() || form.csrf != session.session.csrf_token {
        return refused(lang, "form-expired", "/");
    }
    if let Err(e) = accounts::sign_out(&state.db, &session.session.id).await {
        return broken(lang, &e);
    }
    let clear = set_cookie(settings, SESSION_COOKIE, "", "Lax", Some(0));
    see_other("/sign-in?signed-out", &[clear])
}

#[poem::handler]
pub async fn home(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    let session = match session_of(state, request).await {
        Ok(session) => session,
        Err(e) => return broken(Lang::default(), &e),
    };
    let (lang, lang_cookie) = language(state, settings, request, session.as_ref()).await;
    let cookies = Vec::from_iter(lang_cookie);
    let Some(session) = session else {
        return see_other("/sign-in", &cookies);
    };
    let organisation = organisation::Entity::find_by_id(session.user.organisation_id.clone())
        .one(&state.db)
        .await;
    let organisation = match organisation {
        Ok(found) => found.map(|o| o.name).unwrap_or_default(),
        Err(e) => return broken(lang, &e.into()),
    };
    let role = lang.t(&format!("role-{}", session.actor.role.as_str()), &[]);
    let title = lang.t(
        "home-title",
        &[("name", Arg::Text(session.user.display_name.as_str().into()))],
    );
    let role_line = lang.t(
        "home-role",
        &[
            ("role", Arg::Text(role.into())),
            ("organisation", Arg::Text(organisation.into())),
        ],
    );
    let work = if crate::access::RECORDERS.contains(&session.actor.role) {
        match super::work::of(state, &session, lang).await {
            Ok(work) => Some(work),
            Err(e) => return broken(lang, &e),
        }
    } else {
        None
    };
    let shell = Shell::new(lang, title, Some(&session));
    page(
        HomePage {
            shell,
            role_line,
            work,
        }
        .render(),
        StatusCode::OK,
        &cookies,
    )
}

fn welcome_page(
    lang: Lang,
    form_token: String,
    user: &user::Model,
    error: Option<String>,
) -> Result<String, askama::Error> {
    let email = user.email.clone().unwrap_or_default();
    let intro = lang.t(
        "welcome-intro",
        &[
            ("name", Arg::Text(user.display_name.as_str().into())),
            ("email", Arg::Text(email.as_str().into())),
        ],
    );
    let help = lang.t(
        "welcome-password-help",
        &[("min", Arg::Number(MIN_PASSWORD_CHARS as i64))],
    );
    WelcomePage {
        shell: Shell::new(lang, lang.t("welcome-title", &[]), None),
        form_token,
        intro,
        email,
        help,
        min: MIN_PASSWORD_CHARS,
        max: MAX_PASSWORD_CHARS,
        error,
    }
    .render()
}

fn invalid_link(lang: Lang) -> Response {
    let html = MessagePage {
        shell: Shell::new(lang, lang.t("welcome-title", &[]), None),
        text: lang.t("welcome-invalid", &[]),
        code: None,
        link: "/sign-in".into(),
        link_text: lang.t("sign-in-title", &[]),
        alert: true,
    }
    .render();
    page(html, StatusCode::NOT_FOUND, &[])
}

#[poem::handler]
pub async fn welcome_form(
    request: &Request,
    Path(secret): Path<String>,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    let (lang, lang_cookie) = language(state, settings, request, None).await;
    match accounts::link_user(&state.db, &secret).await {
        Err(e) => broken(lang, &e),
        Ok(None) => invalid_link(lang),
        Ok(Some((_, user))) => {
            let (token, set) = form_token(request, settings);
            let cookies: Vec<String> = lang_cookie.into_iter().chain(set).collect();
            page(
                welcome_page(lang, token, &user, None),
                StatusCode::OK,
                &cookies,
            )
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct WelcomeForm {
    #[serde(default)]
    form: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
}

#[poem::handler]
pub async fn welcome(
    request: &Request,
    Path(secret): Path<String>,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<WelcomeForm>,
) -> Response {
    let (lang, _) = language(state, settings, request, None).await;
    if let Err(message) = form_allowed(request, &form.form) {
        return refused(lang, message, &format!("/welcome/{secret}"));
    }
    let user = match accounts::link_user(&state.db, &secret).await {
        Err(e) => return broken(lang, &e),
        Ok(None) => return invalid_link(lang),
        Ok(Some((_, user))) => user,
    };
    if let Some(problem) = accounts::password_problem(&form.password, &form.again) {
        let html = welcome_page(
            lang,
            form.form.clone(),
            &user,
            Some(password_message(lang, problem)),
        );
        return page(html, StatusCode::UNPROCESSABLE_ENTITY, &[]);
    }
    match accounts::redeem_link(&state.db, &secret, &form.password).await {
        Err(e) => broken(lang, &e),
        Ok(None) => invalid_link(lang),
        Ok(Some(_)) => {
            let html = MessagePage {
                shell: Shell::new(lang, lang.t("welcome-title", &[]), None),
                text: lang.t("welcome-done", &[]),
                code: None,
                link: "/sign-in".into(),
                link_text: lang.t("sign-in-title", &[]),
                alert: false,
            }
            .render();
            page(html, StatusCode::OK, &[])
        }
    }
}
