//! The service's handle on the search index: the generation in use, and the bell that services
//! ring after a write that changed searchable content. Services read and ring it; the engine that
//! keeps the index in step (`search/`) sits above them and owns the rest.

use std::{
    path::Path,
    sync::{Arc, Mutex, RwLock},
};

use courtwatch_indexer::{IndexError, IndexStore, SearchIndex};
use tokio::sync::Notify;

/// The service's handle on the index: the generation in use, and a bell to ring after writes.
#[derive(Debug)]
pub struct Search {
    store: Option<IndexStore>,
    current: RwLock<Option<(String, Arc<SearchIndex>)>>,
    /// Generations replaced by a rebuild whose directories are still to be deleted: a deletion
    /// can fail while the old writer's threads are still finishing, so it is retried each round.
    retired: Mutex<Vec<String>>,
    wake: Notify,
}

impl Search {
    /// No index (rendering the OpenAPI document, or commands that do not search).
    pub fn disabled() -> Arc<Self> {
        Arc::new(Self {
            store: None,
            current: RwLock::new(None),
            retired: Mutex::new(Vec::new()),
            wake: Notify::new(),
        })
    }

    /// Opens (or creates) the index under `dir`.
    pub fn open(dir: &Path) -> Result<Arc<Self>, IndexError> {
        let store = IndexStore::new(dir);
        let (name, index) = store.open_current()?;
        Ok(Arc::new(Self {
            store: Some(store),
            current: RwLock::new(Some((name, Arc::new(index)))),
            retired: Mutex::new(Vec::new()),
            wake: Notify::new(),
        }))
    }

    /// The index in use, if there is one.
    pub fn index(&self) -> Option<Arc<SearchIndex>> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(|(_, index)| index.clone())
    }

    /// The name of the index generation in use (it changes when a rebuild is published).
    pub fn generation(&self) -> Option<String> {
        self.current
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(|(name, _)| name.clone())
    }

    pub(crate) fn store(&self) -> Option<&IndexStore> {
        self.store.as_ref()
    }

    pub(crate) fn swap(&self, name: String, index: Arc<SearchIndex>) -> Option<Arc<SearchIndex>> {
        let mut guard = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.replace((name, index)).map(|(_, old)| old)
    }

    /// Marks generations for deletion (they are no longer served).
    pub(crate) fn retire(&self, names: Vec<String>) {
        let mut retired = self
            .retired
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for name in names {
            if !retired.contains(&name) {
                retired.push(name);
            }
        }
    }

    /// Tries to delete every retired generation; those that cannot be deleted yet stay marked.
    /// Returns how many are left.
    pub(crate) fn sweep(&self) -> usize {
        let Some(store) = &self.store else {
            return 0;
        };
        let mut retired = self
            .retired
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        retired.retain(|name| match store.remove(name) {
            Ok(()) => {
                tracing::info!(generation = %name, "deleted the replaced search index");
                false
            }
            Err(e) => {
                tracing::warn!(generation = %name, error = %e, "replaced search index not deleted yet; will retry");
                true
            }
        });
        retired.len()
    }

    /// Tells the background indexer that changes were committed.
    pub fn changed(&self) {
        self.wake.notify_one();
    }

    pub(crate) async fn wait_for_change(&self, timeout: std::time::Duration) {
        let _ = tokio::time::timeout(timeout, self.wake.notified()).await;
    }
}
