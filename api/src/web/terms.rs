//! A case's sensitive terms: the editor (a term, its kind, the party it names, organisation-wide
//! or not) and the **preview as a researcher sees it**: every text of the case's records with
//! the masks applied by the same redactor the API, the datasets and the index use
//! (`services::preview`). For the case's organisation (as the API's terms are).

use askama::Template;
use poem::{
    Request, Response,
    http::StatusCode,
    web::{Data, Path, Query},
};
use serde_json::Value;

use super::{
    Shell, Visit, WebSettings, form, form_visit, page,
    review::{DoneQuery, failed},
    see_other, visit,
};
use crate::{
    access,
    error::{FieldProblem, ServiceError},
    services::{
        case as case_service, party as party_service,
        preview::{self, Previewed},
        sensitive::{self, SensitiveKind, SensitiveTerm, SensitiveTermsInput},
    },
    state::AppState,
};

/// Empty rows offered for new terms.
const NEW_ROWS: usize = 3;

/// A row of the editor.
pub struct Row {
    pub term: String,
    pub kind: String,
    pub party: String,
    pub organisation_wide: bool,
    pub problem: Option<String>,
}

/// A text of a record as a researcher reads it.
pub struct Seen {
    pub field: String,
    pub text: String,
    /// As written, when a mask changed it.
    pub written: Option<String>,
}

/// A record of the preview.
pub struct SeenRecord {
    pub what: String,
    pub texts: Vec<Seen>,
}

#[derive(Template)]
#[template(path = "terms.html")]
struct TermsPage {
    shell: Shell,
    csrf: String,
    case_id: String,
    case_name: String,
    rows: Vec<Row>,
    kinds: Vec<(&'static str, String)>,
    parties: Vec<(String, String)>,
    notice: Option<String>,
    general: Option<String>,
    preview: Vec<SeenRecord>,
    masked: usize,
}

/// The prose of `value` (strings with a space: not ids, codes or dates), by dotted path.
fn prose(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                prose(&path, v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                prose(&format!("{prefix}[{i}]"), v, out);
            }
        }
        Value::String(s) if s.contains(char::is_whitespace) => {
            out.push((prefix.to_owned(), s.clone()))
        }
        _ => {}
    }
}

fn seen_records(visit: &Visit, records: Vec<Previewed>) -> (Vec<SeenRecord>, usize) {
    let mut masked = 0;
    let shown = records
        .into_iter()
        .map(|p| {
            let mut written = Vec::new();
            prose("", &p.written, &mut written);
            let mut seen = Vec::new();
            prose("", &p.seen, &mut seen);
            let texts: Vec<Seen> = seen
                .into_iter()
                .map(|(field, text)| {
                    let before = written
                        .iter()
                        .find(|(f, _)| *f == field)
                        .map(|(_, t)| t.clone());
                    let changed = before.as_ref().is_some_and(|b| *b != text);
                    masked += usize::from(changed);
                    Seen {
                        field,
                        written: before.filter(|_| changed),
                        text,
                    }
                })
                .collect();
            SeenRecord {
                what: format!(
                    "{} {}",
                    visit.lang.t(&format!("terms-record-{}", p.resource), &[]),
                    &p.id[p.id.len().saturating_sub(6)..]
                ),
                texts,
            }
        })
        .filter(|r| !r.texts.is_empty())
        .collect();
    (shown, masked)
}

async fn render(
    state: &AppState,
    visit: &Visit,
    case_id: &str,
    rows: Option<Vec<Row>>,
    notice: Option<String>,
    general: Option<String>,
    status: StatusCode,
) -> Response {
    let lang = visit.lang;
    let actor = &visit.session.actor;
    let found = async {
        let case = case_service::read(state, actor, case_id).await?;
        let terms = sensitive::read(state, actor, case_id).await?;
        let parties = party_service::list(
            state,
            actor,
            Some(case_id.to_owned()),
            None,
            None,
            Some(500),
        )
        .await?
        .items;
        let records = preview::preview(state, actor, case_id).await?;
        Ok::<_, ServiceError>((case, terms, parties, records))
    }
    .await;
    let (case, terms, parties, records) = match found {
        Ok(found) => found,
        Err(e) => return failed(visit, e),
    };
    let mut rows = rows.unwrap_or_else(|| {
        terms
            .terms
            .into_iter()
            .map(|t| Row {
                term: t.term,
                kind: t.kind.code().to_owned(),
                party: t.party_id.unwrap_or_default(),
                organisation_wide: t.organisation_wide.unwrap_or(false),
                problem: None,
            })
            .collect()
    });
    rows.extend((0..NEW_ROWS).map(|_| Row {
        term: String::new(),
        kind: "name".into(),
        party: String::new(),
        organisation_wide: false,
        problem: None,
    }));
    let (preview, masked) = seen_records(visit, records);
    let body = TermsPage {
        shell: visit.shell("terms-title"),
        csrf: visit.session.session.csrf_token.clone(),
        case_id: case_id.to_owned(),
        case_name: format!("{} · {}", case.case.case_number, case.case.title),
        rows,
        kinds: SensitiveKind::ALL
            .iter()
            .map(|k| (k.code(), lang.t(&format!("terms-kind-{}", k.code()), &[])))
            .collect(),
        parties: parties.into_iter().map(|p| (p.id, p.pseudonym)).collect(),
        notice,
        general,
        preview,
        masked,
    };
    page(body.render(), status, &visit.cookies)
}

/// `GET /cases/{id}/sensitive-terms`.
#[poem::handler]
pub async fn terms_page(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Response {
    let visit = match visit(state, settings, request, access::RECORDERS).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let notice = (query.done == "saved").then(|| visit.lang.t("terms-saved", &[]));
    render(state, &visit, &id, None, notice, None, StatusCode::OK).await
}

/// The rows sent: `t.N.term`, `t.N.kind`, `t.N.party`, `t.N.org`, `t.N.remove`; rows with no
/// term, or marked to be removed, are left out.
fn rows_sent(pairs: &[(String, String)]) -> Vec<(Row, bool)> {
    let mut indexes: Vec<usize> = pairs
        .iter()
        .filter_map(|(k, _)| k.strip_prefix("t.")?.split('.').next()?.parse().ok())
        .collect();
    indexes.sort_unstable();
    indexes.dedup();
    indexes
        .into_iter()
        .map(|i| {
            let value = |name: &str| {
                form::value_of(pairs, &format!("t.{i}.{name}"))
                    .unwrap_or_default()
                    .to_owned()
            };
            (
                Row {
                    term: value("term"),
                    kind: value("kind"),
                    party: value("party"),
                    organisation_wide: value("org") == "1",
                    problem: None,
                },
                value("remove") == "1",
            )
        })
        .filter(|(row, _)| !row.term.trim().is_empty())
        .collect()
}

/// `POST /cases/{id}/sensitive-terms`: replaces the list (nothing is stored when a row is
/// refused; the rows come back as sent, each problem next to its row).
#[poem::handler]
pub async fn save_terms(
    request: &Request,
    Data(state): Data<&AppState>,
    Data(settings): Data<&WebSettings>,
    Path(id): Path<String>,
    body: String,
) -> Response {
    let pairs = form::pairs(&body);
    let csrf = form::value_of(&pairs, "csrf")
        .unwrap_or_default()
        .to_owned();
    let visit = match form_visit(state, settings, request, access::RECORDERS, &csrf).await {
        Ok(v) => v,
        Err(response) => return response,
    };
    let lang = visit.lang;
    let mut rows: Vec<Row> = rows_sent(&pairs)
        .into_iter()
        .filter(|(_, removed)| !removed)
        .map(|(row, _)| row)
        .collect();
    let input = SensitiveTermsInput {
        terms: rows
            .iter()
            .map(|r| SensitiveTerm {
                term: r.term.clone(),
                kind: SensitiveKind::from_code(&r.kind),
                party_id: (!r.party.is_empty()).then(|| r.party.clone()),
                organisation_wide: r.organisation_wide.then_some(true),
            })
            .collect(),
    };
    match sensitive::replace(state, &visit.session.actor, &id, input).await {
        Ok(_) => see_other(
            &format!("/cases/{id}/sensitive-terms?done=saved"),
            &visit.cookies,
        ),
        Err(ServiceError::Invalid(problems)) => {
            let said = super::i18n::methodology_lang(lang);
            let mut general = Vec::new();
            for p in &problems {
                match row_of(p) {
                    Some(i) if i < rows.len() => rows[i].problem = Some(p.message_in(said)),
                    _ => general.push(p.message_in(said)),
                }
            }
            let text = std::iter::once(lang.t("terms-not-saved", &[]))
                .chain(general)
                .collect::<Vec<_>>()
                .join(" ");
            render(
                state,
                &visit,
                &id,
                Some(rows),
                None,
                Some(text),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => failed(&visit, e),
    }
}

/// `terms[3].term` → 3.
fn row_of(p: &FieldProblem) -> Option<usize> {
    p.field
        .strip_prefix("terms[")?
        .split(']')
        .next()?
        .parse()
        .ok()
}
