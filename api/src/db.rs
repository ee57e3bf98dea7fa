//! Connecting to the database (embedded SQLite by default, PostgreSQL by URL) and migrating it.

use std::{path::Path, time::Duration};

use courtwatch_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// The SQLite URL for the database file inside a data directory.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("courtwatch.db").display()
    )
}

/// The environment variable choosing SQLite's `synchronous` setting: `full` (the default) or
/// `normal`.
pub const SQLITE_SYNCHRONOUS_ENV: &str = "COURTWATCH_SQLITE_SYNCHRONOUS";

/// SQLite's durability setting. `FULL` (the default) syncs the write-ahead log at every commit, so
/// an acknowledged write survives a power cut or an operating-system crash too; `NORMAL` survives
/// a crash of the service (kill -9) but may lose the last commits on a power cut, for faster
/// writes. Monitoring records cannot be re-observed, so the default is `FULL`; BENCHMARKS.md has
/// the cost measured by the load test.
fn sqlite_synchronous() -> sea_orm::sqlx::sqlite::SqliteSynchronous {
    use sea_orm::sqlx::sqlite::SqliteSynchronous;
    match std::env::var(SQLITE_SYNCHRONOUS_ENV)
        .map(|v| v.to_ascii_lowercase())
        .as_deref()
    {
        Ok("normal") => SqliteSynchronous::Normal,
        Ok("full") | Err(_) => SqliteSynchronous::Full,
        Ok(other) => {
            tracing::warn!(
                value = other,
                "{SQLITE_SYNCHRONOUS_ENV} is not full or normal; using full"
            );
            SqliteSynchronous::Full
        }
    }
}

/// Opens a connection pool. SQLite runs in WAL mode with a busy timeout, so concurrent writers
/// wait for each other instead of failing, and enforces foreign keys.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .connect_timeout(Duration::from_secs(10));
    if url.starts_with("sqlite:") {
        let synchronous = sqlite_synchronous();
        options
            .max_connections(8)
            .map_sqlx_sqlite_opts(move |opts| {
                opts.journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                    .synchronous(synchronous)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(true)
            });
    } else {
        options.max_connections(16);
    }
    Database::connect(options).await
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
