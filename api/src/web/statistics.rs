//! The statistics dashboard: what `/stats/*` computes (`services::stats`, released records only,
//! whoever looks), as charts drawn on the server (`charts.rs`), each with its title and
//! description for screen readers, its n and base, the filters in force, a data table beside it,
//! and links to its CSV and to the SVG file. The same filters as the API; labels in the page's
//! language. Signed in at `/statistics`; when an admin has opened anonymous statistics, the same
//! figures (aggregates only) at the stable public address `/public/statistics`. The figures
//! themselves are built in `figures.rs`.

use askama::Template;
use courtwatch_methodology::{AnswerType, Methodology};
use poem::{
    Request, Response,
    http::{StatusCode, header},
    web::{Data, Path},
};

use super::{
    Shell, WebSettings,
    figures::{FigureView, StatsQuery, dimension_label, figures, group_of},
    form::said,
    i18n::Lang,
    page, visit,
};
use crate::{
    access,
    error::ServiceError,
    services::{settings, stats::DIMENSIONS},
    state::AppState,
};

#[derive(Template)]
#[template(path = "statistics.html")]
struct StatisticsPage {
    shell: Shell,
    public: bool,
    action: &'static str,
    query: StatsQuery,
    problem: Option<String>,
    figures: Vec<FigureView>,
    jurisdictions: Vec<(String, String)>,
    courts: Vec<(String, String)>,
    grounds: Vec<(String, String)>,
    proceeding_types: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    questions: Vec<(String, String)>,
    dimensions: Vec<(String, String)>,
}

fn terms(m: &Methodology, lang: Lang, vocabulary: &str) -> Vec<(String, String)> {
    m.vocabulary(vocabulary)
        .map(|v| {
            v.terms
                .iter()
                .map(|t| (t.code.clone(), said(lang, &t.label)))
                .collect()
        })
        .unwrap_or_default()
}

async fn statistics_body(
    state: &AppState,
    lang: Lang,
    shell: Shell,
    raw: &str,
    public: bool,
) -> (StatusCode, StatisticsPage) {
    let query = StatsQuery::read(raw);
    let m = state.methodology.latest();
    let base = if public {
        "/public/statistics/figures"
    } else {
        "/statistics/figures"
    };
    let (shown, courts) = match super::filters::court_choices(state).await {
        Ok(courts) => (
            figures(state, lang, &query, &courts, base, None).await,
            courts,
        ),
        Err(e) => (Err(e), Vec::new()),
    };
    let (figures, problem, status) = match shown {
        Ok(f) => (f, None, StatusCode::OK),
        Err(ServiceError::BadRequest(message)) => {
            (Vec::new(), Some(message), StatusCode::BAD_REQUEST)
        }
        Err(e) => {
            tracing::error!(error = %e, "statistics failed");
            (
                Vec::new(),
                Some(lang.t("error-internal", &[])),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
        }
    };
    let questions = m
        .questions
        .iter()
        .filter(|q| {
            matches!(
                q.answer_type,
                AnswerType::YesNo { .. } | AnswerType::SingleChoice { .. }
            )
        })
        .map(|q| (q.code.clone(), said(lang, &q.label)))
        .collect();
    let dimensions = DIMENSIONS
        .iter()
        .map(|d| ((*d).to_owned(), dimension_label(m, lang, d)))
        .collect();
    (
        status,
        StatisticsPage {
            shell,
            public,
            action: if public {
                "/public/statistics"
            } else {
                "/statistics"
            },
            problem,
            figures,
            jurisdictions: terms(m, lang, "jurisdiction"),
            courts,
            grounds: terms(m, lang, "ground"),
            proceeding_types: terms(m, lang, "proceeding_type"),
            statuses: terms(m, lang, "monitoring_status"),
            questions,
            dimensions,
            query,
        },
    )
}

/// `GET /statistics`.
#[poem::handler]
pub async fn statistics_page(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let mut shell = visit.shell("stats-title");
    let raw = request.uri().query().unwrap_or_default();
    shell.keep = StatsQuery::read(raw).query_string();
    let (status, body) = statistics_body(state, visit.lang, shell, raw, false).await;
    page(body.render(), status, &visit.cookies)
}

/// Whether anonymous statistics are open (the public dashboard answers 404 otherwise).
async fn open_to_anyone(state: &AppState) -> Result<bool, ServiceError> {
    Ok(settings::get(&state.db).await?.anonymous_stats)
}

fn closed() -> Response {
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .content_type("text/plain; charset=utf-8")
        .body("The statistics of this server are not public.")
}

/// `GET /public/statistics`: the dashboard for anyone, when an admin has opened it.
#[poem::handler]
pub async fn public_page(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
) -> Response {
    match open_to_anyone(state).await {
        Ok(true) => {}
        Ok(false) => return closed(),
        Err(e) => return super::pages::broken(Lang::default(), &e),
    }
    let (lang, cookie) = super::language(state, settings, request, None).await;
    let raw = request.uri().query().unwrap_or_default();
    let mut shell = Shell::new(lang, lang.t("stats-title", &[]), None);
    shell.keep = StatsQuery::read(raw).query_string();
    let (status, body) = statistics_body(state, lang, shell, raw, true).await;
    page(body.render(), status, &Vec::from_iter(cookie))
}

async fn figure_file(state: &AppState, lang: Lang, raw: &str, file: &str, base: &str) -> Response {
    let (name, ext) = match file.rsplit_once('.') {
        Some((n, e @ ("csv" | "svg"))) => (n, e),
        _ => return StatusCode::NOT_FOUND.into(),
    };
    let query = StatsQuery::read(raw);
    let courts = match super::filters::court_choices(state).await {
        Ok(courts) => courts,
        Err(e) => return super::pages::broken(lang, &e),
    };
    if group_of(name).is_none() {
        return StatusCode::NOT_FOUND.into();
    }
    let found = match figures(state, lang, &query, &courts, base, Some(name)).await {
        Ok(f) => f.into_iter().find(|f| f.name == name),
        Err(ServiceError::BadRequest(m)) => {
            return Response::builder()
                .status(StatusCode::BAD_REQUEST)
                .content_type("text/plain; charset=utf-8")
                .body(m);
        }
        Err(e) => return super::pages::broken(lang, &e),
    };
    let Some(shown) = found else {
        return StatusCode::NOT_FOUND.into();
    };
    let (content_type, body) = if ext == "svg" {
        ("image/svg+xml; charset=utf-8", shown.svg.into_bytes())
    } else {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let mut ok = writer.write_record(&shown.table.head).is_ok();
        for row in &shown.table.rows {
            ok &= writer.write_record(row).is_ok();
        }
        match (ok, writer.into_inner()) {
            (true, Ok(bytes)) => ("text/csv; charset=utf-8", bytes),
            _ => return StatusCode::INTERNAL_SERVER_ERROR.into(),
        }
    };
    Response::builder()
        .content_type(content_type)
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file}\""),
        )
        .header(header::CACHE_CONTROL, "no-store")
        // An SVG opened on its own runs nothing and loads nothing.
        .header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'",
        )
        .body(body)
}

/// `GET /statistics/figures/{file}`: one figure as CSV (its table) or SVG (its chart).
#[poem::handler]
pub async fn figure(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(file): Path<String>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let raw = request.uri().query().unwrap_or_default();
    figure_file(state, visit.lang, raw, &file, "/statistics/figures").await
}

/// `GET /public/statistics/figures/{file}`: the same, for anyone, when statistics are open.
#[poem::handler]
pub async fn public_figure(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(file): Path<String>,
) -> Response {
    match open_to_anyone(state).await {
        Ok(true) => {}
        Ok(false) => return closed(),
        Err(e) => return super::pages::broken(Lang::default(), &e),
    }
    let (lang, _) = super::language(state, settings, request, None).await;
    let raw = request.uri().query().unwrap_or_default();
    figure_file(state, lang, raw, &file, "/public/statistics/figures").await
}
