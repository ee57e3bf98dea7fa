//! What every request handler shares.

use courtwatch_methodology::Registry;
use sea_orm::DatabaseConnection;

/// Shared application state: the database pool and the published methodology versions.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// Published methodology versions.
    pub methodology: &'static Registry,
}

impl AppState {
    /// State over an open, migrated database.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            methodology: Registry::published(),
        }
    }
}

impl AppState {
    /// State with a disconnected database, for rendering the OpenAPI document without a database.
    pub fn detached() -> Self {
        Self {
            db: DatabaseConnection::default(),
            methodology: Registry::published(),
        }
    }
}
