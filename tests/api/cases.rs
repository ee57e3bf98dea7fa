//! `/courts` and `/cases`

use courtwatch_tests::{TestApp, on_each_backend};
use serde_json::json;

async fn case_lifecycle(app: &TestApp) {
    let court = app.court("Basic Court of Prizren (fictional)", "XK").await;
    let body = json!({
        "court_id": court, "case_number": "C.nr. 101/25", "title": "Separate classes for Roma pupils",
        "proceeding_type": "civil_antidiscrimination", "grounds": ["roma_ashkali_egyptian", "ethnicity"],
        "filing_date": "2025-01-20", "summary": "Fictional demo: pupils taught in a separate building.",
        "answers": {"area_of_life": "education", "discrimination_forms": ["segregation"], "selection_reasons": ["strategic_importance"]}
    });
    let (status, created) = app.post("/cases", &body).await;
    assert_eq!(status, 201, "{}: {created}", app.backend);
    let id = created["id"].as_str().expect("id");
    assert_eq!(id.len(), 36);
    assert_eq!(created["jurisdiction"], "XK");
    assert_eq!(created["status"], "monitoring");
    assert_eq!(created["methodology_version"], 1);
    assert_eq!(
        created["grounds"],
        json!(["ethnicity", "roma_ashkali_egyptian"])
    );
    assert_eq!(
        created["answers"]["discrimination_forms"],
        json!(["segregation"])
    );
    assert!(
        created["created_by"]
            .as_str()
            .is_some_and(|u| !u.is_empty())
    );

    let (status, fetched) = app.get(&format!("/cases/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(fetched, created);

    // Same case number at the same court: 409, and nothing new stored.
    let (status, problem) = app.post("/cases", &body).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(
        problem["detail"],
        "your organisation already has a case with this case number at this court"
    );

    let mut changed = body.clone();
    changed["status"] = json!("concluded");
    changed["grounds"] = json!(["sexual_orientation"]);
    let (status, updated) = app.put(&format!("/cases/{id}"), &changed).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["status"], "concluded");
    assert_eq!(updated["grounds"], json!(["sexual_orientation"]));
    assert_eq!(updated["created_at"], created["created_at"]);
}
on_each_backend!(create_read_update_and_duplicate_case, case_lifecycle);

async fn invalid_case_lists_every_problem(app: &TestApp) {
    let court = app
        .court("Basic Court of Novi Pazar (fictional)", "RS")
        .await;
    let (status, problem) = app
        .post(
            "/cases",
            &json!({
                "court_id": court, "case_number": "P 5/25", "title": "x", "proceeding_type": "civil_suit",
                "grounds": ["pregnancy_maternity", "not_a_ground"], "status": "open",
                "answers": {"area_of_life": "moon", "criminal_provision": "RS CC 317", "ngo_involved": "maybe", "grounds_alleged": []}
            }),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        problem["type"],
        "https://courtwatch.invalid/problems/validation"
    );
    let errors: Vec<String> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["field"].as_str().expect("field"),
                e["message"].as_str().expect("message")
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            "answers.grounds_alleged is answered by the record's field 'grounds', not in answers",
            "proceeding_type 'civil_suit' is not a term of vocabulary 'proceeding_type'; expected one of: civil_antidiscrimination, labour_dispute, criminal_hate_aggravation, criminal_equality_violation, criminal_incitement, misdemeanour, administrative_dispute, constitutional_complaint, international_application, other",
            "answers.criminal_provision does not apply here (it applies only when 'proceeding_type' is one of: criminal_hate_aggravation, criminal_equality_violation, criminal_incitement, misdemeanour); leave it out",
            "grounds 'pregnancy_maternity' is not listed for jurisdiction RS (it applies in XK)",
            "grounds 'not_a_ground' is not a term of vocabulary 'ground'; expected one of: race, colour, ethnicity, roma_ashkali_egyptian, nationality_community, ancestry_birth, language, religion_belief, political_opinion, membership_organisation, sex, gender, gender_identity, sexual_orientation, sex_characteristics, marital_family_status, age, disability, health_status, genetic_features, property_income, convictions, appearance, other",
            "answers.area_of_life 'moon' is not a term of vocabulary 'area_of_life'; expected one of: employment, education, social_health, justice_administration, housing, media, goods_services, membership_organisations, culture, public_space_violence, other",
            "answers.ngo_involved must be one of yes, no, unknown, got \"maybe\"",
            "status 'open' is not a term of vocabulary 'monitoring_status'; expected one of: monitoring, concluded, suspended, discontinued",
        ],
        "{}",
        app.backend
    );
    let (_, list) = app.get("/cases").await;
    assert_eq!(
        list["items"],
        json!([]),
        "a rejected case must leave nothing behind"
    );

    let (status, problem) = app
        .post("/cases", &json!({"court_id": "0199c7a0-0000-7000-8000-000000000000", "case_number": "1", "title": "t", "proceeding_type": "labour_dispute", "grounds": []}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "court_id");
}
on_each_backend!(
    invalid_case_is_rejected_with_all_problems,
    invalid_case_lists_every_problem
);

async fn filters_and_cursor_paging(app: &TestApp) {
    let xk = app.court("Basic Court of Gjakova (fictional)", "XK").await;
    let rs = app.court("Higher Court of Niš (fictional)", "RS").await;
    for i in 0..7 {
        let (court, ground) = if i % 2 == 0 {
            (&xk, "sexual_orientation")
        } else {
            (&rs, "disability")
        };
        let (status, body) = app
            .post(
                "/cases",
                &json!({"court_id": court, "case_number": format!("N {i}/24"), "title": "Fictional",
                        "proceeding_type": "civil_antidiscrimination", "grounds": [ground],
                        "filing_date": format!("2024-0{}-01", i + 1)}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (_, xk_cases) = app.get("/cases?jurisdiction=XK").await;
    assert_eq!(xk_cases["items"].as_array().expect("items").len(), 4);
    let (_, disability) = app.get("/cases?ground=disability&jurisdiction=RS").await;
    assert_eq!(disability["items"].as_array().expect("items").len(), 3);
    let (_, filed) = app
        .get("/cases?filed_from=2024-02-01&filed_to=2024-04-01")
        .await;
    assert_eq!(filed["items"].as_array().expect("items").len(), 3);

    let mut seen = Vec::new();
    let mut path = "/cases?limit=3".to_owned();
    loop {
        let (status, page) = app.get(&path).await;
        assert_eq!(status, 200);
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|c| c["case_number"].as_str().expect("n").to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/cases?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7).map(|i| format!("N {i}/24")).collect();
    assert_eq!(seen, expected, "every case exactly once, in creation order");

    let (status, problem) = app.get("/cases?cursor=not-a-cursor").await;
    assert_eq!(status, 400);
    assert_eq!(problem["detail"], "cursor is not one this service issued");
    let (status, _) = app.get("/cases?limit=501").await;
    assert_eq!(status, 400);
}
on_each_backend!(list_filters_and_cursor_paging, filters_and_cursor_paging);
