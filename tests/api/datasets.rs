//! `/datasets`: streamed CSV exports and the codebook. Files are read back with the `csv` crate
//! (RFC 4180, as Python's csv module and pandas read them). Fictional data.

use courtwatch_methodology::{Registry, Scope};
use courtwatch_tests::{TestApp, on_each_backend};
use serde_json::{Value, json};

/// Notes with everything that breaks naive CSV: quotes, commas, line breaks, Cyrillic, a BOM-like
/// character, leading spaces.
const NOTES: &str =
    " The judge said \"enough\", twice;\nthen\r\nadjourned. Судија је прекинуо. \u{feff}";

async fn fetch(app: &TestApp, query: &str) -> (u16, String, String) {
    let response = app
        .client
        .get(app.api(&format!("/datasets/{query}")))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("get dataset");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, content_type, response.text().await.expect("body"))
}

fn parse(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("row").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn cell<'a>(header: &[String], row: &'a [String], column: &str) -> &'a str {
    let i = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    &row[i]
}

async fn observations_round_trip(app: &TestApp) {
    let (case_id, _) = app.case("ME", "P 77/26", &["roma_ashkali_egyptian"]).await;
    let hearing_id = app.hearing(&case_id).await;
    let answers = json!({
        "public_admitted": "yes", "public_excluded": "no", "grounds_discussed": "yes",
        "grounds_discussed_list": ["roma_ashkali_egyptian", "ethnicity"],
        "hate_speech_in_courtroom": "no", "hostile_groups_present": "no",
        "interpreter_needed": "no", "duration_minutes": 95,
        "persons_present": ["judge", "defendant", "public"]
    });
    let (status, submitted) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing_id, "answers": answers, "notes": NOTES, "status": "submitted"}),
        )
        .await;
    assert_eq!(status, 201, "{submitted}");
    let (status, draft) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing_id, "answers": {"public_admitted": "no"}, "notes": "draft"}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");

    let (status, content_type, text) = fetch(app, "observations.csv").await;
    assert_eq!(status, 200, "{}: {text}", app.backend);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    assert!(text.contains("\r\n"), "CRLF line ends");
    let (header, rows) = parse(&text);

    // Column order: fixed fields, then every observation question in methodology order, then times.
    let methodology = Registry::published().latest();
    let questions: Vec<&str> = methodology
        .questions_for(Scope::Observation)
        .map(|q| q.code.as_str())
        .collect();
    let fixed = [
        "observation_id",
        "hearing_id",
        "case_id",
        "methodology_version",
        "status",
        "submitted_at",
        "notes",
    ];
    let expected: Vec<&str> = fixed
        .iter()
        .copied()
        .chain(questions.iter().copied())
        .chain(["created_at", "updated_at"])
        .collect();
    assert_eq!(header, expected, "{}", app.backend);

    // Only the submitted observation; the draft stays out.
    assert_eq!(rows.len(), 1, "{}: {rows:?}", app.backend);
    let row = &rows[0];
    assert_eq!(cell(&header, row, "observation_id"), submitted["id"]);
    assert_eq!(cell(&header, row, "case_id"), case_id);
    assert_eq!(cell(&header, row, "hearing_id"), hearing_id);
    assert_eq!(
        cell(&header, row, "notes"),
        NOTES,
        "notes survive byte for byte"
    );
    assert_eq!(
        cell(&header, row, "grounds_discussed_list"),
        "roma_ashkali_egyptian|ethnicity"
    );
    assert_eq!(cell(&header, row, "duration_minutes"), "95");
    assert_eq!(cell(&header, row, "public_admitted"), "yes");
    // The hearing's own fields answer the field-bound questions.
    assert_eq!(cell(&header, row, "hearing_outcome"), "held");
    // Applies (interpreter_needed = no makes interpreter_provided inapplicable): not asked = NA.
    assert_eq!(cell(&header, row, "interpreter_provided"), "NA");
    // Applies but unanswered: empty.
    assert_eq!(cell(&header, row, "panel_complete"), "");

    // Labels instead of codes.
    let (status, _, text) = fetch(app, "observations.csv?labels=en").await;
    assert_eq!(status, 200);
    let (header, rows) = parse(&text);
    assert_eq!(cell(&header, &rows[0], "public_admitted"), "Yes");
    let (status, _, text) = fetch(app, "observations.csv?labels=sq").await;
    assert_eq!(status, 200);
    let (header, rows) = parse(&text);
    assert_eq!(cell(&header, &rows[0], "public_admitted"), "Po");

    // Excel: a byte-order mark first, the rest unchanged.
    let (_, _, with_bom) = fetch(app, "observations.csv?bom=true").await;
    let (_, _, plain) = fetch(app, "observations.csv").await;
    assert_eq!(with_bom.strip_prefix('\u{feff}'), Some(plain.as_str()));

    // Filters select by the case.
    let (_, _, other) = fetch(app, "observations.csv?jurisdiction=RS").await;
    assert_eq!(parse(&other).1.len(), 0, "{other}");
    let (_, _, same) = fetch(
        app,
        "observations.csv?jurisdiction=ME&ground=roma_ashkali_egyptian",
    )
    .await;
    assert_eq!(parse(&same).1.len(), 1);

    // Hearings link to the same case.
    let (status, _, text) = fetch(app, "hearings.csv").await;
    assert_eq!(status, 200);
    let (header, rows) = parse(&text);
    assert_eq!(rows.len(), 1);
    assert_eq!(cell(&header, &rows[0], "hearing_id"), hearing_id);
    assert_eq!(cell(&header, &rows[0], "case_id"), case_id);
}

async fn codebook_describes_every_column(app: &TestApp) {
    let (status, codebook) = app.get("/datasets/codebook.json").await;
    assert_eq!(status, 200, "{codebook}");
    let columns = codebook.as_array().expect("list");
    let (_, _, text) = fetch(app, "observations.csv").await;
    let (header, _) = parse(&text);
    let described: Vec<&str> = columns
        .iter()
        .filter(|c| c["file"] == "observations")
        .map(|c| c["column"].as_str().expect("column"))
        .collect();
    assert_eq!(described, header);
    let public_admitted = columns
        .iter()
        .find(|c| c["column"] == "public_admitted")
        .expect("question column");
    assert_eq!(public_admitted["answer_type"], "yes_no");
    assert_eq!(public_admitted["methodology_version"], 1);
    assert!(
        public_admitted["question_sr"]
            .as_str()
            .is_some_and(|q| !q.is_empty())
    );
    let codes: Vec<&Value> = public_admitted["codes"]
        .as_array()
        .expect("codes")
        .iter()
        .collect();
    assert!(codes.iter().any(|c| c["code"] == "yes" && c["sq"] == "Po"));
    let multi = columns
        .iter()
        .find(|c| c["column"] == "grounds_discussed_list")
        .expect("multi column");
    assert_eq!(multi["multiple"], true);
    assert!(multi["codes"].as_array().is_some_and(|c| c.len() > 5));

    let (status, content_type, text) = fetch(app, "codebook.csv").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/csv"));
    let (header, rows) = parse(&text);
    assert_eq!(header[0], "file");
    assert_eq!(rows.len(), columns.len());
}

async fn bad_requests_are_refused_before_streaming(app: &TestApp) {
    let (status, body) = app
        .get("/datasets/observations.csv?methodology_version=99")
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("methodology_version 99")),
        "{body}"
    );
    let (status, body) = app.get("/datasets/people.csv").await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = app.get("/datasets/observations.csv?labels=fr").await;
    assert_eq!(status, 400, "{body}");
    let response = app
        .client
        .get(app.api("/datasets/observations.csv"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 401);
}

on_each_backend!(
    observations_round_trip_on_each_backend,
    observations_round_trip
);
on_each_backend!(
    codebook_describes_every_column_on_each_backend,
    codebook_describes_every_column
);
on_each_backend!(
    bad_requests_are_refused_before_streaming_on_each_backend,
    bad_requests_are_refused_before_streaming
);
