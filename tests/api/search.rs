//! `/search` and `/rulings/import`: the index follows the database, drafts stay with their
//! organisation, case law imports idempotently. All names and texts are fictional.

use courtwatch_api::services::auth;
use courtwatch_tests::{TestApp, on_each_backend};
use serde_json::{Value, json};

fn ids(page: &Value) -> Vec<String> {
    page["hits"]
        .as_array()
        .map(|hits| {
            hits.iter()
                .map(|h| h["id"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn complete_answers() -> Value {
    json!({
        "public_admitted": "yes", "public_excluded": "no", "grounds_discussed": "yes",
        "grounds_discussed_list": ["roma_ashkali_egyptian"], "hate_speech_in_courtroom": "yes",
        "hate_speech_by": ["public"], "judge_reaction": "no_reaction", "hostile_groups_present": "no",
        "interpreter_needed": "yes", "interpreter_provided": "yes", "interpretation_quality": "adequate",
        "duration_minutes": 95, "persons_present": ["judge", "defendant", "claimant_victim", "public"]
    })
}

async fn observations_follow_writes_and_drafts_stay_private(app: &TestApp) {
    let (case_id, court_id) = app.case("RS", "P 77/25", &["roma_ashkali_egyptian"]).await;
    let hearing_id = app.hearing(&case_id).await;
    let notes =
        "Sudija nije reagovao na govor mržnje publike prema oštećenom Đorđeviću (fictional).";
    let (status, draft) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing_id, "notes": notes}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    let id = draft["id"].as_str().expect("id").to_string();

    // The author's organisation finds its draft, in Cyrillic and without diacritics too.
    for q in [
        "q=%22govor%20mrznje%22",
        "q=%D0%B3%D0%BE%D0%B2%D0%BE%D1%80%20%D0%BC%D1%80%D0%B6%D1%9A%D0%B5",
        "q=djordjevicu",
    ] {
        let page = app.search_until(q, |p| ids(p).contains(&id)).await;
        assert_eq!(ids(&page), vec![id.clone()], "{q}: {page}");
        let hit = &page["hits"][0];
        assert_eq!(hit["kind"], "observation");
        assert_eq!(hit["case_id"], case_id.as_str());
        assert_eq!(hit["url"], format!("/api/v1/observations/{id}"));
        assert!(
            hit["snippets"][0]
                .as_str()
                .expect("snippet")
                .contains("<mark>"),
            "{hit}"
        );
    }

    // Another organisation does not, not even in the facet counts.
    courtwatch_api::services::organisation::ensure(&app.state.db, "Other Org (fictional)")
        .await
        .expect("organisation");
    let other = auth::create_user(
        &app.state.db,
        "Other Researcher (fictional)",
        "Other Org (fictional)",
        "researcher",
        None,
    )
    .await
    .expect("user");
    let as_other = |path: String| {
        let client = app.client.clone();
        let token = other.token.clone();
        let url = app.api(&path);
        async move {
            let response = client
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .expect("request");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.expect("json"))
        }
    };
    let (status, page) = as_other("/search?q=mrznje".into()).await;
    assert_eq!(status, 200);
    assert_eq!(page["total"], 0, "{page}");
    let (_, page) = as_other("/search?kind=observation".into()).await;
    assert_eq!(page["total"], 0, "{page}");

    // Once submitted and published (with its case), everyone may find it.
    let (status, body) = app
        .put(&format!("/observations/{id}"), &json!({"hearing_id": hearing_id, "notes": notes, "answers": complete_answers(), "status": "submitted"}))
        .await;
    assert_eq!(status, 200, "{body}");
    app.publish(&format!("/cases/{case_id}")).await;
    app.publish(&format!("/observations/{id}")).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (_, page) = as_other("/search?q=mrznje&kind=observation".into()).await;
        if ids(&page) == vec![id.clone()] {
            assert_eq!(page["facets"]["kind"][0]["value"], "observation");
            assert_eq!(page["facets"]["jurisdiction"][0]["value"], "RS");
            assert_eq!(
                page["facets"]["ground"][0]["value"],
                "roma_ashkali_egyptian"
            );
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "published observation never became searchable: {page}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // Renaming the court reaches the documents that name it.
    let (status, body) = app
        .put(&format!("/courts/{court_id}"), &json!({"name": "Prekršajni sud Zrenjanin (fictional)", "level": "basic", "jurisdiction": "RS"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let page = app
        .search_until("q=court:zrenjanin", |p| ids(p).contains(&id))
        .await;
    assert!(ids(&page).contains(&id), "{page}");
    assert!(
        ids(&page).contains(&case_id),
        "the case summary names the court too: {page}"
    );
}
on_each_backend!(
    observations_follow_writes_and_drafts_stay_private_on_each_backend,
    observations_follow_writes_and_drafts_stay_private
);

async fn bad_queries_are_explained(app: &TestApp) {
    let (status, problem) = app.get("/search?q=roma%20%22hate").await;
    assert_eq!(status, 400);
    let detail = problem["detail"].as_str().expect("detail");
    assert!(
        detail.contains("column 6") && detail.contains("never closed"),
        "{detail}"
    );
    let (status, problem) = app.get("/search?q=nofield:x").await;
    assert_eq!(status, 400);
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("unknown field 'nofield'")
    );
    let (status, _) = app.get("/search?kind=judgment").await;
    assert_eq!(status, 400);
    let (status, problem) = app.get("/search?q=roma&cursor=AAAA").await;
    assert_eq!(status, 400, "{problem}");
    let (status, _) = app.get("/search?limit=0").await;
    assert_eq!(status, 400);
}
on_each_backend!(
    bad_queries_are_explained_on_each_backend,
    bad_queries_are_explained
);

async fn import(app: &TestApp, body: &str, skip_invalid: bool) -> (u16, Value) {
    let response = app
        .client
        .post(app.api(&format!("/rulings/import?skip_invalid={skip_invalid}")))
        .bearer_auth(&app.reviewer_token)
        .header("content-type", "application/x-ndjson")
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

async fn case_law_imports_idempotently_and_all_or_nothing(app: &TestApp) {
    let lines = [
        json!({"id": "test:1", "title": "K 1/20 (fictional)", "court": "Osnovni sud u Baru", "date": "2020-02-03", "lang": "sr-Latn-ME", "text": "Okrivljeni je rođen u Baru; djelo izazivanja nacionalne mržnje.", "source": "fictional"}),
        json!({"id": "test:2", "title": "", "court": "X", "date": "03.02.2020", "lang": "en", "text": "x"}),
        json!({"id": "test:3", "title": "Case of X v. Nowhere (fictional)", "court": "ECtHR", "date": "", "lang": "en", "text": "The applicants were discriminated against.", "articles": "14;8", "conclusion": "Violation of Article 14"}),
    ];
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let (status, problem) = import(app, &body, false).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().expect("field"))
        .collect();
    assert_eq!(fields, vec!["line 2"], "{problem}");
    let message = problem["errors"][0]["message"].as_str().expect("message");
    assert!(
        message.contains("`title`") && message.contains("`date`"),
        "{message}"
    );
    let (_, page) = app.get("/rulings?external_id=test:1").await;
    assert_eq!(
        page["items"],
        json!([]),
        "nothing may be written when a line is invalid"
    );

    let (status, report) = import(app, &body, true).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["inserted"].as_u64(), report["invalid"].as_u64()),
        (Some(2), Some(1)),
        "{report}"
    );
    let (status, report) = import(app, &body, true).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["inserted"].as_u64(), report["unchanged"].as_u64()),
        (Some(0), Some(2)),
        "{report}"
    );

    let (_, page) = app.get("/rulings?external_id=test:3").await;
    let ruling = &page["items"][0];
    assert_eq!(
        ruling["metadata"],
        json!({"articles": "14;8", "conclusion": "Violation of Article 14"})
    );
    assert_eq!(ruling["decision_date"], Value::Null);
    let (_, page) = app.get("/rulings?external_id=test:1").await;
    assert_eq!(
        page["items"][0]["jurisdiction"], "ME",
        "the region of sr-Latn-ME"
    );
    let montenegrin = page["items"][0]["id"].as_str().expect("id").to_string();

    // Searchable in either script and without diacritics; stemming joins "discrimination".
    let page = app
        .search_until("q=%D1%80%D0%BE%D1%92%D0%B5%D0%BD", |p| {
            ids(p).contains(&montenegrin)
        })
        .await;
    assert_eq!(ids(&page), vec![montenegrin.clone()], "{page}");
    let page = app.search_until("q=rodjen", |p| !ids(p).is_empty()).await;
    assert_eq!(ids(&page), vec![montenegrin], "{page}");
    let page = app
        .search_until("q=discrimination&kind=ruling", |p| p["total"] == 1)
        .await;
    assert_eq!(page["total"], 1, "{page}");
    let page = app
        .search_until("q=discrimination&exact=true", |p| p["total"] == 0)
        .await;
    assert_eq!(page["total"], 0, "exact mode does not stem: {page}");
}
on_each_backend!(
    case_law_imports_idempotently_and_all_or_nothing_on_each_backend,
    case_law_imports_idempotently_and_all_or_nothing
);
