//! Monitored cases: one court case followed by the coalition, with its case-level answers.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use courtwatch_methodology::{Context, Mode, Scope};
use poem_openapi::Object;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, Set,
    sea_query::{IntoCondition, Query},
};
use serde_json::{Map, Value, json};

use crate::access::Actor;
use crate::{
    access::policy,
    entities::{case, case_ground, court, ruling},
    error::{FieldProblem, ServiceError},
    outbox::{self, Change},
    services::{
        audit::{self, Entry, snapshot},
        common::{
            Page, answers_text, fail_if_any, merge_answers, methodology_version, new_id, page,
            parse_answers, problems_from_methodology,
        },
        review::{self, ReviewInput, ReviewStatus},
    },
    state::AppState,
};

/// A monitored case, as written by a monitor.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CaseInput {
    /// The court hearing the case (a court id).
    #[oai(validator(max_length = 36))]
    pub court_id: String,
    /// The court's case number exactly as the court writes it; unique per court.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub case_number: String,
    /// A short descriptive title without personal names, e.g. `Segregated classes for Roma pupils`.
    #[oai(validator(min_length = 1, max_length = 500))]
    pub title: String,
    /// Type of proceeding (vocabulary `proceeding_type`); answers question `proceeding_type`.
    #[oai(validator(max_length = 64))]
    pub proceeding_type: String,
    /// Grounds of discrimination alleged (vocabulary `ground`, as listed for the court's
    /// jurisdiction); answers question `grounds_alleged`.
    #[oai(validator(max_items = 40))]
    pub grounds: Vec<String>,
    /// Monitoring status (vocabulary `monitoring_status`); `monitoring` when absent.
    #[oai(validator(max_length = 64))]
    pub status: Option<String>,
    /// Date the lawsuit or indictment was filed; answers question `filing_date`.
    pub filing_date: Option<NaiveDate>,
    /// A neutral summary of the case, without personal names.
    #[oai(validator(max_length = 20000))]
    pub summary: Option<String>,
    /// Methodology version the answers follow; the latest published when absent.
    #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
    pub methodology_version: Option<u32>,
    /// Answers to the methodology's case questions, by question code (see
    /// `/api/v1/methodology/{version}`). Questions answered by the fields above are not repeated here.
    #[oai(default)]
    pub answers: BTreeMap<String, Value>,
}

/// A monitored case.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Case {
    /// Public id.
    pub id: String,
    /// The court hearing the case.
    pub court_id: String,
    /// The court's jurisdiction (XK, RS, ME, ...).
    pub jurisdiction: String,
    /// The organisation (coalition member) that monitors the case.
    pub organisation_id: String,
    /// The court's case number.
    pub case_number: String,
    /// Short descriptive title.
    pub title: String,
    /// Type of proceeding.
    pub proceeding_type: String,
    /// Grounds of discrimination alleged.
    pub grounds: Vec<String>,
    /// Monitoring status.
    pub status: String,
    /// Filing date.
    pub filing_date: Option<NaiveDate>,
    /// Neutral summary.
    pub summary: Option<String>,
    /// Methodology version the answers follow.
    pub methodology_version: u32,
    /// Answers to the case questions, by question code.
    pub answers: BTreeMap<String, Value>,
    /// Where the case is in review; researchers see published cases only.
    pub review_status: ReviewStatus,
    /// The reviewer's comments when the case was returned, by question code or field.
    pub review_comments: BTreeMap<String, String>,
    /// Trial-fairness grade A (fair) to F, assigned by a reviewer.
    pub fairness_grade: Option<FairnessGrade>,
    /// The reviewer's written justification of the grade.
    pub grade_justification: Option<String>,
    /// Who graded (user id).
    pub graded_by: Option<String>,
    /// When it was graded.
    pub graded_at: Option<DateTime<Utc>>,
    /// When the record was created.
    pub created_at: DateTime<Utc>,
    /// Who created it (user id).
    pub created_by: String,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// Who last changed it (user id).
    pub updated_by: String,
}

/// Filters for listing cases.
#[derive(Debug, Default, Clone)]
pub struct CaseFilter {
    /// Only cases at courts of this jurisdiction.
    pub jurisdiction: Option<String>,
    /// Only cases at this court.
    pub court_id: Option<String>,
    /// Only cases alleging this ground.
    pub ground: Option<String>,
    /// Only this proceeding type.
    pub proceeding_type: Option<String>,
    /// Only this monitoring status.
    pub status: Option<String>,
    /// Only cases filed on or after this date.
    pub filed_from: Option<NaiveDate>,
    /// Only cases filed on or before this date.
    pub filed_to: Option<NaiveDate>,
    /// Only released (published) cases: datasets and statistics set this.
    pub released: bool,
}

impl CaseFilter {
    /// The same filter, limited to released (published) cases: what datasets and statistics show.
    pub fn released(&self) -> CaseFilter {
        CaseFilter {
            released: true,
            ..self.clone()
        }
    }

    /// Records whose `case_id` (`column`) is a case the filter selects (hearings, parties,
    /// observations through their hearing).
    pub fn of_cases(&self, column: impl ColumnTrait) -> Condition {
        let cases = self.condition();
        if cases.is_empty() {
            // No filter: every record has a case (foreign key), so there is nothing to check —
            // and a subquery over all cases would be evaluated again for every batch.
            return Condition::all();
        }
        column
            .in_subquery(
                Query::select()
                    .column(case::Column::Id)
                    .from(case::Entity)
                    .cond_where(cases)
                    .to_owned(),
            )
            .into_condition()
    }

    /// Rulings the filter selects: jurisdiction and court apply to the ruling itself (so
    /// stand-alone case law is included); the other filters are about a monitored case, so they
    /// select rulings attached to such a case.
    pub fn rulings(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(jurisdiction) = &self.jurisdiction {
            condition = condition.add(ruling::Column::Jurisdiction.eq(jurisdiction.as_str()));
        }
        if let Some(court_id) = &self.court_id {
            condition = condition.add(ruling::Column::CourtId.eq(court_id.as_str()));
        }
        if self.released {
            condition = condition.add(policy::released_rulings());
        }
        let about_case = CaseFilter {
            jurisdiction: None,
            court_id: None,
            released: false,
            ..self.clone()
        };
        if about_case.condition().is_empty() {
            condition
        } else {
            condition.add(about_case.of_cases(ruling::Column::CaseId))
        }
    }

    /// The filter as a condition on the cases table (shared by the list and the dataset exports).
    pub fn condition(&self) -> Condition {
        let mut condition = Condition::all();
        if let Some(jurisdiction) = &self.jurisdiction {
            condition = condition.add(
                case::Column::CourtId.in_subquery(
                    Query::select()
                        .column(court::Column::Id)
                        .from(court::Entity)
                        .and_where(court::Column::Jurisdiction.eq(jurisdiction.as_str()))
                        .to_owned(),
                ),
            );
        }
        if let Some(ground) = &self.ground {
            condition = condition.add(
                case::Column::Id.in_subquery(
                    Query::select()
                        .column(case_ground::Column::CaseId)
                        .from(case_ground::Entity)
                        .and_where(case_ground::Column::Ground.eq(ground.as_str()))
                        .to_owned(),
                ),
            );
        }
        if let Some(court_id) = &self.court_id {
            condition = condition.add(case::Column::CourtId.eq(court_id.as_str()));
        }
        if let Some(proceeding_type) = &self.proceeding_type {
            condition = condition.add(case::Column::ProceedingType.eq(proceeding_type.as_str()));
        }
        if let Some(status) = &self.status {
            condition = condition.add(case::Column::Status.eq(status.as_str()));
        }
        if let Some(from) = self.filed_from {
            condition = condition.add(case::Column::FilingDate.gte(from));
        }
        if let Some(to) = self.filed_to {
            condition = condition.add(case::Column::FilingDate.lte(to));
        }
        if self.released {
            condition = condition.add(case::Column::ReviewStatus.eq(policy::PUBLISHED));
        }
        condition
    }
}

/// A case with the facts other records need about it.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    /// The stored case.
    pub case: case::Model,
    /// Its grounds, sorted.
    pub grounds: Vec<String>,
    /// Its court's jurisdiction.
    pub jurisdiction: String,
}

impl CaseRecord {
    /// The API representation.
    pub fn into_api(self) -> Result<Case, ServiceError> {
        let m = self.case;
        Ok(Case {
            answers: parse_answers(&m.answers)?.into_iter().collect(),
            id: m.id,
            court_id: m.court_id,
            jurisdiction: self.jurisdiction,
            organisation_id: m.organisation_id,
            case_number: m.case_number,
            title: m.title,
            proceeding_type: m.proceeding_type,
            grounds: self.grounds,
            status: m.status,
            filing_date: m.filing_date,
            summary: m.summary,
            methodology_version: m.methodology_version as u32,
            review_status: ReviewStatus::parse(&m.review_status),
            review_comments: review::parse_comments(m.review_comments.as_deref()),
            fairness_grade: m.fairness_grade.as_deref().and_then(FairnessGrade::parse),
            grade_justification: m.grade_justification,
            graded_by: m.graded_by,
            graded_at: m.graded_at,
            created_at: m.created_at,
            created_by: m.created_by,
            updated_at: m.updated_at,
            updated_by: m.updated_by,
        })
    }
}

const DEFAULT_STATUS: &str = "monitoring";

/// The record fields that answer the methodology's field-bound case questions.
pub(crate) fn case_fields(
    court: &court::Model,
    case_number: &str,
    proceeding_type: &str,
    grounds: &[String],
    filing_date: Option<NaiveDate>,
    status: &str,
) -> Vec<(&'static str, Option<Value>)> {
    vec![
        ("jurisdiction", Some(json!(court.jurisdiction))),
        ("court_level", Some(json!(court.level))),
        ("case_number", Some(json!(case_number))),
        ("proceeding_type", Some(json!(proceeding_type))),
        ("grounds", Some(json!(grounds))),
        (
            "filing_date",
            filing_date.map(|d| json!(d.format("%Y-%m-%d").to_string())),
        ),
        ("status", Some(json!(status))),
    ]
}

/// Validates a case against the methodology it names; returns the version to store. `Submitted`
/// also requires every required case question that applies (a submitted or published case, and
/// the submit step).
async fn check(
    state: &AppState,
    input: &CaseInput,
    mode: Mode,
) -> Result<(court::Model, u32), ServiceError> {
    let mut problems = Vec::new();
    let court = court::Entity::find_by_id(input.court_id.clone())
        .one(&state.db)
        .await?;
    let methodology = methodology_version(state.methodology, input.methodology_version)?;
    let Some(court) = court else {
        problems.push(FieldProblem::field(
            "court_id",
            format!("no court with id {}", input.court_id),
        ));
        return Err(ServiceError::Invalid(problems));
    };
    if input.case_number.trim().is_empty() {
        problems.push(FieldProblem::field("case_number", "must not be blank"));
    }
    if input.title.trim().is_empty() {
        problems.push(FieldProblem::field("title", "must not be blank"));
    }
    let answers: Map<String, Value> = input.answers.clone().into_iter().collect();
    let fields = case_fields(
        &court,
        &input.case_number,
        &input.proceeding_type,
        &input.grounds,
        input.filing_date,
        input.status.as_deref().unwrap_or(DEFAULT_STATUS),
    );
    let merged = merge_answers(methodology, Scope::Case, &answers, fields, &mut problems);
    let found = methodology.validate(
        Scope::Case,
        &merged,
        Context {
            jurisdiction: Some(&court.jurisdiction),
        },
        mode,
    );
    problems.extend(problems_from_methodology(methodology, found));
    fail_if_any(problems)?;
    Ok((court, methodology.version))
}

/// Loads a case the caller may see (404 otherwise).
pub async fn read(state: &AppState, actor: &Actor, id: &str) -> Result<CaseRecord, ServiceError> {
    let found = get(state, id).await?;
    policy::require_visible(
        actor,
        &found.case.organisation_id,
        policy::released(Some(&found.case.review_status), None),
        "case",
        id,
    )?;
    Ok(found)
}

/// 404 unless the caller may see the case, 403 unless they may change records of it.
pub fn require_change(actor: &Actor, case: &case::Model) -> Result<(), ServiceError> {
    policy::require_change(
        actor,
        &case.organisation_id,
        policy::released(Some(&case.review_status), None),
        "case",
        &case.id,
    )
}

/// The case a new record (party, hearing) names in `field`, if the caller may add to it: a case
/// they may not see reads as missing (422, as for an unknown id), one of another organisation
/// they may see is 403.
pub async fn for_new_record(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    field: &str,
) -> Result<CaseRecord, ServiceError> {
    let missing = || ServiceError::invalid(field, format!("no case with id {case_id}"));
    let found = match get(state, case_id).await {
        Ok(found) => found,
        Err(ServiceError::NotFound { .. }) => return Err(missing()),
        Err(other) => return Err(other),
    };
    let released = policy::released(Some(&found.case.review_status), None);
    if !policy::can_see(actor, &found.case.organisation_id, released) {
        return Err(missing());
    }
    if !policy::can_change(actor, &found.case.organisation_id) {
        return Err(ServiceError::Forbidden(
            "the case belongs to another organisation".into(),
        ));
    }
    Ok(found)
}

/// 404 (naming the record) unless the caller may see records of `case_id`; with `change`, 403
/// unless they may also change them. For parties and hearings, which follow their case.
pub async fn require_for_record(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    resource: &'static str,
    id: &str,
    change: bool,
) -> Result<CaseRecord, ServiceError> {
    let found = get(state, case_id).await?;
    let released = policy::released(Some(&found.case.review_status), None);
    if change {
        policy::require_change(actor, &found.case.organisation_id, released, resource, id)?;
    } else {
        policy::require_visible(actor, &found.case.organisation_id, released, resource, id)?;
    }
    Ok(found)
}

/// Loads a case with its grounds and jurisdiction, whoever asks (for other services' checks).
pub async fn get(state: &AppState, id: &str) -> Result<CaseRecord, ServiceError> {
    let case = case::Entity::find_by_id(id.to_owned())
        .one(&state.db)
        .await?
        .ok_or_else(|| ServiceError::NotFound {
            resource: "case",
            id: id.to_owned(),
        })?;
    let mut records = with_details(state, vec![case]).await?;
    Ok(records.remove(0))
}

async fn with_details(
    state: &AppState,
    cases: Vec<case::Model>,
) -> Result<Vec<CaseRecord>, ServiceError> {
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let court_ids: Vec<String> = cases.iter().map(|c| c.court_id.clone()).collect();
    let grounds = case_ground::Entity::find()
        .filter(case_ground::Column::CaseId.is_in(ids))
        .all(&state.db)
        .await?;
    let courts = court::Entity::find()
        .filter(court::Column::Id.is_in(court_ids))
        .all(&state.db)
        .await?;
    Ok(cases
        .into_iter()
        .map(|case| {
            let mut case_grounds: Vec<String> = grounds
                .iter()
                .filter(|g| g.case_id == case.id)
                .map(|g| g.ground.clone())
                .collect();
            case_grounds.sort();
            let jurisdiction = courts
                .iter()
                .find(|c| c.id == case.court_id)
                .map(|c| c.jurisdiction.clone())
                .unwrap_or_default();
            CaseRecord {
                case,
                grounds: case_grounds,
                jurisdiction,
            }
        })
        .collect())
}

/// Creates a case with its grounds, in one transaction.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: CaseInput,
) -> Result<CaseRecord, ServiceError> {
    let (court, version) = check(state, &input, Mode::Draft).await?;
    let now = Utc::now();
    let id = new_id();
    let txn = crate::services::common::begin_write(&state.db).await?;
    let case = case::ActiveModel {
        id: Set(id.clone()),
        court_id: Set(court.id),
        organisation_id: Set(actor.organisation_id.clone()),
        case_number: Set(input.case_number),
        title: Set(input.title),
        proceeding_type: Set(input.proceeding_type),
        status: Set(input.status.unwrap_or_else(|| DEFAULT_STATUS.to_owned())),
        filing_date: Set(input.filing_date),
        summary: Set(input.summary),
        methodology_version: Set(version as i32),
        answers: Set(answers_text(&input.answers.into_iter().collect())),
        review_status: Set(ReviewStatus::Draft.as_str().to_owned()),
        review_comments: Set(None),
        fairness_grade: Set(None),
        grade_justification: Set(None),
        graded_by: Set(None),
        graded_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        created_by: Set(actor.user_id.clone()),
        updated_by: Set(actor.user_id.clone()),
    }
    .insert(&txn)
    .await
    .map_err(ServiceError::from_write)?;
    let grounds = replace_grounds(&txn, &id, &input.grounds).await?;
    let created = CaseRecord {
        case,
        grounds,
        jurisdiction: court.jurisdiction,
    };
    outbox::record(&txn, Change::Case, &id).await?;
    audit_case(&txn, actor, "create", None, &created).await?;
    txn.commit().await?;
    state.search.changed();
    Ok(created)
}

async fn audit_case<C: sea_orm::ConnectionTrait>(
    db: &C,
    actor: &Actor,
    action: &str,
    before: Option<&CaseRecord>,
    after: &CaseRecord,
) -> Result<(), ServiceError> {
    let json = |r: &CaseRecord| -> Result<Option<Value>, ServiceError> {
        Ok(snapshot(&r.clone().into_api()?))
    };
    audit::record(
        db,
        Some(actor),
        Entry {
            action,
            resource: "case",
            resource_id: &after.case.id,
            organisation_id: Some(&after.case.organisation_id),
            before: before.map(json).transpose()?.flatten(),
            after: json(after)?,
        },
    )
    .await
}

async fn replace_grounds<C: sea_orm::ConnectionTrait>(
    db: &C,
    case_id: &str,
    grounds: &[String],
) -> Result<Vec<String>, ServiceError> {
    case_ground::Entity::delete_many()
        .filter(case_ground::Column::CaseId.eq(case_id))
        .exec(db)
        .await?;
    let mut sorted: Vec<String> = grounds.to_vec();
    sorted.sort();
    sorted.dedup();
    if !sorted.is_empty() {
        case_ground::Entity::insert_many(sorted.iter().map(|g| case_ground::ActiveModel {
            case_id: Set(case_id.to_owned()),
            ground: Set(g.clone()),
        }))
        .exec(db)
        .await?;
    }
    Ok(sorted)
}

/// Replaces a case's fields and answers, in one transaction.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: CaseInput,
) -> Result<CaseRecord, ServiceError> {
    let existing = get(state, id).await?;
    require_change(actor, &existing.case)?;
    review::require_editable(actor, ReviewStatus::parse(&existing.case.review_status))?;
    // A submitted or published case stays complete: a change may not drop a required answer.
    let mode = if ReviewStatus::parse(&existing.case.review_status).complete() {
        Mode::Submitted
    } else {
        Mode::Draft
    };
    let (court, version) = check(state, &input, mode).await?;
    let txn = crate::services::common::begin_write(&state.db).await?;
    let mut active: case::ActiveModel = existing.case.clone().into();
    active.court_id = Set(court.id);
    active.case_number = Set(input.case_number);
    active.title = Set(input.title);
    active.proceeding_type = Set(input.proceeding_type);
    active.status = Set(input.status.unwrap_or_else(|| DEFAULT_STATUS.to_owned()));
    active.filing_date = Set(input.filing_date);
    active.summary = Set(input.summary);
    active.methodology_version = Set(version as i32);
    active.answers = Set(answers_text(&input.answers.into_iter().collect()));
    active.updated_at = Set(Utc::now());
    active.updated_by = Set(actor.user_id.clone());
    let case = active
        .update(&txn)
        .await
        .map_err(ServiceError::from_write)?;
    let grounds = replace_grounds(&txn, id, &input.grounds).await?;
    let updated = CaseRecord {
        case,
        grounds,
        jurisdiction: court.jurisdiction,
    };
    outbox::record(&txn, Change::Case, id).await?;
    audit_case(&txn, actor, "update", Some(&existing), &updated).await?;
    txn.commit().await?;
    state.search.changed();
    Ok(updated)
}

/// The stored case as the input that would write it again, to check it as a whole.
fn stored_input(record: &CaseRecord) -> Result<CaseInput, ServiceError> {
    let m = &record.case;
    Ok(CaseInput {
        court_id: m.court_id.clone(),
        case_number: m.case_number.clone(),
        title: m.title.clone(),
        proceeding_type: m.proceeding_type.clone(),
        grounds: record.grounds.clone(),
        status: Some(m.status.clone()),
        filing_date: m.filing_date,
        summary: m.summary.clone(),
        methodology_version: Some(m.methodology_version as u32),
        answers: parse_answers(&m.answers)?.into_iter().collect(),
    })
}

/// A stored case's answers with its record fields merged in, as the validator sees them (what a
/// reviewer reads).
pub async fn merged_answers(
    state: &AppState,
    record: &CaseRecord,
) -> Result<Map<String, Value>, ServiceError> {
    let m = &record.case;
    let court = court::Entity::find_by_id(m.court_id.clone())
        .one(&state.db)
        .await?
        .ok_or_else(|| ServiceError::internal(format!("case {} has no court", m.id)))?;
    let methodology = methodology_version(state.methodology, Some(m.methodology_version as u32))?;
    let fields = case_fields(
        &court,
        &m.case_number,
        &m.proceeding_type,
        &record.grounds,
        m.filing_date,
        &m.status,
    );
    let mut ignored = Vec::new();
    Ok(merge_answers(
        methodology,
        Scope::Case,
        &parse_answers(&m.answers)?,
        fields,
        &mut ignored,
    ))
}

/// Fields of a case a reviewer's comment may name besides its questions.
const CASE_FIELDS: &[&str] = &["title", "summary", "case_number"];

/// Takes a review step on a case (see [`review`]). Its observations and rulings follow it in
/// search: they are released only while the case is published.
pub async fn review(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: ReviewInput,
) -> Result<CaseRecord, ServiceError> {
    let existing = get(state, id).await?;
    require_change(actor, &existing.case)?;
    let next = review::next_status(
        actor,
        ReviewStatus::parse(&existing.case.review_status),
        input.action,
    )?;
    let methodology = methodology_version(
        state.methodology,
        Some(existing.case.methodology_version as u32),
    )?;
    let comments = review::comments_text(methodology, Scope::Case, CASE_FIELDS, &input)?;
    if next == ReviewStatus::Submitted {
        // Submitting says the case is complete: every required case question that applies.
        check(state, &stored_input(&existing)?, Mode::Submitted).await?;
    }
    let txn = crate::services::common::begin_write(&state.db).await?;
    let mut active: case::ActiveModel = existing.case.clone().into();
    active.review_status = Set(next.as_str().to_owned());
    if input.action == review::ReviewAction::Return || next == ReviewStatus::Published {
        active.review_comments = Set(comments);
    }
    let case = active.update(&txn).await?;
    let updated = CaseRecord {
        case,
        ..existing.clone()
    };
    outbox::record(&txn, Change::Case, id).await?;
    audit_case(
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

/// A trial-fairness grade, from A (fair) to F (fundamentally unfair).
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
pub enum FairnessGrade {
    /// Fair.
    A,
    /// Minor shortcomings.
    B,
    /// Shortcomings that may have affected the outcome.
    C,
    /// Serious shortcomings.
    D,
    /// Fundamentally unfair.
    F,
}

impl FairnessGrade {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "A" => Self::A,
            "B" => Self::B,
            "C" => Self::C,
            "D" => Self::D,
            "F" => Self::F,
            _ => return None,
        })
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::A => "A",
            Self::B => "B",
            Self::C => "C",
            Self::D => "D",
            Self::F => "F",
        }
    }
}

/// A reviewer's grade of a trial's fairness.
#[derive(Debug, Clone, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct GradeInput {
    /// The grade.
    pub grade: FairnessGrade,
    /// Why: the standards engaged and what was observed.
    #[oai(validator(min_length = 1, max_length = 20000))]
    pub justification: String,
}

/// Grades a case's fairness. Reviewers (coordinators of the case's organisation, admins) grade;
/// monitors record the facts the grade rests on.
pub async fn grade(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: GradeInput,
) -> Result<CaseRecord, ServiceError> {
    let existing = get(state, id).await?;
    require_change(actor, &existing.case)?;
    if !actor.role.reviews() {
        return Err(ServiceError::Forbidden(
            "only a reviewer (coordinator or admin) grades a trial's fairness".into(),
        ));
    }
    if input.justification.trim().is_empty() {
        return Err(ServiceError::invalid(
            "justification",
            "must not be blank: say why",
        ));
    }
    let txn = crate::services::common::begin_write(&state.db).await?;
    let mut active: case::ActiveModel = existing.case.clone().into();
    active.fairness_grade = Set(Some(input.grade.as_str().to_owned()));
    active.grade_justification = Set(Some(input.justification));
    active.graded_by = Set(Some(actor.user_id.clone()));
    active.graded_at = Set(Some(Utc::now()));
    let case = active.update(&txn).await?;
    let updated = CaseRecord {
        case,
        ..existing.clone()
    };
    audit_case(&txn, actor, "grade", Some(&existing), &updated).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Lists the cases the caller may see.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: CaseFilter,
    cursor: Option<&str>,
    limit: Option<u32>,
) -> Result<Page<CaseRecord>, ServiceError> {
    let select = case::Entity::find()
        .filter(filter.condition())
        .filter(policy::visible_cases(actor));
    let found = page(
        &state.db,
        select,
        case::Column::Id,
        |m| &m.id,
        cursor,
        limit,
    )
    .await?;
    Ok(Page {
        items: with_details(state, found.items).await?,
        next_cursor: found.next_cursor,
    })
}
