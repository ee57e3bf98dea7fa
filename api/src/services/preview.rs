//! "Preview as a researcher sees it": every record of a case with the masks that a reader outside
//! the organisation gets, before anything is published. It uses the same redactor (the case's
//! terms, the organisation-wide ones, the patterns) and the same per-record functions
//! (`sensitive::*_text`) as the API's reads, the datasets and the index, so what it shows is
//! what they give out. For the case's own organisation only (as its terms are).

use serde_json::Value;

use crate::{
    access::Actor,
    error::ServiceError,
    services::{
        audit::snapshot,
        case as case_service,
        hearing::{self as hearing_service, Hearing, HearingFilter},
        observation::{self as observation_service, ObservationFilter},
        party::{self as party_service, Party},
        ruling::{self as ruling_service, Ruling, RulingFilter},
        sensitive,
    },
    state::AppState,
};

/// One record as written and as a researcher would read it (API representations).
#[derive(Debug, Clone)]
pub struct Previewed {
    /// `case`, `party`, `hearing`, `observation` or `ruling`.
    pub resource: &'static str,
    /// The record's id.
    pub id: String,
    /// As written.
    pub written: Value,
    /// As a reader outside the organisation gets it.
    pub seen: Value,
}

const MAX: Option<u32> = Some(500);

/// The case `case_id` and its parties, hearings, observations and rulings, each as written and
/// as seen from outside (403 for anyone outside the organisation, as for its terms).
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
) -> Result<Vec<Previewed>, ServiceError> {
    sensitive::read(state, actor, case_id).await?;
    let r = sensitive::redactor(&state.db, case_id).await?;
    let registry = state.methodology;
    let mut out = Vec::new();
    let mut push = |resource, id: String, written: Option<Value>, seen: Option<Value>| {
        out.push(Previewed {
            resource,
            id,
            written: written.unwrap_or_default(),
            seen: seen.unwrap_or_default(),
        });
    };

    let record = case_service::read(state, actor, case_id).await?;
    let mut masked = record.clone();
    sensitive::case_text(&mut masked.case, registry, &r)?;
    push(
        "case",
        case_id.to_owned(),
        snapshot(&record.into_api()?),
        snapshot(&masked.into_api()?),
    );
    let parties = party_service::list(state, actor, Some(case_id.to_owned()), None, None, MAX)
        .await?
        .items;
    for p in parties {
        let mut masked = p.clone();
        sensitive::party_text(&mut masked, &r);
        push(
            "party",
            p.id.clone(),
            snapshot(&Party::try_from(p)?),
            snapshot(&Party::try_from(masked)?),
        );
    }
    let filter = HearingFilter {
        case_id: Some(case_id.to_owned()),
        ..HearingFilter::default()
    };
    for h in hearing_service::list(state, actor, filter, None, MAX)
        .await?
        .items
    {
        let mut masked = h.clone();
        sensitive::hearing_text(&mut masked, &r);
        push(
            "hearing",
            h.id.clone(),
            snapshot(&Hearing::from(h)),
            snapshot(&Hearing::from(masked)),
        );
    }
    let filter = ObservationFilter {
        case_id: Some(case_id.to_owned()),
        ..ObservationFilter::default()
    };
    for (o, case) in observation_service::list(state, actor, filter, None, MAX)
        .await?
        .items
    {
        let mut masked = o.clone();
        sensitive::observation_text(&mut masked, registry, &r)?;
        push(
            "observation",
            o.id.clone(),
            snapshot(&observation_service::to_api(o, case.clone())?),
            snapshot(&observation_service::to_api(masked, case)?),
        );
    }
    let filter = RulingFilter {
        case_id: Some(case_id.to_owned()),
        ..RulingFilter::default()
    };
    for m in ruling_service::list(state, actor, filter, None, MAX)
        .await?
        .items
    {
        let mut masked = m.clone();
        sensitive::ruling_text(&mut masked, registry, &r)?;
        push(
            "ruling",
            m.id.clone(),
            snapshot(&Ruling::try_from(m)?),
            snapshot(&Ruling::try_from(masked)?),
        );
    }
    Ok(out)
}
