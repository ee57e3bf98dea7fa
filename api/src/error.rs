//! Errors: what services report ([`ServiceError`]) and the one place that turns them into HTTP
//! problems ([`ApiError`], RFC 7807 `application/problem+json`).
//!
//! The policy:
//!
//! - **The caller's mistakes are told to the caller, in full.** Bad content is
//!   [`ServiceError::Invalid`] with one [`FieldProblem`] per thing wrong (all of them, not the
//!   first), each naming the field and what is allowed; a malformed request is `BadRequest`, a
//!   state rule `Conflict`. Messages are sentences for a person, said in the request's language
//!   ([`LANGUAGE`]) where the methodology's message catalogue has them.
//! - **What breaks inside is logged, not shown.** [`ServiceError::Database`] and
//!   [`ServiceError::Internal`] answer 500 "internal error; it has been logged"; the log line holds
//!   the whole chain ([`chain`]). Build an internal error with [`ServiceError::internal_from`] so
//!   that the source is kept, or [`ServiceError::internal`] for a broken invariant with no source.
//! - **Existence is not leaked.** A record the caller may not see is `NotFound`, the same as one
//!   that does not exist; `Forbidden` is for a visible record the caller may not change.
//! - **One mapping.** Errors of the crates below (the index's [`courtwatch_indexer::IndexError`],
//!   sea-orm's `DbErr`) become service errors here, once: the index's `UserError` is a 400 with its
//!   own message, its `InternalError` an internal error; a failed write's unique violation is a
//!   conflict named after the constraint ([`ServiceError::from_write`]).

use courtwatch_methodology::messages::{Lang, Message, Said};
use poem_openapi::{ApiResponse, Object, payload::Json};
use sea_orm::{DbErr, SqlErr};
use thiserror::Error;

/// One thing wrong with submitted content.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FieldProblem {
    /// Where the problem is: a body field (`case_id`, `pseudonym`) or `answers.<question code>`.
    pub field: String,
    /// The methodology question code, when the problem is about an answer.
    #[oai(skip_serializing_if_is_none)]
    pub question: Option<String>,
    /// What is wrong, in one sentence, in the language asked for with `Accept-Language`
    /// (English, Albanian or Serbian; English where no translation exists).
    pub message: String,
    /// The validator's message with its particulars, to be said in the caller's language.
    #[oai(skip)]
    pub said: Option<Message>,
}

impl FieldProblem {
    /// A problem with a body field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            question: None,
            message: message.into(),
            said: None,
        }
    }

    /// A problem with the answer to a methodology question.
    pub fn answer(question: &str, message: impl Into<String>) -> Self {
        Self {
            field: format!("answers.{question}"),
            question: Some(question.to_owned()),
            message: message.into(),
            said: None,
        }
    }

    /// The message in `lang`.
    pub fn message_in(&self, lang: Lang) -> String {
        match &self.said {
            Some(said) if lang != Lang::En => said.render(lang),
            _ => self.message.clone(),
        }
    }
}

tokio::task_local! {
    /// The language of the request being answered (from `Accept-Language`), set around every
    /// request by `app::build`; problems are said in it.
    pub static LANGUAGE: Lang;
}

/// The language of the request being answered; English outside a request.
pub fn language() -> Lang {
    LANGUAGE.try_with(|l| *l).unwrap_or_default()
}

/// What a domain operation can fail with.
#[derive(Debug, Error)]
pub enum ServiceError {
    /// The request named a record (in the path) that does not exist or is not visible to the caller.
    #[error("{resource} {id} not found")]
    NotFound {
        /// The kind of record, e.g. `case`.
        resource: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The content is well-formed but breaks the rules; every problem is listed.
    #[error("invalid content: {} problem(s)", .0.len())]
    Invalid(Vec<FieldProblem>),
    /// The write would duplicate a record or break a state rule.
    #[error("conflict: {0}")]
    Conflict(String),
    /// An update was made from an older copy of the record than the one stored (`If-Match`, or
    /// two writers at once): nothing was changed.
    #[error("{resource} changed since version {expected}; it is now version {current}")]
    Stale {
        /// The kind of record.
        resource: &'static str,
        /// The version the update was made from.
        expected: u32,
        /// The version stored now.
        current: u32,
    },
    /// The request is malformed in a way the schema cannot express (a bad cursor, say).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// No valid credentials were presented.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The caller is known but their role may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The database failed; an internal error, never the caller's fault.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    /// Something else inside the service failed (the search index, say); never the caller's fault.
    #[error("internal error: {context}")]
    Internal {
        /// What the service was doing.
        context: String,
        /// What failed, kept so that the log shows the whole chain.
        #[source]
        source: Option<BoxError>,
    },
}

/// An error kept as the source of an internal error.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The index's split, kept: what the person searching did wrong is a 400 with the index's own
/// message (a query that does not parse names its column); what broke inside is internal.
impl From<courtwatch_indexer::IndexError> for ServiceError {
    fn from(e: courtwatch_indexer::IndexError) -> Self {
        match e {
            courtwatch_indexer::IndexError::User(e) => Self::BadRequest(e.to_string()),
            courtwatch_indexer::IndexError::Internal(e) => Self::internal_from("search index", e),
        }
    }
}

impl ServiceError {
    /// An internal error with nothing underneath (a broken invariant).
    pub fn internal(context: impl Into<String>) -> Self {
        Self::Internal {
            context: context.into(),
            source: None,
        }
    }

    /// An internal error caused by `source` (kept, so that the log shows the chain).
    pub fn internal_from(context: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::Internal {
            context: context.into(),
            source: Some(source.into()),
        }
    }

    /// A single-problem [`ServiceError::Invalid`].
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldProblem::field(field, message)])
    }

    /// Maps a failed write: unique-constraint violations become conflicts named after the constraint.
    pub fn from_write(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => {
                Self::Conflict(describe_unique_violation(&detail))
            }
            _ => Self::Database(err),
        }
    }
}

/// Turns a backend's unique-violation text into a sentence about our data. PostgreSQL names the
/// constraint; SQLite names the columns.
fn describe_unique_violation(detail: &str) -> String {
    const KNOWN: &[(&str, &str, &str)] = &[
        (
            "uq_cases_org_court_case_number",
            "cases.organisation_id, cases.court_id, cases.case_number",
            "your organisation already has a case with this case number at this court",
        ),
        (
            "uq_courts_jurisdiction_name",
            "courts.jurisdiction, courts.name",
            "a court with this name already exists in this jurisdiction",
        ),
        (
            "uq_parties_case_pseudonym",
            "parties.case_id, parties.pseudonym",
            "a party with this pseudonym already exists in this case",
        ),
        (
            "uq_rulings_org_external_id",
            "rulings.organisation_id, rulings.external_id",
            "your organisation already has a ruling with this external id",
        ),
        (
            "uq_organisations_name",
            "organisations.name",
            "an organisation with this name already exists",
        ),
        (
            "uq_users_email",
            "users.email",
            "another user already signs in with this e-mail address",
        ),
    ];
    KNOWN
        .iter()
        .find(|(constraint, columns, _)| detail.contains(constraint) || detail.contains(columns))
        .map(|(_, _, sentence)| (*sentence).to_owned())
        .unwrap_or_else(|| "the record duplicates an existing one".to_owned())
}

/// An RFC 7807 problem document.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Problem {
    /// A URI naming the kind of problem, e.g. `https://courtwatch.invalid/problems/validation`.
    #[oai(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, in one sentence.
    pub detail: String,
    /// For validation failures (422): every problem found, each naming the field or question code.
    #[oai(default, skip_serializing_if_is_empty)]
    pub errors: Vec<FieldProblem>,
}

impl Problem {
    /// A problem of the given kind.
    pub fn new(kind: &str, title: &str, status: u16, detail: impl Into<String>) -> Self {
        Self {
            problem_type: format!("https://courtwatch.invalid/problems/{kind}"),
            title: title.to_owned(),
            status,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// The standard problem for a status code that was produced outside our endpoints
    /// (unknown route, body over the size limit, ...).
    pub fn for_status(status: u16, detail: impl Into<String>) -> Self {
        let said = |en, sq, sr| Said { en, sq, sr };
        let (kind, title) = match status {
            400 => (
                "bad-request",
                said(
                    "Malformed request",
                    "Kërkesë e pasaktë",
                    "Neispravan zahtev",
                ),
            ),
            401 => (
                "unauthorized",
                said(
                    "Authentication required",
                    "Kërkohet identifikimi",
                    "Potrebna je prijava",
                ),
            ),
            403 => (
                "forbidden",
                said(
                    "Not allowed for this role",
                    "Nuk lejohet për këtë rol",
                    "Nije dozvoljeno za ovu ulogu",
                ),
            ),
            404 => (
                "not-found",
                said("Not found", "Nuk u gjet", "Nije pronađeno"),
            ),
            405 => (
                "method-not-allowed",
                said(
                    "Method not allowed",
                    "Metoda nuk lejohet",
                    "Metoda nije dozvoljena",
                ),
            ),
            409 => ("conflict", said("Conflict", "Konflikt", "Sukob")),
            412 => (
                "precondition-failed",
                said(
                    "Changed since read",
                    "Ndryshuar pas leximit",
                    "Promenjeno posle čitanja",
                ),
            ),
            413 => (
                "payload-too-large",
                said(
                    "Request body too large",
                    "Trupi i kërkesës është shumë i madh",
                    "Telo zahteva je preveliko",
                ),
            ),
            415 => (
                "unsupported-media-type",
                said(
                    "Unsupported media type",
                    "Lloj i pambështetur i përmbajtjes",
                    "Nepodržan tip sadržaja",
                ),
            ),
            422 => (
                "validation",
                said(
                    "Invalid content",
                    "Përmbajtje e pavlefshme",
                    "Neispravan sadržaj",
                ),
            ),
            429 => (
                "too-many-requests",
                said("Too many requests", "Shumë kërkesa", "Previše zahteva"),
            ),
            _ if status >= 500 => (
                "internal",
                said("Internal error", "Gabim i brendshëm", "Interna greška"),
            ),
            _ => (
                "error",
                said("Request failed", "Kërkesa dështoi", "Zahtev nije uspeo"),
            ),
        };
        Self::new(kind, &title.fill(language(), &[]), status, detail)
    }
}

/// The error responses of every endpoint.
#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "from_request_error")]
pub enum ApiError {
    /// The request is malformed: the JSON does not parse, a field has the wrong type, a query
    /// parameter or cursor is not valid.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No bearer token, or the token is unknown, revoked or expired.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>),
    /// The caller's role may not do this.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// The record named in the path does not exist.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The write duplicates an existing record (e.g. the same case number at the same court) or is
    /// not allowed in the record's current state.
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// `If-Match` named a version that is no longer the stored one: someone changed the record
    /// since it was read. Nothing was changed; read it again, and send the update anew.
    #[oai(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Json<Problem>),
    /// The request body is larger than the configured limit.
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// The body is missing or not `application/json`.
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// The content is well-formed but invalid; `errors` lists every problem at once, each naming
    /// the field or the methodology question code. Nothing was stored.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Too many refused tokens came from this client address in the last minute; `Retry-After`
    /// says when to try again.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>),
    /// Something broke inside the service; the details are in the server log, not here.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
}

impl ApiError {
    /// A 400 with this explanation.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest(Json(Problem::for_status(400, detail)))
    }
}

/// The 401 detail when no valid token came with the request.
pub fn token_required() -> String {
    Said {
        en: "a valid bearer token is required",
        sq: "kërkohet një token i vlefshëm bearer",
        sr: "potreban je važeći bearer token",
    }
    .fill(language(), &[])
}

fn from_request_error(err: poem::Error) -> ApiError {
    let status = err.status().as_u16();
    let detail = err.to_string();
    match status {
        401 => ApiError::Unauthorized(Json(Problem::for_status(401, token_required()))),
        413 => ApiError::PayloadTooLarge(Json(Problem::for_status(413, detail))),
        415 => ApiError::UnsupportedMediaType(Json(Problem::for_status(415, detail))),
        _ => ApiError::bad_request(detail),
    }
}

impl From<ServiceError> for ApiError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::NotFound { resource, id } => Self::NotFound(Json(Problem::for_status(
                404,
                Said {
                    en: "no {0} with id {1}",
                    sq: "nuk ka {0} me id {1}",
                    sr: "nema zapisa {0} sa id {1}",
                }
                .fill(language(), &[resource, &id]),
            ))),
            ServiceError::Invalid(mut errors) => {
                let lang = language();
                for e in &mut errors {
                    e.message = e.message_in(lang);
                }
                let detail = match errors.len() {
                    1 => Said {
                        en: "1 problem: {0}: {1}",
                        sq: "1 problem: {0}: {1}",
                        sr: "1 problem: {0}: {1}",
                    }
                    .fill(lang, &[&errors[0].field, &errors[0].message]),
                    n => Said {
                        en: "{0} problems; see errors",
                        sq: "{0} probleme; shihni errors",
                        sr: "{0} problema; pogledajte errors",
                    }
                    .fill(lang, &[&n.to_string()]),
                };
                let mut problem = Problem::for_status(422, detail);
                problem.errors = errors;
                Self::Unprocessable(Json(problem))
            }
            ServiceError::Conflict(detail) => {
                Self::Conflict(Json(Problem::for_status(409, detail)))
            }
            ServiceError::Stale {
                resource,
                expected,
                current,
            } => Self::PreconditionFailed(Json(Problem::for_status(
                412,
                Said {
                    en: "the {0} changed since version {1}; it is now version {2}. Nothing was changed",
                    sq: "{0} ndryshoi pas versionit {1}; tani është versioni {2}. Asgjë nuk u ndryshua",
                    sr: "zapis {0} je promenjen posle verzije {1}; sada je verzija {2}. Ništa nije promenjeno",
                }
                .fill(
                    language(),
                    &[resource, &expected.to_string(), &current.to_string()],
                ),
            ))),
            ServiceError::BadRequest(detail) => Self::bad_request(detail),
            ServiceError::Unauthorized(detail) => {
                Self::Unauthorized(Json(Problem::for_status(401, detail)))
            }
            ServiceError::Forbidden(detail) => {
                Self::Forbidden(Json(Problem::for_status(403, detail)))
            }
            ServiceError::Database(db_err) => {
                tracing::error!(error = %db_err, "database error");
                Self::Internal(Json(Problem::for_status(
                    500,
                    "internal error; it has been logged",
                )))
            }
            internal @ ServiceError::Internal { .. } => {
                tracing::error!(error = %chain(&internal), "internal error");
                Self::Internal(Json(Problem::for_status(
                    500,
                    "internal error; it has been logged",
                )))
            }
        }
    }
}

/// An error and its sources, outermost first: `internal error: export reader: task panicked`.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut out = error.to_string();
    let mut next = error.source();
    while let Some(e) = next {
        out.push_str(": ");
        out.push_str(&e.to_string());
        next = e.source();
    }
    out
}
