//! The coordinator's pages: the review queue (the organisation's submitted records, oldest
//! first, by case and by monitor) and the review page of an observation: the record read
//! question by question with a comment box at each, return with comments, publish, withdraw,
//! and the record's history from the audit trail. The case's review page (with the fairness
//! grade) is `review_case.rs`; both use the parts here.
//!
//! Only the visitor's own organisation's records are listed and opened (as on home): no page
//! shows another organisation's unredacted text, whatever the visitor's role.

use std::collections::BTreeMap;

use askama::Template;
use courtwatch_methodology::{Methodology, Scope};
use poem::{
    Request, Response,
    http::StatusCode,
    web::{Data, Path, Query},
};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::{
    Shell, Visit, WebSettings,
    form::{self, FormInput, said},
    form_visit,
    i18n::{Arg, Lang},
    observe::{answer_words, field_answers},
    page, see_other,
    trail::{Change, changes},
    visit,
};
use crate::{
    access,
    entities::{hearing, observation},
    error::{FieldProblem, ServiceError},
    services::{
        audit::{self, AuditFilter},
        case::{self as case_service, CaseFilter, CaseRecord},
        common::{methodology_version, parse_answers},
        hearing::{self as hearing_service, HearingFilter},
        observation::{self as observation_service, ObservationFilter},
        review::{ReviewAction, ReviewInput, ReviewStatus, parse_comments},
        users,
    },
    state::AppState,
};

/// A record waiting in the queue.
pub struct Waiting {
    href: String,
    what: String,
    detail: String,
    since: String,
}

/// The queue's filters, as the page's address carries them.
#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    case: String,
    #[serde(default)]
    monitor: String,
}

#[derive(Template)]
#[template(path = "review_queue.html")]
struct QueuePage {
    shell: Shell,
    cases: Vec<(String, String)>,
    monitors: Vec<(String, String)>,
    query: QueueQuery,
    observations: Vec<Waiting>,
    case_rows: Vec<Waiting>,
}

/// "12 Mar 2026 09:40 UTC".
pub(super) fn when(lang: Lang, at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{} {} UTC", lang.date(at.date_naive()), at.format("%H:%M"))
}

/// The visitor's organisation's cases (every state).
pub(super) async fn own_cases(
    state: &AppState,
    visit: &Visit,
) -> Result<Vec<CaseRecord>, ServiceError> {
    let organisation = &visit.session.user.organisation_id;
    Ok(case_service::list(
        state,
        &visit.session.actor,
        CaseFilter::default(),
        None,
        Some(500),
    )
    .await?
    .items
    .into_iter()
    .filter(|c| &c.case.organisation_id == organisation)
    .collect())
}

/// The case `id`, if it is the visitor's organisation's (404 otherwise: no page shows another
/// organisation's unredacted text).
pub(super) async fn own_case(
    state: &AppState,
    visit: &Visit,
    id: &str,
) -> Result<CaseRecord, ServiceError> {
    let record = case_service::read(state, &visit.session.actor, id).await?;
    if record.case.organisation_id != visit.session.user.organisation_id {
        return Err(ServiceError::NotFound {
            resource: "case",
            id: id.to_owned(),
        });
    }
    Ok(record)
}

fn case_name(c: &CaseRecord) -> String {
    format!("{} · {}", c.case.case_number, c.case.title)
}

/// `GET /review`: what waits for review, oldest first.
#[poem::handler]
pub async fn queue(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Query(query): Query<QueueQuery>,
) -> Response {
    let visit = match visit(state, settings, request, access::REVIEWERS).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    match queue_page(state, &visit, query).await {
        Ok(body) => page(body.render(), StatusCode::OK, &visit.cookies),
        Err(e) => super::pages::broken(visit.lang, &e),
    }
}

async fn queue_page(
    state: &AppState,
    visit: &Visit,
    query: QueueQuery,
) -> Result<QueuePage, ServiceError> {
    let lang = visit.lang;
    let actor = &visit.session.actor;
    let cases = own_cases(state, visit).await?;
    let people: BTreeMap<String, String> =
        users::list(&state.db, actor, Some(&visit.session.user.organisation_id))
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect();
    let asked = |v: &str| (!v.is_empty()).then(|| v.to_owned());
    let found = observation_service::list(
        state,
        actor,
        ObservationFilter {
            status: Some(ReviewStatus::Submitted),
            case_id: asked(&query.case),
            monitor_id: asked(&query.monitor),
            ..ObservationFilter::default()
        },
        None,
        Some(500),
    )
    .await?
    .items;
    let mut waiting: Vec<(observation::Model, &CaseRecord)> = found
        .into_iter()
        .filter_map(|(o, case_id)| cases.iter().find(|c| c.case.id == case_id).map(|c| (o, c)))
        .collect();
    waiting.sort_by_key(|(o, _)| (o.submitted_at.unwrap_or(o.created_at), o.id.clone()));
    let mut hearings: BTreeMap<String, hearing::Model> = BTreeMap::new();
    let case_ids: std::collections::BTreeSet<&str> =
        waiting.iter().map(|(_, c)| c.case.id.as_str()).collect();
    for case_id in case_ids {
        let listed = hearing_service::list(
            state,
            actor,
            HearingFilter {
                case_id: Some(case_id.to_owned()),
                ..HearingFilter::default()
            },
            None,
            Some(500),
        )
        .await?;
        hearings.extend(listed.items.into_iter().map(|h| (h.id.clone(), h)));
    }
    let observations = waiting
        .iter()
        .map(|(o, c)| {
            let hearing_date = hearings
                .get(&o.hearing_id)
                .map(|h| lang.date(h.scheduled_at.date_naive()))
                .unwrap_or_default();
            Waiting {
                href: format!("/review/observations/{}", o.id),
                what: case_name(c),
                detail: lang.t(
                    "review-queue-observation",
                    &[
                        ("date", Arg::Text(hearing_date.into())),
                        (
                            "monitor",
                            Arg::Text(
                                people
                                    .get(&o.monitor_id)
                                    .cloned()
                                    .unwrap_or_else(|| o.monitor_id.clone())
                                    .into(),
                            ),
                        ),
                    ],
                ),
                since: when(lang, o.submitted_at.unwrap_or(o.created_at)),
            }
        })
        .collect();
    let mut submitted: Vec<&CaseRecord> = cases
        .iter()
        .filter(|c| c.case.review_status == ReviewStatus::Submitted.as_str())
        .filter(|c| query.case.is_empty() || c.case.id == query.case)
        .collect();
    submitted.sort_by_key(|c| (c.case.updated_at, c.case.id.clone()));
    let case_rows = submitted
        .into_iter()
        .map(|c| Waiting {
            href: format!("/review/cases/{}", c.case.id),
            what: case_name(c),
            detail: lang.t("review-queue-case", &[]),
            since: when(lang, c.case.updated_at),
        })
        .collect();
    Ok(QueuePage {
        shell: visit.shell("review-queue-title"),
        cases: cases
            .iter()
            .map(|c| (c.case.id.clone(), case_name(c)))
            .collect(),
        monitors: people.into_iter().collect(),
        query,
        observations,
        case_rows,
    })
}

/// A question as the reviewer reads it.
pub struct Answered {
    pub code: String,
    pub label: String,
    pub standard: Option<String>,
    pub answer: String,
    /// The comment given when the record was last returned.
    pub earlier: Option<String>,
    /// What the reviewer typed (kept when a step was refused).
    pub typed: String,
    pub problem: Option<String>,
}

/// A section of the record.
pub struct ReadSection {
    pub label: String,
    pub questions: Vec<Answered>,
}

/// What the page says next to each question, by question code.
pub(super) struct Remarks<'a> {
    /// The comments given when the record was last returned.
    pub earlier: &'a BTreeMap<String, String>,
    /// What the reviewer typed (a refused step shows it again).
    pub typed: &'a BTreeMap<String, String>,
    /// What is wrong with what was typed.
    pub problems: &'a BTreeMap<String, String>,
}

/// The questions of `scope` that apply to `merged`, section by section, with their answers in
/// words and the `remarks`.
pub(super) fn read_sections(
    m: &Methodology,
    scope: Scope,
    merged: &Map<String, Value>,
    jurisdiction: &str,
    remarks: &Remarks<'_>,
    lang: Lang,
) -> Vec<ReadSection> {
    let none = BTreeMap::new();
    let input = FormInput {
        methodology: m,
        scope,
        merged,
        jurisdiction: Some(jurisdiction),
        problems: &none,
        comments: &none,
        lang,
        own_fields: &[],
    };
    m.sections
        .iter()
        .filter(|s| s.scope == scope)
        .map(|s| ReadSection {
            label: said(lang, &s.label),
            questions: input
                .questions(&s.code)
                .into_iter()
                .filter(|q| q.shown)
                .map(|q| Answered {
                    answer: answer_words(m, lang, &q.code, merged.get(&q.code)),
                    earlier: remarks.earlier.get(&q.code).cloned(),
                    typed: remarks.typed.get(&q.code).cloned().unwrap_or_default(),
                    problem: remarks.problems.get(&q.code).cloned(),
                    label: q.label,
                    standard: q.standard,
                    code: q.code,
                })
                .collect(),
        })
        .filter(|s| !s.questions.is_empty())
        .collect()
}

/// One step of a record's history.
pub struct Step {
    pub when: String,
    pub who: String,
    pub action: String,
    pub changes: Vec<Change>,
}

/// Who changed what and when, oldest first, from the audit trail.
pub(super) async fn history(
    state: &AppState,
    visit: &Visit,
    resource: &str,
    id: &str,
) -> Result<Vec<Step>, ServiceError> {
    let found = audit::list(
        state,
        &visit.session.actor,
        AuditFilter {
            resource: Some(resource.to_owned()),
            resource_id: Some(id.to_owned()),
            ..AuditFilter::default()
        },
        None,
        Some(500),
    )
    .await?;
    Ok(found
        .items
        .into_iter()
        .map(|e| Step {
            when: when(visit.lang, e.at),
            who: e.user_name.clone().unwrap_or_else(|| "—".into()),
            action: e.action.clone(),
            changes: changes(e.before.as_ref(), e.after.as_ref())
                .into_iter()
                .filter(|c| !matches!(c.field.as_str(), "updated_at" | "version"))
                .collect(),
        })
        .collect())
}

/// What a review form sent: the step, the version it was made from and the comments typed.
pub(super) struct Sent {
    pub action: Option<ReviewAction>,
    pub version: Option<u32>,
    pub comments: BTreeMap<String, String>,
    pub csrf: String,
}

pub(super) fn read_sent(body: &str) -> (Sent, Vec<(String, String)>) {
    let pairs = form::pairs(body);
    let sent = Sent {
        action: match form::value_of(&pairs, "action") {
            Some("return") => Some(ReviewAction::Return),
            Some("publish") => Some(ReviewAction::Publish),
            Some("withdraw") => Some(ReviewAction::Withdraw),
            _ => None,
        },
        version: form::value_of(&pairs, "version").and_then(|v| v.parse().ok()),
        comments: pairs
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("c.")
                    .filter(|_| !v.trim().is_empty())
                    .map(|code| (code.to_owned(), v.replace("\r\n", "\n")))
            })
            .collect(),
        csrf: form::value_of(&pairs, "csrf")
            .unwrap_or_default()
            .to_owned(),
    };
    (sent, pairs)
}

/// The step as the service takes it, or what is wrong with the form (said in `lang`): a return
/// needs a comment; comments go with a return only (none is dropped unsaid).
pub(super) fn review_input(sent: &Sent, lang: Lang) -> Result<ReviewInput, String> {
    let Some(action) = sent.action else {
        return Err(lang.t("review-no-action", &[]));
    };
    if action == ReviewAction::Return && sent.comments.is_empty() {
        return Err(lang.t("review-comment-needed", &[]));
    }
    if action != ReviewAction::Return && !sent.comments.is_empty() {
        return Err(lang.t("review-comments-only-with-return", &[]));
    }
    Ok(ReviewInput {
        action,
        comments: if action == ReviewAction::Return {
            sent.comments.clone()
        } else {
            BTreeMap::new()
        },
    })
}

/// The problems of a refused step, by the question (or field) they concern.
pub(super) fn comment_problems(problems: &[FieldProblem], lang: Lang) -> BTreeMap<String, String> {
    let lang = super::i18n::methodology_lang(lang);
    problems
        .iter()
        .map(|p| {
            (
                p.field.trim_start_matches("comments.").to_owned(),
                p.message_in(lang),
            )
        })
        .collect()
}

#[derive(Template)]
#[template(path = "review.html")]
pub(super) struct ReviewPage {
    pub shell: Shell,
    pub csrf: String,
    pub heading: String,
    pub action: String,
    pub facts: Vec<(String, String)>,
    pub version: String,
    pub notice: Option<String>,
    pub general: Option<String>,
    pub general_link: Option<(String, String)>,
    pub sections: Vec<ReadSection>,
    pub can_return: bool,
    pub can_withdraw: bool,
    /// The grade form of a case: the grades with their words, the current grade and its reasons.
    pub grade: Option<GradeForm>,
    /// A case's observations: address, what, state.
    pub records: Vec<(String, String, String)>,
    pub history: Vec<Step>,
}

/// The fairness grade of a case, as its form shows it.
pub struct GradeForm {
    pub choices: Vec<(&'static str, String)>,
    pub current: String,
    pub justification: String,
    pub problem: Option<String>,
    pub graded: Option<String>,
}

/// The query of a review page.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    pub done: String,
}

/// "Returned to the monitor." and the like, after a step.
pub(super) fn done_notice(lang: Lang, done: &str) -> Option<String> {
    matches!(done, "return" | "publish" | "withdraw" | "grade")
        .then(|| lang.t(&format!("review-done-{done}"), &[]))
}

/// What a refused step shows.
struct Refusal {
    status: StatusCode,
    general: String,
    link: Option<(String, String)>,
    problems: BTreeMap<String, String>,
}

/// The observation `id`, if it is the visitor's organisation's; with its hearing and case.
async fn load(
    state: &AppState,
    visit: &Visit,
    id: &str,
) -> Result<(observation::Model, hearing::Model, CaseRecord), ServiceError> {
    let actor = &visit.session.actor;
    let (found, case_id) = observation_service::read(state, actor, id).await?;
    let case = case_service::read(state, actor, &case_id).await?;
    if case.case.organisation_id != visit.session.user.organisation_id {
        return Err(ServiceError::NotFound {
            resource: "observation",
            id: id.to_owned(),
        });
    }
    let hearing = hearing_service::get(state, &found.hearing_id).await?;
    Ok((found, hearing, case))
}

async fn observation_page(
    state: &AppState,
    visit: &Visit,
    id: &str,
    notice: Option<String>,
    refusal: Option<(&Refusal, &BTreeMap<String, String>)>,
) -> Result<ReviewPage, ServiceError> {
    let lang = visit.lang;
    let (found, hearing, case) = load(state, visit, id).await?;
    let m = methodology_version(state.methodology, Some(found.methodology_version as u32))?;
    let mut merged = parse_answers(&found.answers)?;
    merged.extend(field_answers(m, &hearing));
    let status = ReviewStatus::parse(&found.status);
    let earlier = parse_comments(found.review_comments.as_deref());
    let none = BTreeMap::new();
    let (typed, problems) = refusal
        .map(|(r, t)| (t, &r.problems))
        .unwrap_or((&none, &none));
    let mut sections = read_sections(
        m,
        Scope::Observation,
        &merged,
        &case.jurisdiction,
        &Remarks {
            earlier: &earlier,
            typed,
            problems,
        },
        lang,
    );
    sections.push(ReadSection {
        label: lang.t("observation-notes", &[]),
        questions: vec![Answered {
            code: "notes".into(),
            label: lang.t("observation-notes", &[]),
            standard: None,
            answer: found.notes.clone().unwrap_or_else(|| "—".into()),
            earlier: earlier.get("notes").cloned(),
            typed: typed.get("notes").cloned().unwrap_or_default(),
            problem: problems.get("notes").cloned(),
        }],
    });
    let monitor = users::get(&state.db, &visit.session.actor, &found.monitor_id)
        .await
        .map(|u| u.display_name)
        .unwrap_or_else(|_| found.monitor_id.clone());
    let heading = lang.t(
        "review-observation-title",
        &[(
            "date",
            Arg::Text(lang.date(hearing.scheduled_at.date_naive()).into()),
        )],
    );
    let mut shell = visit.shell("review-queue-title");
    shell.title = heading.clone();
    Ok(ReviewPage {
        csrf: visit.session.session.csrf_token.clone(),
        heading,
        action: format!("/review/observations/{id}"),
        facts: vec![
            (lang.t("review-case", &[]), case_name(&case)),
            (lang.t("review-monitor", &[]), monitor),
            (
                lang.t("observation-status", &[]),
                lang.t(&format!("review-{}", status.as_str()), &[]),
            ),
            (
                lang.t("review-submitted-at", &[]),
                found
                    .submitted_at
                    .map(|at| when(lang, at))
                    .unwrap_or_else(|| "—".into()),
            ),
            (lang.t("review-version", &[]), found.version.to_string()),
        ],
        version: found.version.to_string(),
        notice,
        general: refusal.map(|(r, _)| r.general.clone()),
        general_link: refusal.and_then(|(r, _)| r.link.clone()),
        sections,
        can_return: status == ReviewStatus::Submitted,
        can_withdraw: status == ReviewStatus::Published,
        grade: None,
        records: Vec::new(),
        history: history(state, visit, "observation", id).await?,
        shell,
    })
}

/// A page for a refusal of the service: not found 404, not allowed 403, a state rule 409.
pub(super) fn failed(visit: &Visit, e: ServiceError) -> Response {
    let lang = visit.lang;
    let (status, text) = match &e {
        ServiceError::NotFound { .. } => (StatusCode::NOT_FOUND, lang.t("page-not-found", &[])),
        ServiceError::Forbidden(_) => (StatusCode::FORBIDDEN, lang.t("page-forbidden", &[])),
        _ => return super::pages::broken(lang, &e),
    };
    super::pages::message(lang, Some(&visit.session), status, text, true)
}

/// `GET /review/observations/{id}`.
#[poem::handler]
pub async fn review_observation(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let visit = match visit(state, settings, request, access::REVIEWERS).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let notice = done_notice(visit.lang, &query.done);
    match observation_page(state, &visit, &id, notice, None).await {
        Ok(body) => page(body.render(), StatusCode::OK, &visit.cookies),
        Err(e) => failed(&visit, e),
    }
}

/// `POST /review/observations/{id}`: return with comments, publish or withdraw, on the version
/// the reviewer read.
#[poem::handler]
pub async fn take_observation_step(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(id): Path<String>,
    body: String,
) -> Response {
    let (sent, _) = read_sent(&body);
    let visit = match form_visit(state, settings, request, access::REVIEWERS, &sent.csrf).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let lang = visit.lang;
    let (_, _, case) = match load(state, &visit, &id).await {
        Ok(found) => found,
        Err(e) => return failed(&visit, e),
    };
    let refusal = match review_input(&sent, lang) {
        Err(general) => Refusal {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            general,
            link: None,
            problems: BTreeMap::new(),
        },
        Ok(input)
            if input.action == ReviewAction::Publish
                && case.case.review_status != ReviewStatus::Published.as_str() =>
        {
            Refusal {
                status: StatusCode::CONFLICT,
                general: lang.t("review-case-first", &[]),
                link: Some((
                    format!("/review/cases/{}", case.case.id),
                    lang.t("review-open-case", &[]),
                )),
                problems: BTreeMap::new(),
            }
        }
        Ok(input) => {
            let action = input.action;
            match observation_service::review(state, &visit.session.actor, &id, input, sent.version)
                .await
            {
                Ok(_) => {
                    return see_other(
                        &format!("/review/observations/{id}?done={}", action.as_str()),
                        &visit.cookies,
                    );
                }
                Err(ServiceError::Stale { .. }) => Refusal {
                    status: StatusCode::CONFLICT,
                    general: lang.t("review-stale", &[]),
                    link: None,
                    problems: BTreeMap::new(),
                },
                Err(ServiceError::Conflict(message)) => Refusal {
                    status: StatusCode::CONFLICT,
                    general: message,
                    link: None,
                    problems: BTreeMap::new(),
                },
                Err(ServiceError::Invalid(problems)) => Refusal {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    general: lang.t("review-not-taken", &[]),
                    link: None,
                    problems: comment_problems(&problems, lang),
                },
                Err(e) => return failed(&visit, e),
            }
        }
    };
    match observation_page(state, &visit, &id, None, Some((&refusal, &sent.comments))).await {
        Ok(body) => page(body.render(), refusal.status, &visit.cookies),
        Err(e) => failed(&visit, e),
    }
}
