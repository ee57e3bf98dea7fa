//! `/stats/…`: the figures reports are built on, with the case-list filters.

use chrono::NaiveDate;
use poem_openapi::{OpenApi, param::Query, payload::Json};

use crate::{
    endpoints::{ApiTags, OptionalToken, caller, case_filter},
    error::ApiError,
    services::stats::{self, CaseStats, Crosstab, DurationStats, HearingStats},
    state::AppState,
};

/// Statistics endpoints.
#[derive(Debug)]
pub struct StatsApi {
    /// Shared state.
    pub state: AppState,
}

/// Statistics count published records only (of published cases), whoever asks, so that an
/// admin can open them to anonymous callers (`PUT /settings {"anonymous_stats": true}`).
#[OpenApi(tag = "ApiTags::Stats")]
impl StatsApi {
    /// Counts of cases by ground alleged (a case with several grounds counts under each),
    /// jurisdiction, proceeding type, year of filing and outcome of the latest ruling (`none`
    /// where there is no value).
    #[oai(path = "/stats/cases", method = "get", operation_id = "stats_cases")]
    #[expect(
        clippy::too_many_arguments,
        reason = "one parameter per documented filter"
    )]
    async fn cases(
        &self,
        token: OptionalToken,
        /// Only cases at courts of this jurisdiction.
        #[oai(validator(max_length = 10))]
        jurisdiction: Query<Option<String>>,
        /// Only cases at this court.
        #[oai(validator(max_length = 36))]
        court_id: Query<Option<String>>,
        /// Only cases alleging this ground.
        #[oai(validator(max_length = 100))]
        ground: Query<Option<String>>,
        /// Only cases of this proceeding type.
        #[oai(validator(max_length = 100))]
        proceeding_type: Query<Option<String>>,
        /// Only cases with this monitoring status.
        #[oai(validator(max_length = 100))]
        status: Query<Option<String>>,
        /// Only cases filed on or after this date.
        filed_from: Query<Option<NaiveDate>>,
        /// Only cases filed on or before this date.
        filed_to: Query<Option<NaiveDate>>,
    ) -> Result<Json<CaseStats>, ApiError> {
        caller(&self.state, &token, "stats_cases").await?;
        let filter = case_filter(
            jurisdiction,
            court_id,
            ground,
            proceeding_type,
            status,
            filed_from,
            filed_to,
        );
        Ok(Json(stats::cases(&self.state, &filter).await?))
    }

    /// Per-hearing indicators over the hearings of the selected cases: share adjourned and the
    /// reasons, share closed to the public, interpreter needed vs provided, share with hate speech
    /// in the courtroom and how often the judge reacted. A hearing's answer combines all its
    /// published observations ("yes" if any says yes); each share is of the hearings where the
    /// question was answered (`base`).
    #[oai(
        path = "/stats/hearings",
        method = "get",
        operation_id = "stats_hearings"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "one parameter per documented filter"
    )]
    async fn hearings(
        &self,
        token: OptionalToken,
        /// Only hearings of cases at courts of this jurisdiction.
        #[oai(validator(max_length = 10))]
        jurisdiction: Query<Option<String>>,
        /// Only hearings of cases at this court.
        #[oai(validator(max_length = 36))]
        court_id: Query<Option<String>>,
        /// Only hearings of cases alleging this ground.
        #[oai(validator(max_length = 100))]
        ground: Query<Option<String>>,
        /// Only hearings of cases of this proceeding type.
        #[oai(validator(max_length = 100))]
        proceeding_type: Query<Option<String>>,
        /// Only hearings of cases with this monitoring status.
        #[oai(validator(max_length = 100))]
        status: Query<Option<String>>,
        /// Only hearings of cases filed on or after this date.
        filed_from: Query<Option<NaiveDate>>,
        /// Only hearings of cases filed on or before this date.
        filed_to: Query<Option<NaiveDate>>,
    ) -> Result<Json<HearingStats>, ApiError> {
        caller(&self.state, &token, "stats_hearings").await?;
        let filter = case_filter(
            jurisdiction,
            court_id,
            ground,
            proceeding_type,
            status,
            filed_from,
            filed_to,
        );
        Ok(Json(stats::hearings(&self.state, &filter).await?))
    }

    /// Days from filing to the first first-instance ruling (the earliest decision date of a
    /// ruling with instance `first`): minimum, quartiles (linear interpolation, as R's default and
    /// numpy's), median and maximum, over the selected cases that have both dates.
    #[oai(
        path = "/stats/durations",
        method = "get",
        operation_id = "stats_durations"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "one parameter per documented filter"
    )]
    async fn durations(
        &self,
        token: OptionalToken,
        /// Only cases at courts of this jurisdiction.
        #[oai(validator(max_length = 10))]
        jurisdiction: Query<Option<String>>,
        /// Only cases at this court.
        #[oai(validator(max_length = 36))]
        court_id: Query<Option<String>>,
        /// Only cases alleging this ground.
        #[oai(validator(max_length = 100))]
        ground: Query<Option<String>>,
        /// Only cases of this proceeding type.
        #[oai(validator(max_length = 100))]
        proceeding_type: Query<Option<String>>,
        /// Only cases with this monitoring status.
        #[oai(validator(max_length = 100))]
        status: Query<Option<String>>,
        /// Only cases filed on or after this date.
        filed_from: Query<Option<NaiveDate>>,
        /// Only cases filed on or before this date.
        filed_to: Query<Option<NaiveDate>>,
    ) -> Result<Json<DurationStats>, ApiError> {
        caller(&self.state, &token, "stats_durations").await?;
        let filter = case_filter(
            jurisdiction,
            court_id,
            ground,
            proceeding_type,
            status,
            filed_from,
            filed_to,
        );
        Ok(Json(stats::durations(&self.state, &filter).await?))
    }

    /// Answers to one single-choice or yes/no question (`question`, a methodology code) broken
    /// down by `by`: a dimension (`jurisdiction`, `court_level`, `proceeding_type`, `status`,
    /// `ground`, `year`, `outcome`) or another choice or yes/no question of the same record or of
    /// the case. The unit is the question's record (case, observation or ruling); a record with
    /// several `by` values (grounds, multiple choice) counts in each row, once in `total`. Columns
    /// `unanswered` (applied, no answer) and `not_asked` (did not apply) close each row.
    #[oai(
        path = "/stats/crosstab",
        method = "get",
        operation_id = "stats_crosstab"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "one parameter per documented filter"
    )]
    async fn crosstab(
        &self,
        token: OptionalToken,
        /// The question counted (e.g. `public_excluded`).
        #[oai(validator(min_length = 1, max_length = 100))]
        question: Query<String>,
        /// What rows are grouped by (e.g. `jurisdiction`, or a question code).
        #[oai(validator(min_length = 1, max_length = 100))]
        by: Query<String>,
        /// Only records of cases at courts of this jurisdiction.
        #[oai(validator(max_length = 10))]
        jurisdiction: Query<Option<String>>,
        /// Only records of cases at this court.
        #[oai(validator(max_length = 36))]
        court_id: Query<Option<String>>,
        /// Only records of cases alleging this ground.
        #[oai(validator(max_length = 100))]
        ground: Query<Option<String>>,
        /// Only records of cases of this proceeding type.
        #[oai(validator(max_length = 100))]
        proceeding_type: Query<Option<String>>,
        /// Only records of cases with this monitoring status.
        #[oai(validator(max_length = 100))]
        status: Query<Option<String>>,
        /// Only records of cases filed on or after this date.
        filed_from: Query<Option<NaiveDate>>,
        /// Only records of cases filed on or before this date.
        filed_to: Query<Option<NaiveDate>>,
    ) -> Result<Json<Crosstab>, ApiError> {
        caller(&self.state, &token, "stats_crosstab").await?;
        let filter = case_filter(
            jurisdiction,
            court_id,
            ground,
            proceeding_type,
            status,
            filed_from,
            filed_to,
        );
        Ok(Json(
            stats::crosstab(&self.state, &filter, &question.0, &by.0).await?,
        ))
    }
}
