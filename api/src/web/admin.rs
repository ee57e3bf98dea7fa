//! Administration pages: users (admins: everyone; coordinators: their organisation's, inviting
//! and managing its monitors) and organisations (admins). They call `services::users` and
//! `services::organisation`, as the API does; who may manage whom is the policy's.

use askama::Template;
use poem::{
    Request, Response,
    http::StatusCode,
    web::{Data, Form, Path},
};
use serde::Deserialize;

use super::{
    FormProblems, Shell, Visit, WebSettings, base_url, form_visit, page, pages::MessagePage,
    see_other, visit,
};
use crate::{
    access::{self, Role, policy},
    services::{
        organisation::{self, OrganisationInfo},
        settings::{self, Settings, SettingsUpdate},
        users::{self, InviteInput, SignInLink, UserInfo, UserUpdate},
    },
    state::AppState,
    web::i18n::Arg,
};

/// One user as the Users page lists them.
struct UserRow {
    info: UserInfo,
    role: String,
    organisation: String,
    state: String,
    manageable: bool,
    /// The roles the visitor may give this user (admins only; empty otherwise).
    roles: Vec<(&'static str, String)>,
}

/// The invitation form's fields, as sent (kept when the form is refused).
#[derive(Debug, Default, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    organisation_id: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    shell: Shell,
    csrf: String,
    users: Vec<UserRow>,
    roles: Vec<(&'static str, String)>,
    organisations: Vec<(String, String)>,
    form: InviteForm,
    problems: FormProblems,
    notice: Option<String>,
}

async fn users_page(
    state: &AppState,
    visit: Visit,
    form: InviteForm,
    problems: FormProblems,
    notice: Option<String>,
) -> Response {
    let actor = &visit.session.actor;
    let lang = visit.lang;
    let listed = match users::list(&state.db, actor, None).await {
        Ok(listed) => listed,
        Err(e) => return super::pages::broken(lang, &e),
    };
    let orgs: Vec<OrganisationInfo> = match organisation::list_for(&state.db, actor).await {
        Ok(orgs) => orgs,
        Err(e) => return super::pages::broken(lang, &e),
    };
    let name_of = |id: &str| {
        orgs.iter()
            .find(|o| o.id == id)
            .map(|o| o.name.clone())
            .unwrap_or_default()
    };
    let rows = listed
        .into_iter()
        .map(|info| {
            let role = Role::parse(&info.role);
            UserRow {
                role: lang.t(&format!("role-{}", info.role), &[]),
                organisation: name_of(&info.organisation_id),
                state: lang.t(
                    if info.deactivated_at.is_some() {
                        "user-deactivated"
                    } else if info.has_password {
                        "user-active"
                    } else {
                        "user-invited"
                    },
                    &[],
                ),
                manageable: info.deactivated_at.is_none()
                    && info.id != actor.user_id
                    && role.is_some_and(|r| {
                        policy::can_manage_account(actor, &info.organisation_id, r)
                    }),
                roles: if actor.is_admin()
                    && info.id != actor.user_id
                    && info.deactivated_at.is_none()
                {
                    Role::ALL
                        .into_iter()
                        .map(|r| (r.as_str(), lang.t(&format!("role-{}", r.as_str()), &[])))
                        .collect()
                } else {
                    Vec::new()
                },
                info,
            }
        })
        .collect();
    let roles = Role::ALL
        .into_iter()
        .filter(|r| policy::can_manage_account(actor, &actor.organisation_id, *r))
        .map(|r| (r.as_str(), lang.t(&format!("role-{}", r.as_str()), &[])))
        .collect();
    let organisations = if actor.is_admin() {
        orgs.iter()
            .filter(|o| o.deactivated_at.is_none())
            .map(|o| (o.id.clone(), o.name.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let status = problems.status();
    let html = UsersPage {
        shell: visit.shell("users-title"),
        csrf: visit.session.session.csrf_token.clone(),
        users: rows,
        roles,
        organisations,
        form,
        problems,
        notice,
    }
    .render();
    page(html, status, &visit.cookies)
}

#[poem::handler]
pub async fn list_users(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    let visit = match visit(state, settings, request, access::REVIEWERS).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let query = request.uri().query().unwrap_or_default();
    let notice = if query.contains("deactivated") {
        Some(visit.lang.t("user-deactivate-done", &[]))
    } else if query.contains("role-changed") {
        Some(visit.lang.t("user-role-done", &[]))
    } else {
        None
    };
    let form = InviteForm {
        role: "monitor".into(),
        ..Default::default()
    };
    users_page(state, visit, form, FormProblems::default(), notice).await
}

/// The page showing a sign-in link to pass on.
fn link_page(
    visit: &Visit,
    request: &Request,
    settings: &WebSettings,
    link: &SignInLink,
    message: &str,
) -> Response {
    let lang = visit.lang;
    let text = lang.t(
        message,
        &[
            ("name", Arg::Text(link.user.display_name.as_str().into())),
            (
                "email",
                Arg::Text(link.user.email.as_deref().unwrap_or_default().into()),
            ),
        ],
    );
    let html = MessagePage {
        shell: visit.shell("link-title"),
        text,
        code: Some(format!(
            "{}{}",
            base_url(request, settings),
            link.sign_in_path
        )),
        link: "/users".into(),
        link_text: lang.t("nav-users", &[]),
        alert: false,
    }
    .render();
    page(html, StatusCode::OK, &visit.cookies)
}

#[poem::handler]
pub async fn invite(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<InviteForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::REVIEWERS, &form.csrf).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let input = InviteInput {
        display_name: form.display_name.clone(),
        email: form.email.clone(),
        role: form.role.clone(),
        organisation_id: (!form.organisation_id.is_empty()).then(|| form.organisation_id.clone()),
    };
    match users::invite(&state.db, &visit.session.actor, input).await {
        Ok(link) => link_page(&visit, request, settings, &link, "invite-done"),
        Err(e) => match FormProblems::of(e) {
            Ok(problems) => users_page(state, visit, form, problems, None).await,
            Err(e) => super::pages::broken(visit.lang, &e),
        },
    }
}

/// A form with only its CSRF token.
#[derive(Debug, Deserialize)]
pub struct ButtonForm {
    #[serde(default)]
    csrf: String,
}

#[poem::handler]
pub async fn reset(
    request: &Request,
    Path(id): Path<String>,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<ButtonForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::REVIEWERS, &form.csrf).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    match users::reset(&state.db, &visit.session.actor, &id).await {
        Ok(link) => link_page(&visit, request, settings, &link, "reset-done"),
        Err(e) => match FormProblems::of(e) {
            Ok(problems) => users_page(state, visit, InviteForm::default(), problems, None).await,
            Err(e) => super::pages::broken(visit.lang, &e),
        },
    }
}

/// The role form of a user.
#[derive(Debug, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    role: String,
}

#[poem::handler]
pub async fn change_role(
    request: &Request,
    Path(id): Path<String>,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<RoleForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::REVIEWERS, &form.csrf).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let update = UserUpdate {
        role: Some(form.role),
        ..Default::default()
    };
    match users::update(&state.db, &visit.session.actor, &id, update).await {
        Ok(_) => see_other("/users?role-changed", &visit.cookies),
        Err(e) => match FormProblems::of(e) {
            Ok(problems) => users_page(state, visit, InviteForm::default(), problems, None).await,
            Err(e) => super::pages::broken(visit.lang, &e),
        },
    }
}

#[poem::handler]
pub async fn deactivate_user(
    request: &Request,
    Path(id): Path<String>,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<ButtonForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::REVIEWERS, &form.csrf).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    match users::deactivate(&state.db, Some(&visit.session.actor), &id).await {
        Ok(_) => see_other("/users?deactivated", &visit.cookies),
        Err(e) => match FormProblems::of(e) {
            Ok(problems) => users_page(state, visit, InviteForm::default(), problems, None).await,
            Err(e) => super::pages::broken(visit.lang, &e),
        },
    }
}

#[derive(Template)]
#[template(path = "organisations.html")]
struct OrganisationsPage {
    shell: Shell,
    csrf: String,
    own: String,
    organisations: Vec<OrganisationInfo>,
    name: String,
    problems: FormProblems,
    notice: Option<String>,
}

async fn organisations_page(
    state: &AppState,
    visit: Visit,
    name: String,
    problems: FormProblems,
    notice: Option<String>,
) -> Response {
    let organisations = match organisation::list_for(&state.db, &visit.session.actor).await {
        Ok(list) => list,
        Err(e) => return super::pages::broken(visit.lang, &e),
    };
    let status = problems.status();
    let html = OrganisationsPage {
        shell: visit.shell("organisations-title"),
        csrf: visit.session.session.csrf_token.clone(),
        own: visit.session.actor.organisation_id.clone(),
        organisations,
        name,
        problems,
        notice,
    }
    .render();
    page(html, status, &visit.cookies)
}

#[poem::handler]
pub async fn list_organisations(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    let visit = match visit(state, settings, request, access::ADMIN).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let query = request.uri().query().unwrap_or_default();
    let notice = if query.contains("created") {
        Some(visit.lang.t("organisation-created", &[]))
    } else if query.contains("deactivated") {
        Some(visit.lang.t("organisation-deactivate-done", &[]))
    } else if query.contains("renamed") {
        Some(visit.lang.t("organisation-renamed", &[]))
    } else {
        None
    };
    organisations_page(state, visit, String::new(), FormProblems::default(), notice).await
}

/// The new organisation form.
#[derive(Debug, Deserialize)]
pub struct OrganisationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

#[poem::handler]
pub async fn create_organisation(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<OrganisationForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::ADMIN, &form.csrf).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    match organisation::create(&state.db, Some(&visit.session.actor), &form.name).await {
        Ok(_) => see_other("/organisations?created", &visit.cookies),
        Err(e) => match FormProblems::of(e) {
            Ok(problems) => organisations_page(state, visit, form.name, problems, None).await,
            Err(e) => super::pages::broken(visit.lang, &e),
        },
    }
}

#[poem::handler]
pub async fn rename_organisation(
    request: &Request,
    Path(id): Path<String>,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<OrganisationForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::ADMIN, &form.csrf).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let renamed = match organisation::find_by_id(&state.db, &id).await {
        Ok(Some(_)) => {
            organisation::rename(&state.db, Some(&visit.session.actor), &id, &form.name).await
        }
        Ok(None) => Err(crate::error::ServiceError::NotFound {
            resource: "organisation",
            id: id.clone(),
        }),
        Err(e) => Err(e),
    };
    match renamed {
        Ok(_) => see_other("/organisations?renamed", &visit.cookies),
        Err(e) => match FormProblems::of(e) {
            Ok(problems) => organisations_page(state, visit, String::new(), problems, None).await,
            Err(e) => super::pages::broken(visit.lang, &e),
        },
    }
}

#[poem::handler]
pub async fn deactivate_organisation(
    request: &Request,
    Path(id): Path<String>,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<ButtonForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::ADMIN, &form.csrf).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    match organisation::deactivate(&state.db, Some(&visit.session.actor), &id).await {
        Ok(_) => see_other("/organisations?deactivated", &visit.cookies),
        Err(e) => match FormProblems::of(e) {
            Ok(problems) => organisations_page(state, visit, String::new(), problems, None).await,
            Err(e) => super::pages::broken(visit.lang, &e),
        },
    }
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    shell: Shell,
    csrf: String,
    settings: Settings,
    notice: Option<String>,
}

#[poem::handler]
pub async fn settings_form(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(web): Data<&WebSettings>,
) -> Response {
    let visit = match visit(state, web, request, access::ADMIN).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let settings = match settings::get(&state.db).await {
        Ok(settings) => settings,
        Err(e) => return super::pages::broken(visit.lang, &e),
    };
    let notice = request
        .uri()
        .query()
        .is_some_and(|q| q.contains("saved"))
        .then(|| visit.lang.t("settings-saved", &[]));
    let html = SettingsPage {
        shell: visit.shell("settings-title"),
        csrf: visit.session.session.csrf_token.clone(),
        settings,
        notice,
    }
    .render();
    page(html, StatusCode::OK, &visit.cookies)
}

/// The settings form: a box that is not ticked is not sent, so both settings are always set.
#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    csrf: String,
    anonymous_stats: Option<String>,
    two_factor_required: Option<String>,
}

#[poem::handler]
pub async fn save_settings(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(web): Data<&WebSettings>,
    Form(form): Form<SettingsForm>,
) -> Response {
    let visit = match form_visit(state, web, request, access::ADMIN, &form.csrf).await {
        Ok(visit) => visit,
        Err(response) => return response,
    };
    let update = SettingsUpdate {
        anonymous_stats: Some(form.anonymous_stats.is_some()),
        two_factor_required: Some(form.two_factor_required.is_some()),
    };
    match settings::update(state, &visit.session.actor, update).await {
        Ok(_) => see_other("/settings?saved", &visit.cookies),
        Err(e) => super::pages::broken(visit.lang, &e),
    }
}
