//! My account: the signed-in user's password, sessions, API tokens (for scripts) and language.

use askama::Template;
use poem::{
    Request, Response,
    http::StatusCode,
    web::{Data, Form, Path},
};
use serde::Deserialize;

use super::{
    FormProblems, Shell, Visit, WebSettings, form_visit, page, pages::MessagePage, see_other, visit,
};
use crate::{
    access,
    services::{
        accounts::{self, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, PasswordChangeRefused},
        auth::{self, TokenInfo},
        two_factor,
    },
    state::AppState,
    web::i18n::Arg,
};

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    shell: Shell,
    csrf: String,
    name: String,
    email: String,
    role: String,
    other_sessions: u64,
    two_factor: bool,
    recovery_left: u64,
    tokens: Vec<TokenInfo>,
    min: usize,
    max: usize,
    problems: FormProblems,
    notice: Option<String>,
}

impl AccountPage {
    /// "3 other sessions", with the language's plural rule.
    fn sessions_line(&self) -> String {
        self.shell.lang.t(
            "account-other-sessions",
            &[("count", Arg::Number(self.other_sessions as i64))],
        )
    }

    /// "Two-factor sign-in is on; 8 recovery codes left."
    fn recovery_line(&self) -> String {
        self.shell.lang.t(
            "two-factor-on",
            &[("count", Arg::Number(self.recovery_left as i64))],
        )
    }

    /// A token's state: live until a date, expired, or revoked.
    fn token_state(&self, token: &TokenInfo) -> String {
        let lang = self.shell.lang;
        if token.revoked_at.is_some() {
            lang.t("token-revoked", &[])
        } else {
            match token.expires_at {
                Some(at) if at <= chrono::Utc::now() => lang.t("token-expired", &[]),
                Some(at) => lang.t(
                    "token-live",
                    &[("date", Arg::Text(lang.date(at.date_naive()).into()))],
                ),
                None => lang.t("token-live-forever", &[]),
            }
        }
    }

    fn revocable(&self, token: &TokenInfo) -> bool {
        token.revoked_at.is_none() && token.expires_at.is_none_or(|at| at > chrono::Utc::now())
    }
}

async fn account_page(
    state: &AppState,
    visit: Visit,
    problems: FormProblems,
    notice: Option<String>,
) -> Response {
    let lang = visit.lang;
    let actor = &visit.session.actor;
    let live = match accounts::live_sessions(&state.db, &actor.user_id).await {
        Ok(n) => n,
        Err(e) => return super::pages::broken(lang, &e),
    };
    let tokens = match auth::list_tokens(&state.db, actor, None).await {
        Ok(tokens) => tokens,
        Err(e) => return super::pages::broken(lang, &e),
    };
    let recovery_left = match two_factor::recovery_codes_left(&state.db, &actor.user_id).await {
        Ok(n) => n,
        Err(e) => return super::pages::broken(lang, &e),
    };
    let status = problems.status();
    let user = &visit.session.user;
    let html = AccountPage {
        shell: visit.shell("account-title"),
        csrf: visit.session.session.csrf_token.clone(),
        name: user.display_name.clone(),
        email: user.email.clone().unwrap_or_default(),
        role: lang.t(&format!("role-{}", user.role), &[]),
        other_sessions: live.saturating_sub(1),
        two_factor: user.totp_enabled_at.is_some(),
        recovery_left,
        tokens,
        min: MIN_PASSWORD_CHARS,
        max: MAX_PASSWORD_CHARS,
        problems,
        notice,
    }
    .render();
    page(html, status, &visit.cookies)
}

#[poem::handler]
pub async fn account(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let query = request.uri().query().unwrap_or_default();
    let notice = [
        ("password-changed", "account-password-done"),
        ("sessions-ended", "account-sessions-done"),
        ("token-revoked", "token-revoke-done"),
        ("two-factor-off", "two-factor-off-done"),
    ]
    .into_iter()
    .find(|(key, _)| query.contains(key))
    .map(|(_, id)| visit.lang.t(id, &[]));
    account_page(state, visit, FormProblems::default(), notice).await
}

/// The password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
}

#[poem::handler]
pub async fn password(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::ALL, &form.csrf).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let changed = accounts::change_password(
        &state.db,
        &visit.session.user,
        &visit.session.session.id,
        &form.current,
        &form.password,
        &form.again,
    )
    .await;
    let (field, message) = match changed {
        Err(e) => return super::pages::broken(visit.lang, &e),
        Ok(Ok(())) => return see_other("/account?password-changed", &visit.cookies),
        Ok(Err(PasswordChangeRefused::WrongCurrent)) => {
            ("current", visit.lang.t("account-password-wrong", &[]))
        }
        Ok(Err(PasswordChangeRefused::New(problem))) => (
            "password",
            super::pages::password_message(visit.lang, problem),
        ),
    };
    let problems = FormProblems {
        status: Some(StatusCode::UNPROCESSABLE_ENTITY),
        fields: vec![(field.to_owned(), message)],
        general: None,
    };
    account_page(state, visit, problems, None).await
}

/// A form with only its CSRF token.
#[derive(Debug, Deserialize)]
pub struct ButtonForm {
    #[serde(default)]
    csrf: String,
}

#[poem::handler]
pub async fn end_other_sessions(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<ButtonForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::ALL, &form.csrf).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let keep = visit.session.session.id.as_str();
    match accounts::end_sessions(&state.db, &visit.session.user.id, Some(keep)).await {
        Ok(_) => see_other("/account?sessions-ended", &visit.cookies),
        Err(e) => super::pages::broken(visit.lang, &e),
    }
}

/// The new token form.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    days: String,
}

#[poem::handler]
pub async fn create_token(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<TokenForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::ALL, &form.csrf).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let lang = visit.lang;
    let label = form.label.trim();
    let days = form.days.trim().parse::<u32>().ok();
    let mut fields = Vec::new();
    if label.is_empty() || label.chars().count() > 200 {
        fields.push(("label".to_owned(), lang.t("token-label-wrong", &[])));
    }
    if days.is_none_or(|d| !(1..=auth::MAX_TOKEN_DAYS).contains(&d)) {
        fields.push((
            "days".to_owned(),
            lang.t(
                "token-days-wrong",
                &[("max", Arg::Number(auth::MAX_TOKEN_DAYS.into()))],
            ),
        ));
    }
    if !fields.is_empty() {
        let problems = FormProblems {
            status: Some(StatusCode::UNPROCESSABLE_ENTITY),
            fields,
            general: None,
        };
        return account_page(state, visit, problems, None).await;
    }
    let made = auth::create_token(
        &state.db,
        &visit.session.actor,
        None,
        label,
        days.unwrap_or(90),
    )
    .await;
    match made {
        Ok((_, secret)) => {
            let html = MessagePage {
                shell: visit.shell("token-title"),
                text: lang.t("token-created", &[]),
                code: Some(secret),
                link: "/account".into(),
                link_text: lang.t("nav-account", &[]),
                alert: false,
            }
            .render();
            page(html, StatusCode::OK, &visit.cookies)
        }
        Err(e) => match FormProblems::of(e) {
            Ok(problems) => account_page(state, visit, problems, None).await,
            Err(e) => super::pages::broken(lang, &e),
        },
    }
}

#[poem::handler]
pub async fn revoke_token(
    request: &Request,
    Path(id): Path<String>,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<ButtonForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::ALL, &form.csrf).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    // An admin may revoke anyone's token through the API; this page is for one's own only.
    let own = match auth::list_tokens(&state.db, &visit.session.actor, None).await {
        Ok(tokens) => tokens.iter().any(|t| t.id == id),
        Err(e) => return super::pages::broken(visit.lang, &e),
    };
    if !own {
        return super::pages::message(
            visit.lang,
            Some(&visit.session),
            StatusCode::NOT_FOUND,
            visit.lang.t("token-not-found", &[]),
            true,
        );
    }
    match auth::revoke_token(&state.db, Some(&visit.session.actor), &id).await {
        Ok(_) => see_other("/account?token-revoked", &visit.cookies),
        Err(e) => super::pages::broken(visit.lang, &e),
    }
}
