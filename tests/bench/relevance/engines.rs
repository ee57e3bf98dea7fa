//! The engines of the relevance benchmark, each built from the same documents and asked the same
//! queries for their top 100 by relevance.

use std::path::Path;

use courtwatch_indexer::{Filters, IndexDoc, Kind, SearchIndex, SearchRequest, Sort, Visibility};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};

use crate::{Doc, Ranking};

const TOP: usize = 100;

fn index_doc(d: &Doc, english_only: bool) -> IndexDoc {
    IndexDoc {
        kind: Kind::Ruling,
        id: d.id.clone(),
        case_id: None,
        title: d.title.clone(),
        body: d.text.clone(),
        court_id: None,
        court_name: (!d.court.is_empty()).then(|| d.court.clone()),
        jurisdiction: None,
        grounds: Vec::new(),
        proceeding_type: None,
        outcome: None,
        // "Before": every text stemmed in English, as before issue 24 (the index's other parts
        // are today's).
        language: Some(if english_only {
            "en".into()
        } else {
            d.lang.clone()
        }),
        date: None,
        visibility: Visibility::Public,
    }
}

fn request(query: &str, exact: bool, limit: usize, languages: Vec<String>) -> SearchRequest {
    SearchRequest {
        query: query.into(),
        exact,
        filters: Filters {
            languages,
            ..Filters::default()
        },
        viewer: Default::default(),
        sort: Sort::Relevance,
        limit,
        cursor: None,
        facets: false,
        snippets: false,
    }
}

/// courtwatch's index in `dir`: the top 100 of each query.
pub fn courtwatch(
    dir: &Path,
    docs: &[Doc],
    queries: &[String],
    english_only: bool,
) -> Result<Vec<Ranking>, String> {
    let _ = std::fs::remove_dir_all(dir);
    let index = SearchIndex::open(dir).map_err(|e| e.to_string())?;
    index.pause_merging();
    for d in docs {
        index
            .add_new(&index_doc(d, english_only))
            .map_err(|e| e.to_string())?;
    }
    index.commit("relevance").map_err(|e| e.to_string())?;
    index.optimize().map_err(|e| e.to_string())?;
    index.commit("relevance").map_err(|e| e.to_string())?;
    index.wait_merging().map_err(|e| e.to_string())?;
    let index = SearchIndex::open(dir).map_err(|e| e.to_string())?;
    queries
        .iter()
        .map(|q| {
            index
                .search(&request(q, false, TOP, Vec::new()))
                .map(|r| r.hits.into_iter().map(|h| h.id).collect())
                .map_err(|e| format!("{q}: {e}"))
        })
        .collect()
}

/// For each (query, language): how many documents of the other languages the stemmed search
/// matches, and how many of those the exact search matches too.
pub fn conflations(
    dir: &Path,
    docs: &[Doc],
    queries: &[(String, String)],
) -> Result<Vec<(usize, usize)>, String> {
    let index = SearchIndex::open(dir).map_err(|e| e.to_string())?;
    let tags: std::collections::BTreeSet<&str> = docs.iter().map(|d| d.lang.as_str()).collect();
    queries
        .iter()
        .map(|(q, language)| {
            let others: Vec<String> = tags
                .iter()
                .filter(|t| t.split('-').next() != Some(language.as_str()))
                .map(|t| t.to_string())
                .collect();
            let count = |exact: bool| {
                index
                    .search(&request(q, exact, 1, others.clone()))
                    .map(|r| r.total as usize)
                    .map_err(|e| format!("{q}: {e}"))
            };
            Ok((count(false)?, count(true)?))
        })
        .collect()
}

/// The query as FTS5 reads bare words: each a quoted string, all required.
fn fts5_query(q: &str) -> String {
    q.split_whitespace()
        .map(|w| format!("\"{}\"", w.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// SQLite FTS5 with `porter unicode61 remove_diacritics 2`, bm25 order.
pub async fn fts5(file: &Path, docs: &[Doc], queries: &[String]) -> Result<Vec<Ranking>, String> {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let e = |e: sea_orm::DbErr| e.to_string();
    let db = Database::connect(format!("sqlite://{}?mode=rwc", file.display()))
        .await
        .map_err(e)?;
    crate::common::fill_fts5(
        &db,
        docs.iter().map(|d| (d.title.as_str(), d.text.as_str())),
    )
    .await?;
    let mut out = Vec::new();
    for q in queries {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "SELECT rowid FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 100",
                [fts5_query(q).into()],
            ))
            .await
            .map_err(|err| format!("{q}: {err}"))?;
        let mut ranking = Vec::new();
        for row in rows {
            let rowid: i64 = row.try_get_by_index(0).map_err(e)?;
            ranking.push(docs[rowid as usize - 1].id.clone());
        }
        out.push(ranking);
    }
    db.close().await.map_err(e)?;
    Ok(out)
}

/// PostgreSQL with the `simple` configuration and `unaccent` (the usual set-up for languages it
/// has no stemmer for), `plainto_tsquery`, `ts_rank` order.
pub async fn postgres(
    server: &str,
    docs: &[Doc],
    queries: &[String],
) -> Result<Vec<Ranking>, String> {
    let name = format!("courtwatch_relevance_{}", std::process::id());
    let (admin, url) = crate::common::create_database(server, &name).await?;
    let result = postgres_in(&url, docs, queries).await;
    crate::common::drop_database(&admin, &name).await?;
    result
}

async fn postgres_in(url: &str, docs: &[Doc], queries: &[String]) -> Result<Vec<Ranking>, String> {
    let e = |e: sea_orm::DbErr| e.to_string();
    let db = Database::connect(url).await.map_err(e)?;
    for sql in [
        "CREATE EXTENSION IF NOT EXISTS unaccent",
        "CREATE TEXT SEARCH CONFIGURATION cw_simple (COPY = simple)",
        "ALTER TEXT SEARCH CONFIGURATION cw_simple ALTER MAPPING FOR hword, hword_part, word \
         WITH unaccent, simple",
        "CREATE TABLE docs (id integer PRIMARY KEY, title text NOT NULL, body text NOT NULL, \
         tsv tsvector GENERATED ALWAYS AS \
         (setweight(to_tsvector('cw_simple', title), 'A') || to_tsvector('cw_simple', body)) STORED)",
    ] {
        db.execute_unprepared(sql).await.map_err(e)?;
    }
    crate::common::fill_postgres(
        &db,
        docs.iter()
            .map(|d| (d.id.as_str(), d.title.as_str(), d.text.as_str())),
    )
    .await?;
    db.execute_unprepared("CREATE INDEX docs_tsv ON docs USING gin (tsv)")
        .await
        .map_err(e)?;
    db.execute_unprepared("VACUUM ANALYZE docs")
        .await
        .map_err(e)?;
    let mut out = Vec::new();
    for q in queries {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT id FROM docs, plainto_tsquery('cw_simple', $1) q WHERE tsv @@ q \
                 ORDER BY ts_rank(tsv, q) DESC LIMIT 100",
                [q.clone().into()],
            ))
            .await
            .map_err(|err| format!("{q}: {err}"))?;
        let mut ranking = Vec::new();
        for row in rows {
            let id: i32 = row.try_get_by_index(0).map_err(e)?;
            ranking.push(docs[id as usize - 1].id.clone());
        }
        out.push(ranking);
    }
    db.close().await.map_err(e)?;
    Ok(out)
}
