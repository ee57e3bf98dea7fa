//! The background indexer: applies the outbox to the index in batches, catches up after a crash,
//! switches to a rebuilt generation, and the full rebuild itself.
//!
//! Invariant: an outbox row is deleted only after a tantivy commit that contains its change, so a
//! crash at any moment leaves every unapplied change in the outbox, and startup applies them all
//! (re-applying one is harmless: documents are rebuilt from the database as it is now).

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use courtwatch_indexer::{IndexStore, SearchIndex};
use courtwatch_methodology::Registry;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, IntoCondition},
};

use super::{
    Search,
    documents::{Builder, Update},
};
use crate::{entities::search_outbox, error::ServiceError, outbox::Change, state::AppState};

/// Changes applied per index commit, at most.
const BATCH: u64 = 500;
/// How often the indexer looks for work when nobody rings (a write by another process, say).
const POLL: Duration = Duration::from_millis(500);
/// Recorded with every commit; a different value (or none) means the index must be rebuilt.
/// 5: accented Cyrillic vowels (ѐ, ѝ) fold like plain ones. 6: one field per text (words plus
/// marked stems) instead of a stemmed and an unstemmed copy. 7: each text stemmed in its own
/// language. 8: word marks stored beside the text, for snippets.
pub const INDEX_FORMAT: &str = "courtwatch-index-8";
/// Recorded with the intermediate commits of a full build.
const BUILDING: &str = "building";
/// Text added between two intermediate commits of a full build.
const FILL_COMMIT_BYTES: usize = 24 * 1024 * 1024;

fn index_error(e: courtwatch_indexer::IndexError) -> ServiceError {
    ServiceError::internal_from("search index", e)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, courtwatch_indexer::IndexError> + Send + 'static,
) -> Result<T, ServiceError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ServiceError::internal_from("search index task", e))?
        .map_err(index_error)
}

/// Runs until the process ends: wakes on every write (or every [`POLL`]) and applies the outbox.
pub async fn run(state: AppState) {
    let mut failures = 0u32;
    loop {
        match step(&state.db, state.methodology, &state.search).await {
            Ok(_) => failures = 0,
            Err(e) => {
                failures += 1;
                tracing::warn!(error = %e, failures, "search indexing failed; will retry");
                tokio::time::sleep(Duration::from_millis(200 * u64::from(failures.min(25)))).await;
            }
        }
        state.search.wait_for_change(POLL).await;
    }
}

/// One round: switch to a newly published generation if there is one, build the index from the
/// database if it has never been built, then apply every pending change. Returns changes applied.
pub async fn step(
    db: &DatabaseConnection,
    methodology: &'static Registry,
    search: &Search,
) -> Result<usize, ServiceError> {
    let Some(store) = search.store() else {
        return Ok(0);
    };
    let published = store.current().map_err(index_error)?;
    if published.is_some() && published != search.generation() {
        let name = published.unwrap_or_default();
        let store_for_open = store.clone();
        let opened_name = name.clone();
        let index = Arc::new(blocking(move || store_for_open.open(&opened_name)).await?);
        // Everything recorded since the rebuild began, applied or not, goes into the new generation.
        apply(db, methodology, &index, true, 0).await?;
        let old = search.swap(name.clone(), index);
        drop(old);
        tracing::info!(generation = %name, "switched to the rebuilt search index");
        let others = store.older_than(&name).map_err(index_error)?;
        search.retire(others);
    }
    search.sweep();
    let Some(index) = search.index() else {
        return Ok(0);
    };
    let payload = index.payload().map_err(index_error)?;
    if payload
        .as_deref()
        .is_some_and(|p| p != INDEX_FORMAT && p != BUILDING)
    {
        // Written by another courtwatch version, whose segments this one may not read: build a
        // new generation beside it (it keeps serving meanwhile) and switch to it next round.
        tracing::info!(old = ?payload, "index format changed: rebuilding into a new generation");
        let report = rebuild(db, methodology, store, |_, _| {}).await?;
        tracing::info!(documents = report.documents, "search index rebuilt");
        return Ok(0);
    }
    if payload.as_deref() != Some(INDEX_FORMAT) {
        tracing::info!("building the search index from the database");
        // Changes recorded before the build starts are in the database it reads: settle them
        // without re-applying (which would index those records twice). Later ones may have been
        // missed and are applied after it.
        let covered = search_outbox::Entity::find()
            .select_only()
            .column_as(search_outbox::Column::Id.max(), "max")
            .into_tuple::<Option<i64>>()
            .one(db)
            .await?
            .flatten()
            .unwrap_or(0);
        let built = fill(db, methodology, &index, |_, _| {}).await?;
        tracing::info!(documents = built, "search index built");
        settle(
            db,
            &index,
            search_outbox::Column::Id.lte(covered).into_condition(),
        )
        .await?;
        return apply(db, methodology, &index, true, covered).await;
    }
    apply(db, methodology, &index, false, 0).await
}

/// Applies pending outbox rows after id `after` (with `include_applied`, also rows kept for a
/// rebuild) in batches.
async fn apply(
    db: &DatabaseConnection,
    methodology: &'static Registry,
    index: &Arc<SearchIndex>,
    include_applied: bool,
    mut after: i64,
) -> Result<usize, ServiceError> {
    let mut total = 0;
    loop {
        let mut query = search_outbox::Entity::find()
            .filter(search_outbox::Column::Id.gt(after))
            .order_by_asc(search_outbox::Column::Id)
            .limit(BATCH);
        if !include_applied {
            query = query.filter(search_outbox::Column::AppliedAt.is_null());
        }
        let rows = query.all(db).await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let changes: Vec<(Change, String)> = rows
            .iter()
            .filter_map(|r| Change::parse(&r.kind).map(|c| (c, r.record_id.clone())))
            .collect();
        let updates = Builder::new(db, methodology).updates_for(&changes).await?;
        let target = index.clone();
        blocking(move || {
            for update in &updates {
                match update {
                    Update::Upsert(doc) => target.upsert(doc)?,
                    Update::Delete(key) => target.delete(key),
                }
            }
            target.commit(INDEX_FORMAT)
        })
        .await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        total += ids.len();
        settle(
            db,
            index,
            search_outbox::Column::Id.is_in(ids).into_condition(),
        )
        .await?;
    }
    Ok(total)
}

/// Done with the outbox rows matching `rows` (their changes are committed to `index`): deletes
/// them, or, when a rebuild that began before these changes may not contain them, keeps them
/// for it, marked applied.
async fn settle(
    db: &DatabaseConnection,
    index: &SearchIndex,
    rows: Condition,
) -> Result<(), ServiceError> {
    if rebuild_may_need(index) {
        search_outbox::Entity::update_many()
            .col_expr(search_outbox::Column::AppliedAt, Expr::value(Utc::now()))
            .filter(rows)
            .exec(db)
            .await?;
    } else {
        search_outbox::Entity::delete_many()
            .filter(rows)
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Whether a rebuild is running, or has published a generation this index is not (yet) — in both
/// cases the new generation must still see the rows this index has applied.
fn rebuild_may_need(index: &SearchIndex) -> bool {
    let Some(root) = index.dir().parent() else {
        return false;
    };
    let store = IndexStore::new(root);
    let mine = index
        .dir()
        .file_name()
        .map(|n| n.to_string_lossy().to_string());
    store.rebuild_running() || store.current().ok().flatten() != mine
}

/// Writes every document in the database into `index` and commits.
async fn fill(
    db: &DatabaseConnection,
    methodology: &'static Registry,
    index: &Arc<SearchIndex>,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, ServiceError> {
    let mut builder = Builder::new(db, methodology);
    let expected = builder.count_all().await?;
    let mut done = 0;
    let mut pending_bytes = 0usize;
    index.pause_merging();
    // A new generation holds nothing, so documents need no delete of an earlier version; an
    // index left half-built by a crash does hold some, and gets upserts.
    let fresh = index.num_docs() == 0;
    let target = index.clone();
    let built = builder
        .all_documents(|doc| {
            pending_bytes += doc.body.len() + doc.title.len();
            if fresh {
                target.add_new(&doc).map_err(index_error)?;
            } else {
                target.upsert(&doc).map_err(index_error)?;
            }
            done += 1;
            progress(done, expected);
            // Commit now and then: tantivy queues added documents in memory until its indexing
            // thread takes them, and long judgments would otherwise pile up there. The payload
            // marks the build unfinished, so a crash here means "build again" at the next start.
            if pending_bytes > FILL_COMMIT_BYTES {
                pending_bytes = 0;
                target.commit(BUILDING).map_err(index_error)?;
            }
            Ok(())
        })
        .await?;
    let target = index.clone();
    blocking(move || {
        target.commit(BUILDING)?;
        target.optimize()?;
        target.commit(INDEX_FORMAT)
    })
    .await?;
    Ok(built)
}

/// What a rebuild did.
#[derive(Debug)]
pub struct RebuildReport {
    /// The new generation's name.
    pub generation: String,
    /// Documents written.
    pub documents: u64,
}

/// Rebuilds the whole index into a new generation beside the one in use, then publishes it. A
/// running service keeps serving the old generation until it notices and switches.
pub async fn rebuild(
    db: &DatabaseConnection,
    methodology: &'static Registry,
    store: &IndexStore,
    progress: impl FnMut(u64, u64),
) -> Result<RebuildReport, ServiceError> {
    // Mark first: from now on the service keeps the change rows the new generation will need.
    let _guard = store.begin_rebuild().map_err(index_error)?;
    let (generation, index) = store.create_generation().map_err(index_error)?;
    let index = Arc::new(index);
    let documents = fill(db, methodology, &index, progress).await?;
    let Ok(index) = Arc::try_unwrap(index) else {
        return Err(ServiceError::internal("search index still in use"));
    };
    blocking(move || index.wait_merging()).await?;
    store.publish(&generation).map_err(index_error)?;
    Ok(RebuildReport {
        generation,
        documents,
    })
}
