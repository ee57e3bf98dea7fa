//! Rulings: decisions in monitored cases, and stand-alone case law identified by an external id.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use courtwatch_methodology::{Context, Mode, Scope};
use poem_openapi::Object;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Map, Value, json};

use crate::access::Actor;
use crate::{
    access::policy,
    entities::{court, ruling},
    error::{FieldProblem, ServiceError},
    outbox::{self, Change},
    services::{
        audit::{self, Entry, snapshot},
        case as case_service,
        common::{
            self, Page, answers_text, check_term, fail_if_any, merge_answers, methodology_version,
            new_id, page, parse_answers, problems_from_methodology,
        },
        review::{self, ReviewAction, ReviewInput, ReviewStatus},
    },
    state::AppState,
};

/// A ruling, as written by a monitor or imported as case law.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RulingInput {
    /// The monitored case this ruling decides, if any.
    #[oai(validator(max_length = 36))]
    pub case_id: Option<String>,
    /// The court (a court id), if it is one of ours; defaults to the case's court.
    #[oai(validator(max_length = 36))]
    pub court_id: Option<String>,
    /// Stable id of the ruling in its source, e.g. `echr:001-123456`; unique.
    #[oai(validator(min_length = 1, max_length = 300))]
    pub external_id: Option<String>,
    /// The court's name as written in the ruling; required when no court_id or case_id is given.
    #[oai(validator(max_length = 300))]
    pub court_name: Option<String>,
    /// Jurisdiction (vocabulary `jurisdiction`); taken from the court when a court is known.
    #[oai(validator(max_length = 64))]
    pub jurisdiction: Option<String>,
    /// Case title or case number.
    #[oai(validator(min_length = 1, max_length = 1000))]
    pub title: String,
    /// Decision date; answers question `decision_date`.
    pub decision_date: Option<NaiveDate>,
    /// Instance (vocabulary `instance`); answers question `instance`.
    #[oai(validator(max_length = 64))]
    pub instance: Option<String>,
    /// Outcome (vocabulary `ruling_outcome`); answers question `ruling_outcome`.
    #[oai(validator(max_length = 64))]
    pub outcome: Option<String>,
    /// Language of the text as a BCP 47 tag: `en`, `sq`, `sr-Latn`, `sr-Cyrl`, `sr-Latn-ME`, `fr`.
    #[oai(validator(min_length = 2, max_length = 35))]
    pub language: String,
    /// The full text of the ruling.
    #[oai(validator(min_length = 1, max_length = 5000000))]
    pub full_text: String,
    /// Where the text came from (a repository or publication).
    #[oai(validator(max_length = 500))]
    pub source: Option<String>,
    /// Other fields of the source record, kept as given (e.g. ECHR `articles`, `conclusion`).
    #[oai(default)]
    pub metadata: BTreeMap<String, Value>,
    /// Methodology version the answers follow; the latest published when absent.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub methodology_version: Option<u32>,
    /// Answers to the methodology's ruling questions, by question code.
    #[oai(default)]
    pub answers: BTreeMap<String, Value>,
}

/// A ruling.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Ruling {
    /// Public id.
    pub id: String,
    /// The monitored case, if any.
    pub case_id: Option<String>,
    /// The court, if it is one of ours.
    pub court_id: Option<String>,
    /// Stable id in the source.
    pub external_id: Option<String>,
    /// Court name as written.
    pub court_name: String,
    /// Jurisdiction.
    pub jurisdiction: Option<String>,
    /// Title.
    pub title: String,
    /// Decision date.
    pub decision_date: Option<NaiveDate>,
    /// Instance.
    pub instance: Option<String>,
    /// Outcome.
    pub outcome: Option<String>,
    /// Language (BCP 47).
    pub language: String,
    /// Full text.
    pub full_text: String,
    /// Source.
    pub source: Option<String>,
    /// Other fields of the source record.
    pub metadata: BTreeMap<String, Value>,
    /// Methodology version the answers follow.
    pub methodology_version: u32,
    /// Answers, by question code.
    pub answers: BTreeMap<String, Value>,
    /// The organisation the record belongs to (its case's, or its author's for case law).
    pub organisation_id: Option<String>,
    /// Where the ruling is in review; researchers see published rulings (of published cases).
    /// Imported case law is published on import.
    pub review_status: ReviewStatus,
    /// The reviewer's comments when it was returned, by question code or field.
    pub review_comments: BTreeMap<String, String>,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// Who created it (user id).
    pub created_by: String,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// Who last changed it (user id).
    pub updated_by: String,
}

impl TryFrom<ruling::Model> for Ruling {
    type Error = ServiceError;
    fn try_from(m: ruling::Model) -> Result<Self, ServiceError> {
        Ok(Self {
            answers: parse_answers(&m.answers)?.into_iter().collect(),
            id: m.id,
            case_id: m.case_id,
            court_id: m.court_id,
            external_id: m.external_id,
            court_name: m.court_name,
            jurisdiction: m.jurisdiction,
            title: m.title,
            decision_date: m.decision_date,
            instance: m.instance,
            outcome: m.outcome,
            language: m.language,
            full_text: m.full_text,
            source: m.source,
            metadata: match m.metadata.as_deref() {
                Some(text) => parse_answers(text)?.into_iter().collect(),
                None => BTreeMap::new(),
            },
            methodology_version: m.methodology_version as u32,
            organisation_id: m.organisation_id,
            review_status: ReviewStatus::parse(&m.review_status),
            review_comments: review::parse_comments(m.review_comments.as_deref()),
            created_at: m.created_at,
            created_by: m.created_by,
            updated_at: m.updated_at,
            updated_by: m.updated_by,
        })
    }
}

/// Filters for listing rulings.
#[derive(Debug, Default)]
pub struct RulingFilter {
    /// Only rulings in this case.
    pub case_id: Option<String>,
    /// Only rulings of this court.
    pub court_id: Option<String>,
    /// Only this jurisdiction.
    pub jurisdiction: Option<String>,
    /// Only this language tag.
    pub language: Option<String>,
    /// Only this outcome.
    pub outcome: Option<String>,
    /// Only this external id.
    pub external_id: Option<String>,
    /// Only rulings decided on or after this date.
    pub decided_from: Option<NaiveDate>,
    /// Only rulings decided on or before this date.
    pub decided_to: Option<NaiveDate>,
}

pub(crate) fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphabetic()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The checked values to store.
struct Resolved {
    /// The case's organisation, or None for stand-alone case law.
    case_organisation: Option<String>,
    court_id: Option<String>,
    court_name: String,
    jurisdiction: Option<String>,
    version: u32,
}

async fn check(
    state: &AppState,
    actor: &Actor,
    input: &RulingInput,
    mode: Mode,
) -> Result<Resolved, ServiceError> {
    let mut problems = Vec::new();
    let methodology = methodology_version(state.methodology, input.methodology_version)?;
    let mut court_id = input.court_id.clone();
    let mut case_organisation = None;
    if let Some(case_id) = &input.case_id {
        match case_service::for_new_record(state, actor, case_id, "case_id").await {
            Ok(record) => {
                if court_id.is_none() {
                    court_id = Some(record.case.court_id.clone());
                }
                case_organisation = Some(record.case.organisation_id);
            }
            Err(ServiceError::Invalid(found)) => problems.extend(found),
            Err(other) => return Err(other),
        }
    }
    let court = match &court_id {
        Some(id) => {
            let found = court::Entity::find_by_id(id.clone()).one(&state.db).await?;
            if found.is_none() {
                problems.push(FieldProblem::field(
                    "court_id",
                    format!("no court with id {id}"),
                ));
            }
            found
        }
        None => None,
    };
    let court_name = match (&court, &input.court_name) {
        (Some(c), _) => input.court_name.clone().unwrap_or_else(|| c.name.clone()),
        (None, Some(name)) if !name.trim().is_empty() => name.clone(),
        _ => {
            problems.push(FieldProblem::field(
                "court_name",
                "is required when the ruling names no court_id or case_id",
            ));
            String::new()
        }
    };
    let jurisdiction = match (&court, &input.jurisdiction) {
        (Some(c), Some(given)) if *given != c.jurisdiction => {
            problems.push(FieldProblem::field(
                "jurisdiction",
                format!("the court is in {}, not {given}", c.jurisdiction),
            ));
            None
        }
        (Some(c), _) => Some(c.jurisdiction.clone()),
        (None, given) => given.clone(),
    };
    if court.is_none()
        && let Some(j) = &jurisdiction
    {
        check_term(
            methodology,
            "jurisdiction",
            "jurisdiction",
            j,
            &mut problems,
        );
    }
    if !is_language_tag(&input.language) {
        problems.push(FieldProblem::field(
            "language",
            format!("'{}' is not a BCP 47 language tag", input.language),
        ));
    }
    if input.full_text.trim().is_empty() {
        problems.push(FieldProblem::field("full_text", "must not be blank"));
    }
    if input.title.trim().is_empty() {
        problems.push(FieldProblem::field("title", "must not be blank"));
    }
    let answers: Map<String, Value> = input.answers.clone().into_iter().collect();
    let fields = ruling_fields(
        input.decision_date,
        input.instance.as_deref(),
        input.outcome.as_deref(),
    );
    let merged = merge_answers(methodology, Scope::Ruling, &answers, fields, &mut problems);
    let found = methodology.validate(
        Scope::Ruling,
        &merged,
        Context {
            jurisdiction: jurisdiction.as_deref(),
        },
        mode,
    );
    problems.extend(problems_from_methodology(methodology, found));
    fail_if_any(problems)?;
    Ok(Resolved {
        case_organisation,
        court_id,
        court_name,
        jurisdiction,
        version: methodology.version,
    })
}

/// The record fields that answer the methodology's field-bound ruling questions.
pub(crate) fn ruling_fields(
    decision_date: Option<NaiveDate>,
    instance: Option<&str>,
    outcome: Option<&str>,
) -> Vec<(&'static str, Option<Value>)> {
    vec![
        (
            "decision_date",
            decision_date.map(|d| json!(d.format("%Y-%m-%d").to_string())),
        ),
        ("instance", instance.map(Value::from)),
        ("outcome", outcome.map(Value::from)),
    ]
}

/// The stored form of a ruling's metadata: none when empty.
pub(crate) fn metadata_text(metadata: &BTreeMap<String, Value>) -> Option<String> {
    (!metadata.is_empty()).then(|| answers_text(&metadata.clone().into_iter().collect()))
}

/// Finds a ruling by id, whoever asks.
pub async fn get(state: &AppState, id: &str) -> Result<ruling::Model, ServiceError> {
    common::find_or_404::<ruling::Entity, _>(&state.db, "ruling", id).await
}

/// Whether a ruling is released: published, and stand-alone or of a published case.
async fn released(state: &AppState, m: &ruling::Model) -> Result<bool, ServiceError> {
    if !policy::released(Some(&m.review_status), None) {
        return Ok(false);
    }
    let case_status = match &m.case_id {
        None => None,
        Some(case_id) => Some(case_service::get(state, case_id).await?.case.review_status),
    };
    Ok(policy::released(
        Some(&m.review_status),
        case_status.as_deref(),
    ))
}

/// Finds a ruling the caller may see (404 otherwise).
pub async fn read(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<ruling::Model, ServiceError> {
    let found = get(state, id).await?;
    let released = released(state, &found).await?;
    policy::require_visible(
        actor,
        found.organisation_id.as_deref().unwrap_or_default(),
        released,
        "ruling",
        id,
    )?;
    Ok(found)
}

/// The ruling as the audit trail keeps it: the API form, with the full text replaced by its
/// SHA-256 and length (judgments run to megabytes; the digest shows whether it changed).
pub(crate) fn audit_snapshot(m: &ruling::Model) -> Result<Option<Value>, ServiceError> {
    use sha2::{Digest, Sha256};
    let mut json = snapshot(&Ruling::try_from(m.clone())?);
    if let Some(Value::Object(fields)) = json.as_mut() {
        let digest: String = Sha256::digest(m.full_text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        fields.insert(
            "full_text".into(),
            json!({"sha256": digest, "chars": m.full_text.chars().count()}),
        );
    }
    Ok(json)
}

/// Records a write of a ruling in the audit trail.
pub(crate) async fn audit_ruling<C: sea_orm::ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: &str,
    before: Option<&ruling::Model>,
    after: &ruling::Model,
) -> Result<(), ServiceError> {
    audit::record(
        db,
        Some(actor),
        Entry {
            action,
            resource: "ruling",
            resource_id: &after.id,
            organisation_id: after.organisation_id.as_deref(),
            before: before.map(audit_snapshot).transpose()?.flatten(),
            after: audit_snapshot(after)?,
        },
    )
    .await
}

/// Creates a ruling.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: RulingInput,
) -> Result<ruling::Model, ServiceError> {
    let resolved = check(state, actor, &input, Mode::Draft).await?;
    let now = Utc::now();
    let txn = crate::services::common::begin_write(&state.db).await?;
    let created = ruling::ActiveModel {
        id: Set(new_id()),
        case_id: Set(input.case_id),
        court_id: Set(resolved.court_id),
        external_id: Set(input.external_id),
        court_name: Set(resolved.court_name),
        jurisdiction: Set(resolved.jurisdiction),
        title: Set(input.title),
        decision_date: Set(input.decision_date),
        instance: Set(input.instance),
        outcome: Set(input.outcome),
        language: Set(input.language),
        full_text: Set(input.full_text),
        source: Set(input.source),
        metadata: Set(metadata_text(&input.metadata)),
        methodology_version: Set(resolved.version as i32),
        answers: Set(answers_text(&input.answers.into_iter().collect())),
        organisation_id: Set(Some(
            resolved
                .case_organisation
                .unwrap_or_else(|| actor.organisation_id.clone()),
        )),
        review_status: Set(ReviewStatus::Draft.as_str().to_owned()),
        review_comments: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        created_by: Set(actor.user_id.clone()),
        updated_by: Set(actor.user_id.clone()),
    }
    .insert(&txn)
    .await
    .map_err(ServiceError::from_write)?;
    outbox::record(&txn, Change::Ruling, &created.id).await?;
    audit_ruling(&txn, actor, "create", None, &created).await?;
    txn.commit().await?;
    state.search.changed();
    Ok(created)
}

/// The ruling `id`: 404 unless `actor` may see it, 403 unless they may change it (the rule is
/// [`policy::require_change`], given whether the ruling is released).
async fn load_for_change(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<ruling::Model, ServiceError> {
    let existing = get(state, id).await?;
    let was_released = released(state, &existing).await?;
    policy::require_change(
        actor,
        existing.organisation_id.as_deref().unwrap_or_default(),
        was_released,
        "ruling",
        id,
    )?;
    Ok(existing)
}

/// Replaces a ruling's fields and answers.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: RulingInput,
) -> Result<ruling::Model, ServiceError> {
    let existing = load_for_change(state, actor, id).await?;
    review::require_editable(actor, ReviewStatus::parse(&existing.review_status))?;
    // A submitted or published ruling stays complete: a change may not drop a required answer.
    let mode = if ReviewStatus::parse(&existing.review_status).complete() {
        Mode::Submitted
    } else {
        Mode::Draft
    };
    let resolved = check(state, actor, &input, mode).await?;
    let mut active: ruling::ActiveModel = existing.clone().into();
    if let Some(organisation) = resolved.case_organisation {
        active.organisation_id = Set(Some(organisation));
    }
    active.case_id = Set(input.case_id);
    active.court_id = Set(resolved.court_id);
    active.external_id = Set(input.external_id);
    active.court_name = Set(resolved.court_name);
    active.jurisdiction = Set(resolved.jurisdiction);
    active.title = Set(input.title);
    active.decision_date = Set(input.decision_date);
    active.instance = Set(input.instance);
    active.outcome = Set(input.outcome);
    active.language = Set(input.language);
    active.full_text = Set(input.full_text);
    active.source = Set(input.source);
    active.metadata = Set(metadata_text(&input.metadata));
    active.methodology_version = Set(resolved.version as i32);
    active.answers = Set(answers_text(&input.answers.into_iter().collect()));
    active.updated_at = Set(Utc::now());
    active.updated_by = Set(actor.user_id.clone());
    let txn = crate::services::common::begin_write(&state.db).await?;
    let updated = active
        .update(&txn)
        .await
        .map_err(ServiceError::from_write)?;
    outbox::record(&txn, Change::Ruling, &updated.id).await?;
    audit_ruling(&txn, actor, "update", Some(&existing), &updated).await?;
    txn.commit().await?;
    state.search.changed();
    Ok(updated)
}

/// The stored ruling as the input that would write it again, to check it as a whole.
fn stored_input(m: &ruling::Model) -> Result<RulingInput, ServiceError> {
    let metadata = match &m.metadata {
        Some(text) => parse_answers(text)?.into_iter().collect(),
        None => BTreeMap::new(),
    };
    Ok(RulingInput {
        case_id: m.case_id.clone(),
        court_id: m.court_id.clone(),
        external_id: m.external_id.clone(),
        court_name: Some(m.court_name.clone()),
        jurisdiction: m.jurisdiction.clone(),
        title: m.title.clone(),
        decision_date: m.decision_date,
        instance: m.instance.clone(),
        outcome: m.outcome.clone(),
        language: m.language.clone(),
        full_text: m.full_text.clone(),
        source: m.source.clone(),
        metadata,
        methodology_version: Some(m.methodology_version as u32),
        answers: parse_answers(&m.answers)?.into_iter().collect(),
    })
}

/// Fields of a ruling a reviewer's comment may name besides its questions.
const RULING_FIELDS: &[&str] = &["title", "full_text", "court_name", "language", "source"];

/// Takes a review step on a ruling (see [`review`]); a ruling of a case is published only once
/// its case is.
pub async fn review(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: ReviewInput,
) -> Result<ruling::Model, ServiceError> {
    let existing = load_for_change(state, actor, id).await?;
    let next = review::next_status(
        actor,
        ReviewStatus::parse(&existing.review_status),
        input.action,
    )?;
    let methodology =
        methodology_version(state.methodology, Some(existing.methodology_version as u32))?;
    let comments = review::comments_text(methodology, Scope::Ruling, RULING_FIELDS, &input)?;
    if next == ReviewStatus::Submitted {
        // Submitting says the ruling is complete: every required ruling question that applies.
        check(state, actor, &stored_input(&existing)?, Mode::Submitted).await?;
    }
    if input.action == ReviewAction::Publish
        && let Some(case_id) = &existing.case_id
        && case_service::get(state, case_id).await?.case.review_status != policy::PUBLISHED
    {
        return Err(ServiceError::Conflict(
            "the ruling's case is not published; publish the case first".into(),
        ));
    }
    let mut active: ruling::ActiveModel = existing.clone().into();
    active.review_status = Set(next.as_str().to_owned());
    if input.action == ReviewAction::Return || next == ReviewStatus::Published {
        active.review_comments = Set(comments);
    }
    let txn = crate::services::common::begin_write(&state.db).await?;
    let updated = active.update(&txn).await?;
    outbox::record(&txn, Change::Ruling, id).await?;
    audit_ruling(
        &txn,
        actor,
        input.action.as_str(),
        Some(&existing),
        &updated,
    )
    .await?;
    txn.commit().await?;
    state.search.changed();
    Ok(updated)
}

/// Lists the rulings the caller may see, in creation order.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: RulingFilter,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<ruling::Model>, ServiceError> {
    let mut select = ruling::Entity::find().filter(policy::visible_rulings(actor));
    if let Some(v) = filter.case_id {
        select = select.filter(ruling::Column::CaseId.eq(v));
    }
    if let Some(v) = filter.court_id {
        select = select.filter(ruling::Column::CourtId.eq(v));
    }
    if let Some(v) = filter.jurisdiction {
        select = select.filter(ruling::Column::Jurisdiction.eq(v));
    }
    if let Some(v) = filter.language {
        select = select.filter(ruling::Column::Language.eq(v));
    }
    if let Some(v) = filter.outcome {
        select = select.filter(ruling::Column::Outcome.eq(v));
    }
    if let Some(v) = filter.external_id {
        select = select.filter(ruling::Column::ExternalId.eq(v));
    }
    if let Some(v) = filter.decided_from {
        select = select.filter(ruling::Column::DecisionDate.gte(v));
    }
    if let Some(v) = filter.decided_to {
        select = select.filter(ruling::Column::DecisionDate.lte(v));
    }
    page(
        &state.db,
        select,
        ruling::Column::Id,
        |m| &m.id,
        cursor,
        limit,
    )
    .await
}
