//! `/stats/…`: figures computed by hand for a small fictional data set; the same assertions run on
//! SQLite and PostgreSQL, so both backends give the same answers.

use courtwatch_tests::{TestApp, on_each_backend};
use serde_json::{Value, json};

/// Answers every submitted observation in this file needs.
fn base_answers(extra: Value) -> Value {
    let mut answers = json!({
        "public_admitted": "yes", "public_excluded": "no", "grounds_discussed": "no",
        "hate_speech_in_courtroom": "no", "hostile_groups_present": "no", "interpreter_needed": "no",
        "duration_minutes": 30, "persons_present": ["judge"]
    });
    for (k, v) in extra.as_object().expect("object") {
        answers[k] = v.clone();
    }
    answers
}

async fn created(app: &TestApp, path: &str, body: Value) -> String {
    let (status, record) = app.post(path, &body).await;
    assert_eq!(status, 201, "{path} {body}: {record}");
    record["id"].as_str().expect("id").to_string()
}

async fn case(
    app: &TestApp,
    jurisdiction: &str,
    number: &str,
    grounds: &[&str],
    filed: Option<&str>,
    proceeding: &str,
) -> String {
    let court = app.court(&format!("Court {number}"), jurisdiction).await;
    let id = created(
        app,
        "/cases",
        json!({"court_id": court, "case_number": number, "title": "Fictional stats case",
        "proceeding_type": proceeding, "grounds": grounds, "filing_date": filed,
        "answers": {"selection_reasons": ["public_interest"]}}),
    )
    .await;
    // Statistics count published records only.
    if !number.starts_with("UNPUBLISHED") {
        app.publish(&format!("/cases/{id}")).await;
    }
    id
}

async fn hearing(app: &TestApp, case_id: &str, outcome: &str) -> String {
    created(
        app,
        "/hearings",
        json!({"case_id": case_id, "scheduled_at": "2025-03-14T09:00:00Z",
        "hearing_type": "main_evidentiary", "outcome": outcome,
        "started_at": outcome.starts_with("held").then_some("2025-03-14T09:20:00Z")}),
    )
    .await
}

async fn observe(app: &TestApp, hearing_id: &str, status: &str, extra: Value) {
    let id = created(
        app,
        "/observations",
        json!({"hearing_id": hearing_id, "status": status, "answers": if status == "draft" { extra } else { base_answers(extra) }}),
    )
    .await;
    if status == "submitted" {
        // Published, unless its case is not (then publishing is refused: 409).
        let (status, body) = app
            .call(
                reqwest::Method::POST,
                &format!("/observations/{id}/review"),
                Some(&app.reviewer_token),
                Some(&json!({"action": "publish"})),
            )
            .await;
        assert!(status == 200 || status == 409, "{status} {body}");
    }
}

async fn ruling(app: &TestApp, case_id: &str, instance: &str, date: &str, outcome: &str) {
    let id = created(app, "/rulings", json!({"case_id": case_id, "title": "Fictional ruling", "language": "en",
        "full_text": "Fictional.", "instance": instance, "decision_date": date, "outcome": outcome})).await;
    app.publish(&format!("/rulings/{id}")).await;
}

/// Three cases, four hearings, four observations (one a draft), three rulings.
async fn fixture(app: &TestApp) {
    let a = case(
        app,
        "XK",
        "C 1/24",
        &["disability", "ethnicity"],
        Some("2024-01-10"),
        "civil_antidiscrimination",
    )
    .await;
    let b = case(
        app,
        "RS",
        "P 2/23",
        &["sexual_orientation"],
        Some("2023-03-01"),
        "civil_antidiscrimination",
    )
    .await;
    let c = case(
        app,
        "ME",
        "K 3/25",
        &["ethnicity"],
        None,
        "criminal_hate_aggravation",
    )
    .await;
    ruling(app, &a, "first", "2024-07-08", "claim_upheld").await; // 180 days
    ruling(app, &b, "first", "2023-03-31", "claim_dismissed").await; // 30 days
    ruling(app, &b, "appeal", "2024-01-15", "appeal_confirmed").await; // latest for b

    let h1 = hearing(app, &a, "held").await;
    observe(app, &h1, "submitted", json!({"public_excluded": "yes", "exclusion_reason": "morals", "interpreter_needed": "yes",
        "interpreter_provided": "no", "hate_speech_in_courtroom": "yes", "hate_speech_by": ["public"],
        "judge_reaction": "no_reaction"})).await;
    // A second monitor at the same hearing: the hearing counts once, "yes" if any says yes.
    observe(
        app,
        &h1,
        "submitted",
        json!({"interpreter_needed": "yes", "interpreter_provided": "yes"}),
    )
    .await;
    let h2 = hearing(app, &a, "held_then_adjourned").await;
    observe(
        app,
        &h2,
        "submitted",
        json!({"adjournment_reasons": ["no_interpreter", "judge_absent"]}),
    )
    .await;
    let h3 = hearing(app, &b, "adjourned_before_start").await;
    observe(app, &h3, "draft", json!({"public_excluded": "yes"})).await;
    hearing(app, &c, "scheduled").await;
    // A case still under review, with a complete observation: counted nowhere.
    let d = case(
        app,
        "XK",
        "UNPUBLISHED 4/25",
        &["ethnicity"],
        Some("2025-01-01"),
        "civil_antidiscrimination",
    )
    .await;
    let h4 = hearing(app, &d, "held").await;
    observe(
        app,
        &h4,
        "submitted",
        json!({"hate_speech_in_courtroom": "yes", "hate_speech_by": ["public"],
        "judge_reaction": "no_reaction"}),
    )
    .await;
}

fn counts(list: &Value) -> Vec<(String, u64)> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|c| {
            (
                c["value"].as_str().expect("value").to_string(),
                c["count"].as_u64().expect("count"),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, u64)]) -> Vec<(String, u64)> {
    list.iter().map(|(v, c)| (v.to_string(), *c)).collect()
}

async fn figures_match_the_hand_count(app: &TestApp) {
    fixture(app).await;

    let (status, cases) = app.get("/stats/cases").await;
    assert_eq!(status, 200, "{cases}");
    assert_eq!(cases["total"], 3);
    assert_eq!(
        counts(&cases["by_ground"]),
        pairs(&[
            ("disability", 1),
            ("ethnicity", 2),
            ("sexual_orientation", 1)
        ])
    );
    assert_eq!(
        counts(&cases["by_jurisdiction"]),
        pairs(&[("ME", 1), ("RS", 1), ("XK", 1)])
    );
    assert_eq!(
        counts(&cases["by_proceeding_type"]),
        pairs(&[
            ("civil_antidiscrimination", 2),
            ("criminal_hate_aggravation", 1)
        ])
    );
    assert_eq!(
        counts(&cases["by_year"]),
        pairs(&[("2023", 1), ("2024", 1), ("none", 1)])
    );
    assert_eq!(
        counts(&cases["by_outcome"]),
        pairs(&[("appeal_confirmed", 1), ("claim_upheld", 1), ("none", 1)])
    );
    let (_, filtered) = app.get("/stats/cases?ground=ethnicity").await;
    assert_eq!(filtered["total"], 2, "{filtered}");

    let (status, h) = app.get("/stats/hearings").await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(
        h["hearings"], 3,
        "the scheduled hearing has not taken place: {h}"
    );
    assert_eq!(h["observed"], 2, "the draft does not count: {h}");
    let indicator = |name: &str| {
        (
            h[name]["count"].as_u64().expect("count"),
            h[name]["base"].as_u64().expect("base"),
        )
    };
    assert_eq!(indicator("adjourned"), (2, 3));
    assert_eq!(indicator("cancelled"), (0, 3));
    assert_eq!(indicator("closed_to_public"), (1, 2));
    assert_eq!(indicator("interpreter_needed"), (1, 2));
    assert_eq!(indicator("interpreter_provided"), (1, 1));
    assert_eq!(indicator("hate_speech"), (1, 2));
    assert_eq!(indicator("judge_reacted"), (0, 1));
    assert!((h["adjourned"]["share"].as_f64().expect("share") - 2.0 / 3.0).abs() < 1e-12);
    assert_eq!(
        counts(&h["adjournment_reasons"]),
        pairs(&[("judge_absent", 1), ("no_interpreter", 1)])
    );
    assert_eq!(counts(&h["judge_reactions"]), pairs(&[("no_reaction", 1)]));
    let (_, rs) = app.get("/stats/hearings?jurisdiction=RS").await;
    assert_eq!(
        (rs["hearings"].as_u64(), rs["observed"].as_u64()),
        (Some(1), Some(0)),
        "{rs}"
    );
    assert_eq!(rs["closed_to_public"]["share"], Value::Null);

    let (status, d) = app.get("/stats/durations").await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["cases"], 3);
    assert_eq!(d["with_ruling"], 2);
    assert_eq!(d["without_filing_date"], 1);
    assert_eq!(d["min_days"], 30.0);
    assert_eq!(d["q1_days"], 67.5);
    assert_eq!(d["median_days"], 105.0);
    assert_eq!(d["q3_days"], 142.5);
    assert_eq!(d["max_days"], 180.0);

    let (status, x) = app
        .get("/stats/crosstab?question=public_excluded&by=jurisdiction")
        .await;
    assert_eq!(status, 200, "{x}");
    assert_eq!(x["unit"], "observation");
    assert_eq!(
        x["answers"],
        json!(["yes", "no", "unknown", "unanswered", "not_asked"])
    );
    assert_eq!(x["total"], 3);
    assert_eq!(
        x["rows"],
        json!([{"value": "XK", "counts": [1, 2, 0, 0, 0], "total": 3}])
    );
    // By another question of the same record; "not_asked" where the condition fails.
    let (_, x) = app
        .get("/stats/crosstab?question=interpreter_provided&by=interpreter_needed")
        .await;
    assert_eq!(
        x["rows"],
        json!([
            {"value": "no", "counts": [0, 0, 0, 0, 1], "total": 1},
            {"value": "yes", "counts": [1, 1, 0, 0, 0], "total": 2}
        ]),
        "{x}"
    );
    // A case question by ground: a case with two grounds counts in both rows, once in the total.
    let (_, x) = app
        .get("/stats/crosstab?question=proceeding_type&by=ground")
        .await;
    assert_eq!(x["unit"], "case");
    assert_eq!(x["total"], 3);
    let rows = x["rows"].as_array().expect("rows");
    assert_eq!(
        rows.iter()
            .map(|r| r["value"].as_str().expect("value"))
            .collect::<Vec<_>>(),
        ["disability", "ethnicity", "sexual_orientation"]
    );
    assert_eq!(rows[1]["total"], 2);
    // Rulings by outcome of their own question, grouped by the case's jurisdiction.
    let (_, x) = app
        .get("/stats/crosstab?question=instance&by=jurisdiction")
        .await;
    assert_eq!(x["unit"], "ruling");
    assert_eq!(x["total"], 3, "{x}");
}

async fn bad_questions_are_400(app: &TestApp) {
    for (query, needle) in [
        ("question=nope&by=jurisdiction", "no question 'nope'"),
        (
            "question=sentence_months&by=jurisdiction",
            "a crosstab counts yes/no, single-choice or multiple-choice answers",
        ),
        ("question=public_excluded&by=colour", "neither a dimension"),
        (
            "question=public_excluded&by=sentence_months",
            "must be a choice",
        ),
    ] {
        let (status, problem) = app.get(&format!("/stats/crosstab?{query}")).await;
        assert_eq!(status, 400, "{query}: {problem}");
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains(needle)),
            "{query}: {problem}"
        );
    }
    let response = app
        .client
        .get(app.api("/stats/cases"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 401);
}

on_each_backend!(
    figures_match_the_hand_count_on_each_backend,
    figures_match_the_hand_count
);
on_each_backend!(bad_questions_are_400_on_each_backend, bad_questions_are_400);

/// A figure as CSV: (content type, rows as maps of header → cell).
async fn csv_rows(app: &TestApp, path: &str, accept: Option<&str>) -> (String, Vec<Vec<String>>) {
    let mut request = app.client.get(app.api(path)).bearer_auth(&app.token);
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    let response = request.send().await.expect("get");
    assert_eq!(response.status(), 200, "{path}");
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.expect("text");
    assert!(text.contains("\r\n"), "CRLF line ends: {text}");
    let rows = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("row").iter().map(str::to_owned).collect())
        .collect();
    (kind, rows)
}

fn row<'a>(rows: &'a [Vec<String>], first: &str, second: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r[0] == first && r[1] == second)
        .unwrap_or_else(|| panic!("no row {first},{second} in {rows:?}"))
}

async fn figures_come_labelled_and_as_csv(app: &TestApp) {
    fixture(app).await;
    let (_, methodology) = app.get("/methodology/1").await;
    let label = |vocabulary: &str, code: &str, lang: &str| -> String {
        methodology["vocabularies"]
            .as_array()
            .expect("vocabularies")
            .iter()
            .find(|v| v["code"] == vocabulary)
            .and_then(|v| v["terms"].as_array())
            .and_then(|t| t.iter().find(|t| t["code"] == code))
            .and_then(|t| t["label"][lang].as_str())
            .unwrap_or_else(|| panic!("label of {vocabulary}/{code}"))
            .to_owned()
    };
    // JSON with labels: each count keeps its code and gains the label.
    let (_, cases) = app.get("/stats/cases?labels=sq").await;
    let ethnicity = cases["by_ground"]
        .as_array()
        .expect("by_ground")
        .iter()
        .find(|c| c["value"] == "ethnicity")
        .expect("ethnicity");
    assert_eq!(ethnicity["label"], label("ground", "ethnicity", "sq"));
    assert_eq!(ethnicity["count"], 2);

    // CSV with labels: the label in the value column, with count, base and share.
    let (kind, rows) = csv_rows(app, "/stats/cases?format=csv&labels=en", None).await;
    assert!(kind.starts_with("text/csv"), "{kind}");
    let ethnicity = row(&rows, "ground", &label("ground", "ethnicity", "en"));
    assert_eq!(ethnicity[2..], ["2", "3", "0.6667"]);
    assert_eq!(row(&rows, "total", "")[2..], ["3", "3", "1.0000"]);

    // Accept: text/csv chooses CSV too; hearings' indicators with their base.
    let (kind, rows) = csv_rows(app, "/stats/hearings", Some("text/csv")).await;
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert_eq!(row(&rows, "adjourned", "")[2..], ["2", "3", "0.6667"]);
    let (_, rows) = csv_rows(app, "/stats/durations?format=csv", None).await;
    assert_eq!(row(&rows, "median_days", "105")[0], "median_days");

    // A multiple-choice question: one column per option; a record counts under each it chose.
    let (status, x) = app
        .get("/stats/crosstab?question=persons_present&by=jurisdiction&labels=sr")
        .await;
    assert_eq!(status, 200, "{x}");
    assert_eq!(x["multiple_choice"], true);
    let judge = x["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .position(|a| a == "judge")
        .expect("judge column");
    let xk = &x["rows"][0];
    assert_eq!(xk["value"], "XK", "{x}");
    assert_eq!(xk["label"], label("jurisdiction", "XK", "sr"));
    assert_eq!(xk["total"], 3, "three published observations in XK: {x}");
    assert_eq!(xk["counts"][judge], 3);
    assert_eq!(
        x["answer_labels"][judge],
        label("person_role", "judge", "sr")
    );
    let (_, rows) = csv_rows(
        app,
        "/stats/crosstab?question=persons_present&by=jurisdiction&format=csv",
        None,
    )
    .await;
    assert_eq!(row(&rows, "XK", "judge")[2..], ["3", "3", "1.0000"]);
    assert_eq!(row(&rows, "XK", "prosecutor")[2..], ["0", "3", "0.0000"]);

    // A format that does not exist names the allowed ones.
    let (status, problem) = app.get("/stats/cases?format=xlsx").await;
    assert_eq!(status, 400);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("expected one of: json, csv")),
        "{problem}"
    );
}

on_each_backend!(
    figures_come_labelled_and_as_csv_on_each_backend,
    figures_come_labelled_and_as_csv
);
