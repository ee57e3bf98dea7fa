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

/// A database whose migrations are behind the binary's is not ready: 503, a problem document that
/// names the failing check; ready again once the migration is recorded.
async fn readyz_refuses_pending_migrations(app: &TestApp) {
    use sea_orm::{ConnectionTrait, Statement};
    let readyz = || async {
        let response = app
            .client
            .get(format!("{}/readyz", app.base))
            .send()
            .await
            .expect("get readyz");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let body: serde_json::Value = response.json().await.expect("readyz json");
        (status, content_type, body)
    };
    // Ready first (the index of a fresh server is built in the background).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while readyz().await.0 != 200 {
        assert!(std::time::Instant::now() < deadline, "never ready");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let last = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1",
        ))
        .await
        .expect("query")
        .and_then(|r| r.try_get::<String>("", "version").ok())
        .expect("a migration");
    db.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => "DELETE FROM seaql_migrations WHERE version = $1",
            _ => "DELETE FROM seaql_migrations WHERE version = ?",
        },
        [last.clone().into()],
    ))
    .await
    .expect("forget the last migration");
    let (status, content_type, body) = readyz().await;
    assert_eq!(status, 503, "{}: {body}", app.backend);
    assert!(
        content_type.starts_with("application/problem+json"),
        "{content_type}"
    );
    assert_eq!(body["migrations"], "1 pending", "{body}");
    assert_eq!(body["database"], "ok", "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("migrations 1 pending")),
        "{body}"
    );

    db.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => {
                "INSERT INTO seaql_migrations (version, applied_at) VALUES ($1, 0)"
            }
            _ => "INSERT INTO seaql_migrations (version, applied_at) VALUES (?, 0)",
        },
        [last.into()],
    ))
    .await
    .expect("record it again");
    let (status, _, body) = readyz().await;
    assert_eq!(status, 200, "{body}");
}

on_each_backend!(
    readyz_refuses_pending_migrations_on_each_backend,
    readyz_refuses_pending_migrations
);

/// Every response carries a request id (the client's, when it sends a sane one); `/metrics`
/// counts requests by operation and status and shows the search outbox.
async fn request_ids_and_metrics(app: &TestApp) {
    let response = app
        .client
        .get(app.api("/cases"))
        .bearer_auth(&app.token)
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("trace-abc-123")
    );
    let response = app
        .client
        .get(app.api("/cases/no-such-case"))
        .bearer_auth(&app.token)
        .header("x-request-id", "bad id with spaces\t")
        .send()
        .await
        .expect("get");
    assert_eq!(response.status().as_u16(), 404);
    let generated = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("a generated request id")
        .to_owned();
    assert!(uuid::Uuid::parse_str(&generated).is_ok(), "{generated}");

    // /metrics needs an admin's token.
    let response = app
        .client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .expect("metrics");
    assert_eq!(response.status().as_u16(), 401);
    let response = app
        .client
        .get(format!("{}/metrics", app.base))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("metrics");
    assert_eq!(response.status().as_u16(), 403);
    let admin = app.user("admin", "Operators (fictional)").await;
    let response = app
        .client
        .get(format!("{}/metrics", app.base))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("metrics");
    assert_eq!(response.status().as_u16(), 200);
    let text = response.text().await.expect("text");
    let series = |operation: &str, status: u16| {
        text.lines()
            .filter(|l| l.starts_with("courtwatch_http_requests_total{"))
            .filter(|l| {
                l.contains(&format!("operation=\"{operation}\""))
                    && l.contains(&format!("status=\"{status}\""))
            })
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum::<u64>()
    };
    assert!(series("list_cases", 200) >= 1, "{text}");
    assert!(series("get_case", 404) >= 1, "{text}");
    assert!(
        text.contains("courtwatch_http_request_duration_seconds_bucket{"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("courtwatch_search_outbox_pending ")),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("courtwatch_search_index_lag_seconds ")),
        "{text}"
    );
}

on_each_backend!(request_ids_and_metrics_test, request_ids_and_metrics);
