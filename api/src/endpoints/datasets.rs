//! `/datasets/…`: CSV exports streamed from the database, and their codebook.

use chrono::NaiveDate;
use poem::Body;
use poem_openapi::{
    ApiResponse, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};

use crate::{
    endpoints::{ApiTags, BearerToken, actor, case_filter},
    error::{ApiError, ServiceError},
    services::export::{
        self, CodebookColumn, Dataset, ExportRequest, Labels, PackageOptions, SearchSelection,
    },
    state::AppState,
};

/// Dataset endpoints.
#[derive(Debug)]
pub struct DatasetsApi {
    /// Shared state.
    pub state: AppState,
}

/// A CSV file.
#[derive(Debug, ApiResponse)]
pub enum CsvFile {
    /// The file, streamed (RFC 4180, UTF-8, CRLF line ends, header row). A response cut off by a
    /// failure on the server ends without the final chunk, so clients report it as incomplete.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(
        Binary<Body>,
        /// `attachment; filename="<dataset>.csv"`.
        #[oai(header = "Content-Disposition")]
        String,
    ),
}

/// A zip file.
#[derive(Debug, ApiResponse)]
pub enum ZipFile {
    /// The zip, streamed: entries stored (not compressed), sizes in data descriptors, ZIP64 when
    /// large. A response cut off by a failure on the server ends without the final chunk.
    #[oai(status = 200, content_type = "application/zip")]
    Ok(
        Binary<Body>,
        /// `attachment; filename="courtwatch-datasets.zip"`.
        #[oai(header = "Content-Disposition")]
        String,
    ),
}

#[OpenApi(tag = "ApiTags::Datasets")]
impl DatasetsApi {
    /// Download the whole dataset release as one zip: the five CSV files, `datapackage.json`,
    /// `codebook.csv`, `codebook.json` and `SHA256SUMS`, byte for byte what `courtwatch export`
    /// writes to a folder with the same options (released records only, redacted). Unzip it and
    /// run `sha256sum -c SHA256SUMS` and `frictionless validate datapackage.json`.
    #[oai(
        path = "/datasets/package.zip",
        method = "get",
        operation_id = "export_package"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "one parameter per documented filter"
    )]
    async fn package(
        &self,
        token: BearerToken,
        /// Only records of cases at courts of this jurisdiction (XK, RS, ME, ...).
        #[oai(validator(max_length = 10))]
        jurisdiction: Query<Option<String>>,
        /// Only records of cases at this court (court id).
        #[oai(validator(max_length = 36))]
        court_id: Query<Option<String>>,
        /// Only records of cases alleging this ground (vocabulary `ground`).
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
        /// Methodology version (default: the latest).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        methodology_version: Query<Option<u32>>,
        /// `codes` (default) or labels in `en`, `sq` or `sr` in choice columns.
        labels: Query<Option<Labels>>,
        /// Start each CSV file with a UTF-8 byte-order mark so that Excel reads it as UTF-8.
        bom: Query<Option<bool>>,
        /// Add the rulings' full text to rulings.csv.
        full_text: Query<Option<bool>>,
    ) -> Result<ZipFile, ApiError> {
        actor(&self.state, &token, "export_package").await?;
        let request = ExportRequest {
            filter: case_filter(
                jurisdiction,
                court_id,
                ground,
                proceeding_type,
                status,
                filed_from,
                filed_to,
            ),
            methodology_version: methodology_version.0,
            labels: labels.0.unwrap_or_default(),
            bom: bom.0.unwrap_or(false),
            full_text: full_text.0.unwrap_or(false),
            search: None,
        };
        let stream = export::zip_stream(&self.state, request)?;
        Ok(ZipFile::Ok(
            Binary(Body::from_bytes_stream(stream)),
            "attachment; filename=\"courtwatch-datasets.zip\"".into(),
        ))
    }

    /// Download a dataset as CSV, streamed with no row limit. Files: `cases` (one row per case,
    /// one column per case question), `parties` (pseudonymised), `hearings`, `observations` (one
    /// row per submitted observation, one column per observation question in methodology order)
    /// and `rulings` (one column per ruling question; full text only with `full_text=true`).
    /// Cases, observations and rulings are of one methodology version. Ids link the files
    /// (`case_id`, `hearing_id`). Filters select records by their case, like the case list;
    /// for rulings, `jurisdiction` and `court_id` apply to the ruling itself, so stand-alone case
    /// law is included. In answer columns an empty cell means the question applied
    /// but was not answered, and `NA` means it did not apply (was not asked); multiple-choice
    /// answers are codes joined by `|`. Every column is described by `/datasets/codebook.json`.
    #[oai(
        path = "/datasets/:file",
        method = "get",
        operation_id = "export_dataset"
    )]
    #[expect(
        clippy::too_many_arguments,
        reason = "one parameter per documented filter"
    )]
    async fn export(
        &self,
        token: BearerToken,
        /// `cases.csv`, `parties.csv`, `hearings.csv`, `observations.csv` or `rulings.csv`.
        #[oai(validator(max_length = 40))]
        file: Path<String>,
        /// Only records of cases at courts of this jurisdiction (XK, RS, ME, ...).
        #[oai(validator(max_length = 10))]
        jurisdiction: Query<Option<String>>,
        /// Only records of cases at this court (court id).
        #[oai(validator(max_length = 36))]
        court_id: Query<Option<String>>,
        /// Only records of cases alleging this ground (vocabulary `ground`).
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
        /// Methodology version of the observations (default: the latest). A file never mixes
        /// versions: observations recorded under another version are in that version's file.
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        methodology_version: Query<Option<u32>>,
        /// `codes` (default) or labels in `en`, `sq` or `sr` in choice columns.
        labels: Query<Option<Labels>>,
        /// Start the file with a UTF-8 byte-order mark so that Excel reads it as UTF-8.
        bom: Query<Option<bool>>,
        /// rulings.csv only: add the rulings' full text as a last-but-two column `full_text`.
        full_text: Query<Option<bool>>,
        /// Only the records this search query matches (the `/search` query language), for
        /// cases.csv, observations.csv and rulings.csv. Applied on top of the filters.
        #[oai(validator(max_length = 1000))]
        q: Query<Option<String>>,
    ) -> Result<CsvFile, ApiError> {
        actor(&self.state, &token, "export_dataset").await?;
        let dataset = Dataset::from_file(&file.0).ok_or_else(|| ServiceError::NotFound {
            resource: "dataset",
            id: format!(
                "{} (files: cases.csv, parties.csv, hearings.csv, observations.csv, rulings.csv)",
                file.0
            ),
        })?;
        let request = ExportRequest {
            filter: case_filter(
                jurisdiction,
                court_id,
                ground,
                proceeding_type,
                status,
                filed_from,
                filed_to,
            ),
            methodology_version: methodology_version.0,
            labels: labels.0.unwrap_or_default(),
            bom: bom.0.unwrap_or(false),
            full_text: full_text.0.unwrap_or(false),
            search: q.0.map(|query| SearchSelection {
                query,
                ..Default::default()
            }),
        };
        let stream = export::stream(&self.state, dataset, request)?;
        Ok(CsvFile::Ok(
            Binary(Body::from_bytes_stream(stream)),
            format!("attachment; filename=\"{}.csv\"", dataset.name()),
        ))
    }

    /// The codebook: every column of every dataset file in file order, with its type, allowed
    /// codes and their labels in English, Albanian and Serbian, the question text, the standard it
    /// implements and the methodology version.
    #[oai(
        path = "/datasets/codebook.json",
        method = "get",
        operation_id = "dataset_codebook"
    )]
    async fn codebook(&self, token: BearerToken) -> Result<Json<Vec<CodebookColumn>>, ApiError> {
        actor(&self.state, &token, "dataset_codebook").await?;
        Ok(Json(export::codebook(self.state.methodology.latest())))
    }

    /// A Frictionless Data Package descriptor for the five CSV files downloaded with the same
    /// options: Table Schema types, enum constraints on coded columns (a pattern on
    /// multiple-choice columns), missing values `""` and `NA`, primary and foreign keys. Save it
    /// beside the CSV files and run `frictionless validate datapackage.json`.
    #[oai(
        path = "/datasets/datapackage.json",
        method = "get",
        operation_id = "dataset_package"
    )]
    async fn datapackage(
        &self,
        token: BearerToken,
        /// Methodology version of the files (default: the latest).
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))]
        methodology_version: Query<Option<u32>>,
        /// `codes` (default) or labels in `en`, `sq` or `sr`, as the files were downloaded.
        labels: Query<Option<Labels>>,
        /// The files start with a UTF-8 byte-order mark.
        bom: Query<Option<bool>>,
        /// rulings.csv was downloaded with `full_text=true`.
        full_text: Query<Option<bool>>,
    ) -> Result<Json<serde_json::Value>, ApiError> {
        actor(&self.state, &token, "dataset_package").await?;
        let options = PackageOptions {
            methodology_version: methodology_version.0,
            labels: labels.0.unwrap_or_default(),
            bom: bom.0.unwrap_or(false),
            full_text: full_text.0.unwrap_or(false),
        };
        Ok(Json(export::datapackage(&self.state, &options)?))
    }

    /// The codebook as CSV (one row per column; allowed codes as `code=English label` joined by
    /// `|`; labels in all three languages are in the JSON codebook).
    #[oai(
        path = "/datasets/codebook.csv",
        method = "get",
        operation_id = "dataset_codebook_csv"
    )]
    async fn codebook_csv(&self, token: BearerToken) -> Result<CsvFile, ApiError> {
        actor(&self.state, &token, "dataset_codebook_csv").await?;
        let bytes = export::codebook_csv(self.state.methodology.latest())?;
        Ok(CsvFile::Ok(
            Binary(Body::from(bytes)),
            "attachment; filename=\"codebook.csv\"".into(),
        ))
    }
}
