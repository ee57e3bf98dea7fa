//! Reading pages: a ruling's full text with the search's terms highlighted (next and previous
//! match with the page's script; without it, a list of the matches to jump to), its metadata and
//! coded answers, and a link to its case; and a case file as a researcher may see it — released
//! records only, redacted as the API redacts them for a reader outside the organisation — with
//! the timeline of hearings, each hearing's key indicators, and the rulings
//! (`services::library`).

use askama::Template;
use courtwatch_methodology::{Methodology, Scope};
use poem::{
    Request, Response,
    http::StatusCode,
    web::{Data, Path},
};
use serde_json::{Map, Value};

use super::{
    Shell, WebSettings,
    i18n::Lang,
    observe::answer_words,
    page,
    review::{ReadSection, Remarks, read_sections},
    search::value_label,
    search_state::SearchState,
    visit,
};
use crate::{
    access,
    error::ServiceError,
    services::{
        case as case_service, common::methodology_version, court as court_service, library, search,
    },
    state::AppState,
};

/// Matches listed for jumping to without script.
const JUMP_LIST: usize = 100;

/// A run of the text: plain, or the `n`th match (1-based).
pub struct Segment {
    pub text: String,
    pub mark: Option<usize>,
}

#[derive(Template)]
#[template(path = "ruling.html")]
struct RulingPage {
    shell: Shell,
    title: String,
    facts: Vec<(String, String)>,
    case_link: Option<String>,
    back: Option<String>,
    query: String,
    matches: usize,
    jump: Vec<(usize, String)>,
    segments: Vec<Segment>,
    sections: Vec<ReadSection>,
}

/// Cuts `text` at the match ranges.
fn segments(text: &str, ranges: &[(usize, usize)]) -> Vec<Segment> {
    let mut out = Vec::with_capacity(ranges.len() * 2 + 1);
    let mut at = 0;
    for (i, &(from, to)) in ranges.iter().enumerate() {
        if from < at
            || to > text.len()
            || !text.is_char_boundary(from)
            || !text.is_char_boundary(to)
        {
            continue;
        }
        if from > at {
            out.push(Segment {
                text: text[at..from].to_owned(),
                mark: None,
            });
        }
        out.push(Segment {
            text: text[from..to].to_owned(),
            mark: Some(i + 1),
        });
        at = to;
    }
    out.push(Segment {
        text: text[at..].to_owned(),
        mark: None,
    });
    out
}

/// The words around a match, for the jump list.
fn context(text: &str, from: usize, to: usize) -> String {
    let mut start = from.saturating_sub(40);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (to + 40).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    format!(
        "…{}…",
        text[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    )
}

/// The questions of `scope` that were answered, in words.
fn answered(
    m: &Methodology,
    scope: Scope,
    merged: &Map<String, Value>,
    jurisdiction: &str,
    lang: Lang,
) -> Vec<ReadSection> {
    let none = Default::default();
    let remarks = Remarks {
        earlier: &none,
        typed: &none,
        problems: &none,
    };
    read_sections(m, scope, merged, jurisdiction, &remarks, lang)
        .into_iter()
        .map(|mut s| {
            s.questions.retain(|q| merged.contains_key(&q.code));
            s
        })
        .filter(|s| !s.questions.is_empty())
        .collect()
}

/// `GET /library/rulings/{id}`: the ruling as the visitor may read it (what `GET
/// /api/v1/rulings/{id}` gives them), the search's terms (`q`, `exact`) highlighted.
#[poem::handler]
pub async fn ruling_page(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(id): Path<String>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let lang = visit.lang;
    let raw = request.uri().query().unwrap_or_default();
    let (search_state, _) = SearchState::parse(raw);
    let ruling = match library::ruling(state, &visit.session.actor, &id).await {
        Ok(r) => r,
        Err(e) => return not_found_or_broken(&visit, e),
    };
    // A query that does not parse highlights nothing (the search page explains it).
    let ranges = search::match_ranges(
        state,
        &search_state.q,
        search_state.exact,
        &ruling.full_text,
        Some(&ruling.language),
    )
    .await
    .unwrap_or_default();
    let m = methodology_version(state.methodology, Some(ruling.methodology_version))
        .unwrap_or_else(|_| state.methodology.latest());
    let mut facts = vec![(lang.t("library-court", &[]), ruling.court_name.clone())];
    if let Some(d) = ruling.decision_date {
        facts.push((lang.t("library-date", &[]), lang.date(d)));
    }
    if let Some(j) = &ruling.jurisdiction {
        facts.push((
            lang.t("search-facet-jurisdiction", &[]),
            value_label(m, lang, "jurisdiction", j),
        ));
    }
    if let Some(o) = &ruling.outcome {
        facts.push((
            lang.t("search-facet-outcome", &[]),
            value_label(m, lang, "outcome", o),
        ));
    }
    facts.push((
        lang.t("search-facet-language", &[]),
        value_label(m, lang, "language", &ruling.language),
    ));
    if let Some(s) = &ruling.source {
        facts.push((lang.t("library-source", &[]), s.clone()));
    }
    if let Some(e) = &ruling.external_id {
        facts.push((lang.t("library-external-id", &[]), e.clone()));
    }
    let merged: Map<String, Value> = ruling.answers.clone().into_iter().collect();
    let sections = answered(
        m,
        Scope::Ruling,
        &merged,
        ruling.jurisdiction.as_deref().unwrap_or_default(),
        lang,
    );
    let searched = !search_state.q.trim().is_empty();
    let body = RulingPage {
        shell: visit.shell_titled(ruling.title.clone()),
        facts,
        case_link: ruling
            .case_id
            .as_ref()
            .map(|c| format!("/library/cases/{c}")),
        back: searched.then(|| search_state.href_here()),
        query: search_state.q.clone(),
        matches: ranges.len(),
        jump: ranges
            .iter()
            .take(JUMP_LIST)
            .enumerate()
            .map(|(i, &(from, to))| (i + 1, context(&ruling.full_text, from, to)))
            .collect(),
        segments: segments(&ruling.full_text, &ranges),
        sections,
        title: ruling.title,
    };
    page(body.render(), StatusCode::OK, &visit.cookies)
}

fn not_found_or_broken(visit: &super::Visit, e: ServiceError) -> Response {
    match e {
        ServiceError::NotFound { .. } => super::pages::message(
            visit.lang,
            Some(&visit.session),
            StatusCode::NOT_FOUND,
            visit.lang.t("library-not-found", &[]),
            true,
        ),
        e => super::pages::broken(visit.lang, &e),
    }
}

/// A hearing on the case page.
pub struct HearingView {
    pub id: String,
    pub date: String,
    pub iso: String,
    pub kind: String,
    pub outcome: String,
    /// Each released observation's key indicators: (question, answer in words).
    pub observations: Vec<(String, Vec<(String, String)>)>,
}

#[derive(Template)]
#[template(path = "library_case.html")]
struct CasePage {
    shell: Shell,
    facts: Vec<(String, String)>,
    summary: Option<String>,
    sections: Vec<ReadSection>,
    hearings: Vec<HearingView>,
    rulings: Vec<(String, String, String, String)>,
}

/// The key indicators of a hearing, in this order.
const INDICATORS: &[&str] = &[
    "adjournment_reasons",
    "public_excluded",
    "closure_reason",
    "interpreter_needed",
    "interpreter_provided",
    "hate_speech_in_courtroom",
    "judge_reaction",
];

fn label_of(m: &Methodology, lang: Lang, code: &str) -> String {
    m.question(code)
        .map(|q| super::form::said(lang, &q.label))
        .unwrap_or_else(|| code.to_owned())
}

fn term_label(m: &Methodology, lang: Lang, vocabulary: &str, code: &str) -> String {
    m.vocabulary(vocabulary)
        .and_then(|v| v.term(code))
        .map(|t| super::form::said(lang, &t.label))
        .unwrap_or_else(|| code.to_owned())
}

/// `GET /library/cases/{id}`: a published case as a researcher reads it.
#[poem::handler]
pub async fn case_page(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(id): Path<String>,
) -> Response {
    let visit = match visit(state, settings, request, access::ALL).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    match case_body(state, &visit, &id).await {
        Ok(body) => page(body.render(), StatusCode::OK, &visit.cookies),
        Err(ServiceError::NotFound { .. }) if own_unreleased(state, &visit, &id).await => {
            // The organisation's own case, not released yet (a search hit of its own records):
            // its own page, where it is edited and reviewed.
            super::see_other(&format!("/cases/{id}"), &visit.cookies)
        }
        Err(e) => not_found_or_broken(&visit, e),
    }
}

/// Whether case `id` is one of the visitor's organisation's, which they record (and so open on
/// its own page): the library shows only released records, whoever reads.
async fn own_unreleased(state: &AppState, visit: &super::Visit, id: &str) -> bool {
    let actor = &visit.session.actor;
    access::RECORDERS.contains(&actor.role)
        && case_service::read(state, actor, id)
            .await
            .is_ok_and(|c| c.case.organisation_id == actor.organisation_id)
}

async fn case_body(
    state: &AppState,
    visit: &super::Visit,
    id: &str,
) -> Result<CasePage, ServiceError> {
    let lang = visit.lang;
    let file = library::case_file(state, &visit.session.actor, id).await?;
    let c = &file.case.case;
    let m = methodology_version(state.methodology, Some(c.methodology_version as u32))?;
    let court = court_service::get(state, &c.court_id).await?;
    let merged = case_service::merged_answers(state, &file.case).await?;
    let mut facts = vec![
        (lang.t("library-case-number", &[]), c.case_number.clone()),
        (lang.t("library-court", &[]), court.name.clone()),
        (
            lang.t("search-facet-jurisdiction", &[]),
            value_label(m, lang, "jurisdiction", &file.case.jurisdiction),
        ),
        (
            lang.t("search-facet-proceeding-type", &[]),
            value_label(m, lang, "proceeding_type", &c.proceeding_type),
        ),
        (
            lang.t("search-facet-ground", &[]),
            file.case
                .grounds
                .iter()
                .map(|g| value_label(m, lang, "ground", g))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            lang.t("library-status", &[]),
            term_label(m, lang, "monitoring_status", &c.status),
        ),
    ];
    if let Some(d) = c.filing_date {
        facts.push((lang.t("library-filed", &[]), lang.date(d)));
    }
    if let Some(g) = &c.fairness_grade {
        facts.push((lang.t("library-grade", &[]), g.clone()));
    }
    let hearings = file
        .hearings
        .iter()
        .map(|h| HearingView {
            id: h.hearing.id.clone(),
            date: lang.date(h.hearing.scheduled_at.date_naive()),
            iso: h.hearing.scheduled_at.date_naive().to_string(),
            kind: term_label(m, lang, "hearing_type", &h.hearing.hearing_type),
            outcome: term_label(m, lang, "hearing_outcome", &h.hearing.outcome),
            observations: h
                .observations
                .iter()
                .map(|o| {
                    let answers: Map<String, Value> =
                        serde_json::from_str(&o.answers).unwrap_or_default();
                    let om =
                        methodology_version(state.methodology, Some(o.methodology_version as u32))
                            .unwrap_or(m);
                    let shown = INDICATORS
                        .iter()
                        .filter(|code| answers.contains_key(**code))
                        .map(|code| {
                            (
                                label_of(om, lang, code),
                                answer_words(om, lang, code, answers.get(*code)),
                            )
                        })
                        .collect();
                    (o.id.clone(), shown)
                })
                .collect(),
        })
        .collect();
    let rulings = file
        .rulings
        .iter()
        .map(|r| {
            (
                format!("/library/rulings/{}", r.id),
                r.title.clone(),
                r.decision_date.map(|d| lang.date(d)).unwrap_or_default(),
                r.outcome
                    .as_deref()
                    .map(|o| value_label(m, lang, "outcome", o))
                    .unwrap_or_default(),
            )
        })
        .collect();
    Ok(CasePage {
        shell: visit.shell_titled(c.title.clone()),
        facts,
        summary: c.summary.clone(),
        sections: answered(m, Scope::Case, &merged, &file.case.jurisdiction, lang),
        hearings,
        rulings,
    })
}
