//! The committed openapi.yaml is what the code generates.

use courtwatch_tests::{TestApp, on_each_backend};

const UPDATE_ENV: &str = "COURTWATCH_UPDATE_OPENAPI";

fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml")
}

#[test]
fn committed_spec_matches_the_code() {
    let generated = courtwatch_api::app::openapi_yaml();
    if std::env::var(UPDATE_ENV).is_ok_and(|v| v == "1") {
        std::fs::write(committed_path(), &generated).expect("write openapi.yaml");
    }
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi.yaml differs from what the code generates; run `{UPDATE_ENV}=1 cargo test -p courtwatch-tests openapi` and commit it"
    );
    for needle in [
        "/cases",
        "/observations/{id}",
        "application/problem+json",
        "bearer",
        "422",
    ] {
        assert!(generated.contains(needle), "spec lacks {needle}");
    }
}

async fn served_spec_is_the_committed_one(app: &TestApp) {
    let yaml = app
        .client
        .get(format!("{}/openapi.yaml", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    assert_eq!(yaml, courtwatch_api::app::openapi_yaml());
    let json = app
        .client
        .get(format!("{}/openapi.json", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(json.status(), 200);
    let spec: serde_json::Value = json.json().await.expect("json");
    assert_eq!(spec["info"]["title"], "courtwatch");
    let docs = app
        .client
        .get(format!("{}/docs", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(docs.status(), 200);
    assert!(docs.text().await.expect("text").contains("swagger"));
    let health = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(health.status(), 200);

    // Ready once the (empty) index has been built from the database.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let ready = loop {
        let response = app
            .client
            .get(format!("{}/readyz", app.base))
            .send()
            .await
            .expect("get readyz");
        let status = response.status().as_u16();
        let body: serde_json::Value = response.json().await.expect("readyz json");
        if status == 200 || std::time::Instant::now() > deadline {
            assert_eq!(status, 200, "not ready: {body}");
            break body;
        }
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["ready"], false, "{body}");
        assert_eq!(body["status"], 503, "a problem document: {body}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(ready["ready"], true);
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["migrations"], "current");
    assert_eq!(ready["index"], "ready");
    assert_eq!(ready["outbox_pending"], 0);
}
on_each_backend!(
    served_spec_docs_and_health,
    served_spec_is_the_committed_one
);
