//! Every field a person writes is redacted on every way out, proved from the published spec
//! rather than from a list someone keeps: for each string property of each record's request
//! schema in `openapi.yaml` (and each free-text question of the methodology, each metadata key and
//! value), a record is written with a case's sensitive term in that field alone; whatever the API
//! accepts is published, and then no researcher route shows the term (reads, lists, search with
//! its snippets and facets, every dataset). A field added later is covered without anyone adding
//! it here. Fields that cannot hold the term (ids, codes, dates) are refused by the API, and the
//! test checks that the known free-text fields were among those accepted, so it cannot pass by
//! accepting nothing.

use std::collections::BTreeSet;

use courtwatch_tests::{TestApp, on_each_backend};
use reqwest::Method;
use serde_json::{Value, json};

/// A fictional name, not a real person's.
const FIRST: &str = "Vlorjana";
const LAST: &str = "Kadriqeshi";

fn term() -> String {
    format!("{FIRST} {LAST}")
}

/// The string properties of a request schema in the published spec.
fn string_fields(schema: &str) -> Vec<String> {
    let spec: serde_yaml::Value =
        serde_yaml::from_str(include_str!("../../openapi.yaml")).expect("openapi.yaml");
    let properties = spec["components"]["schemas"][schema]["properties"]
        .as_mapping()
        .unwrap_or_else(|| panic!("no schema {schema}"))
        .clone();
    properties
        .into_iter()
        .filter(|(_, p)| p["type"].as_str() == Some("string"))
        .filter_map(|(k, _)| k.as_str().map(str::to_owned))
        .collect()
}

/// Free-text questions of a scope (methodology v1).
async fn free_text_questions(app: &TestApp, scope: &str) -> Vec<String> {
    let (_, methodology) = app.get("/methodology/1").await;
    methodology["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .filter(|q| q["scope"] == scope && q["answer_type"] == "text" && q["field"].is_null())
        .filter_map(|q| q["code"].as_str().map(str::to_owned))
        .collect()
}

async fn call(app: &TestApp, method: Method, path: &str, body: &Value) -> (u16, Value) {
    app.call(method, path, Some(&app.token), Some(body)).await
}

/// Writes `base` with `field` set to a text holding the term; Some(id) when the API accepts it.
async fn write_with_term(app: &TestApp, path: &str, base: &Value, field: &str) -> Option<String> {
    let mut body = base.clone();
    body[field] = json!(format!(
        "{field} of {} (fictional) {}",
        term(),
        uuid::Uuid::now_v7().simple()
    ));
    let (status, created) = call(app, Method::POST, path, &body).await;
    (status == 201).then(|| created["id"].as_str().expect("id").to_owned())
}

async fn protect(app: &TestApp, case: &str) {
    let (status, body) = call(
        app,
        Method::PUT,
        &format!("/cases/{case}/sensitive-terms"),
        &json!({"terms": [{"term": term(), "kind": "name"}]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

async fn every_written_field_is_redacted(app: &TestApp) {
    let researcher = app.user("researcher", "Researchers (fictional)").await;
    let court = app.court("Basic Court Fields (fictional)", "XK").await;
    let mut accepted: BTreeSet<String> = BTreeSet::new();
    let mut published: Vec<String> = Vec::new();

    // Cases: one per string field of CaseInput.
    let case_base = json!({"court_id": court, "case_number": "C 1/26", "title": "Fictional case",
        "proceeding_type": "civil_antidiscrimination", "grounds": ["ethnicity"],
        "answers": {"selection_reasons": ["public_interest"]}});
    for (i, field) in string_fields("CaseInput").iter().enumerate() {
        let mut base = case_base.clone();
        base["case_number"] = json!(format!("C {i}/26"));
        if let Some(id) = write_with_term(app, "/cases", &base, field).await {
            protect(app, &id).await;
            app.publish(&format!("/cases/{id}")).await;
            accepted.insert(format!("CaseInput.{field}"));
            published.push(format!("/cases/{id}"));
        }
    }
    // The case the other records belong to, with its free-text answers (each made to apply) and
    // a grade.
    let mut answers = json!({"selection_reasons": ["other"]});
    for code in free_text_questions(app, "case").await {
        answers[&code] = json!(format!("{code}: {} (fictional)", term()));
        accepted.insert(format!("answers.{code}"));
    }
    let mut body = case_base.clone();
    body["case_number"] = json!("C 99/26");
    body["proceeding_type"] = json!("criminal_hate_aggravation");
    body["answers"] = answers;
    let (status, case) = call(app, Method::POST, "/cases", &body).await;
    assert_eq!(status, 201, "{case}");
    let case = case["id"].as_str().expect("id").to_owned();
    protect(app, &case).await;
    app.publish(&format!("/cases/{case}")).await;
    let (status, graded) = app
        .call(
            Method::PUT,
            &format!("/cases/{case}/grade"),
            Some(&app.reviewer_token),
            Some(&json!({"grade": "C", "justification": format!("{} was not heard (fictional).", term())})),
        )
        .await;
    assert_eq!(status, 200, "{graded}");

    // Parties, hearings, rulings of that case: one record per string field.
    for (path, schema, base) in [
        (
            "/parties",
            "PartyInput",
            json!({"case_id": case, "role": "claimant", "kind": "natural_person", "pseudonym": "Party (fictional)", "representation": "private_lawyer"}),
        ),
        (
            "/hearings",
            "HearingInput",
            json!({"case_id": case, "scheduled_at": "2025-03-14T09:00:00+01:00", "started_at": "2025-03-14T09:40:00+01:00", "hearing_type": "main_evidentiary", "outcome": "held"}),
        ),
        (
            "/rulings",
            "RulingInput",
            json!({"case_id": case, "title": "Fictional ruling", "language": "sq", "full_text": "Fictional ruling text."}),
        ),
    ] {
        for field in string_fields(schema) {
            let mut base = base.clone();
            if path == "/parties" {
                // Pseudonyms are unique per case.
                base["pseudonym"] = json!(format!(
                    "Party {} (fictional)",
                    uuid::Uuid::now_v7().simple()
                ));
            }
            if let Some(id) = write_with_term(app, path, &base, &field).await {
                if path == "/rulings" {
                    app.publish(&format!("{path}/{id}")).await;
                }
                accepted.insert(format!("{schema}.{field}"));
                published.push(format!("{path}/{id}"));
            }
        }
    }
    // A ruling's metadata: the term as a key and as a value.
    let (status, ruling) = call(
        app,
        Method::POST,
        "/rulings",
        &json!({"case_id": case, "title": "Fictional ruling", "language": "sq", "full_text": "Fictional.",
                "metadata": {term(): "key", "note": format!("value {}", term())}}),
    )
    .await;
    assert_eq!(status, 201, "{ruling}");
    let ruling = ruling["id"].as_str().expect("id").to_owned();
    app.publish(&format!("/rulings/{ruling}")).await;
    published.push(format!("/rulings/{ruling}"));

    // An observation with the term in its notes and in every free-text answer that applies.
    let hearing = app.hearing(&case).await;
    let mut obs_answers = json!({"public_admitted": "yes", "public_excluded": "no", "grounds_discussed": "no",
        "hate_speech_in_courtroom": "yes", "hate_speech_by": ["public"], "judge_reaction": "no_reaction",
        "hostile_groups_present": "yes"});
    for code in free_text_questions(app, "observation").await {
        let mut trial = obs_answers.clone();
        trial[&code] = json!(format!("{code}: {} (fictional)", term()));
        let (status, _) = app
            .call(
                Method::POST,
                "/observations",
                Some(&app.token),
                Some(&json!({"hearing_id": hearing, "answers": trial})),
            )
            .await;
        if status == 201 {
            obs_answers = trial;
            accepted.insert(format!("answers.{code}"));
        }
    }
    for field in string_fields("ObservationInput") {
        let base = json!({"hearing_id": hearing, "status": "submitted", "answers": obs_answers});
        if let Some(id) = write_with_term(app, "/observations", &base, &field).await {
            app.publish(&format!("/observations/{id}")).await;
            accepted.insert(format!("ObservationInput.{field}"));
            published.push(format!("/observations/{id}"));
        }
    }

    // The test means something only if the free-text fields were written.
    for must in [
        "CaseInput.title",
        "CaseInput.summary",
        "CaseInput.case_number",
        "PartyInput.pseudonym",
        "HearingInput.courtroom",
        "RulingInput.title",
        "RulingInput.full_text",
        "RulingInput.court_name",
        "RulingInput.source",
        "RulingInput.external_id",
        "ObservationInput.notes",
    ] {
        assert!(
            accepted.contains(must),
            "{must} was not written: {accepted:?}"
        );
    }

    // Search catches up.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let (_, ready) = app
            .get("/search?q=fictional&kind=ruling&limit=1&facets=false")
            .await;
        if ready["total"].as_u64().unwrap_or(0) >= 5 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never searchable: {ready}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    let mut routes = published.clone();
    routes.extend(
        [
            "/cases?limit=500",
            "/parties?limit=500",
            "/hearings?limit=500",
            "/observations?limit=500",
            "/rulings?limit=500",
            "/search?q=fictional&limit=100",
            &format!("/search?q={LAST}&limit=100"),
            &format!("/search?q={FIRST}&limit=100&exact=true"),
            "/datasets/cases.csv",
            "/datasets/parties.csv",
            "/datasets/hearings.csv",
            "/datasets/observations.csv",
            "/datasets/rulings.csv?full_text=true",
        ]
        .map(str::to_owned),
    );
    for path in routes {
        let response = app
            .client
            .get(app.api(&path))
            .bearer_auth(&researcher)
            .send()
            .await
            .expect("get");
        let status = response.status().as_u16();
        let body = response.text().await.expect("text");
        assert_eq!(status, 200, "{path}: {body}");
        let lower = body.to_lowercase();
        for secret in [FIRST, LAST] {
            assert!(
                !lower.contains(&secret.to_lowercase()),
                "{path} ({}) shows {secret}: {body}",
                app.backend
            );
        }
    }
}

on_each_backend!(
    every_written_field_is_redacted_on_each_backend,
    every_written_field_is_redacted
);
