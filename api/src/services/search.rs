//! Search as a service: the caller's request run against the index as the caller may see it
//! (the visibility policy's viewer), off the async threads. The endpoint parses and answers; the
//! index's errors become service errors in one place (`error.rs`).

use courtwatch_indexer::{Filters, Kind, SearchIndex, SearchRequest, SearchResults, Viewer};

use crate::{access::Actor, access::policy, error::ServiceError, state::AppState};

fn index(state: &AppState) -> Result<std::sync::Arc<SearchIndex>, ServiceError> {
    state
        .search
        .index()
        .ok_or_else(|| ServiceError::internal("the search index is not open"))
}

/// Runs `request` for `actor`: only what the actor may see is found (the request's viewer is
/// replaced by the actor's).
pub async fn search(
    state: &AppState,
    actor: &Actor,
    mut request: SearchRequest,
) -> Result<SearchResults, ServiceError> {
    request.viewer = policy::viewer(actor);
    let index = index(state)?;
    tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(|e| ServiceError::internal_from("search task", e))?
        .map_err(ServiceError::from)
}

/// Ids of the released records of `kind` that `query` matches (public documents only: what
/// datasets hold, whoever asks).
pub fn released_ids(
    state: &AppState,
    query: &str,
    kind: Kind,
) -> Result<Vec<String>, ServiceError> {
    Ok(index(state)?.matching_ids(query, kind, &Filters::default(), &Viewer::default())?)
}
