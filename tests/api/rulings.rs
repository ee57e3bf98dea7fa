//! `/rulings`

use courtwatch_tests::{TestApp, on_each_backend};
use serde_json::json;

async fn case_law_and_case_rulings(app: &TestApp) {
    let standalone = json!({
        "external_id": "test:0001", "court_name": "Osnovni sud u Podgorici (fictional)", "jurisdiction": "ME",
        "title": "K 1/20", "decision_date": "2020-06-01", "language": "sr-Latn-ME",
        "full_text": "Optuženi je oglašen krivim… (fictional test text)", "outcome": "conviction",
        "answers": {"sanction": "suspended_sentence", "sentence_months": 6, "bias_aggravation_applied": "yes"}
    });
    let (status, created) = app.post("/rulings", &standalone).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["court_id"], serde_json::Value::Null);
    assert_eq!(created["answers"]["sentence_months"], 6);
    let (status, problem) = app.post("/rulings", &standalone).await;
    assert_eq!(status, 409);
    assert_eq!(
        problem["detail"],
        "your organisation already has a ruling with this external id"
    );

    let (case_id, court_id) = app.case("XK", "C.nr. 55/24", &["disability"]).await;
    let (status, ruling) = app
        .post("/rulings", &json!({"case_id": case_id, "title": "Judgment C.nr. 55/24", "language": "sq",
            "full_text": "Gjykata aprovon padinë (fictional).", "outcome": "claim_upheld", "instance": "first",
            "answers": {"remedies_awarded": ["declaration", "non_material_damages"], "non_material_damages_amount": 1500, "damages_currency": "EUR"}}))
        .await;
    assert_eq!(status, 201, "{ruling}");
    assert_eq!(ruling["court_id"], court_id.as_str());
    assert_eq!(ruling["jurisdiction"], "XK");

    let (status, problem) = app
        .post(
            "/rulings",
            &json!({"title": "x", "language": "english!", "full_text": "t", "outcome": "won",
            "answers": {"sentence_months": 3}}),
        )
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
            "court_name",
            "language",
            "outcome",
            "answers.sentence_months"
        ],
        "{problem}"
    );

    let (_, me) = app
        .get("/rulings?jurisdiction=ME&language=sr-Latn-ME&decided_from=2020-01-01")
        .await;
    assert_eq!(me["items"].as_array().expect("items").len(), 1);
    let (_, by_case) = app.get(&format!("/rulings?case_id={case_id}")).await;
    assert_eq!(by_case["items"][0]["outcome"], "claim_upheld");
}
on_each_backend!(rulings_for_cases_and_case_law, case_law_and_case_rulings);
