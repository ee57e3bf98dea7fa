//! `/organisations`: admins create, rename and deactivate organisations; everyone may read their
//! own.

use poem_openapi::{OpenApi, param::Path, payload::Json};

use crate::{
    endpoints::{ApiTags, BearerToken, Created, actor},
    error::{ApiError, ServiceError},
    services::organisation::{self, OrganisationInfo, OrganisationInput},
    state::AppState,
};

/// Organisation endpoints.
#[derive(Debug)]
pub struct OrganisationsApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::Organisations")]
impl OrganisationsApi {
    /// The organisations you may see (an admin: all of them; anyone else: their own), by name.
    #[oai(
        path = "/organisations",
        method = "get",
        operation_id = "list_organisations"
    )]
    async fn list(&self, token: BearerToken) -> Result<Json<Vec<OrganisationInfo>>, ApiError> {
        let actor = actor(&self.state, &token, "list_organisations").await?;
        Ok(Json(organisation::list_for(&self.state.db, &actor).await?))
    }

    /// Create an organisation (admins). Refused (409) when one of the same name, case and spacing
    /// aside, exists.
    #[oai(
        path = "/organisations",
        method = "post",
        operation_id = "create_organisation"
    )]
    async fn create(
        &self,
        token: BearerToken,
        body: Json<OrganisationInput>,
    ) -> Result<Created<OrganisationInfo>, ApiError> {
        let actor = actor(&self.state, &token, "create_organisation").await?;
        let created = organisation::create(&self.state.db, Some(&actor), &body.0.name).await?;
        Ok(Created::Created(Json(
            organisation::shown(&self.state.db, created).await?,
        )))
    }

    /// Rename an organisation (admins).
    #[oai(
        path = "/organisations/:id",
        method = "put",
        operation_id = "update_organisation"
    )]
    async fn update(
        &self,
        token: BearerToken,
        /// Organisation id.
        #[oai(validator(max_length = 36))]
        id: Path<String>,
        body: Json<OrganisationInput>,
    ) -> Result<Json<OrganisationInfo>, ApiError> {
        let actor = actor(&self.state, &token, "update_organisation").await?;
        // By id only: the command line also finds organisations by name, the API does not.
        if organisation::find_by_id(&self.state.db, &id.0)
            .await?
            .is_none()
        {
            return Err(ServiceError::NotFound {
                resource: "organisation",
                id: id.0,
            }
            .into());
        }
        let renamed =
            organisation::rename(&self.state.db, Some(&actor), &id.0, &body.0.name).await?;
        Ok(Json(organisation::shown(&self.state.db, renamed).await?))
    }

    /// Deactivate an organisation (admins): every user of it is deactivated too, and their tokens
    /// and sessions end at once. Nothing is deleted. You cannot deactivate your own.
    #[oai(
        path = "/organisations/:id/deactivate",
        method = "post",
        operation_id = "deactivate_organisation"
    )]
    async fn deactivate(
        &self,
        token: BearerToken,
        /// Organisation id.
        #[oai(validator(max_length = 36))]
        id: Path<String>,
    ) -> Result<Json<OrganisationInfo>, ApiError> {
        let actor = actor(&self.state, &token, "deactivate_organisation").await?;
        Ok(Json(
            organisation::deactivate(&self.state.db, Some(&actor), &id.0).await?,
        ))
    }
}
