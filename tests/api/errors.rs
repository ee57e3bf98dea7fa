//! Authentication and the shape of errors.

use courtwatch_tests::{TEST_MAX_BODY, TestApp, on_each_backend};
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
    assert_eq!(problem["detail"], "the bearer token is not valid");

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
