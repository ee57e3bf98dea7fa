//! The legal glossary (issue 24): every term is found by the analyser of its language, and "also
//! in the other languages" finds a concept's documents in every language, over HTTP too. Texts
//! are fictional.

use std::collections::BTreeSet;

use courtwatch_indexer::{
    Filters, IndexDoc, Kind, SearchIndex, SearchRequest, Sort, Viewer, Visibility,
};
use courtwatch_methodology::glossary::Glossary;
use courtwatch_tests::{TestApp, on_each_backend};
use serde_json::{Value, json};

fn tag(language: &str) -> &'static str {
    match language {
        "en" => "en",
        "sq" => "sq",
        _ => "sr-Latn-ME",
    }
}

fn found(index: &SearchIndex, query: &str) -> BTreeSet<String> {
    let request = SearchRequest {
        query: query.into(),
        exact: false,
        filters: Filters::default(),
        viewer: Viewer::default(),
        sort: Sort::Relevance,
        limit: 1000,
        cursor: None,
        facets: false,
        snippets: false,
    };
    let results = index.search(&request).expect("search");
    results.hits.into_iter().map(|h| h.id).collect()
}

#[test]
fn every_term_is_found_by_its_language_s_analyser_and_through_its_concept() {
    let glossary = Glossary::published();
    let dir = std::env::temp_dir().join(format!("courtwatch-glossary-{}", std::process::id()));
    let index = SearchIndex::open(&dir).expect("index");
    let mut docs_of = Vec::new();
    for concept in &glossary.concepts {
        let mut ids = BTreeSet::new();
        for (n, (language, term)) in concept.terms.iter().enumerate() {
            let id = format!("{}-{n}", concept.id);
            index
                .upsert(&IndexDoc {
                    kind: Kind::Ruling,
                    id: id.clone(),
                    case_id: None,
                    title: "Fictional".into(),
                    body: format!("Fictional text: {term}."),
                    court_id: None,
                    court_name: None,
                    jurisdiction: None,
                    grounds: vec![],
                    proceeding_type: None,
                    outcome: None,
                    language: Some(tag(language).into()),
                    date: None,
                    visibility: Visibility::Public,
                })
                .expect("upsert");
            ids.insert(id);
        }
        docs_of.push(ids);
    }
    index.commit("test").expect("commit");
    let mut expanded = 0;
    for (concept, ids) in glossary.concepts.iter().zip(&docs_of) {
        for (n, (language, term)) in concept.terms.iter().enumerate() {
            let own = format!("{}-{n}", concept.id);
            let phrase = format!("\"{term}\"");
            assert!(
                found(&index, &phrase).contains(&own),
                "{}: '{term}' ({language}) is not found in its own document",
                concept.id
            );
            let e = courtwatch_api::services::search::expand(&phrase, false).expect("expand");
            let hits = found(&index, &e.query);
            let missing: Vec<&String> = ids.difference(&hits).collect();
            assert!(
                missing.is_empty(),
                "{}: '{term}' expanded to {} misses {missing:?}",
                concept.id,
                e.query
            );
            if !e.expansions.is_empty() {
                expanded += 1;
            }
        }
    }
    let terms: usize = glossary.concepts.iter().map(|c| c.terms.len()).sum();
    drop(index);
    std::fs::remove_dir_all(&dir).expect("remove the index");
    assert!(
        expanded * 10 >= terms * 9,
        "{expanded} of {terms} terms expand"
    );
}

async fn expansion_over_http_says_what_it_did(app: &TestApp) {
    let lines = [
        json!({"id": "gl:sq", "title": "Fictional A", "court": "Gjykata Themelore në Prizren", "date": "2021-01-02", "lang": "sq", "text": "Gjykata gjeti se deklarata ishte gjuhë e urrejtjes ndaj romëve."}),
        json!({"id": "gl:sr", "title": "Fictional B", "court": "Osnovni sud u Baru", "date": "2021-01-03", "lang": "sr-Latn-ME", "text": "Sud je utvrdio da je izjava bila govor mržnje prema Romima."}),
        json!({"id": "gl:en", "title": "Fictional C", "court": "High Court", "date": "2021-01-04", "lang": "en", "text": "The court found that the statement was hate speech against Roma."}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let response = app.import_rulings(body).await;
    assert_eq!(response.status(), 200);
    app.search_until("q=fictional", |p| p["total"] == 3).await;
    let titles = |page: &Value| -> Vec<String> {
        let mut t: Vec<String> = page["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| h["title"].as_str().expect("title").to_string())
            .collect();
        t.sort();
        t
    };
    let (status, plain) = app.get("/search?q=%22govor+mr%C5%BEnje%22").await;
    assert_eq!(status, 200, "{plain}");
    assert_eq!(titles(&plain), vec!["Fictional B"]);
    assert!(plain["expansion"].is_null(), "{plain}");
    let (status, page) = app
        .get("/search?q=%22govor+mr%C5%BEnje%22&expand=true")
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        titles(&page),
        vec!["Fictional A", "Fictional B", "Fictional C"]
    );
    let applied = &page["expansion"]["applied"][0];
    assert_eq!(applied["concept"], "hate-speech", "{page}");
    assert_eq!(applied["matched"], "govor mržnje");
    let added: Vec<&str> = applied["added"]
        .as_array()
        .expect("added")
        .iter()
        .map(|a| a["language"].as_str().expect("language"))
        .collect();
    assert_eq!(added, vec!["en", "sq"], "{page}");
    assert!(
        page["expansion"]["query"]
            .as_str()
            .expect("query")
            .contains("\"gjuhë e urrejtjes\""),
        "{page}"
    );
    // A query that is no term is run as typed, and says so.
    let (_, none) = app.get("/search?q=statement&expand=true").await;
    assert_eq!(none["expansion"]["applied"], json!([]), "{none}");
    assert_eq!(none["expansion"]["query"], "statement");
    // The glossary itself is public data.
    let response = app
        .client
        .get(app.api("/glossary"))
        .send()
        .await
        .expect("glossary");
    assert_eq!(response.status(), 200);
    let glossary: Value = response.json().await.expect("json");
    assert!(glossary["concepts"].as_array().expect("concepts").len() >= 100);
    // Inflected forms meet in every language (issue 24's "done means").
    for (query, title) in [
        ("Podgorica", None),
        ("romëve", Some("Fictional A")),
        ("Romi", Some("Fictional B")),
    ] {
        let (_, page) = app.get(&format!("/search?q={query}")).await;
        match title {
            Some(t) => assert!(titles(&page).contains(&t.to_string()), "{query}: {page}"),
            None => assert_eq!(page["total"], 0, "{query}: {page}"),
        }
    }
}
on_each_backend!(
    expansion_over_http_says_what_it_did_on_each_backend,
    expansion_over_http_says_what_it_did
);
