//! HTTP endpoints (poem-openapi): parse input, call a service, map the result. One module per
//! resource; [`api_service`] assembles them into the OpenAPI service served under `/api/v1`.

pub mod audit;
pub mod cases;
pub mod courts;
pub mod datasets;
pub mod hearings;
pub mod methodology;
pub mod observations;
pub mod organisations;
pub mod parties;
pub mod rulings;
pub mod search;
pub mod settings;
pub mod stats;
pub mod tokens;
pub mod users;

use chrono::NaiveDate;
use poem_openapi::{
    ApiResponse, OpenApiService, SecurityScheme, Tags, auth::Bearer, param::Query, payload::Json,
    types::ToJSON,
};

use crate::access::Actor;
use crate::{
    access,
    error::{ApiError, ServiceError},
    services::{auth, case::CaseFilter, settings as settings_service},
    state::AppState,
};

/// Groups of operations in the spec.
#[derive(Debug, Tags)]
pub enum ApiTags {
    /// The versioned monitoring methodology: questions, vocabularies, labels in English, Albanian and Serbian.
    Methodology,
    /// Courts where monitored cases are heard.
    Courts,
    /// Monitored cases and their case-level answers.
    Cases,
    /// Parties to cases, by role and pseudonym.
    Parties,
    /// Hearings of monitored cases.
    Hearings,
    /// What monitors observed at hearings.
    Observations,
    /// Rulings of monitored cases and stand-alone case law.
    Rulings,
    /// Full-text search over rulings, observations and cases.
    Search,
    /// Datasets for reports: CSV files streamed with no row cap, and their codebook.
    Datasets,
    /// Statistics for reports: counts, per-hearing indicators, durations, crosstabs.
    Stats,
    /// API tokens: create, list, revoke.
    Tokens,
    /// Review and accountability: the audit trail of every write.
    Audit,
    /// Service settings (admins).
    Settings,
    /// Organisations of the coalition (admins manage them).
    Organisations,
    /// User accounts: invitations, roles, deactivation, password resets.
    Users,
}

/// A bearer token created with `courtwatch user add`, sent as `Authorization: Bearer cw_…`.
#[derive(Debug, SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "opaque")]
pub struct BearerToken(Bearer);

tokio::task_local! {
    /// The caller of a request with a body, with the token they sent: authenticated by `app.rs`
    /// before the body was read, so that [`actor`] need not look the same token up again.
    pub static AUTHENTICATED: Option<(String, Actor)>;
}

/// The case-list filters from their query parameters. (poem-openapi has no flattened parameter
/// struct, so each operation declares the seven parameters; they are read here alike.)
pub fn case_filter(
    jurisdiction: Query<Option<String>>,
    court_id: Query<Option<String>>,
    ground: Query<Option<String>>,
    proceeding_type: Query<Option<String>>,
    status: Query<Option<String>>,
    filed_from: Query<Option<NaiveDate>>,
    filed_to: Query<Option<NaiveDate>>,
) -> CaseFilter {
    CaseFilter {
        jurisdiction: jurisdiction.0,
        court_id: court_id.0,
        ground: ground.0,
        proceeding_type: proceeding_type.0,
        status: status.0,
        filed_from: filed_from.0,
        filed_to: filed_to.0,
        released: false,
    }
}

/// A bearer token, or none: for the aggregate statistics an admin can open to anonymous callers.
#[derive(Debug, SecurityScheme)]
pub enum OptionalToken {
    /// A bearer token.
    Bearer(BearerToken),
    /// No token.
    #[oai(fallback)]
    Anonymous,
}

/// The caller of an operation that anonymous callers may be allowed to use: None when anonymous
/// and allowed; 401 when anonymous and not allowed.
pub async fn caller(
    state: &AppState,
    token: &OptionalToken,
    operation: &str,
) -> Result<Option<Actor>, ApiError> {
    match token {
        OptionalToken::Bearer(token) => Ok(Some(actor(state, token, operation).await?)),
        OptionalToken::Anonymous => {
            let open = settings_service::get(&state.db).await?.anonymous_stats;
            if access::anonymous_allowed(operation, open)? {
                Ok(None)
            } else {
                Err(ServiceError::Unauthorized(
                    "a bearer token is required (statistics are not open to anonymous callers)"
                        .into(),
                )
                .into())
            }
        }
    }
}

/// Establishes the caller from their token and checks that their role may call `operation`
/// (the operationId; see [`crate::access::RULES`]).
pub async fn actor(
    state: &AppState,
    token: &BearerToken,
    operation: &str,
) -> Result<Actor, ApiError> {
    let sent = &token.0.token;
    let known = AUTHENTICATED
        .try_with(|caller| {
            caller
                .as_ref()
                .filter(|(authenticated, _)| authenticated == sent.trim())
                .map(|(_, actor)| actor.clone())
        })
        .ok()
        .flatten();
    let actor = match known {
        Some(actor) => actor,
        None => auth::authenticate(&state.db, sent).await?,
    };
    access::check(&actor, operation)?;
    Ok(actor)
}

/// The single record of a one-element list (what the `shown_*` functions of
/// [`crate::services::sensitive`] return for one record).
pub fn one<T>(mut records: Vec<T>) -> Result<T, ApiError> {
    records
        .pop()
        .ok_or_else(|| ServiceError::internal("record lost while redacting").into())
}

/// 201 Created with the new record.
#[derive(Debug, ApiResponse)]
pub enum Created<T: ToJSON + Send + Sync> {
    /// The record was created; the body is the stored record.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// The API version prefix all resource paths are served under.
pub const API_PREFIX: &str = "/api/v1";

/// The OpenAPI service with every endpoint. Building it needs no database connection only when
/// the spec is rendered; requests go to `state`.
pub fn api_service(state: AppState) -> OpenApiService<impl poem_openapi::OpenApi, ()> {
    OpenApiService::new(
        (
            methodology::MethodologyApi,
            courts::CourtsApi { state: state.clone() },
            cases::CasesApi { state: state.clone() },
            parties::PartiesApi { state: state.clone() },
            hearings::HearingsApi { state: state.clone() },
            observations::ObservationsApi { state: state.clone() },
            rulings::RulingsApi {
                state: state.clone(),
            },
            search::SearchApi {
                state: state.clone(),
            },
            datasets::DatasetsApi {
                state: state.clone(),
            },
            stats::StatsApi {
                state: state.clone(),
            },
            tokens::TokensApi {
                state: state.clone(),
            },
            audit::AuditApi {
                state: state.clone(),
            },
            settings::SettingsApi {
                state: state.clone(),
            },
            organisations::OrganisationsApi {
                state: state.clone(),
            },
            users::UsersApi { state },
        ),
        "courtwatch",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Trial monitoring and case-law research for discrimination cases. Monitors record cases, \
         hearings, observations and rulings under a versioned methodology; every answer is validated \
         against the methodology version the record names. Writes and record reads need a bearer \
         token; errors are RFC 7807 problem documents (application/problem+json). Lists are paged \
         with an opaque `cursor` and have no cap on depth.",
    )
    .server(API_PREFIX)
}
