//! `/stats/…`: the figures reports are built on, with the case-list filters.

use chrono::NaiveDate;
use poem::Request;
use poem_openapi::{
    ApiResponse, Enum, OpenApi, ResponseContent,
    param::Query,
    payload::{Json, PlainText},
    types::{ToJSON, Type},
};

use crate::{
    endpoints::{ApiTags, OptionalToken, caller, case_filter},
    error::{ApiError, ServiceError},
    services::{
        export::Labels,
        figures::{self, Labeller},
        stats::{self, CaseStats, Crosstab, DurationStats, HearingStats},
    },
    state::AppState,
};

/// The form of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum StatsFormat {
    /// JSON (the default).
    Json,
    /// A CSV table with the count, base and share of each figure.
    Csv,
}

/// A figure as JSON or as a CSV table.
#[derive(Debug, ResponseContent)]
pub enum Figure<T: ToJSON + Type + Send + Sync> {
    /// The figure as JSON.
    Json(Json<T>),
    /// The figure as a CSV table (RFC 4180, UTF-8, CRLF, header row).
    #[oai(content_type = "text/csv; charset=utf-8")]
    Csv(PlainText<String>),
}

/// The answer of a statistics operation.
#[derive(Debug, ApiResponse)]
pub enum FigureResponse<T: ToJSON + Type + Send + Sync> {
    /// The figure: JSON, or CSV with `format=csv` or `Accept: text/csv`.
    #[oai(status = 200)]
    Ok(Figure<T>),
}

/// Whether CSV was asked for, by `format` or, without it, by an `Accept` header naming CSV
/// before JSON.
fn wants_csv(request: &Request, format: Option<StatsFormat>) -> bool {
    match format {
        Some(f) => f == StatsFormat::Csv,
        None => request.header("Accept").is_some_and(|accept| {
            let csv = accept.find("text/csv");
            let json = accept.find("application/json");
            csv.is_some_and(|c| json.is_none_or(|j| c < j))
        }),
    }
}

fn figure<T: ToJSON + Type + Send + Sync>(
    value: T,
    csv: bool,
    to_csv: impl Fn(&T) -> Result<String, ServiceError>,
) -> Result<FigureResponse<T>, ApiError> {
    Ok(FigureResponse::Ok(if csv {
        Figure::Csv(PlainText(to_csv(&value)?))
    } else {
        Figure::Json(Json(value))
    }))
}

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
        /// `csv` for a CSV table (also chosen by `Accept: text/csv`); JSON by default.
        format: Query<Option<StatsFormat>>,
        /// Codes (default) or labels in English, Albanian or Serbian (`en`, `sq`, `sr`).
        labels: Query<Option<Labels>>,
        request: &Request,
    ) -> Result<FigureResponse<CaseStats>, ApiError> {
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
        let mut found = stats::cases(&self.state, &filter).await?;
        Labeller::new(
            self.state.methodology.latest(),
            labels.0.unwrap_or_default(),
        )
        .cases(&mut found);
        figure(found, wants_csv(request, format.0), figures::cases_csv)
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
        /// `csv` for a CSV table (also chosen by `Accept: text/csv`); JSON by default.
        format: Query<Option<StatsFormat>>,
        /// Codes (default) or labels in English, Albanian or Serbian (`en`, `sq`, `sr`).
        labels: Query<Option<Labels>>,
        request: &Request,
    ) -> Result<FigureResponse<HearingStats>, ApiError> {
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
        let mut found = stats::hearings(&self.state, &filter).await?;
        Labeller::new(
            self.state.methodology.latest(),
            labels.0.unwrap_or_default(),
        )
        .hearings(&mut found);
        figure(found, wants_csv(request, format.0), figures::hearings_csv)
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
        /// `csv` for a CSV table (also chosen by `Accept: text/csv`); JSON by default.
        format: Query<Option<StatsFormat>>,
        /// Codes (default) or labels in English, Albanian or Serbian (`en`, `sq`, `sr`).
        labels: Query<Option<Labels>>,
        request: &Request,
    ) -> Result<FigureResponse<DurationStats>, ApiError> {
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
        // Durations hold no codes to label; `labels` is accepted for the same query everywhere.
        let _ = labels;
        let found = stats::durations(&self.state, &filter).await?;
        figure(found, wants_csv(request, format.0), figures::durations_csv)
    }

    /// Answers to one yes/no, single-choice or multiple-choice question (`question`, a methodology
    /// code) broken down by `by`: a dimension (`jurisdiction`, `court_level`, `proceeding_type`, `status`,
    /// `ground`, `year`, `outcome`) or another choice or yes/no question of the same record or of
    /// the case. The unit is the question's record (case, observation or ruling); a record with
    /// several `by` values (grounds, multiple choice) counts in each row, once in `total`. Columns
    /// `unanswered` (applied, no answer) and `not_asked` (did not apply) close each row. For a
    /// multiple-choice question there is one column per option and a record counts under each
    /// option it chose (`multiple_choice` is true; a row's counts may add up to more than its
    /// `total`); as CSV, one row per `by` value and option with its count and base.
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
        /// `csv` for a CSV table (also chosen by `Accept: text/csv`); JSON by default.
        format: Query<Option<StatsFormat>>,
        /// Codes (default) or labels in English, Albanian or Serbian (`en`, `sq`, `sr`).
        labels: Query<Option<Labels>>,
        request: &Request,
    ) -> Result<FigureResponse<Crosstab>, ApiError> {
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
        let mut found = stats::crosstab(&self.state, &filter, &question.0, &by.0).await?;
        Labeller::new(
            self.state.methodology.latest(),
            labels.0.unwrap_or_default(),
        )
        .crosstab(&mut found);
        figure(found, wants_csv(request, format.0), figures::crosstab_csv)
    }
}
