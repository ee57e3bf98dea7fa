//! Saved searches and their Atom feeds (`services::saved`): "Save this search" on the search page,
//! the "Saved searches" page (each with its released matches and how many are new since it was
//! last opened; its feed made, given a new address or turned off; deleted), and the feed itself at
//! `/feeds/{secret}`, readable by any feed reader without signing in — the secret opens that feed
//! and nothing else, and its entries are released records as the index's public documents show
//! them (redacted).

use askama::Template;
use poem::{
    Request, Response,
    http::StatusCode,
    web::{Data, Form, Path},
};
use serde::Deserialize;

use super::{
    FormProblems, Shell, Visit, WebSettings, base_url, form_visit, page, search_state::SearchState,
    see_other, visit,
};
use crate::{
    access,
    entities::saved_search,
    error::ServiceError,
    services::{export::SearchSelection, saved},
    state::AppState,
};

/// What a saved address selects.
fn selection(query: &str) -> SearchSelection {
    SearchState::parse(query).0.selection()
}

/// A saved search on its page.
pub struct Row {
    pub id: String,
    pub name: String,
    pub href: String,
    pub matches: usize,
    pub new: usize,
    pub feed: bool,
}

#[derive(Template)]
#[template(path = "saved.html")]
struct SavedPage {
    shell: Shell,
    rows: Vec<Row>,
    notice: Option<String>,
    /// A feed address just made (shown once).
    feed_url: Option<(String, String)>,
    /// A save that was refused: the name typed, the address, the problems.
    refused: Option<(String, String)>,
    problems: FormProblems,
}

async fn render(
    state: &AppState,
    visit: &Visit,
    notice: Option<String>,
    feed_url: Option<(String, String)>,
    refused: Option<(String, String)>,
    problems: FormProblems,
) -> Response {
    let found = match saved::list(state, &visit.session.actor).await {
        Ok(found) => found,
        Err(e) => return super::pages::broken(visit.lang, &e),
    };
    let mut rows = Vec::with_capacity(found.len());
    for s in found {
        let (matches, new) = match saved::counts(state, &s, &selection(&s.query)).await {
            Ok(counts) => counts,
            Err(e) => return super::pages::broken(visit.lang, &e),
        };
        rows.push(Row {
            href: format!("/saved-searches/{}", s.id),
            feed: s.feed_secret_hash.is_some(),
            id: s.id,
            name: s.name,
            matches,
            new,
        });
    }
    let status = problems.status();
    let body = SavedPage {
        shell: visit.shell("saved-title"),
        rows,
        notice,
        feed_url,
        refused,
        problems,
    };
    page(body.render(), status, &visit.cookies)
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// `GET /saved-searches`.
#[poem::handler]
pub async fn saved_page(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    poem::web::Query(done): poem::web::Query<DoneQuery>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let notice = match done.done.as_str() {
        "saved" => Some(visit.lang.t("saved-saved", &[])),
        "deleted" => Some(visit.lang.t("saved-deleted", &[])),
        "off" => Some(visit.lang.t("saved-feed-stopped", &[])),
        _ => None,
    };
    render(state, &visit, notice, None, None, FormProblems::default()).await
}

#[derive(Debug, Deserialize)]
pub struct SaveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
}

/// `POST /saved-searches`: saves the search whose address is `query` under `name`.
#[poem::handler]
pub async fn save(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Form(form): Form<SaveForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::ALL, &form.csrf).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let (search_state, _) = SearchState::parse(&form.query);
    let query = search_state.query_string();
    match saved::create(
        state,
        &visit.session.actor,
        &form.name,
        &query,
        &selection(&query),
    )
    .await
    {
        Ok(_) => see_other("/saved-searches?done=saved", &visit.cookies),
        Err(e) => match FormProblems::of(e) {
            Ok(problems) => {
                render(
                    state,
                    &visit,
                    None,
                    None,
                    Some((form.name, query)),
                    problems,
                )
                .await
            }
            Err(e) => super::pages::broken(visit.lang, &e),
        },
    }
}

/// `GET /saved-searches/{id}`: opens the search (its matches are no longer new).
#[poem::handler]
pub async fn open(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(id): Path<String>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    match saved::opened(state, &visit.session.actor, &id).await {
        Ok(s) => {
            let (search_state, _) = SearchState::parse(&s.query);
            see_other(&search_state.href(), &visit.cookies)
        }
        Err(e) => refused(&visit, e),
    }
}

fn refused(visit: &Visit, e: ServiceError) -> Response {
    match e {
        ServiceError::NotFound { .. } => super::pages::message(
            visit.lang,
            Some(&visit.session),
            StatusCode::NOT_FOUND,
            visit.lang.t("saved-not-found", &[]),
            true,
        ),
        e => super::pages::broken(visit.lang, &e),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /saved-searches/{id}/feed`: a new feed address, shown once (any earlier one stops).
#[poem::handler]
pub async fn new_feed(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    let visit = match form_visit(state, settings, request, access::ALL, &form.csrf).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    match saved::new_feed(state, &visit.session.actor, &id).await {
        Ok(secret) => {
            let name = saved::own(state, &visit.session.actor, &id)
                .await
                .map(|s: saved_search::Model| s.name)
                .unwrap_or_default();
            let url = format!("{}/feeds/{secret}", base_url(request, settings));
            render(
                state,
                &visit,
                None,
                Some((name, url)),
                None,
                FormProblems::default(),
            )
            .await
        }
        Err(e) => refused(&visit, e),
    }
}

/// What a button on the saved searches page does to one of them.
enum Step {
    FeedOff,
    Delete,
}

async fn take(
    request: &Request,
    state: &AppState,
    settings: &WebSettings,
    id: &str,
    csrf: &str,
    step: Step,
) -> Response {
    let visit = match form_visit(state, settings, request, access::ALL, csrf).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let actor = &visit.session.actor;
    let done = match step {
        Step::FeedOff => saved::feed_off(state, actor, id).await.map(|()| "off"),
        Step::Delete => saved::delete(state, actor, id).await.map(|()| "deleted"),
    };
    match done {
        Ok(done) => see_other(&format!("/saved-searches?done={done}"), &visit.cookies),
        Err(e) => refused(&visit, e),
    }
}

/// `POST /saved-searches/{id}/feed/off`.
#[poem::handler]
pub async fn feed_off(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    take(request, state, settings, &id, &form.csrf, Step::FeedOff).await
}

/// `POST /saved-searches/{id}/delete`.
#[poem::handler]
pub async fn delete(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Response {
    take(request, state, settings, &id, &form.csrf, Step::Delete).await
}

/// One entry of the feed.
pub struct Entry {
    pub id: String,
    pub title: String,
    pub link: String,
    pub updated: String,
    pub summary: String,
    pub court: String,
}

#[derive(Template)]
#[template(path = "feed.xml", escape = "html")]
struct Feed {
    id: String,
    title: String,
    updated: String,
    self_link: String,
    search_link: String,
    entries: Vec<Entry>,
}

/// `GET /feeds/{secret}`: the saved search's Atom feed (RFC 4287).
#[poem::handler]
pub async fn feed(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(secret): Path<String>,
) -> Response {
    let not_found = || {
        Response::builder()
            .status(StatusCode::NOT_FOUND)
            .content_type("text/plain; charset=utf-8")
            .body("There is no such feed: its address was replaced or the feed was turned off.")
    };
    let search = match saved::by_feed_secret(state, &secret).await {
        Ok(s) => s,
        Err(ServiceError::NotFound { .. }) => return not_found(),
        Err(e) => {
            tracing::error!(error = %e, "a feed failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into();
        }
    };
    let entries = match saved::feed(state, &search, &selection(&search.query)).await {
        Ok(entries) => entries,
        Err(e) => {
            tracing::error!(error = %e, "a feed failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into();
        }
    };
    let base = base_url(request, settings);
    let (search_state, _) = SearchState::parse(&search.query);
    let updated = entries
        .iter()
        .map(|e| e.first_seen_at)
        .max()
        .unwrap_or(search.created_at);
    let body = Feed {
        id: format!("urn:courtwatch:saved-search:{}", search.id),
        title: format!("courtwatch: {}", search.name),
        updated: updated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        self_link: format!("{base}/feeds/{secret}"),
        search_link: format!("{base}{}", search_state.href()),
        entries: entries
            .into_iter()
            .map(|e| {
                let hit = e.hit;
                let link = match (hit.kind, &hit.case_id) {
                    (courtwatch_indexer::Kind::Ruling, _) => {
                        format!("{base}/library/rulings/{}", hit.id)
                    }
                    (courtwatch_indexer::Kind::Case, _) => {
                        format!("{base}/library/cases/{}", hit.id)
                    }
                    (courtwatch_indexer::Kind::Observation, Some(c)) => {
                        format!("{base}/library/cases/{c}#observation-{}", hit.id)
                    }
                    (courtwatch_indexer::Kind::Observation, None) => format!("{base}/search"),
                };
                Entry {
                    id: format!("urn:courtwatch:{}:{}", hit.kind.as_str(), hit.id),
                    link,
                    updated: e
                        .first_seen_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    summary: hit.snippets.join(" "),
                    court: [
                        hit.court.unwrap_or_default(),
                        hit.date.map(|d| d.to_string()).unwrap_or_default(),
                    ]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", "),
                    title: hit.title,
                }
            })
            .collect(),
    };
    match body.render() {
        Ok(xml) => Response::builder()
            .content_type("application/atom+xml; charset=utf-8")
            .header(poem::http::header::CACHE_CONTROL, "no-store")
            .header(poem::http::header::REFERRER_POLICY, "no-referrer")
            .body(xml),
        Err(e) => {
            tracing::error!(error = %e, "a feed failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into()
        }
    }
}
