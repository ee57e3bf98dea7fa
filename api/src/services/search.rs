//! Search as a service: the caller's request run against the index as the caller may see it
//! (the visibility policy's viewer), off the async threads. The endpoint parses and answers; the
//! index's errors become service errors in one place (`error.rs`).

use std::sync::LazyLock;

use courtwatch_indexer::{
    IndexError, Kind, SearchIndex, SearchRequest, SearchResults, Viewer,
    expand::{Expanded, Thesaurus, ThesaurusConcept},
};
use courtwatch_methodology::glossary::Glossary;

use crate::{
    access::Actor, access::policy, error::ServiceError, services::export::SearchSelection,
    state::AppState,
};

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

/// The published glossary as the index expands queries through it, built once.
static THESAURUS: LazyLock<Thesaurus> = LazyLock::new(|| {
    Thesaurus::new(
        Glossary::published()
            .concepts
            .iter()
            .map(|c| ThesaurusConcept {
                id: c.id.clone(),
                terms: c
                    .terms
                    .iter()
                    .map(|(language, term)| ((*language).to_string(), term.clone()))
                    .collect(),
            })
            .collect(),
    )
});

/// "Also in the other languages": `query` expanded through the published glossary (each word or
/// phrase that is a concept's term also searched as its terms in the other languages), and what
/// was expanded. A query that does not parse is the same error the search gives.
pub fn expand(query: &str, exact: bool) -> Result<Expanded, ServiceError> {
    THESAURUS
        .expand(query, exact)
        .map_err(|e| ServiceError::from(IndexError::from(e)))
}

/// Ids of the released records of `kind` that the search matches (public documents only: what
/// datasets hold, whoever asks).
pub fn released_ids(
    state: &AppState,
    search: &SearchSelection,
    kind: Kind,
) -> Result<Vec<String>, ServiceError> {
    Ok(index(state)?.matching_ids(
        &search.query,
        search.exact,
        kind,
        &search.filters,
        &Viewer::default(),
    )?)
}

/// Where `query` matches `text` (byte ranges, in order), for highlighting a record's whole text;
/// off the async threads (judgments run to megabytes).
pub async fn match_ranges(
    state: &AppState,
    query: &str,
    exact: bool,
    text: &str,
    language: Option<&str>,
) -> Result<Vec<(usize, usize)>, ServiceError> {
    if query.trim().is_empty() {
        return Ok(Vec::new());
    }
    let index = index(state)?;
    let (query, text) = (query.to_owned(), text.to_owned());
    let language = language.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        index.match_ranges(&query, exact, &text, language.as_deref())
    })
    .await
    .map_err(|e| ServiceError::internal_from("highlight task", e))?
    .map_err(ServiceError::from)
}
