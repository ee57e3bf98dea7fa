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

/// Opens the database for the command line. A PostgreSQL database that does not exist yet is
/// created when the URL's user may create databases; otherwise the error says what to run.
pub async fn open(url: &str) -> Result<DatabaseConnection, String> {
    if url.starts_with("postgres") {
        create_missing_postgres(url).await?;
    }
    connect(url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))
}

async fn create_missing_postgres(url: &str) -> Result<(), String> {
    use sea_orm::sqlx::{Connection, Executor, PgConnection, postgres::PgConnectOptions};
    let options: PgConnectOptions = url
        .parse()
        .map_err(|e| format!("DATABASE_URL is not a PostgreSQL URL: {e}"))?;
    // Only a database that does not exist (3D000) is created; any other failure is reported.
    match PgConnection::connect_with(&options).await {
        Ok(connection) => {
            let _ = connection.close().await;
            return Ok(());
        }
        Err(sea_orm::sqlx::Error::Database(e)) if e.code().as_deref() == Some("3D000") => {}
        Err(e) => return Err(format!("cannot connect to PostgreSQL: {e}")),
    }
    let name = options
        .get_database()
        .ok_or("DATABASE_URL names no database")?
        .to_owned();
    let user = options.get_username().to_owned();
    let run = format!(
        "createdb -h {} -p {} -U postgres -O {user} {name}   (or in psql as a superuser: CREATE DATABASE \"{name}\" OWNER \"{user}\";)",
        options.get_host(),
        options.get_port()
    );
    let mut maintenance = PgConnection::connect_with(&options.clone().database("postgres"))
        .await
        .map_err(|e| {
            format!("the database '{name}' does not exist, and courtwatch cannot connect to the 'postgres' database to create it ({e}); create it with: {run}")
        })?;
    let statement = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
    // The name is quoted above; it comes from the operator's own DATABASE_URL.
    let created = maintenance
        .execute(sea_orm::sqlx::raw_sql(sea_orm::sqlx::AssertSqlSafe(
            statement,
        )))
        .await;
    let _ = maintenance.close().await;
    match created {
        Ok(_) => {
            tracing::info!(database = %name, "created the PostgreSQL database");
            Ok(())
        }
        // Another process created it in the meantime.
        Err(sea_orm::sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => Ok(()),
        Err(sea_orm::sqlx::Error::Database(e)) if e.code().as_deref() == Some("42501") => {
            Err(format!(
                "the database '{name}' does not exist, and user '{user}' may not create databases; create it with: {run}"
            ))
        }
        Err(e) => Err(format!(
            "the database '{name}' does not exist and creating it failed ({e}); create it with: {run}"
        )),
    }
}

/// Makes a file readable and writable by its owner alone (0600). The records name people.
pub fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// Creates the data directory, owner-only (0700), or warns when an existing one is open to
/// others.
pub fn prepare_data_dir(data_dir: &Path) -> std::io::Result<()> {
    let existed = data_dir.exists();
    std::fs::create_dir_all(data_dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if !existed {
            std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o700))?;
        } else if std::fs::metadata(data_dir)?.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                data_dir = %data_dir.display(),
                "the data directory is open to other users; `chmod 700` it (it holds the names of the people in the records)"
            );
        }
    }
    Ok(())
}

/// The SQLite database, its write-ahead log and shared memory, owner-only (SQLite gives the log
/// files the database's permissions, so once the database is 0600 they are too).
pub fn make_sqlite_private(data_dir: &Path) -> std::io::Result<()> {
    for name in ["courtwatch.db", "courtwatch.db-wal", "courtwatch.db-shm"] {
        let path = data_dir.join(name);
        if path.exists() {
            make_private(&path)?;
        }
    }
    Ok(())
}
