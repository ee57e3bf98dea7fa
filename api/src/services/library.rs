//! Reading records as a researcher does (the web interface's library): a ruling as the API gives
//! it to the reader (`ruling::read`, `sensitive::shown_rulings`), and a case file — the case, its
//! hearings, their observations and its rulings — with **released records only, redacted as for a
//! reader outside the organisation, whoever opens it** (the case's own organisation edits its
//! records elsewhere). The masks are the same functions (`sensitive::*_text`) as the API's reads,
//! the datasets and the index use.

use crate::{
    access::{Actor, policy},
    entities::{hearing, observation, ruling},
    error::ServiceError,
    services::{
        case::{self as case_service, CaseRecord},
        hearing::{self as hearing_service, HearingFilter},
        observation::{self as observation_service, ObservationFilter},
        ruling::{self as ruling_service, Ruling, RulingFilter},
        sensitive,
    },
    state::AppState,
};

/// Most hearings, observations and rulings read for one case file (far more than any case has).
const MAX: Option<u32> = Some(500);

/// A ruling as `actor` may read it (404 if they may not), redacted as the API redacts it for them.
pub async fn ruling(state: &AppState, actor: &Actor, id: &str) -> Result<Ruling, ServiceError> {
    let found = ruling_service::read(state, actor, id).await?;
    let mut shown = sensitive::shown_rulings(state, actor, vec![found]).await?;
    shown
        .pop()
        .ok_or_else(|| ServiceError::internal("ruling lost while redacting"))?
        .try_into()
}

/// A hearing with its released observations.
#[derive(Debug, Clone)]
pub struct HearingFile {
    pub hearing: hearing::Model,
    pub observations: Vec<observation::Model>,
}

/// A released case as read from outside.
#[derive(Debug, Clone)]
pub struct CaseFile {
    pub case: CaseRecord,
    /// Oldest first.
    pub hearings: Vec<HearingFile>,
    /// Its released rulings, oldest first.
    pub rulings: Vec<ruling::Model>,
}

/// The case file of `case_id`: 404 unless the case is released (published), for everyone.
pub async fn case_file(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
) -> Result<CaseFile, ServiceError> {
    let not_found = || ServiceError::NotFound {
        resource: "case",
        id: case_id.to_owned(),
    };
    let mut case = case_service::read(state, actor, case_id).await?;
    let case_state = case.case.review_status.clone();
    if !policy::released(Some(&case_state), None) {
        return Err(not_found());
    }
    let registry = state.methodology;
    let r = sensitive::redactor(&state.db, case_id).await?;
    sensitive::case_text(&mut case.case, registry, &r)?;

    let filter = HearingFilter {
        case_id: Some(case_id.to_owned()),
        ..HearingFilter::default()
    };
    let mut hearings: Vec<HearingFile> = hearing_service::list(state, actor, filter, None, MAX)
        .await?
        .items
        .into_iter()
        .map(|mut h| {
            sensitive::hearing_text(&mut h, &r);
            HearingFile {
                hearing: h,
                observations: Vec::new(),
            }
        })
        .collect();
    hearings.sort_by_key(|h| h.hearing.scheduled_at);

    let filter = ObservationFilter {
        case_id: Some(case_id.to_owned()),
        ..ObservationFilter::default()
    };
    for (mut o, _) in observation_service::list(state, actor, filter, None, MAX)
        .await?
        .items
    {
        if !policy::released(Some(&o.status), Some(&case_state)) {
            continue;
        }
        sensitive::observation_text(&mut o, registry, &r)?;
        if let Some(h) = hearings.iter_mut().find(|h| h.hearing.id == o.hearing_id) {
            h.observations.push(o);
        }
    }

    let filter = RulingFilter {
        case_id: Some(case_id.to_owned()),
        ..RulingFilter::default()
    };
    let mut rulings = Vec::new();
    for mut m in ruling_service::list(state, actor, filter, None, MAX)
        .await?
        .items
    {
        if !policy::released(Some(&m.review_status), Some(&case_state)) {
            continue;
        }
        sensitive::ruling_text(&mut m, registry, &r)?;
        rulings.push(m);
    }
    rulings.sort_by_key(|m| m.decision_date);
    Ok(CaseFile {
        case,
        hearings,
        rulings,
    })
}
