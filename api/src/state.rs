//! What every request handler shares.

use std::sync::Arc;

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
}

impl AppState {
    /// State over an open, migrated database.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            methodology: Registry::published(),
            search: Search::disabled(),
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
        }
    }
}
