//! `/rulings`

use chrono::NaiveDate;
use poem_openapi::{
    ApiRequest, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};

use crate::{
    endpoints::{ApiTags, BearerToken, Created, actor, one},
    error::ApiError,
    services::{
        import::{self, ImportReport},
        review::ReviewInput,
        ruling::{self, Ruling, RulingFilter, RulingInput},
        sensitive,
    },
    state::AppState,
};

/// Request bytes shared between the two passes of an import.
#[derive(Debug, Clone)]
struct SharedBytes(std::sync::Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Rulings endpoints.
#[derive(Debug)]
pub struct RulingsApi {
    /// Shared state.
    pub state: AppState,
}

/// A page of rulings.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RulingPage {
    /// The rulings on this page, oldest record first.
    pub items: Vec<Ruling>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// JSON lines of case law, one ruling per line.
#[derive(Debug, ApiRequest)]
pub enum ImportBody {
    /// `application/x-ndjson`: `{"id", "title", "court", "date", "lang", "text", "source", …}` per line.
    #[oai(content_type = "application/x-ndjson")]
    Ndjson(Binary<Vec<u8>>),
    /// The same lines sent as plain text.
    #[oai(content_type = "text/plain")]
    Text(Binary<Vec<u8>>),
}

#[OpenApi(tag = "ApiTags::Rulings")]
impl RulingsApi {
    /// Import case law from JSON lines
    ///
    /// Each line is `{"id", "title", "court", "date", "lang", "text", "source", …}` (the format of
    /// `courtwatch import rulings`); `id` is the external id and the key: a line identical to the
    /// stored ruling changes nothing, a changed line updates it. Other fields are kept in
    /// `metadata`. Every line is checked first; if any is invalid, nothing is written and the 422
    /// lists each bad line (`line N`) unless `skip_invalid=true`, which imports the valid lines and
    /// reports the rest. Bodies up to the import limit (256 MiB by default) are accepted.
    #[oai(
        path = "/rulings/import",
        method = "post",
        operation_id = "import_rulings"
    )]
    async fn import(
        &self,
        token: BearerToken,
        /// Import the valid lines and report the invalid ones instead of refusing the whole body.
        skip_invalid: Query<Option<bool>>,
        body: ImportBody,
    ) -> Result<Json<ImportReport>, ApiError> {
        let actor = actor(&self.state, &token, "import_rulings").await?;
        let bytes = match body {
            ImportBody::Ndjson(b) | ImportBody::Text(b) => b.0,
        };
        let bytes = std::sync::Arc::new(bytes);
        let report = import::import_rulings(
            &self.state,
            &actor,
            || {
                let reader: Box<dyn std::io::BufRead + Send> =
                    Box::new(std::io::Cursor::new(SharedBytes(bytes.clone())));
                Ok(reader)
            },
            skip_invalid.0.unwrap_or(false),
            |_, _| {},
        )
        .await?;
        Ok(Json(report))
    }

    /// Record a ruling
    ///
    /// Either attached to a monitored case (`case_id`) or stand-alone case law, identified by an
    /// `external_id` that is unique (409 on a duplicate).
    #[oai(path = "/rulings", method = "post", operation_id = "create_ruling")]
    async fn create(
        &self,
        token: BearerToken,
        body: Json<RulingInput>,
    ) -> Result<Created<Ruling>, ApiError> {
        let actor = actor(&self.state, &token, "create_ruling").await?;
        Ok(Created::Created(Json(
            ruling::create(&self.state, &actor, body.0)
                .await?
                .try_into()?,
        )))
    }

    /// Get a ruling
    #[oai(path = "/rulings/:id", method = "get", operation_id = "get_ruling")]
    async fn get(&self, token: BearerToken, id: Path<String>) -> Result<Json<Ruling>, ApiError> {
        let actor = actor(&self.state, &token, "get_ruling").await?;
        let found = ruling::read(&self.state, &actor, &id.0).await?;
        let shown = sensitive::shown_rulings(&self.state, &actor, vec![found]).await?;
        Ok(Json(one(shown)?.try_into()?))
    }

    /// Replace a ruling
    #[oai(path = "/rulings/:id", method = "put", operation_id = "update_ruling")]
    async fn update(
        &self,
        token: BearerToken,
        id: Path<String>,
        body: Json<RulingInput>,
    ) -> Result<Json<Ruling>, ApiError> {
        let actor = actor(&self.state, &token, "update_ruling").await?;
        Ok(Json(
            ruling::update(&self.state, &actor, &id.0, body.0)
                .await?
                .try_into()?,
        ))
    }

    /// List rulings
    #[oai(path = "/rulings", method = "get", operation_id = "list_rulings")]
    #[expect(
        clippy::too_many_arguments,
        reason = "one parameter per documented filter"
    )]
    async fn list(
        &self,
        token: BearerToken,
        /// Only rulings in this monitored case.
        case_id: Query<Option<String>>,
        /// Only rulings of this court.
        court_id: Query<Option<String>>,
        /// Only this jurisdiction.
        jurisdiction: Query<Option<String>>,
        /// Only this language tag, e.g. `sr-Latn-ME`.
        language: Query<Option<String>>,
        /// Only this outcome (vocabulary `ruling_outcome`).
        outcome: Query<Option<String>>,
        /// Only the ruling with this external id.
        external_id: Query<Option<String>>,
        /// Only rulings decided on or after this date.
        decided_from: Query<Option<NaiveDate>>,
        /// Only rulings decided on or before this date.
        decided_to: Query<Option<NaiveDate>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 500 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<RulingPage>, ApiError> {
        let actor = actor(&self.state, &token, "list_rulings").await?;
        let filter = RulingFilter {
            case_id: case_id.0,
            court_id: court_id.0,
            jurisdiction: jurisdiction.0,
            language: language.0,
            outcome: outcome.0,
            external_id: external_id.0,
            decided_from: decided_from.0,
            decided_to: decided_to.0,
        };
        let page = ruling::list(&self.state, &actor, filter, cursor.0.as_deref(), limit.0).await?;
        let items = sensitive::shown_rulings(&self.state, &actor, page.items)
            .await?
            .into_iter()
            .map(Ruling::try_from)
            .collect::<Result<_, _>>()?;
        Ok(Json(RulingPage {
            items,
            next_cursor: page.next_cursor,
        }))
    }

    /// Take a review step on a ruling
    ///
    /// As for observations: `submit`, then `publish` or `return` with comments (coordinator or
    /// admin), and `withdraw` once published. A ruling of a monitored case is published only once
    /// its case is. Imported case law is published on import.
    #[oai(
        path = "/rulings/:id/review",
        method = "post",
        operation_id = "review_ruling"
    )]
    async fn review(
        &self,
        token: BearerToken,
        id: Path<String>,
        body: Json<ReviewInput>,
    ) -> Result<Json<Ruling>, ApiError> {
        let actor = actor(&self.state, &token, "review_ruling").await?;
        Ok(Json(
            ruling::review(&self.state, &actor, &id.0, body.0)
                .await?
                .try_into()?,
        ))
    }
}
