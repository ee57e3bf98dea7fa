//! Authentication and the shape of errors.

use courtwatch_tests::{TEST_MAX_BODY, TEST_MAX_IMPORT, TestApp, on_each_backend};
use serde_json::json;

async fn errors_are_problem_documents(app: &TestApp) {
    // No token, a wrong token.
    let response = app
        .client
        .post(app.api("/courts"))
        .json(&json!({}))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let response = app
        .client
        .get(app.api("/cases"))
        .bearer_auth("cw_not-a-real-token")
        .send()
        .await
        .expect("get");
    let (status, problem) = TestApp::read(response).await;
    assert_eq!(status, 401);
    assert_eq!(
        problem["detail"],
        "the bearer token is not valid (unknown, expired or revoked)"
    );

    // Malformed JSON and wrong types are 400.
    let response = app
        .client
        .post(app.api("/courts"))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let (status, _) = app
        .post(
            "/courts",
            &json!({"name": ["a"], "level": "basic", "jurisdiction": "XK"}),
        )
        .await;
    assert_eq!(status, 400);

    // Unknown ids are 404; unknown routes too.
    let (status, problem) = app.get("/cases/0199c7a0-0000-7000-8000-000000000000").await;
    assert_eq!(status, 404);
    assert_eq!(problem["title"], "Not found");
    let response = app
        .client
        .get(format!("{}/no/such/route", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );

    // Oversize bodies are 413, with or without Content-Length.
    let huge = "x".repeat(TEST_MAX_BODY + 1);
    let (status, problem) = app
        .post(
            "/rulings",
            &json!({"title": "t", "court_name": "c", "language": "en", "full_text": huge}),
        )
        .await;
    assert_eq!(status, 413, "{problem}");
    let stream = futures_stream(huge.into_bytes());
    let response = app
        .client
        .post(app.api("/rulings"))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 413);
    let (_, rulings) = app.get("/rulings").await;
    assert_eq!(rulings["items"], json!([]));
}
on_each_backend!(errors_are_rfc7807_problems, errors_are_problem_documents);

/// Every request limit answers with a clear 4xx problem naming what is wrong, and stores nothing.
async fn limits_are_clear_4xx(app: &TestApp) {
    let (_, court) = app
        .post(
            "/courts",
            &json!({"name": "Basic Court of Limits (fictional)", "level": "basic", "jurisdiction": "XK"}),
        )
        .await;
    let court_id = court["id"].as_str().expect("court id").to_owned();
    let (_, cases_before) = app.get("/cases").await;

    // String lengths: the schema's maxLength, with the field's place in the body.
    let long_title = "t".repeat(501);
    let (status, problem) = app
        .post(
            "/cases",
            &json!({"court_id": court_id, "case_number": "C 1/25", "title": long_title,
                    "proceeding_type": "civil_antidiscrimination", "grounds": []}),
        )
        .await;
    assert_eq!(status, 400, "{problem}");
    let detail = problem["detail"].as_str().expect("detail");
    assert!(
        detail.contains("/title") && detail.contains("longer than 500"),
        "{detail}"
    );
    assert!(
        detail.chars().count() < 1000,
        "the value is not echoed whole: {detail}"
    );

    // A wrong type is refused, not coerced (poem-openapi alone would store 1187 as "1187"); null
    // for a required field too. Null for an optional field means absent, as the spec says.
    let (status, problem) = app
        .post(
            "/cases",
            &json!({"court_id": court_id, "case_number": 1187, "title": null, "grounds": [],
                    "proceeding_type": "civil_antidiscrimination", "summary": null}),
        )
        .await;
    assert_eq!(status, 400, "{problem}");
    let detail = problem["detail"].as_str().expect("detail");
    assert!(
        detail.contains("/case_number") && detail.contains("/title"),
        "{detail}"
    );
    assert!(!detail.contains("/summary"), "{detail}");

    // JSON nesting deeper than the parser's limit (128 levels).
    let deep = format!(
        "{{\"court_id\":\"{court_id}\",\"case_number\":\"C 2/25\",\"title\":\"T\",\"grounds\":[],\
         \"proceeding_type\":\"civil_antidiscrimination\",\"answers\":{{\"area_of_life\":{}1{}}}}}",
        "[".repeat(200),
        "]".repeat(200)
    );
    let response = app
        .client
        .post(app.api("/cases"))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await
        .expect("post");
    let (status, problem) = TestApp::read(response).await;
    assert_eq!(status, 400, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .expect("detail")
            .contains("recursion limit"),
        "{problem}"
    );

    // The NUL character (PostgreSQL cannot store it) in a body or a parameter.
    let (status, problem) = app
        .post(
            "/cases",
            &json!({"court_id": court_id, "case_number": "C 3/25", "title": "a\u{0}b",
                    "proceeding_type": "civil_antidiscrimination", "grounds": []}),
        )
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "title", "{problem}");
    let (status, problem) = app.get("/cases?court_id=a%00b").await;
    assert_eq!(status, 400, "{problem}");

    // Page sizes: 1 to 500 on lists, 1 to 100 on search; outside is refused, not clamped.
    for path in [
        "/cases?limit=0",
        "/cases?limit=501",
        "/search?q=x&limit=101",
    ] {
        let (status, problem) = app.get(path).await;
        assert_eq!(status, 400, "{path}: {problem}");
        assert!(
            problem["detail"]
                .as_str()
                .expect("detail")
                .contains("limit"),
            "{problem}"
        );
    }

    // Query length: a search query is at most 2,000 characters.
    let (status, problem) = app.get(&format!("/search?q={}", "a".repeat(2001))).await;
    assert_eq!(status, 400, "{problem}");
    assert!(
        problem["detail"].as_str().expect("detail").contains("`q`"),
        "{problem}"
    );

    // The bulk import has its own body limit (here 8 MiB; 256 MiB by default), for the roles that
    // may import. A declared length over it is answered at once, before any of the body is read
    // (a client sending it would only see the connection close mid-upload, so this speaks raw
    // HTTP and sends headers only).
    let answer = raw_request(
        app,
        &format!(
            "POST /api/v1/rulings/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/x-ndjson\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            app.reviewer_token,
            TEST_MAX_IMPORT + 1
        ),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains(&TEST_MAX_IMPORT.to_string()), "{answer}");
    // Under the limit, the same route takes the body (one valid line).
    let line = json!({"id": "limit-1", "title": "T", "lang": "en", "text": "Fictional text."});
    let response = app
        .client
        .post(app.api("/rulings/import"))
        .bearer_auth(&app.reviewer_token)
        .header("content-type", "application/x-ndjson")
        .body(format!("{line}\n"))
        .send()
        .await
        .expect("post");
    let (status, report) = TestApp::read(response).await;
    assert_eq!(status, 200, "{report}");

    // Nothing of the above was stored.
    let (_, cases_after) = app.get("/cases").await;
    assert_eq!(cases_before["items"], cases_after["items"]);
}
on_each_backend!(request_limits_are_clear_4xx, limits_are_clear_4xx);

/// Sends `request` as written over a new connection and returns what the server answered.
async fn raw_request(app: &TestApp, request: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await;
    String::from_utf8_lossy(&answer).into_owned()
}

fn futures_stream(
    bytes: Vec<u8>,
) -> impl futures_core::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    struct Chunks(Vec<Vec<u8>>);
    impl futures_core::Stream for Chunks {
        type Item = Result<Vec<u8>, std::io::Error>;
        fn poll_next(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Self::Item>> {
            std::task::Poll::Ready(if self.0.is_empty() {
                None
            } else {
                Some(Ok(self.0.remove(0)))
            })
        }
    }
    Chunks(bytes.chunks(64 * 1024).map(<[u8]>::to_vec).collect())
}
