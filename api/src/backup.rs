//! `courtwatch backup` and `courtwatch restore` for the embedded SQLite database.
//!
//! A backup is SQLite's `VACUUM INTO`: one read transaction, so the copy is a consistent snapshot
//! even while the server writes (WAL mode lets writers go on meanwhile), compacted, and a plain
//! SQLite file that `sqlite3` opens. A restore checks the file (integrity, courtwatch schema, not
//! from a newer version), keeps the database it replaces beside it, puts the backup in place,
//! applies newer migrations and rebuilds the search index. PostgreSQL has `pg_dump`/`pg_restore`
//! for this (README, "Backup and restore").

use std::path::{Path, PathBuf};

use courtwatch_migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, Value};

use crate::db;

/// What a backup or restore did.
#[derive(Debug)]
pub struct Report {
    /// The file written.
    pub file: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Rows per table.
    pub rows: Vec<(String, i64)>,
}

fn is_sqlite(db: &DatabaseConnection) -> bool {
    db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite
}

/// What to use on PostgreSQL.
pub const POSTGRES: &str = "backup and restore are for the embedded SQLite database; on PostgreSQL use \
     `pg_dump --format=custom --file=FILE DBNAME` and `pg_restore --clean --dbname=DBNAME FILE`, \
     then `courtwatch reindex`";

/// Opens a SQLite file read-only (no WAL switch, nothing written).
async fn open_read_only(path: &str) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let mut options = sea_orm::ConnectOptions::new(format!("sqlite://{path}?mode=ro"));
    options
        .sqlx_logging(false)
        .max_connections(1)
        .map_sqlx_sqlite_opts(|o| o.read_only(true));
    sea_orm::Database::connect(options).await
}

/// Rows per table of a database.
async fn row_counts(db: &DatabaseConnection) -> Result<Vec<(String, i64)>, String> {
    let tables = db
        .query_all_raw(Statement::from_string(
            sea_orm::DatabaseBackend::Sqlite,
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name",
        ))
        .await
        .map_err(|e| format!("cannot list tables: {e}"))?;
    let mut out = Vec::new();
    for row in tables {
        let name: String = row
            .try_get("", "name")
            .map_err(|e| format!("cannot read a table name: {e}"))?;
        let count = db
            .query_one_raw(Statement::from_string(
                sea_orm::DatabaseBackend::Sqlite,
                format!(
                    "SELECT COUNT(*) AS n FROM \"{}\"",
                    name.replace('"', "\"\"")
                ),
            ))
            .await
            .map_err(|e| format!("cannot count {name}: {e}"))?
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()
            .map_err(|e| format!("cannot count {name}: {e}"))?
            .unwrap_or(0);
        out.push((name, count));
    }
    Ok(out)
}

/// Writes a consistent copy of the open SQLite database to `file` (which must not exist).
pub async fn backup(db: &DatabaseConnection, file: &Path) -> Result<Report, String> {
    if !is_sqlite(db) {
        return Err(POSTGRES.into());
    }
    if file.exists() {
        return Err(format!(
            "{} already exists; a backup never overwrites a file",
            file.display()
        ));
    }
    let folder = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !folder.is_dir() {
        return Err(format!(
            "the folder {} does not exist; create it first (mkdir -p {}) or name another",
            folder.display(),
            folder.display()
        ));
    }
    let target = file
        .to_str()
        .ok_or_else(|| format!("{} is not a UTF-8 path", file.display()))?;
    db.execute_raw(Statement::from_sql_and_values(
        sea_orm::DatabaseBackend::Sqlite,
        "VACUUM INTO ?",
        [Value::from(target.to_owned())],
    ))
    .await
    .map_err(|e| format!("backup failed: {e}"))?;
    crate::db::make_private(file)
        .map_err(|e| format!("cannot restrict {}: {e}", file.display()))?;
    let copy = open_read_only(target)
        .await
        .map_err(|e| format!("cannot open the backup: {e}"))?;
    let rows = row_counts(&copy).await?;
    copy.close()
        .await
        .map_err(|e| format!("cannot close the backup: {e}"))?;
    let bytes = std::fs::metadata(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?
        .len();
    Ok(Report {
        file: file.to_path_buf(),
        bytes,
        rows,
    })
}

/// Checks a backup: a sound SQLite file with courtwatch's schema, from this or an older version.
async fn check_backup(file: &Path) -> Result<(), String> {
    let path = file
        .to_str()
        .ok_or_else(|| format!("{} is not a UTF-8 path", file.display()))?;
    if !file.is_file() {
        return Err(format!("{} is not a file", file.display()));
    }
    let copy = open_read_only(path)
        .await
        .map_err(|e| format!("{} is not a SQLite database: {e}", file.display()))?;
    let integrity: String = copy
        .query_one_raw(Statement::from_string(
            sea_orm::DatabaseBackend::Sqlite,
            "PRAGMA integrity_check",
        ))
        .await
        .map_err(|e| format!("{} is not a SQLite database: {e}", file.display()))?
        .and_then(|r| r.try_get_by_index::<String>(0).ok())
        .unwrap_or_default();
    if integrity != "ok" {
        return Err(format!(
            "{} fails SQLite's integrity check: {integrity}",
            file.display()
        ));
    }
    let applied = copy
        .query_all_raw(Statement::from_string(
            sea_orm::DatabaseBackend::Sqlite,
            "SELECT version FROM seaql_migrations ORDER BY version",
        ))
        .await
        .map_err(|_| format!("{} is not a courtwatch database", file.display()))?;
    let known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    for row in applied {
        let version: String = row
            .try_get("", "version")
            .map_err(|e| format!("cannot read the backup's migrations: {e}"))?;
        if !known.contains(&version) {
            return Err(format!(
                "{} was made by a newer courtwatch (migration {version}); upgrade first",
                file.display()
            ));
        }
    }
    copy.close()
        .await
        .map_err(|e| format!("cannot close the backup: {e}"))?;
    Ok(())
}

/// Puts the backup `file` in place of the database of `data_dir`; the database it replaces (with
/// its WAL files) is renamed to `courtwatch.db.replaced-<time>`. Returns the restored database,
/// migrated.
pub async fn restore(data_dir: &Path, file: &Path) -> Result<(DatabaseConnection, Report), String> {
    check_backup(file).await?;
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let live = data_dir.join("courtwatch.db");
    if live.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", live.display()));
            if from.exists() {
                let to = PathBuf::from(format!("{}.replaced-{stamp}{suffix}", live.display()));
                std::fs::rename(&from, &to)
                    .map_err(|e| format!("cannot move {} aside: {e}", from.display()))?;
            }
        }
    }
    let partial = data_dir.join("courtwatch.db.restoring");
    std::fs::copy(file, &partial).map_err(|e| format!("cannot copy the backup: {e}"))?;
    crate::db::make_private(&partial)
        .map_err(|e| format!("cannot restrict the restored database: {e}"))?;
    std::fs::rename(&partial, &live).map_err(|e| format!("cannot put the backup in place: {e}"))?;
    let connection = db::connect(&db::sqlite_url(data_dir))
        .await
        .map_err(|e| format!("cannot open the restored database: {e}"))?;
    db::migrate(&connection)
        .await
        .map_err(|e| format!("migrations failed on the restored database: {e}"))?;
    let rows = row_counts(&connection).await?;
    let bytes = std::fs::metadata(&live).map(|m| m.len()).unwrap_or(0);
    Ok((
        connection,
        Report {
            file: live,
            bytes,
            rows,
        },
    ))
}
