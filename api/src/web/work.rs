//! The home page's work lists for the people who record: their organisation's cases with their
//! review state, the hearings coming up (and those of the last two weeks, still to be written
//! up), the visitor's drafts, and the records returned to them with the reviewer's comments.
//! Only the visitor's own organisation's records are listed (an admin's home is no window on
//! other organisations' text, which the API shows them redacted).

use chrono::{Duration, Utc};

use crate::{
    error::ServiceError,
    services::{
        accounts::Session,
        case::{self as case_service, CaseFilter},
        hearing::{self as hearing_service, HearingFilter},
        observation::{self as observation_service, ObservationFilter},
        review::{ReviewStatus, parse_comments},
    },
    state::AppState,
};

use super::i18n::Lang;

/// A case in the list.
#[derive(Debug)]
pub struct CaseRow {
    /// The case id.
    pub id: String,
    /// Case number and title.
    pub name: String,
    /// Its review state, in words.
    pub state: String,
}

/// A hearing to record.
#[derive(Debug)]
pub struct HearingRow {
    /// The hearing id.
    pub id: String,
    /// Its date, in the page's format.
    pub date: String,
    /// The case number and title.
    pub case: String,
    /// Whether it is still to come.
    pub upcoming: bool,
}

/// An observation of the visitor's.
#[derive(Debug)]
pub struct RecordRow {
    /// The observation id.
    pub id: String,
    /// The hearing's date and case.
    pub what: String,
    /// Reviewer's comments, when returned.
    pub comments: Vec<String>,
}

/// The lists of the home page.
#[derive(Debug, Default)]
pub struct Work {
    /// The organisation's cases.
    pub cases: Vec<CaseRow>,
    /// Hearings from two weeks ago on, soonest first.
    pub hearings: Vec<HearingRow>,
    /// The visitor's drafts.
    pub drafts: Vec<RecordRow>,
    /// Returned to the visitor.
    pub returned: Vec<RecordRow>,
}

/// The work lists of `session`'s organisation.
pub async fn of(state: &AppState, session: &Session, lang: Lang) -> Result<Work, ServiceError> {
    let actor = &session.actor;
    let organisation = &session.user.organisation_id;
    let cases: Vec<_> = case_service::list(state, actor, CaseFilter::default(), None, Some(500))
        .await?
        .items
        .into_iter()
        .filter(|c| &c.case.organisation_id == organisation)
        .collect();
    let name_of = |case_id: &str| {
        cases
            .iter()
            .find(|c| c.case.id == case_id)
            .map(|c| format!("{} · {}", c.case.case_number, c.case.title))
    };
    let now = Utc::now();
    let mut dated: Vec<_> = hearing_service::list(
        state,
        actor,
        HearingFilter {
            from: Some(now - Duration::days(14)),
            ..HearingFilter::default()
        },
        None,
        Some(500),
    )
    .await?
    .items
    .into_iter()
    .filter_map(|h| {
        name_of(&h.case_id).map(|case| {
            (
                h.scheduled_at,
                HearingRow {
                    id: h.id,
                    date: lang.date(h.scheduled_at.date_naive()),
                    case,
                    upcoming: h.scheduled_at >= now,
                },
            )
        })
    })
    .collect();
    dated.sort_by_key(|(at, _)| *at);
    let hearings: Vec<HearingRow> = dated.into_iter().take(30).map(|(_, row)| row).collect();
    let records = |status: ReviewStatus| {
        observation_service::list(
            state,
            actor,
            ObservationFilter {
                monitor_id: Some(actor.user_id.clone()),
                status: Some(status),
                ..ObservationFilter::default()
            },
            None,
            Some(100),
        )
    };
    let drafts = records(ReviewStatus::Draft).await?.items;
    let returned = records(ReviewStatus::Returned).await?.items;
    let row = |o: crate::entities::observation::Model, case_id: String| RecordRow {
        what: name_of(&case_id).unwrap_or_default(),
        comments: parse_comments(o.review_comments.as_deref())
            .into_values()
            .collect(),
        id: o.id,
    };
    Ok(Work {
        cases: cases
            .iter()
            .map(|c| CaseRow {
                id: c.case.id.clone(),
                name: format!("{} · {}", c.case.case_number, c.case.title),
                state: lang.t(&format!("review-{}", c.case.review_status), &[]),
            })
            .collect(),
        hearings,
        drafts: drafts.into_iter().map(|(o, c)| row(o, c)).collect(),
        returned: returned.into_iter().map(|(o, c)| row(o, c)).collect(),
    })
}
