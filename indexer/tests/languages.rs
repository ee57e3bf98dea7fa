#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is a test failure"
)]

//! Each document stemmed in its language, a query in all of them (issue 24), on a real tantivy
//! index. All texts are fictional.

use chrono::NaiveDate;
use courtwatch_indexer::{
    Filters, IndexDoc, Kind, SearchIndex, SearchRequest, Sort, Viewer, Visibility,
};

fn doc(id: &str, language: Option<&str>, court: &str, body: &str) -> IndexDoc {
    IndexDoc {
        kind: Kind::Ruling,
        id: id.into(),
        case_id: None,
        title: format!("Test {id}"),
        body: body.into(),
        court_id: None,
        court_name: Some(court.into()),
        jurisdiction: None,
        grounds: vec![],
        proceeding_type: None,
        outcome: None,
        language: language.map(Into::into),
        date: NaiveDate::from_ymd_opt(2021, 3, 4),
        visibility: Visibility::Public,
    }
}

fn index() -> (tempfile::TempDir, SearchIndex) {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path()).unwrap();
    for d in [
        doc(
            "montenegrin",
            Some("sr-Latn-ME"),
            "Osnovni sud u Podgorici",
            "Osnovni sud u Podgorici donio je presudu. Presudom je utvrđeno da je okrivljeni \
             izgovorio riječi govora mržnje prema Romima. Ročište je trajalo jedan čas.",
        ),
        doc(
            "cyrillic",
            Some("sr-Cyrl"),
            "Основни суд у Никшићу",
            "Основни суд у Никшићу донио је пресуду о дискриминацији.",
        ),
        doc(
            "albanian",
            Some("sq"),
            "Gjykata Themelore në Prishtinë",
            "Gjykata Themelore në Prishtinë vendosi se nxënësit romë u ndanë. Vendimi i \
             gjykatës konstatoi diskriminimin e tyre.",
        ),
        // No language given: the observation's text says it is Albanian.
        IndexDoc {
            kind: Kind::Observation,
            ..doc(
                "note",
                None,
                "Gjykata Themelore në Prizren",
                "Monitori vuri re se gjykatat nuk e kanë përkthyer seancën për palët dhe se \
                 kjo është diskriminim.",
            )
        },
        doc(
            "english",
            Some("en"),
            "High Court",
            "The Roma community brought cases before the court on the judgment.",
        ),
    ] {
        index.upsert(&d).unwrap();
    }
    index.commit("test").unwrap();
    (dir, index)
}

fn found(index: &SearchIndex, query: &str, exact: bool) -> Vec<String> {
    let request = SearchRequest {
        query: query.into(),
        exact,
        filters: Filters::default(),
        viewer: Viewer::default(),
        sort: Sort::Relevance,
        limit: 50,
        cursor: None,
        facets: false,
        snippets: false,
    };
    let mut ids: Vec<String> = index
        .search(&request)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    ids.sort();
    ids
}

#[test]
fn serbian_forms_are_found_by_any_form_script_or_spelling() {
    let (_dir, index) = index();
    for query in ["Podgorica", "court:Podgorica", "PODGORICA", "Подгорица"] {
        assert_eq!(found(&index, query, false), vec!["montenegrin"], "{query}");
    }
    for query in ["presuda", "presude", "пресуда", "ПРЕСУДЕ"] {
        assert_eq!(
            found(&index, query, false),
            vec!["cyrillic", "montenegrin"],
            "{query}"
        );
    }
    assert_eq!(found(&index, "mrznja", false), vec!["montenegrin"]);
    assert_eq!(
        found(&index, "\"govor mrznje\"", false),
        vec!["montenegrin"]
    );
    assert_eq!(
        found(&index, "\"govora mržnja\"", false),
        vec!["montenegrin"]
    );
    assert_eq!(found(&index, "Nikšić", false), vec!["cyrillic"]);
}

#[test]
fn albanian_nouns_are_found_by_their_other_forms() {
    let (_dir, index) = index();
    for query in ["Prishtina", "Prishtinës", "prishtines", "court:Prishtina"] {
        assert_eq!(found(&index, query, false), vec!["albanian"], "{query}");
    }
    // gjykatës (text), Gjykata (court, text), gjykatat (the undeclared note).
    for query in ["gjykata", "gjykatave", "gjykates"] {
        assert_eq!(
            found(&index, query, false),
            vec!["albanian", "note"],
            "{query}"
        );
    }
    assert_eq!(found(&index, "vendimet", false), vec!["albanian"]);
    assert_eq!(
        found(&index, "diskriminimi", false),
        vec!["albanian", "note"]
    );
}

#[test]
fn exact_mode_turns_the_stemming_off() {
    let (_dir, index) = index();
    assert!(found(&index, "presuda", true).is_empty());
    assert_eq!(
        found(&index, "presudu", true),
        vec!["cyrillic", "montenegrin"]
    );
    assert!(found(&index, "Podgorica", true).is_empty());
    assert!(found(&index, "court:Podgorica", true).is_empty());
    assert!(found(&index, "gjykatave", true).is_empty());
    assert_eq!(found(&index, "gjykatat", true), vec!["note"]);
    // Folding and transliteration stay on: they are spelling, not morphology.
    assert_eq!(
        found(&index, "пресуду", true),
        vec!["cyrillic", "montenegrin"]
    );
}

#[test]
fn a_stem_of_one_language_matches_only_documents_of_that_language() {
    let (_dir, index) = index();
    // "Romi" is Serbian: its Serbian stem `rom` reaches "Romima" in the Montenegrin judgment,
    // and its Albanian stem `rom` "romë" in the Albanian one (both right), never "Roma" in the
    // English one (whose English stem is `roma`).
    assert_eq!(
        found(&index, "Romi", false),
        vec!["albanian", "montenegrin"]
    );
    // The price of a query without a language: the English "case" has the Serbian stem `cas`,
    // which is also that of "čas" (an hour) in the Montenegrin judgment. It never reaches an
    // Albanian or French document through a Serbian stem, nor an English one through "čas".
    assert_eq!(found(&index, "case", false), vec!["english", "montenegrin"]);
    assert_eq!(found(&index, "čas", false), vec!["montenegrin"]);
}

#[test]
fn inflected_forms_are_highlighted_in_the_text_s_language() {
    let (_dir, index) = index();
    let text = "Osnovni sud u Podgorici donio je presudu.";
    let ranges = index
        .match_ranges("Podgorica presuda", false, text, Some("sr-Latn-ME"))
        .unwrap();
    let words: Vec<&str> = ranges.iter().map(|&(a, b)| &text[a..b]).collect();
    assert_eq!(words, vec!["Podgorici", "presudu"]);
    // In exact mode, nothing of those forms.
    assert!(
        index
            .match_ranges("Podgorica presuda", true, text, Some("sr-Latn-ME"))
            .unwrap()
            .is_empty()
    );
    // Snippets mark the inflected forms too.
    let request = SearchRequest {
        query: "gjykata".into(),
        exact: false,
        filters: Filters::default(),
        viewer: Viewer::default(),
        sort: Sort::Relevance,
        limit: 10,
        cursor: None,
        facets: false,
        snippets: true,
    };
    let results = index.search(&request).unwrap();
    let albanian = results.hits.iter().find(|h| h.id == "albanian").unwrap();
    let snippets = albanian.snippets.join(" ");
    assert!(snippets.contains("<mark>gjykatës</mark>"), "{snippets}");
}
