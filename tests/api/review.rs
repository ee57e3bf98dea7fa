//! The review workflow end to end: an unpublished record cannot be seen by a researcher through
//! any route (reads, lists, search hits and facets, datasets, statistics); publication releases
//! it, withdrawal takes it back; the audit trail shows the whole life of the record.

use courtwatch_tests::{TestApp, on_each_backend};
use reqwest::Method;
use serde_json::{Value, json};

/// A made-up marker standing for identifying text in a monitor's notes.
const MARKER: &str = "Zorblaxić";

/// Everything a researcher could reach, as one string per route, for "does it mention X".
async fn researcher_view(
    app: &TestApp,
    token: &str,
    case_id: &str,
    observation_id: &str,
) -> Vec<(String, u16, String)> {
    let mut out = Vec::new();
    for path in [
        format!("/cases/{case_id}"),
        format!("/observations/{observation_id}"),
        "/cases?limit=500".to_owned(),
        "/observations?limit=500".to_owned(),
        "/hearings?limit=500".to_owned(),
        format!("/search?q={MARKER}"),
        "/search?q=&kind=observation".to_owned(),
        "/datasets/observations.csv".to_owned(),
        "/datasets/cases.csv".to_owned(),
        "/datasets/hearings.csv".to_owned(),
        "/stats/cases".to_owned(),
        "/stats/hearings".to_owned(),
    ] {
        let response = app
            .client
            .get(app.api(&path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        out.push((path, status, response.text().await.expect("body")));
    }
    out
}

fn assert_hidden(
    view: &[(String, u16, String)],
    case_id: &str,
    observation_id: &str,
    backend: &str,
) {
    for (path, status, body) in view {
        if path.starts_with("/cases/") || path.starts_with("/observations/") {
            assert_eq!(*status, 404, "{path} ({backend}): {body}");
            continue;
        }
        assert_eq!(*status, 200, "{path} ({backend}): {body}");
        for secret in [MARKER, case_id, observation_id] {
            assert!(
                !body.contains(secret),
                "{path} shows {secret} ({backend}): {body}"
            );
        }
        if path.starts_with("/search") {
            let page: Value = serde_json::from_str(body).expect("json");
            assert_eq!(page["total"], 0, "{path} ({backend})");
            assert_eq!(
                page["facets"]["kind"],
                json!([]),
                "facets reveal it: {path} ({backend})"
            );
        }
        if path == "/stats/cases" {
            let stats: Value = serde_json::from_str(body).expect("json");
            assert_eq!(stats["total"], 0, "{path} ({backend}): {body}");
        }
    }
}

async fn as_(app: &TestApp, token: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
    app.call(method, path, Some(token), Some(&body)).await
}

async fn life_of_a_record(app: &TestApp) {
    let researcher = app.user("researcher", "Test Coalition (fictional)").await;
    let outsider = app.user("researcher", "Other Coalition (fictional)").await;
    let (case_id, _) = app.case("RS", "P 501/26", &["roma_ashkali_egyptian"]).await;
    let hearing_id = app.hearing(&case_id).await;
    let notes = format!("The judge addressed {MARKER} by name (fictional).");
    let answers = json!({"public_admitted": "yes", "public_excluded": "no", "grounds_discussed": "no",
        "hate_speech_in_courtroom": "no", "hostile_groups_present": "no", "interpreter_needed": "no",
        "duration_minutes": 30, "persons_present": ["judge"]});
    let (status, observation) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing_id, "notes": notes, "answers": answers}),
        )
        .await;
    assert_eq!(status, 201, "{observation}");
    let id = observation["id"].as_str().expect("present").to_owned();
    // The monitor's organisation finds its draft.
    let page = app
        .search_until(&format!("q={MARKER}"), |p| p["total"] == 1)
        .await;
    assert_eq!(page["total"], 1, "{page}");

    // Draft: hidden from researchers of the same and of another organisation, on every route.
    for token in [&researcher, &outsider] {
        let view = researcher_view(app, token, &case_id, &id).await;
        assert_hidden(&view, &case_id, &id, app.backend);
    }

    // Submitted: still hidden. The monitor may not publish; the reviewer returns it with comments.
    let review = format!("/observations/{id}/review");
    let (status, body) = app.post(&review, &json!({"action": "submit"})).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("submitted")),
        "{body}"
    );
    let (status, body) = app.post(&review, &json!({"action": "publish"})).await;
    assert_eq!(status, 403, "{body}");
    let reviewer = app.reviewer_token.clone();
    let (status, body) = as_(
        app,
        &reviewer,
        Method::POST,
        &review,
        json!({"action": "return"}),
    )
    .await;
    assert_eq!(status, 422, "a return needs comments: {body}");
    let (status, body) = as_(
        app,
        &reviewer,
        Method::POST,
        &review,
        json!({"action": "return", "comments": {"no_such_question": "x"}}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = as_(
        app,
        &reviewer,
        Method::POST,
        &review,
        json!({"action": "return", "comments": {"notes": "Use the party's pseudonym, not a name.",
                                                  "duration_minutes": "Check the length."}}),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("returned")),
        "{body}"
    );
    let (_, seen) = app.get(&format!("/observations/{id}")).await;
    assert_eq!(
        seen["review_comments"]["notes"],
        "Use the party's pseudonym, not a name."
    );
    let view = researcher_view(app, &researcher, &case_id, &id).await;
    assert_hidden(&view, &case_id, &id, app.backend);

    // Corrected and submitted again; publishing needs the case published first.
    let (status, body) = app
        .put(
            &format!("/observations/{id}"),
            &json!({"hearing_id": hearing_id, "notes": format!("{notes} Corrected."),
            "answers": answers, "status": "submitted"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = as_(
        app,
        &reviewer,
        Method::POST,
        &review,
        json!({"action": "publish"}),
    )
    .await;
    assert_eq!(status, 409, "{body}");
    app.publish(&format!("/cases/{case_id}")).await;
    let (status, body) = as_(
        app,
        &reviewer,
        Method::POST,
        &review,
        json!({"action": "publish"}),
    )
    .await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("published")),
        "{body}"
    );
    // A monitor may not change a published record; a reviewer may.
    let (status, body) = app
        .put(
            &format!("/observations/{id}"),
            &json!({"hearing_id": hearing_id, "notes": "x", "answers": answers}),
        )
        .await;
    assert_eq!(status, 409, "{body}");

    // Published: the researcher sees it everywhere.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let view = researcher_view(app, &researcher, &case_id, &id).await;
        let shows = |route: &str| {
            view.iter()
                .find(|(p, _, _)| p == route)
                .is_some_and(|(_, s, b)| *s == 200 && b.contains(&id))
        };
        if shows(&format!("/search?q={MARKER}")) {
            for route in [
                format!("/observations/{id}"),
                "/observations?limit=500".to_owned(),
                "/datasets/observations.csv".to_owned(),
            ] {
                assert!(shows(&route), "{route} ({})", app.backend);
            }
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never searchable ({})",
            app.backend
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (_, stats) = app
        .call(Method::GET, "/stats/hearings", Some(&researcher), None)
        .await;
    assert_eq!(stats["observed"], 1, "{stats}");

    // Withdrawing the case takes its observation back from researchers.
    let (status, body) = as_(
        app,
        &reviewer,
        Method::POST,
        &format!("/cases/{case_id}/review"),
        json!({"action": "withdraw"}),
    )
    .await;
    assert_eq!(
        (status, body["review_status"].as_str()),
        (200, Some("withdrawn")),
        "{body}"
    );
    let (status, _) = app
        .call(
            Method::GET,
            &format!("/observations/{id}"),
            Some(&researcher),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, page) = app
            .call(
                Method::GET,
                &format!("/search?q={MARKER}"),
                Some(&researcher),
                None,
            )
            .await;
        if page["total"] == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still searchable: {page}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Grading is a reviewer's.
    let grade = format!("/cases/{case_id}/grade");
    let (status, _) = app
        .put(
            &grade,
            &json!({"grade": "C", "justification": "Fictional."}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, body) = as_(
        app,
        &reviewer,
        Method::PUT,
        &grade,
        json!({"grade": "C", "justification": "Interpreter refused; fictional."}),
    )
    .await;
    assert_eq!(
        (status, body["fairness_grade"].as_str()),
        (200, Some("C")),
        "{body}"
    );

    // The audit trail: the whole life of the observation, oldest first, with who did what.
    let (status, _) = app.get(&format!("/audit?resource_id={id}")).await;
    assert_eq!(status, 403, "monitors do not read the trail");
    let (status, trail) = app
        .call(
            Method::GET,
            &format!("/audit?resource_id={id}"),
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(status, 200, "{trail}");
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("present")
        .iter()
        .map(|e| e["action"].as_str().expect("present"))
        .collect();
    assert_eq!(
        actions,
        ["create", "submit", "return", "update", "publish"],
        "{trail}"
    );
    let items = trail["items"].as_array().expect("present");
    assert_eq!(items[0]["before"], Value::Null);
    assert_eq!(items[0]["after"]["notes"], notes);
    assert_eq!(items[2]["before"]["status"], "submitted");
    assert_eq!(items[2]["after"]["status"], "returned");
    assert_ne!(
        items[1]["user_id"], items[2]["user_id"],
        "monitor submits, reviewer returns"
    );
    let other_reviewer = app.user("coordinator", "Other Coalition (fictional)").await;
    let (_, theirs) = app
        .call(
            Method::GET,
            &format!("/audit?resource_id={id}"),
            Some(&other_reviewer),
            None,
        )
        .await;
    assert_eq!(theirs["items"], json!([]), "another organisation's trail");
    let (_, grades) = app
        .call(
            Method::GET,
            &format!("/audit?resource_id={case_id}&action=grade"),
            Some(&reviewer),
            None,
        )
        .await;
    assert_eq!(
        grades["items"][0]["after"]["grade_justification"],
        "Interpreter refused; fictional."
    );

    // Append-only in the database too.
    use sea_orm::ConnectionTrait;
    for sql in ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"] {
        let refused = app.state.db.execute_unprepared(sql).await;
        assert!(refused.is_err(), "{sql} was allowed ({})", app.backend);
    }
}

on_each_backend!(review_workflow_and_audit_trail, life_of_a_record);
