//! `/courts`

use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use crate::{
    endpoints::{ApiTags, BearerToken, Created, actor},
    error::ApiError,
    services::court::{self, Court, CourtFilter, CourtInput},
    state::AppState,
};

/// Courts endpoints.
#[derive(Debug)]
pub struct CourtsApi {
    /// Shared state.
    pub state: AppState,
}

/// A page of courts.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CourtPage {
    /// The courts on this page, oldest first.
    pub items: Vec<Court>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[OpenApi(tag = "ApiTags::Courts")]
impl CourtsApi {
    /// Create a court
    #[oai(path = "/courts", method = "post", operation_id = "create_court")]
    async fn create(
        &self,
        token: BearerToken,
        body: Json<CourtInput>,
    ) -> Result<Created<Court>, ApiError> {
        let actor = actor(&self.state, &token, "create_court").await?;
        Ok(Created::Created(Json(
            court::create(&self.state, &actor, body.0).await?.into(),
        )))
    }

    /// Get a court
    #[oai(path = "/courts/:id", method = "get", operation_id = "get_court")]
    async fn get(&self, token: BearerToken, id: Path<String>) -> Result<Json<Court>, ApiError> {
        actor(&self.state, &token, "get_court").await?;
        Ok(Json(court::get(&self.state, &id.0).await?.into()))
    }

    /// Replace a court
    #[oai(path = "/courts/:id", method = "put", operation_id = "update_court")]
    async fn update(
        &self,
        token: BearerToken,
        id: Path<String>,
        body: Json<CourtInput>,
    ) -> Result<Json<Court>, ApiError> {
        let actor = actor(&self.state, &token, "update_court").await?;
        Ok(Json(
            court::update(&self.state, &actor, &id.0, body.0)
                .await?
                .into(),
        ))
    }

    /// List courts
    #[oai(path = "/courts", method = "get", operation_id = "list_courts")]
    async fn list(
        &self,
        token: BearerToken,
        /// Only courts of this jurisdiction (XK, RS, ME, ...).
        jurisdiction: Query<Option<String>>,
        /// Only courts of this level (vocabulary `court_level`).
        level: Query<Option<String>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 500 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<CourtPage>, ApiError> {
        actor(&self.state, &token, "list_courts").await?;
        let filter = CourtFilter {
            jurisdiction: jurisdiction.0,
            level: level.0,
        };
        let page = court::list(&self.state, filter, cursor.0.as_deref(), limit.0).await?;
        Ok(Json(CourtPage {
            items: page.items.into_iter().map(Court::from).collect(),
            next_cursor: page.next_cursor,
        }))
    }
}
