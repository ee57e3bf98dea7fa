//! `/audit`: the trail of every write, for admins (everything) and coordinators (their own
//! organisation's records). Read-only: there is no way to change or delete an entry.

use chrono::{DateTime, Utc};
use poem_openapi::{Object, OpenApi, param::Query, payload::Json};

use crate::{
    endpoints::{ApiTags, BearerToken, actor},
    error::ApiError,
    services::audit::{self, AuditEntry, AuditFilter},
    state::AppState,
};

/// Audit endpoints.
#[derive(Debug)]
pub struct AuditApi {
    /// Shared state.
    pub state: AppState,
}

/// A page of the audit trail.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AuditPage {
    /// Entries on this page, oldest first.
    pub items: Vec<AuditEntry>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[OpenApi(tag = "ApiTags::Audit")]
impl AuditApi {
    /// Read the audit trail
    ///
    /// Every create, update, review step (submit, publish, return, withdraw), grade, import, token
    /// change and settings change, with who, when, and the record before and after (a ruling's
    /// full text as its SHA-256 and length). Admins read everything; coordinators the records of
    /// their own organisation. `resource_id` gives the whole life of one record.
    #[oai(path = "/audit", method = "get", operation_id = "list_audit")]
    #[expect(
        clippy::too_many_arguments,
        reason = "one parameter per documented filter"
    )]
    async fn list(
        &self,
        token: BearerToken,
        /// Only entries about this kind of record (case, party, hearing, observation, ruling,
        /// court, token, settings).
        #[oai(validator(max_length = 32))]
        resource: Query<Option<String>>,
        /// Only entries about this record.
        #[oai(validator(max_length = 36))]
        resource_id: Query<Option<String>>,
        /// Only entries by this user.
        #[oai(validator(max_length = 36))]
        user_id: Query<Option<String>>,
        /// Only this action (create, update, submit, publish, return, withdraw, grade, import,
        /// revoke, set).
        #[oai(validator(max_length = 32))]
        action: Query<Option<String>>,
        /// Only entries at or after this instant (RFC 3339).
        from: Query<Option<DateTime<Utc>>>,
        /// Only entries before this instant (RFC 3339).
        to: Query<Option<DateTime<Utc>>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 500 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<AuditPage>, ApiError> {
        let actor = actor(&self.state, &token, "list_audit").await?;
        let filter = AuditFilter {
            resource: resource.0,
            resource_id: resource_id.0,
            user_id: user_id.0,
            action: action.0,
            from: from.0,
            to: to.0,
        };
        let page = audit::list(&self.state, &actor, filter, cursor.0.as_deref(), limit.0).await?;
        Ok(Json(AuditPage {
            items: page.items,
            next_cursor: page.next_cursor,
        }))
    }
}
