//! `courtwatch reindex` (the real command, as a separate process) while a server serves and takes
//! writes: every search during the rebuild is answered from the old generation, writes made during
//! the rebuild are not lost, and the server then switches to the new generation. Fictional data.

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use courtwatch_tests::{TestApp, on_each_backend};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_courtwatch-under-test");
const IMPORTED: u64 = 400;

async fn total(app: &TestApp, query: &str) -> u64 {
    let (status, page) = app
        .get(&format!(
            "/search?q={query}&limit=1&facets=false&snippets=false"
        ))
        .await;
    assert_eq!(status, 200, "{} search during reindex: {page}", app.backend);
    page["total"].as_u64().expect("total")
}

async fn reindex_while_serving(app: &TestApp) {
    let body: String = (0..IMPORTED)
        .map(|i| {
            format!(
                "{}\n",
                json!({"id": format!("test:reindex-{i}"), "title": format!("Fictional judgment {i}"),
                    "court": "Fictional Basic Court", "date": "2024-05-01", "lang": "en",
                    "text": format!("reindexmark fictional judgment {i} on the segregation of pupils in schools. {}",
                        "The court heard the parties and the witnesses. ".repeat(200))})
            )
        })
        .collect();
    let response = app.import_rulings(body).await;
    assert_eq!(response.status().as_u16(), 200);
    app.search_until("q=reindexmark&limit=1&facets=false&snippets=false", |p| {
        p["total"].as_u64() == Some(IMPORTED)
    })
    .await;
    let before = app.state.search.generation().expect("generation");

    let unique = uuid::Uuid::now_v7().simple().to_string();
    let data_dir = std::env::temp_dir().join(format!("courtwatch-reindex-{unique}"));
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(&data_dir)
        .arg("--index-dir")
        .arg(&app.index_dir)
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .arg("reindex")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("courtwatch reindex");

    // Search and write until the rebuild is done.
    let mut searches = 0;
    let mut written = Vec::new();
    let status = loop {
        if let Some(status) = child.try_wait().expect("reindex status") {
            break status;
        }
        assert!(total(app, "reindexmark").await >= IMPORTED);
        searches += 1;
        if searches % 4 == 1 {
            let (status, ruling): (u16, Value) = app
                .post(
                    "/rulings",
                    &json!({"external_id": format!("test:during-{}", written.len()), "title": "Written during reindex (fictional)",
                        "court_name": "Fictional Basic Court", "jurisdiction": "ME", "language": "en", "full_text": "duringmark reindexmark a fictional ruling written while the index was rebuilt",
                        "outcome": "claim_upheld"}),
                )
                .await;
            assert_eq!(status, 201, "{ruling}");
            written.push(ruling["id"].as_str().expect("id").to_string());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let output = child.wait_with_output().expect("reindex output");
    assert!(
        status.success(),
        "reindex failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(searches > 0, "the rebuild finished before any search ran");

    // The server switches to the new generation, and everything written meanwhile is in it.
    let deadline = Instant::now() + Duration::from_secs(10);
    while app.state.search.generation().as_deref() == Some(before.as_str()) {
        assert!(
            Instant::now() < deadline,
            "{}: the server did not switch to the rebuilt index",
            app.backend
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let expected = IMPORTED + written.len() as u64;
    let page = app
        .search_until("q=reindexmark&limit=1&facets=false&snippets=false", |p| {
            p["total"].as_u64() == Some(expected)
        })
        .await;
    assert_eq!(page["total"].as_u64(), Some(expected), "{}", app.backend);
    let page = app
        .search_until("q=duringmark&limit=100&facets=false&snippets=false", |p| {
            p["total"].as_u64() == Some(written.len() as u64)
        })
        .await;
    let mut found: Vec<String> = page["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_string())
        .collect();
    found.sort();
    written.sort();
    assert_eq!(found, written, "{}", app.backend);
    // Only the serving generation is left on disk once the old one is released.
    let generations = || {
        std::fs::read_dir(&app.index_dir)
            .expect("index dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("g-"))
            .count()
    };
    // The old generation is deleted after the switch; a deletion that fails (the old writer's
    // threads still finishing) is retried by the indexer every round until it succeeds.
    let deadline = Instant::now() + Duration::from_secs(30);
    while generations() > 1 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(generations(), 1, "{}: old generations left", app.backend);
    let _ = std::fs::remove_dir_all(&data_dir);
}
on_each_backend!(
    reindex_while_serving_loses_nothing_on_each_backend,
    reindex_while_serving
);

/// An index written by another courtwatch version (another format) is not patched in place: the
/// service builds a new generation from the database beside it and switches to it, so nothing the
/// old version indexed (here a document that is not in the database) survives.
async fn older_index_format_is_rebuilt(app: &TestApp) {
    let (case, _court) = app.case("ME", "P 1/26", &["ethnicity"]).await;
    let dir = app.index_dir.with_extension("old-format");
    let store = courtwatch_indexer::IndexStore::new(&dir);
    let (old_generation, old) = store.open_current().expect("old index");
    old.upsert(&courtwatch_indexer::IndexDoc {
        kind: courtwatch_indexer::Kind::Ruling,
        id: "ghost".into(),
        case_id: None,
        title: "Fictional ghost ruling".into(),
        body: "formatghost only in the old index".into(),
        court_id: None,
        court_name: None,
        jurisdiction: None,
        grounds: Vec::new(),
        proceeding_type: None,
        outcome: None,
        language: None,
        date: None,
        visibility: courtwatch_indexer::Visibility::Public,
    })
    .expect("upsert");
    old.commit("courtwatch-index-1").expect("commit");
    drop(old);

    let search = courtwatch_api::search::Search::open(&dir).expect("open");
    let db = &app.state.db;
    let methodology = app.state.methodology;
    for _ in 0..2 {
        courtwatch_api::search::sync::step(db, methodology, &search)
            .await
            .expect("step");
    }
    let generation = search.generation().expect("generation");
    assert_ne!(generation, old_generation, "{}: not rebuilt", app.backend);
    let index = search.index().expect("index");
    assert_eq!(
        index.payload().expect("payload").as_deref(),
        Some(courtwatch_api::search::sync::INDEX_FORMAT)
    );
    let keys = index.keys().expect("keys");
    assert!(
        keys.iter().any(|k| k.contains(&case)),
        "{}: the case is missing from the rebuilt index: {keys:?}",
        app.backend
    );
    assert!(
        !keys.iter().any(|k| k.contains("ghost")),
        "{}: the old index's document survived",
        app.backend
    );
    drop(index);
    drop(search);
    let _ = std::fs::remove_dir_all(&dir);
}

on_each_backend!(
    older_index_format_is_rebuilt_on_each_backend,
    older_index_format_is_rebuilt
);
