//! Statistics for reports, computed from the same records the datasets export (published
//! cases, and their published observations and rulings) with the case-list filters. Records are read in keyset-paged batches and
//! counted here, not in SQL, so every backend gives the same figures and memory holds counts (plus
//! one small entry per selected case), not rows.
//!
//! Counting rules (documented in the API):
//! - a hearing's indicator is taken from all published observations of it: "yes" if any says yes,
//!   answered if any answered it;
//! - shares are `count / base`, where `base` is the hearings for which the question was answered;
//! - quartiles interpolate linearly between order statistics (R's type 7, numpy's default).

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use courtwatch_methodology::{AnswerType, Methodology, Question, Scope};
use poem_openapi::Object;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Map, Value};

use crate::{
    access::policy,
    entities::{case, case_ground, court, hearing, observation, ruling},
    error::ServiceError,
    services::{
        case::{CaseFilter, case_fields},
        common::{keyset_batch, merge_answers, parse_answers},
        hearing_facts::hearing_fields,
        ruling::ruling_fields,
    },
    state::AppState,
};

const BATCH: u64 = 1000;
/// Hearing outcomes that count as adjourned.
const ADJOURNED: &[&str] = &["held_then_adjourned", "adjourned_before_start"];
/// Judge reactions that count as reacting to hate speech.
const REACTED: &[&str] = &["warned_or_stopped", "sanctioned", "noted_in_minutes"];
/// The value of a dimension a record has no value for.
const NONE: &str = "none";

/// A value and how many records have it.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Count {
    /// The value (a code, a year, or `none`).
    pub value: String,
    /// Its label, with `labels=en|sq|sr`.
    pub label: Option<String>,
    /// Number of records.
    pub count: u64,
}

/// How many of `base` records have a property.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Indicator {
    /// Records with the property.
    pub count: u64,
    /// Records the share is taken of.
    pub base: u64,
    /// `count / base`, or null when the base is 0.
    pub share: Option<f64>,
}

impl Indicator {
    fn new(count: u64, base: u64) -> Self {
        Indicator {
            count,
            base,
            share: (base > 0).then(|| count as f64 / base as f64),
        }
    }
}

/// Case counts by dimension.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CaseStats {
    /// Cases selected by the filters.
    pub total: u64,
    /// By ground alleged (a case with several grounds counts under each).
    pub by_ground: Vec<Count>,
    /// By jurisdiction of the court.
    pub by_jurisdiction: Vec<Count>,
    /// By proceeding type.
    pub by_proceeding_type: Vec<Count>,
    /// By year of filing (`none` without a filing date).
    pub by_year: Vec<Count>,
    /// By outcome of the latest ruling on the case (by decision date; `none` without a ruling).
    pub by_outcome: Vec<Count>,
}

/// Indicators over hearings.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HearingStats {
    /// Hearings of the selected cases whose date has come (outcome not `scheduled`).
    pub hearings: u64,
    /// Hearings with at least one published observation (the base of the observed indicators).
    pub observed: u64,
    /// Adjourned (`held_then_adjourned` or `adjourned_before_start`), of `hearings`.
    pub adjourned: Indicator,
    /// Cancelled, of `hearings`.
    pub cancelled: Indicator,
    /// Reasons given for adjournments (observed adjourned or cancelled hearings; a hearing counts
    /// once per reason).
    pub adjournment_reasons: Vec<Count>,
    /// Public excluded (`public_excluded` = yes), of observed hearings where it was answered.
    pub closed_to_public: Indicator,
    /// Interpreter needed, of observed hearings where it was answered.
    pub interpreter_needed: Indicator,
    /// Interpreter provided, of hearings where one was needed and provision was answered.
    pub interpreter_provided: Indicator,
    /// Hate speech in the courtroom, of observed hearings where it was answered.
    pub hate_speech: Indicator,
    /// The judge reacted (warned or stopped, sanctioned, or had it entered in the minutes), of
    /// hearings with hate speech where the reaction was recorded.
    pub judge_reacted: Indicator,
    /// Reactions recorded, by code (hearings with hate speech; a hearing counts once per code).
    pub judge_reactions: Vec<Count>,
}

/// Days from filing to the first first-instance ruling.
#[derive(Debug, Clone, PartialEq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DurationStats {
    /// Cases selected by the filters.
    pub cases: u64,
    /// Cases with a filing date and a first-instance ruling with a decision date (the sample).
    pub with_ruling: u64,
    /// Cases left out for want of a filing date.
    pub without_filing_date: u64,
    /// Shortest, in days.
    pub min_days: Option<f64>,
    /// First quartile.
    pub q1_days: Option<f64>,
    /// Median.
    pub median_days: Option<f64>,
    /// Third quartile.
    pub q3_days: Option<f64>,
    /// Longest.
    pub max_days: Option<f64>,
}

/// One row of a crosstab: the records with one value of the `by` dimension.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CrosstabRow {
    /// The `by` value.
    pub value: String,
    /// Its label, with `labels=en|sq|sr`.
    pub label: Option<String>,
    /// Count per answer, in the order of `answers`.
    pub counts: Vec<u64>,
    /// Records in the row (for a multiple-choice question the counts may add up to more: a record
    /// counts under each option it chose).
    pub total: u64,
}

/// Answers to one question broken down by a dimension.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Crosstab {
    /// The question counted.
    pub question: String,
    /// The dimension rows are grouped by.
    pub by: String,
    /// The unit counted: `case`, `observation` or `ruling`.
    pub unit: String,
    /// Column heads: the question's codes in methodology order, then `unanswered` (applied, no
    /// answer) and `not_asked` (did not apply).
    pub answers: Vec<String>,
    /// The column heads' labels, with `labels=en|sq|sr`.
    pub answer_labels: Option<Vec<String>>,
    /// Whether the question is multiple choice: a record counts under each option it chose, so a
    /// row's counts may add up to more than its `total`.
    pub multiple_choice: bool,
    /// One row per `by` value, sorted by value.
    pub rows: Vec<CrosstabRow>,
    /// Records counted.
    pub total: u64,
}

/// What the service needs to know about a selected case.
struct CaseFacts {
    jurisdiction: String,
    court_level: String,
    proceeding_type: String,
    status: String,
    grounds: Vec<String>,
    filing_date: Option<NaiveDate>,
    /// Outcome of the latest ruling.
    outcome: Option<String>,
    /// Earliest first-instance decision date.
    first_instance: Option<NaiveDate>,
    /// Case answers merged with the fields (only kept when a crosstab needs them).
    answers: Map<String, Value>,
}

fn counts(map: BTreeMap<String, u64>) -> Vec<Count> {
    map.into_iter()
        .map(|(value, count)| Count {
            value,
            label: None,
            count,
        })
        .collect()
}

/// The selected cases, with their court, grounds and rulings.
async fn case_facts(
    db: &DatabaseConnection,
    methodology: &Methodology,
    filter: &CaseFilter,
    keep_answers: bool,
) -> Result<HashMap<String, CaseFacts>, ServiceError> {
    let mut out = HashMap::new();
    let mut after = String::new();
    loop {
        let cases = keyset_batch(
            db,
            case::Entity::find().filter(filter.condition()),
            case::Column::Id,
            |m| &m.id,
            &mut after,
            BATCH,
        )
        .await?;
        let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
        let courts: HashMap<String, court::Model> = court::Entity::find()
            .filter(court::Column::Id.is_in(cases.iter().map(|c| c.court_id.clone())))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        let mut grounds: HashMap<String, Vec<String>> = HashMap::new();
        for g in case_ground::Entity::find()
            .filter(case_ground::Column::CaseId.is_in(ids.clone()))
            .order_by_asc(case_ground::Column::Ground)
            .all(db)
            .await?
        {
            grounds.entry(g.case_id).or_default().push(g.ground);
        }
        // Rulings in decision order (undated first, ties by id), so the last one seen is the latest dated.
        // Only released rulings count (a draft ruling of a published case changed `by_outcome`
        // and the durations): the one visibility policy decides, as for every other figure.
        let mut select = ruling::Entity::find().filter(ruling::Column::CaseId.is_in(ids));
        if filter.released {
            select = select.filter(policy::released_rulings());
        }
        let mut rulings = select.all(db).await?;
        rulings.sort_by(|a, b| {
            (a.decision_date.is_some(), a.decision_date, &a.id).cmp(&(
                b.decision_date.is_some(),
                b.decision_date,
                &b.id,
            ))
        });
        for c in &cases {
            let court = courts.get(&c.court_id).ok_or_else(|| {
                ServiceError::internal(format!("case {} without its court", c.id))
            })?;
            let case_grounds = grounds.remove(&c.id).unwrap_or_default();
            let answers = if keep_answers {
                let fields = case_fields(
                    court,
                    &c.case_number,
                    &c.proceeding_type,
                    &case_grounds,
                    c.filing_date,
                    &c.status,
                );
                merge_answers(
                    methodology,
                    Scope::Case,
                    &parse_answers(&c.answers)?,
                    fields,
                    &mut Vec::new(),
                )
            } else {
                Map::new()
            };
            let of_case = rulings
                .iter()
                .filter(|r| r.case_id.as_deref() == Some(c.id.as_str()));
            let outcome = of_case.clone().next_back().and_then(|r| r.outcome.clone());
            let first_instance = of_case
                .filter(|r| r.instance.as_deref() == Some("first"))
                .filter_map(|r| r.decision_date)
                .min();
            out.insert(
                c.id.clone(),
                CaseFacts {
                    jurisdiction: court.jurisdiction.clone(),
                    court_level: court.level.clone(),
                    proceeding_type: c.proceeding_type.clone(),
                    status: c.status.clone(),
                    grounds: case_grounds,
                    filing_date: c.filing_date,
                    outcome,
                    first_instance,
                    answers,
                },
            );
        }
        if cases.len() < BATCH as usize {
            break;
        }
    }
    Ok(out)
}

/// Counts of cases by ground, jurisdiction, proceeding type, filing year and outcome.
pub async fn cases(state: &AppState, filter: &CaseFilter) -> Result<CaseStats, ServiceError> {
    let filter = &filter.released();
    let facts = case_facts(&state.db, state.methodology.latest(), filter, false).await?;
    let mut by: [BTreeMap<String, u64>; 5] = Default::default();
    for f in facts.values() {
        for g in &f.grounds {
            *by[0].entry(g.clone()).or_default() += 1;
        }
        *by[1].entry(f.jurisdiction.clone()).or_default() += 1;
        *by[2].entry(f.proceeding_type.clone()).or_default() += 1;
        let year = f.filing_date.map_or(NONE.into(), |d| d.year().to_string());
        *by[3].entry(year).or_default() += 1;
        let outcome = f.outcome.clone().unwrap_or_else(|| NONE.into());
        *by[4].entry(outcome).or_default() += 1;
    }
    let [ground, jurisdiction, proceeding_type, year, outcome] = by;
    Ok(CaseStats {
        total: facts.len() as u64,
        by_ground: counts(ground),
        by_jurisdiction: counts(jurisdiction),
        by_proceeding_type: counts(proceeding_type),
        by_year: counts(year),
        by_outcome: counts(outcome),
    })
}

/// Walks the hearings of the selected cases in batches, each with the merged answers of its
/// published observations (and the methodology they were recorded under).
async fn walk_hearings(
    state: &AppState,
    filter: &CaseFilter,
    mut visit: impl FnMut(&hearing::Model, &[(&'static Methodology, Map<String, Value>)]),
) -> Result<(), ServiceError> {
    let db = &state.db;
    let mut after = String::new();
    loop {
        let hearings = keyset_batch(
            db,
            hearing::Entity::find().filter(filter.of_cases(hearing::Column::CaseId)),
            hearing::Column::Id,
            |m| &m.id,
            &mut after,
            BATCH,
        )
        .await?;
        let mut observations: HashMap<String, Vec<observation::Model>> = HashMap::new();
        for o in observation::Entity::find()
            .filter(observation::Column::HearingId.is_in(hearings.iter().map(|h| h.id.clone())))
            .filter(observation::Column::Status.eq(policy::PUBLISHED))
            .order_by_asc(observation::Column::Id)
            .all(db)
            .await?
        {
            observations
                .entry(o.hearing_id.clone())
                .or_default()
                .push(o);
        }
        for h in &hearings {
            let mut merged = Vec::new();
            for o in observations.remove(&h.id).unwrap_or_default() {
                let version = u32::try_from(o.methodology_version).unwrap_or(0);
                let methodology = state.methodology.get(version).ok_or_else(|| {
                    ServiceError::internal(format!(
                        "observation {}: no methodology {version}",
                        o.id
                    ))
                })?;
                let answers = merge_answers(
                    methodology,
                    Scope::Observation,
                    &parse_answers(&o.answers)?,
                    hearing_fields(h),
                    &mut Vec::new(),
                );
                merged.push((methodology, answers));
            }
            visit(h, &merged);
        }
        if hearings.len() < BATCH as usize {
            break;
        }
    }
    Ok(())
}

/// Codes given to `code` across observations (a multiple-choice answer gives several).
fn given<'a>(
    observations: &'a [(&'static Methodology, Map<String, Value>)],
    code: &'a str,
) -> impl Iterator<Item = &'a str> + 'a {
    observations
        .iter()
        .filter_map(move |(_, a)| a.get(code))
        .flat_map(|v| match v {
            Value::String(s) => vec![s.as_str()],
            Value::Array(items) => items.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        })
}

/// Per-hearing indicators.
pub async fn hearings(state: &AppState, filter: &CaseFilter) -> Result<HearingStats, ServiceError> {
    let filter = &filter.released();
    #[derive(Default)]
    struct Tally {
        hearings: u64,
        observed: u64,
        adjourned: u64,
        cancelled: u64,
        reasons: BTreeMap<String, u64>,
        yes_base: [(u64, u64); 4],
        reacted: (u64, u64),
        reactions: BTreeMap<String, u64>,
    }
    let mut t = Tally::default();
    walk_hearings(state, filter, |h, obs| {
        if h.outcome == "scheduled" {
            return;
        }
        t.hearings += 1;
        let adjourned = ADJOURNED.contains(&h.outcome.as_str());
        t.adjourned += u64::from(adjourned);
        t.cancelled += u64::from(h.outcome == "cancelled");
        if obs.is_empty() {
            return;
        }
        t.observed += 1;
        let mut reasons: Vec<&str> = given(obs, "adjournment_reasons").collect();
        reasons.sort_unstable();
        reasons.dedup();
        for r in reasons {
            *t.reasons.entry(r.into()).or_default() += 1;
        }
        let yes_no = |code: &str| -> Option<bool> {
            let answers: Vec<&str> = given(obs, code)
                .filter(|v| *v == "yes" || *v == "no")
                .collect();
            (!answers.is_empty()).then(|| answers.contains(&"yes"))
        };
        let needed = yes_no("interpreter_needed");
        let hate = yes_no("hate_speech_in_courtroom");
        let indicators = [
            yes_no("public_excluded"),
            needed,
            if needed == Some(true) {
                yes_no("interpreter_provided")
            } else {
                None
            },
            hate,
        ];
        for (slot, value) in t.yes_base.iter_mut().zip(indicators) {
            if let Some(yes) = value {
                slot.0 += u64::from(yes);
                slot.1 += 1;
            }
        }
        if hate == Some(true) {
            let mut reactions: Vec<&str> = given(obs, "judge_reaction").collect();
            reactions.sort_unstable();
            reactions.dedup();
            if !reactions.is_empty() {
                t.reacted.1 += 1;
                t.reacted.0 += u64::from(reactions.iter().any(|r| REACTED.contains(r)));
            }
            for r in reactions {
                *t.reactions.entry(r.into()).or_default() += 1;
            }
        }
    })
    .await?;
    let [closed, needed, provided, hate] = t.yes_base;
    Ok(HearingStats {
        hearings: t.hearings,
        observed: t.observed,
        adjourned: Indicator::new(t.adjourned, t.hearings),
        cancelled: Indicator::new(t.cancelled, t.hearings),
        adjournment_reasons: counts(t.reasons),
        closed_to_public: Indicator::new(closed.0, closed.1),
        interpreter_needed: Indicator::new(needed.0, needed.1),
        interpreter_provided: Indicator::new(provided.0, provided.1),
        hate_speech: Indicator::new(hate.0, hate.1),
        judge_reacted: Indicator::new(t.reacted.0, t.reacted.1),
        judge_reactions: counts(t.reactions),
    })
}

/// The `p` quantile of sorted values, interpolating linearly between order statistics (type 7).
fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi.min(last)] - sorted[lo]))
}

/// Days from filing to the first first-instance ruling.
pub async fn durations(
    state: &AppState,
    filter: &CaseFilter,
) -> Result<DurationStats, ServiceError> {
    let filter = &filter.released();
    let facts = case_facts(&state.db, state.methodology.latest(), filter, false).await?;
    let mut days: Vec<f64> = facts
        .values()
        .filter_map(|f| Some((f.first_instance? - f.filing_date?).num_days() as f64))
        .collect();
    days.sort_by(f64::total_cmp);
    Ok(DurationStats {
        cases: facts.len() as u64,
        with_ruling: days.len() as u64,
        without_filing_date: facts.values().filter(|f| f.filing_date.is_none()).count() as u64,
        min_days: days.first().copied(),
        q1_days: quantile(&days, 0.25),
        median_days: quantile(&days, 0.5),
        q3_days: quantile(&days, 0.75),
        max_days: days.last().copied(),
    })
}

/// The dimensions a crosstab can group by, besides a question code.
pub const DIMENSIONS: &[&str] = &[
    "jurisdiction",
    "court_level",
    "proceeding_type",
    "status",
    "ground",
    "year",
    "outcome",
];

/// What a crosstab groups by.
enum By {
    Dimension(String),
    Question(&'static Question),
}

fn answer_values(answers: &Map<String, Value>, code: &str) -> Vec<String> {
    match answers.get(code) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        _ => Vec::new(),
    }
}

impl By {
    /// The row values of a record (several for grounds; `none` when it has none).
    fn values(
        &self,
        case: Option<&CaseFacts>,
        answers: &Map<String, Value>,
        ruling_jurisdiction: Option<&str>,
    ) -> Vec<String> {
        let found = match (self, case) {
            (By::Question(q), _) if q.scope != Scope::Case => answer_values(answers, &q.code),
            (By::Question(q), Some(c)) => answer_values(&c.answers, &q.code),
            (By::Dimension(d), _) if d == "jurisdiction" && ruling_jurisdiction.is_some() => {
                ruling_jurisdiction.map(String::from).into_iter().collect()
            }
            (By::Dimension(d), Some(c)) => match d.as_str() {
                "jurisdiction" => vec![c.jurisdiction.clone()],
                "court_level" => vec![c.court_level.clone()],
                "proceeding_type" => vec![c.proceeding_type.clone()],
                "status" => vec![c.status.clone()],
                "ground" => c.grounds.clone(),
                "year" => c
                    .filing_date
                    .map(|d| d.year().to_string())
                    .into_iter()
                    .collect(),
                _ => c.outcome.clone().into_iter().collect(),
            },
            _ => Vec::new(),
        };
        if found.is_empty() {
            vec![NONE.into()]
        } else {
            found
        }
    }
}

/// Counts answers to a single-choice or yes/no question of any scope, grouped by a dimension
/// (`jurisdiction`, `court_level`, `proceeding_type`, `status`, `ground`, `year`, `outcome`) or by
/// another single- or multiple-choice or yes/no question of the same scope or of the case.
pub async fn crosstab(
    state: &AppState,
    filter: &CaseFilter,
    question: &str,
    by: &str,
) -> Result<Crosstab, ServiceError> {
    let filter = &filter.released();
    let methodology = state.methodology.latest();
    let q = methodology.question(question).ok_or_else(|| {
        ServiceError::BadRequest(format!(
            "question: no question '{question}' in methodology {}",
            methodology.version
        ))
    })?;
    let codes: Vec<String> = match &q.answer_type {
        AnswerType::YesNo { not_applicable } => {
            let mut c = vec!["yes".to_string(), "no".into(), "unknown".into()];
            if *not_applicable {
                c.push("not_applicable".into());
            }
            c
        }
        AnswerType::SingleChoice { .. } | AnswerType::MultipleChoice { .. } => q
            .answer_type
            .vocabulary()
            .and_then(|v| methodology.vocabulary(v))
            .map(|v| v.terms.iter().map(|t| t.code.clone()).collect())
            .unwrap_or_default(),
        other => {
            return Err(ServiceError::BadRequest(format!(
                "question: '{question}' is a {} question; a crosstab counts yes/no, single-choice or multiple-choice answers",
                other.code()
            )));
        }
    };
    let group = if DIMENSIONS.contains(&by) {
        By::Dimension(by.to_string())
    } else {
        let b = methodology.question(by).ok_or_else(|| {
            ServiceError::BadRequest(format!(
                "by: '{by}' is neither a dimension ({}) nor a question code",
                DIMENSIONS.join(", ")
            ))
        })?;
        let groupable = matches!(
            b.answer_type,
            AnswerType::YesNo { .. }
                | AnswerType::SingleChoice { .. }
                | AnswerType::MultipleChoice { .. }
        );
        if !groupable || (b.scope != q.scope && b.scope != Scope::Case) {
            return Err(ServiceError::BadRequest(format!(
                "by: question '{by}' must be a choice or yes/no question of the {} or of the case",
                scope_name(q.scope)
            )));
        }
        By::Question(b)
    };
    let mut answers = codes.clone();
    answers.push("unanswered".into());
    answers.push("not_asked".into());
    let width = answers.len();
    let multiple_choice = matches!(q.answer_type, AnswerType::MultipleChoice { .. });
    // The columns a record counts in: its answer's, each option it chose (multiple choice),
    // `unanswered`, or `not_asked`.
    let columns = |record: &Map<String, Value>, m: &Methodology| -> Vec<usize> {
        if !m.applies(q, record) {
            return vec![width - 1];
        }
        let position = |a: &str| codes.iter().position(|c| c == a);
        let chosen: Vec<usize> = match record.get(&q.code) {
            Some(Value::String(a)) => position(a).into_iter().collect(),
            Some(Value::Array(items)) if multiple_choice => items
                .iter()
                .filter_map(Value::as_str)
                .filter_map(position)
                .collect(),
            _ => Vec::new(),
        };
        if chosen.is_empty() {
            vec![width - 2]
        } else {
            chosen
        }
    };
    // Per `by` value: the counts per column and the records in the row.
    let mut rows: BTreeMap<String, (Vec<u64>, u64)> = BTreeMap::new();
    let mut total = 0u64;
    let mut add = |values: Vec<String>, cols: Vec<usize>| {
        total += 1;
        for v in values {
            let row = rows.entry(v).or_insert_with(|| (vec![0; width], 0));
            row.1 += 1;
            for &c in &cols {
                row.0[c] += 1;
            }
        }
    };
    let needs_case_answers =
        matches!(&group, By::Question(b) if b.scope == Scope::Case) || q.scope == Scope::Case;
    let facts = case_facts(&state.db, methodology, filter, needs_case_answers).await?;
    match q.scope {
        Scope::Case => {
            for f in facts.values() {
                add(
                    group.values(Some(f), &f.answers, None),
                    columns(&f.answers, methodology),
                );
            }
        }
        Scope::Observation => {
            walk_hearings(state, filter, |h, obs| {
                let case = facts.get(&h.case_id);
                for (m, a) in obs {
                    add(group.values(case, a, None), columns(a, m));
                }
            })
            .await?;
        }
        Scope::Ruling => {
            let mut after = String::new();
            loop {
                let rulings = keyset_batch(
                    &state.db,
                    ruling::Entity::find().filter(filter.rulings()),
                    ruling::Column::Id,
                    |m| &m.id,
                    &mut after,
                    BATCH,
                )
                .await?;
                for r in &rulings {
                    let merged = merge_answers(
                        methodology,
                        Scope::Ruling,
                        &parse_answers(&r.answers)?,
                        ruling_fields(r.decision_date, r.instance.as_deref(), r.outcome.as_deref()),
                        &mut Vec::new(),
                    );
                    let case = r.case_id.as_ref().and_then(|c| facts.get(c));
                    add(
                        group.values(case, &merged, r.jurisdiction.as_deref()),
                        columns(&merged, methodology),
                    );
                }
                if rulings.len() < BATCH as usize {
                    break;
                }
            }
        }
    }
    Ok(Crosstab {
        question: q.code.clone(),
        by: by.to_string(),
        unit: scope_name(q.scope).into(),
        answers,
        answer_labels: None,
        multiple_choice,
        rows: rows
            .into_iter()
            .map(|(value, (counts, records))| CrosstabRow {
                total: records,
                value,
                label: None,
                counts,
            })
            .collect(),
        total,
    })
}

fn scope_name(scope: Scope) -> &'static str {
    match scope {
        Scope::Case => "case",
        Scope::Observation => "observation",
        Scope::Ruling => "ruling",
    }
}
