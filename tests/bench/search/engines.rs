//! The three engines, each built from the same documents and asked the same queries for the top 10
//! by relevance.

use std::{path::Path, sync::Arc, time::Instant};

use courtwatch_indexer::{IndexDoc, Kind, SearchIndex, SearchRequest, Sort, Visibility};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

use crate::{BenchQuery, Context, Doc, EngineReport, dir_size, time_queries};

/// The service's full rebuild (no merges until one at the end) commits every 24 MB of text (`api/src/search/sync.rs`); so does
/// the benchmark, so that the build here is the build a user gets.
const FILL_COMMIT_BYTES: usize = 24 * 1024 * 1024;

/// The document the service builds for an imported ruling.
fn index_doc(d: &Doc) -> IndexDoc {
    let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    IndexDoc {
        kind: Kind::Ruling,
        id: d.id.clone(),
        case_id: None,
        title: d.title.clone(),
        body: d.text.clone(),
        court_id: None,
        court_name: nonempty(&d.court),
        jurisdiction: d
            .lang
            .rsplit('-')
            .next()
            .filter(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_uppercase()))
            .map(str::to_string),
        grounds: Vec::new(),
        proceeding_type: None,
        outcome: None,
        language: nonempty(&d.lang),
        date: chrono::NaiveDate::parse_from_str(&d.date, "%Y-%m-%d").ok(),
        visibility: Visibility::Public,
    }
}

/// A public search by relevance: `limit` hits, with facets and snippets or without.
pub fn by_relevance(query: &str, limit: usize, facets_and_snippets: bool) -> SearchRequest {
    SearchRequest {
        query: query.to_string(),
        exact: false,
        filters: Default::default(),
        viewer: Default::default(),
        sort: Sort::Relevance,
        limit,
        cursor: None,
        facets: facets_and_snippets,
        snippets: facets_and_snippets,
    }
}

fn top10(query: &str) -> SearchRequest {
    by_relevance(query, 10, false)
}

/// Builds courtwatch's index as the service's full rebuild does; returns the time it took and
/// the part of it spent in the final merge.
pub fn build_courtwatch(
    dir: &Path,
    docs: &[Doc],
) -> Result<(std::time::Duration, std::time::Duration), String> {
    let _ = std::fs::remove_dir_all(dir);
    let start = Instant::now();
    let index = SearchIndex::open(dir).ctx("open index")?;
    index.pause_merging();
    let mut pending = 0;
    for d in docs {
        index.add_new(&index_doc(d)).ctx("index")?;
        pending += d.text.len();
        if pending >= FILL_COMMIT_BYTES {
            index.commit("building").ctx("commit")?;
            pending = 0;
        }
    }
    index.commit("building").ctx("commit")?;
    let merge_start = Instant::now();
    index.optimize().ctx("optimize")?;
    let merge = merge_start.elapsed();
    index.commit("bench").ctx("commit")?;
    index.wait_merging().ctx("merge")?;
    Ok((start.elapsed(), merge))
}

/// courtwatch's index, in process: the exact total and the top 10 with their stored fields.
pub async fn courtwatch(
    dir: &Path,
    docs: &[Doc],
    queries: &[BenchQuery],
    runs: usize,
) -> Result<EngineReport, String> {
    let (build, _) = build_courtwatch(dir, docs)?;

    let index = Arc::new(SearchIndex::open(dir).ctx("reopen index")?);
    let segments = index.segment_count();
    let mut hits = Vec::new();
    for q in queries {
        let results = index.search(&top10(&q.text)).ctx(&q.text)?;
        hits.push(results.total);
    }
    let samples = time_queries(queries, runs, |q| {
        let index = index.clone();
        async move {
            index
                .search(&top10(&q))
                .map(|_| ())
                .map_err(|e| format!("{q}: {e}"))
        }
    })
    .await?;
    Ok(EngineReport {
        name: "courtwatch".into(),
        build,
        size_bytes: dir_size(dir),
        notes: vec![format!(
            "tantivy, {segments} segments; title and text indexed once (folded words plus \
                 marked stems), text stored for snippets; total count exact"
        )],
        samples,
        hits,
    })
}

/// Builds the FTS5 table in a new database file: (connection, build time, time before
/// `optimize`, SQLite version).
pub async fn build_fts5(
    file: &Path,
    docs: &[Doc],
) -> Result<
    (
        sea_orm::DatabaseConnection,
        std::time::Duration,
        std::time::Duration,
        String,
    ),
    String,
> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let db = Database::connect(format!("sqlite://{}?mode=rwc", file.display()))
        .await
        .ctx("sqlite")?;
    let version: String = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT sqlite_version()",
        ))
        .await
        .ctx("version")?
        .ok_or("no version")?
        .try_get_by_index(0)
        .ctx("version")?;
    let start = Instant::now();
    crate::common::fill_fts5(
        &db,
        docs.iter().map(|d| (d.title.as_str(), d.text.as_str())),
    )
    .await?;
    let inserted = start.elapsed();
    db.execute_unprepared("INSERT INTO docs (docs) VALUES ('optimize')")
        .await
        .ctx("optimize")?;
    let build = start.elapsed();
    Ok((db, build, inserted, version))
}

/// SQLite FTS5 as a user would set it up: porter stemming over unicode61 with diacritics removed,
/// bm25 order.
pub async fn fts5(
    file: &Path,
    docs: &[Doc],
    queries: &[BenchQuery],
    runs: usize,
) -> Result<EngineReport, String> {
    let (db, build, inserted, version) = build_fts5(file, docs).await?;
    db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)")
        .await
        .ctx("checkpoint")?;
    let size = dir_size(file) + dir_size(Path::new(&format!("{}-wal", file.display())));

    let count = |q: &str| {
        Statement::from_sql_and_values(
            DbBackend::Sqlite,
            "SELECT count(*) FROM docs WHERE docs MATCH ?",
            [q.into()],
        )
    };
    let mut hits = Vec::new();
    for q in queries {
        let row = db
            .query_one_raw(count(&q.text))
            .await
            .ctx(&q.text)?
            .ok_or("no count")?;
        let n: i64 = row.try_get_by_index(0).ctx("count")?;
        hits.push(n as u64);
    }
    let samples = time_queries(queries, runs, |q| {
        let db = db.clone();
        async move {
            db.query_all_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "SELECT rowid, bm25(docs) FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 10",
                [q.clone().into()],
            ))
            .await
            .map(|_| ())
            .map_err(|e| format!("{q}: {e}"))
        }
    })
    .await?;
    db.close().await.ctx("close")?;
    Ok(EngineReport {
        name: "FTS5".into(),
        build,
        size_bytes: size,
        notes: vec![format!(
            "SQLite {version} (bundled with sqlx); one transaction, then 'optimize' ({:.1} s of \
             the build); text stored",
            (build - inserted).as_secs_f64()
        )],
        samples,
        hits,
    })
}

/// PostgreSQL full-text search as a user would set it up: a stored generated tsvector column
/// (english configuration) with a GIN index, `websearch_to_tsquery`, `ts_rank` order.
pub async fn postgres(
    server: &str,
    docs: &[Doc],
    queries: &[BenchQuery],
    runs: usize,
) -> Result<EngineReport, String> {
    let name = format!("courtwatch_bench_{}", std::process::id());
    let (admin, url) = crate::common::create_database(server, &name).await?;
    let result = postgres_in(&url, docs, queries, runs).await;
    crate::common::drop_database(&admin, &name).await?;
    result
}

async fn postgres_in(
    url: &str,
    docs: &[Doc],
    queries: &[BenchQuery],
    runs: usize,
) -> Result<EngineReport, String> {
    let db = Database::connect(url).await.ctx("postgres")?;
    let version: String = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SHOW server_version",
        ))
        .await
        .ctx("version")?
        .ok_or("no version")?
        .try_get_by_index(0)
        .ctx("version")?;
    let start = Instant::now();
    db.execute_unprepared(
        "CREATE TABLE docs (id integer PRIMARY KEY, title text NOT NULL, body text NOT NULL, \
         tsv tsvector GENERATED ALWAYS AS \
         (setweight(to_tsvector('english', title), 'A') || to_tsvector('english', body)) STORED)",
    )
    .await
    .ctx("create table")?;
    let truncated = crate::common::fill_postgres(
        &db,
        docs.iter()
            .map(|d| (d.id.as_str(), d.title.as_str(), d.text.as_str())),
    )
    .await?;
    db.execute_unprepared("CREATE INDEX docs_tsv ON docs USING gin (tsv)")
        .await
        .ctx("create index")?;
    db.execute_unprepared("VACUUM ANALYZE docs")
        .await
        .ctx("analyze")?;
    let build = start.elapsed();
    let size: i64 = db
        .query_one_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_total_relation_size('docs')",
        ))
        .await
        .ctx("size")?
        .ok_or("no size")?
        .try_get_by_index(0)
        .ctx("size")?;

    let mut hits = Vec::new();
    for q in queries {
        let n: i64 = db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT count(*) FROM docs WHERE tsv @@ websearch_to_tsquery('english', $1)",
                [q.text.clone().into()],
            ))
            .await
            .ctx(&q.text)?
            .ok_or("no count")?
            .try_get_by_index(0)
            .ctx("count")?;
        hits.push(n as u64);
    }
    let samples = time_queries(queries, runs, |q| {
        let db = db.clone();
        async move {
            db.query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT id, ts_rank(tsv, query) AS rank \
                 FROM docs, websearch_to_tsquery('english', $1) AS query \
                 WHERE tsv @@ query ORDER BY rank DESC LIMIT 10",
                [q.clone().into()],
            ))
            .await
            .map(|_| ())
            .map_err(|e| format!("{q}: {e}"))
        }
    })
    .await?;
    db.close().await.ctx("close")?;
    let mut notes = vec![format!(
        "PostgreSQL {version} over TCP on this machine; generated tsvector, GIN built after loading; \
         text stored (TOAST)"
    )];
    if truncated > 0 {
        notes.push(format!(
            "{truncated} documents cut to 500,000 characters (1 MB tsvector limit)"
        ));
    }
    Ok(EngineReport {
        name: "PostgreSQL".into(),
        build,
        size_bytes: size as u64,
        notes,
        samples,
        hits,
    })
}
