//! Protecting people: a published case's sensitive terms appear nowhere a researcher can reach —
//! API reads and lists, search (queries, hits, snippets, facets), every dataset, statistics — in
//! any spelling, script or inflection; identifying numbers and e-mail addresses are masked too;
//! the recording organisation still sees what it wrote.
//!
//! Every name here is invented for the test (fictional).

use courtwatch_tests::{TestApp, on_each_backend};
use reqwest::Method;
use serde_json::{Value, json};

/// The fictional victim (Albanian spelling) and witness (Serbian spelling).
const VICTIM: &str = "Dritëron Qerkezi";
const WITNESS: &str = "Vukašin Đurđelović";

/// Spellings of the fictional people and their details that must never reach a researcher.
const FORBIDDEN: &[&str] = &[
    "dritëron",
    "driteron",
    "qerkez",
    "vukašin",
    "vukasin",
    "вукашин",
    "đurđelović",
    "djurdjelovic",
    "durdelovic",
    "ђурђеловић",
    "0101990710006",
    "044/123-456",
    "+383 44 987 654",
    "d.q@example.org",
    "lulëve",
    "luleve",
];

/// The notes a monitor wrote, with the people in several spellings and inflections.
fn notes() -> String {
    "Fictional notes. Judge asked Qerkezit about the incident; Dritëroni answered in Albanian. \
     The witness Vukasin Djurdjelovic was late; the prosecutor called Ђурђеловића twice and \
     spoke with Đurđelovićem. Contact: d.q@example.org, 044/123-456, +383 44 987 654. \
     JMBG 0101990710006. Lives at Rruga e Luleve 7."
        .to_owned()
}

fn assert_clean(path: &str, status: u16, body: &str, backend: &str) {
    assert_eq!(status, 200, "{path} ({backend}): {body}");
    let lower = body.to_lowercase();
    for secret in FORBIDDEN {
        assert!(
            !lower.contains(&secret.to_lowercase()),
            "{path} ({backend}) shows {secret:?}: {body}"
        );
    }
}

async fn published_names_never_reach_researchers(app: &TestApp) {
    let researcher = app.user("researcher", "Other Coalition (fictional)").await;
    let court = app.court("Basic Court Redaction (fictional)", "RS").await;
    let (status, case) = app
        .post(
            "/cases",
            &json!({"court_id": court, "case_number": "K 77/26", "title": format!("Assault on {VICTIM}"),
                "proceeding_type": "criminal_hate_aggravation", "grounds": ["ethnicity"],
                "summary": format!("Fictional: {VICTIM} was attacked; {WITNESS} saw it."),
                "answers": {"criminal_provision": format!("RS CC 54a, complaint of {WITNESS}"),
                    "selection_reasons": ["vulnerable_group"]}}),
        )
        .await;
    assert_eq!(status, 201, "{case}");
    let case_id = case["id"].as_str().expect("id").to_owned();
    let (status, party) = app
        .post(
            "/parties",
            &json!({"case_id": case_id, "role": "victim", "kind": "natural_person",
                "pseudonym": "Victim A", "characteristics": ["ethnicity"], "representation": "ngo_lawyer"}),
        )
        .await;
    assert_eq!(status, 201, "{party}");
    let party_id = party["id"].as_str().expect("id").to_owned();
    let terms_path = format!("/cases/{case_id}/sensitive-terms");

    // Bad lists are refused whole, naming each problem.
    let (status, problem) = app
        .put(
            &terms_path,
            &json!({"terms": [{"term": "Jo", "kind": "name"},
                              {"term": VICTIM, "kind": "name", "party_id": "no-such-party"},
                              {"term": "Driteron Qerkezi", "kind": "name"}]}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let problems = problem["errors"].to_string();
    for field in ["terms[0].term", "terms[1].party_id", "terms[2].term"] {
        assert!(problems.contains(field), "{field} not named: {problem}");
    }
    let (_, stored) = app.get(&terms_path).await;
    assert_eq!(stored["terms"], json!([]), "nothing partial stored");

    let terms = json!({"terms": [
        {"term": VICTIM, "kind": "name", "party_id": party_id},
        {"term": WITNESS, "kind": "name"},
        {"term": "0101990710006", "kind": "id_number"},
        {"term": "Rruga e Lulëve 7", "kind": "address"}]});
    let (status, body) = app.put(&terms_path, &terms).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.get(&terms_path).await;
    assert_eq!((status, &body["terms"]), (200, &terms["terms"]), "{body}");

    let hearing_id = app.hearing(&case_id).await;
    let answers = json!({"public_admitted": "yes", "public_excluded": "no", "grounds_discussed": "no",
        "hate_speech_in_courtroom": "no", "hostile_groups_present": "no", "interpreter_needed": "no",
        "duration_minutes": 30, "persons_present": ["judge"]});
    let (status, observation) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing_id, "notes": notes(), "answers": answers, "status": "submitted"}),
        )
        .await;
    assert_eq!(status, 201, "{observation}");
    let observation_id = observation["id"].as_str().expect("id").to_owned();
    let (status, ruling) = app
        .post(
            "/rulings",
            &json!({"case_id": case_id, "title": format!("Judgment in the case of {VICTIM}"), "language": "sr",
                "full_text": format!("Fictional judgment. Optuženi je napao oštećenog {WITNESS}a? Ne: oštećeni je Qerkezi, \
                                      svedok Ђурђеловић (JMBG 0101990710006). Presuda se dostavlja Dritëronu Qerkeziju."),
                "outcome": "conviction", "instance": "first"}),
        )
        .await;
    assert_eq!(status, 201, "{ruling}");
    let ruling_id = ruling["id"].as_str().expect("id").to_owned();

    app.publish(&format!("/cases/{case_id}")).await;
    let reviewer = app.reviewer_token.clone();
    for path in [
        format!("/observations/{observation_id}/review"),
        format!("/rulings/{ruling_id}/review"),
    ] {
        let (_, _) = app
            .call(
                Method::POST,
                &path,
                Some(&app.token),
                Some(&json!({"action": "submit"})),
            )
            .await;
        let (status, body) = app
            .call(
                Method::POST,
                &path,
                Some(&reviewer),
                Some(&json!({"action": "publish"})),
            )
            .await;
        assert_eq!(status, 200, "{path}: {body}");
    }

    // The recording organisation sees what it wrote, unchanged.
    let (_, seen) = app.get(&format!("/observations/{observation_id}")).await;
    assert_eq!(seen["notes"], notes());
    let (_, seen) = app.get(&format!("/cases/{case_id}")).await;
    assert!(seen["summary"].as_str().expect("summary").contains(VICTIM));

    // Wait until search has the published documents (found by a word that is not a name).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let (_, body) = app
            .get_text_as(&researcher, "/search?q=fictional&limit=100")
            .await;
        let page: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let found: Vec<&str> = page["hits"]
            .as_array()
            .map(|h| h.iter().filter_map(|h| h["id"].as_str()).collect())
            .unwrap_or_default();
        if [&case_id, &observation_id, &ruling_id]
            .iter()
            .all(|id| found.contains(&id.as_str()))
        {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "published documents never searchable ({}): {body}",
            app.backend
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // Every route a researcher has.
    let mut routes = vec![
        format!("/cases/{case_id}"),
        "/cases?limit=500".to_owned(),
        format!("/parties/{party_id}"),
        format!("/parties?case_id={case_id}"),
        format!("/hearings/{hearing_id}"),
        "/hearings?limit=500".to_owned(),
        format!("/observations/{observation_id}"),
        "/observations?limit=500".to_owned(),
        format!("/rulings/{ruling_id}"),
        "/rulings?limit=500".to_owned(),
        "/search?q=fictional&limit=100".to_owned(),
        "/search?q=judge%20witness%20contact&limit=100".to_owned(),
        "/search?q=fictional&kind=observation&exact=true".to_owned(),
        "/datasets/cases.csv".to_owned(),
        "/datasets/parties.csv".to_owned(),
        "/datasets/hearings.csv".to_owned(),
        "/datasets/observations.csv".to_owned(),
        "/datasets/rulings.csv?full_text=true".to_owned(),
        "/datasets/observations.csv?q=fictional".to_owned(),
        "/datasets/codebook.csv".to_owned(),
        "/datasets/codebook.json".to_owned(),
        "/datasets/datapackage.json".to_owned(),
        // The whole release as one zip (stored, so its text is there to read).
        "/datasets/package.zip?full_text=true&labels=sq".to_owned(),
        "/stats/cases".to_owned(),
        "/stats/hearings".to_owned(),
        "/stats/durations".to_owned(),
        // The report forms of the statistics: labelled, and as CSV tables.
        "/stats/cases?labels=sr&format=csv".to_owned(),
        "/stats/hearings?labels=sq&format=csv".to_owned(),
        "/stats/crosstab?question=hate_speech_by&by=jurisdiction&labels=en&format=csv".to_owned(),
        "/stats/crosstab?question=judge_reaction&by=ground&labels=sr".to_owned(),
    ];
    // Searching for a term, in any spelling or script, finds nothing.
    let queries = [
        "Qerkezi",
        "Qerkezit",
        "Driteron",
        "Dritëron",
        "\"Driteron Qerkezi\"",
        "Djurdjelovic",
        "Durdelovic",
        "Đurđelović",
        "Ђурђеловић",
        "Vukašin",
        "Вукашин",
        "0101990710006",
        "Luleve",
        "Qerk*",
        "Đurđ*",
    ];
    for q in queries {
        let (status, body) = app
            .get_text_as(&researcher, &format!("/search?q={q}"))
            .await;
        assert_eq!(status, 200, "{q}: {body}");
        let page: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(page["total"], 0, "{q} found ({}): {body}", app.backend);
        routes.push(format!("/search?q={q}"));
    }
    for path in &routes {
        let (status, body) = app.get_text_as(&researcher, path).await;
        assert_clean(path, status, &body, app.backend);
    }
    // The same through the web pages a researcher opens: search (each spelling finds nothing),
    // its downloads, the ruling, the case file.
    let email = app
        .person(
            "Web Researcher (fictional)",
            "Other Coalition (fictional)",
            "researcher",
            "web.researcher@example.org",
            "a fictional passphrase",
        )
        .await;
    let cookie = app.web_session(&email, "a fictional passphrase").await;
    let pages = vec![
        "/search?q=fictional".to_owned(),
        "/search?q=judge+witness+contact&kind=observation".to_owned(),
        "/search?q=fictional&exact=1&sort=date_asc".to_owned(),
        "/search/observations.csv?q=fictional".to_owned(),
        "/search/rulings.csv?q=fictional&bom=1&labels=sr".to_owned(),
        "/search/cases.csv?q=fictional&labels=sq".to_owned(),
        format!("/library/rulings/{ruling_id}?q=judgment"),
        format!("/library/cases/{case_id}"),
        "/statistics?question=judge_reaction&by=ground".to_owned(),
        "/statistics/figures/crosstab.csv?question=hate_speech_in_courtroom&by=jurisdiction"
            .to_owned(),
        "/datasets/package.zip?full_text=1".to_owned(),
        "/datasets/files/observations.csv?labels=sr".to_owned(),
    ];
    for q in queries {
        let (status, body) = app.page(&cookie, &format!("/search?q={q}")).await;
        assert_eq!(status, 200, "{q}: {body}");
        assert!(
            body.contains("Nothing matches this search."),
            "{q} found on the search page ({}): {body}",
            app.backend
        );
        // The ruling read with the spelling as the search's terms: its text highlights nothing
        // of the name (the page repeats the query itself, in its links, which is taken out).
        let path = format!("/library/rulings/{ruling_id}?q={q}");
        let (status, body) = app.page(&cookie, &path).await;
        let encoded: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
        let escaped = q.replace('"', "&#34;");
        let body = body
            .replace(&encoded, "")
            .replace(&escaped, "")
            .replace(q, "");
        assert!(
            !body.contains("<mark id=\"m1\""),
            "{path}: a name is highlighted"
        );
        assert_clean(&path, status, &body, app.backend);
    }
    for path in &pages {
        let (status, body) = app.page(&cookie, path).await;
        assert_clean(path, status, &body, app.backend);
    }
    // The feed of a saved search that matches the records (released, so it has entries).
    let feed = feed_of(app, &cookie, "q=fictional").await;
    let (status, body) = {
        let response = reqwest::get(&feed).await.expect("feed");
        (
            response.status().as_u16(),
            response.text().await.expect("feed"),
        )
    };
    assert!(body.contains("<entry>"), "the feed has entries: {body}");
    assert_clean(&feed, status, &body, app.backend);
    let (_, case_page) = app
        .page(&cookie, &format!("/library/cases/{case_id}"))
        .await;
    assert!(
        case_page.contains("Victim A") && case_page.contains("Observation by a monitor"),
        "the case file shows the pseudonym and the released observation: {case_page}"
    );

    // Replaced, not dropped: the pseudonym stands where the victim's name was, masks elsewhere.
    let (_, body) = app
        .get_text_as(&researcher, &format!("/observations/{observation_id}"))
        .await;
    let shown: Value = serde_json::from_str(&body).expect("json");
    let shown_notes = shown["notes"].as_str().expect("notes");
    for expected in [
        "Victim A",
        "[name]",
        "[e-mail]",
        "[phone]",
        "[id number]",
        "[address]",
    ] {
        assert!(
            shown_notes.contains(expected),
            "{expected} missing ({}): {shown_notes}",
            app.backend
        );
    }
    let (_, body) = app
        .get_text_as(&researcher, "/search?q=judge%20asked&kind=observation")
        .await;
    let page: Value = serde_json::from_str(&body).expect("json");
    assert!(
        page["hits"].to_string().contains("Victim A"),
        "snippet shows the pseudonym ({}): {page}",
        app.backend
    );

    // The terms themselves stay inside the organisation.
    let (status, _) = app.get_text_as(&researcher, &terms_path).await;
    assert_eq!(status, 403);

    // A new pseudonym reaches the index (the case's documents are rebuilt).
    let (status, body) = app
        .put(
            &format!("/parties/{party_id}"),
            &json!({"case_id": case_id, "role": "victim", "kind": "natural_person",
                "pseudonym": "Victim Alpha", "characteristics": ["ethnicity"], "representation": "ngo_lawyer"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let page = app
        .search_until("q=%22Victim%20Alpha%22&kind=observation", |p| {
            p["total"] == 1
        })
        .await;
    assert_eq!(page["total"], 1, "{page}");
}

on_each_backend!(
    published_names_never_reach_researchers_test,
    published_names_never_reach_researchers
);

/// Saves the search `query` through the pages signed in with `cookie`, makes its feed and returns
/// the feed's address.
async fn feed_of(app: &TestApp, cookie: &str, query: &str) -> String {
    let hidden = |html: &str, name: &str| -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = html
            .find(&marker)
            .map(|i| i + marker.len())
            .expect("hidden field");
        html[start..start + html[start..].find('"').expect("end")].to_owned()
    };
    let (_, html) = app.page(cookie, &format!("/search?{query}")).await;
    let csrf = hidden(&html, "csrf");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let post = |path: String, form: Vec<(&'static str, String)>| {
        client
            .post(format!("{}{path}", app.base))
            .header(reqwest::header::COOKIE, cookie)
            .header(reqwest::header::ORIGIN, app.base.clone())
            .form(&form)
            .send()
    };
    let response = post(
        "/saved-searches".into(),
        vec![
            ("csrf", csrf.clone()),
            ("name", "Leak test".into()),
            ("query", query.into()),
        ],
    )
    .await
    .expect("save");
    assert_eq!(response.status().as_u16(), 303);
    let (_, html) = app.page(cookie, "/saved-searches").await;
    let start = html
        .find("action=\"/saved-searches/")
        .expect("a saved search")
        + 8;
    let action = &html[start..start + html[start..].find('"').expect("end")];
    assert!(action.ends_with("/feed"), "{action}");
    let response = post(action.to_owned(), vec![("csrf", csrf)])
        .await
        .expect("feed");
    let html = response.text().await.expect("page");
    let start = html
        .find("<code id=\"feed-url\">")
        .expect("the feed address")
        + 20;
    html[start..start + html[start..].find('<').expect("end")].to_owned()
}
