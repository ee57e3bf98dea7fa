//! Organisations and users through the API, on each backend: a coordinator invites a monitor
//! whose link sets a password; what a coordinator may not do (invite a coordinator, promote,
//! manage another organisation's users); bad input named; deactivation (of a user, of an
//! organisation) ending tokens and sign-in at once; every change in the audit trail.

use courtwatch_api::services::accounts;
use courtwatch_tests::{TestApp, on_each_backend};
use reqwest::Method;
use serde_json::{Value, json};

async fn ok(app: &TestApp, token: &str, method: Method, path: &str, body: Option<&Value>) -> Value {
    let (status, body) = app.call(method, path, Some(token), body).await;
    assert!(status < 300, "{path}: {status} {body}");
    body
}

async fn users(app: &TestApp) {
    let admin = app.user("admin", "Operators (fictional)").await;
    let coordinator = &app.reviewer_token;

    // An admin creates an organisation; a second with the same name but another case is refused.
    let created = ok(
        app,
        &admin,
        Method::POST,
        "/organisations",
        Some(&json!({"name": "Second  Coalition (fictional)"})),
    )
    .await;
    assert_eq!(created["name"], "Second Coalition (fictional)");
    assert_eq!(created["active_users"], 0);
    let (status, body) = app
        .call(
            Method::POST,
            "/organisations",
            Some(&admin),
            Some(&json!({"name": "second coalition (FICTIONAL)"})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let second = created["id"].as_str().expect("id").to_owned();

    // The admin invites a coordinator of the second organisation, who invites a monitor.
    let invited = ok(
        app,
        &admin,
        Method::POST,
        "/users",
        Some(
            &json!({"display_name": "Coordinator B (fictional)", "email": "Coord.B@example.org",
                     "role": "coordinator", "organisation_id": second}),
        ),
    )
    .await;
    assert_eq!(invited["user"]["email"], "coord.b@example.org");
    assert_eq!(invited["user"]["has_password"], false);
    let path = invited["sign_in_path"].as_str().expect("path");
    assert!(path.starts_with("/welcome/"), "{path}");
    let secret = path.trim_start_matches("/welcome/");
    let redeemed = accounts::redeem_link(&app.state.db, secret, "a long fictional passphrase")
        .await
        .expect("redeem");
    assert!(redeemed.is_some(), "the invitation link works once");
    let again = accounts::redeem_link(&app.state.db, secret, "another fictional passphrase")
        .await
        .expect("redeem");
    assert!(again.is_none(), "and only once");

    // The harness's coordinator (organisation A) invites a monitor of A; not a coordinator, not
    // into B.
    let monitor = ok(
        app,
        coordinator,
        Method::POST,
        "/users",
        Some(
            &json!({"display_name": "Monitor A2 (fictional)", "email": "monitor.a2@example.org",
                     "role": "monitor"}),
        ),
    )
    .await;
    let monitor_id = monitor["user"]["id"].as_str().expect("id").to_owned();
    for (body, want) in [
        (
            json!({"display_name": "X", "email": "x1@example.org", "role": "coordinator"}),
            403,
        ),
        (
            json!({"display_name": "X", "email": "x2@example.org", "role": "monitor", "organisation_id": second}),
            422,
        ),
        (
            json!({"display_name": "X", "email": "not an address", "role": "monitor"}),
            422,
        ),
        (
            json!({"display_name": "X", "email": "x3@example.org", "role": "boss"}),
            422,
        ),
        (
            json!({"display_name": "X", "email": "monitor.a2@example.org", "role": "monitor"}),
            409,
        ),
    ] {
        let (status, problem) = app
            .call(Method::POST, "/users", Some(coordinator), Some(&body))
            .await;
        assert_eq!(status, want, "{body}: {problem}");
    }
    // Nothing partial was stored: A's users are the harness's two and the new monitor.
    let listed = ok(app, coordinator, Method::GET, "/users", None).await;
    let names: Vec<&str> = listed
        .as_array()
        .expect("list")
        .iter()
        .map(|u| u["display_name"].as_str().expect("name"))
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains(&"Monitor A2 (fictional)"), "{names:?}");
    let (_, b_users) = app
        .call(
            Method::GET,
            &format!("/users?organisation_id={second}"),
            Some(coordinator),
            None,
        )
        .await;
    assert_eq!(
        b_users,
        json!([]),
        "another organisation's users are not shown"
    );

    // A coordinator may rename their monitor, not promote them.
    let renamed = ok(
        app,
        coordinator,
        Method::PUT,
        &format!("/users/{monitor_id}"),
        Some(&json!({"display_name": "Monitor A2 renamed (fictional)"})),
    )
    .await;
    assert_eq!(renamed["display_name"], "Monitor A2 renamed (fictional)");
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/users/{monitor_id}"),
            Some(coordinator),
            Some(&json!({"role": "coordinator"})),
        )
        .await;
    assert_eq!(status, 403);

    // A reset gives a new link; the old one stops working.
    let reset = ok(
        app,
        coordinator,
        Method::POST,
        &format!("/users/{monitor_id}/sign-in-link"),
        None,
    )
    .await;
    let old = monitor["sign_in_path"].as_str().expect("path");
    assert!(
        accounts::link_user(&app.state.db, old.trim_start_matches("/welcome/"))
            .await
            .expect("link")
            .is_none()
    );
    let new = reset["sign_in_path"].as_str().expect("path");
    assert!(
        accounts::link_user(&app.state.db, new.trim_start_matches("/welcome/"))
            .await
            .expect("link")
            .is_some()
    );

    // Deactivating the monitor: their token is refused at once, and the link stops working.
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/users/{monitor_id}/deactivate"),
            Some(coordinator),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body["deactivated_at"].is_string());
    assert!(
        accounts::link_user(&app.state.db, new.trim_start_matches("/welcome/"))
            .await
            .expect("link")
            .is_none()
    );
    // An admin cannot deactivate themselves or their own organisation.
    let me = ok(app, &admin, Method::GET, "/organisations", None).await;
    let operators = me
        .as_array()
        .expect("list")
        .iter()
        .find(|o| o["name"] == "Operators (fictional)")
        .expect("operators")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/organisations/{operators}/deactivate"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(status, 409);

    // Deactivating organisation B deactivates its users; nobody can be invited into it.
    let b_token = app.user("monitor", "Second Coalition (fictional)").await;
    assert_eq!(
        app.call(Method::GET, "/cases", Some(&b_token), None)
            .await
            .0,
        200
    );
    let done = ok(
        app,
        &admin,
        Method::POST,
        &format!("/organisations/{second}/deactivate"),
        None,
    )
    .await;
    assert!(done["deactivated_at"].is_string());
    assert_eq!(done["active_users"], 0);
    assert_eq!(
        app.call(Method::GET, "/cases", Some(&b_token), None)
            .await
            .0,
        401
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/users",
            Some(&admin),
            Some(
                &json!({"display_name": "Late (fictional)", "email": "late@example.org",
                         "role": "monitor", "organisation_id": second}),
            ),
        )
        .await;
    assert_eq!(status, 409, "{body}");

    // Every change is in the audit trail, with who did it; no secret is in it.
    let trail = ok(app, &admin, Method::GET, "/audit?resource=user", None).await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["action"].as_str().expect("action"))
        .collect();
    for action in ["invite", "update", "reset", "deactivate"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let text = trail.to_string();
    assert!(!text.contains(secret) && !text.contains("argon2"), "{text}");
    let orgs = ok(
        app,
        &admin,
        Method::GET,
        "/audit?resource=organisation",
        None,
    )
    .await;
    assert!(orgs.to_string().contains("\"deactivate\""), "{orgs}");
}

on_each_backend!(organisations_and_users_through_the_api, users);
