//! Sensitive terms of a case (who may read and replace them), and redaction of records on their
//! way out. The text rules are in [`crate::redact`]; this module decides **which** text of each
//! record passes through them and for whom:
//!
//! - API reads: for anyone outside the record's organisation ([`policy::sees_unredacted`]), every
//!   free-text field of cases, parties, hearings, observations and rulings, including free-text
//!   answers and review comments.
//! - Search: the text put in the index is always redacted, so queries, snippets and hits never
//!   hold a term (the index is shared by all viewers).
//! - Datasets: always redacted (a dataset is a release for reports), through the exporter's
//!   single row writer.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use courtwatch_methodology::{AnswerType, Registry};
use poem_openapi::{Enum, Object};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::Value;

use crate::access::Actor;
use crate::{
    access::policy,
    entities::{case, hearing, observation, party, ruling, sensitive_term},
    error::{FieldProblem, ServiceError},
    outbox::{self, Change},
    redact::{Redactor, Term, TermKind},
    services::{
        audit::{self, Entry, snapshot},
        case::{self as case_service, CaseRecord},
        common::{new_id, parse_answers},
    },
    state::AppState,
};

/// Longest term accepted, in characters.
const MAX_TERM: usize = 200;
/// Most terms per case.
const MAX_TERMS: usize = 500;

/// What a term is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum SensitiveKind {
    /// A person's real name; each word of it (of three letters or more) is also redacted alone.
    Name,
    /// A street address.
    Address,
    /// A personal ID, passport or other document number (matched with any spacing).
    IdNumber,
    /// A place small enough to identify someone.
    Place,
    /// Anything else that identifies someone.
    Other,
}

impl SensitiveKind {
    fn kind(self) -> TermKind {
        match self {
            SensitiveKind::Name => TermKind::Name,
            SensitiveKind::Address => TermKind::Address,
            SensitiveKind::IdNumber => TermKind::IdNumber,
            SensitiveKind::Place => TermKind::Place,
            SensitiveKind::Other => TermKind::Other,
        }
    }

    /// The kinds, as forms offer them.
    pub const ALL: [SensitiveKind; 5] = [
        SensitiveKind::Name,
        SensitiveKind::Address,
        SensitiveKind::IdNumber,
        SensitiveKind::Place,
        SensitiveKind::Other,
    ];

    /// The stored code.
    pub fn code(self) -> &'static str {
        self.kind().code()
    }

    /// From the stored code (an unknown code reads as `other`).
    pub fn from_code(code: &str) -> Self {
        match TermKind::parse(code) {
            Some(TermKind::Name) => SensitiveKind::Name,
            Some(TermKind::Address) => SensitiveKind::Address,
            Some(TermKind::IdNumber) => SensitiveKind::IdNumber,
            Some(TermKind::Place) => SensitiveKind::Place,
            Some(TermKind::Other) | None => SensitiveKind::Other,
        }
    }
}

/// One sensitive term.
#[derive(Debug, Clone, Object, PartialEq, Eq)]
#[oai(skip_serializing_if_is_none)]
pub struct SensitiveTerm {
    /// The term as it is written (a real name, an address, a number); other spellings, scripts
    /// and inflected forms are found without being listed.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub term: String,
    /// What it is (decides the mask when it names no party).
    pub kind: SensitiveKind,
    /// The party of this case the term names: its pseudonym replaces the term (in this case; in
    /// the organisation's other cases an organisation-wide term is masked by its kind).
    pub party_id: Option<String>,
    /// Whether the term applies to every record of the organisation, not only to this case: the
    /// same person in several cases. Default false.
    pub organisation_wide: Option<bool>,
}

/// A case's sensitive terms.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SensitiveTerms {
    /// The case.
    pub case_id: String,
    /// The terms, in the order entered.
    pub terms: Vec<SensitiveTerm>,
}

/// The new list of a case's sensitive terms (replaces the whole list).
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SensitiveTermsInput {
    /// The terms, at most 500.
    pub terms: Vec<SensitiveTerm>,
}

async fn stored<C: ConnectionTrait>(
    db: &C,
    case_id: &str,
) -> Result<Vec<SensitiveTerm>, ServiceError> {
    Ok(sensitive_term::Entity::find()
        .filter(sensitive_term::Column::CaseId.eq(case_id))
        .order_by_asc(sensitive_term::Column::Position)
        .all(db)
        .await?
        .into_iter()
        .map(|t| SensitiveTerm {
            term: t.term,
            kind: SensitiveKind::from_code(&t.kind),
            party_id: t.party_id,
            organisation_wide: t.organisation_wide.then_some(true),
        })
        .collect())
}

/// A case's terms: for its own organisation (and admins) only; anyone else who may see the case
/// gets 403, and 404 when they may not see it.
pub async fn read(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
) -> Result<SensitiveTerms, ServiceError> {
    let found = case_service::read(state, actor, case_id).await?;
    if !policy::sees_unredacted(actor, &found.case.organisation_id) {
        return Err(ServiceError::Forbidden(
            "sensitive terms are shown only to the case's organisation".into(),
        ));
    }
    Ok(SensitiveTerms {
        case_id: case_id.to_owned(),
        terms: stored(&state.db, case_id).await?,
    })
}

/// Letters and digits in a term.
fn significant(term: &str) -> usize {
    term.chars().filter(|c| c.is_alphanumeric()).count()
}

async fn check(
    state: &AppState,
    case_id: &str,
    input: &SensitiveTermsInput,
) -> Result<(), ServiceError> {
    let mut problems = Vec::new();
    if input.terms.len() > MAX_TERMS {
        problems.push(FieldProblem::field(
            "terms",
            format!("at most {MAX_TERMS} terms per case"),
        ));
    }
    let parties: HashSet<String> = party::Entity::find()
        .filter(party::Column::CaseId.eq(case_id))
        .select_only()
        .column(party::Column::Id)
        .into_tuple::<String>()
        .all(&state.db)
        .await?
        .into_iter()
        .collect();
    let mut seen = HashSet::new();
    for (i, t) in input.terms.iter().enumerate() {
        let field = |name: &str| format!("terms[{i}].{name}");
        if t.term.chars().count() > MAX_TERM {
            problems.push(FieldProblem::field(
                &field("term"),
                format!("at most {MAX_TERM} characters"),
            ));
        }
        if significant(&t.term) < 3 {
            problems.push(FieldProblem::field(
                &field("term"),
                "a term needs at least 3 letters or digits (a shorter one would mask common words)",
            ));
        }
        if t.term.trim() != t.term {
            problems.push(FieldProblem::field(
                &field("term"),
                "leading or trailing spaces: write the term as it appears",
            ));
        }
        if !seen.insert(crate::redact::skeleton(&t.term)) {
            problems.push(FieldProblem::field(
                &field("term"),
                format!(
                    "\"{}\" is listed twice (in this or another spelling)",
                    t.term
                ),
            ));
        }
        if let Some(p) = &t.party_id
            && !parties.contains(p)
        {
            problems.push(FieldProblem::field(
                &field("party_id"),
                format!("no party with id {p} in case {case_id}"),
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(problems))
    }
}

/// Replaces a case's terms (its organisation's monitors and coordinators, admins). Every document
/// of the case is re-indexed with the new terms; recorded in the audit trail.
pub async fn replace(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    input: SensitiveTermsInput,
) -> Result<SensitiveTerms, ServiceError> {
    let found = case_service::read(state, actor, case_id).await?;
    case_service::require_change(actor, &found.case)?;
    check(state, case_id, &input).await?;
    let txn = crate::services::common::begin_write(&state.db).await?;
    let before = SensitiveTerms {
        case_id: case_id.to_owned(),
        terms: stored(&txn, case_id).await?,
    };
    sensitive_term::Entity::delete_many()
        .filter(sensitive_term::Column::CaseId.eq(case_id))
        .exec(&txn)
        .await?;
    let now = Utc::now();
    for (position, t) in input.terms.iter().enumerate() {
        let wide = t.organisation_wide == Some(true);
        sensitive_term::ActiveModel {
            id: Set(new_id()),
            case_id: Set(case_id.to_owned()),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            term: Set(t.term.clone()),
            kind: Set(t.kind.kind().code().to_owned()),
            party_id: Set(t.party_id.clone()),
            organisation_wide: Set(wide),
            organisation_id: Set(wide.then(|| found.case.organisation_id.clone())),
            created_at: Set(now),
            created_by: Set(actor.user_id.clone()),
        }
        .insert(&txn)
        .await?;
    }
    let wide = |terms: &[SensitiveTerm]| terms.iter().any(|t| t.organisation_wide == Some(true));
    let reaches_other_cases = wide(&before.terms) || wide(&input.terms);
    let after = SensitiveTerms {
        case_id: case_id.to_owned(),
        terms: input.terms.into_iter().map(normalised).collect(),
    };
    audit::record(
        &txn,
        Some(actor),
        Entry {
            action: "update",
            resource: "sensitive_terms",
            resource_id: case_id,
            organisation_id: Some(&found.case.organisation_id),
            before: snapshot(&before),
            after: snapshot(&after),
        },
    )
    .await?;
    if reaches_other_cases {
        // Organisation-wide terms change what every case of the organisation shows.
        let cases: Vec<String> = case::Entity::find()
            .filter(case::Column::OrganisationId.eq(found.case.organisation_id.as_str()))
            .select_only()
            .column(case::Column::Id)
            .into_tuple()
            .all(&txn)
            .await?;
        for id in cases {
            outbox::record(&txn, Change::Case, &id).await?;
        }
    } else {
        outbox::record(&txn, Change::Case, case_id).await?;
    }
    txn.commit().await?;
    Ok(after)
}

/// A term as it is stored and read back (`organisation_wide: false` is not written out).
fn normalised(mut t: SensitiveTerm) -> SensitiveTerm {
    if t.organisation_wide != Some(true) {
        t.organisation_wide = None;
    }
    t
}

/// The redactor of each of these cases (patterns only for a case without terms).
pub async fn redactors<C: ConnectionTrait>(
    db: &C,
    case_ids: &HashSet<&str>,
) -> Result<HashMap<String, Redactor>, ServiceError> {
    let mut out = HashMap::new();
    if case_ids.is_empty() {
        return Ok(out);
    }
    let ids: Vec<String> = case_ids.iter().map(|s| (*s).to_owned()).collect();
    let mut terms = Vec::new();
    // Bounded IN lists, for SQLite's limit on bound parameters.
    for chunk in ids.chunks(5_000) {
        terms.extend(
            sensitive_term::Entity::find()
                .filter(sensitive_term::Column::CaseId.is_in(chunk.to_vec()))
                .order_by_asc(sensitive_term::Column::CaseId)
                .order_by_asc(sensitive_term::Column::Position)
                .all(db)
                .await?,
        );
    }
    // Organisation-wide terms of the cases' organisations, from any of their cases.
    let mut organisation_of: HashMap<String, String> = HashMap::new();
    for chunk in ids.chunks(5_000) {
        organisation_of.extend(
            case::Entity::find()
                .filter(case::Column::Id.is_in(chunk.to_vec()))
                .select_only()
                .columns([case::Column::Id, case::Column::OrganisationId])
                .into_tuple::<(String, String)>()
                .all(db)
                .await?,
        );
    }
    let organisations: Vec<String> = organisation_of
        .values()
        .cloned()
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let wide = if organisations.is_empty() {
        Vec::new()
    } else {
        sensitive_term::Entity::find()
            .filter(sensitive_term::Column::OrganisationWide.eq(true))
            .filter(sensitive_term::Column::OrganisationId.is_in(organisations))
            .order_by_asc(sensitive_term::Column::CaseId)
            .order_by_asc(sensitive_term::Column::Position)
            .all(db)
            .await?
    };
    if terms.is_empty() && wide.is_empty() {
        return Ok(out);
    }
    let party_ids: Vec<String> = terms.iter().filter_map(|t| t.party_id.clone()).collect();
    let pseudonyms: HashMap<String, String> = if party_ids.is_empty() {
        HashMap::new()
    } else {
        party::Entity::find()
            .filter(party::Column::Id.is_in(party_ids))
            .select_only()
            .columns([party::Column::Id, party::Column::Pseudonym])
            .into_tuple::<(String, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect()
    };
    let mut by_case: HashMap<String, Vec<Term>> = HashMap::new();
    for t in terms {
        by_case.entry(t.case_id).or_default().push(Term {
            text: t.term,
            kind: TermKind::parse(&t.kind).unwrap_or(TermKind::Other),
            pseudonym: t.party_id.and_then(|p| pseudonyms.get(&p).cloned()),
        });
    }
    // An organisation-wide term from another case is masked by its kind: its party is not one
    // of this case's.
    let mut by_organisation: HashMap<&str, Vec<&sensitive_term::Model>> = HashMap::new();
    for t in &wide {
        if let Some(org) = &t.organisation_id {
            by_organisation.entry(org.as_str()).or_default().push(t);
        }
    }
    for (case_id, org) in &organisation_of {
        let Some(extra) = by_organisation.get(org.as_str()) else {
            continue;
        };
        let list = by_case.entry(case_id.clone()).or_default();
        for t in extra.iter().filter(|t| &t.case_id != case_id) {
            list.push(Term {
                text: t.term.clone(),
                kind: TermKind::parse(&t.kind).unwrap_or(TermKind::Other),
                pseudonym: None,
            });
        }
    }
    for (case_id, terms) in by_case {
        if !terms.is_empty() {
            out.insert(case_id, Redactor::new(&terms));
        }
    }
    Ok(out)
}

/// The redactor of one case.
pub async fn redactor<C: ConnectionTrait>(db: &C, case_id: &str) -> Result<Redactor, ServiceError> {
    Ok(redactors(db, &HashSet::from([case_id]))
        .await?
        .remove(case_id)
        .unwrap_or_default())
}

/// Redacts the free-text answers (questions answered in words) of a stored answers object.
fn redact_answers(
    answers: &mut String,
    version: i32,
    registry: &Registry,
    r: &Redactor,
) -> Result<(), ServiceError> {
    let Some(methodology) = u32::try_from(version).ok().and_then(|v| registry.get(v)) else {
        return Ok(());
    };
    let mut parsed = parse_answers(answers)?;
    let mut changed = false;
    for (code, value) in &mut parsed {
        let free_text = methodology
            .question(code)
            .is_some_and(|q| matches!(q.answer_type, AnswerType::Text { .. }));
        if let (true, Value::String(text)) = (free_text, value)
            && let std::borrow::Cow::Owned(redacted) = r.apply(text)
        {
            *text = redacted;
            changed = true;
        }
    }
    if changed {
        *answers = Value::Object(parsed).to_string();
    }
    Ok(())
}

/// Redacts every string of a JSON object kept as text (review comments, ruling metadata), and
/// the keys of its objects too (a metadata key is as much written by a person as its value).
fn redact_json_strings(text: &mut String, r: &Redactor) {
    fn walk(value: &mut Value, r: &Redactor) {
        match value {
            Value::String(s) => r.apply_to(s),
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, r)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (mut key, mut v) in entries {
                    r.apply_to(&mut key);
                    walk(&mut v, r);
                    map.insert(key, v);
                }
            }
            _ => {}
        }
    }
    match serde_json::from_str::<Value>(text) {
        Ok(mut value) => {
            walk(&mut value, r);
            *text = value.to_string();
        }
        Err(_) => r.apply_to(text),
    }
}

fn redact_opt(text: &mut Option<String>, r: &Redactor) {
    if let Some(t) = text {
        r.apply_to(t);
    }
}

// Each function below names every field of its record, so that a field added to a table does not
// compile until someone has said here whether it is text a person wrote (redacted) or not (ids,
// codes, dates, numbers). `tests/api/redaction_fields.rs` checks the same from the outside: a term
// put into each string field of each request schema reaches no researcher route.

/// A case's free text.
pub fn case_text(
    c: &mut case::Model,
    registry: &Registry,
    r: &Redactor,
) -> Result<(), ServiceError> {
    let case::Model {
        id: _,
        court_id: _,
        organisation_id: _,
        case_number,
        title,
        proceeding_type: _,
        status: _,
        filing_date: _,
        summary,
        methodology_version,
        answers,
        review_status: _,
        review_comments,
        fairness_grade: _,
        grade_justification,
        graded_by: _,
        graded_at: _,
        created_at: _,
        updated_at: _,
        created_by: _,
        updated_by: _,
    } = c;
    r.apply_to(case_number);
    r.apply_to(title);
    redact_opt(summary, r);
    redact_opt(grade_justification, r);
    if let Some(comments) = review_comments {
        redact_json_strings(comments, r);
    }
    redact_answers(answers, *methodology_version, registry, r)
}

/// A party's free text (its pseudonym, should it hold a term).
pub fn party_text(p: &mut party::Model, r: &Redactor) {
    let party::Model {
        id: _,
        case_id: _,
        role: _,
        kind: _,
        pseudonym,
        characteristics: _,
        representation: _,
        created_at: _,
        updated_at: _,
        created_by: _,
        updated_by: _,
    } = p;
    r.apply_to(pseudonym);
}

/// A hearing's free text.
pub fn hearing_text(h: &mut hearing::Model, r: &Redactor) {
    let hearing::Model {
        id: _,
        case_id: _,
        scheduled_at: _,
        started_at: _,
        ended_at: _,
        hearing_type: _,
        outcome: _,
        next_hearing_date: _,
        courtroom,
        created_at: _,
        updated_at: _,
        created_by: _,
        updated_by: _,
    } = h;
    redact_opt(courtroom, r);
}

/// An observation's free text.
pub fn observation_text(
    o: &mut observation::Model,
    registry: &Registry,
    r: &Redactor,
) -> Result<(), ServiceError> {
    let observation::Model {
        id: _,
        hearing_id: _,
        monitor_id: _,
        methodology_version,
        answers,
        notes,
        status: _,
        review_comments,
        submitted_at: _,
        created_at: _,
        updated_at: _,
        created_by: _,
        updated_by: _,
        version: _,
    } = o;
    redact_opt(notes, r);
    if let Some(comments) = review_comments {
        redact_json_strings(comments, r);
    }
    redact_answers(answers, *methodology_version, registry, r)
}

/// A ruling's free text: everything a person wrote, down to the court's name as written, the
/// source and the external id, and the metadata's keys.
pub fn ruling_text(
    m: &mut ruling::Model,
    registry: &Registry,
    r: &Redactor,
) -> Result<(), ServiceError> {
    let ruling::Model {
        id: _,
        case_id: _,
        court_id: _,
        external_id,
        court_name,
        jurisdiction: _,
        title,
        decision_date: _,
        instance: _,
        outcome: _,
        language: _,
        full_text,
        source,
        metadata,
        methodology_version,
        answers,
        organisation_id: _,
        review_status: _,
        review_comments,
        created_at: _,
        updated_at: _,
        created_by: _,
        updated_by: _,
    } = m;
    redact_opt(external_id, r);
    r.apply_to(court_name);
    r.apply_to(title);
    r.apply_to(full_text);
    redact_opt(source, r);
    if let Some(metadata) = metadata {
        redact_json_strings(metadata, r);
    }
    if let Some(comments) = review_comments {
        redact_json_strings(comments, r);
    }
    redact_answers(answers, *methodology_version, registry, r)
}

/// For records about to be shown to `actor`, each given by its case and its organisation: the
/// redactor to apply, or `None` when the actor is inside the organisation and sees the record as
/// written.
pub async fn for_viewer(
    state: &AppState,
    actor: &Actor,
    records: &[(Option<&str>, &str)],
) -> Result<Vec<Option<Redactor>>, ServiceError> {
    let outside: Vec<bool> = records
        .iter()
        .map(|(_, org)| !policy::sees_unredacted(actor, org))
        .collect();
    let cases: HashSet<&str> = records
        .iter()
        .zip(&outside)
        .filter(|(_, out)| **out)
        .filter_map(|((case, _), _)| *case)
        .collect();
    let found = redactors(&state.db, &cases).await?;
    Ok(records
        .iter()
        .zip(outside)
        .map(|((case, _), out)| {
            out.then(|| case.and_then(|c| found.get(c).cloned()).unwrap_or_default())
        })
        .collect())
}

/// Organisations of these cases.
async fn organisations(
    state: &AppState,
    case_ids: &[&str],
) -> Result<HashMap<String, String>, ServiceError> {
    let ids: Vec<String> = case_ids
        .iter()
        .map(|s| (*s).to_owned())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(case::Entity::find()
        .filter(case::Column::Id.is_in(ids))
        .select_only()
        .columns([case::Column::Id, case::Column::OrganisationId])
        .into_tuple::<(String, String)>()
        .all(&state.db)
        .await?
        .into_iter()
        .collect())
}

/// Texts at least this long are redacted on a blocking thread.
const LONG_TEXT: usize = 64 * 1024;

/// `text` redacted; a long one (a judgment) on a blocking thread, off the async workers.
pub async fn redact_long(r: &Redactor, text: &str) -> Result<String, ServiceError> {
    if text.len() < LONG_TEXT {
        return Ok(r.apply(text).into_owned());
    }
    let (r, text) = (r.clone(), text.to_owned());
    tokio::task::spawn_blocking(move || r.apply(&text).into_owned())
        .await
        .map_err(|e| ServiceError::internal_from("redaction task", e))
}

/// Applies each record's redactor, on a blocking thread when there is anything to redact: a
/// long ruling against many terms takes tens of milliseconds, which must not hold up the async
/// worker threads that answer everyone else (`/healthz` included).
async fn apply_all<T: Send + 'static>(
    mut records: Vec<T>,
    redactors: Vec<Option<Redactor>>,
    apply: impl Fn(&mut T, &Redactor) -> Result<(), ServiceError> + Send + 'static,
) -> Result<Vec<T>, ServiceError> {
    if redactors.iter().all(Option::is_none) {
        return Ok(records);
    }
    tokio::task::spawn_blocking(move || {
        for (record, r) in records.iter_mut().zip(redactors) {
            if let Some(r) = r {
                apply(record, &r)?;
            }
        }
        Ok(records)
    })
    .await
    .map_err(|e| ServiceError::internal_from("redaction task", e))?
}

/// Cases as `actor` may see them.
pub async fn shown_cases(
    state: &AppState,
    actor: &Actor,
    records: Vec<CaseRecord>,
) -> Result<Vec<CaseRecord>, ServiceError> {
    let keys: Vec<(Option<&str>, &str)> = records
        .iter()
        .map(|r| (Some(r.case.id.as_str()), r.case.organisation_id.as_str()))
        .collect();
    let redactors = for_viewer(state, actor, &keys).await?;
    let registry = state.methodology;
    apply_all(records, redactors, move |record, r| {
        case_text(&mut record.case, registry, r)
    })
    .await
}

/// Records that follow their case (parties, hearings, observations), as `actor` may see them.
async fn by_case<T: Send + 'static>(
    state: &AppState,
    actor: &Actor,
    records: Vec<T>,
    case_of: impl Fn(&T) -> &str,
    apply: impl Fn(&mut T, &Redactor) -> Result<(), ServiceError> + Send + 'static,
) -> Result<Vec<T>, ServiceError> {
    let redactors = {
        let case_ids: Vec<&str> = records.iter().map(&case_of).collect();
        let orgs = organisations(state, &case_ids).await?;
        let keys: Vec<(Option<&str>, &str)> = case_ids
            .iter()
            .map(|c| (Some(*c), orgs.get(*c).map_or("", String::as_str)))
            .collect();
        for_viewer(state, actor, &keys).await?
    };
    apply_all(records, redactors, apply).await
}

/// Parties as `actor` may see them.
pub async fn shown_parties(
    state: &AppState,
    actor: &Actor,
    records: Vec<party::Model>,
) -> Result<Vec<party::Model>, ServiceError> {
    by_case(
        state,
        actor,
        records,
        |p| p.case_id.as_str(),
        |p, r| {
            party_text(p, r);
            Ok(())
        },
    )
    .await
}

/// Hearings as `actor` may see them.
pub async fn shown_hearings(
    state: &AppState,
    actor: &Actor,
    records: Vec<hearing::Model>,
) -> Result<Vec<hearing::Model>, ServiceError> {
    by_case(
        state,
        actor,
        records,
        |h| h.case_id.as_str(),
        |h, r| {
            hearing_text(h, r);
            Ok(())
        },
    )
    .await
}

/// Observations (with their case ids) as `actor` may see them.
pub async fn shown_observations(
    state: &AppState,
    actor: &Actor,
    records: Vec<(observation::Model, String)>,
) -> Result<Vec<(observation::Model, String)>, ServiceError> {
    let registry = state.methodology;
    by_case(
        state,
        actor,
        records,
        |(_, case_id)| case_id.as_str(),
        move |(o, _), r| observation_text(o, registry, r),
    )
    .await
}

/// Rulings as `actor` may see them (stand-alone case law: patterns only).
pub async fn shown_rulings(
    state: &AppState,
    actor: &Actor,
    records: Vec<ruling::Model>,
) -> Result<Vec<ruling::Model>, ServiceError> {
    let keys: Vec<(Option<&str>, &str)> = records
        .iter()
        .map(|m| {
            (
                m.case_id.as_deref(),
                m.organisation_id.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    let redactors = for_viewer(state, actor, &keys).await?;
    let registry = state.methodology;
    apply_all(records, redactors, move |record, r| {
        ruling_text(record, registry, r)
    })
    .await
}
