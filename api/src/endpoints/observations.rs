//! `/observations`

use chrono::{DateTime, Utc};
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Header, Path, Query},
    payload::Json,
};

use crate::{
    endpoints::{ApiTags, BearerToken, actor, one},
    error::{ApiError, ServiceError},
    services::{
        observation::{
            self, Creation, Observation, ObservationFilter, ObservationInput, ObservationStatus,
            to_api,
        },
        review::ReviewInput,
        sensitive,
    },
    state::AppState,
};

/// Observations endpoints.
#[derive(Debug)]
pub struct ObservationsApi {
    /// Shared state.
    pub state: AppState,
}

/// A page of observations.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ObservationPage {
    /// The observations on this page, oldest first.
    pub items: Vec<Observation>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A create's answer: the new record, or the one a retry of the same create already stored.
#[derive(Debug, ApiResponse)]
pub enum ObservationCreated {
    /// The observation was created; the body is the stored record.
    #[oai(status = 201)]
    Created(Json<Observation>, #[oai(header = "ETag")] String),
    /// The `id` sent names the observation this caller already created for this hearing (a
    /// retried create): the body is that record as stored now, and nothing was created or
    /// changed.
    #[oai(status = 200)]
    Existing(Json<Observation>, #[oai(header = "ETag")] String),
}

/// An observation with its version as the `ETag`.
#[derive(Debug, ApiResponse)]
pub enum ObservationFound {
    /// The observation.
    #[oai(status = 200)]
    Ok(Json<Observation>, #[oai(header = "ETag")] String),
}

/// The strong entity tag of a version: `"7"`.
fn etag(version: u32) -> String {
    format!("\"{version}\"")
}

/// The version an `If-Match` names: `"7"` (or `W/"7"`, or bare `7`); `*` matches any.
fn if_match_version(header: Option<&str>) -> Result<Option<u32>, ServiceError> {
    let Some(raw) = header.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    if raw == "*" {
        return Ok(None);
    }
    let tag = raw.strip_prefix("W/").unwrap_or(raw).trim_matches('"');
    // A tag that is no version of ours matches no stored version: 412, as RFC 9110 says.
    Ok(Some(tag.parse().unwrap_or(0)))
}

fn found(o: Observation) -> ObservationFound {
    let tag = etag(o.version);
    ObservationFound::Ok(Json(o), tag)
}

#[OpenApi(tag = "ApiTags::Observations")]
impl ObservationsApi {
    /// Record an observation of a hearing
    ///
    /// The caller is recorded as the monitor. Answers are validated against the methodology version
    /// named (the latest when absent) together with the hearing's facts: a `draft` may be
    /// incomplete, a `submitted` observation must answer every required question that applies. A
    /// 422 lists every problem, each naming the question code.
    ///
    /// **Exactly once.** Send an `id` you chose (a UUID version 7) to make the create safe to
    /// retry: if the answer is lost and the same create is sent again, the second answer is 200
    /// with the record stored by the first, and no second record exists. A client working
    /// offline picks the id when the monitor starts the form.
    #[oai(
        path = "/observations",
        method = "post",
        operation_id = "create_observation"
    )]
    async fn create(
        &self,
        token: BearerToken,
        body: Json<ObservationInput>,
    ) -> Result<ObservationCreated, ApiError> {
        let actor = actor(&self.state, &token, "create_observation").await?;
        Ok(
            match observation::create_once(&self.state, &actor, body.0).await? {
                Creation::Created(m, case_id) => {
                    let o = to_api(m, case_id)?;
                    let tag = etag(o.version);
                    ObservationCreated::Created(Json(o), tag)
                }
                Creation::Existing(m, case_id) => {
                    let o = to_api(m, case_id)?;
                    let tag = etag(o.version);
                    ObservationCreated::Existing(Json(o), tag)
                }
            },
        )
    }

    /// Get an observation
    #[oai(
        path = "/observations/:id",
        method = "get",
        operation_id = "get_observation"
    )]
    async fn get(
        &self,
        token: BearerToken,
        id: Path<String>,
    ) -> Result<ObservationFound, ApiError> {
        let actor = actor(&self.state, &token, "get_observation").await?;
        let read = observation::read(&self.state, &actor, &id.0).await?;
        let (shown, case_id) =
            one(sensitive::shown_observations(&self.state, &actor, vec![read]).await?)?;
        Ok(found(to_api(shown, case_id)?))
    }

    /// Replace or submit an observation
    ///
    /// The body replaces the answers and notes. Set `status` to `submitted` to submit; a submitted
    /// observation cannot go back to draft (409), and a published one is changed only by a
    /// coordinator or an admin (409 for a monitor: it must be withdrawn first).
    ///
    /// Send the `ETag` you read as `If-Match` so that the update is refused (412, nothing
    /// changed) when someone changed the observation meanwhile, say a coordinator returned it.
    /// Without `If-Match` the update applies to whatever is stored.
    #[oai(
        path = "/observations/:id",
        method = "put",
        operation_id = "update_observation"
    )]
    async fn update(
        &self,
        token: BearerToken,
        id: Path<String>,
        /// The `ETag` of the version this update was made from, e.g. `"3"`.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        body: Json<ObservationInput>,
    ) -> Result<ObservationFound, ApiError> {
        let actor = actor(&self.state, &token, "update_observation").await?;
        let expected = if_match_version(if_match.0.as_deref())?;
        let (updated, case_id) =
            observation::update(&self.state, &actor, &id.0, body.0, expected).await?;
        Ok(found(to_api(updated, case_id)?))
    }

    /// List observations
    #[oai(
        path = "/observations",
        method = "get",
        operation_id = "list_observations"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "one parameter per documented filter"
    )]
    async fn list(
        &self,
        token: BearerToken,
        /// Only observations of this hearing.
        hearing_id: Query<Option<String>>,
        /// Only observations of hearings of this case.
        case_id: Query<Option<String>>,
        /// Only observations in this review state.
        status: Query<Option<ObservationStatus>>,
        /// Only observations by this monitor (user id).
        monitor_id: Query<Option<String>>,
        /// Only observations under this methodology version.
        methodology_version: Query<Option<u32>>,
        /// Only observations of hearings scheduled at or after this instant (RFC 3339).
        from: Query<Option<DateTime<Utc>>>,
        /// Only observations of hearings scheduled before this instant (RFC 3339).
        to: Query<Option<DateTime<Utc>>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 500 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<ObservationPage>, ApiError> {
        let actor = actor(&self.state, &token, "list_observations").await?;
        let filter = ObservationFilter {
            hearing_id: hearing_id.0,
            case_id: case_id.0,
            status: status.0,
            monitor_id: monitor_id.0,
            methodology_version: methodology_version.0,
            from: from.0,
            to: to.0,
        };
        let page =
            observation::list(&self.state, &actor, filter, cursor.0.as_deref(), limit.0).await?;
        let items = sensitive::shown_observations(&self.state, &actor, page.items)
            .await?
            .into_iter()
            .map(|(o, case_id)| to_api(o, case_id))
            .collect::<Result<_, _>>()?;
        Ok(Json(ObservationPage {
            items,
            next_cursor: page.next_cursor,
        }))
    }

    /// Take a review step on an observation
    ///
    /// `submit` (the monitor: every required question that applies must be answered), then a
    /// coordinator of the case's organisation or an admin will `publish` it or `return` it with
    /// comments by question code (or `notes`); a published observation can be `withdrawn`.
    /// Publishing needs the case published first. Researchers, search, datasets and statistics
    /// see published observations of published cases only.
    #[oai(
        path = "/observations/:id/review",
        method = "post",
        operation_id = "review_observation"
    )]
    async fn review(
        &self,
        token: BearerToken,
        id: Path<String>,
        body: Json<ReviewInput>,
    ) -> Result<Json<Observation>, ApiError> {
        let actor = actor(&self.state, &token, "review_observation").await?;
        let (updated, case_id) =
            observation::review(&self.state, &actor, &id.0, body.0, None).await?;
        Ok(Json(to_api(updated, case_id)?))
    }
}
