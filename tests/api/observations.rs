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
