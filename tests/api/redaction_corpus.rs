//! The redaction corpus (`api/src/redact/corpus.rs`, one row per kind of spelling of issue 19 §5)
//! through a published case, checked on every way out a researcher has: the API read, search
//! (nothing found by the masked word, no snippet holds it) and the datasets. The ordinary words
//! beside them reach the researcher as written. And organisation-wide terms: a term marked so
//! masks the person in the organisation's other cases too, and only there.
//!
//! Every name here is invented for the test (fictional).

use courtwatch_api::redact::corpus::{MUST_KEEP, MUST_MASK, PATTERNS_KEEP, PATTERNS_MASK, TERMS};
use courtwatch_tests::{TestApp, on_each_backend};
use reqwest::Method;
use serde_json::{Value, json};

fn answers() -> Value {
    json!({"public_admitted": "yes", "public_excluded": "no", "grounds_discussed": "no",
        "hate_speech_in_courtroom": "no", "hostile_groups_present": "no", "interpreter_needed": "no",
        "duration_minutes": 30, "persons_present": ["judge"]})
}

/// A published observation with these notes in a published case; returns (case id, observation id).
async fn published_observation(
    app: &TestApp,
    case_number: &str,
    notes: &str,
    terms: &Value,
) -> (String, String) {
    let (case_id, _) = app.case("XK", case_number, &["ethnicity"]).await;
    let (status, party) = app
        .post(
            "/parties",
            &json!({"case_id": case_id, "role": "victim", "kind": "natural_person",
                "pseudonym": "Party A", "characteristics": ["ethnicity"], "representation": "ngo_lawyer"}),
        )
        .await;
    assert_eq!(status, 201, "{party}");
    let party_id = party["id"].as_str().expect("id");
    // A term that names a party gets that party's id.
    let terms: Vec<Value> = terms
        .as_array()
        .expect("terms")
        .iter()
        .map(|t| {
            let mut t = t.clone();
            if t["party_id"] == "PARTY" {
                t["party_id"] = json!(party_id);
            }
            t
        })
        .collect();
    let (status, body) = app
        .put(
            &format!("/cases/{case_id}/sensitive-terms"),
            &json!({ "terms": terms }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let hearing_id = app.hearing(&case_id).await;
    let (status, observation) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing_id, "notes": notes, "answers": answers(), "status": "submitted"}),
        )
        .await;
    assert_eq!(status, 201, "{observation}");
    let observation_id = observation["id"].as_str().expect("id").to_owned();
    app.publish(&format!("/cases/{case_id}")).await;
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/observations/{observation_id}/review"),
            Some(&app.reviewer_token),
            Some(&json!({"action": "publish"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    (case_id, observation_id)
}

/// Waits until the researcher's search for `query` finds (or no longer finds) the document.
async fn wait_for(app: &TestApp, token: &str, query: &str, id: &str, present: bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (_, body) = app
            .get_text_as(token, &format!("/search?q={query}&limit=100"))
            .await;
        if body.contains(id) == present {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "search for {query} ({}) never {} {id}: {body}",
            app.backend,
            if present { "found" } else { "stopped finding" }
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// `text` without the lines that must stay as written (a kept word may hold a masked row's
/// fragment: `Krasnodar`).
fn without_kept(text: &str) -> String {
    let mut out = text.to_owned();
    for kept in MUST_KEEP.iter().chain(PATTERNS_KEEP) {
        out = out.replace(kept, "");
    }
    out
}

/// Whether a masked row's fragment is part of a kept line (then a snippet may show it).
fn in_kept(fragment: &str) -> bool {
    MUST_KEEP
        .iter()
        .chain(PATTERNS_KEEP)
        .any(|k| k.contains(fragment))
}

fn query_word(word: &str) -> String {
    // The word as a researcher would type it, for the URL.
    url_escape(word.trim_matches(|c: char| !c.is_alphanumeric()))
}

fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn the_corpus_reaches_no_researcher(app: &TestApp) {
    let researcher = app.user("researcher", "Other Coalition (fictional)").await;
    let mut notes = String::from("Fictional corpus notes.\n");
    for (_, text, _) in MUST_MASK.iter().chain(PATTERNS_MASK) {
        notes.push_str(text);
        notes.push('\n');
    }
    for text in MUST_KEEP.iter().chain(PATTERNS_KEEP) {
        notes.push_str(text);
        notes.push('\n');
    }
    let terms: Vec<Value> = TERMS
        .iter()
        .map(|(term, kind, party)| {
            if *party {
                json!({"term": term, "kind": kind, "party_id": "PARTY"})
            } else {
                json!({"term": term, "kind": kind})
            }
        })
        .collect();
    let (_, observation_id) =
        published_observation(app, "K 19/26", &notes, &Value::Array(terms)).await;
    wait_for(app, &researcher, "fictional", &observation_id, true).await;

    // The read: every masked row's word is gone, every kept line is there as written.
    let (status, body) = app
        .get_text_as(&researcher, &format!("/observations/{observation_id}"))
        .await;
    assert_eq!(status, 200, "{body}");
    let shown: Value = serde_json::from_str(&body).expect("json");
    let shown = shown["notes"].as_str().expect("notes");
    let masked = without_kept(shown);
    for (category, text, gone) in MUST_MASK.iter().chain(PATTERNS_MASK) {
        assert!(
            !masked.contains(gone),
            "{category} ({}): {gone:?} of {text:?} reaches a researcher: {shown}",
            app.backend
        );
    }
    for text in MUST_KEEP.iter().chain(PATTERNS_KEEP) {
        assert!(
            shown.contains(text),
            "over-redacted ({}): {text:?} not in {shown}",
            app.backend
        );
    }

    // Search: the masked word finds nothing; snippets of a neighbouring word hold none of them.
    // In exact mode: the index must not hold the word as written. (Stemmed, "Kralja" rightly
    // finds the kept "Kralj" of the same text: Serbian stemming, not a leak.)
    for (category, _, gone) in MUST_MASK.iter().chain(PATTERNS_MASK) {
        let q = query_word(gone);
        if q.is_empty() || in_kept(gone) {
            continue;
        }
        let (status, body) = app
            .get_text_as(&researcher, &format!("/search?q={q}&exact=true&limit=100"))
            .await;
        assert_eq!(status, 200, "{q}: {body}");
        assert!(
            !body.contains(&observation_id),
            "{category} ({}): searching {gone:?} finds the record: {body}",
            app.backend
        );
    }
    let (_, page) = app
        .get_text_as(
            &researcher,
            "/search?q=testified%20OR%20jeton%20OR%20tel%20OR%20call&limit=100",
        )
        .await;
    // The hits' text (titles and snippets), not their ids: a random id may hold any digits.
    let page: Value = serde_json::from_str(&page).expect("json");
    let shown: Vec<String> = page["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .flat_map(|h| {
            let mut texts = vec![h["title"].to_string()];
            texts.extend(
                h["snippets"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(Value::to_string),
            );
            texts
        })
        .collect();
    assert!(
        shown.iter().any(|s| s.contains("testified")),
        "the snippets show the record: {page}"
    );
    let shown = shown.join("\n");
    for (category, _, gone) in MUST_MASK.iter().chain(PATTERNS_MASK) {
        assert!(
            in_kept(gone) || !shown.contains(gone),
            "{category} ({}): a snippet shows {gone:?}: {shown}",
            app.backend
        );
    }

    // Datasets.
    for path in [
        "/datasets/observations.csv",
        "/datasets/observations.csv?bom=true",
        "/datasets/observations.csv?q=fictional",
    ] {
        let (status, csv) = app.get_text_as(&researcher, path).await;
        assert_eq!(status, 200, "{path}: {csv}");
        assert!(
            csv.contains(&observation_id),
            "{path}: the record is exported"
        );
        // The notes cell (the notes hold no quote): ids and dates elsewhere may hold digits.
        let start = csv
            .find("Fictional corpus notes.")
            .expect("the notes are exported");
        let cell = csv[start..].split('"').next().unwrap_or_default();
        let csv = without_kept(cell);
        for (category, _, gone) in MUST_MASK.iter().chain(PATTERNS_MASK) {
            assert!(
                !csv.contains(gone),
                "{category} ({}): {path} holds {gone:?}",
                app.backend
            );
        }
    }
}
on_each_backend!(
    the_corpus_reaches_no_researcher_on_each_backend,
    the_corpus_reaches_no_researcher
);

/// The same fictional person in two cases of one organisation: marked organisation-wide in the
/// first, the term masks the second as well, in reads, search and datasets; unmarked, it stops.
/// Another organisation's case is not touched by it.
async fn organisation_wide_terms_cover_every_case_of_the_organisation(app: &TestApp) {
    let researcher = app.user("researcher", "Other Coalition (fictional)").await;
    let person = "Fatmire Zenelaj";
    let (first, _) = published_observation(
        app,
        "K 20/26",
        &format!("Fictional. {person} testified."),
        &json!([{"term": person, "kind": "name", "party_id": "PARTY", "organisation_wide": true}]),
    )
    .await;
    let (status, body) = app.get(&format!("/cases/{first}/sensitive-terms")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["terms"][0]["organisation_wide"], true, "{body}");
    let (_, second) = published_observation(
        app,
        "K 21/26",
        &format!("Fictional. The witness Zenelajt was asked about {person}."),
        &json!([]),
    )
    .await;
    wait_for(app, &researcher, "witness", &second, true).await;
    let (status, body) = app
        .get_text_as(&researcher, &format!("/observations/{second}"))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains("Zenelaj"), "{} read: {body}", app.backend);
    // In another case the party's pseudonym would name the wrong party: the kind's mask.
    assert!(body.contains("[name]"), "{body}");
    wait_for(app, &researcher, "Zenelaj", &second, false).await;
    let (_, csv) = app
        .get_text_as(&researcher, "/datasets/observations.csv")
        .await;
    assert!(!csv.contains("Zenelaj"), "{} dataset: {csv}", app.backend);

    // Unmarked: the second case shows the name again, and search finds it (re-indexed).
    let (status, body) = app
        .put(
            &format!("/cases/{first}/sensitive-terms"),
            &json!({"terms": [{"term": person, "kind": "name"}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    wait_for(app, &researcher, "Zenelaj", &second, true).await;
    let (_, body) = app
        .get_text_as(&researcher, &format!("/observations/{second}"))
        .await;
    assert!(
        body.contains(person),
        "{} after unmarking: {body}",
        app.backend
    );

    // Marked again: another organisation's case naming the same person is its own to protect.
    let other = app.user("monitor", "Other Monitors (fictional)").await;
    let (status, body) = app
        .put(
            &format!("/cases/{first}/sensitive-terms"),
            &json!({"terms": [{"term": person, "kind": "name", "organisation_wide": true}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let court = app.court("Basic Court Wide (fictional)", "XK").await;
    let (status, case) = app
        .call(
            Method::POST,
            "/cases",
            Some(&other),
            Some(&json!({"court_id": court, "case_number": "K 22/26", "title": format!("Fictional: {person}"),
                "proceeding_type": "civil_antidiscrimination", "grounds": ["ethnicity"],
                "answers": {"selection_reasons": ["public_interest"]}})),
        )
        .await;
    assert_eq!(status, 201, "{case}");
    let other_case = case["id"].as_str().expect("id");
    let other_coordinator = app.user("coordinator", "Other Monitors (fictional)").await;
    for (token, action) in [(&other, "submit"), (&other_coordinator, "publish")] {
        let (status, body) = app
            .call(
                Method::POST,
                &format!("/cases/{other_case}/review"),
                Some(token),
                Some(&json!({ "action": action })),
            )
            .await;
        assert_eq!(status, 200, "{action}: {body}");
    }
    let (status, body) = app
        .get_text_as(&researcher, &format!("/cases/{other_case}"))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains(person),
        "{}: one organisation's terms redact only its own records: {body}",
        app.backend
    );
}
on_each_backend!(
    organisation_wide_terms_cover_every_case_of_the_organisation_on_each_backend,
    organisation_wide_terms_cover_every_case_of_the_organisation
);
