//! Saved searches and their Atom feeds. A saved search is its owner's alone (anyone else gets a
//! 404). The records it matches are the **released** ones (the index's public documents, what
//! datasets hold, redacted), whoever owns it; each is remembered with the moment it was first
//! seen to match, which is what "new since last opened" and the feed count from. A feed is
//! reached by a secret in its address, stored as its SHA-256 digest: it reads that one feed and
//! grants nothing else, and a new address or turning the feed off revokes the old one.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use courtwatch_indexer::{Hit, Kind, SearchRequest, Sort, Viewer};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::{
    access::Actor,
    entities::{saved_search, saved_search_match, user},
    error::{FieldProblem, ServiceError},
    services::{common::new_id, export::SearchSelection},
    state::{AppState, SavedCounts},
};

/// Longest name of a saved search.
pub const MAX_NAME_CHARS: usize = 200;
/// Longest saved address (the search page's query string).
const MAX_QUERY_CHARS: usize = 6000;
/// Most saved searches per user.
const MAX_PER_USER: u64 = 200;
/// Entries in a feed.
pub const FEED_ENTRIES: usize = 50;

fn digest(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

fn not_found(id: &str) -> ServiceError {
    ServiceError::NotFound {
        resource: "saved search",
        id: id.to_owned(),
    }
}

/// The saved search `id` if it is `actor`'s (404 otherwise, whoever asks).
pub async fn own(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<saved_search::Model, ServiceError> {
    saved_search::Entity::find_by_id(id.to_owned())
        .one(&state.db)
        .await?
        .filter(|s| s.user_id == actor.user_id)
        .ok_or_else(|| not_found(id))
}

/// The kinds a selection can match.
fn kinds(selection: &SearchSelection) -> Vec<Kind> {
    if selection.filters.kinds.is_empty() {
        Kind::ALL.to_vec()
    } else {
        selection.filters.kinds.clone()
    }
}

/// The released records `selection` matches now.
fn current(
    state: &AppState,
    selection: &SearchSelection,
) -> Result<HashSet<(String, String)>, ServiceError> {
    let mut out = HashSet::new();
    for kind in kinds(selection) {
        for id in crate::services::search::released_ids(state, selection, kind)? {
            out.insert((kind.as_str().to_owned(), id));
        }
    }
    Ok(out)
}

/// Remembers the records the search matches now that it had not matched before (first seen
/// `now`); returns the current matches with when each was first seen.
async fn refresh(
    state: &AppState,
    search: &saved_search::Model,
    selection: &SearchSelection,
    now: DateTime<Utc>,
) -> Result<Vec<saved_search_match::Model>, ServiceError> {
    let matching = current(state, selection)?;
    let known = saved_search_match::Entity::find()
        .filter(saved_search_match::Column::SavedSearchId.eq(&search.id))
        .all(&state.db)
        .await?;
    let seen: HashSet<(String, String)> = known
        .iter()
        .map(|m| (m.kind.clone(), m.record_id.clone()))
        .collect();
    let fresh: Vec<saved_search_match::Model> = matching
        .iter()
        .filter(|key| !seen.contains(*key))
        .map(|(kind, id)| saved_search_match::Model {
            saved_search_id: search.id.clone(),
            kind: kind.clone(),
            record_id: id.clone(),
            first_seen_at: now,
        })
        .collect();
    let mut out: Vec<saved_search_match::Model> = known
        .into_iter()
        .filter(|m| matching.contains(&(m.kind.clone(), m.record_id.clone())))
        .collect();
    if !fresh.is_empty() {
        let txn = state.db.begin().await?;
        for chunk in fresh.chunks(500) {
            let rows = chunk.iter().map(|m| saved_search_match::ActiveModel {
                saved_search_id: Set(m.saved_search_id.clone()),
                kind: Set(m.kind.clone()),
                record_id: Set(m.record_id.clone()),
                first_seen_at: Set(m.first_seen_at),
            });
            // A refresh running at the same moment may have remembered some already.
            saved_search_match::Entity::insert_many(rows)
                .on_conflict(
                    sea_orm::sea_query::OnConflict::columns([
                        saved_search_match::Column::SavedSearchId,
                        saved_search_match::Column::Kind,
                        saved_search_match::Column::RecordId,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .map_err(ServiceError::from_write)?;
        }
        txn.commit().await?;
        out.extend(fresh);
    }
    Ok(out)
}

/// Saves a search for `actor` under `name`: `query` is the search page's address (its query
/// string), `selection` what it selects. The records it matches now are not "new".
pub async fn create(
    state: &AppState,
    actor: &Actor,
    name: &str,
    query: &str,
    selection: &SearchSelection,
) -> Result<saved_search::Model, ServiceError> {
    let name = name.trim();
    let mut problems = Vec::new();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        problems.push(FieldProblem::field(
            "name",
            format!("give the search a name of 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    if query.chars().count() > MAX_QUERY_CHARS {
        problems.push(FieldProblem::field(
            "query",
            format!("the search's address is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    if !problems.is_empty() {
        return Err(ServiceError::Invalid(problems));
    }
    let count = saved_search::Entity::find()
        .filter(saved_search::Column::UserId.eq(&actor.user_id))
        .all(&state.db)
        .await?
        .len() as u64;
    if count >= MAX_PER_USER {
        return Err(ServiceError::Conflict(format!(
            "you have {MAX_PER_USER} saved searches, the most one person may keep: delete one first"
        )));
    }
    // The search must run (a query that does not parse is refused before anything is stored).
    current(state, selection)?;
    let now = Utc::now();
    let model = saved_search::ActiveModel {
        id: Set(new_id()),
        user_id: Set(actor.user_id.clone()),
        name: Set(name.to_owned()),
        query: Set(query.to_owned()),
        created_at: Set(now),
        opened_at: Set(now),
        feed_secret_hash: Set(None),
    }
    .insert(&state.db)
    .await?;
    refresh(state, &model, selection, now).await?;
    Ok(model)
}

/// `actor`'s saved searches, newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
) -> Result<Vec<saved_search::Model>, ServiceError> {
    Ok(saved_search::Entity::find()
        .filter(saved_search::Column::UserId.eq(&actor.user_id))
        .order_by_desc(saved_search::Column::CreatedAt)
        .all(&state.db)
        .await?)
}

/// How many released records `search` matches, and how many of them are new since its owner last
/// opened it (remembering the ones matched for the first time). Counted again only when the
/// index's content has changed (or the search was opened) since they were last counted: the
/// Saved searches page shows every search's counts on every visit.
pub async fn counts(
    state: &AppState,
    search: &saved_search::Model,
    selection: &SearchSelection,
) -> Result<(usize, usize), ServiceError> {
    // Read before counting: counts stored under it are at least as new as the content it names.
    let content = state.search.index().map(|index| index.content_version());
    let lock = || {
        state
            .saved_counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    if let Some(content) = content
        && let Some(known) = lock().get(&search.id)
        && known.content == content
        && known.opened_at == search.opened_at
    {
        return Ok((known.matches, known.new));
    }
    let matches = refresh(state, search, selection, Utc::now()).await?;
    let new = matches
        .iter()
        .filter(|m| m.first_seen_at > search.opened_at)
        .count();
    if let Some(content) = content {
        lock().insert(
            search.id.clone(),
            SavedCounts {
                content,
                opened_at: search.opened_at,
                matches: matches.len(),
                new,
            },
        );
    }
    Ok((matches.len(), new))
}

/// Marks `actor`'s saved search opened now (its matches are no longer new).
pub async fn opened(
    state: &AppState,
    actor: &Actor,
    id: &str,
) -> Result<saved_search::Model, ServiceError> {
    let found = own(state, actor, id).await?;
    let mut active: saved_search::ActiveModel = found.into();
    active.opened_at = Set(Utc::now());
    Ok(active.update(&state.db).await?)
}

/// Deletes `actor`'s saved search (its feed stops).
pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> Result<(), ServiceError> {
    let found = own(state, actor, id).await?;
    let txn = state.db.begin().await?;
    saved_search_match::Entity::delete_many()
        .filter(saved_search_match::Column::SavedSearchId.eq(&found.id))
        .exec(&txn)
        .await?;
    saved_search::Entity::delete_by_id(found.id.clone())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    state
        .saved_counts
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .remove(&found.id);
    Ok(())
}

/// Gives the saved search a new feed address (any earlier one stops working); returns its
/// secret, shown once.
pub async fn new_feed(state: &AppState, actor: &Actor, id: &str) -> Result<String, ServiceError> {
    use base64::Engine;
    use rand::RngCore;
    let found = own(state, actor, id).await?;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!(
        "cwf_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let mut active: saved_search::ActiveModel = found.into();
    active.feed_secret_hash = Set(Some(digest(&secret)));
    active.update(&state.db).await?;
    Ok(secret)
}

/// Turns the feed off: its address stops working.
pub async fn feed_off(state: &AppState, actor: &Actor, id: &str) -> Result<(), ServiceError> {
    let found = own(state, actor, id).await?;
    let mut active: saved_search::ActiveModel = found.into();
    active.feed_secret_hash = Set(None);
    active.update(&state.db).await?;
    Ok(())
}

/// The saved search whose feed `secret` opens (404 for an unknown, revoked or deactivated one).
pub async fn by_feed_secret(
    state: &AppState,
    secret: &str,
) -> Result<saved_search::Model, ServiceError> {
    let found = saved_search::Entity::find()
        .filter(saved_search::Column::FeedSecretHash.eq(digest(secret)))
        .one(&state.db)
        .await?
        .ok_or_else(|| not_found("feed"))?;
    let owner = user::Entity::find_by_id(found.user_id.clone())
        .one(&state.db)
        .await?;
    if owner.is_none_or(|u| u.deactivated_at.is_some()) {
        return Err(not_found("feed"));
    }
    Ok(found)
}

/// A feed entry: the record as the index's public document shows it, and when it first matched.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub hit: Hit,
    pub first_seen_at: DateTime<Utc>,
}

/// The feed of `search`: its latest [`FEED_ENTRIES`] released matches, newest first by when they
/// first matched, with their highlighted passages.
pub async fn feed(
    state: &AppState,
    search: &saved_search::Model,
    selection: &SearchSelection,
) -> Result<Vec<FeedEntry>, ServiceError> {
    let mut matches = refresh(state, search, selection, Utc::now()).await?;
    matches.sort_by(|a, b| {
        b.first_seen_at
            .cmp(&a.first_seen_at)
            .then_with(|| b.record_id.cmp(&a.record_id))
    });
    matches.truncate(FEED_ENTRIES);
    if matches.is_empty() {
        return Ok(Vec::new());
    }
    let mut filters = selection.filters.clone();
    filters.ids = matches.iter().map(|m| m.record_id.clone()).collect();
    let request = SearchRequest {
        query: selection.query.clone(),
        exact: selection.exact,
        filters,
        viewer: Viewer::default(),
        sort: Sort::DateDesc,
        limit: courtwatch_indexer::search::MAX_LIMIT,
        cursor: None,
        facets: false,
        snippets: true,
    };
    let index = state
        .search
        .index()
        .ok_or_else(|| ServiceError::internal("the search index is not open"))?;
    let results = tokio::task::spawn_blocking(move || index.search(&request))
        .await
        .map_err(|e| ServiceError::internal_from("feed task", e))??;
    let mut entries: Vec<FeedEntry> = results
        .hits
        .into_iter()
        .filter_map(|hit| {
            let first = matches
                .iter()
                .find(|m| m.record_id == hit.id && m.kind == hit.kind.as_str())?;
            Some(FeedEntry {
                first_seen_at: first.first_seen_at,
                hit,
            })
        })
        .collect();
    entries.sort_by(|a, b| {
        b.first_seen_at
            .cmp(&a.first_seen_at)
            .then_with(|| b.hit.id.cmp(&a.hit.id))
    });
    Ok(entries)
}
