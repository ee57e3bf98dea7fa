//! No organisation changes another's work or learns of its hidden records, and statistics count
//! released records only: the findings of the outside review (issue 19, §1–§3), each a test that
//! failed before its fix.

use courtwatch_tests::{TestApp, on_each_backend};
use reqwest::Method;
use serde_json::{Value, json};

async fn as_user(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    app.call(method, path, Some(token), body).await
}

async fn import_as(app: &TestApp, token: &str, lines: &[Value]) -> (u16, Value) {
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let response = app
        .client
        .post(app.api("/rulings/import"))
        .bearer_auth(token)
        .header("content-type", "application/x-ndjson")
        .body(body)
        .send()
        .await
        .expect("import");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

async fn imports_never_touch_another_organisations_ruling(app: &TestApp) {
    let other = app.user("coordinator", "Other Coalition (fictional)").await;
    let line = |title: &str| {
        json!({"id": "echr:001-999999", "title": title, "court": "European Court of Human Rights (CHAMBER)",
               "date": "2020-01-01", "lang": "en", "text": "Fictional judgment text.", "articles": "14", "conclusion": "Violation of Art. 14"})
    };
    let (status, report) = import_as(
        app,
        &app.reviewer_token,
        &[line("CASE OF A v. B (fictional)")],
    )
    .await;
    assert_eq!(
        (status, report["inserted"].as_u64()),
        (200, Some(1)),
        "{report}"
    );
    // The other organisation imports the same id: its own copy, not an update of ours, and
    // nothing in the report tells it that the id exists elsewhere.
    let (status, report) =
        import_as(app, &other, &[line("CHANGED BY THE OTHER ORGANISATION")]).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["inserted"].as_u64(), report["updated"].as_u64()),
        (Some(1), Some(0)),
        "{report}"
    );
    let (_, ours) = app
        .get("/rulings?external_id=echr:001-999999&limit=10")
        .await;
    let titles: Vec<&str> = ours["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["title"].as_str())
        .collect();
    assert!(
        titles.contains(&"CASE OF A v. B (fictional)"),
        "ours is unchanged: {titles:?}"
    );
    // Importing again changes nothing for either.
    let (_, report) = import_as(app, &other, &[line("CHANGED BY THE OTHER ORGANISATION")]).await;
    assert_eq!(report["unchanged"].as_u64(), Some(1), "{report}");
}
on_each_backend!(
    imports_never_touch_another_organisations_ruling_on_each_backend,
    imports_never_touch_another_organisations_ruling
);

async fn hidden_records_cause_no_visible_conflict(app: &TestApp) {
    let other = app.user("monitor", "Other Coalition (fictional)").await;
    let (case, court) = app.case("RS", "P 404/26", &["ethnicity"]).await;
    // Another organisation monitors the same trial: same court, same case number, no 409.
    let body = json!({"court_id": court, "case_number": "P 404/26", "title": "The same trial (fictional)",
                      "proceeding_type": "civil_antidiscrimination", "grounds": ["ethnicity"]});
    let (status, theirs) = as_user(app, &other, Method::POST, "/cases", Some(&body)).await;
    assert_eq!(status, 201, "{theirs}");
    assert_ne!(theirs["id"].as_str(), Some(case.as_str()));
    // Within one organisation the case number stays unique.
    let (status, problem) = as_user(app, &other, Method::POST, "/cases", Some(&body)).await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("your organisation")),
        "{problem}"
    );
    // A ruling's external id likewise.
    let ruling = |title: &str| {
        json!({"external_id": "mne:K-404-26", "title": title, "court_name": "Osnovni sud u Baru",
               "language": "sr-Latn-ME", "full_text": "Fictional text."})
    };
    let (status, mine) = app.post("/rulings", &ruling("Ours (fictional)")).await;
    assert_eq!(status, 201, "{mine}");
    let (status, theirs) = as_user(
        app,
        &other,
        Method::POST,
        "/rulings",
        Some(&ruling("Theirs (fictional)")),
    )
    .await;
    assert_eq!(status, 201, "{theirs}");
    let (status, _) = as_user(
        app,
        &other,
        Method::POST,
        "/rulings",
        Some(&ruling("Again (fictional)")),
    )
    .await;
    assert_eq!(status, 409);
}
on_each_backend!(
    hidden_records_cause_no_visible_conflict_on_each_backend,
    hidden_records_cause_no_visible_conflict
);

async fn shared_courts_are_changed_by_admins_only(app: &TestApp) {
    let (_, court) = app.case("XK", "C 77/26", &["ethnicity"]).await;
    let change =
        json!({"name": "Renamed court (fictional)", "level": "basic", "jurisdiction": "ME"});
    // A monitor of another organisation cannot move our case to another jurisdiction.
    let other = app.user("monitor", "Other Coalition (fictional)").await;
    let (status, problem) = as_user(
        app,
        &other,
        Method::PUT,
        &format!("/courts/{court}"),
        Some(&change),
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    let other_coordinator = app.user("coordinator", "Other Coalition (fictional)").await;
    let (status, _) = as_user(
        app,
        &other_coordinator,
        Method::PUT,
        &format!("/courts/{court}"),
        Some(&change),
    )
    .await;
    assert_eq!(status, 403);
    let (_, unchanged) = app.get(&format!("/courts/{court}")).await;
    assert_eq!(unchanged["jurisdiction"], "XK", "{unchanged}");
    // Our own monitor may correct a court only our records use; an admin may change any.
    let fix = json!({"name": "Basic Court C 77/26 (fictional, corrected)", "level": "basic", "jurisdiction": "XK"});
    let (status, body) = app.put(&format!("/courts/{court}"), &fix).await;
    assert_eq!(status, 200, "{body}");
    let admin = app.user("admin", "Operators (fictional)").await;
    let (status, body) = as_user(
        app,
        &admin,
        Method::PUT,
        &format!("/courts/{court}"),
        Some(&change),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}
on_each_backend!(
    shared_courts_are_changed_by_admins_only_on_each_backend,
    shared_courts_are_changed_by_admins_only
);

/// Every statistics answer, as a researcher sees it.
async fn all_statistics(app: &TestApp, researcher: &str) -> Vec<Value> {
    let mut answers = Vec::new();
    for path in [
        "/stats/cases",
        "/stats/hearings",
        "/stats/durations",
        "/stats/crosstab?question=instance&by=jurisdiction",
        "/stats/crosstab?question=ruling_outcome&by=jurisdiction",
        "/stats/crosstab?question=public_excluded&by=jurisdiction",
        "/stats/crosstab?question=persons_present&by=ground",
    ] {
        let (status, body) = as_user(app, researcher, Method::GET, path, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        answers.push(body);
    }
    answers
}

async fn statistics_count_released_records_only(app: &TestApp) {
    let researcher = app.user("researcher", "Researchers (fictional)").await;
    let court = app.court("Basic Court Statistics (fictional)", "ME").await;
    let (status, created) = app
        .post(
            "/cases",
            &json!({"court_id": court, "case_number": "K 12/24", "title": "Fictional statistics case",
                "proceeding_type": "criminal_hate_aggravation", "grounds": ["ethnicity"], "filing_date": "2022-01-01",
                "answers": {"selection_reasons": ["public_interest"]}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let case = created["id"].as_str().expect("id").to_owned();
    let hearing = app.hearing(&case).await;
    // The hearings of the unreleased observations below (hearings themselves have no review).
    let mut other_hearings = Vec::new();
    for _ in 0..3 {
        other_hearings.push(app.hearing(&case).await);
    }
    let observation = json!({"hearing_id": hearing, "status": "submitted", "answers": {
        "public_admitted": "yes", "public_excluded": "no", "grounds_discussed": "no",
        "hate_speech_in_courtroom": "no", "hostile_groups_present": "no", "persons_present": ["judge"]}});
    let (status, published) = app.post("/observations", &observation).await;
    assert_eq!(status, 201, "{published}");
    let ruling = |outcome: &str, date: &str| {
        json!({"case_id": case, "title": "Fictional ruling", "language": "sr-Latn-ME", "full_text": "Fictional.",
               "instance": "first", "decision_date": date, "outcome": outcome})
    };
    let (_, first) = app
        .post("/rulings", &ruling("conviction", "2024-06-01"))
        .await;
    app.publish(&format!("/cases/{case}")).await;
    app.publish(&format!(
        "/observations/{}",
        published["id"].as_str().expect("id")
    ))
    .await;
    app.publish(&format!("/rulings/{}", first["id"].as_str().expect("id")))
        .await;
    let before = all_statistics(app, &researcher).await;
    assert_eq!(
        before[2]["with_ruling"], 1,
        "the duration is measured: {}",
        before[2]
    );

    // A draft, a returned and a withdrawn ruling and observation of the same published case.
    let review = async |path: &str, token: &str, action: &str, comments: Value| {
        let (status, body) = as_user(
            app,
            token,
            Method::POST,
            &format!("{path}/review"),
            Some(&json!({"action": action, "comments": comments})),
        )
        .await;
        assert_eq!(status, 200, "{path} {action}: {body}");
    };
    // Dated so that each would change a figure if it were counted: a later one the latest
    // outcome, an earlier one the first-instance duration.
    for (state, date, other_hearing) in [
        ("draft", "2025-01-01", &other_hearings[0]),
        ("returned", "2023-02-01", &other_hearings[1]),
        ("withdrawn", "2025-03-01", &other_hearings[2]),
    ] {
        let (status, r) = app.post("/rulings", &ruling("acquittal", date)).await;
        assert_eq!(status, 201, "{r}");
        let r = format!("/rulings/{}", r["id"].as_str().expect("id"));
        let mut o = observation.clone();
        o["hearing_id"] = json!(other_hearing);
        o["status"] = json!(if state == "draft" {
            "draft"
        } else {
            "submitted"
        });
        o["answers"]["public_excluded"] = json!("yes");
        o["answers"]["exclusion_reason"] = json!("morals");
        o["answers"]["persons_present"] = json!(["judge", "public"]);
        let (status, o) = app.post("/observations", &o).await;
        assert_eq!(status, 201, "{o}");
        let o = format!("/observations/{}", o["id"].as_str().expect("id"));
        match state {
            "draft" => {}
            "returned" => {
                review(&r, &app.token, "submit", json!({})).await;
                review(
                    &r,
                    &app.reviewer_token,
                    "return",
                    json!({"title": "Check it (fictional)."}),
                )
                .await;
                review(
                    &o,
                    &app.reviewer_token,
                    "return",
                    json!({"notes": "Check it (fictional)."}),
                )
                .await;
            }
            _ => {
                for path in [&r, &o] {
                    app.publish(path).await;
                    review(path, &app.reviewer_token, "withdraw", json!({})).await;
                }
            }
        }
    }
    let after = all_statistics(app, &researcher).await;
    assert_eq!(
        before, after,
        "{}: statistics changed by unreleased records",
        app.backend
    );
}
on_each_backend!(
    statistics_count_released_records_only_on_each_backend,
    statistics_count_released_records_only
);
