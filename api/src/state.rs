//! What every request handler shares.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Utc};
use courtwatch_methodology::Registry;
use sea_orm::DatabaseConnection;

use crate::index::Search;

/// Shared application state: the database pool, the published methodology versions and the index.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// Published methodology versions.
    pub methodology: &'static Registry,
    /// The search index (disabled in commands that do not search).
    pub search: Arc<Search>,
    /// The Saved searches page's counts as last computed, by saved search id
    /// (`services::saved::counts`).
    pub saved_counts: Arc<Mutex<HashMap<String, SavedCounts>>>,
}

/// A saved search's counts, and what they were computed for: while the index searches the same
/// content and the search was last opened at the same moment, they are still right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavedCounts {
    /// `SearchIndex::content_version` when computed.
    pub content: u64,
    /// The saved search's `opened_at` when computed.
    pub opened_at: DateTime<Utc>,
    /// Released records it matches.
    pub matches: usize,
    /// Of them, first matched since it was last opened.
    pub new: usize,
}

impl AppState {
    /// State over an open, migrated database.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            methodology: Registry::published(),
            search: Search::disabled(),
            saved_counts: Default::default(),
        }
    }

    /// The same state with a search index.
    pub fn with_search(self, search: Arc<Search>) -> Self {
        Self { search, ..self }
    }
}

impl AppState {
    /// State with a disconnected database, for rendering the OpenAPI document without a database.
    pub fn detached() -> Self {
        Self {
            db: DatabaseConnection::default(),
            methodology: Registry::published(),
            search: Search::disabled(),
            saved_counts: Default::default(),
        }
    }
}
