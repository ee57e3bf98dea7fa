//! `/tokens` and `courtwatch token`: created with an expiry and shown once, listed without
//! secrets, refused at once when revoked; another user's token is neither listed nor revocable by
//! a non-admin. Fictional users.

use std::process::Command;

use courtwatch_api::services::auth;
use courtwatch_tests::{TestApp, on_each_backend};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_courtwatch-under-test");

async fn status_with(app: &TestApp, token: &str) -> u16 {
    app.client
        .get(app.api("/cases?limit=1"))
        .bearer_auth(token)
        .send()
        .await
        .expect("get")
        .status()
        .as_u16()
}

async fn tokens_life_cycle(app: &TestApp) {
    let (status, created) = app
        .post(
            "/tokens",
            &json!({"label": "R scripts", "expires_in_days": 30}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let secret = created["token"].as_str().expect("secret").to_string();
    assert!(secret.starts_with("cw_"));
    let expires = created["expires_at"].as_str().expect("expiry");
    assert!(expires > created["created_at"].as_str().expect("created"));
    assert_eq!(status_with(app, &secret).await, 200);

    let (status, list) = app.get("/tokens").await;
    assert_eq!(status, 200, "{list}");
    let listed = list.as_array().expect("list");
    assert!(
        listed
            .iter()
            .any(|t| t["id"] == created["id"] && t["label"] == "R scripts")
    );
    assert!(
        !list.to_string().contains(&secret),
        "a secret is never listed"
    );

    let id = created["id"].as_str().expect("id");
    let (status, revoked) = app.post(&format!("/tokens/{id}/revoke"), &json!({})).await;
    assert_eq!(status, 200, "{revoked}");
    assert!(revoked["revoked_at"].is_string());
    assert_eq!(status_with(app, &secret).await, 401, "refused at once");

    // Out-of-range lifetimes are refused by the schema (1–366), naming the field.
    for days in [0, 367] {
        let (status, problem) = app
            .post("/tokens", &json!({"label": "x", "expires_in_days": days}))
            .await;
        assert_eq!(status, 400, "{problem}");
        let detail = problem["detail"].as_str().expect("detail");
        assert!(detail.contains("expires_in_days"), "{detail}");
    }

    // Another user's tokens: a monitor may not list them, create one for them, or revoke one.
    courtwatch_api::services::organisation::ensure(&app.state.db, "Other Coalition (fictional)")
        .await
        .expect("organisation");
    let other = auth::create_user(
        &app.state.db,
        "Other Monitor (fictional)",
        "Other Coalition (fictional)",
        "monitor",
        None,
    )
    .await
    .expect("other user");
    let (status, _) = app.get(&format!("/tokens?user_id={}", other.user.id)).await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post("/tokens", &json!({"label": "x", "user_id": other.user.id}))
        .await;
    assert_eq!(status, 403);
    let theirs: Vec<Value> = {
        let response = app
            .client
            .get(app.api("/tokens"))
            .bearer_auth(&other.token)
            .send()
            .await
            .expect("list");
        response.json().await.expect("json")
    };
    let their_id = theirs[0]["id"].as_str().expect("their token");
    let (status, _) = app
        .post(&format!("/tokens/{their_id}/revoke"), &json!({}))
        .await;
    assert_eq!(status, 404, "existence is not confirmed");
    assert_eq!(status_with(app, &other.token).await, 200);

    // The operator's command line revokes any token.
    let output = Command::new(BIN)
        .arg("--data-dir")
        .arg(std::env::temp_dir().join(format!(
            "courtwatch-token-{}",
            uuid::Uuid::now_v7().simple()
        )))
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .args(["token", "revoke", their_id])
        .output()
        .expect("courtwatch token revoke");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(status_with(app, &other.token).await, 401);
}

async fn expired_tokens_are_refused(app: &TestApp) {
    let (_, mine) = app.get("/tokens").await;
    let user_id = mine[0]["user_id"].as_str().expect("my user id").to_string();
    let expired = auth::issue_token(
        &app.state.db,
        &user_id,
        "expired",
        Some(chrono::Utc::now() - chrono::Duration::seconds(1)),
    )
    .await
    .expect("token");
    assert_eq!(status_with(app, &expired).await, 401);
}

on_each_backend!(tokens_life_cycle_on_each_backend, tokens_life_cycle);
on_each_backend!(
    expired_tokens_are_refused_on_each_backend,
    expired_tokens_are_refused
);
