//! `/observations`: validation against the methodology, drafts and submission.

use courtwatch_tests::{TestApp, on_each_backend};
use serde_json::{Value, json};

fn complete_answers() -> Value {
    json!({
        "public_admitted": "yes", "public_excluded": "no", "grounds_discussed": "yes",
        "grounds_discussed_list": ["roma_ashkali_egyptian"], "hate_speech_in_courtroom": "yes",
        "hate_speech_by": ["public"], "judge_reaction": "no_reaction", "hostile_groups_present": "no",
        "interpreter_needed": "yes", "interpreter_provided": "yes", "interpretation_quality": "adequate",
        "duration_minutes": 95, "persons_present": ["judge", "defendant", "claimant_victim", "public"]
    })
}

async fn draft_then_submit(app: &TestApp) {
    let (case_id, _) = app
        .case("XK", "C.nr. 9/25", &["roma_ashkali_egyptian"])
        .await;
    let hearing_id = app.hearing(&case_id).await;

    let (status, draft) = app
        .post("/observations", &json!({"hearing_id": hearing_id, "answers": {"public_admitted": "yes"}, "notes": "Started late."}))
        .await;
    assert_eq!(status, 201, "{draft}");
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["case_id"], case_id.as_str());
    assert_eq!(draft["submitted_at"], Value::Null);
    let id = draft["id"].as_str().expect("id").to_owned();

    // Submitting the incomplete draft names every missing required question.
    let (status, problem) = app
        .put(&format!("/observations/{id}"), &json!({"hearing_id": hearing_id, "answers": {"public_admitted": "yes"}, "status": "submitted"}))
        .await;
    assert_eq!(status, 422);
    let missing: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["question"].as_str().expect("q"))
        .collect();
    assert_eq!(
        missing,
        vec![
            "public_excluded",
            "grounds_discussed",
            "hate_speech_in_courtroom",
            "hostile_groups_present"
        ]
    );
    let (_, still) = app.get(&format!("/observations/{id}")).await;
    assert_eq!(
        still["status"], "draft",
        "a rejected submission changes nothing"
    );

    let (status, submitted) = app
        .put(&format!("/observations/{id}"), &json!({"hearing_id": hearing_id, "answers": complete_answers(), "status": "submitted", "notes": "Started late."}))
        .await;
    assert_eq!(status, 200, "{submitted}");
    assert_eq!(submitted["status"], "submitted");
    assert!(submitted["submitted_at"].is_string());
    assert_eq!(submitted["answers"], complete_answers());

    let (status, problem) = app
        .put(
            &format!("/observations/{id}"),
            &json!({"hearing_id": hearing_id, "answers": complete_answers(), "status": "draft"}),
        )
        .await;
    assert_eq!(status, 409, "{problem}");

    // Changing the hearing so that the submitted observation would be inconsistent is refused.
    let (status, problem) = app
        .put(
            &format!("/hearings/{hearing_id}"),
            &json!({"case_id": case_id, "scheduled_at": "2025-03-14T09:00:00+01:00",
            "hearing_type": "main_evidentiary", "outcome": "adjourned_before_start"}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["question"] == "adjournment_reasons")
    );
    let (_, hearing) = app.get(&format!("/hearings/{hearing_id}")).await;
    assert_eq!(hearing["outcome"], "held");

    let (_, submitted_list) = app
        .get(&format!("/observations?case_id={case_id}&status=submitted"))
        .await;
    assert_eq!(submitted_list["items"].as_array().expect("items").len(), 1);
    let (_, drafts) = app.get("/observations?status=draft").await;
    assert_eq!(drafts["items"], json!([]));
}
on_each_backend!(observation_draft_then_submitted, draft_then_submit);

async fn invalid_observation_lists_every_problem(app: &TestApp) {
    let (case_id, _) = app.case("RS", "K 3/25", &["sexual_orientation"]).await;
    let hearing_id = app.hearing(&case_id).await;
    let mut answers = complete_answers();
    answers["duration_minutes"] = json!(-5);
    answers["hearing_outcome"] = json!("held");
    answers["adjournment_reasons"] = json!(["strike"]);
    answers["grounds_discussed_list"] = json!(["pregnancy_maternity"]);
    answers["invented_code"] = json!("yes");
    answers["schedule_posted"] = Value::Null;
    let (status, problem) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing_id, "answers": answers, "status": "submitted"}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    let errors: Vec<(String, String)> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().expect("f").to_owned(),
                e["message"].as_str().expect("m").to_owned(),
            )
        })
        .collect();
    let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        vec![
            "answers.hearing_outcome",
            "answers.duration_minutes",
            "answers.adjournment_reasons",
            "answers.schedule_posted",
            "answers.grounds_discussed_list",
            "answers.invented_code",
        ],
        "{}: {errors:?}",
        app.backend
    );
    assert!(errors[4].1.contains("not listed for jurisdiction RS"));
    let (_, list) = app.get("/observations").await;
    assert_eq!(list["items"], json!([]), "nothing partial is stored");

    let (status, problem) = app
        .post(
            "/observations",
            &json!({"hearing_id": "nope", "answers": {}}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "hearing_id");
    let (status, problem) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing_id, "methodology_version": 99}),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "methodology_version");
}
on_each_backend!(
    invalid_observation_is_rejected_with_all_problems,
    invalid_observation_lists_every_problem
);

/// A create with a client-chosen id is stored once however often it is sent; another caller
/// cannot take the id; a bad id is refused before anything is stored.
async fn a_retried_create_returns_the_same_record(app: &TestApp) {
    let (case_id, _) = app
        .case("XK", "C.nr. 31/25", &["roma_ashkali_egyptian"])
        .await;
    let hearing_id = app.hearing(&case_id).await;
    let id = uuid::Uuid::now_v7().hyphenated().to_string();
    let body = json!({"id": id, "hearing_id": hearing_id, "answers": {"public_admitted": "yes"}});

    let first = app
        .client
        .post(app.api("/observations"))
        .bearer_auth(&app.token)
        .json(&body)
        .send()
        .await
        .expect("send");
    assert_eq!(first.status(), 201);
    let etag = first
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    assert_eq!(etag.as_deref(), Some("\"1\""), "the ETag is the version");
    let (_, created) = TestApp::read(first).await;
    assert_eq!(created["id"], id.as_str());
    assert_eq!(created["version"], 1);

    // The answer was lost; the client sends the same create again, even with more answers.
    let mut again = body.clone();
    again["answers"]["public_excluded"] = json!("no");
    let (status, second) = app.post("/observations", &again).await;
    assert_eq!(status, 200, "a retry finds the stored record: {second}");
    assert_eq!(
        second, created,
        "the stored record, the retry's body not applied"
    );
    let (_, list) = app
        .get(&format!("/observations?hearing_id={hearing_id}"))
        .await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(1),
        "exactly one record: {list}"
    );

    // Another monitor of the organisation cannot reuse the id, nor can the same monitor for
    // another hearing.
    let other = app.user("monitor", "Test Coalition (fictional)").await;
    let (status, problem) = app
        .call(
            reqwest::Method::POST,
            "/observations",
            Some(&other),
            Some(&body),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    let other_hearing = app.hearing(&case_id).await;
    let (status, _) = app
        .post(
            "/observations",
            &json!({"id": id, "hearing_id": other_hearing}),
        )
        .await;
    assert_eq!(status, 409);

    for bad in [
        "not-a-uuid",
        "0190f3a2-1111-4111-8111-111111111111",
        "0190F3A2-1111-7111-8111-111111111111",
    ] {
        let (status, problem) = app
            .post(
                "/observations",
                &json!({"id": bad, "hearing_id": other_hearing}),
            )
            .await;
        assert_eq!(status, 422, "{bad}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "id");
    }
    let (_, list) = app
        .get(&format!("/observations?hearing_id={other_hearing}"))
        .await;
    assert_eq!(
        list["items"].as_array().map(Vec::len),
        Some(0),
        "nothing stored: {list}"
    );
}

on_each_backend!(
    observation_create_is_exactly_once,
    a_retried_create_returns_the_same_record
);

/// `If-Match` refuses an update made from an older version (412, nothing changed); every write,
/// review steps included, raises the version.
async fn updates_from_an_old_copy_are_refused(app: &TestApp) {
    let (case_id, _) = app
        .case("XK", "C.nr. 32/25", &["roma_ashkali_egyptian"])
        .await;
    let hearing_id = app.hearing(&case_id).await;
    let (_, created) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing_id, "answers": {"public_admitted": "yes"}}),
        )
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let path = app.api(&format!("/observations/{id}"));
    let put = |if_match: &str, answers: Value| {
        app.client
            .put(&path)
            .bearer_auth(&app.token)
            .header("If-Match", if_match)
            .json(&json!({"hearing_id": hearing_id, "answers": answers}))
            .send()
    };

    let response = put("\"1\"", json!({"public_admitted": "no"}))
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some("\"2\"")
    );

    let (status, problem) = TestApp::read(
        put("\"1\"", json!({"public_admitted": "unknown"}))
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 412, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("version 2")),
        "{problem}"
    );
    let (_, stored) = app.get(&format!("/observations/{id}")).await;
    assert_eq!(
        stored["answers"]["public_admitted"], "no",
        "the stale update changed nothing"
    );

    let (status, _) = TestApp::read(put("soon", json!({})).await.expect("send")).await;
    assert_eq!(
        status, 412,
        "an If-Match that is no version of ours matches none"
    );

    // A coordinator's step raises the version too: the monitor's copy is then stale.
    let (status, _) = app
        .put(&format!("/observations/{id}"), &json!({"hearing_id": hearing_id, "answers": complete_answers(), "status": "submitted"}))
        .await;
    assert_eq!(status, 200);
    let (status, returned) = app
        .call(
            reqwest::Method::POST,
            &format!("/observations/{id}/review"),
            Some(&app.reviewer_token),
            Some(&json!({"action": "return", "comments": {"public_admitted": "Check the notes."}})),
        )
        .await;
    assert_eq!(status, 200, "{returned}");
    assert_eq!(returned["version"], 4);
    let (status, _) = TestApp::read(put("\"3\"", complete_answers()).await.expect("send")).await;
    assert_eq!(status, 412, "saved over a return the monitor had not seen");
    let (status, _) = TestApp::read(put("\"4\"", complete_answers()).await.expect("send")).await;
    assert_eq!(status, 200);
}

on_each_backend!(
    observation_updates_need_the_current_version,
    updates_from_an_old_copy_are_refused
);
