//! `/parties` and `/hearings`

use courtwatch_tests::{TestApp, on_each_backend};
use serde_json::json;

async fn parties_by_pseudonym(app: &TestApp) {
    let (case_id, _) = app.case("ME", "K 12/24", &["sexual_orientation"]).await;
    let party = json!({"case_id": case_id, "role": "victim", "kind": "natural_person", "pseudonym": "Victim A",
                       "characteristics": ["sexual_orientation"], "representation": "ngo_lawyer"});
    let (status, created) = app.post("/parties", &party).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["characteristics"], json!(["sexual_orientation"]));
    let (status, _) = app.post("/parties", &party).await;
    assert_eq!(status, 409, "pseudonyms are unique within a case");

    let (status, problem) = app
        .post("/parties", &json!({"case_id": case_id, "role": "hero", "kind": "natural_person", "pseudonym": " ",
                                   "characteristics": ["appearance", "appearance"], "representation": "ngo_lawyer"}))
        .await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("f"))
        .collect();
    assert_eq!(
        fields,
        vec![
            "role",
            "pseudonym",
            "characteristics[0]",
            "characteristics[1]",
            "characteristics[1]"
        ]
    );

    let (_, list) = app.get(&format!("/parties?case_id={case_id}")).await;
    assert_eq!(list["items"].as_array().expect("items").len(), 1);
}
on_each_backend!(parties_are_pseudonymous_and_validated, parties_by_pseudonym);

async fn hearings_record_times_in_utc(app: &TestApp) {
    let (case_id, court_id) = app.case("XK", "P 77/25", &["language"]).await;
    let hearing_id = app.hearing(&case_id).await;
    let (status, hearing) = app.get(&format!("/hearings/{hearing_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(hearing["scheduled_at"], "2025-03-14T08:00:00+00:00");
    assert_eq!(hearing["started_at"], "2025-03-14T08:40:00+00:00");

    let (status, problem) = app
        .post("/hearings", &json!({"case_id": case_id, "scheduled_at": "2025-04-01T09:00:00+02:00",
                                    "started_at": "2025-04-01T09:00:00+02:00", "hearing_type": "closing", "outcome": "cancelled"}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "started_at");

    let (status, _) = app
        .post("/hearings", &json!({"case_id": case_id, "scheduled_at": "2025-05-02T09:00:00+02:00",
                                    "hearing_type": "closing", "outcome": "adjourned_before_start"}))
        .await;
    assert_eq!(status, 201);
    let (_, adjourned) = app
        .get(&format!(
            "/hearings?court_id={court_id}&outcome=adjourned_before_start"
        ))
        .await;
    assert_eq!(adjourned["items"].as_array().expect("items").len(), 1);
    let (_, in_april) = app
        .get("/hearings?jurisdiction=XK&from=2025-03-01T00:00:00Z&to=2025-04-01T00:00:00Z")
        .await;
    assert_eq!(in_april["items"].as_array().expect("items").len(), 1);
    let (status, _) = app.get("/hearings?from=yesterday").await;
    assert_eq!(status, 400);
}
on_each_backend!(
    hearings_are_validated_and_filtered,
    hearings_record_times_in_utc
);
