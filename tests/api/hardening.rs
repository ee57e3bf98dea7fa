//! Smaller hardening from the outside review (issue 19, §6 and §7): one answer for every refused
//! token, authentication before a body is read, the import's large limit on its own route for the
//! roles that import, security headers, `/metrics` for admins, Excel-safe CSV in Excel mode, and
//! owner-only files.

use courtwatch_tests::{TEST_AUTH_FAILURES, TEST_MAX_BODY, TestApp, on_each_backend};
use reqwest::Method;
use serde_json::{Value, json};

use super::crash::{cleanup, command, fresh};

async fn detail_of(app: &TestApp, token: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.api("/cases"))
        .bearer_auth(token)
        .send()
        .await
        .expect("get");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

async fn refused_tokens_are_told_apart_by_nobody(app: &TestApp) {
    let (_, created) = app
        .call(
            Method::POST,
            "/tokens",
            Some(&app.token),
            Some(&json!({"label": "to revoke", "expires_in_days": 1})),
        )
        .await;
    let secret = created["token"].as_str().expect("secret").to_owned();
    let id = created["id"].as_str().expect("id").to_owned();
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/tokens/{id}/revoke"),
            Some(&app.token),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (s1, revoked) = detail_of(app, &secret).await;
    let (s2, unknown) = detail_of(app, "cw_thisTokenNeverExisted0000000000000000000000").await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(
        revoked, unknown,
        "a revoked token reads like one that never existed"
    );
}
on_each_backend!(
    refused_tokens_are_told_apart_by_nobody_on_each_backend,
    refused_tokens_are_told_apart_by_nobody
);

async fn bodies_are_read_after_authentication(app: &TestApp) {
    let big = "x".repeat(TEST_MAX_BODY * 2);
    // No token, a body over every limit, a made-up path ending like the import: 401, not 413
    // (the body is not read), and not the import's larger limit either.
    for path in ["/api/v1/rulings/import", "/api/v1/nothing/rulings/import"] {
        let response = app
            .client
            .post(format!("{}{path}", app.base))
            .header("content-type", "application/x-ndjson")
            .body(big.clone())
            .send()
            .await
            .expect("post");
        assert_eq!(response.status().as_u16(), 401, "{path}");
    }
    // A monitor may not import: the import route's larger limit is not theirs.
    let response = app
        .client
        .post(app.api("/rulings/import"))
        .bearer_auth(&app.token)
        .header("content-type", "application/x-ndjson")
        .body(big.clone())
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 413);
    // Another path with a valid token keeps the ordinary limit.
    let response = app
        .client
        .post(app.api("/nothing/rulings/import"))
        .bearer_auth(&app.reviewer_token)
        .header("content-type", "application/x-ndjson")
        .body(big)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 413);
}
on_each_backend!(
    bodies_are_read_after_authentication_on_each_backend,
    bodies_are_read_after_authentication
);

async fn responses_carry_security_headers(app: &TestApp) {
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let anonymous = app
        .client
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("healthz");
    assert_eq!(
        header(&anonymous, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
    assert_eq!(
        header(&anonymous, "referrer-policy").as_deref(),
        Some("no-referrer")
    );
    assert_eq!(header(&anonymous, "cache-control"), None);
    let signed_in = app
        .client
        .get(app.api("/cases"))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("cases");
    assert_eq!(
        header(&signed_in, "cache-control").as_deref(),
        Some("no-store")
    );
    assert_eq!(
        header(&signed_in, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
    let docs = app
        .client
        .get(format!("{}/docs/", app.base))
        .send()
        .await
        .expect("docs");
    let csp = header(&docs, "content-security-policy").unwrap_or_default();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"),
        "{csp}"
    );
}
on_each_backend!(
    responses_carry_security_headers_on_each_backend,
    responses_carry_security_headers
);

async fn excel_mode_neutralises_formulas(app: &TestApp) {
    let (case, _) = app.case("XK", "C 61/26", &["ethnicity"]).await;
    let hearing = app.hearing(&case).await;
    let notes = "=HYPERLINK(\"http://example.invalid\",\"open\") (fictional)";
    let (status, observation) = app
        .post(
            "/observations",
            &json!({"hearing_id": hearing, "status": "submitted", "notes": notes, "answers": {
                "public_admitted": "yes", "public_excluded": "no", "grounds_discussed": "no",
                "hate_speech_in_courtroom": "no", "hostile_groups_present": "no"}}),
        )
        .await;
    assert_eq!(status, 201, "{observation}");
    app.publish(&format!("/cases/{case}")).await;
    app.publish(&format!(
        "/observations/{}",
        observation["id"].as_str().expect("id")
    ))
    .await;
    let csv = async |query: &str| {
        app.client
            .get(app.api(&format!("/datasets/observations.csv{query}")))
            .bearer_auth(&app.reviewer_token)
            .send()
            .await
            .expect("csv")
            .text()
            .await
            .expect("text")
    };
    let exact = csv("").await;
    assert!(
        exact.contains("\"=HYPERLINK("),
        "the default mode keeps values exact: {exact}"
    );
    let excel = csv("?bom=true").await;
    assert!(
        excel.contains("\"'=HYPERLINK("),
        "Excel mode neutralises: {excel}"
    );
    assert!(!excel.contains(",\"=HYPERLINK("), "{excel}");
}
on_each_backend!(
    excel_mode_neutralises_formulas_on_each_backend,
    excel_mode_neutralises_formulas
);

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_are_the_owners_alone_and_exports_follow_no_link() {
    use std::os::unix::fs::PermissionsExt;
    let mode =
        |p: &std::path::Path| std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    let (data_dir, url, admin) = fresh(&courtwatch_tests::Backend::Sqlite, "modes").await;
    let run = |args: &[&str]| {
        let output = command(&data_dir, &url).args(args).output().expect("run");
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    run(&["org", "add", "Modes Org (fictional)"]);
    assert_eq!(mode(&data_dir), 0o700);
    assert_eq!(mode(&data_dir.join("courtwatch.db")), 0o600);
    // The first token expires by default.
    let user_line = {
        run(&[
            "user",
            "add",
            "--name",
            "Modes (fictional)",
            "--org",
            "Modes Org (fictional)",
        ]);
        run(&["user", "list"])
    };
    let user_id = user_line.split('\t').next().expect("id").to_owned();
    let tokens = run(&["token", "list", "--user", &user_id]);
    assert!(tokens.contains("expires"), "{tokens}");
    let backup = data_dir.join("copy.db");
    run(&["backup", &backup.display().to_string()]);
    assert_eq!(mode(&backup), 0o600);
    // A link planted in the export folder is replaced, not written through.
    let export = data_dir.join("release");
    std::fs::create_dir_all(&export).expect("dir");
    let target = data_dir.join("victim.txt");
    std::fs::write(&target, "keep me").expect("write");
    std::os::unix::fs::symlink(&target, export.join("cases.csv")).expect("symlink");
    std::os::unix::fs::symlink(&target, export.join("SHA256SUMS.part")).expect("symlink");
    run(&["export", &export.display().to_string()]);
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "keep me");
    for name in ["cases.csv", "SHA256SUMS", "codebook.json"] {
        let path = export.join(name);
        assert!(
            !std::fs::symlink_metadata(&path)
                .expect("meta")
                .file_type()
                .is_symlink(),
            "{name}"
        );
        assert_eq!(mode(&path), 0o600, "{name}");
    }
    cleanup(&data_dir, admin).await;
}

async fn refused_tokens_are_rate_limited(app: &TestApp) {
    let mut statuses = Vec::new();
    for i in 0..TEST_AUTH_FAILURES + 3 {
        let response = app
            .client
            .get(app.api("/cases"))
            .bearer_auth(format!("cw_guess{i:040}"))
            .send()
            .await
            .expect("get");
        statuses.push((
            response.status().as_u16(),
            response.headers().get("retry-after").cloned(),
        ));
    }
    let refused = statuses.iter().filter(|(s, _)| *s == 401).count();
    assert_eq!(refused as u32, TEST_AUTH_FAILURES, "{statuses:?}");
    let (status, retry_after) = statuses.last().expect("last").clone();
    assert_eq!(status, 429);
    let seconds: u64 = retry_after
        .and_then(|v| v.to_str().ok().and_then(|s| s.parse().ok()))
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&seconds), "{seconds}");
    // Meanwhile, what needs no token still answers.
    let (status, _) = app.call(Method::GET, "/methodology/1", None, None).await;
    assert_eq!(status, 200);
}
on_each_backend!(
    refused_tokens_are_rate_limited_on_each_backend,
    refused_tokens_are_rate_limited
);
