//! An observation checked against its hearing: the methodology's `hearing.*` questions are
//! answered from the hearing's facts, so the same validation runs when an observation is written
//! (`services::observation`) and when its hearing changes (`services::hearing` rechecks the
//! hearing's complete observations). Both services call this module; neither calls the other.

use chrono::{DateTime, SecondsFormat, Utc};
use courtwatch_methodology::{Context, Methodology, Mode, Scope};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Map, Value, json};

use crate::{
    entities::{hearing, observation},
    error::{FieldProblem, ServiceError},
    services::{
        case as case_service,
        common::{fail_if_any, merge_answers, parse_answers, problems_from_methodology},
        review::ReviewStatus,
    },
    state::AppState,
};

fn mode(status: ReviewStatus) -> Mode {
    if status.complete() {
        Mode::Submitted
    } else {
        Mode::Draft
    }
}

fn rfc3339(t: DateTime<Utc>) -> Value {
    json!(t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// The hearing's facts, which answer the methodology's `hearing.*` field questions.
pub fn hearing_fields(h: &hearing::Model) -> Vec<(&'static str, Option<Value>)> {
    hearing_facts(
        &h.hearing_type,
        &h.outcome,
        h.scheduled_at,
        h.started_at,
        h.next_hearing_date,
    )
}

/// [`hearing_fields`] from the hearing's columns.
pub fn hearing_facts(
    hearing_type: &str,
    outcome: &str,
    scheduled_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    next_hearing_date: Option<chrono::NaiveDate>,
) -> Vec<(&'static str, Option<Value>)> {
    vec![
        ("hearing.hearing_type", Some(json!(hearing_type))),
        ("hearing.outcome", Some(json!(outcome))),
        ("hearing.scheduled_at", Some(rfc3339(scheduled_at))),
        ("hearing.started_at", started_at.map(rfc3339)),
        (
            "hearing.next_hearing_date",
            next_hearing_date.map(|d| json!(d.format("%Y-%m-%d").to_string())),
        ),
    ]
}

/// Every problem with `answers` for an observation of `hearing`.
pub fn problems(
    methodology: &Methodology,
    hearing: &hearing::Model,
    jurisdiction: &str,
    answers: &Map<String, Value>,
    status: ReviewStatus,
) -> Vec<FieldProblem> {
    let mut found = Vec::new();
    let merged = merge_answers(
        methodology,
        Scope::Observation,
        answers,
        hearing_fields(hearing),
        &mut found,
    );
    let checked = methodology.validate(
        Scope::Observation,
        &merged,
        Context {
            jurisdiction: Some(jurisdiction),
        },
        mode(status),
    );
    found.extend(problems_from_methodology(methodology, checked));
    found
}

/// Checks every complete (submitted or published) observation of `hearing` against its (changed) facts; used inside the
/// hearing update's transaction so that a refused change leaves nothing behind.
pub async fn recheck_submitted<C: ConnectionTrait>(
    state: &AppState,
    db: &C,
    hearing: &hearing::Model,
) -> Result<(), ServiceError> {
    let submitted = observation::Entity::find()
        .filter(observation::Column::HearingId.eq(hearing.id.clone()))
        .filter(observation::Column::Status.is_in([
            ReviewStatus::Submitted.as_str(),
            ReviewStatus::Published.as_str(),
        ]))
        .all(db)
        .await?;
    if submitted.is_empty() {
        return Ok(());
    }
    let case = case_service::get(state, &hearing.case_id).await?;
    let mut found = Vec::new();
    for obs in submitted {
        let Some(methodology) = state.methodology.get(obs.methodology_version as u32) else {
            continue;
        };
        let answers = parse_answers(&obs.answers)?;
        for problem in problems(
            methodology,
            hearing,
            &case.jurisdiction,
            &answers,
            ReviewStatus::Submitted,
        ) {
            found.push(FieldProblem {
                field: problem.field,
                question: problem.question,
                message: format!(
                    "would make submitted observation {} invalid: {}",
                    obs.id, problem.message
                ),
                said: None,
            });
        }
    }
    fail_if_any(found)
}
