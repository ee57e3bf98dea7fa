//! What the search and relevance benchmarks share: reading the corpus, and the scaffolding of the
//! engines they compare courtwatch with (a scratch PostgreSQL database, the FTS5 table).

use std::{io::BufRead, path::Path};

use sea_orm::{
    ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement, TransactionTrait,
};
use serde::de::DeserializeOwned;

/// The corpus's JSON lines (optionally gzipped), each read as a `T`.
pub fn load_jsonl<T: DeserializeOwned>(path: &Path) -> std::io::Result<Vec<T>> {
    let file = std::fs::File::open(path)?;
    let reader: Box<dyn std::io::Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    let mut docs = Vec::new();
    for (n, line) in std::io::BufReader::new(reader).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let doc: T = serde_json::from_str(&line).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("line {}: {e}", n + 1),
            )
        })?;
        docs.push(doc);
    }
    Ok(docs)
}

/// A new, empty database `name` on the PostgreSQL `server` (dropped first if it is left over):
/// the admin connection and the new database's URL. Drop it with [`drop_database`].
pub async fn create_database(
    server: &str,
    name: &str,
) -> Result<(DatabaseConnection, String), String> {
    let admin = Database::connect(server)
        .await
        .map_err(|e| format!("postgres: {e}"))?;
    drop_database(&admin, name).await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .map_err(|e| format!("create database: {e}"))?;
    let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
    Ok((admin, format!("{base}/{name}")))
}

/// Drops the scratch database `name`.
pub async fn drop_database(admin: &DatabaseConnection, name: &str) -> Result<(), String> {
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .map(|_| ())
        .map_err(|e| format!("drop database: {e}"))
}

/// Creates the FTS5 table `docs(title, body)` with `porter unicode61 remove_diacritics 2` and
/// fills it in one transaction, row ids from 1 in the order given.
pub async fn fill_fts5<'a>(
    db: &DatabaseConnection,
    docs: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<(), String> {
    let e = |e: sea_orm::DbErr| format!("fts5: {e}");
    db.execute_unprepared(
        "CREATE VIRTUAL TABLE docs USING fts5(title, body, \
         tokenize = 'porter unicode61 remove_diacritics 2')",
    )
    .await
    .map_err(e)?;
    let txn = db.begin().await.map_err(e)?;
    for (i, (title, body)) in docs.enumerate() {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "INSERT INTO docs (rowid, title, body) VALUES (?, ?, ?)",
            [(i as i64 + 1).into(), title.into(), body.into()],
        ))
        .await
        .map_err(e)?;
    }
    txn.commit().await.map_err(e)
}

/// Inserts `(id, title, body)` rows into the PostgreSQL table `docs(id, title, body)` (its
/// generated tsvector column computed on insert), ids from 1 in the order given. tsvector values
/// are limited to 1 MB: a document whose vector would be larger is cut to its first 500,000
/// characters. Returns how many were cut.
pub async fn fill_postgres<'a>(
    db: &DatabaseConnection,
    docs: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
) -> Result<usize, String> {
    let mut truncated = 0;
    for (i, (id, title, body)) in docs.enumerate() {
        let insert = |body: &str| {
            Statement::from_sql_and_values(
                DbBackend::Postgres,
                "INSERT INTO docs (id, title, body) VALUES ($1, $2, $3)",
                [(i as i32 + 1).into(), title.into(), body.into()],
            )
        };
        if let Err(e) = db.execute_raw(insert(body)).await {
            if !e.to_string().contains("too long for tsvector") {
                return Err(format!("insert {id}: {e}"));
            }
            truncated += 1;
            let cut: String = body.chars().take(500_000).collect();
            db.execute_raw(insert(&cut))
                .await
                .map_err(|e| format!("insert {id} (truncated): {e}"))?;
        }
    }
    Ok(truncated)
}
