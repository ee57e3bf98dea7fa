//! `/users`: admins manage every user; coordinators invite, rename, deactivate and reset the
//! password of the monitors of their own organisation. See [`crate::services::users`].

use poem_openapi::{
    OpenApi,
    param::{Path, Query},
    payload::Json,
};

use crate::{
    endpoints::{ApiTags, BearerToken, Created, actor},
    error::ApiError,
    services::users::{self, InviteInput, SignInLink, UserInfo, UserUpdate},
    state::AppState,
};

/// User endpoints.
#[derive(Debug)]
pub struct UsersApi {
    /// Shared state.
    pub state: AppState,
}

#[OpenApi(tag = "ApiTags::Users")]
impl UsersApi {
    /// The users you manage: an admin everyone (or one organisation's, with `organisation_id`),
    /// a coordinator their own organisation's.
    #[oai(path = "/users", method = "get", operation_id = "list_users")]
    async fn list(
        &self,
        token: BearerToken,
        /// Only this organisation's users.
        #[oai(validator(max_length = 36))]
        organisation_id: Query<Option<String>>,
    ) -> Result<Json<Vec<UserInfo>>, ApiError> {
        let actor = actor(&self.state, &token, "list_users").await?;
        Ok(Json(
            users::list(&self.state.db, &actor, organisation_id.0.as_deref()).await?,
        ))
    }

    /// Invite a user. The response holds a one-time sign-in link (valid 72 hours) to pass on:
    /// with it they choose their password. No e-mail is sent.
    #[oai(path = "/users", method = "post", operation_id = "invite_user")]
    async fn invite(
        &self,
        token: BearerToken,
        body: Json<InviteInput>,
    ) -> Result<Created<SignInLink>, ApiError> {
        let actor = actor(&self.state, &token, "invite_user").await?;
        Ok(Created::Created(Json(
            users::invite(&self.state.db, &actor, body.0).await?,
        )))
    }

    /// One user.
    #[oai(path = "/users/:id", method = "get", operation_id = "get_user")]
    async fn get(
        &self,
        token: BearerToken,
        /// User id.
        #[oai(validator(max_length = 36))]
        id: Path<String>,
    ) -> Result<Json<UserInfo>, ApiError> {
        let actor = actor(&self.state, &token, "get_user").await?;
        Ok(Json(users::get(&self.state.db, &actor, &id.0).await?))
    }

    /// Change a user's name, sign-in e-mail address or (admins) role.
    #[oai(path = "/users/:id", method = "put", operation_id = "update_user")]
    async fn update(
        &self,
        token: BearerToken,
        /// User id.
        #[oai(validator(max_length = 36))]
        id: Path<String>,
        body: Json<UserUpdate>,
    ) -> Result<Json<UserInfo>, ApiError> {
        let actor = actor(&self.state, &token, "update_user").await?;
        Ok(Json(
            users::update(&self.state.db, &actor, &id.0, body.0).await?,
        ))
    }

    /// Deactivate a user: their tokens, sessions and sign-in links stop working at once. The
    /// user is kept (the audit trail names them).
    #[oai(
        path = "/users/:id/deactivate",
        method = "post",
        operation_id = "deactivate_user"
    )]
    async fn deactivate(
        &self,
        token: BearerToken,
        /// User id.
        #[oai(validator(max_length = 36))]
        id: Path<String>,
    ) -> Result<Json<UserInfo>, ApiError> {
        let actor = actor(&self.state, &token, "deactivate_user").await?;
        Ok(Json(
            users::deactivate(&self.state.db, Some(&actor), &id.0).await?,
        ))
    }

    /// Reset a user's password: a new one-time sign-in link to pass on (earlier links stop
    /// working). Their password and sessions change when the link is used.
    #[oai(
        path = "/users/:id/sign-in-link",
        method = "post",
        operation_id = "reset_user"
    )]
    async fn reset(
        &self,
        token: BearerToken,
        /// User id.
        #[oai(validator(max_length = 36))]
        id: Path<String>,
    ) -> Result<Created<SignInLink>, ApiError> {
        let actor = actor(&self.state, &token, "reset_user").await?;
        Ok(Created::Created(Json(
            users::reset(&self.state.db, &actor, &id.0).await?,
        )))
    }
}
