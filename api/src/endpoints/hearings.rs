//! `/hearings`

use chrono::{DateTime, Utc};
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use crate::{
    endpoints::{ApiTags, BearerToken, Created, actor, one},
    error::ApiError,
    services::{
        hearing::{self, Hearing, HearingFilter, HearingInput},
        sensitive,
    },
    state::AppState,
};

/// Hearings endpoints.
#[derive(Debug)]
pub struct HearingsApi {
    /// Shared state.
    pub state: AppState,
}

/// A page of hearings.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HearingPage {
    /// The hearings on this page, oldest record first.
    pub items: Vec<Hearing>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[OpenApi(tag = "ApiTags::Hearings")]
impl HearingsApi {
    /// Record a hearing
    #[oai(path = "/hearings", method = "post", operation_id = "create_hearing")]
    async fn create(
        &self,
        token: BearerToken,
        body: Json<HearingInput>,
    ) -> Result<Created<Hearing>, ApiError> {
        let actor = actor(&self.state, &token, "create_hearing").await?;
        Ok(Created::Created(Json(
            hearing::create(&self.state, &actor, body.0).await?.into(),
        )))
    }

    /// Get a hearing
    #[oai(path = "/hearings/:id", method = "get", operation_id = "get_hearing")]
    async fn get(&self, token: BearerToken, id: Path<String>) -> Result<Json<Hearing>, ApiError> {
        let actor = actor(&self.state, &token, "get_hearing").await?;
        let found = hearing::read(&self.state, &actor, &id.0).await?;
        let shown = sensitive::shown_hearings(&self.state, &actor, vec![found]).await?;
        Ok(Json(one(shown)?.into()))
    }

    /// Replace a hearing
    ///
    /// Refused (422) when the change would make a submitted observation of the hearing invalid,
    /// e.g. turning a held hearing into an adjourned one without adjournment reasons.
    #[oai(
        path = "/hearings/:id",
        method = "put",
        operation_id = "update_hearing"
    )]
    async fn update(
        &self,
        token: BearerToken,
        id: Path<String>,
        body: Json<HearingInput>,
    ) -> Result<Json<Hearing>, ApiError> {
        let actor = actor(&self.state, &token, "update_hearing").await?;
        Ok(Json(
            hearing::update(&self.state, &actor, &id.0, body.0)
                .await?
                .into(),
        ))
    }

    /// List hearings
    #[oai(path = "/hearings", method = "get", operation_id = "list_hearings")]
    #[expect(
        clippy::too_many_arguments,
        reason = "one parameter per documented filter"
    )]
    async fn list(
        &self,
        token: BearerToken,
        /// Only hearings of this case.
        case_id: Query<Option<String>>,
        /// Only hearings at this court.
        court_id: Query<Option<String>>,
        /// Only hearings at courts of this jurisdiction.
        jurisdiction: Query<Option<String>>,
        /// Only this outcome (vocabulary `hearing_outcome`).
        outcome: Query<Option<String>>,
        /// Only this type (vocabulary `hearing_type`).
        hearing_type: Query<Option<String>>,
        /// Only hearings scheduled at or after this instant (RFC 3339).
        from: Query<Option<DateTime<Utc>>>,
        /// Only hearings scheduled before this instant (RFC 3339).
        to: Query<Option<DateTime<Utc>>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 500 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<HearingPage>, ApiError> {
        let actor = actor(&self.state, &token, "list_hearings").await?;
        let filter = HearingFilter {
            case_id: case_id.0,
            court_id: court_id.0,
            jurisdiction: jurisdiction.0,
            outcome: outcome.0,
            hearing_type: hearing_type.0,
            from: from.0,
            to: to.0,
        };
        let page = hearing::list(&self.state, &actor, filter, cursor.0.as_deref(), limit.0).await?;
        Ok(Json(HearingPage {
            items: sensitive::shown_hearings(&self.state, &actor, page.items)
                .await?
                .into_iter()
                .map(Hearing::from)
                .collect(),
            next_cursor: page.next_cursor,
        }))
    }
}
