//! `/cases`

use chrono::NaiveDate;
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};

use crate::{
    endpoints::{ApiTags, BearerToken, Created, actor, case_filter, one},
    error::ApiError,
    services::{
        case::{self, Case, CaseInput, GradeInput},
        review::ReviewInput,
        sensitive::{self, SensitiveTerms, SensitiveTermsInput},
    },
    state::AppState,
};

/// Cases endpoints.
#[derive(Debug)]
pub struct CasesApi {
    /// Shared state.
    pub state: AppState,
}

/// A page of cases.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CasePage {
    /// The cases on this page, oldest first.
    pub items: Vec<Case>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[OpenApi(tag = "ApiTags::Cases")]
impl CasesApi {
    /// Open a monitored case
    ///
    /// The case is validated against the methodology version it names (the latest when absent):
    /// vocabularies, grounds listed for the court's jurisdiction, answer types and conditions. All
    /// problems come back at once in a 422.
    #[oai(path = "/cases", method = "post", operation_id = "create_case")]
    async fn create(
        &self,
        token: BearerToken,
        body: Json<CaseInput>,
    ) -> Result<Created<Case>, ApiError> {
        let actor = actor(&self.state, &token, "create_case").await?;
        Ok(Created::Created(Json(
            case::create(&self.state, &actor, body.0)
                .await?
                .into_api()?,
        )))
    }

    /// Get a case
    #[oai(path = "/cases/:id", method = "get", operation_id = "get_case")]
    async fn get(&self, token: BearerToken, id: Path<String>) -> Result<Json<Case>, ApiError> {
        let actor = actor(&self.state, &token, "get_case").await?;
        let found = case::read(&self.state, &actor, &id.0).await?;
        let shown = sensitive::shown_cases(&self.state, &actor, vec![found]).await?;
        Ok(Json(one(shown)?.into_api()?))
    }

    /// Replace a case
    ///
    /// The body replaces every field and the whole `answers` object. A published case is changed
    /// only by a coordinator or an admin (a monitor gets 409: withdraw it first).
    #[oai(path = "/cases/:id", method = "put", operation_id = "update_case")]
    async fn update(
        &self,
        token: BearerToken,
        id: Path<String>,
        body: Json<CaseInput>,
    ) -> Result<Json<Case>, ApiError> {
        let actor = actor(&self.state, &token, "update_case").await?;
        Ok(Json(
            case::update(&self.state, &actor, &id.0, body.0)
                .await?
                .into_api()?,
        ))
    }

    /// List cases
    #[oai(path = "/cases", method = "get", operation_id = "list_cases")]
    #[expect(
        clippy::too_many_arguments,
        reason = "one parameter per documented filter"
    )]
    async fn list(
        &self,
        token: BearerToken,
        /// Only cases at courts of this jurisdiction (XK, RS, ME, ...).
        jurisdiction: Query<Option<String>>,
        /// Only cases at this court (court id).
        court_id: Query<Option<String>>,
        /// Only cases alleging this ground (vocabulary `ground`, e.g. `sexual_orientation`).
        ground: Query<Option<String>>,
        /// Only this type of proceeding (vocabulary `proceeding_type`).
        proceeding_type: Query<Option<String>>,
        /// Only this monitoring status (vocabulary `monitoring_status`).
        status: Query<Option<String>>,
        /// Only cases filed on or after this date.
        filed_from: Query<Option<NaiveDate>>,
        /// Only cases filed on or before this date.
        filed_to: Query<Option<NaiveDate>>,
        /// The `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
        /// Page size, 1 to 500 (default 50).
        #[oai(validator(minimum(value = "1"), maximum(value = "500")))]
        limit: Query<Option<u32>>,
    ) -> Result<Json<CasePage>, ApiError> {
        let actor = actor(&self.state, &token, "list_cases").await?;
        let filter = case_filter(
            jurisdiction,
            court_id,
            ground,
            proceeding_type,
            status,
            filed_from,
            filed_to,
        );
        let page = case::list(&self.state, &actor, filter, cursor.0.as_deref(), limit.0).await?;
        let items = sensitive::shown_cases(&self.state, &actor, page.items)
            .await?
            .into_iter()
            .map(|c| c.into_api())
            .collect::<Result<_, _>>()?;
        Ok(Json(CasePage {
            items,
            next_cursor: page.next_cursor,
        }))
    }

    /// Take a review step on a case
    ///
    /// `submit` (monitors: the case is ready), then a coordinator of the case's organisation or an
    /// admin will `publish` it or `return` it with comments by question code; a published case can
    /// be `withdrawn`. Researchers, datasets and statistics see published cases only, and a
    /// case's observations and rulings are released only while it is published. 409 when the step
    /// does not follow from the case's state.
    #[oai(
        path = "/cases/:id/review",
        method = "post",
        operation_id = "review_case"
    )]
    async fn review(
        &self,
        token: BearerToken,
        id: Path<String>,
        body: Json<ReviewInput>,
    ) -> Result<Json<Case>, ApiError> {
        let actor = actor(&self.state, &token, "review_case").await?;
        Ok(Json(
            case::review(&self.state, &actor, &id.0, body.0)
                .await?
                .into_api()?,
        ))
    }

    /// Get a case's sensitive terms
    ///
    /// The real names, addresses, ID numbers and places that must not leave the recording
    /// organisation. Only its monitors and coordinators (and admins) may read them: anyone else
    /// who can see the case gets 403.
    #[oai(
        path = "/cases/:id/sensitive-terms",
        method = "get",
        operation_id = "get_sensitive_terms"
    )]
    async fn sensitive_terms(
        &self,
        token: BearerToken,
        id: Path<String>,
    ) -> Result<Json<SensitiveTerms>, ApiError> {
        let actor = actor(&self.state, &token, "get_sensitive_terms").await?;
        Ok(Json(sensitive::read(&self.state, &actor, &id.0).await?))
    }

    /// Replace a case's sensitive terms
    ///
    /// For everyone outside the case's organisation (researchers, other organisations, datasets,
    /// the search index) each term is replaced by the pseudonym of the party it names, or by a
    /// mask such as `[name]`, in every spelling: with or without diacritics, in Cyrillic or
    /// Latin, and inflected (`Krasniqit`, `Đorđevića`). Phone numbers, e-mail addresses and
    /// personal ID numbers are masked in all free text whether listed or not. The list replaces
    /// the previous one; the case's search documents are rebuilt with it.
    #[oai(
        path = "/cases/:id/sensitive-terms",
        method = "put",
        operation_id = "replace_sensitive_terms"
    )]
    async fn replace_sensitive_terms(
        &self,
        token: BearerToken,
        id: Path<String>,
        body: Json<SensitiveTermsInput>,
    ) -> Result<Json<SensitiveTerms>, ApiError> {
        let actor = actor(&self.state, &token, "replace_sensitive_terms").await?;
        Ok(Json(
            sensitive::replace(&self.state, &actor, &id.0, body.0).await?,
        ))
    }

    /// Grade a trial's fairness
    ///
    /// A reviewer's (coordinator's or admin's) grade from A (fair) to F with a written
    /// justification; it replaces any earlier grade, which stays in the audit trail.
    #[oai(path = "/cases/:id/grade", method = "put", operation_id = "grade_case")]
    async fn grade(
        &self,
        token: BearerToken,
        id: Path<String>,
        body: Json<GradeInput>,
    ) -> Result<Json<Case>, ApiError> {
        let actor = actor(&self.state, &token, "grade_case").await?;
        Ok(Json(
            case::grade(&self.state, &actor, &id.0, body.0)
                .await?
                .into_api()?,
        ))
    }
}
