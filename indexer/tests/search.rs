#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure"
)]

//! The index end to end on a real tantivy index in a temporary directory. All texts are fictional.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use courtwatch_indexer::{
    Filters, IndexDoc, IndexError, Kind, SearchIndex, SearchRequest, Sort, UserError, Viewer,
    Visibility,
};

fn doc(kind: Kind, id: &str, title: &str, body: &str) -> IndexDoc {
    IndexDoc {
        kind,
        id: id.into(),
        case_id: None,
        title: title.into(),
        body: body.into(),
        court_id: None,
        court_name: Some("Osnovni sud u Podgorici".into()),
        jurisdiction: Some("ME".into()),
        grounds: vec![],
        proceeding_type: None,
        outcome: None,
        language: Some("sr-Latn-ME".into()),
        date: NaiveDate::from_ymd_opt(2020, 1, 1),
        visibility: Visibility::Public,
    }
}

/// A document written in English.
fn english_doc(kind: Kind, id: &str, title: &str, body: &str) -> IndexDoc {
    IndexDoc {
        language: Some("en".into()),
        ..doc(kind, id, title, body)
    }
}

fn request(query: &str) -> SearchRequest {
    SearchRequest {
        query: query.into(),
        exact: false,
        filters: Filters::default(),
        viewer: Viewer::default(),
        sort: Sort::Relevance,
        limit: 10,
        cursor: None,
        facets: false,
        snippets: false,
    }
}

fn ids(index: &SearchIndex, req: &SearchRequest) -> Vec<String> {
    index
        .search(req)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

fn sample() -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    let mut latin = doc(
        Kind::Ruling,
        "latin",
        "Presuda K 12/20",
        "Okrivljeni Đorđević, rođen u Nikšiću, izvršio je krivično djelo diskriminacije.",
    );
    latin.grounds = vec!["ethnicity".into()];
    index.upsert(&latin).unwrap();
    index
        .upsert(&doc(
            Kind::Ruling,
            "cyrillic",
            "Пресуда К 7/21",
            "Окривљени Ђорђевић је рођен у Београду; говор мржње према Ромима.",
        ))
        .unwrap();
    let mut english = doc(
        Kind::Ruling,
        "english",
        "Case of the fictional applicants v. Nowhere",
        "The applicants were discriminated against: Roma pupils were segregated in schools.",
    );
    english.language = Some("en".into());
    english.jurisdiction = None;
    english.date = NaiveDate::from_ymd_opt(2010, 5, 5);
    index.upsert(&english).unwrap();
    let mut draft = doc(
        Kind::Observation,
        "draft",
        "Hearing note",
        "Gjyqtari tha se diskriminimi i romëve nuk u provua; segregation alleged.",
    );
    draft.visibility = Visibility::Organisation("org-a".into());
    draft.language = Some("sq".into());
    draft.jurisdiction = Some("XK".into());
    index.upsert(&draft).unwrap();
    index.commit("test").unwrap();
    (dir, index)
}

#[test]
fn latin_cyrillic_and_undiacritised_queries_find_the_same_judgments() {
    let (_dir, index) = sample();
    let expected: BTreeSet<String> = ["latin", "cyrillic"].map(String::from).into();
    for query in ["Đorđević", "Djordjevic", "ЂОРЂЕВИЋ", "djordjević"] {
        let found: BTreeSet<String> = ids(&index, &request(query)).into_iter().collect();
        assert_eq!(found, expected, "query {query}");
    }
    assert_eq!(ids(&index, &request("rodjen Niksicu")), vec!["latin"]);
    assert_eq!(ids(&index, &request("\"говор мржње\"")), vec!["cyrillic"]);
    assert_eq!(ids(&index, &request("\"govor mrznje\"")), vec!["cyrillic"]);
}

#[test]
fn stemming_matches_inflections_and_exact_mode_does_not() {
    let (_dir, index) = sample();
    assert_eq!(ids(&index, &request("discrimination")), vec!["english"]);
    let mut exact = request("discrimination");
    exact.exact = true;
    assert!(ids(&index, &exact).is_empty());
    exact.query = "discriminated".into();
    assert_eq!(ids(&index, &exact), vec!["english"]);
    assert_eq!(ids(&index, &request("discrim*")), vec!["english"]);
    assert_eq!(ids(&index, &request("\"roma pupil\"")), vec!["english"]);
}

#[test]
fn stemmed_and_exact_phrases_on_the_one_indexed_copy() {
    let (_dir, index) = sample();
    let exact = |query: &str| {
        let mut r = request(query);
        r.exact = true;
        ids(&index, &r)
    };
    // "schools" is indexed as the word and its marked stem; "school" is its own stem.
    assert_eq!(ids(&index, &request("school")), vec!["english"]);
    assert!(exact("school").is_empty());
    assert_eq!(exact("schools"), vec!["english"]);
    // Phrases: stemmed at every position, or exactly as written.
    assert_eq!(
        ids(&index, &request("\"discriminating against\"")),
        vec!["english"]
    );
    assert_eq!(exact("\"discriminated against\""), vec!["english"]);
    assert!(exact("\"discriminating against\"").is_empty());
    assert!(exact("\"roma pupil\"").is_empty());
    assert_eq!(exact("\"roma pupils\""), vec!["english"]);
    // Words must still be adjacent: the marked stems take no position of their own.
    assert!(ids(&index, &request("\"pupils segregated\"")).is_empty());
    assert_eq!(
        ids(&index, &request("\"pupil were segregation\"")),
        vec!["english"]
    );
    // A position whose word occurs both as written and inflected ("pupil", "pupils"): either.
    index
        .upsert(&english_doc(
            Kind::Ruling,
            "singular",
            "t",
            "One Roma pupil was moved to another class.",
        ))
        .unwrap();
    index.commit("test").unwrap();
    let mut both = ids(&index, &request("\"roma pupil\""));
    both.sort();
    assert_eq!(both, vec!["english", "singular"]);
    let mut both = ids(&index, &request("\"roma pupils\""));
    both.sort();
    assert_eq!(both, vec!["english", "singular"]);
    assert_eq!(exact("\"roma pupil\""), vec!["singular"]);
    assert!(ids(&index, &request("\"pupil roma\"")).is_empty());
    // Many such positions: one regular-expression phrase instead of every combination.
    for (id, body) in [
        (
            "forms",
            "pupil pupils school schools class classes move moves",
        ),
        ("sequence", "Then a pupil school class moved elsewhere."),
    ] {
        index
            .upsert(&english_doc(Kind::Ruling, id, "t", body))
            .unwrap();
    }
    index.commit("test").unwrap();
    assert_eq!(
        ids(&index, &request("\"pupils schools classes moves\"")),
        vec!["sequence"]
    );
    assert!(exact("\"pupils schools classes moves\"").is_empty());
    assert!(ids(&index, &request("\"pupils classes schools moves\"")).is_empty());
    // Prefixes look at words as written, never at marked stems.
    let mut prefixed = exact("pupi*");
    prefixed.sort();
    assert_eq!(prefixed, vec!["english", "forms", "sequence", "singular"]);
    assert!(exact("upil*").is_empty());
    assert!(ids(&index, &request("discrimin*")).contains(&"english".to_string()));
    // A stemmed phrase's words are highlighted in their written forms.
    let mut snippets = request("\"discriminating against\"");
    snippets.snippets = true;
    let hit = &index.search(&snippets).unwrap().hits[0];
    assert!(
        hit.snippets[0].contains("<mark>discriminated</mark> <mark>against</mark>"),
        "{:?}",
        hit.snippets
    );
}

#[test]
fn drafts_are_found_only_by_their_organisation() {
    let (_dir, index) = sample();
    assert!(ids(&index, &request("segregation")).contains(&"english".to_string()));
    assert!(!ids(&index, &request("segregation")).contains(&"draft".to_string()));
    let mut own = request("segregation");
    own.viewer = Viewer {
        organisations: vec!["org-a".into()],
        everything: false,
    };
    assert!(ids(&index, &own).contains(&"draft".to_string()));
    let mut other = own.clone();
    other.viewer.organisations = vec!["org-b".into()];
    assert!(!ids(&index, &other).contains(&"draft".to_string()));
    let mut admin = other.clone();
    admin.viewer.everything = true;
    assert!(ids(&index, &admin).contains(&"draft".to_string()));
    // Facet counts do not reveal it either.
    let mut facets = request("");
    facets.facets = true;
    let results = index.search(&facets).unwrap();
    assert_eq!(results.total, 3);
    let kinds = &results.facets.unwrap()["kind"];
    assert!(kinds.iter().all(|f| f.value != "observation"));
}

#[test]
fn boolean_operators_fields_filters_and_facets() {
    let (_dir, index) = sample();
    assert_eq!(ids(&index, &request("djordjevic -beogradu")), vec!["latin"]);
    assert_eq!(
        ids(&index, &request("djordjevic NOT beogradu")),
        vec!["latin"]
    );
    let mut either: Vec<String> = ids(&index, &request("niksicu OR applicants"));
    either.sort();
    assert_eq!(either, vec!["english", "latin"]);
    let mut titled = ids(&index, &request("title:presuda lang:sr-Latn-ME"));
    titled.sort();
    assert_eq!(titled, vec!["cyrillic", "latin"]);
    assert_eq!(ids(&index, &request("ground:ethnicity")), vec!["latin"]);
    assert_eq!(
        ids(
            &index,
            &request("court:podgorici jurisdiction:me -djordjevic")
        ),
        Vec::<String>::new()
    );
    let mut filtered = request("");
    filtered.filters.languages = vec!["en".into()];
    assert_eq!(ids(&index, &filtered), vec!["english"]);
    filtered.filters = Filters {
        date_from: NaiveDate::from_ymd_opt(2015, 1, 1),
        ..Filters::default()
    };
    assert_eq!(index.search(&filtered).unwrap().total, 2);
    let mut facets = request("djordjevic");
    facets.facets = true;
    let facets = index.search(&facets).unwrap().facets.unwrap();
    assert_eq!(facets["jurisdiction"][0].value, "ME");
    assert_eq!(facets["jurisdiction"][0].count, 2);
    assert_eq!(facets["ground"].len(), 1);
}

#[test]
fn snippets_mark_the_matching_words_and_escape_html() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    index
        .upsert(&doc(
            Kind::Ruling,
            "x",
            "t",
            "Intro <script>. The judge ignored the hate speech. Much later text about hate again.",
        ))
        .unwrap();
    index.commit("t").unwrap();
    let mut req = request("hate");
    req.snippets = true;
    let hit = &index.search(&req).unwrap().hits[0];
    assert!(
        hit.snippets[0].contains("<mark>hate</mark>"),
        "{:?}",
        hit.snippets
    );
    assert!(hit.snippets.iter().all(|s| !s.contains("<script>")));
}

#[test]
fn snippets_of_every_hit_of_an_or_query_whatever_document_each_term_starts_at() {
    // Passages come from the terms' positions: a hit that comes before a term's first document
    // (or has only the other term) gets its own passage, and the text is read only to it.
    let (_dir, index) = sample();
    let mut req = request("diskriminacije OR Romima OR segregated");
    req.snippets = true;
    let results = index.search(&req).unwrap();
    assert_eq!(results.total, 3, "{:?}", results.hits);
    for hit in &results.hits {
        assert!(
            hit.snippets.first().is_some_and(|s| s.contains("<mark>")),
            "{}: {:?}",
            hit.id,
            hit.snippets
        );
    }
    let mut late = request("later again");
    late.snippets = true;
    let dir = tempfile::tempdir().unwrap();
    let long = SearchIndex::open(dir.path()).unwrap();
    long.upsert(&doc(
        Kind::Ruling,
        "long",
        "t",
        &format!("{} much later, and again", "word ".repeat(30_000)),
    ))
    .unwrap();
    long.commit("t").unwrap();
    let hit = &long.search(&late).unwrap().hits[0];
    assert!(
        hit.snippets[0].contains("<mark>later</mark>, and <mark>again</mark>"),
        "{:?}",
        hit.snippets
    );
}

#[test]
fn cursor_paging_visits_every_hit_once_without_a_cap() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    for i in 0..403 {
        // Many equal scores, so ties must be broken consistently.
        let mut d = doc(
            Kind::Ruling,
            &format!("r{i:03}"),
            "t",
            if i % 2 == 0 { "roma roma" } else { "roma" },
        );
        d.date = NaiveDate::from_ymd_opt(2000 + (i % 20), 1, 1);
        index.upsert(&d).unwrap();
        if i % 100 == 0 {
            index.commit("batch").unwrap(); // several segments
        }
    }
    index.commit("t").unwrap();
    for sort in [Sort::Relevance, Sort::DateDesc, Sort::DateAsc] {
        let mut req = request("roma");
        req.sort = sort;
        req.limit = 17;
        let mut seen = Vec::new();
        loop {
            let page = index.search(&req).unwrap();
            assert_eq!(page.total, 403);
            seen.extend(page.hits.iter().map(|h| (h.id.clone(), h.date, h.score)));
            match page.next_cursor {
                Some(c) => req.cursor = Some(c),
                None => break,
            }
        }
        let unique: BTreeSet<_> = seen.iter().map(|s| s.0.clone()).collect();
        assert_eq!(seen.len(), 403, "{sort:?}");
        assert_eq!(unique.len(), 403, "{sort:?}");
        match sort {
            Sort::DateDesc => assert!(seen.windows(2).all(|w| w[0].1 >= w[1].1)),
            Sort::DateAsc => assert!(seen.windows(2).all(|w| w[0].1 <= w[1].1)),
            Sort::Relevance => assert!(seen.windows(2).all(|w| w[0].2 >= w[1].2)),
        }
    }
}

#[test]
fn bad_queries_and_cursors_are_errors_not_guesses() {
    let (_dir, index) = sample();
    match index.search(&request("roma \"unclosed")) {
        Err(IndexError::User(UserError::Query(e))) => assert_eq!(e.column, 6),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        index.search(&request("—")),
        Err(IndexError::User(UserError::Unsearchable(_)))
    ));
    let mut req = request("djordjevic");
    req.limit = 1;
    let cursor = index.search(&req).unwrap().next_cursor.unwrap();
    req.query = "roma".into();
    req.cursor = Some(cursor);
    assert!(matches!(
        index.search(&req),
        Err(IndexError::User(UserError::Cursor(_)))
    ));
    req.cursor = Some("garbage!".into());
    assert!(matches!(
        index.search(&req),
        Err(IndexError::User(UserError::Cursor(_)))
    ));
}

#[test]
fn replacing_and_deleting_documents() {
    let (_dir, index) = sample();
    let mut changed = doc(Kind::Ruling, "latin", "Presuda", "sasvim drugi tekst");
    changed.language = Some("sr-Latn-ME".into());
    index.upsert(&changed).unwrap();
    index.commit("t").unwrap();
    assert!(ids(&index, &request("niksicu")).is_empty());
    assert_eq!(ids(&index, &request("drugi")), vec!["latin"]);
    index.delete(&changed.key());
    index.commit("t").unwrap();
    assert!(ids(&index, &request("drugi")).is_empty());
    assert_eq!(index.keys().unwrap().len(), 3);
}

#[test]
fn a_full_build_merges_into_one_segment_per_thread_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    index.pause_merging();
    // Eight commits make at least eight segments (one per indexing thread that had documents),
    // as the 24 MB commits of a real build do.
    for batch in 0..8 {
        for n in 0..25 {
            let id = format!("r{batch}-{n}");
            let body = format!("presuda broj {n} u predmetu diskriminacija serija{batch}");
            index
                .add_new(&doc(Kind::Ruling, &id, "Presuda", &body))
                .unwrap();
        }
        index.commit("building").unwrap();
    }
    assert!(index.segment_count() >= 8, "{}", index.segment_count());
    index.optimize().unwrap();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    assert!(
        index.segment_count() <= threads.min(2),
        "{} segments after the final merge",
        index.segment_count()
    );
    assert_eq!(index.num_docs(), 200);
    assert_eq!(index.keys().unwrap().len(), 200);
    let mut all = request("diskriminacija");
    all.limit = 100;
    assert_eq!(index.search(&all).unwrap().total, 200);
    assert_eq!(index.search(&request("serija3")).unwrap().total, 25);
    // After the build, an upsert still replaces the document it built.
    index
        .upsert(&doc(Kind::Ruling, "r3-0", "Presuda", "izmijenjen tekst"))
        .unwrap();
    index.commit("t").unwrap();
    assert_eq!(index.search(&request("serija3")).unwrap().total, 24);
    assert_eq!(index.num_docs(), 200);
}

/// A query that would cost too much is refused with the reason before any postings are read;
/// repeats are searched once; the same query within wider limits runs.
#[test]
fn costly_queries_are_refused_with_the_reason() {
    use courtwatch_indexer::QueryLimits;
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    // 300 words that begin with "ab", and 300 that begin with "cd".
    let body: String = (0..300).map(|i| format!("ab{i:03}x cd{i:03}y ")).collect();
    index
        .add_new(&doc(Kind::Ruling, "r1", "Fictional words", &body))
        .unwrap();
    index.commit("test").unwrap();
    let tight = QueryLimits {
        term_lookups: 40,
        prefix_terms: 500,
        phrase_words: 4,
        deduplicate: true,
    };
    let refused = |query: &str, needle: &str| {
        let err = index
            .search_within(&request(query), tight)
            .map(|r| r.total)
            .expect_err(query);
        assert!(
            matches!(err, IndexError::User(UserError::Unsearchable(_))),
            "{query}: {err}"
        );
        assert!(err.to_string().contains(needle), "{query}: {err}");
    };
    let accepted = |query: &str| {
        index
            .search_within(&request(query), tight)
            .unwrap_or_else(|e| panic!("{query}: {e}"))
            .total
    };
    // Each prefix alone fits (300 words each, counted in title and text), both together do not.
    assert_eq!(accepted("ab*"), 1);
    refused("ab* OR cd*", "'cd*' matches too many words");
    // The same prefix 250 times is one prefix.
    assert_eq!(accepted(&vec!["ab*"; 250].join(" OR ")), 1);
    // Too many distinct words; repeats of one word are one.
    let distinct: Vec<String> = (0..30).map(|i| format!("ab{i:03}x")).collect();
    refused(&distinct.join(" OR "), "more than 40 terms");
    assert_eq!(accepted(&vec!["ab001x"; 150].join(" OR ")), 1);
    // A phrase longer than allowed.
    refused("\"ab000x cd000y ab001x cd001y ab002x\"", "at most 4");
    assert_eq!(accepted("\"ab000x cd000y\""), 1);
    // The defaults accept all of these.
    assert_eq!(
        index.search(&request("ab* OR cd*")).unwrap().total,
        1,
        "default limits"
    );
}
