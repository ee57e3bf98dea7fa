//! The review page of a case: its questions read with a comment box at each, return with
//! comments, publish, withdraw; the fairness grade (A–F, with a justification); its observations
//! with their states; its history from the audit trail. Built from the parts in `review.rs`.

use std::collections::BTreeMap;

use courtwatch_methodology::Scope;
use poem::{
    Request, Response,
    http::StatusCode,
    web::{Data, Path, Query},
};

use super::{
    Visit, WebSettings, form, form_visit,
    i18n::Lang,
    page,
    review::{
        Answered, DoneQuery, GradeForm, ReadSection, Remarks, ReviewPage, comment_problems,
        done_notice, failed, history, own_case, read_sections, read_sent, review_input, when,
    },
    see_other, visit,
};
use crate::{
    access,
    error::ServiceError,
    services::{
        case::{self as case_service, FairnessGrade, GradeInput},
        common::methodology_version,
        observation::{self as observation_service, ObservationFilter},
        review::{ReviewStatus, parse_comments},
    },
    state::AppState,
};

/// The grades, best first.
const GRADES: [(&str, FairnessGrade); 5] = [
    ("A", FairnessGrade::A),
    ("B", FairnessGrade::B),
    ("C", FairnessGrade::C),
    ("D", FairnessGrade::D),
    ("F", FairnessGrade::F),
];

/// What a refused step or grade shows again.
#[derive(Default)]
struct Again {
    status: Option<StatusCode>,
    general: Option<String>,
    comments: BTreeMap<String, String>,
    problems: BTreeMap<String, String>,
    grade: Option<(String, String, Option<String>)>,
}

async fn case_page(
    state: &AppState,
    visit: &Visit,
    id: &str,
    notice: Option<String>,
    again: &Again,
) -> Result<ReviewPage, ServiceError> {
    let lang = visit.lang;
    let record = own_case(state, visit, id).await?;
    let c = &record.case;
    let m = methodology_version(state.methodology, Some(c.methodology_version as u32))?;
    let merged = case_service::merged_answers(state, &record).await?;
    let earlier = parse_comments(c.review_comments.as_deref());
    let status = ReviewStatus::parse(&c.review_status);
    let field = |code: &str, label: &str, value: Option<&str>| Answered {
        code: code.to_owned(),
        label: lang.t(label, &[]),
        standard: None,
        answer: value.filter(|v| !v.is_empty()).unwrap_or("—").to_owned(),
        earlier: earlier.get(code).cloned(),
        typed: again.comments.get(code).cloned().unwrap_or_default(),
        problem: again.problems.get(code).cloned(),
    };
    let mut sections = vec![ReadSection {
        label: lang.t("review-case-record", &[]),
        questions: vec![
            field("title", "review-case-title", Some(&c.title)),
            field("summary", "review-case-summary", c.summary.as_deref()),
        ],
    }];
    sections.extend(read_sections(
        m,
        Scope::Case,
        &merged,
        &record.jurisdiction,
        &Remarks {
            earlier: &earlier,
            typed: &again.comments,
            problems: &again.problems,
        },
        lang,
    ));
    let observations = observation_service::list(
        state,
        &visit.session.actor,
        ObservationFilter {
            case_id: Some(c.id.clone()),
            ..ObservationFilter::default()
        },
        None,
        Some(500),
    )
    .await?
    .items;
    let records = observations
        .into_iter()
        .map(|(o, _)| {
            (
                format!("/review/observations/{}", o.id),
                lang.t("review-observation-of", &[]) + " " + &when(lang, o.created_at),
                lang.t(
                    &format!("review-{}", ReviewStatus::parse(&o.status).as_str()),
                    &[],
                ),
            )
        })
        .collect();
    let (grade, justification, grade_problem) = again.grade.clone().unwrap_or_else(|| {
        (
            c.fairness_grade.clone().unwrap_or_default(),
            c.grade_justification.clone().unwrap_or_default(),
            None,
        )
    });
    let heading = format!("{} · {}", c.case_number, c.title);
    let mut shell = visit.shell("review-queue-title");
    shell.title = heading.clone();
    Ok(ReviewPage {
        csrf: visit.session.session.csrf_token.clone(),
        heading,
        action: format!("/review/cases/{id}"),
        facts: vec![
            (
                lang.t("observation-status", &[]),
                lang.t(&format!("review-{}", status.as_str()), &[]),
            ),
            (
                lang.t("review-grade", &[]),
                c.fairness_grade.clone().unwrap_or_else(|| "—".into()),
            ),
        ],
        version: String::new(),
        notice,
        general: again.general.clone(),
        general_link: None,
        sections,
        can_return: status == ReviewStatus::Submitted,
        can_withdraw: status == ReviewStatus::Published,
        grade: Some(GradeForm {
            choices: GRADES
                .iter()
                .map(|(code, _)| (*code, lang.t(&format!("grade-{code}"), &[])))
                .collect(),
            current: grade,
            justification,
            problem: grade_problem,
            graded: c.graded_at.map(|at| when(lang, at)),
        }),
        records,
        history: history(state, visit, "case", id).await?,
        shell,
    })
}

async fn show(
    state: &AppState,
    visit: Visit,
    id: String,
    notice: Option<String>,
    again: Again,
) -> Response {
    match case_page(state, &visit, &id, notice, &again).await {
        Ok(body) => page(
            askama::Template::render(&body),
            again.status.unwrap_or(StatusCode::OK),
            &visit.cookies,
        ),
        Err(e) => failed(&visit, e),
    }
}

/// `GET /review/cases/{id}`.
#[poem::handler]
pub async fn review_case(
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
    show(state, visit, id, notice, Again::default()).await
}

/// `POST /review/cases/{id}`: return with comments, publish or withdraw.
#[poem::handler]
pub async fn take_case_step(
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
    if let Err(e) = own_case(state, &visit, &id).await {
        return failed(&visit, e);
    }
    let mut again = Again {
        comments: sent.comments.clone(),
        ..Again::default()
    };
    match review_input(&sent, lang) {
        Err(general) => {
            again.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
            again.general = Some(general);
        }
        Ok(input) => {
            let action = input.action;
            match case_service::review(state, &visit.session.actor, &id, input).await {
                Ok(_) => {
                    return see_other(
                        &format!("/review/cases/{id}?done={}", action.as_str()),
                        &visit.cookies,
                    );
                }
                Err(ServiceError::Conflict(message)) => {
                    again.status = Some(StatusCode::CONFLICT);
                    again.general = Some(message);
                }
                Err(ServiceError::Invalid(problems)) => {
                    again.status = Some(StatusCode::UNPROCESSABLE_ENTITY);
                    again.general = Some(not_taken(lang, &problems));
                    again.problems = comment_problems(&problems, lang);
                }
                Err(e) => return failed(&visit, e),
            }
        }
    }
    show(state, visit, id, None, again).await
}

/// The refusal in words: the case's own problems (a submission that is not complete) are named.
fn not_taken(lang: Lang, problems: &[crate::error::FieldProblem]) -> String {
    let said = super::i18n::methodology_lang(lang);
    let named: Vec<String> = problems
        .iter()
        .filter(|p| !p.field.starts_with("comments."))
        .map(|p| p.message_in(said))
        .collect();
    let mut text = lang.t("review-not-taken", &[]);
    if !named.is_empty() {
        text.push_str(": ");
        text.push_str(&named.join("; "));
    }
    text
}

/// `POST /review/cases/{id}/grade`: the fairness grade and why.
#[poem::handler]
pub async fn grade_case(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(id): Path<String>,
    body: String,
) -> Response {
    let pairs = form::pairs(&body);
    let value = |key: &str| form::value_of(&pairs, key).unwrap_or_default().to_owned();
    let visit = match form_visit(state, settings, request, access::REVIEWERS, &value("csrf")).await
    {
        Ok(v) => v,
        Err(response) => return response,
    };
    let lang = visit.lang;
    if let Err(e) = own_case(state, &visit, &id).await {
        return failed(&visit, e);
    }
    let grade = value("grade");
    let justification = value("justification").replace("\r\n", "\n");
    let chosen = GRADES.iter().find(|(code, _)| *code == grade).map(|g| g.1);
    let problem = match chosen {
        None => Some(lang.t("grade-choose", &[])),
        Some(_) if justification.trim().is_empty() => Some(lang.t("grade-justify", &[])),
        Some(_) if justification.chars().count() > 20000 => Some(lang.t("grade-too-long", &[])),
        Some(_) => None,
    };
    let again = |problem: String, status: StatusCode| Again {
        status: Some(status),
        general: Some(lang.t("review-not-taken", &[])),
        grade: Some((grade.clone(), justification.clone(), Some(problem))),
        ..Again::default()
    };
    let chosen = match (chosen, problem) {
        (Some(grade), None) => grade,
        (_, problem) => {
            let problem = problem.unwrap_or_default();
            return show(
                state,
                visit,
                id,
                None,
                again(problem, StatusCode::UNPROCESSABLE_ENTITY),
            )
            .await;
        }
    };
    let input = GradeInput {
        grade: chosen,
        justification: justification.clone(),
    };
    match case_service::grade(state, &visit.session.actor, &id, input).await {
        Ok(_) => see_other(&format!("/review/cases/{id}?done=grade"), &visit.cookies),
        Err(ServiceError::Invalid(problems)) => {
            let text = not_taken(lang, &problems);
            show(
                state,
                visit,
                id,
                None,
                again(text, StatusCode::UNPROCESSABLE_ENTITY),
            )
            .await
        }
        Err(e) => failed(&visit, e),
    }
}
