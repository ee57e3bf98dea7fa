//! `/parties`

use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use crate::{
    endpoints::{ApiTags, BearerToken, Created, actor, one},
    error::ApiError,
    services::{
        party::{self, Party, PartyInput},
        sensitive,
    },
    state::AppState,
};

/// Parties endpoints.
#[derive(Debug)]
pub struct PartiesApi {
    /// Shared state.
    pub state: AppState,
}

/// A page of parties.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PartyPage {
    /// The parties on this page, oldest first.
    pub items: Vec<Party>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[OpenApi(tag = "ApiTags::Parties")]
impl PartiesApi {
    /// Add a party to a case
    #[oai(path = "/parties", method = "post", operation_id = "create_party")]
    async fn create(
        &self,
        token: BearerToken,
        body: Json<PartyInput>,
    ) -> Result<Created<Party>, ApiError> {
        let actor = actor(&self.state, &token, "create_party").await?;
        Ok(Created::Created(Json(
            party::create(&self.state, &actor, body.0)
                .await?
                .try_into()?,
        )))
    }

    /// Get a party
    #[oai(path = "/parties/:id", method = "get", operation_id = "get_party")]
    async fn get(&self, token: BearerToken, id: Path<String>) -> Result<Json<Party>, ApiError> {
        let actor = actor(&self.state, &token, "get_party").await?;
        let found = party::read(&self.state, &actor, &id.0).await?;
        let shown = sensitive::shown_parties(&self.state, &actor, vec![found]).await?;
        Ok(Json(one(shown)?.try_into()?))
    }

    /// Replace a party
    #[oai(path = "/parties/:id", method = "put", operation_id = "update_party")]
    async fn update(
        &self,
        token: BearerToken,
        id: Path<String>,
        body: Json<PartyInput>,
    ) -> Result<Json<Party>, ApiError> {
        let actor = actor(&self.state, &token, "update_party").await?;
        Ok(Json(
            party::update(&self.state, &actor, &id.0, body.0)
                .await?
                .try_into()?,
        ))
    }

    /// List parties
    #[oai(path = "/parties", method = "get", operation_id = "list_parties")]
    async fn list(
        &self,
        token: BearerToken,
        /// Only parties of this case.
        case_id: Query<Option<String>>,
        /// Only parties with this role (vocabulary `party_role`).
        role: Query<Option<String>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 500 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<PartyPage>, ApiError> {
        let actor = actor(&self.state, &token, "list_parties").await?;
        let page = party::list(
            &self.state,
            &actor,
            case_id.0,
            role.0,
            cursor.0.as_deref(),
            limit.0,
        )
        .await?;
        let items = sensitive::shown_parties(&self.state, &actor, page.items)
            .await?
            .into_iter()
            .map(Party::try_from)
            .collect::<Result<_, _>>()?;
        Ok(Json(PartyPage {
            items,
            next_cursor: page.next_cursor,
        }))
    }
}
