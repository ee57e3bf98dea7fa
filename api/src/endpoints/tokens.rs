//! `/tokens`: the caller's API tokens (an admin's: anyone's). A token's secret is returned once,
//! when it is created; only its SHA-256 digest is stored.

use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use crate::{
    endpoints::{ApiTags, BearerToken, actor},
    error::ApiError,
    services::auth::{self, TokenInfo},
    state::AppState,
};

/// Token endpoints.
#[derive(Debug)]
pub struct TokensApi {
    /// Shared state.
    pub state: AppState,
}

/// A token to create.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TokenInput {
    /// What the token is for (e.g. `laptop`, `R scripts`).
    #[oai(validator(min_length = 1, max_length = 200))]
    pub label: String,
    /// Days until it expires, 1–366; 90 when absent.
    #[oai(validator(minimum(value = "1"), maximum(value = "366")))]
    pub expires_in_days: Option<u32>,
    /// The user it acts as; the caller when absent (only an admin may name another user).
    #[oai(validator(max_length = 36))]
    pub user_id: Option<String>,
}

/// A created token with its secret.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewToken {
    /// The secret, shown this once: send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// The stored token.
    #[oai(flatten)]
    pub info: TokenInfo,
}

/// 201 with the new token.
#[derive(Debug, ApiResponse)]
pub enum TokenCreated {
    /// Created; the secret is in `token` and is not shown again.
    #[oai(status = 201)]
    Created(Json<NewToken>),
}

#[OpenApi(tag = "ApiTags::Tokens")]
impl TokensApi {
    /// Create an API token for yourself (an admin: for any user). The secret is in the response
    /// only.
    #[oai(path = "/tokens", method = "post", operation_id = "create_token")]
    async fn create(
        &self,
        token: BearerToken,
        body: Json<TokenInput>,
    ) -> Result<TokenCreated, ApiError> {
        let actor = actor(&self.state, &token, "create_token").await?;
        let (info, secret) = auth::create_token(
            &self.state.db,
            &actor,
            body.0.user_id.as_deref(),
            &body.0.label,
            body.0.expires_in_days.unwrap_or(90),
        )
        .await?;
        Ok(TokenCreated::Created(Json(NewToken {
            token: secret,
            info,
        })))
    }

    /// Your tokens (an admin: any user's with `user_id`), newest first, without secrets.
    #[oai(path = "/tokens", method = "get", operation_id = "list_tokens")]
    async fn list(
        &self,
        token: BearerToken,
        /// Whose tokens (admins only; default: yours).
        #[oai(validator(max_length = 36))]
        user_id: Query<Option<String>>,
    ) -> Result<Json<Vec<TokenInfo>>, ApiError> {
        let actor = actor(&self.state, &token, "list_tokens").await?;
        Ok(Json(
            auth::list_tokens(&self.state.db, &actor, user_id.0.as_deref()).await?,
        ))
    }

    /// Revoke a token: it is refused from the next request on. You may revoke your own tokens
    /// (an admin: any); another user's token is reported as not found.
    #[oai(
        path = "/tokens/:id/revoke",
        method = "post",
        operation_id = "revoke_token"
    )]
    async fn revoke(
        &self,
        token: BearerToken,
        /// Token id.
        #[oai(validator(max_length = 36))]
        id: Path<String>,
    ) -> Result<Json<TokenInfo>, ApiError> {
        let actor = actor(&self.state, &token, "revoke_token").await?;
        Ok(Json(
            auth::revoke_token(&self.state.db, Some(&actor), &id.0).await?,
        ))
    }
}
