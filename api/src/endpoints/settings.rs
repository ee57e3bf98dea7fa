//! `/settings`: service settings, for admins.

use poem_openapi::{OpenApi, payload::Json};

use crate::{
    endpoints::{ApiTags, BearerToken, actor},
    error::ApiError,
    services::settings::{self, Settings, SettingsUpdate},
    state::AppState,
};

/// Settings endpoints.
#[derive(Debug)]
pub struct SettingsApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::Settings")]
impl SettingsApi {
    /// Read the service settings
    #[oai(path = "/settings", method = "get", operation_id = "get_settings")]
    async fn get(&self, token: BearerToken) -> Result<Json<Settings>, ApiError> {
        actor(&self.state, &token, "get_settings").await?;
        Ok(Json(settings::get(&self.state.db).await?))
    }

    /// Change the service settings
    ///
    /// Settings left out keep their value. `anonymous_stats: true` opens `/stats/*` (which count
    /// published records only) to callers without a token; every other route still needs one.
    /// `two_factor_required: true` makes admins and coordinators set up two-factor sign-in
    /// before any other page. Recorded in the audit trail.
    #[oai(path = "/settings", method = "put", operation_id = "update_settings")]
    async fn update(
        &self,
        token: BearerToken,
        body: Json<SettingsUpdate>,
    ) -> Result<Json<Settings>, ApiError> {
        let actor = actor(&self.state, &token, "update_settings").await?;
        Ok(Json(settings::update(&self.state, &actor, body.0).await?))
    }
}
